/* skiff/scheduler.h — the scheduling framework as an extension point.
 *
 * The points are Kubernetes' scheduling framework: queue sort, pre-filter,
 * filter, post-filter, pre-score, score, normalize-score, reserve/unreserve,
 * permit and bind. A policy plugin fills only the callbacks it implements and
 * leaves the rest NULL; a scheduler profile (in the config) names which
 * registered policies run at which point, with weights.
 *
 * The scheduler hands policies read-only views of the cluster: the pod being
 * scheduled and, per node, the Node object, the pods on it and its summed
 * requests. A cycle carries per-pod state between points (pre-filter
 * computes, filter reads) through cycle->put/get.
 *
 * Ownership: everything passed in is borrowed for the call. Values stored in
 * a cycle are freed by the destructor given to put when the cycle ends.
 */
#ifndef SKIFF_SCHEDULER_H
#define SKIFF_SCHEDULER_H
#include <skiff/abi.h>

enum {
	SK_SCHED_SUCCESS = 0,
	SK_SCHED_UNSCHEDULABLE = 1,  /* this node does not fit now */
	SK_SCHED_UNRESOLVABLE = 2,   /* no preemption can make it fit */
	SK_SCHED_ERROR = 3,
	SK_SCHED_SKIP = 4,           /* pre-filter/pre-score: nothing to do here */
	SK_SCHED_WAIT = 5,           /* permit: hold the pod */
};

#define SK_SCHED_MAX_SCORE 100

/* one name of an image a node holds (status.images), as kube-scheduler's
 * ImageStateSummary: its size and how many nodes list the same name */
typedef struct sk_sched_image {
	const char *name;
	int64_t size;      /* sizeBytes */
	int64_t num_nodes; /* nodes of the snapshot listing this name */
} sk_sched_image;

/* a pod on a node as policies match it (kube-scheduler's PodInfo) */
typedef struct sk_sched_pod {
	const sk_obj *pod;
	const char *ns;       /* metadata.namespace, "" when none */
	const sk_obj *labels; /* metadata.labels, or NULL */
	int terminating;      /* metadata.deletionTimestamp is set */
} sk_sched_pod;

/* A node as policies see it: what kube-scheduler's NodeInfo precomputes,
 * so a policy reads sums and lists instead of walking JSON per cycle. */
typedef struct sk_sched_node {
	uint32_t size;
	const char *name;
	const sk_obj *node;          /* the Node object */
	const sk_obj *const *pods;   /* pods bound or assumed on this node */
	size_t npods;
	const sk_sched_pod *pod_infos; /* the same pods, in the same order */
	/* summed requests of those pods (skiff/requests.h), and the node's
	 * allocatable (status.allocatable, else status.capacity) */
	int64_t req_milli_cpu, req_memory, req_ephemeral;
	int64_t alloc_milli_cpu, alloc_memory, alloc_ephemeral, alloc_pods;
	/* the same sums with SK_REQUESTS_NONZERO: what scoring counts */
	int64_t nonzero_milli_cpu, nonzero_memory;
	const sk_obj *labels;        /* the Node's metadata.labels, or NULL */
	const sk_obj *taints;        /* its spec.taints, or NULL */
	int unschedulable;           /* its spec.unschedulable (cordoned) */
	/* of pods: those with any pod affinity or anti-affinity term, and
	 * those with a required anti-affinity term (a subset of the first) */
	const sk_obj *const *affinity_pods;
	size_t naffinity_pods;
	const sk_obj *const *anti_affinity_pods;
	size_t nanti_affinity_pods;
	const sk_sched_image *images; /* every name of every status.images entry */
	size_t nimages;
	/* changes whenever the Node or its pods do: a policy may keep what it
	 * derives from a node until the generation moves */
	uint64_t generation;
} sk_sched_node;

typedef struct sk_sched_cycle sk_sched_cycle;
struct sk_sched_cycle {
	uint32_t size;
	const sk_sched_node *const *nodes; /* every node in the snapshot */
	size_t nnodes;
	void *(*get)(sk_sched_cycle *c, const char *key);
	void (*put)(sk_sched_cycle *c, const char *key, void *value, void (*destroy)(void *));
	void *host_data;
};

typedef struct sk_sched_policy_ops {
	uint32_t size;
	const char *name;
	/* queue sort: non-zero when a should be tried before b */
	int (*less)(void *ud, const sk_obj *a, const sk_obj *b);
	int (*pre_filter)(void *ud, sk_sched_cycle *c, const sk_obj *pod, char *reason, size_t cap);
	/* reason: a short phrase counted across nodes, as in
	 * "0/3 nodes are available: 2 Insufficient cpu.". Several reasons for
	 * one node (kube-scheduler counts each): NUL-separated phrases, ended
	 * by an empty phrase or by cap; the buffer starts zeroed. */
	int (*filter)(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n,
	              char *reason, size_t cap);
	/* nothing fit: may nominate a node (e.g. by preemption) into nominated */
	int (*post_filter)(void *ud, sk_sched_cycle *c, const sk_obj *pod, char *nominated, size_t cap);
	int (*pre_score)(void *ud, sk_sched_cycle *c, const sk_obj *pod,
	                 const sk_sched_node *const *feasible, size_t n);
	int64_t (*score)(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n);
	/* scale scores in place to 0..SK_SCHED_MAX_SCORE */
	void (*normalize)(void *ud, sk_sched_cycle *c, const sk_obj *pod,
	                  const sk_sched_node *const *nodes, int64_t *scores, size_t n);
	int (*reserve)(void *ud, sk_sched_cycle *c, const sk_obj *pod, const char *node);
	void (*unreserve)(void *ud, sk_sched_cycle *c, const sk_obj *pod, const char *node);
	int (*permit)(void *ud, sk_sched_cycle *c, const sk_obj *pod, const char *node, double *wait_s);
	/* asynchronous; SK_SCHED_SKIP from the return value lets the next binder try */
	int (*bind)(void *ud, const sk_obj *pod, const char *node, sk_done_fn done, void *cb_ud);
} sk_sched_policy_ops;

/* What a policy kept in the cycle under key; NULL when nothing was, or when
 * the policy is called without a cycle (a test, another scheduler). */
static inline void *sk_sched_get(sk_sched_cycle *c, const char *key)
{
	return c && c->get ? c->get(c, key) : NULL;
}

/* Keeps value in the cycle under key, for the later points and nodes of
 * the same attempt; without a cycle it is destroyed at once. */
static inline void sk_sched_put(sk_sched_cycle *c, const char *key, void *value, void (*destroy)(void *))
{
	if (c && c->put)
		c->put(c, key, value, destroy);
	else if (destroy)
		destroy(value);
}

/* kube-scheduler's helper.DefaultNormalizeScore: scale so the highest raw
 * score becomes SK_SCHED_MAX_SCORE (all zero stay zero), or with reverse
 * the lowest does (all zero become the maximum). */
static inline void sk_sched_default_normalize(int64_t *scores, size_t n, int reverse)
{
	int64_t max = 0;
	for (size_t i = 0; i < n; i++)
		if (scores[i] > max)
			max = scores[i];
	for (size_t i = 0; i < n; i++) {
		int64_t s = max ? SK_SCHED_MAX_SCORE * scores[i] / max : 0;
		scores[i] = reverse ? SK_SCHED_MAX_SCORE - s : s;
	}
}

/* The same, ready to stand in sk_sched_policy_ops.normalize: the highest
 * raw score becomes SK_SCHED_MAX_SCORE ... */
static inline void sk_sched_normalize_highest(void *ud, sk_sched_cycle *c, const sk_obj *pod,
                                              const sk_sched_node *const *nodes, int64_t *scores, size_t n)
{
	(void)ud;
	(void)c;
	(void)pod;
	(void)nodes;
	sk_sched_default_normalize(scores, n, 0);
}

/* ... or, for scores counting something bad, the lowest does */
static inline void sk_sched_normalize_lowest(void *ud, sk_sched_cycle *c, const sk_obj *pod,
                                             const sk_sched_node *const *nodes, int64_t *scores, size_t n)
{
	(void)ud;
	(void)c;
	(void)pod;
	(void)nodes;
	sk_sched_default_normalize(scores, n, 1);
}

#endif
#include <skiff/host.h>
