/* typed.h — JSON objects walked along their schema the way
 * sigs.k8s.io/structured-merge-diff walks typed values: which fields a
 * value sets, how two values differ, how an applied configuration merges
 * into an object, and removing a set of fields. Server-side apply and the
 * managedFields bookkeeping (apply.c) are built from these.
 *
 * The schema says how each part is tracked, as SMD's schema converted
 * from OpenAPI does:
 *  - objects (SCH_OBJECT) are structs whose declared fields are tracked
 *    one by one; map_type "atomic" makes the whole object one field;
 *    undeclared fields are kept but never tracked unless preserve_unknown
 *    (then tracked as untyped values);
 *  - maps (SCH_MAP) track each key (map_type "atomic": one field);
 *  - lists (SCH_ARRAY) are atomic unless list_type is "set" (items tracked
 *    by value, v:) or "map" (items tracked by their list_map_keys, k:);
 *    without list_type a patch strategy "merge" stands for "map" keyed by
 *    patch_merge_key, or "set" without one;
 *  - NULL, SCH_ANY and unresolved references are untyped ("deduced"):
 *    objects are granular maps, lists and scalars atomic.
 * A value whose JSON type does not fit its schema is one atomic field.
 * metadata.managedFields of the object itself is never tracked.
 *
 * Values are only read; results are new values the caller owns, sharing
 * nothing with the inputs. Nesting past TYPED_MAX_DEPTH is SK_EINVALID.
 */
#ifndef SKIFF_CORE_TYPED_H
#define SKIFF_CORE_TYPED_H
#include "fieldset.h"
#include "schema.h"

#define TYPED_MAX_DEPTH 200

/* The fields v sets (SMD's ToFieldSet). strict: v is an applied
 * configuration, and what SMD refuses to convert (items of an associative
 * list without their keys, duplicate keys, undeclared fields, containers
 * where the schema wants something else) is SK_EINVALID with SMD's message
 * (".spec.ports: duplicate entries for key [containerPort=80,protocol=\"TCP\"]");
 * otherwise such parts are tracked atomically or not at all. */
struct fieldset *typed_to_set(const struct schema_node *t, const json_t *v, int strict, sk_err *err);

/* The fields rhs adds to, changes in and removes from lhs (SMD's Compare),
 * added into the three sets. Types defined in the notation of types.md
 * (t's named type has a line) stand for Go structs, as kube-apiserver
 * compares Go objects and not JSON: where its parent is, a field whose
 * type is an object defaulting to {} (a value struct) is present and
 * empty, and a required field is present and null. So a write adds "."
 * (the field itself) only to what Go would have left out, as Kubernetes
 * reports it; custom resources (no line) are compared as the JSON is. */
int typed_compare(const struct schema_node *t, const json_t *lhs, const json_t *rhs,
                  struct fieldset *added, struct fieldset *modified, struct fieldset *removed, sk_err *err);

/* rhs merged into lhs (SMD's Merge): structs and maps field by field, list
 * maps item by item (by key; items keep their order, rhs deciding the
 * order of the items both have), sets by value, anything atomic replaced. */
json_t *typed_merge(const struct schema_node *t, const json_t *lhs, const json_t *rhs, sk_err *err);

/* v without the fields in items (SMD's RemoveItems): members go with their
 * subtree; containers emptied of their tracked children stay, empty. */
json_t *typed_remove(const struct schema_node *t, const json_t *v, const struct fieldset *items, sk_err *err);

/* s plus, as members, the declared struct fields below which s has paths
 * (SMD's EnsureNamedFieldsAreMembers). */
struct fieldset *typed_named_members(const struct schema_node *t, const struct fieldset *s);

#endif
