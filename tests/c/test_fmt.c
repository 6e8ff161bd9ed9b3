// The printf family from C: mg_snprintf / mg_mprintf / mg_xprintf and their
// v* forms, the output functions, every built-in %M printer and MG_ESC, with
// exact bytes (API.md section 3), quirks included.
#include <math.h>

#include "test.h"

static char s_buf[256];
static const char s_zeros[300];

// mg_snprintf into s_buf, and check the return value is the full length.
#define SN(expect, ...)                                          \
  do {                                                           \
    size_t len_ = mg_snprintf(s_buf, sizeof(s_buf), __VA_ARGS__); \
    ASSERT_MEM(s_buf, len_, expect);                             \
    ASSERT_STR(s_buf, expect);                                   \
  } while (0)

// A user printer: reads its own arguments from the caller's va_list.
static size_t print_pair(mg_pfn_t out, void *arg, va_list *ap) {
  int a = va_arg(*ap, int);
  const char *s = va_arg(*ap, const char *);
  return mg_xprintf(out, arg, "%d:%M", a, mg_print_esc, 0, s);
}

// Counts the characters and keeps the last one.
struct counter {
  size_t n;
  char last;
};
static void count_fn(char ch, void *param) {
  struct counter *c = (struct counter *) param;
  c->n++;
  c->last = ch;
}

static size_t my_vsnprintf(char *buf, size_t len, const char *fmt, ...) {
  size_t n;
  va_list ap;
  va_start(ap, fmt);
  n = mg_vsnprintf(buf, len, fmt, &ap);
  va_end(ap);
  return n;
}

static char *my_vmprintf(const char *fmt, ...) {
  char *s;
  va_list ap;
  va_start(ap, fmt);
  s = mg_vmprintf(fmt, &ap);
  va_end(ap);
  return s;
}

static size_t my_vxprintf(mg_pfn_t fn, void *arg, const char *fmt, ...) {
  size_t n;
  va_list ap;
  va_start(ap, fmt);
  n = mg_vxprintf(fn, arg, fmt, &ap);
  va_end(ap);
  return n;
}

static void test_integers(void) {
  SN("-42", "%d", -42);
  SN("   42", "%5d", 42);
  SN("00-42", "%05d", -42);  // zeros go before the sign
  SN("42   |", "%-5d|", 42);
  SN("00000042|", "%-08d|", 42);
  SN("%-8d", "%0-8d", 42);  // fixed field order: '-' is the conversion
  SN("ff 0xff abcd", "%x %#x %X", 255, 255, 0xabcd);  // %X is lowercase
  SN("0x00ff", "%#06x", 255);
  SN("ffffffff 4294967295", "%x %u", -1, -1);
  SN("deadbeef", "%lx", 0xdeadbeefUL);
  SN("-9000000000", "%lld", -9000000000LL);
  SN("18446744073709551615", "%llu", (unsigned long long) UINT64_MAX);
  SN("123456789abcdef0", "%llx", 0x123456789abcdef0ULL);
  SN("-1 18446744073709551615", "%ld %lu", -1L, (unsigned long) -1L);
  SN("300 70000", "%hhd %hd", 300, 70000);  // h is skipped, no truncation
  SN("12345", "%zu", (size_t) 12345);
  SN("0x1234 0x0", "%p %p", (void *) 0x1234, (void *) 0);
  SN("    0x1234|", "%10p|", (void *) 0x1234);
}

static void test_chars_and_strings(void) {
  SN("A|", "%5c|", 'A');  // width ignored for %c
  SN("hi there", "%s %s", "hi", "there");
  SN("   ab|ab   |000ab", "%5s|%-5s|%05s", "ab", "ab", "ab");
  SN("abc|de", "%.3s|%.*s", "abcdef", 2, "defg");
  SN("[]", "[%s]", (char *) NULL);  // not "(null)"
  SN("100%", "100%%");
  {
    // With a precision, exactly that many bytes are copied, NULs included.
    size_t n = mg_snprintf(s_buf, sizeof(s_buf), "%.*s|", 3, "a\0b");
    ASSERT(n == 4 && memcmp(s_buf, "a\0b|", 5) == 0);
  }
}

static void test_unknown_conversions(void) {
  SN("%i 7", "%i %d", 7);  // no argument consumed by %i
  SN("%*d", "%*d", 5);
  SN("%o%e%E%G%a%n", "%o%e%E%G%a%n");
  SN("%Lf", "%Lf", 1.5);
  SN("%Q%q%H%V%I%A%B", "%Q%q%H%V%I%A%B");
  SN("abc%", "abc%");
}

static void test_floats(void) {
  SN("1 1.5 3.14159 100", "%g %g %g %g", 1.0, 1.5, 3.14159265, 100.0);
  SN("123456 999999 1.23457e+06 1e+07", "%g %g %g %g", 123456.0, 999999.0,
     1234567.0, 9999999.0);
  SN("100000 1e+06 1e+20", "%g %g %g", 1e5, 1e6, 1e20);
  SN("0.1 0.5 0.0001 0.00001", "%g %g %g %g", 0.1, 0.5, 0.0001, 1e-5);
  SN("1e-06 1e-07 0.000123", "%g %g %g", 1e-6, 1e-7, 0.000123456);
  SN("0.333333 0.666667 -2.5", "%g %g %g", 1.0 / 3, 2.0 / 3, -2.5);
  SN("3.1 1.23e+03 20 5 0.", "%.2g %.3g %.1g %.1g %.1g", 3.14159, 1234.5,
     15.0, 5.0, 0.05);
  SN("3.141592654 0.1", "%.10g %.17g", 3.14159265358979, 0.1);
  SN("1.000000 3.141593 -1.500000", "%f %f %f", 1.0, 3.14159265, -1.5);
  SN("0.050000 0.100000 123.456000", "%f %f %f", 0.05, 0.1, 123.456);
  SN("3.14 0.3333333333 100.0", "%.2f %.10f %.1f", 3.14159, 1.0 / 3, 99.95);
  SN("0.2 0.3", "%.1f %.1f", 0.25, 0.35);
  SN("10000000000.000000 1.500000", "%f %lf", 1e10, 1.5);
  SN("0 0 3.", "%f %g %.0f", 0.0, 0.0, 2.5);
  SN("0.000 0.00", "%.3f %.2f", 0.0005, 0.005);
  SN("     3.142|0000003.14", "%10.3f|%010.2f", 3.14159, 3.14159);
  SN("inf -inf nan", "%g %g %g", (double) INFINITY, (double) -INFINITY,
     (double) NAN);
}

static void test_printers(void) {
  struct mg_addr a4, a6;
  uint8_t ip4[4] = {127, 0, 0, 1};
  uint8_t mac[6] = {1, 2, 3, 0xaa, 0xbb, 0xcc};
  uint8_t eui[8] = {0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0xff};
  memset(&a4, 0, sizeof(a4));
  memset(&a6, 0, sizeof(a6));
  a4.addr.ip[0] = 1, a4.addr.ip[1] = 2, a4.addr.ip[2] = 3, a4.addr.ip[3] = 4;
  a4.port = htons(80);
  a6.addr.ip[15] = 1;
  a6.is_ip6 = true;
  a6.port = htons(8080);

  SN("\"a\\\"b\"", "%m", MG_ESC("a\"b"));
  SN("a\\\"b", "%M", MG_ESC("a\"b"));
  SN("\\b\\f\\n\\r\\t\\\\/\x01", "%M", MG_ESC("\b\f\n\r\t\\/\x01"));
  SN("ab", "%M", mg_print_esc, 2, "abcd");
  SN("ab", "%M", mg_print_esc, 10, "ab\0cd");  // stops at the NUL
  SN("01abff", "%M", mg_print_hex, 3, "\x01\xab\xff");
  SN("aGVsbG8=", "%M", mg_print_base64, 5, "hello");
  SN("&lt;a&gt;&amp;&quot;", "%M", mg_print_html_esc, 5, "<a>&\"xx");
  SN("1.2.3.4 1.2.3.4:80", "%M %M", mg_print_ip, &a4, mg_print_ip_port, &a4);
  SN("[0:0:0:0:0:0:0:1]:8080", "%M", mg_print_ip_port, &a6);
  SN("127.0.0.1 [0:0:0:0:0:0:0:1]", "%M %M", mg_print_ip4, ip4, mg_print_ip6,
     a6.addr.ip);
  SN("\"01:02:03:aa:bb:cc\"", "%m", mg_print_mac, mac);
  SN("00:11:22:33:44:55:66:ff", "%M", mg_print_ieee64, eui);
  // A user printer consumes its own arguments, then formatting continues.
  SN("{\"5:x\\ny\",9}", "{%m,%d}", print_pair, 5, "x\ny", 9);
  SN("{\"k\":\"v\"}", "{%m:%m}", MG_ESC("k"), MG_ESC("v"));
}

static void test_snprintf_truncation(void) {
  char b[5];
  memset(b, 'z', sizeof(b));
  ASSERT(mg_snprintf(b, sizeof(b), "hello world") == 11);
  ASSERT(memcmp(b, "hell", 5) == 0);
  memset(b, 'z', sizeof(b));
  ASSERT(mg_snprintf(b, 1, "%d", 123) == 3);
  ASSERT(b[0] == '\0' && b[1] == 'z');
  ASSERT(mg_snprintf(NULL, 0, "%s-%d", "abc", 42) == 6);
  ASSERT(mg_snprintf(b, sizeof(b), "%m", MG_ESC("abcdef")) == 8);
  ASSERT(memcmp(b, "\"abc", 5) == 0);
  ASSERT(my_vsnprintf(b, sizeof(b), "%d%d", 12, 345) == 5);
  ASSERT(strcmp(b, "1234") == 0);
}

static void test_mprintf(void) {
  char *s = mg_mprintf("%s=%d %m", "x", 5, MG_ESC("q"));
  ASSERT(s != NULL && strcmp(s, "x=5 \"q\"") == 0);
  free(s);
  ASSERT(mg_mprintf("%s", "") == NULL);  // empty output gives NULL
  s = my_vmprintf("%.*s%d", 300, s_zeros, 1);  // 300 NULs: exercises growth
  ASSERT(s != NULL && s[0] == '\0' && s[300] == '1' && s[301] == '\0');
  free(s);
  s = my_vmprintf("%g", 2.0);
  ASSERT(s != NULL && strcmp(s, "2") == 0);
  free(s);
}

static void test_xprintf_and_output_functions(void) {
  struct mg_iobuf io = {NULL, 0, 0, 0};
  struct counter cnt = {0, 0};
  char fixed[4];
  struct mg_iobuf nr = {(unsigned char *) fixed, sizeof(fixed), 0, 0};
  size_t n;

  // mg_pfn_iobuf grows the buffer to len + 2 and keeps a NUL after the data.
  n = mg_xprintf(mg_pfn_iobuf, &io, "%s-%d", "ab", 7);
  ASSERT(n == 4 && io.len == 4 && io.size == 5);
  ASSERT(memcmp(io.buf, "ab-7", 5) == 0);
  n = mg_xprintf(mg_pfn_iobuf, &io, "%M", mg_print_hex, 2, "\x12\x34");
  ASSERT(n == 4 && io.len == 8 && io.buf[8] == '\0');
  ASSERT_MEM(io.buf, io.len, "ab-71234");
  free(io.buf);

  io.buf = NULL, io.len = io.size = 0, io.align = 16;
  mg_xprintf(mg_pfn_iobuf, &io, "hello");
  ASSERT(io.len == 5 && io.size == 16 && strcmp((char *) io.buf, "hello") == 0);
  free(io.buf);

  // mg_pfn_iobuf_noresize never grows and always keeps room for the NUL.
  n = mg_xprintf(mg_pfn_iobuf_noresize, &nr, "abcdef");
  ASSERT(n == 6 && nr.len == 3 && strcmp(fixed, "abc") == 0);

  // The count includes every character, the %m quotes too.
  n = my_vxprintf(count_fn, &cnt, "%m", MG_ESC("a\tb"));
  ASSERT(n == 6 && cnt.n == 6 && cnt.last == '"');

  // mg_pfn_stdout writes through C's stdio.
  n = mg_xprintf(mg_pfn_stdout, NULL, "%s\n", "fmt: stdout ok");
  ASSERT(n == 15);
}

int main(void) {
  test_integers();
  test_chars_and_strings();
  test_unknown_conversions();
  test_floats();
  test_printers();
  test_snprintf_truncation();
  test_mprintf();
  test_xprintf_and_output_functions();
  TEST_DONE();
}
