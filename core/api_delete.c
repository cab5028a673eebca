/* api_delete.c — delete and deletecollection with Kubernetes' options:
 * preconditions, dry run, propagation policy, and finalizers (an object
 * with finalizers gets a deletionTimestamp and stays until they are gone). */
#include "api.h"
#include "loop.h"
#include "plugin_host.h"
#include "err.h"
#include "json.h"
#include "keys.h"
#include "stamp.h"
#include "store.h"
#include <inttypes.h>
#include <skiff/data.h>
#include <skiff/selector.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct delete_opts {
	int dry_run;
	long long grace;        /* -1: the object's default */
	char propagation[16];   /* "", Orphan, Background, Foreground */
	char pre_uid[64];
	int64_t pre_rv;         /* 0: none */
};

/* DeleteOptions come as a body (kubectl) or as query parameters */
static int delete_options(struct api_req *r, struct delete_opts *o, sk_err *err)
{
	memset(o, 0, sizeof *o);
	o->grace = -1;
	size_t len = 0;
	const char *body = http_req_body(r->http, &len);
	json_t *opts = NULL;
	if (body && len) {
		if (api_decode_body(r, &opts, err) != SK_OK)
			return err->code;
		if (!json_is_object(opts)) {
			json_decref(opts);
			return sk_fail(err, SK_EBADREQUEST, "the body of a delete must be DeleteOptions");
		}
	}
	const char *dry = query_get(&r->q, "dryRun"), *pp = query_get(&r->q, "propagationPolicy");
	long long grace = -1;
	if (query_get(&r->q, "gracePeriodSeconds") && query_int(&r->q, "gracePeriodSeconds", -1, &grace, err) != SK_OK)
		goto bad;
	json_t *v;
	if ((v = json_object_get(opts, "gracePeriodSeconds")) && json_is_integer(v))
		grace = json_integer_value(v);
	o->grace = grace;
	if ((v = json_object_get(opts, "propagationPolicy")) && json_is_string(v))
		pp = json_string_value(v);
	if ((v = json_object_get(opts, "orphanDependents")) && json_is_true(v) && !pp)
		pp = "Orphan";
	if (pp && *pp) {
		if (strcmp(pp, "Orphan") && strcmp(pp, "Background") && strcmp(pp, "Foreground")) {
			sk_fail(err, SK_EINVALID, "propagationPolicy: Unsupported value: \"%s\": supported values: "
			                          "\"Foreground\", \"Background\", \"Orphan\"", pp);
			goto bad;
		}
		snprintf(o->propagation, sizeof o->propagation, "%s", pp);
	}
	json_t *dr = json_object_get(opts, "dryRun");
	if (json_is_array(dr) && json_array_size(dr))
		dry = json_string_value(json_array_get(dr, 0));
	if (dry && *dry) {
		if (strcmp(dry, "All")) {
			sk_fail(err, SK_EBADREQUEST, "dryRun: Unsupported value: \"%s\": supported values: \"All\"", dry);
			goto bad;
		}
		o->dry_run = 1;
	}
	json_t *pre = json_object_get(opts, "preconditions");
	const char *uid = json_string_value(json_object_get(pre, "uid"));
	const char *rv = json_string_value(json_object_get(pre, "resourceVersion"));
	if (uid)
		snprintf(o->pre_uid, sizeof o->pre_uid, "%s", uid);
	if (rv && (o->pre_rv = store_parse_rv(rv)) < 0) {
		sk_fail(err, SK_EBADREQUEST, "preconditions.resourceVersion: Invalid value: \"%s\"", rv);
		goto bad;
	}
	json_decref(opts);
	return SK_OK;
bad:
	json_decref(opts);
	if (err->code == SK_EINVALID && !strstr(err->msg, "propagation"))
		err->code = SK_EBADREQUEST;
	return err->code;
}

struct del_op {
	struct api_req *r;
	struct delete_opts o;
	/* deletecollection: the items left to delete and what was deleted */
	json_t *items;
	size_t next;
	json_t *deleted;
	int accepted;  /* finalizers kept an object: 202 */
	char key[1100];
};

static void del_gone(struct api_req *r) { (void)r; }

static void del_free(struct del_op *d)
{
	json_decref(d->items);
	json_decref(d->deleted);
	free(d);
}

static void collection_next(struct del_op *d);

static void done_one(void *ud, const sk_err *err, json_t *stored)
{
	struct del_op *d = ud;
	struct api_req *r = d->r;
	if (d->items) {
		/* one of a collection: a vanished or changed item is skipped */
		if (!err && stored)
			json_array_append(d->deleted, stored);
		collection_next(d);
		return;
	}
	r->busy = 0;
	r->op_gone = NULL;
	if (r->gone) {
		api_req_free(r);
		del_free(d);
		return;
	}
	int code = d->accepted ? 202 : 200;
	del_free(d);
	if (err)
		api_reply_error(r, err);
	else
		api_reply_json(r, code, api_out(r, json_incref(stored)));
}

/* the kind's graceful deletion period for old (0: none) */
static int64_t delete_grace(const sk_resource_ops *res, json_t *old, long long requested)
{
	if (!API_HAS(res, delete_grace) || !res->delete_grace)
		return 0;
	void *ud = NULL;
	struct call_scope cs;
	sk_ext_find(SK_EXT_RESOURCE, res->name, &ud);
	call_begin(&cs, sk_ext_owner(SK_EXT_RESOURCE, res->name));
	int64_t g = res->delete_grace(ud, O(old), requested);
	call_end(&cs, "a graceful deletion check");
	return g;
}

/* marks old as deleted in `grace` seconds, or sooner than an earlier mark
 * said; whoever stops the object deletes it (the node agent, for pods) */
static int mark_graceful(struct del_op *d, json_t *old, int64_t rv, int64_t grace)
{
	json_t *next = json_deep_copy(old), *nmd = json_object_get(next, "metadata");
	json_t *had = json_object_get(nmd, "deletionGracePeriodSeconds");
	d->accepted = 0; /* Kubernetes answers 200 with the marked pod */
	if (!json_object_get(nmd, "deletionTimestamp") || (json_is_integer(had) && json_integer_value(had) > grace)) {
		char when[32];
		stamp_after(when, grace);
		json_object_set_new(nmd, "deletionTimestamp", json_string(when));
		json_object_set_new(nmd, "deletionGracePeriodSeconds", json_integer(grace));
	}
	if (d->o.dry_run || json_equal(next, old)) {
		done_one(d, NULL, next);
		json_decref(next);
		return SK_OK;
	}
	store_update(d->key, next, rv, done_one, d); /* takes next */
	return SK_OK;
}

/* Deletes (or marks for deletion) the stored object old under d->key;
 * completes through done_one. Returns non-zero with err set when it fails
 * before writing. */
static int delete_object(struct del_op *d, json_t *old, sk_err *err)
{
	struct api_req *r = d->r;
	json_t *md = json_object_get(old, "metadata");
	const char *uid = json_string_value(json_object_get(md, "uid"));
	const char *rvs = json_string_value(json_object_get(md, "resourceVersion"));
	int64_t rv = store_parse_rv(rvs);
	if (*d->o.pre_uid && (!uid || strcmp(uid, d->o.pre_uid)))
		return sk_fail(err, SK_ECONFLICT, "Precondition failed: UID in precondition: %s, UID in object meta: %s",
		               d->o.pre_uid, uid ? uid : "");
	if (d->o.pre_rv && d->o.pre_rv != rv)
		return sk_fail(err, SK_ECONFLICT,
		               "Precondition failed: ResourceVersion in precondition: %" PRId64
		               ", ResourceVersion in object meta: %s",
		               d->o.pre_rv, rvs ? rvs : "");
	int rc = api_admission(r, "DELETE", NULL, old, 0, d->o.dry_run, err);
	if (rc != SK_OK)
		return rc;
	int64_t grace = delete_grace(r->res, old, d->o.grace);
	if (grace > 0)
		return mark_graceful(d, old, rv, grace);
	json_t *fin = json_object_get(md, "finalizers");
	const char *extra = !strcmp(d->o.propagation, "Foreground") ? "foregroundDeletion"
	                    : !strcmp(d->o.propagation, "Orphan")   ? "orphan"
	                                                            : NULL;
	if (json_array_size(fin) || extra) {
		/* graceful: mark, and let whoever owns the finalizers finish */
		json_t *next = json_deep_copy(old), *nmd = json_object_get(next, "metadata");
		if (!json_object_get(nmd, "deletionTimestamp")) {
			char now[32];
			stamp_now(now);
			json_object_set_new(nmd, "deletionTimestamp", json_string(now));
			json_object_set_new(nmd, "deletionGracePeriodSeconds", json_integer(0));
		}
		json_t *nf = json_object_get(nmd, "finalizers");
		if (!json_is_array(nf)) {
			nf = json_array();
			json_object_set_new(nmd, "finalizers", nf);
		}
		int have = 0;
		size_t i;
		json_t *f;
		json_array_foreach(nf, i, f) have |= extra && !strcmp(json_string_value(f), extra);
		if (extra && !have)
			json_array_append_new(nf, json_string(extra));
		d->accepted = 1;
		if (d->o.dry_run || json_equal(next, old)) {
			done_one(d, NULL, next);
			json_decref(next);
			return SK_OK;
		}
		store_update(d->key, next, rv, done_one, d);
		return SK_OK;
	}
	if (d->o.dry_run) {
		done_one(d, NULL, old);
		return SK_OK;
	}
	store_delete(d->key, rv, done_one, d);
	return SK_OK;
}

void api_delete(struct api_req *r)
{
	sk_err err = {0};
	json_t *old = NULL;
	struct del_op *d = calloc(1, sizeof *d);
	if (!d) {
		sk_fail(&err, SK_ENOMEM, "out of memory");
		goto fail;
	}
	d->r = r;
	if (delete_options(r, &d->o, &err) != SK_OK ||
	    keys_make(d->key, sizeof d->key, r->res, r->ns, r->name, &err) != SK_OK ||
	    store_get(d->key, &old, &err) != SK_OK) {
		if (err.code == SK_EINVALID)
			err.code = SK_ENOTFOUND;
		goto fail;
	}
	r->busy = 1;
	r->op_gone = del_gone;
	if (delete_object(d, old, &err) != SK_OK) {
		r->busy = 0;
		r->op_gone = NULL;
		goto fail;
	}
	json_decref(old);
	return;
fail:
	json_decref(old);
	free(d);
	api_reply_error(r, &err);
}

static void collection_next(struct del_op *d)
{
	struct api_req *r = d->r;
	while (d->next < json_array_size(d->items)) {
		json_t *it = json_array_get(d->items, d->next++);
		const char *name = json_string_value(json_object_get(json_object_get(it, "metadata"), "name"));
		sk_err err = {0};
		if (!name || keys_make(d->key, sizeof d->key, r->res, r->ns, name, &err) != SK_OK)
			continue;
		if (delete_object(d, it, &err) == SK_OK)
			return; /* continues in done_one */
		if (err.code != SK_ECONFLICT) {
			r->busy = 0;
			r->op_gone = NULL;
			json_t *items = d->items;
			d->items = NULL;
			json_decref(items);
			if (r->gone)
				api_req_free(r);
			else
				api_reply_error(r, &err);
			del_free(d);
			return;
		}
	}
	r->busy = 0;
	r->op_gone = NULL;
	if (r->gone) {
		api_req_free(r);
		del_free(d);
		return;
	}
	char gv[128];
	api_group_version(api_shown(r), gv, sizeof gv);
	for (size_t i = 0; i < json_array_size(d->deleted); i++)
		json_array_set_new(d->deleted, i, api_out(r, json_incref(json_array_get(d->deleted, i))));
	json_t *list = json_pack("{s:s, s:s, s:{s:s}, s:O}", "kind", api_shown(r)->list_kind, "apiVersion", gv,
	                         "metadata", "resourceVersion", "", "items", d->deleted);
	del_free(d);
	api_reply_json(r, 200, list);
}

void api_delete_collection(struct api_req *r)
{
	sk_err err = {0};
	sk_list_opts lo;
	sk_obj *list = NULL;
	struct del_op *d = calloc(1, sizeof *d);
	if (!d) {
		sk_fail(&err, SK_ENOMEM, "out of memory");
		api_reply_error(r, &err);
		return;
	}
	d->r = r;
	if (delete_options(r, &d->o, &err) != SK_OK || api_list_options(r, &lo, &err) != SK_OK) {
		free(d);
		api_reply_error(r, &err);
		return;
	}
	int rc = sk_api_list(r->res->group, r->res->plural, *r->ns ? r->ns : NULL, &lo, &list, &err);
	api_list_options_free(&lo);
	if (rc != SK_OK) {
		free(d);
		api_reply_error(r, &err);
		return;
	}
	d->items = json_incref(json_object_get(J(list), "items"));
	d->deleted = json_array();
	sk_obj_unref(list);
	r->busy = 1;
	r->op_gone = del_gone;
	collection_next(d);
}
