/* skiff/requests.h — what a pod asks for: resource.PodRequests as
 * Kubernetes 1.32 counts it, for the scheduler, quotas and the agent.
 *
 * Containers run together and are summed; init containers run one at a
 * time, each beside the sidecars (init containers with restartPolicy
 * Always) started before it, and sidecars also run beside the containers;
 * the pod needs the larger of the two, plus spec.overhead. Sums are exact
 * (Quantity arithmetic) and rounded once, by the reader.
 *
 * Ownership: names point into the pod (or are string literals) and live as
 * long as it does; nothing is allocated.
 */
#ifndef SKIFF_REQUESTS_H
#define SKIFF_REQUESTS_H
#include <skiff/obj.h>
#include <skiff/selector.h>
#include <string.h>

typedef struct sk_resource_amount {
	const char *name; /* "cpu", "memory", "example.com/gpu", ... */
	sk_quantity q;
} sk_resource_amount;

/* scoring's view: a container that names no cpu (memory) request counts
 * 100m (200Mi), so request-less pods do not all pile onto one node; a
 * request written as 0 stays 0 */
#define SK_REQUESTS_NONZERO 1u

/* The pod's requests, one entry per resource name, in the order the pod
 * first names them. Returns how many (at most cap), or -1 when the pod
 * names more than cap distinct resources (out then holds the first cap). */
int sk_pod_requests(const sk_obj *pod, unsigned flags, sk_resource_amount *out, size_t cap);

/* A quantity from a resource list's value: a string ("500m") or, as
 * Kubernetes' JSON also accepts, an integer. 1 when v is one, else 0 with
 * *q zero. */
int sk_quantity_of(const sk_obj *v, sk_quantity *q);

/* the amount of name among n entries, or NULL */
static inline const sk_quantity *sk_amount_find(const sk_resource_amount *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i].q;
	return NULL;
}

#ifndef SKIFF_CORE
#define sk_pod_requests (sk__host->pod_requests)
#define sk_quantity_of (sk__host->quantity_of)
#endif
#endif
#include <skiff/host.h>
