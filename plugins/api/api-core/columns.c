/* columns.c — `kubectl get` columns of the core kinds other than Pods and
 * Namespaces, cell for cell as Kubernetes' printers (pkg/printers/
 * internalversion) fill them; kinds without a printer get the default
 * NAME / CREATED AT of Kubernetes' table convertor. */
#include "kinds.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define AGE {"Age", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp"}
#define END {NULL, NULL, NULL, 0, NULL}

/* a cell's text, cut at a bound a client cannot push past */
struct text {
	char s[4096];
	size_t n;
};

/* appends sep (when the text is not empty) and a formatted piece */
static void add(struct text *t, const char *sep, const char *fmt, ...) SK_PRINTF(3, 4);
static void add(struct text *t, const char *sep, const char *fmt, ...)
{
	if (t->n && sep && t->n < sizeof t->s)
		t->n += (size_t)snprintf(t->s + t->n, sizeof t->s - t->n, "%s", sep);
	if (t->n >= sizeof t->s) {
		t->n = sizeof t->s - 1;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	t->n += (size_t)vsnprintf(t->s + t->n, sizeof t->s - t->n, fmt, ap);
	va_end(ap);
	if (t->n >= sizeof t->s)
		t->n = sizeof t->s - 1;
}

static void cell_str(sk_obj *cells, size_t i, const char *v)
{
	char path[16];
	snprintf(path, sizeof path, "[%zu]", i);
	sk_obj_set_str(cells, path, v ? v : "", NULL);
}

/* "" shown as <none>, as the printers do for optional strings */
static void cell_none(sk_obj *cells, size_t i, const char *v) { cell_str(cells, i, v && *v ? v : "<none>"); }

static void cell_int(sk_obj *cells, size_t i, int64_t v)
{
	char path[16];
	snprintf(path, sizeof path, "[%zu]", i);
	sk_obj_set_int(cells, path, v, NULL);
}

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

/* sk_obj_append adds its own reference: drop the one sk_obj_new_str made */
static void append_str(sk_obj *arr, const char *s)
{
	sk_obj *v = sk_obj_new_str(s);
	sk_obj_append(arr, v);
	sk_obj_unref(v);
}

/* the keys of a string map in byte order (Go's sorted map printing) */
static int collect_key(void *ud, const char *k, sk_obj *v)
{
	(void)v;
	append_str(ud, k);
	return 0;
}

static int by_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static sk_obj *sorted_keys(const sk_obj *m)
{
	sk_obj *keys = sk_obj_new_array(), *out = sk_obj_new_array();
	if (m && sk_obj_type_of(m) == SK_OBJ_OBJECT)
		sk_obj_foreach(m, collect_key, keys);
	size_t n = sk_obj_len(keys);
	const char **v = n ? malloc(n * sizeof *v) : NULL;
	for (size_t i = 0; v && i < n; i++)
		v[i] = sk_obj_str(sk_obj_at(keys, i));
	if (v)
		qsort(v, n, sizeof *v, by_text);
	for (size_t i = 0; v && i < n; i++)
		append_str(out, v[i]);
	free(v);
	sk_obj_unref(keys);
	return out;
}

/* labels.FormatLabels: k=v,k=v in key order, <none> when empty */
static void format_labels(const sk_obj *m, struct text *t)
{
	sk_obj *keys = sorted_keys(m);
	for (size_t i = 0; i < sk_obj_len(keys); i++) {
		const char *k = sk_obj_str(sk_obj_at(keys, i));
		char path[600];
		if (kinds_key_path(path, sizeof path, "", k) == 0)
			add(t, ",", "%s=%s", k, sk_obj_get_str(m, path) ?: "");
	}
	sk_obj_unref(keys);
	if (!t->n)
		add(t, NULL, "<none>");
}

/* the Containers and Images cells of workloads: names and images, comma-joined */
static void container_cells(const sk_obj *containers, sk_obj *cells, size_t i)
{
	struct text names = {0}, images = {0};
	for (size_t k = 0; k < sk_obj_len(containers); k++) {
		sk_obj *c = sk_obj_at(containers, k);
		add(&names, ",", "%s", sk_obj_get_str(c, "name") ?: "");
		add(&images, ",", "%s", sk_obj_get_str(c, "image") ?: "");
	}
	cell_str(cells, i, names.s);
	cell_str(cells, i + 1, images.s);
}

/* ---- ConfigMap: DATA ------------------------------------------------------ */

static const sk_column configmap_cols[] = {{"Data", "string", "Data contains the configuration data.", 0, NULL}, AGE, END};
static void configmap_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	cell_int(cells, 0, (int64_t)(sk_obj_len(sk_obj_get(o, "data")) + sk_obj_len(sk_obj_get(o, "binaryData"))));
}

/* ---- Secret: TYPE DATA ---------------------------------------------------- */

static const sk_column secret_cols[] = {
	{"Type", "string", "Used to facilitate programmatic handling of secret data.", 0, ".type"},
	{"Data", "string", "Data contains the secret data.", 0, NULL},
	AGE,
	END,
};
static void secret_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	cell_str(cells, 0, sk_obj_get_str(o, "type"));
	/* stringData never reaches storage: it is merged into data on write */
	cell_int(cells, 1, (int64_t)sk_obj_len(sk_obj_get(o, "data")));
}

/* ---- Service: TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, wide SELECTOR ----- */

static const sk_column service_cols[] = {
	{"Type", "string", "type determines how the Service is exposed.", 0, ".spec.type"},
	{"Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly.", 0, NULL},
	{"External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.", 0, NULL},
	{"Port(s)", "string", "The list of ports that are exposed by this service.", 0, NULL},
	AGE,
	{"Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", 1, NULL},
	END,
};

/* the load balancer's ingress points: IPs or hostnames, unique, sorted */
static void lb_ingress(const sk_obj *ingress, struct text *t)
{
	sk_obj *set = sk_obj_new_object();
	for (size_t i = 0; i < sk_obj_len(ingress); i++) {
		sk_obj *in = sk_obj_at(ingress, i);
		const char *ip = sk_obj_get_str(in, "ip"), *host = sk_obj_get_str(in, "hostname");
		const char *v = ip && *ip ? ip : host && *host ? host : NULL;
		char path[600];
		if (v && kinds_key_path(path, sizeof path, "", v) == 0)
			sk_obj_set_bool(set, path, 1, NULL);
	}
	sk_obj *keys = sorted_keys(set);
	for (size_t i = 0; i < sk_obj_len(keys); i++)
		add(t, ",", "%s", sk_obj_str(sk_obj_at(keys, i)));
	sk_obj_unref(keys);
	sk_obj_unref(set);
}

static void join_strings(const sk_obj *list, struct text *t)
{
	for (size_t i = 0; i < sk_obj_len(list); i++)
		add(t, ",", "%s", sk_obj_str(sk_obj_at(list, i)) ?: "");
}

/* getServiceExternalIP, as the server prints it (wide, so not clipped) */
static void service_external_ip(const sk_obj *o, struct text *t)
{
	const char *type = sk_obj_get_str(o, "spec.type");
	sk_obj *ext = sk_obj_get(o, "spec.externalIPs");
	if (eq(type, "ClusterIP") || eq(type, "NodePort")) {
		join_strings(ext, t);
		if (!t->n)
			add(t, NULL, "<none>");
	} else if (eq(type, "LoadBalancer")) {
		lb_ingress(sk_obj_get(o, "status.loadBalancer.ingress"), t);
		join_strings(ext, t);
		if (!t->n)
			add(t, NULL, "<pending>");
	} else if (eq(type, "ExternalName"))
		add(t, NULL, "%s", sk_obj_get_str(o, "spec.externalName") ?: "");
	else
		add(t, NULL, "<unknown>");
}

static void service_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	const char *ip = sk_obj_get_str(o, "spec.clusterIPs[0]");
	if (!ip)
		ip = sk_obj_get_str(o, "spec.clusterIP");
	cell_none(cells, 1, ip);
	struct text t = {0};
	service_external_ip(o, &t);
	cell_str(cells, 2, t.s);
	struct text ports = {0};
	sk_obj *list = sk_obj_get(o, "spec.ports");
	for (size_t i = 0; i < sk_obj_len(list); i++) {
		sk_obj *p = sk_obj_at(list, i);
		long long port = (long long)sk_obj_get_int(p, "port", 0), node = (long long)sk_obj_get_int(p, "nodePort", 0);
		const char *proto = sk_obj_get_str(p, "protocol") ?: "";
		if (node > 0)
			add(&ports, ",", "%lld:%lld/%s", port, node, proto);
		else
			add(&ports, ",", "%lld/%s", port, proto);
	}
	cell_none(cells, 3, ports.s);
	struct text sel = {0};
	format_labels(sk_obj_get(o, "spec.selector"), &sel);
	cell_str(cells, 5, sel.s);
}

/* ---- Endpoints: ENDPOINTS ------------------------------------------------- */

static const sk_column endpoints_cols[] = {
	{"Endpoints", "string", "The set of all endpoints is the union of all subsets.", 0, NULL}, AGE, END};

/* formatEndpoints: the first three ip:port pairs, then "+ N more..." */
static void endpoints_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	sk_obj *subsets = sk_obj_get(o, "subsets");
	if (!sk_obj_len(subsets)) {
		cell_str(cells, 0, "<none>");
		return;
	}
	struct text t = {0};
	size_t shown = 0, count = 0;
	int more = 0;
	for (size_t s = 0; s < sk_obj_len(subsets); s++) {
		sk_obj *ss = sk_obj_at(subsets, s), *addrs = sk_obj_get(ss, "addresses"), *ports = sk_obj_get(ss, "ports");
		size_t na = sk_obj_len(addrs), np = sk_obj_len(ports);
		/* headless services may have addresses without ports */
		for (size_t p = 0; p < (np ? np : 1); p++) {
			count += na;
			for (size_t a = 0; a < na; a++) {
				if (shown == 3) {
					more = 1;
					break;
				}
				const char *ip = sk_obj_get_str(sk_obj_at(addrs, a), "ip") ?: "";
				if (!np)
					add(&t, ",", "%s", ip);
				else if (strchr(ip, ':'))
					add(&t, ",", "[%s]:%lld", ip, (long long)sk_obj_get_int(sk_obj_at(ports, p), "port", 0));
				else
					add(&t, ",", "%s:%lld", ip, (long long)sk_obj_get_int(sk_obj_at(ports, p), "port", 0));
				shown++;
			}
		}
	}
	if (more)
		add(&t, NULL, " + %zu more...", count - 3);
	cell_str(cells, 0, t.s);
}

/* ---- ServiceAccount: SECRETS ---------------------------------------------- */

static const sk_column sa_cols[] = {
	{"Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.", 0, NULL},
	AGE,
	END,
};
static void sa_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	cell_int(cells, 0, (int64_t)sk_obj_len(sk_obj_get(o, "secrets")));
}

/* ---- Node: STATUS ROLES AGE VERSION, wide INTERNAL-IP ... ---------------- */

static const sk_column node_cols[] = {
	{"Status", "string", "The status of the node", 0, NULL},
	{"Roles", "string", "The roles of the node", 0, NULL},
	AGE,
	{"Version", "string", "Kubelet Version reported by the node.", 0, NULL},
	{"Internal-IP", "string", "List of addresses reachable to the node.", 1, NULL},
	{"External-IP", "string", "List of addresses reachable to the node.", 1, NULL},
	{"OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1, NULL},
	{"Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1, NULL},
	{"Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1, NULL},
	END,
};

/* findNodeRoles: node-role.kubernetes.io/<role> keys and kubernetes.io/role values */
static int node_role(void *ud, const char *k, sk_obj *v)
{
	sk_obj *set = ud;
	const char *role = NULL;
	if (!strncmp(k, "node-role.kubernetes.io/", 24))
		role = k + 24;
	else if (!strcmp(k, "kubernetes.io/role"))
		role = sk_obj_str(v);
	char path[600];
	if (role && *role && kinds_key_path(path, sizeof path, "", role) == 0)
		sk_obj_set_bool(set, path, 1, NULL);
	return 0;
}

static const char *node_address(const sk_obj *o, const char *type)
{
	sk_obj *addrs = sk_obj_get(o, "status.addresses");
	for (size_t i = 0; i < sk_obj_len(addrs); i++)
		if (eq(sk_obj_get_str(sk_obj_at(addrs, i), "type"), type))
			return sk_obj_get_str(sk_obj_at(addrs, i), "address");
	return NULL;
}

static const char *or_unknown(const char *s) { return s && *s ? s : "<unknown>"; }

static void node_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	struct text status = {0};
	sk_obj *conds = sk_obj_get(o, "status.conditions");
	for (size_t i = 0; i < sk_obj_len(conds); i++) {
		sk_obj *c = sk_obj_at(conds, i);
		if (eq(sk_obj_get_str(c, "type"), "Ready"))
			add(&status, NULL, "%s", eq(sk_obj_get_str(c, "status"), "True") ? "Ready" : "NotReady");
	}
	if (!status.n)
		add(&status, NULL, "Unknown");
	if (sk_obj_get_bool(o, "spec.unschedulable", 0))
		add(&status, ",", "SchedulingDisabled");
	cell_str(cells, 0, status.s);
	sk_obj *set = sk_obj_new_object();
	sk_obj *labels = sk_obj_get(o, "metadata.labels");
	if (labels && sk_obj_type_of(labels) == SK_OBJ_OBJECT)
		sk_obj_foreach(labels, node_role, set);
	sk_obj *roles = sorted_keys(set);
	struct text r = {0};
	join_strings(roles, &r);
	sk_obj_unref(roles);
	sk_obj_unref(set);
	cell_none(cells, 1, r.s);
	cell_str(cells, 3, sk_obj_get_str(o, "status.nodeInfo.kubeletVersion"));
	cell_none(cells, 4, node_address(o, "InternalIP"));
	cell_none(cells, 5, node_address(o, "ExternalIP"));
	cell_str(cells, 6, or_unknown(sk_obj_get_str(o, "status.nodeInfo.osImage")));
	cell_str(cells, 7, or_unknown(sk_obj_get_str(o, "status.nodeInfo.kernelVersion")));
	cell_str(cells, 8, or_unknown(sk_obj_get_str(o, "status.nodeInfo.containerRuntimeVersion")));
}

/* ---- PersistentVolume and PersistentVolumeClaim --------------------------- */

static const sk_column pv_cols[] = {
	{"Capacity", "string", "capacity is the description of the persistent volume's resources and capacity.", 0, NULL},
	{"Access Modes", "string", "accessModes contains all ways the volume can be mounted.", 0, NULL},
	{"Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.", 0, ".spec.persistentVolumeReclaimPolicy"},
	{"Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim.", 0, NULL},
	{"Claim", "string", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.", 0, NULL},
	{"StorageClass", "string", "StorageClass of the pv", 0, NULL},
	{"VolumeAttributesClass", "string", "VolumeAttributesClass of the pv", 0, NULL},
	{"Reason", "string", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.", 0, NULL},
	AGE,
	{"VolumeMode", "string", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", 1, NULL},
	END,
};

/* helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order */
static void access_modes(const sk_obj *modes, struct text *t)
{
	static const char *const names[][2] = {{"ReadWriteOnce", "RWO"}, {"ReadOnlyMany", "ROX"},
	                                       {"ReadWriteMany", "RWX"}, {"ReadWriteOncePod", "RWOP"}};
	for (size_t k = 0; k < 4; k++)
		for (size_t i = 0; i < sk_obj_len(modes); i++)
			if (eq(sk_obj_str(sk_obj_at(modes, i)), names[k][0])) {
				add(t, ",", "%s", names[k][1]);
				break;
			}
}

/* the beta annotation still wins over the field, as in Kubernetes' helper */
static const char *storage_class(const sk_obj *o)
{
	const char *a = sk_obj_get_str(o, "metadata.annotations[\"volume.beta.kubernetes.io/storage-class\"]");
	return a ? a : sk_obj_get_str(o, "spec.storageClassName");
}

static const char *phase_of(const sk_obj *o)
{
	return sk_obj_get_str(o, "metadata.deletionTimestamp") ? "Terminating" : sk_obj_get_str(o, "status.phase");
}

static void pv_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	char qty[64];
	kinds_quantity_text(sk_obj_get(o, "spec.capacity.storage"), qty, sizeof qty);
	cell_str(cells, 0, qty);
	struct text t = {0};
	access_modes(sk_obj_get(o, "spec.accessModes"), &t);
	cell_str(cells, 1, t.s);
	cell_str(cells, 3, phase_of(o));
	struct text claim = {0};
	if (sk_obj_get(o, "spec.claimRef"))
		add(&claim, NULL, "%s/%s", sk_obj_get_str(o, "spec.claimRef.namespace") ?: "",
		    sk_obj_get_str(o, "spec.claimRef.name") ?: "");
	cell_str(cells, 4, claim.s);
	cell_str(cells, 5, storage_class(o));
	cell_str(cells, 6, sk_obj_get_str(o, "spec.volumeAttributesClassName") ?: "<unset>");
	cell_str(cells, 7, sk_obj_get_str(o, "status.reason"));
	cell_str(cells, 9, sk_obj_get_str(o, "spec.volumeMode") ?: "<unset>");
}

static const sk_column pvc_cols[] = {
	{"Status", "string", "phase represents the current phase of PersistentVolumeClaim.", 0, NULL},
	{"Volume", "string", "volumeName is the binding reference to the PersistentVolume backing this claim.", 0, NULL},
	{"Capacity", "string", "capacity represents the actual resources of the underlying volume.", 0, NULL},
	{"Access Modes", "string", "accessModes contains the actual access modes the volume backing the PVC has.", 0, NULL},
	{"StorageClass", "string", "StorageClass of the pvc", 0, NULL},
	{"VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc", 0, NULL},
	AGE,
	{"VolumeMode", "string", "volumeMode defines what type of volume is required by the claim.", 1, NULL},
	END,
};

static void pvc_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	const char *volume = sk_obj_get_str(o, "spec.volumeName");
	cell_str(cells, 0, phase_of(o));
	cell_str(cells, 1, volume);
	/* capacity and modes are the bound volume's, so only once bound */
	char qty[64] = "";
	struct text t = {0};
	if (volume && *volume) {
		kinds_quantity_text(sk_obj_get(o, "status.capacity.storage"), qty, sizeof qty);
		access_modes(sk_obj_get(o, "status.accessModes"), &t);
	}
	cell_str(cells, 2, qty);
	cell_str(cells, 3, t.s);
	cell_str(cells, 4, storage_class(o));
	cell_str(cells, 5, sk_obj_get_str(o, "spec.volumeAttributesClassName") ?: "<unset>");
	cell_str(cells, 7, sk_obj_get_str(o, "spec.volumeMode") ?: "<unset>");
}

/* ---- ReplicationController: DESIRED CURRENT READY AGE, wide ... ---------- */

static const sk_column rc_cols[] = {
	{"Desired", "integer", "Replicas is the number of desired replicas.", 0, NULL},
	{"Current", "integer", "Replicas is the most recently observed number of replicas.", 0, NULL},
	{"Ready", "integer", "The number of ready replicas for this replication controller.", 0, NULL},
	AGE,
	{"Containers", "string", "Names of each container in the template.", 1, NULL},
	{"Images", "string", "Images referenced by each container in the template.", 1, NULL},
	{"Selector", "string", "Selector is a label query over pods that should match the Replicas count.", 1, NULL},
	END,
};
static void rc_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	cell_int(cells, 0, sk_obj_get_int(o, "spec.replicas", 1));
	cell_int(cells, 1, sk_obj_get_int(o, "status.replicas", 0));
	cell_int(cells, 2, sk_obj_get_int(o, "status.readyReplicas", 0));
	container_cells(sk_obj_get(o, "spec.template.spec.containers"), cells, 4);
	struct text sel = {0};
	format_labels(sk_obj_get(o, "spec.selector"), &sel);
	cell_str(cells, 6, sel.s);
}

/* ---- PodTemplate: CONTAINERS IMAGES POD LABELS ---------------------------- */

static const sk_column podtemplate_cols[] = {
	{"Containers", "string", "Names of each container in the template.", 0, NULL},
	{"Images", "string", "Images referenced by each container in the template.", 0, NULL},
	{"Pod Labels", "string", "The labels for the pod template.", 0, NULL},
	END,
};
static void podtemplate_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	container_cells(sk_obj_get(o, "template.spec.containers"), cells, 0);
	struct text l = {0};
	format_labels(sk_obj_get(o, "template.metadata.labels"), &l);
	cell_str(cells, 2, l.s);
}

/* ---- Event: LAST SEEN TYPE REASON OBJECT MESSAGE, wide ... ---------------- */

/* Kubernetes puts NAME last (wide) for events: a column named Name takes
 * the place of the one the core would put first. */
static const sk_column event_cols[] = {
	{"Last Seen", "date", "The time at which the most recent occurrence of this event was recorded.", 0, ".lastTimestamp"},
	{"Type", "string", "Type of this event (Normal, Warning), new types could be added in the future", 0, NULL},
	{"Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", 0, NULL},
	{"Object", "string", "The object that this event is about.", 0, NULL},
	{"Subobject", "string", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].", 1, NULL},
	{"Source", "string", "The component reporting this event.", 1, NULL},
	{"Message", "string", "A human-readable description of the status of this operation.", 0, NULL},
	{"First Seen", "date", "The time at which the event was first recorded.", 1, ".firstTimestamp"},
	{"Count", "string", "The number of times this event has occurred.", 1, NULL},
	{"Name", "string", "Name must be unique within a namespace.", 1, ".metadata.name"},
	END,
};

static const char *trim(const char *s, size_t *len)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
		s++;
	size_t n = strlen(s);
	while (n && strchr(" \t\n\r\v\f", s[n - 1]))
		n--;
	*len = n;
	return s;
}

static void event_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	/* the date cells come from .lastTimestamp and .firstTimestamp; events of
	 * the events.k8s.io era fall back to eventTime and their series */
	const char *first = sk_obj_get_str(o, "firstTimestamp"), *event_time = sk_obj_get_str(o, "eventTime");
	const char *last = sk_obj_get_str(o, "lastTimestamp");
	const char *series_last = sk_obj_get_str(o, "series.lastObservedTime");
	int64_t count = sk_obj_get_int(o, "count", 0);
	if (!first)
		cell_str(cells, 7, event_time ? event_time : "<unknown>");
	if (sk_obj_get(o, "series")) {
		cell_str(cells, 0, series_last ? series_last : "<unknown>");
		count = sk_obj_get_int(o, "series.count", 0);
	} else {
		if (!last)
			cell_str(cells, 0, first ? first : event_time ? event_time : "<unknown>");
		if (!count)
			count = 1; /* singleton events of the new API carry no count */
	}
	cell_str(cells, 1, sk_obj_get_str(o, "type"));
	cell_str(cells, 2, sk_obj_get_str(o, "reason"));
	struct text target = {0};
	const char *kind = sk_obj_get_str(o, "involvedObject.kind") ?: "", *name = sk_obj_get_str(o, "involvedObject.name");
	add(&target, NULL, "%s", kind);
	for (size_t i = 0; i < target.n; i++)
		target.s[i] = (char)(target.s[i] >= 'A' && target.s[i] <= 'Z' ? target.s[i] + 32 : target.s[i]);
	if (name && *name)
		add(&target, NULL, "/%s", name);
	cell_str(cells, 3, target.s);
	cell_str(cells, 4, sk_obj_get_str(o, "involvedObject.fieldPath"));
	/* formatEventSource: component (or reportingComponent), then host (or reportingInstance) */
	const char *component = sk_obj_get_str(o, "source.component"), *host = sk_obj_get_str(o, "source.host");
	if (!component || !*component)
		component = sk_obj_get_str(o, "reportingComponent");
	if (!host || !*host)
		host = sk_obj_get_str(o, "reportingInstance");
	struct text source = {0};
	add(&source, NULL, "%s", component ?: "");
	if (host && *host)
		add(&source, NULL, ", %s", host);
	cell_str(cells, 5, source.s);
	size_t len;
	const char *msg = trim(sk_obj_get_str(o, "message") ?: "", &len);
	struct text m = {0};
	add(&m, NULL, "%.*s", (int)len, msg);
	cell_str(cells, 6, m.s);
	cell_int(cells, 8, count);
}

/* ---- ResourceQuota: AGE REQUEST LIMIT -------------------------------------- */

static const sk_column quota_cols[] = {
	AGE,
	{"Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume.", 0, NULL},
	{"Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.", 0, NULL},
	END,
};

/* "resource: used/hard" for each enforced resource, limits.* in LIMIT */
static void quota_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	sk_obj *hard = sk_obj_get(o, "status.hard"), *used = sk_obj_get(o, "status.used");
	sk_obj *keys = sorted_keys(hard);
	struct text req = {0}, lim = {0};
	for (size_t i = 0; i < sk_obj_len(keys); i++) {
		const char *k = sk_obj_str(sk_obj_at(keys, i));
		char path[600], u[64], h[64];
		if (kinds_key_path(path, sizeof path, "", k) != 0)
			continue;
		kinds_quantity_text(sk_obj_get(used, path), u, sizeof u);
		kinds_quantity_text(sk_obj_get(hard, path), h, sizeof h);
		add(!strncmp(k, "limits.", 7) ? &lim : &req, ", ", "%s: %s/%s", k, u, h);
	}
	sk_obj_unref(keys);
	cell_str(cells, 1, req.s);
	cell_str(cells, 2, lim.s);
}

/* ---- kinds without a printer: Kubernetes' default table convertor ---------- */

/* the timestamp itself (RFC 3339, UTC), not an age */
static const sk_column created_at[] = {
	{"Created At", "string", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp"},
	END,
};

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
	{"podtemplates", podtemplate_cols, podtemplate_row},
	{"events", event_cols, event_row},
	{"resourcequotas", quota_cols, quota_row},
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
