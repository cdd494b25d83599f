package io.lbmanager.errors;

/** The request is valid but clashes with what is stored (a base path owned by another service, a group still in use). */
public class ConflictException extends RuntimeException {

    private final String field;

    public ConflictException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The request field the conflict is about, or null when it is about the request as a whole. */
    public String field() {
        return field;
    }
}
