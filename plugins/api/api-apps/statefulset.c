/* statefulset.c — StatefulSets: the rolling update partition Kubernetes
 * fills in, ValidateStatefulSetSpec, the rule that only some of a
 * StatefulSet's spec may change, its status rules, and the READY column. */
#include "apps.h"
#include <stdio.h>
#include <string.h>

/* SetDefaults_StatefulSet fills rollingUpdate when it defaults the type;
 * the schema has defaulted the type already, so a RollingUpdate set gets
 * its partition whether or not the type was written. */
static void defaults(void *ud, sk_obj *s)
{
	(void)ud;
	const char *type = sk_obj_get_str(s, "spec.updateStrategy.type");
	if (type && !strcmp(type, "RollingUpdate") && !sk_obj_get(s, "spec.updateStrategy.rollingUpdate.partition"))
		sk_obj_set_int(s, "spec.updateStrategy.rollingUpdate.partition", 0, NULL);
}

/* validateRollingUpdateStatefulSet */
static void rolling_update(sk_obj *causes, const sk_obj *ru)
{
	static const char mu_f[] = "spec.updateStrategy.rollingUpdate.maxUnavailable";
	sk_obj *p = sk_obj_get(ru, "partition"), *mu = sk_obj_get(ru, "maxUnavailable");
	sk_check_nonnegative(causes, "spec.updateStrategy.rollingUpdate.partition", p ? sk_obj_int(p) : 0);
	if (!mu)
		return;
	sk_check_int_or_percent(causes, mu_f, mu);
	if (workload_int_or_percent(mu) == 0)
		workload_invalid_int_or_string(causes, mu_f, mu, "cannot be 0");
	workload_not_over_100(causes, mu_f, mu);
}

/* an empty or unknown type is the schema's enum error */
static void update_strategy(sk_obj *causes, const sk_obj *spec)
{
	const char *type = sk_obj_get_str(spec, "updateStrategy.type");
	sk_obj *ru = sk_obj_get(spec, "updateStrategy.rollingUpdate");
	if (!type)
		return;
	if (!strcmp(type, "OnDelete") && ru)
		sk_cause_invalid_obj(causes, "spec.updateStrategy.rollingUpdate", ru,
		                     "only allowed for updateStrategy 'RollingUpdate'");
	else if (!strcmp(type, "RollingUpdate") && ru)
		rolling_update(causes, ru);
}

static void retention_policy(sk_obj *causes, const sk_obj *spec)
{
	static const char *const which[] = {"whenDeleted", "whenScaled"};
	sk_obj *policy = sk_obj_get(spec, "persistentVolumeClaimRetentionPolicy");
	for (size_t i = 0; policy && i < 2; i++) {
		const char *v = sk_obj_get_str(policy, which[i]);
		if (!v || (strcmp(v, "Retain") && strcmp(v, "Delete"))) {
			char f[96];
			snprintf(f, sizeof f, "spec.persistentVolumeClaimRetentionPolicy.%s", which[i]);
			sk_cause_not_supported(causes, f, v, SK_LIST("Retain", "Delete"));
		}
	}
}

/* ValidateStatefulSetSpec; podManagementPolicy's values (empty too) and
 * the selector's presence are the schema's. The pod spec is not validated,
 * as Kubernetes does not: its volume mounts may name volumeClaimTemplates. */
static void validate_spec(sk_obj *causes, const sk_obj *spec)
{
	update_strategy(causes, spec);
	retention_policy(causes, spec);
	workload_nonnegative(causes, spec, "replicas");
	workload_nonnegative(causes, spec, "minReadySeconds");
	sk_obj *start = sk_obj_get(spec, "ordinals.start");
	if (start && sk_obj_type_of(start) == SK_OBJ_INT)
		sk_check_nonnegative(causes, "spec.ordinals.start", sk_obj_int(start));
	workload_selector(causes, spec, "statefulset");
	workload_selector_matches(causes, spec, "");
	workload_pod_template(causes, spec, 0);
	workload_always_restart(causes, spec, "StatefulSet");
}

/* ValidateStatefulSetUpdate: the spec with the mutable fields taken from
 * the old one must equal the old spec */
static void validate_update(sk_obj *causes, const sk_obj *s, const sk_obj *old)
{
	static const char *const mutable[] = {"replicas", "template", "updateStrategy", "minReadySeconds", "ordinals",
	                                      "persistentVolumeClaimRetentionPolicy"};
	sk_obj *want = sk_obj_copy(sk_obj_get(s, "spec")), *was = sk_obj_get(old, "spec");
	if (!want || !was) {
		sk_obj_unref(want);
		return;
	}
	for (size_t i = 0; i < sizeof mutable / sizeof mutable[0]; i++) {
		sk_obj *v = sk_obj_get(was, mutable[i]);
		if (v)
			sk_obj_set(want, mutable[i], v, NULL);
		else
			sk_obj_del(want, mutable[i]);
	}
	if (!sk_obj_equal(want, was))
		sk_cause_forbidden(causes, "spec",
		                   "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
		                   "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are "
		                   "forbidden");
	sk_obj_unref(want);
}

static void status(sk_obj *causes, const sk_obj *s, const sk_obj *old)
{
	static const char *const counters[] = {"replicas", "readyReplicas", "currentReplicas", "updatedReplicas",
	                                       "availableReplicas", "observedGeneration", "collisionCount", NULL};
	static const char msg[] = "cannot be greater than status.replicas";
	workload_status_nonnegative(causes, s, counters);
	workload_status_not_above(causes, s, "readyReplicas", "replicas", msg);
	workload_status_not_above(causes, s, "currentReplicas", "replicas", msg);
	workload_status_not_above(causes, s, "updatedReplicas", "replicas", msg);
	workload_status_not_above(causes, s, "availableReplicas", "replicas", msg);
	workload_status_not_above(causes, s, "availableReplicas", "readyReplicas",
	                          "cannot be greater than status.readyReplicas");
	if (old)
		workload_collision_count(causes, s, old);
}

static int validate(void *ud, const sk_obj *s, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	validate_spec(causes, sk_obj_get(s, "spec"));
	if (old)
		validate_update(causes, s, old);
	status(causes, s, old);
	return sk_obj_len(causes) ? SK_EINVALID : SK_OK;
}

static const sk_column columns[] = {
	{"Ready", "string", "Number of the pod with ready state", 0, NULL},
	WORKLOAD_AGE,
	WORKLOAD_CONTAINERS,
	WORKLOAD_IMAGES,
	WORKLOAD_END,
};

static void row(void *ud, const sk_obj *s, sk_obj *cells)
{
	(void)ud;
	cell_ratio(cells, 0, sk_obj_get_int(s, "status.readyReplicas", 0), sk_obj_get_int(s, "spec.replicas", 1));
	cell_containers(cells, 2, sk_obj_get(s, "spec.template"));
}

void apps_statefulset(sk_resource_ops *r)
{
	r->defaults = defaults;
	r->validate = validate;
	r->columns = columns;
	r->row = row;
	/* pods take their hostname from the set's name (ValidateStatefulSetName) */
	r->name_rule = SK_NAME_DNS_LABEL;
}
