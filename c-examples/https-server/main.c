// HTTPS server: TLS (rustls inside the library) through Mongoose's API.
// A certificate for localhost (one command line):
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes
//     -keyout key.pem -out cert.pem -days 30 -subj /CN=localhost
//     -addext subjectAltName=DNS:localhost,IP:127.0.0.1
//     -addext basicConstraints=critical,CA:FALSE
//   make run                                   https://127.0.0.1:8443
//   make run ARGS="https://127.0.0.1:0 cert.pem key.pem"
//   curl --cacert cert.pem https://localhost:8443/
// Routes: GET / "Hello over TLS!\n"; /websocket upgrades to a WebSocket
// that echoes every message (wss://localhost:8443/websocket); anything else
// 404. Ctrl+C or SIGTERM stops it gracefully: WebSocket clients get a CLOSE
// 1001, then every connection a TLS close_notify.
#include "mongoose.h"

static struct mg_str s_cert, s_key;

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_ACCEPT && c->is_tls) {  // is_tls: the https:// listener
    struct mg_tls_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.cert = s_cert;  // PEM or DER; the strings may be freed after init
    opts.key = s_key;
    mg_tls_init(c, &opts);
  } else if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    if (mg_match(hm->uri, mg_str("/websocket"), NULL)) {
      mg_ws_upgrade(c, hm, NULL);  // same TLS session, now WebSocket frames
    } else if (mg_match(hm->uri, mg_str("/"), NULL)) {
      mg_http_reply(c, 200, "Content-Type: text/plain\r\n",
                    "Hello over %s!\n", c->is_tls ? "TLS" : "plain HTTP");
    } else {
      mg_http_reply(c, 404, "Content-Type: text/plain\r\n", "Not found\n");
    }
  } else if (ev == MG_EV_WS_MSG) {
    struct mg_ws_message *wm = (struct mg_ws_message *) ev_data;
    mg_ws_send(c, wm->data.buf, wm->data.len, wm->flags & 0x0f);
  } else if (ev == MG_EV_ERROR) {
    fprintf(stderr, "connection %lu: %s\n", c->id, (char *) ev_data);
  }
}

int main(int argc, char *argv[]) {
  const char *url = argc > 1 ? argv[1] : "https://127.0.0.1:8443";
  const char *cert = argc > 2 ? argv[2] : "cert.pem";
  const char *key = argc > 3 ? argv[3] : "key.pem";
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  char addr[64];
  mg_log_set(MG_LL_ERROR);
  s_cert = mg_file_read(&mg_fs_posix, cert);
  s_key = mg_file_read(&mg_fs_posix, key);
  if (s_cert.buf == NULL || s_key.buf == NULL) {
    fprintf(stderr, "cannot read %s or %s\n", cert, key);
    return 1;
  }
  mg_mgr_init(&mgr);
  if ((lsn = mg_http_listen(&mgr, url, fn, NULL)) == NULL) {
    fprintf(stderr, "cannot listen on %s\n", url);
    return 1;
  }
  mg_snprintf(addr, sizeof(addr), "%M", mg_print_ip_port, &lsn->loc);
  printf("listening on https://%s\n", addr);  // tests read the port here
  fflush(stdout);
  mg_mgr_shutdown_on_signals(&mgr, 3000);
  while (!mg_mgr_is_done(&mgr)) mg_mgr_poll(&mgr, 1000);
  mg_mgr_free(&mgr);
  mg_free((void *) s_cert.buf);
  mg_free((void *) s_key.buf);
  return 0;
}
