# SPDX-License-Identifier: Apache-2.0
# Sourced by the shell tests that need a real PgBouncer in front of the pg-test-server:
#   start_pgbouncer WORKDIR POOL_SIZE [DATABASE_LINE]
#                                       transaction pooling on a free port, in front of
#                                       $PGTEST_PORT with $PGTEST_PASSWORD; sets bouncer_pid,
#                                       bouncer_port (its admin console: database pgbouncer)
#   stop_pgbouncer
bouncer_pid=""
bouncer_port=""

start_pgbouncer() {
  local work=$1 pool_size=$2 extra_database=${3:-} bouncer
  bouncer=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
  [ -x "$bouncer" ] || { echo "FAIL: pgbouncer not found: apt-get install pgbouncer" >&2; return 1; }
  bouncer_port=$(free_port)
  printf '"postgres" "%s"\n' "$PGTEST_PASSWORD" > "$work/userlist.txt"
  cat > "$work/pgbouncer.ini" <<INI
[databases]
$extra_database
* = host=127.0.0.1 port=$PGTEST_PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $work/userlist.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 400
default_pool_size = $pool_size
logfile = $work/pgbouncer.log
INI
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres: "$work"
    runuser -u postgres -- "$bouncer" "$work/pgbouncer.ini" >/dev/null 2>&1 &
  else
    "$bouncer" "$work/pgbouncer.ini" >/dev/null 2>&1 &
  fi
  bouncer_pid=$!
  # Its start is awaited by connecting (up to 30 s on a loaded machine), not by a fixed sleep.
  for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$bouncer_port") 2>/dev/null && return 0; sleep 0.05; done
  echo "FAIL: pgbouncer did not start: $(tail -n 3 "$work/pgbouncer.log" 2>/dev/null)" >&2
  return 1
}

stop_pgbouncer() {
  if [ -n "$bouncer_pid" ]; then kill "$bouncer_pid" 2>/dev/null; wait "$bouncer_pid" 2>/dev/null || true; fi
  bouncer_pid=""
}
