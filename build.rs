//! 1. Compiles the variadic shim (`src/ffi/variadic.c`) into the library.
//! 2. Exports only `mg_*` symbols from the shared library and sets its soname.
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
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libmongoose.so");

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
