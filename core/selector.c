/* selector.c — label and field selectors, parsed, matched and printed as
 * Kubernetes does (k8s.io/apimachinery labels.Parse, metav1
 * LabelSelectorAsSelector, fields.ParseSelector).
 *
 * A selector is a list of requirements that must all hold. Label selectors
 * test a map of labels; field selectors test values at sk_obj paths, each
 * compared as the string Kubernetes' field sets would hold.
 */
#include "err.h"
#include "json.h"
#include <skiff/selector.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How much of a user's text an error message quotes. */
#define SHOW 80

enum kind { KIND_LABEL, KIND_FIELD };

/* Operators, in the order canonical output sorts requirements on one key. */
enum op { OP_EXISTS, OP_NOT_EXISTS, OP_EQ, OP_DEQ, OP_NE, OP_IN, OP_NOTIN, OP_GT, OP_LT };

struct req {
	char *key;   /* label key, or field path */
	enum op op;  /* fields use only OP_EQ and OP_NE */
	char **vals; /* sorted and unique once the selector is finished */
	size_t nvals, vcap;
};

struct sk_selector {
	enum kind kind;
	struct req *reqs;
	size_t n, cap;
};

/* ---- building -------------------------------------------------------- */

static sk_selector *sel_new(enum kind kind, sk_err *err)
{
	sk_selector *s = calloc(1, sizeof *s);
	if (!s)
		sk_fail(err, SK_ENOMEM, "out of memory");
	else
		s->kind = kind;
	return s;
}

void sk_selector_free(sk_selector *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		for (size_t v = 0; v < s->reqs[i].nvals; v++)
			free(s->reqs[i].vals[v]);
		free(s->reqs[i].vals);
		free(s->reqs[i].key);
	}
	free(s->reqs);
	free(s);
}

/* Appends a requirement; the pointer stays valid until the next append. */
static struct req *sel_add(sk_selector *s, const char *key, size_t n, enum op op)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4;
		struct req *r = realloc(s->reqs, cap * sizeof *r);
		if (!r)
			return NULL;
		s->reqs = r;
		s->cap = cap;
	}
	char *k = strndup(key, n);
	if (!k)
		return NULL;
	struct req *r = &s->reqs[s->n++];
	memset(r, 0, sizeof *r);
	r->key = k;
	r->op = op;
	return r;
}

static int req_add_val(struct req *r, const char *v, size_t n)
{
	if (r->nvals == r->vcap) {
		size_t cap = r->vcap ? r->vcap * 2 : 2;
		char **vals = realloc(r->vals, cap * sizeof *vals);
		if (!vals)
			return SK_ENOMEM;
		r->vals = vals;
		r->vcap = cap;
	}
	if (!(r->vals[r->nvals] = strndup(v, n)))
		return SK_ENOMEM;
	r->nvals++;
	return SK_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_req(const void *a, const void *b)
{
	const struct req *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	if (x->op != y->op)
		return x->op < y->op ? -1 : 1;
	for (size_t i = 0; i < x->nvals && i < y->nvals; i++)
		if ((c = strcmp(x->vals[i], y->vals[i])))
			return c;
	return (x->nvals > y->nvals) - (x->nvals < y->nvals);
}

/* Value sets become sorted and unique, requirements sorted by key: the
 * order Kubernetes prints them in, so equal selectors print alike. */
static void sel_finish(sk_selector *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct req *r = &s->reqs[i];
		if (r->nvals < 2)
			continue;
		qsort(r->vals, r->nvals, sizeof *r->vals, cmp_str);
		size_t w = 1;
		for (size_t v = 1; v < r->nvals; v++) {
			if (strcmp(r->vals[v], r->vals[w - 1]) == 0)
				free(r->vals[v]);
			else
				r->vals[w++] = r->vals[v];
		}
		r->nvals = w;
	}
	if (s->n > 1)
		qsort(s->reqs, s->n, sizeof *s->reqs, cmp_req);
}

static int too_large(const char *text, const char *what, sk_err *err)
{
	if (strnlen(text, SK_SELECTOR_MAX_BYTES + 1) <= SK_SELECTOR_MAX_BYTES)
		return 0;
	sk_fail(err, SK_ETOOLARGE, "%s selector exceeds the limit of %d bytes", what,
	        SK_SELECTOR_MAX_BYTES);
	return 1;
}

/* ---- label keys and values (Kubernetes' IsQualifiedName and
 * IsValidLabelValue) --------------------------------------------------- */

#define NAME_RULE                                                                               \
	"must consist of alphanumeric characters, '-', '_' or '.', and must start and end with " \
	"an alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc')"

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static int name_shape(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return 0;
	for (size_t i = 1; i + 1 < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

/* A lowercase RFC 1123 subdomain: dot-separated labels of [a-z0-9-], each
 * starting and ending alphanumeric, 253 characters at most. */
static const char *bad_subdomain(const char *s, size_t n)
{
	if (n > 253)
		return "prefix part must be no more than 253 characters";
	size_t i = 0;
	for (;;) {
		size_t start = i;
		for (; i < n && s[i] != '.'; i++)
			if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
				break;
		if ((i < n && s[i] != '.') || i == start || s[start] == '-' || s[i - 1] == '-')
			return "prefix part a lowercase RFC 1123 subdomain must consist of lower case "
			       "alphanumeric characters, '-' or '.', and must start and end with an "
			       "alphanumeric character (e.g. 'example.com')";
		if (i == n)
			return NULL;
		i++;
	}
}

static const char *bad_label_key(const char *s, size_t n)
{
	const char *name = s, *slash = memchr(s, '/', n);
	size_t nn = n;
	if (slash) {
		size_t pn = (size_t)(slash - s);
		if (memchr(slash + 1, '/', n - pn - 1))
			return "a qualified name " NAME_RULE
			       " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
		if (pn == 0)
			return "prefix part must be non-empty";
		const char *why = bad_subdomain(s, pn);
		if (why)
			return why;
		name = slash + 1;
		nn = n - pn - 1;
	}
	if (nn == 0)
		return "name part must be non-empty";
	if (nn > 63)
		return "name part must be no more than 63 characters";
	if (!name_shape(name, nn))
		return "name part " NAME_RULE;
	return NULL;
}

static const char *bad_label_value(const char *s, size_t n)
{
	if (n > 63)
		return "must be no more than 63 characters";
	if (n && !name_shape(s, n))
		return "a valid label value must be an empty string or " NAME_RULE;
	return NULL;
}

/* strconv.ParseInt(s, 10, 64): optional sign, decimal digits, in range. */
static int parse_int64(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	if (n && (s[0] == '+' || s[0] == '-'))
		neg = s[i++] == '-';
	if (i == n)
		return 0;
	uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (lim - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 1;
}

/* ---- label selector text --------------------------------------------- */

enum tok { T_END, T_IDENT, T_IN, T_NOTIN, T_BANG, T_NE, T_EQ, T_DEQ, T_GT, T_LT, T_OPEN, T_CLOSE, T_COMMA };

struct token {
	enum tok t;
	const char *p;
	size_t n;
};

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static int is_special(char c) { return c && strchr("=!(),><", c); }

/* The token at *pos, which it advances. Where a key or value is expected
 * (values != 0) `in` and `notin` are plain identifiers, as in Kubernetes. */
static struct token lex(const char *s, size_t *pos, int values)
{
	size_t i = *pos;
	while (is_space(s[i]))
		i++;
	struct token k = {T_END, s + i, 0};
	char c = s[i];
	if (!c) {
		*pos = i;
		return k;
	}
	if (is_special(c)) {
		k.n = (c == '!' || c == '=') && s[i + 1] == '=' ? 2 : 1;
		switch (c) {
		case '!': k.t = k.n == 2 ? T_NE : T_BANG; break;
		case '=': k.t = k.n == 2 ? T_DEQ : T_EQ; break;
		case '(': k.t = T_OPEN; break;
		case ')': k.t = T_CLOSE; break;
		case ',': k.t = T_COMMA; break;
		case '>': k.t = T_GT; break;
		default: k.t = T_LT; break;
		}
	} else {
		while (s[i + k.n] && !is_space(s[i + k.n]) && !is_special(s[i + k.n]))
			k.n++;
		k.t = T_IDENT;
		if (!values && k.n == 2 && !memcmp(k.p, "in", 2))
			k.t = T_IN;
		else if (!values && k.n == 5 && !memcmp(k.p, "notin", 5))
			k.t = T_NOTIN;
	}
	*pos = i + k.n;
	return k;
}

struct lparser {
	const char *s;
	size_t pos;
	sk_err *err;
};

static struct token peek(const struct lparser *p, int values)
{
	size_t pos = p->pos;
	return lex(p->s, &pos, values);
}

static struct token next(struct lparser *p, int values) { return lex(p->s, &p->pos, values); }

#define TOK(t) (int)((t).n < SHOW ? (t).n : SHOW), (t).p

static int found(struct lparser *p, struct token t, const char *expected)
{
	return sk_fail(p->err, SK_EINVALID, "unable to parse requirement: found '%.*s', expected: %s",
	               TOK(t), expected);
}

static int nomem(sk_err *err) { return sk_fail(err, SK_ENOMEM, "out of memory"); }

/* `( values )` after in / notin, with Kubernetes' reading of empty items:
 * `()`, `(,a)`, `(a,)` and `(a,,b)` all hold the empty value. */
static int parse_set(struct lparser *p, struct req *r)
{
	struct token t = next(p, 1);
	if (t.t != T_OPEN)
		return found(p, t, "'('");
	t = peek(p, 1);
	if (t.t == T_CLOSE) {
		next(p, 1);
		return req_add_val(r, "", 0) ? nomem(p->err) : SK_OK;
	}
	if (t.t != T_IDENT && t.t != T_COMMA)
		return found(p, t, "',', ')' or identifier");
	for (;;) {
		t = next(p, 1);
		if (t.t == T_IDENT) {
			if (req_add_val(r, t.p, t.n))
				return nomem(p->err);
			struct token la = peek(p, 1);
			if (la.t == T_CLOSE)
				break;
			if (la.t != T_COMMA)
				return found(p, la, "',' or ')'");
		} else if (t.t == T_COMMA) {
			struct token la = peek(p, 1);
			int empty = r->nvals == 0 || la.t == T_CLOSE || la.t == T_COMMA;
			if (empty && req_add_val(r, "", 0))
				return nomem(p->err);
			if (la.t == T_CLOSE)
				break;
			if (la.t == T_COMMA)
				next(p, 1);
		} else {
			return found(p, t, "',', or identifier");
		}
	}
	next(p, 1); /* the ')' seen above */
	return SK_OK;
}

/* The single value after =, ==, !=, > or <; nothing before ',' or the end
 * is the empty value. */
static int parse_exact(struct lparser *p, struct req *r)
{
	struct token t = peek(p, 1);
	if (t.t == T_END || t.t == T_COMMA)
		t.n = 0;
	else if ((t = next(p, 1)).t != T_IDENT)
		return found(p, t, "identifier");
	return req_add_val(r, t.p, t.n) ? nomem(p->err) : SK_OK;
}

static int parse_requirement(struct lparser *p, sk_selector *sel)
{
	struct token t = next(p, 1);
	int absent = t.t == T_BANG;
	if (absent)
		t = next(p, 1);
	if (t.t != T_IDENT)
		return found(p, t, "identifier");
	const char *why = bad_label_key(t.p, t.n);
	if (why)
		return sk_fail(p->err, SK_EINVALID, "unable to parse requirement: invalid label key \"%.*s\": %s",
		               TOK(t), why);
	struct req *r = sel_add(sel, t.p, t.n, absent ? OP_NOT_EXISTS : OP_EXISTS);
	if (!r)
		return nomem(p->err);
	struct token la = peek(p, 1);
	if (absent || la.t == T_END || la.t == T_COMMA)
		return SK_OK;

	t = next(p, 0);
	switch (t.t) {
	case T_IN: r->op = OP_IN; break;
	case T_NOTIN: r->op = OP_NOTIN; break;
	case T_EQ: r->op = OP_EQ; break;
	case T_DEQ: r->op = OP_DEQ; break;
	case T_NE: r->op = OP_NE; break;
	case T_GT: r->op = OP_GT; break;
	case T_LT: r->op = OP_LT; break;
	default: return found(p, t, "in, notin, =, ==, !=, gt, lt");
	}
	int rc = r->op == OP_IN || r->op == OP_NOTIN ? parse_set(p, r) : parse_exact(p, r);
	if (rc)
		return rc;

	int64_t ignored;
	if ((r->op == OP_GT || r->op == OP_LT) && !parse_int64(r->vals[0], strlen(r->vals[0]), &ignored))
		return sk_fail(p->err, SK_EINVALID,
		               "unable to parse requirement: for 'gt', 'lt' operators, the value must be "
		               "an integer, not \"%.*s\"", SHOW, r->vals[0]);
	for (size_t i = 0; i < r->nvals; i++)
		if ((why = bad_label_value(r->vals[i], strlen(r->vals[i]))))
			return sk_fail(p->err, SK_EINVALID,
			               "unable to parse requirement: invalid label value \"%.*s\" for key "
			               "\"%.*s\": %s", SHOW, r->vals[i], SHOW, r->key, why);
	return SK_OK;
}

sk_selector *sk_label_selector_parse(const char *text, sk_err *err)
{
	if (!text)
		text = "";
	if (too_large(text, "label", err))
		return NULL;
	sk_selector *sel = sel_new(KIND_LABEL, err);
	if (!sel)
		return NULL;
	struct lparser p = {text, 0, err};
	for (;;) {
		struct token t = peek(&p, 1);
		if (t.t == T_END)
			break;
		if (t.t != T_IDENT && t.t != T_BANG) {
			sk_fail(err, SK_EINVALID, "found '%.*s', expected: !, identifier, or 'end of string'",
			        TOK(t));
			goto bad;
		}
		if (parse_requirement(&p, sel))
			goto bad;
		t = next(&p, 1);
		if (t.t == T_END)
			break;
		if (t.t != T_COMMA) {
			sk_fail(err, SK_EINVALID, "found '%.*s', expected: ',' or 'end of string'", TOK(t));
			goto bad;
		}
		t = peek(&p, 1);
		if (t.t != T_IDENT && t.t != T_BANG) {
			sk_fail(err, SK_EINVALID, "found '%.*s', expected: identifier after ','", TOK(t));
			goto bad;
		}
	}
	sel_finish(sel);
	return sel;
bad:
	sk_selector_free(sel);
	return NULL;
}

/* ---- label selector objects ------------------------------------------ */

/* A LabelSelector's matchExpressions entry, checked as Kubernetes'
 * ValidateLabelSelector and NewRequirement check it. */
static int add_expression(sk_selector *sel, json_t *e, size_t i, sk_err *err)
{
	static const struct {
		const char *name;
		enum op op;
	} ops[] = {{"In", OP_IN}, {"NotIn", OP_NOTIN}, {"Exists", OP_EXISTS}, {"DoesNotExist", OP_NOT_EXISTS}};
	if (!json_is_object(e))
		return sk_fail(err, SK_EINVALID, "invalid label selector: matchExpressions[%zu]: must be an object", i);
	const char *key = json_string_value(json_object_get(e, "key"));
	if (!key)
		return sk_fail(err, SK_EINVALID,
		               "invalid label selector: matchExpressions[%zu].key: Required value", i);
	const char *why = bad_label_key(key, json_string_length(json_object_get(e, "key")));
	if (why)
		return sk_fail(err, SK_EINVALID,
		               "invalid label selector: matchExpressions[%zu].key: invalid label key \"%.*s\": %s",
		               i, SHOW, key, why);
	const char *opname = json_string_value(json_object_get(e, "operator"));
	if (!opname)
		return sk_fail(err, SK_EINVALID,
		               "invalid label selector: matchExpressions[%zu].operator: Required value", i);
	size_t o = 0;
	while (o < sizeof ops / sizeof ops[0] && strcmp(ops[o].name, opname))
		o++;
	if (o == sizeof ops / sizeof ops[0])
		return sk_fail(err, SK_EINVALID,
		               "invalid label selector: matchExpressions[%zu].operator: \"%.*s\" is not a "
		               "valid label selector operator (In, NotIn, Exists, DoesNotExist)",
		               i, SHOW, opname);
	json_t *vals = json_object_get(e, "values");
	if (vals && !json_is_null(vals) && !json_is_array(vals))
		return sk_fail(err, SK_EINVALID,
		               "invalid label selector: matchExpressions[%zu].values: must be a list", i);
	size_t nv = json_array_size(vals);
	int set = ops[o].op == OP_IN || ops[o].op == OP_NOTIN;
	if (set && nv == 0)
		return sk_fail(err, SK_EINVALID,
		               "invalid label selector: matchExpressions[%zu].values: Required value: must "
		               "be specified when `operator` is 'In' or 'NotIn'", i);
	if (!set && nv > 0)
		return sk_fail(err, SK_EINVALID,
		               "invalid label selector: matchExpressions[%zu].values: Forbidden: may not be "
		               "specified when `operator` is 'Exists' or 'DoesNotExist'", i);
	struct req *r = sel_add(sel, key, strlen(key), ops[o].op);
	if (!r)
		return nomem(err);
	for (size_t v = 0; v < nv; v++) {
		json_t *jv = json_array_get(vals, v);
		const char *s = json_string_value(jv);
		if (!s)
			return sk_fail(err, SK_EINVALID,
			               "invalid label selector: matchExpressions[%zu].values[%zu]: must be a string",
			               i, v);
		if ((why = bad_label_value(s, json_string_length(jv))))
			return sk_fail(err, SK_EINVALID,
			               "invalid label selector: matchExpressions[%zu].values[%zu]: invalid label "
			               "value \"%.*s\": %s", i, v, SHOW, s, why);
		if (req_add_val(r, s, json_string_length(jv)))
			return nomem(err);
	}
	return SK_OK;
}

static int add_match_labels(sk_selector *sel, json_t *ml, sk_err *err)
{
	const char *k;
	json_t *v;
	if (!json_is_object(ml))
		return sk_fail(err, SK_EINVALID, "invalid label selector: matchLabels: must be an object");
	json_object_foreach(ml, k, v) {
		const char *why = bad_label_key(k, strlen(k));
		if (why)
			return sk_fail(err, SK_EINVALID,
			               "invalid label selector: matchLabels: invalid label key \"%.*s\": %s", SHOW,
			               k, why);
		const char *s = json_string_value(v);
		if (!s)
			return sk_fail(err, SK_EINVALID,
			               "invalid label selector: matchLabels[\"%.*s\"]: must be a string", SHOW, k);
		if ((why = bad_label_value(s, json_string_length(v))))
			return sk_fail(err, SK_EINVALID,
			               "invalid label selector: matchLabels[\"%.*s\"]: invalid label value "
			               "\"%.*s\": %s", SHOW, k, SHOW, s, why);
		struct req *r = sel_add(sel, k, strlen(k), OP_EQ);
		if (!r || req_add_val(r, s, json_string_length(v)))
			return nomem(err);
	}
	return SK_OK;
}

sk_selector *sk_label_selector_from_obj(const sk_obj *obj, sk_err *err)
{
	json_t *j = J(obj);
	sk_selector *sel = sel_new(KIND_LABEL, err);
	if (!sel || !j || json_is_null(j))
		return sel;
	if (!json_is_object(j)) {
		sk_fail(err, SK_EINVALID,
		        "invalid label selector: must be an object with matchLabels and/or matchExpressions");
		goto bad;
	}
	json_t *ml = json_object_get(j, "matchLabels");
	if (ml && !json_is_null(ml) && add_match_labels(sel, ml, err))
		goto bad;
	json_t *me = json_object_get(j, "matchExpressions");
	if (me && !json_is_null(me)) {
		if (!json_is_array(me)) {
			sk_fail(err, SK_EINVALID, "invalid label selector: matchExpressions: must be a list");
			goto bad;
		}
		for (size_t i = 0; i < json_array_size(me); i++)
			if (add_expression(sel, json_array_get(me, i), i, err))
				goto bad;
	}
	sel_finish(sel);
	return sel;
bad:
	sk_selector_free(sel);
	return NULL;
}

/* ---- field selector text --------------------------------------------- */

static int path_plain(char c) { return is_alnum(c) || c == '_' || c == '-'; }

static int path_quoted(char c)
{
	return c > ' ' && c < 0x7f && c != '"' && c != '\\' && c != ',' && c != '=';
}

/* Field paths are sk_obj paths kept to a shape that needs no escaping in a
 * selector: dotted names, [N] indexes and ["key"] parts. */
static int good_field_path(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0)
		return 0;
	for (;;) {
		size_t start = i;
		if (s[i] == '[' && i + 1 < n && s[i + 1] == '"') {
			for (i += 2; i < n && path_quoted(s[i]); i++)
				;
			if (i + 1 >= n || s[i] != '"' || s[i + 1] != ']')
				return 0;
			i += 2;
		} else if (s[i] == '[') {
			for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
				;
			if (i == start + 1 || i >= n || s[i] != ']')
				return 0;
			i++;
		} else {
			while (i < n && path_plain(s[i]))
				i++;
			if (i == start)
				return 0;
		}
		if (i == n)
			return 1;
		if (s[i] == '.') {
			if (++i == n || !path_plain(s[i]))
				return 0;
		} else if (s[i] != '[') {
			return 0;
		}
	}
}

/* Kubernetes' UnescapeValue: only \\ \, \= are escapes, and a bare , or =
 * is refused. Returns a heap string, or NULL with err filled. */
static char *unescape(const char *v, size_t n, sk_err *err)
{
	char *out = malloc(n + 1);
	size_t w = 0;
	if (!out) {
		nomem(err);
		return NULL;
	}
	for (size_t k = 0; k < n; k++) {
		char c = v[k];
		if (c == '\\') {
			if (k + 1 == n) {
				sk_fail(err, SK_EINVALID, "invalid field selector: invalid escape sequence: \\ at the end");
				goto bad;
			}
			c = v[++k];
			if (c != '\\' && c != ',' && c != '=') {
				sk_fail(err, SK_EINVALID, "invalid field selector: invalid escape sequence: \\%c", c);
				goto bad;
			}
		} else if (c == ',' || c == '=') {
			sk_fail(err, SK_EINVALID,
			        "invalid field selector: unescaped character in value: %c (escape it as \\%c)", c, c);
			goto bad;
		}
		out[w++] = c;
	}
	out[w] = 0;
	return out;
bad:
	free(out);
	return NULL;
}

/* One `path op value` term; the first operator splits it, as no escaping
 * exists left of it. */
static int field_term(sk_selector *sel, const char *whole, const char *t, size_t n, sk_err *err)
{
	size_t i, oplen = 0;
	enum op op = OP_EQ;
	for (i = 0; i < n && !oplen; i++) {
		if (t[i] == '!' && i + 1 < n && t[i + 1] == '=') {
			op = OP_NE;
			oplen = 2;
		} else if (t[i] == '=') {
			oplen = i + 1 < n && t[i + 1] == '=' ? 2 : 1;
		}
	}
	if (!oplen)
		return sk_fail(err, SK_EINVALID, "invalid field selector: '%.*s'; can't understand '%.*s'", SHOW,
		               whole, (int)(n < SHOW ? n : SHOW), t);
	size_t plen = i - 1; /* the loop stepped past the operator's start */
	if (!good_field_path(t, plen))
		return sk_fail(err, SK_EINVALID,
		               "invalid field selector: invalid field path \"%.*s\": expected dotted names "
		               "such as status.phase, with optional [N] or [\"key\"] parts",
		               (int)(plen < SHOW ? plen : SHOW), t);
	char *v = unescape(t + plen + oplen, n - plen - oplen, err);
	if (!v)
		return err ? err->code : SK_EINVALID;
	struct req *r = sel_add(sel, t, plen, op);
	char **vals = r ? malloc(sizeof *vals) : NULL;
	if (!vals) {
		free(v);
		return nomem(err);
	}
	vals[0] = v;
	r->vals = vals;
	r->nvals = r->vcap = 1;
	return SK_OK;
}

sk_selector *sk_field_selector_parse(const char *text, sk_err *err)
{
	if (!text)
		text = "";
	if (too_large(text, "field", err))
		return NULL;
	sk_selector *sel = sel_new(KIND_FIELD, err);
	if (!sel)
		return NULL;
	/* terms split at commas not escaped by a backslash; empty terms are
	 * skipped, as Kubernetes does */
	const char *term = text;
	for (const char *c = text;; c++) {
		if (*c == '\\' && c[1]) {
			c++;
			continue;
		}
		if (*c && *c != ',')
			continue;
		if (c > term && field_term(sel, text, term, (size_t)(c - term), err)) {
			sk_selector_free(sel);
			return NULL;
		}
		if (!*c)
			break;
		term = c + 1;
	}
	sel_finish(sel);
	return sel;
}

/* ---- matching --------------------------------------------------------- */

int sk_selector_empty(const sk_selector *s) { return !s || s->n == 0; }

static int has_value(const struct req *r, const char *v, size_t n)
{
	for (size_t i = 0; i < r->nvals; i++)
		if (strlen(r->vals[i]) == n && !memcmp(r->vals[i], v, n))
			return 1;
	return 0;
}

/* Requirement.Matches. A null label counts as absent; a label that is not a
 * string is present but equals no value. */
static int label_req_matches(const struct req *r, json_t *labels)
{
	json_t *j = json_object_get(labels, r->key);
	int present = j && !json_is_null(j);
	const char *v = json_string_value(j);
	size_t n = v ? json_string_length(j) : 0;
	int64_t have, want;
	switch (r->op) {
	case OP_EXISTS: return present;
	case OP_NOT_EXISTS: return !present;
	case OP_EQ:
	case OP_DEQ:
	case OP_IN: return v && has_value(r, v, n);
	case OP_NE:
	case OP_NOTIN: return !v || !has_value(r, v, n);
	case OP_GT:
	case OP_LT:
		if (!v || !parse_int64(v, n, &have) || !parse_int64(r->vals[0], strlen(r->vals[0]), &want))
			return 0;
		return r->op == OP_GT ? have > want : have < want;
	}
	return 0;
}

static int labels_match(const sk_selector *s, json_t *labels)
{
	if (!json_is_object(labels))
		labels = NULL;
	for (size_t i = 0; i < s->n; i++)
		if (!label_req_matches(&s->reqs[i], labels))
			return 0;
	return 1;
}

/* The text a field compares as, as Kubernetes' field sets hold it: absent
 * and null are "", booleans "true"/"false", numbers in decimal. Objects and
 * arrays have none (NULL) and equal no value. */
static const char *field_text(json_t *j, char *buf, size_t cap, size_t *len)
{
	const char *s = buf;
	if (!j || json_is_null(j))
		s = "";
	else if (json_is_string(j))
		return *len = json_string_length(j), json_string_value(j);
	else if (json_is_boolean(j))
		s = json_is_true(j) ? "true" : "false";
	else if (json_is_integer(j))
		snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
	else if (json_is_real(j)) {
		/* the shortest form that reads back as the same double */
		double d = json_real_value(j);
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(buf, cap, "%.*g", prec, d);
			if (strtod(buf, NULL) == d)
				break;
		}
	} else
		return NULL;
	*len = strlen(s);
	return s;
}

static int fields_match(const sk_selector *s, const sk_obj *object)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct req *r = &s->reqs[i];
		char buf[40];
		size_t n = 0;
		const char *v = field_text(J(sk_obj_get(object, r->key)), buf, sizeof buf, &n);
		int eq = v && has_value(r, v, n);
		if (eq != (r->op == OP_EQ))
			return 0;
	}
	return 1;
}

int sk_selector_matches(const sk_selector *s, const sk_obj *object)
{
	if (!s)
		return 1;
	if (s->kind == KIND_FIELD)
		return fields_match(s, object);
	return labels_match(s, J(sk_obj_get(object, "metadata.labels")));
}

int sk_selector_matches_labels(const sk_selector *s, const sk_obj *labels)
{
	if (!s)
		return 1;
	if (s->kind != KIND_LABEL)
		return s->n == 0; /* a field selector says nothing of labels */
	return labels_match(s, J(labels));
}

/* ---- printing --------------------------------------------------------- */

struct buf {
	char *p;
	size_t n, cap;
	int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void puts_(struct buf *b, const char *s) { put(b, s, strlen(s)); }

static void put_label_req(struct buf *b, const struct req *r)
{
	static const char *const opstr[] = {
		[OP_EXISTS] = "", [OP_NOT_EXISTS] = "", [OP_EQ] = "=", [OP_DEQ] = "==", [OP_NE] = "!=",
		[OP_IN] = " in ", [OP_NOTIN] = " notin ", [OP_GT] = ">", [OP_LT] = "<",
	};
	if (r->op == OP_NOT_EXISTS)
		puts_(b, "!");
	puts_(b, r->key);
	puts_(b, opstr[r->op]);
	if (r->op == OP_IN || r->op == OP_NOTIN) {
		puts_(b, "(");
		for (size_t i = 0; i < r->nvals; i++) {
			if (i)
				puts_(b, ",");
			puts_(b, r->vals[i]);
		}
		puts_(b, ")");
	} else if (r->nvals) {
		puts_(b, r->vals[0]);
	}
}

static void put_field_req(struct buf *b, const struct req *r)
{
	puts_(b, r->key);
	puts_(b, r->op == OP_NE ? "!=" : "=");
	for (const char *c = r->vals[0]; *c; c++) {
		if (*c == '\\' || *c == ',' || *c == '=')
			puts_(b, "\\");
		put(b, c, 1);
	}
}

char *sk_selector_string(const sk_selector *s)
{
	struct buf b = {0};
	put(&b, "", 0);
	for (size_t i = 0; s && i < s->n; i++) {
		if (i)
			puts_(&b, ",");
		if (s->kind == KIND_LABEL)
			put_label_req(&b, &s->reqs[i]);
		else
			put_field_req(&b, &s->reqs[i]);
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
