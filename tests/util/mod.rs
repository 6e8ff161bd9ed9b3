//! Helpers shared by the integration tests: where the built library is, how
//! to compile C against it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `target/<profile>`, derived from this test executable's location.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[derive(Debug, Clone, Copy)]
pub enum Link {
    Shared,
    Static,
}

/// Compile C sources into an executable under `target/<profile>/c-tests/`.
pub fn compile_c(srcs: &[&Path], link: Link, extra: &[&str]) -> Result<PathBuf, String> {
    let target = target_dir();
    let outdir = target.join("c-tests");
    std::fs::create_dir_all(&outdir).unwrap();
    let stem = srcs[0].file_stem().unwrap().to_string_lossy().to_string();
    let exe = outdir.join(format!("{stem}-{link:?}").to_lowercase());
    let mut cmd = Command::new("cc");
    cmd.args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-g", "-D_DEFAULT_SOURCE"])
        .arg("-I")
        .arg(repo().join("include"))
        .arg("-I")
        .arg(repo().join("tests/c"));
    cmd.args(srcs).arg("-o").arg(&exe);
    match link {
        Link::Shared => {
            cmd.arg(format!("-L{}", target.display()))
                .arg(format!("-Wl,-rpath,{}", target.display()))
                .arg("-lmongoose");
        }
        Link::Static => {
            cmd.arg(target.join("libmongoose.a")).args([
                "-lpthread",
                "-ldl",
                "-lm",
                "-lrt",
                "-lutil",
                "-lgcc_s",
            ]);
        }
    }
    cmd.args(extra);
    let out = cmd.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "compiling {} ({link:?}) failed:\n{}",
            srcs[0].display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(exe)
}
