package io.lbmanager.api.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lbmanager.validate.ConfigError;

import java.util.List;

/** A complaint about a rendered config, named by file, line and service where known. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConfigErrorView(String file, Integer line, String serviceId, String message) {

    public static ConfigErrorView of(ConfigError error) {
        return new ConfigErrorView(error.file(), error.line(), error.serviceId(), error.message());
    }

    public static List<ConfigErrorView> of(List<ConfigError> errors) {
        return errors.stream().map(ConfigErrorView::of).toList();
    }
}
