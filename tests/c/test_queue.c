// mg_queue_*: buffer bytes, offsets and return values as Mongoose 7.23
// produces them for the same calls (observed on the real library, 32-byte
// buffers prefilled with 0xee), wrap-around, full queue, zero lengths,
// mg_queue_printf, and NULL/bad arguments.
#include "test.h"

static char s_hex[256];

// The buffer as hex, for comparing with the observed bytes.
static const char *hex(const char *buf, size_t len) {
  size_t i;
  for (i = 0; i < len && i * 2 + 2 < sizeof(s_hex); i++)
    sprintf(s_hex + i * 2, "%02x", (unsigned char) buf[i]);
  s_hex[i * 2] = '\0';
  return s_hex;
}

#define EE4 "eeeeeeee"
#define EE8 EE4 EE4

// Offset of a pointer into the queue's buffer.
#define OFF(q, p) ((long) ((p) - (q)->buf))

static void test_sequence(void) {
  char mem[32], *p = NULL;
  struct mg_queue q;
  memset(mem, 0xee, sizeof(mem));
  mg_queue_init(&q, mem, sizeof(mem));
  ASSERT(q.buf == mem && q.size == 32 && q.head == 0 && q.tail == 0);
  ASSERT_STR(hex(mem, 32), EE8 EE8 EE8 EE8);  // init does not touch the buffer

  ASSERT(mg_queue_book(&q, &p, 4) == 24);
  ASSERT(OFF(&q, p) == 4 && q.head == 0);
  memcpy(p, "abcd", 4);
  mg_queue_add(&q, 4);
  ASSERT(q.tail == 0 && q.head == 8);
  ASSERT_STR(hex(mem, 32), "0400000061626364" EE8 EE8 EE8);

  // Book answers the room at the write position, or 0 when len does not fit.
  ASSERT(mg_queue_book(&q, &p, 100) == 0 && OFF(&q, p) == 12);
  ASSERT(mg_queue_book(&q, &p, 0) == 16 && OFF(&q, p) == 12);
  ASSERT(mg_queue_book(&q, &p, 20) == 0);
  ASSERT(mg_queue_book(&q, &p, 16) == 16);
  ASSERT(mg_queue_book(&q, NULL, 16) == 16);

  ASSERT(mg_queue_next(&q, &p) == 4 && OFF(&q, p) == 4);
  ASSERT(memcmp(p, "abcd", 4) == 0);
  mg_queue_del(&q, 4);
  ASSERT(q.tail == 8 && q.head == 8);
  ASSERT(mg_queue_next(&q, &p) == 0 && OFF(&q, p) == 12);
  ASSERT(mg_queue_next(&q, NULL) == 0);

  ASSERT(mg_queue_book(&q, &p, 10) == 16 && OFF(&q, p) == 12);
  mg_queue_add(&q, 10);
  ASSERT(q.tail == 8 && q.head == 22);
  ASSERT_STR(hex(mem, 32), "04000000616263640a000000" EE8 EE8 EE4);

  // The end is too short and the reader has not passed offset 8: no wrap.
  ASSERT(mg_queue_book(&q, &p, 10) == 0 && OFF(&q, p) == 26);
  ASSERT(q.head == 22);
  ASSERT(mg_queue_next(&q, &p) == 10 && OFF(&q, p) == 12);
  mg_queue_del(&q, 10);
  ASSERT(q.tail == 22 && q.head == 22);

  // Now the writer wraps at once, leaving a 0 marker at offset 22.
  ASSERT(mg_queue_book(&q, &p, 10) == 14 && OFF(&q, p) == 4);
  ASSERT(q.tail == 22 && q.head == 0);
  ASSERT_STR(hex(mem, 32), "04000000616263640a000000" EE8 "eeee00000000eeeeeeeeeeee");
  memcpy(p, "0123456789", 10);
  mg_queue_add(&q, 10);
  ASSERT(q.tail == 22 && q.head == 14);
  ASSERT_STR(hex(mem, 32), "0a000000" "30313233343536373839" EE8 "00000000eeeeeeeeeeee");
  // The reader follows the marker back to 0.
  ASSERT(mg_queue_next(&q, &p) == 10 && OFF(&q, p) == 4);
  ASSERT(q.tail == 0 && q.head == 14);
  ASSERT(memcmp(p, "0123456789", 10) == 0);
  mg_queue_del(&q, 10);
  ASSERT(q.tail == 14 && q.head == 14);
  ASSERT(mg_queue_next(&q, &p) == 0);
}

// Wrapping happens even when the message will not fit after the wrap; then
// room before the reader needs a gap that stays non-empty.
static void test_wrap_and_full(void) {
  char mem[32], *p = NULL;
  struct mg_queue q;
  memset(mem, 0xee, sizeof(mem));
  mg_queue_init(&q, mem, sizeof(mem));
  ASSERT(mg_queue_book(&q, &p, 10) == 24);
  memset(p, 'a', 10);
  mg_queue_add(&q, 10);
  ASSERT(mg_queue_book(&q, &p, 6) == 10 && OFF(&q, p) == 18);
  memset(p, 'b', 6);
  mg_queue_add(&q, 6);
  ASSERT(q.tail == 0 && q.head == 24);
  // Full: 24 + 8 = 32, no room for even one byte, and the reader is at 0.
  ASSERT(mg_queue_book(&q, &p, 1) == 0);
  ASSERT(mg_queue_book(&q, &p, 0) == 0);
  ASSERT(q.head == 24);
  ASSERT_STR(hex(mem, 32), "0a000000" "61616161616161616161" "06000000" "626262626262" EE8);
  ASSERT(mg_queue_next(&q, &p) == 10);
  mg_queue_del(&q, 10);
  ASSERT(q.tail == 14);
  ASSERT(mg_queue_book(&q, &p, 12) == 0 && OFF(&q, p) == 4);  // wrapped anyway
  ASSERT(q.tail == 14 && q.head == 0);
  ASSERT_STR(hex(mem + 24, 8), "00000000eeeeeeee");
  ASSERT(mg_queue_book(&q, &p, 2) == 6);
  ASSERT(mg_queue_book(&q, &p, 6) == 0);  // 0 + 8 + 6 is not < 14
  ASSERT(mg_queue_next(&q, &p) == 6 && OFF(&q, p) == 18);
  ASSERT(memcmp(p, "bbbbbb", 6) == 0);
  mg_queue_del(&q, 6);
  ASSERT(mg_queue_next(&q, &p) == 0 && q.tail == 0 && q.head == 0);
  // Empty after the wrap: the whole buffer is usable again.
  ASSERT(mg_queue_book(&q, &p, 24) == 24 && OFF(&q, p) == 4);
}

static void test_tiny_and_zero(void) {
  char mem[32], *p = NULL;
  struct mg_queue q;
  size_t sizes[] = {0, 4, 7, 8}, i;
  memset(mem, 0xee, sizeof(mem));
  for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    mg_queue_init(&q, mem, sizes[i]);
    ASSERT(mg_queue_book(&q, &p, 1) == 0);
    ASSERT(mg_queue_book(&q, &p, 0) == 0);
    ASSERT(mg_queue_printf(&q, "x") == 0);
    ASSERT(mg_queue_next(&q, &p) == 0);
  }
  mg_queue_init(&q, mem, 9);
  ASSERT(mg_queue_book(&q, &p, 1) == 1);
  *p = 'z';
  mg_queue_add(&q, 1);
  ASSERT(mg_queue_next(&q, &p) == 1 && *p == 'z');
  ASSERT_STR(hex(mem, 9), "010000007aeeeeeeee");

  // A zero-length message cannot be told from a wrap marker: committing
  // one is ignored (Mongoose writes it and its reader then stalls).
  memset(mem, 0xee, sizeof(mem));
  mg_queue_init(&q, mem, sizeof(mem));
  ASSERT(mg_queue_book(&q, &p, 0) == 24);
  mg_queue_add(&q, 0);
  ASSERT(q.head == 0 && mg_queue_next(&q, &p) == 0);
  ASSERT_STR(hex(mem, 32), EE8 EE8 EE8 EE8);
  // So is a commit larger than any booking could have allowed.
  mg_queue_add(&q, 25);
  ASSERT(q.head == 0);
  mg_queue_add(&q, (size_t) -1);
  ASSERT(q.head == 0);
  ASSERT(mg_queue_book(&q, &p, (size_t) -1) == 0);
  // The queue still works.
  ASSERT(mg_queue_printf(&q, "%d", 7) == 1);
  ASSERT(mg_queue_next(&q, &p) == 1 && *p == '7');
}

static size_t pr_upper(mg_pfn_t out, void *arg, va_list *ap) {
  const char *s = va_arg(*ap, const char *);
  size_t n = 0;
  for (; *s; s++, n++) out((char) toupper((unsigned char) *s), arg);
  return n;
}

static void test_printf(void) {
  char mem[32], *p = NULL;
  struct mg_queue q;
  memset(mem, 0xee, sizeof(mem));
  mg_queue_init(&q, mem, sizeof(mem));
  // The text goes in with a NUL after it; only the text is committed.
  ASSERT(mg_queue_printf(&q, "%s-%d", "ab", 42) == 5);
  ASSERT(q.head == 9);
  ASSERT_STR(hex(mem, 32), "0500000061622d343200" EE8 EE8 "eeeeeeeeeeee");
  ASSERT(mg_queue_printf(&q, "") == 0);
  ASSERT(mg_queue_printf(&q, "%s", "") == 0);
  ASSERT(q.head == 9);
  ASSERT(mg_queue_printf(&q, "%s", "xxxxxxxxxxx") == 11);
  ASSERT(q.head == 24);
  ASSERT_STR(hex(mem, 32),
             "0500000061622d34320b0000007878787878787878787878" "00eeeeeeeeeeeeee");
  // Too long: nothing is committed and 0 returned. 10 bytes of text need 11.
  ASSERT(mg_queue_printf(&q, "%s", "xxxxxxxxxx") == 0);
  ASSERT(mg_queue_printf(&q, "%s", "yyyyyyyyy") == 0);
  ASSERT(q.head == 24);
  ASSERT_STR(hex(mem, 32),
             "0500000061622d34320b0000007878787878787878787878" "00eeeeeeeeeeeeee");
  ASSERT(mg_queue_next(&q, &p) == 5);
  ASSERT(memcmp(p, "ab-42", 5) == 0);
  mg_queue_del(&q, 5);
  ASSERT(mg_queue_next(&q, &p) == 11);
  mg_queue_del(&q, 11);
  // %M printers work as in every printf of the library.
  ASSERT(mg_queue_printf(&q, "[%M]", pr_upper, "hi") == 4);
  ASSERT(mg_queue_next(&q, &p) == 4 && memcmp(p, "[HI]", 4) == 0);
}

static void test_null_arguments(void) {
  char *p = (char *) &p;
  struct mg_queue q;
  mg_queue_init(NULL, NULL, 0);
  ASSERT(mg_queue_book(NULL, &p, 1) == 0);
  ASSERT(mg_queue_next(NULL, &p) == 0);
  mg_queue_add(NULL, 1);
  mg_queue_del(NULL, 1);
  ASSERT(mg_queue_printf(NULL, "x") == 0);
  // A queue without storage has no room.
  mg_queue_init(&q, NULL, 64);
  ASSERT(mg_queue_book(&q, &p, 1) == 0 && p == NULL);
  mg_queue_add(&q, 1);
  ASSERT(q.head == 0);
  ASSERT(mg_queue_next(&q, &p) == 0);
  ASSERT(mg_queue_printf(&q, "x") == 0);
  ASSERT(mg_queue_printf(&q, NULL) == 0);
}

int main(void) {
  test_sequence();
  test_wrap_and_full();
  test_tiny_and_zero();
  test_printf();
  test_null_arguments();
  TEST_DONE();
}
