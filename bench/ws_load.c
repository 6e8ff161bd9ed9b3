// WebSocket echo load generator for bench/ws_bench.py (not a test).
//   ws_load PORT CONNS SECONDS [SIZE [PATH]]
// Opens CONNS WebSocket connections to 127.0.0.1:PORT/PATH (default
// /websocket), then each keeps
// one masked SIZE-byte (default 64) binary message in flight: send, wait for
// the echo, send again. Prints "messages=N seconds=S" (round trips).
// SECONDS < 0: only open the connections, print "open", and hold them idle
// until killed. Plain sockets + epoll, so the client is cheap next to the
// server.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
  int fd, open;
  size_t have;
  char buf[4096];
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[]) {
  int port = argc > 1 ? atoi(argv[1]) : 8000;
  int n = argc > 2 ? atoi(argv[2]) : 100;
  double secs = argc > 3 ? atof(argv[3]) : 5;
  size_t size = argc > 4 ? (size_t) atoi(argv[4]) : 64;
  const char *path = argc > 5 ? argv[5] : "/websocket";
  char req[512];
  int reqlen = snprintf(req, sizeof(req),
                        "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
                        path);
  unsigned char frame[256];
  size_t flen, echo_len = 2 + size;
  struct conn *cs = calloc((size_t) n, sizeof(*cs));
  struct sockaddr_in sa;
  int ep = epoll_create1(0), i, opened = 0;
  long long msgs = 0;
  double t0 = 0, end = 0;
  if (size > 125) size = 125;  // 7-bit length frames only
  frame[0] = 0x82;
  frame[1] = (unsigned char) (0x80 | size);
  memcpy(frame + 2, "\x12\x34\x56\x78", 4);
  for (i = 0; i < (int) size; i++) frame[6 + i] = (unsigned char) ('a' ^ frame[2 + i % 4]);
  flen = 6 + size;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons((unsigned short) port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (i = 0; i < n; i++) {
    struct epoll_event ev;
    int one = 1;
    cs[i].fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(cs[i].fd, (struct sockaddr *) &sa, sizeof(sa)) != 0) {
      perror("connect");
      return 1;
    }
    setsockopt(cs[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (write(cs[i].fd, req, (size_t) reqlen) < 0) return 1;
    ev.events = EPOLLIN;
    ev.data.u32 = (unsigned) i;
    epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
  }
  for (;;) {
    struct epoll_event evs[256];
    int k, m = epoll_wait(ep, evs, 256, 1000);
    if (t0 > 0 && now() >= end) break;
    for (k = 0; k < m; k++) {
      struct conn *c = &cs[evs[k].data.u32];
      ssize_t r = read(c->fd, c->buf + c->have, sizeof(c->buf) - c->have);
      if (r <= 0) {
        fprintf(stderr, "connection closed\n");
        return 1;
      }
      c->have += (size_t) r;
      if (!c->open) {
        char *e = memmem(c->buf, c->have, "\r\n\r\n", 4);
        if (e == NULL) continue;
        c->have -= (size_t) (e + 4 - c->buf);
        memmove(c->buf, e + 4, c->have);
        c->open = 1;
        if (++opened == n) {
          int j;
          if (secs < 0) {
            printf("open\n");
            fflush(stdout);
            for (;;) pause();
          }
          t0 = now();
          end = t0 + secs;
          for (j = 0; j < n; j++) {
            if (write(cs[j].fd, frame, flen) < 0) return 1;
          }
        }
        continue;
      }
      while (c->have >= echo_len) {
        c->have -= echo_len;
        memmove(c->buf, c->buf + echo_len, c->have);
        msgs++;
        if (write(c->fd, frame, flen) < 0) return 1;
      }
    }
  }
  printf("messages=%lld seconds=%.3f\n", msgs, now() - t0);
  return 0;
}
