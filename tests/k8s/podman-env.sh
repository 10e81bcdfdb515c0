#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Source this: makes podman usable on a machine without a container registry or a Docker
# engine and builds the schemagate image from the real Dockerfile.
#   - a project-owned containers.conf: ulimits within the sandbox's hard limits, runc (crun
#     fails on this cgroup layout), host networking so containers reach 127.0.0.1 only;
#   - debian:bookworm and debian:bookworm-slim imported from a debootstrap rootfs, since no
#     registry can be pulled from; the mirror is the one this machine's apt already uses;
#   - localhost/schemagate:test built with `podman build --pull=never`.
# Exports SCHEMAGATE_IMAGE.

podman_state=${SCHEMAGATE_PODMAN_DIR:-/var/tmp/schemagate-podman}
mkdir -p "$podman_state"
hard_nofile=$(ulimit -Hn)
cat > "$podman_state/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=${hard_nofile}:${hard_nofile}", "nproc=32768:32768"]
netns = "host"
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF="$podman_state/containers.conf"

for tool in podman debootstrap runc; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not found: bash scripts/install-deps.sh" >&2; return 1; }
done

apt_mirror() {
  local uri
  uri=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1 | awk '{print $2}')
  [ -n "$uri" ] || uri=$(grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | grep -v security | head -1 | awk '{print $2}')
  echo "$uri"
}

if ! podman image exists localhost/debian:bookworm-slim; then
  rootfs="$podman_state/rootfs"
  rm -rf "$rootfs"
  mirror=$(apt_mirror)
  [ -n "$mirror" ] || { echo "FAIL: no apt mirror found in /etc/apt/sources.list*" >&2; return 1; }
  echo "debootstrap bookworm (minbase) from the machine's apt mirror" >&2
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$podman_state/debootstrap.log" 2>&1 ||
    { tail -20 "$podman_state/debootstrap.log" >&2; return 1; }
  # The image's own apt must reach the same mirror.
  echo "deb $mirror bookworm main" > "$rootfs/etc/apt/sources.list"
  tar -C "$rootfs" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - localhost/debian:bookworm-slim >/dev/null
  podman tag localhost/debian:bookworm-slim localhost/debian:bookworm
  rm -rf "$rootfs"
fi

export SCHEMAGATE_IMAGE=localhost/schemagate:test
if [ -z "${SCHEMAGATE_SKIP_IMAGE_BUILD:-}" ]; then
  echo "building $SCHEMAGATE_IMAGE from the Dockerfile" >&2
  podman build --pull=never --network host -q -t "$SCHEMAGATE_IMAGE" \
    --build-arg VERSION="$(sed -n 's/^project(schemagate VERSION \([0-9.]*\).*/\1/p' "$(dirname "${BASH_SOURCE[0]}")/../../CMakeLists.txt")" \
    -f "$(dirname "${BASH_SOURCE[0]}")/../../Dockerfile" "$(dirname "${BASH_SOURCE[0]}")/../.." >&2 || return 1
fi
