package io.lbmanager.hibernation;

/** What runs a service's instances, as far as hibernation needs it: scale to zero, and back. */
public interface Scheduler {

    /**
     * Stops every instance of {@code handle}.
     *
     * @return how many instances ran: what {@link #scaleUp} asks for again
     */
    int scaleToZero(String handle) throws Exception;

    /** Runs {@code instances} instances of {@code handle} again (at least one). */
    void scaleUp(String handle, int instances) throws Exception;
}
