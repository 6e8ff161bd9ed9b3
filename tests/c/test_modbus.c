// Modbus-TCP server: raw request frames from a plain TCP client, exact
// reply bytes (recorded from Mongoose 7.23), handler-set exceptions,
// malformed PDUs answered without an event, non-Modbus frames closed.
#include "test.h"

static bool s_coils[16];
static int s_events, s_last_func, s_last_addr, s_last_len;
static uint16_t s_written[8];
static int s_error;  // error the handler sets, 0 for none

static void srv_fn(struct mg_connection *c, int ev, void *ev_data) {
  struct mg_modbus_req *r = (struct mg_modbus_req *) ev_data;
  uint16_t i;
  if (ev != MG_EV_MODBUS_REQ) return;
  (void) c;
  s_events++;
  s_last_func = r->func, s_last_addr = r->addr, s_last_len = r->len;
  if (s_error) {
    r->error = (uint8_t) s_error;
    return;
  }
  if (r->addr == 999) {
    r->error = MG_MODBUS_ERR_ILLEGAL_ADDRESS;
    return;
  }
  switch (r->func) {
    case MG_MODBUS_FUNC_READ_COILS:
    case MG_MODBUS_FUNC_READ_DISCRETE_INPUTS:
      for (i = 0; i < r->len; i++) r->u.bits[i] = s_coils[(r->addr + i) % 16];
      break;
    case MG_MODBUS_FUNC_READ_HOLDING_REGISTERS:
    case MG_MODBUS_FUNC_READ_INPUT_REGISTERS:
      for (i = 0; i < r->len; i++) r->u.regs[i] = (uint16_t) (0x1234 + r->addr + i);
      break;
    case MG_MODBUS_FUNC_WRITE_SINGLE_COIL:
    case MG_MODBUS_FUNC_WRITE_MULTIPLE_COILS:
      for (i = 0; i < r->len; i++) s_coils[(r->addr + i) % 16] = r->u.bits[i];
      break;
    default:
      for (i = 0; i < r->len && i < 8; i++) s_written[i] = r->u.regs[i];
      break;
  }
}

struct cli {
  char got[512];
  size_t n;
  bool closed;
};

static void cli_fn(struct mg_connection *c, int ev, void *ev_data) {
  struct cli *k = (struct cli *) c->fn_data;
  (void) ev_data;
  if (ev == MG_EV_READ) {
    size_t n = c->recv.len < sizeof(k->got) - k->n ? c->recv.len : sizeof(k->got) - k->n;
    memcpy(k->got + k->n, c->recv.buf, n);
    k->n += n;
    c->recv.len = 0;
  }
  if (ev == MG_EV_CLOSE) k->closed = true;
}

static char s_url[64];

static void hex2bin(const char *hex, char *out, size_t *n) {
  *n = 0;
  while (hex[0] && hex[1]) {
    unsigned v;
    sscanf(hex, "%2x", &v);
    out[(*n)++] = (char) v;
    hex += 2;
  }
}

// Send `req` (hex) on a fresh connection, wait for `want` (hex) or a close.
static void exchange(struct mg_mgr *mgr, const char *req, const char *want, bool closes) {
  struct cli k;
  char buf[600], wbuf[600];
  size_t n, wn;
  struct mg_connection *c;
  memset(&k, 0, sizeof(k));
  c = mg_connect(mgr, s_url, cli_fn, &k);
  ASSERT(c != NULL);
  hex2bin(req, buf, &n);
  hex2bin(want, wbuf, &wn);
  mg_send(c, buf, n);
  POLL_UNTIL(mgr, k.closed || (wn > 0 && k.n >= wn), 2000);
  if (wn == 0 && !closes) {
    // Nothing is expected: give the server a few turns to prove it.
    int i;
    for (i = 0; i < 10; i++) mg_mgr_poll(mgr, 1);
  }
  if (k.n != wn || memcmp(k.got, wbuf, wn) != 0) {
    fprintf(stderr, "FAIL %s: got %d bytes, want %s\n", req, (int) k.n, want);
    s_test_failures++;
  }
  ASSERT(k.closed == closes);
  if (!k.closed) {
    c->is_closing = 1;
    POLL_UNTIL(mgr, k.closed, 1000);
  }
}

int main(void) {
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  mg_log_level = 0;
  mg_mgr_init(&mgr);
  ASSERT(mg_modbus_listen(&mgr, "tcp://300.0.0.1:1", srv_fn, NULL) == NULL);
  lsn = mg_modbus_listen(&mgr, "tcp://127.0.0.1:0", srv_fn, NULL);
  ASSERT(lsn != NULL);
  if (lsn == NULL) TEST_DONE();
  mg_snprintf(s_url, sizeof(s_url), "tcp://127.0.0.1:%hu", mg_ntohs(lsn->loc.port));
  ASSERT(MG_EV_MODBUS_REQ == 22);

  s_coils[0] = s_coils[2] = s_coils[8] = s_coils[9] = true;
  // Reads.
  exchange(&mgr, "00010000000601010000000a", "0001000000050101020503", false);
  ASSERT(s_last_func == 1 && s_last_addr == 0 && s_last_len == 10);
  exchange(&mgr, "000400000006010200000003", "00040000000401020105", false);
  exchange(&mgr, "000200000006010300020003", "000200000009010306123612371238", false);
  exchange(&mgr, "000300000006550400020003", "000300000009550406123612371238", false);
  // Writes.
  exchange(&mgr, "00050000000601050003ff00", "00050000000601050003ff00", false);
  ASSERT(s_coils[3]);
  exchange(&mgr, "000500000006010500030000", "000500000006010500030000", false);
  ASSERT(!s_coils[3]);
  exchange(&mgr, "00060000000601060007abcd", "00060000000601060007abcd", false);
  ASSERT(s_written[0] == 0xabcd);
  exchange(&mgr, "000700000009010f0001000a021503", "000700000006010f0001000a", false);
  ASSERT(s_coils[1] && !s_coils[2] && s_coils[3] && s_coils[5] && s_coils[9] && s_coils[10]);
  exchange(&mgr, "00080000000b0110000100020401020304", "000800000006011000010002", false);
  ASSERT(s_written[0] == 0x0102 && s_written[1] == 0x0304);
  // Exceptions set by the handler.
  exchange(&mgr, "000900000006010303e70001", "000900000003018302", false);
  s_error = MG_MODBUS_ERR_DEVICE_FAILURE;
  exchange(&mgr, "000900000006010300000001", "000900000003018304", false);
  s_error = 11;
  exchange(&mgr, "000700000006010500010000", "00070000000301850b", false);
  s_error = 0;
  // Malformed PDUs: exception, no event.
  s_events = 0;
  exchange(&mgr, "000a00000006010700000001", "000a00000003018701", false);
  exchange(&mgr, "000500000006010500031234", "000500000003018503", false);
  exchange(&mgr, "000b00000006010300000000", "000b00000003018303", false);
  exchange(&mgr, "000b0000000601030000007e", "000b00000003018303", false);
  exchange(&mgr, "000b000000060101000007d1", "000b00000003018103", false);
  exchange(&mgr, "00010000000701030000000100", "000100000003018303", false);
  exchange(&mgr, "000700000008010f0001000a0115", "000700000003018f03", false);
  exchange(&mgr, "00080000000a01100001000204010203", "000800000003019003", false);
  ASSERT(s_events == 0);
  // Framing: two frames at once; a partial one waits; bad frames close.
  exchange(&mgr, "000100000006010300000001000100000006010300000001",
           "00010000000501030212340001000000050103021234", false);
  exchange(&mgr, "0001000000060103000000", "", false);
  exchange(&mgr, "000100010006010300000001", "", true);
  exchange(&mgr, "000100000005010300000001", "", true);
  exchange(&mgr, "000a000000020107000100000006010300000001", "", true);

  mg_mgr_free(&mgr);
  TEST_DONE();
}
