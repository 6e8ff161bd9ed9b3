// SNTP client: asks a time server for the time, prints it as epoch
// milliseconds and as mg_now() afterwards, and exits (1 if no valid answer).
//   make run                              asks udp://time.google.com:123
//   make run ARGS=udp://127.0.0.1:123     a local NTP server (e.g. chrony)
#include "mongoose.h"

static int s_done = 0;

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  (void) c;
  if (ev == MG_EV_SNTP_TIME) {
    int64_t t = *(int64_t *) ev_data;
    printf("SNTP time: %lld ms since epoch\n", (long long) t);
    s_done = 1;
  } else if (ev == MG_EV_CLOSE && s_done == 0) {
    s_done = -1;  // closed without a valid reply (timeout or bad packet)
  }
}

int main(int argc, char *argv[]) {
  const char *url = argc > 1 ? argv[1] : "udp://time.google.com:123";
  struct mg_mgr mgr;
  mg_log_set(MG_LL_ERROR);
  mg_mgr_init(&mgr);
  if (mg_sntp_connect(&mgr, url, fn, NULL) == NULL) return 1;
  while (s_done == 0) mg_mgr_poll(&mgr, 100);
  if (s_done > 0) printf("mg_now(): %llu\n", (unsigned long long) mg_now());
  mg_mgr_free(&mgr);
  return s_done > 0 ? 0 : 1;
}
