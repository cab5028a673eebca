/* api-networking — the networking.k8s.io/v1 kinds: Ingresses, IngressClasses, NetworkPolicies: their types (networking.types) and registrations. */
#include "kinds.h"
#include "versions.h"

extern const char networking_types[];
extern const unsigned long networking_types_len;

static sk_resource_ops resources[] = {
	SK_GROUP_RESOURCE("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", 1, SK_SUB_STATUS, SK_LIST("ing"), NULL, "io.k8s.api.networking.v1"),
	SK_GROUP_RESOURCE("networking.k8s.io", "v1", "ingressclasses", "ingressclass", "IngressClass", 0, 0, NULL, NULL, "io.k8s.api.networking.v1"),
	SK_GROUP_RESOURCE("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", 1, 0, SK_LIST("netpol"), NULL, "io.k8s.api.networking.v1"),
};

static int init(sk_plugin *p, sk_err *err)
{
	networking_ingress(&resources[0]);
	networking_ingressclass(&resources[1]);
	networking_networkpolicy(&resources[2]);
	int rc = sk_types_define(p, "networking.types", networking_types, networking_types_len, err);
	if (rc == SK_OK)
		rc = sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err);
	return rc != SK_OK ? rc : networking_old_versions_register(p, err);
}

SK_PLUGIN("api-networking", SKIFF_VERSION, "the networking.k8s.io/v1 kinds: Ingresses, IngressClasses, NetworkPolicies", SK_LIST("api.networking"), SK_LIST("api-core"), init, NULL);
