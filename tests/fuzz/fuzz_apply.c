/* fuzz_apply.c — arbitrary objects through managedFields bookkeeping and
 * server-side apply, against a small schema with every kind of list and
 * map. The input is split at NUL bytes: live object, applied
 * configuration, and a FieldsV1 set. Whatever succeeds must hold up: the
 * entries written read back, applying the same configuration again
 * changes nothing but times, field sets survive their encoding, and the
 * set operations agree with each other. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "fieldset.h"

#define FAIL(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), abort())

/* The schema lookups apply.c uses, for the hand-built schema below:
 * core/schema.c's own read private node data these nodes lack. */
__attribute__((weak)) const struct schema_node *schema_deref(const struct schema_node *n)
{
	return n && n->kind == SCH_REF ? NULL : n;
}

__attribute__((weak)) const struct schema_field *schema_field(const struct schema_node *obj, const char *name)
{
	obj = schema_deref(obj);
	if (!obj || obj->kind != SCH_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n_fields; i++)
		if (!strcmp(obj->fields[i].name, name))
			return &obj->fields[i];
	return NULL;
}

static struct schema_node pool[64];
static struct schema_field fpool[64];
static size_t np, nf;
static struct schema_node *root_go, *root_crd;

static struct schema_node *mk(enum schema_kind k)
{
	struct schema_node *n = &pool[np++];
	n->kind = k;
	n->maxlen = -1;
	return n;
}

static struct schema_node *obj(size_t n, const char *const *names, struct schema_node **types)
{
	struct schema_node *o = mk(SCH_OBJECT);
	o->fields = &fpool[nf];
	o->n_fields = n;
	for (size_t i = 0; i < n; i++) {
		fpool[nf].name = names[i] + (names[i][0] == '!');
		fpool[nf].flags = names[i][0] == '!' ? SCH_REQUIRED : 0;
		fpool[nf++].type = types[i];
	}
	return o;
}

static struct schema_node *arr(struct schema_node *items, const char *lt, const char **keys)
{
	struct schema_node *a = mk(SCH_ARRAY);
	a->items = items;
	a->list_type = lt;
	a->list_map_keys = keys;
	return a;
}

static void init(void)
{
	static const char *by_name[] = {"name", NULL}, *by_pair[] = {"k1", "k2", NULL};
	struct schema_node *str = mk(SCH_STRING), *num = mk(SCH_INT64), *any = mk(SCH_ANY);
	struct schema_node *smap = mk(SCH_MAP);
	smap->items = str;
	struct schema_node *amap = mk(SCH_MAP);
	amap->items = str;
	amap->map_type = "atomic";
	struct schema_node *def = mk(SCH_STRING);
	def->default_value = json_string("d");
	struct schema_node *set = arr(str, "set", NULL);
	struct schema_node *merge_set = arr(str, NULL, NULL);
	merge_set->patch_strategy = "merge";
	struct schema_node *sub = obj(2, (const char *[]){"a", "b"}, (struct schema_node *[]){str, num});
	struct schema_node *item = obj(5, (const char *[]){"!name", "value", "tags", "sub", "deep"},
	                               (struct schema_node *[]){str, any, set, sub, smap});
	struct schema_node *pair = obj(3, (const char *[]){"k1", "k2", "v"}, (struct schema_node *[]){num, def, str});
	struct schema_node *by_merge = arr(item, NULL, NULL);
	by_merge->patch_strategy = "merge";
	by_merge->patch_merge_key = "name";
	struct schema_node *free_form = mk(SCH_OBJECT);
	free_form->preserve_unknown = 1;
	struct schema_node *atomic_sub = obj(1, (const char *[]){"x"}, (struct schema_node *[]){num});
	atomic_sub->map_type = "atomic";
	struct schema_node *spec = obj(10,
	    (const char *[]){"replicas", "!items", "pairs", "byMerge", "atomicList", "atomicMap", "free", "any", "sub",
	                     "atomicSub"},
	    (struct schema_node *[]){num, arr(item, "map", by_name), arr(pair, "map", by_pair), by_merge,
	                             arr(item, "atomic", NULL), amap, free_form, any, sub, atomic_sub});
	struct schema_node *meta = obj(6, (const char *[]){"name", "resourceVersion", "labels", "annotations",
	                                                    "finalizers", "managedFields"},
	                               (struct schema_node *[]){str, str, smap, smap, merge_set, arr(any, "atomic", NULL)});
	struct schema_node *status = obj(2, (const char *[]){"phase", "conditions"},
	                                 (struct schema_node *[]){str, arr(item, "map", by_name)});
	const char *const top[] = {"apiVersion", "kind", "metadata", "spec", "status"};
	root_go = obj(5, top, (struct schema_node *[]){str, str, meta, spec, status});
	root_go->name = "test.Thing";
	root_go->line = 1;
	root_crd = obj(5, top, (struct schema_node *[]){str, str, meta, spec, status});
	root_crd->name = "test.CrdThing";
	(void)set;
}

static json_t *load(const uint8_t *p, size_t n)
{
	json_t *j = json_loadb((const char *)p, n, JSON_DECODE_ANY, NULL);
	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* the written entries must read back */
static void check_entries(const json_t *obj, const char *what)
{
	const json_t *md = json_object_get(obj, "metadata");
	const json_t *mf = json_is_object(md) ? json_object_get(md, "managedFields") : NULL;
	for (size_t i = 0; i < json_array_size(mf); i++) {
		sk_err err = {0};
		const json_t *e = json_array_get(mf, i);
		struct fieldset *s = fieldset_from_json(json_object_get(e, "fieldsV1"), &err);
		if (!s)
			FAIL("%s: entry %zu does not read back: %s", what, i, err.msg);
		if (fieldset_empty(s))
			FAIL("%s: entry %zu is empty", what, i);
		json_t *again = fieldset_to_json(s);
		if (!json_equal(again, json_object_get(e, "fieldsV1")))
			FAIL("%s: entry %zu encodes differently", what, i);
		json_decref(again);
		fieldset_free(s);
	}
}

static void check_sets(const json_t *fields)
{
	sk_err err = {0};
	struct fieldset *a = fieldset_from_json(fields, &err);
	if (!a) {
		if (err.code != SK_EINVALID && err.code != SK_ENOMEM)
			FAIL("fieldsV1: unexpected code %d", err.code);
		return;
	}
	json_t *j = fieldset_to_json(a);
	struct fieldset *b = fieldset_from_json(j, &err);
	if (!b || !fieldset_equal(a, b))
		FAIL("fieldsV1 does not survive its encoding");
	/* a second set to combine with: a's members below its first child */
	struct fieldset *c = a->n ? fieldset_copy(a->kids[0]) : fieldset_new();
	struct fieldset *u = fieldset_union(a, c), *d = fieldset_difference(a, c), *x = fieldset_intersection(a, c);
	struct fieldset *dx = fieldset_intersection(d, c), *ua = fieldset_intersection(u, a);
	struct fieldset *dux = fieldset_union(d, x), *rd = fieldset_recursive_difference(a, c);
	struct fieldset *rdd = fieldset_difference(rd, d);
	if (!fieldset_empty(dx))
		FAIL("a - c still meets c");
	if (!fieldset_equal(ua, a))
		FAIL("(a u c) n a != a");
	if (!fieldset_equal(dux, a))
		FAIL("(a - c) u (a n c) != a");
	if (!fieldset_empty(rdd))
		FAIL("a's recursive difference with c holds more than a - c");
	struct fieldset *all[] = {u, d, x, dx, ua, dux, rd, rdd};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		fieldset_free(all[i]);
	fieldset_free(c);
	fieldset_free(b);
	json_decref(j);
	fieldset_free(a);
}

static void run(const struct schema_node *type, const json_t *live0, const json_t *applied)
{
	struct apply_ctx c = {.type = type, .api_version = "v1", .manager = "creator", .now = "2024-01-01T00:00:00Z"};
	sk_err err = {0};
	json_t *f = fieldset_of(type, live0);
	json_decref(f);

	/* created by one manager, updated to the configuration by another */
	json_t *live = json_deep_copy(live0);
	json_object_set_new(live, "apiVersion", json_string("v1"));
	json_object_set_new(live, "kind", json_string("Thing"));
	if (managed_fields_update(&c, live, NULL, &err) == SK_OK)
		check_entries(live, "create");
	json_t *next = json_deep_copy(applied);
	c.manager = "editor";
	c.now = "2024-01-02T00:00:00Z";
	if (managed_fields_update(&c, next, live, &err) == SK_OK)
		check_entries(next, "update");
	json_decref(next);

	/* applied by a third, then again */
	json_t *cfg = json_deep_copy(applied);
	json_object_set_new(cfg, "apiVersion", json_string("v1"));
	json_object_set_new(cfg, "kind", json_string("Thing"));
	json_t *md = json_object_get(cfg, "metadata");
	json_t *ann = json_is_object(md) ? json_object_get(md, "annotations") : NULL;
	if (json_is_object(md))
		json_object_del(md, "managedFields");
	/* kubectl never sends the annotation it keeps: one that did would
	 * fight its refresh on every apply, in Kubernetes too */
	if (json_is_object(ann))
		json_object_del(ann, LAST_APPLIED_ANNOTATION);
	c.manager = (json_object_size(cfg) & 1) ? "kubectl" : "applier";
	c.kind = "Thing";
	for (int force = 0; force < 2; force++) {
		json_t *obj = json_deep_copy(live), *conflicts = NULL;
		c.now = "2024-01-03T00:00:00Z";
		int rc = apply_patch(&c, &obj, cfg, force, &conflicts, &err);
		if (rc == SK_ECONFLICT) {
			if (force || !json_array_size(conflicts))
				FAIL("conflicts %s", force ? "despite force" : "without causes");
			char *msg = apply_conflict_message(conflicts);
			free(msg);
		} else if (rc == SK_OK) {
			if (conflicts)
				FAIL("conflicts on success");
			check_entries(obj, "apply");
			json_t *before = json_deep_copy(obj);
			c.now = "2024-01-04T00:00:00Z";
			rc = apply_patch(&c, &obj, cfg, 0, &conflicts, &err);
			if (rc != SK_OK)
				FAIL("the same apply again fails: %s", err.msg);
			if (!json_equal(obj, before) && !managed_fields_keep_times(obj, before)) {
				char *a = json_dumps(before, JSON_COMPACT), *b = json_dumps(obj, JSON_COMPACT);
				FAIL("the same apply again changes the object:\n%s\n%s", a, b);
			}
			json_decref(before);
		} else if (rc != SK_EINVALID && rc != SK_EBADREQUEST) {
			FAIL("apply: unexpected code %d: %s", rc, err.msg);
		}
		json_decref(conflicts);
		json_decref(obj);
	}
	json_decref(cfg);
	json_decref(live);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!root_go)
		init();
	const uint8_t *part[3] = {data, NULL, NULL};
	size_t len[3] = {size, 0, 0};
	for (int k = 1; k < 3; k++) {
		const uint8_t *nul = memchr(part[k - 1], 0, len[k - 1]);
		if (!nul)
			break;
		part[k] = nul + 1;
		len[k] = len[k - 1] - (size_t)(part[k] - part[k - 1]);
		len[k - 1] = (size_t)(nul - part[k - 1]);
	}
	json_t *live = load(part[0], len[0]);
	json_t *applied = part[1] ? load(part[1], len[1]) : NULL;
	if (live && applied) {
		run(root_go, live, applied);
		run(root_crd, live, applied);
	} else if (live) {
		run(root_go, live, live);
	}
	if (part[2]) {
		json_t *f = load(part[2], len[2]);
		if (f)
			check_sets(f);
		json_decref(f);
	}
	json_decref(live);
	json_decref(applied);
	return 0;
}
