<#-- The main file of LB group "${group}". Model: see templates/README.md. -->
# Rendered by lb-manager for LB group ${group}. Do not edit: edit templates/nginx.conf.ftl.
# No pid, daemon or error_log here: the agent passes them with -g and -e.
<#if dynamicUpstreams>
include lbm-modules.conf;
</#if>
worker_processes auto;
# After a reload, old workers drop what they still serve after this long: a long download or a
# websocket cannot keep an old generation (its memory, its old config) alive for ever.
# Trade-off: such a request is cut this long after a reload. See BENCHMARKS.md, figure (f).
worker_shutdown_timeout 30s;

events {
    worker_connections 4096;
}

http {
    default_type application/octet-stream;
    access_log off;
    server_tokens off;
    sendfile on;
    keepalive_timeout 65s;

    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;

    map $http_upgrade $lbm_connection_upgrade {
        default upgrade;
        ''      '';
    }

<#if dynamicUpstreams>
    include lbm-lua.conf;
<#if luaRouting>
    include lbm-profile-upstreams.conf;
</#if>

</#if>
    include upstreams/*.conf;

    server {
        include lbm-agent.conf;
<#if luaRouting>
        # Set by lbm.route() for the profile location it runs (ngx.ctx does not survive ngx.exec).
        set $lbm_service "";
        set $lbm_upstream_uri "";
        include lbm-profile-locations.conf;
</#if>
<#if !rootPathClaimed>

        location / {
            default_type application/json;
<#if luaRouting>
            # Services routed by Lua: the longest base path in the lbm_routes dict wins (no per-service file, no reload).
            # The route's profile location limits the body; lbm.route() checks a declared length against it.
            client_max_body_size 0;
            access_by_lua_block { lbm.route() }
            content_by_lua_block { lbm.not_found() }
<#else>
            return 404 '{"error":"not_found","message":"no service is routed at this path"}\n';
</#if>
        }
</#if>

        include locations/*.conf;
    }
}
