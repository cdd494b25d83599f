<#-- The Lua balancer of LB groups with dynamic upstreams (http context). Model: see templates/README.md.
     nginx -t does not run init_by_lua: check edits with `lb-manager.jar validate` (it starts Nginx
     with this file once), as the manager does at start-up before it uses the Lua balancer. -->
# Rendered by lb-manager. Peer lists live in the shared dict lbm_peers, one entry per service
# ("host:port:weight host:port:weight ..."); the agent replaces them through /_lbm/peers.
lua_shared_dict lbm_peers ${peersDictMb}m;
# Requests and 5xx answers per service since Nginx started, two counters per service of the config
# (about 2 MB at 10,000 services); the agent reads them through /_lbm/stats.
lua_shared_dict lbm_stats 8m;
# Usage counters per service for chargeback (issue 16): eight counters per service and the epoch of
# this Nginx start (about 4 MB at 10,000 services); the agent reads them through /_lbm/usage.
lua_shared_dict lbm_usage ${usageDictMb!16}m;

<#noparse>
init_by_lua_block {
    local balancer = require "ngx.balancer"
    local peers_dict = ngx.shared.lbm_peers
    local stats_dict = ngx.shared.lbm_stats
    local PEER = "^(%d+%.%d+%.%d+%.%d+):(%d+):(%d+)$"

    local parsed = {}    -- per worker: service id -> { raw = dict value, list = { peer, ... } }
    local failures = {}  -- per worker: "service|host:port" -> { count, first, down_until }
    local failures_noted = 0

    local function parse(raw)
        local list = {}
        for token in string.gmatch(raw, "%S+") do
            local host, port, weight = string.match(token, PEER)
            if host then
                list[#list + 1] = { host = host, port = tonumber(port), weight = tonumber(weight),
                                    current = 0, key = host .. ":" .. port }
            end
        end
        return list
    end

    local function peers_of(service)
        local raw = peers_dict:get(service)
        if not raw then
            return nil
        end
        local entry = parsed[service]
        if not entry or entry.raw ~= raw then
            entry = { raw = raw, list = parse(raw) }
            parsed[service] = entry
        end
        return entry.list
    end

    local function forget_old_failures(now)
        for key, failure in pairs(failures) do
            if (failure.down_until or failure.first) + failure.window < now then
                failures[key] = nil
            end
        end
    end

    local function note_failure(key, max_fails, fail_timeout, now)
        if max_fails == 0 then
            return
        end
        local failure = failures[key]
        if not failure or now - failure.first > fail_timeout then
            failure = { count = 0, first = now, window = fail_timeout }
            failures[key] = failure
        end
        failure.count = failure.count + 1
        if failure.count >= max_fails then
            failure.down_until = now + fail_timeout
        end
        failures_noted = failures_noted + 1
        if failures_noted % 1000 == 0 then
            forget_old_failures(now)
        end
    end

    local function is_down(key, now)
        local failure = failures[key]
        return failure ~= nil and failure.down_until ~= nil and failure.down_until > now
    end

    -- Smooth weighted round robin over the peers not tried yet for this request, skipping
    -- peers that failed max_fails times within fail_timeout unless every untried peer did.
    local function pick(service, list, tried, now)
        for pass = 1, 2 do
            local best, total = nil, 0
            for _, peer in ipairs(list) do
                if not tried[peer.key] and (pass == 2 or not is_down(service .. "|" .. peer.key, now)) then
                    peer.current = peer.current + peer.weight
                    total = total + peer.weight
                    if best == nil or peer.current > best.current then
                        best = peer
                    end
                end
            end
            if best then
                best.current = best.current - total
                return best
            end
        end
        return list[1]
    end

    lbm = {}

    -- Access phase: a service without peers answers like a statically rendered one does.
    function lbm.require_peers(service)
        ngx.ctx.lbm_service = service
        local list = peers_of(service)
        if list == nil or #list == 0 then
            ngx.status = 503
            ngx.header["Content-Type"] = "application/json"
            ngx.print('{"error":"no_upstreams","service":"', service,
                      '","message":"service ', service, ' has no registered upstreams"}\n')
            return ngx.exit(503)
        end
    end

    -- Balancer phase: runs for the first try and for every retry of one request.
    function lbm.balance(service, max_fails, fail_timeout)
        local list = peers_of(service)
        if list == nil or #list == 0 then
            return ngx.exit(502)
        end
        local ctx = ngx.ctx
        local now = ngx.now()
        local tried = ctx.lbm_tried
        if tried == nil then
            tried = {}
            ctx.lbm_tried = tried
            if #list > 1 then
                balancer.set_more_tries(#list - 1)
            end
        elseif balancer.get_last_failure() ~= nil then
            note_failure(service .. "|" .. ctx.lbm_last, max_fails, fail_timeout, now)
        end
        local peer = pick(service, list, tried, now)
        tried[peer.key] = true
        ctx.lbm_last = peer.key
        local ok, err = balancer.set_current_peer(peer.host, peer.port)
        if not ok then
            ngx.log(ngx.ERR, "lbm: cannot use peer ", peer.key, " of service ", service, ": ", err)
            return ngx.exit(502)
        end
    end

    -- Log phase of every request: counts it, and a 5xx answer, for the service require_peers saw.
    function lbm.count()
        local service = ngx.ctx.lbm_service
        if service == nil or stats_dict == nil then
            return
        end
        stats_dict:incr("r:" .. service, 1, 0)
        if ngx.status >= 500 then
            stats_dict:incr("e:" .. service, 1, 0)
        end
        lbm.count_usage(service)
    end

    -- GET /_lbm/stats: one line per service Nginx holds peers or counters of:
    -- "<service id> <requests> <5xx answers>[ host:port:weight ...]" (the peers it routes to).
    function lbm.report()
        local services = {}
        for _, service in ipairs(peers_dict:get_keys(0)) do
            services[service] = true
        end
        if stats_dict ~= nil then
            for _, key in ipairs(stats_dict:get_keys(0)) do
                local service = string.match(key, "^r:(.+)$")
                if service then
                    services[service] = true
                end
            end
        end
        local lines = {}
        for service in pairs(services) do
            local peers = peers_dict:get(service)
            lines[#lines + 1] = service .. " " .. ((stats_dict and stats_dict:get("r:" .. service)) or 0) .. " "
                .. ((stats_dict and stats_dict:get("e:" .. service)) or 0) .. (peers and (" " .. peers) or "")
        end
        ngx.header["Content-Type"] = "text/plain"
        ngx.print(table.concat(lines, "\n"), #lines > 0 and "\n" or "")
    end

    -- ---- Usage counters (chargeback, issue 16) ----
    -- Counters only grow while this Nginx runs. Shared dicts survive a reload (HUP) but not a restart:
    -- the "epoch" key is set once per Nginx start (add() keeps it across reloads), so the agent can tell a
    -- reset from a reading and never subtracts across one.
    local usage_dict = ngx.shared.lbm_usage
    if usage_dict ~= nil then
        usage_dict:add("epoch", string.format("%d-%d", math.floor(ngx.now() * 1000), math.random(1, 1000000000)))
    end
    local USAGE_FIELDS = { "req", "in", "out", "ums", "4xx", "5xx", "noup", "conn" }

    -- Sum of the attempts in $upstream_response_time ("0.004, 0.010 : 0.002"), in milliseconds.
    local function upstream_ms(times)
        local total = 0
        for seconds in string.gmatch(times or "", "[%d%.]+") do
            total = total + (tonumber(seconds) or 0)
        end
        return math.floor(total * 1000 + 0.5)
    end

    -- Log phase: requests, bytes in ($request_length) and out ($bytes_sent), upstream time and errors by
    -- class. no-upstream: a 503 that reached no upstream; connect failure: a request with an attempt whose
    -- $upstream_connect_time is "-" (the connection to that peer failed).
    function lbm.count_usage(service)
        if usage_dict == nil then
            return
        end
        local var = ngx.var
        local status = ngx.status
        local prefix = "u|" .. service .. "|"
        usage_dict:incr(prefix .. "req", 1, 0)
        usage_dict:incr(prefix .. "in", tonumber(var.request_length) or 0, 0)
        usage_dict:incr(prefix .. "out", tonumber(var.bytes_sent) or 0, 0)
        local upstream = var.upstream_addr
        if upstream ~= nil and upstream ~= "" then
            usage_dict:incr(prefix .. "ums", upstream_ms(var.upstream_response_time), 0)
            local connect = var.upstream_connect_time
            if connect ~= nil and string.find(connect, "-", 1, true) then
                usage_dict:incr(prefix .. "conn", 1, 0)
            end
        elseif status == 503 then
            usage_dict:incr(prefix .. "noup", 1, 0)
        end
        if status >= 400 and status < 500 then
            usage_dict:incr(prefix .. "4xx", 1, 0)
        elseif status >= 500 then
            usage_dict:incr(prefix .. "5xx", 1, 0)
        end
    end

    -- GET /_lbm/usage: "epoch <id>" then one line per service:
    -- "<service> <requests> <bytes in> <bytes out> <upstream ms> <4xx> <5xx> <no upstream> <connect failures>".
    function lbm.report_usage()
        local lines = { "epoch " .. ((usage_dict and usage_dict:get("epoch")) or "none") }
        if usage_dict ~= nil then
            local services = {}
            for _, key in ipairs(usage_dict:get_keys(0)) do
                local service = string.match(key, "^u|(.+)|req$")
                if service then
                    services[#services + 1] = service
                end
            end
            for _, service in ipairs(services) do
                local values = { service }
                for _, field in ipairs(USAGE_FIELDS) do
                    values[#values + 1] = usage_dict:get("u|" .. service .. "|" .. field) or 0
                end
                lines[#lines + 1] = table.concat(values, " ")
            end
        end
        ngx.header["Content-Type"] = "text/plain"
        ngx.print(table.concat(lines, "\n"), "\n")
    end
    -- ---- end of usage counters ----

    -- POST /_lbm/peers, one line per service: "<service id>[ host:port:weight ...]".
    -- A line without peers removes the service's list. Every line is checked before any is applied.
    function lbm.update_peers()
        if ngx.req.get_method() ~= "POST" then
            ngx.status = 405
            ngx.say("POST one line per service: <service id> host:port:weight ...")
            return ngx.exit(405)
        end
        ngx.req.read_body()
        local body = ngx.req.get_body_data()
        if body == nil then
            local file = ngx.req.get_body_file()
            if file then
                local handle = io.open(file, "rb")
                body = handle:read("*a")
                handle:close()
            end
        end
        local updates = {}
        for line in string.gmatch(body or "", "[^\n]+") do
            local service, rest = string.match(line, "^([a-z0-9][a-z0-9_-]*)(.*)$")
            if service == nil then
                ngx.status = 400
                ngx.say("line does not start with a service id: ", string.sub(line, 1, 80))
                return ngx.exit(400)
            end
            for token in string.gmatch(rest, "%S+") do
                local host, port, weight = string.match(token, PEER)
                if host == nil or tonumber(port) < 1 or tonumber(port) > 65535 or tonumber(weight) < 1 then
                    ngx.status = 400
                    ngx.say("service ", service, ": peer '", string.sub(token, 1, 60), "' is not ipv4:port:weight")
                    return ngx.exit(400)
                end
            end
            updates[#updates + 1] = { service, (string.gsub(rest, "^%s+", "")) }
        end
        local set, removed = 0, 0
        for _, update in ipairs(updates) do
            if update[2] == "" then
                peers_dict:delete(update[1])
                removed = removed + 1
            else
                local ok, err = peers_dict:safe_set(update[1], update[2])
                if not ok then
                    ngx.status = 507
                    ngx.say("lbm_peers is full (", err, ") storing service ", update[1],
                            "; ", set, " lists stored before it; raise peersDictMb")
                    return ngx.exit(507)
                end
                set = set + 1
            end
        end
        ngx.say("set ", set, " removed ", removed)
    end
}
log_by_lua_block { lbm.count() }
</#noparse>
