package io.lbmanager.catalog;

/** A service, group or upstream the request names does not exist. */
public class NotInCatalogException extends RuntimeException {

    private final String field;

    public NotInCatalogException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
