package io.lbmanager.catalog;

import io.lbmanager.errors.InvalidInputException;
import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;

import java.util.ArrayList;
import java.util.List;

/**
 * Bytes of a service node to and from {@link ServiceRecord}. Reading applies the same rules as the
 * API, so a node edited by hand with bad values is refused here instead of reaching the config.
 */
public final class ServiceCodec {

    private ServiceCodec() {
    }

    public static byte[] encode(ServiceRecord record) {
        return Json.write(record);
    }

    /**
     * @param path the node's path; its last segment must equal the service id
     * @throws CorruptNodeException naming the node and the offending field
     */
    public static ServiceRecord parse(String path, byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new CorruptNodeException(path, "empty node");
        }
        ServiceRecord raw = Json.read(path, bytes, ServiceRecord.class);
        if (raw.definition() == null) {
            throw new CorruptNodeException(path, "field definition: is required");
        }
        String nodeName = path.substring(path.lastIndexOf('/') + 1);
        ServiceDefinition stored = raw.definition();
        try {
            ServiceDefinition definition = ServiceValidator.wellFormedDefinition(stored.id(), stored.owners(), stored.basePath(),
                    stored.groups(), stored.options(), stored.discoveryName());
            if (!definition.id().equals(nodeName)) {
                throw new InvalidInputException("id", "is " + definition.id() + " but the node is named " + nodeName);
            }
            List<Upstream> upstreams = new ArrayList<>();
            for (int i = 0; i < raw.staticUpstreams().size(); i++) {
                Upstream upstream = raw.staticUpstreams().get(i);
                String field = "staticUpstreams[" + i + "]";
                InputRules.requirePresent(field, upstream);
                upstreams.add(UpstreamValidator.upstream(field + ".host", upstream.host(), field + ".port", upstream.port()));
            }
            String updatedBy = InputRules.requireActor("updatedBy", raw.updatedBy());
            return new ServiceRecord(definition, upstreams, updatedBy, raw.updatedAtMillis());
        } catch (InvalidInputException e) {
            String field = e.field().equals("staticUpstreams") || e.field().startsWith("staticUpstreams[") || e.field().equals("updatedBy")
                    ? e.field() : "definition." + e.field();
            throw new CorruptNodeException(path, "field " + field + ": " + e.getMessage());
        }
    }
}
