#!/usr/bin/env bash
# A local Redis Cluster for development and CI: three masters and three replicas on ports
# PORT..PORT+5 (7000-7005 by default), bound to 127.0.0.1, without persistence.
#
#   scripts/redis-cluster.sh start   # start the nodes that are not running; create the cluster once
#   scripts/redis-cluster.sh status  # exit 0 when the cluster answers and is healthy
#   scripts/redis-cluster.sh stop    # shut the nodes down (their cluster config is kept)
#   scripts/redis-cluster.sh reset   # stop and forget the cluster (the next start creates a new one)
#
# Options: --port BASE (7000), --dir DIR (${TMPDIR:-/tmp}/livery-redis-cluster-BASE),
# --node-timeout MS (3000: how long a master may be silent before its replica takes over).
# Idempotent: `start` on a running cluster changes nothing, and a node that was killed rejoins
# the cluster from its config file when started again (as a replica if it was failed over).
# Livery reaches it with REDIS_URL=redis+cluster://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002.
set -uo pipefail

command=${1:-start}
shift || true
base=7000
dir=''
node_timeout=3000
while [ $# -gt 0 ]; do
  case "$1" in
    --port) base=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --node-timeout) node_timeout=$2; shift 2 ;;
    *) echo "redis-cluster.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
dir=${dir:-${TMPDIR:-/tmp}/livery-redis-cluster-$base}
ports=$(seq "$base" $((base + 5)))

cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}"; }
answers() { [ "$(cli "$1" ping 2>/dev/null)" = PONG ]; }
state_ok() { cli "$1" cluster info 2>/dev/null | tr -d '\r' | grep -q '^cluster_state:ok$'; }
known_nodes() { cli "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_known_nodes://p'; }

replica_in_sync() { cli "$1" info replication 2>/dev/null | tr -d '\r' | grep -q '^master_link_status:up$'; }

# Every node answers with cluster_state:ok, and three of them are replicas in sync with a master
# (so a master can fail over).
healthy() {
  local replicas=0
  for port in $ports; do
    answers "$port" && state_ok "$port" || return 1
    replica_in_sync "$port" && replicas=$((replicas + 1))
  done
  [ "$replicas" -ge 3 ]
}

wait_until() { # what, condition…: up to 30 s
  local what=$1; shift
  for _ in $(seq 300); do "$@" && return 0; sleep 0.1; done
  echo "redis-cluster.sh: timed out waiting for $what (logs in $dir)" >&2
  return 1
}

all_answer() { for port in $ports; do answers "$port" || return 1; done; }

start() {
  command -v redis-server >/dev/null || { echo 'redis-cluster.sh: redis-server is not installed (apt-get install redis-server)' >&2; exit 1; }
  mkdir -p "$dir"
  for port in $ports; do
    answers "$port" && continue
    redis-server --port "$port" --bind 127.0.0.1 --daemonize yes \
      --cluster-enabled yes --cluster-config-file "nodes-$port.conf" --cluster-node-timeout "$node_timeout" \
      --save '' --appendonly no --dir "$dir" --pidfile "$dir/$port.pid" --logfile "$dir/$port.log" || exit 1
  done
  wait_until 'the nodes to answer' all_answer || exit 1
  # A node knowing only itself has never joined a cluster: create it (all six are fresh then).
  if [ "$(known_nodes "$base")" = 1 ]; then
    local nodes=()
    for port in $ports; do nodes+=("127.0.0.1:$port"); done
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 \
      || { cat "$dir/create.log" >&2; exit 1; }
  fi
  wait_until 'cluster_state:ok on every node' healthy || exit 1
  echo "Redis Cluster up: redis+cluster://127.0.0.1:$base,127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))"
}

stop() {
  for port in $ports; do answers "$port" && cli "$port" shutdown nosave >/dev/null 2>&1; done
  return 0
}

case "$command" in
  start) start ;;
  stop) stop ;;
  reset) stop; rm -rf "$dir" ;;
  status) healthy && echo "Redis Cluster on $base-$((base + 5)) is healthy" || { echo "Redis Cluster on $base-$((base + 5)) is not running or not healthy; run scripts/redis-cluster.sh start" >&2; exit 1; } ;;
  *) echo "usage: scripts/redis-cluster.sh start|stop|status|reset [--port BASE] [--dir DIR] [--node-timeout MS]" >&2; exit 2 ;;
esac
