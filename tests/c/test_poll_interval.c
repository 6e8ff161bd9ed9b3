// mg_mgr_set_poll_interval (issue 19): with an interval, a connection gets
// MG_EV_POLL in a poll where it had I/O or events, an idle one at most once
// per interval (and within interval + one poll timeout); with 0 (the
// default) every connection gets MG_EV_POLL on every poll.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test.h"

#define MAXC 8
struct rec {
  unsigned long id;
  int polls;
  uint64_t last_poll_ms, max_gap, min_gap;
  long last_poll_iter, msg_iter;
  int msgs;
};
static struct rec s_recs[MAXC];
static long s_iter;

static struct rec *rec_of(struct mg_connection *c) {
  for (int i = 0; i < MAXC; i++)
    if (s_recs[i].id == c->id) return &s_recs[i];
  for (int i = 0; i < MAXC; i++)
    if (s_recs[i].id == 0) {
      s_recs[i].id = c->id;
      s_recs[i].min_gap = (uint64_t) -1;
      return &s_recs[i];
    }
  return NULL;
}

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  if (c->is_listening) return;
  struct rec *r = rec_of(c);
  if (r == NULL) return;
  if (ev == MG_EV_POLL) {
    // The poll's own clock (MG_EV_POLL's data), which the interval is
    // measured by: mg_millis() here would add the time the walk took to
    // reach this connection, which differs between polls (valgrind: ~30 ms).
    uint64_t now = *(uint64_t *) ev_data;
    if (r->polls > 0) {
      uint64_t gap = now - r->last_poll_ms;
      if (gap > r->max_gap) r->max_gap = gap;
      if (gap < r->min_gap) r->min_gap = gap;
    }
    r->polls++;
    r->last_poll_ms = now;
    r->last_poll_iter = s_iter;
  } else if (ev == MG_EV_HTTP_MSG) {
    r->msgs++;
    r->msg_iter = s_iter;
    mg_http_reply(c, 200, "", "hi\n");
  }
}

static int dial(uint16_t port_be) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = port_be;
  sin.sin_addr.s_addr = htonl(0x7f000001);
  if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static int accepted(void) {
  int n = 0;
  for (int i = 0; i < MAXC; i++) n += s_recs[i].id != 0;
  return n;
}

static void poll_once(struct mg_mgr *mgr, int ms) {
  s_iter++;
  mg_mgr_poll(mgr, ms);
}

int main(void) {
  struct mg_mgr mgr;
  mg_mgr_init(&mgr);
  mg_mgr_set_poll_interval(NULL, 5);  // NULL: ignored
  struct mg_connection *lsn = mg_http_listen(&mgr, "http://127.0.0.1:0", fn, NULL);
  ASSERT(lsn != NULL);
  int idle = dial(lsn->loc.port), busy = dial(lsn->loc.port);
  ASSERT(idle >= 0 && busy >= 0);
  for (uint64_t end = mg_millis() + 3000; accepted() < 2 && mg_millis() < end;) poll_once(&mgr, 10);
  ASSERT(accepted() == 2);
  struct rec *ri = &s_recs[0], *rb = &s_recs[1];  // accepted in dial order

  // Default mode: every connection gets MG_EV_POLL on every poll.
  int before = ri->polls;
  for (int i = 0; i < 5; i++) poll_once(&mgr, 0);
  ASSERT(ri->polls == before + 5);

  // Interval mode.
  const uint64_t ms = 150;
  mg_mgr_set_poll_interval(&mgr, (unsigned long) ms);
  poll_once(&mgr, 0);  // the first poll after switching visits everyone
  // Records are made again by the events that follow.
  unsigned long id_busy = rb->id;
  memset(s_recs, 0, sizeof(s_recs));
  long iters = 0;
  uint64_t t0 = mg_millis();
  int sent = 0, served_same_iter = 0;
  while (mg_millis() - t0 < 1000) {
    poll_once(&mgr, 10);
    iters++;
    if (!sent && mg_millis() - t0 > 300) {
      const char *req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
      ASSERT(send(busy, req, strlen(req), 0) == (ssize_t) strlen(req));
      sent = 1;
    }
    for (int i = 0; i < MAXC; i++) {
      if (s_recs[i].id == id_busy && s_recs[i].msgs == 1 && s_recs[i].msg_iter == s_iter)
        served_same_iter = s_recs[i].last_poll_iter == s_iter;
    }
  }
  struct rec *idle_r = NULL, *busy_r = NULL;
  for (int i = 0; i < MAXC; i++) {
    if (s_recs[i].id == id_busy) busy_r = &s_recs[i];
    else if (s_recs[i].id != 0) idle_r = &s_recs[i];
  }
  ASSERT(busy_r != NULL && busy_r->msgs == 1);
  // The connection with I/O got MG_EV_POLL in the poll that served it.
  ASSERT(served_same_iter == 1);
  ASSERT(idle_r != NULL);
  if (idle_r != NULL) {
    fprintf(stderr, "iterations %ld, idle polls %d, gaps %lu..%lu ms\n", iters, idle_r->polls,
            (unsigned long) idle_r->min_gap, (unsigned long) idle_r->max_gap);
    // At most once per interval, never more often ...
    ASSERT(idle_r->polls >= 2);
    ASSERT(idle_r->polls <= (int) (1000 / ms) + 1);
    ASSERT(idle_r->min_gap >= ms);
    // ... and within the interval plus one poll timeout (10 ms), with room
    // for a loaded machine's scheduling delays.
    ASSERT(idle_r->max_gap <= ms + 10 + 250);
    ASSERT(iters > idle_r->polls * 3);
  }
  // The response arrived.
  char buf[256];
  ssize_t n = recv(busy, buf, sizeof(buf), MSG_DONTWAIT);
  ASSERT(n > 0 && memcmp(buf, "HTTP/1.1 200 OK\r\n", 17) == 0);

  // A connection closed by its peer gets its CLOSE without waiting for a sweep.
  close(idle);
  uint64_t t1 = mg_millis();
  int gone = 0;
  while (!gone && mg_millis() - t1 < 2000) {
    poll_once(&mgr, 10);
    gone = 1;
    for (struct mg_connection *c = mgr.conns; c != NULL; c = c->next)
      if (c->id == idle_r->id) gone = 0;
  }
  ASSERT(gone);

  // Back to 0: every poll reaches every connection again.
  mg_mgr_set_poll_interval(&mgr, 0);
  before = busy_r->polls;
  for (int i = 0; i < 5; i++) poll_once(&mgr, 0);
  ASSERT(busy_r->polls == before + 5);

  close(busy);
  mg_mgr_free(&mgr);
  TEST_DONE();
}
