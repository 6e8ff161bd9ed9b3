//! Compiles every `tests/c/*.c` program with `-Wall -Wextra -Werror` against
//! the generated header, links it once against the shared library and once
//! against the static one, and runs both. A program passes by exiting 0;
//! the parts it skips (`SKIPPED:` lines) are shown even when it passes.
mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

fn c_sources() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    v.sort();
    v
}

fn run_one(src: &Path, link: util::Link) -> Result<(), String> {
    let exe = util::compile_c(&[src], link, &[])?;
    let out = Command::new(&exe).output().map_err(|e| e.to_string())?;
    if out.status.success() {
        report_skips(src, link, &out.stderr);
        Ok(())
    } else {
        Err(format!(
            "{} ({link:?}) failed: {}\n--- stdout\n{}\n--- stderr\n{}",
            src.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Shows the `SKIPPED:` lines (test.h `SKIP_PART`) of a passing program.
/// Written to the process's stderr directly, not with `eprintln!`, which the
/// test harness captures and hides for passing tests.
fn report_skips(src: &Path, link: util::Link, stderr: &[u8]) {
    use std::io::Write;
    let name = src.file_name().unwrap_or_default().to_string_lossy();
    for line in String::from_utf8_lossy(stderr).lines().filter(|l| l.starts_with("SKIPPED:")) {
        let _ = writeln!(std::io::stderr(), "c_programs: {name} ({link:?}): {line}");
    }
}

#[test]
fn c_programs_pass_against_shared_and_static_library() {
    let mut failures = Vec::new();
    let srcs = c_sources();
    assert!(!srcs.is_empty(), "no C tests found");
    for src in &srcs {
        for link in [util::Link::Shared, util::Link::Static] {
            if let Err(e) = run_one(src, link) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
