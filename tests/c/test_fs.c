// Static files from C: exact heads for 200/HEAD/206/416/304/404/301, index,
// gzip variants, MIME overrides, extra headers, directory listing, page404,
// SSI (includes through a multi-root list, jailed), multi-root, NULL root; 35+ path traversal
// attempts (encoded, backslashes, NUL, symlinks out of the root); an 8 MB
// file streamed with a bounded send buffer while other connections are
// served; concurrent ranges; pipelining behind a streamed file; uploads; the
// mg_fs API (posix and packed) and mg_file_* helpers; shutdown mid-stream.
#include "test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define BIG_SIZE (8 * 1024 * 1024)

static char s_tmp[256];   // scratch directory
static char s_root[300];  // document root inside it
static char s_up[300];    // upload directory
static struct mg_http_serve_opts s_opts;
static const char *s_file;  // when set: mg_http_serve_file(s_file)
static long s_upload_rc;
static size_t s_max_send;  // largest send buffer capacity seen on the server

static struct mg_str S(const char *s) {
  struct mg_str r;
  r.buf = (char *) s;
  r.len = strlen(s);
  return r;
}

static int uri_starts(struct mg_http_message *hm, const char *p) {
  size_t n = strlen(p);
  return hm->uri.len >= n && memcmp(hm->uri.buf, p, n) == 0;
}

static void srv(struct mg_connection *c, int ev, void *ev_data) {
  if (c->is_listening) return;
  if (c->send.size > s_max_send) s_max_send = c->send.size;
  if (ev == MG_EV_HTTP_MSG) {
    struct mg_http_message *hm = (struct mg_http_message *) ev_data;
    if (uri_starts(hm, "/upload")) {
      s_upload_rc = mg_http_upload(c, hm, &mg_fs_posix, s_up, 100);
    } else if (s_file != NULL) {
      mg_http_serve_file(c, hm, s_file, &s_opts);
    } else {
      mg_http_serve_dir(c, hm, &s_opts);
    }
  }
}

// ---- files ---------------------------------------------------------------

static void path_of(char *buf, size_t len, const char *rel) {
  snprintf(buf, len, "%s/%s", s_root, rel);
}

static void put(const char *rel, const char *data, size_t len, long mtime) {
  char p[512];
  FILE *fp;
  path_of(p, sizeof(p), rel);
  fp = fopen(p, "wb");
  ASSERT(fp != NULL);
  if (fp == NULL) return;
  if (len) fwrite(data, 1, len, fp);
  fclose(fp);
  if (mtime) {
    struct timeval tv[2];
    tv[0].tv_sec = tv[1].tv_sec = mtime;
    tv[0].tv_usec = tv[1].tv_usec = 0;
    utimes(p, tv);
  }
}

static unsigned char big_byte(size_t i) {
  return (unsigned char) (i * 7 + (i >> 13));
}

static void etag_of(const char *rel, char *buf, size_t len) {
  char p[512];
  struct stat st;
  path_of(p, sizeof(p), rel);
  stat(p, &st);
  snprintf(buf, len, "\"%ld.%lu\"", (long) st.st_mtime, (unsigned long) st.st_size);
}

static void make_tree(void) {
  char p[512], q[512];
  unsigned char *big;
  size_t i;
  FILE *fp;
  snprintf(s_tmp, sizeof(s_tmp), "/tmp/mgfs-c-XXXXXX");
  ASSERT(mkdtemp(s_tmp) != NULL);
  snprintf(s_root, sizeof(s_root), "%s/root", s_tmp);
  snprintf(s_up, sizeof(s_up), "%s/up", s_tmp);
  mkdir(s_root, 0755);
  mkdir(s_up, 0755);
  path_of(p, sizeof(p), "sub");
  mkdir(p, 0755);
  path_of(p, sizeof(p), "dir2");
  mkdir(p, 0755);
  path_of(p, sizeof(p), "dir2/inner");
  mkdir(p, 0755);
  put("range.txt", "0123456789", 10, 1704164645);
  put("index.html", "<h1>hi</h1>", 11, 0);
  put("sub/b.txt", "plain b\n", 8, 0);
  put("sub/b.txt.gz", "gz", 2, 0);
  put("sub/a.json", "body", 4, 0);
  put("dir2/f <1>.txt", "abcd", 4, 1795530200);
  put(".hidden", "dot", 3, 0);
  put("empty.txt", "", 0, 0);
  put("404.html", "<p>custom 404</p>", 17, 0);
  put("x.shtml", "<!--#include file=\"a\"-->", 24, 0);
  put("UP.HTML", "upper", 5, 0);
  put("pic.png", "PNG", 3, 0);
  put("noext", "n", 1, 0);
  // Outside the root: must never be served.
  snprintf(p, sizeof(p), "%s/secret.txt", s_tmp);
  fp = fopen(p, "wb");
  fputs("TOPSECRET", fp);
  fclose(fp);
  path_of(q, sizeof(q), "link.txt");
  ASSERT(symlink(p, q) == 0);
  path_of(q, sizeof(q), "linkdir");
  ASSERT(symlink(s_tmp, q) == 0);
  path_of(q, sizeof(q), "inlink.txt");  // a symlink staying inside is fine
  ASSERT(symlink("range.txt", q) == 0);
  snprintf(q, sizeof(q), "%s/out", s_up);  // upload dir escape
  ASSERT(symlink(s_tmp, q) == 0);
  big = (unsigned char *) malloc(BIG_SIZE);
  for (i = 0; i < BIG_SIZE; i++) big[i] = big_byte(i);
  put("big.bin", (const char *) big, BIG_SIZE, 0);
  free(big);
}

static void remove_tree(void) {
  char cmd[600];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s_tmp);
  ASSERT(system(cmd) == 0);
}

// ---- raw client ------------------------------------------------------------

struct resp {
  char *buf;
  size_t len, cap;
  int eof;
};

static int raw_connect(int port, int rcvbuf) {
  struct sockaddr_in sin;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons((uint16_t) port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) != 0) return -1;
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

static void raw_send(struct mg_mgr *mgr, int fd, const char *buf, size_t len) {
  size_t off = 0;
  uint64_t deadline = mg_millis() + 10000;
  while (off < len && mg_millis() < deadline) {
    ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
    if (n > 0) off += (size_t) n;
    else if (n < 0 && errno != EAGAIN) break;
    else mg_mgr_poll(mgr, 1);
  }
  ASSERT(off == len);
}

// Read what is there without blocking.
static void drain(int fd, struct resp *r) {
  for (;;) {
    ssize_t n;
    if (r->cap - r->len < 65536) {
      r->cap = r->cap * 2 + 65536;
      r->buf = (char *) realloc(r->buf, r->cap + 1);
    }
    n = recv(fd, r->buf + r->len, r->cap - r->len, 0);
    if (n > 0) {
      r->len += (size_t) n;
      r->buf[r->len] = '\0';
    } else {
      if (n == 0 || errno != EAGAIN) r->eof = 1;
      break;
    }
  }
}

// Bytes of `n` complete responses at the start of `r` (0 if incomplete).
// `head_only`: the responses have no bodies (HEAD).
static size_t complete(const struct resp *r, int n, int head_only) {
  size_t ofs = 0;
  while (n-- > 0) {
    struct mg_http_message hm;
    int h;
    if (ofs >= r->len) return 0;
    h = mg_http_parse(r->buf + ofs, r->len - ofs, &hm);
    if (h <= 0) return 0;
    if (!head_only && (hm.body.len == (size_t) -1 || r->len - ofs < (size_t) h + hm.body.len)) return 0;
    ofs += (size_t) h + (head_only ? 0 : hm.body.len);
  }
  return ofs;
}

static void resp_free(struct resp *r) {
  free(r->buf);
  memset(r, 0, sizeof(*r));
}

// Send `req` on a fresh connection and poll until `nresp` responses came.
static void fetch_n(struct mg_mgr *mgr, int port, const char *req, int nresp, int head_only, struct resp *r) {
  int fd = raw_connect(port, 0);
  uint64_t deadline = mg_millis() + 10000;
  memset(r, 0, sizeof(*r));
  raw_send(mgr, fd, req, strlen(req));
  while (mg_millis() < deadline && !r->eof && complete(r, nresp, head_only) == 0) {
    mg_mgr_poll(mgr, 5);
    drain(fd, r);
  }
  close(fd);
}

// Send `req` on a fresh connection and poll until `want` bytes came.
static void fetch_len(struct mg_mgr *mgr, int port, const char *req, size_t want, struct resp *r) {
  int fd = raw_connect(port, 0);
  uint64_t deadline = mg_millis() + 10000;
  memset(r, 0, sizeof(*r));
  raw_send(mgr, fd, req, strlen(req));
  while (mg_millis() < deadline && !r->eof && r->len < want) {
    mg_mgr_poll(mgr, 5);
    drain(fd, r);
  }
  close(fd);
}

static void fetch(struct mg_mgr *mgr, int port, const char *req, struct resp *r) {
  fetch_n(mgr, port, req, 1, 0, r);
}

static void expect(struct mg_mgr *mgr, int port, const char *req, const char *want) {
  struct resp r;
  fetch(mgr, port, req, &r);
  ASSERT_MEM(r.buf ? r.buf : "", r.len, want);
  if (r.len != strlen(want) || memcmp(r.buf, want, r.len) != 0) fprintf(stderr, "  request was: %s\n", req);
  resp_free(&r);
}

#define STARTS(buf, lit) ((buf) != NULL && strncmp((buf), (lit), strlen(lit)) == 0)
#define GET(uri) "GET " uri " HTTP/1.1\r\n\r\n"
#define TXT "Content-Type: text/plain; charset=utf-8\r\n"

static void reset_opts(void) {
  memset(&s_opts, 0, sizeof(s_opts));
  s_opts.root_dir = s_root;
  s_file = NULL;
}

// ---- tests -----------------------------------------------------------------

static void test_heads(struct mg_mgr *mgr, int port) {
  struct resp r;
  const char *etag = "Etag: \"1704164645.10\"\r\n";
  char want[1024], et[64], p404_ssi[512];
  reset_opts();
  snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\n" TXT "%sContent-Length: 10\r\n\r\n0123456789", etag);
  expect(mgr, port, GET("/range.txt"), want);
  // HEAD: the same head, no body; the connection stays usable.
  snprintf(want, sizeof(want),
           "HTTP/1.1 200 OK\r\n" TXT "%sContent-Length: 10\r\n\r\n"
           "HTTP/1.1 200 OK\r\n" TXT "%sContent-Length: 10\r\n\r\n0123456789",
           etag, etag);
  fetch_len(mgr, port, "HEAD /range.txt HTTP/1.1\r\n\r\n" GET("/range.txt"), strlen(want), &r);
  ASSERT_MEM(r.buf, r.len, want);
  resp_free(&r);
  snprintf(want, sizeof(want),
           "HTTP/1.1 206 Partial Content\r\n" TXT "%sContent-Length: 3\r\nContent-Range: bytes 2-4/10\r\n\r\n234", etag);
  expect(mgr, port, "GET /range.txt HTTP/1.1\r\nRange: bytes=2-4\r\n\r\n", want);
  snprintf(want, sizeof(want),
           "HTTP/1.1 206 Partial Content\r\n" TXT "%sContent-Length: 3\r\nContent-Range: bytes 7-9/10\r\n\r\n789", etag);
  expect(mgr, port, "GET /range.txt HTTP/1.1\r\nRange: bytes=7-\r\n\r\n", want);
  snprintf(want, sizeof(want),
           "HTTP/1.1 416 Requested Range Not Satisfiable\r\n" TXT "%sContent-Length: 0\r\nContent-Range: bytes */10\r\n\r\n",
           etag);
  expect(mgr, port, "GET /range.txt HTTP/1.1\r\nRange: bytes=20-30\r\n\r\n", want);
  snprintf(want, sizeof(want),
           "HTTP/1.1 206 Partial Content\r\n" TXT "%sContent-Length: 10\r\nContent-Range: bytes 0-9/10\r\n\r\n0123456789",
           etag);
  expect(mgr, port, "GET /range.txt HTTP/1.1\r\nRange: bytes=-3\r\n\r\n", want);
  expect(mgr, port, "GET /range.txt HTTP/1.1\r\nRange: bytes=0-1,3-4\r\n\r\n", want);
  expect(mgr, port, "GET /range.txt HTTP/1.1\r\nIf-None-Match: \"1704164645.10\"\r\n\r\n",
         "HTTP/1.1 304 Not Modified\r\nContent-Length: 0          \r\n\r\n");
  snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\n" TXT "%sContent-Length: 10\r\n\r\n0123456789", etag);
  expect(mgr, port, "GET /range.txt HTTP/1.1\r\nIf-None-Match: \"1704164645.11\"\r\n\r\n", want);
  expect(mgr, port, GET("/nope.txt"), "HTTP/1.1 404 Not Found\r\nContent-Length: 10         \r\n\r\nNot found\n");
  expect(mgr, port, GET("/sub?x=1"), "HTTP/1.1 301 Moved\r\nLocation: /sub/\r\nContent-Length: 0\r\n\r\n");
  etag_of("index.html", et, sizeof(et));
  snprintf(want, sizeof(want),
           "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nEtag: %s\r\nContent-Length: 11\r\n\r\n<h1>hi</h1>", et);
  expect(mgr, port, GET("/"), want);
  etag_of("sub/b.txt.gz", et, sizeof(et));
  snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\n" TXT "Etag: %s\r\nContent-Length: 2\r\nContent-Encoding: gzip\r\n\r\ngz", et);
  expect(mgr, port, "GET /sub/b.txt HTTP/1.1\r\nAccept-Encoding: gzip, deflate\r\n\r\n", want);
  etag_of("sub/b.txt", et, sizeof(et));
  snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\n" TXT "Etag: %s\r\nContent-Length: 8\r\n\r\nplain b\n", et);
  expect(mgr, port, "GET /sub/b.txt HTTP/1.1\r\nAccept-Encoding: deflate\r\n\r\n", want);
  etag_of("dir2/f <1>.txt", et, sizeof(et));
  snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\n" TXT "Etag: %s\r\nContent-Length: 4\r\n\r\nabcd", et);
  expect(mgr, port, GET("/dir2/f%20%3C1%3E.txt"), want);
  etag_of(".hidden", et, sizeof(et));  // dotfiles are served, as in Mongoose
  snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\n" TXT "Etag: %s\r\nContent-Length: 3\r\n\r\ndot", et);
  expect(mgr, port, GET("/.hidden"), want);
  etag_of("empty.txt", et, sizeof(et));
  snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\n" TXT "Etag: %s\r\nContent-Length: 0\r\n\r\n", et);
  expect(mgr, port, GET("/empty.txt"), want);
  etag_of("UP.HTML", et, sizeof(et));  // the table is case-sensitive
  snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\n" TXT "Etag: %s\r\nContent-Length: 5\r\n\r\nupper", et);
  expect(mgr, port, GET("/UP.HTML"), want);
  etag_of("pic.png", et, sizeof(et));
  snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nEtag: %s\r\nContent-Length: 3\r\n\r\nPNG", et);
  expect(mgr, port, GET("/pic.png"), want);
  etag_of("range.txt", et, sizeof(et));  // symlink inside the root: fine
  snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\n" TXT "Etag: %s\r\nContent-Length: 10\r\n\r\n0123456789", et);
  expect(mgr, port, GET("/inlink.txt"), want);

  // Options: MIME override, extra headers (also on 404, not on 400/301).
  s_opts.mime_types = "json=text/x-custom";
  s_opts.extra_headers = "X-Extra: 1\r\n";
  etag_of("sub/a.json", et, sizeof(et));
  snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\nContent-Type: text/x-custom\r\nEtag: %s\r\nContent-Length: 4\r\nX-Extra: 1\r\n\r\nbody", et);
  expect(mgr, port, GET("/sub/a.json"), want);
  expect(mgr, port, GET("/nope"), "HTTP/1.1 404 Not Found\r\nX-Extra: 1\r\nContent-Length: 10         \r\n\r\nNot found\n");
  expect(mgr, port, GET("/../x"), "HTTP/1.1 400 Bad Request\r\nContent-Length: 12         \r\n\r\nInvalid path");
  expect(mgr, port, "GET /range.txt HTTP/1.1\r\nIf-None-Match: \"1704164645.10\"\r\n\r\n",
         "HTTP/1.1 304 Not Modified\r\nX-Extra: 1\r\nContent-Length: 0          \r\n\r\n");
  s_opts.mime_types = "*=application/x-all";
  snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\nContent-Type: application/x-all\r\nEtag: \"1704164645.10\"\r\nContent-Length: 10\r\nX-Extra: 1\r\n\r\n0123456789");
  expect(mgr, port, GET("/range.txt"), want);

  // page404 is served with status 200 and its own MIME type.
  reset_opts();
  {
    char p404[512];
    path_of(p404, sizeof(p404), "404.html");
    s_opts.page404 = p404;
    etag_of("404.html", et, sizeof(et));
    snprintf(want, sizeof(want),
             "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nEtag: %s\r\nContent-Length: 17\r\n\r\n<p>custom 404</p>", et);
    expect(mgr, port, GET("/missing"), want);
  }
  // SSI runs whenever ssi_pattern matches (a prebuilt library cannot see
  // -DMG_ENABLE_SSI): includes relative to the file (file=) or the root
  // (virtual=); missing or insane includes expand to nothing; other
  // directives are copied.
  reset_opts();
  s_opts.ssi_pattern = "#.shtml";
  expect(mgr, port, GET("/x.shtml"), "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 0          \r\n\r\n");
  {
    static const char ssi[] =
        "A<!--#include file=\"b.txt\" -->B<!--#include virtual=\"/noext\"-->C"
        "<!--#include file=\"../range.txt\"--><!--#echo x -->";
    put("sub/s.shtml", ssi, sizeof(ssi) - 1, 0);
    expect(mgr, port, GET("/sub/s.shtml"),
           "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 27         \r\n\r\n"
           "Aplain b\nBnC<!--#echo x -->");
    path_of(p404_ssi, sizeof(p404_ssi), "sub/s.shtml");
    unlink(p404_ssi);
  }
  etag_of("range.txt", et, sizeof(et));
  snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\n" TXT "Etag: %s\r\nContent-Length: 10\r\n\r\n0123456789", et);
  expect(mgr, port, GET("/range.txt"), want);

  // Multi-root: the last matching entry wins.
  reset_opts();
  {
    char roots[700];
    snprintf(roots, sizeof(roots), "%s,/static=%s/sub", s_root, s_root);
    s_opts.root_dir = roots;
    etag_of("sub/a.json", et, sizeof(et));
    snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nEtag: %s\r\nContent-Length: 4\r\n\r\nbody", et);
    expect(mgr, port, GET("/static/a.json"), want);
    expect(mgr, port, GET("/static/../range.txt"),
           "HTTP/1.1 400 Bad Request\r\nContent-Length: 12         \r\n\r\nInvalid path");
    expect(mgr, port, GET("/static"), "HTTP/1.1 301 Moved\r\nLocation: /static/\r\nContent-Length: 0\r\n\r\n");
    // SSI under the same list: virtual= includes are URIs mapped through
    // it, as requests are.
    s_opts.ssi_pattern = "#.shtml";
    put("sub/m.shtml", "<!--#include virtual=\"/static/a.json\"-->|<!--#include virtual=\"/range.txt\"-->|", 78, 0);
    expect(mgr, port, GET("/static/m.shtml"),
           "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 16         \r\n\r\n"
           "body|0123456789|");
    path_of(p404_ssi, sizeof(p404_ssi), "sub/m.shtml");
    unlink(p404_ssi);
  }
  // SSI includes stay in the root: symlinks leading out expand to nothing,
  // one staying inside is followed.
  reset_opts();
  s_opts.ssi_pattern = "#.shtml";
  {
    static const char jail[] = "[<!--#include file=\"link.txt\"--><!--#include virtual=\"/linkdir/secret.txt\"-->"
                               "<!--#include file=\"inlink.txt\"-->]";
    put("j.shtml", jail, sizeof(jail) - 1, 0);
    expect(mgr, port, GET("/j.shtml"),
           "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 12         \r\n\r\n"
           "[0123456789]");
    path_of(p404_ssi, sizeof(p404_ssi), "j.shtml");
    unlink(p404_ssi);
  }
  // No root: the URI is a filesystem path (as in Mongoose; dangerous).
  reset_opts();
  s_opts.root_dir = NULL;
  {
    char req[700];
    snprintf(req, sizeof(req), "GET %s/range.txt HTTP/1.1\r\n\r\n", s_root);
    snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\n" TXT "Etag: \"1704164645.10\"\r\nContent-Length: 10\r\n\r\n0123456789");
    expect(mgr, port, req, want);
  }
  // mg_http_serve_file, with and without options.
  reset_opts();
  {
    char p[512];
    path_of(p, sizeof(p), "range.txt");
    s_file = p;
    snprintf(want, sizeof(want), "HTTP/1.1 200 OK\r\n" TXT "Etag: \"1704164645.10\"\r\nContent-Length: 10\r\n\r\n0123456789");
    expect(mgr, port, GET("/anything"), want);
    path_of(p, sizeof(p), "nope");
    expect(mgr, port, GET("/anything"), "HTTP/1.1 404 Not Found\r\nContent-Length: 10         \r\n\r\nNot found\n");
    s_file = NULL;
  }
}

static void test_listing(struct mg_mgr *mgr, int port) {
  struct resp r;
  struct mg_http_message hm;
  const char *row = "  <tr><td><a href=\"f%20%3c1%3e.txt\">f &lt;1&gt;.txt</a></td>"
                    "<td name=1795530200>1795530200</td><td name=4>4</td></tr>\n";
  reset_opts();
  fetch(mgr, port, GET("/dir2/"), &r);
  ASSERT(r.len > 0 && mg_http_parse(r.buf, r.len, &hm) > 0);
  ASSERT(STARTS(r.buf, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "));
  {
    // Content-Length: the number padded with spaces to 8 columns.
    char *cl = strstr(r.buf, "Content-Length: ") + 16;
    char want[32];
    snprintf(want, sizeof(want), "%-8lu\r\n\r\n", (unsigned long) hm.body.len);
    ASSERT(strncmp(cl, want, strlen(want)) == 0);
    ASSERT((size_t) (hm.body.buf - r.buf) + hm.body.len == r.len);
  }
  ASSERT(strstr(r.buf, "<title>Index of /dir2/</title>") != NULL);
  ASSERT(strstr(r.buf, "<h1>Index of /dir2/</h1>") != NULL);
  ASSERT(strstr(r.buf, "<tbody id=\"tb\">\n  <tr><td><a href=\"..\">..</a></td><td name=-1></td><td name=-1>[DIR]</td></tr>\n") != NULL);
  ASSERT(strstr(r.buf, row) != NULL);
  ASSERT(strstr(r.buf, "<a href=\"inner/\">inner/</a></td>") != NULL);
  ASSERT(strstr(r.buf, "</tbody><tfoot><tr><td colspan=\"3\"><hr></td></tr></tfoot></table><address>Mongoose v.7.23</address></body></html>\n") != NULL);
  resp_free(&r);
  // Extra headers come before Content-Length in a listing.
  s_opts.extra_headers = "X-L: 1\r\n";
  fetch(mgr, port, GET("/dir2/inner/"), &r);
  ASSERT(STARTS(r.buf, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nX-L: 1\r\nContent-Length: "));
  ASSERT(strstr(r.buf, "</tbody>") != NULL && strstr(r.buf, "<td name=4>") == NULL);
  resp_free(&r);
}

static void test_traversal(struct mg_mgr *mgr, int port) {
  static const struct {
    const char *uri;
    int code;
  } cases[] = {
      {"/../secret.txt", 400},
      {"/%2e%2e/secret.txt", 400},
      {"/%2E%2E/secret.txt", 400},
      {"/.%2e/secret.txt", 400},
      {"/%2e./secret.txt", 400},
      {"/..%2fsecret.txt", 400},
      {"/..%2Fsecret.txt", 400},
      {"/%2e%2e%2fsecret.txt", 400},
      {"/sub/../../secret.txt", 400},
      {"/sub/%2e%2e/%2e%2e/secret.txt", 400},
      {"/..\\secret.txt", 400},
      {"/sub\\..\\..\\secret.txt", 400},
      {"/%5c..%5csecret.txt", 400},
      {"/sub%5c..%5c..%5csecret.txt", 400},
      {"/..", 400},
      {"/../", 400},
      {"/sub/..", 400},
      {"/%2e%2e", 400},
      {"/....//secret.txt", 400},
      {"/.../secret.txt", 400},
      {"/sub/..%2f..%2fsecret.txt", 400},
      {"/%2e%2e%5csecret.txt", 400},
      {"/..;/secret.txt", 400},
      {"/%2e%2e%2f%2e%2e%2fetc%2fpasswd", 400},
      {"/range.txt%00.html", 400},
      {"/%00", 400},
      {"/sub/%00/../secret.txt", 400},
      {"/link.txt", 400},           // symlink to a file outside
      {"/linkdir/secret.txt", 400}, // symlinked directory outside
      {"/linkdir/", 400},
      {"/linkdir", 400},
      {"/%252e%252e/secret.txt", 404},  // decoded once only
      {"//etc/passwd", 404},            // stays below the root
      {"/%2fetc%2fpasswd", 404},
      {"/~/secret.txt", 404},
      {"/%c0%ae%c0%ae/secret.txt", 404},  // overlong UTF-8 is not a dot
      {"..%2fsecret.txt", 404},
      {"/a..b", 404},
  };
  size_t i;
  reset_opts();
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char req[256];
    struct resp r;
    int before = s_test_failures;
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\n\r\n", cases[i].uri);
    fetch(mgr, port, req, &r);
    if (cases[i].code == 400) {
      ASSERT_MEM(r.buf ? r.buf : "", r.len, "HTTP/1.1 400 Bad Request\r\nContent-Length: 12         \r\n\r\nInvalid path");
    } else {
      ASSERT_MEM(r.buf ? r.buf : "", r.len, "HTTP/1.1 404 Not Found\r\nContent-Length: 10         \r\n\r\nNot found\n");
    }
    if (r.buf && strstr(r.buf, "TOPSECRET") != NULL) ASSERT(0 && "secret leaked");
    if (s_test_failures != before) fprintf(stderr, "  (case %s)\n", cases[i].uri);
    resp_free(&r);
  }
  // Another root form: the same refusals behind a prefix.
  {
    char roots[400];
    struct resp r;
    snprintf(roots, sizeof(roots), "/s=%s", s_root);
    s_opts.root_dir = roots;
    fetch(mgr, port, GET("/s/%2e%2e/secret.txt"), &r);
    ASSERT_MEM(r.buf, r.len, "HTTP/1.1 400 Bad Request\r\nContent-Length: 12         \r\n\r\nInvalid path");
    resp_free(&r);
    fetch(mgr, port, GET("/s/link.txt"), &r);
    ASSERT_MEM(r.buf, r.len, "HTTP/1.1 400 Bad Request\r\nContent-Length: 12         \r\n\r\nInvalid path");
    resp_free(&r);
  }
}

static int big_ok(const char *body, size_t from, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) {
    if ((unsigned char) body[i] != big_byte(from + i)) return 0;
  }
  return 1;
}

static size_t body_at(const struct resp *r) {
  char *p = r->buf ? strstr(r->buf, "\r\n\r\n") : NULL;
  return p ? (size_t) (p + 4 - r->buf) : 0;
}

static void test_big(struct mg_mgr *mgr, int port) {
  struct resp a, b;
  int fa, fb;
  uint64_t deadline;
  struct mg_connection *c, *streaming = NULL;
  size_t h;
  reset_opts();
  s_max_send = 0;
  memset(&a, 0, sizeof(a));
  memset(&b, 0, sizeof(b));
  // A asks for 8 MB and reads nothing for now (small receive window).
  fa = raw_connect(port, 4096);
  raw_send(mgr, fa, GET("/big.bin"), strlen(GET("/big.bin")));
  deadline = mg_millis() + 5000;
  while (streaming == NULL && mg_millis() < deadline) {
    mg_mgr_poll(mgr, 5);
    for (c = mgr->conns; c != NULL; c = c->next) {
      if (c->is_accepted && c->is_resp) streaming = c;
    }
  }
  ASSERT(streaming != NULL);
  // B is served completely meanwhile.
  fb = raw_connect(port, 0);
  raw_send(mgr, fb, GET("/range.txt"), strlen(GET("/range.txt")));
  deadline = mg_millis() + 5000;
  while (mg_millis() < deadline && complete(&b, 1, 0) == 0) {
    mg_mgr_poll(mgr, 5);
    drain(fb, &b);
  }
  ASSERT(b.len > 10 && memcmp(b.buf + b.len - 10, "0123456789", 10) == 0);
  ASSERT(streaming->is_resp);  // A is still in progress
  close(fb);
  // Now A reads everything: byte-identical, and the server never buffered
  // more than one MG_IO_SIZE chunk.
  deadline = mg_millis() + 30000;
  while (mg_millis() < deadline && !a.eof && complete(&a, 1, 0) == 0) {
    mg_mgr_poll(mgr, 1);
    drain(fa, &a);
  }
  h = body_at(&a);
  ASSERT(h > 0 && strstr(a.buf, "Content-Length: 8388608\r\n") != NULL);
  ASSERT(a.len == h + BIG_SIZE);
  ASSERT(a.len == h + BIG_SIZE && big_ok(a.buf + h, 0, BIG_SIZE));
  ASSERT(s_max_send > 0 && s_max_send <= MG_IO_SIZE);
  // The connection is reusable afterwards.
  resp_free(&a);
  raw_send(mgr, fa, GET("/range.txt"), strlen(GET("/range.txt")));
  deadline = mg_millis() + 5000;
  while (mg_millis() < deadline && complete(&a, 1, 0) == 0) {
    mg_mgr_poll(mgr, 5);
    drain(fa, &a);
  }
  ASSERT(a.len > 10 && memcmp(a.buf + a.len - 10, "0123456789", 10) == 0);
  resp_free(&a);
  resp_free(&b);
  close(fa);
}

// `Connection: close` is honoured once a streamed body is complete.
static void test_close_after_stream(struct mg_mgr *mgr, int port) {
  struct resp r;
  size_t h;
  reset_opts();
  fetch_len(mgr, port, "GET /big.bin HTTP/1.1\r\nConnection: close\r\n\r\n", (size_t) -1, &r);
  h = body_at(&r);
  ASSERT(r.eof && h > 0 && r.len == h + BIG_SIZE);
  ASSERT(r.len == h + BIG_SIZE && big_ok(r.buf + h, 0, BIG_SIZE));
  resp_free(&r);
  fetch_len(mgr, port, "GET /range.txt HTTP/1.1\r\nConnection: close\r\n\r\n", (size_t) -1, &r);
  ASSERT(r.eof && r.len > 10 && memcmp(r.buf + r.len - 10, "0123456789", 10) == 0);
  resp_free(&r);
}

static void test_concurrent_ranges(struct mg_mgr *mgr, int port) {
  static const struct {
    size_t a, b;
  } rg[] = {{0, 99999}, {1000000, 2999999}, {5000000, BIG_SIZE - 1}, {BIG_SIZE - 1, BIG_SIZE - 1}, {12345, 12345 + 65536}};
  enum { N = sizeof(rg) / sizeof(rg[0]) };
  struct resp r[N];
  int fd[N], i, done = 0;
  uint64_t deadline = mg_millis() + 20000;
  reset_opts();
  for (i = 0; i < N; i++) {
    char req[128];
    memset(&r[i], 0, sizeof(r[i]));
    snprintf(req, sizeof(req), "GET /big.bin HTTP/1.1\r\nRange: bytes=%lu-%lu\r\n\r\n", (unsigned long) rg[i].a,
             (unsigned long) rg[i].b);
    fd[i] = raw_connect(port, 0);
    raw_send(mgr, fd[i], req, strlen(req));
  }
  while (done < N && mg_millis() < deadline) {
    mg_mgr_poll(mgr, 1);
    for (done = 0, i = 0; i < N; i++) {
      drain(fd[i], &r[i]);
      if (complete(&r[i], 1, 0)) done++;
    }
  }
  ASSERT(done == N);
  for (i = 0; i < N; i++) {
    char cr[96];
    size_t h = body_at(&r[i]), len = rg[i].b - rg[i].a + 1;
    snprintf(cr, sizeof(cr), "Content-Range: bytes %lu-%lu/%lu\r\n", (unsigned long) rg[i].a, (unsigned long) rg[i].b,
             (unsigned long) BIG_SIZE);
    ASSERT(STARTS(r[i].buf, "HTTP/1.1 206 Partial Content\r\n"));
    ASSERT(strstr(r[i].buf, cr) != NULL);
    ASSERT(r[i].len == h + len && big_ok(r[i].buf + h, rg[i].a, len));
    close(fd[i]);
    resp_free(&r[i]);
  }
}

static void test_pipelined(struct mg_mgr *mgr, int port) {
  struct resp r;
  size_t one;
  const char *tail = "HTTP/1.1 200 OK\r\n" TXT "Etag: \"1704164645.10\"\r\nContent-Length: 10\r\n\r\n0123456789";
  reset_opts();
  // The second request waits until the 8 MB body is queued, then follows it.
  fetch_n(mgr, port, GET("/big.bin") GET("/range.txt") "HEAD /big.bin HTTP/1.1\r\n\r\n", 2, 0, &r);
  one = body_at(&r) + BIG_SIZE;
  ASSERT(r.len >= one + strlen(tail));
  ASSERT(r.len >= one && big_ok(r.buf + body_at(&r), 0, BIG_SIZE));
  ASSERT(r.len >= one + strlen(tail) && memcmp(r.buf + one, tail, strlen(tail)) == 0);
  resp_free(&r);
}

static void read_file(const char *path, char *buf, size_t len) {
  FILE *fp = fopen(path, "rb");
  size_t n = 0;
  buf[0] = '\0';
  if (fp != NULL) {
    n = fread(buf, 1, len - 1, fp);
    fclose(fp);
  }
  buf[n] = '\0';
}

static void test_upload(struct mg_mgr *mgr, int port) {
  char want[600], p[512], data[256];
  reset_opts();
  expect(mgr, port, "POST /upload?file=up.txt&offset=0 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
         "HTTP/1.1 200 OK\r\nContent-Length: 1          \r\n\r\n5");
  ASSERT(s_upload_rc == 5);
  expect(mgr, port, "POST /upload?file=up.txt&offset=5 HTTP/1.1\r\nContent-Length: 5\r\n\r\nworld",
         "HTTP/1.1 200 OK\r\nContent-Length: 2          \r\n\r\n10");
  ASSERT(s_upload_rc == 10);
  snprintf(p, sizeof(p), "%s/up.txt", s_up);
  read_file(p, data, sizeof(data));
  ASSERT_STR(data, "helloworld");
  snprintf(want, sizeof(want), "HTTP/1.1 400 Bad Request\r\nContent-Length: %-10lu \r\n\r\n%s/up.txt: offset mismatch",
           (unsigned long) (strlen(s_up) + strlen("/up.txt: offset mismatch")), s_up);
  expect(mgr, port, "POST /upload?file=up.txt&offset=3 HTTP/1.1\r\nContent-Length: 1\r\n\r\nx", want);
  ASSERT(s_upload_rc == -5);
  // Starting over at offset 0 replaces the file.
  expect(mgr, port, "POST /upload?file=up.txt HTTP/1.1\r\nContent-Length: 3\r\n\r\nnew",
         "HTTP/1.1 200 OK\r\nContent-Length: 1          \r\n\r\n3");
  read_file(p, data, sizeof(data));
  ASSERT_STR(data, "new");
  {
    // An offset that is not a plain decimal never truncates or overwrites:
    // Mongoose's 400 "offset mismatch" (it read 0x0 and -0 as 0, starting over).
    static const char *junk[] = {"0x10", "0x0", "1e3", "-0", "%2b3", "3x"};
    size_t i;
    snprintf(want, sizeof(want), "HTTP/1.1 400 Bad Request\r\nContent-Length: %-10lu \r\n\r\n%s/up.txt: offset mismatch",
             (unsigned long) (strlen(s_up) + strlen("/up.txt: offset mismatch")), s_up);
    for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
      char req[200];
      snprintf(req, sizeof(req), "POST /upload?file=up.txt&offset=%s HTTP/1.1\r\nContent-Length: 1\r\n\r\nx", junk[i]);
      expect(mgr, port, req, want);
      ASSERT(s_upload_rc == -5);
      read_file(p, data, sizeof(data));
      ASSERT_STR(data, "new");
    }
    expect(mgr, port, "POST /upload?file=up.txt&offset= HTTP/1.1\r\nContent-Length: 1\r\n\r\nx",
           "HTTP/1.1 400 Bad Request\r\nContent-Length: 15         \r\n\r\noffset required");
    ASSERT(s_upload_rc == -3);
    read_file(p, data, sizeof(data));
    ASSERT_STR(data, "new");
  }
  expect(mgr, port, "POST /upload?offset=0 HTTP/1.1\r\nContent-Length: 1\r\n\r\nx",
         "HTTP/1.1 400 Bad Request\r\nContent-Length: 13         \r\n\r\nfile required");
  ASSERT(s_upload_rc == -1);
  expect(mgr, port, "POST /upload?file=..%2fevil HTTP/1.1\r\nContent-Length: 1\r\n\r\nx",
         "HTTP/1.1 400 Bad Request\r\nContent-Length: 21         \r\n\r\n../evil: invalid file");
  ASSERT(s_upload_rc == -2);
  expect(mgr, port, "POST /upload?file=out/evil HTTP/1.1\r\nContent-Length: 1\r\n\r\nx",
         "HTTP/1.1 400 Bad Request\r\nContent-Length: 22         \r\n\r\nout/evil: invalid file");
  ASSERT(s_upload_rc == -2);
  snprintf(p, sizeof(p), "%s/evil", s_tmp);
  ASSERT(access(p, F_OK) != 0);
  expect(mgr, port, "POST /upload?file=a&offset=-1 HTTP/1.1\r\nContent-Length: 1\r\n\r\nx",
         "HTTP/1.1 400 Bad Request\r\nContent-Length: 15         \r\n\r\noffset required");
  ASSERT(s_upload_rc == -3);
  snprintf(want, sizeof(want), "HTTP/1.1 400 Bad Request\r\nContent-Length: %-10lu \r\n\r\n%s/a: over max size of 100",
           (unsigned long) (strlen(s_up) + strlen("/a: over max size of 100")), s_up);
  expect(mgr, port, "POST /upload?file=a&offset=99 HTTP/1.1\r\nContent-Length: 2\r\n\r\nxx", want);
  ASSERT(s_upload_rc == -4);
  expect(mgr, port, "POST /upload?file=a HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
         "HTTP/1.1 200 OK\r\nContent-Length: 1          \r\n\r\n0");
  ASSERT(s_upload_rc == 0);
  snprintf(want, sizeof(want), "HTTP/1.1 400 Bad Request\r\nContent-Length: %-10lu \r\n\r\nopen(%s/nodir/x)",
           (unsigned long) (strlen(s_up) + strlen("open(/nodir/x)")), s_up);
  expect(mgr, port, "POST /upload?file=nodir/x HTTP/1.1\r\nContent-Length: 1\r\n\r\nx", want);
  ASSERT(s_upload_rc == -6);
}

static struct mg_str ms(const char *s) {
  return S(s);
}

static void ls_cb(const char *name, void *arg) {
  strcat((char *) arg, name);
  strcat((char *) arg, ";");
}

static void test_fs_api(void) {
  char p[512], q[512], buf[64], names[512];
  struct mg_str s;
  struct mg_fd *fd;
  int n = 0, flags;
  size_t size = 0;
  time_t mtime = 0;
  ASSERT(mg_path_is_sane(ms("")) && mg_path_is_sane(ms("a/b")) && mg_path_is_sane(ms("a/.b")));
  ASSERT(!mg_path_is_sane(ms("../a")) && !mg_path_is_sane(ms("a/../b")) && !mg_path_is_sane(ms("~x")));
  ASSERT(!mg_path_is_sane(ms("a\\..\\b")) && !mg_path_is_sane(ms("a/...b")) && !mg_path_is_sane(ms("/..")));
  ASSERT(sizeof(struct mg_fs) == 80 && sizeof(struct mg_fd) == 16 && sizeof(struct mg_mem_file) == 32);

  snprintf(p, sizeof(p), "%s/api.txt", s_up);
  ASSERT(mg_file_write(&mg_fs_posix, p, "abc", 3));
  s = mg_file_read(&mg_fs_posix, p);
  ASSERT(s.len == 3 && s.buf != NULL && strcmp(s.buf, "abc") == 0);
  free(s.buf);
  ASSERT(mg_file_printf(&mg_fs_posix, p, "%d-%s", 42, "x"));
  s = mg_file_read(NULL, p);  // NULL means mg_fs_posix
  ASSERT(s.len == 4 && s.buf != NULL && strcmp(s.buf, "42-x") == 0);
  free(s.buf);
  ASSERT(mg_file_printf(&mg_fs_posix, p, "%s", ""));
  s = mg_file_read(&mg_fs_posix, p);
  ASSERT(s.len == 0 && s.buf != NULL && s.buf[0] == '\0');
  free(s.buf);
  s = mg_file_read(&mg_fs_posix, "/nonexistent/x");
  ASSERT(s.buf == NULL && s.len == 0);
  snprintf(q, sizeof(q), "%s/nodir/x", s_up);
  ASSERT(!mg_file_write(&mg_fs_posix, q, "abc", 3));

  flags = mg_fs_posix.st(p, &size, &mtime);
  ASSERT(flags == (MG_FS_READ | MG_FS_WRITE) && size == 0 && mtime > 0);
  ASSERT(mg_fs_posix.st(s_up, NULL, NULL) == (MG_FS_READ | MG_FS_WRITE | MG_FS_DIR));
  ASSERT(mg_fs_posix.st("/nonexistent/x", NULL, NULL) == 0);

  fd = mg_fs_open(&mg_fs_posix, p, MG_FS_WRITE);
  ASSERT(fd != NULL && fd->fs == &mg_fs_posix);
  if (fd) {
    ASSERT(fd->fs->wr(fd->fd, "0123456789", 10) == 10);
    mg_fs_close(fd);
  }
  fd = mg_fs_open(&mg_fs_posix, p, MG_FS_READ);
  ASSERT(fd != NULL);
  if (fd) {
    ASSERT(fd->fs->sk(fd->fd, 4) == 4);
    ASSERT(fd->fs->rd(fd->fd, buf, 3) == 3 && memcmp(buf, "456", 3) == 0);
    mg_fs_close(fd);
  }
  ASSERT(mg_fs_open(&mg_fs_posix, "/nonexistent/x", MG_FS_READ) == NULL);
  ASSERT(mg_fs_open(&mg_fs_posix, p, MG_FS_WRITE | MG_FS_EXCL) == NULL);  // exists
  mg_fs_close(NULL);

  // mg_fs_ls iterates the directory (listed names, in ls order).
  path_of(q, sizeof(q), "sub");
  names[0] = '\0';
  mg_fs_posix.ls(q, ls_cb, names);
  buf[0] = '\0';
  {
    char seen[256] = "";
    while (mg_fs_ls(&mg_fs_posix, q, buf, sizeof(buf))) {
      strcat(seen, buf);
      strcat(seen, ";");
      n++;
    }
    ASSERT(n == 3 && buf[0] == '\0');
    ASSERT_STR(seen, names);
  }
  snprintf(q, sizeof(q), "%s/dd", s_up);
  ASSERT(mg_fs_posix.mkd(q) && (mg_fs_posix.st(q, NULL, NULL) & MG_FS_DIR) != 0);
  snprintf(names, sizeof(names), "%s/dd/renamed", s_up);
  ASSERT(mg_fs_posix.mv(p, names) && mg_fs_posix.st(p, NULL, NULL) == 0);
  ASSERT(mg_fs_posix.rm(names) && !mg_fs_posix.rm(names));
  ASSERT(mg_fs_posix.rm(q));
}

// Packed (in-memory) filesystem.
static const unsigned char s_idx[] = "<b>packed</b>";
static const unsigned char s_css[] = "b{}";
static const struct mg_mem_file s_mem[] = {
    {"/web/index.html", s_idx, sizeof(s_idx) - 1, 1700000000},
    {"/web/css/x.css", s_css, sizeof(s_css) - 1, 1700000001},
    {"/web/css/y.css", s_css, sizeof(s_css) - 1, 0},
    {NULL, NULL, 0, 0},
};

static void test_packed(struct mg_mgr *mgr, int port) {
  struct mg_str s;
  size_t size = 0;
  time_t mtime = 0;
  char buf[64], names[128] = "";
  struct mg_fd *fd;
  ASSERT(mg_unpacked("/web/index.html").buf == NULL);  // no table yet
  mg_mem_files = s_mem;
  s = mg_unpacked("/web/index.html");
  ASSERT(s.len == 13 && s.buf == (char *) s_idx);
  ASSERT(mg_unpacked("/web/nope").buf == NULL);
  ASSERT(mg_fs_packed.st("/web/css/x.css", &size, &mtime) == MG_FS_READ && size == 3 && mtime == 1700000001);
  ASSERT(mg_fs_packed.st("/web/css", NULL, NULL) == MG_FS_DIR);
  ASSERT(mg_fs_packed.st("/web/cs", NULL, NULL) == 0);
  mg_fs_packed.ls("/web", ls_cb, names);
  ASSERT_STR(names, "index.html;css;");
  ASSERT(mg_fs_open(&mg_fs_packed, "/web/index.html", MG_FS_WRITE) == NULL);
  ASSERT(!mg_file_write(&mg_fs_packed, "/web/new", "x", 1));
  fd = mg_fs_open(&mg_fs_packed, "/web/index.html", MG_FS_READ);
  ASSERT(fd != NULL);
  if (fd) {
    ASSERT(fd->fs->sk(fd->fd, 3) == 3);
    ASSERT(fd->fs->rd(fd->fd, buf, sizeof(buf)) == 10 && memcmp(buf, "packed</b>", 10) == 0);
    mg_fs_close(fd);
  }
  s = mg_file_read(&mg_fs_packed, "/web/css/y.css");
  ASSERT(s.len == 3 && s.buf != NULL && strcmp(s.buf, "b{}") == 0);
  free(s.buf);

  reset_opts();
  s_opts.root_dir = "/web";
  s_opts.fs = &mg_fs_packed;
  expect(mgr, port, GET("/"),
         "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nEtag: \"1700000000.13\"\r\nContent-Length: 13\r\n\r\n<b>packed</b>");
  expect(mgr, port, "GET /css/x.css HTTP/1.1\r\nRange: bytes=1-\r\n\r\n",
         "HTTP/1.1 206 Partial Content\r\nContent-Type: text/css; charset=utf-8\r\nEtag: \"1700000001.3\"\r\nContent-Length: 2\r\nContent-Range: bytes 1-2/3\r\n\r\n{}");
  expect(mgr, port, GET("/css"), "HTTP/1.1 301 Moved\r\nLocation: /css/\r\nContent-Length: 0\r\n\r\n");
  {
    struct resp r;
    fetch(mgr, port, GET("/css/"), &r);
    ASSERT(r.buf && strstr(r.buf, "<a href=\"x.css\">x.css</a></td><td name=1700000001>1700000001</td><td name=3>3</td>") != NULL);
    ASSERT(r.buf && strstr(r.buf, "<a href=\"y.css\">y.css</a>") != NULL);
    resp_free(&r);
  }
  expect(mgr, port, GET("/nope"), "HTTP/1.1 404 Not Found\r\nContent-Length: 10         \r\n\r\nNot found\n");
  mg_mem_files = NULL;
  reset_opts();
}

// Shutdown while a file streams: the body completes, then the connection
// closes; a request arriving afterwards on another connection gets 503.
static void test_shutdown_mid_stream(struct mg_mgr *mgr, int port) {
  struct resp a;
  int fa;
  size_t h;
  uint64_t deadline;
  struct mg_connection *c, *streaming = NULL;
  reset_opts();
  memset(&a, 0, sizeof(a));
  fa = raw_connect(port, 4096);
  raw_send(mgr, fa, GET("/big.bin"), strlen(GET("/big.bin")));
  deadline = mg_millis() + 5000;
  while (streaming == NULL && mg_millis() < deadline) {
    mg_mgr_poll(mgr, 5);
    for (c = mgr->conns; c != NULL; c = c->next) {
      if (c->is_accepted && c->is_resp) streaming = c;
    }
  }
  ASSERT(streaming != NULL);
  mg_mgr_shutdown(mgr, 60000);
  deadline = mg_millis() + 15000;  // well before the grace period ends
  while (mg_millis() < deadline && !a.eof) {
    mg_mgr_poll(mgr, 1);
    drain(fa, &a);
  }
  h = body_at(&a);
  ASSERT(a.eof && h > 0 && a.len == h + BIG_SIZE);
  ASSERT(a.len == h + BIG_SIZE && big_ok(a.buf + h, 0, BIG_SIZE));
  POLL_UNTIL(mgr, mg_mgr_is_done(mgr), 5000);
  ASSERT(mg_mgr_is_done(mgr));
  resp_free(&a);
  close(fa);
}

int main(void) {
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  int port;
  mg_log_set(MG_LL_NONE);
  make_tree();
  mg_mgr_init(&mgr);
  lsn = mg_http_listen(&mgr, "http://127.0.0.1:0", srv, NULL);
  ASSERT(lsn != NULL);
  if (lsn == NULL) return 1;
  port = ntohs(lsn->loc.port);
  test_heads(&mgr, port);
  test_listing(&mgr, port);
  test_traversal(&mgr, port);
  test_big(&mgr, port);
  test_concurrent_ranges(&mgr, port);
  test_close_after_stream(&mgr, port);
  test_pipelined(&mgr, port);
  test_upload(&mgr, port);
  test_fs_api();
  test_packed(&mgr, port);
  test_shutdown_mid_stream(&mgr, port);
  mg_mgr_free(&mgr);
  remove_tree();
  TEST_DONE();
}
