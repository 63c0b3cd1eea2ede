# shellcheck shell=bash
# Redis: reuse whatever already answers PING on 127.0.0.1:$REDIS_PORT (e.g. the machine's
# own Redis); otherwise start a throw-away redis-server (no persistence, unless
# REDIS_APPENDONLY=yes: then an append-only file in <stack>/redis keeps the data across down/up,
# as a production Redis under BullMQ would). `down` only stops a Redis that the stack started
# (the one recorded in <stack>/redis/redis.pid).

REDIS_DIR="$STACK_DIR/redis"
REDIS_PIDFILE="$REDIS_DIR/redis.pid"
REDIS_LOG="$STACK_LOGS/redis.log"

redis_endpoint() { printf 'REDIS_URL=redis://127.0.0.1:%s\n' "$REDIS_PORT"; }

redis_ping() {
  if have redis-cli; then
    [[ "$(timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
  else
    # shellcheck disable=SC2016 # $0 is expanded by the inner bash
    timeout 3 bash -c '
      exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
      printf "PING\r\n" >&3
      IFS= read -r reply <&3 && [[ "$reply" == "+PONG"* ]]' "$REDIS_PORT" 2>/dev/null
  fi
}

redis_up() {
  local pid
  mkdir -p "$REDIS_DIR"
  if pid=$(read_pidfile "$REDIS_PIDFILE" redis-server); then
    wait_until redis "$pid" "$REDIS_LOG" redis_ping || die redis "running (pid $pid) but not answering PING"
    info redis "already running (pid $pid), reusing it"
    return 0
  fi
  if redis_ping; then
    info redis "reusing the Redis already answering on 127.0.0.1:$REDIS_PORT (not started by the stack; 'down' leaves it alone)"
    return 0
  fi
  require_port_free redis REDIS_PORT "$REDIS_PORT"

  have redis-server || apt_install redis redis-server
  have redis-server || die redis "redis-server still not found after installing it with apt-get"

  info redis "starting redis-server on 127.0.0.1:$REDIS_PORT (log: $REDIS_LOG)"
  rm -f "$REDIS_PIDFILE"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly "$REDIS_APPENDONLY" \
    --dir "$REDIS_DIR" --daemonize yes --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG" 9>&- ||
    die redis "redis-server failed to start; see $REDIS_LOG"

  # --daemonize: the pid file appears once the daemon runs.
  local deadline=$((SECONDS + 10))
  until [[ -s "$REDIS_PIDFILE" ]]; do
    if ((SECONDS >= deadline)); then
      show_log_tail "$REDIS_LOG"
      die redis "redis-server wrote no pid file ($REDIS_PIDFILE); see $REDIS_LOG"
    fi
    sleep 0.2
  done
  pid=$(<"$REDIS_PIDFILE")
  if ! wait_until redis "$pid" "$REDIS_LOG" redis_ping; then
    stop_pidfile redis "$REDIS_PIDFILE" redis-server >/dev/null 2>&1 || true
    die redis "failed to start (stopped it again)"
  fi
  info redis "ready (pid $pid, Redis $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p'))"
}

redis_down() {
  if [[ ! -f "$REDIS_PIDFILE" ]] && redis_ping; then
    info redis "not started by the stack; leaving the Redis on 127.0.0.1:$REDIS_PORT running"
    return 0
  fi
  stop_pidfile redis "$REDIS_PIDFILE" redis-server
}

redis_status() {
  local pid
  pid=$(read_pidfile "$REDIS_PIDFILE" redis-server) || pid=
  if redis_ping; then
    status_line redis up "redis://127.0.0.1:$REDIS_PORT" "$(pid_label "$pid")"
  else
    status_line redis down "redis://127.0.0.1:$REDIS_PORT" "${pid:+pid $pid, not answering}"
    return 1
  fi
}
