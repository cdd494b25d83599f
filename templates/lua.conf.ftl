<#-- The Lua balancer of LB groups with dynamic upstreams (http context). Model: see templates/README.md.
     nginx -t does not run init_by_lua: check edits with `lb-manager.jar validate` (it starts Nginx
     with this file once), as the manager does at start-up before it uses the Lua balancer. -->
# Rendered by lb-manager. Peer lists live in the shared dict lbm_peers, one entry per service
# ("host:port:weight host:port:weight ...", with zones "host:port:weight:zone ... panic=N");
# the agent replaces them through /_lbm/peers.
lua_shared_dict lbm_peers ${peersDictMb}m;
# Requests and 5xx answers per service since Nginx started, two counters per service of the config
# (about 2 MB at 10,000 services; two more per service with zones: local and spilled requests);
# the agent reads them through /_lbm/stats.
lua_shared_dict lbm_stats 8m;
# Hibernated services ("h:<id>"), their held requests ("q:<id>") and wake requests ("w:<id>"): three
# short keys per hibernated service (about 3,000 hibernated services per MB); the agent fills it through
# /_lbm/hibernation.
lua_shared_dict lbm_hibernation 2m;
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
    local zones = {}     -- zone-aware routing: see the "Zones" block below

    local function parse(raw)
        local list = {}
        for token in string.gmatch(raw, "%S+") do
            local host, port, weight, zone = zones.match_peer(token, PEER)
            if host then
                list[#list + 1] = { host = host, port = tonumber(port), weight = tonumber(weight),
                                    current = 0, key = host .. ":" .. port, zone = zone }
            end
        end
        zones.note_list(list, raw)
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

    -- Zones: each Nginx prefers the peers of its own zone (LBM_ZONE of its task, kept by the
    -- "env LBM_ZONE;" of lbm-modules.conf) while at least panic=N percent of them are not marked down,
    -- and spreads over every zone by weight otherwise, or when its zone has no peers. A retry
    -- stays in the zone while an untried healthy peer is left there. Counts per service which it did.
    do
        local ZONED_PEER = "^(%d+%.%d+%.%d+%.%d+):(%d+):(%d+):([a-z0-9-]+)$"
        local own = os.getenv("LBM_ZONE")
        if own ~= nil and not (string.match(own, "^[a-z0-9-]+$") and #own <= 32) then
            ngx.log(ngx.ERR, "lbm: LBM_ZONE '", string.sub(own, 1, 40), "' is not a zone name; routing without zones")
            own = nil
        end
        zones.own = own

        function zones.match_peer(token, plain)
            local host, port, weight = string.match(token, plain)
            if host then
                return host, port, weight, nil
            end
            local zhost, zport, zweight, zone = string.match(token, ZONED_PEER)
            if zhost and #zone <= 32 then
                return zhost, zport, zweight, zone
            end
            return nil
        end

        function zones.is_option(token)
            local percent = string.match(token, "^panic=(%d+)$")
            return percent ~= nil and tonumber(percent) <= 100
        end

        -- Called by parse: the list's own-zone peers and panic threshold, once per change of the list.
        function zones.note_list(list, raw)
            local percent = string.match(raw, "panic=(%d+)")
            list.panic = tonumber(percent or "50")
            list.zoned = false
            local mine = {}
            for _, peer in ipairs(list) do
                if peer.zone ~= nil then
                    list.zoned = true
                end
                if own ~= nil and peer.zone == own then
                    mine[#mine + 1] = peer
                end
            end
            list.own_zone = mine
        end

        -- The peer to try next when the own zone is healthy enough and has an untried healthy peer, else nil.
        function zones.pick(service, list, tried, now, pick, is_down)
            local mine = list.own_zone
            if mine == nil or #mine == 0 then
                return nil
            end
            local healthy, untried = 0, {}
            for _, peer in ipairs(mine) do
                if not is_down(service .. "|" .. peer.key, now) then
                    healthy = healthy + 1
                    if not tried[peer.key] then
                        untried[#untried + 1] = peer
                    end
                end
            end
            if healthy == 0 or healthy * 100 < list.panic * #mine or #untried == 0 then
                return nil
            end
            return pick(service, untried, tried, now)
        end

        -- Log phase: "zl:<service>" requests answered in the own zone, "zs:<service>" spilled to another.
        function zones.count(service)
            if own == nil or ngx.ctx.lbm_tried == nil then
                return
            end
            local list = peers_of(service)
            if list == nil or not list.zoned then
                return
            end
            stats_dict:incr((ngx.ctx.lbm_zone_peer == own and "zl:" or "zs:") .. service, 1, 0)
        end

        -- Lines of /_lbm/stats the agent reads besides the services': "@zone <own zone>" and
        -- "@zoned <service> <local> <spilled>" (lines starting with @ are skipped by older readers).
        function zones.report(services, lines)
            if own == nil then
                return
            end
            lines[#lines + 1] = "@zone " .. own
            for service in pairs(services) do
                local spread_local, spilled = stats_dict:get("zl:" .. service), stats_dict:get("zs:" .. service)
                if spread_local or spilled then
                    lines[#lines + 1] = "@zoned " .. service .. " " .. (spread_local or 0) .. " " .. (spilled or 0)
                end
            end
        end
    end

    lbm = {}

    -- Access phase: a service without peers answers like a statically rendered one does.
    function lbm.require_peers(service)
        ngx.ctx.lbm_service = service
        local list = peers_of(service)
        if (list == nil or #list == 0) and not lbm.hold_until_awake(service) then
            ngx.status = 503
            ngx.header["Content-Type"] = "application/json"
            ngx.print('{"error":"no_upstreams","service":"', service,
                      '","message":"service ', service, ' has no registered upstreams"}\n')
            return ngx.exit(503)
        end
    end

    -- Hibernation (io.lbmanager.hibernation) ------------------------------------------------------
    -- A request for a hibernated service without peers waits here for the service's first instance,
    -- up to the service's wake timeout, with at most its max held requests waiting per Nginx; the
    -- first request of a wake timeout leaves a "w:" key, which the agent reports to the manager.
    local hibernation_dict = ngx.shared.lbm_hibernation
    local HOLD_POLL_SECONDS = 0.05
    local HIBERNATED_LINE = "^([a-z0-9][a-z0-9_-]*) (%d+) (%d+)$"

    local function waking_503(service, retry_after, reason)
        ngx.status = 503
        ngx.header["Retry-After"] = tostring(retry_after)
        ngx.header["Content-Type"] = "application/json"
        ngx.print('{"error":"', reason, '","service":"', service, '","message":"service ', service,
                  ' is hibernated and waking up; retry in ', retry_after, ' s"}\n')
        return ngx.exit(503)
    end

    -- Access phase, a service without peers: false when it is not hibernated; true once it has peers;
    -- else it answers 503 with Retry-After (at once when too many requests wait, or after the wait).
    function lbm.hold_until_awake(service)
        local setting = hibernation_dict and hibernation_dict:get("h:" .. service)
        if setting == nil then
            return false
        end
        local wait, max_held = string.match(setting, "^(%d+) (%d+)$")
        wait, max_held = tonumber(wait), tonumber(max_held)
        hibernation_dict:add("w:" .. service, ngx.now(), wait)
        local held = hibernation_dict:incr("q:" .. service, 1, 0)
        if held == nil or held > max_held then
            if held ~= nil then
                hibernation_dict:incr("q:" .. service, -1)
            end
            return waking_503(service, wait, "waking_queue_full")
        end
        local deadline = ngx.now() + wait
        local list = peers_of(service)
        while (list == nil or #list == 0) and ngx.now() < deadline do
            ngx.sleep(HOLD_POLL_SECONDS)
            list = peers_of(service)
        end
        hibernation_dict:incr("q:" .. service, -1)
        if list == nil or #list == 0 then
            return waking_503(service, wait, "waking_timeout")
        end
        return true
    end

    -- POST /_lbm/hibernation, one line per hibernated service: "<service id> <wait seconds> <max held>".
    -- Replaces the set of hibernated services; answers the ones asked to wake, one per line.
    function lbm.hibernation_exchange()
        if ngx.req.get_method() ~= "POST" then
            ngx.status = 405
            ngx.say("POST one line per hibernated service: <service id> <wait seconds> <max held requests>")
            return ngx.exit(405)
        end
        ngx.req.read_body()
        local body = ngx.req.get_body_data() or ""
        local hibernated = {}
        for line in string.gmatch(body, "[^\n]+") do
            local service, wait, max_held = string.match(line, HIBERNATED_LINE)
            if service == nil or tonumber(wait) < 1 then
                ngx.status = 400
                ngx.say("not '<service id> <wait seconds> <max held requests>': ", string.sub(line, 1, 80))
                return ngx.exit(400)
            end
            hibernated[service] = wait .. " " .. max_held
        end
        for service, setting in pairs(hibernated) do
            local ok, err = hibernation_dict:safe_set("h:" .. service, setting)
            if not ok then
                ngx.status = 507
                ngx.say("lbm_hibernation is full (", err, ") storing service ", service)
                return ngx.exit(507)
            end
        end
        local wake = {}
        for _, key in ipairs(hibernation_dict:get_keys(0)) do
            local kind, service = string.match(key, "^([hw]):(.+)$")
            if hibernated[service] == nil and (kind == "h" or kind == "w") then
                hibernation_dict:delete(key) -- awake again: its next hibernation starts without a wake request
            elseif kind == "w" and hibernated[service] ~= nil then
                wake[#wake + 1] = service
            end
        end
        ngx.print(table.concat(wake, "\n"), #wake > 0 and "\n" or "")
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
        local peer = zones.pick(service, list, tried, now, pick, is_down) or pick(service, list, tried, now)
        tried[peer.key] = true
        ctx.lbm_zone_peer = peer.zone
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
        zones.count(service)
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
        zones.report(services, lines)
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
                local host, port, weight = zones.match_peer(token, PEER)
                if zones.is_option(token) then
                    host, port, weight = "0.0.0.0", "1", "1"
                end
                if host == nil or tonumber(port) < 1 or tonumber(port) > 65535 or tonumber(weight) < 1 then
                    ngx.status = 400
                    ngx.say("service ", service, ": peer '", string.sub(token, 1, 60), "' is not ipv4:port:weight[:zone] or panic=0..100")
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
