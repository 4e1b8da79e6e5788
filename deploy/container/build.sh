#!/bin/sh
# Builds Strata's container image with podman from this checkout:
#   deploy/container/build.sh [TAG]        (default localhost/strata:latest)
# Runs setup.sh first (podman with runc, the base images built locally with
# debootstrap when missing), then `podman build --format docker` (the docker
# format keeps the HEALTHCHECK; the OCI format drops it). apt's cache is a
# buildah cache mount kept between builds; ccache's is the host's when ccache
# is installed here, else a cache mount too. Needs root.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tag=${1:-localhost/strata:latest}
"$here/setup.sh"
start=$(date +%s)
# The build context leaves .git out; the revision goes in as build arguments.
revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || true)
branch=$(git -C "$root" rev-parse --abbrev-ref HEAD 2>/dev/null || true)
# The host's CA bundle as the optional secret `ca`: npm ci inside the build
# then trusts what the host trusts (a TLS-inspecting proxy's CA, for one).
ca=""
[ -f /etc/ssl/certs/ca-certificates.crt ] && ca="--secret id=ca,src=/etc/ssl/certs/ca-certificates.crt"
# The host's ccache directory on /host-ccache (see the Dockerfile): objects
# of an earlier `make build` are reused, and the image's go back into it.
cache=""
dir=$(ccache -k cache_dir 2>/dev/null || true)
[ -n "$dir" ] && mkdir -p "$dir" && cache="--volume $dir:/host-ccache"
# shellcheck disable=SC2086  # $ca and $cache are empty or two words
podman build --pull=never --format docker -f "$root/deploy/Dockerfile" $ca $cache \
  --build-arg STRATA_REVISION="$revision" --build-arg STRATA_BRANCH="$branch" -t "$tag" "$root"
end=$(date +%s)
echo "built $tag in $((end - start)) s: $(podman image inspect --format '{{.Size}}' "$tag" | awk '{ printf "%.1f MB", $1 / 1e6 }')"
