# shellcheck shell=bash disable=SC2153  # KAFKA_PORT and friends are set in lib.sh.
# Apache Kafka as a single-node KRaft broker built from Maven Central jars (no tarball, no Docker).
# Sourced by infra.sh after lib.sh.

KAFKA_POM="$INFRA_DIR/kafka/pom.xml"
KAFKA_TEMPLATE="$INFRA_DIR/kafka/server.properties.template"
KAFKA_LOG4J="$INFRA_DIR/kafka/log4j.properties"
KAFKA_TOOLS_LOG4J="$INFRA_DIR/kafka/tools-log4j.properties"
KAFKA_HOME="$LENDSTACK_CACHE/kafka"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_DATA="$KAFKA_HOME/data"
KAFKA_PROPS="$KAFKA_HOME/server.properties"
KAFKA_PIDFILE="$KAFKA_HOME/kafka.pid"
KAFKA_LOG="$LOG_DIR/kafka.log"            # the broker's own log (log4j, see kafka/log4j.properties)
KAFKA_OUT="$LOG_DIR/kafka.out.log"        # JVM stdout/stderr: crashes before log4j is up land here
KAFKA_INSTALL_LOG="$LOG_DIR/kafka-install.log"
KAFKA_MARKER="$KAFKA_LIBS/.lendstack-installed"
: "${KAFKA_HEAP_OPTS:=-Xmx512m -Xms256m}"

kafka_java() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    printf '%s' "$JAVA_HOME/bin/java"
  else
    printf 'java'
  fi
}

# The jar set is keyed by the pom's content: edit the pom (say, a new Kafka version) and the next
# start fetches again; otherwise no Maven run at all.
kafka_wanted_marker() { sha256sum "$KAFKA_POM" | cut -d' ' -f1; }

kafka_install() {
  command -v java >/dev/null 2>&1 || [[ -x "${JAVA_HOME:-/nonexistent}/bin/java" ]] \
    || apt_install kafka default-jre-headless
  local want
  want="$(kafka_wanted_marker)"
  if [[ -f "$KAFKA_MARKER" && "$(cat "$KAFKA_MARKER")" == "$want" ]] && compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || apt_install kafka maven
  log "kafka: fetching broker jars from Maven Central into $KAFKA_LIBS"
  local t0 tmp
  t0="$(now_ms)"
  mkdir -p "$KAFKA_HOME"
  # Fetch into a scratch folder and swap it in whole, so an interrupted download never looks complete.
  tmp="$KAFKA_HOME/libs.tmp.$$"
  rm -rf "$tmp"
  if ! bounded "$INFRA_DOWNLOAD_TIMEOUT" mvn -q -B -f "$KAFKA_POM" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" >>"$KAFKA_INSTALL_LOG" 2>&1 </dev/null 9>&-; then
    rm -rf "$tmp"
    fail kafka "downloading the broker jars with Maven (mvn dependency:copy-dependencies) $BOUNDED_WHY" "$KAFKA_INSTALL_LOG"
  fi
  if ! compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null; then
    rm -rf "$tmp"
    fail kafka "Maven finished but no kafka_2.13 jar was copied" "$KAFKA_INSTALL_LOG"
  fi
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  printf '%s\n' "$want" >"$KAFKA_MARKER"
  log "kafka: jars ready in $(elapsed_s "$t0")"
}

kafka_render_props() {
  mkdir -p "$KAFKA_DATA"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@KAFKA_DATA_DIR@|$KAFKA_DATA|g" \
      "$KAFKA_TEMPLATE" >"$KAFKA_PROPS.tmp"
  mv "$KAFKA_PROPS.tmp" "$KAFKA_PROPS"
}

# A short-lived JVM for Kafka's tools: small heap, C1 only, since they run for about a second.
# Usage: kafka_tool SECONDS class args...  (bounded by timeout, which cannot run a shell function)
kafka_tool() {
  local secs="$1"
  shift
  timeout "$secs" "$(kafka_java)" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KAFKA_TOOLS_LOG4J" -cp "$KAFKA_LIBS/*" "$@"
}

kafka_format() {
  [[ -f "$KAFKA_DATA/meta.properties" ]] && return 0
  local id
  if ! id="$(kafka_tool 60 kafka.tools.StorageTool random-uuid 2>>"$KAFKA_INSTALL_LOG" 9>&-)" || [[ -z "$id" ]]; then
    fail kafka "kafka.tools.StorageTool random-uuid failed" "$KAFKA_INSTALL_LOG"
  fi
  log "kafka: formatting storage in $KAFKA_DATA (cluster id $id)"
  if ! kafka_tool 60 kafka.tools.StorageTool format -t "$id" -c "$KAFKA_PROPS" --ignore-formatted \
      >>"$KAFKA_INSTALL_LOG" 2>&1 9>&-; then
    fail kafka "kafka.tools.StorageTool format failed" "$KAFKA_INSTALL_LOG"
  fi
}

# Our broker's pid, identified by the server.properties path on its command line.
kafka_pid() { live_pid "$KAFKA_PIDFILE" "$KAFKA_PROPS"; }
kafka_alive() { kafka_pid >/dev/null; }

# Healthy = the broker answers requests, not merely that the port is open: BrokerApiVersionsCommand
# fetches cluster metadata to find the brokers, then asks each for its API versions. It ships in the
# core jar (the newer org.apache.kafka.tools classes are in a separate artifact we don't fetch).
kafka_serving() {
  port_accepts "$KAFKA_PORT" || return 1
  local out
  out="$(kafka_tool 25 kafka.admin.BrokerApiVersionsCommand \
    --bootstrap-server "127.0.0.1:$KAFKA_PORT" 2>/dev/null 9>&-)" || return 1
  [[ "$out" == *"127.0.0.1:$KAFKA_PORT (id: 1"* ]]
}

kafka_healthy() { kafka_alive && kafka_serving; }

kafka_wait() {
  local t0="$1" pid="$2" rc=0
  local deadline=$(( $(date +%s) + INFRA_START_TIMEOUT ))
  wait_healthy "$deadline" kafka_alive kafka_serving || rc=$?
  case "$rc" in
    0) log "kafka: healthy in $(elapsed_s "$t0") (pid $pid, 127.0.0.1:$KAFKA_PORT, controller $KAFKA_CONTROLLER_PORT, log $KAFKA_LOG)" ;;
    2) fail kafka "the broker process (pid $pid) exited during startup" "$KAFKA_OUT" "$KAFKA_LOG" ;;
    *)
      # A half-started broker is of no use and would confuse the next start: stop it.
      stop_pid "$pid" 20
      fail kafka "the broker did not answer requests on 127.0.0.1:$KAFKA_PORT within ${INFRA_START_TIMEOUT}s; stopped it (pid $pid)" "$KAFKA_LOG" "$KAFKA_OUT"
      ;;
  esac
}

kafka_start() {
  local t0 pid
  t0="$(now_ms)"
  pid="$(kafka_pid)" || pid=""
  if [[ -n "$pid" ]]; then
    if kafka_serving; then
      log "kafka: already running and healthy (pid $pid, 127.0.0.1:$KAFKA_PORT)"
      return 0
    fi
    log "kafka: process $pid is up but not serving yet; waiting"
    kafka_wait "$t0" "$pid"
    return 0
  fi
  rm -f "$KAFKA_PIDFILE"
  kafka_install
  require_port_free kafka "$KAFKA_PORT" KAFKA_PORT
  require_port_free kafka "$KAFKA_CONTROLLER_PORT" KAFKA_CONTROLLER_PORT
  kafka_render_props
  kafka_format
  log "kafka: starting broker on 127.0.0.1:$KAFKA_PORT"
  # Keep only this run's console output, so a failure report shows this run's crash, not an old one.
  [[ -f "$KAFKA_OUT" ]] && mv -f "$KAFKA_OUT" "$KAFKA_OUT.1"
  printf '=== %s: infra.sh started the broker (console output) ===\n' "$(date -Is)" >"$KAFKA_OUT"
  printf '=== %s: infra.sh starting the broker ===\n' "$(date -Is)" >>"$KAFKA_LOG"
  # shellcheck disable=SC2086  # KAFKA_HEAP_OPTS is a list of JVM flags.
  launch_daemon "$KAFKA_PIDFILE" "$KAFKA_OUT" \
    "$(kafka_java)" $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dkafka.logs.dir="$LOG_DIR" -Dlog4j.configuration="file:$KAFKA_LOG4J" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS" \
    || fail kafka "could not launch the broker JVM" "$KAFKA_OUT"
  pid="$(cat "$KAFKA_PIDFILE")"
  kafka_wait "$t0" "$pid"
}

kafka_stop() {
  local pid
  pid="$(kafka_pid)" || pid=""
  # Controlled shutdown of a single KRaft node takes a few seconds; give it 30 before KILL.
  stop_daemon kafka "$KAFKA_PIDFILE" 30 "$pid"
}

kafka_status() {
  local pid
  pid="$(kafka_pid)" || pid=""
  if [[ -z "$pid" ]]; then
    printf '%-9s down       pid -       port %-5s (log %s)\n' kafka "$KAFKA_PORT" "$KAFKA_LOG"
    return 1
  fi
  if kafka_serving; then
    printf '%-9s up         pid %-7s port %-5s (controller %s, data %s, log %s)\n' kafka "$pid" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_DATA" "$KAFKA_LOG"
    return 0
  fi
  printf '%-9s unhealthy  pid %-7s port %-5s (process up, not answering requests; log %s)\n' kafka "$pid" "$KAFKA_PORT" "$KAFKA_LOG"
  return 1
}

kafka_reset() {
  kafka_stop
  rm -rf "$KAFKA_DATA" "$KAFKA_PROPS"
  log "kafka: data deleted ($KAFKA_DATA); jars kept in $KAFKA_LIBS"
}
