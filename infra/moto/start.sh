#!/usr/bin/env bash
# Start moto's server in the background on 127.0.0.1 and wait until it answers.
#
#   infra/moto/start.sh [port]      (a free port is picked if none is given)
#
# stdout: exactly one line, MOTO_ENDPOINT=http://127.0.0.1:<port>
#         (so `export "$(infra/moto/start.sh)"` works); progress goes to stderr.
# Files (in $SHOAL_CACHE/moto, default ~/.cache/shoal/moto):
#   server.port  the port      server.pid  the pid      server.log  moto's log
#   server.env   MOTO_ENDPOINT=... line, for `source`
# Which moto runs (lib.sh): the machine's python3's, if it has moto with its server; else the
# Debian copy in the cache, which install.sh installs first if it is missing.
#
# Environment:
#   SHOAL_CACHE                 cache root (default $HOME/.cache/shoal)
#   SHOAL_MOTO_PYTHON           the Python to try first (default python3; `none`: the Debian copy)
#   SHOAL_MOTO_START_TIMEOUT    seconds to wait for the server (default 60)
#   SHOAL_MOTO_LAMBDA_DOCKER=1  keep moto's Docker-based Lambda Invoke; by default
#                               the server is switched to moto's docker-less Lambda
#                               backend ("lambda": {"use_docker": false}) at startup.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
CACHE="$MOTO_CACHE"
PIDF="$CACHE/server.pid"
PORTF="$CACHE/server.port"
ENVF="$CACHE/server.env"
LOGF="$CACHE/server.log"
TIMEOUT="${SHOAL_MOTO_START_TIMEOUT:-60}"

log() { echo "[moto-start] $*" >&2; }
die() { echo "[moto-start] ERROR: $*" >&2; exit 1; }

is_moto_pid() { # $1 pid: alive and really our moto server?
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -q "moto.server"
}
answers() { # $1 port. Any Python does (urllib only): moto's once picked, else the machine's.
  local py="${MOTO_PY:-$(command -v python3 || echo "$MOTO_DEBIAN_PY")}"
  "$py" - "$1" <<'EOF' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/moto-api/" % sys.argv[1], timeout=2).read()
EOF
}

PORT="${1:-}"
if [ -n "$PORT" ] && ! [[ "$PORT" =~ ^[0-9]+$ ]]; then die "port must be a number, got '$PORT'"; fi

# Already running? Reuse it if it is the one asked for, whichever moto it runs.
if [ -f "$PIDF" ]; then
  OLD_PID="$(cat "$PIDF" 2>/dev/null || true)"
  OLD_PORT="$(cat "$PORTF" 2>/dev/null || true)"
  if is_moto_pid "$OLD_PID" && [ -n "$OLD_PORT" ] && answers "$OLD_PORT"; then
    if [ -z "$PORT" ] || [ "$PORT" = "$OLD_PORT" ]; then
      log "moto already running (pid $OLD_PID, port $OLD_PORT); reusing it"
      echo "MOTO_ENDPOINT=http://127.0.0.1:$OLD_PORT"
      exit 0
    fi
    die "moto already running on port $OLD_PORT (pid $OLD_PID); run infra/moto/stop.sh first"
  fi
  rm -f "$PIDF" "$PORTF" "$ENVF"
fi

if ! moto_pick; then
  log "no usable moto in ${SHOAL_MOTO_PYTHON:-python3} nor in $CACHE; installing the Debian copy"
  "$HERE/install.sh" >&2 || die "install.sh failed"
  moto_pick || die "moto does not import from $CACHE even after install.sh"
fi
mkdir -p "$CACHE"

if [ -z "$PORT" ]; then
  PORT="$("$MOTO_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
fi

log "starting moto $MOTO_VERSION ($MOTO_FROM) on 127.0.0.1:$PORT (log: $LOGF)"
T0=$(date +%s%N)
# setsid + nohup: the server outlives this script and its terminal. Its pid is the interpreter's
# own (no shim in between), which stop.sh signals.
PYTHONPATH="$MOTO_PYTHONPATH" setsid nohup "$MOTO_PY" -m moto.server -H 127.0.0.1 -p "$PORT" >"$LOGF" 2>&1 < /dev/null &
PID=$!
echo "$PID" > "$PIDF"

deadline=$(( $(date +%s) + TIMEOUT ))
while true; do
  if ! kill -0 "$PID" 2>/dev/null; then
    tail -n 30 "$LOGF" >&2 || true
    rm -f "$PIDF"
    die "moto server exited during startup (port $PORT in use?); log above"
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    tail -n 30 "$LOGF" >&2 || true
    kill "$PID" 2>/dev/null || true
    rm -f "$PIDF"
    die "moto server did not answer on port $PORT within ${TIMEOUT}s"
  fi
  # answered, and our process is still the one alive (not another program on the port)
  if answers "$PORT" && kill -0 "$PID" 2>/dev/null; then break; fi
  sleep 0.2
done
MS=$(( ($(date +%s%N) - T0) / 1000000 ))

if [ "${SHOAL_MOTO_LAMBDA_DOCKER:-0}" != 1 ]; then
  # No Docker here: use moto's docker-less Lambda backend, whose Invoke returns
  # a canned result instead of failing with HTTP 500. Must happen before any
  # Lambda call (the two backends keep separate state).
  "$MOTO_PY" - "$PORT" <<'EOF' >&2 || die "could not set moto's lambda config"
import sys, urllib.request
req = urllib.request.Request("http://127.0.0.1:%s/moto-api/config" % sys.argv[1],
                             data=b'{"lambda": {"use_docker": false}}', method="POST")
urllib.request.urlopen(req, timeout=5).read()
EOF
fi

echo "$PORT" > "$PORTF"
echo "MOTO_ENDPOINT=http://127.0.0.1:$PORT" > "$ENVF"
log "moto up in ${MS}ms: pid $PID (in $PIDF), port $PORT (in $PORTF)"
echo "MOTO_ENDPOINT=http://127.0.0.1:$PORT"
