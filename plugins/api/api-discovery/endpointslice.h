/* endpointslice.h — api-discovery: defaults, validation and columns of
 * EndpointSlices (endpointslice.c), filled into the registration plugin.c
 * makes. */
#ifndef API_DISCOVERY_ENDPOINTSLICE_H
#define API_DISCOVERY_ENDPOINTSLICE_H
#include <skiff/skiff.h>

void discovery_endpointslice(sk_resource_ops *r);

#endif
