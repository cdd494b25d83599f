package io.lbmanager.testsupport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One measured row of the fault matrix (RELIABILITY.md), as a {@link FaultBench} row reports it. */
public record FaultRow(String fault, int sent, int failed, String failedWhere, int registrationsLost, long recoveryMillis,
                       String recoveredWhen, String operatorSees) {

    /** Failed requests by Nginx ("" when none failed). */
    public static String failedWhere(Load load) {
        List<String> where = new ArrayList<>();
        load.perTarget().forEach((name, counts) -> {
            if (counts.failed() > 0) {
                where.add(counts.failed() + " through " + name);
            }
        });
        return String.join(", ", where);
    }

    /** Prints the row ({@code FAULT-MATRIX | ...}) and appends it to {@code target/fault-matrix.md} (working directory: the module). */
    public void report() throws Exception {
        String line = markdown();
        System.out.println("FAULT-MATRIX " + line);
        Path file = Path.of("target", "fault-matrix.md");
        Files.createDirectories(file.getParent());
        Files.writeString(file, Instant.now() + " " + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    String markdown() {
        return "| " + fault + " | " + failed + " of " + sent + (failedWhere.isBlank() ? "" : " (" + failedWhere + ")") + " | "
                + registrationsLost + " | " + (recoveryMillis < 0 ? "n/a" : recoveryMillis + " ms") + " (" + recoveredWhen + ") | "
                + operatorSees.replace("|", "/") + " |";
    }
}
