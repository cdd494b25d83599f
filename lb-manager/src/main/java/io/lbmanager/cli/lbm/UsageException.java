package io.lbmanager.cli.lbm;

/** The command line or a file it names is wrong: lbm says what and exits 2, before any call changes anything. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }
}
