//! `make install` into a temporary prefix, then what a C user does with it:
//! build `tests/install/roundtrip.c` with `pkg-config --cflags --libs
//! mongoose` (shared) and `pkg-config --static ...` + `-static`, run both;
//! `DESTDIR` staging and `make uninstall`.
//!
//! The Makefile installs the library this test run was built with
//! (`BUILD=target/<profile>`) and is given `CARGO=true`: cargo must not be
//! run from inside `cargo test` (it would wait on the build directory lock).
mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tmp_dir(name: &str) -> PathBuf {
    let d = util::target_dir().join(format!("install-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn check(what: &str, out: std::io::Result<Output>) -> String {
    let out = out.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn make(args: &[String]) -> String {
    let out = Command::new("make")
        .arg("-s")
        .arg("-C")
        .arg(util::repo())
        .arg(format!("BUILD={}", util::target_dir().display()))
        .arg("CARGO=true")
        .args(args)
        .output();
    check(&format!("make {}", args.join(" ")), out)
}

fn pkg_config(prefix: &Path, args: &[&str]) -> Vec<String> {
    let out = Command::new("pkg-config")
        .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
        .args(args)
        .arg("mongoose")
        .output();
    if let Err(e) = &out {
        panic!("pkg-config: {e} (install it: apt-get install pkg-config; scripts/test.sh does)");
    }
    check("pkg-config", out).split_whitespace().map(String::from).collect()
}

fn readelf(args: &[&str], file: &Path) -> String {
    check("readelf", Command::new("readelf").args(args).arg(file).output())
}

/// Files and symlinks under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, v: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() && !p.is_symlink() {
                walk(base, &p, v);
            } else {
                v.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut v = Vec::new();
    if dir.exists() {
        walk(dir, dir, &mut v);
    }
    v.sort();
    v
}

fn build_and_run(dir: &Path, name: &str, flags: &[String], env_lib: Option<&Path>) -> PathBuf {
    let exe = dir.join(name);
    let src = util::repo().join("tests/install/roundtrip.c");
    let out = Command::new("cc").arg(&src).arg("-o").arg(&exe).args(flags).output();
    check(&format!("cc {} {}", src.display(), flags.join(" ")), out);
    let mut cmd = Command::new(&exe);
    if let Some(lib) = env_lib {
        cmd.env("LD_LIBRARY_PATH", lib);
    }
    let stdout = check(&format!("running {name}"), cmd.output());
    assert_eq!(stdout, "ok 1\n");
    exe
}

#[test]
fn make_install_then_pkg_config_shared_and_static() {
    let dir = tmp_dir("prefix");
    let prefix = dir.join("usr");
    make(&["install".into(), format!("PREFIX={}", prefix.display())]);
    assert_eq!(
        files(&prefix),
        [
            "include/mongoose.h",
            "lib/libmongoose.a",
            "lib/libmongoose.so",
            "lib/libmongoose.so.0",
            "lib/pkgconfig/mongoose.pc"
        ]
    );
    let lib = prefix.join("lib");
    assert_eq!(std::fs::read_link(lib.join("libmongoose.so")).unwrap(), Path::new("libmongoose.so.0"));
    let so = lib.join("libmongoose.so.0");
    assert!(readelf(&["-d"], &so).contains("Library soname: [libmongoose.so.0]"));
    // Shipped without debug info (the .a too: std's objects carry it).
    for f in [&so, &lib.join("libmongoose.a")] {
        let sections = readelf(&["-S", "-W"], f);
        assert!(!sections.contains(".debug_info"), "{} has debug info", f.display());
    }
    assert_eq!(
        std::fs::read(prefix.join("include/mongoose.h")).unwrap(),
        std::fs::read(util::repo().join("include/mongoose.h")).unwrap()
    );

    let pc = std::fs::read_to_string(lib.join("pkgconfig/mongoose.pc")).unwrap();
    assert!(pc.contains(&format!("prefix={}\n", prefix.display())), "{pc}");
    assert!(pc.contains(&format!("Version: {}\n", env!("CARGO_PKG_VERSION"))), "{pc}");
    let shared = pkg_config(&prefix, &["--cflags", "--libs"]);
    assert_eq!(
        shared,
        [format!("-I{}/include", prefix.display()), format!("-L{}", lib.display()), "-lmongoose".into()]
    );

    // Shared: the program needs the soname, found through LD_LIBRARY_PATH.
    let exe = build_and_run(&dir, "roundtrip-shared", &shared, Some(&lib));
    assert!(readelf(&["-d"], &exe).contains("Shared library: [libmongoose.so.0]"));

    // Static: --static adds Libs.private; -static makes a self-contained binary.
    let mut static_flags = pkg_config(&prefix, &["--static", "--cflags", "--libs"]);
    for l in ["-lpthread", "-ldl", "-lm"] {
        assert!(static_flags.iter().any(|f| f == l), "{l} missing from Libs.private: {static_flags:?}");
    }
    static_flags.push("-static".into());
    let exe = build_and_run(&dir, "roundtrip-static", &static_flags, None);
    assert!(!readelf(&["-d"], &exe).contains("libmongoose"));

    make(&["uninstall".into(), format!("PREFIX={}", prefix.display())]);
    assert_eq!(files(&prefix), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn destdir_stages_the_install_and_uninstall_removes_it() {
    let dir = tmp_dir("destdir");
    let stage = dir.join("stage");
    let args = |t: &str| vec![t.to_string(), "PREFIX=/opt/mg".into(), format!("DESTDIR={}", stage.display())];
    make(&args("install"));
    assert_eq!(
        files(&stage),
        [
            "opt/mg/include/mongoose.h",
            "opt/mg/lib/libmongoose.a",
            "opt/mg/lib/libmongoose.so",
            "opt/mg/lib/libmongoose.so.0",
            "opt/mg/lib/pkgconfig/mongoose.pc"
        ]
    );
    // The .pc file names the final location, not the staging one.
    let pc = std::fs::read_to_string(stage.join("opt/mg/lib/pkgconfig/mongoose.pc")).unwrap();
    assert!(pc.starts_with("prefix=/opt/mg\nlibdir=/opt/mg/lib\nincludedir=/opt/mg/include\n"), "{pc}");
    make(&args("uninstall"));
    assert_eq!(files(&stage), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&dir);
}
