// Leaf utilities from C: logging (API.md section 4), time (section 5),
// memory / random / CRC / byte order / path sanity / IP ACL (section 6) and
// I/O buffers (section 7), with the documented edge cases.
#include "test.h"

// ---------------------------------------------------------------- logging

static char s_cap[8192];
static size_t s_cap_len;
// Characters before this many are counted but not stored (to look at the
// tail of a long dump).
static size_t s_cap_skip, s_cap_total;
static int s_cap_param_ok = 1;
static int s_cap_token;

// Log sink capturing every character; checks the param is passed through.
static void cap_fn(char ch, void *param) {
  if (param != &s_cap_token) s_cap_param_ok = 0;
  if (s_cap_total++ < s_cap_skip) return;
  if (s_cap_len < sizeof(s_cap) - 1) s_cap[s_cap_len++] = ch;
  s_cap[s_cap_len] = '\0';
}

static void cap_reset(void) {
  s_cap_len = s_cap_total = s_cap_skip = 0;
  s_cap[0] = '\0';
}

// What mg_log_prefix must print for a given millis value: the text
// "%-6llx %d %s:%d:%s" (basename of file), cut to 39 chars, padded to 40.
static void expected_prefix(char *out, unsigned long long ms, int ll,
                            const char *base, int line, const char *fn) {
  char tmp[512];
  size_t n;
  snprintf(tmp, sizeof(tmp), "%-6llx %d %s:%d:%s", ms, ll, base, line, fn);
  n = strlen(tmp);
  if (n > 39) n = 39;
  memcpy(out, tmp, n);
  while (n < 40) out[n++] = ' ';
  out[40] = '\0';
}

// Check a captured 40-byte prefix, whose millis lies in [t0, t1].
static void check_prefix(const char *got, uint64_t t0, uint64_t t1, int ll,
                         const char *base, int line, const char *fn) {
  char want[64];
  unsigned long long ms = strtoull(got, NULL, 16);
  ASSERT(ms >= t0 && ms <= t1);
  expected_prefix(want, ms, ll, base, line, fn);
  ASSERT_MEM(got, 40, want);
}

static void test_log_prefix(void) {
  uint64_t t0, t1;

  // The API.md example shape: "63054c 2 main.c:7:main" + 18 spaces.
  cap_reset();
  t0 = mg_millis();
  mg_log_prefix(2, "main.c", 7, "main");
  t1 = mg_millis();
  ASSERT(s_cap_len == 40);
  check_prefix(s_cap, t0, t1, 2, "main.c", 7, "main");
  ASSERT(strstr(s_cap, " 2 main.c:7:main ") != NULL);

  // Basename after the last '/' or '\'.
  cap_reset();
  t0 = mg_millis();
  mg_log_prefix(1, "/home/user/src/net.c", 123, "fn");
  t1 = mg_millis();
  ASSERT(s_cap_len == 40);
  check_prefix(s_cap, t0, t1, 1, "net.c", 123, "fn");

  cap_reset();
  t0 = mg_millis();
  mg_log_prefix(3, "C:\\src\\dir\\win.c", 5, "f");
  t1 = mg_millis();
  check_prefix(s_cap, t0, t1, 3, "win.c", 5, "f");

  cap_reset();
  t0 = mg_millis();
  mg_log_prefix(4, "a/b\\c/d\\mix.c", 9, "g");
  t1 = mg_millis();
  check_prefix(s_cap, t0, t1, 4, "mix.c", 9, "g");

  // Too long: cut to 39 characters, then one space.
  cap_reset();
  t0 = mg_millis();
  mg_log_prefix(1, "/x/a_very_long_file_name_for_testing.c", 12345,
                "some_function_name");
  t1 = mg_millis();
  ASSERT(s_cap_len == 40);
  ASSERT(s_cap[39] == ' ');
  check_prefix(s_cap, t0, t1, 1, "a_very_long_file_name_for_testing.c", 12345,
               "some_function_name");

  // The level is not checked by mg_log_prefix itself.
  mg_log_set(MG_LL_NONE);
  cap_reset();
  mg_log_prefix(3, "x.c", 1, "y");
  ASSERT(s_cap_len == 40);
  mg_log_set(MG_LL_DEBUG);

  // Empty names still give exactly 40 characters.
  cap_reset();
  t0 = mg_millis();
  mg_log_prefix(0, "", 0, "");
  t1 = mg_millis();
  check_prefix(s_cap, t0, t1, 0, "", 0, "");

  // NULL file / function: no crash, still 40 characters.
  cap_reset();
  mg_log_prefix(2, NULL, 1, NULL);
  ASSERT(s_cap_len == 40);
}

static void test_log_macros(void) {
  uint64_t t0, t1;
  int line;

  // MG_INFO at the default level: prefix + message + CRLF.
  cap_reset();
  t0 = mg_millis();
  MG_INFO(("x=%d %s", 42, "ok")); line = __LINE__;
  t1 = mg_millis();
  ASSERT(s_cap_len == 40 + strlen("x=42 ok\r\n"));
  check_prefix(s_cap, t0, t1, MG_LL_INFO, "test_util.c", line, __func__);
  ASSERT_STR(s_cap + 40, "x=42 ok\r\n");

  // Level gating is done by the macro.
  mg_log_set(MG_LL_ERROR);
  ASSERT(mg_log_level == MG_LL_ERROR);
  cap_reset();
  MG_INFO(("hidden"));
  MG_DEBUG(("hidden"));
  MG_VERBOSE(("hidden"));
  ASSERT(s_cap_len == 0);
  MG_ERROR(("shown %d", 1));
  ASSERT(s_cap_len == 40 + strlen("shown 1\r\n"));
  ASSERT_STR(s_cap + 40, "shown 1\r\n");
  ASSERT(strstr(s_cap, " 1 test_util.c:") != NULL);

  mg_log_set(MG_LL_NONE);
  cap_reset();
  MG_ERROR(("hidden"));
  ASSERT(s_cap_len == 0);

  mg_log_set(MG_LL_VERBOSE);
  cap_reset();
  MG_VERBOSE(("v"));
  ASSERT_STR(s_cap + 40, "v\r\n");
  ASSERT(strstr(s_cap, " 4 test_util.c:") != NULL);

  mg_log_level = MG_LL_DEBUG;  // a plain variable, assignable directly
  cap_reset();
  MG_DEBUG(("d"));
  ASSERT(s_cap_len == 43);
  cap_reset();
  MG_VERBOSE(("v"));
  ASSERT(s_cap_len == 0);

  // mg_log: the section 3 formatter straight into the sink, then CRLF; it
  // does not check the level.
  mg_log_set(MG_LL_NONE);
  cap_reset();
  mg_log("%d-%s-%x-%M|%m", 5, "a", 255, mg_print_esc, 0, "q\"",
         mg_print_esc, 0, "z");
  ASSERT_STR(s_cap, "5-a-ff-q\\\"|\"z\"\r\n");
  cap_reset();
  mg_log("%s", "");
  ASSERT_STR(s_cap, "\r\n");
  cap_reset();
  mg_log("%g %05d", 1.5, -42);
  ASSERT_STR(s_cap, "1.5 00-42\r\n");
  mg_log_set(MG_LL_DEBUG);
}

static void test_hexdump(void) {
  unsigned char all[300];
  size_t i, lines = 0;

  // Documented layout, at every level including MG_LL_NONE.
  mg_log_set(MG_LL_NONE);
  cap_reset();
  mg_hexdump("GET / HTTP/1.1\r\nHost", 20);
  ASSERT_STR(s_cap,
             "0000   47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a   "
             "GET / HTTP/1.1..\r\n"
             "0010   48 6f 73 74                                       "
             "Host            \r\n");

  // Exactly 16 bytes: one full line; non-printables become '.'.
  cap_reset();
  mg_hexdump("\x00\x1f \x7e\x7f\x80\xff" "ABCDEFGHI", 16);
  ASSERT_STR(s_cap,
             "0000   00 1f 20 7e 7f 80 ff 41 42 43 44 45 46 47 48 49   "
             ".. ~...ABCDEFGHI\r\n");
  mg_log_set(MG_LL_DEBUG);

  // One byte.
  cap_reset();
  mg_hexdump("Z", 1);
  ASSERT_STR(s_cap,
             "0000   5a                                                "
             "Z               \r\n");

  // Many lines: 4 lowercase hex digits of offset, 75 chars per line.
  for (i = 0; i < sizeof(all); i++) all[i] = (unsigned char) i;
  cap_reset();
  mg_hexdump(all, sizeof(all));
  for (i = 0; i < s_cap_len; i++) lines += s_cap[i] == '\n';
  ASSERT(lines == 19);
  ASSERT(s_cap_len == 19 * 75);
  ASSERT(memcmp(s_cap + 16 * 75, "0100   00 01 02", 15) == 0);
  ASSERT(memcmp(s_cap + 10 * 75, "00a0   a0 a1", 12) == 0);
  ASSERT(memcmp(s_cap + 18 * 75, "0120   20 21 22 23 24 25 26 27 28 29 2a 2b", 42) == 0);
  ASSERT(memcmp(s_cap + 2 * 75, "0020   20 21", 12) == 0);
  ASSERT(memcmp(s_cap + 2 * 75 + 57, " !\"#$%&'()*+,-./\r\n", 18) == 0);

  // Past 64 KiB the offset still has exactly 4 digits (it wraps).
  {
    size_t n = 0x10000 + 20;
    unsigned char *big = (unsigned char *) calloc(1, n);
    ASSERT(big != NULL);
    if (big != NULL) {
      memcpy(big + 0xfff0, "end-of-64k-block", 16);
      memcpy(big + 0x10000, "wrapped", 7);
      cap_reset();
      s_cap_skip = 0xfff * 75;
      mg_hexdump(big, n);
      ASSERT(s_cap_total == 0x1002 * 75);
      ASSERT(s_cap_len == 3 * 75);
      ASSERT(memcmp(s_cap, "fff0   65 6e 64", 15) == 0);
      ASSERT(memcmp(s_cap + 57, "end-of-64k-block\r\n", 18) == 0);
      ASSERT(memcmp(s_cap + 75, "0000   77 72 61", 15) == 0);
      ASSERT(memcmp(s_cap + 75 + 57, "wrapped.........\r\n", 18) == 0);
      ASSERT(memcmp(s_cap + 150, "0010   00 00 00 00 ", 19) == 0);
      free(big);
    }
    cap_reset();
  }

  // Zero length / NULL: no crash (the output is not specified).
  mg_hexdump(all, 0);
  mg_hexdump(NULL, 0);
}

// A sink that logs from inside itself once per line, and swaps the sink
// while output is in progress: neither may deadlock.
static int s_reenter_depth;
static void reentrant_fn(char ch, void *param) {
  cap_fn(ch, param);
  if (ch == '\n' && s_reenter_depth == 0) {
    s_reenter_depth++;
    mg_log("inner %d", 1);
    mg_log_set_fn(cap_fn, param);
    s_reenter_depth--;
  }
}

static void test_log_reentrancy(void) {
  mg_log_set_fn(reentrant_fn, &s_cap_token);
  cap_reset();
  mg_log("outer");
  ASSERT_STR(s_cap, "outer\r\ninner 1\r\n");
  // The sink was replaced from inside itself: now plain capture.
  cap_reset();
  mg_log("after");
  ASSERT_STR(s_cap, "after\r\n");
}

static void test_logging(void) {
  // Default level is MG_LL_DEBUG.
  ASSERT(mg_log_level == MG_LL_DEBUG);
  ASSERT(MG_LL_NONE == 0 && MG_LL_ERROR == 1 && MG_LL_INFO == 2 &&
         MG_LL_DEBUG == 3 && MG_LL_VERBOSE == 4);
  mg_log_set_fn(cap_fn, &s_cap_token);
  test_log_prefix();
  test_log_macros();
  test_hexdump();
  test_log_reentrancy();
  ASSERT(s_cap_param_ok);
  mg_log_set_fn(mg_pfn_stdout, NULL);
}

// ---------------------------------------------------------------- time

static void test_time(void) {
  uint64_t a, b, start, now;
  int i;

  // mg_timegm: API.md reference, plus epoch edges, leap years, 2038.
  ASSERT(mg_timegm(2024, 1, 2, 3, 4, 5) == 1704164645ULL);
  ASSERT(mg_timegm(1970, 1, 1, 0, 0, 0) == 0);
  ASSERT(mg_timegm(1970, 1, 1, 0, 0, 1) == 1);
  ASSERT(mg_timegm(1969, 12, 31, 23, 59, 59) == 0);
  ASSERT(mg_timegm(1900, 1, 1, 0, 0, 0) == 0);
  ASSERT(mg_timegm(0, 1, 1, 0, 0, 0) == 0);
  ASSERT(mg_timegm(1999, 12, 31, 23, 59, 59) == 946684799ULL);
  ASSERT(mg_timegm(2000, 3, 1, 0, 0, 0) == 951868800ULL);
  ASSERT(mg_timegm(2024, 2, 29, 12, 0, 0) == 1709208000ULL);
  ASSERT(mg_timegm(2024, 12, 31, 23, 59, 59) == 1735689599ULL);
  ASSERT(mg_timegm(2038, 1, 19, 3, 14, 8) == 2147483648ULL);
  ASSERT(mg_timegm(2100, 3, 1, 0, 0, 0) == 4107542400ULL);
  // Out-of-range fields are not validated; they must not crash.
  (void) mg_timegm(2024, 0, 0, 0, 0, 0);
  (void) mg_timegm(2024, 13, 40, 25, 61, 61);
  (void) mg_timegm((unsigned) -1, (unsigned) -1, (unsigned) -1, (unsigned) -1,
                   (unsigned) -1, (unsigned) -1);
  ASSERT(mg_timegm(1970, 1, 1, 0, 0, 86400) == 86400);  // seconds just add

  // mg_millis: monotonic, not the epoch.
  a = mg_millis();
  for (i = 0; i < 1000; i++) {
    b = mg_millis();
    ASSERT(b >= a);
    a = b;
  }
  // mg_delayms waits until mg_millis() exceeds start + ms + 1.
  start = mg_millis();
  mg_delayms(20);
  now = mg_millis();
  ASSERT(now > start + 20 + 1 - 1);
  ASSERT(now - start >= 21);
  ASSERT(now - start < 500);
  start = mg_millis();
  mg_delayms(0);
  ASSERT(mg_millis() - start < 100);

  // mg_now = mg_millis + mg_boot_timestamp_ms (initially 0).
  ASSERT(mg_boot_timestamp_ms == 0);
  a = mg_millis();
  b = mg_now();
  ASSERT(b >= a && b - a < 50);
  mg_boot_timestamp_ms = 1700000000000ULL;
  a = mg_millis();
  b = mg_now();
  ASSERT(b >= a + 1700000000000ULL && b - a - 1700000000000ULL < 50);
  mg_boot_timestamp_ms = 0;

  // mg_timer_expired, the DIY-timer helper.
  {
    uint64_t exp = 0;
    ASSERT(!mg_timer_expired(&exp, 10, 100));  // arms
    ASSERT(exp == 110);
    ASSERT(!mg_timer_expired(&exp, 10, 109));
    ASSERT(mg_timer_expired(&exp, 10, 110));
    ASSERT(exp == 120);  // drift-free
    ASSERT(mg_timer_expired(&exp, 10, 125));
    ASSERT(exp == 130);
    ASSERT(mg_timer_expired(&exp, 10, 500));  // late: no catch-up
    ASSERT(exp == 510);
    ASSERT(!mg_timer_expired(&exp, 10, 505));
    ASSERT(!mg_timer_expired(&exp, 10, 5));  // clock went backwards: re-arm
    ASSERT(exp == 15);
  }
}

// ---------------------------------------------------------------- memory

static bool all_zero(const void *p, size_t n) {
  const unsigned char *b = (const unsigned char *) p;
  size_t i;
  for (i = 0; i < n; i++)
    if (b[i]) return false;
  return true;
}

static void test_memory(void) {
  unsigned char buf[32];
  char *p = (char *) mg_calloc(10, 100);
  ASSERT(p != NULL);
  ASSERT(p != NULL && all_zero(p, 1000));
  mg_free(p);
  p = (char *) mg_calloc(1, 16);
  free(p);  // mg_calloc is libc calloc: free() works
  p = (char *) malloc(8);
  mg_free(p);  // and the other way round
  mg_free(NULL);

  memset(buf, 0xaa, sizeof(buf));
  mg_bzero(buf + 4, 8);
  ASSERT(buf[3] == 0xaa && all_zero(buf + 4, 8) && buf[12] == 0xaa);
  mg_bzero(buf, 0);
  ASSERT(buf[0] == 0xaa);
  mg_bzero(NULL, 0);
  mg_bzero(NULL, 10);  // NULL allowed

  ASSERT(mg_memeq("abc", "abc", 3));
  ASSERT(!mg_memeq("abc", "abd", 3));
  ASSERT(!mg_memeq("xbc", "abc", 3));
  ASSERT(mg_memeq("abX", "abY", 2));
  ASSERT(mg_memeq("a", "b", 0));
  ASSERT(mg_memeq("a\0b", "a\0b", 3));
  ASSERT(!mg_memeq("a\0b", "a\0c", 3));
}

static void test_random(void) {
  unsigned char a[64], b[64];
  char s[1001], t[33];
  int lower = 0, upper = 0, digit = 0, distinct = 0, seen[256];
  size_t i;

  memset(a, 0, sizeof(a));
  memset(b, 0, sizeof(b));
  ASSERT(mg_random(a, sizeof(a)) == true);
  ASSERT(mg_random(b, sizeof(b)) == true);
  ASSERT(memcmp(a, b, sizeof(a)) != 0);
  ASSERT(!all_zero(a, sizeof(a)));
  // Only len bytes are written.
  memset(a, 0xaa, sizeof(a));
  ASSERT(mg_random(a, 1));
  ASSERT(a[1] == 0xaa);
  ASSERT(mg_random(a, 0));

  // mg_random_str: len-1 chars of [a-zA-Z0-9] then a NUL; returns buf.
  memset(s, 0x01, sizeof(s));
  ASSERT(mg_random_str(s, sizeof(s)) == s);
  ASSERT(s[1000] == '\0');
  ASSERT(strlen(s) == 1000);
  memset(seen, 0, sizeof(seen));
  for (i = 0; i < 1000; i++) {
    unsigned char c = (unsigned char) s[i];
    if (c >= 'a' && c <= 'z') lower++;
    else if (c >= 'A' && c <= 'Z') upper++;
    else if (c >= '0' && c <= '9') digit++;
    else {
      fprintf(stderr, "FAIL: mg_random_str produced 0x%02x\n", c);
      s_test_failures++;
    }
    if (!seen[c]++) distinct++;
  }
  ASSERT(lower > 0 && upper > 0 && digit > 0);
  ASSERT(distinct > 40);

  memset(t, 0x01, sizeof(t));
  ASSERT(mg_random_str(t, 9) == t);
  ASSERT(strlen(t) == 8 && t[8] == '\0' && t[9] == 0x01);
  {
    char u[9];
    mg_random_str(u, sizeof(u));
    ASSERT(strcmp(t, u) != 0);  // 62^8 possibilities
  }
  // len 1: just the NUL.
  t[0] = 'x';
  t[1] = 'x';
  ASSERT(mg_random_str(t, 1) == t);
  ASSERT(t[0] == '\0' && t[1] == 'x');
  // len 0 is outside the contract; it must not write or crash.
  t[0] = 'y';
  ASSERT(mg_random_str(t, 0) == t);
  ASSERT(t[0] == 'y');
}

static void test_crc(void) {
  const char *fox = "The quick brown fox jumps over the lazy dog";
  uint32_t c;
  uint16_t c16;
  size_t i;

  ASSERT(mg_crc32(0, "abc", 3) == 0x352441c2);
  ASSERT(mg_crc32(0, "123456789", 9) == 0xcbf43926);
  ASSERT(mg_crc32(0, "a", 1) == 0xe8b7be43);
  ASSERT(mg_crc32(0, fox, strlen(fox)) == 0x414fa339);
  ASSERT(mg_crc32(0, "", 0) == 0);
  ASSERT(mg_crc32(0, NULL, 0) == 0);
  // Chaining: feed the previous result back in.
  c = mg_crc32(0, "ab", 2);
  ASSERT(mg_crc32(c, "c", 1) == 0x352441c2);
  c = 0;
  for (i = 0; i < strlen(fox); i++) c = mg_crc32(c, fox + i, 1);
  ASSERT(c == 0x414fa339);
  ASSERT(mg_crc32(0x414fa339, fox, 0) == 0x414fa339);  // len 0: unchanged
  // Bytes >= 0x80 (char may be signed).
  ASSERT(mg_crc32(0, "\xff", 1) == 0xff000000);

  // CRC-16/X-25: check value 0x906e; chainable.
  ASSERT(mg_crc16(0, "123456789", 9) == 0x906e);
  c16 = mg_crc16(0, "1234", 4);
  ASSERT(mg_crc16(c16, "56789", 5) == 0x906e);
  ASSERT(mg_crc16(0, NULL, 0) == 0);
}

static void test_byte_order(void) {
  uint8_t b[8];
  uint32_t ip4;
  ASSERT(mg_ntohs(0x1234) == 0x3412);
  ASSERT(mg_ntohl(0x01020304) == 0x04030201);
  ASSERT(mg_ntohll(0x0102030405060708ULL) == 0x0807060504030201ULL);
  ASSERT(mg_htons(0x1234) == 0x3412);
  ASSERT(mg_htonl(0x01020304) == 0x04030201);
  ASSERT(mg_htonll(0x0102030405060708ULL) == 0x0807060504030201ULL);
  ASSERT(mg_ntohs(mg_htons(8000)) == 8000);
  ASSERT(mg_ntohl(0) == 0 && mg_ntohs(0xffff) == 0xffff);
  // Network byte order in memory equals big-endian.
  {
    uint16_t p = mg_htons(0x1f90);
    memcpy(b, &p, 2);
    ASSERT(b[0] == 0x1f && b[1] == 0x90);
  }
  ASSERT(MG_U32(1, 2, 3, 4) == 0x01020304);
  ip4 = MG_IPV4(192, 168, 1, 2);
  memcpy(b, &ip4, 4);
  ASSERT(b[0] == 192 && b[1] == 168 && b[2] == 1 && b[3] == 2);
  memcpy(b, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
  ASSERT(MG_LOAD_BE16(b) == 0x0102);
  ASSERT(MG_LOAD_BE32(b) == 0x01020304);
  ASSERT(MG_LOAD_BE64(b) == 0x0102030405060708ULL);
  ASSERT(!MG_BIG_ENDIAN);
}

static void test_path_is_sane(void) {
  ASSERT(mg_path_is_sane(mg_str("")) == true);
  ASSERT(mg_path_is_sane(mg_str("a/b")) == true);
  ASSERT(mg_path_is_sane(mg_str(".")) == true);
  ASSERT(mg_path_is_sane(mg_str("a/.b")) == true);
  ASSERT(mg_path_is_sane(mg_str("../a")) == false);
  ASSERT(mg_path_is_sane(mg_str("a/../b")) == false);
  ASSERT(mg_path_is_sane(mg_str("~x")) == false);
  ASSERT(mg_path_is_sane(mg_str("a/..")) == false);
  ASSERT(mg_path_is_sane(mg_str("..")) == false);
  ASSERT(mg_path_is_sane(mg_str("a\\..\\b")) == false);
  ASSERT(mg_path_is_sane(mg_str("/..")) == false);
  ASSERT(mg_path_is_sane(mg_str("a/...b")) == false);
  ASSERT(mg_path_is_sane(mg_str("/..x")) == false);
  ASSERT(mg_path_is_sane(mg_str_n("a\0b", 3)) == false);
  ASSERT(mg_path_is_sane(mg_str_n("a/../b", 2)) == true);  // only len bytes
  ASSERT(mg_path_is_sane(mg_str_n(NULL, 0)) == true);
}

// ---------------------------------------------------------------- ACL

static int acl(const char *list, const char *ip) {
  struct mg_addr a;
  memset(&a, 0, sizeof(a));
  if (!mg_aton(mg_str(ip), &a)) return 99;
  return mg_check_ip_acl(mg_str(list), &a);
}

static void test_acl(void) {
  // Empty list: everything allowed.
  ASSERT(acl("", "1.2.3.4") == 1);
  (void) mg_check_ip_acl(mg_str_n(NULL, 0), NULL);  // NULL address: no crash
  // Non-empty list: default deny; last match wins.
  ASSERT(acl("+1.2.3.4", "1.2.3.4") == 1);
  ASSERT(acl("+1.2.3.4", "1.2.3.5") == 0);
  ASSERT(acl("-1.2.3.4", "1.2.3.4") == 0);
  ASSERT(acl("-1.2.3.4", "1.2.3.5") == 0);
  ASSERT(acl("+1.2.3.4/32", "1.2.3.4") == 1);
  ASSERT(acl("+0.0.0.0/0", "9.8.7.6") == 1);
  ASSERT(acl("+0.0.0.0/0,-1.2.3.4", "1.2.3.4") == 0);
  ASSERT(acl("+0.0.0.0/0,-1.2.3.4", "1.2.3.5") == 1);
  ASSERT(acl("-0.0.0.0/0,+10.0.0.0/8", "10.1.2.3") == 1);
  ASSERT(acl("-0.0.0.0/0,+10.0.0.0/8", "11.0.0.1") == 0);
  ASSERT(acl("+10.0.0.0/8,-0.0.0.0/0", "10.1.2.3") == 0);
  ASSERT(acl("+192.168.0.0/16,-192.168.1.0/24", "192.168.2.1") == 1);
  ASSERT(acl("+192.168.0.0/16,-192.168.1.0/24", "192.168.1.7") == 0);
  ASSERT(acl("+192.168.0.0/16,-192.168.1.0/24", "192.169.0.1") == 0);
  ASSERT(acl("+127.0.0.1", "localhost") == 1);
  ASSERT(acl("+172.16.0.0/12", "172.31.255.255") == 1);
  ASSERT(acl("+172.16.0.0/12", "172.32.0.0") == 0);
  // A trailing separator ends the list (mg_span walk), it is not an entry.
  ASSERT(acl("+1.2.3.4,", "1.2.3.4") == 1);

  // Malformed sign: -1.
  ASSERT(acl("*1.2.3.4", "1.2.3.4") == -1);
  ASSERT(acl("1.2.3.4", "1.2.3.4") == -1);
  ASSERT(acl("+1.2.3.4, -5.6.7.8", "1.2.3.4") == -1);
  ASSERT(acl("+1.2.3.4,,-5.6.7.8", "1.2.3.4") == -1);
  ASSERT(acl(",+1.2.3.4", "1.2.3.4") == -1);
  ASSERT(acl("+1.2.3.4,x", "1.2.3.4") == -1);
  // Unparsable network: -2.
  ASSERT(acl("+1.2.3", "1.2.3.4") == -2);
  ASSERT(acl("+256.0.0.0", "1.2.3.4") == -2);
  ASSERT(acl("+1.2.3.4/33", "1.2.3.4") == -2);
  ASSERT(acl("+a.b.c.d", "1.2.3.4") == -2);
  ASSERT(acl("-", "1.2.3.4") == -2);
  ASSERT(acl("+1.2.3.4,-1.2.3.x", "1.2.3.4") == -2);
  // IPv6 remote addresses: -1, even with an empty list.
  ASSERT(acl("+0.0.0.0/0", "::1") == -1);
  ASSERT(acl("", "::1") == -1);
}

// ---------------------------------------------------------------- iobuf

static void test_iobuf(void) {
  struct mg_iobuf io;
  unsigned char *old;
  size_t i;

  ASSERT(sizeof(struct mg_iobuf) == 32);

  // init rounds the size up to align.
  memset(&io, 0xee, sizeof(io));
  ASSERT(mg_iobuf_init(&io, 1000, 16) == true);
  ASSERT(io.size == 1008 && io.len == 0 && io.align == 16);
  ASSERT(io.buf != NULL && all_zero(io.buf, io.size));

  // add resizes to exactly roundup(len + n, align): shrinks 1008 -> 16.
  ASSERT(mg_iobuf_add(&io, 0, "hello", 5) == 5);
  ASSERT(io.size == 16 && io.len == 5);
  ASSERT_MEM(io.buf, io.len, "hello");
  // Append past a granule boundary.
  ASSERT(mg_iobuf_add(&io, io.len, " world, long!", 13) == 13);
  ASSERT(io.len == 18 && io.size == 32);
  ASSERT_MEM(io.buf, io.len, "hello world, long!");
  // Insert in the middle moves the tail right.
  ASSERT(mg_iobuf_add(&io, 5, ",", 1) == 1);
  ASSERT_MEM(io.buf, io.len, "hello, world, long!");
  ASSERT(mg_iobuf_add(&io, 0, ">", 1) == 1);
  ASSERT_MEM(io.buf, io.len, ">hello, world, long!");
  ASSERT(io.size == 32);
  // ofs beyond len is treated as len (append).
  ASSERT(mg_iobuf_add(&io, 1000, "<", 1) == 1);
  ASSERT_MEM(io.buf, io.len, ">hello, world, long!<");

  // del: clamps, moves the tail left, zeroes the vacated bytes, keeps size.
  ASSERT(mg_iobuf_del(&io, 0, 1) == 1);
  ASSERT_MEM(io.buf, io.len, "hello, world, long!<");
  ASSERT(io.buf[io.len] == 0);
  ASSERT(mg_iobuf_del(&io, 5, 1) == 1);
  ASSERT_MEM(io.buf, io.len, "hello world, long!<");
  ASSERT(mg_iobuf_del(&io, 11, 100) == 8);  // len clamped
  ASSERT_MEM(io.buf, io.len, "hello world");
  ASSERT(all_zero(io.buf + io.len, io.size - io.len));
  ASSERT(io.size == 32);
  ASSERT(mg_iobuf_del(&io, 100, 5) == 0);  // ofs clamped
  ASSERT(mg_iobuf_del(&io, 3, 0) == 0);
  ASSERT_MEM(io.buf, io.len, "hello world");
  ASSERT(mg_iobuf_del(&io, 0, io.len) == 11);
  ASSERT(io.len == 0 && io.size == 32 && io.buf != NULL);
  ASSERT(all_zero(io.buf, io.size));

  // resize: round up, shrink and grow, keep min(len, new) bytes.
  ASSERT(mg_iobuf_add(&io, 0, "0123456789", 10) == 10);
  ASSERT(io.size == 16);
  ASSERT(mg_iobuf_resize(&io, 100) == true);
  ASSERT(io.size == 112 && io.len == 10);
  ASSERT_MEM(io.buf, io.len, "0123456789");
  ASSERT(all_zero(io.buf + 10, io.size - 10));
  ASSERT(mg_iobuf_resize(&io, 5) == true);  // shrinks too
  ASSERT(io.size == 16 && io.len == 10);
  ASSERT(mg_iobuf_resize(&io, 3) == true);
  ASSERT(io.size == 16 && io.len == 10);  // rounds to the same 16: unchanged
  old = io.buf;
  ASSERT(mg_iobuf_resize(&io, 16) == true);
  ASSERT(io.buf == old);  // same size: no reallocation

  // resize 0 frees; align survives.
  ASSERT(mg_iobuf_resize(&io, 0) == true);
  ASSERT(io.buf == NULL && io.size == 0 && io.len == 0 && io.align == 16);
  // add to a freed buffer allocates again.
  ASSERT(mg_iobuf_add(&io, 0, "x", 1) == 1);
  ASSERT(io.size == 16 && io.len == 1 && io.buf != NULL && io.buf[0] == 'x');
  mg_iobuf_free(&io);
  ASSERT(io.buf == NULL && io.size == 0 && io.len == 0 && io.align == 16);
  mg_iobuf_free(&io);  // twice is fine

  // align 0: exact sizes; resize shrinking truncates len.
  ASSERT(mg_iobuf_init(&io, 0, 0) == true);
  ASSERT(io.buf == NULL && io.size == 0 && io.len == 0 && io.align == 0);
  ASSERT(mg_iobuf_add(&io, 0, "abc", 3) == 3);
  ASSERT(io.size == 3 && io.len == 3);
  ASSERT(mg_iobuf_add(&io, 3, "defg", 4) == 4);
  ASSERT(io.size == 7 && io.len == 7);
  ASSERT_MEM(io.buf, io.len, "abcdefg");
  ASSERT(mg_iobuf_resize(&io, 4) == true);
  ASSERT(io.size == 4 && io.len == 4);
  ASSERT_MEM(io.buf, io.len, "abcd");
  ASSERT(mg_iobuf_resize(&io, 10) == true);
  ASSERT(io.size == 10 && io.len == 4);
  // add shrinks an oversized buffer back to exactly len + n.
  ASSERT(mg_iobuf_add(&io, 4, "e", 1) == 1);
  ASSERT(io.size == 5 && io.len == 5);
  ASSERT_MEM(io.buf, io.len, "abcde");
  // buf == NULL reserves space without copying.
  ASSERT(mg_iobuf_add(&io, io.len, NULL, 3) == 3);
  ASSERT(io.len == 8 && io.size == 8);
  ASSERT(memcmp(io.buf, "abcde", 5) == 0);
  ASSERT(all_zero(io.buf + 5, 3));  // fresh zeroed block
  ASSERT(mg_iobuf_add(&io, 1, NULL, 2) == 2);
  ASSERT(io.len == 10);
  ASSERT(io.buf[0] == 'a' && memcmp(io.buf + 3, "bcde", 4) == 0);
  mg_iobuf_free(&io);
  ASSERT(io.align == 0);

  // The connection granularity: MG_IO_SIZE.
  ASSERT(mg_iobuf_init(&io, 1, MG_IO_SIZE) == true);
  ASSERT(io.size == MG_IO_SIZE);
  for (i = 0; i < 3; i++) {
    static char chunk[10000];
    ASSERT(mg_iobuf_add(&io, io.len, chunk, sizeof(chunk)) == sizeof(chunk));
  }
  ASSERT(io.len == 30000 && io.size == 2 * MG_IO_SIZE);
  ASSERT(mg_iobuf_del(&io, 0, 29999) == 29999);
  ASSERT(io.len == 1 && io.size == 2 * MG_IO_SIZE);
  mg_iobuf_free(&io);

  // Zero-length add on an empty buffer resizes to roundup(0) = 0: frees.
  ASSERT(mg_iobuf_init(&io, 100, 16) == true);
  ASSERT(mg_iobuf_add(&io, 0, "zzz", 0) == 0);
  ASSERT(io.len == 0 && io.size == 0 && io.buf == NULL);
  mg_iobuf_free(&io);

  // Allocation failure: false / 0 and the buffer is unchanged.
  ASSERT(mg_iobuf_init(&io, 16, 0) == true);
  ASSERT(mg_iobuf_add(&io, 0, "keep", 4) == 4);
  old = io.buf;
  ASSERT(mg_iobuf_resize(&io, (size_t) -1 / 2) == false);
  ASSERT(io.buf == old && io.len == 4 && io.size == 4);
  ASSERT(mg_iobuf_add(&io, 0, NULL, (size_t) -1 / 2) == 0);
  ASSERT(io.buf == old && io.len == 4 && io.size == 4);
  ASSERT_MEM(io.buf, io.len, "keep");
  mg_iobuf_free(&io);

  // NULL iobuf: no crash.
  ASSERT(mg_iobuf_init(NULL, 10, 0) == false);
  ASSERT(mg_iobuf_resize(NULL, 10) == false);
  ASSERT(mg_iobuf_add(NULL, 0, "x", 1) == 0);
  ASSERT(mg_iobuf_del(NULL, 0, 1) == 0);
  mg_iobuf_free(NULL);
}

int main(void) {
  test_logging();
  test_time();
  test_memory();
  test_random();
  test_crc();
  test_byte_order();
  test_path_is_sane();
  test_acl();
  test_iobuf();
  TEST_DONE();
}
