// WebSocket client: connect, send each argument as a text message, print
// every message received (one per line), and close once the server has
// echoed them all and sent at least PUSHES other messages.
//   make run ARGS="ws://127.0.0.1:8000/websocket hello world"
//   make run ARGS="wss://localhost:8443/websocket hi"   (TLS; CA=cert.pem
//                                        verifies the server, else no check)
// Environment: PUSHES (default 0), CA (file with the CA certificate for
// wss:// URLs). Exit status: 0 after a clean close handshake, 1 on error or
// timeout (10 s).
#include "mongoose.h"

struct state {
  int argc, echoes, others, want_others;
  char **argv;
  bool closed, close_seen, failed;
};

static struct mg_str s_ca;  // CA certificate(s) for wss:// URLs

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  struct state *s = (struct state *) c->fn_data;
  if (ev == MG_EV_CONNECT && c->is_tls) {  // is_tls: a wss:// URL
    const char *url = (const char *) c->mgr->userdata;
    struct mg_tls_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.ca = s_ca;  // empty: the server is not verified
    opts.name = mg_url_host(url);
    mg_tls_init(c, &opts);
  } else if (ev == MG_EV_WS_OPEN) {
    int i;
    for (i = 0; i < s->argc; i++) {
      mg_ws_send(c, s->argv[i], strlen(s->argv[i]), WEBSOCKET_OP_TEXT);
    }
  } else if (ev == MG_EV_WS_MSG) {
    struct mg_ws_message *wm = (struct mg_ws_message *) ev_data;
    int i, echo = 0;
    printf("%.*s\n", (int) wm->data.len, wm->data.buf);
    fflush(stdout);  // a pipe: the reader sees each message as it comes
    for (i = s->echoes; i < s->argc && !echo; i++) {
      echo = strlen(s->argv[i]) == wm->data.len &&
             memcmp(s->argv[i], wm->data.buf, wm->data.len) == 0;
    }
    if (echo) {
      s->echoes++;
    } else {
      s->others++;
    }
    if (s->echoes == s->argc && s->others >= s->want_others) {
      mg_ws_send(c, "\x03\xe8", 2, WEBSOCKET_OP_CLOSE);  // 1000, normal
    }
  } else if (ev == MG_EV_WS_CTL) {
    struct mg_ws_message *wm = (struct mg_ws_message *) ev_data;
    if ((wm->flags & 0x0f) == WEBSOCKET_OP_CLOSE) s->close_seen = true;
  } else if (ev == MG_EV_ERROR) {
    fprintf(stderr, "error: %s\n", (char *) ev_data);
    s->failed = true;
  } else if (ev == MG_EV_CLOSE) {
    s->closed = true;
  }
}

int main(int argc, char *argv[]) {
  const char *url = argc > 1 ? argv[1] : "ws://127.0.0.1:8000/websocket";
  const char *pushes = getenv("PUSHES"), *ca = getenv("CA");
  struct state s;
  struct mg_mgr mgr;
  uint64_t deadline;
  memset(&s, 0, sizeof(s));
  s.argc = argc > 2 ? argc - 2 : 0;
  s.argv = argv + 2;
  s.want_others = pushes ? atoi(pushes) : 0;
  mg_log_set(MG_LL_ERROR);
  if (ca != NULL && (s_ca = mg_file_read(&mg_fs_posix, ca)).buf == NULL) {
    fprintf(stderr, "cannot read %s\n", ca);
    return 1;
  }
  mg_mgr_init(&mgr);
  mgr.userdata = (void *) url;
  if (mg_ws_connect(&mgr, url, fn, &s, NULL) == NULL) {
    fprintf(stderr, "cannot connect to %s\n", url);
    return 1;
  }
  deadline = mg_millis() + 10000;
  while (!s.closed && mg_millis() < deadline) mg_mgr_poll(&mgr, 50);
  mg_mgr_free(&mgr);
  mg_free((void *) s_ca.buf);
  if (!s.closed) fprintf(stderr, "timeout\n");
  return s.closed && s.close_seen && !s.failed ? 0 : 1;
}
