package io.lbmanager.api;

import io.dropwizard.jersey.setup.JerseyEnvironment;
import io.dropwizard.lifecycle.Managed;
import io.lbmanager.auth.AdminToken;
import io.lbmanager.auth.AuditLog;
import io.lbmanager.auth.Authenticator;
import io.lbmanager.auth.Scope;
import io.lbmanager.auth.TokenAdmin;
import io.lbmanager.auth.TokenStore;
import io.lbmanager.catalog.CatalogStore;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;

/**
 * Tokens, scopes and the audit trail in one call from {@code Application.run}: the scope filter on
 * every resource method, the token, whoami and audit endpoints. Manage the returned object: it stores
 * the start-up admin token when started and stops the audit writer when stopped.
 */
public final class AuthApi implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(AuthApi.class);

    private final TokenStore store;
    private final Authenticator authenticator;
    private final AuditLog audit;
    private final Optional<String> adminToken;

    private AuthApi(TokenStore store, Authenticator authenticator, AuditLog audit, Optional<String> adminToken) {
        this.store = store;
        this.authenticator = authenticator;
        this.audit = audit;
        this.adminToken = adminToken;
    }

    public static AuthApi register(JerseyEnvironment jersey, CuratorFramework curator, ZkLayout layout, CatalogStore catalog,
                                   ApiConfig config, Map<String, String> env) {
        TokenStore store = new TokenStore(curator, layout);
        Authenticator authenticator = new Authenticator(store, System::currentTimeMillis);
        AuditLog audit = new AuditLog(curator, layout, config.auditEntries);
        jersey.register(new ScopeFeature(authenticator, config.readsNeedToken, audit,
                id -> catalog.service(id).map(ServiceRecord::definition)));
        jersey.register(new TokensResource(new TokenAdmin(store, authenticator, System::currentTimeMillis),
                new RequestBodies(config.maxBodyBytes)));
        jersey.register(new AuthResource());
        jersey.register(new AuditResource(audit));
        return new AuthApi(store, authenticator, audit, AdminToken.configured(env, config.adminTokenFile));
    }

    /** The start-up admin token's secret, for the demo to print. */
    public Optional<String> adminToken() {
        return adminToken;
    }

    @Override
    public void start() {
        store.awaitConnection();
        if (adminToken.isPresent()) {
            AdminToken.install(store, adminToken.get(), System::currentTimeMillis);
        } else if (store.all().stream().noneMatch(t -> t.scopes().contains(Scope.ADMIN.wire()) && t.usableAt(System.currentTimeMillis()))) {
            LOG.warn("no usable admin token: set " + AdminToken.ENV + " or api.adminTokenFile, or no one can create tokens");
        }
    }

    @Override
    public void stop() throws InterruptedException {
        authenticator.close();
        audit.close();
    }
}
