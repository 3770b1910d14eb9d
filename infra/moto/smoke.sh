#!/usr/bin/env bash
# Run smoke_test.py against the moto server of start.sh (started if not running).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${SHOAL_CACHE:-$HOME/.cache/shoal}/moto"
export "$("$HERE/start.sh")"
PYTHONPATH="$CACHE/root/usr/lib/python3/dist-packages" /usr/bin/python3 "$HERE/smoke_test.py"
