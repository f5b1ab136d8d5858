-- Tamper evidence, quarantine and the incident projection.

---------------------------------------------------------------------------------------------------------------------
-- 1. A hash chain per subject (target).
--
-- Every row carries its position in its subject's chain (1, 2, 3, ...) and
--   chain_hash = sha256(chain_hash of the previous position || canonical content of the row).
-- The trigger below computes both inside the inserting transaction, under a transaction-level advisory lock on the
-- subject, so concurrent writers of one subject take turns and the chain never forks (the unique index would refuse a
-- fork anyway). Writers that insert several subjects at once call event_lock_subjects first: it takes the locks in
-- one global order, so two writers can never deadlock on each other's subjects.
---------------------------------------------------------------------------------------------------------------------
ALTER TABLE event ADD COLUMN chain_position bigint;
ALTER TABLE event ADD COLUMN chain_hash bytea;

-- The canonical content is a JSON array of the columns rendered by jsonb: its text form is deterministic (keys
-- sorted, whitespace and number formatting normalised), so the hash does not depend on how a producer wrote its JSON,
-- and timestamps are epoch seconds, so it does not depend on the session's TimeZone or DateStyle.
CREATE FUNCTION event_canonical(e event) RETURNS bytea LANGUAGE sql STABLE AS $$
    SELECT convert_to(jsonb_build_array(
        e.chain_position, e.seq, e.event_id, e.source, e.type, e.subject, extract(epoch FROM e.time),
        e.incident_id, e.data, e.kafka_topic, e.kafka_partition, e.kafka_offset, extract(epoch FROM e.stored_at)
    )::text, 'UTF8')
$$;

CREATE FUNCTION event_chain_hash(previous bytea, e event) RETURNS bytea LANGUAGE sql STABLE AS $$
    SELECT sha256(coalesce(previous, ''::bytea) || event_canonical(e))
$$;

CREATE FUNCTION event_subject_lock_key(subject text) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
    SELECT hashtextextended('connguard.audit.chain:' || subject, 0)
$$;

CREATE FUNCTION event_lock_subjects(subjects text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    k bigint;
BEGIN
    FOR k IN SELECT DISTINCT event_subject_lock_key(s) FROM unnest(subjects) AS s ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock(k);
    END LOOP;
END;
$$;

-- Backfill the rows stored before this migration, subject by subject in insertion order.
ALTER TABLE event DISABLE TRIGGER event_append_only;
DO $$
DECLARE
    r event;
    previous bytea;
    current_subject text;
    position bigint;
BEGIN
    FOR r IN SELECT * FROM event ORDER BY subject, seq LOOP
        IF current_subject IS DISTINCT FROM r.subject THEN
            current_subject := r.subject;
            previous := NULL;
            position := 0;
        END IF;
        position := position + 1;
        r.chain_position := position;
        previous := event_chain_hash(previous, r);
        UPDATE event SET chain_position = position, chain_hash = previous WHERE seq = r.seq;
    END LOOP;
END;
$$;
ALTER TABLE event ENABLE TRIGGER event_append_only;

ALTER TABLE event ALTER COLUMN chain_position SET NOT NULL;
ALTER TABLE event ALTER COLUMN chain_hash SET NOT NULL;
CREATE UNIQUE INDEX event_chain ON event (subject, chain_position);

CREATE FUNCTION event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head event;
BEGIN
    PERFORM pg_advisory_xact_lock(event_subject_lock_key(NEW.subject));
    -- a fresh snapshot (volatile function, READ COMMITTED): sees the head the previous lock holder committed, and
    -- the rows this statement inserted before this one
    SELECT * INTO head FROM event WHERE subject = NEW.subject ORDER BY chain_position DESC LIMIT 1;
    NEW.chain_position := coalesce(head.chain_position, 0) + 1;
    NEW.chain_hash := event_chain_hash(head.chain_hash, NEW);
    RETURN NEW;
END;
$$;

CREATE TRIGGER event_chain BEFORE INSERT ON event FOR EACH ROW EXECUTE FUNCTION event_chain();

-- TRUNCATE would empty the record without firing the row triggers.
CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event FOR EACH STATEMENT EXECUTE FUNCTION event_is_append_only();

---------------------------------------------------------------------------------------------------------------------
-- 2. Quarantine: records that are not readable events, kept as they arrived so nothing is lost.
---------------------------------------------------------------------------------------------------------------------
CREATE TABLE quarantine (
    id              bigserial   PRIMARY KEY,
    kafka_topic     text        NOT NULL,
    kafka_partition integer     NOT NULL,
    kafka_offset    bigint      NOT NULL,
    kafka_key       text,
    -- [{"key": "ce_id", "value": "..."}] with "base64" instead of "value" for bytes that are not UTF-8
    headers         jsonb       NOT NULL,
    value           bytea,
    reason          text        NOT NULL,
    quarantined_at  timestamptz NOT NULL DEFAULT now(),
    -- a redelivered record is kept once
    CONSTRAINT quarantine_position UNIQUE (kafka_topic, kafka_partition, kafka_offset)
);

CREATE TRIGGER quarantine_append_only
    BEFORE UPDATE OR DELETE ON quarantine
    FOR EACH ROW EXECUTE FUNCTION event_is_append_only();

---------------------------------------------------------------------------------------------------------------------
-- 3. Incidents: a projection of the events, recomputed from them for every incident an insert touches, so it is
-- right whatever order the pressure and action topics arrive in, and can be rebuilt at any time:
--   INSERT INTO incident SELECT * FROM incident_facts(ARRAY(SELECT DISTINCT incident_id FROM event)) ON CONFLICT ...
---------------------------------------------------------------------------------------------------------------------
CREATE TABLE incident (
    incident_id     text             PRIMARY KEY,
    target          text             NOT NULL,
    -- onset: sampledAt of the first sample that left OK (else the first event's time)
    opened_at       timestamptz      NOT NULL,
    -- time of the first pressure event that left OK: when the detector published it
    detected_at     timestamptz,
    -- start of the first action that did something (not 'none', not NOOP or SKIPPED)
    first_action_at timestamptz,
    -- sampledAt of the first sample back at OK (under the threshold)
    mitigated_at    timestamptz,
    -- sampledAt of the sample with reason incident_resolved
    resolved_at     timestamptz,
    -- OK 0, ELEVATED 1, CRITICAL 2; null when every sample was UNKNOWN
    peak_rank       smallint,
    peak_ratio      double precision,
    -- seq of the pressure event with the highest ratio
    peak_seq        bigint,
    action_count    integer          NOT NULL,
    event_count     integer          NOT NULL,
    last_event_at   timestamptz      NOT NULL
);

CREATE INDEX incident_opened ON incident (opened_at DESC, incident_id DESC);
CREATE INDEX incident_target_opened ON incident (target, opened_at DESC, incident_id DESC);

CREATE FUNCTION incident_facts(ids text[]) RETURNS SETOF incident LANGUAGE sql STABLE AS $$
    WITH x AS (
        SELECT e.incident_id, e.subject, e.seq, e.time,
               e.type = 'io.connguard.pressure.changed.v1' AS pressure,
               e.type = 'io.connguard.action.v1' AS action,
               e.data ->> 'level' AS level,
               e.data ->> 'reason' AS reason,
               e.data ->> 'actionId' AS action_id,
               e.data ->> 'action' AS action_kind,
               e.data ->> 'outcome' AS outcome,
               -- casts only for the known types: ingest has checked their payloads against the contract
               CASE WHEN e.type = 'io.connguard.pressure.changed.v1'
                    THEN (e.data ->> 'sampledAt')::timestamptz END AS sampled_at,
               CASE WHEN e.type = 'io.connguard.pressure.changed.v1'
                    THEN (e.data ->> 'ratio')::double precision END AS ratio,
               CASE WHEN e.type = 'io.connguard.action.v1'
                    THEN coalesce((e.data ->> 'startedAt')::timestamptz, e.time) END AS started_at
        FROM event e
        WHERE e.incident_id = ANY (ids)
    )
    SELECT incident_id,
           min(subject),
           coalesce(min(sampled_at) FILTER (WHERE pressure AND level <> 'OK'), min(time)),
           min(time) FILTER (WHERE pressure AND level <> 'OK'),
           min(started_at) FILTER (WHERE action AND action_kind <> 'none' AND outcome NOT IN ('NOOP', 'SKIPPED')),
           min(sampled_at) FILTER (WHERE pressure AND level = 'OK'),
           min(sampled_at) FILTER (WHERE pressure AND reason = 'incident_resolved'),
           max(CASE level WHEN 'CRITICAL' THEN 2 WHEN 'ELEVATED' THEN 1 WHEN 'OK' THEN 0 END)
               FILTER (WHERE pressure)::smallint,
           max(ratio) FILTER (WHERE pressure AND level <> 'UNKNOWN'),
           (array_agg(seq ORDER BY ratio DESC, time, seq) FILTER (WHERE pressure AND level <> 'UNKNOWN'))[1],
           (count(DISTINCT action_id) FILTER (WHERE action AND action_kind <> 'none'))::integer,
           count(*)::integer,
           max(time)
    FROM x
    GROUP BY incident_id
$$;

-- incidents of the events stored before this migration
INSERT INTO incident
SELECT * FROM incident_facts(ARRAY(SELECT DISTINCT incident_id FROM event WHERE incident_id IS NOT NULL));

-- SECURITY DEFINER: the ingest role only inserts events; the projection is written with the owner's rights.
CREATE FUNCTION incident_project() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO incident
    SELECT * FROM incident_facts(ARRAY(SELECT DISTINCT incident_id FROM inserted WHERE incident_id IS NOT NULL))
    ON CONFLICT (incident_id) DO UPDATE SET
        target = excluded.target,
        opened_at = excluded.opened_at,
        detected_at = excluded.detected_at,
        first_action_at = excluded.first_action_at,
        mitigated_at = excluded.mitigated_at,
        resolved_at = excluded.resolved_at,
        peak_rank = excluded.peak_rank,
        peak_ratio = excluded.peak_ratio,
        peak_seq = excluded.peak_seq,
        action_count = excluded.action_count,
        event_count = excluded.event_count,
        last_event_at = excluded.last_event_at;
    RETURN NULL;
END;
$$;

CREATE TRIGGER event_incident_projection
    AFTER INSERT ON event REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION incident_project();
