/* sched.h — the scheduler's parts: a cache of nodes with the pods bound or
 * assumed on them, a queue of pods waiting for a node, profiles naming the
 * policies that run at each framework point, and the cycle that places one
 * pod. Everything runs on the loop; nothing here is thread-safe.
 *
 * Ownership: the cache and queue hold references (sk_obj_ref) to the
 * objects they keep and drop them when a pod or node leaves; policies get
 * borrowed views for the length of a call. */
#ifndef SCHED_H
#define SCHED_H
#include <skiff/skiff.h>
#include <stddef.h>
#include <stdio.h>

/* ---- profiles (plugin.c) ---- */

/* the framework points a policy runs at in a profile */
enum {
	PT_QUEUESORT = 1 << 0, PT_PREFILTER = 1 << 1, PT_FILTER = 1 << 2, PT_POSTFILTER = 1 << 3,
	PT_PRESCORE = 1 << 4,  PT_SCORE = 1 << 5,     PT_RESERVE = 1 << 6, PT_PERMIT = 1 << 7,
	PT_BIND = 1 << 8,      PT_ALL = (1 << 9) - 1,
};

struct policy {
	const sk_sched_policy_ops *ops;
	void *ud;
	int64_t weight;  /* score weight */
	unsigned points; /* PT_* */
};

/* whether policy pol runs callback fn at point pt */
#define RUNS(pol, pt, fn) (((pol)->points & (pt)) && (pol)->ops->fn)

struct profile {
	char *scheduler_name;
	int preemption; /* DefaultPreemption when nothing fits (default on) */
	int percentage_to_score; /* percentageOfNodesToScore; 0: adaptive */
	struct policy *v;
	size_t n;
};

/* ---- cache (cache.c) ---- */

struct pod_list {
	sk_obj **v;
	size_t n, cap;
};

struct node_info {
	sk_sched_node view;          /* what policies see; its arrays point below */
	sk_obj *node;                /* owned reference */
	struct pod_list pods;        /* owned references */
	sk_sched_pod *infos;         /* parallel to pods.v, pods.cap of them */
	struct pod_list affinity;    /* borrowed from pods: with affinity terms */
	struct pod_list anti;        /* borrowed from pods: required anti-affinity */
	sk_sched_image *images;      /* names point into node */
};

struct cache;
struct cache *cache_new(void);
void cache_free(struct cache *c);
/* the Node object was added or changed; NULL-safe on a deleted one */
void cache_node_set(struct cache *c, const sk_obj *node);
void cache_node_del(struct cache *c, const char *name);
/* a pod's placement: bound (spec.nodeName set, not finished) or assumed
 * by this scheduler while its binding is in flight; key "ns/name" */
void cache_pod_set(struct cache *c, const char *key, const sk_obj *pod, const char *node);
void cache_pod_del(struct cache *c, const char *key);
/* every node, for a cycle; valid until the cache changes */
struct node_info *const *cache_nodes(struct cache *c, size_t *n);
struct node_info *cache_node(struct cache *c, const char *name);
/* the same nodes' views, in the same order, as a cycle hands them on */
const sk_sched_node *const *cache_views(struct cache *c);

/* ---- queue (queue.c) ---- */

struct queue;
typedef void (*queue_pop_fn)(void *ud, const char *key);
/* pops run in batches from a zero-delay timer so the loop stays responsive */
struct queue *queue_new(sk_plugin *p, queue_pop_fn pop, void *ud);
void queue_free(struct queue *q);
/* a pod waiting for a node: its key and priority (higher first) */
void queue_add(struct queue *q, const char *key, int64_t priority);
void queue_del(struct queue *q, const char *key);
/* it did not fit: park it until the cluster changes (or a while passes) */
void queue_unschedulable(struct queue *q, const char *key);
/* it failed for another reason: try again after a growing back-off */
void queue_backoff(struct queue *q, const char *key);
/* something changed that may let parked pods fit: retry them */
void queue_move_all(struct queue *q);
size_t queue_len(const struct queue *q);

/* ni's view as if the pods with keep[i] == 0 were gone: lists, sums and
 * a generation of its own. Returns the memory the view's lists live in,
 * for the caller to free; NULL when out of memory. */
void *cache_view_without(struct cache *c, const struct node_info *ni, const unsigned char *keep, sk_sched_node *v);

/* ---- cycle (cycle.c) ---- */

struct sched;
/* one attempt to place the pod; the result arrives asynchronously */
void cycle_run(struct sched *s, const struct profile *pr, const sk_obj *pod, const char *key);
/* the profile's filters on one node (skip: policies whose pre-filter said
 * SKIP, may be NULL); on refusal *reason (if reason) is the node's reasons,
 * newline-separated, for the caller to free */
int cycle_filter(const struct profile *pr, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *node,
                 const unsigned char *skip, char **reason);

/* ---- preemption (preempt.c) ---- */

/* kube-scheduler's DefaultPreemption: on the node where evicting the
 * fewest and least important lower-priority pods lets the pod fit, delete
 * them and nominate the node (status.nominatedNodeName). codes are the
 * nodes' filter results (-1: not worth a try, a pre-filter refused the pod). Writes the FitError's "preemption: ..." part to
 * msg when no candidate was found. Returns 1 when victims were evicted. */
int preempt(struct sched *s, const struct profile *pr, sk_sched_cycle *c, const sk_obj *pod,
            struct node_info *const *nodes, size_t n, const int *codes, const unsigned char *skip, char *msg,
            size_t cap);

/* ---- reporting (report.c) ---- */

/* "0/3 nodes are available: 1 node(s) had untolerated taint {app: myapp},
 * 2 Insufficient cpu." from the reasons of each node (NULL: it fit; several
 * reasons of one node separated by newlines), or "0/3 nodes are available:
 * PREFILTER." when a pre-filter refused the pod outright */
char *report_fit_error(const char *const *reasons, size_t nnodes, const char *prefilter, const char *postfilter);
/* "0/3 nodes are available: 1 No preemption victims found for incoming
 * pod, 2 Preemption is not helpful for scheduling." from one reason per
 * node; the caller prefixes "preemption: " */
char *report_reasons(const char *const *reasons, size_t nnodes);
/* PodScheduled=False (Unschedulable) on the pod and a FailedScheduling event */
void report_unschedulable(struct sched *s, const sk_obj *pod, const char *message);
/* an event about a pod, from the scheduler (type Normal or Warning) */
void report_event(struct sched *s, const sk_obj *pod, const char *type, const char *reason, const char *message);
/* a Scheduled event: "Successfully assigned ns/name to node" */
void report_scheduled(struct sched *s, const sk_obj *pod, const char *node);

/* ---- the scheduler (plugin.c) ---- */

struct sched {
	sk_plugin *p;
	struct profile *profiles;
	size_t nprofiles;
	struct cache *cache;
	struct queue *queue;
	sk_informer *pods, *nodes;
	uint64_t scheduled, failed; /* counters for the log */
	size_t next_start;          /* where the next cycle's filtering begins */
};

/* profile.c: the profiles of the scheduler's settings, and lookup by name */
struct sched;
int profiles_load(struct sched *s, const sk_obj *settings, sk_err *err);
void profiles_free(struct sched *s);
const struct profile *sched_profile(const struct sched *s, const char *scheduler_name);
/* the result of a cycle */
void sched_done(struct sched *s, const char *key, int rc);

#endif
