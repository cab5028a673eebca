/* http.c — HTTP/1.1 server connections on the loop: parsing with
 * http-parser, keep-alive, in-order pipelining, limits, chunked streaming,
 * graceful shutdown, and TLS (OpenSSL, non-blocking) underneath. */
#include "http.h"
#include "err.h"
#include "log.h"
#include "loop.h"
#include "tls.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <http_parser.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

struct buf {
	char *data;
	size_t len, cap;
};

static int buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0; /* always a C string, for headers and bodies alike */
	return 0;
}

static int buf_printf(struct buf *b, const char *fmt, ...) SK_PRINTF(2, 3);
static int buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return -1;
	return buf_add(b, tmp, (size_t)n);
}

static void buf_free(struct buf *b)
{
	free(b->data);
	*b = (struct buf){0};
}

struct header {
	struct buf name, value;
};

enum rstate { R_PENDING, R_STREAMING, R_DONE };

struct http_req {
	struct http_conn *c; /* NULL once the connection is gone (orphaned) */
	char method[24];
	struct buf target, body;
	char *path, *query;
	struct header *hdrs;
	size_t nhdrs, hcap;
	int in_value; /* the parser is inside a header value */
	int keep_alive, http10, head;
	enum rstate state;
	int inflight; /* counted in the server's inflight */
	struct buf extra;
	http_close_fn close_fn;
	void *close_ud;
};

enum phase { P_IDLE, P_HEAD, P_BODY, P_HANDLING, P_CLOSING };

struct http_conn {
	struct http_server *s;
	struct http_conn *prev, *next;
	int fd;
	ev_io rw, ww;
	ev_timer timer;
	http_parser parser;
	enum phase phase;
	struct http_req *req; /* being parsed or handled */
	struct buf in;        /* received, not yet parsed (pipelined requests) */
	struct buf out;
	size_t out_off;
	size_t head_bytes;
	int err_code; /* set by parser callbacks that refuse the request */
	int close_after; /* close once out is flushed */
	int dead, depth;
	int parsing; /* conn_parse is on the stack: a synchronous reply must not recurse */
	int seen;    /* visited by shutdown */
	int lingering; /* reply sent and write side shut: waiting for the client's EOF */
	char remote[64];
	/* TLS; ssl is NULL on plain connections */
	SSL *ssl;
	int handshaking;
	int tls_broken;       /* a fatal TLS error: no close_notify may follow */
	int read_wants_write; /* SSL_read needs the socket writable first */
	int write_wants_read; /* SSL_write needs the socket readable first */
	size_t retry_len;     /* an SSL_write to repeat with this length */
	char *peer_cn;        /* verified client certificate, else NULL */
	char **peer_orgs;
};

struct http_server {
	struct http_limits lim;
	http_handler_fn handler;
	void *ud;
	http_error_body_fn err_fn;
	void *err_ud;
	int lfd, port;
	SSL_CTX *tls; /* owned; NULL: plain HTTP */
	ev_io lw;
	ev_timer grace, done_w;
	struct http_conn *conns;
	size_t nconns, inflight;
	int shutting_down, done_called;
	void (*done)(void *);
	void *done_ud;
};

/* unsent output beyond which pipelined requests wait: a client that sends
 * but does not read cannot make replies pile up */
#define OUT_HIGH_WATER (64 * 1024)
#define READ_CHUNK 16384

/* one SSL_write at most; partial writes return after each record anyway */
#define TLS_WRITE_MAX (1024 * 1024)

static http_parser_settings settings;
static void conn_close(struct http_conn *c);
static void conn_flush(struct http_conn *c);
static void conn_resume(struct http_conn *c);
static void want_read(struct http_conn *c);

/* ---- helpers ---- */

static const char *reason_phrase(int code)
{
	switch (code) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Status";
	}
}

static void req_free(struct http_req *r)
{
	if (!r)
		return;
	buf_free(&r->target);
	buf_free(&r->body);
	for (size_t i = 0; i < r->nhdrs; i++) {
		buf_free(&r->hdrs[i].name);
		buf_free(&r->hdrs[i].value);
	}
	free(r->hdrs);
	free(r->path);
	buf_free(&r->extra);
	free(r);
}

static void inflight_release(struct http_req *r, struct http_server *s)
{
	if (r->inflight && s) {
		s->inflight--;
		r->inflight = 0;
	}
}

static void arm(struct http_conn *c, double after)
{
	struct ev_loop *l = sk_ev();
	ev_timer_stop(l, &c->timer);
	if (after > 0) {
		ev_now_update(l);
		ev_timer_set(&c->timer, after, 0);
		ev_timer_start(l, &c->timer);
	}
}

/* the connection may be closed from inside its own callbacks, and from a
 * handler's reply: it is freed only when nothing up the stack uses it */
static void hold(struct http_conn *c) { c->depth++; }

static void conn_destroy(struct http_conn *c)
{
	struct http_server *s = c->s;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	buf_free(&c->in);
	buf_free(&c->out);
	free(c->peer_cn);
	free(c->peer_orgs);
	free(c);
	if (s->shutting_down && !s->nconns && !s->done_called && !ev_is_active(&s->done_w)) {
		ev_timer_set(&s->done_w, 0, 0);
		ev_timer_start(sk_ev(), &s->done_w);
	}
}

static void release(struct http_conn *c)
{
	if (--c->depth == 0 && c->dead)
		conn_destroy(c);
}

/* close once the output is out; a client that never reads it is cut after
 * the head timeout rather than held forever */
static void closing(struct http_conn *c)
{
	c->close_after = 1;
	c->phase = P_CLOSING;
	arm(c, c->s->lim.header_timeout_s);
}

static void out_add(struct http_conn *c, const void *p, size_t n)
{
	if (buf_add(&c->out, p, n) != 0)
		conn_close(c);
}

/* ---- error replies of the server's own ---- */

static char *default_error_body(int code, const char *reason, const char *msg)
{
	char *b = malloc(512);
	if (b)
		snprintf(b, 512,
		         "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
		         "\"message\":\"%s\",\"reason\":\"%s\",\"code\":%d}",
		         msg, reason, code);
	return b;
}

/* A reply outside any handler; with close set the connection ends after it. */
static void send_error(struct http_conn *c, int code, const char *reason, const char *msg, int close,
                       const char *extra)
{
	struct http_server *s = c->s;
	char *body = s->err_fn ? s->err_fn(s->err_ud, code, reason, msg) : NULL;
	if (!body)
		body = default_error_body(code, reason, msg);
	size_t len = body ? strlen(body) : 0;
	struct buf h = {0};
	int bad = buf_printf(&h,
	                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s%s\r\n",
	                     code, reason_phrase(code), len, extra ? extra : "",
	                     close ? "Connection: close\r\n" : "");
	if (!bad)
		out_add(c, h.data, h.len);
	if (!bad && !c->dead && len)
		out_add(c, body, len);
	buf_free(&h);
	free(body);
	if (c->dead)
		return;
	if (close || bad)
		closing(c);
	conn_flush(c);
}

/* ---- parser callbacks ---- */

static struct http_conn *conn_of(http_parser *p) { return p->data; }

static int count_head(struct http_conn *c, size_t n)
{
	c->head_bytes += n;
	if (c->head_bytes > c->s->lim.max_header_bytes) {
		c->err_code = 431;
		return -1;
	}
	return 0;
}

static int on_message_begin(http_parser *p)
{
	struct http_conn *c = conn_of(p);
	req_free(c->req);
	c->req = calloc(1, sizeof *c->req);
	if (!c->req)
		return c->err_code = 500, -1;
	c->req->c = c;
	c->head_bytes = 0;
	c->phase = P_HEAD;
	arm(c, c->s->lim.header_timeout_s);
	return 0;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
	struct http_conn *c = conn_of(p);
	if (count_head(c, n) || buf_add(&c->req->target, at, n))
		return -1;
	return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
	struct http_conn *c = conn_of(p);
	struct http_req *r = c->req;
	if (count_head(c, n + 4)) /* ": " and CRLF count towards the limit too */
		return -1;
	if (r->in_value || !r->nhdrs) {
		if (r->nhdrs == r->hcap) {
			size_t cap = r->hcap ? r->hcap * 2 : 16;
			struct header *h = realloc(r->hdrs, cap * sizeof *h);
			if (!h)
				return c->err_code = 500, -1;
			r->hdrs = h;
			r->hcap = cap;
		}
		r->hdrs[r->nhdrs++] = (struct header){0};
		r->in_value = 0;
	}
	return buf_add(&r->hdrs[r->nhdrs - 1].name, at, n) ? (c->err_code = 500, -1) : 0;
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
	struct http_conn *c = conn_of(p);
	struct http_req *r = c->req;
	if (count_head(c, n))
		return -1;
	r->in_value = 1;
	return buf_add(&r->hdrs[r->nhdrs - 1].value, at, n) ? (c->err_code = 500, -1) : 0;
}

static int on_headers_complete(http_parser *p)
{
	struct http_conn *c = conn_of(p);
	struct http_req *r = c->req;
	struct http_server *s = c->s;
	snprintf(r->method, sizeof r->method, "%s", http_method_str((enum http_method)p->method));
	r->keep_alive = http_should_keep_alive(p) && !s->shutting_down;
	r->http10 = p->http_major == 1 && p->http_minor == 0;
	r->head = p->method == HTTP_HEAD;
	if (!r->target.len && buf_add(&r->target, "", 0))
		return c->err_code = 500, -1;
	const char *q = strchr(r->target.data, '?');
	size_t plen = q ? (size_t)(q - r->target.data) : r->target.len;
	r->path = malloc(r->target.len + 2);
	if (!r->path)
		return c->err_code = 500, -1;
	memcpy(r->path, r->target.data, plen);
	r->path[plen] = 0;
	r->query = r->path + plen + 1;
	strcpy(r->query, q ? q + 1 : "");
	/* refuse an announced oversize body before reading any of it */
	if ((p->flags & F_CONTENTLENGTH) && p->content_length > s->lim.max_body_bytes) {
		c->err_code = 413;
		return -1;
	}
	int has_body = (p->flags & F_CHUNKED) || ((p->flags & F_CONTENTLENGTH) && p->content_length);
	const char *expect = http_req_header(r, "Expect");
	if (expect && has_body && !strcasecmp(expect, "100-continue") && !r->http10)
		out_add(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	if (c->dead)
		return -1;
	c->phase = P_BODY;
	arm(c, s->lim.body_timeout_s);
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
	struct http_conn *c = conn_of(p);
	struct http_req *r = c->req;
	if (r->body.len + n > c->s->lim.max_body_bytes) {
		c->err_code = 413;
		return -1;
	}
	return buf_add(&r->body, at, n) ? (c->err_code = 500, -1) : 0;
}

static void dispatch(struct http_conn *c)
{
	struct http_server *s = c->s;
	struct http_req *r = c->req;
	if (!r->body.len && buf_add(&r->body, "", 0)) {
		send_error(c, 500, "InternalError", "out of memory", 1, NULL);
		return;
	}
	if (s->inflight >= s->lim.max_inflight) {
		c->req = NULL;
		int keep = r->keep_alive;
		req_free(r);
		send_error(c, 429, "TooManyRequests", "too many requests, please try again later", !keep,
		           "Retry-After: 1\r\n");
		if (!c->dead && keep)
			conn_resume(c);
		return;
	}
	r->inflight = 1;
	s->inflight++;
	struct call_scope cs;
	call_begin(&cs, NULL);
	s->handler(s->ud, r);
	call_end(&cs, "an HTTP request handler");
}

static int on_message_complete(http_parser *p)
{
	struct http_conn *c = conn_of(p);
	c->phase = P_HANDLING;
	arm(c, 0);
	/* later requests wait for this one's reply: pipelined replies stay in order */
	http_parser_pause(p, 1);
	return 0;
}

/* ---- reading ---- */

static const char *parser_error_msg(struct http_conn *c, int *code, const char **reason)
{
	switch (c->err_code) {
	case 413:
		*code = 413, *reason = "RequestEntityTooLarge";
		return "the request body is too large";
	case 431:
		*code = 431, *reason = "RequestHeaderFieldsTooLarge";
		return "the request headers are too large";
	case 500:
		*code = 500, *reason = "InternalError";
		return "out of memory";
	default:
		*code = 400, *reason = "BadRequest";
		return "malformed HTTP request";
	}
}

/* Feeds buffered input to the parser until it runs dry or pauses at a
 * complete request, which is then handed to the handler. */
static void conn_parse(struct http_conn *c)
{
	c->parsing = 1;
	while (!c->dead && c->phase != P_HANDLING && c->phase != P_CLOSING && c->in.len &&
	       c->out.len - c->out_off < OUT_HIGH_WATER) {
		size_t n = http_parser_execute(&c->parser, &settings, c->in.data, c->in.len);
		enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
		if (c->dead)
			break;
		if (e != HPE_OK && e != HPE_PAUSED) {
			if (e == HPE_HEADER_OVERFLOW)
				c->err_code = 431;
			int code;
			const char *reason;
			const char *msg = parser_error_msg(c, &code, &reason);
			c->in.len = 0;
			send_error(c, code, reason, msg, 1, NULL);
			break;
		}
		if (n > c->in.len)
			n = c->in.len;
		memmove(c->in.data, c->in.data + n, c->in.len - n);
		c->in.len -= n;
		if (c->phase == P_HANDLING)
			dispatch(c);
		else if (!n)
			break;
	}
	c->parsing = 0;
	if (!c->dead && c->in.len <= c->s->lim.max_header_bytes + READ_CHUNK)
		want_read(c);
}

/* The handled request's reply is complete: go on with the next one. */
static void conn_resume(struct http_conn *c)
{
	if (c->dead || c->phase == P_CLOSING)
		return;
	c->phase = P_IDLE;
	http_parser_pause(&c->parser, 0);
	arm(c, c->s->lim.idle_timeout_s);
	if (c->s->shutting_down && !c->in.len) {
		closing(c);
		conn_flush(c);
		return;
	}
	want_read(c);
	if (!c->parsing)
		conn_parse(c);
}

/* ---- transport: a plain socket or TLS over it ---- */

enum { IO_AGAIN = -1, IO_ERR = -2 };

/* (re)start reading. Bytes TLS has already taken off the socket do not
 * make it readable again, so they are fed to on_read by hand. */
static void want_read(struct http_conn *c)
{
	if (c->dead || c->read_wants_write)
		return; /* on_write goes on with the read */
	ev_io_start(sk_ev(), &c->rw);
	if (c->ssl && !c->handshaking && SSL_has_pending(c->ssl))
		ev_feed_event(sk_ev(), &c->rw, EV_READ);
}

/* > 0 bytes read, 0 the client is done, IO_AGAIN, IO_ERR */
static ssize_t conn_recv(struct http_conn *c, char *buf, size_t cap)
{
	if (!c->ssl) {
		ssize_t n = read(c->fd, buf, cap);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? IO_AGAIN : IO_ERR;
		return n;
	}
	ERR_clear_error();
	int n = SSL_read(c->ssl, buf, (int)cap);
	if (n > 0)
		return n;
	switch (SSL_get_error(c->ssl, n)) {
	case SSL_ERROR_WANT_READ:
		return IO_AGAIN;
	case SSL_ERROR_WANT_WRITE:
		/* no spinning on a readable socket until it can write */
		c->read_wants_write = 1;
		ev_io_stop(sk_ev(), &c->rw);
		ev_io_start(sk_ev(), &c->ww);
		return IO_AGAIN;
	case SSL_ERROR_ZERO_RETURN: /* close_notify, or a bare EOF (SSL_OP_IGNORE_UNEXPECTED_EOF) */
		return 0;
	default:
		ERR_clear_error();
		c->tls_broken = 1;
		return IO_ERR;
	}
}

/* > 0 bytes sent, IO_AGAIN (with the watcher it waits for started), IO_ERR */
static ssize_t conn_send(struct http_conn *c, const char *p, size_t len)
{
	struct ev_loop *l = sk_ev();
	if (!c->ssl) {
		for (;;) {
			ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				ev_io_start(l, &c->ww);
				return IO_AGAIN;
			}
			return n > 0 ? n : IO_ERR;
		}
	}
	/* a write that has to be repeated is repeated with the same length; the
	 * bytes stay the same, as out only grows until it is all sent (and may
	 * move: SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER) */
	if (c->retry_len)
		len = c->retry_len;
	else if (len > TLS_WRITE_MAX)
		len = TLS_WRITE_MAX;
	ERR_clear_error();
	int n = SSL_write(c->ssl, p, (int)len);
	if (n > 0) {
		c->retry_len = 0;
		return n;
	}
	c->retry_len = len;
	switch (SSL_get_error(c->ssl, n)) {
	case SSL_ERROR_WANT_WRITE:
		ev_io_start(l, &c->ww);
		return IO_AGAIN;
	case SSL_ERROR_WANT_READ:
		c->write_wants_read = 1;
		ev_io_stop(l, &c->ww);
		ev_io_start(l, &c->rw);
		return IO_AGAIN;
	default:
		ERR_clear_error();
		c->tls_broken = 1;
		return IO_ERR;
	}
}

/* 1 once close_notify is out (or cannot go), 0 while it waits for the socket */
static int tls_close_notify(struct http_conn *c)
{
	ERR_clear_error();
	int rc = SSL_shutdown(c->ssl);
	if (rc >= 0)
		return 1;
	if (SSL_get_error(c->ssl, rc) == SSL_ERROR_WANT_WRITE) {
		ev_io_start(sk_ev(), &c->ww);
		return 0;
	}
	ERR_clear_error();
	c->tls_broken = 1;
	return 1;
}

/* Plain HTTP on the TLS port: a readable answer, as Go's servers give,
 * instead of a TLS alert. A TLS client starts with a handshake record
 * (0x16); a request line starts with a method's capital letter. */
static int plain_http_on_tls(struct http_conn *c)
{
	unsigned char b[1];
	if (recv(c->fd, b, 1, MSG_PEEK) != 1 || b[0] < 'A' || b[0] > 'Z')
		return 0;
	static const char body[] = "Client sent an HTTP request to an HTTPS server.\n";
	char msg[256];
	int n = snprintf(msg, sizeof msg,
	                 "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
	                 "Connection: close\r\nContent-Length: %zu\r\n\r\n%s",
	                 sizeof body - 1, body);
	if (send(c->fd, msg, (size_t)n, MSG_NOSIGNAL) < 0) {
		/* nothing to do: the connection is closed next either way */
	}
	/* take in what the request sent, so that the close is a FIN and not a
	 * reset that could destroy the answer before the client reads it */
	char sink[4096];
	for (int i = 0; i < 16 && recv(c->fd, sink, sizeof sink, MSG_DONTWAIT) > 0; i++)
		;
	return 1;
}

static void conn_read(struct http_conn *c);

static void conn_handshake(struct http_conn *c)
{
	struct ev_loop *l = sk_ev();
	if (SSL_in_before(c->ssl) && plain_http_on_tls(c)) {
		LOG_D("plain HTTP from %s on the TLS port", c->remote);
		c->tls_broken = 1;
		conn_close(c);
		return;
	}
	ERR_clear_error();
	int rc = SSL_do_handshake(c->ssl);
	if (rc == 1) {
		c->handshaking = 0;
		ev_io_stop(l, &c->ww);
		tls_peer_subject(c->ssl, &c->peer_cn, &c->peer_orgs);
		arm(c, c->s->lim.header_timeout_s); /* the request head gets its own time */
		ev_io_start(l, &c->rw);
		conn_read(c); /* the first request may have come with the last handshake flight */
		return;
	}
	switch (SSL_get_error(c->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		ev_io_stop(l, &c->ww);
		ev_io_start(l, &c->rw);
		return;
	case SSL_ERROR_WANT_WRITE:
		ev_io_stop(l, &c->rw);
		ev_io_start(l, &c->ww);
		return;
	default: {
		char why[200] = "the connection closed";
		unsigned long e = ERR_peek_last_error();
		if (e)
			ERR_error_string_n(e, why, sizeof why);
		ERR_clear_error();
		LOG_D("TLS handshake with %s failed: %s", c->remote, why);
		c->tls_broken = 1;
		conn_close(c);
	}
	}
}

static void conn_read(struct http_conn *c)
{
	char tmp[READ_CHUNK];
	ssize_t n = conn_recv(c, tmp, sizeof tmp);
	if (n == IO_AGAIN)
		return;
	if (n <= 0) {
		conn_close(c);
	} else if (c->phase == P_CLOSING) {
		/* draining what the client still sends before we close */
		if (c->ssl && SSL_has_pending(c->ssl))
			ev_feed_event(sk_ev(), &c->rw, EV_READ);
	} else if (buf_add(&c->in, tmp, (size_t)n)) {
		conn_close(c);
	} else {
		/* unparsed input beyond a request head waits for the handled
		 * request; stop reading rather than buffer without bound */
		if (c->in.len > c->s->lim.max_header_bytes + sizeof tmp)
			ev_io_stop(sk_ev(), &c->rw);
		conn_parse(c);
	}
}

static void on_read(struct ev_loop *l, ev_io *w, int revents)
{
	(void)l;
	(void)revents;
	struct http_conn *c = w->data;
	hold(c);
	if (c->handshaking) {
		conn_handshake(c);
	} else {
		if (c->write_wants_read) {
			c->write_wants_read = 0;
			conn_flush(c);
		}
		if (!c->dead)
			conn_read(c);
	}
	release(c);
}

/* ---- writing ---- */

static void conn_flush(struct http_conn *c)
{
	struct ev_loop *l = sk_ev();
	if (c->handshaking)
		return; /* nothing is written before a request */
	while (!c->dead && c->out_off < c->out.len) {
		ssize_t n = conn_send(c, c->out.data + c->out_off, c->out.len - c->out_off);
		if (n == IO_AGAIN)
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	if (c->dead)
		return;
	if (!c->read_wants_write)
		ev_io_stop(l, &c->ww);
	c->out.len = c->out_off = 0;
	if (!c->parsing && c->phase == P_IDLE && c->in.len)
		conn_parse(c); /* requests held back by OUT_HIGH_WATER */
	if (c->dead)
		return;
	if (c->close_after && !c->lingering) {
		if (c->ssl && !c->tls_broken && !tls_close_notify(c))
			return; /* on_write comes back here once the alert can go */
		/* half-close and drain for a moment before closing: closing with
		 * unread input (say, a refused body) sends a reset that can destroy
		 * the reply before the client has read it */
		shutdown(c->fd, SHUT_WR);
		c->lingering = 1;
		arm(c, c->s->lim.header_timeout_s < 2 ? c->s->lim.header_timeout_s : 2);
		want_read(c);
	}
}

static void on_write(struct ev_loop *l, ev_io *w, int revents)
{
	(void)l;
	(void)revents;
	struct http_conn *c = w->data;
	hold(c);
	if (c->handshaking) {
		conn_handshake(c);
	} else {
		if (c->read_wants_write) {
			c->read_wants_write = 0;
			want_read(c);
			conn_read(c);
		}
		if (!c->dead)
			conn_flush(c);
	}
	release(c);
}

static void on_timer(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l;
	(void)revents;
	struct http_conn *c = w->data;
	hold(c);
	if ((c->phase == P_HEAD || c->phase == P_BODY) && !c->out.len)
		send_error(c, 408, "Timeout", "the request did not arrive in time", 1, NULL);
	else
		conn_close(c);
	release(c);
}

/* ---- connections ---- */

static void conn_close(struct http_conn *c)
{
	if (c->dead)
		return;
	c->dead = 1;
	struct ev_loop *l = sk_ev();
	ev_io_stop(l, &c->rw);
	ev_io_stop(l, &c->ww);
	ev_timer_stop(l, &c->timer);
	if (c->ssl) {
		/* best effort: the socket closes right after */
		ERR_clear_error();
		if (!c->tls_broken && !c->handshaking && !(SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN))
			SSL_shutdown(c->ssl);
		ERR_clear_error();
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	close(c->fd);
	struct http_req *r = c->req;
	c->req = NULL;
	if (r && c->phase == P_HANDLING && r->state != R_DONE) {
		/* the handler still holds it: tell its owner, or leave it orphaned
		 * for the handler's eventual reply to free */
		r->c = NULL;
		inflight_release(r, c->s);
		if (r->close_fn) {
			r->state = R_DONE;
			struct call_scope cs;
			call_begin(&cs, NULL);
			r->close_fn(r->close_ud, r);
			call_end(&cs, "an HTTP close callback");
			req_free(r);
		}
	} else {
		req_free(r);
	}
	hold(c);
	release(c);
}

int http_server_adopt(struct http_server *s, int fd, const char *remote)
{
	if (s->nconns >= s->lim.max_connections || s->shutting_down) {
		close(fd);
		return -1;
	}
	struct http_conn *c = calloc(1, sizeof *c);
	if (!c) {
		close(fd);
		return -1;
	}
	if (s->tls) {
		c->ssl = SSL_new(s->tls);
		if (!c->ssl || !SSL_set_fd(c->ssl, fd)) {
			ERR_clear_error();
			SSL_free(c->ssl);
			free(c);
			close(fd);
			return -1;
		}
		SSL_set_accept_state(c->ssl);
		c->handshaking = 1; /* bounded by the head timeout armed below */
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	c->s = s;
	c->fd = fd;
	snprintf(c->remote, sizeof c->remote, "%s", remote ? remote : "");
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	ev_io_init(&c->rw, on_read, fd, EV_READ);
	ev_io_init(&c->ww, on_write, fd, EV_WRITE);
	ev_init(&c->timer, on_timer);
	c->rw.data = c->ww.data = c->timer.data = c;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	/* a fresh connection gets the head timeout: sending nothing is slow too */
	arm(c, s->lim.header_timeout_s);
	ev_io_start(sk_ev(), &c->rw);
	return 0;
}

static void format_addr(const struct sockaddr_storage *sa, char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	int port = 0;
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)sa;
		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
		port = ntohs(a->sin_port);
		snprintf(out, cap, "%s:%d", ip, port);
	} else if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)sa;
		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
		port = ntohs(a->sin6_port);
		snprintf(out, cap, "[%s]:%d", ip, port);
	} else {
		snprintf(out, cap, "local");
	}
}

static void on_accept(struct ev_loop *l, ev_io *w, int revents)
{
	(void)l;
	(void)revents;
	struct http_server *s = w->data;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage sa;
		socklen_t sl = sizeof sa;
		int fd = accept4(s->lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN, or EMFILE and the like: try again on the next wake-up */
		char remote[64];
		/* replies go out in more than one write (TLS records, chunks):
		 * without this, Nagle and the peer's delayed ACK add ~40 ms */
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		format_addr(&sa, remote, sizeof remote);
		http_server_adopt(s, fd, remote);
	}
}

/* ---- server ---- */

static void on_done(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)revents;
	struct http_server *s = w->data;
	ev_timer_stop(l, &s->grace);
	if (s->done_called)
		return;
	s->done_called = 1;
	if (s->done)
		s->done(s->done_ud); /* last: it may free the server */
}

static void close_all(struct http_server *s)
{
	/* a close callback may close other connections: rescan each time */
	for (;;) {
		struct http_conn *c = s->conns;
		while (c && c->dead)
			c = c->next;
		if (!c)
			return;
		hold(c);
		conn_close(c);
		release(c);
	}
}

static void on_grace(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l;
	(void)revents;
	close_all(w->data);
}

struct http_server *http_server_new(const struct http_limits *lim, http_handler_fn handler,
                                    void *ud, sk_err *err)
{
	if (!settings.on_message_begin) {
		settings.on_message_begin = on_message_begin;
		settings.on_url = on_url;
		settings.on_header_field = on_header_field;
		settings.on_header_value = on_header_value;
		settings.on_headers_complete = on_headers_complete;
		settings.on_body = on_body;
		settings.on_message_complete = on_message_complete;
	}
	if (!sk_ev()) {
		sk_fail(err, SK_EINVALID, "the event loop is not initialised");
		return NULL;
	}
	struct http_server *s = calloc(1, sizeof *s);
	if (!s) {
		sk_fail(err, SK_ENOMEM, "out of memory");
		return NULL;
	}
	if (lim)
		s->lim = *lim;
	struct http_limits *L = &s->lim;
	L->max_header_bytes = L->max_header_bytes ? L->max_header_bytes : 64 * 1024;
	L->max_body_bytes = L->max_body_bytes ? L->max_body_bytes : 3 * 1024 * 1024;
	L->idle_timeout_s = L->idle_timeout_s > 0 ? L->idle_timeout_s : 90;
	L->header_timeout_s = L->header_timeout_s > 0 ? L->header_timeout_s : 10;
	L->body_timeout_s = L->body_timeout_s > 0 ? L->body_timeout_s : 60;
	L->max_inflight = L->max_inflight ? L->max_inflight : 400;
	L->max_connections = L->max_connections ? L->max_connections : 4096;
	L->max_out_bytes = L->max_out_bytes ? L->max_out_bytes : 8 * 1024 * 1024;
	s->handler = handler;
	s->ud = ud;
	s->lfd = -1;
	ev_init(&s->grace, on_grace);
	ev_init(&s->done_w, on_done);
	s->grace.data = s->done_w.data = s;
	return s;
}

static int parse_listen(const char *spec, char *host, size_t hcap, char *port, size_t pcap)
{
	const char *colon;
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');
		if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= hcap)
			return -1;
		memcpy(host, spec + 1, (size_t)(end - spec - 1));
		host[end - spec - 1] = 0;
		colon = end + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || (size_t)(colon - spec) >= hcap)
			return -1;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = 0;
	}
	if (!colon[1] || strlen(colon + 1) >= pcap)
		return -1;
	strcpy(port, colon + 1);
	return 0;
}

struct http_server *http_server_start(const char *addr, const struct http_limits *lim,
                                      http_handler_fn handler, void *ud, sk_err *err)
{
	const char *where = addr;
	char host[256], port[16];
	if (!where || parse_listen(where, host, sizeof host, port, sizeof port)) {
		sk_fail(err, SK_EINVALID, "bad listen address '%s' (want host:port)", where ? where : "");
		return NULL;
	}
	struct addrinfo hints = {0}, *ai = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	int gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (gai) {
		sk_fail(err, SK_EINVALID, "bad listen address '%s': %s", where, gai_strerror(gai));
		return NULL;
	}
	struct http_server *s = http_server_new(lim, handler, ud, err);
	if (!s) {
		freeaddrinfo(ai);
		return NULL;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 511)) {
		sk_fail(err, SK_EIO, "cannot listen on %s: %s", where, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		free(s);
		return NULL;
	}
	freeaddrinfo(ai);
	struct sockaddr_storage sa;
	socklen_t sl = sizeof sa;
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	s->port = sa.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&sa)->sin6_port)
	                                   : ntohs(((struct sockaddr_in *)&sa)->sin_port);
	s->lfd = fd;
	ev_io_init(&s->lw, on_accept, fd, EV_READ);
	s->lw.data = s;
	ev_io_start(sk_ev(), &s->lw);
	return s;
}

int http_server_port(const struct http_server *s) { return s ? s->port : 0; }
size_t http_server_connections(const struct http_server *s) { return s ? s->nconns : 0; }

void http_server_set_tls(struct http_server *s, void *ssl_ctx)
{
	if (s->tls && s->tls != ssl_ctx)
		SSL_CTX_free(s->tls);
	s->tls = ssl_ctx;
}

void http_server_set_error_body(struct http_server *s, http_error_body_fn fn, void *ud)
{
	s->err_fn = fn;
	s->err_ud = ud;
}

static void stop_listening(struct http_server *s)
{
	if (s->lfd >= 0) {
		ev_io_stop(sk_ev(), &s->lw);
		close(s->lfd);
		s->lfd = -1;
	}
}

void http_server_shutdown(struct http_server *s, double grace_s, void (*done)(void *), void *ud)
{
	if (s->shutting_down)
		return;
	s->shutting_down = 1;
	s->done = done;
	s->done_ud = ud;
	stop_listening(s);
	for (struct http_conn *c = s->conns; c; c = c->next)
		c->seen = 0;
	for (;;) {
		/* callbacks below may close other connections: rescan each time */
		struct http_conn *c = s->conns;
		while (c && (c->dead || c->seen))
			c = c->next;
		if (!c)
			break;
		c->seen = 1;
		hold(c);
		struct http_req *r = c->req;
		if (c->phase == P_HANDLING && r && r->state == R_STREAMING) {
			/* end the stream cleanly; its owner learns through the close
			 * callback, during which its own calls on r are ignored */
			http_close_fn fn = r->close_fn;
			r->close_fn = NULL;
			r->keep_alive = 0;
			if (fn) {
				r->state = R_DONE;
				struct call_scope cs;
				call_begin(&cs, NULL);
				fn(r->close_ud, r);
				call_end(&cs, "an HTTP close callback");
				if (!c->dead)
					r->state = R_STREAMING;
			}
			if (!c->dead)
				http_stream_end(r);
		} else if (c->phase == P_HANDLING && r) {
			r->keep_alive = 0; /* its reply will carry Connection: close */
		} else if (c->phase == P_IDLE) {
			conn_close(c);
		}
		release(c);
	}
	if (!s->nconns) {
		if (!ev_is_active(&s->done_w)) {
			ev_timer_set(&s->done_w, 0, 0);
			ev_timer_start(sk_ev(), &s->done_w);
		}
	} else {
		ev_timer_set(&s->grace, grace_s > 0 ? grace_s : 0, 0);
		ev_timer_start(sk_ev(), &s->grace);
	}
}

void http_server_free(struct http_server *s)
{
	if (!s)
		return;
	stop_listening(s);
	s->done_called = 1;
	close_all(s);
	ev_timer_stop(sk_ev(), &s->grace);
	ev_timer_stop(sk_ev(), &s->done_w);
	SSL_CTX_free(s->tls);
	free(s);
}

/* ---- request accessors ---- */

const char *http_req_method(const struct http_req *r) { return r->method; }
const char *http_req_target(const struct http_req *r) { return r->target.data; }
const char *http_req_path(const struct http_req *r) { return r->path; }
const char *http_req_query(const struct http_req *r) { return r->query; }
const char *http_req_remote(const struct http_req *r) { return r->c ? r->c->remote : ""; }
const char *http_req_peer_cn(const struct http_req *r) { return r->c ? r->c->peer_cn : NULL; }

const char *const *http_req_peer_orgs(const struct http_req *r)
{
	return r->c && r->c->peer_cn ? (const char *const *)r->c->peer_orgs : NULL;
}

const char *http_req_body(const struct http_req *r, size_t *len)
{
	if (len)
		*len = r->body.len;
	return r->body.data ? r->body.data : "";
}

const char *http_req_header(const struct http_req *r, const char *name)
{
	struct header *first = NULL;
	for (size_t i = 0; i < r->nhdrs; i++) {
		struct header *h = &((struct http_req *)r)->hdrs[i];
		if (!h->name.data || strcasecmp(h->name.data, name))
			continue;
		if (!first) {
			first = h;
			if (!first->value.data && buf_add(&first->value, "", 0))
				return NULL;
		} else if (buf_add(&first->value, ", ", 2) ||
		           buf_add(&first->value, h->value.data ? h->value.data : "", h->value.len)) {
			return NULL;
		} else {
			/* folded in once; later lookups see the joined value */
			buf_free(&h->name);
		}
	}
	return first ? first->value.data : NULL;
}

/* ---- responses ---- */

void http_on_close(struct http_req *r, http_close_fn fn, void *ud)
{
	r->close_fn = fn;
	r->close_ud = ud;
}

static int valid_header_text(const char *s)
{
	for (; *s; s++)
		if (*s == '\r' || *s == '\n')
			return 0;
	return 1;
}

int http_resp_header(struct http_req *r, const char *name, const char *value)
{
	if (r->state != R_PENDING || !valid_header_text(name) || !valid_header_text(value))
		return -1;
	if (buf_add(&r->extra, name, strlen(name)) || buf_add(&r->extra, ": ", 2) ||
	    buf_add(&r->extra, value, strlen(value)) || buf_add(&r->extra, "\r\n", 2))
		return -1;
	return 0;
}

static int put_head(struct http_conn *c, struct http_req *r, int status, const char *ctype,
                    const char *length_or_te)
{
	struct buf h = {0};
	int bad = buf_printf(&h, "HTTP/1.1 %d %s\r\n", status, reason_phrase(status));
	if (!bad && ctype && valid_header_text(ctype))
		bad = buf_printf(&h, "Content-Type: %.200s\r\n", ctype);
	if (!bad && length_or_te)
		bad = buf_add(&h, length_or_te, strlen(length_or_te));
	if (!bad && r->extra.len)
		bad = buf_add(&h, r->extra.data, r->extra.len);
	if (!bad)
		bad = buf_add(&h, r->keep_alive ? (r->http10 ? "Connection: keep-alive\r\n\r\n" : "\r\n")
		                                 : "Connection: close\r\n\r\n",
		              r->keep_alive ? (r->http10 ? 26 : 2) : 21);
	if (!bad)
		out_add(c, h.data, h.len);
	buf_free(&h);
	return bad || c->dead ? -1 : 0;
}

/* the reply is being completed: a failing write from here on closes the
 * connection without treating the request as abandoned */
static void detach(struct http_conn *c, struct http_req *r)
{
	inflight_release(r, c->s);
	r->state = R_DONE;
	c->req = NULL;
}

/* the reply is complete: free the request and go on with the connection */
static void finish(struct http_conn *c, struct http_req *r)
{
	int keep = r->keep_alive;
	req_free(r);
	if (c->dead)
		return;
	if (!keep)
		closing(c);
	conn_flush(c);
	conn_resume(c);
}

void http_respond(struct http_req *r, int status, const char *content_type, const char *body,
                  size_t len)
{
	struct http_conn *c = r->c;
	if (r->state == R_DONE) /* inside its own close callback */
		return;
	if (!c) { /* orphaned: the client left */
		req_free(r);
		return;
	}
	if (r->state != R_PENDING)
		return;
	hold(c);
	detach(c, r);
	char cl[48];
	snprintf(cl, sizeof cl, "Content-Length: %zu\r\n", len);
	int no_body = r->head || status == 204 || status == 304;
	if (put_head(c, r, status, content_type, status == 204 ? NULL : cl) == 0 && !no_body && len)
		out_add(c, body, len);
	finish(c, r);
	release(c);
}

int http_stream_start(struct http_req *r, int status, const char *content_type)
{
	struct http_conn *c = r->c;
	if (!c || r->state != R_PENDING)
		return -1;
	hold(c);
	/* HTTP/1.0 has no chunked encoding: the body ends with the connection */
	if (r->http10)
		r->keep_alive = 0;
	int rc = put_head(c, r, status, content_type, r->http10 ? NULL : "Transfer-Encoding: chunked\r\n");
	if (rc == 0) {
		r->state = R_STREAMING;
		inflight_release(r, c->s); /* long-running: not counted, as in kube-apiserver */
		conn_flush(c);
	}
	rc = c->dead ? -1 : rc;
	release(c);
	return rc;
}

int http_stream_write(struct http_req *r, const char *data, size_t len)
{
	struct http_conn *c = r->c;
	if (!c || r->state != R_STREAMING || c->dead)
		return -1;
	if (!len)
		return 0; /* an empty chunk would end the stream */
	if (c->out.len - c->out_off + len > c->s->lim.max_out_bytes)
		return -1;
	hold(c);
	if (!r->http10) {
		char sz[24];
		int n = snprintf(sz, sizeof sz, "%zx\r\n", len);
		out_add(c, sz, (size_t)n);
	}
	if (!c->dead)
		out_add(c, data, len);
	if (!c->dead && !r->http10)
		out_add(c, "\r\n", 2);
	if (!c->dead)
		conn_flush(c);
	int rc = c->dead ? -1 : 0;
	release(c);
	return rc;
}

size_t http_stream_buffered(const struct http_req *r)
{
	const struct http_conn *c = r->c;
	return c && !c->dead ? c->out.len - c->out_off : 0;
}

void http_stream_end(struct http_req *r)
{
	struct http_conn *c = r->c;
	if (r->state == R_DONE)
		return;
	if (!c) {
		req_free(r);
		return;
	}
	if (r->state != R_STREAMING)
		return;
	hold(c);
	detach(c, r);
	if (!r->http10)
		out_add(c, "0\r\n\r\n", 5);
	finish(c, r);
	release(c);
}
