/* replication.c — ReplicationControllers: selector and labels defaulting
 * to the pod template's labels, and ValidateReplicationController's rules
 * on the selector, the replica counts and the template. (The template's
 * pod spec is checked by the Pod rules only when pods are created.) */
#include "kinds.h"
#include <string.h>

static void defaults(void *ud, sk_obj *rc)
{
	(void)ud;
	sk_obj *labels = sk_obj_get(rc, "spec.template.metadata.labels");
	if (!labels || sk_obj_type_of(labels) != SK_OBJ_OBJECT)
		return;
	if (!sk_obj_len(sk_obj_get(rc, "spec.selector")))
		sk_obj_set(rc, "spec.selector", labels, NULL);
	if (!sk_obj_len(sk_obj_get(rc, "metadata.labels")))
		sk_obj_set(rc, "metadata.labels", labels, NULL);
}

struct match {
	const sk_obj *labels;
	int ok;
};

/* the selector's pairs all among the template's labels */
static int matches(void *ud, const char *k, sk_obj *v)
{
	struct match *m = ud;
	char path[600];
	const char *have = kinds_key_path(path, sizeof path, "", k) == 0 ? sk_obj_get_str(m->labels, path) : NULL;
	if (!have || !sk_obj_str(v) || strcmp(have, sk_obj_str(v)))
		m->ok = 0;
	return 0;
}

static void check_template(const sk_obj *rc, sk_obj *causes)
{
	sk_obj *tmpl = sk_obj_get(rc, "spec.template"), *sel = sk_obj_get(rc, "spec.selector");
	if (!tmpl) {
		sk_cause_required(causes, "spec.template", NULL);
		return;
	}
	sk_obj *labels = sk_obj_get(tmpl, "metadata.labels");
	if (sk_obj_len(sel)) {
		struct match m = {labels, 1};
		sk_obj_foreach(sel, matches, &m);
		if (!m.ok)
			sk_cause_invalid_obj(causes, "spec.template.metadata.labels", labels,
			                     "`selector` does not match template `labels`");
	}
	if (labels)
		sk_check_labels(causes, "spec.template.labels", labels);
	const char *restart = sk_obj_get_str(tmpl, "spec.restartPolicy");
	static const char *const always[] = {"Always", NULL};
	if (restart && strcmp(restart, "Always"))
		sk_cause_not_supported(causes, "spec.template.spec.restartPolicy", restart, always);
	if (sk_obj_get(tmpl, "spec.activeDeadlineSeconds"))
		sk_cause_forbidden(causes, "spec.template.spec.activeDeadlineSeconds",
		                   "activeDeadlineSeconds in ReplicationController is not Supported");
}

static void check_status(const sk_obj *rc, sk_obj *causes)
{
	static const char *const counts[] = {"replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas",
	                                     "observedGeneration"};
	char f[64];
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		snprintf(f, sizeof f, "status.%s", counts[i]);
		sk_check_nonnegative(causes, f, sk_obj_get_int(rc, f, 0));
	}
	int64_t replicas = sk_obj_get_int(rc, "status.replicas", 0);
	int64_t ready = sk_obj_get_int(rc, "status.readyReplicas", 0);
	int64_t available = sk_obj_get_int(rc, "status.availableReplicas", 0);
	int64_t labeled = sk_obj_get_int(rc, "status.fullyLabeledReplicas", 0);
	static const char more[] = "cannot be greater than status.replicas";
	if (labeled > replicas)
		sk_cause_invalid_int(causes, "status.fullyLabeledReplicas", labeled, "%s", more);
	if (ready > replicas)
		sk_cause_invalid_int(causes, "status.readyReplicas", ready, "%s", more);
	if (available > replicas)
		sk_cause_invalid_int(causes, "status.availableReplicas", available, "%s", more);
	if (available > ready)
		sk_cause_invalid_int(causes, "status.availableReplicas", available, "cannot be greater than readyReplicas");
}

static int validate(void *ud, const sk_obj *rc, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	sk_check_nonnegative(causes, "spec.minReadySeconds", sk_obj_get_int(rc, "spec.minReadySeconds", 0));
	if (!sk_obj_len(sk_obj_get(rc, "spec.selector")))
		sk_cause_required(causes, "spec.selector", NULL);
	if (!sk_obj_get(rc, "spec.replicas"))
		sk_cause_required(causes, "spec.replicas", NULL);
	else
		sk_check_nonnegative(causes, "spec.replicas", sk_obj_get_int(rc, "spec.replicas", 0));
	check_template(rc, causes);
	check_status(rc, causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

void kinds_replicationcontroller(sk_resource_ops *r)
{
	r->defaults = defaults;
	r->validate = validate;
}
