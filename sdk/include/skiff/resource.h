/* skiff/resource.h — registering API resources (kinds).
 *
 * The core knows no kinds: a plugin registers each resource it serves, the
 * way a CustomResourceDefinition does at run time, with its names, scope,
 * subresources and its defaulting and validation callbacks. The registration
 * name is "<plural>" for the core group and "<plural>.<group>" otherwise.
 *
 * Objects are stored under /registry/<group or "core">/<plural>/[<ns>/]<name>.
 *
 * Ownership: strings and arrays in the ops struct are borrowed for as long as
 * the registration lives (static storage is the norm). Validation appends
 * cause objects to a host-owned array with sk_cause().
 */
#ifndef SKIFF_RESOURCE_H
#define SKIFF_RESOURCE_H
#include <skiff/abi.h>

#define SK_SUB_STATUS 0x1u
#define SK_SUB_SCALE 0x2u
#define SK_SUB_BINDING 0x4u
#define SK_SUB_EVICTION 0x8u
#define SK_SUB_LOG 0x10u
#define SK_SUB_EXEC 0x20u

typedef struct sk_resource_ops {
	uint32_t size;
	const char *name;               /* "pods", "deployments.apps" */
	const char *group;              /* "" for core */
	const char *version;            /* storage version, e.g. "v1" */
	const char *kind;               /* "Pod" */
	const char *plural;             /* "pods" */
	const char *singular;           /* "pod" */
	const char *list_kind;          /* "PodList" */
	const char *const *short_names; /* NULL-terminated, may be NULL */
	const char *const *categories;  /* NULL-terminated, may be NULL ("all") */
	int namespaced;
	uint32_t subresources;          /* SK_SUB_* */
	/* fields usable in field selectors besides metadata.name and
	 * metadata.namespace; NULL-terminated, may be NULL */
	const char *const *selectable_fields;
	/* fill defaults in place; may be NULL */
	void (*defaults)(void *ud, sk_obj *obj);
	/* old is NULL on create. Append causes with sk_cause(); return SK_OK or
	 * SK_EINVALID. May be NULL. */
	int (*validate)(void *ud, const sk_obj *obj, const sk_obj *old, sk_obj *causes);
	/* full name of the kind's type, declared with sk_types_define (see
	 * sdk/docs/types.md), e.g. "io.k8s.api.core.v1.Pod"; NULL: no schema,
	 * any fields accepted */
	const char *type;
} sk_resource_ops;

/* Declare types in the notation of sdk/docs/types.md. `label` names the
 * text in messages ("pod.types:12: ..."). The types belong to the plugin and
 * go when it unloads. */
int sk_types_define(sk_plugin *p, const char *label, const char *text, size_t len, sk_err *err);

/* Append a Kubernetes StatusCause {reason, message, field} to `causes`.
 * reason is e.g. "FieldValueRequired", "FieldValueInvalid". */
void sk_cause(sk_obj *causes, const char *reason, const char *field, const char *fmt, ...)
	SK_PRINTF(4, 5);

/* the registration of a resource, by group and plural; NULL if none */
const sk_resource_ops *sk_resource_find(const char *group, const char *plural);

#ifndef SKIFF_CORE
#define sk_resource_find (sk__host->resource_find)
#define sk_cause (sk__host->cause)
#define sk_types_define (sk__host->types_define)
#endif
#endif
#include <skiff/host.h>
