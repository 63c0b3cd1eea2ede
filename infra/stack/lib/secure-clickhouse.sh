# shellcheck shell=bash
# ClickHouse of the secured local stack: a second clickhouse-server (Debian's 18.16) with its own
# config, data and ports, serving HTTPS only (infra/clickhouse/secure/*.template).
# State: <secure>/clickhouse/{data,tmp,config.xml,users.xml,clickhouse.pid};
# logs: <secure>/logs/clickhouse-server{,.err}.log and clickhouse.stdout.log.

SECURE_CH_SRC="$REPO_ROOT/infra/clickhouse/secure"
SECURE_CH_DIR="$SECURE_DIR/clickhouse"
SECURE_CH_PIDFILE="$SECURE_CH_DIR/clickhouse.pid"
SECURE_CH_ERRLOG="$SECURE_LOGS/clickhouse-server.err.log"
SECURE_CH_STDOUT="$SECURE_LOGS/clickhouse.stdout.log"
SECURE_CH_URL="https://127.0.0.1:$SECURE_CLICKHOUSE_PORT"
SECURE_CH_USER=denyscope

# secure_clickhouse_query SQL: runs SQL as denyscope over HTTPS, checking the server certificate
# against the stack's CA. The password goes to curl on stdin, not on its command line.
secure_clickhouse_query() {
  printf 'user = "%s:%s"\n' "$SECURE_CH_USER" "$CLICKHOUSE_DENYSCOPE_PASSWORD" |
    curl -fsS --max-time 5 -K - --cacert "$SECURE_CERTS/ca.pem" \
      --data-binary "$1" "$SECURE_CH_URL/" 2>/dev/null
}

secure_clickhouse_ready() { [[ "$(secure_clickhouse_query 'SELECT 1')" == 1 ]]; }

secure_clickhouse_render_config() {
  render_template "$SECURE_CH_SRC/config.xml.template" "$SECURE_CH_DIR/config.xml" \
    "HTTPS_PORT=$SECURE_CLICKHOUSE_PORT" "CLICKHOUSE_DIR=$SECURE_CH_DIR" \
    "CERTS_DIR=$SECURE_CERTS" "LOGS_DIR=$SECURE_LOGS"
  (
    umask 077
    render_template "$SECURE_CH_SRC/users.xml.template" "$SECURE_CH_DIR/users.xml" \
      "DEFAULT_PASSWORD_SHA256=$(printf '%s' "$CLICKHOUSE_DEFAULT_PASSWORD" | sha256sum | cut -d' ' -f1)" \
      "DENYSCOPE_PASSWORD_SHA256=$(printf '%s' "$CLICKHOUSE_DENYSCOPE_PASSWORD" | sha256sum | cut -d' ' -f1)"
  )
}

secure_clickhouse_start() {
  local pid bin
  mkdir -p "$SECURE_CH_DIR"/{data,tmp,user_files,format_schemas}
  if pid=$(read_pidfile "$SECURE_CH_PIDFILE" clickhouse); then
    info clickhouse "already running (pid $pid), reusing it"
    return 0
  fi
  have curl || die clickhouse "curl not found (apt-get install -y curl); it checks that ClickHouse answers over HTTPS"
  secure_require_port_free clickhouse SECURE_CLICKHOUSE_PORT "$SECURE_CLICKHOUSE_PORT"
  bin=$(clickhouse_server_bin)
  secure_clickhouse_render_config
  info clickhouse "starting $bin on $SECURE_CH_URL (log: $SECURE_LOGS/clickhouse-server.log)"
  printf '\n===== %s secure.sh: starting clickhouse =====\n' "$(date '+%F %T')" >>"$SECURE_CH_STDOUT"
  # Run from the state dir: some versions write preprocessed configs relative to the cwd.
  (cd "$SECURE_CH_DIR" && exec nohup "$bin" --config-file="$SECURE_CH_DIR/config.xml" \
    >>"$SECURE_CH_STDOUT" 2>&1 </dev/null) 9>&- &
  printf '%s\n' "$!" >"$SECURE_CH_PIDFILE"
}

secure_clickhouse_wait() {
  local pid
  pid=$(read_pidfile "$SECURE_CH_PIDFILE" clickhouse) || die clickhouse "not running (see $SECURE_CH_STDOUT)"
  if ! wait_until clickhouse "$pid" "$SECURE_CH_ERRLOG" secure_clickhouse_ready; then
    show_log_tail "$SECURE_CH_STDOUT"
    stop_pidfile clickhouse "$SECURE_CH_PIDFILE" clickhouse >/dev/null 2>&1 || true
    die clickhouse "not answering 'SELECT 1' as $SECURE_CH_USER on $SECURE_CH_URL (stopped it again)"
  fi
  info clickhouse "ready (pid $pid, ClickHouse $(secure_clickhouse_query 'SELECT version()'))"
}

secure_clickhouse_down() { stop_pidfile clickhouse "$SECURE_CH_PIDFILE" clickhouse; }

secure_clickhouse_status() {
  local pid
  pid=$(read_pidfile "$SECURE_CH_PIDFILE" clickhouse) || pid=
  if [[ -n "$pid" ]] && secure_clickhouse_ready; then
    status_line clickhouse up "$SECURE_CH_URL" "pid $pid"
  else
    status_line clickhouse down "$SECURE_CH_URL" "${pid:+pid $pid, not answering}"
    return 1
  fi
}

secure_clickhouse_env() {
  printf '%s\n' "CLICKHOUSE_URL=$SECURE_CH_URL" "CLICKHOUSE_USER=$SECURE_CH_USER" \
    "CLICKHOUSE_PASSWORD=$CLICKHOUSE_DENYSCOPE_PASSWORD" "CLICKHOUSE_CA_FILE=$SECURE_CERTS/ca.pem"
}
