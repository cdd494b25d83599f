package io.lbmanager.api;

import io.lbmanager.auth.AuditLog;
import io.lbmanager.auth.Authenticator;
import io.lbmanager.auth.Public;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.catalog.ServiceDefinition;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.function.Function;

/**
 * Puts a {@link ScopeFilter} in front of every resource method, with the scopes its {@link Requires}
 * declares (method first, then class), and an {@link AuditFilter} on every write. A method with neither
 * {@link Requires} nor {@link Public} is refused outright, so no endpoint is open by being forgotten.
 */
public final class ScopeFeature implements DynamicFeature {

    private final Authenticator authenticator;
    private final boolean readsNeedToken;
    private final AuditLog audit;
    private final Function<String, Optional<ServiceDefinition>> services;

    public ScopeFeature(Authenticator authenticator, boolean readsNeedToken, AuditLog audit,
                        Function<String, Optional<ServiceDefinition>> services) {
        this.authenticator = authenticator;
        this.readsNeedToken = readsNeedToken;
        this.audit = audit;
        this.services = services;
    }

    /** The scopes a resource method declares; empty when it declares none (then it is refused). Null for {@link Public}. */
    public static Optional<Scope[]> declared(Method method, Class<?> resource) {
        if (method.isAnnotationPresent(Public.class) || (!method.isAnnotationPresent(Requires.class) && resource.isAnnotationPresent(Public.class))) {
            return Optional.of(new Scope[0]);
        }
        Requires requires = method.getAnnotation(Requires.class);
        if (requires == null) {
            requires = resource.getAnnotation(Requires.class);
        }
        return requires == null || requires.value().length == 0 ? Optional.empty() : Optional.of(requires.value());
    }

    @Override
    public void configure(ResourceInfo info, FeatureContext context) {
        Method method = info.getResourceMethod();
        Class<?> resource = info.getResourceClass();
        String endpoint = httpMethod(method) + " " + path(resource, method);
        Optional<Scope[]> scopes = declared(method, resource);
        context.register(new ScopeFilter(authenticator, scopes.orElse(null), readsNeedToken, endpoint), Priorities.AUTHENTICATION);
        boolean write = !(method.isAnnotationPresent(GET.class) || method.isAnnotationPresent(HEAD.class)
                || method.isAnnotationPresent(OPTIONS.class));
        if (write && !(scopes.isPresent() && scopes.get().length == 0)) {
            context.register(new AuditFilter(audit, scopes.orElse(new Scope[0]), services), Priorities.USER);
        }
    }

    static String httpMethod(Method method) {
        for (Class<? extends Annotation> verb : java.util.List.of(GET.class, POST.class, PUT.class, DELETE.class, PATCH.class,
                HEAD.class, OPTIONS.class)) {
            if (method.isAnnotationPresent(verb)) {
                return verb.getSimpleName();
            }
        }
        return "ANY";
    }

    static String path(Class<?> resource, Method method) {
        Path classPath = resource.getAnnotation(Path.class);
        Path methodPath = method.getAnnotation(Path.class);
        String path = (classPath == null ? "" : classPath.value()) + (methodPath == null ? "" : "/" + methodPath.value());
        return path.replaceAll("/+", "/");
    }
}
