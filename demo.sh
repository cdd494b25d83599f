#!/usr/bin/env bash
# The whole set-up on a fresh Debian 12 (or Ubuntu) machine, then the main job on embedded defaults.
#
# As root it installs what is missing (scripts/host-setup.sh, the same packages and the same
# single-dockerd start as .ci/run; no package may start a service while installing) and starts
# dockerd when no engine answers; it asks nothing. As another user it never escalates by itself:
# when something needs root it prints the exact commands to run as root and exits with status 2.
# Then it builds the jar and the Nginx image if missing and starts the manager with an embedded
# ZooKeeper, an LB group "demo" of two Nginx containers on the local Docker engine and two sample
# backends registered through Curator x-discovery, and prints the block to copy (ZooKeeper, Nginx
# URLs, dashboard, API, admin token, a registration to run). Ctrl-C stops everything it started,
# including a dockerd it started; a running engine is reused and left running.
#
# Env: LBM_IMAGE      the Nginx + agent image to build and run (default lb-manager/nginx:dev)
#      LBM_ZK_PORT    the embedded ZooKeeper's port (default 2181; a free one, announced, if taken)
#      LBM_API_PORT   the API and dashboard port (default 8080)
#      LBM_ADMIN_PORT the admin port: health checks, metrics (default 8081)
#      LBM_DEMO_FLEET the label of the demo's Nginx containers (default demo)
set -euo pipefail
cd "$(dirname "$0")"
image="${LBM_IMAGE:-lb-manager/nginx:dev}"
jar=lb-manager/target/lb-manager.jar

log() { echo "demo: $*"; }
die() { echo "demo: ERROR: $*" >&2; exit 1; }
. scripts/host-setup.sh

java_pid=""
stop_all() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [ -n "$java_pid" ] && kill -0 "$java_pid" 2>/dev/null; then
    kill -TERM "$java_pid" 2>/dev/null
    wait "$java_pid" 2>/dev/null
  fi
  host_stop_what_we_started
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mapfile -t need < <(host_missing_packages)
if [ "$(id -u)" -ne 0 ]; then
  docker_plan="$(host_docker_plan 2>/dev/null)" || docker_plan=unusable  # host_ensure_docker says why
  if [ "${#need[@]}" -gt 0 ] || [ "$docker_plan" = systemd ] || [ "$docker_plan" = dockerd ]; then
    {
      echo "demo: this machine needs set-up that only root may do, and demo.sh never uses sudo by itself."
      echo "demo: run ./demo.sh as root (sudo ./demo.sh), or run these as root and then ./demo.sh again:"
      host_commands_for "$docker_plan" "${need[@]}" | sed 's/^/    /'
    } >&2
    exit 2
  fi
fi
if [ "${#need[@]}" -gt 0 ]; then
  host_install_packages "${need[@]}"
else
  log "all required packages are present; installing nothing"
fi
host_use_jdk17
# The manager checks every config with nginx -t in a bubblewrap jail and publishes nothing it could
# not check: say now, not as a stuck demo, when this host allows no jail.
if ! jail_err="$(bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev true 2>&1)"; then
  die "bubblewrap cannot make its jail here ($jail_err), so the manager would publish no config.
  In a Docker container: run it with --security-opt seccomp=unconfined --security-opt systempaths=unconfined.
  On a host: allow unprivileged user namespaces (Debian: sysctl -w kernel.unprivileged_userns_clone=1)."
fi
host_ensure_docker

if [ ! -f "$jar" ]; then
  log "building the jar (mvn -B -q package -DskipTests)"
  mvn -B -q package -DskipTests
fi
# build.sh is quick when the image already holds this jar; an image with an older agent would not
# understand the demo's ZooKeeper credentials and signing key.
if ! docker image inspect "$image" >/dev/null 2>&1; then
  log "building the Nginx image $image"
fi
bash nginx-image/build.sh "$image" "$jar"

java -Ddw.fleet.image="$image" \
  -Ddw.fleet.name="${LBM_DEMO_FLEET:-demo}" \
  -Ddw.zookeeper.embeddedPort="${LBM_ZK_PORT:-2181}" \
  "-Ddw.server.applicationConnectors[0].port=${LBM_API_PORT:-8080}" \
  "-Ddw.server.adminConnectors[0].port=${LBM_ADMIN_PORT:-8081}" \
  -jar "$jar" demo &
java_pid=$!
wait "$java_pid"
