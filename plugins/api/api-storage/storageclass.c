/* storageclass.c — StorageClasses: ValidateStorageClass (provisioner,
 * parameters, reclaim policy, allowed topologies), the fields an update may
 * not touch, and the PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE
 * ALLOWVOLUMEEXPANSION columns. */
#include "kinds.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX_PARAMETERS 512                 /* maxProvisionerParameterLen */
#define MAX_PARAMETER_BYTES (256 * 1024)   /* maxProvisionerParameterSize */

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

static void check_provisioner(const sk_obj *sc, sk_obj *causes)
{
	const char *p = sk_obj_get_str(sc, "provisioner");
	if (!p) /* the schema reports it missing */
		return;
	if (!*p) {
		sk_cause_required(causes, "provisioner", NULL);
		return;
	}
	/* checked lower-cased: provisioner names are case-insensitive */
	char lower[512];
	snprintf(lower, sizeof lower, "%s", p);
	for (char *c = lower; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	sk_check_qualified_name(causes, "provisioner", lower);
}

struct params {
	sk_obj *causes;
	size_t bytes;
};

static int param(void *ud, const char *k, sk_obj *v)
{
	struct params *p = ud;
	if (!*k)
		sk_cause_invalid_str(p->causes, "parameters", k, "field can not be empty.");
	p->bytes += strlen(k) + strlen(sk_obj_str(v) ?: "");
	return 0;
}

static void check_parameters(const sk_obj *sc, sk_obj *causes)
{
	sk_obj *m = sk_obj_get(sc, "parameters");
	if (!m || sk_obj_type_of(m) != SK_OBJ_OBJECT)
		return;
	if (sk_obj_len(m) > MAX_PARAMETERS) {
		sk_cause_too_long(causes, "parameters", MAX_PARAMETERS);
		return;
	}
	struct params p = {causes, 0};
	sk_obj_foreach(m, param, &p);
	if (p.bytes > MAX_PARAMETER_BYTES)
		sk_cause_too_long(causes, "parameters", MAX_PARAMETER_BYTES);
}

/* Recycle is a PersistentVolume policy a class cannot ask for */
static void check_reclaim_policy(const sk_obj *sc, sk_obj *causes)
{
	const char *p = sk_obj_get_str(sc, "reclaimPolicy");
	static const char *const supported[] = {"Delete", "Retain", NULL};
	if (eq(p, "Recycle"))
		sk_cause_not_supported(causes, "reclaimPolicy", p, supported);
}

/* the values of one expression are a set */
static int same_values(const sk_obj *a, const sk_obj *b)
{
	for (size_t i = 0; i < sk_obj_len(a); i++) {
		int found = 0;
		for (size_t k = 0; k < sk_obj_len(b) && !found; k++)
			found = eq(sk_obj_str(sk_obj_at(a, i)), sk_obj_str(sk_obj_at(b, k)));
		if (!found)
			return 0;
	}
	return 1;
}

/* a term is a map from key to values: a repeated key's last expression wins */
static const sk_obj *values_of(const sk_obj *exprs, const char *key)
{
	const sk_obj *found = NULL;
	for (size_t i = 0; i < sk_obj_len(exprs); i++)
		if (eq(sk_obj_get_str(sk_obj_at(exprs, i), "key"), key))
			found = sk_obj_get(sk_obj_at(exprs, i), "values");
	return found;
}

/* two terms asking for the same keys and value sets */
static int same_term(const sk_obj *a, const sk_obj *b)
{
	sk_obj *ea = sk_obj_get(a, "matchLabelExpressions"), *eb = sk_obj_get(b, "matchLabelExpressions");
	for (int pass = 0; pass < 2; pass++) {
		const sk_obj *x = pass ? eb : ea, *y = pass ? ea : eb;
		for (size_t i = 0; i < sk_obj_len(x); i++) {
			const char *key = sk_obj_get_str(sk_obj_at(x, i), "key");
			const sk_obj *mine = values_of(x, key), *theirs = values_of(y, key);
			int present = 0;
			for (size_t k = 0; k < sk_obj_len(y); k++)
				present |= eq(sk_obj_get_str(sk_obj_at(y, k), "key"), key);
			if (!present || !same_values(mine, theirs) || !same_values(theirs, mine))
				return 0;
		}
	}
	return 1;
}

static void check_topologies(const sk_obj *sc, sk_obj *causes)
{
	sk_obj *terms = sk_obj_get(sc, "allowedTopologies");
	char f[128];
	for (size_t t = 0; t < sk_obj_len(terms); t++) {
		sk_obj *exprs = sk_obj_get(sk_obj_at(terms, t), "matchLabelExpressions");
		for (size_t i = 0; i < sk_obj_len(exprs); i++) {
			sk_obj *e = sk_obj_at(exprs, i), *values = sk_obj_get(e, "values");
			snprintf(f, sizeof f, "allowedTopologies[%zu].matchLabelExpressions[%zu].values", t, i);
			if (values && !sk_obj_len(values))
				sk_cause_required(causes, f, NULL);
			for (size_t v = 0; v < sk_obj_len(values); v++)
				for (size_t w = 0; w < v; w++)
					if (eq(sk_obj_str(sk_obj_at(values, v)), sk_obj_str(sk_obj_at(values, w)))) {
						snprintf(f, sizeof f, "allowedTopologies[%zu].matchLabelExpressions[%zu].values[%zu]", t,
						         i, v);
						sk_cause_duplicate(causes, f, sk_obj_str(sk_obj_at(values, v)));
						break;
					}
			const char *key = sk_obj_get_str(e, "key");
			snprintf(f, sizeof f, "allowedTopologies[%zu].matchLabelExpressions[%zu].key", t, i);
			if (key)
				sk_check_qualified_name(causes, f, key);
			for (size_t k = 0; key && k < i; k++)
				if (eq(sk_obj_get_str(sk_obj_at(exprs, k), "key"), key)) {
					sk_cause_duplicate(causes, f, key);
					break;
				}
		}
		for (size_t k = 0; k < t; k++)
			if (same_term(sk_obj_at(terms, t), sk_obj_at(terms, k))) {
				snprintf(f, sizeof f, "allowedTopologies[%zu].matchLabelExpressions", t);
				sk_cause_duplicate(causes, f, "");
			}
	}
}

/* ValidateStorageClassUpdate's own words for what may not change */
static void check_update(const sk_obj *sc, const sk_obj *old, sk_obj *causes)
{
	sk_obj *a = sk_obj_get(sc, "parameters"), *b = sk_obj_get(old, "parameters");
	if (!((!a && !b) || (a && b && sk_obj_equal(a, b))))
		sk_cause_forbidden(causes, "parameters", "updates to parameters are forbidden.");
	const char *pa = sk_obj_get_str(sc, "provisioner"), *pb = sk_obj_get_str(old, "provisioner");
	if (!eq(pa ?: "", pb ?: ""))
		sk_cause_forbidden(causes, "provisioner", "updates to provisioner are forbidden.");
	const char *ra = sk_obj_get_str(sc, "reclaimPolicy"), *rb = sk_obj_get_str(old, "reclaimPolicy");
	if (!eq(ra ?: "", rb ?: ""))
		sk_cause_forbidden(causes, "reclaimPolicy", "updates to reclaimPolicy are forbidden.");
}

static int validate(void *ud, const sk_obj *sc, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	size_t before = sk_obj_len(causes);
	check_provisioner(sc, causes);
	check_parameters(sc, causes);
	check_reclaim_policy(sc, causes);
	check_topologies(sc, causes);
	if (old)
		check_update(sc, old, causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

static const sk_column columns[] = {
	{"Provisioner", "string", "provisioner indicates the type of the provisioner.", 0, ".provisioner"},
	{"ReclaimPolicy", "string", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.", 0, NULL},
	{"VolumeBindingMode", "string", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.", 0, NULL},
	{"AllowVolumeExpansion", "string", "allowVolumeExpansion shows whether the storage class allow volume expand.", 0, NULL},
	{"Age", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp"},
	{NULL, NULL, NULL, 0, NULL},
};

static void row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	sk_obj_set_str(cells, "[1]", sk_obj_get_str(o, "reclaimPolicy") ?: "Delete", NULL);
	sk_obj_set_str(cells, "[2]", sk_obj_get_str(o, "volumeBindingMode") ?: "Immediate", NULL);
	sk_obj_set_bool(cells, "[3]", sk_obj_get_bool(o, "allowVolumeExpansion", 0), NULL);
}

void storage_storageclass(sk_resource_ops *r)
{
	r->validate = validate;
	r->columns = columns;
	r->row = row;
}
