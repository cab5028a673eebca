/* query.h — the query string of a request, percent-decoded.
 *
 * Parsed once into a small table owned by the struct; values are borrowed
 * from it until query_free. Limits: at most QUERY_MAX_PARAMS parameters and
 * the length http.c already bounds for the request line.
 */
#ifndef SKIFF_CORE_QUERY_H
#define SKIFF_CORE_QUERY_H
#include <skiff/abi.h>
#include <stddef.h>

#define QUERY_MAX_PARAMS 64

struct query {
	char *buf;  /* decoded "key\0value\0key\0value\0..." */
	const char *keys[QUERY_MAX_PARAMS];
	const char *vals[QUERY_MAX_PARAMS];
	size_t n;
};

/* "a=1&b=x%20y&c" → a:"1", b:"x y", c:"". '+' decodes to a space as Go's
 * url.ParseQuery does. SK_EBADREQUEST on a bad escape or too many params. */
int query_parse(struct query *q, const char *raw, sk_err *err);
void query_free(struct query *q);
/* the first value of key, or NULL when absent */
const char *query_get(const struct query *q, const char *key);
/* Go's ParseBool values ("true", "True", "1", "t"...; "" when present
 * without a value is true); absent is dflt. Anything else is
 * SK_EBADREQUEST: Kubernetes refuses watch=maybe too. */
int query_bool(const struct query *q, const char *key, int dflt, int *out, sk_err *err);
/* a non-negative integer; absent is dflt */
int query_int(const struct query *q, const char *key, long long dflt, long long *out, sk_err *err);

#endif
