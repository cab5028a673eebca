/* api_admit.c — what every write passes between decoding and the store:
 * unknown-field handling per fieldValidation, defaults (schema, then the
 * resource's), mutating admission, validation (metadata, schema, the
 * resource's own rules) and validating admission, in Kubernetes' order. */
#include "api.h"
#include "err.h"
#include "json.h"
#include "loop.h"
#include "plugin_host.h"
#include "meta_validate.h"
#include "schema.h"
#include <skiff/admission.h>
#include <skiff/plugin.h>
#include <skiff/validate.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

const struct schema_node *api_schema(const sk_resource_ops *res)
{
	return API_HAS(res, type) && res->type ? schema_type(res->type) : NULL;
}

struct admit_ctx {
	sk_admission_request rq;
	json_t *obj;
	int mutate;
	sk_err *err;
	int rc;
};

static int admit_one(void *ud, const void *ops, void *ops_ud, const char *owner)
{
	(void)owner;
	struct admit_ctx *c = ud;
	const sk_admission_ops *a = ops;
	struct call_scope cs;
	int rc = SK_OK;
	call_begin(&cs, sk_ext_owner(SK_EXT_ADMISSION, a->name));
	if (c->mutate && a->mutate)
		rc = a->mutate(ops_ud, &c->rq, O(c->obj), c->err);
	else if (!c->mutate && a->validate)
		rc = a->validate(ops_ud, &c->rq, O(c->obj), c->err);
	call_end(&cs, c->mutate ? "admission mutate" : "admission validate");
	if (rc != SK_OK) {
		/* the plugin's message is the Status message, as for Kubernetes'
		 * built-in admission plugins; an empty one names the plugin */
		if (!c->err->msg[0])
			sk_fail(c->err, rc, "%s: admission plugin \"%s\" denied the request", c->rq.kind, a->name);
		c->err->code = rc;
		c->rc = rc;
		return 1;
	}
	return 0;
}

int api_admission(struct api_req *r, const char *op, json_t *obj, const json_t *old, int mutate, int dry_run,
                  sk_err *err)
{
	const sk_resource_ops *res = r->res;
	const char *name = json_string_value(json_object_get(json_object_get(obj ? obj : (json_t *)old, "metadata"),
	                                                     "name"));
	struct admit_ctx c = {
		.rq = {sizeof c.rq, op, res->group, res->version, res->plural, r->sub, res->kind,
		       *r->ns ? r->ns : NULL, name ? name : r->name, O(r->user), O(old), dry_run},
		.obj = obj,
		.mutate = mutate,
		.err = err,
		.rc = SK_OK,
	};
	sk_ext_foreach(SK_EXT_ADMISSION, admit_one, &c);
	return c.rc;
}

static void resource_call_defaults(const sk_resource_ops *res, json_t *obj)
{
	if (!res->defaults)
		return;
	void *ud = NULL;
	struct call_scope cs;
	sk_ext_find(SK_EXT_RESOURCE, res->name, &ud);
	call_begin(&cs, sk_ext_owner(SK_EXT_RESOURCE, res->name));
	res->defaults(ud, O(obj));
	call_end(&cs, "defaults");
}

static void resource_call_validate(const sk_resource_ops *res, json_t *obj, const json_t *old, json_t *causes)
{
	if (!res->validate)
		return;
	void *ud = NULL;
	struct call_scope cs;
	sk_ext_find(SK_EXT_RESOURCE, res->name, &ud);
	call_begin(&cs, sk_ext_owner(SK_EXT_RESOURCE, res->name));
	res->validate(ud, O(obj), O(old), O(causes));
	call_end(&cs, "validate");
}

/* fieldValidation: Strict fails on unknown fields, Warn (the default, as
 * kube-apiserver) warns, Ignore drops them silently */
static int unknown_fields(struct api_req *r, json_t *unknown, sk_err *err)
{
	const char *fv = query_get(&r->q, "fieldValidation");
	size_t n = json_array_size(unknown);
	if (!n)
		return SK_OK;
	if (fv && !strcmp(fv, "Strict")) {
		char msg[sizeof err->msg];
		size_t off = 0;
		/* creates and updates decode the body, and say so as Kubernetes does */
		if (!strcmp(r->verb, "create") || !strcmp(r->verb, "update"))
			off = (size_t)snprintf(msg, sizeof msg, "%s in version \"%s\" cannot be handled as a %s: ",
			                       api_shown(r)->kind, api_shown(r)->version, api_shown(r)->kind);
		off += (size_t)snprintf(msg + off, sizeof msg - off, "strict decoding error: ");
		for (size_t i = 0; i < n && off < sizeof msg; i++)
			off += (size_t)snprintf(msg + off, sizeof msg - off, "%sunknown field \"%s\"", i ? ", " : "",
			                        json_string_value(json_array_get(unknown, i)));
		return sk_fail(err, SK_EBADREQUEST, "%s", msg);
	}
	if (!fv || !strcmp(fv, "Warn"))
		for (size_t i = 0; i < n; i++)
			api_warn(r, "unknown field \"%s\"", json_string_value(json_array_get(unknown, i)));
	return SK_OK;
}

int api_admit(struct api_req *r, const char *op, json_t *obj, const json_t *old, int dry_run, json_t **causes_out,
              sk_err *err)
{
	const sk_resource_ops *res = r->res;
	const struct schema_node *type = api_schema(res);
	const char *fv = query_get(&r->q, "fieldValidation");
	*causes_out = NULL;
	if (fv && strcmp(fv, "Strict") && strcmp(fv, "Warn") && strcmp(fv, "Ignore"))
		return sk_fail(err, SK_EBADREQUEST,
		               "fieldValidation: Unsupported value: \"%s\": supported values: \"Ignore\", \"Strict\", "
		               "\"Warn\"", fv);
	json_t *causes = json_array();
	if (type) {
		/* unknown fields are found on the object as sent, before defaults */
		json_t *unknown = json_array(), *scratch = json_array();
		schema_validate(type, obj, NULL, scratch, unknown);
		json_decref(scratch);
		int rc = unknown_fields(r, unknown, err);
		json_decref(unknown);
		if (rc != SK_OK) {
			json_decref(causes);
			return rc;
		}
		schema_prune(type, obj);
		schema_apply_defaults(type, obj);
	}
	resource_call_defaults(res, obj);
	/* what the client wrote is attributed to it before admission changes anything */
	api_managed_fields(r, obj, old);
	int rc = api_admission(r, op, obj, old, 1, dry_run, err);
	if (rc != SK_OK) {
		json_decref(causes);
		return rc;
	}
	int name_rule = API_HAS(res, name_rule) ? res->name_rule : SK_NAME_DNS_SUBDOMAIN;
	json_t *warnings = json_array();
	/* Kubernetes' order: metadata rules first on update, after the kind's on create */
	if (old)
		meta_validate_update(obj, old, res->namespaced, name_rule, causes, warnings);
	if (type)
		schema_validate(type, obj, old, causes, NULL);
	resource_call_validate(res, obj, old, causes);
	/* another version's own rules (events.k8s.io/v1 is stricter than core/v1) */
	if (r->alias && r->alias->validate)
		resource_call_validate(r->alias, obj, old, causes);
	if (!old)
		meta_validate_create(obj, res->namespaced, name_rule, causes, warnings);
	size_t wi;
	json_t *w;
	json_array_foreach(warnings, wi, w) api_warn(r, "%s", json_string_value(w));
	json_decref(warnings);
	if (json_array_size(causes)) {
		*causes_out = causes;
		return sk_fail(err, SK_EINVALID, "invalid");
	}
	json_decref(causes);
	return api_admission(r, op, obj, old, 0, dry_run, err);
}
