/* typed.c — schema-driven walks over JSON: field sets, compare, merge, remove. */
#include "typed.h"
#include "err.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How a value is walked: one atomic field, a granular map, an associative
 * list, or null (which takes the shape of the other side). */
enum shape { SH_LEAF, SH_MAP, SH_LIST, SH_NULL };
enum rel { REL_ATOMIC, REL_SET, REL_KEYED };

#define MAX_KEYS 8

struct lt {
	enum rel rel;
	const char *keys[MAX_KEYS]; /* sorted by name, as SMD sorts a key */
	size_t nkeys;
	const struct schema_node *item;
};

/* where a set being built was last written: its nodes along the path, each
 * valid while the walk is still in the visit (stamp) that made it */
struct cursor {
	struct fieldset *node[TYPED_MAX_DEPTH + 1];
	unsigned long stamp[TYPED_MAX_DEPTH + 1];
	size_t valid;
};

struct tw {
	const struct pe *path[TYPED_MAX_DEPTH + 1];
	unsigned long stamp[TYPED_MAX_DEPTH + 1]; /* one per visit of a path element */
	unsigned long visits;
	size_t depth;
	sk_err *err;
	int strict; /* an applied configuration: refuse what SMD refuses */
	int go;     /* declared structs are Go structs: present wherever their parent is */
	struct fieldset *add, *mod, *rem;
	struct cursor *cur; /* for add, mod, rem */
	json_t *empty; /* the {} such a struct stands for */
};

static void enter(struct tw *w, const struct pe *pe)
{
	w->path[w->depth] = pe;
	w->stamp[w->depth++] = ++w->visits;
}

/* ---- schema ---- */

/* the node that says how to walk a value; NULL: untyped */
static const struct schema_node *resolve(const struct schema_node *n)
{
	if (!n)
		return NULL;
	n = schema_deref(n);
	if (!n || n->kind == SCH_ANY || n->kind == SCH_REF)
		return NULL;
	return n;
}

static int atomic_map(const struct schema_node *n)
{
	return n->map_type && !strcmp(n->map_type, "atomic");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* kube-openapi's reading of a list's extensions (schemaconv) */
static void list_type(const struct schema_node *n, struct lt *lt)
{
	memset(lt, 0, sizeof *lt);
	lt->item = n->items;
	const char *t = n->list_type;
	if (t) {
		if (!strcmp(t, "set")) {
			lt->rel = REL_SET;
		} else if (!strcmp(t, "map")) {
			for (size_t i = 0; n->list_map_keys && n->list_map_keys[i]; i++) {
				if (lt->nkeys == MAX_KEYS)
					return; /* beyond any real kind: atomic */
				lt->keys[lt->nkeys++] = n->list_map_keys[i];
			}
			if (!lt->nkeys && n->patch_merge_key)
				lt->keys[lt->nkeys++] = n->patch_merge_key;
			lt->rel = lt->nkeys ? REL_KEYED : REL_ATOMIC;
		}
	} else if (n->patch_strategy &&
	           (!strcmp(n->patch_strategy, "merge") || !strcmp(n->patch_strategy, "merge,retainKeys"))) {
		if (n->patch_merge_key) {
			lt->keys[lt->nkeys++] = n->patch_merge_key;
			lt->rel = REL_KEYED;
		} else {
			lt->rel = REL_SET;
		}
	}
	qsort(lt->keys, lt->nkeys, sizeof *lt->keys, cmp_names);
}

static enum shape shape_of(const struct schema_node *n, const json_t *v)
{
	if (!n)
		return json_is_object(v) ? SH_MAP : json_is_null(v) ? SH_NULL : SH_LEAF;
	switch (n->kind) {
	case SCH_OBJECT:
	case SCH_MAP:
		if (atomic_map(n))
			return SH_LEAF;
		return json_is_object(v) ? SH_MAP : json_is_null(v) ? SH_NULL : SH_LEAF;
	case SCH_ARRAY: {
		struct lt lt;
		list_type(n, &lt);
		if (lt.rel == REL_ATOMIC)
			return SH_LEAF;
		return json_is_array(v) ? SH_LIST : json_is_null(v) ? SH_NULL : SH_LEAF;
	}
	default:
		return SH_LEAF;
	}
}

/* the shape two values are walked in; a clash of container kinds is a
 * mismatch */
static enum shape shape2(const struct schema_node *n, const json_t *l, const json_t *r, int *mismatch)
{
	*mismatch = 0;
	enum shape a = l ? shape_of(n, l) : SH_NULL, b = r ? shape_of(n, r) : SH_NULL;
	enum shape s;
	if (a == SH_NULL)
		s = b;
	else if (b == SH_NULL || a == b)
		s = a;
	else {
		*mismatch = 1;
		s = SH_LEAF;
	}
	return s == SH_NULL ? SH_LEAF : s;
}

static int empty(const json_t *v)
{
	return !v || json_is_null(v) || (json_is_object(v) && !json_object_size(v)) ||
	       (json_is_array(v) && !json_array_size(v));
}

/* 1: a declared field, of type *ft; 0: an item of a map or an untyped
 * field, of type *ft; -1: a field nobody tracks */
static int field_of(const struct schema_node *n, const char *key, const struct schema_node **ft)
{
	*ft = NULL;
	if (!n)
		return 0;
	if (n->kind == SCH_MAP) {
		*ft = n->items;
		return 0;
	}
	const struct schema_field *f = schema_field(n, key);
	if (f) {
		*ft = f->type;
		return 1;
	}
	return n->preserve_unknown ? 0 : -1;
}

/* What a Go object holds for a declared field its JSON lacks, where the
 * parent is there: a value struct is {} (Kubernetes' OpenAPI marks them,
 * and only them, with `default: {}`), a required field (no omitempty) is
 * null; NULL for the rest, which Go leaves out. */
static const json_t *go_zero(const struct tw *w, const struct schema_node *n, const char *key)
{
	const struct schema_field *f = n && n->kind == SCH_OBJECT ? schema_field(n, key) : NULL;
	if (!f)
		return NULL;
	const struct schema_node *ft = resolve(f->type);
	const json_t *def = f->type && f->type->default_value ? f->type->default_value : ft ? ft->default_value : NULL;
	if (ft && ft->kind == SCH_OBJECT && json_is_object(def))
		return w->empty;
	return f->flags & SCH_REQUIRED ? json_null() : NULL;
}

/* ---- walking ---- */

static int fail_at(struct tw *w, const char *fmt, ...) SK_PRINTF(2, 3);
static int fail_at(struct tw *w, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	char *path = pe_path_string(w->path, w->depth);
	if (path && *path)
		sk_fail(w->err, SK_EINVALID, "%s: %s", path, msg);
	else
		sk_fail(w->err, SK_EINVALID, "%s", msg);
	free(path);
	return -1;
}

static int oom(struct tw *w)
{
	sk_fail(w->err, SK_ENOMEM, "out of memory");
	return -1;
}

static int too_deep(struct tw *w)
{
	if (w->depth < TYPED_MAX_DEPTH)
		return 0;
	sk_fail(w->err, SK_EINVALID, "the object nests deeper than %d levels", TYPED_MAX_DEPTH);
	return 1;
}

/* the object's own metadata.managedFields is bookkeeping, not a field */
static int skipped(const struct tw *w, const char *key)
{
	return w->depth == 1 && w->path[0]->kind == PE_FIELD && !strcmp(w->path[0]->name, "metadata") &&
	       !strcmp(key, "managedFields");
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "map";
	case JSON_ARRAY: return "list";
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	case JSON_NULL: return "null";
	default: return "boolean";
	}
}

/* ---- list items ---- */

struct item {
	struct pe pe;
	json_t *key;        /* the k: object, owned */
	const json_t *v;
	size_t pos;
	size_t group;       /* items sharing the element */
	int merged;         /* merge: taken from the right side already */
};

struct list {
	struct item *it;    /* in list order */
	struct item **by;   /* by element, then position */
	size_t n;
};

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		json_decref(l->it[i].key);
	free(l->it);
	free(l->by);
	memset(l, 0, sizeof *l);
}

static int cmp_items(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a, *y = *(const struct item *const *)b;
	int c = pe_cmp(&x->pe, &y->pe);
	return c ? c : (x->pos < y->pos ? -1 : x->pos > y->pos);
}

/* The element of one item (SMD's listItemToPathElement): 0, 1 it has none
 * (why says so), -1 out of memory. */
static int item_pe(struct tw *w, const struct lt *lt, const json_t *v, struct item *it, char *why, size_t cap)
{
	const char *msg = NULL;
	if (lt->rel == REL_SET) {
		if (json_is_object(v))
			msg = "associative list without keys has an element that's a map type";
		else if (json_is_array(v))
			msg = "not supported: associative list with lists as elements";
		else if (json_is_null(v))
			msg = "associative list without keys has an element that's an explicit null";
		if (msg) {
			snprintf(why, cap, "%s", msg);
			return 1;
		}
		it->pe.kind = PE_VALUE;
		it->pe.val = v;
		return 0;
	}
	if (!json_is_object(v)) {
		snprintf(why, cap, "%s", json_is_null(v) ? "associative list with keys may not have a null element"
		                                          : "associative list with keys may not have non-map elements");
		return 1;
	}
	const struct schema_node *in = resolve(lt->item);
	json_t *key = json_object();
	if (!key)
		return oom(w);
	for (size_t i = 0; i < lt->nkeys; i++) {
		const json_t *kv = json_object_get(v, lt->keys[i]);
		if (!kv) {
			/* a key field may be left out when its schema defaults it */
			const struct schema_field *f = in && in->kind == SCH_OBJECT ? schema_field(in, lt->keys[i]) : NULL;
			const struct schema_node *ft = f ? f->type : NULL;
			kv = ft ? ft->default_value : NULL;
			if (!kv && resolve(ft))
				kv = resolve(ft)->default_value;
		}
		if (!kv) {
			json_decref(key);
			snprintf(why, cap,
			         "associative list with keys has an element that omits key field \"%s\" "
			         "(and doesn't have default value)", lt->keys[i]);
			return 1;
		}
		if (json_object_set(key, lt->keys[i], (json_t *)kv)) {
			json_decref(key);
			return oom(w);
		}
	}
	it->pe.kind = PE_KEY;
	it->pe.val = key;
	it->key = key;
	return 0;
}

/* Indexes a list's items: 0 done, 1 they have no elements (lenient: the
 * caller treats the list as atomic), -1 error. */
static int index_list(struct tw *w, const struct lt *lt, const json_t *arr, struct list *l)
{
	memset(l, 0, sizeof *l);
	size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
	if (!n)
		return 0;
	l->it = calloc(n, sizeof *l->it);
	l->by = malloc(n * sizeof *l->by);
	if (!l->it || !l->by) {
		list_free(l);
		return oom(w);
	}
	for (size_t i = 0; i < n; i++) {
		struct item *it = &l->it[i];
		it->v = json_array_get(arr, i);
		it->pos = i;
		char why[200];
		int r = item_pe(w, lt, it->v, it, why, sizeof why);
		if (r) {
			list_free(l);
			if (r < 0)
				return -1;
			if (!w->strict)
				return 1;
			return fail_at(w, "element %zu: %s", i, why);
		}
		l->n++;
		l->by[i] = it;
	}
	qsort(l->by, n, sizeof *l->by, cmp_items);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && !pe_cmp(&l->by[i]->pe, &l->by[j]->pe))
			j++;
		for (size_t k = i; k < j; k++)
			l->by[k]->group = j - i;
		if (j - i > 1 && w->strict) {
			char *s = pe_path_string((const struct pe *const[]){&l->by[i]->pe}, 1);
			fail_at(w, "duplicate entries for key %s", s ? s : "?");
			free(s);
			list_free(l);
			return -1;
		}
		i = j;
	}
	return 0;
}

/* the first item with pe's element */
static struct item *lookup(const struct list *l, const struct pe *pe)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pe_cmp(&l->by[mid]->pe, pe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->n && !pe_cmp(&l->by[lo]->pe, pe) ? l->by[lo] : NULL;
}

/* ---- field sets ---- */

static int to_set(struct tw *w, const struct schema_node *t, const json_t *v, struct fieldset *s)
{
	const struct schema_node *n = resolve(t);
	enum shape sh = shape_of(n, v);
	if (w->strict && n && !json_is_null(v) &&
	    (((n->kind == SCH_OBJECT || n->kind == SCH_MAP) && !json_is_object(v)) ||
	     (n->kind == SCH_ARRAY && !json_is_array(v))))
		return fail_at(w, "expected %s, got %s", n->kind == SCH_ARRAY ? "list" : "map", type_name(v));
	if (sh == SH_LEAF) {
		s->member = 1;
		return 0;
	}
	if (sh == SH_NULL)
		return 0;
	if (too_deep(w))
		return -1;
	if (sh == SH_MAP) {
		const char *key;
		json_t *x;
		json_object_foreach((json_t *)v, key, x) {
			if (skipped(w, key))
				continue;
			const struct schema_node *ft;
			int kind = field_of(n, key, &ft);
			struct pe pe = {.kind = PE_FIELD, .name = key};
			enter(w, &pe);
			if (kind < 0) {
				int r = w->strict ? fail_at(w, "field not declared in schema") : 0;
				w->depth--;
				if (r)
					return r;
				continue;
			}
			struct fieldset *k = fieldset_append(s, &pe);
			int r = k ? to_set(w, ft, x, k) : oom(w);
			w->depth--;
			if (r)
				return r;
			if (kind == 0)
				k->member = 1;
		}
		return 0;
	}
	struct lt lt;
	struct list l;
	list_type(n, &lt);
	int r = index_list(w, &lt, v, &l);
	if (r) {
		if (r < 0)
			return -1;
		s->member = 1;
		return 0;
	}
	for (size_t i = 0; i < l.n && !r; i++) {
		struct item *it = &l.it[i];
		struct fieldset *k = fieldset_append(s, &it->pe);
		if (!k) {
			r = oom(w);
			break;
		}
		k->member = 1;
		/* duplicated items are owned whole, as SMD does */
		if (it->group > 1)
			continue;
		enter(w, &it->pe);
		r = to_set(w, lt.item, it->v, k);
		w->depth--;
	}
	list_free(&l);
	return r;
}

struct fieldset *typed_to_set(const struct schema_node *t, const json_t *v, int strict, sk_err *err)
{
	struct tw w = {.err = err, .strict = strict};
	struct fieldset *s = fieldset_new();
	if (!s) {
		sk_fail(err, SK_ENOMEM, "out of memory");
		return NULL;
	}
	if (to_set(&w, t, v, s)) {
		fieldset_free(s);
		return NULL;
	}
	s->member = 0;
	fieldset_finish(s);
	return s;
}

/* ---- comparison ---- */

/* adds the current path to one of the three sets */
static int put(struct tw *w, struct fieldset *s)
{
	if (!w->depth)
		return 0; /* the object itself is no field */
	struct cursor *c = &w->cur[s == w->add ? 0 : s == w->mod ? 1 : 2];
	size_t i = 0;
	c->node[0] = s;
	while (i < w->depth && i < c->valid && c->stamp[i] == w->stamp[i])
		i++;
	/* below the still valid part, each element is new to its parent in
	 * this visit: appended, the set sorted once at the end */
	for (; i < w->depth; i++) {
		if (!(c->node[i + 1] = fieldset_append(c->node[i], w->path[i]))) {
			c->valid = i;
			return oom(w);
		}
		c->stamp[i] = w->stamp[i];
	}
	c->valid = w->depth;
	c->node[w->depth]->member = 1;
	return 0;
}

/* SMD's rule for leaves */
static int leaf(struct tw *w, const json_t *l, const json_t *r)
{
	if (!l)
		return put(w, w->add);
	if (!r)
		return put(w, w->rem);
	return value_eq(l, r) ? 0 : put(w, w->mod);
}

static int cmp(struct tw *w, const struct schema_node *t, const json_t *l, const json_t *r);

static int cmp_map(struct tw *w, const struct schema_node *n, const json_t *l, const json_t *r)
{
	const json_t *lm = json_is_object(l) ? l : NULL, *rm = json_is_object(r) ? r : NULL;
	for (int side = 0; side < 2; side++) {
		const json_t *m = side ? rm : lm, *o = side ? lm : rm;
		const char *key;
		json_t *x;
		json_object_foreach((json_t *)m, key, x) {
			const json_t *y = o ? json_object_get(o, key) : NULL;
			if ((side && y) || skipped(w, key))
				continue; /* both sides: done in the first pass */
			const struct schema_node *ft;
			int kind = field_of(n, key, &ft);
			if (kind < 0)
				continue;
			/* Go writes a field null, or leaves it out, the same way in both
			 * objects: null against nothing is no change */
			if (!y && o && w->go && kind == 1)
				y = json_is_null(x) ? x : go_zero(w, n, key);
			struct pe pe = {.kind = PE_FIELD, .name = key};
			enter(w, &pe);
			int rc = side ? cmp(w, ft, y, x) : cmp(w, ft, x, y);
			w->depth--;
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* 0 done, 1 the lists have no elements (compared as atomic), -1 error */
static int cmp_list(struct tw *w, const struct schema_node *n, const json_t *l, const json_t *r)
{
	struct lt lt;
	struct list a, b;
	list_type(n, &lt);
	int rc = index_list(w, &lt, l, &a);
	if (rc)
		return rc;
	if ((rc = index_list(w, &lt, r, &b))) {
		list_free(&a);
		return rc;
	}
	size_t i = 0, j = 0;
	while (!rc && (i < a.n || j < b.n)) {
		struct item *x = i < a.n ? a.by[i] : NULL, *y = j < b.n ? b.by[j] : NULL;
		int c = !x ? 1 : !y ? -1 : pe_cmp(&x->pe, &y->pe);
		if (c < 0)
			y = NULL;
		else if (c > 0)
			x = NULL;
		const struct pe *pe = x ? &x->pe : &y->pe;
		enter(w, pe);
		if ((x && x->group > 1) || (y && y->group > 1)) {
			/* items sharing a key are one atomic field, unchanged when
			 * the same items come in the same order */
			if (!x || !y) {
				rc = put(w, x ? w->rem : w->add);
			} else {
				int same = x->group == y->group;
				for (size_t k = 0; same && k < x->group; k++)
					same = value_eq(a.by[i + k]->v, b.by[j + k]->v);
				rc = same ? 0 : put(w, w->mod);
			}
		} else {
			rc = cmp(w, lt.item, x ? x->v : NULL, y ? y->v : NULL);
		}
		w->depth--;
		if (x)
			i += x->group;
		if (y)
			j += y->group;
	}
	list_free(&a);
	list_free(&b);
	return rc;
}

static int cmp(struct tw *w, const struct schema_node *t, const json_t *l, const json_t *r)
{
	const struct schema_node *n = resolve(t);
	int mismatch, rc = 0;
	enum shape sh = shape2(n, l, r, &mismatch);
	if (mismatch) {
		/* SMD walks each side in its own shape: what the old one held is
		 * gone, what the new one holds is new */
		if (too_deep(w))
			return -1;
		enum shape a = shape_of(n, l), b = shape_of(n, r);
		if (a == SH_MAP)
			rc = cmp_map(w, n, l, NULL);
		else if (a == SH_LIST)
			rc = cmp_list(w, n, l, NULL);
		if (!rc && b == SH_MAP)
			rc = cmp_map(w, n, NULL, r);
		else if (!rc && b == SH_LIST)
			rc = cmp_list(w, n, NULL, r);
		return rc < 0 ? -1 : leaf(w, l, r);
	}
	if (sh == SH_LEAF || (empty(l) && empty(r)))
		return leaf(w, l, r);
	if (too_deep(w))
		return -1;
	rc = sh == SH_MAP ? cmp_map(w, n, l, r) : cmp_list(w, n, l, r);
	if (rc)
		return rc < 0 ? -1 : leaf(w, l, r);
	/* SMD's hook after a container's items */
	if (!l)
		return put(w, w->add);
	if (!r)
		return put(w, w->rem);
	return 0;
}

int typed_compare(const struct schema_node *t, const json_t *lhs, const json_t *rhs,
                  struct fieldset *added, struct fieldset *modified, struct fieldset *removed, sk_err *err)
{
	const struct schema_node *root = t ? schema_deref(t) : NULL;
	struct tw w = {.err = err, .add = added, .mod = modified, .rem = removed};
	w.go = root && root->name && root->line > 0;
	w.cur = malloc(3 * sizeof *w.cur); /* large; only .valid needs a value */
	if (w.cur)
		w.cur[0].valid = w.cur[1].valid = w.cur[2].valid = 0;
	if (!w.cur || !(w.empty = json_object())) {
		free(w.cur);
		return sk_fail(err, SK_ENOMEM, "out of memory");
	}
	int rc = cmp(&w, t, lhs, rhs);
	fieldset_finish(added);
	fieldset_finish(modified);
	fieldset_finish(removed);
	free(w.cur);
	json_decref(w.empty);
	return rc ? (err ? err->code : SK_EINVALID) : SK_OK;
}

/* ---- merge ---- */

static json_t *take(struct tw *w, const json_t *v)
{
	json_t *c = json_deep_copy(v);
	if (!c)
		oom(w);
	return c;
}

static json_t *merge(struct tw *w, const struct schema_node *t, const json_t *l, const json_t *r);

static int set_new(struct tw *w, json_t *o, const char *key, json_t *v)
{
	if (!v)
		return -1;
	return json_object_set_new(o, key, v) ? oom(w) : 0;
}

static int append_new(struct tw *w, json_t *a, json_t *v)
{
	if (!v)
		return -1;
	return json_array_append_new(a, v) ? oom(w) : 0;
}

static json_t *merge_map(struct tw *w, const struct schema_node *n, const json_t *l, const json_t *r)
{
	const json_t *lm = json_is_object(l) ? l : NULL, *rm = json_is_object(r) ? r : NULL;
	json_t *out = json_object();
	if (!out) {
		oom(w);
		return NULL;
	}
	for (int side = 0; side < 2; side++) {
		const json_t *m = side ? rm : lm, *o = side ? lm : rm;
		const char *key;
		json_t *x;
		json_object_foreach((json_t *)m, key, x) {
			const json_t *y = o ? json_object_get(o, key) : NULL;
			if (side && y)
				continue;
			const json_t *lv = side ? y : x, *rv = side ? x : y;
			const struct schema_node *ft;
			json_t *v;
			if (field_of(n, key, &ft) < 0) {
				v = take(w, rv ? rv : lv);
			} else {
				struct pe pe = {.kind = PE_FIELD, .name = key};
				enter(w, &pe);
				v = merge(w, ft, lv, rv);
				w->depth--;
			}
			if (set_new(w, out, key, v)) {
				json_decref(out);
				return NULL;
			}
		}
	}
	return out;
}

/* the item a side contributes for pe: none when absent or duplicated */
static const json_t *child(const struct list *l, const struct pe *pe)
{
	struct item *it = lookup(l, pe);
	return it && it->group == 1 ? it->v : NULL;
}

static void mark_merged(const struct list *l, const struct pe *pe)
{
	struct item *it = lookup(l, pe);
	if (it)
		it->merged = 1;
}

/* SMD's order: the right side's order for the items both have, left-only
 * items where they were */
static json_t *merge_list(struct tw *w, const struct schema_node *n, const json_t *l, const json_t *r)
{
	struct lt lt;
	struct list a, b;
	list_type(n, &lt);
	int rc = index_list(w, &lt, l, &a);
	if (rc)
		return rc < 0 ? NULL : take(w, r ? r : l);
	if ((rc = index_list(w, &lt, r, &b))) {
		list_free(&a);
		return rc < 0 ? NULL : take(w, r ? r : l);
	}
	json_t *out = json_array();
	struct item **shared = calloc(b.n + 1, sizeof *shared);
	if (!out || !shared) {
		oom(w);
		goto fail;
	}
	size_t ns = 0, si = 0;
	for (size_t k = 0; k < b.n; k++)
		if (lookup(&a, &b.it[k].pe))
			shared[ns++] = &b.it[k];
	struct item *next = ns ? shared[si++] : NULL;
	size_t li = 0, ri = 0;
	while (li < a.n || ri < b.n) {
		size_t before = li + ri;
		if (li < a.n && ri < b.n) {
			struct item *x = &a.it[li];
			if (!pe_cmp(&x->pe, &b.it[ri].pe)) {
				mark_merged(&b, &x->pe);
				enter(w, &x->pe);
				rc = append_new(w, out, merge(w, lt.item, child(&a, &x->pe), child(&b, &x->pe)));
				w->depth--;
				if (rc)
					goto fail;
				li++, ri++;
				next = si < ns ? shared[si++] : NULL;
				continue;
			}
			if (lookup(&b, &x->pe) && next && pe_cmp(&next->pe, &x->pe)) {
				li++; /* shared, but not the one due now */
				continue;
			}
		}
		if (li < a.n) {
			struct item *x = &a.it[li];
			struct item *y = lookup(&b, &x->pe);
			if (!y) {
				enter(w, &x->pe);
				rc = append_new(w, out, merge(w, lt.item, x->v, NULL));
				w->depth--;
				if (rc)
					goto fail;
				li++;
				continue;
			}
			if (y->merged) {
				li++;
				continue;
			}
		}
		if (ri < b.n) {
			struct item *y = &b.it[ri];
			mark_merged(&b, &y->pe);
			enter(w, &y->pe);
			rc = append_new(w, out, merge(w, lt.item, child(&a, &y->pe), y->v));
			w->depth--;
			if (rc)
				goto fail;
			ri++;
			if (next && !pe_cmp(&next->pe, &y->pe))
				next = si < ns ? shared[si++] : NULL;
		}
		if (li + ri == before)
			li++; /* cannot happen; never spin */
	}
	free(shared);
	list_free(&a);
	list_free(&b);
	return out;
fail:
	free(shared);
	json_decref(out);
	list_free(&a);
	list_free(&b);
	return NULL;
}

static json_t *merge(struct tw *w, const struct schema_node *t, const json_t *l, const json_t *r)
{
	const struct schema_node *n = resolve(t);
	int mismatch;
	enum shape sh = shape2(n, l, r, &mismatch);
	if (mismatch || sh == SH_LEAF || (empty(l) && empty(r)))
		return take(w, r ? r : l);
	if (too_deep(w))
		return NULL;
	return sh == SH_MAP ? merge_map(w, n, l, r) : merge_list(w, n, l, r);
}

json_t *typed_merge(const struct schema_node *t, const json_t *lhs, const json_t *rhs, sk_err *err)
{
	struct tw w = {.err = err};
	return merge(&w, t, lhs, rhs);
}

/* ---- removal ---- */

static json_t *rm(struct tw *w, const struct schema_node *t, const json_t *v, const struct fieldset *s)
{
	const struct schema_node *n = resolve(t);
	enum shape sh = shape_of(n, v);
	if ((sh != SH_MAP && sh != SH_LIST) || fieldset_empty(s) || empty(v))
		return take(w, v);
	if (too_deep(w))
		return NULL;
	if (sh == SH_MAP) {
		json_t *out = json_object();
		if (!out) {
			oom(w);
			return NULL;
		}
		const char *key;
		json_t *x;
		json_object_foreach((json_t *)v, key, x) {
			struct pe pe = {.kind = PE_FIELD, .name = key};
			const struct fieldset *k = fieldset_find(s, &pe);
			if (k && k->member)
				continue;
			json_t *y;
			if (k && k->n) {
				const struct schema_node *ft;
				field_of(n, key, &ft);
				enter(w, &pe);
				y = rm(w, ft, x, k);
				w->depth--;
			} else {
				y = take(w, x);
			}
			if (set_new(w, out, key, y)) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	}
	struct lt lt;
	struct list l;
	list_type(n, &lt);
	int rc = index_list(w, &lt, v, &l);
	if (rc)
		return rc < 0 ? NULL : take(w, v);
	json_t *out = json_array();
	if (!out)
		oom(w);
	for (size_t i = 0; out && i < l.n; i++) {
		struct item *it = &l.it[i];
		const struct fieldset *k = fieldset_find(s, &it->pe);
		if (k && k->member)
			continue;
		json_t *y;
		if (k && k->n) {
			enter(w, &it->pe);
			y = rm(w, lt.item, it->v, k);
			w->depth--;
		} else {
			y = take(w, it->v);
		}
		if (append_new(w, out, y)) {
			json_decref(out);
			out = NULL;
		}
	}
	list_free(&l);
	return out;
}

json_t *typed_remove(const struct schema_node *t, const json_t *v, const struct fieldset *items, sk_err *err)
{
	struct tw w = {.err = err};
	return rm(&w, t, v, items);
}

/* ---- named fields ---- */

static int named(const struct schema_node *t, const struct fieldset *s, struct fieldset *out, int depth)
{
	const struct schema_node *n = depth < TYPED_MAX_DEPTH ? resolve(t) : NULL;
	for (size_t i = 0; i < s->n; i++) {
		const struct fieldset *k = s->kids[i];
		struct fieldset *c = fieldset_child(out, &k->pe, 1);
		if (!c)
			return -1;
		c->member = k->member;
		const struct schema_node *sub = NULL;
		if (n && k->pe.kind == PE_FIELD && n->kind == SCH_OBJECT) {
			const struct schema_field *f = schema_field(n, k->pe.name);
			if (f) {
				sub = f->type;
				if (k->n)
					c->member = 1;
			}
		} else if (n && k->pe.kind == PE_FIELD && n->kind == SCH_MAP) {
			sub = n->items;
		} else if (n && k->pe.kind == PE_KEY && n->kind == SCH_ARRAY) {
			sub = n->items;
		}
		if (named(sub, k, c, depth + 1))
			return -1;
	}
	return 0;
}

struct fieldset *typed_named_members(const struct schema_node *t, const struct fieldset *s)
{
	struct fieldset *out = fieldset_new();
	if (out && named(t, s, out, 0)) {
		fieldset_free(out);
		return NULL;
	}
	return out;
}
