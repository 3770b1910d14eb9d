#!/usr/bin/env bash
# Benchmarks with a stable interface: bench/run.sh MODE [options]. Each mode builds what it
# needs and ends with "name: value" lines. Modes: local, queue, scale, burst, chaos, fairness, payload, taskdb, requests,
# throughput-vs-workers, sustained, pi-scaling, utilization. Modes that plot (scale, payload and the last four)
# write a PNG to bench/results/plots/MODE.png unless given --plot PATH.
set -euo pipefail
mode=${1:-}
[ $# -gt 0 ] && shift
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build() {
  mvn -q -B -DskipTests -pl bench -am package
}
classpath="$root/bench/target/shoal-bench-0.1.0-SNAPSHOT.jar:$root/bench/target/lib/*"
# Plots are rendered without a display.
java_opts=(-Djava.awt.headless=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
case "$mode" in
  local)
    build
    exec java -Xmx1g "${java_opts[@]}" -cp "$classpath" dev.shoal.bench.LocalBench "$@"
    ;;
  queue)
    build
    exec java -Xmx1g "${java_opts[@]}" -cp "$classpath" dev.shoal.bench.QueueBench "$@"
    ;;
  scale)
    build
    exec java -Xmx1g "${java_opts[@]}" -cp "$classpath" dev.shoal.bench.ScaleBench "$@"
    ;;
  burst)
    build
    exec java -Xmx1g "${java_opts[@]}" -cp "$classpath" dev.shoal.bench.BurstBench "$@"
    ;;
  chaos)
    build
    exec java -Xmx1g "${java_opts[@]}" -cp "$classpath" dev.shoal.bench.ChaosBench "$@"
    ;;
  fairness)
    build
    exec java -Xmx1g "${java_opts[@]}" -cp "$classpath" dev.shoal.bench.FairnessBench "$@"
    ;;
  taskdb)
    build
    exec java -Xmx2g "${java_opts[@]}" -cp "$classpath" dev.shoal.bench.TaskDbBench "$@"
    ;;
  requests)
    build
    exec java -Xmx1g "${java_opts[@]}" -cp "$classpath" dev.shoal.bench.RequestCountBench "$@"
    ;;
  payload)
    build
    # Room for a 100 MB payload as text, bytes and JSON at once.
    exec java -Xmx4g "${java_opts[@]}" -cp "$classpath" dev.shoal.bench.PayloadBench "$@"
    ;;
  throughput-vs-workers)
    build
    exec java -Xmx1g "${java_opts[@]}" -cp "$classpath" dev.shoal.bench.ThroughputBench "$@"
    ;;
  sustained)
    build
    # The whole backlog is in flight at once: the kernel's task records and ElasticMQ's messages.
    exec java -Xmx2g "${java_opts[@]}" -cp "$classpath" dev.shoal.bench.SustainedBench "$@"
    ;;
  pi-scaling)
    build
    exec java -Xmx1g "${java_opts[@]}" -cp "$classpath" dev.shoal.bench.PiBench "$@"
    ;;
  utilization)
    build
    exec java -Xmx1g "${java_opts[@]}" -cp "$classpath" dev.shoal.bench.UtilizationBench "$@"
    ;;
  *)
    echo "usage: bench/run.sh MODE [options]; modes: local, queue, scale, burst, chaos, fairness, payload, taskdb," \
      "requests, throughput-vs-workers, sustained, pi-scaling, utilization" >&2
    exit 2
    ;;
esac
