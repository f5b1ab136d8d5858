package io.connguard.events;

/**
 * How many client connections the target can take, read from its settings at sample time.
 *
 * @param maxConnections {@code max_connections}
 * @param superuserReservedConnections {@code superuser_reserved_connections}
 * @param reservedConnections {@code reserved_connections} (PostgreSQL 16+, otherwise 0)
 * @param usable slots ordinary roles can use: {@code maxConnections - superuserReservedConnections -
 *     reservedConnections}; the denominator of {@link PressureChanged#ratio()}
 * @param databaseLimit {@code datconnlimit} of the monitored database when it is set (not -1), else absent
 * @param roleLimit the lowest {@code rolconnlimit} among the roles seen connected, when any is set, else absent
 */
public record Capacity(
        int maxConnections,
        int superuserReservedConnections,
        int reservedConnections,
        int usable,
        Integer databaseLimit,
        Integer roleLimit) {

    /** Capacity without database or role limits, with {@code usable} computed. */
    public static Capacity of(int maxConnections, int superuserReservedConnections, int reservedConnections) {
        return new Capacity(
                maxConnections,
                superuserReservedConnections,
                reservedConnections,
                maxConnections - superuserReservedConnections - reservedConnections,
                null,
                null);
    }
}
