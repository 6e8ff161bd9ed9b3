//! Checks every row of `tests/data/abi-x86_64.tsv` (a copy of the spec's
//! measurement of real Mongoose on x86_64: struct sizes and alignments, field
//! offsets, bitfield positions, constant values) twice:
//!
//! * from C: a probe generated from the table is compiled against
//!   `include/mongoose.h` and run, and every value it prints is compared with
//!   the table. Each bitfield is set to all-ones in C on a zeroed struct; the
//!   raw bytes are located (byte, width, bit) and also decoded in Rust through
//!   the crate's own mirror (`mg_connection::flag` with the `FLAG_*` masks);
//! * from Rust: `size_of`/`align_of`/`offset_of!` on the `mongoose::abi`
//!   mirrors, the `FLAG_*` masks and the constant values.
//!
//! A failure lists every mismatched row with its line number in the table.
mod util;

use mongoose::abi::*;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::c_uint;
use std::mem::{align_of, offset_of, size_of, MaybeUninit};
use std::path::PathBuf;
use std::process::Command;
use std::ptr;

const TABLE: &str = include_str!("data/abi-x86_64.tsv");
const HEADER_ROW: &str = "kind\tstruct\tname\toffset_or_value\tsize\talign_or_bit";

/// Constants of the table that only the header defines (configuration and
/// platform macros hand-written in `src/ffi/prologue.h`): the crate has no
/// Rust counterpart, so they are checked from C only. Listed explicitly so
/// that no row is skipped silently.
const HEADER_ONLY_CONSTS: &[&str] = &[
    "MG_ARCH",
    "MG_ARCH_ARMCC",
    "MG_ARCH_ARMCGT",
    "MG_ARCH_ARMGCC",
    "MG_ARCH_CMSIS_RTOS1",
    "MG_ARCH_CMSIS_RTOS2",
    "MG_ARCH_CUBE",
    "MG_ARCH_CUSTOM",
    "MG_ARCH_ESP32",
    "MG_ARCH_ESP8266",
    "MG_ARCH_FREERTOS",
    "MG_ARCH_MCUXPRESSO",
    "MG_ARCH_NEWLIB",
    "MG_ARCH_PICOSDK",
    "MG_ARCH_RTTHREAD",
    "MG_ARCH_THREADX",
    "MG_ARCH_TIRTOS",
    "MG_ARCH_UNIX",
    "MG_ARCH_WIN32",
    "MG_ARCH_ZEPHYR",
    "MG_BIG_ENDIAN",
    "MG_DASH_MAX_SEND_BUF_SIZE",
    "MG_DASH_MAX_USER_NAME",
    "MG_DIRSEP",
    "MG_DSCP_EF",
    "MG_ENABLE_ASSERT",
    "MG_ENABLE_BSD_PROTOTYPES",
    "MG_ENABLE_BSD_SOCKETS",
    "MG_ENABLE_CHACHA20",
    "MG_ENABLE_CUSTOM_CALLOC",
    "MG_ENABLE_CUSTOM_DEVICE_ID",
    "MG_ENABLE_CUSTOM_LOG",
    "MG_ENABLE_CUSTOM_MILLIS",
    "MG_ENABLE_CUSTOM_RANDOM",
    "MG_ENABLE_DIRLIST",
    "MG_ENABLE_EPOLL",
    "MG_ENABLE_FATFS",
    "MG_ENABLE_FREERTOS",
    "MG_ENABLE_FREERTOS_TCP",
    "MG_ENABLE_IPV6",
    "MG_ENABLE_LFS",
    "MG_ENABLE_LOG",
    "MG_ENABLE_LWIP",
    "MG_ENABLE_MD5",
    "MG_ENABLE_POLL",
    "MG_ENABLE_POSIX_FS",
    "MG_ENABLE_PROFILE",
    "MG_ENABLE_RL",
    "MG_ENABLE_SOCKET",
    "MG_ENABLE_SSI",
    "MG_ENABLE_TCPIP",
    "MG_ENABLE_TCPIP_DRIVER_INIT",
    "MG_ENABLE_TCPIP_PRINT_DEBUG_STATS",
    "MG_ENABLE_WINSOCK",
    "MG_HTTPS_ADDR",
    "MG_HTTP_ADDR",
    "MG_HTTP_INDEX",
    "MG_IPV6_V6ONLY",
    "MG_MODBUS_ADDR",
    "MG_OTA",
    "MG_OTA_CUSTOM",
    "MG_OTA_FIRMWARE_VERSION",
    "MG_OTA_MAX_VERSION_LEN",
    "MG_OTA_NONE",
    "MG_OTA_PULL_INTERVAL_SECONDS",
    "MG_OTA_ROLLBACK_TIMEOUT_SECONDS",
    "MG_TLS",
    "MG_TLS_BUILTIN",
    "MG_TLS_CUSTOM",
    "MG_TLS_MBED",
    "MG_TLS_NONE",
    "MG_TLS_OPENSSL",
    "MG_TLS_WOLFSSL",
    "MG_VERSION",
];

/// The Rust masks of the `mg_connection` bitfields, by C field name.
const CONN_FLAGS: &[(&str, c_uint)] = &[
    ("dscp", FLAG_DSCP_MASK),
    ("is_listening", FLAG_IS_LISTENING),
    ("is_client", FLAG_IS_CLIENT),
    ("is_accepted", FLAG_IS_ACCEPTED),
    ("is_resolving", FLAG_IS_RESOLVING),
    ("is_arplooking", FLAG_IS_ARPLOOKING),
    ("is_connecting", FLAG_IS_CONNECTING),
    ("is_tls", FLAG_IS_TLS),
    ("is_tls_hs", FLAG_IS_TLS_HS),
    ("is_udp", FLAG_IS_UDP),
    ("is_websocket", FLAG_IS_WEBSOCKET),
    ("is_mqtt5", FLAG_IS_MQTT5),
    ("is_hexdumping", FLAG_IS_HEXDUMPING),
    ("is_draining", FLAG_IS_DRAINING),
    ("is_closing", FLAG_IS_CLOSING),
    ("is_full", FLAG_IS_FULL),
    ("is_tls_throttled", FLAG_IS_TLS_THROTTLED),
    ("is_resp", FLAG_IS_RESP),
    ("is_readable", FLAG_IS_READABLE),
    ("is_writable", FLAG_IS_WRITABLE),
];

/// The bits of `mg_wifi_scan_bss_data.bits` in the Rust mirror, as its doc
/// comment defines them ("`bits` holds band:2, has_n, has_ac, has_ax").
const WIFI_BITS: &[(&str, u8)] = &[("band", 0b11), ("has_n", 1 << 2), ("has_ac", 1 << 3), ("has_ax", 1 << 4)];

// ---------------------------------------------------------------------------
// The table

struct Row {
    /// 1-based line number in the TSV file.
    line: usize,
    kind: String,
    strct: String,
    name: String,
    /// offset_or_value, size, align_or_bit.
    vals: [String; 3],
}

impl Row {
    fn key(&self) -> String {
        key(&self.kind, &self.strct, &self.name)
    }

    fn what(&self) -> String {
        format!("line {:>3}: {} {} {}", self.line, self.kind, self.strct, self.name)
    }

    /// The three value columns as the table spells them.
    fn expected(&self) -> String {
        self.vals.join("\t")
    }
}

fn key(kind: &str, strct: &str, name: &str) -> String {
    format!("{kind} {strct} {name}")
}

/// Constants where this library's header differs from the measured default
/// build of Mongoose on purpose: it tells what *this* library does.
const DELIBERATE_VALUES: &[(&str, &str)] = &[
    // The ABI target; the table was measured on the 7.22 mirror.
    ("MG_VERSION", "\"7.23\""),
    // IPv6 listening and connecting work (README: departures).
    ("MG_ENABLE_IPV6", "1"),
    // SSI runs whenever ssi_pattern matches: a prebuilt library cannot see
    // a program's -DMG_ENABLE_SSI=1.
    ("MG_ENABLE_SSI", "1"),
    // TLS is rustls: none of the built-in stack's crypto (mg_chacha20_*).
    ("MG_ENABLE_CHACHA20", "0"),
    // TLS is built in, but is none of Mongoose's backends: MG_TLS_CUSTOM.
    ("MG_TLS", "4"),
];

fn table() -> Vec<Row> {
    let mut lines = TABLE.lines().enumerate();
    let (_, head) = lines.next().expect("tests/data/abi-x86_64.tsv is empty");
    assert_eq!(head, HEADER_ROW, "unexpected header row in tests/data/abi-x86_64.tsv");
    lines
        .map(|(i, l)| {
            let c: Vec<&str> = l.split('\t').collect();
            assert_eq!(c.len(), 6, "tests/data/abi-x86_64.tsv line {}: not 6 columns: {l:?}", i + 1);
            Row {
                line: i + 1,
                kind: c[0].to_string(),
                strct: c[1].to_string(),
                name: c[2].to_string(),
                vals: [
                    match DELIBERATE_VALUES.iter().find(|(n, _)| c[0] == "const" && *n == c[2]) {
                        Some((_, v)) => v.to_string(),
                        None => c[3].to_string(),
                    },
                    c[4].to_string(),
                    c[5].to_string(),
                ],
            }
        })
        .collect()
}

fn fail_if_any(title: &str, errors: &[String]) {
    let mut errors = errors.to_vec();
    errors.sort(); // by table line ("line  NN: ...")
    assert!(errors.is_empty(), "{title}: {} mismatched row(s):\n  {}\n", errors.len(), errors.join("\n  "));
}

#[test]
fn table_is_complete_and_well_formed() {
    let rows = table();
    let mut counts = BTreeMap::new();
    let mut keys = BTreeSet::new();
    let mut errors = Vec::new();
    for r in &rows {
        *counts.entry(r.kind.as_str()).or_insert(0) += 1;
        if !keys.insert(r.key()) {
            errors.push(format!("{}: duplicate row", r.what()));
        }
        if !["struct", "field", "bitfield", "const"].contains(&r.kind.as_str()) {
            errors.push(format!("{}: unknown kind", r.what()));
        }
    }
    fail_if_any("abi table", &errors);
    // Numbers stated by the spec (README.md, API.md §0) for the HEAD table.
    let want = BTreeMap::from([("bitfield", 24), ("const", 220), ("field", 249), ("struct", 44)]);
    assert_eq!(counts, want, "tests/data/abi-x86_64.tsv is not the full spec table");
}

// ---------------------------------------------------------------------------
// (a) From C

/// How a C program names the type of table struct `name`.
fn c_type(name: &str) -> String {
    match name {
        // Typedefs of anonymous structs in Mongoose.
        "mg_md5_ctx" | "mg_sha1_ctx" | "mg_sha256_ctx" | "mg_sha384_ctx" => name.to_string(),
        "mg_pipe" => format!("union {name}"),
        _ => format!("struct {name}"),
    }
}

/// C statements that print the row's three value columns (bitfields: the
/// hex bytes of the whole struct after setting the field to all-ones).
fn c_probe(r: &Row) -> String {
    let (t, n) = (c_type(&r.strct), &r.name);
    match r.kind.as_str() {
        "struct" => format!("  printf(\"-\\t%zu\\t%zu\\n\", sizeof({t}), _Alignof({t}));\n"),
        "field" => format!(
            "  printf(\"%zu\\t%zu\\t%zu\\n\", offsetof({t}, {n}), sizeof((({t} *) 0)->{n}),\n         \
             _Alignof(__typeof__((({t} *) 0)->{n})));\n"
        ),
        "const" if r.vals[0].starts_with('"') => format!("  printf(\"\\\"%s\\\"\\t-\\t-\\n\", {n});\n"),
        "const" => format!("  printf(\"%lld\\t-\\t-\\n\", (long long) ({n}));\n"),
        "bitfield" => format!(
            "  {t} s;\n  volatile unsigned long long ones = ~0ULL;\n  size_t i;\n  \
             memset(&s, 0, sizeof s);\n  s.{n} = ones;\n  \
             for (i = 0; i < sizeof s; i++) printf(\"%02x\", ((const unsigned char *) &s)[i]);\n  \
             printf(\"\\n\");\n"
        ),
        k => panic!("{}: unknown kind {k}", r.what()),
    }
}

/// A C program probing the rows `idx` of `rows`; each output line is
/// `<row index>\t<values>`. Includes nothing but mongoose.h.
fn c_program(rows: &[Row], idx: &[usize]) -> String {
    let mut src = String::from("/* Generated by tests/abi.rs from tests/data/abi-x86_64.tsv. */\n");
    src.push_str("#include \"mongoose.h\"\n\n");
    for &i in idx {
        let r = &rows[i];
        src.push_str(&format!("/* {} */\nstatic void probe_{i}(void) {{\n", r.what()));
        src.push_str(&format!("  printf(\"{i}\\t\");\n{}}}\n\n", c_probe(r)));
    }
    src.push_str("int main(void) {\n");
    for &i in idx {
        src.push_str(&format!("  probe_{i}();\n"));
    }
    src.push_str("  return 0;\n}\n");
    src
}

fn probe_dir() -> PathBuf {
    let dir = util::target_dir().join("abi-probe");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Compiles one row's probe on its own (syntax only); the first error line if
/// it does not compile against mongoose.h.
fn row_compile_error(rows: &[Row], i: usize) -> Option<String> {
    let path = probe_dir().join(format!("row_{i}.c"));
    std::fs::write(&path, c_program(rows, &[i])).unwrap();
    let out = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-I"])
        .arg(util::repo().join("include"))
        .arg(&path)
        .output()
        .expect("running cc");
    if out.status.success() {
        return None;
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().find(|l| l.contains("error")).unwrap_or("cc failed").to_string();
    Some(first.replace(&format!("{}:", path.display()), ""))
}

/// Rows whose probe does not compile (searched only when the full program
/// fails to compile), checked in parallel.
fn rows_that_do_not_compile(rows: &[Row]) -> BTreeMap<usize, String> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2);
    let all: Vec<usize> = (0..rows.len()).collect();
    let chunk = all.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = all
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .filter_map(|&i| row_compile_error(rows, i).map(|e| (i, e)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    })
}

/// Compiles and runs the probe for `idx`; the printed line of every row.
fn run_c_probe(rows: &[Row], idx: &[usize]) -> Result<BTreeMap<usize, String>, String> {
    let src = probe_dir().join("abi_probe.c");
    std::fs::write(&src, c_program(rows, idx)).unwrap();
    let exe = util::compile_c(&[src.as_path()], util::Link::Shared, &["-std=c11"])?;
    let out = Command::new(&exe).output().map_err(|e| format!("running {}: {e}", exe.display()))?;
    if !out.status.success() {
        return Err(format!("{} failed: {}", exe.display(), out.status));
    }
    let mut got = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let (i, rest) = line.split_once('\t').ok_or_else(|| format!("bad probe output line {line:?}"))?;
        got.insert(i.parse::<usize>().map_err(|e| format!("{line:?}: {e}"))?, rest.to_string());
    }
    Ok(got)
}

fn hex_bytes(s: &str) -> Result<Vec<u8>, String> {
    if s.len() % 2 != 0 {
        return Err(format!("odd hex string {s:?}"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| format!("{s:?}: {e}")))
        .collect()
}

/// `(byte offset, width, bit within that byte)` of the only run of set bits.
fn locate_bits(bytes: &[u8]) -> Result<(usize, usize, usize), String> {
    let set: Vec<usize> = (0..bytes.len() * 8).filter(|&i| (bytes[i / 8] >> (i % 8)) & 1 == 1).collect();
    let (Some(&first), Some(&last)) = (set.first(), set.last()) else {
        return Err("setting the field to all-ones set no bit".into());
    };
    if last - first + 1 != set.len() {
        return Err(format!("the set bits are not contiguous: bit indexes {set:?}"));
    }
    Ok((first / 8, set.len(), first % 8))
}

/// Reads C's bytes of a whole struct as the Rust mirror `T`, after checking
/// that only `[off, off + len)` (an integer field of `T`) has non-zero bytes.
///
/// # Safety
/// `T` must be valid when all-zero, and its bytes `[off, off + len)` must be
/// an integer field (valid for any bit pattern).
unsafe fn from_c_bytes<T>(bytes: &[u8], off: usize, len: usize) -> Result<T, String> {
    if bytes.len() != size_of::<T>() {
        return Err(format!("C struct has {} bytes, the Rust mirror {}", bytes.len(), size_of::<T>()));
    }
    if let Some(p) = (0..bytes.len()).find(|&p| bytes[p] != 0 && !(off..off + len).contains(&p)) {
        return Err(format!("C set byte {p}, outside the Rust flag field at {off}..{}", off + len));
    }
    let mut v = MaybeUninit::<T>::zeroed();
    // SAFETY: `bytes` has exactly `size_of::<T>()` bytes and `v` is a separate
    // local; by the caller's contract, zero bytes plus arbitrary bits in the
    // integer field form a valid `T`.
    unsafe {
        ptr::copy_nonoverlapping(bytes.as_ptr(), v.as_mut_ptr().cast::<u8>(), bytes.len());
        Ok(v.assume_init())
    }
}

/// "Set in C, read in Rust": decodes the C bytes with the crate's mirror.
fn decode_bitfield_in_rust(r: &Row, bytes: &[u8]) -> Result<(), String> {
    match r.strct.as_str() {
        "mg_connection" => {
            let &(_, mask) = CONN_FLAGS
                .iter()
                .find(|(n, _)| *n == r.name)
                .ok_or("no FLAG_* mask for it in mongoose::abi")?;
            let off = offset_of!(mg_connection, flags);
            // SAFETY: mg_connection holds integers, raw pointers, `Option` of
            // function pointers, and bools that `from_c_bytes` checks are zero;
            // `flags` is a c_uint.
            let c: mg_connection = unsafe { from_c_bytes(bytes, off, size_of::<c_uint>())? };
            if !c.flag(mask) || c.flags != mask {
                return Err(format!(
                    "read in Rust through mg_connection::flag: flags = {:#010x}, expected exactly the \
                     mask {mask:#010x}",
                    c.flags
                ));
            }
            Ok(())
        }
        "mg_wifi_scan_bss_data" => {
            let &(_, mask) = WIFI_BITS
                .iter()
                .find(|(n, _)| *n == r.name)
                .ok_or("no bit of mg_wifi_scan_bss_data.bits for it")?;
            let off = offset_of!(mg_wifi_scan_bss_data, bits);
            // SAFETY: mg_wifi_scan_bss_data holds integers and raw pointers
            // only, all valid when zero; `bits` is a u8.
            let w: mg_wifi_scan_bss_data = unsafe { from_c_bytes(bytes, off, 1)? };
            if w.bits != mask {
                return Err(format!("read in Rust: bits = {:#04x}, expected {mask:#04x}", w.bits));
            }
            Ok(())
        }
        s => Err(format!("no Rust mirror with bitfields for {s}")),
    }
}

/// Compares one row's C output with the table.
fn check_c_row(r: &Row, got: &str) -> Vec<String> {
    if r.kind != "bitfield" {
        return if got == r.expected() {
            vec![]
        } else {
            vec![format!("{}: C says {got:?}, table says {:?}", r.what(), r.expected())]
        };
    }
    let mut errors = Vec::new();
    match hex_bytes(got).and_then(|b| locate_bits(&b).map(|loc| (b, loc))) {
        Err(e) => errors.push(format!("{}: {e}", r.what())),
        Ok((bytes, (byte, width, bit))) => {
            let c = format!("{byte}\t{width}\t{bit}");
            if c != r.expected() {
                errors.push(format!(
                    "{}: C puts it at byte/width/bit {c:?}, table says {:?}",
                    r.what(),
                    r.expected()
                ));
            }
            if let Err(e) = decode_bitfield_in_rust(r, &bytes) {
                errors.push(format!("{}: set in C: {e}", r.what()));
            }
        }
    }
    errors
}

#[test]
fn every_row_matches_from_c() {
    let rows = table();
    let mut errors = Vec::new();
    let mut idx: Vec<usize> = (0..rows.len()).collect();
    if run_c_probe(&rows, &idx).is_err() {
        // Find the rows mongoose.h cannot express, report them, probe the rest.
        let bad = rows_that_do_not_compile(&rows);
        for (i, e) in &bad {
            errors.push(format!("{}: does not compile against mongoose.h: {e}", rows[*i].what()));
        }
        idx.retain(|i| !bad.contains_key(i));
    }
    let got = match run_c_probe(&rows, &idx) {
        Ok(got) => got,
        Err(e) => panic!("{}\n\nthe ABI probe itself failed:\n{e}", errors.join("\n")),
    };
    for &i in &idx {
        match got.get(&i) {
            Some(line) => errors.extend(check_c_row(&rows[i], line)),
            None => errors.push(format!("{}: the C probe printed nothing", rows[i].what())),
        }
    }
    fail_if_any("ABI from C (include/mongoose.h) vs tests/data/abi-x86_64.tsv", &errors);
}

// ---------------------------------------------------------------------------
// (b) From Rust

fn pointee_layout<F>(_: *const F) -> (usize, usize) {
    (size_of::<F>(), align_of::<F>())
}

/// C name of a Rust field: `fn_` is `fn`, `in_` is `in`, `type_` is `type`.
fn c_name(rust: &str) -> &str {
    rust.strip_suffix('_').unwrap_or(rust)
}

/// Records the struct row and field rows of mirror `$t`; `$u: $ut { .. }`
/// adds the members of union field `$u` (of type `$ut`) as `u.member`.
macro_rules! layout {
    ($m:ident, $t:ident { $($f:ident),* $(,)? } $(, $u:ident: $ut:ident { $($uf:ident),* $(,)? })*) => {{
        let s = stringify!($t);
        $m.insert(key("struct", s, "-"), format!("-\t{}\t{}", size_of::<$t>(), align_of::<$t>()));
        let base = MaybeUninit::<$t>::uninit();
        let p = base.as_ptr();
        $(
            // SAFETY: only computes the address of a field of `base`; nothing
            // is read and no reference is created.
            let (size, align) = pointee_layout(unsafe { ptr::addr_of!((*p).$f) });
            let name = c_name(stringify!($f));
            $m.insert(key("field", s, name), format!("{}\t{size}\t{align}", offset_of!($t, $f)));
        )*
        $($(
            // SAFETY: as above, for a member of the union field `$u`.
            let (size, align) = pointee_layout(unsafe { ptr::addr_of!((*p).$u.$uf) });
            let name = format!("{}.{}", stringify!($u), stringify!($uf));
            let off = offset_of!($t, $u) + offset_of!($ut, $uf);
            $m.insert(key("field", s, &name), format!("{off}\t{size}\t{align}"));
        )*)*
    }};
}

macro_rules! consts {
    ($m:ident; $($c:ident),* $(,)?) => {
        $( $m.insert(key("const", "-", stringify!($c)), format!("{}\t-\t-", $c as i128)); )*
    };
}

/// The table row values of a mask within a little-endian word at `base`.
fn mask_row(base: usize, mask: u64) -> String {
    let (low, width) = (mask.trailing_zeros() as usize, mask.count_ones() as usize);
    if mask == 0 || mask >> low != (1u64 << width) - 1 {
        return format!("mask {mask:#x} is not one run of bits");
    }
    format!("{}\t{width}\t{}", base + low / 8, low % 8)
}

/// Every value the Rust crate states, keyed like the table rows.
fn rust_values() -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    layout!(m, mg_str { buf, len });
    layout!(m, mg_queue { buf, size, tail, head });
    layout!(m, mg_timer { period_ms, expire, flags, fn_, arg, next });
    layout!(m, mg_fs { st, ls, op, cl, rd, wr, sk, mv, rm, mkd });
    layout!(m, mg_fd { fd, fs });
    layout!(m, mg_mem_file { path, data, size, mtime });
    layout!(m, mg_iobuf { buf, size, len, align });
    layout!(m, mg_md5_ctx { buf, bits, in_ });
    layout!(m, mg_sha1_ctx { state, count, buffer });
    layout!(m, mg_sha256_ctx { state, bits, len, buffer });
    layout!(m, mg_sha384_ctx { state, buffer, bitlen, datalen });
    layout!(m, mg_dns { url, c });
    layout!(m, mg_addr { addr, port, scope_id, is_ip6 }, addr: mg_addr_ip { ip, ip4, ip6 });
    layout!(m, mg_pipe { fd, q });
    layout!(
        m,
        mg_mgr {
            conns,
            dns4,
            dns6,
            mdns,
            dnstimeout,
            use_dns6,
            nextid,
            userdata,
            tls_ctx,
            mqtt_id,
            active_dns_requests,
            active_mdns_requests,
            timers,
            epoll_fd,
            ifp,
            extraconnsize,
            pipe,
        }
    );
    layout!(
        m,
        mg_connection {
            next,
            mgr,
            loc,
            rem,
            fd,
            id,
            recv,
            send,
            prof,
            rtls,
            fn_,
            fn_data,
            pfn,
            pfn_data,
            data,
            tls,
        }
    );
    layout!(m, mg_http_header { name, value });
    layout!(m, mg_http_message { method, uri, query, proto, headers, body, head, message });
    layout!(m, mg_http_serve_opts { root_dir, ssi_pattern, extra_headers, mime_types, page404, fs });
    layout!(m, mg_http_part { name, filename, body });
    layout!(m, mg_tls_opts { ca, cert, key, name, skip_verification });
    layout!(m, mg_ws_message { data, flags });
    layout!(m, mg_mqtt_prop { id, iv, key, val });
    layout!(
        m,
        mg_mqtt_opts {
            user,
            pass,
            client_id,
            topic,
            message,
            qos,
            version,
            keepalive,
            retransmit_id,
            retain,
            clean,
            props,
            num_props,
            will_props,
            num_will_props,
        }
    );
    layout!(m, mg_mqtt_message { topic, data, dgram, id, cmd, qos, ack, props_start, props_size });
    layout!(m, mg_dns_message { txnid, resolved, addr, name });
    layout!(m, mg_dns_header { txnid, flags, num_questions, num_answers, num_authority_prs, num_other_prs });
    layout!(m, mg_dns_rr { nlen, atype, aclass, alen });
    layout!(m, mg_dnssd_record { srvcproto, txt, port });
    layout!(m, mg_mdns_req { rr, r, reqname, respname, addr, is_listing, is_resp, is_unicast });
    layout!(m, mg_mdns_resp { rr, name, addr, sd });
    layout!(m, mg_modbus_req { func, error, addr, u, len }, u: mg_modbus_data { bits, regs });
    layout!(m, mg_jwt_opts { claims, header, kid, secret, private_key, public_key });
    layout!(m, mg_rpc_req { head, rpc, pfn, pfn_data, req_data, frame });
    layout!(m, mg_rpc { next, method, fn_, fn_data });
    layout!(m, mg_field { name, type_, value, value_size });
    layout!(m, mg_dash_user { next, name, token, level, expire, dash });
    layout!(m, mg_field_set { name, fields, fn_, index, get_dir, next });
    layout!(m, mg_dash_custom_handler { next, uri_pattern, handler, handler_data });
    layout!(
        m,
        mg_dash { sets, custom_handlers, authenticate, session_auto_expiration_seconds, guest, upload_fs }
    );
    layout!(
        m,
        mg_wifi_data { ssid, pass, apssid, appass, apip, apmask, security, apsecurity, apchannel, apmode }
    );
    layout!(m, mg_wifi_scan_bss_data { SSID, BSSID, RSSI, security, channel });
    layout!(
        m,
        mg_tcpip_driver_atcmd_data {
            usart,
            reset,
            tx,
            rx,
            script,
            script_index,
            deadline,
            no_byte_stuff,
            link,
            unstuffing,
        }
    );
    layout!(m, mg_phy { read_reg, write_reg });

    let flags = offset_of!(mg_connection, flags);
    for &(name, mask) in CONN_FLAGS {
        m.insert(key("bitfield", "mg_connection", name), mask_row(flags, u64::from(mask)));
    }
    let bits = offset_of!(mg_wifi_scan_bss_data, bits);
    for &(name, mask) in WIFI_BITS {
        m.insert(key("bitfield", "mg_wifi_scan_bss_data", name), mask_row(bits, u64::from(mask)));
    }

    consts!(m;
        MG_DATA_SIZE, MG_DNS_RTYPE_A, MG_DNS_RTYPE_AAAA, MG_DNS_RTYPE_PTR, MG_DNS_RTYPE_SRV,
        MG_DNS_RTYPE_TXT, MG_INVALID_SOCKET, MG_IO_SIZE, MG_JSON_MAX_DEPTH, MG_MAX_HTTP_HEADERS,
        MG_MAX_RECV_SIZE, MG_PATH_MAX, MG_SOCK_LISTEN_BACKLOG_SIZE,
        MG_MODBUS_ERR_DEVICE_FAILURE, MG_MODBUS_ERR_ILLEGAL_ADDRESS, MG_MODBUS_ERR_ILLEGAL_FUNCTION,
        MG_MODBUS_ERR_ILLEGAL_VALUE, MG_MODBUS_ERR_NONE, MG_MODBUS_FUNC_READ_COILS,
        MG_MODBUS_FUNC_READ_DISCRETE_INPUTS, MG_MODBUS_FUNC_READ_HOLDING_REGISTERS,
        MG_MODBUS_FUNC_READ_INPUT_REGISTERS, MG_MODBUS_FUNC_WRITE_MULTIPLE_COILS,
        MG_MODBUS_FUNC_WRITE_MULTIPLE_REGISTERS, MG_MODBUS_FUNC_WRITE_SINGLE_COIL,
        MG_MODBUS_FUNC_WRITE_SINGLE_REGISTER,
        MG_TIMER_AUTODELETE, MG_TIMER_CALLED, MG_TIMER_ONCE, MG_TIMER_REPEAT, MG_TIMER_RUN_NOW,
        MQTT_CMD_AUTH, MQTT_CMD_CONNACK, MQTT_CMD_CONNECT, MQTT_CMD_DISCONNECT, MQTT_CMD_PINGREQ,
        MQTT_CMD_PINGRESP, MQTT_CMD_PUBACK, MQTT_CMD_PUBCOMP, MQTT_CMD_PUBLISH, MQTT_CMD_PUBREC,
        MQTT_CMD_PUBREL, MQTT_CMD_SUBACK, MQTT_CMD_SUBSCRIBE, MQTT_CMD_UNSUBACK, MQTT_CMD_UNSUBSCRIBE,
        MQTT_PROP_ASSIGNED_CLIENT_IDENTIFIER, MQTT_PROP_AUTHENTICATION_DATA,
        MQTT_PROP_AUTHENTICATION_METHOD, MQTT_PROP_CONTENT_TYPE, MQTT_PROP_CORRELATION_DATA,
        MQTT_PROP_MAXIMUM_PACKET_SIZE, MQTT_PROP_MAXIMUM_QOS, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL,
        MQTT_PROP_PAYLOAD_FORMAT_INDICATOR, MQTT_PROP_REASON_STRING, MQTT_PROP_RECEIVE_MAXIMUM,
        MQTT_PROP_REQUEST_PROBLEM_INFORMATION, MQTT_PROP_REQUEST_RESPONSE_INFORMATION,
        MQTT_PROP_RESPONSE_INFORMATION, MQTT_PROP_RESPONSE_TOPIC, MQTT_PROP_RETAIN_AVAILABLE,
        MQTT_PROP_SERVER_KEEP_ALIVE, MQTT_PROP_SERVER_REFERENCE, MQTT_PROP_SESSION_EXPIRY_INTERVAL,
        MQTT_PROP_SHARED_SUBSCRIPTION_AVAILABLE, MQTT_PROP_SUBSCRIPTION_IDENTIFIER,
        MQTT_PROP_SUBSCRIPTION_IDENTIFIER_AVAILABLE, MQTT_PROP_TOPIC_ALIAS,
        MQTT_PROP_TOPIC_ALIAS_MAXIMUM, MQTT_PROP_USER_PROPERTY,
        MQTT_PROP_WILDCARD_SUBSCRIPTION_AVAILABLE, MQTT_PROP_WILL_DELAY_INTERVAL,
        WEBSOCKET_OP_BINARY, WEBSOCKET_OP_CLOSE, WEBSOCKET_OP_CONTINUE, WEBSOCKET_OP_PING,
        WEBSOCKET_OP_PONG, WEBSOCKET_OP_TEXT,
        MG_LL_NONE, MG_LL_ERROR, MG_LL_INFO, MG_LL_DEBUG, MG_LL_VERBOSE,
        MG_FS_READ, MG_FS_WRITE, MG_FS_DIR, MG_FS_EXCL,
        MG_EV_ERROR, MG_EV_OPEN, MG_EV_POLL, MG_EV_RESOLVE, MG_EV_CONNECT, MG_EV_ACCEPT, MG_EV_TLS_HS,
        MG_EV_READ, MG_EV_WRITE, MG_EV_CLOSE, MG_EV_HTTP_HDRS, MG_EV_HTTP_MSG, MG_EV_WS_OPEN,
        MG_EV_WS_MSG, MG_EV_WS_CTL, MG_EV_MQTT_CMD, MG_EV_MQTT_MSG, MG_EV_MQTT_OPEN, MG_EV_SNTP_TIME,
        MG_EV_WAKEUP, MG_EV_MDNS_REQ, MG_EV_MDNS_RESP, MG_EV_MODBUS_REQ, MG_EV_USER,
        MG_IO_ERR, MG_IO_WAIT,
        MQTT_PROP_TYPE_BYTE, MQTT_PROP_TYPE_STRING, MQTT_PROP_TYPE_STRING_PAIR,
        MQTT_PROP_TYPE_BINARY_DATA, MQTT_PROP_TYPE_VARIABLE_INT, MQTT_PROP_TYPE_INT,
        MQTT_PROP_TYPE_SHORT, MQTT_OK, MQTT_INCOMPLETE, MQTT_MALFORMED,
        MG_JSON_TOO_DEEP, MG_JSON_INVALID, MG_JSON_NOT_FOUND,
        MG_VAL_INT, MG_VAL_UINT64, MG_VAL_BOOL, MG_VAL_DBL, MG_VAL_STR, MG_VAL_RAW,
        MG_DASH_READ, MG_DASH_WRITE, MG_DASH_DELETE, MG_DASH_ADD,
        MG_OTA_CONFIRMED, MG_OTA_TESTING, MG_OTA_FAILED, MG_OTA_ROLLEDBACK,
        MG_PHY_LEDS_ACTIVE_HIGH, MG_PHY_CLOCKS_MAC, MG_PHY_SPEED_10M, MG_PHY_SPEED_100M,
        MG_PHY_SPEED_1000M,
    );
    m
}

#[test]
fn every_row_matches_from_rust() {
    let rows = table();
    let mut rust = rust_values();
    let mut errors = Vec::new();
    for r in &rows {
        match rust.remove(&r.key()) {
            Some(v) if v == r.expected() => {}
            Some(v) => errors.push(format!("{}: Rust says {v:?}, table says {:?}", r.what(), r.expected())),
            None if r.kind == "const" && HEADER_ONLY_CONSTS.contains(&r.name.as_str()) => {}
            None => errors.push(format!("{}: no Rust counterpart in mongoose::abi", r.what())),
        }
    }
    // Entries the Rust side checks but the table lacks are mistakes in this test.
    errors.extend(rust.keys().map(|k| format!("{k}: checked from Rust but not a table row")));
    for name in HEADER_ONLY_CONSTS {
        if !rows.iter().any(|r| r.kind == "const" && r.name == *name) {
            errors.push(format!("HEADER_ONLY_CONSTS lists {name}, which is not a table row"));
        }
    }
    fail_if_any("ABI from Rust (mongoose::abi) vs tests/data/abi-x86_64.tsv", &errors);
}
