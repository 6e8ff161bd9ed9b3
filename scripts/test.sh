#!/usr/bin/env bash
# The README's test command: every test (Rust unit and integration tests, the
# C programs and examples, make install + pkg-config, the Python suite).
#
# Needs Rust, a C compiler and Python 3; installs the rest when missing:
#   * make, pkg-config, curl, openssl, mosquitto, mosquitto-clients, chrony,
#     iproute2 (and
#     python3-venv for Debian's python3): with apt-get,
#     when run as root on Debian/Ubuntu; otherwise it says what to install;
#   * the Python packages the tests use (pytest, cffi, and the independent
#     peers websockets, wsproto, paho-mqtt and pymodbus): with pip into the
#     Python that runs the tests; if pip refuses (an "externally managed"
#     distribution Python), into a venv under target/py-venv, or
#     pip --user --break-system-packages, or the distribution's python3-* packages.
# Set PYTHON to test with another interpreter (default: python3).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=target/py-venv
log=$(mktemp)
trap 'rm -f "$log"' EXIT

say() { echo "test.sh: $*" >&2; }

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
apt_install() {
    say "installing $* (apt-get)"
    if [ -z "${apt_updated:-}" ]; then
        apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; return 1; }
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$log" 2>&1 || { cat "$log" >&2; return 1; }
}

# --- system tools ---------------------------------------------------------
missing=()
for tool in make pkg-config curl openssl; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
# Independent peers the protocol tests start on loopback ports: the Mosquitto
# broker and its command-line clients (MQTT), chronyd (SNTP).
[ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null || missing+=(mosquitto)
command -v mosquitto_sub >/dev/null || missing+=(mosquitto-clients)
[ -x /usr/sbin/chronyd ] || command -v chronyd >/dev/null || missing+=(chrony)
# The mDNS tests run in a private network namespace (unshare -n) and set up
# its loopback with ip.
command -v ip >/dev/null || [ -x /usr/sbin/ip ] || missing+=(iproute2)
# `python3 -m venv` (used by the pip-install test) needs ensurepip, which
# Debian ships separately.
if ! "$PY" -c 'import ensurepip, venv; ensurepip.version()' 2>/dev/null; then
    missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
    if can_apt; then
        apt_install "${missing[@]}"
    else
        say "missing: ${missing[*]}; install them with your package manager"
        exit 1
    fi
fi

# --- Python packages --------------------------------------------------------
PYDEPS=(pytest cffi websockets wsproto paho-mqtt pymodbus)
PYMODS=pytest,cffi,websockets,wsproto,paho.mqtt.client,pymodbus
has_deps() { "$1" -c "import $PYMODS" 2>/dev/null; }
pip_install() {
    local py=$1
    shift
    "$py" -m pip install --quiet --disable-pip-version-check "$@" "${PYDEPS[@]}" >"$log" 2>&1
}

if ! has_deps "$PY"; then
    if [ -x "$VENV/bin/python" ] && has_deps "$VENV/bin/python"; then
        say "using $VENV (${PYDEPS[*]} were installed there before)"
        PY=$VENV/bin/python
    elif pip_install "$PY"; then
        say "installed ${PYDEPS[*]} for $PY (pip)"
    elif "$PY" -m venv "$VENV" >>"$log" 2>&1 && pip_install "$VENV/bin/python"; then
        say "pip would not install into $PY; installed ${PYDEPS[*]} into $VENV"
        PY=$VENV/bin/python
    elif pip_install "$PY" --user --break-system-packages; then
        say "installed ${PYDEPS[*]} for $PY (pip --user --break-system-packages)"
    elif can_apt && apt_install "${PYDEPS[@]/#/python3-}"; then
        :
    else
        cat "$log" >&2
        say "could not install ${PYDEPS[*]} for $PY"
        exit 1
    fi
    has_deps "$PY" || { say "${PYDEPS[*]}: not all importable by $PY"; exit 1; }
fi

# --- the tests --------------------------------------------------------------
cargo build && cargo test && "$PY" -m pytest -q tests/python
