// JSON API from C (API.md section 14): mg_json_get offsets and errors,
// typed getters, heap strings freed with mg_free, unescaping into small
// buffers, mg_json_next iteration, NULL / empty input. Expected values were
// observed with Mongoose 7.23.
#include "test.h"

#define S(lit) mg_str_n((lit), sizeof(lit) - 1)

static const char *J = "{\"a\":1,\"b\":[1,2,{\"c\":true}]}";

// mg_json_get as "offset/len", or the error code and len.
static int get(struct mg_str json, const char *path, int *len) {
  *len = -99;
  return mg_json_get(json, path, len);
}

static void test_get(void) {
  struct mg_str j = mg_str(J);
  int n;
  ASSERT(get(j, "$", &n) == 0 && n == 28);
  ASSERT(get(j, "$.a", &n) == 5 && n == 1);
  ASSERT(get(j, "$.b", &n) == 11 && n == 16);
  ASSERT(get(j, "$.b[2].c", &n) == 21 && n == 4);
  ASSERT(get(j, "$.b[5]", &n) == MG_JSON_NOT_FOUND && n == 0);
  ASSERT(get(j, "$.x", &n) == MG_JSON_NOT_FOUND && n == 0);
  ASSERT(get(j, "a", &n) == MG_JSON_INVALID && n == 0);
  ASSERT(mg_json_get(j, "$.b[1]", NULL) == 14);
  // Truncated input: found before the error; syntax errors on the way.
  ASSERT(get(S("{\"a\":1"), "$.a", &n) == 5 && n == 1);
  ASSERT(get(S("{\"a\":}"), "$.a", &n) == MG_JSON_INVALID);
  ASSERT(get(S("[1,\"x\\\"y\",null]"), "$[1]", &n) == 3 && n == 6);
  ASSERT(get(S(" 12.5e3 "), "$", &n) == 1 && n == 6);
  ASSERT(get(S("{\"a.b\":1}"), "$.a.b", &n) == 7 && n == 1);
  // Leniency: trailing commas, trailing garbage, loose numbers.
  ASSERT(get(S("[1,]"), "$", &n) == 0 && n == 4);
  ASSERT(get(S("{\"a\":1}x"), "$", &n) == 0 && n == 7);
  ASSERT(get(S("01"), "$", &n) == 0 && n == 2);
  ASSERT(get(S("-"), "$", &n) == 0 && n == 1);
  ASSERT(get(S("1e4000"), "$", &n) == 0 && n == 5);
  ASSERT(get(S("+1"), "$", &n) == MG_JSON_INVALID);
  ASSERT(get(S(".5"), "$", &n) == MG_JSON_INVALID);
  ASSERT(get(S("truex"), "$", &n) == 0 && n == 4);
  ASSERT(get(S("tru"), "$", &n) == MG_JSON_INVALID);
  ASSERT(get(S("1 2"), "$.a", &n) == MG_JSON_INVALID);
  // Odd paths.
  ASSERT(get(S("[[1,2],[3,4]]"), "$[1][0]", &n) == 8 && n == 1);
  ASSERT(get(S("[1,2]"), "$[-1]", &n) == MG_JSON_NOT_FOUND);
  ASSERT(get(S("[1,2]"), "$[", &n) == 1 && n == 1);
  ASSERT(get(S("{\"a\":1}"), "$.", &n) == 5 && n == 1);
  ASSERT(get(S("{\"a\":1}"), "$..a", &n) == MG_JSON_NOT_FOUND);
  ASSERT(get(S("{\"a\":1,\"a\":2}"), "$.a", &n) == 5);
  ASSERT(get(S("{\"a\":{\"b\":1},\"c\":2}"), "$.a.c", &n) == MG_JSON_NOT_FOUND);
}

static void test_depth(void) {
  char buf[80];
  int i, n;
  for (i = 0; i < 30; i++) buf[i] = '[', buf[60 - 1 - i] = ']';
  ASSERT(get(mg_str_n(buf, 60), "$", &n) == 0 && n == 60);
  for (i = 0; i < 31; i++) buf[i] = '[', buf[62 - 1 - i] = ']';
  ASSERT(get(mg_str_n(buf, 62), "$", &n) == MG_JSON_TOO_DEEP && n == 0);
  ASSERT(MG_JSON_MAX_DEPTH == 30);
}

static void test_null_and_empty(void) {
  int n;
  ASSERT(get(mg_str_n(NULL, 0), "$", &n) == MG_JSON_NOT_FOUND && n == 0);
  ASSERT(get(mg_str_n(NULL, 5), "$", &n) == MG_JSON_NOT_FOUND);
  ASSERT(get(S(""), "$", &n) == MG_JSON_NOT_FOUND);
  ASSERT(get(mg_str(J), NULL, &n) == MG_JSON_INVALID && n == 0);
  ASSERT(get(mg_str(J), "", &n) == MG_JSON_INVALID);
  struct mg_str t = mg_json_get_tok(mg_str(J), NULL);
  ASSERT(t.buf == NULL && t.len == 0);
  ASSERT(mg_json_get_num(mg_str_n(NULL, 0), "$", NULL) == false);
  ASSERT(mg_json_get_long(mg_str(J), NULL, 42) == 42);
  ASSERT(mg_json_get_str(mg_str_n(NULL, 0), "$") == NULL);
  ASSERT(mg_json_get_hex(mg_str(J), NULL, NULL) == NULL);
  ASSERT(mg_json_get_b64(mg_str(J), "$.zz", NULL) == NULL);
  ASSERT(mg_json_unescape(S("\"x\""), "$", NULL, 10) == 0);
  ASSERT(mg_json_next(mg_str_n(NULL, 0), 0, NULL, NULL) == 0);
}

static void test_tok_num_bool_long(void) {
  struct mg_str j = S("{\"s\":\"a\\\"b\",\"n\":-12.5e1,\"i\":12345678901,"
                      "\"t\":true,\"f\":false,\"z\":null,\"big\":1e400}");
  struct mg_str t = mg_json_get_tok(j, "$.s");
  ASSERT(t.buf == j.buf + 5);
  ASSERT_MEM(t.buf, t.len, "\"a\\\"b\"");
  double d = 0;
  bool b = false;
  ASSERT(mg_json_get_num(j, "$.n", &d) && d == -125.0);
  ASSERT(mg_json_get_num(j, "$.n", NULL));
  ASSERT(!mg_json_get_num(j, "$.s", &d));
  ASSERT(!mg_json_get_num(j, "$.t", &d));
  ASSERT(mg_json_get_num(S("0.1"), "$", &d) && d == 0.1);
  ASSERT(mg_json_get_num(S("1e-320"), "$", &d) && d == 1e-308);  // 308 cap
  ASSERT(mg_json_get_bool(j, "$.t", &b) && b == true);
  ASSERT(mg_json_get_bool(j, "$.f", &b) && b == false);
  ASSERT(mg_json_get_bool(j, "$.f", NULL));
  ASSERT(!mg_json_get_bool(j, "$.z", &b));
  ASSERT(mg_json_get_long(j, "$.i", 0) == 12345678901L);
  ASSERT(mg_json_get_long(j, "$.n", 0) == -125);
  ASSERT(mg_json_get_long(j, "$.s", 7) == 7);
  ASSERT(mg_json_get_long(j, "$.big", 7) == (long) (-9223372036854775807L - 1));
  ASSERT(mg_json_get_long(S("9007199254740993"), "$", 0) == 9007199254740992L);
}

static void test_heap_strings(void) {
  char *s;
  int n;
  s = mg_json_get_str(S("{\"a\":\"x\\n\\u0041\\u00e9\"}"), "$.a");
  ASSERT(s != NULL && strcmp(s, "x\nA\xe9") == 0);
  mg_free(s);
  s = mg_json_get_str(S("\"\""), "$");
  ASSERT(s != NULL && s[0] == '\0');
  free(s);  // mg_free and free are interchangeable
  s = mg_json_get_str(S("\"a\\u20acb\""), "$");  // stops at \u20ac
  ASSERT(s != NULL && strcmp(s, "a") == 0);
  mg_free(s);
  ASSERT(mg_json_get_str(S("\"a\\/b\""), "$") == NULL);  // \/ unsupported
  ASSERT(mg_json_get_str(S("\"\\u0100\""), "$") == NULL);
  ASSERT(mg_json_get_str(S("12"), "$") == NULL);

  n = -1;
  s = mg_json_get_hex(S("\"0aFF\""), "$", &n);
  ASSERT(s != NULL && n == 2 && s[0] == 10 && (unsigned char) s[1] == 255 && s[2] == 0);
  mg_free(s);
  s = mg_json_get_hex(S("\"\""), "$", &n);
  ASSERT(s != NULL && n == 0 && s[0] == 0);
  mg_free(s);
  n = -1;
  ASSERT(mg_json_get_hex(S("\"0a1\""), "$", &n) == NULL && n == -1);
  ASSERT(mg_json_get_hex(S("\"0g\""), "$", &n) == NULL && n == -1);

  s = mg_json_get_b64(S("{\"k\":\"aGVsbG8=\"}"), "$.k", &n);
  ASSERT(s != NULL && n == 5 && strcmp(s, "hello") == 0);
  mg_free(s);
  s = mg_json_get_b64(S("\"aGVsbG8\""), "$", &n);  // partial group dropped
  ASSERT(s != NULL && n == 3 && strcmp(s, "hel") == 0);
  mg_free(s);
  s = mg_json_get_b64(S("\"aGV!bG8=\""), "$", &n);  // bad char: empty
  ASSERT(s != NULL && n == 0 && s[0] == 0);
  mg_free(s);
  s = mg_json_get_b64(S("\"YQ==YQ==\""), "$", &n);
  ASSERT(s != NULL && n == 2 && strcmp(s, "aa") == 0);
  mg_free(s);
  n = -1;
  ASSERT(mg_json_get_b64(S("true"), "$", &n) == NULL && n == -1);
}

static void test_unescape(void) {
  char buf[16];
  struct mg_str j = S("{\"s\":\"abc\",\"e\":\"\",\"u\":\"\\u00e9x\",\"bad\":\"a\\/b\"}");
  memset(buf, 'Z', sizeof(buf));
  ASSERT(mg_json_unescape(j, "$.s", buf, sizeof(buf)) == 3);
  ASSERT(strcmp(buf, "abc") == 0);
  // Too small: 0 and a truncated, terminated prefix.
  memset(buf, 'Z', sizeof(buf));
  ASSERT(mg_json_unescape(j, "$.s", buf, 3) == 0);
  ASSERT(memcmp(buf, "ab\0Z", 4) == 0);
  memset(buf, 'Z', sizeof(buf));
  ASSERT(mg_json_unescape(j, "$.s", buf, 4) == 3 && memcmp(buf, "abc\0Z", 5) == 0);
  memset(buf, 'Z', sizeof(buf));
  ASSERT(mg_json_unescape(j, "$.s", buf, 0) == 0 && buf[0] == 'Z');
  memset(buf, 'Z', sizeof(buf));
  ASSERT(mg_json_unescape(j, "$.e", buf, 2) == 0 && buf[0] == 0 && buf[1] == 'Z');
  ASSERT(mg_json_unescape(j, "$.u", buf, sizeof(buf)) == 2);
  ASSERT(strcmp(buf, "\xe9x") == 0);
  // Unsupported escape: 0, the bytes before it, no NUL.
  memset(buf, 'Z', sizeof(buf));
  ASSERT(mg_json_unescape(j, "$.bad", buf, sizeof(buf)) == 0);
  ASSERT(buf[0] == 'a' && buf[1] == 'Z');
  ASSERT(mg_json_unescape(j, "$.x", buf, sizeof(buf)) == 0);
}

static void test_next(void) {
  struct mg_str o = S("{\"a\": 1, \"b\" : [2,3], \"c\":\"x\"}"), k, v;
  size_t ofs = mg_json_next(o, 0, &k, &v);
  ASSERT(ofs == 8);
  ASSERT_MEM(k.buf, k.len, "\"a\"");
  ASSERT_MEM(v.buf, v.len, "1");
  ofs = mg_json_next(o, ofs, &k, &v);
  ASSERT(ofs == 21);
  ASSERT_MEM(k.buf, k.len, "\"b\"");
  ASSERT_MEM(v.buf, v.len, "[2,3]");
  ofs = mg_json_next(o, ofs, NULL, &v);
  ASSERT(ofs == 29);
  ASSERT_MEM(v.buf, v.len, "\"x\"");
  ASSERT(mg_json_next(o, ofs, &k, &v) == 0);

  struct mg_str a = S("[ 1, {\"x\":2} ,\"s\"]");
  size_t want[] = {4, 14, 17, 0};
  const char *vals[] = {"1", "{\"x\":2}", "\"s\""};
  int i = 0;
  ofs = 0;
  do {
    k.buf = (char *) 1;
    ofs = mg_json_next(a, ofs, &k, &v);
    ASSERT(ofs == want[i]);
    if (ofs == 0) break;
    ASSERT(k.buf == NULL && k.len == 0);
    ASSERT_MEM(v.buf, v.len, vals[i]);
    i++;
  } while (i < 4);
  ASSERT(i == 3);
  ASSERT(mg_json_next(S("{}"), 0, &k, &v) == 0);
  ASSERT(mg_json_next(S("1"), 0, &k, &v) == 0);
  ASSERT(mg_json_next(S("[1,,2]"), 3, &k, &v) == 0);
}

int main(void) {
  test_get();
  test_depth();
  test_null_and_empty();
  test_tok_num_bool_long();
  test_heap_strings();
  test_unescape();
  test_next();
  TEST_DONE();
}
