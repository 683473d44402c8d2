#!/usr/bin/env bash
# Apicurio Registry from Maven Central, serving the Confluent API at
# http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7 (no Docker).
#
#   registry.sh install | start | stop | status
#
# Version: 3.3.3. The 3.1.x line (Java 17) is not on Maven Central (3.1.7 has no POM there) and 3.0.9's
# parent POM is missing, so neither resolves; 3.3.x targets Java 21, so it runs on the newest JDK >= 21
# found on the machine (Temurin 25 on these machines). 3.3.x also carries the ccompat fixes of
# Apicurio PR #7971 (Confluent-faithful lookup, errors, ids).
#
# Storage: the embedded H2 database in a FILE under $STACK_DIR/registry (not the default in-memory H2),
# so schema ids survive a registry restart while Kafka still holds records that reference them.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../env.sh
. "$here/env.sh"

APICURIO_VERSION=${APICURIO_VERSION:-3.3.3}
REGISTRY_MANAGEMENT_PORT=${REGISTRY_MANAGEMENT_PORT:-$((REGISTRY_PORT + 1000))} # Quarkus /health; its default 9000 clashes with ClickHouse
REGISTRY_HOME=$STACK_CACHE/apicurio-registry-$APICURIO_VERSION
REGISTRY_DATA=$STACK_DIR/registry
HEALTH_TIMEOUT=${REGISTRY_HEALTH_TIMEOUT:-120}
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
CCOMPAT_URL=http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7

die() { echo "registry: $*" >&2; exit 1; }

java_major() { "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print v[1]; exit}'; }

# The registry needs Java 21+: REGISTRY_JAVA, else the newest suitable JDK under /usr/lib/jvm, else `java`.
find_java() {
  local candidate best="" best_major=0 major
  if [ -n "${REGISTRY_JAVA:-}" ]; then echo "$REGISTRY_JAVA"; return 0; fi
  for candidate in /usr/lib/jvm/*/bin/java "$(command -v java || true)"; do
    [ -x "$candidate" ] || continue
    major=$(java_major "$candidate" || echo 0)
    if [ "${major:-0}" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
  done
  [ "$best_major" -ge 21 ] || die "Apicurio $APICURIO_VERSION needs Java 21 or newer; none found (newest: ${best:-none}, $best_major). Set REGISTRY_JAVA."
  echo "$best"
}

install() {
  [ -f "$REGISTRY_HOME/.installed" ] && return 0
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  local tmp="$REGISTRY_HOME.tmp" attempt
  for attempt in 1 2 3; do
    rm -rf "$tmp"; mkdir -p "$tmp"
    if mvn -B -q "$DEPENDENCY_PLUGIN:copy" -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
        -DoutputDirectory="$tmp" >"$STACK_LOGS/registry-install.log" 2>&1 \
      && tar -xzf "$tmp/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz" -C "$tmp" \
      && [ -f "$tmp/quarkus-run.jar" ]; then
      rm -f "$tmp"/*.tar.gz
      rm -rf "$REGISTRY_HOME"; mv "$tmp" "$REGISTRY_HOME"
      touch "$REGISTRY_HOME/.installed"
      echo "registry: installed Apicurio Registry $APICURIO_VERSION in $REGISTRY_HOME"
      return 0
    fi
    echo "registry: download failed (attempt $attempt), see $STACK_LOGS/registry-install.log" >&2
    sleep $((attempt * 3))
  done
  rm -rf "$tmp"
  die "could not fetch Apicurio Registry $APICURIO_VERSION from Maven Central"
}

healthy() { curl -sf -o /dev/null --max-time 2 "$CCOMPAT_URL/subjects"; }

# Waits for the ccompat API to answer, failing early when the JVM died.
wait_healthy() {
  local deadline=$((SECONDS + HEALTH_TIMEOUT))
  until healthy; do
    pid_alive registry || die "exited during startup; see $STACK_LOGS/registry.log"
    [ $SECONDS -lt $deadline ] || die "timed out after ${HEALTH_TIMEOUT}s waiting for $CCOMPAT_URL/subjects"
    sleep 0.3
  done
}

start() {
  if pid_alive registry; then wait_healthy; return 0; fi
  install
  local java; java=$(find_java)
  mkdir -p "$REGISTRY_DATA"
  # C1-only JIT and serial GC: startup ~6 s instead of ~9 s on 2 cores; the registry's load in tests is
  # light (clients cache schemas by id).
  # Global BACKWARD compatibility rule: what Confluent Schema Registry enforces by default.
  # Deletion enabled: tests clean up subjects (DELETE /subjects/{s}), as they can on Confluent.
  # No access or audit line per request (noise under load tests); a sane date in the log format.
  (cd "$REGISTRY_HOME" && exec setsid nohup "$java" -Xms128m -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$REGISTRY_MANAGEMENT_PORT" \
    -Dapicurio.datasource.url="jdbc:h2:file:$REGISTRY_DATA/registry" \
    -Dapicurio.rules.global.compatibility=BACKWARD \
    -Dapicurio.rest.deletion.group.enabled=true \
    -Dapicurio.rest.deletion.artifact.enabled=true \
    -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -Dquarkus.http.access-log.enabled=false \
    -Dquarkus.log.category.\"io.apicurio.registry.logging.audit\".level=WARN \
    -Dquarkus.log.console.format='%d{yyyy-MM-dd HH:mm:ss,SSS} %p [%c{2.}] (%t) %m%n' \
    -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    -jar quarkus-run.jar >"$STACK_LOGS/registry.log" 2>&1 </dev/null 9>&-) &  # 9>&-: the JVM must not hold the lock
  echo $! >"$STACK_PIDS/registry.pid"
  wait_healthy
}

status() {
  if ! pid_alive registry; then echo down; return 1; fi
  local pid; pid=$(cat "$STACK_PIDS/registry.pid")
  if healthy; then echo "up (pid $pid, $CCOMPAT_URL)"
  else echo "starting or unhealthy (pid $pid, $CCOMPAT_URL)"; return 1; fi
}

# One registry.sh at a time (several people and tests share .stack/): a second `start` waits, then finds it up.
# status needs no lock.
if [ "${1:-}" != status ]; then exec 9>"$STACK_PIDS/registry.lock"; flock 9; fi

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop_pid registry ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
