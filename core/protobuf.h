/* protobuf.h — request bodies in Kubernetes' protobuf encoding
 * (application/vnd.kubernetes.protobuf), decoded into the JSON the API
 * server works on. kubectl's typed commands (create configmap, secret,
 * deployment, service, job, quota, autoscale...) send their objects so.
 *
 * The wire format: the magic "k8s\0", then a runtime.Unknown message
 * {typeMeta{apiVersion=1, kind=2}=1, raw=2, contentEncoding=3,
 * contentType=4} whose raw holds the object. The object is decoded by the
 * named type whose gvk= matches the envelope, field by field through the
 * types' proto= numbers (sdk/docs/types.md); fields without one are never
 * read, unknown field numbers are skipped as protobuf does. Kubernetes'
 * special messages become their JSON forms: meta/v1 Time {seconds=1,
 * nanos=2} an RFC 3339 string in seconds, MicroTime one with microseconds
 * (both from `date-time` fields, MicroTime told by its type name), Quantity
 * {string=1} its canonical string, IntOrString {type=1, intVal=2, strVal=3}
 * a number or a string, RawExtension, FieldsV1 and other free-form values
 * {raw=1} the JSON they hold (or a nested "k8s\0" object), `bytes` base64;
 * maps are repeated {key=1, value=2} entries; lists and maps where protobuf
 * needs a message (a list in a map or a list) are wrapped in one whose
 * field 1 holds them; repeated numbers may be packed. A field proto=N.M is
 * field M of the embedded message N (Go's inlined structs: Probe's handler,
 * Volume's source).
 *
 * Which zero values appear: Kubernetes' Go marshalling writes every
 * non-pointer field, so an unset string arrives as "", where the JSON
 * kubectl would have sent omits it. The decoder drops "", 0, false and an
 * empty Time (Go's null) unless the field is `required` (JSON without
 * omitempty) or declares a default= other than that zero value (an
 * optional pointer such as replicas: an explicit 0 must not become the
 * default). Empty messages stay as {} (Go never omits structs), and
 * IntOrString and Quantity values are always kept.
 *
 * Errors are SK_EBADREQUEST naming the kind and the field path ("apps/v1
 * Deployment: spec.replicas: wire type 2 (bytes), want varint");
 * SK_ETOOLARGE past PROTOBUF_MAX bytes. Nesting and the number of values
 * are bounded. Runs on the loop thread (it reads the schema table).
 */
#ifndef SKIFF_CORE_PROTOBUF_H
#define SKIFF_CORE_PROTOBUF_H
#include <jansson.h>
#include <skiff/abi.h>
#include <stddef.h>

#define PROTOBUF_MAX (3u << 20) /* bytes of one body, as the API server's limit */
#define PROTOBUF_MEDIA_TYPE "application/vnd.kubernetes.protobuf"

/* The object in buf as JSON, "kind" and "apiVersion" first; NULL with err
 * set on failure. */
json_t *protobuf_decode(const char *buf, size_t len, sk_err *err);

#endif
