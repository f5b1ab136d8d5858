package io.connguard.auth;

/** The roles the services check. */
public final class Roles {

    /** May change what the services do: the kill switch, restores, any mutating request under {@code /api}. */
    public static final String OPERATOR = "operator";

    private Roles() {}
}
