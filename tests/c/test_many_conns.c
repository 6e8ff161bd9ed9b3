// Issue 19 item 5: 19,000 concurrent connections opened, served and closed
// without errors. A child process holds the client ends (the fd limit is
// per process); the parent serves them with the poll interval set, which a
// server with that many mostly idle connections would use.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

static int s_accepted, s_served, s_closed, s_errors;

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  if (c->is_listening) return;
  if (ev == MG_EV_ACCEPT) s_accepted++;
  if (ev == MG_EV_ERROR) s_errors++;
  if (ev == MG_EV_CLOSE) s_closed++;
  if (ev == MG_EV_HTTP_MSG) {
    mg_http_reply(c, 200, "", "hello\n");
    s_served++;
  }
  (void) ev_data;
}

// The client: open n connections in batches, a request and its answer on
// each, keep them all open until every one is served, then close them.
static int client(uint16_t port, int n) {
  const char *req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  struct sockaddr_in sin;
  struct timeval tv = {10, 0};
  int *fds = calloc((size_t) n, sizeof(int));
  char buf[256];
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = port;
  sin.sin_addr.s_addr = htonl(0x7f000001);
  for (int i = 0; i < n; i += 64) {
    int m = n - i < 64 ? n - i : 64;
    for (int j = i; j < i + m; j++) {
      fds[j] = socket(AF_INET, SOCK_STREAM, 0);
      if (fds[j] < 0 || connect(fds[j], (struct sockaddr *) &sin, sizeof(sin)) != 0) return 2;
      setsockopt(fds[j], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      if (send(fds[j], req, strlen(req), 0) != (ssize_t) strlen(req)) return 3;
    }
    for (int j = i; j < i + m; j++) {
      ssize_t k = recv(fds[j], buf, sizeof(buf), 0);
      if (k < 17 || memcmp(buf, "HTTP/1.1 200 OK\r\n", 17) != 0) return 4;
    }
  }
  for (int i = 0; i < n; i++) close(fds[i]);
  free(fds);
  return 0;
}

int main(void) {
  long limit = raise_fd_limit();
  int n = 19000;
  if (limit < n + 100) {
    n = (int) limit - 100;
    fprintf(stderr, "SKIPPED: fd limit %ld allows %d connections, not 19000\n", limit,
            n);
  }
  if (test_tool() != NULL && strcmp(test_tool(), "valgrind") == 0) {
    n = 2000;  // the same path, in what valgrind's speed allows in 60 s
    fprintf(stderr, "NOTE: %d connections under valgrind\n", n);
  }
  struct mg_mgr mgr;
  mg_mgr_init(&mgr);
  mg_mgr_set_poll_interval(&mgr, 1000);
  struct mg_connection *lsn = mg_http_listen(&mgr, "http://127.0.0.1:0", fn, NULL);
  ASSERT(lsn != NULL);
  uint64_t t0 = mg_millis();
  pid_t pid = fork();
  if (pid == 0) _exit(client(lsn->loc.port, n));
  int status = -1, done = 0, max_open = 0;
  while (mg_millis() - t0 < 60000) {
    mg_mgr_poll(&mgr, 10);
    if (s_accepted - s_closed > max_open) max_open = s_accepted - s_closed;
    if (!done && waitpid(pid, &status, WNOHANG) == pid) done = 1;
    if (done && s_closed == s_accepted) break;
  }
  if (!done) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  fprintf(stderr, "%d connections: accepted %d, served %d, closed %d, at once %d, %lu ms\n", n,
          s_accepted, s_served, s_closed, max_open, (unsigned long) (mg_millis() - t0));
  ASSERT(done && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT(s_accepted == n);
  ASSERT(s_served == n);
  ASSERT(s_closed == n);
  ASSERT(max_open == n);
  ASSERT(s_errors == 0);
  ASSERT(mgr.conns == lsn && lsn->next == NULL);
  mg_mgr_free(&mgr);
  TEST_DONE();
}
