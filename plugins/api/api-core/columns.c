/* columns.c — `kubectl get` columns of the core kinds other than Pods and
 * Namespaces, as Kubernetes' printers show them. */
#include "kinds.h"
#include <stdio.h>
#include <string.h>

#define AGE {"Age", "date", "", 0, ".metadata.creationTimestamp"}
#define END {NULL, NULL, NULL, 0, NULL}

static void set_cell(sk_obj *cells, size_t i, const char *v)
{
	char path[8];
	snprintf(path, sizeof path, "[%zu]", i);
	sk_obj_set_str(cells, path, v && *v ? v : "<none>", NULL);
}

static void set_count(sk_obj *cells, size_t i, size_t n)
{
	char path[8];
	snprintf(path, sizeof path, "[%zu]", i);
	sk_obj_set_int(cells, path, (int64_t)n, NULL);
}

/* ConfigMap: DATA */
static const sk_column configmap_cols[] = {{"Data", "string", "Number of data in configmap", 0, NULL}, AGE, END};
static void configmap_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	set_count(cells, 0, sk_obj_len(sk_obj_get(o, "data")) + sk_obj_len(sk_obj_get(o, "binaryData")));
}

/* Secret: TYPE DATA */
static const sk_column secret_cols[] = {{"Type", "string", "The type of the secret", 0, ".type"},
                                        {"Data", "string", "The number of data in the secret", 0, NULL}, AGE, END};
static void secret_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	set_count(cells, 1, sk_obj_len(sk_obj_get(o, "data")) + sk_obj_len(sk_obj_get(o, "stringData")));
}

/* Service: TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, wide SELECTOR */
static const sk_column service_cols[] = {
	{"Type", "string", "The type of service.", 0, ".spec.type"},
	{"Cluster-IP", "string", "The cluster IP of the service.", 0, NULL},
	{"External-IP", "string", "The external IP of the service.", 0, NULL},
	{"Port(s)", "string", "The ports of the service.", 0, NULL},
	AGE,
	{"Selector", "string", "The label selector of the service.", 1, NULL},
	END,
};

static void join_map(const sk_obj *m, char *out, size_t cap);

static int append_pair(void *ud, const char *k, sk_obj *v)
{
	char *out = ((char **)ud)[0];
	size_t cap = (size_t)((char **)ud)[1], n = strlen(out);
	snprintf(out + n, cap - n, "%s%s=%s", n ? "," : "", k, sk_obj_str(v) ? sk_obj_str(v) : "");
	return 0;
}

static void join_map(const sk_obj *m, char *out, size_t cap)
{
	out[0] = '\0';
	char *ctx[2] = {out, (char *)cap};
	if (m)
		sk_obj_foreach(m, append_pair, ctx);
}

static void service_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	char buf[1024] = "";
	const char *type = sk_obj_get_str(o, "spec.type");
	set_cell(cells, 1, sk_obj_get_str(o, "spec.clusterIP"));
	/* EXTERNAL-IP: load balancer ingress, external IPs, or <pending> */
	sk_obj *ing = sk_obj_get(o, "status.loadBalancer.ingress"), *ext = sk_obj_get(o, "spec.externalIPs");
	for (size_t i = 0; i < sk_obj_len(ext); i++) {
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof buf - n, "%s%s", n ? "," : "", sk_obj_str(sk_obj_at(ext, i)));
	}
	for (size_t i = 0; i < sk_obj_len(ing); i++) {
		const char *ip = sk_obj_get_str(sk_obj_at(ing, i), "ip");
		if (!ip)
			ip = sk_obj_get_str(sk_obj_at(ing, i), "hostname");
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof buf - n, "%s%s", n ? "," : "", ip ? ip : "");
	}
	if (!*buf && type && !strcmp(type, "LoadBalancer"))
		snprintf(buf, sizeof buf, "<pending>");
	if (!*buf && type && !strcmp(type, "ExternalName"))
		snprintf(buf, sizeof buf, "%s", sk_obj_get_str(o, "spec.externalName") ?: "");
	set_cell(cells, 2, buf);
	buf[0] = '\0';
	sk_obj *ports = sk_obj_get(o, "spec.ports");
	for (size_t i = 0; i < sk_obj_len(ports); i++) {
		sk_obj *p = sk_obj_at(ports, i);
		size_t n = strlen(buf);
		int64_t np = sk_obj_get_int(p, "nodePort", 0);
		const char *proto = sk_obj_get_str(p, "protocol");
		if (np)
			snprintf(buf + n, sizeof buf - n, "%s%lld:%lld/%s", n ? "," : "",
			         (long long)sk_obj_get_int(p, "port", 0), (long long)np, proto ? proto : "TCP");
		else
			snprintf(buf + n, sizeof buf - n, "%s%lld/%s", n ? "," : "", (long long)sk_obj_get_int(p, "port", 0),
			         proto ? proto : "TCP");
	}
	set_cell(cells, 3, buf);
	join_map(sk_obj_get(o, "spec.selector"), buf, sizeof buf);
	set_cell(cells, 5, buf);
}

/* Endpoints: ENDPOINTS */
static const sk_column endpoints_cols[] = {{"Endpoints", "string", "Endpoints of the service", 0, NULL}, AGE, END};
static void endpoints_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	char buf[256] = "";
	size_t shown = 0, total = 0;
	sk_obj *subsets = sk_obj_get(o, "subsets");
	for (size_t s = 0; s < sk_obj_len(subsets); s++) {
		sk_obj *ss = sk_obj_at(subsets, s), *addrs = sk_obj_get(ss, "addresses"), *ports = sk_obj_get(ss, "ports");
		for (size_t a = 0; a < sk_obj_len(addrs); a++)
			for (size_t p = 0; p < (sk_obj_len(ports) ? sk_obj_len(ports) : 1); p++) {
				total++;
				if (shown == 3)
					continue;
				size_t n = strlen(buf);
				const char *ip = sk_obj_get_str(sk_obj_at(addrs, a), "ip");
				if (sk_obj_len(ports))
					snprintf(buf + n, sizeof buf - n, "%s%s:%lld", n ? "," : "", ip ? ip : "",
					         (long long)sk_obj_get_int(sk_obj_at(ports, p), "port", 0));
				else
					snprintf(buf + n, sizeof buf - n, "%s%s", n ? "," : "", ip ? ip : "");
				shown++;
			}
	}
	if (total > shown) {
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof buf - n, " + %zu more...", total - shown);
	}
	set_cell(cells, 0, buf);
}

/* ServiceAccount: SECRETS */
static const sk_column sa_cols[] = {{"Secrets", "string", "", 0, NULL}, AGE, END};
static void sa_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	set_count(cells, 0, sk_obj_len(sk_obj_get(o, "secrets")));
}

/* Node: STATUS ROLES AGE VERSION, wide INTERNAL-IP ... */
static const sk_column node_cols[] = {
	{"Status", "string", "The status of the node", 0, NULL},
	{"Roles", "string", "The roles of the node", 0, NULL},
	AGE,
	{"Version", "string", "Kubelet Version reported by the node.", 0, ".status.nodeInfo.kubeletVersion"},
	{"Internal-IP", "string", "", 1, NULL},
	{"External-IP", "string", "", 1, NULL},
	{"OS-Image", "string", "", 1, ".status.nodeInfo.osImage"},
	{"Kernel-Version", "string", "", 1, ".status.nodeInfo.kernelVersion"},
	{"Container-Runtime", "string", "", 1, ".status.nodeInfo.containerRuntimeVersion"},
	END,
};

static int role_of(void *ud, const char *k, sk_obj *v)
{
	(void)v;
	char *out = ud;
	const char *role = NULL;
	if (!strncmp(k, "node-role.kubernetes.io/", 24))
		role = k + 24;
	if (role && *role) {
		size_t n = strlen(out);
		snprintf(out + n, 256 - n, "%s%s", n ? "," : "", role);
	}
	return 0;
}

static void node_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	char status[64] = "Unknown", roles[256] = "";
	sk_obj *conds = sk_obj_get(o, "status.conditions");
	for (size_t i = 0; i < sk_obj_len(conds); i++) {
		sk_obj *c = sk_obj_at(conds, i);
		const char *t = sk_obj_get_str(c, "type"), *s = sk_obj_get_str(c, "status");
		if (t && !strcmp(t, "Ready"))
			snprintf(status, sizeof status, "%s", s && !strcmp(s, "True") ? "Ready" : "NotReady");
	}
	if (sk_obj_get_bool(o, "spec.unschedulable", 0)) {
		size_t n = strlen(status);
		snprintf(status + n, sizeof status - n, ",SchedulingDisabled");
	}
	set_cell(cells, 0, status);
	sk_obj *labels = sk_obj_get(o, "metadata.labels");
	if (labels)
		sk_obj_foreach(labels, role_of, roles);
	set_cell(cells, 1, roles);
	const char *in = NULL, *ex = NULL;
	sk_obj *addrs = sk_obj_get(o, "status.addresses");
	for (size_t i = 0; i < sk_obj_len(addrs); i++) {
		const char *t = sk_obj_get_str(sk_obj_at(addrs, i), "type");
		const char *a = sk_obj_get_str(sk_obj_at(addrs, i), "address");
		if (t && !strcmp(t, "InternalIP") && !in)
			in = a;
		if (t && !strcmp(t, "ExternalIP") && !ex)
			ex = a;
	}
	set_cell(cells, 4, in);
	set_cell(cells, 5, ex);
}

/* PersistentVolume and PersistentVolumeClaim */
static const sk_column pv_cols[] = {
	{"Capacity", "string", "", 0, ".spec.capacity.storage"},
	{"Access Modes", "string", "", 0, NULL},
	{"Reclaim Policy", "string", "", 0, ".spec.persistentVolumeReclaimPolicy"},
	{"Status", "string", "", 0, ".status.phase"},
	{"Claim", "string", "", 0, NULL},
	{"StorageClass", "string", "", 0, ".spec.storageClassName"},
	{"VolumeAttributesClass", "string", "", 0, NULL},
	{"Reason", "string", "", 0, ".status.reason"},
	AGE,
	{"VolumeMode", "string", "", 1, ".spec.volumeMode"},
	END,
};

/* kubectl's short access modes: RWO, ROX, RWX, RWOP */
static void access_modes(const sk_obj *modes, char *out, size_t cap)
{
	out[0] = '\0';
	static const char *const names[][2] = {{"ReadWriteOnce", "RWO"}, {"ReadOnlyMany", "ROX"},
	                                       {"ReadWriteMany", "RWX"}, {"ReadWriteOncePod", "RWOP"}};
	for (size_t k = 0; k < 4; k++)
		for (size_t i = 0; i < sk_obj_len(modes); i++) {
			const char *m = sk_obj_str(sk_obj_at(modes, i));
			if (m && !strcmp(m, names[k][0])) {
				size_t n = strlen(out);
				snprintf(out + n, cap - n, "%s%s", n ? "," : "", names[k][1]);
				break;
			}
		}
}

static void pv_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	char buf[300];
	access_modes(sk_obj_get(o, "spec.accessModes"), buf, sizeof buf);
	set_cell(cells, 1, buf);
	const char *cn = sk_obj_get_str(o, "spec.claimRef.name"), *cns = sk_obj_get_str(o, "spec.claimRef.namespace");
	if (cn)
		snprintf(buf, sizeof buf, "%s/%s", cns ? cns : "", cn);
	else
		buf[0] = '\0';
	sk_obj_set_str(cells, "[4]", buf, NULL);
	sk_obj_set_str(cells, "[6]", sk_obj_get_str(o, "spec.volumeAttributesClassName") ?: "<unset>", NULL);
	sk_obj_set_str(cells, "[7]", sk_obj_get_str(o, "status.reason") ?: "", NULL);
	sk_obj_set_str(cells, "[5]", sk_obj_get_str(o, "spec.storageClassName") ?: "", NULL);
}

static const sk_column pvc_cols[] = {
	{"Status", "string", "", 0, ".status.phase"},
	{"Volume", "string", "", 0, ".spec.volumeName"},
	{"Capacity", "string", "", 0, NULL},
	{"Access Modes", "string", "", 0, NULL},
	{"StorageClass", "string", "", 0, NULL},
	{"VolumeAttributesClass", "string", "", 0, NULL},
	AGE,
	{"VolumeMode", "string", "", 1, ".spec.volumeMode"},
	END,
};

static void pvc_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	char buf[64];
	int bound = sk_obj_get_str(o, "spec.volumeName") != NULL;
	sk_obj_set_str(cells, "[1]", sk_obj_get_str(o, "spec.volumeName") ?: "", NULL);
	sk_obj_set_str(cells, "[2]", bound ? sk_obj_get_str(o, "status.capacity.storage") ?: "" : "", NULL);
	access_modes(bound ? sk_obj_get(o, "status.accessModes") : NULL, buf, sizeof buf);
	sk_obj_set_str(cells, "[3]", buf, NULL);
	sk_obj_set_str(cells, "[4]", sk_obj_get_str(o, "spec.storageClassName") ?: "<unset>", NULL);
	sk_obj_set_str(cells, "[5]", sk_obj_get_str(o, "spec.volumeAttributesClassName") ?: "<unset>", NULL);
}

/* ReplicationController: DESIRED CURRENT READY AGE */
static const sk_column rc_cols[] = {
	{"Desired", "integer", "", 0, ".spec.replicas"},
	{"Current", "integer", "", 0, NULL},
	{"Ready", "integer", "", 0, NULL},
	AGE,
	END,
};
static void rc_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	sk_obj_set_int(cells, "[1]", sk_obj_get_int(o, "status.replicas", 0), NULL);
	sk_obj_set_int(cells, "[2]", sk_obj_get_int(o, "status.readyReplicas", 0), NULL);
}

/* Event: LAST SEEN TYPE REASON OBJECT MESSAGE */
static const sk_column event_cols[] = {
	{"Last Seen", "date", "", 0, ".lastTimestamp"},
	{"Type", "string", "", 0, ".type"},
	{"Reason", "string", "", 0, ".reason"},
	{"Object", "string", "", 0, NULL},
	{"Message", "string", "", 0, ".message"},
	END,
};
static void event_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	char buf[512];
	const char *k = sk_obj_get_str(o, "involvedObject.kind"), *n = sk_obj_get_str(o, "involvedObject.name");
	snprintf(buf, sizeof buf, "%s/%s", k ? k : "", n ? n : "");
	for (char *c = buf; *c && *c != '/'; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	sk_obj_set_str(cells, "[3]", buf, NULL);
	/* events.k8s.io-era events carry eventTime instead of lastTimestamp */
	if (!sk_obj_get_str(o, "lastTimestamp") && sk_obj_get_str(o, "eventTime"))
		sk_obj_set_str(cells, "[0]", sk_obj_get_str(o, "eventTime"), NULL);
}

static const sk_column created_at[] = {{"Created At", "date", "", 0, ".metadata.creationTimestamp"}, END};

static const struct {
	const char *plural;
	const sk_column *cols;
	void (*row)(void *, const sk_obj *, sk_obj *);
} table[] = {
	{"configmaps", configmap_cols, configmap_row},
	{"secrets", secret_cols, secret_row},
	{"services", service_cols, service_row},
	{"endpoints", endpoints_cols, endpoints_row},
	{"serviceaccounts", sa_cols, sa_row},
	{"nodes", node_cols, node_row},
	{"persistentvolumes", pv_cols, pv_row},
	{"persistentvolumeclaims", pvc_cols, pvc_row},
	{"replicationcontrollers", rc_cols, rc_row},
	{"events", event_cols, event_row},
	{"limitranges", created_at, NULL},
};

void kinds_simple(sk_resource_ops *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
			if (!strcmp(v[i].plural, table[k].plural) && !v[i].columns) {
				v[i].columns = table[k].cols;
				v[i].row = table[k].row;
			}
}
