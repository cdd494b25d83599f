package io.lbmanager.validate;

import io.lbmanager.render.BundleRenderer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Nginx's {@code [emerg]}, {@code [alert]} and {@code [crit]} lines (either
 * {@code nginx: [emerg] ...} or the log form {@code 2024/01/01 00:00:00 [emerg] 12#12: ...})
 * into {@link ConfigError}s relative to the directory the bundle was written to, so a message
 * names {@code locations/shop.conf:3} and service {@code shop}, never a temp path. An error Nginx
 * reports in a file outside the bundle keeps its file and line but not its text (which quotes that
 * file's content), and every message is clipped: no answer carries the content of a file the caller
 * did not send.
 */
public final class NginxErrors {

    private static final Pattern SEVERE = Pattern.compile("\\[(emerg|alert|crit)\\] (?:\\d+#\\d+: )?(?:\\*\\d+ )?(.*)$");
    private static final Pattern LOCATION = Pattern.compile("^(.*) in (\\S+):(\\d+)$");
    private static final List<String> PIECE_DIRS = List.of(BundleRenderer.UPSTREAMS_DIR, BundleRenderer.LOCATIONS_DIR);
    private static final String PIECE_SUFFIX = ".conf";
    static final int MAX_MESSAGE_CHARS = 300;
    static final int MAX_ERRORS = 20;
    private static final int MAX_OUTPUT_CHARS = 64 * 1024;

    private NginxErrors() {
    }

    public static List<ConfigError> parse(String output, Path bundleDir) {
        String prefix = bundleDir.toAbsolutePath().normalize() + "/";
        List<ConfigError> errors = new ArrayList<>();
        for (String line : output.split("\\R")) {
            Matcher severe = SEVERE.matcher(line);
            if (!severe.find()) {
                continue;
            }
            String text = severe.group(2);
            String file = null;
            Integer lineNumber = null;
            Matcher location = LOCATION.matcher(text);
            if (location.matches()) {
                text = location.group(1);
                file = relative(location.group(2), prefix);
                lineNumber = Integer.valueOf(location.group(3));
                if (file.startsWith("/")) {
                    text = "nginx rejected the content of a file outside the bundle (not shown)";
                }
            }
            if (errors.size() == MAX_ERRORS) {
                break;
            }
            errors.add(new ConfigError(file, lineNumber, serviceOf(file), clipped(text.replace(prefix, ""))));
        }
        return errors;
    }

    /** The service whose piece {@code file} is ({@code upstreams/<id>.conf} or {@code locations/<id>.conf}), or null. */
    public static String serviceOf(String file) {
        // Without a regex: ValidationScope asks this for every file of a bundle on each validate request.
        if (file == null || !file.endsWith(PIECE_SUFFIX)) {
            return null;
        }
        for (String dir : PIECE_DIRS) {
            if (file.startsWith(dir) && file.length() > dir.length() + PIECE_SUFFIX.length()
                    && file.indexOf('/', dir.length()) < 0) {
                return file.substring(dir.length(), file.length() - PIECE_SUFFIX.length());
            }
        }
        return null;
    }

    /** At most {@link #MAX_MESSAGE_CHARS} characters of {@code message}. */
    static String clipped(String message) {
        return message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS) + "...";
    }

    /** The first 64 KB of what nginx wrote: enough for every error it stops at. */
    static String limited(String output) {
        return output.length() <= MAX_OUTPUT_CHARS ? output : output.substring(0, MAX_OUTPUT_CHARS);
    }

    private static String relative(String file, String prefix) {
        return file.startsWith(prefix) ? file.substring(prefix.length()) : file;
    }
}
