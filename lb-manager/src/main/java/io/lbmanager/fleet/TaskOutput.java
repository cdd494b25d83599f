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
    /** How many bytes of a task's log are read to find its last lines. */
    public static final int READ_BYTES = 4096;

    private TaskOutput() {
    }

    public static List<String> lastLines(String raw) {
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
                lines.add(clean.length() > MAX_LINE_CHARS ? clean.substring(0, MAX_LINE_CHARS) + "..." : clean);
            }
        }
        return List.copyOf(lines.subList(Math.max(lines.size() - MAX_LINES, 0), lines.size()));
    }
}
