#!/bin/sh
# Installs packages.txt into a Debian bookworm root filesystem. It runs INSIDE that root,
# the same way on both build paths, so both produce the same contents:
#   - Dockerfile.base:        RUN on top of debian:bookworm-slim (hosts with a registry)
#   - build-base-offline.sh:  in a chroot of a fresh `debootstrap --variant=minbase` root
# Usage: install-packages.sh DEBIAN_MIRROR DEBIAN_SECURITY_MIRROR PACKAGES_FILE
set -eu
mirror="$1"
security="$2"
packages_file="$3"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

# apt sources: the point release, its updates and security updates. debootstrap writes only
# `bookworm main`; debian:bookworm-slim has a deb822 file. Both end up with exactly this.
rm -f /etc/apt/sources.list.d/debian.sources
cat > /etc/apt/sources.list <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
SOURCES

# Install no docs, man pages or translations (as debian:*-slim does), but keep the
# copyright files: the image redistributes these packages.
mkdir -p /etc/dpkg/dpkg.cfg.d
cat > /etc/dpkg/dpkg.cfg.d/lb-manager-slim <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
DPKG
# openjdk's postinst registers man page alternatives and needs the directory.
mkdir -p /usr/share/man/man1

# Start no services while installing (nginx's postinst would try to).
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d

packages="$(sed -e 's/#.*//' "$packages_file" | tr -s ' \t\n' ' ')"
apt-get update -q
# Security fixes for the packages already in the starting root (libc, openssl, ...).
apt-get upgrade -y -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $packages

# Clean up: identical on both paths.
apt-get clean
rm -f /usr/sbin/policy-rc.d
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \
       /var/cache/debconf/*-old /var/lib/dpkg/*-old /var/log/apt/* /var/log/dpkg.log \
       /usr/share/man/* /usr/share/info/* /usr/share/groff/* /usr/share/linda/* /usr/share/lintian/*
find /usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete
find /usr/share/doc -mindepth 1 -type d -empty -delete
find /usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
# Fail the build if a package did not end up installed (a typo in packages.txt, say).
# shellcheck disable=SC2086
dpkg-query -W -f='${Package} ${Version}\n' $packages
