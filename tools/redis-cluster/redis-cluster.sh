#!/usr/bin/env bash
# A local Redis Cluster for the tests: 3 masters + 3 replicas on six ports from FIRST_PORT (default 7000),
# no persistence, data under a temp directory. Idempotent: does nothing when a healthy cluster already
# answers on the first port; otherwise it starts from nothing. (Replicas write the RDB of every full sync
# to disk even with saving off, so a restart must remove those files: a node that loads keys at start-up
# cannot join a new cluster.) Used by .ci/run and by the cluster integration tests (LocalRedisCluster).
#   redis-cluster.sh start|stop [FIRST_PORT]
set -euo pipefail
first=${2:-7000}
ports=$(seq "$first" $((first + 5)))
dir=${TMPDIR:-/tmp}/strata-redis-cluster-$first

# Healthy: the cluster state is ok and all six nodes are connected and not failing, three of them replicas
# (a replica lost to an earlier test leaves the state ok but the cluster unable to fail over).
healthy() {
  redis-cli -p "$first" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || return 1
  local nodes
  nodes=$(redis-cli -p "$first" cluster nodes 2>/dev/null | grep -v fail | grep ' connected') || return 1
  [ "$(grep -c . <<<"$nodes")" = 6 ] && [ "$(grep -c slave <<<"$nodes")" = 3 ]
}

case "${1:-start}" in
  start)
    healthy && exit 0
    command -v redis-server >/dev/null || { echo "redis-server is not installed (apt-get install redis-server)" >&2; exit 1; }
    mkdir -p "$dir"
    for port in $ports; do
      redis-cli -p "$port" ping >/dev/null 2>&1 && redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
      for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 || break; sleep 0.1; done
      rm -f "$dir/nodes-$port.conf" "$dir/dump-$port.rdb" "$dir/dump.rdb"
      redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --dir "$dir" --cluster-enabled yes \
        --cluster-config-file "nodes-$port.conf" --dbfilename "dump-$port.rdb" --cluster-node-timeout 1000 --cluster-replica-validity-factor 0 \
        --repl-ping-replica-period 1 --save "" --appendonly no \
        --logfile "$dir/$port.log" --pidfile "$dir/$port.pid"
    done
    for port in $ports; do
      for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    done
    # shellcheck disable=SC2046
    if ! out=$(redis-cli --cluster create $(for port in $ports; do printf '127.0.0.1:%s ' "$port"; done) \
        --cluster-replicas 1 --cluster-yes 2>&1); then
      printf 'redis-cli --cluster create failed:\n%s\n' "$out" >&2
      exit 1
    fi
    for _ in $(seq 1 100); do
      healthy && exit 0
      sleep 0.1
    done
    echo "Redis Cluster on $first did not become healthy" >&2
    exit 1
    ;;
  stop)
    for port in $ports; do redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; done
    ;;
esac
