// Timers from C: the reference sequence of mg_timer_poll with a fake clock,
// ONCE|RUN_NOW, autodelete freeing, and timers driven by mg_mgr_poll.
#include "test.h"

static char s_log[256];
static void tfn(void *arg) {
  strcat(s_log, (const char *) arg);
}

static void test_reference_sequence(void) {
  struct mg_timer t1, t2, t3, *head = NULL;
  mg_timer_init(&head, &t1, 5, MG_TIMER_REPEAT, tfn, (void *) "1");
  mg_timer_init(&head, &t2, 15, MG_TIMER_ONCE, tfn, (void *) "2");
  mg_timer_init(&head, &t3, 10, MG_TIMER_REPEAT | MG_TIMER_RUN_NOW, tfn,
                (void *) "3");
  ASSERT(head == &t3 && t3.next == &t2 && t2.next == &t1);
  s_log[0] = '\0';
  mg_timer_poll(&head, 0);
  ASSERT_STR(s_log, "3");
  s_log[0] = '\0';
  mg_timer_poll(&head, 1);
  ASSERT_STR(s_log, "");
  mg_timer_poll(&head, 5);
  ASSERT_STR(s_log, "1");
  s_log[0] = '\0';
  mg_timer_poll(&head, 100);
  ASSERT_STR(s_log, "321");  // list order: newest first
  s_log[0] = '\0';
  mg_timer_poll(&head, 107);
  ASSERT_STR(s_log, "1");
  s_log[0] = '\0';
  mg_timer_poll(&head, 114);
  ASSERT_STR(s_log, "31");
  s_log[0] = '\0';
  mg_timer_poll(&head, 115);
  ASSERT_STR(s_log, "1");
  ASSERT(t2.flags & MG_TIMER_CALLED);  // ONCE without AUTODELETE stays linked
  mg_timer_free(&head, &t2);
  ASSERT(t3.next == &t1);
  mg_timer_free(&head, &t2);  // not on the list: no-op
}

static void test_expired_helper(void) {
  uint64_t exp = 0;
  ASSERT(!mg_timer_expired(&exp, 10, 100));
  ASSERT(exp == 110);
  ASSERT(mg_timer_expired(&exp, 10, 110));
  ASSERT(exp == 120);
  ASSERT(mg_timer_expired(&exp, 10, 500));  // stall: fires once, no burst
  ASSERT(exp == 510);
  ASSERT(!mg_timer_expired(&exp, 10, 505));
  ASSERT(!mg_timer_expired(NULL, 10, 5));
}

static int s_count[4];
static void counter(void *arg) {
  s_count[(size_t) arg]++;
}

static void test_with_manager(void) {
  struct mg_mgr mgr;
  struct mg_timer *t;
  uint64_t start;
  int polls = 0;
  mg_mgr_init(&mgr);
  memset(s_count, 0, sizeof(s_count));
  t = mg_timer_add(&mgr, 20, MG_TIMER_REPEAT, counter, (void *) 0);
  ASSERT(t != NULL && (t->flags & MG_TIMER_AUTODELETE));
  mg_timer_add(&mgr, 30, MG_TIMER_ONCE, counter, (void *) 1);
  mg_timer_add(&mgr, 1000, MG_TIMER_ONCE | MG_TIMER_RUN_NOW, counter,
               (void *) 2);
  ASSERT(mgr.timers != NULL);
  start = mg_millis();
  // poll(1000) must still wake for the 20 ms timer: it is bounded by it.
  while (mg_millis() - start < 210) {
    mg_mgr_poll(&mgr, 1000);
    polls++;
  }
  ASSERT(s_count[0] >= 8 && s_count[0] <= 11);
  ASSERT(s_count[1] == 1);
  ASSERT(s_count[2] == 1);
  ASSERT(polls < 60);  // no busy loop while waiting for timers
  // Both one-shot timers were freed after their call; the repeater stays.
  ASSERT(mgr.timers == t && t->next == NULL);
  mg_mgr_free(&mgr);
  ASSERT(mgr.timers == NULL);
}

int main(void) {
  mg_log_set(MG_LL_NONE);
  test_reference_sequence();
  test_expired_helper();
  test_with_manager();
  TEST_DONE();
}
