//! Replays every committed fuzz seed (`fuzz/corpus/<target>/seed-*`) through
//! the fuzz target's own code, so a regression on a known input fails
//! `cargo test` and not only a nightly fuzz run.
//!
//! The targets are compiled here unchanged: each `fuzz/fuzz_targets/<t>.rs`
//! is a module of this test, `libfuzzer_sys` names this crate (below), and
//! this crate's `fuzz_target!` turns the target's closure into a plain
//! `run(&[u8])` function instead of a libFuzzer entry point. So the seeds go
//! through exactly the calls and invariant checks the fuzzer runs.

// `use libfuzzer_sys::fuzz_target;` in the targets resolves to the macro below.
extern crate self as libfuzzer_sys;

use std::path::PathBuf;

/// Inside a module so that the targets reach the macro through their
/// `use libfuzzer_sys::fuzz_target;`, as in the fuzz crate.
mod shim {
    /// Stand-in for `libfuzzer_sys::fuzz_target!`: the body becomes
    /// `fuzz_seed_entry`.
    #[macro_export]
    macro_rules! fuzz_target {
        (|$data:ident: &[u8]| $body:block) => {
            pub fn fuzz_seed_entry($data: &[u8]) $body
        };
    }
}

macro_rules! targets {
    ($($t:ident = $path:literal),* $(,)?) => {
        $(
            // The targets carry `#![no_main]` and are written for the fuzz
            // crate's lint settings, not this crate's.
            #[allow(unused_attributes, clippy::all, dead_code)]
            #[path = $path]
            mod $t;

            #[test]
            fn $t() {
                replay(stringify!($t), $t::fuzz_seed_entry);
            }
        )*

        /// Every directory of `fuzz/corpus/` has a replay test here, so a new
        /// target's seeds cannot go unreplayed.
        #[test]
        fn every_corpus_is_replayed() {
            let known = [$(stringify!($t)),*];
            let mut dirs: Vec<String> = std::fs::read_dir(root().join("fuzz/corpus"))
                .expect("fuzz/corpus")
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            dirs.sort();
            let mut want: Vec<String> = known.iter().map(|s| s.to_string()).collect();
            want.sort();
            assert_eq!(dirs, want);
        }
    };
}

targets!(
    base64_jwt = "../fuzz/fuzz_targets/base64_jwt.rs",
    dns = "../fuzz/fuzz_targets/dns.rs",
    http_parse = "../fuzz/fuzz_targets/http_parse.rs",
    json = "../fuzz/fuzz_targets/json.rs",
    mdns = "../fuzz/fuzz_targets/mdns.rs",
    mg_match = "../fuzz/fuzz_targets/mg_match.rs",
    modbus = "../fuzz/fuzz_targets/modbus.rs",
    mqtt = "../fuzz/fuzz_targets/mqtt.rs",
    printf = "../fuzz/fuzz_targets/printf.rs",
    ssi = "../fuzz/fuzz_targets/ssi.rs",
    url = "../fuzz/fuzz_targets/url.rs",
    ws_frame = "../fuzz/fuzz_targets/ws_frame.rs",
);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs each `seed-*` of `fuzz/corpus/<target>` through `run`, naming the
/// seed that panics.
fn replay(target: &str, run: fn(&[u8])) {
    let dir: PathBuf = root().join("fuzz/corpus").join(target);
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("seed-")))
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    for seed in &seeds {
        let data = std::fs::read(seed).unwrap();
        let name = seed.file_name().unwrap().to_string_lossy().into_owned();
        if let Err(e) = std::panic::catch_unwind(|| run(&data)) {
            panic!("{target}/{name} failed: {}", panic_text(&e));
        }
    }
    eprintln!("{target}: {} seeds replayed", seeds.len());
}

fn panic_text(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
