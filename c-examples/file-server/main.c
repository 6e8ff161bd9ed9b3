// File server: serve a directory over HTTP with mg_http_serve_dir.
//   make run ARGS=DIR                         http://0.0.0.0:8000, DIR as root
//   make run ARGS="DIR http://127.0.0.1:0"    ephemeral port (printed on stdout)
// Directories get index.html or a listing, files get Etag/304, Range/206 and
// precompressed .gz variants; paths leaving DIR get "400 Invalid path".
// Large files are streamed: memory stays flat whatever their size.
// Ctrl+C or SIGTERM stops it gracefully.
#include "mongoose.h"

static const char *s_root = ".";

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    struct mg_http_serve_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.root_dir = s_root;
    mg_http_serve_dir(c, hm, &opts);
  }
}

int main(int argc, char *argv[]) {
  const char *url = argc > 2 ? argv[2] : "http://0.0.0.0:8000";
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  char addr[64];
  if (argc > 1) s_root = argv[1];
  mg_log_set(MG_LL_ERROR);
  mg_mgr_init(&mgr);
  if ((lsn = mg_http_listen(&mgr, url, fn, NULL)) == NULL) {
    fprintf(stderr, "cannot listen on %s\n", url);
    return 1;
  }
  mg_snprintf(addr, sizeof(addr), "%M", mg_print_ip_port, &lsn->loc);
  printf("listening on http://%s\n", addr);  // tests read the port here
  printf("serving %s\n", s_root);
  fflush(stdout);
  mg_mgr_shutdown_on_signals(&mgr, 3000);
  while (!mg_mgr_is_done(&mgr)) mg_mgr_poll(&mgr, 1000);
  mg_mgr_free(&mgr);
  return 0;
}
