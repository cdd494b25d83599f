package io.lbmanager.agent;

import net.sourceforge.argparse4j.inf.Namespace;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentOptionsTest {

    private static Namespace flags(Map<String, Object> values) {
        return new Namespace(new HashMap<>(values));
    }

    @Test
    void mesosTaskEnvironmentIsEnoughToRun() {
        AgentSettings settings = AgentOptions.resolve(flags(Map.of()), Map.of(
                "LBM_ZK", "zk1:2181", "LBM_GROUP", "edge", "TASK_ID", "edge-task-1", "TASK_HOST", "10.0.0.5",
                "PORT0", "31000", "PORT1", "31001"));

        assertThat(settings).isEqualTo(new AgentSettings("zk1:2181", "/lb-manager", "edge", "edge-task-1", "10.0.0.5",
                31000, 31001, "nginx", Path.of("/var/lib/lb-manager")));
    }

    @Test
    void flagsWinOverEnvironmentAndLbmVariablesOverMesosOnes() {
        AgentSettings settings = AgentOptions.resolve(
                flags(Map.of("group", "internal", "trafficPort", "8080")),
                Map.of("LBM_ZK", "zk:2181", "LBM_GROUP", "edge", "LBM_AGENT_ID", "mine", "TASK_ID", "mesos",
                        "LBM_HOST", "127.0.0.1", "TASK_HOST", "10.0.0.5", "PORT0", "31000", "PORT1", "31001"));

        assertThat(settings.group()).isEqualTo("internal");
        assertThat(settings.trafficPort()).isEqualTo(8080);
        assertThat(settings.agentId()).isEqualTo("mine");
        assertThat(settings.host()).isEqualTo("127.0.0.1");
    }

    @Test
    void theZoneIsLbmZoneElseSingularitysRackMadeAZoneNameElseNone() {
        Map<String, String> task = Map.of("LBM_ZK", "zk:2181", "LBM_GROUP", "edge", "PORT0", "31000", "PORT1", "31001");
        Map<String, String> onRack = new HashMap<>(task);
        onRack.put("TASK_RACK_ID", "US_EAST_1a");

        assertThat(AgentOptions.resolve(flags(Map.of()), task).zone()).isNull();
        assertThat(AgentOptions.resolve(flags(Map.of()), onRack).zone()).isEqualTo("us-east-1a");
        onRack.put("LBM_ZONE", "west");
        assertThat(AgentOptions.resolve(flags(Map.of()), onRack).zone()).isEqualTo("west");
        onRack.remove("LBM_ZONE");
        onRack.put("TASK_RACK_ID", "rack 7; evil");
        assertThat(AgentOptions.resolve(flags(Map.of()), onRack).zone()).as("a rack that makes no zone name is no zone").isNull();
        Map<String, String> badZone = new HashMap<>(task);
        badZone.put("LBM_ZONE", "East Coast");
        assertThatThrownBy(() -> AgentOptions.resolve(flags(Map.of()), badZone)).hasMessageContaining("zone must be 1 to 32 of a-z, 0-9 and -");
    }

    @Test
    void agentIdDefaultsToHostNameAndTrafficPort() {
        AgentSettings settings = AgentOptions.resolve(flags(Map.of()),
                Map.of("LBM_ZK", "zk:2181", "LBM_GROUP", "edge", "PORT0", "31000", "PORT1", "31001"));

        assertThat(settings.agentId()).endsWith("-31000");
    }

    @Test
    void missingOptionIsNamedWithItsVariable() {
        assertThatThrownBy(() -> AgentOptions.resolve(flags(Map.of()), Map.of("LBM_ZK", "zk:2181", "PORT0", "1", "PORT1", "2")))
                .hasMessage("--group is required (or env LBM_GROUP)");
        assertThatThrownBy(() -> AgentOptions.resolve(flags(Map.of()), Map.of("LBM_ZK", "zk:2181", "LBM_GROUP", "g",
                "PORT0", "http", "PORT1", "2")))
                .hasMessage("--traffic-port must be a port number, was 'http'");
    }

    @Test
    void maxOldGenerationsDefaultsToTwoAndTakesANumberOrOff() {
        Map<String, String> env = Map.of("LBM_ZK", "zk:2181", "LBM_GROUP", "g", "PORT0", "1", "PORT1", "2");
        assertThat(AgentOptions.resolve(flags(Map.of()), env).maxOldGenerations()).isEqualTo(OldGenerationBound.of(2));
        assertThat(AgentOptions.resolve(flags(Map.of("maxOldGenerations", "off")), env).maxOldGenerations())
                .isEqualTo(OldGenerationBound.OFF);
        Map<String, String> withEnv = new HashMap<>(env);
        withEnv.put("LBM_MAX_OLD_GENERATIONS", "5");
        assertThat(AgentOptions.resolve(flags(Map.of()), withEnv).maxOldGenerations()).isEqualTo(OldGenerationBound.of(5));
        assertThatThrownBy(() -> AgentOptions.resolve(flags(Map.of("maxOldGenerations", "0")), env))
                .hasMessage("--max-old-generations (or env LBM_MAX_OLD_GENERATIONS) must be 1..64 or off, was '0'");
        assertThatThrownBy(() -> AgentOptions.resolve(flags(Map.of("maxOldGenerations", "two")), env))
                .hasMessage("--max-old-generations (or env LBM_MAX_OLD_GENERATIONS) must be 1..64 or off, was 'two'");
    }

    @Test
    void hostThatCouldInjectNginxDirectivesIsRefused() {
        assertThatThrownBy(() -> AgentOptions.resolve(flags(Map.of()), Map.of("LBM_ZK", "zk:2181", "LBM_GROUP", "g",
                "LBM_HOST", "1.2.3.4; include /etc/passwd", "PORT0", "1", "PORT1", "2")))
                .hasMessageContaining("host must be an IP address or host name");
    }

    @Test
    void credentialsAndTheSigningKeyComeFromTheEnvironmentOrAKeyFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.security.KeyPair keys = io.lbmanager.signing.SigningKeys.generate();
        String base64 = io.lbmanager.signing.SigningKeys.publicKeyBase64(keys.getPublic());
        AgentSettings fromEnv = AgentOptions.resolve(flags(Map.of()), Map.of("LBM_ZK", "zk:2181", "LBM_GROUP", "g", "PORT0", "1",
                "PORT1", "2", "LBM_ZK_AUTH", "lbm-agent:s3cret:with-colon", "LBM_SIGNING_PUBLIC_KEY", base64));
        assertThat(fromEnv.zkAuth()).isEqualTo("lbm-agent:s3cret:with-colon");
        assertThat(fromEnv.signingPublicKey()).isEqualTo(base64);
        assertThat(fromEnv.toString()).doesNotContain("s3cret");

        java.nio.file.Path pem = dir.resolve("lbm-signing.pub");
        java.nio.file.Files.writeString(pem, io.lbmanager.signing.SigningKeys.publicKeyPem(keys.getPublic()));
        AgentSettings fromFile = AgentOptions.resolve(flags(Map.of()), Map.of("LBM_ZK", "zk:2181", "LBM_GROUP", "g", "PORT0", "1",
                "PORT1", "2", "LBM_SIGNING_PUBLIC_KEY_FILE", pem.toString()));
        assertThat(fromFile.signingPublicKey()).contains("BEGIN PUBLIC KEY");
        assertThat(fromFile.zkAuth()).isNull();

        assertThatThrownBy(() -> AgentOptions.resolve(flags(Map.of()), Map.of("LBM_ZK", "zk:2181", "LBM_GROUP", "g", "PORT0", "1",
                "PORT1", "2", "LBM_SIGNING_PUBLIC_KEY", "bm90IGEga2V5"))).hasMessageContaining("not an Ed25519 public key");
        assertThatThrownBy(() -> AgentOptions.resolve(flags(Map.of()), Map.of("LBM_ZK", "zk:2181", "LBM_GROUP", "g", "PORT0", "1",
                "PORT1", "2", "LBM_ZK_AUTH", "no-password"))).hasMessageContaining("LBM_ZK_AUTH must be user:password");
    }
}
