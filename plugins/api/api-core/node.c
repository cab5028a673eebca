/* node.c — Nodes: allocatable defaulting to capacity, and the rules of
 * ValidateNode / ValidateNodeUpdate on taints, resources, pod CIDRs and
 * addresses. */
#include "kinds.h"
#include <string.h>

static void defaults(void *ud, sk_obj *node)
{
	(void)ud;
	sk_obj *cap = sk_obj_get(node, "status.capacity");
	if (cap && !sk_obj_get(node, "status.allocatable"))
		sk_obj_set(node, "status.allocatable", cap, NULL);
}

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

/* Kubernetes reports taints under metadata.taints, not spec.taints */
static void check_taints(const sk_obj *node, sk_obj *causes)
{
	sk_obj *taints = sk_obj_get(node, "spec.taints");
	char f[96];
	for (size_t i = 0; i < sk_obj_len(taints); i++) {
		sk_obj *t = sk_obj_at(taints, i);
		const char *key = sk_obj_get_str(t, "key") ?: "", *value = sk_obj_get_str(t, "value") ?: "";
		const char *effect = sk_obj_get_str(t, "effect") ?: "";
		snprintf(f, sizeof f, "metadata.taints[%zu].key", i);
		if (sk_obj_get(t, "key")) /* absent: the schema reports it */
			sk_check_qualified_name(causes, f, key);
		snprintf(f, sizeof f, "metadata.taints[%zu].value", i);
		const char *bad = sk_check_label_value(NULL, NULL, value);
		if (bad)
			sk_cause_invalid_str(causes, f, value, "%s", bad);
		for (size_t k = 0; k < i; k++) {
			sk_obj *o = sk_obj_at(taints, k);
			if (eq(sk_obj_get_str(o, "key") ?: "", key) && eq(sk_obj_get_str(o, "effect") ?: "", effect)) {
				const char *added = sk_obj_get_str(t, "timeAdded");
				snprintf(f, sizeof f, "metadata.taints[%zu]", i);
				/* the taint printed as the Go struct Kubernetes prints */
				sk_cause(causes, "FieldValueDuplicate", f,
				         "Duplicate value: core.Taint{Key:\"%s\", Value:\"%s\", Effect:\"%s\", TimeAdded:%s}: "
				         "taints must be unique by key and effect pair",
				         key, value, effect, added ? added : "(*v1.Time)(nil)");
				break;
			}
		}
	}
}

struct resources {
	sk_obj *causes;
	const char *at;
};

static int check_resource(void *ud, const char *name, sk_obj *v)
{
	struct resources *r = ud;
	char f[400];
	snprintf(f, sizeof f, "%s.%s", r->at, name);
	kinds_check_quantity_value(r->causes, f, name, v);
	return 0;
}

static void check_resources(const sk_obj *node, const char *at, sk_obj *causes)
{
	sk_obj *m = sk_obj_get(node, at);
	struct resources r = {causes, at};
	if (m && sk_obj_type_of(m) == SK_OBJ_OBJECT)
		sk_obj_foreach(m, check_resource, &r);
}

static void check_pod_cidrs(const sk_obj *node, sk_obj *causes)
{
	sk_obj *cidrs = sk_obj_get(node, "spec.podCIDRs");
	size_t n = sk_obj_len(cidrs);
	char f[64];
	int ok = 1;
	for (size_t i = 0; i < n; i++) {
		snprintf(f, sizeof f, "spec.podCIDRs[%zu]", i);
		if (sk_check_cidr(causes, f, sk_obj_str(sk_obj_at(cidrs, i))))
			ok = 0;
	}
	/* more than one: exactly an IPv4 and an IPv6 range */
	if (ok && n > 1) {
		int v6a = strchr(sk_obj_str(sk_obj_at(cidrs, 0)), ':') != NULL;
		int v6b = strchr(sk_obj_str(sk_obj_at(cidrs, 1)), ':') != NULL;
		if (n > 2 || v6a == v6b)
			sk_cause_invalid_obj(causes, "spec.podCIDRs", cidrs, "may specify no more than one CIDR for each IP family");
	}
}

static void check_addresses(const sk_obj *node, sk_obj *causes)
{
	sk_obj *addrs = sk_obj_get(node, "status.addresses");
	char f[64];
	for (size_t i = 0; i < sk_obj_len(addrs); i++)
		for (size_t k = 0; k < i; k++)
			if (sk_obj_equal(sk_obj_at(addrs, i), sk_obj_at(addrs, k))) {
				sk_obj *a = sk_obj_at(addrs, i);
				snprintf(f, sizeof f, "status.addresses[%zu]", i);
				sk_cause(causes, "FieldValueDuplicate", f,
				         "Duplicate value: core.NodeAddress{Type:\"%s\", Address:\"%s\"}",
				         sk_obj_get_str(a, "type") ?: "", sk_obj_get_str(a, "address") ?: "");
				break;
			}
}

static int validate(void *ud, const sk_obj *node, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	size_t before = sk_obj_len(causes);
	check_taints(node, causes);
	check_resources(node, "status.capacity", causes);
	check_resources(node, "status.allocatable", causes);
	check_pod_cidrs(node, causes);
	if (old)
		check_addresses(node, causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

void kinds_node(sk_resource_ops *r)
{
	r->defaults = defaults;
	r->validate = validate;
}
