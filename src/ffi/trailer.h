/* ---- hand-written trailer: variadic entry points (implemented in C) ---- */
#ifdef __cplusplus
extern "C" {
#endif
size_t mg_xprintf(mg_pfn_t fn, void *arg, const char *fmt, ...);
size_t mg_snprintf(char *buf, size_t len, const char *fmt, ...);
char *mg_mprintf(const char *fmt, ...);
void mg_log(const char *fmt, ...);
size_t mg_printf(struct mg_connection *, const char *fmt, ...);
void mg_error(struct mg_connection *c, const char *fmt, ...);
void mg_http_reply(struct mg_connection *, int status_code, const char *headers,
                   const char *body_fmt, ...);
void mg_http_printf_chunk(struct mg_connection *cnn, const char *fmt, ...);
bool mg_file_printf(struct mg_fs *fs, const char *path, const char *fmt, ...);
size_t mg_queue_printf(struct mg_queue *q, const char *fmt, ...);
/* Defined by the program's packed-filesystem source (Mongoose's `pack`
   tool generates it); the library declares it only. */
extern const struct mg_mem_file mg_packed_files[];
/* Defined by programs generated with Mongoose's Wizard (its CMSIS pack
   modules); declared here, as in Mongoose, so that their code compiles. */
extern struct mg_mgr g_mgr;
extern void mg_dash_init(struct mg_mgr *);
extern void mg_dash_poll(struct mg_mgr *);
extern void mg_mqtt_init(struct mg_mgr *);
extern void mg_mqtt_poll(struct mg_mgr *);
void mg_rpc_ok(struct mg_rpc_req *, const char *fmt, ...);
void mg_rpc_err(struct mg_rpc_req *, int code, const char *fmt, ...);
struct mg_connection *mg_ws_connect(struct mg_mgr *, const char *url,
                                    mg_event_handler_t fn, void *fn_data,
                                    const char *fmt, ...);
void mg_ws_upgrade(struct mg_connection *, struct mg_http_message *,
                   const char *fmt, ...);
size_t mg_ws_printf(struct mg_connection *c, int op, const char *fmt, ...);
#ifdef __cplusplus
}
#endif
