//! README.md's "Mongoose API coverage" table is true: `scripts/coverage.py
//! --check` finds the built library's exports, the header's declarations,
//! `tests/data/coverage.tsv` and the README section in agreement (a function
//! we export is listed supported; a supported one is exported and declared;
//! the README is what the script renders). Fix with
//! `python3 scripts/coverage.py --write`. Needs `cargo build` to have run.
mod util;

use std::collections::BTreeSet;
use std::process::Command;

fn library() -> std::path::PathBuf {
    let so = util::target_dir().join("libmongoose.so");
    assert!(so.is_file(), "{} not found: run `cargo build` before `cargo test`", so.display());
    so
}

#[test]
fn readme_coverage_table_is_true() {
    let out = Command::new("python3")
        .arg(util::repo().join("scripts/coverage.py"))
        .arg("--check")
        .arg("--lib")
        .arg(library())
        .output()
        .expect("running python3 scripts/coverage.py");
    assert!(
        out.status.success(),
        "scripts/coverage.py --check failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The same central rule, checked without the script: every name the table
/// calls supported is defined by the shared library and named in the header,
/// and the Mongoose export list is the full one (names only, all mg_*).
#[test]
fn supported_names_are_exported_and_declared() {
    let exports = std::fs::read_to_string(util::repo().join("tests/data/mongoose-7.23-exports.txt")).unwrap();
    let mongoose: BTreeSet<&str> = exports.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(mongoose.len(), 256, "Mongoose 7.23 exports 256 mg_* symbols on Linux");
    assert!(mongoose.iter().all(|n| n.starts_with("mg_") && !n.contains(char::is_whitespace)));

    let nm = Command::new("nm").args(["-D", "--defined-only"]).arg(library()).output().expect("running nm");
    let nm = String::from_utf8_lossy(&nm.stdout);
    let ours: BTreeSet<&str> = nm.lines().filter_map(|l| l.split_whitespace().nth(2)).collect();
    let header = std::fs::read_to_string(util::repo().join("include/mongoose.h")).unwrap();
    let words: BTreeSet<&str> = header.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).collect();

    let tsv = std::fs::read_to_string(util::repo().join("tests/data/coverage.tsv")).unwrap();
    let mut bad = Vec::new();
    let mut supported = 0;
    for line in tsv.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (name, status) = (f[0], f.get(2).copied().unwrap_or(""));
        if status == "supported" || status == "links only" {
            supported += usize::from(status == "supported");
            if !ours.contains(name) || !words.contains(name) {
                bad.push(name);
            }
        } else if status != "extension" && ours.contains(name) {
            bad.push(name);
        }
    }
    assert!(bad.is_empty(), "coverage.tsv disagrees with the library/header for: {bad:?}");
    assert!(supported >= 223, "only {supported} supported names");
}

/// No regression below "supported": every Mongoose function that is not
/// embedded-only (Wi-Fi/PHY drivers, the crypto inside Mongoose's own TLS
/// stack) is supported; nothing is "links only" or "not yet".
#[test]
fn every_non_embedded_function_is_supported() {
    const EMBEDDED: [&str; 2] = ["Built-in TLS crypto", "Wi-Fi and PHY drivers"];
    let tsv = std::fs::read_to_string(util::repo().join("tests/data/coverage.tsv")).unwrap();
    let mut below = Vec::new();
    for line in tsv.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (name, family, status) = (f[0], f.get(1).copied().unwrap_or(""), f.get(2).copied().unwrap_or(""));
        let ok = match status {
            "supported" | "extension" => true,
            "not applicable" => EMBEDDED.contains(&family),
            _ => false,
        };
        if !ok {
            below.push(format!("{name} ({family}: {status})"));
        }
    }
    assert!(below.is_empty(), "below \"supported\": {below:?}");
}
