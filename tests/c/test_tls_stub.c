// TLS entry points as Mongoose built without TLS behaves: mg_tls_init fires
// MG_EV_ERROR "TLS is not enabled" inside the calling handler and the
// connection closes plainly; the other mg_tls_* are harmless no-ops; the
// usual "if (mg_url_is_ssl(url)) mg_tls_init(...)" program works over http://.
#include "test.h"

#include <unistd.h>

#define MAXLOG 16
struct evlog {
  char buf[MAXLOG][64];
  int n;
  int in_handshake_event;  // inside the ACCEPT/CONNECT handler right now
  int nested_error;        // ERROR fired while in_handshake_event was set
  int err_is_tls, err_is_tls_hs, err_is_closing;  // flags seen at ERROR
  int close_is_tls, close_is_tls_hs;              // flags seen at CLOSE
  int hint_at_accept;                             // is_tls during ACCEPT
  int closed;
};

static const char *evname(int ev) {
  static const char *names[] = {"ERROR", "OPEN",  "POLL",    "RESOLVE",
                                "CONNECT", "ACCEPT", "TLS_HS", "READ",
                                "WRITE", "CLOSE"};
  return ev >= 0 && ev <= MG_EV_CLOSE ? names[ev] : "?";
}

static void note(struct evlog *l, int ev, void *ev_data, struct mg_connection *c) {
  if (ev == MG_EV_POLL || ev > MG_EV_CLOSE || l->n >= MAXLOG) return;
  if (ev == MG_EV_ERROR) {
    snprintf(l->buf[l->n++], sizeof(l->buf[0]), "ERROR %s", (char *) ev_data);
    l->nested_error = l->in_handshake_event;
    l->err_is_tls = c->is_tls;
    l->err_is_tls_hs = c->is_tls_hs;
    l->err_is_closing = c->is_closing;
  } else if (ev == MG_EV_READ || ev == MG_EV_WRITE) {
    snprintf(l->buf[l->n++], sizeof(l->buf[0]), "%s %ld", evname(ev),
             *(long *) ev_data);
  } else {
    snprintf(l->buf[l->n++], sizeof(l->buf[0]), "%s", evname(ev));
  }
  if (ev == MG_EV_CLOSE) {
    l->close_is_tls = c->is_tls;
    l->close_is_tls_hs = c->is_tls_hs;
    l->closed = 1;
  }
}

static const char *joined(struct evlog *l) {
  static char out[MAXLOG * 64];
  int i;
  out[0] = '\0';
  for (i = 0; i < l->n; i++) {
    if (i) strcat(out, ",");
    strcat(out, l->buf[i]);
  }
  return out;
}

static struct mg_tls_opts s_opts;  // contents do not matter without TLS

// Server: every accepted connection calls mg_tls_init during MG_EV_ACCEPT.
static void tls_srv_fn(struct mg_connection *c, int ev, void *ev_data) {
  struct evlog *l = (struct evlog *) c->fn_data;
  if (c->is_listening) return;
  note(l, ev, ev_data, c);
  if (ev == MG_EV_ACCEPT) {
    l->hint_at_accept = c->is_tls;
    l->in_handshake_event = 1;
    mg_tls_init(c, &s_opts);
    l->in_handshake_event = 0;
    // Mongoose's handlers go on to use the connection; it is closing.
    mg_printf(c, "%s", "never sent");
  }
}

static int raw_connect(struct mg_connection *lsn) {
  struct sockaddr_in sin;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = lsn->loc.port;
  sin.sin_addr.s_addr = htonl(0x7f000001);
  if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) != 0) return -1;
  return fd;
}

static void server_case(const char *listen_url, int http, int want_hint) {
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  struct evlog log;
  char buf[16];
  ssize_t n;
  int fd;
  memset(&log, 0, sizeof(log));
  mg_mgr_init(&mgr);
  lsn = http ? mg_http_listen(&mgr, listen_url, tls_srv_fn, &log)
             : mg_listen(&mgr, listen_url, tls_srv_fn, &log);
  ASSERT(lsn != NULL);
  if (lsn == NULL) return;
  ASSERT(lsn->is_tls == want_hint);
  fd = raw_connect(lsn);
  ASSERT(fd >= 0);
  POLL_UNTIL(&mgr, log.closed, 3000);
  ASSERT_STR(joined(&log), "OPEN,ACCEPT,ERROR TLS is not enabled,CLOSE");
  ASSERT(log.hint_at_accept == want_hint);
  ASSERT(log.nested_error == 1);
  ASSERT(log.err_is_closing == 1);
  ASSERT(log.err_is_tls_hs == 0);
  // mg_tls_init sets nothing; an https:// hint is what the scheme set.
  ASSERT(log.err_is_tls == want_hint);
  ASSERT(log.close_is_tls == 0 && log.close_is_tls_hs == 0);
  // The peer sees a plain close: EOF, not a byte.
  n = recv(fd, buf, sizeof(buf), 0);
  ASSERT(n == 0);
  close(fd);
  ASSERT(lsn->is_closing == 0);  // the listener is unaffected
  mg_mgr_free(&mgr);
}

// Client: mg_http_connect to https:// calls mg_tls_init on MG_EV_CONNECT and
// then writes its request, as Mongoose's http-client example does.
static struct evlog s_cli, s_peer;

static void tls_cli_fn(struct mg_connection *c, int ev, void *ev_data) {
  note(&s_cli, ev, ev_data, c);
  if (ev == MG_EV_CONNECT) {
    s_cli.hint_at_accept = c->is_tls;
    s_cli.in_handshake_event = 1;
    mg_tls_init(c, NULL);
    s_cli.in_handshake_event = 0;
    mg_printf(c, "GET / HTTP/1.0\r\nHost: x\r\n\r\n");
  }
}

static void peer_fn(struct mg_connection *c, int ev, void *ev_data) {
  if (!c->is_listening) note(&s_peer, ev, ev_data, c);
}

static void test_client(void) {
  struct mg_mgr mgr;
  struct mg_connection *lsn, *c;
  char url[64];
  memset(&s_cli, 0, sizeof(s_cli));
  memset(&s_peer, 0, sizeof(s_peer));
  mg_mgr_init(&mgr);
  lsn = mg_listen(&mgr, "tcp://127.0.0.1:0", peer_fn, NULL);
  ASSERT(lsn != NULL);
  if (lsn == NULL) return;
  snprintf(url, sizeof(url), "https://127.0.0.1:%d", (int) mg_ntohs(lsn->loc.port));
  c = mg_http_connect(&mgr, url, tls_cli_fn, NULL);
  ASSERT(c != NULL);
  ASSERT(c->is_tls == 1);  // the scheme's hint, until CONNECT
  POLL_UNTIL(&mgr, s_cli.closed && s_peer.closed, 3000);
  ASSERT_STR(joined(&s_cli), "OPEN,RESOLVE,CONNECT,ERROR TLS is not enabled,CLOSE");
  ASSERT(s_cli.hint_at_accept == 1);
  ASSERT(s_cli.nested_error == 1 && s_cli.err_is_closing == 1);
  ASSERT(s_cli.err_is_tls_hs == 0);
  ASSERT(s_cli.close_is_tls == 0 && s_cli.close_is_tls_hs == 0);
  // Nothing reached the server, not even the request written after the call.
  ASSERT_STR(joined(&s_peer), "OPEN,ACCEPT,CLOSE");
  mg_mgr_free(&mgr);
}

// The usual Mongoose program: TLS only for TLS URLs, so http:// just works.
static const char *s_srv_url = "http://127.0.0.1:0";
static int s_got_status;
static char s_got_body[32];

static void pattern_srv(struct mg_connection *c, int ev, void *ev_data) {
  (void) ev_data;
  if (ev == MG_EV_ACCEPT && mg_url_is_ssl(s_srv_url)) {
    struct mg_tls_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.cert = mg_str("cert.pem");
    opts.key = mg_str("key.pem");
    mg_tls_init(c, &opts);
  } else if (ev == MG_EV_HTTP_MSG) {
    mg_http_reply(c, 200, "", "hello %s", c->is_tls ? "tls" : "plain");
  }
}

static void pattern_cli(struct mg_connection *c, int ev, void *ev_data) {
  const char *url = (const char *) c->fn_data;
  if (ev == MG_EV_CONNECT) {
    if (mg_url_is_ssl(url)) {
      struct mg_tls_opts opts;
      memset(&opts, 0, sizeof(opts));
      opts.name = mg_url_host(url);
      mg_tls_init(c, &opts);
    }
    mg_printf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  } else if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    s_got_status = mg_http_status(hm);
    snprintf(s_got_body, sizeof(s_got_body), "%.*s", (int) hm->body.len, hm->body.buf);
    c->is_draining = 1;
  } else if (ev == MG_EV_ERROR) {
    s_got_status = -1;
  }
}

static void test_usual_pattern_over_http(void) {
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  static char url[64];
  mg_mgr_init(&mgr);
  lsn = mg_http_listen(&mgr, s_srv_url, pattern_srv, NULL);
  ASSERT(lsn != NULL);
  if (lsn == NULL) return;
  snprintf(url, sizeof(url), "http://127.0.0.1:%d", (int) mg_ntohs(lsn->loc.port));
  s_got_status = 0;
  mg_http_connect(&mgr, url, pattern_cli, url);
  POLL_UNTIL(&mgr, s_got_status != 0, 3000);
  ASSERT(s_got_status == 200);
  ASSERT_STR(s_got_body, "hello plain");
  mg_mgr_free(&mgr);
}

// Without mg_tls_init, an https:// scheme is only a hint: cleared after
// MG_EV_ACCEPT / MG_EV_CONNECT, and the exchange runs in plaintext.
static int s_hint_cli_connect = -1, s_hint_cli_after = -1, s_hint_srv_accept = -1;

static void hint_srv(struct mg_connection *c, int ev, void *ev_data) {
  (void) ev_data;
  if (ev == MG_EV_ACCEPT) s_hint_srv_accept = c->is_tls;
  if (ev == MG_EV_HTTP_MSG) {
    mg_http_reply(c, 200, "", "hello %s", c->is_tls ? "tls" : "plain");
  }
}

static void hint_cli(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_CONNECT) {
    s_hint_cli_connect = c->is_tls;
    mg_printf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  } else if (ev == MG_EV_WRITE && s_hint_cli_after < 0) {
    s_hint_cli_after = c->is_tls;
  } else if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    s_got_status = mg_http_status(hm);
    snprintf(s_got_body, sizeof(s_got_body), "%.*s", (int) hm->body.len, hm->body.buf);
    c->is_draining = 1;
  } else if (ev == MG_EV_ERROR) {
    s_got_status = -1;
  }
}

static void test_https_hint_without_init(void) {
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  char url[64];
  mg_mgr_init(&mgr);
  lsn = mg_http_listen(&mgr, "https://127.0.0.1:0", hint_srv, NULL);
  ASSERT(lsn != NULL);
  if (lsn == NULL) return;
  snprintf(url, sizeof(url), "https://127.0.0.1:%d", (int) mg_ntohs(lsn->loc.port));
  s_got_status = 0;
  mg_http_connect(&mgr, url, hint_cli, NULL);
  POLL_UNTIL(&mgr, s_got_status != 0, 3000);
  ASSERT(s_got_status == 200);
  ASSERT_STR(s_got_body, "hello plain");
  ASSERT(s_hint_srv_accept == 1 && s_hint_cli_connect == 1 && s_hint_cli_after == 0);
  mg_mgr_free(&mgr);
}

// The internal entry points do nothing harmful and return the no-TLS values.
static void test_noops(void) {
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  char buf[8] = "abc";
  mg_mgr_init(&mgr);
  mg_tls_ctx_init(&mgr);
  mg_tls_ctx_init(NULL);
  lsn = mg_listen(&mgr, "tcp://127.0.0.1:0", NULL, NULL);
  ASSERT(lsn != NULL);
  if (lsn == NULL) return;
  ASSERT(mg_tls_send(lsn, buf, 3) == MG_IO_ERR);
  ASSERT(mg_tls_recv(lsn, buf, sizeof(buf)) == MG_IO_ERR);
  ASSERT(mg_tls_send(lsn, buf, 0) == 0);
  ASSERT(mg_tls_recv(lsn, buf, 0) == 0);
  ASSERT(mg_tls_send(NULL, buf, 3) == 0);
  ASSERT(mg_tls_recv(NULL, NULL, 3) == 0);
  ASSERT(mg_tls_pending(lsn) == 0);
  ASSERT(mg_tls_pending(NULL) == 0);
  mg_tls_handshake(lsn);
  mg_tls_handshake(NULL);
  mg_tls_flush(lsn);
  mg_tls_flush(NULL);
  mg_tls_free(lsn);
  mg_tls_free(NULL);
  mg_tls_init(NULL, NULL);
  mg_tls_init(NULL, &s_opts);
  ASSERT(lsn->is_closing == 0 && lsn->is_tls == 0 && lsn->is_tls_hs == 0);
  ASSERT(memcmp(buf, "abc", 4) == 0);
  mg_mgr_poll(&mgr, 0);
  ASSERT(mgr.conns == lsn);
  mg_tls_ctx_free(&mgr);
  mg_tls_ctx_free(NULL);
  mg_mgr_free(&mgr);
}

int main(void) {
  mg_log_set(MG_LL_NONE);
  server_case("tcp://127.0.0.1:0", 0, 0);
  server_case("http://127.0.0.1:0", 1, 0);
  server_case("https://127.0.0.1:0", 1, 1);
  server_case("tls://127.0.0.1:0", 0, 1);
  test_client();
  test_usual_pattern_over_http();
  test_https_hint_without_init();
  test_noops();
  TEST_DONE();
}
