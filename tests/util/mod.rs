//! Helpers shared by the integration tests: where the built library is, how
//! to compile C against it.
#![allow(dead_code)]

use std::ffi::{c_int, c_void};
use std::net::TcpStream;
use std::os::fd::FromRawFd;
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

/// A client socket to 127.0.0.1:`port` with an 8 KB receive buffer, set
/// before connecting so the window is small from the start: the server's
/// socket then fills (a slow reader; `sendfile` meets EAGAIN), where
/// loopback would otherwise take megabytes.
pub fn connect_small(port: u16) -> TcpStream {
    // SAFETY: plain socket calls on a descriptor we own; the sockaddr is a
    // fully initialised sockaddr_in.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        assert!(fd >= 0);
        let v: c_int = 8192;
        let r = libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            &v as *const c_int as *const c_void,
            std::mem::size_of::<c_int>() as libc::socklen_t,
        );
        assert_eq!(r, 0);
        let mut sa: libc::sockaddr_in = std::mem::zeroed();
        sa.sin_family = libc::AF_INET as libc::sa_family_t;
        sa.sin_port = port.to_be();
        sa.sin_addr.s_addr = u32::from_be_bytes([127, 0, 0, 1]).to_be();
        let r = libc::connect(
            fd,
            &sa as *const libc::sockaddr_in as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        );
        assert_eq!(r, 0, "connect");
        TcpStream::from_raw_fd(fd)
    }
}
