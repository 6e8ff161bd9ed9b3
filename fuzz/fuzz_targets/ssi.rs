//! SSI expansion over fuzzed documents: the input is split at NUL bytes
//! into files `d/0`, `d/1`... (the first is the top-level document). Checks:
//! no panic, no unbounded growth (the output limit holds, give or take
//! the rest of the files being expanded), and text without `<!--#` comes back
//! unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mongoose::core::ssi::{expand, MAX_DEPTH};

// 4 KiB of output: the checks are the same at any limit, and an execution
// stays bounded (at 64 KiB the grown corpus ran ~300 inputs a second).
const LIMIT: usize = 1 << 12;

fuzz_target!(|input: &[u8]| {
    let files: Vec<&[u8]> = input.split(|&b| b == 0).take(8).collect();
    let total: usize = files.iter().map(|f| f.len()).sum();
    let mut read = |p: &[u8]| {
        let n = p.strip_prefix(b"d/")?;
        let i: usize = std::str::from_utf8(n).ok()?.parse().ok()?;
        files.get(i).map(|f| f.to_vec())
    };
    let out = expand(files[0], b"d/0", b"d", LIMIT, &mut read);
    // Past the limit only the text of the files still open is copied.
    assert!(out.len() <= LIMIT + (MAX_DEPTH + 1) * total);
    if !files[0].windows(5).any(|w| w == b"<!--#") {
        assert_eq!(out, files[0]);
    }
});
