/* versions.h — api-networking: the removed API versions of Ingress. */
#ifndef API_NETWORKING_VERSIONS_H
#define API_NETWORKING_VERSIONS_H
#include <skiff/skiff.h>

int networking_old_versions_register(sk_plugin *p, sk_err *err);

#endif
