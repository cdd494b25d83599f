package io.lbmanager.cli.lbm;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code lbm}: lb-manager's command line for service teams (services, validation) and operators
 * (groups, the Nginx fleet, tokens), over the REST API. Run by the repository's {@code lbm}
 * launcher as {@code java -cp lb-manager.jar io.lbmanager.cli.lbm.Lbm ...}; needs nothing of
 * Dropwizard at run time.
 */
@Command(name = "lbm", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, versionProvider = Lbm.Version.class, usageHelpAutoWidth = true,
        description = "Operate lb-manager through its REST API: services, LB groups, the Nginx fleet, tokens.",
        subcommands = {ServicesCommand.class, GroupsCommand.class,
                FleetCommands.Status.class, FleetCommands.Upgrade.class, FleetCommands.Watch.class, FleetCommands.Pause.class,
                FleetCommands.Resume.class, FleetCommands.Cancel.class, FleetCommands.Rollback.class, FleetCommands.Scale.class,
                FleetCommands.Block.class, FleetCommands.Unblock.class, FleetCommands.History.class,
                TokensCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%n",
        footer = {"Server: -s or LBM_URL (default http://127.0.0.1:8080); https:// is checked against the JDK's CAs or the PEM "
                + "file given by -c or LBM_CACERT. Token: -t, or LBM_TOKEN, or LBM_ADMIN_TOKEN, sent as Authorization: Bearer.",
                "Exit status: 0 success (an upgrade followed to SUCCEEDED, a valid change); 1 the API refused (its code, message "
                        + "and field are printed), the manager cannot be reached, a followed upgrade did not succeed, or Nginx "
                        + "rejected a validated change; 2 usage error (unknown command or option, unreadable file)."})
public final class Lbm implements Callable<Integer> {

    /** {@code --output}: text for people, or the API's JSON answer for scripts. */
    enum Format { text, json }

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    @Option(names = {"-s", "--server"}, scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "the manager's URL (default: LBM_URL, else http://127.0.0.1:8080)")
    String server;

    @Option(names = {"-t", "--token"}, scope = ScopeType.INHERIT, paramLabel = "TOKEN",
            description = "API token (default: LBM_TOKEN, else LBM_ADMIN_TOKEN)")
    String token;

    @Option(names = {"-c", "--cacert"}, scope = ScopeType.INHERIT, paramLabel = "CAFILE",
            description = "PEM file of the CA an https manager's certificate is checked against (default: LBM_CACERT)")
    Path caFile;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT",
            description = "text (default) or json: the API's answer as one JSON document on stdout")
    Format output = Format.text;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean terminal;
    private ApiClient api;

    private Lbm(Map<String, String> env, PrintWriter out, PrintWriter err, boolean terminal) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, System.getenv(), out, err, System.console() != null));
    }

    /**
     * Runs one command line and returns its exit status.
     *
     * @param env      where LBM_URL, LBM_TOKEN, LBM_CACERT and LBM_POLL_SECONDS are read
     * @param terminal whether {@code out} is a terminal (progress is redrawn in place) or a file or pipe (one line per change)
     */
    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err, boolean terminal) {
        Lbm lbm = new Lbm(env, out, err, terminal);
        CommandLine commandLine = commandLine(lbm);
        commandLine.setOut(out).setErr(err);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> lbm.failure(e));
        int status = commandLine.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    static CommandLine commandLine(Lbm lbm) {
        return new CommandLine(lbm).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** {@code lbm} alone: the usage, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(err);
        return USAGE;
    }

    ApiClient api() {
        if (api == null) {
            String url = firstOf(server, env.get("LBM_URL"), "http://127.0.0.1:8080");
            String ca = firstOf(caFile == null ? null : caFile.toString(), env.get("LBM_CACERT"), null);
            api = new ApiClient(url, firstOf(token, env.get("LBM_TOKEN"), env.get("LBM_ADMIN_TOKEN")), ca == null ? null : Path.of(ca));
        }
        return api;
    }

    Console console() {
        return new Console(out, err, output == Format.json, terminal);
    }

    /** Seconds between two polls of an upgrade being followed: LBM_POLL_SECONDS, default 1. */
    double pollSeconds() {
        String value = env.get("LBM_POLL_SECONDS");
        try {
            return value == null || value.isBlank() ? 1.0 : Math.max(0.05, Double.parseDouble(value));
        } catch (NumberFormatException e) {
            throw new UsageException("LBM_POLL_SECONDS must be a number of seconds, got " + value);
        }
    }

    private int failure(Exception e) {
        Console console = console();
        if (e instanceof ApiRefusedException refused) {
            if (refused.status() == 401 && !api().hasToken()) {
                console.complain("the manager wants a token: set LBM_TOKEN or pass -t TOKEN");
            }
            console.complain(refused.describe());
            if (console.json() && refused.body() != null) {
                console.json(refused.body());
            }
            return FAILED;
        }
        if (e instanceof ManagerUnreachableException) {
            console.complain(e.getMessage());
            return FAILED;
        }
        if (e instanceof UsageException) {
            console.complain(e.getMessage());
            return USAGE;
        }
        console.complain("unexpected error: " + e);
        return FAILED;
    }

    private static String firstOf(String a, String b, String fallback) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        return b != null && !b.isBlank() ? b : fallback;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Lbm.class.getPackage().getImplementationVersion();
            return new String[] {"lbm (lb-manager) " + (version == null ? "development build" : version)};
        }
    }
}
