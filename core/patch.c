/* patch.c — JSON patch, JSON merge patch and strategic merge patch, applied as kube-apiserver applies them. */
#include "patch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "schema.h"

/* ---- shared ------------------------------------------------------------ */

static int oom(sk_err *err)
{
	return sk_fail(err, SK_ENOMEM, "out of memory");
}

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* a JSON string equal to lit (embedded NULs make it differ) */
static int jstr_is(const json_t *v, const char *lit)
{
	return json_is_string(v) && json_string_length(v) == strlen(lit) && !strcmp(json_string_value(v), lit);
}

/* 1 when v nests more than limit containers deep; the recursion stops at
 * the limit, so it is safe on any value */
static int too_deep(const json_t *v, int limit)
{
	const char *k;
	size_t i;
	json_t *c;
	if (!json_is_object(v) && !json_is_array(v))
		return 0;
	if (limit <= 0)
		return 1;
	if (json_is_object(v)) {
		json_object_foreach ((json_t *)v, k, c)
			if (too_deep(c, limit - 1))
				return 1;
	} else {
		json_array_foreach (v, i, c)
			if (too_deep(c, limit - 1))
				return 1;
	}
	return 0;
}

/* the words Go's encoding/json uses for a JSON value in type errors */
static const char *json_word(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	default: return "null";
	}
}

/* Go's dynamic types of decoded JSON (integers stay int64, as the API
 * server decodes patches with PreserveInts) */
enum gt { GT_NIL, GT_MAP, GT_SLICE, GT_STRING, GT_INT, GT_FLOAT, GT_BOOL };

static enum gt gtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return GT_MAP;
	case JSON_ARRAY: return GT_SLICE;
	case JSON_STRING: return GT_STRING;
	case JSON_INTEGER: return GT_INT;
	case JSON_REAL: return GT_FLOAT;
	case JSON_TRUE:
	case JSON_FALSE: return GT_BOOL;
	default: return GT_NIL;
	}
}

#define MAPT "map[string]interface {}"
#define SLICET "[]interface {}"

static const char *go_type(const json_t *v)
{
	static const char *const names[] = {NULL, MAPT, SLICET, "string", "int64", "float64", "bool"};
	return names[gtype(v)];
}

/* Go's == on two decoded values; maps and slices never compare equal
 * (Go would panic, which the API server turns into a 500 anyway) */
static int go_eq(const json_t *a, const json_t *b)
{
	if (!a || !b || gtype(a) != gtype(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       !memcmp(json_string_value(a), json_string_value(b), json_string_length(a));
	case JSON_INTEGER: return json_integer_value(a) == json_integer_value(b);
	case JSON_REAL: return json_real_value(a) == json_real_value(b);
	case JSON_TRUE:
	case JSON_FALSE:
	case JSON_NULL: return json_typeof(a) == json_typeof(b);
	default: return 0;
	}
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static uint64_t go_hash(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: {
		uint64_t h = 1469598103934665603ULL;
		const unsigned char *s = (const unsigned char *)json_string_value(v);
		for (size_t i = 0, n = json_string_length(v); i < n; i++)
			h = (h ^ s[i]) * 1099511628211ULL;
		return mix64(h) ^ 1;
	}
	case JSON_INTEGER: return mix64((uint64_t)json_integer_value(v)) ^ 2;
	case JSON_REAL: {
		double d = json_real_value(v);
		uint64_t u;
		if (d == 0)
			d = 0; /* -0 == 0 */
		memcpy(&u, &d, sizeof u);
		return mix64(u) ^ 3;
	}
	case JSON_TRUE: return 5;
	case JSON_FALSE: return 7;
	default: return 11;
	}
}

static int hashable(const json_t *k)
{
	return k && !json_is_object(k) && !json_is_array(k);
}

/* ---- Go's fmt, for messages ------------------------------------------------- */

/* Messages quote values as Go's %v and %s print them. Bounded: sk_err
 * keeps less than this anyway, and the recursion ends when it is full. */
struct gobuf {
	char s[600];
	size_t n;
};

static void gb_put(struct gobuf *b, const char *s, size_t len)
{
	size_t room = sizeof b->s - 1 - b->n;
	if (len > room)
		len = room;
	memcpy(b->s + b->n, s, len);
	b->n += len;
	b->s[b->n] = 0;
}

static void gb_str(struct gobuf *b, const char *s)
{
	gb_put(b, s, strlen(s));
}

/* strconv.FormatFloat(d, 'g', -1, 64), which %v uses */
static void go_float(double d, char *out, size_t cap)
{
	char e[48], dig[24];
	int nd = 0, prec, x, neg;
	const char *p;
	for (prec = 1; prec < 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec - 1, d);
		if (strtod(e, NULL) == d)
			break;
	}
	snprintf(e, sizeof e, "%.*e", prec - 1, d);
	p = e;
	neg = *p == '-';
	if (neg)
		p++;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9' && nd < (int)sizeof dig - 1)
			dig[nd++] = *p;
	x = *p ? atoi(p + 1) : 0;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	dig[nd] = 0;
	if (d == 0) {
		snprintf(out, cap, "%s0", neg ? "-" : "");
	} else if (x < -4 || x >= 6) {
		snprintf(out, cap, "%s%c%s%se%c%02d", neg ? "-" : "", dig[0], nd > 1 ? "." : "", dig + 1, x < 0 ? '-' : '+',
		         x < 0 ? -x : x);
	} else if (x < 0) {
		snprintf(out, cap, "%s0.%.*s%s", neg ? "-" : "", -x - 1, "0000", dig);
	} else if (nd <= x + 1) {
		snprintf(out, cap, "%s%s%.*s", neg ? "-" : "", dig, x + 1 - nd, "000000");
	} else {
		snprintf(out, cap, "%s%.*s.%s", neg ? "-" : "", x + 1, dig, dig + x + 1);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* verb 'v' or 's' */
static void go_fmt(struct gobuf *b, const json_t *v, int verb)
{
	char t[64], f[40];
	const char *k;
	size_t i;
	json_t *c;
	if (b->n >= sizeof b->s - 1)
		return;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		/* fmt prints maps with their keys sorted */
		size_t n = json_object_size(v);
		const char **keys = malloc((n ? n : 1) * sizeof *keys);
		if (!keys) {
			gb_str(b, "map[...]");
			return;
		}
		i = 0;
		json_object_foreach ((json_t *)v, k, c)
			keys[i++] = k;
		qsort(keys, n, sizeof *keys, cmp_str);
		gb_str(b, "map[");
		for (i = 0; i < n && b->n < sizeof b->s - 1; i++) {
			if (i)
				gb_str(b, " ");
			gb_str(b, keys[i]);
			gb_str(b, ":");
			go_fmt(b, json_object_get(v, keys[i]), verb);
		}
		gb_str(b, "]");
		free(keys);
		return;
	}
	case JSON_ARRAY:
		gb_str(b, "[");
		json_array_foreach (v, i, c) {
			if (b->n >= sizeof b->s - 1)
				break;
			if (i)
				gb_str(b, " ");
			go_fmt(b, c, verb);
		}
		gb_str(b, "]");
		return;
	case JSON_STRING:
		gb_put(b, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		snprintf(t, sizeof t, verb == 's' ? "%%!s(int64=%" JSON_INTEGER_FORMAT ")" : "%" JSON_INTEGER_FORMAT,
		         json_integer_value(v));
		break;
	case JSON_REAL:
		go_float(json_real_value(v), f, sizeof f);
		snprintf(t, sizeof t, verb == 's' ? "%%!s(float64=%s)" : "%s", f);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		snprintf(t, sizeof t, verb == 's' ? "%%!s(bool=%s)" : "%s", json_is_true(v) ? "true" : "false");
		break;
	default:
		snprintf(t, sizeof t, "%s", verb == 's' ? "%!s(<nil>)" : "<nil>");
		break;
	}
	gb_str(b, t);
}

/* ---- strategic merge patch: errors ------------------------------------ */

/* Kubernetes' mergepatch errors. Those its patch handler does not map to a
 * status reach the client as code 500 (SK_EIO here). */
static int err_bad_arg_type(sk_err *err, const char *expected, const json_t *actual)
{
	const char *t = actual ? go_type(actual) : NULL;
	return sk_fail(err, SK_EIO, "expected a %s, but received a %s", expected, t ? t : "%!s(<nil>)");
}

static int err_no_merge_key(sk_err *err, const json_t *m, const char *key)
{
	struct gobuf b = {.n = 0};
	go_fmt(&b, m, 'v');
	return sk_fail(err, SK_EIO, "map: %s does not contain declared merge key: %s", b.s, key);
}

static int err_bad_patch_type(sk_err *err, const json_t *t, const json_t *m)
{
	struct gobuf a = {.n = 0}, b = {.n = 0};
	go_fmt(&a, t, 's');
	go_fmt(&b, m, 'v');
	return sk_fail(err, SK_EIO, "unknown patch type: %s in map: %s", a.s, b.s);
}

/* where Go itself panics (a map used as a hash key), the API server answers
 * 500 as well; say what happened */
static int err_unhashable(sk_err *err, const json_t *v)
{
	return sk_fail(err, SK_EIO, "runtime error: hash of unhashable type %s", go_type(v));
}

/* ---- strategic merge patch: lists of borrowed values ------------------ */

struct vec {
	json_t **v;
	size_t n, cap;
};

static int vec_push(struct vec *a, json_t *x)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		json_t **v = realloc(a->v, cap * sizeof *v);
		if (!v)
			return -1;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return 0;
}

static int vec_of(struct vec *a, const json_t *list)
{
	size_t i;
	json_t *x;
	a->n = 0;
	json_array_foreach (list, i, x)
		if (vec_push(a, x))
			return -1;
	return 0;
}

static void vec_free(struct vec *a)
{
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

/* ---- strategic merge patch: hash index of list elements ------------------ */

/* Kubernetes finds list elements by linear search (first match); an
 * index keeps the same answers without quadratic time on long lists. It
 * holds references to its keys: merging into an element replaces the
 * element's merge key value. */
struct index {
	size_t cap;
	json_t **key;
	long *pos;
};

static int index_init(struct index *x, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n + 2)
		cap <<= 1;
	x->cap = cap;
	x->key = calloc(cap, sizeof *x->key);
	x->pos = malloc(cap * sizeof *x->pos);
	return x->key && x->pos ? 0 : -1;
}

static void index_free(struct index *x)
{
	for (size_t i = 0; x->key && i < x->cap; i++)
		json_decref(x->key[i]);
	free(x->key);
	free(x->pos);
	x->key = NULL;
	x->pos = NULL;
}

static size_t index_slot(const struct index *x, const json_t *k)
{
	size_t i = (size_t)go_hash(k) & (x->cap - 1);
	while (x->key[i] && !go_eq(x->key[i], k))
		i = (i + 1) & (x->cap - 1);
	return i;
}

static long index_find(const struct index *x, const json_t *k)
{
	if (!hashable(k))
		return -1;
	size_t i = index_slot(x, k);
	return x->key[i] ? x->pos[i] : -1;
}

/* the first position added for a key wins, or the last when overwrite */
static void index_put(struct index *x, const json_t *k, long pos, int overwrite)
{
	if (!hashable(k))
		return;
	size_t i = index_slot(x, k);
	if (!x->key[i] || overwrite) {
		json_decref(x->key[i]);
		x->key[i] = json_incref((json_t *)k);
		x->pos[i] = pos;
	}
}

/* the element's merge key value, or the element itself for scalars */
static const json_t *key_of(const json_t *x, const char *mk)
{
	return mk ? (json_is_object(x) ? json_object_get(x, mk) : NULL) : x;
}

static int index_vec(struct index *x, const struct vec *a, const char *mk, size_t extra)
{
	if (index_init(x, a->n + extra))
		return -1;
	for (size_t i = 0; i < a->n; i++)
		index_put(x, key_of(a->v[i], mk), (long)i, 0);
	return 0;
}

/* ---- strategic merge patch: copies of patch values ------------------------- */

static int is_directive(const char *k)
{
	return !strcmp(k, "$patch") || !strcmp(k, "$retainKeys") || has_prefix(k, "$setElementOrder") ||
	       has_prefix(k, "$deleteFromPrimitiveList");
}

/* The value a patch stores, as it ends up once Kubernetes has decoded the
 * result into the typed object: members set to null dropped, directive keys
 * dropped (no field has such a name). With drop, objects carrying $patch
 * are left out entirely, as removeDirectives does where the patch inserts
 * into a field the object does not have. *out is NULL when v is left out. */
static int copy_patch(const json_t *v, int drop, json_t **out)
{
	const char *k;
	size_t i;
	json_t *c, *cc;
	*out = NULL;
	if (json_is_object(v)) {
		if (drop && json_object_get(v, "$patch"))
			return 0;
		json_t *o = json_object();
		if (!o)
			return -1;
		json_object_foreach ((json_t *)v, k, c) {
			if (json_is_null(c) || is_directive(k))
				continue;
			if (copy_patch(c, drop, &cc) || (cc && json_object_set_new(o, k, cc))) {
				json_decref(o);
				return -1;
			}
		}
		*out = o;
		return 0;
	}
	if (json_is_array(v)) {
		json_t *a = json_array();
		if (!a)
			return -1;
		json_array_foreach (v, i, c) {
			if (copy_patch(c, drop, &cc) || (cc && json_array_append_new(a, cc))) {
				json_decref(a);
				return -1;
			}
		}
		*out = a;
		return 0;
	}
	*out = json_copy((json_t *)v);
	return *out ? 0 : -1;
}

/* obj[key] = copy of v (or no obj[key] when the copy leaves v out) */
static int set_copy(json_t *obj, const char *key, const json_t *v, int drop, sk_err *err)
{
	json_t *c;
	if (copy_patch(v, drop, &c))
		return oom(err);
	if (!c) {
		json_object_del(obj, key);
		return SK_OK;
	}
	return json_object_set_new(obj, key, c) ? oom(err) : SK_OK;
}

/* ---- strategic merge patch: the schema as patch metadata ------------------ */

static const struct schema_node *deref(const struct schema_node *n)
{
	return n ? schema_deref(n) : NULL;
}

/* What Go's struct tags say about a field: its type and its patchStrategy
 * and patchMergeKey tags (on the field's node, or on the type it names). */
struct fmeta {
	const struct schema_node *type; /* dereferenced, or NULL: unknown */
	const char *tag;
	const char *mk;
};

static struct fmeta field_meta(const struct schema_node *t, const char *key)
{
	struct fmeta m = {NULL, NULL, NULL};
	const struct schema_field *f;
	t = deref(t);
	if (!t)
		return m;
	if (t->kind == SCH_MAP) {
		m.type = deref(t->items);
		return m;
	}
	if (t->kind != SCH_OBJECT || !(f = schema_field(t, key)) || !f->type)
		return m;
	m.type = deref(f->type);
	m.tag = f->type->patch_strategy ? f->type->patch_strategy : m.type ? m.type->patch_strategy : NULL;
	m.mk = f->type->patch_merge_key ? f->type->patch_merge_key : m.type ? m.type->patch_merge_key : NULL;
	if (m.mk && !*m.mk)
		m.mk = NULL;
	return m;
}

static const struct schema_node *elem_of(const struct fmeta *m)
{
	return m->type && m->type->kind == SCH_ARRAY ? deref(m->type->items) : NULL;
}

/* Go's reflect kind of a list's element type, for one message */
static const char *go_kind(const struct schema_node *n)
{
	if (!n)
		return "interface";
	switch (n->kind) {
	case SCH_OBJECT:
	case SCH_INT_OR_STRING:
	case SCH_QUANTITY: return "struct";
	case SCH_MAP: return "map";
	case SCH_ARRAY: return "slice";
	case SCH_STRING: return "string";
	case SCH_INT32: return "int32";
	case SCH_INT64: return "int64";
	case SCH_NUMBER: return "float64";
	case SCH_BOOL: return "bool";
	default: return "interface";
	}
}

enum strat { ST_NONE, ST_MERGE, ST_REPLACE };

/* extractRetainKeysPatchStrategy on the comma-separated tag */
static int strategy_of(const char *tag, enum strat *st, sk_err *err)
{
	const char *tok[2] = {NULL, NULL}, *p = tag, *s = NULL;
	size_t len[2] = {0, 0}, sl = 0;
	int n = 0;
	*st = ST_NONE;
	if (!tag)
		return SK_OK;
	for (;;) {
		const char *c = strchr(p, ',');
		if (n < 2) {
			tok[n] = p;
			len[n] = c ? (size_t)(c - p) : strlen(p);
		}
		n++;
		if (!c)
			break;
		p = c + 1;
	}
#define IS(i, lit) (len[i] == strlen(lit) && !strncmp(tok[i], lit, len[i]))
	if (n == 1) {
		if (!IS(0, "retainKeys")) {
			s = tok[0];
			sl = len[0];
		}
	} else if (n == 2 && IS(0, "retainKeys")) {
		s = tok[1];
		sl = len[1];
	} else if (n == 2 && IS(1, "retainKeys")) {
		s = tok[0];
		sl = len[0];
	} else {
		char buf[256];
		snprintf(buf, sizeof buf, "%s", tag);
		for (char *q = buf; *q; q++)
			if (*q == ',')
				*q = ' ';
		return sk_fail(err, SK_EIO, "unexpected patch strategy: [%s]", buf);
	}
#undef IS
	if (s && sl == 5 && !strncmp(s, "merge", 5))
		*st = ST_MERGE;
	else if (s && sl == 7 && !strncmp(s, "replace", 7))
		*st = ST_REPLACE;
	return SK_OK;
}

/* extractKey: "$prefix/key" → key */
static int extract_key(const char *s, const char *prefix, const char **key)
{
	size_t n = strlen(prefix);
	if (strncmp(s, prefix, n) || s[n] != '/')
		return -1;
	*key = s + n + 1;
	return 0;
}

/* ---- strategic merge patch: ordering ----------------------------------- */

/* sort.SliceStable as Go implements it (insertion-sorted blocks of 20, then
 * SymMerge), with normalizeSliceOrder's comparator: by place in the order
 * list, and "less" whenever either is not in it. Exact emulation keeps even
 * the order of elements the ordering list does not name. */
struct ssort {
	json_t **v;
	long *ix;
};

static int s_less(const struct ssort *s, long i, long j)
{
	long a = s->ix[i], b = s->ix[j];
	return a >= 0 && b >= 0 ? a < b : 1;
}

static void s_swap(struct ssort *s, long i, long j)
{
	json_t *v = s->v[i];
	long x = s->ix[i];
	s->v[i] = s->v[j];
	s->ix[i] = s->ix[j];
	s->v[j] = v;
	s->ix[j] = x;
}

static void s_insertion(struct ssort *s, long a, long b)
{
	for (long i = a + 1; i < b; i++)
		for (long j = i; j > a && s_less(s, j, j - 1); j--)
			s_swap(s, j, j - 1);
}

static void s_swap_range(struct ssort *s, long a, long b, long n)
{
	for (long i = 0; i < n; i++)
		s_swap(s, a + i, b + i);
}

static void s_rotate(struct ssort *s, long a, long m, long b)
{
	long i = m - a, j = b - m;
	while (i != j) {
		if (i > j) {
			s_swap_range(s, m - i, m, j);
			i -= j;
		} else {
			s_swap_range(s, m - i, m + j - i, i);
			j -= i;
		}
	}
	s_swap_range(s, m - i, m, i);
}

static void s_symmerge(struct ssort *s, long a, long m, long b)
{
	if (m - a == 1) {
		long i = m, j = b;
		while (i < j) {
			long h = (i + j) / 2;
			if (s_less(s, h, a))
				i = h + 1;
			else
				j = h;
		}
		for (long k = a; k < i - 1; k++)
			s_swap(s, k, k + 1);
		return;
	}
	if (b - m == 1) {
		long i = a, j = m;
		while (i < j) {
			long h = (i + j) / 2;
			if (!s_less(s, m, h))
				i = h + 1;
			else
				j = h;
		}
		for (long k = m; k > i; k--)
			s_swap(s, k, k - 1);
		return;
	}
	long mid = (a + b) / 2, n = mid + m, start, r;
	if (m > mid) {
		start = n - b;
		r = mid;
	} else {
		start = a;
		r = m;
	}
	long p = n - 1;
	while (start < r) {
		long c = (start + r) / 2;
		if (!s_less(s, p - c, c))
			start = c + 1;
		else
			r = c;
	}
	long end = n - start;
	if (start < m && m < end)
		s_rotate(s, start, m, end);
	if (a < start && start < mid)
		s_symmerge(s, a, start, mid);
	if (mid < end && end < b)
		s_symmerge(s, mid, end, b);
}

static void s_stable(struct ssort *s, long n)
{
	long block = 20, a = 0, b = block;
	while (b <= n) {
		s_insertion(s, a, b);
		a = b;
		b += block;
	}
	s_insertion(s, a, n);
	while (block < n) {
		a = 0;
		b = 2 * block;
		while (b <= n) {
			s_symmerge(s, a, a + block, b);
			a = b;
			b += 2 * block;
		}
		if (a + block < n)
			s_symmerge(s, a, a + block, n);
		block *= 2;
	}
}

/* validateMergeKeyInLists */
static int check_merge_keys(const struct vec *a, const char *mk, sk_err *err)
{
	for (size_t i = 0; i < a->n; i++) {
		if (!json_is_object(a->v[i]))
			return err_bad_arg_type(err, MAPT, a->v[i]);
		if (!json_object_get(a->v[i], mk))
			return err_no_merge_key(err, a->v[i], mk);
	}
	return SK_OK;
}

/* normalizeSliceOrder: items in their order in order, "$patch: delete"
 * items last */
static int norm_order(struct vec *items, const struct vec *order, const char *mk, int kind, sk_err *err)
{
	struct vec del = {NULL, 0, 0};
	struct index ix = {0, NULL, NULL};
	struct ssort s = {items->v, NULL};
	size_t n = 0;
	int rc = SK_OK;
	if (kind == GT_MAP) {
		if (check_merge_keys(items, mk, err) || check_merge_keys(order, mk, err))
			return err->code;
		for (size_t i = 0; i < items->n; i++) {
			if (jstr_is(json_object_get(items->v[i], "$patch"), "delete")) {
				if (vec_push(&del, items->v[i]))
					goto nomem;
			} else {
				items->v[n++] = items->v[i];
			}
		}
	} else {
		n = items->n;
	}
	if (index_vec(&ix, order, kind == GT_MAP ? mk : NULL, 0) || !(s.ix = malloc((n ? n : 1) * sizeof *s.ix)))
		goto nomem;
	for (size_t i = 0; i < n; i++)
		s.ix[i] = index_find(&ix, key_of(items->v[i], kind == GT_MAP ? mk : NULL));
	s_stable(&s, (long)n);
	for (size_t i = 0; i < del.n; i++)
		items->v[n + i] = del.v[i];
	goto out;
nomem:
	rc = oom(err);
out:
	free(s.ix);
	index_free(&ix);
	vec_free(&del);
	return rc;
}

/* normalizeElementOrder: the patch's items in patch order and the server's
 * in server order, interleaved by mergeSortedSlice */
static int norm_elements(struct vec *patch_items, struct vec *server_only, const struct vec *patch_order,
                         const struct vec *server_order, const char *mk, int kind, struct vec *out, sk_err *err)
{
	struct index ix = {0, NULL, NULL};
	const char *k = kind == GT_MAP ? mk : NULL;
	size_t i = 0, j = 0;
	if (norm_order(patch_items, patch_order, mk, kind, err) || norm_order(server_only, server_order, mk, kind, err))
		return err->code;
	if (index_vec(&ix, server_order, k, 0))
		return oom(err);
	out->n = 0;
	while (i < server_only->n || j < patch_items->n) {
		json_t *x;
		if (i >= server_only->n) {
			x = patch_items->v[j++];
		} else if (j >= patch_items->n) {
			x = server_only->v[i++];
		} else {
			long li = index_find(&ix, key_of(server_only->v[i], k));
			long ri = index_find(&ix, key_of(patch_items->v[j], k));
			x = li >= 0 && ri >= 0 && li < ri ? server_only->v[i++] : patch_items->v[j++];
		}
		if (vec_push(out, x)) {
			index_free(&ix);
			return oom(err);
		}
	}
	index_free(&ix);
	return SK_OK;
}

/* sliceElementType: the Go type shared by every element, or -1 and err */
static int slice_kind(const json_t *a, const json_t *b, sk_err *err)
{
	const json_t *ls[2] = {a, b};
	int prev = -1;
	for (int l = 0; l < 2; l++) {
		size_t i;
		json_t *v;
		json_array_foreach (ls[l], i, v) {
			int t = (int)gtype(v);
			if (prev < 0 && t == GT_SLICE) {
				sk_fail(err, SK_EINVALID, "lists of lists are not supported");
				return -1;
			}
			if (prev >= 0 && t == prev)
				continue;
			if (prev < 0 && t != GT_NIL) {
				prev = t;
				continue;
			}
			struct gobuf g = {.n = 0};
			gb_str(&g, "[");
			if (a)
				go_fmt(&g, a, 'v');
			else
				gb_str(&g, "[]");
			gb_str(&g, " ");
			if (b)
				go_fmt(&g, b, 'v');
			else
				gb_str(&g, "[]");
			gb_str(&g, "]");
			sk_fail(err, SK_EIO, "list element types are not identical: %s", g.s);
			return -1;
		}
	}
	if (prev < 0)
		sk_fail(err, SK_EIO, "no elements in any of the given slices");
	return prev;
}

/* ---- strategic merge patch: merging ------------------------------------ */

static json_t *merge_map(json_t *orig, const json_t *patch, const struct schema_node *t, sk_err *err);

/* Builds a new JSON array of a vec's values. */
static json_t *array_of(const struct vec *a, sk_err *err)
{
	json_t *r = json_array();
	for (size_t i = 0; r && i < a->n; i++)
		if (json_array_append(r, a->v[i])) {
			json_decref(r);
			r = NULL;
		}
	if (!r)
		oom(err);
	return r;
}

/* deleteFromSlice: $deleteFromPrimitiveList on a list of scalars */
static json_t *delete_from(json_t *orig, const json_t *patch, sk_err *err)
{
	struct vec del = {NULL, 0, 0};
	struct index ix = {0, NULL, NULL};
	json_t *r = NULL, *x;
	size_t i;
	if (vec_of(&del, patch) || index_vec(&ix, &del, NULL, 0) || !(r = json_array())) {
		oom(err);
		goto out;
	}
	json_array_foreach (orig, i, x)
		if (index_find(&ix, x) < 0 && json_array_append(r, x)) {
			json_decref(r);
			r = NULL;
			oom(err);
			break;
		}
out:
	index_free(&ix);
	vec_free(&del);
	return r;
}

/* mergeSlice: the document's list orig merged with patch, a new array (or
 * NULL and err). alias, when given, receives Go's view of orig's backing
 * array afterwards: mergeSlice deletes and appends in place, and the
 * $setElementOrder pass then orders server-only elements by that aliased
 * view, which Kubernetes' own tests depend on. */
static json_t *merge_slice(json_t *orig, const json_t *patch, const struct schema_node *elem, const char *mk,
                           int is_del, struct vec *alias, sk_err *err)
{
	size_t n = json_array_size(orig), m = json_array_size(patch), i;
	struct vec work = {NULL, 0, 0}, plain = {NULL, 0, 0}, dels = {NULL, 0, 0}, order = {NULL, 0, 0};
	struct vec pitems = {NULL, 0, 0}, sonly = {NULL, 0, 0}, out = {NULL, 0, 0};
	struct index ix = {0, NULL, NULL}, px = {0, NULL, NULL};
	json_t *keep = NULL, *res = NULL, *v;
	char *alive = NULL;
	long *chain = NULL;
	int kind, replace = 0;
	if (alias && vec_of(alias, orig))
		goto nomem;
	if (n == 0 && m == 0)
		return json_incref(orig);
	if ((kind = slice_kind(orig, patch, err)) < 0)
		return NULL;
	if (!(keep = json_array()))
		goto nomem;

	if (kind != GT_MAP) {
		if (is_del) {
			res = delete_from(orig, patch, err);
			goto out;
		}
		/* the union, each value once (its order is normalized below) */
		if (vec_of(&work, orig) || vec_of(&plain, patch) || index_init(&ix, n + m))
			goto nomem;
		for (i = 0; i < n + m; i++) {
			json_t *x = i < n ? work.v[i] : plain.v[i - n];
			if (index_find(&ix, x) >= 0)
				continue;
			if (i >= n) {
				json_t *c = json_copy(x);
				if (!c || json_array_append_new(keep, c))
					goto nomem;
				x = c;
			}
			index_put(&ix, x, (long)order.n, 0);
			if (vec_push(&order, x))
				goto nomem;
		}
		/* partitionMapsByPresentInList when the field declares a merge key */
		if (mk) {
			err_bad_arg_type(err, MAPT, order.v[0]);
			goto out;
		}
		/* partitionPrimitivesByPresentInList */
		if (index_vec(&px, &plain, NULL, 0))
			goto nomem;
		for (i = 0; i < order.n; i++)
			if (vec_push(index_find(&px, order.v[i]) >= 0 ? &pitems : &sonly, order.v[i]))
				goto nomem;
		if (norm_elements(&pitems, &sonly, &plain, &work, NULL, kind, &out, err))
			goto out;
		res = array_of(&out, err);
		goto out;
	}

	if (!mk) {
		sk_fail(err, SK_EIO, "cannot merge lists without merge key for %s", go_kind(elem));
		goto out;
	}
	/* mergeSliceWithSpecialElements: every error in patch order first,
	 * then the deletions, which cannot fail */
	json_array_foreach (patch, i, v) {
		json_t *d = json_object_get(v, "$patch");
		if (!d) {
			if (vec_push(&plain, v))
				goto nomem;
		} else if (jstr_is(d, "delete")) {
			json_t *mv = json_object_get(v, mk);
			if (!mv) {
				err_no_merge_key(err, v, mk);
				goto out;
			}
			if (vec_push(&dels, mv))
				goto nomem;
		} else if (jstr_is(d, "replace")) {
			replace = 1;
		} else if (jstr_is(d, "merge")) {
			sk_fail(err, SK_EIO, "merging lists cannot yet be specified in the patch");
			goto out;
		} else {
			err_bad_patch_type(err, d, v);
			goto out;
		}
	}
	/* deleteMatchingEntries removes every element with the key, first match
	 * first; Go's in-place removal leaves the last element of the moment at
	 * the end of the backing array, which alias keeps */
	if (!(alive = malloc(n + 1)) || !(chain = malloc((n + 1) * sizeof *chain)) || index_init(&ix, n + m))
		goto nomem;
	memset(alive, 1, n + 1);
	for (i = n; i-- > 0;) {
		const json_t *k = key_of(json_array_get(orig, i), mk);
		long head = index_find(&ix, k);
		chain[i] = head;
		index_put(&ix, k, (long)i, 1);
	}
	{
		size_t len = n;
		long last = (long)n - 1;
		for (size_t d = 0; d < dels.n; d++)
			for (long e = index_find(&ix, dels.v[d]); e >= 0; e = chain[e]) {
				if (!alive[e])
					continue;
				if (alias)
					alias->v[len - 1] = json_array_get(orig, (size_t)last);
				alive[e] = 0;
				len--;
				while (last >= 0 && !alive[last])
					last--;
			}
	}
	json_array_foreach (orig, i, v)
		if (alive[i] && vec_push(&work, v))
			goto nomem;
	if (alias)
		for (i = 0; i < work.n; i++)
			alias->v[i] = work.v[i];
	index_free(&ix);

	if (replace) {
		/* the list becomes the patch's plain elements */
		for (i = 0; i < plain.n; i++)
			if (!json_object_get(plain.v[i], mk)) {
				err_no_merge_key(err, plain.v[i], mk);
				goto out;
			}
		for (i = 0; i < plain.n; i++) {
			json_t *c;
			if (copy_patch(plain.v[i], 0, &c) || !c || json_array_append_new(keep, c) || vec_push(&out, c))
				goto nomem;
		}
		res = array_of(&out, err);
		goto out;
	}

	/* mergeSliceWithoutSpecialElements; order keeps the list as it was
	 * before the appends, Go's original slice */
	if (index_vec(&ix, &work, mk, m))
		goto nomem;
	for (i = 0; i < work.n; i++)
		if (vec_push(&order, work.v[i]))
			goto nomem;
	{
		size_t cap_left = n - work.n; /* room in Go's backing array */
		for (i = 0; i < plain.n; i++) {
			json_t *pv = plain.v[i], *mv = json_object_get(pv, mk), *r;
			long at;
			if (!mv) {
				err_no_merge_key(err, pv, mk);
				goto out;
			}
			if ((at = index_find(&ix, mv)) >= 0) {
				if (!(r = merge_map(work.v[at], pv, elem, err)))
					goto out;
				if (json_array_append_new(keep, r))
					goto nomem;
				work.v[at] = r;
				continue;
			}
			if (copy_patch(pv, 0, &r) || !r || json_array_append_new(keep, r) || vec_push(&work, r))
				goto nomem;
			index_put(&ix, mv, (long)work.n - 1, 0);
			if (alias && cap_left) {
				alias->v[work.n - 1] = r;
				cap_left--;
			} else {
				cap_left = 0;
			}
		}
	}
	/* partitionMapsByPresentInList */
	if (index_vec(&px, &plain, mk, 0))
		goto nomem;
	for (i = 0; i < work.n; i++) {
		json_t *mv = json_object_get(work.v[i], mk);
		if (!mv) {
			err_no_merge_key(err, work.v[i], mk);
			goto out;
		}
		if (vec_push(index_find(&px, mv) >= 0 ? &pitems : &sonly, work.v[i]))
			goto nomem;
	}
	if (norm_elements(&pitems, &sonly, &plain, &order, mk, kind, &out, err))
		goto out;
	res = array_of(&out, err);
	goto out;
nomem:
	oom(err);
	json_decref(res);
	res = NULL;
out:
	json_decref(keep);
	free(alive);
	free(chain);
	index_free(&ix);
	index_free(&px);
	vec_free(&work);
	vec_free(&plain);
	vec_free(&dels);
	vec_free(&order);
	vec_free(&pitems);
	vec_free(&sonly);
	vec_free(&out);
	return res;
}

/* applyRetainKeysDirective */
static int retain_keys(json_t *orig, const json_t *patch, sk_err *err)
{
	const json_t *rk = json_object_get(patch, "$retainKeys");
	json_t *set, *v, *tmp;
	const char *k;
	size_t i;
	void *it;
	int rc = SK_OK;
	if (!rk)
		return SK_OK;
	if (!json_is_array(rk))
		return sk_fail(err, SK_EBADREQUEST, "invalid patch format of retainKeys");
	if (!(set = json_object()))
		return oom(err);
	json_array_foreach (rk, i, v) {
		if (json_is_object(v) || json_is_array(v)) {
			rc = err_unhashable(err, v);
			goto out;
		}
		if (json_is_string(v) && json_object_setn(set, json_string_value(v), json_string_length(v), json_null())) {
			rc = oom(err);
			goto out;
		}
	}
	json_object_foreach ((json_t *)patch, k, v) {
		if (!strcmp(k, "$retainKeys") || json_is_null(v) || has_prefix(k, "$deleteFromPrimitiveList") ||
		    has_prefix(k, "$setElementOrder"))
			continue;
		if (!json_object_get(set, k)) {
			rc = sk_fail(err, SK_EBADREQUEST, "invalid patch format of retainKeys");
			goto out;
		}
	}
	json_object_foreach_safe (orig, it, k, tmp)
		if (!json_object_get(set, k))
			json_object_del(orig, k);
out:
	json_decref(set);
	return rc;
}

/* validatePatchWithSetOrderList */
static int check_order(const json_t *pv, const json_t *so, const char *mk, sk_err *err)
{
	struct vec nd = {NULL, 0, 0};
	size_t pi = 0, si = 0, ns = json_array_size(so), i;
	json_t *v;
	int rc = SK_OK;
	if (!ns || !json_array_size(pv))
		return SK_OK;
	json_array_foreach (pv, i, v) {
		if (mk && !json_is_object(v)) {
			rc = err_bad_arg_type(err, MAPT, v);
			goto out;
		}
		if (mk && jstr_is(json_object_get(v, "$patch"), "delete"))
			continue;
		if (vec_push(&nd, v)) {
			rc = oom(err);
			goto out;
		}
	}
	while (pi < nd.n && si < ns) {
		json_t *a = nd.v[pi], *b = json_array_get(so, si);
		int eq;
		if (json_is_object(a) && json_object_get(a, "$patch")) {
			pi++;
			continue;
		}
		if (!mk) {
			eq = go_eq(a, b);
		} else {
			if (!json_is_object(a) || !json_is_object(b)) {
				rc = err_bad_arg_type(err, MAPT, json_is_object(a) ? b : a);
				goto out;
			}
			if (!json_object_get(a, mk) || !json_object_get(b, mk)) {
				rc = err_no_merge_key(err, json_object_get(a, mk) ? b : a, mk);
				goto out;
			}
			eq = go_eq(json_object_get(a, mk), json_object_get(b, mk));
		}
		if (eq)
			pi++;
		si++;
	}
	if (pi < nd.n && si >= ns) {
		struct gobuf a = {.n = 0}, b = {.n = 0};
		go_fmt(&a, pv, 'v');
		go_fmt(&b, so, 'v');
		rc = sk_fail(err, SK_EIO, "the order in patch list: %s doesn't match $setElementOrder list: %s", a.s,
		             b.s);
	}
out:
	vec_free(&nd);
	return rc;
}

/* partition merged by so: in the ordering list or server-only */
static int split_by_order(const json_t *merged, const json_t *so, const char *mk, struct vec *in, struct vec *rest,
                          sk_err *err)
{
	struct vec sv = {NULL, 0, 0};
	struct index ix = {0, NULL, NULL};
	size_t i, bad = (size_t)-1;
	json_t *v;
	int rc = SK_OK;
	json_array_foreach (so, i, v) {
		if (!mk && (json_is_object(v) || json_is_array(v))) {
			rc = err_unhashable(err, v);
			goto out;
		}
		/* findMapInSliceBasedOnKeyValue stops at the first non-map */
		if (mk && !json_is_object(v)) {
			bad = i;
			break;
		}
		if (vec_push(&sv, v)) {
			rc = oom(err);
			goto out;
		}
	}
	if (index_vec(&ix, &sv, mk, 0)) {
		rc = oom(err);
		goto out;
	}
	json_array_foreach (merged, i, v) {
		const json_t *k = v;
		if (!mk && (json_is_object(v) || json_is_array(v))) {
			rc = err_unhashable(err, v);
			goto out;
		}
		if (mk && !json_is_object(v)) {
			rc = err_bad_arg_type(err, MAPT, v);
			goto out;
		}
		if (mk && !(k = json_object_get(v, mk))) {
			rc = err_no_merge_key(err, v, mk);
			goto out;
		}
		if (index_find(&ix, k) < 0 && bad != (size_t)-1) {
			rc = sk_fail(err, SK_EIO, "value for key %zu is not a map", bad);
			goto out;
		}
		if (vec_push(index_find(&ix, k) >= 0 ? in : rest, v)) {
			rc = oom(err);
			goto out;
		}
	}
out:
	index_free(&ix);
	vec_free(&sv);
	return rc;
}

/* mergePatchIntoOriginal: each "$setElementOrder/<key>" with its list,
 * ordered; done collects the keys handled here */
static int set_element_order(json_t *orig, const json_t *patch, const struct schema_node *t, json_t *done,
                             sk_err *err)
{
	const char *k, *key;
	json_t *so;
	json_object_foreach ((json_t *)patch, k, so) {
		struct vec alias = {NULL, 0, 0}, in = {NULL, 0, 0}, rest = {NULL, 0, 0}, order = {NULL, 0, 0},
		           out = {NULL, 0, 0};
		json_t *ov, *pv, *merged = NULL, *res = NULL;
		struct fmeta fm;
		enum strat st;
		int kind, rc = SK_OK;
		if (!has_prefix(k, "$setElementOrder"))
			continue;
		if (!json_is_array(so))
			return err_bad_arg_type(err, SLICET, so);
		if (extract_key(k, "$setElementOrder", &key))
			return sk_fail(err, SK_EBADREQUEST, "invalid patch format of setElementOrder list");
		ov = json_object_get(orig, key);
		pv = json_object_get(patch, key);
		if (ov && !json_is_array(ov))
			return err_bad_arg_type(err, SLICET, ov);
		if (pv && !json_is_array(pv))
			return err_bad_arg_type(err, SLICET, pv);
		fm = field_meta(t, key);
		if (strategy_of(fm.tag, &st, err) || check_order(pv, so, fm.mk, err))
			return err->code;
		if (!ov && !pv)
			continue;
		if (ov && !pv) {
			merged = json_incref(ov);
			if (vec_of(&alias, ov))
				goto nomem;
		} else if (!ov) {
			if (copy_patch(pv, 1, &merged))
				goto nomem;
		} else if (st == ST_MERGE) {
			if (!(merged = merge_slice(ov, pv, elem_of(&fm), fm.mk, 0, &alias, err)))
				goto fail;
		} else {
			if (copy_patch(pv, 0, &merged) || vec_of(&alias, ov))
				goto nomem;
		}
		if (split_by_order(merged, so, fm.mk, &in, &rest, err) || (kind = slice_kind(ov, pv, err)) < 0)
			goto fail;
		if (vec_of(&order, so))
			goto nomem;
		if (norm_elements(&in, &rest, &order, &alias, fm.mk, kind, &out, err) || !(res = array_of(&out, err)))
			goto fail;
		if (json_object_set_new(orig, key, res) || json_object_set(done, key, json_true()))
			goto nomem;
		goto next;
	nomem:
		oom(err);
	fail:
		rc = err->code ? err->code : SK_ENOMEM;
	next:
		json_decref(merged);
		vec_free(&alias);
		vec_free(&in);
		vec_free(&rest);
		vec_free(&order);
		vec_free(&out);
		if (rc)
			return rc;
	}
	return SK_OK;
}

/* mergeMap: patch merged into the object orig, in place; the result (a new
 * reference: orig, or a new object for "$patch" directives), or NULL */
static json_t *merge_map(json_t *orig, const json_t *patch, const struct schema_node *t, sk_err *err)
{
	const json_t *d = json_object_get(patch, "$patch");
	json_t *done = NULL, *pv, *r;
	const char *k;
	if (d) {
		if (jstr_is(d, "delete")) {
			if (!(r = json_object()))
				oom(err);
			return r;
		}
		if (!jstr_is(d, "replace")) {
			err_bad_patch_type(err, d, patch);
			return NULL;
		}
		if (copy_patch(patch, 0, &r))
			oom(err);
		return r;
	}
	if (retain_keys(orig, patch, err))
		return NULL;
	if (!(done = json_object())) {
		oom(err);
		return NULL;
	}
	if (set_element_order(orig, patch, t, done, err))
		goto fail;
	json_object_foreach ((json_t *)patch, k, pv) {
		const char *key = k;
		int is_del = 0;
		json_t *ov;
		struct fmeta fm;
		enum strat st;
		if (!strcmp(k, "$retainKeys") || has_prefix(k, "$setElementOrder") || json_object_get(done, k))
			continue;
		if (has_prefix(k, "$deleteFromPrimitiveList")) {
			const char *rest;
			if (extract_key(k, "$deleteFromPrimitiveList", &rest)) {
				sk_fail(err, SK_EBADREQUEST, "invalid patch format of primitive list");
				goto fail;
			}
			is_del = 1;
			if (*rest)
				key = rest;
		}
		if (json_is_null(pv)) {
			json_object_del(orig, key);
			continue;
		}
		ov = json_object_get(orig, key);
		if (!ov || gtype(ov) != gtype(pv)) {
			if (!is_del && set_copy(orig, key, pv, 1, err))
				goto fail;
			continue;
		}
		if (gtype(ov) != GT_MAP && gtype(ov) != GT_SLICE) {
			if (set_copy(orig, key, pv, 1, err))
				goto fail;
			continue;
		}
		fm = field_meta(t, key);
		if (strategy_of(fm.tag, &st, err))
			goto fail;
		if (gtype(ov) == GT_MAP) {
			if (st == ST_REPLACE) {
				if (set_copy(orig, key, pv, 0, err))
					goto fail;
				continue;
			}
			r = merge_map(ov, pv, fm.type, err);
		} else if (st == ST_MERGE || is_del) {
			r = merge_slice(ov, pv, elem_of(&fm), fm.mk, is_del, NULL, err);
		} else {
			if (set_copy(orig, key, pv, 0, err))
				goto fail;
			continue;
		}
		if (!r || json_object_set_new(orig, key, r)) {
			if (r)
				oom(err);
			goto fail;
		}
	}
	json_decref(done);
	return json_incref(orig);
fail:
	if (!err->code)
		oom(err);
	json_decref(done);
	return NULL;
}

int patch_strategic(json_t **doc, const json_t *patch, const struct schema_node *type, sk_err *err)
{
	sk_err local = {0};
	json_t *r;
	if (!err)
		err = &local;
	err->code = SK_OK;
	if (json_is_null(patch))
		return SK_OK;
	if (!json_is_object(patch))
		return sk_fail(err, SK_EBADREQUEST, "json: cannot unmarshal %s into Go value of type map[string]interface {}",
		               json_word(patch));
	if (!json_is_object(*doc))
		return sk_fail(err, SK_EBADREQUEST, "invalid JSON document");
	if (too_deep(patch, PATCH_MAX_DEPTH))
		return sk_fail(err, SK_EBADREQUEST, "the patch nests deeper than %d levels", PATCH_MAX_DEPTH);
	if (!(r = merge_map(*doc, patch, deref(type), err)))
		return err->code ? err->code : oom(err);
	json_decref(*doc);
	*doc = r;
	return SK_OK;
}

/* ---- JSON merge patch ----------------------------------------------------- */

/* pruneNulls: null members and elements dropped, all the way down */
static json_t *prune_copy(const json_t *v)
{
	const char *k;
	size_t i;
	json_t *c, *r;
	if (json_is_object(v)) {
		if (!(r = json_object()))
			return NULL;
		json_object_foreach ((json_t *)v, k, c) {
			json_t *cc;
			if (json_is_null(c))
				continue;
			if (!(cc = prune_copy(c)) || json_object_set_new(r, k, cc)) {
				json_decref(r);
				return NULL;
			}
		}
		return r;
	}
	if (json_is_array(v)) {
		if (!(r = json_array()))
			return NULL;
		json_array_foreach (v, i, c) {
			json_t *cc;
			if (json_is_null(c))
				continue;
			if (!(cc = prune_copy(c)) || json_array_append_new(r, cc)) {
				json_decref(r);
				return NULL;
			}
		}
		return r;
	}
	return json_copy((json_t *)v);
}

/* mergeDocs of gopkg.in/evanphx/json-patch.v4 */
static int merge_docs(json_t *doc, const json_t *patch, sk_err *err)
{
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)patch, k, v) {
		json_t *cur, *nv;
		if (json_is_null(v)) {
			json_object_del(doc, k);
			continue;
		}
		cur = json_object_get(doc, k);
		if (cur && json_is_object(cur) && json_is_object(v)) {
			if (merge_docs(cur, v, err))
				return err->code;
			continue;
		}
		/* a patch value replacing an object keeps its nulls: the library
		 * only prunes when the document has no object there */
		nv = cur && json_is_object(cur) ? json_deep_copy(v) : prune_copy(v);
		if (!nv || json_object_set_new(doc, k, nv))
			return oom(err);
	}
	return SK_OK;
}

int patch_merge(json_t **doc, const json_t *patch, sk_err *err)
{
	sk_err local = {0};
	json_t *r;
	if (!err)
		err = &local;
	if (!patch || json_is_null(patch) || (!json_is_object(patch) && !json_is_array(patch)))
		return sk_fail(err, SK_EIO, "Invalid JSON Patch");
	if (too_deep(patch, PATCH_MAX_DEPTH))
		return sk_fail(err, SK_EBADREQUEST, "the patch nests deeper than %d levels", PATCH_MAX_DEPTH);
	if (!*doc || json_is_null(*doc))
		return sk_fail(err, SK_EIO, "Invalid JSON Document");
	if (json_is_object(patch) && json_is_object(*doc))
		return merge_docs(*doc, patch, err);
	/* either is no object: the (pruned) patch is the result */
	if (!(r = prune_copy(patch)))
		return oom(err);
	json_decref(*doc);
	*doc = r;
	return SK_OK;
}

/* ---- JSON patch ---------------------------------------------------------- */

struct jctx {
	json_t **root;
	long copied;
	sk_err *err;
};

#define JFAIL(c, ...) sk_fail((c)->err, SK_EINVALID, __VA_ARGS__)

/* strconv.Atoi; why receives Go's error text */
static int go_atoi(const char *s, long long *out, char *why, size_t cap)
{
	const char *p = s;
	unsigned long long v = 0, lim;
	int neg = 0, range = 0;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	lim = neg ? (unsigned long long)INT64_MAX + 1 : (unsigned long long)INT64_MAX;
	if (!*p)
		goto syntax;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			goto syntax;
		if (!range && (v > (lim - (unsigned long long)(*p - '0')) / 10))
			range = 1;
		else if (!range)
			v = v * 10 + (unsigned long long)(*p - '0');
	}
	if (range) {
		snprintf(why, cap, "strconv.Atoi: parsing \"%s\": value out of range", s);
		return -1;
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
syntax:
	snprintf(why, cap, "strconv.Atoi: parsing \"%s\": invalid syntax", s);
	return -1;
}

/* RFC 6901 token: "~1" is "/", "~0" is "~" */
static char *decode_token(const char *s, size_t n)
{
	char *r = malloc(n + 1), *o = r;
	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '~' && i + 1 < n && (s[i + 1] == '1' || s[i + 1] == '0')) {
			*o++ = s[i + 1] == '1' ? '/' : '~';
			i++;
		} else {
			*o++ = s[i];
		}
	}
	*o = 0;
	return r;
}

/* partialArray.get */
static int arr_get(json_t *a, const char *key, json_t **val, char *why, size_t cap)
{
	long long idx, len = (long long)json_array_size(a);
	if (go_atoi(key, &idx, why, cap))
		return -1;
	if (idx < 0) {
		if (idx < -len) {
			snprintf(why, cap, "Unable to access invalid index: %lld: invalid index referenced", idx);
			return -1;
		}
		idx += len;
	}
	if (idx >= len) {
		snprintf(why, cap, "Unable to access invalid index: %lld: invalid index referenced", idx);
		return -1;
	}
	*val = json_array_get(a, (size_t)idx);
	return 0;
}

/* findObject: the container of the path's last token, or NULL; *key gets
 * that token decoded, *levels the number of tokens. The first token is
 * whatever precedes the first "/" and is ignored, as the library does. */
static json_t *find_container(json_t *root, const char *path, char **key, size_t *levels, int *nomem)
{
	const char *p = strchr(path, '/'), *e;
	json_t *cur = root;
	*key = NULL;
	*levels = 1;
	if (!p || (!json_is_object(root) && !json_is_array(root)))
		return NULL;
	for (p++; (e = strchr(p, '/')); p = e + 1, (*levels)++) {
		char *tok = decode_token(p, (size_t)(e - p)), why[8];
		json_t *next = NULL;
		if (!tok) {
			*nomem = 1;
			return NULL;
		}
		if (json_is_object(cur))
			next = json_object_get(cur, tok);
		else if (arr_get(cur, tok, &next, why, sizeof why))
			next = NULL;
		free(tok);
		if (!next || (!json_is_object(next) && !json_is_array(next)))
			return NULL;
		cur = next;
	}
	if (!(*key = decode_token(p, strlen(p)))) {
		*nomem = 1;
		return NULL;
	}
	return cur;
}

/* container.add; val is stolen; why gets the library's error */
static int con_add(json_t *con, const char *key, json_t *val, char *why, size_t cap)
{
	long long idx, sz;
	if (json_is_object(con)) {
		if (json_object_set_new(con, key, val)) {
			snprintf(why, cap, "out of memory");
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "-"))
		return json_array_append_new(con, val) ? (snprintf(why, cap, "out of memory"), -1) : 0;
	if (go_atoi(key, &idx, why + 0, cap)) {
		char inner[256];
		snprintf(inner, sizeof inner, "%s", why);
		snprintf(why, cap, "value was not a proper array index: '%s': %s", key, inner);
		json_decref(val);
		return -1;
	}
	sz = (long long)json_array_size(con) + 1;
	if (idx >= sz || idx < -sz) {
		snprintf(why, cap, "Unable to access invalid index: %lld: invalid index referenced", idx);
		json_decref(val);
		return -1;
	}
	if (idx < 0)
		idx += sz;
	if (json_array_insert_new(con, (size_t)idx, val)) {
		snprintf(why, cap, "out of memory");
		return -1;
	}
	return 0;
}

/* container.remove */
static int con_remove(json_t *con, const char *key, char *why, size_t cap)
{
	long long idx, len;
	if (json_is_object(con)) {
		if (json_object_del(con, key)) {
			snprintf(why, cap, "Unable to remove nonexistent key: %s: missing value", key);
			return -1;
		}
		return 0;
	}
	if (go_atoi(key, &idx, why, cap))
		return -1;
	len = (long long)json_array_size(con);
	if (idx >= len || idx < -len) {
		snprintf(why, cap, "Unable to access invalid index: %lld: invalid index referenced", idx);
		return -1;
	}
	if (idx < 0)
		idx += len;
	json_array_remove(con, (size_t)idx);
	return 0;
}

/* the operation's string member, or NULL when absent or null (anything else
 * was refused while decoding) */
static const char *op_str(const json_t *op, const char *name)
{
	return json_string_value(json_object_get(op, name));
}

/* ours, not the library's: what a patch may nest, so nothing deeper than
 * the parser accepts is ever stored */
static int deep_check(struct jctx *c, const char *op, size_t levels, const json_t *v)
{
	if (v && too_deep(v, (int)(levels < PATCH_MAX_DEPTH ? PATCH_MAX_DEPTH - levels : 0)))
		return JFAIL(c, "%s operation does not apply: the document would nest deeper than %d levels", op,
		             PATCH_MAX_DEPTH);
	return SK_OK;
}

static int op_add(struct jctx *c, const json_t *op)
{
	const char *path = op_str(op, "path");
	const json_t *value = json_object_get(op, "value");
	char *key = NULL, why[600];
	size_t levels;
	int nomem = 0, rc;
	json_t *con, *v;
	if (!path)
		return JFAIL(c, "add operation failed to decode path: missing value");
	if (!(con = find_container(*c->root, path, &key, &levels, &nomem))) {
		free(key);
		return nomem ? oom(c->err) : JFAIL(c, "add operation does not apply: doc is missing path: \"%s\": missing value", path);
	}
	if ((rc = deep_check(c, "add", levels, value))) {
		free(key);
		return rc;
	}
	if (!(v = value ? json_deep_copy(value) : json_null())) {
		free(key);
		return oom(c->err);
	}
	rc = con_add(con, key, v, why, sizeof why) ? JFAIL(c, "error in add for path: '%s': %s", path, why) : SK_OK;
	free(key);
	return rc;
}

static int op_remove(struct jctx *c, const json_t *op)
{
	const char *path = op_str(op, "path");
	char *key = NULL, why[600];
	size_t levels;
	int nomem = 0, rc;
	json_t *con;
	if (!path)
		return JFAIL(c, "remove operation failed to decode path: missing value");
	if (!(con = find_container(*c->root, path, &key, &levels, &nomem))) {
		free(key);
		return nomem ? oom(c->err)
		             : JFAIL(c, "remove operation does not apply: doc is missing path: \"%s\": missing value", path);
	}
	rc = con_remove(con, key, why, sizeof why) ? JFAIL(c, "error in remove for path: '%s': %s", path, why) : SK_OK;
	free(key);
	return rc;
}

static int op_replace(struct jctx *c, const json_t *op)
{
	const char *path = op_str(op, "path");
	const json_t *value = json_object_get(op, "value");
	char *key = NULL, why[600];
	size_t levels;
	int nomem = 0, rc = SK_OK;
	json_t *con, *v = NULL, *old;
	if (!path)
		return JFAIL(c, "replace operation failed to decode path: operation missing path field: missing value");
	if (!*path) {
		if (!json_is_object(value) && !json_is_array(value))
			return JFAIL(c, "replace operation value must be object or array: %%!w(<nil>)");
		if ((rc = deep_check(c, "replace", 0, value)))
			return rc;
		if (!(v = json_deep_copy(value)))
			return oom(c->err);
		json_decref(*c->root);
		*c->root = v;
		return SK_OK;
	}
	if (!(con = find_container(*c->root, path, &key, &levels, &nomem))) {
		free(key);
		return nomem ? oom(c->err)
		             : JFAIL(c, "replace operation does not apply: doc is missing path: %s: missing value", path);
	}
	if (json_is_array(con) && arr_get(con, key, &old, why, sizeof why))
		rc = JFAIL(c, "replace operation does not apply: doc is missing key: %s: missing value", path);
	else if (!(rc = deep_check(c, "replace", levels, value)) && !(v = value ? json_deep_copy(value) : json_null()))
		rc = oom(c->err);
	if (!rc) {
		if (json_is_object(con)) {
			if (json_object_set_new(con, key, v))
				rc = oom(c->err);
		} else {
			long long idx;
			go_atoi(key, &idx, why, sizeof why);
			if (idx < 0)
				idx += (long long)json_array_size(con);
			if (json_array_set_new(con, (size_t)idx, v))
				rc = oom(c->err);
		}
	}
	free(key);
	return rc;
}

static int op_move(struct jctx *c, const json_t *op)
{
	const char *from = op_str(op, "from"), *path;
	char *key = NULL, *key2 = NULL, why[600];
	size_t levels;
	int nomem = 0, rc = SK_OK;
	json_t *con, *val = NULL;
	if (!from)
		return JFAIL(c, "move operation failed to decode from: operation, missing from field: missing value");
	if (!(con = find_container(*c->root, from, &key, &levels, &nomem))) {
		free(key);
		return nomem ? oom(c->err)
		             : JFAIL(c, "move operation does not apply: doc is missing from path: %s: missing value", from);
	}
	if (json_is_array(con) && arr_get(con, key, &val, why, sizeof why)) {
		rc = JFAIL(c, "error in move for path: '%s': %s", key, why);
		goto out;
	}
	if (json_is_object(con))
		val = json_object_get(con, key);
	val = json_incref(val);
	if (con_remove(con, key, why, sizeof why)) {
		rc = JFAIL(c, "error in move for path: '%s': %s", key, why);
		goto out;
	}
	if (!(path = op_str(op, "path"))) {
		rc = JFAIL(c, "move operation failed to decode path: operation missing path field: missing value");
		goto out;
	}
	if (!(con = find_container(*c->root, path, &key2, &levels, &nomem))) {
		rc = nomem ? oom(c->err)
		           : JFAIL(c, "move operation does not apply: doc is missing destination path: %s: missing value",
		                   path);
		goto out;
	}
	if ((rc = deep_check(c, "move", levels, val)))
		goto out;
	if (con_add(con, key2, val ? val : json_null(), why, sizeof why))
		rc = JFAIL(c, "error in move for path: '%s': %s", path, why);
	val = NULL;
out:
	json_decref(val);
	free(key);
	free(key2);
	return rc;
}

static int op_test(struct jctx *c, const json_t *op)
{
	const char *path = op_str(op, "path");
	const json_t *value = json_object_get(op, "value");
	char *key = NULL, why[600];
	size_t levels;
	int nomem = 0, rc = SK_OK;
	json_t *con, *val = NULL;
	if (!path)
		return JFAIL(c, "test operation failed to decode path: operation missing path field: missing value");
	if (!*path)
		return value && json_equal(*c->root, (json_t *)value) ? SK_OK
		                                                       : JFAIL(c, "testing value %s failed: test failed", path);
	if (!(con = find_container(*c->root, path, &key, &levels, &nomem))) {
		free(key);
		return nomem ? oom(c->err) : JFAIL(c, "test operation does not apply: is missing path: %s: missing value", path);
	}
	if (json_is_array(con) && arr_get(con, key, &val, why, sizeof why))
		rc = JFAIL(c, "error in test for path: '%s': %s", path, why);
	else {
		if (json_is_object(con))
			val = json_object_get(con, key);
		/* a missing or null member passes against a missing or null value */
		if (!val || json_is_null(val)) {
			if (value && !json_is_null(value))
				rc = JFAIL(c, "testing value %s failed: test failed", path);
		} else if (!value || !json_equal(val, (json_t *)value)) {
			rc = JFAIL(c, "testing value %s failed: test failed", path);
		}
	}
	free(key);
	return rc;
}

static int op_copy(struct jctx *c, const json_t *op)
{
	const char *from = op_str(op, "from"), *path;
	char *key = NULL, *key2 = NULL, why[600];
	size_t levels;
	int nomem = 0, rc = SK_OK;
	json_t *con, *val = NULL, *v;
	if (!from)
		return JFAIL(c, "copy operation failed to decode from: operation, missing from field: missing value");
	if (!(con = find_container(*c->root, from, &key, &levels, &nomem))) {
		free(key);
		return nomem ? oom(c->err)
		             : JFAIL(c, "copy operation does not apply: doc is missing from path: %s: missing value", from);
	}
	if (json_is_array(con) && arr_get(con, key, &val, why, sizeof why)) {
		rc = JFAIL(c, "error in copy for from: '%s': %s", from, why);
		goto out;
	}
	if (json_is_object(con))
		val = json_object_get(con, key);
	if (!(path = op_str(op, "path"))) {
		rc = JFAIL(c, "copy operation failed to decode path: missing value");
		goto out;
	}
	if (!(con = find_container(*c->root, path, &key2, &levels, &nomem))) {
		rc = nomem ? oom(c->err)
		           : JFAIL(c, "copy operation does not apply: doc is missing destination path: %s: missing value",
		                   path);
		goto out;
	}
	if ((rc = deep_check(c, "copy", levels, val)))
		goto out;
	/* the library counts the copied JSON's size against a budget */
	if (val && !json_is_null(val)) {
		c->copied += (long)json_dumpb(val, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
		if (c->copied > PATCH_MAX_COPY_BYTES) {
			rc = JFAIL(c,
			           "Unable to complete the copy, the accumulated size increase of copy is %ld, exceeding "
			           "the limit %ld",
			           c->copied, PATCH_MAX_COPY_BYTES);
			goto out;
		}
	}
	if (!(v = val ? json_deep_copy(val) : json_null())) {
		rc = oom(c->err);
		goto out;
	}
	if (con_add(con, key2, v, why, sizeof why))
		rc = JFAIL(c, "error while adding value during copy: %s", why);
out:
	free(key);
	free(key2);
	return rc;
}

/* The API server first decodes the patch strictly into its own operation
 * type (fieldValidation Warn, the default, or Strict): a wrong shape is a
 * 400 with encoding/json's message. */
static int decode_check(const json_t *patch, sk_err *err)
{
	size_t i;
	json_t *op, *v;
	const char *k;
	if (!json_is_array(patch))
		return sk_fail(err, SK_EBADREQUEST,
		               "error decoding patch: json: cannot unmarshal %s into Go value of type []handlers.jsonPatchOp",
		               json_word(patch));
	json_array_foreach (patch, i, op) {
		if (json_is_null(op))
			continue;
		if (!json_is_object(op))
			return sk_fail(err, SK_EBADREQUEST,
			               "error decoding patch: json: cannot unmarshal %s into Go value of type handlers.jsonPatchOp",
			               json_word(op));
		json_object_foreach (op, k, v)
			if ((!strcmp(k, "op") || !strcmp(k, "path") || !strcmp(k, "from")) && !json_is_string(v) &&
			    !json_is_null(v))
				return sk_fail(err, SK_EBADREQUEST,
				               "error decoding patch: json: cannot unmarshal %s into Go struct field jsonPatchOp.%s "
				               "of type string",
				               json_word(v), k);
	}
	return SK_OK;
}

int patch_json(json_t **doc, const json_t *patch, sk_err *err)
{
	struct jctx c = {doc, 0, err};
	sk_err local = {0};
	size_t i;
	json_t *op;
	if (!c.err)
		c.err = &local;
	if (json_is_null(patch))
		return SK_OK;
	if (decode_check(patch, c.err))
		return c.err->code;
	if (json_array_size(patch) > PATCH_MAX_OPS)
		return sk_fail(c.err, SK_ETOOLARGE,
		               "Request entity too large: The allowed maximum operations in a JSON patch is %d, got %zu",
		               PATCH_MAX_OPS, json_array_size(patch));
	if (too_deep(patch, PATCH_MAX_DEPTH + 2))
		return sk_fail(c.err, SK_EBADREQUEST, "error decoding patch: the patch nests deeper than %d levels",
		               PATCH_MAX_DEPTH);
	json_array_foreach (patch, i, op) {
		const char *kind = op_str(op, "op");
		int rc;
		if (!kind)
			kind = "unknown";
		if (!strcmp(kind, "add"))
			rc = op_add(&c, op);
		else if (!strcmp(kind, "remove"))
			rc = op_remove(&c, op);
		else if (!strcmp(kind, "replace"))
			rc = op_replace(&c, op);
		else if (!strcmp(kind, "move"))
			rc = op_move(&c, op);
		else if (!strcmp(kind, "test"))
			rc = op_test(&c, op);
		else if (!strcmp(kind, "copy"))
			rc = op_copy(&c, op);
		else
			rc = JFAIL(&c, "Unexpected kind: %s", kind);
		if (rc)
			return rc;
	}
	return SK_OK;
}
