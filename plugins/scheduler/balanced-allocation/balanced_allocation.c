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

/* cpu and memory, the resources this policy balances */
struct req {
	sk_quantity cpu, memory;
};

/* what pre-score leaves for score */
struct pod_req {
	int64_t milli_cpu, memory;
};

static size_t arr_len(const sk_obj *o) { return sk_obj_type_of(o) == SK_OBJ_ARRAY ? sk_obj_len(o) : 0; }

/* a quantity written as a string ("500m") or, as JSON allows, a number;
 * anything else counts as none */
static void qty_at(const sk_obj *list, const char *name, sk_quantity *q)
{
	char num[32];
	const sk_obj *v = sk_obj_get(list, name);
	const char *text = sk_obj_str(v);
	if (!text && sk_obj_type_of(v) == SK_OBJ_INT) {
		snprintf(num, sizeof num, "%lld", (long long)sk_obj_int(v));
		text = num;
	}
	if (!text || sk_quantity_parse(text, q, NULL) != SK_OK)
		memset(q, 0, sizeof *q);
}

static void req_load(struct req *r, const sk_obj *list)
{
	qty_at(list, "cpu", &r->cpu);
	qty_at(list, "memory", &r->memory);
}

static void req_add(struct req *a, const struct req *b)
{
	sk_quantity_add(&a->cpu, &b->cpu);
	sk_quantity_add(&a->memory, &b->memory);
}

static void req_max(struct req *a, const struct req *b)
{
	if (sk_quantity_cmp(&b->cpu, &a->cpu) > 0)
		a->cpu = b->cpu;
	if (sk_quantity_cmp(&b->memory, &a->memory) > 0)
		a->memory = b->memory;
}

/* resource.PodRequests for cpu and memory: containers summed, each init
 * container beside the sidecars (restartPolicy Always) started before it,
 * sidecars also beside the containers, the larger of the two, plus overhead */
static void pod_requests(const sk_obj *pod, struct pod_req *out)
{
	struct req sum = {0}, side = {0}, init = {0}, one, tmp;
	const sk_obj *cs = sk_obj_get(pod, "spec.containers");
	for (size_t i = 0; i < arr_len(cs); i++) {
		req_load(&one, sk_obj_get(sk_obj_at(cs, i), "resources.requests"));
		req_add(&sum, &one);
	}
	const sk_obj *ics = sk_obj_get(pod, "spec.initContainers");
	for (size_t i = 0; i < arr_len(ics); i++) {
		const sk_obj *c = sk_obj_at(ics, i);
		req_load(&one, sk_obj_get(c, "resources.requests"));
		const char *restart = sk_obj_get_str(c, "restartPolicy");
		if (restart && strcmp(restart, "Always") == 0) {
			req_add(&sum, &one);
			req_add(&side, &one);
			req_max(&init, &side);
		} else {
			tmp = one;
			req_add(&tmp, &side);
			req_max(&init, &tmp);
		}
	}
	req_max(&sum, &init);
	req_load(&one, sk_obj_get(pod, "spec.overhead"));
	req_add(&sum, &one);
	out->milli_cpu = sk_quantity_milli(&sum.cpu);
	out->memory = sk_quantity_value(&sum.memory);
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
	if (c && c->put)
		c->put(c, PRESCORE_KEY, s, free);
	else
		free(s);
	return SK_SCHED_SUCCESS;
}

/* balancedResourceScorer. With two resources the standard deviation of the
 * shares is half their difference; a resource the node has none of is left
 * out, and with one share left the deviation is 0. */
static int64_t score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n)
{
	(void)ud;
	struct pod_req own, *s = c && c->get ? c->get(c, PRESCORE_KEY) : NULL;
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
