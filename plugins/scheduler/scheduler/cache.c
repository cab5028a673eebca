/* cache.c — nodes and the pods placed on them, with their summed requests
 * and allocatable, kept as the views policies read (sk_sched_node). */
#include "sched.h"
#include <stdlib.h>
#include <string.h>

struct placed {
	char *node; /* where the pod counts */
	sk_obj *pod;
};

struct cache {
	sk_map *nodes;  /* name -> struct node_info */
	sk_map *pods;   /* "ns/name" -> struct placed */
	struct node_info **list;
	size_t nlist;
	int list_stale;
};

/* cpu in millicores, others in units, from a resource list */
static int64_t quantity_of(const sk_obj *list, const char *name, int milli)
{
	char path[300];
	snprintf(path, sizeof path, "[\"%s\"]", name);
	const char *text = sk_obj_get_str(list, path);
	sk_quantity q;
	if (!text || sk_quantity_parse(text, &q, NULL) != SK_OK)
		return 0;
	return milli ? sk_quantity_milli(&q) : sk_quantity_value(&q);
}

/* a pod's effective request of one resource: the larger of its biggest
 * init container and the sum of its containers, plus overhead */
static int64_t pod_request(const sk_obj *pod, const char *name, int milli)
{
	int64_t sum = 0, init = 0;
	const sk_obj *cs = sk_obj_get(pod, "spec.containers");
	for (size_t i = 0; i < sk_obj_len(cs); i++)
		sum += quantity_of(sk_obj_get(sk_obj_at(cs, i), "resources.requests"), name, milli);
	const sk_obj *ics = sk_obj_get(pod, "spec.initContainers");
	for (size_t i = 0; i < sk_obj_len(ics); i++) {
		int64_t v = quantity_of(sk_obj_get(sk_obj_at(ics, i), "resources.requests"), name, milli);
		if (v > init)
			init = v;
	}
	return (sum > init ? sum : init) + quantity_of(sk_obj_get(pod, "spec.overhead"), name, milli);
}

void cache_pod_requests(const sk_obj *pod, int64_t *milli_cpu, int64_t *memory, int64_t *ephemeral)
{
	*milli_cpu = pod_request(pod, "cpu", 1);
	*memory = pod_request(pod, "memory", 0);
	*ephemeral = pod_request(pod, "ephemeral-storage", 0);
}

static void add_requests(struct node_info *ni, const sk_obj *pod, int sign)
{
	int64_t cpu, mem, eph;
	cache_pod_requests(pod, &cpu, &mem, &eph);
	ni->view.req_milli_cpu += sign * cpu;
	ni->view.req_memory += sign * mem;
	ni->view.req_ephemeral += sign * eph;
}

static void set_allocatable(struct node_info *ni)
{
	const sk_obj *a = sk_obj_get(ni->node, "status.allocatable");
	if (!a)
		a = sk_obj_get(ni->node, "status.capacity");
	ni->view.alloc_milli_cpu = quantity_of(a, "cpu", 1);
	ni->view.alloc_memory = quantity_of(a, "memory", 0);
	ni->view.alloc_ephemeral = quantity_of(a, "ephemeral-storage", 0);
	ni->view.alloc_pods = quantity_of(a, "pods", 0);
}

static struct node_info *node_new(struct cache *c, const char *name)
{
	struct node_info *ni = calloc(1, sizeof *ni);
	if (!ni)
		return NULL;
	ni->view.size = sizeof ni->view;
	int failed = 0;
	sk_map_put(c->nodes, name, ni, &failed);
	if (failed) {
		free(ni);
		return NULL;
	}
	c->list_stale = 1;
	return ni;
}

static void node_free(void *v)
{
	struct node_info *ni = v;
	for (size_t i = 0; i < ni->npods; i++)
		sk_obj_unref(ni->pods[i]);
	free(ni->pods);
	sk_obj_unref(ni->node);
	free((char *)ni->view.name);
	free(ni);
}

struct cache *cache_new(void)
{
	struct cache *c = calloc(1, sizeof *c);
	if (!c || !(c->nodes = sk_map_new()) || !(c->pods = sk_map_new())) {
		if (c)
			sk_map_free(c->nodes, NULL);
		free(c);
		return NULL;
	}
	return c;
}

static void placed_free(void *v)
{
	struct placed *pl = v;
	free(pl->node);
	sk_obj_unref(pl->pod);
	free(pl);
}

void cache_free(struct cache *c)
{
	if (!c)
		return;
	sk_map_free(c->pods, placed_free);
	sk_map_free(c->nodes, node_free);
	free(c->list);
	free(c);
}

struct node_info *cache_node(struct cache *c, const char *name) { return sk_map_get(c->nodes, name); }

/* A pod may be placed on a node that is not (yet) known: it still counts
 * there once the node arrives, so the node entry exists without a Node. */
static struct node_info *node_get(struct cache *c, const char *name)
{
	struct node_info *ni = sk_map_get(c->nodes, name);
	if (!ni && (ni = node_new(c, name)))
		ni->view.name = strdup(name);
	return ni;
}

void cache_node_set(struct cache *c, const sk_obj *node)
{
	const char *name = sk_obj_get_str(node, "metadata.name");
	struct node_info *ni = name ? node_get(c, name) : NULL;
	if (!ni)
		return;
	if (!ni->node)
		c->list_stale = 1;
	sk_obj_unref(ni->node);
	ni->node = sk_obj_ref((sk_obj *)node);
	ni->view.node = ni->node;
	set_allocatable(ni);
}

void cache_node_del(struct cache *c, const char *name)
{
	struct node_info *ni = sk_map_get(c->nodes, name);
	if (!ni)
		return;
	/* pods still placed there keep the entry alive without its Node */
	sk_obj_unref(ni->node);
	ni->node = NULL;
	ni->view.node = NULL;
	c->list_stale = 1;
	if (!ni->npods) {
		sk_map_del(c->nodes, name);
		node_free(ni);
	}
}

static void unplace(struct cache *c, struct placed *pl)
{
	struct node_info *ni = sk_map_get(c->nodes, pl->node);
	if (!ni)
		return;
	for (size_t i = 0; i < ni->npods; i++)
		if (ni->pods[i] == pl->pod) {
			add_requests(ni, pl->pod, -1);
			sk_obj_unref(ni->pods[i]);
			ni->pods[i] = ni->pods[--ni->npods];
			break;
		}
	ni->view.pods = (const sk_obj *const *)ni->pods;
	ni->view.npods = ni->npods;
	if (!ni->npods && !ni->node) {
		sk_map_del(c->nodes, pl->node);
		node_free(ni);
		c->list_stale = 1;
	}
}

void cache_pod_del(struct cache *c, const char *key)
{
	struct placed *pl = sk_map_del(c->pods, key);
	if (!pl)
		return;
	unplace(c, pl);
	placed_free(pl);
}

void cache_pod_set(struct cache *c, const char *key, const sk_obj *pod, const char *node)
{
	cache_pod_del(c, key);
	if (!node || !*node)
		return;
	struct node_info *ni = node_get(c, node);
	struct placed *pl = calloc(1, sizeof *pl);
	if (!ni || !pl || !(pl->node = strdup(node))) {
		free(pl);
		return;
	}
	if (ni->npods == ni->cap) {
		size_t cap = ni->cap ? ni->cap * 2 : 8;
		sk_obj **v = realloc(ni->pods, cap * sizeof *v);
		if (!v) {
			free(pl->node);
			free(pl);
			return;
		}
		ni->pods = v;
		ni->cap = cap;
	}
	pl->pod = sk_obj_ref((sk_obj *)pod);
	ni->pods[ni->npods++] = sk_obj_ref((sk_obj *)pod);
	ni->view.pods = (const sk_obj *const *)ni->pods;
	ni->view.npods = ni->npods;
	add_requests(ni, pod, 1);
	int failed = 0;
	sk_map_put(c->pods, key, pl, &failed);
	if (failed) {
		unplace(c, pl);
		placed_free(pl);
	}
}

static int collect(void *ud, const char *key, void *value)
{
	(void)key;
	struct cache *c = ud;
	struct node_info *ni = value;
	if (ni->node)
		c->list[c->nlist++] = ni;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct node_info *const *)a)->view.name, (*(struct node_info *const *)b)->view.name);
}

struct node_info *const *cache_nodes(struct cache *c, size_t *n)
{
	if (c->list_stale) {
		free(c->list);
		c->nlist = 0;
		c->list = malloc((sk_map_len(c->nodes) + 1) * sizeof *c->list);
		if (c->list)
			sk_map_foreach(c->nodes, collect, c);
		/* a stable order: ties between equal scores break the same way */
		if (c->list)
			qsort(c->list, c->nlist, sizeof *c->list, by_name);
		c->list_stale = 0;
	}
	*n = c->list ? c->nlist : 0;
	return c->list;
}
