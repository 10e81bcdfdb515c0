# SPDX-License-Identifier: Apache-2.0
# Sourced by the shell tests: one way to count checks, report them and pick a free port.
#   check "what it proves" command args...   runs the command; ok/FAIL line, counted
#   ok "what" / fail "what"                   count a result decided elsewhere
#   finish                                    prints the tally; returns 1 if anything failed
#   free_port                                 prints a TCP port nothing listens on (127.0.0.1)
passed=0
failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; }
free_port() {
  local candidate
  for _ in $(seq 1 50); do
    candidate=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then echo "$candidate"; return 0; fi
  done
  echo "free_port: no free port found" >&2
  return 1
}
