/* volume.c — PersistentVolumes and PersistentVolumeClaims: one volume
 * source, access modes and storage size (ValidatePersistentVolume /
 * ValidatePersistentVolumeClaim), a volume's source fixed once created, and
 * a claim's spec fixed but for storage requests and the attributes class. */
#include "kinds.h"
#include <string.h>

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

/* the PersistentVolumeSource members, in the order Kubernetes checks them */
static const char *const sources[] = {
	"hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "flocker", "nfs", "rbd", "quobyte",
	"cephfs", "iscsi", "cinder", "fc", "flexVolume", "azureFile", "vsphereVolume", "photonPersistentDisk",
	"portworxVolume", "azureDisk", "scaleIO", "local", "storageos", "csi", NULL,
};

static void check_access_modes(const sk_obj *modes, const char *field, const char *required_detail, sk_obj *causes)
{
	static const char *const supported[] = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod",
	                                         NULL};
	size_t n = sk_obj_len(modes);
	if (!n)
		sk_cause_required(causes, field, required_detail);
	int rwop = 0;
	for (size_t i = 0; i < n; i++) {
		const char *m = sk_obj_str(sk_obj_at(modes, i));
		int known = 0;
		for (size_t k = 0; supported[k]; k++)
			known |= eq(m, supported[k]);
		if (!known)
			sk_cause_not_supported(causes, field, m ? m : "", supported);
		rwop |= eq(m, "ReadWriteOncePod");
	}
	if (rwop && n > 1)
		sk_cause_forbidden(causes, field, "may not use ReadWriteOncePod with other access modes");
}

static void check_class_name(const sk_obj *obj, const char *path, const char *field, sk_obj *causes)
{
	const char *cls = sk_obj_get_str(obj, path);
	if (cls && *cls)
		sk_check_dns1123_subdomain(causes, field, cls);
}

/* a path on a node: not empty, and without ".." steps (the schema reports
 * an absent one) */
static void check_path(const char *p, const char *field, int absolute, sk_obj *causes)
{
	if (!p)
		return;
	if (!*p) {
		sk_cause_required(causes, field, NULL);
		return;
	}
	if (absolute && *p != '/')
		sk_cause_invalid_str(causes, field, p, "must be an absolute path");
	char copy[4096];
	snprintf(copy, sizeof copy, "%s", p);
	char *save = NULL;
	for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save))
		if (!strcmp(part, "..")) {
			sk_cause_invalid_str(causes, field, p, "must not contain '..'");
			break;
		}
}

/* ---- PersistentVolume ------------------------------------------------------ */

static void check_pv_sources(const sk_obj *pv, sk_obj *causes)
{
	int count = 0;
	char f[64];
	for (size_t i = 0; sources[i]; i++) {
		snprintf(f, sizeof f, "spec.%s", sources[i]);
		sk_obj *src = sk_obj_get(pv, f);
		if (!src)
			continue;
		if (count++) {
			sk_cause_forbidden(causes, f, "may not specify more than 1 volume type");
			continue;
		}
		if (!strcmp(sources[i], "hostPath"))
			check_path(sk_obj_get_str(src, "path"), "spec.hostPath.path", 0, causes);
		else if (!strcmp(sources[i], "local")) {
			check_path(sk_obj_get_str(src, "path"), "spec.local.path", 1, causes);
			if (!sk_obj_len(sk_obj_get(pv, "spec.nodeAffinity.required.nodeSelectorTerms")))
				sk_cause_required(causes, "spec.nodeAffinity", "Local volume requires node affinity");
		}
	}
	if (!count)
		sk_cause_required(causes, "spec", "must specify a volume type");
	const char *host = sk_obj_get_str(pv, "spec.hostPath.path");
	if (host && host[strspn(host, "/")] == '\0' && *host &&
	    eq(sk_obj_get_str(pv, "spec.persistentVolumeReclaimPolicy"), "Recycle"))
		sk_cause_forbidden(causes, "spec.persistentVolumeReclaimPolicy", "may not be 'recycle' for a hostPath mount of '/'");
}

struct capacity {
	sk_obj *causes;
	int others;
};

static int check_capacity(void *ud, const char *name, sk_obj *v)
{
	struct capacity *c = ud;
	char f[400];
	snprintf(f, sizeof f, "spec.capacity[%s]", name);
	sk_quantity q, zero = {0};
	if (kinds_quantity(v, &q) == 0 && sk_quantity_cmp(&q, &zero) <= 0) {
		char text[64];
		sk_quantity_format(&q, text, sizeof text);
		sk_cause_invalid_str(c->causes, f, text, "must be greater than zero");
	}
	c->others |= strcmp(name, "storage") != 0;
	return 0;
}

static void check_pv_spec(const sk_obj *pv, sk_obj *causes)
{
	check_access_modes(sk_obj_get(pv, "spec.accessModes"), "spec.accessModes", NULL, causes);
	sk_obj *cap = sk_obj_get(pv, "spec.capacity");
	if (!sk_obj_len(cap))
		sk_cause_required(causes, "spec.capacity", NULL);
	struct capacity c = {causes, 0};
	if (cap && sk_obj_type_of(cap) == SK_OBJ_OBJECT)
		sk_obj_foreach(cap, check_capacity, &c);
	static const char *const storage_only[] = {"storage", NULL};
	if (!sk_obj_get(cap, "storage") || c.others) {
		char *shown = cap ? sk_obj_dump(cap, SK_DUMP_SORTED) : NULL;
		sk_cause_not_supported(causes, "spec.capacity", shown ? shown : "null", storage_only);
		sk_mem_free(shown);
	}
	check_class_name(pv, "spec.storageClassName", "spec.storageClassName", causes);
	check_pv_sources(pv, causes);
}

/* the source may never change; a CSI volume may gain its expansion secret */
static void check_pv_update(const sk_obj *pv, const sk_obj *old, sk_obj *causes)
{
	int changed = 0;
	char f[64];
	for (size_t i = 0; sources[i]; i++) {
		snprintf(f, sizeof f, "spec.%s", sources[i]);
		sk_obj *a = sk_obj_get(pv, f), *b = sk_obj_get(old, f);
		if (!a && !b)
			continue;
		if (!a || !b) {
			changed = 1;
			continue;
		}
		sk_obj *now = sk_obj_copy(a);
		if (!strcmp(sources[i], "csi") && !sk_obj_get(b, "controllerExpandSecretRef"))
			sk_obj_del(now, "controllerExpandSecretRef");
		changed |= !sk_obj_equal(now, b);
		sk_obj_unref(now);
	}
	if (changed)
		sk_cause_forbidden(causes, "spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation");
}

static int pv_validate(void *ud, const sk_obj *pv, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	size_t before = sk_obj_len(causes);
	check_pv_spec(pv, causes);
	if (old)
		check_pv_update(pv, old, causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

/* ---- PersistentVolumeClaim ---------------------------------------------------- */

/* validateDataSource: a group's name is a DNS subdomain; without a group
 * only claims can be cloned */
static void check_data_source(const sk_obj *pvc, const char *path, sk_obj *causes)
{
	sk_obj *ds = sk_obj_get(pvc, path);
	if (!ds)
		return;
	char f[96];
	const char *group = sk_obj_get_str(ds, "apiGroup"), *kind = sk_obj_get_str(ds, "kind") ?: "";
	snprintf(f, sizeof f, "%s.apiGroup", path);
	if (group && *group)
		sk_check_dns1123_subdomain(causes, f, group);
	else if (!eq(kind, "PersistentVolumeClaim")) {
		static const char *const pvc_only[] = {"PersistentVolumeClaim", NULL};
		sk_cause_not_supported(causes, path, kind, pvc_only);
	}
}

static void check_pvc_spec(const sk_obj *pvc, sk_obj *causes)
{
	check_access_modes(sk_obj_get(pvc, "spec.accessModes"), "spec.accessModes", "at least 1 access mode is required",
	                   causes);
	sk_obj *sel = sk_obj_get(pvc, "spec.selector");
	if (sel)
		sk_check_label_selector(causes, "spec.selector", sel);
	sk_obj *storage = sk_obj_get(pvc, "spec.resources.requests.storage");
	sk_quantity q, zero = {0};
	if (!storage)
		sk_cause_required(causes, "spec.resources[storage]", NULL);
	else if (kinds_quantity(storage, &q) == 0 && sk_quantity_cmp(&q, &zero) <= 0) {
		char text[64];
		sk_quantity_format(&q, text, sizeof text);
		sk_cause_invalid_str(causes, "spec.resources[storage]", text, "must be greater than zero");
	}
	check_class_name(pvc, "spec.storageClassName", "spec.storageClassName", causes);
	check_data_source(pvc, "spec.dataSource", causes);
	check_data_source(pvc, "spec.dataSourceRef", causes);
}

static int quantity_of(const sk_obj *obj, const char *path, sk_quantity *q)
{
	sk_obj *v = sk_obj_get(obj, path);
	return v && kinds_quantity(v, q) == 0;
}

/* only a bound claim's storage request and attributes class may change,
 * and the request may not drop to the size already provisioned */
static void check_pvc_update(const sk_obj *pvc, const sk_obj *old, sk_obj *causes)
{
	sk_obj *now = sk_obj_copy(sk_obj_get(pvc, "spec")), *was = sk_obj_copy(sk_obj_get(old, "spec"));
	if (!now || !was) {
		sk_obj_unref(now);
		sk_obj_unref(was);
		return;
	}
	int bound = eq(sk_obj_get_str(pvc, "status.phase"), "Bound");
	/* a volume name may be set once; a class may be set where none was */
	static const char *const once[] = {"volumeName", "storageClassName", "volumeAttributesClassName", NULL};
	for (size_t i = 0; once[i]; i++) {
		sk_obj *v = sk_obj_get(now, once[i]);
		int settable = !sk_obj_get_str(was, once[i]) || !*sk_obj_get_str(was, once[i]) ||
		               !strcmp(once[i], "volumeAttributesClassName");
		if (v && settable)
			sk_obj_set(was, once[i], v, NULL);
		else if (!v && !strcmp(once[i], "volumeAttributesClassName"))
			sk_obj_del(was, once[i]);
	}
	if (bound) {
		sk_obj *req = sk_obj_get(now, "resources.requests.storage");
		if (req)
			sk_obj_set(was, "resources.requests.storage", req, NULL);
	}
	if (!sk_obj_equal(now, was))
		sk_cause_forbidden(causes, "spec",
		                   "spec is immutable after creation except resources.requests and "
		                   "volumeAttributesClassName for bound claims");
	sk_obj_unref(now);
	sk_obj_unref(was);
	sk_quantity new_size, old_size, status_size = {0};
	if (quantity_of(pvc, "spec.resources.requests.storage", &new_size) &&
	    quantity_of(old, "spec.resources.requests.storage", &old_size) && sk_quantity_cmp(&new_size, &old_size) < 0) {
		/* shrinking back toward the provisioned size recovers a failed expansion */
		quantity_of(old, "status.capacity.storage", &status_size);
		if (sk_quantity_cmp(&new_size, &status_size) <= 0)
			sk_cause_forbidden(causes, "spec.resources.requests.storage", "field can not be less than status.capacity");
	}
}

static int pvc_validate(void *ud, const sk_obj *pvc, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	size_t before = sk_obj_len(causes);
	check_pvc_spec(pvc, causes);
	if (old)
		check_pvc_update(pvc, old, causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

void kinds_persistentvolume(sk_resource_ops *r) { r->validate = pv_validate; }
void kinds_persistentvolumeclaim(sk_resource_ops *r) { r->validate = pvc_validate; }
