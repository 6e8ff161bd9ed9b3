//! 1. Compiles the variadic shim (`src/ffi/variadic.c`) into the library.
//! 2. Exports only `mg_*` symbols from the shared library and sets its soname
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
    // in whole so their mg_* entry points are exported too.
    let script = out.join("mongoose.map");
    fs::write(&script, "{\n  global: mg_*;\n  local: *;\n};\n").unwrap();
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
