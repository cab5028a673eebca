/* api_write.c — create, update and patch: the body is decoded, checked
 * against the endpoint, given its server-set metadata, admitted, and
 * written with compare-and-swap; patches re-read and retry on conflict as
 * kube-apiserver does. */
#include "api.h"
#include "err.h"
#include "json.h"
#include "keys.h"
#include "log.h"
#include "loop.h"
#include "apply.h"
#include "patch.h"
#include "plugin_host.h"
#include "schema.h"
#include "stamp.h"
#include "store.h"
#include <inttypes.h>
#include <openssl/rand.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PATCH_ATTEMPTS 5

enum write_kind { W_CREATE, W_UPDATE, W_PATCH, W_ACT };

struct write_op {
	struct api_req *r;
	enum write_kind kind;
	json_t *patch;          /* W_PATCH: the decoded patch; W_ACT: the posted body */
	char patch_type[64];
	int attempts;
	int dry_run;
	char key[1100];
};

static void api_patch_attempt(struct write_op *w);
static void write_gone(struct api_req *r);
static void written(void *ud, const sk_err *err, json_t *stored);

/* the request waits for the store; written() answers it */
static void write_submit(struct write_op *w, json_t *next, int64_t expect)
{
	struct api_req *r = w->r;
	r->busy = 1;
	r->op = w;
	r->op_gone = write_gone;
	store_update(w->key, next, expect, written, w);
}
static void act_attempt(struct write_op *w);

/* A patch that does not apply, answered as kube-apiserver does: a failed
 * operation is 422 with a fixed message (the reason goes to the log), a
 * strategic merge error without a reason is a bare 500. */
void api_patch_failed(struct api_req *r, const sk_err *err)
{
	if (err->code == SK_EINVALID) {
		LOG_D("patch of %s/%s refused: %s", r->res->plural, r->name, err->msg);
		api_reply_json(r, 422, api_status(422, "Invalid", PATCH_REJECTED, json_object()));
	} else if (err->code == SK_EIO) {
		api_reply_json(r, 500, api_status(500, NULL, err->msg, NULL));
	} else {
		api_reply_error(r, err);
	}
}

static void op_free(struct write_op *w)
{
	json_decref(w->patch);
	free(w);
}

/* the client left: the write still completes, nobody is told */
static void write_gone(struct api_req *r) { (void)r; }

/* generateName's suffix: 5 characters from Kubernetes' alphabet without vowels */
static void generate_name(const char *prefix, char *out, size_t cap)
{
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	unsigned char b[5];
	char suffix[6];
	if (RAND_bytes(b, sizeof b) != 1)
		for (size_t i = 0; i < sizeof b; i++)
			b[i] = (unsigned char)rand();
	for (size_t i = 0; i < 5; i++)
		suffix[i] = alphabet[b[i] % (sizeof alphabet - 1)];
	suffix[5] = '\0';
	/* a name stays within 63 bytes of prefix as Kubernetes trims it */
	snprintf(out, cap, "%.*s%s", 58, prefix, suffix);
}

static int dry_run_of(struct api_req *r, int *dry, sk_err *err)
{
	const char *d = query_get(&r->q, "dryRun");
	*dry = 0;
	if (!d)
		return SK_OK;
	if (!strcmp(d, "All")) {
		*dry = 1;
		return SK_OK;
	}
	return sk_fail(err, SK_EBADREQUEST, "dryRun: Unsupported value: \"%s\": supported values: \"All\"", d);
}

static const char *md_str(const json_t *obj, const char *field)
{
	return json_string_value(json_object_get(json_object_get(obj, "metadata"), field));
}

static json_t *md_of(json_t *obj)
{
	json_t *md = json_object_get(obj, "metadata");
	if (!json_is_object(md)) {
		md = json_object();
		json_object_set_new(obj, "metadata", md);
	}
	return md;
}

/* The body must be an object of the endpoint's kind, in its namespace. */
static int check_body(struct api_req *r, json_t *obj, sk_err *err)
{
	const sk_resource_ops *res = api_shown(r);
	char gv[128];
	api_group_version(res, gv, sizeof gv);
	if (!json_is_object(obj))
		return sk_fail(err, SK_EBADREQUEST, "the object provided is unrecognized (must be of type %s): the body is "
		                                    "not a JSON object", res->kind);
	json_t *md = json_object_get(obj, "metadata");
	if (md && !json_is_object(md) && !json_is_null(md))
		return sk_fail(err, SK_EBADREQUEST, "%s in version \"%s\" cannot be handled as a %s: metadata must be an "
		                                    "object", res->kind, res->version, res->kind);
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	const char *av = json_string_value(json_object_get(obj, "apiVersion"));
	if (kind && *kind && strcmp(kind, res->kind))
		return sk_fail(err, SK_EBADREQUEST, "the object provided is unrecognized (must be of type %s): kind %s in "
		                                    "the data does not match", res->kind, kind);
	if (av && *av && strcmp(av, gv))
		return sk_fail(err, SK_EBADREQUEST, "the API version in the data (%s) does not match the expected API "
		                                    "version (%s)", av, gv);
	json_object_set_new(obj, "kind", json_string(res->kind));
	json_object_set_new(obj, "apiVersion", json_string(gv));
	int rc = api_in(r, obj, err);
	if (rc != SK_OK)
		return rc;
	res = r->res;
	md = md_of(obj);
	const char *ons = json_string_value(json_object_get(md, "namespace"));
	if (res->namespaced) {
		if (ons && *ons && strcmp(ons, r->ns))
			return sk_fail(err, SK_EBADREQUEST, "the namespace of the provided object does not match the "
			                                    "namespace sent on the request");
		json_object_set_new(md, "namespace", json_string(r->ns));
	} else if (ons) {
		/* cluster-scoped objects have no namespace; Kubernetes clears it */
		json_object_del(md, "namespace");
	}
	return SK_OK;
}

/* everything outside metadata and status: a change bumps generation */
static int spec_changed(const json_t *a, const json_t *b)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)a, k, v)
		if (strcmp(k, "metadata") && strcmp(k, "status") && strcmp(k, "apiVersion") && strcmp(k, "kind") &&
		    !json_equal(v, json_object_get(b, k)))
			return 1;
	json_object_foreach((json_t *)b, k, v)
		if (strcmp(k, "metadata") && strcmp(k, "status") && strcmp(k, "apiVersion") && strcmp(k, "kind") &&
		    !json_object_get(a, k))
			return 1;
	return 0;
}

static void reply_failure(struct api_req *r, const sk_err *e, json_t *causes, json_t *obj)
{
	if (e->code == SK_EINVALID && causes) {
		const char *name = md_str(obj, "name");
		if (!name || !*name)
			name = md_str(obj, "generateName");
		api_reply_invalid(r, r->res->kind, name ? name : r->name, causes);
		return;
	}
	json_decref(causes);
	api_reply_error(r, e);
}

static void written(void *ud, const sk_err *err, json_t *stored)
{
	struct write_op *w = ud;
	struct api_req *r = w->r;
	r->busy = 0;
	r->op = NULL;
	r->op_gone = NULL;
	if (r->gone) {
		api_req_free(r);
		op_free(w);
		return;
	}
	if (err) {
		if ((w->kind == W_PATCH || w->kind == W_ACT) && err->code == SK_ECONFLICT && w->attempts < PATCH_ATTEMPTS) {
			/* someone wrote in between: patch or act on the newer object */
			r->op = w;
			w->kind == W_PATCH ? api_patch_attempt(w) : act_attempt(w);
			return;
		}
		op_free(w);
		api_reply_error(r, err);
		return;
	}
	int code = w->kind == W_CREATE || w->kind == W_ACT ? 201 : 200;
	int act = w->kind == W_ACT;
	op_free(w);
	/* an action answers as kube-apiserver does for a Binding: a bare Success */
	if (act) {
		api_reply_json(r, code, api_status(code, NULL, NULL, NULL));
		return;
	}
	/* a write through /scale answers with the Scale */
	if (!strcmp(r->sub, "scale"))
		api_reply_json(r, code, api_scale_of(r, stored));
	else
		api_reply_json(r, code, api_out(r, json_incref(stored)));
}

/* Server-set metadata on create. */
static void stamp_create(struct api_req *r, json_t *obj)
{
	json_t *md = md_of(obj);
	char uid[37], now[32];
	stamp_uid(uid);
	stamp_now(now);
	json_object_set_new(md, "uid", json_string(uid));
	json_object_set_new(md, "creationTimestamp", json_string(now));
	/* generation counts changes of the desired state: kinds with a spec */
	if (json_object_get(obj, "spec"))
		json_object_set_new(md, "generation", json_integer(1));
	json_object_del(md, "deletionTimestamp");
	json_object_del(md, "deletionGracePeriodSeconds");
	json_object_del(md, "selfLink");
	/* status is the controllers' (written through /status) where there is one */
	const sk_resource_ops *res = r->res;
	int keep = API_HAS(res, status_on_create) && res->status_on_create;
	if ((res->subresources & SK_SUB_STATUS) && !keep)
		json_object_del(obj, "status");
}

void api_create(struct api_req *r)
{
	sk_err err = {0};
	json_t *obj = NULL;
	if (api_decode_body(r, &obj, &err) != SK_OK) {
		api_reply_error(r, &err);
		return;
	}
	api_create_with(r, obj);
}

void api_create_with(struct api_req *r, json_t *obj)
{
	sk_err err = {0};
	json_t *causes = NULL;
	int dry;
	if (dry_run_of(r, &dry, &err) != SK_OK || check_body(r, obj, &err) != SK_OK)
		goto fail;
	json_t *md = md_of(obj);
	const char *name = md_str(obj, "name"), *gen = md_str(obj, "generateName");
	if ((!name || !*name) && gen && *gen) {
		char n[256];
		generate_name(gen, n, sizeof n);
		json_object_set_new(md, "name", json_string(n));
	}
	const char *rv = md_str(obj, "resourceVersion");
	if (rv && *rv) {
		sk_fail(&err, SK_EBADREQUEST, "resourceVersion should not be set on objects to be created");
		goto fail;
	}
	stamp_create(r, obj);
	if (api_admit(r, "CREATE", obj, NULL, dry, &causes, &err) != SK_OK)
		goto fail;
	name = md_str(obj, "name");
	snprintf(r->name, sizeof r->name, "%s", name ? name : "");
	struct write_op *w = calloc(1, sizeof *w);
	if (!w || keys_make(w->key, sizeof w->key, r->res, r->ns, name, &err) != SK_OK) {
		free(w);
		if (!err.code)
			sk_fail(&err, SK_ENOMEM, "out of memory");
		goto fail;
	}
	if (dry) {
		free(w);
		api_reply_json(r, 201, api_out(r, obj));
		return;
	}
	w->r = r;
	w->kind = W_CREATE;
	r->busy = 1;
	r->op = w;
	r->op_gone = write_gone;
	store_create(w->key, obj, written, w);
	return;
fail:
	reply_failure(r, &err, causes, obj);
	json_decref(obj);
}

/* Carries the server-owned parts of old into obj for an update of the
 * main resource (status == 0) or of its status (status == 1). Returns a
 * new object to store. */
static json_t *merge_update(struct api_req *r, json_t *obj, json_t *old, int status)
{
	json_t *out;
	if (status) {
		/* /status writes change status only */
		out = json_deep_copy(old);
		json_t *st = json_object_get(obj, "status");
		if (st)
			json_object_set(out, "status", st);
		else
			json_object_del(out, "status");
		const char *rv = md_str(obj, "resourceVersion");
		if (rv)
			json_object_set_new(md_of(out), "resourceVersion", json_string(rv));
		else
			json_object_del(md_of(out), "resourceVersion");
		return out;
	}
	out = json_incref(obj);
	json_t *md = md_of(out), *omd = json_object_get(old, "metadata");
	static const char *const kept[] = {"uid", "creationTimestamp", "deletionTimestamp",
	                                   "deletionGracePeriodSeconds", "generation"};
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
		json_t *v = json_object_get(omd, kept[i]);
		if (v)
			json_object_set(md, kept[i], v);
		else
			json_object_del(md, kept[i]);
	}
	json_object_del(md, "selfLink");
	if (r->res->subresources & SK_SUB_STATUS) {
		json_t *st = json_object_get(old, "status");
		if (st)
			json_object_set(out, "status", st);
		else
			json_object_del(out, "status");
	}
	if (json_object_get(omd, "generation") && spec_changed(out, old))
		json_object_set_new(md, "generation",
		                    json_integer(json_integer_value(json_object_get(omd, "generation")) + 1));
	return out;
}

/* Admits and writes obj over old (both owned by the caller); w is the
 * operation (freed on failure). */
static void write_update(struct write_op *w, json_t *obj, json_t *old)
{
	struct api_req *r = w->r;
	sk_err err = {0};
	json_t *causes = NULL;
	const char *name = md_str(obj, "name");
	if (name && strcmp(name, r->name)) {
		sk_fail(&err, SK_EBADREQUEST, "the name of the object (%s) does not match the name on the URL (%s)", name,
		        r->name);
		goto fail;
	}
	json_object_set_new(md_of(obj), "name", json_string(r->name));
	json_t *next = merge_update(r, obj, old, !strcmp(r->sub, "status"));
	/* an update without a resourceVersion is unconditional: it applies to what is stored */
	if (!md_str(next, "resourceVersion") || !*md_str(next, "resourceVersion"))
		json_object_set(md_of(next), "resourceVersion", json_object_get(json_object_get(old, "metadata"),
		                                                                "resourceVersion"));
	const char *rvs = md_str(next, "resourceVersion");
	int64_t expect = rvs && *rvs ? store_parse_rv(rvs) : 0;
	if (expect < 0) {
		json_decref(next);
		sk_fail(&err, SK_EBADREQUEST, "metadata.resourceVersion: Invalid value: \"%s\": must be a revision number",
		        rvs);
		goto fail;
	}
	const char *uid = md_str(obj, "uid"), *ouid = md_str(old, "uid");
	if (uid && *uid && ouid && strcmp(uid, ouid)) {
		json_decref(next);
		sk_fail(&err, SK_ECONFLICT, "Precondition failed: UID in precondition: %s, UID in object meta: %s", uid,
		        ouid);
		goto fail;
	}
	if (api_admit(r, "UPDATE", next, old, w->dry_run, &causes, &err) != SK_OK) {
		reply_failure(r, &err, causes, next);
		json_decref(next);
		op_free(w);
		return;
	}
	if (w->dry_run) {
		op_free(w);
		api_reply_json(r, 200, api_out(r, next));
		return;
	}
	/* an object being deleted goes once its last finalizer is removed */
	json_t *fin = json_object_get(json_object_get(next, "metadata"), "finalizers");
	if (md_str(next, "deletionTimestamp") && json_array_size(fin) == 0) {
		json_decref(next);
		r->busy = 1;
		r->op = w;
		r->op_gone = write_gone;
		store_delete(w->key, expect ? expect : store_parse_rv(md_str(old, "resourceVersion")), written, w);
		return;
	}
	managed_fields_keep_times(next, old);
	if (json_equal(next, old) && expect) {
		/* nothing changed: Kubernetes answers with the object, no write */
		json_decref(next);
		op_free(w);
		api_reply_json(r, 200, api_out(r, json_incref(old)));
		return;
	}
	write_submit(w, next, expect);
	return;
fail:
	op_free(w);
	api_reply_error(r, &err);
}

static struct write_op *new_op(struct api_req *r, enum write_kind kind, sk_err *err)
{
	struct write_op *w = calloc(1, sizeof *w);
	if (!w) {
		sk_fail(err, SK_ENOMEM, "out of memory");
		return NULL;
	}
	w->r = r;
	w->kind = kind;
	if (dry_run_of(r, &w->dry_run, err) != SK_OK ||
	    keys_make(w->key, sizeof w->key, r->res, r->ns, r->name, err) != SK_OK) {
		if (err->code == SK_EINVALID)
			err->code = SK_ENOTFOUND;
		free(w);
		return NULL;
	}
	return w;
}

void api_update_with(struct api_req *r, json_t *obj)
{
	sk_err err = {0};
	json_t *old = NULL;
	struct write_op *w = new_op(r, W_UPDATE, &err);
	if (!w || check_body(r, obj, &err) != SK_OK || store_get(w->key, &old, &err) != SK_OK) {
		if (w)
			op_free(w);
		api_reply_error(r, &err);
		return;
	}
	write_update(w, obj, old);
	json_decref(old);
}

void api_update(struct api_req *r)
{
	sk_err err = {0};
	json_t *obj = NULL, *old = NULL;
	struct write_op *w = NULL;
	if (!strcmp(r->sub, "scale")) {
		api_scale_update(r);
		return;
	}
	if (!(w = new_op(r, W_UPDATE, &err)) || api_decode_body(r, &obj, &err) != SK_OK ||
	    check_body(r, obj, &err) != SK_OK || store_get(w->key, &old, &err) != SK_OK) {
		json_decref(obj);
		if (w)
			op_free(w);
		api_reply_error(r, &err);
		return;
	}
	write_update(w, obj, old);
	json_decref(obj);
	json_decref(old);
}

static void api_patch_attempt(struct write_op *w)
{
	struct api_req *r = w->r;
	sk_err err = {0};
	json_t *old = NULL, *doc = NULL;
	w->attempts++;
	if (store_get(w->key, &old, &err) != SK_OK) {
		op_free(w);
		api_reply_error(r, &err);
		return;
	}
	/* the patch is written against the client's version of the object */
	doc = api_out(r, json_deep_copy(old));
	int rc;
	if (!strcmp(w->patch_type, "json"))
		rc = patch_json(&doc, w->patch, &err);
	else if (!strcmp(w->patch_type, "merge"))
		rc = patch_merge(&doc, w->patch, &err);
	else
		rc = patch_strategic(&doc, w->patch, api_schema(r->res), &err);
	if (rc != SK_OK) {
		op_free(w);
		api_patch_failed(r, &err);
	} else if (check_body(r, doc, &err) == SK_OK) {
		/* without a resourceVersion in the patch, the patch applies to what
		 * was read: compare-and-swap on it, retried on conflict */
		json_t *prv = json_object_get(json_object_get(w->patch, "metadata"), "resourceVersion");
		if (!prv || !strcmp(w->patch_type, "json"))
			json_object_set(md_of(doc), "resourceVersion",
			                json_object_get(json_object_get(old, "metadata"), "resourceVersion"));
		write_update(w, doc, old);
	} else {
		op_free(w);
		api_reply_error(r, &err);
	}
	json_decref(doc);
	json_decref(old);
}

void api_patch(struct api_req *r)
{
	sk_err err = {0};
	const char *ct = http_req_header(r->http, "Content-Type");
	const char *type = api_media_is(ct, "application/json-patch+json")             ? "json"
	                   : api_media_is(ct, "application/merge-patch+json")          ? "merge"
	                   : api_media_is(ct, "application/strategic-merge-patch+json") ? "strategic"
	                   : api_media_is(ct, "application/apply-patch+yaml")          ? "apply"
	                                                                          : NULL;
	if (!type) {
		sk_fail(&err, SK_EMEDIATYPE, "the body of the request was in an unknown format - accepted media types "
		                             "include: application/json-patch+json, application/merge-patch+json, "
		                             "application/apply-patch+yaml");
		api_reply_error(r, &err);
		return;
	}
	if (!strcmp(type, "apply")) {
		api_apply(r);
		return;
	}
	/* custom resources (schemas from OpenAPI, not declared: line 0) take no
	 * strategic merge patch, as in Kubernetes */
	const struct schema_node *t = api_schema(r->res);
	if (!strcmp(type, "strategic") && (!t || !t->line)) {
		/* as for custom resources in Kubernetes */
		sk_fail(&err, SK_EMEDIATYPE, "the body of the request was in an unknown format - accepted media types "
		                             "include: application/json-patch+json, application/merge-patch+json, "
		                             "application/apply-patch+yaml");
		api_reply_error(r, &err);
		return;
	}
	struct write_op *w = new_op(r, W_PATCH, &err);
	json_t *patch = NULL;
	if (!w || api_decode_body(r, &patch, &err) != SK_OK) {
		if (w)
			op_free(w);
		api_reply_error(r, &err);
		return;
	}
	if (strcmp(type, "json") ? !json_is_object(patch) : !json_is_array(patch)) {
		json_decref(patch);
		op_free(w);
		sk_fail(&err, SK_EBADREQUEST, "%s", strcmp(type, "json") ? "the patch must be a JSON object"
		                                                          : "the JSON patch must be an array of operations");
		api_reply_error(r, &err);
		return;
	}
	w->patch = patch;
	snprintf(w->patch_type, sizeof w->patch_type, "%s", type);
	if (!strcmp(r->sub, "scale")) {
		api_scale_patch(r, w->patch, type);
		op_free(w);
		return;
	}
	api_patch_attempt(w);
}

/* ---- action subresources (binding) ---- */

static void act_attempt(struct write_op *w)
{
	struct api_req *r = w->r;
	sk_err err = {0};
	json_t *old = NULL, *next = NULL;
	w->attempts++;
	if (store_get(w->key, &old, &err) != SK_OK)
		goto fail;
	if (!(next = json_deep_copy(old))) {
		sk_fail(&err, SK_ENOMEM, "out of memory");
		goto fail;
	}
	void *ud = NULL;
	struct call_scope cs;
	sk_ext_find(SK_EXT_RESOURCE, r->res->name, &ud);
	call_begin(&cs, sk_ext_owner(SK_EXT_RESOURCE, r->res->name));
	int rc = r->res->act(ud, r->sub, O(w->patch), O(next), &err);
	call_end(&cs, "an action subresource");
	if (rc != SK_OK) {
		if (!err.code)
			sk_fail(&err, rc, "the %s subresource refused the request", r->sub);
		if (err.code == SK_ECONFLICT) {
			/* as kube-apiserver words a refused binding */
			char q[160], why[sizeof err.msg];
			api_qualified(r->res, q, sizeof q);
			snprintf(why, sizeof why, "%s", err.msg);
			snprintf(err.msg, sizeof err.msg, "Operation cannot be fulfilled on %s/%s \"%s\": %s", q, r->sub,
			         r->name, why);
		}
		goto fail;
	}
	int64_t expect = store_parse_rv(md_str(old, "resourceVersion"));
	json_decref(old);
	if (w->dry_run) {
		json_decref(next);
		op_free(w);
		api_reply_json(r, 201, api_status(201, NULL, NULL, NULL));
		return;
	}
	write_submit(w, next, expect);
	return;
fail:
	json_decref(next);
	json_decref(old);
	op_free(w);
	api_reply_error(r, &err);
}

void api_act(struct api_req *r)
{
	sk_err err = {0};
	json_t *body = NULL;
	struct write_op *w = new_op(r, W_ACT, &err);
	if (!w || api_decode_body(r, &body, &err) != SK_OK)
		goto fail;
	const char *name = md_str(body, "name");
	if (name && *name && strcmp(name, r->name)) {
		sk_fail(&err, SK_EBADREQUEST, "name in URL does not match name in %s object",
		        json_string_value(json_object_get(body, "kind")) ? json_string_value(json_object_get(body, "kind"))
		                                                         : "the posted");
		goto fail;
	}
	/* admission sees the posted object, as for a create of pods/binding */
	if (api_admission(r, "CREATE", body, NULL, 1, w->dry_run, &err) != SK_OK ||
	    api_admission(r, "CREATE", body, NULL, 0, w->dry_run, &err) != SK_OK)
		goto fail;
	w->patch = body;
	act_attempt(w);
	return;
fail:
	json_decref(body);
	if (w)
		op_free(w);
	api_reply_error(r, &err);
}
