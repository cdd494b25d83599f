package io.lbmanager.cli.lbm;

/** No HTTP answer from the manager: refused connection, unknown host, untrusted certificate, timeout. */
final class ManagerUnreachableException extends RuntimeException {

    ManagerUnreachableException(String message) {
        super(message);
    }
}
