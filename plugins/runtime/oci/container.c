/* container.c — one container's life under crun or runc. create prepares
 * the bundle and cgroup in the worker pool; start runs the tool in the
 * foreground as our child, so its exit is the container's exit and its
 * output is the container's, written to the log file in the CRI format
 * the kubelet reads ("<time> stdout F <line>"); stop asks the tool to
 * deliver SIGTERM and SIGKILL after the grace period; the exit is reported
 * through the runtime's listener with OOMKilled when the kernel's OOM
 * killer ended it, or StartError when the tool could not start it. */
#include "oci.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { S_CREATED, S_RUNNING, S_EXITED };

struct waiter {
	sk_done_fn done;
	void *cb_ud;
	struct waiter *next;
};

struct ctr {
	char id[96];
	char dir[4300], rootfs[4400], cgroup[4400], log_path[4096];
	struct image *im;
	sk_obj *config;           /* a private copy: the worker reads it */
	char sandbox[96];
	struct sandbox sb;        /* a copy taken on the loop: the worker reads it */
	int has_sb;
	int state;
	pid_t pid;                /* the tool's process while it runs */
	int exit_code;
	char reason[32], message[512];
	char started[40], finished[40];
	int log_fd;
	char partial[2][16384];   /* a line not yet ended, per stream */
	size_t plen[2];
	struct waiter *stopping;  /* stop calls waiting for the exit */
	sk_timer *kill_timer;
	int killing;
	/* the worker's result */
	sk_err werr;
	sk_done_fn done;
	void *cb_ud;
};

static void ctr_free(struct ctr *c)
{
	if (!c)
		return;
	if (c->log_fd >= 0)
		close(c->log_fd);
	if (c->kill_timer)
		sk_timer_stop(c->kill_timer);
	image_free(c->im);
	sk_obj_unref(c->config);
	free(c);
}

static void now_nano(char *out, size_t cap)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char base[32];
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, cap, "%s.%09ldZ", base, ts.tv_nsec);
}

/* ---- create ---- */

static void create_steps(struct ctr *c)
{
	int64_t pids = O.pids_limit;
	if (mkdir(c->dir, 0755) != 0 && errno != EEXIST) {
		sk_errf(&c->werr, SK_EIO, "cannot create %s: %s", c->dir, strerror(errno));
		return;
	}
	if (cgroup_create(c->cgroup, sk_obj_get(c->config, "resources"), pids, &c->werr) != SK_OK)
		return;
	if (bundle_mount(c->dir, c->rootfs, c->im, &c->werr) != SK_OK)
		return;
	char cg[4500];
	snprintf(cg, sizeof cg, "%s/ctr", c->cgroup);
	bundle_write(c->dir, c->rootfs, c->im, c->config, c->has_sb ? &c->sb : NULL, cg, &c->werr);
}

static void create_work(void *ud)
{
	struct ctr *c = ud;
	create_steps(c);
	if (c->werr.code) { /* undone here: removing a cgroup may wait */
		bundle_unmount(c->rootfs);
		cgroup_remove(c->cgroup);
		oci_rmrf(c->dir);
	}
}

static void created(void *ud)
{
	struct ctr *c = ud;
	if (c->werr.code) {
		c->done(c->cb_ud, &c->werr, NULL);
		ctr_free(c);
		return;
	}
	sk_map_put(O.ctrs, c->id, c, NULL);
	sk_obj *r = sk_obj_new_object();
	sk_obj_set_str(r, "id", c->id, NULL);
	c->done(c->cb_ud, NULL, r);
	sk_obj_unref(r);
}

void oci_create_container(void *ud, const char *sandbox_id, const sk_obj *config, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	sk_err err = {0};
	struct ctr *c = calloc(1, sizeof *c);
	if (!c) {
		sk_errf(&err, SK_ENOMEM, "out of memory");
		done(cb_ud, &err, NULL);
		return;
	}
	c->log_fd = -1;
	if (!(c->im = image_find(O.images, sk_obj_get_str(config, "image"), &err))) {
		ctr_free(c);
		done(cb_ud, &err, NULL);
		return;
	}
	snprintf(c->sandbox, sizeof c->sandbox, "%s", sandbox_id ? sandbox_id : "");
	snprintf(c->id, sizeof c->id, "%s-%llu", c->sandbox, (unsigned long long)++O.seq);
	snprintf(c->dir, sizeof c->dir, "%s/containers/%s", O.root, c->id);
	snprintf(c->rootfs, sizeof c->rootfs, "%s/rootfs", c->dir);
	char parent[4096];
	cgroup_parent(parent, sizeof parent);
	snprintf(c->cgroup, sizeof c->cgroup, "%s/%s", parent, c->id);
	const char *log = sk_obj_get_str(config, "logPath");
	if (log) {
		snprintf(c->log_path, sizeof c->log_path, "%s", log);
		char logdir[4096];
		snprintf(logdir, sizeof logdir, "%.*s", (int)(strrchr(log, '/') ? strrchr(log, '/') - log : 0), log);
		if (!*logdir || oci_mkdirs(logdir) == 0)
			c->log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	}
	c->config = sk_obj_copy(config);
	struct sandbox *sb = sandbox_get(c->sandbox);
	if (sb) {
		c->sb = *sb;
		c->sb.id = NULL; /* not needed by the bundle, and not ours */
		c->has_sb = 1;
	}
	if (sb && !sk_obj_get_str(c->config, "hostname")) {
		/* HOSTNAME in the environment is the pod's host name */
		char hn[128] = "";
		char path[4400];
		snprintf(path, sizeof path, "%s/hostname", sb->dir);
		FILE *f = fopen(path, "r");
		if (f && fgets(hn, sizeof hn, f))
			hn[strcspn(hn, "\n")] = 0;
		if (f)
			fclose(f);
		if (*hn)
			sk_obj_set_str(c->config, "hostname", hn, NULL);
	}
	c->done = done;
	c->cb_ud = cb_ud;
	if (sk_work_submit(O.p, create_work, created, c, &err) != SK_OK) {
		ctr_free(c);
		done(cb_ud, &err, NULL);
	}
}

/* ---- logs ---- */

static void log_line(struct ctr *c, int stream, const char *data, size_t len, int partial)
{
	if (c->log_fd < 0)
		return;
	char head[64];
	now_nano(head, sizeof head);
	char line[64 + 16384 + 2];
	int n = snprintf(line, sizeof line, "%s %s %c ", head, stream == 1 ? "stdout" : "stderr", partial ? 'P' : 'F');
	if (len > sizeof line - (size_t)n - 1)
		len = sizeof line - (size_t)n - 1;
	memcpy(line + n, data, len);
	line[(size_t)n + len] = '\n';
	if (write(c->log_fd, line, (size_t)n + len + 1) < 0)
		sk_log(O.p, SK_LOG_WARN, "cannot write the log of container %s: %s", c->id, strerror(errno));
}

static void on_output(void *ud, int fd, const char *data, size_t len)
{
	struct ctr *c = ud;
	int s = fd == 2 ? 1 : 0;
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n') {
			log_line(c, fd, c->partial[s], c->plen[s], 0);
			c->plen[s] = 0;
			continue;
		}
		if (c->plen[s] == sizeof c->partial[s]) {
			log_line(c, fd, c->partial[s], c->plen[s], 1);
			c->plen[s] = 0;
		}
		c->partial[s][c->plen[s]++] = data[i];
	}
}

/* ---- start and exit ---- */

static void report(struct ctr *c)
{
	if (!O.listener)
		return;
	sk_obj *st = sk_obj_new_object();
	sk_obj_set_str(st, "state", "exited", NULL);
	sk_obj_set_int(st, "exitCode", c->exit_code, NULL);
	sk_obj_set_str(st, "reason", c->reason, NULL);
	if (*c->message)
		sk_obj_set_str(st, "message", c->message, NULL);
	sk_obj_set_str(st, "startedAt", c->started, NULL);
	sk_obj_set_str(st, "finishedAt", c->finished, NULL);
	O.listener(O.listener_ud, c->id, st);
	sk_obj_unref(st);
}

/* the tool's own last error, from its --log file: crun writes the
 * message, runc a logfmt line with msg="..." */
static void tool_complaint(const struct ctr *c, char *out, size_t cap)
{
	char path[4400], line[1024], last[1024] = "";
	*out = 0;
	snprintf(path, sizeof path, "%s/tool.log", c->dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f))
		if (*line != '\n')
			snprintf(last, sizeof last, "%s", line);
	fclose(f);
	last[strcspn(last, "\n")] = 0;
	const char *msg = strstr(last, "msg=\"");
	if (msg) {
		msg += 5;
		size_t n = 0;
		for (const char *p = msg; *p && *p != '"' && n + 1 < cap; p++) {
			if (*p == '\\' && p[1])
				p++;
			out[n++] = *p;
		}
		out[n] = 0;
		return;
	}
	if (strstr(last, "level=") && !strstr(last, "level=error"))
		return; /* runc's informational lines */
	snprintf(out, cap, "%s", last);
}

static void exited(void *ud, const sk_child_result *res)
{
	struct ctr *c = ud;
	for (int s = 0; s < 2; s++)
		if (c->plen[s]) {
			log_line(c, s ? 2 : 1, c->partial[s], c->plen[s], 0);
			c->plen[s] = 0;
		}
	c->pid = 0;
	c->state = S_EXITED;
	c->exit_code = res->term_signal ? 128 + res->term_signal : res->exit_code;
	char tool_err[512];
	tool_complaint(c, tool_err, sizeof tool_err);
	if (c->exit_code == 128 + SIGKILL && cgroup_oom_kills(c->cgroup) > 0) {
		snprintf(c->reason, sizeof c->reason, "OOMKilled");
	} else if (*tool_err) {
		/* the tool could not start the process: what it said is the message */
		snprintf(c->reason, sizeof c->reason, "StartError");
		snprintf(c->message, sizeof c->message, "%s", tool_err);
		c->exit_code = 128;
	} else {
		snprintf(c->reason, sizeof c->reason, "%s", c->exit_code ? "Error" : "Completed");
	}
	sk_clock_rfc3339(c->finished, sizeof c->finished);
	if (c->kill_timer) {
		sk_timer_stop(c->kill_timer);
		c->kill_timer = NULL;
	}
	struct waiter *w = c->stopping;
	c->stopping = NULL;
	report(c);
	while (w) {
		struct waiter *next = w->next;
		oci_reply(w->done, w->cb_ud, NULL);
		free(w);
		w = next;
	}
}

void oci_start_container(void *ud, const char *id, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	struct ctr *c = sk_map_get(O.ctrs, id);
	sk_err err = {0};
	if (!c || c->state != S_CREATED) {
		sk_errf(&err, c ? SK_ECONFLICT : SK_ENOTFOUND, "container %s %s", id, c ? "was started before" : "not found");
		done(cb_ud, &err, NULL);
		return;
	}
	const char *v[32];
	char log[4400];
	snprintf(log, sizeof log, "--log=%s/tool.log", c->dir);
	oci_tool_argv(v, SK_LIST(log, "run", "--bundle", c->dir, c->id));
	sk_child_spec spec = {.size = sizeof spec, .argv = v, .output = on_output, .new_session = 1};
	if (sk_child_spawn(O.p, &spec, exited, c, &c->pid, &err) != SK_OK) {
		done(cb_ud, &err, NULL);
		return;
	}
	c->state = S_RUNNING;
	sk_clock_rfc3339(c->started, sizeof c->started);
	oci_reply(done, cb_ud, NULL);
}

/* ---- stop ---- */

static void tool_done(void *ud, const sk_child_result *res)
{
	(void)ud, (void)res; /* the exit, or the SIGKILL that follows, tells */
}

static void send_signal(struct ctr *c, const char *sig)
{
	const char *v[32];
	oci_tool_argv(v, SK_LIST("kill", c->id, sig));
	sk_child_spec spec = {.size = sizeof spec, .argv = v, .timeout_s = 10};
	sk_err err = {0};
	if (sk_child_spawn(O.p, &spec, tool_done, NULL, NULL, &err) != SK_OK)
		sk_log(O.p, SK_LOG_WARN, "cannot signal container %s: %s", c->id, err.msg);
}

static void kill_now(void *ud)
{
	struct ctr *c = ud;
	sk_timer_stop(c->kill_timer);
	c->kill_timer = NULL;
	if (c->state != S_RUNNING)
		return;
	send_signal(c, "KILL");
	/* the tool itself, should the container never have started */
	if (c->pid > 0)
		kill(c->pid, SIGKILL);
}

void oci_stop_container(void *ud, const char *id, double timeout_s, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	struct ctr *c = sk_map_get(O.ctrs, id);
	if (!c || c->state != S_RUNNING) {
		oci_reply(done, cb_ud, NULL); /* stopping is safe to repeat */
		return;
	}
	struct waiter *w = calloc(1, sizeof *w);
	if (w) {
		w->done = done;
		w->cb_ud = cb_ud;
		w->next = c->stopping;
		c->stopping = w;
	}
	if (!c->killing) {
		c->killing = 1;
		send_signal(c, timeout_s > 0 ? "TERM" : "KILL");
		c->kill_timer = sk_timer_start(O.p, timeout_s > 0 ? timeout_s : 2, 0, kill_now, c);
	}
}

/* ---- remove ---- */

struct removal {
	struct ctr *c;
	sk_done_fn done;
	void *cb_ud;
};

static void remove_work(void *ud)
{
	struct ctr *c = ((struct removal *)ud)->c;
	bundle_unmount(c->rootfs);
	cgroup_remove(c->cgroup);
	oci_rmrf(c->dir); /* upper and work dirs go; the log file is the agent's and stays */
}

static void removed(void *ud)
{
	struct removal *r = ud;
	ctr_free(r->c);
	oci_reply(r->done, r->cb_ud, NULL);
	free(r);
}

static void deleted(void *ud, const sk_child_result *res)
{
	(void)res; /* a container the tool no longer knows is fine */
	struct removal *r = ud;
	sk_err err = {0};
	if (sk_work_submit(O.p, remove_work, removed, r, &err) != SK_OK)
		removed(r);
}

void oci_remove_container(void *ud, const char *id, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	struct ctr *c = sk_map_get(O.ctrs, id);
	if (!c) {
		oci_reply(done, cb_ud, NULL);
		return;
	}
	if (c->state == S_RUNNING) {
		sk_err e;
		sk_errf(&e, SK_ECONFLICT, "container %s is running: stop it first", id);
		done(cb_ud, &e, NULL);
		return;
	}
	sk_map_del(O.ctrs, id);
	struct removal *r = calloc(1, sizeof *r);
	r->c = c;
	r->done = done;
	r->cb_ud = cb_ud;
	const char *v[32];
	oci_tool_argv(v, SK_LIST("delete", "--force", c->id));
	sk_child_spec spec = {.size = sizeof spec, .argv = v, .timeout_s = 30};
	sk_err err = {0};
	if (sk_child_spawn(O.p, &spec, deleted, r, NULL, &err) != SK_OK)
		deleted(r, NULL);
}

void oci_container_status(void *ud, const char *id, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	struct ctr *c = sk_map_get(O.ctrs, id);
	if (!c) {
		sk_err e;
		sk_errf(&e, SK_ENOTFOUND, "container %s not found", id);
		done(cb_ud, &e, NULL);
		return;
	}
	sk_obj *st = sk_obj_new_object();
	static const char *const names[] = {"created", "running", "exited"};
	sk_obj_set_str(st, "state", names[c->state], NULL);
	if (*c->started)
		sk_obj_set_str(st, "startedAt", c->started, NULL);
	if (c->state == S_EXITED) {
		sk_obj_set_int(st, "exitCode", c->exit_code, NULL);
		sk_obj_set_str(st, "reason", c->reason, NULL);
		sk_obj_set_str(st, "finishedAt", c->finished, NULL);
		if (*c->message)
			sk_obj_set_str(st, "message", c->message, NULL);
	}
	if (c->pid > 0)
		sk_obj_set_int(st, "pid", c->pid, NULL);
	done(cb_ud, NULL, st);
	sk_obj_unref(st);
}

void oci_pull_image(void *ud, const sk_obj *spec, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	sk_err err = {0};
	const char *ref = sk_obj_get_str(spec, "image"), *policy = sk_obj_get_str(spec, "imagePullPolicy");
	struct image *im = image_find(O.images, ref, &err);
	if (im) {
		sk_obj *r = sk_obj_new_object();
		sk_obj_set_bool(r, "pulled", 0, NULL);
		sk_obj_set_str(r, "imageID", im->id, NULL);
		sk_obj_set_int(r, "size", im->size, NULL);
		done(cb_ud, NULL, r);
		sk_obj_unref(r);
		image_free(im);
		return;
	}
	if (policy && !strcmp(policy, "Never"))
		sk_errf(&err, SK_ENOTFOUND, "Container image \"%s\" is not present with pull policy of Never", ref);
	done(cb_ud, &err, NULL);
}

static int kill_one(void *ud, const char *key, void *value)
{
	(void)ud, (void)key;
	struct ctr *c = value;
	if (c->state == S_RUNNING) {
		/* nobody supervises it once the server is gone */
		const char *v[32];
		oci_tool_argv(v, SK_LIST("delete", "--force", c->id));
		oci_run_sync(v, NULL, 0);
	}
	ctr_free(c);
	return 0;
}

void oci_kill_all(void)
{
	if (O.ctrs)
		sk_map_foreach(O.ctrs, kill_one, NULL);
	sk_map_free(O.ctrs, NULL);
	O.ctrs = NULL;
}
