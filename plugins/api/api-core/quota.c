/* quota.c — ResourceQuotas: ValidateResourceQuota's resource names and
 * values in spec.hard and the status, and its scopes and scope selector. */
#include "kinds.h"
#include <string.h>

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }
static int prefixed(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

/* IsStandardQuotaResourceName */
static int standard_quota_resource(const char *name)
{
	static const char *const standard[] = {
		"cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage",
		"requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
		"resourcequotas", "services", "replicationcontrollers", "secrets", "persistentvolumeclaims",
		"configmaps", "services.nodeports", "services.loadbalancers", NULL};
	for (size_t i = 0; standard[i]; i++)
		if (!strcmp(name, standard[i]))
			return 1;
	return prefixed(name, "hugepages-") || prefixed(name, "requests.hugepages-");
}

struct names {
	sk_obj *causes;
	const char *at; /* "spec.hard" */
	const sk_obj *scopes;
};

static int check_entry(void *ud, const char *name, sk_obj *v)
{
	struct names *n = ud;
	char f[400];
	snprintf(f, sizeof f, "%s[%s]", n->at, name);
	if (kinds_check_resource_name(n->causes, f, name) == 0 && !strchr(name, '/') && !standard_quota_resource(name))
		sk_cause_invalid_str(n->causes, f, name, "must be a standard resource for quota");
	kinds_check_quantity_value(n->causes, f, name, v);
	return 0;
}

static void check_list(const sk_obj *q, const char *at, sk_obj *causes)
{
	sk_obj *m = sk_obj_get(q, at);
	struct names n = {causes, at, NULL};
	if (m && sk_obj_type_of(m) == SK_OBJ_OBJECT)
		sk_obj_foreach(m, check_entry, &n);
}

/* IsResourceQuotaScopeValidForResource: BestEffort limits pod counts; the
 * other scopes limit pod counts and compute resources */
static int scope_fits(const char *scope, const char *name)
{
	static const char *const compute[] = {"pods", "cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu",
	                                      "limits.memory", "ephemeral-storage", "requests.ephemeral-storage",
	                                      "limits.ephemeral-storage", NULL};
	if (eq(scope, "BestEffort"))
		return eq(name, "pods");
	for (size_t i = 0; compute[i]; i++)
		if (!strcmp(name, compute[i]))
			return 1;
	return prefixed(name, "hugepages-") || prefixed(name, "requests.hugepages-");
}

static int standard_scope(const char *s)
{
	return eq(s, "Terminating") || eq(s, "NotTerminating") || eq(s, "BestEffort") || eq(s, "NotBestEffort") ||
	       eq(s, "PriorityClass") || eq(s, "CrossNamespacePodAffinity");
}

struct scope_check {
	const char *scope;
	int bad;
};

static int fits_all(void *ud, const char *name, sk_obj *v)
{
	(void)v;
	struct scope_check *s = ud;
	if (standard_quota_resource(name) && !scope_fits(s->scope, name))
		s->bad++;
	return 0;
}

static int has(const sk_obj *list, const char *v)
{
	for (size_t i = 0; i < sk_obj_len(list); i++)
		if (eq(sk_obj_str(sk_obj_at(list, i)), v))
			return 1;
	return 0;
}

static void check_scopes(const sk_obj *q, sk_obj *causes)
{
	sk_obj *scopes = sk_obj_get(q, "spec.scopes"), *hard = sk_obj_get(q, "spec.hard");
	for (size_t i = 0; i < sk_obj_len(scopes); i++) {
		const char *scope = sk_obj_str(sk_obj_at(scopes, i));
		if (!standard_scope(scope))
			sk_cause_invalid_obj(causes, "spec.scopes", scopes, "unsupported scope");
		struct scope_check s = {scope, 0};
		if (hard && sk_obj_type_of(hard) == SK_OBJ_OBJECT)
			sk_obj_foreach(hard, fits_all, &s);
		for (int k = 0; k < s.bad; k++)
			sk_cause_invalid_obj(causes, "spec.scopes", scopes, "unsupported scope applied to resource");
	}
	if ((has(scopes, "BestEffort") && has(scopes, "NotBestEffort")) ||
	    (has(scopes, "Terminating") && has(scopes, "NotTerminating")))
		sk_cause_invalid_obj(causes, "spec.scopes", scopes, "conflicting scopes");
}

static void check_scope_selector(const sk_obj *q, sk_obj *causes)
{
	sk_obj *exprs = sk_obj_get(q, "spec.scopeSelector.matchExpressions");
	char f[128];
	for (size_t i = 0; i < sk_obj_len(exprs); i++) {
		sk_obj *e = sk_obj_at(exprs, i);
		const char *op = sk_obj_get_str(e, "operator");
		size_t nvalues = sk_obj_len(sk_obj_get(e, "values"));
		snprintf(f, sizeof f, "spec.scopeSelector.matchExpressions[%zu].values", i);
		if ((eq(op, "In") || eq(op, "NotIn")) && !nvalues)
			sk_cause_required(causes, f, "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector");
		if ((eq(op, "Exists") || eq(op, "DoesNotExist")) && nvalues)
			sk_cause_invalid_obj(causes, f, sk_obj_get(e, "values"),
			                     "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector");
	}
}

static int validate(void *ud, const sk_obj *q, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	check_list(q, "spec.hard", causes);
	check_scopes(q, causes);
	check_scope_selector(q, causes);
	check_list(q, "status.hard", causes);
	check_list(q, "status.used", causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

void kinds_resourcequota(sk_resource_ops *r) { r->validate = validate; }
