#!/usr/bin/env bash
# Stops the services — console, LMS, LOS — (gracefully: SIGTERM drains in-flight work, bounded by the services' SHUTDOWN_GRACE_MS),
# the sandboxes and the local infrastructure, and says what it did for each service: stopped (after N s),
# killed after N s (SIGKILL once DOWN_TIMEOUT_S passed) or not running.
#   bash infra/down.sh               everything up.sh started
#   bash infra/down.sh --keep-infra  the services and sandboxes only; Postgres, Kafka and Temporal keep running
# Reads LENDSTACK_CACHE (pid files) and DOWN_TIMEOUT_S (default 35: above the services' 25 s drain bound).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${LENDSTACK_CACHE:-$ROOT/.cache}"
export LENDSTACK_CACHE="$CACHE"
KEEP_INFRA=false
for arg in "$@"; do
  case "$arg" in
    --keep-infra) KEEP_INFRA=true ;;
    *) echo "usage: bash infra/down.sh [--keep-infra]" >&2; exit 2 ;;
  esac
done
TIMEOUT="${DOWN_TIMEOUT_S:-35}"
# Alive: the process, or anything left in its process group (the pid is the group's leader, see infra/up.sh).
# A zombie has exited (it only waits for its parent, here init, to reap it): not alive.
alive() { ps -eo pid=,pgid=,stat= | awk -v p="$1" '($1 == p || $2 == p) && $3 !~ /^Z/ { found = 1 } END { exit !found }'; }
for name in console lms los; do
  pidfile="$CACHE/$name.pid"
  if [[ -f "$pidfile" ]] && alive "$(cat "$pidfile")"; then
    pid="$(cat "$pidfile")"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    tenths=0
    while alive "$pid" && (( tenths < TIMEOUT * 10 )); do sleep 0.2; tenths=$((tenths + 2)); done
    if alive "$pid"; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      while alive "$pid"; do sleep 0.2; done
      echo "$name: killed (pid $pid did not stop within ${TIMEOUT} s of SIGTERM; SIGKILL sent to its process group)"
    else
      echo "$name: stopped (pid $pid, $((tenths / 10)).$((tenths % 10)) s after SIGTERM)"
    fi
  elif [[ -f "$pidfile" ]]; then
    echo "$name: was not running (stale pid file $pidfile, pid $(cat "$pidfile"))"
  else
    echo "$name: was not running (no $pidfile)"
  fi
  rm -f "$pidfile"
done
# The payout, ACH, NACH/UPI, e-sign, card, KYC, bureau and messaging sandboxes and the mail sink; never a reason not
# to stop the rest. One without a pid file in this cache was not started from here: nothing to stop.
for sandbox in payout-sandbox ach-sandbox nach-sandbox esign-sandbox card-sandbox kyc-sandbox bureau-sandbox mail-sink messaging-sandbox; do
  if [[ -f "$CACHE/$sandbox.pid" ]]; then
    (cd "$ROOT" && pnpm -s exec tsx "packages/testing/sandboxes/$sandbox/src/cli.ts" stop) || true
  else
    echo "$sandbox: was not running (no $CACHE/$sandbox.pid)"
  fi
done
if [[ "$KEEP_INFRA" == true ]]; then
  echo "infrastructure: left running (--keep-infra)"
else
  bash "$ROOT/infra/local/infra.sh" stop
fi
