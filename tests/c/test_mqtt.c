// MQTT codec through the C API: the bytes mg_mqtt_login/pub/sub/unsub/
// ping/disconnect/send_header put on the wire, and mg_mqtt_parse /
// mg_mqtt_next_prop results. Expected values were produced by Mongoose 7.23
// (scripts/mqtt_diff.py --print).
#include "test.h"

static struct mg_str s_wire;  // what the raw server received

static void srv(struct mg_connection *c, int ev, void *ev_data) {
  (void) ev_data;
  if (ev == MG_EV_READ) {
    free((void *) s_wire.buf);
    s_wire.buf = (char *) malloc(c->recv.len);
    memcpy(s_wire.buf, c->recv.buf, c->recv.len);
    s_wire.len = c->recv.len;
  }
}

static int hexval(char ch) {
  return ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10;
}

// Decode hex into a static buffer (test expectations).
static size_t unhex(const char *h, uint8_t *out) {
  size_t n = 0;
  for (; h[0] && h[1]; h += 2) out[n++] = (uint8_t) (hexval(h[0]) << 4 | hexval(h[1]));
  return n;
}

static void check_wire(const char *hex, int line) {
  static uint8_t want[4096];
  size_t n = unhex(hex, want);
  if (s_wire.len != n || memcmp(s_wire.buf, want, n) != 0) {
    size_t i;
    fprintf(stderr, "FAIL line %d: wire (%d bytes): ", line, (int) s_wire.len);
    for (i = 0; i < s_wire.len && i < 200; i++) fprintf(stderr, "%02x", (uint8_t) s_wire.buf[i]);
    fprintf(stderr, "\n  want %s\n", hex);
    s_test_failures++;
  }
}

typedef void (*step_fn)(struct mg_connection *);

// Connect with `login`, run `step`, and compare everything the server got.
static void session(struct mg_mgr *mgr, const char *url, const struct mg_mqtt_opts *login, step_fn step,
                    const char *hex, int line) {
  struct mg_connection *c = mg_mqtt_connect(mgr, url, login, NULL, NULL);
  size_t n = strlen(hex) / 2;
  ASSERT(c != NULL);
  if (c == NULL) return;
  if (step) step(c);
  s_wire.len = 0;
  POLL_UNTIL(mgr, s_wire.len >= n, 2000);
  check_wire(hex, line);
  c->is_closing = 1;
  mg_mgr_poll(mgr, 1);
}

static void pub3(struct mg_connection *c) {
  struct mg_mqtt_opts o;
  memset(&o, 0, sizeof(o));
  o.topic = mg_str("a/b"), o.message = mg_str("m1"), o.qos = 1;
  ASSERT(mg_mqtt_pub(c, &o) == 1);
  o.message = mg_str("m2"), o.qos = 2, o.retain = true;
  ASSERT(mg_mqtt_pub(c, &o) == 2);
  o.topic = mg_str("a"), o.message = mg_str("m3"), o.qos = 1, o.retain = false, o.retransmit_id = 77;
  ASSERT(mg_mqtt_pub(c, &o) == 77);
  o.qos = 0, o.retransmit_id = 0, o.message = mg_str("z");
  ASSERT(mg_mqtt_pub(c, &o) == 0);
}

static void subs(struct mg_connection *c) {
  struct mg_mqtt_opts o;
  memset(&o, 0, sizeof(o));
  o.topic = mg_str("a/#"), o.qos = 1;
  mg_mqtt_sub(c, &o);
  mg_mqtt_unsub(c, &o);
  mg_mqtt_ping(c);
  mg_mqtt_pong(c);
  mg_mqtt_disconnect(c, &o);
  mg_mqtt_send_header(c, MQTT_CMD_PUBLISH, 5, 128);
  mg_mqtt_send_header(c, MQTT_CMD_SUBACK, 15, 16384);
}

static void v5_pub(struct mg_connection *c) {
  struct mg_mqtt_prop props[4];
  struct mg_mqtt_opts o;
  memset(props, 0, sizeof(props));
  memset(&o, 0, sizeof(o));
  props[0].id = MQTT_PROP_PAYLOAD_FORMAT_INDICATOR, props[0].iv = 1;
  props[1].id = MQTT_PROP_TOPIC_ALIAS, props[1].iv = 3;
  props[2].id = MQTT_PROP_USER_PROPERTY, props[2].key = mg_str("x"), props[2].val = mg_str("y");
  props[3].id = MQTT_PROP_SUBSCRIPTION_IDENTIFIER, props[3].iv = 1000;
  o.topic = mg_str("a/b"), o.message = mg_str("hi"), o.props = props, o.num_props = 4;
  mg_mqtt_pub(c, &o);
  o.props = NULL, o.num_props = 0;
  mg_mqtt_disconnect(c, &o);
}

static void test_builders(void) {
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  struct mg_mqtt_opts o;
  struct mg_mqtt_prop wp[2];
  char url[64];
  mg_mgr_init(&mgr);
  lsn = mg_listen(&mgr, "tcp://127.0.0.1:0", srv, NULL);
  ASSERT(lsn != NULL);
  mg_snprintf(url, sizeof(url), "mqtt://127.0.0.1:%d", (int) mg_ntohs(lsn->loc.port));

  memset(&o, 0, sizeof(o));
  o.client_id = mg_str("abc"), o.clean = true, o.keepalive = 60;
  session(&mgr, url, &o, NULL, "100f00044d5154540402003c0003616263", __LINE__);

  memset(&o, 0, sizeof(o));
  o.client_id = mg_str("c"), o.user = mg_str("u"), o.pass = mg_str("p"), o.keepalive = 10;
  session(&mgr, url, &o, NULL, "101300044d51545404c0000a000163000175000170", __LINE__);

  memset(&o, 0, sizeof(o));
  o.client_id = mg_str("w"), o.topic = mg_str("will/t"), o.message = mg_str("bye"), o.qos = 1, o.retain = true;
  session(&mgr, url, &o, NULL, "101a00044d515454042c0000000177000677696c6c2f740003627965", __LINE__);

  memset(&o, 0, sizeof(o));
  memset(wp, 0, sizeof(wp));
  wp[0].id = MQTT_PROP_WILL_DELAY_INTERVAL, wp[0].iv = 5;
  wp[1].id = MQTT_PROP_CONTENT_TYPE, wp[1].val = mg_str("text/plain");
  o.client_id = mg_str("v5"), o.version = 5, o.topic = mg_str("wt"), o.message = mg_str("wm"), o.qos = 1;
  o.will_props = wp, o.num_will_props = 2, o.user = mg_str("usr"), o.pass = mg_str("pw");
  session(&mgr, url, &o, NULL,
          "103300044d51545405cc00000000027635121800000005"
          "03000a746578742f706c61696e000277740002776d000375737200027077",
          __LINE__);

  memset(&o, 0, sizeof(o));
  o.client_id = mg_str("p");
  session(&mgr, url, &o, pub3,
          "100d00044d5154540400000000017032090003612f6200016d3135090003612f6200026d32"
          "3a07000161004d6d333004000161" "7a",
          __LINE__);
  session(&mgr, url, &o, subs,
          "100d00044d51545404000000000170"
          "820800030003612f2301"  // SUBSCRIBE id 3 (ids continue from the publishes)
          "a20700040003612f23c000d000e000" "358001" "9f808001",
          __LINE__);
  o.version = 5;
  session(&mgr, url, &o, v5_pub,
          "100e00044d51545405000000000001703017" "0003612f620f0101230003260001780001790be8076869" "e0020000",
          __LINE__);
  mg_mgr_free(&mgr);
  free((void *) s_wire.buf);
}

static void test_parse(void) {
  uint8_t b[256];
  size_t n;
  struct mg_mqtt_message m;
  struct mg_mqtt_prop p;
  size_t ofs;

  n = unhex("320c0003612f62123468656c6c6f", b);
  ASSERT(mg_mqtt_parse(b, n, 4, &m) == MQTT_OK);
  ASSERT(m.cmd == MQTT_CMD_PUBLISH && m.qos == 1 && m.id == 0x1234);
  ASSERT_MEM(m.topic.buf, m.topic.len, "a/b");
  ASSERT_MEM(m.data.buf, m.data.len, "hello");
  ASSERT(m.dgram.buf == (char *) b && m.dgram.len == 14);

  n = unhex("2003008700", b);
  ASSERT(mg_mqtt_parse(b, n, 5, &m) == MQTT_OK);
  ASSERT(m.cmd == MQTT_CMD_CONNACK && m.ack == 0x87);

  ASSERT(mg_mqtt_parse(b, 0, 4, &m) == MQTT_INCOMPLETE);
  n = unhex("30ffffff7f", b);
  ASSERT(mg_mqtt_parse(b, n, 4, &m) == MQTT_INCOMPLETE && m.cmd == 3 && m.dgram.len == 0);
  n = unhex("3080808080", b);
  ASSERT(mg_mqtt_parse(b, n, 4, &m) == MQTT_MALFORMED);
  n = unhex("300400056162", b);  // topic longer than the packet
  ASSERT(mg_mqtt_parse(b, n, 4, &m) == MQTT_MALFORMED && m.topic.len == 5 && m.data.buf == NULL);
  n = unhex("400112", b);  // PUBACK without a full id
  ASSERT(mg_mqtt_parse(b, n, 4, &m) == MQTT_MALFORMED);
  n = unhex("62021234", b);
  ASSERT(mg_mqtt_parse(b, n, 4, &m) == MQTT_OK && m.cmd == MQTT_CMD_PUBREL && m.qos == 1 && m.id == 0x1234);
  n = unhex("3005000161" "0070", b);  // MQTT 5 with 2 bytes left: all payload
  ASSERT(mg_mqtt_parse(b, n, 5, &m) == MQTT_OK && m.data.len == 2 && m.props_size == 0);

  n = unhex("321d00016100090c2600016b000276760b810103000263747061796c6f6164", b);
  ASSERT(mg_mqtt_parse(b, n, 5, &m) == MQTT_OK);
  ASSERT(m.props_start == 8 && m.props_size == 12 && m.id == 9);
  ofs = mg_mqtt_next_prop(&m, &p, 0);
  ASSERT(ofs == 8 && p.id == MQTT_PROP_USER_PROPERTY);
  ASSERT_MEM(p.key.buf, p.key.len, "k");
  ASSERT_MEM(p.val.buf, p.val.len, "vv");
  ofs = mg_mqtt_next_prop(&m, &p, ofs);
  ASSERT(ofs == 11 && p.id == MQTT_PROP_SUBSCRIPTION_IDENTIFIER && p.iv == 129);
  ASSERT(mg_mqtt_next_prop(&m, &p, ofs) == 0);  // the next one overruns the block
  ASSERT(mg_mqtt_next_prop(NULL, &p, 0) == 0);
  ASSERT(mg_mqtt_parse(b, n, 5, NULL) == MQTT_MALFORMED);
}

int main(void) {
  mg_log_set(MG_LL_NONE);
  test_parse();
  test_builders();
  TEST_DONE();
}
