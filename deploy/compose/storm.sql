-- pgbench script of the storm profile: every client holds its connection in a long statement, like a runaway
-- ETL batch. Longer than the policy's cancel-long-queries minimum (30 s), so connguard can cancel them.
SELECT pg_sleep(45);
