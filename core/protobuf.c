/* protobuf.c — Kubernetes protobuf bodies decoded into JSON through the declared types' proto= numbers. */
#include "protobuf.h"
#include "err.h"
#include "schema.h"
#include <skiff/selector.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH_MAX 64         /* nested messages (and nested "k8s\0" objects) */
#define VALUES_MAX 1000000   /* JSON values one body may produce */
#define PATH_BYTES 256       /* of the field path in messages */
#define FIELD_NUM_MAX 536870911u

static const char MAGIC[4] = {'k', '8', 's', 0};
static const char MICROTIME[] = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_SGROUP = 3, WT_EGROUP = 4, WT_I32 = 5 };

static const char *wire_name(int w)
{
	static const char *const names[] = {"varint", "fixed64", "bytes", "group", "end group", "fixed32"};
	return w >= 0 && w <= 5 ? names[w] : "invalid";
}

/* one field's value as it came: a number, or bytes within the body */
struct val {
	int wire;
	uint64_t u;
	const uint8_t *p;
	size_t n;
};

struct dec {
	sk_err *err;
	int depth;
	size_t values;
	char what[160]; /* "apps/v1 Deployment" */
	char path[PATH_BYTES];
	size_t plen;
};

static int fail(struct dec *d, const char *fmt, ...) SK_PRINTF(2, 3);
static int fail(struct dec *d, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const char *what = d->what[0] ? d->what : "the envelope";
	if (d->plen)
		sk_fail(d->err, SK_EBADREQUEST, "invalid protobuf body: %s: %s: %s", what, d->path, msg);
	else
		sk_fail(d->err, SK_EBADREQUEST, "invalid protobuf body: %s: %s", what, msg);
	return -1;
}

static int oom(struct dec *d)
{
	sk_fail(d->err, SK_ENOMEM, "out of memory decoding a protobuf body");
	return -1;
}

/* ---- field paths for messages ------------------------------------------- */

static size_t path_push(struct dec *d, const char *pre, const char *s, size_t n, const char *post)
{
	size_t mark = d->plen;
	if (!d->plen && !strcmp(pre, "."))
		pre = "";
	int w = snprintf(d->path + d->plen, sizeof d->path - d->plen, "%s%.*s%s", pre, (int)(n > 64 ? 64 : n), s,
	                 post);
	if (w > 0)
		d->plen = d->plen + (size_t)w < sizeof d->path ? d->plen + (size_t)w : sizeof d->path - 1;
	return mark;
}

static size_t path_index(struct dec *d, size_t i)
{
	char b[32];
	int w = snprintf(b, sizeof b, "%zu", i);
	return path_push(d, "[", b, (size_t)w, "]");
}

static void path_pop(struct dec *d, size_t mark)
{
	d->plen = mark;
	d->path[mark] = 0;
}

/* ---- reading the wire ---------------------------------------------------- */

struct rd {
	const uint8_t *p, *end;
};

/* 0, or -1 when truncated or longer than 10 bytes */
static int rd_varint(struct rd *r, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (r->p == r->end)
			return -1;
		uint8_t b = *r->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

static int rd_key(struct dec *d, struct rd *r, uint32_t *num, int *wire)
{
	uint64_t key;
	if (rd_varint(r, &key))
		return fail(d, "truncated field key");
	if (key >> 3 == 0 || key >> 3 > FIELD_NUM_MAX)
		return fail(d, "invalid field number %llu", (unsigned long long)(key >> 3));
	*num = (uint32_t)(key >> 3);
	*wire = (int)(key & 7);
	return 0;
}

static int skip_group(struct dec *d, struct rd *r, uint32_t num);

/* The value after a key. Groups (unused by Kubernetes) are skipped whole. */
static int rd_value(struct dec *d, struct rd *r, uint32_t num, int wire, struct val *v)
{
	v->wire = wire;
	v->u = 0;
	v->p = NULL;
	v->n = 0;
	switch (wire) {
	case WT_VARINT:
		if (rd_varint(r, &v->u))
			return fail(d, "field %u: truncated varint", num);
		return 0;
	case WT_I64:
	case WT_I32: {
		size_t n = wire == WT_I64 ? 8 : 4;
		if ((size_t)(r->end - r->p) < n)
			return fail(d, "field %u: truncated %s", num, wire_name(wire));
		for (size_t i = 0; i < n; i++)
			v->u |= (uint64_t)r->p[i] << (8 * i);
		r->p += n;
		return 0;
	}
	case WT_LEN: {
		uint64_t n;
		if (rd_varint(r, &n))
			return fail(d, "field %u: truncated length", num);
		if (n > (uint64_t)(r->end - r->p))
			return fail(d, "field %u: length %llu runs past the end of its message", num,
			            (unsigned long long)n);
		v->p = r->p;
		v->n = (size_t)n;
		r->p += n;
		return 0;
	}
	case WT_SGROUP:
		v->p = r->p;
		if (skip_group(d, r, num))
			return -1;
		v->n = (size_t)(r->p - v->p);
		return 0;
	case WT_EGROUP: return fail(d, "field %u: unexpected end of group", num);
	default: return fail(d, "field %u: invalid wire type %d", num, wire);
	}
}

static int skip_group(struct dec *d, struct rd *r, uint32_t num)
{
	if (++d->depth > DEPTH_MAX)
		return fail(d, "nested more than %d deep", DEPTH_MAX);
	for (;;) {
		if (r->p == r->end)
			return fail(d, "field %u: unterminated group", num);
		uint32_t n;
		int wire;
		struct val v;
		if (rd_key(d, r, &n, &wire))
			return -1;
		if (wire == WT_EGROUP) {
			if (n != num)
				return fail(d, "field %u: group ends as field %u", num, n);
			d->depth--;
			return 0;
		}
		if (rd_value(d, r, n, wire, &v))
			return -1;
	}
}

/* ---- the types' field numbers, indexed ----------------------------------
 * Per object node, its fields with proto= sorted by (N, M); rebuilt when the
 * schema changes. */

struct pentry {
	uint32_t proto, inner;
	const struct schema_field *f;
};

struct ptype {
	const struct schema_node *node;
	struct pentry *e;
	size_t n;
};

static struct {
	struct ptype *slots;
	size_t cap, used;
	unsigned long gen;
} cache;

static void cache_clear(void)
{
	for (size_t i = 0; i < cache.cap; i++)
		free(cache.slots[i].e);
	free(cache.slots);
	cache.slots = NULL;
	cache.cap = cache.used = 0;
}

static size_t slot_of(const struct ptype *slots, size_t cap, const struct schema_node *n)
{
	size_t h = (size_t)(((uintptr_t)n >> 4) * 0x9e3779b97f4a7c15ull) & (cap - 1);
	while (slots[h].node && slots[h].node != n)
		h = (h + 1) & (cap - 1);
	return h;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct pentry *x = a, *y = b;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->inner < y->inner ? -1 : x->inner > y->inner;
}

/* A copy: the table moves as it grows, the entries do not. */
static int ptype_of(struct dec *d, const struct schema_node *obj, struct ptype *out)
{
	if (cache.gen != schema_generation()) {
		cache_clear();
		cache.gen = schema_generation();
	}
	if (cache.cap && cache.slots[slot_of(cache.slots, cache.cap, obj)].node == obj) {
		*out = cache.slots[slot_of(cache.slots, cache.cap, obj)];
		return 0;
	}
	if (2 * (cache.used + 1) > cache.cap) {
		size_t cap = cache.cap ? 2 * cache.cap : 64;
		struct ptype *s = calloc(cap, sizeof *s);
		if (!s)
			return oom(d);
		for (size_t i = 0; i < cache.cap; i++)
			if (cache.slots[i].node)
				s[slot_of(s, cap, cache.slots[i].node)] = cache.slots[i];
		free(cache.slots);
		cache.slots = s;
		cache.cap = cap;
	}
	struct ptype t = {.node = obj};
	for (size_t i = 0; i < obj->n_fields; i++)
		t.n += obj->fields[i].proto > 0;
	if (t.n && !(t.e = malloc(t.n * sizeof *t.e)))
		return oom(d);
	for (size_t i = 0, k = 0; i < obj->n_fields; i++)
		if (obj->fields[i].proto > 0)
			t.e[k++] = (struct pentry){(uint32_t)obj->fields[i].proto,
			                           (uint32_t)(obj->fields[i].proto_inner > 0 ? obj->fields[i].proto_inner : 0),
			                           &obj->fields[i]};
	if (t.n > 1)
		qsort(t.e, t.n, sizeof *t.e, cmp_entry);
	cache.slots[slot_of(cache.slots, cache.cap, obj)] = t;
	cache.used++;
	*out = t;
	return 0;
}

/* The first entry numbered `proto` (any inner number), or NULL. */
static const struct pentry *find_proto(const struct ptype *t, uint32_t proto)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->e[mid].proto < proto)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->e[lo].proto == proto ? &t->e[lo] : NULL;
}

static const struct pentry *find_inner(const struct ptype *t, uint32_t proto, uint32_t inner)
{
	const struct pentry *e = find_proto(t, proto), *end = t->e + t->n;
	for (; e && e < end && e->proto == proto; e++)
		if (e->inner == inner)
			return e;
	return NULL;
}

/* ---- JSON values as Go's encoding/json writes them ----------------------- */

/* Length of the valid UTF-8 sequence at p (RFC 3629: no surrogates, no
 * overlongs), 0 if invalid. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	if (c < 0x80)
		return 1;
	size_t len;
	uint8_t lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* Bytes as a JSON string; invalid UTF-8 becomes U+FFFD per bad byte, as Go
 * encodes it. *outlen for keys. */
static char *go_text(const uint8_t *p, size_t n, size_t *outlen)
{
	size_t bad = 0;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_len(p + i, n - i);
		if (!l) {
			bad++;
			l = 1;
		}
		i += l;
	}
	char *s = malloc(n + 2 * bad + 1);
	if (!s)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_len(p + i, n - i);
		if (l) {
			memcpy(s + o, p + i, l);
			o += l;
			i += l;
		} else {
			memcpy(s + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	s[o] = 0;
	*outlen = o;
	return s;
}

static json_t *go_string(const uint8_t *p, size_t n)
{
	size_t len;
	char *s = go_text(p, n, &len);
	if (!s)
		return NULL;
	json_t *j = json_stringn_nocheck(s, len);
	free(s);
	return j;
}

static json_t *base64(const uint8_t *p, size_t n)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *s = malloc((n + 2) / 3 * 4 + 1);
	if (!s)
		return NULL;
	size_t o = 0, i = 0;
	for (; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		s[o++] = tbl[v >> 18];
		s[o++] = tbl[(v >> 12) & 63];
		s[o++] = tbl[(v >> 6) & 63];
		s[o++] = tbl[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		s[o++] = tbl[v >> 18];
		s[o++] = tbl[(v >> 12) & 63];
		s[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		s[o++] = '=';
	}
	json_t *j = json_stringn_nocheck(s, o);
	free(s);
	return j;
}

/* days since 1970-01-01 to a civil date (proleptic Gregorian) */
static void civil(int64_t days, int64_t *y, int *m, int *dd)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*dd = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* -62167219200: 0000-01-01T00:00:00Z; 253402300799: 9999-12-31T23:59:59Z */
#define SECONDS_MIN (-62167219200ll)
#define SECONDS_MAX 253402300799ll

/* meta/v1 Time or MicroTime {seconds=1, nanos=2}: empty is the zero time
 * (Go's JSON null: *out stays NULL). Time keeps whole seconds, as
 * Kubernetes' Time.Unmarshal does. */
static int decode_time(struct dec *d, const struct val *v, int micro, json_t **out)
{
	if (v->n == 0)
		return 0;
	int64_t sec = 0, nanos = 0;
	struct rd r = {v->p, v->p + v->n};
	while (r.p < r.end) {
		uint32_t num;
		int wire;
		struct val f;
		if (rd_key(d, &r, &num, &wire) || rd_value(d, &r, num, wire, &f))
			return -1;
		if (num != 1 && num != 2)
			continue;
		if (wire != WT_VARINT)
			return fail(d, "timestamp field %u: wire type %d (%s), want varint", num, wire, wire_name(wire));
		if (num == 1)
			sec = (int64_t)f.u;
		else
			nanos = (int32_t)(uint32_t)f.u;
	}
	if (!micro)
		nanos = 0;
	/* time.Unix normalizes nanoseconds outside [0, 1e9) into the seconds */
	sec += nanos / 1000000000;
	nanos %= 1000000000;
	if (nanos < 0) {
		nanos += 1000000000;
		sec--;
	}
	if (sec < SECONDS_MIN || sec > SECONDS_MAX)
		return fail(d, "time %lld seconds is outside years 0 to 9999", (long long)sec);
	int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
	int64_t rem = sec - days * 86400, y;
	int m, dd;
	civil(days, &y, &m, &dd);
	char b[48];
	int n = snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d:%02d", (int)y, m, dd, (int)(rem / 3600),
	                 (int)(rem / 60 % 60), (int)(rem % 60));
	if (micro)
		n += snprintf(b + n, sizeof b - (size_t)n, ".%06d", (int)(nanos / 1000));
	snprintf(b + n, sizeof b - (size_t)n, "Z");
	if (!(*out = json_string(b)))
		return oom(d);
	return 0;
}

static int is_micro(const struct schema_node *n)
{
	for (int hops = 0; n && n->kind == SCH_REF && hops < 32; hops++) {
		if (n->ref && !strcmp(n->ref, MICROTIME))
			return 1;
		n = schema_type(n->ref);
	}
	return 0;
}

/* ---- decoding by the schema ---------------------------------------------- */

static int decode_value(struct dec *d, const struct schema_node *type, const struct val *v, json_t **out);
static int decode_fields(struct dec *d, const struct schema_node *obj, const uint8_t *p, size_t n, json_t *out,
                         uint32_t outer);
static json_t *decode_object(struct dec *d, const uint8_t *p, size_t n);

static int want(struct dec *d, const struct val *v, int wire)
{
	if (v->wire == wire)
		return 0;
	return fail(d, "wire type %d (%s), want %s", v->wire, wire_name(v->wire), wire_name(wire));
}

static int count(struct dec *d)
{
	if (++d->values > VALUES_MAX)
		return fail(d, "more than %d values", VALUES_MAX);
	return 0;
}

static int deeper(struct dec *d)
{
	if (++d->depth > DEPTH_MAX)
		return fail(d, "nested more than %d deep", DEPTH_MAX);
	return 0;
}

/* The only field numbered 1 of a small message, as bytes: Quantity's
 * string, RawExtension's and FieldsV1's raw. *found 0 when absent. */
static int bytes_field1(struct dec *d, const struct val *v, const char *what, struct val *got, int *found)
{
	struct rd r = {v->p, v->p + v->n};
	*found = 0;
	while (r.p < r.end) {
		uint32_t num;
		int wire;
		struct val f;
		if (rd_key(d, &r, &num, &wire) || rd_value(d, &r, num, wire, &f))
			return -1;
		if (num != 1)
			continue;
		if (wire != WT_LEN)
			return fail(d, "%s field 1: wire type %d (%s), want bytes", what, wire, wire_name(wire));
		*got = f;
		*found = 1;
	}
	return 0;
}

static int decode_int_or_string(struct dec *d, const struct val *v, json_t **out)
{
	uint64_t type = 0;
	int64_t ival = 0;
	struct val sval = {.wire = WT_LEN};
	struct rd r = {v->p, v->p + v->n};
	while (r.p < r.end) {
		uint32_t num;
		int wire;
		struct val f;
		if (rd_key(d, &r, &num, &wire) || rd_value(d, &r, num, wire, &f))
			return -1;
		if (num < 1 || num > 3)
			continue;
		if (wire != (num == 3 ? WT_LEN : WT_VARINT))
			return fail(d, "IntOrString field %u: wire type %d (%s), want %s", num, wire, wire_name(wire),
			            num == 3 ? "bytes" : "varint");
		if (num == 1)
			type = f.u;
		else if (num == 2)
			ival = (int32_t)(uint32_t)f.u;
		else
			sval = f;
	}
	if (type > 1)
		return fail(d, "IntOrString type %llu is neither 0 (int) nor 1 (string)", (unsigned long long)type);
	*out = type == 0 ? json_integer(ival) : go_string(sval.p, sval.n);
	return *out ? 0 : oom(d);
}

static int decode_quantity(struct dec *d, const struct val *v, json_t **out)
{
	struct val s;
	int found;
	if (bytes_field1(d, v, "Quantity", &s, &found))
		return -1;
	if (!found) { /* Go's zero Quantity */
		*out = json_string("0");
		return *out ? 0 : oom(d);
	}
	char text[128], canon[128];
	if (s.n >= sizeof text || memchr(s.p, 0, s.n))
		return fail(d, "invalid quantity");
	memcpy(text, s.p, s.n);
	text[s.n] = 0;
	sk_quantity q;
	sk_err qerr = {0};
	if (sk_quantity_parse(text, &q, &qerr) != SK_OK)
		return fail(d, "quantity \"%s\": %s", text, qerr.msg);
	/* Go writes the canonical form of what it parsed */
	sk_quantity_format(&q, canon, sizeof canon);
	*out = json_string(canon);
	return *out ? 0 : oom(d);
}

/* RawExtension, FieldsV1, apiextensions JSON: {raw=1} holding JSON, or a
 * nested protobuf object; empty is Go's null (*out stays NULL). */
static int decode_raw(struct dec *d, const struct val *v, json_t **out)
{
	struct val raw;
	int found;
	if (bytes_field1(d, v, "raw value", &raw, &found))
		return -1;
	if (!found || !raw.n)
		return 0;
	if (raw.n >= sizeof MAGIC && !memcmp(raw.p, MAGIC, sizeof MAGIC)) {
		char what[sizeof d->what];
		memcpy(what, d->what, sizeof what);
		*out = decode_object(d, raw.p, raw.n);
		memcpy(d->what, what, sizeof what);
		return *out ? 0 : -1;
	}
	json_error_t je;
	*out = json_loadb((const char *)raw.p, raw.n, JSON_DECODE_ANY, &je);
	if (!*out)
		return fail(d, "invalid JSON: %s", je.text);
	return 0;
}

/* "", 0, false: what omitempty drops */
static int is_zero(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_STRING: return json_string_length(j) == 0;
	case JSON_INTEGER: return json_integer_value(j) == 0;
	case JSON_REAL: return json_real_value(j) == 0;
	case JSON_FALSE: return 1;
	default: return 0;
	}
}

static int keep_zero(const struct schema_field *f, const struct schema_node *t)
{
	if (f->flags & SCH_REQUIRED)
		return 1;
	if (t->kind == SCH_INT_OR_STRING || t->kind == SCH_QUANTITY)
		return 1;
	/* "" is unset even where a default exists (protocol, restartPolicy...):
	 * pointers to strings are rare; to numbers and booleans common */
	if (t->kind == SCH_STRING)
		return 0;
	const json_t *def = f->type->default_value ? f->type->default_value : t->default_value;
	return def && !is_zero(def) && !json_is_null(def);
}

/* A field's own JSON value in out: the list or map it adds to, made when
 * absent. */
static json_t *container(struct dec *d, json_t *out, const char *name, int array)
{
	json_t *c = json_object_get(out, name);
	if (array ? json_is_array(c) : json_is_object(c))
		return c;
	c = array ? json_array() : json_object();
	if (!c || json_object_set_new(out, name, c)) {
		oom(d);
		return NULL;
	}
	return c;
}

static int append(struct dec *d, json_t *arr, json_t *j)
{
	if (json_array_append_new(arr, j ? j : json_null()))
		return oom(d);
	return 0;
}

static int put_list(struct dec *d, const struct schema_node *items, const struct val *v, json_t *out,
                    const char *name)
{
	json_t *arr = container(d, out, name, 1);
	if (!arr)
		return -1;
	const struct schema_node *it = schema_deref(items);
	if (!it)
		return fail(d, "type \"%s\" does not resolve", items->ref ? items->ref : "?");
	int scalar = it->kind == SCH_INT32 || it->kind == SCH_INT64 || it->kind == SCH_BOOL || it->kind == SCH_NUMBER;
	if (scalar && v->wire == WT_LEN) { /* packed */
		struct rd r = {v->p, v->p + v->n};
		while (r.p < r.end) {
			struct val e = {.wire = it->kind == SCH_NUMBER ? WT_I64 : WT_VARINT};
			if (e.wire == WT_VARINT && rd_varint(&r, &e.u))
				return fail(d, "truncated packed varint");
			if (e.wire == WT_I64) {
				if (r.end - r.p < 8)
					return fail(d, "truncated packed fixed64");
				for (int i = 0; i < 8; i++)
					e.u |= (uint64_t)r.p[i] << (8 * i);
				r.p += 8;
			}
			json_t *j = NULL;
			size_t mark = path_index(d, json_array_size(arr));
			int rc = decode_value(d, items, &e, &j);
			path_pop(d, mark);
			if (rc || append(d, arr, j))
				return -1;
		}
		return 0;
	}
	json_t *j = NULL;
	size_t mark = path_index(d, json_array_size(arr));
	int rc = decode_value(d, items, v, &j);
	path_pop(d, mark);
	return rc || append(d, arr, j) ? -1 : 0;
}

/* zero value of a type, as a map entry without its value decodes */
static struct val zero_val(const struct schema_node *t)
{
	struct val z = {.wire = WT_LEN};
	if (t->kind == SCH_INT32 || t->kind == SCH_INT64 || t->kind == SCH_BOOL)
		z.wire = WT_VARINT;
	else if (t->kind == SCH_NUMBER)
		z.wire = WT_I64;
	z.p = (const uint8_t *)"";
	return z;
}

static int put_map_entry(struct dec *d, const struct schema_node *items, const struct val *v, json_t *out,
                         const char *name)
{
	if (want(d, v, WT_LEN))
		return -1;
	json_t *map = container(d, out, name, 0);
	if (!map)
		return -1;
	const struct schema_node *it = schema_deref(items);
	if (!it)
		return fail(d, "type \"%s\" does not resolve", items->ref ? items->ref : "?");
	struct val key = {.wire = WT_LEN, .p = (const uint8_t *)""}, value = zero_val(it);
	struct rd r = {v->p, v->p + v->n};
	while (r.p < r.end) {
		uint32_t num;
		int wire;
		struct val f;
		if (rd_key(d, &r, &num, &wire) || rd_value(d, &r, num, wire, &f))
			return -1;
		if (num == 1) {
			if (wire != WT_LEN)
				return fail(d, "map key: wire type %d (%s), want bytes", wire, wire_name(wire));
			key = f;
		} else if (num == 2) {
			value = f;
		}
	}
	size_t klen;
	char *k = go_text(key.p, key.n, &klen);
	if (!k)
		return oom(d);
	size_t mark = path_push(d, "[", k, klen, "]");
	json_t *j = NULL;
	int rc = decode_value(d, items, &value, &j);
	path_pop(d, mark);
	if (!rc && json_object_setn_new_nocheck(map, k, klen, j ? j : json_null()))
		rc = oom(d);
	free(k);
	return rc;
}

/* One occurrence of field f into out: set (last wins, messages merge), or
 * appended to its list or map. */
static int put_field(struct dec *d, const struct schema_field *f, const struct val *v, json_t *out)
{
	const struct schema_node *t = schema_deref(f->type);
	if (!t)
		return fail(d, "field %s: type \"%s\" does not resolve", f->name, f->type->ref ? f->type->ref : "?");
	size_t mark = path_push(d, ".", f->name, strlen(f->name), "");
	int rc;
	if (t->kind == SCH_ARRAY) {
		rc = put_list(d, t->items, v, out, f->name);
	} else if (t->kind == SCH_MAP) {
		rc = put_map_entry(d, t->items, v, out, f->name);
	} else {
		json_t *j = NULL;
		rc = decode_value(d, f->type, v, &j);
		if (!rc) {
			json_t *old = json_object_get(out, f->name);
			if (!j || (is_zero(j) && !keep_zero(f, t))) {
				json_object_del(out, f->name);
				json_decref(j);
			} else if (json_is_object(old) && json_is_object(j) && t->kind == SCH_OBJECT && t->n_fields) {
				if (json_object_update(old, j))
					rc = oom(d);
				json_decref(j);
			} else if (json_object_set_new(out, f->name, j)) {
				rc = oom(d);
			}
		}
	}
	path_pop(d, mark);
	return rc;
}

/* A list or map where protobuf wants a message (inside a map or a list):
 * the wrapper's field 1 holds it. */
static int decode_wrapped(struct dec *d, const struct schema_node *type, const struct val *v, json_t **out)
{
	struct schema_field items = {.name = "items", .type = (struct schema_node *)(uintptr_t)type, .proto = 1};
	json_t *holder = json_object();
	if (!holder)
		return oom(d);
	struct rd r = {v->p, v->p + v->n};
	while (r.p < r.end) {
		uint32_t num;
		int wire;
		struct val f;
		if (rd_key(d, &r, &num, &wire) || rd_value(d, &r, num, wire, &f) ||
		    (num == 1 && put_field(d, &items, &f, holder))) {
			json_decref(holder);
			return -1;
		}
	}
	json_t *got = json_object_get(holder, "items");
	const struct schema_node *t = schema_deref(type);
	*out = got ? json_incref(got) : t && t->kind == SCH_MAP ? json_object() : json_array();
	json_decref(holder);
	return *out ? 0 : oom(d);
}

/* One value of `type` (not yet dereferenced: MicroTime is told by name).
 * *out stays NULL for values Go writes as null (zero times, empty raw). */
static int decode_value(struct dec *d, const struct schema_node *type, const struct val *v, json_t **out)
{
	*out = NULL;
	const struct schema_node *t = schema_deref(type);
	if (!t)
		return fail(d, "type \"%s\" does not resolve", type->ref ? type->ref : "?");
	if (count(d))
		return -1;
	int rc;
	switch (t->kind) {
	case SCH_STRING:
		if (want(d, v, WT_LEN))
			return -1;
		if (t->format && !strcmp(t->format, "date-time"))
			return decode_time(d, v, is_micro(type), out);
		*out = t->format && !strcmp(t->format, "byte") ? base64(v->p, v->n) : go_string(v->p, v->n);
		break;
	case SCH_INT32:
		if (want(d, v, WT_VARINT))
			return -1;
		*out = json_integer((int32_t)(uint32_t)v->u);
		break;
	case SCH_INT64:
		if (want(d, v, WT_VARINT))
			return -1;
		*out = json_integer((json_int_t)(int64_t)v->u);
		break;
	case SCH_BOOL:
		if (want(d, v, WT_VARINT))
			return -1;
		*out = json_boolean(v->u != 0);
		break;
	case SCH_NUMBER: {
		double x;
		if (v->wire == WT_I64) {
			memcpy(&x, &v->u, sizeof x);
		} else if (v->wire == WT_I32) {
			uint32_t u = (uint32_t)v->u;
			float fl;
			memcpy(&fl, &u, sizeof fl);
			x = fl;
		} else {
			return want(d, v, WT_I64);
		}
		if (!isfinite(x))
			return fail(d, "%s is not a JSON number", isnan(x) ? "NaN" : "infinity");
		*out = json_real(x);
		break;
	}
	case SCH_INT_OR_STRING:
		if (want(d, v, WT_LEN))
			return -1;
		return decode_int_or_string(d, v, out);
	case SCH_QUANTITY:
		if (want(d, v, WT_LEN))
			return -1;
		return decode_quantity(d, v, out);
	case SCH_ANY:
		if (want(d, v, WT_LEN))
			return -1;
		return decode_raw(d, v, out);
	case SCH_OBJECT:
		if (want(d, v, WT_LEN))
			return -1;
		if (!t->n_fields && t->preserve_unknown)
			return decode_raw(d, v, out);
		if (deeper(d))
			return -1;
		if (!(*out = json_object()))
			return oom(d);
		rc = decode_fields(d, t, v->p, v->n, *out, 0);
		d->depth--;
		if (rc) {
			json_decref(*out);
			*out = NULL;
		}
		return rc;
	case SCH_ARRAY:
	case SCH_MAP:
		if (want(d, v, WT_LEN) || deeper(d))
			return -1;
		rc = decode_wrapped(d, type, v, out);
		d->depth--;
		return rc;
	default: return fail(d, "type of kind %d cannot be decoded", (int)t->kind);
	}
	return *out ? 0 : oom(d);
}

/* The fields of obj in the message p..p+n, into out. outer: the content of
 * the embedded message numbered outer, whose fields are proto=outer.M. */
static int decode_fields(struct dec *d, const struct schema_node *obj, const uint8_t *p, size_t n, json_t *out,
                         uint32_t outer)
{
	struct ptype type;
	if (ptype_of(d, obj, &type))
		return -1;
	const struct ptype *pt = &type;
	struct rd r = {p, p + n};
	while (r.p < r.end) {
		uint32_t num;
		int wire;
		struct val v;
		if (rd_key(d, &r, &num, &wire) || rd_value(d, &r, num, wire, &v))
			return -1;
		if (outer) {
			const struct pentry *e = find_inner(pt, outer, num);
			if (e && put_field(d, e->f, &v, out))
				return -1;
			continue;
		}
		const struct pentry *e = find_proto(pt, num);
		if (!e)
			continue; /* unknown: skipped, as protobuf does */
		if (!e->inner) {
			if (put_field(d, e->f, &v, out))
				return -1;
			continue;
		}
		if (wire != WT_LEN)
			return fail(d, "field %u (embedding %s): wire type %d (%s), want bytes", num, e->f->name, wire,
			            wire_name(wire));
		if (deeper(d))
			return -1;
		int rc = decode_fields(d, obj, v.p, v.n, out, num);
		d->depth--;
		if (rc)
			return -1;
	}
	return 0;
}

/* "k8s\0" + runtime.Unknown: the object it holds, by its kind's type */
static json_t *decode_object(struct dec *d, const uint8_t *p, size_t n)
{
	if (n < sizeof MAGIC || memcmp(p, MAGIC, sizeof MAGIC)) {
		fail(d, "the body does not start with the Kubernetes protobuf prefix \"k8s\\x00\"");
		return NULL;
	}
	if (deeper(d))
		return NULL;
	struct val api = {.p = (const uint8_t *)""}, kind = api, raw = api, enc = api, ctype = api;
	struct rd r = {p + sizeof MAGIC, p + n};
	while (r.p < r.end) {
		uint32_t num;
		int wire;
		struct val v;
		if (rd_key(d, &r, &num, &wire) || rd_value(d, &r, num, wire, &v))
			return NULL;
		if (num < 1 || num > 4)
			continue;
		if (wire != WT_LEN) {
			fail(d, "envelope field %u: wire type %d (%s), want bytes", num, wire, wire_name(wire));
			return NULL;
		}
		if (num == 1) { /* TypeMeta */
			struct rd t = {v.p, v.p + v.n};
			while (t.p < t.end) {
				uint32_t tn;
				int tw;
				struct val tv;
				if (rd_key(d, &t, &tn, &tw) || rd_value(d, &t, tn, tw, &tv))
					return NULL;
				if (tn != 1 && tn != 2)
					continue;
				if (tw != WT_LEN) {
					fail(d, "typeMeta field %u: wire type %d (%s), want bytes", tn, tw, wire_name(tw));
					return NULL;
				}
				*(tn == 1 ? &api : &kind) = tv;
			}
		} else {
			*(num == 2 ? &raw : num == 3 ? &enc : &ctype) = v;
		}
	}
	if (enc.n) {
		fail(d, "unsupported content encoding \"%.*s\"", (int)(enc.n > 64 ? 64 : enc.n), enc.p);
		return NULL;
	}
	if (ctype.n && (ctype.n != strlen(PROTOBUF_MEDIA_TYPE) || memcmp(ctype.p, PROTOBUF_MEDIA_TYPE, ctype.n))) {
		fail(d, "unsupported content type \"%.*s\"", (int)(ctype.n > 64 ? 64 : ctype.n), ctype.p);
		return NULL;
	}
	if (!kind.n || !api.n) {
		fail(d, "the object has no %s", kind.n ? "apiVersion" : "kind");
		return NULL;
	}
	char gvk[512];
	const uint8_t *slash = memchr(api.p, '/', api.n);
	if (api.n + kind.n + 3 > sizeof gvk || memchr(api.p, 0, api.n) || memchr(kind.p, 0, kind.n) ||
	    (slash && memchr(slash + 1, '/', api.n - (size_t)(slash + 1 - api.p)))) {
		fail(d, "invalid apiVersion or kind");
		return NULL;
	}
	/* "v1" is the core group: "/v1/Kind" */
	snprintf(gvk, sizeof gvk, "%s%.*s/%.*s", slash ? "" : "/", (int)api.n, (const char *)api.p, (int)kind.n,
	         (const char *)kind.p);
	snprintf(d->what, sizeof d->what, "%.*s %.*s", (int)(api.n > 80 ? 80 : api.n), (const char *)api.p,
	         (int)(kind.n > 60 ? 60 : kind.n), (const char *)kind.p);
	const struct schema_node *type = schema_type_by_gvk(gvk), *t = schema_deref(type);
	if (!t || t->kind != SCH_OBJECT || !t->n_fields) {
		sk_fail(d->err, SK_EBADREQUEST, "no kind \"%.*s\" is registered for version \"%.*s\"",
		        (int)(kind.n > 60 ? 60 : kind.n), (const char *)kind.p, (int)(api.n > 80 ? 80 : api.n),
		        (const char *)api.p);
		return NULL;
	}
	/* kind and apiVersion first, as Kubernetes writes them (set_new takes
	 * the value even when it fails) */
	json_t *out = json_object();
	if (!out || json_object_set_new(out, "kind", go_string(kind.p, kind.n)) ||
	    json_object_set_new(out, "apiVersion", go_string(api.p, api.n))) {
		json_decref(out);
		oom(d);
		return NULL;
	}
	if (decode_fields(d, t, raw.p, raw.n, out, 0)) {
		json_decref(out);
		return NULL;
	}
	d->depth--;
	return out;
}

json_t *protobuf_decode(const char *buf, size_t len, sk_err *err)
{
	struct dec d = {.err = err};
	if (len > PROTOBUF_MAX) {
		sk_fail(err, SK_ETOOLARGE, "the protobuf body is %zu bytes, more than the limit of %u", len, PROTOBUF_MAX);
		return NULL;
	}
	if (!buf && len)
		return fail(&d, "no body"), NULL;
	return decode_object(&d, (const uint8_t *)(buf ? buf : ""), len);
}
