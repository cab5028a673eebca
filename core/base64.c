/* base64.c — RFC 4648 base64 for the SDK (Secret data, []byte fields).
 * Strict about padding so that a value decodes to exactly the bytes that
 * were encoded, which EVP_DecodeBlock does not promise. */
#include <skiff/base64.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *sk_base64_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out = malloc(4 * ((len + 2) / 3) + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0) |
		             (i + 2 < len ? p[i + 2] : 0);
		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		*o++ = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? alphabet[v & 63] : '=';
	}
	*o = 0;
	return out;
}

static int digit(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

unsigned char *sk_base64_decode(const char *text, size_t len, size_t *out_len)
{
	unsigned char *out = malloc(len / 4 * 3 + 4), *o = out;
	if (!out)
		return NULL;
	unsigned v = 0;
	int n = 0, pad = 0;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '\n' || c == '\r')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		int d = digit(c);
		if (d < 0 || pad)
			goto bad; /* nothing may follow padding */
		v = v << 6 | (unsigned)d;
		if (++n == 4) {
			*o++ = (unsigned char)(v >> 16);
			*o++ = (unsigned char)(v >> 8);
			*o++ = (unsigned char)v;
			v = 0;
			n = 0;
		}
	}
	/* a partial group needs exactly the padding that completes it */
	if (n == 1 || (n && n + pad != 4) || (!n && pad))
		goto bad;
	if (n == 2)
		*o++ = (unsigned char)(v >> 4);
	else if (n == 3) {
		*o++ = (unsigned char)(v >> 10);
		*o++ = (unsigned char)(v >> 2);
	}
	*o = 0;
	if (out_len)
		*out_len = (size_t)(o - out);
	return out;
bad:
	free(out);
	return NULL;
}
