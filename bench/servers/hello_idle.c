// Minimal hello server using only Mongoose 7.x API, so the same source
// builds against mongoose-rs and against real Mongoose (the oracle .so) for
// the idle-memory comparison (bench/idle_mem.py).
//   hello_idle URL [POLL_INTERVAL_MS]   (the interval: mongoose-rs only,
//                                        built with -DHAVE_POLL_INTERVAL)
// Runs until stdin reaches EOF.
#include <fcntl.h>
#include <unistd.h>

#include "mongoose.h"

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_HTTP_MSG) {
    mg_http_reply(c, 200, "Content-Type: text/plain\r\n", "hello\n");
  }
  (void) ev_data;
}

int main(int argc, char *argv[]) {
  struct mg_mgr mgr;
  char buf[16];
  mg_mgr_init(&mgr);
#ifdef HAVE_POLL_INTERVAL
  if (argc > 2) mg_mgr_set_poll_interval(&mgr, strtoul(argv[2], NULL, 10));
#endif
  if (mg_http_listen(&mgr, argc > 1 ? argv[1] : "http://127.0.0.1:8000", fn, NULL) == NULL) return 1;
  printf("listening\n");
  fflush(stdout);
  fcntl(0, F_SETFL, O_NONBLOCK);
  for (;;) {
    mg_mgr_poll(&mgr, 50);
    if (read(0, buf, sizeof(buf)) == 0) break;  // EOF: stop
  }
  mg_mgr_free(&mgr);
  return 0;
}
