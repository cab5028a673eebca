/* bench.h — what the benchmarks in bench/ share: the clock, messages and
 * the notes printed under a table, byte buffers, latency sets, the child
 * processes a run starts (and their cleanup on every exit path), HTTPS
 * keep-alive clients, and a real `skiff server` on a temp data dir.
 *
 * Each program sets bench_name and owns its report; this library owns the
 * run's global state: the failure flag, the temp dir (bench_root) and the
 * children it must stop. Nothing here is part of the server or the tests.
 * Threads: complain, note, lat_* on separate sets, conn_* on separate
 * connections and cleanup_all may be used from any thread. */
#ifndef BENCH_H
#define BENCH_H
#include <limits.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define MAX_HEADER (64 * 1024)        /* a response head larger than this is an error */
#define MAX_BODY (64 * 1024 * 1024)   /* likewise a body */

/* ---- the run (log.c) ---- */

extern const char *bench_name;   /* prefixes every message */
extern atomic_int bench_failed;  /* something makes the figures unreliable */
extern atomic_int bench_stopping; /* interrupted: what fails from here on is no news */

/* a failure worth one line; only the first few of a run are printed */
void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* prints, stops every child, removes the temp dir, exits 1 */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* a line for under the table (4 KiB in all; the rest is dropped) */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *bench_notes(void);

/* ---- clock.c ---- */

double now(void); /* CLOCK_MONOTONIC, seconds */
void sleep_until(double t);

/* ---- buf.c: growable byte buffers, always NUL-terminated past n ---- */

struct buf {
	char *p;
	size_t n, cap;
};

void buf_reserve(struct buf *b, size_t more);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_consume(struct buf *b, size_t n); /* drops the first n bytes */
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *xcalloc(size_t n, size_t size); /* fatal when out of memory */

/* ---- stats.c: latency samples, in seconds ---- */

struct lat {
	double *v;
	size_t n, cap;
};

void lat_add(struct lat *l, double s);
void lat_merge(struct lat *into, const struct lat *from);
/* nearest-rank percentile (p in 0..1) in ms; sorts the samples; 0 if none */
double lat_ms(struct lat *l, double p);

/* ---- proc.c: children with their output copied to a log file ---- */

struct proc {
	pid_t pid;
	int out;
	pthread_t reader;
	FILE *log;
	char logpath[PATH_MAX + 32];
	double t_exec;
	atomic_int ready_seen; /* the server's " ready in " line went by */
	double t_ready_line, ready_ms; /* when seen; what the line said */
};

/* fork+exec with PR_SET_PDEATHSIG; stdout and stderr appended to logpath */
int proc_spawn(struct proc *p, char *const argv[], const char *logpath);
/* SIGTERM, SIGKILL after 15 s; 1 if it exited by itself with status 0 */
int proc_stop(struct proc *p);
int proc_alive(struct proc *p);
void proc_log_tail(struct proc *p); /* the end of its log, on stderr (not once interrupted) */
/* SIGTERM then SIGKILL to every child still running (cleanup_all's part) */
void proc_stop_all(void);
double cpu_s(pid_t pid); /* user+system CPU seconds so far; pid 0: this process */
/* a "kB" field of /proc/PID/status (VmRSS, VmHWM); -1 if unknown */
long proc_status_kb(pid_t pid, const char *field);

/* ---- cleanup.c: the temp dir and the exit paths ---- */

extern char bench_root[PATH_MAX]; /* the temp dir every server lives under; "" when none */

/* makes a fresh temp dir under base, named PREFIX- and six random
 * characters (mkdtemp), into bench_root; -1 (with a message) on failure */
int bench_mkroot(const char *base, const char *prefix);
/* removes dir and everything under it (complaining of what it cannot) */
void bench_rmrf(const char *dir);
/* stops whatever still runs and removes bench_root; safe to call twice */
void cleanup_all(void);
/* SIGINT/SIGTERM/SIGHUP blocked in every thread made from here on and taken
 * by one thread that runs cleanup_all and exits 128+sig; SIGPIPE ignored */
int bench_signals(void);

/* ---- options.c: command lines ---- */

/* whether name is one of the comma-separated list (--only); NULL lists all */
int listed(const char *list, const char *name);

/* ---- host.c: the machine ---- */

/* " (tmpfs...)" when fsync costs nothing under dir, else "" */
const char *fs_note(const char *dir);
void load_average(char *out, size_t cap); /* /proc/loadavg without the newline */
/* the soft RLIMIT_NOFILE raised to the hard one (children inherit it); the
 * limit now in force */
long raise_nofile(void);

/* ---- https.c: HTTP/1.1 over TLS (or plain TCP), keep-alive ---- */

struct target {
	int port; /* on 127.0.0.1 */
	SSL_CTX *ctx; /* NULL: plain HTTP */
	double timeout; /* > 0: a send or receive that waits longer fails */
};

struct conn {
	const struct target *t;
	int fd; /* -1: closed */
	SSL *ssl;
	struct buf in, req, body;
	int status;
};

/* the admin client identity in tls_dir ({ca,admin}.crt, admin.key), checking
 * the server's certificate for 127.0.0.1; tls_dir NULL: no checks at all */
SSL_CTX *tls_ctx(const char *tls_dir);
int conn_open(struct conn *c, const struct target *t); /* quiet; -1 on failure */
void conn_close(struct conn *c);
void conn_free(struct conn *c); /* closes and frees the buffers */
int conn_write(struct conn *c, const char *p, size_t n);
/* >0 bytes, 0 end of stream, -1 error or (non-blocking) errno EAGAIN */
ssize_t conn_read(struct conn *c, char *to, size_t cap);
/* the request head (and Content-Type/Length for a body) into c->req */
void request_head(struct conn *c, const char *method, const char *path, size_t blen);
/* One request, one response, (re)opening the connection as needed. The
 * status, or -1 when the connection failed; the body in c->body. */
int http_do(struct conn *c, const char *method, const char *path, const char *body, size_t blen);

/* ---- chunked.c: streaming decoder of chunked transfer coding ---- */

struct dechunk {
	enum { DC_SIZE, DC_DATA, DC_DATA_END, DC_TRAILER, DC_DONE } st;
	size_t left;
	int digits, ext, line_len;
};

/* the payload goes to out; bytes consumed (stops at the end of the
 * message), -1 on bad framing or a payload over MAX_BODY */
long dechunk_feed(struct dechunk *d, const char *p, size_t n, struct buf *out);

/* ---- jscan.c: one value of JSON text, without building a tree ---- */

/* The string at a dotted key path ("object.metadata.name") of the JSON
 * object in text: *val points into text (escapes left as they are) and
 * *vlen is its length. -1 when absent, not a string, or malformed. */
int jscan_str(const char *text, size_t n, const char *path, const char **val, size_t *vlen);

/* ---- server.c: a real `skiff server` on a free port of 127.0.0.1 ---- */

extern char bench_skiff[PATH_MAX]; /* the binary; server_default_path sets ../bin/skiff */
void server_default_path(void);

struct server {
	struct proc p;
	char dir[PATH_MAX];
	struct target t; /* t.ctx: the admin identity, once started */
	double t_log, t_readyz; /* from exec: the "ready in" line, the first 200 from /readyz */
	double start_timeout; /* set before server_start: the wait for ready; 0: 60 s */
};

/* Starts it on data dir dir with config (YAML text, written to DIR.yaml;
 * NULL: "logLevel: info"), log in DIR.log, and waits (s->start_timeout) for
 * /readyz and the "ready in" line. -1 (complained, the process stopped) on
 * failure. */
int server_start(struct server *s, const char *dir, const char *config);
/* SIGTERM, SIGKILL after 15 s; 1 if it exited by itself with status 0,
 * else 0 (complained) */
int server_stop(struct server *s);
int free_port(void);

#endif
