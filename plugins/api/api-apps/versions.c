/* versions.c — the workload API versions Kubernetes has removed but older
 * material still uses (extensions/v1beta1, apps/v1beta1, apps/v1beta2),
 * served over the apps/v1 objects with Kubernetes' deprecation warnings.
 * The shapes are nearly the same; what differs is what the old versions
 * defaulted: a selector from the template's labels, DaemonSets updated
 * OnDelete, and extensions/v1beta1 Deployments rolling one pod at a time. */
#include "versions.h"
#include <stdio.h>
#include <string.h>

#define TEMPLATE_GENERATION "deprecated.daemonset.template.generation"

static void copy_if_missing(sk_obj *obj, const char *to, const char *from)
{
	sk_obj *v = sk_obj_get(obj, from);
	if (v && !sk_obj_get(obj, to))
		sk_obj_set(obj, to, v, NULL);
}

/* old versions: selector and labels default to the pod template's labels */
static int workload_in(void *ud, sk_obj *obj, sk_err *err)
{
	(void)ud;
	(void)err;
	if (sk_obj_get(obj, "spec.template.metadata.labels")) {
		copy_if_missing(obj, "spec.selector.matchLabels", "spec.template.metadata.labels");
		copy_if_missing(obj, "metadata.labels", "spec.template.metadata.labels");
	}
	sk_obj_del(obj, "spec.rollbackTo");
	return SK_OK;
}

static int workload_out(void *ud, sk_obj *obj, sk_err *err)
{
	(void)ud;
	(void)err;
	(void)obj;
	return SK_OK;
}

/* extensions/v1beta1 Deployments: maxUnavailable and maxSurge 1, where
 * apps/v1 (whose defaults run next) would fill 25% */
static int ext_deployment_in(void *ud, sk_obj *obj, sk_err *err)
{
	workload_in(ud, obj, err);
	const char *type = sk_obj_get_str(obj, "spec.strategy.type");
	if (!type || !strcmp(type, "RollingUpdate") || sk_obj_get(obj, "spec.strategy.rollingUpdate")) {
		if (!sk_obj_get(obj, "spec.strategy.rollingUpdate.maxUnavailable"))
			sk_obj_set_int(obj, "spec.strategy.rollingUpdate.maxUnavailable", 1, NULL);
		if (!sk_obj_get(obj, "spec.strategy.rollingUpdate.maxSurge"))
			sk_obj_set_int(obj, "spec.strategy.rollingUpdate.maxSurge", 1, NULL);
	}
	return SK_OK;
}

/* extensions/v1beta1 DaemonSets: OnDelete by default, and templateGeneration
 * kept in the annotation Kubernetes used when it moved to apps */
static int daemonset_in(void *ud, sk_obj *obj, sk_err *err)
{
	workload_in(ud, obj, err);
	if (!sk_obj_get(obj, "spec.updateStrategy.type"))
		sk_obj_set_str(obj, "spec.updateStrategy.type", "OnDelete", NULL);
	sk_obj *tg = sk_obj_get(obj, "spec.templateGeneration");
	if (tg) {
		char buf[32];
		snprintf(buf, sizeof buf, "%lld", (long long)sk_obj_int(tg));
		sk_obj_set_str(obj, "metadata.annotations[\"" TEMPLATE_GENERATION "\"]", buf, NULL);
		sk_obj_del(obj, "spec.templateGeneration");
	}
	return SK_OK;
}

static int daemonset_out(void *ud, sk_obj *obj, sk_err *err)
{
	(void)ud;
	(void)err;
	const char *tg = sk_obj_get_str(obj, "metadata.annotations[\"" TEMPLATE_GENERATION "\"]");
	if (tg)
		sk_obj_set_int(obj, "spec.templateGeneration", strtoll(tg, NULL, 10), NULL);
	return SK_OK;
}

#define OLD(group_, version_, plural_, singular_, kind_, subs_, shorts_, pkg_, in_, out_, deprecated_, gone_)      \
	{                                                                                                     \
		.size = sizeof(sk_resource_ops), .name = plural_ "." version_ "." group_, .group = group_,      \
		.version = version_, .kind = kind_, .plural = plural_, .singular = singular_,                    \
		.list_kind = kind_ "List", .short_names = shorts_, .namespaced = 1, .subresources = subs_,       \
		.type = pkg_ "." kind_, .storage = plural_ ".apps", .to_storage = in_, .from_storage = out_,      \
		.deprecation = group_ "/" version_ " " kind_ " is deprecated in v" deprecated_ "+, unavailable in v"   \
		                                                                gone_ "+; use apps/v1 " kind_, \
	}

#define EXT "io.k8s.api.extensions.v1beta1"
#define B1 "io.k8s.api.apps.v1beta1"
#define B2 "io.k8s.api.apps.v1beta2"
#define SS (SK_SUB_STATUS | SK_SUB_SCALE)

static const sk_resource_ops old_versions[] = {
	OLD("extensions", "v1beta1", "deployments", "deployment", "Deployment", SS, NULL, EXT,
	    ext_deployment_in, workload_out, "1.9", "1.16"),
	OLD("extensions", "v1beta1", "replicasets", "replicaset", "ReplicaSet", SS, NULL, EXT, workload_in,
	    workload_out, "1.9", "1.16"),
	OLD("extensions", "v1beta1", "daemonsets", "daemonset", "DaemonSet", SK_SUB_STATUS, NULL, EXT,
	    daemonset_in, daemonset_out, "1.9", "1.16"),
	OLD("apps", "v1beta1", "deployments", "deployment", "Deployment", SS, NULL, B1, workload_in,
	    workload_out, "1.9", "1.16"),
	OLD("apps", "v1beta1", "statefulsets", "statefulset", "StatefulSet", SS, NULL, B1, workload_in,
	    workload_out, "1.9", "1.16"),
	OLD("apps", "v1beta2", "deployments", "deployment", "Deployment", SS, NULL, B2, workload_in,
	    workload_out, "1.9", "1.16"),
	OLD("apps", "v1beta2", "replicasets", "replicaset", "ReplicaSet", SS, NULL, B2, workload_in,
	    workload_out, "1.9", "1.16"),
	OLD("apps", "v1beta2", "daemonsets", "daemonset", "DaemonSet", SK_SUB_STATUS, NULL, B2,
	    workload_in, workload_out, "1.9", "1.16"),
	OLD("apps", "v1beta2", "statefulsets", "statefulset", "StatefulSet", SS, NULL, B2, workload_in,
	    workload_out, "1.9", "1.16"),
};

int apps_old_versions_register(sk_plugin *p, sk_err *err)
{
	return sk_register_resources(p, old_versions, sizeof old_versions / sizeof old_versions[0], err);
}
