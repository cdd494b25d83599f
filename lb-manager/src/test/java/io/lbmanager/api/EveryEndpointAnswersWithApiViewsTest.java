package io.lbmanager.api;

import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API owns its wire format: what a resource method declares it returns is a record of
 * {@code io.lbmanager.api} (its {@code view} records or a resource's own), a JDK type, or a
 * {@link Response} (whose entities the resources build from views), never a stored record of
 * another package, so a storage change is never an API change by accident.
 */
class EveryEndpointAnswersWithApiViewsTest {

    @Test
    void everyResourceMethodAnswersWithTypesTheApiOwns() {
        List<String> leaks = new ArrayList<>();
        int methods = 0;
        for (Class<?> resource : new ResourceConfig().packages(true, "io.lbmanager.api").getClasses()) {
            if (!resource.isAnnotationPresent(Path.class)) {
                continue;
            }
            for (ResourceMethod method : Resource.from(resource).getAllMethods()) {
                methods++;
                collectLeaks(resource, method.getInvocable().getDefinitionMethod(), leaks);
            }
            for (Resource child : Resource.from(resource).getChildResources()) {
                for (ResourceMethod method : child.getAllMethods()) {
                    methods++;
                    collectLeaks(resource, method.getInvocable().getDefinitionMethod(), leaks);
                }
            }
        }
        assertThat(methods).as("resource methods found").isGreaterThan(30);
        assertThat(leaks).as("resource methods answering with another package's types").isEmpty();
    }

    @Test
    void aStoredRecordAsAnAnswerIsFound() throws Exception {
        List<String> leaks = new ArrayList<>();
        collectLeaks(Leaky.class, Leaky.class.getMethod("get"), leaks);
        assertThat(leaks).hasSize(1);
    }

    private static void collectLeaks(Class<?> resource, Method method, List<String> leaks) {
        for (Class<?> type : typesIn(method.getGenericReturnType())) {
            String name = type.getName();
            boolean owned = type.isPrimitive() || name.startsWith("java.") || type == Response.class
                    || name.startsWith("io.lbmanager.api.");
            if (!owned) {
                leaks.add(resource.getSimpleName() + "." + method.getName() + " answers with " + name);
            }
        }
    }

    private static List<Class<?>> typesIn(Type type) {
        List<Class<?>> types = new ArrayList<>();
        if (type instanceof Class<?> plain) {
            types.add(plain);
        } else if (type instanceof ParameterizedType parameterized) {
            types.addAll(typesIn(parameterized.getRawType()));
            for (Type argument : parameterized.getActualTypeArguments()) {
                types.addAll(typesIn(argument));
            }
        }
        return types;
    }

    /** Not a resource of the product: only here to show the check can fail. */
    static final class Leaky {
        public Map<String, io.lbmanager.catalog.ServiceRecord> get() {
            return Map.of();
        }
    }
}
