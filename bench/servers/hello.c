// mongoose-rs benchmark server.
//   hello URL [ROOT [CERT KEY]]
// With CERT and KEY (PEM files) and an https:// URL it serves TLS
// (bench/tls_bench.py).
// GET /  -> 200 "hello\n" (6-byte body, same as the civetweb and nginx peers)
// other  -> mg_http_serve_dir(ROOT) (the 1 MB static-file scenario)
// Prints "listening on http://IP:PORT"; SIGTERM/SIGINT stop it.
#include "mongoose.h"

static const char *s_root = ".";
static struct mg_str s_cert, s_key;

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_ACCEPT && c->is_tls) {
    struct mg_tls_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.cert = s_cert;
    opts.key = s_key;
    mg_tls_init(c, &opts);
  } else if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    if (hm->uri.len == 1 && hm->uri.buf[0] == '/') {
      mg_http_reply(c, 200, "Content-Type: text/plain\r\n", "hello\n");
    } else {
      struct mg_http_serve_opts opts;
      memset(&opts, 0, sizeof(opts));
      opts.root_dir = s_root;
      mg_http_serve_dir(c, hm, &opts);
    }
  }
}

int main(int argc, char *argv[]) {
  const char *url = argc > 1 ? argv[1] : "http://127.0.0.1:8000";
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  char addr[64];
  if (argc > 2) s_root = argv[2];
  if (argc > 4) {
    s_cert = mg_file_read(&mg_fs_posix, argv[3]);
    s_key = mg_file_read(&mg_fs_posix, argv[4]);
    if (s_cert.buf == NULL || s_key.buf == NULL) {
      fprintf(stderr, "cannot read %s or %s\n", argv[3], argv[4]);
      return 1;
    }
  }
  mg_log_set(MG_LL_ERROR);
  mg_mgr_init(&mgr);
  // bench.py's scenario (d) also runs this server with the opt-in interval.
  if (getenv("MG_POLL_INTERVAL_MS") != NULL) {
    mg_mgr_set_poll_interval(&mgr, strtoul(getenv("MG_POLL_INTERVAL_MS"), NULL, 10));
  }
  if ((lsn = mg_http_listen(&mgr, url, fn, NULL)) == NULL) {
    fprintf(stderr, "cannot listen on %s\n", url);
    return 1;
  }
  mg_snprintf(addr, sizeof(addr), "%M", mg_print_ip_port, &lsn->loc);
  printf("listening on %s://%s\n", mg_url_is_ssl(url) ? "https" : "http", addr);
  fflush(stdout);
  mg_mgr_shutdown_on_signals(&mgr, 1000);
  while (!mg_mgr_is_done(&mgr)) mg_mgr_poll(&mgr, 1000);
  mg_mgr_free(&mgr);
  mg_free((void *) s_cert.buf);
  mg_free((void *) s_key.buf);
  return 0;
}
