/* resources.c — resource lists (requests, limits, capacity, quota): reading
 * their quantities and Kubernetes' rules on resource names and values, as
 * pkg/apis/core/helper and validation have them. */
#include "kinds.h"
#include <string.h>

int kinds_quantity(const sk_obj *v, sk_quantity *q)
{
	char num[64];
	const char *text = sk_obj_str(v);
	if (!text && (sk_obj_type_of(v) == SK_OBJ_INT || sk_obj_type_of(v) == SK_OBJ_REAL)) {
		char *dumped = sk_obj_dump(v, 0);
		snprintf(num, sizeof num, "%s", dumped ? dumped : "");
		sk_mem_free(dumped);
		text = num;
	}
	if (!text)
		return -1;
	sk_err err = {0};
	return sk_quantity_parse(text, q, &err) == SK_OK ? 0 : -1;
}

void kinds_quantity_text(const sk_obj *v, char *out, size_t cap)
{
	sk_quantity q;
	if (!v || kinds_quantity(v, &q) != 0) {
		snprintf(out, cap, "0");
		return;
	}
	sk_quantity_format(&q, out, cap);
}

static int in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return 1;
	return 0;
}

static int prefixed(const char *s, const char *prefix) { return !strncmp(s, prefix, strlen(prefix)); }

int kinds_native_resource(const char *name)
{
	return !strchr(name, '/') || strstr(name, "kubernetes.io/");
}

int kinds_extended_resource(const char *name)
{
	if (kinds_native_resource(name) || prefixed(name, "requests."))
		return 0;
	/* it must stay a qualified name once quota prefixes it */
	char quota[600];
	snprintf(quota, sizeof quota, "requests.%s", name);
	return strlen(name) < 500 && !sk_check_qualified_name(NULL, NULL, quota);
}

int kinds_integer_resource(const char *name)
{
	static const char *const integer[] = {"pods", "resourcequotas", "services", "replicationcontrollers",
	                                      "secrets", "configmaps", "persistentvolumeclaims",
	                                      "services.nodeports", "services.loadbalancers", NULL};
	return in_list(name, integer) || kinds_extended_resource(name);
}

int kinds_standard_resource(const char *name)
{
	static const char *const standard[] = {
		"cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
		"requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
		"resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
		"persistentvolumeclaims", "storage", "requests.storage", "services.nodeports",
		"services.loadbalancers", NULL};
	return in_list(name, standard) || prefixed(name, "hugepages-") || prefixed(name, "requests.hugepages-");
}

int kinds_check_resource_name(sk_obj *causes, const char *field, const char *name)
{
	if (sk_check_qualified_name(causes, field, name))
		return -1;
	if (!strchr(name, '/') && !kinds_standard_resource(name)) {
		sk_cause_invalid_str(causes, field, name, "must be a standard resource type or fully qualified");
		return -1;
	}
	return 0;
}

void kinds_check_quantity_value(sk_obj *causes, const char *field, const char *name, const sk_obj *v)
{
	sk_quantity q;
	if (kinds_quantity(v, &q) != 0)
		return; /* the schema reports a malformed quantity */
	sk_check_quantity_nonnegative(causes, field, &q);
	if (kinds_integer_resource(name) && sk_quantity_milli(&q) % 1000 != 0) {
		char text[64];
		sk_quantity_format(&q, text, sizeof text);
		sk_cause_invalid_str(causes, field, text, "must be an integer");
	}
}
