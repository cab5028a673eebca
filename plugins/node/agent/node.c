/* node.c — the agent's Node and Lease, as the kubelet keeps them: the Node
 * registered (or taken over after a restart) with its labels, taints and
 * status; the status written again when it changes and at least every
 * nodeStatusReportFrequency; the Lease in kube-node-lease renewed every
 * leaseDuration/4, which is what tells the control plane the node is
 * alive (plugins/controllers/node-lifecycle). */
#include "agent.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEASE_DURATION_S 40
#define STATUS_REPORT_S 300.0

static void micro_time(char *out, size_t cap)
{
	int64_t ms = sk_clock_now_ms();
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&s, &tm);
	char base[32];
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, cap, "%s.%06dZ", base, (int)(ms % 1000) * 1000);
}

static void set_condition(sk_obj *status, const char *type, int bad, const char *good_reason,
                          const char *bad_reason, const char *good_msg, const char *bad_msg)
{
	sk_condition_set(status, type, bad ? "True" : "False", bad ? bad_reason : good_reason, bad ? bad_msg : good_msg);
}

/* the status the node reports now; conditions keep their transition times
 * from the last one written */
static sk_obj *node_status(struct agent *a)
{
	sk_obj *st = a->node_status ? sk_obj_copy(a->node_status) : sk_obj_new_object();
	const char *dir = sk_data_dir();
	int max_pods = a->max_pods;
	sk_obj *cap = machine_capacity(dir, max_pods);
	sk_obj_set(st, "capacity", cap, NULL);
	sk_obj *alloc = sk_obj_copy(cap);
	/* allocatable: capacity less what settings reserve for the system */
	const sk_obj *reserved = sk_obj_get(a->settings, "systemReserved");
	static const char *const reservable[] = {"cpu", "memory", "ephemeral-storage"};
	for (size_t i = 0; reserved && i < sizeof reservable / sizeof *reservable; i++) {
		const char *r = sk_obj_get_str(reserved, reservable[i]);
		sk_quantity have, less;
		sk_err e = {0};
		char v[64];
		if (r && sk_quantity_parse(sk_obj_get_str(cap, reservable[i]), &have, &e) == SK_OK &&
		    sk_quantity_parse(r, &less, &e) == SK_OK) {
			sk_quantity_sub(&have, &less);
			sk_quantity_format(&have, v, sizeof v);
			sk_obj_set_str(alloc, reservable[i], v, NULL);
		}
	}
	sk_obj_set(st, "allocatable", alloc, NULL);
	sk_obj_unref(alloc);
	sk_obj_unref(cap);

	set_condition(st, "MemoryPressure", machine_memory_pressure(), "KubeletHasSufficientMemory",
	              "KubeletHasInsufficientMemory", "kubelet has sufficient memory available",
	              "kubelet has insufficient memory available");
	set_condition(st, "DiskPressure", machine_disk_pressure(dir), "KubeletHasNoDiskPressure",
	              "KubeletHasDiskPressure", "kubelet has no disk pressure", "kubelet has disk pressure");
	set_condition(st, "PIDPressure", machine_pid_pressure(), "KubeletHasSufficientPID",
	              "KubeletHasInsufficientPID", "kubelet has sufficient PID available",
	              "kubelet has insufficient PID available");
	sk_condition_set(st, "Ready", "True", "KubeletReady", "kubelet is posting ready status");

	sk_obj *addrs = sk_obj_new_array(), *ip = sk_obj_new_object(), *hn = sk_obj_new_object();
	sk_obj_set_str(ip, "type", "InternalIP", NULL);
	sk_obj_set_str(ip, "address", a->host_ip, NULL);
	sk_obj_set_str(hn, "type", "Hostname", NULL);
	sk_obj_set_str(hn, "address", a->node, NULL);
	sk_obj_append(addrs, ip);
	sk_obj_append(addrs, hn);
	sk_obj_set(st, "addresses", addrs, NULL);
	sk_obj_unref(ip);
	sk_obj_unref(hn);
	sk_obj_unref(addrs);

	sk_obj *info = machine_info(a->rt->name);
	sk_obj_set(st, "nodeInfo", info, NULL);
	sk_obj_unref(info);
	sk_obj_set_int(st, "daemonEndpoints.kubeletEndpoint.Port", sk_obj_get_int(a->settings, "port", 10250), NULL);
	return st;
}

/* the heartbeat times of every condition, which change on every report */
static void stamp_heartbeats(sk_obj *status)
{
	char now[32];
	sk_clock_rfc3339(now, sizeof now);
	sk_obj *conds = sk_obj_get(status, "conditions");
	for (size_t i = 0; i < sk_obj_len(conds); i++)
		sk_obj_set_str(sk_obj_at(conds, i), "lastHeartbeatTime", now, NULL);
}

static int put_label(void *ud, const char *key, sk_obj *value)
{
	char path[400];
	snprintf(path, sizeof path, "[\"%s\"]", key); /* label keys hold dots and slashes */
	sk_obj_set(ud, path, value, NULL);
	return 0;
}

static void labels_and_taints(struct agent *a, sk_obj *node)
{
	const char *arch = sk_obj_get_str(a->node_status, "nodeInfo.architecture");
	sk_obj_set_str(node, "metadata.labels[\"kubernetes.io/hostname\"]", a->node, NULL);
	sk_obj_set_str(node, "metadata.labels[\"kubernetes.io/os\"]", "linux", NULL);
	sk_obj_set_str(node, "metadata.labels[\"beta.kubernetes.io/os\"]", "linux", NULL);
	if (arch) {
		sk_obj_set_str(node, "metadata.labels[\"kubernetes.io/arch\"]", arch, NULL);
		sk_obj_set_str(node, "metadata.labels[\"beta.kubernetes.io/arch\"]", arch, NULL);
	}
	/* settings' labels win over what the node had */
	const sk_obj *labels = sk_obj_get(a->settings, "labels");
	if (sk_obj_type_of(labels) == SK_OBJ_OBJECT)
		sk_obj_foreach(labels, put_label, sk_obj_get(node, "metadata.labels"));
	const sk_obj *taints = sk_obj_get(a->settings, "taints");
	if (taints && !sk_obj_get(node, "spec.taints")) {
		sk_obj *t = sk_obj_copy(taints);
		sk_obj_set(node, "spec.taints", t, NULL);
		sk_obj_unref(t);
	}
}

static void status_written(void *ud, const sk_err *err, const sk_obj *stored);

static void write_node(struct agent *a)
{
	if (a->node_writing || a->stopping)
		return;
	sk_obj *cur = NULL;
	sk_err err = {0};
	sk_obj *st = node_status(a);
	int changed = !a->node_status || !sk_obj_equal(st, a->node_status);
	if (!changed && sk_monotonic() - a->last_report < STATUS_REPORT_S) {
		sk_obj_unref(st);
		return;
	}
	sk_obj_unref(a->node_status);
	a->node_status = sk_obj_copy(st);
	stamp_heartbeats(st);
	int rc = sk_api_get("", "nodes", NULL, a->node, &cur, &err);
	a->node_writing = 1;
	if (rc == SK_OK) {
		sk_obj *next = sk_obj_copy(cur);
		labels_and_taints(a, next);
		sk_obj_set(next, "status", st, NULL);
		sk_api_update(a->p, "", "nodes", NULL, next, status_written, a);
		sk_obj_unref(next);
	} else {
		sk_obj *node = sk_obj_new_object();
		sk_obj_set_str(node, "apiVersion", "v1", NULL);
		sk_obj_set_str(node, "kind", "Node", NULL);
		sk_obj_set_str(node, "metadata.name", a->node, NULL);
		labels_and_taints(a, node);
		sk_obj_set(node, "status", st, NULL);
		sk_log(a->p, SK_LOG_INFO, "registering node %s (%s)", a->node, a->host_ip);
		sk_api_create(a->p, "", "nodes", NULL, node, status_written, a);
		sk_obj_unref(node);
	}
	sk_obj_unref(cur);
	sk_obj_unref(st);
}

static void status_written(void *ud, const sk_err *err, const sk_obj *stored)
{
	(void)stored;
	struct agent *a = ud;
	a->node_writing = 0;
	if (err) {
		/* written again at the next heartbeat */
		sk_log(a->p, SK_LOG_WARN, "cannot write node %s: %s", a->node, err->msg);
		sk_obj_unref(a->node_status);
		a->node_status = NULL;
		return;
	}
	a->last_report = sk_monotonic();
}

static void lease_written(void *ud, const sk_err *err, const sk_obj *stored)
{
	struct agent *a = ud;
	a->lease_writing = 0;
	if (err)
		sk_log(a->p, SK_LOG_WARN, "cannot renew lease of node %s: %s", a->node, err->msg);
	(void)stored;
}

static void renew_lease(struct agent *a)
{
	if (a->lease_writing || a->stopping)
		return;
	char now[40];
	micro_time(now, sizeof now);
	sk_obj *cur = NULL;
	sk_err err = {0};
	a->lease_writing = 1;
	if (sk_api_get("coordination.k8s.io", "leases", "kube-node-lease", a->node, &cur, &err) == SK_OK) {
		sk_obj *next = sk_obj_copy(cur);
		sk_obj_set_str(next, "spec.holderIdentity", a->node, NULL);
		sk_obj_set_int(next, "spec.leaseDurationSeconds", LEASE_DURATION_S, NULL);
		sk_obj_set_str(next, "spec.renewTime", now, NULL);
		sk_api_update(a->p, "coordination.k8s.io", "leases", "kube-node-lease", next, lease_written, a);
		sk_obj_unref(next);
		sk_obj_unref(cur);
		return;
	}
	sk_obj *l = sk_obj_new_object();
	sk_obj_set_str(l, "apiVersion", "coordination.k8s.io/v1", NULL);
	sk_obj_set_str(l, "kind", "Lease", NULL);
	sk_obj_set_str(l, "metadata.name", a->node, NULL);
	sk_obj_set_str(l, "metadata.namespace", "kube-node-lease", NULL);
	sk_obj_set_str(l, "spec.holderIdentity", a->node, NULL);
	sk_obj_set_int(l, "spec.leaseDurationSeconds", LEASE_DURATION_S, NULL);
	sk_obj_set_str(l, "spec.renewTime", now, NULL);
	sk_obj_set_str(l, "spec.acquireTime", now, NULL);
	sk_obj *node = NULL;
	if (sk_api_get("", "nodes", NULL, a->node, &node, &err) == SK_OK) {
		/* the lease goes with its node, as the kubelet's does */
		sk_obj *refs = sk_obj_new_array(), *ref = sk_obj_new_object();
		sk_obj_set_str(ref, "apiVersion", "v1", NULL);
		sk_obj_set_str(ref, "kind", "Node", NULL);
		sk_obj_set_str(ref, "name", a->node, NULL);
		sk_obj_set_str(ref, "uid", sk_obj_get_str(node, "metadata.uid"), NULL);
		sk_obj_append(refs, ref);
		sk_obj_set(l, "metadata.ownerReferences", refs, NULL);
		sk_obj_unref(ref);
		sk_obj_unref(refs);
		sk_obj_unref(node);
	}
	sk_api_create(a->p, "coordination.k8s.io", "leases", "kube-node-lease", l, lease_written, a);
	sk_obj_unref(l);
}

static void heartbeat(void *ud)
{
	struct agent *a = ud;
	write_node(a);
	renew_lease(a);
}

int node_start(struct agent *a, sk_err *err)
{
	double every = sk_obj_get_real(a->settings, "nodeStatusUpdateSeconds", LEASE_DURATION_S / 4.0);
	if (every <= 0)
		every = LEASE_DURATION_S / 4.0;
	heartbeat(a);
	if (!(a->heartbeat = sk_timer_start(a->p, every, every, heartbeat, a)))
		return sk_errf(err, SK_ENOMEM, "cannot start the node heartbeat");
	return SK_OK;
}

void node_stop(struct agent *a)
{
	if (a->heartbeat)
		sk_timer_stop(a->heartbeat);
	a->heartbeat = NULL;
	sk_obj_unref(a->node_status);
	a->node_status = NULL;
}
