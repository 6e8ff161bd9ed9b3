// mg_queue across threads, as Mongoose documents it: one producer thread,
// one consumer thread, 1,000,000 messages of varying sizes (1..300 bytes,
// every 16th one through mg_queue_printf) through a 4 KiB ring, so it is
// often full and wraps tens of thousands of times. Every message must arrive
// once, in order, with its exact bytes. QUEUE_TEST_MESSAGES overrides the
// count (e.g. for slow runs under valgrind).
#include "test.h"

#include <pthread.h>
#include <sched.h>

static unsigned long s_count = 1000000;
static struct mg_queue s_q;
static char s_mem[4096];

// Message i: its length, and byte j of its payload.
static size_t msg_len(unsigned long i) {
  return 1 + (size_t) ((i * 2654435761UL) >> 7) % 300;
}
static char msg_byte(unsigned long i, size_t j) {
  return (char) ('a' + (i * 31 + j) % 26);
}

static void *producer(void *arg) {
  unsigned long i, full = 0;
  (void) arg;
  for (i = 0; i < s_count; i++) {
    if (i % 16 == 0) {
      // Text messages: "#<i>" followed by the usual pattern.
      char text[400];
      size_t n = msg_len(i), j, k = (size_t) snprintf(text, sizeof(text), "#%lu", i);
      for (j = k; j < n + k; j++) text[j] = msg_byte(i, j);
      text[j] = '\0';
      while (mg_queue_printf(&s_q, "%s", text) == 0) full++, sched_yield();
    } else {
      char *p;
      size_t n = msg_len(i), j;
      while (mg_queue_book(&s_q, &p, n) < n) full++, sched_yield();
      for (j = 0; j < n; j++) p[j] = msg_byte(i, j);
      mg_queue_add(&s_q, n);
    }
  }
  return (void *) full;
}

struct result {
  unsigned long received, bad;
};

static void *consumer(void *arg) {
  struct result *r = (struct result *) arg;
  unsigned long i = 0;
  while (i < s_count) {
    char *p;
    size_t n = mg_queue_next(&s_q, &p), j, want = msg_len(i), k = 0;
    int ok = 1;
    if (n == 0) {
      sched_yield();
      continue;
    }
    if (i % 16 == 0) {
      char prefix[32];
      k = (size_t) snprintf(prefix, sizeof(prefix), "#%lu", i);
      ok = n == want + k && memcmp(p, prefix, k) == 0;
    } else {
      ok = n == want;
    }
    for (j = k; ok && j < n; j++) ok = p[j] == msg_byte(i, j);
    if (!ok && r->bad++ < 5)
      fprintf(stderr, "message %lu: got %lu bytes [%.*s]\n", i, (unsigned long) n,
              (int) (n < 40 ? n : 40), p);
    mg_queue_del(&s_q, n);
    i++;
  }
  r->received = i;
  return NULL;
}

int main(void) {
  pthread_t tp, tc;
  struct result r = {0, 0};
  void *full = NULL;
  char *p;
  const char *env = getenv("QUEUE_TEST_MESSAGES");
  if (env != NULL && atol(env) > 0) s_count = (unsigned long) atol(env);
  mg_queue_init(&s_q, s_mem, sizeof(s_mem));
  ASSERT(pthread_create(&tc, NULL, consumer, &r) == 0);
  ASSERT(pthread_create(&tp, NULL, producer, NULL) == 0);
  pthread_join(tp, &full);
  pthread_join(tc, NULL);
  ASSERT(r.received == s_count);
  ASSERT(r.bad == 0);
  ASSERT(mg_queue_next(&s_q, &p) == 0);  // nothing extra
  printf("%lu messages, producer found the queue full %lu times\n", s_count,
         (unsigned long) full);
  TEST_DONE();
}
