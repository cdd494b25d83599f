package io.lbmanager.api;

import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceValidator;

import java.util.List;
import java.util.Map;

/** Body of {@code PUT /api/v1/services/{id}}. {@code discoveryName} defaults to the id. */
public record ServiceRequest(
        List<String> owners,
        String basePath,
        List<String> groups,
        Map<String, Object> options,
        String discoveryName) {

    /** The definition this request asks for, or an {@code InvalidInputException} naming the bad field. */
    public ServiceDefinition definition(String id, ServiceValidator validator) {
        return validator.definition(id, owners, basePath, groups, options, discoveryName);
    }
}
