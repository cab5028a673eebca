/* pdb.c — PodDisruptionBudgets: ValidatePodDisruptionBudgetSpec (one of
 * minAvailable and maxUnavailable, each a count or a percentage up to
 * 100%, a well-formed selector), its status counters, and the MIN
 * AVAILABLE / MAX UNAVAILABLE / ALLOWED DISRUPTIONS columns. */
#include "policy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ValidatePositiveIntOrPercent and IsNotMoreThan100Percent */
static void int_or_percent(sk_obj *causes, const sk_obj *spec, const char *name)
{
	sk_obj *v = sk_obj_get(spec, name);
	char f[64];
	if (!v)
		return;
	snprintf(f, sizeof f, "spec.%s", name);
	sk_check_int_or_percent(causes, f, v);
	const char *s = sk_obj_str(v);
	size_t n = s ? strlen(s) : 0, digits = 0;
	while (digits < n && s[digits] >= '0' && s[digits] <= '9')
		digits++;
	/* an IntOrString prints through its String(): unquoted */
	if (digits && digits + 1 == n && s[digits] == '%' && strtoll(s, NULL, 10) > 100)
		sk_cause(causes, "FieldValueInvalid", f, "Invalid value: %s: must not be greater than 100%%", s);
}

static void status(sk_obj *causes, const sk_obj *pdb)
{
	static const char *const counts[] = {"disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"};
	sk_obj *st = sk_obj_get(pdb, "status");
	char f[64];
	for (size_t i = 0; st && i < sizeof counts / sizeof counts[0]; i++) {
		sk_obj *v = sk_obj_get(st, counts[i]);
		if (v && sk_obj_type_of(v) == SK_OBJ_INT) {
			snprintf(f, sizeof f, "status.%s", counts[i]);
			sk_check_nonnegative(causes, f, sk_obj_int(v));
		}
	}
}

/* unhealthyPodEvictionPolicy's values are the schema's */
static int validate(void *ud, const sk_obj *pdb, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	sk_obj *spec = sk_obj_get(pdb, "spec");
	if (sk_obj_get(spec, "minAvailable") && sk_obj_get(spec, "maxUnavailable"))
		sk_cause_invalid_obj(causes, "spec", spec, "minAvailable and maxUnavailable cannot be both set");
	int_or_percent(causes, spec, "minAvailable");
	int_or_percent(causes, spec, "maxUnavailable");
	sk_obj *sel = sk_obj_get(spec, "selector");
	if (sel)
		sk_check_label_selector(causes, "spec.selector", sel);
	status(causes, pdb);
	return sk_obj_len(causes) ? SK_EINVALID : SK_OK;
}

static const sk_column columns[] = {
	{"Min Available", "string", "The minimum number of pods that must be available.", 0, NULL},
	{"Max Unavailable", "string", "The maximum number of pods that may be unavailable.", 0, NULL},
	{"Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time.", 0, NULL},
	{"Age", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0,
	 ".metadata.creationTimestamp"},
	{NULL, NULL, NULL, 0, NULL},
};

/* IntOrString.String(), or N/A */
static void cell_int_or_string(sk_obj *cells, const char *at, const sk_obj *v)
{
	char buf[64];
	if (!v)
		sk_obj_set_str(cells, at, "N/A", NULL);
	else if (sk_obj_type_of(v) == SK_OBJ_STRING)
		sk_obj_set_str(cells, at, sk_obj_str(v), NULL);
	else {
		snprintf(buf, sizeof buf, "%lld", (long long)sk_obj_int(v));
		sk_obj_set_str(cells, at, buf, NULL);
	}
}

static void row(void *ud, const sk_obj *pdb, sk_obj *cells)
{
	(void)ud;
	cell_int_or_string(cells, "[0]", sk_obj_get(pdb, "spec.minAvailable"));
	cell_int_or_string(cells, "[1]", sk_obj_get(pdb, "spec.maxUnavailable"));
	sk_obj_set_int(cells, "[2]", sk_obj_get_int(pdb, "status.disruptionsAllowed", 0), NULL);
}

void policy_pdb(sk_resource_ops *r)
{
	r->validate = validate;
	r->columns = columns;
	r->row = row;
}
