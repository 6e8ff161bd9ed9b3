// Exports no other C test reached: mg_wrapfd, mg_dscp, mg_vprintf, mg_error,
// mg_call, mg_resolve, mg_resolve_cancel, mg_connect_resolved, mg_io_send,
// mg_io_recv, mg_http_serve_ssi. Real sockets on 127.0.0.1, exact values.
#include "test.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXLOG 32
struct evlog {
  int ev[MAXLOG];
  int n;
  char err[64];       // MG_EV_ERROR's message
  void *user_data;    // ev_data of the MG_EV_USER + 1 event
  int io_got;         // bytes mg_io_recv returned inside MG_EV_POLL
  char io_buf[16];
  int io_first;       // mg_io_recv's first result (before any data)
  int io_tries;
};

static void logger(struct mg_connection *c, int ev, void *ev_data) {
  struct evlog *l = (struct evlog *) c->fn_data;
  if (ev == MG_EV_POLL) {
    // Read raw bytes before the loop's own read step (POLL comes first).
    if (l->io_tries >= 0 && c->is_client && !c->is_connecting && c->fd != NULL &&
        l->io_got <= 0) {
      long n = mg_io_recv(c, l->io_buf, sizeof(l->io_buf));
      if (l->io_tries++ == 0) l->io_first = (int) n;
      if (n > 0) l->io_got = (int) n;
    }
    return;
  }
  if (l->n < MAXLOG) l->ev[l->n++] = ev;
  if (ev == MG_EV_ERROR) {
    snprintf(l->err, sizeof(l->err), "%s", (char *) ev_data);
  }
  if (ev == MG_EV_USER + 1) l->user_data = ev_data;
}

static int seen(struct evlog *l, int ev) {
  int i;
  for (i = 0; i < l->n; i++)
    if (l->ev[i] == ev) return 1;
  return 0;
}

static size_t call_vprintf(struct mg_connection *c, const char *fmt, ...) {
  va_list ap;
  size_t n;
  va_start(ap, fmt);
  n = mg_vprintf(c, fmt, &ap);
  va_end(ap);
  return n;
}

// The accepted side: keep the last accepted connection.
static struct mg_connection *s_accepted;
static void srv_fn(struct mg_connection *c, int ev, void *ev_data) {
  (void) ev_data;
  if (ev == MG_EV_ACCEPT) s_accepted = c;
  if (ev == MG_EV_CLOSE && c == s_accepted) s_accepted = NULL;
}

static void test_wrapfd_vprintf_call_error(void) {
  struct mg_mgr mgr;
  struct evlog l;
  struct mg_connection *c;
  int sv[2];
  char buf[64];
  ssize_t n;
  size_t k;
  int x = 7;
  memset(&l, 0, sizeof(l));
  l.io_tries = -1;
  mg_mgr_init(&mgr);
  ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  c = mg_wrapfd(&mgr, sv[0], logger, &l);
  ASSERT(c != NULL);
  ASSERT(l.n == 1 && l.ev[0] == MG_EV_OPEN);
  ASSERT((int) (size_t) c->fd == sv[0]);
  ASSERT(mgr.conns == c);

  // Bytes written to the other end arrive as MG_EV_READ in c->recv.
  ASSERT(write(sv[1], "ping", 4) == 4);
  POLL_UNTIL(&mgr, c->recv.len == 4, 2000);
  ASSERT_MEM(c->recv.buf, c->recv.len, "ping");
  ASSERT(seen(&l, MG_EV_READ));

  // mg_vprintf formats into c->send; the loop writes it to the socket.
  k = call_vprintf(c, "%s=%d;%M", "n", 42, mg_print_esc, 2, "a\"b");
  ASSERT(k == strlen("n=42;a\\\""));
  ASSERT_MEM(c->send.buf, c->send.len, "n=42;a\\\"");
  POLL_UNTIL(&mgr, c->send.len == 0, 2000);
  n = read(sv[1], buf, sizeof(buf));
  ASSERT_MEM(buf, n, "n=42;a\\\"");
  ASSERT(seen(&l, MG_EV_WRITE));

  // mg_call delivers any event, with its ev_data, to the handler.
  mg_call(c, MG_EV_USER + 1, &x);
  ASSERT(l.user_data == &x);
  ASSERT(l.ev[l.n - 1] == MG_EV_USER + 1);

  // mg_error: MG_EV_ERROR with the formatted message, then the close.
  mg_error(c, "bad %d/%s", 42, "x");
  ASSERT_STR(l.err, "bad 42/x");
  ASSERT(l.ev[l.n - 1] == MG_EV_ERROR);
  ASSERT(c->is_closing == 1);
  POLL_UNTIL(&mgr, mgr.conns == NULL, 2000);
  ASSERT(mgr.conns == NULL);
  ASSERT(l.ev[l.n - 1] == MG_EV_CLOSE);
  // The library closed its end: the other end sees EOF.
  ASSERT(read(sv[1], buf, sizeof(buf)) == 0);
  close(sv[1]);
  mg_mgr_free(&mgr);
}

static unsigned long listener_port(struct mg_connection *lsn) {
  return (unsigned long) ntohs(lsn->loc.port);
}

static void test_resolve_connect_dscp_io(void) {
  struct mg_mgr mgr;
  struct evlog l1, l2;
  struct mg_connection *lsn, *c;
  char url[300], host[256];
  unsigned long port;
  uint64_t until;
  int tos = 0;
  socklen_t len = sizeof(tos);
  struct addrinfo hints, *res = NULL;
  uint32_t host_ip = 0;
  // The machine's own name needs the resolver ("localhost" is a literal to
  // mg_aton); 0.0.0.0 accepts whatever address it maps to.
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_INET;
  if (gethostname(host, sizeof(host)) != 0 || getaddrinfo(host, NULL, &hints, &res) != 0) {
    SKIP_PART(0, "own host name does not resolve: resolver parts");
    return;
  }
  host_ip = ((struct sockaddr_in *) res->ai_addr)->sin_addr.s_addr;
  freeaddrinfo(res);
  mg_mgr_init(&mgr);
  lsn = mg_listen(&mgr, "tcp://0.0.0.0:0", srv_fn, NULL);
  ASSERT(lsn != NULL);
  port = listener_port(lsn);

  // mg_resolve_cancel: a name lookup in flight is forgotten, no events.
  memset(&l1, 0, sizeof(l1));
  l1.io_tries = -1;
  snprintf(url, sizeof(url), "tcp://%s:%lu", host, port);
  c = mg_connect(&mgr, url, logger, &l1);
  ASSERT(c != NULL && c->is_resolving == 1);
  mg_resolve_cancel(c);
  ASSERT(c->is_resolving == 0);
  until = mg_millis() + 300;  // well past a /etc/hosts lookup
  while (mg_millis() < until) mg_mgr_poll(&mgr, 10);
  ASSERT(l1.n == 1 && l1.ev[0] == MG_EV_OPEN);
  ASSERT(s_accepted == NULL);

  // mg_connect_resolved after setting c->rem by hand.
  ASSERT(c->rem.port == htons((uint16_t) port));  // set before the lookup
  ASSERT(mg_aton(mg_str("127.0.0.1"), &c->rem));
  c->rem.port = htons((uint16_t) port);
  mg_connect_resolved(c);
  POLL_UNTIL(&mgr, seen(&l1, MG_EV_CONNECT) && s_accepted != NULL, 2000);
  ASSERT(l1.n == 3 && l1.ev[1] == MG_EV_RESOLVE && l1.ev[2] == MG_EV_CONNECT);
  ASSERT(s_accepted != NULL);
  if (s_accepted != NULL) ASSERT(s_accepted->rem.port == c->loc.port);

  // mg_dscp sets the socket's TOS byte (DSCP << 2) and the flag bits.
  ASSERT(mg_dscp(c, 46));
  ASSERT(getsockopt((int) (size_t) c->fd, IPPROTO_IP, IP_TOS, &tos, &len) == 0);
  ASSERT(tos == 46 << 2);

  // mg_io_send writes raw bytes now; the accepted side reads them.
  ASSERT(mg_io_send(c, "raw!", 4) == 4);
  POLL_UNTIL(&mgr, s_accepted != NULL && s_accepted->recv.len == 4, 2000);
  if (s_accepted != NULL) ASSERT_MEM(s_accepted->recv.buf, s_accepted->recv.len, "raw!");

  // mg_io_recv (called at MG_EV_POLL): nothing yet -> MG_IO_WAIT; then the
  // bytes the server sent, before the loop's own read sees them.
  l1.io_tries = 0;
  POLL_UNTIL(&mgr, l1.io_tries > 0, 2000);
  ASSERT(l1.io_first == MG_IO_WAIT);
  if (s_accepted != NULL) mg_send(s_accepted, "hello", 5);
  POLL_UNTIL(&mgr, l1.io_got > 0, 2000);
  ASSERT_MEM(l1.io_buf, l1.io_got, "hello");
  ASSERT(c->recv.len == 0 && !seen(&l1, MG_EV_READ));
  l1.io_tries = -1;
  ASSERT(mg_io_send(NULL, "x", 1) == MG_IO_ERR);
  ASSERT(mg_io_recv(NULL, l1.io_buf, 1) == MG_IO_ERR);
  c->is_closing = 1;
  POLL_UNTIL(&mgr, s_accepted == NULL, 2000);

  // mg_resolve with a numeric host connects at once (in the call).
  memset(&l2, 0, sizeof(l2));
  l2.io_tries = -1;
  snprintf(url, sizeof(url), "tcp://%s:%lu", host, port);
  c = mg_connect(&mgr, url, logger, &l2);
  mg_resolve_cancel(c);
  until = mg_millis() + 300;
  while (mg_millis() < until) mg_mgr_poll(&mgr, 10);
  snprintf(url, sizeof(url), "tcp://127.0.0.1:%lu", port);
  mg_resolve(c, url);
  ASSERT(l2.n >= 2 && l2.ev[1] == MG_EV_RESOLVE);
  ASSERT(c->rem.addr.ip4 == htonl(0x7f000001) && c->rem.port == htons((uint16_t) port));
  POLL_UNTIL(&mgr, seen(&l2, MG_EV_CONNECT) && s_accepted != NULL, 2000);
  ASSERT(seen(&l2, MG_EV_CONNECT) && s_accepted != NULL);
  c->is_closing = 1;
  POLL_UNTIL(&mgr, s_accepted == NULL, 2000);

  // mg_resolve with a name goes through the resolver, then connects. (l4
  // outlives the block: its connection still logs CLOSE at mg_mgr_free.)
  struct evlog l4;
  {
    memset(&l4, 0, sizeof(l4));
    l4.io_tries = -1;
    snprintf(url, sizeof(url), "tcp://%s:1", host);
    c = mg_connect(&mgr, url, logger, &l4);  // lookup in flight
    mg_resolve_cancel(c);
    until = mg_millis() + 300;
    while (mg_millis() < until) mg_mgr_poll(&mgr, 10);
    ASSERT(l4.n == 1);
    snprintf(url, sizeof(url), "tcp://%s:%lu", host, port);
    mg_resolve(c, url);
    ASSERT(c->is_resolving == 1);
    POLL_UNTIL(&mgr, seen(&l4, MG_EV_CONNECT) && s_accepted != NULL, 5000);
    ASSERT(l4.n == 3 && l4.ev[1] == MG_EV_RESOLVE && l4.ev[2] == MG_EV_CONNECT);
    ASSERT(c->rem.addr.ip4 == host_ip && c->rem.port == htons((uint16_t) port));
  }
  mg_mgr_free(&mgr);
}

// mg_http_serve_ssi: SSI runs at run time (MG_ENABLE_SSI is 1 in the
// header), so an include is expanded.
static void ssi_fn(struct mg_connection *c, int ev, void *ev_data) {
  const char *path = (const char *) c->fn_data;
  (void) ev_data;
  if (ev == MG_EV_HTTP_MSG) mg_http_serve_ssi(c, "/tmp", path);
}

struct fetch {
  char buf[512];
  size_t len;
  int done;
};
static void client_fn(struct mg_connection *c, int ev, void *ev_data) {
  struct fetch *f = (struct fetch *) c->fn_data;
  (void) ev_data;
  if (ev == MG_EV_CONNECT) mg_printf(c, "GET /x.shtml HTTP/1.1\r\n\r\n");
  if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    f->len = hm->message.len < sizeof(f->buf) ? hm->message.len : sizeof(f->buf);
    memcpy(f->buf, hm->message.buf, f->len);
    f->done = 1;
  }
}

static void test_serve_ssi(void) {
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  struct fetch f;
  char dir[64], path[96], inc[96], url[64];
  FILE *fp;
  memset(&f, 0, sizeof(f));
  snprintf(dir, sizeof(dir), "/tmp/mg-ssi-%d", (int) getpid());
  mkdir(dir, 0700);
  snprintf(path, sizeof(path), "%s/x.shtml", dir);
  snprintf(inc, sizeof(inc), "%s/b.txt", dir);
  fp = fopen(path, "w");
  fputs("a<!--#include file=\"b.txt\" -->c", fp);
  fclose(fp);
  fp = fopen(inc, "w");
  fputs("B", fp);
  fclose(fp);
  mg_mgr_init(&mgr);
  lsn = mg_http_listen(&mgr, "http://127.0.0.1:0", ssi_fn, path);
  ASSERT(lsn != NULL);
  snprintf(url, sizeof(url), "http://127.0.0.1:%lu", listener_port(lsn));
  mg_http_connect(&mgr, url, client_fn, &f);
  POLL_UNTIL(&mgr, f.done, 3000);
  ASSERT(f.done);
  // The include is expanded; the page is served as HTML (mg_http_reply's
  // padded Content-Length).
  ASSERT_MEM(f.buf, f.len,
             "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
             "Content-Length: 3          \r\n\r\naBc");
  mg_mgr_free(&mgr);
  unlink(path);
  unlink(inc);
  rmdir(dir);
}

int main(void) {
  test_wrapfd_vprintf_call_error();
  test_resolve_connect_dscp_io();
  test_serve_ssi();
  TEST_DONE();
}
