/* openapi_pb.c — the OpenAPI v2 document as gnostic's openapi.v2.Document protobuf. */
#include "openapi_pb.h"
#include "err.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the protobuf writer ------------------------------------------------ */

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2 };

struct pbw {
	char *b;
	size_t n, cap;
	int depth;
	int status; /* SK_OK until something fails; later writes are no-ops */
	sk_err *err;
};

static int grow(struct pbw *w, size_t more)
{
	if (w->status)
		return -1;
	if (more > OPENAPI_PB_MAX || w->n > OPENAPI_PB_MAX - more) {
		w->status = sk_fail(w->err, SK_ETOOLARGE, "openapi/v2 protobuf: larger than %u bytes", OPENAPI_PB_MAX);
		return -1;
	}
	if (w->n + more <= w->cap)
		return 0;
	size_t cap = w->cap ? w->cap : 4096;
	while (cap < w->n + more)
		cap *= 2;
	char *b = realloc(w->b, cap);
	if (!b) {
		w->status = sk_fail(w->err, SK_ENOMEM, "openapi/v2 protobuf: out of memory");
		return -1;
	}
	w->b = b;
	w->cap = cap;
	return 0;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static void put_varint(struct pbw *w, uint64_t v)
{
	if (grow(w, 10))
		return;
	while (v >= 0x80) {
		w->b[w->n++] = (char)(v | 0x80);
		v >>= 7;
	}
	w->b[w->n++] = (char)v;
}

static void put_tag(struct pbw *w, int field, int wt) { put_varint(w, ((uint64_t)field << 3) | (unsigned)wt); }

static void put_bytes(struct pbw *w, int field, const char *s, size_t len)
{
	put_tag(w, field, WT_LEN);
	put_varint(w, len);
	if (grow(w, len))
		return;
	memcpy(w->b + w->n, s, len);
	w->n += len;
}

/* proto3 leaves empty strings, false and zeros out, except in repeated fields */
static void put_str(struct pbw *w, int field, const char *s, size_t len)
{
	if (len)
		put_bytes(w, field, s, len);
}

static void put_bool(struct pbw *w, int field, int v)
{
	put_tag(w, field, WT_VARINT);
	put_varint(w, v ? 1 : 0);
}

static void put_double(struct pbw *w, int field, double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	if (!u)
		return;
	put_tag(w, field, WT_I64);
	if (grow(w, 8))
		return;
	for (int i = 0; i < 8; i++)
		w->b[w->n++] = (char)(u >> (8 * i));
}

/* A length-delimited field whose length is known only at its end: one
 * byte is kept for it, and the body moves right if the length needs more. */
static size_t msg_begin(struct pbw *w, int field)
{
	put_tag(w, field, WT_LEN);
	if (grow(w, 1))
		return 0;
	w->b[w->n++] = 0;
	return w->n;
}

static void msg_end(struct pbw *w, size_t start)
{
	if (w->status)
		return;
	size_t len = w->n - start, k = varint_len(len);
	if (k > 1) {
		if (grow(w, k - 1))
			return;
		memmove(w->b + start + k - 1, w->b + start, len);
		w->n += k - 1;
	}
	char *p = w->b + start - 1;
	uint64_t v = len;
	for (; v >= 0x80; v >>= 7)
		*p++ = (char)(v | 0x80);
	*p = (char)v;
}

/* nesting is bounded: the recursion follows the document */
static int enter(struct pbw *w)
{
	if (w->depth < OPENAPI_PB_MAX_DEPTH) {
		w->depth++;
		return 0;
	}
	if (!w->status)
		w->status = sk_fail(w->err, SK_EINVALID, "openapi/v2 protobuf: nested deeper than %d",
		                    OPENAPI_PB_MAX_DEPTH);
	return -1;
}

/* ---- the messages, as tables ----------------------------------------- */

enum fkind {
	F_STR,    /* string */
	F_BOOL,   /* bool, left out when false */
	F_ONEOF_BOOL, /* bool inside a oneof: written even when false */
	F_DBL,    /* double */
	F_I64,    /* int64 */
	F_STRS,   /* repeated string (a lone string counts as one) */
	F_MSG,    /* a message */
	F_MSGS,   /* repeated message (a lone object counts as one) */
	F_ANY,    /* openapi.v2.Any {yaml = 2} */
	F_ANYS,   /* repeated Any */
	F_NAMED,  /* repeated Named<T> {name = 1, value = 2}: one per matching key */
	F_YAML,   /* the value's text (inside Any) */
};

enum fmatch {
	M_KEY,    /* the member named key */
	M_SELF,   /* the value itself (wrapper messages: TypeItem, ItemsItem...) */
	M_ALL,    /* every member (F_NAMED) */
	M_PREFIX, /* members whose name starts with key (F_NAMED) */
	M_CODE,   /* members named by a status code or "default" (F_NAMED) */
};

struct mdesc;

struct fdesc {
	const char *key;
	int num;
	enum fkind kind;
	const struct mdesc *sub; /* F_MSG, F_MSGS, F_NAMED (NULL: a string value) */
	enum fmatch match;
};

/* a oneof: which member message the value is, and its field number */
typedef const struct mdesc *(*pick_fn)(const json_t *v, int *num);

struct mdesc {
	const struct fdesc *f;
	size_t n;
	pick_fn pick;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MSG(name, ...)                                                                                         \
	static const struct fdesc name##_f[] = {__VA_ARGS__};                                                  \
	static const struct mdesc name = {name##_f, N(name##_f), NULL}
#define ONEOF(name, fn) static const struct mdesc name = {NULL, 0, fn}

#define STR(k, n) {k, n, F_STR, NULL, M_KEY}
#define BOOL(k, n) {k, n, F_BOOL, NULL, M_KEY}
#define DBL(k, n) {k, n, F_DBL, NULL, M_KEY}
#define I64(k, n) {k, n, F_I64, NULL, M_KEY}
#define STRS(k, n) {k, n, F_STRS, NULL, M_KEY}
#define ANY(k, n) {k, n, F_ANY, NULL, M_KEY}
#define ANYS(k, n) {k, n, F_ANYS, NULL, M_KEY}
#define SUB(k, n, m) {k, n, F_MSG, &m, M_KEY}
#define SUBS(k, n, m) {k, n, F_MSGS, &m, M_KEY}
#define MAP(n, m) {NULL, n, F_NAMED, &m, M_ALL}
#define VX(n) {"x-", n, F_NAMED, &m_any, M_PREFIX}

/* tentative definitions: the tables refer to each other */
static const struct mdesc m_any, m_schema, m_prim, m_parameter, m_params_item, m_response, m_ext_docs,
	m_security_req;

MSG(m_any, {NULL, 2, F_YAML, NULL, M_SELF});
MSG(m_ext_docs, STR("description", 1), STR("url", 2), VX(3));
MSG(m_type_item, {NULL, 1, F_STRS, NULL, M_SELF});
MSG(m_items_item, {NULL, 1, F_MSGS, &m_schema, M_SELF});
MSG(m_addl_item, {NULL, 1, F_MSG, &m_schema, M_SELF}, {NULL, 2, F_ONEOF_BOOL, NULL, M_SELF});
MSG(m_properties, MAP(1, m_schema));
MSG(m_xml, STR("name", 1), STR("namespace", 2), STR("prefix", 3), BOOL("attribute", 4), BOOL("wrapped", 5),
    VX(6));

MSG(m_schema, STR("$ref", 1), STR("format", 2), STR("title", 3), STR("description", 4), ANY("default", 5),
    DBL("multipleOf", 6), DBL("maximum", 7), BOOL("exclusiveMaximum", 8), DBL("minimum", 9),
    BOOL("exclusiveMinimum", 10), I64("maxLength", 11), I64("minLength", 12), STR("pattern", 13),
    I64("maxItems", 14), I64("minItems", 15), BOOL("uniqueItems", 16), I64("maxProperties", 17),
    I64("minProperties", 18), STRS("required", 19), ANYS("enum", 20), SUB("additionalProperties", 21, m_addl_item),
    SUB("type", 22, m_type_item), SUB("items", 23, m_items_item), SUBS("allOf", 24, m_schema),
    SUB("properties", 25, m_properties), STR("discriminator", 26), BOOL("readOnly", 27), SUB("xml", 28, m_xml),
    SUB("externalDocs", 29, m_ext_docs), ANY("example", 30), VX(31));

MSG(m_file_schema, STR("format", 1), STR("title", 2), STR("description", 3), ANY("default", 4),
    STRS("required", 5), STR("type", 6), BOOL("readOnly", 7), SUB("externalDocs", 8, m_ext_docs),
    ANY("example", 9), VX(10));

/* The primitive keywords shared by PrimitivesItems, Header and the non-body
 * parameters, numbered on from b; vendor extensions follow at b + 17
 * (b + 18 for Header, whose description comes first). */
#define PRIMITIVES(b)                                                                                          \
	STR("type", (b)), STR("format", (b) + 1), SUB("items", (b) + 2, m_prim), STR("collectionFormat", (b) + 3),  \
		ANY("default", (b) + 4), DBL("maximum", (b) + 5), BOOL("exclusiveMaximum", (b) + 6),                \
		DBL("minimum", (b) + 7), BOOL("exclusiveMinimum", (b) + 8), I64("maxLength", (b) + 9),              \
		I64("minLength", (b) + 10), STR("pattern", (b) + 11), I64("maxItems", (b) + 12),                    \
		I64("minItems", (b) + 13), BOOL("uniqueItems", (b) + 14), ANYS("enum", (b) + 15),                   \
		DBL("multipleOf", (b) + 16)

MSG(m_prim, PRIMITIVES(1), VX(18));
MSG(m_header, PRIMITIVES(1), STR("description", 18), VX(19));
/* query and formData parameters have allowEmptyValue; header and path not */
MSG(m_query_param, BOOL("required", 1), STR("in", 2), STR("description", 3), STR("name", 4),
    BOOL("allowEmptyValue", 5), PRIMITIVES(6), VX(23));
MSG(m_path_param, BOOL("required", 1), STR("in", 2), STR("description", 3), STR("name", 4), PRIMITIVES(5),
    VX(22));
MSG(m_body_param, STR("description", 1), STR("name", 2), STR("in", 3), BOOL("required", 4),
    SUB("schema", 5, m_schema), VX(6));
MSG(m_json_ref, STR("$ref", 1), STR("description", 2));

static const char *str_of(const json_t *v, const char *key)
{
	const char *s = json_string_value(json_object_get(v, key));
	return s ? s : "";
}

/* NonBodyParameter: header_parameter_sub_schema = 1, form_data = 2, query = 3, path = 4 */
static const struct mdesc *pick_non_body(const json_t *v, int *num)
{
	const char *in = str_of(v, "in");
	static const struct {
		const char *in;
		const struct mdesc *m;
	} by[] = {{"header", &m_path_param}, {"formData", &m_query_param}, {"query", &m_query_param},
	          {"path", &m_path_param}};
	for (size_t i = 0; i < N(by); i++)
		if (!strcmp(in, by[i].in)) {
			*num = (int)i + 1;
			return by[i].m;
		}
	return NULL;
}
ONEOF(m_non_body, pick_non_body);

/* Parameter: body_parameter = 1, non_body_parameter = 2 */
static const struct mdesc *pick_parameter(const json_t *v, int *num)
{
	int sub;
	if (!json_is_object(v))
		return NULL;
	if (!strcmp(str_of(v, "in"), "body"))
		return *num = 1, &m_body_param;
	/* a parameter in no place gnostic knows (a cookie) is left out whole */
	if (!pick_non_body(v, &sub))
		return NULL;
	return *num = 2, &m_non_body;
}
ONEOF(m_parameter, pick_parameter);

/* ParametersItem and ResponseValue: the thing itself = 1, a JsonReference = 2 */
static const struct mdesc *pick_param_or_ref(const json_t *v, int *num)
{
	int sub;
	if (!json_is_object(v))
		return NULL;
	if (json_object_get(v, "$ref"))
		return *num = 2, &m_json_ref;
	return pick_parameter(v, &sub) ? (*num = 1, &m_parameter) : NULL;
}
ONEOF(m_params_item, pick_param_or_ref);

static const struct mdesc *pick_response_or_ref(const json_t *v, int *num)
{
	if (!json_is_object(v))
		return NULL;
	*num = json_object_get(v, "$ref") ? 2 : 1;
	return *num == 2 ? &m_json_ref : &m_response;
}
ONEOF(m_response_value, pick_response_or_ref);

/* SchemaItem: schema = 1, file_schema = 2 */
static const struct mdesc *pick_schema_item(const json_t *v, int *num)
{
	if (!json_is_object(v))
		return NULL;
	*num = strcmp(str_of(v, "type"), "file") ? 1 : 2;
	return *num == 1 ? &m_schema : &m_file_schema;
}
ONEOF(m_schema_item, pick_schema_item);

MSG(m_headers, MAP(1, m_header));
MSG(m_examples, MAP(1, m_any));
MSG(m_response, STR("description", 1), SUB("schema", 2, m_schema_item), SUB("headers", 3, m_headers),
    SUB("examples", 4, m_examples), VX(5));
MSG(m_responses, {NULL, 1, F_NAMED, &m_response_value, M_CODE}, VX(2));

MSG(m_string_array, {NULL, 1, F_STRS, NULL, M_SELF});
MSG(m_security_req, MAP(1, m_string_array));

MSG(m_operation, STRS("tags", 1), STR("summary", 2), STR("description", 3), SUB("externalDocs", 4, m_ext_docs),
    STR("operationId", 5), STRS("produces", 6), STRS("consumes", 7), SUBS("parameters", 8, m_params_item),
    SUB("responses", 9, m_responses), STRS("schemes", 10), BOOL("deprecated", 11),
    SUBS("security", 12, m_security_req), VX(13));
MSG(m_path_item, STR("$ref", 1), SUB("get", 2, m_operation), SUB("put", 3, m_operation),
    SUB("post", 4, m_operation), SUB("delete", 5, m_operation), SUB("options", 6, m_operation),
    SUB("head", 7, m_operation), SUB("patch", 8, m_operation), SUBS("parameters", 9, m_params_item), VX(10));
MSG(m_paths, VX(1), {"/", 2, F_NAMED, &m_path_item, M_PREFIX});

MSG(m_definitions, MAP(1, m_schema));
MSG(m_parameter_defs, MAP(1, m_parameter));
MSG(m_response_defs, MAP(1, m_response));

MSG(m_scopes, {NULL, 1, F_NAMED, NULL, M_ALL});
MSG(m_basic_sec, STR("type", 1), STR("description", 2), VX(3));
MSG(m_api_key_sec, STR("type", 1), STR("name", 2), STR("in", 3), STR("description", 4), VX(5));
MSG(m_oauth2_implicit, STR("type", 1), STR("flow", 2), SUB("scopes", 3, m_scopes), STR("authorizationUrl", 4),
    STR("description", 5), VX(6));
/* password and application flows have the same fields */
MSG(m_oauth2_token, STR("type", 1), STR("flow", 2), SUB("scopes", 3, m_scopes), STR("tokenUrl", 4),
    STR("description", 5), VX(6));
MSG(m_oauth2_code, STR("type", 1), STR("flow", 2), SUB("scopes", 3, m_scopes), STR("authorizationUrl", 4),
    STR("tokenUrl", 5), STR("description", 6), VX(7));

/* SecurityDefinitionsItem: basic = 1, apiKey = 2, oauth2 by flow = 3..6 */
static const struct mdesc *pick_security(const json_t *v, int *num)
{
	const char *type = str_of(v, "type"), *flow = str_of(v, "flow");
	if (!strcmp(type, "basic"))
		return *num = 1, &m_basic_sec;
	if (!strcmp(type, "apiKey"))
		return *num = 2, &m_api_key_sec;
	if (strcmp(type, "oauth2"))
		return NULL;
	if (!strcmp(flow, "implicit"))
		return *num = 3, &m_oauth2_implicit;
	if (!strcmp(flow, "password"))
		return *num = 4, &m_oauth2_token;
	if (!strcmp(flow, "application"))
		return *num = 5, &m_oauth2_token;
	if (!strcmp(flow, "accessCode"))
		return *num = 6, &m_oauth2_code;
	return NULL;
}
ONEOF(m_security_item, pick_security);
MSG(m_security_defs, MAP(1, m_security_item));

MSG(m_contact, STR("name", 1), STR("url", 2), STR("email", 3), VX(4));
MSG(m_license, STR("name", 1), STR("url", 2), VX(3));
MSG(m_info, STR("title", 1), STR("version", 2), STR("description", 3), STR("termsOfService", 4),
    SUB("contact", 5, m_contact), SUB("license", 6, m_license), VX(7));
MSG(m_tag, STR("name", 1), STR("description", 2), SUB("externalDocs", 3, m_ext_docs), VX(4));

MSG(m_document, STR("swagger", 1), SUB("info", 2, m_info), STR("host", 3), STR("basePath", 4),
    STRS("schemes", 5), STRS("consumes", 6), STRS("produces", 7), SUB("paths", 8, m_paths),
    SUB("definitions", 9, m_definitions), SUB("parameters", 10, m_parameter_defs),
    SUB("responses", 11, m_response_defs), SUBS("security", 12, m_security_req),
    SUB("securityDefinitions", 13, m_security_defs), SUBS("tags", 14, m_tag),
    SUB("externalDocs", 15, m_ext_docs), VX(16));

/* ---- encoding a JSON value by its table ------------------------------ */

static void encode(struct pbw *w, const struct mdesc *m, const json_t *v);

/* a message's fields are an object's members, unless the message wraps
 * the value itself; a oneof needs a member that fits */
static int fits(const struct mdesc *m, const json_t *v)
{
	int num;
	if (m->pick)
		return m->pick(v, &num) != NULL;
	for (size_t i = 0; i < m->n; i++)
		if (m->f[i].match != M_SELF)
			return json_is_object(v);
	return 1;
}

static void put_msg(struct pbw *w, int field, const struct mdesc *m, const json_t *v)
{
	if (!fits(m, v) || enter(w))
		return;
	size_t at = msg_begin(w, field);
	encode(w, m, v);
	msg_end(w, at);
	w->depth--;
}

/* gnostic keeps a free-form value as YAML text; JSON is YAML */
static void put_yaml(struct pbw *w, int field, const json_t *v)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_INDENT(0));
	if (!s) {
		if (!w->status)
			w->status = sk_fail(w->err, SK_ENOMEM, "openapi/v2 protobuf: out of memory");
		return;
	}
	size_t len = strlen(s);
	put_tag(w, field, WT_LEN);
	put_varint(w, len + 1);
	if (!grow(w, len + 1)) {
		memcpy(w->b + w->n, s, len);
		w->b[w->n + len] = '\n';
		w->n += len + 1;
	}
	free(s);
}

static void put_string_value(struct pbw *w, int field, const json_t *v, int always)
{
	if (!json_is_string(v))
		return;
	if (always)
		put_bytes(w, field, json_string_value(v), json_string_length(v));
	else
		put_str(w, field, json_string_value(v), json_string_length(v));
}

static int status_code_key(const char *k)
{
	if (!strcmp(k, "default"))
		return 1;
	return strlen(k) == 3 && k[0] >= '0' && k[0] <= '9' && k[1] >= '0' && k[1] <= '9' && k[2] >= '0' &&
	       k[2] <= '9';
}

static int key_matches(const struct fdesc *f, const char *k)
{
	switch (f->match) {
	case M_ALL: return 1;
	case M_PREFIX: return !strncmp(k, f->key, strlen(f->key));
	case M_CODE: return status_code_key(k);
	default: return 0;
	}
}

static void put_named(struct pbw *w, const struct fdesc *f, const json_t *obj)
{
	const char *k;
	const json_t *val;
	json_object_foreach((json_t *)obj, k, val) {
		if (!key_matches(f, k))
			continue;
		if (f->sub && !fits(f->sub, val))
			continue;
		if (enter(w))
			return;
		size_t at = msg_begin(w, f->num);
		put_str(w, 1, k, strlen(k));
		if (f->sub)
			put_msg(w, 2, f->sub, val);
		else
			put_string_value(w, 2, val, 0);
		msg_end(w, at);
		w->depth--;
	}
}

static void put_field(struct pbw *w, const struct fdesc *f, const json_t *v)
{
	size_t i;
	const json_t *e;
	switch (f->kind) {
	case F_STR: put_string_value(w, f->num, v, 0); break;
	case F_BOOL:
		if (json_is_true(v))
			put_bool(w, f->num, 1);
		break;
	case F_ONEOF_BOOL:
		if (json_is_boolean(v))
			put_bool(w, f->num, json_is_true(v));
		break;
	case F_DBL:
		if (json_is_number(v))
			put_double(w, f->num, json_number_value(v));
		break;
	case F_I64: /* gnostic takes integers only, as YAML !!int */
		if (json_is_integer(v) && json_integer_value(v)) {
			put_tag(w, f->num, WT_VARINT);
			put_varint(w, (uint64_t)json_integer_value(v));
		}
		break;
	case F_STRS:
		if (json_is_string(v))
			put_string_value(w, f->num, v, 1);
		json_array_foreach(v, i, e) put_string_value(w, f->num, e, 1);
		break;
	case F_MSG: put_msg(w, f->num, f->sub, v); break;
	case F_MSGS:
		if (json_is_array(v)) {
			json_array_foreach(v, i, e) put_msg(w, f->num, f->sub, e);
		} else {
			put_msg(w, f->num, f->sub, v);
		}
		break;
	case F_ANY: put_msg(w, f->num, &m_any, v); break;
	case F_ANYS: json_array_foreach(v, i, e) put_msg(w, f->num, &m_any, e); break;
	case F_NAMED:
		if (json_is_object(v))
			put_named(w, f, v);
		break;
	case F_YAML: put_yaml(w, f->num, v); break;
	}
}

static void encode(struct pbw *w, const struct mdesc *m, const json_t *v)
{
	if (m->pick) {
		int num = 0;
		const struct mdesc *sub = m->pick(v, &num);
		if (sub)
			put_msg(w, num, sub, v);
		return;
	}
	for (size_t i = 0; i < m->n && !w->status; i++) {
		const struct fdesc *f = &m->f[i];
		if (f->match == M_KEY) {
			const json_t *x = json_object_get(v, f->key);
			if (x)
				put_field(w, f, x);
		} else {
			put_field(w, f, v);
		}
	}
}

int openapi_v2_protobuf(const json_t *doc, char **out, size_t *len, sk_err *err)
{
	*out = NULL;
	*len = 0;
	if (!json_is_object(doc))
		return sk_fail(err, SK_EINVALID, "openapi/v2 protobuf: the document is not an object");
	struct pbw w = {.err = err};
	encode(&w, &m_document, doc);
	if (!w.status && !w.b)
		grow(&w, 1); /* an empty message is still a buffer to free */
	if (w.status) {
		free(w.b);
		return w.status;
	}
	*out = w.b;
	*len = w.n;
	return SK_OK;
}
