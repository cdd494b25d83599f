package io.lbmanager.zones;

import java.util.regex.Pattern;

/** The one rule a zone name follows wherever it comes from: 1 to 32 of {@code a-z}, {@code 0-9} and {@code -}. */
public final class ZoneName {

    public static final Pattern PATTERN = Pattern.compile("[a-z0-9-]{1,32}");
    public static final String RULE = "1 to 32 of a-z, 0-9 and -";

    private ZoneName() {
    }

    public static boolean valid(String zone) {
        return zone != null && PATTERN.matcher(zone).matches();
    }

    /** The value as a message can quote it: at most 40 characters, control characters replaced. */
    static String quoted(String value) {
        String shown = value.length() <= 40 ? value : value.substring(0, 40) + "...";
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
