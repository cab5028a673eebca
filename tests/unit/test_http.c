/* test_http.c — the HTTP/1.1 server over real sockets on 127.0.0.1: the
 * loop runs on the test thread, clients are blocking sockets in threads
 * sending raw bytes and keeping the raw reply. */
#include "testutil.h"
#include "http.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/time.h>

/* ---- the client side ---- */

struct step {
	const char *data;
	int delay_ms; /* before sending */
};

struct client {
	int port;
	struct step steps[4];
	const char *close_on; /* close as soon as the reply contains this */
	char resp[128 * 1024];
	size_t len;
	int eof, timed_out, connect_failed;
	atomic_int done;
	pthread_t th;
};

static void *client_main(void *arg)
{
	struct client *c = arg;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c->port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = {3, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		c->connect_failed = 1;
		goto out;
	}
	for (int i = 0; i < 4 && c->steps[i].data; i++) {
		if (c->steps[i].delay_ms)
			usleep((useconds_t)c->steps[i].delay_ms * 1000);
		size_t n = strlen(c->steps[i].data), off = 0;
		while (off < n) {
			ssize_t w = send(fd, c->steps[i].data + off, n - off, MSG_NOSIGNAL);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
	}
	while (c->len < sizeof c->resp - 1) {
		ssize_t n = recv(fd, c->resp + c->len, sizeof c->resp - 1 - c->len, 0);
		if (n == 0 || (n < 0 && errno == ECONNRESET)) {
			c->eof = 1;
			break;
		}
		if (n < 0) {
			c->timed_out = 1;
			break;
		}
		c->len += (size_t)n;
		c->resp[c->len] = 0;
		if (c->close_on && strstr(c->resp, c->close_on))
			break;
	}
out:
	close(fd);
	atomic_store(&c->done, 1);
	return NULL;
}

static void client_go(struct client *c, int port)
{
	c->port = port;
	assert_int_equal(pthread_create(&c->th, NULL, client_main, c), 0);
}

static int client_done(void *ud) { return atomic_load(&((struct client *)ud)->done); }

static void tick(void *ud) { (void)ud; }

static void client_wait(struct client *c)
{
	/* the client thread cannot wake the loop: poll it */
	sk_timer *t = sk_timer_start(NULL, 0.005, 0.005, tick, NULL);
	int ok = sk_loop_run_until(client_done, c, 8);
	sk_timer_stop(t);
	if (!ok)
		fail_msg("client did not finish");
	pthread_join(c->th, NULL);
}

static struct client *client_new(void) { return calloc(1, sizeof(struct client)); }

static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* ---- the handler ---- */

/* one-shot timers, freed when the test's server stops */
static sk_timer *timers[16];
static int ntimers;

static void later(double after, sk_timer_fn fn, void *ud)
{
	assert_true(ntimers < 16);
	timers[ntimers++] = sk_timer_start(NULL, after, 0, fn, ud);
}

static int handled, closed_cbs;
static struct http_req *held[4];
static int nheld;
static struct http_req *stream_req;

static void reply_late(void *ud)
{
	http_respond(ud, 200, "text/plain", "late", 4);
}

static void stream_more(void *ud)
{
	struct http_req *r = ud;
	assert_int_equal(http_stream_write(r, "two", 3), 0);
	http_stream_end(r);
}

static void on_stream_close(void *ud, struct http_req *r)
{
	(void)ud;
	if (r == stream_req)
		stream_req = NULL;
	closed_cbs++;
}

static void handler(void *ud, struct http_req *r)
{
	(void)ud;
	handled++;
	const char *path = http_req_path(r);
	if (!strcmp(path, "/async")) {
		later(0.05, reply_late, r);
	} else if (!strcmp(path, "/echo")) {
		size_t n;
		const char *b = http_req_body(r, &n);
		http_respond(r, 200, "application/octet-stream", b, n);
	} else if (!strcmp(path, "/stream")) {
		assert_int_equal(http_stream_start(r, 200, "application/json"), 0);
		assert_int_equal(http_stream_write(r, "one", 3), 0);
		later(0.03, stream_more, r);
	} else if (!strcmp(path, "/stream-hold")) {
		http_on_close(r, on_stream_close, NULL);
		assert_int_equal(http_stream_start(r, 200, "application/json"), 0);
		assert_int_equal(http_stream_write(r, "{\"x\":1}\n", 8), 0);
		assert_true(http_stream_buffered(r) < 100);
		stream_req = r;
	} else if (!strcmp(path, "/hold")) {
		held[nheld++] = r;
	} else {
		char out[256];
		const char *h = http_req_header(r, "x-test");
		int n = snprintf(out, sizeof out, "%s %s q=%s h=%s", http_req_method(r), path,
		                 http_req_query(r), h ? h : "-");
		http_resp_header(r, "X-Reply", "yes");
		http_respond(r, 200, "text/plain", out, (size_t)n);
	}
}

/* ---- fixture ---- */

static struct http_server *srv;

static int group_setup(void **state)
{
	(void)state;
	sk_err e;
	assert_int_equal(sk_loop_init(0.5, 1, &e), SK_OK);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	sk_loop_fini();
	return 0;
}

static void start(const struct http_limits *lim)
{
	sk_err e = {0};
	handled = closed_cbs = nheld = 0;
	stream_req = NULL;
	srv = http_server_start("127.0.0.1:0", lim, handler, NULL, &e);
	if (!srv)
		fail_msg("%s", e.msg);
	assert_true(http_server_port(srv) > 0);
}

static int no_connections(void *ud)
{
	(void)ud;
	return http_server_connections(srv) == 0;
}

static void stop(void)
{
	sk_loop_run_until(no_connections, NULL, 1);
	http_server_free(srv);
	srv = NULL;
	while (ntimers)
		sk_timer_stop(timers[--ntimers]);
}

/* one client with one step, run to its end */
static struct client *exchange(const char *req)
{
	struct client *c = client_new();
	c->steps[0].data = req;
	client_go(c, http_server_port(srv));
	client_wait(c);
	return c;
}

/* ---- tests ---- */

static void test_get(void **state)
{
	(void)state;
	start(NULL);
	struct client *c = exchange("GET /hi?a=1&b HTTP/1.1\r\nHost: x\r\nX-TEST: v\r\nConnection: close\r\n\r\n");
	assert_true(c->eof);
	assert_non_null(strstr(c->resp, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(c->resp, "Content-Length: 19\r\n"));
	assert_non_null(strstr(c->resp, "X-Reply: yes\r\n"));
	assert_non_null(strstr(c->resp, "\r\n\r\nGET /hi q=a=1&b h=v"));
	free(c);
	stop();
}

static void test_keepalive(void **state)
{
	(void)state;
	start(NULL);
	struct client *c = client_new();
	c->steps[0].data = "GET /one HTTP/1.1\r\nHost: x\r\n\r\n";
	c->steps[1] = (struct step){"GET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 100};
	client_go(c, http_server_port(srv));
	client_wait(c);
	assert_int_equal(count_of(c->resp, "HTTP/1.1 200 OK"), 2);
	assert_non_null(strstr(c->resp, "GET /one"));
	assert_non_null(strstr(c->resp, "GET /two"));
	assert_int_equal(count_of(c->resp, "Connection: close"), 1);
	assert_true(c->eof);
	free(c);
	stop();
}

static void test_pipelined(void **state)
{
	(void)state;
	start(NULL);
	/* the slow middle one must not let the third overtake it */
	struct client *c = exchange("GET /first HTTP/1.1\r\n\r\n"
	                            "GET /async HTTP/1.1\r\n\r\n"
	                            "GET /third HTTP/1.1\r\nConnection: close\r\n\r\n");
	const char *a = strstr(c->resp, "GET /first"), *b = strstr(c->resp, "late"),
	           *d = strstr(c->resp, "GET /third");
	assert_true(a && b && d && a < b && b < d);
	assert_int_equal(handled, 3);
	free(c);
	stop();
}

static void test_post_bodies(void **state)
{
	(void)state;
	start(NULL);
	struct client *c = exchange("POST /echo HTTP/1.1\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world");
	assert_non_null(strstr(c->resp, "Content-Length: 11\r\n"));
	assert_non_null(strstr(c->resp, "\r\n\r\nhello world"));
	free(c);
	c = exchange("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
	             "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
	assert_non_null(strstr(c->resp, "Content-Length: 11\r\n"));
	assert_non_null(strstr(c->resp, "\r\n\r\nhello world"));
	free(c);
	/* Expect: 100-continue gets its interim reply before the body is sent */
	c = client_new();
	c->steps[0].data = "POST /echo HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n";
	c->steps[1] = (struct step){"ok", 50};
	client_go(c, http_server_port(srv));
	client_wait(c);
	assert_memory_equal(c->resp, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK", 40);
	assert_non_null(strstr(c->resp, "\r\n\r\nok"));
	free(c);
	/* HTTP/1.0 closes by default */
	c = exchange("GET /old HTTP/1.0\r\n\r\n");
	assert_true(c->eof);
	assert_non_null(strstr(c->resp, "Connection: close"));
	free(c);
	stop();
}

static void test_async(void **state)
{
	(void)state;
	start(NULL);
	double t0 = sk_monotonic();
	struct client *c = exchange("GET /async HTTP/1.1\r\nConnection: close\r\n\r\n");
	assert_true(sk_monotonic() - t0 >= 0.05);
	assert_non_null(strstr(c->resp, "HTTP/1.1 200 OK"));
	assert_non_null(strstr(c->resp, "\r\n\r\nlate"));
	free(c);
	stop();
}

/* de-chunks body into out; returns 1 when it ended with the terminating chunk */
static int dechunk(const char *body, char *out, size_t cap)
{
	size_t o = 0;
	for (;;) {
		char *end;
		unsigned long n = strtoul(body, &end, 16);
		if (end == body || strncmp(end, "\r\n", 2))
			return 0;
		body = end + 2;
		if (!n)
			return !strncmp(body, "\r\n", 2);
		if (o + n >= cap || strlen(body) < n + 2)
			return 0;
		memcpy(out + o, body, n);
		o += n;
		out[o] = 0;
		body += n + 2;
	}
}

static void test_stream(void **state)
{
	(void)state;
	start(NULL);
	struct client *c = exchange("GET /stream HTTP/1.1\r\nConnection: close\r\n\r\n");
	assert_non_null(strstr(c->resp, "Transfer-Encoding: chunked\r\n"));
	const char *body = strstr(c->resp, "\r\n\r\n");
	assert_non_null(body);
	char got[64] = "";
	assert_true(dechunk(body + 4, got, sizeof got));
	assert_string_equal(got, "onetwo");
	free(c);
	stop();
}

static void test_limits(void **state)
{
	(void)state;
	struct http_limits lim = {.max_body_bytes = 1024, .max_header_bytes = 4096};
	start(&lim);
	struct client *c = exchange("POST /echo HTTP/1.1\r\nContent-Length: 5000\r\n\r\n");
	assert_non_null(strstr(c->resp, "HTTP/1.1 413 "));
	assert_non_null(strstr(c->resp, "\"reason\":\"RequestEntityTooLarge\""));
	assert_non_null(strstr(c->resp, "\"kind\":\"Status\""));
	assert_true(c->eof);
	free(c);
	/* a chunked body says nothing up front: cut when it passes the limit */
	static char big[4096];
	snprintf(big, sizeof big, "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n%02048d\r\n", 0);
	c = exchange(big);
	assert_non_null(strstr(c->resp, "HTTP/1.1 413 "));
	free(c);
	static char hdr[8192];
	int n = snprintf(hdr, sizeof hdr, "GET / HTTP/1.1\r\nX-Big: ");
	memset(hdr + n, 'a', 5000);
	strcpy(hdr + n + 5000, "\r\n\r\n");
	c = exchange(hdr);
	assert_non_null(strstr(c->resp, "HTTP/1.1 431 "));
	assert_true(c->eof);
	free(c);
	assert_int_equal(handled, 0);
	stop();
}

static void test_slow_client(void **state)
{
	(void)state;
	struct http_limits lim = {.header_timeout_s = 0.3};
	start(&lim);
	double t0 = sk_monotonic();
	struct client *c = exchange("GET / HTTP/1.1\r\nHost:");
	double took = sk_monotonic() - t0;
	if (took < 0.25 || took >= 2)
		fail_msg("closed after %.2f s", took);
	assert_non_null(strstr(c->resp, "HTTP/1.1 408 "));
	assert_true(c->eof);
	free(c);
	stop();
}

static void test_too_many(void **state)
{
	(void)state;
	struct http_limits lim = {.max_inflight = 1};
	start(&lim);
	struct client *a = client_new(), *b = client_new();
	a->steps[0].data = "GET /hold HTTP/1.1\r\nConnection: close\r\n\r\n";
	b->steps[0] = (struct step){"GET /other HTTP/1.1\r\nConnection: close\r\n\r\n", 100};
	client_go(a, http_server_port(srv));
	client_go(b, http_server_port(srv));
	client_wait(b);
	assert_non_null(strstr(b->resp, "HTTP/1.1 429 "));
	assert_non_null(strstr(b->resp, "Retry-After: 1\r\n"));
	assert_non_null(strstr(b->resp, "\"code\":429"));
	assert_int_equal(nheld, 1);
	http_respond(held[0], 200, "text/plain", "done", 4);
	client_wait(a);
	assert_non_null(strstr(a->resp, "\r\n\r\ndone"));
	free(a);
	free(b);
	stop();
}

static void test_malformed(void **state)
{
	(void)state;
	start(NULL);
	struct client *c = exchange("GARBAGE STUFF\r\n\r\nGET / HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(c->resp, "HTTP/1.1 400 "));
	assert_int_equal(count_of(c->resp, "HTTP/1.1"), 1);
	assert_true(c->eof);
	assert_int_equal(handled, 0);
	free(c);
	stop();
}

static void test_disconnect_mid_stream(void **state)
{
	(void)state;
	start(NULL);
	struct client *c = client_new();
	c->steps[0].data = "GET /stream-hold HTTP/1.1\r\n\r\n";
	c->close_on = "{\"x\":1}";
	client_go(c, http_server_port(srv));
	client_wait(c);
	tu_wait(&closed_cbs, 1);
	assert_null(stream_req);
	free(c);
	stop();
}

static int shut_done;
static void on_shut(void *ud)
{
	(void)ud;
	shut_done++;
}

static void answer_held(void *ud)
{
	(void)ud;
	http_respond(held[0], 200, "text/plain", "finished", 8);
}

static void test_graceful_shutdown(void **state)
{
	(void)state;
	start(NULL);
	int port = http_server_port(srv);
	struct client *a = client_new(), *b = client_new();
	a->steps[0].data = "GET /hold HTTP/1.1\r\n\r\n";
	b->steps[0].data = "GET /stream-hold HTTP/1.1\r\n\r\n";
	client_go(a, port);
	client_go(b, port);
	tu_wait(&handled, 2);
	shut_done = 0;
	http_server_shutdown(srv, 2, on_shut, NULL);
	later(0.1, answer_held, NULL);
	tu_wait(&shut_done, 1);
	client_wait(a);
	client_wait(b);
	assert_non_null(strstr(a->resp, "Connection: close\r\n"));
	assert_non_null(strstr(a->resp, "\r\n\r\nfinished"));
	assert_true(a->eof);
	char got[64] = "";
	const char *body = strstr(b->resp, "\r\n\r\n");
	assert_non_null(body);
	assert_true(dechunk(body + 4, got, sizeof got));
	assert_string_equal(got, "{\"x\":1}\n");
	assert_true(b->eof);
	assert_int_equal(closed_cbs, 1);
	free(a);
	free(b);
	struct client *late = client_new();
	late->steps[0].data = "GET / HTTP/1.1\r\n\r\n";
	client_go(late, port);
	client_wait(late);
	assert_true(late->connect_failed);
	free(late);
	stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_post_bodies),
		cmocka_unit_test(test_async),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_slow_client),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_disconnect_mid_stream),
		cmocka_unit_test(test_graceful_shutdown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
