package io.connguard.events;

/**
 * One group of client connections with the same application, role and client address; the detector
 * reports the largest groups first.
 *
 * @param applicationName {@code application_name}; absent when the client set none
 * @param user role name ({@code usename})
 * @param clientAddr client IP address; absent for Unix-socket connections
 * @param connections client backends in the group
 * @param shareOfCapacity {@code connections / Capacity.usable}, 0..1 (can exceed 1 only if usable is misreported)
 */
public record ClientShare(
        String applicationName, String user, String clientAddr, int connections, double shareOfCapacity) {

    public ClientShare {
        if (!Double.isFinite(shareOfCapacity)) {
            throw new IllegalArgumentException("shareOfCapacity must be finite: " + shareOfCapacity);
        }
    }
}
