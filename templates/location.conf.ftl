<#-- One service's locations (server context). Model: see templates/README.md. -->
<#macro routeTo service>
<#if service.dynamicPeers || service.hasUpstreams>
<#if service.dynamicPeers>
    access_by_lua_block { lbm.require_peers("${service.id}") }
</#if>
    proxy_pass http://${service.upstreamName}<#if service.options.stripBasePath>/</#if>;
    proxy_http_version 1.1;
    proxy_set_header Host $host;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
<#if service.options.websocket>
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $lbm_connection_upgrade;
<#else>
    proxy_set_header Connection "";
</#if>
    proxy_connect_timeout ${service.options.proxyConnectTimeoutMs}ms;
    proxy_read_timeout ${service.options.proxyReadTimeoutMs}ms;
    proxy_send_timeout ${service.options.proxySendTimeoutMs}ms;
    client_max_body_size ${service.options.clientMaxBodySizeMb}m;
<#else>
    default_type application/json;
    return 503 '{"error":"no_upstreams","service":"${service.id}","message":"service ${service.id} has no registered upstreams"}\n';
</#if>
</#macro>
# Service ${service.id} at ${service.basePath}
location ${service.locationPrefix} {
<@routeTo service/>
}
<#if service.hasExactLocation>

location = ${service.exactPath} {
<@routeTo service/>
}
</#if>
