/* rbac.c — Roles, ClusterRoles and their bindings: a subject's apiGroup
 * from its kind (SetDefaults_Subject), Kubernetes' RBAC validation (rules,
 * aggregation, roleRef, subjects, "cannot change roleRef"), and the ROLE /
 * USERS / GROUPS / SERVICEACCOUNTS columns of bindings. */
#include "rbac.h"
#include <stdio.h>
#include <string.h>

#define GROUP "rbac.authorization.k8s.io"

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

static void subject_defaults(void *ud, sk_obj *binding)
{
	(void)ud;
	sk_obj *subjects = sk_obj_get(binding, "subjects");
	for (size_t i = 0; i < sk_obj_len(subjects); i++) {
		sk_obj *s = sk_obj_at(subjects, i);
		const char *kind = sk_obj_get_str(s, "kind"), *group = sk_obj_get_str(s, "apiGroup");
		if (group && *group)
			continue;
		if (eq(kind, "ServiceAccount"))
			sk_obj_set_str(s, "apiGroup", "", NULL);
		else if (eq(kind, "User") || eq(kind, "Group"))
			sk_obj_set_str(s, "apiGroup", GROUP, NULL);
	}
}

/* ---- roles -------------------------------------------------------------------- */

static void check_rule(const sk_obj *rule, size_t i, int namespaced, sk_obj *causes)
{
	char f[64];
	sk_obj *verbs = sk_obj_get(rule, "verbs"), *urls = sk_obj_get(rule, "nonResourceURLs");
	snprintf(f, sizeof f, "rules[%zu].verbs", i);
	if (verbs && !sk_obj_len(verbs)) /* absent: the schema reports it */
		sk_cause_required(causes, f, "verbs must contain at least one value");
	size_t groups = sk_obj_len(sk_obj_get(rule, "apiGroups")), resources = sk_obj_len(sk_obj_get(rule, "resources"));
	if (sk_obj_len(urls)) {
		snprintf(f, sizeof f, "rules[%zu].nonResourceURLs", i);
		if (namespaced)
			sk_cause_invalid_obj(causes, f, urls, "namespaced rules cannot apply to non-resource URLs");
		if (groups || resources || sk_obj_len(sk_obj_get(rule, "resourceNames")))
			sk_cause_invalid_obj(causes, f, urls, "rules cannot apply to both regular resources and non-resource URLs");
		return;
	}
	snprintf(f, sizeof f, "rules[%zu].apiGroups", i);
	if (!groups)
		sk_cause_required(causes, f, "resource rules must supply at least one api group");
	snprintf(f, sizeof f, "rules[%zu].resources", i);
	if (!resources)
		sk_cause_required(causes, f, "resource rules must supply at least one resource");
}

static void check_rules(const sk_obj *role, int namespaced, sk_obj *causes)
{
	sk_obj *rules = sk_obj_get(role, "rules");
	for (size_t i = 0; i < sk_obj_len(rules); i++)
		check_rule(sk_obj_at(rules, i), i, namespaced, causes);
}

static int role_validate(void *ud, const sk_obj *role, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	check_rules(role, 1, causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

static int clusterrole_validate(void *ud, const sk_obj *role, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	check_rules(role, 0, causes);
	sk_obj *agg = sk_obj_get(role, "aggregationRule");
	if (agg) {
		sk_obj *sels = sk_obj_get(agg, "clusterRoleSelectors");
		if (!sk_obj_len(sels))
			sk_cause_required(causes, "aggregationRule.clusterRoleSelectors",
			                  "at least one clusterRoleSelector required if aggregationRule is non-nil");
		char f[96];
		for (size_t i = 0; i < sk_obj_len(sels); i++) {
			snprintf(f, sizeof f, "aggregationRule.clusterRoleSelectors[%zu]", i);
			sk_check_label_selector(causes, f, sk_obj_at(sels, i));
		}
	}
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

/* ---- bindings ------------------------------------------------------------------ */

static void check_subject(const sk_obj *s, size_t i, int namespaced, sk_obj *causes)
{
	char f[64];
	const char *kind = sk_obj_get_str(s, "kind") ?: "", *name = sk_obj_get_str(s, "name");
	const char *group = sk_obj_get_str(s, "apiGroup") ?: "", *ns = sk_obj_get_str(s, "namespace");
	snprintf(f, sizeof f, "subjects[%zu].name", i);
	if (name && !*name) /* absent: the schema reports it */
		sk_cause_required(causes, f, NULL);
	if (eq(kind, "ServiceAccount")) {
		if (name && *name) {
			const char *bad = sk_check_dns1123_subdomain(NULL, NULL, name);
			if (bad)
				sk_cause_invalid_str(causes, f, name, "%s", bad);
		}
		static const char *const none[] = {"", NULL};
		snprintf(f, sizeof f, "subjects[%zu].apiGroup", i);
		if (*group)
			sk_cause_not_supported(causes, f, group, none);
		snprintf(f, sizeof f, "subjects[%zu].namespace", i);
		if (!namespaced && (!ns || !*ns))
			sk_cause_required(causes, f, NULL);
	} else if (eq(kind, "User") || eq(kind, "Group")) {
		static const char *const rbac[] = {GROUP, NULL};
		snprintf(f, sizeof f, "subjects[%zu].apiGroup", i);
		if (!eq(group, GROUP))
			sk_cause_not_supported(causes, f, group, rbac);
	} else if (sk_obj_get(s, "kind")) {
		static const char *const kinds[] = {"ServiceAccount", "User", "Group", NULL};
		snprintf(f, sizeof f, "subjects[%zu].kind", i);
		sk_cause_not_supported(causes, f, kind, kinds);
	}
}

static void check_binding(const sk_obj *b, const sk_obj *old, int namespaced, sk_obj *causes)
{
	const char *group = sk_obj_get_str(b, "roleRef.apiGroup"), *kind = sk_obj_get_str(b, "roleRef.kind");
	const char *name = sk_obj_get_str(b, "roleRef.name");
	static const char *const rbac[] = {GROUP, NULL};
	if (group && !eq(group, GROUP))
		sk_cause_not_supported(causes, "roleRef.apiGroup", group, rbac);
	static const char *const role_kinds[] = {"Role", "ClusterRole", NULL}, *const cluster_kinds[] = {"ClusterRole", NULL};
	if (kind && !(eq(kind, "ClusterRole") || (namespaced && eq(kind, "Role"))))
		sk_cause_not_supported(causes, "roleRef.kind", kind, namespaced ? role_kinds : cluster_kinds);
	if (name && !*name)
		sk_cause_required(causes, "roleRef.name", NULL);
	else if (name)
		sk_check_name(causes, "roleRef.name", name, SK_NAME_PATH_SEGMENT, 0);
	sk_obj *subjects = sk_obj_get(b, "subjects");
	for (size_t i = 0; i < sk_obj_len(subjects); i++)
		check_subject(sk_obj_at(subjects, i), i, namespaced, causes);
	sk_obj *now = sk_obj_get(b, "roleRef"), *was = sk_obj_get(old, "roleRef");
	if (old && !(now && was && sk_obj_equal(now, was)))
		/* the new roleRef, printed as the Go struct Kubernetes prints */
		sk_cause(causes, "FieldValueInvalid", "roleRef",
		         "Invalid value: rbac.RoleRef{APIGroup:\"%s\", Kind:\"%s\", Name:\"%s\"}: cannot change roleRef",
		         group ? group : "", kind ? kind : "", name ? name : "");
}

static int rolebinding_validate(void *ud, const sk_obj *b, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	size_t before = sk_obj_len(causes);
	check_binding(b, old, 1, causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

static int clusterrolebinding_validate(void *ud, const sk_obj *b, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	size_t before = sk_obj_len(causes);
	check_binding(b, old, 0, causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

/* ---- columns -------------------------------------------------------------------- */

/* Roles have no printer: Kubernetes' default NAME / CREATED AT (the timestamp itself) */
static const sk_column role_cols[] = {
	{"Created At", "string", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp"},
	{NULL, NULL, NULL, 0, NULL},
};

static const sk_column binding_cols[] = {
	{"Role", "string", "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.", 0, NULL},
	{"Age", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp"},
	{"Users", "string", "Users in the roleBinding", 1, NULL},
	{"Groups", "string", "Groups in the roleBinding", 1, NULL},
	{"ServiceAccounts", "string", "ServiceAccounts in the roleBinding", 1, NULL},
	{NULL, NULL, NULL, 0, NULL},
};

static void append(char *buf, size_t cap, const char *a, const char *b)
{
	size_t n = strlen(buf);
	if (n < cap)
		snprintf(buf + n, cap - n, "%s%s%s%s", n ? ", " : "", b ? a : "", b ? "/" : "", b ? b : a);
}

/* rbac.SubjectsStrings: users, groups and namespace/name of service accounts */
static void binding_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	char role[600], users[2048] = "", groups[2048] = "", sas[2048] = "";
	snprintf(role, sizeof role, "%s/%s", sk_obj_get_str(o, "roleRef.kind") ?: "", sk_obj_get_str(o, "roleRef.name") ?: "");
	sk_obj_set_str(cells, "[0]", role, NULL);
	sk_obj *subjects = sk_obj_get(o, "subjects");
	for (size_t i = 0; i < sk_obj_len(subjects); i++) {
		sk_obj *s = sk_obj_at(subjects, i);
		const char *kind = sk_obj_get_str(s, "kind"), *name = sk_obj_get_str(s, "name") ?: "";
		if (eq(kind, "ServiceAccount"))
			append(sas, sizeof sas, sk_obj_get_str(s, "namespace") ?: "", name);
		else if (eq(kind, "User"))
			append(users, sizeof users, name, NULL);
		else if (eq(kind, "Group"))
			append(groups, sizeof groups, name, NULL);
	}
	sk_obj_set_str(cells, "[2]", users, NULL);
	sk_obj_set_str(cells, "[3]", groups, NULL);
	sk_obj_set_str(cells, "[4]", sas, NULL);
}

void rbac_role(sk_resource_ops *r, int cluster)
{
	r->validate = cluster ? clusterrole_validate : role_validate;
	r->columns = role_cols;
}

void rbac_binding(sk_resource_ops *r, int cluster)
{
	r->defaults = subject_defaults;
	r->validate = cluster ? clusterrolebinding_validate : rolebinding_validate;
	r->columns = binding_cols;
	r->row = binding_row;
}
