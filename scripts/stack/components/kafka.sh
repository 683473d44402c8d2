#!/usr/bin/env bash
# Apache Kafka (KRaft, combined broker+controller nodes) from Maven Central jars, no Docker.
#
#   kafka.sh install | start | stop | status
#   kafka.sh stop-node N | kill-node N | start-node N
#                         cluster mode: stop cleanly / SIGKILL / restart one node, N in 1..3 (fault tests)
#
# KAFKA_MODE=single (default): one node on $KAFKA_PORT (controller on port+1), data in $STACK_DIR/kafka-single.
# KAFKA_MODE=cluster: three nodes on $KAFKA_CLUSTER_PORTS (controllers on port+1), RF 3, min.insync.replicas 2,
#   data in $STACK_DIR/kafka-cluster/n{1,2,3}, pids kafka-1..3. Both modes can run at the same time.
# `stop` stops the mode named by an explicit KAFKA_MODE, or both modes when KAFKA_MODE is not set.
set -euo pipefail
mode_from_caller=${KAFKA_MODE:-}
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../env.sh
. "$here/env.sh"

KAFKA_VERSION=${KAFKA_VERSION:-4.4.0}   # newest 4.x on Maven Central; Java 17 bytecode
LOG4J_VERSION=${LOG4J_VERSION:-2.25.4}  # the log4j2 line Kafka 4.3+/4.4 is built with (slf4j 1.7 binding)
KAFKA_JAVA=${KAFKA_JAVA:-java}
KAFKA_HOME=$STACK_CACHE/kafka-$KAFKA_VERSION
KAFKA_LIB=$KAFKA_HOME/lib
KAFKA_FILES=$here/kafka
HEALTH_TIMEOUT=${KAFKA_HEALTH_TIMEOUT:-90}
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

die() { echo "kafka: $*" >&2; exit 1; }

install() {
  local stamp="kafka=$KAFKA_VERSION log4j=$LOG4J_VERSION"
  if [ -f "$KAFKA_HOME/.installed" ] && [ "$(cat "$KAFKA_HOME/.installed")" = "$stamp" ]; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  local tmp="$KAFKA_HOME/lib.tmp" attempt
  for attempt in 1 2 3; do
    rm -rf "$tmp"
    if mvn -B -q -f "$KAFKA_FILES/pom.xml" "$DEPENDENCY_PLUGIN:copy-dependencies" \
        -Dkafka.version="$KAFKA_VERSION" -Dlog4j.version="$LOG4J_VERSION" \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >"$STACK_LOGS/kafka-install.log" 2>&1; then
      rm -rf "$KAFKA_LIB"; mv "$tmp" "$KAFKA_LIB"
      echo "$stamp" >"$KAFKA_HOME/.installed"
      echo "kafka: installed $KAFKA_VERSION ($(find "$KAFKA_LIB" -name "*.jar" | wc -l) jars in $KAFKA_LIB)"
      return 0
    fi
    echo "kafka: maven download failed (attempt $attempt), see $STACK_LOGS/kafka-install.log" >&2
    sleep $((attempt * 3))
  done
  die "could not fetch Kafka $KAFKA_VERSION from Maven Central"
}

# --- node layout -----------------------------------------------------------------------------------
# A node is "single" or "1".."3". These echo its pid name, ports and folder.
cluster_port() { echo "$KAFKA_CLUSTER_PORTS" | awk -v n="$1" '{print $n}'; }
node_pid_name() { if [ "$1" = single ]; then echo kafka; else echo "kafka-$1"; fi; }
node_port() { if [ "$1" = single ]; then echo "$KAFKA_PORT"; else cluster_port "$1"; fi; }
node_dir() { if [ "$1" = single ]; then echo "$STACK_DIR/kafka-single"; else echo "$STACK_DIR/kafka-cluster/n$1"; fi; }
cluster_bootstrap() { local out="" p; for p in $KAFKA_CLUSTER_PORTS; do out="${out:+$out,}127.0.0.1:$p"; done; echo "$out"; }
cluster_voters() {
  local out="" i=1 p
  for p in $KAFKA_CLUSTER_PORTS; do out="${out:+$out,}$i@127.0.0.1:$((p + 1))"; i=$((i + 1)); done
  echo "$out"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# jvm_args LOGNAME JVM_FLAG...: sets JVM_ARGS, the flags plus logging and classpath.
jvm_args() {
  local logname=$1; shift
  JVM_ARGS=("$@" -Djava.awt.headless=true -Dkafka.logs.dir="$STACK_LOGS" -Dkafka.log.name="$logname"
    -Dlog4j2.configurationFile="$KAFKA_FILES/log4j2.properties" -cp "$KAFKA_LIB/*")
}
storage_tool() {  # short-lived: C1 only and serial GC start faster
  jvm_args kafka-storage -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
  "$KAFKA_JAVA" "${JVM_ARGS[@]}" kafka.tools.StorageTool "$@"
}

# A Kafka cluster id (what `StorageTool random-uuid` prints: 16 random bytes, base64url without padding,
# never starting with '-'), made without starting a JVM.
random_cluster_id() {
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    [ "${id#-}" = "$id" ] && { echo "$id"; return; }
  done
}

# Writes server.properties and formats the data dir once (StorageTool -g tolerates re-runs).
prepare_node() {
  local node=$1 dir port rf isr voters
  dir=$(node_dir "$node"); port=$(node_port "$node")
  [ -n "$port" ] || die "no port for cluster node $node in KAFKA_CLUSTER_PORTS='$KAFKA_CLUSTER_PORTS'"
  if [ "$node" = single ]; then rf=1; isr=1; voters="1@127.0.0.1:$((port + 1))"
  else rf=3; isr=2; voters=$(cluster_voters); fi
  mkdir -p "$dir"
  sed -e "s|@NODE_ID@|$([ "$node" = single ] && echo 1 || echo "$node")|" -e "s|@VOTERS@|$voters|" \
      -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$((port + 1))|g" -e "s|@DATA_DIR@|$dir/data|" \
      -e "s|@RF@|$rf|g" -e "s|@MIN_ISR@|$isr|g" \
      "$KAFKA_FILES/server.properties.template" >"$dir/server.properties"
  [ -f "$dir/data/meta.properties" ] && return 0
  # All nodes of one mode share a cluster id, kept beside their folders.
  local id_file
  if [ "$node" = single ]; then id_file="$dir/cluster-id"; else id_file="$STACK_DIR/kafka-cluster/cluster-id"; fi
  [ -s "$id_file" ] || random_cluster_id >"$id_file"
  storage_tool format -g -t "$(tr -d '[:space:]' <"$id_file")" -c "$dir/server.properties" \
    >>"$STACK_LOGS/kafka-storage.out" 2>&1 || die "formatting $dir failed, see $STACK_LOGS/kafka-storage.out"
}

launch_node() {  # starts the JVM of one node in the background unless it is running
  local node=$1 name heap
  name=$(node_pid_name "$node")
  if pid_alive "$name"; then return 0; fi
  [ -f "$KAFKA_HOME/.installed" ] || install
  prepare_node "$node"
  if [ "$node" = single ]; then heap="-Xms256m -Xmx768m"; else heap="-Xms256m -Xmx512m"; fi
  # setsid + nohup: the broker outlives the shell that started it; stdout only carries JVM crashes.
  # GC settings of kafka-server-start.sh.
  # shellcheck disable=SC2086  # $heap holds two flags
  jvm_args "$name" $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent
  setsid nohup "$KAFKA_JAVA" "${JVM_ARGS[@]}" kafka.Kafka "$(node_dir "$node")/server.properties" \
    >"$STACK_LOGS/$name.out" 2>&1 </dev/null 9>&- &  # 9>&-: the JVM must not hold the lock
  echo $! >"$STACK_PIDS/$name.pid"
}

all_ports_open() { local n; for n in "$@"; do port_open "$(node_port "$n")" || return 1; done; }

# wait_healthy BOOTSTRAP NODE...: waits until every node is a registered broker answering metadata
# requests; fails early when one of their JVMs died.
wait_healthy() {
  local bootstrap=$1; shift
  local deadline=$((SECONDS + HEALTH_TIMEOUT)) n name ids=()
  (cd "$KAFKA_FILES" && node -e "require.resolve('kafkajs')" 2>/dev/null) \
    || die "the health check needs kafkajs: run npm install at the repo root"
  for n in "$@"; do if [ "$n" = single ]; then ids+=(1); else ids+=("$n"); fi; done
  # The cheap port probe first: a node process per poll would slow the JVMs starting on 2 cores.
  until all_ports_open "$@" && node "$KAFKA_FILES/health.mjs" "$bootstrap" "${ids[@]}" >/dev/null 2>&1; do
    for n in "$@"; do
      name=$(node_pid_name "$n")
      pid_alive "$name" || die "$name exited during startup; see $STACK_LOGS/$name.log and $STACK_LOGS/$name.out"
    done
    [ $SECONDS -lt $deadline ] || die "timed out after ${HEALTH_TIMEOUT}s waiting for brokers ${ids[*]} at $bootstrap"
    sleep 0.5
  done
}

start_single() {
  launch_node single
  wait_healthy "127.0.0.1:$KAFKA_PORT" single
}

start_cluster() {
  local n
  [ -f "$KAFKA_HOME/.installed" ] || install
  # Format the three folders in parallel first (a JVM each), so the nodes then start together.
  mkdir -p "$STACK_DIR/kafka-cluster"
  [ -s "$STACK_DIR/kafka-cluster/cluster-id" ] || random_cluster_id >"$STACK_DIR/kafka-cluster/cluster-id"
  for n in 1 2 3; do pid_alive "kafka-$n" || prepare_node "$n" & done
  wait
  for n in 1 2 3; do launch_node "$n"; done
  wait_healthy "$(cluster_bootstrap)" 1 2 3
}

start_node() {
  local n=$1
  case "$n" in 1|2|3) ;; *) die "start-node: N must be 1, 2 or 3" ;; esac
  launch_node "$n"
  wait_healthy "$(cluster_bootstrap)" "$n"
}

stop_node() {  # clean shutdown (SIGTERM, then SIGKILL after 30 s)
  local n=$1
  case "$n" in 1|2|3) ;; *) die "stop-node: N must be 1, 2 or 3" ;; esac
  stop_pid "kafka-$n"
}

kill_node() {  # crash: SIGKILL, no controlled shutdown
  local n=$1 pid
  case "$n" in 1|2|3) ;; *) die "kill-node: N must be 1, 2 or 3" ;; esac
  pid_alive "kafka-$n" || return 0
  pid=$(cat "$STACK_PIDS/kafka-$n.pid")
  kill -9 "$pid"
  while proc_alive "$pid"; do sleep 0.1; done
  rm -f "$STACK_PIDS/kafka-$n.pid"
}

stop_mode() {
  if [ "$1" = single ]; then stop_pid kafka; return; fi
  local n; for n in 1 2 3; do stop_pid "kafka-$n" & done; wait  # in parallel: each waits for a clean shutdown
}

# Status is cheap (pid + open port); start is where the real health check runs.
single_status() {
  pid_alive kafka || return 1
  local pid; pid=$(cat "$STACK_PIDS/kafka.pid")
  if port_open "$KAFKA_PORT"; then echo "up single (pid $pid, 127.0.0.1:$KAFKA_PORT)"
  else echo "starting single (pid $pid, 127.0.0.1:$KAFKA_PORT)"; return 1; fi
}

cluster_status() {
  local n pids=() down=()
  for n in 1 2 3; do
    if pid_alive "kafka-$n" && port_open "$(cluster_port "$n")"; then pids+=("$(cat "$STACK_PIDS/kafka-$n.pid")")
    else down+=("$n"); fi
  done
  [ ${#pids[@]} -gt 0 ] || return 1
  if [ ${#down[@]} -eq 0 ]; then echo "up cluster (pids ${pids[*]}, $(cluster_bootstrap))"
  else echo "degraded cluster (pids ${pids[*]}, node ${down[*]} down, $(cluster_bootstrap))"; return 1; fi
}

# One line for every mode that runs; exit 0 when the mode selected by KAFKA_MODE is fully up.
status() {
  local single="" cluster="" rc=1
  if single=$(single_status); then [ "$KAFKA_MODE" = cluster ] || rc=0; fi
  if cluster=$(cluster_status); then [ "$KAFKA_MODE" != cluster ] || rc=0; fi
  if [ -z "$single$cluster" ]; then echo down; return 1; fi
  # name the selected mode even when only the other one runs
  if [ "$KAFKA_MODE" = cluster ]; then cluster=${cluster:-down cluster}; else single=${single:-down single}; fi
  printf '%s\n%s\n' "$single" "$cluster" | sed '/^$/d' | paste -sd ';' | sed 's/;/; /g'
  return $rc
}

# One kafka.sh at a time (several people and tests share .stack/): a second `start` waits, then finds it up.
# status needs no lock.
if [ "${1:-}" != status ]; then exec 9>"$STACK_PIDS/kafka.lock"; flock 9; fi

case "${1:-}" in
  install) install ;;
  start) install; if [ "$KAFKA_MODE" = cluster ]; then start_cluster; else start_single; fi ;;
  stop)
    if [ -z "$mode_from_caller" ]; then stop_mode single; stop_mode cluster; else stop_mode "$KAFKA_MODE"; fi ;;
  status) status ;;
  start-node) install; start_node "${2:-}" ;;
  stop-node) stop_node "${2:-}" ;;
  kill-node) kill_node "${2:-}" ;;
  *) echo "usage: $0 install|start|stop|status|start-node N|stop-node N|kill-node N" >&2; exit 2 ;;
esac
