// TCP echo server: every byte received is sent back.
//   make run                       listens on tcp://127.0.0.1:1234
//   make run ARGS=tcp://0.0.0.0:0  any address, ephemeral port
// Ctrl+C or SIGTERM stops it gracefully (built-in shutdown).
#include "mongoose.h"

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  (void) ev_data;
  if (ev == MG_EV_READ) {
    mg_send(c, c->recv.buf, c->recv.len);  // echo what arrived
    c->recv.len = 0;                       // and consume it
  }
}

int main(int argc, char *argv[]) {
  const char *url = argc > 1 ? argv[1] : "tcp://127.0.0.1:1234";
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  mg_log_set(MG_LL_ERROR);
  mg_mgr_init(&mgr);
  lsn = mg_listen(&mgr, url, fn, NULL);
  if (lsn == NULL) {
    fprintf(stderr, "cannot listen on %s\n", url);
    return 1;
  }
  {
    char addr[64];
    mg_snprintf(addr, sizeof(addr), "%M", mg_print_ip_port, &lsn->loc);
    printf("listening on %s\n", addr);  // tests read the port from here
    fflush(stdout);
  }
  mg_mgr_shutdown_on_signals(&mgr, 2000);
  while (!mg_mgr_is_done(&mgr)) mg_mgr_poll(&mgr, 1000);
  mg_mgr_free(&mgr);
  return 0;
}
