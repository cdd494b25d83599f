package io.lbmanager.api.view;

import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceListing;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;

import java.util.List;
import java.util.Map;

/** A service as the API shows it: its definition, the upstreams added through the API, and who changed it last. */
public record ServiceView(Definition definition, List<UpstreamView> staticUpstreams, String updatedBy, long updatedAtMillis) {

    public record Definition(String id, List<String> owners, String basePath, List<String> groups, Map<String, Object> options,
                             String discoveryName) {
        public static Definition of(ServiceDefinition definition) {
            return new Definition(definition.id(), definition.owners(), definition.basePath(), definition.groups(), definition.options(),
                    definition.discoveryName());
        }
    }

    public record UpstreamView(String host, int port, int weight) {
        public static UpstreamView of(Upstream upstream) {
            return new UpstreamView(upstream.host(), upstream.port(), upstream.weight());
        }

        public static List<UpstreamView> of(List<Upstream> upstreams) {
            return upstreams.stream().map(UpstreamView::of).toList();
        }
    }

    /** Every service, and the catalog nodes that could not be read. */
    public record Listing(List<ServiceView> services, List<MalformedNode> malformed) {
        public static Listing of(ServiceListing listing) {
            return new Listing(listing.services().stream().map(ServiceView::of).toList(),
                    listing.malformed().stream().map(m -> new MalformedNode(m.path(), m.reason())).toList());
        }
    }

    public record MalformedNode(String path, String reason) {
    }

    public static ServiceView of(ServiceRecord service) {
        return new ServiceView(Definition.of(service.definition()), UpstreamView.of(service.staticUpstreams()), service.updatedBy(),
                service.updatedAtMillis());
    }
}
