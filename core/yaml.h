/* yaml.h — YAML to JSON, keeping the source position of every key and value.
 *
 * Scalars resolve the way Kubernetes manifests resolve through
 * sigs.k8s.io/yaml: only true/false (three spellings each) are booleans,
 * yes/no/on/off stay strings; null, ~ and empty plain values are null;
 * decimal, 0x, 0o, 0b and leading-zero octal plain scalars are integers;
 * YAML floats are reals (.inf and .nan are refused when converting to JSON);
 * anything quoted, block (| >) or otherwise is a string. Aliases are
 * expanded by copying (capped per document), merge keys (<<) are applied,
 * and duplicate keys are errors, so trees and JSON hold plain values.
 *
 * Every error message reads "FILE:LINE:COL: message" with 1-based positions.
 */
#ifndef SKIFF_CORE_YAML_H
#define SKIFF_CORE_YAML_H
#include <jansson.h>
#include <skiff/abi.h>
#include <stddef.h>
#include <stdint.h>

#define YAML_MAX_BYTES (16u << 20)     /* largest input accepted */
#define YAML_MAX_DEPTH 64              /* deepest nesting of mappings and sequences */
#define YAML_MAX_ALIAS_NODES 100000    /* nodes that alias expansion may create per document */
#define YAML_MAX_ALIAS_BYTES (64u << 20) /* scalar and key bytes alias expansion may copy */

enum yaml_node_type { YN_SCALAR, YN_MAP, YN_SEQ };

/* What a scalar resolved to. */
enum yaml_kind { YK_STR, YK_NULL, YK_BOOL, YK_INT, YK_FLOAT };

struct yaml_node {
	enum yaml_node_type type;
	int line, col;       /* 1-based start of the node */

	/* YN_SCALAR */
	char *scalar;        /* the text, NUL-terminated; len counts any embedded NULs */
	size_t len;
	int plain;           /* written unquoted, not a block scalar */
	enum yaml_kind kind; /* resolved type */
	int b;               /* YK_BOOL */
	int64_t i;           /* YK_INT */
	double d;            /* YK_FLOAT; may be infinite or NaN */

	/* YN_MAP: n entries keys[k] -> items[k]; YN_SEQ: n entries items[k] */
	size_t n;
	char **keys;         /* keys in their string form (non-string keys converted) */
	int *key_line, *key_col;
	struct yaml_node **items;
};

/* Loads the first non-empty document; later documents are not read.
 * Returns NULL with err->code == SK_OK when there is none (empty input,
 * comments, bare "---"), NULL with an error otherwise. filename only labels
 * messages (NULL means "<input>"). The caller frees with yaml_node_free. */
struct yaml_node *yaml_load(const char *buf, size_t len, const char *filename, sk_err *err);

/* As yaml_load, but a further non-empty document in the stream is an error:
 * for files that must hold exactly one document. */
struct yaml_node *yaml_load_single(const char *buf, size_t len, const char *filename, sk_err *err);

/* Loads every document into a new JSON array in *docs_array, skipping empty
 * documents. On failure *docs_array is NULL. Returns an sk_status. */
int yaml_load_all(const char *buf, size_t len, const char *filename, json_t **docs_array,
                  sk_err *err);

/* A new JSON value for the tree, or NULL with err set (.inf/.nan values,
 * invalid text). filename labels messages as for yaml_load. */
json_t *yaml_to_json_file(const struct yaml_node *n, const char *filename, sk_err *err);
json_t *yaml_to_json(const struct yaml_node *n, sk_err *err);

/* The value for key in a YN_MAP, or NULL; *index receives its position if non-NULL. */
const struct yaml_node *yaml_map_get(const struct yaml_node *map, const char *key, size_t *index);

/* Frees a tree. Not named yaml_free: libyaml exports a yaml_free of its
 * own and calls it internally, so a definition here would be called instead. */
void yaml_node_free(struct yaml_node *n);

#endif

/* Only yaml.c needs libyaml. It includes <yaml.h>, which with -Icore finds
 * this file first; #include_next then reaches libyaml's header behind it. */
#if defined(SKIFF_YAML_LIBYAML) && !defined(YAML_H)
#include_next <yaml.h>
#endif
