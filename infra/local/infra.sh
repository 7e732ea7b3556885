#!/usr/bin/env bash
# Local infrastructure for Lendstack as plain processes (no Docker): PostgreSQL, Kafka, Temporal.
#
#   bash infra/local/infra.sh start  [postgres|kafka|temporal ...]  install if needed, start, wait healthy
#   bash infra/local/infra.sh stop   [...]
#   bash infra/local/infra.sh status [...]                          one line per service; exit 3 if any is not up
#   bash infra/local/infra.sh reset  [...]                          stop and delete data (downloads are kept)
#   bash infra/local/infra.sh env                                   export lines for clients (eval "$(... env)")
#
# With no service named: all three, started as postgres, kafka, temporal and stopped in reverse.
set -euo pipefail

# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=infra/local/postgres.sh
source "$INFRA_DIR/postgres.sh"
# shellcheck source=infra/local/kafka.sh
source "$INFRA_DIR/kafka.sh"
# shellcheck source=infra/local/temporal.sh
source "$INFRA_DIR/temporal.sh"

ALL_SERVICES=(postgres kafka temporal)

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Function prefix for a service name.
prefix_of() {
  case "$1" in
    postgres | pg | postgresql) printf 'pg' ;;
    kafka) printf 'kafka' ;;
    temporal) printf 'temporal' ;;
    *) log "unknown service '$1' (expected: ${ALL_SERVICES[*]})"; exit 2 ;;
  esac
}

print_env() {
  cat <<EOF
export LENDSTACK_CACHE='$LENDSTACK_CACHE'
export PG_PORT='$PG_PORT'
export LOS_DATABASE_URL='postgresql://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/lendstack_los'
export LMS_DATABASE_URL='postgresql://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/lendstack_lms'
export KAFKA_BROKERS='127.0.0.1:$KAFKA_PORT'
export TEMPORAL_ADDRESS='127.0.0.1:$TEMPORAL_PORT'
export TEMPORAL_NAMESPACE='$TEMPORAL_NAMESPACE'
export TEMPORAL_CLI_PATH='$TEMPORAL_BIN'
export TEMPORAL_TEST_SERVER_PATH='$TEMPORAL_TEST_SERVER_BIN'
EOF
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd="$1"
  shift
  local services=("$@")
  [[ ${#services[@]} -gt 0 ]] || services=("${ALL_SERVICES[@]}")
  local prefixes=() s
  for s in "${services[@]}"; do prefixes+=("$(prefix_of "$s")"); done

  case "$cmd" in
    start)
      ensure_dirs
      take_lock
      local t0 p
      t0="$(now_ms)"
      for p in "${prefixes[@]}"; do "${p}_start"; done
      log "all requested services healthy ($(elapsed_s "$t0") total)"
      ;;
    stop | reset)
      ensure_dirs
      take_lock
      local i
      for (( i = ${#prefixes[@]} - 1; i >= 0; i-- )); do "${prefixes[i]}_${cmd}"; done
      ;;
    status)
      local rc=0 p
      for p in "${prefixes[@]}"; do "${p}_status" || rc=3; done
      return "$rc"
      ;;
    env) print_env ;;
    -h | --help | help) usage ;;
    *) log "unknown command '$cmd'"; usage ;;
  esac
}

main "$@"
