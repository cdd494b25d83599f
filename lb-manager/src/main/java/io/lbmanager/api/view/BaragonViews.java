package io.lbmanager.api.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lbmanager.baragon.LbRequestRecord;
import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;

import java.util.List;
import java.util.Map;

/** Baragon's wire shapes (HubSpot BaragonCore 0.9.0 field names), as Singularity reads them. */
public final class BaragonViews {

    private BaragonViews() {
    }

    /** Baragon's BaragonResponse: {@code loadBalancerState} is WAITING, SUCCESS, FAILED, CANCELING, CANCELED, ... */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Response(String loadBalancerRequestId, String loadBalancerState, String message) {

        public static Response of(LbRequestRecord request) {
            return new Response(request.id(), request.state().name(), request.message());
        }
    }

    /** Baragon's BaragonServiceState: the service and its upstreams. */
    public record ServiceState(Service service, List<UpstreamInfo> upstreams) {

        public static ServiceState of(ServiceRecord record) {
            ServiceDefinition d = record.definition();
            return new ServiceState(new Service(d.id(), d.owners(), d.basePath(), List.of(), d.groups(), d.options(), List.of(), List.of(), false),
                    record.staticUpstreams().stream().map(UpstreamInfo::of).toList());
        }
    }

    public record Service(String serviceId, List<String> owners, String serviceBasePath, List<String> additionalPaths,
                          List<String> loadBalancerGroups, Map<String, Object> options, List<String> domains, List<String> edgeCacheDomains,
                          boolean preResolveUpstreamDNS) {
    }

    public record UpstreamInfo(String upstream, String group) {

        static UpstreamInfo of(Upstream upstream) {
            return new UpstreamInfo(upstream.address(), "default");
        }
    }
}
