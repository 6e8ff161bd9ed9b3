"""Low-level ctypes layer: find and load libmongoose.so, mirror the C structs
(x86_64 layouts of ../shared/spec/abi-x86_64.tsv) and declare prototypes.

Nothing here is public API; see ``mongoose_rs._mongoose`` for the
pymongoose-compatible classes.
"""
import ctypes
import ctypes.util
import os
import pathlib
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    Union,
    c_bool,
    c_char,
    c_char_p,
    c_double,
    c_int,
    c_int64,
    c_long,
    c_size_t,
    c_uint,
    c_uint8,
    c_uint16,
    c_uint32,
    c_uint64,
    c_ulong,
    c_void_p,
)

LIBNAME = "libmongoose.so"
#: Name given to ``ctypes.util.find_library`` for a system-wide install
#: (``make install`` puts ``libmongoose.so.0`` and ``libmongoose.so`` in
#: ``$PREFIX/lib``).
SYSTEM_NAME = "mongoose"
_PKG_DIR = pathlib.Path(__file__).resolve().parent
# python/mongoose_rs -> python -> repository root (when run from a checkout)
_REPO = _PKG_DIR.parent.parent


def candidate_paths():
    """The files the library is looked for at, in order: ``$MONGOOSE_LIB``
    alone when set (a file, or a directory holding ``libmongoose.so``);
    otherwise ``libmongoose.so`` inside the package (``pip install`` puts it
    there), then the cargo build tree (``$CARGO_TARGET_DIR``, and the
    checkout's ``target/`` when the package runs from a source checkout),
    release before debug. :func:`find_library` then asks the system."""
    env = os.environ.get("MONGOOSE_LIB")
    if env:
        p = pathlib.Path(env)
        yield p / LIBNAME if p.is_dir() else p
        return
    yield _PKG_DIR / LIBNAME
    roots = []
    ctd = os.environ.get("CARGO_TARGET_DIR")
    if ctd:
        roots.append(pathlib.Path(ctd))
    if (_REPO / "Cargo.toml").is_file():
        roots.append(_REPO / "target")
    for root in roots:
        for profile in ("release", "debug"):
            yield root / profile / LIBNAME


def find_library():
    """What to load: the first of :func:`candidate_paths` that exists, else
    (unless ``$MONGOOSE_LIB`` is set) a system-installed library found by
    ``ctypes.util.find_library("mongoose")`` (its soname, e.g.
    ``libmongoose.so.0``, which the dynamic loader resolves). Raises
    ``OSError`` listing every place looked at."""
    tried = []
    for p in candidate_paths():
        tried.append(str(p))
        if p.exists():
            return str(p)
    if not os.environ.get("MONGOOSE_LIB"):
        name = ctypes.util.find_library(SYSTEM_NAME)
        if name:
            return name
        tried.append("the system's library path (ctypes.util.find_library('mongoose'))")
    raise OSError(
        "mongoose_rs: libmongoose.so not found; looked at: "
        + "; ".join(tried)
        + ". Install the package with pip (it carries the library), run `make install`"
        " in the mongoose-rs repository, or set MONGOOSE_LIB to the library's path."
    )


LIBRARY_PATH = find_library()
lib = ctypes.CDLL(LIBRARY_PATH)
# As pymongoose (cymongoose) does on import: no library log lines unless the
# program asks (the C default, MG_LL_DEBUG, prints Mongoose's debug story).
ctypes.c_int.in_dll(lib, "mg_log_level").value = 0
_libc = ctypes.CDLL(None)

# --------------------------------------------------------------------------
# Structures (x86_64 layouts; checked against abi-x86_64.tsv by the tests)
# --------------------------------------------------------------------------


class MgStr(Structure):
    _fields_ = [("buf", c_void_p), ("len", c_size_t)]


class MgAddrIp(Union):
    _fields_ = [("ip", c_uint8 * 16), ("ip4", c_uint32), ("ip6", c_uint64 * 2)]


class MgAddr(Structure):
    _fields_ = [("addr", MgAddrIp), ("port", c_uint16), ("scope_id", c_uint8), ("is_ip6", c_bool)]


class MgIobuf(Structure):
    _fields_ = [("buf", c_void_p), ("size", c_size_t), ("len", c_size_t), ("align", c_size_t)]


class MgTimer(Structure):
    _fields_ = [
        ("period_ms", c_uint64),
        ("expire", c_uint64),
        ("flags", c_uint),
        ("fn", c_void_p),
        ("arg", c_void_p),
        ("next", c_void_p),
    ]


class MgDns(Structure):
    _fields_ = [("url", c_void_p), ("c", c_void_p)]


class MgPipe(Union):
    _fields_ = [("fd", c_int), ("q", c_void_p)]


class MgMgr(Structure):
    _fields_ = [
        ("conns", c_void_p),
        ("dns4", MgDns),
        ("dns6", MgDns),
        ("mdns", c_void_p),
        ("dnstimeout", c_int),
        ("use_dns6", c_bool),
        ("nextid", c_ulong),
        ("userdata", c_void_p),
        ("tls_ctx", c_void_p),
        ("mqtt_id", c_uint16),
        ("active_dns_requests", c_void_p),
        ("active_mdns_requests", c_void_p),
        ("timers", c_void_p),
        ("epoll_fd", c_int),
        ("ifp", c_void_p),
        ("extraconnsize", c_size_t),
        ("pipe", MgPipe),
    ]


class MgConnection(Structure):
    # The C bitfields (dscp:6, is_listening:1, ...) share one 32-bit word at
    # offset 280; FLAG_BITS gives each flag's bit within that word.
    _fields_ = [
        ("next", c_void_p),
        ("mgr", c_void_p),
        ("loc", MgAddr),
        ("rem", MgAddr),
        ("fd", c_void_p),
        ("id", c_ulong),
        ("recv", MgIobuf),
        ("send", MgIobuf),
        ("prof", MgIobuf),
        ("rtls", MgIobuf),
        ("fn", c_void_p),
        ("fn_data", c_void_p),
        ("pfn", c_void_p),
        ("pfn_data", c_void_p),
        ("data", c_char * 32),
        ("tls", c_void_p),
        ("flags", c_uint32),
    ]


FLAGS_OFFSET = 280
# (byte offset - 280) * 8 + bit, from the bitfield rows of abi-x86_64.tsv
FLAG_BITS = {
    "is_listening": 6,
    "is_client": 7,
    "is_accepted": 8,
    "is_resolving": 9,
    "is_arplooking": 10,
    "is_connecting": 11,
    "is_tls": 12,
    "is_tls_hs": 13,
    "is_udp": 14,
    "is_websocket": 15,
    "is_mqtt5": 16,
    "is_hexdumping": 17,
    "is_draining": 18,
    "is_closing": 19,
    "is_full": 20,
    "is_tls_throttled": 21,
    "is_resp": 22,
    "is_readable": 23,
    "is_writable": 24,
}


class MgHttpHeader(Structure):
    _fields_ = [("name", MgStr), ("value", MgStr)]


MG_MAX_HTTP_HEADERS = 30


class MgHttpMessage(Structure):
    _fields_ = [
        ("method", MgStr),
        ("uri", MgStr),
        ("query", MgStr),
        ("proto", MgStr),
        ("headers", MgHttpHeader * MG_MAX_HTTP_HEADERS),
        ("body", MgStr),
        ("head", MgStr),
        ("message", MgStr),
    ]


class MgHttpServeOpts(Structure):
    _fields_ = [
        ("root_dir", c_char_p),
        ("ssi_pattern", c_char_p),
        ("extra_headers", c_char_p),
        ("mime_types", c_char_p),
        ("page404", c_char_p),
        ("fs", c_void_p),
    ]


class MgHttpPart(Structure):
    _fields_ = [("name", MgStr), ("filename", MgStr), ("body", MgStr)]


class MgTlsOpts(Structure):
    _fields_ = [
        ("ca", MgStr),
        ("cert", MgStr),
        ("key", MgStr),
        ("name", MgStr),
        ("skip_verification", c_bool),
    ]


class MgWsMessage(Structure):
    _fields_ = [("data", MgStr), ("flags", c_uint8)]


class MgMqttProp(Structure):
    _fields_ = [("id", c_uint8), ("iv", c_uint32), ("key", MgStr), ("val", MgStr)]


class MgMqttOpts(Structure):
    _fields_ = [
        ("user", MgStr),
        ("pass", MgStr),
        ("client_id", MgStr),
        ("topic", MgStr),
        ("message", MgStr),
        ("qos", c_uint8),
        ("version", c_uint8),
        ("keepalive", c_uint16),
        ("retransmit_id", c_uint16),
        ("retain", c_bool),
        ("clean", c_bool),
        ("props", c_void_p),
        ("num_props", c_size_t),
        ("will_props", c_void_p),
        ("num_will_props", c_size_t),
    ]


class MgMqttMessage(Structure):
    _fields_ = [
        ("topic", MgStr),
        ("data", MgStr),
        ("dgram", MgStr),
        ("id", c_uint16),
        ("cmd", c_uint8),
        ("qos", c_uint8),
        ("ack", c_uint8),
        ("props_start", c_size_t),
        ("props_size", c_size_t),
    ]


# Python-side mirrors of the structs, by C name (used by the ABI test).
STRUCTS = {
    "mg_str": MgStr,
    "mg_addr": MgAddr,
    "mg_iobuf": MgIobuf,
    "mg_timer": MgTimer,
    "mg_dns": MgDns,
    "mg_pipe": MgPipe,
    "mg_mgr": MgMgr,
    "mg_connection": MgConnection,
    "mg_http_header": MgHttpHeader,
    "mg_http_message": MgHttpMessage,
    "mg_http_serve_opts": MgHttpServeOpts,
    "mg_http_part": MgHttpPart,
    "mg_tls_opts": MgTlsOpts,
    "mg_ws_message": MgWsMessage,
    "mg_mqtt_prop": MgMqttProp,
    "mg_mqtt_opts": MgMqttOpts,
    "mg_mqtt_message": MgMqttMessage,
}

# --------------------------------------------------------------------------
# Callback types
# --------------------------------------------------------------------------

EVENT_HANDLER = CFUNCTYPE(None, c_void_p, c_int, c_void_p)
TIMER_FN = CFUNCTYPE(None, c_void_p)

# --------------------------------------------------------------------------
# Prototypes. A symbol the library does not export yet maps to None; the
# Python API raises NotImplementedError when it needs one of those.
# --------------------------------------------------------------------------

MISSING = set()


def _proto(name, restype, argtypes, variadic=False):
    try:
        f = getattr(lib, name)
    except AttributeError:
        MISSING.add(name)
        return None
    f.restype = restype
    # Variadic functions: only the fixed part is declared; callers pass the
    # variable arguments as explicit ctypes objects (c_int, c_char_p, ...).
    f.argtypes = argtypes
    return f


P = c_void_p  # any pointer we only pass around

mg_mgr_init = _proto("mg_mgr_init", None, [P])
mg_mgr_poll = _proto("mg_mgr_poll", None, [P, c_int])
mg_mgr_free = _proto("mg_mgr_free", None, [P])
mg_mgr_set_poll_interval = _proto("mg_mgr_set_poll_interval", None, [P, c_ulong])
mg_listen = _proto("mg_listen", P, [P, c_char_p, EVENT_HANDLER, P])
mg_connect = _proto("mg_connect", P, [P, c_char_p, EVENT_HANDLER, P])
mg_http_listen = _proto("mg_http_listen", P, [P, c_char_p, EVENT_HANDLER, P])
mg_http_connect = _proto("mg_http_connect", P, [P, c_char_p, EVENT_HANDLER, P])
mg_send = _proto("mg_send", c_bool, [P, c_void_p, c_size_t])
mg_printf = _proto("mg_printf", c_size_t, [P, c_char_p], variadic=True)
mg_error = _proto("mg_error", None, [P, c_char_p], variadic=True)
mg_close_conn = _proto("mg_close_conn", None, [P])
mg_resolve = _proto("mg_resolve", None, [P, c_char_p])
mg_resolve_cancel = _proto("mg_resolve_cancel", None, [P])
mg_wakeup_init = _proto("mg_wakeup_init", c_bool, [P])
mg_wakeup = _proto("mg_wakeup", c_bool, [P, c_ulong, c_void_p, c_size_t])
mg_mgr_shutdown = _proto("mg_mgr_shutdown", None, [P, c_ulong])
mg_mgr_is_done = _proto("mg_mgr_is_done", c_bool, [P])
mg_mgr_shutdown_on_signals = _proto("mg_mgr_shutdown_on_signals", None, [P, c_ulong])

mg_timer_add = _proto("mg_timer_add", P, [P, c_uint64, c_uint, TIMER_FN, P])
mg_timer_free = _proto("mg_timer_free", None, [P, P])

mg_http_reply = _proto("mg_http_reply", None, [P, c_int, c_char_p, c_char_p], variadic=True)
# A second handle on the same function for Connection.reply(): unprototyped
# (its arguments already have the right types, so argtypes conversion is pure
# cost) and through PyDLL, which keeps the GIL for the call: mg_http_reply
# only formats into c->send and never blocks.
mg_http_reply_fast = ctypes.PyDLL(LIBRARY_PATH)["mg_http_reply"]
mg_http_reply_fast.restype = None
mg_http_printf_chunk = _proto("mg_http_printf_chunk", None, [P, c_char_p], variadic=True)
mg_http_write_chunk = _proto("mg_http_write_chunk", None, [P, c_void_p, c_size_t])
mg_http_serve_dir = _proto("mg_http_serve_dir", None, [P, P, POINTER(MgHttpServeOpts)])
mg_http_serve_file = _proto("mg_http_serve_file", None, [P, P, c_char_p, POINTER(MgHttpServeOpts)])
mg_http_get_header = _proto("mg_http_get_header", POINTER(MgStr), [P, c_char_p])
mg_http_get_header_var = _proto("mg_http_get_header_var", MgStr, [MgStr, MgStr])
mg_http_get_var = _proto("mg_http_get_var", c_int, [POINTER(MgStr), c_char_p, c_void_p, c_size_t])
mg_http_status = _proto("mg_http_status", c_int, [P])
mg_http_bauth = _proto("mg_http_bauth", None, [P, c_char_p, c_char_p])
mg_http_next_multipart = _proto("mg_http_next_multipart", c_size_t, [MgStr, c_size_t, POINTER(MgHttpPart)])
mg_url_encode = _proto("mg_url_encode", c_size_t, [c_void_p, c_size_t, c_void_p, c_size_t])

# Encoders and hashes (API.md section 15). Contexts are opaque buffers of the
# C sizes (mg_md5_ctx 88, mg_sha1_ctx 92, mg_sha256_ctx 112 bytes).
MD5_CTX_SIZE, SHA1_CTX_SIZE, SHA256_CTX_SIZE = 88, 92, 112
mg_base64_encode = _proto("mg_base64_encode", c_size_t, [c_void_p, c_size_t, c_void_p, c_size_t])
mg_base64_decode = _proto("mg_base64_decode", c_size_t, [c_void_p, c_size_t, c_void_p, c_size_t])
mg_md5_init = _proto("mg_md5_init", None, [P])
mg_md5_update = _proto("mg_md5_update", None, [P, c_void_p, c_size_t])
mg_md5_final = _proto("mg_md5_final", None, [P, c_void_p])
mg_sha1_init = _proto("mg_sha1_init", None, [P])
mg_sha1_update = _proto("mg_sha1_update", None, [P, c_void_p, c_size_t])
mg_sha1_final = _proto("mg_sha1_final", None, [c_void_p, P])
mg_sha256 = _proto("mg_sha256", None, [c_void_p, c_void_p, c_size_t])
mg_hmac_sha256 = _proto("mg_hmac_sha256", None, [c_void_p, c_void_p, c_size_t, c_void_p, c_size_t])

mg_json_get_tok = _proto("mg_json_get_tok", MgStr, [MgStr, c_char_p])
mg_json_get_num = _proto("mg_json_get_num", c_bool, [MgStr, c_char_p, POINTER(c_double)])
mg_json_get_bool = _proto("mg_json_get_bool", c_bool, [MgStr, c_char_p, POINTER(c_bool)])
mg_json_get_long = _proto("mg_json_get_long", c_long, [MgStr, c_char_p, c_long])
mg_json_get_str = _proto("mg_json_get_str", c_void_p, [MgStr, c_char_p])

mg_ws_upgrade = _proto("mg_ws_upgrade", None, [P, P, c_char_p], variadic=True)
mg_ws_send = _proto("mg_ws_send", c_size_t, [P, c_void_p, c_size_t, c_int])
# Unprototyped, GIL-keeping handle for Connection.ws_send() (as for
# mg_http_reply_fast): mg_ws_send only frames into c->send and never blocks.
mg_ws_send_fast = ctypes.PyDLL(LIBRARY_PATH)["mg_ws_send"] if mg_ws_send is not None else None
if mg_ws_send_fast is not None:
    mg_ws_send_fast.restype = c_size_t
mg_ws_connect = _proto("mg_ws_connect", P, [P, c_char_p, EVENT_HANDLER, P, c_char_p], variadic=True)
mg_ws_printf = _proto("mg_ws_printf", c_size_t, [P, c_int, c_char_p], variadic=True)
mg_mqtt_connect = _proto("mg_mqtt_connect", P, [P, c_char_p, POINTER(MgMqttOpts), EVENT_HANDLER, P])
mg_mqtt_listen = _proto("mg_mqtt_listen", P, [P, c_char_p, EVENT_HANDLER, P])
mg_mqtt_pub = _proto("mg_mqtt_pub", c_uint16, [P, POINTER(MgMqttOpts)])
mg_mqtt_sub = _proto("mg_mqtt_sub", None, [P, POINTER(MgMqttOpts)])
mg_mqtt_ping = _proto("mg_mqtt_ping", None, [P])
mg_mqtt_pong = _proto("mg_mqtt_pong", None, [P])
mg_mqtt_disconnect = _proto("mg_mqtt_disconnect", None, [P, POINTER(MgMqttOpts)])
mg_sntp_connect = _proto("mg_sntp_connect", P, [P, c_char_p, EVENT_HANDLER, P])
mg_sntp_request = _proto("mg_sntp_request", None, [P])
mg_tls_init = _proto("mg_tls_init", None, [P, POINTER(MgTlsOpts)])
mg_tls_free = _proto("mg_tls_free", None, [P])

_mg_free = _proto("mg_free", None, [c_void_p])
if _mg_free is None:  # the library allocates with the C allocator
    _mg_free = _libc.free
    _mg_free.restype = None
    _mg_free.argtypes = [c_void_p]
mg_free = _mg_free

# Python's own C API (GIL held): run pending Python signal handlers now.
PyErr_CheckSignals = ctypes.pythonapi.PyErr_CheckSignals
PyErr_CheckSignals.restype = c_int
PyErr_CheckSignals.argtypes = []

__all__ = [n for n in dir() if n.startswith(("mg_", "Mg"))]
_ = (c_int64,)
