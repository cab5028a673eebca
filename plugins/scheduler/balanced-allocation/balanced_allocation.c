/* balanced_allocation.c — the scheduling framework's
 * NodeResourcesBalancedAllocation score: nodes whose cpu and memory would be
 * used in like shares after placing the pod score highest,
 * (1 - standard deviation of the shares) * 100, as kube-scheduler 1.32 does.
 *
 * Like Kubernetes since 1.23 (useRequested), this counts requests as they
 * are written, without the 100m / 200Mi defaults for containers that ask for
 * nothing: those defaults made best-effort pods look unbalanced. */
#include <skiff/skiff.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRESCORE_KEY "PreScoreNodeResourcesBalancedAllocation"

/* distinct resource names of one pod that count; a client writes the pod */
#define MAX_RESOURCES 64

/* what pre-score leaves for score */
struct pod_req {
	int64_t milli_cpu, memory;
};

/* resource.PodRequests for cpu and memory (skiff/requests.h) */
static void pod_requests(const sk_obj *pod, struct pod_req *out)
{
	sk_resource_amount r[MAX_RESOURCES];
	int got = sk_pod_requests(pod, 0, r, MAX_RESOURCES);
	size_t n = got < 0 ? MAX_RESOURCES : (size_t)got;
	const sk_quantity *cpu = sk_amount_find(r, n, "cpu"), *memory = sk_amount_find(r, n, "memory");
	out->milli_cpu = cpu ? sk_quantity_milli(cpu) : 0;
	out->memory = memory ? sk_quantity_value(memory) : 0;
}

static int pre_score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *const *feasible, size_t n)
{
	(void)ud;
	(void)feasible;
	(void)n;
	struct pod_req *s = malloc(sizeof *s);
	if (!s)
		return SK_SCHED_ERROR;
	pod_requests(pod, s);
	sk_sched_put(c, PRESCORE_KEY, s, free);
	return SK_SCHED_SUCCESS;
}

/* balancedResourceScorer. With two resources the standard deviation of the
 * shares is half their difference; a resource the node has none of is left
 * out, and with one share left the deviation is 0. */
static int64_t score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n)
{
	(void)ud;
	struct pod_req own, *s = sk_sched_get(c, PRESCORE_KEY);
	if (!s)
		pod_requests(pod, s = &own);
	double share[2];
	size_t k = 0;
	/* NodeInfo.Requested: the node's pods as requested, plus this pod */
	if (n->alloc_milli_cpu)
		share[k++] = (double)(n->req_milli_cpu + s->milli_cpu) / (double)n->alloc_milli_cpu;
	if (n->alloc_memory)
		share[k++] = (double)(n->req_memory + s->memory) / (double)n->alloc_memory;
	for (size_t i = 0; i < k; i++)
		if (share[i] > 1)
			share[i] = 1;
	double std = 0;
	if (k == 2)
		std = share[0] > share[1] ? (share[0] - share[1]) / 2 : (share[1] - share[0]) / 2;
	return (int64_t)((1 - std) * (double)SK_SCHED_MAX_SCORE);
}

static const sk_sched_policy_ops ops = {
	.size = sizeof ops,
	.name = "NodeResourcesBalancedAllocation",
	.pre_score = pre_score,
	.score = score,
};

static int init(sk_plugin *p, sk_err *err) { return sk_register(p, SK_EXT_SCHEDULER, &ops, NULL, err); }

SK_PLUGIN("balanced-allocation", "0.1.0",
          "scheduler NodeResourcesBalancedAllocation: favour nodes whose cpu and memory shares stay even",
          SK_LIST("scheduler.preScore.NodeResourcesBalancedAllocation",
                  "scheduler.score.NodeResourcesBalancedAllocation"),
          SK_LIST(NULL), init, NULL);
