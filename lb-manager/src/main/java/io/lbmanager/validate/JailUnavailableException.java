package io.lbmanager.validate;

/** The configured jail cannot run here, so no caller's config is checked (never silently without it). */
public final class JailUnavailableException extends RuntimeException {

    public JailUnavailableException(String message) {
        super(message, null, false, false);
    }
}
