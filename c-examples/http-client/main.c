// HTTP client: fetch a URL and print the response body.
//   make run ARGS=http://127.0.0.1:8000/api/hello
//   make run ARGS="https://localhost:8443/ ca.pem"   verify with this CA
//   make run ARGS=https://localhost:8443/             no verification
// Exit status: 0 on a complete response, 1 on error or timeout (5 s).
#include "mongoose.h"

static struct mg_str s_ca;  // CA certificate(s) for https:// URLs

struct result {
  bool done;
  int status;
};

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  struct result *r = (struct result *) c->fn_data;
  const char *url = (const char *) c->mgr->userdata;
  if (ev == MG_EV_CONNECT) {
    struct mg_str host = mg_url_host(url);
    if (mg_url_is_ssl(url)) {
      struct mg_tls_opts opts;
      memset(&opts, 0, sizeof(opts));
      opts.ca = s_ca;    // PEM or DER; empty: the server is not verified
      opts.name = host;  // SNI and host name check
      mg_tls_init(c, &opts);
    }
    mg_printf(c,
              "GET %s HTTP/1.1\r\n"
              "Host: %.*s\r\n"
              "Connection: close\r\n"
              "\r\n",
              mg_url_uri(url), (int) host.len, host.buf);
  } else if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    r->status = mg_http_status(hm);
    fwrite(hm->body.buf, 1, hm->body.len, stdout);
    r->done = true;
    c->is_draining = 1;
  } else if (ev == MG_EV_ERROR) {
    fprintf(stderr, "error: %s\n", (char *) ev_data);
    r->done = true;
  }
}

int main(int argc, char *argv[]) {
  const char *url = argc > 1 ? argv[1] : "http://127.0.0.1:8000/";
  struct result r = {false, 0};
  struct mg_mgr mgr;
  uint64_t deadline;
  mg_log_set(MG_LL_ERROR);
  if (argc > 2 && (s_ca = mg_file_read(&mg_fs_posix, argv[2])).buf == NULL) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 1;
  }
  mg_mgr_init(&mgr);
  mgr.userdata = (void *) url;
  if (mg_http_connect(&mgr, url, fn, &r) == NULL) {
    fprintf(stderr, "cannot connect to %s\n", url);
    return 1;
  }
  deadline = mg_millis() + 5000;
  while (!r.done && mg_millis() < deadline) mg_mgr_poll(&mgr, 50);
  mg_mgr_free(&mgr);
  mg_free((void *) s_ca.buf);
  if (!r.done) fprintf(stderr, "timeout\n");
  return r.done && r.status > 0 ? 0 : 1;
}
