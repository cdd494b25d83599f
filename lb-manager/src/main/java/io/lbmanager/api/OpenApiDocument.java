package io.lbmanager.api;

import io.lbmanager.auth.Public;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.jaxrs2.Reader;
import io.swagger.v3.oas.integration.SwaggerConfiguration;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import jakarta.ws.rs.Path;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The OpenAPI 3 description of the REST API, read from the resource classes themselves (paths,
 * methods, parameters, bodies and answers as Jersey serves them), with the scope each operation
 * needs as {@code x-lbm-scope} and in its summary. Every resource of the product is described,
 * including those a manager without a fleet does not serve.
 */
public final class OpenApiDocument {

    /** Where the product's resources live. */
    public static final String RESOURCE_PACKAGE = "io.lbmanager";
    static final String SCOPE_EXTENSION = "x-lbm-scope";

    private OpenApiDocument() {
    }

    /** An HTTP method and a path template as the description writes it ({@code /api/v1/services/{id}}). */
    public record Route(String method, String path) {
    }

    public static String json() {
        return Json.pretty(build());
    }

    static OpenAPI build() {
        Set<Class<?>> resources = resourceClasses();
        OpenAPI base = new OpenAPI()
                .info(new Info().title("lb-manager").version(version())
                        .description("Manages fleets of Nginx load balancers. Send a token as `Authorization: Bearer ...`;"
                                + " each operation's `" + SCOPE_EXTENSION + "` names the scope it needs (admin always qualifies)."
                                + " Errors answer `{code, message, field}`.")
                        .license(new License().name("Apache-2.0")))
                .components(new Components().addSecuritySchemes("bearer",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
        OpenAPI api = new Reader(new SwaggerConfiguration().openAPI(base)).read(resources);
        ModelConverters.getInstance().readAll(ApiError.class).forEach(api.getComponents()::addSchemas);
        ApiResponse error = new ApiResponse().description("refused: {code, message, field}, field naming what is wrong")
                .content(new Content().addMediaType("application/json",
                        new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + ApiError.class.getSimpleName()))));
        for (Class<?> resource : resources) {
            forEachMethod(resource, (route, method) -> {
                PathItem item = api.getPaths() == null ? null : api.getPaths().get(route.path());
                Operation operation = item == null ? null : item.readOperationsMap().get(PathItem.HttpMethod.valueOf(route.method()));
                if (operation != null) {
                    describeScope(operation, resource, method);
                    operation.getResponses().forEach((code, answer) -> {
                        if (answer.getDescription() == null) {
                            answer.setDescription(code.startsWith("2") ? "done" : "answer " + code);
                        }
                    });
                    operation.getResponses().addApiResponse("4XX", error).addApiResponse("5XX", error);
                }
            });
        }
        return api;
    }

    /** Every route the product's resources serve, read from Jersey's own model of them. */
    public static Set<Route> routes() {
        Set<Route> routes = new LinkedHashSet<>();
        for (Class<?> resource : resourceClasses()) {
            forEachMethod(resource, (route, method) -> routes.add(route));
        }
        return routes;
    }

    /** The routes one resource class serves. */
    public static Set<Route> routesOf(Class<?> resource) {
        Set<Route> routes = new LinkedHashSet<>();
        forEachMethod(resource, (route, method) -> routes.add(route));
        return routes;
    }

    private static Set<Class<?>> resourceClasses() {
        return new ResourceConfig().packages(true, RESOURCE_PACKAGE).getClasses().stream()
                .filter(type -> type.isAnnotationPresent(Path.class))
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private interface MethodVisitor {
        void visit(Route route, Method method);
    }

    private static void forEachMethod(Class<?> resource, MethodVisitor visitor) {
        Resource model = Resource.from(resource);
        List<ResourceAt> all = new ArrayList<>(List.of(new ResourceAt(model.getPath(), model)));
        model.getChildResources().forEach(child -> all.add(new ResourceAt(join(model.getPath(), child.getPath()), child)));
        for (ResourceAt at : all) {
            for (ResourceMethod method : at.resource().getResourceMethods()) {
                visitor.visit(new Route(method.getHttpMethod().toUpperCase(Locale.ROOT), template(at.path())),
                        method.getInvocable().getDefinitionMethod());
            }
        }
    }

    private record ResourceAt(String path, Resource resource) {
    }

    private static String join(String parent, String child) {
        return (parent == null ? "" : parent) + "/" + (child == null ? "" : child);
    }

    /** {@code //a/{id: [a-z]+}/} becomes {@code /a/{id}}. */
    static String template(String path) {
        String plain = path.replaceAll("\\{\\s*(\\w[\\w.-]*)\\s*:[^}]*}", "{$1}").replaceAll("/+", "/");
        if (!plain.startsWith("/")) {
            plain = "/" + plain;
        }
        return plain.length() > 1 && plain.endsWith("/") ? plain.substring(0, plain.length() - 1) : plain;
    }

    private static void describeScope(Operation operation, Class<?> resource, Method method) {
        Requires requires = method.isAnnotationPresent(Requires.class) ? method.getAnnotation(Requires.class) : resource.getAnnotation(Requires.class);
        if (method.isAnnotationPresent(Public.class) || (requires == null && resource.isAnnotationPresent(Public.class))) {
            operation.addExtension(SCOPE_EXTENSION, "public");
            operation.setSecurity(List.of());
            operation.setSummary(prefixed("Public.", operation.getSummary()));
            return;
        }
        if (requires != null) {
            String scopes = Arrays.stream(requires.value()).map(Scope::wire).collect(Collectors.joining(" or "));
            operation.addExtension(SCOPE_EXTENSION, scopes);
            operation.setSummary(prefixed("Needs " + scopes + ".", operation.getSummary()));
        }
    }

    private static String prefixed(String prefix, String summary) {
        return summary == null || summary.isBlank() ? prefix : prefix + " " + summary;
    }

    private static String version() {
        String version = OpenApiDocument.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
