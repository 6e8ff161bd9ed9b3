//! The symbols the built libraries export: the shared library exports only
//! `mg_*` names, and the variadic entry points (implemented in C in
//! `src/ffi/variadic.c`) are defined in both the shared and the static
//! library. Needs `cargo build` to have run (the project's test command is
//! `cargo build && cargo test`).
mod util;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The variadic functions of the Mongoose API this library implements.
const VARIADIC: &[&str] = &[
    "mg_xprintf",
    "mg_snprintf",
    "mg_mprintf",
    "mg_printf",
    "mg_log",
    "mg_error",
    "mg_http_reply",
    "mg_http_printf_chunk",
    "mg_file_printf",
    "mg_queue_printf",
    "mg_rpc_ok",
    "mg_rpc_err",
    "mg_ws_connect",
    "mg_ws_upgrade",
    "mg_ws_printf",
];

fn library(name: &str) -> PathBuf {
    let path = util::target_dir().join(name);
    assert!(path.is_file(), "{} not found: run `cargo build` before `cargo test`", path.display());
    path
}

/// Runs `nm args.. lib`; maps each defined symbol to its nm type letters
/// (a static archive may list one symbol in several members).
fn nm(args: &[&str], lib: &Path) -> BTreeMap<String, String> {
    let out = Command::new("nm").args(args).arg(lib).output().expect("running nm");
    assert!(
        out.status.success(),
        "nm {} {} failed:\n{}",
        args.join(" "),
        lib.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut syms: BTreeMap<String, String> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        // "<address> <type> <name>"; member headers ("x.o:") and blanks have fewer fields.
        let f: Vec<&str> = line.split_whitespace().collect();
        if let [_, kind, name] = f[..] {
            syms.entry(name.to_string()).or_default().push_str(kind);
        }
    }
    syms
}

/// The functions the committed header declares with a `...` parameter list.
fn variadic_in_header() -> Vec<String> {
    let header = std::fs::read_to_string(util::repo().join("include/mongoose.h")).unwrap();
    // Drop /* */ comments, then // comments and preprocessor lines.
    let mut text = String::new();
    let mut rest = header.as_str();
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("unterminated /* comment in mongoose.h");
        rest = &rest[start + end + 2..];
    }
    text.push_str(rest);
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap())
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    code.split(';')
        .filter(|decl| decl.contains("...") && decl.contains('('))
        .filter_map(|decl| {
            let before = decl[..decl.find('(').unwrap()].trim_end();
            let name = before.rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next()?;
            (!name.is_empty()).then(|| name.to_string())
        })
        .collect()
}

#[test]
fn shared_library_exports_only_mg_symbols() {
    let so = library("libmongoose.so");
    let syms = nm(&["-D", "--defined-only"], &so);
    assert!(syms.contains_key("mg_mgr_init"), "{} exports no mg_mgr_init: {syms:?}", so.display());
    let foreign: Vec<String> =
        syms.iter().filter(|(n, _)| !n.starts_with("mg_")).map(|(n, k)| format!("{k} {n}")).collect();
    assert!(
        foreign.is_empty(),
        "{} exports {} symbol(s) without the mg_ prefix:\n  {}",
        so.display(),
        foreign.len(),
        foreign.join("\n  ")
    );
}

#[test]
fn header_declares_exactly_the_known_variadic_functions() {
    let mut declared = variadic_in_header();
    declared.sort();
    let mut known: Vec<String> = VARIADIC.iter().map(|s| s.to_string()).collect();
    known.sort();
    assert_eq!(declared, known, "variadic prototypes in include/mongoose.h vs this test's list");
}

#[test]
fn variadic_entry_points_are_defined_in_both_libraries() {
    let so = library("libmongoose.so");
    let a = library("libmongoose.a");
    let so_syms = nm(&["-D", "--defined-only"], &so);
    let a_syms = nm(&["--defined-only"], &a);
    let mut missing = Vec::new();
    for name in VARIADIC.iter().map(|s| s.to_string()).chain(variadic_in_header()) {
        for (lib, syms) in [(&so, &so_syms), (&a, &a_syms)] {
            match syms.get(&name) {
                Some(kinds) if kinds.contains('T') => {}
                Some(kinds) => missing.push(format!("{name}: type {kinds:?}, not T, in {}", lib.display())),
                None => missing.push(format!("{name}: not defined in {}", lib.display())),
            }
        }
    }
    missing.dedup();
    assert!(missing.is_empty(), "variadic entry points missing:\n  {}", missing.join("\n  "));
}

/// The `mg_rs_*` helpers the variadic shim calls are internal: absent from
/// the shared library's dynamic symbol table (the static archive cannot hide
/// them, and must define them); every other `mg_*` symbol the archive
/// defines is exported.
#[test]
fn internal_helpers_are_not_exported() {
    let so = library("libmongoose.so");
    let a = library("libmongoose.a");
    let so_syms = nm(&["-D", "--defined-only"], &so);
    let a_syms = nm(&["--defined-only", "--extern-only"], &a);
    let internal: Vec<&String> = so_syms.keys().filter(|n| n.starts_with("mg_rs_")).collect();
    assert!(internal.is_empty(), "{} exports internal helpers: {internal:?}", so.display());
    for name in ["mg_rs_vlog", "mg_rs_va_int", "mg_rs_http_vreply"] {
        assert!(a_syms.contains_key(name), "{} lacks {name}", a.display());
    }
    let missing: Vec<&String> = a_syms
        .keys()
        .filter(|n| n.starts_with("mg_") && !n.starts_with("mg_rs_") && !so_syms.contains_key(*n))
        .collect();
    assert!(missing.is_empty(), "{} does not export: {missing:?}", so.display());
    for name in ["mg_log_level", "mg_fs_posix", "mg_fs_packed", "mg_mem_files", "mg_log", "mg_http_reply"] {
        assert!(so_syms.contains_key(name), "{} does not export {name}", so.display());
    }
}
