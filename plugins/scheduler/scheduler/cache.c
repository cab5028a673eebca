/* cache.c — nodes and the pods placed on them, kept as the views policies
 * read (sk_sched_node): kube-scheduler's NodeInfo, with the requests
 * summed, the pods with affinity terms listed apart, and the images the
 * node holds with how many nodes share each, all updated as pods and nodes
 * come and go rather than recomputed per cycle. */
#include "sched.h"
#include <stdlib.h>
#include <string.h>

/* distinct resource names of one pod that count; a client writes the pod */
#define MAX_RESOURCES 64

enum { HAS_AFFINITY = 1, HAS_REQUIRED_ANTI = 2 };

/* what one pod adds to its node, kept so that removal takes back exactly it */
struct placed {
	char *node; /* where the pod counts */
	sk_obj *pod;
	int64_t milli_cpu, memory, ephemeral, nonzero_milli_cpu, nonzero_memory;
	unsigned flags; /* HAS_* */
};

/* nodes listing an image name */
struct image_count {
	int64_t n;
};

struct cache {
	sk_map *nodes;  /* name -> struct node_info */
	sk_map *pods;   /* "ns/name" -> struct placed */
	sk_map *images; /* image name -> struct image_count */
	struct node_info **list;
	const sk_sched_node **views; /* the list's views, what a cycle hands policies */
	size_t nlist;
	int list_stale, images_stale;
	uint64_t generation;
};

/* ---- one pod ---- */

static const sk_obj *present(const sk_obj *o) { return o && sk_obj_type_of(o) != SK_OBJ_NULL ? o : NULL; }

static void measure(struct placed *pl)
{
	sk_resource_amount r[MAX_RESOURCES];
	int n = sk_pod_requests(pl->pod, 0, r, MAX_RESOURCES);
	size_t k = n < 0 ? MAX_RESOURCES : (size_t)n;
	const sk_quantity *q;
	pl->milli_cpu = (q = sk_amount_find(r, k, "cpu")) ? sk_quantity_milli(q) : 0;
	pl->memory = (q = sk_amount_find(r, k, "memory")) ? sk_quantity_value(q) : 0;
	pl->ephemeral = (q = sk_amount_find(r, k, "ephemeral-storage")) ? sk_quantity_value(q) : 0;
	n = sk_pod_requests(pl->pod, SK_REQUESTS_NONZERO, r, MAX_RESOURCES);
	k = n < 0 ? MAX_RESOURCES : (size_t)n;
	pl->nonzero_milli_cpu = (q = sk_amount_find(r, k, "cpu")) ? sk_quantity_milli(q) : 0;
	pl->nonzero_memory = (q = sk_amount_find(r, k, "memory")) ? sk_quantity_value(q) : 0;
	const sk_obj *aff = sk_obj_get(pl->pod, "spec.affinity");
	const sk_obj *anti = present(sk_obj_get(aff, "podAntiAffinity"));
	pl->flags = 0;
	if (present(sk_obj_get(aff, "podAffinity")) || anti)
		pl->flags |= HAS_AFFINITY;
	const sk_obj *req = sk_obj_get(anti, "requiredDuringSchedulingIgnoredDuringExecution");
	if (sk_obj_type_of(req) == SK_OBJ_ARRAY && sk_obj_len(req))
		pl->flags |= HAS_REQUIRED_ANTI;
}

static sk_sched_pod info_of(const sk_obj *pod)
{
	const sk_obj *md = sk_obj_get(pod, "metadata"), *labels = sk_obj_get(md, "labels");
	const char *ns = sk_obj_get_str(md, "namespace");
	const sk_obj *del = sk_obj_get(md, "deletionTimestamp");
	return (sk_sched_pod){pod, ns ? ns : "", sk_obj_type_of(labels) == SK_OBJ_OBJECT ? labels : NULL,
	                      del && sk_obj_type_of(del) != SK_OBJ_NULL};
}

/* ---- lists of pods on a node ---- */

static int list_add(struct pod_list *l, sk_obj *pod)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		sk_obj **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = pod;
	return 0;
}

static void list_remove(struct pod_list *l, const sk_obj *pod)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == pod) {
			l->v[i] = l->v[--l->n];
			return;
		}
}

/* the view's pointers and counts after a list changed */
static void view_lists(struct cache *c, struct node_info *ni)
{
	ni->view.pods = (const sk_obj *const *)ni->pods.v;
	ni->view.npods = ni->pods.n;
	ni->view.pod_infos = ni->infos;
	ni->view.affinity_pods = (const sk_obj *const *)ni->affinity.v;
	ni->view.naffinity_pods = ni->affinity.n;
	ni->view.anti_affinity_pods = (const sk_obj *const *)ni->anti.v;
	ni->view.nanti_affinity_pods = ni->anti.n;
	ni->view.generation = ++c->generation;
}

static void add_sums(sk_sched_node *v, const struct placed *pl, int sign)
{
	v->req_milli_cpu += sign * pl->milli_cpu;
	v->req_memory += sign * pl->memory;
	v->req_ephemeral += sign * pl->ephemeral;
	v->nonzero_milli_cpu += sign * pl->nonzero_milli_cpu;
	v->nonzero_memory += sign * pl->nonzero_memory;
}

/* ---- a node's own facts ---- */

/* cpu in millicores, others in units, from a resource list */
static int64_t quantity_in(const sk_obj *list, const char *name, int milli)
{
	sk_quantity q;
	if (!sk_quantity_of(sk_obj_get(list, name), &q))
		return 0;
	return milli ? sk_quantity_milli(&q) : sk_quantity_value(&q);
}

static void set_allocatable(struct node_info *ni)
{
	const sk_obj *a = sk_obj_get(ni->node, "status.allocatable");
	if (!a)
		a = sk_obj_get(ni->node, "status.capacity");
	ni->view.alloc_milli_cpu = quantity_in(a, "cpu", 1);
	ni->view.alloc_memory = quantity_in(a, "memory", 0);
	ni->view.alloc_ephemeral = quantity_in(a, "[\"ephemeral-storage\"]", 0);
	ni->view.alloc_pods = quantity_in(a, "pods", 0);
}

static int by_image_name(const void *a, const void *b)
{
	return strcmp(((const sk_sched_image *)a)->name, ((const sk_sched_image *)b)->name);
}

/* the names of status.images, sorted, each once (the first entry naming it
 * gives the size); names point into the Node object */
static size_t read_images(const sk_obj *node, sk_sched_image **out)
{
	const sk_obj *images = sk_obj_get(node, "status.images");
	size_t total = 0;
	for (size_t i = 0; sk_obj_type_of(images) == SK_OBJ_ARRAY && i < sk_obj_len(images); i++) {
		const sk_obj *names = sk_obj_get(sk_obj_at(images, i), "names");
		total += sk_obj_type_of(names) == SK_OBJ_ARRAY ? sk_obj_len(names) : 0;
	}
	*out = NULL;
	if (!total || !(*out = calloc(total, sizeof **out)))
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < sk_obj_len(images); i++) {
		const sk_obj *img = sk_obj_at(images, i), *names = sk_obj_get(img, "names");
		int64_t size = sk_obj_get_int(img, "sizeBytes", 0);
		for (size_t j = 0; sk_obj_type_of(names) == SK_OBJ_ARRAY && j < sk_obj_len(names); j++) {
			const char *name = sk_obj_str(sk_obj_at(names, j));
			if (name)
				(*out)[n++] = (sk_sched_image){name, size, 0};
		}
	}
	/* stable order of equal names is not guaranteed by qsort: keep the
	 * first listed by comparing positions as well */
	for (size_t i = 0; i < n; i++)
		(*out)[i].num_nodes = (int64_t)i;
	qsort(*out, n, sizeof **out, by_image_name);
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		if (u && !strcmp((*out)[u - 1].name, (*out)[i].name)) {
			if ((*out)[i].num_nodes < (*out)[u - 1].num_nodes)
				(*out)[u - 1] = (*out)[i];
			continue;
		}
		(*out)[u++] = (*out)[i];
	}
	for (size_t i = 0; i < u; i++)
		(*out)[i].num_nodes = 0;
	return u;
}

static void count_images(struct cache *c, const sk_sched_image *v, size_t n, int sign)
{
	for (size_t i = 0; i < n; i++) {
		struct image_count *ic = sk_map_get(c->images, v[i].name);
		if (!ic && sign > 0) {
			int failed = 0;
			if (!(ic = calloc(1, sizeof *ic)))
				continue;
			sk_map_put(c->images, v[i].name, ic, &failed);
			if (failed) {
				free(ic);
				continue;
			}
		}
		if (!ic)
			continue;
		ic->n += sign;
		if (ic->n <= 0)
			free(sk_map_del(c->images, v[i].name));
	}
}

static int same_names(const sk_sched_image *a, size_t na, const sk_sched_image *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].name, b[i].name))
			return 0;
	return 1;
}

/* the node's images from its (new) Node object, or none when node is NULL;
 * counts change, and every view's num_nodes with them, only when the set
 * of names does (a heartbeat keeps them) */
static void set_images(struct cache *c, struct node_info *ni, const sk_obj *node)
{
	sk_sched_image *v = NULL;
	size_t n = node ? read_images(node, &v) : 0;
	if (same_names(ni->images, ni->view.nimages, v, n)) {
		for (size_t i = 0; i < n; i++)
			v[i].num_nodes = ni->images[i].num_nodes;
	} else {
		count_images(c, ni->images, ni->view.nimages, -1);
		count_images(c, v, n, 1);
		c->images_stale = 1;
	}
	free(ni->images);
	ni->images = v;
	ni->view.images = v;
	ni->view.nimages = n;
}

/* ---- nodes ---- */

static struct node_info *node_new(struct cache *c, const char *name)
{
	struct node_info *ni = calloc(1, sizeof *ni);
	if (!ni)
		return NULL;
	ni->view.size = sizeof ni->view;
	int failed = 0;
	sk_map_put(c->nodes, name, ni, &failed);
	if (failed || !(ni->view.name = strdup(name))) {
		if (!failed)
			sk_map_del(c->nodes, name);
		free(ni);
		return NULL;
	}
	c->list_stale = 1;
	return ni;
}

static void node_free(void *v)
{
	struct node_info *ni = v;
	for (size_t i = 0; i < ni->pods.n; i++)
		sk_obj_unref(ni->pods.v[i]);
	free(ni->pods.v);
	free(ni->infos);
	free(ni->affinity.v);
	free(ni->anti.v);
	free(ni->images);
	sk_obj_unref(ni->node);
	free((char *)ni->view.name);
	free(ni);
}

struct cache *cache_new(void)
{
	struct cache *c = calloc(1, sizeof *c);
	if (!c || !(c->nodes = sk_map_new()) || !(c->pods = sk_map_new()) || !(c->images = sk_map_new())) {
		if (c) {
			sk_map_free(c->nodes, NULL);
			sk_map_free(c->pods, NULL);
		}
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
	sk_map_free(c->images, free);
	free(c->list);
	free(c->views);
	free(c);
}

struct node_info *cache_node(struct cache *c, const char *name) { return sk_map_get(c->nodes, name); }

/* A pod may be placed on a node that is not (yet) known: it still counts
 * there once the node arrives, so the node entry exists without a Node. */
static struct node_info *node_get(struct cache *c, const char *name)
{
	struct node_info *ni = sk_map_get(c->nodes, name);
	return ni ? ni : node_new(c, name);
}

void cache_node_set(struct cache *c, const sk_obj *node)
{
	const char *name = sk_obj_get_str(node, "metadata.name");
	struct node_info *ni = name ? node_get(c, name) : NULL;
	if (!ni)
		return;
	if (!ni->node)
		c->list_stale = 1;
	/* the images point into the Node: re-read before the old one goes */
	set_images(c, ni, node);
	sk_obj_unref(ni->node);
	ni->node = sk_obj_ref((sk_obj *)node);
	ni->view.node = ni->node;
	const sk_obj *labels = sk_obj_get(node, "metadata.labels");
	ni->view.labels = sk_obj_type_of(labels) == SK_OBJ_OBJECT ? labels : NULL;
	const sk_obj *spec = sk_obj_get(node, "spec"), *taints = sk_obj_get(spec, "taints");
	ni->view.taints = sk_obj_type_of(taints) == SK_OBJ_ARRAY && sk_obj_len(taints) ? taints : NULL;
	ni->view.unschedulable = sk_obj_get_bool(spec, "unschedulable", 0);
	set_allocatable(ni);
	ni->view.generation = ++c->generation;
}

void cache_node_del(struct cache *c, const char *name)
{
	struct node_info *ni = sk_map_get(c->nodes, name);
	if (!ni)
		return;
	/* pods still placed there keep the entry alive without its Node */
	set_images(c, ni, NULL);
	sk_obj_unref(ni->node);
	ni->node = NULL;
	ni->view.node = NULL;
	ni->view.labels = ni->view.taints = NULL;
	ni->view.unschedulable = 0;
	ni->view.generation = ++c->generation;
	c->list_stale = 1;
	if (!ni->pods.n) {
		sk_map_del(c->nodes, name);
		node_free(ni);
	}
}

/* ---- pods ---- */

static void unplace(struct cache *c, struct placed *pl)
{
	struct node_info *ni = sk_map_get(c->nodes, pl->node);
	if (!ni)
		return;
	for (size_t i = 0; i < ni->pods.n; i++)
		if (ni->pods.v[i] == pl->pod) {
			add_sums(&ni->view, pl, -1);
			list_remove(&ni->affinity, pl->pod);
			list_remove(&ni->anti, pl->pod);
			sk_obj_unref(ni->pods.v[i]);
			ni->pods.v[i] = ni->pods.v[--ni->pods.n];
			ni->infos[i] = ni->infos[ni->pods.n];
			break;
		}
	view_lists(c, ni);
	if (!ni->pods.n && !ni->node) {
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

/* the pod into its node's lists and sums; -1 when out of memory, with
 * whatever got in left for unplace to take back */
static int place(struct cache *c, struct node_info *ni, struct placed *pl)
{
	if (ni->pods.n == ni->pods.cap) {
		/* infos grow first, so that they always cover pods.cap */
		size_t cap = ni->pods.cap ? ni->pods.cap * 2 : 8;
		sk_sched_pod *v = realloc(ni->infos, cap * sizeof *v);
		if (!v)
			return -1;
		ni->infos = v;
	}
	if (list_add(&ni->pods, pl->pod))
		return -1;
	ni->infos[ni->pods.n - 1] = info_of(pl->pod);
	sk_obj_ref(pl->pod); /* pods owns one; the affinity lists borrow it */
	add_sums(&ni->view, pl, 1);
	int rc = ((pl->flags & HAS_AFFINITY) && list_add(&ni->affinity, pl->pod)) ||
	                 ((pl->flags & HAS_REQUIRED_ANTI) && list_add(&ni->anti, pl->pod))
	             ? -1
	             : 0;
	view_lists(c, ni);
	return rc;
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
	pl->pod = sk_obj_ref((sk_obj *)pod);
	measure(pl);
	int failed = 0;
	sk_map_put(c->pods, key, pl, &failed);
	if (failed) {
		placed_free(pl);
		return;
	}
	if (place(c, ni, pl) != 0) {
		sk_map_del(c->pods, key);
		unplace(c, pl);
		placed_free(pl);
	}
}

/* ---- the snapshot ---- */

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
		free(c->views);
		c->nlist = 0;
		c->list = malloc((sk_map_len(c->nodes) + 1) * sizeof *c->list);
		c->views = malloc((sk_map_len(c->nodes) + 1) * sizeof *c->views);
		if (!c->list || !c->views) {
			free(c->list);
			free(c->views);
			c->list = NULL;
			c->views = NULL;
		} else {
			sk_map_foreach(c->nodes, collect, c);
			/* a stable order: ties between equal scores break the same way */
			qsort(c->list, c->nlist, sizeof *c->list, by_name);
			for (size_t i = 0; i < c->nlist; i++)
				c->views[i] = &c->list[i]->view;
		}
		c->list_stale = 0;
	}
	if (c->images_stale && c->list) {
		/* a node's image names changed: every node's counts may have */
		for (size_t i = 0; i < c->nlist; i++)
			for (size_t k = 0; k < c->list[i]->view.nimages; k++) {
				struct image_count *ic = sk_map_get(c->images, c->list[i]->images[k].name);
				c->list[i]->images[k].num_nodes = ic ? ic->n : 0;
			}
		c->images_stale = 0;
	}
	*n = c->list ? c->nlist : 0;
	return c->list;
}

const sk_sched_node *const *cache_views(struct cache *c)
{
	size_t n;
	cache_nodes(c, &n);
	return c->views;
}

/* ---- what-if views, for preemption ---- */

static int listed(const struct pod_list *l, const sk_obj *pod)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == pod)
			return 1;
	return 0;
}

void *cache_view_without(struct cache *c, const struct node_info *ni, const unsigned char *keep, sk_sched_node *v)
{
	size_t n = ni->pods.n;
	/* one block: the infos, then the three lists (the infos' size is a
	 * multiple of a pointer's, so the lists stay aligned) */
	sk_sched_pod *infos = malloc(n * sizeof *infos + 3 * n * sizeof(sk_obj *) + 1);
	if (!infos)
		return NULL;
	const sk_obj **pods = (const sk_obj **)(infos + n), **aff = pods + n, **anti = pods + 2 * n;
	*v = ni->view;
	v->npods = v->naffinity_pods = v->nanti_affinity_pods = 0;
	for (size_t i = 0; i < n; i++) {
		sk_obj *p = ni->pods.v[i];
		if (!keep[i]) {
			struct placed pl = {.pod = p};
			measure(&pl);
			add_sums(v, &pl, -1);
			continue;
		}
		infos[v->npods] = ni->infos[i];
		pods[v->npods++] = p;
		if (listed(&ni->affinity, p))
			aff[v->naffinity_pods++] = p;
		if (listed(&ni->anti, p))
			anti[v->nanti_affinity_pods++] = p;
	}
	v->pods = pods;
	v->pod_infos = infos;
	v->affinity_pods = aff;
	v->anti_affinity_pods = anti;
	v->generation = ++c->generation;
	return infos;
}
