/* test_data.c — the object API of skiff/data.h over a real store: create,
 * get, update and delete with their errors; lists with selectors and
 * consistent paging; watches from now and from the past, selector
 * transitions, shared event frames, and expiry after compaction. */
#include "testutil.h"
#include "store_fixture.h"
#include "bus.h"
#include "plugin_host.h"
#include "store.h"
#include <inttypes.h>
#include <skiff/data.h>
#include <skiff/obj.h>
#include <skiff/resource.h>
#include <skiff/selector.h>
#include <stdarg.h>
#include <time.h>

/* Small on purpose: watches a little in the past replay from the ring,
 * older ones from the store's history, and the tests reach both. */
#define RING 8


/* Callbacks run inside the loop: a cmocka assertion there would longjmp out
 * of libev and the bus mid-delivery. They note the first failure here and
 * the test reports it once back in control (check_callbacks). */
static char cb_error[512];
#define CB_CHECK(cond, ...)                                                \
	do {                                                                   \
		if (!(cond) && !*cb_error)                                         \
			snprintf(cb_error, sizeof cb_error, __VA_ARGS__);              \
	} while (0)

static void check_callbacks(void)
{
	if (*cb_error)
		fail_msg("in a callback: %s", cb_error);
}


static int setup(void **state)
{
	(void)state;
	tu_store_up(RING, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_store_down();
	return 0;
}

/* ---- helpers ---- */

/* a pod: labels as JSON members ("'app':'web'"), node may be NULL */
static sk_obj *pod(const char *name, const char *labels, const char *node, int v)
{
	return tu_json("{'metadata':{'name':'%s','labels':{%s}},'spec':{'nodeName':'%s'},'v':%d}", name,
	          labels ? labels : "", node ? node : "", v);
}

static int64_t rv_of(const sk_obj *o)
{
	const char *s = sk_obj_get_str(o, "metadata.resourceVersion");
	return s ? strtoll(s, NULL, 10) : -1;
}

struct wres {
	int done;
	int code;
	char msg[512];
	sk_obj *stored; /* a copy; freed by wres_free */
};

static void on_write(void *ud, const sk_err *err, const sk_obj *stored)
{
	struct wres *w = ud;
	w->done++;
	w->code = err ? err->code : SK_OK;
	snprintf(w->msg, sizeof w->msg, "%s", err ? err->msg : "");
	CB_CHECK(!err == !!stored, "a write callback with err %p and stored %p", (void *)err, (void *)stored);
	if (stored)
		w->stored = sk_obj_copy(stored);
}

static void wres_free(struct wres *w)
{
	sk_obj_unref(w->stored);
	w->stored = NULL;
}

enum op { CREATE, UPDATE };

/* create or update, wait for the callback; takes obj */
static struct wres put(enum op op, const char *resource, const char *ns, sk_obj *obj)
{
	struct wres w = {0};
	if (op == CREATE)
		sk_api_create(NULL, "", resource, ns, obj, on_write, &w);
	else
		sk_api_update(NULL, "", resource, ns, obj, on_write, &w);
	tu_wait(&w.done, 1);
	assert_int_equal(w.done, 1);
	sk_obj_unref(obj);
	check_callbacks();
	return w;
}

/* create or update a pod and return its revision; fails the test on error */
static int64_t put_pod(enum op op, const char *ns, const char *name, const char *labels, const char *node, int v)
{
	struct wres w = put(op, "pods", ns, pod(name, labels, node, v));
	if (w.code != SK_OK)
		fail_msg("writing pod %s/%s: %s", ns, name, w.msg);
	int64_t rv = rv_of(w.stored);
	wres_free(&w);
	return rv;
}

static struct wres del(const char *resource, const char *ns, const char *name, int64_t precondition)
{
	struct wres w = {0};
	sk_api_delete(NULL, "", resource, ns, name, precondition, on_write, &w);
	tu_wait(&w.done, 1);
	return w;
}

static int64_t del_pod(const char *ns, const char *name)
{
	struct wres w = del("pods", ns, name, 0);
	if (w.code != SK_OK)
		fail_msg("deleting pod %s/%s: %s", ns, name, w.msg);
	int64_t rv = rv_of(w.stored);
	wres_free(&w);
	return rv;
}

/* "ns/name,ns/name" of a list's items (or "name" for cluster-scoped) */
static void names_of(const sk_obj *list, char *buf, size_t cap)
{
	const sk_obj *items = sk_obj_get(list, "items");
	size_t off = 0;
	buf[0] = 0;
	for (size_t i = 0; i < sk_obj_len(items) && off < cap; i++) {
		const sk_obj *it = sk_obj_at(items, i);
		const char *ns = sk_obj_get_str(it, "metadata.namespace");
		off += (size_t)snprintf(buf + off, cap - off, "%s%s%s%s", i ? "," : "", ns ? ns : "", ns ? "/" : "",
		                        sk_obj_get_str(it, "metadata.name"));
	}
}

static sk_selector *labels_sel(const char *text)
{
	sk_err e;
	sk_selector *s = text ? sk_label_selector_parse(text, &e) : NULL;
	if (text && !s)
		fail_msg("selector %s: %s", text, e.msg);
	return s;
}

static sk_selector *fields_sel(const char *text)
{
	sk_err e;
	sk_selector *s = text ? sk_field_selector_parse(text, &e) : NULL;
	if (text && !s)
		fail_msg("selector %s: %s", text, e.msg);
	return s;
}

/* ---- watch recorder ---- */

#define MAXEV 64

struct evrec {
	int type;
	int64_t rev;
	char name[64];
	char ns[64];
	char key[160];
	int v, old_v; /* the object's and the old object's "v"; -1 if absent */
	char label[32], old_label[32]; /* metadata.labels.app */
	const char *frame; /* sk_event_json, compared by address only */
};

struct rec {
	int n;
	struct evrec ev[MAXEV];
	sk_watch *w;
	int stop_self_after;    /* sk_watch_stop(w) from the callback at this count */
	struct rec *stop_other; /* stop another watch on the first event */
};

/* Records live on the heap and are listed here, so that a failed test's
 * watches are stopped by the per-test teardown instead of delivering into
 * a dead stack frame during the next test. */
static struct rec *recs[16];

static struct rec *rec_new(void)
{
	for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++)
		if (!recs[i])
			return recs[i] = calloc(1, sizeof(struct rec));
	fail_msg("too many watch records");
	return NULL;
}

static int test_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++) {
		if (recs[i])
			sk_watch_stop(recs[i]->w);
		free(recs[i]);
		recs[i] = NULL;
	}
	cb_error[0] = 0;
	return 0;
}

static const char *const type_name[] = {"", "ADDED", "MODIFIED", "DELETED"};

/* checks the shared frame: {"type":..,"object":..} naming this object */
static void check_frame(const sk_event *ev, const char *frame, size_t len)
{
	CB_CHECK(frame && strlen(frame) == len, "sk_event_json: no frame or wrong length");
	if (!frame)
		return;
	sk_err e;
	sk_obj *f = sk_obj_parse(frame, len, &e);
	CB_CHECK(f, "event frame is not JSON: %s", e.msg);
	if (!f)
		return;
	const char *t = sk_obj_get_str(f, "type");
	CB_CHECK(t && strcmp(t, type_name[ev->type]) == 0, "frame type %s for a %s event", t ? t : "(none)",
	         type_name[ev->type]);
	CB_CHECK(sk_obj_equal(sk_obj_get(f, "object"), ev->object), "frame object is not the event's object");
	CB_CHECK(sk_obj_len(f) == 2, "frame has %zu members, want type and object", sk_obj_len(f));
	sk_obj_unref(f);
}

static void on_event(void *ud, const sk_event *ev)
{
	struct rec *r = ud;
	CB_CHECK(ev->size >= sizeof *ev, "event size %u", ev->size);
	CB_CHECK(ev->type >= SK_EV_ADDED && ev->type <= SK_EV_DELETED, "event type %d", ev->type);
	if (r->n >= MAXEV || ev->type < SK_EV_ADDED || ev->type > SK_EV_DELETED) {
		CB_CHECK(0, "too many events");
		return;
	}
	struct evrec *x = &r->ev[r->n++];
	x->type = ev->type;
	x->rev = ev->revision;
	snprintf(x->name, sizeof x->name, "%s", sk_obj_get_str(ev->object, "metadata.name"));
	const char *ns = sk_obj_get_str(ev->object, "metadata.namespace");
	snprintf(x->ns, sizeof x->ns, "%s", ns ? ns : "");
	snprintf(x->key, sizeof x->key, "%s", ev->key);
	x->v = (int)sk_obj_get_int(ev->object, "v", -1);
	x->old_v = ev->old ? (int)sk_obj_get_int(ev->old, "v", -1) : -1;
	const char *l = sk_obj_get_str(ev->object, "metadata.labels.app");
	snprintf(x->label, sizeof x->label, "%s", l ? l : "");
	l = ev->old ? sk_obj_get_str(ev->old, "metadata.labels.app") : NULL;
	snprintf(x->old_label, sizeof x->old_label, "%s", l ? l : "");
	/* an object's resourceVersion is the revision of the event */
	CB_CHECK(rv_of(ev->object) == ev->revision, "object at %lld in an event at %lld", (long long)rv_of(ev->object),
	         (long long)ev->revision);
	CB_CHECK(ev->type != SK_EV_ADDED || !ev->old, "ADDED %s with an old state", x->name);
	/* MODIFIED must carry the old state too: watch_modified_carries_old_state */
	size_t len = 0;
	x->frame = sk_event_json(ev, &len);
	check_frame(ev, x->frame, len);
	if (r->stop_other && r->stop_other->w) {
		sk_watch_stop(r->stop_other->w);
		r->stop_other->w = NULL;
	}
	if (r->stop_self_after && r->n == r->stop_self_after) {
		sk_watch_stop(r->w);
		r->w = NULL;
	}
}

static struct rec *watch(const char *resource, const char *ns, const char *labels, const char *fields,
                         int64_t from)
{
	sk_err e;
	struct rec *r = rec_new();
	sk_selector *ls = labels_sel(labels), *fs = fields_sel(fields);
	sk_watch_spec spec = {sizeof spec, "", resource, ns, ls, fs, from, on_event, r};
	r->w = sk_watch_start(NULL, &spec, &e);
	/* selectors are copied */
	sk_selector_free(ls);
	sk_selector_free(fs);
	if (!r->w)
		fail_msg("sk_watch_start: %s", e.msg);
	return r;
}

static void unwatch(struct rec *r)
{
	sk_watch_stop(r->w);
	r->w = NULL;
}

/* "TYPE ns/name v" per event, comma separated, for compact comparisons */
static void describe(const struct rec *r, char *buf, size_t cap)
{
	size_t off = 0;
	buf[0] = 0;
	for (int i = 0; i < r->n && off < cap; i++)
		off += (size_t)snprintf(buf + off, cap - off, "%s%s %s%s%s %d", i ? "," : "", type_name[r->ev[i].type],
		                        r->ev[i].ns, *r->ev[i].ns ? "/" : "", r->ev[i].name, r->ev[i].v);
}

static void assert_events(const struct rec *r, const char *want)
{
	char got[4096];
	describe(r, got, sizeof got);
	if (strcmp(got, want) != 0)
		fail_msg("events\n  got  [%s]\n  want [%s]", got, want);
	for (int i = 1; i < r->n; i++)
		assert_true(r->ev[i].rev > r->ev[i - 1].rev); /* revision order */
	check_callbacks();
}

/* ---- create, get, update, delete ---- */

static void crud_roundtrip(void **state)
{
	(void)state;
	sk_err e;
	int64_t rev0 = sk_api_revision();
	struct wres c = put(CREATE, "pods", "crud", pod("a", "'app':'web'", "n1", 1));
	assert_int_equal(c.code, SK_OK);
	const sk_obj *s = c.stored;
	int64_t rv1 = rv_of(s);
	assert_true(rv1 > rev0);
	assert_int_equal(sk_api_revision(), rv1);
	assert_string_equal(sk_obj_get_str(s, "metadata.namespace"), "crud"); /* filled from the request */
	/* a v4 UUID */
	const char *uid = sk_obj_get_str(s, "metadata.uid");
	assert_non_null(uid);
	assert_int_equal(strlen(uid), 36);
	assert_true(uid[8] == '-' && uid[13] == '-' && uid[18] == '-' && uid[23] == '-');
	assert_int_equal(uid[14], '4');
	assert_non_null(strchr("89ab", uid[19]));
	const char *ts = sk_obj_get_str(s, "metadata.creationTimestamp");
	assert_non_null(ts);
	struct tm tm = {0};
	const char *end = strptime(ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	assert_true(end && !*end);

	/* get returns what was stored */
	sk_obj *got = NULL;
	assert_int_equal(sk_api_get("", "pods", "crud", "a", &got, &e), SK_OK);
	assert_true(sk_obj_equal(got, s));

	/* update with the current resourceVersion wins, and moves it */
	sk_obj_set_int(got, "v", 2, NULL);
	struct wres u = put(UPDATE, "pods", "crud", got);
	assert_int_equal(u.code, SK_OK);
	int64_t rv2 = rv_of(u.stored);
	assert_true(rv2 > rv1);
	assert_int_equal(sk_obj_get_int(u.stored, "v", 0), 2);
	assert_int_equal(sk_api_get("", "pods", "crud", "a", &got, &e), SK_OK);
	assert_int_equal(rv_of(got), rv2);
	assert_int_equal(sk_obj_get_int(got, "v", 0), 2);
	sk_obj_unref(got);

	/* delete hands back the last state, at the deletion's revision */
	struct wres d = del("pods", "crud", "a", rv2);
	assert_int_equal(d.code, SK_OK);
	assert_int_equal(sk_obj_get_int(d.stored, "v", 0), 2);
	assert_true(rv_of(d.stored) > rv2);
	got = NULL;
	assert_int_equal(sk_api_get("", "pods", "crud", "a", &got, &e), SK_ENOTFOUND);
	assert_null(got);
	assert_int_equal(e.code, SK_ENOTFOUND);

	/* cluster-scoped: no namespace anywhere */
	struct wres n = put(CREATE, "nodes", NULL, tu_json("{'metadata':{'name':'crud-node'}}"));
	assert_int_equal(n.code, SK_OK);
	assert_null(sk_obj_get(n.stored, "metadata.namespace"));
	assert_int_equal(sk_api_get("", "nodes", NULL, "crud-node", &got, &e), SK_OK);
	sk_obj_unref(got);
	struct wres nd = del("nodes", NULL, "crud-node", 0);
	assert_int_equal(nd.code, SK_OK);
	wres_free(&c);
	wres_free(&u);
	wres_free(&d);
	wres_free(&n);
	wres_free(&nd);
}

static void create_fills_and_keeps_metadata(void **state)
{
	(void)state;
	/* uid and creationTimestamp given by the caller are kept */
	struct wres k = put(CREATE, "pods", "meta",
	                    tu_json("{'metadata':{'name':'given','uid':'u-1','creationTimestamp':'2001-02-03T04:05:06Z'}}"));
	assert_int_equal(k.code, SK_OK);
	assert_string_equal(sk_obj_get_str(k.stored, "metadata.uid"), "u-1");
	assert_string_equal(sk_obj_get_str(k.stored, "metadata.creationTimestamp"), "2001-02-03T04:05:06Z");
	wres_free(&k);

	/* creationTimestamp comes from the cluster clock, which tests may move */
	sk_clock_set(10LL * 365 * 86400 * 1000, 1.0);
	time_t before = (time_t)(sk_clock_now_ms() / 1000);
	struct wres f = put(CREATE, "pods", "meta", tu_json("{'metadata':{'name':'future'}}"));
	time_t after = (time_t)(sk_clock_now_ms() / 1000);
	sk_clock_set(0, 1.0);
	assert_int_equal(f.code, SK_OK);
	struct tm tm = {0};
	strptime(sk_obj_get_str(f.stored, "metadata.creationTimestamp"), "%Y-%m-%dT%H:%M:%SZ", &tm);
	time_t t = timegm(&tm);
	assert_true(t >= before && t <= after);
	/* distinct objects get distinct uids */
	struct wres g = put(CREATE, "pods", "meta", tu_json("{'metadata':{'name':'other'}}"));
	assert_string_not_equal(sk_obj_get_str(f.stored, "metadata.uid"), sk_obj_get_str(g.stored, "metadata.uid"));
	wres_free(&f);
	wres_free(&g);
}

static void write_errors(void **state)
{
	(void)state;
	sk_obj *o = NULL;
	assert_int_equal(put_pod(CREATE, "errs", "exists", NULL, NULL, 1) > 0, 1);
	sk_err e;
	assert_int_equal(sk_api_get("", "pods", "errs", "exists", &o, &e), SK_OK);
	int64_t rv = rv_of(o);
	sk_obj_unref(o);
	assert_int_equal(put_pod(UPDATE, "errs", "exists", NULL, NULL, 2) > rv, 1); /* now rv is stale */

	static const struct {
		const char *what;
		enum op op;
		const char *resource, *ns;
		const char *json; /* %lld: the stale resourceVersion */
		int code;
	} cases[] = {
		{"duplicate", CREATE, "pods", "errs", "{'metadata':{'name':'exists'}}", SK_EEXIST},
		{"missing name", CREATE, "pods", "errs", "{'metadata':{}}", SK_EINVALID},
		{"empty name", CREATE, "pods", "errs", "{'metadata':{'name':''}}", SK_EINVALID},
		{"no metadata", CREATE, "pods", "errs", "{'v':1}", SK_EINVALID},
		{"name with a slash", CREATE, "pods", "errs", "{'metadata':{'name':'a/b'}}", SK_EINVALID},
		{"name ..", CREATE, "pods", "errs", "{'metadata':{'name':'..'}}", SK_EINVALID},
		{"wrong namespace", CREATE, "pods", "errs", "{'metadata':{'name':'x','namespace':'other'}}", SK_EINVALID},
		{"no namespace", CREATE, "pods", NULL, "{'metadata':{'name':'x'}}", SK_EINVALID},
		{"namespace on a cluster-scoped kind", CREATE, "nodes", "errs", "{'metadata':{'name':'x'}}", SK_EINVALID},
		{"unknown resource", CREATE, "widgets", "errs", "{'metadata':{'name':'x'}}", SK_ENOTFOUND},
		{"stale resourceVersion", UPDATE, "pods", "errs", "{'metadata':{'name':'exists','resourceVersion':'%lld'}}",
		 SK_ECONFLICT},
		{"malformed resourceVersion", UPDATE, "pods", "errs",
		 "{'metadata':{'name':'exists','resourceVersion':'12x'}}", SK_EINVALID},
		{"update of a missing object", UPDATE, "pods", "errs", "{'metadata':{'name':'missing'}}", SK_ENOTFOUND},
		{"update in the wrong namespace", UPDATE, "pods", "errs",
		 "{'metadata':{'name':'exists','namespace':'other'}}", SK_EINVALID},
		{"update of an unknown resource", UPDATE, "widgets", "errs", "{'metadata':{'name':'x'}}", SK_ENOTFOUND},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct wres w = put(cases[i].op, cases[i].resource, cases[i].ns, tu_json(cases[i].json, (long long)rv));
		if (w.code != cases[i].code)
			fail_msg("%s: got %d (%s), want %d", cases[i].what, w.code, w.msg, cases[i].code);
		assert_true(*w.msg); /* every refusal says why */
	}
	/* a create without an object */
	struct wres w = {0};
	sk_api_create(NULL, "", "pods", "errs", NULL, on_write, &w);
	tu_wait(&w.done, 1);
	assert_int_equal(w.code, SK_EINVALID);
	/* nothing above changed the object */
	assert_int_equal(sk_api_get("", "pods", "errs", "exists", &o, &e), SK_OK);
	assert_int_equal(sk_obj_get_int(o, "v", 0), 2);
	sk_obj_unref(o);
	assert_int_equal(sk_api_get("", "pods", "errs", "missing", &o, &e), SK_ENOTFOUND);
	assert_int_equal(sk_api_get("", "pods", "other", "x", &o, &e), SK_ENOTFOUND);
}

/* An error found before anything is written still completes later, never
 * inside the call, so callers can set up their state after calling. */
static void write_errors_complete_asynchronously(void **state)
{
	(void)state;
	struct wres w = {0};
	sk_obj *nameless = tu_json("{'metadata':{}}");
	sk_api_create(NULL, "", "pods", "async", nameless, on_write, &w);
	sk_api_delete(NULL, "", "nosuchresource", NULL, "x", 0, on_write, &w);
	sk_obj_unref(nameless);
	assert_int_equal(w.done, 0);
	tu_wait(&w.done, 2);
	assert_int_equal(w.code, SK_ENOTFOUND);
	wres_free(&w);
}

static void delete_preconditions(void **state)
{
	(void)state;
	int64_t rv1 = put_pod(CREATE, "del", "a", NULL, NULL, 1);
	int64_t rv2 = put_pod(UPDATE, "del", "a", NULL, NULL, 2);
	static const struct {
		const char *resource, *ns, *name;
		int stale; /* precondition: 1 = rv1 (stale), 2 = rv2, 0 = none */
		int code;
	} cases[] = {
		{"pods", "del", "a", 1, SK_ECONFLICT},
		{"pods", "del", "missing", 0, SK_ENOTFOUND},
		{"pods", NULL, "a", 0, SK_EINVALID},
		{"pods", "del", NULL, 0, SK_EINVALID},
		{"nodes", "del", "a", 0, SK_EINVALID},
		{"widgets", "del", "a", 0, SK_ENOTFOUND},
		{"pods", "del", "a", 2, SK_OK},
		{"pods", "del", "a", 0, SK_ENOTFOUND}, /* already gone */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t pre = cases[i].stale == 1 ? rv1 : cases[i].stale == 2 ? rv2 : 0;
		struct wres w = del(cases[i].resource, cases[i].ns, cases[i].name, pre);
		if (w.code != cases[i].code)
			fail_msg("case %zu: got %d (%s), want %d", i, w.code, w.msg, cases[i].code);
		if (w.code == SK_OK)
			assert_int_equal(sk_obj_get_int(w.stored, "v", 0), 2);
		wres_free(&w);
	}
}

static void get_errors(void **state)
{
	(void)state;
	static const struct {
		const char *group, *resource, *ns, *name;
		int code;
	} cases[] = {
		{"", "pods", "get", "", SK_EINVALID},
		{"", "pods", "get", NULL, SK_EINVALID},
		{"", "pods", NULL, "a", SK_EINVALID},   /* namespaced kind without a namespace */
		{"", "nodes", "get", "a", SK_EINVALID}, /* cluster-scoped kind with one */
		{"", "widgets", "get", "a", SK_ENOTFOUND},
		{"apps", "pods", "get", "a", SK_ENOTFOUND}, /* pods live in the core group */
		{"", NULL, "get", "a", SK_ENOTFOUND},
		{"", "pods", "get", "nope", SK_ENOTFOUND},
		{"", "pods", "get", "a/../b", SK_EINVALID},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sk_obj *o = NULL;
		sk_err e = {0};
		int rc = sk_api_get(cases[i].group, cases[i].resource, cases[i].ns, cases[i].name, &o, &e);
		if (rc != cases[i].code)
			fail_msg("case %zu: got %d (%s), want %d", i, rc, e.msg, cases[i].code);
		assert_int_equal(e.code, cases[i].code);
		assert_null(o);
	}
}

/* ---- lists ---- */

/* ns l-a: p00..p09, app=web on even, app=db on odd, nodes n1 (i<4) / n2;
 * ns l-b: p00..p02, app=web, node n1. All carry suite=list. */
static void make_list_fixture(void)
{
	static int made;
	if (made++)
		return;
	char name[16], labels[64];
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "p%02d", i);
		snprintf(labels, sizeof labels, "'suite':'list','app':'%s'", i % 2 ? "db" : "web");
		put_pod(CREATE, "l-a", name, labels, i < 4 ? "n1" : "n2", 0);
	}
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "p%02d", i);
		put_pod(CREATE, "l-b", name, "'suite':'list','app':'web'", "n1", 0);
	}
}

static sk_obj *list(const char *resource, const char *ns, const char *labels, const char *fields, size_t limit,
                    const char *cont, int64_t rev, int want)
{
	sk_selector *ls = labels_sel(labels), *fs = fields_sel(fields);
	sk_list_opts o = {sizeof o, ls, fs, limit, cont, rev};
	sk_obj *out = NULL;
	sk_err e = {0};
	int rc = sk_api_list("", resource, ns, &o, &out, &e);
	sk_selector_free(ls);
	sk_selector_free(fs);
	if (rc != want)
		fail_msg("list %s in %s: got %d (%s), want %d", resource, ns ? ns : "all", rc, e.msg, want);
	if (rc != SK_OK) {
		assert_null(out);
		assert_int_equal(e.code, want);
	}
	return out;
}

static void list_selectors(void **state)
{
	(void)state;
	make_list_fixture();
	static const struct {
		const char *ns, *labels, *fields, *want;
	} cases[] = {
		{"l-b", NULL, NULL, "l-b/p00,l-b/p01,l-b/p02"},
		{"l-a", "app=db", NULL, "l-a/p01,l-a/p03,l-a/p05,l-a/p07,l-a/p09"},
		{"l-a", "app in (db),suite", NULL, "l-a/p01,l-a/p03,l-a/p05,l-a/p07,l-a/p09"},
		{"l-a", "app!=db", "spec.nodeName=n1", "l-a/p00,l-a/p02"},
		{"l-a", NULL, "metadata.name=p07", "l-a/p07"},
		{"l-a", NULL, "spec.nodeName!=n2", "l-a/p00,l-a/p01,l-a/p02,l-a/p03"},
		{"l-a", "app=none", NULL, ""},
		{"l-a", "!suite", NULL, ""},
		{NULL, "suite=list", "metadata.name=p01", "l-a/p01,l-b/p01"},
		{NULL, "suite=list", "metadata.namespace=l-b", "l-b/p00,l-b/p01,l-b/p02"},
		{"l-c", NULL, NULL, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sk_obj *l = list("pods", cases[i].ns, cases[i].labels, cases[i].fields, 0, NULL, 0, SK_OK);
		char got[1024];
		names_of(l, got, sizeof got);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got [%s], want [%s]", i, got, cases[i].want);
		assert_true(rv_of(l) > 0);
		assert_null(sk_obj_get(l, "metadata.continue"));
		/* every item carries its own resourceVersion */
		const sk_obj *items = sk_obj_get(l, "items");
		for (size_t k = 0; k < sk_obj_len(items); k++)
			assert_true(rv_of(sk_obj_at(items, k)) > 0);
		sk_obj_unref(l);
	}
	/* unknown resources and misuse of namespaces */
	list("widgets", "l-a", NULL, NULL, 0, NULL, 0, SK_ENOTFOUND);
	list("nodes", "l-a", NULL, NULL, 0, NULL, 0, SK_EINVALID);
}

/* pages a list; returns the joined names of every page and checks that all
 * pages were read at the first page's revision. between() runs after the
 * first page. */
static void page_all(const char *ns, const char *labels, size_t limit, void (*between)(void), char *names,
                     size_t cap, int *pages)
{
	char cont[2048] = "";
	int64_t at = 0;
	size_t off = 0;
	names[0] = 0;
	*pages = 0;
	for (;;) {
		sk_obj *l = list("pods", ns, labels, NULL, limit, *cont ? cont : NULL, 0, SK_OK);
		if (!at) {
			at = rv_of(l);
			if (between)
				between();
		}
		assert_int_equal(rv_of(l), at);
		assert_true(sk_obj_len(sk_obj_get(l, "items")) <= limit);
		char page[1024];
		names_of(l, page, sizeof page);
		off += (size_t)snprintf(names + off, cap - off, "%s%s", off && *page ? "," : "", page);
		const sk_obj *items = sk_obj_get(l, "items");
		for (size_t i = 0; i < sk_obj_len(items); i++)
			assert_int_equal(sk_obj_get_int(sk_obj_at(items, i), "v", -1), 0); /* as at the first page */
		(*pages)++;
		const char *c = sk_obj_get_str(l, "metadata.continue");
		if (!c) {
			sk_obj_unref(l);
			break;
		}
		assert_true(*c);
		snprintf(cont, sizeof cont, "%s", c);
		sk_obj_unref(l);
		assert_true(*pages < 20);
	}
}

/* writes between pages: none of them may show in later pages */
static void churn(void)
{
	put_pod(UPDATE, "l-a", "p05", "'suite':'list','app':'db'", "n2", 1);
	put_pod(UPDATE, "l-a", "p04", "'suite':'list','app':'db'", "n2", 1); /* stops matching app=web */
	del_pod("l-a", "p07");
	del_pod("l-a", "p08");
	put_pod(CREATE, "l-a", "p04a", "'suite':'list','app':'web'", "n1", 0); /* sorts inside the rest */
	put_pod(CREATE, "l-a", "p99", "'suite':'list','app':'web'", "n1", 0);
}

static void list_paging_consistent(void **state)
{
	(void)state;
	make_list_fixture();
	char names[2048];
	int pages;
	page_all("l-a", NULL, 3, churn, names, sizeof names, &pages);
	assert_string_equal(names, "l-a/p00,l-a/p01,l-a/p02,l-a/p03,l-a/p04,l-a/p05,l-a/p06,l-a/p07,l-a/p08,l-a/p09");
	assert_int_equal(pages, 4);
	/* now the churn is visible, and paging with a selector fills pages with matches */
	sk_obj *l = list("pods", "l-a", "app=web", NULL, 0, NULL, 0, SK_OK);
	char all[1024];
	names_of(l, all, sizeof all);
	sk_obj_unref(l);
	assert_string_equal(all, "l-a/p00,l-a/p02,l-a/p04a,l-a/p06,l-a/p99");
	/* v is 0 on every app=web pod, so page_all's check holds */
	page_all("l-a", "app=web", 2, NULL, names, sizeof names, &pages);
	assert_string_equal(names, all);
	assert_int_equal(pages, 3);
	/* a limit of exactly the count needs no continue */
	page_all("l-a", "app=web", 5, NULL, names, sizeof names, &pages);
	assert_int_equal(pages, 1);
}

static char *b64(const char *s)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s);
	char *out = malloc(4 * ((n + 2) / 3) + 1), *o = out;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)(unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		*o++ = tbl[v >> 18 & 63];
		*o++ = tbl[v >> 12 & 63];
		*o++ = i + 1 < n ? tbl[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? tbl[v & 63] : '=';
	}
	*o = 0;
	return out;
}

static void list_continue_refused(void **state)
{
	(void)state;
	make_list_fixture();
	/* a token from l-b's list */
	sk_obj *l = list("pods", "l-b", NULL, NULL, 1, NULL, 0, SK_OK);
	char tok[2048];
	snprintf(tok, sizeof tok, "%s", sk_obj_get_str(l, "metadata.continue"));
	sk_obj_unref(l);
	/* it continues l-b's list ... */
	l = list("pods", "l-b", NULL, NULL, 1, tok, 0, SK_OK);
	char got[256];
	names_of(l, got, sizeof got);
	assert_string_equal(got, "l-b/p01");
	sk_obj_unref(l);
	/* ... and no other */
	list("pods", "l-a", NULL, NULL, 1, tok, 0, SK_EINVALID);
	list("nodes", NULL, NULL, NULL, 1, tok, 0, SK_EINVALID);

	char *bad_rv = b64("{\"v\":\"meta.k8s.io/v1\",\"rv\":0,\"start\":\"/registry/core/pods/l-b/p01\"}");
	char *bad_v = b64("{\"v\":\"other/v9\",\"rv\":5,\"start\":\"/registry/core/pods/l-b/p01\"}");
	char *not_json = b64("not json at all");
	char *no_start = b64("{\"v\":\"meta.k8s.io/v1\",\"rv\":5}");
	const char *const garbage[] = {"garbage!", "abc", "****", "////", bad_rv, bad_v, not_json, no_start};
	for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
		list("pods", "l-b", NULL, NULL, 1, garbage[i], 0, SK_EINVALID);
	free(bad_rv);
	free(bad_v);
	free(not_json);
	free(no_start);
	/* an empty token is no token */
	sk_obj_unref(list("pods", "l-b", NULL, NULL, 1, "", 0, SK_OK));
}

static void list_at_revision(void **state)
{
	(void)state;
	int64_t r1 = put_pod(CREATE, "at", "a", NULL, NULL, 1);
	put_pod(UPDATE, "at", "a", NULL, NULL, 2);
	put_pod(CREATE, "at", "b", NULL, NULL, 1);
	sk_obj *l = list("pods", "at", NULL, NULL, 0, NULL, r1, SK_OK);
	char got[256];
	names_of(l, got, sizeof got);
	assert_string_equal(got, "at/a");
	assert_int_equal(rv_of(l), r1);
	assert_int_equal(sk_obj_get_int(sk_obj_at(sk_obj_get(l, "items"), 0), "v", 0), 1);
	sk_obj_unref(l);
	/* a revision from the future is refused */
	list("pods", "at", NULL, NULL, 0, NULL, sk_api_revision() + 100, SK_EINVALID);
}

/* ---- watches ---- */

static void watch_from_now(void **state)
{
	(void)state;
	put_pod(CREATE, "now", "before", NULL, NULL, 1); /* not seen: it predates the watch */
	struct rec *r = watch("pods", NULL, NULL, NULL, 0);
	int64_t c = put_pod(CREATE, "now", "a", NULL, NULL, 1);
	int64_t u = put_pod(UPDATE, "now", "a", NULL, NULL, 2);
	int64_t d = del_pod("now", "a");
	assert_events(r, "ADDED now/a 1,MODIFIED now/a 2,DELETED now/a 2");
	assert_int_equal(r->ev[0].rev, c);
	assert_int_equal(r->ev[1].rev, u);
	assert_int_equal(r->ev[2].rev, d); /* the last state, at the deletion's revision */
	assert_string_equal(r->ev[0].key, "/registry/core/pods/now/a");
	/* a watch on pods sees no nodes */
	struct wres n = put(CREATE, "nodes", NULL, tu_json("{'metadata':{'name':'now-node'}}"));
	assert_int_equal(r->n, 3);
	unwatch(r);
	/* a stopped watch sees nothing more */
	put_pod(CREATE, "now", "after", NULL, NULL, 1);
	assert_int_equal(r->n, 3);
	wres_free(&n);
}

static void watch_replays_from_old_revision(void **state)
{
	(void)state;
	int64_t from = sk_api_revision();
	put_pod(CREATE, "replay", "a", NULL, NULL, 1);
	put_pod(UPDATE, "replay", "a", NULL, NULL, 2);
	put_pod(CREATE, "replay", "b", NULL, NULL, 1);
	del_pod("replay", "a");
	static const char want4[] = "ADDED replay/a 1,MODIFIED replay/a 2,ADDED replay/b 1,DELETED replay/a 2";
	/* recent: from the ring */
	struct rec *r1 = watch("pods", "replay", NULL, NULL, from);
	assert_events(r1, want4); /* replayed before sk_watch_start returns */
	assert_true(r1->ev[0].rev > from);
	/* live events follow the replay */
	put_pod(UPDATE, "replay", "b", NULL, NULL, 2);
	assert_int_equal(r1->n, 5);
	unwatch(r1);
	/* push `from` out of the ring: now the replay comes from the store */
	char name[16];
	for (int i = 0; i < RING + 2; i++) {
		snprintf(name, sizeof name, "c%02d", i);
		put_pod(CREATE, "replay-other", name, NULL, NULL, 1);
	}
	struct rec *r2 = watch("pods", "replay", NULL, NULL, from);
	assert_events(r2, "ADDED replay/a 1,MODIFIED replay/a 2,ADDED replay/b 1,DELETED replay/a 2,MODIFIED replay/b 2");
	for (int i = 0; i < 5; i++)
		assert_int_equal(r2->ev[i].rev, r1->ev[i].rev);
	put_pod(UPDATE, "replay", "b", NULL, NULL, 3);
	assert_int_equal(r2->n, 6);
	unwatch(r2);
	/* selector transitions apply to replays too */
	struct rec *r3 = watch("pods", "replay", NULL, "metadata.name=a", from);
	assert_events(r3, "ADDED replay/a 1,MODIFIED replay/a 2,DELETED replay/a 2");
	unwatch(r3);
	/* from the current revision: nothing to replay */
	struct rec *r4 = watch("pods", "replay", NULL, NULL, sk_api_revision());
	assert_int_equal(r4->n, 0);
	unwatch(r4);
}

/* Every MODIFIED event carries the state it replaced (sk_event.old), live and
 * replayed alike: selector transitions are decided on it, and watchers such
 * as admission audit or controllers diff against it. */
static void watch_modified_carries_old_state(void **state)
{
	(void)state;
	int64_t from = sk_api_revision();
	struct rec *live = watch("pods", "old", NULL, NULL, 0);
	put_pod(CREATE, "old", "a", "'app':'web'", NULL, 1);
	put_pod(UPDATE, "old", "a", "'app':'db'", NULL, 2);
	struct rec *ring = watch("pods", "old", NULL, NULL, from);
	char name[16];
	for (int i = 0; i < RING + 2; i++) { /* push `from` out of the ring */
		snprintf(name, sizeof name, "c%02d", i);
		put_pod(CREATE, "old-other", name, NULL, NULL, 1);
	}
	struct rec *hist = watch("pods", "old", NULL, NULL, from);
	const struct {
		const char *path;
		struct rec *r;
	} cases[] = {{"live", live}, {"replayed from the ring", ring}, {"replayed from history", hist}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_events(cases[i].r, "ADDED old/a 1,MODIFIED old/a 2");
		const struct evrec *m = &cases[i].r->ev[1];
		if (m->old_v != 1 || strcmp(m->old_label, "web") != 0)
			fail_msg("%s: MODIFIED at %lld came with old v=%d app=%s, want v=1 app=web", cases[i].path,
			         (long long)m->rev, m->old_v, m->old_label);
	}
	unwatch(live);
	unwatch(ring);
	unwatch(hist);
}

static void watch_label_selector_transitions(void **state)
{
	(void)state;
	struct rec *r = watch("pods", "sel", "app=web", NULL, 0);
	put_pod(CREATE, "sel", "a", "'app':'web'", NULL, 1); /* matches: ADDED */
	put_pod(CREATE, "sel", "b", "'app':'db'", NULL, 1);  /* never seen */
	put_pod(UPDATE, "sel", "b", "'app':'web'", NULL, 2); /* starts matching: ADDED */
	put_pod(UPDATE, "sel", "a", "'app':'web'", NULL, 2); /* still matches: MODIFIED */
	put_pod(UPDATE, "sel", "a", "'app':'db'", NULL, 2);  /* stops matching: DELETED */
	put_pod(UPDATE, "sel", "a", "'app':'x'", NULL, 4);   /* still not matching: nothing */
	del_pod("sel", "b");                                  /* matching, deleted: DELETED */
	del_pod("sel", "a");                                  /* not matching, deleted: nothing */
	/* (v stays 2 across the transition so this holds whichever state the
	 * DELETED carries: Kubernetes sends the last matching one) */
	assert_events(r, "ADDED sel/a 1,ADDED sel/b 2,MODIFIED sel/a 2,DELETED sel/a 2,DELETED sel/b 2");
	/* an object that starts matching has no old state for this watcher;
	 * one that stops matching comes with the state it last matched in */
	assert_int_equal(r->ev[1].old_v, -1);
	assert_string_equal(r->ev[3].old_label, "web");
	assert_int_equal(r->ev[3].old_v, 2);
	/* and the DELETED object itself is that last matching state */
	assert_string_equal(r->ev[3].label, "web");
	unwatch(r);

	/* the same with a field selector */
	struct rec *f = watch("pods", "sel", NULL, "spec.nodeName=n1", 0);
	put_pod(CREATE, "sel", "c", NULL, "n0", 1);
	put_pod(UPDATE, "sel", "c", NULL, "n1", 2);
	put_pod(UPDATE, "sel", "c", NULL, "n1", 3);
	put_pod(UPDATE, "sel", "c", NULL, "n2", 3);
	del_pod("sel", "c");
	assert_events(f, "ADDED sel/c 2,MODIFIED sel/c 3,DELETED sel/c 3");
	unwatch(f);
}

static void watch_namespace_scoped(void **state)
{
	(void)state;
	struct rec *a = watch("pods", "w-a", NULL, NULL, 0);
	struct rec *all = watch("pods", NULL, NULL, NULL, 0);
	put_pod(CREATE, "w-a", "x", NULL, NULL, 1);
	put_pod(CREATE, "w-ab", "x", NULL, NULL, 1); /* a namespace that w-a is a prefix of */
	put_pod(CREATE, "w-b", "x", NULL, NULL, 1);
	struct wres n = put(CREATE, "nodes", NULL, tu_json("{'metadata':{'name':'w-a'}}"));
	del_pod("w-a", "x");
	assert_events(a, "ADDED w-a/x 1,DELETED w-a/x 1");
	assert_events(all, "ADDED w-a/x 1,ADDED w-ab/x 1,ADDED w-b/x 1,DELETED w-a/x 1");
	unwatch(a);
	unwatch(all);
	/* a cluster-scoped watch */
	struct rec *nodes = watch("nodes", NULL, NULL, NULL, 0);
	struct wres nd = del("nodes", NULL, "w-a", 0);
	wres_free(&nd);
	assert_int_equal(nodes->n, 1);
	assert_string_equal(nodes->ev[0].key, "/registry/core/nodes/w-a");
	unwatch(nodes);
	wres_free(&n);
}

static void watch_event_json_shared(void **state)
{
	(void)state;
	struct rec *w1 = watch("pods", "ej", NULL, NULL, 0);
	struct rec *w2 = watch("pods", "ej", NULL, NULL, 0);
	struct rec *web = watch("pods", "ej", "app=web", NULL, 0);
	put_pod(CREATE, "ej", "p", "'app':'db'", NULL, 1);
	put_pod(UPDATE, "ej", "p", "'app':'web'", NULL, 2); /* web starts matching */
	del_pod("ej", "p");
	assert_events(w1, "ADDED ej/p 1,MODIFIED ej/p 2,DELETED ej/p 2");
	assert_events(w2, "ADDED ej/p 1,MODIFIED ej/p 2,DELETED ej/p 2");
	assert_events(web, "ADDED ej/p 2,DELETED ej/p 2");
	/* one serialization per commit and type, shared by every subscriber */
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(w1->ev[i].frame, w2->ev[i].frame);
	assert_ptr_equal(w1->ev[2].frame, web->ev[1].frame);
	/* the same commit seen as another type is another frame */
	assert_int_equal(web->ev[0].rev, w1->ev[1].rev);
	assert_ptr_not_equal(web->ev[0].frame, w1->ev[1].frame);
	unwatch(w1);
	unwatch(w2);
	unwatch(web);
}

static void watch_stop_in_callback(void **state)
{
	(void)state;
	/* b is stopped by c's callback; a stops itself on its first event */
	struct rec *b = watch("pods", "stop", NULL, NULL, 0);
	struct rec *a = watch("pods", "stop", NULL, NULL, 0);
	struct rec *c = watch("pods", "stop", NULL, NULL, 0);
	struct rec *d = watch("pods", "stop", NULL, NULL, 0);
	a->stop_self_after = 1;
	d->stop_self_after = 2;
	c->stop_other = b;
	put_pod(CREATE, "stop", "x", NULL, NULL, 1);
	put_pod(CREATE, "stop", "y", NULL, NULL, 1);
	put_pod(CREATE, "stop", "z", NULL, NULL, 1);
	assert_int_equal(a->n, 1);
	assert_null(a->w);
	assert_true(b->n <= 1); /* depending on who was called first, never after */
	assert_null(b->w);
	assert_int_equal(d->n, 2);
	assert_events(c, "ADDED stop/x 1,ADDED stop/y 1,ADDED stop/z 1");
	unwatch(c);
	/* the dead watches left nothing behind that a new one would trip on */
	struct rec *e = watch("pods", "stop", NULL, NULL, sk_api_revision() - 3);
	assert_events(e, "ADDED stop/x 1,ADDED stop/y 1,ADDED stop/z 1");
	unwatch(e);
}

static void watch_errors(void **state)
{
	(void)state;
	static const struct {
		uint32_t size;
		const char *resource, *ns;
		int64_t from_ahead; /* from = current revision + this, when > 0 */
		int with_fn;
		int code;
	} cases[] = {
		{sizeof(sk_watch_spec), "pods", NULL, 100, 1, SK_EINVALID}, /* from the future */
		{sizeof(sk_watch_spec), "widgets", NULL, 0, 1, SK_ENOTFOUND},
		{sizeof(sk_watch_spec), "nodes", "ns", 0, 1, SK_EINVALID},
		{sizeof(sk_watch_spec) - 8, "pods", NULL, 0, 1, SK_EINVALID},
		{sizeof(sk_watch_spec), "pods", NULL, 0, 0, SK_EINVALID},
		{sizeof(sk_watch_spec), "pods", "bad/ns", 0, 1, SK_EINVALID},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rec *r = rec_new();
		int64_t from = cases[i].from_ahead ? sk_api_revision() + cases[i].from_ahead : 0;
		sk_watch_spec spec = {cases[i].size, "", cases[i].resource, cases[i].ns, NULL, NULL, from,
		                      cases[i].with_fn ? on_event : NULL, r};
		sk_err e = {0};
		sk_watch *w = sk_watch_start(NULL, &spec, &e);
		if (w) {
			sk_watch_stop(w);
			fail_msg("case %zu: watch started", i);
		}
		assert_int_equal(e.code, cases[i].code);
	}
	assert_null(sk_watch_start(NULL, NULL, NULL));
	sk_watch_stop(NULL);
}

/* A write already durable in the store, whose completion has not yet run on
 * the loop, is part of a list read now. A watch started from that list's
 * resourceVersion must not deliver it again when the completion arrives:
 * watches deliver changes *after* from_revision, exactly once. This is the
 * list-then-watch sequence every informer performs. */
static void watch_from_list_revision_no_duplicates(void **state)
{
	(void)state;
	static struct wres w; /* static: outlives this frame if the test fails early */
	memset(&w, 0, sizeof w);
	sk_obj *early = pod("early", NULL, NULL, 1);
	sk_api_create(NULL, "", "pods", "dup", early, on_write, &w);
	sk_obj_unref(early); /* the API copies it */
	/* wait for the writer thread without running the loop */
	sk_obj *o = NULL;
	sk_err e;
	for (int i = 0; i < 5000 && sk_api_get("", "pods", "dup", "early", &o, &e) != SK_OK; i++)
		usleep(1000);
	assert_non_null(o);
	sk_obj_unref(o);
	assert_int_equal(w.done, 0);
	sk_obj *l = list("pods", "dup", NULL, NULL, 0, NULL, 0, SK_OK);
	char names[256];
	names_of(l, names, sizeof names);
	assert_string_equal(names, "dup/early");
	int64_t from = rv_of(l);
	sk_obj_unref(l);
	struct rec *r = watch("pods", "dup", NULL, NULL, from);
	tu_wait(&w.done, 1);
	wres_free(&w);
	put_pod(CREATE, "dup", "late", NULL, NULL, 1);
	for (int i = 0; i < r->n; i++)
		if (r->ev[i].rev <= from)
			fail_msg("watch from %" PRId64 " delivered %s %s at revision %" PRId64 " again", from,
			         type_name[r->ev[i].type], r->ev[i].name, r->ev[i].rev);
	assert_events(r, "ADDED dup/late 1");
	unwatch(r);
}

static int compacted_to(void *ud) { return store_compacted() >= *(int64_t *)ud; }

/* Last: it compacts away the history the other tests read. */
static void watch_expired_after_compaction(void **state)
{
	(void)state;
	int64_t old = put_pod(CREATE, "comp", "a", NULL, NULL, 1);
	put_pod(CREATE, "comp", "b", NULL, NULL, 1);
	sk_obj *l = list("pods", "comp", NULL, NULL, 1, NULL, 0, SK_OK);
	char tok[2048];
	snprintf(tok, sizeof tok, "%s", sk_obj_get_str(l, "metadata.continue"));
	sk_obj_unref(l);
	/* more changes than the ring holds, so only the store could replay */
	for (int i = 0; i < RING + 2; i++)
		put_pod(UPDATE, "comp", "a", NULL, NULL, i + 2);
	int64_t upto = sk_api_revision();
	sk_err e;
	assert_int_equal(store_compact(upto, &e), SK_OK);
	assert_true(sk_loop_run_until(compacted_to, &upto, 10));

	struct rec *r = rec_new();
	sk_watch_spec spec = {sizeof spec, "", "pods", "comp", NULL, NULL, old, on_event, r};
	e.code = 0;
	assert_null(sk_watch_start(NULL, &spec, &e));
	assert_int_equal(e.code, SK_EEXPIRED);
	assert_int_equal(r->n, 0);
	/* lists at, or continuing from, a compacted revision expire too */
	list("pods", "comp", NULL, NULL, 1, tok, 0, SK_EEXPIRED);
	list("pods", "comp", NULL, NULL, 0, NULL, old, SK_EEXPIRED);
	/* from the compacted revision itself, watching works */
	r = watch("pods", "comp", NULL, NULL, upto);
	put_pod(UPDATE, "comp", "b", NULL, NULL, 2);
	assert_events(r, "MODIFIED comp/b 2");
	unwatch(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(crud_roundtrip, test_teardown),
		cmocka_unit_test_teardown(create_fills_and_keeps_metadata, test_teardown),
		cmocka_unit_test_teardown(write_errors, test_teardown),
		cmocka_unit_test_teardown(write_errors_complete_asynchronously, test_teardown),
		cmocka_unit_test_teardown(delete_preconditions, test_teardown),
		cmocka_unit_test_teardown(get_errors, test_teardown),
		cmocka_unit_test_teardown(list_selectors, test_teardown),
		cmocka_unit_test_teardown(list_paging_consistent, test_teardown),
		cmocka_unit_test_teardown(list_continue_refused, test_teardown),
		cmocka_unit_test_teardown(list_at_revision, test_teardown),
		cmocka_unit_test_teardown(watch_from_now, test_teardown),
		cmocka_unit_test_teardown(watch_replays_from_old_revision, test_teardown),
		cmocka_unit_test_teardown(watch_modified_carries_old_state, test_teardown),
		cmocka_unit_test_teardown(watch_label_selector_transitions, test_teardown),
		cmocka_unit_test_teardown(watch_namespace_scoped, test_teardown),
		cmocka_unit_test_teardown(watch_event_json_shared, test_teardown),
		cmocka_unit_test_teardown(watch_stop_in_callback, test_teardown),
		cmocka_unit_test_teardown(watch_errors, test_teardown),
		cmocka_unit_test_teardown(watch_from_list_revision_no_duplicates, test_teardown),
		cmocka_unit_test_teardown(watch_expired_after_compaction, test_teardown),
	};
	return cmocka_run_group_tests_name("data", tests, setup, teardown);
}
