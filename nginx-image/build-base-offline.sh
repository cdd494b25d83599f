#!/usr/bin/env bash
# Builds the base image (Debian bookworm + the packages in packages.txt) without a
# container registry: debootstrap a minimal root filesystem from the host's Debian
# mirror, install the packages in a chroot, then `docker import` it.
# Produces the same contents as Dockerfile.base does on a machine with a registry.
# Usage: build-base-offline.sh IMAGE_TAG
set -euo pipefail
tag="$1"
here="$(cd "$(dirname "$0")" && pwd)"
cache="${LBM_CACHE_DIR:-$HOME/.cache/lb-manager}"
mkdir -p "$cache"
tarball="$cache/${tag//[:\/]/_}.tar"

sources="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
mirror="$(grep -oE 'https?://[^ ]+/debian/?( |$)' <<<"$sources" | head -1 | tr -d ' ' || true)"
security="$(grep -oE 'https?://[^ ]+/debian-security/?' <<<"$sources" | head -1 || true)"
[ -n "$mirror" ] || { echo "build-base-offline: no Debian mirror found in /etc/apt/sources.list*" >&2; exit 1; }

if [ ! -s "$tarball" ]; then
  command -v debootstrap >/dev/null || { echo "build-base-offline: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
  root="$(mktemp -d /tmp/lbm-rootfs.XXXXXX)"
  cleanup() { umount "$root/proc" 2>/dev/null || true; rm -rf "$root"; }
  trap cleanup EXIT
  echo "build-base-offline: debootstrap bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >/tmp/lbm-debootstrap.log 2>&1 \
    || { tail -20 /tmp/lbm-debootstrap.log >&2; exit 1; }
  {
    echo "deb $mirror bookworm main"
    echo "deb $mirror bookworm-updates main"
    [ -n "$security" ] && echo "deb $security bookworm-security main"
  } > "$root/etc/apt/sources.list"
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
  mount -t proc proc "$root/proc"
  chroot "$root" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(tr '\n' ' ' < "$here/packages.txt")" \
    >/tmp/lbm-chroot-apt.log 2>&1 || { tail -20 /tmp/lbm-chroot-apt.log >&2; exit 1; }
  umount "$root/proc"
  rm -f "$root/usr/sbin/policy-rc.d"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
         "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
  : > "$root/etc/resolv.conf"
  tar -C "$root" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
fi
docker import -c 'CMD ["/bin/bash"]' "$tarball" "$tag" >/dev/null
echo "build-base-offline: imported $tag"
