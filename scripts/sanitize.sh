#!/usr/bin/env bash
# Memory-safety checks for the C ABI (project issue 7, item 6).
#
#   scripts/sanitize.sh [--release] [--rust-asan] [--no-asan] [--no-valgrind]
#                       [--no-examples] [NAME...]
#
# 1. cargo build (debug by default; --release for the release profile)
# 2. ASan+UBSan: every tests/c/*.c compiled with
#    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
#    and linked against libmongoose.a (the Rust code is not instrumented, but
#    every malloc/free goes through the ASan interceptors, and LeakSanitizer
#    sees the library's allocations), run with detect_leaks=1.
#    --rust-asan also instruments the Rust crate (needs a nightly toolchain:
#    cargo +nightly, RUSTFLAGS=-Zsanitizer=address; std stays uninstrumented),
#    so reads/writes done *inside* the library through a dangling pointer a
#    C caller passed in are caught too, not only by valgrind.
# 3. valgrind memcheck: every tests/c/*.c built as tests/c_programs.rs builds
#    it (shared library), run under valgrind; errors and definite leaks fail,
#    other leak kinds are reported as notes.
# 4. The c-examples under both tools: timers runs on its own; the servers are
#    driven with curl / bash /dev/tcp (websocket-server by websocket-client),
#    then stopped with SIGTERM and must exit 0.
#
# NAME... restricts the run to programs whose name contains one of the words
# (test_fmt, http, timers...). Environment:
#   CARGO_TARGET_DIR           honoured (as cargo does)
#   SANITIZE_TIMEOUT_ASAN      per-program limit in seconds (default 300)
#   SANITIZE_TIMEOUT_VALGRIND  per-program limit in seconds (default 900)
#   SANITIZE_XFAIL             "stage:name ..." (stage = asan|valgrind|example-asan|
#                              example-valgrind): a *test assertion* failure of
#                              that program (exit 1, no sanitizer/memcheck
#                              report) is reported as XFAIL instead of FAIL.
#                              Sanitizer findings always fail. Empty by default.
#   ASAN_OPTIONS/UBSAN_OPTIONS appended to (and override) the defaults below.
# Logs: <target>/sanitize/. Exit status: 0 if everything passed, 1 otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PROFILE=debug
RUST_ASAN=0
DO_ASAN=1 DO_VALGRIND=1 DO_EXAMPLES=1
FILTERS=()
for arg in "$@"; do
  case "$arg" in
    --release) PROFILE=release ;;
    --rust-asan) RUST_ASAN=1 ;;
    --no-asan) DO_ASAN=0 ;;
    --no-valgrind) DO_VALGRIND=0 ;;
    --no-examples) DO_EXAMPLES=0 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "unknown option: $arg" >&2; exit 2 ;;
    *) FILTERS+=("$arg") ;;
  esac
done

T_ASAN=${SANITIZE_TIMEOUT_ASAN:-300}
T_VG=${SANITIZE_TIMEOUT_VALGRIND:-900}
XFAIL=" ${SANITIZE_XFAIL:-} "
CC=${CC:-cc}
START=$(date +%s)

# exitcode=86 tells a sanitizer report from a test's own exit 1.
# allocator_may_return_null=1: tests check that an impossible allocation
# (mg_iobuf_resize(io, SIZE_MAX / 2)) fails cleanly, as C allows malloc to
# return NULL; ASan's default is to abort there. The "failed to allocate"
# warnings it prints instead are not reports.
ASAN_DEFAULTS="detect_leaks=1:detect_stack_use_after_return=1:allocator_may_return_null=1:exitcode=86"
UBSAN_DEFAULTS="print_stacktrace=1:halt_on_error=1:exitcode=86"
export ASAN_OPTIONS="$ASAN_DEFAULTS${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="$UBSAN_DEFAULTS${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
SAN_REPORT='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|Sanitizer CHECK failed'

VG_SUPP="$ROOT/scripts/valgrind.supp"
VALGRIND=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
  --show-leak-kinds=definite,indirect,possible --num-callers=40 --fair-sched=yes
  --track-origins=yes --gen-suppressions=all)
[[ -f "$VG_SUPP" ]] && VALGRIND+=("--suppressions=$VG_SUPP")

CFLAGS=(-std=c99 -Wall -Wextra -Werror -g -D_DEFAULT_SOURCE -I "$ROOT/include" -I "$ROOT/tests/c")
SANFLAGS=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
STATIC_LIBS=(-lpthread -ldl -lm -lrt -lutil -lgcc_s)

RESULTS=()   # "STATUS|stage|name|seconds|note"
FAILED_LOGS=()
PASS=0 FAIL=0 XFAILN=0 SKIP=0 NOTES=0

say() { printf '%s\n' "$*"; }
wanted() {
  local n=$1 f
  ((${#FILTERS[@]} == 0)) && return 0
  for f in "${FILTERS[@]}"; do [[ "$n" == *"$f"* ]] && return 0; done
  return 1
}
record() {  # status stage name secs note [log]
  RESULTS+=("$1|$2|$3|$4|$5")
  case "$1" in
    PASS) PASS=$((PASS + 1)) ;;
    XFAIL) XFAILN=$((XFAILN + 1)) ;;
    SKIP) SKIP=$((SKIP + 1)) ;;
    *) FAIL=$((FAIL + 1)); [[ -n "${6:-}" ]] && FAILED_LOGS+=("$2 $3|$6") ;;
  esac
  [[ -n "$5" && "$1" == PASS ]] && NOTES=$((NOTES + 1))
  printf '%-5s %-16s %-22s %6ss  %s\n' "$1" "$2" "$3" "$4" "$5"
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Classify a finished run. $1 stage, $2 name, $3 exit code, $4 start time,
# $5 program log, $6 valgrind log (or ""), $7 extra failure note (driver).
classify() {
  local stage=$1 name=$2 rc=$3 t0=$4 log=$5 vglog=$6 extra=${7:-} secs note="" status=PASS
  secs=$(elapsed "$t0")
  local tool_report=0
  if [[ -n "$vglog" ]]; then
    local errs
    errs=$(grep -h 'ERROR SUMMARY:' "$vglog".* 2>/dev/null | awk '{ s += $4 } END { print s + 0 }' || true)
    ((errs > 0 || rc == 99)) && { tool_report=1; note="memcheck: $errs error(s)"; }
    # Other leak kinds: reported, not failures.
    local kinds
    kinds=$(grep -hE '(indirectly lost|possibly lost|still reachable):' "$vglog".* 2>/dev/null |
      awk '$(NF-4) != "0" { sub(/^==[0-9]+== +/, ""); printf "%s; ", $0 }' || true)
    [[ -n "$kinds" ]] && note="${note:+$note; }leaks (not failing): ${kinds%; }"
  else
    if grep -qE "$SAN_REPORT" "$log" 2>/dev/null || ((rc == 86)); then
      tool_report=1
      note="$(grep -m1 -oE "$SAN_REPORT.*" "$log" | cut -c1-100 || true)"
    fi
  fi
  if ((tool_report)); then
    status=FAIL
  elif ((rc == 124 || rc == 137)); then
    status=FAIL note="timeout"
  elif ((rc != 0)) || [[ -n "$extra" ]]; then
    status=FAIL
    note="${note:+$note; }exit $rc${extra:+; $extra}"
    [[ "$XFAIL" == *" $stage:$name "* ]] && status=XFAIL note="$note (allowed by SANITIZE_XFAIL)"
  fi
  local logs="$log"
  [[ -n "$vglog" ]] && logs="$log $(ls "$vglog".* 2>/dev/null | tr '\n' ' ' || true)"
  record "$status" "$stage" "$name" "$secs" "$note" "$logs"
}

# ---------------------------------------------------------------- 1. build --
say "== cargo build ($PROFILE)"
BUILD_FLAGS=()
[[ $PROFILE == release ]] && BUILD_FLAGS=(--release)
cargo build "${BUILD_FLAGS[@]}"
TARGET=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
LIB="$TARGET/$PROFILE"
[[ -f "$LIB/libmongoose.a" && -f "$LIB/libmongoose.so" ]] || { echo "no library in $LIB" >&2; exit 1; }
OUT="$TARGET/sanitize"
rm -rf "$OUT"
mkdir -p "$OUT/asan" "$OUT/valgrind" "$OUT/examples" "$OUT/canary"

# The library the ASan stages link: plain, or built with the Rust side
# instrumented as well (separate target dir: different RUSTFLAGS).
ASAN_LIB="$LIB"
if ((DO_ASAN && RUST_ASAN)); then
  say "== cargo +nightly build, -Zsanitizer=address ($PROFILE)"
  HOST=$(rustc -vV | sed -n 's/^host: //p')
  RUSTFLAGS="${RUSTFLAGS:-} -Zsanitizer=address" CARGO_TARGET_DIR="$TARGET/sanitize-rust-asan" \
    cargo +nightly build "${BUILD_FLAGS[@]}" --target "$HOST"
  ASAN_LIB="$TARGET/sanitize-rust-asan/$HOST/$PROFILE"
fi

have_valgrind=1
command -v valgrind >/dev/null || have_valgrind=0

# ------------------------------------------------------ tool self-check ----
# A deliberate leak and overflow must be caught, otherwise a green run means
# nothing (e.g. LeakSanitizer cannot run under some ptrace restrictions).
cat >"$OUT/canary/canary.c" <<'EOF'
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  char *p = malloc(16);
  (void) argv;
  if (argc > 1) p[16] = 'x';  /* heap overflow */
  memset(p, 0, 16);
  p = NULL;                   /* leak */
  return 0;
}
EOF
canary_ok() {
  local what=$1; shift
  if "$@" >"$OUT/canary/$what.log" 2>&1; then
    echo "self-check failed: $what was not detected (see $OUT/canary/$what.log)" >&2
    return 1
  fi
}
if ((DO_ASAN)); then
  $CC -g "${SANFLAGS[@]}" "$OUT/canary/canary.c" -o "$OUT/canary/canary-asan"
  canary_ok asan-leak "$OUT/canary/canary-asan"
  canary_ok asan-overflow "$OUT/canary/canary-asan" x
fi
if ((DO_VALGRIND && have_valgrind)); then
  $CC -g "$OUT/canary/canary.c" -o "$OUT/canary/canary"
  canary_ok valgrind-leak "${VALGRIND[@]}" -q "$OUT/canary/canary"
fi

mapfile -t SOURCES < <(ls "$ROOT"/tests/c/*.c | sort)

# ------------------------------------------------------ 2. ASan + UBSan ----
if ((DO_ASAN)); then
  say "== ASan+UBSan: tests/c/*.c, static library$( ((RUST_ASAN)) && echo ' (Rust instrumented too)'), ASAN_OPTIONS=$ASAN_OPTIONS"
  for src in "${SOURCES[@]}"; do
    name=$(basename "$src" .c)
    wanted "$name" || continue
    exe="$OUT/asan/$name" log="$OUT/asan/$name.log"
    if ! $CC "${CFLAGS[@]}" "${SANFLAGS[@]}" "$src" -o "$exe" "$ASAN_LIB/libmongoose.a" "${STATIC_LIBS[@]}" \
      >"$log.cc" 2>&1; then
      record FAIL asan "$name" 0 "compile error" "$log.cc"
      continue
    fi
    t0=$(now) rc=0
    # MG_TEST_TOOL: tests that measure RSS or need real speed adapt (see test.h).
    (cd "$OUT/asan" && MG_TEST_TOOL=asan timeout -k 10 "$T_ASAN" "$exe") >"$log" 2>&1 || rc=$?
    classify asan "$name" "$rc" "$t0" "$log" ""
  done
fi

# ------------------------------------------------------ 3. valgrind --------
if ((DO_VALGRIND)); then
  if ((!have_valgrind)); then
    record SKIP valgrind all 0 "valgrind not installed"
  else
    say "== valgrind memcheck: tests/c/*.c, shared library"
    for src in "${SOURCES[@]}"; do
      name=$(basename "$src" .c)
      wanted "$name" || continue
      exe="$OUT/valgrind/$name" log="$OUT/valgrind/$name.log" vglog="$OUT/valgrind/$name.vg"
      if ! $CC "${CFLAGS[@]}" "$src" -o "$exe" -L"$LIB" -Wl,-rpath,"$LIB" -lmongoose >"$log.cc" 2>&1; then
        record FAIL valgrind "$name" 0 "compile error" "$log.cc"
        continue
      fi
      t0=$(now) rc=0
      # valgrind runs threads one at a time: the two-thread queue test moves
      # 100,000 messages there instead of 1,000,000 (3.5 minutes otherwise).
      (cd "$OUT/valgrind" && QUEUE_TEST_MESSAGES=${QUEUE_TEST_MESSAGES:-100000} MG_TEST_TOOL=valgrind \
        timeout -k 10 "$T_VG" "${VALGRIND[@]}" --log-file="$vglog.%p" "$exe") \
        >"$log" 2>&1 || rc=$?
      classify valgrind "$name" "$rc" "$t0" "$log" "$vglog"
    done
  fi
fi

# ------------------------------------------------------ 4. examples --------
# Servers are started under the tool, driven by a client, stopped with
# SIGTERM, and must exit 0 with no report.
SRV_PID="" SRV_PORT=""
# Never leave a server behind (Ctrl+C, set -e exit): only our own child.
trap '[[ -n "$SRV_PID" ]] && kill -KILL "$SRV_PID" 2>/dev/null; true' EXIT
DRIVE_FAIL=""
check() {  # description got want
  if [[ "$2" != "$3" ]]; then
    DRIVE_FAIL="${DRIVE_FAIL:+$DRIVE_FAIL, }$1"
    printf 'check failed: %s\n  got:  %q\n  want: %q\n' "$1" "$2" "$3" >>"$DRIVE_LOG"
  fi
}
CURL=(curl -s -S --max-time 60 --path-as-is)
code() { "${CURL[@]}" -o /dev/null -w '%{http_code}' "$@" 2>>"$DRIVE_LOG" || true; }
body() { "${CURL[@]}" "$@" 2>>"$DRIVE_LOG" || true; }

# run_tool stage logbase exe args... (foreground or background via caller)
tool_cmd() {  # stage logbase -> prints nothing, sets TOOL array
  if [[ $1 == example-valgrind ]]; then
    TOOL=("${VALGRIND[@]}" "--log-file=$2.vg.%p")
  else
    TOOL=()
  fi
}

start_server() {  # stage logbase exe args...
  local stage=$1 base=$2; shift 2
  tool_cmd "$stage" "$base"
  "${TOOL[@]}" "$@" >"$base.stdout" 2>"$base.stderr" &
  SRV_PID=$!
  local deadline=$((SECONDS + 120))
  while ! grep -q 'listening on' "$base.stdout" 2>/dev/null; do
    if ! kill -0 "$SRV_PID" 2>/dev/null || ((SECONDS > deadline)); then
      kill -KILL "$SRV_PID" 2>/dev/null || true
      return 1
    fi
    sleep 0.1
  done
  SRV_PORT=$(grep -m1 'listening on' "$base.stdout" | sed 's/.*://; s/[^0-9].*//')
}

stop_server() {  # -> exit code of the server (124 on timeout)
  local deadline=$((SECONDS + 120)) rc=0
  kill -TERM "$SRV_PID" 2>/dev/null || true
  while kill -0 "$SRV_PID" 2>/dev/null; do
    if ((SECONDS > deadline)); then
      kill -KILL "$SRV_PID" 2>/dev/null || true
      wait "$SRV_PID" 2>/dev/null || true
      SRV_PID=""
      return 124
    fi
    sleep 0.1
  done
  wait "$SRV_PID" || rc=$?
  SRV_PID=""
  return "$rc"
}

drive_http_server() {
  local u="http://127.0.0.1:$SRV_PORT" exe_client=$1 stage=$2 base=$3 rc
  check "GET /" "$(body "$u/")" "Hello from mongoose-rs!"
  check "GET /api/hello" "$(body "$u/api/hello")" '{"hello":"world","uri":"/api/hello","n":2}'
  check "POST /api/echo" "$(body -d ping "$u/api/echo")" "ping"
  check "GET /nope" "$(code "$u/nope")" 404
  # http-client, under the same tool, against this server.
  tool_cmd "$stage" "$base.client"
  rc=0
  "${TOOL[@]}" "$exe_client" "$u/api/hello" >"$base.client.stdout" 2>"$base.client.stderr" || rc=$?
  check "http-client exit" "$rc" 0
  check "http-client body" "$(cat "$base.client.stdout")" '{"hello":"world","uri":"/api/hello","n":5}'
  rc=0
  "${TOOL[@]}" "$exe_client" "http://127.0.0.1:1/" >"$base.client2.stdout" 2>"$base.client2.stderr" || rc=$?
  check "http-client to a closed port exits 1" "$rc" 1
}

drive_websocket_server() {
  # websocket-client, under the same tool: its two messages come back, the
  # greeting and two timer pushes arrive, the close handshake completes.
  local u="ws://127.0.0.1:$SRV_PORT/websocket" exe_client=$1 stage=$2 base=$3 rc=0
  check "GET /" "$(body "http://127.0.0.1:$SRV_PORT/")" "WebSocket server: connect to /websocket"
  tool_cmd "$stage" "$base.client"
  PUSHES=3 "${TOOL[@]}" "$exe_client" "$u" hello world >"$base.client.stdout" 2>"$base.client.stderr" || rc=$?
  check "websocket-client exit" "$rc" 0
  check "websocket-client echoes" "$(grep -cx 'hello\|world' "$base.client.stdout")" 2
  check "websocket-client greeting" "$(head -1 "$base.client.stdout" | sed 's/[0-9]*$/N/')" "hello, client N"
}

drive_http_restful_server() {
  local u="http://127.0.0.1:$SRV_PORT/api/items"
  check "POST apple" "$(body -d '{"name":"apple"}' "$u")" '{"id":1,"name":"apple"}'
  check "POST pear" "$(code -d '{"name":"pear"}' "$u")" 201
  check "GET list" "$(body "$u")" '[{"id":1,"name":"apple"},{"id":2,"name":"pear"}]'
  check "GET 2" "$(body "$u/2")" '{"id":2,"name":"pear"}'
  check "DELETE 1" "$(code -X DELETE "$u/1")" 204
  check "GET 1" "$(code "$u/1")" 404
  check "POST {}" "$(code -d '{}' "$u")" 400
}

drive_file_server() {
  local u="http://127.0.0.1:$SRV_PORT" root=$1 etag
  check "GET /big.bin" "$(body "$u/big.bin" | cmp - "$root/big.bin" >/dev/null 2>&1 && echo same)" same
  check "GET / (index.html)" "$(body "$u/")" "<h1>index</h1>"
  check "GET /sub/ listing" "$(body "$u/sub/" | grep -c 'a.txt')" 1
  check "Range" "$(body -r 10-19 "$u/big.bin" | cmp - <(tail -c +11 "$root/big.bin" | head -c 10) \
    >/dev/null 2>&1 && echo same)" same
  check "Range status" "$(code -r 10-19 "$u/big.bin")" 206
  check "GET /../ rejected" "$(code "$u/../etc/passwd")" 400
  check "GET /missing" "$(code "$u/missing")" 404
  etag=$("${CURL[@]}" -D - -o /dev/null "$u/sub/a.txt" 2>>"$DRIVE_LOG" | tr -d '\r' |
    sed -n 's/^[Ee][Tt]ag: *//p' || true)
  check "ETag present" "$([[ -n "$etag" ]] && echo yes)" yes
  check "If-None-Match" "$(code -H "If-None-Match: $etag" "$u/sub/a.txt")" 304
}

drive_tcp_echo() {
  local fd reply=""
  exec {fd}<>"/dev/tcp/127.0.0.1/$SRV_PORT" || { check "connect" no yes; return; }
  printf 'hello, echo' >&"$fd"
  IFS= read -r -t 60 -N 11 reply <&"$fd" || true
  exec {fd}>&-
  check "echo" "$reply" "hello, echo"
}

drive_multi_threaded() {
  local u="http://127.0.0.1:$SRV_PORT" i
  check "GET /x" "$(body "$u/x")" "worker result for /x"
  local pids=()
  for i in 1 2 3 4 5 6 7 8; do body "$u/p$i" >"$DRIVE_TMP.$i" & pids+=($!); done
  wait "${pids[@]}"  # not a bare wait: the server is a child too
  for i in 1 2 3 4 5 6 7 8; do check "parallel /p$i" "$(cat "$DRIVE_TMP.$i")" "worker result for /p$i"; done
}

drive_graceful_shutdown() {
  local u="http://127.0.0.1:$SRV_PORT" i
  check "GET /" "$(body "$u/")" "hello"
  check "GET /work" "$(body "$u/work")" "worker done"
  local pids=()
  for i in 1 2 3 4 5 6; do body "$u/work" >"$DRIVE_TMP.$i" & pids+=($!); done
  wait "${pids[@]}"
  for i in 1 2 3 4 5 6; do check "parallel /work $i" "$(cat "$DRIVE_TMP.$i")" "worker done"; done
}

run_example() {  # stage name exe [server args...] ; driver = drive_<name>
  local stage=$1 name=$2 exe=$3; shift 3
  local base="$OUT/examples/$stage-$name" t0 rc=0 vglog=""
  [[ $stage == example-valgrind ]] && vglog="$base.vg"
  DRIVE_LOG="$base.driver.log" DRIVE_TMP="$base.tmp" DRIVE_FAIL=""
  : >"$DRIVE_LOG"
  t0=$(now)
  if [[ $name == timers ]]; then
    tool_cmd "$stage" "$base"
    (cd "$OUT/examples" && timeout -k 10 "$T_VG" "${TOOL[@]}" "$exe") >"$base.stdout" 2>"$base.stderr" || rc=$?
    check "first line" "$(head -1 "$base.stdout")" "once at start"
    check "last line" "$(tail -1 "$base.stdout" | sed -E 's/[0-9]+ ticks/N ticks/')" "done after N ticks"
  else
    if ! start_server "$stage" "$base" "$exe" "$@"; then
      rc=0; wait "$SRV_PID" 2>/dev/null || rc=$?
      SRV_PID=""
      cat "$base.stdout" "$base.stderr" >"$base.log" 2>/dev/null || true
      classify "$stage" "$name" "$rc" "$t0" "$base.log" "$vglog" "server did not start"
      return
    fi
    case $name in
      http-server) drive_http_server "$EX_CLIENT" "$stage" "$base" ;;
      websocket-server) drive_websocket_server "$EX_WS_CLIENT" "$stage" "$base" ;;
      file-server) drive_file_server "$EX_ROOT" ;;
      graceful-shutdown*) drive_graceful_shutdown ;;
      *) "drive_${name//-/_}" ;;
    esac
    stop_server || rc=$?
  fi
  cat "$base.stdout" "$base.stderr" "$base".client*.std* "$DRIVE_LOG" >"$base.log" 2>/dev/null || true
  classify "$stage" "$name" "$rc" "$t0" "$base.log" "$vglog" "$DRIVE_FAIL"
}

if ((DO_EXAMPLES)); then
  if ! command -v curl >/dev/null; then
    record SKIP examples all 0 "curl not installed"
  else
    EX_ROOT="$OUT/examples/www"
    mkdir -p "$EX_ROOT/sub"
    echo "<h1>index</h1>" >"$EX_ROOT/index.html"
    echo "a" >"$EX_ROOT/sub/a.txt"
    head -c 300000 /dev/urandom >"$EX_ROOT/big.bin"
    EXAMPLES=(timers http-server http-restful-server file-server tcp-echo multi-threaded graceful-shutdown
      websocket-server)
    for stage in example-asan example-valgrind; do
      [[ $stage == example-asan ]] && ((!DO_ASAN)) && continue
      [[ $stage == example-valgrind ]] && { ((!DO_VALGRIND)) || ((!have_valgrind)); } && continue
      say "== $stage: c-examples"
      for ex in "${EXAMPLES[@]}" http-client websocket-client; do
        wanted "$ex" || [[ $ex == http-client || $ex == websocket-client ]] || continue
        # Built like c-examples/common.mk (ASan: + sanitizers, static library).
        exe="$OUT/examples/$stage-$ex.bin"
        if [[ $stage == example-asan ]]; then
          cmd=($CC -std=c99 -Wall -Wextra -Werror -O1 -g -D_DEFAULT_SOURCE "${SANFLAGS[@]}" -I"$ROOT/include"
            "$ROOT/c-examples/$ex/main.c" -o "$exe" "$ASAN_LIB/libmongoose.a" "${STATIC_LIBS[@]}")
        else
          cmd=($CC -std=c99 -Wall -Wextra -Werror -O2 -g -D_DEFAULT_SOURCE -I"$ROOT/include"
            "$ROOT/c-examples/$ex/main.c" -o "$exe" -L"$LIB" -Wl,-rpath,"$LIB" -lmongoose -lpthread)
        fi
        "${cmd[@]}" >"$exe.cc.log" 2>&1 || record FAIL "$stage" "$ex" 0 "compile error" "$exe.cc.log"
      done
      EX_CLIENT="$OUT/examples/$stage-http-client.bin"
      EX_WS_CLIENT="$OUT/examples/$stage-websocket-client.bin"
      for ex in "${EXAMPLES[@]}"; do
        # http-client runs inside the http-server driver.
        wanted "$ex" || { [[ $ex == http-server ]] && wanted http-client; } || continue
        exe="$OUT/examples/$stage-$ex.bin"
        [[ -x "$exe" ]] || continue
        case $ex in
          timers) run_example "$stage" timers "$exe" ;;
          file-server) run_example "$stage" file-server "$exe" "$EX_ROOT" "http://127.0.0.1:0" ;;
          tcp-echo) run_example "$stage" tcp-echo "$exe" "tcp://127.0.0.1:0" ;;
          websocket-server) run_example "$stage" websocket-server "$exe" "http://127.0.0.1:0" 100 ;;
          graceful-shutdown)
            run_example "$stage" graceful-shutdown "$exe" "http://127.0.0.1:0"
            run_example "$stage" graceful-shutdown-b "$exe" -b "http://127.0.0.1:0" ;;
          *) run_example "$stage" "$ex" "$exe" "http://127.0.0.1:0" ;;
        esac
      done
    done
  fi
fi

# ------------------------------------------------------ summary ------------
TOTAL=$(($(date +%s) - START))
say ""
say "================ sanitize summary ($PROFILE$( ((RUST_ASAN)) && echo ', rust-asan'), logs in $OUT) ================"
for r in "${RESULTS[@]}"; do
  IFS='|' read -r st stage name secs note <<<"$r"
  printf '%-5s %-16s %-22s %6ss  %s\n' "$st" "$stage" "$name" "$secs" "$note"
done
if ((${#FAILED_LOGS[@]})); then
  say ""
  for f in "${FAILED_LOGS[@]}"; do
    say "---- FAIL ${f%%|*}: ${f#*|}"
    for l in ${f#*|}; do
      [[ -f "$l" ]] || continue
      say "  [$l]"
      if [[ $l == *.vg.* ]]; then
        # memcheck: the reports without banner, generated suppressions and
        # the panic-guard frames every FFI call has.
        awk '/^\{$/ { skip = 1 } !skip { print } /^\}$/ { skip = 0 }' "$l" |
          grep -vE '== (Memcheck,|Copyright|Using Valgrind|Command:|Parent PID:)' |
          grep -vE 'by 0x[0-9A-F]+: .*(catch_unwind|panicking|__rust_try|unwind_safe|ffi::guard)' |
          head -n 80 | sed 's/^/  /'
      elif grep -qE "$SAN_REPORT" "$l"; then
        # sanitizer: from the first report on.
        awk -v re="$SAN_REPORT" '$0 ~ re { on = 1 } on' "$l" | head -n 80 | sed 's/^/  /'
      else
        grep -v '^0000 ' "$l" | tail -n 60 | sed 's/^/  /'
      fi
    done
  done
fi
say ""
say "passed: $PASS  failed: $FAIL  xfail: $XFAILN  skipped: $SKIP  (passes with notes: $NOTES)  time: ${TOTAL}s"
if ((FAIL)); then
  say "RESULT: FAIL"
  exit 1
fi
say "RESULT: PASS"
