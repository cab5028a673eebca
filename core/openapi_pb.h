/* openapi_pb.h — the OpenAPI v2 (Swagger 2.0) document in protobuf, as
 * kube-apiserver serves /openapi/v2 to clients that ask for
 * application/com.github.proto-openapi.spec.v2@v1.0+protobuf (client-go's
 * DiscoveryClient.OpenAPISchema, behind kubectl explain
 * --output=plaintext-openapiv2 and v2 fallbacks of validation).
 *
 * The message is gnostic's openapi.v2.Document (github.com/google/
 * gnostic-models, openapiv2/OpenAPIv2.proto), encoded the way kube-openapi
 * produces it: openapi_v2.ParseDocument of the JSON, then proto.Marshal.
 * Fields go in field-number order, zero scalars are left out as proto3
 * does, map entries ("paths", "definitions", "properties", vendor
 * extensions...) keep the JSON document's key order, and every free-form
 * value (default, enum, example, x-* extensions) is an Any whose yaml
 * field holds the value as text — JSON, which YAML readers take as is.
 * Keys gnostic does not know are left out (gnostic would refuse them).
 *
 * Used by api_openapi.c; pure: no state, any thread.
 */
#ifndef SKIFF_CORE_OPENAPI_PB_H
#define SKIFF_CORE_OPENAPI_PB_H
#include <jansson.h>
#include <skiff/abi.h>
#include <stddef.h>

/* what clients ask for (client-go sends the "@" spelling), and what
 * kube-apiserver names its answer either way */
#define OPENAPI_PB_ACCEPT_OLD "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
#define OPENAPI_PB_MEDIA_TYPE "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

#define OPENAPI_PB_MAX (256u << 20) /* bytes of one encoded document */
#define OPENAPI_PB_MAX_DEPTH 256    /* nested messages */

/* Encodes doc (a Swagger 2.0 object) into *out (malloc'd, *len bytes; the
 * caller frees). SK_EINVALID when doc is not an object or nests too
 * deeply, SK_ETOOLARGE past OPENAPI_PB_MAX, SK_ENOMEM. */
int openapi_v2_protobuf(const json_t *doc, char **out, size_t *len, sk_err *err);

#endif
