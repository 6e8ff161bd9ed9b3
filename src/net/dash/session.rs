//! Dashboard users: login sessions, the guest, and the user of each
//! dashboard WebSocket, as observed on Mongoose 7.23's Linux build:
//! * one session per user name (logging in again returns the same token),
//!   at most [`MAX_SESSIONS`] live ones per dashboard (one more user gets
//!   `403 Not Authorised`);
//! * expiry slides: every request a session authenticates moves it to
//!   `session_auto_expiration_seconds` from now; expired sessions are
//!   dropped at the next request, and their WebSockets closed;
//! * an `Authorization` header always goes to `authenticate` (a Bearer
//!   token is the password of an empty user name); without one, the
//!   `access_token` cookie (or `?access_token=`) names a session, and an
//!   unknown token goes to `authenticate` as that password.
//!
//! Ownership: every user is reference-counted. A
//! dashboard's state (sessions, guest, WebSockets) is keyed by manager and
//! dashboard and dropped at `mg_mgr_free`; a WebSocket holds its user, so
//! nothing it may still be handed to (`fn` during `mg_dash_send_change`)
//! dangles while it lives.
use crate::abi::*;
use core::cell::UnsafeCell;
use core::ffi::{c_char, c_int};
use std::sync::{Arc, Mutex, MutexGuard};

/// Live sessions one dashboard keeps.
const MAX_SESSIONS: usize = 10;
/// Session lifetime when the dashboard's `session_auto_expiration_seconds`
/// is 0 (Mongoose's header: "0: 1 hour default").
const DEFAULT_LIFETIME_SECS: u32 = 3600;
/// The login cookie's `Max-Age`, whatever the session's lifetime (as
/// Mongoose sends it).
pub(super) const COOKIE_MAX_AGE_SECS: u64 = 86400;
/// Size of the credential buffers handed to `authenticate`.
const CRED_LEN: usize = 100;

/// A `struct mg_dash_user` at a stable address, shared by the session
/// list and the WebSockets it authenticated.
pub struct User(UnsafeCell<mg_dash_user>);

// SAFETY: the struct is written only by the thread running the manager's
// poll (the dashboard's own callbacks run there too); the lists holding it
// are behind a mutex.
unsafe impl Send for User {}
// SAFETY: as above.
unsafe impl Sync for User {}

impl User {
    fn new(name: &[u8], token: &[u8], level: c_int, expire: u64, dash: *mut mg_dash) -> Arc<User> {
        let mut u =
            mg_dash_user { next: core::ptr::null_mut(), name: [0; 32], token: [0; 21], level, expire, dash };
        for (d, s) in u.name.iter_mut().zip(name.iter().take(31)) {
            *d = *s as c_char;
        }
        for (d, s) in u.token.iter_mut().zip(token.iter().take(20)) {
            *d = *s as c_char;
        }
        Arc::new(User(UnsafeCell::new(u)))
    }

    /// The C view, valid while this `User` lives.
    pub fn ptr(&self) -> *mut mg_dash_user {
        self.0.get()
    }

    fn get(&self) -> &mg_dash_user {
        // SAFETY: only this module writes the struct, never while a
        // reference from here is alive (callers copy what they need).
        unsafe { &*self.0.get() }
    }

    pub fn token(&self) -> Vec<u8> {
        cstr(&self.get().token)
    }

    pub fn name(&self) -> Vec<u8> {
        cstr(&self.get().name)
    }

    pub fn level(&self) -> c_int {
        self.get().level
    }

    fn set_expire(&self, expire: u64, level: Option<c_int>) {
        // SAFETY: see `get`; the program's callbacks get the pointer but
        // are not running now (the caller holds the state lock).
        unsafe {
            (*self.0.get()).expire = expire;
            if let Some(l) = level {
                (*self.0.get()).level = l;
            }
        }
    }
}

fn cstr(a: &[c_char]) -> Vec<u8> {
    a.iter().take_while(|&&b| b != 0).map(|&b| b as u8).collect()
}

/// What the library keeps for one dashboard on one manager.
struct State {
    mgr: usize,
    dash: usize,
    sessions: Vec<Arc<User>>,
    guest: Option<Arc<User>>,
    /// Dashboard WebSockets (connection address) and their users.
    ws: Vec<(usize, Arc<User>)>,
}

static STATES: Mutex<Vec<State>> = Mutex::new(Vec::new());

fn lock() -> MutexGuard<'static, Vec<State>> {
    STATES.lock().unwrap_or_else(|e| e.into_inner())
}

fn state(list: &mut Vec<State>, mgr: *mut mg_mgr, dash: *mut mg_dash) -> &mut State {
    let (mgr, dash) = (mgr as usize, dash as usize);
    match list.iter().position(|s| s.mgr == mgr && s.dash == dash) {
        Some(i) => &mut list[i],
        None => {
            list.push(State { mgr, dash, sessions: Vec::new(), guest: None, ws: Vec::new() });
            list.last_mut().unwrap()
        }
    }
}

fn random_token() -> Vec<u8> {
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut raw = [0u8; 19];
    super::super::random_bytes(&mut raw);
    raw.iter().map(|b| ALNUM[usize::from(*b) % ALNUM.len()]).collect()
}

/// How long a session lives after its last use, in milliseconds.
///
/// # Safety
/// `dash` valid.
unsafe fn lifetime_ms(dash: *mut mg_dash) -> u64 {
    // SAFETY: per the contract.
    let s = unsafe { (*dash).session_auto_expiration_seconds };
    // Mongoose computes the milliseconds in 32-bit unsigned arithmetic
    // (observed: -5 s gives 2^32 - 5000 ms, about 49.7 days); kept, so a
    // session lives exactly as long as there.
    let secs = if s == 0 { DEFAULT_LIFETIME_SECS } else { s as u32 };
    u64::from(secs.wrapping_mul(1000))
}

/// The credentials of a request, as `mg_http_creds` reads them.
pub struct Creds<'a> {
    /// The `Authorization` header, when there is one.
    pub authorization: Option<&'a [u8]>,
    pub cookie: Option<&'a [u8]>,
    pub query: &'a [u8],
}

/// The request's user on dashboard `dash` served by `mgr`: the dashboard's
/// guest without `authenticate`, else a session (see the module notes).
///
/// # Safety
/// `mgr` and `dash` valid; the program's `authenticate` callable.
pub unsafe fn user_of(mgr: *mut mg_mgr, dash: *mut mg_dash, cr: &Creds) -> Option<Arc<User>> {
    // SAFETY: per the contract.
    unsafe {
        let Some(auth) = (*dash).authenticate else {
            let mut list = lock();
            let st = state(&mut list, mgr, dash);
            let g = st.guest.get_or_insert_with(|| User::new(b"guest", b"", 9, 0, dash)).clone();
            // Mongoose publishes its guest there (and ignores what a
            // program stores in it).
            (*dash).guest = g.ptr();
            return Some(g);
        };
        let now = super::super::millis();
        expire(mgr, dash, now);
        let mut user = [0u8; CRED_LEN];
        let mut pass = [0u8; CRED_LEN];
        crate::core::http::creds(cr.authorization, cr.cookie, cr.query, &mut user, &mut pass);
        if user[0] == 0 && pass[0] == 0 {
            return None;
        }
        let life = lifetime_ms(dash);
        if cr.authorization.is_none() {
            let token = cstr(&pass.map(|b| b as c_char));
            let mut list = lock();
            let st = state(&mut list, mgr, dash);
            if let Some(u) = st.sessions.iter().find(|u| u.token() == token) {
                u.set_expire(now + life, None);
                return Some(u.clone());
            }
        }
        // The program's callback runs without the lock held: it may call
        // back into the library.
        let level = auth(user.as_mut_ptr() as *mut c_char, CRED_LEN, pass.as_ptr() as *const c_char);
        if level <= 0 {
            return None;
        }
        let name = cstr(&user.map(|b| b as c_char));
        let mut list = lock();
        let st = state(&mut list, mgr, dash);
        if let Some(u) = st.sessions.iter().find(|u| u.name() == name) {
            u.set_expire(now + life, Some(level));
            return Some(u.clone());
        }
        if st.sessions.len() >= MAX_SESSIONS {
            return None;
        }
        let u = User::new(&name, &random_token(), level, now + life, dash);
        st.sessions.push(u.clone());
        Some(u)
    }
}

/// Drop `dash`'s sessions expired at `now` and close their WebSockets at
/// once (as Mongoose does, on any request with `authenticate` set).
///
/// # Safety
/// `mgr` valid.
unsafe fn expire(mgr: *mut mg_mgr, dash: *mut mg_dash, now: u64) {
    let doomed: Vec<usize> = {
        let mut list = lock();
        let st = state(&mut list, mgr, dash);
        let (gone, keep): (Vec<_>, Vec<_>) =
            std::mem::take(&mut st.sessions).into_iter().partition(|u| u.get().expire <= now);
        st.sessions = keep;
        let mut doomed = Vec::new();
        st.ws.retain(|(c, u)| {
            let dead = gone.iter().any(|g| Arc::ptr_eq(g, u));
            if dead {
                doomed.push(*c);
            }
            !dead
        });
        doomed
    };
    if doomed.is_empty() || mgr.is_null() {
        return;
    }
    // SAFETY: walking the manager's live connections; only those still
    // on its list are touched.
    unsafe {
        let mut c = (*mgr).conns;
        while !c.is_null() {
            if doomed.contains(&(c as usize)) {
                (*c).set_flag(FLAG_IS_CLOSING, true);
            }
            c = (*c).next;
        }
    }
}

/// Remember `c` as a dashboard WebSocket of user `u`.
pub fn add_ws(mgr: *mut mg_mgr, dash: *mut mg_dash, c: *mut mg_connection, u: Arc<User>) {
    let mut list = lock();
    let st = state(&mut list, mgr, dash);
    st.ws.retain(|(k, _)| *k != c as usize);
    st.ws.push((c as usize, u));
}

/// Forget a closing connection's WebSocket user.
pub fn forget_conn(c: *mut mg_connection) {
    for st in lock().iter_mut() {
        st.ws.retain(|(k, _)| *k != c as usize);
    }
}

/// The WebSockets `mgr`'s dashboards registered, with their users.
pub fn websockets(mgr: *mut mg_mgr) -> Vec<(usize, Arc<User>)> {
    lock().iter().filter(|s| s.mgr == mgr as usize).flat_map(|s| s.ws.iter().cloned()).collect()
}

/// Drop everything kept for `mgr`'s dashboards (`mg_mgr_free`, after its
/// connections closed). A dashboard whose `guest` still points at the
/// guest freed here gets NULL: the program's dashboard must stay valid
/// until `mg_mgr_free` returns, as it is its connections' `fn_data`.
///
/// # Safety
/// The dashboards used with `mgr` still valid.
pub unsafe fn forget_mgr(mgr: *mut mg_mgr) {
    let gone: Vec<State> = {
        let mut list = lock();
        let (gone, keep) = std::mem::take(&mut *list).into_iter().partition(|s| s.mgr == mgr as usize);
        *list = keep;
        gone
    };
    for st in gone {
        if let Some(g) = &st.guest {
            let dash = st.dash as *mut mg_dash;
            // SAFETY: per the contract.
            unsafe {
                if (*dash).guest == g.ptr() {
                    (*dash).guest = core::ptr::null_mut();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Weak;

    extern "C" fn auth(_user: *mut c_char, _len: usize, pass: *const c_char) -> c_int {
        // SAFETY: `user_of` passes a NUL-terminated buffer.
        let pass = unsafe { core::ffi::CStr::from_ptr(pass) };
        if pass.to_bytes() == b"pw" {
            3
        } else {
            0
        }
    }

    fn dash() -> Box<mg_dash> {
        // SAFETY: all-zero is a valid mg_dash (NULL pointers, no callbacks).
        let mut d: Box<mg_dash> = Box::new(unsafe { core::mem::zeroed() });
        d.authenticate = Some(auth);
        d
    }

    fn login(mgr: *mut mg_mgr, d: &mut mg_dash, user: &str) -> Option<Arc<User>> {
        let mut b64 = [0u8; 64];
        let n = crate::core::base64::encode(format!("{user}:pw").as_bytes(), &mut b64);
        let basic = [b"Basic ", &b64[..n]].concat();
        let cr = Creds { authorization: Some(&basic), cookie: None, query: b"" };
        // SAFETY: a fake manager address only used as a key; a valid dash.
        unsafe { user_of(mgr, d, &cr) }
    }

    fn zeroed<T>() -> Box<T> {
        // SAFETY: only used for the C structs below, for which all-zero
        // is valid (NULL pointers, no callbacks, empty lists).
        Box::new(unsafe { core::mem::zeroed() })
    }

    #[test]
    fn sessions_are_bounded_and_freed_with_their_manager() {
        let mut m: Box<mg_mgr> = zeroed();
        let mgr: *mut mg_mgr = &mut *m;
        let mut d = dash();
        let first = login(mgr, &mut d, "u0").unwrap();
        let again = login(mgr, &mut d, "u0").unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        let weak: Vec<Weak<User>> = (0..10)
            .map(|i| Arc::downgrade(&login(mgr, &mut d, &format!("u{i}")).expect("ten fit")))
            .collect();
        assert!(login(mgr, &mut d, "u10").is_none(), "an eleventh user is refused");
        drop((first, again));
        add_ws(mgr, &mut *d, 0x2000 as *mut mg_connection, weak[1].upgrade().unwrap());
        // SAFETY: `d` is still valid.
        unsafe { forget_mgr(mgr) };
        assert!(weak[0].upgrade().is_none(), "sessions go with the manager");
        assert!(weak[1].upgrade().is_none(), "so do the WebSockets' users");
        assert!(websockets(mgr).is_empty());
    }

    #[test]
    fn an_expired_session_closes_its_websockets_and_frees() {
        let mut m: Box<mg_mgr> = zeroed();
        let mut conn: Box<mg_connection> = zeroed();
        let c: *mut mg_connection = &mut *conn;
        m.conns = c;
        let mgr: *mut mg_mgr = &mut *m;
        let mut d = dash();
        let u = login(mgr, &mut d, "w").unwrap();
        add_ws(mgr, &mut *d, c, u.clone());
        let weak = Arc::downgrade(&u);
        drop(u);
        // While the WebSocket lives, its user does.
        assert!(weak.upgrade().is_some());
        weak.upgrade().unwrap().set_expire(0, None);
        assert!(login(mgr, &mut d, "x").is_some()); // drops the expired session
                                                    // SAFETY: `c` is the live connection above.
        assert!(unsafe { (*c).flag(FLAG_IS_CLOSING) });
        assert!(weak.upgrade().is_none());
        forget_conn(c);
        // SAFETY: `d` is still valid.
        unsafe { forget_mgr(mgr) };
    }
}
