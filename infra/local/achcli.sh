#!/usr/bin/env bash
# moov-io/ach's achcli, the NACHA test oracle (services/lms/src/modules/payouts/nacha/achcli.test.ts), built
# from the Go module proxy into $LENDSTACK_CACHE/tools (git-ignored). Pinned to v1.61.0: the proxy here serves
# that version but refuses the version list (so `go install …@version` fails its deprecation check); a
# throwaway module with `go get` + `go build` works.
#
#   bash infra/local/achcli.sh    build if needed (a no-op once built), then print the binary's absolute
#                                 path as the only line on stdout; exit 3 when Go is not on this machine
#
# Progress and errors go to stderr. Concurrent callers are serialised by a lock.
set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ACHCLI_VERSION=v1.61.0
ACHCLI_DIR="$LENDSTACK_CACHE/tools/achcli-$ACHCLI_VERSION"
ACHCLI_BIN="$ACHCLI_DIR/bin/achcli"
ACHCLI_LOG="$LOG_DIR/achcli-build.log"

ensure_dirs
if [[ -x "$ACHCLI_BIN" ]]; then
  printf '%s\n' "$ACHCLI_BIN"
  exit 0
fi
GO="$(command -v go || true)"
[[ -z "$GO" && -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go
if [[ -z "$GO" ]]; then
  log "achcli: Go is not installed on this machine (no 'go' on PATH or /usr/local/go/bin/go)"
  exit 3
fi
mkdir -p "$ACHCLI_DIR"
exec 9>"$ACHCLI_DIR/.lock"
flock 9
if [[ ! -x "$ACHCLI_BIN" ]]; then
  t0="$(now_ms)"
  log "achcli: building moov-io/ach $ACHCLI_VERSION from the Go module proxy (log $ACHCLI_LOG)"
  work="$ACHCLI_DIR/module"
  rm -rf "$work" && mkdir -p "$work"
  if ! (
    cd "$work"
    export GOFLAGS=-mod=mod GOTOOLCHAIN=local
    "$GO" mod init lendstack.local/achcli-tools
    "$GO" get "github.com/moov-io/ach/cmd/achcli@$ACHCLI_VERSION"
    "$GO" build -o "$ACHCLI_BIN.tmp" github.com/moov-io/ach/cmd/achcli
  ) >>"$ACHCLI_LOG" 2>&1; then
    log "achcli: the build failed; last lines of $ACHCLI_LOG:"
    tail -n 20 "$ACHCLI_LOG" >&2
    exit 1
  fi
  mv "$ACHCLI_BIN.tmp" "$ACHCLI_BIN"
  log "achcli: built in $(elapsed_s "$t0")"
fi
printf '%s\n' "$ACHCLI_BIN"
