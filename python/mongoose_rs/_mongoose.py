"""pymongoose-compatible API over libmongoose.so (mongoose-rs) with ctypes.

Reference: EVENT-LOOP.md section 11 (names, defaults, return values, data
conversion per event, errors). Additions beyond pymongoose: ``Timer.cancel()``,
``Manager.shutdown()``, ``Manager.is_done``, ``Manager.shutdown_on_signals()``.
"""
import ctypes
import signal
import sys
import threading
import traceback
from ctypes import byref, c_bool, c_char_p, c_double, c_int, c_size_t, c_uint64, c_void_p

from . import _lib as L

# ---------------------------------------------------------------------------
# Constants (values of the C library, 7.22 numbering: MG_EV_USER == 23)
# ---------------------------------------------------------------------------
MG_EV_ERROR = 0
MG_EV_OPEN = 1
MG_EV_POLL = 2
MG_EV_RESOLVE = 3
MG_EV_CONNECT = 4
MG_EV_ACCEPT = 5
MG_EV_TLS_HS = 6
MG_EV_READ = 7
MG_EV_WRITE = 8
MG_EV_CLOSE = 9
MG_EV_HTTP_HDRS = 10
MG_EV_HTTP_MSG = 11
MG_EV_WS_OPEN = 12
MG_EV_WS_MSG = 13
MG_EV_WS_CTL = 14
MG_EV_MQTT_CMD = 15
MG_EV_MQTT_MSG = 16
MG_EV_MQTT_OPEN = 17
MG_EV_SNTP_TIME = 18
MG_EV_WAKEUP = 19
MG_EV_MDNS_REQ = 20
MG_EV_MDNS_RESP = 21
MG_EV_MODBUS_REQ = 22
MG_EV_USER = 23

WEBSOCKET_OP_CONTINUE = 0
WEBSOCKET_OP_TEXT = 1
WEBSOCKET_OP_BINARY = 2
WEBSOCKET_OP_CLOSE = 8
WEBSOCKET_OP_PING = 9
WEBSOCKET_OP_PONG = 10

MG_TIMER_ONCE = 0
MG_TIMER_REPEAT = 1
MG_TIMER_RUN_NOW = 2
MG_TIMER_AUTODELETE = 8

DEFAULT_GRACE_MS = 3000

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _enc(s):
    """str -> UTF-8 bytes; bytes-like -> bytes; None -> None."""
    if s is None:
        return None
    if isinstance(s, str):
        return s.encode("utf-8", "surrogateescape")
    return bytes(s)


def _payload(data):
    """Byte payloads accept str (UTF-8) or any bytes-like object."""
    if data is None:
        return b""
    if isinstance(data, str):
        return data.encode("utf-8", "surrogateescape")
    return bytes(data)


def _dec(b):
    return b.decode("utf-8", "surrogateescape")


def _str_bytes(s):
    """Bytes viewed by an mg_str (b"" when absent/empty)."""
    if not s.buf or not s.len:
        return b""
    return ctypes.string_at(s.buf, s.len)


def _mgstr(b):
    """An MgStr viewing bytes object ``b`` (caller keeps ``b`` alive)."""
    if not b:
        return L.MgStr(None, 0)
    return L.MgStr(ctypes.cast(c_char_p(b), c_void_p), len(b))


def _need(fn, what):
    if fn is None:
        raise NotImplementedError(
            f"{what} is not available: this build of libmongoose (mongoose-rs, "
            f"{L.LIBRARY_PATH}) does not export it yet"
        )
    return fn


_exception_hook = None


def set_callback_exception_hook(hook):
    """Install ``hook(where, exc)``, called for every exception a handler or
    timer callback raises (they cannot propagate into C). ``None`` restores
    the default: print it with a traceback. Returns the previous hook.
    Test suites use it to fail a test whose callback raised."""
    global _exception_hook
    prev, _exception_hook = _exception_hook, hook
    return prev


def _report(where):
    """Print the current exception with a traceback (never propagate to C),
    or hand it to the hook set by ``set_callback_exception_hook``."""
    try:
        hook = _exception_hook
        if hook is not None:
            hook(where, sys.exc_info()[1])
            return
        sys.stderr.write(f"mongoose_rs: exception in {where}:\n")
        traceback.print_exc()
    except Exception:  # pragma: no cover - stderr gone or a failing hook
        pass


_TEXT_PLAIN = b"Content-Type: text/plain\r\n"
_HEADER_BLOCKS = {}


def _header_block(headers):
    """dict -> b"K: V\\r\\n..." in dict order. Handlers usually pass the same
    few dicts on every request, so the rendering is memoised by content."""
    try:
        key = tuple(headers.items())
        block = _HEADER_BLOCKS.get(key)
    except TypeError:  # unhashable keys or values: render every time
        key = block = None
    if block is None:
        block = "".join([f"{k!s}: {v!s}\r\n" for k, v in headers.items()]).encode("utf-8", "surrogateescape")
        # Only all-str keys are stored: 1 == True == 1.0 would otherwise
        # share an entry although they render differently.
        if key is not None and all(type(x) is str for kv in key for x in kv):
            if len(_HEADER_BLOCKS) >= 256:
                _HEADER_BLOCKS.clear()
            _HEADER_BLOCKS[key] = block
    return block


def _fmt_addr(a):
    if a.is_ip6:
        ip = bytes(a.addr.ip)
        host = ":".join("%04x" % ((ip[i] << 8) | ip[i + 1]) for i in range(0, 16, 2))
    else:
        ip = bytes(a.addr.ip[:4])
        host = "%d.%d.%d.%d" % tuple(ip)
    port = ((a.port & 0xFF) << 8) | (a.port >> 8)
    return (host, port, bool(a.is_ip6))


# ---------------------------------------------------------------------------
# Message views (valid only during the callback that received them)
# ---------------------------------------------------------------------------


class HttpMessage:
    """View of a ``struct mg_http_message``; valid only inside the handler."""

    __slots__ = ("_ptr", "_view")

    def __new__(cls, ptr=None):
        """Made by the manager for MG_EV_HTTP_MSG/HTTP_HDRS/WS_OPEN (``ptr``: the C
        message); an HttpMessage without a pointer is empty and false. The
        fields are set here, not in ``__init__``, so that even
        ``HttpMessage.__new__(HttpMessage)`` is a valid empty message."""
        self = object.__new__(cls)
        self._ptr = ptr
        self._view = None
        return self

    @property
    def _hm(self):
        # Built on first use: most handlers look at an HTTP_HDRS message (and
        # many at an HTTP_MSG one) without reading a single field.
        hm = self._view
        if hm is None and self._ptr:
            hm = self._view = L.MgHttpMessage.from_address(self._ptr)
        return hm

    def _invalidate(self):
        self._ptr = None
        self._view = None

    def __bool__(self):
        return self._ptr is not None

    def _field(self, name):
        if self._hm is None:
            return b""
        return _str_bytes(getattr(self._hm, name))

    @property
    def method(self):
        """Request method (``str``), e.g. ``"GET"``; ``""`` once invalid."""
        return _dec(self._field("method"))

    @property
    def uri(self):
        """Request path without the query string (``str``, not URL-decoded)."""
        return _dec(self._field("uri"))

    @property
    def query(self):
        """Query string after ``?`` (``str``, not URL-decoded; ``""`` if none)."""
        return _dec(self._field("query"))

    @property
    def proto(self):
        """Protocol of the request line, e.g. ``"HTTP/1.1"`` (``str``)."""
        return _dec(self._field("proto"))

    @property
    def body_bytes(self):
        """The body (``bytes``; de-chunked for chunked requests)."""
        return self._field("body")

    @property
    def body_text(self):
        """The body decoded as UTF-8 (invalid bytes replaced)."""
        return _dec(self._field("body"))

    # Extras (not in pymongoose): the raw head and the whole message.
    @property
    def head_bytes(self):
        """The request line and headers as received (``bytes``; an addition)."""
        return self._field("head")

    @property
    def message_bytes(self):
        """The whole message, head and body (``bytes``; an addition)."""
        return self._field("message")

    def header(self, name, default=None):
        """Value of the first header ``name`` (case-insensitive), or default."""
        if self._ptr is None:
            return default
        p = L.mg_http_get_header(self._ptr, _enc(name))
        if not p:
            return default
        return _dec(_str_bytes(p.contents))

    def headers(self):
        """List of (name, value) for the parsed headers (at most 30)."""
        if self._hm is None:
            return []
        out = []
        for h in self._hm.headers:
            if not h.name.len:
                break
            out.append((_dec(_str_bytes(h.name)), _dec(_str_bytes(h.value))))
        return out

    def query_var(self, name):
        """URL-decoded query variable (256-byte buffer as pymongoose), or None."""
        if self._hm is None:
            return None
        buf = ctypes.create_string_buffer(256)
        q = L.MgStr(self._hm.query.buf, self._hm.query.len)
        n = L.mg_http_get_var(byref(q), _enc(name), buf, 256)
        if n <= 0:
            return None
        return _dec(buf.raw[:n])

    def status(self):
        """Numeric status of a parsed response (0 for requests); ``None`` for a
        message made without one (as pymongoose)."""
        if self._ptr is None:
            return None
        return int(L.mg_http_status(self._ptr))

    def header_var(self, header_name, var_name):
        """Value of ``var_name=`` inside header ``header_name``, or None."""
        if self._ptr is None:
            return None
        p = L.mg_http_get_header(self._ptr, _enc(header_name))
        if not p:
            return None
        vb = _enc(var_name)
        r = L.mg_http_get_header_var(p.contents, _mgstr(vb))
        if not r.buf or not r.len:
            return None
        return _dec(_str_bytes(r))

    def __repr__(self):
        """``<HttpMessage METHOD URI>`` (or ``invalid`` after the callback)."""
        if self._ptr is None:
            return "<HttpMessage invalid>"
        return f"<HttpMessage {self.method} {self.uri}>"


class WsMessage:
    """View of a ``struct mg_ws_message``; valid only inside the handler."""

    __slots__ = ("_ptr", "_m")

    def __init__(self, ptr=None):
        """Made by the manager for MG_EV_WS_MSG/WS_CTL (``ptr``: the C message)."""
        self._ptr = ptr
        self._m = L.MgWsMessage.from_address(ptr) if ptr else None

    def _invalidate(self):
        self._ptr = None
        self._m = None

    def __bool__(self):
        return self._ptr is not None

    @property
    def data(self):
        """The frame payload (``bytes``)."""
        return b"" if self._m is None else _str_bytes(self._m.data)

    @property
    def text(self):
        """The payload decoded as UTF-8 (invalid bytes replaced)."""
        return _dec(self.data)

    @property
    def flags(self):
        """The frame's first byte (FIN bit and opcode, ``flags & 15`` is the
        ``WEBSOCKET_OP_*``)."""
        return 0 if self._m is None else int(self._m.flags)


class MqttMessage:
    """View of a ``struct mg_mqtt_message``; valid only inside the handler."""

    __slots__ = ("_ptr", "_m")

    def __init__(self, ptr=None):
        """Made by the manager for MG_EV_MQTT_MSG/MQTT_CMD (``ptr``: the C message)."""
        self._ptr = ptr
        self._m = L.MgMqttMessage.from_address(ptr) if ptr else None

    def _invalidate(self):
        self._ptr = None
        self._m = None

    def __bool__(self):
        return self._ptr is not None

    @property
    def topic(self):
        """The topic (``str``)."""
        return "" if self._m is None else _dec(_str_bytes(self._m.topic))

    @property
    def data(self):
        """The payload (``bytes``)."""
        return b"" if self._m is None else _str_bytes(self._m.data)

    @property
    def text(self):
        """The payload decoded as UTF-8 (invalid bytes replaced)."""
        return _dec(self.data)

    @property
    def id(self):
        """The packet id (``int``)."""
        return 0 if self._m is None else int(self._m.id)

    @property
    def cmd(self):
        """The MQTT command number (``int``)."""
        return 0 if self._m is None else int(self._m.cmd)

    @property
    def qos(self):
        """The QoS level (0, 1 or 2)."""
        return 0 if self._m is None else int(self._m.qos)

    @property
    def ack(self):
        """The CONNACK return code (``int``)."""
        return 0 if self._m is None else int(self._m.ack)


class TlsOpts:
    """TLS options; fields stored as bytes (None -> b"")."""

    def __init__(self, ca=None, cert=None, key=None, name=None, skip_verification=False):
        """``ca``, ``cert``, ``key``: PEM data (str or bytes); ``name``: the host
        name to verify; ``skip_verification``: do not verify the peer."""
        self.ca = _payload(ca)
        self.cert = _payload(cert)
        self.key = _payload(key)
        self.name = _payload(name)
        self.skip_verification = bool(skip_verification)


# ---------------------------------------------------------------------------
# Timer
# ---------------------------------------------------------------------------


class Timer:
    """A timer added with ``Manager.timer_add``. Keeps the callback alive
    while the library can call it; ``cancel()`` (an addition to pymongoose)
    stops and frees it."""

    __slots__ = ("_mgr", "_ptr", "_token", "callback", "repeat", "__weakref__")

    def __init__(self, mgr, token, callback, repeat):
        """Made by ``Manager.timer_add``; not meant to be called directly."""
        self._mgr = mgr
        self._ptr = None
        self._token = token
        self.callback = callback
        self.repeat = repeat

    @property
    def active(self):
        """True while the timer can still fire."""
        return self._ptr is not None

    def cancel(self):
        """Stop the timer and free it. Idempotent; safe inside its own (or
        any) callback. Returns True if the timer was active."""
        mgr = self._mgr
        ptr = self._ptr
        if ptr is None or mgr is None or mgr._mgr is None:
            self._release()
            return False
        L.mg_timer_free(mgr._timers_head, ptr)
        L.mg_free(ptr)
        self._release()
        return True

    def _release(self):
        mgr = self._mgr
        if mgr is not None:
            mgr._timers.pop(self._token, None)
        self._ptr = None
        self._mgr = None

    def __repr__(self):
        """``<Timer active|done repeat=...>``."""
        return f"<Timer {'active' if self.active else 'done'} repeat={self.repeat}>"


# ---------------------------------------------------------------------------
# Connection
# ---------------------------------------------------------------------------

_CLOSED = "Connection has been closed"


def _flag_property(name, doc):
    bit = 1 << L.FLAG_BITS[name]
    default = name == "is_closing"

    def get(self):
        c = self._c
        if c is None:
            return default
        return bool(c.flags & bit)

    get.__name__ = name
    return property(get, doc=f"``c->{name}``: {doc}")


class Connection:
    """Wrapper of one ``struct mg_connection *``. One wrapper per pointer,
    cached by the manager; detached (pointer NULL) after MG_EV_CLOSE."""

    def __init__(self, manager, ptr):
        """Made by the manager (``listen``, ``connect``, accepted connections);
        not meant to be called directly. ``userdata`` is free for the program."""
        self._manager = manager
        self._ptr = ptr
        self._c = L.MgConnection.from_address(ptr)
        self._cp = c_void_p(ptr)  # ready-made argument for the hot calls
        self._handler = None
        self._closing_now = False
        self.userdata = None

    # -- internal -----------------------------------------------------------
    def _detach(self):
        self._ptr = None
        self._c = None
        self._cp = None

    def _live(self):
        if self._ptr is None:
            raise RuntimeError(_CLOSED)
        return self._ptr

    def _set_flag(self, name, value=True):
        c = self._c
        bit = 1 << L.FLAG_BITS[name]
        if value:
            c.flags |= bit
        else:
            c.flags &= ~bit & 0xFFFFFFFF

    # -- properties ---------------------------------------------------------
    @property
    def id(self):
        """The connection's id (``c->id``; what ``Manager.wakeup`` takes); 0 once
        closed."""
        return 0 if self._c is None else int(self._c.id)

    @property
    def handler(self):
        """The Python handler events of this connection go to (None: the
        manager's)."""
        return self._handler

    def set_handler(self, handler):
        """Send this connection's events to ``handler(conn, ev, data)`` (None: the
        manager's handler)."""
        self._handler = handler

    is_listening = _flag_property("is_listening", "a listening socket.")
    is_client = _flag_property("is_client", "made by ``connect`` (outbound).")
    is_accepted = _flag_property("is_accepted", "accepted by a listener.")
    is_tls = _flag_property("is_tls", "TLS is on.")
    is_udp = _flag_property("is_udp", "a UDP connection.")
    is_websocket = _flag_property("is_websocket", "upgraded to WebSocket.")
    is_readable = _flag_property("is_readable", "the socket was readable in this poll.")
    is_writable = _flag_property("is_writable", "the socket was writable in this poll.")
    is_full = _flag_property("is_full", "the receive buffer is full (reading paused).")
    is_draining = _flag_property("is_draining", "closes once the send buffer is flushed (see ``drain``).")
    is_closing = _flag_property("is_closing", "closes at the end of this poll (True once closed).")
    is_resp = _flag_property("is_resp", "a response is being produced (HTTP server side).")

    @property
    def local_addr(self):
        """``(host, port, is_ip6)`` of the local end, or None once closed."""
        return None if self._c is None else _fmt_addr(self._c.loc)

    @property
    def remote_addr(self):
        """``(host, port, is_ip6)`` of the peer, or None once closed."""
        return None if self._c is None else _fmt_addr(self._c.rem)

    @property
    def recv_len(self):
        """Bytes waiting in the receive buffer (``c->recv.len``)."""
        return 0 if self._c is None else int(self._c.recv.len)

    @property
    def send_len(self):
        """Bytes waiting in the send buffer (``c->send.len``)."""
        return 0 if self._c is None else int(self._c.send.len)

    @property
    def recv_size(self):
        """Allocated size of the receive buffer (``c->recv.size``)."""
        return 0 if self._c is None else int(self._c.recv.size)

    @property
    def send_size(self):
        """Allocated size of the send buffer (``c->send.size``)."""
        return 0 if self._c is None else int(self._c.send.size)

    # -- raw I/O --------------------------------------------------------------
    def send(self, data):
        """Queue bytes (``mg_send``); UDP sends one datagram now."""
        ptr = self._live()
        b = _payload(data)
        if not L.mg_send(ptr, b, len(b)):
            raise RuntimeError("mg_send failed")

    def recv_data(self, length=-1):
        """Copy of the first ``length`` bytes (all if -1) of ``c->recv``."""
        self._live()
        return self._iobuf_copy(self._c.recv, length)

    def send_data(self, length=-1):
        """Copy of the first ``length`` bytes (all if -1) of ``c->send``."""
        self._live()
        return self._iobuf_copy(self._c.send, length)

    @staticmethod
    def _iobuf_copy(io, length):
        n = int(io.len)
        if length is not None and length >= 0:
            n = min(n, int(length))
        if n <= 0 or not io.buf:
            return b""
        return ctypes.string_at(io.buf, n)

    # -- HTTP -------------------------------------------------------------------
    def reply(self, status_code, body=b"", headers=None):
        """``mg_http_reply``. ``headers`` dict -> "K: V\\r\\n" lines; None means
        ``Content-Type: text/plain``; {} means no extra headers. The body is
        passed as data through "%.*s" (binary-safe)."""
        ptr = self._ptr
        if ptr is None:
            raise RuntimeError(_CLOSED)
        hdrs = _TEXT_PLAIN if headers is None else _header_block(headers)
        b = body if type(body) is bytes else _payload(body)
        # Unprototyped call (the cheapest ctypes path): the connection goes as
        # a ready c_void_p, Python ints as C ints, bytes as char *.
        L.mg_http_reply_fast(self._cp, int(status_code), hdrs, b"%.*s", len(b), b)

    def _serve_opts(self, root_dir=None, extra_headers="", mime_types="", page404=""):
        keep = [_enc(x) if x else None for x in (root_dir, extra_headers, mime_types, page404)]
        opts = L.MgHttpServeOpts()
        opts.root_dir, opts.extra_headers, opts.mime_types, opts.page404 = keep
        return opts, keep

    @staticmethod
    def _message_ptr(message):
        if not isinstance(message, HttpMessage) or message._ptr is None:
            raise ValueError("message must be the live HttpMessage of the current event")
        return message._ptr

    def serve_dir(self, message, root_dir, extra_headers="", mime_types="", page404=""):
        """``mg_http_serve_dir`` (empty strings mean NULL; fs = POSIX)."""
        ptr = self._live()
        hm = self._message_ptr(message)
        opts, keep = self._serve_opts(root_dir, extra_headers, mime_types, page404)
        L.mg_http_serve_dir(ptr, hm, byref(opts))
        del keep

    def serve_file(self, message, path, extra_headers="", mime_types=""):
        """``mg_http_serve_file``."""
        ptr = self._live()
        hm = self._message_ptr(message)
        opts, keep = self._serve_opts(None, extra_headers, mime_types, "")
        L.mg_http_serve_file(ptr, hm, _enc(path), byref(opts))
        del keep

    def http_chunk(self, data):
        """One chunk (``mg_http_write_chunk``); empty data ends the response."""
        ptr = self._live()
        b = _payload(data)
        L.mg_http_write_chunk(ptr, b, len(b))

    def http_sse(self, event_type, data):
        """One chunk ``event: <type>\\ndata: <data>\\n\\n``."""
        ptr = self._live()
        t = _payload(event_type)
        d = _payload(data)
        L.mg_http_printf_chunk(
            ptr, b"event: %.*s\ndata: %.*s\n\n", c_int(len(t)), c_char_p(t), c_int(len(d)), c_char_p(d)
        )

    def http_basic_auth(self, username, password):
        """Append an ``Authorization: Basic`` header line (``mg_http_bauth``)."""
        ptr = self._live()
        L.mg_http_bauth(ptr, _enc(username), _enc(password))

    # -- WebSocket / MQTT / SNTP / TLS (when the library has them) ------------
    def ws_upgrade(self, message, extra_headers=None):
        """``mg_ws_upgrade``: answer this HTTP request with a WebSocket handshake;
        ``extra_headers`` (dict) adds header lines. NotImplementedError while the
        library lacks WebSocket."""
        fn = _need(L.mg_ws_upgrade, "WebSocket (mg_ws_upgrade)")
        ptr = self._live()
        hm = self._message_ptr(message)
        if extra_headers:
            text = b"".join(_enc(str(k)) + b": " + _enc(str(v)) + b"\r\n" for k, v in extra_headers.items())
            fn(ptr, hm, b"%.*s", c_int(len(text)), c_char_p(text))
        else:
            fn(ptr, hm, None)

    def ws_send(self, data, op=WEBSOCKET_OP_TEXT):
        """``mg_ws_send``: one frame; returns the bytes queued (0 on failure)."""
        fn = _need(L.mg_ws_send_fast, "WebSocket (mg_ws_send)")
        if self._ptr is None:
            raise RuntimeError(_CLOSED)
        b = data if type(data) is bytes else _payload(data)
        # Unprototyped call: the length goes as a real size_t.
        return fn(self._cp, b, c_size_t(len(b)), int(op))

    def ws_printf(self, fmt, *args, op=WEBSOCKET_OP_TEXT):
        """One frame whose payload is ``fmt % args`` (Python formatting;
        ``mg_ws_printf`` with ``"%s"``-free data). Returns the payload length."""
        ptr = self._live()
        text = (fmt % args) if args else fmt
        b = _payload(text)
        fn = _need(L.mg_ws_printf, "WebSocket (mg_ws_printf)")
        return int(fn(ptr, int(op), b"%.*s", c_int(len(b)), c_char_p(b)))

    def mqtt_pub(self, topic, message, qos=0, retain=False):
        """``mg_mqtt_pub``: publish ``message`` on ``topic``; returns the packet id.
        NotImplementedError while the library lacks MQTT."""
        fn = _need(L.mg_mqtt_pub, "MQTT (mg_mqtt_pub)")
        ptr = self._live()
        t, m = _enc(topic), _payload(message)
        opts = L.MgMqttOpts()
        opts.topic, opts.message = _mgstr(t), _mgstr(m)
        opts.qos, opts.retain = int(qos), bool(retain)
        return int(fn(ptr, byref(opts)))

    def mqtt_sub(self, topic, qos=0):
        """``mg_mqtt_sub``: subscribe to ``topic`` at ``qos``."""
        fn = _need(L.mg_mqtt_sub, "MQTT (mg_mqtt_sub)")
        ptr = self._live()
        t = _enc(topic)
        opts = L.MgMqttOpts()
        opts.topic, opts.qos = _mgstr(t), int(qos)
        fn(ptr, byref(opts))

    def mqtt_ping(self):
        """``mg_mqtt_ping``: send PINGREQ."""
        _need(L.mg_mqtt_ping, "MQTT (mg_mqtt_ping)")(self._live())

    def mqtt_pong(self):
        """``mg_mqtt_pong``: send PINGRESP."""
        _need(L.mg_mqtt_pong, "MQTT (mg_mqtt_pong)")(self._live())

    def mqtt_disconnect(self):
        """``mg_mqtt_disconnect``: send DISCONNECT."""
        fn = _need(L.mg_mqtt_disconnect, "MQTT (mg_mqtt_disconnect)")
        opts = L.MgMqttOpts()
        fn(self._live(), byref(opts))

    def sntp_request(self):
        """``mg_sntp_request``: send an SNTP request (answer: MG_EV_SNTP_TIME).
        NotImplementedError while the library lacks SNTP."""
        _need(L.mg_sntp_request, "SNTP (mg_sntp_request)")(self._live())

    def tls_init(self, opts):
        """``mg_tls_init`` with a :class:`TlsOpts`. NotImplementedError while the
        library has no TLS."""
        fn = _need(L.mg_tls_init, "TLS (mg_tls_init)")
        ptr = self._live()
        if not isinstance(opts, TlsOpts):
            raise TypeError("opts must be a TlsOpts")
        o = L.MgTlsOpts()
        o.ca, o.cert, o.key, o.name = (_mgstr(opts.ca), _mgstr(opts.cert), _mgstr(opts.key), _mgstr(opts.name))
        o.skip_verification = opts.skip_verification
        fn(ptr, byref(o))

    def tls_free(self):
        """``mg_tls_free``: drop the connection's TLS state."""
        _need(L.mg_tls_free, "TLS (mg_tls_free)")(self._live())

    # -- misc ---------------------------------------------------------------------
    def error(self, message):
        """``mg_error(c, "%s", message)``: fires MG_EV_ERROR and closes."""
        ptr = self._live()
        m = _enc(str(message))
        L.mg_error(ptr, b"%.*s", c_int(len(m)), c_char_p(m))

    def resolve(self, url):
        """``mg_resolve``: resolve ``url``'s host and connect this connection to it
        (MG_EV_RESOLVE, then MG_EV_CONNECT or MG_EV_ERROR)."""
        L.mg_resolve(self._live(), _enc(url))

    def resolve_cancel(self):
        """``mg_resolve_cancel``: stop a resolution in progress."""
        L.mg_resolve_cancel(self._live())

    def drain(self):
        """Graceful close: set ``is_draining`` (close once the send buffer is
        flushed)."""
        self._live()
        self._set_flag("is_draining")

    def close(self):
        """Immediate close (``mg_close_conn``): MG_EV_CLOSE fires before this
        returns; unsent data is discarded. Prefer ``drain()``."""
        ptr = self._live()
        # From here on the handler only gets MG_EV_CLOSE: the HTTP protocol
        # handler re-parses buffered requests on MG_EV_CLOSE (Mongoose
        # behaviour), which would hand a request being answered to the
        # handler a second time, nested inside this call.
        self._closing_now = True
        L.mg_close_conn(ptr)
        # MG_EV_CLOSE detached us; make sure even if the handler was bypassed.
        self._manager._forget(ptr, self)

    def __repr__(self):
        """``<Connection id=... readable=... writable=...>`` or ``<Connection closed>``."""
        if self._c is None:
            return "<Connection closed>"
        return f"<Connection id={self.id} readable={self.is_readable} writable={self.is_writable}>"


# ---------------------------------------------------------------------------
# Manager
# ---------------------------------------------------------------------------


class _Owner:
    """What a connection's ``fn_data`` token stands for: the handler given to
    listen()/connect() and, once known, the connection that owns the token.
    Accepted connections carry their listener's token (fn_data is inherited)
    and so inherit the listener's handler."""

    __slots__ = ("handler", "conn", "ptr")

    def __init__(self, handler):
        self.handler = handler
        self.conn = None
        self.ptr = None


_NO_DATA_EVENTS = frozenset(
    [MG_EV_OPEN, MG_EV_POLL, MG_EV_RESOLVE, MG_EV_CONNECT, MG_EV_ACCEPT, MG_EV_READ, MG_EV_WRITE, MG_EV_CLOSE, MG_EV_TLS_HS]
)
_HTTP_VIEW_EVENTS = frozenset([MG_EV_HTTP_MSG, MG_EV_HTTP_HDRS, MG_EV_WS_OPEN])
# Views that point into library memory and die with the callback.
_VIEW_TYPES = frozenset([HttpMessage, WsMessage, MqttMessage])


def _wants_http(url, http):
    """cymongoose's rule: an explicit flag wins, else the URL scheme decides."""
    if http is not None:
        return bool(http)
    scheme = str(url).split("://", 1)[0].lower() if "://" in str(url) else ""
    return scheme in ("http", "https", "ws", "wss")


class Manager:
    """Event manager (``struct mg_mgr``)."""

    def __init__(self, handler=None, enable_wakeup=False):
        """``mg_mgr_init``. ``handler(conn, ev, data)`` gets the events of
        connections that have no handler of their own; ``enable_wakeup``
        calls ``mg_wakeup_init`` (needed by :meth:`wakeup`)."""
        self._handler = handler
        self._conns = {}  # pointer -> Connection
        self._owners = {}  # fn_data token -> _Owner
        self._owner_tokens = {}  # pointer of the owning connection -> token
        self._timers = {}  # timer token -> Timer
        self._next_token = 0
        self._depth = 0
        self._pending = None  # BaseException raised in a handler, re-raised by poll
        self._close_requested = False
        self._lock = threading.RLock()
        self._mgrs = L.MgMgr()
        self._mgr = ctypes.addressof(self._mgrs)
        self._timers_head = self._mgr + L.MgMgr.timers.offset
        # One C trampoline per manager for every connection, one for timers.
        self._ev_cb = L.EVENT_HANDLER(self._on_event)
        self._timer_cb = L.TIMER_FN(self._on_timer)
        L.mg_mgr_init(self._mgr)
        self._mgrs.userdata = id(self)
        if enable_wakeup and not L.mg_wakeup_init(self._mgr):
            self.close()
            raise RuntimeError("Failed to initialize wakeup")

    # -- internal -----------------------------------------------------------
    def _alive(self):
        if self._mgr is None:
            raise RuntimeError("Manager has been freed")
        return self._mgr

    def _token(self):
        self._next_token += 1
        return self._next_token

    def _wrap(self, ptr):
        conn = Connection(self, ptr)
        token = conn._c.fn_data
        owner = self._owners.get(token) if token else None
        if owner is not None:
            if owner.conn is None:
                owner.conn, owner.ptr = conn, ptr
                self._owner_tokens[ptr] = token
                conn._handler = owner.handler
            elif owner.conn._ptr is not None:
                # accepted from a listener: inherit the listener's handler
                conn._handler = owner.conn._handler
            else:
                conn._handler = owner.handler
        self._conns[ptr] = conn
        return conn

    def _forget(self, ptr, conn):
        if self._conns.get(ptr) is conn:
            del self._conns[ptr]
        conn._detach()
        # The fn_data token belongs to the connection created by listen()/
        # connect(); forget it when that connection closes.
        tok = self._owner_tokens.pop(ptr, None)
        if tok is not None:
            self._owners.pop(tok, None)

    def _convert(self, ev, ev_data):
        # The rarer events; `_on_event` handles data-less and HTTP ones inline.
        if ev == MG_EV_ERROR:
            return _dec(ctypes.string_at(ev_data))
        if ev == MG_EV_WAKEUP:
            return _str_bytes(L.MgStr.from_address(ev_data))
        if ev == MG_EV_WS_MSG:
            return WsMessage(ev_data)
        if ev == MG_EV_MQTT_MSG or ev == MG_EV_MQTT_CMD:
            return MqttMessage(ev_data)
        if ev == MG_EV_MQTT_OPEN:
            return ctypes.c_int.from_address(ev_data).value
        if ev == MG_EV_SNTP_TIME:
            return ctypes.c_int64.from_address(ev_data).value
        return None

    def _on_event(self, ptr, ev, ev_data):
        # Runs inside mg_mgr_poll (or an API call that fires events) with the
        # GIL re-acquired. Must never let an exception escape into C. This is
        # the binding's hot path (several calls per HTTP request): keep it lean.
        try:
            conn = self._conns.get(ptr)
            if conn is None:
                conn = self._wrap(ptr)
            handler = conn._handler
            if handler is None:
                handler = self._handler
            if conn._closing_now and ev != MG_EV_CLOSE:
                handler = None  # close() in progress: only MG_EV_CLOSE
            if handler is not None:
                if not ev_data or ev in _NO_DATA_EVENTS:
                    data = None
                elif ev in _HTTP_VIEW_EVENTS:
                    data = HttpMessage(ev_data)
                else:
                    data = self._convert(ev, ev_data)
                try:
                    handler(conn, ev, data)
                except Exception:
                    _report(f"handler for event {ev}")
                except BaseException as e:  # KeyboardInterrupt, SystemExit
                    if self._pending is None:
                        self._pending = e
                if data is not None and type(data) in _VIEW_TYPES:
                    data._invalidate()
            if ev == MG_EV_CLOSE:
                self._forget(ptr, conn)
        except BaseException:
            _report("event dispatch")

    def _on_timer(self, arg):
        try:
            t = self._timers.get(arg or 0)
            if t is None:
                return
            if not t.repeat:
                # mg_timer_add timers are AUTODELETE: freed after this call
                t._ptr = None
                self._timers.pop(arg, None)
            try:
                t.callback()
            except Exception:
                _report("timer callback")
            except BaseException as e:
                if self._pending is None:
                    self._pending = e
            if not t.repeat:
                t._mgr = None
        except BaseException:
            _report("timer dispatch")

    def _register(self, handler):
        tok = self._token()
        owner = _Owner(handler)
        self._owners[tok] = owner
        return tok, owner

    def _finish_create(self, ptr, tok, owner, handler, what, url):
        if not ptr:
            self._owners.pop(tok, None)
            raise RuntimeError(f"Failed to {what} '{url}'")
        conn = self._conns.get(ptr)
        if conn is None:
            if owner.ptr == ptr and owner.conn is not None:
                conn = owner.conn  # already closed during the call
            else:
                conn = self._wrap(ptr)
        if owner.conn is None:
            owner.conn, owner.ptr = conn, ptr
            self._owner_tokens[ptr] = tok
        conn._handler = handler
        return conn

    # -- public API -------------------------------------------------------------
    @property
    def handler(self):
        """The default handler given to the constructor."""
        return self._handler

    def poll(self, timeout_ms=0):
        """One ``mg_mgr_poll`` with the GIL released; then pending Python
        signal handlers run."""
        mgr = self._alive()
        self._depth += 1
        try:
            L.mg_mgr_poll(mgr, int(timeout_ms))
        finally:
            self._depth -= 1
        if self._depth == 0 and self._close_requested:
            self.close()
        exc, self._pending = self._pending, None
        if exc is not None:
            raise exc
        L.PyErr_CheckSignals()

    def set_poll_interval(self, ms):
        """``mg_mgr_set_poll_interval``: 0 (default) sends MG_EV_POLL to every
        connection on every poll; ``ms > 0`` sends it only to connections
        with I/O or events in that poll, and to the others at most once
        every ``ms`` milliseconds."""
        L.mg_mgr_set_poll_interval(self._alive(), int(ms))

    def listen(self, url, handler=None, *, http=None):
        """``mg_http_listen`` if ``http`` else ``mg_listen``. As in cymongoose,
        ``http=None`` infers it from the scheme (``http``, ``https``, ``ws``,
        ``wss`` parse HTTP); pass ``http=False`` for raw bytes."""
        mgr = self._alive()
        tok, owner = self._register(handler)
        fn = L.mg_http_listen if _wants_http(url, http) else L.mg_listen
        ptr = fn(mgr, _enc(url), self._ev_cb, tok)
        return self._finish_create(ptr, tok, owner, handler, "listen on", url)

    def connect(self, url, handler=None, *, http=None):
        """``mg_http_connect`` if ``http`` else ``mg_connect`` (returns at once);
        ``http=None`` infers it from the scheme, as in ``listen``."""
        mgr = self._alive()
        tok, owner = self._register(handler)
        fn = L.mg_http_connect if _wants_http(url, http) else L.mg_connect
        ptr = fn(mgr, _enc(url), self._ev_cb, tok)
        return self._finish_create(ptr, tok, owner, handler, "connect to", url)

    def mqtt_connect(self, url, handler=None, client_id="", username="", password="", clean_session=True, keepalive=60):
        """``mg_mqtt_connect`` (MQTT 3.1.1); returns the Connection.
        NotImplementedError while the library lacks MQTT."""
        fn = _need(L.mg_mqtt_connect, "MQTT (mg_mqtt_connect)")
        mgr = self._alive()
        cid, user, pw = _enc(client_id), _enc(username), _enc(password)
        opts = L.MgMqttOpts()
        opts.client_id, opts.user = _mgstr(cid), _mgstr(user)
        setattr(opts, "pass", _mgstr(pw))
        opts.clean, opts.keepalive, opts.version = bool(clean_session), int(keepalive), 4
        tok, owner = self._register(handler)
        ptr = fn(mgr, _enc(url), byref(opts), self._ev_cb, tok)
        return self._finish_create(ptr, tok, owner, handler, "connect to", url)

    def mqtt_listen(self, url, handler=None):
        """``mg_mqtt_listen``: an MQTT broker listener; returns the Connection.
        NotImplementedError while the library lacks MQTT."""
        fn = _need(L.mg_mqtt_listen, "MQTT (mg_mqtt_listen)")
        mgr = self._alive()
        tok, owner = self._register(handler)
        ptr = fn(mgr, _enc(url), self._ev_cb, tok)
        return self._finish_create(ptr, tok, owner, handler, "listen on", url)

    def ws_connect(self, url, handler=None, extra_headers=None):
        """``mg_ws_connect``: a WebSocket client; MG_EV_WS_OPEN fires once
        the server's 101 arrives. ``extra_headers`` (a dict) is added to the
        upgrade request."""
        fn = _need(L.mg_ws_connect, "WebSocket (mg_ws_connect)")
        mgr = self._alive()
        tok, owner = self._register(handler)
        if extra_headers:
            text = b"".join(_enc(str(k)) + b": " + _enc(str(v)) + b"\r\n" for k, v in extra_headers.items())
            ptr = fn(mgr, _enc(url), self._ev_cb, tok, b"%.*s", c_int(len(text)), c_char_p(text))
        else:
            ptr = fn(mgr, _enc(url), self._ev_cb, tok, None)
        return self._finish_create(ptr, tok, owner, handler, "connect to", url)

    def sntp_connect(self, url, handler=None):
        """``mg_sntp_connect``: an SNTP client connection to ``url``.
        NotImplementedError while the library lacks SNTP."""
        fn = _need(L.mg_sntp_connect, "SNTP (mg_sntp_connect)")
        mgr = self._alive()
        tok, owner = self._register(handler)
        ptr = fn(mgr, _enc(url), self._ev_cb, tok)
        return self._finish_create(ptr, tok, owner, handler, "connect to", url)

    def wakeup(self, connection_id, data=b""):
        """Thread-safe ``mg_wakeup``: deliver MG_EV_WAKEUP with ``data`` to
        connection ``connection_id``. False if wakeup is not enabled or the
        id is 0."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("data must be bytes")
        b = bytes(data)
        with self._lock:
            mgr = self._alive()
            return bool(L.mg_wakeup(mgr, int(connection_id), b, len(b)))

    def timer_add(self, milliseconds, callback, *, repeat=False, run_now=False):
        """``mg_timer_add`` (always AUTODELETE); ``callback()`` takes no
        arguments. Returns a Timer (``cancel()`` stops it)."""
        mgr = self._alive()
        if not callable(callback):
            raise TypeError("callback must be callable")
        flags = MG_TIMER_AUTODELETE
        if repeat:
            flags |= MG_TIMER_REPEAT
        if run_now:
            flags |= MG_TIMER_RUN_NOW
        tok = self._token()
        t = Timer(self, tok, callback, bool(repeat))
        ptr = L.mg_timer_add(mgr, int(milliseconds), flags, self._timer_cb, tok)
        if not ptr:
            raise RuntimeError("mg_timer_add failed")
        t._ptr = ptr
        self._timers[tok] = t
        return t

    # -- mongoose-rs graceful shutdown --------------------------------------------
    def shutdown(self, grace_ms=DEFAULT_GRACE_MS):
        """``mg_mgr_shutdown``: stop accepting, finish requests in flight
        (``Connection: close``), answer later requests with 503, close idle
        connections, close everything after ``grace_ms``."""
        L.mg_mgr_shutdown(self._alive(), int(grace_ms))

    @property
    def is_done(self):
        """``mg_mgr_is_done``: shutdown began and every connection is closed
        (True after ``close()``)."""
        if self._mgr is None:
            return True
        return bool(L.mg_mgr_is_done(self._mgr))

    def shutdown_on_signals(self, grace_ms=DEFAULT_GRACE_MS):
        """``mg_mgr_shutdown_on_signals``: SIGINT/SIGTERM begin ``shutdown``
        (a second signal ends the grace period). Loop with
        ``while not mgr.is_done: mgr.poll(1000)``."""
        mgr = self._alive()
        # The C handlers chain to the previous handler. Python's default
        # SIGINT handler would raise KeyboardInterrupt in the poll loop, so
        # give SIGINT back to the OS default (which the C handler replaces);
        # user-installed Python handlers are kept and still run.
        if threading.current_thread() is threading.main_thread():
            try:
                if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                    signal.signal(signal.SIGINT, signal.SIG_DFL)
            except (ValueError, OSError):
                pass
        L.mg_mgr_shutdown_on_signals(mgr, int(grace_ms))

    def close(self):
        """``mg_mgr_free``: every connection gets MG_EV_CLOSE (handlers run),
        timers are freed; then all wrappers are detached. Idempotent."""
        if self._mgr is None:
            return
        if self._depth > 0:
            # Called from a handler: free once the current poll returns.
            self._close_requested = True
            return
        with self._lock:
            mgr = self._mgr
            self._mgr = None  # wakeup() from other threads now raises
        self._depth += 1
        try:
            L.mg_mgr_free(mgr)
        finally:
            self._depth -= 1
        for conn in list(self._conns.values()):
            conn._detach()
        self._conns.clear()
        self._owners.clear()
        self._owner_tokens.clear()
        for t in list(self._timers.values()):
            t._ptr = None
            t._mgr = None
        self._timers.clear()
        self._close_requested = False

    def __enter__(self):
        """``with Manager() as m:`` closes the manager at the end of the block."""
        return self

    def __exit__(self, *exc):
        """Close the manager (exceptions propagate)."""
        self.close()
        return False

    def __del__(self):
        try:
            if getattr(self, "_mgr", None) is not None:
                self.close()
        except Exception:
            pass


# ---------------------------------------------------------------------------
# Module-level helpers
# ---------------------------------------------------------------------------


def _json_args(data, path):
    b = _payload(data)
    return b, _mgstr(b), _enc(path)


def json_get(data, path):
    """Raw token text at ``path`` (``mg_json_get_tok``), or None."""
    fn = _need(L.mg_json_get_tok, "JSON (mg_json_get_tok)")
    b, s, p = _json_args(data, path)
    r = fn(s, p)
    if not r.buf:
        return None
    return _dec(_str_bytes(r))


def json_get_num(data, path, default=None):
    """Number at ``path`` (``mg_json_get_num``) as a float, or ``default``."""
    fn = _need(L.mg_json_get_num, "JSON (mg_json_get_num)")
    b, s, p = _json_args(data, path)
    v = c_double()
    return v.value if fn(s, p, byref(v)) else default


def json_get_bool(data, path, default=None):
    """Boolean at ``path`` (``mg_json_get_bool``), or ``default``."""
    fn = _need(L.mg_json_get_bool, "JSON (mg_json_get_bool)")
    b, s, p = _json_args(data, path)
    v = c_bool()
    return bool(v.value) if fn(s, p, byref(v)) else default


def json_get_long(data, path, default=0):
    """Integer at ``path`` (``mg_json_get_long``), or ``default``."""
    fn = _need(L.mg_json_get_long, "JSON (mg_json_get_long)")
    b, s, p = _json_args(data, path)
    return int(fn(s, p, int(default)))


def json_get_str(data, path):
    """String at ``path``, unescaped (``mg_json_get_str``), or None."""
    fn = _need(L.mg_json_get_str, "JSON (mg_json_get_str)")
    b, s, p = _json_args(data, path)
    r = fn(s, p)
    if not r:
        return None
    try:
        return _dec(ctypes.string_at(r))
    finally:
        L.mg_free(r)


def url_encode(data):
    """Percent-encode ``data`` (``mg_url_encode`` with a 3*n+5 buffer)."""
    fn = _need(L.mg_url_encode, "mg_url_encode")
    b = _payload(data)
    size = 3 * len(b) + 5
    buf = ctypes.create_string_buffer(size)
    n = fn(b, len(b), buf, size)
    return _dec(buf.raw[:n])


# ---------------------------------------------------------------------------
# Encoders and hashes (cymongoose's module-level helpers)
# ---------------------------------------------------------------------------


def _hash_input(data):
    """str -> UTF-8 bytes, anything else through bytes() (as cymongoose)."""
    if isinstance(data, str):
        return data.encode("utf-8")
    return bytes(data)


def _ctx_digest(what, size, init, update, final, digest_len, data, digest_first):
    for fn in (init, update, final):
        _need(fn, what)
    b = _hash_input(data)
    ctx = (c_uint64 * ((size + 7) // 8))()  # 8-aligned, like a C stack struct
    out = ctypes.create_string_buffer(digest_len)
    init(ctx)
    update(ctx, b, len(b))
    if digest_first:
        final(out, ctx)
    else:
        final(ctx, out)
    return out.raw


def md5(data):
    """MD5 of ``data`` (str as UTF-8, or bytes-like): 16 bytes."""
    return _ctx_digest("mg_md5_*", L.MD5_CTX_SIZE, L.mg_md5_init, L.mg_md5_update,
                       L.mg_md5_final, 16, data, False)


def sha1(data):
    """SHA-1 of ``data``: 20 bytes."""
    return _ctx_digest("mg_sha1_*", L.SHA1_CTX_SIZE, L.mg_sha1_init, L.mg_sha1_update,
                       L.mg_sha1_final, 20, data, True)


def sha256(data):
    """SHA-256 of ``data``: 32 bytes."""
    fn = _need(L.mg_sha256, "mg_sha256")
    b = _hash_input(data)
    out = ctypes.create_string_buffer(32)
    fn(out, b, len(b))
    return out.raw


def hmac_sha256(key, data):
    """HMAC-SHA256 (RFC 2104) of ``data`` keyed by ``key``: 32 bytes."""
    fn = _need(L.mg_hmac_sha256, "mg_hmac_sha256")
    k, b = _hash_input(key), _hash_input(data)
    out = ctypes.create_string_buffer(32)
    fn(out, k, len(k), b, len(b))
    return out.raw


def base64_encode(data):
    """Standard base64 with ``=`` padding, as str."""
    fn = _need(L.mg_base64_encode, "mg_base64_encode")
    b = _hash_input(data)
    size = 4 * ((len(b) + 2) // 3) + 1
    buf = ctypes.create_string_buffer(size)
    n = fn(b, len(b), buf, size)
    return buf.raw[:n].decode("ascii")


def base64_decode(data):
    """Decode a base64 str (Mongoose's rules: whole groups of four only;
    ``b""`` on an invalid character)."""
    fn = _need(L.mg_base64_decode, "mg_base64_decode")
    if not isinstance(data, str):
        raise TypeError(f"Argument 'data' has incorrect type (expected str, got {type(data).__name__})")
    b = data.encode("ascii")
    size = len(b) // 4 * 3 + 1
    buf = ctypes.create_string_buffer(size)
    n = fn(b, len(b), buf, size)
    return buf.raw[:n]


def http_parse_multipart(body, offset=0):
    """One ``mg_http_next_multipart`` step: (next_offset, {name, filename,
    body}) or (0, None) when there are no more parts."""
    fn = _need(L.mg_http_next_multipart, "mg_http_next_multipart")
    b = _payload(body)
    part = L.MgHttpPart()
    nxt = fn(_mgstr(b), int(offset), byref(part))
    if nxt == 0:
        return 0, None
    return int(nxt), {
        "name": _dec(_str_bytes(part.name)),
        "filename": _dec(_str_bytes(part.filename)),
        "body": _str_bytes(part.body),
    }


_ = (c_size_t,)
