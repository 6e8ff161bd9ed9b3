/* ---- hand-written prologue: system headers, configuration, macros ---- */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MG_VERSION "7.23"
/* mongoose-rs's header defines this (Mongoose's does not): `#ifndef MONGOOSE_RS
 * #error ...` catches a leftover vendored mongoose.h found first. */
#define MONGOOSE_RS 1

#define MG_ARCH_CUSTOM 0
#define MG_ARCH_UNIX 1
#define MG_ARCH_WIN32 2
#define MG_ARCH_ESP32 3
#define MG_ARCH_ESP8266 4
#define MG_ARCH_FREERTOS 5
#define MG_ARCH_THREADX 6
#define MG_ARCH_ZEPHYR 7
#define MG_ARCH_ARMGCC 8
#define MG_ARCH_CMSIS_RTOS1 9
#define MG_ARCH_TIRTOS 10
#define MG_ARCH_PICOSDK 11
#define MG_ARCH_ARMCC 12
#define MG_ARCH_CMSIS_RTOS2 13
#define MG_ARCH_RTTHREAD 14
#define MG_ARCH_ARMCGT 15
#define MG_ARCH_CUBE 16
#define MG_ARCH_MCUXPRESSO 17
#define MG_ARCH_NEWLIB MG_ARCH_ARMGCC
#if defined(MG_ARCH) && MG_ARCH != MG_ARCH_UNIX
#error "mongoose-rs is built for MG_ARCH_UNIX"
#endif
#undef MG_ARCH
#define MG_ARCH MG_ARCH_UNIX

/* Values that change struct layouts are fixed when the library is built. */
#if defined(MG_DATA_SIZE) && MG_DATA_SIZE != 32
#error "MG_DATA_SIZE is fixed at 32 in this prebuilt library"
#endif
#if defined(MG_MAX_HTTP_HEADERS) && MG_MAX_HTTP_HEADERS != 30
#error "MG_MAX_HTTP_HEADERS is fixed at 30 in this prebuilt library"
#endif
#undef MG_DATA_SIZE
#undef MG_MAX_HTTP_HEADERS
#define MG_DATA_SIZE 32
#define MG_MAX_HTTP_HEADERS 30

/* The library is compiled once: these report how it was built. */
#undef MG_IO_SIZE
#undef MG_MAX_RECV_SIZE
#undef MG_PATH_MAX
#define MG_IO_SIZE 16384
#define MG_MAX_RECV_SIZE (3UL * 1024UL * 1024UL)
#define MG_PATH_MAX FILENAME_MAX
#ifndef MG_HTTP_INDEX
#define MG_HTTP_INDEX "index.html"
#endif
#ifndef MG_SOCK_LISTEN_BACKLOG_SIZE
#define MG_SOCK_LISTEN_BACKLOG_SIZE 128
#endif
/* Values compiled into the library: a program's -D is replaced (no
   "redefined" warning), since the library cannot see it. */
#undef MG_DIRSEP
#undef MG_SOCKET_TYPE
#undef MG_SOCKET_ERRNO
#undef MG_INVALID_SOCKET
#undef MG_JSON_MAX_DEPTH
#define MG_DIRSEP '/'
#define MG_SOCKET_TYPE int
#define MG_SOCKET_ERRNO errno
#define MG_INVALID_SOCKET (-1)
#define MG_JSON_MAX_DEPTH 30

#define MG_TLS_NONE 0
#define MG_TLS_MBED 1
#define MG_TLS_OPENSSL 2
#define MG_TLS_BUILTIN 3
#define MG_TLS_CUSTOM 4
#define MG_TLS_WOLFSSL 5
/* TLS is built in (rustls), which is none of Mongoose's own backends: the
   value Mongoose reserves for a TLS layer it does not provide itself. */
#undef MG_TLS
#define MG_TLS MG_TLS_CUSTOM

#define MG_OTA_NONE 0
#define MG_OTA_STM32H5 1
#define MG_OTA_STM32H7 2
#define MG_OTA_STM32H7_DUAL_CORE 3
#define MG_OTA_STM32F 4
#define MG_OTA_CH32V307 100
#define MG_OTA_U2A 200
#define MG_OTA_RT1020 300
#define MG_OTA_RT1050 301
#define MG_OTA_RT1060 302
#define MG_OTA_RT1064 303
#define MG_OTA_RT1170 304
#define MG_OTA_MCXN 310
#define MG_OTA_RW612 320
#define MG_OTA_FLASH 900
#define MG_OTA_ESP32 910
#define MG_OTA_PICOSDK 920
#define MG_OTA_CUSTOM 1000
#undef MG_OTA
#define MG_OTA MG_OTA_NONE
#ifndef MG_OTA_URL
#define MG_OTA_URL NULL
#endif
#ifndef MG_OTA_TLS_CA
#define MG_OTA_TLS_CA NULL
#endif
#ifndef MG_OTA_STATUS_FN
#define MG_OTA_STATUS_FN NULL
#endif
/* OTA state hooks a program may override (they only shape its own macro
   uses; the library's OTA on Linux has no boot state). */
#ifndef MG_OTA_STATE_GET
#define MG_OTA_STATE_GET() 0
#endif
#ifndef MG_OTA_STATE_SET
#define MG_OTA_STATE_SET(val) (void) (val)
#endif
#ifndef MG_OTA_ROLLBACK_TIMER_START
#define MG_OTA_ROLLBACK_TIMER_START()
#endif
#ifndef MG_OTA_ROLLBACK_TIMER_FEED
#define MG_OTA_ROLLBACK_TIMER_FEED()
#endif
#ifndef MG_OTA_ROLLBACK
#define MG_OTA_ROLLBACK() \
  do {                    \
  } while (0)
#endif
#ifndef MG_OTA_ROLLBACK_TIMEOUT_SECONDS
#define MG_OTA_ROLLBACK_TIMEOUT_SECONDS 120
#endif
enum { MG_OTA_CONFIRMED = 0, MG_OTA_TESTING = 1, MG_OTA_FAILED = 2, MG_OTA_ROLLEDBACK = 3 };
/* No firmware banks on Linux: nothing to check at boot. */
#define MG_OTA_BOOT_CHECK() \
  do {                      \
  } while (0)
/* Compiled into mg_ota_url_check's requests: a program's -D is replaced. */
#undef MG_OTA_FIRMWARE_VERSION
#undef MG_OTA_MAX_VERSION_LEN
#undef MG_OTA_PULL_INTERVAL_SECONDS
#define MG_OTA_FIRMWARE_VERSION "1.0.0"
#define MG_OTA_MAX_VERSION_LEN 64
#define MG_OTA_PULL_INTERVAL_SECONDS 60

/* What this library does (it is compiled once, so a program's own -D of
   these changes nothing in it; they are replaced here to say so). */
#undef MG_ENABLE_EPOLL
#undef MG_ENABLE_POLL
#undef MG_ENABLE_SOCKET
#undef MG_ENABLE_TCPIP
#undef MG_ENABLE_DIRLIST
#undef MG_ENABLE_POSIX_FS
#undef MG_ENABLE_SSI
#undef MG_ENABLE_IPV6
#undef MG_IPV6_V6ONLY
#undef MG_ENABLE_MD5
#undef MG_ENABLE_CHACHA20
#undef MG_ENABLE_CUSTOM_CALLOC
#undef MG_ENABLE_CUSTOM_LOG
#undef MG_ENABLE_CUSTOM_RANDOM
#undef MG_ENABLE_CUSTOM_MILLIS
#undef MG_ENABLE_CUSTOM_DEVICE_ID
#undef MG_ENABLE_PROFILE
#undef MG_ENABLE_FATFS
#undef MG_ENABLE_LFS
#undef MG_ENABLE_LWIP
#undef MG_ENABLE_FREERTOS
#undef MG_ENABLE_FREERTOS_TCP
#undef MG_ENABLE_RL
#undef MG_ENABLE_BSD_SOCKETS
#define MG_ENABLE_EPOLL 1              /* the loop waits with epoll */
#define MG_ENABLE_POLL 0
#define MG_ENABLE_SOCKET 1             /* BSD sockets of the OS */
#define MG_ENABLE_TCPIP 0              /* no built-in TCP/IP stack */
#define MG_ENABLE_DIRLIST 1            /* mg_http_serve_dir lists directories */
#define MG_ENABLE_POSIX_FS 1           /* mg_fs_posix */
#define MG_ENABLE_SSI 1                /* SSI always on: ssi_pattern works */
#define MG_ENABLE_IPV6 1               /* listen/connect on IPv6 work */
#define MG_IPV6_V6ONLY 0               /* IPv6 listeners take IPv4 too */
#define MG_ENABLE_MD5 1
#define MG_ENABLE_CHACHA20 0           /* TLS is rustls: no mg_chacha20_* */
#define MG_ENABLE_CUSTOM_CALLOC 0      /* the C library's allocator */
#define MG_ENABLE_CUSTOM_LOG 0
#define MG_ENABLE_CUSTOM_RANDOM 0
#define MG_ENABLE_CUSTOM_MILLIS 0
#define MG_ENABLE_CUSTOM_DEVICE_ID 0
#define MG_ENABLE_PROFILE 0
#define MG_ENABLE_FATFS 0
#define MG_ENABLE_LFS 0
#define MG_ENABLE_LWIP 0
#define MG_ENABLE_FREERTOS 0
#define MG_ENABLE_FREERTOS_TCP 0
#define MG_ENABLE_RL 0
#define MG_ENABLE_BSD_SOCKETS 0
/* Header-side switches: they only shape macros in the program's own code. */
#ifndef MG_ENABLE_LOG
#define MG_ENABLE_LOG 1                /* 0 compiles MG_INFO(...) etc. out */
#endif
#ifndef MG_ENABLE_ASSERT
#define MG_ENABLE_ASSERT 0
#endif
/* Other platforms' switches, at Mongoose's defaults (unused on Linux). */
#ifndef MG_ENABLE_WINSOCK
#define MG_ENABLE_WINSOCK 1
#endif
#ifndef MG_ENABLE_BSD_PROTOTYPES
#define MG_ENABLE_BSD_PROTOTYPES 1
#endif
#ifndef MG_ENABLE_TCPIP_DRIVER_INIT
#define MG_ENABLE_TCPIP_DRIVER_INIT 1
#endif
#ifndef MG_ENABLE_TCPIP_PRINT_DEBUG_STATS
#define MG_ENABLE_TCPIP_PRINT_DEBUG_STATS 0
#endif

/* Listening addresses for the program's own use (Mongoose's library never
   reads them): a program's -D values are kept, as with Mongoose. */
#ifndef MG_HTTP_ADDR
#define MG_HTTP_ADDR "http://0.0.0.0:8000"
#define MG_HTTPS_ADDR "https://0.0.0.0:8443"
#define MG_MODBUS_ADDR "tcp://0.0.0.0:8502"
#endif
#undef MG_DASH_MAX_SEND_BUF_SIZE
#define MG_DASH_MAX_SEND_BUF_SIZE 81920
/* Dashboard enums, as Mongoose declares them (real enumerators, so C++
   code can initialise enum-typed fields with them). */
enum mg_val_type { MG_VAL_INT, MG_VAL_UINT64, MG_VAL_BOOL, MG_VAL_DBL, MG_VAL_STR, MG_VAL_RAW };
enum mg_dash_op { MG_DASH_READ, MG_DASH_WRITE, MG_DASH_DELETE, MG_DASH_ADD };
/* struct mg_dash_user's name array is fixed at 32 bytes in this library. */
#if defined(MG_DASH_MAX_USER_NAME) && MG_DASH_MAX_USER_NAME != 32
#error "MG_DASH_MAX_USER_NAME is fixed at 32 in this prebuilt library"
#endif
#undef MG_DASH_MAX_USER_NAME
#define MG_DASH_MAX_USER_NAME 32
#define MG_DASH_ADD_FIELD_SET(dash_, set_) \
  do {                                     \
    (set_)->next = (dash_)->sets;          \
    (dash_)->sets = (set_);                \
  } while (0)
#define MG_DASH_REGISTER_CUSTOM_HANDLER(dash_, uri_, fn_, data_) \
  do {                                                           \
    static struct mg_dash_custom_handler h_;                     \
    h_.uri_pattern = mg_str(uri_);                               \
    h_.handler = (fn_);                                          \
    h_.handler_data = (data_);                                   \
    h_.next = (dash_)->custom_handlers;                          \
    (dash_)->custom_handlers = &h_;                              \
  } while (0)

/* Embedded-only settings (Wi-Fi, built-in TCP/IP, MCU hooks): values as in
   Mongoose so that shared configuration code compiles; unused here. */
#define MG_WIFI_SECURITY_OPEN 0
#define MG_WIFI_SECURITY_WEP MG_BIT(0)
#define MG_WIFI_SECURITY_WPA MG_BIT(1)
#define MG_WIFI_SECURITY_WPA2 MG_BIT(2)
#define MG_WIFI_SECURITY_WPA3 MG_BIT(3)
#define MG_WIFI_SECURITY_WPA_ENTERPRISE MG_BIT(4)
#define MG_WIFI_SECURITY_WPA2_ENTERPRISE MG_BIT(5)
#define MG_WIFI_SECURITY_WPA3_ENTERPRISE MG_BIT(6)
#define MG_WIFI_BAND_2G 0
#define MG_WIFI_BAND_5G 1
#ifndef MG_TCPIP_IP
#define MG_TCPIP_IP MG_IPV4(0, 0, 0, 0)
#endif
#ifndef MG_TCPIP_MASK
#define MG_TCPIP_MASK MG_IPV4(0, 0, 0, 0)
#endif
#ifndef MG_TCPIP_GW
#define MG_TCPIP_GW MG_IPV4(0, 0, 0, 0)
#endif
#ifndef MG_TCPIP_DHCPNAME_SIZE
#define MG_TCPIP_DHCPNAME_SIZE 18
#endif
#ifndef MG_SET_MAC_ADDRESS
#define MG_SET_MAC_ADDRESS(mac)
#endif
#ifndef MG_SET_WIFI_CONFIG
#define MG_SET_WIFI_CONFIG(ifp, driver_data)
#endif
#define MG_ARM_DISABLE_IRQ()
#define MG_ARM_ENABLE_IRQ()
#define MG_DSB()

#define MG___FUNC__ __func__
#define MG_BIG_ENDIAN (*(uint16_t *) "\0\xff" < 0x100)
#define MG_U32(a, b, c, d)                                         \
  (((uint32_t) ((a) &255) << 24) | ((uint32_t) ((b) &255) << 16) | \
   ((uint32_t) ((c) &255) << 8) | (uint32_t) ((d) &255))
#define MG_IPV4(a, b, c, d) mg_htonl(MG_U32(a, b, c, d))
#define MG_IPV6(a, b, c, d, e, f, g, h)                                   \
  {                                                                       \
    (uint8_t) ((a) >> 8), (uint8_t) (a), (uint8_t) ((b) >> 8),            \
        (uint8_t) (b), (uint8_t) ((c) >> 8), (uint8_t) (c),               \
        (uint8_t) ((d) >> 8), (uint8_t) (d), (uint8_t) ((e) >> 8),        \
        (uint8_t) (e), (uint8_t) ((f) >> 8), (uint8_t) (f),               \
        (uint8_t) ((g) >> 8), (uint8_t) (g), (uint8_t) ((h) >> 8),        \
        (uint8_t) (h)                                                     \
  }
#define MG_U8P(ADDR) ((uint8_t *) (ADDR))
#define MG_IPADDR_PARTS(ADDR) \
  MG_U8P(ADDR)[0], MG_U8P(ADDR)[1], MG_U8P(ADDR)[2], MG_U8P(ADDR)[3]
#define MG_LOAD_BE16(p) \
  ((uint16_t) (((uint16_t) MG_U8P(p)[0] << 8U) | MG_U8P(p)[1]))
#define MG_LOAD_BE24(p)                                                     \
  ((uint32_t) (((uint32_t) MG_U8P(p)[0] << 16U) |                           \
               ((uint32_t) MG_U8P(p)[1] << 8U) | MG_U8P(p)[2]))
#define MG_LOAD_BE32(p)                                                     \
  ((uint32_t) (((uint32_t) MG_U8P(p)[0] << 24U) |                           \
               ((uint32_t) MG_U8P(p)[1] << 16U) |                           \
               ((uint32_t) MG_U8P(p)[2] << 8U) | MG_U8P(p)[3]))
#define MG_LOAD_BE64(p)                                                    \
  ((uint64_t) (((uint64_t) MG_LOAD_BE32(p) << 32U) |                       \
               (uint64_t) MG_LOAD_BE32(MG_U8P(p) + 4)))
#define MG_STORE_BE16(p, n)                       \
  do {                                            \
    MG_U8P(p)[0] = (uint8_t) (((n) >> 8U) & 255); \
    MG_U8P(p)[1] = (uint8_t) ((n) &255);          \
  } while (0)
#define MG_STORE_BE24(p, n)                        \
  do {                                             \
    MG_U8P(p)[0] = (uint8_t) (((n) >> 16U) & 255); \
    MG_U8P(p)[1] = (uint8_t) (((n) >> 8U) & 255);  \
    MG_U8P(p)[2] = (uint8_t) ((n) &255);           \
  } while (0)
#define MG_STORE_BE32(p, n)                        \
  do {                                             \
    MG_U8P(p)[0] = (uint8_t) (((n) >> 24U) & 255); \
    MG_U8P(p)[1] = (uint8_t) (((n) >> 16U) & 255); \
    MG_U8P(p)[2] = (uint8_t) (((n) >> 8U) & 255);  \
    MG_U8P(p)[3] = (uint8_t) ((n) &255);           \
  } while (0)
#define MG_STORE_BE64(p, n)                              \
  do {                                                   \
    MG_STORE_BE32((p), (uint32_t) ((uint64_t) (n) >> 32)); \
    MG_STORE_BE32(MG_U8P(p) + 4, (uint32_t) (n));        \
  } while (0)
#define mg_htons(x) mg_ntohs(x)
#define mg_htonl(x) mg_ntohl(x)
#define mg_htonll(x) mg_ntohll(x)
#define MG_REG(x) ((volatile uint32_t *) (x))[0]
#define MG_BIT(x) (((uint32_t) 1U) << (x))
#define MG_SET_BITS(R, CLR, SET) (R) = ((R) & ~(CLR)) | (SET)
#define MG_ROUND_UP(x, a) ((a) == 0 ? (x) : ((((x) + (a) -1) / (a)) * (a)))
#define MG_ROUND_DOWN(x, a) ((a) == 0 ? (x) : (((x) / (a)) * (a)))
#define MG_DSCP_CS(class_) ((class_) << 3)
#define MG_DSCP_AF(class_, drop_) (((class_) << 3) | ((drop_) << 1))
#define MG_DSCP_EF 46
#define MG_IS_DER(buf) (((uint8_t *) (buf))[0] == 0x30)
#define MG_PROF_INIT(c)
#define MG_PROF_FREE(c)
#define MG_PROF_ADD(c, name)
#define MG_PROF_DUMP(c)
#define MG_C_STR(a) \
  { (char *) (a), sizeof(a) - 1 }

/* Intrusive singly linked lists over a `next` member. */
#define LIST_ADD_HEAD(type_, head_, elem_) \
  do {                                     \
    (elem_)->next = (*(head_));            \
    *(head_) = (elem_);                    \
  } while (0)
#define LIST_ADD_TAIL(type_, head_, elem_)              \
  do {                                                  \
    type_ **list_pp_ = (head_);                         \
    while (*list_pp_ != NULL) list_pp_ = &(*list_pp_)->next; \
    *list_pp_ = (elem_);                                \
  } while (0)
#define LIST_DELETE(type_, head_, elem_)                    \
  do {                                                      \
    type_ **list_pp_ = (head_);                             \
    while (*list_pp_ != (elem_)) list_pp_ = &(*list_pp_)->next; \
    *list_pp_ = (elem_)->next;                              \
  } while (0)

#if MG_ENABLE_ASSERT
#include <assert.h>
#elif !defined(assert)
#define assert(x)
#endif

/* mg_str(s) is a macro so that C++ can have both a struct and a "function". */
#define mg_str(s) mg_str_s(s)
#define MG_ESC(str) mg_print_esc, 0, (str)
#define mg_log_set(level_) mg_log_level = (level_)
#if MG_ENABLE_LOG
#define MG_LOG(level, args)                                     \
  do {                                                          \
    if ((level) <= mg_log_level) {                              \
      mg_log_prefix((level), __FILE__, __LINE__, MG___FUNC__);  \
      mg_log args;                                              \
    }                                                           \
  } while (0)
#else
/* Compiled out, but the arguments are still type-checked. */
#define MG_LOG(level, args) \
  do {                      \
    if (0) mg_log args;     \
  } while (0)
#endif
#define MG_ERROR(args) MG_LOG(MG_LL_ERROR, args)
#define MG_INFO(args) MG_LOG(MG_LL_INFO, args)
#define MG_DEBUG(args) MG_LOG(MG_LL_DEBUG, args)
#define MG_VERBOSE(args) MG_LOG(MG_LL_VERBOSE, args)

/* Every struct, declared at file scope before any prototype mentions it. */
struct mg_str;
struct mg_addr;
struct mg_iobuf;
struct mg_timer;
struct mg_mgr;
struct mg_connection;
struct mg_dns;
struct mg_fs;
struct mg_fd;
struct mg_http_message;
struct mg_http_serve_opts;
struct mg_http_part;
struct mg_tls_opts;
struct mg_ws_message;
struct mg_mqtt_prop;
struct mg_mqtt_opts;
struct mg_mqtt_message;
struct mg_dns_rr;
struct mg_dnssd_record;
struct mg_rpc;
struct mg_rpc_req;
struct mg_field;
struct mg_field_set;
struct mg_dash;
struct mg_dash_user;
struct mg_dash_custom_handler;
/* Written here rather than generated: the offsets are volatile, as in
   Mongoose, so that C code polling them re-reads memory. */
struct mg_queue {
  char *buf;             /* caller-supplied storage */
  size_t size;           /* bytes in buf */
  volatile size_t tail;  /* read offset (consumer) */
  volatile size_t head;  /* write offset (producer) */
};
/* ---- end of prologue; generated declarations follow ---- */
