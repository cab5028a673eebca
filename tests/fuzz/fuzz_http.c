/* fuzz_http.c — libFuzzer target for the HTTP server: the input is what a
 * client sends on one end of a socketpair, then it half-closes. The server
 * must neither crash nor leak, and must end the connection (answering
 * whatever it handled) within a few seconds.
 *
 * The handler answers at once, streams ("/s..."), or holds the request and
 * answers from the next poll ("/a..."), so all reply paths get exercised. */
#include "err.h"
#include "http.h"
#include "loop.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_HELD 8

static struct http_req *held[MAX_HELD];
static int handled, replied; /* replied: answered from within the handler */

static void drop_held(void *ud, struct http_req *r)
{
	(void)ud;
	for (int i = 0; i < MAX_HELD; i++)
		if (held[i] == r)
			held[i] = NULL;
}

static void handler(void *ud, struct http_req *r)
{
	(void)ud;
	handled++;
	const char *path = http_req_path(r);
	size_t n;
	const char *body = http_req_body(r, &n);
	(void)http_req_header(r, "content-type");
	(void)http_req_header(r, "x-a");
	if (path[0] == '/' && path[1] == 's') {
		if (http_stream_start(r, 200, "application/json") == 0) {
			http_stream_write(r, "{}\n", 3);
			http_stream_write(r, body, n);
			http_stream_end(r);
			replied++;
		}
		return;
	}
	if (path[0] == '/' && path[1] == 'a') {
		for (int i = 0; i < MAX_HELD; i++)
			if (!held[i]) {
				held[i] = r;
				http_on_close(r, drop_held, NULL);
				return;
			}
	}
	http_resp_header(r, "X-Path", path);
	http_respond(r, 200, "text/plain", body, n);
	replied++;
}

struct feed {
	struct http_server *s;
	int fd;
	const uint8_t *data;
	size_t size, off;
	int shut, eof;
	size_t got;
};

static void tick(void *ud) { (void)ud; }

/* called by the loop between iterations: plays the client and answers held requests */
static int feed_done(void *ud)
{
	struct feed *f = ud;
	while (f->off < f->size) {
		ssize_t n = send(f->fd, f->data + f->off, f->size - f->off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		f->off += (size_t)n;
	}
	if (f->off == f->size && !f->shut) {
		shutdown(f->fd, SHUT_WR);
		f->shut = 1;
	}
	char buf[16384];
	for (;;) {
		ssize_t n = recv(f->fd, buf, sizeof buf, 0);
		if (n > 0) {
			f->got += (size_t)n;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			f->eof = 1;
		break;
	}
	for (int i = 0; i < MAX_HELD; i++)
		if (held[i]) {
			struct http_req *r = held[i];
			held[i] = NULL;
			http_respond(r, 202, "text/plain", "later", 5);
		}
	return f->eof && http_server_connections(f->s) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	if (!inited) {
		sk_err e;
		if (sk_loop_init(1.0, 1, &e) != SK_OK)
			abort();
		inited = 1;
	}
	struct http_limits lim = {.max_header_bytes = 2048,
	                          .max_body_bytes = 4096,
	                          .header_timeout_s = 2,
	                          .body_timeout_s = 2,
	                          .idle_timeout_s = 2,
	                          .max_inflight = 2,
	                          .max_out_bytes = 65536};
	sk_err e = {0};
	struct http_server *s = http_server_new(&lim, handler, NULL, &e);
	if (!s)
		abort();
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (http_server_adopt(s, sv[0], "fuzz") != 0)
		abort();
	handled = replied = 0;
	struct feed f = {s, sv[1], data, size, 0, 0, 0, 0};
	sk_timer *t = sk_timer_start(NULL, 0.001, 0.001, tick, NULL);
	if (!sk_loop_run_until(feed_done, &f, 8)) {
		fprintf(stderr, "the server neither finished nor closed the connection\n");
		abort();
	}
	sk_timer_stop(t);
	/* a reply made while the connection was open reached the client */
	if (replied && !f.got)
		abort();
	http_server_free(s);
	close(sv[1]);
	return 0;
}
