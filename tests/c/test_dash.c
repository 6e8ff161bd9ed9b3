// Dashboard helpers: Mongoose-style dashboard declarations compile against
// the header (enum tags, callback prototypes), and the exports behave as
// documented: 404 replies, no directory, change notifications ignored.
#include "test.h"

static int s_temp = 21;
static struct mg_field s_fields[] = {{"temp", MG_VAL_INT, &s_temp, sizeof(s_temp)},
                                     {NULL, MG_VAL_RAW, NULL, 0}};

static bool settings_fn(enum mg_dash_op op, struct mg_dash_user *u) {
  (void) u;
  return op == MG_DASH_READ;
}

static bool get_dir(const struct mg_dash_user *u, char *buf, size_t len) {
  (void) u, (void) buf, (void) len;
  return true;
}

static int auth(char *user, size_t userlen, const char *pass) {
  (void) user, (void) userlen, (void) pass;
  return 0;
}

static void custom(struct mg_connection *c, int ev, void *ev_data) {
  (void) c, (void) ev, (void) ev_data;
}

struct cli {
  char got[512];
  size_t n;
};

static void cli_fn(struct mg_connection *c, int ev, void *ev_data) {
  struct cli *k = (struct cli *) c->fn_data;
  (void) ev_data;
  if (ev == MG_EV_READ) {
    size_t n = c->recv.len < sizeof(k->got) - 1 - k->n ? c->recv.len : sizeof(k->got) - 1 - k->n;
    memcpy(k->got + k->n, c->recv.buf, n);
    k->n += n;
    k->got[k->n] = '\0';
    c->recv.len = 0;
  }
}

static void get(struct mg_mgr *mgr, const char *url, const char *req, const char *want) {
  struct cli k;
  struct mg_connection *c;
  memset(&k, 0, sizeof(k));
  c = mg_connect(mgr, url, cli_fn, &k);
  mg_send(c, req, strlen(req));
  POLL_UNTIL(mgr, k.n >= strlen(want), 2000);
  ASSERT_STR(k.got, want);
  c->is_closing = 1;
  mg_mgr_poll(mgr, 1);
}

int main(void) {
  struct mg_mgr mgr;
  struct mg_dash dash;
  struct mg_field_set set;
  struct mg_dash_user user;
  struct mg_connection *lsn;
  char url[64];
  memset(&dash, 0, sizeof(dash));
  memset(&set, 0, sizeof(set));
  memset(&user, 0, sizeof(user));
  set.name = "settings";
  set.fields = s_fields;
  set.fn = settings_fn;
  set.get_dir = get_dir;
  dash.authenticate = auth;
  MG_DASH_ADD_FIELD_SET(&dash, &set);
  MG_DASH_REGISTER_CUSTOM_HANDLER(&dash, "/custom", custom, NULL);
  ASSERT(dash.sets == &set && dash.custom_handlers != NULL);
  ASSERT(MG_DASH_ADD == 3 && MG_VAL_RAW == 5);

  mg_log_level = 0;
  mg_mgr_init(&mgr);
  lsn = mg_http_listen(&mgr, "http://127.0.0.1:0", mg_dash_ev_handler, &dash);
  ASSERT(lsn != NULL);
  if (lsn == NULL) TEST_DONE();
  mg_snprintf(url, sizeof(url), "http://127.0.0.1:%hu", mg_ntohs(lsn->loc.port));
  get(&mgr, url, "GET / HTTP/1.1\r\n\r\n",
      "HTTP/1.1 404 Not Found\r\nContent-Length: 10         \r\n\r\nNot found\n");
  get(&mgr, url, "GET /api/settings HTTP/1.1\r\n\r\n",
      "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nCache-Control: "
      "no-cache\r\nContent-Length: 9          \r\n\r\nNot Found");
  ASSERT(!mg_dash_dir_read(&set, &user));
  ASSERT(!mg_dash_dir_read(NULL, NULL));
  mg_dash_send_change(&mgr, &set);
  mg_dash_send_change(NULL, NULL);
  mg_dash_ev_handler(NULL, MG_EV_HTTP_MSG, NULL);
  mg_mgr_free(&mgr);
  TEST_DONE();
}
