// Device dashboard (mg_dash_ev_handler, mg_dash_send_change,
// mg_dash_dir_read). Every expected byte string was observed on Mongoose
// 7.23's Linux build and is hard-coded here. The program is its own oracle
// check: built with -DMG_ORACLE and linked against cymongoose's
// _mongoose*.so (which exports every mg_* function; add -lpython3.x), it
// passes against Mongoose too. MG_ORACLE skips only calls that crash
// Mongoose (NULL arguments, a set without get_dir) and our departures.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mongoose.h"
#include "test.h"

#define JSON "Content-Type: application/json\r\nCache-Control: no-cache\r\n"

// "settings": one value of each type.
static int s_i = -42;
static uint64_t s_u = 18446744073709551615ULL;
static bool s_b = true;
static double s_d = 3.25;
static char s_s[32] = "hello \"w\"\n";
static char s_r[64] = "[1,2,{\"a\":3}]";
static int s_ops[8], s_nops;
static bool settings_fn(enum mg_dash_op op, struct mg_dash_user *u) {
  (void) u;
  if (s_nops < 8) s_ops[s_nops++] = (int) op;
  return true;
}
static struct mg_field s_fields1[] = {
    {"i", MG_VAL_INT, &s_i, sizeof(s_i)},     {"u", MG_VAL_UINT64, &s_u, sizeof(s_u)},
    {"b", MG_VAL_BOOL, &s_b, sizeof(s_b)},    {"d", MG_VAL_DBL, &s_d, sizeof(s_d)},
    {"s", MG_VAL_STR, s_s, sizeof(s_s)},      {"r", MG_VAL_RAW, s_r, sizeof(s_r)},
    {NULL, MG_VAL_INT, NULL, 0}};
static struct mg_field_set s_set1 = {"settings", s_fields1, settings_fn, NULL, NULL, NULL};

// "items": an indexed set backed by an array.
static int s_arr[8] = {10, 20, 30}, s_len = 3, s_idx, s_v;
static char s_n[16] = "x";
static long long s_life = -1;  // the user's session time left, in ms
static bool items_fn(enum mg_dash_op op, struct mg_dash_user *u) {
  s_life = u == NULL ? -1 : (long long) (u->expire - mg_millis());
  if (op == MG_DASH_READ) {
    if (s_idx == -1) return s_idx = s_len, true;
    if (s_idx < 0 || s_idx >= s_len) return false;
    s_v = s_arr[s_idx];
    snprintf(s_n, sizeof(s_n), "n%d", s_idx);
    return true;
  }
  if (op == MG_DASH_WRITE) return s_idx >= 0 && s_idx < s_len ? (s_arr[s_idx] = s_v, true) : false;
  if (op == MG_DASH_DELETE) {
    if (s_idx < 0 || s_idx >= s_len) return false;
    memmove(&s_arr[s_idx], &s_arr[s_idx + 1], (size_t) (s_len - s_idx - 1) * sizeof(int));
    s_len--;
    return true;
  }
  if (op == MG_DASH_ADD && s_len < 8) return s_arr[s_len] = s_v, s_idx = s_len++, true;
  return false;
}
static char s_dir[256];
static bool get_dir(const struct mg_dash_user *u, char *buf, size_t len) {
  (void) u;
  snprintf(buf, len, "%s", s_dir);
  return true;
}
static struct mg_field s_fields2[] = {
    {"v", MG_VAL_INT, &s_v, sizeof(s_v)}, {"n", MG_VAL_STR, s_n, sizeof(s_n)}, {NULL, MG_VAL_INT, NULL, 0}};
static struct mg_field_set s_set2 = {"items", s_fields2, items_fn, &s_idx, get_dir, NULL};

// Accepts any user with password "secret" (level 7), and the Bearer
// token "tok123" (an empty user name) as "bob" (level 5).
static char s_auth_user[100], s_auth_pass[100];
static int s_auth_calls;
static int authenticate(char *user, size_t len, const char *pass) {
  s_auth_calls++;
  snprintf(s_auth_user, sizeof(s_auth_user), "%s", user);
  snprintf(s_auth_pass, sizeof(s_auth_pass), "%s", pass);
  if (user[0] == '\0' && strcmp(pass, "tok123") == 0) return snprintf(user, len, "bob"), 5;
  return strcmp(pass, "secret") == 0 ? 7 : 0;
}
static void *s_custom_fn_data, *s_custom_data16;
static void custom(struct mg_connection *c, int ev, void *ev_data) {
  s_custom_fn_data = c->fn_data;
  memcpy(&s_custom_data16, c->data + 16, sizeof(s_custom_data16));
  if (ev == MG_EV_HTTP_MSG) mg_http_reply(c, 201, "X: y\r\n", "custom %d\n", ev_data != NULL);
}

// ---- a raw client ----------------------------------------------------------

static int port_of(struct mg_connection *c) {
  return ntohs(c->loc.port);
}
static int raw_connect(int port) {
  struct sockaddr_in sin;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons((uint16_t) port);
  sin.sin_addr.s_addr = htonl(0x7f000001);
  ASSERT(connect(fd, (struct sockaddr *) &sin, sizeof(sin)) == 0);
  fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}
// Poll until `want` bytes came on `fd` (or 3 s); returns how many.
static size_t collect(struct mg_mgr *mgr, int fd, char *buf, size_t size, size_t want) {
  size_t len = 0;
  uint64_t deadline = mg_millis() + 3000;
  while (len < want && len < size && mg_millis() < deadline) {
    long n;
    mg_mgr_poll(mgr, 5);
    n = (long) recv(fd, buf + len, size - len, 0);
    if (n > 0) len += (size_t) n;
  }
  return len;
}
static char s_buf[2048];
static size_t s_got;
static void req(struct mg_mgr *mgr, int port, const char *r, size_t want) {
  int fd = raw_connect(port);
  ASSERT(send(fd, r, strlen(r), 0) == (long) strlen(r));
  s_got = collect(mgr, fd, s_buf, sizeof(s_buf), want);
  close(fd);
}
static void expect(struct mg_mgr *mgr, int port, const char *r, const char *want) {
  req(mgr, port, r, strlen(want));
  ASSERT_MEM(s_buf, s_got, want);
  if (s_got != strlen(want) || memcmp(s_buf, want, s_got) != 0) fprintf(stderr, "  request: %s\n", r);
}
#define GET(uri) "GET " uri " HTTP/1.1\r\n\r\n"

// ---- tests -----------------------------------------------------------------

static void test_guest_api(struct mg_mgr *mgr, int port) {
  expect(mgr, port, GET("/api/hi"), "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 3          \r\n\r\nhi\n");
  // Without authenticate every request runs as the built-in "guest", level 9.
  expect(mgr, port, GET("/api/login"),
         "HTTP/1.1 200 OK\r\nSet-Cookie: access_token=; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400\r\n" JSON
         "Content-Length: 27         \r\n\r\n{\"user\":\"guest\",\"level\":9}\n");
  expect(mgr, port, GET("/api/get"),
         "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 114        \r\n\r\n"
         "{\"items\":3,\"settings\":{\"i\":-42,\"u\":18446744073709551615,\"b\":true,\"d\":3.25,"
         "\"s\":\"hello \\\"w\\\"\\n\",\"r\":[1,2,{\"a\":3}]}}\n");
  expect(mgr, port, GET("/api/get/"),  // the same
         "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 114        \r\n\r\n"
         "{\"items\":3,\"settings\":{\"i\":-42,\"u\":18446744073709551615,\"b\":true,\"d\":3.25,"
         "\"s\":\"hello \\\"w\\\"\\n\",\"r\":[1,2,{\"a\":3}]}}\n");
  expect(mgr, port, GET("/api/get/items"), "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 2          \r\n\r\n3\n");
  expect(mgr, port, GET("/api/get/items/1"),
         "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 20         \r\n\r\n[{\"v\":20,\"n\":\"n1\"}]\n");
  expect(mgr, port, GET("/api/get/items/0/2"),
         "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 56         \r\n\r\n"
         "[{\"v\":10,\"n\":\"n0\"},{\"v\":20,\"n\":\"n1\"},{\"v\":30,\"n\":\"n2\"}]\n");
  expect(mgr, port, GET("/api/get/nosuch"), "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 5          \r\n\r\nnull\n");
  expect(mgr, port, GET("/api/foo"), "HTTP/1.1 404 Not Found\r\n" JSON "Content-Length: 9          \r\n\r\nNot Found");
  expect(mgr, port, GET("/index.html"), "HTTP/1.1 404 Not Found\r\n" JSON "Content-Length: 9          \r\n\r\nNot Found");
  expect(mgr, port, GET("/"), "HTTP/1.1 404 Not Found\r\nContent-Length: 10         \r\n\r\nNot found\n");
  expect(mgr, port, GET("/api/websocket"), "HTTP/1.1 426 Upgrade Required\r\nContent-Length: 20         \r\n\r\nWS upgrade expected\n");
  // Logout clears the cookie, then (as Mongoose does) sends a WebSocket
  // frame on the same connection.
  expect(mgr, port, GET("/api/logout"),
         "HTTP/1.1 401 Unauthorized\r\nSet-Cookie: access_token=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 UTC; "
         "HttpOnly; Max-Age=0; \r\nContent-Length: 13         \r\n\r\nUnauthorized\n\x81\x13{\"method\":\"logout\"}");
  expect(mgr, port, GET("/api/custom/1"), "HTTP/1.1 201 Created\r\nX: y\r\nContent-Length: 9          \r\n\r\ncustom 1\n");
}

static void test_set_add_del(struct mg_mgr *mgr, int port) {
  const char *body = "{\"settings\":{\"i\":5,\"u\":7,\"b\":false,\"d\":1.5,\"s\":\"abc\",\"r\":{\"x\":[1]}},\"nosuch\":{}}";
  char r[512];
  snprintf(r, sizeof(r), "POST /api/set HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s", (int) strlen(body), body);
  s_nops = 0;
  expect(mgr, port, r, "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 2          \r\n\r\n6\n");
  ASSERT(s_nops == 2 && s_ops[0] == MG_DASH_WRITE && s_ops[1] == MG_DASH_WRITE);
  // A RAW field takes the whole object; doubles print with 2 decimals.
  expect(mgr, port, GET("/api/get/settings"),
         "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 103        \r\n\r\n"
         "{\"i\":5,\"u\":7,\"b\":false,\"d\":1.50,\"s\":\"abc\",\"r\":{\"i\":5,\"u\":7,\"b\":false,\"d\":1.5,\"s\":\"abc\","
         "\"r\":{\"x\":[1]}}}\n");
  // Refused values: 3.7 for an int, 2^63 for a uint64, 1 for a bool, a number for a string.
  body = "{\"settings\":{\"i\":3.7,\"u\":9223372036854775808,\"b\":1,\"s\":12}}";
  snprintf(r, sizeof(r), "POST /api/set HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s", (int) strlen(body), body);
  expect(mgr, port, r, "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 2          \r\n\r\n1\n");
  ASSERT(s_i == 5 && s_u == 7 && !s_b && strcmp(s_s, "abc") == 0);
  expect(mgr, port, "POST /api/add/items HTTP/1.1\r\nContent-Length: 17\r\n\r\n{\"v\":5,\"n\":\"new\"}",
         "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 5          \r\n\r\ntrue\n");
  ASSERT(s_len == 4 && s_arr[3] == 5 && s_idx == -1);
  expect(mgr, port, "POST /api/add/items HTTP/1.1\r\nContent-Length: 8\r\n\r\n{\"zz\":5}",
         "HTTP/1.1 403 Forbidden\r\n" JSON "Content-Length: 6          \r\n\r\nfalse\n");
  expect(mgr, port, GET("/api/add/settings"), "HTTP/1.1 404 Not Found\r\n" JSON "Content-Length: 5          \r\n\r\nnull\n");
  expect(mgr, port, "DELETE /api/del/items/1 HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 2          \r\n\r\n1\n");
  ASSERT(s_len == 3 && s_arr[1] == 30 && s_idx == -1);
  expect(mgr, port, "DELETE /api/del/items/9 HTTP/1.1\r\n\r\n",
         "HTTP/1.1 403 Forbidden\r\n" JSON "Content-Length: 6          \r\n\r\nfalse\n");
  expect(mgr, port, "DELETE /api/del/items/0/5 HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 2          \r\n\r\n2\n");
  ASSERT(s_len == 1 && s_arr[0] == 30);
}

// The user the newest dashboard WebSocket keeps in c->data[8..16], and
// its dashboard.
static void *ws_user(struct mg_mgr *mgr, struct mg_dash **dash) {
  struct mg_connection *c;
  void *p = NULL;
  for (c = mgr->conns; c != NULL; c = c->next) {
    if (c->is_websocket) {
      memcpy(&p, c->data + 8, sizeof(p));
      if (dash != NULL) *dash = (struct mg_dash *) c->fn_data;
      break;
    }
  }
  return p;
}

static void test_websocket(struct mg_mgr *mgr, int port) {
  const char *hs = "GET /api/websocket HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  const char *head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  const char *frame1 = "\x81\x60{\"method\":\"change\",\"params\":{\"settings\":{\"i\":1,\"u\":7,\"b\":false,\"d\":1.50,"
                       "\"s\":\"abc\",\"r\":{\"i\":1}}}}";
  const char *frame2 = "\x81" "9{\"method\":\"change\",\"params\":{\"items/0\":{\"v\":5,\"n\":\"n0\"}}}";
  char buf[512];
  size_t n;
  int fd = raw_connect(port);
  ASSERT(send(fd, hs, strlen(hs), 0) == (long) strlen(hs));
  n = collect(mgr, fd, buf, sizeof(buf), strlen(head));
  ASSERT_MEM(buf, n, head);
  {
    struct mg_dash *d = NULL;
    void *u = ws_user(mgr, &d);
    ASSERT(d != NULL && u != NULL && u == d->guest);
  }
  // A write through the API notifies the WebSocket.
  expect(mgr, port, "POST /api/set HTTP/1.1\r\nContent-Length: 20\r\n\r\n{\"settings\":{\"i\":1}}",
         "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 2          \r\n\r\n2\n");
  n = collect(mgr, fd, buf, sizeof(buf), 98);
  ASSERT_MEM(buf, n, frame1);
  s_idx = 0;
  mg_dash_send_change(mgr, &s_set2);
  n = collect(mgr, fd, buf, sizeof(buf), 59);
  ASSERT_MEM(buf, n, frame2);
#ifndef MG_ORACLE  // harmless here; Mongoose crashes
  mg_dash_send_change(mgr, NULL);
  mg_dash_send_change(NULL, &s_set2);
#endif
  close(fd);
}

static void test_login(struct mg_mgr *mgr, int port) {
  char r[256], tok[20];
  expect(mgr, port, GET("/api/login"), "HTTP/1.1 403 Forbidden\r\n" JSON "Content-Length: 15         \r\n\r\nNot Authorised\n");
  expect(mgr, port, GET("/api/get"), "HTTP/1.1 403 Forbidden\r\n" JSON "Content-Length: 15         \r\n\r\nNot Authorised\n");
  expect(mgr, port, "GET /api/login HTTP/1.1\r\nAuthorization: Basic YWRtaW46YmFk\r\n\r\n",  // admin:bad
         "HTTP/1.1 403 Forbidden\r\n" JSON "Content-Length: 15         \r\n\r\nNot Authorised\n");
  req(mgr, port, "GET /api/login HTTP/1.1\r\nAuthorization: Basic YWRtaW46c2VjcmV0\r\n\r\n", 225);  // admin:secret
  s_buf[s_got < sizeof(s_buf) ? s_got : sizeof(s_buf) - 1] = '\0';
  if (s_got != 225) fprintf(stderr, "login: %.*s\n", (int) s_got, s_buf);
  ASSERT(s_got == 225);
  ASSERT(strncmp(s_buf, "HTTP/1.1 200 OK\r\nSet-Cookie: access_token=", 42) == 0);
  ASSERT(strstr(s_buf, "; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400\r\n" JSON) != NULL);
  ASSERT(strstr(s_buf, "\r\n\r\n{\"user\":\"admin\",\"level\":7}\n") != NULL);
  memcpy(tok, s_buf + 42, 19);  // 19 random characters
  tok[19] = '\0';
  ASSERT(strspn(tok, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == 19);
  snprintf(r, sizeof(r), "GET /api/get/items HTTP/1.1\r\nCookie: access_token=%s\r\n\r\n", tok);
  expect(mgr, port, r, "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 2          \r\n\r\n1\n");
  // session_auto_expiration_seconds 0: an hour (the cookie says a day).
  ASSERT(s_life > 3590000 && s_life <= 3600000);
  // The session token is only honoured as a cookie.
  snprintf(r, sizeof(r), "GET /api/get/items HTTP/1.1\r\nAuthorization: Bearer %s\r\n\r\n", tok);
  expect(mgr, port, r, "HTTP/1.1 403 Forbidden\r\n" JSON "Content-Length: 15         \r\n\r\nNot Authorised\n");
  expect(mgr, port, GET("/api/custom/1"), "HTTP/1.1 403 Forbidden\r\n" JSON "Content-Length: 15         \r\n\r\nNot Authorised\n");
}

static void test_files(struct mg_mgr *mgr, int port) {
  char p[300], name[16] = "", r[300];
  int size = 0;
  struct mg_field f[] = {{"name", MG_VAL_STR, name, sizeof(name)}, {"size", MG_VAL_INT, &size, sizeof(size)}, {NULL, MG_VAL_INT, NULL, 0}};
  int idx = -1;
  struct mg_dash_user fu;
  struct mg_dash fdash;
  struct mg_field_set set = {"files", f, items_fn, &idx, get_dir, NULL};
  struct mg_field_set noname = {"files", s_fields2, items_fn, &idx, get_dir, NULL};
  snprintf(p, sizeof(p), "%s/a.txt", s_dir);
  ASSERT(mg_file_write(&mg_fs_posix, p, "hello\n", 6));
  // Upload, append, serve, delete.
  s_idx = 0;  // items_fn allows a write at a valid index only
  expect(mgr, port, "POST /fs/items/b.txt?offset=0 HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd",
         "HTTP/1.1 200 OK\r\nContent-Length: 3          \r\n\r\nok\n");
  s_idx = 0;  // items_fn allows a write at a valid index only
  expect(mgr, port, "POST /fs/items/b.txt HTTP/1.1\r\nContent-Length: 2\r\n\r\nef",
         "HTTP/1.1 200 OK\r\nContent-Length: 3          \r\n\r\nok\n");
  snprintf(p, sizeof(p), "%s/b.txt", s_dir);
  {
    struct mg_str s = mg_file_read(&mg_fs_posix, p);
    ASSERT(s.len == 6 && memcmp(s.buf, "abcdef", 6) == 0);
    mg_free(s.buf);
  }
  req(mgr, port, GET("/fs/items/a.txt"), 200);
  ASSERT(s_got > 6 && memcmp(s_buf + s_got - 6, "hello\n", 6) == 0);
  expect(mgr, port, "POST /fs/items/..%2fx.txt HTTP/1.1\r\nContent-Length: 2\r\n\r\nZZ",
         "HTTP/1.1 400 Bad Request\r\n" JSON "Content-Length: 14         \r\n\r\nBad file name\n");
  expect(mgr, port, GET("/fs/settings/a.txt"), "HTTP/1.1 404 Not Found\r\n" JSON "Content-Length: 9          \r\n\r\nNot Found");
  expect(mgr, port, "POST /fs/settings/a.txt HTTP/1.1\r\nContent-Length: 1\r\n\r\nx",
         "HTTP/1.1 404 Not Found\r\n" JSON "Content-Length: 10         \r\n\r\nNot Found\n");
  s_idx = 0;
  expect(mgr, port, "DELETE /fs/items/b.txt HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 4          \r\n\r\ntrue");
  ASSERT(access(p, F_OK) != 0);
  // mg_dash_dir_read: -1 asks for the count, then entry by entry.
  memset(&fu, 0, sizeof(fu));
  memset(&fdash, 0, sizeof(fdash));
  fdash.upload_fs = &mg_fs_posix;  // Mongoose needs one; NULL means POSIX here
  fu.dash = &fdash;
  ASSERT(mg_dash_dir_read(&set, &fu));
  ASSERT(idx == 1);
  idx = 0;
  ASSERT(mg_dash_dir_read(&set, &fu));
  ASSERT(strcmp(name, "a.txt") == 0 && size == 6 && idx == 0);
  idx = 5;
  ASSERT(mg_dash_dir_read(&set, &fu) && idx == -1);
  ASSERT(!mg_dash_dir_read(&noname, &fu));  // no "name" field
#ifndef MG_ORACLE  // Mongoose crashes
  ASSERT(!mg_dash_dir_read(&s_set1, &fu));  // no get_dir
  idx = 0;
  ASSERT(mg_dash_dir_read(&set, NULL) && strcmp(name, "a.txt") == 0);
  ASSERT(!mg_dash_dir_read(NULL, NULL));
#endif
  snprintf(r, sizeof(r), "rm -rf '%s'", s_dir);
  ASSERT(system(r) == 0);
}


// ---- sessions, custom handlers, /fs with a user, c->data -------------------

static char s_tok[32];
// The access_token of the last reply's Set-Cookie ("" when none).
static void grab_token(void) {
  const char *t;
  s_buf[s_got < sizeof(s_buf) ? s_got : sizeof(s_buf) - 1] = '\0';
  t = strstr(s_buf, "access_token=");
  s_tok[0] = '\0';
  if (t != NULL) snprintf(s_tok, sizeof(s_tok), "%.*s", (int) strcspn(t + 13, ";\r"), t + 13);
}
static void login(struct mg_mgr *mgr, int port, const char *user_pass) {
  char r[256], b64[128];
  mg_base64_encode((const unsigned char *) user_pass, strlen(user_pass), b64, sizeof(b64));
  snprintf(r, sizeof(r), "GET /api/login HTTP/1.1\r\nAuthorization: Basic %s\r\n\r\n", b64);
  req(mgr, port, r, 200);
  grab_token();
}
static void pause_ms(struct mg_mgr *mgr, int ms) {
  uint64_t end = mg_millis() + (uint64_t) ms;
  while (mg_millis() < end) mg_mgr_poll(mgr, 10);
}
#define FORBIDDEN "HTTP/1.1 403 Forbidden\r\n" JSON "Content-Length: 15         \r\n\r\nNot Authorised\n"
#define ITEMS_1 "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 2          \r\n\r\n1\n"

static void test_sessions(struct mg_mgr *mgr, int port) {
  char r[256], first[32], up[32];
  int i, calls;
  // One session per user name: logging in again gives the same token.
  login(mgr, port, "admin:secret");
  ASSERT(strlen(s_tok) == 19);
  snprintf(first, sizeof(first), "%s", s_tok);
  login(mgr, port, "admin:secret");
  ASSERT_STR(s_tok, first);
  // An Authorization header goes to authenticate even with a good cookie.
  snprintf(r, sizeof(r), "GET /api/get/items HTTP/1.1\r\nAuthorization: Basic YWRtaW46YmFk\r\nCookie: access_token=%s\r\n\r\n",
           first);
  expect(mgr, port, r, FORBIDDEN);
  ASSERT_STR(s_auth_user, "admin");
  ASSERT_STR(s_auth_pass, "bad");
  // A Bearer token is the password of an empty user name.
  req(mgr, port, "GET /api/login HTTP/1.1\r\nAuthorization: Bearer tok123\r\n\r\n", 200);
  s_buf[s_got < sizeof(s_buf) ? s_got : sizeof(s_buf) - 1] = '\0';
  ASSERT(strstr(s_buf, "{\"user\":\"bob\",\"level\":5}\n") != NULL);
  ASSERT_STR(s_auth_user, "");
  ASSERT_STR(s_auth_pass, "tok123");
  // ?access_token= names a session like the cookie, without authenticate.
  calls = s_auth_calls;
  snprintf(r, sizeof(r), "GET /api/get/items?access_token=%s HTTP/1.1\r\n\r\n", first);
  expect(mgr, port, r, ITEMS_1);
  ASSERT(s_auth_calls == calls);
  // admin and bob make two sessions; eight more users fill the ten.
  for (i = 2; i < 10; i++) {
    snprintf(up, sizeof(up), "user%d:secret", i);
    login(mgr, port, up);
    ASSERT(strlen(s_tok) == 19);
  }
  login(mgr, port, "user10:secret");
  ASSERT_MEM(s_buf, s_got, FORBIDDEN);
  login(mgr, port, "admin:secret");  // an existing session still logs in
  ASSERT_STR(s_tok, first);
}

static char s_who[40];
static int s_who_level;
static struct mg_dash_user *s_who_user;
static bool who_fn(enum mg_dash_op op, struct mg_dash_user *u) {
  (void) op;
  s_who_user = u;
  snprintf(s_who, sizeof(s_who), "%s", u == NULL ? "(null)" : u->name);
  s_who_level = u == NULL ? -1 : u->level;
  return true;
}
static int s_who_v = 1;
static struct mg_field s_who_fields[] = {{"v", MG_VAL_INT, &s_who_v, sizeof(s_who_v)}, {NULL, MG_VAL_INT, NULL, 0}};
static struct mg_field_set s_who_set = {"who", s_who_fields, who_fn, NULL, NULL, NULL};

// `port` serves a dashboard whose sessions expire after 1 s of idleness.
static void test_expiry(struct mg_mgr *mgr, int port) {
  char r[512];
  int i, fd;
  long k = -1;
  size_t n;
  login(mgr, port, "admin:secret");
  snprintf(r, sizeof(r), "GET /api/get/items HTTP/1.1\r\nCookie: access_token=%s\r\n\r\n", s_tok);
  // Every request the session authenticates moves its expiry: 2 s of use.
  for (i = 0; i < 4; i++) {
    pause_ms(mgr, 500);
    expect(mgr, port, r, ITEMS_1);
    ASSERT(s_life > 990 && s_life <= 1000);  // 1 s from this request
  }
  // When the session expires, the next request drops it and closes its
  // WebSockets.
  snprintf(r, sizeof(r),
           "GET /api/websocket HTTP/1.1\r\nCookie: access_token=%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
           s_tok);
  fd = raw_connect(port);
  ASSERT(send(fd, r, strlen(r), 0) == (long) strlen(r));
  n = collect(mgr, fd, s_buf, sizeof(s_buf), 129);
  ASSERT(n == 129 && memcmp(s_buf, "HTTP/1.1 101", 12) == 0);
  // The WebSocket's user is the session's (mg_dash_send_change hands it
  // to fn).
  s_who_user = NULL;
  mg_dash_send_change(mgr, &s_who_set);
  ASSERT(s_who_user != NULL && ws_user(mgr, NULL) == s_who_user);
  ASSERT(strcmp(s_who_user->name, "admin") == 0);
  n = collect(mgr, fd, s_buf, sizeof(s_buf), 2 + 44);
  ASSERT_MEM(s_buf, n, "\x81\x2c{\"method\":\"change\",\"params\":{\"who\":{\"v\":1}}}");
  pause_ms(mgr, 2100);  // Mongoose's expiry has a 1 s granularity
  ASSERT(recv(fd, s_buf, sizeof(s_buf), 0) < 0);  // still open
  expect(mgr, port, GET("/api/hi"), "HTTP/1.1 200 OK\r\n" JSON "Content-Length: 3          \r\n\r\nhi\n");
  for (i = 0; i < 400 && k != 0; i++) {
    mg_mgr_poll(mgr, 5);
    k = (long) recv(fd, s_buf, sizeof(s_buf), 0);
  }
  ASSERT(k == 0);  // closed, without a CLOSE frame
  s_who[0] = '\0';
  mg_dash_send_change(mgr, &s_who_set);  // nobody left to tell
  ASSERT(s_who[0] == '\0');
  snprintf(r, sizeof(r), "GET /api/get/items HTTP/1.1\r\nCookie: access_token=%s\r\n\r\n", s_tok);
  expect(mgr, port, r, FORBIDDEN);
  close(fd);
}

static void test_custom(struct mg_mgr *mgr, int guest_port, int auth_port, struct mg_dash *guest_dash) {
  expect(mgr, guest_port, GET("/x/1"), "HTTP/1.1 201 Created\r\nX: y\r\nContent-Length: 9          \r\n\r\ncustom 1\n");
  // The handler runs with the connection's fn_data (the dash), which
  // c->data[16..24] holds too.
  ASSERT(s_custom_fn_data == guest_dash);
  ASSERT(s_custom_data16 == guest_dash);
  // Built-in routes come first: "/" and "/api/get/#" handlers see only
  // what the dashboard does not serve itself.
  expect(mgr, guest_port, GET("/"), "HTTP/1.1 404 Not Found\r\nContent-Length: 10         \r\n\r\nNot found\n");
  expect(mgr, guest_port, GET("/api/get/items/0/1/2"),
         "HTTP/1.1 201 Created\r\nX: y\r\nContent-Length: 9          \r\n\r\ncustom 1\n");
  // No login outside /api/; a login under it.
  expect(mgr, auth_port, GET("/x/1"), "HTTP/1.1 201 Created\r\nX: y\r\nContent-Length: 9          \r\n\r\ncustom 1\n");
  expect(mgr, auth_port, GET("/api/custom/1"), FORBIDDEN);
  expect(mgr, auth_port, GET("/api/nosuch"), FORBIDDEN);
  expect(mgr, auth_port, GET("/nosuch"), "HTTP/1.1 404 Not Found\r\n" JSON "Content-Length: 9          \r\n\r\nNot Found");
}

// A POSIX filesystem that counts opens and removals.
static int s_fs_op, s_fs_rm;
static void *cnt_op(const char *p, int fl) {
  s_fs_op++;
  return mg_fs_posix.op(p, fl);
}
static bool cnt_rm(const char *p) {
  s_fs_rm++;
  return mg_fs_posix.rm(p);
}

static void test_fs_user(struct mg_mgr *mgr, int port, struct mg_dash *dash) {
  static struct mg_fs fs;
  char r[256], p[300];
  fs = mg_fs_posix;
  fs.op = cnt_op;
  fs.rm = cnt_rm;
  dash->upload_fs = &fs;
  expect(mgr, port, GET("/fs/items/a.txt"), FORBIDDEN);
  login(mgr, port, "admin:secret");
  // PUT uploads like POST, through upload_fs.
  s_idx = 0;
  snprintf(r, sizeof(r), "PUT /fs/items/c.txt HTTP/1.1\r\nCookie: access_token=%s\r\nContent-Length: 3\r\n\r\nxyz", s_tok);
  expect(mgr, port, r, "HTTP/1.1 200 OK\r\nContent-Length: 3          \r\n\r\nok\n");
  ASSERT(s_fs_op == 1);
  snprintf(p, sizeof(p), "%s/c.txt", s_dir);
  {
    struct mg_str s = mg_file_read(&mg_fs_posix, p);
    ASSERT(s.len == 3 && memcmp(s.buf, "xyz", 3) == 0);
    mg_free(s.buf);
  }
  // fn refusing MG_DASH_WRITE or MG_DASH_DELETE: 403.
  s_idx = -1;
  snprintf(r, sizeof(r), "POST /fs/items/c.txt HTTP/1.1\r\nCookie: access_token=%s\r\nContent-Length: 1\r\n\r\nq", s_tok);
  expect(mgr, port, r, FORBIDDEN);
  snprintf(r, sizeof(r), "DELETE /fs/items/c.txt HTTP/1.1\r\nCookie: access_token=%s\r\n\r\n", s_tok);
  expect(mgr, port, r, FORBIDDEN);
  ASSERT(access(p, F_OK) == 0 && s_fs_rm == 0);
  // A removal reports true whether or not the file was there.
  s_arr[0] = 1, s_arr[1] = 2, s_len = 2, s_idx = 0;
  expect(mgr, port, r, "HTTP/1.1 200 OK\r\nContent-Length: 4          \r\n\r\ntrue");
  ASSERT(access(p, F_OK) != 0 && s_fs_rm == 1);
  s_idx = 0;
  expect(mgr, port, r, "HTTP/1.1 200 OK\r\nContent-Length: 4          \r\n\r\ntrue");
  ASSERT(s_fs_rm == 2);
  dash->upload_fs = NULL;
}

int main(void) {
  struct mg_mgr mgr;
  struct mg_dash guest_dash, auth_dash, exp_dash;
  struct mg_connection *c1, *c2, *c3;
  void *p;
  char tmpl[] = "/tmp/mg_dash_XXXXXX";
  mg_log_set(MG_LL_NONE);
  ASSERT(mkdtemp(tmpl) != NULL);
  snprintf(s_dir, sizeof(s_dir), "%s", tmpl);
  memset(&guest_dash, 0, sizeof(guest_dash));
  MG_DASH_ADD_FIELD_SET(&guest_dash, &s_set1);
  MG_DASH_ADD_FIELD_SET(&guest_dash, &s_set2);
  MG_DASH_REGISTER_CUSTOM_HANDLER(&guest_dash, "/api/custom/*", custom, NULL);
  MG_DASH_REGISTER_CUSTOM_HANDLER(&guest_dash, "/x/*", custom, NULL);
  MG_DASH_REGISTER_CUSTOM_HANDLER(&guest_dash, "/api/get/#", custom, NULL);
  MG_DASH_REGISTER_CUSTOM_HANDLER(&guest_dash, "/", custom, NULL);
  auth_dash = guest_dash;
  auth_dash.authenticate = authenticate;
  exp_dash = auth_dash;
  exp_dash.session_auto_expiration_seconds = 1;
  mg_mgr_init(&mgr);
  c1 = mg_http_listen(&mgr, "http://127.0.0.1:0", mg_dash_ev_handler, &guest_dash);
  c2 = mg_http_listen(&mgr, "http://127.0.0.1:0", mg_dash_ev_handler, &auth_dash);
  c3 = mg_http_listen(&mgr, "http://127.0.0.1:0", mg_dash_ev_handler, &exp_dash);
  ASSERT(c1 != NULL && c2 != NULL && c3 != NULL);
  test_guest_api(&mgr, port_of(c1));
  // Every connection of the dashboard (the listener too) has the dash
  // pointer in c->data[16..24]; guests run as dash->guest.
  memcpy(&p, c1->data + 16, sizeof(p));
  ASSERT(p == &guest_dash);
  ASSERT(guest_dash.guest != NULL && strcmp(guest_dash.guest->name, "guest") == 0 && guest_dash.guest->level == 9);
  test_set_add_del(&mgr, port_of(c1));
  s_arr[0] = 5, s_len = 1;
  test_websocket(&mgr, port_of(c1));
  test_login(&mgr, port_of(c2));
  test_sessions(&mgr, port_of(c2));
  test_expiry(&mgr, port_of(c3));
  test_custom(&mgr, port_of(c1), port_of(c2), &guest_dash);
  test_fs_user(&mgr, port_of(c2), &auth_dash);
  s_arr[0] = 30, s_len = 1;
  test_files(&mgr, port_of(c1));
  mg_mgr_free(&mgr);
#ifndef MG_ORACLE  // freed with the manager (Mongoose leaves it allocated)
  ASSERT(guest_dash.guest == NULL);
#endif
  TEST_DONE();
}
