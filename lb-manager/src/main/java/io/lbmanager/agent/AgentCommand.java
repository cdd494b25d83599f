package io.lbmanager.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code lb-manager agent}: runs next to (and starts) one Nginx of an LB group. Every option has an
 * environment fallback, so a Singularity/Mesos task or a Docker container needs no arguments.
 */
public class AgentCommand extends Command {

    public AgentCommand() {
        super("agent", "Run the config agent that starts, reloads and reports one Nginx of an LB group");
    }

    @Override
    public void configure(Subparser subparser) {
        AgentOptions.addTo(subparser);
    }

    @Override
    public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
        configureLogging(bootstrap);
        AgentSettings settings = AgentOptions.resolve(namespace, System.getenv());
        ConfigAgent agent = new ConfigAgent(settings, ConfigAgent.zooKeeperClient(settings),
                ConfigAgent.CONFIRM_TIMEOUT);
        AgentHttpServer admin = new AgentHttpServer(settings.host(), settings.adminPort(), agent);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            admin.close();
            agent.close();
            stopped.countDown();
        }, "agent-shutdown"));
        admin.start();
        agent.start();
        stopped.await();
    }

    /** A bad or missing option is a message naming it, not a stack trace. */
    @Override
    public void onError(Cli cli, Namespace namespace, Throwable e) {
        if (e instanceof IllegalArgumentException) {
            cli.getStdErr().println("agent: " + e.getMessage());
        } else {
            super.onError(cli, namespace, e);
        }
    }

    private static void configureLogging(Bootstrap<?> bootstrap) {
        DefaultLoggingFactory logging = new DefaultLoggingFactory();
        logging.setLevel("INFO");
        Map<String, JsonNode> quiet = Map.of(
                "org.apache.zookeeper", TextNode.valueOf("WARN"),
                "org.apache.zookeeper.ClientCnxn", TextNode.valueOf("ERROR"), // a stack trace per reconnect attempt
                "org.apache.curator", TextNode.valueOf("WARN"));
        logging.setLoggers(quiet);
        logging.configure(bootstrap.getMetricRegistry(), "lb-manager-agent");
    }
}
