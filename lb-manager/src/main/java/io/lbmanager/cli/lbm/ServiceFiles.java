package io.lbmanager.cli.lbm;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.lbmanager.api.RequestBodies;
import io.lbmanager.api.ServiceRequest;
import io.lbmanager.cli.ValidateCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A service file, as the offline {@code validate} command reads it: the body of
 * {@code PUT /api/v1/services/{id}} plus {@code "id"} and optional static {@code "upstreams"},
 * parsed with the API's strict rules (no unknown fields, no coercion).
 */
final class ServiceFiles {

    private ServiceFiles() {
    }

    static ValidateCommand.ServiceFile read(Path file) {
        ValidateCommand.ServiceFile parsed;
        try {
            parsed = RequestBodies.parseStrictly(Files.readAllBytes(file), ValidateCommand.ServiceFile.class);
        } catch (JsonProcessingException e) {
            throw new UsageException(file + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UsageException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (parsed == null) {
            throw new UsageException(file + ": must hold a JSON object");
        }
        if (parsed.id() == null || parsed.id().isBlank()) {
            throw new UsageException(file + ": field id: give the service's id");
        }
        return parsed;
    }

    static ServiceRequest request(ValidateCommand.ServiceFile file) {
        return new ServiceRequest(file.owners(), file.basePath(), file.groups(), file.options(), file.discoveryName());
    }
}
