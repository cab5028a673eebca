/* versions.h — api-apps: the removed API versions of the workload kinds. */
#ifndef API_APPS_VERSIONS_H
#define API_APPS_VERSIONS_H
#include <skiff/skiff.h>
#include <stdlib.h>

int apps_old_versions_register(sk_plugin *p, sk_err *err);

#endif
