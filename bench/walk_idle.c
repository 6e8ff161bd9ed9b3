// Cost of the loop's walk over idle connections, without any traffic:
//   cargo build --release
//   cc -O2 -Iinclude bench/walk_idle.c -Ltarget/release -lmongoose
//      -Wl,-rpath,$PWD/target/release -o /tmp/walk_idle      (one line)
//   taskset -c 0 /tmp/walk_idle [N=9000] [ITERATIONS=20000]
// Opens N connections to an HTTP listener in the same process (keep N below
// `ulimit -n` / 2: client and server ends both count), lets them go idle,
// then times ITERATIONS calls of mg_mgr_poll(&mgr, 0), each of which sends
// MG_EV_POLL to every connection. Prints ns per connection per iteration.
#include "mongoose.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_HTTP_MSG) mg_http_reply(c, 200, "", "hello\n");
  (void) ev_data;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 9000, iters = argc > 2 ? atoi(argv[2]) : 20000, conns = 0;
  struct mg_mgr mgr;
  struct mg_connection *lsn, *c;
  struct sockaddr_in sa;
  double t0, t1;
  mg_log_set(MG_LL_NONE);
  mg_mgr_init(&mgr);
  if ((lsn = mg_http_listen(&mgr, "http://127.0.0.1:0", fn, NULL)) == NULL) return 1;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = lsn->loc.port;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < n; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) != 0) {
      perror("connect");
      return 1;
    }
    // Accept as we go: the listen backlog is 128.
    if (i % 16 == 15) mg_mgr_poll(&mgr, 0);
  }
  for (int k = 0; k < 1000; k++) mg_mgr_poll(&mgr, 0);
  for (c = mgr.conns; c != NULL; c = c->next) conns++;
  t0 = now();
  for (int k = 0; k < iters; k++) mg_mgr_poll(&mgr, 0);
  t1 = now();
  printf("connections=%d ns/connection/iteration=%.2f\n", conns, (t1 - t0) * 1e9 / iters / conns);
  mg_mgr_free(&mgr);
  return 0;
}
