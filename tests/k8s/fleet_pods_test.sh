#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The fleet's Indexed Job (manifests/fleet, docs/fleet.md) run as Kubernetes would run it, with
# podman: kubectl kustomize renders it in a test overlay (the tenants and migrations as
# ConfigMaps, the locally built image, host networking), and for each index 0..completions-1
# indexed_job_pod.mjs makes the pod the Job controller would create (JOB_COMPLETION_INDEX from
# the job-completion-index annotation through the downward API). All indexes run at once, as
# parallelism = completions asks, against a real PostgreSQL; each exit code goes through the
# Job's podFailurePolicy (pod_failure_policy.mjs). podman does not run a Job controller: the
# retries (backoffLimitPerIndex) and pod conditions are not exercised here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=podman-env.sh
source "$here/podman-env.sh"
# shellcheck source=../harness/lib.sh
source "$root/tests/harness/lib.sh"

work="$root/build/k8s-fleet"
rm -rf "$work"; mkdir -p "$work"
eval "$("$root/tests/harness/pg-test-server" start --watch-pid $$)"
pods=()
down_all() {
  for p in "${pods[@]}"; do podman kube down "$p" >/dev/null 2>&1 || true; done
  podman pod rm -f -t 2 -a >/dev/null 2>&1 || true
  podman volume rm -f schemagate-migrations schemagate-tenants >/dev/null 2>&1 || true
  pods=()
}
cleanup() {
  down_all
  podman secret rm schemagate-database >/dev/null 2>&1 || true
  "$root/tests/harness/pg-test-server" destroy "$PGTEST_DIR"
}
trap cleanup EXIT

sql() { psql "$db" -tAc "$1"; }
psql "$PGTEST_URL" -qc "CREATE DATABASE fleet"
db="${PGTEST_URL%/*}/fleet"
podman secret rm schemagate-database >/dev/null 2>&1 || true
printf '{"url":"%s"}' "$(printf %s "$db" | base64 -w0)" > "$work/secret.json"
podman secret create schemagate-database "$work/secret.json" >/dev/null

# 12 tenants; three migrations, the second one's effect counted (one row per run).
tenants="acme globex initech umbrella hooli stark wayne wonka tyrell cyberdyne soylent vandelay"
overlay() {  # NAME [extra JSON patch lines]: $work/NAME/rendered.yaml
  local dir="$work/$1"
  mkdir -p "$dir/migrations"
  printf '%s\n' $tenants > "$dir/tenants.txt"
  echo "CREATE TABLE items (id serial PRIMARY KEY, note text);" > "$dir/migrations/V1__items.sql"
  echo "INSERT INTO items (note) VALUES ('seed');" > "$dir/migrations/V2__seed.sql"
  echo "ALTER TABLE items ADD COLUMN done boolean NOT NULL DEFAULT false;" > "$dir/migrations/V3__done.sql"
  cat > "$dir/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../../../manifests/fleet]
configMapGenerator:
  - name: schemagate-migrations
    files: [migrations/V1__items.sql, migrations/V2__seed.sql, migrations/V3__done.sql]
  - name: schemagate-tenants
    files: [tenants.txt]
images:
  - {name: schemagate, newName: localhost/schemagate, newTag: test}
patches:
  - target: {kind: Job}
    patch: |-
      - {op: add, path: /spec/template/spec/hostNetwork, value: true}
${2:-}
YAML
  kubectl kustomize "$dir" > "$dir/rendered.yaml"
}

# Plays the pod of each given index, all at once; prints nothing. Exit codes: $work/NAME/exit-I.
run_indexes() {  # NAME INDEX...
  local name=$1 dir="$work/$1" i; shift
  for i in "$@"; do
    node "$here/indexed_job_pod.mjs" "$i" < "$dir/rendered.yaml" > "$dir/pod-$i.yaml"
    pods+=("$dir/pod-$i.yaml")
    podman kube play "$dir/pod-$i.yaml" > "$dir/play-$i.log" 2>&1 || fail "kube play index $i ($(tail -1 "$dir/play-$i.log"))"
  done
  for i in "$@"; do
    podman wait "schemagate-fleet-$i-schemagate" > "$dir/exit-$i" 2>/dev/null || echo missing > "$dir/exit-$i"
    podman logs "schemagate-fleet-$i-schemagate" > "$dir/log-$i" 2>&1 || true
  done
}
summary() { grep -h '"fleet_summary"' "$@" | node -e '
  const lines = require("fs").readFileSync(0, "utf8").trim().split("\n").filter(Boolean).map(JSON.parse);
  const sum = (k) => lines.reduce((n, l) => n + l[k], 0);
  console.log(lines.length, sum("migrations_applied"), sum("not_at_target"), sum("stolen"));'; }
policy() { node "$here/pod_failure_policy.mjs" schemagate "$2" < "$work/$1/rendered.yaml"; }

echo "== 1. every index of the Indexed Job, at once: each exits 0, every tenant at V3 exactly once"
overlay job
completions=$(node "$here/indexed_job_pod.mjs" --completions < "$work/job/rendered.yaml")
check "the Job has 4 completions (one pod per shard)" [ "$completions" = 4 ]
run_indexes job $(seq 0 $((completions - 1)))
for i in $(seq 0 $((completions - 1))); do
  code=$(cat "$work/job/exit-$i")
  check "index $i exits 0 (podFailurePolicy: $(policy job "$code"))" [ "$code" = 0 ]
  check "index $i ran as shard $i/$completions (JOB_COMPLETION_INDEX from the annotation)" \
    grep -q "\"shard\":$i,\"shards\":$completions" "$work/job/log-$i"
done
read -r shards applied missing stolen < <(summary "$work"/job/log-*)
check "4 shard summaries, 36 migrations applied in all (12 tenants x 3), none behind ($shards $applied $missing; $stolen stolen)" \
  [ "$shards $applied $missing" = "4 36 0" ]
for t in $tenants; do
  at=$(sql "SELECT max((version)[1]) || '/' || count(*) FROM schemagate.history WHERE name = 'tenant_$t' AND success")
  rows=$(sql "SELECT count(*) FROM tenant_$t.items")
  [ "$at" = "3/3" ] && [ "$rows" = 1 ] || fail "tenant $t: history $at, items $rows"
done
check "every tenant at V3 with one history row per migration and V2's row once" \
  [ "$(sql "SELECT count(DISTINCT name) FROM schemagate.history WHERE success AND (version)[1] = 3 AND name LIKE 'tenant\_%'")" = 12 ]
check "each of the 36 migrations was applied by one of the Job's pods (SCHEMAGATE_HOLDER is the pod's name)" \
  [ "$(sql "SELECT count(*) FROM schemagate.history WHERE name LIKE 'tenant\_%' AND applied_by ~ '^schemagate-fleet-[0-3]\$'")" = 36 ]
down_all

echo "== 2. index 2 run again (a retried pod): a no-op"
before=$(sql "SELECT count(*) FROM schemagate.history")
run_indexes job 2
check "the rerun exits 0" [ "$(cat "$work/job/exit-2")" = 0 ]
read -r shards applied missing stolen < <(summary "$work/job/log-2")
check "the rerun applies nothing and finds every tenant at the target ($applied applied, $missing behind)" [ "$applied $missing" = "0 0" ]
check "the history is unchanged" [ "$(sql "SELECT count(*) FROM schemagate.history")" = "$before" ]
rows=0; for t in $tenants; do rows=$((rows + $(sql "SELECT count(*) FROM tenant_$t.items"))); done
check "V2's row is still there once per tenant ($rows rows for 12 tenants)" [ "$rows" = 12 ]
down_all

echo "== 3. completions raised without SCHEMAGATE_SHARDS: the extra index exits 3, and the policy fails it at once"
overlay mismatch "      - {op: replace, path: /spec/completions, value: 5}
      - {op: replace, path: /spec/parallelism, value: 5}"
run_indexes mismatch 4
code=$(cat "$work/mismatch/exit-4")
check "index 4 of 5 with SCHEMAGATE_SHARDS=4 exits 3 ($code)" [ "$code" = 3 ]
check "its message names JOB_COMPLETION_INDEX" grep -q "JOB_COMPLETION_INDEX: 4" "$work/mismatch/log-4"
check "the podFailurePolicy fails the index without retrying (FailIndex)" [ "$(policy mismatch "$code")" = FailIndex ]
check "the evaluator: exit 5 fails the index, 4 and 1 count against the retries, another container's 3 counts" \
  bash -c '[ "$(node "$1" schemagate 4 < "$2")" = Count ] && [ "$(node "$1" schemagate 5 < "$2")" = FailIndex ] && [ "$(node "$1" schemagate 1 < "$2")" = Count ] && [ "$(node "$1" other 3 < "$2")" = Count ]' \
  _ "$here/pod_failure_policy.mjs" "$work/mismatch/rendered.yaml"
check "nothing changed in the database" [ "$(sql "SELECT count(*) FROM schemagate.history")" = "$before" ]
down_all

finish
