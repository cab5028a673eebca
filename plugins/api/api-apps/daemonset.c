/* daemonset.c — DaemonSets: the rolling update Kubernetes fills in
 * (maxUnavailable 1, maxSurge 0) and the template generation annotation,
 * ValidateDaemonSetSpec and its status rules, and the DESIRED ... NODE
 * SELECTOR columns. */
#include "apps.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEMPLATE_GENERATION "metadata.annotations[\"deprecated.daemonset.template.generation\"]"

static void defaults(void *ud, sk_obj *ds)
{
	(void)ud;
	const char *type = sk_obj_get_str(ds, "spec.updateStrategy.type");
	if (!type)
		sk_obj_set_str(ds, "spec.updateStrategy.type", type = "RollingUpdate", NULL);
	if (!strcmp(type, "RollingUpdate")) {
		if (!sk_obj_get(ds, "spec.updateStrategy.rollingUpdate.maxUnavailable"))
			sk_obj_set_int(ds, "spec.updateStrategy.rollingUpdate.maxUnavailable", 1, NULL);
		if (!sk_obj_get(ds, "spec.updateStrategy.rollingUpdate.maxSurge"))
			sk_obj_set_int(ds, "spec.updateStrategy.rollingUpdate.maxSurge", 0, NULL);
	}
	/* apps/v1 carries the internal templateGeneration (1 on create) in
	 * this annotation; updates keep the value they were read with */
	if (workload_creating(ds) && !sk_obj_get(ds, TEMPLATE_GENERATION))
		sk_obj_set_str(ds, TEMPLATE_GENERATION, "1", NULL);
}

/* ValidateRollingUpdateDaemonSet */
static void rolling_update(sk_obj *causes, const sk_obj *ru)
{
	static const char mu_f[] = "spec.updateStrategy.rollingUpdate.maxUnavailable",
	                  ms_f[] = "spec.updateStrategy.rollingUpdate.maxSurge";
	sk_obj *mu = sk_obj_get(ru, "maxUnavailable"), *ms = sk_obj_get(ru, "maxSurge");
	if (mu)
		sk_check_int_or_percent(causes, mu_f, mu);
	if (ms)
		sk_check_int_or_percent(causes, ms_f, ms);
	if (mu)
		workload_not_over_100(causes, mu_f, mu);
	if (ms)
		workload_not_over_100(causes, ms_f, ms);
	int unavailable = mu && workload_int_or_percent(mu) != 0, surge = ms && workload_int_or_percent(ms) != 0;
	if (unavailable && surge)
		workload_invalid_int_or_string(causes, ms_f, ms, "may not be set when maxUnavailable is non-zero");
	else if (!unavailable && !surge)
		sk_cause_required(causes, mu_f, "cannot be 0 when maxSurge is 0");
}

/* ValidateDaemonSetUpdateStrategy; an unknown type is the schema's enum error */
static void update_strategy(sk_obj *causes, const sk_obj *spec)
{
	const char *type = sk_obj_get_str(spec, "updateStrategy.type");
	sk_obj *ru = sk_obj_get(spec, "updateStrategy.rollingUpdate");
	if (!type || strcmp(type, "RollingUpdate"))
		return;
	if (!ru)
		sk_cause_required(causes, "spec.updateStrategy.rollingUpdate", NULL);
	else
		rolling_update(causes, ru);
}

static void status(sk_obj *causes, const sk_obj *ds, const sk_obj *old)
{
	static const char *const counters[] = {"currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
	                                       "numberReady", "observedGeneration", "updatedNumberScheduled",
	                                       "numberAvailable", "numberUnavailable", "collisionCount", NULL};
	workload_status_nonnegative(causes, ds, counters);
	if (old)
		workload_collision_count(causes, ds, old);
}

/* ValidateDaemonSetSpec; the selector's presence is the schema's */
static int validate(void *ud, const sk_obj *ds, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	sk_obj *spec = sk_obj_get(ds, "spec");
	workload_selector(causes, spec, "daemonset");
	workload_selector_matches(causes, spec, NULL);
	workload_pod_template(causes, spec, 1);
	workload_always_restart(causes, spec, "DaemonSet");
	workload_nonnegative(causes, spec, "minReadySeconds");
	update_strategy(causes, spec);
	workload_nonnegative(causes, spec, "revisionHistoryLimit");
	status(causes, ds, old);
	return sk_obj_len(causes) ? SK_EINVALID : SK_OK;
}

static const sk_column columns[] = {
	{"Desired", "integer",
	 "The total number of nodes that should be running the daemon pod (including nodes correctly running the "
	 "daemon pod).",
	 0, NULL},
	{"Current", "integer",
	 "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.", 0,
	 NULL},
	{"Ready", "integer",
	 "numberReady is the number of nodes that should be running the daemon pod and have one or more of the "
	 "daemon pod running with a Ready Condition.",
	 0, NULL},
	{"Up-to-date", "integer", "The total number of nodes that are running updated daemon pod", 0, NULL},
	{"Available", "integer",
	 "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running "
	 "and available (ready for at least spec.minReadySeconds)",
	 0, NULL},
	{"Node Selector", "string",
	 "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a "
	 "node's labels for the pod to be scheduled on that node.",
	 0, NULL},
	WORKLOAD_AGE,
	WORKLOAD_CONTAINERS,
	WORKLOAD_IMAGES,
	{"Selector", "string", "A label query over pods that are managed by the daemon set.", 1, NULL},
	WORKLOAD_END,
};

struct pair {
	const char *key, *value;
};

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct pair *)a)->key, ((const struct pair *)b)->key);
}

static int collect(void *ud, const char *key, sk_obj *v)
{
	struct pair **at = ud;
	(*at)->key = key;
	(*at)->value = sk_obj_str(v);
	(*at)++;
	return 0;
}

/* labels.FormatLabels: k=v sorted by key, or <none> */
static void cell_labels(sk_obj *cells, size_t i, const sk_obj *m)
{
	size_t n = sk_obj_type_of(m) == SK_OBJ_OBJECT ? sk_obj_len(m) : 0;
	struct pair *pairs = n ? calloc(n, sizeof *pairs) : NULL, *at = pairs;
	char buf[4096] = "";
	if (!pairs) {
		cell_str(cells, i, "<none>");
		return;
	}
	sk_obj_foreach(m, collect, &at);
	qsort(pairs, n, sizeof *pairs, cmp_key);
	for (size_t k = 0; k < n; k++) {
		size_t len = strlen(buf);
		snprintf(buf + len, sizeof buf - len, "%s%s=%s", k ? "," : "", pairs[k].key,
		         pairs[k].value ? pairs[k].value : "");
	}
	free(pairs);
	cell_str(cells, i, buf);
}

static void row(void *ud, const sk_obj *ds, sk_obj *cells)
{
	(void)ud;
	static const char *const counts[] = {"desiredNumberScheduled", "currentNumberScheduled", "numberReady",
	                                     "updatedNumberScheduled", "numberAvailable"};
	sk_obj *status = sk_obj_get(ds, "status");
	for (size_t i = 0; i < 5; i++)
		cell_int(cells, i, sk_obj_get_int(status, counts[i], 0));
	cell_labels(cells, 5, sk_obj_get(ds, "spec.template.spec.nodeSelector"));
	cell_containers(cells, 7, sk_obj_get(ds, "spec.template"));
	cell_selector(cells, 9, sk_obj_get(ds, "spec.selector"), 1);
}

void apps_daemonset(sk_resource_ops *r)
{
	r->defaults = defaults;
	r->validate = validate;
	r->columns = columns;
	r->row = row;
}
