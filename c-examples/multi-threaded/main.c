// Multi-threaded HTTP server: the event loop hands each request to a worker
// thread; the worker sends its answer back with mg_wakeup(), and the loop
// replies on MG_EV_WAKEUP. Only mg_wakeup() is called from other threads.
//   make run                     http://127.0.0.1:8000
//   make run ARGS=http://127.0.0.1:0
#include <pthread.h>
#include "mongoose.h"

struct job {
  struct mg_mgr *mgr;
  unsigned long conn_id;  // connections are addressed by id, never pointer
  char uri[256];
};

static void *worker(void *arg) {
  struct job *j = (struct job *) arg;
  char reply[300];
  int n;
  usleep(20 * 1000);  // pretend to work
  n = snprintf(reply, sizeof(reply), "worker result for %s\n", j->uri);
  mg_wakeup(j->mgr, j->conn_id, reply, (size_t) n);
  free(j);
  return NULL;
}

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    struct job *j = (struct job *) calloc(1, sizeof(*j));
    pthread_t th;
    j->mgr = c->mgr;
    j->conn_id = c->id;
    snprintf(j->uri, sizeof(j->uri), "%.*s", (int) hm->uri.len, hm->uri.buf);
    if (pthread_create(&th, NULL, worker, j) != 0) {
      free(j);
      mg_http_reply(c, 500, "", "cannot start worker\n");
    } else {
      pthread_detach(th);  // reply comes later: c->is_resp stays 1 meanwhile
    }
  } else if (ev == MG_EV_WAKEUP) {
    struct mg_str *data = (struct mg_str *) ev_data;
    mg_http_reply(c, 200, "Content-Type: text/plain\r\n", "%.*s",
                  (int) data->len, data->buf);
  }
}

int main(int argc, char *argv[]) {
  const char *url = argc > 1 ? argv[1] : "http://127.0.0.1:8000";
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  char addr[64];
  mg_log_set(MG_LL_ERROR);
  mg_mgr_init(&mgr);
  mg_wakeup_init(&mgr);  // before any worker may call mg_wakeup
  if ((lsn = mg_http_listen(&mgr, url, fn, NULL)) == NULL) return 1;
  mg_snprintf(addr, sizeof(addr), "%M", mg_print_ip_port, &lsn->loc);
  printf("listening on %s\n", addr);
  fflush(stdout);
  mg_mgr_shutdown_on_signals(&mgr, 3000);
  while (!mg_mgr_is_done(&mgr)) mg_mgr_poll(&mgr, 1000);
  mg_mgr_free(&mgr);
  return 0;
}
