#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian bookworm package the build, the tests and the demo need. Idempotent:
# when everything is there it only checks and returns.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libpqxx-dev libpq-dev libcpp-httplib-dev libmicrohttpd-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libcli11-dev libgtest-dev libgmock-dev libssl-dev libtomlplusplus-dev libyaml-dev nettle-dev
  postgresql-server-dev-15  # libpgcommon/libpgport archives: libpq.a needs them (cmake/StaticLink.cmake)
  postgresql-15 postgresql-client-15 pgbouncer
  curl procps util-linux yamllint
  tinyproxy openssl  # notify_test: a real HTTP proxy, and a test certificate for its TLS receiver
  podman buildah runc catatonit fuse-overlayfs slirp4netns uidmap debootstrap
  wrk time sqitch libdbd-pg-perl iproute2 iptables tar coreutils
  clang libclang-rt-14-dev clang-tidy clang-format
  prometheus unzip  # unzip: Helm, which comes in an npm package (tests/k8s/install-helm.sh)
  docker-registry  # the OCI registry of the release round trip (tests/k8s/release_test.sh)
)
# Node.js for the offline manifest validation; the machine image may already have a newer one.
command -v node >/dev/null || packages+=(nodejs npm)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi


# Every program the build, the tests, the demo and the bench call, with the package that brings
# it. A package that is only a Recommends of another (catatonit for podman) is easy to miss on
# a machine that installed recommends: the check makes the miss loud, here, at once.
required_programs=(
  cmake:cmake c++:build-essential make:build-essential pkg-config:pkg-config git:git
  psql:postgresql-client-15 pg_dump:postgresql-client-15
  /usr/lib/postgresql/15/bin/initdb:postgresql-15 /usr/lib/postgresql/15/bin/pg_ctl:postgresql-15
  /usr/lib/postgresql/15/bin/postgres:postgresql-15 pgbouncer:pgbouncer
  curl:curl ps:procps pkill:procps runuser:util-linux setsid:util-linux timeout:coreutils
  yamllint:yamllint podman:podman buildah:buildah runc:runc catatonit:catatonit
  fuse-overlayfs:fuse-overlayfs slirp4netns:slirp4netns newuidmap:uidmap debootstrap:debootstrap
  wrk:wrk /usr/bin/time:time sqitch:sqitch tar:tar ip:iproute2 iptables:iptables
  clang++:clang clang-tidy:clang-tidy clang-format:clang-format node:nodejs npm:npm promtool:prometheus unzip:unzip
  tinyproxy:tinyproxy openssl:openssl docker-registry:docker-registry
)
missing_programs=()
for entry in "${required_programs[@]}"; do
  program=${entry%%:*}
  package=${entry#*:}
  if ! command -v "$program" >/dev/null 2>&1; then
    missing_programs+=("$program (package $package)")
  fi
done
if [ ${#missing_programs[@]} -gt 0 ]; then
  printf 'install-deps: missing after install: %s\n' "${missing_programs[@]}" >&2
  exit 1
fi

# kubectl >= 1.27 (built-in kustomize with Components) cannot come from Debian (its
# kubernetes-client is 1.20): the machine image brings it. Say so plainly when it is absent.
if ! command -v kubectl >/dev/null 2>&1; then
  echo "install-deps: kubectl >= 1.27 is not on PATH and Debian has no recent one; the manifest tests need it" >&2
  [ "${SCHEMAGATE_ALLOW_MISSING_KUBECTL:-0}" = 1 ] || exit 1
fi
echo "install-deps: every required program is present"

# The Debian package starts a cluster of its own on port 5432; the tests and the demo never
# use it (they start throwaway servers), so it is left as the package set it up.
# tinyproxy's package likewise starts a proxy on port 8888 where systemd runs; notify_test starts
# its own, on a free port, and never uses that one.
# docker-registry's package would start a registry on port 5000 where systemd runs; the release test
# starts its own, on 127.0.0.1 and a free port.
