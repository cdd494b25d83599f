#!/usr/bin/env bash
# Builds the base image (Debian bookworm + packages.txt) WITHOUT a container registry:
# debootstrap a minimal root filesystem from a Debian mirror, run install-packages.sh in a
# chroot (the same script Dockerfile.base runs), then `docker import` it. Same contents as
# Dockerfile.base. The root filesystem tarball is cached in $LBM_CACHE_DIR
# (default ~/.cache/lb-manager), named after the tag, so re-importing it takes seconds.
# Usage: build-base-offline.sh IMAGE_TAG     (normally called by build.sh)
# Needs: root, debootstrap, a running dockerd. Env: LBM_CACHE_DIR, LBM_DEBIAN_MIRROR,
# LBM_DEBIAN_SECURITY_MIRROR (default: taken from /etc/apt/sources.list*, else deb.debian.org).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 IMAGE_TAG" >&2; exit 2; }
tag="$1"
here="$(cd "$(dirname "$0")" && pwd)"
cache="${LBM_CACHE_DIR:-${HOME:-/root}/.cache/lb-manager}"
tarball="$cache/${tag//[:\/]/_}.tar"
log() { echo "[build-base-offline $(date +%H:%M:%S)] $*"; }
die() { echo "build-base-offline: ERROR: $*" >&2; exit 1; }

# The host's Debian mirrors, from one-line (`deb [opts] URI suite...`) and deb822 (`URIs:`)
# sources, ignoring comments.
host_uris() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | sed -e 's/#.*//' -e 's/\[[^]]*\]//' \
    | awk '$1 == "deb" { print $2 } $1 == "URIs:" { for (i = 2; i <= NF; i++) print $i }' || true
}
pick() { grep -E "^https?://[^ ]+/$1/?\$" | head -1 | sed 's#/$##' || true; }

mkdir -p "$cache"
if [ ! -s "$tarball" ]; then
  [ "$(id -u)" -eq 0 ] || die "debootstrap and chroot need root (run as root, or use LBM_BASE_BUILD=dockerfile where a registry is reachable)"
  command -v debootstrap >/dev/null || die "debootstrap is not installed: apt-get install debootstrap (or use LBM_BASE_BUILD=dockerfile where a registry is reachable)"
  uris="$(host_uris)"
  mirror="${LBM_DEBIAN_MIRROR:-$(pick debian <<<"$uris")}"
  security="${LBM_DEBIAN_SECURITY_MIRROR:-$(pick debian-security <<<"$uris")}"
  mirror="${mirror:-http://deb.debian.org/debian}"
  security="${security:-http://deb.debian.org/debian-security}"

  root="$(mktemp -d "${TMPDIR:-/tmp}/lbm-rootfs.XXXXXX")"
  cleanup() {
    # Never rm -rf a root with something still mounted in it.
    if mountpoint -q "$root/proc"; then
      umount "$root/proc" || { echo "build-base-offline: could not unmount $root/proc; leaving $root" >&2; return; }
    fi
    rm -rf "$root" "$tarball.tmp"
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  log "debootstrap --variant=minbase bookworm from $mirror (log: $root.debootstrap.log)"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 \
    || { tail -20 "$root.debootstrap.log" >&2; die "debootstrap failed (full log: $root.debootstrap.log)"; }
  log "installing $(sed -e 's/#.*//' "$here/packages.txt" | xargs) (security: $security)"
  mkdir -p "$root/tmp/lbm"
  cp "$here/install-packages.sh" "$here/packages.txt" "$root/tmp/lbm/"
  mount -t proc proc "$root/proc"
  chroot "$root" /bin/sh /tmp/lbm/install-packages.sh "$mirror" "$security" /tmp/lbm/packages.txt \
    >"$root.apt.log" 2>&1 \
    || { tail -30 "$root.apt.log" >&2; die "package installation in the chroot failed (full log: $root.apt.log)"; }
  umount "$root/proc"
  rm -rf "$root/tmp/lbm"
  # debootstrap copies the build host's resolver config and hostname: don't ship them.
  : > "$root/etc/resolv.conf"
  rm -f "$root/etc/hostname"
  log "packing the root filesystem"
  tar --numeric-owner -C "$root" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -f "$root.debootstrap.log" "$root.apt.log"
else
  log "reusing cached root filesystem $tarball"
fi
docker import \
  -c 'CMD ["bash"]' \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c "LABEL lb-manager.base-build=offline" \
  "$tarball" "$tag" >/dev/null
log "imported $tag"
