/* csi.c — the CSI kinds: CSIDrivers (volumeLifecycleModes defaulting to
 * Persistent, token requests, modes), CSINodes (their drivers, fixed once
 * reported), VolumeAttachments (one source, attacher and node) and
 * CSIStorageCapacities, with the columns Kubernetes prints for each. */
#include "kinds.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define DRIVER_NAME_MAX 63
#define NODE_ID_MAX 256                     /* csiNodeIDLongerMaxLength */
#define ATTACH_METADATA_MAX (256 * 1024)    /* maxAttachedVolumeMetadataSize */
#define VOLUME_ERROR_MAX 1024               /* maxVolumeErrorMessageSize */

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

#define AGE {"Age", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp"}
#define END {NULL, NULL, NULL, 0, NULL}

/* ValidateCSIDriverName, for drivers named by CSINodes and VolumeAttachments */
static void check_driver_name(sk_obj *causes, const char *field, const char *name)
{
	if (!*name)
		sk_cause_required(causes, field, NULL);
	if (strlen(name) > DRIVER_NAME_MAX)
		sk_cause_too_long(causes, field, DRIVER_NAME_MAX);
	char lower[300];
	snprintf(lower, sizeof lower, "%s", name);
	for (char *c = lower; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	const char *bad = sk_check_dns1123_subdomain(NULL, NULL, lower);
	if (bad)
		sk_cause_invalid_str(causes, field, name, "%s", bad);
}

/* sk_obj_append adds its own reference: drop the one sk_obj_new_str made */
static void append_str(sk_obj *arr, const char *s)
{
	sk_obj *v = sk_obj_new_str(s);
	sk_obj_append(arr, v);
	sk_obj_unref(v);
}

/* ---- CSIDriver ---------------------------------------------------------------- */

static void csidriver_defaults(void *ud, sk_obj *d)
{
	(void)ud;
	if (!sk_obj_len(sk_obj_get(d, "spec.volumeLifecycleModes"))) {
		sk_obj *modes = sk_obj_new_array();
		append_str(modes, "Persistent");
		sk_obj_set(d, "spec.volumeLifecycleModes", modes, NULL);
		sk_obj_unref(modes);
	}
}

static int csidriver_validate(void *ud, const sk_obj *d, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	const char *name = sk_obj_get_str(d, "metadata.name");
	if (name && strlen(name) > DRIVER_NAME_MAX)
		sk_cause_too_long(causes, "name", DRIVER_NAME_MAX);
	const char *policy = sk_obj_get_str(d, "spec.fsGroupPolicy");
	static const char *const policies[] = {"File", "None", "ReadWriteOnceWithFSType", NULL};
	if (policy && !eq(policy, "File") && !eq(policy, "None") && !eq(policy, "ReadWriteOnceWithFSType"))
		sk_cause_not_supported(causes, "spec.fsGroupPolicy", policy, policies);
	sk_obj *tokens = sk_obj_get(d, "spec.tokenRequests");
	char f[96];
	for (size_t i = 0; i < sk_obj_len(tokens); i++) {
		sk_obj *t = sk_obj_at(tokens, i);
		const char *aud = sk_obj_get_str(t, "audience") ?: "";
		int dup = 0;
		for (size_t k = 0; k < i && !dup; k++)
			dup = eq(sk_obj_get_str(sk_obj_at(tokens, k), "audience") ?: "", aud);
		if (dup) {
			snprintf(f, sizeof f, "spec.tokenRequests[%zu].audience", i);
			sk_cause_duplicate(causes, f, aud);
			continue;
		}
		if (!sk_obj_get(t, "expirationSeconds"))
			continue;
		int64_t secs = sk_obj_get_int(t, "expirationSeconds", 0);
		snprintf(f, sizeof f, "spec.tokenRequests[%zu].expirationSeconds", i);
		if (secs < 600)
			sk_cause_invalid_int(causes, f, secs, "may not specify a duration less than 10 minutes");
		if (secs > (int64_t)1 << 32)
			sk_cause_invalid_int(causes, f, secs, "may not specify a duration larger than 2^32 seconds");
	}
	sk_obj *modes = sk_obj_get(d, "spec.volumeLifecycleModes");
	static const char *const lifecycles[] = {"Persistent", "Ephemeral", NULL};
	for (size_t i = 0; i < sk_obj_len(modes); i++) {
		const char *m = sk_obj_str(sk_obj_at(modes, i));
		if (!eq(m, "Persistent") && !eq(m, "Ephemeral"))
			sk_cause_not_supported(causes, "spec.volumeLifecycleModes", m ? m : "", lifecycles);
	}
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

static const sk_column csidriver_cols[] = {
	{"AttachRequired", "boolean", "attachRequired indicates this CSI volume driver requires an attach operation.", 0, NULL},
	{"PodInfoOnMount", "boolean", "podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true.", 0, NULL},
	{"StorageCapacity", "boolean", "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report.", 0, NULL},
	{"TokenRequests", "string", "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do necessary authentication.", 0, NULL},
	{"RequiresRepublish", "boolean", "requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.", 0, NULL},
	{"Modes", "string", "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.", 0, NULL},
	AGE,
	END,
};

static void csidriver_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	sk_obj_set_bool(cells, "[0]", sk_obj_get_bool(o, "spec.attachRequired", 1), NULL);
	sk_obj_set_bool(cells, "[1]", sk_obj_get_bool(o, "spec.podInfoOnMount", 0), NULL);
	sk_obj_set_bool(cells, "[2]", sk_obj_get_bool(o, "spec.storageCapacity", 0), NULL);
	char buf[2048] = "";
	sk_obj *tokens = sk_obj_get(o, "spec.tokenRequests");
	for (size_t i = 0; i < sk_obj_len(tokens); i++) {
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof buf - n, "%s%s", i ? "," : "", sk_obj_get_str(sk_obj_at(tokens, i), "audience") ?: "");
	}
	sk_obj_set_str(cells, "[3]", tokens ? buf : "<unset>", NULL);
	sk_obj_set_bool(cells, "[4]", sk_obj_get_bool(o, "spec.requiresRepublish", 0), NULL);
	buf[0] = '\0';
	sk_obj *modes = sk_obj_get(o, "spec.volumeLifecycleModes");
	for (size_t i = 0; i < sk_obj_len(modes); i++) {
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof buf - n, "%s%s", i ? "," : "", sk_obj_str(sk_obj_at(modes, i)) ?: "");
	}
	sk_obj_set_str(cells, "[5]", *buf ? buf : "<none>", NULL);
}

void storage_csidriver(sk_resource_ops *r)
{
	r->defaults = csidriver_defaults;
	r->validate = csidriver_validate;
	r->columns = csidriver_cols;
	r->row = csidriver_row;
}

/* ---- CSINode ------------------------------------------------------------------ */

static void check_node_driver(const sk_obj *drv, const sk_obj *drivers, size_t i, sk_obj *causes)
{
	char f[96], at[64];
	snprintf(at, sizeof at, "spec.drivers[%zu]", i);
	const char *name = sk_obj_get_str(drv, "name");
	snprintf(f, sizeof f, "%s.name", at);
	if (name)
		check_driver_name(causes, f, name);
	const char *id = sk_obj_get_str(drv, "nodeID");
	snprintf(f, sizeof f, "%s.nodeID", at);
	if (id && !*id)
		sk_cause_required(causes, f, NULL);
	if (id && strlen(id) > NODE_ID_MAX)
		sk_cause_invalid_str(causes, f, id, "must be %d characters or less", NODE_ID_MAX);
	snprintf(f, sizeof f, "%s.allocatable.count", at);
	if (sk_obj_get(drv, "allocatable.count"))
		sk_check_nonnegative(causes, f, sk_obj_get_int(drv, "allocatable.count", 0));
	snprintf(f, sizeof f, "%s.name", at);
	for (size_t k = 0; name && k < i; k++)
		if (eq(sk_obj_get_str(sk_obj_at(drivers, k), "name"), name)) {
			sk_cause_duplicate(causes, f, name);
			break;
		}
	/* Kubernetes reports the topology keys at the driver itself */
	sk_obj *keys = sk_obj_get(drv, "topologyKeys");
	for (size_t k = 0; k < sk_obj_len(keys); k++) {
		const char *key = sk_obj_str(sk_obj_at(keys, k)) ?: "";
		if (!*key)
			sk_cause_required(causes, at, NULL);
		for (size_t j = 0; j < k; j++)
			if (eq(sk_obj_str(sk_obj_at(keys, j)), key)) {
				sk_cause_duplicate(causes, at, key);
				break;
			}
		sk_check_qualified_name(causes, at, key);
	}
}

static int csinode_validate(void *ud, const sk_obj *n, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	size_t before = sk_obj_len(causes);
	sk_obj *drivers = sk_obj_get(n, "spec.drivers");
	for (size_t i = 0; i < sk_obj_len(drivers); i++)
		check_node_driver(sk_obj_at(drivers, i), drivers, i, causes);
	/* a driver that stays keeps what it reported */
	sk_obj *was = sk_obj_get(old, "spec.drivers");
	for (size_t i = 0; old && i < sk_obj_len(was); i++)
		for (size_t k = 0; k < sk_obj_len(drivers); k++) {
			sk_obj *a = sk_obj_at(was, i), *b = sk_obj_at(drivers, k);
			if (eq(sk_obj_get_str(a, "name"), sk_obj_get_str(b, "name")) && !sk_obj_equal(a, b))
				sk_cause_invalid_obj(causes, "CSINodeDriver", b, "field is immutable");
		}
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

static const sk_column csinode_cols[] = {
	{"Drivers", "integer", "Drivers indicates the number of CSI drivers registered on the node", 0, NULL}, AGE, END};

static void csinode_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	sk_obj_set_int(cells, "[0]", (int64_t)sk_obj_len(sk_obj_get(o, "spec.drivers")), NULL);
}

void storage_csinode(sk_resource_ops *r)
{
	r->validate = csinode_validate;
	r->columns = csinode_cols;
	r->row = csinode_row;
}

/* ---- VolumeAttachment ------------------------------------------------------------ */

struct bytes {
	size_t n;
};

static int count_bytes(void *ud, const char *k, sk_obj *v)
{
	((struct bytes *)ud)->n += strlen(k) + strlen(sk_obj_str(v) ?: "");
	return 0;
}

static void check_volume_error(const sk_obj *va, const char *path, sk_obj *causes)
{
	char f[64];
	snprintf(f, sizeof f, "%s.message", path);
	const char *m = sk_obj_get_str(va, f);
	if (m && strlen(m) > VOLUME_ERROR_MAX)
		sk_cause_too_long(causes, f, VOLUME_ERROR_MAX);
}

static int volumeattachment_validate(void *ud, const sk_obj *va, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	const char *attacher = sk_obj_get_str(va, "spec.attacher");
	if (attacher)
		check_driver_name(causes, "spec.attacher", attacher);
	sk_obj *pv = sk_obj_get(va, "spec.source.persistentVolumeName"), *inl = sk_obj_get(va, "spec.source.inlineVolumeSpec");
	static const char one[] = "must specify exactly one of inlineVolumeSpec and persistentVolumeName";
	if (!pv && !inl)
		sk_cause_required(causes, "spec.source", one);
	else if (pv && inl)
		sk_cause_forbidden(causes, "spec.source", one);
	else if (pv && !*(sk_obj_str(pv) ?: ""))
		sk_cause_required(causes, "spec.source.persistentVolumeName", "must specify non empty persistentVolumeName");
	else if (pv)
		sk_check_dns1123_subdomain(causes, "spec.source.persistentVolumeName", sk_obj_str(pv));
	const char *node = sk_obj_get_str(va, "spec.nodeName");
	if (node) {
		const char *bad = sk_check_dns1123_subdomain(NULL, NULL, node);
		if (bad)
			sk_cause_invalid_str(causes, "spec.nodeName", node, "%s", bad);
	}
	sk_obj *meta = sk_obj_get(va, "status.attachmentMetadata");
	struct bytes b = {0};
	if (meta && sk_obj_type_of(meta) == SK_OBJ_OBJECT)
		sk_obj_foreach(meta, count_bytes, &b);
	if (b.n > ATTACH_METADATA_MAX)
		sk_cause_too_long(causes, "status.attachmentMetadata", ATTACH_METADATA_MAX);
	check_volume_error(va, "status.attachError", causes);
	check_volume_error(va, "status.detachError", causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

static const sk_column volumeattachment_cols[] = {
	{"Attacher", "string", "attacher indicates the name of the volume driver that MUST handle this request.", 0, ".spec.attacher"},
	{"PV", "string", "persistentVolumeName represents the name of the persistent volume to attach.", 0, NULL},
	{"Node", "string", "nodeName represents the node that the volume should be attached to.", 0, ".spec.nodeName"},
	{"Attached", "boolean", "attached indicates the volume is successfully attached.", 0, NULL},
	AGE,
	END,
};

static void volumeattachment_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	sk_obj_set_str(cells, "[1]", sk_obj_get_str(o, "spec.source.persistentVolumeName") ?: "", NULL);
	sk_obj_set_bool(cells, "[3]", sk_obj_get_bool(o, "status.attached", 0), NULL);
}

void storage_volumeattachment(sk_resource_ops *r)
{
	r->validate = volumeattachment_validate;
	r->columns = volumeattachment_cols;
	r->row = volumeattachment_row;
}

/* ---- CSIStorageCapacity ---------------------------------------------------------- */

/* a quantity written as a string or a JSON number, in canonical form */
static int quantity(const sk_obj *v, sk_quantity *q, char *text, size_t cap)
{
	char *dumped = sk_obj_str(v) ? NULL : sk_obj_dump(v, 0);
	const char *s = sk_obj_str(v) ? sk_obj_str(v) : dumped;
	sk_err err = {0};
	int ok = s && sk_quantity_parse(s, q, &err) == SK_OK;
	sk_mem_free(dumped);
	if (ok)
		sk_quantity_format(q, text, cap);
	return ok;
}

static int csistoragecapacity_validate(void *ud, const sk_obj *c, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	sk_obj *topo = sk_obj_get(c, "nodeTopology");
	if (topo)
		sk_check_label_selector(causes, "nodeTopology", topo);
	const char *cls = sk_obj_get_str(c, "storageClassName");
	if (cls) {
		const char *bad = sk_check_dns1123_subdomain(NULL, NULL, cls);
		if (bad)
			sk_cause_invalid_str(causes, "storageClassName", cls, "%s", bad);
	}
	sk_quantity q;
	char text[64];
	if (sk_obj_get(c, "capacity") && quantity(sk_obj_get(c, "capacity"), &q, text, sizeof text))
		sk_check_quantity_nonnegative(causes, "capacity", &q);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

static const sk_column csistoragecapacity_cols[] = {
	{"StorageClassName", "string", "storageClassName represents the name of the StorageClass that the reported capacity applies to.", 0, ".storageClassName"},
	{"Capacity", "string", "capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.", 0, NULL},
	END,
};

static void csistoragecapacity_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	sk_quantity q;
	char text[64];
	sk_obj *v = sk_obj_get(o, "capacity");
	sk_obj_set_str(cells, "[1]", v && quantity(v, &q, text, sizeof text) ? text : "<unset>", NULL);
}

void storage_csistoragecapacity(sk_resource_ops *r)
{
	r->validate = csistoragecapacity_validate;
	r->columns = csistoragecapacity_cols;
	r->row = csistoragecapacity_row;
}
