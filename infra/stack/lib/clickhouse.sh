# shellcheck shell=bash
# ClickHouse: Debian's clickhouse-server run as a plain process with the stack's own config.
# State: <stack>/clickhouse/{data,tmp,config.xml,users.xml,clickhouse.pid};
# logs: <stack>/logs/clickhouse-server{,.err}.log and clickhouse.stdout.log.
# The data dir is kept across down/up (integration tests stop and restart ClickHouse).

CLICKHOUSE_SRC="$REPO_ROOT/infra/clickhouse"
CLICKHOUSE_DIR="$STACK_DIR/clickhouse"
CLICKHOUSE_PIDFILE="$CLICKHOUSE_DIR/clickhouse.pid"
CLICKHOUSE_LOG="$STACK_LOGS/clickhouse-server.log"
CLICKHOUSE_ERRLOG="$STACK_LOGS/clickhouse-server.err.log"
CLICKHOUSE_STDOUT="$STACK_LOGS/clickhouse.stdout.log"
CLICKHOUSE_URL="http://127.0.0.1:$CLICKHOUSE_HTTP_PORT"

clickhouse_endpoint() { printf 'CLICKHOUSE_URL=%s\n' "$CLICKHOUSE_URL"; }

clickhouse_query() { http_get "$CLICKHOUSE_URL/?query=$1"; }

clickhouse_ready() { [[ "$(clickhouse_query 'SELECT%201')" == 1 ]]; }

clickhouse_render_config() {
  render_template "$CLICKHOUSE_SRC/config.xml.template" "$CLICKHOUSE_DIR/config.xml" \
    "CLICKHOUSE_HTTP_PORT=$CLICKHOUSE_HTTP_PORT" \
    "CLICKHOUSE_TCP_PORT=$CLICKHOUSE_TCP_PORT" \
    "CLICKHOUSE_DIR=$CLICKHOUSE_DIR" \
    "LOGS_DIR=$STACK_LOGS"
  render_template "$CLICKHOUSE_SRC/users.xml.template" "$CLICKHOUSE_DIR/users.xml"
}

clickhouse_up() {
  local pid bin
  mkdir -p "$CLICKHOUSE_DIR"/{data,tmp,user_files,format_schemas}
  if pid=$(read_pidfile "$CLICKHOUSE_PIDFILE" clickhouse); then
    wait_until clickhouse "$pid" "$CLICKHOUSE_ERRLOG" clickhouse_ready ||
      die clickhouse "running (pid $pid) but not answering on $CLICKHOUSE_URL (started with other ports? 'stack.sh down clickhouse' first)"
    info clickhouse "already running (pid $pid), reusing it"
    return 0
  fi
  require_port_free clickhouse CLICKHOUSE_HTTP_PORT "$CLICKHOUSE_HTTP_PORT"
  require_port_free clickhouse CLICKHOUSE_TCP_PORT "$CLICKHOUSE_TCP_PORT"

  bin=$(clickhouse_server_bin)
  clickhouse_render_config

  info clickhouse "starting $bin on $CLICKHOUSE_URL (log: $CLICKHOUSE_LOG)"
  printf '\n===== %s stack.sh: starting clickhouse =====\n' "$(date '+%F %T')" >>"$CLICKHOUSE_STDOUT"
  # Run from the state dir: some versions write preprocessed configs relative to the cwd.
  (cd "$CLICKHOUSE_DIR" && exec nohup "$bin" --config-file="$CLICKHOUSE_DIR/config.xml" \
    >>"$CLICKHOUSE_STDOUT" 2>&1 </dev/null) 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$CLICKHOUSE_PIDFILE"

  if ! wait_until clickhouse "$pid" "$CLICKHOUSE_ERRLOG" clickhouse_ready; then
    show_log_tail "$CLICKHOUSE_STDOUT"
    stop_pidfile clickhouse "$CLICKHOUSE_PIDFILE" clickhouse >/dev/null 2>&1 || true
    die clickhouse "failed to start (stopped it again)"
  fi
  info clickhouse "ready (pid $pid, ClickHouse $(clickhouse_query 'SELECT%20version()'))"
}

clickhouse_down() { stop_pidfile clickhouse "$CLICKHOUSE_PIDFILE" clickhouse; }

clickhouse_status() {
  local pid
  pid=$(read_pidfile "$CLICKHOUSE_PIDFILE" clickhouse) || pid=
  if clickhouse_ready; then
    status_line clickhouse up "$CLICKHOUSE_URL" "$(pid_label "$pid")"
  else
    status_line clickhouse down "$CLICKHOUSE_URL" "${pid:+pid $pid, not answering}"
    return 1
  fi
}
