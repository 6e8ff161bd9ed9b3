//! Layers point down: `ffi` (the C shims) -> `net` -> `core`/`abi`. Nothing
//! in `src/net/` or `src/core/` may reach up into `src/ffi/`, whatever the
//! path spelling (`crate::ffi`, `super::super::ffi`, `use crate::{ffi, ..}`).
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code part of a line (comments may name the ffi layer).
fn code(line: &str) -> &str {
    line.split("//").next().unwrap_or("")
}

/// Whether `code` names the ffi module by a path from the crate root or
/// from the parent of `net`/`core`.
fn reaches_ffi(code: &str) -> bool {
    let squashed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    squashed.contains("crate::ffi")
        || squashed.contains("super::super::ffi")
        || squashed.contains("super::ffi")
        || (squashed.contains("crate::{") && squashed.contains("ffi"))
        || squashed.contains("mongoose::ffi")
}

#[test]
fn net_and_core_do_not_import_ffi() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for layer in ["net", "core", "abi"] {
        rust_files(&root.join(layer), &mut files);
    }
    assert!(files.len() > 20, "found only {} files under src/net, src/core, src/abi", files.len());
    let mut offences = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            if reaches_ffi(code(line)) {
                offences.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(offences.is_empty(), "lower layers import ffi:\n  {}", offences.join("\n  "));
}

#[test]
fn the_scanner_sees_each_spelling() {
    for bad in [
        "use crate::ffi::fs::{Fs, Stat};",
        "crate::ffi::log::error(args);",
        "use super::super::ffi::http;",
        "use crate::{abi, ffi::log};",
        "let x = crate :: ffi :: log :: level();",
    ] {
        assert!(reaches_ffi(code(bad)), "{bad}");
    }
    for good in ["use crate::net::log;", "// see crate::ffi::log", "use crate::core::ffi_like;"] {
        assert!(!reaches_ffi(code(good)), "{good}");
    }
}
