/* gojson.h — JSON text byte for byte as Go's encoding/json writes it.
 *
 * Where skiff must reproduce bytes that Kubernetes computes rather than
 * merely equivalent JSON: the keys of FieldsV1 sets (k:{"name":"nginx"},
 * v:"foo") and the kubectl last-applied-configuration annotation that
 * server-side apply keeps up to date. Go writes compact JSON, escapes <, >
 * and & (and U+2028, U+2029) as \u003c..., other control characters as
 * \u00XX, and numbers in their shortest exact form (1e+21, 1e-7, 0.5).
 *
 * Also Go's fmt verbs for values in field paths, which Kubernetes prints
 * in conflict messages (.spec.ports[containerPort=80,protocol="TCP"]).
 * Strings returned are malloc'd and the caller frees them.
 */
#ifndef SKIFF_CORE_GOJSON_H
#define SKIFF_CORE_GOJSON_H
#include <jansson.h>
#include <stddef.h>

/* Compact JSON of v; object keys sorted (as Go writes maps) when sort_keys,
 * else in the object's order. NULL on allocation failure or nesting deeper
 * than GOJSON_MAX_DEPTH. */
#define GOJSON_MAX_DEPTH 2048
char *gojson_dumps(const json_t *v, int sort_keys);

/* A float64 as Go writes it: JSON (strconv 'f', or 'e' outside
 * [1e-6, 1e21)) or fmt's %v ('g', shortest). buf of at least 40 bytes. */
void gojson_float(double d, int fmt_v, char *buf);

/* v as Go's fmt %v prints an SMD value in a path (value.ToString): strings
 * quoted as %q, maps as k=v pairs. NULL on allocation failure. */
char *gojson_value_string(const json_t *v);

#endif
