/* controllerrevision.c — ControllerRevisions: ValidateControllerRevision
 * (data is immutable by the schema) and the CONTROLLER / REVISION columns. */
#include "apps.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int validate(void *ud, const sk_obj *cr, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	sk_obj *data = sk_obj_get(cr, "data");
	if (!data || sk_obj_type_of(data) == SK_OBJ_NULL)
		sk_cause_required(causes, "data", "data is mandatory");
	sk_check_nonnegative(causes, "revision", sk_obj_get_int(cr, "revision", 0));
	return sk_obj_len(causes) ? SK_EINVALID : SK_OK;
}

static const sk_column columns[] = {
	{"Controller", "string", "Controller of the object", 0, NULL},
	{"Revision", "string", "Revision indicates the revision of the state represented by Data.", 0, NULL},
	WORKLOAD_AGE,
	WORKLOAD_END,
};

/* metav1.GetControllerOf, printed as formatResourceName does:
 * lower-cased "kind.group/name", "kind/name" for the core group */
static void controller_of(const sk_obj *cr, char *out, size_t cap)
{
	sk_obj *refs = sk_obj_get(cr, "metadata.ownerReferences");
	snprintf(out, cap, "<none>");
	for (size_t i = 0; i < sk_obj_len(refs); i++) {
		sk_obj *ref = sk_obj_at(refs, i);
		if (!sk_obj_get_bool(ref, "controller", 0))
			continue;
		const char *av = sk_obj_get_str(ref, "apiVersion"), *kind = sk_obj_get_str(ref, "kind");
		const char *name = sk_obj_get_str(ref, "name"), *slash = av ? strchr(av, '/') : NULL;
		int group_len = slash ? (int)(slash - av) : 0;
		if (kind && *kind)
			snprintf(out, cap, "%s%s%.*s/%s", kind, group_len ? "." : "", group_len, av, name ? name : "");
		else
			snprintf(out, cap, "%s", name ? name : "");
		for (char *c = out; *c && *c != '/'; c++)
			*c = (char)tolower((unsigned char)*c);
		return;
	}
}

static void row(void *ud, const sk_obj *cr, sk_obj *cells)
{
	(void)ud;
	char controller[512];
	controller_of(cr, controller, sizeof controller);
	cell_str(cells, 0, controller);
	cell_int(cells, 1, sk_obj_get_int(cr, "revision", 0));
}

void apps_controllerrevision(sk_resource_ops *r)
{
	r->validate = validate;
	r->columns = columns;
	r->row = row;
}
