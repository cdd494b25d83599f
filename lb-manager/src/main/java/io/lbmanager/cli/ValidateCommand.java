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
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.RenderOutcome;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.render.TemplateSetException;
import io.lbmanager.render.UpstreamMode;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.validate.ConfigError;
import io.lbmanager.validate.GroupCheck;
import io.lbmanager.validate.JailUnavailableException;
import io.lbmanager.validate.NginxJail;
import io.lbmanager.validate.NginxValidator;
import io.lbmanager.validate.RenderedConfigPolicy;
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
 * Exit status 0 when Nginx accepts every group, 1 when it rejects one, 2 when a file is invalid,
 * 3 when the jail cannot run. Service files are hostile, and so are the templates when {@code --installed-templates} names the
 * operator's own: every rendered group is held against {@link RenderedConfigPolicy} (with the
 * installed templates' rendering as the reference, and their Lua the only Lua started), and
 * {@code nginx -t} runs in the jail ({@code --jail}, bubblewrap by default).
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
        subparser.addArgument("--installed-templates").setDefault("")
                .help("the operator's installed templates: --templates are then a proposal, held against what these render "
                        + "(default: none, --templates are taken as the installed ones)");
        subparser.addArgument("--jail").choices("bwrap", "none").setDefault("bwrap")
                .help("where nginx -t runs: bwrap (bubblewrap: user nobody, no network, only its sandbox) or none (default: bwrap)");
        subparser.addArgument("--bwrap").setDefault("bwrap").help("the bubblewrap binary (default: bwrap)");
        subparser.addArgument("files").nargs("+").help("service files (JSON), as for PUT /api/v1/services/{id} plus \"id\" and \"upstreams\"");
    }

    @Override
    public void run(Bootstrap<?> bootstrap, Namespace namespace) {
        String installed = namespace.getString("installed_templates");
        Options options = new Options(Path.of(namespace.getString("templates")), installed.isBlank() ? null : Path.of(installed),
                namespace.getString("nginx"), namespace.getString("lua_modules"),
                NginxJail.of(namespace.getString("jail"), namespace.getString("bwrap"), namespace.getString("lua_modules")));
        int status = validate(options, namespace.<String>getList("files").stream().map(Path::of).toList(), System.out, System.err);
        System.exit(status);
    }

    /**
     * What the command runs with.
     *
     * @param installedTemplatesDir the operator's templates the proposed {@code templatesDir} is held against, or null
     */
    public record Options(Path templatesDir, Path installedTemplatesDir, String nginx, String luaModulesDir, NginxJail jail) {
    }

    /** Jailed with bubblewrap, the templates taken as installed. */
    public static int validate(Path templatesDir, String nginx, String luaModulesDir, List<Path> files, PrintStream out, PrintStream err) {
        return validate(new Options(templatesDir, null, nginx, luaModulesDir, NginxJail.of("bwrap", "bwrap", luaModulesDir)), files, out, err);
    }

    /** The whole check, returning the exit status; output goes to {@code out}, problems with input to {@code err}. */
    public static int validate(Options options, List<Path> files, PrintStream out, PrintStream err) {
        String nginx = options.nginx();
        TemplateSet templates;
        TemplateSet installed;
        CatalogSnapshot snapshot = CatalogSnapshot.EMPTY;
        TreeSet<String> groups = new TreeSet<>();
        try {
            templates = TemplateSet.load(options.templatesDir());
            installed = options.installedTemplatesDir() == null ? null : TemplateSet.load(options.installedTemplatesDir());
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
        // Only the installed templates' Lua is ever started; a proposal's differing Lua is refused below.
        LuaCheck lua = LuaCheck.of(installed == null ? templates : installed, nginx, options.luaModulesDir());
        out.println(lua.line());
        BundleRenderer renderer = new BundleRenderer(templates, lua.mode());
        BundleRenderer reference = installed == null ? null : new BundleRenderer(installed, lua.mode());
        NginxValidator validator = new NginxValidator(nginx, Duration.ofSeconds(30), NginxValidator.defaultSandboxParent(), options.jail());
        boolean allValid = !lua.rejected();
        for (String group : groups) {
            List<String> problems;
            try {
                problems = problemsOf(renderer.renderGroup(snapshot, group), reference == null ? null : reference.renderGroup(snapshot, group),
                        validator);
            } catch (JailUnavailableException e) {
                err.println(e.getMessage());
                return 3;
            }
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

    /** @param reference the installed templates' rendering of the group, or null when the templates are the installed ones */
    private static List<String> problemsOf(RenderOutcome outcome, RenderOutcome reference, NginxValidator validator) {
        if (reference != null && outcome instanceof RenderOutcome.Rendered rendered) {
            ConfigBundle bundle = rendered.bundle();
            List<ConfigError> refused = RenderedConfigPolicy.refusals(bundle.files(), bundle.files().keySet(),
                    reference instanceof RenderOutcome.Rendered installed ? installed.bundle() : ConfigBundle.of(bundle.group(), Map.of()));
            if (!refused.isEmpty()) {
                return refused.stream().map(ConfigError::describe).toList();
            }
        }
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
