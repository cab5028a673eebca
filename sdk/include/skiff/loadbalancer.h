/* skiff/loadbalancer.h — cloud load balancers for Services of type
 * LoadBalancer.
 *
 * `ensure` creates or updates the balancer for a Service given the Nodes that
 * may receive its traffic, and returns the Service's new
 * status.loadBalancer ({"ingress": [{"ip": ...}]}); `remove` deletes it and
 * must be safe to repeat.
 *
 * Ownership: borrowed in, borrowed to the callback.
 */
#ifndef SKIFF_LOADBALANCER_H
#define SKIFF_LOADBALANCER_H
#include <skiff/abi.h>

typedef struct sk_loadbalancer_ops {
	uint32_t size;
	const char *name;
	void (*ensure)(void *ud, const sk_obj *service, const sk_obj *nodes, sk_done_fn done, void *cb_ud);
	void (*remove)(void *ud, const sk_obj *service, sk_done_fn done, void *cb_ud);
} sk_loadbalancer_ops;

#endif
#include <skiff/host.h>
