/* api-policy — the policy/v1 kinds: PodDisruptionBudgets: their types
 * (policy.types), registration, and validation and columns (pdb.c). */
#include "policy.h"

extern const char policy_types[];
extern const unsigned long policy_types_len;

static sk_resource_ops resources[] = {
	SK_GROUP_RESOURCE("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", 1,
	                  SK_SUB_STATUS, SK_LIST("pdb"), NULL, "io.k8s.api.policy.v1"),
};

static int init(sk_plugin *p, sk_err *err)
{
	int rc = sk_types_define(p, "policy.types", policy_types, policy_types_len, err);
	if (rc != SK_OK)
		return rc;
	policy_pdb(&resources[0]);
	return sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err);
}

SK_PLUGIN("api-policy", SKIFF_VERSION, "the policy/v1 kinds: PodDisruptionBudgets", SK_LIST("api.policy"),
          SK_LIST("api-core"), init, NULL);
