package io.lbmanager.catalog;

/** ZooKeeper could not be reached or answered with an error the catalog cannot act on. */
public class CatalogUnavailableException extends RuntimeException {

    public CatalogUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
