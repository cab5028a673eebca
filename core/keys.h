/* keys.h — storage keys of API objects:
 * /registry/<group or "core">/<plural>/[<namespace>/]<name> */
#ifndef SKIFF_CORE_KEYS_H
#define SKIFF_CORE_KEYS_H
#include <skiff/resource.h>

/* The resource registration, checking namespace use; NULL with err set. */
const sk_resource_ops *keys_resource(const char *group, const char *resource, const char *ns, sk_err *err);
/* Key of one object, or the prefix of a collection when name is NULL
 * (all namespaces when ns is NULL too). Returns SK_OK or SK_EINVALID. */
int keys_make(char *buf, size_t cap, const sk_resource_ops *r, const char *ns, const char *name, sk_err *err);
/* Kubernetes continue tokens: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"<key>"} */
char *keys_continue_encode(int64_t rv, const char *start_key);
int keys_continue_decode(const char *token, int64_t *rv, char *start_key, size_t cap, sk_err *err);

#endif
