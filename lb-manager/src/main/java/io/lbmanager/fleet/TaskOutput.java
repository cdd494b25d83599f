package io.lbmanager.fleet;

import java.util.ArrayList;
import java.util.List;

/**
 * The tail of a task's output, made safe to put into an upgrade's reason (stored, shown by the
 * API, the dashboard and a terminal): escape sequences and control characters removed, blank
 * lines dropped, at most {@link #MAX_LINES} lines of at most {@link #MAX_LINE_CHARS} characters.
 * The output is the task's, so hostile: nothing of it is interpreted.
 */
public final class TaskOutput {

    public static final int MAX_LINES = 5;
    public static final int MAX_LINE_CHARS = 160;
    /** A status message (Mesos', the engine's) may be longer than an output line: it often quotes a command and its error. */
    public static final int MAX_MESSAGE_CHARS = 480;
    /** How many bytes of a task's log are read to find its last lines. */
    public static final int READ_BYTES = 4096;

    private TaskOutput() {
    }

    public static List<String> lastLines(String raw) {
        return lines(raw, MAX_LINE_CHARS, MAX_LINES);
    }

    /** A message on one line, sanitized the same way, at most {@link #MAX_MESSAGE_CHARS}; empty for none. */
    public static String oneLine(String raw) {
        String joined = String.join(" ", lines(raw, Integer.MAX_VALUE, Integer.MAX_VALUE));
        return joined.length() > MAX_MESSAGE_CHARS ? joined.substring(0, MAX_MESSAGE_CHARS) + "..." : joined;
    }

    private static List<String> lines(String raw, int maxLineChars, int maxLines) {
        if (raw == null || raw.isEmpty()) {
            return List.of();
        }
        String withoutEscapes = raw.replaceAll("\u001B\\][^\u0007\u001B]*(\u0007|\u001B\\\\)?", "")
                .replaceAll("\u001B\\[[0-9;?]*[ -/]*[@-~]", "").replaceAll("\u001B[@-_]", "");
        List<String> lines = new ArrayList<>();
        for (String line : withoutEscapes.split("\r\n|\r|\n")) {
            String clean = line.codePoints().filter(c -> !Character.isISOControl(c) || c == '\t')
                    .map(c -> c == '\t' ? ' ' : c)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString().strip();
            if (!clean.isEmpty()) {
                lines.add(clean.length() > maxLineChars ? clean.substring(0, maxLineChars) + "..." : clean);
            }
        }
        return List.copyOf(lines.subList(Math.max(lines.size() - maxLines, 0), lines.size()));
    }
}
