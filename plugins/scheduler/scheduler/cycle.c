/* cycle.c — one scheduling attempt for one pod, through the framework's
 * points in kube-scheduler's order: pre-filter, filter on every node,
 * post-filter when none fits, pre-score, score, normalize, weights, then
 * reserve, permit and bind (a policy's binder, else pods/binding). */
#include "sched.h"
#include <stdlib.h>
#include <string.h>

#define REASON_CAP 256

struct state_item {
	char *key;
	void *value;
	void (*destroy)(void *);
};

struct cycle {
	sk_sched_cycle pub; /* first: policies get &pub */
	struct state_item *items;
	size_t n, cap;
};

static void *state_get(sk_sched_cycle *c, const char *key)
{
	struct cycle *cy = (struct cycle *)c;
	for (size_t i = 0; i < cy->n; i++)
		if (!strcmp(cy->items[i].key, key))
			return cy->items[i].value;
	return NULL;
}

static void state_put(sk_sched_cycle *c, const char *key, void *value, void (*destroy)(void *))
{
	struct cycle *cy = (struct cycle *)c;
	for (size_t i = 0; i < cy->n; i++)
		if (!strcmp(cy->items[i].key, key)) {
			if (cy->items[i].destroy && cy->items[i].value != value)
				cy->items[i].destroy(cy->items[i].value);
			cy->items[i].value = value;
			cy->items[i].destroy = destroy;
			return;
		}
	if (cy->n == cy->cap) {
		size_t cap = cy->cap ? cy->cap * 2 : 8;
		struct state_item *v = realloc(cy->items, cap * sizeof *v);
		if (!v)
			goto lost;
		cy->items = v;
		cy->cap = cap;
	}
	char *k = strdup(key);
	if (!k)
		goto lost;
	cy->items[cy->n++] = (struct state_item){k, value, destroy};
	return;
lost:
	if (destroy)
		destroy(value);
}

static void cycle_end(struct cycle *cy)
{
	for (size_t i = 0; i < cy->n; i++) {
		if (cy->items[i].destroy)
			cy->items[i].destroy(cy->items[i].value);
		free(cy->items[i].key);
	}
	free(cy->items);
}

/* a bind in flight */
struct binding {
	struct sched *s;
	char *key, *node;
	sk_obj *pod;
	const struct profile *pr;
	size_t next_binder; /* policies before it returned SKIP */
};

static void binding_free(struct binding *b)
{
	sk_obj_unref(b->pod);
	free(b->key);
	free(b->node);
	free(b);
}

static void cycle_end(struct cycle *cy);

static void unreserve(const struct profile *pr, const sk_obj *pod, const char *node)
{
	/* in reverse order, as the framework does, with a cycle of its own:
	 * the attempt's may have ended (a failed bind) */
	struct cycle cy = {{sizeof(sk_sched_cycle), NULL, 0, state_get, state_put, NULL}, NULL, 0, 0};
	for (size_t i = pr->n; i-- > 0;)
		if (RUNS(&pr->v[i], PT_RESERVE, unreserve))
			pr->v[i].ops->unreserve(pr->v[i].ud, &cy.pub, pod, node);
	cycle_end(&cy);
}

static void try_bind(struct binding *b);

static void bound(void *ud, const sk_err *err, const sk_obj *stored)
{
	(void)stored;
	struct binding *b = ud;
	if (err) {
		sk_log(b->s->p, SK_LOG_INFO, "binding %s to %s failed: %s", b->key, b->node, err->msg);
		cache_pod_del(b->s->cache, b->key);
		unreserve(b->pr, b->pod, b->node);
		sched_done(b->s, b->key, err->code == SK_ENOTFOUND ? SK_SCHED_SUCCESS : SK_SCHED_ERROR);
	} else {
		report_scheduled(b->s, b->pod, b->node);
		sched_done(b->s, b->key, SK_SCHED_SUCCESS);
	}
	binding_free(b);
}

static void try_bind(struct binding *b)
{
	const struct profile *pr = b->pr;
	for (; b->next_binder < pr->n; b->next_binder++) {
		const struct policy *pol = &pr->v[b->next_binder];
		if (!RUNS(pol, PT_BIND, bind))
			continue;
		int rc = pol->ops->bind(pol->ud, b->pod, b->node, bound, b);
		if (rc != SK_SCHED_SKIP) {
			b->next_binder++;
			return; /* bound() follows */
		}
	}
	/* the default binder: what kube-scheduler's DefaultBinder posts */
	sk_obj *body = sk_obj_new_object();
	sk_obj_set_str(body, "apiVersion", "v1", NULL);
	sk_obj_set_str(body, "kind", "Binding", NULL);
	sk_obj_set_str(body, "metadata.name", sk_obj_get_str(b->pod, "metadata.name"), NULL);
	sk_obj_set_str(body, "metadata.namespace", sk_obj_get_str(b->pod, "metadata.namespace"), NULL);
	if (sk_obj_get_str(b->pod, "metadata.uid"))
		sk_obj_set_str(body, "metadata.uid", sk_obj_get_str(b->pod, "metadata.uid"), NULL);
	sk_obj_set_str(body, "target.kind", "Node", NULL);
	sk_obj_set_str(body, "target.name", b->node, NULL);
	sk_api_act(b->s->p, "", "pods", sk_obj_get_str(b->pod, "metadata.namespace"),
	           sk_obj_get_str(b->pod, "metadata.name"), "binding", body, bound, b);
	sk_obj_unref(body);
}

/* A filter's reasons: NUL-separated phrases, ended by an empty one or the
 * buffer's end (scheduler.h); newline-joined for report_fit_error. */
static char *join_phrases(char *buf, size_t cap)
{
	size_t end = 0;
	while (end < cap && buf[end]) {
		size_t l = strnlen(buf + end, cap - end);
		if (end + l >= cap)
			break; /* an unterminated last phrase: not whole */
		end += l + 1;
	}
	for (size_t i = 0; end && i + 1 < end; i++)
		if (!buf[i])
			buf[i] = '\n';
	if (end)
		buf[end - 1] = 0;
	return strdup(buf);
}

int cycle_filter(const struct profile *pr, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *node,
                 const unsigned char *skip, char **reason)
{
	char buf[REASON_CAP];
	for (size_t k = 0; k < pr->n; k++) {
		const struct policy *pol = &pr->v[k];
		if (!RUNS(pol, PT_FILTER, filter) || (skip && skip[k]))
			continue; /* its pre-filter said there is nothing to check */
		memset(buf, 0, sizeof buf);
		int rc = pol->ops->filter(pol->ud, c, pod, node, buf, sizeof buf);
		if (rc != SK_SCHED_SUCCESS) {
			if (reason)
				*reason = *buf ? join_phrases(buf, sizeof buf) : strdup(pol->ops->name);
			return rc;
		}
	}
	return SK_SCHED_SUCCESS;
}

/* kube-scheduler's numFeasibleNodesToFind: in a big cluster, stop looking
 * once this many nodes fit (at least 100; by default 50% of the nodes less
 * one point per 125 nodes, never under 5%) */
static size_t feasible_to_find(const struct profile *pr, size_t n)
{
	if (n < 100)
		return n;
	long pct = pr->percentage_to_score;
	if (!pct) {
		pct = 50 - (long)n / 125;
		if (pct < 5)
			pct = 5;
	}
	size_t want = n * (size_t)pct / 100;
	return want < 100 ? 100 : want;
}

/* the filter points over the nodes, from where the last cycle stopped, as
 * kube-scheduler does, so every node gets its turn; reasons[i] and codes[i]
 * are node i's refusal (NULL and SUCCESS: it fits or was not looked at) */
static size_t filter_nodes(struct sched *s, const struct profile *pr, sk_sched_cycle *c, const sk_obj *pod,
                           struct node_info *const *nodes, size_t n, char **reasons, int *codes,
                           const sk_sched_node **feasible, const unsigned char *skip)
{
	size_t nf = 0, want = feasible_to_find(pr, n), seen = 0;
	size_t start = n ? s->next_start % n : 0;
	for (; seen < n && nf < want; seen++) {
		size_t i = (start + seen) % n;
		codes[i] = cycle_filter(pr, c, pod, &nodes[i]->view, skip, &reasons[i]);
		if (codes[i] == SK_SCHED_SUCCESS)
			feasible[nf++] = &nodes[i]->view;
	}
	s->next_start = n ? (start + seen) % n : 0;
	return nf;
}

/* weighted sum of every scoring policy, normalized per policy */
static const sk_sched_node *pick(const struct profile *pr, sk_sched_cycle *c, const sk_obj *pod,
                                 const sk_sched_node **feasible, size_t nf)
{
	if (nf == 1)
		return feasible[0];
	int64_t *total = calloc(nf, sizeof *total), *one = calloc(nf, sizeof *one);
	if (!total || !one) {
		free(total);
		free(one);
		return feasible[0];
	}
	for (size_t k = 0; k < pr->n; k++) {
		const struct policy *pol = &pr->v[k];
		int pre = RUNS(pol, PT_PRESCORE, pre_score) ? pol->ops->pre_score(pol->ud, c, pod, feasible, nf)
		                                             : SK_SCHED_SUCCESS;
		if (pre == SK_SCHED_SKIP)
			continue;
		if (pre == SK_SCHED_ERROR) {
			free(total);
			free(one);
			return NULL; /* as kube-scheduler, a failed pre-score fails the attempt */
		}
		if (!RUNS(pol, PT_SCORE, score))
			continue;
		for (size_t i = 0; i < nf; i++)
			one[i] = pol->ops->score(pol->ud, c, pod, feasible[i]);
		if (pol->ops->normalize)
			pol->ops->normalize(pol->ud, c, pod, feasible, one, nf);
		for (size_t i = 0; i < nf; i++)
			total[i] += one[i] * pol->weight;
	}
	/* the best score; ties go to a random one of them, as kube-scheduler's
	 * selectHost does, so equal nodes share the load */
	size_t best = 0, ties = 1;
	for (size_t i = 1; i < nf; i++) {
		if (total[i] > total[best]) {
			best = i;
			ties = 1;
		} else if (total[i] == total[best] && (size_t)rand() % ++ties == 0) {
			best = i;
		}
	}
	free(total);
	free(one);
	return feasible[best];
}

void cycle_run(struct sched *s, const struct profile *pr, const sk_obj *pod, const char *key)
{
	struct cycle cy = {{sizeof(sk_sched_cycle), NULL, 0, state_get, state_put, NULL}, NULL, 0, 0};
	size_t n = 0;
	/* room held for it by an earlier preemption is its own to use again */
	cache_pod_del(s->cache, key);
	struct node_info *const *nodes = cache_nodes(s->cache, &n);
	char **reasons = calloc(n ? n : 1, sizeof *reasons);
	const sk_sched_node **feasible = calloc(n ? n : 1, sizeof *feasible);
	char reason[REASON_CAP] = "", prefilter[REASON_CAP] = "";
	int rc = SK_SCHED_ERROR;
	unsigned char *skip = calloc(pr->n ? pr->n : 1, 1);
	int *codes = calloc(n ? n : 1, sizeof *codes);
	char postfilter[REASON_CAP * 2] = "";
	struct binding *b = NULL;
	cy.pub.nodes = cache_views(s->cache);
	cy.pub.nnodes = n;
	if (!reasons || !feasible || !skip || !codes || (n && !cy.pub.nodes))
		goto out;
	for (size_t k = 0; k < pr->n; k++) {
		const struct policy *pol = &pr->v[k];
		if (!RUNS(pol, PT_PREFILTER, pre_filter))
			continue;
		int r = pol->ops->pre_filter(pol->ud, &cy.pub, pod, reason, sizeof reason);
		if (r == SK_SCHED_UNSCHEDULABLE || r == SK_SCHED_UNRESOLVABLE) {
			/* the whole pod is refused, in the plugin's words */
			snprintf(prefilter, sizeof prefilter, "%s", *reason ? reason : pol->ops->name);
			for (size_t i = 0; i < n; i++)
				codes[i] = r == SK_SCHED_UNRESOLVABLE ? r : -1;
			if (pr->preemption)
				preempt(s, pr, &cy.pub, pod, nodes, n, codes, skip, postfilter, sizeof postfilter);
			goto unschedulable;
		}
		if (r == SK_SCHED_ERROR)
			goto out;
		skip[k] = r == SK_SCHED_SKIP;
	}
	/* a pod that preempted for a node tries that node first, as
	 * kube-scheduler's evaluateNominatedNode does */
	size_t nf = 0;
	const char *nominated_node = sk_obj_get_str(pod, "status.nominatedNodeName");
	struct node_info *nom = nominated_node && *nominated_node ? cache_node(s->cache, nominated_node) : NULL;
	if (nom && nom->node && cycle_filter(pr, &cy.pub, pod, &nom->view, skip, NULL) == SK_SCHED_SUCCESS)
		feasible[nf++] = &nom->view;
	if (!nf)
		nf = filter_nodes(s, pr, &cy.pub, pod, nodes, n, reasons, codes, feasible, skip);
	if (!nf) {
		char nominated[256] = "";
		int done = 0;
		for (size_t k = 0; k < pr->n && !done; k++)
			done = RUNS(&pr->v[k], PT_POSTFILTER, post_filter) &&
			       pr->v[k].ops->post_filter(pr->v[k].ud, &cy.pub, pod, nominated, sizeof nominated) ==
			           SK_SCHED_SUCCESS;
		if (!done && pr->preemption)
			preempt(s, pr, &cy.pub, pod, nodes, n, codes, skip, postfilter, sizeof postfilter);
		goto unschedulable;
	}
	const sk_sched_node *host = pick(pr, &cy.pub, pod, feasible, nf);
	if (!host)
		goto out;
	for (size_t k = 0; k < pr->n; k++) {
		const struct policy *pol = &pr->v[k];
		if (RUNS(pol, PT_RESERVE, reserve) && pol->ops->reserve(pol->ud, &cy.pub, pod, host->name) != SK_SCHED_SUCCESS) {
			unreserve(pr, pod, host->name);
			goto out;
		}
	}
	for (size_t k = 0; k < pr->n; k++) {
		const struct policy *pol = &pr->v[k];
		double wait = 0;
		if (RUNS(pol, PT_PERMIT, permit) && pol->ops->permit(pol->ud, &cy.pub, pod, host->name, &wait) != SK_SCHED_SUCCESS) {
			/* waiting permits (gangs) are not offered yet: a refusal retries later */
			unreserve(pr, pod, host->name);
			goto out;
		}
	}
	b = calloc(1, sizeof *b);
	if (!b || !(b->key = strdup(key)) || !(b->node = strdup(host->name))) {
		if (b)
			free(b->key);
		free(b);
		b = NULL;
		unreserve(pr, pod, host->name);
		goto out;
	}
	b->s = s;
	b->pr = pr;
	b->pod = sk_obj_ref((sk_obj *)pod);
	/* assumed: the next pods see it on its node before the binding lands */
	cache_pod_set(s->cache, key, pod, host->name);
	rc = SK_SCHED_SUCCESS;
	goto out;
unschedulable:
	rc = SK_SCHED_UNSCHEDULABLE;
	char *msg = report_fit_error((const char *const *)reasons, n, *prefilter ? prefilter : NULL,
	                             *postfilter ? postfilter : NULL);
	if (msg)
		report_unschedulable(s, pod, msg);
	free(msg);
out:
	cycle_end(&cy);
	for (size_t i = 0; reasons && i < n; i++)
		free(reasons[i]);
	free(reasons);
	free(feasible);
	free(skip);
	free(codes);
	if (b)
		try_bind(b); /* sched_done follows when it lands */
	else
		sched_done(s, key, rc);
}
