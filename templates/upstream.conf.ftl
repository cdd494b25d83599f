<#-- One service's upstream block (http context). Model: see templates/README.md. -->
<#if service.dynamicPeers>
# Service ${service.id}: peers are pushed to the lbm_peers shared dict, not listed here.
upstream ${service.upstreamName} {
    server 0.0.0.1;
    balancer_by_lua_block { lbm.balance("${service.id}", ${service.options.maxFails}, ${service.options.failTimeoutSeconds}) }
<#if service.options.keepaliveConnections gt 0>
    keepalive ${service.options.keepaliveConnections};
</#if>
}
<#elseif service.hasUpstreams>
# Service ${service.id}: ${service.upstreams?size} upstream(s).
upstream ${service.upstreamName} {
<#if service.options.loadBalancing == "least_conn">
    least_conn;
<#elseif service.options.loadBalancing == "ip_hash">
    ip_hash;
</#if>
<#list service.upstreams as upstream>
    server ${upstream.address}<#if upstream.weight != 1> weight=${upstream.weight}</#if> max_fails=${service.options.maxFails} fail_timeout=${service.options.failTimeoutSeconds}s;
</#list>
<#if service.options.keepaliveConnections gt 0>
    keepalive ${service.options.keepaliveConnections};
</#if>
}
<#else>
# Service ${service.id}: no upstreams. No upstream block: Nginx rejects an empty one. The location answers 503.
</#if>
