#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The image, built with podman from the real Dockerfile: runs as the non-root user with a
# read-only root filesystem, carries no compiler, -dev package or apt list, and its gate
# migrates a real PostgreSQL on 127.0.0.1 (and is a no-op the second time).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=podman-env.sh
source "$here/podman-env.sh"

# shellcheck source=../harness/lib.sh
source "$root/tests/harness/lib.sh"
in_image() { podman run --rm --read-only --network host "$@"; }

version=$(sed -n 's/^project(schemagate VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
eval "$("$root/tests/harness/pg-test-server" start --watch-pid $$)"
trap '"$root/tests/harness/pg-test-server" destroy "$PGTEST_DIR"' EXIT

check "schemagate --version" bash -c "[ \"\$(podman run --rm --read-only $SCHEMAGATE_IMAGE --version)\" = 'schemagate $version' ]"
check "schemagate-sidecar --version" bash -c "[ \"\$(podman run --rm --read-only --entrypoint schemagate-sidecar $SCHEMAGATE_IMAGE --version)\" = 'schemagate-sidecar $version' ]"
check "runs as uid 65532" bash -c "[ \"\$(podman run --rm --read-only --entrypoint id $SCHEMAGATE_IMAGE -u)\" = 65532 ]"
check "no compiler in the runtime image" bash -c "! podman run --rm --entrypoint sh $SCHEMAGATE_IMAGE -c 'command -v gcc || command -v g++ || command -v cc'"
check "no -dev packages in the runtime image" bash -c "[ -z \"\$(podman run --rm --entrypoint sh $SCHEMAGATE_IMAGE -c \"dpkg-query -W -f='\\\${Package}\\n' | grep -- '-dev\$'\")\" ]"
check "apt lists removed" bash -c "[ -z \"\$(podman run --rm --entrypoint sh $SCHEMAGATE_IMAGE -c 'ls /var/lib/apt/lists | grep -v -e partial -e lock')\" ]"

migrate() {
  in_image -e DATABASE_URL="$PGTEST_URL" -v "$root/examples/migrations:/migrations:ro" "$SCHEMAGATE_IMAGE" migrate 2>&1
}
first=$(migrate) && code=0 || code=$?
check "migrate in the image exits 0" [ "$code" = 0 ]
check "the schema reached V5" [ "$(psql "$PGTEST_URL" -tAc 'SELECT (max(version))[1] FROM schemagate.history')" = 5 ]
check "the password is not in the container's output" bash -c "! grep -qF -- \"$PGTEST_PASSWORD\" <<<\"\$1\"" _ "$first"
second=$(migrate) && code=0 || code=$?
check "second migrate is a no-op exiting 0" bash -c "[ $code = 0 ] && grep -q 'nothing to do' <<<\"\$1\"" _ "$second"

finish
