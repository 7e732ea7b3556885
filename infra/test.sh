#!/usr/bin/env bash
# Runs every test: starts the infrastructure the tests need (Postgres, Kafka, Temporal), gives the
# integration tests fresh databases of their own, runs vitest, and ends with "N passed, N failed".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash infra/bootstrap.sh
echo "test: typecheck and lint"
TURBO_TELEMETRY_DISABLED=1 pnpm -s typecheck --output-logs=errors-only
pnpm -s lint
bash infra/local/infra.sh start
eval "$(bash infra/local/infra.sh env)"
# schemathesis (PyPI, pinned) for packages/testing/test/schemathesis.int.test.ts; a no-op once installed.
bash infra/local/python-tools.sh st >/dev/null
# Debian's chromium for the console's browser test (services/console/test/console.browser.int.test.ts); a no-op once installed.
bash infra/local/chromium.sh >/dev/null
# The payout sandbox (RazorpayX protocol), started as infra/up.sh starts it, so either may find it running;
# tests that need webhooks of their own start another on their own port.
export PAYOUT_WEBHOOK_URL="${PAYOUT_WEBHOOK_URL:-http://127.0.0.1:${LMS_PORT:-3002}/v1/payout-webhooks/razorpayx}"
pnpm -s exec tsx packages/testing/sandboxes/payout-sandbox/src/cli.ts start
export PAYOUT_BASE_URL="${PAYOUT_BASE_URL:-http://127.0.0.1:${PAYOUT_SANDBOX_PORT:-3480}}"
# The ACH sandbox (ODFI file API for USD disbursements), likewise.
export ACH_WEBHOOK_URL="${ACH_WEBHOOK_URL:-http://127.0.0.1:${LMS_PORT:-3002}/v1/payout-webhooks/ach}"
pnpm -s exec tsx packages/testing/sandboxes/ach-sandbox/src/cli.ts start
export ACH_BASE_URL="${ACH_BASE_URL:-http://127.0.0.1:${ACH_SANDBOX_PORT:-3481}}"
# The India auto-debit sandbox (NACH processor and UPI AutoPay PSP APIs), likewise.
pnpm -s exec tsx packages/testing/sandboxes/nach-sandbox/src/cli.ts start
export NACH_BASE_URL="${NACH_BASE_URL:-http://127.0.0.1:${NACH_SANDBOX_PORT:-3487}}" UPI_BASE_URL="${UPI_BASE_URL:-http://127.0.0.1:${NACH_SANDBOX_PORT:-3487}}"
export STRIPE_BASE_URL="${STRIPE_BASE_URL:-http://127.0.0.1:${NACH_SANDBOX_PORT:-3487}/stripe}"
# The e-sign and eStamp sandbox (DocuSign eSignature REST v2.1 with Connect, an e-stamp certificate API) the LOS
# sends loan agreements through, likewise (the agreement tests start another on a free port).
export ESIGN_CONNECT_URL="${ESIGN_CONNECT_URL:-http://127.0.0.1:${LOS_PORT:-3001}/v1/webhooks/esign/docusign}"
pnpm -s exec tsx packages/testing/sandboxes/esign-sandbox/src/cli.ts start
export DOCUSIGN_BASE_URL="${DOCUSIGN_BASE_URL:-http://127.0.0.1:${ESIGN_SANDBOX_PORT:-3489}/restapi}" ESTAMP_BASE_URL="${ESTAMP_BASE_URL:-http://127.0.0.1:${ESIGN_SANDBOX_PORT:-3489}/estamp/v1}"
# The card processor sandbox (tokenised cards, merchant-initiated payments, decline codes) the card-on-file rail uses.
pnpm -s exec tsx packages/testing/sandboxes/card-sandbox/src/cli.ts start
export CARD_BASE_URL="${CARD_BASE_URL:-http://127.0.0.1:${CARD_SANDBOX_PORT:-3488}}"
# The mail sink (SMTP, HTTP API of what it received) and the messaging sandbox (Twilio Messaging API for SMS
# and WhatsApp, receipts to each message's StatusCallback) the LMS notifications use, likewise.
pnpm -s exec tsx packages/testing/sandboxes/mail-sink/src/cli.ts start
pnpm -s exec tsx packages/testing/sandboxes/messaging-sandbox/src/cli.ts start
export SMTP_PORT="${SMTP_PORT:-${MAIL_SINK_SMTP_PORT:-2525}}" TWILIO_BASE_URL="${TWILIO_BASE_URL:-http://127.0.0.1:${MESSAGING_SANDBOX_PORT:-3485}}"
# The KYC and bureau sandboxes the LOS checks call, likewise (tests that need their own start another).
export KYC_WEBHOOK_URL="${KYC_WEBHOOK_URL:-http://127.0.0.1:${LOS_PORT:-3001}/v1/kyc-webhooks/onfido}"
pnpm -s exec tsx packages/testing/sandboxes/kyc-sandbox/src/cli.ts start
pnpm -s exec tsx packages/testing/sandboxes/bureau-sandbox/src/cli.ts start
# Where the LOS checks find them (the LOS defaults assume the default ports).
kyc_sandbox="http://127.0.0.1:${KYC_SANDBOX_PORT:-3482}"
export ONFIDO_BASE_URL="${ONFIDO_BASE_URL:-$kyc_sandbox/v3.6}" PAN_BASE_URL="${PAN_BASE_URL:-$kyc_sandbox}" UIDAI_OFFLINE_EKYC_URL="${UIDAI_OFFLINE_EKYC_URL:-$kyc_sandbox/uidai/offline-ekyc}"
export BUREAU_BASE_URL="${BUREAU_BASE_URL:-http://127.0.0.1:${BUREAU_SANDBOX_PORT:-3484}}"

# Tests never touch the databases or topics a person uses with infra/up.sh, nor another checkout's test run
# on the same machine: the name (databases lendstack_*_<name>, topic prefix <name>.) comes from this checkout's
# path unless TEST_ENV_NAME is given ([a-z0-9] only: it is part of a database name and a topic prefix).
source infra/isolated-env.sh
TEST_ENV_NAME="${TEST_ENV_NAME:-test$(printf %s "$ROOT" | cksum | cut -d' ' -f1)}"
[[ "$TEST_ENV_NAME" =~ ^[a-z0-9]+$ ]] || { echo "TEST_ENV_NAME must be [a-z0-9]+, got '$TEST_ENV_NAME'" >&2; exit 2; }
echo "test: isolated environment $TEST_ENV_NAME"
isolated_environment "$TEST_ENV_NAME"

RESULTS="$LENDSTACK_CACHE/test-results.json"
export LENDSTACK_UNHANDLED_ERRORS="$LENDSTACK_CACHE/test-unhandled-errors.json"
rm -f "$RESULTS" "$LENDSTACK_UNHANDLED_ERRORS"
status=0
pnpm exec vitest run --reporter=default --reporter=json --reporter=./infra/unhandled-errors-reporter.mjs --outputFile.json="$RESULTS" "$@" || status=$?
node infra/test-summary.mjs "$RESULTS" "$LENDSTACK_UNHANDLED_ERRORS"
exit "$status"
