package io.lbmanager.api;

import jakarta.ws.rs.WebApplicationException;

/** A request body over the configured limit (413). */
public class BodyTooLargeException extends WebApplicationException {

    public BodyTooLargeException(long limitBytes) {
        super("request body is larger than " + limitBytes + " bytes", 413);
    }
}
