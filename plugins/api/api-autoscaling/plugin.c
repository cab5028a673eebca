/* api-autoscaling — the autoscaling kinds: HorizontalPodAutoscalers: their types (autoscaling.types) and registrations. */
#include <skiff/skiff.h>

extern const char autoscaling_types[];
extern const unsigned long autoscaling_types_len;

static const sk_resource_ops resources[] = {
	SK_GROUP_RESOURCE("autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", 1, SK_SUB_STATUS, SK_LIST("hpa"), SK_LIST("all"), "io.k8s.api.autoscaling.v2"),
};

static int init(sk_plugin *p, sk_err *err)
{
	int rc = sk_types_define(p, "autoscaling.types", autoscaling_types, autoscaling_types_len, err);
	return rc != SK_OK ? rc : sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err);
}

SK_PLUGIN("api-autoscaling", SKIFF_VERSION, "the autoscaling kinds: HorizontalPodAutoscalers", SK_LIST("api.autoscaling"), SK_LIST("api-core"), init, NULL);
