//! Socket system calls, kept in one place: creation, bind/listen, connect,
//! accept, recv/send, and conversions between `mg_addr` and `sockaddr`.
use crate::abi::{mg_addr, mg_addr_ip, MG_SOCK_LISTEN_BACKLOG_SIZE};
use libc::{c_int, c_void, sockaddr, sockaddr_in, sockaddr_in6, sockaddr_storage, socklen_t};
use std::io;
use std::mem::{size_of, zeroed};

/// The result of one read or write attempt.
pub enum Io {
    Done(usize),
    WouldBlock,
    /// End of stream or a hard error.
    Closed,
}

fn errno() -> i32 {
    io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Fill a `sockaddr_storage` from an `mg_addr`; returns its length.
pub fn to_sockaddr(a: &mg_addr, ss: &mut sockaddr_storage) -> socklen_t {
    // SAFETY: all-zero is a valid sockaddr_storage; we write the family's
    // variant through properly sized casts of the same storage.
    unsafe {
        *ss = zeroed();
        if a.is_ip6 {
            let s6 = ss as *mut sockaddr_storage as *mut sockaddr_in6;
            (*s6).sin6_family = libc::AF_INET6 as u16;
            (*s6).sin6_port = a.port;
            (*s6).sin6_addr.s6_addr = a.addr.ip;
            (*s6).sin6_scope_id = a.scope_id as u32;
            size_of::<sockaddr_in6>() as socklen_t
        } else {
            let s4 = ss as *mut sockaddr_storage as *mut sockaddr_in;
            (*s4).sin_family = libc::AF_INET as u16;
            (*s4).sin_port = a.port;
            (*s4).sin_addr.s_addr = a.addr.ip4;
            size_of::<sockaddr_in>() as socklen_t
        }
    }
}

/// Convert a `sockaddr_storage` filled by the kernel into an `mg_addr`.
pub fn from_sockaddr(ss: &sockaddr_storage) -> mg_addr {
    let mut a = mg_addr::default();
    // SAFETY: the family field tells which variant the kernel wrote.
    unsafe {
        if ss.ss_family as c_int == libc::AF_INET6 {
            let s6 = &*(ss as *const sockaddr_storage as *const sockaddr_in6);
            a.addr = mg_addr_ip { ip: s6.sin6_addr.s6_addr };
            a.port = s6.sin6_port;
            a.scope_id = s6.sin6_scope_id as u8;
            a.is_ip6 = true;
        } else if ss.ss_family as c_int == libc::AF_INET {
            let s4 = &*(ss as *const sockaddr_storage as *const sockaddr_in);
            a.addr = mg_addr_ip { ip: [0; 16] };
            a.addr.ip4 = s4.sin_addr.s_addr;
            a.port = s4.sin_port;
        }
    }
    a
}

fn setopt(fd: c_int, level: c_int, name: c_int, val: c_int) {
    // SAFETY: `val` outlives the call; errors are deliberately ignored
    // (options are best effort, as in Mongoose).
    unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            &val as *const c_int as *const c_void,
            size_of::<c_int>() as socklen_t,
        );
    }
}

/// Create a non-blocking, close-on-exec socket for `addr`'s family.
pub fn socket(addr: &mg_addr, udp: bool) -> io::Result<c_int> {
    let fam = if addr.is_ip6 { libc::AF_INET6 } else { libc::AF_INET };
    let ty = if udp { libc::SOCK_DGRAM } else { libc::SOCK_STREAM };
    // SAFETY: plain socket(2) call.
    let fd = unsafe { libc::socket(fam, ty | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(fd)
    }
}

/// Close a descriptor.
pub fn close(fd: c_int) {
    if fd >= 0 {
        // SAFETY: we own `fd`.
        unsafe { libc::close(fd) };
    }
}

/// Bind (and for TCP, listen on) `addr`. Returns the socket.
pub fn listen(addr: &mg_addr, udp: bool) -> io::Result<c_int> {
    let fd = socket(addr, udp)?;
    setopt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1);
    if !udp && NODELAY_INHERITED {
        // Accepted sockets inherit it: one call here instead of one per accept.
        set_nodelay(fd);
    }
    if addr.is_ip6 {
        // Departure (IPv6 works): dual-stack, so `[::]` also takes IPv4.
        setopt(fd, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 0);
    }
    let mut ss: sockaddr_storage = unsafe_zeroed();
    let len = to_sockaddr(addr, &mut ss);
    // SAFETY: `ss` holds a valid address of `len` bytes.
    let rc = unsafe { libc::bind(fd, &ss as *const sockaddr_storage as *const sockaddr, len) };
    if rc != 0 {
        let e = io::Error::last_os_error();
        close(fd);
        return Err(e);
    }
    // SAFETY: plain listen(2) on our socket.
    if !udp && unsafe { libc::listen(fd, MG_SOCK_LISTEN_BACKLOG_SIZE) } != 0 {
        let e = io::Error::last_os_error();
        close(fd);
        return Err(e);
    }
    Ok(fd)
}

fn unsafe_zeroed() -> sockaddr_storage {
    // SAFETY: all-zero is a valid sockaddr_storage.
    unsafe { zeroed() }
}

/// The local address of a socket.
pub fn local_addr(fd: c_int) -> mg_addr {
    let mut ss = unsafe_zeroed();
    let mut len = size_of::<sockaddr_storage>() as socklen_t;
    // SAFETY: `ss`/`len` describe a writable buffer of the right size.
    unsafe { libc::getsockname(fd, &mut ss as *mut sockaddr_storage as *mut sockaddr, &mut len) };
    from_sockaddr(&ss)
}

/// Start a non-blocking connect. Ok(true) = connected at once, Ok(false) =
/// in progress.
pub fn connect(fd: c_int, addr: &mg_addr) -> io::Result<bool> {
    let mut ss = unsafe_zeroed();
    let len = to_sockaddr(addr, &mut ss);
    // SAFETY: `ss` holds a valid address of `len` bytes.
    let rc = unsafe { libc::connect(fd, &ss as *const sockaddr_storage as *const sockaddr, len) };
    if rc == 0 {
        return Ok(true);
    }
    match errno() {
        libc::EINPROGRESS | libc::EAGAIN => Ok(false),
        _ => Err(io::Error::last_os_error()),
    }
}

/// Options Mongoose sets on outbound TCP sockets.
pub fn set_client_opts(fd: c_int) {
    setopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1);
    setopt(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1);
}

/// Whether accepted sockets inherit TCP_NODELAY from their listener (Linux
/// copies the listener's TCP options into the child; `tests/net.rs` checks).
pub const NODELAY_INHERITED: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// Disable Nagle on accepted sockets: responses are written whole.
pub fn set_nodelay(fd: c_int) {
    setopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1);
}

/// The pending error of a socket (0 = none), e.g. after a non-blocking connect.
pub fn so_error(fd: c_int) -> c_int {
    let mut v: c_int = 0;
    let mut len = size_of::<c_int>() as socklen_t;
    // SAFETY: `v`/`len` describe a writable int.
    let rc = unsafe {
        libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_ERROR, &mut v as *mut c_int as *mut c_void, &mut len)
    };
    if rc != 0 {
        errno()
    } else {
        v
    }
}

/// Accept one connection: Ok(Some((fd, peer))), Ok(None) when none is
/// pending, Err on failure (EMFILE and friends).
pub fn accept(fd: c_int) -> io::Result<Option<(c_int, mg_addr)>> {
    let mut ss = unsafe_zeroed();
    let mut len = size_of::<sockaddr_storage>() as socklen_t;
    // SAFETY: `ss`/`len` describe a writable sockaddr buffer.
    let nfd = unsafe {
        libc::accept4(
            fd,
            &mut ss as *mut sockaddr_storage as *mut sockaddr,
            &mut len,
            libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
        )
    };
    if nfd >= 0 {
        return Ok(Some((nfd, from_sockaddr(&ss))));
    }
    match errno() {
        libc::EAGAIN | libc::EINTR | libc::ECONNABORTED => Ok(None),
        _ => Err(io::Error::last_os_error()),
    }
}

/// One `recv`/`recvfrom` into `buf`; for UDP the sender goes to `from`.
pub fn recv(fd: c_int, buf: &mut [u8], from: Option<&mut mg_addr>) -> Io {
    let dgram = from.is_some();
    let n = match from {
        None => {
            // SAFETY: `buf` is writable for its length.
            unsafe { libc::recv(fd, buf.as_mut_ptr() as *mut c_void, buf.len(), 0) }
        }
        Some(a) => {
            let mut ss = unsafe_zeroed();
            let mut len = size_of::<sockaddr_storage>() as socklen_t;
            // SAFETY: `buf` and `ss` are writable for the given lengths.
            let n = unsafe {
                libc::recvfrom(
                    fd,
                    buf.as_mut_ptr() as *mut c_void,
                    buf.len(),
                    0,
                    &mut ss as *mut sockaddr_storage as *mut sockaddr,
                    &mut len,
                )
            };
            if n >= 0 {
                *a = from_sockaddr(&ss);
            }
            n
        }
    };
    // An empty datagram is not end-of-stream.
    classify(n, dgram)
}

fn classify(n: isize, zero_ok: bool) -> Io {
    if n > 0 || (n == 0 && zero_ok) {
        Io::Done(n as usize)
    } else if n < 0 && matches!(errno(), libc::EAGAIN | libc::EINTR) {
        Io::WouldBlock
    } else {
        Io::Closed
    }
}

/// One `send` (stream) or `sendto` (datagram, to `to`).
pub fn send(fd: c_int, data: &[u8], to: Option<&mg_addr>) -> Io {
    let n = match to {
        None => {
            // SAFETY: `data` is readable for its length; MSG_NOSIGNAL keeps a
            // closed peer from raising SIGPIPE.
            unsafe { libc::send(fd, data.as_ptr() as *const c_void, data.len(), libc::MSG_NOSIGNAL) }
        }
        Some(a) => {
            let mut ss = unsafe_zeroed();
            let len = to_sockaddr(a, &mut ss);
            // SAFETY: `data` and `ss` are valid for the given lengths.
            unsafe {
                libc::sendto(
                    fd,
                    data.as_ptr() as *const c_void,
                    data.len(),
                    libc::MSG_NOSIGNAL,
                    &ss as *const sockaddr_storage as *const sockaddr,
                    len,
                )
            }
        }
    };
    classify(n, data.is_empty())
}

/// Join the IPv4 multicast group `group` (network order) on the default
/// interface (`INADDR_ANY`: the kernel picks it from the routing table).
pub fn join_group(fd: c_int, group: [u8; 4]) -> bool {
    let m = libc::ip_mreq {
        imr_multiaddr: libc::in_addr { s_addr: u32::from_ne_bytes(group) },
        imr_interface: libc::in_addr { s_addr: libc::INADDR_ANY },
    };
    // SAFETY: `m` outlives the call and its size is passed.
    unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_IP,
            libc::IP_ADD_MEMBERSHIP,
            &m as *const libc::ip_mreq as *const c_void,
            size_of::<libc::ip_mreq>() as libc::socklen_t,
        ) == 0
    }
}
