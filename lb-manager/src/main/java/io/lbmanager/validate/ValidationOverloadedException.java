package io.lbmanager.validate;

/** More callers want {@code nginx -t} than the manager runs at once and lets wait: try again after {@link #retryAfterSeconds()}. */
public class ValidationOverloadedException extends RuntimeException {

    private final int retryAfterSeconds;

    public ValidationOverloadedException(String message, int retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
