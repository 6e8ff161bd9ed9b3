"""mongoose_rs: the pymongoose API on top of mongoose-rs's libmongoose.so,
through ctypes (no compiler needed).

    from mongoose_rs import Manager, MG_EV_HTTP_MSG

    def handler(conn, ev, data):
        if ev == MG_EV_HTTP_MSG:
            conn.reply(200, b"Hello!")

    manager = Manager(handler)
    manager.listen("http://0.0.0.0:8000", http=True)
    while True:
        manager.poll(100)

The library is looked up in ``$MONGOOSE_LIB``, next to this package, then in
the cargo build tree (``target/release``, ``target/debug``).
"""
from ._mongoose import (  # noqa: F401
    DEFAULT_GRACE_MS,
    set_callback_exception_hook,
    MG_EV_ACCEPT,
    MG_EV_CLOSE,
    MG_EV_CONNECT,
    MG_EV_ERROR,
    MG_EV_HTTP_HDRS,
    MG_EV_HTTP_MSG,
    MG_EV_MDNS_REQ,
    MG_EV_MDNS_RESP,
    MG_EV_MODBUS_REQ,
    MG_EV_MQTT_CMD,
    MG_EV_MQTT_MSG,
    MG_EV_MQTT_OPEN,
    MG_EV_OPEN,
    MG_EV_POLL,
    MG_EV_READ,
    MG_EV_RESOLVE,
    MG_EV_SNTP_TIME,
    MG_EV_TLS_HS,
    MG_EV_USER,
    MG_EV_WAKEUP,
    MG_EV_WRITE,
    MG_EV_WS_CTL,
    MG_EV_WS_MSG,
    MG_EV_WS_OPEN,
    WEBSOCKET_OP_BINARY,
    WEBSOCKET_OP_CLOSE,
    WEBSOCKET_OP_CONTINUE,
    WEBSOCKET_OP_PING,
    WEBSOCKET_OP_PONG,
    WEBSOCKET_OP_TEXT,
    Connection,
    HttpMessage,
    Manager,
    MqttMessage,
    Timer,
    TlsOpts,
    WsMessage,
    base64_decode,
    base64_encode,
    hmac_sha256,
    http_parse_multipart,
    json_get,
    json_get_bool,
    json_get_long,
    json_get_num,
    json_get_str,
    md5,
    sha1,
    sha256,
    url_encode,
)
from ._lib import LIBRARY_PATH  # noqa: F401

__version__ = "0.1.0"

__all__ = [
    "Manager",
    "Connection",
    "HttpMessage",
    "WsMessage",
    "MqttMessage",
    "TlsOpts",
    "Timer",
    "set_callback_exception_hook",
    "json_get",
    "json_get_num",
    "json_get_bool",
    "json_get_long",
    "json_get_str",
    "url_encode",
    "http_parse_multipart",
    "md5",
    "sha1",
    "sha256",
    "hmac_sha256",
    "base64_encode",
    "base64_decode",
    "LIBRARY_PATH",
    "DEFAULT_GRACE_MS",
] + [n for n in dir() if n.startswith(("MG_EV_", "WEBSOCKET_OP_"))]
