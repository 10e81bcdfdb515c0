#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets with clang and the sanitizers, then runs each for
# FUZZ_SECONDS (default 20: a smoke run in CI; run longer by hand). Seeds come from the
# example migrations and a few known-tricky inputs; a crash fails the test and leaves its
# reproducer in the printed directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${SCHEMAGATE_FUZZ_BUILD:-$root/build/fuzz}
seconds=${FUZZ_SECONDS:-20}
command -v clang++ >/dev/null || { echo "FAIL: clang++ not found: bash scripts/install-deps.sh" >&2; exit 1; }

cmake -S "$here" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null

corpus=$build/corpus
mkdir -p "$corpus"/{sql,name,duration,url,argv,manifests} "$build/crashes"
cp "$root"/examples/migrations/*.sql "$corpus/sql/"
printf 'SELECT 1; -- c\rCOMMIT;' > "$corpus/sql/cr"
printf 'SELECT 1 AS a$x$; SELECT $x$;$x$;' > "$corpus/sql/dollar"
printf "SELECT E'a\\\\'';' ; /* a /* b */ c */ SELECT 2" > "$corpus/sql/escapes"
for n in V1__a.sql V1.2__b.sql 0003_c.up.sql 20200601101000000000_x.up.sql V2__b.SQL; do printf '%s' "$n" > "$corpus/name/$n"; done
for d in 30s 1m30s 500ms 0 1h2m3s4ms 99999999999h; do printf '%s' "$d" > "$corpus/duration/$d"; done
printf 'postgresql://u:p@h:5432/d?sslmode=require' > "$corpus/url/1"
printf 'host=h port=5432 user=u password=secret dbname=d' > "$corpus/url/2"
# fuzz_argv: byte 0 picks the binary and where the password goes, byte 1 where it is inserted;
# then NUL-separated arguments, the last one the fuzzed part of the password.
printf '\x01\x01migrate\x00--timeout\x0030s\x00pw/x@y' > "$corpus/argv/1"
printf '\x02\x00--expect\x007\x00p:w?d#e' > "$corpus/argv/2"
printf '\x09\x01migrate\x00p w\x27\\' > "$corpus/argv/3"
printf '\x0e\x00--listen\x00:1\x00@@' > "$corpus/argv/4"
cp "$root"/tests/k8s/golden/example-overlay.yaml "$root"/tests/k8s/golden/native-sidecar.yaml \
  "$root"/tests/k8s/golden/alerts.yaml "$corpus/manifests/"
printf '{"kind":"List","items":[{"kind":"Deployment","spec":{"template":{"spec":{"initContainers":[{"name":"schemagate"}]}}}}]}' > "$corpus/manifests/json"
printf 'a: &x [1]\nb: *x\n---\nkind: ConfigMap\n' > "$corpus/manifests/alias"

status=0
printf -- '--liquibase formatted sql\n--changeset a:1 endDelimiter:/\nSELECT 1;\n/\n--rollback x\n' > "$corpus/sql/liquibase"
printf -- '-- atlas:delimiter -- end\nSELECT 1;\n-- end\n' > "$corpus/sql/atlas"
for target in sql_splitter:sql migration_name:name duration:duration database_url:url argv:argv tool_files:sql manifests:manifests; do
  name=${target%%:*}
  dir=${target#*:}
  echo "fuzz_$name for ${seconds}s"
  if ! (cd "$build/crashes" && "$build/fuzz_$name" "$corpus/$dir" -max_total_time="$seconds" \
        -max_len=65536 -print_final_stats=1 >"$build/fuzz_$name.log" 2>&1); then
    echo "FAIL: fuzz_$name found a crash; see $build/fuzz_$name.log and $build/crashes" >&2
    tail -30 "$build/fuzz_$name.log" >&2
    status=1
  else
    grep -E 'stat::number_of_executed_units' "$build/fuzz_$name.log" | sed "s/^/  /"
  fi
done
exit $status
