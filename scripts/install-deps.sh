#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian bookworm package the build, the tests and the demo need. Idempotent:
# when everything is there it only checks and returns.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libpqxx-dev libpq-dev libcpp-httplib-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libcli11-dev libgtest-dev libgmock-dev libssl-dev
  postgresql-15 postgresql-client-15 pgbouncer
  curl procps util-linux yamllint
  podman buildah runc fuse-overlayfs slirp4netns uidmap debootstrap
  wrk time sqitch libdbd-pg-perl
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

# The Debian package starts a cluster of its own on port 5432; the tests and the demo never
# use it (they start throwaway servers), so it is left as the package set it up.
