//! Structs of the second- and third-tier subsystems (queue, hashes, MQTT, DNS,
#![allow(non_snake_case)]
//! mDNS, Modbus, JWT, RPC) and of embedded-only features (dashboard, Wi-Fi,
//! drivers). They are declared so that programs compile and sizes match;
//! the functions behind most of them come in later issues.
use super::{mg_addr, mg_event_handler_t, mg_fs, mg_pfn_t, mg_str};
use core::ffi::{c_char, c_int, c_void};

/// Single-producer/single-consumer message ring in a caller buffer
/// (declared by hand in `src/ffi/prologue.h`, with `volatile` offsets).
#[repr(C)]
pub struct mg_queue {
    pub buf: *mut c_char,
    pub size: usize,
    pub tail: usize,
    pub head: usize,
}

/// MD5 context (opaque to programs; only size and alignment matter).
/// cbindgen:field-names=[buf, bits, in]
#[repr(C)]
pub struct mg_md5_ctx_s {
    pub buf: [u32; 4],
    pub bits: [u32; 2],
    pub in_: [u8; 64],
}
pub type mg_md5_ctx = mg_md5_ctx_s;

/// SHA-1 context.
#[repr(C)]
pub struct mg_sha1_ctx_s {
    pub state: [u32; 5],
    pub count: [u32; 2],
    pub buffer: [u8; 64],
}
pub type mg_sha1_ctx = mg_sha1_ctx_s;

/// SHA-256 context.
#[repr(C)]
pub struct mg_sha256_ctx_s {
    pub state: [u32; 8],
    pub bits: u64,
    pub len: u32,
    pub buffer: [u8; 64],
}
pub type mg_sha256_ctx = mg_sha256_ctx_s;

/// SHA-384 context.
#[repr(C)]
pub struct mg_sha384_ctx_s {
    pub state: [u64; 8],
    pub buffer: [u8; 128],
    pub bitlen: [u64; 2],
    pub datalen: u32,
}
pub type mg_sha384_ctx = mg_sha384_ctx_s;

/// One MQTT5 property.
#[repr(C)]
pub struct mg_mqtt_prop {
    pub id: u8,
    pub iv: u32,
    pub key: mg_str,
    pub val: mg_str,
}

/// MQTT connect/publish/subscribe options.
#[repr(C)]
pub struct mg_mqtt_opts {
    pub user: mg_str,
    pub pass: mg_str,
    pub client_id: mg_str,
    pub topic: mg_str,
    pub message: mg_str,
    pub qos: u8,
    pub version: u8,
    pub keepalive: u16,
    pub retransmit_id: u16,
    pub retain: bool,
    pub clean: bool,
    pub props: *mut mg_mqtt_prop,
    pub num_props: usize,
    pub will_props: *mut mg_mqtt_prop,
    pub num_will_props: usize,
}

/// A parsed MQTT packet.
#[repr(C)]
pub struct mg_mqtt_message {
    pub topic: mg_str,
    pub data: mg_str,
    pub dgram: mg_str,
    pub id: u16,
    pub cmd: u8,
    pub qos: u8,
    pub ack: u8,
    pub props_start: usize,
    pub props_size: usize,
}

/// A parsed DNS answer.
#[repr(C)]
pub struct mg_dns_message {
    pub txnid: u16,
    pub resolved: bool,
    pub addr: mg_addr,
    pub name: [c_char; 256],
}

/// DNS packet header.
#[repr(C)]
pub struct mg_dns_header {
    pub txnid: u16,
    pub flags: u16,
    pub num_questions: u16,
    pub num_answers: u16,
    pub num_authority_prs: u16,
    pub num_other_prs: u16,
}

/// One DNS resource record's fixed part.
#[repr(C)]
pub struct mg_dns_rr {
    pub nlen: u16,
    pub atype: u16,
    pub aclass: u16,
    pub alen: u16,
}

/// A DNS-SD service record.
#[repr(C)]
pub struct mg_dnssd_record {
    pub srvcproto: mg_str,
    pub txt: mg_str,
    pub port: u16,
}

/// An mDNS request as seen by a responder handler.
#[repr(C)]
pub struct mg_mdns_req {
    pub rr: *mut mg_dns_rr,
    pub r: *mut mg_dnssd_record,
    pub reqname: mg_str,
    pub respname: mg_str,
    pub addr: *mut mg_addr,
    pub is_listing: bool,
    pub is_resp: bool,
    pub is_unicast: bool,
}

/// An mDNS response.
#[repr(C)]
pub struct mg_mdns_resp {
    pub rr: *mut mg_dns_rr,
    pub name: mg_str,
    pub addr: mg_addr,
    pub sd: mg_dnssd_record,
}

/// Coils or registers of a Modbus request.
#[repr(C)]
pub union mg_modbus_data {
    pub bits: *mut bool,
    pub regs: *mut u16,
}

/// A Modbus-TCP request.
#[repr(C)]
pub struct mg_modbus_req {
    pub func: u8,
    pub error: u8,
    pub addr: u16,
    pub u: mg_modbus_data,
    pub len: u16,
}

/// JWT signing/verification options.
#[repr(C)]
pub struct mg_jwt_opts {
    pub claims: mg_str,
    pub header: mg_str,
    pub kid: mg_str,
    pub secret: mg_str,
    pub private_key: *const u8,
    pub public_key: *const u8,
}

/// A JSON-RPC request being processed.
#[repr(C)]
pub struct mg_rpc_req {
    pub head: *mut *mut mg_rpc,
    pub rpc: *mut mg_rpc,
    pub pfn: mg_pfn_t,
    pub pfn_data: *mut c_void,
    pub req_data: *mut c_void,
    pub frame: mg_str,
}

/// A registered JSON-RPC method.
/// cbindgen:field-names=[next, method, fn, fn_data]
#[repr(C)]
pub struct mg_rpc {
    pub next: *mut mg_rpc,
    pub method: mg_str,
    pub fn_: Option<unsafe extern "C" fn(*mut mg_rpc_req)>,
    pub fn_data: *mut c_void,
}

/// `enum mg_val_type` (declared in the header's prologue).
pub type mg_val_type = c_int;
/// `enum mg_dash_op` (declared in the header's prologue).
pub type mg_dash_op = c_int;

/// Dashboard value (embedded only).
/// cbindgen:field-names=[name, type, value, value_size]
#[repr(C)]
pub struct mg_field {
    pub name: *const c_char,
    pub type_: mg_val_type,
    pub value: *mut c_void,
    pub value_size: usize,
}

/// Dashboard user (embedded only).
#[repr(C)]
pub struct mg_dash_user {
    pub next: *mut mg_dash_user,
    pub name: [c_char; 32],
    pub token: [c_char; 21],
    pub level: c_int,
    pub expire: u64,
    pub dash: *mut mg_dash,
}

/// Dashboard field set (embedded only).
/// cbindgen:field-names=[name, fields, fn, index, get_dir, next]
#[repr(C)]
pub struct mg_field_set {
    pub name: *const c_char,
    pub fields: *mut mg_field,
    pub fn_: Option<unsafe extern "C" fn(mg_dash_op, *mut mg_dash_user) -> bool>,
    pub index: *mut c_int,
    pub get_dir: Option<unsafe extern "C" fn(*const mg_dash_user, *mut c_char, usize) -> bool>,
    pub next: *mut mg_field_set,
}

/// Dashboard custom URI handler (embedded only).
#[repr(C)]
pub struct mg_dash_custom_handler {
    pub next: *mut mg_dash_custom_handler,
    pub uri_pattern: mg_str,
    pub handler: mg_event_handler_t,
    pub handler_data: *mut c_void,
}

/// Dashboard (embedded only).
#[repr(C)]
pub struct mg_dash {
    pub sets: *mut mg_field_set,
    pub custom_handlers: *mut mg_dash_custom_handler,
    pub authenticate: Option<unsafe extern "C" fn(*mut c_char, usize, *const c_char) -> c_int>,
    pub session_auto_expiration_seconds: c_int,
    pub guest: *mut mg_dash_user,
    pub upload_fs: *mut mg_fs,
}

/// Wi-Fi configuration (embedded only).
#[repr(C)]
pub struct mg_wifi_data {
    pub ssid: *mut c_char,
    pub pass: *mut c_char,
    pub apssid: *mut c_char,
    pub appass: *mut c_char,
    pub apip: u32,
    pub apmask: u32,
    pub security: u8,
    pub apsecurity: u8,
    pub apchannel: u8,
    pub apmode: bool,
}

/// Wi-Fi scan result (embedded only). `bits` holds band:2, has_n, has_ac, has_ax.
#[repr(C)]
pub struct mg_wifi_scan_bss_data {
    pub SSID: mg_str,
    pub BSSID: *mut c_char,
    pub RSSI: i16,
    pub security: u8,
    pub channel: u8,
    pub bits: u8,
}

/// Header-only twin of `mg_wifi_scan_bss_data` with the C bitfields.
#[repr(C)]
#[allow(dead_code)]
pub struct mg_wifi_scan_bss_data_bitfields {
    pub SSID: mg_str,
    pub BSSID: *mut c_char,
    pub RSSI: i16,
    pub security: u8,
    pub channel: u8,
    /// cbindgen:bitfield=2
    pub band: u8,
    /// cbindgen:bitfield=1
    pub has_n: u8,
    /// cbindgen:bitfield=1
    pub has_ac: u8,
    /// cbindgen:bitfield=1
    pub has_ax: u8,
}

/// AT-command modem driver data (embedded only).
#[repr(C)]
pub struct mg_tcpip_driver_atcmd_data {
    pub usart: *mut c_void,
    pub reset: Option<unsafe extern "C" fn(*mut c_void)>,
    pub tx: Option<unsafe extern "C" fn(*mut c_void, u8)>,
    pub rx: Option<unsafe extern "C" fn(*mut c_void, *mut u8) -> bool>,
    pub script: *const *const c_char,
    pub script_index: c_int,
    pub deadline: u64,
    pub no_byte_stuff: bool,
    pub link: bool,
    pub unstuffing: bool,
}

/// Ethernet PHY access (embedded only).
#[repr(C)]
pub struct mg_phy {
    pub read_reg: Option<unsafe extern "C" fn(u8, u8) -> u16>,
    pub write_reg: Option<unsafe extern "C" fn(u8, u8, u16)>,
}

// Constants of these subsystems, with Mongoose's values.
pub const MG_JSON_TOO_DEEP: c_int = -1;
pub const MG_JSON_INVALID: c_int = -2;
pub const MG_JSON_NOT_FOUND: c_int = -3;
pub const MG_DNS_RTYPE_A: c_int = 1;
pub const MG_DNS_RTYPE_PTR: c_int = 12;
pub const MG_DNS_RTYPE_TXT: c_int = 16;
pub const MG_DNS_RTYPE_AAAA: c_int = 28;
pub const MG_DNS_RTYPE_SRV: c_int = 33;
pub const MQTT_CMD_CONNECT: c_int = 1;
pub const MQTT_CMD_CONNACK: c_int = 2;
pub const MQTT_CMD_PUBLISH: c_int = 3;
pub const MQTT_CMD_PUBACK: c_int = 4;
pub const MQTT_CMD_PUBREC: c_int = 5;
pub const MQTT_CMD_PUBREL: c_int = 6;
pub const MQTT_CMD_PUBCOMP: c_int = 7;
pub const MQTT_CMD_SUBSCRIBE: c_int = 8;
pub const MQTT_CMD_SUBACK: c_int = 9;
pub const MQTT_CMD_UNSUBSCRIBE: c_int = 10;
pub const MQTT_CMD_UNSUBACK: c_int = 11;
pub const MQTT_CMD_PINGREQ: c_int = 12;
pub const MQTT_CMD_PINGRESP: c_int = 13;
pub const MQTT_CMD_DISCONNECT: c_int = 14;
pub const MQTT_CMD_AUTH: c_int = 15;
pub const MQTT_PROP_PAYLOAD_FORMAT_INDICATOR: c_int = 0x01;
pub const MQTT_PROP_MESSAGE_EXPIRY_INTERVAL: c_int = 0x02;
pub const MQTT_PROP_CONTENT_TYPE: c_int = 0x03;
pub const MQTT_PROP_RESPONSE_TOPIC: c_int = 0x08;
pub const MQTT_PROP_CORRELATION_DATA: c_int = 0x09;
pub const MQTT_PROP_SUBSCRIPTION_IDENTIFIER: c_int = 0x0B;
pub const MQTT_PROP_SESSION_EXPIRY_INTERVAL: c_int = 0x11;
pub const MQTT_PROP_ASSIGNED_CLIENT_IDENTIFIER: c_int = 0x12;
pub const MQTT_PROP_SERVER_KEEP_ALIVE: c_int = 0x13;
pub const MQTT_PROP_AUTHENTICATION_METHOD: c_int = 0x15;
pub const MQTT_PROP_AUTHENTICATION_DATA: c_int = 0x16;
pub const MQTT_PROP_REQUEST_PROBLEM_INFORMATION: c_int = 0x17;
pub const MQTT_PROP_WILL_DELAY_INTERVAL: c_int = 0x18;
pub const MQTT_PROP_REQUEST_RESPONSE_INFORMATION: c_int = 0x19;
pub const MQTT_PROP_RESPONSE_INFORMATION: c_int = 0x1A;
pub const MQTT_PROP_SERVER_REFERENCE: c_int = 0x1C;
pub const MQTT_PROP_REASON_STRING: c_int = 0x1F;
pub const MQTT_PROP_RECEIVE_MAXIMUM: c_int = 0x21;
pub const MQTT_PROP_TOPIC_ALIAS_MAXIMUM: c_int = 0x22;
pub const MQTT_PROP_TOPIC_ALIAS: c_int = 0x23;
pub const MQTT_PROP_MAXIMUM_QOS: c_int = 0x24;
pub const MQTT_PROP_RETAIN_AVAILABLE: c_int = 0x25;
pub const MQTT_PROP_USER_PROPERTY: c_int = 0x26;
pub const MQTT_PROP_MAXIMUM_PACKET_SIZE: c_int = 0x27;
pub const MQTT_PROP_WILDCARD_SUBSCRIPTION_AVAILABLE: c_int = 0x28;
pub const MQTT_PROP_SUBSCRIPTION_IDENTIFIER_AVAILABLE: c_int = 0x29;
pub const MQTT_PROP_SHARED_SUBSCRIPTION_AVAILABLE: c_int = 0x2A;
pub const MQTT_PROP_TYPE_BYTE: c_int = 0;
pub const MQTT_PROP_TYPE_STRING: c_int = 1;
pub const MQTT_PROP_TYPE_STRING_PAIR: c_int = 2;
pub const MQTT_PROP_TYPE_BINARY_DATA: c_int = 3;
pub const MQTT_PROP_TYPE_VARIABLE_INT: c_int = 4;
pub const MQTT_PROP_TYPE_INT: c_int = 5;
pub const MQTT_PROP_TYPE_SHORT: c_int = 6;
pub const MQTT_OK: c_int = 0;
pub const MQTT_INCOMPLETE: c_int = 1;
pub const MQTT_MALFORMED: c_int = 2;
pub const MG_MODBUS_FUNC_READ_COILS: c_int = 1;
pub const MG_MODBUS_FUNC_READ_DISCRETE_INPUTS: c_int = 2;
pub const MG_MODBUS_FUNC_READ_HOLDING_REGISTERS: c_int = 3;
pub const MG_MODBUS_FUNC_READ_INPUT_REGISTERS: c_int = 4;
pub const MG_MODBUS_FUNC_WRITE_SINGLE_COIL: c_int = 5;
pub const MG_MODBUS_FUNC_WRITE_SINGLE_REGISTER: c_int = 6;
pub const MG_MODBUS_FUNC_WRITE_MULTIPLE_COILS: c_int = 15;
pub const MG_MODBUS_FUNC_WRITE_MULTIPLE_REGISTERS: c_int = 16;
pub const MG_MODBUS_ERR_NONE: c_int = 0;
pub const MG_MODBUS_ERR_ILLEGAL_FUNCTION: c_int = 1;
pub const MG_MODBUS_ERR_ILLEGAL_ADDRESS: c_int = 2;
pub const MG_MODBUS_ERR_ILLEGAL_VALUE: c_int = 3;
pub const MG_MODBUS_ERR_DEVICE_FAILURE: c_int = 4;
pub const MG_VAL_INT: c_int = 0;
pub const MG_VAL_UINT64: c_int = 1;
pub const MG_VAL_BOOL: c_int = 2;
pub const MG_VAL_DBL: c_int = 3;
pub const MG_VAL_STR: c_int = 4;
pub const MG_VAL_RAW: c_int = 5;
pub const MG_DASH_READ: c_int = 0;
pub const MG_DASH_WRITE: c_int = 1;
pub const MG_DASH_DELETE: c_int = 2;
pub const MG_DASH_ADD: c_int = 3;
pub const MG_OTA_CONFIRMED: c_int = 0;
pub const MG_OTA_TESTING: c_int = 1;
pub const MG_OTA_FAILED: c_int = 2;
pub const MG_OTA_ROLLEDBACK: c_int = 3;
pub const MG_PHY_LEDS_ACTIVE_HIGH: c_int = 1;
pub const MG_PHY_CLOCKS_MAC: c_int = 2;
pub const MG_PHY_SPEED_10M: c_int = 0;
pub const MG_PHY_SPEED_100M: c_int = 1;
pub const MG_PHY_SPEED_1000M: c_int = 2;
