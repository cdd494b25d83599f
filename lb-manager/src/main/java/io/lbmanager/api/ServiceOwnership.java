package io.lbmanager.api;

import io.lbmanager.auth.Caller;
import io.lbmanager.auth.Scope;
import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;
import jakarta.ws.rs.ForbiddenException;

import java.util.Optional;

/**
 * What a {@code service-owner} token may do to services: only those whose {@code owners} include its
 * team, never dropping its team from {@code owners}, never claiming a base path another team's service
 * holds. Admin tokens pass every check. Service-owner tokens also read, so a 403 here tells the caller
 * nothing it could not read anyway.
 */
public final class ServiceOwnership {

    private final CatalogStore catalog;

    public ServiceOwnership(CatalogStore catalog) {
        this.catalog = catalog;
    }

    /** A create or replace of {@code proposed} (also what validate checks for a service proposal). */
    public void checkPut(Caller caller, ServiceDefinition proposed) {
        if (caller.has(Scope.ADMIN)) {
            return;
        }
        Optional<ServiceRecord> existing = catalog.service(proposed.id());
        if (existing.isPresent()) {
            requireOwned(caller, existing.get());
        }
        if (!proposed.owners().contains(caller.team())) {
            throw new ForbiddenException("owners must include " + caller.team() + ": a service-owner token of team " + caller.team()
                    + (existing.isPresent() ? " cannot remove its own team from owners" : " creates only services its team owns"));
        }
        for (String group : proposed.groups()) {
            Optional<String> holder = catalog.basePathOwner(group, proposed.basePath()).filter(id -> !id.equals(proposed.id()));
            if (holder.isPresent()) {
                Optional<ServiceRecord> other = catalog.service(holder.get());
                if (other.isPresent() && !other.get().definition().owners().contains(caller.team())) {
                    throw new ForbiddenException("base path " + proposed.basePath() + " in group " + group
                            + " is held by a service of another team; team " + caller.team() + " cannot claim it");
                }
            }
        }
    }

    /** A delete of the service, or an upstream added to or removed from it. Unknown ids pass (the caller gets the usual 404). */
    public void checkChange(Caller caller, String serviceId) {
        if (caller.has(Scope.ADMIN)) {
            return;
        }
        catalog.service(serviceId).ifPresent(existing -> requireOwned(caller, existing));
    }

    private static void requireOwned(Caller caller, ServiceRecord service) {
        if (!service.definition().owners().contains(caller.team())) {
            throw new ForbiddenException("service " + service.id() + " is not owned by team " + caller.team()
                    + " (its owners do not include it); a service-owner token changes only its team's services");
        }
    }
}
