/* api-rbac — the rbac.authorization.k8s.io/v1 kinds: Roles, ClusterRoles and their bindings: their types (rbac.types) and registrations. */
#include "rbac.h"

extern const char rbac_types[];
extern const unsigned long rbac_types_len;

static sk_resource_ops resources[] = {
	SK_GROUP_RESOURCE("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", 1, 0, NULL, NULL, "io.k8s.api.rbac.v1"),
	SK_GROUP_RESOURCE("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", 1, 0, NULL, NULL, "io.k8s.api.rbac.v1"),
	SK_GROUP_RESOURCE("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", 0, 0, NULL, NULL, "io.k8s.api.rbac.v1"),
	SK_GROUP_RESOURCE("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", 0, 0, NULL, NULL, "io.k8s.api.rbac.v1"),
};

static int init(sk_plugin *p, sk_err *err)
{
	/* RBAC names are path segments (a ClusterRole may be "system:node") */
	for (size_t i = 0; i < sizeof resources / sizeof resources[0]; i++)
		resources[i].name_rule = SK_NAME_PATH_SEGMENT;
	rbac_role(&resources[0], 0);
	rbac_binding(&resources[1], 0);
	rbac_role(&resources[2], 1);
	rbac_binding(&resources[3], 1);
	int rc = sk_types_define(p, "rbac.types", rbac_types, rbac_types_len, err);
	return rc != SK_OK ? rc : sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err);
}

SK_PLUGIN("api-rbac", SKIFF_VERSION, "the rbac.authorization.k8s.io/v1 kinds: Roles, ClusterRoles and their bindings", SK_LIST("api.rbac"), SK_LIST("api-core"), init, NULL);
