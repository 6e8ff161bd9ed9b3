//! Static files end to end through `c-examples/file-server`: a 100 MB file
//! is served byte-identical with flat server memory (peak RSS checked in
//! /proc) while other clients are answered, plus a few wire checks of the
//! example itself. Exact heads and the many edge cases are in
//! `tests/c/test_fs.c`.
mod util;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

const BIG: usize = 100 * 1024 * 1024;

fn pattern(i: usize) -> u8 {
    (i.wrapping_mul(31) ^ (i >> 11)) as u8
}

/// `make -C c-examples/file-server example` against this build, once.
fn file_server() -> &'static PathBuf {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let dir = util::repo().join("c-examples/file-server");
        let out = Command::new("make")
            .arg("-s")
            .arg("-C")
            .arg(&dir)
            .arg(format!("LIBDIR={}", util::target_dir().display()))
            .arg("-B")
            .arg("example")
            .output()
            .expect("make");
        assert!(out.status.success(), "building file-server: {}", String::from_utf8_lossy(&out.stderr));
        dir.join("example")
    })
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("mgfs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(p.join("www")).unwrap();
        Scratch(p)
    }
    fn www(&self) -> PathBuf {
        self.0.join("www")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running example, killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(root: &Path) -> Server {
        let mut child = Command::new(file_server())
            .arg(root)
            .arg("http://127.0.0.1:0")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().rsplit(':').next().and_then(|p| p.parse().ok());
        let Some(port) = port else {
            let _ = child.kill();
            panic!("unexpected first line: {line:?}");
        };
        Server { child, port }
    }

    /// Peak resident set of the server process, in KiB.
    fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Read a response head; returns it and its Content-Length.
fn read_head(s: &mut TcpStream) -> (String, usize) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).unwrap(), 1, "EOF in head");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let len =
        head.lines().find_map(|l| l.strip_prefix("Content-Length:")).map_or(0, |v| v.trim().parse().unwrap());
    (head, len)
}

fn get(srv: &Server, req: &str) -> (String, Vec<u8>) {
    let mut s = srv.connect();
    s.write_all(req.as_bytes()).unwrap();
    let (head, len) = read_head(&mut s);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).unwrap();
    (head, body)
}

#[test]
fn hundred_megabytes_stream_with_flat_memory() {
    let dir = Scratch::new("big");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.www().join("big.bin")).unwrap());
        let mut buf = vec![0u8; 1 << 20];
        for base in (0..BIG).step_by(1 << 20) {
            for (k, b) in buf.iter_mut().enumerate() {
                *b = pattern(base + k);
            }
            f.write_all(&buf).unwrap();
        }
    }
    std::fs::write(dir.www().join("small.txt"), b"small").unwrap();
    let srv = Server::start(&dir.www());
    let idle_rss = srv.peak_rss_kib();

    let mut big = srv.connect();
    big.write_all(b"GET /big.bin HTTP/1.1\r\n\r\n").unwrap();
    let (head, len) = read_head(&mut big);
    assert!(
        head.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nEtag: \""),
        "{head}"
    );
    assert!(head.ends_with(&format!("Content-Length: {BIG}\r\n\r\n")), "{head}");
    assert_eq!(len, BIG);

    let mut buf = vec![0u8; 256 * 1024];
    let mut got = 0usize;
    let check = |data: &[u8], at: usize| {
        for (k, &b) in data.iter().enumerate() {
            if b != pattern(at + k) {
                panic!("byte {} differs", at + k);
            }
        }
    };
    // Read 1 MB, then stop reading: the server is mid-file, and must still
    // answer another client at once.
    while got < 1 << 20 {
        let n = big.read(&mut buf).unwrap();
        assert!(n > 0);
        check(&buf[..n], got);
        got += n;
    }
    let (h2, body) = get(&srv, "GET /small.txt HTTP/1.1\r\n\r\n");
    assert!(h2.starts_with("HTTP/1.1 200 OK\r\n"), "{h2}");
    assert_eq!(body, b"small");
    while got < BIG {
        let n = big.read(&mut buf[..(BIG - got).min(256 * 1024)]).unwrap();
        assert!(n > 0, "EOF after {got} bytes");
        check(&buf[..n], got);
        got += n;
    }
    // Keep-alive: the same connection serves the next request.
    big.write_all(b"GET /small.txt HTTP/1.1\r\n\r\n").unwrap();
    let (_, len) = read_head(&mut big);
    assert_eq!(len, 5);

    let peak = srv.peak_rss_kib();
    eprintln!("file-server peak RSS: {idle_rss} KiB idle, {peak} KiB after {} MiB", BIG >> 20);
    assert!(
        peak < idle_rss + 8 * 1024,
        "server memory grew from {idle_rss} KiB to {peak} KiB for a {} MiB file",
        BIG >> 20
    );
}

#[test]
fn file_server_example_serves_a_folder() {
    let dir = Scratch::new("folder");
    std::fs::write(dir.www().join("index.html"), b"<p>home</p>").unwrap();
    std::fs::create_dir(dir.www().join("docs")).unwrap();
    std::fs::write(dir.www().join("docs").join("a b.txt"), b"abc").unwrap();
    std::fs::write(dir.0.join("secret"), b"TOPSECRET").unwrap();
    let srv = Server::start(&dir.www());

    let (head, body) = get(&srv, "GET / HTTP/1.1\r\n\r\n");
    assert!(
        head.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nEtag: "),
        "{head}"
    );
    assert_eq!(body, b"<p>home</p>");

    let (head, body) = get(&srv, "GET /docs/ HTTP/1.1\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "));
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("<td><a href=\"a%20b.txt\">a b.txt</a></td>"), "{page}");

    let (head, body) = get(&srv, "GET /docs/a%20b.txt HTTP/1.1\r\nRange: bytes=1-\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 206 Partial Content\r\n"), "{head}");
    assert!(head.contains("Content-Range: bytes 1-2/3\r\n"), "{head}");
    assert_eq!(body, b"bc");

    let (head, _) = get(&srv, "GET /docs HTTP/1.1\r\n\r\n");
    assert_eq!(head, "HTTP/1.1 301 Moved\r\nLocation: /docs/\r\nContent-Length: 0\r\n\r\n");

    for uri in ["/../secret", "/%2e%2e/secret", "/docs/..%2f..%2fsecret", "/..%5csecret"] {
        let (head, body) = get(&srv, &format!("GET {uri} HTTP/1.1\r\n\r\n"));
        assert_eq!(head, "HTTP/1.1 400 Bad Request\r\nContent-Length: 12         \r\n\r\n", "{uri}");
        assert_eq!(body, b"Invalid path");
    }
    let (head, body) = get(&srv, "GET /nothing HTTP/1.1\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 404 Not Found\r\n"));
    assert_eq!(body, b"Not found\n");
}
