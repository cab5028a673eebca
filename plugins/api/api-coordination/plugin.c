/* api-coordination — the coordination.k8s.io/v1 kinds: Leases: their types (coordination.types) and registrations. */
#include "lease.h"

extern const char coordination_types[];
extern const unsigned long coordination_types_len;

static sk_resource_ops resources[] = {
	SK_GROUP_RESOURCE("coordination.k8s.io", "v1", "leases", "lease", "Lease", 1, 0, NULL, NULL, "io.k8s.api.coordination.v1"),
};

static int init(sk_plugin *p, sk_err *err)
{
	coordination_lease(&resources[0]);
	int rc = sk_types_define(p, "coordination.types", coordination_types, coordination_types_len, err);
	return rc != SK_OK ? rc : sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err);
}

SK_PLUGIN("api-coordination", SKIFF_VERSION, "the coordination.k8s.io/v1 kinds: Leases", SK_LIST("api.coordination"), SK_LIST("api-core"), init, NULL);
