/* api_read.c — get and list: one object or a consistent page of a
 * collection, with label and field selectors, limit/continue and the
 * resourceVersion / resourceVersionMatch rules of Kubernetes. */
#include "api.h"
#include "err.h"
#include "json.h"
#include "keys.h"
#include "store.h"
#include <inttypes.h>
#include <skiff/data.h>
#include <skiff/selector.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply_object(struct api_req *r, json_t *obj)
{
	if (api_accepts(r, "Table", "meta.k8s.io", "v1") || api_accepts(r, "Table", "meta.k8s.io", "v1beta1")) {
		json_t *t = api_table(r, obj, 1);
		json_decref(obj);
		api_reply_json(r, 200, t);
		return;
	}
	api_reply_json(r, 200, api_out(r, obj));
}

void api_get(struct api_req *r)
{
	char key[1100];
	sk_err err = {0};
	json_t *obj = NULL;
	if (keys_make(key, sizeof key, r->res, r->ns, r->name, &err) != SK_OK ||
	    store_get(key, &obj, &err) != SK_OK) {
		if (err.code == SK_EINVALID)
			err.code = SK_ENOTFOUND;
		api_reply_error(r, &err);
		return;
	}
	reply_object(r, obj);
}

/* Kubernetes accepts only metadata.name, metadata.namespace and the fields
 * a resource declares selectable in a field selector. */
static int field_names_ok(const sk_resource_ops *res, const char *sel, sk_err *err)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", sel);
	for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t n = strcspn(t, "!=");
		while (n && t[n - 1] == ' ')
			n--;
		while (*t == ' ' && n)
			t++, n--;
		if (!n)
			continue;
		t[n] = '\0';
		int ok = !strcmp(t, "metadata.name") || (!strcmp(t, "metadata.namespace") && res->namespaced);
		for (const char *const *f = res->selectable_fields; !ok && f && *f; f++)
			ok = !strcmp(*f, t);
		if (!ok)
			return sk_fail(err, SK_EBADREQUEST, "field label not supported: %s", t);
	}
	return SK_OK;
}

/* The list options of the query; selectors are the caller's to free. */
int api_list_options(struct api_req *r, sk_list_opts *o, sk_err *err)
{
	memset(o, 0, sizeof *o);
	o->size = sizeof *o;
	const char *ls = query_get(&r->q, "labelSelector"), *fs = query_get(&r->q, "fieldSelector");
	if (ls && *ls && !(o->labels = sk_label_selector_parse(ls, err))) {
		err->code = SK_EBADREQUEST;
		return SK_EBADREQUEST;
	}
	if (fs && *fs) {
		if (field_names_ok(r->res, fs, err) != SK_OK || !(o->fields = sk_field_selector_parse(fs, err))) {
			api_list_options_free(o);
			err->code = SK_EBADREQUEST;
			return SK_EBADREQUEST;
		}
	}
	return SK_OK;
}

void api_list_options_free(sk_list_opts *o)
{
	sk_selector_free((sk_selector *)o->labels);
	sk_selector_free((sk_selector *)o->fields);
	o->labels = o->fields = NULL;
}

void api_list(struct api_req *r)
{
	sk_err err = {0};
	sk_list_opts o;
	long long limit = 0;
	if (api_list_options(r, &o, &err) != SK_OK) {
		api_reply_error(r, &err);
		return;
	}
	const char *rv = query_get(&r->q, "resourceVersion"), *match = query_get(&r->q, "resourceVersionMatch");
	const char *cont = query_get(&r->q, "continue");
	int64_t cur = store_revision();
	if (query_int(&r->q, "limit", 0, &limit, &err) != SK_OK)
		goto fail;
	if (match && *match && (!rv || !*rv)) {
		sk_fail(&err, SK_EBADREQUEST, "resourceVersionMatch is forbidden unless resourceVersion is provided");
		goto fail;
	}
	if (cont && *cont && rv && *rv && strcmp(rv, "0")) {
		sk_fail(&err, SK_EBADREQUEST, "specifying resource version is not allowed when using continue");
		goto fail;
	}
	if (rv && *rv) {
		int64_t want = store_parse_rv(rv);
		if (want < 0) {
			sk_fail(&err, SK_EBADREQUEST, "invalid resource version \"%s\"", rv);
			goto fail;
		}
		if (match && *match && strcmp(match, "Exact") && strcmp(match, "NotOlderThan")) {
			sk_fail(&err, SK_EBADREQUEST, "resourceVersionMatch: Unsupported value: \"%s\": supported values: "
			                              "\"Exact\", \"NotOlderThan\"", match);
			goto fail;
		}
		if (want > cur) {
			sk_fail(&err, SK_ETIMEOUT, "Too large resource version: %" PRId64 ", current: %" PRId64, want, cur);
			goto fail;
		}
		if (match && !strcmp(match, "Exact")) {
			if (want == 0) {
				sk_fail(&err, SK_EBADREQUEST, "resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"");
				goto fail;
			}
			o.revision = want;
		}
	}
	o.limit = (size_t)limit;
	o.cont = cont && *cont ? cont : NULL;
	sk_obj *list = NULL;
	if (sk_api_list(r->res->group, r->res->plural, *r->ns ? r->ns : NULL, &o, &list, &err) != SK_OK) {
		if (err.code == SK_EINVALID)
			err.code = SK_EBADREQUEST;
		goto fail;
	}
	api_list_options_free(&o);
	char gv[128];
	api_group_version(api_shown(r), gv, sizeof gv);
	json_t *l = J(list);
	json_object_set_new(l, "kind", json_string(api_shown(r)->list_kind));
	json_object_set_new(l, "apiVersion", json_string(gv));
	if (api_accepts(r, "Table", "meta.k8s.io", "v1") || api_accepts(r, "Table", "meta.k8s.io", "v1beta1")) {
		json_t *t = api_table(r, l, 0);
		json_decref(l);
		api_reply_json(r, 200, t);
		return;
	}
	if (r->alias) {
		json_t *items = json_object_get(l, "items");
		for (size_t i = 0; i < json_array_size(items); i++)
			json_array_set_new(items, i, api_out(r, json_incref(json_array_get(items, i))));
	}
	api_reply_json(r, 200, l);
	return;
fail:
	api_list_options_free(&o);
	api_reply_error(r, &err);
}
