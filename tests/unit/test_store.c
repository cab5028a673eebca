/* test_store.c — the MVCC store on LevelDB: revisions, compare-and-swap,
 * consistent snapshots, paging, history replay, compaction, and durability
 * of acknowledged writes across SIGKILL. */
#include "testutil.h"
#include "store_fixture.h"
#include "bus.h"
#include "err.h"
#include "store.h"
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <limits.h>
#include <poll.h>
#include <sys/wait.h>

static char *dir;
static char self[4096]; /* this program, re-executed as the killed writer */

static json_t *obj(const char *name, int v)
{
	return json_pack("{s:{s:s}, s:i}", "metadata", "name", name, "v", v);
}

struct result {
	int done;
	int code;
	int64_t rev;
};

static int total_done;

static void on_done(void *ud, const sk_err *err, json_t *stored)
{
	struct result *r = ud;
	total_done++;
	r->done++;
	r->code = err ? err->code : SK_OK;
	r->rev = stored ? store_parse_rv(json_string_value(json_object_get(json_object_get(stored, "metadata"),
	                                                                    "resourceVersion")))
	                : 0;
}

static int setup(void **state)
{
	(void)state;
	tu_store_up(64, 0);
	dir = tu_store_dir;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_store_down();
	return 0;
}

static struct result create(const char *key, int v)
{
	struct result r = {0};
	store_create(key, obj(strrchr(key, '/') + 1, v), on_done, &r);
	tu_wait(&r.done, 1);
	return r;
}

static struct result update(const char *key, int v, int64_t expect)
{
	struct result r = {0};
	store_update(key, obj(strrchr(key, '/') + 1, v), expect, on_done, &r);
	tu_wait(&r.done, 1);
	return r;
}

static struct result del(const char *key, int64_t expect)
{
	struct result r = {0};
	store_delete(key, expect, on_done, &r);
	tu_wait(&r.done, 1);
	return r;
}

static void revisions_increase(void **state)
{
	(void)state;
	int64_t last = store_revision();
	char key[64];
	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof key, "/t/rev/k%02d", i);
		struct result r = create(key, i);
		assert_int_equal(r.code, SK_OK);
		assert_true(r.rev > last);
		last = r.rev;
	}
	/* concurrent writes in one group commit still get distinct, ordered revisions */
	struct result rs[32] = {{0}};
	int want = total_done + 32;
	for (int i = 0; i < 32; i++) {
		snprintf(key, sizeof key, "/t/rev/c%02d", i);
		store_create(key, obj(key, i), on_done, &rs[i]);
	}
	tu_wait(&total_done, want);
	for (int i = 0; i < 32; i++) {
		assert_int_equal(rs[i].code, SK_OK);
		assert_true(rs[i].rev > last);
		last = rs[i].rev;
	}
	assert_int_equal(store_revision(), last);
}

static void cas_conflict(void **state)
{
	(void)state;
	struct result a = create("/t/cas/x", 1);
	assert_int_equal(a.code, SK_OK);
	assert_int_equal(create("/t/cas/x", 2).code, SK_EEXIST);
	struct result b = update("/t/cas/x", 2, a.rev);
	assert_int_equal(b.code, SK_OK);
	/* a stale revision loses */
	assert_int_equal(update("/t/cas/x", 3, a.rev).code, SK_ECONFLICT);
	assert_int_equal(del("/t/cas/x", a.rev).code, SK_ECONFLICT);
	assert_int_equal(update("/t/cas/missing", 1, 0).code, SK_ENOTFOUND);
	json_t *got;
	sk_err e;
	assert_int_equal(store_get("/t/cas/x", &got, &e), SK_OK);
	assert_int_equal(json_integer_value(json_object_get(got, "v")), 2);
	char rv[24];
	snprintf(rv, sizeof rv, "%" PRId64, b.rev);
	assert_string_equal(json_string_value(json_object_get(json_object_get(got, "metadata"), "resourceVersion")), rv);
	json_decref(got);
	assert_int_equal(del("/t/cas/x", b.rev).code, SK_OK);
	assert_int_equal(store_get("/t/cas/x", &got, &e), SK_ENOTFOUND);
	/* re-creating a deleted key works */
	assert_int_equal(create("/t/cas/x", 9).code, SK_OK);
}

struct collect {
	json_t *names;
	int64_t want_v_max;
};

static int collect(void *ud, const char *key, json_t *o)
{
	(void)key;
	struct collect *c = ud;
	json_array_append_new(c->names, json_pack("{s:s, s:I}", "name",
	                                          json_string_value(json_object_get(json_object_get(o, "metadata"), "name")),
	                                          "v", json_integer_value(json_object_get(o, "v"))));
	return 0;
}

static void snapshot_consistent(void **state)
{
	(void)state;
	char key[64];
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof key, "/t/snap/k%02d", i);
		assert_int_equal(create(key, 0).code, SK_OK);
	}
	int64_t before = store_revision();
	/* writes go on: each key moves to v=1, some are deleted, new ones appear */
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof key, "/t/snap/k%02d", i);
		if (i % 5 == 0)
			assert_int_equal(del(key, 0).code, SK_OK);
		else
			assert_int_equal(update(key, 1, 0).code, SK_OK);
	}
	assert_int_equal(create("/t/snap/new", 1).code, SK_OK);
	/* reading at `before` shows the world exactly as it was */
	struct collect c = {json_array(), 0};
	int64_t at;
	sk_err e;
	assert_int_equal(store_range("/t/snap/", NULL, before, collect, &c, &at, &e), SK_OK);
	assert_int_equal(at, before);
	assert_int_equal(json_array_size(c.names), 20);
	size_t i;
	json_t *it;
	json_array_foreach(c.names, i, it) assert_int_equal(json_integer_value(json_object_get(it, "v")), 0);
	json_decref(c.names);
	/* and now, the current world */
	c.names = json_array();
	assert_int_equal(store_range("/t/snap/", NULL, 0, collect, &c, &at, &e), SK_OK);
	assert_int_equal(json_array_size(c.names), 17);
	json_decref(c.names);
}

struct pager {
	int n, limit;
	char next[1100];
};

static int page_visit(void *ud, const char *key, json_t *o)
{
	(void)o;
	struct pager *p = ud;
	if (p->n == p->limit) {
		snprintf(p->next, sizeof p->next, "%s", key);
		return 1;
	}
	p->n++;
	return 0;
}

static void paging(void **state)
{
	(void)state;
	char key[64];
	for (int i = 0; i < 25; i++) {
		snprintf(key, sizeof key, "/t/page/k%02d", i);
		assert_int_equal(create(key, i).code, SK_OK);
	}
	int64_t at0 = 0, at;
	sk_err e;
	int total = 0, pages = 0;
	char start[1100] = "";
	for (;;) {
		struct pager p = {0, 10, ""};
		assert_int_equal(store_range("/t/page/", *start ? start : NULL, at0, page_visit, &p, &at, &e), SK_OK);
		if (!at0) {
			at0 = at;
			/* a write between pages is invisible to the rest of the list */
			assert_int_equal(create("/t/page/k99", 99).code, SK_OK);
		}
		assert_int_equal(at, at0);
		total += p.n;
		pages++;
		if (!*p.next)
			break;
		snprintf(start, sizeof start, "%s", p.next);
	}
	assert_int_equal(total, 25);
	assert_int_equal(pages, 3);
}

struct replay {
	int64_t revs[256];
	int types[256];
	int n;
};

static int replay_visit(void *ud, int type, int64_t rev, const char *key, json_t *o, json_t *old)
{
	(void)key;
	(void)o;
	(void)old;
	struct replay *r = ud;
	if (r->n < 256) {
		r->revs[r->n] = rev;
		r->types[r->n++] = type;
	}
	return 0;
}

static void history_replays_in_order(void **state)
{
	(void)state;
	int64_t from = store_revision();
	struct result a = create("/t/hist/a", 1);
	struct result b = update("/t/hist/a", 2, 0);
	struct result c = del("/t/hist/a", 0);
	struct replay r = {.n = 0};
	sk_err e;
	assert_int_equal(store_history(from, replay_visit, &r, &e), SK_OK);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.revs[0], a.rev);
	assert_int_equal(r.types[0], SK_EV_ADDED);
	assert_int_equal(r.revs[1], b.rev);
	assert_int_equal(r.types[1], SK_EV_MODIFIED);
	assert_int_equal(r.revs[2], c.rev);
	assert_int_equal(r.types[2], SK_EV_DELETED);
}

static int is_done(void *ud) { return store_compacted() >= *(int64_t *)ud; }

static void compaction_expires(void **state)
{
	(void)state;
	struct result a = create("/t/comp/a", 1);
	struct result b = update("/t/comp/a", 2, 0);
	create("/t/comp/gone", 1);
	del("/t/comp/gone", 0);
	struct result c = update("/t/comp/a", 3, 0);
	(void)c;
	int64_t upto = b.rev + 2; /* after the create and delete of "gone" */
	sk_err e;
	assert_int_equal(store_compact(upto, &e), SK_OK);
	assert_true(sk_loop_run_until(is_done, &upto, 10));
	struct replay r = {.n = 0};
	/* history before the compacted revision is gone: Expired (HTTP 410) */
	assert_int_equal(store_history(a.rev, replay_visit, &r, &e), SK_EEXPIRED);
	struct collect col = {json_array(), 0};
	int64_t at;
	assert_int_equal(store_range("/t/comp/", NULL, a.rev, collect, &col, &at, &e), SK_EEXPIRED);
	/* reading at the compacted revision still sees a=2, and "gone" is gone */
	assert_int_equal(store_range("/t/comp/", NULL, upto, collect, &col, &at, &e), SK_OK);
	assert_int_equal(json_array_size(col.names), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(col.names, 0), "v")), 2);
	json_decref(col.names);
	/* replay after the compacted revision still has the previous state */
	r.n = 0;
	assert_int_equal(store_history(upto, replay_visit, &r, &e), SK_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.types[0], SK_EV_MODIFIED);
}

/* The writer: opens the store, keeps 16 writes in flight, and reports each
 * acknowledged key on fd as soon as its callback runs. */
struct writer {
	int fd, seq, inflight;
};

static void writer_next(struct writer *w);

static void writer_done(void *ud, const sk_err *err, json_t *stored)
{
	struct writer *w = ud;
	w->inflight--;
	if (!err) {
		char line[64];
		int n = snprintf(line, sizeof line, "%s\n",
		                 json_string_value(json_object_get(json_object_get(stored, "metadata"), "name")));
		if (write(w->fd, line, (size_t)n) != n)
			_exit(3);
	}
	writer_next(w);
}

static void writer_next(struct writer *w)
{
	while (w->inflight < 16) {
		char key[64], name[32];
		snprintf(name, sizeof name, "w%07d", w->seq++);
		snprintf(key, sizeof key, "/t/kill/%s", name);
		w->inflight++;
		store_create(key, obj(name, w->seq), (store_done_fn)writer_done, w);
	}
}

static void read_acks(int fd, json_t *acked, char *line, size_t *ll, double until)
{
	char buf[65536];
	for (;;) {
		double left = until - sk_monotonic();
		struct pollfd pf = {fd, POLLIN, 0};
		if (left <= 0 || poll(&pf, 1, (int)(left * 1000) + 1) <= 0)
			return;
		ssize_t n = read(fd, buf, sizeof buf);
		if (n <= 0)
			return;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				line[*ll] = 0;
				json_object_set_new(acked, line, json_true());
				*ll = 0;
			} else if (*ll < 63) {
				line[(*ll)++] = buf[i];
			}
		}
	}
}

static void killed_writer_loses_nothing(void **state)
{
	(void)state;
	char *kdir = tu_tempdir();
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* a clean process: this one's threads do not survive fork */
		char fd[16];
		snprintf(fd, sizeof fd, "%d", p[1]);
		close(p[0]);
		execl(self, "test_store", "--writer", kdir, fd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	/* read acknowledgements for a while, then kill mid-stream */
	json_t *acked = json_object();
	char line[64];
	size_t ll = 0;
	read_acks(p[0], acked, line, &ll, sk_monotonic() + 1.0);
	kill(pid, SIGKILL);
	int status;
	waitpid(pid, &status, 0);
	/* acknowledgements already in the pipe were made before the kill */
	read_acks(p[0], acked, line, &ll, sk_monotonic() + 1.0);
	close(p[0]);
	assert_true(WIFSIGNALED(status));
	assert_true(json_object_size(acked) > 50);

	/* reopen the killed writer's store in place of ours */
	store_close();
	sk_err e;
	json_t *s = json_object();
	assert_int_equal(store_open("leveldb", kdir, s, 1000, 0, &e), SK_OK);
	json_decref(s);
	const char *name;
	json_t *v;
	size_t missing = 0;
	json_object_foreach(acked, name, v)
	{
		char key[64];
		json_t *got;
		snprintf(key, sizeof key, "/t/kill/%s", name);
		if (store_get(key, &got, &e) == SK_OK)
			json_decref(got);
		else
			missing++;
	}
	printf("# %zu acknowledged writes before SIGKILL, %zu missing after reopen\n", json_object_size(acked), missing);
	assert_int_equal(missing, 0);
	json_decref(acked);
	store_close();
	s = json_object();
	assert_int_equal(store_open("leveldb", dir, s, 1000, 0, &e), SK_OK);
	json_decref(s);
	tu_rmrf(kdir);
	free(kdir);
}

/* A datastore backend registered at the extension point, as a plugin would:
 * it delegates to LevelDB and counts calls, to show the store uses the
 * backend the config names. */
static int wrapped_writes, wrapped_gets;

static int w_open(void *ud, const sk_ds_open_args *a, void **db, sk_err *e)
{
	return sk_leveldb_datastore.open(ud, a, db, e);
}
static void w_write(void *db, const sk_ds_write *w, sk_ds_write_fn done, void *cb)
{
	wrapped_writes++;
	sk_leveldb_datastore.write(db, w, done, cb);
}
static int w_get(void *db, const char *k, sk_ds_kv_fn fn, void *ud, sk_err *e)
{
	wrapped_gets++;
	return sk_leveldb_datastore.get(db, k, fn, ud, e);
}

static void plugin_backend_is_used(void **state)
{
	(void)state;
	static sk_datastore_ops wrapped;
	wrapped = sk_leveldb_datastore;
	wrapped.name = "wrapped";
	wrapped.open = w_open;
	wrapped.write = w_write;
	wrapped.get = w_get;
	sk_err e;
	assert_int_equal(sk_register(NULL, SK_EXT_DATASTORE, &wrapped, NULL, &e), SK_OK);
	store_close();
	char *wdir = tu_tempdir();
	json_t *s = json_object();
	assert_int_equal(store_open("wrapped", wdir, s, 1000, 0, &e), SK_OK);
	assert_int_equal(create("/t/wrapped/a", 1).code, SK_OK);
	json_t *got;
	assert_int_equal(store_get("/t/wrapped/a", &got, &e), SK_OK);
	json_decref(got);
	assert_int_equal(wrapped_writes, 1);
	assert_int_equal(wrapped_gets, 1);
	store_close();
	/* an unknown backend is a clear error */
	assert_int_equal(store_open("etcd", wdir, s, 1000, 0, &e), SK_ENOTFOUND);
	assert_non_null(strstr(e.msg, "unknown datastore backend \"etcd\""));
	sk_unregister(NULL, SK_EXT_DATASTORE, "wrapped");
	assert_int_equal(store_open("leveldb", dir, s, 1000, 0, &e), SK_OK);
	json_decref(s);
	tu_rmrf(wdir);
	free(wdir);
}

/* test_store --writer DIR FD: the process the durability test kills */
static int writer_main(const char *wdir, int fd)
{
	sk_err e;
	if (sk_loop_init(0, 1, &e) != SK_OK)
		return 2;
	bus_init(16);
	json_t *s = json_object();
	if (store_open("leveldb", wdir, s, 1000, 0, &e) != SK_OK)
		return 2;
	struct writer w = {fd, 0, 0};
	writer_next(&w);
	ev_ref(sk_ev());
	sk_loop_run();
	return 0;
}

int main(int argc, char **argv)
{
	/* argv[0], not /proc/self/exe, which is valgrind's when run under it */
	if (!realpath(argv[0], self))
		snprintf(self, sizeof self, "%s", argv[0]);
	if (argc == 4 && strcmp(argv[1], "--writer") == 0)
		return writer_main(argv[2], atoi(argv[3]));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(revisions_increase),
		cmocka_unit_test(cas_conflict),
		cmocka_unit_test(snapshot_consistent),
		cmocka_unit_test(paging),
		cmocka_unit_test(history_replays_in_order),
		cmocka_unit_test(compaction_expires),
		cmocka_unit_test(killed_writer_loses_nothing),
		cmocka_unit_test(plugin_backend_is_used),
	};
	return cmocka_run_group_tests_name("store", tests, setup, teardown);
}
