# Host set-up shared by .ci/run and demo.sh (source it; it runs nothing by itself).
# What a Debian 12 / Ubuntu host needs for lb-manager, how to install it without letting a package
# start a service, and how to get exactly one answering Docker engine.
# The caller defines log MESSAGE and die MESSAGE (which writes to stderr and exits), and calls host_stop_what_we_started on exit.
#
#   host_missing_packages [tests]   prints the missing Debian packages, one a line ("tests" adds the
#                                   dashboard's browser-test packages)
#   host_install_packages PKG...    apt-get install, no service started while installing (root)
#   host_use_jdk17                  puts a JDK 17+ first on PATH (after installing one), or dies
#   host_docker_plan                prints what host_ensure_docker would do: reuse | wait PID |
#                                   systemd | dockerd; dies when no local engine may be started
#   host_ensure_docker              reuses the engine that answers or starts exactly one (root)
#   host_stop_what_we_started       stops only the dockerd / docker.service this shell started
#
# Env: DOCKER_HOST (never start a local engine for a remote one), LBM_BASE_BUILD (offline, the
# default, needs debootstrap), LBM_DOCKERD_LOG (default $TMPDIR/lbm-dockerd.log),
# LBM_DOCKER_WAIT_SECONDS (default 60), LBM_DOCKER_RUN_DIR (default /var/run: docker.sock, docker.pid).

host_dockerd_pid=""      # set only when this shell started dockerd
host_dockerd_systemd=0   # set only when this shell started docker.service
host_policy_rc_created=0
host_dockerd_log="${LBM_DOCKERD_LOG:-${TMPDIR:-/tmp}/lbm-dockerd.log}"
host_docker_wait="${LBM_DOCKER_WAIT_SECONDS:-60}"
host_docker_run_dir="${LBM_DOCKER_RUN_DIR:-/var/run}"

host_docker_answers() { timeout 20 docker info >/dev/null 2>&1; }
host_pkg_installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }
host_java_major() { javac -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p'; }

host_missing_packages() {
  local need=()
  command -v docker >/dev/null || need+=(docker.io)
  if ! { command -v docker >/dev/null && host_docker_answers; } && [ -z "${DOCKER_HOST:-}" ]; then
    command -v dockerd >/dev/null || need+=(docker.io)
  fi
  if [ "${LBM_BASE_BUILD:-offline}" = offline ]; then
    command -v debootstrap >/dev/null || need+=(debootstrap)
  fi
  command -v nginx >/dev/null || need+=(nginx)
  # Every nginx -t of the manager runs in a bubblewrap jail (nginx.jail: bwrap).
  command -v bwrap >/dev/null || need+=(bubblewrap)
  # The Lua balancer: upstream changes without a reload (lua-cjson is not pulled in by the others).
  local p
  for p in libnginx-mod-http-lua lua-resty-core lua-cjson; do host_pkg_installed "$p" || need+=("$p"); done
  if ! command -v javac >/dev/null || [ -z "$(host_java_major)" ] || [ "$(host_java_major)" -lt 17 ]; then
    need+=(openjdk-17-jdk-headless)
  fi
  command -v mvn >/dev/null || need+=(maven)
  if [ "${1:-}" = tests ]; then
    # The dashboard's browser tests: headless Chromium (Selenium) and Firefox ESR (Marionette), from
    # Debian packages only; fonts for readable screenshots.
    command -v chromium >/dev/null || need+=(chromium)
    command -v chromedriver >/dev/null || need+=(chromium-driver)
    command -v firefox-esr >/dev/null || need+=(firefox-esr)
    host_pkg_installed fonts-liberation || need+=(fonts-liberation)
  fi
  [ "${#need[@]}" -eq 0 ] || printf '%s\n' "${need[@]}" | sort -u
}

host_install_packages() {
  [ "$#" -gt 0 ] || return 0
  # Let no package start a service while installing (docker.io would start a dockerd of its own).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
    host_policy_rc_created=1
  fi
  log "installing missing packages: $*"
  DEBIAN_FRONTEND=noninteractive apt-get -q update
  DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 install --no-install-recommends "$@"
  if [ "$host_policy_rc_created" = 1 ]; then rm -f /usr/sbin/policy-rc.d; host_policy_rc_created=0; fi
  log "packages installed"
}

host_use_jdk17() {
  if [ -z "$(host_java_major)" ] || [ "$(host_java_major)" -lt 17 ]; then
    local javac_path
    javac_path="$(readlink -f /usr/lib/jvm/java-17-openjdk-*/bin/javac 2>/dev/null | head -1)"
    if [ -n "$javac_path" ]; then
      JAVA_HOME="$(dirname "$(dirname "$javac_path")")"
      export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
    fi
  fi
  [ "$(host_java_major)" -ge 17 ] 2>/dev/null || die "need a JDK 17 or newer; javac says: $(javac -version 2>&1)"
}

host_docker_plan() {
  if host_docker_answers; then echo reuse; return; fi
  local info
  info="$(command -v docker >/dev/null && timeout 20 docker info 2>&1)" || true
  if grep -qi 'permission denied' <<<"$info"; then
    die "dockerd runs but this user may not use it: run as root, or join the docker group (usermod -aG docker $(id -un)) and log in again"
  fi
  [ -z "${DOCKER_HOST:-}" ] || die "DOCKER_HOST=$DOCKER_HOST does not answer; not starting a local dockerd"
  local running
  if running="$(pgrep -x dockerd)"; then
    echo "wait $(echo $running)"
  elif [ -d /run/systemd/system ] && systemctl cat docker.service >/dev/null 2>&1; then
    echo systemd
  else
    echo dockerd
  fi
}

host_wait_for_docker() { # SECONDS_MAX [PID]
  local i
  for i in $(seq 1 "$1"); do
    host_docker_answers && return 0
    if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then return 1; fi
    sleep 1
  done
  return 1
}

host_ensure_docker() {
  local plan
  plan="$(host_docker_plan)" || exit 1
  case "$plan" in
    reuse)
      log "reusing the running Docker engine $(docker version -f '{{.Server.Version}}' 2>/dev/null)"
      return 0 ;;
    wait\ *)
      # Never start a second daemon: it would delete the first one's docker0 bridge.
      log "a dockerd is running (pid ${plan#wait }) but does not answer yet; waiting up to $host_docker_wait s"
      host_wait_for_docker "$host_docker_wait" || die "dockerd (pid ${plan#wait }) runs but does not answer; not starting a second one. Restart it or check its log."
      log "the running dockerd answers now" ;;
    systemd)
      log "starting docker.service (systemd)"
      host_dockerd_systemd=1
      systemctl start docker.service || die "systemctl start docker.service failed: see journalctl -u docker"
      host_wait_for_docker "$host_docker_wait" || die "docker.service started but dockerd does not answer: see journalctl -u docker" ;;
    dockerd)
      if [ -S "$host_docker_run_dir/docker.sock" ] || [ -e "$host_docker_run_dir/docker.pid" ]; then
        log "removing the stale $host_docker_run_dir/docker.sock and docker.pid left by a dead dockerd"
        rm -f "$host_docker_run_dir/docker.sock" "$host_docker_run_dir/docker.pid"
      fi
      log "starting dockerd (log: $host_dockerd_log)"
      dockerd >"$host_dockerd_log" 2>&1 &
      host_dockerd_pid=$!
      if ! host_wait_for_docker "$host_docker_wait" "$host_dockerd_pid"; then
        tail -20 "$host_dockerd_log" >&2 || true
        die "dockerd did not answer within $host_docker_wait s (log: $host_dockerd_log)"
      fi ;;
  esac
  log "Docker engine $(docker version -f '{{.Server.Version}}' 2>/dev/null) is up"
}

# The commands a root user would run for what is missing, for callers that may not run them.
host_commands_for() { # PLAN PKG...
  local plan="$1"; shift
  if [ "$#" -gt 0 ]; then
    echo "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $*"
  fi
  case "$plan" in
    systemd) echo "systemctl start docker.service" ;;
    dockerd) echo "dockerd >$host_dockerd_log 2>&1 &" ;;
    *) ;;
  esac
}

host_stop_what_we_started() {
  if [ -n "$host_dockerd_pid" ]; then
    log "stopping the dockerd this run started (pid $host_dockerd_pid)"
    kill -TERM "$host_dockerd_pid" 2>/dev/null || true
    local _
    for _ in $(seq 1 30); do kill -0 "$host_dockerd_pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$host_dockerd_pid" 2>/dev/null; then
      log "dockerd did not stop within 30 s; killing it"
      kill -KILL "$host_dockerd_pid" 2>/dev/null || true
    fi
    wait "$host_dockerd_pid" 2>/dev/null || true  # its status is 143: killed as asked
    host_dockerd_pid=""
  elif [ "$host_dockerd_systemd" = 1 ]; then
    log "stopping docker.service, which this run started"
    systemctl stop docker.service docker.socket 2>/dev/null || true
    host_dockerd_systemd=0
  fi
  if [ "$host_policy_rc_created" = 1 ]; then rm -f /usr/sbin/policy-rc.d; host_policy_rc_created=0; fi
}
