/* crd.h — CustomResourceDefinitions in api-apiextensions.
 *
 * crd_validate.c holds the kind's own defaults and validation (what
 * kube-apiserver's CRD strategy and validation package do on every write);
 * crd.c the controller that serves what each CRD defines: a resource per
 * served version with its type from the version's schema, the status
 * conditions, and the clean-up of custom resources when a CRD is deleted.
 * Both run on the loop; neither keeps objects beyond a call.
 */
#ifndef API_APIEXTENSIONS_CRD_H
#define API_APIEXTENSIONS_CRD_H
#include <skiff/skiff.h>

/* the finalizer that holds a CRD until its custom resources are gone */
#define CRD_FINALIZER "customresourcecleanup.apiextensions.k8s.io"

/* crd_validate.c: defaults, validation and `kubectl get` columns of the
 * customresourcedefinitions registration r */
void crd_kind(sk_plugin *p, sk_resource_ops *r);

/* crd.c: the controller; registered once, started by the host */
int crd_controller_register(sk_plugin *p, sk_err *err);

#endif
