// Graceful shutdown, two ways.
//
// 1. The pattern of pymongoose's Graceful Shutdown Guide, written out in C:
//    signal handlers set a flag; the loop polls every 100 ms; on shutdown the
//    listener closes, every open connection is answered 503 and drained,
//    worker threads are stopped with poison pills, then the manager is freed.
//      make run                        (http://127.0.0.1:8000)
// 2. The same with mongoose-rs's built-in shutdown: in-flight requests
//    finish (answered with "Connection: close"), idle connections close once
//    silent, and the loop ends when everything is closed or the grace period
//    is over.
//      make run ARGS="-b http://127.0.0.1:0"
//
// Requests go to /work (answered by a worker thread after ~20 ms) or any
// other URI (answered at once).
#include <pthread.h>
#include <signal.h>
#include "mongoose.h"

#define WORKERS 4
#define QLEN 4096

// A small blocking queue; a NULL item is the poison pill.
static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  void *items[QLEN];
  size_t head, tail;
} s_q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0};

static void q_put(void *item) {
  pthread_mutex_lock(&s_q.mu);
  s_q.items[s_q.tail++ % QLEN] = item;
  pthread_cond_signal(&s_q.cv);
  pthread_mutex_unlock(&s_q.mu);
}

static void *q_get(void) {
  void *item;
  pthread_mutex_lock(&s_q.mu);
  while (s_q.head == s_q.tail) pthread_cond_wait(&s_q.cv, &s_q.mu);
  item = s_q.items[s_q.head++ % QLEN];
  pthread_mutex_unlock(&s_q.mu);
  return item;
}

struct job {
  struct mg_mgr *mgr;
  unsigned long conn_id;
};

static void *worker(void *arg) {
  struct job *j;
  (void) arg;
  while ((j = (struct job *) q_get()) != NULL) {  // NULL: poison pill
    usleep(20 * 1000);
    mg_wakeup(j->mgr, j->conn_id, "done", 4);
    free(j);
  }
  return NULL;
}

static volatile sig_atomic_t s_signo;
static void on_signal(int signo) {
  s_signo = signo;
}

// Open connections, so the manual mode can answer them on shutdown.
#define MAXCONN 4096
static struct mg_connection *s_conns[MAXCONN];

static void track(struct mg_connection *c, bool add) {
  int i;
  for (i = 0; i < MAXCONN; i++) {
    if (add && s_conns[i] == NULL) {
      s_conns[i] = c;
      return;
    }
    if (!add && s_conns[i] == c) {
      s_conns[i] = NULL;
      return;
    }
  }
}

static int open_conns(void) {
  int i, n = 0;
  for (i = 0; i < MAXCONN; i++) n += s_conns[i] != NULL;
  return n;
}

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_ACCEPT) {
    track(c, true);
  } else if (ev == MG_EV_CLOSE) {
    track(c, false);
  } else if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    if (mg_match(hm->uri, mg_str("/work"), NULL)) {
      struct job *j = (struct job *) calloc(1, sizeof(*j));
      j->mgr = c->mgr;
      j->conn_id = c->id;
      q_put(j);  // answered on MG_EV_WAKEUP
    } else {
      mg_http_reply(c, 200, "Content-Type: text/plain\r\n", "hello\n");
    }
  } else if (ev == MG_EV_WAKEUP) {
    mg_http_reply(c, 200, "Content-Type: text/plain\r\n", "worker done\n");
  }
}

int main(int argc, char *argv[]) {
  bool builtin = argc > 1 && strcmp(argv[1], "-b") == 0;
  const char *url = argc > 1 + builtin ? argv[1 + builtin]
                                       : "http://127.0.0.1:8000";
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  pthread_t workers[WORKERS];
  char addr[64];
  int i;

  mg_log_set(MG_LL_ERROR);
  mg_mgr_init(&mgr);
  mg_wakeup_init(&mgr);
  if ((lsn = mg_http_listen(&mgr, url, fn, NULL)) == NULL) return 1;
  for (i = 0; i < WORKERS; i++) pthread_create(&workers[i], NULL, worker, NULL);
  mg_snprintf(addr, sizeof(addr), "%M", mg_print_ip_port, &lsn->loc);
  printf("listening on %s\n", addr);
  fflush(stdout);

  if (builtin) {
    // The short version: the library handles signals and draining.
    mg_mgr_shutdown_on_signals(&mgr, 5000);
    while (!mg_mgr_is_done(&mgr)) mg_mgr_poll(&mgr, 1000);
  } else {
    // The guide's version, by hand.
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    while (!s_signo) mg_mgr_poll(&mgr, 100);
    lsn->is_closing = 1;  // stop accepting
    for (i = 0; i < MAXCONN; i++) {
      struct mg_connection *c = s_conns[i];
      if (c == NULL) continue;
      mg_http_reply(c, 503, "", "Server shutting down\n");
      c->is_draining = 1;  // flush, then close
    }
    for (i = 0; i < 10 && open_conns() > 0; i++) mg_mgr_poll(&mgr, 100);
  }

  for (i = 0; i < WORKERS; i++) q_put(NULL);  // poison pills
  for (i = 0; i < WORKERS; i++) pthread_join(workers[i], NULL);
  mg_mgr_free(&mgr);
  printf("stopped cleanly\n");
  return 0;
}
