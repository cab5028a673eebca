/* http.h — an HTTP/1.1 server on the loop (http-parser underneath), the
 * layer the Kubernetes-compatible API server sits on.
 *
 * One request per connection is handled at a time: pipelined requests wait
 * in the input buffer, which is how they get answered in order. A request
 * is also its response handle; it stays valid until the response is
 * complete (http_respond, http_stream_end) or its close callback has run.
 * Everything runs on the loop thread.
 *
 * With an SSL_CTX set (http_server_set_tls) every connection is TLS: the
 * handshake must finish within header_timeout_s, a plain-HTTP client gets a
 * plain 400 and is closed, and a verified client certificate's subject is
 * available to handlers (http_req_peer_cn, http_req_peer_orgs).
 */
#ifndef SKIFF_CORE_HTTP_H
#define SKIFF_CORE_HTTP_H
#include <skiff/abi.h>
#include <stddef.h>

/* zero fields take the defaults in brackets */
struct http_limits {
	size_t max_header_bytes; /* request line + headers [64 KiB] -> 431 */
	size_t max_body_bytes;   /* [3 MiB, as kube-apiserver] -> 413 */
	double idle_timeout_s;   /* keep-alive connection with no request [90] */
	double header_timeout_s; /* the whole request head must arrive within [10] -> 408 */
	double body_timeout_s;   /* the body must arrive within, after the head [60] -> 408 */
	size_t max_inflight;     /* non-streaming requests in handlers at once [400] -> 429 */
	size_t max_connections;  /* further connections are closed at once [4096] */
	size_t max_out_bytes;    /* unsent response bytes per connection before a
	                            stream write is refused [8 MiB] */
};

struct http_server;
struct http_req;

typedef void (*http_handler_fn)(void *ud, struct http_req *req);
/* a client disconnect (or forced shutdown) before the response completed;
 * the request must not be used once this returns */
typedef void (*http_close_fn)(void *ud, struct http_req *req);
/* body for the server's own error replies; returns a malloc'd string */
typedef char *(*http_error_body_fn)(void *ud, int code, const char *reason, const char *message);

/* listen: "127.0.0.1:6443", "[::1]:0", ":8080" (all addresses); port 0 picks one */
struct http_server *http_server_start(const char *listen, const struct http_limits *lim,
                                      http_handler_fn handler, void *ud, sk_err *err);
int http_server_port(const struct http_server *s);
void http_server_set_error_body(struct http_server *s, http_error_body_fn fn, void *ud);
/* TLS for connections accepted from now on (an SSL_CTX *, see tls.h); the
 * server owns it from then on and frees it in http_server_free. Call it
 * before the loop runs. NULL: plain HTTP. */
void http_server_set_tls(struct http_server *s, void *ssl_ctx);
/* stop accepting, close idle connections, let in-flight requests finish and
 * end open streams with their terminating chunk (calling their close
 * callbacks); after grace_s the rest is cut. done runs from the loop, once. */
void http_server_shutdown(struct http_server *s, double grace_s, void (*done)(void *ud), void *ud);
/* closes whatever is left (close callbacks run) and frees; not from inside
 * a handler or callback of this server (shutdown's done is fine) */
void http_server_free(struct http_server *s);

/* for the fuzzer and tests: a server without a listener, and a connection
 * over an already connected socket (made non-blocking; the server owns it) */
struct http_server *http_server_new(const struct http_limits *lim, http_handler_fn handler,
                                    void *ud, sk_err *err);
int http_server_adopt(struct http_server *s, int fd, const char *remote);
size_t http_server_connections(const struct http_server *s);

/* the request */
const char *http_req_method(const struct http_req *r);
const char *http_req_target(const struct http_req *r); /* raw, as sent */
const char *http_req_path(const struct http_req *r);   /* target before '?' */
const char *http_req_query(const struct http_req *r);  /* after '?', or "" */
/* case-insensitive; repeated headers come back joined with ", " */
const char *http_req_header(const struct http_req *r, const char *name);
const char *http_req_body(const struct http_req *r, size_t *len);
const char *http_req_remote(const struct http_req *r); /* "ip:port" */
/* the verified TLS client certificate's subject CN and its O values
 * (NULL-terminated); both NULL when none was offered, and on plain HTTP.
 * Borrowed from the connection: valid while the request is being handled. */
const char *http_req_peer_cn(const struct http_req *r);
const char *const *http_req_peer_orgs(const struct http_req *r);

/* the response */
void http_on_close(struct http_req *r, http_close_fn fn, void *ud);
/* an extra header for the response; before http_respond/http_stream_start */
int http_resp_header(struct http_req *r, const char *name, const char *value);
void http_respond(struct http_req *r, int status, const char *content_type, const char *body,
                  size_t len);
/* a streaming (chunked) response; it stops counting towards max_inflight */
int http_stream_start(struct http_req *r, int status, const char *content_type);
/* -1 when the connection is gone or max_out_bytes would be exceeded; a
 * failing send closes the connection, so the close callback may already
 * have run when this (or http_stream_start) returns -1 */
int http_stream_write(struct http_req *r, const char *data, size_t len);
/* bytes written but not yet sent: a growing value means a slow consumer */
size_t http_stream_buffered(const struct http_req *r);
void http_stream_end(struct http_req *r);

#endif
