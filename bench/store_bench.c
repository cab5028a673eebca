/* store_bench.c — durable write throughput and latency of the store, next to
 * what the disk allows, and the cost of watch fan-out.
 *
 *   store_bench [--seconds N] [--dir DIR] [--subscribers N] [--events N] [--only WHICH]
 *
 * Scenarios, each on its own fresh LevelDB under one temp dir:
 *   leveldb sync put, T threads  leveldb/c.h directly, sync=true, one put per
 *                                call: the physical limit (T > 1 lets
 *                                LevelDB's own writer queue group the fsyncs)
 *   skiff store_create, N writers  each writer keeps one create outstanding
 *                                and issues the next from its callback
 *   watch fan-out              one write at a time, delivered to many bus
 *                              subscribers that each ask for the watch frame
 * Latency is from submission to the acknowledgement (or, for fan-out, to
 * delivery at each subscriber). Exit status 0 unless something failed; the
 * throughput goal is reported, not enforced.
 */
#include "lib/bench.h"
#include "bus.h"
#include "err.h"
#include "loop.h"
#include "plugin_host.h"
#include "store.h"
#include <inttypes.h>
#include <jansson.h>
#include <leveldb/c.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GOAL_WRITES_PER_S 20000.0

static const int writer_counts[] = {1, 16, 256};
#define NCOUNTS (sizeof writer_counts / sizeof writer_counts[0])

static double seconds = 3.0;
/* A small Pod as a controller would create it; about 1 KiB as compact JSON. */
static const char pod_template[] =
	"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"\",\"namespace\":\"bench\",\"uid\":\"\","
	"\"labels\":{\"app\":\"bench\",\"pod-template-hash\":\"5d8f7c9b6d\"},"
	"\"creationTimestamp\":\"2024-05-01T12:00:00Z\",\"ownerReferences\":[{\"apiVersion\":\"apps/v1\","
	"\"kind\":\"ReplicaSet\",\"name\":\"bench-5d8f7c9b6d\",\"uid\":\"0f6c2a7e-3b1d-4c59-9e8a-2d4b6f1a7c3e\","
	"\"controller\":true,\"blockOwnerDeletion\":true}]},"
	"\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"registry.example.com/bench/app:1.24.3\","
	"\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"}],\"env\":[{\"name\":\"LOG_LEVEL\",\"value\":\"info\"}],"
	"\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"limits\":{\"cpu\":\"500m\","
	"\"memory\":\"256Mi\"}},\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/data\"}],"
	"\"imagePullPolicy\":\"IfNotPresent\",\"terminationMessagePath\":\"/dev/termination-log\"}],"
	"\"restartPolicy\":\"Always\",\"terminationGracePeriodSeconds\":30,\"dnsPolicy\":\"ClusterFirst\","
	"\"serviceAccountName\":\"default\",\"schedulerName\":\"default-scheduler\","
	"\"volumes\":[{\"name\":\"data\",\"emptyDir\":{}}]},"
	"\"status\":{\"phase\":\"Pending\",\"qosClass\":\"Burstable\"}}";

static json_t *pod_proto;
static long pod_seq;

/* A fresh Pod with a unique name; its key goes to key. */
static json_t *new_pod(char *key, size_t cap)
{
	char name[32], uid[40];
	long n = pod_seq++;
	snprintf(name, sizeof name, "bench-%08ld", n);
	snprintf(uid, sizeof uid, "6b1f0c2e-8d4a-4e57-a3c9-%012ld", n);
	snprintf(key, cap, "/registry/core/pods/bench/%s", name);
	json_t *p = json_deep_copy(pod_proto);
	json_t *md = json_object_get(p, "metadata");
	json_object_set_new(md, "name", json_string(name));
	json_object_set_new(md, "uid", json_string(uid));
	return p;
}

struct row {
	char name[64];
	int threads;   /* writers or threads; 0 for rows without a baseline */
	int skiff;
	double ops, p50, p99;
};

static struct row rows[16];
static size_t nrows;

static void add_row(const char *name, int threads, int skiff, double ops, struct lat *l)
{
	struct row *r = &rows[nrows++];
	snprintf(r->name, sizeof r->name, "%s", name);
	r->threads = threads;
	r->skiff = skiff;
	r->ops = ops;
	r->p50 = lat_ms(l, 0.50);
	r->p99 = lat_ms(l, 0.99);
}

/* ---- the physical limit: LevelDB sync puts ---- */

static leveldb_options_t *ldb_options(leveldb_cache_t **cache, leveldb_filterpolicy_t **bloom)
{
	/* the same options the store's backend opens with, so only the write path differs */
	leveldb_options_t *o = leveldb_options_create();
	*cache = leveldb_cache_create_lru(4 << 20);
	*bloom = leveldb_filterpolicy_create_bloom(10);
	leveldb_options_set_create_if_missing(o, 1);
	leveldb_options_set_cache(o, *cache);
	leveldb_options_set_filter_policy(o, *bloom);
	leveldb_options_set_write_buffer_size(o, 4 << 20);
	leveldb_options_set_compression(o, leveldb_snappy_compression);
	return o;
}

struct lthread {
	pthread_t thr;
	int id;
	leveldb_t *db;
	const leveldb_writeoptions_t *wo;
	pthread_barrier_t *start;
	double deadline, last;
	const char *val;
	size_t len;
	long n;
	char *error;
	struct lat lat;
};

static void *lthread_main(void *arg)
{
	struct lthread *t = arg;
	char key[64];
	pthread_barrier_wait(t->start);
	for (;;) {
		/* keys shaped like the store's: one new key per write */
		int kl = snprintf(key, sizeof key, "c/registry/core/pods/bench/t%03d-%08ld", t->id, t->n);
		double t0 = sk_monotonic();
		leveldb_put(t->db, t->wo, key, (size_t)kl, t->val, t->len, &t->error);
		double t1 = sk_monotonic();
		if (t->error)
			break;
		lat_add(&t->lat, t1 - t0);
		t->n++;
		t->last = t1;
		if (t1 >= t->deadline)
			break;
	}
	return NULL;
}

static void run_leveldb(const char *root, int threads, const char *val, size_t len)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/leveldb-%d", root, threads);
	leveldb_cache_t *cache;
	leveldb_filterpolicy_t *bloom;
	leveldb_options_t *o = ldb_options(&cache, &bloom);
	leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
	leveldb_writeoptions_set_sync(wo, 1);
	char *e = NULL;
	leveldb_t *db = leveldb_open(o, path, &e);
	char name[64];
	snprintf(name, sizeof name, "leveldb sync put, %d thread%s", threads, threads == 1 ? "" : "s");
	fprintf(stderr, "running %s ...\n", name);
	if (!db) {
		fprintf(stderr, "store_bench: cannot open %s: %s\n", path, e ? e : "unknown error");
		leveldb_free(e);
		atomic_store(&bench_failed, 1);
		goto out;
	}
	struct lthread *ts = xcalloc((size_t)threads, sizeof *ts);
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
	int started = 0;
	for (int i = 0; i < threads; i++)
		ts[i] = (struct lthread){.id = i, .db = db, .wo = wo, .start = &start, .val = val, .len = len};
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&ts[i].thr, NULL, lthread_main, &ts[i]) != 0)
			break;
		started++;
	}
	if (started < threads)
		fatal("cannot start the LevelDB threads"); /* the barrier would never open */
	/* threads read the deadline only after the barrier, which orders these writes */
	double t0 = sk_monotonic();
	for (int i = 0; i < threads; i++)
		ts[i].deadline = t0 + seconds;
	pthread_barrier_wait(&start);
	struct lat all = {0};
	long total = 0;
	double last = t0;
	for (int i = 0; i < threads; i++) {
		pthread_join(ts[i].thr, NULL);
		if (ts[i].error) {
			fprintf(stderr, "store_bench: leveldb_put: %s\n", ts[i].error);
			leveldb_free(ts[i].error);
			atomic_store(&bench_failed, 1);
		}
		for (size_t k = 0; k < ts[i].lat.n; k++)
			lat_add(&all, ts[i].lat.v[k]);
		free(ts[i].lat.v);
		total += ts[i].n;
		if (ts[i].last > last)
			last = ts[i].last;
	}
	pthread_barrier_destroy(&start);
	free(ts);
	add_row(name, threads, 0, last > t0 ? (double)total / (last - t0) : 0, &all);
	free(all.v);
	leveldb_close(db);
out:
	leveldb_writeoptions_destroy(wo);
	leveldb_options_destroy(o);
	leveldb_cache_destroy(cache);
	leveldb_filterpolicy_destroy(bloom);
	bench_rmrf(path);
}

/* ---- skiff: store_create with N concurrent writers ---- */

struct srun;

struct swriter {
	struct srun *run;
	double t0;
};

struct srun {
	double deadline, last;
	int outstanding;
	long done, errors;
	struct lat lat;
};

static void swriter_issue(struct swriter *w);

static void swriter_acked(void *ud, const sk_err *err, json_t *stored)
{
	(void)stored;
	struct swriter *w = ud;
	struct srun *r = w->run;
	double t = sk_monotonic();
	r->outstanding--;
	if (err) {
		if (!r->errors++)
			fprintf(stderr, "store_bench: store_create: %s\n", err->msg);
		return; /* this writer stops: the figures are void anyway */
	}
	lat_add(&r->lat, t - w->t0);
	r->done++;
	r->last = t;
	if (t < r->deadline)
		swriter_issue(w);
}

static void swriter_issue(struct swriter *w)
{
	char key[128];
	json_t *pod = new_pod(key, sizeof key);
	w->run->outstanding++;
	w->t0 = sk_monotonic();
	store_create(key, pod, swriter_acked, w);
}

static int srun_drained(void *ud) { return ((struct srun *)ud)->outstanding == 0; }

static int open_store(const char *dir)
{
	sk_err e;
	json_t *settings = json_object();
	/* no compaction timer: it would only add noise to a few seconds of writes */
	int rc = store_open("leveldb", dir, settings, 0, 0, &e);
	json_decref(settings);
	if (rc != SK_OK) {
		fprintf(stderr, "store_bench: store_open %s: %s\n", dir, e.msg);
		atomic_store(&bench_failed, 1);
	}
	return rc;
}

static void run_skiff(const char *root, int writers)
{
	char path[4200], name[64];
	snprintf(path, sizeof path, "%s/skiff-%d", root, writers);
	snprintf(name, sizeof name, "skiff store_create, %d writer%s", writers, writers == 1 ? "" : "s");
	fprintf(stderr, "running %s ...\n", name);
	if (open_store(path) != SK_OK)
		return;
	struct srun r = {0};
	struct swriter *ws = xcalloc((size_t)writers, sizeof *ws);
	double t0 = sk_monotonic();
	r.deadline = t0 + seconds;
	r.last = t0;
	for (int i = 0; i < writers; i++) {
		ws[i].run = &r;
		swriter_issue(&ws[i]);
	}
	if (!sk_loop_run_until(srun_drained, &r, seconds + 60)) {
		fprintf(stderr, "store_bench: %d writes never acknowledged\n", r.outstanding);
		atomic_store(&bench_failed, 1);
	}
	if (r.errors)
		atomic_store(&bench_failed, 1);
	add_row(name, writers, 1, r.last > t0 ? (double)r.done / (r.last - t0) : 0, &r.lat);
	free(r.lat.v);
	store_close();
	/* only now: outstanding callbacks point into ws */
	free(ws);
	bench_rmrf(path);
}

/* ---- watch fan-out ----
 *
 * The bus promises one serialization per event, not one per watcher: every
 * subscriber of an event must get the very same frame. Distinct frames are
 * counted by their address. */

static char notes[1024];  /* the fan-out details, printed under the table */

struct fanout {
	int subs;
	double t0, first;
	long delivered;   /* for the current event */
	long total, json_calls, bytes, null_frames, other_frames;
	long distinct;     /* distinct frames over all events: serializations */
	const char *frame; /* what the first subscriber got for this event */
	struct lat lat;    /* per subscriber: submission to delivery */
	struct lat spread; /* per event: first to last subscriber */
	int acked, ack_errors;
};

struct watcher {
	struct fanout *f;
	long events;
};

static void watcher_event(void *ud, const sk_event *ev)
{
	struct watcher *w = ud;
	struct fanout *f = w->f;
	size_t len = 0;
	/* what an HTTP watcher does with the event: take its bytes */
	const char *frame = sk_event_json(ev, &len);
	double t = sk_monotonic();
	f->json_calls++;
	if (!frame)
		f->null_frames++;
	if (f->delivered == 0) {
		f->frame = frame;
		f->first = t;
		f->distinct += frame != NULL;
	} else if (frame != f->frame) {
		f->other_frames++; /* a second copy of the same frame */
		f->distinct++;
	}
	f->bytes += (long)len;
	w->events++;
	f->delivered++;
	f->total++;
	lat_add(&f->lat, t - f->t0);
	if (f->delivered == f->subs)
		lat_add(&f->spread, t - f->first);
}

static void fanout_acked(void *ud, const sk_err *err, json_t *stored)
{
	(void)stored;
	struct fanout *f = ud;
	f->acked = 1;
	if (err) {
		fprintf(stderr, "store_bench: store_create: %s\n", err->msg);
		f->ack_errors++;
	}
}

static int fanout_event_done(void *ud)
{
	struct fanout *f = ud;
	return f->ack_errors || (f->acked && f->delivered >= f->subs);
}

static void run_fanout(const char *root, int subs, int events)
{
	char path[4200], name[64];
	snprintf(path, sizeof path, "%s/fanout", root);
	snprintf(name, sizeof name, "watch fan-out, %d subs (deliveries)", subs);
	fprintf(stderr, "running %s ...\n", name);
	if (open_store(path) != SK_OK)
		return;
	struct fanout f = {.subs = subs};
	struct watcher *ws = xcalloc((size_t)subs, sizeof *ws);
	struct bus_sub **bs = xcalloc((size_t)subs, sizeof *bs);
	for (int i = 0; i < subs; i++) {
		sk_err e;
		ws[i].f = &f;
		bs[i] = bus_subscribe(sk_core_plugin(), "/registry/core/pods/bench/", NULL, NULL, 0, watcher_event,
		                      &ws[i], &e);
		if (!bs[i]) {
			fprintf(stderr, "store_bench: bus_subscribe: %s\n", e.msg);
			atomic_store(&bench_failed, 1);
			subs = i;
			f.subs = i;
			break;
		}
	}
	double t_start = sk_monotonic();
	int n = 0;
	for (; n < events && subs > 0; n++) {
		char key[128];
		json_t *pod = new_pod(key, sizeof key);
		f.delivered = 0;
		f.acked = 0;
		f.frame = NULL;
		f.t0 = sk_monotonic();
		store_create(key, pod, fanout_acked, &f);
		if (!sk_loop_run_until(fanout_event_done, &f, 30) || f.ack_errors) {
			fprintf(stderr, "store_bench: event %d reached %ld of %d subscribers\n", n, f.delivered, subs);
			atomic_store(&bench_failed, 1);
			break;
		}
	}
	double wall = sk_monotonic() - t_start;
	long dumps = f.distinct;
	long missed = 0; /* every watcher must see every event exactly once */
	for (int i = 0; i < subs; i++) {
		missed += ws[i].events != n;
		bus_unsubscribe(bs[i]);
	}
	double spread50 = lat_ms(&f.spread, 0.50), spread99 = lat_ms(&f.spread, 0.99);
	add_row(name, 0, 1, wall > 0 ? (double)f.total / wall : 0, &f.lat);
	int once = n > 0 && dumps == n && f.other_frames == 0 && f.null_frames == 0;
	size_t nl = 0;
	nl += (size_t)snprintf(notes + nl, sizeof notes - nl,
	                       "fan-out: %d writes x %d subscribers = %ld deliveries of %ld B, %ld sk_event_json calls\n",
	                       n, subs, f.total, f.total ? f.bytes / f.total : 0, f.json_calls);
	nl += (size_t)snprintf(notes + nl, sizeof notes - nl,
	                       "fan-out: %ld serializations for %d events: once per event %s; "
	                       "subscribers that missed an event: %ld\n",
	                       dumps, n, once ? "yes" : "NO", missed);
	snprintf(notes + nl, sizeof notes - nl,
	         "fan-out: first to last subscriber of one event: p50 %.3f ms, p99 %.3f ms (%.2f us per delivery)\n",
	         spread50, spread99, subs > 1 ? spread50 * 1000.0 / (subs - 1) : 0.0);
	if (!once || missed)
		atomic_store(&bench_failed, 1);
	free(f.lat.v);
	free(f.spread.v);
	free(bs);
	store_close();
	free(ws);
	bench_rmrf(path);
}

/* ---- the report ---- */

static const struct row *baseline(int threads)
{
	for (size_t i = 0; i < nrows; i++)
		if (!rows[i].skiff && rows[i].threads == threads)
			return &rows[i];
	return NULL;
}

static void ratio(char *buf, size_t cap, double a, const struct row *b)
{
	if (b && b->ops > 0)
		snprintf(buf, cap, "%.2fx", a / b->ops);
	else
		snprintf(buf, cap, "-");
}

static void print_table(void)
{
	printf("\n%-42s %10s %9s %9s %12s %12s\n", "scenario", "ops/s", "p50 ms", "p99 ms", "vs ldb N thr",
	       "vs ldb 1 thr");
	const struct row *best = NULL;
	for (size_t i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		char same[16] = "", one[16] = "";
		if (r->skiff && r->threads) {
			ratio(same, sizeof same, r->ops, baseline(r->threads));
			ratio(one, sizeof one, r->ops, baseline(1));
			if (!best || r->ops > best->ops)
				best = r;
		}
		printf("%-42s %10.0f %9.3f %9.3f %12s %12s\n", r->name, r->ops, r->p50, r->p99, same, one);
	}
	printf("\ngoal: >= %.0f durable writes/s (group commit)", GOAL_WRITES_PER_S);
	if (best)
		printf("   best skiff: %.0f writes/s (%s)  %s", best->ops, best->name,
		       best->ops >= GOAL_WRITES_PER_S ? "PASS" : "BELOW");
	else
		printf("   (no skiff write scenario ran)");
	printf("\n\n%s", notes);
}

static void usage(FILE *to)
{
	fprintf(to, "usage: store_bench [--seconds N] [--dir DIR] [--subscribers N] [--events N] [--only WHICH]\n"
	            "  --seconds N      duration of each write scenario (default 3)\n"
	            "  --dir DIR        make the temp data dir under DIR (default /tmp); removed at the end\n"
	            "  --subscribers N  bus subscribers in the fan-out scenario (default 1000)\n"
	            "  --events N       writes in the fan-out scenario (default 200)\n"
	            "  --only WHICH     run one group: leveldb, skiff or fanout (default: all)\n");
}

int main(int argc, char **argv)
{
	const char *base = "/tmp";
	const char *only = NULL;
	int subs = 1000, events = 200;
	/* every option but --help takes a value: step two at a time */
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--seconds") && v) {
			seconds = strtod(v, NULL);
		} else if (!strcmp(a, "--dir") && v) {
			base = v;
		} else if (!strcmp(a, "--subscribers") && v) {
			subs = atoi(v);
		} else if (!strcmp(a, "--events") && v) {
			events = atoi(v);
		} else if (!strcmp(a, "--only") && v) {
			only = v;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!(seconds > 0) || subs < 1 || events < 1 ||
	    (only && strcmp(only, "leveldb") && strcmp(only, "skiff") && strcmp(only, "fanout"))) {
		usage(stderr);
		return 2;
	}

	bench_name = "store_bench";
	if (bench_mkroot(base, "skiff-bench") != 0)
		return 1;
	const char *root = bench_root;
	json_error_t je;
	pod_proto = json_loads(pod_template, 0, &je);
	if (!pod_proto) {
		fprintf(stderr, "store_bench: pod template: %s\n", je.text);
		cleanup_all();
		return 1;
	}
	/* the baseline writes exactly what the store stores for one Pod */
	char key0[128];
	json_t *pod0 = new_pod(key0, sizeof key0);
	char *val = json_dumps(pod0, JSON_COMPACT);
	json_decref(pod0);
	size_t val_len = val ? strlen(val) : 0;

	sk_err e;
	if (sk_loop_init(0, 1, &e) != SK_OK) {
		fprintf(stderr, "store_bench: %s\n", e.msg);
		cleanup_all();
		return 1;
	}
	bus_init(0);

	printf("store_bench: data dir %s%s\n", root, fs_note(root));
	printf("store_bench: %.1f s per write scenario, values %zu B (a small Pod as compact JSON), %ld CPUs\n",
	       seconds, val_len, sysconf(_SC_NPROCESSORS_ONLN));
	fflush(stdout);

	/* pairs, so drift in the disk's behaviour hits both sides of a ratio alike */
	for (size_t i = 0; i < NCOUNTS; i++) {
		if (!only || !strcmp(only, "leveldb"))
			run_leveldb(root, writer_counts[i], val, val_len);
		if (!only || !strcmp(only, "skiff"))
			run_skiff(root, writer_counts[i]);
	}
	if (!only || !strcmp(only, "fanout"))
		run_fanout(root, subs, events);

	/* leveldb rows first, then skiff, then fan-out: the order of the report */
	struct row sorted[16];
	size_t k = 0;
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < nrows; i++)
			if ((pass == 0 && !rows[i].skiff) || (pass == 1 && rows[i].skiff && rows[i].threads) ||
			    (pass == 2 && rows[i].skiff && !rows[i].threads))
				sorted[k++] = rows[i];
	memcpy(rows, sorted, k * sizeof *rows);
	print_table();

	free(val);
	json_decref(pod_proto);
	bus_fini();
	sk_loop_fini();
	cleanup_all();
	int failed = atomic_load(&bench_failed);
	if (failed)
		fprintf(stderr, "store_bench: errors above; the figures are not reliable\n");
	return failed ? 1 : 0;
}
