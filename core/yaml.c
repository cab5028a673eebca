/* yaml.c — libyaml events to a position-keeping node tree, and that tree to JSON.
 *
 * The tree is built from libyaml's event stream by recursive descent; the
 * nesting cap bounds the recursion. Aliases are expanded by copying, so the
 * tree is a plain tree that callers can walk and free without care, and the
 * copying is capped per document to stop "billion laughs" inputs.
 */
/* This header's name shadows libyaml's <yaml.h> on the -Icore path. Asked
 * for this way, core/yaml.h pulls libyaml's in behind itself (see there);
 * without -Icore the first line simply finds libyaml's. */
#define SKIFF_YAML_LIBYAML
#include <yaml.h>
#include "yaml.h"

#include "err.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_PREFIX "tag:yaml.org,2002:"

struct loader {
	yaml_parser_t parser;
	const char *buf;
	size_t len;
	const char *file;
	sk_err *err;
	/* anchors: name -> index into anchored, the latest definition winning;
	 * the nodes are owned by the tree or by the spare list */
	json_t *anchors;
	const struct yaml_node **anchored;
	size_t n_anchored;
	/* merge sources taken out of the tree but still reachable through anchors */
	struct yaml_node **spare;
	size_t n_spare, cap_spare;
	size_t alias_nodes, alias_bytes;
	int depth;          /* collections open around the node being built */
	int doc_line, doc_col;
};

static const char *label(const char *file) { return file ? file : "<input>"; }

static int failv(const char *file, sk_err *err, int line, int col, int code, const char *fmt,
                 va_list ap)
{
	char msg[sizeof err->msg];
	vsnprintf(msg, sizeof msg, fmt, ap);
	return sk_fail(err, code, "%s:%d:%d: %s", label(file), line, col, msg);
}

static int fail_at(struct loader *L, int line, int col, int code, const char *fmt, ...)
    SK_PRINTF(5, 6);
static int fail_at(struct loader *L, int line, int col, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	failv(L->file, L->err, line, col, code, fmt, ap);
	va_end(ap);
	return code;
}

static int oom(struct loader *L, const yaml_mark_t *m)
{
	return fail_at(L, m ? (int)m->line + 1 : 1, m ? (int)m->column + 1 : 1, SK_ENOMEM,
	               "out of memory");
}

/* Makes room for entry n of an array whose capacity is the next power of
 * two at or above n, so nodes need no capacity field. Returns the array, or
 * NULL when out of memory (the old array then stays valid). */
static void *grow(void *arr, size_t n, size_t elem)
{
	if (n != 0 && (n & (n - 1)) != 0)
		return arr;
	size_t cap = n ? n * 2 : 1;
	if (cap > SIZE_MAX / elem)
		return NULL;
	return realloc(arr, cap * elem);
}

/* ---- scalar resolution ---- */

static int is_one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* Integer forms of YAML 1.1 as go-yaml v2 reads them: decimal, 0x, 0o, 0b,
 * and a leading 0 meaning octal (Kubernetes' `defaultMode: 0644`). '_'
 * separates digits. Returns 1 on an int, 0 when not an int, -1 when an int
 * too large for int64 (the caller then tries it as a float). */
static int parse_int(const char *s, int64_t *out)
{
	int neg = 0, base = 10;
	const char *p = s;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9')
		return 0;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p[0] == '0' && p[1]) {
		/* 0-prefixed: octal when it can be; go-yaml reads "019" as the
		 * float 19, which reaches JSON as the integer 19 */
		base = 8;
		for (const char *q = p; *q; q++)
			if (*q == '8' || *q == '9')
				base = 10;
	}
	uint64_t acc = 0;
	int digits = 0, overflow = 0;
	for (; *p; p++) {
		if (*p == '_')
			continue;
		int d = digit_value(*p);
		if (d >= base)
			return 0;
		if (acc > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			overflow = 1;
		else
			acc = acc * (uint64_t)base + (uint64_t)d;
		digits++;
	}
	if (!digits)
		return 0;
	if (overflow || acc > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
		return base == 10 ? -1 : 0;
	*out = neg ? (acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
	return 1;
}

/* go-yaml v2's float syntax: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int float_syntax(const char *p)
{
	if (*p == '+' || *p == '-')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	} else {
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == 0;
}

/* Resolves plain text (NUL-terminated, no embedded NUL) into n's kind and value.
 * Returns -1 when out of memory. */
static int resolve_plain(struct yaml_node *n, const char *s)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", NULL};
	static const char *const pinf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
	static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF", NULL};
	static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};

	n->kind = YK_STR;
	if (is_one_of(s, nulls)) {
		n->kind = YK_NULL;
		return 0;
	}
	if (is_one_of(s, trues) || is_one_of(s, falses)) {
		n->kind = YK_BOOL;
		n->b = s[0] == 't' || s[0] == 'T';
		return 0;
	}
	if (is_one_of(s, pinf) || is_one_of(s, ninf) || is_one_of(s, nans)) {
		n->kind = YK_FLOAT;
		n->d = is_one_of(s, nans) ? NAN : s[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	/* numbers start with a sign, a digit or a '.'; anything else is text */
	const char *p = s + (*s == '+' || *s == '-');
	if (!((*p >= '0' && *p <= '9') || *p == '.'))
		return 0;
	int r = parse_int(s, &n->i);
	if (r == 1) {
		n->kind = YK_INT;
		return 0;
	}
	char *t = malloc(strlen(s) + 1), *w = t;
	if (!t)
		return -1;
	for (const char *q = s; *q; q++)
		if (*q != '_')
			*w++ = *q;
	*w = 0;
	if (float_syntax(t)) {
		errno = 0;
		double d = strtod(t, NULL);
		/* out of range is text to go-yaml, and a NaN/Inf JSON cannot hold */
		if (!isinf(d)) {
			n->kind = YK_FLOAT;
			n->d = d;
		}
	}
	free(t);
	return 0;
}

static const char *kind_name(enum yaml_kind k)
{
	switch (k) {
	case YK_NULL: return "!!null";
	case YK_BOOL: return "!!bool";
	case YK_INT: return "!!int";
	case YK_FLOAT: return "!!float";
	default: return "!!str";
	}
}

/* Applies an explicit tag: core types are checked, anything else is text. */
static int resolve_tagged(struct loader *L, struct yaml_node *n, const char *tag)
{
	static const struct {
		const char *name;
		enum yaml_kind kind;
	} core[] = {{"null", YK_NULL}, {"bool", YK_BOOL}, {"int", YK_INT}, {"float", YK_FLOAT}};
	n->kind = YK_STR;
	if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) != 0)
		return SK_OK;
	const char *name = tag + strlen(TAG_PREFIX);
	for (size_t k = 0; k < sizeof core / sizeof core[0]; k++) {
		if (strcmp(name, core[k].name) != 0)
			continue;
		/* text with a NUL cannot be a number, so it stays a string and fails below */
		if (strlen(n->scalar) == n->len && resolve_plain(n, n->scalar) < 0)
			return fail_at(L, n->line, n->col, SK_ENOMEM, "out of memory");
		if (core[k].kind == YK_FLOAT && n->kind == YK_INT) {
			n->kind = YK_FLOAT;
			n->d = (double)n->i;
		}
		if (n->kind != core[k].kind)
			return fail_at(L, n->line, n->col, SK_EINVALID, "cannot decode \"%.60s\" as %s",
			               n->scalar, kind_name(core[k].kind));
		return SK_OK;
	}
	return SK_OK;
}

/* The string form of a scalar key. Returns a new string, or NULL when out of memory. */
static char *key_string(const struct yaml_node *k)
{
	char buf[64];
	switch (k->kind) {
	case YK_NULL: return strdup("null");
	case YK_BOOL: return strdup(k->b ? "true" : "false");
	case YK_INT:
		snprintf(buf, sizeof buf, "%lld", (long long)k->i);
		return strdup(buf);
	case YK_FLOAT:
		if (isnan(k->d))
			return strdup(".nan");
		if (isinf(k->d))
			return strdup(k->d < 0 ? "-.inf" : ".inf");
		/* the shortest form that reads back as the same double */
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(buf, sizeof buf, "%.*g", prec, k->d);
			if (strtod(buf, NULL) == k->d)
				break;
		}
		return strdup(buf);
	default: return strdup(k->scalar);
	}
}

/* ---- the tree ---- */

void yaml_node_free(struct yaml_node *n)
{
	if (!n)
		return;
	for (size_t k = 0; k < n->n; k++) {
		if (n->keys)
			free(n->keys[k]);
		yaml_node_free(n->items[k]);
	}
	free(n->scalar);
	free(n->keys);
	free(n->key_line);
	free(n->key_col);
	free(n->items);
	free(n);
}

/* Appends one entry (key NULL for sequences); takes ownership of key and item. */
static int push(struct yaml_node *n, char *key, int line, int col, struct yaml_node *item)
{
	void *p;
	if (!(p = grow(n->items, n->n, sizeof *n->items)))
		return -1;
	n->items = p;
	if (n->type == YN_MAP) {
		if (!(p = grow(n->keys, n->n, sizeof *n->keys)))
			return -1;
		n->keys = p;
		if (!(p = grow(n->key_line, n->n, sizeof *n->key_line)))
			return -1;
		n->key_line = p;
		if (!(p = grow(n->key_col, n->n, sizeof *n->key_col)))
			return -1;
		n->key_col = p;
		n->keys[n->n] = key;
		n->key_line[n->n] = line;
		n->key_col[n->n] = col;
	}
	n->items[n->n++] = item;
	return 0;
}

enum copy_fail { COPY_OK, COPY_NOMEM, COPY_NODES, COPY_BYTES, COPY_DEPTH };

/* Deep copy. counted: the copy is an alias expansion and counts against the
 * caps. level: the nesting level the copy lands at, to keep the depth cap. */
static struct yaml_node *copy_node(struct loader *L, const struct yaml_node *s, int level,
                                   int counted, enum copy_fail *why)
{
	if (counted) {
		if (++L->alias_nodes > YAML_MAX_ALIAS_NODES) {
			*why = COPY_NODES;
			return NULL;
		}
		L->alias_bytes += s->len;
		if (L->alias_bytes > YAML_MAX_ALIAS_BYTES) {
			*why = COPY_BYTES;
			return NULL;
		}
	}
	if (s->type != YN_SCALAR && level > YAML_MAX_DEPTH) {
		*why = COPY_DEPTH;
		return NULL;
	}
	struct yaml_node *c = calloc(1, sizeof *c);
	if (!c)
		goto nomem;
	*c = *s;
	c->scalar = NULL;
	c->keys = NULL;
	c->key_line = c->key_col = NULL;
	c->items = NULL;
	c->n = 0;
	if (s->scalar) {
		c->scalar = malloc(s->len + 1);
		if (!c->scalar)
			goto nomem;
		memcpy(c->scalar, s->scalar, s->len + 1);
	}
	for (size_t k = 0; k < s->n; k++) {
		char *key = NULL;
		if (s->type == YN_MAP) {
			if (counted) {
				L->alias_bytes += strlen(s->keys[k]);
				if (L->alias_bytes > YAML_MAX_ALIAS_BYTES) {
					*why = COPY_BYTES;
					yaml_node_free(c);
					return NULL;
				}
			}
			key = strdup(s->keys[k]);
			if (!key)
				goto nomem;
		}
		struct yaml_node *item = copy_node(L, s->items[k], level + 1, counted, why);
		if (!item) {
			free(key);
			yaml_node_free(c);
			return NULL;
		}
		if (push(c, key, s->type == YN_MAP ? s->key_line[k] : 0,
		         s->type == YN_MAP ? s->key_col[k] : 0, item)) {
			free(key);
			yaml_node_free(item);
			goto nomem;
		}
	}
	return c;
nomem:
	yaml_node_free(c);
	*why = COPY_NOMEM;
	return NULL;
}

static int copy_error(struct loader *L, enum copy_fail why, int line, int col)
{
	switch (why) {
	case COPY_NODES:
		return fail_at(L, line, col, SK_EINVALID,
		               "alias expansion exceeds %d nodes", YAML_MAX_ALIAS_NODES);
	case COPY_BYTES:
		return fail_at(L, line, col, SK_EINVALID,
		               "alias expansion exceeds %u bytes", YAML_MAX_ALIAS_BYTES);
	case COPY_DEPTH:
		return fail_at(L, line, col, SK_EINVALID,
		               "nesting deeper than %d levels", YAML_MAX_DEPTH);
	default: return fail_at(L, line, col, SK_ENOMEM, "out of memory");
	}
}

/* ---- events ---- */

/* Line and column (1-based, counting characters) of a byte offset, for
 * reader errors, which libyaml reports by offset only. */
static void offset_pos(const char *buf, size_t len, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t k = 0; k < off && k < len; k++) {
		if (buf[k] == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)buf[k] & 0xC0) != 0x80) {
			++*col;
		}
	}
}

static int parse_error(struct loader *L)
{
	yaml_parser_t *p = &L->parser;
	int line, col;
	switch (p->error) {
	case YAML_MEMORY_ERROR: return oom(L, &p->mark);
	case YAML_READER_ERROR:
		offset_pos(L->buf, L->len, p->problem_offset, &line, &col);
		return fail_at(L, line, col, SK_EINVALID, "%s", p->problem ? p->problem : "invalid input");
	default:
		line = (int)p->problem_mark.line + 1;
		col = (int)p->problem_mark.column + 1;
		if (p->context)
			return fail_at(L, line, col, SK_EINVALID, "%s (%s at %d:%d)",
			               p->problem ? p->problem : "syntax error", p->context,
			               (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
		return fail_at(L, line, col, SK_EINVALID, "%s",
		               p->problem ? p->problem : "syntax error");
	}
}

static int next_event(struct loader *L, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&L->parser, ev))
		return parse_error(L);
	return SK_OK;
}

/* Registers n under anchor (and frees the name) if there is one. */
static int anchor_node(struct loader *L, char *anchor, struct yaml_node *n)
{
	if (!anchor)
		return SK_OK;
	const struct yaml_node **a = grow(L->anchored, L->n_anchored, sizeof *a);
	int bad = !a;
	if (a) {
		L->anchored = a;
		a[L->n_anchored] = n;
		/* a hash, because inputs may hold very many anchors and aliases */
		bad = json_object_set_new_nocheck(L->anchors, anchor,
		                                  json_integer((json_int_t)L->n_anchored));
		if (!bad)
			L->n_anchored++;
	}
	free(anchor);
	return bad ? fail_at(L, n->line, n->col, SK_ENOMEM, "out of memory") : SK_OK;
}

static char *dup_anchor(const yaml_char_t *a, int *nomem)
{
	if (!a)
		return NULL;
	char *s = strdup((const char *)a);
	if (!s)
		*nomem = 1;
	return s;
}

static struct yaml_node *build(struct loader *L, yaml_event_t *ev);

static struct yaml_node *new_node(enum yaml_node_type t, const yaml_mark_t *m)
{
	struct yaml_node *n = calloc(1, sizeof *n);
	if (n) {
		n->type = t;
		n->line = (int)m->line + 1;
		n->col = (int)m->column + 1;
	}
	return n;
}

static struct yaml_node *build_scalar(struct loader *L, yaml_event_t *ev)
{
	int nomem = 0;
	char *anchor = dup_anchor(ev->data.scalar.anchor, &nomem);
	struct yaml_node *n = new_node(YN_SCALAR, &ev->start_mark);
	if (!n || nomem)
		goto nomem;
	n->len = ev->data.scalar.length;
	n->scalar = malloc(n->len + 1);
	if (!n->scalar)
		goto nomem;
	memcpy(n->scalar, ev->data.scalar.value, n->len);
	n->scalar[n->len] = 0;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	n->kind = YK_STR;
	if (ev->data.scalar.tag) {
		if (resolve_tagged(L, n, (const char *)ev->data.scalar.tag) != SK_OK) {
			free(anchor);
			yaml_node_free(n);
			return NULL;
		}
	} else if (n->plain && ev->data.scalar.plain_implicit) {
		/* plain text cannot hold NUL, so it is a C string */
		if (resolve_plain(n, n->scalar) < 0)
			goto nomem;
	}
	if (anchor_node(L, anchor, n) != SK_OK) {
		yaml_node_free(n);
		return NULL;
	}
	return n;
nomem:
	free(anchor);
	yaml_node_free(n);
	oom(L, &ev->start_mark);
	return NULL;
}

static struct yaml_node *build_alias(struct loader *L, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
	json_t *index = json_object_get(L->anchors, name);
	const struct yaml_node *src = index ? L->anchored[json_integer_value(index)] : NULL;
	if (!src) {
		fail_at(L, line, col, SK_EINVALID, "unknown anchor \"%.100s\"", name);
		return NULL;
	}
	enum copy_fail why = COPY_OK;
	struct yaml_node *c = copy_node(L, src, L->depth + 1, 1, &why);
	if (!c) {
		copy_error(L, why, line, col);
		return NULL;
	}
	/* errors about this value should point at the alias, not the anchor */
	c->line = line;
	c->col = col;
	return c;
}

static struct yaml_node *build_seq(struct loader *L, yaml_event_t *ev)
{
	int nomem = 0;
	char *anchor = dup_anchor(ev->data.sequence_start.anchor, &nomem);
	struct yaml_node *n = new_node(YN_SEQ, &ev->start_mark);
	if (!n || nomem) {
		free(anchor);
		yaml_node_free(n);
		oom(L, &ev->start_mark);
		return NULL;
	}
	for (;;) {
		yaml_event_t item;
		if (next_event(L, &item) != SK_OK)
			goto fail;
		if (item.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&item);
			break;
		}
		yaml_mark_t m = item.start_mark;
		struct yaml_node *child = build(L, &item);
		if (!child)
			goto fail;
		if (push(n, NULL, 0, 0, child)) {
			yaml_node_free(child);
			oom(L, &m);
			goto fail;
		}
	}
	if (anchor_node(L, anchor, n) != SK_OK) {
		yaml_node_free(n);
		return NULL;
	}
	return n;
fail:
	free(anchor);
	yaml_node_free(n);
	return NULL;
}

/* Index of key in the map being built, or -1. seen maps keys to indexes. */
static long find_key(json_t *seen, const char *key)
{
	json_t *v = json_object_get(seen, key);
	return v ? (long)json_integer_value(v) : -1;
}

static int remember_key(json_t *seen, const char *key, size_t index)
{
	return json_object_set_new_nocheck(seen, key, json_integer((json_int_t)index));
}

/* Merges `<<` sources into map: explicit keys win, then earlier sources. */
static int apply_merges(struct loader *L, struct yaml_node *map, json_t *seen,
                        struct yaml_node **srcs, size_t n_srcs)
{
	for (size_t s = 0; s < n_srcs; s++) {
		const struct yaml_node *v = srcs[s];
		size_t n_maps = v->type == YN_SEQ ? v->n : 1;
		for (size_t m = 0; m < n_maps; m++) {
			const struct yaml_node *src = v->type == YN_SEQ ? v->items[m] : v;
			if (src->type != YN_MAP)
				return fail_at(L, src->line, src->col, SK_EINVALID,
				               "a merge key (<<) needs a mapping or a list of mappings");
			for (size_t k = 0; k < src->n; k++) {
				if (find_key(seen, src->keys[k]) >= 0)
					continue;
				enum copy_fail why = COPY_OK;
				struct yaml_node *item = copy_node(L, src->items[k], L->depth + 1, 0, &why);
				if (!item)
					return copy_error(L, why, src->items[k]->line, src->items[k]->col);
				char *key = strdup(src->keys[k]);
				if (!key || remember_key(seen, key, map->n) ||
				    push(map, key, src->key_line[k], src->key_col[k], item)) {
					free(key);
					yaml_node_free(item);
					return fail_at(L, map->line, map->col, SK_ENOMEM, "out of memory");
				}
			}
		}
	}
	return SK_OK;
}

/* Keeps a merge source alive (anchors may point into it) until the document ends. */
static int keep_spare(struct loader *L, struct yaml_node *n)
{
	if (L->n_spare == L->cap_spare) {
		size_t cap = L->cap_spare ? L->cap_spare * 2 : 8;
		struct yaml_node **s = realloc(L->spare, cap * sizeof *s);
		if (!s)
			return -1;
		L->spare = s;
		L->cap_spare = cap;
	}
	L->spare[L->n_spare++] = n;
	return 0;
}

static struct yaml_node *build_map(struct loader *L, yaml_event_t *ev)
{
	int nomem = 0;
	char *anchor = dup_anchor(ev->data.mapping_start.anchor, &nomem);
	struct yaml_node *n = new_node(YN_MAP, &ev->start_mark);
	json_t *seen = json_object();
	struct yaml_node **merges = NULL;
	size_t n_merges = 0;
	yaml_mark_t start = ev->start_mark;
	if (!n || !seen || nomem)
		goto nomem;
	for (;;) {
		yaml_event_t kev, vev;
		if (next_event(L, &kev) != SK_OK)
			goto fail;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			break;
		}
		/* a merge key is a plain "<<" or one tagged !!merge; note which
		 * before build() frees the event */
		int merge = 0, anchored = 0;
		if (kev.type == YAML_SCALAR_EVENT) {
			const char *tag = (const char *)kev.data.scalar.tag;
			merge = tag ? strcmp(tag, TAG_PREFIX "merge") == 0
			            : kev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			merge = merge && kev.data.scalar.length == 2 &&
			        memcmp(kev.data.scalar.value, "<<", 2) == 0;
			anchored = kev.data.scalar.anchor != NULL;
		}
		struct yaml_node *k = build(L, &kev);
		if (!k)
			goto fail;
		if (k->type != YN_SCALAR) {
			fail_at(L, k->line, k->col, SK_EINVALID, "mapping keys must be scalars");
			yaml_node_free(k);
			goto fail;
		}
		char *key = NULL;
		if (!merge) {
			if (strlen(k->scalar) != k->len) {
				fail_at(L, k->line, k->col, SK_EINVALID, "mapping key contains a NUL character");
				yaml_node_free(k);
				goto fail;
			}
			key = key_string(k);
			if (!key) {
				yaml_node_free(k);
				goto nomem;
			}
			long first = find_key(seen, key);
			if (first >= 0) {
				fail_at(L, k->line, k->col, SK_EINVALID,
				        "duplicate key \"%.100s\" (first defined at %d:%d)", key,
				        n->key_line[first], n->key_col[first]);
				free(key);
				yaml_node_free(k);
				goto fail;
			}
		}
		int kline = k->line, kcol = k->col;
		/* an anchored key may be aliased later, so it must outlive this loop */
		if (!anchored)
			yaml_node_free(k);
		else if (keep_spare(L, k)) {
			yaml_node_free(k);
			free(key);
			goto nomem;
		}
		if (next_event(L, &vev) != SK_OK) {
			free(key);
			goto fail;
		}
		struct yaml_node *v = build(L, &vev);
		if (!v) {
			free(key);
			goto fail;
		}
		if (merge) {
			if (keep_spare(L, v)) {
				yaml_node_free(v);
				goto nomem;
			}
			struct yaml_node **grown = grow(merges, n_merges, sizeof *merges);
			if (!grown)
				goto nomem;
			merges = grown;
			merges[n_merges++] = v;
			continue;
		}
		if (remember_key(seen, key, n->n) || push(n, key, kline, kcol, v)) {
			free(key);
			yaml_node_free(v);
			goto nomem;
		}
	}
	if (apply_merges(L, n, seen, merges, n_merges) != SK_OK)
		goto fail;
	free(merges);
	json_decref(seen);
	if (anchor_node(L, anchor, n) != SK_OK) {
		yaml_node_free(n);
		return NULL;
	}
	return n;
nomem:
	oom(L, &start);
fail:
	free(merges);
	json_decref(seen);
	free(anchor);
	yaml_node_free(n);
	return NULL;
}

/* Builds the node that starts with ev, consuming ev and its children's events. */
static struct yaml_node *build(struct loader *L, yaml_event_t *ev)
{
	struct yaml_node *n = NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT: n = build_scalar(L, ev); break;
	case YAML_ALIAS_EVENT: n = build_alias(L, ev); break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (L->depth >= YAML_MAX_DEPTH) {
			fail_at(L, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
			        SK_EINVALID, "nesting deeper than %d levels", YAML_MAX_DEPTH);
			break;
		}
		L->depth++;
		n = ev->type == YAML_SEQUENCE_START_EVENT ? build_seq(L, ev) : build_map(L, ev);
		L->depth--;
		break;
	default:
		fail_at(L, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, SK_EINVALID,
		        "unexpected YAML event");
		break;
	}
	yaml_event_delete(ev);
	return n;
}

/* ---- documents ---- */

static void end_document(struct loader *L)
{
	json_object_clear(L->anchors);
	L->n_anchored = 0;
	for (size_t k = 0; k < L->n_spare; k++)
		yaml_node_free(L->spare[k]);
	L->n_spare = 0;
	L->alias_nodes = L->alias_bytes = 0;
}

static void loader_fini(struct loader *L)
{
	end_document(L);
	json_decref(L->anchors);
	free(L->anchored);
	free(L->spare);
	yaml_parser_delete(&L->parser);
}

static int loader_init(struct loader *L, const char *buf, size_t len, const char *file,
                       sk_err *err)
{
	memset(L, 0, sizeof *L);
	L->buf = buf ? buf : "";
	L->len = buf ? len : 0;
	L->file = file;
	L->err = err;
	if (L->len > YAML_MAX_BYTES)
		return fail_at(L, 1, 1, SK_ETOOLARGE, "input of %zu bytes exceeds the limit of %u bytes",
		               L->len, YAML_MAX_BYTES);
	L->anchors = json_object();
	if (!L->anchors)
		return fail_at(L, 1, 1, SK_ENOMEM, "out of memory");
	if (!yaml_parser_initialize(&L->parser)) {
		json_decref(L->anchors);
		return fail_at(L, 1, 1, SK_ENOMEM, "out of memory");
	}
	yaml_parser_set_input_string(&L->parser, (const unsigned char *)L->buf, L->len);
	yaml_event_t ev;
	int rc = next_event(L, &ev);
	if (rc != SK_OK) {
		json_decref(L->anchors);
		yaml_parser_delete(&L->parser);
		return rc;
	}
	yaml_event_delete(&ev); /* STREAM-START */
	return SK_OK;
}

static int is_empty(const struct yaml_node *n)
{
	return n->type == YN_SCALAR && n->plain && n->len == 0 && n->kind == YK_NULL;
}

/* Reads the next document into *root (NULL when empty); *eos set at the end of the stream. */
static int next_doc(struct loader *L, struct yaml_node **root, int *eos)
{
	yaml_event_t ev;
	int rc;
	*root = NULL;
	*eos = 0;
	if ((rc = next_event(L, &ev)) != SK_OK)
		return rc;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		*eos = 1;
		return SK_OK;
	}
	L->doc_line = (int)ev.start_mark.line + 1;
	L->doc_col = (int)ev.start_mark.column + 1;
	yaml_event_delete(&ev); /* DOCUMENT-START */
	if ((rc = next_event(L, &ev)) != SK_OK)
		return rc;
	struct yaml_node *n = build(L, &ev);
	if (!n) {
		end_document(L);
		return L->err ? L->err->code : SK_EINVALID;
	}
	if ((rc = next_event(L, &ev)) != SK_OK) {
		yaml_node_free(n);
		end_document(L);
		return rc;
	}
	yaml_event_delete(&ev); /* DOCUMENT-END */
	end_document(L);
	if (is_empty(n))
		yaml_node_free(n);
	else
		*root = n;
	return SK_OK;
}

static void set_empty(sk_err *err)
{
	if (err) {
		err->code = SK_OK;
		err->msg[0] = 0;
	}
}

static struct yaml_node *load(const char *buf, size_t len, const char *file, int single,
                              sk_err *err)
{
	struct loader L;
	struct yaml_node *root = NULL;
	int eos = 0;
	/* a local error keeps codes reliable when the caller passes no err */
	sk_err local;
	if (!err)
		err = &local;
	if (loader_init(&L, buf, len, file, err) != SK_OK)
		return NULL;
	while (!root && !eos)
		if (next_doc(&L, &root, &eos) != SK_OK)
			goto fail;
	while (single && !eos) {
		struct yaml_node *more;
		if (next_doc(&L, &more, &eos) != SK_OK)
			goto fail;
		if (more) {
			yaml_node_free(more);
			fail_at(&L, L.doc_line, L.doc_col, SK_EINVALID,
			        "expected a single YAML document, found another");
			goto fail;
		}
	}
	loader_fini(&L);
	if (!root)
		set_empty(err);
	return root;
fail:
	yaml_node_free(root);
	loader_fini(&L);
	return NULL;
}

struct yaml_node *yaml_load(const char *buf, size_t len, const char *filename, sk_err *err)
{
	return load(buf, len, filename, 0, err);
}

struct yaml_node *yaml_load_single(const char *buf, size_t len, const char *filename, sk_err *err)
{
	return load(buf, len, filename, 1, err);
}

int yaml_load_all(const char *buf, size_t len, const char *filename, json_t **docs_array,
                  sk_err *err)
{
	struct loader L;
	sk_err local;
	int rc, eos = 0;
	if (!err)
		err = &local;
	*docs_array = NULL;
	if ((rc = loader_init(&L, buf, len, filename, err)) != SK_OK)
		return rc;
	json_t *docs = json_array();
	if (!docs) {
		rc = fail_at(&L, 1, 1, SK_ENOMEM, "out of memory");
		loader_fini(&L);
		return rc;
	}
	while (!eos) {
		struct yaml_node *root;
		if ((rc = next_doc(&L, &root, &eos)) != SK_OK)
			goto fail;
		if (!root)
			continue;
		json_t *j = yaml_to_json_file(root, filename, err);
		yaml_node_free(root);
		if (!j) {
			rc = err->code;
			goto fail;
		}
		if (json_array_append_new(docs, j)) {
			rc = fail_at(&L, L.doc_line, L.doc_col, SK_ENOMEM, "out of memory");
			goto fail;
		}
	}
	loader_fini(&L);
	*docs_array = docs;
	return SK_OK;
fail:
	json_decref(docs);
	loader_fini(&L);
	return rc;
}

/* ---- to JSON ---- */

static json_t *to_json(const struct yaml_node *n, const char *file, sk_err *err, int depth)
{
	struct loader L = {.file = file, .err = err};
	json_t *j = NULL;
	/* trees from yaml_load are within the cap; this guards hand-built ones */
	if (depth > YAML_MAX_DEPTH + 1) {
		fail_at(&L, n->line, n->col, SK_EINVALID, "nesting deeper than %d levels",
		        YAML_MAX_DEPTH);
		return NULL;
	}
	switch (n->type) {
	case YN_SCALAR:
		switch (n->kind) {
		case YK_NULL: j = json_null(); break;
		case YK_BOOL: j = json_boolean(n->b); break;
		case YK_INT: j = json_integer((json_int_t)n->i); break;
		case YK_FLOAT:
			if (!isfinite(n->d)) {
				fail_at(&L, n->line, n->col, SK_EINVALID,
				        "%s cannot be represented in JSON", isnan(n->d) ? ".nan" : ".inf");
				return NULL;
			}
			j = json_real(n->d);
			break;
		default:
			j = json_stringn(n->scalar ? n->scalar : "", n->scalar ? n->len : 0);
			if (!j) {
				fail_at(&L, n->line, n->col, SK_EINVALID, "string is not valid UTF-8");
				return NULL;
			}
		}
		break;
	case YN_SEQ:
		j = json_array();
		for (size_t k = 0; j && k < n->n; k++) {
			json_t *v = to_json(n->items[k], file, err, depth + 1);
			if (!v) {
				json_decref(j);
				return NULL;
			}
			if (json_array_append_new(j, v)) {
				json_decref(j);
				j = NULL;
			}
		}
		break;
	case YN_MAP:
		j = json_object();
		for (size_t k = 0; j && k < n->n; k++) {
			json_t *v = to_json(n->items[k], file, err, depth + 1);
			if (!v) {
				json_decref(j);
				return NULL;
			}
			if (json_object_set_new(j, n->keys[k], v)) {
				json_decref(j);
				fail_at(&L, n->key_line[k], n->key_col[k], SK_EINVALID,
				        "mapping key is not valid UTF-8");
				return NULL;
			}
		}
		break;
	}
	if (!j)
		fail_at(&L, n->line, n->col, SK_ENOMEM, "out of memory");
	return j;
}

json_t *yaml_to_json_file(const struct yaml_node *n, const char *filename, sk_err *err)
{
	if (!n) {
		struct loader L = {.file = filename, .err = err};
		fail_at(&L, 1, 1, SK_EINVALID, "no YAML value");
		return NULL;
	}
	return to_json(n, filename, err, 1);
}

json_t *yaml_to_json(const struct yaml_node *n, sk_err *err)
{
	return yaml_to_json_file(n, NULL, err);
}

const struct yaml_node *yaml_map_get(const struct yaml_node *map, const char *key, size_t *index)
{
	if (!map || map->type != YN_MAP)
		return NULL;
	for (size_t k = 0; k < map->n; k++)
		if (strcmp(map->keys[k], key) == 0) {
			if (index)
				*index = k;
			return map->items[k];
		}
	return NULL;
}
