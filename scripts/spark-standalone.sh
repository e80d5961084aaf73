#!/usr/bin/env bash
# A Spark standalone cluster on this machine's loopback, from the project's own jars: no Spark
# distribution needed, only Java 17 and Maven.
#
#   scripts/spark-standalone.sh start [WORKERS]   starts a Master and WORKERS (default 2) Workers,
#                                                 prints the master URL (spark://127.0.0.1:PORT)
#   scripts/spark-standalone.sh status            prints the master URL if the cluster runs
#   scripts/spark-standalone.sh stop              stops the Workers (and their executors), then the Master
#
# It builds the spark module when needed (mvn package), makes a SPARK_HOME whose jars/ are links to
# the module's runtime class path (Spark, Jackson, DJL, ...; not the twa4j jars: an application
# brings its own, see ExecutorClassPath), and keeps that, the logs, pid files and the Workers' work
# folders in $TWA4J_SPARK_DIR (default ${TMPDIR:-/tmp}/twa4j-spark-$UID).
#
# Settings (environment): TWA4J_SPARK_MASTER_PORT (7077; 0 for any free port),
# TWA4J_SPARK_WORKER_CORES (nproc / WORKERS, at least 1), TWA4J_SPARK_WORKER_MEMORY (4g), the memory
# a Worker offers its executors (each executor takes spark.executor.memory of it, 1g by default).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${TWA4J_SPARK_DIR:-${TMPDIR:-/tmp}/twa4j-spark-$(id -u)}"
spark_home="$state/spark-home"
classpath_file="$here/spark/target/runtime-classpath.txt"
# SPARK_LOCAL_IP: the daemons, their web UIs and the executors they start bind to loopback only
export SPARK_HOME="$spark_home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1

die() { echo "spark-standalone: $*" >&2; exit 1; }
say() { echo "spark-standalone: $*" >&2; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

module_jar() { ls "$here"/spark/target/twa4j-spark-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -n 1; }

needs_build() {
  [ -f "$classpath_file" ] && [ -n "$(module_jar)" ] || return 0
  [ -n "$(find "$here/pom.xml" "$here"/{core,vision,run,spark}/pom.xml "$here"/{core,vision,run,spark}/src/main \
      -newer "$classpath_file" -type f 2>/dev/null | head -n 1)" ]
}

build() {
  if needs_build; then
    say "building the spark module (first use or sources changed)..."
    local log; log="$(mktemp)"
    if ! (cd "$here" && mvn -q -B -DskipTests package -pl spark -am) > "$log" 2>&1; then
      cat "$log" >&2; rm -f "$log"; die "the build failed (output above)"
    fi
    rm -f "$log"
  fi
}

# SPARK_HOME/jars: a link to every jar of the spark module's runtime class path but the project's own.
make_spark_home() {
  rm -rf "$spark_home"
  mkdir -p "$spark_home/jars" "$spark_home/conf"
  local jar
  tr ":" "\n" < "$classpath_file" | while read -r jar || [ -n "$jar" ]; do
    case "$(basename "$jar")" in
      twa4j-*) ;;
      *.jar) ln -s "$jar" "$spark_home/jars/$(basename "$jar")" ;;
    esac
  done
}

# Waits up to 60 s for a line matching $2 in log $1 while the process of pid file $3 lives.
wait_for() {
  local log="$1" pattern="$2" pidfile="$3" i
  for i in $(seq 1 120); do
    grep -q -E "$pattern" "$log" 2>/dev/null && return 0
    alive "$pidfile" || { tail -n 30 "$log" >&2; die "$(basename "$log" .log) exited (log: $log)"; }
    sleep 0.5
  done
  tail -n 30 "$log" >&2
  die "$(basename "$log" .log) did not get ready within 60 s (log: $log)"
}

# Starts java with Spark's Java 17 options; $1 names the log and pid file, the rest are java's arguments.
launch() {
  local name="$1"; shift
  # shellcheck disable=SC2086 # the options are words
  nohup java $module_options -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=info \
    -cp "$spark_home/conf:$spark_home/jars/*" "$@" > "$state/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$state/$name.pid"
}

start() {
  local workers="${1:-2}"
  [[ "$workers" =~ ^[1-9][0-9]*$ ]] || die "WORKERS must be a positive number, got '$workers'"
  if alive "$state/master.pid"; then
    die "a cluster already runs ($(cat "$state/master-url")); stop it first"
  fi
  command -v java > /dev/null || die "java is not on the PATH"
  build
  make_spark_home
  rm -rf "$state/logs" "$state/work" "$state"/*.pid "$state/master-url"
  mkdir -p "$state/logs" "$state/work"
  module_options="$(java -cp "$(module_jar):$spark_home/jars/*" io.twa4j.spark.SparkJvm)"
  launch master org.apache.spark.deploy.master.Master --host 127.0.0.1 \
    --port "${TWA4J_SPARK_MASTER_PORT:-7077}" --webui-port 0
  wait_for "$state/logs/master.log" "New state: ALIVE" "$state/master.pid"
  local url
  url="$(grep -o -E 'Starting Spark master at spark://[^ ]+' "$state/logs/master.log" | head -n 1 | sed 's/.* at //')"
  [ -n "$url" ] || die "no master URL in $state/logs/master.log"
  echo "$url" > "$state/master-url"
  local cores="${TWA4J_SPARK_WORKER_CORES:-$(( $(nproc) / workers > 0 ? $(nproc) / workers : 1 ))}" i
  for i in $(seq 1 "$workers"); do
    mkdir -p "$state/work/worker-$i"
    launch "worker-$i" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --webui-port 0 \
      --cores "$cores" --memory "${TWA4J_SPARK_WORKER_MEMORY:-4g}" --work-dir "$state/work/worker-$i" "$url"
  done
  for i in $(seq 1 "$workers"); do
    wait_for "$state/logs/worker-$i.log" "Successfully registered with master" "$state/worker-$i.pid"
  done
  local ui
  ui="$(grep -o -E 'started at http://[^ ]+' "$state/logs/master.log" | head -n 1 | sed 's/started at //')"
  say "$workers workers of $cores cores; master UI $ui; logs in $state/logs"
  echo "$url"
}

# The executors a Worker of pid $1 started: its children, read from /proc (no procps needed).
executors_of() {
  local status pid
  for status in $(grep -l -E "^PPid:[[:space:]]+$1\$" /proc/[0-9]*/status 2>/dev/null); do
    pid="${status#/proc/}"; pid="${pid%/status}"
    is_executor "$pid" && printf '%s ' "$pid"
  done
  return 0
}

is_executor() { { tr '\0' ' ' < "/proc/$1/cmdline"; } 2>/dev/null | grep -q CoarseGrainedExecutorBackend; }

# Stops the processes of the given pid files (TERM, then KILL after 10 s) and the executors they started.
stop_all() {
  local pidfile pid pids="" children="" i running
  for pidfile in "$@"; do
    if alive "$pidfile"; then
      pid="$(cat "$pidfile")"
      pids="$pids $pid"
      children="$children $(executors_of "$pid")"
      kill "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  for i in $(seq 1 20); do
    running=0
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && running=1; done
    [ "$running" = 0 ] && break
    sleep 0.5
  done
  for pid in $pids; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in $children; do is_executor "$pid" && kill -9 "$pid" 2>/dev/null; done
  return 0
}

stop() {
  local workers=("$state"/worker-*.pid)
  if ! alive "$state/master.pid" && [ ! -f "${workers[0]}" ]; then
    say "no cluster runs ($state)"
    rm -f "$state/master.pid" "$state/master-url"
    return 0
  fi
  [ -f "${workers[0]}" ] && stop_all "${workers[@]}"
  stop_all "$state/master.pid"
  rm -f "$state/master-url"
  say "stopped ($state)"
}

case "${1:-}" in
  start) shift; [ $# -le 1 ] || die "usage: $0 start [WORKERS]"; start "${1:-2}" ;;
  stop) stop ;;
  status) alive "$state/master.pid" && cat "$state/master-url" || die "no cluster runs ($state)" ;;
  *) die "usage: $0 start [WORKERS] | status | stop" ;;
esac
