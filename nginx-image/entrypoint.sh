#!/bin/sh
# Runs the lb-manager agent, which starts and supervises Nginx (see `java -jar lb-manager.jar agent --help`).
#
# Contract (environment; the container runs with host networking, ports come from the fleet):
#   PORT0         required  the port Nginx serves traffic on
#   PORT1         required  the port of Nginx's loopback-only admin location
#   LBM_ZK        required  ZooKeeper connect string, e.g. 127.0.0.1:2181
#   LBM_GROUP     required  the load-balancer group this Nginx belongs to
#   LBM_ZK_ROOT   optional  root of lb-manager's nodes in ZooKeeper (default /lb-manager)
#   LBM_AGENT_ID  optional  this agent's id in the group, unique in it (default $TASK_ID under
#                           Singularity, else <hostname>-<PORT0>: host networking shares the hostname)
#   LBM_HOST      optional  the address this agent reports (default $TASK_HOST under Singularity, else 127.0.0.1)
#   LBM_ZK_AUTH   optional  user:password for ZooKeeper ACLs (the manager's zookeeper.auth.agent)
#   LBM_SIGNING_PUBLIC_KEY  optional  the manager's Ed25519 public key (base64 or PEM); with it, only
#                           versions the manager signed are served (or LBM_SIGNING_PUBLIC_KEY_FILE: a PEM file)
#   LBM_ZONE      optional  the zone this Nginx runs in: its Lua balancer prefers upstreams of it
#   JAVA_OPTS     optional  JVM options (default -Xmx96m -XX:+UseSerialGC)
# Arguments are passed to the agent. `docker run IMAGE nginx -V` (or any other program on
# PATH) runs that program instead, for debugging.
set -eu

if [ $# -gt 0 ] && [ "${1#-}" = "$1" ] && command -v "$1" >/dev/null 2>&1; then
  exec "$@"
fi

case " $* " in
  *" --help "*|*" -h "*) ;;
  *)
    missing=""
    for v in PORT0 PORT1 LBM_ZK LBM_GROUP; do
      eval "val=\${$v:-}"
      [ -n "$val" ] || missing="$missing $v"
    done
    if [ -n "$missing" ]; then
      echo "entrypoint: missing required environment:$missing (see /opt/lb-manager/entrypoint.sh)" >&2
      exit 64
    fi
    for v in PORT0 PORT1; do
      eval "val=\$$v"
      case "$val" in
        ''|*[!0-9]*) echo "entrypoint: $v must be a port number, not '$val'" >&2; exit 64;;
      esac
      if [ "$val" -lt 1 ] || [ "$val" -gt 65535 ]; then
        echo "entrypoint: $v must be a port number, not '$val'" >&2; exit 64
      fi
    done
    ;;
esac

export LBM_ZK_ROOT="${LBM_ZK_ROOT:-/lb-manager}"
export LBM_AGENT_ID="${LBM_AGENT_ID:-${TASK_ID:-$(hostname 2>/dev/null || echo agent)-${PORT0:-0}}}"
export LBM_HOST="${LBM_HOST:-${TASK_HOST:-127.0.0.1}}"

# shellcheck disable=SC2086
exec java ${JAVA_OPTS:--Xmx96m -XX:+UseSerialGC} -jar /opt/lb-manager/lb-manager.jar agent "$@"
