package io.lbmanager.validate;

import java.util.List;

/** What {@code nginx -t} said about a bundle. */
public sealed interface ValidationResult {

    record Valid() implements ValidationResult {
    }

    record Invalid(List<ConfigError> errors) implements ValidationResult {
        public Invalid {
            errors = List.copyOf(errors);
        }
    }

    default boolean isValid() {
        return this instanceof Valid;
    }
}
