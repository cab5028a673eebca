/* patch.h — the three PATCH formats of the Kubernetes API, applied to a
 * stored object the way kube-apiserver applies them:
 *
 *   application/json-patch+json            patch_json      (RFC 6902, as
 *       gopkg.in/evanphx/json-patch.v4 applies it, quirks included)
 *   application/merge-patch+json           patch_merge     (RFC 7386, same
 *       library: nulls delete, objects merge, the rest replaces)
 *   application/strategic-merge-patch+json patch_strategic (Kubernetes'
 *       strategicpatch.StrategicMergeMapPatch, driven by the schema)
 *
 * Owned by the core; the API's patch handler (api_write.c) and the scale
 * subresource call it. Pure functions of their arguments, no I/O;
 * patch_strategic reads the schema table, so it runs on the loop thread.
 *
 * Every function patches *doc (owned by the caller) and may replace it; the
 * patch is never modified, so a caller may apply it again after a conflict.
 * On failure *doc is still a valid value the caller owns, but possibly half
 * patched: discard it. The code and message say how Kubernetes answers:
 *
 *   SK_EBADREQUEST  400 BadRequest, message = err->msg. A malformed patch:
 *                   a JSON patch that does not decode into operations
 *                   ("error decoding patch: ...", as with fieldValidation
 *                   Warn, the default, or Strict), a strategic patch that is
 *                   no object, a bad $retainKeys, $setElementOrder or
 *                   $deleteFromPrimitiveList directive, a patch nesting
 *                   deeper than PATCH_MAX_DEPTH.
 *   SK_ETOOLARGE    413 RequestEntityTooLarge, message = err->msg: more than
 *                   PATCH_MAX_OPS JSON patch operations.
 *   SK_EINVALID     422 Invalid. A JSON patch operation that does not apply
 *                   (missing path, bad index, failed "test", the copy
 *                   budget, nesting past PATCH_MAX_DEPTH), a list of lists
 *                   in a strategic merge patch. Kubernetes answers these
 *                   with the fixed message PATCH_REJECTED and empty details,
 *                   dropping the reason; err->msg holds it (the library's
 *                   text, e.g. `add operation does not apply: doc is missing
 *                   path: "/spec/foo": missing value`) for logs or a cause.
 *   SK_EIO          500, message = err->msg, errors Kubernetes does not
 *                   classify: most strategic merge patch errors (`map:
 *                   map[image:x] does not contain declared merge key: name`,
 *                   `unknown patch type: ...`), a merge patch that is null or
 *                   a scalar ("Invalid JSON Patch"). Kubernetes sends code 500
 *                   with an empty reason, which kubectl prints as "Error from
 *                   server: <message>". Where Go itself would panic (a map as
 *                   a hash key) the message says so.
 *   SK_ENOMEM       out of memory.
 */
#ifndef SKIFF_CORE_PATCH_H
#define SKIFF_CORE_PATCH_H
#include <jansson.h>
#include <skiff/abi.h>

struct schema_node;

/* Kubernetes' Status message for a 422 from a patch. */
#define PATCH_REJECTED "the server rejected our request due to an error in our request"
/* Most operations in one JSON patch (kube-apiserver's maxJSONPatchOperations). */
#define PATCH_MAX_OPS 10000
/* Total bytes JSON patch "copy" operations may add (JSONPatchMaxCopyBytes). */
#define PATCH_MAX_COPY_BYTES (3L * 1024 * 1024)
/* Deepest nesting a patch may have or create: every function recurses along
 * the patch, so this bounds the stack whatever a client sends. */
#define PATCH_MAX_DEPTH 100

/* RFC 6902: patch is the array of operations. */
int patch_json(json_t **doc, const json_t *patch, sk_err *err);

/* RFC 7386: patch is normally an object. */
int patch_merge(json_t **doc, const json_t *patch, sk_err *err);

/* Strategic merge patch: patch is an object; type is the kind's schema
 * (the root object type, SCH_REF allowed). Where the schema says nothing
 * (type NULL, unknown fields, SCH_ANY, preserve-unknown objects) lists are
 * replaced and maps merged, as Kubernetes does for fields without patch
 * tags; directives ($patch, $retainKeys...) still apply there. Values the
 * patch stores whole come out as Kubernetes stores them once decoded into
 * the typed object: no directive keys, no members set to null, and (since
 * Kubernetes 1.28) no objects carrying $patch where the field was absent. */
int patch_strategic(json_t **doc, const json_t *patch, const struct schema_node *type, sk_err *err);

#endif
