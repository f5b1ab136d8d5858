package io.connguard.audit.incident;

import java.util.List;

/**
 * One page of incidents, newest first.
 *
 * @param items the incidents
 * @param nextCursor pass as {@code cursor} to get the next page; null on the last page
 */
public record IncidentPage(List<Incident> items, String nextCursor) {}
