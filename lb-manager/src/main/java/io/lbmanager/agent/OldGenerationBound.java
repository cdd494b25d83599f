package io.lbmanager.agent;

/**
 * How many old Nginx worker generations (workers of earlier configs still draining their long
 * requests) a reload may leave behind; the agent ends the oldest before a reload that would leave
 * more. Not enforced: Nginx's own behaviour, one old generation per reload made while a long
 * request of it is open (each bounded in age only by the template's {@code worker_shutdown_timeout}).
 *
 * @param max at least 1: the reload itself retires the current generation
 */
public record OldGenerationBound(boolean enforced, int max) {

    public static final OldGenerationBound DEFAULT = new OldGenerationBound(true, 2);
    public static final OldGenerationBound OFF = new OldGenerationBound(false, 0);
    static final int LARGEST = 64;
    static final String OFF_WORD = "off";

    public OldGenerationBound {
        if (enforced && (max < 1 || max > LARGEST)) {
            throw new IllegalArgumentException("max old generations must be 1.." + LARGEST + " or " + OFF_WORD + ", was " + max);
        }
        if (!enforced && max != 0) {
            throw new IllegalArgumentException("an unenforced bound has no max, was " + max);
        }
    }

    public static OldGenerationBound of(int max) {
        return new OldGenerationBound(true, max);
    }

    /** {@code 1..64} or {@code off}; the exception names {@code source} and what was given. */
    public static OldGenerationBound parse(String text, String source) {
        String value = text.strip();
        if (value.equalsIgnoreCase(OFF_WORD)) {
            return OFF;
        }
        try {
            int max = Integer.parseInt(value);
            if (max >= 1 && max <= LARGEST) {
                return of(max);
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException(source + " must be 1.." + LARGEST + " or " + OFF_WORD + ", was '" + text + "'");
    }

    @Override
    public String toString() {
        return enforced ? Integer.toString(max) : OFF_WORD;
    }
}
