// struct mg_str helpers from C (API.md section 2): views, comparisons,
// mg_strdup, mg_match with captures (the whole reference table), mg_span
// walks, mg_str_to_num / mg_to_size_t, plus NULL / empty / malformed input.
#include "test.h"

// A view of a string literal without relying on strlen.
#define S(lit) mg_str_n((lit), sizeof(lit) - 1)

// The sign of an int, so casecmp-style results can be compared loosely.
static int sign(int v) {
  return v < 0 ? -1 : v > 0 ? 1 : 0;
}

static void test_views(void) {
  const char *s = "hello";
  struct mg_str v = mg_str(s);
  ASSERT(v.buf == s);
  ASSERT(v.len == 5);
  v = mg_str_s("");
  ASSERT(v.buf != NULL && v.len == 0);
  v = mg_str(NULL);
  ASSERT(v.buf == NULL && v.len == 0);
  // mg_str_n is {s, n} unchanged, without validation.
  v = mg_str_n(s, 3);
  ASSERT(v.buf == s && v.len == 3);
  v = mg_str_n(NULL, 7);
  ASSERT(v.buf == NULL && v.len == 7);
  v = mg_str_n(s, 0);
  ASSERT(v.buf == s && v.len == 0);
  // The struct layout is ABI: buf at 0, len at 8, size 16.
  ASSERT(sizeof(struct mg_str) == 16);
}

static void test_casecmp(void) {
  ASSERT(mg_casecmp("", "") == 0);
  ASSERT(mg_casecmp("Hello", "hELLO") == 0);
  ASSERT(mg_casecmp("abc", "ABC") == 0);
  // The difference of the first differing folded characters.
  ASSERT(mg_casecmp("a", "c") == 'a' - 'c');
  ASSERT(mg_casecmp("C", "a") == 'c' - 'a');
  ASSERT(mg_casecmp("a", "B") == 'a' - 'b');
  ASSERT(mg_casecmp("abc", "ab") == 'c');
  ASSERT(mg_casecmp("ab", "abc") == -'c');
  ASSERT(mg_casecmp("", "x") == -'x');
  // Only A-Z fold: '[' (0x5b) is not lower-cased, '@' vs '`' differ.
  ASSERT(mg_casecmp("[", "{") != 0);
  ASSERT(mg_casecmp("@", "`") == '@' - '`');
  // Bytes >= 0x80 compare as signed char.
  ASSERT(mg_casecmp("\x80", "a") == (int) (signed char) 0x80 - 'a');
  ASSERT(mg_casecmp("\xff", "\xff") == 0);
}

static void test_strcmp(void) {
  struct mg_str null = mg_str_n(NULL, 0);
  ASSERT(mg_strcmp(S("a"), S("b")) == -1);
  ASSERT(mg_strcmp(S("b"), S("a")) == 1);
  ASSERT(mg_strcmp(S("abc"), S("abc")) == 0);
  // Exactly -1/0/1, not a byte difference.
  ASSERT(mg_strcmp(S("a"), S("z")) == -1);
  ASSERT(mg_strcmp(S("z"), S("a")) == 1);
  // A prefix sorts first.
  ASSERT(mg_strcmp(S("ab"), S("abc")) == -1);
  ASSERT(mg_strcmp(S("abc"), S("ab")) == 1);
  ASSERT(mg_strcmp(S(""), S("a")) == -1);
  // Signed char: "\xff" sorts before "a".
  ASSERT(mg_strcmp(S("\xff"), S("a")) == -1);
  ASSERT(mg_strcmp(S("a"), S("\xff")) == 1);
  // Case matters.
  ASSERT(mg_strcmp(S("ABC"), S("abc")) == -1);
  // NULL views compare equal to "".
  ASSERT(mg_strcmp(null, S("")) == 0);
  ASSERT(mg_strcmp(S(""), null) == 0);
  ASSERT(mg_strcmp(null, null) == 0);
  ASSERT(mg_strcmp(null, S("x")) == -1);
  ASSERT(mg_strcmp(S("x"), null) == 1);
  // Only len bytes count, embedded NULs included.
  ASSERT(mg_strcmp(mg_str_n("abX", 2), mg_str_n("abY", 2)) == 0);
  ASSERT(mg_strcmp(S("a\0b"), S("a\0c")) == -1);

  ASSERT(mg_strcasecmp(S("ABC"), S("abc")) == 0);
  ASSERT(mg_strcasecmp(S("Content-Length"), S("content-length")) == 0);
  ASSERT(mg_strcasecmp(S("a"), S("Z")) == -1);
  ASSERT(mg_strcasecmp(S("Z"), S("a")) == 1);
  ASSERT(mg_strcasecmp(S("AB"), S("abc")) == -1);
  ASSERT(mg_strcasecmp(S("abc"), S("AB")) == 1);
  ASSERT(mg_strcasecmp(S("\xff"), S("a")) == -1);
  ASSERT(mg_strcasecmp(null, S("")) == 0);
  ASSERT(mg_strcasecmp(null, S("A")) == -1);

  // The old helper, kept as an extension: case-insensitive strncmp.
  ASSERT(mg_ncasecmp("abX", "ABY", 2) == 0);
  ASSERT(sign(mg_ncasecmp("abX", "ABY", 3)) == -1);
  ASSERT(mg_ncasecmp("a", "b", 0) == 0);
  ASSERT(mg_ncasecmp("abc", "ABC", 100) == 0);
}

static void test_strdup(void) {
  const char src[] = "hello";
  struct mg_str d = mg_strdup(S(src));
  ASSERT(d.buf != NULL && d.buf != src);
  ASSERT(d.len == 5);
  ASSERT_MEM(d.buf, d.len, "hello");
  ASSERT(d.buf != NULL && d.buf[5] == '\0');  // NUL-terminated, not counted
  mg_free(d.buf);

  // Only len bytes are copied; the copy is terminated.
  d = mg_strdup(mg_str_n("abcdef", 3));
  ASSERT(d.len == 3);
  ASSERT(d.buf != NULL && strcmp(d.buf, "abc") == 0);
  free(d.buf);  // libc free works too: mg_calloc is calloc

  // Embedded NULs survive.
  d = mg_strdup(S("a\0b"));
  ASSERT(d.len == 3);
  ASSERT(d.buf != NULL && memcmp(d.buf, "a\0b", 4) == 0);
  mg_free(d.buf);

  // Empty or NULL input gives {NULL, 0}.
  d = mg_strdup(S(""));
  ASSERT(d.buf == NULL && d.len == 0);
  d = mg_strdup(mg_str_n(NULL, 0));
  ASSERT(d.buf == NULL && d.len == 0);
  d = mg_strdup(mg_str(NULL));
  ASSERT(d.buf == NULL && d.len == 0);
}

// mg_match result only.
static bool m(const char *s, const char *p) {
  return mg_match(mg_str(s), mg_str(p), NULL);
}

// A capture equals `want` (and points into `str`).
#define ASSERT_CAP(cap, str, want)                                      \
  do {                                                                  \
    ASSERT_MEM((cap).buf, (cap).len, (want));                           \
    ASSERT((cap).len == 0 || ((cap).buf >= (str).buf &&                 \
                              (cap).buf + (cap).len <= (str).buf + (str).len)); \
  } while (0)

static void fill_caps(struct mg_str *caps, size_t n) {
  static const char junk[] = "junk";
  size_t i;
  for (i = 0; i < n; i++) caps[i] = mg_str_n(junk, 4);
}

static void test_match_table(void) {
  struct mg_str caps[5], s;

  // Result column of the reference table.
  ASSERT(m("", "") == true);
  ASSERT(m("a", "") == false);
  ASSERT(m("/foo", "/") == false);
  ASSERT(m("/x/foo", "/*/foo") == true);
  ASSERT(m("/x/foox", "/*/foo") == false);
  ASSERT(m("/abc", "/*") == true);
  ASSERT(m("/ab/", "/*") == false);
  ASSERT(m("/", "/*") == true);
  ASSERT(m("/api/log/static", "/api/*") == false);
  ASSERT(m("/api/log/static", "/api/#") == true);
  ASSERT(m("/ssi/index.shtml", "#.shtml") == true);
  ASSERT(m("caabba", "#aa#bb#") == true);
  ASSERT(m("caabxa", "#aa#bb#") == false);
  ASSERT(m("a__b_c", "a*b*c") == true);
  ASSERT(m("a_b_c__c", "a*b*c") == true);
  ASSERT(m(".aa..b...b", "#a#b") == true);
  ASSERT(m("/foo/bar", "/*/*") == true);
  ASSERT(m("/foo/", "/*/*") == true);
  ASSERT(m("abc", "a?c") == true);
  ASSERT(m("a", "#a") == true);

  // Captures column.
  s = mg_str("a__b_c");
  fill_caps(caps, 5);
  ASSERT(mg_match(s, mg_str("a*b*c"), caps));
  ASSERT_CAP(caps[0], s, "__");
  ASSERT_CAP(caps[1], s, "_");

  s = mg_str("a_b_c__c");
  fill_caps(caps, 5);
  ASSERT(mg_match(s, mg_str("a*b*c"), caps));
  ASSERT_CAP(caps[0], s, "_");
  ASSERT_CAP(caps[1], s, "_c__");

  s = mg_str(".aa..b...b");
  fill_caps(caps, 5);
  ASSERT(mg_match(s, mg_str("#a#b"), caps));
  ASSERT_CAP(caps[0], s, ".");
  ASSERT_CAP(caps[1], s, "a..b...");
  ASSERT(caps[2].buf == NULL && caps[2].len == 0);  // reset, not filled

  s = mg_str("/foo/bar");
  fill_caps(caps, 5);
  ASSERT(mg_match(s, mg_str("/*/*"), caps));
  ASSERT_CAP(caps[0], s, "foo");
  ASSERT_CAP(caps[1], s, "bar");
  // A trailing wildcard completes at the end: the next element is untouched.
  ASSERT(caps[2].len == 4 && memcmp(caps[2].buf, "junk", 4) == 0);

  s = mg_str("/foo/");
  fill_caps(caps, 5);
  ASSERT(mg_match(s, mg_str("/*/*"), caps));
  ASSERT_CAP(caps[0], s, "foo");
  ASSERT_CAP(caps[1], s, "");

  s = mg_str("abc");
  fill_caps(caps, 5);
  ASSERT(mg_match(s, mg_str("a?c"), caps));
  ASSERT_CAP(caps[0], s, "b");
  ASSERT(caps[0].buf == s.buf + 1);
  // Completed before the end of the pattern: the following element is reset.
  ASSERT(caps[1].buf == NULL && caps[1].len == 0);

  s = mg_str("a");
  fill_caps(caps, 5);
  ASSERT(mg_match(s, mg_str("#a"), caps));
  ASSERT_CAP(caps[0], s, "");
  ASSERT(caps[1].buf == NULL && caps[1].len == 0);
}

static void test_match_more(void) {
  struct mg_str caps[5], s;

  // `?` is exactly one byte, any byte including '/'.
  ASSERT(m("ac", "a?c") == false);
  ASSERT(m("abbc", "a?c") == false);
  ASSERT(m("a/c", "a?c") == true);
  ASSERT(m("x", "?") == true);
  ASSERT(m("", "?") == false);
  // `*` does not cross '/', `#` does; both may be empty.
  ASSERT(m("", "*") == true);
  ASSERT(m("", "#") == true);
  ASSERT(m("a/b", "*") == false);
  ASSERT(m("a/b", "#") == true);
  ASSERT(m("/", "#") == true);
  ASSERT(m("/a/b/c", "/#/c") == true);
  ASSERT(m("/a/b/c", "/*/c") == true);  // Mongoose quirk, see below
  ASSERT(m("/a/b/", "/*/") == true);
  ASSERT(m("/a/", "/*") == false);
  ASSERT(m("ab", "a*b") == true);
  ASSERT(m("ab", "a#b") == true);
  // Literal bytes are case-sensitive and must cover the whole string.
  ASSERT(m("ABC", "abc") == false);
  ASSERT(m("abc", "abc") == true);
  ASSERT(m("abcd", "abc") == false);
  ASSERT(m("abc", "abcd") == false);
  ASSERT(m("", "a") == false);
  ASSERT(m("/api/x", "/api/*") == true);
  ASSERT(m("/api/", "/api/*") == true);
  ASSERT(m("/api", "/api/*") == false);
  ASSERT(m("index.html", "*.html") == true);
  ASSERT(m("dir/index.html", "*.html") == false);
  ASSERT(m("dir/index.html", "#.html") == true);
  // Mongoose's one-backtrack algorithm tests the byte at the mismatch, not
  // the byte `*` swallows: after a partial literal match `*` can span a '/'
  // (API.md §2 asks for this algorithm exactly). A '/' right at the
  // mismatch still stops `*`.
  ASSERT(m("/ab/b/", "*/") == true);
  ASSERT(m("x/d/c", "*/c") == true);
  ASSERT(m("/api/x/y/z", "/api/*/z") == true);
  ASSERT(m("/api/x/y/z", "/api/#/z") == true);
  ASSERT(m("/api/x/", "/api/*") == false);
  ASSERT(m("a/b", "*") == false);
  ASSERT(m("/api/xy/z", "/api/*/z") == true);
  // Repeated / adjacent wildcards are not errors.
  ASSERT(m("abc", "**") == true);
  ASSERT(m("a/b", "##") == true);
  ASSERT(m("a/b", "**") == false);
  ASSERT(m("abc", "*#") == true);
  ASSERT(m("abc", "???") == true);
  ASSERT(m("abc", "????") == false);

  // Captures with `?` and a `*` around it.
  s = mg_str("/foo/bar.txt");
  fill_caps(caps, 5);
  ASSERT(mg_match(s, mg_str("/*/*.txt"), caps));
  ASSERT_CAP(caps[0], s, "foo");
  ASSERT_CAP(caps[1], s, "bar");
  ASSERT(caps[2].buf == NULL && caps[2].len == 0);

  s = mg_str("/api/v1/users/42");
  fill_caps(caps, 5);
  ASSERT(mg_match(s, mg_str("/api/*/users/*"), caps));
  ASSERT_CAP(caps[0], s, "v1");
  ASSERT_CAP(caps[1], s, "42");

  s = mg_str("/a/b/c.js");
  fill_caps(caps, 5);
  ASSERT(mg_match(s, mg_str("/#"), caps));
  ASSERT_CAP(caps[0], s, "a/b/c.js");

  // A failed match returns false (captures are then meaningless).
  fill_caps(caps, 5);
  ASSERT(mg_match(mg_str("/x/y"), mg_str("/*"), caps) == false);

  // NULL views behave as empty strings.
  ASSERT(mg_match(mg_str_n(NULL, 0), mg_str_n(NULL, 0), NULL) == true);
  ASSERT(mg_match(mg_str_n(NULL, 0), mg_str("#"), NULL) == true);
  ASSERT(mg_match(mg_str_n(NULL, 0), mg_str("a"), NULL) == false);
  ASSERT(mg_match(mg_str("a"), mg_str_n(NULL, 0), NULL) == false);
  fill_caps(caps, 5);
  ASSERT(mg_match(mg_str_n(NULL, 0), mg_str_n(NULL, 0), caps) == true);
  ASSERT(caps[0].buf == NULL && caps[0].len == 0);  // caps[0] initialised
  fill_caps(caps, 5);
  ASSERT(mg_match(mg_str("xyz"), mg_str("xyz"), caps) == true);
  ASSERT(caps[0].buf == NULL && caps[0].len == 0);

  // Only len bytes of the pattern and string are used.
  ASSERT(mg_match(mg_str_n("abcdef", 3), mg_str_n("a*zzz", 2), NULL));
  ASSERT(!mg_match(mg_str_n("abcdef", 3), mg_str_n("a?zzz", 2), NULL));
}

static void test_span(void) {
  struct mg_str s, a, b, k, v;
  const char *list = "a,b,,c";
  const char *want[] = {"a", "b", "", "c"};
  size_t n = 0;

  // Splitting at the first separator.
  s = mg_str("key=val=x");
  ASSERT(mg_span(s, &a, &b, '='));
  ASSERT_MEM(a.buf, a.len, "key");
  ASSERT_MEM(b.buf, b.len, "val=x");
  ASSERT(a.buf == s.buf && b.buf == s.buf + 4);

  // No separator: a = s, b empty at the end of s.
  s = mg_str("abc");
  ASSERT(mg_span(s, &a, &b, ','));
  ASSERT(a.buf == s.buf && a.len == 3);
  ASSERT(b.buf == s.buf + 3 && b.len == 0);

  // Separator first / last.
  s = mg_str(",x");
  ASSERT(mg_span(s, &a, &b, ','));
  ASSERT(a.buf == s.buf && a.len == 0);
  ASSERT_MEM(b.buf, b.len, "x");
  s = mg_str("x,");
  ASSERT(mg_span(s, &a, &b, ','));
  ASSERT_MEM(a.buf, a.len, "x");
  ASSERT(b.buf == s.buf + 2 && b.len == 0);
  s = mg_str(",");
  ASSERT(mg_span(s, &a, &b, ','));
  ASSERT(a.len == 0 && b.len == 0 && b.buf == s.buf + 1);

  // a / b may be NULL.
  s = mg_str("k:v");
  ASSERT(mg_span(s, NULL, &b, ':'));
  ASSERT_MEM(b.buf, b.len, "v");
  ASSERT(mg_span(s, &a, NULL, ':'));
  ASSERT_MEM(a.buf, a.len, "k");
  ASSERT(mg_span(s, NULL, NULL, ':'));

  // Empty or NULL input: false, outputs untouched.
  a = mg_str("keep");
  b = mg_str("keep");
  ASSERT(mg_span(mg_str(""), &a, &b, ',') == false);
  ASSERT(mg_span(mg_str_n(NULL, 0), &a, &b, ',') == false);
  ASSERT(mg_span(mg_str_n(NULL, 5), &a, &b, ',') == false);
  ASSERT(mg_span(mg_str_n("abc", 0), &a, &b, ',') == false);
  ASSERT_MEM(a.buf, a.len, "keep");
  ASSERT_MEM(b.buf, b.len, "keep");

  // Walking a list element by element, feeding the remainder back in.
  s = mg_str(list);
  while (mg_span(s, &a, &s, ',')) {
    ASSERT(n < 4);
    if (n < 4) ASSERT_MEM(a.buf, a.len, want[n]);
    n++;
  }
  ASSERT(n == 4);

  // A trailing separator ends the walk without an extra empty element.
  n = 0;
  s = mg_str("x,y,");
  while (mg_span(s, &a, &s, ',')) n++;
  ASSERT(n == 2);

  // Nested use: key=value pairs separated by '&'.
  n = 0;
  s = mg_str("a=1&bb=22&c");
  while (mg_span(s, &a, &s, '&')) {
    ASSERT(mg_span(a, &k, &v, '='));
    if (n == 0) {
      ASSERT_MEM(k.buf, k.len, "a");
      ASSERT_MEM(v.buf, v.len, "1");
    } else if (n == 1) {
      ASSERT_MEM(k.buf, k.len, "bb");
      ASSERT_MEM(v.buf, v.len, "22");
    } else if (n == 2) {
      ASSERT_MEM(k.buf, k.len, "c");
      ASSERT(v.len == 0);
    }
    n++;
  }
  ASSERT(n == 3);

  // The separator may be any byte, NUL included; only len bytes are used.
  s = mg_str_n("ab\0cd", 5);
  ASSERT(mg_span(s, &a, &b, '\0'));
  ASSERT_MEM(a.buf, a.len, "ab");
  ASSERT_MEM(b.buf, b.len, "cd");
  s = mg_str_n("ab,cd", 2);
  ASSERT(mg_span(s, &a, &b, ','));
  ASSERT(a.len == 2 && b.len == 0);
}

static void test_str_to_num(void) {
  uint8_t u8 = 0;
  uint16_t u16 = 0;
  uint32_t u32 = 0;
  uint64_t u64 = 0;
  unsigned char raw[16];

  // API.md examples.
  ASSERT(mg_str_to_num(mg_str("0x1F"), 0, &u32, sizeof(u32)) && u32 == 31);
  ASSERT(mg_str_to_num(mg_str("0b101"), 0, &u32, sizeof(u32)) && u32 == 5);
  u8 = 7;
  ASSERT(mg_str_to_num(mg_str("256"), 10, &u8, sizeof(u8)) == false);
  ASSERT(u8 == 7);  // written only on success
  u32 = 7;
  ASSERT(mg_str_to_num(mg_str("-1"), 10, &u32, sizeof(u32)) == false);
  ASSERT(mg_str_to_num(mg_str(""), 10, &u32, sizeof(u32)) == false);
  ASSERT(mg_str_to_num(mg_str("12a"), 10, &u32, sizeof(u32)) == false);
  ASSERT(u32 == 7);

  // Each width and its maximum; one past the maximum overflows.
  ASSERT(mg_str_to_num(mg_str("255"), 10, &u8, 1) && u8 == 255);
  ASSERT(mg_str_to_num(mg_str("0"), 10, &u8, 1) && u8 == 0);
  ASSERT(mg_str_to_num(mg_str("65535"), 10, &u16, 2) && u16 == 65535);
  ASSERT(!mg_str_to_num(mg_str("65536"), 10, &u16, 2));
  ASSERT(mg_str_to_num(mg_str("4294967295"), 10, &u32, 4) &&
         u32 == 4294967295u);
  ASSERT(!mg_str_to_num(mg_str("4294967296"), 10, &u32, 4));
  ASSERT(mg_str_to_num(mg_str("18446744073709551615"), 10, &u64, 8) &&
         u64 == UINT64_MAX);
  ASSERT(!mg_str_to_num(mg_str("18446744073709551616"), 10, &u64, 8));
  ASSERT(!mg_str_to_num(mg_str("99999999999999999999999"), 10, &u64, 8));
  ASSERT(mg_str_to_num(mg_str("ff"), 16, &u8, 1) && u8 == 255);
  ASSERT(!mg_str_to_num(mg_str("100"), 16, &u8, 1));
  ASSERT(mg_str_to_num(mg_str("11111111"), 2, &u8, 1) && u8 == 255);
  ASSERT(!mg_str_to_num(mg_str("111111111"), 2, &u8, 1));
  ASSERT(mg_str_to_num(mg_str("ffffffffffffffff"), 16, &u64, 8) &&
         u64 == UINT64_MAX);
  ASSERT(!mg_str_to_num(mg_str("10000000000000000"), 16, &u64, 8));

  // Only val_len bytes are written.
  memset(raw, 0xaa, sizeof(raw));
  ASSERT(mg_str_to_num(mg_str("1"), 10, raw, 2));
  ASSERT(raw[0] == 1 && raw[1] == 0 && raw[2] == 0xaa);
  memset(raw, 0xaa, sizeof(raw));
  ASSERT(mg_str_to_num(mg_str("258"), 10, raw + 1, 4));  // unaligned target
  ASSERT(raw[0] == 0xaa && raw[1] == 2 && raw[2] == 1 && raw[3] == 0 &&
         raw[4] == 0 && raw[5] == 0xaa);

  // Widths other than 1, 2, 4, 8 are refused.
  memset(raw, 0xaa, sizeof(raw));
  ASSERT(!mg_str_to_num(mg_str("1"), 10, raw, 0));
  ASSERT(!mg_str_to_num(mg_str("1"), 10, raw, 3));
  ASSERT(!mg_str_to_num(mg_str("1"), 10, raw, 16));
  ASSERT(raw[0] == 0xaa);

  // Bases: hex both cases, binary digits only 0/1, unknown bases refused.
  ASSERT(mg_str_to_num(mg_str("DeadBeef"), 16, &u32, 4) && u32 == 0xdeadbeef);
  ASSERT(mg_str_to_num(mg_str("0xABCDEF"), 0, &u32, 4) && u32 == 0xabcdef);
  ASSERT(!mg_str_to_num(mg_str("12"), 2, &u32, 4));
  ASSERT(!mg_str_to_num(mg_str("1g"), 16, &u32, 4));
  ASSERT(!mg_str_to_num(mg_str("10"), 8, &u32, 4));
  ASSERT(!mg_str_to_num(mg_str("10"), 1, &u32, 4));
  ASSERT(!mg_str_to_num(mg_str("10"), 36, &u32, 4));
  ASSERT(!mg_str_to_num(mg_str("10"), -10, &u32, 4));
  // An explicit base does not take a prefix.
  ASSERT(!mg_str_to_num(mg_str("0x10"), 16, &u32, 4));
  ASSERT(!mg_str_to_num(mg_str("0b10"), 2, &u32, 4));

  // Auto-detection (base 0): 0x, 0b, else decimal (leading 0 is decimal).
  ASSERT(mg_str_to_num(mg_str("0x10"), 0, &u32, 4) && u32 == 16);
  ASSERT(mg_str_to_num(mg_str("0b11"), 0, &u32, 4) && u32 == 3);
  ASSERT(mg_str_to_num(mg_str("010"), 0, &u32, 4) && u32 == 10);
  ASSERT(mg_str_to_num(mg_str("00"), 0, &u32, 4) && u32 == 0);
  ASSERT(mg_str_to_num(mg_str("42"), 0, &u32, 4) && u32 == 42);
  ASSERT(mg_str_to_num(mg_str("0xff"), 0, &u8, 1) && u8 == 255);
  ASSERT(!mg_str_to_num(mg_str("0x100"), 0, &u8, 1));
  ASSERT(!mg_str_to_num(mg_str("0x"), 0, &u32, 4));    // no digits
  ASSERT(!mg_str_to_num(mg_str("0b"), 0, &u32, 4));    // no digits
  ASSERT(!mg_str_to_num(mg_str("0b2"), 0, &u32, 4));
  ASSERT(!mg_str_to_num(mg_str("0xg"), 0, &u32, 4));
  // Auto-detection happens only when str.len >= 2; shorter input has no
  // valid base and is refused.
  u32 = 7;
  ASSERT(!mg_str_to_num(mg_str("5"), 0, &u32, 4));
  ASSERT(!mg_str_to_num(mg_str(""), 0, &u32, 4));
  ASSERT(u32 == 7);

  // No signs, blanks or garbage anywhere.
  ASSERT(!mg_str_to_num(mg_str("+1"), 10, &u32, 4));
  ASSERT(!mg_str_to_num(mg_str(" 1"), 10, &u32, 4));
  ASSERT(!mg_str_to_num(mg_str("1 "), 10, &u32, 4));
  ASSERT(!mg_str_to_num(mg_str("1.5"), 10, &u32, 4));
  ASSERT(!mg_str_to_num(mg_str_n("1\0", 2), 10, &u32, 4));
  // Only len bytes are parsed.
  ASSERT(mg_str_to_num(mg_str_n("123abc", 3), 10, &u32, 4) && u32 == 123);

  // NULL view or NULL target: false, no crash.
  ASSERT(!mg_str_to_num(mg_str_n(NULL, 0), 10, &u32, 4));
  ASSERT(!mg_str_to_num(mg_str("1"), 10, NULL, 4));
}

static void test_to_size_t(void) {
  size_t v = 99;
  ASSERT(mg_to_size_t(mg_str("0"), &v) && v == 0);
  ASSERT(mg_to_size_t(mg_str("1234"), &v) && v == 1234);
  ASSERT(mg_to_size_t(mg_str("  42\t "), &v) && v == 42);
  ASSERT(mg_to_size_t(mg_str("\t7"), &v) && v == 7);
  ASSERT(mg_to_size_t(mg_str("18446744073709551615"), &v) && v == SIZE_MAX);
  v = 99;
  ASSERT(!mg_to_size_t(mg_str("18446744073709551616"), &v));
  ASSERT(!mg_to_size_t(mg_str("-1"), &v));
  ASSERT(!mg_to_size_t(mg_str(" -1"), &v));
  ASSERT(!mg_to_size_t(mg_str(""), &v));
  ASSERT(!mg_to_size_t(mg_str("   "), &v));
  ASSERT(!mg_to_size_t(mg_str("12a"), &v));
  ASSERT(!mg_to_size_t(mg_str("1 2"), &v));
  ASSERT(!mg_to_size_t(mg_str("+5"), &v));
  ASSERT(!mg_to_size_t(mg_str("0x10"), &v));
  ASSERT(!mg_to_size_t(mg_str_n(NULL, 0), &v));
  ASSERT(v == 99);
  ASSERT(mg_to_size_t(mg_str_n("15xyz", 2), &v) && v == 15);
}

int main(void) {
  test_views();
  test_casecmp();
  test_strcmp();
  test_strdup();
  test_match_table();
  test_match_more();
  test_span();
  test_str_to_num();
  test_to_size_t();
  TEST_DONE();
}
