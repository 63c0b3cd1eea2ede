# shellcheck shell=bash
# Redis of the secured local stack: a second redis-server (the machine's, built with TLS) with TLS
# only (port 0), `requirepass` for the default user and an ACL user for denyscope, no persistence.
# A client certificate is checked when one is sent (tls-auth-clients optional).
# State: <secure>/redis/{redis.conf (mode 600: it holds the passwords),redis.pid};
# log: <secure>/logs/redis.log.

SECURE_REDIS_DIR="$SECURE_DIR/redis"
SECURE_REDIS_CONF="$SECURE_REDIS_DIR/redis.conf"
SECURE_REDIS_PIDFILE="$SECURE_REDIS_DIR/redis.pid"
SECURE_REDIS_LOG="$SECURE_LOGS/redis.log"
SECURE_REDIS_USER=denyscope

# PING as the denyscope user over TLS (password through the environment, not the command line).
secure_redis_ping() {
  [[ "$(REDISCLI_AUTH="$REDIS_DENYSCOPE_PASSWORD" timeout 3 redis-cli --no-auth-warning \
    --tls --cacert "$SECURE_CERTS/ca.pem" -h 127.0.0.1 -p "$SECURE_REDIS_PORT" \
    --user "$SECURE_REDIS_USER" ping 2>/dev/null)" == PONG ]]
}

secure_redis_render_config() {
  (
    umask 077
    cat >"$SECURE_REDIS_CONF.tmp" <<EOF
# Written by infra/stack/lib/secure-redis.sh on every 'secure.sh up'.
bind 127.0.0.1
port 0
tls-port $SECURE_REDIS_PORT
tls-cert-file $SECURE_CERTS/server.pem
tls-key-file $SECURE_CERTS/server.key
tls-ca-cert-file $SECURE_CERTS/ca.pem
tls-auth-clients optional
requirepass $REDIS_DEFAULT_PASSWORD
user $SECURE_REDIS_USER on >$REDIS_DENYSCOPE_PASSWORD ~* &* +@all
save ""
appendonly no
dir $SECURE_REDIS_DIR
daemonize yes
pidfile $SECURE_REDIS_PIDFILE
logfile $SECURE_REDIS_LOG
EOF
    mv -f "$SECURE_REDIS_CONF.tmp" "$SECURE_REDIS_CONF"
  )
}

secure_redis_start() {
  local pid
  mkdir -p "$SECURE_REDIS_DIR"
  if pid=$(read_pidfile "$SECURE_REDIS_PIDFILE" redis-server); then
    info redis "already running (pid $pid), reusing it"
    return 0
  fi
  secure_require_port_free redis SECURE_REDIS_PORT "$SECURE_REDIS_PORT"
  have redis-server || apt_install redis redis-server
  have redis-server || die redis "redis-server still not found after installing it with apt-get"
  have redis-cli || die redis "redis-cli not found (apt-get install -y redis-tools)"
  secure_redis_render_config
  info redis "starting redis-server with TLS on 127.0.0.1:$SECURE_REDIS_PORT (log: $SECURE_REDIS_LOG)"
  rm -f "$SECURE_REDIS_PIDFILE"
  redis-server "$SECURE_REDIS_CONF" 9>&- ||
    die redis "redis-server failed to start (built without TLS?); see $SECURE_REDIS_LOG"
}

secure_redis_wait() {
  local pid deadline=$((SECONDS + 10))
  # --daemonize: the pid file appears once the daemon runs.
  until pid=$(read_pidfile "$SECURE_REDIS_PIDFILE" redis-server); do
    if ((SECONDS >= deadline)); then
      show_log_tail "$SECURE_REDIS_LOG"
      die redis "redis-server is not running (no live pid in $SECURE_REDIS_PIDFILE); see $SECURE_REDIS_LOG"
    fi
    sleep 0.2
  done
  if ! wait_until redis "$pid" "$SECURE_REDIS_LOG" secure_redis_ping; then
    stop_pidfile redis "$SECURE_REDIS_PIDFILE" redis-server >/dev/null 2>&1 || true
    die redis "not answering PING as $SECURE_REDIS_USER over TLS (stopped it again)"
  fi
  info redis "ready (pid $pid, Redis $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p'))"
}

secure_redis_down() { stop_pidfile redis "$SECURE_REDIS_PIDFILE" redis-server; }

secure_redis_status() {
  local pid
  pid=$(read_pidfile "$SECURE_REDIS_PIDFILE" redis-server) || pid=
  if [[ -n "$pid" ]] && secure_redis_ping; then
    status_line redis up "rediss://127.0.0.1:$SECURE_REDIS_PORT" "pid $pid"
  else
    status_line redis down "rediss://127.0.0.1:$SECURE_REDIS_PORT" "${pid:+pid $pid, not answering}"
    return 1
  fi
}

secure_redis_env() {
  printf '%s\n' \
    "REDIS_URL=rediss://$SECURE_REDIS_USER:$REDIS_DENYSCOPE_PASSWORD@127.0.0.1:$SECURE_REDIS_PORT" \
    "REDIS_CA_FILE=$SECURE_CERTS/ca.pem" \
    "SECURE_STACK_REDIS_DEFAULT_PASSWORD=$REDIS_DEFAULT_PASSWORD"
}
