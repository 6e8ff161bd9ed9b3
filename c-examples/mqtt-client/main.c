// MQTT client: connects, subscribes to TOPIC, publishes MESSAGE to it COUNT
// times, prints every message it receives ("TOPIC MESSAGE"), and exits 0
// once all COUNT came back (1 on error or after 10 s).
//   make run ARGS="mqtt://127.0.0.1:1883 test/topic hello 3 1 4"
//   (url, topic, message, count, QoS, protocol version 4 or 5)
#include "mongoose.h"

static const char *s_topic = "mg/test", *s_msg = "hello";
static int s_count = 1, s_qos = 1, s_version = 4, s_received = 0, s_status = -1;

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_ERROR) {
    fprintf(stderr, "error: %s\n", (char *) ev_data);
    s_status = 1;
  } else if (ev == MG_EV_MQTT_OPEN) {
    struct mg_mqtt_opts opts;
    int i;
    if (*(int *) ev_data != 0) {
      fprintf(stderr, "CONNACK code %d\n", *(int *) ev_data);
      s_status = 1;
      return;
    }
    memset(&opts, 0, sizeof(opts));
    opts.topic = mg_str(s_topic);
    opts.qos = (uint8_t) s_qos;
    mg_mqtt_sub(c, &opts);
    for (i = 0; i < s_count; i++) {
      opts.message = mg_str(s_msg);
      mg_mqtt_pub(c, &opts);
    }
  } else if (ev == MG_EV_MQTT_MSG) {
    struct mg_mqtt_message *mm = (struct mg_mqtt_message *) ev_data;
    printf("%.*s %.*s\n", (int) mm->topic.len, mm->topic.buf, (int) mm->data.len, mm->data.buf);
    fflush(stdout);
    if (++s_received == s_count) {
      struct mg_mqtt_opts opts;
      memset(&opts, 0, sizeof(opts));
      mg_mqtt_disconnect(c, &opts);
      c->is_draining = 1;
      s_status = 0;
    }
  } else if (ev == MG_EV_CLOSE && s_status < 0) {
    s_status = 1;
  }
}

int main(int argc, char *argv[]) {
  const char *url = argc > 1 ? argv[1] : "mqtt://127.0.0.1:1883";
  struct mg_mgr mgr;
  struct mg_mqtt_opts opts;
  uint64_t deadline;
  if (argc > 2) s_topic = argv[2];
  if (argc > 3) s_msg = argv[3];
  if (argc > 4) s_count = atoi(argv[4]);
  if (argc > 5) s_qos = atoi(argv[5]);
  if (argc > 6) s_version = atoi(argv[6]);
  mg_log_set(MG_LL_ERROR);
  mg_mgr_init(&mgr);
  memset(&opts, 0, sizeof(opts));
  opts.clean = true;
  opts.version = (uint8_t) s_version;
  if (mg_mqtt_connect(&mgr, url, &opts, fn, NULL) == NULL) return 1;
  deadline = mg_millis() + 10000;
  while (s_status != 0 && s_status != 1 && mg_millis() < deadline) mg_mgr_poll(&mgr, 100);
  // Let the DISCONNECT go out.
  while (mgr.conns != NULL && mg_millis() < deadline) mg_mgr_poll(&mgr, 10);
  mg_mgr_free(&mgr);
  return s_status == 0 ? 0 : 1;
}
