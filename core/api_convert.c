/* api_convert.c — serving a resource in another version: objects are
 * converted by the registering plugin between the version the client
 * speaks (an alias registration, e.g. extensions/v1beta1 Deployment) and
 * the storage version, on the way in and on the way out. */
#include "api.h"
#include "err.h"
#include "json.h"
#include "loop.h"
#include "plugin_host.h"
#include <stdio.h>
#include <string.h>

const sk_resource_ops *api_shown(const struct api_req *r) { return r->alias ? r->alias : r->res; }

static int convert(const sk_resource_ops *alias, int to_storage, json_t *obj, sk_err *err)
{
	void *ud = NULL;
	struct call_scope cs;
	sk_ext_find(SK_EXT_RESOURCE, alias->name, &ud);
	call_begin(&cs, sk_ext_owner(SK_EXT_RESOURCE, alias->name));
	int rc = (to_storage ? alias->to_storage : alias->from_storage)(ud, O(obj), err);
	call_end(&cs, to_storage ? "convert to storage" : "convert from storage");
	return rc;
}

static void stamp(const sk_resource_ops *res, json_t *obj)
{
	char gv[128];
	api_group_version(res, gv, sizeof gv);
	json_object_set_new(obj, "apiVersion", json_string(gv));
	json_object_set_new(obj, "kind", json_string(res->kind));
}

int api_in(const struct api_req *r, json_t *obj, sk_err *err)
{
	if (r->alias) {
		int rc = convert(r->alias, 1, obj, err);
		if (rc != SK_OK)
			return rc;
	}
	stamp(r->res, obj);
	return SK_OK;
}

json_t *api_out(const struct api_req *r, json_t *obj)
{
	if (!r->alias || !obj)
		return obj;
	json_t *copy = json_deep_copy(obj);
	json_decref(obj);
	sk_err err = {0};
	if (convert(r->alias, 0, copy, &err) != SK_OK) {
		/* a stored object the old version cannot show: say so in its place */
		json_decref(copy);
		return api_status(500, "InternalError", err.msg, NULL);
	}
	stamp(r->alias, copy);
	return copy;
}
