#!/usr/bin/env bash
# `pnpm bench`: the project's benchmarks, recorded in BENCHMARKS.md.
#   1. Approval pipeline: N approvals (BENCH_APPROVALS, default 10000) through LOS → Kafka → LMS,
#      beside the same rows inserted straight into Postgres (packages/testing/bench/pipeline.bench.ts).
#   2. Loan calculation engine: schedules per second, exact vs. float (packages/loan-engine/bench).
#   3. Servicing: repayments/s over HTTP, a backdated repayment on a long loan, one day of end of day
#      over BENCH_EOD_LOANS loans, each beside plain SQL (packages/testing/bench/servicing.bench.ts).
# It uses databases of its own (lendstack_los_bench, lendstack_lms_bench), recreated on every run, topics
# of its own (KAFKA_TOPIC_PREFIX=bench.), and a consumer group, task queue and tenant of its own per run,
# so dev and test data are never touched.
# Other knobs: BENCH_CONCURRENCY, BENCH_DRAIN_TIMEOUT_S, BENCH_WORKFLOW_TIMEOUT_S, BENCH_BASELINE_ROUNDS,
# BENCH_LOS_DB_POOL_MAX, BENCH_LMS_DB_POOL_MAX; BENCH_ONLY=pipeline|engine|servicing|checks|autodebit|collections|underwriting|reports|statements|import|kafka runs one of them.
#   Kafka clients: BENCH_KAFKA_MESSAGES (20000) LoanApproved envelopes produced (batches of 500, acks=all,
#      idempotent) and consumed by kafkajs beside @platformatic/kafka, alternating rounds (packages/testing/bench/kafka-clients.bench.ts).
#   4. Checks: applications submitted at BENCH_CHECKS_RATE/s (default 50) to a LOS with the KYC and bureau
#      sandboxes, submit → checks concluded, beside the bare submit at the same rate (checks.bench.ts).
#   5. Auto-debit: BENCH_AUTODEBIT_DEBITS (100000) ACH debits presented to the ACH sandbox as NACHA files,
#      returned and applied, BENCH_AUTODEBIT_POSTED (2000) of them posted, beside the pure codec and direct
#      posting (services/lms/bench/autodebit.bench.ts).
#   6. Underwriting: BENCH_UNDERWRITING_DECISIONS (20000) decisions (features → scorecard → policy) with the
#      policy on zen-engine, beside the same rules as plain TypeScript, in process (services/los/bench/underwriting.bench.ts).
#   7. Reports: BENCH_REPORT_LOANS (200000) loans seeded set-based, the RBI, US and trial-balance-by-product
#      report queries and the portfolio dashboard's four, live and then from the portfolio snapshots (each
#      month end's written and timed; p50/p99 of BENCH_SNAPSHOT_ROUNDS reads), beside a plain SQL aggregate of
#      the same rows (services/lms/bench/reports.bench.ts; BENCH_REPORT_LIVE=0: baseline and snapshots only).
#   8. Statements: a 360-instalment loan through BENCH_STATEMENT_DAYS (730) days of end of day, its statement as
#      JSON and as PDF, beside the plain SQL read of the same rows (services/lms/bench/statements.bench.ts).
#   9. Migration import: BENCH_IMPORT_ROWS (10000) generated loans with their history stored and booked in batches
#      of BENCH_IMPORT_BATCH (500), beside the plain INSERT of the same lines (services/lms/bench/import.bench.ts).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
step() { printf '\n== bench: %s\n' "$*"; }

export BENCH_APPROVALS="${BENCH_APPROVALS:-${N:-10000}}"
BENCH_ONLY="${BENCH_ONLY:-all}"

step "bootstrap"
bash infra/bootstrap.sh
step "infrastructure"
bash infra/local/infra.sh start
eval "$(bash infra/local/infra.sh env)"

status=0
if [[ "$BENCH_ONLY" == all || "$BENCH_ONLY" == pipeline ]]; then
  step "fresh bench databases"
  # Databases and topics of its own: no dev or test consumer group ever reads the bench's events.
  source infra/isolated-env.sh
  isolated_environment bench

  export BENCH_RUN_ID="${BENCH_RUN_ID:-$(date +%H%M%S)-$RANDOM}"
  export BENCH_RESULTS_DIR="${BENCH_RESULTS_DIR:-$LENDSTACK_CACHE/bench}"
  step "approval pipeline, N=$BENCH_APPROVALS (run $BENCH_RUN_ID)"
  (cd packages/testing && pnpm exec tsx bench/pipeline.bench.ts) || status=$?

  # The bench's collections workflows have no worker once the LMS stopped; end them so runs do not
  # pile up in the dev server. Best effort and bounded.
  step "terminating the bench's collections workflows (task queue collections-bench-$BENCH_RUN_ID)"
  timeout 120 "$TEMPORAL_CLI_PATH" workflow terminate --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" \
    --query "TaskQueue = 'collections-bench-$BENCH_RUN_ID'" --reason "pnpm bench cleanup" --yes >/dev/null 2>&1 \
    && echo "batch termination submitted" || echo "could not submit batch termination (another batch may still be running; harmless: the workflows only wait on timers)"
fi

if [[ "$BENCH_ONLY" == all || "$BENCH_ONLY" == engine ]]; then
  step "loan calculation engine"
  pnpm --filter @lendstack/loan-engine bench || status=$?
fi
if [[ "$BENCH_ONLY" == all || "$BENCH_ONLY" == servicing ]]; then
  step "fresh bench databases (servicing)"
  source infra/isolated-env.sh
  # A subshell: the pipeline step above may have exported the same variables with its suffix already.
  (
    eval "$(bash infra/local/infra.sh env)"
    isolated_environment bench
    export BENCH_RUN_ID="${BENCH_RUN_ID:-$(date +%H%M%S)-$RANDOM}" BENCH_RESULTS_DIR="${BENCH_RESULTS_DIR:-$LENDSTACK_CACHE/bench}"
    step "servicing: repayments, backdated repayment, end of day over ${BENCH_EOD_LOANS:-100000} loans (run $BENCH_RUN_ID)"
    cd packages/testing && pnpm exec tsx bench/servicing.bench.ts
  ) || status=$?
fi
if [[ "$BENCH_ONLY" == all || "$BENCH_ONLY" == checks ]]; then
  step "fresh bench databases (checks)"
  source infra/isolated-env.sh
  checks_run_id="${BENCH_RUN_ID:-$(date +%H%M%S)-$RANDOM}"
  (
    eval "$(bash infra/local/infra.sh env)"
    # Databases and topics of its own (lendstack_*_checksbench, checksbench.): it never drops the
    # lendstack_*_bench databases another benchmark may be using at the same time.
    isolated_environment checksbench
    export BENCH_RUN_ID="$checks_run_id" BENCH_RESULTS_DIR="${BENCH_RESULTS_DIR:-$LENDSTACK_CACHE/bench}"
    step "checks: ${BENCH_CHECKS_APPLICATIONS:-1000} applications at ${BENCH_CHECKS_RATE:-50}/s, submit → checks concluded beside the bare submit (run $BENCH_RUN_ID)"
    cd packages/testing && pnpm exec tsx bench/checks.bench.ts
  ) || status=$?
  # The bench's checks workflows all concluded or, if a bound was reached, have no worker left; end any left.
  timeout 120 "$TEMPORAL_CLI_PATH" workflow terminate --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" \
    --query "TaskQueue = 'los-checks-bench-$checks_run_id' AND ExecutionStatus = 'Running'" --reason "pnpm bench cleanup" --yes >/dev/null 2>&1 || true
fi
if [[ "$BENCH_ONLY" == all || "$BENCH_ONLY" == autodebit ]]; then
  step "fresh bench databases (autodebit)"
  source infra/isolated-env.sh
  (
    eval "$(bash infra/local/infra.sh env)"
    isolated_environment bench
    step "autodebit: ${BENCH_AUTODEBIT_DEBITS:-100000} ACH debits presented, returned and applied, ${BENCH_AUTODEBIT_POSTED:-2000} posted"
    cd services/lms && pnpm exec tsx bench/autodebit.bench.ts
  ) || status=$?
fi
if [[ "$BENCH_ONLY" == all || "$BENCH_ONLY" == collections ]]; then
  step "fresh bench databases (collections)"
  source infra/isolated-env.sh
  (
    eval "$(bash infra/local/infra.sh env)"
    isolated_environment bench
    step "collections: ${BENCH_WORKFLOW_STARTS:-2000} collections workflows started by the LMS starter, beside a bare Temporal client"
    cd services/lms && pnpm exec tsx bench/collections-start.bench.ts
  ) || status=$?
fi
if [[ "$BENCH_ONLY" == all || "$BENCH_ONLY" == kafka ]]; then
  step "Kafka clients: kafkajs beside @platformatic/kafka on the outbox → inbox path (topics of its own, deleted after)"
  (cd packages/testing && pnpm exec tsx bench/kafka-clients.bench.ts) || status=$?
fi
if [[ "$BENCH_ONLY" == all || "$BENCH_ONLY" == reports ]]; then
  step "fresh bench databases (reports)"
  source infra/isolated-env.sh
  (
    eval "$(bash infra/local/infra.sh env)"
    isolated_environment bench
    step "reports: RBI classification, US delinquency, trial balance by product, the portfolio dashboard live and from snapshots over ${BENCH_REPORT_LOANS:-200000} loans, beside a plain SQL aggregate"
    cd services/lms && pnpm exec tsx bench/reports.bench.ts
  ) || status=$?
fi
if [[ "$BENCH_ONLY" == all || "$BENCH_ONLY" == statements ]]; then
  step "fresh bench databases (statements)"
  source infra/isolated-env.sh
  (
    eval "$(bash infra/local/infra.sh env)"
    isolated_environment bench
    step "statements: a 360-instalment loan's statement as JSON and PDF, beside the plain SQL read of the same rows"
    cd services/lms && pnpm exec tsx bench/statements.bench.ts
  ) || status=$?
fi
if [[ "$BENCH_ONLY" == all || "$BENCH_ONLY" == import ]]; then
  step "fresh bench databases (import)"
  source infra/isolated-env.sh
  (
    eval "$(bash infra/local/infra.sh env)"
    isolated_environment bench
    step "migration import: ${BENCH_IMPORT_ROWS:-10000} loans with their history stored and booked, beside the plain INSERT of the same lines"
    cd services/lms && pnpm exec tsx bench/import.bench.ts
  ) || status=$?
fi
if [[ "$BENCH_ONLY" == all || "$BENCH_ONLY" == underwriting ]]; then
  step "underwriting: ${BENCH_UNDERWRITING_DECISIONS:-20000} decisions, zen-engine beside plain TypeScript"
  (cd services/los && pnpm exec tsx bench/underwriting.bench.ts) || status=$?
fi
exit "$status"
