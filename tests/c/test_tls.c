// TLS from C: an https round trip with mg_http_reply (event order, flags),
// setup failures as MG_EV_ERROR inside the calling handler with nothing sent
// in clear, a client whose peer is not TLS, the usual
// "if (mg_url_is_ssl(url)) mg_tls_init(...)" program over http://, the
// https:// hint without mg_tls_init, and the internal entry points on a
// connection without TLS, and WebSocket over TLS with a graceful
// shutdown. (Interop with curl, openssl, Python: tests/tls.rs.)
#include "test.h"

// Self-signed (CA:FALSE) P-256 certificate for localhost and 127.0.0.1,
// valid for 100 years, and its PKCS#8 key (made with the openssl CLI).
static const char *s_cert =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBmDCCAT6gAwIBAgIUKpE1EQWW3crdTjrMdJ2Or08wOhIwCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNDE3MjQyN1oYDzIxMjYxMTEw\n"
    "MTcyNDI3WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAAS8aMjAgYafj88/zomIlKh69ORVyF8oLOX2npC2kyV7rBrEvnSBmFgp\n"
    "W1IUQh2+hoe7AKG5gKgxDTm0TKXvdg1eo2wwajAdBgNVHQ4EFgQUj/1ZI+j8Xs41\n"
    "V4cJoD84kG+yXxcwHwYDVR0jBBgwFoAUj/1ZI+j8Xs41V4cJoD84kG+yXxcwGgYD\n"
    "VR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMAwGA1UdEwEB/wQCMAAwCgYIKoZIzj0E\n"
    "AwIDSAAwRQIhANO/fs4rBK3oBciTeiw0bHV/kbXFYToQT8T27+RDqkbaAiA3o90g\n"
    "qmJHVOsRwMF7kUUPbfFUKn9rxn4gtY+P01HeSw==\n"
    "-----END CERTIFICATE-----\n"
    ;
static const char *s_key =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgeY6mwvHw4+F75reb\n"
    "Vk3VMs69HY7g17dn7XPTDOyQl2yhRANCAAS8aMjAgYafj88/zomIlKh69ORVyF8o\n"
    "LOX2npC2kyV7rBrEvnSBmFgpW1IUQh2+hoe7AKG5gKgxDTm0TKXvdg1e\n"
    "-----END PRIVATE KEY-----\n"
    ;

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

static struct mg_tls_opts s_opts;  // empty: a server cannot start TLS

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
  ASSERT_STR(joined(&log), "OPEN,ACCEPT,ERROR TLS: server needs cert and key,CLOSE");
  ASSERT(log.hint_at_accept == want_hint);
  ASSERT(log.nested_error == 1);
  ASSERT(log.err_is_closing == 1);
  ASSERT(log.err_is_tls_hs == 0);
  // TLS was asked for: is_tls stays set, so nothing goes out in clear.
  ASSERT(log.err_is_tls == 1);
  ASSERT(log.close_is_tls == 1 && log.close_is_tls_hs == 0);
  // The peer sees a plain close: EOF, not a byte ("never sent" stays so).
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

static unsigned char s_peer_first;  // first byte the plain peer received
static int s_peer_saw_get;

static void peer_fn(struct mg_connection *c, int ev, void *ev_data) {
  if (c->is_listening) return;
  note(&s_peer, ev, ev_data, c);
  if (ev == MG_EV_READ) {
    s_peer_first = c->recv.buf[0];
    s_peer_saw_get = mg_match(mg_str_n((char *) c->recv.buf, c->recv.len),
                              mg_str("*GET /*"), NULL);
    c->is_closing = 1;  // not a TLS server: hang up on the ClientHello
  }
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
  ASSERT_STR(joined(&s_cli), "OPEN,RESOLVE,CONNECT,ERROR TLS: peer closed during handshake,CLOSE");
  ASSERT(s_cli.hint_at_accept == 1);
  ASSERT(s_cli.nested_error == 0 && s_cli.err_is_closing == 1);
  ASSERT(s_cli.err_is_tls == 1 && s_cli.err_is_tls_hs == 1);
  ASSERT(s_cli.close_is_tls == 1);
  // The peer got a TLS ClientHello (record type 22), never the request
  // written right after mg_tls_init.
  ASSERT(s_peer.n >= 3 && strncmp(s_peer.buf[2], "READ ", 5) == 0);
  ASSERT(s_peer_first == 0x16);
  ASSERT(s_peer_saw_get == 0);
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

// The internal entry points on connections without a TLS session: errors
// for send/recv, harmless no-ops otherwise; mg_tls_init on a listener is
// ignored (accepted connections call it themselves).
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
  mg_tls_init(lsn, &s_opts);
  ASSERT(lsn->is_closing == 0 && lsn->is_tls == 0 && lsn->is_tls_hs == 0);
  ASSERT(memcmp(buf, "abc", 4) == 0);
  mg_mgr_poll(&mgr, 0);
  ASSERT(mgr.conns == lsn);
  mg_tls_ctx_free(&mgr);
  mg_tls_ctx_free(NULL);
  mg_mgr_free(&mgr);
}


// A full https exchange between our server and our client.
static struct evlog s_rt_srv, s_rt_cli;
static char s_rt_body[64];
static int s_rt_verify = 1;

static void rt_srv(struct mg_connection *c, int ev, void *ev_data) {
  if (c->is_listening) return;
  note(&s_rt_srv, ev, ev_data, c);
  if (ev == MG_EV_ACCEPT) {
    struct mg_tls_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.cert = mg_str(s_cert);
    opts.key = mg_str(s_key);
    mg_tls_init(c, &opts);
    ASSERT(c->is_tls == 1 && c->is_tls_hs == 1);
  } else if (ev == MG_EV_HTTP_MSG) {
    ASSERT(c->is_tls == 1 && c->is_tls_hs == 0);
    mg_http_reply(c, 200, "", "hello %s", c->is_tls ? "tls" : "plain");
  }
}

static void rt_cli(struct mg_connection *c, int ev, void *ev_data) {
  note(&s_rt_cli, ev, ev_data, c);
  if (ev == MG_EV_CONNECT) {
    struct mg_tls_opts opts;
    memset(&opts, 0, sizeof(opts));
    if (s_rt_verify) opts.ca = mg_str(s_cert);
    opts.name = mg_str("localhost");
    mg_tls_init(c, &opts);
    mg_printf(c, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  } else if (ev == MG_EV_TLS_HS) {
    ASSERT(ev_data == NULL);
    ASSERT(c->is_tls == 1 && c->is_tls_hs == 0);
    ASSERT(c->send.len > 0);  // the request waited for the handshake
  } else if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    snprintf(s_rt_body, sizeof(s_rt_body), "%d %.*s", mg_http_status(hm),
             (int) hm->body.len, hm->body.buf);
    c->is_draining = 1;
  }
}

static void test_round_trip(int verify) {
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  char url[64];
  memset(&s_rt_srv, 0, sizeof(s_rt_srv));
  memset(&s_rt_cli, 0, sizeof(s_rt_cli));
  s_rt_body[0] = '\0';
  s_rt_verify = verify;
  mg_mgr_init(&mgr);
  lsn = mg_http_listen(&mgr, "https://127.0.0.1:0", rt_srv, NULL);
  ASSERT(lsn != NULL && lsn->is_tls == 1);
  if (lsn == NULL) return;
  snprintf(url, sizeof(url), "https://localhost:%d", (int) mg_ntohs(lsn->loc.port));
  mg_http_connect(&mgr, url, rt_cli, NULL);
  POLL_UNTIL(&mgr, s_rt_cli.closed && s_rt_srv.closed, 5000);
  ASSERT_STR(s_rt_body, "200 hello tls");
  // The client's request (35 bytes) leaves after TLS_HS; the response
  // arrives decrypted; draining sends close_notify, which closes the server.
  ASSERT_STR(joined(&s_rt_cli), "OPEN,RESOLVE,CONNECT,TLS_HS,WRITE 35,READ 57,CLOSE");
  ASSERT_STR(joined(&s_rt_srv), "OPEN,ACCEPT,TLS_HS,READ 35,WRITE 57,CLOSE");
  mg_mgr_free(&mgr);
}

// WebSocket over TLS in one manager: our https server upgrades /ws and
// echoes; our wss:// client (mg_tls_init on MG_EV_CONNECT) sends a small
// and a 70,000-byte message, then the manager shuts down with both
// WebSockets open: each side sends a CLOSE 1001 (encrypted), takes the
// other's CLOSE, ends TLS with close_notify, and the manager is done long
// before the grace period, without an error.
static struct {
  int srv_open, cli_open, cli_hs, echoes, big_ok, errors, srv_close_1001,
      cli_close_1001, srv_closed, cli_closed;
} s_wss;
static char s_big[70000];

static int is_close_1001(void *ev_data) {
  struct mg_ws_message *wm = (struct mg_ws_message *) ev_data;
  return (wm->flags & 0x0f) == WEBSOCKET_OP_CLOSE && wm->data.len == 2 &&
         (unsigned char) wm->data.buf[0] == 0x03 &&
         (unsigned char) wm->data.buf[1] == 0xe9;
}

static void wss_srv(struct mg_connection *c, int ev, void *ev_data) {
  if (c->is_listening) return;
  if (ev == MG_EV_ACCEPT) {
    struct mg_tls_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.cert = mg_str(s_cert);
    opts.key = mg_str(s_key);
    mg_tls_init(c, &opts);
  } else if (ev == MG_EV_HTTP_MSG) {
    mg_ws_upgrade(c, (struct mg_http_message *) ev_data, NULL);
  } else if (ev == MG_EV_WS_OPEN) {
    s_wss.srv_open = c->is_tls && c->is_websocket;
  } else if (ev == MG_EV_WS_MSG) {
    struct mg_ws_message *wm = (struct mg_ws_message *) ev_data;
    mg_ws_send(c, wm->data.buf, wm->data.len, wm->flags & 0x0f);
  } else if (ev == MG_EV_WS_CTL) {
    s_wss.srv_close_1001 += is_close_1001(ev_data);
  } else if (ev == MG_EV_ERROR) {
    s_wss.errors++;
  } else if (ev == MG_EV_CLOSE) {
    s_wss.srv_closed++;
  }
}

static void wss_cli(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_CONNECT) {
    struct mg_tls_opts opts;
    ASSERT(c->is_tls == 1);  // the wss:// hint
    memset(&opts, 0, sizeof(opts));
    opts.ca = mg_str(s_cert);
    opts.name = mg_str("localhost");
    mg_tls_init(c, &opts);
  } else if (ev == MG_EV_TLS_HS) {
    s_wss.cli_hs++;
  } else if (ev == MG_EV_WS_OPEN) {
    s_wss.cli_open = c->is_tls && c->is_websocket && !c->is_tls_hs;
    mg_ws_send(c, "hello", 5, WEBSOCKET_OP_TEXT);
    mg_ws_send(c, s_big, sizeof(s_big), WEBSOCKET_OP_BINARY);
  } else if (ev == MG_EV_WS_MSG) {
    struct mg_ws_message *wm = (struct mg_ws_message *) ev_data;
    if (s_wss.echoes == 0) ASSERT_MEM(wm->data.buf, wm->data.len, "hello");
    if (s_wss.echoes == 1) {
      s_wss.big_ok = wm->data.len == sizeof(s_big) &&
                     memcmp(wm->data.buf, s_big, sizeof(s_big)) == 0;
    }
    s_wss.echoes++;
  } else if (ev == MG_EV_WS_CTL) {
    s_wss.cli_close_1001 += is_close_1001(ev_data);
  } else if (ev == MG_EV_ERROR) {
    s_wss.errors++;
  } else if (ev == MG_EV_CLOSE) {
    s_wss.cli_closed++;
  }
}

static void test_wss_round_trip_and_shutdown(void) {
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  char url[64];
  uint64_t t0;
  size_t i;
  memset(&s_wss, 0, sizeof(s_wss));
  for (i = 0; i < sizeof(s_big); i++) s_big[i] = (char) (i * 7 + (i >> 8));
  mg_mgr_init(&mgr);
  lsn = mg_http_listen(&mgr, "https://127.0.0.1:0", wss_srv, NULL);
  ASSERT(lsn != NULL);
  if (lsn == NULL) return;
  snprintf(url, sizeof(url), "wss://localhost:%d/ws", (int) mg_ntohs(lsn->loc.port));
  ASSERT(mg_ws_connect(&mgr, url, wss_cli, NULL, NULL) != NULL);
  POLL_UNTIL(&mgr, s_wss.echoes == 2 || s_wss.errors, 5000);
  ASSERT(s_wss.srv_open == 1 && s_wss.cli_open == 1 && s_wss.cli_hs == 1);
  ASSERT(s_wss.echoes == 2 && s_wss.big_ok == 1);
  t0 = mg_millis();
  mg_mgr_shutdown(&mgr, 5000);
  POLL_UNTIL(&mgr, mg_mgr_is_done(&mgr), 6000);
  ASSERT(mg_mgr_is_done(&mgr));
  ASSERT(mg_millis() - t0 < 4000);
  ASSERT(s_wss.srv_close_1001 == 1 && s_wss.cli_close_1001 == 1);
  ASSERT(s_wss.srv_closed == 1 && s_wss.cli_closed == 1);
  ASSERT(s_wss.errors == 0);
  mg_mgr_free(&mgr);
}

int main(void) {
  mg_log_set(MG_LL_NONE);
  server_case("tcp://127.0.0.1:0", 0, 0);
  server_case("http://127.0.0.1:0", 1, 0);
  server_case("https://127.0.0.1:0", 1, 1);
  server_case("tls://127.0.0.1:0", 0, 1);
  test_client();
  test_round_trip(1);
  test_round_trip(0);
  test_usual_pattern_over_http();
  test_https_hint_without_init();
  test_noops();
  test_wss_round_trip_and_shutdown();
  TEST_DONE();
}
