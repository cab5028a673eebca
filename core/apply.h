/* apply.h — metadata.managedFields and server-side apply, as kube-apiserver's
 * field manager (k8s.io/apimachinery/pkg/util/managedfields) does them on
 * top of structured-merge-diff.
 *
 * Every create, update and patch records which manager set which fields
 * (managed_fields_update): the fields a write changes move to its manager,
 * an entry {manager, operation "Update", apiVersion, time, fieldsType
 * "FieldsV1", fieldsV1, subresource}. An apply (PATCH with
 * application/apply-patch+yaml, `kubectl apply --server-side`) merges a
 * manager's configuration into the object, removes what the manager applied
 * before and no longer applies, and refuses to change fields other managers
 * own unless forced (apply_patch); its entry has operation "Apply". How each
 * part of an object is tracked comes from the kind's schema (typed.h).
 *
 * Where they run, as in kube-apiserver: on the request's object after
 * decoding and defaulting and before admission and the kind's own prepare
 * and validate steps, so that only what the client wrote is attributed to
 * it; an applied object is defaulted again afterwards. Loop thread. Objects
 * are jansson values the caller owns; nothing is kept between calls.
 */
#ifndef SKIFF_CORE_APPLY_H
#define SKIFF_CORE_APPLY_H
#include <jansson.h>
#include <skiff/abi.h>
#include "schema.h"

/* The annotation client-side `kubectl apply` keeps; server-side apply by
 * the manager "kubectl" keeps it current and takes over from it. */
#define LAST_APPLIED_ANNOTATION "kubectl.kubernetes.io/last-applied-configuration"
/* Kubernetes' cap on all annotations of an object, which a refreshed
 * last-applied annotation may not push the object past. */
#define APPLY_ANNOTATIONS_MAX (256 * 1024)
/* Update entries beyond this are merged, oldest first, into
 * "ancient-changes" (one per apiVersion), as Kubernetes does. */
#define APPLY_MAX_UPDATE_MANAGERS 10

struct apply_ctx {
	const struct schema_node *type; /* the kind's type ("io.k8s.api.apps.v1.Deployment") */
	const char *api_version;        /* "apps/v1" on the entries; NULL: the object's apiVersion */
	const char *kind;               /* applied objects must be of it; NULL: unchecked */
	const char *manager;            /* ?fieldManager=, or the client's user agent up to its
	                                   first "/"; NULL or "": "unknown" */
	const char *subresource;        /* NULL, or "status" for writes through /status */
	const char *now;                /* RFC 3339 time for the entries written; NULL: now */
	const json_t *reset;            /* FieldsV1 of the fields this endpoint resets and never
	                                   attributes, e.g. {"f:status":{}} on a resource with a
	                                   status subresource and {"f:spec":{}} on the subresource
	                                   itself (Kubernetes' ResetFieldsStrategy); NULL: none */
};

/* FieldsV1 of the fields obj sets ({"f:metadata":{"f:labels":{"f:app":{}}},
 * "f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{}}}}}),
 * byte for byte as Kubernetes encodes them. NULL: out of memory or too deep. */
json_t *fieldset_of(const struct schema_node *type, const json_t *obj);

/* What every create (old NULL), update and non-apply patch does to obj
 * before it is stored: the fields that changed from old go to the manager's
 * Update entry (timestamped; left alone when the write changes none of its
 * fields) and are taken from every other entry; entries left empty go.
 * The request's own metadata.managedFields replace the stored ones when
 * set (an empty list, or a list of one empty entry, resets them); a status
 * write always keeps the stored ones. An object whose managedFields were
 * reset stays untracked until it is applied to. Never fails a write: on an
 * error obj loses its managedFields, as Kubernetes' UpdateNoErrors. */
int managed_fields_update(const struct apply_ctx *c, json_t *obj, const json_t *old, sk_err *err);

/* Server-side apply of `applied` (the configuration sent, as JSON) by
 * c->manager to *live (NULL: the object does not exist and the apply
 * creates it). On success *live is released and replaced by the resulting
 * object, managedFields included, and *conflicts is NULL. When other
 * managers own fields the configuration changes and force is 0: SK_ECONFLICT,
 * err->msg like Kubernetes' Status message (`Apply failed with 1 conflict:
 * conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas`,
 * cut to fit sk_err) and *conflicts a new array of StatusCause objects
 * {"reason":"FieldManagerConflict","message":"conflict with \"kubectl-client-side-apply\" using apps/v1","field":".spec.replicas"}
 * for Status.details.causes, whose whole message apply_conflict_message
 * rebuilds. With force the fields move to the manager. The manager
 * "kubectl" takes over from client-side apply: conflicts on fields the
 * last-applied annotation set, to the values still live, are forced, and
 * the annotation follows the applied configuration.
 * SK_EBADREQUEST for a configuration of another kind or version or with
 * managedFields; SK_EINVALID for one SMD cannot read ("failed to create
 * typed patch object (apps/v1, Kind=Deployment): .spec.ports: duplicate
 * entries for key [containerPort=80,protocol=\"TCP\"]"). *live is left
 * alone on failure. */
int apply_patch(const struct apply_ctx *c, json_t **live, const json_t *applied, int force,
                json_t **conflicts, sk_err *err);

/* The whole Status message for conflict causes from apply_patch (sk_err
 * holds 491 bytes); malloc'd, NULL on allocation failure. */
char *apply_conflict_message(const json_t *conflicts);

/* When obj (about to be stored over old) differs from old only in the times
 * of managedFields entries, puts old's times back and returns 1, so that a
 * no-op write (an apply of the same configuration) stores nothing, as
 * Kubernetes' IgnoreManagedFieldsTimestampsTransformer; else 0. */
int managed_fields_keep_times(json_t *obj, const json_t *old);

#endif
