#!/usr/bin/env bash
# Builds the Nginx + agent image: the base (Debian bookworm + packages.txt) if it is missing,
# then the app layer (Dockerfile: the base + the jar + entrypoint.sh).
#
# Usage: build.sh IMAGE_TAG JAR_PATH          e.g. build.sh lb-manager/nginx:dev lb-manager/target/lb-manager.jar
#
# The base is tagged lb-manager/nginx-base:<12 hex of a hash of its inputs> (packages.txt,
# install-packages.sh, Dockerfile.base, build-base-offline.sh): change any of them and a new
# base is built; nothing stale is reused. How it is built, when missing:
#   LBM_BASE_BUILD=offline     (default) debootstrap + docker import; no registry needed;
#                              needs root and debootstrap (or a cached tarball in LBM_CACHE_DIR)
#   LBM_BASE_BUILD=dockerfile  docker build -f Dockerfile.base; pulls LBM_DEBIAN_IMAGE
#                              (default debian:bookworm-slim)
# Other env: LBM_BASE_IMAGE (use this base as is, build nothing), LBM_CACHE_DIR,
# LBM_DEBIAN_MIRROR, LBM_DEBIAN_SECURITY_MIRROR.
# Quick when nothing changed: the image carries a label with the hash of its inputs (base id,
# jar, Dockerfile, entrypoint.sh) and is not rebuilt when that matches.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
log() { echo "[build.sh $(date +%H:%M:%S)] $*"; }
die() { echo "build.sh: ERROR: $*" >&2; exit 1; }

[ $# -eq 2 ] || { echo "usage: $0 IMAGE_TAG JAR_PATH" >&2; exit 2; }
image="$1"
jar="$2"
[ -f "$jar" ] || die "jar not found: $jar (build it first: mvn -B package)"

# --- is docker usable? -------------------------------------------------------------------
command -v docker >/dev/null || die "the docker CLI is not installed (Debian: apt-get install docker.io)"
if ! info_err="$(docker info --format '{{.ServerVersion}}' 2>&1 >/dev/null)"; then
  if grep -qi 'permission denied' <<<"$info_err"; then
    die "no permission to talk to dockerd ($info_err): run as root or join the docker group"
  elif [ -n "${DOCKER_HOST:-}" ]; then
    die "dockerd at DOCKER_HOST=$DOCKER_HOST is not answering: $info_err"
  elif [ -S /var/run/docker.sock ]; then
    die "/var/run/docker.sock exists but dockerd is not answering (daemon hung, still starting, or a stale socket): $info_err"
  else
    die "dockerd is not running (start it: 'systemctl start docker', or 'dockerd &' as root; .ci/run does this in CI)"
  fi
fi

# --- base --------------------------------------------------------------------------------
base_inputs=(packages.txt install-packages.sh Dockerfile.base build-base-offline.sh)
base_hash="$(cd "$here" && sha256sum "${base_inputs[@]}" | sha256sum | cut -c1-12)"
base="${LBM_BASE_IMAGE:-lb-manager/nginx-base:$base_hash}"
mode="${LBM_BASE_BUILD:-offline}"
case "$mode" in offline|dockerfile) ;; *) die "LBM_BASE_BUILD must be 'offline' or 'dockerfile', not '$mode'";; esac

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

if image_exists "$base"; then
  log "base $base is present"
elif [ -n "${LBM_BASE_IMAGE:-}" ]; then
  die "LBM_BASE_IMAGE=$LBM_BASE_IMAGE does not exist locally"
else
  # One base build at a time per hash, even across worktrees and concurrent Maven runs.
  exec 9>"${TMPDIR:-/tmp}/lb-manager-base-$base_hash.lock"
  if ! flock -n 9; then
    log "another build of $base is running; waiting for it"
    flock 9
  fi
  if image_exists "$base"; then
    log "base $base was built meanwhile"
  else
    start=$SECONDS
    log "building base $base ($mode)"
    if [ "$mode" = offline ]; then
      bash "$here/build-base-offline.sh" "$base"
    else
      ctx="$(mktemp -d)"
      trap 'rm -rf "$ctx"' EXIT
      cp "$here/Dockerfile.base" "$here/packages.txt" "$here/install-packages.sh" "$ctx/"
      args=(--build-arg "DEBIAN_IMAGE=${LBM_DEBIAN_IMAGE:-debian:bookworm-slim}")
      [ -n "${LBM_DEBIAN_MIRROR:-}" ] && args+=(--build-arg "DEBIAN_MIRROR=$LBM_DEBIAN_MIRROR")
      [ -n "${LBM_DEBIAN_SECURITY_MIRROR:-}" ] && args+=(--build-arg "DEBIAN_SECURITY_MIRROR=$LBM_DEBIAN_SECURITY_MIRROR")
      DOCKER_BUILDKIT=0 docker build --force-rm -f "$ctx/Dockerfile.base" "${args[@]}" \
        --label lb-manager.base-build=dockerfile -t "$base" "$ctx" \
        || die "docker build -f Dockerfile.base failed (no registry here? the default LBM_BASE_BUILD=offline needs none)"
      rm -rf "$ctx"
      trap - EXIT
    fi
    image_exists "$base" || die "base $base was not created"
    log "base $base built in $((SECONDS - start)) s"
  fi
  exec 9>&-
fi
base_id="$(docker image inspect -f '{{.Id}}' "$base")"

# --- app layer ---------------------------------------------------------------------------
app_hash="$( { echo "$base_id"; sha256sum < "$jar"; cd "$here" && sha256sum Dockerfile entrypoint.sh; } | sha256sum | cut -c1-12)"
prev_id="$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)"
if [ -n "$prev_id" ] && \
   [ "$(docker image inspect -f '{{index .Config.Labels "lb-manager.inputs"}}' "$image")" = "$app_hash" ]; then
  log "$image is up to date (same base, jar, Dockerfile and entrypoint): nothing to do"
  exit 0
fi

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
cp "$jar" "$ctx/lb-manager.jar"
cp "$here/Dockerfile" "$here/entrypoint.sh" "$ctx/"
chmod 755 "$ctx/entrypoint.sh"
chmod 644 "$ctx/lb-manager.jar"
log "building $image from $base and $jar"
DOCKER_BUILDKIT=0 docker build --force-rm -q --build-arg "BASE=$base" \
  --label "lb-manager.inputs=$app_hash" --label "lb-manager.base=$base" \
  -t "$image" "$ctx" >/dev/null
new_id="$(docker image inspect -f '{{.Id}}' "$image")"
log "built $image ($new_id)"

# The image this tag pointed to before is ours (it has our label); drop it if nothing else
# refers to it, so repeated builds don't pile up untagged images. Fails harmlessly if a
# container still uses it.
if [ -n "$prev_id" ] && [ "$prev_id" != "$new_id" ] && \
   [ -n "$(docker image inspect -f '{{index .Config.Labels "lb-manager.inputs"}}' "$prev_id" 2>/dev/null)" ] && \
   [ "$(docker image inspect -f '{{len .RepoTags}}' "$prev_id" 2>/dev/null)" = 0 ]; then
  docker rmi "$prev_id" >/dev/null 2>&1 && log "removed the previous, now untagged $image ($prev_id)" || true
fi
