/* store.c — JSON objects on a datastore backend.
 *
 * Values are stored as compact JSON without metadata.resourceVersion; the
 * object's mod revision is put back as its resourceVersion whenever it is
 * read, so the two can never disagree.
 */
#include "store.h"
#include "bus.h"
#include "err.h"
#include "gojson.h"
#include "log.h"
#include "loop.h"
#include "plugin_host.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const sk_datastore_ops *be;
static void *db;
static ev_timer compact_timer;
static int64_t keep_revisions;

int64_t store_parse_rv(const char *rv)
{
	if (!rv || !*rv)
		return 0;
	char *end;
	long long v = strtoll(rv, &end, 10);
	return *end || v < 0 ? -1 : (int64_t)v;
}

static void set_rv(json_t *obj, int64_t rev)
{
	json_t *md = json_object_get(obj, "metadata");
	if (!json_is_object(md)) {
		md = json_object();
		json_object_set_new(obj, "metadata", md);
	}
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRId64, rev);
	json_object_set_new(md, "resourceVersion", json_string(buf));
}

static json_t *decode(const char *val, size_t len, int64_t rev)
{
	json_error_t je;
	json_t *j = json_loadb(val, len, 0, &je);
	if (!j) {
		LOG_E("corrupt object in the datastore at revision %" PRId64 ": %s", rev, je.text);
		return NULL;
	}
	set_rv(j, rev);
	return j;
}

static char *encode(json_t *obj, size_t *len)
{
	json_t *md = json_object_get(obj, "metadata");
	json_t *rv = json_is_object(md) ? json_incref(json_object_get(md, "resourceVersion")) : NULL;
	if (rv)
		json_object_del(md, "resourceVersion");
	char *s = gojson_dumps(obj, 0);
	if (rv)
		json_object_set_new(md, "resourceVersion", rv);
	*len = s ? strlen(s) : 0;
	return s;
}

static void on_compact_timer(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l;
	(void)w;
	(void)revents;
	int64_t target = store_revision() - keep_revisions;
	if (target > be->compacted(db)) {
		sk_err e;
		if (store_compact(target, &e) != SK_OK)
			LOG_W("compaction at %" PRId64 " failed: %s", target, e.msg);
	}
}

int store_open(const char *backend, const char *data_dir, json_t *settings, int64_t history_revisions,
               double compact_interval_s, sk_err *err)
{
	void *ud = NULL;
	if (!sk_ext_find(SK_EXT_DATASTORE, "leveldb", NULL))
		sk_register(sk_core_plugin(), SK_EXT_DATASTORE, &sk_leveldb_datastore, NULL, NULL);
	be = sk_ext_find(SK_EXT_DATASTORE, backend, &ud);
	if (!be)
		return sk_fail(err, SK_ENOTFOUND, "unknown datastore backend \"%s\" (no plugin registers it)", backend);
	sk_ds_open_args args = {sizeof args, data_dir, (const sk_obj *)settings, NULL, NULL};
	struct call_scope s;
	call_begin(&s, sk_ext_owner(SK_EXT_DATASTORE, backend));
	int rc = be->open(ud, &args, &db, err);
	call_end(&s, "datastore open");
	if (rc != SK_OK) {
		be = NULL;
		return rc;
	}
	keep_revisions = history_revisions > 0 ? history_revisions : 100000;
	if (compact_interval_s > 0) {
		ev_timer_init(&compact_timer, on_compact_timer, compact_interval_s, compact_interval_s);
		ev_timer_start(sk_ev(), &compact_timer);
		ev_unref(sk_ev());
	}
	return SK_OK;
}

void store_close(void)
{
	if (!be)
		return;
	if (ev_is_active(&compact_timer)) {
		ev_ref(sk_ev());
		ev_timer_stop(sk_ev(), &compact_timer);
	}
	be->close(db);
	be = NULL;
	db = NULL;
}

struct get_ctx {
	json_t *obj;
};

static int got(void *ud, const sk_ds_kv *kv)
{
	struct get_ctx *g = ud;
	g->obj = decode(kv->value, kv->len, kv->mod_rev);
	return 1;
}

int store_get(const char *key, json_t **out, sk_err *err)
{
	struct get_ctx g = {NULL};
	int rc = be->get(db, key, got, &g, err);
	if (rc != SK_OK)
		return rc;
	if (!g.obj)
		return sk_fail(err, SK_EIO, "corrupt object at %s", key);
	*out = g.obj;
	return SK_OK;
}

struct range_ctx {
	store_visit_fn fn;
	void *ud;
};

static int ranged(void *ud, const sk_ds_kv *kv)
{
	struct range_ctx *r = ud;
	json_t *obj = decode(kv->value, kv->len, kv->mod_rev);
	if (!obj)
		return 0;
	int stop = r->fn(r->ud, kv->key, obj);
	json_decref(obj);
	return stop;
}

int store_range(const char *prefix, const char *start, int64_t rev, store_visit_fn fn, void *ud, int64_t *at,
                sk_err *err)
{
	struct range_ctx r = {fn, ud};
	sk_ds_range rq = {sizeof rq, prefix, start, rev, 0};
	sk_ds_range_result res;
	int rc = be->range(db, &rq, ranged, &r, &res, err);
	if (at)
		*at = res.revision;
	return rc;
}

struct write_ctx {
	store_done_fn fn;
	void *ud;
	json_t *obj;
};

static size_t writes_in_flight; /* submitted, callback not yet run */

static void written(void *cb_ud, const sk_err *err, const sk_ds_change *ch)
{
	struct write_ctx *w = cb_ud;
	writes_in_flight--;
	if (err) {
		if (w->fn)
			w->fn(w->ud, err, NULL);
		json_decref(w->obj);
		free(w);
		return;
	}
	int64_t rev = ch->kv->mod_rev;
	json_t *old = ch->prev && ch->prev->value ? decode(ch->prev->value, ch->prev->len, ch->prev->mod_rev) : NULL;
	json_t *obj;
	int type;
	if (ch->op == SK_DS_DELETE) {
		/* a DELETED event carries the last state, at the deletion's revision */
		obj = old ? json_deep_copy(old) : json_object();
		set_rv(obj, rev);
		type = SK_EV_DELETED;
	} else {
		obj = json_incref(w->obj);
		set_rv(obj, rev);
		type = ch->op == SK_DS_CREATE ? SK_EV_ADDED : SK_EV_MODIFIED;
	}
	if (w->fn)
		w->fn(w->ud, NULL, obj);
	bus_publish(type, rev, ch->kv->key, obj, old);
	json_decref(obj);
	json_decref(old);
	json_decref(w->obj);
	free(w);
}

static void submit(sk_ds_op op, const char *key, json_t *obj, int64_t expect, store_done_fn fn, void *ud)
{
	struct write_ctx *w = calloc(1, sizeof *w);
	sk_err e;
	if (!w) {
		json_decref(obj);
		sk_fail(&e, SK_ENOMEM, "out of memory");
		if (fn)
			fn(ud, &e, NULL);
		return;
	}
	w->fn = fn;
	w->ud = ud;
	w->obj = obj;
	writes_in_flight++;
	size_t len = 0;
	char *val = NULL;
	if (obj && !(val = encode(obj, &len))) {
		sk_fail(&e, SK_EINVALID, "object cannot be encoded");
		written(w, &e, NULL);
		return;
	}
	sk_ds_write wr = {sizeof wr, op, key, val, len, expect};
	be->write(db, &wr, written, w);
	free(val);
}

void store_create(const char *key, json_t *obj, store_done_fn fn, void *ud)
{
	submit(SK_DS_CREATE, key, obj, 0, fn, ud);
}

void store_update(const char *key, json_t *obj, int64_t expect_rev, store_done_fn fn, void *ud)
{
	submit(SK_DS_UPDATE, key, obj, expect_rev, fn, ud);
}

void store_delete(const char *key, int64_t expect_rev, store_done_fn fn, void *ud)
{
	submit(SK_DS_DELETE, key, NULL, expect_rev, fn, ud);
}

static int drained(void *ud)
{
	(void)ud;
	return writes_in_flight == 0;
}

int store_drain(double timeout_s) { return drained(NULL) || sk_loop_run_until(drained, NULL, timeout_s); }

int64_t store_revision(void) { return be ? be->revision(db) : 0; }
int64_t store_compacted(void) { return be ? be->compacted(db) : 0; }
int store_compact(int64_t rev, sk_err *err) { return be->compact(db, rev, err); }

struct hist_ctx {
	store_change_fn fn;
	void *ud;
};

static int replayed(void *ud, const sk_ds_change *ch)
{
	struct hist_ctx *h = ud;
	json_t *old = ch->prev && ch->prev->value ? decode(ch->prev->value, ch->prev->len, ch->prev->mod_rev) : NULL;
	json_t *obj;
	int type = ch->op == SK_DS_CREATE ? SK_EV_ADDED : ch->op == SK_DS_UPDATE ? SK_EV_MODIFIED : SK_EV_DELETED;
	if (ch->op == SK_DS_DELETE) {
		obj = old ? json_deep_copy(old) : json_object();
		set_rv(obj, ch->kv->mod_rev);
	} else {
		obj = decode(ch->kv->value, ch->kv->len, ch->kv->mod_rev);
	}
	int stop = obj ? h->fn(h->ud, type, ch->kv->mod_rev, ch->kv->key, obj, old) : 0;
	json_decref(obj);
	json_decref(old);
	return stop;
}

int store_history(int64_t after, store_change_fn fn, void *ud, sk_err *err)
{
	struct hist_ctx h = {fn, ud};
	return be->history(db, after, replayed, &h, err);
}
