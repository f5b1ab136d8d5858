-- An action id counts once its incident has an event of it whose action is not `none` (incident_facts:
-- count(DISTINCT action_id) FILTER (WHERE action_kind <> 'none')). V3 and V4 asked whether the id was new by looking for
-- any earlier event of it, so an id whose first event (in an earlier insert) was a `none` decision was never counted
-- when its first real event came (IncidentProjectionTest). The probe now looks for an earlier event that counted; it is
-- still one probe of event_incident_action per action id, the `action` test filters the rows of that one id.

CREATE OR REPLACE FUNCTION incident_project() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    WITH actions AS MATERIALIZED (
        -- the action ids this insert carries, per incident, with the rows that carry them
        SELECT e.incident_id, s.action_id, array_agg(e.seq) AS seqs, bool_or(s.action_kind <> 'none') AS counts
        FROM inserted e
        CROSS JOIN LATERAL incident_signals(e) s
        WHERE s.action AND e.incident_id IS NOT NULL AND s.action_id IS NOT NULL
        GROUP BY e.incident_id, s.action_id
    ), new_actions AS MATERIALIZED (
        -- those the incident has no earlier counted event of (an earlier `none` event of the id did not count it)
        SELECT a.incident_id, count(*)::integer AS n
        FROM actions a
        -- one probe of event_incident_action per action id (LIMIT keeps it a parameterised lookup)
        LEFT JOIN LATERAL (
            SELECT true AS found
            FROM event o
            WHERE o.incident_id = a.incident_id
              AND o.type = 'io.connguard.action.v1'
              AND o.data ->> 'actionId' = a.action_id
              AND o.data ->> 'action' <> 'none'
              AND o.seq <> ALL (a.seqs)
            LIMIT 1
        ) earlier ON true
        WHERE a.counts AND earlier.found IS NULL
        GROUP BY a.incident_id
    )
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
           coalesce(max(na.n), 0),
           count(*)::integer,
           max(e.time),
           min(s.sampled_at) FILTER (WHERE s.pressure AND s.level <> 'OK'),
           min(e.time),
           (array_agg(e.time ORDER BY s.ratio DESC, e.time, e.seq) FILTER (WHERE s.pressure AND s.level <> 'UNKNOWN'))[1]
    FROM inserted e
    CROSS JOIN LATERAL incident_signals(e) s
    LEFT JOIN new_actions na ON na.incident_id = e.incident_id
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

-- incidents the old probe may have undercounted: an action id with both a `none` and another event
UPDATE incident i SET action_count = f.action_count
FROM incident_facts(ARRAY(
    SELECT DISTINCT incident_id
    FROM event
    WHERE type = 'io.connguard.action.v1' AND incident_id IS NOT NULL
    GROUP BY incident_id, data ->> 'actionId'
    HAVING bool_or(data ->> 'action' = 'none') AND bool_or(data ->> 'action' <> 'none'))) f
WHERE f.incident_id = i.incident_id AND i.action_count <> f.action_count;
