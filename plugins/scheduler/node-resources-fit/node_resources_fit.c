/* node_resources_fit.c — the scheduling framework's NodeResourcesFit: a pod
 * fits a node whose allocatable covers what the node's pods already request
 * plus the pod's own requests, and among those the nodes with the most room
 * left score highest (the LeastAllocated strategy, cpu and memory, weight 1
 * each), as kube-scheduler 1.32 does. */
#include <skiff/skiff.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kubernetes' cycle-state keys, so a reader of the cycle sees familiar names */
#define PREFILTER_KEY "PreFilterNodeResourcesFit"
#define PRESCORE_KEY "PreScoreNodeResourcesFit"

/* distinct resource names one pod may request; a client controls the pod */
#define MAX_RESOURCES 64

__extension__ typedef __int128 i128;

/* What pre-filter leaves for filter: the pod's requests as kube-scheduler's
 * framework.Resource holds them (cpu in millicores, others in units). */
struct fit_state {
	int64_t milli_cpu, memory, ephemeral;
	size_t nscalar;
	struct scalar {
		const char *name; /* points into the state's own allocation */
		int64_t value;
	} scalar[];
};

/* what pre-score leaves for score: the pod's non-zero cpu and memory */
struct score_state {
	int64_t milli_cpu, memory;
};

static int64_t milli_of(const sk_resource_amount *r, size_t n, const char *name)
{
	const sk_quantity *q = sk_amount_find(r, n, name);
	return q ? sk_quantity_milli(q) : 0;
}

static int64_t value_of(const sk_resource_amount *r, size_t n, const char *name)
{
	const sk_quantity *q = sk_amount_find(r, n, name);
	return q ? sk_quantity_value(q) : 0;
}

/* schedutil.IsScalarResourceName: extended resources (a domain-prefixed
 * name outside kubernetes.io, not a quota "requests." name), hugepages,
 * kubernetes.io/-prefixed native ones and attachable volumes. Plain names
 * other than cpu, memory and ephemeral-storage are not checked. */
static int is_scalar(const char *name)
{
	if (strncmp(name, "hugepages-", 10) == 0 || strncmp(name, "attachable-volumes-", 19) == 0)
		return 1;
	if (!strchr(name, '/'))
		return 0;
	return strstr(name, "kubernetes.io/") != NULL || strncmp(name, "requests.", 9) != 0;
}

/* computePodResourceRequest: the pod's requests in one allocation */
static struct fit_state *compute_state(const sk_obj *pod)
{
	sk_resource_amount r[MAX_RESOURCES];
	int got = sk_pod_requests(pod, 0, r, MAX_RESOURCES);
	if (got < 0)
		return NULL;
	size_t n = (size_t)got, nscalar = 0, names = 0;
	for (size_t i = 0; i < n; i++)
		if (is_scalar(r[i].name)) {
			nscalar++;
			names += strlen(r[i].name) + 1;
		}
	struct fit_state *s = calloc(1, sizeof *s + nscalar * sizeof s->scalar[0] + names);
	if (!s)
		return NULL;
	char *pool = (char *)&s->scalar[nscalar];
	s->milli_cpu = milli_of(r, n, "cpu");
	s->memory = value_of(r, n, "memory");
	s->ephemeral = value_of(r, n, "ephemeral-storage");
	for (size_t i = 0; i < n; i++) {
		if (!is_scalar(r[i].name))
			continue;
		size_t len = strlen(r[i].name) + 1;
		memcpy(pool, r[i].name, len);
		s->scalar[s->nscalar].name = pool;
		s->scalar[s->nscalar++].value = sk_quantity_value(&r[i].q);
		pool += len;
	}
	return s;
}

static int pre_filter(void *ud, sk_sched_cycle *c, const sk_obj *pod, char *reason, size_t cap)
{
	(void)ud;
	struct fit_state *s = compute_state(pod);
	if (!s) {
		snprintf(reason, cap, "pod requests more than %d distinct resources, or out of memory", MAX_RESOURCES);
		return SK_SCHED_ERROR;
	}
	sk_sched_put(c, PREFILTER_KEY, s, free);
	return SK_SCHED_SUCCESS;
}

/* Kubernetes keeps every reason a node fails for, and counts each one in
 * "0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.".
 * The buffer holds them one after another, each NUL-terminated, closed by
 * an empty one (or by the end of the buffer): read as one string it is the
 * first reason. A reason that does not fit whole is left out. */
struct reasons {
	char *buf;
	size_t cap, used;
	int n;
};

static void reason_add(struct reasons *r, const char *text)
{
	size_t len = strlen(text);
	r->n++;
	if (!r->cap)
		return;
	if (r->used == 0) {
		snprintf(r->buf, r->cap, "%s", text);
		r->used = len + 1 < r->cap ? len + 1 : r->cap;
	} else if (r->used + len + 1 <= r->cap) {
		memcpy(r->buf + r->used, text, len + 1);
		r->used += len + 1;
	}
	if (r->used < r->cap)
		r->buf[r->used] = 0;
}

static const sk_obj *node_allocatable(const sk_obj *node)
{
	const sk_obj *a = sk_obj_get(node, "status.allocatable");
	/* the API server defaults allocatable to capacity */
	return a ? a : sk_obj_get(node, "status.capacity");
}

struct lookup {
	const char *name;
	sk_quantity q;
	int found;
};

static int lookup_one(void *ud, const char *key, sk_obj *v)
{
	struct lookup *l = ud;
	if (key && strcmp(key, l->name) == 0) {
		l->found = sk_quantity_of(v, &l->q);
		return 1;
	}
	return 0;
}

/* a resource's whole units in a resource list object (names may hold dots
 * and slashes, so they are compared rather than put into a path) */
static int64_t list_value(const sk_obj *list, const char *name)
{
	struct lookup l = {.name = name};
	if (sk_obj_type_of(list) == SK_OBJ_OBJECT)
		sk_obj_foreach(list, lookup_one, &l);
	return l.found ? sk_quantity_value(&l.q) : 0;
}

/* fitsRequest, in Kubernetes' order: pods, cpu, memory, ephemeral-storage,
 * then the pod's scalar resources in the order it names them */
static void fits_request(const struct fit_state *s, const sk_sched_node *n, struct reasons *r)
{
	if ((int64_t)n->npods + 1 > n->alloc_pods)
		reason_add(r, "Too many pods");
	if (s->milli_cpu == 0 && s->memory == 0 && s->ephemeral == 0 && s->nscalar == 0)
		return;
	if (s->milli_cpu > 0 && s->milli_cpu > n->alloc_milli_cpu - n->req_milli_cpu)
		reason_add(r, "Insufficient cpu");
	if (s->memory > 0 && s->memory > n->alloc_memory - n->req_memory)
		reason_add(r, "Insufficient memory");
	if (s->ephemeral > 0 && s->ephemeral > n->alloc_ephemeral - n->req_ephemeral)
		reason_add(r, "Insufficient ephemeral-storage");
	/* what the node's pods hold of the scalars asked for, each pod rounded
	 * to whole units as NodeInfo.Requested adds them */
	int64_t used[MAX_RESOURCES] = {0};
	int asked = 0;
	for (size_t i = 0; i < s->nscalar; i++)
		asked |= s->scalar[i].value != 0;
	if (!asked)
		return;
	for (size_t k = 0; k < n->npods; k++) {
		sk_resource_amount pr[MAX_RESOURCES];
		int got = sk_pod_requests(n->pods[k], 0, pr, MAX_RESOURCES);
		for (size_t i = 0; i < s->nscalar; i++)
			used[i] += value_of(pr, got < 0 ? MAX_RESOURCES : (size_t)got, s->scalar[i].name);
	}
	const sk_obj *alloc = node_allocatable(n->node);
	for (size_t i = 0; i < s->nscalar; i++) {
		if (s->scalar[i].value == 0)
			continue;
		if (s->scalar[i].value > list_value(alloc, s->scalar[i].name) - used[i]) {
			char text[400];
			snprintf(text, sizeof text, "Insufficient %s", s->scalar[i].name);
			reason_add(r, text);
		}
	}
}

static int filter(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n, char *reason, size_t cap)
{
	(void)ud;
	struct fit_state *s = sk_sched_get(c, PREFILTER_KEY), *own = NULL;
	if (!s) {
		/* no pre-filter ran (a direct call): work it out here */
		if (!(s = own = compute_state(pod))) {
			snprintf(reason, cap, "pod requests more than %d distinct resources, or out of memory",
			         MAX_RESOURCES);
			return SK_SCHED_ERROR;
		}
	}
	struct reasons r = {reason, cap, 0, 0};
	if (cap)
		reason[0] = 0;
	if (cap > 1)
		reason[1] = 0;
	fits_request(s, n, &r);
	free(own);
	/* Unschedulable, not unresolvable: preemption may free the room */
	return r.n ? SK_SCHED_UNSCHEDULABLE : SK_SCHED_SUCCESS;
}

/* calculatePodResourceRequest for scoring: non-zero requests */
static void nonzero_requests(const sk_obj *pod, struct score_state *out)
{
	sk_resource_amount r[MAX_RESOURCES];
	int got = sk_pod_requests(pod, SK_REQUESTS_NONZERO, r, MAX_RESOURCES);
	size_t n = got < 0 ? MAX_RESOURCES : (size_t)got;
	out->milli_cpu = milli_of(r, n, "cpu");
	out->memory = value_of(r, n, "memory");
}

static int pre_score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *const *feasible, size_t n)
{
	(void)ud;
	(void)feasible;
	(void)n;
	struct score_state *s = malloc(sizeof *s);
	if (!s)
		return SK_SCHED_ERROR;
	nonzero_requests(pod, s);
	sk_sched_put(c, PRESCORE_KEY, s, free);
	return SK_SCHED_SUCCESS;
}

/* leastRequestedScore: the share of the node left free, in 0..100 */
static int64_t least_requested(int64_t requested, int64_t capacity)
{
	if (capacity <= 0 || requested > capacity)
		return 0;
	return (int64_t)((i128)(capacity - requested) * SK_SCHED_MAX_SCORE / capacity);
}

static int64_t score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n)
{
	(void)ud;
	struct score_state own, *s = sk_sched_get(c, PRESCORE_KEY);
	if (!s)
		nonzero_requests(pod, s = &own);
	/* NodeInfo.NonZeroRequested: the node's pods, each with the defaults */
	int64_t cpu = s->milli_cpu + n->nonzero_milli_cpu, memory = s->memory + n->nonzero_memory;
	/* a resource the node has none of is left out of the average */
	int64_t sum = 0, weights = 0;
	if (n->alloc_milli_cpu) {
		sum += least_requested(cpu, n->alloc_milli_cpu);
		weights++;
	}
	if (n->alloc_memory) {
		sum += least_requested(memory, n->alloc_memory);
		weights++;
	}
	return weights ? sum / weights : 0;
}

static const sk_sched_policy_ops ops = {
	.size = sizeof ops,
	.name = "NodeResourcesFit",
	.pre_filter = pre_filter,
	.filter = filter,
	.pre_score = pre_score,
	.score = score,
};

static int init(sk_plugin *p, sk_err *err) { return sk_register(p, SK_EXT_SCHEDULER, &ops, NULL, err); }

SK_PLUGIN("node-resources-fit", "0.1.0",
          "scheduler NodeResourcesFit: requests against allocatable, LeastAllocated scoring",
          SK_LIST("scheduler.preFilter.NodeResourcesFit", "scheduler.filter.NodeResourcesFit",
                  "scheduler.preScore.NodeResourcesFit", "scheduler.score.NodeResourcesFit"),
          SK_LIST(NULL), init, NULL);
