#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Local stack for denyscope without Docker: Kafka (KRaft, jars from Maven Central),
# ClickHouse (Debian package) and Redis, run as plain processes bound to 127.0.0.1.
# docker-compose.yml at the repo root describes the same stack for machines with Docker.
#
#   stack.sh up     [kafka|clickhouse|redis ...]   start (or reuse) parts; default: all
#   stack.sh down   [kafka|clickhouse|redis ...]   stop what the stack started; default: all
#   stack.sh status                                 up/down of every part; exit 1 if any is down
#
# `up` prints the endpoints on stdout (progress goes to stderr), so `stack.sh up > .env` works:
#   KAFKA_BROKERS=127.0.0.1:9092  CLICKHOUSE_URL=http://127.0.0.1:8123  REDIS_URL=redis://127.0.0.1:6379
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), CLICKHOUSE_HTTP_PORT (8123),
# CLICKHOUSE_TCP_PORT (9000), REDIS_PORT (6379), DENYSCOPE_STACK_DIR (<repo>/.stack),
# REDIS_APPENDONLY (no; yes = the Redis the stack starts keeps its data across down/up),
# STACK_TIMEOUT (90, seconds a part may take to answer), STACK_STOP_TIMEOUT (20, seconds
# between SIGTERM and SIGKILL), JAVA_HOME (optional).
#
# State lives in $DENYSCOPE_STACK_DIR: logs/ (every part), kafka/ (libs, data, config, pid),
# clickhouse/ (data, tmp, config, pid), redis/ (pid). Data survives down/up; delete the
# directory (after `down`) for a fresh start.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_LIB="$REPO_ROOT/infra/stack/lib"

STACK_DIR="${DENYSCOPE_STACK_DIR:-$REPO_ROOT/.stack}"
[[ "$STACK_DIR" == /* ]] || STACK_DIR="$PWD/$STACK_DIR"
STACK_LOGS="$STACK_DIR/logs"
STACK_TIMEOUT="${STACK_TIMEOUT:-90}"
STACK_STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-20}"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
CLICKHOUSE_HTTP_PORT="${CLICKHOUSE_HTTP_PORT:-8123}"
CLICKHOUSE_TCP_PORT="${CLICKHOUSE_TCP_PORT:-9000}"
REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_APPENDONLY="${REDIS_APPENDONLY:-no}"

ALL_PARTS=(kafka clickhouse redis)

# shellcheck source=lib/common.sh
source "$STACK_LIB/common.sh"
# shellcheck source=lib/kafka.sh
source "$STACK_LIB/kafka.sh"
# shellcheck source=lib/clickhouse.sh
source "$STACK_LIB/clickhouse.sh"
# shellcheck source=lib/redis.sh
source "$STACK_LIB/redis.sh"

usage() {
  sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

validate_settings() {
  local var
  for var in KAFKA_PORT KAFKA_CONTROLLER_PORT CLICKHOUSE_HTTP_PORT CLICKHOUSE_TCP_PORT REDIS_PORT; do
    require_port "$var" "${!var}"
  done
  [[ "$REDIS_APPENDONLY" == yes || "$REDIS_APPENDONLY" == no ]] || die stack "REDIS_APPENDONLY must be yes or no"
  [[ "$STACK_TIMEOUT" =~ ^[0-9]+$ ]] || die stack "STACK_TIMEOUT must be a number of seconds"
  [[ "$STACK_STOP_TIMEOUT" =~ ^[0-9]+$ ]] || die stack "STACK_STOP_TIMEOUT must be a number of seconds"
}

# select_parts NAME...: the parts named (validated), or all of them.
select_parts() {
  local part
  PARTS=()
  (($# > 0)) || set -- "${ALL_PARTS[@]}"
  for part in "$@"; do
    case "$part" in
      kafka | clickhouse | redis) PARTS+=("$part") ;;
      *) die stack "unknown part '$part' (expected: ${ALL_PARTS[*]})" ;;
    esac
  done
}

cmd_up() {
  local part failed=() started=$SECONDS
  select_parts "$@"
  mkdir -p "$STACK_LOGS"
  lock_state_dir stack "$STACK_DIR" 600
  for part in "${PARTS[@]}"; do
    run_isolated "${part}_up" || failed+=("$part")
  done
  echo >&2
  for part in "${PARTS[@]}"; do
    [[ " ${failed[*]} " == *" $part "* ]] || "${part}_endpoint"
  done
  if ((${#failed[@]} > 0)); then
    printf 'stack: FAILED to start: %s (logs in %s)\n' "${failed[*]}" "$STACK_LOGS" >&2
    exit 1
  fi
  info stack "up in $((SECONDS - started))s (state in $STACK_DIR)"
}

cmd_down() {
  local part failed=() parts_reversed=()
  select_parts "$@"
  mkdir -p "$STACK_LOGS"
  lock_state_dir stack "$STACK_DIR" 600
  for part in "${PARTS[@]}"; do parts_reversed=("$part" "${parts_reversed[@]}"); done
  for part in "${parts_reversed[@]}"; do
    run_isolated "${part}_down" || failed+=("$part")
  done
  if ((${#failed[@]} > 0)); then
    printf 'stack: FAILED to stop: %s\n' "${failed[*]}" >&2
    exit 1
  fi
}

cmd_status() {
  local part rc=0
  (($# == 0)) || die stack "status takes no arguments"
  for part in "${ALL_PARTS[@]}"; do
    "${part}_status" || rc=1
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
    -h | --help | help) usage ;;
    *) usage ;;
  esac
}

main "$@"
