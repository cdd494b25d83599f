package io.lbmanager.fleet;

/**
 * The scheduler behind a {@link FleetBackend} answered a call with an error: a refusal in its own
 * words (Singularity's 400 "Not enough active agents ...", 409 "pending deploy ...") or its own
 * failure. The API passes the words on: a refusal as 409, a scheduler failure as 502.
 */
public class BackendRefusedException extends IllegalStateException {

    private final String backend;
    private final int status;
    private final String words;

    public BackendRefusedException(String backend, int status, String words, String message) {
        super(message);
        this.backend = backend;
        this.status = status;
        this.words = words;
    }

    /** {@code singularity}, as {@link FleetBackend#kind()}. */
    public String backend() {
        return backend;
    }

    /** The scheduler's HTTP status. */
    public int status() {
        return status;
    }

    /** What the scheduler said, on one line. */
    public String words() {
        return words;
    }

    /** The scheduler refused the request (4xx) rather than failed (5xx). */
    public boolean refusal() {
        return status >= 400 && status < 500;
    }
}
