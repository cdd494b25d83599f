#!/usr/bin/env bash
# Runs ./demo.sh, as root, in a clean Debian 12 container (debootstrap minbase + procps; no JDK,
# Maven, nginx, Lua modules, bubblewrap or Docker CLI), with this checkout's committed tree, and
# checks that it installs what it needs, builds, and prints a block whose every address answers.
# Not part of CI: it downloads about 400 MB of packages and all Maven dependencies (about 5 min here).
# See docs/fresh-machine.md.
#
# Usage (root, on a host with a running Docker engine and debootstrap):
#   bash scripts/fresh-machine-check.sh
# The container uses the host's network (the Nginx containers listen on 127.0.0.1, as in the demo)
# and the host's Docker engine through its socket, so the engine answers and demo.sh reuses it:
# the dockerd start is not exercised here, and a base image the engine already has is reused.
# Env: LBM_DEBIAN_MIRROR (default http://deb.debian.org/debian), LBM_DEBIAN_SECURITY_MIRROR,
#      LBM_FRESH_MINUTES (default 40: until the block), LBM_CACHE_DIR (default ~/.cache/lb-manager: the clean rootfs).
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "[fresh-check $(date -u +%H:%M:%S)] $*"; }
die() { echo "fresh-check: ERROR: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap, docker import)"
command -v debootstrap >/dev/null || die "needs debootstrap on this host: apt-get install debootstrap"
timeout 20 docker info >/dev/null 2>&1 || die "the Docker engine does not answer"

mirror="${LBM_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security="${LBM_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
cache="${LBM_CACHE_DIR:-$HOME/.cache/lb-manager}"
clean_image=lb-manager/debian12-clean:minbase
run="fresh$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
image="lb-manager/nginx:$run"
work="$(mktemp -d "${TMPDIR:-/tmp}/lbm-fresh.XXXXXX")"
container="lbm-$run"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cleanup() {
  local rc=$?
  set +e
  docker rm -f "$container" >/dev/null 2>&1
  ids="$(docker ps -aq --filter "label=lb-manager.fleet=$run")"
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1
  docker image rm "$image" >/dev/null 2>&1
  rm -rf "$work"
  log "exit status $rc"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- a clean Debian 12 image, built without a registry -----------------------------------
if ! docker image inspect "$clean_image" >/dev/null 2>&1; then
  mkdir -p "$cache"
  tarball="$cache/debian12-clean-minbase.tar"
  if [ ! -s "$tarball" ]; then
    log "debootstrap --variant=minbase --include=procps bookworm from $mirror"
    debootstrap --variant=minbase --include=procps bookworm "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 \
      || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
    printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
      "$mirror" "$mirror" "$security" > "$work/root/etc/apt/sources.list"
    : > "$work/root/etc/resolv.conf"
    tar --numeric-owner -C "$work/root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$work/root"
  fi
  docker import -c 'CMD ["bash"]' -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$tarball" "$clean_image" >/dev/null
  log "built $clean_image"
fi

# --- the committed tree, as a fresh clone would have it ----------------------------------
mkdir -p "$work/src"
git archive --format=tar HEAD | tar -x -C "$work/src"
log "checking commit $(git rev-parse --short HEAD) in $clean_image"

# CAs this host added for a network that inspects HTTPS: ca-certificates (pulled in by the JDK)
# installs them in the container too, so Maven can download. A plain fresh machine has none.
cas=()
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  cas=(-v /usr/local/share/ca-certificates:/usr/local/share/ca-certificates:ro)
  log "the container gets this host's local CAs: $(cd /usr/local/share/ca-certificates && echo *.crt)"
fi
zk="$(free_port)"; api="$(free_port)"; admin="$(free_port)"
# seccomp and systempaths unconfined: Docker forbids the user namespaces and the /proc mount of the manager's
# bubblewrap jail (a fresh machine allows them; demo.sh says so when it cannot).
docker run -d --name "$container" --init --network host \
  --security-opt seccomp=unconfined --security-opt systempaths=unconfined "${cas[@]}" \
  -v /var/run/docker.sock:/var/run/docker.sock -v "$work/src:/lbm" -w /lbm \
  -e LBM_IMAGE="$image" -e LBM_DEMO_FLEET="$run" -e LBM_ZK_PORT="$zk" -e LBM_API_PORT="$api" -e LBM_ADMIN_PORT="$admin" \
  "$clean_image" ./demo.sh >/dev/null
log "demo.sh runs in container $container (docker logs -f $container)"

minutes="${LBM_FRESH_MINUTES:-40}"
deadline=$((SECONDS + minutes * 60))
until docker logs "$container" 2>&1 | grep -q '=== end of the lb-manager demo block ==='; do
  [ "$(docker inspect -f '{{.State.Running}}' "$container")" = true ] \
    || { docker logs --tail 60 "$container" >&2; die "demo.sh stopped before printing its block"; }
  [ "$SECONDS" -lt "$deadline" ] || { docker logs --tail 60 "$container" >&2; die "no block within $minutes minutes"; }
  sleep 10
done
out="$(docker logs "$container" 2>&1)"
block="$(sed -n '/=== lb-manager demo is serving ===/,/=== end of the lb-manager demo block ===/p' <<<"$out")"
echo "$block"
value() { sed -n "s/^  $1: *//p" <<<"$block"; }

fail=0
check() { # WHAT EXPECTED-STATUS CURL-ARGS...
  local what="$1" want="$2" got; shift 2
  got="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@")" || got="none"
  if [ "$got" = "$want" ]; then log "ok   $what ($got)"; else log "FAIL $what: $got, wanted $want"; fail=1; fi
}
grep -q 'demo: installing missing packages: ' <<<"$out" && log "ok   demo.sh installed: $(sed -n 's/.*installing missing packages: //p' <<<"$out" | head -1)" \
  || { log "FAIL demo.sh installed nothing in a clean container"; fail=1; }
token="$(value 'Admin token')"
zk_line="$(value ZooKeeper)"
[[ "$zk_line" == "127.0.0.1:$zk "* ]] && log "ok   ZooKeeper on 127.0.0.1:$zk" || { log "FAIL ZooKeeper line: $zk_line"; fail=1; }
[ "$(exec 3<>"/dev/tcp/127.0.0.1/$zk"; printf ruok >&3; cat <&3)" = imok ] && log "ok   ZooKeeper answers imok" || { log "FAIL ZooKeeper does not answer ruok"; fail=1; }
while read -r url _; do check "Nginx $url" 200 "$url"; done < <(value Nginx)
[ "$(value Nginx | grep -c 'upstreams dynamic)')" = 2 ] && log "ok   both Nginx run the Lua balancer" || { log "FAIL not both Nginx dynamic"; fail=1; }
check "dashboard" 200 "$(value Dashboard)"
check "API with the token" 200 -H "Authorization: Bearer $token" "$(value API)"
check "group status" 200 -H "Authorization: Bearer $token" "$(value 'Group status')"
[[ "$(value Upstreams)" == dynamic* ]] && log "ok   upstreams dynamic" || { log "FAIL upstreams: $(value Upstreams)"; fail=1; }

register="$(value Register)"
docker exec -d -w /lbm "$container" ${register} >/dev/null
for _ in $(seq 1 30); do
  curl -s -D - -o /dev/null --max-time 5 "$(value Nginx | head -1 | cut -d' ' -f1)" | grep -qi '^X-Backend: hello-' && break
  sleep 1
done
if for _ in $(seq 1 6); do curl -s -D - -o /dev/null --max-time 5 "$(value Nginx | head -1 | cut -d' ' -f1)"; done | grep -qi '^X-Backend: hello-'; then
  log "ok   the printed registration ($register) serves through Nginx"
else
  log "FAIL the printed registration does not serve through Nginx"; fail=1
fi

docker stop -t 60 "$container" >/dev/null
left="$(docker ps -aq --filter "label=lb-manager.fleet=$run" | wc -l)"
[ "$left" = 0 ] && log "ok   Ctrl-C removed the demo's Nginx containers" || { log "FAIL $left Nginx containers left"; fail=1; }
[ "$fail" = 0 ] || die "the fresh-machine check failed"
log "the fresh-machine check passed"
