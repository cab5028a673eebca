/* skiff/obj.h — objects: JSON values behind an opaque, reference-counted handle.
 *
 * Every Kubernetes object, list, patch and setting crosses the ABI as an
 * `sk_obj`. Paths address nested values: `metadata.name`,
 * `spec.containers[0].image`, and keys holding dots or other punctuation in
 * brackets: `metadata.labels["app.kubernetes.io/name"]`.
 *
 * Ownership: functions named *_new*, sk_obj_parse and sk_obj_copy return a
 * reference the caller owns and releases with sk_obj_unref. sk_obj_get and
 * sk_obj_at return borrowed handles, valid while the parent lives and is not
 * modified at that place. Strings returned by getters are borrowed the same
 * way. sk_obj_dump returns heap memory freed with sk_mem_free. Setters that take
 * an sk_obj value add their own reference; the caller keeps its own.
 */
#ifndef SKIFF_OBJ_H
#define SKIFF_OBJ_H
#include <skiff/abi.h>

typedef enum sk_obj_type {
	SK_OBJ_NULL, SK_OBJ_BOOL, SK_OBJ_INT, SK_OBJ_REAL,
	SK_OBJ_STRING, SK_OBJ_ARRAY, SK_OBJ_OBJECT,
} sk_obj_type;

/* sk_obj_dump flags */
#define SK_DUMP_PRETTY 0x1  /* two-space indentation, one member a line */
#define SK_DUMP_SORTED 0x2  /* object keys in byte order */

/* Largest document sk_obj_parse accepts, and deepest nesting. */
#define SK_OBJ_MAX_BYTES (64u << 20)
#define SK_OBJ_MAX_DEPTH 64

/* visitor: return non-zero to stop; that value is returned by sk_obj_foreach */
typedef int (*sk_obj_visit_fn)(void *ud, const char *key, sk_obj *value);

void sk_mem_free(void *p);

sk_obj *sk_obj_new_object(void);
sk_obj *sk_obj_new_array(void);
sk_obj *sk_obj_new_str(const char *s);
sk_obj *sk_obj_new_int(int64_t v);
sk_obj *sk_obj_new_real(double v);
sk_obj *sk_obj_new_bool(int v);
sk_obj *sk_obj_new_null(void);
sk_obj *sk_obj_parse(const char *json, size_t len, sk_err *err);
char *sk_obj_dump(const sk_obj *o, int flags);
sk_obj *sk_obj_ref(sk_obj *o);
void sk_obj_unref(sk_obj *o);
sk_obj *sk_obj_copy(const sk_obj *o);
int sk_obj_equal(const sk_obj *a, const sk_obj *b);
sk_obj_type sk_obj_type_of(const sk_obj *o); /* SK_OBJ_NULL for NULL too */

sk_obj *sk_obj_get(const sk_obj *o, const char *path);
/* the member named key exactly (dots, slashes and all: a label key), or
 * NULL; no path parsing, so the fastest lookup of one member */
sk_obj *sk_obj_key(const sk_obj *o, const char *key);
const char *sk_obj_get_str(const sk_obj *o, const char *path);
int64_t sk_obj_get_int(const sk_obj *o, const char *path, int64_t dflt);
double sk_obj_get_real(const sk_obj *o, const char *path, double dflt);
int sk_obj_get_bool(const sk_obj *o, const char *path, int dflt);

/* Setters create missing intermediate objects; they fail with SK_EINVALID
 * when the path crosses a scalar or indexes past an array's end. */
int sk_obj_set(sk_obj *o, const char *path, sk_obj *value, sk_err *err);
int sk_obj_set_str(sk_obj *o, const char *path, const char *v, sk_err *err);
int sk_obj_set_int(sk_obj *o, const char *path, int64_t v, sk_err *err);
int sk_obj_set_bool(sk_obj *o, const char *path, int v, sk_err *err);
int sk_obj_del(sk_obj *o, const char *path);

size_t sk_obj_len(const sk_obj *o);
sk_obj *sk_obj_at(const sk_obj *arr, size_t i);
int sk_obj_append(sk_obj *arr, sk_obj *value);
int sk_obj_foreach(const sk_obj *o, sk_obj_visit_fn fn, void *ud);
const char *sk_obj_str(const sk_obj *o);       /* string value, or NULL */
int64_t sk_obj_int(const sk_obj *o);           /* int value (reals truncated), else 0 */

/* Sets the condition `type` in status.conditions-style `status_obj` (the
 * object's status; conditions are created as needed) as Kubernetes'
 * helpers do: status, reason and message are replaced, and
 * lastTransitionTime moves to now (sk_clock_rfc3339) only when the status
 * changes or the condition is new. Returns 1 if anything changed, 0 if
 * not, -1 when status_obj is not an object. */
int sk_condition_set(sk_obj *status_obj, const char *type, const char *status, const char *reason,
                     const char *message);

#ifndef SKIFF_CORE
#define sk_mem_free (sk__host->mem_free)
#define sk_obj_new_object (sk__host->obj_new_object)
#define sk_obj_new_array (sk__host->obj_new_array)
#define sk_obj_new_str (sk__host->obj_new_str)
#define sk_obj_new_int (sk__host->obj_new_int)
#define sk_obj_new_real (sk__host->obj_new_real)
#define sk_obj_new_bool (sk__host->obj_new_bool)
#define sk_obj_new_null (sk__host->obj_new_null)
#define sk_obj_parse (sk__host->obj_parse)
#define sk_obj_dump (sk__host->obj_dump)
#define sk_obj_ref (sk__host->obj_ref)
#define sk_obj_unref (sk__host->obj_unref)
#define sk_obj_copy (sk__host->obj_copy)
#define sk_obj_equal (sk__host->obj_equal)
#define sk_obj_type_of (sk__host->obj_type_of)
#define sk_obj_get (sk__host->obj_get)
#define sk_obj_key (sk__host->obj_key)
#define sk_obj_get_str (sk__host->obj_get_str)
#define sk_obj_get_int (sk__host->obj_get_int)
#define sk_obj_get_real (sk__host->obj_get_real)
#define sk_obj_get_bool (sk__host->obj_get_bool)
#define sk_obj_set (sk__host->obj_set)
#define sk_obj_set_str (sk__host->obj_set_str)
#define sk_obj_set_int (sk__host->obj_set_int)
#define sk_obj_set_bool (sk__host->obj_set_bool)
#define sk_obj_del (sk__host->obj_del)
#define sk_obj_len (sk__host->obj_len)
#define sk_obj_at (sk__host->obj_at)
#define sk_obj_append (sk__host->obj_append)
#define sk_obj_foreach (sk__host->obj_foreach)
#define sk_obj_str (sk__host->obj_str)
#define sk_obj_int (sk__host->obj_int)
#define sk_condition_set (sk__host->condition_set)
#endif
#endif
#include <skiff/host.h>
