# Sourced by infra/test.sh and infra/bench.sh, after `eval "$(bash infra/local/infra.sh env)"`.
# isolated_environment NAME: fresh databases lendstack_{los,lms}_NAME, migrated, and Kafka topics under
# the prefix "NAME.", exported for the services and tests started afterwards. A person's own data
# (infra/up.sh) is never touched.
isolated_environment() {
  local name="$1" admin_url="${LOS_DATABASE_URL%/*}/postgres" db
  export LOS_DATABASE_URL="${LOS_DATABASE_URL}_$name" LMS_DATABASE_URL="${LMS_DATABASE_URL}_$name"
  export KAFKA_TOPIC_PREFIX="$name."
  for db in "lendstack_los_$name" "lendstack_lms_$name"; do
    psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  done
  pnpm --filter @lendstack/los -s migrate
  pnpm --filter @lendstack/lms -s migrate
  pnpm --filter @lendstack/platform -s exec tsx src/cli/create-topics.ts
}
