package io.lbmanager.catalog;

import io.lbmanager.errors.InvalidInputException;

import java.util.regex.Pattern;

/**
 * The character rules every team-supplied string passes. They are what makes directive injection
 * impossible: none of them admits whitespace, {@code ;}, braces, quotes, {@code $} or {@code #}.
 */
public final class InputRules {

    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    public static final Pattern DISCOVERY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    public static final Pattern TEAM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    public static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");
    public static final Pattern ACTOR = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}");
    public static final int MAX_OWNER_LENGTH = 100;
    public static final int MAX_BASE_PATH_LENGTH = 200;
    private static final Pattern PATH_SEGMENT = Pattern.compile("[A-Za-z0-9._~-]+");

    private InputRules() {
    }

    /** A service id or group name. */
    public static String requireName(String field, String value) {
        requirePresent(field, value);
        if (!NAME.matcher(value).matches()) {
            throw new InvalidInputException(field, "must match " + NAME.pattern() + " (lower-case letters, digits, _ and -, at most 63 characters)");
        }
        return value;
    }

    public static String requireDiscoveryName(String field, String value) {
        requirePresent(field, value);
        if (!DISCOVERY_NAME.matcher(value).matches()) {
            throw new InvalidInputException(field, "must match " + DISCOVERY_NAME.pattern());
        }
        return value;
    }

    /** An owner is an e-mail address or a team name. */
    public static String requireOwner(String field, String value) {
        requirePresent(field, value);
        if (value.length() > MAX_OWNER_LENGTH
                || !(EMAIL.matcher(value).matches() || TEAM.matcher(value).matches())) {
            throw new InvalidInputException(field,
                    "must be an e-mail address or a team name matching " + TEAM.pattern() + ", at most " + MAX_OWNER_LENGTH + " characters");
        }
        return value;
    }

    /** Who made a change, as recorded in {@code updatedBy}. */
    public static String requireActor(String field, String value) {
        requirePresent(field, value);
        if (!ACTOR.matcher(value).matches()) {
            throw new InvalidInputException(field, "must match " + ACTOR.pattern());
        }
        return value;
    }

    /** An absolute URL path prefix: {@code /} or {@code /a/b} with unreserved characters only. */
    public static String requireBasePath(String field, String value) {
        requirePresent(field, value);
        if (value.length() > MAX_BASE_PATH_LENGTH) {
            throw new InvalidInputException(field, "must be at most " + MAX_BASE_PATH_LENGTH + " characters");
        }
        if (!value.startsWith("/")) {
            throw new InvalidInputException(field, "must start with /");
        }
        if (value.equals("/")) {
            return value;
        }
        if (value.endsWith("/")) {
            throw new InvalidInputException(field, "must not end with / (except the root path /)");
        }
        for (String segment : value.substring(1).split("/", -1)) {
            if (segment.isEmpty()) {
                throw new InvalidInputException(field, "must not contain //");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new InvalidInputException(field, "must not contain . or .. segments");
            }
            if (!PATH_SEGMENT.matcher(segment).matches()) {
                throw new InvalidInputException(field, "segments may contain only letters, digits and . _ ~ -");
            }
        }
        return value;
    }

    public static void requirePresent(String field, Object value) {
        if (value == null) {
            throw new InvalidInputException(field, "is required");
        }
    }
}
