# Starting a Lendstack service in the background (sourced by infra/up.sh; services/los/test/down.int.test.ts
# calls the same function). Needs LENDSTACK_CACHE (pid files) and LOGS (log directory); the service reads
# the rest of its configuration from the environment.
#
#   start_service NAME PORT   start services/NAME (src/bin.ts) unless it already runs from this cache, wait
#                             until it answers /health/ready on PORT, and say which happened:
#     NAME: already running (pid N)                    the pid file's process is alive and is that service
#     NAME: started (pid N, ready after S s), log …    a new process, listening and ready
#     NAME: failed: port P is taken by …               (stderr) something else listens there; nothing started
#     NAME: failed: pid N exited before it was ready   (stderr) with the last log lines; the pid file removed
#     NAME: failed: pid N not ready on port P within … (stderr) left running (bash infra/down.sh stops it)
#   Returns 0 only when the service is ready.

# True if something accepts connections on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Who listens on PORT, as `ss` shows it (empty if ss is missing or says nothing).
port_listener() { ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'users:(.*)' | head -n 1 || true; }

# True if PID is alive and runs this checkout's services/NAME (a recycled pid of another program is not).
is_service_process() {
  local name="$1" pid="$2"
  kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == "$(cd "$ROOT/services/$name" && pwd -P)" ]]
}

start_service() {
  local name="$1" port="$2" pidfile="$LENDSTACK_CACHE/$1.pid" log="$LOGS/$1.log" pid waited fresh=false
  local ready_timeout="${SERVICE_READY_TIMEOUT_S:-90}"
  if [[ -f "$pidfile" ]] && is_service_process "$name" "$(cat "$pidfile")"; then
    pid="$(cat "$pidfile")"
    echo "$name: already running (pid $pid)"
  else
    if port_in_use "$port"; then
      echo "$name: failed: port $port is taken by another process ($(port_listener "$port" || true)), not one started from $LENDSTACK_CACHE; nothing started (stop it, or set ${name^^}_PORT)" >&2
      return 1
    fi
    rm -f "$pidfile"
    # The subshell execs into setsid → nohup → node (as the image starts it, no pnpm or tsx launcher in
    # between), so the pid recorded is the listening process itself, the leader of its process group
    # (down.sh signals the group), and no process is left holding the caller's stdout:
    # `bash infra/up.sh | tee up.log` returns.
    (cd "$ROOT/services/$name" && exec setsid nohup node --import tsx src/bin.ts >>"$log" 2>&1 </dev/null) &
    pid=$!
    echo "$pid" >"$pidfile"
    fresh=true
  fi
  for (( waited = 0; waited < ready_timeout; waited++ )); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then
      # A new process is reported started only once it is ready (one already running said so above).
      if [[ "$fresh" == true ]]; then echo "$name: started (pid $pid, ready after $waited s), log $log"; fi
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pidfile"
      echo "$name: failed: pid $pid exited before it was ready on port $port; last log lines of $log:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    sleep 1
  done
  echo "$name: failed: pid $pid not ready on port $port within ${ready_timeout} s (left running; bash infra/down.sh stops it); last log lines of $log:" >&2
  tail -n 20 "$log" >&2
  return 1
}
