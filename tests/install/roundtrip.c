// Built by tests/install.rs against an installed mongoose-rs, with the flags
// of `pkg-config --cflags --libs mongoose` (shared) or `--static`: one HTTP
// request from a client connection to a server connection of the same
// manager. Prints "ok" and exits 0 on the expected response.
#include <mongoose.h>

#ifndef MONGOOSE_RS
#error "mongoose.h is not mongoose-rs's header"
#endif

static void server(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    mg_http_reply(c, 200, "", "hello %.*s\n", (int) hm->uri.len, hm->uri.buf);
  }
}

static void client(struct mg_connection *c, int ev, void *ev_data) {
  int *result = (int *) c->fn_data;
  if (ev == MG_EV_CONNECT) {
    mg_printf(c, "GET /installed HTTP/1.0\r\n\r\n");
  } else if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    *result = mg_strcmp(hm->body, mg_str("hello /installed\n")) == 0 ? 1 : 2;
    c->is_closing = 1;
  } else if (ev == MG_EV_ERROR) {
    *result = 3;
  }
}

int main(void) {
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  char url[64];
  int result = 0, i;
  mg_log_set(MG_LL_NONE);
  mg_mgr_init(&mgr);
  lsn = mg_http_listen(&mgr, "http://127.0.0.1:0", server, NULL);
  if (lsn == NULL) return 10;
  mg_snprintf(url, sizeof(url), "http://127.0.0.1:%d", (int) mg_ntohs(lsn->loc.port));
  if (mg_http_connect(&mgr, url, client, &result) == NULL) return 11;
  for (i = 0; i < 1000 && result == 0; i++) mg_mgr_poll(&mgr, 10);
  mg_mgr_free(&mgr);
  printf("%s %d\n", result == 1 ? "ok" : "fail", result);
  return result == 1 ? 0 : 1;
}
