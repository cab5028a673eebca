/* pod.c — converging one pod, as the kubelet's pod workers do: a sandbox
 * (the namespaces its containers share), its network, init containers one
 * by one in order, then the others; restarts by restartPolicy with the
 * kubelet's back-off (immediately, then 10 s doubling to 5 min, reset after
 * 10 min of running); on deletion every container stopped with its grace
 * period, the network and sandbox released, and the final delete of the Pod
 * object. A finished pod (Succeeded/Failed) releases its sandbox and IP too.
 *
 * Each run takes one step at a time: a step starts runtime or network calls
 * (r->busy counts them) and their completions queue the pod again, so every
 * decision is made in one place (step) from the run's state. */
#include "agent.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKOFF_RESET_S 600.0

/* ---- runs ---- */

static const sk_obj *ctr_spec(const struct run *r, size_t i)
{
	char path[64];
	if (i < r->ninit)
		snprintf(path, sizeof path, "spec.initContainers[%zu]", i);
	else
		snprintf(path, sizeof path, "spec.containers[%zu]", i - r->ninit);
	return sk_obj_get(r->pod, path);
}

static void set_waiting(struct ctr *c, const char *reason, const char *message)
{
	c->state = C_WAITING;
	free(c->reason);
	free(c->message);
	c->reason = reason ? strdup(reason) : NULL;
	c->message = message ? strdup(message) : NULL;
}

static struct run *run_new(struct agent *a, const char *key, const sk_obj *pod)
{
	struct run *r = calloc(1, sizeof *r);
	const sk_obj *init = sk_obj_get(pod, "spec.initContainers"), *main = sk_obj_get(pod, "spec.containers");
	if (!r)
		return NULL;
	r->a = a;
	r->key = strdup(key);
	r->uid = strdup(sk_obj_get_str(pod, "metadata.uid") ? sk_obj_get_str(pod, "metadata.uid") : "");
	r->pod = sk_obj_ref((sk_obj *)pod);
	r->ninit = sk_obj_len(init);
	r->n = r->ninit + sk_obj_len(main);
	r->ctrs = calloc(r->n ? r->n : 1, sizeof *r->ctrs);
	strcpy(r->phase, "Pending");
	sk_clock_rfc3339(r->start_time, sizeof r->start_time);
	for (size_t i = 0; r->ctrs && i < r->n; i++) {
		struct ctr *c = &r->ctrs[i];
		c->init = i < r->ninit;
		c->name = strdup(sk_obj_get_str(ctr_spec(r, i), "name") ? sk_obj_get_str(ctr_spec(r, i), "name") : "");
		/* app containers wait for init containers first */
		set_waiting(c, c->init || !r->ninit ? "ContainerCreating" : "PodInitializing", NULL);
	}
	return r;
}

void run_free(void *p)
{
	struct run *r = p;
	if (!r)
		return;
	for (size_t i = 0; r->ctrs && i < r->n; i++) {
		struct ctr *c = &r->ctrs[i];
		if (c->id)
			sk_map_del(r->a->by_ctr, c->id);
		free(c->name);
		free(c->id);
		free(c->reason);
		free(c->message);
		sk_obj_unref(c->last_terminated);
	}
	free(r->ctrs);
	sk_obj_unref(r->pod);
	free(r->key);
	free(r->uid);
	free(r->sandbox_id);
	free(r->netns);
	free(r->ip);
	free(r->sandbox_error);
	free(r);
}

void run_requeue(struct run *r, double after_s)
{
	if (r->a->stopping) {
		/* stop() left this run to its last completion */
		if (!r->busy)
			run_free(r);
		return;
	}
	if (after_s > 0)
		sk_queue_add_after(r->a->queue, r->key, after_s);
	else
		sk_queue_add(r->a->queue, r->key);
}

static void requeue(struct run *r) { run_requeue(r, 0); }

static void call_done(struct run *r)
{
	r->busy--;
	if (!r->busy)
		requeue(r);
}

static double grace_period(const struct run *r)
{
	int64_t g = sk_obj_get_int(r->pod, "metadata.deletionGracePeriodSeconds", -1);
	if (g < 0)
		g = sk_obj_get_int(r->pod, "spec.terminationGracePeriodSeconds", 30);
	return g < 0 ? 30 : (double)g;
}

const char *run_restart_policy(const struct run *r)
{
	const char *p = sk_obj_get_str(r->pod, "spec.restartPolicy");
	return p ? p : "Always";
}

/* whether container i restarts after exiting with code */
static int restarts(const struct run *r, size_t i, int code)
{
	const char *p = run_restart_policy(r);
	if (i < r->ninit) /* init containers retry until they succeed, unless Never */
		return code != 0 && strcmp(p, "Never");
	return !strcmp(p, "Always") || (!strcmp(p, "OnFailure") && code != 0);
}

static int deleting(const struct run *r)
{
	return r->deleted || sk_obj_get_str(r->pod, "metadata.deletionTimestamp");
}

/* ---- the runtime's reports ---- */

static void take_status(struct ctr *c, const sk_obj *st)
{
	const char *state = sk_obj_get_str(st, "state");
	if (!state || strcmp(state, "exited"))
		return;
	c->state = C_EXITED;
	c->exit_code = (int)sk_obj_get_int(st, "exitCode", 0);
	const char *reason = sk_obj_get_str(st, "reason");
	free(c->reason);
	free(c->message);
	c->reason = strdup(reason ? reason : c->exit_code ? "Error" : "Completed");
	c->message = sk_obj_get_str(st, "message") ? strdup(sk_obj_get_str(st, "message")) : NULL;
	const char *fin = sk_obj_get_str(st, "finishedAt");
	if (fin)
		snprintf(c->finished_at, sizeof c->finished_at, "%s", fin);
	else
		sk_clock_rfc3339(c->finished_at, sizeof c->finished_at);
	c->ready = 0;
}

/* the back-off before the next start: none after the first crash, then
 * initial doubling to max, and none again after a long healthy run */
static void plan_restart(struct agent *a, struct ctr *c, double ran_s)
{
	double now = sk_monotonic();
	if (ran_s >= BACKOFF_RESET_S)
		c->backoff_s = 0;
	c->restart_at = now + c->backoff_s;
	c->backoff_s = c->backoff_s ? c->backoff_s * 2 : a->backoff_initial_s;
	if (c->backoff_s > a->backoff_max_s)
		c->backoff_s = a->backoff_max_s;
}

/* an ended instance becomes lastState; the container waits for its restart */
static void archive(struct run *r, struct ctr *c)
{
	sk_obj *t = sk_obj_new_object();
	sk_obj_set_int(t, "terminated.exitCode", c->exit_code, NULL);
	sk_obj_set_str(t, "terminated.reason", c->reason ? c->reason : "Error", NULL);
	if (c->message)
		sk_obj_set_str(t, "terminated.message", c->message, NULL);
	sk_obj_set_str(t, "terminated.startedAt", c->started_at, NULL);
	sk_obj_set_str(t, "terminated.finishedAt", c->finished_at, NULL);
	if (c->id) {
		char cid[300];
		snprintf(cid, sizeof cid, "%s://%s", r->a->rt->name, c->id);
		sk_obj_set_str(t, "terminated.containerID", cid, NULL);
	}
	sk_obj_unref(c->last_terminated);
	c->last_terminated = t;
	if (c->restart_at > sk_monotonic()) {
		char msg[600];
		snprintf(msg, sizeof msg, "back-off %.0fs restarting failed container=%s pod=%s_%s(%s)",
		         c->restart_at - sk_monotonic() + 0.5, c->name, sk_obj_get_str(r->pod, "metadata.name"),
		         sk_obj_get_str(r->pod, "metadata.namespace"), r->uid);
		set_waiting(c, "CrashLoopBackOff", msg);
		status_event(r, "Warning", "BackOff", "Back-off restarting failed container %s in pod %s", c->name,
		             sk_obj_get_str(r->pod, "metadata.name"));
	} else {
		set_waiting(c, "ContainerCreating", NULL);
	}
}

void pod_container_exited(struct agent *a, const char *id, const sk_obj *status)
{
	struct run *r = sk_map_get(a->by_ctr, id);
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct ctr *c = &r->ctrs[i];
		if (!c->id || strcmp(c->id, id) || c->state != C_RUNNING)
			continue;
		double ran = sk_monotonic() - c->restart_at;
		take_status(c, status);
		if (r->stage != R_TEARDOWN && !deleting(r) && restarts(r, i, c->exit_code)) {
			plan_restart(a, c, ran);
			archive(r, c);
		}
		requeue(r);
		return;
	}
}

/* ---- starting a container: pull, create, start ---- */

struct start {
	struct run *r;
	size_t i;
	sk_obj *config;
	double t0;
};

static void start_failed(struct start *s, const char *reason, const char *verb, const sk_err *err)
{
	struct run *r = s->r;
	struct ctr *c = &r->ctrs[s->i];
	(void)verb;
	plan_restart(r->a, c, 0);
	set_waiting(c, reason, err->msg);
	status_event(r, "Warning", "Failed", "Error: %s", err->msg);
	sk_obj_unref(s->config);
	free(s);
	call_done(r);
}

static void started(void *ud, const sk_err *err, const sk_obj *res)
{
	(void)res;
	struct start *s = ud;
	struct run *r = s->r;
	struct ctr *c = &r->ctrs[s->i];
	if (err)
		return start_failed(s, "RunContainerError", "start", err);
	c->state = C_RUNNING;
	free(c->reason);
	c->reason = NULL;
	sk_clock_rfc3339(c->started_at, sizeof c->started_at);
	c->restart_at = sk_monotonic(); /* from now on: how long it has run */
	c->ready = 1;                   /* readiness probes refine this (probe.c) */
	status_event(r, "Normal", "Started", "Started container %s", c->name);
	sk_obj_unref(s->config);
	free(s);
	call_done(r);
}

static void created(void *ud, const sk_err *err, const sk_obj *res)
{
	struct start *s = ud;
	struct run *r = s->r;
	struct ctr *c = &r->ctrs[s->i];
	const char *id = sk_obj_get_str(res, "id");
	if (err || !id) {
		sk_err e = {SK_EIO, "the runtime returned no container id"};
		return start_failed(s, "CreateContainerError", "create", err ? err : &e);
	}
	free(c->id);
	c->id = strdup(id);
	sk_map_put(r->a->by_ctr, id, r, NULL);
	status_event(r, "Normal", "Created", "Created container %s", c->name);
	r->a->rt->start_container(r->a->rt_ud, id, started, s);
}

static void pulled(void *ud, const sk_err *err, const sk_obj *res)
{
	struct start *s = ud;
	struct run *r = s->r;
	struct ctr *c = &r->ctrs[s->i];
	const char *image = sk_obj_get_str(s->config, "image");
	if (err) {
		status_event(r, "Warning", "Failed", "Failed to pull image \"%s\": %s", image, err->msg);
		/* ErrImagePull the first time, ImagePullBackOff while it waits */
		sk_err e = *err;
		int again = c->reason && (!strcmp(c->reason, "ErrImagePull") || !strcmp(c->reason, "ImagePullBackOff"));
		return start_failed(s, again ? "ImagePullBackOff" : "ErrImagePull", "pull", &e);
	}
	if (sk_obj_get_bool(res, "pulled", 0)) {
		status_event(r, "Normal", "Pulling", "Pulling image \"%s\"", image);
		status_event(r, "Normal", "Pulled", "Successfully pulled image \"%s\" in %.0fms", image,
		             (sk_monotonic() - s->t0) * 1000);
	} else if (!c->pulled) {
		status_event(r, "Normal", "Pulled", "Container image \"%s\" already present on machine", image);
	}
	c->pulled = 1;
	if (sk_obj_get_str(res, "imageID"))
		sk_obj_set_str(s->config, "imageID", sk_obj_get_str(res, "imageID"), NULL);
	sk_obj_set_str(s->config, "sandboxNetns", r->netns ? r->netns : "", NULL);
	r->a->rt->create_container(r->a->rt_ud, r->sandbox_id, s->config, created, s);
}

static void removed_old(void *ud, const sk_err *err, const sk_obj *res)
{
	(void)err, (void)res;
	call_done(ud);
}

static void start_ctr(struct run *r, size_t i)
{
	struct ctr *c = &r->ctrs[i];
	if (c->id) { /* the exited instance goes first; its log file stays */
		sk_map_del(r->a->by_ctr, c->id);
		r->busy++;
		char *id = c->id;
		c->id = NULL;
		r->a->rt->remove_container(r->a->rt_ud, id, removed_old, r);
		free(id);
		return;
	}
	if (c->started_at[0])
		c->restarts++; /* it has run before: this is a restart */
	sk_err err = {0};
	struct start *s = calloc(1, sizeof *s);
	if (!s)
		return;
	s->r = r;
	s->i = i;
	s->t0 = sk_monotonic();
	r->busy++;
	if (!(s->config = container_config(r, c, ctr_spec(r, i), &err))) {
		set_waiting(c, "CreateContainerConfigError", err.msg);
		status_event(r, "Warning", "Failed", "Error: %s", err.msg);
		plan_restart(r->a, c, 0);
		free(s);
		call_done(r);
		return;
	}
	r->a->rt->pull_image(r->a->rt_ud, s->config, pulled, s);
}

/* ---- the containers step ---- */

static void wait_until(struct run *r, double at)
{
	double d = at - sk_monotonic();
	run_requeue(r, d > 0.001 ? d : 0.001);
}

/* starts what is due; returns 1 when it started something */
static int step_containers(struct run *r)
{
	double now = sk_monotonic();
	for (size_t i = 0; i < r->ninit; i++) {
		struct ctr *c = &r->ctrs[i];
		if (c->state == C_EXITED && c->exit_code == 0)
			continue;
		if (c->state != C_WAITING)
			return 0; /* running, or failed for good */
		if (c->restart_at > now) {
			wait_until(r, c->restart_at);
			return 0;
		}
		start_ctr(r, i);
		return 1;
	}
	for (size_t i = r->ninit; i < r->n; i++) {
		struct ctr *c = &r->ctrs[i];
		if (c->state != C_WAITING)
			continue;
		if (c->restart_at > now) {
			wait_until(r, c->restart_at);
			continue;
		}
		start_ctr(r, i);
		return 1;
	}
	return 0;
}

/* every container has ended for good, or an init container failed for good */
static int finished(const struct run *r)
{
	for (size_t i = 0; i < r->ninit; i++)
		if (r->ctrs[i].state == C_EXITED && r->ctrs[i].exit_code != 0)
			return 1;
	for (size_t i = 0; i < r->n; i++)
		if (r->ctrs[i].state != C_EXITED)
			return 0;
	return r->n > 0;
}

/* ---- sandbox and network ---- */

static void sandbox_failed(struct run *r, const char *what, const sk_err *err)
{
	free(r->sandbox_error);
	r->sandbox_error = strdup(err->msg);
	status_event(r, "Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: %s: %s", what, err->msg);
	run_requeue(r, 2.0);
}

static void sandbox_up(void *ud, const sk_err *err, const sk_obj *res)
{
	struct run *r = ud;
	r->busy--;
	if (err || !sk_obj_get_str(res, "id")) {
		sk_err e = {SK_EIO, "the runtime returned no sandbox id"};
		sandbox_failed(r, "runtime", err ? err : &e);
		return;
	}
	r->sandbox_id = strdup(sk_obj_get_str(res, "id"));
	const char *netns = sk_obj_get_str(res, "netns"), *ip = sk_obj_get_str(res, "ip");
	if (netns && *netns)
		r->netns = strdup(netns);
	if (sk_obj_get_bool(r->pod, "spec.hostNetwork", 0))
		r->ip = strdup(r->a->host_ip);
	else if (ip)
		r->ip = strdup(ip);
	r->stage = r->netns && r->a->net && !sk_obj_get_bool(r->pod, "spec.hostNetwork", 0) ? R_NETWORK : R_CONTAINERS;
	free(r->sandbox_error);
	r->sandbox_error = NULL;
	requeue(r);
}

static sk_obj *attachment(const struct run *r)
{
	sk_obj *at = sk_obj_new_object();
	sk_obj_set_str(at, "containerID", r->sandbox_id, NULL);
	sk_obj_set_str(at, "netns", r->netns ? r->netns : "", NULL);
	sk_obj_set_str(at, "ifName", "eth0", NULL);
	sk_obj_set_str(at, "namespace", sk_obj_get_str(r->pod, "metadata.namespace"), NULL);
	sk_obj_set_str(at, "name", sk_obj_get_str(r->pod, "metadata.name"), NULL);
	sk_obj_set_str(at, "uid", r->uid, NULL);
	/* hostPorts of every container, for the portmap plugin */
	sk_obj *maps = sk_obj_new_array();
	for (size_t i = r->ninit; i < r->n; i++) {
		const sk_obj *ports = sk_obj_get(ctr_spec(r, i), "ports");
		for (size_t j = 0; j < sk_obj_len(ports); j++) {
			const sk_obj *pt = sk_obj_at(ports, j);
			int64_t hp = sk_obj_get_int(pt, "hostPort", 0);
			if (hp <= 0)
				continue;
			sk_obj *m = sk_obj_new_object();
			sk_obj_set_int(m, "hostPort", hp, NULL);
			sk_obj_set_int(m, "containerPort", sk_obj_get_int(pt, "containerPort", hp), NULL);
			const char *proto = sk_obj_get_str(pt, "protocol");
			sk_obj_set_str(m, "protocol", proto ? proto : "TCP", NULL);
			sk_obj_append(maps, m);
			sk_obj_unref(m);
		}
	}
	sk_obj_set(at, "portMappings", maps, NULL);
	sk_obj_unref(maps);
	return at;
}

static void net_added(void *ud, const sk_err *err, const sk_obj *res)
{
	struct run *r = ud;
	r->busy--;
	/* an attachment half made is undone before the next try (DEL is safe) */
	r->net_attached = 1;
	if (err) {
		sandbox_failed(r, "network", err);
		r->stage = R_TEARDOWN; /* release it all and start over */
		r->sandbox_error = r->sandbox_error ? r->sandbox_error : strdup(err->msg);
		requeue(r);
		return;
	}
	const char *addr = sk_obj_get_str(res, "ips[0].address");
	if (addr) {
		free(r->ip);
		r->ip = strndup(addr, strcspn(addr, "/"));
	}
	r->stage = R_CONTAINERS;
	requeue(r);
}

/* ---- teardown ---- */

struct stopping {
	struct run *r;
	size_t i;
};

static void ctr_stopped_status(void *ud, const sk_err *err, const sk_obj *st)
{
	struct stopping *s = ud;
	struct ctr *c = &s->r->ctrs[s->i];
	if (!err)
		take_status(c, st);
	else if (c->state == C_RUNNING)
		c->state = C_EXITED;
	struct run *r = s->r;
	free(s);
	call_done(r);
}

static void ctr_stopped(void *ud, const sk_err *err, const sk_obj *res)
{
	(void)err, (void)res;
	struct stopping *s = ud;
	struct ctr *c = &s->r->ctrs[s->i];
	if (c->id && c->state == C_RUNNING) { /* the exit report may come later: ask */
		s->r->a->rt->container_status(s->r->a->rt_ud, c->id, ctr_stopped_status, s);
		return;
	}
	struct run *r = s->r;
	free(s);
	call_done(r);
}

static void released(void *ud, const sk_err *err, const sk_obj *res)
{
	(void)res;
	struct run *r = ud;
	if (err)
		sk_log(r->a->p, SK_LOG_WARN, "releasing pod %s: %s", r->key, err->msg);
	call_done(r);
}

static void sandbox_stopped(void *ud, const sk_err *err, const sk_obj *res)
{
	(void)res;
	struct run *r = ud;
	if (err)
		sk_log(r->a->p, SK_LOG_WARN, "stopping the sandbox of pod %s: %s", r->key, err->msg);
	char *id = r->sandbox_id;
	r->sandbox_id = NULL;
	r->a->rt->remove_sandbox(r->a->rt_ud, id, released, r);
	free(id);
}

static void finally_deleted(void *ud, const sk_err *err, const sk_obj *res)
{
	(void)res;
	struct run *r = ud;
	if (err && err->code != SK_ENOTFOUND) {
		/* changed meanwhile: the next look decides again */
		r->busy--;
		requeue(r);
		return;
	}
	r->deleted = 1;
	call_done(r);
}

/* returns 1 while something is still being released */
static int teardown(struct run *r)
{
	struct agent *a = r->a;
	double grace = grace_period(r);
	for (size_t i = 0; i < r->n; i++) {
		struct ctr *c = &r->ctrs[i];
		if (!c->id || c->state != C_RUNNING)
			continue;
		struct stopping *s = calloc(1, sizeof *s);
		if (!s)
			continue;
		s->r = r;
		s->i = i;
		r->busy++;
		if (deleting(r))
			status_event(r, "Normal", "Killing", "Stopping container %s", c->name);
		a->rt->stop_container(a->rt_ud, c->id, grace, ctr_stopped, s);
	}
	if (r->busy)
		return 1;
	for (size_t i = 0; i < r->n && deleting(r); i++) {
		struct ctr *c = &r->ctrs[i];
		if (!c->id)
			continue;
		sk_map_del(a->by_ctr, c->id);
		r->busy++;
		a->rt->remove_container(a->rt_ud, c->id, released, r);
		free(c->id);
		c->id = NULL;
	}
	if (r->busy)
		return 1;
	if (r->net_attached && a->net) {
		sk_obj *at = attachment(r);
		r->net_attached = 0;
		r->busy++;
		a->net->del(a->net_ud, at, released, r);
		sk_obj_unref(at);
		return 1;
	}
	if (r->sandbox_id) {
		r->busy++;
		a->rt->stop_sandbox(a->rt_ud, r->sandbox_id, sandbox_stopped, r);
		return 1;
	}
	free(r->netns);
	r->netns = NULL;
	return 0;
}

/* ---- one step ---- */

static void step(struct run *r)
{
	struct agent *a = r->a;
	if (r->busy)
		return;
	if (deleting(r) || r->stage == R_TEARDOWN) {
		r->stage = R_TEARDOWN;
		if (teardown(r))
			return;
		if (!deleting(r)) { /* a failed network attach: start over */
			r->stage = R_SANDBOX;
			run_requeue(r, 2.0);
			return;
		}
		if (!r->deleted) {
			r->busy++;
			int64_t rv = strtoll(sk_obj_get_str(r->pod, "metadata.resourceVersion"), NULL, 10);
			sk_api_delete(a->p, "", "pods", sk_obj_get_str(r->pod, "metadata.namespace"),
			              sk_obj_get_str(r->pod, "metadata.name"), rv, finally_deleted, r);
			return;
		}
		r->stage = R_GONE;
		return;
	}
	const char *phase = sk_obj_get_str(r->pod, "status.phase");
	int done = phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"));
	if (done && strcmp(r->phase, "Pending") == 0 && r->stage == R_SANDBOX) {
		/* finished before this agent started: nothing to run again */
		snprintf(r->phase, sizeof r->phase, "%s", phase);
		return;
	}
	switch (r->stage) {
	case R_SANDBOX:
		r->busy++;
		a->rt->run_sandbox(a->rt_ud, r->pod, sandbox_up, r);
		break;
	case R_NETWORK: {
		sk_obj *at = attachment(r);
		r->busy++;
		a->net->add(a->net_ud, at, net_added, r);
		sk_obj_unref(at);
		break;
	}
	case R_CONTAINERS:
		if (step_containers(r))
			break;
		if (finished(r)) {
			/* the pod is done: its containers stay for logs, its IP goes */
			if (r->net_attached || r->sandbox_id)
				teardown(r);
		}
		break;
	default:
		break;
	}
	status_report(r);
}

int pod_reconcile(void *ud, const char *key)
{
	struct agent *a = ud;
	if (a->stopping)
		return SK_QUEUE_DONE;
	char ns[300] = "";
	const char *slash = strchr(key, '/'), *name = slash ? slash + 1 : key;
	if (slash)
		snprintf(ns, sizeof ns, "%.*s", (int)(slash - key), key);
	const sk_obj *pod = sk_informer_get(a->pods, slash ? ns : NULL, name);
	struct run *r = sk_map_get(a->runs, key);
	if (r && (!pod || strcmp(r->uid, sk_obj_get_str(pod, "metadata.uid") ? sk_obj_get_str(pod, "metadata.uid") : "")))
		r->deleted = 1; /* gone, or replaced by a pod of the same name */
	else if (r && pod && pod != r->pod) {
		sk_obj_unref(r->pod);
		r->pod = sk_obj_ref((sk_obj *)pod);
	}
	if (!r) {
		if (!pod)
			return SK_QUEUE_DONE;
		if (!(r = run_new(a, key, pod)) || !r->ctrs) {
			run_free(r);
			return SK_QUEUE_RETRY;
		}
		sk_map_put(a->runs, key, r, NULL);
	}
	step(r);
	if (r->stage == R_GONE && !r->busy) {
		sk_map_del(a->runs, key);
		run_free(r);
		if (pod) /* a new pod of the same name waits for the old one */
			sk_queue_add(a->queue, key);
	}
	return SK_QUEUE_DONE;
}
