/* api_scale.c — the scale subresource: an autoscaling/v1 Scale view of
 * spec.replicas, status.replicas and the label selector, which
 * `kubectl scale` and autoscalers read and write. */
#include "api.h"
#include "err.h"
#include "keys.h"
#include "patch.h"
#include "store.h"
#include <skiff/selector.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* "app=web,tier in (a,b)" from a LabelSelector object */
static json_t *selector_string(json_t *sel)
{
	if (!json_is_object(sel))
		return json_string("");
	sk_err err;
	sk_selector *s = sk_label_selector_from_obj((const sk_obj *)sel, &err);
	char *txt = s ? sk_selector_string(s) : NULL;
	json_t *out = json_string(txt ? txt : "");
	sk_mem_free(txt);
	sk_selector_free(s);
	return out;
}

json_t *api_scale_of(const struct api_req *r, json_t *obj)
{
	json_t *md = json_object_get(obj, "metadata"), *spec = json_object_get(obj, "spec"),
	       *st = json_object_get(obj, "status");
	json_t *smd = json_object();
	static const char *const kept[] = {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"};
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
		json_t *v = json_object_get(md, kept[i]);
		if (v)
			json_object_set(smd, kept[i], v);
	}
	(void)r;
	json_t *sel = json_object_get(st, "selector");
	return json_pack("{s:s, s:s, s:o, s:{s:I}, s:{s:I, s:o}}", "kind", "Scale", "apiVersion", "autoscaling/v1",
	                 "metadata", smd, "spec", "replicas",
	                 (json_int_t)json_integer_value(json_object_get(spec, "replicas")), "status", "replicas",
	                 (json_int_t)json_integer_value(json_object_get(st, "replicas")), "selector",
	                 json_is_string(sel) ? json_incref(sel) : selector_string(json_object_get(spec, "selector")));
}

static int load(struct api_req *r, json_t **obj, sk_err *err)
{
	char key[1100];
	if (keys_make(key, sizeof key, r->res, r->ns, r->name, err) != SK_OK) {
		err->code = SK_ENOTFOUND;
		return SK_ENOTFOUND;
	}
	return store_get(key, obj, err);
}

void api_scale_get(struct api_req *r)
{
	sk_err err = {0};
	json_t *obj;
	if (load(r, &obj, &err) != SK_OK) {
		api_reply_error(r, &err);
		return;
	}
	json_t *s = api_scale_of(r, obj);
	json_decref(obj);
	api_reply_json(r, 200, s);
}

/* the new Scale's replicas into the object, CAS on the Scale's resourceVersion */
static void write_scale(struct api_req *r, json_t *obj, json_t *scale)
{
	sk_err err = {0};
	json_t *rep = json_object_get(json_object_get(scale, "spec"), "replicas");
	if (rep && (!json_is_integer(rep) || json_integer_value(rep) < 0 || json_integer_value(rep) > INT32_MAX)) {
		json_t *causes = json_pack("[{s:s, s:s, s:s}]", "reason", "FieldValueInvalid", "message",
		                           "Invalid value: must be greater than or equal to 0", "field", "spec.replicas");
		api_reply_invalid(r, "Scale", r->name, causes);
		return;
	}
	json_t *next = json_deep_copy(obj);
	json_t *spec = json_object_get(next, "spec");
	if (!json_is_object(spec)) {
		spec = json_object();
		json_object_set_new(next, "spec", spec);
	}
	json_object_set_new(spec, "replicas", json_integer(rep ? json_integer_value(rep) : 0));
	const char *rv = json_string_value(json_object_get(json_object_get(scale, "metadata"), "resourceVersion"));
	json_t *md = json_object_get(next, "metadata");
	if (rv && *rv)
		json_object_set_new(md, "resourceVersion", json_string(rv));
	(void)err;
	api_update_with(r, next);
	json_decref(next);
}

void api_scale_update(struct api_req *r)
{
	sk_err err = {0};
	json_t *obj = NULL, *scale = NULL;
	if (api_decode_body(r, &scale, &err) != SK_OK || load(r, &obj, &err) != SK_OK) {
		json_decref(scale);
		api_reply_error(r, &err);
		return;
	}
	write_scale(r, obj, scale);
	json_decref(scale);
	json_decref(obj);
}

void api_scale_patch(struct api_req *r, const json_t *patch, const char *type)
{
	sk_err err = {0};
	json_t *obj = NULL;
	if (load(r, &obj, &err) != SK_OK) {
		api_reply_error(r, &err);
		return;
	}
	json_t *scale = api_scale_of(r, obj);
	int rc = !strcmp(type, "json") ? patch_json(&scale, patch, &err)
	         : !strcmp(type, "merge") ? patch_merge(&scale, patch, &err)
	                                  : patch_strategic(&scale, patch, NULL, &err);
	if (rc != SK_OK)
		api_patch_failed(r, &err);
	else
		write_scale(r, obj, scale);
	json_decref(scale);
	json_decref(obj);
}
