/* obj.c — sk_obj: JSON values with path accessors, over jansson.
 *
 * Paths: segments separated by '.', array indexes as [N], and keys holding
 * punctuation quoted in brackets: metadata.labels["app.kubernetes.io/name"].
 */
#include "err.h"
#include "json.h"
#include <stdlib.h>
#include <string.h>

#define MAX_KEY 1024

void sk_mem_free(void *p) { free(p); }

sk_obj *sk_obj_new_object(void) { return O(json_object()); }
sk_obj *sk_obj_new_array(void) { return O(json_array()); }
sk_obj *sk_obj_new_str(const char *s) { return O(json_string(s ? s : "")); }
sk_obj *sk_obj_new_int(int64_t v) { return O(json_integer(v)); }
sk_obj *sk_obj_new_real(double v) { return O(json_real(v)); }
sk_obj *sk_obj_new_bool(int v) { return O(json_boolean(v)); }
sk_obj *sk_obj_new_null(void) { return O(json_null()); }

static int depth_ok(const json_t *j, int depth)
{
	if (depth > SK_OBJ_MAX_DEPTH)
		return 0;
	if (json_is_object(j)) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v) if (!depth_ok(v, depth + 1)) return 0;
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v) if (!depth_ok(v, depth + 1)) return 0;
	}
	return 1;
}

sk_obj *sk_obj_parse(const char *text, size_t len, sk_err *err)
{
	if (len > SK_OBJ_MAX_BYTES) {
		sk_fail(err, SK_ETOOLARGE, "document of %zu bytes exceeds the limit of %u bytes", len,
		        SK_OBJ_MAX_BYTES);
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (!j) {
		sk_fail(err, SK_EINVALID, "invalid JSON at line %d, column %d: %s", je.line, je.column, je.text);
		return NULL;
	}
	if (!depth_ok(j, 0)) {
		json_decref(j);
		sk_fail(err, SK_EINVALID, "invalid JSON: nested deeper than %d levels", SK_OBJ_MAX_DEPTH);
		return NULL;
	}
	return O(j);
}

char *sk_obj_dump(const sk_obj *o, int flags)
{
	size_t jf = JSON_ENCODE_ANY | JSON_REAL_PRECISION(17);
	if (flags & SK_DUMP_PRETTY)
		jf |= JSON_INDENT(2);
	else
		jf |= JSON_COMPACT;
	if (flags & SK_DUMP_SORTED)
		jf |= JSON_SORT_KEYS;
	return json_dumps(J(o), jf);
}

sk_obj *sk_obj_ref(sk_obj *o) { return O(json_incref(J(o))); }
void sk_obj_unref(sk_obj *o) { json_decref(J(o)); }
sk_obj *sk_obj_copy(const sk_obj *o) { return o ? O(json_deep_copy(J(o))) : NULL; }
int sk_obj_equal(const sk_obj *a, const sk_obj *b) { return json_equal(J(a), J(b)); }

sk_obj_type sk_obj_type_of(const sk_obj *o)
{
	if (!o)
		return SK_OBJ_NULL; /* a missing value, as sk_obj_get returns it */
	switch (json_typeof(J(o))) {
	case JSON_OBJECT: return SK_OBJ_OBJECT;
	case JSON_ARRAY: return SK_OBJ_ARRAY;
	case JSON_STRING: return SK_OBJ_STRING;
	case JSON_INTEGER: return SK_OBJ_INT;
	case JSON_REAL: return SK_OBJ_REAL;
	case JSON_TRUE:
	case JSON_FALSE: return SK_OBJ_BOOL;
	default: return SK_OBJ_NULL;
	}
}

/* One path segment: a key, or an array index. */
struct seg {
	int is_index;
	size_t index;
	char key[MAX_KEY];
};

/* Parses the segment at *p and advances past it (and a following '.').
 * Returns 1 on a segment, 0 at the end, -1 on a malformed path. */
static int next_seg(const char **p, struct seg *s)
{
	const char *c = *p;
	if (!*c)
		return 0;
	s->is_index = 0;
	if (*c == '[') {
		c++;
		if (*c == '"' || *c == '\'') {
			char q = *c++;
			size_t n = 0;
			while (*c && *c != q) {
				if (*c == '\\' && c[1])
					c++;
				if (n + 1 >= MAX_KEY)
					return -1;
				s->key[n++] = *c++;
			}
			if (*c != q || c[1] != ']')
				return -1;
			s->key[n] = 0;
			c += 2;
		} else {
			char *end;
			if (*c < '0' || *c > '9')
				return -1;
			unsigned long long v = strtoull(c, &end, 10);
			if (*end != ']')
				return -1;
			s->is_index = 1;
			s->index = (size_t)v;
			c = end + 1;
		}
	} else {
		size_t n = 0;
		while (*c && *c != '.' && *c != '[') {
			if (*c == '\\' && c[1])
				c++;
			if (n + 1 >= MAX_KEY)
				return -1;
			s->key[n++] = *c++;
		}
		if (n == 0)
			return -1;
		s->key[n] = 0;
	}
	if (*c == '.') {
		c++;
		if (!*c)
			return -1;
	} else if (*c && *c != '[') {
		return -1;
	}
	*p = c;
	return 1;
}

static json_t *step(json_t *cur, const struct seg *s)
{
	if (s->is_index)
		return json_is_array(cur) ? json_array_get(cur, s->index) : NULL;
	return json_is_object(cur) ? json_object_get(cur, s->key) : NULL;
}

/* A plain dotted segment ("metadata", "labels"), looked up where it lies
 * in the path: schedulers call sk_obj_get millions of times a second, and
 * copying each key first cost more than the lookup. 1: done, 0: not plain,
 * -1: malformed. */
static int plain_step(const char **p, json_t **cur)
{
	const char *c = *p;
	size_t n = strcspn(c, ".[\\");
	if (!n || c[n] == '\\' || n >= MAX_KEY)
		return 0; /* escapes and brackets take the full parser */
	if (c[n] == '.' && !c[n + 1])
		return -1;
	*cur = json_is_object(*cur) ? json_object_getn(*cur, c, n) : NULL;
	*p = c + n + (c[n] == '.');
	return 1;
}

sk_obj *sk_obj_key(const sk_obj *o, const char *key)
{
	json_t *cur = J(o);
	return key && json_is_object(cur) ? O(json_object_get(cur, key)) : NULL;
}

sk_obj *sk_obj_get(const sk_obj *o, const char *path)
{
	json_t *cur = J(o);
	struct seg s;
	int r;
	if (!cur || !path)
		return NULL;
	while (*path && *path != '[') {
		int pr = plain_step(&path, &cur);
		if (pr < 0)
			return NULL;
		if (!pr)
			break;
		if (!cur)
			return NULL;
	}
	while ((r = next_seg(&path, &s)) == 1) {
		cur = step(cur, &s);
		if (!cur)
			return NULL;
	}
	return r < 0 ? NULL : O(cur);
}

const char *sk_obj_get_str(const sk_obj *o, const char *path)
{
	return json_string_value(J(sk_obj_get(o, path)));
}

int64_t sk_obj_get_int(const sk_obj *o, const char *path, int64_t dflt)
{
	json_t *j = J(sk_obj_get(o, path));
	if (json_is_integer(j))
		return json_integer_value(j);
	if (json_is_real(j))
		return (int64_t)json_real_value(j);
	return dflt;
}

double sk_obj_get_real(const sk_obj *o, const char *path, double dflt)
{
	json_t *j = J(sk_obj_get(o, path));
	return json_is_number(j) ? json_number_value(j) : dflt;
}

int sk_obj_get_bool(const sk_obj *o, const char *path, int dflt)
{
	json_t *j = J(sk_obj_get(o, path));
	return json_is_boolean(j) ? json_is_true(j) : dflt;
}

/* Walks to the parent of the last segment, creating objects on the way. */
static json_t *walk_create(json_t *root, const char *path, struct seg *last, sk_err *err)
{
	json_t *cur = root;
	struct seg s;
	const char *p = path;
	int r = next_seg(&p, &s);
	if (r != 1) {
		sk_fail(err, SK_EINVALID, "malformed path '%s'", path);
		return NULL;
	}
	for (;;) {
		struct seg nx;
		const char *q = p;
		int rn = next_seg(&q, &nx);
		if (rn < 0) {
			sk_fail(err, SK_EINVALID, "malformed path '%s'", path);
			return NULL;
		}
		if (rn == 0) {
			*last = s;
			return cur;
		}
		json_t *child = step(cur, &s);
		if (!child) {
			if (s.is_index || !json_is_object(cur)) {
				sk_fail(err, SK_EINVALID, "path '%s' does not exist", path);
				return NULL;
			}
			child = nx.is_index ? json_array() : json_object();
			/* jansson refuses keys that are not UTF-8, and frees child then */
			if (json_object_set_new(cur, s.key, child) != 0) {
				sk_fail(err, SK_EINVALID, "invalid key in path '%s'", path);
				return NULL;
			}
		}
		cur = child;
		s = nx;
		p = q;
	}
}

static int set_new(sk_obj *o, const char *path, json_t *v, sk_err *err)
{
	struct seg last;
	if (!v)
		return sk_fail(err, SK_ENOMEM, "out of memory");
	json_t *parent = o ? walk_create(J(o), path, &last, err) : NULL;
	if (!parent) {
		json_decref(v);
		return err ? err->code : SK_EINVALID;
	}
	if (last.is_index) {
		if (!json_is_array(parent) || last.index > json_array_size(parent)) {
			json_decref(v);
			return sk_fail(err, SK_EINVALID, "index out of range in path '%s'", path);
		}
		if (last.index == json_array_size(parent))
			json_array_append_new(parent, v);
		else
			json_array_set_new(parent, last.index, v);
		return SK_OK;
	}
	if (!json_is_object(parent)) {
		json_decref(v);
		return sk_fail(err, SK_EINVALID, "path '%s' crosses a non-object", path);
	}
	if (json_object_set_new(parent, last.key, v) != 0)
		return sk_fail(err, SK_EINVALID, "invalid key in path '%s'", path);
	return SK_OK;
}

int sk_obj_set(sk_obj *o, const char *path, sk_obj *value, sk_err *err)
{
	return set_new(o, path, json_incref(J(value)), err);
}
int sk_obj_set_str(sk_obj *o, const char *path, const char *v, sk_err *err)
{
	return set_new(o, path, json_string(v ? v : ""), err);
}
int sk_obj_set_int(sk_obj *o, const char *path, int64_t v, sk_err *err)
{
	return set_new(o, path, json_integer(v), err);
}
int sk_obj_set_bool(sk_obj *o, const char *path, int v, sk_err *err)
{
	return set_new(o, path, json_boolean(v), err);
}

int sk_obj_del(sk_obj *o, const char *path)
{
	struct seg s, nx;
	const char *p = path;
	json_t *cur = J(o);
	if (!cur || next_seg(&p, &s) != 1)
		return SK_EINVALID;
	for (;;) {
		const char *q = p;
		int r = next_seg(&q, &nx);
		if (r < 0)
			return SK_EINVALID;
		if (r == 0)
			break;
		cur = step(cur, &s);
		if (!cur)
			return SK_ENOTFOUND;
		s = nx;
		p = q;
	}
	if (s.is_index)
		return json_is_array(cur) && json_array_remove(cur, s.index) == 0 ? SK_OK : SK_ENOTFOUND;
	return json_is_object(cur) && json_object_del(cur, s.key) == 0 ? SK_OK : SK_ENOTFOUND;
}

size_t sk_obj_len(const sk_obj *o)
{
	json_t *j = J(o);
	if (json_is_array(j))
		return json_array_size(j);
	if (json_is_object(j))
		return json_object_size(j);
	if (json_is_string(j))
		return json_string_length(j);
	return 0;
}

sk_obj *sk_obj_at(const sk_obj *arr, size_t i) { return O(json_array_get(J(arr), i)); }

int sk_obj_append(sk_obj *arr, sk_obj *value)
{
	return json_array_append(J(arr), J(value)) == 0 ? SK_OK : SK_EINVALID;
}

int sk_obj_foreach(const sk_obj *o, sk_obj_visit_fn fn, void *ud)
{
	json_t *j = J(o);
	int r;
	if (json_is_object(j)) {
		const char *k;
		json_t *v;
		json_object_foreach(j, k, v) if ((r = fn(ud, k, O(v))) != 0) return r;
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v) if ((r = fn(ud, NULL, O(v))) != 0) return r;
	}
	return 0;
}

const char *sk_obj_str(const sk_obj *o) { return json_string_value(J(o)); }

int64_t sk_obj_int(const sk_obj *o)
{
	json_t *j = J(o);
	if (json_is_integer(j))
		return json_integer_value(j);
	if (json_is_real(j))
		return (int64_t)json_real_value(j);
	return 0;
}
