/* skiff/network.h — pod networking (CNI-like), for the node role.
 *
 * The agent attaches each pod sandbox to the network after creating it and
 * detaches it before removing it. An attachment is described as
 * {"containerID", "netns", "ifName", "namespace", "name", "uid",
 *  "portMappings": [{"hostPort", "containerPort", "protocol"}]}.
 * add's result follows the CNI result: {"ips": [{"address": "10.88.0.5/16",
 * "gateway": ...}], "interfaces": [...]}. del must be safe to repeat.
 *
 * Ownership: borrowed in, borrowed to the callback.
 */
#ifndef SKIFF_NETWORK_H
#define SKIFF_NETWORK_H
#include <skiff/abi.h>

typedef struct sk_network_ops {
	uint32_t size;
	const char *name;
	void (*add)(void *ud, const sk_obj *attachment, sk_done_fn done, void *cb_ud);
	void (*del)(void *ud, const sk_obj *attachment, sk_done_fn done, void *cb_ud);
	void (*check)(void *ud, const sk_obj *attachment, sk_done_fn done, void *cb_ud);
} sk_network_ops;

#endif
#include <skiff/host.h>
