#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The image, built with podman from the real Dockerfile: FROM scratch with nothing but the two
# binaries, their shared-library closure, CA certificates, the user and the license files; at
# most 25 MB; runs as uid 65532 on a read-only root filesystem; its gate migrates a real
# PostgreSQL on 127.0.0.1 (a no-op the second time), its status reads it, and its sidecar
# answers /readyz.
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
work=$(mktemp -d)
sidecar=""
cleanup() {
  [ -z "$sidecar" ] || podman rm -f "$sidecar" >/dev/null 2>&1 || true
  rm -rf "$work"
  "$root/tests/harness/pg-test-server" destroy "$PGTEST_DIR"
}
trap cleanup EXIT

# The image's files, read without running anything in it (there is no shell to run).
container=$(podman create "$SCHEMAGATE_IMAGE")
podman export "$container" | tar -t | sed 's|^\./||; s|/$||' | grep -v '^$' | sort > "$work/files"
podman export "$container" | tar -x -C "$work" usr/share/doc/schemagate/libraries.txt etc/passwd 2>/dev/null || true
podman rm "$container" >/dev/null

size=$(podman image inspect --format '{{.Size}}' "$SCHEMAGATE_IMAGE")
echo "image size: $size bytes ($((size / 1000000)) MB uncompressed), $(wc -l < "$work/files") entries"
check "the image is at most 25 MB uncompressed ($size bytes)" [ "$size" -le 25000000 ]
check "no shell in the image" bash -c "! grep -Eq '(^|/)(sh|bash|dash)$' \"\$1\"" _ "$work/files"
check "no package manager in the image" bash -c "! grep -Eq '(^|/)(apt|apt-get|dpkg)$|^var/lib/(dpkg|apt)' \"\$1\"" _ "$work/files"
check "no compiler in the image" bash -c "! grep -Eq '(^|/)(gcc|g\\+\\+|cc|c\\+\\+|ld)$' \"\$1\"" _ "$work/files"
# Every shared object in the image is one the loader resolves for the binaries (the list the
# build computed with ldd), and every one of those is there.
grep -E '\.so(\.|$)' "$work/files" | grep -v '^usr/share/' | sort > "$work/shipped-libs"
sed 's|^/||' "$work/usr/share/doc/schemagate/libraries.txt" | sort > "$work/closure"
check "the libraries are exactly the binaries' closure ($(wc -l < "$work/closure") of them)" \
  diff "$work/closure" "$work/shipped-libs"
echo "libraries: $(tr '\n' ' ' < "$work/closure")"
check "the project's license is in the image" grep -qx 'usr/share/doc/schemagate/LICENSE' "$work/files"
check "the library packages' copyright files are in the image" \
  bash -c "[ \$(grep -c '^usr/share/doc/.*/copyright$' \"\$1\") -ge 5 ]" _ "$work/files"
check "CA certificates are in the image" grep -qx 'etc/ssl/certs/ca-certificates.crt' "$work/files"
check "the user 65532 is in /etc/passwd" grep -q '^[a-z]*:x:65532:65532:' "$work/etc/passwd"
check "the image runs as 65532:65532" [ "$(podman image inspect --format '{{.Config.User}}' "$SCHEMAGATE_IMAGE")" = 65532:65532 ]

check "schemagate --version" bash -c "[ \"\$(podman run --rm --read-only $SCHEMAGATE_IMAGE --version)\" = 'schemagate $version' ]"
check "schemagate-sidecar --version (found on the image's PATH, as the manifests call it)" \
  bash -c "[ \"\$(podman run --rm --read-only --entrypoint schemagate-sidecar $SCHEMAGATE_IMAGE --version)\" = 'schemagate-sidecar $version' ]"

migrate() {
  in_image -e DATABASE_URL="$PGTEST_URL" -v "$root/examples/migrations:/migrations:ro" "$SCHEMAGATE_IMAGE" migrate 2>&1
}
first=$(migrate) && code=0 || code=$?
check "migrate in the image exits 0" [ "$code" = 0 ]
check "the schema reached V5" [ "$(psql "$PGTEST_URL" -tAc 'SELECT (max(version))[1] FROM schemagate.history')" = 5 ]
check "the password is not in the container's output" bash -c "! grep -qF -- \"$PGTEST_PASSWORD\" <<<\"\$1\"" _ "$first"
second=$(migrate) && code=0 || code=$?
check "second migrate is a no-op exiting 0" bash -c "[ $code = 0 ] && grep -q 'nothing to do' <<<\"\$1\"" _ "$second"
status=$(in_image -e DATABASE_URL="$PGTEST_URL" -v "$root/examples/migrations:/migrations:ro" "$SCHEMAGATE_IMAGE" status --json 2>&1) || true
check "status in the image reads the version" bash -c "grep -q '\"version\": *5' <<<\"\$1\"" _ "$status"

port=$((20000 + RANDOM % 20000))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((20000 + RANDOM % 20000)); done
sidecar=$(podman run -d --read-only --network host -e DATABASE_URL="$PGTEST_URL" \
  -v "$root/examples/migrations:/migrations:ro" --entrypoint schemagate-sidecar "$SCHEMAGATE_IMAGE" \
  --listen "127.0.0.1:$port")
ready() { curl -sf "http://127.0.0.1:$port/readyz" | grep -q '"ready":true'; }
for _ in $(seq 1 100); do ready && break; sleep 0.1; done
check "the sidecar in the image answers /readyz 200 ready" ready

finish
