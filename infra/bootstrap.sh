#!/usr/bin/env bash
# Brings a fresh machine to the point where the project's own commands run: the pinned pnpm, the
# workspace's dependencies (from the lockfile) and both services' generated Prisma clients.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PNPM_VERSION="$(node -p 'require("./package.json").packageManager.split("@")[1]')"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Node.js >= 20.19 is required, found "+process.versions.node); process.exit(1) }'
if [[ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]]; then
  echo "bootstrap: installing pnpm $PNPM_VERSION"
  npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null
fi
echo "bootstrap: installing dependencies"
CI=true pnpm install --frozen-lockfile --reporter=silent
# `prisma generate` needs no engine, but the CLI refuses to start unless one is named; any file will do.
for svc in los lms; do
  if ! out="$(cd "services/$svc" && PRISMA_SCHEMA_ENGINE_BINARY="$ROOT/package.json" pnpm exec prisma generate 2>&1)"; then
    printf 'bootstrap: prisma generate failed for %s:\n%s\n' "$svc" "$out" >&2
    exit 1
  fi
done
echo "bootstrap: ready (node $(node --version), pnpm $(pnpm --version))"
