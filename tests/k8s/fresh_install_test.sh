#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Proof that scripts/install-deps.sh alone brings every program the tests and the demo call:
# it runs inside a fresh container made from the debootstrap bookworm base (nothing installed
# beyond minbase), as root, exactly as a newcomer would run it, and must end with its own
# program check passing. A package that only this machine happened to have (catatonit, a
# Recommends of podman) fails here, not on a user's machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export SCHEMAGATE_SKIP_IMAGE_BUILD=1
# shellcheck source=podman-env.sh
source "$here/podman-env.sh"

log_dir=${SCHEMAGATE_FRESH_LOG_DIR:-$(mktemp -d /tmp/sg-fresh.XXXXXX)}
log="$log_dir/install.log"
name="sg-fresh-install-$$"
trap 'podman rm -f "$name" >/dev/null 2>&1 || true' EXIT

# kubectl is the one tool that cannot come from Debian (see README); everything else must.
code=0
timeout 1500 podman run --rm --name "$name" --network host \
  -e SCHEMAGATE_ALLOW_MISSING_KUBECTL=1 \
  -v "$root/scripts:/src/scripts:ro" \
  localhost/debian:bookworm-slim bash /src/scripts/install-deps.sh >"$log" 2>&1 || code=$?

if [ "$code" != 0 ]; then
  echo "FAIL: install-deps.sh in a fresh bookworm container exited $code; last lines of $log:"
  tail -20 "$log"
  exit 1
fi
if ! grep -q 'install-deps: every required program is present' "$log"; then
  echo "FAIL: install-deps.sh exited 0 without reporting its program check (see $log)"
  exit 1
fi
echo "ok: install-deps.sh in a fresh bookworm container installed everything the tests call"
rm -rf "$log_dir"
