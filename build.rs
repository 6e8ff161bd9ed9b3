//! 1. Compiles the variadic shim (`src/ffi/variadic.c`) into the library.
//! 2. Exports only `mg_*` symbols (not the internal `mg_rs_*`) from the
//!    shared library and sets its soname
//!    (`libmongoose.so.<major>`, linked to `libmongoose.so` in target/<profile>).
//! 3. Generates `mongoose.h` with cbindgen into `$OUT_DIR`; copies it to
//!    `include/mongoose.h` only when `MONGOOSE_BLESS_HEADER=1` (a test fails
//!    when the committed header is stale).
use std::{env, fs, path::PathBuf};

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());

    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=MONGOOSE_BLESS_HEADER");

    cc::Build::new()
        .file("src/ffi/variadic.c")
        .include("src/ffi")
        .flag_if_supported("-Wall")
        .flag_if_supported("-Wextra")
        .flag_if_supported("-fvisibility=default")
        .link_lib_modifier("+whole-archive")
        .compile("mongoose_variadic");

    // The version script keeps everything but mg_* local; the C objects come
    // in whole so their mg_* entry points are exported too. The mg_rs_*
    // helpers the variadic shim calls are internal: local as well (they still
    // link inside the library, and a static archive cannot hide them).
    let script = out.join("mongoose.map");
    // GNU ld lets the `mg_*` glob win over an `mg_rs_*` one, so the
    // helpers are listed by exact name (exact names beat globs).
    let internal = internal_names(&root.join("src"));
    let local: String = internal.iter().map(|n| format!("    {n};\n")).collect();
    fs::write(&script, format!("{{\n  global: mg_*;\n  local:\n{local}    *;\n}};\n")).unwrap();
    println!("cargo:rustc-cdylib-link-arg=-Wl,--version-script={}", script.display());
    // The soname carries the ABI version: the crate's major version (bumped
    // when the C ABI breaks). Programs linked with -lmongoose then need
    // libmongoose.so.<major>; make install ships that file, and the link
    // below provides it in the cargo build tree.
    let soname = format!("libmongoose.so.{}", env::var("CARGO_PKG_VERSION_MAJOR").unwrap());
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    soname_link(&out, &soname);

    let mut config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    config.after_includes = Some(fs::read_to_string(root.join("src/ffi/prologue.h")).unwrap());
    config.trailer = Some(fs::read_to_string(root.join("src/ffi/trailer.h")).unwrap());
    let header = out.join("mongoose.h");
    match cbindgen::Builder::new().with_crate(&root).with_config(config).generate() {
        Ok(bindings) => {
            bindings.write_to_file(&header);
        }
        Err(e) => panic!("cbindgen failed: {e}"),
    }
    let committed = root.join("include/mongoose.h");
    let fresh = fs::read(&header).unwrap();
    if env::var("MONGOOSE_BLESS_HEADER").as_deref() == Ok("1") {
        fs::create_dir_all(root.join("include")).unwrap();
        if fs::read(&committed).ok().as_deref() != Some(&fresh[..]) {
            fs::write(&committed, &fresh).unwrap();
        }
    } else if fs::read(&committed).ok().as_deref() != Some(&fresh[..]) {
        println!(
            "cargo:warning=include/mongoose.h is stale; regenerate with MONGOOSE_BLESS_HEADER=1 cargo build"
        );
    }
}

/// Every `mg_rs_<ident>` name in the sources (Rust and C) under `dir`:
/// the internal helpers the variadic shim and the Rust code call each other
/// through. Listing a name that is not a symbol is harmless.
fn internal_names(dir: &std::path::Path) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str());
            if !matches!(ext, Some("rs" | "c" | "h")) {
                continue;
            }
            let text = fs::read_to_string(&path).unwrap_or_default();
            let mut rest = text.as_str();
            while let Some(i) = rest.find("mg_rs_") {
                let tail = &rest[i..];
                let end = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(tail.len());
                let before = rest[..i].chars().next_back();
                if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') && end > 6 {
                    names.insert(tail[..end].to_string());
                }
                rest = &tail[end..];
            }
        }
    }
    names
}

/// `target/<profile>/libmongoose.so.<major> -> libmongoose.so`, so programs
/// linked against the build tree (tests, c-examples) find their soname at run
/// time. OUT_DIR is `<profile dir>/build/<pkg>-<hash>/out` in every cargo
/// layout; anything else (an unusual OUT_DIR) is left alone.
fn soname_link(out: &std::path::Path, soname: &str) {
    let Some(profile_dir) = out.ancestors().nth(3) else { return };
    if out.ancestors().nth(2).and_then(|p| p.file_name()) != Some(std::ffi::OsStr::new("build")) {
        return;
    }
    let link = profile_dir.join(soname);
    if fs::read_link(&link).ok().as_deref() != Some(std::path::Path::new("libmongoose.so")) {
        let _ = fs::remove_file(&link);
        let _ = std::os::unix::fs::symlink("libmongoose.so", &link);
    }
}
