package io.lbmanager.cli.lbm;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What lbm does before and without any answer from a manager: usage errors (2), an unreachable manager (1), help, completion. */
class LbmUsageTest {

    private record Run(int exit, String out, String err) {
    }

    @Test
    void usageErrorsExitTwoAndSayWhat() {
        Run alone = lbm(Map.of());
        Run unknown = lbm(Map.of(), "frobnicate");
        Run noGroup = lbm(Map.of(), "status");
        Run badFormat = lbm(Map.of(), "-o", "yaml", "status", "edge");
        Run noCaFile = lbm(Map.of("LBM_CACERT", "/nonexistent/ca.pem"), "status", "edge");

        assertThat(alone.exit()).isEqualTo(2);
        assertThat(alone.err()).contains("Usage: lbm", "services", "groups", "tokens", "upgrade");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("frobnicate");
        assertThat(noGroup.exit()).isEqualTo(2);
        assertThat(noGroup.err()).contains("GROUP");
        assertThat(badFormat.exit()).isEqualTo(2);
        assertThat(badFormat.err()).contains("yaml");
        assertThat(noCaFile.exit()).isEqualTo(2);
        assertThat(noCaFile.err()).isEqualTo("lbm: cannot read CA file /nonexistent/ca.pem\n");
    }

    @Test
    void anUnreachableManagerExitsOneWithoutATraceback() {
        Run run = lbm(Map.of("LBM_URL", "http://127.0.0.1:1"), "services", "list");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("lbm: cannot reach http://127.0.0.1:1: connection refused\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void helpDocumentsTheExitStatusAndEveryCommandHasHelp() {
        Run help = lbm(Map.of(), "--help");
        Run servicesHelp = lbm(Map.of(), "services", "put", "--help");

        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Exit status: 0", "1", "2 usage error", "LBM_URL", "LBM_TOKEN");
        assertThat(servicesHelp.exit()).isZero();
        assertThat(servicesHelp.out()).contains("Usage: lbm services put", "FILE", "\"upstreams\"");
    }

    @Test
    void completionPrintsABashScriptForEveryCommand() {
        Run bash = lbm(Map.of(), "completion", "bash");
        Run fish = lbm(Map.of(), "completion", "fish");

        assertThat(bash.exit()).isZero();
        assertThat(bash.out()).startsWith("#!/usr/bin/env bash").contains("complete -F", "add-upstream", "rollback", "unpin", "rotate",
                "--output");
        assertThat(fish.exit()).isEqualTo(2);
        assertThat(fish.err()).contains("fish");
    }

    private static Run lbm(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Lbm.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true), false);
        return new Run(exit, out.toString(), err.toString());
    }
}
