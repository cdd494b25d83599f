package io.lbmanager.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import io.lbmanager.api.RequestBodies;
import io.lbmanager.api.UpstreamRequest;
import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.ServiceValidator;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.errors.InvalidInputException;
import io.lbmanager.peers.LuaBalancerProbe;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.RenderOutcome;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.render.TemplateSetException;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.validate.ConfigError;
import io.lbmanager.validate.GroupCheck;
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.validate.ValidationScope;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code validate}: the offline check a team or CI runs without a manager: renders the given
 * service files with the templates and runs the real {@code nginx -t} on every group they name.
 * Exit status 0 when Nginx accepts every group, 1 when it rejects one, 2 when a file is invalid.
 */
public final class ValidateCommand extends Command {

    /** One service in a file: the REST API's service body plus its id and static upstreams. */
    public record ServiceFile(String id, List<String> owners, String basePath, List<String> groups,
                              Map<String, Object> options, String discoveryName, List<UpstreamRequest> upstreams) {
    }

    private static final int LUA_CHECK_DICT_MB = 1;
    private static final Duration LUA_CHECK_TIMEOUT = Duration.ofSeconds(10);

    public ValidateCommand() {
        super("validate", "Renders service files with the templates and checks the result with nginx -t");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("--templates").setDefault("templates").help("directory of the FreeMarker templates (default: templates)");
        subparser.addArgument("--nginx").setDefault("nginx").help("the nginx binary (default: nginx)");
        subparser.addArgument("--lua-modules").setDefault(UpstreamMode.DEBIAN_MODULES_DIR)
                .help("where ndk_http_module.so and ngx_http_lua_module.so are; with them, lua.conf.ftl is started once and "
                        + "groups are rendered with the Lua balancer, as the manager would (default: " + UpstreamMode.DEBIAN_MODULES_DIR + ")");
        subparser.addArgument("files").nargs("+").help("service files (JSON), as for PUT /api/v1/services/{id} plus \"id\" and \"upstreams\"");
    }

    @Override
    public void run(Bootstrap<?> bootstrap, Namespace namespace) {
        int status = validate(Path.of(namespace.getString("templates")), namespace.getString("nginx"), namespace.getString("lua_modules"),
                namespace.<String>getList("files").stream().map(Path::of).toList(), System.out, System.err);
        System.exit(status);
    }

    /** The whole check, returning the exit status; output goes to {@code out}, problems with input to {@code err}. */
    public static int validate(Path templatesDir, String nginx, String luaModulesDir, List<Path> files, PrintStream out, PrintStream err) {
        TemplateSet templates;
        CatalogSnapshot snapshot = CatalogSnapshot.EMPTY;
        TreeSet<String> groups = new TreeSet<>();
        try {
            templates = TemplateSet.load(templatesDir);
            for (Path file : files) {
                ServiceRecord service = readService(file);
                if (snapshot.services().containsKey(service.id())) {
                    throw new InvalidInputException("id", file + ": service " + service.id() + " is defined twice");
                }
                snapshot = snapshot.withService(service);
                groups.addAll(service.definition().groups());
            }
        } catch (TemplateSetException | InvalidInputException e) {
            err.println("invalid input: " + e.getMessage());
            return 2;
        }
        snapshot = new CatalogSnapshot(groups, snapshot.services(), new TreeMap<>());
        LuaCheck lua = LuaCheck.of(templates, nginx, luaModulesDir);
        out.println(lua.line());
        BundleRenderer renderer = new BundleRenderer(templates, lua.mode());
        NginxValidator validator = new NginxValidator(nginx, Duration.ofSeconds(30));
        boolean allValid = !lua.rejected();
        for (String group : groups) {
            List<String> problems = problemsOf(renderer.renderGroup(snapshot, group), validator);
            allValid &= problems.isEmpty();
            out.println("group " + group + ": " + (problems.isEmpty() ? "OK (nginx -t accepted it)" : "REJECTED"));
            problems.forEach(problem -> out.println("  " + problem));
        }
        return allValid ? 0 : 1;
    }

    /**
     * nginx -t does not run Lua: with the modules present, lua.conf.ftl is started once, and the
     * groups are rendered with the Lua balancer, as the manager renders them after the same check.
     */
    private record LuaCheck(UpstreamMode mode, boolean rejected, String line) {
        static LuaCheck of(TemplateSet templates, String nginx, String modulesDir) {
            if (!templates.templates().containsKey(TemplateSet.LUA)) {
                return new LuaCheck(UpstreamMode.RELOAD, false, "upstreams: reload (no " + TemplateSet.LUA + ")");
            }
            Optional<String> missing = LuaBalancerProbe.missingModule(modulesDir);
            if (missing.isPresent()) {
                return new LuaCheck(UpstreamMode.RELOAD, false,
                        "upstreams: reload; " + TemplateSet.LUA + " NOT CHECKED: " + missing.get());
            }
            UpstreamMode dynamic;
            try {
                dynamic = UpstreamMode.dynamic(modulesDir, LUA_CHECK_DICT_MB);
            } catch (IllegalArgumentException e) {
                return new LuaCheck(UpstreamMode.RELOAD, true, "--lua-modules: " + e.getMessage());
            }
            LuaBalancerProbe.Verdict verdict;
            try {
                verdict = LuaBalancerProbe.probe(nginx, modulesDir, new BundleRenderer(templates, dynamic).luaFile(), LUA_CHECK_TIMEOUT);
            } catch (TemplateSetException e) {
                verdict = new LuaBalancerProbe.Verdict(false, e.getMessage());
            }
            return verdict.available()
                    ? new LuaCheck(dynamic, false, "upstreams: dynamic; " + TemplateSet.LUA + ": OK (Nginx started with it and its balancer answered)")
                    : new LuaCheck(UpstreamMode.RELOAD, true, TemplateSet.LUA + ": REJECTED\n  " + verdict.reason());
        }
    }

    private static List<String> problemsOf(RenderOutcome outcome, NginxValidator validator) {
        return GroupCheck.check(outcome, bundle -> ValidationScope.everything(bundle, "offline check"),
                scope -> validator.validate(scope.sandbox())) instanceof GroupCheck.Verdict.Refused refused
                ? refused.errors().stream().map(ConfigError::describe).toList()
                : List.of();
    }

    private static ServiceRecord readService(Path file) {
        ServiceFile parsed;
        try {
            parsed = RequestBodies.parseStrictly(Files.readAllBytes(file), ServiceFile.class);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(null, file + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidInputException(null, file + ": cannot read (" + e.getMessage() + ")");
        }
        if (parsed == null) {
            throw new InvalidInputException(null, file + ": must hold a JSON object");
        }
        try {
            ServiceDefinition definition = ServiceValidator.wellFormedDefinition(parsed.id(), parsed.owners(), parsed.basePath(),
                    parsed.groups(), parsed.options(), parsed.discoveryName());
            List<Upstream> upstreams = parsed.upstreams() == null ? List.of()
                    : parsed.upstreams().stream().map(UpstreamRequest::upstream).toList();
            return new ServiceRecord(definition, upstreams, "validate", 0L);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(e.field(), file + ": field " + e.field() + ": " + e.getMessage());
        }
    }
}
