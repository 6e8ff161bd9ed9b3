// mg_http_start_upload / mg_http_start_ota streaming bodies (replies and
// callbacks recorded from Mongoose 7.23), the mg_ota_* no-op and the
// file backend, mg_open_listener, mg_getlocaddr, mg_dnsc_init.
#include "test.h"

#include <sys/stat.h>
#include <unistd.h>

static char s_dir[64], s_path_up[128];
static int s_mode;  // 0 upload, 1 OTA
static bool s_use_cb;
static const char *s_name = "up.bin";
static char s_done[64];
static int s_done_calls, s_msgs;

static void done_cb(struct mg_connection *c, const char *err) {
  (void) c;
  s_done_calls++;
  snprintf(s_done, sizeof(s_done), "%s", err ? err : "(null)");
}

static void srv_fn(struct mg_connection *c, int ev, void *ev_data) {
  struct mg_http_message *hm = (struct mg_http_message *) ev_data;
  if (ev == MG_EV_HTTP_HDRS) {
    if (s_mode == 0) {
      mg_http_start_upload(c, hm, mg_str(s_name), mg_str(s_dir), NULL,
                           s_use_cb ? done_cb : NULL);
    } else {
      mg_http_start_ota(c, hm, s_use_cb ? done_cb : NULL);
    }
  } else if (ev == MG_EV_HTTP_MSG) {
    s_msgs++;
  }
}

struct cli {
  char got[256];
  size_t n;
  bool closed;
};

static void cli_fn(struct mg_connection *c, int ev, void *ev_data) {
  struct cli *k = (struct cli *) c->fn_data;
  (void) ev_data;
  if (ev == MG_EV_READ) {
    size_t n = c->recv.len < sizeof(k->got) - 1 - k->n ? c->recv.len : sizeof(k->got) - 1 - k->n;
    memcpy(k->got + k->n, c->recv.buf, n);
    k->n += n;
    k->got[k->n] = '\0';
    c->recv.len = 0;
  }
  if (ev == MG_EV_CLOSE) k->closed = true;
}

static char s_url[64];

// Send `a` then `b` (if any); wait for `want` bytes of reply, or (want
// NULL) for the server to see the whole exchange; close early if asked.
static void exchange(struct mg_mgr *mgr, const char *a, const char *b, const char *want,
                     bool close_early) {
  struct cli k;
  struct mg_connection *c;
  int i;
  memset(&k, 0, sizeof(k));
  s_done[0] = '\0';
  s_done_calls = 0;
  c = mg_connect(mgr, s_url, cli_fn, &k);
  mg_send(c, a, strlen(a));
  for (i = 0; i < 20; i++) mg_mgr_poll(mgr, 1);
  if (b != NULL) mg_send(c, b, strlen(b));
  if (close_early) {
    c->is_closing = 1;
    POLL_UNTIL(mgr, s_done_calls > 0, 1000);
  } else if (want != NULL && want[0] != '\0') {
    POLL_UNTIL(mgr, k.n >= strlen(want), 2000);
  } else {
    POLL_UNTIL(mgr, s_done_calls > 0, 1000);
  }
  for (i = 0; i < 10; i++) mg_mgr_poll(mgr, 1);
  if (want != NULL) ASSERT_STR(k.got, want);
  if (!k.closed) {
    c->is_closing = 1;
    POLL_UNTIL(mgr, k.closed, 1000);
  }
}

static char *read_file(const char *name, size_t *n) {
  char path[128];
  mg_snprintf(path, sizeof(path), "%s/%s", s_dir, name);
  {
    struct mg_str s = mg_file_read(&mg_fs_posix, path);
    *n = s.len;
    return s.buf;
  }
}

static void rm_file(const char *name) {
  char path[128];
  mg_snprintf(path, sizeof(path), "%s/%s", s_dir, name);
  remove(path);
}

#define OK_REPLY "HTTP/1.1 200 OK\r\nContent-Length: 3          \r\n\r\nok\n"

static void test_upload(struct mg_mgr *mgr) {
  size_t n = 0;
  char *p, big[1400];
  exchange(mgr, "POST /u HTTP/1.1\r\nContent-Length: 10\r\n\r\nhello", "world", OK_REPLY,
           false);
  p = read_file("up.bin", &n);
  ASSERT(p != NULL && n == 10 && memcmp(p, "helloworld", 10) == 0);
  free(p);
  // Bytes past the body and later requests are discarded. The file is
  // opened for appending, as Mongoose's POSIX filesystem does.
  exchange(mgr, "POST /u HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\n\r\n",
           "GET /x HTTP/1.1\r\n\r\n", OK_REPLY, false);
  p = read_file("up.bin", &n);
  ASSERT(p != NULL && n == 13 && memcmp(p, "helloworldabc", 13) == 0);
  free(p);
  rm_file("up.bin");
  // A body over several reads (written in 512-byte multiples).
  memset(big, 'x', sizeof(big));
  memcpy(big, "POST /u HTTP/1.1\r\nContent-Length: 1300\r\n\r\n", 42);
  big[42 + 700] = '\0';
  {
    char rest[601];
    memset(rest, 'y', 600);
    rest[600] = '\0';
    exchange(mgr, big, rest, OK_REPLY, false);
  }
  p = read_file("up.bin", &n);
  ASSERT(p != NULL && n == 1300 && p[699] == 'x' && p[700] == 'y' && p[1299] == 'y');
  free(p);
  rm_file("up.bin");
  // Callback: NULL on success, no reply; "connection closed" when cut short.
  s_use_cb = true;
  exchange(mgr, "POST /u HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", NULL, "", false);
  ASSERT_STR(s_done, "(null)");
  ASSERT(s_done_calls == 1);
  rm_file("up.bin");
  exchange(mgr, "POST /u HTTP/1.1\r\nContent-Length: 10\r\n\r\nhello", NULL, NULL, true);
  ASSERT_STR(s_done, "connection closed");
  p = read_file("up.bin", &n);
  ASSERT(n == 0 && access(s_path_up, F_OK) == 0);  // under 512 bytes: nothing written
  free(p);
  s_name = "../x";
  exchange(mgr, "POST /u HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", NULL, NULL, false);
  ASSERT_STR(s_done, "bad name");
  s_use_cb = false;
  s_msgs = 0;
  exchange(mgr, "POST /u HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", NULL,
           "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 9          \r\n\r\nbad name\n",
           false);
  ASSERT(s_msgs == 1);  // not taken over: the message still arrives
  s_name = "no/such/dir/f";
  exchange(mgr, "POST /u HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", NULL,
           "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 12         \r\n\r\nopen "
           "failed\n",
           false);
  s_name = "up.bin";
}

static void test_ota(struct mg_mgr *mgr) {
  char path[128];
  size_t n = 0;
  char *p;
  // Mongoose's Linux OTA: succeeds, stores nothing.
  mg_ota_set_file(NULL);
  ASSERT(mg_ota_begin(3) && mg_ota_write("abcdef", 6) && mg_ota_end());
  ASSERT(!mg_ota_write(NULL, 1));
  s_mode = 1;
  exchange(mgr, "POST /ota HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", NULL, OK_REPLY, false);
  // File backend.
  mg_snprintf(path, sizeof(path), "%s/fw.bin", s_dir);
  mg_ota_set_file(path);
  exchange(mgr, "POST /ota HTTP/1.1\r\nContent-Length: 8\r\n\r\nfirm", "ware", OK_REPLY, false);
  p = read_file("fw.bin", &n);
  ASSERT(p != NULL && n == 8 && memcmp(p, "firmware", 8) == 0);
  free(p);
  s_use_cb = true;
  exchange(mgr, "POST /ota HTTP/1.1\r\nContent-Length: 8\r\n\r\nnew", NULL, NULL, true);
  ASSERT_STR(s_done, "connection closed");
  p = read_file("fw.bin", &n);
  ASSERT(p != NULL && n == 8 && memcmp(p, "firmware", 8) == 0);  // old image kept
  free(p);
  s_use_cb = false;
  mg_ota_set_crc32(mg_crc32(0, "good", 4));
  ASSERT(mg_ota_begin(4) && mg_ota_write("bad!", 4) && !mg_ota_end());
  mg_ota_set_crc32(mg_crc32(0, "good", 4));
  ASSERT(mg_ota_begin(4) && mg_ota_write("good", 4) && mg_ota_end());
  p = read_file("fw.bin", &n);
  ASSERT(p != NULL && n == 4 && memcmp(p, "good", 4) == 0);
  free(p);
  ASSERT(mg_ota_begin(2) && !mg_ota_write("abc", 3) && !mg_ota_end());
  mg_ota_set_file(NULL);
  remove(path);
  s_mode = 0;
  {
    char id[8];
    memset(id, 'x', sizeof(id));
    mg_ota_device_id(id, sizeof(id));
    ASSERT_STR(id, "0");
    id[0] = 'x';
    mg_ota_device_id(id, 1);
    ASSERT(id[0] == '\0');
    mg_ota_device_id(NULL, 0);
  }
  mg_ota_poll(mgr);
}

// A tiny update server: /meta.json names /fw.bin (9 bytes, version 2.0.0).
static char s_meta[256];
static const char *s_fw_reply = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nfirmware2";
static char s_status[64];
static int s_status_calls;

static void upd_fn(struct mg_connection *c, int ev, void *ev_data) {
  struct mg_http_message *hm = (struct mg_http_message *) ev_data;
  if (ev != MG_EV_HTTP_MSG) return;
  if (mg_match(hm->uri, mg_str("/meta.json"), NULL)) {
    mg_http_reply(c, 200, "", "%s", s_meta);
  } else {
    mg_printf(c, "%s", s_fw_reply);
  }
}

static void status_fn(const char *msg) {
  s_status_calls++;
  snprintf(s_status, sizeof(s_status), "%s", msg ? msg : "(null)");
}

static void check(struct mg_mgr *mgr, const char *url, const char *want) {
  s_status_calls = 0;
  s_status[0] = '\0';
  mg_ota_url_check(mgr, url, status_fn);
  POLL_UNTIL(mgr, s_status_calls > 0, 3000);
  ASSERT_STR(s_status, want);
  {
    int i;
    for (i = 0; i < 20; i++) mg_mgr_poll(mgr, 1);
  }
  ASSERT(s_status_calls == 1);
}

static void test_url_check(struct mg_mgr *mgr) {
  struct mg_connection *u = mg_http_listen(mgr, "http://127.0.0.1:0", upd_fn, NULL);
  char url[80], path[128];
  size_t n = 0;
  char *p;
  unsigned short port = mg_ntohs(u->loc.port);
  mg_snprintf(url, sizeof(url), "http://127.0.0.1:%hu/meta.json", port);
  mg_snprintf(path, sizeof(path), "%s/fw.bin", s_dir);
  mg_ota_set_file(path);
  mg_snprintf(s_meta, sizeof(s_meta),
              "{\"version\":\"2.0.0\",\"url\":\"http://127.0.0.1:%hu/fw.bin\",\"size\":9}", port);
  check(mgr, url, "(null)");
  p = read_file("fw.bin", &n);
  ASSERT(p != NULL && n == 9 && memcmp(p, "firmware2", 9) == 0);
  free(p);
  remove(path);
  s_fw_reply = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfirm";
  check(mgr, url, "Bad HTTP response: status 200, size 4 vs 9");
  s_fw_reply = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot here!";
  check(mgr, url, "Bad HTTP response: status 404, size 9 vs 9");
  ASSERT(access(path, F_OK) != 0);
  mg_snprintf(s_meta, sizeof(s_meta),
              "{\"version\":\"1.0.0\",\"url\":\"http://127.0.0.1:%hu/fw.bin\",\"size\":9}", port);
  check(mgr, url, "Same version");
  mg_snprintf(s_meta, sizeof(s_meta), "{\"version\":\"2.0.0\"}");
  check(mgr, url, "Bad metadata: {\"version\":\"2.0.0\"}");
  mg_snprintf(s_meta, sizeof(s_meta),
              "{\"version\":\"2.0.0\",\"url\":\"https://127.0.0.1:%hu/fw.bin\",\"size\":9}", port);
  check(mgr, url, "MG_OTA_TLS_CA is not configured");
  check(mgr, NULL, "Failed to connect");
  mg_ota_url_check(mgr, NULL, NULL);
  mg_ota_set_file(NULL);
  u->is_closing = 1;
}

static int s_errors;
static void err_fn(struct mg_connection *c, int ev, void *ev_data) {
  (void) c, (void) ev_data;
  if (ev == MG_EV_ERROR) s_errors++;
}

static void test_internals(struct mg_mgr *mgr) {
  struct mg_connection *c = mg_alloc_conn(mgr);
  struct mg_addr rem, loc;
  struct mg_dns dns = {"udp://127.0.0.1:53", NULL};
  ASSERT(mg_open_listener(c, "tcp://127.0.0.1:0"));
  ASSERT(c->loc.port != 0 && c->loc.addr.ip[0] == 127 && !c->is_listening);
  mg_close_conn(c);
  c = mg_alloc_conn(mgr);
  ASSERT(!mg_open_listener(c, "tcp://300.0.0.1:0"));
  ASSERT(!mg_open_listener(NULL, "tcp://127.0.0.1:0"));
  ASSERT(!mg_open_listener(c, NULL));
  mg_close_conn(c);

  memset(&rem, 0, sizeof(rem));
  memset(&loc, 0xaa, sizeof(loc));
  ASSERT(mg_aton(mg_str("127.0.0.5"), &rem));
  rem.port = mg_htons(80);
  mg_getlocaddr(NULL, &rem, &loc);
  ASSERT(loc.addr.ip[0] == 127 && loc.addr.ip[3] == 1 && !loc.is_ip6 && loc.port != 0);
  ASSERT(loc.addr.ip[4] == 0xaa && loc.scope_id == 0xaa);  // untouched
  c = mg_alloc_conn(mgr);
  c->fn = err_fn;
  memset(&rem, 0xff, 4);  // 255.255.255.255: connect refused (EACCES)
  mg_getlocaddr(c, &rem, &loc);
  ASSERT(s_errors == 1 && c->is_closing);
  mg_close_conn(c);
  mg_getlocaddr(NULL, NULL, NULL);

  mg_dnsc_init(mgr, &dns);
  ASSERT(dns.c == NULL);  // the system resolver is used instead
  mg_dnsc_init(NULL, NULL);
}

int main(void) {
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  mg_log_level = 0;
  snprintf(s_dir, sizeof(s_dir), "/tmp/mg_upload_XXXXXX");
  ASSERT(mkdtemp(s_dir) != NULL);
  mg_snprintf(s_path_up, sizeof(s_path_up), "%s/up.bin", s_dir);
  mg_mgr_init(&mgr);
  lsn = mg_http_listen(&mgr, "http://127.0.0.1:0", srv_fn, NULL);
  ASSERT(lsn != NULL);
  if (lsn == NULL) TEST_DONE();
  mg_snprintf(s_url, sizeof(s_url), "http://127.0.0.1:%hu", mg_ntohs(lsn->loc.port));
  test_upload(&mgr);
  test_ota(&mgr);
  test_internals(&mgr);
  test_url_check(&mgr);
  mg_mgr_free(&mgr);
  {
    char path[128];
    mg_snprintf(path, sizeof(path), "%s/up.bin", s_dir);
    remove(path);
    rmdir(s_dir);
  }
  TEST_DONE();
}
