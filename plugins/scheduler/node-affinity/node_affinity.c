/* node_affinity.c — the scheduling framework's NodeAffinity plugin: a pod
 * fits only nodes matching its spec.nodeSelector and its required node
 * affinity, and prefers nodes matching its weighted preferred terms, as in
 * Kubernetes 1.32 (component-helpers' nodeaffinity package).
 *
 * Pre-filter and pre-score parse the pod's terms once into the cycle so that
 * filter and score, run once per node, only match. */
#include <skiff/skiff.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_FILTER "PreFilterNodeAffinity"
#define KEY_SCORE "PreScoreNodeAffinity"

static size_t count(const sk_obj *arr) { return arr && sk_obj_type_of(arr) == SK_OBJ_ARRAY ? sk_obj_len(arr) : 0; }

/* present and not null, as a Go pointer or map would be non-nil */
static int given(const sk_obj *o) { return o && sk_obj_type_of(o) != SK_OBJ_NULL; }

static int is_op(const char *op, const char *name) { return op && !strcmp(op, name); }

/* ---- one node selector term ---- */

/* A matchFields requirement. Kubernetes gives a node one field,
 * metadata.name; any other key reads as the empty string. */
struct field_req {
	int not_in;
	int is_name;
	char *value;
};

struct term {
	sk_selector *labels; /* matchExpressions; NULL when the term has none */
	struct field_req *fields;
	size_t nfields;
	int invalid; /* a requirement did not parse: the term matches no node */
	int64_t weight;
};

struct terms {
	struct term *v;
	size_t n;
};

/* Characters a label key (with '/') or value may hold; anything else is
 * invalid anyway, and keeping it out keeps the selector text unambiguous. */
static int plain(const char *s, int key)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_' || *s == '.' || (key && *s == '/')))
			return 0;
	return 1;
}

/* Writes one matchExpressions requirement as label selector text, checking
 * the value counts labels.NewRequirement checks; the selector parser then
 * checks keys, values and integers exactly as Kubernetes does. */
static int put_expression(FILE *f, const sk_obj *e)
{
	const char *key = sk_obj_get_str(e, "key"), *op = sk_obj_get_str(e, "operator");
	const sk_obj *vals = sk_obj_get(e, "values");
	if (!key || !*key || !plain(key, 1) || !op || (given(vals) && sk_obj_type_of(vals) != SK_OBJ_ARRAY))
		return -1;
	size_t nv = count(vals);
	for (size_t i = 0; i < nv; i++) {
		const char *v = sk_obj_str(sk_obj_at(vals, i));
		if (!v || !plain(v, 0))
			return -1;
	}
	if (is_op(op, "In") || is_op(op, "NotIn")) {
		if (!nv)
			return -1;
		/* `k in (a,,b)`: the parser reads empty items as the empty value */
		fprintf(f, "%s %s (", key, is_op(op, "In") ? "in" : "notin");
		for (size_t i = 0; i < nv; i++)
			fprintf(f, "%s%s", i ? "," : "", sk_obj_str(sk_obj_at(vals, i)));
		fputc(')', f);
	} else if (is_op(op, "Exists") || is_op(op, "DoesNotExist")) {
		if (nv)
			return -1;
		fprintf(f, "%s%s", is_op(op, "Exists") ? "" : "!", key);
	} else if (is_op(op, "Gt") || is_op(op, "Lt")) {
		if (nv != 1)
			return -1;
		fprintf(f, "%s%s%s", key, is_op(op, "Gt") ? ">" : "<", sk_obj_str(sk_obj_at(vals, 0)));
	} else {
		return -1;
	}
	return 0;
}

/* matchExpressions, ANDed, as one label selector; NULL when any
 * requirement is invalid (or the text passes SK_SELECTOR_MAX_BYTES) */
static sk_selector *parse_expressions(const sk_obj *exprs)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	int bad = 0;
	for (size_t i = 0, n = count(exprs); i < n && !bad; i++) {
		if (i)
			fputc(',', f);
		bad = put_expression(f, sk_obj_at(exprs, i));
	}
	if (fclose(f) || bad) {
		free(text);
		return NULL;
	}
	sk_err err = {0};
	sk_selector *s = sk_label_selector_parse(text, &err);
	free(text);
	return s;
}

/* matchFields: In and NotIn with exactly one value */
static int parse_fields(const sk_obj *fields, struct term *t)
{
	size_t n = count(fields);
	if (!(t->fields = calloc(n, sizeof *t->fields)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const sk_obj *r = sk_obj_at(fields, i), *vals = sk_obj_get(r, "values");
		const char *key = sk_obj_get_str(r, "key"), *op = sk_obj_get_str(r, "operator");
		const char *v = count(vals) == 1 ? sk_obj_str(sk_obj_at(vals, 0)) : NULL;
		if (!key || !v || !(is_op(op, "In") || is_op(op, "NotIn")))
			return -1;
		struct field_req *fr = &t->fields[t->nfields++];
		fr->not_in = is_op(op, "NotIn");
		fr->is_name = !strcmp(key, "metadata.name");
		if (!(fr->value = strdup(v)))
			return -1;
	}
	return 0;
}

/* nil or empty terms select nothing and are dropped by the callers */
static int term_empty(const sk_obj *term)
{
	return !count(sk_obj_get(term, "matchExpressions")) && !count(sk_obj_get(term, "matchFields"));
}

static void term_parse(const sk_obj *term, struct term *t)
{
	const sk_obj *exprs = sk_obj_get(term, "matchExpressions"), *fields = sk_obj_get(term, "matchFields");
	if (count(exprs) && !(t->labels = parse_expressions(exprs)))
		t->invalid = 1;
	if (count(fields) && parse_fields(fields, t))
		t->invalid = 1;
}

/* nodeSelectorTerm.match: labels by the selector, fields only when the
 * node has a name */
static int term_matches(const struct term *t, const sk_obj *labels, const char *name)
{
	if (t->invalid)
		return 0;
	if (t->labels && !sk_selector_matches_labels(t->labels, labels))
		return 0;
	if (name && *name)
		for (size_t i = 0; i < t->nfields; i++) {
			const struct field_req *f = &t->fields[i];
			int equal = strcmp(f->is_name ? name : "", f->value) == 0;
			if (equal == f->not_in)
				return 0;
		}
	return 1;
}

static void terms_free(void *p)
{
	struct terms *ts = p;
	if (!ts)
		return;
	for (size_t i = 0; i < ts->n; i++) {
		sk_selector_free(ts->v[i].labels);
		for (size_t j = 0; j < ts->v[i].nfields; j++)
			free(ts->v[i].fields[j].value);
		free(ts->v[i].fields);
	}
	free(ts->v);
	free(ts);
}

/* Required terms (preferred = 0) keep invalid terms, which match nothing,
 * as NewLazyErrorNodeSelector does; preferred terms skip weight 0 and fail
 * as a whole on an invalid one, as NewPreferredSchedulingTerms does. NULL
 * on failure. */
static struct terms *terms_new(const sk_obj *arr, int preferred)
{
	size_t n = count(arr);
	struct terms *ts = calloc(1, sizeof *ts);
	if (!ts || !(ts->v = calloc(n ? n : 1, sizeof *ts->v))) {
		free(ts);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const sk_obj *el = sk_obj_at(arr, i), *term = preferred ? sk_obj_get(el, "preference") : el;
		int64_t w = preferred ? sk_obj_get_int(el, "weight", 0) : 0;
		if (term_empty(term) || (preferred && w == 0))
			continue;
		struct term *t = &ts->v[ts->n++];
		t->weight = w;
		term_parse(term, t);
		/* weight is an int32 in Kubernetes */
		if (preferred && (t->invalid || w < INT32_MIN || w > INT32_MAX)) {
			terms_free(ts);
			return NULL;
		}
	}
	return ts;
}

/* ---- required: nodeSelector and required node affinity ---- */

struct required {
	int has_selector;
	sk_selector *selector; /* NULL with has_selector: a nodeSelector no node can match */
	struct terms *affinity; /* NULL: none given */
};

static const sk_obj *required_terms(const sk_obj *pod)
{
	const sk_obj *r = sk_obj_get(pod, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution");
	return given(r) ? r : NULL;
}

static void required_free(void *p)
{
	struct required *r = p;
	if (!r)
		return;
	sk_selector_free(r->selector);
	terms_free(r->affinity);
	free(r);
}

/* GetRequiredNodeAffinity */
static struct required *required_new(const sk_obj *pod)
{
	struct required *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	sk_obj *ns = sk_obj_get(pod, "spec.nodeSelector");
	if (ns && sk_obj_type_of(ns) == SK_OBJ_OBJECT && sk_obj_len(ns)) {
		/* every label equal; a key or value that is not a valid label
		 * cannot be on a node, so failing to build the selector is the
		 * same as matching no node */
		r->has_selector = 1;
		sk_obj *wrap = sk_obj_new_object();
		sk_err err = {0};
		if (wrap && sk_obj_set(wrap, "matchLabels", ns, &err) == SK_OK)
			r->selector = sk_label_selector_from_obj(wrap, &err);
		sk_obj_unref(wrap);
	}
	const sk_obj *req = required_terms(pod);
	if (req && !(r->affinity = terms_new(sk_obj_get(req, "nodeSelectorTerms"), 0))) {
		required_free(r);
		return NULL;
	}
	return r;
}

static const char *node_name(const sk_sched_node *n)
{
	return n->name ? n->name : sk_obj_get_str(n->node, "metadata.name");
}

/* RequiredNodeAffinity.Match: the nodeSelector, then the terms ORed */
static int required_matches(const struct required *r, const sk_sched_node *n)
{
	const sk_obj *labels = n->labels;
	if (r->has_selector && (!r->selector || !sk_selector_matches_labels(r->selector, labels)))
		return 0;
	if (!r->affinity)
		return 1;
	for (size_t i = 0; i < r->affinity->n; i++)
		if (term_matches(&r->affinity->v[i], labels, node_name(n)))
			return 1;
	return 0;
}

/* ---- pre-filter's node name shortcut ---- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Whether some name is in every metadata.name In requirement of a term
 * (the intersection Kubernetes builds); -1 when the term has none. Sorted
 * copies keep a long value list from costing its square. */
static int term_names_meet(const sk_obj *term)
{
	const sk_obj *fields = sk_obj_get(term, "matchFields");
	size_t nf = count(fields), npins = 0;
	struct pin {
		const char **v;
		size_t n;
	} *pins = calloc(nf ? nf : 1, sizeof *pins);
	int meet = -1;
	if (!pins)
		return -1;
	for (size_t i = 0; i < nf; i++) {
		const sk_obj *r = sk_obj_at(fields, i), *vals = sk_obj_get(r, "values");
		const char *key = sk_obj_get_str(r, "key");
		if (!key || strcmp(key, "metadata.name") || !is_op(sk_obj_get_str(r, "operator"), "In"))
			continue;
		struct pin *p = &pins[npins++];
		size_t nv = count(vals);
		if (nv && !(p->v = malloc(nv * sizeof *p->v)))
			goto out;
		for (size_t j = 0; j < nv; j++)
			if (sk_obj_str(sk_obj_at(vals, j)))
				p->v[p->n++] = sk_obj_str(sk_obj_at(vals, j));
		if (p->n)
			qsort(p->v, p->n, sizeof *p->v, cmp_str);
	}
	if (!npins)
		goto out;
	meet = 0;
	for (size_t i = 0; i < pins[0].n && !meet; i++) {
		meet = 1;
		for (size_t j = 1; j < npins && meet; j++)
			meet = pins[j].n &&
			       bsearch(&pins[0].v[i], pins[j].v, pins[j].n, sizeof *pins[j].v, cmp_str) != NULL;
	}
out:
	for (size_t i = 0; i < npins; i++)
		free(pins[i].v);
	free(pins);
	return meet;
}

/* PreFilter's node names: when every term pins metadata.name and no term's
 * pins share a name, no node can match */
static int names_conflict(const sk_obj *terms)
{
	size_t n = count(terms);
	for (size_t i = 0; i < n; i++)
		if (term_names_meet(sk_obj_at(terms, i)) != 0)
			return 0;
	return n > 0;
}

/* ---- the framework points ---- */

static int pre_filter(void *ud, sk_sched_cycle *c, const sk_obj *pod, char *reason, size_t cap)
{
	(void)ud;
	const sk_obj *req = required_terms(pod);
	if (!req && !given(sk_obj_get(pod, "spec.nodeSelector")))
		return SK_SCHED_SKIP;
	struct required *r = required_new(pod);
	if (!r)
		return SK_SCHED_ERROR;
	sk_sched_put(c, KEY_FILTER, r, required_free);
	if (req && names_conflict(sk_obj_get(req, "nodeSelectorTerms"))) {
		snprintf(reason, cap, "pod affinity terms conflict");
		return SK_SCHED_UNRESOLVABLE;
	}
	return SK_SCHED_SUCCESS;
}

static int filter(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n, char *reason, size_t cap)
{
	(void)ud;
	struct required *r = sk_sched_get(c, KEY_FILTER), *own = NULL;
	/* without pre-filter's state (it skipped, or did not run) parse here */
	if (!r && !(r = own = required_new(pod)))
		return SK_SCHED_ERROR;
	int ok = required_matches(r, n);
	required_free(own);
	if (ok)
		return SK_SCHED_SUCCESS;
	snprintf(reason, cap, "node(s) didn't match Pod's node affinity/selector");
	return SK_SCHED_UNRESOLVABLE;
}

static const sk_obj *preferred_terms(const sk_obj *pod)
{
	const sk_obj *p = sk_obj_get(pod, "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution");
	return given(p) ? p : NULL;
}

/* An invalid preferred term is an error for the pod, as in Kubernetes. */
static int pre_score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *const *feasible, size_t n)
{
	(void)ud;
	(void)feasible;
	(void)n;
	const sk_obj *pref = preferred_terms(pod);
	if (!pref)
		return SK_SCHED_SKIP;
	struct terms *ts = terms_new(pref, 1);
	if (!ts)
		return SK_SCHED_ERROR;
	sk_sched_put(c, KEY_SCORE, ts, terms_free);
	return SK_SCHED_SUCCESS;
}

/* the summed weights of the preferred terms the node matches */
static int64_t score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n)
{
	(void)ud;
	struct terms *ts = sk_sched_get(c, KEY_SCORE), *own = NULL;
	if (!ts) {
		const sk_obj *pref = preferred_terms(pod);
		if (!pref || !(ts = own = terms_new(pref, 1)))
			return 0;
	}
	const sk_obj *labels = n->labels;
	int64_t sum = 0;
	for (size_t i = 0; i < ts->n; i++)
		if (term_matches(&ts->v[i], labels, node_name(n)))
			sum += ts->v[i].weight;
	terms_free(own);
	return sum;
}

static const sk_sched_policy_ops ops = {
	.size = sizeof ops,
	.name = "NodeAffinity",
	.pre_filter = pre_filter,
	.filter = filter,
	.pre_score = pre_score,
	.score = score,
	.normalize = sk_sched_normalize_highest, /* helper.DefaultNormalizeScore */
};

static int init(sk_plugin *p, sk_err *err) { return sk_register(p, SK_EXT_SCHEDULER, &ops, NULL, err); }

SK_PLUGIN("node-affinity", "0.1.0", "scheduler filter and score: nodeSelector and node affinity",
          SK_LIST("scheduler.prefilter.NodeAffinity", "scheduler.filter.NodeAffinity",
                  "scheduler.prescore.NodeAffinity", "scheduler.score.NodeAffinity"),
          SK_LIST(NULL), init, NULL);
