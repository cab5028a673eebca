/* informer.c — a local, indexed cache of one resource kept current by
 * list + watch from the list's revision, so no change is missed or seen
 * twice. Handlers run on the loop after the cache is updated. */
#include "err.h"
#include "json.h"
#include "loop.h"
#include "strmap.h"
#include <skiff/data.h>
#include <skiff/informer.h>
#include <skiff/selector.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct index {
	char *name;
	sk_index_fn fn;
	void *ud;
	struct strmap *by_value; /* value -> strmap(object key -> json_t*) */
	struct index *next;
};

struct sk_informer {
	sk_plugin *p;
	sk_informer_handlers h;
	void *ud;
	struct strmap *cache; /* "ns/name" or "name" -> json_t* (owned) */
	struct index *indexes;
	sk_watch *w;
	int synced;
};

char *sk_object_key(const sk_obj *obj, char *buf, size_t cap)
{
	const char *ns = sk_obj_get_str(obj, "metadata.namespace");
	const char *name = sk_obj_get_str(obj, "metadata.name");
	if (ns && *ns)
		snprintf(buf, cap, "%s/%s", ns, name ? name : "");
	else
		snprintf(buf, cap, "%s", name ? name : "");
	return buf;
}

struct emit_ctx {
	struct index *ix;
	const char *key;
	json_t *obj; /* NULL: remove */
};

static void index_emit(void *ectx, const char *value)
{
	struct emit_ctx *c = ectx;
	if (!value)
		return;
	struct strmap *set = strmap_get(c->ix->by_value, value);
	if (c->obj) {
		if (!set) {
			set = strmap_new();
			strmap_put(c->ix->by_value, value, set, NULL);
		}
		strmap_put(set, c->key, c->obj, NULL);
	} else if (set) {
		strmap_del(set, c->key);
		if (strmap_len(set) == 0)
			strmap_free(strmap_del(c->ix->by_value, value), NULL);
	}
}

static void index_apply(sk_informer *inf, const char *key, json_t *obj, int add)
{
	for (struct index *ix = inf->indexes; ix; ix = ix->next) {
		struct emit_ctx c = {ix, key, add ? obj : NULL};
		ix->fn(ix->ud, O(obj), index_emit, &c);
	}
}

static void on_event(void *ud, const sk_event *ev)
{
	sk_informer *inf = ud;
	char key[600];
	sk_object_key(ev->object, key, sizeof key);
	json_t *obj = J(ev->object);
	json_t *old = strmap_get(inf->cache, key);
	if (ev->type == SK_EV_DELETED) {
		if (!old)
			return;
		strmap_del(inf->cache, key);
		index_apply(inf, key, old, 0);
		if (inf->h.on_delete)
			inf->h.on_delete(inf->ud, O(old));
		json_decref(old);
		return;
	}
	if (ev->type != SK_EV_ADDED && ev->type != SK_EV_MODIFIED)
		return;
	json_incref(obj);
	strmap_put(inf->cache, key, obj, NULL);
	if (old)
		index_apply(inf, key, old, 0);
	index_apply(inf, key, obj, 1);
	if (old) {
		if (inf->h.on_update)
			inf->h.on_update(inf->ud, O(old), O(obj));
		json_decref(old);
	} else if (inf->h.on_add) {
		inf->h.on_add(inf->ud, O(obj));
	}
}

sk_informer *sk_informer_new(sk_plugin *p, const sk_informer_spec *spec, sk_err *err)
{
	if (!spec || spec->size < sizeof *spec) {
		sk_fail(err, SK_EINVALID, "informer spec missing or too small");
		return NULL;
	}
	sk_selector *labels = NULL, *fields = NULL;
	if (spec->label_selector && !(labels = sk_label_selector_parse(spec->label_selector, err)))
		return NULL;
	if (spec->field_selector && !(fields = sk_field_selector_parse(spec->field_selector, err))) {
		sk_selector_free(labels);
		return NULL;
	}
	sk_informer *inf = calloc(1, sizeof *inf);
	inf->p = p;
	inf->ud = spec->ud;
	if (spec->handlers) {
		size_t n = spec->handlers->size < sizeof inf->h ? spec->handlers->size : sizeof inf->h;
		memcpy(&inf->h, spec->handlers, n);
	}
	inf->cache = strmap_new();
	sk_list_opts lo = {sizeof lo, labels, fields, 0, NULL, 0};
	sk_obj *list = NULL;
	if (sk_api_list(spec->group, spec->resource, spec->ns, &lo, &list, err) != SK_OK)
		goto fail;
	sk_obj *items = sk_obj_get(list, "items");
	for (size_t i = 0; i < sk_obj_len(items); i++) {
		sk_event ev = {sizeof ev, SK_EV_ADDED, 0, sk_obj_at(items, i), NULL, ""};
		on_event(inf, &ev);
	}
	int64_t rev = sk_obj_get_int(list, "metadata.resourceVersion", 0);
	const char *rvs = sk_obj_get_str(list, "metadata.resourceVersion");
	if (rvs)
		rev = strtoll(rvs, NULL, 10);
	sk_obj_unref(list);
	sk_watch_spec ws = {sizeof ws, spec->group, spec->resource, spec->ns, labels, fields, rev, on_event, inf};
	inf->w = sk_watch_start(p, &ws, err);
	if (!inf->w)
		goto fail;
	inf->synced = 1;
	sk_selector_free(labels);
	sk_selector_free(fields);
	return inf;
fail:
	sk_selector_free(labels);
	sk_selector_free(fields);
	sk_informer_free(inf);
	return NULL;
}

struct reindex {
	sk_informer *inf;
	struct index *ix;
};

static int reindex_one(void *ud, const char *key, void *val)
{
	struct reindex *r = ud;
	struct emit_ctx c = {r->ix, key, val};
	r->ix->fn(r->ix->ud, O(val), index_emit, &c);
	return 0;
}

int sk_informer_add_index(sk_informer *inf, const char *name, sk_index_fn fn, void *ud, sk_err *err)
{
	for (struct index *ix = inf->indexes; ix; ix = ix->next)
		if (strcmp(ix->name, name) == 0)
			return sk_fail(err, SK_EEXIST, "index %s already exists", name);
	struct index *ix = calloc(1, sizeof *ix);
	ix->name = strdup(name);
	ix->fn = fn;
	ix->ud = ud;
	ix->by_value = strmap_new();
	ix->next = inf->indexes;
	inf->indexes = ix;
	struct reindex r = {inf, ix};
	strmap_foreach(inf->cache, reindex_one, &r);
	return SK_OK;
}

const sk_obj *sk_informer_get(sk_informer *inf, const char *ns, const char *name)
{
	char key[600];
	if (ns && *ns)
		snprintf(key, sizeof key, "%s/%s", ns, name);
	else
		snprintf(key, sizeof key, "%s", name);
	return O(strmap_get(inf->cache, key));
}

struct visit {
	const char *ns;
	size_t nslen;
	sk_informer_visit_fn fn;
	void *ud;
	size_t n;
};

static int visit_one(void *ud, const char *key, void *val)
{
	struct visit *v = ud;
	if (v->ns && (strncmp(key, v->ns, v->nslen) != 0 || key[v->nslen] != '/'))
		return 0;
	v->n++;
	return v->fn(v->ud, O(val));
}

size_t sk_informer_foreach(sk_informer *inf, const char *ns, sk_informer_visit_fn fn, void *ud)
{
	struct visit v = {ns && *ns ? ns : NULL, ns ? strlen(ns) : 0, fn, ud, 0};
	strmap_foreach(inf->cache, visit_one, &v);
	return v.n;
}

size_t sk_informer_by_index(sk_informer *inf, const char *index, const char *value, sk_informer_visit_fn fn,
                            void *ud)
{
	for (struct index *ix = inf->indexes; ix; ix = ix->next) {
		if (strcmp(ix->name, index) != 0)
			continue;
		struct strmap *set = strmap_get(ix->by_value, value);
		if (!set)
			return 0;
		struct visit v = {NULL, 0, fn, ud, 0};
		strmap_foreach(set, visit_one, &v);
		return v.n;
	}
	return 0;
}

size_t sk_informer_count(sk_informer *inf) { return strmap_len(inf->cache); }
int sk_informer_synced(sk_informer *inf) { return inf && inf->synced; }

static void free_set(void *set) { strmap_free(set, NULL); }
static void free_json(void *j) { json_decref(j); }

void sk_informer_free(sk_informer *inf)
{
	if (!inf)
		return;
	sk_watch_stop(inf->w);
	while (inf->indexes) {
		struct index *ix = inf->indexes;
		inf->indexes = ix->next;
		strmap_free(ix->by_value, free_set);
		free(ix->name);
		free(ix);
	}
	strmap_free(inf->cache, free_json);
	free(inf);
}
