/* test_informer.c — informers (a cache kept current by list + watch, with
 * handlers and indexes) and work queues (de-duplication, re-queueing during
 * processing, exponential back-off, delayed adds), over a real store. */
#include "testutil.h"
#include "store_fixture.h"
#include "bus.h"
#include "store.h"
#include <skiff/data.h>
#include <skiff/informer.h>
#include <skiff/obj.h>
#include <skiff/resource.h>
#include <stdarg.h>



/* Callbacks run inside the loop, where a cmocka assertion would longjmp out
 * of libev: they note the first failure, and the test reports it. */
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

/* Informers and queues a test leaves behind (because it failed half-way)
 * point at its dead stack frame: the per-test teardown frees them before
 * the next test's writes can reach them. */
static sk_informer *live_inf[8];
static sk_queue *live_q[8];

static void track(void **slots, size_t n, void *p)
{
	for (size_t i = 0; i < n; i++)
		if (!slots[i]) {
			slots[i] = p;
			return;
		}
	fail_msg("too many live objects");
}

static int test_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < 8; i++) {
		sk_informer_free(live_inf[i]);
		sk_queue_free(live_q[i]);
		live_inf[i] = NULL;
		live_q[i] = NULL;
	}
	cb_error[0] = 0;
	return 0;
}

static void inf_free(sk_informer *inf)
{
	for (size_t i = 0; i < 8; i++)
		if (live_inf[i] == inf)
			live_inf[i] = NULL;
	sk_informer_free(inf);
}

static void q_free(sk_queue *q)
{
	for (size_t i = 0; i < 8; i++)
		if (live_q[i] == q)
			live_q[i] = NULL;
	sk_queue_free(q);
}

static int setup(void **state)
{
	(void)state;
	tu_store_up(64, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_store_down();
	return 0;
}

/* ---- writing pods ---- */

static sk_obj *pod(const char *name, const char *app, const char *node, int v)
{
	return tu_json("{'metadata':{'name':'%s','labels':{'app':'%s'}},'spec':{'nodeName':'%s'},'v':%d}", name,
	          app ? app : "", node ? node : "", v);
}

struct wres {
	int done, code;
	char msg[512];
};

static void on_write(void *ud, const sk_err *err, const sk_obj *stored)
{
	(void)stored;
	struct wres *w = ud;
	w->done++;
	w->code = err ? err->code : SK_OK;
	snprintf(w->msg, sizeof w->msg, "%s", err ? err->msg : "");
}

enum op { CREATE, UPDATE, DELETE };

static void write_pod(enum op op, const char *ns, const char *name, const char *app, const char *node, int v)
{
	struct wres w = {0};
	if (op == DELETE) {
		sk_api_delete(NULL, "", "pods", ns, name, 0, on_write, &w);
	} else {
		sk_obj *o = pod(name, app, node, v);
		if (op == CREATE)
			sk_api_create(NULL, "", "pods", ns, o, on_write, &w);
		else
			sk_api_update(NULL, "", "pods", ns, o, on_write, &w);
		sk_obj_unref(o);
	}
	tu_wait(&w.done, 1);
	if (w.code != SK_OK)
		fail_msg("writing pod %s/%s: %s", ns, name, w.msg);
	check_callbacks();
}

/* ---- informer handlers ---- */

struct seen {
	sk_informer *inf; /* NULL while sk_informer_new lists */
	int adds, updates, deletes;
	char log[2048];   /* "+ns/name v", "~ns/name old>new", "-ns/name v" */
};

static void note(struct seen *s, const char *fmt, ...) SK_PRINTF(2, 3);
static void note(struct seen *s, const char *fmt, ...)
{
	size_t off = strlen(s->log);
	if (off)
		off += (size_t)snprintf(s->log + off, sizeof s->log - off, ",");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->log + off, sizeof s->log - off, fmt, ap);
	va_end(ap);
}

static const char *ns_of(const sk_obj *o) { return sk_obj_get_str(o, "metadata.namespace"); }
static const char *name_of(const sk_obj *o) { return sk_obj_get_str(o, "metadata.name"); }
static int v_of(const sk_obj *o) { return (int)sk_obj_get_int(o, "v", -1); }

static void on_add(void *ud, const sk_obj *obj)
{
	struct seen *s = ud;
	s->adds++;
	note(s, "+%s/%s %d", ns_of(obj), name_of(obj), v_of(obj));
	/* the cache is updated before handlers run */
	if (s->inf) {
		const sk_obj *c = sk_informer_get(s->inf, ns_of(obj), name_of(obj));
		CB_CHECK(c && sk_obj_equal(c, obj), "on_add %s: not in the cache yet", name_of(obj));
	}
}

static void on_update(void *ud, const sk_obj *old, const sk_obj *obj)
{
	struct seen *s = ud;
	s->updates++;
	note(s, "~%s/%s %d>%d", ns_of(obj), name_of(obj), v_of(old), v_of(obj));
	CB_CHECK(strcmp(name_of(old), name_of(obj)) == 0, "on_update: old and new differ in name");
	if (s->inf) {
		const sk_obj *c = sk_informer_get(s->inf, ns_of(obj), name_of(obj));
		CB_CHECK(c && sk_obj_equal(c, obj), "on_update %s: the cache still holds the old state", name_of(obj));
	}
}

static void on_delete(void *ud, const sk_obj *obj)
{
	struct seen *s = ud;
	s->deletes++;
	note(s, "-%s/%s %d", ns_of(obj), name_of(obj), v_of(obj));
	if (s->inf)
		CB_CHECK(!sk_informer_get(s->inf, ns_of(obj), name_of(obj)), "on_delete %s: still cached", name_of(obj));
}

static const sk_informer_handlers handlers = {sizeof handlers, on_add, on_update, on_delete};

static sk_informer *informer(const char *ns, const char *labels, const char *fields, struct seen *s)
{
	sk_err e;
	sk_informer_spec spec = {sizeof spec, "", "pods", ns, labels, fields, &handlers, s};
	sk_informer *inf = sk_informer_new(NULL, &spec, &e);
	if (!inf)
		fail_msg("sk_informer_new: %s", e.msg);
	track((void **)live_inf, 8, inf);
	assert_true(sk_informer_synced(inf));
	s->inf = inf;
	return inf;
}

/* visitor: collects "ns/name" joined by commas, sorted afterwards */
struct names {
	char buf[1024];
	int stop_after; /* 0: never */
	int n;
};

static int collect(void *ud, const sk_obj *obj)
{
	struct names *c = ud;
	size_t off = strlen(c->buf);
	snprintf(c->buf + off, sizeof c->buf - off, "%s%s/%s", off ? "," : "", ns_of(obj), name_of(obj));
	return c->stop_after && ++c->n >= c->stop_after;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* map iteration order is unspecified: compare as sorted sets */
static void sort_names(char *buf)
{
	char *parts[64], tmp[1024];
	size_t n = 0;
	snprintf(tmp, sizeof tmp, "%s", buf);
	for (char *save = NULL, *t = strtok_r(tmp, ",", &save); t && n < 64; t = strtok_r(NULL, ",", &save))
		parts[n++] = t;
	qsort(parts, n, sizeof parts[0], cmp_str);
	size_t off = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, 1024 - off, "%s%s", i ? "," : "", parts[i]);
}

static void assert_foreach(sk_informer *inf, const char *ns, const char *want)
{
	struct names c = {.buf = ""};
	size_t n = sk_informer_foreach(inf, ns, collect, &c);
	sort_names(c.buf);
	assert_string_equal(c.buf, want);
	size_t commas = 0;
	for (const char *p = want; *p; p++)
		commas += *p == ',';
	assert_int_equal(n, *want ? commas + 1 : 0);
}

/* ---- informers ---- */

static void informer_lists_then_watches(void **state)
{
	(void)state;
	write_pod(CREATE, "inf-a", "p1", "web", "n1", 1);
	write_pod(CREATE, "inf-a", "p2", "web", "n1", 1);
	write_pod(CREATE, "inf-b", "p1", "db", "n2", 1);
	struct seen s = {0};
	sk_informer *inf = informer(NULL, NULL, NULL, &s);
	/* the initial list fires on_add for what already exists */
	assert_int_equal(s.adds, 3);
	assert_int_equal(sk_informer_count(inf), 3);
	const sk_obj *o = sk_informer_get(inf, "inf-a", "p2");
	assert_non_null(o);
	assert_int_equal(v_of(o), 1);
	assert_null(sk_informer_get(inf, "inf-a", "nope"));
	assert_null(sk_informer_get(inf, "inf-c", "p1"));

	/* then the watch: each change, once, after the cache has it */
	s.log[0] = 0;
	write_pod(CREATE, "inf-a", "p3", "web", "n2", 1);
	write_pod(UPDATE, "inf-a", "p1", "web", "n1", 2);
	write_pod(DELETE, "inf-b", "p1", NULL, NULL, 0);
	check_callbacks();
	assert_string_equal(s.log, "+inf-a/p3 1,~inf-a/p1 1>2,-inf-b/p1 1");
	assert_int_equal(s.adds, 4);
	assert_int_equal(s.updates, 1);
	assert_int_equal(s.deletes, 1);
	assert_int_equal(sk_informer_count(inf), 3);
	assert_int_equal(v_of(sk_informer_get(inf, "inf-a", "p1")), 2);
	assert_null(sk_informer_get(inf, "inf-b", "p1"));

	/* foreach, in one namespace or all */
	assert_foreach(inf, "inf-a", "inf-a/p1,inf-a/p2,inf-a/p3");
	assert_foreach(inf, NULL, "inf-a/p1,inf-a/p2,inf-a/p3");
	assert_foreach(inf, "inf-b", "");
	assert_foreach(inf, "inf", ""); /* a namespace that is a prefix of others */
	/* a visitor that stops early */
	struct names c = {.buf = "", .stop_after = 2};
	assert_int_equal(sk_informer_foreach(inf, NULL, collect, &c), 2);
	inf_free(inf);

	/* a namespace-scoped informer sees one namespace */
	struct seen s2 = {0};
	inf = informer("inf-a", NULL, NULL, &s2);
	assert_int_equal(sk_informer_count(inf), 3);
	write_pod(CREATE, "inf-b", "p9", "web", NULL, 1);
	write_pod(CREATE, "inf-a", "p9", "web", NULL, 1);
	assert_string_equal(s2.log, "+inf-a/p1 2,+inf-a/p2 1,+inf-a/p3 1,+inf-a/p9 1");
	assert_int_equal(sk_informer_count(inf), 4);
	check_callbacks();
	inf_free(inf);
}

static void index_node(void *ud, const sk_obj *obj, sk_index_emit_fn emit, void *ectx)
{
	(void)ud;
	const char *node = sk_obj_get_str(obj, "spec.nodeName");
	if (node && *node) /* unscheduled pods are in no node's bucket */
		emit(ectx, node);
}

/* two values per object, to check multi-valued indexes */
static void index_app_and_ns(void *ud, const sk_obj *obj, sk_index_emit_fn emit, void *ectx)
{
	(void)ud;
	char buf[128];
	snprintf(buf, sizeof buf, "app:%s", sk_obj_get_str(obj, "metadata.labels.app"));
	emit(ectx, buf);
	snprintf(buf, sizeof buf, "ns:%s", ns_of(obj));
	emit(ectx, buf);
}

static void assert_index(sk_informer *inf, const char *index, const char *value, const char *want)
{
	struct names c = {.buf = ""};
	size_t n = sk_informer_by_index(inf, index, value, collect, &c);
	sort_names(c.buf);
	if (strcmp(c.buf, want) != 0)
		fail_msg("index %s=%s: got [%s], want [%s]", index, value, c.buf, want);
	size_t commas = 0;
	for (const char *p = want; *p; p++)
		commas += *p == ',';
	assert_int_equal(n, *want ? commas + 1 : 0);
}

static void informer_index(void **state)
{
	(void)state;
	write_pod(CREATE, "ix", "a", "web", "n1", 1);
	write_pod(CREATE, "ix", "b", "web", "n1", 1);
	write_pod(CREATE, "ix", "c", "db", NULL, 1);
	struct seen s = {0};
	sk_informer *inf = informer("ix", NULL, NULL, &s);
	sk_err e;
	/* indexes added after the initial list cover what is cached */
	assert_int_equal(sk_informer_add_index(inf, "node", index_node, NULL, &e), SK_OK);
	assert_int_equal(sk_informer_add_index(inf, "app-ns", index_app_and_ns, NULL, &e), SK_OK);
	assert_int_equal(sk_informer_add_index(inf, "node", index_node, NULL, &e), SK_EEXIST);

	static const struct {
		const char *index, *value, *want;
	} before[] = {
		{"node", "n1", "ix/a,ix/b"}, {"node", "n2", ""},           {"node", "", ""},
		{"app-ns", "app:web", "ix/a,ix/b"}, {"app-ns", "ns:ix", "ix/a,ix/b,ix/c"}, {"nope", "n1", ""},
	};
	for (size_t i = 0; i < sizeof before / sizeof before[0]; i++)
		assert_index(inf, before[i].index, before[i].value, before[i].want);

	/* updates that move the indexed value move the object between buckets */
	write_pod(UPDATE, "ix", "a", "db", "n2", 2);  /* n1 -> n2, web -> db */
	write_pod(UPDATE, "ix", "c", "db", "n2", 2);  /* scheduled */
	write_pod(UPDATE, "ix", "b", "web", "n1", 2); /* value unchanged */
	write_pod(CREATE, "ix", "d", "web", "n3", 1);
	write_pod(DELETE, "ix", "b", NULL, NULL, 0);
	static const struct {
		const char *index, *value, *want;
	} after[] = {
		{"node", "n1", ""},
		{"node", "n2", "ix/a,ix/c"},
		{"node", "n3", "ix/d"},
		{"app-ns", "app:web", "ix/d"},
		{"app-ns", "app:db", "ix/a,ix/c"},
		{"app-ns", "ns:ix", "ix/a,ix/c,ix/d"},
	};
	for (size_t i = 0; i < sizeof after / sizeof after[0]; i++)
		assert_index(inf, after[i].index, after[i].value, after[i].want);
	/* the objects an index hands out are the current ones */
	const sk_obj *a = sk_informer_get(inf, "ix", "a");
	assert_int_equal(v_of(a), 2);
	check_callbacks();
	inf_free(inf);
}

static void informer_selector_transitions(void **state)
{
	(void)state;
	write_pod(CREATE, "isel", "a", "web", NULL, 1);
	write_pod(CREATE, "isel", "b", "db", NULL, 1);
	struct seen s = {0};
	sk_informer *inf = informer("isel", "app=web", NULL, &s);
	assert_int_equal(sk_informer_count(inf), 1);
	write_pod(UPDATE, "isel", "b", "web", NULL, 2); /* starts matching: an add */
	write_pod(UPDATE, "isel", "a", "db", NULL, 2);  /* stops matching: a delete */
	assert_string_equal(s.log, "+isel/a 1,+isel/b 2,-isel/a 1");
	assert_int_equal(sk_informer_count(inf), 1);
	assert_null(sk_informer_get(inf, "isel", "a"));
	assert_non_null(sk_informer_get(inf, "isel", "b"));
	inf_free(inf);
	/* and with a field selector */
	struct seen f = {0};
	inf = informer("isel", NULL, "spec.nodeName=n1", &f);
	assert_int_equal(sk_informer_count(inf), 0);
	write_pod(UPDATE, "isel", "a", "db", "n1", 3);
	write_pod(UPDATE, "isel", "a", "db", "n1", 4);
	write_pod(UPDATE, "isel", "a", "db", "n2", 5);
	assert_string_equal(f.log, "+isel/a 3,~isel/a 3>4,-isel/a 4");
	assert_int_equal(sk_informer_count(inf), 0);
	check_callbacks();
	inf_free(inf);
}

/* An object a write has made durable, whose completion the loop has not yet
 * delivered, is in the informer's initial list; when the completion arrives
 * the informer must not hear of it again (as a spurious update). */
static void informer_no_spurious_update_after_list(void **state)
{
	(void)state;
	static struct wres w; /* static: outlives this frame if the test fails early */
	memset(&w, 0, sizeof w);
	sk_obj *o = pod("early", "web", NULL, 1);
	sk_api_create(NULL, "", "pods", "race", o, on_write, &w);
	sk_obj_unref(o);
	sk_err e;
	sk_obj *got = NULL;
	for (int i = 0; i < 5000 && sk_api_get("", "pods", "race", "early", &got, &e) != SK_OK; i++)
		usleep(1000); /* the writer thread commits; the loop is not run */
	assert_non_null(got);
	sk_obj_unref(got);
	assert_int_equal(w.done, 0);
	struct seen s = {0};
	sk_informer *inf = informer("race", NULL, NULL, &s);
	assert_string_equal(s.log, "+race/early 1");
	tu_wait(&w.done, 1);
	write_pod(CREATE, "race", "late", "web", NULL, 1);
	inf_free(inf);
	assert_string_equal(s.log, "+race/early 1,+race/late 1");
}

static void informer_errors(void **state)
{
	(void)state;
	static const struct {
		uint32_t size;
		const char *resource, *ns, *labels, *fields;
		int code;
	} cases[] = {
		{sizeof(sk_informer_spec), "widgets", NULL, NULL, NULL, SK_ENOTFOUND},
		{sizeof(sk_informer_spec), "nodes", "ns", NULL, NULL, SK_EINVALID},
		{sizeof(sk_informer_spec), "pods", NULL, "app in (", NULL, SK_EINVALID},
		{sizeof(sk_informer_spec), "pods", NULL, NULL, "spec.nodeName", SK_EINVALID},
		{sizeof(sk_informer_spec) - 8, "pods", NULL, NULL, NULL, SK_EINVALID},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sk_informer_spec spec = {cases[i].size, "", cases[i].resource, cases[i].ns, cases[i].labels,
		                         cases[i].fields, NULL, NULL};
		sk_err e = {0};
		sk_informer *inf = sk_informer_new(NULL, &spec, &e);
		if (inf) {
			inf_free(inf);
			fail_msg("case %zu: informer created", i);
		}
		assert_int_equal(e.code, cases[i].code);
	}
	sk_err e = {0};
	assert_null(sk_informer_new(NULL, NULL, &e));
	assert_int_equal(e.code, SK_EINVALID);
	assert_false(sk_informer_synced(NULL));
	sk_informer_free(NULL);
	/* a cluster-scoped informer without handlers */
	sk_informer_spec spec = {sizeof spec, "", "nodes", NULL, NULL, NULL, NULL, NULL};
	sk_informer *inf = sk_informer_new(NULL, &spec, &e);
	assert_non_null(inf);
	sk_obj *n = tu_json("{'metadata':{'name':'node-1'}}");
	struct wres w = {0};
	sk_api_create(NULL, "", "nodes", NULL, n, on_write, &w);
	sk_obj_unref(n);
	tu_wait(&w.done, 1);
	assert_non_null(sk_informer_get(inf, NULL, "node-1"));
	assert_non_null(sk_informer_get(inf, "", "node-1"));
	inf_free(inf);
}

static void object_keys(void **state)
{
	(void)state;
	static const struct {
		const char *json, *want;
	} cases[] = {
		{"{'metadata':{'name':'a','namespace':'ns'}}", "ns/a"},
		{"{'metadata':{'name':'a'}}", "a"},
		{"{'metadata':{'name':'a','namespace':''}}", "a"},
		{"{}", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sk_obj *o = tu_json("%s", cases[i].json);
		char buf[64];
		assert_ptr_equal(sk_object_key(o, buf, sizeof buf), buf);
		assert_string_equal(buf, cases[i].want);
		sk_obj_unref(o);
	}
	/* truncated, never overrun */
	sk_obj *o = tu_json("{'metadata':{'name':'abcdefgh','namespace':'ns'}}");
	char small[5];
	sk_object_key(o, small, sizeof small);
	assert_string_equal(small, "ns/a");
	sk_obj_unref(o);
}

/* ---- work queues ---- */

#define MAXCALLS 64

struct qctx {
	sk_queue *q;
	int calls;
	char key[MAXCALLS][16];
	double at[MAXCALLS];
	int retries[MAXCALLS]; /* sk_queue_retries at each call */
	size_t len[MAXCALLS];  /* sk_queue_len at each call */
	int retry_first;       /* return RETRY for this many calls */
	int forget_at;         /* call sk_queue_forget on this call (1-based); 0: never */
	int readd_at;          /* re-add the key this many times during call 1 */
	int free_at;           /* sk_queue_free from inside this call (1-based) */
};

static int process(void *ud, const char *key)
{
	struct qctx *c = ud;
	if (c->calls >= MAXCALLS)
		return SK_QUEUE_DONE;
	int i = c->calls++;
	snprintf(c->key[i], sizeof c->key[i], "%s", key);
	c->at[i] = sk_monotonic();
	c->retries[i] = sk_queue_retries(c->q, key);
	c->len[i] = sk_queue_len(c->q);
	if (i == 0)
		for (int k = 0; k < c->readd_at; k++)
			sk_queue_add(c->q, key);
	if (c->forget_at == i + 1)
		sk_queue_forget(c->q, key);
	if (c->free_at == i + 1) {
		q_free(c->q);
		c->q = NULL;
		return SK_QUEUE_RETRY; /* ignored: the queue is gone */
	}
	return i < c->retry_first ? SK_QUEUE_RETRY : SK_QUEUE_DONE;
}

static sk_queue *queue(struct qctx *c, double base)
{
	sk_err e;
	/* qps high enough that only the per-key back-off shows */
	sk_queue_spec spec = {sizeof spec, "test-queue", process, c, base, 10, 1000, 100};
	c->q = sk_queue_new(NULL, &spec, &e);
	if (!c->q)
		fail_msg("sk_queue_new: %s", e.msg);
	track((void **)live_q, 8, c->q);
	return c->q;
}

static int never(void *ud)
{
	(void)ud;
	return 0;
}

/* libev measures timers from the loop's cached time, which is as old as
 * the current loop iteration: refresh it, just after reading the clock, so
 * that "after N s" counts from no earlier than the time returned. */
static double fresh_now(void)
{
	double t = sk_monotonic();
	ev_now_update(sk_ev());
	return t;
}

static void run_for(double s) { sk_loop_run_until(never, NULL, s); }

static void queue_deduplicates(void **state)
{
	(void)state;
	struct qctx c = {0};
	sk_queue *q = queue(&c, 0);
	for (int i = 0; i < 5; i++)
		sk_queue_add(q, "ns/a");
	sk_queue_add(q, "ns/b");
	sk_queue_add(q, "ns/b");
	assert_int_equal(sk_queue_len(q), 2);
	tu_wait(&c.calls, 2);
	run_for(0.05);
	assert_int_equal(c.calls, 2);
	/* first in, first out */
	assert_string_equal(c.key[0], "ns/a");
	assert_string_equal(c.key[1], "ns/b");
	assert_int_equal(c.len[0], 1); /* a is out of the queue while processed */
	assert_int_equal(sk_queue_len(q), 0);
	/* processed keys can be queued again */
	sk_queue_add(q, "ns/a");
	tu_wait(&c.calls, 3);
	q_free(q);
}

static void queue_readd_during_processing(void **state)
{
	(void)state;
	struct qctx c = {.readd_at = 3}; /* three re-adds during the first call: one more run */
	sk_queue *q = queue(&c, 0);
	sk_queue_add(q, "k");
	tu_wait(&c.calls, 2);
	run_for(0.05);
	assert_int_equal(c.calls, 2);
	assert_string_equal(c.key[1], "k");
	assert_true(c.at[1] >= c.at[0]);
	q_free(q);
}

static void queue_retry_backs_off(void **state)
{
	(void)state;
	const double base = 0.02;
	struct qctx c = {.retry_first = 4};
	sk_queue *q = queue(&c, base);
	sk_queue_add(q, "k");
	tu_wait(&c.calls, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(c.retries[i], i); /* one more failure counted per retry */
	for (int i = 1; i < 5; i++) {
		double want = base * (double)(1 << (i - 1)); /* base, 2 base, 4 base, 8 base */
		double got = c.at[i] - c.at[i - 1];
		if (got < want * 0.8 || got > want + 0.08)
			fail_msg("retry %d came after %.3f s, want about %.3f s", i, got, want);
	}
	/* success forgets the failures */
	assert_int_equal(sk_queue_retries(q, "k"), 0);
	q_free(q);
}

static void queue_forget_resets_backoff(void **state)
{
	(void)state;
	const double base = 0.04;
	/* retries at base, 2 base; the third call forgets, so the next wait is
	 * base again instead of 4 base */
	struct qctx c = {.retry_first = 3, .forget_at = 3};
	sk_queue *q = queue(&c, base);
	sk_queue_add(q, "k");
	tu_wait(&c.calls, 4);
	assert_int_equal(c.retries[2], 2);
	assert_int_equal(c.retries[3], 1);
	double d = c.at[3] - c.at[2];
	if (d < base * 0.9 || d > base * 3)
		fail_msg("after forget the retry came after %.3f s, want about %.3f s", d, base);
	/* add_rate_limited counts failures without processing, forget clears them */
	sk_queue_add_rate_limited(q, "x");
	sk_queue_add_rate_limited(q, "x");
	assert_int_equal(sk_queue_retries(q, "x"), 2);
	sk_queue_forget(q, "x");
	assert_int_equal(sk_queue_retries(q, "x"), 0);
	assert_int_equal(sk_queue_retries(q, "never-seen"), 0);
	q_free(q);
}

static void queue_add_after_delays(void **state)
{
	(void)state;
	struct qctx c = {0};
	sk_queue *q = queue(&c, 0);
	double t0 = fresh_now();
	sk_queue_add_after(q, "late", 0.1);
	sk_queue_add_after(q, "sooner", 0.2);
	sk_queue_add_after(q, "sooner", 0.05); /* an earlier due time wins */
	sk_queue_add_after(q, "sooner", 0.3);  /* a later one changes nothing */
	sk_queue_add_after(q, "now", 0);       /* no delay: queued at once */
	assert_int_equal(sk_queue_len(q), 1);
	tu_wait(&c.calls, 3);
	run_for(0.35); /* long enough for any superseded timer to fire by mistake */
	assert_int_equal(c.calls, 3);
	assert_string_equal(c.key[0], "now");
	assert_string_equal(c.key[1], "sooner");
	assert_string_equal(c.key[2], "late");
	assert_true(c.at[1] - t0 >= 0.0499 && c.at[1] - t0 < 0.15);
	assert_true(c.at[2] - t0 >= 0.0999);
	q_free(q);
	/* freeing a queue with delayed keys pending cancels them */
	struct qctx d = {0};
	q = queue(&d, 0);
	sk_queue_add_after(q, "a", 0.02);
	q_free(q);
	run_for(0.05);
	assert_int_equal(d.calls, 0);
}

static void queue_free_inside_process(void **state)
{
	(void)state;
	struct qctx c = {.free_at = 1};
	sk_queue *q = queue(&c, 0);
	sk_queue_add(q, "a");
	sk_queue_add(q, "b");
	sk_queue_add(q, "c");
	sk_queue_add_after(q, "d", 0.02);
	tu_wait(&c.calls, 1);
	run_for(0.06);
	assert_int_equal(c.calls, 1); /* nothing after the free */
	assert_null(c.q);
	/* NULL queues are ignored */
	sk_queue_add(NULL, "a");
	sk_queue_add_after(NULL, "a", 1);
	sk_queue_add_rate_limited(NULL, "a");
	sk_queue_forget(NULL, "a");
	assert_int_equal(sk_queue_retries(NULL, "a"), 0);
	assert_int_equal(sk_queue_len(NULL), 0);
	sk_queue_free(NULL);
}

static void queue_spec_errors(void **state)
{
	(void)state;
	const sk_queue_spec cases[] = {
		{sizeof(sk_queue_spec), "no-process", NULL, NULL, 0, 0, 0, 0},
		{8, "too-small", process, NULL, 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sk_err e = {0};
		assert_null(sk_queue_new(NULL, &cases[i], &e));
		assert_int_equal(e.code, SK_EINVALID);
	}
	sk_err e = {0};
	assert_null(sk_queue_new(NULL, NULL, &e));
	assert_int_equal(e.code, SK_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(informer_lists_then_watches, test_teardown),
		cmocka_unit_test_teardown(informer_index, test_teardown),
		cmocka_unit_test_teardown(informer_selector_transitions, test_teardown),
		cmocka_unit_test_teardown(informer_no_spurious_update_after_list, test_teardown),
		cmocka_unit_test_teardown(informer_errors, test_teardown),
		cmocka_unit_test_teardown(object_keys, test_teardown),
		cmocka_unit_test_teardown(queue_deduplicates, test_teardown),
		cmocka_unit_test_teardown(queue_readd_during_processing, test_teardown),
		cmocka_unit_test_teardown(queue_retry_backs_off, test_teardown),
		cmocka_unit_test_teardown(queue_forget_resets_backoff, test_teardown),
		cmocka_unit_test_teardown(queue_add_after_delays, test_teardown),
		cmocka_unit_test_teardown(queue_free_inside_process, test_teardown),
		cmocka_unit_test_teardown(queue_spec_errors, test_teardown),
	};
	return cmocka_run_group_tests_name("informer", tests, setup, teardown);
}
