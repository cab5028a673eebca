/* quantity.c — Kubernetes resource quantities (resource.Quantity): `100m`,
 * `1.5Gi`, `2e3`, held exactly as a signed 128-bit count of nano-units.
 *
 * Parsing follows ParseQuantity: values finer than a nano round away from
 * zero to the next nano, and BinarySI values are capped at 2^63-1 units.
 * Printing follows CanonicalizeBytes.
 */
#include "err.h"
#include <skiff/selector.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

/* Magnitudes stay within 2^127-1 so that negating never overflows. */
#define MAG_MAX (((u128)1 << 127) - 1)
#define NANO 1000000000u
/* ParseQuantity's cap for BinarySI: 2^63-1 whole units. */
#define BIN_CAP ((u128)INT64_MAX * NANO)
/* How much of a user's text an error message quotes. */
#define SHOW 64

static i128 get(const sk_quantity *q)
{
	i128 v = (i128)((u128)(uint64_t)q->nano_hi << 64 | q->nano_lo);
	return v < -(i128)MAG_MAX ? -(i128)MAG_MAX : v;
}

static void set(sk_quantity *q, i128 v)
{
	u128 u = (u128)v;
	q->nano_lo = (uint64_t)u;
	q->nano_hi = (int64_t)(uint64_t)(u >> 64);
}

static u128 mag(i128 v) { return v < 0 ? (u128)-v : (u128)v; }

/* ---- parsing ---------------------------------------------------------- */

static const struct {
	const char *s;
	uint32_t format;
	int e10, e2;
} suffixes[] = {
	{"", SK_QTY_DECIMAL_SI, 0, 0},   {"n", SK_QTY_DECIMAL_SI, -9, 0}, {"u", SK_QTY_DECIMAL_SI, -6, 0},
	{"m", SK_QTY_DECIMAL_SI, -3, 0}, {"k", SK_QTY_DECIMAL_SI, 3, 0},  {"M", SK_QTY_DECIMAL_SI, 6, 0},
	{"G", SK_QTY_DECIMAL_SI, 9, 0},  {"T", SK_QTY_DECIMAL_SI, 12, 0}, {"P", SK_QTY_DECIMAL_SI, 15, 0},
	{"E", SK_QTY_DECIMAL_SI, 18, 0}, {"Ki", SK_QTY_BINARY_SI, 0, 10}, {"Mi", SK_QTY_BINARY_SI, 0, 20},
	{"Gi", SK_QTY_BINARY_SI, 0, 30}, {"Ti", SK_QTY_BINARY_SI, 0, 40}, {"Pi", SK_QTY_BINARY_SI, 0, 50},
	{"Ei", SK_QTY_BINARY_SI, 0, 60},
};

/* Exponents beyond this are out of range for any number a string can spell
 * here; clamping keeps the arithmetic below in int64. */
#define EXP_CLAMP ((int64_t)1 << 40)

static int parse_suffix(const char *s, uint32_t *format, int64_t *e10, int *e2)
{
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		if (!strcmp(s, suffixes[i].s)) {
			*format = suffixes[i].format;
			*e10 = suffixes[i].e10;
			*e2 = suffixes[i].e2;
			return 1;
		}
	}
	/* "e3", "E-2", "e+6": a decimal exponent ("E" alone is exa, above) */
	if (*s != 'e' && *s != 'E')
		return 0;
	s++;
	int neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return 0;
	int64_t e = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		if (e < EXP_CLAMP)
			e = e * 10 + (*s - '0');
	}
	*format = SK_QTY_DECIMAL_EXP;
	*e10 = neg ? -e : e;
	*e2 = 0;
	return 1;
}

/* The magnitude in nanos of D x 2^e2 x 10^x, D being nd decimal digits,
 * rounded up to a whole nano. Returns 0, or -1 when it exceeds MAG_MAX. */
static int magnitude(const char *dig, size_t nd, int64_t x, int e2, u128 *out)
{
	/* D >= 10^(nd-1), and 10^39 > MAG_MAX */
	if ((int64_t)nd + x >= 40)
		return -1;
	/* D x 2^60 < 10^(nd+19): below one nano, which it rounds up to */
	if ((int64_t)nd + x + 19 <= 0) {
		*out = 1;
		return 0;
	}
	/* multiply by 2^e2 in decimal, right-aligned with room to grow */
	size_t cap = nd + 20;
	unsigned char stackbuf[128], *d = cap <= sizeof stackbuf ? stackbuf : malloc(cap);
	if (!d)
		return -2;
	memset(d, 0, cap - nd);
	for (size_t i = 0; i < nd; i++)
		d[cap - nd + i] = (unsigned char)(dig[i] - '0');
	for (int left = e2; left > 0; left -= 20) {
		uint64_t m = (uint64_t)1 << (left < 20 ? left : 20), carry = 0;
		for (size_t i = cap; i-- > 0;) {
			carry += d[i] * m;
			d[i] = (unsigned char)(carry % 10);
			carry /= 10;
		}
	}
	/* digits past the nano point round the magnitude up */
	size_t frac = x < 0 ? (size_t)-x : 0, i;
	u128 v = 0;
	int rc = 0, up = 0;
	for (i = 0; i < cap - frac && !rc; i++) {
		if (v > (MAG_MAX - d[i]) / 10)
			rc = -1;
		v = v * 10 + d[i];
	}
	for (; i < cap; i++)
		up |= d[i] != 0;
	if (d != stackbuf)
		free(d);
	for (int64_t k = 0; k < x && !rc; k++) {
		if (v > MAG_MAX / 10)
			rc = -1;
		v *= 10;
	}
	if (!rc && up && v == MAG_MAX)
		rc = -1;
	*out = v + (u128)up;
	return rc;
}

/* The i-th digit of the number, skipping the decimal point. */
static char digit_at(const char *ip, size_t ilen, const char *fp, size_t i)
{
	return i < ilen ? ip[i] : fp[i - ilen];
}

int sk_quantity_parse(const char *text, sk_quantity *q, sk_err *err)
{
	if (!text || !*text)
		return sk_fail(err, SK_EINVALID,
		               "invalid quantity: empty string (expected a number such as 100m, 1.5Gi or 2e3)");
	int shown = (int)strnlen(text, SHOW);
	const char *p = text;
	int neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	const char *ip = p;
	while (*p >= '0' && *p <= '9')
		p++;
	size_t ilen = (size_t)(p - ip), flen = 0;
	const char *fp = p;
	if (*p == '.') {
		fp = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		flen = (size_t)(p - fp);
	}
	if (ilen + flen == 0)
		return sk_fail(err, SK_EINVALID,
		               "invalid quantity \"%.*s\": expected a number with an optional sign, fraction "
		               "and suffix (e.g. 100m, 1.5Gi, 2e3)", shown, text);
	uint32_t format;
	int64_t e10;
	int e2;
	if (!parse_suffix(p, &format, &e10, &e2))
		return sk_fail(err, SK_EINVALID,
		               "invalid quantity \"%.*s\": unknown suffix \"%.*s\" (expected one of n, u, m, "
		               "k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei, or an exponent such as e3)",
		               shown, text, SHOW, p);

	/* the significant digits: leading zeros dropped, trailing ones moved
	 * into x, the power of ten (in nanos) of the last digit kept */
	size_t total = ilen + flen, trailing = 0, nd = 0;
	while (trailing < total && digit_at(ip, ilen, fp, total - 1 - trailing) == '0')
		trailing++;
	char stackdig[64], *dig = total <= sizeof stackdig ? stackdig : malloc(total);
	if (!dig)
		return sk_fail(err, SK_ENOMEM, "out of memory");
	for (size_t i = 0; i < total - trailing; i++) {
		char c = digit_at(ip, ilen, fp, i);
		if (nd || c != '0')
			dig[nd++] = c;
	}
	int64_t x = e10 + 9 - (int64_t)flen + (int64_t)trailing;
	u128 m = 0;
	int rc = nd ? magnitude(dig, nd, x, e2, &m) : 0;
	if (dig != stackdig)
		free(dig);
	if (rc == -2)
		return sk_fail(err, SK_ENOMEM, "out of memory");
	if (rc && format != SK_QTY_BINARY_SI)
		return sk_fail(err, SK_EINVALID,
		               "invalid quantity \"%.*s\": magnitude exceeds the supported range of about "
		               "1.7e29 units", shown, text);
	if (format == SK_QTY_BINARY_SI && (rc || m > BIN_CAP))
		m = BIN_CAP;
	/* a fraction of one unit can't be written in binary form */
	if (format == SK_QTY_BINARY_SI && m > 0 && m < NANO)
		format = SK_QTY_DECIMAL_SI;
	set(q, neg ? -(i128)m : (i128)m);
	q->format = format;
	q->reserved = 0;
	return SK_OK;
}

/* ---- arithmetic ------------------------------------------------------- */

/* |value| / div rounded away from zero, as Kubernetes' ScaledValue does for
 * int64-backed quantities, saturating at the int64 bounds. */
static int64_t scaled(const sk_quantity *q, u128 div)
{
	i128 v = get(q);
	u128 m = mag(v), r = m / div + (m % div != 0);
	if (v >= 0)
		return r > INT64_MAX ? INT64_MAX : (int64_t)r;
	return r > (u128)INT64_MAX ? INT64_MIN : -(int64_t)r;
}

int64_t sk_quantity_value(const sk_quantity *q) { return scaled(q, NANO); }
int64_t sk_quantity_milli(const sk_quantity *q) { return scaled(q, NANO / 1000); }

int sk_quantity_cmp(const sk_quantity *a, const sk_quantity *b)
{
	i128 x = get(a), y = get(b);
	return (x > y) - (x < y);
}

/* Exact while the sum fits; beyond that it saturates. A zero accumulator
 * takes the other's format, as Quantity.Add does. */
static void accumulate(sk_quantity *acc, const sk_quantity *q, int sign)
{
	i128 a = get(acc), b = get(q), r;
	if (a == 0)
		acc->format = q->format;
	int over = sign > 0 ? __builtin_add_overflow(a, b, &r) : __builtin_sub_overflow(a, b, &r);
	if (over)
		r = (sign > 0) == (b > 0) ? (i128)MAG_MAX : -(i128)MAG_MAX;
	else if (r < -(i128)MAG_MAX)
		r = -(i128)MAG_MAX;
	set(acc, r);
}

void sk_quantity_add(sk_quantity *acc, const sk_quantity *q) { accumulate(acc, q, 1); }
void sk_quantity_sub(sk_quantity *acc, const sk_quantity *q) { accumulate(acc, q, -1); }

/* ---- printing --------------------------------------------------------- */

static size_t put_u128(char *out, u128 v)
{
	char tmp[40];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* BinarySI: the largest binary suffix leaving a whole mantissa. */
static size_t format_binary(u128 units, char *out)
{
	static const char *const bin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
	int e = 0;
	while (e < 6 && units % 1024 == 0) {
		units /= 1024;
		e++;
	}
	size_t n = put_u128(out, units);
	memcpy(out + n, bin[e], strlen(bin[e]));
	return n + strlen(bin[e]);
}

/* Decimal forms: mantissa x 10^e with e a multiple of 3, as large as
 * keeps the mantissa whole. */
static size_t format_decimal(u128 m, uint32_t format, char *out)
{
	static const char *const dec[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
	int e = -9;
	while (m % 10 == 0) {
		m /= 10;
		e++;
	}
	while (e % 3) { /* toward -inf, to a multiple of 3 */
		m *= 10;
		e--;
	}
	if (format == SK_QTY_DECIMAL_EXP) {
		size_t n = put_u128(out, m);
		if (e)
			n += (size_t)sprintf(out + n, "e%d", e);
		return n;
	}
	/* no SI suffix beyond E: Kubernetes would drop the suffix there and
	 * print a wrong number, so keep E and widen the mantissa */
	size_t n = put_u128(out, m);
	for (; e > 18; e--)
		out[n++] = '0';
	const char *s = dec[(e + 9) / 3];
	memcpy(out + n, s, strlen(s));
	return n + strlen(s);
}

size_t sk_quantity_format(const sk_quantity *q, char *buf, size_t cap)
{
	char out[96];
	size_t n = 0;
	i128 v = get(q);
	u128 m = mag(v);
	uint32_t format = q->format;
	if (format > SK_QTY_DECIMAL_EXP)
		format = SK_QTY_DECIMAL_EXP; /* Kubernetes' default for an unknown format */
	if (v == 0) {
		out[n++] = '0';
	} else {
		if (v < 0)
			out[n++] = '-';
		/* BinarySI only for whole units of at least 1Ki; else DecimalSI */
		if (format == SK_QTY_BINARY_SI && (m < (u128)1024 * NANO || m % NANO))
			format = SK_QTY_DECIMAL_SI;
		if (format == SK_QTY_BINARY_SI)
			n += format_binary(m / NANO, out + n);
		else
			n += format_decimal(m, format, out + n);
	}
	if (n + 1 > cap) {
		if (cap)
			buf[0] = 0;
		return 0;
	}
	memcpy(buf, out, n);
	buf[n] = 0;
	return n;
}
