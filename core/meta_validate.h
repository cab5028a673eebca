/* meta_validate.h — the ObjectMeta rules Kubernetes applies to every kind.
 *
 * k8s.io/apimachinery's ValidateObjectMetaAccessor (create) and
 * ValidateObjectMetaAccessorUpdate (update), which kube-apiserver runs for
 * every resource whatever its kind (rest.BeforeCreate, BeforeUpdate); the
 * kind's own rules come from its plugin's validate callback.
 *
 * `obj` is the whole object; its `metadata` is read. Causes are appended to
 * `causes` (a JSON array) as StatusCause objects {"reason", "message",
 * "field"}, the message without the field, as Kubernetes puts them in a
 * Status:
 *   {"reason": "FieldValueInvalid", "field": "metadata.name",
 *    "message": "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must ..."}
 * The caller builds the Status: code 422, reason Invalid, details {name,
 * group, kind, causes} and message `Kind "name" is invalid: field: message`
 * (one cause) or `Kind "name" is invalid: [field: message, ...]` (several,
 * identical lines once), Kind qualified by group as in "Deployment.apps"
 * (api_reply_invalid). Kubernetes lists the kind's causes first on create
 * and these first on update.
 *
 * Warnings (may be NULL) receive strings for the Warning header, e.g.
 * `metadata.finalizers: "cleanup": prefer a domain-qualified finalizer name
 * including a path (/) to avoid accidental conflicts with other finalizer
 * writers`; a warning already in the array is not added again.
 *
 * name_rule is an SK_NAME_* of skiff/validate.h: the kind's name rule
 * (most kinds and custom resources SK_NAME_DNS_SUBDOMAIN, Namespace
 * SK_NAME_DNS_LABEL, Service SK_NAME_DNS1035_LABEL, RBAC kinds
 * SK_NAME_PATH_SEGMENT).
 *
 * Both functions return the number of causes they appended. Nothing is
 * changed in obj: what Kubernetes' write path sets or carries over before
 * validating is the caller's (create: name from generateName, uid,
 * creationTimestamp, generation, no deletionTimestamp or
 * deletionGracePeriodSeconds; update: generation, uid when empty,
 * creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds when
 * absent, and resourceVersion from the stored object for an unconditional
 * update, or "must be specified for an update" follows).
 */
#ifndef SKIFF_CORE_META_VALIDATE_H
#define SKIFF_CORE_META_VALIDATE_H
#include <jansson.h>
#include <stddef.h>

/* ValidateObjectMetaAccessor: name (or generateName) and its rule,
 * namespace by scope, generation, labels, annotations, ownerReferences,
 * finalizers, managedFields. */
size_t meta_validate_create(const json_t *obj, int namespaced, int name_rule, json_t *causes, json_t *warnings);

/* The rules of create for the new object, then ValidateObjectMetaAccessorUpdate
 * against old: resourceVersion present, generation not decremented, name,
 * namespace, uid, creationTimestamp, deletionTimestamp and
 * deletionGracePeriodSeconds immutable, no new finalizers once deleting. */
size_t meta_validate_update(const json_t *obj, const json_t *old, int namespaced, int name_rule, json_t *causes,
                            json_t *warnings);

#endif
