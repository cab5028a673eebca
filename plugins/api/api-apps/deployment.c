/* deployment.c — Deployments: the rolling update Kubernetes fills in
 * (maxUnavailable and maxSurge 25%), ValidateDeploymentSpec and its status
 * rules, and the READY / UP-TO-DATE / AVAILABLE columns. */
#include "apps.h"
#include <string.h>

static void defaults(void *ud, sk_obj *d)
{
	(void)ud;
	const char *type = sk_obj_get_str(d, "spec.strategy.type");
	if (!type)
		sk_obj_set_str(d, "spec.strategy.type", type = "RollingUpdate", NULL);
	if (strcmp(type, "RollingUpdate"))
		return;
	if (!sk_obj_get(d, "spec.strategy.rollingUpdate.maxUnavailable"))
		sk_obj_set_str(d, "spec.strategy.rollingUpdate.maxUnavailable", "25%", NULL);
	if (!sk_obj_get(d, "spec.strategy.rollingUpdate.maxSurge"))
		sk_obj_set_str(d, "spec.strategy.rollingUpdate.maxSurge", "25%", NULL);
}

/* ValidateRollingUpdateDeployment */
static void rolling_update(sk_obj *causes, const sk_obj *ru)
{
	static const char mu_f[] = "spec.strategy.rollingUpdate.maxUnavailable";
	sk_obj *mu = sk_obj_get(ru, "maxUnavailable"), *ms = sk_obj_get(ru, "maxSurge");
	if (mu)
		sk_check_int_or_percent(causes, mu_f, mu);
	if (ms)
		sk_check_int_or_percent(causes, "spec.strategy.rollingUpdate.maxSurge", ms);
	if ((!mu || workload_int_or_percent(mu) == 0) && (!ms || workload_int_or_percent(ms) == 0)) {
		if (mu)
			workload_invalid_int_or_string(causes, mu_f, mu, "may not be 0 when `maxSurge` is 0");
		else
			sk_cause_invalid_int(causes, mu_f, 0, "may not be 0 when `maxSurge` is 0");
	}
	if (mu)
		workload_not_over_100(causes, mu_f, mu);
}

/* ValidateDeploymentStrategy; an unknown type is the schema's enum error */
static void strategy(sk_obj *causes, const sk_obj *spec)
{
	const char *type = sk_obj_get_str(spec, "strategy.type");
	sk_obj *ru = sk_obj_get(spec, "strategy.rollingUpdate");
	if (type && !strcmp(type, "Recreate") && ru)
		sk_cause_forbidden(causes, "spec.strategy.rollingUpdate",
		                   "may not be specified when strategy `type` is 'Recreate'");
	else if (type && !strcmp(type, "RollingUpdate")) {
		if (!ru)
			sk_cause_required(causes, "spec.strategy.rollingUpdate", "this should be defaulted and never be nil");
		else
			rolling_update(causes, ru);
	}
}

static void status(sk_obj *causes, const sk_obj *d, const sk_obj *old)
{
	static const char *const counters[] = {"observedGeneration", "replicas", "updatedReplicas", "readyReplicas",
	                                       "availableReplicas", "unavailableReplicas", "collisionCount", NULL};
	static const char msg[] = "cannot be greater than status.replicas";
	workload_status_nonnegative(causes, d, counters);
	workload_status_not_above(causes, d, "updatedReplicas", "replicas", msg);
	workload_status_not_above(causes, d, "readyReplicas", "replicas", msg);
	workload_status_not_above(causes, d, "availableReplicas", "replicas", msg);
	workload_status_not_above(causes, d, "availableReplicas", "readyReplicas", "cannot be greater than readyReplicas");
	if (old)
		workload_collision_count(causes, d, old);
}

/* ValidateDeploymentSpec, in Kubernetes' order; the selector's presence
 * and the strategy type's values are the schema's */
static int validate(void *ud, const sk_obj *d, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	sk_obj *spec = sk_obj_get(d, "spec");
	workload_nonnegative(causes, spec, "replicas");
	workload_selector(causes, spec, "deployment");
	workload_selector_matches(causes, spec, "invalid label selector");
	workload_pod_template(causes, spec, 1);
	workload_always_restart(causes, spec, "ReplicaSet");
	strategy(causes, spec);
	workload_nonnegative(causes, spec, "minReadySeconds");
	workload_nonnegative(causes, spec, "revisionHistoryLimit");
	sk_obj *pds = sk_obj_get(spec, "progressDeadlineSeconds");
	if (pds && sk_obj_type_of(pds) == SK_OBJ_INT) {
		workload_nonnegative(causes, spec, "progressDeadlineSeconds");
		if (sk_obj_int(pds) <= sk_obj_get_int(spec, "minReadySeconds", 0))
			sk_cause_invalid_int(causes, "spec.progressDeadlineSeconds", sk_obj_int(pds),
			                     "must be greater than minReadySeconds");
	}
	status(causes, d, old);
	return sk_obj_len(causes) ? SK_EINVALID : SK_OK;
}

static const sk_column columns[] = {
	{"Ready", "string", "Number of the pod with ready state", 0, NULL},
	{"Up-to-date", "string",
	 "Total number of non-terminated pods targeted by this deployment that have the desired template spec.", 0,
	 NULL},
	{"Available", "string",
	 "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.", 0, NULL},
	WORKLOAD_AGE,
	WORKLOAD_CONTAINERS,
	WORKLOAD_IMAGES,
	{"Selector", "string",
	 "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by "
	 "this deployment.",
	 1, NULL},
	WORKLOAD_END,
};

static void row(void *ud, const sk_obj *d, sk_obj *cells)
{
	(void)ud;
	cell_ratio(cells, 0, sk_obj_get_int(d, "status.readyReplicas", 0), sk_obj_get_int(d, "spec.replicas", 1));
	cell_int(cells, 1, sk_obj_get_int(d, "status.updatedReplicas", 0));
	cell_int(cells, 2, sk_obj_get_int(d, "status.availableReplicas", 0));
	cell_containers(cells, 4, sk_obj_get(d, "spec.template"));
	/* printDeployment prints selector.String(): empty, not <none> */
	cell_selector(cells, 6, sk_obj_get(d, "spec.selector"), 0);
}

void apps_deployment(sk_resource_ops *r)
{
	r->defaults = defaults;
	r->validate = validate;
	r->columns = columns;
	r->row = row;
}
