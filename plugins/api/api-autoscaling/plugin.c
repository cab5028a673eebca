/* api-autoscaling — HorizontalPodAutoscalers: their types
 * (autoscaling.types), stored as autoscaling/v2 with its defaults,
 * validation and columns (hpa.c), and served as autoscaling/v1 as well by
 * conversion (hpa_v1.c). autoscaling/v1 is not deprecated. */
#include "autoscaling.h"

extern const char autoscaling_types[];
extern const unsigned long autoscaling_types_len;

static sk_resource_ops resources[] = {
	SK_GROUP_RESOURCE("autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler",
	                  "HorizontalPodAutoscaler", 1, SK_SUB_STATUS, SK_LIST("hpa"), SK_LIST("all"),
	                  "io.k8s.api.autoscaling.v2"),
	{
		.size = sizeof(sk_resource_ops),
		.name = "horizontalpodautoscalers.v1.autoscaling",
		.group = "autoscaling",
		.version = "v1",
		.kind = "HorizontalPodAutoscaler",
		.plural = "horizontalpodautoscalers",
		.singular = "horizontalpodautoscaler",
		.list_kind = "HorizontalPodAutoscalerList",
		.short_names = SK_LIST("hpa"),
		.categories = SK_LIST("all"),
		.namespaced = 1,
		.subresources = SK_SUB_STATUS,
		.type = "io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler",
		.storage = "horizontalpodautoscalers.autoscaling",
	},
};

static int init(sk_plugin *p, sk_err *err)
{
	int rc = sk_types_define(p, "autoscaling.types", autoscaling_types, autoscaling_types_len, err);
	if (rc != SK_OK)
		return rc;
	hpa_v2(&resources[0]);
	hpa_v1(&resources[1]);
	return sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err);
}

SK_PLUGIN("api-autoscaling", SKIFF_VERSION, "the autoscaling kinds: HorizontalPodAutoscalers (v2, and v1 by conversion)",
          SK_LIST("api.autoscaling"), SK_LIST("api-core"), init, NULL);
