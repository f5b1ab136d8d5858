-- Every connguard CloudEvent, stored once and never changed: the raw material of every incident timeline.
CREATE TABLE event (
    seq             bigserial   PRIMARY KEY,
    event_id        text        NOT NULL,
    source          text        NOT NULL,
    type            text        NOT NULL,
    subject         text        NOT NULL,
    time            timestamptz NOT NULL,
    incident_id     text,
    data            jsonb       NOT NULL,
    kafka_topic     text        NOT NULL,
    kafka_partition integer     NOT NULL,
    kafka_offset    bigint      NOT NULL,
    stored_at       timestamptz NOT NULL DEFAULT now(),
    -- CloudEvents identity: source + id is unique; a redelivered event is stored once
    CONSTRAINT event_identity UNIQUE (source, event_id)
);

CREATE INDEX event_subject_time ON event (subject, time, seq);
CREATE INDEX event_incident_time ON event (incident_id, time, seq) WHERE incident_id IS NOT NULL;

-- Append-only: the record is evidence, so rows are never updated or deleted by the application.
CREATE FUNCTION event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'connguard audit events are append-only (% refused)', TG_OP;
END;
$$;

CREATE TRIGGER event_append_only
    BEFORE UPDATE OR DELETE ON event
    FOR EACH ROW EXECUTE FUNCTION event_is_append_only();
