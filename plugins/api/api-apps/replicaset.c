/* replicaset.c — ReplicaSets: ValidateReplicaSetSpec and its status rules,
 * and the DESIRED / CURRENT / READY columns. */
#include "apps.h"

static void status(sk_obj *causes, const sk_obj *rs)
{
	static const char *const counters[] = {"replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas",
	                                       "observedGeneration", NULL};
	static const char msg[] = "cannot be greater than status.replicas";
	workload_status_nonnegative(causes, rs, counters);
	workload_status_not_above(causes, rs, "fullyLabeledReplicas", "replicas", msg);
	workload_status_not_above(causes, rs, "readyReplicas", "replicas", msg);
	workload_status_not_above(causes, rs, "availableReplicas", "replicas", msg);
	workload_status_not_above(causes, rs, "availableReplicas", "readyReplicas", "cannot be greater than readyReplicas");
}

static int validate(void *ud, const sk_obj *rs, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	sk_obj *spec = sk_obj_get(rs, "spec");
	workload_nonnegative(causes, spec, "replicas");
	workload_nonnegative(causes, spec, "minReadySeconds");
	/* Kubernetes' message names deployments here too */
	workload_selector(causes, spec, "deployment");
	workload_selector_matches(causes, spec, "invalid label selector");
	workload_pod_template(causes, spec, 1);
	workload_always_restart(causes, spec, "ReplicaSet");
	status(causes, rs);
	return sk_obj_len(causes) ? SK_EINVALID : SK_OK;
}

static const sk_column columns[] = {
	{"Desired", "integer", "Replicas is the number of desired replicas.", 0, NULL},
	{"Current", "integer", "Replicas is the most recently observed number of replicas.", 0, NULL},
	{"Ready", "integer", "The number of ready replicas for this replica set.", 0, NULL},
	WORKLOAD_AGE,
	WORKLOAD_CONTAINERS,
	WORKLOAD_IMAGES,
	{"Selector", "string", "Selector is a label query over pods that should match the replica count.", 1, NULL},
	WORKLOAD_END,
};

static void row(void *ud, const sk_obj *rs, sk_obj *cells)
{
	(void)ud;
	cell_int(cells, 0, sk_obj_get_int(rs, "spec.replicas", 1));
	cell_int(cells, 1, sk_obj_get_int(rs, "status.replicas", 0));
	cell_int(cells, 2, sk_obj_get_int(rs, "status.readyReplicas", 0));
	cell_containers(cells, 4, sk_obj_get(rs, "spec.template"));
	cell_selector(cells, 6, sk_obj_get(rs, "spec.selector"), 1);
}

void apps_replicaset(sk_resource_ops *r)
{
	r->validate = validate;
	r->columns = columns;
	r->row = row;
}
