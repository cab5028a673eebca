/* gojson.c — JSON text and value strings exactly as Go writes them. */
#include "gojson.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void puts_(struct buf *b, const char *s) { put(b, s, strlen(s)); }

/* digits from the right: snprintf was a measurable share of dumps */
static void int_out(struct buf *b, json_int_t iv)
{
	char num[24];
	unsigned long long u = iv < 0 ? 0ull - (unsigned long long)iv : (unsigned long long)iv;
	char *e = num + sizeof num, *o = e;
	do
		*--o = (char)('0' + u % 10);
	while (u /= 10);
	if (iv < 0)
		*--o = '-';
	put(b, o, (size_t)(e - o));
}

static char *finish(struct buf *b)
{
	if (b->failed) {
		free(b->p);
		return NULL;
	}
	if (!b->p)
		return strdup("");
	return b->p;
}

/* The shortest decimal digits that read back as d (d > 0), and the
 * exponent of the first digit: d = 0.DIGITS * 10^(exp+1). */
static int shortest(double d, char *digits, int *exp)
{
	char tmp[40];
	for (int p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
		if (strtod(tmp, NULL) == d || p == 17)
			break;
	}
	/* tmp is "D.DDDDe±XX" */
	int n = 0;
	const char *s = tmp;
	for (; *s && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			digits[n++] = *s;
	*exp = atoi(s + 1);
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = 0;
	return n;
}

void gojson_float(double d, int fmt_v, char *buf)
{
	if (d == 0) {
		strcpy(buf, signbit(d) ? "-0" : "0");
		return;
	}
	if (!isfinite(d)) {
		strcpy(buf, isnan(d) ? "NaN" : (d > 0 ? "+Inf" : "-Inf"));
		return;
	}
	char digits[24];
	int exp, nd;
	char *o = buf;
	if (d < 0) {
		*o++ = '-';
		d = -d;
	}
	nd = shortest(d, digits, &exp);
	/* fmt's %v is strconv's 'g' with the shortest digits: exponent form
	 * below 1e-4 and from 1e6 on */
	int use_e = fmt_v ? (exp < -4 || exp >= 6) : (d < 1e-6 || d >= 1e21);
	if (use_e) {
		*o++ = digits[0];
		if (nd > 1) {
			*o++ = '.';
			memcpy(o, digits + 1, (size_t)nd - 1);
			o += nd - 1;
		}
		int ae = exp < 0 ? -exp : exp;
		/* Go's strconv writes at least two exponent digits; encoding/json
		 * then trims "e-07" to "e-7" */
		if (!fmt_v && exp < 0 && ae < 10)
			o += sprintf(o, "e-%d", ae);
		else
			o += sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', ae);
		*o = 0;
		return;
	}
	if (exp < 0) {
		*o++ = '0';
		*o++ = '.';
		for (int i = -1; i > exp; i--)
			*o++ = '0';
		memcpy(o, digits, (size_t)nd);
		o += nd;
	} else if (exp >= nd - 1) {
		memcpy(o, digits, (size_t)nd);
		o += nd;
		for (int i = nd - 1; i < exp; i++)
			*o++ = '0';
	} else {
		memcpy(o, digits, (size_t)exp + 1);
		o += exp + 1;
		*o++ = '.';
		memcpy(o, digits + exp + 1, (size_t)(nd - exp - 1));
		o += nd - exp - 1;
	}
	*o = 0;
}

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length, or 0
 * when invalid (jansson only holds valid UTF-8, but be safe). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	if (!len || len > n)
		return 0;
	uint32_t c = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	*cp = c;
	return len;
}

/* bytes that end a plain run: quote, backslash, controls, <, >, &, and
 * the start of a multi-byte sequence (checked for U+2028/U+2029) */
static int needs_care(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= 0x80;
}

static void json_string_out(struct buf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	put(b, "\"", 1);
	size_t start = 0, i = 0;
	while (i < n) {
		while (i < n && !needs_care(s[i]))
			i++;
		if (i >= n)
			break;
		unsigned char c = s[i];
		const char *esc = NULL;
		char u[7];
		size_t adv = 1;
		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c == '\n')
			esc = "\\n";
		else if (c == '\r')
			esc = "\\r";
		else if (c == '\t')
			esc = "\\t";
		else if (c < 0x80) {
			u[0] = '\\', u[1] = 'u', u[2] = '0', u[3] = '0', u[4] = hex[c >> 4], u[5] = hex[c & 15], u[6] = 0;
			esc = u;
		} else {
			uint32_t cp;
			adv = utf8_next(s + i, n - i, &cp);
			if (!adv) {
				adv = 1;
				esc = "\\ufffd";
			} else if (cp == 0x2028 || cp == 0x2029) {
				snprintf(u, sizeof u, "\\u%04x", (unsigned)cp);
				esc = u;
			}
		}
		if (esc) {
			put(b, str + start, i - start);
			puts_(b, esc);
			start = i + adv;
		}
		i += adv;
	}
	put(b, str + start, n - start);
	put(b, "\"", 1);
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void dump(struct buf *b, const json_t *v, int sort_keys, int depth)
{
	char num[48];
	if (depth > GOJSON_MAX_DEPTH) {
		b->failed = 1;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *x;
		put(b, "{", 1);
		if (!sort_keys) {
			/* in the object's own order: no key array, no lookups */
			int first = 1;
			json_object_foreach((json_t *)v, k, x) {
				if (b->failed)
					break;
				if (!first)
					put(b, ",", 1);
				first = 0;
				json_string_out(b, k, strlen(k));
				put(b, ":", 1);
				dump(b, x, 0, depth + 1);
			}
			put(b, "}", 1);
			break;
		}
		size_t n = json_object_size(v), i = 0;
		const char **keys = malloc((n ? n : 1) * sizeof *keys);
		if (!keys) {
			b->failed = 1;
			return;
		}
		json_object_foreach((json_t *)v, k, x)
			keys[i++] = k;
		qsort(keys, n, sizeof *keys, cmp_keys);
		for (i = 0; i < n && !b->failed; i++) {
			if (i)
				put(b, ",", 1);
			json_string_out(b, keys[i], strlen(keys[i]));
			put(b, ":", 1);
			dump(b, json_object_get(v, keys[i]), 1, depth + 1);
		}
		put(b, "}", 1);
		free(keys);
		break;
	}
	case JSON_ARRAY:
		put(b, "[", 1);
		for (size_t i = 0; i < json_array_size(v) && !b->failed; i++) {
			if (i)
				put(b, ",", 1);
			dump(b, json_array_get(v, i), sort_keys, depth + 1);
		}
		put(b, "]", 1);
		break;
	case JSON_STRING:
		json_string_out(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		int_out(b, json_integer_value(v));
		break;
	case JSON_REAL:
		gojson_float(json_real_value(v), 0, num);
		puts_(b, num);
		break;
	case JSON_TRUE:
		puts_(b, "true");
		break;
	case JSON_FALSE:
		puts_(b, "false");
		break;
	case JSON_NULL:
		puts_(b, "null");
		break;
	}
}

char *gojson_dumps(const json_t *v, int sort_keys)
{
	struct buf b = {0};
	dump(&b, v, sort_keys, 0);
	return finish(&b);
}

/* strconv.Quote: printable characters as they are, the rest escaped */
static void quote_out(struct buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char u[12];
	put(b, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c < 0x80) {
			const char *esc = NULL;
			switch (c) {
			case '\a': esc = "\\a"; break;
			case '\b': esc = "\\b"; break;
			case '\f': esc = "\\f"; break;
			case '\n': esc = "\\n"; break;
			case '\r': esc = "\\r"; break;
			case '\t': esc = "\\t"; break;
			case '\v': esc = "\\v"; break;
			case '\\': esc = "\\\\"; break;
			case '"': esc = "\\\""; break;
			}
			if (esc)
				puts_(b, esc);
			else if (c < 0x20 || c == 0x7f) {
				snprintf(u, sizeof u, "\\x%02x", c);
				puts_(b, u);
			} else
				put(b, (const char *)s + i, 1);
			i++;
			continue;
		}
		uint32_t cp;
		size_t len = utf8_next(s + i, n - i, &cp);
		if (!len) {
			snprintf(u, sizeof u, "\\x%02x", c);
			puts_(b, u);
			i++;
			continue;
		}
		/* the non-printing characters a name could plausibly hold */
		if ((cp >= 0x80 && cp < 0xa1) || cp == 0xad || (cp >= 0x200b && cp <= 0x200f) ||
		    cp == 0x2028 || cp == 0x2029 || cp == 0xfeff) {
			snprintf(u, sizeof u, "\\u%04x", (unsigned)cp);
			puts_(b, u);
		} else {
			put(b, (const char *)s + i, len);
		}
		i += len;
	}
	put(b, "\"", 1);
}

static void value_out(struct buf *b, const json_t *v, int depth)
{
	char num[48];
	if (depth > GOJSON_MAX_DEPTH) {
		b->failed = 1;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_NULL:
		puts_(b, "null");
		break;
	case JSON_REAL:
		gojson_float(json_real_value(v), 1, num);
		puts_(b, num);
		break;
	case JSON_INTEGER:
		int_out(b, json_integer_value(v));
		break;
	case JSON_STRING:
		quote_out(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_TRUE:
		puts_(b, "true");
		break;
	case JSON_FALSE:
		puts_(b, "false");
		break;
	case JSON_ARRAY:
		put(b, "[", 1);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				put(b, ",", 1);
			value_out(b, json_array_get(v, i), depth + 1);
		}
		put(b, "]", 1);
		break;
	case JSON_OBJECT: {
		/* Go ranges over a map in no order; sorted keys at least repeat */
		size_t n = json_object_size(v), i = 0;
		const char **keys = malloc((n ? n : 1) * sizeof *keys);
		if (!keys) {
			b->failed = 1;
			return;
		}
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x)
			keys[i++] = k;
		qsort(keys, n, sizeof *keys, cmp_keys);
		for (i = 0; i < n; i++) {
			puts_(b, keys[i]);
			put(b, "=", 1);
			value_out(b, json_object_get(v, keys[i]), depth + 1);
		}
		free(keys);
		break;
	}
	}
}

char *gojson_value_string(const json_t *v)
{
	struct buf b = {0};
	value_out(&b, v, 0);
	return finish(&b);
}
