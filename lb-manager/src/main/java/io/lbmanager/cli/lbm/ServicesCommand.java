package io.lbmanager.cli.lbm;

import io.lbmanager.api.ServiceStatusResource;
import io.lbmanager.api.UpstreamRequest;
import io.lbmanager.api.ValidateResource;
import io.lbmanager.api.view.ConfigErrorView;
import io.lbmanager.api.view.ServiceView;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.catalog.UpstreamValidator;
import io.lbmanager.cli.ValidateCommand;
import io.lbmanager.errors.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** A team's services: {@code /api/v1/services} and the CI check {@code /api/v1/validate}. */
@Command(name = "services", description = "List, read, define, delete and validate services and their static upstreams.",
        subcommands = {ServicesCommand.ListServices.class, ServicesCommand.Get.class, ServicesCommand.Put.class, ServicesCommand.Delete.class,
                ServicesCommand.Upstreams.class, ServicesCommand.AddUpstream.class, ServicesCommand.RemoveUpstream.class,
                ServicesCommand.Validate.class})
final class ServicesCommand extends LbmCommand {

    private static final String TABLE = "%-30s %-30s %-24s %s";

    @Override
    public Integer call() {
        spec.commandLine().usage(console().err());
        return Lbm.USAGE;
    }

    static String path(String id) {
        return "/api/v1/services/" + encode(id);
    }

    @Command(name = "list", description = "Every service: id, base path, groups, owners.")
    static final class ListServices extends LbmCommand {
        @Override
        public Integer call() {
            return answer(api().get("/api/v1/services"), reply -> {
                ServiceView.Listing listing = reply.as(ServiceView.Listing.class);
                console().println(String.format(TABLE, "ID", "BASE PATH", "GROUPS", "OWNERS"));
                for (ServiceView service : listing.services()) {
                    ServiceView.Definition d = service.definition();
                    console().println(String.format(TABLE, d.id(), d.basePath(), String.join(",", d.groups()), String.join(",", d.owners())));
                }
                listing.malformed().forEach(m -> console().complain("unreadable catalog node " + m.path() + ": " + m.reason()));
            });
        }
    }

    @Command(name = "get", description = "One service's definition and static upstreams.")
    static final class Get extends LbmCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            return answer(api().get(path(id)), reply -> describe(console(), reply.as(ServiceView.class)));
        }
    }

    @Command(name = "put", description = {"Create or replace the service FILE defines, then add its static upstreams.",
            "FILE: the body of PUT /api/v1/services/{id} plus \"id\" and optional \"upstreams\": [{\"host\",\"port\"}]."})
    static final class Put extends LbmCommand {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() {
            ValidateCommand.ServiceFile service = ServiceFiles.read(file);
            ApiClient.Reply reply = api().call("PUT", path(service.id()), ServiceFiles.request(service));
            boolean created = reply.status() == 201;
            for (UpstreamRequest upstream : service.upstreams() == null ? List.<UpstreamRequest>of() : service.upstreams()) {
                reply = api().call("POST", path(service.id()) + "/upstreams", upstream);
            }
            return answer(reply, r -> {
                ServiceView view = r.as(ServiceView.class);
                console().println(String.format("service %s %s: base path %s in %s, %d static upstream(s)", service.id(),
                        created ? "created" : "updated", view.definition().basePath(), String.join(",", view.definition().groups()),
                        view.staticUpstreams().size()));
            });
        }
    }

    @Command(name = "delete", description = "Delete a service: it is no longer routed.")
    static final class Delete extends LbmCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            api().call("DELETE", path(id), null);
            if (console().json()) {
                console().json(java.util.Map.of("deleted", id));
            } else {
                console().println("service " + id + " deleted");
            }
            return Lbm.OK;
        }
    }

    @Command(name = "upstreams", description = "Where a service's traffic goes: its upstreams and its routing in each of its groups.")
    static final class Upstreams extends LbmCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            return answer(api().get(path(id) + "/status"), reply -> routing(reply.as(ServiceStatusResource.ServiceStatus.class)));
        }

        private void routing(ServiceStatusResource.ServiceStatus status) {
            console().println("service " + status.id());
            for (ServiceStatusResource.GroupRouting group : status.groups()) {
                console().println(String.format("  group %s  %s%s%s", group.group(), group.routing(),
                        group.targetVersion() == null ? "" : "  version " + group.targetVersion(),
                        group.heldReason() == null ? "" : ": " + group.heldReason()));
                for (ConfigErrorView error : group.errors() == null ? List.<ConfigErrorView>of() : group.errors()) {
                    console().println("    " + GroupsCommand.describe(error));
                }
                List<ServiceView.UpstreamView> upstreams = group.upstreams() == null ? List.of() : group.upstreams();
                if (upstreams.isEmpty()) {
                    console().println("    no upstreams: requests get 502");
                }
                for (ServiceView.UpstreamView upstream : upstreams) {
                    console().println(String.format("    %s  weight %d", hostPort(upstream.host(), upstream.port()), upstream.weight()));
                }
            }
        }
    }

    /** A change to one static upstream of a service; prints the service as it is afterwards. */
    abstract static class OnUpstream extends LbmCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;
        @Parameters(index = "1", paramLabel = "HOST:PORT", description = "host:port or [ipv6]:port")
        String hostPort;

        Upstream upstream() {
            try {
                return UpstreamValidator.parse("HOST:PORT", hostPort);
            } catch (InvalidInputException e) {
                throw new UsageException("HOST:PORT " + hostPort + ": " + e.getMessage());
            }
        }

        int printService(ApiClient.Reply reply, String done) {
            return answer(reply, r -> {
                console().println(done);
                describe(console(), r.as(ServiceView.class));
            });
        }
    }

    @Command(name = "add-upstream", description = "Add a static upstream (a backend outside discovery) to a service.")
    static final class AddUpstream extends OnUpstream {
        @Override
        public Integer call() {
            Upstream upstream = upstream();
            ApiClient.Reply reply = api().call("POST", path(id) + "/upstreams", new UpstreamRequest(upstream.host(), upstream.port()));
            return printService(reply, "upstream " + hostPort + " added to service " + id);
        }
    }

    @Command(name = "remove-upstream", description = "Remove a static upstream from a service.")
    static final class RemoveUpstream extends OnUpstream {
        @Override
        public Integer call() {
            Upstream upstream = upstream();
            ApiClient.Reply reply = api().call("DELETE", path(id) + "/upstreams/" + encode(hostPort(upstream.host(), upstream.port())), null);
            return printService(reply, "upstream " + hostPort + " removed from service " + id);
        }
    }

    @Command(name = "validate", description = {"Ask the manager what the service FILE defines would do, without changing anything:",
            "the rendered diff per group when Nginx accepts it, Nginx's errors when not (exit 1)."})
    static final class Validate extends LbmCommand {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() {
            ValidateCommand.ServiceFile service = ServiceFiles.read(file);
            ApiClient.Reply reply = api().exchange("POST", "/api/v1/validate",
                    new ValidateResource.ValidateRequest(service.id(), ServiceFiles.request(service), null));
            boolean verdicts = reply.body() != null && reply.body().has("groups");
            if (reply.status() >= 400 && !(reply.status() == 422 && verdicts)) {
                throw ApiClient.refusal(reply);
            }
            answer(reply, r -> r.as(ValidateResource.ValidateResponse.class).groups().forEach(this::print));
            return reply.status() == 200 ? Lbm.OK : Lbm.FAILED;
        }

        private void print(ValidateResource.GroupVerdict group) {
            ValidateResource.NginxTestScope checked = group.checked();
            console().println(String.format("group %s: %s%s", group.group(), group.valid() ? "OK (nginx -t accepted it)" : "REJECTED",
                    checked == null ? "" : String.format("; nginx -t saw %d of %d files (%s)", checked.files(), checked.bundleFiles(),
                            checked.reason())));
            for (ConfigErrorView error : group.errors() == null ? List.<ConfigErrorView>of() : group.errors()) {
                console().println("  " + GroupsCommand.describe(error));
            }
            if (group.diff() != null && !group.diff().isBlank()) {
                group.diff().lines().forEach(line -> console().println("  " + line));
            }
        }
    }

    static void describe(Console console, ServiceView service) {
        ServiceView.Definition d = service.definition();
        console.println("service " + d.id() + "  base path " + d.basePath() + "  groups " + String.join(",", d.groups()));
        console.println("  owners: " + String.join(", ", d.owners()));
        console.println("  discovery name: " + d.discoveryName());
        console.println("  options: " + (d.options() == null || d.options().isEmpty() ? "(defaults)" : d.options()));
        console.println("  static upstreams: " + (service.staticUpstreams().isEmpty() ? "none" : String.join(", ",
                service.staticUpstreams().stream().map(u -> hostPort(u.host(), u.port()) + " weight " + u.weight()).toList())));
        console.println("  updated by " + service.updatedBy() + " at " + FleetText.UTC_SECONDS.format(Instant.ofEpochMilli(service.updatedAtMillis()))
                + " UTC");
    }

    static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
