/* versions.c — storage.k8s.io/v1beta1, removed in Kubernetes 1.22 (1.27 for
 * CSIStorageCapacity) but still in older manifests and charts: served over
 * the v1 objects, with Kubernetes' deprecation warnings. The shapes are the
 * same; v1beta1 CSIDrivers just never had seLinuxMount. */
#include "kinds.h"

static int same_shape(void *ud, sk_obj *obj, sk_err *err)
{
	(void)ud;
	(void)obj;
	(void)err;
	return SK_OK;
}

static int csidriver_out(void *ud, sk_obj *obj, sk_err *err)
{
	(void)ud;
	(void)err;
	sk_obj_del(obj, "spec.seLinuxMount");
	return SK_OK;
}

#define OLD(plural_, singular_, kind_, ns_, subs_, out_, deprecated_, gone_)                                         \
	{                                                                                                     \
		.size = sizeof(sk_resource_ops), .name = plural_ ".v1beta1.storage.k8s.io", .group = "storage.k8s.io", \
		.version = "v1beta1", .kind = kind_, .plural = plural_, .singular = singular_,                   \
		.list_kind = kind_ "List", .namespaced = ns_, .subresources = subs_,                             \
		.type = "io.k8s.api.storage.v1beta1." kind_, .storage = plural_ ".storage.k8s.io",               \
		.to_storage = same_shape, .from_storage = out_,                                                  \
		.deprecation = "storage.k8s.io/v1beta1 " kind_ " is deprecated in v" deprecated_                    \
		               "+, unavailable in v" gone_ "+; use storage.k8s.io/v1 " kind_,                     \
	}

static const sk_resource_ops old_versions[] = {
	OLD("storageclasses", "storageclass", "StorageClass", 0, 0, same_shape, "1.19", "1.22"),
	OLD("volumeattachments", "volumeattachment", "VolumeAttachment", 0, SK_SUB_STATUS, same_shape, "1.19", "1.22"),
	OLD("csidrivers", "csidriver", "CSIDriver", 0, 0, csidriver_out, "1.19", "1.22"),
	OLD("csinodes", "csinode", "CSINode", 0, 0, same_shape, "1.17", "1.22"),
	OLD("csistoragecapacities", "csistoragecapacity", "CSIStorageCapacity", 1, 0, same_shape, "1.24", "1.27"),
};

int storage_old_versions_register(sk_plugin *p, sk_err *err)
{
	return sk_register_resources(p, old_versions, sizeof old_versions / sizeof old_versions[0], err);
}
