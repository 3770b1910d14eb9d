#!/usr/bin/env bash
# Builds what the demo needs and runs the pi example: bash demo.sh [--tasks N] [--samples S]
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
mvn -q -B -DskipTests -pl examples -am package
exec java -cp "$root/examples/target/shoal-examples-0.1.0-SNAPSHOT.jar:$root/examples/target/lib/*" \
  dev.shoal.examples.PiDemo "$@"
