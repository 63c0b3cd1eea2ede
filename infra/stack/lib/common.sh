# shellcheck shell=bash
# Helpers shared by the local stacks and their parts (sourced by infra/stack/stack.sh, secure.sh
# and cluster.sh).
# Messages go to stderr, prefixed with the part they are about; stdout is kept for the
# endpoint lines (KAFKA_BROKERS=...), so `stack.sh up > .env` works.

info() { printf '%s: %s\n' "$1" "$2" >&2; }
warn() { printf '%s: warning: %s\n' "$1" "$2" >&2; }

# die PART MESSAGE: report why PART cannot start and exit non-zero.
die() {
  printf '%s: ERROR: %s\n' "$1" "$2" >&2
  exit 1
}

have() { command -v "$1" >/dev/null 2>&1; }

# require_port NAME VALUE: a TCP port number, or exit.
require_port() {
  if [[ ! "$2" =~ ^[0-9]+$ ]] || (("$2" < 1 || "$2" > 65535)); then
    die stack "$1 must be a TCP port number, got '$2'"
  fi
}

# lock_state_dir WHO DIR SECONDS: serialises concurrent up/down runs of one script on one state
# directory (several test runners may call `up` at once). Processes the parts start must not
# inherit fd 9 (they close it with 9>&-).
lock_state_dir() {
  have flock || return 0
  exec 9>"$2/.lock"
  flock -w "$3" 9 || die "$1" "another $1 run is still going (lock $2/.lock)"
}

# run_isolated COMMAND [ARGS...]: runs it in a subshell with `set -e`, so that a part that fails
# (die/exit) does not keep the other parts from being handled. Returns its exit status.
run_isolated() {
  local rc=0
  set +e
  (
    set -e
    "$@"
  )
  rc=$?
  set -e
  return "$rc"
}

# clickhouse_server_bin: the clickhouse-server binary, installed with apt-get if missing (both
# the local stack and the secured one run Debian's).
clickhouse_server_bin() {
  local bin
  bin=$(command -v clickhouse-server || true)
  [[ -n "$bin" || ! -x /usr/sbin/clickhouse-server ]] || bin=/usr/sbin/clickhouse-server
  if [[ -z "$bin" ]]; then
    apt_install clickhouse clickhouse-server clickhouse-client
    bin=$(command -v clickhouse-server || true)
    [[ -n "$bin" || ! -x /usr/sbin/clickhouse-server ]] || bin=/usr/sbin/clickhouse-server
    [[ -n "$bin" ]] || die clickhouse "clickhouse-server still not found after installing it with apt-get"
  fi
  printf '%s\n' "$bin"
}

# --- processes --------------------------------------------------------------------------

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# The command line of a process ('' if gone).
pid_cmdline() {
  if [[ -r "/proc/$1/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true
  else
    ps -p "$1" -o args= 2>/dev/null || true
  fi
}

# read_pidfile FILE PATTERN: prints the pid recorded in FILE if that process still runs and
# its command line contains PATTERN (guards against a recycled pid); removes a stale file.
read_pidfile() {
  local file=$1 pattern=$2 pid
  [[ -f "$file" ]] || return 1
  pid=$(tr -dc '0-9' <"$file")
  if pid_alive "$pid" && [[ "$(pid_cmdline "$pid")" == *"$pattern"* ]]; then
    printf '%s\n' "$pid"
    return 0
  fi
  rm -f "$file"
  return 1
}

# stop_pidfile PART FILE PATTERN: SIGTERM the process of FILE, SIGKILL it after
# STACK_STOP_TIMEOUT seconds, wait until it is gone. Never touches anything without a pid file.
stop_pidfile() {
  local part=$1 file=$2 pattern=$3 pid waited=0
  if ! pid=$(read_pidfile "$file" "$pattern"); then
    info "$part" "not running (no process started by the stack)"
    return 0
  fi
  info "$part" "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  while pid_alive "$pid"; do
    if ((waited >= STACK_STOP_TIMEOUT * 2)); then
      warn "$part" "pid $pid still alive after ${STACK_STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      waited=0
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  rm -f "$file"
  info "$part" "stopped"
}

# status_line PART up|down ENDPOINT DETAIL
status_line() { printf '%-11s %-5s %-26s %s\n' "$1" "$2" "$3" "${4:-}"; }

# pid_label PID: "pid 123", or a note that the stack did not start what answers.
pid_label() { if [[ -n "$1" ]]; then printf 'pid %s' "$1"; else printf 'external (not started by the stack)'; fi; }

# --- network ----------------------------------------------------------------------------

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  # shellcheck disable=SC2016 # $0 is expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null
}

# port_owner PORT: "pid 123 (name)" of the listener on PORT, when `ss` can tell.
port_owner() {
  local line
  have ss || return 0
  line=$(ss -Hltnp "sport = :$1" 2>/dev/null | head -n 1) || return 0
  if [[ "$line" =~ \(\"([^\"]+)\",pid=([0-9]+) ]]; then
    printf 'pid %s (%s)' "${BASH_REMATCH[2]}" "${BASH_REMATCH[1]}"
  fi
}

# require_port_free PART VAR PORT: exit with a clear message if PORT is taken.
require_port_free() {
  local part=$1 var=$2 port=$3 owner
  port_open "$port" || return 0
  owner=$(port_owner "$port")
  die "$part" "port $port ($var) is already in use by another process${owner:+: $owner}; stop it or set $var to a free port"
}

# http_get URL: print the body of a successful GET (curl, or bash /dev/tcp without it).
http_get() {
  local url=$1
  if have curl; then
    curl -fsS --max-time 5 "$url" 2>/dev/null
    return
  fi
  [[ "$url" =~ ^http://([^/:]+):([0-9]+)(/.*)?$ ]] || return 1
  local host=${BASH_REMATCH[1]} port=${BASH_REMATCH[2]} path=${BASH_REMATCH[3]:-/}
  # shellcheck disable=SC2016 # $0.. are expanded by the inner bash
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$2" "$0" >&3
    IFS= read -r status <&3 || exit 1
    [[ "$status" == *" 200 "* ]] || exit 1
    while IFS= read -r line <&3 && [[ "$line" != $'\''\r'\'' ]]; do :; done
    cat <&3' "$host" "$port" "$path" 2>/dev/null
}

# --- waiting ----------------------------------------------------------------------------

# wait_until PART PID LOG CHECK...: run CHECK until it succeeds. Fails (after printing the
# last 30 lines of LOG) when the process PID exits or STACK_TIMEOUT seconds pass.
wait_until() {
  local part=$1 pid=$2 log=$3
  shift 3
  local deadline=$((SECONDS + STACK_TIMEOUT))
  until "$@"; do
    if ! pid_alive "$pid"; then
      show_log_tail "$log"
      printf '%s: ERROR: the process (pid %s) exited during startup; see %s\n' "$part" "$pid" "$log" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail "$log"
      printf '%s: ERROR: not ready after %ss (STACK_TIMEOUT); see %s\n' "$part" "$STACK_TIMEOUT" "$log" >&2
      return 1
    fi
    sleep 0.5
  done
}

show_log_tail() {
  local f
  for f in "$@"; do
    [[ -s "$f" ]] || continue
    printf -- '----- last 30 lines of %s -----\n' "$f" >&2
    tail -n 30 "$f" >&2
    printf -- '-----\n' >&2
  done
}

# --- files ------------------------------------------------------------------------------

# render_template SRC DST KEY=VALUE...: copy SRC to DST replacing every @KEY@ by VALUE.
render_template() {
  local src=$1 dst=$2 content pair
  shift 2
  content=$(<"$src")
  for pair in "$@"; do
    content=${content//"@${pair%%=*}@"/"${pair#*=}"}
  done
  printf '%s\n' "$content" >"$dst.tmp"
  mv -f "$dst.tmp" "$dst"
}

file_size() {
  if [[ -f "$1" ]]; then wc -c <"$1" | tr -d ' '; else echo 0; fi
}

# --- packages ---------------------------------------------------------------------------

# apt_install PART PACKAGE...: install Debian packages (as root, or with sudo), running
# `apt-get update` and retrying once if the first attempt fails. Output: <logs>/apt.log.
apt_install() {
  local part=$1
  shift
  local sudo=() log="$STACK_LOGS/apt.log"
  have apt-get || die "$part" "$* not installed and apt-get is not available; install $* yourself"
  if ((EUID != 0)); then
    have sudo || die "$part" "$* not installed; installing needs root (no sudo available): run 'apt-get install -y $*' as root"
    sudo=(sudo)
  fi
  info "$part" "installing $* with apt-get (log: $log)"
  export DEBIAN_FRONTEND=noninteractive
  if "${sudo[@]}" apt-get install -y --no-install-recommends "$@" >>"$log" 2>&1; then
    return 0
  fi
  info "$part" "apt-get install failed; running apt-get update and retrying"
  if "${sudo[@]}" apt-get update >>"$log" 2>&1 &&
    "${sudo[@]}" apt-get install -y --no-install-recommends "$@" >>"$log" 2>&1; then
    return 0
  fi
  show_log_tail "$log"
  die "$part" "failed to install $* with apt-get (see $log)"
}
