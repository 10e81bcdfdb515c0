#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Both binaries' --help (and a subcommand's) ends with the exit codes and the documentation link.
set -euo pipefail
gate=${SCHEMAGATE_GATE_BIN:?}
sidecar=${SCHEMAGATE_SIDECAR_BIN:?}
status=0
ends_right() {
  local what=$1 codes=$2 out
  shift 2
  out=$("$@")
  if ! tail -2 <<<"$out" | head -1 | grep -q "^Exit codes: $codes"; then
    echo "FAIL: $what: the second-to-last line is not the exit codes ($codes...):" >&2
    tail -3 <<<"$out" >&2
    status=1
  elif ! tail -1 <<<"$out" | grep -q '^Documentation: https://github.com/schemagate/schemagate#readme'; then
    echo "FAIL: $what: the last line is not the documentation link" >&2
    tail -3 <<<"$out" >&2
    status=1
  else
    echo "ok: $what"
  fi
}
ends_right "schemagate --help" "0 the schema is at .*; 1 .*; 2 .*; 3 .*; 4 .*; 5 .*; 6 .*; 130/143" "$gate" --help
ends_right "schemagate migrate --help" "0 the schema is at" "$gate" migrate --help
ends_right "schemagate check-manifests --help" "0 the schema is at" "$gate" check-manifests --help
ends_right "schemagate-sidecar --help" "0 stopped by SIGTERM or SIGINT; 3 bad configuration" "$sidecar" --help
exit $status
