/* fuzz_api.c — libFuzzer target for the API server's request path: the
 * input is what a client sends on one connection (any number of requests,
 * then a half-close), handled by the real router, authorization, decoding
 * (JSON, YAML, protobuf), validation, admission, patching, the store and
 * watches, with one kind registered. The server must not crash or leak and
 * must end the connection. An authorizer that allows everyone stands in for
 * the admin's credentials. */
#include "api.h"
#include "bus.h"
#include "err.h"
#include "http.h"
#include "loop.h"
#include "schema.h"
#include "store.h"
#include <errno.h>
#include <fcntl.h>
#include <skiff/auth.h>
#include <skiff/plugin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char types[] =
	"package io.k8s.fuzz.v1\n"
	"type Widget gvk=/v1/Widget\n"
	"  apiVersion string proto=1\n"
	"  kind string proto=2\n"
	"  metadata ObjectMeta proto=3\n"
	"  spec WidgetSpec proto=4\n"
	"  status map[string] proto=5\n"
	"type WidgetSpec\n"
	"  size int32 min=0 default=1 proto=1\n"
	"  color string enum=red,blue proto=2\n"
	"  parts []Part merge=name proto=3\n"
	"  labels map[string] proto=4\n"
	"type Part\n"
	"  name string required proto=1\n"
	"  count int-or-string proto=2\n";

static sk_resource_ops widgets = {
	.size = sizeof widgets, .name = "widgets", .group = "", .version = "v1", .kind = "Widget",
	.plural = "widgets", .singular = "widget", .list_kind = "WidgetList", .namespaced = 1,
	.subresources = SK_SUB_STATUS | SK_SUB_SCALE, .type = "io.k8s.fuzz.v1.Widget",
};

static int allow_all(void *ud, const sk_authz_attrs *a, char *reason, size_t cap)
{
	(void)ud;
	(void)a;
	snprintf(reason, cap, "fuzzing");
	return SK_AUTHZ_ALLOW;
}
static const sk_authorizer_ops allow = {sizeof allow, "allow-all", allow_all};

struct feed {
	struct http_server *s;
	int fd;
	const uint8_t *data;
	size_t size, off;
	int shut, eof;
};

static void tick(void *ud) { (void)ud; }

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
		if (n > 0)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			f->eof = 1;
		break;
	}
	return f->eof && http_server_connections(f->s) == 0;
}

static void setup(void)
{
	sk_err e = {0};
	char dir[] = "/tmp/skiff-fuzz-api-XXXXXX";
	if (!mkdtemp(dir) || sk_loop_init(1.0, 1, &e) != SK_OK)
		abort();
	bus_init(256);
	json_t *settings = json_object();
	if (schema_init(&e) != SK_OK || schema_define("fuzz", "widget.types", types, sizeof types - 1, &e) != SK_OK ||
	    schema_check_refs(&e) != SK_OK || sk_register(NULL, SK_EXT_RESOURCE, &widgets, NULL, &e) != SK_OK ||
	    sk_register(NULL, SK_EXT_AUTHORIZER, &allow, NULL, &e) != SK_OK ||
	    store_open("leveldb", dir, settings, 1000, 3600, &e) != SK_OK) {
		fprintf(stderr, "fuzz_api setup: %s\n", e.msg);
		abort();
	}
	json_decref(settings);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	if (!inited) {
		setup();
		inited = 1;
	}
	struct http_limits lim = {.max_header_bytes = 4096,
	                          .max_body_bytes = 65536,
	                          .header_timeout_s = 2,
	                          .body_timeout_s = 2,
	                          .idle_timeout_s = 2,
	                          .max_inflight = 4,
	                          .max_out_bytes = 1 << 20};
	sk_err e = {0};
	struct http_server *s = http_server_new(&lim, api_handle, NULL, &e);
	if (!s)
		abort();
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (http_server_adopt(s, sv[0], "127.0.0.1:1") != 0)
		abort();
	struct feed f = {s, sv[1], data, size, 0, 0, 0};
	sk_timer *t = sk_timer_start(NULL, 0.001, 0.001, tick, NULL);
	if (!sk_loop_run_until(feed_done, &f, 8)) {
		fprintf(stderr, "the API server neither finished nor closed the connection\n");
		abort();
	}
	sk_timer_stop(t);
	http_server_free(s);
	close(sv[1]);
	return 0;
}
