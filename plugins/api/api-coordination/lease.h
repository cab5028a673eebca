/* lease.h — api-coordination: defaults, validation and columns of Leases
 * (lease.c), filled into the registration plugin.c makes. */
#ifndef API_COORDINATION_LEASE_H
#define API_COORDINATION_LEASE_H
#include <skiff/skiff.h>

void coordination_lease(sk_resource_ops *r);

#endif
