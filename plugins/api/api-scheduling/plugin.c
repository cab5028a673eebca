/* api-scheduling — the scheduling.k8s.io/v1 kinds: PriorityClasses: their types (scheduling.types), registrations, and the system classes. */
#include "priorityclass.h"

extern const char scheduling_types[];
extern const unsigned long scheduling_types_len;

static sk_resource_ops resources[] = {
	SK_GROUP_RESOURCE("scheduling.k8s.io", "v1", "priorityclasses", "priorityclass", "PriorityClass", 0, 0, SK_LIST("pc"), NULL, "io.k8s.api.scheduling.v1"),
};

static int init(sk_plugin *p, sk_err *err)
{
	scheduling_priorityclass(&resources[0]);
	int rc = sk_types_define(p, "scheduling.types", scheduling_types, scheduling_types_len, err);
	if (rc == SK_OK)
		rc = sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err);
	if (rc == SK_OK)
		rc = scheduling_old_versions_register(p, err);
	return rc != SK_OK ? rc : scheduling_system_classes_register(p, err);
}

SK_PLUGIN("api-scheduling", SKIFF_VERSION, "the scheduling.k8s.io/v1 kinds: PriorityClasses", SK_LIST("api.scheduling"), SK_LIST("api-core"), init, NULL);
