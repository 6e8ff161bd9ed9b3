// WebSocket from C: our server and our client in one process (each on its
// own manager). Echo at every frame-size boundary up to 1 MB, the client's
// request head, fragmented messages with a control frame in between,
// ping/pong, the close handshake with codes, mg_ws_printf/mg_ws_wrap, and
// the built-in shutdown sending CLOSE 1001 to every open WebSocket.
#include "test.h"

#include <stdlib.h>

static struct mg_mgr s_smgr, s_cmgr;  // server, client

// Server side: upgrade /ws, echo messages with their opcode, record the
// rest.
static int s_srv_open, s_srv_msgs, s_srv_ctl, s_srv_close;
static char s_srv_trace[1024];
static char s_req_head[1024];

static void append(char *trace, size_t size, const char *fmt, unsigned a, int n, const char *p) {
  size_t len = strlen(trace);
  if (len + 80 < size) {
    if (len) trace[len++] = ',';
    snprintf(trace + len, size - len, fmt, a, n, p);
  }
}

static void srv(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    snprintf(s_req_head, sizeof(s_req_head), "%.*s", (int) hm->head.len, hm->head.buf);
    mg_ws_upgrade(c, hm, "X-Srv: %d\r\n", 7);
  } else if (ev == MG_EV_WS_OPEN) {
    s_srv_open++;
    ASSERT(c->is_websocket);
  } else if (ev == MG_EV_WS_MSG) {
    struct mg_ws_message *wm = (struct mg_ws_message *) ev_data;
    s_srv_msgs++;
    if (wm->data.len < 64) {
      append(s_srv_trace, sizeof(s_srv_trace), "MSG %02x %.*s", wm->flags, (int) wm->data.len,
             wm->data.buf);
    }
    mg_ws_send(c, wm->data.buf, wm->data.len, wm->flags & 0x0f);
  } else if (ev == MG_EV_WS_CTL) {
    struct mg_ws_message *wm = (struct mg_ws_message *) ev_data;
    s_srv_ctl++;
    append(s_srv_trace, sizeof(s_srv_trace), "CTL %02x %.*s", wm->flags, (int) wm->data.len,
           wm->data.buf);
  } else if (ev == MG_EV_CLOSE && !c->is_listening) {
    s_srv_close++;
  }
}

// Client side: remember the last message and control frame.
struct client {
  int open, msgs, ctls, closed, errors, status;
  unsigned char last_flags, ctl_flags;
  char *last;
  size_t last_len;
  char ctl[128];
  size_t ctl_len;
};

static void cli(struct mg_connection *c, int ev, void *ev_data) {
  struct client *cl = (struct client *) c->fn_data;
  if (ev == MG_EV_WS_OPEN) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    cl->open++;
    cl->status = mg_http_status(hm);
    ASSERT(c->is_websocket);
  } else if (ev == MG_EV_WS_MSG) {
    struct mg_ws_message *wm = (struct mg_ws_message *) ev_data;
    cl->msgs++;
    free(cl->last);
    cl->last = (char *) malloc(wm->data.len + 1);
    memcpy(cl->last, wm->data.buf, wm->data.len);
    cl->last_len = wm->data.len;
    cl->last_flags = wm->flags;
  } else if (ev == MG_EV_WS_CTL) {
    struct mg_ws_message *wm = (struct mg_ws_message *) ev_data;
    cl->ctls++;
    cl->ctl_flags = wm->flags;
    cl->ctl_len = wm->data.len < sizeof(cl->ctl) ? wm->data.len : sizeof(cl->ctl);
    memcpy(cl->ctl, wm->data.buf, cl->ctl_len);
  } else if (ev == MG_EV_ERROR) {
    cl->errors++;
  } else if (ev == MG_EV_CLOSE) {
    cl->closed++;
  }
}

#define POLL_BOTH(cond, ms)                                  \
  do {                                                       \
    uint64_t deadline_ = mg_millis() + (ms);                 \
    while (!(cond) && mg_millis() < deadline_) {             \
      mg_mgr_poll(&s_smgr, 1);                               \
      mg_mgr_poll(&s_cmgr, 1);                               \
    }                                                        \
  } while (0)

static char s_url[64];

static struct mg_connection *connect_client(struct client *cl) {
  struct mg_connection *c;
  memset(cl, 0, sizeof(*cl));
  c = mg_ws_connect(&s_cmgr, s_url, cli, cl, "X-Test: %d\r\n", 42);
  ASSERT(c != NULL);
  POLL_BOTH(cl->open, 3000);
  ASSERT(cl->open == 1);
  ASSERT(cl->status == 101);
  return c;
}

// A raw frame (unmasked: Mongoose servers take those too), appended with
// mg_send so fragments can be built by hand.
static void raw_frame(struct mg_connection *c, unsigned char b0, const char *p) {
  unsigned char h[2];
  h[0] = b0;
  h[1] = (unsigned char) strlen(p);
  mg_send(c, h, 2);
  mg_send(c, p, strlen(p));
}

static void test_sizes(void) {
  static const size_t sizes[] = {0, 1, 125, 126, 127, 65535, 65536, 65537, 1024 * 1024};
  struct client cl;
  struct mg_connection *c = connect_client(&cl);
  size_t i, j;
  ASSERT(strstr(s_req_head, "GET /ws?a=1 HTTP/1.1\r\nUpgrade: websocket\r\nHost: 127.0.0.1\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                            "Sec-WebSocket-Key: ") == s_req_head);
  ASSERT(strstr(s_req_head, "==\r\nX-Test: 42\r\n\r\n") != NULL);
  ASSERT(strlen(s_req_head) == 166);  // the key is 24 characters
  for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    size_t n = sizes[i], hl = n < 126 ? 2 : n < 65536 ? 4 : 10;
    char *buf = (char *) malloc(n + 1);
    int before = cl.msgs;
    for (j = 0; j < n; j++) buf[j] = (char) (j * 7 + i);
    // Client frames are masked: 4 more header bytes.
    ASSERT(mg_ws_send(c, buf, n, WEBSOCKET_OP_BINARY) == hl + 4 + n);
    POLL_BOTH(cl.msgs > before, 5000);
    ASSERT(cl.msgs == before + 1);
    ASSERT(cl.last_flags == 0x82);
    ASSERT(cl.last_len == n);
    ASSERT(n == 0 || memcmp(cl.last, buf, n) == 0);
    free(buf);
  }
  // Text and mg_ws_printf: the return value is the payload length.
  ASSERT(mg_ws_printf(c, WEBSOCKET_OP_TEXT, "%s-%d", "abc", 42) == 6);
  POLL_BOTH(cl.last_len == 6, 2000);
  ASSERT(cl.last_flags == 0x81);
  ASSERT_MEM(cl.last, cl.last_len, "abc-42");
  // mg_ws_wrap frames bytes already queued.
  mg_send(c, "wrapped", 7);
  ASSERT(mg_ws_wrap(c, 7, WEBSOCKET_OP_TEXT) == c->send.len);
  POLL_BOTH(cl.last_len == 7, 2000);
  ASSERT_MEM(cl.last, cl.last_len, "wrapped");
  c->is_draining = 1;
  POLL_BOTH(cl.closed, 2000);
  free(cl.last);
}

static void test_fragments_ping_close(void) {
  struct client cl;
  struct mg_connection *c = connect_client(&cl);
  s_srv_trace[0] = '\0';
  // A text message in three fragments with a PING between them.
  raw_frame(c, 0x01, "ab");
  raw_frame(c, 0x89, "P");
  raw_frame(c, 0x00, "cd");
  raw_frame(c, 0x80, "ef");
  POLL_BOTH(cl.msgs == 1, 2000);
  ASSERT_STR(s_srv_trace, "CTL 89 P,CTL 00 cd,CTL 80 ef,MSG 01 abcdef");
  // The PONG came back first, then the echo (sent with TEXT and FIN).
  ASSERT(cl.ctls == 1 && cl.ctl_flags == 0x8a);
  ASSERT_MEM(cl.ctl, cl.ctl_len, "P");
  ASSERT(cl.last_flags == 0x81);
  ASSERT_MEM(cl.last, cl.last_len, "abcdef");
  // Ping from the client API: the server answers with the same payload.
  mg_ws_send(c, "hey", 3, WEBSOCKET_OP_PING);
  POLL_BOTH(cl.ctls == 2, 2000);
  ASSERT(cl.ctl_flags == 0x8a);
  ASSERT_MEM(cl.ctl, cl.ctl_len, "hey");
  // Close with a code and reason: echoed, then both sides close.
  s_srv_trace[0] = '\0';
  s_srv_close = 0;
  mg_ws_send(c, "\x03\xe8" "bye", 5, WEBSOCKET_OP_CLOSE);
  POLL_BOTH(cl.closed && s_srv_close, 2000);
  ASSERT_STR(s_srv_trace, "CTL 88 \x03\xe8" "bye");
  ASSERT(cl.ctl_flags == 0x88);
  ASSERT_MEM(cl.ctl, cl.ctl_len, "\x03\xe8" "bye");
  ASSERT(cl.closed == 1 && s_srv_close == 1);
  free(cl.last);
}

static void test_no_key_gets_426(void) {
  // A plain HTTP client on the upgrade route: 426 and the connection ends.
  struct client cl;
  struct mg_connection *c;
  memset(&cl, 0, sizeof(cl));
  c = mg_http_connect(&s_cmgr, s_url, cli, &cl);
  ASSERT(c != NULL);
  mg_printf(c, "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
  POLL_BOTH(cl.closed, 2000);
  ASSERT(cl.closed == 1);
  ASSERT(cl.open == 0);
}

static void test_client_shutdown_sends_1001(void) {
  // Client side: shutting down the client's manager closes its WebSocket
  // with 1001 too; the server echoes it and the manager is done.
  struct mg_mgr m;
  struct client cl;
  uint64_t deadline;
  memset(&cl, 0, sizeof(cl));
  mg_mgr_init(&m);
  ASSERT(mg_ws_connect(&m, s_url, cli, &cl, NULL) != NULL);
  deadline = mg_millis() + 3000;
  while (!cl.open && mg_millis() < deadline) {
    mg_mgr_poll(&s_smgr, 1);
    mg_mgr_poll(&m, 1);
  }
  ASSERT(cl.open == 1);
  s_srv_trace[0] = '\0';
  mg_mgr_shutdown(&m, 3000);
  deadline = mg_millis() + 2000;
  while (!mg_mgr_is_done(&m) && mg_millis() < deadline) {
    mg_mgr_poll(&s_smgr, 1);
    mg_mgr_poll(&m, 1);
  }
  ASSERT(mg_mgr_is_done(&m));
  ASSERT_STR(s_srv_trace, "CTL 88 \x03\xe9");
  ASSERT(cl.closed == 1);
  mg_mgr_free(&m);
}

static void test_shutdown_sends_1001(void) {
  enum { N = 5 };
  struct client cls[N];
  struct mg_connection *cs[N];
  struct mg_connection *c;
  int i, all;
  uint64_t t0;
  for (i = 0; i < N; i++) cs[i] = connect_client(&cls[i]);
  // Queue a message on every server connection, then begin the shutdown:
  // the message arrives before the CLOSE 1001, which the client echoes.
  for (c = s_smgr.conns; c != NULL; c = c->next) {
    if (c->is_websocket) mg_ws_send(c, "last", 4, WEBSOCKET_OP_TEXT);
  }
  t0 = mg_millis();
  mg_mgr_shutdown(&s_smgr, 3000);
  POLL_BOTH(mg_mgr_is_done(&s_smgr), 4000);
  ASSERT(mg_mgr_is_done(&s_smgr));
  ASSERT(mg_millis() - t0 < 2000);  // ended by the close handshake, not the grace period
  POLL_BOTH((all = 1, all), 50);
  for (i = 0; i < N; i++) {
    ASSERT(cls[i].msgs == 1);
    ASSERT_MEM(cls[i].last, cls[i].last_len, "last");
    ASSERT(cls[i].ctl_flags == 0x88);
    ASSERT_MEM(cls[i].ctl, cls[i].ctl_len, "\x03\xe9");
    free(cls[i].last);
  }
  (void) cs;
}

int main(void) {
  struct mg_connection *l;
  mg_log_set(MG_LL_NONE);
  mg_mgr_init(&s_smgr);
  mg_mgr_init(&s_cmgr);
  l = mg_http_listen(&s_smgr, "http://127.0.0.1:0", srv, NULL);
  ASSERT(l != NULL);
  mg_snprintf(s_url, sizeof(s_url), "ws://127.0.0.1:%d/ws?a=1", (int) mg_ntohs(l->loc.port));
  test_sizes();
  test_fragments_ping_close();
  test_no_key_gets_426();
  test_client_shutdown_sends_1001();
  test_shutdown_sends_1001();
  mg_mgr_free(&s_cmgr);
  mg_mgr_free(&s_smgr);
  TEST_DONE();
}
