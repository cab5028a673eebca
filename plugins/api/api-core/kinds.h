/* kinds.h — the per-kind pieces of api-core, each in its own file. */
#ifndef API_CORE_KINDS_H
#define API_CORE_KINDS_H
#include <skiff/skiff.h>

/* pod.c: defaults, validation and columns of Pods */
void kinds_pod(sk_resource_ops *r);
/* namespace.c: Namespaces, and the ones that exist from the first start */
void kinds_namespace(sk_resource_ops *r);
int namespaces_bootstrap_register(sk_plugin *p, sk_err *err);
/* columns.c: `kubectl get` columns of the other kinds */
void kinds_simple(sk_resource_ops *v, size_t n);

#endif
