/* json.h — the core's view of sk_obj: a jansson json_t. Only core files
 * include this; no jansson type appears in an SDK header. */
#ifndef SKIFF_CORE_JSON_H
#define SKIFF_CORE_JSON_H
#include <jansson.h>
#include <skiff/obj.h>

static inline json_t *J(const sk_obj *o) { return (json_t *)o; }
static inline sk_obj *O(const json_t *j) { return (sk_obj *)j; }

#endif
