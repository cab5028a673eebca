/* system.c — the PriorityClasses every Kubernetes cluster has,
 * system-node-critical and system-cluster-critical, created at the first
 * start as kube-apiserver's scheduling post-start hook does. */
#include "priorityclass.h"
#include <stdio.h>

/* SystemCriticalPriority (2000000000) and 1000 above it for node-critical */
const struct system_class system_classes[2] = {
	{"system-node-critical", 2000001000, "Used for system critical pods that must not be moved from their current node."},
	{"system-cluster-critical", 2000000000,
	 "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."},
};

static sk_plugin *self;

static void created(void *ud, const sk_err *err, const sk_obj *stored)
{
	(void)stored;
	const struct system_class *c = ud;
	if (err && err->code != SK_EEXIST)
		sk_log(self, SK_LOG_ERROR, "api-scheduling: creating priority class %s: %s", c->name, err->msg);
}

static int start(void *ud, sk_err *err)
{
	(void)ud;
	(void)err;
	for (size_t i = 0; i < 2; i++) {
		const struct system_class *c = &system_classes[i];
		sk_obj *have = NULL;
		if (sk_api_get("scheduling.k8s.io", "priorityclasses", NULL, c->name, &have, NULL) == SK_OK) {
			sk_obj_unref(have);
			continue;
		}
		sk_obj *pc = sk_obj_new_object();
		sk_obj_set_str(pc, "apiVersion", "scheduling.k8s.io/v1", NULL);
		sk_obj_set_str(pc, "kind", "PriorityClass", NULL);
		sk_obj_set_str(pc, "metadata.name", c->name, NULL);
		sk_obj_set_int(pc, "value", c->value, NULL);
		sk_obj_set_str(pc, "description", c->description, NULL);
		sk_obj_set_str(pc, "preemptionPolicy", "PreemptLowerPriority", NULL);
		sk_api_create(self, "scheduling.k8s.io", "priorityclasses", NULL, pc, created, (void *)c);
		sk_obj_unref(pc);
	}
	return SK_OK;
}

static const sk_controller_ops bootstrap = {sizeof bootstrap, "system-priority-classes", start, NULL};

int scheduling_system_classes_register(sk_plugin *p, sk_err *err)
{
	self = p;
	return sk_register(p, SK_EXT_CONTROLLER, &bootstrap, NULL, err);
}
