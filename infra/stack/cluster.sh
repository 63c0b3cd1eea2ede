#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# A throw-away ClickHouse cluster for `npm run test:cluster`: one ZooKeeper (Debian's `zookeeper`
# package, run with the machine's Java) and two ClickHouse 18.16 servers (Debian's
# clickhouse-server), two shards of one replica, as plain processes on 127.0.0.1. Separate from
# the local stack (stack.sh): other ports, its own directory; it never touches the stack.
#
#   cluster.sh up       start (or reuse) ZooKeeper and both nodes; prints the endpoints
#   cluster.sh down     stop them and delete the cluster's state
#   cluster.sh status   up/down of each part; exit 1 if any is down
#
# `up` prints the endpoints on stdout (progress goes to stderr):
#   CLUSTER_NAME=denyscope_test  CLUSTER_NODE_URLS=http://127.0.0.1:18123,http://127.0.0.1:18124
#
# Environment: CLUSTER_ZOOKEEPER_PORT (12181), CLUSTER_HTTP_PORT (18123; node 2 uses the next
# port), CLUSTER_TCP_PORT (19101, 19102), CLUSTER_INTERSERVER_PORT (19201, 19202),
# DENYSCOPE_CLUSTER_DIR (<repo>/.stack-cluster), STACK_TIMEOUT (90), STACK_STOP_TIMEOUT (20).
#
# The cluster is for tests: `up` after `down` starts from empty data (ZooKeeper and ClickHouse
# state must be thrown away together, or replicated tables would point at missing metadata).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_LIB="$REPO_ROOT/infra/stack/lib"
TEMPLATES="$REPO_ROOT/infra/clickhouse/cluster"

CLUSTER_DIR="${DENYSCOPE_CLUSTER_DIR:-$REPO_ROOT/.stack-cluster}"
[[ "$CLUSTER_DIR" == /* ]] || CLUSTER_DIR="$PWD/$CLUSTER_DIR"
# common.sh's helpers log to $STACK_LOGS (apt.log) and read the two timeouts.
STACK_LOGS="$CLUSTER_DIR/logs"
STACK_TIMEOUT="${STACK_TIMEOUT:-90}"
STACK_STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-20}"

CLUSTER_NAME=denyscope_test
ZOOKEEPER_PORT="${CLUSTER_ZOOKEEPER_PORT:-12181}"
HTTP_PORT="${CLUSTER_HTTP_PORT:-18123}"
TCP_PORT="${CLUSTER_TCP_PORT:-19101}"
INTERSERVER_PORT="${CLUSTER_INTERSERVER_PORT:-19201}"
NODES=(1 2)

ZOOKEEPER_DIR="$CLUSTER_DIR/zookeeper"
ZOOKEEPER_PIDFILE="$ZOOKEEPER_DIR/zookeeper.pid"
ZOOKEEPER_JAR=/usr/share/java/zookeeper.jar

# shellcheck source=lib/common.sh
source "$STACK_LIB/common.sh"

usage() {
  sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

node_http_port() { echo $((HTTP_PORT + $1 - 1)); }
node_tcp_port() { echo $((TCP_PORT + $1 - 1)); }
node_interserver_port() { echo $((INTERSERVER_PORT + $1 - 1)); }
node_dir() { echo "$CLUSTER_DIR/node$1"; }
node_url() { echo "http://127.0.0.1:$(node_http_port "$1")"; }

endpoints() {
  local urls=() n
  for n in "${NODES[@]}"; do urls+=("$(node_url "$n")"); done
  printf 'CLUSTER_NAME=%s\n' "$CLUSTER_NAME"
  printf 'CLUSTER_NODE_URLS=%s\n' "$(
    IFS=,
    echo "${urls[*]}"
  )"
}

# --- ZooKeeper --------------------------------------------------------------------------

zookeeper_ready() {
  # shellcheck disable=SC2016 # $0 is expanded by the inner bash
  [[ "$(timeout 2 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
    printf ruok >&3
    cat <&3' "$ZOOKEEPER_PORT" 2>/dev/null)" == imok ]]
}

zookeeper_up() {
  local pid java
  if pid=$(read_pidfile "$ZOOKEEPER_PIDFILE" ZooKeeperServerMain); then
    wait_until zookeeper "$pid" "$STACK_LOGS/zookeeper.log" zookeeper_ready ||
      die zookeeper "running (pid $pid) but not answering"
    info zookeeper "already running (pid $pid), reusing it"
    return 0
  fi
  require_port_free zookeeper CLUSTER_ZOOKEEPER_PORT "$ZOOKEEPER_PORT"
  [[ -f "$ZOOKEEPER_JAR" ]] || apt_install zookeeper zookeeper
  [[ -f "$ZOOKEEPER_JAR" ]] || die zookeeper "$ZOOKEEPER_JAR still missing after installing zookeeper"
  java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  have "$java" || die zookeeper "java not found (Java 17+ is needed, as for Kafka)"

  rm -rf "$ZOOKEEPER_DIR"
  mkdir -p "$ZOOKEEPER_DIR/data"
  render_template "$TEMPLATES/zoo.cfg.template" "$ZOOKEEPER_DIR/zoo.cfg" \
    "ZOOKEEPER_DIR=$ZOOKEEPER_DIR" "ZOOKEEPER_PORT=$ZOOKEEPER_PORT"
  info zookeeper "starting on 127.0.0.1:$ZOOKEEPER_PORT"
  # Debian's zookeeper.jar names its dependencies in its manifest's Class-Path. Without an slf4j
  # binding on that path it logs nothing; its stdout (errors at start-up) goes to the log.
  nohup "$java" -Xmx256m -cp "$ZOOKEEPER_JAR" org.apache.zookeeper.server.ZooKeeperServerMain \
    "$ZOOKEEPER_DIR/zoo.cfg" >>"$STACK_LOGS/zookeeper.log" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$ZOOKEEPER_PIDFILE"
  wait_until zookeeper "$pid" "$STACK_LOGS/zookeeper.log" zookeeper_ready ||
    die zookeeper "failed to start"
  info zookeeper "ready (pid $pid)"
}

zookeeper_down() { stop_pidfile zookeeper "$ZOOKEEPER_PIDFILE" ZooKeeperServerMain; }

# --- ClickHouse nodes -------------------------------------------------------------------

node_ready() { [[ "$(http_get "$(node_url "$1")/?query=SELECT%201")" == 1 ]]; }

node_up() {
  local n=$1 dir pid bin
  dir=$(node_dir "$n")
  if pid=$(read_pidfile "$dir/clickhouse.pid" clickhouse); then
    wait_until "node$n" "$pid" "$STACK_LOGS/node$n.err.log" node_ready "$n" ||
      die "node$n" "running (pid $pid) but not answering on $(node_url "$n")"
    info "node$n" "already running (pid $pid), reusing it"
    return 0
  fi
  require_port_free "node$n" CLUSTER_HTTP_PORT "$(node_http_port "$n")"
  require_port_free "node$n" CLUSTER_TCP_PORT "$(node_tcp_port "$n")"
  require_port_free "node$n" CLUSTER_INTERSERVER_PORT "$(node_interserver_port "$n")"
  bin=$(clickhouse_server_bin)

  mkdir -p "$dir"/{data,tmp,user_files,format_schemas}
  render_template "$TEMPLATES/node-config.xml.template" "$dir/config.xml" \
    "NODE=$n" "NODE_DIR=$dir" "CLUSTER_DIR=$CLUSTER_DIR" "LOGS_DIR=$STACK_LOGS" \
    "CLUSTER=$CLUSTER_NAME" "ZOOKEEPER_PORT=$ZOOKEEPER_PORT" \
    "HTTP_PORT=$(node_http_port "$n")" "TCP_PORT=$(node_tcp_port "$n")" \
    "INTERSERVER_PORT=$(node_interserver_port "$n")" \
    "TCP_PORT_1=$(node_tcp_port 1)" "TCP_PORT_2=$(node_tcp_port 2)"
  info "node$n" "starting $bin on $(node_url "$n")"
  # Run from the node's dir: some versions write preprocessed configs relative to the cwd.
  (cd "$dir" && exec nohup "$bin" --config-file="$dir/config.xml" \
    >>"$STACK_LOGS/node$n.stdout.log" 2>&1 </dev/null) 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$dir/clickhouse.pid"
  if ! wait_until "node$n" "$pid" "$STACK_LOGS/node$n.err.log" node_ready "$n"; then
    show_log_tail "$STACK_LOGS/node$n.stdout.log"
    die "node$n" "failed to start"
  fi
  info "node$n" "ready (pid $pid)"
}

node_down() { stop_pidfile "node$1" "$(node_dir "$1")/clickhouse.pid" clickhouse; }

# --- commands ---------------------------------------------------------------------------

cmd_up() {
  local started=$SECONDS n
  # Nothing of ours runs: begin from empty state (see the header).
  if ! read_pidfile "$ZOOKEEPER_PIDFILE" ZooKeeperServerMain >/dev/null; then
    for n in "${NODES[@]}"; do node_down "$n" 2>/dev/null; done
    rm -rf "$ZOOKEEPER_DIR" "${NODES[@]/#/$CLUSTER_DIR/node}"
  fi
  render_template "$TEMPLATES/users.xml.template" "$CLUSTER_DIR/users.xml"
  zookeeper_up
  for n in "${NODES[@]}"; do node_up "$n"; done
  endpoints
  info cluster "up in $((SECONDS - started))s (state in $CLUSTER_DIR)"
}

cmd_down() {
  local n failed=0
  for n in "${NODES[@]}"; do node_down "$n" || failed=1; done
  zookeeper_down || failed=1
  ((failed == 0)) || die cluster "could not stop everything; state kept in $CLUSTER_DIR"
  rm -rf "$ZOOKEEPER_DIR" "${NODES[@]/#/$CLUSTER_DIR/node}"
}

cmd_status() {
  local rc=0 n
  if zookeeper_ready; then status_line zookeeper up "127.0.0.1:$ZOOKEEPER_PORT"; else
    status_line zookeeper down "127.0.0.1:$ZOOKEEPER_PORT"
    rc=1
  fi
  for n in "${NODES[@]}"; do
    if node_ready "$n"; then status_line "node$n" up "$(node_url "$n")"; else
      status_line "node$n" down "$(node_url "$n")"
      rc=1
    fi
  done
  return "$rc"
}

main() {
  local cmd=${1:-}
  (($# > 0)) && shift
  for var in ZOOKEEPER_PORT HTTP_PORT TCP_PORT INTERSERVER_PORT; do require_port "$var" "${!var}"; done
  mkdir -p "$STACK_LOGS"
  case "$cmd" in
    up) lock_state_dir cluster "$CLUSTER_DIR" 300 && cmd_up ;;
    down) lock_state_dir cluster "$CLUSTER_DIR" 300 && cmd_down ;;
    status) cmd_status ;;
    *) usage ;;
  esac
}

main "$@"
