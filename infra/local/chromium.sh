#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests (services/console/test/*.browser.int.test.ts), driven by
# playwright-core with executablePath. Never a test tool's own browser download (`npx playwright install`):
# this machine's network refuses it.
#
#   bash infra/local/chromium.sh    install if needed (a no-op when it runs), then print the absolute path of
#                                   the chromium executable as the only line on stdout
#
# Progress and errors go to stderr; a failure is one message naming the problem and the apt log. Concurrent
# callers are serialised by a lock, so a test and infra/test.sh never install twice at once.
set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"

chromium_ready() { [[ -x "$CHROMIUM_BIN" ]] && timeout 60 "$CHROMIUM_BIN" --version >/dev/null 2>&1; }

main() {
  if ! chromium_ready; then
    ensure_dirs
    exec 8>"$LENDSTACK_CACHE/.chromium.lock"
    flock -w "${INFRA_LOCK_TIMEOUT:-600}" 8 || fail chromium "another install is still running (lock $LENDSTACK_CACHE/.chromium.lock)"
    if ! chromium_ready; then
      command -v apt-get >/dev/null 2>&1 \
        || fail chromium "$CHROMIUM_BIN is missing and apt-get is not available to install Debian's chromium package"
      local t0
      t0="$(now_ms)"
      apt_install chromium chromium fonts-dejavu-core
      chromium_ready || fail chromium "apt-get installed chromium but $CHROMIUM_BIN --version does not run" "$LOG_DIR/apt.log"
      log "chromium: installed $("$CHROMIUM_BIN" --version 2>/dev/null) in $(elapsed_s "$t0")"
    fi
  fi
  printf '%s\n' "$CHROMIUM_BIN"
}

main "$@"
