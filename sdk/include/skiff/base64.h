/* skiff/base64.h — base64 (RFC 4648, standard alphabet, padded), as
 * Kubernetes stores Secret data and []byte fields.
 *
 * Ownership: results are heap memory freed with sk_mem_free; decoded bytes
 * are followed by a NUL that out_len does not count.
 */
#ifndef SKIFF_BASE64_H
#define SKIFF_BASE64_H
#include <skiff/abi.h>

/* NULL when the text is not valid base64 (newlines are skipped, as Go's
 * decoder does for []byte) */
unsigned char *sk_base64_decode(const char *text, size_t len, size_t *out_len);
char *sk_base64_encode(const void *data, size_t len);

#ifndef SKIFF_CORE
#define sk_base64_decode (sk__host->base64_decode)
#define sk_base64_encode (sk__host->base64_encode)
#endif
#endif
#include <skiff/host.h>
