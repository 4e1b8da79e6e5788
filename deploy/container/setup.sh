#!/bin/sh
# Prepares this machine to build and run Strata's container image with podman,
# without a container registry. Idempotent: every step is skipped when done.
#
#  1. podman, runc and debootstrap (Debian packages) are installed when missing.
#  2. podman uses the runc runtime and no default ulimits (crun fails on some
#     kernels' cgroups): /etc/containers/containers.conf, or a drop-in in
#     /etc/containers/containers.conf.d/ when that file exists with other content.
#  3. The base images deploy/Dockerfile starts FROM, debian:bookworm and
#     debian:bookworm-slim, are built locally with debootstrap from the Debian
#     mirror apt uses, when podman does not have them yet (they are kept as a
#     cache; `podman rmi debian:bookworm debian:bookworm-slim` rebuilds them).
#
# Needs root. usage: deploy/container/setup.sh
set -eu

[ "$(id -u)" = 0 ] || { echo "setup.sh: needs root (podman images, debootstrap)" >&2; exit 1; }

# 1. Packages.
missing=""
for p in podman runc debootstrap netavark iptables; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing$missing"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

# 2. podman's runtime.
conf=/etc/containers/containers.conf
want='# Written by Strata deploy/container/setup.sh: runc, as crun fails on this kernel'"'"'s cgroups.
[containers]
default_ulimits = []

[engine]
runtime = "runc"'
if [ ! -e "$conf" ]; then
  mkdir -p /etc/containers
  printf '%s\n' "$want" > "$conf"
  echo "setup: wrote $conf"
elif grep -q '^runtime *= *"runc"' "$conf" && grep -q '^default_ulimits *= *\[ *\]' "$conf"; then
  :
else
  dropin=/etc/containers/containers.conf.d/50-strata-runc.conf
  if [ ! -e "$dropin" ]; then
    mkdir -p /etc/containers/containers.conf.d
    printf '%s\n' "$want" > "$dropin"
    echo "setup: $conf has other settings; wrote $dropin"
  fi
fi

# 3. Base images.
have() { podman image exists "$1"; }
if have debian:bookworm && have debian:bookworm-slim; then
  echo "setup: base images debian:bookworm and debian:bookworm-slim present"
  exit 0
fi

# The Debian mirror apt uses here (deb822 .sources or one-line .list files).
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
  /^URIs:/ { uri = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") { print uri; exit } }')
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
           awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }')
fi
mirror=${mirror:-http://deb.debian.org/debian}
security=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
  /^URIs:/ { uri = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm-security") { print uri; exit } }')
[ -n "$security" ] || security=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
           awk '$1 == "deb" && $3 == "bookworm-security" { print $2; exit }')
security=${security:-${mirror%/debian}/debian-security}

work=$(mktemp -d /var/tmp/strata-rootfs.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "setup: debootstrap --variant=minbase bookworm from $mirror (a few minutes)"
debootstrap --variant=minbase bookworm "$work/full" "$mirror" > "$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2; exit 1; }

root=$work/full
cat > "$root/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
SOURCES
# As Debian's official images: no recommends, no translations, and
# apt-get clean leaves nothing behind.
cat > "$root/etc/apt/apt.conf.d/docker-no-recommends" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
APT
echo 'Acquire::Languages "none";' > "$root/etc/apt/apt.conf.d/docker-no-languages"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
       "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/* "$root"/root/.cache
: > "$root/etc/hostname"; : > "$root/etc/resolv.conf"; : > "$root/etc/hosts"
tar -C "$root" --numeric-owner -c . | podman import --quiet --change 'CMD ["bash"]' - debian:bookworm > /dev/null
echo "setup: imported debian:bookworm"

# The slim variant, as Debian's: no documentation, man pages or locales, and
# dpkg keeps it that way for packages installed later.
slim=$root
cat > "$slim/etc/dpkg/dpkg.cfg.d/docker-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
DPKG
find "$slim/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
find "$slim/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$slim"/usr/share/man/* "$slim"/usr/share/groff/* "$slim"/usr/share/info/* \
       "$slim"/usr/share/lintian/* "$slim"/usr/share/linda/* "$slim"/usr/share/locale/*
tar -C "$slim" --numeric-owner -c . | podman import --quiet --change 'CMD ["bash"]' - debian:bookworm-slim > /dev/null
echo "setup: imported debian:bookworm-slim"
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' --filter reference=debian
