/* nodename — the scheduling framework's NodeName filter: a pod that names
 * a node in spec.nodeName fits only that node. */
#include <skiff/skiff.h>
#include <stdio.h>
#include <string.h>

static int filter(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n, char *reason, size_t cap)
{
	(void)ud;
	(void)c;
	const char *want = sk_obj_get_str(pod, "spec.nodeName");
	if (!want || !*want || strcmp(want, n->name) == 0)
		return SK_SCHED_SUCCESS;
	/* Kubernetes' wording, counted across nodes in FailedScheduling events */
	snprintf(reason, cap, "node(s) didn't match the requested node name");
	return SK_SCHED_UNRESOLVABLE;
}

static const sk_sched_policy_ops ops = {.size = sizeof ops, .name = "NodeName", .filter = filter};

static int init(sk_plugin *p, sk_err *err) { return sk_register(p, SK_EXT_SCHEDULER, &ops, NULL, err); }

SK_PLUGIN("nodename", "0.1.0", "scheduler filter: pods with spec.nodeName fit only that node",
          SK_LIST("scheduler.filter.NodeName"), SK_LIST(NULL), init, NULL);
