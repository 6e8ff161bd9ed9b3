// A small REST API over an in-memory list of items, with mg_match routes.
//   make run                               http://127.0.0.1:8000
//   GET    /api/items          [{"id":1,"name":"..."}...]
//   POST   /api/items          body {"name":"x"} -> 201 {"id":N,"name":"x"}
//   GET    /api/items/<id>     one item, or 404
//   DELETE /api/items/<id>     204, or 404
#include "mongoose.h"

#define MAX_ITEMS 64

static struct item {
  int id;
  char name[64];
} s_items[MAX_ITEMS];
static int s_count, s_next_id = 1;

#define JSON "Content-Type: application/json\r\n"

// Prints the item list as a JSON array (a %M printer).
static size_t print_items(void (*out)(char, void *), void *arg, va_list *ap) {
  size_t n = 0;
  int i;
  (void) ap;
  n += mg_xprintf(out, arg, "[");
  for (i = 0; i < s_count; i++) {
    n += mg_xprintf(out, arg, "%s{%m:%d,%m:%m}", i ? "," : "", MG_ESC("id"),
                    s_items[i].id, MG_ESC("name"), MG_ESC(s_items[i].name));
  }
  return n + mg_xprintf(out, arg, "]");
}

static int find(struct mg_str id) {
  int i, n = 0;
  if (!mg_str_to_num(id, 10, &n, sizeof(n))) return -1;
  for (i = 0; i < s_count; i++)
    if (s_items[i].id == n) return i;
  return -1;
}

// Extracts "name" from a small JSON object body such as {"name":"x"}.
static bool body_name(struct mg_str body, char *buf, size_t len) {
  char tmp[256];
  const char *p, *q, *e;
  if (body.len >= sizeof(tmp)) return false;
  memcpy(tmp, body.buf, body.len);  // the body is not NUL-terminated
  tmp[body.len] = '\0';
  if ((p = strstr(tmp, "\"name\"")) == NULL) return false;
  if ((p = strchr(p + 6, ':')) == NULL) return false;
  if ((q = strchr(p, '"')) == NULL) return false;
  if ((e = strchr(q + 1, '"')) == NULL || (size_t) (e - q - 1) >= len) return false;
  memcpy(buf, q + 1, (size_t) (e - q - 1));
  buf[e - q - 1] = '\0';
  return true;
}

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  struct mg_http_message *hm = (struct mg_http_message *) ev_data;
  struct mg_str caps[2];
  int i;
  if (ev != MG_EV_HTTP_MSG) return;
  if (mg_match(hm->uri, mg_str("/api/items"), NULL)) {
    if (mg_strcmp(hm->method, mg_str("GET")) == 0) {
      mg_http_reply(c, 200, JSON, "%M\n", print_items);
    } else if (mg_strcmp(hm->method, mg_str("POST")) == 0) {
      char name[64];
      if (s_count >= MAX_ITEMS) {
        mg_http_reply(c, 507, JSON, "{%m:%m}\n", MG_ESC("error"),
                      MG_ESC("full"));
      } else if (!body_name(hm->body, name, sizeof(name))) {
        mg_http_reply(c, 400, JSON, "{%m:%m}\n", MG_ESC("error"),
                      MG_ESC("name required"));
      } else {
        s_items[s_count].id = s_next_id++;
        memcpy(s_items[s_count].name, name, sizeof(name));
        mg_http_reply(c, 201, JSON, "{%m:%d,%m:%m}\n", MG_ESC("id"),
                      s_items[s_count].id, MG_ESC("name"), MG_ESC(name));
        s_count++;
      }
    } else {
      mg_http_reply(c, 405, "", "");
    }
  } else if (mg_match(hm->uri, mg_str("/api/items/*"), caps)) {
    if ((i = find(caps[0])) < 0) {
      mg_http_reply(c, 404, JSON, "{%m:%m}\n", MG_ESC("error"),
                    MG_ESC("no such item"));
    } else if (mg_strcmp(hm->method, mg_str("GET")) == 0) {
      mg_http_reply(c, 200, JSON, "{%m:%d,%m:%m}\n", MG_ESC("id"),
                    s_items[i].id, MG_ESC("name"), MG_ESC(s_items[i].name));
    } else if (mg_strcmp(hm->method, mg_str("DELETE")) == 0) {
      s_items[i] = s_items[--s_count];
      mg_http_reply(c, 204, "", "");
    } else {
      mg_http_reply(c, 405, "", "");
    }
  } else {
    mg_http_reply(c, 404, JSON, "{%m:%m}\n", MG_ESC("error"),
                  MG_ESC("not found"));
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
  printf("listening on http://%s\n", addr);
  fflush(stdout);
  mg_mgr_shutdown_on_signals(&mgr, 3000);
  while (!mg_mgr_is_done(&mgr)) mg_mgr_poll(&mgr, 1000);
  mg_mgr_free(&mgr);
  return 0;
}
