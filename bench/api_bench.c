/* api_bench.c — the API server under load over HTTPS, with etcd taking the same writes.
 *
 *   api_bench [--skiff PATH] [--etcd PATH] [--seconds N] [--pods N] [--watchers N]
 *             [--events N] [--watch-rate N] [--rate N] [--dir DIR] [--only LIST]
 *
 * Starts a real `skiff server` on 127.0.0.1 with a temp data dir and drives it
 * with the admin client certificate the server wrote (DATA_DIR/tls), one
 * keep-alive HTTPS connection per client thread, closed loop:
 *   create   POST a small Pod (unique name) into namespace bench
 *   get      GET one of the Pods created so far, at random
 *   list     GET the 100 Pods of namespace bench-list
 *   fixed    open loop at --rate req/s (creates, then gets); latency counts from
 *            each request's scheduled time, so a late send is not hidden
 *   watch    --watchers HTTPS watches on epoll, a writer creating --events Pods
 *            at --watch-rate/s; latency from submitting the create to each
 *            watcher reading the event
 *   etcd     Debian's etcd on loopback, v3 JSON gateway (POST /v3/kv/put), the
 *            same clients and the same number of writes as each create row
 *   rss/start  a second server: VmRSS idle, after storing --pods Pods and
 *            after a restart; time from exec to the "ready in" log line and to
 *            the first 200 from /readyz, empty and with --pods objects
 * Every process started here is stopped, and the temp dir removed, at the end,
 * on failure and on SIGINT/SIGTERM. Exit status 0 unless something failed; the
 * goals are reported, not enforced.
 */
#include "lib/bench.h"
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define GOAL_CREATES_PER_S 20000.0
#define GOAL_FIXED_P99_MS 5.0
#define GOAL_WATCH_P99_MS 10.0
#define GOAL_RSS_MB 16.0
#define GOAL_START_EMPTY_MS 50.0
#define GOAL_START_FULL_MS 2000.0

#define LIST_PODS 100     /* the size of the listed collection */
#define FIXED_CONNS 32    /* connections the open-loop rate is spread over */
#define LOAD_CLIENTS 64   /* clients that store the --pods Pods */

static const int client_counts[] = {1, 16, 128};
#define NCOUNTS (int)(sizeof client_counts / sizeof client_counts[0])

/* ---- options and state shared by every section ---- */

static double seconds = 3.0;
static long npods = 100000;
static int nwatchers = 1000, nevents = 200;
static double watch_rate = 50.0, fixed_rate = 1000.0;
static char etcd_path[PATH_MAX] = "/usr/bin/etcd";

/* ---- the report's rows ---- */

struct row {
	char name[64];
	long n, errors;
	double ops, p50, p99;
	double vs_etcd; /* skiff create ÷ etcd put with the same clients; 0: none */
	double srv_cpu, cli_cpu; /* % of one CPU: the server (or etcd), this program; <0: unknown */
	char note[64];
};

static struct row rows[32];
static int nrows;

static struct row *add_row(const char *name, long n, long errors, double ops, struct lat *l)
{
	struct row *r = &rows[nrows < 31 ? nrows++ : 31];
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	r->n = n;
	r->errors = errors;
	r->ops = ops;
	r->p50 = lat_ms(l, 0.50);
	r->p99 = lat_ms(l, 0.99);
	r->srv_cpu = r->cli_cpu = -1;
	return r;
}

/* ---- the objects ---- */

/* A small Pod as a ReplicaSet controller would post it. */
static const char pod_fmt[] =
	"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\","
	"\"labels\":{\"app\":\"bench\",\"pod-template-hash\":\"5d8f7c9b6d\"},"
	"\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"bench-5d8f7c9b6d\","
	"\"uid\":\"0f6c2a7e-3b1d-4c59-9e8a-2d4b6f1a7c3e\",\"controller\":true,\"blockOwnerDeletion\":true}]},"
	"\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"registry.example.com/bench/app:1.24.3\","
	"\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"}],\"env\":[{\"name\":\"LOG_LEVEL\",\"value\":\"info\"}],"
	"\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"limits\":{\"cpu\":\"500m\","
	"\"memory\":\"256Mi\"}},\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/data\"}]}],"
	"\"volumes\":[{\"name\":\"data\",\"emptyDir\":{}}]}}";

static atomic_long next_pod;     /* pods named pod-%08ld in namespace bench on the main server */
static atomic_long next_key;     /* etcd keys, likewise */
static size_t stored_pod_bytes;  /* what the server answered a create with: etcd's value size */
static char *etcd_value_b64;

static int create_pod(struct conn *c, const char *ns, const char *name)
{
	char path[128], body[sizeof pod_fmt + 64];
	snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods", ns);
	int n = snprintf(body, sizeof body, pod_fmt, name);
	return http_do(c, "POST", path, body, (size_t)n);
}

static int create_namespace(struct conn *c, const char *ns)
{
	char body[160];
	int n = snprintf(body, sizeof body, "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"%s\"}}", ns);
	int st = http_do(c, "POST", "/api/v1/namespaces", body, (size_t)n);
	return st == 201 || st == 409 ? 0 : -1;
}

/* ---- etcd ---- */

static struct proc etcd;
static struct target etcd_t;
static int etcd_up;

static int etcd_start(void)
{
	if (access(etcd_path, X_OK) != 0)
		return -1;
	char dir[PATH_MAX + 8], cu[64], pu[64], ic[80], logpath[PATH_MAX + 16];
	snprintf(dir, sizeof dir, "%s/etcd", bench_root);
	snprintf(logpath, sizeof logpath, "%s/etcd.log", bench_root);
	etcd_t.port = free_port();
	int peer = free_port();
	snprintf(cu, sizeof cu, "http://127.0.0.1:%d", etcd_t.port);
	snprintf(pu, sizeof pu, "http://127.0.0.1:%d", peer);
	snprintf(ic, sizeof ic, "bench=%s", pu);
	char *argv[] = {etcd_path, "--name", "bench", "--data-dir", dir, "--listen-client-urls", cu,
	                "--advertise-client-urls", cu, "--listen-peer-urls", pu,
	                "--initial-advertise-peer-urls", pu, "--initial-cluster", ic, "--logger", "zap",
	                "--log-level", "warn", NULL};
	if (proc_spawn(&etcd, argv, logpath) != 0)
		return -1;
	struct conn c = {.fd = -1, .t = &etcd_t};
	double end = now() + 30;
	int ok = 0;
	while (!ok && now() < end && proc_alive(&etcd)) {
		ok = http_do(&c, "GET", "/health", NULL, 0) == 200 && strstr(c.body.p, "true");
		if (!ok)
			usleep(2000);
	}
	conn_free(&c);
	if (!ok) {
		complain("etcd did not become healthy");
		proc_log_tail(&etcd);
		proc_stop(&etcd);
		return -1;
	}
	etcd_up = 1;
	return 0;
}

/* ---- closed-loop and fixed-rate load ---- */

enum op { OP_CREATE, OP_GET, OP_LIST, OP_ETCD_PUT };

struct job {
	enum op op;
	const struct target *t;
	int clients;
	double t0, deadline;      /* time-bound runs */
	long count;               /* count-bound runs: this many requests in all */
	double rate;              /* >0: open loop, request i due at t0 + i / rate */
	atomic_long ticket;
	long pool;                /* OP_GET: pods pod-0 .. pod-(pool-1) exist */
	pthread_barrier_t ready, go;
};

struct client {
	pthread_t thr;
	struct job *j;
	struct conn c;
	struct lat lat;
	long done, errors;
	double last;
	struct buf scratch; /* request bodies built per request */
	unsigned rnd;
	int up;
};

static int do_op(struct client *cl)
{
	struct job *j = cl->j;
	char name[48], path[160];
	int st;
	switch (j->op) {
	case OP_CREATE:
		snprintf(name, sizeof name, "pod-%08ld", atomic_fetch_add(&next_pod, 1));
		st = create_pod(&cl->c, "bench", name);
		return st == 201 ? 0 : st;
	case OP_GET:
		cl->rnd = cl->rnd * 1103515245u + 12345u;
		snprintf(path, sizeof path, "/api/v1/namespaces/bench/pods/pod-%08ld",
		         (long)((cl->rnd >> 8) % (unsigned long)j->pool));
		st = http_do(&cl->c, "GET", path, NULL, 0);
		return st == 200 ? 0 : st;
	case OP_LIST:
		st = http_do(&cl->c, "GET", "/api/v1/namespaces/bench-list/pods", NULL, 0);
		return st == 200 ? 0 : st;
	case OP_ETCD_PUT: {
		/* a key shaped like kube-apiserver's for the same Pod */
		char key[64], key64[96];
		int kl = snprintf(key, sizeof key, "/registry/pods/bench/pod-%08ld", atomic_fetch_add(&next_key, 1));
		EVP_EncodeBlock((unsigned char *)key64, (const unsigned char *)key, kl);
		struct buf *b = &cl->scratch;
		b->n = 0;
		buf_printf(b, "{\"key\":\"%s\",\"value\":\"%s\"}", key64, etcd_value_b64);
		st = http_do(&cl->c, "POST", "/v3/kv/put", b->p, b->n);
		return st == 200 ? 0 : st;
	}
	}
	return -1;
}

static void *client_main(void *arg)
{
	struct client *cl = arg;
	struct job *j = cl->j;
	cl->up = conn_open(&cl->c, j->t) == 0;
	/* handshakes stay out of the figures: the clock starts once all are done */
	pthread_barrier_wait(&j->ready);
	pthread_barrier_wait(&j->go);
	if (!cl->up)
		return NULL;
	for (;;) {
		double due;
		if (j->count) {
			long k = atomic_fetch_add(&j->ticket, 1);
			if (k >= j->count)
				break;
			due = j->rate > 0 ? j->t0 + (double)k / j->rate : 0;
			if (j->deadline && now() >= j->deadline)
				break; /* the safety cap of a count-bound run */
		} else if (now() >= j->deadline) {
			break;
		} else {
			due = 0;
		}
		if (due)
			sleep_until(due);
		double t0 = now();
		int st = do_op(cl);
		double t1 = now();
		if (st) {
			cl->errors++;
			if (st > 0)
				complain("request answered %d: %.200s", st, cl->c.body.p ? cl->c.body.p : "");
			else if (cl->c.fd < 0 && conn_open(&cl->c, j->t) != 0)
				break; /* the server is gone: this client stops */
			continue;
		}
		lat_add(&cl->lat, t1 - (due ? due : t0));
		cl->done++;
		cl->last = t1;
	}
	return NULL;
}

struct result {
	long done, errors;
	double ops, elapsed;
	double srv_cpu, cli_cpu; /* % of one CPU over the run: the server, this program */
	struct lat lat;
	int capped;
};

/* count > 0: that many requests in all (cap: give up after secs);
 * else: for secs seconds. srv: the server's pid, for its CPU use */
static struct result run_job(enum op op, const struct target *t, pid_t srv, int clients, double secs,
                             long count, double rate, long pool)
{
	struct job j = {.op = op, .t = t, .clients = clients, .count = count, .rate = rate, .pool = pool};
	struct client *cs = xcalloc((size_t)clients, sizeof *cs);
	pthread_barrier_init(&j.ready, NULL, (unsigned)clients + 1);
	pthread_barrier_init(&j.go, NULL, (unsigned)clients + 1);
	for (int i = 0; i < clients; i++) {
		cs[i].j = &j;
		cs[i].c.fd = -1;
		cs[i].rnd = 2654435761u * (unsigned)(i + 1);
		if (pthread_create(&cs[i].thr, NULL, client_main, &cs[i]) != 0)
			fatal("cannot start client thread %d", i); /* the barrier would never open */
	}
	pthread_barrier_wait(&j.ready);
	/* clients read these only after the second barrier, which orders the writes */
	j.t0 = now() + 0.001;
	j.deadline = secs > 0 ? j.t0 + secs : 0;
	double srv0 = cpu_s(srv), cli0 = cpu_s(0);
	pthread_barrier_wait(&j.go);
	struct result r = {0};
	double last = j.t0;
	int down = 0;
	for (int i = 0; i < clients; i++) {
		pthread_join(cs[i].thr, NULL);
		down += !cs[i].up;
		r.done += cs[i].done;
		r.errors += cs[i].errors;
		lat_merge(&r.lat, &cs[i].lat);
		free(cs[i].lat.v);
		if (cs[i].last > last)
			last = cs[i].last;
	}
	/* before the connections close: closing costs the server too */
	double wall = now() - j.t0;
	r.srv_cpu = wall > 0 ? 100 * (cpu_s(srv) - srv0) / wall : 0;
	r.cli_cpu = wall > 0 ? 100 * (cpu_s(0) - cli0) / wall : 0;
	for (int i = 0; i < clients; i++) {
		conn_free(&cs[i].c);
		free(cs[i].scratch.p);
	}
	if (down)
		complain("%d of %d clients could not connect", down, clients);
	r.capped = count && r.done + r.errors < count;
	r.elapsed = last - j.t0;
	r.ops = r.elapsed > 0 ? (double)r.done / r.elapsed : 0;
	pthread_barrier_destroy(&j.ready);
	pthread_barrier_destroy(&j.go);
	free(cs);
	return r;
}

/* a row from a run; the run's samples are freed */
static struct row *add_result(const char *name, struct result *r)
{
	struct row *row = add_row(name, r->done, r->errors, r->ops, &r->lat);
	row->srv_cpu = r->srv_cpu;
	row->cli_cpu = r->cli_cpu;
	free(r->lat.v);
	r->lat.v = NULL;
	return row;
}

static const char *plural(int n, const char *one, const char *many) { return n == 1 ? one : many; }

/* ---- watch fan-out ---- */

struct watcher {
	struct conn c;
	struct dechunk dc;
	struct buf lines;
	int head_done;
	long events;
};

struct wthread {
	pthread_t thr;
	int ep;
	struct lat lat;
	long other; /* events that are not the ADDED of a benchmark Pod */
};

static atomic_int watch_stop;
static atomic_int watch_heads; /* watchers that got their 200 */
static atomic_long watch_delivered;
static _Atomic double *watch_sent; /* per event: when the create was submitted */
static atomic_int watch_broken;

static void watch_line(struct wthread *wt, struct watcher *w, const char *l, size_t n, double t)
{
	const char *m = memmem(l, n, "\"name\":\"w-", 10);
	if (!m || n < 16 || memcmp(l, "{\"type\":\"ADDED\"", 15)) {
		wt->other++;
		return;
	}
	long seq = strtol(m + 10, NULL, 10);
	if (seq < 0 || seq >= nevents) {
		wt->other++;
		return;
	}
	lat_add(&wt->lat, t - atomic_load(&watch_sent[seq]));
	w->events++;
	atomic_fetch_add(&watch_delivered, 1);
}

static void watch_bytes(struct wthread *wt, struct watcher *w, const char *p, size_t n, double t)
{
	if (!w->head_done) {
		buf_add(&w->c.in, p, n);
		char *e = memmem(w->c.in.p, w->c.in.n, "\r\n\r\n", 4);
		if (!e) {
			if (w->c.in.n > MAX_HEADER)
				atomic_fetch_add(&watch_broken, 1);
			return;
		}
		int status = 0;
		sscanf(w->c.in.p, "HTTP/1.%*d %d", &status);
		if (status != 200) {
			complain("a watch was answered %d", status);
			atomic_fetch_add(&watch_broken, 1);
		}
		w->head_done = 1;
		atomic_fetch_add(&watch_heads, 1);
		size_t hend = (size_t)(e - w->c.in.p) + 4;
		p = w->c.in.p + hend;
		n = w->c.in.n - hend;
	}
	if (n && dechunk_feed(&w->dc, p, n, &w->lines) < 0)
		atomic_fetch_add(&watch_broken, 1);
	if (w->head_done && w->c.in.n)
		w->c.in.n = 0; /* the bytes after the head were decoded from it */
	size_t start = 0;
	for (char *nl; start < w->lines.n && (nl = memchr(w->lines.p + start, '\n', w->lines.n - start));) {
		size_t end = (size_t)(nl - w->lines.p);
		watch_line(wt, w, w->lines.p + start, end - start, t);
		start = end + 1;
	}
	if (start)
		buf_consume(&w->lines, start);
}

static void *wthread_main(void *arg)
{
	struct wthread *wt = arg;
	struct epoll_event evs[64];
	char chunk[16384];
	while (!atomic_load(&watch_stop)) {
		int n = epoll_wait(wt->ep, evs, 64, 50);
		for (int i = 0; i < n; i++) {
			struct watcher *w = evs[i].data.ptr;
			if (w->c.fd < 0)
				continue;
			for (;;) {
				ssize_t r = conn_read(&w->c, chunk, sizeof chunk);
				double t = now();
				if (r > 0) {
					watch_bytes(wt, w, chunk, (size_t)r, t);
					continue;
				}
				if (r < 0 && errno == EAGAIN)
					break;
				/* the server ended the watch: nothing more will come */
				epoll_ctl(wt->ep, EPOLL_CTL_DEL, w->c.fd, NULL);
				conn_close(&w->c);
				atomic_fetch_add(&watch_broken, 1);
				break;
			}
		}
	}
	return NULL;
}

static void bench_watch(struct server *s)
{
	char name[96];
	snprintf(name, sizeof name, "watch: %d watchers, %d creates at %.0f/s", nwatchers, nevents, watch_rate);
	fprintf(stderr, "running %s ...\n", name);
	struct conn wc = {.fd = -1, .t = &s->t};
	create_namespace(&wc, "bench-watch");
	char rv[32] = "";
	if (http_do(&wc, "GET", "/api/v1/namespaces/bench-watch/pods?limit=1", NULL, 0) == 200) {
		const char *p = strstr(wc.body.p, "\"resourceVersion\":\"");
		if (p)
			sscanf(p + 19, "%31[0-9]", rv);
	}
	if (!*rv) {
		complain("cannot read the resourceVersion to watch from");
		conn_free(&wc);
		return;
	}
	enum { NTHREADS = 2 };
	struct wthread wt[NTHREADS] = {0};
	struct watcher *ws = xcalloc((size_t)nwatchers, sizeof *ws);
	watch_sent = xcalloc((size_t)nevents, sizeof *watch_sent);
	atomic_store(&watch_stop, 0);
	for (int i = 0; i < NTHREADS; i++) {
		wt[i].ep = epoll_create1(EPOLL_CLOEXEC);
		if (wt[i].ep < 0 || pthread_create(&wt[i].thr, NULL, wthread_main, &wt[i]) != 0)
			fatal("cannot start the watch threads");
	}
	char path[160];
	snprintf(path, sizeof path, "/api/v1/namespaces/bench-watch/pods?watch=1&resourceVersion=%s", rv);
	double tc = now();
	int connected = 0;
	for (int i = 0; i < nwatchers; i++) {
		struct watcher *w = &ws[i];
		if (conn_open(&w->c, &s->t) != 0) {
			complain("watcher %d could not connect", i);
			break;
		}
		request_head(&w->c, "GET", path, 0);
		if (conn_write(&w->c, w->c.req.p, w->c.req.n) != 0) {
			complain("watcher %d could not send its request", i);
			conn_close(&w->c);
			break;
		}
		/* from here on only its epoll thread touches it */
		fcntl(w->c.fd, F_SETFL, fcntl(w->c.fd, F_GETFL) | O_NONBLOCK);
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = w};
		epoll_ctl(wt[i % NTHREADS].ep, EPOLL_CTL_ADD, w->c.fd, &ev);
		connected++;
	}
	double wait_end = now() + 30;
	while (atomic_load(&watch_heads) < connected && now() < wait_end)
		usleep(1000);
	double connect_s = now() - tc;
	int heads = atomic_load(&watch_heads);
	/* the writer: one keep-alive connection, creates at a steady rate */
	struct lat create_lat = {0};
	long create_errors = 0;
	double t0 = now() + 0.01, srv0 = cpu_s(s->p.pid), cli0 = cpu_s(0);
	for (int k = 0; k < nevents && heads; k++) {
		sleep_until(t0 + k / watch_rate);
		char pod[32];
		snprintf(pod, sizeof pod, "w-%06d", k);
		double ts = now();
		atomic_store(&watch_sent[k], ts);
		int st = create_pod(&wc, "bench-watch", pod);
		if (st != 201) {
			create_errors++;
			complain("watch writer: create answered %d", st);
		} else {
			lat_add(&create_lat, now() - ts);
		}
	}
	long want = (long)heads * (nevents - create_errors);
	double drain_end = now() + 15;
	while (heads && atomic_load(&watch_delivered) < want && now() < drain_end)
		usleep(1000);
	double wall = now() - t0;
	double srv_cpu = 100 * (cpu_s(s->p.pid) - srv0) / wall, cli_cpu = 100 * (cpu_s(0) - cli0) / wall;
	atomic_store(&watch_stop, 1);
	struct lat all = {0};
	long other = 0;
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(wt[i].thr, NULL);
		close(wt[i].ep);
		lat_merge(&all, &wt[i].lat);
		free(wt[i].lat.v);
		other += wt[i].other;
	}
	long delivered = atomic_load(&watch_delivered), short_watchers = 0;
	for (int i = 0; i < connected; i++) {
		short_watchers += ws[i].events != nevents - create_errors;
		conn_free(&ws[i].c);
		free(ws[i].lines.p);
	}
	struct row *row = add_row(name, delivered, want - delivered, wall > 0 ? (double)delivered / wall : 0, &all);
	row->srv_cpu = srv_cpu;
	row->cli_cpu = cli_cpu;
	note("watch: %d of %d watchers connected and answered 200 in %.2f s; %ld deliveries of %ld expected; "
	     "%d watchers lost; %ld watchers missed events; %ld other events\n",
	     heads, nwatchers, connect_s, delivered, want, atomic_load(&watch_broken), short_watchers, other);
	note("watch: the writer's creates meanwhile: p50 %.3f ms, p99 %.3f ms, %ld errors\n", lat_ms(&create_lat, 0.5),
	     lat_ms(&create_lat, 0.99), create_errors);
	if (delivered < want || short_watchers || heads < nwatchers)
		atomic_store(&bench_failed, 1);
	free(create_lat.v);
	free(all.v);
	free(ws);
	free((void *)watch_sent);
	watch_sent = NULL;
	conn_free(&wc);
}

/* ---- start-up and memory (a server of their own) ---- */

struct startrow {
	char name[64];
	double log_ms, readyz_ms, goal_ms;
};
static struct startrow starts[4];
static int nstarts;
struct memrow {
	char name[64];
	double mb, goal_mb;
};
static struct memrow mems[4];
static int nmems;
static char load_line[256];

static void start_row(const char *name, struct server *s, double goal_ms)
{
	struct startrow *r = &starts[nstarts < 3 ? nstarts++ : 3];
	snprintf(r->name, sizeof r->name, "%s", name);
	r->log_ms = s->t_log * 1000;
	r->readyz_ms = s->t_readyz * 1000;
	r->goal_ms = goal_ms;
}

static void mem_row(const char *name, struct server *s, double goal_mb)
{
	struct memrow *r = &mems[nmems < 3 ? nmems++ : 3];
	snprintf(r->name, sizeof r->name, "%s", name);
	long kb = proc_status_kb(s->p.pid, "VmRSS");
	r->mb = kb < 0 ? -1 : (double)kb / 1024.0;
	r->goal_mb = goal_mb;
}

static void bench_start_rss(void)
{
	char dir[PATH_MAX + 8];
	struct server s = {0};
	snprintf(dir, sizeof dir, "%s/s", bench_root);
	fprintf(stderr, "running start-up, empty data dir ...\n");
	if (server_start(&s, dir, NULL) != 0)
		return;
	start_row("start, fresh data dir (makes CA, certs)", &s, GOAL_START_EMPTY_MS);
	sleep(1);
	mem_row("RSS idle after first start, empty store", &s, GOAL_RSS_MB);
	server_stop(&s);
	if (server_start(&s, dir, NULL) != 0)
		return;
	start_row("start, empty store (restart)", &s, GOAL_START_EMPTY_MS);
	fprintf(stderr, "running load of %ld pods, %d clients ...\n", npods, LOAD_CLIENTS);
	struct conn c = {.fd = -1, .t = &s.t};
	create_namespace(&c, "bench");
	conn_free(&c);
	long saved = atomic_load(&next_pod);
	atomic_store(&next_pod, 0);
	struct result r = run_job(OP_CREATE, &s.t, s.p.pid, LOAD_CLIENTS, 0, npods, 0, 0);
	atomic_store(&next_pod, saved);
	char name[64];
	snprintf(name, sizeof name, "skiff create pod, load %ld, %d clients", npods, LOAD_CLIENTS);
	snprintf(load_line, sizeof load_line, "load: %ld pods stored in %.1f s (%.0f creates/s, %ld errors)", r.done,
	         r.elapsed, r.ops, r.errors);
	add_result(name, &r);
	char what[64];
	snprintf(what, sizeof what, "RSS with %ld pods, just after loading", r.done);
	mem_row(what, &s, 0);
	server_stop(&s);
	fprintf(stderr, "running start-up with %ld pods ...\n", r.done);
	if (server_start(&s, dir, NULL) != 0)
		return;
	snprintf(what, sizeof what, "start with %ld pods", r.done);
	start_row(what, &s, GOAL_START_FULL_MS);
	sleep(1);
	snprintf(what, sizeof what, "RSS idle after start with %ld pods", r.done);
	mem_row(what, &s, GOAL_RSS_MB);
	server_stop(&s);
}

/* ---- the report ---- */

static const char *verdict(int ok) { return ok ? "PASS" : "BELOW"; }

static void print_report(void)
{
	printf("\n%-44s %9s %9s %9s %9s %8s %7s %8s %8s\n", "scenario", "requests", "ops/s", "p50 ms", "p99 ms",
	       "vs etcd", "errors", "srv CPU", "cli CPU");
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		char ratio[16] = "";
		if (r->vs_etcd > 0)
			snprintf(ratio, sizeof ratio, "%.2fx", r->vs_etcd);
		char srv[16] = "", cli[16] = "";
		if (r->srv_cpu >= 0)
			snprintf(srv, sizeof srv, "%.0f%%", r->srv_cpu);
		if (r->cli_cpu >= 0)
			snprintf(cli, sizeof cli, "%.0f%%", r->cli_cpu);
		printf("%-44s %9ld %9.0f %9.3f %9.3f %8s %7ld %8s %8s%s%s\n", r->name, r->n, r->ops, r->p50, r->p99,
		       ratio, r->errors, srv, cli, *r->note ? "  " : "", r->note);
	}
	if (nstarts || nmems) {
		printf("\n%-44s %12s %14s %10s\n", "start-up", "ready in ms", "exec->readyz", "goal");
		for (int i = 0; i < nstarts; i++) {
			const struct startrow *r = &starts[i];
			printf("%-44s %12.1f %14.1f %7s %.0f  %s\n", r->name, r->log_ms, r->readyz_ms, "<=", r->goal_ms,
			       verdict(r->readyz_ms <= r->goal_ms));
		}
		printf("\n%-44s %12s %10s\n", "memory", "VmRSS MB", "goal");
		for (int i = 0; i < nmems; i++) {
			const struct memrow *r = &mems[i];
			if (r->goal_mb > 0)
				printf("%-44s %12.1f %7s %.0f  %s\n", r->name, r->mb, "<=", r->goal_mb,
				       verdict(r->mb <= r->goal_mb));
			else
				printf("%-44s %12.1f\n", r->name, r->mb);
		}
		if (*load_line)
			printf("%s\n", load_line);
	}
	printf("\ngoals\n");
	const struct row *best = NULL;
	for (int i = 0; i < nrows; i++)
		if (!strncmp(rows[i].name, "skiff create", 12) && (!best || rows[i].ops > best->ops))
			best = &rows[i];
	if (best)
		printf("  creates >= %.0f/s: best %.0f/s (%s)  %s\n", GOAL_CREATES_PER_S, best->ops, best->name,
		       verdict(best->ops >= GOAL_CREATES_PER_S));
	for (int i = 0; i < nrows; i++)
		if (!strncmp(rows[i].name, "fixed", 5))
			printf("  p99 <= %.0f ms at %.0f req/s: %s p99 %.3f ms  %s\n", GOAL_FIXED_P99_MS, fixed_rate,
			       rows[i].name, rows[i].p99, verdict(rows[i].p99 <= GOAL_FIXED_P99_MS && !rows[i].errors));
	for (int i = 0; i < nrows; i++)
		if (!strncmp(rows[i].name, "watch", 5))
			printf("  %d watchers, event p99 <= %.0f ms: p99 %.3f ms, %ld missing  %s\n", nwatchers,
			       GOAL_WATCH_P99_MS, rows[i].p99, rows[i].errors,
			       verdict(rows[i].p99 <= GOAL_WATCH_P99_MS && !rows[i].errors && nwatchers >= 1000));
	printf("  (start-up and RSS goals: the verdicts in their tables; start is judged by exec->readyz)\n");
	if (*bench_notes())
		printf("\n%s", bench_notes());
}

/* ---- main ---- */

static void usage(FILE *to)
{
	fprintf(to,
	        "usage: api_bench [options]\n"
	        "  --skiff PATH       the server binary (default ../bin/skiff next to this program)\n"
	        "  --etcd PATH        etcd for the comparison (default /usr/bin/etcd; skipped if absent)\n"
	        "  --seconds N        duration of each closed-loop and fixed-rate row (default 3)\n"
	        "  --pods N           Pods stored for the RSS and start-up rows (default 100000)\n"
	        "  --watchers N       concurrent watches (default 1000)\n"
	        "  --events N         creates the watchers receive (default 200)\n"
	        "  --watch-rate N     creates per second during the watch (default 50)\n"
	        "  --rate N           open-loop rate of the fixed rows (default 1000)\n"
	        "  --dir DIR          make the temp dir under DIR (default /tmp); removed at the end\n"
	        "  --only LIST        comma-separated: create,get,list,fixed,watch,etcd,rss,start (default all)\n");
}

static const char *only;

static int want(const char *section) { return listed(only, section); }

int main(int argc, char **argv)
{
	const char *base = "/tmp";
	bench_name = "api_bench";
	server_default_path();
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!v) {
			usage(stderr);
			return 2;
		} else if (!strcmp(a, "--skiff")) {
			snprintf(bench_skiff, sizeof bench_skiff, "%s", v);
		} else if (!strcmp(a, "--etcd")) {
			snprintf(etcd_path, sizeof etcd_path, "%s", v);
		} else if (!strcmp(a, "--seconds")) {
			seconds = strtod(v, NULL);
		} else if (!strcmp(a, "--pods")) {
			npods = strtol(v, NULL, 10);
		} else if (!strcmp(a, "--watchers")) {
			nwatchers = atoi(v);
		} else if (!strcmp(a, "--events")) {
			nevents = atoi(v);
		} else if (!strcmp(a, "--watch-rate")) {
			watch_rate = strtod(v, NULL);
		} else if (!strcmp(a, "--rate")) {
			fixed_rate = strtod(v, NULL);
		} else if (!strcmp(a, "--dir")) {
			base = v;
		} else if (!strcmp(a, "--only")) {
			only = v;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!(seconds > 0) || npods < 1 || nwatchers < 1 || nwatchers > 100000 || nevents < 1 ||
	    nevents > 1000000 || !(watch_rate > 0) || !(fixed_rate > 0)) {
		usage(stderr);
		return 2;
	}
	if (access(bench_skiff, X_OK) != 0) {
		fprintf(stderr, "api_bench: no server binary at %s (build it, or pass --skiff)\n", bench_skiff);
		return 1;
	}

	/* a watcher is one descriptor; the servers inherit the raised limit too */
	long nofile = raise_nofile();
	if (nofile >= 0 && nofile < (long)nwatchers + 512) {
		fprintf(stderr, "api_bench: %d watchers need %d descriptors, the limit is %ld\n", nwatchers,
		        nwatchers + 512, nofile);
		return 1;
	}
	if (bench_signals() != 0 || bench_mkroot(base, "skiff-apibench") != 0)
		return 1;

	time_t wall = time(NULL);
	char date[32];
	strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&wall));
	printf("api_bench: %s, %ld CPUs, server %s, temp dir %s%s\n", date, sysconf(_SC_NPROCESSORS_ONLN), bench_skiff,
	       bench_root, fs_note(bench_root));
	char load[64];
	load_average(load, sizeof load);
	/* the client shares the CPUs with the server: other load skews everything */
	printf("api_bench: load average before the run: %s\n", load);
	printf("api_bench: %.1f s per row; creates are Pods of %zu B as sent; lists are %d Pods\n", seconds,
	       strlen(pod_fmt) + 10, LIST_PODS);
	fflush(stdout);

	int need_main = want("create") || want("get") || want("list") || want("fixed") || want("watch") || want("etcd");
	struct server m = {0};
	char mdir[PATH_MAX + 8];
	snprintf(mdir, sizeof mdir, "%s/m", bench_root);
	if (need_main) {
		if (server_start(&m, mdir, NULL) != 0)
			fatal("cannot start the server");
		struct conn c = {.fd = -1, .t = &m.t};
		if (create_namespace(&c, "bench") || create_namespace(&c, "bench-list"))
			complain("cannot create the namespaces: %d %.200s", c.status, c.body.p ? c.body.p : "");
		/* the stored size of one Pod sets etcd's value size */
		if (create_pod(&c, "bench", "probe") == 201)
			stored_pod_bytes = c.body.n;
		else
			complain("the probe create answered %d: %.300s", c.status, c.body.p ? c.body.p : "");
		conn_free(&c);
	}
	if (want("etcd")) {
		if (etcd_start() != 0) {
			printf("etcd: skipped: %s %s\n", etcd_path,
			       access(etcd_path, X_OK) ? "is not installed (Debian package etcd-server)" : "did not start");
		} else {
			size_t vlen = stored_pod_bytes ? stored_pod_bytes : 1100;
			unsigned char *raw = xcalloc(vlen, 1);
			memset(raw, 'x', vlen);
			etcd_value_b64 = xcalloc(4 * (vlen / 3 + 1) + 1, 1);
			EVP_EncodeBlock((unsigned char *)etcd_value_b64, raw, (int)vlen);
			free(raw);
			printf("api_bench: etcd %s on 127.0.0.1:%d, POST /v3/kv/put with values of %zu B (base64 in the JSON)\n",
			       etcd_path, etcd_t.port, vlen);
		}
		fflush(stdout);
	}

	/* pairs: skiff creates, then etcd puts with the same clients and count */
	for (int i = 0; i < NCOUNTS; i++) {
		int n = client_counts[i];
		char name[64];
		long count = 0;
		struct row *sr = NULL;
		if (want("create")) {
			snprintf(name, sizeof name, "skiff create pod, %d %s", n, plural(n, "client", "clients"));
			fprintf(stderr, "running %s ...\n", name);
			struct result r = run_job(OP_CREATE, &m.t, m.p.pid, n, seconds, 0, 0, 0);
			count = r.done;
			sr = add_result(name, &r);
		}
		if (etcd_up) {
			snprintf(name, sizeof name, "etcd put, %d %s", n, plural(n, "client", "clients"));
			fprintf(stderr, "running %s ...\n", name);
			/* the same writes; a slow etcd gets four times the time, then is cut */
			struct result r = count ? run_job(OP_ETCD_PUT, &etcd_t, etcd.pid, n, 4 * seconds, count, 0, 0)
			                        : run_job(OP_ETCD_PUT, &etcd_t, etcd.pid, n, seconds, 0, 0, 0);
			int capped = r.capped;
			struct row *er = add_result(name, &r);
			if (capped)
				snprintf(er->note, sizeof er->note, "cut at %.0f s", 4 * seconds);
			if (sr && er->ops > 0)
				sr->vs_etcd = sr->ops / er->ops;
		}
	}
	long pool = atomic_load(&next_pod);
	/* gets (and the fixed-rate gets) pick among stored Pods: store some */
	if ((want("get") || want("fixed")) && pool < 1000) {
		fprintf(stderr, "storing %ld pods to get ...\n", 1000 - pool);
		struct result r = run_job(OP_CREATE, &m.t, m.p.pid, 16, 0, 1000 - pool, 0, 0);
		free(r.lat.v);
		pool = atomic_load(&next_pod);
	}
	if (want("get") || want("fixed"))
		note("get: a random one of the %ld Pods in namespace bench\n", pool);
	if (want("get")) {
		for (int i = 0; i < NCOUNTS; i++) {
			int n = client_counts[i];
			char name[64];
			snprintf(name, sizeof name, "skiff get pod, %d %s", n, plural(n, "client", "clients"));
			fprintf(stderr, "running %s ...\n", name);
			struct result r = run_job(OP_GET, &m.t, m.p.pid, n, seconds, 0, 0, pool);
			add_result(name, &r);
		}
	}
	if (want("list")) {
		struct conn c = {.fd = -1, .t = &m.t};
		for (int k = 0; k < LIST_PODS; k++) {
			char pod[32];
			snprintf(pod, sizeof pod, "l-%03d", k);
			int st = create_pod(&c, "bench-list", pod);
			if (st != 201 && st != 409)
				complain("list setup: create answered %d", st);
		}
		if (http_do(&c, "GET", "/api/v1/namespaces/bench-list/pods", NULL, 0) == 200) {
			int items = 0;
			for (const char *p = c.body.p; (p = strstr(p, "\"name\":\"l-")); p++)
				items++;
			note("list: GET /api/v1/namespaces/bench-list/pods answers %d Pods in %zu B\n", items, c.body.n);
			if (items != LIST_PODS)
				complain("the list has %d items, not %d", items, LIST_PODS);
		}
		conn_free(&c);
		for (int i = 0; i < NCOUNTS; i++) {
			int n = client_counts[i];
			char name[64];
			snprintf(name, sizeof name, "skiff list %d pods, %d %s", LIST_PODS, n, plural(n, "client", "clients"));
			fprintf(stderr, "running %s ...\n", name);
			struct result r = run_job(OP_LIST, &m.t, m.p.pid, n, seconds, 0, 0, 0);
			add_result(name, &r);
		}
	}
	if (want("fixed")) {
		long count = (long)(fixed_rate * seconds);
		static const enum op ops[] = {OP_CREATE, OP_GET};
		for (int i = 0; i < 2; i++) {
			char name[64];
			snprintf(name, sizeof name, "fixed %.0f req/s %s, %d conns", fixed_rate, i ? "get" : "create", FIXED_CONNS);
			fprintf(stderr, "running %s ...\n", name);
			/* the cap: a server that cannot keep up must not stall the run */
			struct result r = run_job(ops[i], &m.t, m.p.pid, FIXED_CONNS, 3 * seconds + 5, count, fixed_rate, pool);
			int capped = r.capped;
			struct row *fr = add_result(name, &r);
			if (capped)
				snprintf(fr->note, sizeof fr->note, "did not keep up: cut");
		}
	}
	if (want("watch"))
		bench_watch(&m);
	if (need_main) {
		note("main server: VmRSS %.1f MB after the rows above\n",
		     (double)proc_status_kb(m.p.pid, "VmRSS") / 1024.0);
		server_stop(&m);
	}
	if (etcd_up) {
		proc_stop(&etcd);
		etcd_up = 0;
	}
	if (want("rss") || want("start"))
		bench_start_rss();

	print_report();
	free(etcd_value_b64);
	cleanup_all();
	if (atomic_load(&bench_failed))
		fprintf(stderr, "api_bench: errors above; the figures are not reliable\n");
	return atomic_load(&bench_failed) ? 1 : 0;
}
