/* schema.c — the schema table: types parsed from the notation of
 * sdk/docs/types.md or converted from a CRD's openAPIV3Schema, and what the
 * API server does with them (validation, defaults, pruning, OpenAPI). */
#include "schema.h"
#include "err.h"
#include "json.h"
#include "strmap.h"
#include <skiff/selector.h>
#include <skiff/validate.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* core/meta.types, embedded by the build */
extern const char meta_types[];
extern const unsigned long meta_types_len;

/* ---- limits ------------------------------------------------------------- */

#define TEXT_MAX (16u << 20)   /* bytes of notation in one define */
#define LINE_MAX_BYTES 65536   /* one line of notation */
#define NAME_MAX_BYTES 512     /* a type, package or field name */
#define TYPE_DEPTH_MAX 16      /* []/map[] nesting in one type expression */
#define FIELDS_MAX 8192        /* fields of one object type */
#define IMPORTS_MAX 64         /* imports of one package */
#define GVK_MAX 128            /* gvk= of one type */
#define LIST_MAX 1024          /* values of enum= or keys= */
#define PATTERN_MAX 4096       /* bytes of one pattern */
#define DEREF_MAX 32           /* hops through chains of named aliases */
#define OA_DEPTH_MAX 64        /* nesting of a CRD schema */
#define OA_NODES_MAX 100000    /* schema objects in a CRD schema */
#define WALK_DEPTH_MAX 1000    /* nesting of a validated object */
#define CAUSES_MAX 1000        /* causes one validation appends */
#define UNKNOWN_MAX 1000       /* unknown fields one validation reports */
#define PAIR_MAX 1000000       /* item comparisons pairing a list with its old self */
#define INDEX_MIN 8            /* objects with more fields get a hash index */
#define PROTO_MAX 536870911    /* the largest protobuf field number, 2^29 - 1 */

static const char *const builtin_pkgs[] = {
	"io.k8s.apimachinery.pkg.apis.meta.v1",
	"io.k8s.apimachinery.pkg.api.resource",
	"io.k8s.apimachinery.pkg.util.intstr",
	"io.k8s.apimachinery.pkg.runtime",
};
#define N_BUILTIN (sizeof builtin_pkgs / sizeof builtin_pkgs[0])

/* ---- arenas --------------------------------------------------------------
 * Everything one define creates lives in one arena, freed at once when the
 * owner is forgotten or when every type in it has been redefined. */

#define CHUNK 65536

struct chunk {
	struct chunk *next;
	unsigned char *base;
	size_t used, cap;
	unsigned char mem[];
};

struct cleanup {
	struct cleanup *next;
	regex_t *re;
	json_t *json;
};

struct def;

struct arena {
	struct arena *prev, *next; /* every arena, in definition order */
	char *owner, *label;
	struct chunk *chunks;
	struct cleanup *cleanups;
	struct def *defs, **defs_tail;
	size_t ndefs, live; /* live: its types the table still points to */
};

struct xnode {
	struct schema_node n; /* first: the public view */
	struct arena *arena;
	/* SCH_REF: the name as written and the full names it may mean, in
	 * lookup order; the match is cached per generation */
	const char *written;
	const char **cands;
	unsigned long gen;
	struct xnode *target;
	/* SCH_OBJECT with many fields: open addressing, field index + 1 */
	uint32_t *index;
	uint32_t mask;
	regex_t *re;
	unsigned char nullable; /* null is a value (CRD nullable: true) */
	unsigned char opaque;   /* free-form, decoded by code: no preserve extension shown */
};

struct def {
	struct def *next;
	const char *name;
	struct xnode *node;
	struct arena *arena;
};

static struct strmap *table; /* full name -> struct def */
static struct arena *arenas_first, *arenas_last;
static unsigned long generation = 1;

static struct xnode *X(const struct schema_node *n) { return (struct xnode *)(uintptr_t)n; }

static void *amem(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct chunk *c = a->chunks;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > CHUNK ? n : CHUNK;
		c = malloc(sizeof *c + cap + 16);
		if (!c)
			return NULL;
		c->base = (unsigned char *)(((uintptr_t)c->mem + 15) & ~(uintptr_t)15);
		c->used = 0;
		c->cap = cap;
		c->next = a->chunks;
		a->chunks = c;
	}
	void *p = c->base + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

static char *astrn(struct arena *a, const char *s, size_t n)
{
	char *d = amem(a, n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

static char *astr(struct arena *a, const char *s) { return astrn(a, s, strlen(s)); }

static int keep_json(struct arena *a, json_t *j)
{
	struct cleanup *c = amem(a, sizeof *c);
	if (!c) {
		json_decref(j);
		return -1;
	}
	c->json = j;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}

static struct arena *arena_new(const char *owner, const char *label)
{
	struct arena *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->owner = strdup(owner ? owner : "");
	a->label = strdup(label ? label : "");
	a->defs_tail = &a->defs;
	if (!a->owner || !a->label) {
		free(a->owner);
		free(a->label);
		free(a);
		return NULL;
	}
	return a;
}

static void arena_free(struct arena *a)
{
	if (!a)
		return;
	for (struct cleanup *c = a->cleanups; c; c = c->next) {
		if (c->re) {
			regfree(c->re);
			free(c->re);
		}
		json_decref(c->json);
	}
	for (struct chunk *c = a->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a->owner);
	free(a->label);
	free(a);
}

static void arena_unlink(struct arena *a)
{
	if (a->prev)
		a->prev->next = a->next;
	else
		arenas_first = a->next;
	if (a->next)
		a->next->prev = a->prev;
	else
		arenas_last = a->prev;
	a->prev = a->next = NULL;
}

static struct xnode *new_node(struct arena *a, enum schema_kind kind, int line)
{
	struct xnode *x = amem(a, sizeof *x);
	if (!x)
		return NULL;
	x->n.kind = kind;
	x->n.maxlen = -1;
	x->n.line = line;
	x->arena = a;
	return x;
}

static struct def *add_def(struct arena *a, const char *full_name, struct xnode *node)
{
	struct def *d = amem(a, sizeof *d);
	if (!d)
		return NULL;
	d->name = full_name;
	d->node = node;
	d->arena = a;
	*a->defs_tail = d;
	a->defs_tail = &d->next;
	a->ndefs++;
	return d;
}

/* ---- lookups ------------------------------------------------------------ */

static struct def *lookup(const char *name) { return table && name ? strmap_get(table, name) : NULL; }

static struct xnode *resolve(struct xnode *x)
{
	if (x->gen == generation)
		return x->target;
	x->target = NULL;
	x->n.ref = x->cands ? x->cands[0] : NULL;
	for (size_t i = 0; x->cands && x->cands[i]; i++) {
		struct def *d = lookup(x->cands[i]);
		if (d) {
			x->target = d->node;
			x->n.ref = x->cands[i];
			break;
		}
	}
	x->gen = generation;
	return x->target;
}

const struct schema_node *schema_type(const char *full_name)
{
	struct def *d = lookup(full_name);
	return d ? &d->node->n : NULL;
}

const struct schema_node *schema_deref(const struct schema_node *n)
{
	for (int hops = 0; n && n->kind == SCH_REF; hops++) {
		if (hops == DEREF_MAX)
			return NULL;
		struct xnode *t = resolve(X(n));
		n = t ? &t->n : NULL;
	}
	return n;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int build_index(struct arena *a, struct xnode *x)
{
	size_t n = x->n.n_fields;
	if (n <= INDEX_MIN)
		return 0;
	size_t cap = 16;
	while (cap < 2 * n)
		cap <<= 1;
	if (!(x->index = amem(a, cap * sizeof *x->index)))
		return -1;
	x->mask = (uint32_t)(cap - 1);
	for (size_t i = 0; i < n; i++) {
		uint32_t h = name_hash(x->n.fields[i].name) & x->mask;
		while (x->index[h])
			h = (h + 1) & x->mask;
		x->index[h] = (uint32_t)i + 1;
	}
	return 0;
}

const struct schema_field *schema_field(const struct schema_node *obj, const char *name)
{
	obj = schema_deref(obj);
	if (!obj || obj->kind != SCH_OBJECT || !name)
		return NULL;
	const struct xnode *x = X(obj);
	if (x->index) {
		for (uint32_t h = name_hash(name) & x->mask; x->index[h]; h = (h + 1) & x->mask)
			if (!strcmp(obj->fields[x->index[h] - 1].name, name))
				return &obj->fields[x->index[h] - 1];
		return NULL;
	}
	for (size_t i = 0; i < obj->n_fields; i++)
		if (!strcmp(obj->fields[i].name, name))
			return &obj->fields[i];
	return NULL;
}

unsigned long schema_generation(void) { return generation; }

/* "group/version/Kind" -> struct def, rebuilt on first use after a change;
 * the first definition of a gvk wins */
static struct strmap *gvk_index;
static unsigned long gvk_gen;

static int index_gvks(void)
{
	struct strmap *m = strmap_new();
	if (!m)
		return -1;
	for (struct arena *a = arenas_first; a; a = a->next)
		for (struct def *d = a->defs; d; d = d->next) {
			if (lookup(d->name) != d || !d->node->n.gvks)
				continue;
			for (const char **g = d->node->n.gvks; *g; g++) {
				int failed = 0;
				if (strmap_get(m, *g))
					continue;
				strmap_put(m, *g, d, &failed);
				if (failed) {
					strmap_free(m, NULL);
					return -1;
				}
			}
		}
	strmap_free(gvk_index, NULL);
	gvk_index = m;
	gvk_gen = generation;
	return 0;
}

const struct schema_node *schema_type_by_gvk(const char *gvk)
{
	if (!gvk || (gvk_gen != generation && index_gvks()))
		return NULL;
	struct def *d = strmap_get(gvk_index, gvk);
	return d ? &d->node->n : NULL;
}

/* ---- committing and forgetting ------------------------------------------ */

static void release(struct def *d)
{
	struct arena *a = d->arena;
	if (--a->live == 0) {
		arena_unlink(a);
		arena_free(a);
	}
}

/* Adds an arena's types to the table, all or nothing; frees it on failure. */
static int commit(struct arena *a, sk_err *err)
{
	for (struct def *d = a->defs; d; d = d->next) {
		struct def *old = lookup(d->name);
		if (old && strcmp(old->arena->owner, a->owner)) {
			char where[300];
			if (d->node->n.line)
				snprintf(where, sizeof where, "%s:%d", a->label, d->node->n.line);
			else
				snprintf(where, sizeof where, "%s", a->label);
			int rc = sk_fail(err, SK_EEXIST, "%s: type \"%s\" is already defined by \"%s\"", where, d->name,
			                 old->arena->owner);
			arena_free(a);
			return rc;
		}
	}
	if (!table && !(table = strmap_new())) {
		arena_free(a);
		return sk_fail(err, SK_ENOMEM, "out of memory");
	}
	struct def **olds = calloc(a->ndefs + 1, sizeof *olds);
	if (!olds) {
		arena_free(a);
		return sk_fail(err, SK_ENOMEM, "out of memory");
	}
	size_t i = 0;
	for (struct def *d = a->defs; d; d = d->next, i++) {
		int failed = 0;
		olds[i] = strmap_put(table, d->name, d, &failed);
		if (failed) {
			size_t j = 0;
			for (struct def *u = a->defs; j < i; u = u->next, j++) {
				if (olds[j])
					strmap_put(table, u->name, olds[j], &failed);
				else
					strmap_del(table, u->name);
			}
			free(olds);
			arena_free(a);
			return sk_fail(err, SK_ENOMEM, "out of memory");
		}
	}
	generation++;
	if (!a->ndefs) {
		free(olds);
		arena_free(a);
		return SK_OK;
	}
	a->live = a->ndefs;
	a->prev = arenas_last;
	if (arenas_last)
		arenas_last->next = a;
	else
		arenas_first = a;
	arenas_last = a;
	for (i = 0; i < a->ndefs; i++)
		if (olds[i])
			release(olds[i]);
	free(olds);
	return SK_OK;
}

/* owner itself, or one of its sub-owners "owner/..." */
static int owned_by(const char *a_owner, const char *owner)
{
	size_t n = strlen(owner);
	return !strncmp(a_owner, owner, n) && (a_owner[n] == '\0' || a_owner[n] == '/');
}

void schema_forget(const char *owner)
{
	if (!owner)
		return;
	for (struct arena *a = arenas_first, *next; a; a = next) {
		next = a->next;
		if (!owned_by(a->owner, owner))
			continue;
		for (struct def *d = a->defs; d; d = d->next)
			if (lookup(d->name) == d)
				strmap_del(table, d->name);
		arena_unlink(a);
		arena_free(a);
	}
	generation++;
}

/* ---- the notation --------------------------------------------------------- */

struct attrs {
	unsigned flags;
	const char *deflt, *enums, *pattern, *format, *merge, *keys, *patch, *list, *map;
	int has_min, has_max, has_maxlen;
	double min, max;
	long maxlen;
	const char *gvks[GVK_MAX];
	size_t ngvks;
	int preserve, atomic, opaque;
	int proto, proto_inner;
	unsigned seen; /* bit per attribute, for duplicates */
};

struct parser {
	const char *label;
	sk_err *err;
	int line;
	struct arena *a;
	const char *pkg;
	const char **imports;
	size_t nimports;
	int pkg_has_types;
	struct def *cur; /* the object type whose fields follow, or NULL */
	int cur_alias;
	struct schema_field *fields;
	size_t nfields, capfields;
	struct strmap *field_names; /* of the open type */
	struct strmap *names;       /* full names defined by this text */
};

static int perr(struct parser *p, const char *fmt, ...) SK_PRINTF(2, 3);
static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sk_fail(p->err, SK_EINVALID, "%s:%d: %s", p->label, p->line, msg);
	return -1;
}

static int oom(struct parser *p)
{
	sk_fail(p->err, SK_ENOMEM, "%s:%d: out of memory", p->label, p->line);
	return -1;
}

static const char *kind_name(enum schema_kind k)
{
	switch (k) {
	case SCH_ANY: return "any";
	case SCH_OBJECT: return "object";
	case SCH_ARRAY: return "a list";
	case SCH_MAP: return "a map";
	case SCH_STRING: return "string";
	case SCH_INT32: return "int32";
	case SCH_INT64: return "int64";
	case SCH_NUMBER: return "number";
	case SCH_BOOL: return "boolean";
	case SCH_INT_OR_STRING: return "int-or-string";
	case SCH_REF: return "a named type";
	case SCH_QUANTITY: return "quantity";
	}
	return "?";
}

static int is_ident_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static int is_ident(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

/* [A-Za-z_][A-Za-z0-9_]* */
static int valid_ident(const char *s, size_t n)
{
	if (!n || n > NAME_MAX_BYTES || !is_ident_start(s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_ident(s[i]))
			return 0;
	return 1;
}

/* dot-separated segments of [A-Za-z0-9_-] ("io.k8s.apiextensions-apiserver.pkg") */
static int valid_dotted(const char *s, size_t n)
{
	if (!n || n > NAME_MAX_BYTES)
		return 0;
	size_t seg = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (!seg)
				return 0;
			seg = 0;
		} else if (is_ident(s[i]) || s[i] == '-') {
			seg++;
		} else {
			return 0;
		}
	}
	return seg > 0;
}

/* The next word of a line (NUL-terminated in place), or NULL at its end.
 * Quotes inside a word (default="a b") keep their spaces. */
static char *word(char **s)
{
	char *p = *s;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p) {
		*s = p;
		return NULL;
	}
	char *start = p;
	int q = 0;
	while (*p && (q || (*p != ' ' && *p != '\t'))) {
		if (q && *p == '\\' && p[1]) {
			p += 2;
			continue;
		}
		if (*p == '"')
			q = !q;
		p++;
	}
	if (*p)
		*p++ = 0;
	*s = p;
	return start;
}

static char *skip_ws(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* "..." with \" and \\ as the only escapes, into the arena */
static const char *unquote(struct parser *p, const char *s, size_t n)
{
	char *d = amem(p->a, n + 1);
	if (!d)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\'))
			i++;
		d[j++] = s[i];
	}
	d[j] = 0;
	return d;
}

/* The description from the quote at s to the last quote of the line. */
static int description(struct parser *p, char *s, const char **out)
{
	char *end = strrchr(s, '"');
	if (end == s)
		return perr(p, "unterminated description");
	if (*skip_ws(end + 1))
		return perr(p, "text after the description");
	if (!(*out = unquote(p, s + 1, (size_t)(end - s - 1))))
		return oom(p);
	return 0;
}

/* An attribute value, unquoted when quoted; NULL on error (reported). */
static const char *attr_value(struct parser *p, const char *key, const char *v)
{
	if (v[0] != '"')
		return v;
	size_t i = 1;
	for (; v[i] && v[i] != '"'; i++)
		if (v[i] == '\\' && v[i + 1])
			i++;
	if (v[i] != '"' || v[i + 1]) {
		perr(p, "attribute \"%s\": unterminated quoted value", key);
		return NULL;
	}
	const char *u = unquote(p, v + 1, i - 1);
	if (!u)
		oom(p);
	return u;
}

enum { FOR_FIELD = 1, FOR_TYPE = 2, FOR_BOTH = 3 };

static const struct attr_spec {
	const char *name;
	int value; /* needs a value */
	int where;
} attr_specs[] = {
	{"required", 0, FOR_FIELD},  {"immutable", 0, FOR_FIELD}, {"default", 1, FOR_BOTH},
	{"enum", 1, FOR_BOTH},       {"min", 1, FOR_BOTH},        {"max", 1, FOR_BOTH},
	{"maxlen", 1, FOR_BOTH},     {"pattern", 1, FOR_BOTH},    {"format", 1, FOR_BOTH},
	{"merge", 1, FOR_BOTH},      {"keys", 1, FOR_BOTH},       {"patch", 1, FOR_BOTH},
	{"list", 1, FOR_BOTH},       {"map", 1, FOR_BOTH},        {"gvk", 1, FOR_TYPE},
	{"preserve-unknown", 0, FOR_TYPE}, {"atomic", 0, FOR_TYPE}, {"opaque", 0, FOR_TYPE},
	{"proto", 1, FOR_FIELD},
};
#define N_ATTRS (sizeof attr_specs / sizeof attr_specs[0])

static int parse_number(const char *s, double *out)
{
	char *end;
	if (!*s)
		return -1;
	double d = strtod(s, &end);
	if (*end || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

/* A protobuf field number: decimal, 1..2^29-1; the end in *end. */
static int proto_number(const char *s, const char **end)
{
	long v = 0;
	if (*s < '1' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (*s - '0')) > PROTO_MAX)
			return -1;
	*end = s;
	return (int)v;
}

static int parse_attr(struct parser *p, struct attrs *at, char *w, int where)
{
	char *eq = strchr(w, '=');
	const char *val = NULL;
	if (eq) {
		*eq = 0;
		val = eq + 1;
	}
	size_t i;
	for (i = 0; i < N_ATTRS && strcmp(attr_specs[i].name, w); i++)
		;
	if (i == N_ATTRS)
		return perr(p, "unknown attribute \"%s\"", w);
	const struct attr_spec *sp = &attr_specs[i];
	if (!(sp->where & where))
		return perr(p, "attribute \"%s\" is for %s", w, sp->where == FOR_TYPE ? "types" : "fields");
	if (sp->value && (!val || !*val))
		return perr(p, "attribute \"%s\" needs a value", w);
	if (!sp->value && val)
		return perr(p, "attribute \"%s\" takes no value", w);
	if ((at->seen & (1u << i)) && strcmp(w, "gvk"))
		return perr(p, "attribute \"%s\" given twice", w);
	at->seen |= 1u << i;
	if (val && !(val = attr_value(p, w, val)))
		return -1;
	if (!strcmp(w, "required"))
		at->flags |= SCH_REQUIRED;
	else if (!strcmp(w, "immutable"))
		at->flags |= SCH_IMMUTABLE;
	else if (!strcmp(w, "default"))
		at->deflt = eq + 1; /* raw: a quoted default is JSON */
	else if (!strcmp(w, "enum"))
		at->enums = val;
	else if (!strcmp(w, "min") || !strcmp(w, "max")) {
		double d;
		if (parse_number(val, &d))
			return perr(p, "attribute \"%s\": invalid number \"%s\"", w, val);
		if (w[1] == 'i') {
			at->has_min = 1;
			at->min = d;
		} else {
			at->has_max = 1;
			at->max = d;
		}
	} else if (!strcmp(w, "maxlen")) {
		char *end;
		long v = strtol(val, &end, 10);
		if (*end || v < 0 || v >= INT32_MAX || *val < '0' || *val > '9')
			return perr(p, "attribute \"maxlen\": invalid length \"%s\"", val);
		at->has_maxlen = 1;
		at->maxlen = v;
	} else if (!strcmp(w, "pattern"))
		at->pattern = val;
	else if (!strcmp(w, "format"))
		at->format = val;
	else if (!strcmp(w, "merge"))
		at->merge = val;
	else if (!strcmp(w, "keys"))
		at->keys = val;
	else if (!strcmp(w, "patch")) {
		if (strcmp(val, "merge") && strcmp(val, "retainKeys") && strcmp(val, "merge,retainKeys") &&
		    strcmp(val, "replace"))
			return perr(p, "attribute \"patch\": unsupported value \"%s\" (want merge, retainKeys, "
			               "merge,retainKeys or replace)", val);
		at->patch = val;
	} else if (!strcmp(w, "list")) {
		if (strcmp(val, "atomic") && strcmp(val, "set") && strcmp(val, "map"))
			return perr(p, "attribute \"list\": unsupported value \"%s\" (want atomic, set or map)", val);
		at->list = val;
	} else if (!strcmp(w, "map")) {
		if (strcmp(val, "atomic") && strcmp(val, "granular"))
			return perr(p, "attribute \"map\": unsupported value \"%s\" (want atomic or granular)", val);
		at->map = val;
	} else if (!strcmp(w, "gvk")) {
		const char *s1 = strchr(val, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
		if (!s2 || s2 == s1 + 1 || !s2[1] || strchr(s2 + 1, '/'))
			return perr(p, "attribute \"gvk\": invalid value \"%s\" (want GROUP/VERSION/KIND)", val);
		if (at->ngvks == GVK_MAX)
			return perr(p, "more than %d gvk attributes", GVK_MAX);
		at->gvks[at->ngvks++] = val;
	} else if (!strcmp(w, "preserve-unknown"))
		at->preserve = 1;
	else if (!strcmp(w, "atomic"))
		at->atomic = 1;
	else if (!strcmp(w, "opaque"))
		at->opaque = 1;
	else if (!strcmp(w, "proto")) {
		/* N, or N.M for a field inlined from the embedded message N */
		const char *e = val;
		int n = proto_number(val, &e), m = 0;
		if (n > 0 && *e == '.')
			m = proto_number(e + 1, &e);
		if (n < 0 || m < 0 || *e)
			return perr(p, "attribute \"proto\": invalid field number \"%s\" (want N or N.M, 1 to %d)", val,
			            PROTO_MAX);
		at->proto = n;
		at->proto_inner = m;
	}
	return 0;
}

/* Attributes and the description up to the end of the line. */
static int parse_rest(struct parser *p, char *s, struct attrs *at, int where, const char **desc)
{
	*desc = NULL;
	for (;;) {
		s = skip_ws(s);
		if (!*s)
			return 0;
		if (*s == '"')
			return description(p, s, desc);
		char *w = word(&s);
		if (parse_attr(p, at, w, where))
			return -1;
	}
}

/* "a,b,c" into a NULL-terminated arena array; enum values may be empty
 * (HostPathType's "") */
static const char **split_list(struct parser *p, const char *key, const char *s, int allow_empty)
{
	size_t n = 1;
	for (const char *c = s; *c; c++)
		n += *c == ',';
	if (n > LIST_MAX) {
		perr(p, "attribute \"%s\": more than %d values", key, LIST_MAX);
		return NULL;
	}
	const char **v = amem(p->a, (n + 1) * sizeof *v);
	if (!v) {
		oom(p);
		return NULL;
	}
	size_t i = 0;
	for (const char *c = s;; i++) {
		const char *e = strchr(c, ',');
		size_t len = e ? (size_t)(e - c) : strlen(c);
		if (!len && !allow_empty) {
			perr(p, "attribute \"%s\": empty value in \"%s\"", key, s);
			return NULL;
		}
		if (!(v[i] = astrn(p->a, c, len))) {
			oom(p);
			return NULL;
		}
		if (!e)
			break;
		c = e + 1;
	}
	return v;
}

static int is_integer_text(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* default=V for a node of kind k: a JSON scalar, {} or [], read by the type */
static json_t *parse_default(struct parser *p, const char *v, enum schema_kind k)
{
	json_t *j = NULL;
	json_error_t je;
	if (*v == '"' || *v == '{' || *v == '[') {
		j = json_loads(v, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
		if (!j) {
			perr(p, "attribute \"default\": invalid JSON %s", v);
			return NULL;
		}
	} else if (!strcmp(v, "true") || !strcmp(v, "false")) {
		if (k == SCH_STRING || k == SCH_QUANTITY)
			j = json_string(v);
		else
			j = json_boolean(v[0] == 't');
	} else if (is_integer_text(v) && k != SCH_STRING && k != SCH_QUANTITY) {
		errno = 0;
		long long ll = strtoll(v, NULL, 10);
		if (errno) {
			perr(p, "attribute \"default\": integer out of range \"%s\"", v);
			return NULL;
		}
		j = k == SCH_NUMBER ? json_real((double)ll) : json_integer(ll);
	} else {
		double d;
		if (!parse_number(v, &d) && (k == SCH_NUMBER || k == SCH_REF || k == SCH_ANY))
			j = json_real(d);
		else
			j = json_string(v);
	}
	if (!j) {
		oom(p);
		return NULL;
	}
	int ok;
	switch (k) {
	case SCH_STRING:
	case SCH_QUANTITY: ok = json_is_string(j) || (k == SCH_QUANTITY && json_is_number(j)); break;
	case SCH_INT32:
		ok = json_is_integer(j) && json_integer_value(j) >= INT32_MIN && json_integer_value(j) <= INT32_MAX;
		break;
	case SCH_INT64: ok = json_is_integer(j); break;
	case SCH_NUMBER: ok = json_is_number(j); break;
	case SCH_BOOL: ok = json_is_boolean(j); break;
	case SCH_INT_OR_STRING: ok = json_is_integer(j) || json_is_string(j); break;
	case SCH_OBJECT:
	case SCH_MAP: ok = json_is_object(j); break;
	case SCH_ARRAY: ok = json_is_array(j); break;
	default: ok = 1; break;
	}
	if (!ok) {
		json_decref(j);
		perr(p, "attribute \"default\": %s is not a value of %s", v, kind_name(k));
		return NULL;
	}
	if (keep_json(p->a, j)) {
		oom(p);
		return NULL;
	}
	return j;
}

static regex_t *compile_pattern(struct arena *a, const char *pat, char *why, size_t whylen)
{
	if (strlen(pat) > PATTERN_MAX) {
		snprintf(why, whylen, "longer than %d bytes", PATTERN_MAX);
		return NULL;
	}
	/* back-references make matching exponential; RE2 (Kubernetes) has none */
	for (const char *c = pat; *c; c++)
		if (*c == '\\' && c[1]) {
			if (c[1] >= '1' && c[1] <= '9') {
				snprintf(why, whylen, "back-references are not supported");
				return NULL;
			}
			c++;
		}
	regex_t *re = malloc(sizeof *re);
	struct cleanup *c = amem(a, sizeof *c);
	if (!re || !c) {
		free(re);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	int rc = regcomp(re, pat, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		regerror(rc, re, why, whylen);
		free(re);
		return NULL;
	}
	c->re = re;
	c->next = a->cleanups;
	a->cleanups = c;
	return re;
}

static int numeric_kind(enum schema_kind k)
{
	return k == SCH_INT32 || k == SCH_INT64 || k == SCH_NUMBER || k == SCH_INT_OR_STRING || k == SCH_REF;
}

static int scalar_kind(enum schema_kind k) { return k != SCH_OBJECT && k != SCH_ARRAY && k != SCH_MAP && k != SCH_ANY; }

/* Attributes onto a field's (or alias') node. Scalar constraints (enum,
 * min, max, pattern, format) go to the element of lists and maps, maxlen
 * of a list counts its items. */
static int apply_attrs(struct parser *p, struct xnode *x, struct attrs *at)
{
	struct schema_node *n = &x->n, *inner = n;
	while ((inner->kind == SCH_ARRAY || inner->kind == SCH_MAP) && inner->items)
		inner = inner->items;
	if (at->enums) {
		if (!scalar_kind(inner->kind))
			return perr(p, "attribute \"enum\" does not apply to %s", kind_name(inner->kind));
		if (!(inner->enum_values = split_list(p, "enum", at->enums, 1)))
			return -1;
	}
	if (at->has_min || at->has_max) {
		if (!numeric_kind(inner->kind))
			return perr(p, "attribute \"%s\" does not apply to %s", at->has_min ? "min" : "max",
			            kind_name(inner->kind));
		inner->has_min = at->has_min;
		inner->min = at->min;
		inner->has_max = at->has_max;
		inner->max = at->max;
	}
	if (at->has_maxlen) {
		struct schema_node *t = n->kind == SCH_ARRAY ? n : inner;
		if (t->kind != SCH_ARRAY && t->kind != SCH_STRING && t->kind != SCH_INT_OR_STRING && t->kind != SCH_REF)
			return perr(p, "attribute \"maxlen\" does not apply to %s", kind_name(t->kind));
		t->maxlen = at->maxlen;
	}
	if (at->pattern) {
		char why[200];
		if (inner->kind != SCH_STRING && inner->kind != SCH_INT_OR_STRING && inner->kind != SCH_REF)
			return perr(p, "attribute \"pattern\" does not apply to %s", kind_name(inner->kind));
		if (!(X(inner)->re = compile_pattern(p->a, at->pattern, why, sizeof why)))
			return perr(p, "attribute \"pattern\": invalid pattern \"%s\": %s", at->pattern, why);
		if (!(inner->pattern = astr(p->a, at->pattern)))
			return oom(p);
	}
	if (at->format && !(inner->format = astr(p->a, at->format)))
		return oom(p);
	if (at->merge) {
		if (!(n->patch_merge_key = astr(p->a, at->merge)))
			return oom(p);
		n->patch_strategy = "merge";
	}
	if (at->patch)
		n->patch_strategy = !strcmp(at->patch, "merge")        ? "merge"
		                    : !strcmp(at->patch, "retainKeys") ? "retainKeys"
		                    : !strcmp(at->patch, "replace")    ? "replace"
		                                                       : "merge,retainKeys";
	int list_like = n->kind == SCH_ARRAY || n->kind == SCH_REF;
	if (at->list) {
		if (!list_like)
			return perr(p, "attribute \"list\" does not apply to %s", kind_name(n->kind));
		n->list_type = !strcmp(at->list, "atomic") ? "atomic" : !strcmp(at->list, "set") ? "set" : "map";
	} else if ((at->keys || at->merge) && n->kind == SCH_ARRAY) {
		n->list_type = "map";
	}
	if (at->keys) {
		if (!list_like)
			return perr(p, "attribute \"keys\" does not apply to %s", kind_name(n->kind));
		if (!(n->list_map_keys = split_list(p, "keys", at->keys, 0)))
			return -1;
	} else if (at->merge && n->list_type && !strcmp(n->list_type, "map")) {
		const char **k = amem(p->a, 2 * sizeof *k);
		if (!k)
			return oom(p);
		k[0] = n->patch_merge_key;
		n->list_map_keys = k;
	}
	if (n->list_type && !strcmp(n->list_type, "map") && !n->list_map_keys)
		return perr(p, "list=map needs keys= or merge=");
	if (at->map) {
		if (n->kind != SCH_MAP && n->kind != SCH_OBJECT && n->kind != SCH_REF)
			return perr(p, "attribute \"map\" does not apply to %s", kind_name(n->kind));
		n->map_type = !strcmp(at->map, "atomic") ? "atomic" : "granular";
	}
	if (at->atomic)
		n->map_type = "atomic";
	if (at->preserve)
		n->preserve_unknown = 1;
	if (at->opaque)
		x->opaque = 1;
	if (at->ngvks) {
		const char **g = amem(p->a, (at->ngvks + 1) * sizeof *g);
		if (!g)
			return oom(p);
		for (size_t i = 0; i < at->ngvks; i++)
			if (!(g[i] = astr(p->a, at->gvks[i])))
				return oom(p);
		n->gvks = g;
	}
	if (at->deflt && !(n->default_value = parse_default(p, at->deflt, n->kind)))
		return -1;
	return 0;
}

static struct xnode *ref_node(struct parser *p, const char *name, size_t len)
{
	struct xnode *x = new_node(p->a, SCH_REF, p->line);
	if (!x || !(x->written = astrn(p->a, name, len))) {
		oom(p);
		return NULL;
	}
	int dotted = memchr(name, '.', len) != NULL;
	size_t n = dotted ? 1 : 1 + p->nimports + N_BUILTIN;
	if (!(x->cands = amem(p->a, (n + 1) * sizeof *x->cands))) {
		oom(p);
		return NULL;
	}
	if (dotted) {
		x->cands[0] = x->written;
	} else {
		size_t i = 0;
		const char *pkgs[1 + IMPORTS_MAX + N_BUILTIN];
		pkgs[i++] = p->pkg;
		for (size_t j = 0; j < p->nimports; j++)
			pkgs[i++] = p->imports[j];
		for (size_t j = 0; j < N_BUILTIN; j++)
			pkgs[i++] = builtin_pkgs[j];
		for (i = 0; i < n; i++) {
			size_t pl = strlen(pkgs[i]);
			char *full = amem(p->a, pl + 1 + len + 1);
			if (!full) {
				oom(p);
				return NULL;
			}
			memcpy(full, pkgs[i], pl);
			full[pl] = '.';
			memcpy(full + pl + 1, name, len);
			x->cands[i] = full;
		}
	}
	x->n.ref = x->cands[0];
	return x;
}

static const struct {
	const char *name;
	enum schema_kind kind;
	const char *format;
} scalars[] = {
	{"string", SCH_STRING, NULL},         {"int32", SCH_INT32, "int32"},
	{"int64", SCH_INT64, "int64"},        {"number", SCH_NUMBER, "double"},
	{"boolean", SCH_BOOL, NULL},          {"bytes", SCH_STRING, "byte"},
	{"date-time", SCH_STRING, "date-time"}, {"int-or-string", SCH_INT_OR_STRING, NULL},
	{"quantity", SCH_QUANTITY, NULL},     {"object", SCH_OBJECT, NULL},
	{"any", SCH_ANY, NULL},
};

static struct xnode *parse_type(struct parser *p, const char *s, size_t len, int depth)
{
	if (depth > TYPE_DEPTH_MAX) {
		perr(p, "type nested more than %d deep", TYPE_DEPTH_MAX);
		return NULL;
	}
	struct xnode *x, *items;
	if (len > 2 && s[0] == '[' && s[1] == ']') {
		if (!(items = parse_type(p, s + 2, len - 2, depth + 1)))
			return NULL;
		if (!(x = new_node(p->a, SCH_ARRAY, p->line))) {
			oom(p);
			return NULL;
		}
		x->n.items = &items->n;
		return x;
	}
	if (len > 5 && !strncmp(s, "map[", 4) && s[len - 1] == ']') {
		if (!(items = parse_type(p, s + 4, len - 5, depth + 1)))
			return NULL;
		if (!(x = new_node(p->a, SCH_MAP, p->line))) {
			oom(p);
			return NULL;
		}
		x->n.items = &items->n;
		return x;
	}
	for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++)
		if (strlen(scalars[i].name) == len && !memcmp(scalars[i].name, s, len)) {
			if (!(x = new_node(p->a, scalars[i].kind, p->line))) {
				oom(p);
				return NULL;
			}
			x->n.format = scalars[i].format;
			x->n.preserve_unknown = scalars[i].kind == SCH_OBJECT;
			return x;
		}
	const char *dot = memchr(s, '.', len);
	const char *last = s;
	for (const char *c = s; c < s + len; c++)
		if (*c == '.')
			last = c + 1;
	if (dot ? !valid_dotted(s, len) || !valid_ident(last, len - (size_t)(last - s)) : !valid_ident(s, len)) {
		perr(p, "invalid type \"%.*s\"", (int)(len > 200 ? 200 : len), s);
		return NULL;
	}
	return ref_node(p, s, len);
}

static int close_type(struct parser *p)
{
	struct def *d = p->cur;
	p->cur = NULL;
	strmap_free(p->field_names, NULL);
	p->field_names = NULL;
	if (!d || p->cur_alias) {
		p->nfields = 0;
		return 0;
	}
	struct schema_node *n = &d->node->n;
	if (p->nfields) {
		struct schema_field *f = amem(p->a, p->nfields * sizeof *f);
		if (!f)
			return oom(p);
		memcpy(f, p->fields, p->nfields * sizeof *f);
		n->fields = f;
		n->n_fields = p->nfields;
	}
	p->nfields = 0;
	if (build_index(p->a, d->node))
		return oom(p);
	return 0;
}

static int line_package(struct parser *p, char *s)
{
	char *name = word(&s);
	if (!name)
		return perr(p, "package needs a name");
	if (!valid_dotted(name, strlen(name)))
		return perr(p, "invalid package name \"%.200s\"", name);
	if (word(&s))
		return perr(p, "package takes one name");
	if (close_type(p))
		return -1;
	if (!(p->pkg = astr(p->a, name)))
		return oom(p);
	p->nimports = 0;
	p->pkg_has_types = 0;
	return 0;
}

static int line_import(struct parser *p, char *s)
{
	char *name = word(&s);
	if (!name)
		return perr(p, "import needs a package name");
	if (!valid_dotted(name, strlen(name)))
		return perr(p, "invalid package name \"%.200s\"", name);
	if (word(&s))
		return perr(p, "import takes one package name");
	if (!p->pkg)
		return perr(p, "import before package");
	if (p->pkg_has_types)
		return perr(p, "import must come before the types of its package");
	if (p->nimports == IMPORTS_MAX)
		return perr(p, "more than %d imports", IMPORTS_MAX);
	if (!(p->imports[p->nimports] = astr(p->a, name)))
		return oom(p);
	p->nimports++;
	return 0;
}

static int line_type(struct parser *p, char *s)
{
	if (close_type(p))
		return -1;
	char *name = word(&s);
	if (!name)
		return perr(p, "type needs a name");
	if (!valid_ident(name, strlen(name)))
		return perr(p, "invalid type name \"%.200s\"", name);
	if (!p->pkg)
		return perr(p, "package must come before the first type");
	size_t pl = strlen(p->pkg), nl = strlen(name);
	char *full = amem(p->a, pl + nl + 2);
	if (!full)
		return oom(p);
	snprintf(full, pl + nl + 2, "%s.%s", p->pkg, name);
	if (strmap_get(p->names, full))
		return perr(p, "type \"%s\" defined twice", name);
	struct xnode *x;
	char *rest = skip_ws(s);
	int alias = rest[0] == '=' && (rest[1] == ' ' || rest[1] == '\t' || !rest[1]);
	if (alias) {
		s = rest + 1;
		char *t = word(&s);
		if (!t || *t == '"')
			return perr(p, "type %s = needs a type", name);
		if (!(x = parse_type(p, t, strlen(t), 0)))
			return -1;
	} else if (!(x = new_node(p->a, SCH_OBJECT, p->line))) {
		return oom(p);
	}
	struct attrs at = {0};
	const char *desc;
	if (parse_rest(p, s, &at, FOR_TYPE, &desc))
		return -1;
	if (!alias && (at.deflt || at.enums || at.has_min || at.has_max || at.has_maxlen || at.pattern || at.format ||
	               at.merge || at.keys || at.patch || at.list))
		return perr(p, "object type %s takes only gvk, preserve-unknown, atomic, opaque and map attributes", name);
	if (apply_attrs(p, x, &at))
		return -1;
	x->n.name = full;
	x->n.description = desc;
	x->n.line = p->line;
	int failed = 0;
	struct def *d = add_def(p->a, full, x);
	if (!d || (strmap_put(p->names, full, d, &failed), failed))
		return oom(p);
	p->pkg_has_types = 1;
	p->cur = d;
	p->cur_alias = alias;
	if (!alias && !(p->field_names = strmap_new()))
		return oom(p);
	return 0;
}

static int valid_field_name(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > NAME_MAX_BYTES)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '"' || *s == 0x7f)
			return 0;
	return 1;
}

static int line_field(struct parser *p, char *s)
{
	if (!p->cur)
		return perr(p, "field outside a type");
	if (p->cur_alias)
		return perr(p, "%s is an alias and has no fields", p->cur->name);
	char *name = word(&s);
	if (!valid_field_name(name))
		return perr(p, "invalid field name \"%.200s\"", name);
	if (strmap_get(p->field_names, name))
		return perr(p, "duplicate field \"%s\"", name);
	char *t = word(&s);
	if (!t || *t == '"')
		return perr(p, "field \"%s\" needs a type", name);
	struct xnode *x = parse_type(p, t, strlen(t), 0);
	if (!x)
		return -1;
	struct attrs at = {0};
	const char *desc;
	if (parse_rest(p, s, &at, FOR_FIELD, &desc) || apply_attrs(p, x, &at))
		return -1;
	x->n.description = desc;
	if (p->nfields == FIELDS_MAX)
		return perr(p, "more than %d fields", FIELDS_MAX);
	if (p->nfields == p->capfields) {
		size_t cap = p->capfields ? 2 * p->capfields : 32;
		struct schema_field *f = realloc(p->fields, cap * sizeof *f);
		if (!f)
			return oom(p);
		p->fields = f;
		p->capfields = cap;
	}
	const char *fname = astr(p->a, name);
	int failed = 0;
	if (!fname || (strmap_put(p->field_names, fname, (void *)fname, &failed), failed))
		return oom(p);
	/* one number, one field; N is either a field or an embedded message */
	for (size_t i = 0; at.proto && i < p->nfields; i++) {
		const struct schema_field *o = &p->fields[i];
		if (o->proto == at.proto && (o->proto_inner == at.proto_inner || !o->proto_inner || !at.proto_inner)) {
			char num[32] = "";
			if (o->proto_inner)
				snprintf(num, sizeof num, ".%d", o->proto_inner);
			return perr(p, "attribute \"proto\": field \"%s\" already has proto=%d%s", o->name, o->proto, num);
		}
	}
	p->fields[p->nfields++] = (struct schema_field){
		.name = fname, .type = &x->n, .flags = at.flags, .proto = at.proto, .proto_inner = at.proto_inner};
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	char *s = skip_ws(line);
	if (!*s || *s == '#')
		return 0;
	if (s != line)
		return line_field(p, s);
	char *kw = word(&s);
	if (!strcmp(kw, "package"))
		return line_package(p, s);
	if (!strcmp(kw, "import"))
		return line_import(p, s);
	if (!strcmp(kw, "type"))
		return line_type(p, s);
	return perr(p, "unknown keyword \"%.100s\" (want package, import, type or an indented field)", kw);
}

int schema_define(const char *owner, const char *label, const char *text, size_t len, sk_err *err)
{
	if (!label)
		label = "types";
	if (!text && len)
		return sk_fail(err, SK_EINVALID, "%s: no text", label);
	if (len > TEXT_MAX)
		return sk_fail(err, SK_ETOOLARGE, "%s: longer than %u bytes", label, TEXT_MAX);
	struct parser p = {.label = label, .err = err};
	p.a = arena_new(owner, label);
	p.imports = malloc(IMPORTS_MAX * sizeof *p.imports);
	p.names = strmap_new();
	char *buf = malloc(LINE_MAX_BYTES + 1);
	int rc = -1;
	if (!p.a || !p.imports || !p.names || !buf) {
		oom(&p);
		goto out;
	}
	for (size_t pos = 0, next; pos < len; pos = next) {
		p.line++;
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		next = pos + n + (nl != NULL);
		if (n && text[pos + n - 1] == '\r')
			n--;
		if (n > LINE_MAX_BYTES) {
			perr(&p, "line longer than %d bytes", LINE_MAX_BYTES);
			goto out;
		}
		if (memchr(text + pos, 0, n)) {
			perr(&p, "NUL byte in the text");
			goto out;
		}
		memcpy(buf, text + pos, n);
		buf[n] = 0;
		if (parse_line(&p, buf))
			goto out;
	}
	if (close_type(&p))
		goto out;
	rc = 0;
out:
	free(buf);
	free(p.imports);
	free(p.fields);
	strmap_free(p.names, NULL);
	strmap_free(p.field_names, NULL);
	if (rc) {
		arena_free(p.a);
		return err ? err->code : SK_EINVALID;
	}
	return commit(p.a, err);
}

/* ---- CRD schemas ---------------------------------------------------------- */

/* A CRD's pattern is RE2 syntax (Kubernetes matches with Go's regexp); the
 * Perl classes, escapes, non-capturing groups and lazy quantifiers that
 * CRDs use are rewritten into the POSIX ERE regcomp knows. Returns a heap
 * string, or NULL with why set for what has no ERE form (\b, (?i), ...). */
static char *re2_to_ere(const char *pat, char *why, size_t whylen)
{
	size_t n = strlen(pat);
	if (n > PATTERN_MAX) {
		snprintf(why, whylen, "longer than %d bytes", PATTERN_MAX);
		return NULL;
	}
	char *out = malloc(n * 8 + 16), *o = out;
	if (!out) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	char *cls = NULL;                   /* inside [...]: where its members start */
	int rbracket = 0, dash = 0, caret = 0; /* escaped ones, placed where ERE reads them literally */
	int quantified = 0;                 /* the last token was a quantifier */
	const char *c = pat;
	for (; *c; c++) {
		if (cls) {
			if (*c == '\\' && c[1]) {
				c++;
				if (*c == 'd')
					o += sprintf(o, "0-9");
				else if (*c == 's')
					o += sprintf(o, "[:space:]");
				else if (*c == 'w')
					o += sprintf(o, "0-9A-Za-z_");
				else if (*c == 'n' || *c == 't' || *c == 'r' || *c == 'f' || *c == 'v')
					*o++ = *c == 'n' ? '\n' : *c == 't' ? '\t' : *c == 'r' ? '\r' : *c == 'f' ? '\f' : '\v';
				else if (*c == ']')
					rbracket = 1;
				else if (*c == '-')
					dash = 1;
				else if (*c == '^')
					caret = 1;
				else if ((*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z'))
					goto unsupported;
				else
					*o++ = *c; /* [\.] is a dot; a backslash in ERE brackets is literal */
				continue;
			}
			if (*c == '[' && c[1] == ':') {
				const char *end = strstr(c + 2, ":]");
				if (!end)
					goto unsupported;
				memcpy(o, c, (size_t)(end + 2 - c));
				o += end + 2 - c;
				c = end + 1;
				continue;
			}
			if (*c == ']' && (o > cls || rbracket || dash || caret)) {
				if (o == cls && caret && !rbracket && !dash && cls[-1] == '[') {
					o = cls - 1; /* [\^] alone: the character itself */
					o += sprintf(o, "\\^");
				} else {
					if (o == cls && dash) {
						*o++ = '-'; /* first: literal, and keeps ^ from leading */
						dash = 0;
					}
					if (caret)
						*o++ = '^';
					if (dash)
						*o++ = '-';
					*o = '\0';
					if (rbracket) {
						memmove(cls + 1, cls, (size_t)(o - cls));
						*cls = ']';
						o++;
					}
					*o++ = ']';
				}
				cls = NULL;
				quantified = 0;
				continue;
			}
			*o++ = *c;
			continue;
		}
		if (*c == '\\' && c[1]) {
			static const char *const classes[] = {"d[0-9]", "D[^0-9]", "s[[:space:]]", "S[^[:space:]]",
			                                      "w[0-9A-Za-z_]", "W[^0-9A-Za-z_]"};
			const char *rep = NULL;
			c++;
			for (size_t i = 0; i < sizeof classes / sizeof classes[0] && !rep; i++)
				if (classes[i][0] == *c)
					rep = classes[i] + 1;
			if (rep)
				o += sprintf(o, "%s", rep);
			else if (*c == 'n' || *c == 't' || *c == 'r' || *c == 'f' || *c == 'v')
				*o++ = *c == 'n' ? '\n' : *c == 't' ? '\t' : *c == 'r' ? '\r' : *c == 'f' ? '\f' : '\v';
			else if ((*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z'))
				goto unsupported;
			else if (strchr(".[]()*+?{}|^$\\", *c))
				o += sprintf(o, "\\%c", *c);
			else
				*o++ = *c; /* \/ \- \: ... are the characters themselves */
			quantified = 0;
			continue;
		}
		if (*c == '(' && c[1] == '?') {
			if (c[2] != ':')
				goto unsupported;
			*o++ = '(';
			c += 2;
			quantified = 0;
			continue;
		}
		if (*c == '?' && quantified) {
			quantified = 0; /* lazy: whether there is a match does not change */
			continue;
		}
		if (*c == '[') {
			*o++ = '[';
			if (c[1] == '^')
				*o++ = *++c;
			cls = o;
			rbracket = dash = caret = 0;
			if (c[1] == ']')
				*o++ = *++c; /* []a] holds a ']' */
			continue;
		}
		quantified = *c == '*' || *c == '+' || *c == '?' || *c == '}';
		*o++ = *c;
	}
	if (cls) {
		snprintf(why, whylen, "missing closing ]");
		free(out);
		return NULL;
	}
	*o = '\0';
	return out;
unsupported:
	snprintf(why, whylen, "unsupported syntax at \"%.20s\"", c > pat && c[-1] == '\\' ? c - 1 : c);
	free(out);
	return NULL;
}

struct oactx {
	struct arena *a;
	sk_err *err;
	size_t nodes;
	char path[512];
	size_t plen;
};

static int oa_fail(struct oactx *c, const char *fmt, ...) SK_PRINTF(2, 3);
static int oa_fail(struct oactx *c, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* deep paths keep their end, where the problem is */
	size_t n = strlen(c->path);
	if (n > 240)
		sk_fail(c->err, SK_EINVALID, "...%s: %s", c->path + n - 240, msg);
	else
		sk_fail(c->err, SK_EINVALID, "%s: %s", c->path, msg);
	return -1;
}

static int oa_oom(struct oactx *c)
{
	sk_fail(c->err, SK_ENOMEM, "out of memory");
	return -1;
}

static size_t oa_push(struct oactx *c, const char *fmt, const char *arg)
{
	size_t mark = c->plen;
	if (c->plen < sizeof c->path) {
		int n = snprintf(c->path + c->plen, sizeof c->path - c->plen, fmt, arg);
		c->plen = n < 0 ? c->plen : c->plen + (size_t)n;
		if (c->plen >= sizeof c->path)
			c->plen = sizeof c->path - 1;
	}
	return mark;
}

static void oa_pop(struct oactx *c, size_t mark)
{
	c->plen = mark;
	c->path[mark] = 0;
}

/* A JSON value as an enum entry: strings as they are, others as JSON. */
static const char *enum_text(struct arena *a, const json_t *v)
{
	if (json_is_string(v))
		return astrn(a, json_string_value(v), strlen(json_string_value(v)));
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		return NULL;
	const char *r = astr(a, s);
	free(s);
	return r;
}

static struct xnode *oa_node(struct oactx *c, const json_t *s, int depth, int root);

static const char *oa_string(struct oactx *c, const json_t *s, const char *key, int *bad)
{
	const json_t *v = json_object_get(s, key);
	if (!v)
		return NULL;
	if (!json_is_string(v)) {
		size_t m = oa_push(c, ".%s", key);
		oa_fail(c, "must be a string");
		oa_pop(c, m);
		*bad = 1;
		return NULL;
	}
	const char *r = astr(c->a, json_string_value(v));
	if (!r) {
		*bad = 1;
		sk_fail(c->err, SK_ENOMEM, "out of memory");
	}
	return r;
}

static int oa_fields(struct oactx *c, struct xnode *x, const json_t *s, int depth, int root)
{
	const json_t *props = json_object_get(s, "properties");
	const json_t *req = json_object_get(s, "required");
	if (props && !json_is_object(props))
		return oa_fail(c, "properties: must be an object");
	if (req && !json_is_array(req))
		return oa_fail(c, "required: must be a list of strings");
	size_t n = json_object_size(props) + (root ? 3 : 0);
	struct schema_field *f = n ? amem(c->a, n * sizeof *f) : NULL;
	if (n && !f)
		return oa_oom(c);
	size_t i = 0;
	if (root) {
		/* every kind has them; metadata is always ObjectMeta, as Kubernetes serves it */
		static const char *const meta[] = {"apiVersion", "kind", "metadata"};
		for (size_t k = 0; k < 3; k++) {
			const json_t *given = json_object_get(props, meta[k]);
			struct xnode *t;
			if (k < 2) {
				t = given ? NULL : new_node(c->a, SCH_STRING, 0);
				if (given) {
					size_t m = oa_push(c, ".properties[%s]", meta[k]);
					t = oa_node(c, given, depth + 1, 0);
					oa_pop(c, m);
					if (!t)
						return -1;
				}
			} else {
				t = new_node(c->a, SCH_REF, 0);
				if (t) {
					t->written = "ObjectMeta";
					t->cands = amem(c->a, 2 * sizeof *t->cands);
					if (t->cands)
						t->cands[0] = t->n.ref = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
				}
				if (t && !t->cands)
					t = NULL;
			}
			if (!t)
				return oa_oom(c);
			f[i++] = (struct schema_field){.name = meta[k], .type = &t->n};
		}
	}
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)props, k, v) {
		if (root && (!strcmp(k, "apiVersion") || !strcmp(k, "kind") || !strcmp(k, "metadata")))
			continue;
		size_t m = oa_push(c, ".properties[%s]", k);
		if (strlen(k) > NAME_MAX_BYTES) {
			oa_fail(c, "property name longer than %d bytes", NAME_MAX_BYTES);
			return -1;
		}
		struct xnode *t = oa_node(c, v, depth + 1, 0);
		oa_pop(c, m);
		const char *name = t ? astr(c->a, k) : NULL;
		if (!t)
			return -1;
		if (!name)
			return oa_oom(c);
		f[i++] = (struct schema_field){.name = name, .type = &t->n};
	}
	size_t ri;
	json_array_foreach(req, ri, v) {
		if (!json_is_string(v))
			return oa_fail(c, "required[%zu]: must be a string", ri);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(f[j].name, json_string_value(v)))
				f[j].flags |= SCH_REQUIRED;
	}
	x->n.fields = f;
	x->n.n_fields = i;
	if (build_index(c->a, x))
		return oa_oom(c);
	return 0;
}

static struct xnode *oa_node(struct oactx *c, const json_t *s, int depth, int root)
{
	if (!json_is_object(s)) {
		oa_fail(c, "must be a schema object");
		return NULL;
	}
	if (depth > OA_DEPTH_MAX) {
		oa_fail(c, "nested more than %d deep", OA_DEPTH_MAX);
		return NULL;
	}
	if (++c->nodes > OA_NODES_MAX) {
		oa_fail(c, "more than %d schemas", OA_NODES_MAX);
		return NULL;
	}
	int bad = 0;
	const char *type = oa_string(c, s, "type", &bad);
	const char *format = oa_string(c, s, "format", &bad);
	const char *desc = oa_string(c, s, "description", &bad);
	const char *pattern = oa_string(c, s, "pattern", &bad);
	const char *list = oa_string(c, s, "x-kubernetes-list-type", &bad);
	const char *map = oa_string(c, s, "x-kubernetes-map-type", &bad);
	if (bad)
		return NULL;
	int preserve = json_is_true(json_object_get(s, "x-kubernetes-preserve-unknown-fields"));
	int ios = json_is_true(json_object_get(s, "x-kubernetes-int-or-string"));
	const json_t *props = json_object_get(s, "properties");
	const json_t *ap = json_object_get(s, "additionalProperties");
	enum schema_kind kind;
	if (ios)
		kind = SCH_INT_OR_STRING;
	else if (!type)
		kind = props ? SCH_OBJECT : SCH_ANY;
	else if (!strcmp(type, "object"))
		kind = props || !ap || json_is_false(ap) ? SCH_OBJECT : SCH_MAP;
	else if (!strcmp(type, "array"))
		kind = SCH_ARRAY;
	else if (!strcmp(type, "string"))
		kind = SCH_STRING;
	else if (!strcmp(type, "integer"))
		kind = format && !strcmp(format, "int32") ? SCH_INT32 : SCH_INT64;
	else if (!strcmp(type, "number"))
		kind = SCH_NUMBER;
	else if (!strcmp(type, "boolean"))
		kind = SCH_BOOL;
	else {
		size_t m = oa_push(c, ".%s", "type");
		oa_fail(c, "Unsupported value: \"%.100s\": supported values: \"array\", \"boolean\", \"integer\", "
		           "\"number\", \"object\", \"string\"", type);
		oa_pop(c, m);
		return NULL;
	}
	if (root && kind != SCH_OBJECT) {
		oa_fail(c, "the root must be of type object");
		return NULL;
	}
	if (props && ap && !json_is_false(ap)) {
		oa_fail(c, "properties and additionalProperties are mutually exclusive");
		return NULL;
	}
	struct xnode *x = new_node(c->a, kind, 0);
	if (!x) {
		sk_fail(c->err, SK_ENOMEM, "out of memory");
		return NULL;
	}
	struct schema_node *n = &x->n;
	n->format = format;
	n->description = desc;
	n->preserve_unknown = preserve;
	x->nullable = json_is_true(json_object_get(s, "nullable"));
	if (kind == SCH_OBJECT && oa_fields(c, x, s, depth, root))
		return NULL;
	if (kind == SCH_MAP) {
		struct xnode *items;
		if (json_is_true(ap)) {
			items = new_node(c->a, SCH_ANY, 0);
			if (items)
				items->n.preserve_unknown = 1;
		} else {
			size_t m = oa_push(c, ".%s", "additionalProperties");
			items = oa_node(c, ap, depth + 1, 0);
			oa_pop(c, m);
			if (!items)
				return NULL;
		}
		if (!items) {
			sk_fail(c->err, SK_ENOMEM, "out of memory");
			return NULL;
		}
		n->items = &items->n;
	}
	if (kind == SCH_ARRAY) {
		const json_t *it = json_object_get(s, "items");
		struct xnode *items;
		if (!it) {
			items = new_node(c->a, SCH_ANY, 0);
		} else {
			size_t m = oa_push(c, ".%s", "items");
			items = oa_node(c, it, depth + 1, 0);
			oa_pop(c, m);
			if (!items)
				return NULL;
		}
		if (!items) {
			sk_fail(c->err, SK_ENOMEM, "out of memory");
			return NULL;
		}
		n->items = &items->n;
	}
	const json_t *v;
	if ((v = json_object_get(s, "enum"))) {
		if (!json_is_array(v) || json_array_size(v) > LIST_MAX) {
			oa_fail(c, "enum: must be a list of at most %d values", LIST_MAX);
			return NULL;
		}
		const char **e = amem(c->a, (json_array_size(v) + 1) * sizeof *e);
		size_t i;
		const json_t *ev;
		if (!e) {
			sk_fail(c->err, SK_ENOMEM, "out of memory");
			return NULL;
		}
		json_array_foreach(v, i, ev) if (!(e[i] = enum_text(c->a, ev))) {
			sk_fail(c->err, SK_ENOMEM, "out of memory");
			return NULL;
		}
		n->enum_values = e;
	}
	if ((v = json_object_get(s, "default"))) {
		json_t *d = json_deep_copy(v);
		if (!d || keep_json(c->a, d)) {
			sk_fail(c->err, SK_ENOMEM, "out of memory");
			return NULL;
		}
		n->default_value = d;
	}
	static const char *const numkeys[] = {"minimum", "maximum", "maxLength", "maxItems"};
	for (size_t k = 0; k < 4; k++) {
		if (!(v = json_object_get(s, numkeys[k])))
			continue;
		if (!json_is_number(v) || (k >= 2 && (!json_is_integer(v) || json_integer_value(v) < 0))) {
			size_t m = oa_push(c, ".%s", numkeys[k]);
			oa_fail(c, k >= 2 ? "must be a non-negative integer" : "must be a number");
			oa_pop(c, m);
			return NULL;
		}
		double d = json_number_value(v);
		if (k == 0) {
			n->has_min = 1;
			n->min = d;
		} else if (k == 1) {
			n->has_max = 1;
			n->max = d;
		} else if ((k == 2) == (kind != SCH_ARRAY)) {
			n->maxlen = json_integer_value(v) > LONG_MAX ? LONG_MAX : (long)json_integer_value(v);
		}
	}
	if (pattern) {
		char why[200];
		char *ere = re2_to_ere(pattern, why, sizeof why);
		x->re = ere ? compile_pattern(c->a, ere, why, sizeof why) : NULL;
		free(ere);
		if (!x->re) {
			size_t m = oa_push(c, ".%s", "pattern");
			oa_fail(c, "invalid pattern \"%.100s\": %s", pattern, why);
			oa_pop(c, m);
			return NULL;
		}
		n->pattern = pattern;
	}
	if (list) {
		if (strcmp(list, "atomic") && strcmp(list, "set") && strcmp(list, "map")) {
			oa_fail(c, "x-kubernetes-list-type: Unsupported value: \"%.100s\"", list);
			return NULL;
		}
		n->list_type = list;
	}
	if ((v = json_object_get(s, "x-kubernetes-list-map-keys"))) {
		if (!json_is_array(v) || json_array_size(v) > LIST_MAX) {
			oa_fail(c, "x-kubernetes-list-map-keys: must be a list of strings");
			return NULL;
		}
		const char **e = amem(c->a, (json_array_size(v) + 1) * sizeof *e);
		size_t i;
		const json_t *ev;
		if (!e) {
			sk_fail(c->err, SK_ENOMEM, "out of memory");
			return NULL;
		}
		json_array_foreach(v, i, ev) {
			if (!json_is_string(ev)) {
				oa_fail(c, "x-kubernetes-list-map-keys: must be a list of strings");
				return NULL;
			}
			if (!(e[i] = astr(c->a, json_string_value(ev)))) {
				sk_fail(c->err, SK_ENOMEM, "out of memory");
				return NULL;
			}
		}
		n->list_map_keys = e;
	}
	if (map) {
		if (strcmp(map, "atomic") && strcmp(map, "granular")) {
			oa_fail(c, "x-kubernetes-map-type: Unsupported value: \"%.100s\"", map);
			return NULL;
		}
		n->map_type = map;
	}
	return x;
}

int schema_define_openapi(const char *owner, const char *full_name, const json_t *openapi, sk_err *err)
{
	return schema_define_openapi_gvk(owner, full_name, NULL, openapi, err);
}

int schema_define_openapi_gvk(const char *owner, const char *full_name, const char *gvk, const json_t *openapi,
                              sk_err *err)
{
	if (!full_name || !*full_name || strlen(full_name) > NAME_MAX_BYTES || strpbrk(full_name, " \t\r\n\""))
		return sk_fail(err, SK_EINVALID, "invalid type name \"%.200s\"", full_name ? full_name : "");
	if (gvk) {
		/* GROUP/VERSION/KIND, the group empty for the core group */
		const char *s1 = strchr(gvk, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
		if (!s2 || s2 == s1 + 1 || !s2[1] || strchr(s2 + 1, '/') || strlen(gvk) > NAME_MAX_BYTES)
			return sk_fail(err, SK_EINVALID, "invalid group/version/kind \"%.200s\" (want GROUP/VERSION/KIND)",
			               gvk);
	}
	struct oactx c = {.err = err};
	if (!(c.a = arena_new(owner, full_name)))
		return sk_fail(err, SK_ENOMEM, "out of memory");
	oa_push(&c, "%s", "openAPIV3Schema");
	struct xnode *root = oa_node(&c, openapi, 0, 1);
	const char *name = root ? astr(c.a, full_name) : NULL;
	if (!root || !name || !add_def(c.a, name, root)) {
		if (root)
			sk_fail(err, SK_ENOMEM, "out of memory");
		arena_free(c.a);
		return err ? err->code : SK_EINVALID;
	}
	root->n.name = name;
	if (gvk) {
		const char **g = amem(c.a, 2 * sizeof *g);
		if (!g || !(g[0] = astr(c.a, gvk))) {
			arena_free(c.a);
			return sk_fail(err, SK_ENOMEM, "out of memory");
		}
		g[1] = NULL;
		root->n.gvks = g;
	}
	return commit(c.a, err);
}

/* ---- start-up ------------------------------------------------------------ */

typedef int (*walk_fn)(struct xnode *x, void *ud);

static int walk(struct xnode *x, walk_fn fn, void *ud)
{
	if (!x)
		return 0;
	int r = fn(x, ud);
	if (r)
		return r;
	if (x->n.items && (r = walk(X(x->n.items), fn, ud)))
		return r;
	for (size_t i = 0; i < x->n.n_fields; i++)
		if ((r = walk(X(x->n.fields[i].type), fn, ud)))
			return r;
	return 0;
}

static int check_one(struct xnode *x, void *ud)
{
	sk_err *err = ud;
	if (x->n.kind != SCH_REF)
		return 0;
	const struct arena *a = x->arena;
	char where[300];
	if (x->n.line)
		snprintf(where, sizeof where, "%s: %s:%d", a->owner, a->label, x->n.line);
	else
		snprintf(where, sizeof where, "%s: %s", a->owner, a->label);
	if (!resolve(x))
		return sk_fail(err, SK_EINVALID, "%s: unknown type \"%s\"", where, x->written);
	if (!schema_deref(&x->n))
		return sk_fail(err, SK_EINVALID, "%s: type \"%s\" is an alias of itself", where, x->n.ref);
	return 0;
}

int schema_check_refs(sk_err *err)
{
	for (struct arena *a = arenas_first; a; a = a->next)
		for (struct def *d = a->defs; d; d = d->next)
			if (lookup(d->name) == d) {
				int rc = walk(d->node, check_one, err);
				if (rc)
					return rc;
			}
	return SK_OK;
}

int schema_init(sk_err *err) { return schema_define("core", "meta.types", meta_types, meta_types_len, err); }

void schema_fini(void)
{
	for (struct arena *a = arenas_first, *next; a; a = next) {
		next = a->next;
		arena_free(a);
	}
	arenas_first = arenas_last = NULL;
	strmap_free(table, NULL);
	table = NULL;
	strmap_free(gvk_index, NULL);
	gvk_index = NULL;
	generation++;
}

/* ---- validation ------------------------------------------------------------ */

struct vctx {
	json_t *causes, *unknown;
	size_t start, nunknown;
	char *path;
	size_t plen, pcap;
	int depth;
};

static size_t vpush(struct vctx *c, const char *pre, const char *s, size_t n, const char *post)
{
	size_t mark = c->plen, need = c->plen + strlen(pre) + n + strlen(post) + 1;
	if (need > c->pcap) {
		size_t cap = c->pcap ? c->pcap : 128;
		while (cap < need)
			cap *= 2;
		char *p = realloc(c->path, cap);
		if (!p)
			return mark;
		c->path = p;
		c->pcap = cap;
	}
	size_t l = strlen(pre);
	memcpy(c->path + c->plen, pre, l);
	c->plen += l;
	memcpy(c->path + c->plen, s, n);
	c->plen += n;
	l = strlen(post);
	memcpy(c->path + c->plen, post, l);
	c->plen += l;
	c->path[c->plen] = 0;
	return mark;
}

static size_t vfield(struct vctx *c, const char *name) { return vpush(c, c->plen ? "." : "", name, strlen(name), ""); }
static size_t vkey(struct vctx *c, const char *key) { return vpush(c, "[", key, strlen(key), "]"); }

static size_t vindex(struct vctx *c, size_t i)
{
	char b[32];
	int n = snprintf(b, sizeof b, "%zu", i);
	return vpush(c, "[", b, (size_t)n, "]");
}

static void vpop(struct vctx *c, size_t mark)
{
	c->plen = mark;
	if (c->path)
		c->path[mark] = 0;
}

static const char *vpath(struct vctx *c) { return c->path ? c->path : ""; }
static int room(struct vctx *c) { return json_array_size(c->causes) - c->start < CAUSES_MAX; }
static sk_obj *VC(struct vctx *c) { return O(c->causes); }

static void set_last_reason(struct vctx *c, const char *reason)
{
	json_t *last = json_array_get(c->causes, json_array_size(c->causes) - 1);
	json_object_set_new(last, "reason", json_string(reason));
}

static const char *jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

/* JSON decoding in Kubernetes reads 2.0 as an integer */
static int is_int(const json_t *v)
{
	if (json_is_integer(v))
		return 1;
	if (!json_is_real(v))
		return 0;
	double d = json_real_value(v);
	return d == floor(d) && fabs(d) < 9.2e18;
}

static int64_t int_of(const json_t *v)
{
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : (int64_t)json_real_value(v);
}

/* kube-openapi's InvalidType: `path in body must be of type T: "got"` */
static void type_invalid(struct vctx *c, const char *value, const char *want)
{
	if (!room(c))
		return;
	sk_cause_invalid_str(VC(c), vpath(c), value, "%s in body must be of type %s: \"%s\"", vpath(c), want, value);
	set_last_reason(c, "FieldValueTypeInvalid");
}

/* A float64 as Go's %v prints a bound */
static void fmt_num(char *b, size_t cap, double d)
{
	if (d == floor(d) && fabs(d) < 1e21) {
		snprintf(b, cap, "%.0f", d);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(b, cap, "%.*g", prec, d);
		if (strtod(b, NULL) == d)
			return;
	}
}

static int type_ok(struct vctx *c, const struct schema_node *f, const json_t *v)
{
	const char *want = NULL;
	switch (f->kind) {
	case SCH_OBJECT:
	case SCH_MAP: want = json_is_object(v) ? NULL : "object"; break;
	case SCH_ARRAY: want = json_is_array(v) ? NULL : "array"; break;
	case SCH_STRING: want = json_is_string(v) ? NULL : "string"; break;
	case SCH_INT32:
	case SCH_INT64: want = is_int(v) ? NULL : "integer"; break;
	case SCH_NUMBER: want = json_is_number(v) ? NULL : "number"; break;
	case SCH_BOOL: want = json_is_boolean(v) ? NULL : "boolean"; break;
	case SCH_INT_OR_STRING: want = is_int(v) || json_is_string(v) ? NULL : "integer,string"; break;
	case SCH_QUANTITY:
		if (!json_is_string(v) && !json_is_number(v)) {
			if (room(c))
				sk_cause_invalid_obj(VC(c), vpath(c), O(v), "quantities must match the regular expression "
				                                             "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
			return 0;
		}
		break;
	default: break;
	}
	if (!want)
		return 1;
	type_invalid(c, jtype(v), want);
	return 0;
}

static int days_in(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

static int digits(const char **s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		v = v * 10 + (**s - '0');
	}
	return v;
}

/* time.Parse(time.RFC3339, s), as metav1.Time decodes */
static int rfc3339(const char *s)
{
	int y = digits(&s, 4);
	if (y < 0 || *s++ != '-')
		return 0;
	int mo = digits(&s, 2);
	if (mo < 1 || mo > 12 || *s++ != '-')
		return 0;
	int d = digits(&s, 2);
	if (d < 1 || d > days_in(y, mo) || *s++ != 'T')
		return 0;
	int h = digits(&s, 2);
	if (h < 0 || h > 23 || *s++ != ':')
		return 0;
	int mi = digits(&s, 2);
	if (mi < 0 || mi > 59 || *s++ != ':')
		return 0;
	int se = digits(&s, 2);
	if (se < 0 || se > 59)
		return 0;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'Z')
		return s[1] == 0;
	if (*s != '+' && *s != '-')
		return 0;
	s++;
	int th = digits(&s, 2);
	if (th < 0 || th > 23 || *s++ != ':')
		return 0;
	int tm = digits(&s, 2);
	return tm >= 0 && tm <= 59 && *s == 0;
}

/* base64.StdEncoding, as []byte fields decode (newlines ignored) */
static int base64_ok(const char *s, size_t n)
{
	size_t count = 0, pad = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '\r' || ch == '\n')
			continue;
		if (ch == '=') {
			pad++;
		} else if (pad || !((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		                    ch == '+' || ch == '/')) {
			return 0;
		}
		count++;
	}
	return count % 4 == 0 && pad <= 2;
}

static size_t runes(const char *s, size_t n)
{
	size_t r = 0;
	for (size_t i = 0; i < n; i++)
		r += ((unsigned char)s[i] & 0xc0) != 0x80;
	return r;
}

/* a scalar as an enum entry reads */
static int scalar_text(const json_t *v, char *b, size_t cap, const char **out)
{
	if (json_is_string(v)) {
		*out = json_string_value(v);
		return 1;
	}
	if (is_int(v))
		snprintf(b, cap, "%lld", (long long)int_of(v));
	else if (json_is_real(v))
		fmt_num(b, cap, json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(b, cap, "%s", json_is_true(v) ? "true" : "false");
	else
		return 0;
	*out = b;
	return 1;
}

static void not_supported(struct vctx *c, const json_t *v, const char *const *values)
{
	if (!room(c))
		return;
	if (json_is_string(v)) {
		sk_cause_not_supported(VC(c), vpath(c), json_string_value(v), values);
		return;
	}
	/* Kubernetes prints other values bare: Unsupported value: 5: supported values: "1", "2" */
	json_t *tmp = json_array();
	json_t *q = json_array();
	sk_cause_invalid_obj(O(tmp), "", O(v), NULL);
	sk_cause_not_supported(O(q), "", "", values);
	const char *a = json_string_value(json_object_get(json_array_get(tmp, 0), "message"));
	const char *b = json_string_value(json_object_get(json_array_get(q, 0), "message"));
	if (a && b && !strncmp(a, "Invalid value: ", 15) && !strncmp(b, "Unsupported value: \"\"", 21)) {
		size_t la = strlen(a + 15), lb = strlen(b + 21);
		char *m = malloc(19 + la + lb + 1);
		if (m) {
			memcpy(m, "Unsupported value: ", 19);
			memcpy(m + 19, a + 15, la);
			memcpy(m + 19 + la, b + 21, lb + 1);
			json_array_append_new(c->causes, json_pack("{s:s, s:s, s:s}", "reason", "FieldValueNotSupported",
			                                           "message", m, "field", vpath(c)));
			free(m);
		}
	}
	json_decref(tmp);
	json_decref(q);
}

/* The checks one node (of a chain of aliases) puts on a value. */
static void constraints(struct vctx *c, const struct schema_node *n, const struct schema_node *f, const json_t *v)
{
	char b[64], nb[64];
	if (n->enum_values) {
		const char *t;
		int found = 0;
		if (scalar_text(v, b, sizeof b, &t))
			for (size_t i = 0; n->enum_values[i] && !found; i++)
				found = !strcmp(n->enum_values[i], t);
		if (!found && scalar_kind(f->kind))
			not_supported(c, v, n->enum_values);
	}
	if (json_is_number(v) && (n->has_min || n->has_max) && room(c)) {
		double d = json_number_value(v);
		if (n->has_min && d < n->min) {
			fmt_num(nb, sizeof nb, n->min);
			sk_cause_invalid_obj(VC(c), vpath(c), O(v), "%s in body should be greater than or equal to %s",
			                     vpath(c), nb);
		} else if (n->has_max && d > n->max) {
			fmt_num(nb, sizeof nb, n->max);
			sk_cause_invalid_obj(VC(c), vpath(c), O(v), "%s in body should be less than or equal to %s", vpath(c),
			                     nb);
		}
	}
	if (n == f && f->kind == SCH_INT32 && is_int(v) && room(c)) {
		int64_t i = int_of(v);
		if (i < INT32_MIN)
			sk_cause_invalid_obj(VC(c), vpath(c), O(v), "%s in body should be greater than or equal to %d",
			                     vpath(c), INT32_MIN);
		else if (i > INT32_MAX)
			sk_cause_invalid_obj(VC(c), vpath(c), O(v), "%s in body should be less than or equal to %d", vpath(c),
			                     INT32_MAX);
	}
	if (n->maxlen >= 0 && room(c)) {
		if (json_is_string(v) && runes(json_string_value(v), json_string_length(v)) > (size_t)n->maxlen)
			sk_cause_too_long(VC(c), vpath(c), n->maxlen);
		else if (json_is_array(v) && json_array_size(v) > (size_t)n->maxlen)
			sk_cause_too_many(VC(c), vpath(c), (int64_t)json_array_size(v), n->maxlen);
	}
	if (!json_is_string(v))
		return;
	const char *s = json_string_value(v);
	if (X(n)->re && regexec(X(n)->re, s, 0, NULL, 0) && room(c))
		sk_cause_invalid_str(VC(c), vpath(c), s, "%s in body should match '%s'", vpath(c), n->pattern);
	if (n->format && !strcmp(n->format, "date-time") && !rfc3339(s))
		type_invalid(c, s, "date-time");
	if (n->format && !strcmp(n->format, "byte") && !base64_ok(s, json_string_length(v)))
		type_invalid(c, s, "byte");
	if (n == f && f->kind == SCH_QUANTITY && room(c)) {
		sk_quantity q;
		if (sk_quantity_parse(s, &q, NULL) != SK_OK)
			sk_cause_invalid_str(VC(c), vpath(c), s, "quantities must match the regular expression "
			                                         "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
	}
}

static void vnode(struct vctx *c, const struct schema_node *n, const json_t *v, const json_t *old);

/* Required and immutable fields in declaration order, then the object's
 * own fields in document order (unknown ones as a strict decoder meets them). */
static void vobject(struct vctx *c, const struct schema_node *f, const json_t *v, const json_t *old)
{
	if (old && !json_is_object(old))
		old = NULL;
	for (size_t i = 0; i < f->n_fields; i++) {
		const struct schema_field *fd = &f->fields[i];
		if (!(fd->flags & (SCH_REQUIRED | SCH_IMMUTABLE)))
			continue;
		const json_t *cv = json_object_get(v, fd->name);
		const json_t *ov = old ? json_object_get(old, fd->name) : NULL;
		int absent = !cv || json_is_null(cv);
		int req = absent && (fd->flags & SCH_REQUIRED);
		int imm = (fd->flags & SCH_IMMUTABLE) && ov && !json_is_null(ov) && (absent || !json_equal(cv, ov));
		if (!(req || imm) || !room(c))
			continue;
		size_t mark = vfield(c, fd->name);
		if (req)
			sk_cause_required(VC(c), vpath(c), NULL);
		if (imm)
			sk_cause_invalid_obj(VC(c), vpath(c), absent ? NULL : O(cv), "field is immutable");
		vpop(c, mark);
	}
	const char *k;
	json_t *cv;
	json_object_foreach((json_t *)v, k, cv) {
		const struct schema_field *fd = schema_field(f, k);
		if (fd) {
			if (json_is_null(cv))
				continue;
			size_t mark = vfield(c, k);
			vnode(c, fd->type, cv, old ? json_object_get(old, k) : NULL);
			vpop(c, mark);
		} else if (c->unknown && !f->preserve_unknown && c->nunknown < UNKNOWN_MAX) {
			size_t mark = vfield(c, k);
			json_array_append_new(c->unknown, json_string(vpath(c)));
			c->nunknown++;
			vpop(c, mark);
		}
	}
}

/* the old item with the same key fields, for immutability inside lists */
static const json_t *old_item(const json_t *olds, const json_t *item, const char *const *keys)
{
	size_t i;
	const json_t *o;
	json_array_foreach(olds, i, o) {
		if (!json_is_object(o))
			continue;
		size_t k;
		for (k = 0; keys[k]; k++) {
			const json_t *a = json_object_get(item, keys[k]), *b = json_object_get(o, keys[k]);
			if (!(a == b || (a && b && json_equal(a, b))))
				break;
		}
		if (!keys[k])
			return o;
	}
	return NULL;
}

static void varray(struct vctx *c, const struct schema_node *f, const json_t *v, const json_t *old)
{
	size_t n = json_array_size(v);
	const json_t *olds = json_is_array(old) ? old : NULL;
	const char *merge[2] = {f->patch_merge_key, NULL};
	const char *const *keys = f->list_type && !strcmp(f->list_type, "map") && f->list_map_keys
	                          ? f->list_map_keys
	                          : f->patch_merge_key ? merge : NULL;
	int pair = olds && (!keys || n * json_array_size(olds) <= PAIR_MAX);
	for (size_t i = 0; i < n; i++) {
		const json_t *cv = json_array_get(v, i), *ov = NULL;
		if (pair)
			ov = keys ? (json_is_object(cv) ? old_item(olds, cv, keys) : NULL) : json_array_get(olds, i);
		size_t mark = vindex(c, i);
		vnode(c, f->items, cv, ov);
		vpop(c, mark);
	}
}

static void vmap(struct vctx *c, const struct schema_node *f, const json_t *v, const json_t *old)
{
	const char *k;
	json_t *cv;
	if (old && !json_is_object(old))
		old = NULL;
	json_object_foreach((json_t *)v, k, cv) {
		size_t mark = vkey(c, k);
		vnode(c, f->items, cv, old ? json_object_get(old, k) : NULL);
		vpop(c, mark);
	}
}

static void vnode(struct vctx *c, const struct schema_node *n, const json_t *v, const json_t *old)
{
	if (!n || !v || json_is_null(v) || c->depth >= WALK_DEPTH_MAX)
		return;
	const struct schema_node *chain[DEREF_MAX + 1], *f = n;
	size_t nc = 0;
	while (f && f->kind == SCH_REF && nc < DEREF_MAX) {
		chain[nc++] = f;
		struct xnode *t = resolve(X(f));
		f = t ? &t->n : NULL;
	}
	if (!f || f->kind == SCH_REF)
		return; /* unresolved: schema_check_refs stops start-up over it */
	chain[nc++] = f;
	if (!type_ok(c, f, v))
		return;
	for (size_t i = 0; i < nc; i++)
		constraints(c, chain[i], f, v);
	c->depth++;
	if (f->kind == SCH_OBJECT)
		vobject(c, f, v, old);
	else if (f->kind == SCH_ARRAY)
		varray(c, f, v, old);
	else if (f->kind == SCH_MAP)
		vmap(c, f, v, old);
	c->depth--;
}

size_t schema_validate(const struct schema_node *n, const json_t *obj, const json_t *old, json_t *causes,
                       json_t *unknown)
{
	if (!n || !obj)
		return 0;
	struct vctx c = {.causes = json_is_array(causes) ? causes : json_array(),
	                 .unknown = json_is_array(unknown) ? unknown : NULL};
	c.start = json_array_size(c.causes);
	vnode(&c, n, obj, old);
	size_t added = json_array_size(c.causes) - c.start;
	if (c.causes != causes)
		json_decref(c.causes);
	free(c.path);
	return added;
}

/* ---- defaults and pruning -------------------------------------------------- */

/* the node's own default, or the first of the aliases it names */
static const json_t *default_of(const struct schema_node *n)
{
	for (int hops = 0; n && hops <= DEREF_MAX; hops++) {
		if (n->default_value)
			return n->default_value;
		if (n->kind != SCH_REF)
			break;
		struct xnode *t = resolve(X(n));
		n = t ? &t->n : NULL;
	}
	return NULL;
}

static int nullable(const struct schema_node *n) { return n && X(n)->nullable; }

static void defaults(const struct schema_node *n, json_t *v, int depth)
{
	const struct schema_node *f = schema_deref(n);
	if (!f || !v || depth >= WALK_DEPTH_MAX)
		return;
	if (f->kind == SCH_OBJECT && json_is_object(v)) {
		for (size_t i = 0; i < f->n_fields; i++) {
			const struct schema_field *fd = &f->fields[i];
			json_t *cv = json_object_get(v, fd->name);
			if (!cv || (json_is_null(cv) && !nullable(fd->type))) {
				const json_t *d = default_of(fd->type);
				if (d && !json_object_set_new(v, fd->name, json_deep_copy(d)))
					cv = json_object_get(v, fd->name);
			}
			if (cv)
				defaults(fd->type, cv, depth + 1);
		}
	} else if (f->kind == SCH_MAP && json_is_object(v)) {
		const char *k;
		json_t *cv;
		json_object_foreach(v, k, cv) defaults(f->items, cv, depth + 1);
	} else if (f->kind == SCH_ARRAY && json_is_array(v)) {
		size_t i;
		json_t *cv;
		json_array_foreach(v, i, cv) defaults(f->items, cv, depth + 1);
	}
}

void schema_apply_defaults(const struct schema_node *n, json_t *obj) { defaults(n, obj, 0); }

static void prune(const struct schema_node *n, json_t *v, int depth)
{
	const struct schema_node *f = schema_deref(n);
	if (!f || !v || depth >= WALK_DEPTH_MAX)
		return;
	const char *k;
	json_t *cv;
	void *tmp;
	if (f->kind == SCH_OBJECT && json_is_object(v)) {
		json_object_foreach_safe(v, tmp, k, cv) {
			const struct schema_field *fd = schema_field(f, k);
			if (!fd) {
				if (!f->preserve_unknown)
					json_object_del(v, k);
			} else if (json_is_null(cv) && !nullable(fd->type)) {
				json_object_del(v, k);
			} else {
				prune(fd->type, cv, depth + 1);
			}
		}
	} else if (f->kind == SCH_MAP && json_is_object(v)) {
		json_object_foreach_safe(v, tmp, k, cv) {
			if (json_is_null(cv) && !nullable(f->items))
				json_object_del(v, k);
			else
				prune(f->items, cv, depth + 1);
		}
	} else if (f->kind == SCH_ARRAY && json_is_array(v)) {
		size_t i;
		json_array_foreach(v, i, cv) prune(f->items, cv, depth + 1);
	}
}

void schema_prune(const struct schema_node *n, json_t *obj) { prune(n, obj, 0); }

/* ---- OpenAPI -------------------------------------------------------------- */

static int cmp_key(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Kubernetes serves its documents with keys in order */
static json_t *sorted(json_t *o)
{
	size_t n = json_object_size(o), i = 0;
	if (n < 2)
		return o;
	const char **keys = malloc(n * sizeof *keys);
	json_t *r = json_object();
	if (!keys || !r) {
		free(keys);
		json_decref(r);
		return o;
	}
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) keys[i++] = k;
	qsort(keys, n, sizeof *keys, cmp_key);
	for (i = 0; i < n; i++)
		json_object_set(r, keys[i], json_object_get(o, keys[i]));
	free(keys);
	json_decref(o);
	return r;
}

static json_t *jnum(double d)
{
	if (d == floor(d) && fabs(d) < 9007199254740992.0)
		return json_integer((json_int_t)d);
	return json_real(d);
}

static json_t *enum_json(enum schema_kind k, const char *s)
{
	char *end;
	if ((k == SCH_INT32 || k == SCH_INT64) && is_integer_text(s))
		return json_integer(strtoll(s, NULL, 10));
	if (k == SCH_NUMBER) {
		double d = strtod(s, &end);
		if (!*end && end != s)
			return jnum(d);
	}
	if (k == SCH_BOOL && (!strcmp(s, "true") || !strcmp(s, "false")))
		return json_boolean(s[0] == 't');
	return json_string(s);
}

static json_t *one_of(const char *a, const char *b)
{
	return json_pack("[{s:s}, {s:s}]", "type", a, "type", b);
}

static json_t *render(const struct xnode *x, int v3)
{
	const struct schema_node *n = &x->n;
	json_t *o = json_object();
	const char *ref = NULL;
	switch (n->kind) {
	case SCH_REF:
		resolve(X(n));
		ref = n->ref;
		break;
	case SCH_OBJECT:
		if (n->n_fields) {
			json_t *props = json_object(), *req = json_array();
			for (size_t i = 0; i < n->n_fields; i++) {
				json_object_set_new(props, n->fields[i].name, render(X(n->fields[i].type), v3));
				if (n->fields[i].flags & SCH_REQUIRED)
					json_array_append_new(req, json_string(n->fields[i].name));
			}
			json_object_set_new(o, "properties", sorted(props));
			if (json_array_size(req))
				json_object_set_new(o, "required", req);
			else
				json_decref(req);
		}
		json_object_set_new(o, "type", json_string("object"));
		if (n->preserve_unknown && !x->opaque)
			json_object_set_new(o, "x-kubernetes-preserve-unknown-fields", json_true());
		break;
	case SCH_ARRAY:
		if (n->items)
			json_object_set_new(o, "items", render(X(n->items), v3));
		json_object_set_new(o, "type", json_string("array"));
		break;
	case SCH_MAP:
		if (n->items)
			json_object_set_new(o, "additionalProperties", render(X(n->items), v3));
		json_object_set_new(o, "type", json_string("object"));
		break;
	case SCH_STRING: json_object_set_new(o, "type", json_string("string")); break;
	case SCH_INT32:
	case SCH_INT64: json_object_set_new(o, "type", json_string("integer")); break;
	case SCH_NUMBER: json_object_set_new(o, "type", json_string("number")); break;
	case SCH_BOOL: json_object_set_new(o, "type", json_string("boolean")); break;
	case SCH_INT_OR_STRING:
		if (n->format && !strcmp(n->format, "int-or-string")) {
			/* intstr.IntOrString as Kubernetes publishes it */
			if (v3)
				json_object_set_new(o, "oneOf", one_of("integer", "string"));
			else
				json_object_set_new(o, "type", json_string("string"));
		} else {
			json_object_set_new(o, "x-kubernetes-int-or-string", json_true());
			if (v3)
				json_object_set_new(o, "anyOf", one_of("integer", "string"));
		}
		break;
	case SCH_QUANTITY:
		if (v3)
			json_object_set_new(o, "oneOf", one_of("string", "number"));
		else
			json_object_set_new(o, "type", json_string("string"));
		break;
	case SCH_ANY:
		if (!x->opaque)
			json_object_set_new(o, "x-kubernetes-preserve-unknown-fields", json_true());
		break;
	}
	if (n->format && n->kind != SCH_REF)
		json_object_set_new(o, "format", json_string(n->format));
	if (n->description)
		json_object_set_new(o, "description", json_string(n->description));
	if (v3 && n->default_value)
		json_object_set(o, "default", n->default_value);
	if (v3 && x->nullable)
		json_object_set_new(o, "nullable", json_true());
	if (n->enum_values) {
		json_t *e = json_array();
		for (size_t i = 0; n->enum_values[i]; i++)
			json_array_append_new(e, enum_json(n->kind, n->enum_values[i]));
		json_object_set_new(o, "enum", e);
	}
	if (n->has_min)
		json_object_set_new(o, "minimum", jnum(n->min));
	if (n->has_max)
		json_object_set_new(o, "maximum", jnum(n->max));
	if (n->maxlen >= 0)
		json_object_set_new(o, n->kind == SCH_ARRAY ? "maxItems" : "maxLength", json_integer(n->maxlen));
	if (n->pattern)
		json_object_set_new(o, "pattern", json_string(n->pattern));
	if (n->patch_merge_key)
		json_object_set_new(o, "x-kubernetes-patch-merge-key", json_string(n->patch_merge_key));
	if (n->patch_strategy)
		json_object_set_new(o, "x-kubernetes-patch-strategy", json_string(n->patch_strategy));
	if (n->list_type)
		json_object_set_new(o, "x-kubernetes-list-type", json_string(n->list_type));
	if (n->list_map_keys && n->list_type && !strcmp(n->list_type, "map")) {
		json_t *k = json_array();
		for (size_t i = 0; n->list_map_keys[i]; i++)
			json_array_append_new(k, json_string(n->list_map_keys[i]));
		json_object_set_new(o, "x-kubernetes-list-map-keys", k);
	}
	if (n->map_type)
		json_object_set_new(o, "x-kubernetes-map-type", json_string(n->map_type));
	if (n->gvks) {
		json_t *g = json_array();
		for (size_t i = 0; n->gvks[i]; i++) {
			const char *s = n->gvks[i], *a = strchr(s, '/'), *b = strrchr(s, '/');
			char grp[256], ver[256];
			snprintf(grp, sizeof grp, "%.*s", (int)(a - s), s);
			snprintf(ver, sizeof ver, "%.*s", (int)(b - a - 1), a + 1);
			json_array_append_new(g, json_pack("{s:s, s:s, s:s}", "group", grp, "kind", b + 1, "version", ver));
		}
		json_object_set_new(o, "x-kubernetes-group-version-kind", g);
	}
	if (ref) {
		char buf[NAME_MAX_BYTES + 64];
		snprintf(buf, sizeof buf, "%s%s", v3 ? "#/components/schemas/" : "#/definitions/", ref);
		if (v3 && json_object_size(o))
			json_object_set_new(o, "allOf", json_pack("[{s:s}]", "$ref", buf));
		else
			json_object_set_new(o, "$ref", json_string(buf));
	}
	return sorted(o);
}

json_t *schema_openapi(const struct schema_node *n, int v3) { return n ? render(X(n), v3) : json_object(); }

struct collect {
	json_t *defs;
	int v3;
};

static void collect(const char *name, struct collect *c);

static int collect_ref(struct xnode *x, void *ud)
{
	if (x->n.kind == SCH_REF && resolve(x))
		collect(x->n.ref, ud);
	return 0;
}

static void collect(const char *name, struct collect *c)
{
	struct def *d = lookup(name);
	if (!d || json_object_get(c->defs, d->name))
		return;
	json_object_set_new(c->defs, d->name, render(d->node, c->v3));
	walk(d->node, collect_ref, c);
}

void schema_collect(const char *full_name, json_t *defs, int v3)
{
	if (!json_is_object(defs) || !full_name)
		return;
	struct collect c = {defs, v3};
	collect(full_name, &c);
}

struct all {
	const char **names;
	size_t n;
};

static int all_one(void *ud, const char *key, void *val)
{
	(void)val;
	struct all *a = ud;
	a->names[a->n++] = key;
	return 0;
}

json_t *schema_all(int v3)
{
	json_t *o = json_object();
	size_t n = table ? strmap_len(table) : 0;
	if (!n)
		return o;
	struct all a = {malloc(n * sizeof *a.names), 0};
	if (!a.names)
		return o;
	strmap_foreach(table, all_one, &a);
	qsort(a.names, a.n, sizeof *a.names, cmp_key);
	for (size_t i = 0; i < a.n; i++) {
		struct def *d = lookup(a.names[i]);
		json_object_set_new(o, d->name, render(d->node, v3));
	}
	free(a.names);
	return o;
}
