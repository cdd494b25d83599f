package io.lbmanager.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Scripts that stand in for the nginx binary of one host: the real nginx, except for one thing
 * they do differently on purpose, as a host with another Nginx build or a slow disk would.
 */
public final class NginxWrappers {

    private static final String FIND_TEST_AND_CONF = """
            #!/bin/sh
            test=0; conf=""; previous=""
            for arg in "$@"; do
              [ "$arg" = "-t" ] && test=1
              [ "$previous" = "-c" ] && conf="$arg"
              previous="$arg"
            done
            """;

    private NginxWrappers() {
    }

    /**
     * The rest of a script that runs the real nginx master as its child: {@code %s} is what it does
     * when asked to reload (SIGHUP); the stop signals pass through, and it exits as the master did.
     */
    private static final String SUPERVISED_MASTER = """
            /usr/sbin/nginx "$@" &
            master=$!
            trap '%s' HUP
            trap 'kill -TERM $master' TERM
            trap 'kill -QUIT $master' QUIT
            status=0
            while kill -0 $master 2>/dev/null; do
              wait $master
              status=$?
            done
            exit $status
            """;

    /**
     * Refuses any config whose directory contains {@code marker}: {@code nginx -t} fails, and a
     * master asked to reload onto such a config keeps the old one and says so on stderr, as Nginx
     * does with a config it cannot load (after the notice that starts a reload cycle).
     */
    public static Path refusing(Path dir, String marker) throws IOException {
        String onReload = "if refuses; then echo \"2026/01/01 00:00:00 [notice] $$#$$: reconfiguring\" >&2; "
                + "echo \"nginx: [emerg] this host refuses '\"'\"'%1$s'\"'\"' in $conf:1\" >&2; "
                + "else kill -HUP $master; fi";
        return write(dir.resolve("nginx-refusing-" + marker), FIND_TEST_AND_CONF + """
                refuses() { grep -rqs -- '%1$s' "$(dirname "$conf")/"; }
                if [ "$test" = 1 ]; then
                  if refuses; then
                    echo "nginx: [emerg] this host refuses '%1$s' in $conf:1" >&2
                    exit 1
                  fi
                  exec /usr/sbin/nginx "$@"
                fi
                """.formatted(marker) + SUPERVISED_MASTER.formatted(onReload.formatted(marker)));
    }

    /** {@code nginx -t} takes {@code seconds} longer than it would, and so does every reload (the signal reaches the master late). */
    public static Path slowToLoad(Path dir, int seconds) throws IOException {
        return write(dir.resolve("nginx-slow-" + seconds), FIND_TEST_AND_CONF + """
                if [ "$test" = 1 ]; then
                  sleep %d
                  exec /usr/sbin/nginx "$@"
                fi
                """.formatted(seconds) + SUPERVISED_MASTER.formatted("sleep " + seconds + "; kill -HUP $master"));
    }

    /**
     * {@code nginx -t} notes each run in {@link #runsLog} (the config's path and its {@code locations/}
     * files) and waits while {@link #holdFile} exists (at most 60 s): how a test keeps a check in
     * progress without guessing how long it takes.
     */
    public static Path heldWhileHoldFileExists(Path dir) throws IOException {
        return write(dir.resolve("nginx-held"), FIND_TEST_AND_CONF + """
                if [ "$test" = 1 ]; then
                  echo "$conf $(ls "$(dirname "$conf")/locations" 2>/dev/null | tr '\\n' ' ')" >> '%s'
                  i=0
                  while [ -e '%s' ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
                fi
                exec /usr/sbin/nginx "$@"
                """.formatted(runsLog(dir), holdFile(dir)));
    }

    /** Where {@link #heldWhileHoldFileExists} notes its runs, one line each. */
    public static Path runsLog(Path dir) {
        return dir.resolve("runs.log");
    }

    /** While this file exists, {@link #heldWhileHoldFileExists} does not go on. */
    public static Path holdFile(Path dir) {
        return dir.resolve("hold");
    }

    /** The real nginx, each invocation's arguments appended as one line to {@code calls}. */
    public static Path recordingCalls(Path dir, Path calls) throws IOException {
        return recordingCalls(dir, calls, 0);
    }

    /** The real nginx, each invocation recorded in {@code calls}, and {@code nginx -t} {@code seconds} slower than it would be. */
    public static Path recordingCalls(Path dir, Path calls, int seconds) throws IOException {
        return write(dir.resolve("nginx-recording-" + seconds), FIND_TEST_AND_CONF + """
                echo "$*" >> '%s'
                [ "$test" = 1 ] && sleep %d
                exec /usr/sbin/nginx "$@"
                """.formatted(calls, seconds));
    }

    private static Path write(Path script, String content) throws IOException {
        Files.writeString(script, content);
        script.toFile().setExecutable(true);
        return script;
    }
}
