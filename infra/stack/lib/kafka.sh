# shellcheck shell=bash
# Kafka: a single-node KRaft broker run from the Maven Central jars of infra/kafka/pom.xml.
# State: <stack>/kafka/{libs,data,server.properties,kafka.pid}; log: <stack>/logs/kafka.log.

KAFKA_SRC="$REPO_ROOT/infra/kafka"
KAFKA_DIR="$STACK_DIR/kafka"
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_DATA="$KAFKA_DIR/data"
KAFKA_CONFIG="$KAFKA_DIR/server.properties"
KAFKA_PIDFILE="$KAFKA_DIR/kafka.pid"
KAFKA_LOG="$STACK_LOGS/kafka.log"          # written by log4j2 (infra/kafka/log4j2.properties)
KAFKA_STDOUT="$STACK_LOGS/kafka.stdout.log" # JVM output: crashes, errors before log4j starts
KAFKA_MAIN="kafka.Kafka"

kafka_endpoint() { printf 'KAFKA_BROKERS=127.0.0.1:%s\n' "$KAFKA_PORT"; }

kafka_java() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  else
    command -v java || true
  fi
}

# Java 17+ (Kafka 4 needs it); prints the java binary.
kafka_require_java() {
  local java version major
  java=$(kafka_java)
  [[ -n "$java" ]] || die kafka "Java not found (install a JDK 17+, e.g. apt-get install -y openjdk-17-jre-headless, or set JAVA_HOME)"
  version=$("$java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  major=${version%%.*}
  [[ "$major" == 1 ]] && major=$(cut -d. -f2 <<<"$version") # 1.8.0_x -> 8
  if [[ ! "$major" =~ ^[0-9]+$ ]] || ((major < 17)); then
    die kafka "Java ${version:-of unknown version} at $java is too old (install a JDK 17+ or set JAVA_HOME)"
  fi
  printf '%s\n' "$java"
}

kafka_pom_sha() { sha256sum "$KAFKA_SRC/pom.xml" | cut -d' ' -f1; }

# The jars are copied once, and again only when infra/kafka/pom.xml changes.
kafka_libs_current() {
  [[ -f "$KAFKA_LIBS/.pom.sha256" && "$(<"$KAFKA_LIBS/.pom.sha256")" == "$(kafka_pom_sha)" ]]
}

kafka_ensure_libs() {
  kafka_libs_current && return 0
  have mvn || die kafka "Maven not found (install it, e.g. apt-get install -y maven); it fetches the Kafka jars from Maven Central"
  local tmp="$KAFKA_DIR/libs.new" log="$STACK_LOGS/kafka-maven.log" started=$SECONDS
  info kafka "resolving Kafka jars with Maven (infra/kafka/pom.xml -> $KAFKA_LIBS; log: $log)"
  rm -rf "$tmp"
  if ! mvn -q -B -f "$KAFKA_SRC/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$log" 2>&1; then
    show_log_tail "$log"
    die kafka "Maven could not fetch the Kafka jars (network? Maven Central reachable?); see $log"
  fi
  kafka_pom_sha >"$tmp/.pom.sha256"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  info kafka "jars ready in $((SECONDS - started))s"
}

kafka_version() {
  local jar
  for jar in "$KAFKA_LIBS"/kafka_2.13-*.jar; do
    [[ -e "$jar" ]] || return 0
    jar=${jar##*/kafka_2.13-}
    printf '%s\n' "${jar%.jar}"
  done
}

kafka_render_config() {
  render_template "$KAFKA_SRC/server.properties.template" "$KAFKA_CONFIG" \
    "KAFKA_PORT=$KAFKA_PORT" \
    "KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT" \
    "KAFKA_DATA_DIR=$KAFKA_DATA"
}

# java JAVA ARGS...: run a Kafka class with the stack's classpath and logging.
kafka_run_java() {
  local java=$1
  shift
  "$java" -cp "$KAFKA_LIBS/*" \
    -Dlog4j2.configurationFile="$KAFKA_SRC/log4j2.properties" \
    -Dkafka.logs.dir="$STACK_LOGS" \
    "$@"
}

# KRaft storage is formatted once, on the first start (data/meta.properties is its marker).
kafka_format_storage() {
  local java=$1 cluster_id
  [[ -f "$KAFKA_DATA/meta.properties" ]] && return 0
  mkdir -p "$KAFKA_DATA"
  cluster_id=$(kafka_run_java "$java" -Xmx256m kafka.tools.StorageTool random-uuid 2>>"$KAFKA_STDOUT" | tail -n 1)
  [[ "$cluster_id" =~ ^[A-Za-z0-9_-]{22}$ ]] ||
    die kafka "kafka.tools.StorageTool random-uuid printed no cluster id (got '$cluster_id'); see $KAFKA_STDOUT"
  info kafka "formatting storage $KAFKA_DATA (cluster id $cluster_id)"
  if ! kafka_run_java "$java" -Xmx256m kafka.tools.StorageTool format \
    -t "$cluster_id" -c "$KAFKA_CONFIG" >>"$KAFKA_STDOUT" 2>&1; then
    show_log_tail "$KAFKA_STDOUT"
    die kafka "formatting the storage failed; see $KAFKA_STDOUT"
  fi
}

# Ready = the listener answers and the broker logged that it finished starting (in the part
# of kafka.log written since LOG_OFFSET).
kafka_ready() {
  local log_offset=$1 size
  port_open "$KAFKA_PORT" || return 1
  size=$(file_size "$KAFKA_LOG")
  ((size >= log_offset)) || log_offset=0 # the log rolled over meanwhile
  tail -c "+$((log_offset + 1))" "$KAFKA_LOG" 2>/dev/null |
    grep -q 'Kafka Server started (kafka.server.KafkaRaftServer)'
}

kafka_up() {
  local pid java log_offset
  mkdir -p "$KAFKA_DIR"
  if pid=$(read_pidfile "$KAFKA_PIDFILE" "$KAFKA_MAIN"); then
    wait_until kafka "$pid" "$KAFKA_LOG" port_open "$KAFKA_PORT" || die kafka "running (pid $pid) but not answering on port $KAFKA_PORT (started with other ports? 'stack.sh down kafka' first)"
    kafka_libs_current || warn kafka "infra/kafka/pom.xml changed; run 'stack.sh down kafka && stack.sh up kafka' to use the new jars"
    info kafka "already running (pid $pid), reusing it"
    return 0
  fi
  require_port_free kafka KAFKA_PORT "$KAFKA_PORT"
  require_port_free kafka KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"

  java=$(kafka_require_java) || exit 1
  kafka_ensure_libs
  kafka_render_config
  kafka_format_storage "$java"

  log_offset=$(file_size "$KAFKA_LOG")
  info kafka "starting Kafka $(kafka_version) on 127.0.0.1:$KAFKA_PORT (log: $KAFKA_LOG)"
  printf '\n===== %s stack.sh: starting kafka =====\n' "$(date '+%F %T')" >>"$KAFKA_STDOUT"
  nohup "$java" -Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true \
    -cp "$KAFKA_LIBS/*" \
    -Dlog4j2.configurationFile="$KAFKA_SRC/log4j2.properties" \
    -Dkafka.logs.dir="$STACK_LOGS" \
    "$KAFKA_MAIN" "$KAFKA_CONFIG" >>"$KAFKA_STDOUT" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$KAFKA_PIDFILE"

  if ! wait_until kafka "$pid" "$KAFKA_LOG" kafka_ready "$log_offset"; then
    show_log_tail "$KAFKA_STDOUT"
    stop_pidfile kafka "$KAFKA_PIDFILE" "$KAFKA_MAIN" >/dev/null 2>&1 || true
    die kafka "failed to start (stopped it again)"
  fi
  info kafka "ready (pid $pid)"
}

kafka_down() { stop_pidfile kafka "$KAFKA_PIDFILE" "$KAFKA_MAIN"; }

kafka_status() {
  local pid
  pid=$(read_pidfile "$KAFKA_PIDFILE" "$KAFKA_MAIN") || pid=
  if port_open "$KAFKA_PORT"; then
    status_line kafka up "127.0.0.1:$KAFKA_PORT" "$(pid_label "$pid")"
  else
    status_line kafka down "127.0.0.1:$KAFKA_PORT" "${pid:+pid $pid, not answering}"
    return 1
  fi
}
