/**
 * The connguard event contract: the only types other systems may rely on when they read the
 * {@link io.connguard.events.Topics topics} connguard writes.
 *
 * <p>Every message is a CloudEvents 1.0 event in Kafka binary content mode: the envelope travels in
 * {@code ce_*} record headers, the record value is the JSON {@code data}, and the record key is the
 * event subject, which is always the monitored target's id. {@link io.connguard.events.KafkaCloudEvents}
 * encodes and decodes that shape, {@link io.connguard.events.EventJson} owns the JSON mapping, and every
 * {@link io.connguard.events.EventType} ships a JSON Schema (draft 2020-12) in this jar.
 *
 * <p>Compatibility: within one versioned type, changes are additive only (new optional fields); readers
 * ignore fields they do not know. Removing or re-typing a field, changing a field's meaning, or adding a
 * value to {@link io.connguard.events.Level}, {@link io.connguard.events.Mode} or
 * {@link io.connguard.events.Outcome} is a breaking change and ships as a new type ({@code ...v2}).
 */
package io.connguard.events;
