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

/* A column of `kubectl get` (a meta.k8s.io/v1 Table column). */
typedef struct sk_column {
	const char *name;        /* "Ready" — kubectl prints it upper-cased */
	const char *type;        /* "string", "integer", "number", "boolean", "date" */
	const char *description;
	int priority;            /* 0: always shown; 1: only with -o wide */
	/* the cell from the object, as a CRD's additionalPrinterColumns jsonPath
	 * (".spec.nodeName"), when the row callback does not fill it; "date"
	 * cells are shown as an age ("5m") */
	const char *json_path;
} sk_column;

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
	/* `kubectl get` columns after Name; NULL-name terminated, NULL: just Age */
	const sk_column *columns;
	/* fills `cells` (an array with one entry per column, nulls to start
	 * with; Name is not among them) for obj; NULL: cells from json_path */
	void (*row)(void *ud, const sk_obj *obj, sk_obj *cells);
	/* Another version of a resource registered elsewhere (an older API
	 * version, or the same kind in a former group: extensions/v1beta1
	 * Deployments are apps/v1 Deployments). Such a registration is named
	 * "<plural>.<version>.<group>" (".v1beta1.extensions"), shares the
	 * objects of `storage` ("deployments.apps") and converts in place
	 * between its shape and the storage version's. Every response carries
	 * `deprecation` as a Warning header. NULL storage: a resource of its own. */
	const char *storage;
	int (*to_storage)(void *ud, sk_obj *obj, sk_err *err);
	int (*from_storage)(void *ud, sk_obj *obj, sk_err *err);
	const char *deprecation;
	/* which names are valid: SK_NAME_DNS_SUBDOMAIN (0, most kinds),
	 * SK_NAME_DNS_LABEL, SK_NAME_DNS1035_LABEL, SK_NAME_PATH_SEGMENT (see
	 * skiff/validate.h) */
	int name_rule;
	/* kinds with a status subresource drop the status a create sends
	 * (controllers write it through /status); non-zero keeps it, as
	 * Kubernetes does for Nodes, which the kubelet registers with theirs */
	int status_on_create;
	/* A POST to an object's action subresource ("binding", with
	 * SK_SUB_BINDING): change `obj`, a copy of the stored object, as the
	 * posted `body` (a Binding) asks, or fail with err (SK_ECONFLICT for "pod
	 * web is already assigned to node n1", SK_EINVALID for a bad body).
	 * The host runs admission on the body (operation CREATE on the
	 * subresource), writes obj over the stored object without the kind's
	 * update validation (the action is the validation), retries on a
	 * concurrent write and answers 201 Success. NULL: not served. */
	int (*act)(void *ud, const char *subresource, const sk_obj *body, sk_obj *obj, sk_err *err);
	/* Graceful deletion, as Pods have it: the seconds `obj` gets to stop,
	 * given the grace period the client asked for (-1: none asked). Above 0
	 * the host only marks the object (deletionTimestamp now + grace,
	 * deletionGracePeriodSeconds) and whoever stops it (the node agent)
	 * deletes it for good; a later delete may shorten the grace, never
	 * lengthen it. 0, or NULL: deleted at once. */
	int64_t (*delete_grace)(void *ud, const sk_obj *obj, int64_t requested);
} sk_resource_ops;

/* Declare types in the notation of sdk/docs/types.md. `label` names the
 * text in messages ("pod.types:12: ..."). The types belong to the plugin and
 * go when it unloads. */
int sk_types_define(sk_plugin *p, const char *label, const char *text, size_t len, sk_err *err);

/* Declare one type from an OpenAPI v3 schema, as a CustomResourceDefinition
 * carries it in spec.versions[].schema.openAPIV3Schema, under `full_name`
 * (Kubernetes names a custom resource's type by its reversed group, version
 * and kind: "com.example.stable.v1.CronTab"). The root must be an object;
 * it gets apiVersion, kind and metadata (ObjectMeta) as every kind does.
 * `gvk` ("stable.example.com/v1/CronTab", or NULL) is recorded on the type
 * as its x-kubernetes-group-version-kind, so `kubectl explain` finds it in
 * the OpenAPI documents. The type then serves a resource as its `type`:
 * validation, pruning of unknown fields and defaults.
 *
 * The type is owned by "<plugin name>/<owner_key>" (a CRD's name is the
 * natural key), so one key's types can be dropped alone with
 * sk_types_forget; defining a name again under the same key replaces it, a
 * name another owner defined is SK_EEXIST. Errors name the place in the
 * schema ("openAPIV3Schema.properties[spec].type: Unsupported value: ...").
 * The schema is read during the call only. Types left at unload go with
 * the plugin's others. */
int sk_types_define_openapi(sk_plugin *p, const char *owner_key, const char *full_name, const char *gvk,
                            const sk_obj *openapi_v3_schema, sk_err *err);
/* Drop every type defined under owner_key with sk_types_define_openapi. A
 * resource naming one of them as its `type` is served without a schema
 * until it is defined again: unregister such resources first. */
void sk_types_forget(sk_plugin *p, const char *owner_key);

/* A resource of a named API group, its type in package `pkg`:
 *   SK_GROUP_RESOURCE("apps", "v1", "deployments", "deployment", "Deployment",
 *                     1, SK_SUB_STATUS | SK_SUB_SCALE, SK_LIST("deploy"),
 *                     SK_LIST("all"), "io.k8s.api.apps.v1") */
#define SK_GROUP_RESOURCE(group_, version_, plural_, singular_, kind_, namespaced_, subs_, shorts_, cats_,     \
                          pkg_)                                                                              \
	{                                                                                                     \
		.size = sizeof(sk_resource_ops), .name = plural_ "." group_, .group = group_,                    \
		.version = version_, .kind = kind_, .plural = plural_, .singular = singular_,                    \
		.list_kind = kind_ "List", .short_names = shorts_, .categories = cats_,                          \
		.namespaced = namespaced_, .subresources = subs_, .type = pkg_ "." kind_,                        \
	}

/* Append a Kubernetes StatusCause {reason, message, field} to `causes`.
 * reason is e.g. "FieldValueRequired", "FieldValueInvalid". */
void sk_cause(sk_obj *causes, const char *reason, const char *field, const char *fmt, ...)
	SK_PRINTF(4, 5);

/* the registration of a resource, by group and plural; NULL if none */
const sk_resource_ops *sk_resource_find(const char *group, const char *plural);

/* A duration as kubectl shows ages ("45s", "3m20s", "5h", "12d"):
 * Kubernetes' duration.HumanDuration, for cells a row callback fills. */
void sk_human_duration(int64_t seconds, char *buf, size_t cap);

#ifndef SKIFF_CORE
#define sk_human_duration (sk__host->human_duration)
#define sk_resource_find (sk__host->resource_find)
#define sk_cause (sk__host->cause)
#define sk_types_define (sk__host->types_define)
#define sk_types_define_openapi (sk__host->types_define_openapi)
#define sk_types_forget (sk__host->types_forget)
#endif
#endif
#include <skiff/host.h>
