/* pod_topology_spread.c — the scheduling framework's PodTopologySpread
 * plugin, as in Kubernetes 1.32: a pod's DoNotSchedule topology spread
 * constraints keep it off nodes whose domain would then hold more than
 * maxSkew matching pods above the least-loaded domain, and its
 * ScheduleAnyway constraints (or, when it has none, the system defaults:
 * hostname maxSkew 3 and zone maxSkew 5 over the selectors of its Services
 * and controller) make nodes in domains with fewer matching pods score
 * higher.
 *
 * Pre-filter and pre-score walk the snapshot once (its node and pod labels
 * read into a census both share) and keep the matching pods per domain in
 * the cycle; filter then only looks the node's domain up, and pre-score
 * works out every feasible node's score for score to read. */
#include <skiff/skiff.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kubernetes' cycle-state keys */
#define PREFILTER_KEY "PreFilterPodTopologySpread"
#define PRESCORE_KEY "PreScorePodTopologySpread"

#define LABEL_HOSTNAME "kubernetes.io/hostname"
#define LABEL_ZONE "topology.kubernetes.io/zone"

/* kube-scheduler's reasons (plugin.go) */
#define REASON_SKEW "node(s) didn't match pod topology spread constraints"
#define REASON_LABEL REASON_SKEW " (missing required label)"

/* Constraints of one kind a pod may carry. Validation allows one per
 * topology key and action, so real pods stay far below this. */
#define MAX_CONSTRAINTS 64

/* the Go scheduler's math.MaxInt32: the minimum of no domains */
#define NO_DOMAINS INT32_MAX

static size_t count(const sk_obj *arr) { return sk_obj_type_of(arr) == SK_OBJ_ARRAY ? sk_obj_len(arr) : 0; }

/* present and not null, as a Go pointer, slice or map would be non-nil */
static int given(const sk_obj *o) { return o && sk_obj_type_of(o) != SK_OBJ_NULL; }

static int is(const char *s, const char *want) { return s && !strcmp(s, want); }

static const char *str_or_empty(const char *s) { return s ? s : ""; }

/* ---- labels ------------------------------------------------------------------ */

/* Label keys hold dots and slashes, so setting one is a bracketed path:
 * ["topology.kubernetes.io/zone"]. NULL when the key is too long to be a
 * label key at all. */
static char *label_path(const char *key)
{
	size_t len = strlen(key);
	if (len > 512)
		return NULL;
	char *p = malloc(2 * len + 5), *o = p;
	if (!p)
		return NULL;
	*o++ = '[';
	*o++ = '"';
	for (; *key; key++) {
		if (*key == '"' || *key == '\\')
			*o++ = '\\';
		*o++ = *key;
	}
	*o++ = '"';
	*o++ = ']';
	*o = 0;
	return p;
}

/* A label key kept for lookups: a copy, NULL when too long to be a label
 * key at all (it then matches no node). */
static char *label_key(const char *key) { return strlen(key) > 512 ? NULL : strdup(key); }

/* a label's value, NULL when absent (or not a string) */
static const char *label_at(const sk_obj *labels, const char *key)
{
	return key ? sk_obj_str(sk_obj_key(labels, key)) : NULL;
}

static const char *label(const sk_obj *labels, const char *key) { return label_at(labels, key); }

static const sk_obj *labels_of(const sk_obj *o) { return sk_obj_get(o, "metadata.labels"); }

/* ---- required node affinity (component-helpers' nodeaffinity) ------------------ */

/* a Gt or Lt requirement; the selector holds an Exists for its key */
struct cmp {
	char *lkey;
	int gt;
	int64_t value;
};

/* a matchFields requirement: nodes have one field, metadata.name; any
 * other key reads as "" */
struct field {
	int not_in, is_name;
	char *value;
};

struct term {
	int invalid;        /* a requirement did not parse: matches no node */
	sk_selector *sel;   /* matchExpressions but Gt/Lt; NULL when none */
	struct cmp *cmp;
	size_t ncmp;
	struct field *fields;
	size_t nfields;
};

struct pair {
	char *lkey, *value;
};

struct affinity {
	struct pair *node_selector; /* spec.nodeSelector, every one must hold */
	size_t nsel;
	int required;               /* requiredDuringScheduling... is set */
	struct term *terms;         /* its non-empty terms, ORed */
	size_t nterms;
};

/* strconv.ParseInt(s, 10, 64) */
static int parse_int64(const char *s, int64_t *out)
{
	int neg = 0;
	uint64_t v = 0, limit = (uint64_t)INT64_MAX;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!*s)
		return 0;
	if (neg)
		limit++;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		unsigned d = (unsigned)(*s - '0');
		if (v > (limit - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 1;
}

static void term_free(struct term *t)
{
	sk_selector_free(t->sel);
	for (size_t i = 0; i < t->ncmp; i++)
		free(t->cmp[i].lkey);
	for (size_t i = 0; i < t->nfields; i++)
		free(t->fields[i].value);
	free(t->cmp);
	free(t->fields);
}

/* A Gt/Lt requirement as labels.NewRequirement takes it: one value that is
 * both a label value and a base-10 int64, so digits only. */
static int term_add_cmp(struct term *t, const sk_obj *e, int gt)
{
	const sk_obj *vals = sk_obj_get(e, "values");
	const char *v = count(vals) == 1 ? sk_obj_str(sk_obj_at(vals, 0)) : NULL;
	int64_t num;
	if (!v || !*v || strlen(v) > 63 || strspn(v, "0123456789") != strlen(v) || !parse_int64(v, &num))
		return -1;
	char *path = label_key(str_or_empty(sk_obj_get_str(e, "key")));
	if (!path)
		return -1;
	t->cmp[t->ncmp++] = (struct cmp){path, gt, num};
	return 0;
}

/* matchExpressions: In, NotIn, Exists and DoesNotExist become a label
 * selector, which checks keys, values and their counts as NewRequirement
 * does; Gt and Lt are kept aside, with an Exists for their key (so that
 * the key is checked, and a node without it fails as Gt/Lt fail it). */
static int term_expressions(struct term *t, const sk_obj *exprs)
{
	size_t n = count(exprs);
	sk_obj *obj = sk_obj_new_object(), *list = sk_obj_new_array();
	int rc = -1;
	if (!obj || !list || !(t->cmp = calloc(n ? n : 1, sizeof *t->cmp)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		const sk_obj *e = sk_obj_at(exprs, i);
		const char *op = sk_obj_get_str(e, "operator");
		sk_obj *one = sk_obj_new_object();
		if (!one)
			goto out;
		if (sk_obj_get(e, "key"))
			sk_obj_set(one, "key", sk_obj_get(e, "key"), NULL);
		if (is(op, "Gt") || is(op, "Lt")) {
			sk_obj_set_str(one, "operator", "Exists", NULL);
			if (term_add_cmp(t, e, is(op, "Gt")) != 0) {
				sk_obj_unref(one);
				goto out;
			}
		} else if (is(op, "In") || is(op, "NotIn") || is(op, "Exists") || is(op, "DoesNotExist")) {
			sk_obj_set_str(one, "operator", op, NULL);
			if (sk_obj_get(e, "values"))
				sk_obj_set(one, "values", sk_obj_get(e, "values"), NULL);
		} else {
			sk_obj_unref(one);
			goto out;
		}
		sk_obj_append(list, one);
		sk_obj_unref(one);
	}
	sk_obj_set(obj, "matchExpressions", list, NULL);
	t->sel = sk_label_selector_from_obj(obj, NULL);
	rc = t->sel ? 0 : -1;
out:
	sk_obj_unref(list);
	sk_obj_unref(obj);
	return rc;
}

/* matchFields: In or NotIn with exactly one value */
static int term_fields(struct term *t, const sk_obj *fields)
{
	size_t n = count(fields);
	if (!(t->fields = calloc(n ? n : 1, sizeof *t->fields)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const sk_obj *f = sk_obj_at(fields, i), *vals = sk_obj_get(f, "values");
		const char *op = sk_obj_get_str(f, "operator");
		const char *v = count(vals) == 1 ? sk_obj_str(sk_obj_at(vals, 0)) : NULL;
		if (!v || !(is(op, "In") || is(op, "NotIn")))
			return -1;
		struct field *fl = &t->fields[t->nfields];
		fl->not_in = is(op, "NotIn");
		fl->is_name = is(sk_obj_get_str(f, "key"), "metadata.name");
		if (!(fl->value = strdup(v)))
			return -1;
		t->nfields++;
	}
	return 0;
}

static void affinity_free(struct affinity *a)
{
	for (size_t i = 0; i < a->nsel; i++) {
		free(a->node_selector[i].lkey);
		free(a->node_selector[i].value);
	}
	free(a->node_selector);
	for (size_t i = 0; i < a->nterms; i++)
		term_free(&a->terms[i]);
	free(a->terms);
	memset(a, 0, sizeof *a);
}

struct sel_fill {
	struct affinity *a;
	int failed;
};

static int node_selector_one(void *ud, const char *key, sk_obj *v)
{
	struct sel_fill *f = ud;
	struct pair *p = &f->a->node_selector[f->a->nsel];
	/* SelectorFromSet takes the map unchecked; a key too long to look up
	 * is on no node */
	p->lkey = key ? label_key(key) : NULL;
	p->value = strdup(str_or_empty(sk_obj_str(v)));
	if (!p->value) {
		free(p->lkey);
		f->failed = 1;
		return 1;
	}
	f->a->nsel++;
	return 0;
}

/* nodeaffinity.GetRequiredNodeAffinity: spec.nodeSelector and the required
 * node affinity. Returns -1 when out of memory. */
static int affinity_parse(struct affinity *a, const sk_obj *pod)
{
	memset(a, 0, sizeof *a);
	const sk_obj *ns = sk_obj_get(pod, "spec.nodeSelector");
	if (sk_obj_type_of(ns) == SK_OBJ_OBJECT && sk_obj_len(ns)) {
		struct sel_fill f = {a, 0};
		if (!(a->node_selector = calloc(sk_obj_len(ns), sizeof *a->node_selector)))
			return -1;
		sk_obj_foreach(ns, node_selector_one, &f);
		if (f.failed)
			return -1;
	}
	const sk_obj *req = sk_obj_get(pod, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution");
	if (!given(req))
		return 0;
	a->required = 1;
	const sk_obj *terms = sk_obj_get(req, "nodeSelectorTerms");
	size_t n = count(terms);
	if (!(a->terms = calloc(n ? n : 1, sizeof *a->terms)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const sk_obj *term = sk_obj_at(terms, i), *exprs = sk_obj_get(term, "matchExpressions"),
			     *fields = sk_obj_get(term, "matchFields");
		/* an empty term selects no node: it is left out */
		if (!count(exprs) && !count(fields))
			continue;
		struct term *t = &a->terms[a->nterms++];
		if ((count(exprs) && term_expressions(t, exprs) != 0) || (count(fields) && term_fields(t, fields) != 0))
			t->invalid = 1;
	}
	return 0;
}

static int term_matches(const struct term *t, const sk_obj *labels, const char *name)
{
	if (t->invalid)
		return 0;
	if (t->sel && !sk_selector_matches_labels(t->sel, labels))
		return 0;
	for (size_t i = 0; i < t->ncmp; i++) {
		int64_t have;
		const char *v = label_at(labels, t->cmp[i].lkey);
		if (!v || !parse_int64(v, &have))
			return 0;
		if (t->cmp[i].gt ? !(have > t->cmp[i].value) : !(have < t->cmp[i].value))
			return 0;
	}
	/* a node without a name has no fields to check */
	if (t->nfields && *name)
		for (size_t i = 0; i < t->nfields; i++) {
			const struct field *f = &t->fields[i];
			int eq = !strcmp(f->is_name ? name : "", f->value);
			if (eq == f->not_in)
				return 0;
		}
	return 1;
}

/* RequiredNodeAffinity.Match, given the node's labels */
static int affinity_matches(const struct affinity *a, const sk_obj *node, const sk_obj *labels)
{
	for (size_t i = 0; i < a->nsel; i++)
		if (!is(label_at(labels, a->node_selector[i].lkey), a->node_selector[i].value))
			return 0;
	if (!a->required)
		return 1;
	const char *name = str_or_empty(sk_obj_get_str(node, "metadata.name"));
	for (size_t i = 0; i < a->nterms; i++)
		if (term_matches(&a->terms[i], labels, name))
			return 1;
	return 0;
}

/* ---- taints ---------------------------------------------------------------------- */

static const char *field_str(const sk_obj *o, const char *path) { return str_or_empty(sk_obj_get_str(o, path)); }

/* v1.Toleration.ToleratesTaint */
static int tolerates(const sk_obj *tol, const sk_obj *taint)
{
	const char *effect = field_str(tol, "effect"), *key = field_str(tol, "key"), *op = field_str(tol, "operator");
	if (*effect && strcmp(effect, field_str(taint, "effect")))
		return 0;
	if (*key && strcmp(key, field_str(taint, "key")))
		return 0;
	if (!*op || !strcmp(op, "Equal"))
		return !strcmp(field_str(tol, "value"), field_str(taint, "value"));
	return !strcmp(op, "Exists");
}

/* no NoSchedule or NoExecute taint of the node goes untolerated
 * (FindMatchingUntoleratedTaint with DoNotScheduleTaintsFilterFunc) */
static int taints_tolerated(const sk_obj *pod, const sk_obj *node)
{
	const sk_obj *taints = sk_obj_get(node, "spec.taints"), *tols = sk_obj_get(pod, "spec.tolerations");
	for (size_t i = 0, nt = count(taints); i < nt; i++) {
		const sk_obj *taint = sk_obj_at(taints, i);
		const char *effect = field_str(taint, "effect");
		if (strcmp(effect, "NoSchedule") && strcmp(effect, "NoExecute"))
			continue;
		int ok = 0;
		for (size_t k = 0, n = count(tols); k < n && !ok; k++)
			ok = tolerates(sk_obj_at(tols, k), taint);
		if (!ok)
			return 0;
	}
	return 1;
}

/* ---- domains ---------------------------------------------------------------------- */

/* Matching pods per topology value of one constraint. The map holds each
 * value's slot + 1, so that NULL means absent. */
struct domains {
	sk_map *index;
	int64_t *count;
	size_t n, cap;
};

static void domains_free(struct domains *d)
{
	if (d->index)
		sk_map_free(d->index, NULL);
	free(d->count);
}

/* the slot of value, added with no pods when new; -1 when out of memory */
static long domain_slot(struct domains *d, const char *value)
{
	void *v = sk_map_get(d->index, value);
	if (v)
		return (long)((uintptr_t)v - 1);
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		int64_t *c = realloc(d->count, cap * sizeof *c);
		if (!c)
			return -1;
		d->count = c;
		d->cap = cap;
	}
	int failed = 0;
	sk_map_put(d->index, value, (void *)(uintptr_t)(d->n + 1), &failed);
	if (failed)
		return -1;
	d->count[d->n] = 0;
	return (long)d->n++;
}

/* the pods of a domain; 0 for a value no counted node has */
static int64_t domain_count(const struct domains *d, const char *value)
{
	void *v = sk_map_get(d->index, value);
	return v ? d->count[(uintptr_t)v - 1] : 0;
}

/* ---- the census ---------------------------------------------------------------------- */

/* What every constraint of a cycle reads of the snapshot, looked up once
 * and shared by pre-filter and pre-score (object paths cost more than the
 * matching itself): each node's labels, the labels of its pods that count,
 * and an index from node view to place. Reference-counted: the cycle and
 * each state built on it hold one. */
struct census {
	int refs;
	const sk_sched_node *const *nodes;
	size_t nn;
	const sk_obj **node_labels;     /* per node */
	size_t *first;                  /* per node, into pod_labels; [nn]: the end */
	const sk_obj **pod_labels;      /* counted pods' labels (NULL: none) */
	const sk_sched_node **slot_key; /* open addressing, mask + 1 slots */
	size_t *slot_val, mask;
};

#define CENSUS_KEY "PodTopologySpreadCensus"

static void census_unref(void *p)
{
	struct census *cs = p;
	if (!cs || --cs->refs > 0)
		return;
	free(cs->node_labels);
	free(cs->first);
	free(cs->pod_labels);
	free(cs->slot_key);
	free(cs->slot_val);
	free(cs);
}

static size_t ptr_hash(const void *p) { return (size_t)(((uintptr_t)p >> 4) * (uintptr_t)0x9E3779B97F4A7C15ull); }

/* the node's place in the census, or -1 for a node outside it */
static long census_find(const struct census *cs, const sk_sched_node *n)
{
	if (!cs)
		return -1;
	for (size_t h = ptr_hash(n) & cs->mask;; h = (h + 1) & cs->mask) {
		if (cs->slot_key[h] == n)
			return (long)cs->slot_val[h];
		if (!cs->slot_key[h])
			return -1;
	}
}

/* countPodsMatchSelector's test: a pod counts for the pod being placed
 * when in its namespace and not terminating; *labels gets its labels */
static int counted(const sk_sched_pod *p, const char *ns, const sk_obj **labels)
{
	if (p->terminating || strcmp(p->ns, ns))
		return 0;
	*labels = p->labels;
	return 1;
}

static struct census *census_new(const sk_obj *pod, const sk_sched_node *const *nodes, size_t nn)
{
	const char *ns = str_or_empty(sk_obj_get_str(pod, "metadata.namespace"));
	struct census *cs = calloc(1, sizeof *cs);
	size_t total = 0, size = 16;
	if (!cs)
		return NULL;
	cs->refs = 1;
	cs->nodes = nodes;
	cs->nn = nn;
	for (size_t k = 0; k < nn; k++)
		total += nodes[k]->npods;
	while (size < 2 * nn)
		size *= 2;
	cs->mask = size - 1;
	cs->node_labels = calloc(nn + 1, sizeof *cs->node_labels);
	cs->first = calloc(nn + 1, sizeof *cs->first);
	cs->pod_labels = calloc(total + 1, sizeof *cs->pod_labels);
	cs->slot_key = calloc(size, sizeof *cs->slot_key);
	cs->slot_val = calloc(size, sizeof *cs->slot_val);
	if (!cs->node_labels || !cs->first || !cs->pod_labels || !cs->slot_key || !cs->slot_val) {
		census_unref(cs);
		return NULL;
	}
	size_t at = 0;
	for (size_t k = 0; k < nn; k++) {
		const sk_sched_node *n = nodes[k];
		cs->node_labels[k] = n->labels;
		cs->first[k] = at;
		for (size_t i = 0; i < n->npods; i++)
			at += counted(&n->pod_infos[i], ns, &cs->pod_labels[at]);
		size_t h = ptr_hash(n) & cs->mask;
		while (cs->slot_key[h])
			h = (h + 1) & cs->mask;
		cs->slot_key[h] = n;
		cs->slot_val[h] = k;
	}
	cs->first[nn] = at;
	return cs;
}

/* The cycle's census, made by whichever point needs it first; a new
 * reference for the caller. NULL when out of memory. */
static struct census *census_get(sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *const *nodes, size_t nn)
{
	struct census *cs = sk_sched_get(c, CENSUS_KEY);
	if (cs && cs->nodes == nodes && cs->nn == nn) {
		cs->refs++;
		return cs;
	}
	if (!(cs = census_new(pod, nodes, nn)))
		return NULL;
	if (c && c->put) {
		cs->refs++;
		c->put(c, CENSUS_KEY, cs, census_unref);
	}
	return cs;
}

/* ---- constraints ---------------------------------------------------------------------- */

struct constraint {
	int64_t max_skew, min_domains;
	char *key, *lkey;        /* topologyKey, and its copy for lookups (NULL: too long) */
	sk_selector *sel;        /* NULL: labels.Nothing(), no labelSelector */
	int honor_affinity;      /* nodeAffinityPolicy Honor (the default) */
	int honor_taints;        /* nodeTaintsPolicy Honor (default Ignore) */
	int hostname;            /* topologyKey is kubernetes.io/hostname */
	int self;                /* the pod being placed matches sel */
	long same_as;            /* an earlier constraint with this selector, or -1 */
	struct domains d;
	int64_t min;             /* filter: the fewest pods of a domain */
	double weight;           /* score: log(domains + 2) */
};

/* What pre-filter leaves for filter, and pre-score for score: the pod's
 * constraints of one kind with their per-domain counts. */
struct spread {
	size_t n;
	struct constraint *c;
	int require_all;         /* score: nodes need every topology key */
	struct affinity aff;
	struct census *cs;       /* the snapshot counted */
	const char **vals;       /* filter: per census node, each key's value */
	int64_t *scores;         /* score: per census node */
	unsigned char *scored;   /* 1 worked out, 2 ignored (IgnoredNodes) */
};

static void spread_free(void *p)
{
	struct spread *s = p;
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct constraint *c = &s->c[i];
		free(c->key);
		free(c->lkey);
		sk_selector_free(c->sel);
		domains_free(&c->d);
	}
	free(s->c);
	affinity_free(&s->aff);
	census_unref(s->cs);
	free(s->vals);
	free(s->scores);
	free(s->scored);
	free(s);
}

static int selected(const struct constraint *c, const sk_obj *labels)
{
	return c->sel && sk_selector_matches_labels(c->sel, labels);
}

/* The constraint's selector: labelSelector (none selects nothing), with the
 * pod's own values of matchLabelKeys merged in as 1.32's scheduler merges
 * them (mergeLabelSetWithSelector: key=value requirements added). Returns
 * -1 with err set when the selector does not parse. */
static int constraint_selector(struct constraint *c, const sk_obj *tsc, const sk_obj *pod_labels, sk_err *err)
{
	const sk_obj *ls = sk_obj_get(tsc, "labelSelector"), *keys = sk_obj_get(tsc, "matchLabelKeys");
	sk_obj *extra = NULL;
	for (size_t i = 0; i < count(keys); i++) {
		const char *k = sk_obj_str(sk_obj_at(keys, i)), *v = k ? label(pod_labels, k) : NULL;
		if (!v)
			continue;
		sk_obj *e = sk_obj_new_object(), *vals = sk_obj_new_array(), *vs = sk_obj_new_str(v);
		if (!extra)
			extra = sk_obj_new_array();
		sk_obj_set_str(e, "key", k, NULL);
		sk_obj_set_str(e, "operator", "In", NULL);
		sk_obj_append(vals, vs);
		sk_obj_set(e, "values", vals, NULL);
		sk_obj_append(extra, e);
		sk_obj_unref(vs);
		sk_obj_unref(vals);
		sk_obj_unref(e);
	}
	int rc = 0;
	if (!given(ls) && !extra)
		return 0; /* labels.Nothing() */
	sk_selector *base = NULL;
	if (given(ls) && !(base = sk_label_selector_from_obj(ls, err))) {
		rc = -1;
	} else if (!extra) {
		c->sel = base;
		base = NULL;
	} else {
		/* Nothing() has no requirements to carry over: then only the
		 * pod's values select */
		sk_obj *merged = given(ls) ? sk_obj_copy(ls) : sk_obj_new_object();
		const sk_obj *exprs = sk_obj_get(merged, "matchExpressions");
		for (size_t i = 0; i < count(exprs); i++)
			sk_obj_append(extra, sk_obj_at(exprs, i));
		sk_obj_set(merged, "matchExpressions", extra, NULL);
		if (!(c->sel = sk_label_selector_from_obj(merged, err)))
			rc = -1;
		sk_obj_unref(merged);
	}
	sk_selector_free(base);
	sk_obj_unref(extra);
	return rc;
}

/* Constraints over the same pods (zone and hostname for one app, as a
 * rule) match each pod once: same_as points at the first of them. */
static void share_selectors(struct spread *s)
{
	char **text = calloc(s->n + 1, sizeof *text);
	for (size_t i = 0; i < s->n; i++) {
		s->c[i].same_as = -1;
		if (!text || !s->c[i].sel || !(text[i] = sk_selector_string(s->c[i].sel)))
			continue;
		for (size_t j = 0; j < i && s->c[i].same_as < 0; j++)
			if (text[j] && !strcmp(text[i], text[j]))
				s->c[i].same_as = (long)j;
	}
	for (size_t i = 0; text && i < s->n; i++)
		sk_mem_free(text[i]);
	free(text);
}

static struct spread *spread_new(size_t n)
{
	struct spread *s = calloc(1, sizeof *s);
	if (s && n && !(s->c = calloc(n, sizeof *s->c))) {
		free(s);
		return NULL;
	}
	return s;
}

/* the constraint's own allocations: its key's path and its domain map */
static int constraint_init(struct constraint *c, const char *key)
{
	c->key = strdup(key);
	c->lkey = label_key(key);
	c->hostname = !strcmp(key, LABEL_HOSTNAME);
	c->d.index = sk_map_new();
	return c->key && c->d.index ? 0 : -1;
}

/* filterTopologySpreadConstraints: the pod's constraints whose
 * whenUnsatisfiable is action, with 1.32's defaults (minDomains 1,
 * nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore). NULL with why filled
 * on a bad selector, too many constraints or no memory. */
static struct spread *spread_from_pod(const sk_obj *pod, const char *action, char *why, size_t cap)
{
	const sk_obj *list = sk_obj_get(pod, "spec.topologySpreadConstraints"), *pod_labels = labels_of(pod);
	size_t want = 0;
	for (size_t i = 0; i < count(list); i++)
		want += is(sk_obj_get_str(sk_obj_at(list, i), "whenUnsatisfiable"), action);
	if (want > MAX_CONSTRAINTS) {
		snprintf(why, cap, "pod has more than %d %s topology spread constraints", MAX_CONSTRAINTS, action);
		return NULL;
	}
	struct spread *s = spread_new(want);
	if (!s)
		goto nomem;
	for (size_t i = 0; i < count(list); i++) {
		const sk_obj *tsc = sk_obj_at(list, i);
		if (!is(sk_obj_get_str(tsc, "whenUnsatisfiable"), action))
			continue;
		struct constraint *c = &s->c[s->n++];
		if (constraint_init(c, str_or_empty(sk_obj_get_str(tsc, "topologyKey"))) != 0)
			goto nomem;
		c->max_skew = sk_obj_get_int(tsc, "maxSkew", 0);
		const sk_obj *md = sk_obj_get(tsc, "minDomains");
		c->min_domains = given(md) ? sk_obj_int(md) : 1;
		const sk_obj *ap = sk_obj_get(tsc, "nodeAffinityPolicy"), *tp = sk_obj_get(tsc, "nodeTaintsPolicy");
		c->honor_affinity = given(ap) ? is(sk_obj_str(ap), "Honor") : 1;
		c->honor_taints = given(tp) && is(sk_obj_str(tp), "Honor");
		sk_err e = {0};
		if (constraint_selector(c, tsc, pod_labels, &e) != 0) {
			snprintf(why, cap, "obtaining pod's %s topology spread constraints: %s",
			         !strcmp(action, "DoNotSchedule") ? "hard" : "soft", e.msg);
			spread_free(s);
			return NULL;
		}
		c->self = selected(c, pod_labels);
	}
	share_selectors(s);
	return s;
nomem:
	spread_free(s);
	snprintf(why, cap, "out of memory");
	return NULL;
}

/* ---- system default constraints ------------------------------------------------------ */

/* sk_obj_set takes a path; label keys need brackets */
static void set_label(sk_obj *set, const char *key, const char *value)
{
	char *path = label_path(key);
	if (path)
		sk_obj_set_str(set, path, value, NULL);
	free(path);
}

/* labels.Merge: later values win */
static int merge_visit(void *ud, const char *key, sk_obj *v)
{
	if (key && sk_obj_str(v))
		set_label(ud, key, sk_obj_str(v));
	return 0;
}

/* labels.Set(sel).AsSelector().Matches(pod labels): every key equal */
struct set_match {
	const sk_obj *labels;
	int ok;
};

static int set_match_visit(void *ud, const char *key, sk_obj *v)
{
	struct set_match *m = ud;
	if (!key || !is(label(m->labels, key), str_or_empty(sk_obj_str(v)))) {
		m->ok = 0;
		return 1;
	}
	return 0;
}

static void append_in(sk_obj *exprs, const char *key, const char *value)
{
	sk_obj *e = sk_obj_new_object(), *vals = sk_obj_new_array(), *v = sk_obj_new_str(value);
	sk_obj_set_str(e, "key", key, NULL);
	sk_obj_set_str(e, "operator", "In", NULL);
	sk_obj_append(vals, v);
	sk_obj_set(e, "values", vals, NULL);
	sk_obj_append(exprs, e);
	sk_obj_unref(v);
	sk_obj_unref(vals);
	sk_obj_unref(e);
}

static int append_in_visit(void *ud, const char *key, sk_obj *v)
{
	if (key && sk_obj_str(v))
		append_in(ud, key, sk_obj_str(v));
	return 0;
}

/* selector.Add(requirements of a parsed LabelSelector), as expressions */
static void add_requirements(sk_obj *exprs, const sk_obj *sel)
{
	const sk_obj *ml = sk_obj_get(sel, "matchLabels"), *me = sk_obj_get(sel, "matchExpressions");
	if (sk_obj_type_of(ml) == SK_OBJ_OBJECT)
		sk_obj_foreach(ml, append_in_visit, exprs);
	for (size_t i = 0; i < count(me); i++)
		sk_obj_append(exprs, sk_obj_at(me, i));
}

/* helper.DefaultSelector: the selectors of the Services of the pod's
 * namespace that select it, merged, with its controller's selector when
 * that is a ReplicationController, ReplicaSet or StatefulSet. Read through
 * the object API; a kind that is not served adds nothing, as a lister error
 * adds nothing. Returns a LabelSelector object (caller unrefs), or NULL. */
static sk_obj *default_selector(const sk_obj *pod)
{
	const char *ns = sk_obj_get_str(pod, "metadata.namespace");
	const sk_obj *pod_labels = labels_of(pod);
	sk_obj *set = sk_obj_new_object(), *exprs = sk_obj_new_array(), *out = sk_obj_new_object(), *list = NULL,
	       *owner_obj = NULL;
	if (!set || !exprs || !out || !ns)
		goto done;
	if (sk_api_list("", "services", ns, NULL, &list, NULL) == SK_OK) {
		const sk_obj *items = sk_obj_get(list, "items");
		for (size_t i = 0; i < count(items); i++) {
			const sk_obj *sel = sk_obj_get(sk_obj_at(items, i), "spec.selector");
			/* a nil selector selects nothing, not everything */
			if (sk_obj_type_of(sel) != SK_OBJ_OBJECT)
				continue;
			struct set_match m = {pod_labels, 1};
			sk_obj_foreach(sel, set_match_visit, &m);
			if (m.ok)
				sk_obj_foreach(sel, merge_visit, set);
		}
		sk_obj_unref(list);
	}
	/* metav1.GetControllerOf: the first reference marked controller */
	const sk_obj *refs = sk_obj_get(pod, "metadata.ownerReferences"), *owner = NULL;
	for (size_t i = 0; i < count(refs) && !owner; i++)
		if (sk_obj_get_bool(sk_obj_at(refs, i), "controller", 0))
			owner = sk_obj_at(refs, i);
	const char *api = sk_obj_get_str(owner, "apiVersion"), *kind = sk_obj_get_str(owner, "kind"),
		   *name = sk_obj_get_str(owner, "name");
	if (!owner || !name || !*name)
		goto done;
	if (is(api, "v1") && is(kind, "ReplicationController")) {
		if (sk_api_get("", "replicationcontrollers", ns, name, &owner_obj, NULL) == SK_OK) {
			const sk_obj *sel = sk_obj_get(owner_obj, "spec.selector");
			if (sk_obj_type_of(sel) == SK_OBJ_OBJECT)
				sk_obj_foreach(sel, merge_visit, set);
		}
	} else if (is(api, "apps/v1") && (is(kind, "ReplicaSet") || is(kind, "StatefulSet"))) {
		const char *res = is(kind, "ReplicaSet") ? "replicasets" : "statefulsets";
		if (sk_api_get("apps", res, ns, name, &owner_obj, NULL) == SK_OK) {
			/* added only when it parses; a nil one is Nothing(),
			 * which has no requirements to add */
			const sk_obj *sel = sk_obj_get(owner_obj, "spec.selector");
			sk_selector *check = given(sel) ? sk_label_selector_from_obj(sel, NULL) : NULL;
			if (check)
				add_requirements(exprs, sel);
			sk_selector_free(check);
		}
	}
done:
	sk_obj_unref(owner_obj);
	if (out) {
		sk_obj_set(out, "matchLabels", set, NULL);
		sk_obj_set(out, "matchExpressions", exprs, NULL);
	}
	sk_obj_unref(set);
	sk_obj_unref(exprs);
	return out;
}

/* buildDefaultConstraints with the system defaults: ScheduleAnyway,
 * maxSkew 3 over hostnames and 5 over zones, both with the default
 * selector; none when that selector is empty. */
static struct spread *spread_defaults(const sk_obj *pod, char *why, size_t cap)
{
	static const struct {
		const char *key;
		int64_t max_skew;
	} defaults[] = {{LABEL_HOSTNAME, 3}, {LABEL_ZONE, 5}};
	sk_obj *obj = default_selector(pod);
	sk_selector *probe = obj ? sk_label_selector_from_obj(obj, NULL) : NULL;
	int empty = !probe || sk_selector_empty(probe);
	sk_selector_free(probe);
	struct spread *s = spread_new(empty ? 0 : 2);
	for (size_t i = 0; s && !empty && i < 2; i++) {
		struct constraint *c = &s->c[s->n++];
		if (constraint_init(c, defaults[i].key) != 0 || !(c->sel = sk_label_selector_from_obj(obj, NULL))) {
			spread_free(s);
			s = NULL;
			break;
		}
		c->max_skew = defaults[i].max_skew;
		c->min_domains = 1;
		c->honor_affinity = 1;
		c->self = selected(c, labels_of(pod));
	}
	if (s)
		share_selectors(s);
	sk_obj_unref(obj);
	if (!s)
		snprintf(why, cap, "out of memory");
	return s;
}

/* ---- counting ---------------------------------------------------------------------- */

/* The node's value of every constraint's key into vals; 0 when one is
 * missing (nodeLabelsMatchSpreadConstraints). */
static int node_values(const struct spread *s, const sk_obj *labels, const char **vals)
{
	int all = 1;
	for (size_t i = 0; i < s->n; i++)
		all &= (vals[i] = label_at(labels, s->c[i].lkey)) != NULL;
	return all;
}

/* matchNodeInclusionPolicies, each policy worked out once per node
 * (memo: -1 unknown, else the answer) */
static int included(struct spread *s, const struct constraint *c, const sk_obj *pod, const struct census *cs, size_t k,
                    int memo[2])
{
	const sk_obj *node = cs->nodes[k]->node;
	if (c->honor_affinity) {
		/* a pod without a node selector or required affinity takes
		 * every node */
		if (memo[0] < 0)
			memo[0] = (!s->aff.nsel && !s->aff.required) || affinity_matches(&s->aff, node, cs->node_labels[k]);
		if (!memo[0])
			return 0;
	}
	if (c->honor_taints) {
		if (memo[1] < 0)
			memo[1] = taints_tolerated(pod, node);
		if (!memo[1])
			return 0;
	}
	return 1;
}

/* Adds census node k's matching pods to each constraint's slot (-1: not
 * counted there), one pass over the pods for every constraint. */
static void count_node(struct spread *s, const struct census *cs, size_t k, const long *slot)
{
	int any = 0;
	for (size_t i = 0; i < s->n; i++)
		any |= slot[i] >= 0;
	for (size_t p = cs->first[k]; any && p < cs->first[k + 1]; p++) {
		int hit[MAX_CONSTRAINTS]; /* -1: not matched yet */
		for (size_t i = 0; i < s->n; i++) {
			const struct constraint *c = &s->c[i];
			hit[i] = -1;
			if (slot[i] < 0)
				continue;
			hit[i] = c->same_as >= 0 && hit[c->same_as] >= 0 ? hit[c->same_as] : selected(c, cs->pod_labels[p]);
			s->c[i].d.count[slot[i]] += hit[i];
		}
	}
}

static int needs_affinity(const struct spread *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].honor_affinity)
			return 1;
	return 0;
}

/* calPreFilterState: every node holding all the keys and passing the
 * inclusion policies counts its matching pods into its domain, and each
 * constraint keeps its global minimum. Each node's values are kept for
 * filter. -1 when out of memory. */
static int filter_counts(struct spread *s, const sk_obj *pod)
{
	const struct census *cs = s->cs;
	long slot[MAX_CONSTRAINTS];
	if (needs_affinity(s) && affinity_parse(&s->aff, pod) != 0)
		return -1;
	if (!(s->vals = calloc(cs->nn * s->n + 1, sizeof *s->vals)))
		return -1;
	for (size_t k = 0; k < cs->nn; k++) {
		const char **vals = &s->vals[k * s->n];
		if (!node_values(s, cs->node_labels[k], vals))
			continue;
		int memo[2] = {-1, -1};
		for (size_t i = 0; i < s->n; i++) {
			slot[i] = -1;
			if (included(s, &s->c[i], pod, cs, k, memo) &&
			    (slot[i] = domain_slot(&s->c[i].d, vals[i])) < 0)
				return -1;
		}
		count_node(s, cs, k, slot);
	}
	for (size_t i = 0; i < s->n; i++) {
		struct constraint *c = &s->c[i];
		c->min = NO_DOMAINS;
		for (size_t d = 0; d < c->d.n; d++)
			if (c->d.count[d] < c->min)
				c->min = c->d.count[d];
	}
	return 0;
}

/* ---- filter ---------------------------------------------------------------------- */

/* one reason, closed by an empty one (scheduler.h) */
static void say(char *reason, size_t cap, const char *text)
{
	size_t len = strlen(text);
	if (!cap)
		return;
	snprintf(reason, cap, "%s", text);
	if (len + 1 < cap)
		reason[len + 1] = 0;
}

/* The hard constraints counted over nodes; NULL with why filled. */
static struct spread *filter_state(sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *const *nodes, size_t nn,
                                   char *why, size_t cap)
{
	struct spread *s = spread_from_pod(pod, "DoNotSchedule", why, cap);
	if (s && s->n && (!(s->cs = census_get(c, pod, nodes, nn)) || filter_counts(s, pod) != 0)) {
		spread_free(s);
		snprintf(why, cap, "out of memory");
		return NULL;
	}
	return s;
}

static int pre_filter(void *ud, sk_sched_cycle *c, const sk_obj *pod, char *reason, size_t cap)
{
	(void)ud;
	char why[256] = "";
	struct spread *s = filter_state(c, pod, c ? c->nodes : NULL, c ? c->nnodes : 0, why, sizeof why);
	if (!s) {
		say(reason, cap, why);
		return SK_SCHED_ERROR;
	}
	/* kept even when empty: skiff runs filter after a skip, and an empty
	 * state lets every node through at once */
	int rc = s->n ? SK_SCHED_SUCCESS : SK_SCHED_SKIP;
	sk_sched_put(c, PREFILTER_KEY, s, spread_free);
	return rc;
}

static int filter(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n, char *reason, size_t cap)
{
	(void)ud;
	struct spread *s = sk_sched_get(c, PREFILTER_KEY), *own = NULL;
	/* no reasons until one is said */
	if (cap)
		reason[0] = 0;
	if (cap > 1)
		reason[1] = 0;
	if (!s) {
		/* no pre-filter ran (a direct call): count over the cycle's
		 * nodes, or this node alone */
		char why[256] = "";
		const sk_sched_node *one[1] = {n};
		int all = c && c->nodes;
		/* a census of this node alone is not the cycle's to keep */
		if (!(s = own = filter_state(all ? c : NULL, pod, all ? c->nodes : one, all ? c->nnodes : 1, why,
		                             sizeof why))) {
			say(reason, cap, why);
			return SK_SCHED_ERROR;
		}
	}
	int rc = SK_SCHED_SUCCESS;
	long k = s->n ? census_find(s->cs, n) : -1;
	const sk_obj *labels = k < 0 && s->n ? n->labels : NULL;
	for (size_t i = 0; i < s->n; i++) {
		const struct constraint *con = &s->c[i];
		const char *v = k >= 0 ? s->vals[(size_t)k * s->n + i] : label_at(labels, con->lkey);
		if (!v) {
			say(reason, cap, REASON_LABEL);
			rc = SK_SCHED_UNRESOLVABLE;
			break;
		}
		/* fewer domains than minDomains: the global minimum is 0 */
		int64_t min = (int64_t)con->d.n < con->min_domains ? 0 : con->min;
		int64_t skew = domain_count(&con->d, v) + con->self - min;
		if (skew > con->max_skew) {
			say(reason, cap, REASON_SKEW);
			rc = SK_SCHED_UNSCHEDULABLE;
			break;
		}
	}
	spread_free(own);
	return rc;
}

/* ---- score ---------------------------------------------------------------------- */

/* IgnoredNodes: with the pod's own constraints, a node lacking one of the
 * keys scores nothing */
static int row_ignored(const struct spread *s, const char *const *vals)
{
	for (size_t i = 0; s->require_all && i < s->n; i++)
		if (!vals[i])
			return 1;
	return 0;
}

/* a node's values: its census row, or looked up into own */
static const char *const *node_row(const struct spread *s, long k, const sk_sched_node *n, const char **own)
{
	if (k >= 0)
		return &s->vals[(size_t)k * s->n];
	node_values(s, n->labels, own);
	return own;
}

/* A node's raw score: each constraint whose key it has adds its domain's
 * matching pods (its own, for hostname, with no inclusion policy) times
 * the constraint's weight, plus maxSkew - 1 to soften small skews;
 * rounded. Census node k, or (k < 0) a node outside the census. */
static int64_t node_score(const struct spread *s, long k, const sk_sched_node *n, const char *ns)
{
	const struct census *cs = s->cs;
	const char *own[MAX_CONSTRAINTS], *const *vals = node_row(s, k, n, own);
	if (row_ignored(s, vals))
		return 0;
	double sum = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct constraint *con = &s->c[i];
		const char *v = vals[i];
		if (!v)
			continue;
		int64_t cnt = 0;
		if (!con->hostname)
			cnt = domain_count(&con->d, v);
		else if (k >= 0)
			for (size_t p = cs->first[k]; p < cs->first[k + 1]; p++)
				cnt += selected(con, cs->pod_labels[p]);
		else
			for (size_t p = 0; p < n->npods; p++) {
				const sk_obj *pl;
				cnt += counted(&n->pod_infos[p], ns, &pl) && selected(con, pl);
			}
		sum += (double)cnt * con->weight + (double)(con->max_skew - 1);
	}
	return (int64_t)round(sum);
}

/* initPreScoreState and PreScore: domains are those of the feasible
 * nodes (hostname constraints count per node), each constraint weighted
 * log(domains + 2); every node of the snapshot passing the inclusion
 * policies adds its matching pods to a domain that exists; then every
 * feasible node's score is worked out for score to read. -1 when out of
 * memory. */
static int score_counts(struct spread *s, const sk_obj *pod, const sk_sched_node *const *feasible, size_t nf)
{
	const struct census *cs = s->cs;
	const char *ns = str_or_empty(sk_obj_get_str(pod, "metadata.namespace"));
	size_t nignored = 0;
	long slot[MAX_CONSTRAINTS];
	if (needs_affinity(s) && affinity_parse(&s->aff, pod) != 0)
		return -1;
	if (!(s->scores = calloc(cs->nn + 1, sizeof *s->scores)) || !(s->scored = calloc(cs->nn + 1, 1)) ||
	    !(s->vals = calloc(cs->nn * s->n + 1, sizeof *s->vals)))
		return -1;
	for (size_t k = 0; k < cs->nn; k++)
		node_values(s, cs->node_labels[k], &s->vals[k * s->n]);
	for (size_t f = 0; f < nf; f++) {
		const char *own[MAX_CONSTRAINTS], *const *vals = node_row(s, census_find(cs, feasible[f]), feasible[f], own);
		if (row_ignored(s, vals)) {
			nignored++;
			continue;
		}
		/* without every key (system defaults) a missing label reads "" */
		for (size_t i = 0; i < s->n; i++)
			if (!s->c[i].hostname && domain_slot(&s->c[i].d, str_or_empty(vals[i])) < 0)
				return -1;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct constraint *c = &s->c[i];
		size_t size = c->hostname ? nf - nignored : c->d.n;
		c->weight = log((double)size + 2);
	}
	for (size_t k = 0; k < cs->nn; k++) {
		const char *const *vals = &s->vals[k * s->n];
		if (row_ignored(s, vals))
			continue;
		int memo[2] = {-1, -1};
		for (size_t i = 0; i < s->n; i++) {
			struct constraint *c = &s->c[i];
			slot[i] = -1;
			if (c->hostname || !included(s, c, pod, cs, k, memo))
				continue;
			void *v = sk_map_get(c->d.index, str_or_empty(vals[i]));
			if (v)
				slot[i] = (long)((uintptr_t)v - 1);
		}
		count_node(s, cs, k, slot);
	}
	for (size_t f = 0; f < nf; f++) {
		long k = census_find(cs, feasible[f]);
		if (k < 0)
			continue;
		s->scored[k] = row_ignored(s, &s->vals[(size_t)k * s->n]) ? 2 : 1;
		s->scores[k] = node_score(s, k, feasible[f], ns);
	}
	return 0;
}

static int pre_score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *const *feasible, size_t n)
{
	(void)ud;
	if (!c || !c->nnodes || !c->put)
		return SK_SCHED_SKIP;
	char why[256] = "";
	/* the pod's own soft constraints, or the system defaults when it
	 * has no constraints at all */
	int own = count(sk_obj_get(pod, "spec.topologySpreadConstraints")) > 0;
	struct spread *s = own ? spread_from_pod(pod, "ScheduleAnyway", why, sizeof why)
	                       : spread_defaults(pod, why, sizeof why);
	if (!s)
		return SK_SCHED_ERROR;
	/* only the pod's own rules need every key: nodes without a zone
	 * still spread by hostname under the defaults */
	s->require_all = own;
	if (!s->n) {
		spread_free(s);
		return SK_SCHED_SKIP;
	}
	if (!(s->cs = census_get(c, pod, c->nodes, c->nnodes)) || score_counts(s, pod, feasible, n) != 0) {
		spread_free(s);
		return SK_SCHED_ERROR;
	}
	c->put(c, PRESCORE_KEY, s, spread_free);
	return SK_SCHED_SUCCESS;
}

/* what pre-score worked out, or worked out now for a node it did not see */
static int64_t score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n)
{
	(void)ud;
	const struct spread *s = sk_sched_get(c, PRESCORE_KEY);
	if (!s)
		return 0;
	long k = census_find(s->cs, n);
	if (k >= 0 && s->scored[k])
		return s->scores[k];
	return node_score(s, k, n, str_or_empty(sk_obj_get_str(pod, "metadata.namespace")));
}

static int node_ignored(const struct spread *s, const sk_sched_node *n)
{
	const char *own[MAX_CONSTRAINTS];
	long k = census_find(s->cs, n);
	return row_ignored(s, node_row(s, k, n, own));
}

/* NormalizeScore: fewest matching pods -> 100, scaled by the largest;
 * ignored nodes 0 */
static void normalize(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *const *nodes,
                      int64_t *scores, size_t n)
{
	(void)ud;
	(void)pod;
	const struct spread *s = sk_sched_get(c, PRESCORE_KEY);
	if (!s)
		return;
	int64_t min = INT64_MAX, max = 0;
	for (size_t i = 0; i < n; i++) {
		if (node_ignored(s, nodes[i]))
			continue;
		if (scores[i] < min)
			min = scores[i];
		if (scores[i] > max)
			max = scores[i];
	}
	for (size_t i = 0; i < n; i++) {
		if (node_ignored(s, nodes[i]))
			scores[i] = 0;
		else if (max == 0)
			scores[i] = SK_SCHED_MAX_SCORE;
		else
			scores[i] = SK_SCHED_MAX_SCORE * (max + min - scores[i]) / max;
	}
}

static const sk_sched_policy_ops ops = {
	.size = sizeof ops,
	.name = "PodTopologySpread",
	.pre_filter = pre_filter,
	.filter = filter,
	.pre_score = pre_score,
	.score = score,
	.normalize = normalize,
};

static int init(sk_plugin *p, sk_err *err) { return sk_register(p, SK_EXT_SCHEDULER, &ops, NULL, err); }

SK_PLUGIN("pod-topology-spread", "0.1.0",
          "scheduler PodTopologySpread: topology spread constraints, filtered and scored as kube-scheduler 1.32",
          SK_LIST("scheduler.preFilter.PodTopologySpread", "scheduler.filter.PodTopologySpread",
                  "scheduler.preScore.PodTopologySpread", "scheduler.score.PodTopologySpread"),
          SK_LIST(NULL), init, NULL);
