-- The incident projection, maintained incrementally: an insert merges the aggregates of the rows it added into the
-- incident row (LEAST of the times, GREATEST of the peaks, sums of the counts) instead of recomputing the whole
-- incident, so the cost of a batch does not grow with the length of the incidents it touches.
-- incident_facts(ids) still recomputes incidents from scratch: to rebuild the table, and to check the merge.

ALTER TABLE incident ADD COLUMN onset_at timestamptz;       -- sampledAt of the first sample that left OK
ALTER TABLE incident ADD COLUMN first_event_at timestamptz; -- time of the first event (opened_at when no onset)
ALTER TABLE incident ADD COLUMN peak_at timestamptz;        -- time of the peak event (ties: the earliest wins)

-- finds whether an action id was seen before in an incident without reading the whole incident
CREATE INDEX event_incident_action ON event (incident_id, (data ->> 'actionId'))
    WHERE type = 'io.connguard.action.v1';

-- one definition of what the projection reads from an event
CREATE FUNCTION incident_signals(e event) RETURNS TABLE (
    pressure boolean, action boolean, level text, reason text, action_id text, action_kind text, outcome text,
    sampled_at timestamptz, ratio double precision, started_at timestamptz
) LANGUAGE sql STABLE AS $$
    SELECT e.type = 'io.connguard.pressure.changed.v1',
           e.type = 'io.connguard.action.v1',
           e.data ->> 'level',
           e.data ->> 'reason',
           e.data ->> 'actionId',
           e.data ->> 'action',
           e.data ->> 'outcome',
           -- casts only for the known types: ingest has checked their payloads against the contract
           CASE WHEN e.type = 'io.connguard.pressure.changed.v1' THEN (e.data ->> 'sampledAt')::timestamptz END,
           CASE WHEN e.type = 'io.connguard.pressure.changed.v1' THEN (e.data ->> 'ratio')::double precision END,
           CASE WHEN e.type = 'io.connguard.action.v1'
                THEN coalesce((e.data ->> 'startedAt')::timestamptz, e.time) END
$$;

DROP FUNCTION incident_facts(text[]);

CREATE FUNCTION incident_facts(ids text[]) RETURNS SETOF incident LANGUAGE sql STABLE AS $$
    SELECT e.incident_id,
           min(e.subject),
           coalesce(min(s.sampled_at) FILTER (WHERE s.pressure AND s.level <> 'OK'), min(e.time)),
           min(e.time) FILTER (WHERE s.pressure AND s.level <> 'OK'),
           min(s.started_at) FILTER (WHERE s.action AND s.action_kind <> 'none' AND s.outcome NOT IN ('NOOP', 'SKIPPED')),
           min(s.sampled_at) FILTER (WHERE s.pressure AND s.level = 'OK'),
           min(s.sampled_at) FILTER (WHERE s.pressure AND s.reason = 'incident_resolved'),
           max(CASE s.level WHEN 'CRITICAL' THEN 2 WHEN 'ELEVATED' THEN 1 WHEN 'OK' THEN 0 END)
               FILTER (WHERE s.pressure)::smallint,
           max(s.ratio) FILTER (WHERE s.pressure AND s.level <> 'UNKNOWN'),
           (array_agg(e.seq ORDER BY s.ratio DESC, e.time, e.seq) FILTER (WHERE s.pressure AND s.level <> 'UNKNOWN'))[1],
           (count(DISTINCT s.action_id) FILTER (WHERE s.action AND s.action_kind <> 'none'))::integer,
           count(*)::integer,
           max(e.time),
           min(s.sampled_at) FILTER (WHERE s.pressure AND s.level <> 'OK'),
           min(e.time),
           (array_agg(e.time ORDER BY s.ratio DESC, e.time, e.seq) FILTER (WHERE s.pressure AND s.level <> 'UNKNOWN'))[1]
    FROM event e, LATERAL incident_signals(e) s
    WHERE e.incident_id = ANY (ids)
    GROUP BY e.incident_id
$$;

UPDATE incident i SET onset_at = f.onset_at, first_event_at = f.first_event_at, peak_at = f.peak_at
FROM incident_facts(ARRAY(SELECT incident_id FROM incident)) f
WHERE f.incident_id = i.incident_id;

ALTER TABLE incident ALTER COLUMN first_event_at SET NOT NULL;

CREATE OR REPLACE FUNCTION incident_project() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO incident AS i
    SELECT e.incident_id,
           min(e.subject),
           coalesce(min(s.sampled_at) FILTER (WHERE s.pressure AND s.level <> 'OK'), min(e.time)),
           min(e.time) FILTER (WHERE s.pressure AND s.level <> 'OK'),
           min(s.started_at) FILTER (WHERE s.action AND s.action_kind <> 'none' AND s.outcome NOT IN ('NOOP', 'SKIPPED')),
           min(s.sampled_at) FILTER (WHERE s.pressure AND s.level = 'OK'),
           min(s.sampled_at) FILTER (WHERE s.pressure AND s.reason = 'incident_resolved'),
           max(CASE s.level WHEN 'CRITICAL' THEN 2 WHEN 'ELEVATED' THEN 1 WHEN 'OK' THEN 0 END)
               FILTER (WHERE s.pressure)::smallint,
           max(s.ratio) FILTER (WHERE s.pressure AND s.level <> 'UNKNOWN'),
           (array_agg(e.seq ORDER BY s.ratio DESC, e.time, e.seq) FILTER (WHERE s.pressure AND s.level <> 'UNKNOWN'))[1],
           -- action ids this insert brings to the incident for the first time
           (count(DISTINCT s.action_id) FILTER (WHERE s.action AND s.action_kind <> 'none' AND NOT EXISTS (
               SELECT 1 FROM event o
               WHERE o.incident_id = e.incident_id
                 AND o.type = 'io.connguard.action.v1'
                 AND o.data ->> 'actionId' = s.action_id
                 AND NOT EXISTS (SELECT 1 FROM inserted n WHERE n.seq = o.seq))))::integer,
           count(*)::integer,
           max(e.time),
           min(s.sampled_at) FILTER (WHERE s.pressure AND s.level <> 'OK'),
           min(e.time),
           (array_agg(e.time ORDER BY s.ratio DESC, e.time, e.seq) FILTER (WHERE s.pressure AND s.level <> 'UNKNOWN'))[1]
    FROM inserted e, LATERAL incident_signals(e) s
    WHERE e.incident_id IS NOT NULL
    GROUP BY e.incident_id
    ON CONFLICT (incident_id) DO UPDATE SET
        -- every expression reads the row as it was before this insert
        onset_at = least(i.onset_at, excluded.onset_at),
        first_event_at = least(i.first_event_at, excluded.first_event_at),
        opened_at = coalesce(least(i.onset_at, excluded.onset_at), least(i.first_event_at, excluded.first_event_at)),
        detected_at = least(i.detected_at, excluded.detected_at),
        first_action_at = least(i.first_action_at, excluded.first_action_at),
        mitigated_at = least(i.mitigated_at, excluded.mitigated_at),
        resolved_at = least(i.resolved_at, excluded.resolved_at),
        peak_rank = greatest(i.peak_rank, excluded.peak_rank),
        peak_ratio = greatest(i.peak_ratio, excluded.peak_ratio),
        peak_seq = CASE WHEN excluded.peak_ratio > i.peak_ratio OR i.peak_ratio IS NULL
                             OR (excluded.peak_ratio = i.peak_ratio AND excluded.peak_at < i.peak_at)
                        THEN coalesce(excluded.peak_seq, i.peak_seq) ELSE i.peak_seq END,
        peak_at = CASE WHEN excluded.peak_ratio > i.peak_ratio OR i.peak_ratio IS NULL
                            OR (excluded.peak_ratio = i.peak_ratio AND excluded.peak_at < i.peak_at)
                       THEN coalesce(excluded.peak_at, i.peak_at) ELSE i.peak_at END,
        target = i.target,
        action_count = i.action_count + excluded.action_count,
        event_count = i.event_count + excluded.event_count,
        last_event_at = greatest(i.last_event_at, excluded.last_event_at);
    RETURN NULL;
END;
$$;
