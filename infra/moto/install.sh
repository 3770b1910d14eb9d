#!/usr/bin/env bash
# Install moto (a real AWS API emulator) for Shoal's tests, without PyPI: the Debian route.
#
# Nothing is installed when the machine's python3 already has moto with its server (lib.sh
# explains the two routes); start.sh then runs that one.
#
# moto and its pure-Python dependencies come from Debian *trixie* (.deb files
# fetched with `apt-get download` against a throw-away apt configuration that
# copies this machine's own Debian mirror, then unpacked with `dpkg -x` into a
# cache folder). The compiled dependencies come from the machine's own release
# (bookworm) through a normal `apt-get install`. moto then runs on Debian's
# /usr/bin/python3 with PYTHONPATH pointing into the cache.
#
# Idempotent: if the cache already holds a working moto (marker file + import
# check) it does nothing.
#
# Environment:
#   SHOAL_CACHE   cache root (default: $HOME/.cache/shoal); moto goes in $SHOAL_CACHE/moto
#   SHOAL_MOTO_PYTHON    the Python whose moto makes this unnecessary (default python3); `none`
#                        installs the Debian copy even so
#   SHOAL_MOTO_FORCE=1   reinstall the Debian copy even if the cache looks fine
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
PY="$MOTO_DEBIAN_PY"
CACHE="$MOTO_CACHE"
ROOT="$CACHE/root"
SITE_REL="usr/lib/python3/dist-packages"
MARKER="$CACHE/installed.ok"
SUITE="trixie"

# Pure-Python (Architecture: all) packages taken from trixie. Found by trial:
# import moto.server and exercise EC2/SQS/AutoScaling/Lambda/IAM until nothing
# is missing. (bookworm's versions are too old or absent.)
TRIXIE_PKGS=(
  python3-moto
  python3-boto3 python3-botocore python3-s3transfer python3-jmespath
  python3-urllib3 python3-requests python3-responses python3-dateutil
  python3-flask python3-werkzeug python3-jinja2 python3-click
  python3-itsdangerous python3-blinker python3-flask-cors
  python3-joserfc python3-jsonpath-ng python3-ply python3-antlr4
  python3-pyparsing python3-packaging python3-typing-extensions
)
# Compiled / arch-specific (or simply new-enough) packages from the machine's
# own release, installed normally.
SYSTEM_PKGS=(
  python3 python3-cryptography python3-yaml python3-markupsafe
  python3-charset-normalizer python3-idna python3-certifi python3-six
  python3-xmltodict
)
CHECK_IMPORTS="$MOTO_CHECK_IMPORTS"  # what must import for the install to count as working
MARKER_ID="shoal-moto v1 suite=$SUITE pkgs=${TRIXIE_PKGS[*]} sys=${SYSTEM_PKGS[*]}"

log() { echo "[moto-install] $*" >&2; }
die() { echo "[moto-install] ERROR: $*" >&2; exit 1; }

check_root_dir() { # $1 = unpacked root; succeeds if moto and its server import from it
  [ -x "$PY" ] || return 1
  moto_usable "$PY" "$1/$SITE_REL"
}

if [ "${SHOAL_MOTO_FORCE:-0}" != 1 ] && exe="$(moto_python_with_moto)"; then
  log "$exe already has moto with its server; nothing to install (SHOAL_MOTO_PYTHON=none installs the Debian copy)"
  exit 0
fi

if [ "${SHOAL_MOTO_FORCE:-0}" != 1 ] && [ -f "$MARKER" ] \
   && [ "$(head -n1 "$MARKER")" = "$MARKER_ID" ] && check_root_dir "$ROOT"; then
  log "moto already installed in $ROOT ($(sed -n 2p "$MARKER")); nothing to do"
  exit 0
fi

START=$(date +%s)
log "installing moto into $CACHE"

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 && SUDO="sudo" || SUDO=""
fi

# --- 1. system packages from the machine's own release -----------------------
missing=()
for p in "${SYSTEM_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] && [ -z "$SUDO" ]; then
    die "missing Debian packages (${missing[*]}) and not root; run: apt-get install -y ${missing[*]}"
  fi
  log "apt-get install (system release): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
    log "install failed; running apt-get update and retrying"
    $SUDO apt-get update >&2 || die "apt-get update failed"
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
      || die "apt-get install ${missing[*]} failed"
  fi
else
  log "system packages already present: ${SYSTEM_PKGS[*]}"
fi
[ -x "$PY" ] || die "$PY not found after installing python3"

# --- 2. find this machine's Debian archive entry ------------------------------
CODENAME="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
# Prints "URI<TAB>SIGNED-BY" for each deb entry; the entry whose suites include
# the bare release codename comes first.
list_debian_sources() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v cn="$CODENAME" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && uris != "" && enabled != "no") {
          split(uris, u, " ");
          rank = ((" " suites " ") ~ (" " cn " ")) ? 0 : ((uris ~ /\/debian\/?( |$)/ && uris !~ /security/) ? 1 : 9);
          if (rank < 9) print rank "\t" u[1] "\t" signed;
        }
        types = uris = suites = signed = enabled = "";
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^Types:/      { sub(/^Types:[ \t]*/, "");      types = $0; next }
      /^URIs:/       { sub(/^URIs:[ \t]*/, "");       uris = $0; next }
      /^Suites:/     { sub(/^Suites:[ \t]*/, "");     suites = $0; next }
      /^Enabled:/    { sub(/^Enabled:[ \t]*/, "");    enabled = tolower($0); next }
      /^Signed-By:/  { sub(/^Signed-By:[ \t]*/, "");  if ($0 ~ /^\//) signed = $0; next }
      END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v cn="$CODENAME" '
      /^[ \t]*deb[ \t]/ {
        line = $0; signed = "";
        if (match(line, /\[[^]]*\]/)) {
          opts = substr(line, RSTART + 1, RLENGTH - 2);
          line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH);
          n = split(opts, o, /[ \t]+/);
          for (i = 1; i <= n; i++) if (o[i] ~ /^signed-by=/) { signed = o[i]; sub(/^signed-by=/, "", signed) }
        }
        split(line, w, /[ \t]+/);   # w[1]=deb w[2]=uri w[3]=suite
        rank = (w[3] == cn) ? 0 : ((w[2] ~ /\/debian\/?$/ && w[2] !~ /security/) ? 1 : 9);
        if (rank < 9) print rank "\t" w[2] "\t" signed;
      }' "$f"
  done
}
SRC_LINE="$(list_debian_sources | sort -s -t "$(printf '\t')" -k1,1n | head -n1)"
[ -n "$SRC_LINE" ] || die "no Debian archive entry found in /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources"
MIRROR="$(printf '%s' "$SRC_LINE" | cut -f2)"
KEYRING="$(printf '%s' "$SRC_LINE" | cut -f3)"
if [ -z "$KEYRING" ] && [ -f /usr/share/keyrings/debian-archive-keyring.gpg ]; then
  KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
fi
log "using this machine's Debian mirror $MIRROR (suite $SUITE${KEYRING:+, keyring $KEYRING})"

# --- 3. temporary apt configuration for trixie --------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/shoal-moto.XXXXXX")"
cleanup() { rm -rf "$TMP"; rm -rf "$CACHE/root.new"; }
trap cleanup EXIT
mkdir -p "$TMP/lists/partial" "$TMP/cache/archives/partial" "$TMP/parts" "$TMP/prefs" "$TMP/debs"
if [ -n "$KEYRING" ]; then
  echo "deb [signed-by=$KEYRING] $MIRROR $SUITE main" > "$TMP/sources.list"
else
  echo "deb $MIRROR $SUITE main" > "$TMP/sources.list"
fi
APT_OPTS=(
  -o "Dir::Etc::sourcelist=$TMP/sources.list"
  -o "Dir::Etc::sourceparts=$TMP/parts"
  -o "Dir::Etc::preferences=$TMP/prefs/none"
  -o "Dir::Etc::preferencesparts=$TMP/prefs"
  -o "Dir::State::Lists=$TMP/lists"
  -o "Dir::Cache=$TMP/cache"
  -o "APT::Default-Release="
  -o "Acquire::Retries=3"
)
if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
  chown -R _apt "$TMP/lists" "$TMP/debs" 2>/dev/null || true  # lets apt's sandbox user write
fi

log "apt-get update ($SUITE, temporary lists in $TMP; the machine's apt state is untouched)"
apt-get "${APT_OPTS[@]}" update >"$TMP/update.log" 2>&1 || { cat "$TMP/update.log" >&2; die "apt-get update for $SUITE failed"; }

log "apt-get download from $SUITE: ${TRIXIE_PKGS[*]}"
( cd "$TMP/debs" && apt-get "${APT_OPTS[@]}" download "${TRIXIE_PKGS[@]}" ) >"$TMP/download.log" 2>&1 \
  || { cat "$TMP/download.log" >&2; die "apt-get download from $SUITE failed"; }

# --- 4. unpack into the cache --------------------------------------------------
mkdir -p "$CACHE"
rm -rf "$CACHE/root.new"
mkdir -p "$CACHE/root.new"
VERSIONS=()
for deb in "$TMP"/debs/*.deb; do
  dpkg -x "$deb" "$CACHE/root.new" || die "dpkg -x $deb failed"
  VERSIONS+=("$(dpkg-deb -f "$deb" Package)=$(dpkg-deb -f "$deb" Version)")
done
log "unpacked ${#VERSIONS[@]} packages: ${VERSIONS[*]}"
[ -d "$CACHE/root.new/$SITE_REL/moto" ] || die "moto not found under $CACHE/root.new/$SITE_REL after unpacking"

# Byte-compile with this python: also proves every file parses on $("$PY" -V 2>&1).
log "byte-compiling with $PY ($("$PY" -V 2>&1))"
"$PY" -m compileall -q -j 0 "$CACHE/root.new/$SITE_REL" >"$TMP/compile.log" 2>&1 \
  || { tail -n 30 "$TMP/compile.log" >&2; die "some trixie module does not compile on $("$PY" -V 2>&1)"; }

log "checking imports: $CHECK_IMPORTS"
if ! PYTHONPATH="$CACHE/root.new/$SITE_REL" "$PY" -c "$CHECK_IMPORTS"; then
  die "moto does not import from $CACHE/root.new (see the traceback above)"
fi

rm -rf "$CACHE/root.old"
[ -d "$ROOT" ] && mv "$ROOT" "$CACHE/root.old"
mv "$CACHE/root.new" "$ROOT"
rm -rf "$CACHE/root.old"
{
  echo "$MARKER_ID"
  echo "moto $(PYTHONPATH="$ROOT/$SITE_REL" "$PY" -c 'import moto; print(moto.__version__)')"
  printf '%s\n' "${VERSIONS[@]}"
} > "$MARKER"
log "done in $(( $(date +%s) - START ))s: moto $(sed -n 2p "$MARKER" | cut -d' ' -f2) in $ROOT"
log "run: PYTHONPATH=$ROOT/$SITE_REL $PY -m moto.server -H 127.0.0.1 -p PORT  (or infra/moto/start.sh)"
