/* api-storage — the storage.k8s.io/v1 kinds: StorageClasses, CSI drivers and nodes, VolumeAttachments: their types (storage.types) and registrations. */
#include "kinds.h"

extern const char storage_types[];
extern const unsigned long storage_types_len;

static sk_resource_ops resources[] = {
	SK_GROUP_RESOURCE("storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", 0, 0, SK_LIST("sc"), NULL, "io.k8s.api.storage.v1"),
	SK_GROUP_RESOURCE("storage.k8s.io", "v1", "volumeattachments", "volumeattachment", "VolumeAttachment", 0, SK_SUB_STATUS, NULL, NULL, "io.k8s.api.storage.v1"),
	SK_GROUP_RESOURCE("storage.k8s.io", "v1", "csidrivers", "csidriver", "CSIDriver", 0, 0, NULL, NULL, "io.k8s.api.storage.v1"),
	SK_GROUP_RESOURCE("storage.k8s.io", "v1", "csinodes", "csinode", "CSINode", 0, 0, NULL, NULL, "io.k8s.api.storage.v1"),
	SK_GROUP_RESOURCE("storage.k8s.io", "v1", "csistoragecapacities", "csistoragecapacity", "CSIStorageCapacity", 1, 0, NULL, NULL, "io.k8s.api.storage.v1"),
};

static int init(sk_plugin *p, sk_err *err)
{
	storage_storageclass(&resources[0]);
	storage_volumeattachment(&resources[1]);
	storage_csidriver(&resources[2]);
	storage_csinode(&resources[3]);
	storage_csistoragecapacity(&resources[4]);
	int rc = sk_types_define(p, "storage.types", storage_types, storage_types_len, err);
	if (rc == SK_OK)
		rc = sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err);
	return rc != SK_OK ? rc : storage_old_versions_register(p, err);
}

SK_PLUGIN("api-storage", SKIFF_VERSION, "the storage.k8s.io/v1 kinds: StorageClasses, CSI drivers and nodes, VolumeAttachments", SK_LIST("api.storage"), SK_LIST("api-core"), init, NULL);
