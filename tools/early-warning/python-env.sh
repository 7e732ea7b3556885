#!/usr/bin/env bash
# The early-warning model's training environment: scikit-learn from PyPI, pinned, in its own venv under
# .cache/ (git-ignored), like infra/local/python-tools.sh does for the test tools.
#
#   bash tools/early-warning/python-env.sh   install if needed, then print the venv's python as the only line on stdout
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SPECS=(scikit-learn==1.9.1)
VENV="${LENDSTACK_CACHE:-$ROOT/.cache}/early-warning-venv"
MARKER="$VENV/.lendstack-installed"
if [[ ! -f "$MARKER" || "$(cat "$MARKER")" != "${SPECS[*]}" ]]; then
  mkdir -p "$(dirname "$VENV")"
  echo "early-warning: creating $VENV and installing ${SPECS[*]} from PyPI" >&2
  [[ -x "$VENV/bin/pip" ]] || python3 -m venv "$VENV" >&2
  timeout 900 "$VENV/bin/pip" install --disable-pip-version-check -q "${SPECS[@]}" >&2
  printf '%s\n' "${SPECS[*]}" >"$MARKER"
fi
printf '%s\n' "$VENV/bin/python"
