#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Secured local stack for tests: Kafka with SASL_SSL (SCRAM) and an mTLS listener, ClickHouse
# 18.16 over HTTPS with password users, Redis over TLS with requirepass and an ACL user. Plain
# processes on 127.0.0.1, certificates and passwords made by this script. Separate from the
# local stack (stack.sh): other ports, its own directory; it never touches that stack.
#
#   secure.sh up       make certificates/passwords if missing, start (or reuse) all three parts
#   secure.sh down     stop what this script started (certificates, passwords and data stay)
#   secure.sh status   up/down of every part; exit 1 if any is down
#
# `up` prints on stdout, one KEY=value a line, what a client needs (progress goes to stderr):
#   KAFKA_BROKERS KAFKA_SSL KAFKA_SSL_CA_FILE KAFKA_SASL_MECHANISM KAFKA_SASL_USERNAME
#   KAFKA_SASL_PASSWORD CLICKHOUSE_URL CLICKHOUSE_USER CLICKHOUSE_PASSWORD CLICKHOUSE_CA_FILE
#   REDIS_URL REDIS_CA_FILE, and SECURE_STACK_* lines for negative tests (untrusted CA, client
#   certificates, the mTLS listener, Redis's default-user password).
#
# Environment: SECURE_KAFKA_PORT (19094, SASL_SSL), SECURE_KAFKA_MTLS_PORT (19095, SSL with a
# client certificate required), SECURE_KAFKA_CONTROLLER_PORT (19096), SECURE_CLICKHOUSE_PORT
# (18443, HTTPS), SECURE_REDIS_PORT (16380, TLS), DENYSCOPE_SECURE_STACK_DIR
# (<repo>/.stack-secure), STACK_TIMEOUT (90), STACK_STOP_TIMEOUT (20), JAVA_HOME (optional).
#
# State in $DENYSCOPE_SECURE_STACK_DIR: certs/ and secrets.env (made once; delete them after
# `down` for new ones), logs/, kafka/ (jars linked from the local stack's when they match
# infra/kafka/pom.xml), clickhouse/, redis/. See docs/local-run.md, "Secured local stack".
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_LIB="$REPO_ROOT/infra/stack/lib"

SECURE_DIR="${DENYSCOPE_SECURE_STACK_DIR:-$REPO_ROOT/.stack-secure}"
[[ "$SECURE_DIR" == /* ]] || SECURE_DIR="$PWD/$SECURE_DIR"
SECURE_LOGS="$SECURE_DIR/logs"
STACK_TIMEOUT="${STACK_TIMEOUT:-90}"
STACK_STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-20}"

SECURE_KAFKA_PORT="${SECURE_KAFKA_PORT:-19094}"
SECURE_KAFKA_MTLS_PORT="${SECURE_KAFKA_MTLS_PORT:-19095}"
SECURE_KAFKA_CONTROLLER_PORT="${SECURE_KAFKA_CONTROLLER_PORT:-19096}"
SECURE_CLICKHOUSE_PORT="${SECURE_CLICKHOUSE_PORT:-18443}"
SECURE_REDIS_PORT="${SECURE_REDIS_PORT:-16380}"

# lib/common.sh and lib/kafka.sh read these: point them at this stack, never at .stack/.
STACK_DIR="$SECURE_DIR"
STACK_LOGS="$SECURE_LOGS"
KAFKA_PORT="$SECURE_KAFKA_PORT"

PARTS=(kafka clickhouse redis)

# shellcheck source=lib/common.sh
source "$STACK_LIB/common.sh"
# shellcheck source=lib/kafka.sh
source "$STACK_LIB/kafka.sh"
# shellcheck source=lib/secure-certs.sh
source "$STACK_LIB/secure-certs.sh"
# shellcheck source=lib/secure-kafka.sh
source "$STACK_LIB/secure-kafka.sh"
# shellcheck source=lib/secure-clickhouse.sh
source "$STACK_LIB/secure-clickhouse.sh"
# shellcheck source=lib/secure-redis.sh
source "$STACK_LIB/secure-redis.sh"

usage() {
  sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

validate_settings() {
  local var shared_dir
  for var in SECURE_KAFKA_PORT SECURE_KAFKA_MTLS_PORT SECURE_KAFKA_CONTROLLER_PORT \
    SECURE_CLICKHOUSE_PORT SECURE_REDIS_PORT; do
    require_port "$var" "${!var}"
  done
  [[ "$STACK_TIMEOUT" =~ ^[0-9]+$ ]] || die secure "STACK_TIMEOUT must be a number of seconds"
  [[ "$STACK_STOP_TIMEOUT" =~ ^[0-9]+$ ]] || die secure "STACK_STOP_TIMEOUT must be a number of seconds"
  shared_dir="${DENYSCOPE_STACK_DIR:-$REPO_ROOT/.stack}"
  [[ "$shared_dir" == /* ]] || shared_dir="$PWD/$shared_dir"
  [[ "${SECURE_DIR%/}" != "${shared_dir%/}" && "${SECURE_DIR%/}" != "${REPO_ROOT}/.stack" ]] ||
    die secure "DENYSCOPE_SECURE_STACK_DIR must not be the local stack's directory ($SECURE_DIR)"
}

secure_any_running() {
  read_pidfile "$KAFKA_PIDFILE" "$KAFKA_MAIN" >/dev/null ||
    read_pidfile "$SECURE_CH_PIDFILE" clickhouse >/dev/null ||
    read_pidfile "$SECURE_REDIS_PIDFILE" redis-server >/dev/null
}

# secure_require_port_free PART VAR PORT: like require_port_free, but recognises a process of
# this stack whose pid file is gone (its working directory or command line is in the state dir,
# e.g. the directory was deleted while it ran): `down` cannot stop it, so say how to.
secure_require_port_free() {
  local part=$1 var=$2 port=$3 owner pid where
  port_open "$port" || return 0
  owner=$(port_owner "$port")
  if [[ "$owner" =~ ^pid\ ([0-9]+) ]]; then
    pid=${BASH_REMATCH[1]}
    where="$(readlink "/proc/$pid/cwd" 2>/dev/null || true) $(pid_cmdline "$pid")"
    [[ "$where" == *"$SECURE_DIR/"* ]] &&
      die "$part" "port $port ($var) is held by $owner, started by this stack but no longer in its pid file (was $SECURE_DIR deleted while it ran?); 'secure.sh down' cannot stop it: kill $pid"
  fi
  require_port_free "$part" "$var" "$port"
}

secure_env() {
  secure_kafka_env
  secure_clickhouse_env
  secure_redis_env
  printf '%s\n' "SECURE_STACK_DIR=$SECURE_DIR" \
    "SECURE_STACK_CA_FILE=$SECURE_CERTS/ca.pem" \
    "SECURE_STACK_UNTRUSTED_CA_FILE=$SECURE_CERTS/untrusted-ca.pem" \
    "SECURE_STACK_CLIENT_CERT_FILE=$SECURE_CERTS/client.pem" \
    "SECURE_STACK_CLIENT_KEY_FILE=$SECURE_CERTS/client.key" \
    "SECURE_STACK_UNTRUSTED_CLIENT_CERT_FILE=$SECURE_CERTS/untrusted-client.pem" \
    "SECURE_STACK_UNTRUSTED_CLIENT_KEY_FILE=$SECURE_CERTS/untrusted-client.key"
}

cmd_up() {
  local part failed=() started=$SECONDS
  (($# == 0)) || die secure "up takes no arguments"
  mkdir -p "$SECURE_LOGS"
  chmod 700 "$SECURE_DIR"
  lock_state_dir secure "$SECURE_DIR" 600
  secrets_ensure
  certs_ensure
  # Kafka's JVM takes longest: start every part first, then wait for each.
  for part in "${PARTS[@]}"; do
    run_isolated "secure_${part}_start" || failed+=("$part")
  done
  for part in "${PARTS[@]}"; do
    [[ " ${failed[*]} " == *" $part "* ]] && continue
    run_isolated "secure_${part}_wait" || failed+=("$part")
  done
  if ((${#failed[@]} > 0)); then
    printf 'secure: FAILED to start: %s (logs in %s)\n' "${failed[*]}" "$SECURE_LOGS" >&2
    exit 1
  fi
  secure_env
  info secure "up in $((SECONDS - started))s (state in $SECURE_DIR)"
}

cmd_down() {
  local part failed=()
  (($# == 0)) || die secure "down takes no arguments"
  if [[ ! -d "$SECURE_DIR" ]]; then
    info secure "nothing to stop ($SECURE_DIR does not exist)"
    return 0
  fi
  mkdir -p "$SECURE_LOGS"
  lock_state_dir secure "$SECURE_DIR" 600
  for part in redis clickhouse kafka; do
    run_isolated "secure_${part}_down" || failed+=("$part")
  done
  if ((${#failed[@]} > 0)); then
    printf 'secure: FAILED to stop: %s\n' "${failed[*]}" >&2
    exit 1
  fi
}

cmd_status() {
  local part rc=0
  (($# == 0)) || die secure "status takes no arguments"
  [[ -f "$SECURE_SECRETS" ]] && source "$SECURE_SECRETS"
  for part in "${PARTS[@]}"; do
    "secure_${part}_status" || rc=1
  done
  return "$rc"
}

main() {
  local cmd=${1:-}
  (($# > 0)) && shift
  validate_settings
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    *) usage ;;
  esac
}

main "$@"
