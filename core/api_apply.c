/* api_apply.c — field ownership on the API's writes: managedFields on
 * every create, update and patch, and server-side apply (PATCH with
 * application/apply-patch+yaml, `kubectl apply --server-side`), over the
 * field manager in apply.c. */
#include "api.h"
#include "apply.h"
#include "err.h"
#include "keys.h"
#include "store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ?fieldManager=, else the client's user agent up to its first '/' */
static const char *manager_of(struct api_req *r, char *buf, size_t cap)
{
	const char *m = query_get(&r->q, "fieldManager");
	if (m && *m)
		return m;
	const char *ua = http_req_header(r->http, "User-Agent");
	if (!ua)
		return NULL;
	snprintf(buf, cap, "%.*s", (int)strcspn(ua, "/"), ua);
	return buf;
}

static void context(struct api_req *r, struct apply_ctx *c, char *gv, size_t gvcap, char *mgr, size_t mcap,
                    json_t **reset)
{
	int status = !strcmp(r->sub, "status");
	api_group_version(api_shown(r), gv, gvcap);
	memset(c, 0, sizeof *c);
	c->type = api_schema(r->res);
	c->api_version = gv;
	c->kind = api_shown(r)->kind;
	c->manager = manager_of(r, mgr, mcap);
	c->subresource = status ? "status" : NULL;
	/* Kubernetes' reset fields: the main resource does not own status, and
	 * the status subresource owns nothing else */
	*reset = NULL;
	if (r->res->subresources & SK_SUB_STATUS)
		*reset = status ? json_pack("{s:{}, s:{}}", "f:spec", "f:metadata") : json_pack("{s:{}}", "f:status");
	c->reset = *reset;
}

void api_managed_fields(struct api_req *r, json_t *obj, const json_t *old)
{
	if (r->applying || !api_schema(r->res))
		return;
	struct apply_ctx c;
	char gv[128], mgr[256];
	json_t *reset;
	sk_err err = {0};
	context(r, &c, gv, sizeof gv, mgr, sizeof mgr, &reset);
	managed_fields_update(&c, obj, old, &err);
	json_decref(reset);
}

void api_apply(struct api_req *r)
{
	sk_err err = {0};
	const char *fm = query_get(&r->q, "fieldManager");
	int force = 0;
	json_t *applied = NULL, *live = NULL, *conflicts = NULL, *reset = NULL;
	char key[1100];
	if (!fm || !*fm) {
		sk_fail(&err, SK_EINVALID, "PatchOptions.fieldManager: Required value: is required for apply requests");
		err.code = SK_EBADREQUEST;
		goto fail;
	}
	if (query_bool(&r->q, "force", 0, &force, &err) != SK_OK || api_decode_body(r, &applied, &err) != SK_OK)
		goto fail;
	if (!json_is_object(applied)) {
		sk_fail(&err, SK_EBADREQUEST, "the applied configuration must be an object");
		goto fail;
	}
	if (!api_schema(r->res)) {
		sk_fail(&err, SK_EMEDIATYPE, "server-side apply needs the schema of %s", r->res->kind);
		goto fail;
	}
	if (keys_make(key, sizeof key, r->res, r->ns, r->name, &err) != SK_OK) {
		err.code = SK_ENOTFOUND;
		goto fail;
	}
	int rc = store_get(key, &live, &err);
	if (rc != SK_OK && rc != SK_ENOTFOUND)
		goto fail;
	int creating = rc == SK_ENOTFOUND;
	if (creating)
		live = NULL;
	else
		live = api_out(r, live);
	struct apply_ctx c;
	char gv[128], mgr[256];
	context(r, &c, gv, sizeof gv, mgr, sizeof mgr, &reset);
	rc = apply_patch(&c, &live, applied, force, &conflicts, &err);
	json_decref(reset);
	json_decref(applied);
	applied = NULL;
	if (rc == SK_ECONFLICT) {
		char *msg = apply_conflict_message(conflicts);
		json_t *details = json_pack("{s:s, s:s, s:o}", "name", r->name, "kind", r->res->plural, "causes",
		                            conflicts ? conflicts : json_array());
		if (*r->res->group)
			json_object_set_new(details, "group", json_string(r->res->group));
		api_reply_json(r, 409, api_status(409, "Conflict", msg ? msg : err.msg, details));
		free(msg);
		json_decref(live);
		return;
	}
	json_decref(conflicts);
	if (rc != SK_OK)
		goto fail;
	/* the result goes the way of any write: defaults, admission, validation */
	r->applying = 1;
	if (creating) {
		json_t *md = json_object_get(live, "metadata");
		if (json_is_object(md) && !json_object_get(md, "name"))
			json_object_set_new(md, "name", json_string(r->name));
		api_create_with(r, live);
		return;
	}
	api_update_with(r, live);
	json_decref(live);
	return;
fail:
	json_decref(applied);
	json_decref(live);
	api_reply_error(r, &err);
}
