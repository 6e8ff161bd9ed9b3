// HTTP server and client from C: exact reply bytes, event order, pipelining,
// split reads, chunked bodies, large bodies, malformed input, keep-alive,
// Connection: close, chunked responses, client round trips, and the built-in
// shutdown (Connection: close for requests in flight, 503 afterwards).
#include "test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static int s_accepts, s_hdrs, s_msgs, s_errors, s_closes;
static char s_err[64];
static char s_trace[4096];
static struct mg_connection *s_held;  // a request left without reply

static void trace(const char *fmt, long a, long b) {
  size_t n = strlen(s_trace);
  if (n + 64 < sizeof(s_trace)) {
    if (n) s_trace[n++] = ',';
    snprintf(s_trace + n, sizeof(s_trace) - n, fmt, a, b);
  }
}

static void srv(struct mg_connection *c, int ev, void *ev_data) {
  struct mg_http_message *hm = (struct mg_http_message *) ev_data;
  if (c->is_listening) return;
  if (ev == MG_EV_ACCEPT) s_accepts++;
  if (ev == MG_EV_CLOSE) s_closes++;
  if (ev == MG_EV_ERROR) {
    s_errors++;
    snprintf(s_err, sizeof(s_err), "%s", (char *) ev_data);
  }
  if (ev == MG_EV_READ) trace("READ n=%ld recv.len=%ld", *(long *) ev_data, (long) c->recv.len);
  if (ev == MG_EV_HTTP_HDRS) {
    s_hdrs++;
    trace("HDRS body.len=%ld", (long) hm->body.len, 0);
  }
  if (ev != MG_EV_HTTP_MSG) return;
  s_msgs++;
  trace("MSG is_resp=%ld body.len=%ld", c->is_resp, (long) hm->body.len);
  if (mg_match(hm->uri, mg_str("/a"), NULL)) {
    mg_http_reply(c, 200, "", "hello");
  } else if (mg_match(hm->uri, mg_str("/404"), NULL)) {
    mg_http_reply(c, 404, NULL, "");
  } else if (mg_match(hm->uri, mg_str("/299"), NULL)) {
    mg_http_reply(c, 299, "X-A: 1\r\nContent-Type: text/plain\r\n", "%d", 12345678);
  } else if (mg_match(hm->uri, mg_str("/big"), NULL)) {
    char *z = (char *) malloc(19999);
    memset(z, 'z', 19999);
    mg_http_reply(c, 200, "", "%.*s", 19999, z);
    free(z);
  } else if (mg_match(hm->uri, mg_str("/len"), NULL)) {
    size_t i, sum = 0;
    for (i = 0; i < hm->body.len; i++) sum += (unsigned char) hm->body.buf[i];
    mg_http_reply(c, 200, "", "%lu %lu", (unsigned long) hm->body.len, (unsigned long) sum);
  } else if (mg_match(hm->uri, mg_str("/echo"), NULL)) {
    mg_http_reply(c, 200, "", "%.*s", (int) hm->body.len, hm->body.buf);
  } else if (mg_match(hm->uri, mg_str("/chunked"), NULL)) {
    mg_printf(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    mg_http_printf_chunk(c, "hello %d", 5);
    mg_http_write_chunk(c, "abcdefghijklmnopq", 17);
    mg_http_printf_chunk(c, "");
  } else if (mg_match(hm->uri, mg_str("/hold"), NULL)) {
    s_held = c;  // answered later
  } else if (mg_match(hm->uri, mg_str("/d/*"), NULL)) {
    mg_http_reply(c, 200, "", "%.*s", (int) hm->uri.len, hm->uri.buf);
    c->is_draining = 1;
  } else if (mg_match(hm->uri, mg_str("/n/*"), NULL)) {
    mg_http_reply(c, 200, "", "%.*s", (int) hm->uri.len, hm->uri.buf);
  } else {
    mg_http_reply(c, 500, "", "unexpected");
  }
}

static void reset(void) {
  s_accepts = s_hdrs = s_msgs = s_errors = s_closes = 0;
  s_err[0] = s_trace[0] = '\0';
  s_held = NULL;
}

static int raw_connect(int port) {
  struct sockaddr_in sin;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons((uint16_t) port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) != 0) return -1;
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// Write everything, polling the manager while the socket is full.
static void raw_send(struct mg_mgr *mgr, int fd, const char *buf, size_t len) {
  size_t off = 0;
  uint64_t deadline = mg_millis() + 10000;
  while (off < len && mg_millis() < deadline) {
    ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
    if (n > 0) off += (size_t) n;
    else if (n < 0 && errno != EAGAIN) break;
    else mg_mgr_poll(mgr, 1);
  }
  ASSERT(off == len);
}

struct rbuf {
  char buf[1 << 16];
  size_t len;
  int eof;
};

// Poll until `want` bytes arrived (or EOF if want == 0), at most `ms`.
static void raw_recv(struct mg_mgr *mgr, int fd, struct rbuf *r, size_t want, int ms) {
  uint64_t deadline = mg_millis() + (uint64_t) ms;
  while (mg_millis() < deadline && !r->eof && (want == 0 || r->len < want)) {
    ssize_t n;
    mg_mgr_poll(mgr, 5);
    while ((n = recv(fd, r->buf + r->len, sizeof(r->buf) - r->len, 0)) > 0) r->len += (size_t) n;
    if (n == 0) r->eof = 1;
    if (n < 0 && errno != EAGAIN) r->eof = 1;
  }
}

static int port_of(struct mg_connection *lsn) {
  return mg_ntohs(lsn->loc.port);
}

// One request on a fresh connection; the response (until `want` bytes or
// EOF) lands in `r`. Returns the socket, left open.
static int roundtrip(struct mg_mgr *mgr, int port, const char *req, struct rbuf *r, size_t want) {
  int fd = raw_connect(port);
  memset(r, 0, sizeof(*r));
  raw_send(mgr, fd, req, strlen(req));
  raw_recv(mgr, fd, r, want, 3000);
  return fd;
}

// Length of a reply with a 5-byte body ("hello", "abcde"), and of the head
// of any reply with no extra headers.
#define REPLY_HEAD_LEN 48
#define REPLY5_LEN (REPLY_HEAD_LEN + 5)
#define CL(n) "Content-Length: " n  /* n is left-justified in 10 columns */

static void test_reply_bytes(struct mg_mgr *mgr, int port) {
  struct rbuf r;
  int fd;
  const char *want1 = "HTTP/1.1 200 OK\r\n" CL("5         ") " \r\n\r\nhello";
  const char *want2 = "HTTP/1.1 404 Not Found\r\n" CL("0         ") " \r\n\r\n";
  const char *want3 = "HTTP/1.1 299 \r\nX-A: 1\r\nContent-Type: text/plain\r\n" CL("8         ") " \r\n\r\n12345678";
  reset();
  fd = roundtrip(mgr, port, "GET /a HTTP/1.1\r\n\r\n", &r, strlen(want1));
  ASSERT_MEM(r.buf, r.len, want1);
  ASSERT_STR(s_trace, "HDRS body.len=0,MSG is_resp=1 body.len=0,READ n=19 recv.len=0");
  close(fd);
  fd = roundtrip(mgr, port, "GET /404 HTTP/1.1\r\n\r\n", &r, strlen(want2));
  ASSERT_MEM(r.buf, r.len, want2);
  close(fd);
  fd = roundtrip(mgr, port, "GET /299 HTTP/1.1\r\n\r\n", &r, strlen(want3));
  ASSERT_MEM(r.buf, r.len, want3);
  close(fd);
  fd = roundtrip(mgr, port, "GET /big HTTP/1.1\r\n\r\n", &r, 19999 + REPLY_HEAD_LEN);
  ASSERT(r.len == 19999 + strlen("HTTP/1.1 200 OK\r\nContent-Length: 19999      \r\n\r\n"));
  ASSERT(memcmp(r.buf, "HTTP/1.1 200 OK\r\nContent-Length: 19999      \r\n\r\nzzz", 50) == 0);
  close(fd);
  {
    const char *want4 =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "00000007\r\nhello 5\r\n11\r\nabcdefghijklmnopq\r\n00000000\r\n\r\n";
    fd = roundtrip(mgr, port, "GET /chunked HTTP/1.1\r\n\r\n", &r, strlen(want4));
    ASSERT_MEM(r.buf, r.len, want4);
  }
  close(fd);
}

static void test_pipelining(struct mg_mgr *mgr, int port) {
  static char req[100 * 32], want[100 * 64];
  size_t rl = 0, wl = 0;
  struct rbuf *r = (struct rbuf *) calloc(1, sizeof(*r));
  int i, fd;
  reset();
  for (i = 0; i < 100; i++) {
    char uri[16];
    int n = snprintf(uri, sizeof(uri), "/n/%d", i);
    rl += (size_t) sprintf(req + rl, "GET %s HTTP/1.1\r\n\r\n", uri);
    wl += (size_t) sprintf(want + wl, "HTTP/1.1 200 OK\r\nContent-Length: %-10d \r\n\r\n%s", n, uri);
  }
  fd = raw_connect(port);
  raw_send(mgr, fd, req, rl);
  raw_recv(mgr, fd, r, wl, 3000);
  ASSERT_MEM(r->buf, r->len, want);
  ASSERT(s_msgs == 100 && s_accepts == 1);
  close(fd);
  free(r);
}

// A handler that replies and sets is_draining still gets the requests
// already buffered on that connection (as Mongoose 7.23, observed); every
// reply goes out, then the connection closes.
static void test_pipelining_after_drain(struct mg_mgr *mgr, int port) {
  const char *req = "GET /d/1 HTTP/1.1\r\n\r\nGET /d/2 HTTP/1.1\r\n\r\nGET /d/3 HTTP/1.1\r\n\r\n";
  const char *want = "HTTP/1.1 200 OK\r\n" CL("4         ") " \r\n\r\n/d/1"
                     "HTTP/1.1 200 OK\r\n" CL("4         ") " \r\n\r\n/d/2"
                     "HTTP/1.1 200 OK\r\n" CL("4         ") " \r\n\r\n/d/3";
  struct rbuf *r = (struct rbuf *) calloc(1, sizeof(*r));
  int fd;
  reset();
  fd = raw_connect(port);
  raw_send(mgr, fd, req, strlen(req));
  raw_recv(mgr, fd, r, 0, 3000);
  ASSERT_MEM(r->buf, r->len, want);
  ASSERT(r->eof);
  ASSERT(s_msgs == 3);
  close(fd);
  free(r);
}

static void test_split_and_bodies(struct mg_mgr *mgr, int port) {
  const char *req = "POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde";
  struct rbuf r;
  size_t i;
  int fd;
  char *big;
  size_t big_len = 1024 * 1024, sum = 0;
  char want[128];
  reset();
  fd = raw_connect(port);
  memset(&r, 0, sizeof(r));
  for (i = 0; i < strlen(req); i++) {  // one byte per read
    raw_send(mgr, fd, req + i, 1);
    mg_mgr_poll(mgr, 1);
    mg_mgr_poll(mgr, 1);
  }
  raw_recv(mgr, fd, &r, REPLY5_LEN, 3000);
  ASSERT_MEM(r.buf, r.len, "HTTP/1.1 200 OK\r\nContent-Length: 5          \r\n\r\nabcde");
  ASSERT(s_msgs == 1);
  ASSERT(s_hdrs > 1);  // re-fired while the body was incomplete

  // Chunked request body, split across two writes.
  reset();
  memset(&r, 0, sizeof(r));
  {
    const char *part1 = "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n";
    raw_send(mgr, fd, part1, strlen(part1));
  }
  raw_recv(mgr, fd, &r, 1, 100);
  ASSERT(r.len == 0 && s_msgs == 0);
  raw_send(mgr, fd, "2\r\nde\r\n0\r\n\r\n", 12);
  raw_recv(mgr, fd, &r, REPLY5_LEN, 3000);
  ASSERT_MEM(r.buf, r.len, "HTTP/1.1 200 OK\r\nContent-Length: 5          \r\n\r\nabcde");

  // 1 MB body, on the same keep-alive connection.
  reset();
  memset(&r, 0, sizeof(r));
  big = (char *) malloc(big_len + 128);
  i = (size_t) sprintf(big, "POST /len HTTP/1.1\r\nContent-Length: %lu\r\n\r\n", (unsigned long) big_len);
  {
    size_t k;
    for (k = 0; k < big_len; k++) {
      big[i + k] = (char) ('a' + k % 26);
      sum += (unsigned char) big[i + k];
    }
  }
  raw_send(mgr, fd, big, i + big_len);
  snprintf(want, sizeof(want), "%lu %lu", (unsigned long) big_len, (unsigned long) sum);
  raw_recv(mgr, fd, &r, REPLY_HEAD_LEN + strlen(want), 5000);
  ASSERT(r.len > REPLY_HEAD_LEN && strcmp(r.buf + r.len - strlen(want), want) == 0);
  ASSERT(s_accepts == 0);  // same connection throughout
  free(big);
  close(fd);
}

static void test_bad_input(struct mg_mgr *mgr, int port) {
  struct rbuf r;
  int fd;
  const char *bad400 = "HTTP/1.1 400 Bad Request\r\nContent-Length: 12         \r\n\r\nBad Request\n";
  reset();
  fd = roundtrip(mgr, port, "GET / FOO\r\n\r\n", &r, 0);
  ASSERT_MEM(r.buf, r.len, bad400);
  ASSERT(r.eof && s_msgs == 0);
  close(fd);

  reset();
  fd = roundtrip(mgr, port, "GET /a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", &r, 0);
  ASSERT_MEM(r.buf, r.len, bad400);
  ASSERT(r.eof && s_errors >= 1);
  ASSERT_STR(s_err, "Invalid Transfer-Encoding");
  close(fd);

  reset();
  fd = roundtrip(mgr, port, "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", &r, 0);
  ASSERT_MEM(r.buf, r.len, bad400);
  ASSERT_STR(s_err, "Invalid chunk");
  close(fd);

  // Too large: the whole request must fit into MG_MAX_RECV_SIZE.
  reset();
  {
    size_t n = MG_MAX_RECV_SIZE + 65536, i = 0;
    char *big = (char *) malloc(n + 100);
    i = (size_t) sprintf(big, "POST /len HTTP/1.1\r\nContent-Length: %lu\r\n\r\n", (unsigned long) n);
    memset(big + i, 'x', n);
    fd = raw_connect(port);
    memset(&r, 0, sizeof(r));
    {
      size_t off = 0;
      uint64_t deadline = mg_millis() + 10000;
      while (off < i + n && !s_errors && mg_millis() < deadline) {
        ssize_t k = send(fd, big + off, i + n - off, MSG_NOSIGNAL);
        if (k > 0) off += (size_t) k;
        else if (k < 0 && errno != EAGAIN) break;
        mg_mgr_poll(mgr, 1);
      }
    }
    raw_recv(mgr, fd, &r, 0, 3000);
    ASSERT(r.eof);
    ASSERT_STR(s_err, "MG_MAX_RECV_SIZE");
    free(big);
    close(fd);
  }

  // The server still serves others.
  reset();
  fd = roundtrip(mgr, port, "GET /a HTTP/1.1\r\n\r\n", &r, REPLY5_LEN);
  ASSERT(r.len == REPLY5_LEN && memcmp(r.buf, "HTTP/1.1 200 OK", 15) == 0);
  close(fd);
}

static void test_keepalive_and_close(struct mg_mgr *mgr, int port) {
  struct rbuf r;
  int fd, i;
  reset();
  fd = raw_connect(port);
  for (i = 0; i < 3; i++) {
    memset(&r, 0, sizeof(r));
    raw_send(mgr, fd, "GET /a HTTP/1.0\r\n\r\n", 19);
    raw_recv(mgr, fd, &r, REPLY5_LEN, 3000);
    ASSERT(r.len == REPLY5_LEN && !r.eof);
  }
  ASSERT(s_accepts == 1 && s_msgs == 3);
  close(fd);

  // Connection: close is honoured after the response; the pipelined /b is
  // never answered.
  reset();
  fd = roundtrip(mgr, port,
                 "GET /a HTTP/1.1\r\nConnection: close\r\n\r\nGET /n/b HTTP/1.1\r\n\r\n", &r, 0);
  ASSERT_MEM(r.buf, r.len, "HTTP/1.1 200 OK\r\nContent-Length: 5          \r\n\r\nhello");
  ASSERT(r.eof);
  close(fd);
}

// Client side: our own server, and a raw server whose response has no length.
static int s_cli_status, s_cli_done;
static char s_cli_body[64];
static long s_cli_hdrs_len;

static void cli(struct mg_connection *c, int ev, void *ev_data) {
  struct mg_http_message *hm = (struct mg_http_message *) ev_data;
  if (ev == MG_EV_CONNECT) {
    mg_printf(c, "GET %s HTTP/1.1\r\nHost: x\r\n", (char *) c->fn_data);
    mg_http_bauth(c, "user", "pass");
    mg_printf(c, "\r\n");
  } else if (ev == MG_EV_HTTP_HDRS) {
    s_cli_hdrs_len = (long) hm->body.len;
  } else if (ev == MG_EV_HTTP_MSG) {
    s_cli_status = mg_http_status(hm);
    snprintf(s_cli_body, sizeof(s_cli_body), "%.*s", (int) hm->body.len, hm->body.buf);
    s_cli_done = 1;
    c->is_draining = 1;
  } else if (ev == MG_EV_ERROR) {
    s_cli_done = -1;
  }
}

static void raw_srv(struct mg_connection *c, int ev, void *ev_data) {
  (void) ev_data;
  if (ev == MG_EV_READ && c->recv.len > 4 &&
      memcmp(c->recv.buf + c->recv.len - 4, "\r\n\r\n", 4) == 0) {
    const char *auth = strstr((char *) c->recv.buf, "Authorization: Basic dXNlcjpwYXNz\r\n");
    mg_printf(c, "HTTP/1.1 200 OK\r\n\r\n%s", auth ? "body-until-close" : "no-auth");
    c->is_draining = 1;
    c->recv.len = 0;
  }
}

static void test_client(struct mg_mgr *mgr, int port) {
  char url[64];
  struct mg_connection *raw;
  snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
  s_cli_done = 0;
  ASSERT(mg_http_connect(mgr, url, cli, (void *) "/a") != NULL);
  POLL_UNTIL(mgr, s_cli_done != 0, 3000);
  ASSERT(s_cli_done == 1 && s_cli_status == 200);
  ASSERT_STR(s_cli_body, "hello");

  raw = mg_listen(mgr, "tcp://127.0.0.1:0", raw_srv, NULL);
  ASSERT(raw != NULL);
  snprintf(url, sizeof(url), "http://127.0.0.1:%d", port_of(raw));
  s_cli_done = 0;
  ASSERT(mg_http_connect(mgr, url, cli, (void *) "/") != NULL);
  POLL_UNTIL(mgr, s_cli_done != 0, 3000);
  ASSERT(s_cli_done == 1 && s_cli_status == 200);
  ASSERT(s_cli_hdrs_len == -1);
  ASSERT_STR(s_cli_body, "body-until-close");
  raw->is_closing = 1;
}

// Built-in shutdown: the request in flight is answered (with Connection:
// close) and its connection closed; a request on an idle keep-alive
// connection after shutdown began gets 503; the listener stops accepting.
static void test_shutdown(struct mg_mgr *mgr, int port) {
  struct rbuf held, idle;
  int fd_held, fd_idle;
  reset();
  fd_idle = roundtrip(mgr, port, "GET /a HTTP/1.1\r\n\r\n", &idle, REPLY5_LEN);
  ASSERT(idle.len == REPLY5_LEN);
  fd_held = raw_connect(port);
  memset(&held, 0, sizeof(held));
  raw_send(mgr, fd_held, "GET /hold HTTP/1.1\r\n\r\n", 22);
  POLL_UNTIL(mgr, s_held != NULL, 3000);
  raw_recv(mgr, fd_held, &held, 1, 20);  // nothing has been answered
  ASSERT(s_held != NULL && held.len == 0);

  mg_mgr_shutdown(mgr, 3000);
  memset(&idle, 0, sizeof(idle));
  raw_send(mgr, fd_idle, "GET /a HTTP/1.1\r\n\r\n", 19);
  raw_recv(mgr, fd_idle, &idle, 0, 3000);
  ASSERT_MEM(idle.buf, idle.len,
             "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
             "Content-Length: 21         \r\n\r\nServer shutting down\n");
  ASSERT(idle.eof);

  ASSERT(!mg_mgr_is_done(mgr));
  mg_http_reply(s_held, 200, "", "late");
  raw_recv(mgr, fd_held, &held, 0, 3000);
  ASSERT_MEM(held.buf, held.len,
             "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4          \r\n\r\nlate");
  ASSERT(held.eof);
  POLL_UNTIL(mgr, mg_mgr_is_done(mgr), 3000);
  ASSERT(mg_mgr_is_done(mgr));
  ASSERT(raw_connect(port) < 0);  // nobody listens any more
  close(fd_idle);
  close(fd_held);
}

int main(void) {
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  int port;
  mg_log_set(MG_LL_NONE);
  mg_mgr_init(&mgr);
  lsn = mg_http_listen(&mgr, "http://127.0.0.1:0", srv, NULL);
  ASSERT(lsn != NULL);
  if (lsn == NULL) TEST_DONE();
  port = port_of(lsn);
  ASSERT(mg_http_listen(&mgr, "http://127.0.0.1:99999", srv, NULL) == NULL);
  ASSERT(mg_http_listen(NULL, "http://127.0.0.1:0", srv, NULL) == NULL);
  test_reply_bytes(&mgr, port);
  test_pipelining(&mgr, port);
  test_pipelining_after_drain(&mgr, port);
  test_split_and_bodies(&mgr, port);
  test_bad_input(&mgr, port);
  test_keepalive_and_close(&mgr, port);
  test_client(&mgr, port);
  test_shutdown(&mgr, port);
  mg_mgr_free(&mgr);
  TEST_DONE();
}
