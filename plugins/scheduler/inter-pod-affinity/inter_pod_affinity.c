/* inter_pod_affinity.c — the scheduling framework's InterPodAffinity plugin,
 * as kube-scheduler 1.32 runs it: a pod's required pod affinity and
 * anti-affinity, and the existing pods' required anti-affinity towards it,
 * decide where it may go; its preferred terms, and the existing pods'
 * preferred terms (and required affinity, at hardPodAffinityWeight) towards
 * it, score the nodes, min-max normalized to 0..100.
 *
 * Pre-filter and pre-score walk every pod of the snapshot once and count,
 * per topology pair (a node label key and value), the pods that matter;
 * filter and score then only look up the node's own pairs. What a walk
 * needs of an existing pod (namespace, labels, parsed terms) is kept
 * between cycles, found by the pod object's address, so a cycle parses
 * only the incoming pod and reads little else of the others. */
#include <skiff/skiff.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kubernetes' cycle-state keys, so a reader of the cycle sees familiar names */
#define PREFILTER_KEY "PreFilterInterPodAffinity"
#define PRESCORE_KEY "PreScoreInterPodAffinity"

/* Kubernetes' wording, counted by the scheduler's FitError */
#define REASON_AFFINITY "node(s) didn't match pod affinity rules"
#define REASON_ANTI "node(s) didn't match pod anti-affinity rules"
#define REASON_EXISTING "node(s) didn't satisfy existing pods anti-affinity rules"

/* A pod names its terms and their namespaces; the API server keeps them
 * few, these bounds keep a malformed object from costing much. */
#define MAX_TERMS 256
#define MAX_NAMESPACES 1024

/* the kinds of terms a pod carries, as framework.PodInfo holds them */
enum { REQ_AFF, REQ_ANTI, PREF_AFF, PREF_ANTI, KINDS };

static const struct kind {
	const char *path, *what;
	int weighted;
} kinds[KINDS] = {
	{"podAffinity.requiredDuringSchedulingIgnoredDuringExecution", "requiredAffinityTerms", 0},
	{"podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution", "requiredAntiAffinityTerms", 0},
	{"podAffinity.preferredDuringSchedulingIgnoredDuringExecution", "preferredAffinityTerms", 1},
	{"podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution", "preferredAntiAffinityTerms", 1},
};

/* framework.AffinityTerm: which pods (selector, namespaces) count where
 * (topology key). */
struct term {
	sk_selector *sel;    /* labelSelector; NULL: none given, which matches no pod */
	sk_selector *ns_sel; /* namespaceSelector with requirements; NULL: none */
	int ns_all;          /* namespaceSelector {}: every namespace */
	char *ns;            /* the namespaces named, or the owner's own: each
	                      * NUL-terminated, one after another */
	size_t nns, ns_bytes;
	char *key;           /* topologyKey */
	int64_t weight;      /* preferred terms: their weight */
};

struct terms {
	struct term *v;
	size_t n;
};

/* one pod's terms, as framework.PodInfo holds them */
struct pod_terms {
	struct terms k[KINDS];
};

/* An existing pod as the walks read it. The entry holds a reference to the
 * pod, so its address cannot become another object's while the entry
 * lives; objects handed to policies are not changed in place. */
struct pod_rec {
	sk_obj *pod;
	const char *ns;       /* ns_buf, or borrowed from pod when longer */
	const sk_obj *labels; /* borrowed from pod */
	char ns_buf[64];      /* at hand, not in the pod's tree */
	struct pod_terms terms;
	int scoring;          /* it has terms that score others */
	uint64_t seen;        /* the last walk that met it */
};

/* The plugin: InterPodAffinityArgs and the records of existing pods, an
 * open-addressing table by address. Scheduling runs on the loop, so
 * nothing here is locked. */
static struct plugin {
	sk_plugin *p;
	int64_t hard_weight;   /* hardPodAffinityWeight, 0..100 */
	int ignore_preferred;  /* ignorePreferredTermsOfExistingPods */
	struct pod_rec **slot; /* cap slots, a power of two, at most half full */
	size_t cap, len;
	uint64_t walk;
} G;

static size_t count(const sk_obj *arr) { return arr && sk_obj_type_of(arr) == SK_OBJ_ARRAY ? sk_obj_len(arr) : 0; }

/* present and not null, as a Go pointer would be non-nil */
static int given(const sk_obj *o) { return o && sk_obj_type_of(o) != SK_OBJ_NULL; }

static int fail(sk_err *err, int code, const char *msg)
{
	if (err) {
		err->code = code;
		snprintf(err->msg, sizeof err->msg, "%s", msg);
	}
	return -1;
}

/* ---- terms ---- */

static void term_clear(struct term *t)
{
	sk_selector_free(t->sel);
	sk_selector_free(t->ns_sel);
	free(t->ns);
	free(t->key);
	memset(t, 0, sizeof *t);
}

static void terms_clear(struct terms *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		term_clear(&ts->v[i]);
	free(ts->v);
	ts->v = NULL;
	ts->n = 0;
}

static void pod_terms_clear(struct pod_terms *p)
{
	for (int k = 0; k < KINDS; k++)
		terms_clear(&p->k[k]);
}

/* node.Labels[key]: the value, or NULL when the label is not there */
static const char *label_of(const sk_obj *labels, const char *key) { return sk_obj_str(sk_obj_key(labels, key)); }

static int add_ns(struct term *t, const char *ns)
{
	size_t n = strlen(ns) + 1;
	char *v = realloc(t->ns, t->ns_bytes + n);
	if (!v)
		return -1;
	memcpy(v + t->ns_bytes, ns, n);
	t->ns = v;
	t->ns_bytes += n;
	t->nns++;
	return 0;
}

/* newAffinityTerm: LabelSelectorAsSelector of both selectors (nil is
 * Nothing, {} is Everything) and getNamespacesFromPodAffinityTerm (the
 * owner's namespace when neither namespaces nor a namespace selector is
 * given). */
static int term_read(struct term *t, const sk_obj *o, const char *own_ns, sk_err *err)
{
	memset(t, 0, sizeof *t);
	const sk_obj *ls = sk_obj_get(o, "labelSelector"), *nss = sk_obj_get(o, "namespaceSelector");
	const sk_obj *names = sk_obj_get(o, "namespaces");
	if (given(ls) && !(t->sel = sk_label_selector_from_obj(ls, err)))
		return -1;
	if (given(nss)) {
		if (!(t->ns_sel = sk_label_selector_from_obj(nss, err)))
			return -1;
		if (sk_selector_empty(t->ns_sel)) {
			sk_selector_free(t->ns_sel);
			t->ns_sel = NULL;
			t->ns_all = 1;
		}
	}
	size_t nn = count(names);
	if (nn > MAX_NAMESPACES)
		return fail(err, SK_EINVALID, "too many namespaces in a pod affinity term");
	if (nn == 0 && !given(nss) && add_ns(t, own_ns) != 0)
		return fail(err, SK_ENOMEM, "out of memory");
	for (size_t i = 0; i < nn; i++) {
		const char *s = sk_obj_str(sk_obj_at(names, i));
		if (!s)
			return fail(err, SK_EINVALID, "namespaces: must be strings");
		if (add_ns(t, s) != 0)
			return fail(err, SK_ENOMEM, "out of memory");
	}
	const char *key = sk_obj_get_str(o, "topologyKey");
	if (!(t->key = strdup(key ? key : "")))
		return fail(err, SK_ENOMEM, "out of memory");
	return 0;
}

/* int32 in Kubernetes; held in range so that sums cannot overflow */
static int64_t weight_of(const sk_obj *o)
{
	int64_t w = sk_obj_get_int(o, "weight", 0);
	return w > INT32_MAX ? INT32_MAX : w < INT32_MIN ? INT32_MIN : w;
}

/* getAffinityTerms / getWeightedAffinityTerms: all of a kind or none */
static int terms_read(struct terms *ts, const sk_obj *arr, int weighted, const char *own_ns, sk_err *err)
{
	size_t n = count(arr);
	ts->v = NULL;
	ts->n = 0;
	if (!n)
		return 0;
	if (n > MAX_TERMS)
		return fail(err, SK_EINVALID, "too many pod affinity terms");
	if (!(ts->v = calloc(n, sizeof *ts->v)))
		return fail(err, SK_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const sk_obj *o = sk_obj_at(arr, i);
		int64_t w = 0;
		if (weighted) {
			w = weight_of(o);
			o = sk_obj_get(o, "podAffinityTerm");
		}
		ts->n = i + 1;
		if (term_read(&ts->v[i], o, own_ns, err) != 0) {
			terms_clear(ts);
			return -1;
		}
		ts->v[i].weight = w;
	}
	return 0;
}

/* framework.NewPodInfo: each kind parsed; a kind that fails is left empty
 * and its error reported as utilerrors.Aggregate prints them. */
static int pod_terms_read(struct pod_terms *p, const sk_obj *pod, char *msg, size_t cap)
{
	const sk_obj *aff = sk_obj_get(pod, "spec.affinity");
	const char *ns = sk_obj_get_str(pod, "metadata.namespace");
	char errs[KINDS][sizeof(((sk_err *)0)->msg) + 40];
	int nerr = 0;
	memset(p, 0, sizeof *p);
	if (!given(aff))
		return 0;
	for (int k = 0; k < KINDS; k++) {
		sk_err e = {0};
		if (terms_read(&p->k[k], sk_obj_get(aff, kinds[k].path), kinds[k].weighted, ns ? ns : "", &e) != 0)
			snprintf(errs[nerr++], sizeof errs[0], "%s: %s", kinds[k].what, e.msg);
	}
	if (nerr && msg && cap) {
		size_t at = 0;
		msg[0] = 0;
		for (int i = 0; i < nerr && at < cap; i++)
			at += (size_t)snprintf(msg + at, cap - at, "%s%s%s%s", i == 0 && nerr > 1 ? "[" : "", i ? ", " : "",
			                       errs[i], i == nerr - 1 && nerr > 1 ? "]" : "");
	}
	return nerr ? -1 : 0;
}

/* mergeAffinityTermNamespacesIfNotEmpty: an incoming pod's namespace
 * selector with requirements becomes the namespaces it selects now. */
static int merge_namespaces(struct terms *ts, char *msg, size_t cap)
{
	for (size_t i = 0; i < ts->n; i++) {
		struct term *t = &ts->v[i];
		if (!t->ns_sel)
			continue;
		sk_list_opts lo = {sizeof lo, t->ns_sel, NULL, 0, NULL, 0};
		sk_obj *list = NULL;
		sk_err e = {0};
		if (sk_api_list("", "namespaces", NULL, &lo, &list, &e) != SK_OK) {
			snprintf(msg, cap, "listing namespaces: %s", e.msg);
			return -1;
		}
		const sk_obj *items = sk_obj_get(list, "items");
		for (size_t k = 0, n = count(items); k < n; k++) {
			const char *name = sk_obj_get_str(sk_obj_at(items, k), "metadata.name");
			if (name && add_ns(t, name) != 0) {
				sk_obj_unref(list);
				snprintf(msg, cap, "out of memory");
				return -1;
			}
		}
		sk_obj_unref(list);
		sk_selector_free(t->ns_sel);
		t->ns_sel = NULL; /* labels.Nothing() */
	}
	return 0;
}

static int has_pod_affinity(const sk_obj *pod)
{
	const sk_obj *aff = sk_obj_get(pod, "spec.affinity");
	return aff && (given(sk_obj_get(aff, "podAffinity")) || given(sk_obj_get(aff, "podAntiAffinity")));
}

/* ---- existing pods' records ---- */

static size_t slot_of(const void *p, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & (cap - 1);
}

static void rec_free(struct pod_rec *r)
{
	pod_terms_clear(&r->terms);
	sk_obj_unref(r->pod);
	free(r);
}

static void place(struct pod_rec **slot, size_t cap, struct pod_rec *r)
{
	size_t i = slot_of(r->pod, cap);
	while (slot[i])
		i = (i + 1) & (cap - 1);
	slot[i] = r;
}

/* a new table of cap slots with the records, less those the last walk
 * did not meet when drop_stale */
static int rebuild(size_t cap, int drop_stale)
{
	struct pod_rec **slot = calloc(cap, sizeof *slot);
	if (!slot)
		return -1;
	size_t len = 0;
	for (size_t i = 0; i < G.cap; i++) {
		struct pod_rec *r = G.slot[i];
		if (!r)
			continue;
		if (drop_stale && r->seen != G.walk) {
			rec_free(r);
			continue;
		}
		place(slot, cap, r);
		len++;
	}
	free(G.slot);
	G.slot = slot;
	G.cap = cap;
	G.len = len;
	return 0;
}

/* The record of an existing pod, made on first sight; NULL when out of
 * memory. Existing pods' terms that do not parse are left out, as the
 * scheduler's NodeInfo leaves them. */
static struct pod_rec *rec_of(const sk_obj *pod)
{
	size_t i = G.cap ? slot_of(pod, G.cap) : 0;
	for (; G.cap && G.slot[i]; i = (i + 1) & (G.cap - 1))
		if (G.slot[i]->pod == pod) {
			G.slot[i]->seen = G.walk;
			return G.slot[i];
		}
	if (2 * (G.len + 1) > G.cap && rebuild(G.cap ? 2 * G.cap : 256, 0) != 0)
		return NULL;
	struct pod_rec *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	const sk_obj *md = sk_obj_get(pod, "metadata");
	r->pod = sk_obj_ref((sk_obj *)pod);
	const char *ns = sk_obj_get_str(md, "namespace");
	if (!ns)
		ns = "";
	r->ns = strlen(ns) < sizeof r->ns_buf ? strcpy(r->ns_buf, ns) : ns;
	r->labels = sk_obj_get(md, "labels");
	if (has_pod_affinity(pod))
		pod_terms_read(&r->terms, pod, NULL, 0);
	r->scoring = r->terms.k[REQ_AFF].n || r->terms.k[PREF_AFF].n || r->terms.k[PREF_ANTI].n;
	r->seen = G.walk;
	place(G.slot, G.cap, r);
	G.len++;
	return r;
}

/* After a walk over every node of the snapshot (meeting live pods): drop
 * the records it did not meet, once they outnumber those it did. A walk
 * over the pods with required anti-affinity only drops the others' too;
 * they are made again when a pod with terms needs them. */
static void sweep(size_t live)
{
	if (G.len <= 2 * live + 64)
		return;
	size_t cap = 256;
	while (cap < 4 * live)
		cap *= 2;
	rebuild(cap, 1);
}

/* ---- matching ---- */

/* a pod as another pod's terms see it */
struct subject {
	const char *ns;
	const sk_obj *labels;
};

static struct subject subject_of(const sk_obj *pod)
{
	const sk_obj *md = sk_obj_get(pod, "metadata");
	const char *ns = sk_obj_get_str(md, "namespace");
	return (struct subject){ns ? ns : "", sk_obj_get(md, "labels")};
}

/* GetNamespaceLabelsSnapshot of the incoming pod, read once a cycle and
 * only if an existing pod's term has a namespace selector; a namespace
 * that cannot be read has no labels, as in Kubernetes. */
struct ns_labels {
	const char *ns;
	sk_obj *obj;
	int read;
};

static const sk_obj *ns_labels_get(struct ns_labels *l)
{
	if (!l)
		return NULL;
	if (!l->read) {
		l->read = 1;
		sk_err e = {0};
		if (sk_api_get("", "namespaces", NULL, l->ns, &l->obj, &e) != SK_OK) {
			l->obj = NULL;
			if (G.p)
				sk_log(G.p, SK_LOG_DEBUG, "namespace %s: %s; assuming no labels", l->ns, e.msg);
		}
	}
	return sk_obj_get(l->obj, "metadata.labels");
}

/* AffinityTerm.Matches */
static int term_matches(const struct term *t, const struct subject *s, struct ns_labels *nl)
{
	int in = t->ns_all;
	const char *ns = t->ns;
	for (size_t i = 0; !in && i < t->nns; i++, ns += strlen(ns) + 1)
		in = !strcmp(ns, s->ns);
	if (!in && t->ns_sel)
		in = sk_selector_matches_labels(t->ns_sel, ns_labels_get(nl));
	return in && t->sel && sk_selector_matches_labels(t->sel, s->labels);
}

/* podMatchesAllAffinityTerms: false for no terms */
static int matches_all(const struct terms *ts, const struct subject *s)
{
	for (size_t i = 0; i < ts->n; i++)
		if (!term_matches(&ts->v[i], s, NULL))
			return 0;
	return ts->n > 0;
}

/* ---- counts per topology pair ---- */

struct tkey {
	char *key;
};

struct counts {
	sk_map *pairs;     /* pair name -> int64_t */
	struct tkey *keys; /* the distinct topology keys counted */
	size_t nkeys;
	int oom;
};

/* A pair as one map key: the index of its key among the counted keys, a
 * colon, the value. Returns buf, or heap memory when buf is too small. */
static char *pair_name(char *buf, size_t cap, size_t key, const char *value)
{
	char digits[24];
	size_t nd = 0, vl = strlen(value);
	do
		digits[nd++] = (char)('0' + key % 10);
	while ((key /= 10));
	char *p = nd + 1 + vl < cap ? buf : malloc(nd + 2 + vl);
	if (!p)
		return NULL;
	for (size_t i = 0; i < nd; i++)
		p[i] = digits[nd - 1 - i];
	p[nd] = ':';
	memcpy(p + nd + 1, value, vl + 1);
	return p;
}

static int counts_init(struct counts *c)
{
	memset(c, 0, sizeof *c);
	return (c->pairs = sk_map_new()) ? 0 : -1;
}

static void counts_clear(struct counts *c)
{
	if (c->pairs)
		sk_map_free(c->pairs, free);
	for (size_t i = 0; i < c->nkeys; i++)
		free(c->keys[i].key);
	free(c->keys);
	memset(c, 0, sizeof *c);
}

/* the index of a counted key, or nkeys */
static size_t counts_key(const struct counts *c, const char *key)
{
	size_t i = 0;
	while (i < c->nkeys && strcmp(c->keys[i].key, key))
		i++;
	return i;
}

static size_t counts_add_key(struct counts *c, const struct term *t)
{
	size_t i = counts_key(c, t->key);
	if (i < c->nkeys)
		return i;
	struct tkey *v = realloc(c->keys, (c->nkeys + 1) * sizeof *v);
	if (!v)
		return SIZE_MAX;
	c->keys = v;
	if (!(v[i].key = strdup(t->key)))
		return SIZE_MAX;
	c->nkeys++;
	return i;
}

/* topologyToMatchedTermCount.update: the pair of t's key and the node's
 * value for it (NULL: the node lacks the label, nothing counts) moves by
 * delta */
static void counts_add(struct counts *c, const struct term *t, const char *value, int64_t delta)
{
	if (!value)
		return;
	size_t key = counts_add_key(c, t);
	char buf[128], *name = key == SIZE_MAX ? NULL : pair_name(buf, sizeof buf, key, value);
	if (!name) {
		c->oom = 1;
		return;
	}
	int64_t *n = sk_map_get(c->pairs, name);
	if (n) {
		*n += delta;
	} else if ((n = malloc(sizeof *n))) {
		int failed = 0;
		*n = delta;
		sk_map_put(c->pairs, name, n, &failed);
		if (failed) {
			free(n);
			c->oom = 1;
		}
	} else {
		c->oom = 1;
	}
	if (name != buf)
		free(name);
}

static int64_t counts_get(const struct counts *c, size_t key, const char *value)
{
	char buf[128], *name = pair_name(buf, sizeof buf, key, value);
	int64_t *n = name ? sk_map_get(c->pairs, name) : NULL;
	if (name != buf)
		free(name);
	return n ? *n : 0;
}

/* the count of a pair by key name */
static int64_t counts_find(const struct counts *c, const char *key, const char *value)
{
	size_t i = counts_key(c, key);
	return i < c->nkeys ? counts_get(c, i, value) : 0;
}

static const sk_obj *node_labels(const sk_sched_node *n) { return n->labels; }

/* ---- filter ---- */

struct filter_state {
	struct pod_terms own;               /* the incoming pod's terms */
	struct counts affinity, anti;       /* existing pods matching its terms */
	struct counts existing;             /* existing pods' anti-affinity matching it */
	int self_match;                     /* it matches all its own affinity terms */
};

static void filter_state_free(void *p)
{
	struct filter_state *s = p;
	if (!s)
		return;
	pod_terms_clear(&s->own);
	counts_clear(&s->affinity);
	counts_clear(&s->anti);
	counts_clear(&s->existing);
	free(s);
}

/* the node's value for each term's key (NULL: no such label) */
static void values_of(const struct terms *ts, const sk_obj *labels, const char **v)
{
	for (size_t t = 0; t < ts->n; t++)
		v[t] = label_of(labels, ts->v[t].key);
}

/* PreFilter: the three counts over the nodes given; census: they are every
 * node of the snapshot. Returns a scheduler code; *out is set on success
 * and on SKIP. */
static int filter_compute(const sk_sched_node *const *nodes, size_t nn, int census, const sk_obj *pod,
                          struct filter_state **out, char *reason, size_t cap)
{
	char msg[600];
	*out = NULL;
	struct filter_state *s = calloc(1, sizeof *s);
	if (!s || counts_init(&s->affinity) || counts_init(&s->anti) || counts_init(&s->existing)) {
		filter_state_free(s);
		snprintf(reason, cap, "out of memory");
		return SK_SCHED_ERROR;
	}
	if (pod_terms_read(&s->own, pod, msg, sizeof msg) != 0) {
		filter_state_free(s);
		snprintf(reason, cap, "parsing pod: %s", msg);
		return SK_SCHED_UNRESOLVABLE;
	}
	if (merge_namespaces(&s->own.k[REQ_AFF], msg, sizeof msg) || merge_namespaces(&s->own.k[REQ_ANTI], msg, sizeof msg)) {
		filter_state_free(s);
		snprintf(reason, cap, "%s", msg);
		return SK_SCHED_ERROR;
	}
	const struct terms *aff = &s->own.k[REQ_AFF], *anti = &s->own.k[REQ_ANTI];
	struct subject me = subject_of(pod);
	struct ns_labels nl = {me.ns, NULL, 0};
	s->self_match = matches_all(aff, &me);
	size_t live = 0;
	int lost = 0;
	G.walk++;
	for (size_t i = 0; i < nn; i++) {
		const sk_sched_node *n = nodes[i];
		if (!n || !n->node)
			continue;
		const sk_obj *labels = node_labels(n);
		/* the node's values for the pod's own terms, read once it matters */
		const char *av[MAX_TERMS], *nv[MAX_TERMS];
		int have_av = 0, have_nv = 0;
		/* getIncomingAffinityAntiAffinityCounts looks at every pod, and only
		 * for a pod with terms; getExistingAntiAffinityCounts only at pods
		 * with required anti-affinity, which the node lists apart */
		int incoming = aff->n || anti->n;
		size_t npods = incoming ? n->npods : n->nanti_affinity_pods;
		const sk_obj *const *pods = incoming ? n->pods : n->anti_affinity_pods;
		for (size_t k = 0; k < npods; k++) {
			const struct pod_rec *r = rec_of(pods[k]);
			if (!r) {
				lost = 1;
				continue;
			}
			live++;
			struct subject it = {r->ns, r->labels};
			if (matches_all(aff, &it)) {
				if (!have_av) {
					values_of(aff, labels, av);
					have_av = 1;
				}
				for (size_t t = 0; t < aff->n; t++)
					counts_add(&s->affinity, &aff->v[t], av[t], 1);
			}
			for (size_t t = 0; t < anti->n; t++) {
				if (!term_matches(&anti->v[t], &it, NULL))
					continue;
				if (!have_nv) {
					values_of(anti, labels, nv);
					have_nv = 1;
				}
				counts_add(&s->anti, &anti->v[t], nv[t], 1);
			}
			const struct terms *theirs = &r->terms.k[REQ_ANTI];
			for (size_t t = 0; t < theirs->n; t++)
				if (term_matches(&theirs->v[t], &me, &nl))
					counts_add(&s->existing, &theirs->v[t], label_of(labels, theirs->v[t].key), 1);
		}
	}
	sk_obj_unref(nl.obj);
	if (census && !lost)
		sweep(live); /* records of pods this walk did not need go too */
	if (lost || s->affinity.oom || s->anti.oom || s->existing.oom) {
		filter_state_free(s);
		snprintf(reason, cap, "out of memory");
		return SK_SCHED_ERROR;
	}
	*out = s;
	return sk_map_len(s->existing.pairs) == 0 && !aff->n && !anti->n ? SK_SCHED_SKIP : SK_SCHED_SUCCESS;
}

static int pre_filter(void *ud, sk_sched_cycle *c, const sk_obj *pod, char *reason, size_t cap)
{
	(void)ud;
	struct filter_state *s;
	int rc = filter_compute(c ? c->nodes : NULL, c ? c->nnodes : 0, c != NULL, pod, &s, reason, cap);
	if (s) {
		/* kept even on SKIP: a filter called anyway finds nothing to check */
		sk_sched_put(c, PREFILTER_KEY, s, filter_state_free);
	}
	return rc;
}

/* satisfyPodAffinity: every term's key on the node, and pods matching all
 * terms in each of the node's pairs; or none anywhere and the pod matches
 * its own terms (the first of a group that wants to be together). */
static int satisfies_affinity(const struct filter_state *s, const sk_obj *labels)
{
	const struct terms *aff = &s->own.k[REQ_AFF];
	int exist = 1;
	for (size_t i = 0; i < aff->n; i++) {
		const char *v = label_of(labels, aff->v[i].key);
		if (!v)
			return 0;
		if (counts_find(&s->affinity, aff->v[i].key, v) <= 0)
			exist = 0;
	}
	return exist || (sk_map_len(s->affinity.pairs) == 0 && s->self_match);
}

/* satisfyPodAntiAffinity: no matching pod in any of the node's pairs */
static int satisfies_anti(const struct filter_state *s, const sk_obj *labels)
{
	const struct terms *anti = &s->own.k[REQ_ANTI];
	if (sk_map_len(s->anti.pairs) == 0)
		return 1;
	for (size_t i = 0; i < anti->n; i++) {
		const char *v = label_of(labels, anti->v[i].key);
		if (v && counts_find(&s->anti, anti->v[i].key, v) > 0)
			return 0;
	}
	return 1;
}

/* satisfyExistingPodsAntiAffinity: Kubernetes tries every label of the
 * node; only the keys counted can hit, so those are tried */
static int satisfies_existing(const struct filter_state *s, const sk_obj *labels)
{
	if (sk_map_len(s->existing.pairs) == 0)
		return 1;
	for (size_t i = 0; i < s->existing.nkeys; i++) {
		const struct tkey *k = &s->existing.keys[i];
		const char *v = label_of(labels, k->key);
		if (v && counts_get(&s->existing, i, v) > 0)
			return 0;
	}
	return 1;
}

/* one reason, then the empty phrase that ends the list */
static void say(char *reason, size_t cap, const char *text)
{
	if (!cap)
		return;
	size_t n = strlen(text);
	snprintf(reason, cap, "%s", text);
	if (n + 1 < cap)
		reason[n + 1] = 0;
}

static int filter(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n, char *reason, size_t cap)
{
	(void)ud;
	struct filter_state *s = sk_sched_get(c, PREFILTER_KEY), *own = NULL;
	if (!s) {
		/* no pre-filter ran (a direct call): count over the cycle's nodes,
		 * or over this node alone when there is no cycle */
		const sk_sched_node *const one[] = {n};
		int rc = c && c->nodes ? filter_compute(c->nodes, c->nnodes, 1, pod, &own, reason, cap)
		                       : filter_compute(one, 1, 0, pod, &own, reason, cap);
		if (!own)
			return rc;
		s = own;
		if (c && c->put) {
			/* the cycle keeps it for the other nodes */
			c->put(c, PREFILTER_KEY, own, filter_state_free);
			own = NULL;
			if (!(s = c->get(c, PREFILTER_KEY)))
				return SK_SCHED_ERROR;
		}
	}
	const sk_obj *labels = node_labels(n);
	int rc = SK_SCHED_SUCCESS;
	/* the first refusal only, in Kubernetes' order and codes: affinity is
	 * not helped by preemption, anti-affinity may be */
	if (!satisfies_affinity(s, labels)) {
		say(reason, cap, REASON_AFFINITY);
		rc = SK_SCHED_UNRESOLVABLE;
	} else if (!satisfies_anti(s, labels)) {
		say(reason, cap, REASON_ANTI);
		rc = SK_SCHED_UNSCHEDULABLE;
	} else if (!satisfies_existing(s, labels)) {
		say(reason, cap, REASON_EXISTING);
		rc = SK_SCHED_UNSCHEDULABLE;
	}
	filter_state_free(own);
	return rc;
}

/* ---- score ---- */

struct score_state {
	struct counts topology; /* summed weights per topology pair */
};

static void score_state_free(void *p)
{
	struct score_state *s = p;
	if (s)
		counts_clear(&s->topology);
	free(s);
}

static void add_terms(struct counts *c, const struct terms *ts, const struct subject *who, struct ns_labels *nl,
                      const sk_obj *labels, int64_t sign, int64_t weight)
{
	for (size_t i = 0; i < ts->n; i++)
		if (term_matches(&ts->v[i], who, nl))
			counts_add(c, &ts->v[i], label_of(labels, ts->v[i].key),
			           sign * (weight ? weight : ts->v[i].weight));
}

/* PreScore: the weights of every matching term, over every node of the
 * snapshot, summed per topology pair. SKIP when nothing counts. */
static int score_compute(const sk_sched_node *const *nodes, size_t nn, const sk_obj *pod, struct score_state **out)
{
	*out = NULL;
	const sk_obj *aff = sk_obj_get(pod, "spec.affinity");
	int has_preferred = count(sk_obj_get(aff, kinds[PREF_AFF].path)) || count(sk_obj_get(aff, kinds[PREF_ANTI].path));
	if (G.ignore_preferred && !has_preferred)
		return SK_SCHED_SKIP;
	char msg[600];
	struct score_state *s = calloc(1, sizeof *s);
	struct pod_terms own;
	if (!s || counts_init(&s->topology)) {
		score_state_free(s);
		return SK_SCHED_ERROR;
	}
	if (pod_terms_read(&own, pod, msg, sizeof msg) != 0 || merge_namespaces(&own.k[PREF_AFF], msg, sizeof msg) ||
	    merge_namespaces(&own.k[PREF_ANTI], msg, sizeof msg)) {
		if (G.p)
			sk_log(G.p, SK_LOG_WARN, "InterPodAffinity pre-score: %s", msg);
		pod_terms_clear(&own);
		score_state_free(s);
		return SK_SCHED_ERROR;
	}
	struct subject me = subject_of(pod);
	struct ns_labels nl = {me.ns, NULL, 0};
	int lost = 0;
	G.walk++;
	for (size_t i = 0; i < nn; i++) {
		const sk_sched_node *n = nodes[i];
		const sk_obj *labels = n && n->node ? node_labels(n) : NULL;
		/* processExistingPod: a node without labels has no pairs */
		if (sk_obj_type_of(labels) != SK_OBJ_OBJECT || sk_obj_len(labels) == 0)
			continue;
		/* without preferred terms of its own, only pods with terms count */
		size_t npods = has_preferred ? n->npods : n->naffinity_pods;
		const sk_obj *const *pods = has_preferred ? n->pods : n->affinity_pods;
		for (size_t k = 0; k < npods; k++) {
			const struct pod_rec *r = rec_of(pods[k]);
			if (!r) {
				lost = 1;
				continue;
			}
			if (has_preferred) {
				struct subject it = {r->ns, r->labels};
				add_terms(&s->topology, &own.k[PREF_AFF], &it, NULL, labels, 1, 0);
				add_terms(&s->topology, &own.k[PREF_ANTI], &it, NULL, labels, -1, 0);
			}
			if (!r->scoring)
				continue; /* only pods with affinity can count */
			const struct pod_terms *pt = &r->terms;
			if (G.hard_weight > 0)
				add_terms(&s->topology, &pt->k[REQ_AFF], &me, &nl, labels, 1, G.hard_weight);
			add_terms(&s->topology, &pt->k[PREF_AFF], &me, &nl, labels, 1, 0);
			add_terms(&s->topology, &pt->k[PREF_ANTI], &me, &nl, labels, -1, 0);
		}
	}
	sk_obj_unref(nl.obj);
	pod_terms_clear(&own);
	if (lost || s->topology.oom) {
		score_state_free(s);
		return SK_SCHED_ERROR;
	}
	if (sk_map_len(s->topology.pairs) == 0) {
		score_state_free(s);
		return SK_SCHED_SKIP;
	}
	*out = s;
	return SK_SCHED_SUCCESS;
}

static int pre_score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *const *feasible, size_t n)
{
	(void)ud;
	/* all the snapshot's pods count, not only those on feasible nodes */
	struct score_state *s;
	int rc = c && c->nodes ? score_compute(c->nodes, c->nnodes, pod, &s) : score_compute(feasible, n, pod, &s);
	if (s) {
		sk_sched_put(c, PRESCORE_KEY, s, score_state_free);
	}
	return rc;
}

/* the sum of the node's pairs' weights: positive for affinity, negative
 * for anti-affinity; normalized afterwards */
static int64_t score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n)
{
	(void)ud;
	struct score_state *s = sk_sched_get(c, PRESCORE_KEY), *own = NULL;
	if (!s) {
		/* no pre-score ran (a direct call): as filter does */
		const sk_sched_node *const one[] = {n};
		if (c && c->nodes)
			score_compute(c->nodes, c->nnodes, pod, &own);
		else
			score_compute(one, 1, pod, &own);
		if (!(s = own))
			return 0;
		if (c && c->put) {
			c->put(c, PRESCORE_KEY, own, score_state_free);
			own = NULL;
			if (!(s = c->get(c, PRESCORE_KEY)))
				return 0;
		}
	}
	const sk_obj *labels = node_labels(n);
	int64_t sum = 0;
	for (size_t i = 0; i < s->topology.nkeys; i++) {
		const struct tkey *k = &s->topology.keys[i];
		const char *v = label_of(labels, k->key);
		if (v)
			sum += counts_get(&s->topology, i, v);
	}
	score_state_free(own);
	return sum;
}

/* NormalizeScore: min-max to 0..100 in floating point, as Kubernetes. With
 * nothing counted every raw score is 0 and stays 0. */
static void normalize(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *const *nodes,
                      int64_t *scores, size_t n)
{
	(void)ud;
	(void)c;
	(void)pod;
	(void)nodes;
	if (!n)
		return;
	int64_t lo = scores[0], hi = scores[0];
	for (size_t i = 1; i < n; i++) {
		if (scores[i] < lo)
			lo = scores[i];
		if (scores[i] > hi)
			hi = scores[i];
	}
	for (size_t i = 0; i < n; i++) {
		double f = 0;
		if (hi > lo)
			f = (double)SK_SCHED_MAX_SCORE * ((double)(scores[i] - lo) / (double)(hi - lo));
		scores[i] = (int64_t)f;
	}
}

static const sk_sched_policy_ops ops = {
	.size = sizeof ops,
	.name = "InterPodAffinity",
	.pre_filter = pre_filter,
	.filter = filter,
	.pre_score = pre_score,
	.score = score,
	.normalize = normalize,
};

/* InterPodAffinityArgs from the plugin's settings, checked as
 * ValidateInterPodAffinityArgs does */
static int init(sk_plugin *p, sk_err *err)
{
	const sk_obj *set = sk_plugin_settings(p);
	const sk_obj *w = sk_obj_get(set, "hardPodAffinityWeight");
	G.p = p;
	G.hard_weight = 1;
	G.ignore_preferred = sk_obj_get_bool(set, "ignorePreferredTermsOfExistingPods", 0);
	if (given(w)) {
		char *text = sk_obj_dump(w, 0);
		int ok = sk_obj_type_of(w) == SK_OBJ_INT && sk_obj_int(w) >= 0 && sk_obj_int(w) <= 100;
		if (!ok) {
			err->code = SK_EINVALID;
			snprintf(err->msg, sizeof err->msg, "hardPodAffinityWeight: Invalid value: %s: not in valid range [0-100]",
			         text ? text : "?");
		}
		sk_mem_free(text);
		if (!ok)
			return SK_EINVALID;
		G.hard_weight = sk_obj_int(w);
	}
	return sk_register(p, SK_EXT_SCHEDULER, &ops, NULL, err);
}

static void fini(sk_plugin *p)
{
	(void)p;
	for (size_t i = 0; i < G.cap; i++)
		if (G.slot[i])
			rec_free(G.slot[i]);
	free(G.slot);
	memset(&G, 0, sizeof G);
}

SK_PLUGIN("inter-pod-affinity", "0.1.0",
          "scheduler InterPodAffinity: required and preferred pod affinity and anti-affinity over topology domains",
          SK_LIST("scheduler.preFilter.InterPodAffinity", "scheduler.filter.InterPodAffinity",
                  "scheduler.preScore.InterPodAffinity", "scheduler.score.InterPodAffinity"),
          SK_LIST(NULL), init, fini);
