// URL helpers and mg_aton from C (API.md section 8): the measured URL table,
// default ports per scheme, IPv6 literals, credentials, URIs, IPv4 / IPv6 /
// IPv4-mapped / scoped addresses, and malformed or NULL input.
#include "test.h"

struct url_case {
  const char *url, *host;
  unsigned short port;
  const char *user, *pass, *uri;
  bool ssl;
};

// The "Measured examples" table of API.md section 8, then more forms.
static const struct url_case s_urls[] = {
    {"http://a.com", "a.com", 80, "", "", "/", false},
    {"https://user:pw@a.com:8443/x/y?q=1#f", "a.com", 8443, "user", "pw",
     "/x/y?q=1#f", true},
    {"ws://[::1]:9000/ws", "[::1]", 9000, "", "", "/ws", false},
    {"tcp://1.2.3.4", "1.2.3.4", 0, "", "", "/", false},
    {"udp://8.8.8.8:53", "8.8.8.8", 53, "", "", "/", false},
    {"mqtts://b", "b", 8883, "", "", "/", true},
    {"a.com:99", "a.com", 99, "", "", "/", false},
    {"http://u@h/", "h", 80, "u", "", "/", false},
    {"tls://x:1", "x", 1, "", "", "/", true},
    {":8000", "", 8000, "", "", "/", false},
    // Default ports.
    {"http://a.com/", "a.com", 80, "", "", "/", false},
    {"https://a.com", "a.com", 443, "", "", "/", true},
    {"ws://a.com/ws", "a.com", 80, "", "", "/ws", false},
    {"wss://a.com/ws", "a.com", 443, "", "", "/ws", true},
    {"mqtt://broker.hivemq.com", "broker.hivemq.com", 1883, "", "", "/", false},
    {"mqtts://broker", "broker", 8883, "", "", "/", true},
    {"ssl://x", "x", 0, "", "", "/", true},
    {"tcps://x", "x", 0, "", "", "/", true},
    {"udp://x", "x", 0, "", "", "/", false},
    {"foo://x", "x", 0, "", "", "/", false},
    {"a.com", "a.com", 0, "", "", "/", false},
    // An explicit port wins over the scheme's default.
    {"http://a.com:8080", "a.com", 8080, "", "", "/", false},
    {"https://a.com:80/", "a.com", 80, "", "", "/", true},
    {"mqtt://b:1884", "b", 1884, "", "", "/", false},
    // IPv6 literals keep their brackets; colons inside do not end the host.
    {"http://[::1]", "[::1]", 80, "", "", "/", false},
    {"http://[::1]/x", "[::1]", 80, "", "", "/x", false},
    {"https://[2001:db8::1]:8443/a?b", "[2001:db8::1]", 8443, "", "", "/a?b",
     true},
    {"udp://[fe80::1%3]:5353", "[fe80::1%3]", 5353, "", "", "/", false},
    {"tcp://[::]:1234", "[::]", 1234, "", "", "/", false},
    {"http://u:p@[::1]:81/z", "[::1]", 81, "u", "p", "/z", false},
    // Credentials.
    {"http://user:pass@host:8000/path", "host", 8000, "user", "pass", "/path",
     false},
    {"mqtt://user:@b", "b", 1883, "user", "", "/", false},
    {"mqtt://:secret@b", "b", 1883, "", "secret", "/", false},
    {"http://a:b:c@h", "h", 80, "a", "b:c", "/", false},
    // '@' and ':' after the first '/' belong to the URI.
    {"http://h/a@b", "h", 80, "", "", "/a@b", false},
    {"http://h/x:y", "h", 80, "", "", "/x:y", false},
    {"http://h:81/x:82", "h", 81, "", "", "/x:82", false},
    // URI with query / fragment only after a slash.
    {"http://h/?a=1", "h", 80, "", "", "/?a=1", false},
    {"http://h//double", "h", 80, "", "", "//double", false},
    // Degenerate forms.
    {"", "", 0, "", "", "/", false},
    {"http://", "", 80, "", "", "/", false},
    {"http://:81", "", 81, "", "", "/", false},
    {"http:///x", "", 80, "", "", "/x", false},
    // A non-numeric or empty port converts like atoi.
    {"http://h:", "h", 0, "", "", "/", false},
    {"http://h:abc", "h", 0, "", "", "/", false},
    {"http://h:12ab/", "h", 12, "", "", "/", false},
    // atoi then truncation to unsigned short.
    {"http://h:65535", "h", 65535, "", "", "/", false},
    {"http://h:65536", "h", 0, "", "", "/", false},
    {"http://h:70000", "h", 4464, "", "", "/", false},
    {"http://h:-1", "h", 65535, "", "", "/", false},
};

static void test_url_table(void) {
  size_t i;
  for (i = 0; i < sizeof(s_urls) / sizeof(s_urls[0]); i++) {
    const struct url_case *c = &s_urls[i];
    struct mg_str host = mg_url_host(c->url);
    struct mg_str user = mg_url_user(c->url);
    struct mg_str pass = mg_url_pass(c->url);
    const char *uri = mg_url_uri(c->url);
    unsigned short port = mg_url_port(c->url);
    bool ssl = mg_url_is_ssl(c->url);
    size_t n = strlen(c->url);
    int before = s_test_failures;

    ASSERT_MEM(host.buf, host.len, c->host);
    ASSERT_MEM(user.buf, user.len, c->user);
    ASSERT_MEM(pass.buf, pass.len, c->pass);
    ASSERT(uri != NULL);
    if (uri != NULL) ASSERT_STR(uri, c->uri);
    ASSERT(port == c->port);
    ASSERT(ssl == c->ssl);
    // Views point into the URL (empty credentials are "" views, non-NULL).
    ASSERT(host.buf != NULL);
    ASSERT(user.buf != NULL && pass.buf != NULL);
    if (host.len > 0) ASSERT(host.buf >= c->url && host.buf + host.len <= c->url + n);
    if (user.len > 0) ASSERT(user.buf >= c->url && user.buf + user.len <= c->url + n);
    if (pass.len > 0) ASSERT(pass.buf >= c->url && pass.buf + pass.len <= c->url + n);
    // A path is a pointer into the URL itself; without one, a static "/".
    if (strcmp(c->uri, "/") != 0 && uri != NULL) {
      ASSERT(uri >= c->url && uri < c->url + n);
    }
    if (s_test_failures != before) fprintf(stderr, "  ^ url: %s\n", c->url);
  }
}

static void test_url_misc(void) {
  // Scheme matching for TLS is case-sensitive and needs the colon.
  ASSERT(mg_url_is_ssl("HTTPS://a") == false);
  ASSERT(mg_url_is_ssl("https") == false);
  ASSERT(mg_url_is_ssl("https:") == true);
  ASSERT(mg_url_is_ssl("http://a") == false);
  ASSERT(mg_url_is_ssl("wss:") == true);
  ASSERT(mg_url_is_ssl("mqtt://a") == false);
  ASSERT(mg_url_is_ssl("") == false);
  // The default port table does not confuse prefixes of each other.
  ASSERT(mg_url_port("mqtt://a") == 1883);
  ASSERT(mg_url_port("mqtts://a") == 8883);
  ASSERT(mg_url_port("http://a") == 80);
  ASSERT(mg_url_port("https://a") == 443);
  ASSERT(mg_url_port("ws://a") == 80);
  ASSERT(mg_url_port("wss://a") == 443);
  ASSERT(mg_url_port("tcp://a") == 0);
  // mg_aton accepts the bracketed host mg_url_host returns.
  {
    struct mg_addr a;
    memset(&a, 0, sizeof(a));
    ASSERT(mg_aton(mg_url_host("ws://[::1]:9000/ws"), &a));
    ASSERT(a.is_ip6 && a.addr.ip[15] == 1);
    ASSERT(mg_aton(mg_url_host("http://10.0.0.1:80/"), &a));
    ASSERT(!a.is_ip6 && a.addr.ip[0] == 10 && a.addr.ip[3] == 1);
  }
  // NULL URLs: no crash, empty results, uri "/".
  {
    struct mg_str h = mg_url_host(NULL), u = mg_url_user(NULL),
                  p = mg_url_pass(NULL);
    const char *uri = mg_url_uri(NULL);
    ASSERT(h.len == 0 && u.len == 0 && p.len == 0);
    ASSERT(h.buf == NULL && u.buf == NULL && p.buf == NULL);
    ASSERT(mg_url_port(NULL) == 0);
    ASSERT(mg_url_is_ssl(NULL) == false);
    ASSERT(uri != NULL && strcmp(uri, "/") == 0);
  }
}

// The 16 bytes of an address as a comparison target.
static bool ip_is(const struct mg_addr *a, const uint8_t *want, size_t n) {
  return memcmp(a->addr.ip, want, n) == 0;
}

static void test_aton_ipv4(void) {
  static const uint8_t ip1234[4] = {1, 2, 3, 4};
  static const uint8_t lo[4] = {127, 0, 0, 1};
  static const uint8_t zero[16] = {0};
  static const uint8_t bcast[4] = {255, 255, 255, 255};
  static const char *bad[] = {
      "1.2.3",     "256.1.1.1", "1.2.3.4.5", "1.2.3.",   ".1.2.3",   "1..2.3",
      "1.2.3.256", "a.b.c.d",   "1.2.3.4 ",  " 1.2.3.4", "1.2.3.4:80", "1.2.3.-4",
      "1.2.3.4/8", "0x1.2.3.4", "1,2,3,4",   "...",      ".",        "localhost.",
      "local",     "1.2.3.4a",  "1000.2.3.4"};
  struct mg_addr a;
  size_t i;

  memset(&a, 0xee, sizeof(a));
  ASSERT(mg_aton(mg_str("1.2.3.4"), &a));
  ASSERT(ip_is(&a, ip1234, 4));
  ASSERT(a.addr.ip4 == MG_IPV4(1, 2, 3, 4));
  ASSERT(a.is_ip6 == false);
  // Only addr / is_ip6 are written: the port is untouched.
  ASSERT(a.port == 0xeeee);

  ASSERT(mg_aton(mg_str("255.255.255.255"), &a) && ip_is(&a, bcast, 4));
  ASSERT(mg_aton(mg_str("0.0.0.0"), &a) && a.addr.ip4 == 0 && !a.is_ip6);
  // Leading zeros are allowed.
  ASSERT(mg_aton(mg_str("01.2.3.4"), &a) && ip_is(&a, ip1234, 4));
  ASSERT(mg_aton(mg_str("001.002.003.004"), &a) && ip_is(&a, ip1234, 4));
  ASSERT(mg_aton(mg_str("0001.2.3.4"), &a) && ip_is(&a, ip1234, 4));
  ASSERT(mg_aton(mg_str("127.000.000.001"), &a) && ip_is(&a, lo, 4));

  // Empty string is 0.0.0.0; localhost in any case is 127.0.0.1.
  memset(&a, 0xee, sizeof(a));
  ASSERT(mg_aton(mg_str(""), &a));
  ASSERT(ip_is(&a, zero, 4) && !a.is_ip6);
  ASSERT(mg_aton(mg_str_n(NULL, 0), &a) && a.addr.ip4 == 0 && !a.is_ip6);
  ASSERT(mg_aton(mg_str("localhost"), &a) && ip_is(&a, lo, 4) && !a.is_ip6);
  ASSERT(mg_aton(mg_str("LocalHost"), &a) && ip_is(&a, lo, 4));
  ASSERT(mg_aton(mg_str("LOCALHOST"), &a) && ip_is(&a, lo, 4));
  ASSERT(a.port == 0xeeee);

  // Only len bytes are parsed.
  ASSERT(mg_aton(mg_str_n("1.2.3.4:80", 7), &a) && ip_is(&a, ip1234, 4));

  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    if (mg_aton(mg_str(bad[i]), &a)) {
      fprintf(stderr, "FAIL: mg_aton accepted [%s]\n", bad[i]);
      s_test_failures++;
    }
  }
  // Host names are not resolved.
  ASSERT(!mg_aton(mg_str("example.com"), &a));
  ASSERT(!mg_aton(mg_str("cesanta"), &a));
}

static void test_aton_ipv6(void) {
  static const uint8_t loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 0, 1};
  static const uint8_t any6[16] = {0};
  static const uint8_t db8[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                  0,    0,    0,    0,    0, 0, 0, 1};
  static const uint8_t full[16] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
                                   0xde, 0xf0, 0x00, 0x01, 0x00, 0x02,
                                   0x00, 0x03, 0xab, 0xcd};
  static const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
                                     1, 2, 3, 4};
  static const uint8_t fe80[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0,
                                   0,    0,    0, 0, 0, 0, 0, 1};
  static const uint8_t trail[16] = {0, 1, 0, 0, 0, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 0, 0};
  static const uint8_t v6[16] = MG_IPV6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
  static const char *bad[] = {"1::2::3", ":::",   "12345::",  "::g",
                              "1:2:3:4:5:6:7:8:9", "[::1",  "::1]",
                              "[]",      "[",     "]",        "::ffff:1.2.3",
                              "::ffff:256.1.1.1",  "fe80::1%256", "fe80::1%x",
                              "fe80::1%", "1:2",  "::1 ",     " ::1"};
  struct mg_addr a;
  size_t i;

  memset(&a, 0xee, sizeof(a));
  ASSERT(mg_aton(mg_str("::1"), &a));
  ASSERT(a.is_ip6 == true);
  ASSERT(ip_is(&a, loop6, 16));
  ASSERT(a.port == 0xeeee);  // untouched

  ASSERT(mg_aton(mg_str("[::1]"), &a) && a.is_ip6 && ip_is(&a, loop6, 16));
  ASSERT(mg_aton(mg_str("::"), &a) && a.is_ip6 && ip_is(&a, any6, 16));
  ASSERT(mg_aton(mg_str("[::]"), &a) && a.is_ip6 && ip_is(&a, any6, 16));
  ASSERT(mg_aton(mg_str("2001:db8::1"), &a) && ip_is(&a, db8, 16));
  ASSERT(ip_is(&a, v6, 16));
  ASSERT(mg_aton(mg_str("2001:DB8::1"), &a) && ip_is(&a, db8, 16));
  ASSERT(mg_aton(mg_str("2001:0db8:0000:0000:0000:0000:0000:0001"), &a) &&
         ip_is(&a, db8, 16));
  ASSERT(mg_aton(mg_str("1234:5678:9abc:def0:1:2:3:abcd"), &a) &&
         ip_is(&a, full, 16));
  ASSERT(mg_aton(mg_str("1::"), &a) && ip_is(&a, trail, 16));

  // IPv4-mapped, case-insensitive "ffff".
  memset(&a, 0, sizeof(a));
  ASSERT(mg_aton(mg_str("::ffff:1.2.3.4"), &a));
  ASSERT(a.is_ip6 && ip_is(&a, mapped, 16));
  memset(&a, 0, sizeof(a));
  ASSERT(mg_aton(mg_str("::FFFF:1.2.3.4"), &a));
  ASSERT(a.is_ip6 && ip_is(&a, mapped, 16));
  ASSERT(mg_aton(mg_str("[::ffff:1.2.3.4]"), &a) && ip_is(&a, mapped, 16));

  // A %N suffix sets scope_id; the address is parsed in full (API.md allows
  // the correct parse instead of Mongoose's truncation at '%').
  memset(&a, 0, sizeof(a));
  ASSERT(mg_aton(mg_str("fe80::1%3"), &a));
  ASSERT(a.is_ip6 && a.scope_id == 3);
  ASSERT(ip_is(&a, fe80, 16));
  ASSERT(mg_aton(mg_str("[fe80::1%255]"), &a) && a.scope_id == 255);

  // An IPv4 parse after an IPv6 one clears is_ip6.
  ASSERT(mg_aton(mg_str("::1"), &a) && a.is_ip6);
  ASSERT(mg_aton(mg_str("1.2.3.4"), &a) && !a.is_ip6);

  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    if (mg_aton(mg_str(bad[i]), &a)) {
      fprintf(stderr, "FAIL: mg_aton accepted [%s]\n", bad[i]);
      s_test_failures++;
    }
  }

  // A NULL address: false, no crash.
  ASSERT(mg_aton(mg_str("1.2.3.4"), NULL) == false);
}

static void test_addr_layout(void) {
  struct mg_addr a;
  ASSERT(sizeof(struct mg_addr) == 24);
  ASSERT((char *) &a.port - (char *) &a == 16);
  ASSERT((char *) &a.scope_id - (char *) &a == 18);
  ASSERT((char *) &a.is_ip6 - (char *) &a == 19);
}

int main(void) {
  test_url_table();
  test_url_misc();
  test_aton_ipv4();
  test_aton_ipv6();
  test_addr_layout();
  TEST_DONE();
}
