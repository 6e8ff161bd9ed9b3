// WebSocket server: echo every message, and push a timestamp to every
// connected client each second from a timer (like Mongoose's timer and
// websocket examples).
//   make run                          ws://127.0.0.1:8000/websocket
//   make run ARGS="http://127.0.0.1:0 200"   ephemeral port, push every 200 ms
// GET / answers a short text; /websocket upgrades. Ctrl+C or SIGTERM stops
// it gracefully: each client gets a CLOSE frame with code 1001 after what
// was already queued, and the process exits once they have answered.
#include "mongoose.h"

static unsigned long s_echoed, s_pushes;

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    if (mg_match(hm->uri, mg_str("/websocket"), NULL)) {
      mg_ws_upgrade(c, hm, NULL);  // fires MG_EV_WS_OPEN
    } else {
      mg_http_reply(c, 200, "Content-Type: text/plain\r\n",
                    "WebSocket server: connect to /websocket\n");
    }
  } else if (ev == MG_EV_WS_OPEN) {
    mg_ws_printf(c, WEBSOCKET_OP_TEXT, "hello, client %lu", c->id);
  } else if (ev == MG_EV_WS_MSG) {
    struct mg_ws_message *wm = (struct mg_ws_message *) ev_data;
    mg_ws_send(c, wm->data.buf, wm->data.len, wm->flags & 0x0f);
    s_echoed++;
  }
}

// Push the time to every open WebSocket (c->is_websocket).
static void push(void *arg) {
  struct mg_mgr *mgr = (struct mg_mgr *) arg;
  struct mg_connection *c;
  for (c = mgr->conns; c != NULL; c = c->next) {
    if (c->is_websocket) {
      mg_ws_printf(c, WEBSOCKET_OP_TEXT, "{%m:%llu}", MG_ESC("time"),
                   (unsigned long long) mg_millis());
      s_pushes++;
    }
  }
}

int main(int argc, char *argv[]) {
  const char *url = argc > 1 ? argv[1] : "http://127.0.0.1:8000";
  unsigned long period = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000;
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  char addr[64];
  mg_log_set(MG_LL_ERROR);
  mg_mgr_init(&mgr);
  if ((lsn = mg_http_listen(&mgr, url, fn, NULL)) == NULL) {
    fprintf(stderr, "cannot listen on %s\n", url);
    return 1;
  }
  mg_timer_add(&mgr, period, MG_TIMER_REPEAT, push, &mgr);
  mg_snprintf(addr, sizeof(addr), "%M", mg_print_ip_port, &lsn->loc);
  printf("listening on ws://%s\n", addr);  // tests read the port here
  fflush(stdout);
  mg_mgr_shutdown_on_signals(&mgr, 3000);
  while (!mg_mgr_is_done(&mgr)) mg_mgr_poll(&mgr, 1000);
  mg_mgr_free(&mgr);
  printf("echoed %lu messages, %lu pushes, bye\n", s_echoed, s_pushes);
  return 0;
}
