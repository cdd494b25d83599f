package io.lbmanager.errors;

/** ZooKeeper could not be reached or answered with an error the catalog cannot act on. */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
