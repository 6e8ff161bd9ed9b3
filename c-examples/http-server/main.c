// HTTP server: the README demo.
//   make run                          http://127.0.0.1:8000
//   make run ARGS=http://127.0.0.1:0  ephemeral port (printed on stdout)
// Routes:
//   GET /              "Hello from mongoose-rs!\n"
//   GET /api/hello     {"hello":"world","uri":"/api/hello","n":<requests served>}
//   POST /api/echo     the request body back, as application/octet-stream
//   anything else      404
// Ctrl+C or SIGTERM stops it gracefully: requests in flight are answered,
// later ones get 503, the process exits when every connection is closed.
#include "mongoose.h"

static unsigned long s_served;

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    s_served++;
    if (mg_match(hm->uri, mg_str("/"), NULL)) {
      mg_http_reply(c, 200, "Content-Type: text/plain\r\n",
                    "Hello from mongoose-rs!\n");
    } else if (mg_match(hm->uri, mg_str("/api/hello"), NULL)) {
      mg_http_reply(c, 200, "Content-Type: application/json\r\n",
                    "{%m:%m,%m:%m,%m:%lu}\n", MG_ESC("hello"), MG_ESC("world"),
                    MG_ESC("uri"), mg_print_esc, (int) hm->uri.len,
                    hm->uri.buf, MG_ESC("n"), s_served);
    } else if (mg_match(hm->uri, mg_str("/api/echo"), NULL) &&
               mg_strcmp(hm->method, mg_str("POST")) == 0) {
      mg_http_reply(c, 200, "Content-Type: application/octet-stream\r\n",
                    "%.*s", (int) hm->body.len, hm->body.buf);
    } else {
      mg_http_reply(c, 404, "Content-Type: text/plain\r\n", "Not found\n");
    }
  }
}

int main(int argc, char *argv[]) {
  const char *url = argc > 1 ? argv[1] : "http://127.0.0.1:8000";
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  char addr[64];
  mg_log_set(MG_LL_ERROR);
  mg_mgr_init(&mgr);
  if ((lsn = mg_http_listen(&mgr, url, fn, NULL)) == NULL) {
    fprintf(stderr, "cannot listen on %s\n", url);
    return 1;
  }
  mg_snprintf(addr, sizeof(addr), "%M", mg_print_ip_port, &lsn->loc);
  printf("listening on http://%s\n", addr);  // tests read the port here
  fflush(stdout);
  mg_mgr_shutdown_on_signals(&mgr, 3000);
  while (!mg_mgr_is_done(&mgr)) mg_mgr_poll(&mgr, 1000);
  mg_mgr_free(&mgr);
  printf("served %lu requests, bye\n", s_served);
  return 0;
}
