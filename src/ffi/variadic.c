// The only C in mongoose-rs: variadic entry points, which stable Rust cannot
// define, and va_arg helpers the Rust printf engine uses to read arguments.
// Each entry point packs its arguments into a va_list and hands a pointer to
// it to the Rust implementation of the matching v* function.
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct mg_connection;
struct mg_fs;
struct mg_queue;
typedef void (*mg_pfn_t)(char, void *);

size_t mg_vxprintf(mg_pfn_t fn, void *arg, const char *fmt, va_list *ap);
size_t mg_vsnprintf(char *buf, size_t len, const char *fmt, va_list *ap);
char *mg_vmprintf(const char *fmt, va_list *ap);
size_t mg_vprintf(struct mg_connection *c, const char *fmt, va_list *ap);
void mg_rs_verror(struct mg_connection *c, const char *fmt, va_list *ap);
void mg_rs_vlog(const char *fmt, va_list *ap);
void mg_rs_http_vreply(struct mg_connection *c, int code, const char *headers,
                       const char *fmt, va_list *ap);
void mg_rs_http_vprintf_chunk(struct mg_connection *c, const char *fmt,
                              va_list *ap);
bool mg_rs_file_vprintf(struct mg_fs *fs, const char *path, const char *fmt,
                        va_list *ap);
size_t mg_rs_queue_vprintf(struct mg_queue *q, const char *fmt, va_list *ap);
struct mg_rpc_req;
void mg_rpc_vok(struct mg_rpc_req *r, const char *fmt, va_list *ap);
void mg_rpc_verr(struct mg_rpc_req *r, int code, const char *fmt, va_list *ap);

int mg_rs_va_int(va_list *ap) { return va_arg(*ap, int); }
long mg_rs_va_long(va_list *ap) { return va_arg(*ap, long); }
long long mg_rs_va_llong(va_list *ap) { return va_arg(*ap, long long); }
double mg_rs_va_double(va_list *ap) { return va_arg(*ap, double); }
void *mg_rs_va_ptr(va_list *ap) { return va_arg(*ap, void *); }

size_t mg_xprintf(mg_pfn_t fn, void *arg, const char *fmt, ...) {
  size_t n;
  va_list ap;
  va_start(ap, fmt);
  n = mg_vxprintf(fn, arg, fmt, &ap);
  va_end(ap);
  return n;
}

size_t mg_snprintf(char *buf, size_t len, const char *fmt, ...) {
  size_t n;
  va_list ap;
  va_start(ap, fmt);
  n = mg_vsnprintf(buf, len, fmt, &ap);
  va_end(ap);
  return n;
}

char *mg_mprintf(const char *fmt, ...) {
  char *s;
  va_list ap;
  va_start(ap, fmt);
  s = mg_vmprintf(fmt, &ap);
  va_end(ap);
  return s;
}

size_t mg_printf(struct mg_connection *c, const char *fmt, ...) {
  size_t n;
  va_list ap;
  va_start(ap, fmt);
  n = mg_vprintf(c, fmt, &ap);
  va_end(ap);
  return n;
}

void mg_error(struct mg_connection *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mg_rs_verror(c, fmt, &ap);
  va_end(ap);
}

void mg_log(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mg_rs_vlog(fmt, &ap);
  va_end(ap);
}

void mg_http_reply(struct mg_connection *c, int code, const char *headers,
                   const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mg_rs_http_vreply(c, code, headers, fmt, &ap);
  va_end(ap);
}

void mg_http_printf_chunk(struct mg_connection *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mg_rs_http_vprintf_chunk(c, fmt, &ap);
  va_end(ap);
}

bool mg_file_printf(struct mg_fs *fs, const char *path, const char *fmt, ...) {
  bool ok;
  va_list ap;
  va_start(ap, fmt);
  ok = mg_rs_file_vprintf(fs, path, fmt, &ap);
  va_end(ap);
  return ok;
}

size_t mg_queue_printf(struct mg_queue *q, const char *fmt, ...) {
  size_t n;
  va_list ap;
  va_start(ap, fmt);
  n = mg_rs_queue_vprintf(q, fmt, &ap);
  va_end(ap);
  return n;
}

void mg_rpc_ok(struct mg_rpc_req *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mg_rpc_vok(r, fmt, &ap);
  va_end(ap);
}

void mg_rpc_err(struct mg_rpc_req *r, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mg_rpc_verr(r, code, fmt, &ap);
  va_end(ap);
}

struct mg_mgr;
struct mg_http_message;
typedef void (*mg_event_handler_t)(struct mg_connection *, int, void *);
void mg_rs_ws_vupgrade(struct mg_connection *c, struct mg_http_message *hm,
                       const char *fmt, va_list *ap);
struct mg_connection *mg_rs_ws_vconnect(struct mg_mgr *mgr, const char *url,
                                        mg_event_handler_t fn, void *fn_data,
                                        const char *fmt, va_list *ap);
size_t mg_ws_vprintf(struct mg_connection *c, int op, const char *fmt,
                     va_list *ap);

void mg_ws_upgrade(struct mg_connection *c, struct mg_http_message *hm,
                   const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mg_rs_ws_vupgrade(c, hm, fmt, &ap);
  va_end(ap);
}

struct mg_connection *mg_ws_connect(struct mg_mgr *mgr, const char *url,
                                    mg_event_handler_t fn, void *fn_data,
                                    const char *fmt, ...) {
  struct mg_connection *c;
  va_list ap;
  va_start(ap, fmt);
  c = mg_rs_ws_vconnect(mgr, url, fn, fn_data, fmt, &ap);
  va_end(ap);
  return c;
}

size_t mg_ws_printf(struct mg_connection *c, int op, const char *fmt, ...) {
  size_t n;
  va_list ap;
  va_start(ap, fmt);
  n = mg_ws_vprintf(c, op, fmt, &ap);
  va_end(ap);
  return n;
}
