/* api-discovery — the discovery.k8s.io/v1 kinds: EndpointSlices: their types (discovery.types) and registrations. */
#include "endpointslice.h"

extern const char discovery_types[];
extern const unsigned long discovery_types_len;

static sk_resource_ops resources[] = {
	SK_GROUP_RESOURCE("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", 1, 0, NULL, NULL, "io.k8s.api.discovery.v1"),
};

static int init(sk_plugin *p, sk_err *err)
{
	discovery_endpointslice(&resources[0]);
	int rc = sk_types_define(p, "discovery.types", discovery_types, discovery_types_len, err);
	return rc != SK_OK ? rc : sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err);
}

SK_PLUGIN("api-discovery", SKIFF_VERSION, "the discovery.k8s.io/v1 kinds: EndpointSlices", SK_LIST("api.discovery"), SK_LIST("api-core"), init, NULL);
