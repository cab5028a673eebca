/* fieldset.h — sets of field paths, as sigs.k8s.io/structured-merge-diff's
 * fieldpath package has them: the fields a manager owns, kept in an
 * object's metadata.managedFields as FieldsV1 JSON
 * ({"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{}}}}}).
 *
 * A path is a list of path elements: a field name (f:), the key fields of
 * an item of an associative list (k:), the value of an item of a set (v:)
 * or a list index (i:). A set is a tree: each node is one element below its
 * parent, says whether the path to it is itself in the set (member) and
 * holds the longer paths (its children, kept in SMD's order). struct
 * fieldset is such a node; the root stands for the whole set and every
 * node doubles as the set of paths below it (SMD's WithPrefix).
 *
 * Sets own their nodes and hold references to the JSON values of their
 * elements (never changed: jansson values are not edited in place here);
 * every operation
 * returning a set returns a new one that the caller frees with
 * fieldset_free. NULL means out of memory unless said otherwise. No global
 * state; any thread, one set at a time.
 */
#ifndef SKIFF_CORE_FIELDSET_H
#define SKIFF_CORE_FIELDSET_H
#include <jansson.h>
#include <skiff/abi.h>
#include <stddef.h>

/* In SMD's order: fields, then keys, values and indexes. */
enum pe_kind { PE_FIELD, PE_KEY, PE_VALUE, PE_INDEX };

/* One path element. Borrowed in arguments: the set copies what it keeps. */
struct pe {
	enum pe_kind kind;
	const char *name;   /* PE_FIELD */
	const json_t *val;  /* PE_KEY: object of the key fields, in name order; PE_VALUE */
	long index;         /* PE_INDEX */
};

struct fieldset {
	struct pe pe;              /* this node's element (unused at the root) */
	int member;                /* the path to this node is in the set */
	int unsorted;              /* kids appended out of order: sorted on next lookup */
	struct fieldset **kids;    /* sorted by pe_cmp (unless unsorted) */
	size_t n, cap;
};

/* Nesting allowed in FieldsV1 read from clients. */
#define FIELDSET_MAX_DEPTH 256

/* SMD's total order of values (value.Compare: numbers, strings, booleans,
 * lists, maps, null; integers and floats compared as numbers) and of path
 * elements; equality as value.Equals. */
int value_cmp(const json_t *a, const json_t *b);
int value_eq(const json_t *a, const json_t *b);
int pe_cmp(const struct pe *a, const struct pe *b);

struct fieldset *fieldset_new(void);
void fieldset_free(struct fieldset *s);
struct fieldset *fieldset_copy(const struct fieldset *s);
/* No path at all below s (s's own member flag belongs to its parent). */
int fieldset_empty(const struct fieldset *s);
int fieldset_equal(const struct fieldset *a, const struct fieldset *b);

/* The child of s for pe, or NULL; with create, made when absent (neither a
 * member nor a parent: set member or add children, or fieldset_finish). */
struct fieldset *fieldset_child(struct fieldset *s, const struct pe *pe, int create);
const struct fieldset *fieldset_find(const struct fieldset *s, const struct pe *pe);
/* For building a set in one pass, each element added once per parent
 * (walking an object): the last child when it is pe, else a new child
 * appended unsorted, so that wide maps cost n log n rather than n².
 * Lookups sort a node first; fieldset_finish sorts the whole set (merging
 * any repeated element) and drops empty nodes. */
struct fieldset *fieldset_append(struct fieldset *s, const struct pe *pe);
void fieldset_finish(struct fieldset *s);
/* Adds the path pes[0..n) as a member; 0, or -1 out of memory. */
int fieldset_insert(struct fieldset *s, const struct pe *const *pes, size_t n);

/* New sets, as SMD's Set methods of the same names. recursive_difference
 * also drops every path below a member of b. */
struct fieldset *fieldset_union(const struct fieldset *a, const struct fieldset *b);
struct fieldset *fieldset_difference(const struct fieldset *a, const struct fieldset *b);
struct fieldset *fieldset_intersection(const struct fieldset *a, const struct fieldset *b);
struct fieldset *fieldset_recursive_difference(const struct fieldset *a, const struct fieldset *b);
/* In place: a = a ∪ b, a = a − b. 0, or -1 out of memory. */
int fieldset_add(struct fieldset *a, const struct fieldset *b);
int fieldset_remove(struct fieldset *a, const struct fieldset *b);

/* FieldsV1, byte for byte as Kubernetes writes it ("." first, then the
 * children in SMD's order). */
json_t *fieldset_to_json(const struct fieldset *s);
/* Reads FieldsV1 as SMD does: elements of unknown kinds are dropped,
 * malformed ones are SK_EINVALID. */
struct fieldset *fieldset_from_json(const json_t *fields, sk_err *err);

/* The FieldsV1 key of one element ("f:name", "k:{...}", "v:...", "i:3");
 * malloc'd. */
char *pe_key_string(const struct pe *pe);

/* Calls fn for every member path, as SMD's Set.Iterate orders them (the
 * members of a node before its children's paths), each printed as
 * Kubernetes prints a path: .spec.containers[name="c"].image, [=v], [3].
 * Stops at and returns fn's first non-zero result; -1 out of memory. */
int fieldset_each(const struct fieldset *s, int (*fn)(const char *path, void *ud), void *ud);
/* One path printed the same way; malloc'd. */
char *pe_path_string(const struct pe *const *pes, size_t n);

#endif
