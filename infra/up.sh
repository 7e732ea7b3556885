#!/usr/bin/env bash
# Starts the whole system on this machine: infrastructure (Postgres, Kafka, Temporal), migrations,
# Kafka topics, then both services in the background. Prints where everything is.
#   bash infra/up.sh          start (idempotent: running pieces are left alone)
#   bash infra/down.sh        stop services and infrastructure
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash infra/bootstrap.sh
bash infra/local/infra.sh start
eval "$(bash infra/local/infra.sh env)"
LOGS="$LENDSTACK_CACHE/logs"
mkdir -p "$LOGS"

pnpm --filter @lendstack/los -s migrate
pnpm --filter @lendstack/lms -s migrate
pnpm --filter @lendstack/lms -s seed
pnpm --filter @lendstack/platform -s exec tsx src/cli/create-topics.ts
# The payout sandbox (RazorpayX Payouts protocol) the LMS disburses through; its webhooks go to the LMS.
export PAYOUT_WEBHOOK_URL="${PAYOUT_WEBHOOK_URL:-http://127.0.0.1:${LMS_PORT:-3002}/v1/payout-webhooks/razorpayx}"
pnpm -s exec tsx packages/testing/sandboxes/payout-sandbox/src/cli.ts start
# The ACH sandbox (an ODFI's NACHA file API) the LMS disburses USD through; its webhooks go to the LMS.
export ACH_WEBHOOK_URL="${ACH_WEBHOOK_URL:-http://127.0.0.1:${LMS_PORT:-3002}/v1/payout-webhooks/ach}"
pnpm -s exec tsx packages/testing/sandboxes/ach-sandbox/src/cli.ts start
# The India auto-debit sandbox (a NACH processor's mandate and debit API, a UPI AutoPay PSP's API) the LMS collects INR instalments through.
# Its e-mandate and Stripe events (a mandate registered at origination becoming active) go to the LOS.
export NACH_WEBHOOK_URL="${NACH_WEBHOOK_URL:-http://127.0.0.1:${LOS_PORT:-3001}/v1/mandate-webhooks/nach-emandate}" STRIPE_WEBHOOK_URL="${STRIPE_WEBHOOK_URL:-http://127.0.0.1:${LOS_PORT:-3001}/v1/mandate-webhooks/stripe}"
pnpm -s exec tsx packages/testing/sandboxes/nach-sandbox/src/cli.ts start
export NACH_BASE_URL="${NACH_BASE_URL:-http://127.0.0.1:${NACH_SANDBOX_PORT:-3487}}" UPI_BASE_URL="${UPI_BASE_URL:-http://127.0.0.1:${NACH_SANDBOX_PORT:-3487}}"
# The e-sign and eStamp sandbox (DocuSign eSignature REST v2.1 with Connect, an e-stamp certificate API) the LOS
# sends loan agreements through; Connect calls the LOS back when the signer (driven by /sandbox controls) signs.
export ESIGN_CONNECT_URL="${ESIGN_CONNECT_URL:-http://127.0.0.1:${LOS_PORT:-3001}/v1/webhooks/esign/docusign}"
pnpm -s exec tsx packages/testing/sandboxes/esign-sandbox/src/cli.ts start
export DOCUSIGN_BASE_URL="${DOCUSIGN_BASE_URL:-http://127.0.0.1:${ESIGN_SANDBOX_PORT:-3489}/restapi}" ESTAMP_BASE_URL="${ESTAMP_BASE_URL:-http://127.0.0.1:${ESIGN_SANDBOX_PORT:-3489}/estamp/v1}"
# The card processor sandbox (tokenised cards, merchant-initiated payments, decline codes) the card-on-file rail uses.
pnpm -s exec tsx packages/testing/sandboxes/card-sandbox/src/cli.ts start
export CARD_BASE_URL="${CARD_BASE_URL:-http://127.0.0.1:${CARD_SANDBOX_PORT:-3488}}"
# The mail sink (SMTP on MAIL_SINK_SMTP_PORT, what it received on MAIL_SINK_PORT) and the messaging sandbox
# (Twilio Messaging API for SMS and WhatsApp; receipts to the LMS's /v1/notification-webhooks/twilio).
pnpm -s exec tsx packages/testing/sandboxes/mail-sink/src/cli.ts start
pnpm -s exec tsx packages/testing/sandboxes/messaging-sandbox/src/cli.ts start
export SMTP_PORT="${SMTP_PORT:-${MAIL_SINK_SMTP_PORT:-2525}}" TWILIO_BASE_URL="${TWILIO_BASE_URL:-http://127.0.0.1:${MESSAGING_SANDBOX_PORT:-3485}}"
# The KYC sandbox (Onfido v3.6, PAN verification, Aadhaar offline e-KYC) and the credit bureau sandbox the
# LOS checks call; Onfido webhooks go to the LOS.
export KYC_WEBHOOK_URL="${KYC_WEBHOOK_URL:-http://127.0.0.1:${LOS_PORT:-3001}/v1/kyc-webhooks/onfido}"
pnpm -s exec tsx packages/testing/sandboxes/kyc-sandbox/src/cli.ts start
pnpm -s exec tsx packages/testing/sandboxes/bureau-sandbox/src/cli.ts start
# Where the LOS checks find them (the LOS defaults assume the default ports).
kyc_sandbox="http://127.0.0.1:${KYC_SANDBOX_PORT:-3482}"
export ONFIDO_BASE_URL="${ONFIDO_BASE_URL:-$kyc_sandbox/v3.6}" PAN_BASE_URL="${PAN_BASE_URL:-$kyc_sandbox}" UIDAI_OFFLINE_EKYC_URL="${UIDAI_OFFLINE_EKYC_URL:-$kyc_sandbox/uidai/offline-ekyc}"
export BUREAU_BASE_URL="${BUREAU_BASE_URL:-http://127.0.0.1:${BUREAU_SANDBOX_PORT:-3484}}"

# start_service NAME PORT: already running / started once ready / failed (port taken, exited, not ready).
# shellcheck source=infra/local/services.sh
source infra/local/services.sh
start_service los "${LOS_PORT:-3001}"
start_service lms "${LMS_PORT:-3002}"
# The operations console calls both APIs with the signed-in user's token.
LOS_BASE_URL="${LOS_BASE_URL:-http://127.0.0.1:${LOS_PORT:-3001}}" LMS_BASE_URL="${LMS_BASE_URL:-http://127.0.0.1:${LMS_PORT:-3002}}" start_service console "${CONSOLE_PORT:-3003}"

cat <<TXT

Lendstack is up.
  LOS API        http://127.0.0.1:${LOS_PORT:-3001}   OpenAPI: http://127.0.0.1:${LOS_PORT:-3001}/openapi.json
  LMS API        http://127.0.0.1:${LMS_PORT:-3002}   OpenAPI: http://127.0.0.1:${LMS_PORT:-3002}/openapi.json
  Console        http://127.0.0.1:${CONSOLE_PORT:-3003}   (operations console: portfolio dashboard, maker-checker, collections, loan and application 360; sign in with a token below)
  Temporal UI    http://127.0.0.1:${TEMPORAL_UI_PORT:-8233}   (gRPC $TEMPORAL_ADDRESS)
  Payouts        http://127.0.0.1:${PAYOUT_SANDBOX_PORT:-3480}   (sandbox of the RazorpayX Payouts protocol; webhooks to $PAYOUT_WEBHOOK_URL)
  ACH (USD)      http://127.0.0.1:${ACH_SANDBOX_PORT:-3481}   (sandbox ODFI taking NACHA files; webhooks to $ACH_WEBHOOK_URL)
  NACH / UPI     http://127.0.0.1:${NACH_SANDBOX_PORT:-3487}   (sandbox of a NACH processor's mandate and ach_debit API and a UPI AutoPay PSP's API, e-mandate events to ${NACH_WEBHOOK_URL}; state: /sandbox/state)
  e-sign/eStamp  http://127.0.0.1:${ESIGN_SANDBOX_PORT:-3489}   (sandbox of DocuSign eSignature v2.1, Connect to $ESIGN_CONNECT_URL, and an e-stamp certificate API; the signer: POST /sandbox/envelopes/{id}/sign)
  Cards          http://127.0.0.1:${CARD_SANDBOX_PORT:-3488}   (sandbox card processor: tokenised cards, merchant-initiated payments, Visa/Mastercard decline codes)
  KYC            http://127.0.0.1:${KYC_SANDBOX_PORT:-3482}   (sandbox of Onfido v3.6, PAN verification, Aadhaar offline e-KYC; webhooks to $KYC_WEBHOOK_URL)
  Bureau         http://127.0.0.1:${BUREAU_SANDBOX_PORT:-3484}   (sandbox credit bureau, Metro 2 style reports)
  Mail sink      http://127.0.0.1:${MAIL_SINK_PORT:-3486}/messages   (SMTP on 127.0.0.1:${MAIL_SINK_SMTP_PORT:-2525}: borrower emails land here)
  Messaging      http://127.0.0.1:${MESSAGING_SANDBOX_PORT:-3485}   (sandbox of the Twilio Messaging API, SMS and WhatsApp; sent: /sandbox/messages)
  Kafka          $KAFKA_BROKERS
  Postgres       $LOS_DATABASE_URL
                 $LMS_DATABASE_URL
Development tokens (tenant "demo"; mint others with: pnpm -s token <tenant> <role>[,<role>…], roles partner, operator, approver, admin):
  partner        $(pnpm -s token demo partner)
  operator       $(pnpm -s token demo operator)
Logs in $LOGS. Stop with: bash infra/down.sh
TXT
