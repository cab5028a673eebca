/* status.c — a pod's status as the kubelet reports it: phase (its
 * getPhase rules), the conditions kubectl shows (PodReadyToStartContainers,
 * Initialized, ContainersReady, Ready, PodScheduled), IPs, startTime and a
 * status per container with its state, last state, restarts and
 * readiness; and the Events that tell the story in `kubectl describe pod`.
 * Conditions written by others (the scheduler's, readiness gates',
 * DisruptionTarget) are kept; a status is written only when it changed. */
#include "agent.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void phase_of(const struct run *r, char *out, size_t cap)
{
	const char *policy = run_restart_policy(r);
	for (size_t i = 0; i < r->ninit; i++) {
		const struct ctr *c = &r->ctrs[i];
		if (c->state == C_EXITED && c->exit_code == 0)
			continue;
		snprintf(out, cap, "%s", c->state == C_EXITED && !strcmp(policy, "Never") ? "Failed" : "Pending");
		return;
	}
	size_t waiting = 0, running = 0, stopped = 0, succeeded = 0;
	for (size_t i = r->ninit; i < r->n; i++) {
		const struct ctr *c = &r->ctrs[i];
		if (c->state == C_RUNNING)
			running++;
		else if (c->state == C_EXITED)
			stopped++, succeeded += c->exit_code == 0;
		else if (c->last_terminated)
			stopped++; /* restarting */
		else
			waiting++;
	}
	const char *ph = "Pending";
	if (waiting)
		ph = "Pending";
	else if (running)
		ph = "Running";
	else if (stopped)
		ph = !strcmp(policy, "Always")       ? "Running"
		     : stopped == succeeded           ? "Succeeded"
		     : !strcmp(policy, "OnFailure")   ? "Running"
		                                      : "Failed";
	snprintf(out, cap, "%s", ph);
}

static sk_obj *ctr_status(const struct run *r, const struct ctr *c, const sk_obj *spec)
{
	sk_obj *s = sk_obj_new_object();
	char cid[300] = "";
	if (c->id)
		snprintf(cid, sizeof cid, "%s://%s", r->a->rt->name, c->id);
	sk_obj_set_str(s, "name", c->name, NULL);
	sk_obj_set_str(s, "image", sk_obj_get_str(spec, "image") ? sk_obj_get_str(spec, "image") : "", NULL);
	sk_obj_set_str(s, "imageID", "", NULL);
	if (*cid)
		sk_obj_set_str(s, "containerID", cid, NULL);
	sk_obj_set_bool(s, "ready", c->state == C_RUNNING && c->ready, NULL);
	sk_obj_set_bool(s, "started", c->state == C_RUNNING, NULL);
	sk_obj_set_int(s, "restartCount", c->restarts, NULL);
	switch (c->state) {
	case C_RUNNING:
		sk_obj_set_str(s, "state.running.startedAt", c->started_at, NULL);
		break;
	case C_EXITED:
		sk_obj_set_int(s, "state.terminated.exitCode", c->exit_code, NULL);
		sk_obj_set_str(s, "state.terminated.reason", c->reason ? c->reason : "Completed", NULL);
		if (c->message)
			sk_obj_set_str(s, "state.terminated.message", c->message, NULL);
		sk_obj_set_str(s, "state.terminated.startedAt", c->started_at, NULL);
		sk_obj_set_str(s, "state.terminated.finishedAt", c->finished_at, NULL);
		if (*cid)
			sk_obj_set_str(s, "state.terminated.containerID", cid, NULL);
		break;
	default:
		sk_obj_set_str(s, "state.waiting.reason", c->reason ? c->reason : "ContainerCreating", NULL);
		if (c->message)
			sk_obj_set_str(s, "state.waiting.message", c->message, NULL);
	}
	if (c->last_terminated)
		sk_obj_set(s, "lastState", c->last_terminated, NULL);
	else {
		sk_obj *empty = sk_obj_new_object();
		sk_obj_set(s, "lastState", empty, NULL);
		sk_obj_unref(empty);
	}
	return s;
}

/* "[a b]" of the containers for which bad() holds, as the kubelet lists them */
static int names_where(const struct run *r, size_t from, size_t to, int (*bad)(const struct ctr *), char *out,
                       size_t cap)
{
	size_t len = 0;
	int n = 0;
	len += (size_t)snprintf(out, cap, "[");
	for (size_t i = from; i < to && len < cap; i++)
		if (bad(&r->ctrs[i]))
			len += (size_t)snprintf(out + len, cap - len, "%s%s", n++ ? " " : "", r->ctrs[i].name);
	if (len < cap)
		snprintf(out + len, cap - len, "]");
	return n;
}

static int not_ready(const struct ctr *c) { return !(c->state == C_RUNNING && c->ready); }
static int not_done(const struct ctr *c) { return !(c->state == C_EXITED && c->exit_code == 0); }

static void conditions(const struct run *r, sk_obj *st, const char *phase)
{
	char names[1024], msg[1100];
	sk_condition_set(st, "PodReadyToStartContainers", r->sandbox_id ? "True" : "False", NULL, NULL);
	if (names_where(r, 0, r->ninit, not_done, names, sizeof names) && strcmp(phase, "Succeeded")) {
		snprintf(msg, sizeof msg, "containers with incomplete status: %s", names);
		sk_condition_set(st, "Initialized", "False", "ContainersNotInitialized", msg);
	} else {
		sk_condition_set(st, "Initialized", "True", NULL, NULL);
	}
	int done = !strcmp(phase, "Succeeded") || !strcmp(phase, "Failed");
	if (done) {
		sk_condition_set(st, "ContainersReady", "False", "PodCompleted", "");
		sk_condition_set(st, "Ready", "False", "PodCompleted", "");
	} else if (names_where(r, r->ninit, r->n, not_ready, names, sizeof names)) {
		snprintf(msg, sizeof msg, "containers with unready status: %s", names);
		sk_condition_set(st, "ContainersReady", "False", "ContainersNotReady", msg);
		sk_condition_set(st, "Ready", "False", "ContainersNotReady", msg);
	} else {
		sk_condition_set(st, "ContainersReady", "True", NULL, NULL);
		sk_condition_set(st, "Ready", "True", NULL, NULL);
	}
	sk_condition_set(st, "PodScheduled", "True", NULL, NULL);
}

static sk_obj *ip_list(const char *ip)
{
	sk_obj *list = sk_obj_new_array(), *e = sk_obj_new_object();
	sk_obj_set_str(e, "ip", ip, NULL);
	sk_obj_append(list, e);
	sk_obj_unref(e);
	return list;
}

static sk_obj *build(const struct run *r)
{
	const sk_obj *old = sk_obj_get(r->pod, "status");
	sk_obj *st = old ? sk_obj_copy(old) : sk_obj_new_object();
	char phase[16];
	phase_of(r, phase, sizeof phase);
	sk_obj_set_str(st, "phase", phase, NULL);
	conditions(r, st, phase);
	sk_obj_set_str(st, "hostIP", r->a->host_ip, NULL);
	sk_obj *l = ip_list(r->a->host_ip);
	sk_obj_set(st, "hostIPs", l, NULL);
	sk_obj_unref(l);
	if (r->ip) {
		sk_obj_set_str(st, "podIP", r->ip, NULL);
		l = ip_list(r->ip);
		sk_obj_set(st, "podIPs", l, NULL);
		sk_obj_unref(l);
	}
	if (!sk_obj_get_str(st, "startTime"))
		sk_obj_set_str(st, "startTime", r->start_time, NULL);
	sk_obj *init = sk_obj_new_array(), *main = sk_obj_new_array();
	for (size_t i = 0; i < r->n; i++) {
		char path[64];
		snprintf(path, sizeof path, i < r->ninit ? "spec.initContainers[%zu]" : "spec.containers[%zu]",
		         i < r->ninit ? i : i - r->ninit);
		sk_obj *cs = ctr_status(r, &r->ctrs[i], sk_obj_get(r->pod, path));
		sk_obj_append(i < r->ninit ? init : main, cs);
		sk_obj_unref(cs);
	}
	if (r->ninit)
		sk_obj_set(st, "initContainerStatuses", init, NULL);
	sk_obj_set(st, "containerStatuses", main, NULL);
	sk_obj_unref(init);
	sk_obj_unref(main);
	return st;
}

static void written(void *ud, const sk_err *err, const sk_obj *stored)
{
	(void)stored;
	struct run *r = ud;
	r->status_writing = 0;
	/* a conflict: the informer brings the newer pod and the next step writes again */
	if (err && err->code != SK_ECONFLICT && err->code != SK_ENOTFOUND)
		sk_log(r->a->p, SK_LOG_WARN, "cannot write the status of pod %s: %s", r->key, err->msg);
	r->busy--;
	run_requeue(r, 0);
}

void status_report(struct run *r)
{
	if (r->stage == R_GONE || r->deleted || r->status_writing)
		return;
	sk_obj *st = build(r);
	const char *phase = sk_obj_get_str(st, "phase");
	snprintf(r->phase, sizeof r->phase, "%s", phase ? phase : "Pending");
	if (sk_obj_equal(st, sk_obj_get(r->pod, "status"))) {
		sk_obj_unref(st);
		return;
	}
	sk_obj *next = sk_obj_copy(r->pod);
	sk_obj_set(next, "status", st, NULL);
	sk_obj_unref(st);
	r->status_writing = 1;
	r->busy++;
	sk_api_update(r->a->p, "", "pods", sk_obj_get_str(r->pod, "metadata.namespace"), next, written, r);
	sk_obj_unref(next);
}

void status_event(struct run *r, const char *type, const char *reason, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sk_event_emit(r->a->p, r->pod, "Pod", "v1", type, reason, msg, AGENT_COMPONENT, r->a->node);
}
