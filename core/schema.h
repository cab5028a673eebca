/* schema.h — the types of API objects: parsed from the notation of
 * sdk/docs/types.md (built-in kinds) or from a CRD's openAPIV3Schema, and
 * used for OpenAPI documents, field validation, defaults, patch merging and
 * server-side apply.
 *
 * Types live in one table keyed by full name ("io.k8s.api.core.v1.Pod"),
 * each owned by the plugin (or CRD) that defined it; schema_forget drops an
 * owner's types. Nodes are immutable once defined and owned by the table:
 * pointers stay valid until their owner is forgotten or redefines that type
 * (the nodes of one define go away together once none of its types is
 * current). References are resolved by name when used, so a type may name
 * types defined later or by another plugin. Everything runs on the loop
 * thread.
 */
#ifndef SKIFF_CORE_SCHEMA_H
#define SKIFF_CORE_SCHEMA_H
#include <jansson.h>
#include <skiff/abi.h>
#include <stddef.h>

enum schema_kind {
	SCH_ANY = 0,       /* any JSON value (x-kubernetes-preserve-unknown-fields) */
	SCH_OBJECT,        /* fields; preserve_unknown for free-form `object` */
	SCH_ARRAY,         /* items */
	SCH_MAP,           /* string keys, items = value type */
	SCH_STRING,
	SCH_INT32,
	SCH_INT64,
	SCH_NUMBER,
	SCH_BOOL,
	SCH_INT_OR_STRING,
	SCH_REF,           /* ref = full name of a named type */
	SCH_QUANTITY,      /* resource.Quantity: a string such as "100m" or a number */
};

enum { SCH_REQUIRED = 0x1u, SCH_IMMUTABLE = 0x2u };

struct schema_node;

struct schema_field {
	const char *name;
	struct schema_node *type;
	unsigned flags;                  /* SCH_REQUIRED | SCH_IMMUTABLE */
	int proto;                       /* protobuf field number (attribute proto=N), 0: none */
	int proto_inner;                 /* proto=N.M: number M inside the embedded message N, else 0 */
};

struct schema_node {
	enum schema_kind kind;
	const char *ref;                 /* SCH_REF: the full name it resolves to (or would) */
	const char *format;              /* "int32", "date-time", "byte", "quantity"... or NULL */
	const char *description;         /* or NULL */
	struct schema_node *items;       /* SCH_ARRAY element, SCH_MAP value */
	struct schema_field *fields;     /* SCH_OBJECT, in declaration order */
	size_t n_fields;
	int preserve_unknown;            /* keep undeclared fields */
	const char **enum_values;        /* NULL-terminated or NULL */
	json_t *default_value;           /* or NULL */
	int has_min, has_max;
	double min, max;
	long maxlen;                     /* -1: none; string length, or items of a list */
	const char *pattern;             /* POSIX ERE or NULL */
	/* merging (strategic merge patch) and apply (server-side apply) */
	const char *patch_strategy;      /* "merge", "retainKeys", "merge,retainKeys", "replace" or NULL */
	const char *patch_merge_key;     /* or NULL */
	const char *list_type;           /* "atomic", "set", "map" or NULL */
	const char **list_map_keys;      /* NULL-terminated or NULL */
	const char *map_type;            /* "atomic", "granular" or NULL */
	/* named types only */
	const char *name;                /* full name */
	const char **gvks;               /* NULL-terminated "group/version/Kind" or NULL */
	int line;                        /* where it was declared (0: from JSON); set on every node */
};

/* Define the built-in types (owner "core", label "meta.types"): the
 * apimachinery packages of core/meta.types, embedded by the build. */
int schema_init(sk_err *err);
/* Free every type (schema_init may be called again afterwards). */
void schema_fini(void);

/* Parse and add the types in `text` (the notation of sdk/docs/types.md).
 * `owner` names the plugin in messages and for schema_forget; `label` names
 * the text ("types" → "types:12: ..."). All or nothing: on error nothing is
 * added. A full name already defined by another owner is SK_EEXIST. */
int schema_define(const char *owner, const char *label, const char *text, size_t len, sk_err *err);

/* Add one named type from an OpenAPI v3 schema (a CRD's openAPIV3Schema),
 * nested object schemas inlined. The root is an object and gets apiVersion
 * and kind (unless given) and metadata (always ObjectMeta), as Kubernetes
 * serves every kind. Understood: type, properties, required, items,
 * additionalProperties, enum, default, minimum, maximum, maxLength,
 * maxItems, pattern (POSIX ERE), format, description, nullable and the
 * x-kubernetes- preserve-unknown-fields, int-or-string, list-type,
 * list-map-keys and map-type extensions; other keywords are ignored. Size
 * and depth are limited (the schema comes from users). Errors name the
 * place: "openAPIV3Schema.properties[spec].type: ...". */
int schema_define_openapi(const char *owner, const char *full_name, const json_t *openapi, sk_err *err);
/* The same, the type recorded under `gvk` ("group/version/Kind"; NULL:
 * none) as gvk= does, so schema_type_by_gvk and the OpenAPI documents'
 * x-kubernetes-group-version-kind (kubectl explain) find it. */
int schema_define_openapi_gvk(const char *owner, const char *full_name, const char *gvk, const json_t *openapi,
                              sk_err *err);

/* Drop every type defined by owner, and by its sub-owners "owner/..."
 * (a plugin's custom resource types, sk_types_define_openapi). */
void schema_forget(const char *owner);

/* Every SCH_REF reachable from the types defined so far resolves; the first
 * that does not is reported with its owner and line ("my-plugin:
 * pod.types:12: unknown type \"Contianer\""), as is a cycle of aliases. */
int schema_check_refs(sk_err *err);

/* The named type, or NULL. */
const struct schema_node *schema_type(const char *full_name);
/* The named type whose gvk= attribute is `gvk` ("apps/v1/Deployment", core
 * group empty: "/v1/Pod"), or NULL; the first defined wins. The index is
 * rebuilt lazily after a define or forget. */
const struct schema_node *schema_type_by_gvk(const char *gvk);
/* Follows SCH_REF (and chains of them); NULL when a ref does not resolve.
 * Non-ref nodes come back unchanged. */
const struct schema_node *schema_deref(const struct schema_node *n);
/* The field `name` of an object node (after deref), or NULL; objects with
 * many fields are hash-indexed. */
const struct schema_field *schema_field(const struct schema_node *obj, const char *name);

/* Validation. Problems are appended to `causes` as Kubernetes StatusCause
 * objects {"reason","message","field"}, field paths as Kubernetes writes
 * them ("spec.containers[0].image", "metadata.labels[app]"); reasons
 * FieldValueRequired, FieldValueInvalid (min, max, pattern, immutable),
 * FieldValueNotSupported (enum), FieldValueTooLong / FieldValueTooMany
 * (maxlen); a wrong JSON type, a bad date-time or base64 is
 * FieldValueTypeInvalid, as kube-apiserver reports for custom resources:
 * `Invalid value: "string": spec.replicas in body must be of type integer:
 * "string"`. JSON null counts as absent. Fields the schema does not
 * declare are appended to `unknown` (an array of paths such as
 * "spec.foo"; NULL: not collected) — the API server turns them into a
 * strict-decoding error or warnings per fieldValidation. `old` (may be
 * NULL) is the stored object on update, for SCH_IMMUTABLE ("field is
 * immutable"). At most 1000 causes and 1000 unknown paths are appended.
 * Returns the number of causes appended. */
size_t schema_validate(const struct schema_node *n, const json_t *obj, const json_t *old,
                       json_t *causes, json_t *unknown);

/* Fill absent fields that have defaults, recursively (into present objects,
 * array elements and map values). */
void schema_apply_defaults(const struct schema_node *n, json_t *obj);

/* Remove fields the schema does not declare (unless preserve_unknown), as
 * the API server does after non-strict decoding, and null values (unless the
 * CRD schema says nullable), as Go decoding drops them. */
void schema_prune(const struct schema_node *n, json_t *obj);

/* OpenAPI. A node rendered as an OpenAPI schema; named references become
 * {"$ref": "#/definitions/NAME"} (v2) or {"$ref": "#/components/schemas/NAME"}
 * (v3; wrapped as {"allOf":[{"$ref":...}]} where siblings such as
 * description or default sit beside it, as Kubernetes does). */
json_t *schema_openapi(const struct schema_node *n, int v3);
/* Add the named type and every type it reaches to `defs` (an object:
 * full name -> rendered schema), skipping names already present. */
void schema_collect(const char *full_name, json_t *defs, int v3);
/* Every defined type, rendered (for /openapi/v2's definitions). */
json_t *schema_all(int v3);
/* A counter bumped by every define and forget: the OpenAPI documents'
 * cache key and ETag. */
unsigned long schema_generation(void);

#endif
