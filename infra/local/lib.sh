# shellcheck shell=bash
# Shared helpers for the local infrastructure scripts. Sourced, never run.
#
# Conventions every service script follows:
#   - every wait and every download is bounded by `timeout` or a deadline, so nothing hangs;
#   - a failure ends in exactly one message (service, what went wrong, log path, last lines) and a
#     non-zero exit, through `fail`;
#   - daemons are started with `launch_daemon`, which detaches them from this shell so they outlive it.

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$INFRA_DIR/../.." && pwd)"

: "${LENDSTACK_CACHE:=$REPO_ROOT/.cache}"
: "${PG_PORT:=5432}"
: "${KAFKA_PORT:=9092}"
: "${KAFKA_CONTROLLER_PORT:=9093}"
: "${TEMPORAL_PORT:=7233}"
: "${TEMPORAL_UI_PORT:=8233}"
# Seconds a service may take to become healthy after its process was started.
: "${INFRA_START_TIMEOUT:=90}"
# Seconds any one download or package install may take.
: "${INFRA_DOWNLOAD_TIMEOUT:=900}"

LOG_DIR="$LENDSTACK_CACHE/logs"
LOG_TAIL_LINES=20

log() { printf 'infra: %s\n' "$*" >&2; }

# One clear failure report, then exit. Usage: fail SERVICE "what went wrong" [LOGFILE...]
fail() {
  local service="$1" what="$2"
  shift 2
  {
    printf '\ninfra: %s: FAILED: %s\n' "$service" "$what"
    local f
    for f in "$@"; do
      [[ -n "$f" ]] || continue
      if [[ -s "$f" ]]; then
        printf 'infra: %s: log %s (last %d lines):\n' "$service" "$f" "$LOG_TAIL_LINES"
        tail -n "$LOG_TAIL_LINES" -- "$f" | sed 's/^/    | /'
      else
        printf 'infra: %s: log %s is empty or missing\n' "$service" "$f"
      fi
    done
  } >&2
  exit 1
}

ensure_dirs() { mkdir -p "$LENDSTACK_CACHE" "$LOG_DIR"; }

# Wall-clock seconds with millisecond precision, for timing reports.
now_ms() { date +%s%3N; }
elapsed_s() { local start="$1"; printf '%d.%01ds' $(( ($(now_ms) - start) / 1000 )) $(( ($(now_ms) - start) % 1000 / 100 )); }

# --- ports -----------------------------------------------------------------------------------------

port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]
  else
    port_accepts "$1"
  fi
}

# "python3 (pid 1234)" for whoever listens on the port, as far as ss can tell.
port_owner() {
  local line
  line="$(ss -Hltnp "sport = :$1" 2>/dev/null | head -n 1)"
  if [[ "$line" =~ \(\(\"([^\"]+)\",pid=([0-9]+) ]]; then
    printf '%s (pid %s)' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
  else
    printf 'an unknown process'
  fi
}

# A connect() succeeds: cheaper than ss for polling, and proves the listener accepts.
port_accepts() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# Fails with a clear message if a port we are about to bind is held by someone else.
require_port_free() {
  local service="$1" port="$2" var="$3"
  if port_in_use "$port"; then
    fail "$service" "port $port is already in use by $(port_owner "$port"), which is not a Lendstack $service. Stop it, or pick another port with $var=<port>."
  fi
}

# --- processes -------------------------------------------------------------------------------------

# Pid from a pid file if that process is alive and its command line contains MARKER (so a recycled
# pid belonging to something else is never mistaken for ours). Prints nothing otherwise.
live_pid() {
  local pidfile="$1" marker="$2" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(head -n 1 "$pidfile" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
  printf '%s' "$pid"
}

# Start a command detached from this shell: own session (setsid), no terminal, stdin from /dev/null,
# stdout+stderr appended to LOGFILE, pid written by the process itself before exec so the file names
# the real daemon. fd 9 (the infra lock) is closed so a daemon never holds the lock.
# Usage: launch_daemon PIDFILE LOGFILE cmd args...
launch_daemon() {
  local pidfile="$1" logfile="$2"
  shift 2
  rm -f "$pidfile"
  # shellcheck disable=SC2016  # $$ and "$@" are expanded by the inner bash, on purpose.
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 9>&- &
  for _ in $(seq 1 50); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.1
  done
  return 1
}

# TERM, then KILL after GRACE seconds. Only ever signals the given pid.
stop_pid() {
  local pid="$1" grace="$2" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= grace * 10 )); then
      log "pid $pid still running after ${grace}s; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# Stops the daemon NAME whose pid is PID (empty: not running) with stop_pid, and clears PIDFILE.
stop_daemon() {
  local name="$1" pidfile="$2" grace="$3" pid="$4"
  if [[ -n "$pid" ]]; then
    stop_pid "$pid" "$grace"
    log "$name: stopped (pid $pid)"
  else
    log "$name: already stopped"
  fi
  rm -f "$pidfile"
}

# Poll CHECK (a command) until it succeeds or DEADLINE (epoch seconds) passes. While waiting, ALIVE
# (a command) must keep succeeding, else we stop waiting at once: a crashed daemon fails fast.
# Returns 0 healthy, 1 timed out, 2 process died.
wait_healthy() {
  local deadline="$1" alive="$2" check="$3"
  while :; do
    if $check; then return 0; fi
    if ! $alive; then return 2; fi
    if (( $(date +%s) >= deadline )); then return 1; fi
    sleep 0.5
  done
}

# Runs a command under `timeout`; on failure BOUNDED_WHY says whether it timed out or failed, for
# the one-line report. Usage: bounded SECONDS cmd args... || fail svc "X $BOUNDED_WHY" log
BOUNDED_WHY=""
bounded() {
  local secs="$1" rc=0
  shift
  timeout "$secs" "$@" || rc=$?
  case "$rc" in
    0) BOUNDED_WHY="" ;;
    124 | 137) BOUNDED_WHY="timed out after ${secs}s" ;;
    *) BOUNDED_WHY="failed (exit $rc)" ;;
  esac
  return "$rc"
}

# --- packages --------------------------------------------------------------------------------------

_APT_UPDATED=0
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  local service="$1"
  shift
  local aptlog="$LOG_DIR/apt.log"
  log "$service: installing Debian packages: $*"
  if (( _APT_UPDATED == 0 )); then
    if ! bounded "$INFRA_DOWNLOAD_TIMEOUT" apt-get update >>"$aptlog" 2>&1 9>&-; then
      fail "$service" "apt-get update $BOUNDED_WHY" "$aptlog"
    fi
    _APT_UPDATED=1
  fi
  if ! bounded "$INFRA_DOWNLOAD_TIMEOUT" \
      apt-get install -y --no-install-recommends "$@" >>"$aptlog" 2>&1 9>&-; then
    fail "$service" "apt-get install $* $BOUNDED_WHY" "$aptlog"
  fi
}

# --- locking ---------------------------------------------------------------------------------------

# Serialises start/stop/reset across concurrent callers (e.g. parallel test jobs). Held on fd 9.
take_lock() {
  : "${INFRA_LOCK_TIMEOUT:=600}"
  exec 9>"$LENDSTACK_CACHE/.infra.lock"
  if ! flock -w "$INFRA_LOCK_TIMEOUT" 9; then
    fail infra "another infra.sh is still running after ${INFRA_LOCK_TIMEOUT}s (lock $LENDSTACK_CACHE/.infra.lock)"
  fi
}
