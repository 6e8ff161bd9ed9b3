// A small MQTT broker (3.1.1 and 5): answers CONNECT, SUBSCRIBE,
// UNSUBSCRIBE and PINGREQ, and forwards every PUBLISH, in arrival order, to
// each connection subscribed to a matching filter ('+' and '#' wildcards).
// Deliveries go out at QoS 0, like Mongoose's own example broker; the QoS 1/2
// acks towards publishers are sent by the library.
//   make run                          listens on mqtt://127.0.0.1:1883
//   make run ARGS=mqtt://0.0.0.0:0    any address, ephemeral port
//   mosquitto_sub -p 1883 -t 'a/#' &  mosquitto_pub -p 1883 -t a/b -m hi
#include "mongoose.h"

struct sub {
  struct sub *next;
  struct mg_connection *c;
  char *filter;  // heap copy, NUL-terminated
};
static struct sub *s_subs = NULL;

// MQTT filter matching: '+' one level, '#' the rest (also the parent level).
static bool topic_match(const char *f, const char *t, size_t tlen) {
  size_t i = 0;
  while (*f != '\0') {
    if (*f == '#') return true;
    if (*f == '+') {
      while (i < tlen && t[i] != '/') i++;
      f++;
    } else {
      if (i >= tlen || *f != t[i]) {
        // "a/#" also matches "a"
        return i == tlen && f[0] == '/' && f[1] == '#' && f[2] == '\0';
      }
      f++, i++;
    }
  }
  return i == tlen;
}

static void unsubscribe(struct mg_connection *c, const char *filter) {
  struct sub **p = &s_subs;
  while (*p != NULL) {
    struct sub *s = *p;
    if (s->c == c && (filter == NULL || strcmp(s->filter, filter) == 0)) {
      *p = s->next;
      free(s->filter);
      free(s);
    } else {
      p = &s->next;
    }
  }
}

static uint16_t be16(const char *p) {
  return (uint16_t) (((uint8_t) p[0] << 8) | (uint8_t) p[1]);
}

// Offset of the first topic in a SUBSCRIBE/UNSUBSCRIBE: after the fixed
// header, the packet id and (MQTT 5) the property block.
static size_t topics_start(struct mg_connection *c, struct mg_mqtt_message *mm) {
  const uint8_t *d = (const uint8_t *) mm->dgram.buf;
  size_t i = 1, n;
  while (i < 5 && (d[i] & 0x80)) i++;
  i += 1 + 2;
  if (c->is_mqtt5 && i < mm->dgram.len) {
    size_t len = 0, shift = 0;
    for (n = 0; n < 4 && i < mm->dgram.len; n++, shift += 7) {
      uint8_t b = d[i++];
      len |= (size_t) (b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    i += len;
  }
  return i;
}

static void fn(struct mg_connection *c, int ev, void *ev_data) {
  if (ev == MG_EV_MQTT_CMD) {
    struct mg_mqtt_message *mm = (struct mg_mqtt_message *) ev_data;
    const char *d = mm->dgram.buf;
    size_t len = mm->dgram.len;
    if (mm->cmd == MQTT_CMD_CONNECT) {
      // Protocol level sits after the fixed header and "\0\4MQTT".
      size_t i = 1;
      while (i < 5 && ((uint8_t) d[i] & 0x80)) i++;
      i += 1 + 6;
      if (i < len && d[i] == 5) c->is_mqtt5 = 1;
      if (c->is_mqtt5) {
        uint8_t ack[] = {0, 0, 0};
        mg_mqtt_send_header(c, MQTT_CMD_CONNACK, 0, sizeof(ack));
        mg_send(c, ack, sizeof(ack));
      } else {
        uint8_t ack[] = {0, 0};
        mg_mqtt_send_header(c, MQTT_CMD_CONNACK, 0, sizeof(ack));
        mg_send(c, ack, sizeof(ack));
      }
    } else if (mm->cmd == MQTT_CMD_SUBSCRIBE || mm->cmd == MQTT_CMD_UNSUBSCRIBE) {
      bool sub = mm->cmd == MQTT_CMD_SUBSCRIBE;
      uint8_t codes[64];
      size_t n = 0, i = topics_start(c, mm);
      while (i + 2 <= len && n < sizeof(codes)) {
        size_t tlen = be16(d + i);
        if (i + 2 + tlen + (sub ? 1 : 0) > len) break;
        char *filter = mg_mprintf("%.*s", (int) tlen, d + i + 2);
        if (sub) {
          struct sub *s = (struct sub *) calloc(1, sizeof(*s));
          s->c = c, s->filter = filter, s->next = NULL;
          struct sub **p = &s_subs;  // append: deliveries keep subscribe order
          while (*p != NULL) p = &(*p)->next;
          *p = s;
          codes[n++] = 0;  // granted QoS 0
        } else {
          unsubscribe(c, filter);
          free(filter);
          codes[n++] = 0;
        }
        i += 2 + tlen + (sub ? 1 : 0);
      }
      uint8_t cmd = sub ? MQTT_CMD_SUBACK : MQTT_CMD_UNSUBACK;
      uint8_t id[2] = {(uint8_t) (mm->id >> 8), (uint8_t) mm->id};
      bool codes_needed = sub || c->is_mqtt5;
      size_t extra = (c->is_mqtt5 ? 1 : 0) + (codes_needed ? n : 0);
      mg_mqtt_send_header(c, cmd, 0, (uint32_t) (2 + extra));
      mg_send(c, id, 2);
      if (c->is_mqtt5) mg_send(c, "", 1);  // empty property block
      if (codes_needed) mg_send(c, codes, n);
    } else if (mm->cmd == MQTT_CMD_PUBLISH) {
      struct sub *s;
      char *topic = mg_mprintf("%.*s", (int) mm->topic.len, mm->topic.buf);
      for (s = s_subs; s != NULL; s = s->next) {
        if (topic_match(s->filter, topic, mm->topic.len)) {
          struct mg_mqtt_opts opts;
          memset(&opts, 0, sizeof(opts));
          opts.topic = mm->topic;
          opts.message = mm->data;
          opts.qos = 0;
          mg_mqtt_pub(s->c, &opts);
        }
      }
      free(topic);
    } else if (mm->cmd == MQTT_CMD_PINGREQ) {
      mg_mqtt_pong(c);
    } else if (mm->cmd == MQTT_CMD_DISCONNECT) {
      c->is_draining = 1;
    }
  } else if (ev == MG_EV_CLOSE) {
    unsubscribe(c, NULL);
  }
}

int main(int argc, char *argv[]) {
  const char *url = argc > 1 ? argv[1] : "mqtt://127.0.0.1:1883";
  struct mg_mgr mgr;
  struct mg_connection *lsn;
  mg_log_set(MG_LL_ERROR);
  mg_mgr_init(&mgr);
  lsn = mg_mqtt_listen(&mgr, url, fn, NULL);
  if (lsn == NULL) {
    fprintf(stderr, "cannot listen on %s\n", url);
    return 1;
  }
  {
    char addr[64];
    mg_snprintf(addr, sizeof(addr), "%M", mg_print_ip_port, &lsn->loc);
    printf("listening on %s\n", addr);  // tests read the port from here
    fflush(stdout);
  }
  mg_mgr_shutdown_on_signals(&mgr, 2000);
  while (!mg_mgr_is_done(&mgr)) mg_mgr_poll(&mgr, 1000);
  mg_mgr_free(&mgr);
  return 0;
}
