package io.lbmanager.catalog;

/** What {@link CatalogStore#putService} did. */
public sealed interface ServicePut {

    ServiceRecord record();

    record Created(ServiceRecord record) implements ServicePut {
    }

    record Updated(ServiceRecord record) implements ServicePut {
    }
}
