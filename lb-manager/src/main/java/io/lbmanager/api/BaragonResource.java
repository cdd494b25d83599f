package io.lbmanager.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.lbmanager.api.view.BaragonViews;
import io.lbmanager.auth.Caller;
import io.lbmanager.auth.Requires;
import io.lbmanager.auth.Scope;
import io.lbmanager.baragon.BaragonRequestBody;
import io.lbmanager.baragon.LoadBalancerRequests;
import io.lbmanager.baragon.Permissions;
import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.errors.NotFoundException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Baragon's load-balancer API as Singularity calls it ({@code loadBalancerUri: http://MANAGER/baragon/v2/request}):
 * POST a request, GET or DELETE it by id, GET a service's state. See {@code io.lbmanager.baragon}.
 */
@Path("/baragon/v2")
@Produces(MediaType.APPLICATION_JSON)
public final class BaragonResource {

    private final LoadBalancerRequests requests;
    private final ServiceOwnership ownership;
    private final RequestBodies bodies;
    private final int maxBodyBytes;

    public BaragonResource(LoadBalancerRequests requests, ServiceOwnership ownership, int maxBodyBytes) {
        this.requests = requests;
        this.ownership = ownership;
        this.bodies = new RequestBodies(maxBodyBytes);
        this.maxBodyBytes = maxBodyBytes;
    }

    /** 200 with the request's state: WAITING once accepted, FAILED with the reason when our rules refuse it. */
    @Requires(Scope.SERVICE_OWNER)
    @WritesCatalog
    @POST
    @Path("request")
    @Consumes(MediaType.APPLICATION_JSON)
    public BaragonViews.Response submit(@HeaderParam(Actors.HEADER) String user, @Context HttpHeaders headers,
                                        @Context SecurityContext security, InputStream body) throws JsonProcessingException {
        String actor = Actors.fromHeader(user);
        byte[] raw = readAtMost(body);
        BaragonRequestBody request = bodies.read(headers, new ByteArrayInputStream(raw), BaragonRequestBody.class);
        return BaragonViews.Response.of(requests.submit(raw, request, permissionsOf(ScopeFilter.callerOf(security)), actor));
    }

    @Requires(Scope.READ)
    @GET
    @Path("request/{requestId}")
    public BaragonViews.Response get(@PathParam("requestId") String requestId) {
        return BaragonViews.Response.of(requests.status(requestId).orElseThrow(() -> unknownRequest(requestId)));
    }

    /** A finished request keeps its state; a waiting one cannot be withdrawn and says so. */
    @Requires(Scope.SERVICE_OWNER)
    @DELETE
    @Path("request/{requestId}")
    public BaragonViews.Response cancel(@PathParam("requestId") String requestId) {
        return BaragonViews.Response.of(requests.cancel(requestId).orElseThrow(() -> unknownRequest(requestId)));
    }

    @Requires(Scope.READ)
    @GET
    @Path("state/{serviceId}")
    public BaragonViews.ServiceState state(@PathParam("serviceId") String serviceId) {
        return BaragonViews.ServiceState.of(requests.service(serviceId)
                .orElseThrow(() -> new NotFoundException("serviceId", "service " + serviceId + " does not exist")));
    }

    private Permissions permissionsOf(Caller caller) {
        return new Permissions() {
            @Override
            public Optional<String> team() {
                return caller.has(Scope.ADMIN) ? Optional.empty() : Optional.ofNullable(caller.team());
            }

            @Override
            public Optional<String> refusePut(ServiceDefinition proposed) {
                return refusal(() -> ownership.checkPut(caller, proposed));
            }

            @Override
            public Optional<String> refuseChange(String serviceId) {
                return refusal(() -> ownership.checkChange(caller, serviceId));
            }
        };
    }

    private static Optional<String> refusal(Runnable check) {
        try {
            check.run();
            return Optional.empty();
        } catch (ForbiddenException e) {
            return Optional.of(e.getMessage());
        }
    }

    private byte[] readAtMost(InputStream body) {
        try {
            byte[] bytes = body.readNBytes(maxBodyBytes + 1);
            if (bytes.length > maxBodyBytes) {
                throw new BodyTooLargeException(maxBodyBytes);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static NotFoundException unknownRequest(String requestId) {
        return new NotFoundException("requestId", "no load-balancer request " + requestId);
    }
}
