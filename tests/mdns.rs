//! mDNS on a private network namespace. Multicast must never leave the
//! machine, so the test re-runs itself under `unshare -n` (a namespace
//! with only `lo`, multicast routed to it); if namespaces are not
//! permitted it skips loudly, and fails instead when `CI` is set.
//!
//! Inside: our responder answers queries built by hand on raw sockets,
//! `mg_mdns_query` gets our own responder's answer and a hand-built one.
//! Expected bytes and fields are what Mongoose 7.23 (the cymongoose
//! oracle) sent and reported for the same exchanges.

use mongoose::abi::*;
use mongoose::ffi::mdns::*;
use mongoose::ffi::net::*;
use std::ffi::{c_int, c_void, CString};
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::os::fd::FromRawFd;
use std::process::Command;
use std::time::{Duration, Instant};

const NS_ENV: &str = "MONGOOSE_MDNS_IN_NETNS";
const GROUP: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 251);

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

// The oracle's answers for respname "devname", address 10.1.2.3 and the
// DNS-SD record ("_http._tcp", "\x05a=b=c\x03k=v", 8080).
const ANS_A: &str = "000084000000000100000000076465766e616d65056c6f63616c00000100010000007800040a010203";
const ANS_A_QU: &str = "123484000000000100000000076465766e616d65056c6f63616c00000100010000007800040a010203";
const ANS_PTR: &str = "000084000000000100000003055f68747470045f746370056c6f63616c00000c000100000078000a076465766e616d65c00cc02800210001000000780010000000001f90076465766e616d65c017c0280010000100000078000a05613d623d63036b3d76c044000100010000007800040a010203";
const ANS_SRV: &str = "000084000000000100000001055f68747470045f746370056c6f63616c0000210001000000780010000000001f90076465766e616d65c017c02e000100010000007800040a010203";
const ANS_TXT: &str =
    "000084000000000100000000055f68747470045f746370056c6f63616c000010000100000078000a05613d623d63036b3d76";
const QUERY_A: &str = "000000000001000000000000076465766e616d65056c6f63616c0000010001";

fn qname(n: &str) -> Vec<u8> {
    let mut v = Vec::new();
    for l in n.split('.') {
        v.push(l.len() as u8);
        v.extend_from_slice(l.as_bytes());
    }
    v.push(0);
    v
}

fn query(id: u16, name: &str, rtype: u16, class: u16) -> Vec<u8> {
    let mut p = id.to_be_bytes().to_vec();
    p.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    p.extend(qname(name));
    p.extend_from_slice(&rtype.to_be_bytes());
    p.extend_from_slice(&class.to_be_bytes());
    p
}

#[derive(Debug, Clone, PartialEq)]
struct Req {
    reqname: Vec<u8>,
    rr: (u16, u16, u16, u16),
    is_listing: bool,
    is_unicast: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Resp {
    rr: (u16, u16, u16, u16),
    name: Vec<u8>,
    ip: [u8; 4],
    port: u16,
    srvcproto: Vec<u8>,
    txt: Vec<u8>,
    sd_port: u16,
}

struct State {
    answer: bool,
    reqs: Vec<Req>,
    resps: Vec<Resp>,
    read_lens: Vec<usize>,
    addr: mg_addr,
    sd: mg_dnssd_record,
}

fn bytes(s: &mg_str) -> Vec<u8> {
    // SAFETY: views handed to us during the event.
    unsafe { s.as_bytes() }.to_vec()
}

unsafe extern "C" fn on_event(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: fn_data is the live State; ev_data per the event.
    unsafe {
        let st = &mut *((*c).fn_data as *mut State);
        match ev {
            MG_EV_MDNS_REQ => {
                let r = &mut *(ev_data as *mut mg_mdns_req);
                let rr = &*r.rr;
                assert!(r.r.is_null() && r.addr.is_null() && !r.is_resp && r.respname.buf.is_null());
                st.reqs.push(Req {
                    reqname: bytes(&r.reqname),
                    rr: (rr.nlen, rr.atype, rr.aclass, rr.alen),
                    is_listing: r.is_listing,
                    is_unicast: r.is_unicast,
                });
                if st.answer {
                    r.is_resp = true;
                    r.respname = mg_str::from_slice(b"devname");
                    r.addr = &mut st.addr;
                    r.r = &mut st.sd;
                }
            }
            MG_EV_MDNS_RESP => {
                let r = &*(ev_data as *const mg_mdns_resp);
                let rr = &*r.rr;
                st.resps.push(Resp {
                    rr: (rr.nlen, rr.atype, rr.aclass, rr.alen),
                    name: bytes(&r.name),
                    ip: r.addr.ip()[..4].try_into().unwrap(),
                    port: u16::from_be(r.addr.port),
                    srvcproto: bytes(&r.sd.srvcproto),
                    txt: bytes(&r.sd.txt),
                    sd_port: r.sd.port,
                });
            }
            MG_EV_READ => st.read_lens.push((*c).recv.len),
            _ => {}
        }
    }
}

/// A socket on port 5353 in the group, as another mDNS host would have.
fn group_member() -> UdpSocket {
    // SAFETY: plain socket calls on a descriptor we own; the option values
    // outlive the calls.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM, 0);
        assert!(fd >= 0);
        let one: c_int = 1;
        libc::setsockopt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, &one as *const c_int as *const c_void, 4);
        let sock = UdpSocket::from_raw_fd(fd);
        let sa = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: 5353u16.to_be(),
            sin_addr: libc::in_addr { s_addr: 0 },
            sin_zero: [0; 8],
        };
        let rc = libc::bind(
            fd,
            &sa as *const libc::sockaddr_in as *const libc::sockaddr,
            size_of::<libc::sockaddr_in>() as libc::socklen_t,
        );
        assert_eq!(rc, 0, "bind 5353: {}", std::io::Error::last_os_error());
        sock.join_multicast_v4(&GROUP, &Ipv4Addr::UNSPECIFIED).unwrap();
        sock.set_nonblocking(true).unwrap();
        sock
    }
}

struct Env {
    mgr: Box<mg_mgr>,
    c: *mut mg_connection,
    st: Box<State>,
    member: UdpSocket,
    client: UdpSocket,
}

impl Env {
    fn poll_until(&mut self, what: &str, mut cond: impl FnMut(&mut Env) -> bool) {
        let end = Instant::now() + Duration::from_secs(3);
        while !cond(self) {
            assert!(Instant::now() < end, "timed out waiting for {what}");
            // SAFETY: initialised manager.
            unsafe { mg_mgr_poll(&mut *self.mgr, 10) };
        }
    }

    /// The next datagram on `sock` that is not one of `skip`.
    fn next_packet(&mut self, member: bool, skip: &[Vec<u8>]) -> (Vec<u8>, SocketAddr) {
        let mut got = None;
        self.poll_until("a datagram", |e| {
            let mut buf = [0u8; 1500];
            let s = if member { &e.member } else { &e.client };
            while let Ok((n, from)) = s.recv_from(&mut buf) {
                if !skip.iter().any(|k| k[..] == buf[..n]) {
                    got = Some((buf[..n].to_vec(), from));
                    return true;
                }
            }
            false
        });
        got.unwrap()
    }

    fn ask(&mut self, q: &[u8]) -> Vec<u8> {
        // Forget what the member heard before (questions we sent).
        let mut buf = [0u8; 1500];
        while self.member.recv_from(&mut buf).is_ok() {}
        self.client.send_to(q, (GROUP, 5353)).unwrap();
        self.next_packet(true, &[q.to_vec()]).0
    }
}

fn setup() -> Env {
    // SAFETY: zeroed memory is what mg_mgr_init overwrites.
    let mut mgr: Box<mg_mgr> = Box::new(unsafe { std::mem::zeroed() });
    // SAFETY: valid manager memory.
    unsafe { mg_mgr_init(&mut *mgr) };
    let mut addr = mg_addr::default();
    // SAFETY: plain-data union write.
    unsafe { addr.addr.ip[..4].copy_from_slice(&[10, 1, 2, 3]) };
    let sd = mg_dnssd_record {
        srvcproto: mg_str::from_slice(b"_http._tcp"),
        txt: mg_str::from_slice(b"\x05a=b=c\x03k=v"),
        port: 8080,
    };
    let mut st = Box::new(State { answer: true, reqs: vec![], resps: vec![], read_lens: vec![], addr, sd });
    // The member joins first: our listener's socket must share the port.
    let member = group_member();
    // SAFETY: live manager; `st` outlives the connection (freed in teardown).
    let c = unsafe { mg_mdns_listen(&mut *mgr, Some(on_event), &mut *st as *mut State as *mut c_void) };
    assert!(!c.is_null());
    assert_eq!(mgr.mdns, c);
    // SAFETY: live connection.
    let loc = unsafe { (*c).loc };
    assert_eq!((&loc.ip()[..4], u16::from_be(loc.port)), (&[224u8, 0, 0, 251][..], 5353));
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client.set_nonblocking(true).unwrap();
    Env { mgr, c, st, member, client }
}

fn responder_answers_hand_built_queries() {
    let mut e = setup();
    assert_eq!(e.ask(&query(0x1234, "myhost.local", 1, 1)), hex(ANS_A));
    assert_eq!(
        e.st.reqs.last().unwrap(),
        &Req { reqname: b"myhost".to_vec(), rr: (14, 1, 1, 0), is_listing: false, is_unicast: false }
    );
    // The datagram is consumed: the program's READ sees an empty recv.
    assert_eq!(e.st.read_lens.last(), Some(&0));
    assert_eq!(e.ask(&query(0x1234, "_http._tcp.local", 12, 1)), hex(ANS_PTR));
    assert_eq!(e.ask(&query(0x1234, "devname._http._tcp.local", 33, 1)), hex(ANS_SRV));
    assert_eq!(e.st.reqs.last().unwrap().reqname, b"devname._http._tcp");
    assert_eq!(e.ask(&query(0x1234, "devname._http._tcp.local", 16, 1)), hex(ANS_TXT));

    // No answer to a service listing, nor an event for AAAA or a name
    // outside .local: the next answer on the wire is the A that follows.
    let n = e.st.reqs.len();
    let skip: Vec<Vec<u8>> = vec![
        query(1, "_services._dns-sd._udp.local", 12, 1),
        query(2, "devname.local", 28, 1),
        query(3, "devname", 1, 1),
        query(4, "devname.local", 1, 1),
    ];
    for q in &skip {
        e.client.send_to(q, (GROUP, 5353)).unwrap();
    }
    assert_eq!(e.next_packet(true, &skip).0, hex(ANS_A));
    let got: Vec<(Vec<u8>, bool)> =
        e.st.reqs[n..].iter().map(|r| (r.reqname.clone(), r.is_listing)).collect();
    assert_eq!(got, vec![(b"_services._dns-sd._udp".to_vec(), true), (b"devname".to_vec(), false)]);

    // A QU question is answered to the sender, keeping its id.
    let q = query(0x1234, "devname.local", 1, 0x8001);
    e.client.send_to(&q, (GROUP, 5353)).unwrap();
    let (p, from) = e.next_packet(false, &[]);
    assert_eq!(p, hex(ANS_A_QU));
    assert_eq!(from.port(), 5353);
    assert_eq!(
        e.st.reqs.last().unwrap(),
        &Req { reqname: b"devname".to_vec(), rr: (15, 1, 1, 0), is_listing: false, is_unicast: true }
    );

    // A program that does not set is_resp sends nothing.
    e.st.answer = false;
    let silent = query(5, "quiet.local", 1, 1);
    e.client.send_to(&silent, (GROUP, 5353)).unwrap();
    e.poll_until("the silent request", |e| e.st.reqs.last().unwrap().reqname == b"quiet");
    e.st.answer = true;
    assert_eq!(e.ask(&query(6, "x.local", 1, 1)), hex(ANS_A));
    teardown(e);
}

fn query_gets_answers() {
    let mut e = setup();
    let name = CString::new("devname.local").unwrap();
    // SAFETY: live connection, NUL-terminated name.
    assert!(unsafe { mg_mdns_query(e.c, name.as_ptr(), 1) });
    // On the wire: the oracle's query bytes.
    assert_eq!(e.next_packet(true, &[]).0, hex(QUERY_A));
    // Our own responder hears it (multicast loops back), answers, and
    // hears its answer.
    e.poll_until("the A response", |e| !e.st.resps.is_empty());
    let a = Resp { rr: (15, 1, 1, 4), name: b"devname.local".to_vec(), ip: [10, 1, 2, 3], ..Resp::default() };
    assert_eq!(e.st.resps[0], a);

    let svc = CString::new("_http._tcp.local").unwrap();
    // SAFETY: as above.
    assert!(unsafe { mg_mdns_query(e.c, svc.as_ptr(), 12) });
    e.poll_until("the PTR response", |e| e.st.resps.len() == 2);
    let ptr = Resp {
        rr: (18, 12, 1, 10),
        name: b"devname.local".to_vec(),
        ip: [10, 1, 2, 3],
        port: 8080,
        srvcproto: b"_http._tcp".to_vec(),
        txt: b"\x05a=b=c\x03k=v".to_vec(),
        sd_port: 8080,
    };
    assert_eq!(e.st.resps[1], ptr);

    // An answer from another host, with the cache-flush bit.
    e.st.answer = false;
    let foreign = hex("000084000000000100000000056f74686572056c6f63616c0000018001000000780004c0a80107");
    e.client.send_to(&foreign, (GROUP, 5353)).unwrap();
    e.poll_until("the foreign response", |e| e.st.resps.len() == 3);
    let other = Resp {
        rr: (13, 1, 0x8001, 4),
        name: b"other.local".to_vec(),
        ip: [192, 168, 1, 7],
        ..Resp::default()
    };
    assert_eq!(e.st.resps[2], other);
    // SAFETY: NULL arguments are refused.
    unsafe {
        assert!(!mg_mdns_query(std::ptr::null_mut(), name.as_ptr(), 1));
        assert!(!mg_mdns_query(e.c, std::ptr::null(), 1));
    }
    teardown(e);
}

#[derive(Default)]
struct ConnLog {
    events: Vec<c_int>,
    error: String,
    rem: Option<([u8; 4], u16)>,
    at_error: Option<Instant>,
}

unsafe extern "C" fn on_conn(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: fn_data is the live ConnLog; ERROR carries a C string.
    unsafe {
        let log = &mut *((*c).fn_data as *mut ConnLog);
        match ev {
            MG_EV_POLL => return,
            MG_EV_ERROR => {
                log.error =
                    std::ffi::CStr::from_ptr(ev_data as *const std::ffi::c_char).to_string_lossy().into();
                log.at_error = Some(Instant::now());
            }
            MG_EV_CONNECT => {
                let r = (*c).rem;
                log.rem = Some((r.ip()[..4].try_into().unwrap(), u16::from_be(r.port)));
            }
            _ => {}
        }
        log.events.push(ev);
    }
}

fn connect_resolves_local_names() {
    let mut e = setup();
    // SAFETY: plain-data union write.
    unsafe { e.st.addr.addr.ip[..4].copy_from_slice(&[127, 0, 0, 1]) };
    let mut log = Box::<ConnLog>::default();
    let url = CString::new("udp://devname.local:1234").unwrap();
    // SAFETY: live manager; `log` outlives the connection.
    let c = unsafe {
        mg_connect(&mut *e.mgr, url.as_ptr(), Some(on_conn), &mut *log as *mut ConnLog as *mut c_void)
    };
    assert!(!c.is_null());
    // The lookup is an ordinary A question from the mDNS socket.
    assert_eq!(e.next_packet(true, &[]).0, hex(QUERY_A));
    e.poll_until("the connection", |_| log.events.contains(&MG_EV_CONNECT));
    assert_eq!(log.events, vec![MG_EV_OPEN, MG_EV_RESOLVE, MG_EV_CONNECT]);
    assert_eq!(log.rem, Some(([127, 0, 0, 1], 1234)));
    // The answer event that resolved it carries the connection's port.
    e.poll_until("the A response", |e| !e.st.resps.is_empty());
    assert_eq!((e.st.resps[0].ip, e.st.resps[0].port), ([127, 0, 0, 1], 1234));

    // Nobody answers: "mDNS timeout" after 500 ms.
    e.st.answer = false;
    let mut log2 = Box::<ConnLog>::default();
    let url = CString::new("udp://nobody.local:1").unwrap();
    let start = Instant::now();
    // SAFETY: as above.
    let c2 = unsafe {
        mg_connect(&mut *e.mgr, url.as_ptr(), Some(on_conn), &mut *log2 as *mut ConnLog as *mut c_void)
    };
    assert!(!c2.is_null());
    e.poll_until("the timeout", |_| log2.events.contains(&MG_EV_CLOSE));
    assert_eq!(log2.events, vec![MG_EV_OPEN, MG_EV_ERROR, MG_EV_CLOSE]);
    assert_eq!(log2.error, "mDNS timeout");
    let waited = log2.at_error.unwrap() - start;
    // The deadline is kept on the millisecond clock (`mg_millis`), which
    // truncates: it can end up to 1 ms before 500 ms of wall time.
    assert!(waited >= Duration::from_millis(499) && waited < Duration::from_millis(1500), "{waited:?}");

    // A cancelled lookup never completes nor fails.
    let mut log3 = Box::<ConnLog>::default();
    let url = CString::new("udp://late.local:1").unwrap();
    // SAFETY: as above.
    let c3 = unsafe {
        mg_connect(&mut *e.mgr, url.as_ptr(), Some(on_conn), &mut *log3 as *mut ConnLog as *mut c_void)
    };
    // SAFETY: live connection.
    unsafe { mg_resolve_cancel(c3) };
    let until = Instant::now() + Duration::from_millis(700);
    e.poll_until("700 ms", |_| Instant::now() >= until);
    assert_eq!(log3.events, vec![MG_EV_OPEN]);
    teardown(e);
}

fn teardown(mut e: Env) {
    // SAFETY: initialised manager; closing clears mgr->mdns.
    unsafe { mg_mgr_free(&mut *e.mgr) };
    assert!(e.mgr.mdns.is_null());
    drop(e.st);
}

fn permitted() -> bool {
    Command::new("unshare").args(["-n", "true"]).status().map(|s| s.success()).unwrap_or(false)
}

#[test]
fn mdns_on_private_loopback() {
    if std::env::var_os(NS_ENV).is_some() {
        responder_answers_hand_built_queries();
        query_gets_answers();
        connect_resolves_local_names();
        return;
    }
    if !permitted() {
        let msg = "SKIPPED: mDNS tests need `unshare -n` (a private network namespace) and it is not permitted here";
        assert!(std::env::var_os("CI").is_none(), "{msg}");
        eprintln!("\n!!!!!!!!!! {msg} !!!!!!!!!!\n");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let script = "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && \
                  exec \"$0\" mdns_on_private_loopback --exact --nocapture --test-threads=1";
    let out =
        Command::new("unshare").args(["-n", "sh", "-c", script]).arg(&exe).env(NS_ENV, "1").output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.contains("1 passed"), "in the namespace:\n{text}");
}
