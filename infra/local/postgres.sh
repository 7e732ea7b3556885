# shellcheck shell=bash
# PostgreSQL from Debian's packages, run as a Debian-managed cluster (pg_createcluster/pg_ctlcluster).
# Sourced by infra.sh after lib.sh.
#
# The cluster's data stays where Debian keeps it (/var/lib/postgresql/<ver>/<cluster>), not under
# .cache: clusters are machine-wide in Debian (config in /etc/postgresql), the server runs as the
# `postgres` user who may not be able to enter the repo's folder, and Debian's own install creates
# and may start a `main` cluster on 5432 that we would otherwise collide with. `reset` drops the
# cluster; the next `start` creates it afresh.

: "${PG_CLUSTER:=main}"
PG_ROLE=lendstack
PG_PASSWORD=lendstack
PG_DATABASES=(lendstack_los lendstack_lms)
PG_CTL_LOG="$LOG_DIR/postgres-ctl.log"
PG_LOG_LINK="$LOG_DIR/postgres.log"

# "ver cluster port status owner datadir logfile" of our cluster, or nothing.
pg_cluster_line() { pg_lsclusters -h 2>/dev/null | awk -v c="$PG_CLUSTER" '$2 == c { print; exit }'; }
pg_field() { pg_cluster_line | awk -v n="$1" '{ print $n }'; }

pg_installed() { compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; }

pg_newest_version() {
  local v best=0
  for v in /usr/lib/postgresql/*/bin/postgres; do
    v="${v#/usr/lib/postgresql/}"
    v="${v%%/*}"
    [[ "$v" =~ ^[0-9]+$ ]] && (( v > best )) && best="$v"
  done
  printf '%s' "$best"
}

pg_install() {
  pg_installed && return 0
  apt_install postgres postgresql
  pg_installed || fail postgres "postgresql was installed but no /usr/lib/postgresql/*/bin/postgres exists" "$LOG_DIR/apt.log"
  # The package creates an empty `main` cluster in whatever locale the install ran with, which in
  # a bare container is C/SQL_ASCII. Drop it while it is empty; pg_ensure_cluster makes a UTF8 one.
  local line
  line="$(pg_cluster_line)"
  if [[ -n "$line" ]]; then
    log "postgres: replacing the package's fresh cluster $(awk '{print $1 "/" $2}' <<<"$line") with a UTF8 one"
    bounded 60 pg_dropcluster --stop "$(awk '{print $1}' <<<"$line")" "$PG_CLUSTER" >>"$PG_CTL_LOG" 2>&1 9>&- \
      || fail postgres "pg_dropcluster of the package's fresh cluster $BOUNDED_WHY" "$PG_CTL_LOG"
  fi
}

pg_ensure_cluster() {
  [[ -n "$(pg_cluster_line)" ]] && return 0
  local ver
  ver="$(pg_newest_version)"
  log "postgres: creating cluster $ver/$PG_CLUSTER on port $PG_PORT"
  # UTF8 whatever the caller's locale: a container shell often has none, and initdb would then
  # choose SQL_ASCII.
  if ! timeout 120 pg_createcluster --encoding=UTF8 --locale=C.UTF-8 -p "$PG_PORT" "$ver" "$PG_CLUSTER" \
      >>"$PG_CTL_LOG" 2>&1 9>&-; then
    fail postgres "pg_createcluster $ver $PG_CLUSTER failed" "$PG_CTL_LOG"
  fi
}

pg_log_file() { pg_field 7; }
pg_online() { [[ "$(pg_field 4)" == online* ]]; }

pg_pid() {
  local datadir pid
  datadir="$(pg_field 6)"
  [[ -n "$datadir" && -f "$datadir/postmaster.pid" ]] || return 1
  pid="$(head -n 1 "$datadir/postmaster.pid")"
  kill -0 "$pid" 2>/dev/null || return 1
  printf '%s' "$pid"
}

# Our settings live in their own file under the cluster's conf.d (included last by Debian's
# postgresql.conf), so they override the defaults without editing Debian's file. The port stays in
# postgresql.conf because pg_lsclusters and pg_ctlcluster read it from there.
# Returns 0 only if something changed (a restart is then needed).
pg_configure() {
  local ver confdir want changed=1
  ver="$(pg_field 1)"
  confdir="/etc/postgresql/$ver/$PG_CLUSTER/conf.d"
  if [[ "$(pg_conftool -s "$ver" "$PG_CLUSTER" show port 2>/dev/null || true)" != "$PG_PORT" ]]; then
    pg_conftool "$ver" "$PG_CLUSTER" set port "$PG_PORT" >>"$PG_CTL_LOG" 2>&1
    changed=0
  fi
  # max_connections: each service keeps a pool and every test file may open its own; 100 runs out.
  want="# Written by infra/local/postgres.sh (Lendstack); rewritten on every start.
listen_addresses = '127.0.0.1'
max_connections = 200
"
  if [[ "$(cat "$confdir/lendstack.conf" 2>/dev/null || true)" != "${want%$'\n'}" ]]; then
    mkdir -p "$confdir"
    printf '%s' "$want" >"$confdir/lendstack.conf"
    changed=0
  fi
  return "$changed"
}

pg_psql_admin() {
  # cd /: psql as postgres cannot read root's working directory and would warn about it.
  (cd / && runuser -u postgres -- timeout 30 psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres)
}

pg_accepting() { timeout 5 pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 3; }

pg_login_ok() {
  local db out
  for db in "${PG_DATABASES[@]}"; do
    out="$(PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=3 timeout 10 \
      psql -X -w -h 127.0.0.1 -p "$PG_PORT" -U "$PG_ROLE" -d "$db" -tAc 'select 1' 2>/dev/null)" || return 1
    [[ "$out" == 1 ]] || return 1
  done
}

pg_healthy() { pg_online && pg_accepting && pg_login_ok; }

pg_ensure_objects() {
  local dbs
  dbs="$(printf "'%s'," "${PG_DATABASES[@]}")"
  dbs="${dbs%,}"
  if ! pg_psql_admin >>"$PG_CTL_LOG" 2>&1 <<SQL; then
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
    CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  END IF;
END \$\$;
SELECT format('CREATE DATABASE %I OWNER $PG_ROLE', d)
  FROM unnest(ARRAY[$dbs]) AS d
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d) \gexec
SELECT format('ALTER DATABASE %I OWNER TO $PG_ROLE', datname)
  FROM pg_database
 WHERE datname IN ($dbs) AND datdba <> (SELECT oid FROM pg_roles WHERE rolname = '$PG_ROLE') \gexec
SQL
    fail postgres "could not create role $PG_ROLE / databases ${PG_DATABASES[*]}" "$PG_CTL_LOG" "$(pg_log_file)"
  fi
}

pg_link_log() { ln -sfn "$(pg_log_file)" "$PG_LOG_LINK"; }

pg_start() {
  local t0
  t0="$(now_ms)"
  pg_install
  pg_ensure_cluster
  pg_link_log
  local ver
  ver="$(pg_field 1)"

  if pg_online && [[ "$(pg_field 3)" == "$PG_PORT" ]]; then
    if pg_configure; then
      # Running with settings of its own (say, started by Debian's package install).
      log "postgres: restarting cluster $ver/$PG_CLUSTER to apply Lendstack settings"
      bounded "$INFRA_START_TIMEOUT" pg_ctlcluster "$ver" "$PG_CLUSTER" restart -m fast >>"$PG_CTL_LOG" 2>&1 9>&- \
        || fail postgres "pg_ctlcluster $ver $PG_CLUSTER restart $BOUNDED_WHY" "$PG_CTL_LOG" "$(pg_log_file)"
    elif pg_healthy; then
      log "postgres: already running and healthy (cluster $ver/$PG_CLUSTER, pid $(pg_pid || echo '?'), port $PG_PORT)"
      return 0
    fi
    # Up but not (yet) serving our role and databases: fall through to the checks below.
  else
    if pg_online; then
      log "postgres: cluster $ver/$PG_CLUSTER runs on port $(pg_field 3); restarting it on $PG_PORT"
      timeout 60 pg_ctlcluster "$ver" "$PG_CLUSTER" stop -m fast >>"$PG_CTL_LOG" 2>&1 9>&- \
        || fail postgres "could not stop cluster $ver/$PG_CLUSTER to move it to port $PG_PORT" "$PG_CTL_LOG" "$(pg_log_file)"
    fi
    pg_configure || true
    require_port_free postgres "$PG_PORT" PG_PORT
    log "postgres: starting cluster $ver/$PG_CLUSTER on 127.0.0.1:$PG_PORT"
    if ! bounded "$INFRA_START_TIMEOUT" pg_ctlcluster "$ver" "$PG_CLUSTER" start >>"$PG_CTL_LOG" 2>&1 9>&-; then
      fail postgres "pg_ctlcluster $ver $PG_CLUSTER start $BOUNDED_WHY" "$PG_CTL_LOG" "$(pg_log_file)"
    fi
  fi

  local deadline=$(( $(date +%s) + INFRA_START_TIMEOUT )) rc=0
  wait_healthy "$deadline" pg_online pg_accepting || rc=$?
  (( rc == 0 )) || fail postgres "server not accepting connections on 127.0.0.1:$PG_PORT within ${INFRA_START_TIMEOUT}s" "$(pg_log_file)"
  pg_ensure_objects
  wait_healthy "$deadline" pg_online pg_login_ok || rc=$?
  (( rc == 0 )) || fail postgres "role $PG_ROLE cannot log in over TCP on 127.0.0.1:$PG_PORT" "$PG_CTL_LOG" "$(pg_log_file)"
  log "postgres: healthy in $(elapsed_s "$t0") (cluster $ver/$PG_CLUSTER, pid $(pg_pid || echo '?'), port $PG_PORT, log $PG_LOG_LINK)"
}

# Client connections to the cluster other than this query's own: the services and tests of whatever
# checkout uses it (the cluster is machine-wide, not this checkout's). Prints the count; fails if it cannot ask.
pg_other_clients() {
  PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=3 timeout 10 \
    psql -X -w -h 127.0.0.1 -p "$PG_PORT" -U "$PG_ROLE" -d "${PG_DATABASES[0]}" -tAc \
    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()" 2>/dev/null
}

pg_stop() {
  [[ -n "$(pg_cluster_line 2>/dev/null)" ]] || { log "postgres: no cluster $PG_CLUSTER; nothing to stop"; return 0; }
  if ! pg_online; then
    log "postgres: already stopped"
    return 0
  fi
  # Another checkout (or anything else) connected: stopping the machine-wide cluster would break it.
  local others
  others="$(pg_other_clients || echo 0)"
  if [[ "${INFRA_STOP_FORCE:-false}" != true && "$others" =~ ^[0-9]+$ && "$others" -gt 0 ]]; then
    log "postgres: left running: $others client connection(s) open (another checkout's services or tests?); INFRA_STOP_FORCE=true stops it anyway"
    return 0
  fi
  local ver
  ver="$(pg_field 1)"
  bounded 60 pg_ctlcluster "$ver" "$PG_CLUSTER" stop -m fast >>"$PG_CTL_LOG" 2>&1 9>&- \
    || fail postgres "pg_ctlcluster $ver $PG_CLUSTER stop $BOUNDED_WHY" "$PG_CTL_LOG" "$(pg_log_file)"
  log "postgres: stopped"
}

pg_status() {
  if ! pg_installed || [[ -z "$(pg_cluster_line)" ]]; then
    printf '%-9s down       pid -       port %-5s (not installed or no cluster %s)\n' postgres "$PG_PORT" "$PG_CLUSTER"
    return 1
  fi
  local where
  where="cluster $(pg_field 1)/$PG_CLUSTER, log $(pg_log_file)"
  if ! pg_online; then
    printf '%-9s down       pid -       port %-5s (%s)\n' postgres "$PG_PORT" "$where"
    return 1
  fi
  local pid port
  pid="$(pg_pid || echo '-')"
  port="$(pg_field 3)"
  if [[ "$port" == "$PG_PORT" ]] && pg_healthy; then
    printf '%-9s up         pid %-7s port %-5s (%s)\n' postgres "$pid" "$port" "$where"
    return 0
  fi
  printf '%-9s unhealthy  pid %-7s port %-5s (%s)\n' postgres "$pid" "$port" "$where"
  return 1
}

pg_reset() {
  [[ -n "$(pg_cluster_line)" ]] || { log "postgres: no cluster $PG_CLUSTER; nothing to reset"; return 0; }
  local ver
  ver="$(pg_field 1)"
  pg_stop
  timeout 60 pg_dropcluster "$ver" "$PG_CLUSTER" >>"$PG_CTL_LOG" 2>&1 9>&- \
    || fail postgres "pg_dropcluster $ver $PG_CLUSTER failed" "$PG_CTL_LOG"
  rm -f "$PG_LOG_LINK"
  log "postgres: cluster $ver/$PG_CLUSTER dropped (recreated on next start)"
}
