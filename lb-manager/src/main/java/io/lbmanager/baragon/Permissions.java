package io.lbmanager.baragon;

import io.lbmanager.catalog.ServiceDefinition;

import java.util.Optional;

/** What the caller's token may do to services (the API's ownership rules); each answers a refusal reason, or empty when allowed. */
public interface Permissions {

    /** The team added to the owners of every service the caller writes; empty for an admin token. */
    Optional<String> team();

    Optional<String> refusePut(ServiceDefinition proposed);

    Optional<String> refuseChange(String serviceId);
}
