//! Firmware update (`mg_ota_*`). On Linux Mongoose's OTA backend is a no-op:
//! begin/write/end succeed and discard the data. mongoose-rs keeps that as
//! the default and adds an opt-in file backend: with a target path set
//! (`mg_ota_set_file`, or the `MG_OTA_FILE` environment variable when no
//! path was set), `begin` creates `<path>.part`, `write` appends to it, and
//! `end` checks the size announced to `begin` (and the CRC-32 set with
//! `mg_ota_set_crc32`, if any), fsyncs and renames the part file over
//! `path` in one step; a failed update leaves `path` untouched.
use std::fs::{self, File};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

/// An update in progress on the file backend.
struct Active {
    part: PathBuf,
    path: PathBuf,
    file: File,
    expected: u64,
    written: u64,
    crc: u32,
    want_crc: Option<u32>,
}

#[derive(Default)]
struct State {
    target: Option<PathBuf>,
    want_crc: Option<u32>,
    active: Option<Active>,
}

static STATE: Mutex<State> = Mutex::new(State { target: None, want_crc: None, active: None });

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Set (or with `None`, clear) the file that updates are written to.
pub fn set_file(path: Option<PathBuf>) {
    let mut s = state();
    abort(&mut s);
    s.target = path;
}

/// Expect this CRC-32 (IEEE, as `mg_crc32(0, ...)`) of the next image.
pub fn set_crc32(crc: Option<u32>) {
    state().want_crc = crc;
}

/// The configured target, else `MG_OTA_FILE` from the environment.
fn target(s: &State) -> Option<PathBuf> {
    s.target.clone().or_else(|| std::env::var_os("MG_OTA_FILE").filter(|v| !v.is_empty()).map(PathBuf::from))
}

fn abort(s: &mut State) {
    if let Some(a) = s.active.take() {
        drop(a.file);
        let _ = fs::remove_file(&a.part);
    }
}

/// `mg_ota_begin`.
pub fn begin(size: usize) -> bool {
    let mut s = state();
    abort(&mut s);
    let Some(path) = target(&s) else { return true };
    let mut part = path.clone().into_os_string();
    part.push(".part");
    let part = PathBuf::from(part);
    match File::create(&part) {
        Ok(file) => {
            let want_crc = s.want_crc.take();
            s.active = Some(Active { part, path, file, expected: size as u64, written: 0, crc: 0, want_crc });
            true
        }
        Err(_) => false,
    }
}

/// `mg_ota_write`. Writing more than announced aborts the update.
pub fn write(data: &[u8]) -> bool {
    let mut s = state();
    if target(&s).is_none() {
        return true;
    }
    let Some(a) = s.active.as_mut() else { return false };
    let ok = a.written + data.len() as u64 <= a.expected && a.file.write_all(data).is_ok();
    if ok {
        a.written += data.len() as u64;
        a.crc = crc32(a.crc, data);
    } else {
        abort(&mut s);
    }
    ok
}

/// `mg_ota_end`: commit the image if complete and intact.
pub fn end() -> bool {
    let mut s = state();
    if target(&s).is_none() {
        return true;
    }
    let Some(a) = s.active.take() else { return false };
    let ok = a.written == a.expected
        && a.want_crc.is_none_or(|c| c == a.crc)
        && a.file.sync_all().is_ok()
        && fs::rename(&a.part, &a.path).is_ok();
    if !ok {
        let _ = fs::remove_file(&a.part);
    }
    ok
}

/// CRC-32 (IEEE, reflected), chainable from 0.
pub fn crc32(crc: u32, data: &[u8]) -> u32 {
    let mut c = !crc;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
        }
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_check_value() {
        assert_eq!(crc32(0, b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(crc32(0, b"1234"), b"56789"), 0xCBF4_3926);
    }

    // One test drives the global state through every case, so that parallel
    // tests cannot interleave on it.
    #[test]
    fn file_backend() {
        let dir = std::env::temp_dir().join(format!("mg-ota-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("fw.bin");
        set_file(None);
        assert!(begin(3) && write(b"abcdef") && end(), "stub: anything goes");
        set_file(Some(path.clone()));
        assert!(!write(b"x") && !end(), "no update begun");
        assert!(begin(5) && write(b"hel") && write(b"lo") && end());
        assert_eq!(fs::read(&path).unwrap(), b"hello");
        assert!(begin(5) && write(b"hey") && !end(), "short");
        assert!(begin(2) && !write(b"hey"), "too long");
        assert!(!end());
        set_crc32(Some(crc32(0, b"world")));
        assert!(begin(5) && write(b"World") && !end(), "bad CRC");
        set_crc32(Some(crc32(0, b"world")));
        assert!(begin(5) && write(b"world") && end());
        assert_eq!(fs::read(&path).unwrap(), b"world");
        assert!(!dir.join("fw.bin.part").exists());
        set_file(Some(dir.join("missing/fw.bin")));
        assert!(!begin(1));
        set_file(None);
        fs::remove_dir_all(&dir).unwrap();
    }
}
