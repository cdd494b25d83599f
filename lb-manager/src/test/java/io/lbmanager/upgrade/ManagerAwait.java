package io.lbmanager.upgrade;

import io.lbmanager.testsupport.ManagerUnderTest;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polling with a description, for the upgrade ITs. */
final class ManagerAwait {

    private ManagerAwait() {
    }

    static void until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        ManagerUnderTest.await(what, timeout, condition);
    }
}
