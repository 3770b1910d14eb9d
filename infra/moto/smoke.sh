#!/usr/bin/env bash
# Run smoke_test.py against the moto server of start.sh (started if not running), with the boto3
# of the same Python that start.sh would run moto with.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
export "$("$HERE/start.sh")"
moto_pick || { echo "[moto-smoke] ERROR: no usable moto (and boto3) found" >&2; exit 1; }
PYTHONPATH="$MOTO_PYTHONPATH" "$MOTO_PY" "$HERE/smoke_test.py"
