/* api-apps — the apps/v1 kinds: Deployments, ReplicaSets, StatefulSets, DaemonSets: their types (apps.types) and registrations. */
#include "versions.h"

extern const char apps_types[];
extern const unsigned long apps_types_len;

static const sk_resource_ops resources[] = {
	SK_GROUP_RESOURCE("apps", "v1", "deployments", "deployment", "Deployment", 1, SK_SUB_STATUS | SK_SUB_SCALE, SK_LIST("deploy"), SK_LIST("all"), "io.k8s.api.apps.v1"),
	SK_GROUP_RESOURCE("apps", "v1", "replicasets", "replicaset", "ReplicaSet", 1, SK_SUB_STATUS | SK_SUB_SCALE, SK_LIST("rs"), SK_LIST("all"), "io.k8s.api.apps.v1"),
	SK_GROUP_RESOURCE("apps", "v1", "statefulsets", "statefulset", "StatefulSet", 1, SK_SUB_STATUS | SK_SUB_SCALE, SK_LIST("sts"), SK_LIST("all"), "io.k8s.api.apps.v1"),
	SK_GROUP_RESOURCE("apps", "v1", "daemonsets", "daemonset", "DaemonSet", 1, SK_SUB_STATUS, SK_LIST("ds"), SK_LIST("all"), "io.k8s.api.apps.v1"),
	SK_GROUP_RESOURCE("apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", 1, 0, NULL, NULL, "io.k8s.api.apps.v1"),
};

static int init(sk_plugin *p, sk_err *err)
{
	int rc = sk_types_define(p, "apps.types", apps_types, apps_types_len, err);
	if (rc == SK_OK)
		rc = sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err);
	return rc != SK_OK ? rc : apps_old_versions_register(p, err);
}

SK_PLUGIN("api-apps", SKIFF_VERSION, "the apps/v1 kinds: Deployments, ReplicaSets, StatefulSets, DaemonSets", SK_LIST("api.apps"), SK_LIST("api-core"), init, NULL);
