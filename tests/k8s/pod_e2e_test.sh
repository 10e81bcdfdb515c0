#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Pod lifecycle end to end with `podman kube play`, on test overlays that reuse the real app
# base and the real Component and change only what podman needs: host networking (no ports),
# one replica, restartPolicy, the locally built image, and a termination-log path (podman has
# no /dev/termination-log). The readinessProbe is polled as rendered (port, path, period),
# since podman ignores it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=podman-env.sh
source "$here/podman-env.sh"
gate="${SCHEMAGATE_GATE_BIN:-$root/build/bin/schemagate}"
[ -x "$gate" ] || { echo "FAIL: $gate missing: build first" >&2; exit 1; }

# shellcheck source=../harness/lib.sh
source "$root/tests/harness/lib.sh"

work="$root/build/k8s-e2e"
rm -rf "$work"; mkdir -p "$work"
eval "$("$root/tests/harness/pg-test-server" start --watch-pid $$)"
cleanup() {
  podman pod rm -f -t 2 -a >/dev/null 2>&1 || true
  podman volume rm -f schemagate-migrations termination >/dev/null 2>&1 || true
  podman secret rm schemagate-database >/dev/null 2>&1 || true
  "$root/tests/harness/pg-test-server" destroy "$PGTEST_DIR"
}
trap cleanup EXIT
for port in 8733 9090; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "FAIL: port $port is in use; the pods share the host network and need it" >&2; exit 1
  fi
done

sql() { psql "$1" -tAc "$2"; }
new_database() { sql "$PGTEST_URL" "CREATE DATABASE $1" >/dev/null; echo "${PGTEST_URL%/*}/$1"; }

use_secret() {  # the Secret the Component reads the URL from
  podman secret rm schemagate-database >/dev/null 2>&1 || true
  printf '{"url":"%s"}' "$(printf %s "$1" | base64 -w0)" > "$work/secret.json"
  podman secret create schemagate-database "$work/secret.json" >/dev/null
}

# overlay NAME "MIGRATION FILES" "SETTINGS LITERALS" [restartPolicy] -> $work/NAME/pod.yaml
overlay() {
  local name=$1 files=$2 settings=$3 restart=${4:-OnFailure}
  local dir="$work/$name"
  mkdir -p "$dir/migrations"
  {
    echo "apiVersion: kustomize.config.k8s.io/v1beta1"
    echo "kind: Kustomization"
    echo "resources: [../../../manifests/examples/app]"
    echo "components: [${OVERLAY_COMPONENTS:-../../../manifests/components/schemagate}]"
    echo "configMapGenerator:"
    echo "  - name: schemagate-migrations"
    echo "    files:"
    for f in $files; do cp "$root/examples/migrations/$f" "$dir/migrations/" 2>/dev/null || cp "$work/$f" "$dir/migrations/"; echo "      - migrations/$f"; done
    echo "  - name: schemagate-settings"
    echo "    literals:"
    for s in $settings SCHEMAGATE_TERMINATION_LOG=/termination/log; do echo "      - $s"; done
    cat <<YAML
images:
  - {name: schemagate, newName: ${OVERLAY_IMAGE:-localhost/schemagate}, newTag: test}
${OVERLAY_EXTRA_IMAGE:+  - $OVERLAY_EXTRA_IMAGE}
patches:
  - target: {kind: Deployment}
    patch: |-
      - {op: replace, path: /spec/replicas, value: 1}
      - {op: add, path: /spec/template/spec/hostNetwork, value: true}
      - {op: add, path: /spec/template/spec/restartPolicy, value: $restart}
      - {op: add, path: /spec/template/spec/volumes/-, value: {name: termination, emptyDir: {}}}
      - {op: add, path: /spec/template/spec/initContainers/${OVERLAY_GATE_INDEX:-0}/volumeMounts/-, value: {name: termination, mountPath: /termination}}
YAML
  } > "$dir/kustomization.yaml"
  # What the kubelet would see (the probes' named ports resolve here)...
  kubectl kustomize "$dir" > "$dir/rendered.yaml"
  # ...and what podman runs: it refuses containerPort with hostNetwork.
  cat >> "$dir/kustomization.yaml" <<'YAML'
      - {op: remove, path: /spec/template/spec/containers/0/ports}
      - {op: remove, path: /spec/template/spec/containers/1/ports}
YAML
  kubectl kustomize "$dir" > "$dir/pod.yaml"
}

down() { podman kube down "$1" >/dev/null 2>&1 || true; podman pod rm -f -t 2 -a >/dev/null 2>&1 || true
         podman volume rm -f schemagate-migrations termination >/dev/null 2>&1 || true; }
await() {  # seconds, description, command...
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || { fail "$what (not within ${seconds}s)"; return 1; }
    sleep 0.2
  done
  ok "$what"
}

# Polls the readinessProbe as the kubelet would: rendered port and path, every period.
probe_until() {  # pod.yaml, expected HTTP status, grep pattern for the body, max periods[, app]
  local port path period status body
  read -r port path period < <(node "$here/probe_of.mjs" "${5:-schema}" < "${1%pod.yaml}rendered.yaml")
  for _ in $(seq 1 "$4"); do
    body=$(curl -s -o - -w '\n%{http_code}' "http://127.0.0.1:$port$path" || true)
    status=${body##*$'\n'}
    body=${body%$'\n'*}
    if [ "$status" = "$2" ] && grep -q -- "$3" <<<"$body"; then
      ok "readinessProbe $path on :$port answers $2 ($body)"; return 0
    fi
    sleep "$period"
  done
  fail "readinessProbe $path on :$port never answered $2 matching '$3' (last: $status $body)"
}

all_files="V1__create_customers.sql V2__create_orders.sql V3__add_order_status.sql V4__index_orders_by_customer.sql V5__backfill_customer_order_totals.sql"

echo "== 1. a gate blocked by a held lease keeps the app from starting"
db=$(new_database lifecycle)
use_secret "$db"
DATABASE_URL=$db "$gate" migrate --migrations "$root/examples/migrations" --target 1 2>/dev/null
sql "$db" "UPDATE schemagate.lease SET holder = 'other-pod/1', token = token + 1, expires_at = clock_timestamp() + interval '1 hour'" >/dev/null
overlay lifecycle "$all_files" "SCHEMAGATE_TARGET=3 SCHEMAGATE_POLL_INTERVAL=200ms"
podman kube play "$work/lifecycle/pod.yaml" >"$work/play1.log" 2>&1 &
play=$!
await 60 "the gate waits for the lease" bash -c "podman logs shop-pod-0-schemagate 2>&1 | grep -q 'lease held by other-pod/1'"
check "the app container exists but is not started while the gate waits" bash -c "[ \"\$(podman inspect --format '{{.State.Status}}' shop-pod-0-shop)\" = created ]"
sql "$db" "UPDATE schemagate.lease SET holder = NULL, expires_at = clock_timestamp(); NOTIFY schemagate, 'default:released'" >/dev/null
code=0; wait $play || code=$?
check "kube play succeeds once the gate finished" [ "$code" = 0 ]
await 30 "the app container runs" bash -c "[ \"\$(podman inspect --format '{{.State.Status}}' shop-pod-0-shop)\" = running ]"
await 30 "the sidecar runs" bash -c "[ \"\$(podman inspect --format '{{.State.Status}}' shop-pod-0-schemagate-sidecar)\" = running ]"
check "the gate applied up to its target" [ "$(sql "$db" 'SELECT (max(version))[1] FROM schemagate.history')" = 3 ]
# The sidecar reads the gate's target: V3 is what this pod's app expects.
probe_until "$work/lifecycle/pod.yaml" 200 '"expected":3' 6
probe_until "$work/lifecycle/pod.yaml" 200 'ok' 6 app
DATABASE_URL=$db "$gate" migrate --migrations "$root/examples/migrations" 2>/dev/null
probe_until "$work/lifecycle/pod.yaml" 200 '"version":5' 6
down "$work/lifecycle/pod.yaml"

echo "== 2. a bumped target makes the pod unready until the schema follows"
printf 'ALTER TABLE customers ADD COLUMN vip boolean NOT NULL DEFAULT false;\n' > "$work/V6__vip.sql"
# The gate stops at V5 while the app declares that it needs V6 (SCHEMAGATE_EXPECT).
overlay bumped "$all_files V6__vip.sql" "SCHEMAGATE_TARGET=5 SCHEMAGATE_EXPECT=6"
podman kube play "$work/bumped/pod.yaml" >"$work/play2.log" 2>&1 || fail "kube play (bumped)"
probe_until "$work/bumped/pod.yaml" 503 '"reason":"schema behind: at 5, app expects 6"' 6
down "$work/bumped/pod.yaml"

echo "== 3. an unreachable database: the gate fails, the app never starts, the message is readable"
use_secret "postgresql://postgres:$PGTEST_PASSWORD@127.0.0.1:1/none"
overlay unreachable "$all_files" "SCHEMAGATE_TIMEOUT=2s" Never
code=0; podman kube play "$work/unreachable/pod.yaml" >"$work/play3.log" 2>&1 || code=$?
check "kube play fails" [ "$code" != 0 ]
check "the app container never started" bash -c "[ \"\$(podman inspect --format '{{.State.StartedAt.IsZero}}' shop-pod-0-shop 2>/dev/null || echo true)\" = true ]"
# The image has no shell: a helper container reads the volume.
message=$(podman run --rm -v termination:/t:ro localhost/debian:bookworm-slim cat /t/log 2>/dev/null || true)
check "the termination message says why ($message)" bash -c "grep -q 'database unreachable until the deadline' <<<\"\$1\"" _ "$message"
check "the termination message has no password" bash -c "! grep -qF -- \"$PGTEST_PASSWORD\" <<<\"\$1\"" _ "$message"
down "$work/unreachable/pod.yaml"

# A one-off migration overlay (the Job or the bare Pod) on a fresh database with the example
# migrations: NAME, the manifests folder, the kind, the pod spec's JSON path in that kind.
# Prints the new database's URL; the rendered objects are in $work/NAME/rendered.yaml.
one_off_overlay() {
  local name=$1 manifests=$2 kind=$3 spec_path=$4 db
  db=$(new_database "$name")
  use_secret "$db"
  mkdir -p "$work/$name/migrations"
  cp "$root"/examples/migrations/*.sql "$work/$name/migrations/"
  cat > "$work/$name/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../../../manifests/$manifests]
configMapGenerator:
  - name: schemagate-migrations
    files: [$(cd "$work/$name" && ls migrations/*.sql | paste -sd, -)]
images:
  - {name: schemagate, newName: localhost/schemagate, newTag: test}
patches:
  - target: {kind: $kind}
    patch: |-
      - {op: add, path: $spec_path/hostNetwork, value: true}
YAML
  kubectl kustomize "$work/$name" > "$work/$name/rendered.yaml"
  echo "$db"
}

echo "== 4. the Job's pod template, run as a pod, migrates and is idempotent"
db=$(one_off_overlay job job Job /spec/template/spec)
node "$here/job_to_pod.mjs" < "$work/job/rendered.yaml" > "$work/job/pod.yaml"
for run in first second; do
  podman kube play "$work/job/pod.yaml" >"$work/play-job-$run.log" 2>&1 || fail "kube play (job, $run)"
  code=$(podman wait schemagate-migrate-schemagate 2>/dev/null || echo missing)
  check "the Job's gate exits 0 ($run run)" [ "$code" = 0 ]
  [ $run = second ] && check "the second run is a no-op" bash -c "podman logs schemagate-migrate-schemagate 2>&1 | grep -q 'nothing to do'"
  down "$work/job/pod.yaml"
done
check "the Job migrated to V5" [ "$(sql "$db" 'SELECT (max(version))[1] FROM schemagate.history')" = 5 ]

echo "== 5. migrations baked into an image built FROM schemagate: no ConfigMap, no volume"
db=$(new_database baked)
use_secret "$db"
mkdir -p "$work/baked-image/migrations"
cp "$root"/examples/migrations/*.sql "$work/baked-image/migrations/"
printf 'FROM %s\nCOPY migrations/ /migrations/\n' "$SCHEMAGATE_IMAGE" > "$work/baked-image/Containerfile"
podman build -q -t localhost/schemagate-baked:test "$work/baked-image" >"$work/baked-build.log" 2>&1 ||
  fail "podman build of the derived image"
OVERLAY_COMPONENTS="../../../manifests/components/schemagate, ../../../manifests/components/migrations-in-image" \
OVERLAY_IMAGE=localhost/schemagate-baked overlay baked "$all_files" "SCHEMAGATE_POLL_INTERVAL=200ms"
check "the rendered pod has no migrations volume" bash -c "! grep -q 'name: schemagate-migrations\$' \"\$1\"" _ "$work/baked/pod.yaml"
podman kube play "$work/baked/pod.yaml" >"$work/play-baked.log" 2>&1 || fail "kube play (baked)"
probe_until "$work/baked/pod.yaml" 200 '"version":5' 10
check "the gate migrated to V5 from the image's own files" [ "$(sql "$db" 'SELECT (max(version))[1] FROM schemagate.history')" = 5 ]
down "$work/baked/pod.yaml"
podman rmi -f localhost/schemagate-baked:test >/dev/null 2>&1 || true

echo "== 5b. migrations copied out of the app's own image by an initContainer that runs before the gate"
db=$(new_database copied)
use_secret "$db"
mkdir -p "$work/app-image/migrations"
cp "$root"/examples/migrations/*.sql "$work/app-image/migrations/"
# The app's image: any image with cp; its migrations at /migrations (the Component's default).
printf 'FROM localhost/debian:bookworm-slim\nCOPY migrations/ /migrations/\n' > "$work/app-image/Containerfile"
podman build -q -t localhost/shop-app:test "$work/app-image" >"$work/app-build.log" 2>&1 ||
  fail "podman build of the app image"
# The ConfigMap the overlay still generates holds V1 only: V5 can only come from the app image.
OVERLAY_COMPONENTS="../../../manifests/components/schemagate, ../../../manifests/components/migrations-from-app-image" \
OVERLAY_GATE_INDEX=1 \
OVERLAY_EXTRA_IMAGE="{name: schemagate-migrations-source, newName: localhost/shop-app, newTag: test}" \
  overlay copied "V1__create_customers.sql" "SCHEMAGATE_POLL_INTERVAL=200ms"
podman kube play "$work/copied/pod.yaml" >"$work/play-copied.log" 2>&1 || fail "kube play (copied)"
probe_until "$work/copied/pod.yaml" 200 '"version":5' 10
# podman removes init containers once they ran; V5 is the copy's proof (the ConfigMap had V1).
check "the gate migrated to V5 from the files the app image carried" [ "$(sql "$db" 'SELECT (max(version))[1] FROM schemagate.history')" = 5 ]
down "$work/copied/pod.yaml"
podman rmi -f localhost/shop-app:test >/dev/null 2>&1 || true

echo "== 6. the bare migration Pod (manifests/pod) runs once and migrates"
db=$(one_off_overlay bare pod Pod /spec)
cp "$work/bare/rendered.yaml" "$work/bare/pod.yaml"
podman kube play "$work/bare/pod.yaml" >"$work/play-bare.log" 2>&1 || fail "kube play (bare pod)"
code=$(podman wait schemagate-migrate-schemagate 2>/dev/null || echo missing)
check "the bare Pod's gate exits 0" [ "$code" = 0 ]
down "$work/bare/pod.yaml"
check "the bare Pod migrated to V5" [ "$(sql "$db" 'SELECT (max(version))[1] FROM schemagate.history')" = 5 ]

finish
