# shellcheck shell=bash
# Kafka of the secured local stack: the plain stack's broker (lib/kafka.sh: same jars, same Java
# check), with infra/kafka/server-secure.properties.template. secure.sh sources
# lib/kafka.sh with STACK_DIR/STACK_LOGS/KAFKA_PORT pointing at the secure stack, so KAFKA_DIR,
# KAFKA_LIBS, KAFKA_DATA, KAFKA_LOG... below are the secure stack's own.
# State: <secure>/kafka/{libs,data,server.properties,kafka.pid,data.secrets.sha256}.

SECURE_KAFKA_TEMPLATE="$REPO_ROOT/infra/kafka/server-secure.properties.template"
SECURE_KAFKA_SECRETS_MARK="$KAFKA_DIR/data.secrets.sha256"
SECURE_KAFKA_USER=denyscope

# The jars: hard links to (or a copy of) another stack's libs/ when that one was resolved from
# the same pom.xml, which saves the Maven run; otherwise lib/kafka.sh resolves them with Maven.
secure_kafka_libs() {
  local shared="${DENYSCOPE_STACK_DIR:-$REPO_ROOT/.stack}/kafka/libs"
  [[ "$shared" == /* ]] || shared="$PWD/$shared"
  if ! kafka_libs_current && [[ -f "$shared/.pom.sha256" &&
    "$(<"$shared/.pom.sha256")" == "$(kafka_pom_sha)" ]]; then
    info kafka "linking the Kafka jars of $shared"
    rm -rf "$KAFKA_LIBS.new"
    cp -al "$shared" "$KAFKA_LIBS.new" 2>/dev/null || cp -a "$shared" "$KAFKA_LIBS.new"
    rm -rf "$KAFKA_LIBS"
    mv "$KAFKA_LIBS.new" "$KAFKA_LIBS"
  fi
  kafka_ensure_libs
}

secure_kafka_render_config() {
  (
    umask 077
    render_template "$SECURE_KAFKA_TEMPLATE" "$KAFKA_CONFIG" \
      "SASL_SSL_PORT=$SECURE_KAFKA_PORT" "MTLS_PORT=$SECURE_KAFKA_MTLS_PORT" \
      "CONTROLLER_PORT=$SECURE_KAFKA_CONTROLLER_PORT" "DATA_DIR=$KAFKA_DATA" \
      "CERTS_DIR=$SECURE_CERTS" "ADMIN_PASSWORD=$KAFKA_ADMIN_PASSWORD" \
      "USERNAME=$SECURE_KAFKA_USER" "USER_PASSWORD=$KAFKA_DENYSCOPE_PASSWORD"
  )
}

# The storage holds the SCRAM users, so it is formatted again (empty) when the passwords in
# secrets.env are not the ones it was formatted with.
secure_kafka_format_storage() {
  local java=$1 cluster_id mechanism scram=()
  if [[ -f "$KAFKA_DATA/meta.properties" && -f "$SECURE_KAFKA_SECRETS_MARK" &&
    "$(<"$SECURE_KAFKA_SECRETS_MARK")" == "$(secrets_sha)" ]]; then
    return 0
  fi
  rm -rf "$KAFKA_DATA" "$SECURE_KAFKA_SECRETS_MARK"
  mkdir -p "$KAFKA_DATA"
  cluster_id=$(kafka_run_java "$java" -Xmx256m kafka.tools.StorageTool random-uuid 2>>"$KAFKA_STDOUT" | tail -n 1)
  [[ "$cluster_id" =~ ^[A-Za-z0-9_-]{22}$ ]] ||
    die kafka "kafka.tools.StorageTool random-uuid printed no cluster id (got '$cluster_id'); see $KAFKA_STDOUT"
  for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
    scram+=(--add-scram "$mechanism=[name=admin,password=$KAFKA_ADMIN_PASSWORD]")
    scram+=(--add-scram "$mechanism=[name=$SECURE_KAFKA_USER,password=$KAFKA_DENYSCOPE_PASSWORD]")
  done
  info kafka "formatting storage $KAFKA_DATA with SCRAM users admin and $SECURE_KAFKA_USER"
  if ! kafka_run_java "$java" -Xmx256m kafka.tools.StorageTool format \
    -t "$cluster_id" -c "$KAFKA_CONFIG" "${scram[@]}" >>"$KAFKA_STDOUT" 2>&1; then
    show_log_tail "$KAFKA_STDOUT"
    die kafka "formatting the storage failed; see $KAFKA_STDOUT"
  fi
  secrets_sha >"$SECURE_KAFKA_SECRETS_MARK"
}

secure_kafka_running() { read_pidfile "$KAFKA_PIDFILE" "$KAFKA_MAIN" >/dev/null; }

# Starts the broker without waiting for it (secure_kafka_wait does): the JVM takes the longest,
# so the other parts start meanwhile. Prints nothing; leaves the offset of kafka.log to wait from.
secure_kafka_start() {
  local pid java
  mkdir -p "$KAFKA_DIR"
  if pid=$(read_pidfile "$KAFKA_PIDFILE" "$KAFKA_MAIN"); then
    info kafka "already running (pid $pid), reusing it"
    rm -f "$KAFKA_DIR/log.offset"
    return 0
  fi
  local port var
  for var in SECURE_KAFKA_PORT SECURE_KAFKA_MTLS_PORT SECURE_KAFKA_CONTROLLER_PORT; do
    port=${!var}
    secure_require_port_free kafka "$var" "$port"
  done
  java=$(kafka_require_java) || exit 1
  secure_kafka_libs
  secure_kafka_render_config
  secure_kafka_format_storage "$java"

  file_size "$KAFKA_LOG" >"$KAFKA_DIR/log.offset"
  info kafka "starting Kafka $(kafka_version) on 127.0.0.1:$SECURE_KAFKA_PORT (SASL_SSL) and :$SECURE_KAFKA_MTLS_PORT (mTLS) (log: $KAFKA_LOG)"
  printf '\n===== %s secure.sh: starting kafka =====\n' "$(date '+%F %T')" >>"$KAFKA_STDOUT"
  # TieredStopAtLevel=1 (C1 only): the broker answers in about half the time (it starts for
  # every `npm test`), and the tests send far too little for the missing C2 to matter.
  nohup "$java" -Xms128m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -cp "$KAFKA_LIBS/*" \
    -Dlog4j2.configurationFile="$KAFKA_SRC/log4j2.properties" \
    -Dkafka.logs.dir="$STACK_LOGS" \
    "$KAFKA_MAIN" "$KAFKA_CONFIG" >>"$KAFKA_STDOUT" 2>&1 </dev/null 9>&- &
  printf '%s\n' "$!" >"$KAFKA_PIDFILE"
}

# Ready = the SASL_SSL listener answers and the broker logged that it finished starting, in the
# part of kafka.log written since LOG_OFFSET. (grep -c reads all of it: with grep -q, tail could
# die of SIGPIPE on a long log and pipefail would call that "not ready".)
secure_kafka_started() {
  local log_offset=$1
  port_open "$SECURE_KAFKA_PORT" || return 1
  (($(file_size "$KAFKA_LOG") >= log_offset)) || log_offset=0 # the log rolled over meanwhile
  (($(tail -c "+$((log_offset + 1))" "$KAFKA_LOG" 2>/dev/null |
    grep -c 'Kafka Server started (kafka.server.KafkaRaftServer)') > 0))
}

secure_kafka_wait() {
  local pid ready=(port_open "$SECURE_KAFKA_PORT")
  pid=$(read_pidfile "$KAFKA_PIDFILE" "$KAFKA_MAIN") || die kafka "not running (see $KAFKA_STDOUT)"
  # Started by this run: wait for its "started" line in the part of kafka.log written since.
  # A broker reused from an earlier run only has to answer.
  [[ -f "$KAFKA_DIR/log.offset" ]] && ready=(secure_kafka_started "$(<"$KAFKA_DIR/log.offset")")
  if ! wait_until kafka "$pid" "$KAFKA_LOG" "${ready[@]}"; then
    show_log_tail "$KAFKA_STDOUT"
    stop_pidfile kafka "$KAFKA_PIDFILE" "$KAFKA_MAIN" >/dev/null 2>&1 || true
    die kafka "failed to start (stopped it again)"
  fi
  rm -f "$KAFKA_DIR/log.offset"
  info kafka "ready (pid $pid)"
}

secure_kafka_down() { stop_pidfile kafka "$KAFKA_PIDFILE" "$KAFKA_MAIN"; }

secure_kafka_status() {
  local pid
  pid=$(read_pidfile "$KAFKA_PIDFILE" "$KAFKA_MAIN") || pid=
  if [[ -n "$pid" ]] && port_open "$SECURE_KAFKA_PORT"; then
    status_line kafka up "127.0.0.1:$SECURE_KAFKA_PORT" "pid $pid"
  else
    status_line kafka down "127.0.0.1:$SECURE_KAFKA_PORT" "${pid:+pid $pid, not answering}"
    return 1
  fi
}

secure_kafka_env() {
  printf '%s\n' "KAFKA_BROKERS=127.0.0.1:$SECURE_KAFKA_PORT" KAFKA_SSL=true \
    "KAFKA_SSL_CA_FILE=$SECURE_CERTS/ca.pem" KAFKA_SASL_MECHANISM=scram-sha-512 \
    "KAFKA_SASL_USERNAME=$SECURE_KAFKA_USER" "KAFKA_SASL_PASSWORD=$KAFKA_DENYSCOPE_PASSWORD" \
    "SECURE_STACK_KAFKA_MTLS_BROKERS=127.0.0.1:$SECURE_KAFKA_MTLS_PORT"
}
