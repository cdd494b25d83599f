package io.lbmanager.discovery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.catalog.UpstreamValidator;
import io.lbmanager.errors.InvalidInputException;
import io.lbmanager.snapshot.DiscoveredInstance;

import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads a Curator x-discovery instance node as a JSON tree. The registrant's payload (with its
 * {@code @class}) is never deserialized (only its optional {@code weight} and top-level string fields are read), so an unknown payload class cannot make an instance vanish.
 * Every field that reaches the Nginx config is checked here.
 */
public final class InstanceParser {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final int MAX_PAYLOAD_FIELDS = 16;
    static final int MAX_PAYLOAD_VALUE = 64;

    private InstanceParser() {
    }

    /** The parsed instance, or a {@link MalformedInstanceException} that says what is wrong with which node. */
    public static DiscoveredInstance parse(String serviceName, String path, byte[] data) {
        JsonNode root;
        try {
            root = MAPPER.readTree(data == null ? new byte[0] : data);
        } catch (JsonProcessingException e) {
            throw new MalformedInstanceException(path, "not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new MalformedInstanceException(path, "unreadable (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedInstanceException(path, "not a JSON object");
        }
        String name = text(root, "name", path);
        if (!name.equals(serviceName)) {
            throw new MalformedInstanceException(path, "name \"" + abbreviate(name) + "\" does not match its parent node " + serviceName);
        }
        String id = text(root, "id", path);
        String address = text(root, "address", path);
        try {
            UpstreamValidator.host("address", address);
        } catch (InvalidInputException e) {
            throw new MalformedInstanceException(path, "address \"" + abbreviate(address) + "\": " + e.getMessage());
        }
        JsonNode port = root.get("port");
        if (port == null || port.isNull()) {
            throw new MalformedInstanceException(path, "no port (instances with only an sslPort are not routed)");
        }
        if (!port.isInt() || port.intValue() < 1 || port.intValue() > 65535) {
            throw new MalformedInstanceException(path, "port " + abbreviate(port.toString()) + " is not an integer in 1..65535");
        }
        JsonNode enabled = root.get("enabled");
        if (enabled != null && !enabled.isNull() && !enabled.isBoolean()) {
            throw new MalformedInstanceException(path, "enabled is not a boolean");
        }
        return new DiscoveredInstance(name, id, address, port.intValue(), enabled == null || enabled.isNull() || enabled.booleanValue(),
                weight(root.get("payload"), path), stringFields(root.get("payload")));
    }

    /**
     * The payload's first {@value #MAX_PAYLOAD_FIELDS} top-level string fields but Jackson's {@code @class}, unchecked (a zone rule checks the one it
     * reads), each value cut at {@value #MAX_PAYLOAD_VALUE} characters so a huge one is kept only as long as it takes to refuse it.
     */
    private static Map<String, String> stringFields(JsonNode payload) {
        if (payload == null || !payload.isObject()) {
            return Map.of();
        }
        Map<String, String> fields = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = payload.fields(); it.hasNext() && fields.size() < MAX_PAYLOAD_FIELDS; ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().isTextual() && field.getKey().length() <= MAX_PAYLOAD_VALUE && !field.getKey().startsWith("@")) {
                String value = field.getValue().textValue();
                fields.put(field.getKey(), value.length() <= MAX_PAYLOAD_VALUE ? value : value.substring(0, MAX_PAYLOAD_VALUE));
            }
        }
        return fields;
    }

    /** {@code payload.weight} when the payload is an object that has one, else 1. */
    private static int weight(JsonNode payload, String path) {
        JsonNode weight = payload == null || !payload.isObject() ? null : payload.get("weight");
        if (weight == null || weight.isNull()) {
            return 1;
        }
        if (!weight.isInt() || weight.intValue() < 1 || weight.intValue() > Upstream.MAX_WEIGHT) {
            throw new MalformedInstanceException(path, "payload.weight " + abbreviate(weight.toString())
                    + " is not an integer in 1.." + Upstream.MAX_WEIGHT);
        }
        return weight.intValue();
    }

    private static String text(JsonNode root, String field, String path) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual() || node.textValue().isEmpty()) {
            throw new MalformedInstanceException(path, "missing or non-string field \"" + field + "\"");
        }
        return node.textValue();
    }

    private static String abbreviate(String value) {
        return value.length() <= 60 ? value : value.substring(0, 60) + "...";
    }
}
