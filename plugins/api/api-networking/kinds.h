/* kinds.h — api-networking: the kind-specific pieces, one file per kind.
 * Each fills a registration's defaults, validation and columns. */
#ifndef API_NETWORKING_KINDS_H
#define API_NETWORKING_KINDS_H
#include <skiff/skiff.h>

/* ingress.c: Ingresses and IngressClasses */
void networking_ingress(sk_resource_ops *r);
void networking_ingressclass(sk_resource_ops *r);
/* netpol.c: NetworkPolicies */
void networking_networkpolicy(sk_resource_ops *r);

#endif
