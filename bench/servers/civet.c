// civetweb peer: ONE worker thread (num_threads=1).
//   civet PORT ROOT
// GET / (exactly) -> 200 "hello\n"; anything else -> static file from ROOT.
#include <civetweb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t s_stop;
static void on_signal(int sig) { (void) sig; s_stop = 1; }

static int hello(struct mg_connection *conn, void *cbdata) {
  static const char resp[] =
      "HTTP/1.1 200 OK\r\n"
      "Content-Type: text/plain\r\n"
      "Content-Length: 6\r\n"
      "\r\n"
      "hello\n";
  (void) cbdata;
  mg_write(conn, resp, sizeof(resp) - 1);
  return 200;
}

int main(int argc, char *argv[]) {
  const char *port = argc > 1 ? argv[1] : "8001";
  const char *root = argc > 2 ? argv[2] : ".";
  char ports[64];
  snprintf(ports, sizeof(ports), "127.0.0.1:%s", port);
  const char *options[] = {"listening_ports", ports,
                           "num_threads", "1",
                           "document_root", root,
                           "enable_keep_alive", "yes",
                           "keep_alive_timeout_ms", "60000",
                           "request_timeout_ms", "60000",
                           "listen_backlog", "4096",
                           NULL};
  struct mg_callbacks cb;
  struct mg_context *ctx;
  memset(&cb, 0, sizeof(cb));
  mg_init_library(0);
  ctx = mg_start(&cb, NULL, options);
  if (ctx == NULL) {
    fprintf(stderr, "civetweb: cannot start on %s\n", ports);
    return 1;
  }
  mg_set_request_handler(ctx, "/$", hello, NULL);
  printf("listening on http://%s\n", ports);
  fflush(stdout);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  while (!s_stop) usleep(100000);
  mg_stop(ctx);
  mg_exit_library();
  return 0;
}
