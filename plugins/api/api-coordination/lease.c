/* lease.c — Leases: ValidateLeaseSpec, the coordinated leader election
 * fields Kubernetes 1.32 drops (its feature gate is off), and the HOLDER
 * column. */
#include "lease.h"
#include <string.h>

/* strategy and preferredHolder belong to CoordinatedLeaderElection, an
 * alpha feature off by default in 1.32: Kubernetes drops them on write */
static void defaults(void *ud, sk_obj *lease)
{
	(void)ud;
	sk_obj_del(lease, "spec.strategy");
	sk_obj_del(lease, "spec.preferredHolder");
}

static int validate(void *ud, const sk_obj *lease, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	if (sk_obj_get(lease, "spec.leaseDurationSeconds")) {
		int64_t d = sk_obj_get_int(lease, "spec.leaseDurationSeconds", 0);
		if (d <= 0)
			sk_cause_invalid_int(causes, "spec.leaseDurationSeconds", d, "must be greater than 0");
	}
	if (sk_obj_get(lease, "spec.leaseTransitions")) {
		int64_t t = sk_obj_get_int(lease, "spec.leaseTransitions", 0);
		if (t < 0)
			sk_cause_invalid_int(causes, "spec.leaseTransitions", t, "must be greater than or equal to 0");
	}
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

static const sk_column columns[] = {
	{"Holder", "string", "holderIdentity contains the identity of the holder of a current lease.", 0, NULL},
	{"Age", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp"},
	{NULL, NULL, NULL, 0, NULL},
};

static void row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	sk_obj_set_str(cells, "[0]", sk_obj_get_str(o, "spec.holderIdentity") ?: "", NULL);
}

void coordination_lease(sk_resource_ops *r)
{
	r->defaults = defaults;
	r->validate = validate;
	r->columns = columns;
	r->row = row;
}
