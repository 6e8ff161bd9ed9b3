// Timers: a repeating timer, a one-shot timer, and a RUN_NOW timer, all
// driven by mg_mgr_poll. Prints what fires, then exits after ~1 second.
//   make run
#include "mongoose.h"

static int s_ticks;
static bool s_done;

static void tick(void *arg) {
  (void) arg;
  printf("tick %d\n", ++s_ticks);  // every 100 ms
}

static void once(void *arg) {
  printf("once %s\n", (const char *) arg);
}

static void stop(void *arg) {
  (void) arg;
  s_done = true;
}

int main(void) {
  struct mg_mgr mgr;
  mg_log_set(MG_LL_ERROR);
  mg_mgr_init(&mgr);
  mg_timer_add(&mgr, 100, MG_TIMER_REPEAT, tick, NULL);
  mg_timer_add(&mgr, 250, MG_TIMER_ONCE, once, (void *) "after 250 ms");
  mg_timer_add(&mgr, 5000, MG_TIMER_ONCE | MG_TIMER_RUN_NOW, once,
               (void *) "at start");
  mg_timer_add(&mgr, 1000, MG_TIMER_ONCE, stop, NULL);
  // A long poll timeout is fine: the wait ends when the next timer is due.
  while (!s_done) mg_mgr_poll(&mgr, 5000);
  printf("done after %d ticks\n", s_ticks);
  mg_mgr_free(&mgr);  // frees the repeating timer too
  return 0;
}
