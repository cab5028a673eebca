/* query.c — query strings: split, percent-decode, typed lookups. */
#include "query.h"
#include "err.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* decodes [s, end) into out; returns the end of the output or NULL */
static char *decode(const char *s, const char *end, char *out)
{
	while (s < end) {
		if (*s == '%') {
			int hi;
			if (end - s < 3 || (hi = hexval(s[1])) < 0 || hexval(s[2]) < 0)
				return NULL;
			*out++ = (char)(hi * 16 + hexval(s[2]));
			s += 3;
		} else {
			*out++ = *s == '+' ? ' ' : *s;
			s++;
		}
	}
	*out++ = '\0';
	return out;
}

int query_parse(struct query *q, const char *raw, sk_err *err)
{
	memset(q, 0, sizeof *q);
	if (!raw || !*raw)
		return SK_OK;
	size_t len = strlen(raw);
	/* decoding only shrinks; one extra NUL per key and per value */
	q->buf = malloc(len + 2 * (len / 2 + 2));
	if (!q->buf)
		return sk_fail(err, SK_ENOMEM, "out of memory");
	char *out = q->buf;
	const char *s = raw, *end = raw + len;
	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *pe = amp ? amp : end;
		if (pe == s) {
			s = pe + 1;
			continue;
		}
		if (q->n == QUERY_MAX_PARAMS) {
			query_free(q);
			return sk_fail(err, SK_EBADREQUEST, "too many query parameters (at most %d)", QUERY_MAX_PARAMS);
		}
		const char *eq = memchr(s, '=', (size_t)(pe - s));
		const char *ke = eq ? eq : pe;
		q->keys[q->n] = out;
		if (!(out = decode(s, ke, out))) {
			query_free(q);
			return sk_fail(err, SK_EBADREQUEST, "invalid URL escape in the query string");
		}
		q->vals[q->n] = out;
		if (!(out = decode(eq ? eq + 1 : pe, pe, out))) {
			query_free(q);
			return sk_fail(err, SK_EBADREQUEST, "invalid URL escape in the query string");
		}
		q->n++;
		s = pe + (amp ? 1 : 0);
	}
	return SK_OK;
}

void query_free(struct query *q)
{
	free(q->buf);
	memset(q, 0, sizeof *q);
}

const char *query_get(const struct query *q, const char *key)
{
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->keys[i], key) == 0)
			return q->vals[i];
	return NULL;
}

int query_bool(const struct query *q, const char *key, int dflt, int *out, sk_err *err)
{
	const char *v = query_get(q, key);
	if (!v)
		*out = dflt;
	/* Go's strconv.ParseBool, which Kubernetes uses (clients send "True" too) */
	else if (!*v || !strcmp(v, "1") || !strcmp(v, "t") || !strcmp(v, "T") || !strcmp(v, "true") ||
	         !strcmp(v, "TRUE") || !strcmp(v, "True"))
		*out = 1;
	else if (!strcmp(v, "0") || !strcmp(v, "f") || !strcmp(v, "F") || !strcmp(v, "false") ||
	         !strcmp(v, "FALSE") || !strcmp(v, "False"))
		*out = 0;
	else
		return sk_fail(err, SK_EBADREQUEST, "invalid value for %s: \"%s\" (want true or false)", key, v);
	return SK_OK;
}

int query_int(const struct query *q, const char *key, long long dflt, long long *out, sk_err *err)
{
	const char *v = query_get(q, key);
	if (!v) {
		*out = dflt;
		return SK_OK;
	}
	char *e;
	errno = 0;
	long long n = strtoll(v, &e, 10);
	if (!*v || *e || errno || n < 0)
		return sk_fail(err, SK_EBADREQUEST, "invalid value for %s: \"%s\" (want a non-negative integer)", key, v);
	*out = n;
	return SK_OK;
}
