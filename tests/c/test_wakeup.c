// mg_wakeup from 8 threads x 1000 messages: every message arrives, in each
// thread's order, as MG_EV_WAKEUP on the target connection.
#include "test.h"

#include <pthread.h>

#define THREADS 8
#define PER_THREAD 1000

static struct mg_mgr s_mgr;
static unsigned long s_target;
static int s_next[THREADS];
static int s_total, s_out_of_order;

static void *worker(void *arg) {
  int t = (int) (size_t) arg, i;
  for (i = 0; i < PER_THREAD; i++) {
    char msg[32];
    int n = snprintf(msg, sizeof(msg), "%d:%d", t, i);
    while (!mg_wakeup(&s_mgr, s_target, msg, (size_t) n)) usleep(100);
  }
  return NULL;
}

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  (void) c;
  if (ev == MG_EV_WAKEUP) {
    struct mg_str *s = (struct mg_str *) ev_data;
    char buf[32];
    int t, i;
    memcpy(buf, s->buf, s->len);
    buf[s->len] = '\0';
    if (sscanf(buf, "%d:%d", &t, &i) == 2 && t >= 0 && t < THREADS) {
      if (i != s_next[t]) s_out_of_order++;
      s_next[t] = i + 1;
      s_total++;
    }
  }
}

int main(void) {
  pthread_t th[THREADS];
  struct mg_connection *c;
  int i;
  mg_log_set(MG_LL_NONE);
  mg_mgr_init(&s_mgr);
  ASSERT(mg_wakeup(&s_mgr, 1, "x", 1) == false);  // not enabled yet
  ASSERT(mg_wakeup_init(&s_mgr) == true);
  ASSERT(mg_wakeup_init(&s_mgr) == false);  // second call
  c = mg_listen(&s_mgr, "tcp://127.0.0.1:0", fn, NULL);
  ASSERT(c != NULL);
  s_target = c->id;
  ASSERT(mg_wakeup(&s_mgr, 0, "x", 1) == false);
  for (i = 0; i < THREADS; i++)
    pthread_create(&th[i], NULL, worker, (void *) (size_t) i);
  POLL_UNTIL(&s_mgr, s_total == THREADS * PER_THREAD, 20000);
  for (i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
  ASSERT(s_total == THREADS * PER_THREAD);
  ASSERT(s_out_of_order == 0);
  // An empty payload and an unknown id.
  ASSERT(mg_wakeup(&s_mgr, s_target, NULL, 0));
  ASSERT(mg_wakeup(&s_mgr, 99999, "lost", 4));
  mg_mgr_poll(&s_mgr, 0);
  mg_mgr_free(&s_mgr);
  ASSERT(mg_wakeup(&s_mgr, s_target, "x", 1) == false);  // freed
  TEST_DONE();
}
