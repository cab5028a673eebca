/* data.c — the SDK's object API (skiff/data.h) for plugins: reads, writes
 * and watches by resource, over the store and the bus. */
#include "bus.h"
#include "err.h"
#include "json.h"
#include "keys.h"
#include "loop.h"
#include "plugin_host.h"
#include "stamp.h"
#include "store.h"
#include <inttypes.h>
#include <stddef.h>
#include <skiff/data.h>
#include <skiff/resource.h>
#include <skiff/selector.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEYCAP 1100

int sk_api_get(const char *group, const char *resource, const char *ns, const char *name, sk_obj **out,
           sk_err *err)
{
	char key[KEYCAP];
	const sk_resource_ops *r = keys_resource(group, resource, ns, err);
	if (!r)
		return err ? err->code : SK_ENOTFOUND;
	if (!name || !*name)
		return sk_fail(err, SK_EINVALID, "name is required");
	if (keys_make(key, sizeof key, r, ns, name, err) != SK_OK)
		return SK_EINVALID;
	json_t *j;
	int rc = store_get(key, &j, err);
	if (rc == SK_ENOTFOUND)
		return sk_fail(err, SK_ENOTFOUND, "%s \"%s\" not found", r->name, name);
	if (rc == SK_OK)
		*out = O(j);
	return rc;
}

struct list_ctx {
	const sk_list_opts *o;
	json_t *items;
	size_t limit;
	char next[KEYCAP];
	int more;
};

static int list_visit(void *ud, const char *key, json_t *obj)
{
	struct list_ctx *c = ud;
	if (c->o && c->o->labels && !sk_selector_matches(c->o->labels, O(obj)))
		return 0;
	if (c->o && c->o->fields && !sk_selector_matches(c->o->fields, O(obj)))
		return 0;
	if (c->limit && json_array_size(c->items) == c->limit) {
		c->more = 1;
		snprintf(c->next, sizeof c->next, "%s", key);
		return 1;
	}
	json_array_append(c->items, obj);
	return 0;
}

int sk_api_list(const char *group, const char *resource, const char *ns, const sk_list_opts *opts, sk_obj **out,
            sk_err *err)
{
	char prefix[KEYCAP], start[KEYCAP] = "";
	const sk_resource_ops *r = keys_resource(group, resource, ns, err);
	if (!r)
		return err ? err->code : SK_ENOTFOUND;
	if (keys_make(prefix, sizeof prefix, r, ns, NULL, err) != SK_OK)
		return SK_EINVALID;
	int64_t rev = opts && opts->size >= sizeof *opts ? opts->revision : 0;
	if (opts && opts->cont && *opts->cont) {
		if (keys_continue_decode(opts->cont, &rev, start, sizeof start, err) != SK_OK)
			return SK_EINVALID;
		if (strncmp(start, prefix, strlen(prefix)) != 0)
			return sk_fail(err, SK_EINVALID, "continue key is not valid: it belongs to another list");
	}
	struct list_ctx c = {opts, json_array(), opts ? opts->limit : 0, "", 0};
	int64_t at = 0;
	int rc = store_range(prefix, *start ? start : NULL, rev, list_visit, &c, &at, err);
	if (rc != SK_OK) {
		json_decref(c.items);
		if (rc == SK_EEXPIRED && opts && opts->cont)
			return sk_fail(err, SK_EEXPIRED,
			               "The provided continue parameter is too old to display a consistent list result. "
			               "You can start a new list without the continue parameter.");
		return rc;
	}
	char rvs[24];
	snprintf(rvs, sizeof rvs, "%" PRId64, at);
	json_t *list = json_pack("{s:{s:s}, s:o}", "metadata", "resourceVersion", rvs, "items", c.items);
	if (c.more) {
		char *tok = keys_continue_encode(at, c.next);
		json_object_set_new(json_object_get(list, "metadata"), "continue", json_string(tok ? tok : ""));
		free(tok);
	}
	*out = O(list);
	return SK_OK;
}

struct pwrite {
	sk_plugin *p;
	sk_write_fn fn;
	void *ud;
};

static void run_callback(const struct pwrite *w, const sk_err *err, json_t *stored)
{
	if (w->fn) {
		struct call_scope s;
		call_begin(&s, w->p);
		w->fn(w->ud, err, O(stored));
		call_end(&s, "a write completion");
	}
}

static void pwritten(void *ud, const sk_err *err, json_t *stored)
{
	run_callback(ud, err, stored);
	free(ud);
}

static struct pwrite *pwrite_new(sk_plugin *p, sk_write_fn fn, void *ud)
{
	struct pwrite *w = malloc(sizeof *w);
	if (w) {
		w->p = p;
		w->fn = fn;
		w->ud = ud;
	}
	return w;
}

struct deferred_fail {
	struct pwrite w;
	sk_err err;
};

static void deliver_fail(int revents, void *arg)
{
	(void)revents;
	struct deferred_fail *d = arg;
	run_callback(&d->w, &d->err, NULL);
	free(d);
}

/* Errors found before anything is written still complete through the
 * callback, on a later loop iteration like every other completion, so no
 * caller sees its callback run before its call returned. */
static void fail_now(sk_plugin *p, sk_write_fn fn, void *ud, const sk_err *e)
{
	struct deferred_fail *d = malloc(sizeof *d);
	if (!d)
		return;
	d->w = (struct pwrite){p, fn, ud};
	d->err = *e;
	ev_once(sk_ev(), -1, 0, 0, deliver_fail, d);
}

/* Resolves the key of obj, filling metadata.namespace for namespaced kinds. */
static int object_key(const sk_resource_ops *r, const char *ns, json_t *obj, char *key, sk_err *err)
{
	json_t *md = json_object_get(obj, "metadata");
	const char *name = json_string_value(json_object_get(md, "name"));
	if (!json_is_object(md) || !name || !*name)
		return sk_fail(err, SK_EINVALID, "metadata.name: Required value: name is required");
	if (r->namespaced) {
		const char *ons = json_string_value(json_object_get(md, "namespace"));
		if (!ns || !*ns)
			ns = ons;
		if (!ns || !*ns)
			return sk_fail(err, SK_EINVALID, "metadata.namespace: Required value");
		if (ons && *ons && strcmp(ons, ns) != 0)
			return sk_fail(err, SK_EINVALID,
			               "the namespace of the provided object (%s) does not match the namespace of the "
			               "request (%s)",
			               ons, ns);
		json_object_set_new(md, "namespace", json_string(ns));
	}
	return keys_make(key, KEYCAP, r, r->namespaced ? ns : NULL, name, err);
}

void sk_api_create(sk_plugin *p, const char *group, const char *resource, const char *ns, sk_obj *obj,
               sk_write_fn fn, void *ud)
{
	sk_err e;
	char key[KEYCAP];
	const sk_resource_ops *r = keys_resource(group, resource, ns, &e);
	json_t *copy = r && obj ? json_deep_copy(J(obj)) : NULL;
	if (!r || !copy || object_key(r, ns, copy, key, &e) != SK_OK) {
		if (r && !obj)
			sk_fail(&e, SK_EINVALID, "no object");
		json_decref(copy);
		fail_now(p, fn, ud, &e);
		return;
	}
	json_t *md = json_object_get(copy, "metadata");
	if (!json_string_value(json_object_get(md, "uid"))) {
		char uid[37];
		stamp_uid(uid);
		json_object_set_new(md, "uid", json_string(uid));
	}
	if (!json_string_value(json_object_get(md, "creationTimestamp"))) {
		char ts[32];
		stamp_now(ts);
		json_object_set_new(md, "creationTimestamp", json_string(ts));
	}
	store_create(key, copy, pwritten, pwrite_new(p, fn, ud));
}

void sk_api_update(sk_plugin *p, const char *group, const char *resource, const char *ns, sk_obj *obj,
               sk_write_fn fn, void *ud)
{
	sk_err e;
	char key[KEYCAP];
	const sk_resource_ops *r = keys_resource(group, resource, ns, &e);
	json_t *copy = r && obj ? json_deep_copy(J(obj)) : NULL;
	if (!r || !copy || object_key(r, ns, copy, key, &e) != SK_OK) {
		json_decref(copy);
		fail_now(p, fn, ud, &e);
		return;
	}
	int64_t expect = store_parse_rv(sk_obj_get_str(O(copy), "metadata.resourceVersion"));
	if (expect < 0) {
		json_decref(copy);
		sk_fail(&e, SK_EINVALID, "metadata.resourceVersion: Invalid value: must be a revision number");
		fail_now(p, fn, ud, &e);
		return;
	}
	store_update(key, copy, expect, pwritten, pwrite_new(p, fn, ud));
}

void sk_api_delete(sk_plugin *p, const char *group, const char *resource, const char *ns, const char *name,
               int64_t precondition_rv, sk_write_fn fn, void *ud)
{
	sk_err e;
	char key[KEYCAP];
	const sk_resource_ops *r = keys_resource(group, resource, ns, &e);
	if (!r || !name || keys_make(key, sizeof key, r, ns, name, &e) != SK_OK) {
		if (r && !name)
			sk_fail(&e, SK_EINVALID, "name is required");
		fail_now(p, fn, ud, &e);
		return;
	}
	store_delete(key, precondition_rv, pwritten, pwrite_new(p, fn, ud));
}

void sk_api_act(sk_plugin *p, const char *group, const char *resource, const char *ns, const char *name,
                const char *subresource, const sk_obj *body, sk_write_fn fn, void *ud)
{
	sk_err e = {0};
	char key[KEYCAP];
	json_t *cur = NULL, *next = NULL;
	const sk_resource_ops *r = keys_resource(group, resource, ns, &e);
	if (!r)
		goto fail;
	if (r->size < offsetof(sk_resource_ops, act) + sizeof r->act || !r->act || !subresource ||
	    !(r->subresources & SK_SUB_BINDING) || strcmp(subresource, "binding")) {
		sk_fail(&e, SK_ENOTFOUND, "%s has no %s subresource", resource, subresource ? subresource : "(null)");
		goto fail;
	}
	if (!name || keys_make(key, sizeof key, r, ns, name, &e) != SK_OK || store_get(key, &cur, &e) != SK_OK)
		goto fail;
	if (!(next = json_deep_copy(cur))) {
		sk_fail(&e, SK_ENOMEM, "out of memory");
		goto fail;
	}
	void *rud = NULL;
	struct call_scope cs;
	sk_ext_find(SK_EXT_RESOURCE, r->name, &rud);
	call_begin(&cs, sk_ext_owner(SK_EXT_RESOURCE, r->name));
	int rc = r->act(rud, subresource, body, O(next), &e);
	call_end(&cs, "an action subresource");
	if (rc != SK_OK) {
		if (!e.code)
			sk_fail(&e, rc, "the %s subresource refused the request", subresource);
		goto fail;
	}
	int64_t expect = store_parse_rv(sk_obj_get_str(O(cur), "metadata.resourceVersion"));
	json_decref(cur);
	store_update(key, next, expect, pwritten, pwrite_new(p, fn, ud));
	return;
fail:
	json_decref(cur);
	json_decref(next);
	fail_now(p, fn, ud, &e);
}

int64_t sk_api_revision(void) { return store_revision(); }

struct sk_watch {
	struct bus_sub *sub;
};

sk_watch *sk_watch_start(sk_plugin *p, const sk_watch_spec *spec, sk_err *err)
{
	char prefix[KEYCAP];
	if (!spec || spec->size < sizeof *spec || !spec->fn) {
		sk_fail(err, SK_EINVALID, "watch spec missing or too small");
		return NULL;
	}
	const sk_resource_ops *r = keys_resource(spec->group, spec->resource, spec->ns, err);
	if (!r || keys_make(prefix, sizeof prefix, r, spec->ns, NULL, err) != SK_OK)
		return NULL;
	sk_watch *w = calloc(1, sizeof *w);
	if (!w) {
		sk_fail(err, SK_ENOMEM, "out of memory");
		return NULL;
	}
	w->sub = bus_subscribe(p, prefix, spec->labels, spec->fields, spec->from_revision, spec->fn, spec->ud, err);
	if (!w->sub) {
		free(w);
		return NULL;
	}
	return w;
}

void sk_watch_stop(sk_watch *w)
{
	if (!w)
		return;
	bus_unsubscribe(w->sub);
	free(w);
}
