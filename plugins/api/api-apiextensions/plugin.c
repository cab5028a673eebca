/* api-apiextensions — the apiextensions.k8s.io/v1 kinds: CustomResourceDefinitions: their types
 * (apiextensions.types), registration, defaults and validation (crd_validate.c), and the controller that
 * serves the custom resources each one defines (crd.c). */
#include "crd.h"

extern const char apiextensions_types[];
extern const unsigned long apiextensions_types_len;

static sk_resource_ops resources[] = {
	SK_GROUP_RESOURCE("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", 0, SK_SUB_STATUS, SK_LIST("crd", "crds"), NULL, "io.k8s.api.apiextensions.v1"),
};

static int init(sk_plugin *p, sk_err *err)
{
	int rc = sk_types_define(p, "apiextensions.types", apiextensions_types, apiextensions_types_len, err);
	if (rc != SK_OK)
		return rc;
	crd_kind(p, &resources[0]);
	rc = sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err);
	return rc != SK_OK ? rc : crd_controller_register(p, err);
}

SK_PLUGIN("api-apiextensions", SKIFF_VERSION, "the apiextensions.k8s.io/v1 kinds: CustomResourceDefinitions", SK_LIST("api.apiextensions"), SK_LIST("api-core"), init, NULL);
