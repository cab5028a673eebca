/* sched_bench.c — the scheduler end to end through the API and the store, like scheduler_perf.
 *
 *   sched_bench [--nodes N] [--pods N] [--only LIST] [--rate N] [--seconds N]
 *               [--preemption-nodes N] [--group N] [--clients N] [--timeout N]
 *               [--stall N] [--dir DIR] [--skiff PATH]
 *
 * Each shape (basic, antiaffinity, spread, preemption) gets a data dir of its
 * own and three phases:
 *   setup      skiff with the scheduler plugin disabled stores N Nodes (no
 *              agents: capacity and labels only) and M pending Pods over
 *              parallel HTTPS keep-alive clients; notes the resourceVersion
 *              after the last create and stops. Not measured.
 *   placement  the same data dir started again with the scheduler; once
 *              /readyz answers, one HTTPS watch on the Pods from that
 *              resourceVersion counts each Pod whose spec.nodeName gets set.
 *              pods/s = Pods bound ÷ (last bind seen − exec of the server).
 *   latency    with the scheduler running, Pods created at --rate/s for
 *              --seconds; per Pod, from sending its create to the watch seeing
 *              it bound: p50 and p99.
 * Placements are checked against the shape's constraint afterwards. Every wait
 * is bounded; a shape that cannot run (a policy plugin missing from the
 * build, the server gone) is an error row, not a hang. Everything started is
 * stopped and the temp dir removed on every exit path. Exit status 1 only on
 * errors, never for a missed goal.
 */
#include "lib/bench.h"
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ZONES 10              /* topology.kubernetes.io/zone values, round robin over the nodes */
#define NODE_PODS 110         /* status.allocatable.pods of every node */
#define NODE_MILLI_CPU 32000  /* status.allocatable.cpu of every node */
#define LATENCY_CONNS 16      /* connections the paced creates are spread over */
#define WATCH_RECONNECTS 5    /* a watch the server ends is resumed this often */
#define LATENCY_GRACE_S 30.0  /* how long the latency pods may take after the last create */
#define REQUEST_TIMEOUT_S 60.0 /* a request not answered in this long fails */
#define NS "bench"

static const char cfg_setup[] = "logLevel: info\nplugins: {list: [{name: scheduler, enabled: false}]}\n";
static const char cfg_sched[] = "logLevel: info\n";

/* ---- options ---- */

static long opt_nodes = 5000, opt_pods = 10000, opt_pnodes = 500, opt_group = 500;
static double opt_rate = 200, opt_seconds = 5, opt_timeout = 600, opt_stall = 30;
static int opt_clients = 64;
static const char *only;

/* ---- shapes ---- */

enum shape_id { BASIC, ANTI, SPREAD, PREEMPT, NSHAPES };

static const struct shape {
	const char *name;   /* for --only and the table */
	const char *plugin; /* the plugin the shape cannot do without; NULL: none */
	double goal;        /* pods/s; 0: none */
	const char *kube;   /* kube-scheduler's published figure on the shape */
} shapes[NSHAPES] = {
	[BASIC] = {"basic", NULL, 20000, "680"},
	[ANTI] = {"antiaffinity", "inter-pod-affinity", 5000, "≤680"},
	[SPREAD] = {"spread", "pod-topology-spread", 5000, "≤680"},
	[PREEMPT] = {"preemption", "priority", 0, "≤680"},
};

struct result {
	int ran;
	char error[200];      /* non-empty: an error row */
	long nodes, pods, bound;
	double pods_s, p50, p99, cpu, rss_mb;
	long unbound, lat_sent, lat_bound;
};
static struct result results[NSHAPES];

/* ---- the shape being run ---- */

static struct {
	enum shape_id id;
	long nodes, pods;     /* N Nodes, M measured Pods (p-NNNNNN) */
	long victims;         /* preemption: Pods placed in the setup (v-NNNNNN) */
	long milli_cpu;       /* the cpu request of every Pod */
	long live;            /* Pods of the latency phase (l-NNNNNN) */
} R;

/* what the watch saw, per Pod: index k of p-k, R.pods + k of l-k */
static _Atomic double *bound_at;  /* when seen bound; 0: not yet */
static int *bound_node;           /* node-NNNNN's number */
static _Atomic double *sent_at;   /* latency Pods: when their create was sent */
static unsigned char *victim_gone;
static atomic_long nbound_p, nbound_l, nvictims_gone, nevicted_p;
static _Atomic double last_bind_p;

/* ---- object bodies ---- */

static long group_of(long idx) { return idx / opt_group; }

static void node_body(struct buf *b, long i)
{
	buf_printf(b,
	           "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-%05ld\",\"labels\":{"
	           "\"kubernetes.io/hostname\":\"node-%05ld\",\"topology.kubernetes.io/zone\":\"zone-%ld\"}},"
	           "\"status\":{\"capacity\":{\"cpu\":\"%d\",\"memory\":\"128Gi\",\"pods\":\"%d\"},"
	           "\"allocatable\":{\"cpu\":\"%d\",\"memory\":\"128Gi\",\"pods\":\"%d\"}}}",
	           i, i, i % ZONES, NODE_MILLI_CPU / 1000, NODE_PODS, NODE_MILLI_CPU / 1000, NODE_PODS);
}

/* A small Pod; the shape adds its constraint on its group (label group). */
static void pod_body(struct buf *b, const char *name, long group, long node, const char *pclass, int constrained)
{
	buf_printf(b,
	           "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\",\"labels\":{"
	           "\"app\":\"sched-bench\",\"group\":\"g-%05ld\"}},\"spec\":{",
	           name, group);
	if (node >= 0)
		buf_printf(b, "\"nodeName\":\"node-%05ld\",", node);
	if (pclass)
		buf_printf(b, "\"priorityClassName\":\"%s\",", pclass);
	if (constrained && R.id == ANTI)
		buf_printf(b,
		           "\"affinity\":{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":[{"
		           "\"labelSelector\":{\"matchLabels\":{\"group\":\"g-%05ld\"}},"
		           "\"topologyKey\":\"kubernetes.io/hostname\"}]}},",
		           group);
	if (constrained && R.id == SPREAD)
		buf_printf(b,
		           "\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"topology.kubernetes.io/zone\","
		           "\"whenUnsatisfiable\":\"DoNotSchedule\",\"labelSelector\":{\"matchLabels\":{\"group\":\"g-%05ld\"}}}],",
		           group);
	buf_printf(b,
	           "\"containers\":[{\"name\":\"app\",\"image\":\"registry.k8s.io/pause:3.10\","
	           "\"resources\":{\"requests\":{\"cpu\":\"%ldm\",\"memory\":\"128Mi\"}}}]}}",
	           R.milli_cpu);
}

/* item k of a batch of creates: its path and body */
typedef void (*make_fn)(long k, struct buf *path, struct buf *body);

static void make_node(long k, struct buf *path, struct buf *body)
{
	buf_printf(path, "/api/v1/nodes");
	node_body(body, k);
}

/* preemption: low-priority Pods bound in the setup, filling every node's cpu */
static void make_victim(long k, struct buf *path, struct buf *body)
{
	char name[32];
	snprintf(name, sizeof name, "v-%06ld", k);
	buf_printf(path, "/api/v1/namespaces/" NS "/pods");
	pod_body(body, name, 0, k % R.nodes, NULL, 0);
}

static void make_pod(long k, struct buf *path, struct buf *body)
{
	char name[32];
	snprintf(name, sizeof name, "p-%06ld", k);
	buf_printf(path, "/api/v1/namespaces/" NS "/pods");
	pod_body(body, name, group_of(k), -1, R.id == PREEMPT ? "sched-bench-high" : NULL, 1);
}

static void make_live(long k, struct buf *path, struct buf *body)
{
	char name[32];
	snprintf(name, sizeof name, "l-%06ld", k);
	buf_printf(path, "/api/v1/namespaces/" NS "/pods");
	pod_body(body, name, group_of(R.pods + k), -1, R.id == PREEMPT ? "sched-bench-top" : NULL, 1);
}

/* ---- parallel creates, as fast as they go or paced ---- */

struct load {
	const struct target *t;
	long count;
	make_fn make;
	double rate, t0;       /* rate > 0: item k is due at t0 + k / rate */
	double deadline;       /* > 0: nothing is sent after it */
	_Atomic double *sent;  /* if set: when item k's create went out */
	atomic_long ticket, done, errors;
};

static void *load_thread(void *arg)
{
	struct load *l = arg;
	struct conn c = {.fd = -1, .t = l->t};
	struct buf path = {0}, body = {0};
	for (;;) {
		long k = atomic_fetch_add(&l->ticket, 1);
		if (k >= l->count || atomic_load(&bench_stopping))
			break;
		path.n = body.n = 0;
		l->make(k, &path, &body);
		if (l->rate > 0)
			sleep_until(l->t0 + (double)k / l->rate);
		if (l->deadline > 0 && now() > l->deadline)
			break; /* the server fell this far behind: the rest is not sent */
		if (l->sent)
			atomic_store(&l->sent[k], now());
		int st = http_do(&c, "POST", path.p, body.p, body.n);
		if (st == 201) {
			atomic_fetch_add(&l->done, 1);
			continue;
		}
		atomic_fetch_add(&l->errors, 1);
		if (st > 0)
			complain("POST %s answered %d: %.300s", path.p, st, c.body.p ? c.body.p : "");
		else if (conn_open(&c, l->t) != 0) {
			complain("POST %s: the connection failed and cannot be reopened", path.p);
			break; /* the server is gone: this client stops */
		}
	}
	conn_free(&c);
	free(path.p);
	free(body.p);
	return NULL;
}

/* count creates over clients connections, paced at rate if > 0, none sent
 * after deadline if > 0; the failed ones (complained), and in *unsent those
 * never sent */
static long load_run(const struct target *t, long count, int clients, make_fn make, double rate, double deadline,
                     _Atomic double *sent, double *elapsed, long *unsent)
{
	struct load l = {.t = t, .count = count, .make = make, .rate = rate, .deadline = deadline, .sent = sent};
	pthread_t *th = xcalloc((size_t)clients, sizeof *th);
	double t0 = now();
	l.t0 = t0 + 0.01;
	int started = 0;
	for (; started < clients; started++)
		if (pthread_create(&th[started], NULL, load_thread, &l) != 0)
			break;
	if (!started)
		fatal("cannot start client threads");
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	if (elapsed)
		*elapsed = now() - t0;
	long failed = atomic_load(&l.errors);
	if (unsent)
		*unsent = count - atomic_load(&l.done) - failed;
	return failed + (unsent ? 0 : count - atomic_load(&l.done) - failed);
}

/* ---- the watch on the Pods ---- */

struct watch {
	const struct target *t;
	char rv[32];          /* where to resume: the last event's resourceVersion */
	pthread_t thr;
	atomic_int stop, ended;
	atomic_long events;
	char error[160];      /* why it ended, when ended */
};

static long name_index(const char *v, size_t n, char prefix)
{
	if (n < 3 || v[0] != prefix || v[1] != '-')
		return -1;
	long k = 0;
	for (size_t i = 2; i < n; i++) {
		if (v[i] < '0' || v[i] > '9' || k > 100000000)
			return -1;
		k = k * 10 + (v[i] - '0');
	}
	return k;
}

static void on_event(struct watch *w, const char *l, size_t n, double t)
{
	const char *type, *name, *v;
	size_t tl, nl, vl;
	if (jscan_str(l, n, "type", &type, &tl) != 0)
		return;
	atomic_fetch_add(&w->events, 1);
	if (tl == 5 && !memcmp(type, "ERROR", 5)) {
		if (jscan_str(l, n, "object.message", &v, &vl) != 0) {
			v = "(no message)";
			vl = strlen(v);
		}
		snprintf(w->error, sizeof w->error, "the watch ended with an ERROR event: %.*s", (int)vl, v);
		atomic_store(&w->ended, 1);
		return;
	}
	if (jscan_str(l, n, "object.metadata.resourceVersion", &v, &vl) == 0 && vl < sizeof w->rv) {
		memcpy(w->rv, v, vl);
		w->rv[vl] = 0;
	}
	if (jscan_str(l, n, "object.metadata.name", &name, &nl) != 0)
		return;
	long p = name_index(name, nl, 'p'), lv = name_index(name, nl, 'l'), vi = name_index(name, nl, 'v');
	if (tl == 7 && !memcmp(type, "DELETED", 7)) {
		if (vi >= 0 && vi < R.victims && !victim_gone[vi]) {
			victim_gone[vi] = 1;
			atomic_fetch_add(&nvictims_gone, 1);
		} else if (p >= 0 && p < R.pods) {
			atomic_fetch_add(&nevicted_p, 1);
		}
		return;
	}
	long idx = p >= 0 && p < R.pods ? p : lv >= 0 && lv < R.live ? R.pods + lv : -1;
	if (idx < 0 || atomic_load(&bound_at[idx]) != 0)
		return;
	if (jscan_str(l, n, "object.spec.nodeName", &v, &vl) != 0 || vl < 6 || memcmp(v, "node-", 5))
		return;
	bound_node[idx] = atoi(v + 5);
	atomic_store(&bound_at[idx], t);
	if (idx < R.pods) {
		atomic_fetch_add(&nbound_p, 1);
		atomic_store(&last_bind_p, t);
	} else {
		atomic_fetch_add(&nbound_l, 1);
	}
}

/* one watch request until the stream ends: 1 to resume, 0 stopped, -1 failed */
static int watch_once(struct watch *w, struct conn *c)
{
	char path[200], chunk[16384];
	snprintf(path, sizeof path, "/api/v1/namespaces/" NS "/pods?watch=1&resourceVersion=%s&timeoutSeconds=3600",
	         w->rv);
	if (conn_open(c, w->t) != 0) {
		snprintf(w->error, sizeof w->error, "the watch could not connect");
		return -1;
	}
	request_head(c, "GET", path, 0);
	if (conn_write(c, c->req.p, c->req.n) != 0) {
		snprintf(w->error, sizeof w->error, "the watch request could not be sent");
		return -1;
	}
	struct dechunk dc = {0};
	struct buf lines = {0};
	int head_done = 0, rc = 0;
	while (!atomic_load(&w->stop)) {
		if (!SSL_pending(c->ssl)) {
			struct pollfd pf = {.fd = c->fd, .events = POLLIN};
			if (poll(&pf, 1, 100) == 0)
				continue;
		}
		ssize_t r = conn_read(c, chunk, sizeof chunk);
		double t = now();
		if (r <= 0) {
			rc = 1; /* the server ended it: resume */
			break;
		}
		const char *p = chunk;
		size_t n = (size_t)r;
		if (!head_done) {
			buf_add(&c->in, chunk, n);
			char *e = memmem(c->in.p, c->in.n, "\r\n\r\n", 4);
			if (!e) {
				if (c->in.n <= MAX_HEADER)
					continue;
				snprintf(w->error, sizeof w->error, "the watch answered an oversized head");
				rc = -1;
				break;
			}
			int status = 0;
			sscanf(c->in.p, "HTTP/1.%*d %d", &status);
			if (status != 200) {
				snprintf(w->error, sizeof w->error, "the watch was answered %d", status);
				rc = -1;
				break;
			}
			head_done = 1;
			size_t hend = (size_t)(e - c->in.p) + 4;
			p = c->in.p + hend;
			n = c->in.n - hend;
		}
		long k = n ? dechunk_feed(&dc, p, n, &lines) : 0;
		c->in.n = 0;
		if (k < 0) {
			snprintf(w->error, sizeof w->error, "the watch stream is not valid chunked coding");
			rc = -1;
			break;
		}
		size_t start = 0;
		for (char *nl; start < lines.n && (nl = memchr(lines.p + start, '\n', lines.n - start));) {
			size_t end = (size_t)(nl - lines.p);
			on_event(w, lines.p + start, end - start, t);
			start = end + 1;
		}
		if (start)
			buf_consume(&lines, start);
		if (atomic_load(&w->ended)) {
			rc = -1;
			break;
		}
		if (dc.st == DC_DONE) {
			rc = 1;
			break;
		}
	}
	free(lines.p);
	conn_close(c);
	return rc;
}

static void *watch_main(void *arg)
{
	struct watch *w = arg;
	struct conn c = {.fd = -1, .t = w->t};
	for (int resumes = 0;; resumes++) {
		int rc = watch_once(w, &c);
		if (rc == 0)
			break;
		if (rc < 0 || resumes >= WATCH_RECONNECTS) {
			if (rc > 0)
				snprintf(w->error, sizeof w->error, "the server ended the watch %d times", resumes + 1);
			atomic_store(&w->ended, 1);
			break;
		}
	}
	conn_free(&c);
	return NULL;
}

/* ---- checks on what was placed ---- */

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/* Groups that break their constraint: anti-affinity, two Pods of a group on
 * one node; spread, zone counts of a group further apart than maxSkew 1. */
static long violations(void)
{
	long total = R.pods + R.live, n = 0, bad = 0;
	if (R.id != ANTI && R.id != SPREAD)
		return 0;
	long *keys = xcalloc((size_t)(total ? total : 1), sizeof *keys);
	long ngroups = group_of(total - 1) + 1;
	long slots = R.id == ANTI ? R.nodes : ZONES;
	for (long i = 0; i < total; i++)
		if (atomic_load(&bound_at[i]) != 0 && bound_node[i] >= 0 && bound_node[i] < R.nodes)
			keys[n++] = group_of(i) * slots + (R.id == ANTI ? bound_node[i] : bound_node[i] % ZONES);
	qsort(keys, (size_t)n, sizeof *keys, cmp_long);
	if (R.id == ANTI) {
		long last_bad = -1; /* keys sort by group first: count each group once */
		for (long i = 1; i < n; i++)
			if (keys[i] == keys[i - 1] && keys[i] / slots != last_bad) {
				last_bad = keys[i] / slots;
				bad++;
			}
	} else {
		long zones = R.nodes < ZONES ? R.nodes : ZONES;
		long *count = xcalloc((size_t)(ngroups * ZONES), sizeof *count);
		for (long i = 0; i < n; i++)
			if (keys[i] >= 0 && keys[i] < ngroups * ZONES)
				count[keys[i]]++;
		for (long g = 0; g < ngroups; g++) {
			long lo = LONG_MAX, hi = 0;
			for (long z = 0; z < zones; z++) {
				long c = count[g * ZONES + z];
				lo = c < lo ? c : lo;
				hi = c > hi ? c : hi;
			}
			bad += hi - lo > 1;
		}
		free(count);
	}
	free(keys);
	return bad;
}

/* Both servers of a shape append to one log; the readers below start at
 * log_from, where the current server's part begins. */
static long log_from;

static FILE *log_open(struct server *s)
{
	if (s->p.log)
		fflush(s->p.log);
	FILE *f = fopen(s->p.logpath, "re");
	if (f && fseek(f, log_from, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	return f;
}

/* lines of the server's log holding needle; with per, the sum of the
 * numbers just after the needle on lines that also hold per */
static long log_count(struct server *s, const char *needle, const char *per)
{
	FILE *f = log_open(s);
	if (!f)
		return 0;
	char line[4096];
	long n = 0;
	while (fgets(line, sizeof line, f)) {
		const char *m = strstr(line, needle);
		if (m && per)
			n += strstr(m, per) ? strtol(m + strlen(needle), NULL, 10) : 0;
		else
			n += m != NULL;
	}
	fclose(f);
	return n;
}

/* the first log line holding needle, from the needle on */
static void log_find(struct server *s, const char *needle, char *out, size_t cap)
{
	*out = 0;
	FILE *f = log_open(s);
	if (!f)
		return;
	char line[4096];
	while (fgets(line, sizeof line, f)) {
		const char *m = strstr(line, needle);
		if (m) {
			snprintf(out, cap, "%s", m);
			out[strcspn(out, "\n")] = 0;
			break;
		}
	}
	fclose(f);
}

/* The core logs "stall: plugin P held the event loop for N ms" when a
 * callback returns after holding the loop (its watchdog's "blocked for"
 * lines about callbacks still running are not counted: the same stall). The
 * scheduler shares that loop with the API. One note line. */
static void stall_note(const char *shape, struct server *s)
{
	FILE *f = log_open(s);
	if (!f)
		return;
	char line[4096];
	long n = 0;
	double max = 0, sum = 0;
	while (fgets(line, sizeof line, f)) {
		const char *st = strstr(line, "] stall: "), *fr = st ? strstr(st, " held the event loop for ") : NULL;
		if (!fr)
			continue;
		double ms = strtod(fr + 25, NULL);
		n++;
		sum += ms;
		max = ms > max ? ms : max;
	}
	fclose(f);
	if (n)
		note("%s: server loop: %ld callbacks held it past the stall threshold (100 ms), %.1f s in all, the longest "
		     "%.0f ms\n",
		     shape, n, sum / 1000, max);
}

/* ---- one shape ---- */

static void shape_error(struct result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void shape_error(struct result *res, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->error, sizeof res->error, fmt, ap);
	va_end(ap);
	if (!atomic_load(&bench_stopping)) /* interrupted: what fails from here on is no news */
		fprintf(stderr, "%s: %s\n", bench_name, res->error);
}

static int post(struct conn *c, const char *path, const char *body)
{
	return http_do(c, "POST", path, body, strlen(body));
}

/* Phase 1: the objects, with the scheduler off; the resourceVersion after
 * them into rv. 0, or -1 with the error row set. */
static int setup(struct result *res, const char *dir, char *rv, size_t rvcap)
{
	const struct shape *sh = &shapes[R.id];
	struct server s = {0};
	fprintf(stderr, "%s: setup: %ld nodes, %ld pods%s ...\n", sh->name, R.nodes, R.pods + R.victims,
	        R.victims ? " (victims included)" : "");
	s.t.timeout = REQUEST_TIMEOUT_S;
	if (server_start(&s, dir, cfg_setup) != 0) {
		shape_error(res, "setup: the server did not start");
		return -1;
	}
	char needle[96];
	snprintf(needle, sizeof needle, "loaded plugin %s ", sh->plugin ? sh->plugin : "");
	if (sh->plugin && !log_count(&s, needle, NULL)) {
		shape_error(res, "the server loaded no %s plugin (not in this build?)", sh->plugin);
		server_stop(&s);
		return -1;
	}
	struct conn c = {.fd = -1, .t = &s.t};
	int st = post(&c, "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" NS "\"}}");
	if (st != 201)
		complain("creating namespace " NS " answered %d: %.200s", st, c.body.p ? c.body.p : "");
	if (R.id == PREEMPT) {
		static const struct {
			const char *name;
			int value;
		} classes[] = {{"sched-bench-high", 1000}, {"sched-bench-top", 2000}};
		for (size_t i = 0; i < 2; i++) {
			char body[256];
			snprintf(body, sizeof body,
			         "{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\",\"metadata\":{\"name\":\"%s\"},"
			         "\"value\":%d,\"description\":\"sched_bench preemptors\"}",
			         classes[i].name, classes[i].value);
			if ((st = post(&c, "/apis/scheduling.k8s.io/v1/priorityclasses", body)) != 201)
				complain("creating PriorityClass %s answered %d: %.200s", classes[i].name, st, c.body.p ? c.body.p : "");
		}
	}
	double t_nodes, t_victims = 0, t_pods;
	long errors = load_run(&s.t, R.nodes, opt_clients, make_node, 0, 0, NULL, &t_nodes, NULL);
	if (!errors && R.victims)
		errors += load_run(&s.t, R.victims, opt_clients, make_victim, 0, 0, NULL, &t_victims, NULL);
	if (!errors)
		errors += load_run(&s.t, R.pods, opt_clients, make_pod, 0, 0, NULL, &t_pods, NULL);
	if (errors) {
		shape_error(res, "setup: %ld creates failed", errors);
		goto fail;
	}
	long total = R.nodes + R.victims + R.pods;
	note("%s: setup: %ld nodes%s and %ld pending pods stored in %.1f s (%.0f creates/s, %d clients)\n", sh->name,
	     R.nodes, R.victims ? ", victims" : "", R.pods, t_nodes + t_victims + t_pods,
	     (double)total / (t_nodes + t_victims + t_pods), opt_clients);
	if (R.id == PREEMPT) {
		/* without the Priority admission plugin nothing would preempt */
		st = http_do(&c, "GET", "/api/v1/namespaces/" NS "/pods/p-000000", NULL, 0);
		if (st != 200 || !strstr(c.body.p, "\"priority\":1000")) {
			shape_error(res, "the preemptors got no spec.priority 1000 from their PriorityClass");
			goto fail;
		}
	}
	const char *v;
	size_t vl;
	st = http_do(&c, "GET", "/api/v1/namespaces/" NS "/pods?limit=1", NULL, 0);
	if (st != 200 || jscan_str(c.body.p, c.body.n, "metadata.resourceVersion", &v, &vl) != 0 || vl >= rvcap) {
		shape_error(res, "setup: cannot read the resourceVersion to watch from (%d)", st);
		goto fail;
	}
	memcpy(rv, v, vl);
	rv[vl] = 0;
	conn_free(&c);
	server_stop(&s);
	return 0;
fail:
	conn_free(&c);
	server_stop(&s);
	return -1;
}

/* Phases 2 and 3 on a server started with the scheduler. */
static void measure(struct result *res, const char *dir, const char *rv)
{
	const struct shape *sh = &shapes[R.id];
	struct server s = {0};
	struct watch w = {0};
	fprintf(stderr, "%s: placement: scheduler on, watching from resourceVersion %s ...\n", sh->name, rv);
	char logpath[PATH_MAX + 32];
	struct stat st;
	snprintf(logpath, sizeof logpath, "%s.log", dir);
	log_from = stat(logpath, &st) == 0 ? (long)st.st_size : 0; /* the setup's part comes first */
	/* the scheduler shares the loop with the API: /readyz may come late */
	s.start_timeout = opt_timeout;
	s.t.timeout = REQUEST_TIMEOUT_S;
	if (server_start(&s, dir, cfg_sched) != 0) {
		if (atomic_load(&s.p.ready_seen)) /* listening, but its loop did not get to /readyz */
			shape_error(res, "the server with the scheduler did not answer /readyz in %.0f s", opt_timeout);
		else
			shape_error(res, "the server with the scheduler did not start (log %s)", s.p.logpath);
		stall_note(sh->name, &s);
		return;
	}
	double t_exec = s.p.t_exec;
	w.t = &s.t;
	snprintf(w.rv, sizeof w.rv, "%s", rv);
	if (pthread_create(&w.thr, NULL, watch_main, &w) != 0)
		fatal("cannot start the watch thread");

	/* phase 2: until every Pod is bound, nothing moves for --stall s, or --timeout */
	long seen = 0, gone = 0;
	double progress = now(), cpu_at_last = 0, t_cpu = t_exec;
	const char *stop_why = "all bound";
	for (;;) {
		usleep(50000);
		long b = atomic_load(&nbound_p), v = atomic_load(&nvictims_gone);
		if (b != seen) {
			seen = b;
			progress = now();
			cpu_at_last = cpu_s(s.p.pid);
			t_cpu = progress;
		}
		if (v != gone) { /* preemption: evictions come before their binds */
			gone = v;
			progress = now();
		}
		if (b >= R.pods)
			break;
		if (!proc_alive(&s.p)) {
			shape_error(res, "the server exited during placement (log %s)", s.p.logpath);
			proc_log_tail(&s.p);
			goto out;
		}
		if (atomic_load(&w.ended)) {
			shape_error(res, "%s", w.error);
			goto out;
		}
		if (now() - progress > opt_stall) {
			stop_why = "stalled";
			break;
		}
		if (now() - t_exec > opt_timeout) {
			stop_why = "timed out";
			break;
		}
	}
	double last = atomic_load(&last_bind_p);
	res->bound = atomic_load(&nbound_p);
	res->unbound = R.pods - res->bound;
	res->pods_s = res->bound && last > t_exec ? (double)res->bound / (last - t_exec) : 0;
	res->cpu = t_cpu > t_exec ? 100 * cpu_at_last / (t_cpu - t_exec) : 0;
	double first = 0;
	for (long i = 0; i < R.pods; i++) {
		double t = atomic_load(&bound_at[i]);
		if (t && (!first || t < first))
			first = t;
	}
	note("%s: placement: ready %.0f ms after exec; first bind at +%.2f s, last at +%.2f s; %ld of %ld bound (%s)\n",
	     sh->name, s.t_readyz * 1000, first ? first - t_exec : 0, last ? last - t_exec : 0, res->bound, R.pods,
	     stop_why);
	if (R.id == PREEMPT)
		note("%s: preemption: %ld of %ld victims deleted; the scheduler logged %ld preemptions naming %ld "
		     "victims, and %ld failed bindings\n",
		     sh->name, atomic_load(&nvictims_gone), R.victims, log_count(&s, "] preemption: ", NULL),
		     log_count(&s, "] preemption: ", " victim(s) on "), log_count(&s, "[scheduler] binding ", NULL));

	/* phase 3: paced creates, each timed from its send to its bind */
	if (R.live > 0) {
		fprintf(stderr, "%s: latency: %ld pods at %.0f/s ...\n", sh->name, R.live, opt_rate);
		double sent_for;
		long unsent = 0;
		long errors = load_run(&s.t, R.live, LATENCY_CONNS, make_live, opt_rate, now() + opt_seconds + LATENCY_GRACE_S,
		                       sent_at, &sent_for, &unsent);
		if (errors)
			complain("%s: %ld of the latency creates failed (a failure may still have been stored)", sh->name,
			         errors);
		double end = now() + LATENCY_GRACE_S, moved = now();
		long seen_l = 0;
		while (atomic_load(&nbound_l) < R.live - unsent && now() < end && proc_alive(&s.p) &&
		       !atomic_load(&w.ended) && now() - moved < opt_stall) {
			usleep(20000);
			if (atomic_load(&nbound_l) != seen_l) {
				seen_l = atomic_load(&nbound_l);
				moved = now();
			}
		}
		struct lat lat = {0};
		for (long k = 0; k < R.live; k++) {
			double b = atomic_load(&bound_at[R.pods + k]), t = atomic_load(&sent_at[k]);
			if (b && t)
				lat_add(&lat, b - t);
		}
		res->lat_sent = R.live - unsent; /* failed ones too: a create that timed out may be stored */
		res->lat_bound = (long)lat.n;
		res->p50 = lat_ms(&lat, 0.50);
		res->p99 = lat_ms(&lat, 0.99);
		note("%s: latency: %ld pods sent at %.0f/s in %.2f s (%.0f/s achieved%s), %ld bound%s\n", sh->name,
		     res->lat_sent, opt_rate, sent_for, sent_for > 0 ? (double)res->lat_sent / sent_for : 0,
		     unsent ? ", the rest not sent: the server fell behind" : "", res->lat_bound,
		     res->lat_bound < res->lat_sent ? " (p50/p99 are over the bound ones only)" : "");
		free(lat.v);
		if (R.id == PREEMPT)
			note("%s: latency: %ld placed preemptors were evicted in turn by these higher-priority pods\n", sh->name,
			     atomic_load(&nevicted_p));
	}
	if (!proc_alive(&s.p)) {
		shape_error(res, "the server exited (log %s)", s.p.logpath);
		proc_log_tail(&s.p);
		goto out;
	}
	if (atomic_load(&w.ended)) {
		shape_error(res, "%s", w.error);
		goto out;
	}
	long kb = proc_status_kb(s.p.pid, "VmHWM");
	res->rss_mb = kb < 0 ? -1 : (double)kb / 1024.0;
	char profile[200];
	log_find(&s, "profile default-scheduler:", profile, sizeof profile);
	if (*profile)
		note("%s: scheduler: %s\n", sh->name, profile);
	long bad = violations();
	if (bad)
		shape_error(res, "%ld of %ld groups break their %s constraint", bad, group_of(R.pods + R.live - 1) + 1,
		            R.id == ANTI ? "anti-affinity" : "topology spread");
out:
	atomic_store(&w.stop, 1);
	pthread_join(w.thr, NULL);
	double t_stop = now();
	stall_note(sh->name, &s);
	if (!server_stop(&s)) {
		proc_log_tail(&s.p);
		note("%s: the server did not stop cleanly (%.1f s after SIGTERM)\n", sh->name, now() - t_stop);
	}
}

static void run_shape(enum shape_id id)
{
	struct result *res = &results[id];
	memset(&R, 0, sizeof R);
	memset(res, 0, sizeof *res);
	res->ran = 1;
	res->rss_mb = -1;
	R.id = id;
	log_from = 0;
	R.nodes = id == PREEMPT ? opt_pnodes : opt_nodes;
	R.pods = opt_pods;
	R.live = (long)(opt_rate * opt_seconds);
	R.milli_cpu = 100;
	if (id == PREEMPT) {
		/* every node full of equal victims; a preemptor asks for exactly one's cpu */
		long per_node = (R.pods + R.nodes - 1) / R.nodes;
		R.victims = per_node * R.nodes;
		R.milli_cpu = NODE_MILLI_CPU / per_node;
	}
	res->nodes = R.nodes;
	res->pods = R.pods;
	long total = R.pods + R.live;
	bound_at = xcalloc((size_t)total, sizeof *bound_at);
	bound_node = xcalloc((size_t)total, sizeof *bound_node);
	sent_at = xcalloc((size_t)(R.live ? R.live : 1), sizeof *sent_at);
	victim_gone = xcalloc((size_t)(R.victims ? R.victims : 1), 1);
	atomic_store(&nbound_p, 0);
	atomic_store(&nbound_l, 0);
	atomic_store(&nvictims_gone, 0);
	atomic_store(&nevicted_p, 0);
	atomic_store(&last_bind_p, 0);

	char dir[PATH_MAX + 32], rv[32];
	snprintf(dir, sizeof dir, "%s/%s", bench_root, shapes[id].name);
	if (setup(res, dir, rv, sizeof rv) == 0)
		measure(res, dir, rv);
	free((void *)bound_at);
	free(bound_node);
	free((void *)sent_at);
	free(victim_gone);
	bound_at = NULL;
	sent_at = NULL;
}

/* ---- the report ---- */

/* s left-aligned (right if right) in width columns, counting UTF-8 characters */
static void cell(const char *s, int width, int right)
{
	int chars = 0;
	for (const char *p = s; *p; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	int pad = width > chars ? width - chars : 0;
	printf("%*s%s%*s", right ? pad : 0, "", s, right ? 0 : pad, "");
}

static void print_report(void)
{
	static const char *const head[] = {"shape", "nodes", "pods", "bound", "pods/s", "p50 ms", "p99 ms",
	                                   "kube-sched", "goal", "verdict", "srv CPU", "max RSS MB"};
	static const int width[] = {-13, 6, 7, 7, 9, 9, 9, 11, 7, -8, 8, 11};
	printf("\n");
	for (int i = 0; i < 12; i++) {
		cell(head[i], width[i] < 0 ? -width[i] : width[i], width[i] > 0);
		printf(" ");
	}
	printf("\n");
	for (int id = 0; id < NSHAPES; id++) {
		const struct result *r = &results[id];
		const struct shape *sh = &shapes[id];
		if (!r->ran)
			continue;
		char f[12][48];
		snprintf(f[0], sizeof f[0], "%s", sh->name);
		snprintf(f[1], sizeof f[1], "%ld", r->nodes);
		snprintf(f[2], sizeof f[2], "%ld", r->pods);
		if (*r->error) {
			for (int i = 0; i < 3; i++) {
				cell(f[i], width[i] < 0 ? -width[i] : width[i], width[i] > 0);
				printf(" ");
			}
			printf("ERROR: %s\n", r->error);
			continue;
		}
		snprintf(f[3], sizeof f[3], "%ld", r->bound);
		snprintf(f[4], sizeof f[4], "%.0f", r->pods_s);
		snprintf(f[5], sizeof f[5], r->lat_bound ? "%.1f" : "-", r->p50);
		snprintf(f[6], sizeof f[6], r->lat_bound ? "%.1f" : "-", r->p99);
		snprintf(f[7], sizeof f[7], "%s", sh->kube);
		snprintf(f[8], sizeof f[8], sh->goal > 0 ? "%.0f" : "-", sh->goal);
		int pass = sh->goal > 0 && r->pods_s >= sh->goal && !r->unbound;
		snprintf(f[9], sizeof f[9], "%s", sh->goal > 0 ? (pass ? "PASS" : "BELOW") : "-");
		snprintf(f[10], sizeof f[10], "%.0f%%", r->cpu);
		snprintf(f[11], sizeof f[11], r->rss_mb >= 0 ? "%.1f" : "?", r->rss_mb);
		for (int i = 0; i < 12; i++) {
			cell(f[i], width[i] < 0 ? -width[i] : width[i], width[i] > 0);
			printf(i < 11 ? " " : "\n");
		}
	}
	printf("\nkube-sched: the published scheduler_perf floor of kube-scheduler, 680 pods/s for SchedulingBasic\n"
	       "(5,000 nodes, 10k pods); its published figures for the anti-affinity, topology-spread and\n"
	       "preemption shapes are lower than basic, hence ≤680. Goal: ≥20,000 pods/s basic, ≥5,000 with\n"
	       "anti-affinity or spread; PASS needs every pod bound as well. srv CPU: the server's CPU time over\n"
	       "exec → last bind (100%% = one core); max RSS: its VmHWM at the end of the shape.\n");
	if (*bench_notes())
		printf("\n%s", bench_notes());
}

/* ---- main ---- */

static void usage(FILE *to)
{
	fprintf(to,
	        "usage: sched_bench [options]\n"
	        "  --nodes N             Nodes of the basic, antiaffinity and spread shapes (default 5000)\n"
	        "  --pods N              pending Pods each shape places (default 10000)\n"
	        "  --preemption-nodes N  Nodes of the preemption shape (default 500)\n"
	        "  --group N             Pods per anti-affinity / spread group (default 500, at most --nodes)\n"
	        "  --rate N              creates per second of the latency phase (default 200)\n"
	        "  --seconds N           length of the latency phase (default 5; 0 skips it)\n"
	        "  --clients N           parallel HTTPS clients of the setup (default 64)\n"
	        "  --timeout N           longest placement phase, from exec (default 600 s)\n"
	        "  --stall N             placement ends after N s without a new bind (default 30)\n"
	        "  --only LIST           comma-separated: basic,antiaffinity,spread,preemption (default all)\n"
	        "  --skiff PATH          the server binary (default ../bin/skiff next to this program)\n"
	        "  --dir DIR             make the temp dir under DIR (default /tmp); removed at the end\n");
}

static int want(const char *section) { return listed(only, section); }

int main(int argc, char **argv)
{
	const char *base = "/tmp";
	bench_name = "sched_bench";
	server_default_path();
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!v) {
			usage(stderr);
			return 2;
		} else if (!strcmp(a, "--nodes")) {
			opt_nodes = strtol(v, NULL, 10);
		} else if (!strcmp(a, "--pods")) {
			opt_pods = strtol(v, NULL, 10);
		} else if (!strcmp(a, "--preemption-nodes")) {
			opt_pnodes = strtol(v, NULL, 10);
		} else if (!strcmp(a, "--group")) {
			opt_group = strtol(v, NULL, 10);
		} else if (!strcmp(a, "--rate")) {
			opt_rate = strtod(v, NULL);
		} else if (!strcmp(a, "--seconds")) {
			opt_seconds = strtod(v, NULL);
		} else if (!strcmp(a, "--clients")) {
			opt_clients = atoi(v);
		} else if (!strcmp(a, "--timeout")) {
			opt_timeout = strtod(v, NULL);
		} else if (!strcmp(a, "--stall")) {
			opt_stall = strtod(v, NULL);
		} else if (!strcmp(a, "--only")) {
			only = v;
		} else if (!strcmp(a, "--skiff")) {
			snprintf(bench_skiff, sizeof bench_skiff, "%s", v);
		} else if (!strcmp(a, "--dir")) {
			base = v;
		} else {
			usage(stderr);
			return 2;
		}
	}
	/* names carry six digits (p-NNNNNN) and nodes five */
	if (opt_nodes < 1 || opt_nodes > 99999 || opt_pnodes < 1 || opt_pnodes > 99999 || opt_pods < 1 ||
	    opt_pods > 999999 || !(opt_rate > 0) || opt_rate > 100000 || !(opt_seconds >= 0) || opt_seconds > 3600 ||
	    opt_rate * opt_seconds > 999999 || opt_clients < 1 || opt_clients > 1024 || !(opt_timeout > 0) ||
	    !(opt_stall > 0) || opt_group < 1 || opt_group > opt_nodes) {
		usage(stderr);
		return 2;
	}
	if (want("preemption") && (opt_pods + opt_pnodes - 1) / opt_pnodes > NODE_PODS) {
		fprintf(stderr, "sched_bench: preemption puts %ld victims on each of %ld nodes; a node takes %d pods\n",
		        (opt_pods + opt_pnodes - 1) / opt_pnodes, opt_pnodes, NODE_PODS);
		return 2;
	}
	if (access(bench_skiff, X_OK) != 0) {
		fprintf(stderr, "sched_bench: no server binary at %s (build it, or pass --skiff)\n", bench_skiff);
		return 1;
	}
	long nofile = raise_nofile();
	if (nofile >= 0 && nofile < opt_clients + 256L) {
		fprintf(stderr, "sched_bench: %d clients need %d descriptors, the limit is %ld\n", opt_clients,
		        opt_clients + 256, nofile);
		return 1;
	}
	if (bench_signals() != 0 || bench_mkroot(base, "skiff-schedbench") != 0)
		return 1;

	time_t wall = time(NULL);
	char date[32], load[64];
	strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&wall));
	load_average(load, sizeof load);
	printf("sched_bench: %s, %ld CPUs, server %s, temp dir %s%s\n", date, sysconf(_SC_NPROCESSORS_ONLN), bench_skiff,
	       bench_root, fs_note(bench_root));
	printf("sched_bench: load average before the run: %s\n", load);
	printf("sched_bench: pods of 100m cpu / 128Mi on nodes of 32 cpu / 128Gi / 110 pods in %d zones; groups of %ld "
	       "for anti-affinity and spread; latency phase %.0f pods at %.0f/s\n",
	       ZONES, opt_group, opt_rate * opt_seconds, opt_rate);
	fflush(stdout);

	int errors = 0;
	for (int id = 0; id < NSHAPES; id++) {
		if (!want(shapes[id].name))
			continue;
		run_shape(id);
		errors += *results[id].error != 0;
	}
	print_report();
	cleanup_all();
	if (atomic_load(&bench_failed) || errors)
		fprintf(stderr, "sched_bench: errors above; those figures are missing or not reliable\n");
	return atomic_load(&bench_failed) || errors ? 1 : 0;
}
