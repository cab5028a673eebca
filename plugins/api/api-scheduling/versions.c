/* versions.c — scheduling.k8s.io/v1alpha1 PriorityClass, unserved since
 * Kubernetes 1.17 but still in older charts: served over the v1 objects,
 * which have the same shape, with a deprecation warning in Kubernetes' words. */
#include "priorityclass.h"

static int same_shape(void *ud, sk_obj *obj, sk_err *err)
{
	(void)ud;
	(void)obj;
	(void)err;
	return SK_OK;
}

static const sk_resource_ops old_versions[] = {
	{
		.size = sizeof(sk_resource_ops), .name = "priorityclasses.v1alpha1.scheduling.k8s.io",
		.group = "scheduling.k8s.io", .version = "v1alpha1", .kind = "PriorityClass", .plural = "priorityclasses",
		.singular = "priorityclass", .list_kind = "PriorityClassList", .short_names = SK_LIST("pc"),
		.type = "io.k8s.api.scheduling.v1alpha1.PriorityClass", .storage = "priorityclasses.scheduling.k8s.io",
		.to_storage = same_shape, .from_storage = same_shape,
		.deprecation = "scheduling.k8s.io/v1alpha1 PriorityClass is deprecated in v1.14+, unavailable in v1.17+; "
		               "use scheduling.k8s.io/v1 PriorityClass",
	},
};

int scheduling_old_versions_register(sk_plugin *p, sk_err *err)
{
	return sk_register_resources(p, old_versions, sizeof old_versions / sizeof old_versions[0], err);
}
