#!/usr/bin/env bash
# pgbouncer in transaction-pooling mode for development and CI: 127.0.0.1:6432 in front of the
# PostgreSQL on 127.0.0.1:5432, every database, every role (auth_type trust: for trust-auth
# development machines and CI only).
#
#   scripts/pgbouncer.sh start   # start it unless it is running (idempotent)
#   scripts/pgbouncer.sh status  # exit 0 when it answers
#   scripts/pgbouncer.sh stop
#
# Options: --port PORT (6432), --pg-port PORT (5432), --pool-size N (4 server connections per
# database and role: few, so client transactions really share them), --pool-mode MODE
# (transaction; a test starts a `statement` one to see Livery refuse it), --dir DIR
# (${TMPDIR:-/tmp}/livery-pgbouncer-PORT).
# Tests reach it as LIVERY_TEST_PGBOUNCER=postgres://postgres@127.0.0.1:6432/postgres (the default).
set -uo pipefail

command=${1:-start}
shift || true
port=6432
pg_port=5432
pool_size=4
pool_mode=transaction
dir=''
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --pg-port) pg_port=$2; shift 2 ;;
    --pool-size) pool_size=$2; shift 2 ;;
    --pool-mode) pool_mode=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "pgbouncer.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
dir=${dir:-${TMPDIR:-/tmp}/livery-pgbouncer-$port}

answers() { pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; }
ours() { [ -f "$dir/pgbouncer.pid" ] && kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null; }

start() {
  if ours && answers; then echo "pgbouncer answers on 127.0.0.1:$port"; return 0; fi
  if answers; then
    echo "pgbouncer.sh: something else answers on 127.0.0.1:$port (the system's pgbouncer service? \`service pgbouncer stop\`), or pass --port" >&2
    exit 1
  fi
  command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || { echo 'pgbouncer.sh: pgbouncer is not installed (apt-get install pgbouncer)' >&2; exit 1; }
  local bin
  bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
  mkdir -p "$dir"
  # Users not listed here are looked up in PostgreSQL through auth_user (trust needs them known).
  printf '"postgres" ""\n' >"$dir/userlist.txt"
  cat >"$dir/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$pg_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
auth_user = postgres
pool_mode = $pool_mode
default_pool_size = $pool_size
max_client_conn = 1000
max_db_connections = 0
ignore_startup_parameters = extra_float_digits,options,statement_timeout,idle_in_transaction_session_timeout
admin_users = postgres
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
  local as=()
  # pgbouncer refuses to run as root: run it as the postgres system user then.
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir" && as=(-u postgres); fi
  "$bin" -d "${as[@]}" "$dir/pgbouncer.ini" || { tail -5 "$dir/pgbouncer.log" >&2; exit 1; }
  for _ in $(seq 100); do answers && { echo "pgbouncer ($pool_mode pooling) on 127.0.0.1:$port"; return 0; }; sleep 0.1; done
  echo "pgbouncer.sh: pgbouncer did not answer on 127.0.0.1:$port (log: $dir/pgbouncer.log)" >&2
  exit 1
}

stop() {
  [ -f "$dir/pgbouncer.pid" ] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null
  return 0
}

case "$command" in
  start) start ;;
  stop) stop ;;
  status) ours && answers && echo "pgbouncer answers on 127.0.0.1:$port" || { echo "pgbouncer is not running on 127.0.0.1:$port; run scripts/pgbouncer.sh start" >&2; exit 1; } ;;
  *) echo "usage: scripts/pgbouncer.sh start|stop|status [--port PORT] [--pg-port PORT] [--pool-size N] [--pool-mode MODE] [--dir DIR]" >&2; exit 2 ;;
esac
