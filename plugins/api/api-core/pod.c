/* pod.c — Pods: the defaults Kubernetes computes (image pull policy from
 * the tag, requests from limits, QoS class, the Pending phase), the rule
 * that a pod's spec is fixed once created except for a few fields, and the
 * READY / STATUS / RESTARTS columns users know from `kubectl get pods`. */
#include "kinds.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Always for :latest or an untagged image, else IfNotPresent */
static const char *pull_policy(const char *image)
{
	if (!image)
		return "IfNotPresent";
	if (strchr(image, '@'))
		return "IfNotPresent";
	const char *slash = strrchr(image, '/'), *colon = strrchr(image, ':');
	if (!colon || (slash && colon < slash))
		return "Always";
	return strcmp(colon + 1, "latest") ? "IfNotPresent" : "Always";
}

/* a limit without a request: the request is the limit */
static int copy_missing(void *ud, const char *key, sk_obj *value)
{
	sk_obj *req = ud;
	char path[300];
	snprintf(path, sizeof path, "[\"%s\"]", key);
	if (!strchr(key, '"') && !sk_obj_get(req, path))
		sk_obj_set(req, path, value, NULL);
	return 0;
}

static void container_defaults(sk_obj *c, int host_network)
{
	if (!sk_obj_get_str(c, "imagePullPolicy"))
		sk_obj_set_str(c, "imagePullPolicy", pull_policy(sk_obj_get_str(c, "image")), NULL);
	/* requests default to limits */
	sk_obj *lim = sk_obj_get(c, "resources.limits");
	if (lim && sk_obj_type_of(lim) == SK_OBJ_OBJECT) {
		if (!sk_obj_get(c, "resources.requests")) {
			sk_obj *empty = sk_obj_new_object();
			sk_obj_set(c, "resources.requests", empty, NULL);
			sk_obj_unref(empty);
		}
		sk_obj_foreach(lim, copy_missing, sk_obj_get(c, "resources.requests"));
	}
	sk_obj *ports = sk_obj_get(c, "ports");
	for (size_t i = 0; host_network && i < sk_obj_len(ports); i++) {
		sk_obj *p = sk_obj_at(ports, i);
		if (!sk_obj_get(p, "hostPort"))
			sk_obj_set_int(p, "hostPort", sk_obj_get_int(p, "containerPort", 0), NULL);
	}
}

/* Kubernetes' QoS classes from the containers' requests and limits */
static const char *qos_class(const sk_obj *spec)
{
	int any = 0, guaranteed = 1;
	static const char *const lists[] = {"containers", "initContainers"};
	for (size_t l = 0; l < 2; l++) {
		sk_obj *cs = sk_obj_get(spec, lists[l]);
		for (size_t i = 0; i < sk_obj_len(cs); i++) {
			sk_obj *c = sk_obj_at(cs, i);
			sk_obj *req = sk_obj_get(c, "resources.requests"), *lim = sk_obj_get(c, "resources.limits");
			static const char *const res[] = {"cpu", "memory"};
			for (size_t k = 0; k < 2; k++) {
				char path[16];
				snprintf(path, sizeof path, "%s", res[k]);
				sk_obj *rq = sk_obj_get(req, path), *lm = sk_obj_get(lim, path);
				if (rq || lm)
					any = 1;
				if (!lm || (rq && !sk_obj_equal(rq, lm)))
					guaranteed = 0;
			}
		}
	}
	return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
}

static void defaults(void *ud, sk_obj *pod)
{
	(void)ud;
	int host_network = sk_obj_get_bool(pod, "spec.hostNetwork", 0);
	static const char *const lists[] = {"spec.containers", "spec.initContainers", "spec.ephemeralContainers"};
	for (size_t l = 0; l < 3; l++) {
		sk_obj *cs = sk_obj_get(pod, lists[l]);
		for (size_t i = 0; i < sk_obj_len(cs); i++)
			container_defaults(sk_obj_at(cs, i), host_network);
	}
	if (!sk_obj_get(pod, "spec.enableServiceLinks"))
		sk_obj_set_bool(pod, "spec.enableServiceLinks", 1, NULL);
	if (!sk_obj_get_str(pod, "status.phase"))
		sk_obj_set_str(pod, "status.phase", "Pending", NULL);
	if (!sk_obj_get_str(pod, "status.qosClass"))
		sk_obj_set_str(pod, "status.qosClass", qos_class(sk_obj_get(pod, "spec")), NULL);
}

/* the container rules of ValidatePodSpec that no schema can say */
static void validate_containers(const sk_obj *list, const char *field, const sk_obj *volumes, sk_obj *causes)
{
	char f[160];
	for (size_t i = 0; i < sk_obj_len(list); i++) {
		sk_obj *c = sk_obj_at(list, i);
		const char *name = sk_obj_get_str(c, "name"), *image = sk_obj_get_str(c, "image");
		snprintf(f, sizeof f, "%s[%zu].name", field, i);
		if (!name || !*name)
			sk_cause_required(causes, f, NULL);
		else {
			sk_check_dns1123_label(causes, f, name);
			for (size_t k = 0; k < i; k++) {
				const char *other = sk_obj_get_str(sk_obj_at(list, k), "name");
				if (other && !strcmp(other, name)) {
					sk_cause_duplicate(causes, f, name);
					break;
				}
			}
		}
		snprintf(f, sizeof f, "%s[%zu].image", field, i);
		if (!image || !*image)
			sk_cause_required(causes, f, NULL);
		sk_obj *ports = sk_obj_get(c, "ports");
		for (size_t k = 0; k < sk_obj_len(ports); k++) {
			sk_obj *p = sk_obj_at(ports, k);
			snprintf(f, sizeof f, "%s[%zu].ports[%zu].containerPort", field, i, k);
			sk_check_port_number(causes, f, sk_obj_get_int(p, "containerPort", 0));
			if (sk_obj_get(p, "hostPort") && sk_obj_get_int(p, "hostPort", 0) != 0) {
				snprintf(f, sizeof f, "%s[%zu].ports[%zu].hostPort", field, i, k);
				sk_check_port_number(causes, f, sk_obj_get_int(p, "hostPort", 0));
			}
			const char *pn = sk_obj_get_str(p, "name");
			if (pn && *pn) {
				snprintf(f, sizeof f, "%s[%zu].ports[%zu].name", field, i, k);
				sk_check_port_name(causes, f, pn);
			}
		}
		sk_obj *env = sk_obj_get(c, "env");
		for (size_t k = 0; k < sk_obj_len(env); k++) {
			snprintf(f, sizeof f, "%s[%zu].env[%zu].name", field, i, k);
			const char *en = sk_obj_get_str(sk_obj_at(env, k), "name");
			if (!en || !*en)
				sk_cause_required(causes, f, NULL);
			else
				sk_check_env_var_name(causes, f, en, 1);
		}
		sk_obj *mounts = sk_obj_get(c, "volumeMounts");
		for (size_t k = 0; k < sk_obj_len(mounts); k++) {
			const char *vn = sk_obj_get_str(sk_obj_at(mounts, k), "name");
			int found = 0;
			for (size_t v = 0; vn && v < sk_obj_len(volumes); v++) {
				const char *n = sk_obj_get_str(sk_obj_at(volumes, v), "name");
				found |= n && !strcmp(n, vn);
			}
			snprintf(f, sizeof f, "%s[%zu].volumeMounts[%zu].name", field, i, k);
			if (!vn || !*vn)
				sk_cause_required(causes, f, NULL);
			else if (!found)
				sk_cause(causes, "FieldValueNotFound", f, "Not found: \"%s\"", vn);
			snprintf(f, sizeof f, "%s[%zu].volumeMounts[%zu].mountPath", field, i, k);
			const char *mp = sk_obj_get_str(sk_obj_at(mounts, k), "mountPath");
			if (!mp || !*mp)
				sk_cause_required(causes, f, NULL);
		}
	}
}

static void validate_volumes(const sk_obj *volumes, sk_obj *causes)
{
	char f[96];
	for (size_t i = 0; i < sk_obj_len(volumes); i++) {
		const char *name = sk_obj_get_str(sk_obj_at(volumes, i), "name");
		snprintf(f, sizeof f, "spec.volumes[%zu].name", i);
		if (!name || !*name) {
			sk_cause_required(causes, f, NULL);
			continue;
		}
		sk_check_dns1123_label(causes, f, name);
		for (size_t k = 0; k < i; k++) {
			const char *other = sk_obj_get_str(sk_obj_at(volumes, k), "name");
			if (other && !strcmp(other, name)) {
				sk_cause_duplicate(causes, f, name);
				break;
			}
		}
	}
}

static int validate_create(const sk_obj *pod, sk_obj *causes)
{
	sk_obj *volumes = sk_obj_get(pod, "spec.volumes");
	if (!sk_obj_len(sk_obj_get(pod, "spec.containers")))
		sk_cause_required(causes, "spec.containers", NULL);
	validate_volumes(volumes, causes);
	validate_containers(sk_obj_get(pod, "spec.containers"), "spec.containers", volumes, causes);
	validate_containers(sk_obj_get(pod, "spec.initContainers"), "spec.initContainers", volumes, causes);
	const char *sa = sk_obj_get_str(pod, "spec.serviceAccountName");
	if (sa && *sa)
		sk_check_dns1123_subdomain(causes, "spec.serviceAccountName", sa);
	return sk_obj_len(causes) ? SK_EINVALID : SK_OK;
}

/* Only these may change in a pod's spec after creation (ValidatePodUpdate). */
static int validate(void *ud, const sk_obj *pod, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	if (!old)
		return validate_create(pod, causes);
	sk_obj *want = sk_obj_copy(sk_obj_get(old, "spec")), *got = sk_obj_get(pod, "spec");
	if (!want || !got) {
		sk_obj_unref(want);
		return SK_OK;
	}
	static const char *const lists[] = {"containers", "initContainers"};
	for (size_t l = 0; l < 2; l++) {
		sk_obj *wc = sk_obj_get(want, lists[l]), *gc = sk_obj_get(got, lists[l]);
		for (size_t i = 0; i < sk_obj_len(wc) && i < sk_obj_len(gc); i++) {
			const char *img = sk_obj_get_str(sk_obj_at(gc, i), "image");
			if (img)
				sk_obj_set_str(sk_obj_at(wc, i), "image", img, NULL);
		}
	}
	static const char *const mutable[] = {"activeDeadlineSeconds", "terminationGracePeriodSeconds",
	                                      "tolerations", "schedulingGates"};
	for (size_t i = 0; i < sizeof mutable / sizeof mutable[0]; i++) {
		sk_obj *v = sk_obj_get(got, mutable[i]);
		if (v)
			sk_obj_set(want, mutable[i], v, NULL);
		else
			sk_obj_del(want, mutable[i]);
	}
	int same = sk_obj_equal(want, got);
	sk_obj_unref(want);
	if (same)
		return SK_OK;
	sk_cause(causes, "FieldValueForbidden", "spec",
	         "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
	         "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions "
	         "to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
	         "previously negative)");
	return SK_EINVALID;
}

/* ---- columns ---- */

static const sk_column columns[] = {
	{"Ready", "string", "The aggregate readiness state of this pod for accepting traffic.", 0, NULL},
	{"Status", "string", "The aggregate status of the containers in this pod.", 0, NULL},
	{"Restarts", "string", "The number of times the containers in this pod have been restarted and when the "
	                       "last container in this pod has restarted.", 0, NULL},
	{"Age", "date", "", 0, ".metadata.creationTimestamp"},
	{"IP", "string", "IP address allocated to the pod.", 1, NULL},
	{"Node", "string", "Name of the node this pod is scheduled on.", 1, NULL},
	{"Nominated Node", "string", "Name of the node nominated for this pod.", 1, NULL},
	{"Readiness Gates", "string", "Pod readiness gates.", 1, NULL},
	{NULL, NULL, NULL, 0, NULL},
};

static const char *or_none(const char *s) { return s && *s ? s : "<none>"; }

/* the STATUS column: Kubernetes' printPod reasoning, simplified where
 * the node role will fill in the rest */
static void status_of(const sk_obj *pod, char *out, size_t cap)
{
	const char *reason = sk_obj_get_str(pod, "status.reason");
	snprintf(out, cap, "%s", reason && *reason ? reason : or_none(sk_obj_get_str(pod, "status.phase")));
	sk_obj *init = sk_obj_get(pod, "status.initContainerStatuses");
	size_t ninit = sk_obj_len(sk_obj_get(pod, "spec.initContainers"));
	int initializing = 0;
	for (size_t i = 0; i < sk_obj_len(init); i++) {
		sk_obj *cs = sk_obj_at(init, i);
		const char *term = sk_obj_get_str(cs, "state.terminated.reason");
		int64_t code = sk_obj_get_int(cs, "state.terminated.exitCode", 0);
		const char *wait = sk_obj_get_str(cs, "state.waiting.reason");
		if (sk_obj_get(cs, "state.terminated") && code == 0)
			continue;
		initializing = 1;
		if (sk_obj_get(cs, "state.terminated"))
			snprintf(out, cap, "Init:%s", term && *term ? term : "Error");
		else if (wait && *wait && strcmp(wait, "PodInitializing"))
			snprintf(out, cap, "Init:%s", wait);
		else
			snprintf(out, cap, "Init:%zu/%zu", i, ninit);
		break;
	}
	if (!initializing) {
		sk_obj *st = sk_obj_get(pod, "status.containerStatuses");
		int running = 0;
		for (size_t i = sk_obj_len(st); i-- > 0;) {
			sk_obj *cs = sk_obj_at(st, i);
			const char *wait = sk_obj_get_str(cs, "state.waiting.reason");
			const char *term = sk_obj_get_str(cs, "state.terminated.reason");
			if (wait && *wait)
				snprintf(out, cap, "%s", wait);
			else if (term && *term)
				snprintf(out, cap, "%s", term);
			else if (sk_obj_get(cs, "state.terminated")) {
				int64_t sig = sk_obj_get_int(cs, "state.terminated.signal", 0);
				if (sig)
					snprintf(out, cap, "Signal:%lld", (long long)sig);
				else
					snprintf(out, cap, "ExitCode:%lld",
					         (long long)sk_obj_get_int(cs, "state.terminated.exitCode", 0));
			} else if (sk_obj_get_bool(cs, "ready", 0) && sk_obj_get(cs, "state.running"))
				running = 1;
		}
		if (!strcmp(out, "Completed") && running)
			snprintf(out, cap, "Running");
	}
	if (sk_obj_get_str(pod, "metadata.deletionTimestamp")) {
		const char *r = sk_obj_get_str(pod, "status.reason");
		snprintf(out, cap, "%s", r && !strcmp(r, "NodeLost") ? "Unknown" : "Terminating");
	}
}

static void row(void *ud, const sk_obj *pod, sk_obj *cells)
{
	(void)ud;
	sk_obj *st = sk_obj_get(pod, "status.containerStatuses");
	size_t total = sk_obj_len(sk_obj_get(pod, "spec.containers")), ready = 0;
	int64_t restarts = 0;
	for (size_t i = 0; i < sk_obj_len(st); i++) {
		sk_obj *cs = sk_obj_at(st, i);
		restarts += sk_obj_get_int(cs, "restartCount", 0);
		if (sk_obj_get_bool(cs, "ready", 0) && sk_obj_get(cs, "state.running"))
			ready++;
	}
	char buf[64], status[128];
	snprintf(buf, sizeof buf, "%zu/%zu", ready, total);
	sk_obj_set_str(cells, "[0]", buf, NULL);
	status_of(pod, status, sizeof status);
	sk_obj_set_str(cells, "[1]", status, NULL);
	snprintf(buf, sizeof buf, "%lld", (long long)restarts);
	sk_obj_set_str(cells, "[2]", buf, NULL);
	const char *vals[] = {or_none(sk_obj_get_str(pod, "status.podIP")),
	                      or_none(sk_obj_get_str(pod, "spec.nodeName")),
	                      or_none(sk_obj_get_str(pod, "status.nominatedNodeName")), "<none>"};
	for (size_t i = 0; i < 4; i++) {
		char path[8];
		snprintf(path, sizeof path, "[%zu]", i + 4);
		sk_obj_set_str(cells, path, vals[i], NULL);
	}
}

/* Kubernetes' CheckGracefulDelete for pods: a running pod on a node gets
 * its terminationGracePeriodSeconds (or what the client asked) for the
 * agent to stop it; a pod never placed, already finished, or placed on a
 * node that does not exist (nothing would ever stop it: PodGC deletes
 * those) goes at once. */
static int64_t delete_grace(void *ud, const sk_obj *pod, int64_t requested)
{
	(void)ud;
	const char *node = sk_obj_get_str(pod, "spec.nodeName"), *phase = sk_obj_get_str(pod, "status.phase");
	if (!node || !*node || (phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"))))
		return 0;
	sk_obj *n = NULL;
	sk_err err = {0};
	if (sk_api_get("", "nodes", NULL, node, &n, &err) != SK_OK)
		return 0;
	sk_obj_unref(n);
	if (requested >= 0)
		return requested;
	int64_t g = sk_obj_get_int(pod, "spec.terminationGracePeriodSeconds", 30);
	return g > 0 ? g : 0;
}

void kinds_pod(sk_resource_ops *r)
{
	r->delete_grace = delete_grace;
	r->defaults = defaults;
	r->validate = validate;
	r->columns = columns;
	r->row = row;
	r->act = pod_act;
}
