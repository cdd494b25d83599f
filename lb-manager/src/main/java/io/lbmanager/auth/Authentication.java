package io.lbmanager.auth;

/** What a request's Authorization header proves. */
public sealed interface Authentication {

    /** No Authorization header at all. */
    record Missing() implements Authentication {
    }

    /** A header, but no usable token: malformed, unknown, expired or revoked (the reason stays in the log). */
    record Refused(String tokenId, String reason) implements Authentication {
    }

    record Authenticated(Caller caller) implements Authentication {
    }
}
