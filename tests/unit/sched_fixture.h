/* sched_fixture.h — what the scheduler policy unit tests share: test JSON
 * written with ' for ", a scheduling cycle as the scheduler keeps one,
 * finding a registered policy, joining a filter's reasons, and starting the
 * plugin host on the policy plugins under test, and node views made by the
 * scheduler's own cache (compiled in), so policies see what they see in the
 * scheduler. Each test keeps its own node and cluster shapes, which
 * differ. Include after testutil.h. */
#ifndef SKIFF_SCHED_FIXTURE_H
#define SKIFF_SCHED_FIXTURE_H
#include "config.h"
#include "plugin_host.h"
#include <limits.h>
#include <skiff/obj.h>
#include <skiff/scheduler.h>

#include "../../plugins/scheduler/scheduler/cache.c"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Test JSON with ' standing for ", to keep the tables readable; a text that
 * does not parse fails the test. */
static inline sk_obj *json(const char *text)
{
	char *s = strdup(text);
	assert_non_null(s);
	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	sk_err e = {0};
	sk_obj *o = sk_obj_parse(s, strlen(s), &e);
	if (!o)
		fail_msg("bad test JSON %s: %s", s, e.msg);
	free(s);
	return o;
}

/* A cycle as the scheduler keeps one: the snapshot's nodes and a few keyed
 * values. A value put over another under the same key destroys the old
 * one; cy_end destroys those left. pub comes first so the callbacks can
 * cast back. */
struct tcycle {
	sk_sched_cycle pub;
	size_t n;
	struct {
		char *key;
		void *value;
		void (*destroy)(void *);
	} e[16];
};

static inline void *cy_get(sk_sched_cycle *c, const char *key)
{
	struct tcycle *t = (struct tcycle *)c;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].key, key))
			return t->e[i].value;
	return NULL;
}

static inline void cy_put(sk_sched_cycle *c, const char *key, void *value, void (*destroy)(void *))
{
	struct tcycle *t = (struct tcycle *)c;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].key, key)) {
			if (t->e[i].destroy)
				t->e[i].destroy(t->e[i].value);
			t->e[i].value = value;
			t->e[i].destroy = destroy;
			return;
		}
	/* a policy keeping more than this is a finding, not a test limit */
	assert_true(t->n < N(t->e));
	t->e[t->n].key = strdup(key);
	assert_non_null(t->e[t->n].key);
	t->e[t->n].value = value;
	t->e[t->n++].destroy = destroy;
}

/* nodes: the snapshot's n nodes (NULL, 0 for policies that read none) */
static inline void cy_begin(struct tcycle *t, const sk_sched_node *const *nodes, size_t n)
{
	memset(t, 0, sizeof *t);
	t->pub = (sk_sched_cycle){sizeof t->pub, nodes, n, cy_get, cy_put, NULL};
}

static inline void cy_end(struct tcycle *t)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->e[i].destroy)
			t->e[i].destroy(t->e[i].value);
		free(t->e[i].key);
	}
	t->n = 0;
}

/* The policy registered under name; fails the test when there is none. */
static inline const sk_sched_policy_ops *policy(const char *name, void **ud)
{
	const sk_sched_policy_ops *ops = sk_ext_find(SK_EXT_SCHEDULER, name, ud);
	if (!ops)
		fail_msg("policy %s is not registered", name);
	return ops;
}

/* The reasons a filter left: phrases one after another, each ending in a
 * NUL, closed by an empty one or the buffer's end; joined with '|'. */
static inline void joined(const char *buf, size_t cap, char *out, size_t outcap)
{
	size_t at = 0, o = 0;
	out[0] = 0;
	while (at < cap && buf[at]) {
		size_t len = strnlen(buf + at, cap - at);
		o += (size_t)snprintf(out + o, outcap - o, "%s%.*s", o ? "|" : "", (int)len, buf + at);
		assert_true(o < outcap);
		at += len + 1;
	}
}

/* Starts the plugin host on the build tree's plugins named in names (NULL
 * ends the list) and no others. settings: YAML lines, unindented, for the
 * last plugin's settings, or NULL. Returns what sk_plugins_start does, with
 * e filled on failure; the host itself (tu_host_up or tu_store_up) is the
 * caller's, and so is sk_plugins_stop. */
static inline int sched_plugins_try(const char *const *names, const char *settings, sk_err *e)
{
	char dir[PATH_MAX], yaml[2048];
	size_t o = 0;
	tu_build_path("lib/skiff/plugins", dir, sizeof dir);
	o += (size_t)snprintf(yaml + o, sizeof yaml - o, "plugins:\n  autoload: false\n  list:\n");
	for (size_t i = 0; names[i] && o < sizeof yaml; i++)
		o += (size_t)snprintf(yaml + o, sizeof yaml - o, "    - name: %s\n", names[i]);
	if (settings && o < sizeof yaml)
		o += (size_t)snprintf(yaml + o, sizeof yaml - o, "      settings:\n");
	for (const char *l = settings; l && *l && o < sizeof yaml;) {
		size_t len = strcspn(l, "\n");
		o += (size_t)snprintf(yaml + o, sizeof yaml - o, "        %.*s\n", (int)len, l);
		l += len + (l[len] == '\n');
	}
	assert_true(o < sizeof yaml);
	struct sk_config c;
	if (sk_config_parse(yaml, o, "t.yaml", &c, e) != SK_OK)
		fail_msg("%s", e->msg);
	int rc = sk_plugins_start(&c, dir, e);
	sk_config_free(&c);
	return rc;
}

/* The same, for set-ups: plugins that do not start fail the test. */
static inline void sched_plugins_up(const char *const *names, const char *settings)
{
	sk_err e = {0};
	if (sched_plugins_try(names, settings, &e) != SK_OK)
		fail_msg("%s", e.msg);
}

/* ---- node views, from the scheduler's cache ---- */

/* Nodes and the pods placed on them, as the cache keeps them. */
struct fx_cluster {
	struct cache *cache;
	size_t npods;
};

static inline void fx_cluster_up(struct fx_cluster *cl)
{
	cl->npods = 0;
	cl->cache = cache_new();
	assert_non_null(cl->cache);
}

static inline void fx_cluster_down(struct fx_cluster *cl)
{
	cache_free(cl->cache);
	cl->cache = NULL;
}

/* a Node (it must have a metadata.name); the cache keeps a reference */
static inline void fx_node_add(struct fx_cluster *cl, const sk_obj *node)
{
	assert_non_null(sk_obj_get_str(node, "metadata.name"));
	cache_node_set(cl->cache, node);
}

/* a pod placed on the node named on; pods need no name of their own */
static inline void fx_pod_add(struct fx_cluster *cl, const sk_obj *pod, const char *on)
{
	char key[64];
	snprintf(key, sizeof key, "fixture/pod-%zu", cl->npods++);
	cache_pod_set(cl->cache, key, pod, on);
}

/* the view of a node; valid until the cluster changes */
static inline const sk_sched_node *fx_view(const struct fx_cluster *cl, const char *name)
{
	size_t n;
	cache_nodes(cl->cache, &n); /* brings image counts up to date */
	struct node_info *ni = cache_node(cl->cache, name);
	if (!ni)
		fail_msg("no node %s in the fixture", name);
	return &ni->view;
}

#endif
