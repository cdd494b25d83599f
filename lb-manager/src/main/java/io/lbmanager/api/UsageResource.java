package io.lbmanager.api;

import io.lbmanager.api.view.UsageView;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.contract.UsageRecord;
import io.lbmanager.contract.UsageRecord.ServiceUsage;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.SnapshotSource;
import io.lbmanager.usage.UsagePrices;
import io.lbmanager.usage.UsageRecords;
import io.lbmanager.usage.UsageReport;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Chargeback: usage of the LB fleet per service, team or group, priced; JSON, or CSV ({@code format=csv} or {@code Accept: text/csv}). */
@Path("/api/v1/usage")
public class UsageResource {

    static final String CSV = "text/csv";
    static final String NO_TEAM = "(none)";
    private static final Duration DEFAULT_SPAN = Duration.ofHours(24);

    private final SnapshotSource snapshots;
    private final UsageRecords records;
    private final UsagePrices prices;

    public UsageResource(SnapshotSource snapshots, UsageRecords records, UsagePrices prices) {
        this.snapshots = snapshots;
        this.records = records;
        this.prices = prices;
    }

    @Requires(Scope.READ)
    @GET
    @Produces({MediaType.APPLICATION_JSON, CSV})
    public Response report(@QueryParam("team") String team, @QueryParam("from") String from, @QueryParam("to") String to,
                           @QueryParam("by") String by, @QueryParam("format") String format, @Context HttpHeaders headers) throws Exception {
        Query query = Query.of(team, from, to, by);
        if (query.error != null) {
            return query.error;
        }
        CatalogSnapshot snapshot = snapshots.current();
        List<UsageReport.Line> summed = query.report(snapshot, prices).lines(query.records(records, snapshot));
        List<UsageView.Line> lines = summed.stream().map(UsageResource::line).toList();
        ServiceUsage all = summed.stream().map(UsageReport.Line::usage).reduce(ServiceUsage.NONE, ServiceUsage::plus);
        UsageView.Line total = line(new UsageReport.Line("total", all, prices.costOf(all)));
        UsageView.Report report = new UsageView.Report(Instant.ofEpochMilli(query.from).toString(), Instant.ofEpochMilli(query.to).toString(),
                query.by.name().toLowerCase(), query.team.orElse(null), new UsageView.Prices(prices.perMillionRequests(), prices.perGbOut(),
                prices.perGbIn(), prices.perCoreHour(), prices.perGbHourMemory()), lines, total);
        if (wantsCsv(format, headers)) {
            return Response.ok(UsageCsv.of(report), CSV + "; charset=utf-8").build();
        }
        return Response.ok(report, MediaType.APPLICATION_JSON_TYPE).build();
    }

    @Requires(Scope.READ)
    @GET
    @Path("/hourly")
    @Produces(MediaType.APPLICATION_JSON)
    public Response hourly(@QueryParam("team") String team, @QueryParam("from") String from, @QueryParam("to") String to,
                           @QueryParam("by") String by) throws Exception {
        Query query = Query.of(team, from, to, by == null ? "team" : by);
        if (query.error != null) {
            return query.error;
        }
        CatalogSnapshot snapshot = snapshots.current();
        List<UsageView.Hour> hours = new ArrayList<>();
        for (UsageReport.Bucket bucket : query.report(snapshot, prices).hourly(query.records(records, snapshot))) {
            hours.add(new UsageView.Hour(Instant.ofEpochMilli(bucket.start()).toString(), bucket.lines().stream().map(UsageResource::line).toList()));
        }
        return Response.ok(new UsageView.Hourly(Instant.ofEpochMilli(query.from).toString(), Instant.ofEpochMilli(query.to).toString(),
                query.by.name().toLowerCase(), query.team.orElse(null), hours), MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static boolean wantsCsv(String format, HttpHeaders headers) {
        if (format != null) {
            return format.equalsIgnoreCase("csv");
        }
        for (MediaType type : headers.getAcceptableMediaTypes()) {
            if (type.isCompatible(MediaType.valueOf(CSV)) && !type.isWildcardType()) {
                return true;
            }
            if (type.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
                return false;
            }
        }
        return false;
    }

    private static UsageView.Line line(UsageReport.Line line) {
        ServiceUsage u = line.usage();
        UsagePrices.Cost c = line.cost();
        return new UsageView.Line(line.key(), u.requests(), u.bytesIn(), u.bytesOut(), u.upstreamMs(), u.errors4xx(), u.errors5xx(),
                u.noUpstream(), u.connectFailures(), round(u.cpuSeconds()), round(u.memoryGbSeconds() / 3600),
                new UsageView.Cost(round(c.requests()), round(c.bytesOut()), round(c.bytesIn()), round(c.cpu()), round(c.memory()), round(c.total())));
    }

    private static double round(double value) {
        return Math.round(value * 1e6) / 1e6;
    }

    /** The query parameters, checked: a bad one is a 400 naming it. */
    private static final class Query {
        Response error;
        Optional<String> team = Optional.empty();
        long from;
        long to;
        UsageReport.By by = UsageReport.By.SERVICE;

        static Query of(String team, String from, String to, String by) {
            Query query = new Query();
            try {
                query.to = to == null || to.isBlank() ? System.currentTimeMillis() : instant(to, "to");
                query.from = from == null || from.isBlank() ? query.to - DEFAULT_SPAN.toMillis() : instant(from, "from");
                if (query.from >= query.to) {
                    throw new Bad("from must be before to", "from");
                }
                if (by != null && !by.isBlank()) {
                    try {
                        query.by = UsageReport.By.parse(by);
                    } catch (IllegalArgumentException e) {
                        throw new Bad(e.getMessage(), "by");
                    }
                }
                if (team != null && !team.isBlank()) {
                    if (!team.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,62}")) {
                        throw new Bad("team must be a team name (letters, digits, . _ @ -, at most 63), was '"
                                + (team.length() > 70 ? team.substring(0, 70) + "..." : team) + "'", "team");
                    }
                    query.team = Optional.of(team);
                }
            } catch (Bad bad) {
                query.error = ApiErrors.response(400, bad.getMessage(), bad.field);
            }
            return query;
        }

        UsageReport report(CatalogSnapshot snapshot, UsagePrices prices) {
            return new UsageReport(by, service -> teamOf(snapshot, service), team, prices);
        }

        List<UsageRecord> records(UsageRecords records, CatalogSnapshot snapshot) throws Exception {
            return records.hoursBetween(snapshot.groups(), from, to);
        }

        private static long instant(String text, String field) throws Bad {
            String value = text.strip();
            try {
                return value.matches("\\d{1,15}") ? Long.parseLong(value) : Instant.parse(value).toEpochMilli();
            } catch (DateTimeParseException | NumberFormatException e) {
                throw new Bad(field + " must be an ISO-8601 instant (2026-01-31T00:00:00Z) or epoch milliseconds, was '"
                        + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'", field);
            }
        }
    }

    /** The team a service is billed to: its first owner; a service no longer in the catalog has none. */
    static String teamOf(CatalogSnapshot snapshot, String service) {
        ServiceRecord record = snapshot.services().get(service);
        if (record == null || record.definition().owners().isEmpty()) {
            return NO_TEAM;
        }
        return record.definition().owners().get(0);
    }

    private static final class Bad extends Exception {
        final String field;

        Bad(String message, String field) {
            super(message);
            this.field = field;
        }
    }
}
