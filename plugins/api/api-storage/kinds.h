/* kinds.h — api-storage: the kind-specific pieces, one file per concern.
 * Each fills a registration's defaults, validation and columns. */
#ifndef API_STORAGE_KINDS_H
#define API_STORAGE_KINDS_H
#include <skiff/skiff.h>

/* storageclass.c: StorageClasses */
void storage_storageclass(sk_resource_ops *r);
/* csi.c: CSIDrivers, CSINodes, VolumeAttachments, CSIStorageCapacities */
void storage_csidriver(sk_resource_ops *r);
void storage_csinode(sk_resource_ops *r);
void storage_volumeattachment(sk_resource_ops *r);
void storage_csistoragecapacity(sk_resource_ops *r);
/* versions.c: storage.k8s.io/v1beta1, served over the v1 objects */
int storage_old_versions_register(sk_plugin *p, sk_err *err);

#endif
