package io.connguard.audit.incident;

import io.connguard.events.Level;
import java.time.Instant;

/**
 * Filters and position of one page of the incident list, newest first.
 *
 * @param target only this target; null for all
 * @param from only incidents opened at or after this; null for no bound
 * @param to only incidents opened before this; null for no bound
 * @param level only incidents whose peak level is at least this (UNKNOWN: only incidents without a measured level);
 *     null for all
 * @param after the page starts after this position; null for the first page
 * @param limit page size
 */
public record IncidentQuery(String target, Instant from, Instant to, Level level, Cursor after, int limit) {}
