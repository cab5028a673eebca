/* validate.c — Kubernetes' standard field checks and cause helpers (skiff/validate.h).
 *
 * Rules and words follow k8s.io/apimachinery: util/validation (IsDNS1123Label
 * ...), api/validate/content (IsLabelKey, IsLabelValue), api/validation
 * (NameIsDNSSubdomain ..., ValidateAnnotations), apis/meta/v1/validation
 * (ValidateLabels, ValidateLabelSelector) and util/validation/field (how an
 * error body prints its value). Matching is hand-written, not regex: each
 * matcher states the regex it implements.
 */
#include "json.h"
#include <skiff/validate.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A quoted value is cut after this many bytes of input; a message after
 * MSG_MAX bytes. Values come from clients. */
#define VALUE_MAX 4096
#define MSG_MAX 65536

/* ---- Kubernetes' messages ----------------------------------------------- */

/* RegexError(msg, fmt, examples...): "msg (e.g. 'a',  or 'b', regex used
 * for validation is 'fmt')" — the doubled space is Kubernetes' own. */
#define RXERR(msg, examples, rx) msg " (e.g. " examples "regex used for validation is '" rx "')"
#define EX1(a) "'" a "', "
#define EX2(a, b) EX1(a) " or " EX1(b)
#define EX3(a, b, c) EX2(a, b) " or " EX1(c)

#define FMT_1123_LABEL "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define FMT_1123_SUBDOMAIN FMT_1123_LABEL "(\\." FMT_1123_LABEL ")*"
#define FMT_1035_LABEL "[a-z]([-a-z0-9]*[a-z0-9])?"
#define FMT_KEY "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define FMT_VALUE "(" FMT_KEY ")?"
#define KEY_ERR                                                                                                    \
	"must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "      \
	"character"

static const char M_1123_LABEL[] =
	RXERR("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
	      "and end with an alphanumeric character",
	      EX2("my-name", "123-abc"), FMT_1123_LABEL);
static const char M_1123_SUBDOMAIN[] =
	RXERR("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
	      "start and end with an alphanumeric character",
	      EX1("example.com"), FMT_1123_SUBDOMAIN);
static const char M_PREFIX_SUBDOMAIN[] =
	"prefix part " RXERR("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
	                     "'.', and must start and end with an alphanumeric character",
	                     EX1("example.com"), FMT_1123_SUBDOMAIN);
static const char M_1035_LABEL[] =
	RXERR("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
	      "character, and end with an alphanumeric character",
	      EX2("my-name", "abc-123"), FMT_1035_LABEL);
static const char M_KEY_NAME[] = "name part " RXERR(KEY_ERR, EX3("MyName", "my.name", "123-abc"), FMT_KEY);
static const char M_KEY_SHAPE[] =
	"a valid label key " RXERR(KEY_ERR, EX3("MyName", "my.name", "123-abc"), FMT_KEY)
	" with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
static const char M_LABEL_VALUE[] =
	RXERR("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
	      "start and end with an alphanumeric character",
	      EX3("MyValue", "my_value", "12345"), FMT_VALUE);
static const char M_ENV[] = RXERR("a valid environment variable name must consist of alphabetic characters, digits, "
                                  "'_', '-', or '.', and must not start with a digit",
                                  EX3("my.env-name", "MY_ENV.NAME", "MyEnvName1"), "[-._a-zA-Z][-._a-zA-Z0-9]*");
static const char M_ENV_RELAXED[] =
	"a valid environment variable name must consist only of printable ASCII characters other than '='";
static const char M_CONFIG_KEY[] = RXERR("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                                         EX3("key.name", "KEY_NAME", "key-name"), "[-._a-zA-Z0-9]+");
static const char M_PERCENT[] =
	RXERR("a valid percent string must be a numeric string followed by an ending '%'", EX2("1%", "93%"), "[0-9]+%");
static const char M_HEADER[] = RXERR("a valid HTTP header must consist of alphanumeric characters or '-'",
                                     EX1("X-Header-Name"), "[-A-Za-z0-9]+");
static const char M_IP[] = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
static const char M_CIDR[] = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";
static const char M_NEGATIVE[] = "must be greater than or equal to 0";
static const char M_NOT_POSITIVE[] = "must be greater than zero";

/* ---- building messages --------------------------------------------------- */

struct sb {
	char *p;
	size_t n, cap;
};

static void sb_put(struct sb *b, const char *s, size_t n)
{
	if (b->n + n >= MSG_MAX)
		n = b->n < MSG_MAX - 1 ? MSG_MAX - 1 - b->n : 0;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void sb_puts(struct sb *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_vprintf(struct sb *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(small, sizeof small, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		sb_put(b, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big)
		return;
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	sb_put(b, big, (size_t)n);
	free(big);
}

static void sb_printf(struct sb *b, const char *fmt, ...) SK_PRINTF(2, 3);
static void sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

/* One UTF-8 sequence at s (n bytes left): its length, or 0 when invalid
 * (overlong, surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *r)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t lo = 0x80, hi = 0xBF;
	if (c < 0x80) {
		*r = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		*r = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		*r = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		*r = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		unsigned char d = s[i];
		if (d < (i == 1 ? lo : 0x80) || d > (i == 1 ? hi : 0xBF))
			return 0;
		*r = *r << 6 | (d & 0x3F);
	}
	return len;
}

/* Go's unicode.IsPrint, close enough: ASCII space and graphic characters;
 * not controls, other spaces, format characters, private use,
 * non-characters. (Unassigned code points count as printable here.) */
static int go_isprint(uint32_t r)
{
	if (r < 0x20 || (r >= 0x7F && r <= 0xA0) || r == 0xAD)
		return 0;
	if (r < 0x7F)
		return 1;
	if (r == 0x1680 || (r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) ||
	    (r >= 0x205F && r <= 0x206F) || r == 0x3000 || r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB))
		return 0;
	if ((r >= 0x600 && r <= 0x605) || r == 0x61C || r == 0x6DD || r == 0x70F || r == 0x180E)
		return 0;
	if ((r >= 0xD800 && r <= 0xF8FF) || r == 0xFFFE || r == 0xFFFF || r >= 0xF0000)
		return 0;
	if (r == 0x110BD || (r >= 0x1D173 && r <= 0x1D17A) || (r >= 0xE0000 && r <= 0xE007F))
		return 0;
	return 1;
}

/* s as Go's %q prints it (strconv.Quote); after VALUE_MAX bytes, "..." */
static void quote(struct sb *b, const char *s, size_t n)
{
	size_t cut = n > VALUE_MAX ? VALUE_MAX : n;
	const unsigned char *u = (const unsigned char *)s;
	sb_put(b, "\"", 1);
	for (size_t i = 0; i < cut;) {
		uint32_t r;
		size_t len = utf8_next(u + i, cut - i, &r);
		char esc[16];
		if (!len) {
			snprintf(esc, sizeof esc, "\\x%02x", u[i]);
			sb_puts(b, esc);
			i++;
			continue;
		}
		if (r == '"' || r == '\\') {
			esc[0] = '\\';
			esc[1] = (char)r;
			sb_put(b, esc, 2);
		} else if (go_isprint(r)) {
			sb_put(b, s + i, len);
		} else {
			static const char named[] = "\a\b\f\n\r\t\v", letter[] = "abfnrtv";
			const char *k = r > 0 && r < 0x20 ? strchr(named, (int)r) : NULL;
			if (k)
				snprintf(esc, sizeof esc, "\\%c", letter[k - named]);
			else if (r < 0x20 || r == 0x7F)
				snprintf(esc, sizeof esc, "\\x%02x", (unsigned)r);
			else if (r < 0x10000)
				snprintf(esc, sizeof esc, "\\u%04x", (unsigned)r);
			else
				snprintf(esc, sizeof esc, "\\U%08x", (unsigned)r);
			sb_puts(b, esc);
		}
		i += len;
	}
	sb_put(b, "\"", 1);
	if (cut < n)
		sb_puts(b, "...");
}

/* A float64 as Go's %v: shortest round-trip digits, exponent form when the
 * decimal exponent is below -4 or 6 and above. */
static void go_float(struct sb *b, double d)
{
	char buf[64];
	if (d != d) {
		sb_puts(b, "NaN");
		return;
	}
	if (d > 1.7976931348623157e308 || d < -1.7976931348623157e308) {
		sb_puts(b, d > 0 ? "+Inf" : "-Inf");
		return;
	}
	int p;
	for (p = 1; p < 17; p++) {
		snprintf(buf, sizeof buf, "%.*e", p - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	snprintf(buf, sizeof buf, "%.*e", p - 1, d);
	int exp = atoi(strchr(buf, 'e') + 1);
	if (exp < -4 || exp >= 6) {
		sb_puts(b, buf);
		return;
	}
	snprintf(buf, sizeof buf, "%.*f", p - 1 - exp > 0 ? p - 1 - exp : 0, d);
	sb_puts(b, buf);
}

/* A JSON value as Kubernetes' field errors print theirs (see the header). */
static void render(struct sb *b, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		quote(b, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		sb_printf(b, "%lld", (long long)json_integer_value(v));
		return;
	case JSON_REAL:
		go_float(b, json_real_value(v));
		return;
	case JSON_TRUE:
		sb_puts(b, "true");
		return;
	case JSON_FALSE:
		sb_puts(b, "false");
		return;
	case JSON_NULL:
		sb_puts(b, "null");
		return;
	case JSON_ARRAY: {
		size_t i, n = json_array_size(v);
		for (i = 0; i < n && json_is_string(json_array_get(v, i)); i++)
			;
		if (i < n)
			break;
		sb_puts(b, "[]string{");
		for (i = 0; i < n; i++) {
			if (i)
				sb_puts(b, ", ");
			json_t *s = json_array_get(v, i);
			quote(b, json_string_value(s), json_string_length(s));
		}
		sb_puts(b, "}");
		return;
	}
	default:
		break;
	}
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s) {
		size_t n = strlen(s);
		sb_put(b, s, n > VALUE_MAX ? VALUE_MAX : n);
		if (n > VALUE_MAX)
			sb_puts(b, "...");
		free(s);
	}
}

/* A JSON string of s; bytes that are not UTF-8 become '?' (client-made
 * field paths may hold them; the cause must not be lost). */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	size_t n = strlen(s);
	char *c = malloc(n + 1);
	if (!c)
		return NULL;
	for (size_t i = 0; i < n;) {
		uint32_t r;
		size_t len = utf8_next((const unsigned char *)s + i, n - i, &r);
		if (!len) {
			c[i++] = '?';
			continue;
		}
		memcpy(c + i, s + i, len);
		i += len;
	}
	c[n] = 0;
	j = json_string(c);
	free(c);
	return j;
}

static void push(json_t *causes, const char *reason, const char *field, struct sb *msg)
{
	if (json_is_array(causes)) {
		json_t *c = json_object();
		json_object_set_new(c, "reason", json_string(reason));
		json_object_set_new(c, "message", jstr(msg->p ? msg->p : ""));
		json_object_set_new(c, "field", jstr(field ? field : ""));
		json_array_append_new(causes, c);
	}
	free(msg->p);
}

static void detail(struct sb *b, const char *fmt, va_list ap)
{
	if (fmt && *fmt) {
		sb_puts(b, ": ");
		sb_vprintf(b, fmt, ap);
	}
}

/* ---- one cause -------------------------------------------------------- */

void sk_cause_required(sk_obj *causes, const char *field, const char *d)
{
	struct sb b = {0};
	sb_puts(&b, "Required value");
	if (d && *d)
		sb_printf(&b, ": %s", d);
	push(J(causes), "FieldValueRequired", field, &b);
}

void sk_cause_forbidden(sk_obj *causes, const char *field, const char *d)
{
	struct sb b = {0};
	sb_puts(&b, "Forbidden");
	if (d && *d)
		sb_printf(&b, ": %s", d);
	push(J(causes), "FieldValueForbidden", field, &b);
}

void sk_cause_invalid_str(sk_obj *causes, const char *field, const char *value, const char *fmt, ...)
{
	struct sb b = {0};
	va_list ap;
	if (!value)
		value = "";
	sb_puts(&b, "Invalid value: ");
	quote(&b, value, strlen(value));
	va_start(ap, fmt);
	detail(&b, fmt, ap);
	va_end(ap);
	push(J(causes), "FieldValueInvalid", field, &b);
}

void sk_cause_invalid_int(sk_obj *causes, const char *field, int64_t value, const char *fmt, ...)
{
	struct sb b = {0};
	va_list ap;
	sb_printf(&b, "Invalid value: %lld", (long long)value);
	va_start(ap, fmt);
	detail(&b, fmt, ap);
	va_end(ap);
	push(J(causes), "FieldValueInvalid", field, &b);
}

void sk_cause_invalid_obj(sk_obj *causes, const char *field, const sk_obj *value, const char *fmt, ...)
{
	struct sb b = {0};
	va_list ap;
	sb_puts(&b, "Invalid value: ");
	if (value)
		render(&b, J(value));
	else
		sb_puts(&b, "null");
	va_start(ap, fmt);
	detail(&b, fmt, ap);
	va_end(ap);
	push(J(causes), "FieldValueInvalid", field, &b);
}

void sk_cause_not_supported(sk_obj *causes, const char *field, const char *value, const char *const *supported)
{
	struct sb b = {0};
	if (!value)
		value = "";
	sb_puts(&b, "Unsupported value: ");
	quote(&b, value, strlen(value));
	for (size_t i = 0; supported && supported[i]; i++) {
		sb_puts(&b, i ? ", " : ": supported values: ");
		quote(&b, supported[i], strlen(supported[i]));
	}
	push(J(causes), "FieldValueNotSupported", field, &b);
}

void sk_cause_duplicate(sk_obj *causes, const char *field, const char *value)
{
	struct sb b = {0};
	if (!value)
		value = "";
	sb_puts(&b, "Duplicate value: ");
	quote(&b, value, strlen(value));
	push(J(causes), "FieldValueDuplicate", field, &b);
}

void sk_cause_too_long(sk_obj *causes, const char *field, int64_t max_bytes)
{
	struct sb b = {0};
	if (max_bytes < 0)
		sb_puts(&b, "Too long: value is too long");
	else
		sb_printf(&b, "Too long: may not be more than %lld %s", (long long)max_bytes,
		          max_bytes == 1 ? "byte" : "bytes");
	push(J(causes), "FieldValueTooLong", field, &b);
}

void sk_cause_too_many(sk_obj *causes, const char *field, int64_t actual, int64_t max_items)
{
	struct sb b = {0};
	sb_puts(&b, "Too many: ");
	if (actual >= 0)
		sb_printf(&b, "%lld: ", (long long)actual);
	if (max_items >= 0)
		sb_printf(&b, "must have at most %lld items", (long long)max_items);
	else
		sb_puts(&b, "has too many items");
	push(J(causes), "FieldValueTooMany", field, &b);
}

/* ---- problem lists ------------------------------------------------------- */

/* Kubernetes' Is* functions return every problem of a value; so do these. */
struct probs {
	const char *m[6];
	int n;
};

static void add(struct probs *p, const char *m)
{
	if (p->n < (int)(sizeof p->m / sizeof p->m[0]))
		p->m[p->n++] = m;
}

/* One Invalid cause per problem; the first problem, or NULL. */
static const char *report(sk_obj *causes, const char *field, const char *value, const struct probs *p)
{
	if (causes)
		for (int i = 0; i < p->n; i++)
			sk_cause_invalid_str(causes, field, value, "%s", p->m[i]);
	return p->n ? p->m[0] : NULL;
}

/* For a JSON value of the wrong type, the CRD schema's wording. */
static const char *wrong_type(sk_obj *causes, const char *field, const json_t *v, const char *want)
{
	static const char *const names[] = {"object", "array", "string", "integer", "number",
	                                     "boolean", "boolean", "null"};
	const char *got = names[json_typeof(v)];
	if (causes)
		sk_cause_invalid_str(causes, field, got, "%s in body must be of type %s: \"%s\"", field ? field : "",
		                     want, got);
	if (!strcmp(want, "string"))
		return "must be of type string";
	if (!strcmp(want, "array"))
		return "must be of type array";
	return "must be of type object";
}

static const char *str(const char *s) { return s ? s : ""; }

/* ---- matchers ------------------------------------------------------------ */

static int lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
static int alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

/* ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ */
static int rfc1123_label(const char *s, size_t n)
{
	if (n == 0 || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return 0;
	for (size_t i = 1; i + 1 < n; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

/* ^label(\.label)*$ */
static int rfc1123_subdomain(const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++)
		if (i == n || s[i] == '.') {
			if (!rfc1123_label(s + start, i - start))
				return 0;
			start = i + 1;
		}
	return 1;
}

/* ^[a-z]([-a-z0-9]*[a-z0-9])?$ */
static int rfc1035_label(const char *s, size_t n)
{
	return n > 0 && s[0] >= 'a' && s[0] <= 'z' && rfc1123_label(s, n);
}

/* ^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$ */
static int key_name(const char *s, size_t n)
{
	if (n == 0 || !alnum(s[0]) || !alnum(s[n - 1]))
		return 0;
	for (size_t i = 1; i + 1 < n; i++)
		if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

static int all_of(const char *s, size_t n, const char *extra, int digits_first)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		int digit = c >= '0' && c <= '9';
		if (!letter && !(digit && (digits_first || i > 0)) && !(c && strchr(extra, c)))
			return 0;
	}
	return 1;
}

/* hasChDirPrefix */
static void chdir_prefix(const char *s, struct probs *p)
{
	if (!strcmp(s, "."))
		add(p, "must not be '.'");
	else if (!strcmp(s, ".."))
		add(p, "must not be '..'");
	else if (!strncmp(s, "..", 2))
		add(p, "must not start with '..'");
}

/* ---- names ------------------------------------------------------------- */

static void is_1123_label(const char *s, size_t n, struct probs *p)
{
	if (n > 63)
		add(p, "must be no more than 63 characters");
	if (!rfc1123_label(s, n))
		/* a valid subdomain that is no label (length is checked) has dots */
		add(p, rfc1123_subdomain(s, n) ? "must not contain dots" : M_1123_LABEL);
}

static void is_1123_subdomain(const char *s, size_t n, struct probs *p)
{
	if (n > 253)
		add(p, "must be no more than 253 characters");
	if (!rfc1123_subdomain(s, n))
		add(p, M_1123_SUBDOMAIN);
}

static void is_1035_label(const char *s, size_t n, struct probs *p)
{
	if (n > 63)
		add(p, "must be no more than 63 characters");
	if (!rfc1035_label(s, n))
		add(p, M_1035_LABEL);
}

static void is_qualified_name(const char *s, struct probs *p)
{
	const char *slash = strchr(s, '/'), *name = s;
	if (slash) {
		if (strchr(slash + 1, '/')) {
			add(p, M_KEY_SHAPE);
			return;
		}
		size_t pn = (size_t)(slash - s);
		name = slash + 1;
		if (pn == 0)
			add(p, "prefix part must be non-empty");
		else {
			if (pn > 253)
				add(p, "prefix part must be no more than 253 characters");
			if (!rfc1123_subdomain(s, pn))
				add(p, M_PREFIX_SUBDOMAIN);
		}
	}
	size_t n = strlen(name);
	if (n == 0)
		add(p, "name part must be non-empty");
	else if (n > 63)
		add(p, "name part must be no more than 63 characters");
	if (!key_name(name, n))
		add(p, M_KEY_NAME);
}

static void is_label_value(const char *s, struct probs *p)
{
	size_t n = strlen(s);
	if (n > 63)
		add(p, "must be no more than 63 characters");
	if (n > 0 && !key_name(s, n))
		add(p, M_LABEL_VALUE);
}

const char *sk_check_dns1123_label(sk_obj *causes, const char *field, const char *value)
{
	struct probs p = {0};
	value = str(value);
	is_1123_label(value, strlen(value), &p);
	return report(causes, field, value, &p);
}

const char *sk_check_dns1123_subdomain(sk_obj *causes, const char *field, const char *value)
{
	struct probs p = {0};
	value = str(value);
	is_1123_subdomain(value, strlen(value), &p);
	return report(causes, field, value, &p);
}

const char *sk_check_dns1035_label(sk_obj *causes, const char *field, const char *value)
{
	struct probs p = {0};
	value = str(value);
	is_1035_label(value, strlen(value), &p);
	return report(causes, field, value, &p);
}

const char *sk_check_qualified_name(sk_obj *causes, const char *field, const char *value)
{
	struct probs p = {0};
	value = str(value);
	is_qualified_name(value, &p);
	return report(causes, field, value, &p);
}

const char *sk_check_label_value(sk_obj *causes, const char *field, const char *value)
{
	struct probs p = {0};
	value = str(value);
	is_label_value(value, &p);
	return report(causes, field, value, &p);
}

const char *sk_check_name(sk_obj *causes, const char *field, const char *name, int rule, int prefix)
{
	struct probs p = {0};
	name = str(name);
	size_t n = strlen(name);
	if (rule == SK_NAME_PATH_SEGMENT) {
		if (!prefix && (!strcmp(name, ".") || !strcmp(name, "..")))
			add(&p, !strcmp(name, ".") ? "may not be '.'" : "may not be '..'");
		else {
			if (strchr(name, '/'))
				add(&p, "may not contain '/'");
			if (strchr(name, '%'))
				add(&p, "may not contain '%'");
		}
		return report(causes, field, name, &p);
	}
	/* maskTrailingDash: a generated suffix follows the dash. Kubernetes
	 * replaces the last two characters by "a"; so does this. */
	char *masked = NULL;
	const char *s = name;
	if (prefix && n > 1 && name[n - 1] == '-') {
		masked = malloc(n);
		if (masked) {
			memcpy(masked, name, n - 2);
			masked[n - 2] = 'a';
			masked[n - 1] = 0;
			s = masked;
			n--;
		}
	}
	if (rule == SK_NAME_DNS_LABEL)
		is_1123_label(s, n, &p);
	else if (rule == SK_NAME_DNS1035_LABEL)
		is_1035_label(s, n, &p);
	else
		is_1123_subdomain(s, n, &p);
	free(masked);
	return report(causes, field, name, &p);
}

/* ---- maps and selectors ---------------------------------------------------- */

const char *sk_check_labels(sk_obj *causes, const char *field, const sk_obj *labels)
{
	const json_t *m = J(labels);
	const char *first = NULL, *k;
	json_t *v;
	if (!m || json_is_null(m))
		return NULL;
	if (!json_is_object(m))
		return wrong_type(causes, field, m, "object");
	json_object_foreach((json_t *)m, k, v) {
		struct probs p = {0};
		const char *r;
		is_qualified_name(k, &p);
		if ((r = report(causes, field, k, &p)) && !first)
			first = r;
		if (!json_is_string(v)) {
			r = wrong_type(causes, field, v, "string");
		} else {
			struct probs q = {0};
			is_label_value(json_string_value(v), &q);
			r = report(causes, field, json_string_value(v), &q);
		}
		if (r && !first)
			first = r;
	}
	return first;
}

const char *sk_check_annotations(sk_obj *causes, const char *field, const sk_obj *annotations)
{
	const json_t *m = J(annotations);
	const char *first = NULL, *k;
	json_t *v;
	size_t total = 0;
	if (!m || json_is_null(m))
		return NULL;
	if (!json_is_object(m))
		return wrong_type(causes, field, m, "object");
	json_object_foreach((json_t *)m, k, v) {
		/* the rule is a qualified name, whatever the case */
		size_t n = strlen(k);
		char *lower = malloc(n + 1);
		struct probs p = {0};
		if (!lower)
			continue;
		for (size_t i = 0; i <= n; i++)
			lower[i] = (char)(k[i] >= 'A' && k[i] <= 'Z' ? k[i] - 'A' + 'a' : k[i]);
		is_qualified_name(lower, &p);
		free(lower);
		const char *r = report(causes, field, k, &p);
		if (r && !first)
			first = r;
		if (!json_is_string(v)) {
			r = wrong_type(causes, field, v, "string");
			if (!first)
				first = r;
			continue;
		}
		total += n + json_string_length(v);
	}
	if (total > SK_ANNOTATIONS_MAX_BYTES) {
		if (causes)
			sk_cause_too_long(causes, field, SK_ANNOTATIONS_MAX_BYTES);
		if (!first)
			first = "may not be more than 262144 bytes";
	}
	return first;
}

/* field + suffix printed with fmt; heap, freed by the caller */
static char *subfield(const char *field, const char *fmt, ...) SK_PRINTF(2, 3);
static char *subfield(const char *field, const char *fmt, ...)
{
	struct sb b = {0};
	va_list ap;
	sb_puts(&b, str(field));
	va_start(ap, fmt);
	sb_vprintf(&b, fmt, ap);
	va_end(ap);
	return b.p ? b.p : strdup("");
}

static const char *first_of(const char *a, const char *b) { return a ? a : b; }

static const char *selector_requirement(sk_obj *causes, const char *field, size_t i, const json_t *e)
{
	const char *first = NULL;
	char *f;
	json_t *vals = json_object_get(e, "values");
	const char *op = json_string_value(json_object_get(e, "operator"));
	size_t nvals = json_is_array(vals) ? json_array_size(vals) : 0;
	op = str(op);
	if (!strcmp(op, "In") || !strcmp(op, "NotIn")) {
		if (nvals == 0) {
			f = subfield(field, ".matchExpressions[%zu].values", i);
			if (causes)
				sk_cause_required(causes, f, "must be specified when `operator` is 'In' or 'NotIn'");
			free(f);
			first = "must be specified when `operator` is 'In' or 'NotIn'";
		}
	} else if (!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist")) {
		if (nvals > 0) {
			f = subfield(field, ".matchExpressions[%zu].values", i);
			if (causes)
				sk_cause_forbidden(causes, f,
				                   "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
			free(f);
			first = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'";
		}
	} else {
		f = subfield(field, ".matchExpressions[%zu].operator", i);
		if (causes)
			sk_cause_invalid_str(causes, f, op, "not a valid selector operator");
		free(f);
		first = "not a valid selector operator";
	}
	f = subfield(field, ".matchExpressions[%zu].key", i);
	first = first_of(first, sk_check_qualified_name(causes, f,
	                                                 str(json_string_value(json_object_get(e, "key")))));
	free(f);
	if (vals && !json_is_null(vals) && !json_is_array(vals)) {
		f = subfield(field, ".matchExpressions[%zu].values", i);
		first = first_of(first, wrong_type(causes, f, vals, "array"));
		free(f);
	}
	for (size_t j = 0; j < nvals; j++) {
		json_t *v = json_array_get(vals, j);
		f = subfield(field, ".matchExpressions[%zu].values[%zu]", i, j);
		if (json_is_string(v))
			first = first_of(first, sk_check_label_value(causes, f, json_string_value(v)));
		else
			first = first_of(first, wrong_type(causes, f, v, "string"));
		free(f);
	}
	return first;
}

const char *sk_check_label_selector(sk_obj *causes, const char *field, const sk_obj *selector)
{
	const json_t *s = J(selector);
	const char *first = NULL;
	if (!s || json_is_null(s))
		return NULL;
	if (!json_is_object(s))
		return wrong_type(causes, field, s, "object");
	char *f = subfield(field, ".matchLabels");
	first = sk_check_labels(causes, f, O(json_object_get(s, "matchLabels")));
	free(f);
	json_t *me = json_object_get(s, "matchExpressions");
	if (me && !json_is_null(me) && !json_is_array(me)) {
		f = subfield(field, ".matchExpressions");
		first = first_of(first, wrong_type(causes, f, me, "array"));
		free(f);
		return first;
	}
	for (size_t i = 0; i < json_array_size(me); i++) {
		json_t *e = json_array_get(me, i);
		if (!json_is_object(e)) {
			f = subfield(field, ".matchExpressions[%zu]", i);
			first = first_of(first, wrong_type(causes, f, e, "object"));
			free(f);
			continue;
		}
		first = first_of(first, selector_requirement(causes, field, i, e));
	}
	return first;
}

/* ---- numbers ------------------------------------------------------------- */

const char *sk_check_nonnegative(sk_obj *causes, const char *field, int64_t value)
{
	if (value >= 0)
		return NULL;
	if (causes)
		sk_cause_invalid_int(causes, field, value, "%s", M_NEGATIVE);
	return M_NEGATIVE;
}

const char *sk_check_positive(sk_obj *causes, const char *field, int64_t value)
{
	if (value > 0)
		return NULL;
	if (causes)
		sk_cause_invalid_int(causes, field, value, "%s", M_NOT_POSITIVE);
	return M_NOT_POSITIVE;
}

const char *sk_check_quantity_nonnegative(sk_obj *causes, const char *field, const sk_quantity *q)
{
	sk_quantity zero = {0};
	if (!q || sk_quantity_cmp(q, &zero) >= 0)
		return NULL;
	if (causes) {
		char buf[128];
		sk_quantity_format(q, buf, sizeof buf);
		sk_cause_invalid_str(causes, field, buf, "%s", M_NEGATIVE);
	}
	return M_NEGATIVE;
}

const char *sk_check_int_or_percent(sk_obj *causes, const char *field, const sk_obj *value)
{
	const json_t *v = J(value);
	static const char bad[] = "must be an integer or percentage (e.g '5%')";
	if (json_is_integer(v))
		return sk_check_nonnegative(causes, field, json_integer_value(v));
	if (!json_is_string(v)) {
		if (causes)
			sk_cause_invalid_obj(causes, field, value, "%s", bad);
		return bad;
	}
	const char *s = json_string_value(v);
	size_t n = json_string_length(v), i;
	for (i = 0; i + 1 < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i > 0 && i + 1 == n && s[i] == '%')
		return NULL;
	if (causes) {
		/* an IntOrString prints through its String(): unquoted */
		struct sb b = {0};
		sb_puts(&b, "Invalid value: ");
		sb_put(&b, s, n > VALUE_MAX ? VALUE_MAX : n);
		sb_printf(&b, ": %s", M_PERCENT);
		push(J(causes), "FieldValueInvalid", field, &b);
	}
	return M_PERCENT;
}

/* ---- networking ---------------------------------------------------------- */

const char *sk_check_port_number(sk_obj *causes, const char *field, int64_t port)
{
	static const char m[] = "must be between 1 and 65535, inclusive";
	if (port >= 1 && port <= 65535)
		return NULL;
	if (causes)
		sk_cause_invalid_int(causes, field, port, "%s", m);
	return m;
}

const char *sk_check_port_name(sk_obj *causes, const char *field, const char *name)
{
	struct probs p = {0};
	name = str(name);
	size_t n = strlen(name);
	int charset = n > 0, letter = 0;
	for (size_t i = 0; i < n; i++) {
		if (!lower_alnum(name[i]) && name[i] != '-')
			charset = 0;
		if (name[i] >= 'a' && name[i] <= 'z')
			letter = 1;
	}
	if (n > 15)
		add(&p, "must be no more than 15 characters");
	if (!charset)
		add(&p, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
	if (!letter)
		add(&p, "must contain at least one letter (a-z)");
	if (strstr(name, "--"))
		add(&p, "must not contain consecutive hyphens");
	if (n > 0 && (name[0] == '-' || name[n - 1] == '-'))
		add(&p, "must not begin or end with a hyphen");
	return report(causes, field, name, &p);
}

const char *sk_check_protocol(sk_obj *causes, const char *field, const char *protocol)
{
	static const char *const supported[] = {"SCTP", "TCP", "UDP", NULL};
	protocol = str(protocol);
	if (!*protocol) {
		if (causes)
			sk_cause_required(causes, field, NULL);
		return "Required value";
	}
	for (size_t i = 0; supported[i]; i++)
		if (!strcmp(protocol, supported[i]))
			return NULL;
	if (causes)
		sk_cause_not_supported(causes, field, protocol, supported);
	return "supported values: \"SCTP\", \"TCP\", \"UDP\"";
}

/* The dotted IPv4 tail of s[0..n) (after the last ':', if any) with each
 * octet's leading zeros dropped, as k8s.io/utils/net's ParseIPSloppy does
 * before Go's parser; NULL when there is nothing to rewrite. Heap. */
static char *strip_zeros(const char *s, size_t n)
{
	size_t start = n;
	while (start > 0 && s[start - 1] != ':')
		start--;
	int dots = 0;
	for (size_t i = start; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			return NULL;
	}
	if (dots != 3)
		return NULL;
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	memcpy(o, s, start);
	o += start;
	for (size_t i = start; i <= n;) {
		size_t j = i;
		while (j < n && s[j] != '.')
			j++;
		if (j == i) {
			free(out);
			return NULL;
		}
		while (j - i > 1 && s[i] == '0')
			i++;
		memcpy(o, s + i, j - i);
		o += j - i;
		if (j < n)
			*o++ = '.';
		i = j + 1;
	}
	*o = 0;
	return out;
}

/* Go's net.ParseIP after sloppy zero-stripping: IPv4 dotted quad, or IPv6
 * (no zone). Which one is decided by whether '.' or ':' comes first.
 * Returns the address length in bits (32 or 128), 0 if invalid. */
static int parse_ip(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] != '.' && s[i] != ':')
		i++;
	if (i == n || memchr(s, 0, n))
		return 0;
	int family = s[i] == ':' ? AF_INET6 : AF_INET;
	char *tmp = strip_zeros(s, n);
	if (!tmp) {
		tmp = malloc(n + 1);
		if (!tmp)
			return 0;
		memcpy(tmp, s, n);
		tmp[n] = 0;
	}
	unsigned char addr[16];
	int ok = inet_pton(family, tmp, addr) == 1;
	free(tmp);
	return ok ? (family == AF_INET ? 32 : 128) : 0;
}

const char *sk_check_ip(sk_obj *causes, const char *field, const char *value)
{
	value = str(value);
	if (parse_ip(value, strlen(value)))
		return NULL;
	if (causes)
		sk_cause_invalid_str(causes, field, value, "%s", M_IP);
	return M_IP;
}

const char *sk_check_cidr(sk_obj *causes, const char *field, const char *value)
{
	value = str(value);
	const char *slash = strchr(value, '/');
	if (slash) {
		/* Go's dtoi: at least one digit, leading zeros allowed */
		const char *m = slash + 1;
		size_t nd = strspn(m, "0123456789");
		int bits = parse_ip(value, (size_t)(slash - value));
		while (nd > 1 && *m == '0') {
			m++;
			nd--;
		}
		if (bits && nd > 0 && nd <= 3 && !m[nd] && atoi(m) <= bits)
			return NULL;
	}
	if (causes)
		sk_cause_invalid_str(causes, field, value, "%s", M_CIDR);
	return M_CIDR;
}

const char *sk_check_http_header_name(sk_obj *causes, const char *field, const char *value)
{
	struct probs p = {0};
	value = str(value);
	if (!all_of(value, strlen(value), "-", 1))
		add(&p, M_HEADER);
	return report(causes, field, value, &p);
}

/* ---- containers and config ----------------------------------------------- */

const char *sk_check_env_var_name(sk_obj *causes, const char *field, const char *name, int relaxed)
{
	struct probs p = {0};
	name = str(name);
	if (relaxed) {
		if (!*name)
			add(&p, "environment variable name must be non-empty");
		for (const char *c = name; *c; c++)
			if (*c < 0x20 || *c > 0x7E || *c == '=') {
				add(&p, M_ENV_RELAXED);
				break;
			}
		return report(causes, field, name, &p);
	}
	if (!all_of(name, strlen(name), "-._", 0))
		add(&p, M_ENV);
	chdir_prefix(name, &p);
	return report(causes, field, name, &p);
}

const char *sk_check_config_map_key(sk_obj *causes, const char *field, const char *key)
{
	struct probs p = {0};
	key = str(key);
	size_t n = strlen(key);
	if (n > 253)
		add(&p, "must be no more than 253 characters");
	if (!all_of(key, n, "-._", 1))
		add(&p, M_CONFIG_KEY);
	chdir_prefix(key, &p);
	return report(causes, field, key, &p);
}

const char *sk_check_field_manager(sk_obj *causes, const char *field, const char *manager)
{
	static _Thread_local char first[64];
	const char *r = NULL;
	manager = str(manager);
	size_t n = strlen(manager);
	if (n > 128) {
		if (causes)
			sk_cause_too_long(causes, field, 128);
		r = "may not be more than 128 bytes";
	}
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t len = utf8_next((const unsigned char *)manager + i, n - i, &c);
		if (!len) {
			/* Go reads a bad byte as U+FFFD, which is printable */
			i++;
			continue;
		}
		if (!go_isprint(c)) {
			char m[64];
			snprintf(m, sizeof m, "invalid character U+%04X (at position %zu)", (unsigned)c, i);
			if (causes)
				sk_cause_invalid_str(causes, field, manager, "%s", m);
			if (!r) {
				snprintf(first, sizeof first, "%s", m);
				r = first;
			}
		}
		i += len;
	}
	return r;
}
