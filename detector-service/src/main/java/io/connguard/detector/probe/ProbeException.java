package io.connguard.detector.probe;

/** A failed probe; {@link #refused()} when the server turned the connection away for lack of slots. */
public final class ProbeException extends RuntimeException {

    private final boolean refused;

    public ProbeException(String message, boolean refused, Throwable cause) {
        super(message, cause);
        this.refused = refused;
    }

    public boolean refused() {
        return refused;
    }
}
