// Encoders and hashes from C (API.md section 15): RFC digest vectors
// (RFC 1321, 3174, 6234), split updates, contexts copied mid-stream,
// HMAC-SHA256 (RFC 4231), base64 (RFC 4648) and Mongoose 7.23's base64
// quirks (values observed from Mongoose 7.23, hard-coded).
#include "test.h"

static void hex(const unsigned char *p, size_t n, char *out) {
  static const char *d = "0123456789abcdef";
  size_t i;
  for (i = 0; i < n; i++) {
    out[2 * i] = d[p[i] >> 4];
    out[2 * i + 1] = d[p[i] & 15];
  }
  out[2 * n] = '\0';
}

#define ASSERT_HEX(digest, n, want)         \
  do {                                      \
    char h_[2 * 64 + 1];                    \
    hex((digest), (n), h_);                 \
    ASSERT_STR(h_, (want));                 \
  } while (0)

static const char *s_abc448 =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char *s_abc896 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop"
    "jklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

static void md5_of(const char *s, unsigned char d[16]) {
  mg_md5_ctx c;
  mg_md5_init(&c);
  mg_md5_update(&c, (const unsigned char *) s, strlen(s));
  mg_md5_final(&c, d);
}

static void test_md5(void) {
  static const char *v[][2] = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
       "d174ab98d277d9f5a5611c2c9f419d9f"},
      {"1234567890123456789012345678901234567890123456789012345678901234567"
       "8901234567890",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  size_t i;
  unsigned char d[16];
  for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
    md5_of(v[i][0], d);
    ASSERT_HEX(d, 16, v[i][1]);
  }
}

static void test_sha1(void) {
  unsigned char d[20];
  mg_sha1_ctx c;
  int i;
  mg_sha1_init(&c);
  mg_sha1_update(&c, (const unsigned char *) "abc", 3);
  mg_sha1_final(d, &c);
  ASSERT_HEX(d, 20, "a9993e364706816aba3e25717850c26c9cd0d89d");
  mg_sha1_init(&c);
  mg_sha1_update(&c, (const unsigned char *) s_abc448, strlen(s_abc448));
  mg_sha1_final(d, &c);
  ASSERT_HEX(d, 20, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  // RFC 3174 test 3: a million 'a' in 1000-byte updates.
  {
    unsigned char a[1000];
    memset(a, 'a', sizeof(a));
    mg_sha1_init(&c);
    for (i = 0; i < 1000; i++) mg_sha1_update(&c, a, sizeof(a));
    mg_sha1_final(d, &c);
    ASSERT_HEX(d, 20, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  }
  // RFC 3174 test 4: "01234567" * 8, ten times.
  mg_sha1_init(&c);
  for (i = 0; i < 80; i++) mg_sha1_update(&c, (const unsigned char *) "01234567", 8);
  mg_sha1_final(d, &c);
  ASSERT_HEX(d, 20, "dea356a2cddd90c7a7ecedc5ebb563934f460452");
  mg_sha1_init(&c);
  mg_sha1_update(&c, NULL, 0);
  mg_sha1_final(d, &c);
  ASSERT_HEX(d, 20, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

static void test_sha256(void) {
  unsigned char d[32];
  mg_sha256_ctx c;
  mg_sha256(d, (uint8_t *) "abc", 3);
  ASSERT_HEX(d, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  mg_sha256(d, (uint8_t *) s_abc448, strlen(s_abc448));
  ASSERT_HEX(d, 32, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  mg_sha256(d, NULL, 0);
  ASSERT_HEX(d, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  {
    unsigned char a[1000];
    int i;
    memset(a, 'a', sizeof(a));
    mg_sha256_init(&c);
    for (i = 0; i < 1000; i++) mg_sha256_update(&c, a, sizeof(a));
    mg_sha256_final(d, &c);
    ASSERT_HEX(d, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }
}

static void test_sha384(void) {
  unsigned char d[48];
  mg_sha384_ctx c;
  mg_sha384(d, (uint8_t *) "abc", 3);
  ASSERT_HEX(d, 48,
             "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
             "8086072ba1e7cc2358baeca134c825a7");
  mg_sha384(d, (uint8_t *) s_abc896, strlen(s_abc896));
  ASSERT_HEX(d, 48,
             "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712"
             "fcc7c71a557e2db966c3e9fa91746039");
  mg_sha384_init(&c);
  mg_sha384_final(d, &c);
  ASSERT_HEX(d, 48,
             "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da"
             "274edebfe76f65fbd51ad2f14898b95b");
}

// Byte-at-a-time updates equal one-shot ones for every length around the
// block and padding boundaries; a context copied mid-stream (memcpy, as a
// stack struct) continues independently of the original.
static void test_split_and_copy(void) {
  unsigned char msg[300];
  size_t len, i;
  for (i = 0; i < sizeof(msg); i++) msg[i] = (unsigned char) (i * 31 + 7);
  for (len = 0; len <= 260; len += (len < 140 ? 1 : 13)) {
    unsigned char a[48], b[48];
    mg_md5_ctx m1, m2;
    mg_sha1_ctx s1, s2;
    mg_sha256_ctx t1, t2;
    mg_sha384_ctx u1, u2;
    mg_md5_init(&m1);
    mg_sha1_init(&s1);
    mg_sha256_init(&t1);
    mg_sha384_init(&u1);
    for (i = 0; i < len; i++) {
      mg_md5_update(&m1, msg + i, 1);
      mg_sha1_update(&s1, msg + i, 1);
      mg_sha256_update(&t1, msg + i, 1);
      mg_sha384_update(&u1, msg + i, 1);
    }
    memcpy(&m2, &m1, sizeof(m1));
    memcpy(&s2, &s1, sizeof(s1));
    memcpy(&t2, &t1, sizeof(t1));
    memcpy(&u2, &u1, sizeof(u1));
    // The copies get a tail; the originals end here.
    mg_md5_update(&m2, msg + len, 40);
    mg_sha1_update(&s2, msg + len, 40);
    mg_sha256_update(&t2, msg + len, 40);
    mg_sha384_update(&u2, msg + len, 40);

    mg_md5_final(&m1, a);
    {
      mg_md5_ctx c;
      mg_md5_init(&c);
      mg_md5_update(&c, msg, len);
      mg_md5_final(&c, b);
    }
    ASSERT(memcmp(a, b, 16) == 0);
    mg_md5_final(&m2, a);
    {
      mg_md5_ctx c;
      mg_md5_init(&c);
      mg_md5_update(&c, msg, len + 40);
      mg_md5_final(&c, b);
    }
    ASSERT(memcmp(a, b, 16) == 0);

    mg_sha1_final(a, &s1);
    {
      mg_sha1_ctx c;
      mg_sha1_init(&c);
      mg_sha1_update(&c, msg, len);
      mg_sha1_final(b, &c);
    }
    ASSERT(memcmp(a, b, 20) == 0);
    mg_sha1_final(a, &s2);
    {
      mg_sha1_ctx c;
      mg_sha1_init(&c);
      mg_sha1_update(&c, msg, len + 40);
      mg_sha1_final(b, &c);
    }
    ASSERT(memcmp(a, b, 20) == 0);

    mg_sha256_final(a, &t1);
    mg_sha256(b, msg, len);
    ASSERT(memcmp(a, b, 32) == 0);
    mg_sha256_final(a, &t2);
    mg_sha256(b, msg, len + 40);
    ASSERT(memcmp(a, b, 32) == 0);

    mg_sha384_final(a, &u1);
    mg_sha384(b, msg, len);
    ASSERT(memcmp(a, b, 48) == 0);
    mg_sha384_final(a, &u2);
    mg_sha384(b, msg, len + 40);
    ASSERT(memcmp(a, b, 48) == 0);
  }
}

static void test_hmac(void) {
  uint8_t d[32], key[131], data[152];
  // RFC 4231 test cases 1, 2, 3, 4, 6, 7.
  memset(key, 0x0b, 20);
  mg_hmac_sha256(d, key, 20, (uint8_t *) "Hi There", 8);
  ASSERT_HEX(d, 32, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  mg_hmac_sha256(d, (uint8_t *) "Jefe", 4, (uint8_t *) "what do ya want for nothing?", 28);
  ASSERT_HEX(d, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  memset(key, 0xaa, 20);
  memset(data, 0xdd, 50);
  mg_hmac_sha256(d, key, 20, data, 50);
  ASSERT_HEX(d, 32, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  {
    uint8_t i;
    for (i = 0; i < 25; i++) key[i] = (uint8_t) (i + 1);
  }
  memset(data, 0xcd, 50);
  mg_hmac_sha256(d, key, 25, data, 50);
  ASSERT_HEX(d, 32, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  memset(key, 0xaa, 131);
  mg_hmac_sha256(d, key, 131, (uint8_t *) "Test Using Larger Than Block-Size Key - Hash Key First", 54);
  ASSERT_HEX(d, 32, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  {
    const char *m =
        "This is a test using a larger than block-size key and a larger than "
        "block-size data. The key needs to be hashed before being used by the "
        "HMAC algorithm.";
    mg_hmac_sha256(d, key, 131, (uint8_t *) m, strlen(m));
    ASSERT_HEX(d, 32, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  }
  // RFC 2104 with a 64-byte key: the key is used as is. (Mongoose 7.23 hashes
  // it first and gives a8dca980... for this input.)
  {
    uint8_t i, pad[64 + 5], inner[32], outer[64 + 32];
    for (i = 0; i < 64; i++) key[i] = (uint8_t) (i * 7 + 1);
    for (i = 0; i < 64; i++) pad[i] = key[i] ^ 0x36;
    memcpy(pad + 64, "hello", 5);
    mg_sha256(inner, pad, sizeof(pad));
    for (i = 0; i < 64; i++) outer[i] = key[i] ^ 0x5c;
    memcpy(outer + 64, inner, 32);
    mg_sha256(data, outer, sizeof(outer));
    mg_hmac_sha256(d, key, 64, (uint8_t *) "hello", 5);
    ASSERT(memcmp(d, data, 32) == 0);
    ASSERT_HEX(d, 32, "c30ad1f5dd5396c7e1efac42ba269a86d09786eca566b3ebe75b449c58d5a73c");
  }
  mg_hmac_sha256(d, NULL, 0, NULL, 0);
  ASSERT_HEX(d, 32, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

// Encode into a buffer of `dl` bytes prefilled with 0xAA.
static size_t enc(size_t (*f)(const unsigned char *, size_t, char *, size_t),
                  const char *src, size_t n, char *buf, size_t dl) {
  memset(buf, 0xAA, 64);
  return f((const unsigned char *) src, n, buf, dl);
}

static size_t dec(size_t (*f)(const char *, size_t, char *, size_t), const char *src,
                  char *buf, size_t dl) {
  memset(buf, 0xAA, 64);
  return f(src, strlen(src), buf, dl);
}

static void test_base64(void) {
  static const char *v[][2] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                               {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                               {"foobar", "Zm9vYmFy"}};
  char buf[64];
  size_t i, n;
  for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
    n = enc(mg_base64_encode, v[i][0], strlen(v[i][0]), buf, sizeof(buf));
    ASSERT_MEM(buf, n, v[i][1]);
    ASSERT(buf[n] == '\0');
    n = dec(mg_base64_decode, v[i][1], buf, sizeof(buf));
    ASSERT_MEM(buf, n, v[i][0]);
    ASSERT(buf[n] == '\0');
  }
  // Output size rule 4*ceil(n/3)+1; failure leaves buf[0] = 0 only.
  ASSERT(enc(mg_base64_encode, "abcd", 4, buf, 8) == 0);
  ASSERT(buf[0] == 0 && (unsigned char) buf[1] == 0xAA);
  ASSERT(enc(mg_base64_encode, "abcd", 4, buf, 9) == 8);
  ASSERT(enc(mg_base64_encode, "abcd", 4, buf, 0) == 0);
  ASSERT((unsigned char) buf[0] == 0xAA);
  ASSERT(mg_base64_encode((const unsigned char *) "x", 1, NULL, 0) == 0);
  // Decode size rule n/4*3+1.
  ASSERT(dec(mg_base64_decode, "aGVsbG8=", buf, 6) == 0 && buf[0] == 0);
  ASSERT(dec(mg_base64_decode, "aGVsbG8=", buf, 7) == 5);
  // Partial trailing group ignored, even with a bad character in it.
  n = dec(mg_base64_decode, "aGVsbG8", buf, sizeof(buf));
  ASSERT_MEM(buf, n, "hel");
  n = dec(mg_base64_decode, "aGVs*", buf, sizeof(buf));
  ASSERT_MEM(buf, n, "hel");
  // '=' ends a group early; decoding goes on with the next group.
  n = dec(mg_base64_decode, "aG==aGVs", buf, sizeof(buf));
  ASSERT_MEM(buf, n, "hhel");
  n = dec(mg_base64_decode, "aG=sbA==", buf, sizeof(buf));
  ASSERT_MEM(buf, n, "hl");
  // Invalid characters: 0, buf[0] = 0, earlier groups left behind.
  ASSERT(dec(mg_base64_decode, "aGVs\nbA==", buf, sizeof(buf)) == 0);
  ASSERT(memcmp(buf, "\0el\xaa", 4) == 0);
  ASSERT(dec(mg_base64_decode, "aG=*bA==", buf, sizeof(buf)) == 0);
  ASSERT(dec(mg_base64_decode, "====", buf, sizeof(buf)) == 0);
  ASSERT(dec(mg_base64_decode, "YW-_", buf, sizeof(buf)) == 0);
  ASSERT(mg_base64_decode(NULL, 0, NULL, 0) == 0);

  // URL-safe flavour: no padding, NULs where '=' would be.
  {
    const unsigned char bin[] = {0xfb, 0xff, 0xfe, 0xfa, 0xf0, 0x3e, 0x3f};
    memset(buf, 0xAA, sizeof(buf));
    n = mg_base64url_encode(bin, 7, buf, 13);
    ASSERT_MEM(buf, n, "-__--vA-Pw");
    ASSERT(memcmp(buf + 10, "\0\0\0", 3) == 0);
    ASSERT(mg_base64url_encode(bin, 7, buf, 12) == 0 && buf[0] == 0);
    n = dec(mg_base64url_decode, "-__--vA-Pw", buf, sizeof(buf));
    ASSERT(n == 7 && memcmp(buf, bin, 7) == 0 && buf[7] == 0);
  }
  n = dec(mg_base64url_decode, "aGVsbG8", buf, sizeof(buf));
  ASSERT_MEM(buf, n, "hello");
  n = dec(mg_base64url_decode, "aGVsbA==", buf, sizeof(buf));
  ASSERT_MEM(buf, n, "hell");
  n = dec(mg_base64url_decode, "aG=sbA", buf, sizeof(buf));
  ASSERT_MEM(buf, n, "h");
  ASSERT(dec(mg_base64url_decode, "aGVsb", buf, sizeof(buf)) == 0);  // n%4==1
  ASSERT(dec(mg_base64url_decode, "YW+/", buf, sizeof(buf)) == 0);
  // Written byte by byte: with room for 4 bytes + NUL, "hello" fails.
  ASSERT(dec(mg_base64url_decode, "aGVsbG8", buf, 5) == 0);
  ASSERT(memcmp(buf, "\0ell\xaa", 5) == 0);
  ASSERT(dec(mg_base64url_decode, "aGVsbG8", buf, 6) == 5);

  // Incremental encoder: the pending bits sit raw past the length.
  {
    const char *s = "hello world!!";
    size_t len = 0, k;
    memset(buf, 0xAA, sizeof(buf));
    len = mg_base64_update('a', buf, len);
    ASSERT(len == 1 && buf[0] == 'Y' && buf[1] == 0x10);
    len = 0;
    for (k = 0; k < strlen(s); k++) len = mg_base64_update((unsigned char) s[k], buf, len);
    len = mg_base64_final(buf, len);
    ASSERT_MEM(buf, len, "aGVsbG8gd29ybGQhIQ==");
    ASSERT(buf[len] == '\0');
    ASSERT(mg_base64_final(buf, 0) == 0 && buf[0] == '\0');
  }
}

int main(void) {
  test_md5();
  test_sha1();
  test_sha256();
  test_sha384();
  test_split_and_copy();
  test_hmac();
  test_base64();
  TEST_DONE();
}
