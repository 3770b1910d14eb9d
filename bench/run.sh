#!/usr/bin/env bash
# Benchmarks with a stable interface: bench/run.sh MODE [options]. Each mode builds what it
# needs and ends with "name: value" lines. Modes: local, queue, scale, burst, chaos, fairness, payload, taskdb.
set -euo pipefail
mode=${1:-}
[ $# -gt 0 ] && shift
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build() {
  mvn -q -B -DskipTests -pl bench -am package
}
classpath="$root/bench/target/shoal-bench-0.1.0-SNAPSHOT.jar:$root/bench/target/lib/*"
case "$mode" in
  local)
    build
    exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" dev.shoal.bench.LocalBench "$@"
    ;;
  queue)
    build
    exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" dev.shoal.bench.QueueBench "$@"
    ;;
  scale)
    build
    exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" dev.shoal.bench.ScaleBench "$@"
    ;;
  burst)
    build
    exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" dev.shoal.bench.BurstBench "$@"
    ;;
  chaos)
    build
    exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" dev.shoal.bench.ChaosBench "$@"
    ;;
  fairness)
    build
    exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" dev.shoal.bench.FairnessBench "$@"
    ;;
  taskdb)
    build
    exec java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" dev.shoal.bench.TaskDbBench "$@"
    ;;
  requests)
    build
    exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" dev.shoal.bench.RequestCountBench "$@"
    ;;
  payload)
    build
    # Room for a 100 MB payload as text, bytes and JSON at once.
    exec java -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" dev.shoal.bench.PayloadBench "$@"
    ;;
  *)
    echo "usage: bench/run.sh MODE [options]; modes: local, queue, scale, burst, chaos, fairness, payload, taskdb, requests" >&2
    exit 2
    ;;
esac
