package io.lbmanager.render;

import io.lbmanager.contract.ConfigBundle;
/** What rendering one LB group produced. */
public sealed interface RenderOutcome {

    record Rendered(ConfigBundle bundle) implements RenderOutcome {
    }

    /**
     * A template could not be parsed or evaluated (e.g. a missing variable).
     *
     * @param line      1-based line in {@code template}, when FreeMarker knows it
     * @param serviceId the service being rendered, {@code null} for the group-wide {@code nginx.conf.ftl}
     */
    record TemplateFailed(String template, Integer line, String serviceId, String message) implements RenderOutcome {
    }

    /**
     * A service's stored value does not have a shape the renderer lets into an Nginx file (it
     * should have been refused at the REST door). Nothing was rendered; quarantine the service.
     *
     * @param field the offending field, e.g. {@code basePath}, {@code upstreams[2].host}, {@code options.maxFails}
     */
    record InputRejected(String serviceId, String field, String message) implements RenderOutcome {
    }
}
