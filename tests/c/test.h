// Minimal assertion helpers shared by the C test programs.
#ifndef MG_TEST_H
#define MG_TEST_H
#include <sys/resource.h>

#include "mongoose.h"

static int s_test_failures = 0;

#define ASSERT(expr)                                                       \
  do {                                                                     \
    if (!(expr)) {                                                         \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #expr);      \
      s_test_failures++;                                                   \
    }                                                                      \
  } while (0)

// Compare a buffer of known length with a NUL-terminated expectation.
#define ASSERT_MEM(buf, len, expect)                                          \
  do {                                                                        \
    size_t n_ = strlen(expect);                                               \
    if ((size_t) (len) != n_ || memcmp((buf), (expect), n_) != 0) {           \
      fprintf(stderr, "FAIL %s:%d: got [%.*s] (%d), want [%s]\n", __FILE__, \
              __LINE__, (int) (len), (const char *) (buf), (int) (len),      \
              (expect));                                                      \
      s_test_failures++;                                                      \
    }                                                                         \
  } while (0)

#define ASSERT_STR(got, expect) ASSERT_MEM((got), strlen(got), (expect))

#define TEST_DONE()                                          \
  do {                                                       \
    if (s_test_failures) {                                   \
      fprintf(stderr, "%d assertion(s) failed\n", s_test_failures); \
      return 1;                                              \
    }                                                        \
    printf("ok\n");                                          \
    return 0;                                                \
  } while (0)

// A part of a test that cannot run on this machine. The line always starts
// with "SKIPPED:" (tests/c_programs.rs shows such lines even when the program
// passes), and it is a failure when CI is set and `supported` -- an
// independent check that the machine has what the part needs -- is true:
// then the skip hides a library bug, not a machine limit.
#define SKIP_PART(supported, what)                                         \
  do {                                                                     \
    int sup_ = (supported);                                                \
    fprintf(stderr, "SKIPPED: %s:%d: %s%s\n", __FILE__, __LINE__, (what),  \
            sup_ ? " (the machine supports it)" : "");                     \
    if (sup_ && getenv("CI") != NULL) {                                    \
      fprintf(stderr, "FAIL %s:%d: skip with CI set\n", __FILE__, __LINE__); \
      s_test_failures++;                                                   \
    }                                                                      \
  } while (0)

// Poll `mgr` until `cond` is true or `ms` milliseconds have passed.
#define POLL_UNTIL(mgr, cond, ms)                                  \
  do {                                                             \
    uint64_t deadline_ = mg_millis() + (ms);                       \
    while (!(cond) && mg_millis() < deadline_) mg_mgr_poll((mgr), 10); \
  } while (0)

// The memory tool running this test (scripts/sanitize.sh sets MG_TEST_TOOL to
// "asan" or "valgrind"), or NULL. Their allocators keep freed memory and
// valgrind runs ~20x slower, so RSS bounds and 19,000-connection runs adapt.
static inline const char *test_tool(void) {
  const char *t = getenv("MG_TEST_TOOL");
  return t != NULL && *t != '\0' ? t : NULL;
}

// Raise the soft descriptor limit to the hard one; returns the new limit.
static inline long raise_fd_limit(void) {
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  return (long) rl.rlim_cur;
}
#endif
