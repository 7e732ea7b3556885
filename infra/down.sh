#!/usr/bin/env bash
# Stops both services (gracefully: SIGTERM drains in-flight work) and the local infrastructure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${LENDSTACK_CACHE:-$ROOT/.cache}"
for name in lms los; do
  pidfile="$CACHE/$name.pid"
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    pid="$(cat "$pidfile")"
    # The pid is the leader of the service's process group (see infra/up.sh): signal the whole group.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    for _ in $(seq 1 30); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 -- "-$pid" 2>/dev/null; then
      echo "$name: still running after 30 s; killing its process group" >&2
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    echo "$name: stopped"
  fi
  rm -f "$pidfile"
done
# The payout, ACH, NACH/UPI, e-sign, card, KYC, bureau and messaging sandboxes and the mail sink; never a reason not to stop the rest.
(cd "$ROOT" && pnpm -s exec tsx packages/testing/sandboxes/payout-sandbox/src/cli.ts stop) || true
(cd "$ROOT" && pnpm -s exec tsx packages/testing/sandboxes/ach-sandbox/src/cli.ts stop) || true
(cd "$ROOT" && pnpm -s exec tsx packages/testing/sandboxes/nach-sandbox/src/cli.ts stop) || true
(cd "$ROOT" && pnpm -s exec tsx packages/testing/sandboxes/esign-sandbox/src/cli.ts stop) || true
(cd "$ROOT" && pnpm -s exec tsx packages/testing/sandboxes/card-sandbox/src/cli.ts stop) || true
(cd "$ROOT" && pnpm -s exec tsx packages/testing/sandboxes/kyc-sandbox/src/cli.ts stop) || true
(cd "$ROOT" && pnpm -s exec tsx packages/testing/sandboxes/bureau-sandbox/src/cli.ts stop) || true
(cd "$ROOT" && pnpm -s exec tsx packages/testing/sandboxes/mail-sink/src/cli.ts stop) || true
(cd "$ROOT" && pnpm -s exec tsx packages/testing/sandboxes/messaging-sandbox/src/cli.ts stop) || true
bash "$ROOT/infra/local/infra.sh" stop
