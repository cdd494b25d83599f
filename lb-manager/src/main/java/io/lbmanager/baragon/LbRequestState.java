package io.lbmanager.baragon;

/** The states of a load-balancer request, as Baragon names them and Singularity reads them. */
public enum LbRequestState {
    /** Accepted and written to the catalog; not yet live on every Nginx of its groups. */
    WAITING,
    /** Live: every Nginx of every group of the service serves it. */
    SUCCESS,
    /** Refused by validation, by Nginx, or not live within the confirmation timeout; the message says which. */
    FAILED,
    CANCELING,
    CANCELED,
    INVALID_REQUEST_NOOP,
    UNKNOWN;

    public boolean finished() {
        return this != WAITING && this != CANCELING && this != UNKNOWN;
    }
}
