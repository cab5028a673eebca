/* store_fixture.h — a real store in a temp dir for unit tests: the loop, the
 * bus, the LevelDB store, and two test kinds shaped like pods (namespaced)
 * and nodes (cluster-scoped). Include after testutil.h. */
#ifndef SKIFF_STORE_FIXTURE_H
#define SKIFF_STORE_FIXTURE_H
#include "bus.h"
#include "err.h"
#include "store.h"
#include <jansson.h>
#include <skiff/skiff.h>

static const sk_resource_ops tu_pods_ops = {
	.size = sizeof(sk_resource_ops), .name = "pods", .group = "", .version = "v1", .kind = "Pod",
	.plural = "pods", .singular = "pod", .list_kind = "PodList", .namespaced = 1,
};
static const sk_resource_ops tu_nodes_ops = {
	.size = sizeof(sk_resource_ops), .name = "nodes", .group = "", .version = "v1", .kind = "Node",
	.plural = "nodes", .singular = "node", .list_kind = "NodeList", .namespaced = 0,
};

static char *tu_store_dir;

/* ring: the bus's replay ring; with_kinds: register pods and nodes */
static inline void tu_store_up(size_t ring, int with_kinds)
{
	sk_err e;
	tu_store_dir = tu_tempdir();
	assert_int_equal(sk_loop_init(0, 2, &e), SK_OK);
	bus_init(ring);
	json_t *settings = json_object();
	int rc = store_open("leveldb", tu_store_dir, settings, 1000, 0, &e);
	json_decref(settings);
	if (rc != SK_OK)
		fail_msg("store_open: %s", e.msg);
	if (with_kinds) {
		assert_int_equal(sk_register(NULL, SK_EXT_RESOURCE, &tu_pods_ops, NULL, &e), SK_OK);
		assert_int_equal(sk_register(NULL, SK_EXT_RESOURCE, &tu_nodes_ops, NULL, &e), SK_OK);
	}
}

static inline void tu_store_down(void)
{
	sk_unregister(NULL, SK_EXT_RESOURCE, "pods");
	sk_unregister(NULL, SK_EXT_RESOURCE, "nodes");
	store_close();
	bus_fini();
	sk_loop_fini();
	tu_rmrf(tu_store_dir);
	free(tu_store_dir);
	tu_store_dir = NULL;
}

/* JSON from a printf format, with ' standing for " to keep tests readable */
static inline sk_obj *tu_json(const char *fmt, ...) SK_PRINTF(1, 2);
static inline sk_obj *tu_json(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		if (*p == '\'')
			*p = '"';
	sk_err e;
	sk_obj *o = sk_obj_parse(buf, strlen(buf), &e);
	if (!o)
		fail_msg("bad test JSON %s: %s", buf, e.msg);
	return o;
}

#endif
