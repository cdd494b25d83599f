package io.lbmanager.api;

import io.lbmanager.api.view.UsageView;

import java.util.Locale;

/** A usage report as CSV: a header, one row per line, then the total; keys are quoted when they need it. */
final class UsageCsv {

    static final String HEADER = "key,requests,bytes_in,bytes_out,upstream_ms,errors_4xx,errors_5xx,no_upstream,connect_failures,"
            + "cpu_core_seconds,memory_gb_hours,cost_requests,cost_bytes_out,cost_bytes_in,cost_cpu,cost_memory,cost_total\n";

    private UsageCsv() {
    }

    static String of(UsageView.Report report) {
        StringBuilder csv = new StringBuilder(HEADER);
        report.lines().forEach(line -> row(csv, line));
        row(csv, report.total());
        return csv.toString();
    }

    private static void row(StringBuilder csv, UsageView.Line l) {
        UsageView.Cost c = l.cost();
        csv.append(field(l.key())).append(',').append(l.requests()).append(',').append(l.bytesIn()).append(',').append(l.bytesOut())
                .append(',').append(l.upstreamMs()).append(',').append(l.errors4xx()).append(',').append(l.errors5xx()).append(',')
                .append(l.noUpstream()).append(',').append(l.connectFailures()).append(',').append(number(l.cpuCoreSeconds())).append(',')
                .append(number(l.memoryGbHours())).append(',').append(number(c.requests())).append(',').append(number(c.bytesOut()))
                .append(',').append(number(c.bytesIn())).append(',').append(number(c.cpu())).append(',').append(number(c.memory()))
                .append(',').append(number(c.total())).append('\n');
    }

    /** Quoted when it holds a comma, quote or line break; a leading = + - @ is neutralised (no formulas in spreadsheets). */
    private static String field(String value) {
        String safe = value.matches("^[=+\\-@].*") ? "'" + value : value;
        return safe.matches(".*[\",\\r\\n].*") ? "\"" + safe.replace("\"", "\"\"") + "\"" : safe;
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.6f", value);
    }
}
