package io.lbmanager.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lbmanager.api.view.ConfigErrorView;
import io.lbmanager.auth.Caller;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.ServiceValidator;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.errors.InvalidInputException;
import io.lbmanager.render.BundleRenderer;
import io.lbmanager.render.IncrementalRenderer;
import io.lbmanager.render.RenderOutcome;
import io.lbmanager.render.TemplateSet;
import io.lbmanager.rollout.GroupStatus;
import io.lbmanager.rollout.GroupStatusStore;
import io.lbmanager.rollout.PublishedBundles;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.SnapshotSource;
import io.lbmanager.validate.ConfigDiff;
import io.lbmanager.validate.ConfigError;
import io.lbmanager.validate.GroupCheck;
import io.lbmanager.validate.NginxTestQueue;
import io.lbmanager.validate.RenderedConfigPolicy;
import io.lbmanager.validate.TemplateSafety;
import io.lbmanager.validate.ValidationScope;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/**
 * CI's dry run: renders the catalog as it would be with a proposed service definition (and/or a
 * proposed template set), runs the real {@code nginx -t}, and returns the diff against what is
 * live. 200 when every affected group would accept it, 422 with the errors when not, 503 when
 * more requests want {@code nginx -t} than the manager runs and lets wait, or when its jail cannot
 * run. Writes nothing. Proposed templates are first held against {@link RenderedConfigPolicy} with the
 * installed templates' rendering as the reference; Nginx then runs in its jail.
 * {@code nginx -t} sees only what changed since the group's target version, which passed it
 * (see {@link ValidationScope}); a proposed template set is checked with every file.
 */
@Path("/api/v1/validate")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class ValidateResource {

    public record ValidateRequest(String serviceId, ServiceRequest service, Map<String, String> templates) {
    }

    /**
     * What {@code nginx -t} saw: {@code "changed"} (nginx.conf and the changed services' files,
     * against the target version) or {@code "full"} (every file), how many of how many files, and why.
     */
    public record NginxTestScope(String scope, int files, int bundleFiles, String reason) {
        static NginxTestScope of(ValidationScope scope) {
            return new NginxTestScope(scope.complete() ? "full" : "changed", scope.files().size(), scope.bundleFiles(), scope.reason());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record GroupVerdict(String group, boolean valid, List<ConfigErrorView> errors, Long liveVersion, String diff,
                               NginxTestScope checked) {
    }

    public record ValidateResponse(boolean valid, List<GroupVerdict> groups) {
    }

    private final SnapshotSource source;
    private final TemplateSet templates;
    private final IncrementalRenderer renderer;
    private final NginxTestQueue nginxTests;
    private final PublishedBundles published;
    private final GroupStatusStore statuses;
    private final ServiceValidator serviceValidator;
    private final RequestBodies bodies;
    private final ServiceOwnership ownership;

    /** @param renderer renders with {@code templates}; proposals only (it keeps what it rendered last, so most services are rendered already) */
    public ValidateResource(SnapshotSource source, TemplateSet templates, IncrementalRenderer renderer, NginxTestQueue nginxTests,
                            PublishedBundles published, GroupStatusStore statuses, ServiceValidator serviceValidator, RequestBodies bodies,
                            ServiceOwnership ownership) {
        this.source = source;
        this.templates = templates;
        this.renderer = renderer;
        this.nginxTests = nginxTests;
        this.published = published;
        this.statuses = statuses;
        this.serviceValidator = serviceValidator;
        this.bodies = bodies;
        this.ownership = ownership;
    }

    @POST
    @Requires({Scope.SERVICE_OWNER, Scope.OPERATOR})
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = ValidateRequest.class)))
    @ApiResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ValidateResponse.class)))
    @ApiResponse(responseCode = "422", content = @Content(schema = @Schema(implementation = ValidateResponse.class)))
    public Response validate(@Context HttpHeaders headers, @Context SecurityContext security, InputStream body) throws Exception {
        ValidateRequest request = bodies.read(headers, body, ValidateRequest.class);
        if (request == null || (request.service() == null && (request.templates() == null || request.templates().isEmpty()))) {
            throw new InvalidInputException("service", "give a service definition (with serviceId), templates, or both");
        }
        Caller caller = ScopeFilter.callerOf(security);
        if (request.templates() != null && !request.templates().isEmpty() && !caller.has(Scope.OPERATOR)) {
            throw new ForbiddenException("proposing templates needs the scope operator; token " + caller.tokenId() + " (team "
                    + caller.team() + ") lacks it");
        }
        Map<String, String> overrides = request.templates() == null ? Map.of() : request.templates();
        TemplateSafety.check(overrides, templates.templates().keySet());
        Renderer render = overrides.isEmpty() ? renderer::renderGroup
                : new BundleRenderer(templates.withOverrides(overrides), renderer.mode())::renderGroup;

        CatalogSnapshot snapshot = source.current();
        Set<String> groups = new TreeSet<>();
        String proposedId = null;
        if (request.service() != null) {
            ServiceDefinition definition = request.service().definition(request.serviceId(), serviceValidator);
            if (!caller.has(Scope.OPERATOR)) {
                ownership.checkPut(caller, definition);
            }
            proposedId = definition.id();
            Optional<ServiceRecord> existing = Optional.ofNullable(snapshot.services().get(definition.id()));
            existing.ifPresent(e -> groups.addAll(e.definition().groups()));
            groups.addAll(definition.groups());
            snapshot = snapshot.withService(new ServiceRecord(definition,
                    existing.map(ServiceRecord::staticUpstreams).orElse(List.of()), "validate", System.currentTimeMillis()));
        } else {
            groups.addAll(snapshot.groups());
        }

        List<GroupVerdict> verdicts = new ArrayList<>();
        for (String group : groups) {
            verdicts.add(verdict(render, !overrides.isEmpty(), snapshot, group, proposedId));
        }
        boolean valid = verdicts.stream().allMatch(GroupVerdict::valid);
        return Response.status(valid ? 200 : 422).entity(new ValidateResponse(valid, verdicts)).build();
    }

    private GroupVerdict verdict(Renderer render, boolean proposedTemplates, CatalogSnapshot snapshot, String group, String proposedId)
            throws Exception {
        Optional<PublishedBundles.Published> target = published.target(group);
        Long liveVersion = target.map(t -> t.version().version()).orElse(null);
        List<ConfigError> conflicts = basePathConflicts(snapshot, group, proposedId);
        if (!conflicts.isEmpty()) {
            return new GroupVerdict(group, false, ConfigErrorView.of(conflicts), liveVersion, null, null);
        }
        RenderOutcome outcome = render.renderGroup(snapshot, group, quarantinedOtherThan(group, proposedId));
        if (proposedTemplates && outcome instanceof RenderOutcome.Rendered rendered) {
            List<ConfigError> refused = RenderedConfigPolicy.refusals(rendered.bundle().files(), rendered.bundle().files().keySet(),
                    installedRendering(snapshot, group, proposedId));
            if (!refused.isEmpty()) {
                return new GroupVerdict(group, false, ConfigErrorView.of(refused), liveVersion, null, null);
            }
        }
        ConfigBundle live = target.map(PublishedBundles.Published::bundle).orElse(null);
        GroupCheck.Verdict verdict = GroupCheck.check(outcome, proposed -> proposedTemplates
                        ? ValidationScope.everything(proposed, "proposed templates are checked with every file")
                        : live == null ? ValidationScope.everything(proposed, "the group has no published version to compare with")
                        : ValidationScope.changedSince(proposed, live),
                nginxTests::validate);
        if (verdict instanceof GroupCheck.Verdict.Refused refused) {
            return new GroupVerdict(group, false, ConfigErrorView.of(refused.errors()), liveVersion, diff(live, refused.bundle(), refused.scope()),
                    refused.scope() == null ? null : NginxTestScope.of(refused.scope()));
        }
        GroupCheck.Verdict.Accepted accepted = (GroupCheck.Verdict.Accepted) verdict;
        return new GroupVerdict(group, true, List.of(), liveVersion, diff(live, accepted.bundle(), accepted.scope()),
                NginxTestScope.of(accepted.scope()));
    }

    private static String diff(ConfigBundle live, ConfigBundle proposed, ValidationScope scope) {
        if (proposed == null) {
            return null;
        }
        return scope.differingFiles() == null ? ConfigDiff.between(live, proposed)
                : ConfigDiff.between(live.files(), proposed.files(), scope.differingFiles());
    }

    /** The installed templates' rendering of the same group: what proposed templates' sensitive directives are held against. */
    private ConfigBundle installedRendering(CatalogSnapshot snapshot, String group, String proposedId) throws Exception {
        RenderOutcome installed = renderer.renderGroup(snapshot, group, quarantinedOtherThan(group, proposedId));
        return installed instanceof RenderOutcome.Rendered rendered ? rendered.bundle() : ConfigBundle.of(group, Map.of());
    }

    @FunctionalInterface
    private interface Renderer {
        RenderOutcome renderGroup(CatalogSnapshot snapshot, String group, Set<String> excludedServiceIds);
    }

    private Set<String> quarantinedOtherThan(String group, String proposedId) throws Exception {
        GroupStatus status = statuses.read(group).orElse(null);
        Set<String> excluded = new HashSet<>(status == null ? Set.of() : status.quarantined().keySet());
        if (proposedId != null) {
            excluded.remove(proposedId);
        }
        return excluded;
    }

    private static List<ConfigError> basePathConflicts(CatalogSnapshot snapshot, String group, String proposedId) {
        if (proposedId == null) {
            return List.of();
        }
        ServiceRecord proposed = snapshot.services().get(proposedId);
        if (!proposed.definition().groups().contains(group)) {
            return List.of();
        }
        return snapshot.servicesIn(group).stream()
                .filter(other -> !other.id().equals(proposedId))
                .filter(other -> other.definition().basePath().equals(proposed.definition().basePath()))
                .map(other -> new ConfigError(null, null, proposedId,
                        "base path " + proposed.definition().basePath() + " is already owned by service " + other.id() + " in group " + group))
                .toList();
    }
}
