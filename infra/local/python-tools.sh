#!/usr/bin/env bash
# Python test tools from PyPI, pinned, in their own venv under $LENDSTACK_CACHE (git-ignored):
# schemathesis, which fuzzes each service's OpenAPI document against the running service
# (packages/testing/test/schemathesis.int.test.ts), and kubernetes-validate, which checks deploy/k8s
# against the Kubernetes API schemas it ships (offline; packages/platform/test/deployment-schemas.int.test.ts).
#
#   bash infra/local/python-tools.sh [TOOL]   install if needed (a no-op in well under a second when the
#                                             marker matches), then print the absolute path of TOOL's
#                                             executable (default: st) as the only line on stdout
#
# Progress and errors go to stderr; a failure is one message naming the problem and the install log.
# Concurrent callers are serialised by a lock, so a test and infra/test.sh never install twice at once.
set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PYTHON_TOOLS_PIP_SPECS=(schemathesis==4.32.5 kubernetes-validate==1.37.0)
PYTHON_TOOLS_VENV="$LENDSTACK_CACHE/python-tools-venv"
PYTHON_TOOLS_MARKER="$PYTHON_TOOLS_VENV/.lendstack-installed"
PYTHON_TOOLS_INSTALL_LOG="$LOG_DIR/python-tools-install.log"

python_tools_ready() {
  [[ -f "$PYTHON_TOOLS_MARKER" && "$(cat "$PYTHON_TOOLS_MARKER")" == "${PYTHON_TOOLS_PIP_SPECS[*]}" && -x "$PYTHON_TOOLS_VENV/bin/st" && -x "$PYTHON_TOOLS_VENV/bin/kubernetes-validate" ]]
}

python_tools_python() {
  local py
  for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
      printf '%s' "$py"
      return 0
    fi
  done
  return 1
}

python_tools_install() {
  local t0 py
  t0="$(now_ms)"
  if ! py="$(python_tools_python)"; then
    # Same as temporal.sh: Debian's python3 (and its venv module) where apt can install it.
    if command -v apt-get >/dev/null 2>&1; then
      apt_install python-tools python3 python3-venv
      py="$(python_tools_python)" || fail python-tools "python3 >= 3.9 is still missing after apt-get install python3; schemathesis needs it"
    else
      fail python-tools "python3 >= 3.9 is required for schemathesis and was not found on PATH (and apt-get is not available to install it)"
    fi
  fi
  if [[ ! -x "$PYTHON_TOOLS_VENV/bin/pip" ]]; then
    log "python-tools: creating venv $PYTHON_TOOLS_VENV with $py"
    rm -rf "$PYTHON_TOOLS_VENV"
    if ! timeout 120 "$py" -m venv "$PYTHON_TOOLS_VENV" >>"$PYTHON_TOOLS_INSTALL_LOG" 2>&1 9>&-; then
      # Debian's own python3 ships venv (and ensurepip) separately.
      command -v apt-get >/dev/null 2>&1 && apt_install python-tools python3-venv
      rm -rf "$PYTHON_TOOLS_VENV"
      timeout 120 "$py" -m venv "$PYTHON_TOOLS_VENV" >>"$PYTHON_TOOLS_INSTALL_LOG" 2>&1 9>&- \
        || fail python-tools "could not create the Python venv $PYTHON_TOOLS_VENV with $py" "$PYTHON_TOOLS_INSTALL_LOG"
    fi
  fi
  log "python-tools: installing ${PYTHON_TOOLS_PIP_SPECS[*]} from PyPI into $PYTHON_TOOLS_VENV"
  if ! bounded "$INFRA_DOWNLOAD_TIMEOUT" "$PYTHON_TOOLS_VENV/bin/pip" install --disable-pip-version-check -q \
      "${PYTHON_TOOLS_PIP_SPECS[@]}" >>"$PYTHON_TOOLS_INSTALL_LOG" 2>&1 </dev/null 9>&-; then
    fail python-tools "pip install ${PYTHON_TOOLS_PIP_SPECS[*]} $BOUNDED_WHY" "$PYTHON_TOOLS_INSTALL_LOG"
  fi
  timeout 60 "$PYTHON_TOOLS_VENV/bin/st" --version >>"$PYTHON_TOOLS_INSTALL_LOG" 2>&1 \
    || fail python-tools "pip installed schemathesis but $PYTHON_TOOLS_VENV/bin/st does not run" "$PYTHON_TOOLS_INSTALL_LOG"
  timeout 60 "$PYTHON_TOOLS_VENV/bin/kubernetes-validate" --version >>"$PYTHON_TOOLS_INSTALL_LOG" 2>&1 \
    || fail python-tools "pip installed kubernetes-validate but it does not run" "$PYTHON_TOOLS_INSTALL_LOG"
  printf '%s\n' "${PYTHON_TOOLS_PIP_SPECS[*]}" >"$PYTHON_TOOLS_MARKER"
  log "python-tools: installed in $(elapsed_s "$t0")"
}

main() {
  local tool="${1:-st}"
  if ! python_tools_ready; then
    ensure_dirs
    # Its own lock, not infra.sh's: installing tools must not wait for a long infrastructure start.
    exec 8>"$LENDSTACK_CACHE/.python-tools.lock"
    flock -w "${INFRA_LOCK_TIMEOUT:-600}" 8 || fail python-tools "another install is still running (lock $LENDSTACK_CACHE/.python-tools.lock)"
    python_tools_ready || python_tools_install
  fi
  [[ -x "$PYTHON_TOOLS_VENV/bin/$tool" ]] || fail python-tools "no executable '$tool' in $PYTHON_TOOLS_VENV/bin"
  printf '%s\n' "$PYTHON_TOOLS_VENV/bin/$tool"
}

main "$@"
