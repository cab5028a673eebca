/* jscan.c — finding one string value by key path in JSON text, without building a tree. */
#include "bench.h"
#include <string.h>

#define MAX_DEPTH 64 /* deeper nesting is refused, not followed */

static const char *ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* past the string whose opening quote is at p; NULL if unterminated */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* past one value of any kind; NULL on bad or too deep text */
static const char *skip_value(const char *p, const char *end)
{
	p = ws(p, end);
	if (p >= end)
		return NULL;
	if (*p == '"')
		return skip_string(p, end);
	if (*p != '{' && *p != '[') {
		while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\r' &&
		       *p != '\t')
			p++;
		return p;
	}
	int depth = 0;
	while (p < end) {
		if (*p == '"') {
			if (!(p = skip_string(p, end)))
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[') {
			if (++depth > MAX_DEPTH)
				return NULL;
		} else if ((*p == '}' || *p == ']') && --depth == 0) {
			return p + 1;
		}
		p++;
	}
	return NULL;
}

int jscan_str(const char *text, size_t n, const char *path, const char **val, size_t *vlen)
{
	const char *p = text, *end = text + n;
	while (*path) {
		const char *dot = strchr(path, '.');
		size_t kl = dot ? (size_t)(dot - path) : strlen(path);
		p = ws(p, end);
		if (p >= end || *p != '{')
			return -1;
		p++;
		for (;;) { /* the members of this object, until the key is found */
			p = ws(p, end);
			if (p >= end || *p != '"')
				return -1;
			const char *k = p + 1, *ke = skip_string(p, end);
			if (!ke)
				return -1;
			p = ws(ke, end);
			if (p >= end || *p != ':')
				return -1;
			p++;
			if ((size_t)(ke - 1 - k) == kl && !memcmp(k, path, kl))
				break;
			if (!(p = skip_value(p, end)))
				return -1;
			p = ws(p, end);
			if (p >= end || *p != ',')
				return -1; /* the object ended without the key */
			p++;
		}
		path += kl + (dot ? 1 : 0);
		if (!dot)
			break;
	}
	p = ws(p, end);
	if (p >= end || *p != '"')
		return -1;
	const char *e = skip_string(p, end);
	if (!e)
		return -1;
	*val = p + 1;
	*vlen = (size_t)(e - 1 - (p + 1));
	return 0;
}
