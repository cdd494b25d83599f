<#-- One service's upstream block (http context). Model: see templates/README.md. -->
# Service ${service.id}: ${service.upstreams?size} upstream(s).
<#if service.hasUpstreams>
upstream ${service.upstreamName} {
<#if service.options.loadBalancing == "least_conn">
    least_conn;
<#elseif service.options.loadBalancing == "ip_hash">
    ip_hash;
</#if>
<#list service.upstreams as upstream>
    server ${upstream.address} max_fails=${service.options.maxFails} fail_timeout=${service.options.failTimeoutSeconds}s;
</#list>
<#if service.options.keepaliveConnections gt 0>
    keepalive ${service.options.keepaliveConnections};
</#if>
}
<#else>
# No upstream block: Nginx rejects an empty one. The location answers 503.
</#if>
