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
# Routes of the services Lua routes (issue 14): "<base path>" -> route line, "service:<id>" -> base path,
# "#version" -> the table version; the agent replaces them through /_lbm/routes (nginx.routesDictMb).
lua_shared_dict lbm_routes ${routesDictMb}m;
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

    -- ===== Routes without a reload (issue 14): lbm.route, lbm.balance_routed, /_lbm/routes =====
    -- A route line: "<service id> <base path> <profile> <connectMs> <sendMs> <readMs> <maxFails> <failTimeoutS> <strip 0|1>",
    -- checked with the rules of contract/RouteLine. The profiles the loaded config renders are in
    -- $lbm_profiles (" <profile>:<clientMaxBodySizeMb> ... "); a route naming another one is refused and never executed.
    local routes_dict = ngx.shared.lbm_routes
    local ROUTES_VERSION = "#version"
    local routes_parsed = {}   -- per worker: service id -> { raw = line, route = parsed }
    local profiles_seen = { raw = nil, set = {} }

    local function route_number(text, min, max)
        if text == nil or not string.match(text, "^%d%d?%d?%d?%d?%d?%d?%d?%d?$") then
            return nil
        end
        local value = tonumber(text)
        if value < min or value > max then
            return nil
        end
        return value
    end

    local function is_service_id(text)
        return text ~= nil and #text <= 63 and string.match(text, "^[a-z0-9][a-z0-9_-]*$") ~= nil
    end

    local function is_base_path(path)
        if path == "/" then
            return true
        end
        if #path > 512 or not string.match(path, "^[/A-Za-z0-9._~-]+$") or string.sub(path, 1, 1) ~= "/"
                or string.sub(path, -1) == "/" then
            return false
        end
        for segment in string.gmatch(path, "/([^/]*)") do
            if segment == "" or segment == "." or segment == ".." then
                return false
            end
        end
        return true
    end

    -- The route of a line, or nil and which field is wrong.
    local function parse_route(line)
        if #line > 1024 then
            return nil, "route line is longer than 1,024 characters"
        end
        local f = {}
        for field in string.gmatch(line .. " ", "([^ ]*) ") do
            f[#f + 1] = field
        end
        if #f ~= 9 then
            return nil, "route line has " .. #f .. " space-separated fields, not 9"
        end
        if not is_service_id(f[1]) then return nil, "route field serviceId is not allowed" end
        if not is_base_path(f[2]) then return nil, "route field basePath is not allowed" end
        if not string.match(f[3], "^p[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]$") then
            return nil, "route field profile is not allowed"
        end
        local connect = route_number(f[4], 1, 86400000)
        local send = route_number(f[5], 1, 86400000)
        local read = route_number(f[6], 1, 86400000)
        local max_fails = route_number(f[7], 0, 1000)
        local fail_timeout = route_number(f[8], 0, 86400)
        if not connect then return nil, "route field connectTimeoutMs is not allowed" end
        if not send then return nil, "route field sendTimeoutMs is not allowed" end
        if not read then return nil, "route field readTimeoutMs is not allowed" end
        if not max_fails then return nil, "route field maxFails is not allowed" end
        if not fail_timeout then return nil, "route field failTimeoutSeconds is not allowed" end
        if f[9] ~= "0" and f[9] ~= "1" then return nil, "route field stripBasePath is not allowed" end
        return { service = f[1], base = f[2], profile = f[3], connect = connect / 1000, send = send / 1000,
                 read = read / 1000, max_fails = max_fails, fail_timeout = fail_timeout, strip = f[9] == "1" }
    end

    local function parsed_route(line)
        local service = string.match(line, "^(%S+)")
        local entry = routes_parsed[service]
        if entry == nil or entry.raw ~= line then
            entry = { raw = line, route = parse_route(line) }
            routes_parsed[service] = entry
        end
        return entry.route
    end

    -- The profiles of the loaded config: name -> body size limit in bytes (0: none).
    local function loaded_profiles()
        local raw = ngx.var.lbm_profiles or ""
        if profiles_seen.raw ~= raw then
            local set = {}
            for name, mb in string.gmatch(raw, "(p%x+):(%d+)") do
                set[name] = tonumber(mb) * 1048576
            end
            profiles_seen = { raw = raw, set = set }
        end
        return profiles_seen.set
    end

    -- What the file-rendered location of the route sends upstream: the request URI as the client
    -- sent it, or with the base path stripped the normalized URI, escaped as Nginx escapes it.
    local function upstream_uri(route, uri)
        if not route.strip then
            return ngx.var.request_uri
        end
        local rest = uri
        if route.base ~= "/" then
            rest = string.sub(uri, #route.base + 1)
            if rest == "" then
                rest = "/"
            end
        end
        local raw_path = string.match(ngx.var.request_uri, "^[^?]*")
        if string.find(raw_path, "%", 1, true) then
            rest = ngx.escape_uri(rest, 0)
        end
        local args = ngx.var.args
        if args ~= nil and args ~= "" then
            return rest .. "?" .. args
        end
        return rest
    end

    -- Content of location / when no route matches: what it answers without routes.
    function lbm.not_found()
        ngx.status = 404
        ngx.header["Content-Type"] = "application/json"
        ngx.print('{"error":"not_found","message":"no service is routed at this path"}\n')
        return ngx.exit(404)
    end

    -- Access phase of location /: the longest base path in lbm_routes that the URI is or starts
    -- with at a "/" boundary; on a match runs the route's profile location, else returns (404).
    function lbm.route()
        local uri = ngx.var.uri
        local candidate = uri
        local line
        while true do
            line = routes_dict:get(candidate)
            if line ~= nil or candidate == "/" then
                break
            end
            candidate = string.match(candidate, "^(.*)/[^/]*$")
            if candidate == nil or candidate == "" then
                candidate = "/"
            end
        end
        if line == nil then
            return
        end
        local route = parsed_route(line)
        local body_limit = route and loaded_profiles()[route.profile]
        if body_limit == nil then
            ngx.log(ngx.ERR, "lbm: route at ", candidate, " names a profile this config lacks: ", line)
            ngx.status = 503
            ngx.header["Content-Type"] = "application/json"
            ngx.print('{"error":"route_unavailable","message":"the route at this path needs a config Nginx has not loaded yet"}\n')
            return ngx.exit(503)
        end
        -- Nginx checks a declared body length against the first location only (location /, unlimited here).
        local length = body_limit > 0 and tonumber(ngx.var.http_content_length or "")
        if length and length > body_limit then
            ngx.log(ngx.ERR, "lbm: client intended to send too large body: ", length, " bytes for service ", route.service)
            return ngx.exit(413)
        end
        lbm.require_peers(route.service)
        ngx.var.lbm_service = route.service
        ngx.var.lbm_upstream_uri = upstream_uri(route, uri)
        return ngx.exec("@lbm_" .. route.profile)
    end

    -- Balancer of every profile upstream: the routed service's timeouts and passive health, then lbm.balance.
    function lbm.balance_routed()
        local service = ngx.var.lbm_service
        local base = service and routes_dict:get("service:" .. service)
        local line = base and routes_dict:get(base)
        local route = line and parsed_route(line)
        if route == nil or route.service ~= service then
            ngx.log(ngx.ERR, "lbm: no route for service ", tostring(service), " in the balancer")
            return ngx.exit(502)
        end
        ngx.ctx.lbm_service = service
        balancer.set_timeouts(route.connect, route.send, route.read)
        return lbm.balance(service, route.max_fails, route.fail_timeout)
    end

    local function routes_answer(status, text)
        ngx.status = status
        ngx.header["Content-Type"] = "text/plain"
        ngx.say(text)
        return ngx.exit(status)
    end

    local function route_lines()
        local lines = {}
        for _, key in ipairs(routes_dict:get_keys(0)) do
            if string.sub(key, 1, 1) == "/" then
                local line = routes_dict:get(key)
                if line then
                    lines[#lines + 1] = line
                end
            end
        end
        table.sort(lines)
        return lines
    end

    local function request_body()
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
        return body or ""
    end

    local function sets_route(route, line)
        local old = routes_dict:get("service:" .. route.service)
        if old ~= nil and old ~= route.base then
            local there = routes_dict:get(old)
            if there and string.match(there, "^(%S+)") == route.service then
                routes_dict:delete(old)
            end
        end
        local ok, err = routes_dict:safe_set(route.base, line)
        if ok then
            ok, err = routes_dict:safe_set("service:" .. route.service, route.base)
        end
        return ok, err
    end

    local function removes_route(service)
        local base = routes_dict:get("service:" .. service)
        if base ~= nil then
            local there = routes_dict:get(base)
            if there and string.match(there, "^(%S+)") == service then
                routes_dict:delete(base)
            end
        end
        routes_dict:delete("service:" .. service)
    end

    -- GET /_lbm/routes: "version <n>" (or "version none"), then every route line.
    -- POST /_lbm/routes: "table <version>" or "delta <from> <to>", then route lines and "- <service id>"
    -- removals. Every line and profile is checked before anything is applied.
    function lbm.update_routes()
        local method = ngx.req.get_method()
        if method == "GET" then
            local lines = route_lines()
            ngx.header["Content-Type"] = "text/plain"
            ngx.print("version ", routes_dict:get(ROUTES_VERSION) or "none", "\n", table.concat(lines, "\n"), #lines > 0 and "\n" or "")
            return
        end
        if method ~= "POST" then
            return routes_answer(405, "GET, or POST 'table <version>' or 'delta <from> <to>' then route lines")
        end
        local body = request_body()
        local header, rest = string.match(body, "^([^\n]*)\n?(.*)$")
        local whole = string.match(header or "", "^table (%d+)$")
        local from, to = string.match(header or "", "^delta (%d+) (%d+)$")
        local version = whole or to
        if version == nil or #version > 15 or (from and #from > 15) then
            return routes_answer(400, "line 1: not 'table <version>' or 'delta <from> <to>': " .. string.sub(header or "", 1, 80))
        end
        local changes, at_path, at_service = {}, {}, {}
        local known = loaded_profiles()
        local number = 1
        for line in string.gmatch(rest, "[^\n]+") do
            number = number + 1
            local removed = string.match(line, "^%- (.*)$")
            if removed ~= nil then
                if whole or not is_service_id(removed) then
                    return routes_answer(400, "line " .. number .. ": " .. (whole and "a whole table has no removals"
                        or "not a service id") .. ": " .. string.sub(line, 1, 80))
                end
                changes[#changes + 1] = { remove = removed }
            else
                local route, why = parse_route(line)
                if route == nil then
                    return routes_answer(400, "line " .. number .. ": " .. why .. ": " .. string.sub(line, 1, 80))
                end
                if at_path[route.base] or at_service[route.service] then
                    return routes_answer(400, "line " .. number .. ": service " .. route.service .. " or base path "
                        .. route.base .. " appears twice")
                end
                at_path[route.base], at_service[route.service] = true, true
                changes[#changes + 1] = { route = route, line = line }
            end
        end
        for _, change in ipairs(changes) do
            if change.route and not known[change.route.profile] then
                return routes_answer(422, "unknown profile " .. change.route.profile)
            end
        end
        local current = routes_dict:get(ROUTES_VERSION)
        if from and current ~= tonumber(from) then
            return routes_answer(409, "at " .. (current or "none"))
        end
        for _, change in ipairs(changes) do
            local ok, err = true, nil
            if change.remove then
                removes_route(change.remove)
            else
                ok, err = sets_route(change.route, change.line)
            end
            if not ok then
                routes_dict:delete(ROUTES_VERSION)
                return routes_answer(507, "lbm_routes is full (" .. tostring(err) .. "); raise nginx.routesDictMb")
            end
        end
        if whole then
            for _, key in ipairs(routes_dict:get_keys(0)) do
                local service = string.match(key, "^service:(.+)$")
                if (service and not at_service[service]) or (string.sub(key, 1, 1) == "/" and not at_path[key]) then
                    routes_dict:delete(key)
                end
            end
        end
        routes_dict:set(ROUTES_VERSION, tonumber(version))
        ngx.say(tonumber(version))
    end
}
log_by_lua_block { lbm.count() }
</#noparse>
