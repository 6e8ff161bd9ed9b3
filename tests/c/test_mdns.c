// mDNS from C: layouts, constants and bad arguments here; the round trip
// (responder + mg_mdns_query answered by it) only inside a private network
// namespace with just `lo` (the program re-runs itself under `unshare -n`),
// so no multicast ever leaves the machine. Without namespaces that part is
// skipped loudly, or fails when CI is set.
#include "test.h"

#include <stddef.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

struct state {
  int reqs, resps;
  char reqname[64];
  char name[64];
  uint8_t ip[4];
  uint16_t atype, sd_port, port;
  char srvcproto[32], txt[32];
  struct mg_addr addr;
  struct mg_dnssd_record sd;
};

static void copy(char *dst, size_t n, struct mg_str s) {
  snprintf(dst, n, "%.*s", (int) s.len, s.buf ? s.buf : "");
}

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  struct state *st = (struct state *) c->fn_data;
  if (ev == MG_EV_MDNS_REQ) {
    struct mg_mdns_req *req = (struct mg_mdns_req *) ev_data;
    st->reqs++;
    copy(st->reqname, sizeof(st->reqname), req->reqname);
    req->is_resp = true;
    req->respname = mg_str("devname");
    req->addr = &st->addr;
    req->r = &st->sd;
  } else if (ev == MG_EV_MDNS_RESP) {
    struct mg_mdns_resp *r = (struct mg_mdns_resp *) ev_data;
    st->resps++;
    copy(st->name, sizeof(st->name), r->name);
    copy(st->srvcproto, sizeof(st->srvcproto), r->sd.srvcproto);
    copy(st->txt, sizeof(st->txt), r->sd.txt);
    memcpy(st->ip, r->addr.addr.ip, 4);
    st->atype = r->rr->atype;
    st->sd_port = r->sd.port;
    st->port = mg_ntohs(r->addr.port);
  }
}

static void round_trip(void) {
  struct mg_mgr mgr;
  struct state st;
  struct mg_connection *c;
  memset(&st, 0, sizeof(st));
  st.addr.addr.ip[0] = 10, st.addr.addr.ip[1] = 1, st.addr.addr.ip[2] = 2,
  st.addr.addr.ip[3] = 3;
  st.sd.srvcproto = mg_str("_http._tcp");
  st.sd.txt = mg_str("\x05" "a=b=c");
  st.sd.port = 8080;
  mg_mgr_init(&mgr);
  c = mg_mdns_listen(&mgr, fn, &st);
  ASSERT(c != NULL && mgr.mdns == c);
  ASSERT(mg_mdns_query(c, "devname.local", MG_DNS_RTYPE_A));
  POLL_UNTIL(&mgr, st.resps == 1, 3000);
  ASSERT(st.reqs == 1);
  ASSERT_STR(st.reqname, "devname");
  ASSERT_STR(st.name, "devname.local");
  ASSERT(st.atype == MG_DNS_RTYPE_A);
  ASSERT(memcmp(st.ip, "\x0a\x01\x02\x03", 4) == 0);
  ASSERT(mg_mdns_query(c, "_http._tcp.local", MG_DNS_RTYPE_PTR));
  POLL_UNTIL(&mgr, st.resps == 2, 3000);
  ASSERT_STR(st.reqname, "_http._tcp");
  ASSERT_STR(st.name, "devname.local");
  ASSERT_STR(st.srvcproto, "_http._tcp");
  ASSERT_STR(st.txt, "\x05" "a=b=c");
  ASSERT(st.sd_port == 8080 && st.port == 8080);
  mg_mgr_free(&mgr);
  ASSERT(mgr.mdns == NULL);
}

// Run this program again inside a new network namespace; returns its exit
// status, or -1 when namespaces are not permitted.
static int in_namespace(void) {
  char self[512];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  int status;
  if (n <= 0) return -1;
  self[n] = '\0';
  if (system("unshare -n true 2>/dev/null") != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    setenv("MG_TEST_MDNS_NETNS", "1", 1);
    execlp("unshare", "unshare", "-n", "sh", "-c",
           "ip link set lo up && ip link set lo multicast on && "
           "ip route add 224.0.0.0/4 dev lo && exec \"$0\"",
           self, (char *) NULL);
    _exit(127);
  }
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(void) {
  struct mg_mgr mgr;
  if (getenv("MG_TEST_MDNS_NETNS") != NULL) {
    round_trip();
    TEST_DONE();
  }
  ASSERT(sizeof(struct mg_dnssd_record) == 40);
  ASSERT(sizeof(struct mg_mdns_req) == 64);
  ASSERT(offsetof(struct mg_mdns_req, is_unicast) == 58);
  ASSERT(sizeof(struct mg_mdns_resp) == 88);
  ASSERT(offsetof(struct mg_mdns_resp, sd) == 48);
  ASSERT(offsetof(struct mg_mgr, mdns) == 40);
  ASSERT(MG_EV_MDNS_REQ == 20 && MG_EV_MDNS_RESP == 21);
  mg_mgr_init(&mgr);
  ASSERT(mgr.mdns == NULL);
  ASSERT(mg_mdns_listen(NULL, fn, NULL) == NULL);
  ASSERT(!mg_mdns_query(NULL, "a.local", 1));
  mg_multicast_add(NULL, (char *) "224.0.0.251");
  mg_mgr_free(&mgr);
  {
    int rc = in_namespace();
    if (rc < 0) {
      // Network namespaces are what the part needs: in CI they must work.
      SKIP_PART(1, "mDNS round trip needs `unshare -n`");
    } else {
      ASSERT(rc == 0);
    }
  }
  TEST_DONE();
}
