<#-- One option profile of the services Lua routes: its upstream when part is "upstream" (http
     context), its named location when part is "location" (server context). Model: see templates/README.md. -->
<#if part == "upstream">
# Profile ${profile.name}: lbm.balance_routed() picks the routed service's peer, with its timeouts and passive health.
upstream ${profile.upstreamName} {
    server 0.0.0.1;
    balancer_by_lua_block { lbm.balance_routed() }
<#if profile.keepaliveConnections gt 0>
    keepalive ${profile.keepaliveConnections};
</#if>
}
<#else>
# Profile ${profile.name}: lbm.route() runs this location with $lbm_service and $lbm_upstream_uri set.
location ${profile.locationName} {
    proxy_pass http://${profile.upstreamName}$lbm_upstream_uri;
    proxy_http_version 1.1;
    proxy_set_header Host $host;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
<#if profile.websocket>
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $lbm_connection_upgrade;
<#else>
    proxy_set_header Connection "";
</#if>
    client_max_body_size ${profile.clientMaxBodySizeMb}m;
}
</#if>
