/* skiff/volume.h — storage: dynamic provisioners (control plane) and volume
 * mounters (node role).
 *
 * A provisioner serves one StorageClass provisioner name (its ops name, e.g.
 * "skiff.io/local-path"): given a PersistentVolumeClaim and its StorageClass
 * it creates the backing storage and returns a PersistentVolume object to
 * store; `remove` reclaims it. On the node, `mount` makes a volume available
 * at a target directory ({"volume": <PV or inline volume>, "target": path,
 * "readOnly"}) and `unmount` undoes it, safe to repeat.
 *
 * Ownership: borrowed in, borrowed to the callback.
 */
#ifndef SKIFF_VOLUME_H
#define SKIFF_VOLUME_H
#include <skiff/abi.h>

typedef struct sk_volume_ops {
	uint32_t size;
	const char *name;
	void (*provision)(void *ud, const sk_obj *claim, const sk_obj *storage_class,
	                  sk_done_fn done, void *cb_ud);
	void (*remove)(void *ud, const sk_obj *volume, sk_done_fn done, void *cb_ud);
	void (*attach)(void *ud, const sk_obj *volume, const char *node, sk_done_fn done, void *cb_ud);
	void (*mount)(void *ud, const sk_obj *request, sk_done_fn done, void *cb_ud);
	void (*unmount)(void *ud, const sk_obj *request, sk_done_fn done, void *cb_ud);
} sk_volume_ops;

#endif
#include <skiff/host.h>
