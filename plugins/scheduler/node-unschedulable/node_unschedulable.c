/* node_unschedulable.c — the scheduling framework's NodeUnschedulable
 * filter: a cordoned node (spec.unschedulable) takes only pods that tolerate
 * the node.kubernetes.io/unschedulable:NoSchedule taint, as kube-scheduler
 * 1.32 does. */
#include <skiff/skiff.h>
#include <stdio.h>
#include <string.h>

#define TAINT_KEY "node.kubernetes.io/unschedulable"
#define TAINT_EFFECT "NoSchedule"

static int empty(const char *s) { return !s || !*s; }

/* Toleration.ToleratesTaint against the unschedulable taint, whose value
 * is empty: an empty effect or key matches any, Exists matches any value,
 * Equal (or no operator) matches only the empty value. */
static int tolerates(const sk_obj *t)
{
	const char *effect = sk_obj_get_str(t, "effect"), *key = sk_obj_get_str(t, "key");
	const char *op = sk_obj_get_str(t, "operator"), *value = sk_obj_get_str(t, "value");
	if (!empty(effect) && strcmp(effect, TAINT_EFFECT) != 0)
		return 0;
	if (!empty(key) && strcmp(key, TAINT_KEY) != 0)
		return 0;
	if (empty(op) || strcmp(op, "Equal") == 0)
		return empty(value);
	return strcmp(op, "Exists") == 0;
}

static int filter(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n, char *reason, size_t cap)
{
	(void)ud;
	(void)c;
	if (!n->node) {
		snprintf(reason, cap, "node(s) had unknown conditions");
		return SK_SCHED_UNRESOLVABLE;
	}
	if (!n->unschedulable)
		return SK_SCHED_SUCCESS;
	const sk_obj *ts = sk_obj_get(pod, "spec.tolerations");
	size_t nt = sk_obj_type_of(ts) == SK_OBJ_ARRAY ? sk_obj_len(ts) : 0;
	for (size_t i = 0; i < nt; i++)
		if (tolerates(sk_obj_at(ts, i)))
			return SK_SCHED_SUCCESS;
	/* Kubernetes' wording, counted across nodes in FailedScheduling events */
	snprintf(reason, cap, "node(s) were unschedulable");
	return SK_SCHED_UNRESOLVABLE;
}

static const sk_sched_policy_ops ops = {.size = sizeof ops, .name = "NodeUnschedulable", .filter = filter};

static int init(sk_plugin *p, sk_err *err) { return sk_register(p, SK_EXT_SCHEDULER, &ops, NULL, err); }

SK_PLUGIN("node-unschedulable", "0.1.0", "scheduler filter: cordoned nodes take only pods that tolerate it",
          SK_LIST("scheduler.filter.NodeUnschedulable"), SK_LIST(NULL), init, NULL);
