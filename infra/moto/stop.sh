#!/usr/bin/env bash
# Stop the moto server started by start.sh (pid in $SHOAL_CACHE/moto/server.pid), whichever
# Python ran it: the pid is the interpreter's own in both routes of lib.sh.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
CACHE="$MOTO_CACHE"
PIDF="$CACHE/server.pid"

log() { echo "[moto-stop] $*" >&2; }

if [ ! -f "$PIDF" ]; then
  log "no pid file ($PIDF); nothing to stop"
  exit 0
fi
PID="$(cat "$PIDF" 2>/dev/null || true)"
# Only signal the pid if it still is a moto server (pids get reused).
if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null \
   && tr '\0' ' ' < "/proc/$PID/cmdline" 2>/dev/null | grep -q "moto.server"; then
  kill "$PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$PID" 2>/dev/null; then
    log "pid $PID still alive after 5s; sending SIGKILL"
    kill -9 "$PID" 2>/dev/null || true
  fi
  log "stopped moto (pid $PID)"
else
  log "pid ${PID:-?} is not a running moto server; cleaning up files"
fi
rm -f "$PIDF" "$CACHE/server.port" "$CACHE/server.env"
