// JSON Web Tokens from C (API.md section 22): tokens observed from
// Mongoose 7.23 for the same inputs (hard-coded), RFC 7515 examples, the
// staged buffer writes, and verification failures (tampering, wrong alg,
// wrong key, malformed tokens, small buffers, NULL arguments).
#include "test.h"

static const char *s_jwt_io =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

static struct mg_jwt_opts opts_hs(const char *claims, const char *header, const char *kid,
                                  const char *secret) {
  struct mg_jwt_opts o;
  memset(&o, 0, sizeof(o));
  o.claims = mg_str(claims);
  o.header = mg_str(header);
  o.kid = mg_str(kid);
  o.secret = mg_str(secret);
  return o;
}

static void test_hs256_sign(void) {
  char buf[400];
  struct mg_jwt_opts o =
      opts_hs("{\"sub\":\"1234567890\",\"name\":\"John Doe\",\"iat\":1516239022}", "", "",
              "your-256-bit-secret");
  size_t n = mg_jwt_sign_hs256(&o, buf, sizeof(buf));
  ASSERT_MEM(buf, n, s_jwt_io);
  ASSERT(buf[n] == '\0');

  // kid and extra header members (observed from Mongoose 7.23).
  o = opts_hs("{\"sub\":\"joe\",\"exp\":1300819380}", "\"x5t\":\"abc\"", "key-1", "secret");
  n = mg_jwt_sign_hs256(&o, buf, sizeof(buf));
  ASSERT_MEM(buf, n,
             "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImtleS0xIiwieDV0IjoiYWJjIn0."
             "eyJzdWIiOiJqb2UiLCJleHAiOjEzMDA4MTkzODB9."
             "A0GNlMYlyT6qRzY2fdXBvgvfSDuZtN4u7GRZz102nck");
  // The kid is JSON-escaped: {"alg":"HS256","typ":"JWT","kid":"a\"b\\c\n"}.
  o = opts_hs("{}", "", "a\"b\\c\n", "s");
  n = mg_jwt_sign_hs256(&o, buf, sizeof(buf));
  ASSERT_MEM(buf, n,
             "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImFcImJcXGNcbiJ9.e30."
             "Hg7hiE-ltrkRRdnkNe05tbGK8H9MpE-RGskN9kOUGg4");
}

// Each stage (header, '.', claims, '.', signature) needs base64url's room;
// a stage that does not fit returns 0 and leaves the earlier ones.
static void test_hs256_sign_buffer(void) {
  const char *h = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";  // 36 chars
  char buf[100], want[100];
  struct mg_jwt_opts o = opts_hs("{}", "", "", "k");
  memset(buf, 0xAA, sizeof(buf));
  ASSERT(mg_jwt_sign_hs256(&o, buf, 36) == 0);
  ASSERT(buf[0] == 0 && (unsigned char) buf[1] == 0xAA);
  memset(buf, 0xAA, sizeof(buf));
  ASSERT(mg_jwt_sign_hs256(&o, buf, 37) == 0);
  ASSERT(memcmp(buf, h, 36) == 0 && buf[36] == 0);
  memset(buf, 0xAA, sizeof(buf));
  ASSERT(mg_jwt_sign_hs256(&o, buf, 42) == 0);
  snprintf(want, sizeof(want), "%s.e30.", h);
  ASSERT_STR(buf, want);
  memset(buf, 0xAA, sizeof(buf));
  ASSERT(mg_jwt_sign_hs256(&o, buf, 85) == 0);
  ASSERT_STR(buf, want);
  ASSERT(mg_jwt_sign_hs256(&o, buf, 86) == 84);
  snprintf(want, sizeof(want), "%s.e30.sdq8hlcnGupCQofW8T3WXS8lMHPKjY78f7plDHoTsoI", h);
  ASSERT_STR(buf, want);
  ASSERT(mg_jwt_sign_hs256(&o, NULL, 0) == 0);
  ASSERT(mg_jwt_sign_hs256(NULL, buf, sizeof(buf)) == 0);
  // Empty claims: 0.
  o = opts_hs("", "", "", "k");
  ASSERT(mg_jwt_sign_hs256(&o, buf, sizeof(buf)) == 0);
}

static size_t verify_hs(const char *tok, const char *secret, char *buf, size_t len) {
  struct mg_jwt_opts o = opts_hs("", "", "", secret);
  memset(buf, 0xAA, len);
  return mg_jwt_verify_hs256(mg_str(tok), &o, buf, len);
}

static void test_hs256_verify(void) {
  char buf[200], tok[300];
  size_t n = verify_hs(s_jwt_io, "your-256-bit-secret", buf, sizeof(buf));
  ASSERT_MEM(buf, n, "{\"sub\":\"1234567890\",\"name\":\"John Doe\",\"iat\":1516239022}");
  ASSERT(buf[n] == '\0');
  ASSERT(verify_hs(s_jwt_io, "wrong", buf, sizeof(buf)) == 0);
  ASSERT((unsigned char) buf[0] == 0xAA);  // nothing written
  // Claims that do not fit: 0, the bytes decoded so far minus the first.
  ASSERT(verify_hs(s_jwt_io, "your-256-bit-secret", buf, 55) == 0);
  ASSERT(buf[0] == 0 && memcmp(buf + 1, "\"sub\"", 5) == 0);
  ASSERT(verify_hs(s_jwt_io, "your-256-bit-secret", buf, 56) == 55);
  // Tampered signature, claims, header.
  snprintf(tok, sizeof(tok), "%s", s_jwt_io);
  tok[strlen(tok) - 2] = 'x';
  ASSERT(verify_hs(tok, "your-256-bit-secret", buf, sizeof(buf)) == 0);
  snprintf(tok, sizeof(tok), "%s", s_jwt_io);
  tok[40] = 'A';
  ASSERT(verify_hs(tok, "your-256-bit-secret", buf, sizeof(buf)) == 0);
  snprintf(tok, sizeof(tok), "%s", s_jwt_io);
  tok[5] = 'A';
  ASSERT(verify_hs(tok, "your-256-bit-secret", buf, sizeof(buf)) == 0);
  // Malformed: two parts, extra part, trailing garbage; '=' padding is fine.
  ASSERT(verify_hs("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30", "k", buf, sizeof(buf)) == 0);
  snprintf(tok, sizeof(tok), "%s.x", s_jwt_io);
  ASSERT(verify_hs(tok, "your-256-bit-secret", buf, sizeof(buf)) == 0);
  snprintf(tok, sizeof(tok), "%sA", s_jwt_io);
  ASSERT(verify_hs(tok, "your-256-bit-secret", buf, sizeof(buf)) == 0);
  snprintf(tok, sizeof(tok), "%s=", s_jwt_io);
  ASSERT(verify_hs(tok, "your-256-bit-secret", buf, sizeof(buf)) == 55);
  ASSERT(verify_hs("", "k", buf, sizeof(buf)) == 0);
  ASSERT(verify_hs("..", "k", buf, sizeof(buf)) == 0);
  // alg must be "HS256": {"alg":"none"}.{} signed with "k".
  ASSERT(verify_hs("eyJhbGciOiJub25lIn0.e30.nQECNYnu8-DSlB0WxcW5pX0hHKCVU2nD_do30prz46I", "k",
                   buf, sizeof(buf)) == 0);
  // Mongoose checks no claim: {"exp":1} long expired still verifies.
  {
    struct mg_jwt_opts o = opts_hs("{\"exp\":1}", "", "", "k");
    ASSERT(mg_jwt_sign_hs256(&o, tok, sizeof(tok)) > 0);
    n = verify_hs(tok, "k", buf, sizeof(buf));
    ASSERT_MEM(buf, n, "{\"exp\":1}");
  }
  ASSERT(mg_jwt_verify_hs256(mg_str(s_jwt_io), NULL, buf, sizeof(buf)) == 0);

  // RFC 7515 A.1: HS256 with a 64-byte key, used as is per RFC 2104.
  // (Mongoose 7.23 hashes 64-byte keys and rejects this token.)
  {
    static const unsigned char k[64] = {
        0x03, 0x23, 0x35, 0x4b, 0x2b, 0x0f, 0xa5, 0xbc, 0x83, 0x7e, 0x06, 0x65, 0x77,
        0x7b, 0xa6, 0x8f, 0x5a, 0xb3, 0x28, 0xe6, 0xf0, 0x54, 0xc9, 0x28, 0xa9, 0x0f,
        0x84, 0xb2, 0xd2, 0x50, 0x2e, 0xbf, 0xd3, 0xfb, 0x5a, 0x92, 0xd2, 0x06, 0x47,
        0xef, 0x96, 0x8a, 0xb4, 0xc3, 0x77, 0x62, 0x3d, 0x22, 0x3d, 0x2e, 0x21, 0x72,
        0x05, 0x2e, 0x4f, 0x08, 0xc0, 0xcd, 0x9a, 0xf5, 0x67, 0xd0, 0x80, 0xa3};
    struct mg_jwt_opts o = opts_hs("", "", "", "");
    o.secret = mg_str_n((const char *) k, sizeof(k));
    n = mg_jwt_verify_hs256(
        mg_str("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
               "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
               "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        &o, buf, sizeof(buf));
    ASSERT_MEM(buf, n,
               "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n "
               "\"http://example.com/is_root\":true}");
  }
}

// P-256 private key 12345 and its public key (X || Y).
static uint8_t s_d[32];
static const uint8_t s_q[64] = {
    0x26, 0xef, 0xce, 0xbd, 0x0e, 0xe9, 0xe3, 0x4a, 0x66, 0x91, 0x87, 0xe1, 0x8b,
    0x3a, 0x91, 0x22, 0xb2, 0xf7, 0x33, 0x94, 0x5b, 0x64, 0x9c, 0xc9, 0xf9, 0xf9,
    0x21, 0xe9, 0xf9, 0xda, 0xd8, 0x12, 0x90, 0x23, 0x8b, 0xde, 0x9c, 0xc7, 0xbb,
    0x33, 0x0d, 0x15, 0x0c, 0x67, 0x70, 0x4d, 0xd2, 0x5a, 0xe7, 0x05, 0x52, 0x05,
    0x74, 0x4b, 0x6f, 0x31, 0xbf, 0x40, 0x70, 0x74, 0x58, 0x72, 0xd0, 0xe6};

static void test_es256(void) {
  char buf[400], claims[200];
  struct mg_jwt_opts o;
  size_t n;
  s_d[30] = 0x30;  // 12345 = 0x3039
  s_d[31] = 0x39;
  memset(&o, 0, sizeof(o));
  o.private_key = s_d;
  o.public_key = s_q;

  // Deterministic signatures, identical to Mongoose 7.23's.
  o.claims = mg_str("{\"a\":1}");
  n = mg_jwt_sign_es256(&o, buf, sizeof(buf));
  ASSERT_MEM(buf, n,
             "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJhIjoxfQ."
             "876RsrpwTmZYsSirK2JyXIp44NCqbmWXzj0QkZiblUX3QxS0MFLWN7oNmk2xFABS0e5pm_mtyaf72LEgPzO4CQ");
  n = mg_jwt_verify_es256(mg_str(buf), &o, claims, sizeof(claims));
  ASSERT_MEM(claims, n, "{\"a\":1}");
  // HS256 verification of an ES256 token fails on the alg.
  o.secret = mg_str("k");
  ASSERT(mg_jwt_verify_hs256(mg_str(buf), &o, claims, sizeof(claims)) == 0);

  o.claims = mg_str("{\"sub\":\"joe\",\"exp\":1300819380}");
  o.kid = mg_str("key-1");
  o.header = mg_str("\"x5t\":\"abc\"");
  n = mg_jwt_sign_es256(&o, buf, sizeof(buf));
  ASSERT_MEM(buf, n,
             "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImtleS0xIiwieDV0IjoiYWJjIn0."
             "eyJzdWIiOiJqb2UiLCJleHAiOjEzMDA4MTkzODB9."
             "6H57v_LD1LeM-k1M5OVbPuMDvOOmABJYUlPfqWzpWPxgNAaz82gM67qFMnSl4fnxgyAdfISzhbkk9hX4OKiOug");
  // Signature needs 4*22+1 bytes after "header.claims.".
  ASSERT(mg_jwt_sign_es256(&o, buf, n) == 0);
  ASSERT(mg_jwt_sign_es256(&o, buf, n + 3) == n);

  // Tampered signature (last character changes kept bits), wrong key.
  buf[n - 2] = (char) (buf[n - 2] == 'A' ? 'B' : 'A');
  ASSERT(mg_jwt_verify_es256(mg_str(buf), &o, claims, sizeof(claims)) == 0);
  {
    uint8_t q2[64];
    memcpy(q2, s_q, 64);
    q2[63] ^= 1;  // not on the curve
    o.public_key = q2;
    ASSERT(mg_jwt_verify_es256(mg_str(buf), &o, claims, sizeof(claims)) == 0);
    o.public_key = s_q;
  }

  // RFC 7515 A.3 (ECDSA P-256 SHA-256; a random signature made elsewhere).
  {
    static const uint8_t q[64] = {
        0x7f, 0xcd, 0xce, 0x27, 0x70, 0xf6, 0xc4, 0x5d, 0x41, 0x83, 0xcb, 0xee, 0x6f,
        0xdb, 0x4b, 0x7b, 0x58, 0x07, 0x33, 0x35, 0x7b, 0xe9, 0xef, 0x13, 0xba, 0xcf,
        0x6e, 0x3c, 0x7b, 0xd1, 0x54, 0x45, 0xc7, 0xf1, 0x44, 0xcd, 0x1b, 0xbd, 0x9b,
        0x7e, 0x87, 0x2c, 0xdf, 0xed, 0xb9, 0xee, 0xb9, 0xf4, 0xb3, 0x69, 0x5d, 0x6e,
        0xa9, 0x0b, 0x24, 0xad, 0x8a, 0x46, 0x23, 0x28, 0x85, 0x88, 0xe5, 0xad};
    const char *t =
        "eyJhbGciOiJFUzI1NiJ9."
        "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9p"
        "c19yb290Ijp0cnVlfQ."
        "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-"
        "Kg6NU1Q";
    o.public_key = q;
    n = mg_jwt_verify_es256(mg_str(t), &o, claims, sizeof(claims));
    ASSERT(n == 70);
    o.public_key = s_q;
    ASSERT(mg_jwt_verify_es256(mg_str(t), &o, claims, sizeof(claims)) == 0);
  }

  // NULL keys and options: 0, no crash.
  o.private_key = NULL;
  ASSERT(mg_jwt_sign_es256(&o, buf, sizeof(buf)) == 0);
  o.public_key = NULL;
  ASSERT(mg_jwt_verify_es256(mg_str(buf), &o, claims, sizeof(claims)) == 0);
  ASSERT(mg_jwt_sign_es256(NULL, buf, sizeof(buf)) == 0);
  // A zero private key signs anyway, as in Mongoose (nothing verifies it).
  {
    uint8_t zero[32];
    memset(zero, 0, sizeof(zero));
    memset(&o, 0, sizeof(o));
    o.claims = mg_str("{}");
    o.private_key = zero;
    n = mg_jwt_sign_es256(&o, buf, sizeof(buf));
    ASSERT_MEM(buf, n,
               "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.e30."
               "4mmifczXDuq0dDMv9H6b__QAoW-NU42qfI0ZCRrwuWSJ8ufBjU_7y6j4VzbNhyZTxHAixwo15oax9bSR6ZRfuw");
  }
}

int main(void) {
  test_hs256_sign();
  test_hs256_sign_buffer();
  test_hs256_verify();
  test_es256();
  TEST_DONE();
}
