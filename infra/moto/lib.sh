# Sourced by the scripts here: where moto's files live and which Python runs it.
#
# Two ways to have moto, in this order:
#   1. a Python that already has moto with its server (flask etc.), e.g. the python3 on PATH of a
#      machine where `pip install 'moto[server]'` was done: nothing to install;
#   2. the Debian route of install.sh: moto from trixie's .deb files unpacked into the cache, run by
#      Debian's /usr/bin/python3 with PYTHONPATH pointing into the cache.
#
# Environment:
#   SHOAL_CACHE         cache root (default: $HOME/.cache/shoal); moto's files go in $SHOAL_CACHE/moto
#   SHOAL_MOTO_PYTHON   the Python to try first (default: python3 on PATH); `none` skips it, so the
#                       Debian route is used even when that Python has moto

MOTO_CACHE="${SHOAL_CACHE:-$HOME/.cache/shoal}/moto"
MOTO_DEBIAN_PY=/usr/bin/python3
MOTO_DEBIAN_SITE="$MOTO_CACHE/root/usr/lib/python3/dist-packages"

# Modules that must import for a moto to count as usable: the services Shoal's tests call.
MOTO_CHECK_IMPORTS="import moto, moto.server, moto.ec2.models, moto.sqs.models, moto.autoscaling.models, moto.awslambda.models, moto.awslambda_simple.models, moto.iam.models, moto.sts.models, moto.s3.models, boto3"

# moto_usable PYTHON [PYTHONPATH]: the services import and `-m moto.server` runs (it needs flask,
# which `pip install moto` without the [server] extra does not bring).
moto_usable() {
  local py="$1" path="${2:-${PYTHONPATH:-}}"
  PYTHONPATH="$path" "$py" -c "$MOTO_CHECK_IMPORTS" >/dev/null 2>&1 \
    && PYTHONPATH="$path" "$py" -m moto.server --help >/dev/null 2>&1
}

# moto_python_with_moto: prints the interpreter (resolved through sys.executable, so no pyenv shim
# sits in front of the server's pid) of SHOAL_MOTO_PYTHON if its moto is usable; fails otherwise.
moto_python_with_moto() {
  local candidate="${SHOAL_MOTO_PYTHON:-python3}" exe
  [ "$candidate" != none ] || return 1
  command -v "$candidate" >/dev/null 2>&1 || return 1
  exe="$("$candidate" -c 'import sys; print(sys.executable)' 2>/dev/null)" || return 1
  [ -n "$exe" ] && [ -x "$exe" ] && moto_usable "$exe" && echo "$exe"
}

# moto_pick: sets MOTO_PY (the interpreter), MOTO_PYTHONPATH (what it runs with) and MOTO_FROM (for
# logs) to the first usable moto of the two routes; fails if neither is usable yet.
moto_pick() {
  local exe
  if exe="$(moto_python_with_moto)"; then
    MOTO_PY="$exe"
    MOTO_PYTHONPATH="${PYTHONPATH:-}"
    MOTO_FROM="$exe"
  elif [ -x "$MOTO_DEBIAN_PY" ] && [ -d "$MOTO_DEBIAN_SITE/moto" ] \
       && moto_usable "$MOTO_DEBIAN_PY" "$MOTO_DEBIAN_SITE"; then
    MOTO_PY="$MOTO_DEBIAN_PY"
    MOTO_PYTHONPATH="$MOTO_DEBIAN_SITE"
    MOTO_FROM="Debian's packages in $MOTO_CACHE/root"
  else
    return 1
  fi
  MOTO_VERSION="$(PYTHONPATH="$MOTO_PYTHONPATH" "$MOTO_PY" -c 'import moto; print(moto.__version__)' 2>/dev/null || echo '?')"
}
