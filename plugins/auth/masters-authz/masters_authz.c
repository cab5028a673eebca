/* masters-authz — allows every request of users in the admin groups
 * (default: system:masters, as Kubernetes' superuser group) and has no
 * opinion on anyone else, so RBAC or another authorizer can decide.
 *
 * Settings: groups (list of group names).
 */
#include <skiff/skiff.h>
#include <stdio.h>
#include <string.h>

static const sk_obj *admin_groups;

static int in_admin_group(const char *g)
{
	if (!admin_groups)
		return strcmp(g, "system:masters") == 0;
	for (size_t i = 0; i < sk_obj_len(admin_groups); i++) {
		const char *a = sk_obj_str(sk_obj_at(admin_groups, i));
		if (a && strcmp(a, g) == 0)
			return 1;
	}
	return 0;
}

static int authorize(void *ud, const sk_authz_attrs *a, char *reason, size_t cap)
{
	(void)ud;
	const sk_obj *groups = sk_obj_get(a->user, "groups");
	for (size_t i = 0; i < sk_obj_len(groups); i++) {
		const char *g = sk_obj_str(sk_obj_at(groups, i));
		if (g && in_admin_group(g)) {
			snprintf(reason, cap, "member of %s", g);
			return SK_AUTHZ_ALLOW;
		}
	}
	return SK_AUTHZ_NO_OPINION;
}

static const sk_authorizer_ops ops = {sizeof ops, "masters", authorize};

static int init(sk_plugin *p, sk_err *err)
{
	admin_groups = sk_obj_get(sk_plugin_settings(p), "groups");
	if (admin_groups && sk_obj_type_of(admin_groups) != SK_OBJ_ARRAY) {
		snprintf(err->msg, sizeof err->msg, "settings.groups must be a list of group names");
		err->code = SK_EINVALID;
		return SK_EINVALID;
	}
	return sk_register(p, SK_EXT_AUTHORIZER, &ops, NULL, err);
}

SK_PLUGIN("masters-authz", "0.1.0", "allows members of the admin groups (system:masters)", SK_LIST("authorizer"),
          SK_LIST(NULL), init, NULL);
