/* fieldset.c — field path sets: order, operations, FieldsV1 and path text. */
#include "fieldset.h"
#include "err.h"
#include "gojson.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- order of values and path elements (SMD's value.Compare) ---- */

static int rank(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_INTEGER:
	case JSON_REAL: return 0;
	case JSON_STRING: return 1;
	case JSON_TRUE:
	case JSON_FALSE: return 2;
	case JSON_ARRAY: return 3;
	case JSON_OBJECT: return 4;
	default: return 5;
	}
}

static int num_cmp(const json_t *a, const json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b)) {
		json_int_t x = json_integer_value(a), y = json_integer_value(b);
		return x < y ? -1 : x > y;
	}
	/* an int and a float compare as numbers, as in SMD */
	double x = json_number_value(a), y = json_number_value(b);
	return x < y ? -1 : x > y;
}

static int keys_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char **sorted_keys(const json_t *o, size_t *n)
{
	*n = json_object_size(o);
	const char **k = malloc((*n ? *n : 1) * sizeof *k);
	if (!k)
		return NULL;
	size_t i = 0;
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v)
		k[i++] = key;
	qsort(k, *n, sizeof *k, keys_cmp);
	return k;
}

int value_cmp(const json_t *a, const json_t *b)
{
	int ra = rank(a), rb = rank(b);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	switch (ra) {
	case 0:
		return num_cmp(a, b);
	case 1: {
		size_t la = json_string_length(a), lb = json_string_length(b);
		int c = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);
		return c ? (c < 0 ? -1 : 1) : (la < lb ? -1 : la > lb);
	}
	case 2:
		return json_is_true(a) == json_is_true(b) ? 0 : (json_is_true(a) ? 1 : -1);
	case 3: {
		size_t na = json_array_size(a), nb = json_array_size(b);
		for (size_t i = 0; i < na && i < nb; i++) {
			int c = value_cmp(json_array_get(a, i), json_array_get(b, i));
			if (c)
				return c;
		}
		return na < nb ? -1 : na > nb;
	}
	case 4: {
		size_t na, nb;
		const char **ka = sorted_keys(a, &na), **kb = sorted_keys(b, &nb);
		int c = 0;
		if (!ka || !kb) {
			c = na < nb ? -1 : na > nb;
		} else {
			size_t i = 0;
			for (; !c && i < na && i < nb; i++) {
				c = strcmp(ka[i], kb[i]);
				if (c)
					c = c < 0 ? -1 : 1;
				else
					c = value_cmp(json_object_get(a, ka[i]), json_object_get(b, kb[i]));
			}
			if (!c)
				c = na < nb ? -1 : na > nb;
		}
		free(ka);
		free(kb);
		return c;
	}
	default:
		return 0;
	}
}

int value_eq(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return num_cmp(a, b) == 0;
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       !memcmp(json_string_value(a), json_string_value(b), json_string_length(a));
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!value_eq(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	case JSON_OBJECT: {
		if (json_object_size(a) != json_object_size(b))
			return 0;
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)a, k, v) {
			json_t *w = json_object_get(b, k);
			if (!w || !value_eq(v, w))
				return 0;
		}
		return 1;
	}
	default:
		return 1;
	}
}

/* SMD's FieldList.Compare: fields pairwise by name, then value; shorter first */
static int key_cmp(const json_t *a, const json_t *b)
{
	void *ia = json_object_iter((json_t *)a), *ib = json_object_iter((json_t *)b);
	for (; ia && ib; ia = json_object_iter_next((json_t *)a, ia), ib = json_object_iter_next((json_t *)b, ib)) {
		int c = strcmp(json_object_iter_key(ia), json_object_iter_key(ib));
		if (c)
			return c < 0 ? -1 : 1;
		c = value_cmp(json_object_iter_value(ia), json_object_iter_value(ib));
		if (c)
			return c;
	}
	return ia ? 1 : ib ? -1 : 0;
}

int pe_cmp(const struct pe *a, const struct pe *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	switch (a->kind) {
	case PE_FIELD: {
		int c = strcmp(a->name, b->name);
		return c < 0 ? -1 : c > 0;
	}
	case PE_KEY:
		return key_cmp(a->val, b->val);
	case PE_VALUE:
		return value_cmp(a->val, b->val);
	default:
		return a->index < b->index ? -1 : a->index > b->index;
	}
}

/* ---- nodes ---- */

static struct fieldset *node_new(const struct pe *pe)
{
	/* one allocation holds a field's name too: sets are built on every write */
	size_t extra = pe && pe->kind == PE_FIELD ? strlen(pe->name) + 1 : 0;
	struct fieldset *s = calloc(1, sizeof *s + extra);
	if (!s || !pe)
		return s;
	s->pe.kind = pe->kind;
	s->pe.index = pe->index;
	if (pe->kind == PE_FIELD)
		s->pe.name = memcpy(s + 1, pe->name, extra);
	else if (pe->kind == PE_KEY || pe->kind == PE_VALUE)
		s->pe.val = json_incref((json_t *)pe->val);
	return s;
}

struct fieldset *fieldset_new(void) { return node_new(NULL); }

void fieldset_free(struct fieldset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		fieldset_free(s->kids[i]);
	free(s->kids);
	json_decref((json_t *)s->pe.val);
	free(s);
}

static int push(struct fieldset *s, struct fieldset *kid)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4;
		struct fieldset **k = realloc(s->kids, cap * sizeof *k);
		if (!k)
			return -1;
		s->kids = k;
		s->cap = cap;
	}
	s->kids[s->n++] = kid;
	return 0;
}

int fieldset_empty(const struct fieldset *s) { return !s || s->n == 0; }

static int cmp_nodes(const void *a, const void *b)
{
	return pe_cmp(&(*(struct fieldset *const *)a)->pe, &(*(struct fieldset *const *)b)->pe);
}

/* b's paths into a, b freed; 0, or -1 (out of memory: both kept) */
static int absorb(struct fieldset *a, struct fieldset *b)
{
	if (b->n && a->n + b->n > a->cap) {
		struct fieldset **k = realloc(a->kids, (a->n + b->n) * sizeof *k);
		if (!k)
			return -1;
		a->kids = k;
		a->cap = a->n + b->n;
	}
	if (b->n)
		memcpy(a->kids + a->n, b->kids, b->n * sizeof *b->kids);
	a->unsorted |= a->n && b->n;
	a->n += b->n;
	a->member |= b->member;
	b->n = 0;
	fieldset_free(b);
	return 0;
}

/* sorts s's children, merging repeated elements */
static void settle(struct fieldset *s)
{
	if (!s->unsorted)
		return;
	qsort(s->kids, s->n, sizeof *s->kids, cmp_nodes);
	size_t j = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (j && !pe_cmp(&s->kids[j - 1]->pe, &s->kids[i]->pe) && !absorb(s->kids[j - 1], s->kids[i]))
			continue;
		s->kids[j++] = s->kids[i];
	}
	s->n = j;
	s->unsorted = 0;
}

/* index of pe among s's children, or of where it would go (*found = 0) */
static size_t search(const struct fieldset *s, const struct pe *pe, int *found)
{
	*found = 0;
	if (s->unsorted)
		settle((struct fieldset *)s); /* a set being built: sorted once, here */
	if (!s->n)
		return 0;
	/* sets are mostly built in order: try the end first */
	int c = pe_cmp(&s->kids[s->n - 1]->pe, pe);
	if (c < 0)
		return s->n;
	if (c == 0) {
		*found = 1;
		return s->n - 1;
	}
	size_t lo = 0, hi = s->n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		c = pe_cmp(&s->kids[mid]->pe, pe);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct fieldset *fieldset_find(const struct fieldset *s, const struct pe *pe)
{
	int found;
	size_t i = search(s, pe, &found);
	return found ? s->kids[i] : NULL;
}

struct fieldset *fieldset_child(struct fieldset *s, const struct pe *pe, int create)
{
	int found;
	size_t i = search(s, pe, &found);
	if (found)
		return s->kids[i];
	if (!create)
		return NULL;
	struct fieldset *k = node_new(pe);
	if (!k || push(s, k)) {
		fieldset_free(k);
		return NULL;
	}
	memmove(s->kids + i + 1, s->kids + i, (s->n - 1 - i) * sizeof *s->kids);
	s->kids[i] = k;
	return k;
}

struct fieldset *fieldset_append(struct fieldset *s, const struct pe *pe)
{
	int c = s->n ? pe_cmp(&s->kids[s->n - 1]->pe, pe) : -1;
	if (!c)
		return s->kids[s->n - 1];
	struct fieldset *k = node_new(pe);
	if (!k || push(s, k)) {
		fieldset_free(k);
		return NULL;
	}
	if (c > 0)
		s->unsorted = 1;
	return k;
}

void fieldset_finish(struct fieldset *s)
{
	settle(s);
	size_t j = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct fieldset *k = s->kids[i];
		fieldset_finish(k);
		if (k->member || k->n)
			s->kids[j++] = k;
		else
			fieldset_free(k);
	}
	s->n = j;
}

int fieldset_insert(struct fieldset *s, const struct pe *const *pes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(s = fieldset_child(s, pes[i], 1)))
			return -1;
	if (n)
		s->member = 1;
	return 0;
}

static struct fieldset *copy_node(const struct fieldset *s, int root)
{
	struct fieldset *c = node_new(root ? NULL : &s->pe);
	if (!c)
		return NULL;
	c->member = s->member;
	for (size_t i = 0; i < s->n; i++) {
		struct fieldset *k = copy_node(s->kids[i], 0);
		if (!k || push(c, k)) {
			fieldset_free(k);
			fieldset_free(c);
			return NULL;
		}
	}
	return c;
}

struct fieldset *fieldset_copy(const struct fieldset *s) { return copy_node(s, 1); }

int fieldset_equal(const struct fieldset *a, const struct fieldset *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct fieldset *x = a->kids[i], *y = b->kids[i];
		if (x->member != y->member || pe_cmp(&x->pe, &y->pe) || !fieldset_equal(x, y))
			return 0;
	}
	return 1;
}

/* ---- operations: merge-joins over the sorted children ---- */

enum op { OP_UNION, OP_DIFF, OP_INTER, OP_RDIFF };

/* The children of a `op` b into out (whose own flag the caller sets). */
static int combine(struct fieldset *out, const struct fieldset *a, const struct fieldset *b, enum op op)
{
	size_t i = 0, j = 0;
	while (i < a->n || j < b->n) {
		const struct fieldset *x = i < a->n ? a->kids[i] : NULL, *y = j < b->n ? b->kids[j] : NULL;
		int c = !x ? 1 : !y ? -1 : pe_cmp(&x->pe, &y->pe);
		struct fieldset *k = NULL;
		if (c < 0) {
			i++;
			if (op == OP_INTER)
				continue;
			k = copy_node(x, 0); /* only in a: kept by union and differences */
		} else if (c > 0) {
			j++;
			if (op != OP_UNION)
				continue;
			k = copy_node(y, 0);
		} else {
			i++, j++;
			if (op == OP_RDIFF && y->member)
				continue;
			if (!(k = node_new(&x->pe)) || combine(k, x, y, op)) {
				fieldset_free(k);
				return -1;
			}
			switch (op) {
			case OP_UNION: k->member = x->member || y->member; break;
			case OP_DIFF: k->member = x->member && !y->member; break;
			case OP_INTER: k->member = x->member && y->member; break;
			case OP_RDIFF: k->member = x->member; break;
			}
			if (!k->member && !k->n) {
				fieldset_free(k);
				continue;
			}
		}
		if (!k || push(out, k)) {
			fieldset_free(k);
			return -1;
		}
	}
	return 0;
}

static struct fieldset *op_new(const struct fieldset *a, const struct fieldset *b, enum op op)
{
	struct fieldset *s = fieldset_new();
	if (s && combine(s, a, b, op)) {
		fieldset_free(s);
		return NULL;
	}
	return s;
}

struct fieldset *fieldset_union(const struct fieldset *a, const struct fieldset *b)
{
	return op_new(a, b, OP_UNION);
}

struct fieldset *fieldset_difference(const struct fieldset *a, const struct fieldset *b)
{
	return op_new(a, b, OP_DIFF);
}

struct fieldset *fieldset_intersection(const struct fieldset *a, const struct fieldset *b)
{
	return op_new(a, b, OP_INTER);
}

struct fieldset *fieldset_recursive_difference(const struct fieldset *a, const struct fieldset *b)
{
	return op_new(a, b, OP_RDIFF);
}

/* replaces a's children with those of r */
static int take(struct fieldset *a, struct fieldset *r)
{
	if (!r)
		return -1;
	for (size_t i = 0; i < a->n; i++)
		fieldset_free(a->kids[i]);
	free(a->kids);
	a->kids = r->kids;
	a->n = r->n;
	a->cap = r->cap;
	r->kids = NULL;
	r->n = r->cap = 0;
	fieldset_free(r);
	return 0;
}

int fieldset_add(struct fieldset *a, const struct fieldset *b)
{
	return b->n ? take(a, fieldset_union(a, b)) : 0;
}

int fieldset_remove(struct fieldset *a, const struct fieldset *b)
{
	return b->n && a->n ? take(a, fieldset_difference(a, b)) : 0;
}

/* ---- FieldsV1 ---- */

char *pe_key_string(const struct pe *pe)
{
	char *v, *out;
	switch (pe->kind) {
	case PE_FIELD:
		if (!(out = malloc(strlen(pe->name) + 3)))
			return NULL;
		strcpy(out, "f:");
		strcpy(out + 2, pe->name);
		return out;
	case PE_INDEX:
		if (!(out = malloc(32)))
			return NULL;
		snprintf(out, 32, "i:%ld", pe->index);
		return out;
	default:
		/* key fields are kept in name order, which is also Go's */
		if (!(v = gojson_dumps(pe->val, 1)))
			return NULL;
		if ((out = malloc(strlen(v) + 3))) {
			strcpy(out, pe->kind == PE_KEY ? "k:" : "v:");
			strcpy(out + 2, v);
		}
		free(v);
		return out;
	}
}

static json_t *to_json(const struct fieldset *s)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	if (s->member && s->n && json_object_set_new(o, ".", json_object()))
		goto fail;
	for (size_t i = 0; i < s->n; i++) {
		const struct pe *pe = &s->kids[i]->pe;
		char small[128], *key = small;
		/* field keys, nearly all of them, without an allocation */
		size_t len = pe->kind == PE_FIELD ? strlen(pe->name) : sizeof small;
		if (len < sizeof small - 2) {
			small[0] = 'f';
			small[1] = ':';
			memcpy(small + 2, pe->name, len + 1);
		} else
			key = pe_key_string(pe);
		json_t *sub = key ? to_json(s->kids[i]) : NULL;
		int bad = !sub || json_object_set_new(o, key, sub);
		if (key != small)
			free(key);
		if (bad)
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

json_t *fieldset_to_json(const struct fieldset *s)
{
	/* the root's own flag means nothing */
	struct fieldset root = *s;
	root.member = 0;
	return to_json(&root);
}

/* a k: object rebuilt with its fields in name order, as SMD sorts them */
static json_t *sorted_key(const json_t *o)
{
	size_t n;
	const char **k = sorted_keys(o, &n);
	json_t *out = k ? json_object() : NULL;
	for (size_t i = 0; out && i < n; i++)
		if (json_object_set(out, k[i], json_object_get(o, k[i]))) {
			json_decref(out);
			out = NULL;
		}
	free(k);
	return out;
}

/* Parses one FieldsV1 key: 1 done, 0 an unknown kind (dropped), -1 error.
 * *own holds the parsed value the element points into. */
static int parse_pe(const char *key, struct pe *pe, json_t **own, sk_err *err)
{
	*own = NULL;
	memset(pe, 0, sizeof *pe);
	size_t len = strlen(key);
	if (len < 2)
		return -sk_fail(err, SK_EINVALID, "parsing key as path element: key must be 2 characters long");
	const char *rest = key + 2;
	if (!strncmp(key, "f:", 2)) {
		pe->kind = PE_FIELD;
		pe->name = rest;
		return 1;
	}
	if (!strncmp(key, "i:", 2)) {
		char *end;
		errno = 0;
		long i = strtol(rest, &end, 10);
		if (!*rest || *end || errno || i < INT_MIN || i > INT_MAX)
			return -sk_fail(err, SK_EINVALID, "parsing key as path element: invalid index \"%s\"", rest);
		pe->kind = PE_INDEX;
		pe->index = i;
		return 1;
	}
	if (strncmp(key, "k:", 2) && strncmp(key, "v:", 2))
		return 0;
	json_error_t je;
	json_t *v = json_loads(rest, JSON_DECODE_ANY, &je);
	if (!v)
		return -sk_fail(err, SK_EINVALID, "parsing key as path element: %s", je.text);
	if (key[0] == 'k') {
		json_t *k = json_is_object(v) ? sorted_key(v) : NULL;
		json_decref(v);
		if (!k)
			return -sk_fail(err, SK_EINVALID, "parsing key as path element: a key must be a JSON object");
		v = k;
		pe->kind = PE_KEY;
	} else {
		pe->kind = PE_VALUE;
	}
	pe->val = v;
	*own = v;
	return 1;
}

static int from_json(struct fieldset *s, const json_t *o, int depth, sk_err *err)
{
	if (!json_is_object(o))
		return -sk_fail(err, SK_EINVALID, "fieldsV1: expected an object, got %s",
		                json_is_array(o) ? "an array" : "a scalar");
	if (depth > FIELDSET_MAX_DEPTH)
		return -sk_fail(err, SK_EINVALID, "fieldsV1 nests deeper than %d levels", FIELDSET_MAX_DEPTH);
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v) {
		if (!strcmp(key, ".")) {
			if (!json_is_object(v))
				return -sk_fail(err, SK_EINVALID, "fieldsV1: expected an object for \".\"");
			continue;
		}
		struct pe pe;
		json_t *own;
		int r = parse_pe(key, &pe, &own, err);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		struct fieldset *k = fieldset_append(s, &pe);
		json_decref(own);
		if (!k)
			return -sk_fail(err, SK_ENOMEM, "out of memory");
		size_t before = k->n;
		if (from_json(k, v, depth + 1, err))
			return -1;
		/* a member when it says so or leads nowhere */
		if (json_object_get(v, ".") || k->n == before)
			k->member = 1;
	}
	return 0;
}

struct fieldset *fieldset_from_json(const json_t *fields, sk_err *err)
{
	struct fieldset *s = fieldset_new();
	if (!s) {
		sk_fail(err, SK_ENOMEM, "out of memory");
		return NULL;
	}
	if (fields && from_json(s, fields, 0, err)) {
		fieldset_free(s);
		return NULL;
	}
	fieldset_finish(s);
	return s;
}

/* ---- printing paths ---- */

struct walk {
	char *buf;
	size_t len, cap;
	int (*fn)(const char *, void *);
	void *ud;
};

static int append(struct walk *w, const char *s)
{
	size_t n = strlen(s);
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 128;
		while (cap < w->len + n + 1)
			cap *= 2;
		char *b = realloc(w->buf, cap);
		if (!b)
			return -1;
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n + 1);
	w->len += n;
	return 0;
}

/* SMD's PathElement.String */
static int append_pe(struct walk *w, const struct pe *pe)
{
	char num[32];
	int r = 0;
	switch (pe->kind) {
	case PE_FIELD:
		return append(w, ".") || append(w, pe->name) ? -1 : 0;
	case PE_INDEX:
		snprintf(num, sizeof num, "[%ld]", pe->index);
		return append(w, num);
	case PE_VALUE: {
		char *v = gojson_value_string(pe->val);
		r = !v || append(w, "[=") || append(w, v) || append(w, "]") ? -1 : 0;
		free(v);
		return r;
	}
	case PE_KEY: {
		if (append(w, "["))
			return -1;
		const char *k;
		json_t *v;
		int first = 1;
		json_object_foreach((json_t *)pe->val, k, v) {
			char *s = gojson_value_string(v);
			r = !s || (!first && append(w, ",")) || append(w, k) || append(w, "=") || append(w, s);
			free(s);
			if (r)
				return -1;
			first = 0;
		}
		return append(w, "]");
	}
	}
	return -1;
}

static int each(struct walk *w, const struct fieldset *s)
{
	size_t mark = w->len;
	int r;
	for (size_t i = 0; i < s->n; i++) {
		if (!s->kids[i]->member)
			continue;
		if (append_pe(w, &s->kids[i]->pe))
			return -1;
		r = w->fn(w->buf, w->ud);
		w->len = mark;
		w->buf[mark] = 0;
		if (r)
			return r;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (!s->kids[i]->n)
			continue;
		if (append_pe(w, &s->kids[i]->pe))
			return -1;
		r = each(w, s->kids[i]);
		w->len = mark;
		w->buf[mark] = 0;
		if (r)
			return r;
	}
	return 0;
}

int fieldset_each(const struct fieldset *s, int (*fn)(const char *path, void *ud), void *ud)
{
	struct walk w = {.fn = fn, .ud = ud};
	if (append(&w, ""))
		return -1;
	int r = each(&w, s);
	free(w.buf);
	return r;
}

char *pe_path_string(const struct pe *const *pes, size_t n)
{
	struct walk w = {0};
	if (append(&w, ""))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (append_pe(&w, pes[i])) {
			free(w.buf);
			return NULL;
		}
	return w.buf;
}
