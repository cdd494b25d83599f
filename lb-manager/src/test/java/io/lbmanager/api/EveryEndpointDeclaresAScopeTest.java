package io.lbmanager.api;

import io.lbmanager.dashboard.DashboardRedirect;
import jakarta.ws.rs.Path;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Walks every JAX-RS resource class in {@code io.lbmanager} (found by Jersey's own package scan, so a
 * new resource is included without being listed here) and every resource method in it: each must
 * declare the scopes it needs ({@code @Requires}) or that it is {@code @Public}.
 */
class EveryEndpointDeclaresAScopeTest {

    @Test
    void everyResourceMethodDeclaresItsScope() {
        Set<Class<?>> resources = new ResourceConfig().packages(true, "io.lbmanager").getClasses().stream()
                .filter(c -> c.isAnnotationPresent(Path.class))
                .collect(Collectors.toSet());
        assertThat(resources).as("the scan finds the resources").contains(ServicesResource.class, GroupsResource.class,
                GroupRuntimeResource.class, FleetResource.class, ValidateResource.class, TokensResource.class, AuditResource.class,
                AuthResource.class, DashboardRedirect.class);

        List<String> undeclared = new ArrayList<>();
        int methods = 0;
        for (Class<?> resource : resources) {
            for (ResourceMethod method : allMethods(Resource.from(resource))) {
                Method definition = method.getInvocable().getDefinitionMethod();
                methods++;
                if (ScopeFeature.declared(definition, resource).isEmpty()) {
                    undeclared.add(resource.getSimpleName() + "." + definition.getName());
                }
            }
        }

        assertThat(methods).as("resource methods found").isGreaterThan(30);
        assertThat(undeclared).as("resource methods with neither @Requires nor @Public").isEmpty();
    }

    @Test
    void aMethodWithoutADeclarationIsFoundByTheCheck() throws Exception {
        assertThat(ScopeFeature.declared(Undeclared.class.getMethod("get"), Undeclared.class)).isEmpty();
    }

    private static List<ResourceMethod> allMethods(Resource resource) {
        List<ResourceMethod> methods = new ArrayList<>(resource.getAllMethods());
        for (Resource child : resource.getChildResources()) {
            methods.addAll(allMethods(child));
        }
        return methods;
    }

    /** Not in io.lbmanager's main code: only here to show the check can fail. */
    static final class Undeclared {
        @jakarta.ws.rs.GET
        public String get() {
            return "";
        }
    }
}
