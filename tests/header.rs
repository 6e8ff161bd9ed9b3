//! The committed `include/mongoose.h`: it is what cbindgen generates now, it
//! compiles cleanly as strict C99 and as C++, and, like Mongoose's header on
//! Linux, it brings in the system headers programs rely on.
mod util;

use std::path::PathBuf;
use std::process::Command;

/// The header build.rs generated for this build.
const GENERATED: &str = concat!(env!("OUT_DIR"), "/mongoose.h");

fn committed() -> PathBuf {
    util::repo().join("include/mongoose.h")
}

/// A scratch directory for the sources this test writes.
fn scratch() -> PathBuf {
    let dir = util::target_dir().join("header-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `compiler args.. -I include -c src -o src.o`; Err(stderr) on failure.
fn compile_only(compiler: &str, args: &[&str], name: &str, src: &str) -> Result<(), String> {
    let path = scratch().join(name);
    std::fs::write(&path, src).unwrap();
    let out = Command::new(compiler)
        .args(args)
        .arg("-I")
        .arg(util::repo().join("include"))
        .arg("-c")
        .arg(&path)
        .arg("-o")
        .arg(path.with_extension("o"))
        .output()
        .unwrap_or_else(|e| panic!("running {compiler}: {e}"));
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{compiler} {}` rejects {}:\n{}",
            args.join(" "),
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[test]
fn committed_header_is_the_generated_one() {
    let fresh = std::fs::read_to_string(GENERATED).unwrap_or_else(|e| panic!("reading {GENERATED}: {e}"));
    let committed = std::fs::read_to_string(committed()).unwrap_or_default();
    if fresh == committed {
        return;
    }
    let first_diff = fresh.lines().zip(committed.lines()).position(|(a, b)| a != b).map_or_else(
        || {
            format!(
                "one is a prefix of the other ({} vs {} lines)",
                fresh.lines().count(),
                committed.lines().count()
            )
        },
        |i| {
            format!(
                "first difference at line {}:\n  generated: {}\n  committed: {}",
                i + 1,
                fresh.lines().nth(i).unwrap(),
                committed.lines().nth(i).unwrap()
            )
        },
    );
    panic!(
        "include/mongoose.h is stale; run MONGOOSE_BLESS_HEADER=1 cargo build\n\
         (generated: {GENERATED})\n{first_diff}"
    );
}

/// Includes nothing but mongoose.h and uses a few declarations and macros.
const USES_ONLY_THE_HEADER: &str = r#"#include "mongoose.h"

static void handler(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    struct mg_str *ct = mg_http_get_header(hm, "Content-Type");
    MG_INFO(("%.*s", (int) hm->uri.len, hm->uri.buf));
    mg_http_reply(c, 200, "", "%d\n", ct != NULL && mg_strcmp(*ct, mg_str("text/plain")) == 0);
  } else if (ev == MG_EV_CLOSE && c->is_closing) {
    c->is_draining = 1;
  }
}

int run_server(void);
int run_server(void) {
  struct mg_mgr mgr;
  mg_log_set(MG_LL_ERROR);
  mg_mgr_init(&mgr);
  if (mg_http_listen(&mgr, "http://127.0.0.1:0", handler, NULL) == NULL) return 1;
  mg_mgr_poll(&mgr, 0);
  mg_mgr_free(&mgr);
  return (int) MG_IO_SIZE;
}
"#;

#[test]
fn header_compiles_as_strict_c99() {
    let args = ["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror"];
    compile_only("cc", &args, "include_only.c", "#include \"mongoose.h\"\n").unwrap();
    compile_only("cc", &args, "uses_header.c", USES_ONLY_THE_HEADER).unwrap();
}

#[test]
fn header_compiles_as_cplusplus() {
    let args = ["-Wall", "-Wextra", "-Werror"];
    compile_only("c++", &args, "include_only.cpp", "#include \"mongoose.h\"\n").unwrap();
    compile_only("c++", &args, "uses_header.cpp", USES_ONLY_THE_HEADER).unwrap();
}

/// One use of each system header that Mongoose's Linux (MG_ARCH_UNIX) build
/// includes from mongoose.h, in a program that includes nothing else.
const USES_SYSTEM_HEADERS: &str = r#"#include "mongoose.h"

static int dummy_va(int n, ...) {
  va_list ap;                                   /* <stdarg.h> */
  int v;
  va_start(ap, n);
  v = va_arg(ap, int);
  va_end(ap);
  return v;
}

int main(void) {
  struct sockaddr_in sin;                       /* <netinet/in.h> */
  struct addrinfo hints;                        /* <netdb.h> */
  struct stat st;                               /* <sys/stat.h> */
  struct timeval tv;                            /* <sys/time.h> */
  fd_set set;                                   /* <sys/select.h> */
  ssize_t ss = -1;                              /* <sys/types.h> */
  bool ok = true;                               /* <stdbool.h> */
  uint32_t u = UINT32_MAX;                      /* <stdint.h> */
  int nodelay = TCP_NODELAY;                    /* <netinet/tcp.h> */
  char buf[64];
  DIR *dir = opendir(".");                      /* <dirent.h> */
  int fd = open(".", O_RDONLY);                 /* <fcntl.h> */
  int sock = socket(AF_INET, SOCK_STREAM, 0);   /* <sys/socket.h> */
  time_t now = time(NULL);                      /* <time.h> */
  char *heap = (char *) malloc(16);             /* <stdlib.h> */
  int ep = epoll_create1(EPOLL_CLOEXEC);        /* <sys/epoll.h> */

  memset(&sin, 0, sizeof sin);                  /* <string.h> */
  memset(&hints, 0, sizeof hints);
  FD_ZERO(&set);
  errno = 0;                                    /* <errno.h> */
  ok = ok && inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr) == 1; /* <arpa/inet.h> */
  ok = ok && ep >= 0 && EPOLLIN != 0;
  ok = ok && sock >= 0 && dir != NULL && fd >= 0 && heap != NULL && now > 0;
  ok = ok && stat(".", &st) == 0 && gettimeofday(&tv, NULL) == 0;
  ok = ok && isdigit('7') && INT_MAX > 0 && strlen("abc") == 3; /* <ctype.h> <limits.h> */
  ok = ok && offsetof(struct mg_str, len) == 8;                 /* <stddef.h> */
  ok = ok && dummy_va(1, 42) == 42 && ss < 0 && u > 0 && nodelay > 0;
  ok = ok && signal(SIGPIPE, SIG_IGN) != SIG_ERR;               /* <signal.h> */
  snprintf(buf, sizeof buf, "%" PRIu64, (uint64_t) 42);         /* <stdio.h> <inttypes.h> */
  ok = ok && strcmp(buf, "42") == 0;
  free(heap);
  if (sock >= 0) close(sock);                                   /* <unistd.h> */
  if (fd >= 0) close(fd);
  if (ep >= 0) close(ep);
  if (dir != NULL) closedir(dir);
  printf("%s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
"#;

#[test]
fn header_brings_in_the_system_headers() {
    let src = scratch().join("system_headers.c");
    std::fs::write(&src, USES_SYSTEM_HEADERS).unwrap();
    let exe = util::compile_c(&[src.as_path()], util::Link::Shared, &[]).unwrap();
    let out = Command::new(&exe).output().unwrap();
    assert!(
        out.status.success(),
        "{} failed: {}\n{}",
        exe.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Configuration a Mongoose program may pass with -D: the header-side
/// switches are honoured (MG_ENABLE_LOG=0 compiles MG_INFO out, still
/// type-checking its arguments; MG_ENABLE_ASSERT=1 brings in <assert.h>),
/// values describing the prebuilt library are replaced without a warning,
/// and the embedded-only macros and `mg_packed_files` are declared.
const PROGRAM_SETTINGS: &str = r#"#include "mongoose.h"
#if MG_ENABLE_LOG != 0 || MG_ENABLE_ASSERT != 1
#error "header-side switches not honoured"
#endif
#if MG_ENABLE_SSI != 1 || MG_ENABLE_IPV6 != 1 || MG_TLS != MG_TLS_CUSTOM
#error "library switches must describe the library"
#endif
#if !defined(MG_VERSION) || !defined(MG_OTA_URL) || !defined(MG_TCPIP_IP)
#error "missing macros"
#endif

int uses(const void *der, struct mg_dash *dash, struct mg_field_set *set);
int uses(const void *der, struct mg_dash *dash, struct mg_field_set *set) {
  const struct mg_mem_file *files = mg_packed_files;
  MG_INFO(("%d", 1));
  MG_DEBUG(("%s", "x"));
  assert(der != NULL);
  MG_DASH_ADD_FIELD_SET(dash, set);
  MG_ARM_DISABLE_IRQ();
  MG_ARM_ENABLE_IRQ();
  MG_OTA_STATE_SET(MG_OTA_STATE_GET());
  MG_OTA_BOOT_CHECK();
  MG_OTA_ROLLBACK_TIMER_FEED();
  if (MG_OTA_STATE_GET() == MG_OTA_ROLLEDBACK) MG_OTA_ROLLBACK();
  if (MG_JSON_MAX_DEPTH != 30 || MG_DIRSEP != '/' || MG_INVALID_SOCKET != -1) return -1;
  if (sizeof(MG_OTA_FIRMWARE_VERSION) != 6 || MG_OTA_PULL_INTERVAL_SECONDS != 60) return -1;
  (void) &mg_dash_init;
  (void) &mg_mqtt_poll;
  return MG_IS_DER(der) + (files != NULL) + MG_WIFI_SECURITY_WPA2 + MG_OTA_STM32F;
}
"#;

#[test]
fn program_settings_compile_cleanly() {
    let args = [
        "-std=c99",
        "-Wall",
        "-Wextra",
        "-pedantic",
        "-Werror",
        "-DMG_ENABLE_LOG=0",
        "-DMG_ENABLE_ASSERT=1",
        "-DMG_ENABLE_SSI=1",
        "-DMG_ENABLE_IPV6=0",
        "-DMG_TLS=MG_TLS_BUILTIN",
        // Overrides Mongoose's configuration takes: replaced or honoured,
        // never a "redefined" warning.
        "-DMG_JSON_MAX_DEPTH=8",
        "-DMG_DIRSEP='\\\\'",
        "-DMG_SOCKET_TYPE=long",
        "-DMG_INVALID_SOCKET=0",
        "-DMG_OTA_FIRMWARE_VERSION=\"2.0\"",
        "-DMG_OTA_PULL_INTERVAL_SECONDS=5",
        "-DMG_OTA_ROLLBACK_TIMEOUT_SECONDS=30",
        "-DMG_OTA_STATE_GET()=1",
    ];
    compile_only("cc", &args, "program_settings.c", PROGRAM_SETTINGS).unwrap();
    compile_only("c++", &args[1..], "program_settings.cpp", PROGRAM_SETTINGS).unwrap();
}
