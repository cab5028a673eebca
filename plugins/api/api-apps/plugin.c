/* api-apps — the apps/v1 kinds: Deployments, ReplicaSets, StatefulSets,
 * DaemonSets and ControllerRevisions: their types (apps.types),
 * registrations, and each kind's defaults, validation and columns (one
 * file per kind), plus the removed versions served over them (versions.c). */
#include "apps.h"
#include "versions.h"
#include <string.h>

extern const char apps_types[];
extern const unsigned long apps_types_len;

static sk_resource_ops resources[] = {
	SK_GROUP_RESOURCE("apps", "v1", "deployments", "deployment", "Deployment", 1, SK_SUB_STATUS | SK_SUB_SCALE,
	                  SK_LIST("deploy"), SK_LIST("all"), "io.k8s.api.apps.v1"),
	SK_GROUP_RESOURCE("apps", "v1", "replicasets", "replicaset", "ReplicaSet", 1, SK_SUB_STATUS | SK_SUB_SCALE,
	                  SK_LIST("rs"), SK_LIST("all"), "io.k8s.api.apps.v1"),
	SK_GROUP_RESOURCE("apps", "v1", "statefulsets", "statefulset", "StatefulSet", 1, SK_SUB_STATUS | SK_SUB_SCALE,
	                  SK_LIST("sts"), SK_LIST("all"), "io.k8s.api.apps.v1"),
	SK_GROUP_RESOURCE("apps", "v1", "daemonsets", "daemonset", "DaemonSet", 1, SK_SUB_STATUS, SK_LIST("ds"),
	                  SK_LIST("all"), "io.k8s.api.apps.v1"),
	SK_GROUP_RESOURCE("apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", 1, 0, NULL,
	                  NULL, "io.k8s.api.apps.v1"),
};

static const struct {
	const char *plural;
	void (*setup)(sk_resource_ops *r);
} kinds[] = {
	{"deployments", apps_deployment},
	{"replicasets", apps_replicaset},
	{"statefulsets", apps_statefulset},
	{"daemonsets", apps_daemonset},
	{"controllerrevisions", apps_controllerrevision},
};

static int init(sk_plugin *p, sk_err *err)
{
	int rc = sk_types_define(p, "apps.types", apps_types, apps_types_len, err);
	if (rc != SK_OK)
		return rc;
	for (size_t i = 0; i < sizeof resources / sizeof resources[0]; i++)
		for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			if (!strcmp(resources[i].plural, kinds[k].plural))
				kinds[k].setup(&resources[i]);
	rc = sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err);
	return rc != SK_OK ? rc : apps_old_versions_register(p, err);
}

SK_PLUGIN("api-apps", SKIFF_VERSION, "the apps/v1 kinds: Deployments, ReplicaSets, StatefulSets, DaemonSets",
          SK_LIST("api.apps"), SK_LIST("api-core"), init, NULL);
