#!/usr/bin/env bash
# mongoose-rs benchmark suite (issue 7). Not part of the test suite.
#
#   bench/run.sh [--install] [--wait-idle] [bench.py options...]
#
#   --install     apt-get/pip install what the suite needs (wrk, nginx-light,
#                 libcivetweb-dev, cymongoose) before running
#   --wait-idle   wait up to WAIT_MAX seconds (default 900) for the 1-minute
#                 load average to drop below WAIT_LOAD (default 0.7)
#   bench.py options: --rounds N (3), --duration S (5), --warmup S (2),
#                 --scenarios abcde, --peers nginx,civetweb, --idle N (10000)
#
# Builds the release library into $CARGO_TARGET_DIR (default /work/tgt-bench),
# the servers into a temp dir, runs the scenarios and prints a markdown table;
# the table is also written to bench/results/last.md (+ raw last.json).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/tgt-bench}
LIBDIR=$CARGO_TARGET_DIR/release
CMDLINE="bench/run.sh $*"

install=0
wait_idle=0
args=()
for a in "$@"; do
  case "$a" in
    --install) install=1 ;;
    --wait-idle) wait_idle=1 ;;
    *) args+=("$a") ;;
  esac
done

if [ "$install" = 1 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light libcivetweb-dev iproute2 util-linux
  python3 -m pip install -q cymongoose
fi
for tool in wrk nginx taskset ss gcc; do
  command -v "$tool" >/dev/null || { echo "missing $tool (try bench/run.sh --install)" >&2; exit 1; }
done
[ -f /usr/include/civetweb.h ] || { echo "missing libcivetweb-dev (try --install)" >&2; exit 1; }
python3 -c 'import cymongoose' 2>/dev/null || { echo "missing cymongoose (try --install)" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "needs 2 CPUs (server on 0, wrk on 1)" >&2; exit 1; }

# 10,000 idle connections + wrk: raise the descriptor limit for everything below.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ]; then
  echo "ulimit -n is $(ulimit -n); scenario (d) needs > 10100" >&2
  exit 1
fi

echo "building the release library into $LIBDIR" >&2
(cd "$ROOT" && cargo build --release -q)

WORK=$(mktemp -d /tmp/mg-bench.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$WORK/root"
chmod 755 "$WORK" "$WORK/root"  # nginx workers run as nobody
head -c 1048576 /dev/urandom >"$WORK/root/1mb.bin"
chmod 644 "$WORK/root/1mb.bin"
CFLAGS="-std=c99 -Wall -Wextra -O2 -g -D_DEFAULT_SOURCE"
gcc $CFLAGS -I"$ROOT/include" "$HERE/servers/hello.c" -o "$WORK/hello" \
  -L"$LIBDIR" -Wl,-rpath,"$LIBDIR" -lmongoose -lpthread
gcc $CFLAGS "$HERE/servers/civet.c" -o "$WORK/civet" -lcivetweb

if [ "$wait_idle" = 1 ]; then
  limit=${WAIT_LOAD:-0.7}
  deadline=$((SECONDS + ${WAIT_MAX:-900}))
  while :; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$load" -v m="$limit" 'BEGIN{exit !(l < m)}'; then break; fi
    if [ $SECONDS -ge $deadline ]; then
      echo "load average still $load after ${WAIT_MAX:-900}s; running anyway" >&2
      break
    fi
    echo "load average $load >= $limit; waiting" >&2
    sleep 30
  done
fi

mkdir -p "$HERE/results"
MONGOOSE_LIB="$LIBDIR" python3 "$HERE/bench.py" --workdir "$WORK" --command "$CMDLINE" \
  --out "$HERE/results/last.md" --json "$HERE/results/last.json" "${args[@]}"
