package io.lbmanager.api;

import io.lbmanager.errors.InvalidInputException;

/** The free-text reason an operator gives for a rollback or a pin: shown back, never put into a config. */
final class Reasons {

    static final int MAX_LENGTH = 500;

    private Reasons() {
    }

    static String require(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new InvalidInputException("reason", "say why (it is recorded with the change)");
        }
        if (reason.length() > MAX_LENGTH) {
            throw new InvalidInputException("reason", "must be at most " + MAX_LENGTH + " characters");
        }
        if (reason.chars().anyMatch(c -> Character.isISOControl(c))) {
            throw new InvalidInputException("reason", "must not contain control characters such as newlines");
        }
        return reason.strip();
    }
}
