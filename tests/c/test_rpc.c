// JSON-RPC from C (API.md section 22): mg_rpc_add / del / process / ok /
// err / list with the response bytes Mongoose 7.23 produces (observed with
// the reference library): ids of any type, notifications, errors -32601 and
// -32700, %m / MG_ESC in formats, glob patterns, response handlers.
#include "test.h"

static char s_out[1024];
static size_t s_len;
static int s_responses;  // calls of the empty-pattern (response) handler

static void collect(char ch, void *param) {
  (void) param;
  if (s_len + 1 < sizeof(s_out)) s_out[s_len++] = ch, s_out[s_len] = '\0';
}

// Run one frame through the handler list; returns the bytes sent (note
// that ASSERT_STR evaluates it more than once).
static const char *process(struct mg_rpc **head, const char *frame) {
  struct mg_rpc_req r;
  memset(&r, 0, sizeof(r));
  r.head = head;
  r.pfn = collect;
  r.req_data = (void *) "req";
  r.frame = mg_str(frame);
  s_len = 0, s_out[0] = '\0';
  mg_rpc_process(&r);
  return s_out;
}

static void h_sum(struct mg_rpc_req *r) {
  double a = 0, b = 0;
  mg_json_get_num(r->frame, "$.params[0]", &a);
  mg_json_get_num(r->frame, "$.params[1]", &b);
  mg_rpc_ok(r, "%g", a + b);
}

static void h_echo(struct mg_rpc_req *r) {
  // r->rpc is the matched node; fn_data and req_data pass through.
  mg_rpc_ok(r, "{%m:%m,%m:%m,%m:%M}", MG_ESC("method"),
            mg_print_esc, (int) r->rpc->method.len, r->rpc->method.buf,
            MG_ESC("data"), MG_ESC((char *) r->rpc->fn_data),
            MG_ESC("req"), mg_print_esc, 0, (char *) r->req_data);
}

static void h_fail(struct mg_rpc_req *r) {
  mg_rpc_err(r, 123, "%m", MG_ESC("bad \"x\"\n"));
}

static void h_null(struct mg_rpc_req *r) {
  mg_rpc_ok(r, NULL);
  mg_rpc_err(r, -5, NULL);
}

static void h_list(struct mg_rpc_req *r) {
  mg_rpc_list(r);
}

static void h_response(struct mg_rpc_req *r) {
  (void) r;
  s_responses++;
}

static int count(struct mg_rpc *h) {
  int n = 0;
  for (; h != NULL; h = h->next) n++;
  return n;
}

static void test_dispatch(void) {
  struct mg_rpc *head = NULL;
  char pattern[] = "sum";
  // An empty list: every method is unknown.
  ASSERT_STR(process(&head, "{\"id\":1,\"method\":\"x\"}"),
             "{\"id\":1,\"error\":{\"code\":-32601,\"message\":\"x not found\"}}");

  mg_rpc_add(&head, mg_str(pattern), h_sum, NULL);
  pattern[0] = 'X';  // the pattern was copied
  mg_rpc_add(&head, mg_str("echo.*"), h_echo, (void *) "fd");
  mg_rpc_add(&head, mg_str("fail"), h_fail, NULL);
  mg_rpc_add(&head, mg_str("null"), h_null, NULL);
  mg_rpc_add(&head, mg_str("rpc.list"), h_list, NULL);
  ASSERT(count(head) == 5);
  // Added in front; the method string is a NUL-terminated heap copy.
  ASSERT_MEM(head->method.buf, head->method.len, "rpc.list");
  ASSERT(head->next->next->next->next->method.buf != pattern);
  ASSERT_STR(head->next->next->next->next->method.buf, "sum");

  ASSERT_STR(process(&head, "{\"id\":1,\"method\":\"sum\",\"params\":[1,2]}"),
             "{\"id\":1,\"result\":3}");
  // Any id token is echoed raw.
  ASSERT_STR(process(&head, "{\"id\":\"a\\\"b\",\"method\":\"sum\"}"),
             "{\"id\":\"a\\\"b\",\"result\":0}");
  ASSERT_STR(process(&head, "{\"id\":{\"x\":[1]},\"method\":\"sum\"}"),
             "{\"id\":{\"x\":[1]},\"result\":0}");
  ASSERT_STR(process(&head, "{\"id\":null,\"method\":\"sum\"}"),
             "{\"id\":null,\"result\":0}");
  ASSERT_STR(process(&head, "{\"method\":\"sum\",\"id\":1.5e3}"),
             "{\"id\":1.5e3,\"result\":0}");
  // Notifications (no id): no success response, but errors are sent.
  ASSERT_STR(process(&head, "{\"method\":\"sum\",\"params\":[1,2]}"), "");
  ASSERT_STR(process(&head, "{\"method\":\"fail\"}"),
             "{\"error\":{\"code\":123,\"message\":\"bad \\\"x\\\"\\n\"}}");
  ASSERT_STR(process(&head, "{\"method\":\"nope\"}"),
             "{\"error\":{\"code\":-32601,\"message\":\"nope not found\"}}");
  ASSERT_STR(process(&head, "{\"id\":2,\"method\":\"fail\"}"),
             "{\"id\":2,\"error\":{\"code\":123,\"message\":\"bad \\\"x\\\"\\n\"}}");
  ASSERT_STR(process(&head, "{\"id\":3,\"method\":\"echo.one\"}"),
             "{\"id\":3,\"result\":{\"method\":\"echo.*\",\"data\":\"fd\",\"req\":req}}");
  // Glob: `*` does not cross '/'; names are compared raw (escapes kept).
  ASSERT_STR(process(&head, "{\"id\":4,\"method\":\"echo.a/b\"}"),
             "{\"id\":4,\"error\":{\"code\":-32601,\"message\":\"echo.a/b not found\"}}");
  ASSERT_STR(process(&head, "{\"id\":5,\"method\":\"su\\u006d\"}"),
             "{\"id\":5,\"error\":{\"code\":-32601,\"message\":\"su\\u006d not found\"}}");
  ASSERT_STR(process(&head, "{\"id\":6,\"method\":\"null\"}"),
             "{\"id\":6,\"result\":null}{\"id\":6,\"error\":{\"code\":-5,\"message\":null}}");
  // Not a call: -32700 with the frame as a JSON string.
  ASSERT_STR(process(&head, "{\"id\":7}"),
             "{\"id\":7,\"error\":{\"code\":-32700,\"message\":\"{\\\"id\\\":7}\"}}");
  ASSERT_STR(process(&head, "{\"id\":8,\"method\":1}"),
             "{\"id\":8,\"error\":{\"code\":-32700,\"message\":"
             "\"{\\\"id\\\":8,\\\"method\\\":1}\"}}");
  ASSERT_STR(process(&head, "not json"),
             "{\"error\":{\"code\":-32700,\"message\":\"not json\"}}");
  // A response frame with no response handler: the empty name is unknown.
  ASSERT_STR(process(&head, "{\"id\":9,\"result\":5}"),
             "{\"id\":9,\"error\":{\"code\":-32601,\"message\":\" not found\"}}");
  ASSERT_STR(process(&head, "{\"id\":10,\"method\":\"rpc.list\"}"),
             "{\"id\":10,\"result\":[\"rpc.list\",\"null\",\"fail\",\"echo.*\",\"sum\"]}");

  // An empty pattern handles responses; list leaves it out (but keeps the
  // comma Mongoose prints for every entry after the first).
  mg_rpc_add(&head, mg_str(""), h_response, NULL);
  s_responses = 0;
  process(&head, "{\"id\":9,\"result\":5}");
  ASSERT(s_len == 0);
  process(&head, "{\"error\":{\"code\":1}}");
  ASSERT(s_len == 0);
  ASSERT(s_responses == 2);
  ASSERT_STR(process(&head, "{\"id\":11,\"method\":\"rpc.list\"}"),
             "{\"id\":11,\"result\":[,\"rpc.list\",\"null\",\"fail\",\"echo.*\",\"sum\"]}");

  // Delete by handler, then everything.
  mg_rpc_del(&head, h_fail);
  ASSERT(count(head) == 5);
  ASSERT_STR(process(&head, "{\"id\":12,\"method\":\"fail\"}"),
             "{\"id\":12,\"error\":{\"code\":-32601,\"message\":\"fail not found\"}}");
  mg_rpc_add(&head, mg_str("a"), h_sum, NULL);
  mg_rpc_del(&head, h_sum);
  ASSERT(count(head) == 4);
  mg_rpc_del(&head, NULL);
  ASSERT(head == NULL);
  mg_rpc_del(&head, NULL);  // empty list: nothing to do
}

static void test_null_inputs(void) {
  struct mg_rpc *head = NULL;
  mg_rpc_add(NULL, mg_str("x"), h_sum, NULL);
  mg_rpc_del(NULL, NULL);
  mg_rpc_process(NULL);
  mg_rpc_ok(NULL, "%d", 1);
  mg_rpc_err(NULL, 1, "%d", 1);
  mg_rpc_list(NULL);
  // A request without a handler list.
  ASSERT_STR(process(NULL, "{\"id\":1,\"method\":\"x\"}"),
             "{\"id\":1,\"error\":{\"code\":-32601,\"message\":\"x not found\"}}");
  ASSERT(head == NULL);
}

int main(void) {
  test_dispatch();
  test_null_inputs();
  TEST_DONE();
}
