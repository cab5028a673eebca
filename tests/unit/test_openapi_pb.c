/* test_openapi_pb.c — /openapi/v2 as gnostic's openapi.v2.Document
 * protobuf: exact bytes of tiny documents, and larger ones decoded back
 * with a small protobuf reader against OpenAPIv2.proto's field numbers
 * (paths, operations, every kind of parameter, responses, definitions,
 * refs, vendor extensions as YAML text), long lengths, limits, and the
 * built-in types' definitions compared field by field with their JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openapi_pb.h"
#include "schema.h"
#include "yaml.h"

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
	if (!j)
		fail_msg("bad test JSON %s: %s", text, e.text);
	return j;
}

/* ---- a protobuf reader -------------------------------------------------- */

struct pb {
	const unsigned char *p;
	size_t n;
};

static uint64_t rd_varint(const unsigned char **p, const unsigned char *end)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			fail_msg("truncated varint");
		unsigned char c = *(*p)++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	fail_msg("varint longer than 10 bytes");
	return 0;
}

/* Visits every field of m (all must be well-formed); returns how many
 * carry field number `num`, and the idx-th of them in *val / *out. Field
 * numbers must not go down (the encoder writes them in order). */
static size_t pb_scan(struct pb m, int num, size_t idx, struct pb *out, uint64_t *val)
{
	const unsigned char *p = m.p, *end = m.p + m.n;
	size_t count = 0;
	uint64_t last = 0;
	while (p < end) {
		uint64_t key = rd_varint(&p, end), field = key >> 3, v = 0;
		struct pb body = {p, 0};
		if (field == 0)
			fail_msg("field number 0");
		if (field < last)
			fail_msg("field %llu after %llu", (unsigned long long)field, (unsigned long long)last);
		last = field;
		switch (key & 7) {
		case 0: v = rd_varint(&p, end); break;
		case 1:
			if (end - p < 8)
				fail_msg("truncated fixed64");
			for (int i = 0; i < 8; i++)
				v |= (uint64_t)p[i] << (8 * i);
			p += 8;
			break;
		case 2:
			v = rd_varint(&p, end);
			if (v > (uint64_t)(end - p))
				fail_msg("length %llu past the end (%zu left)", (unsigned long long)v, (size_t)(end - p));
			body.p = p;
			body.n = (size_t)v;
			p += v;
			break;
		default: fail_msg("unexpected wire type %d", (int)(key & 7));
		}
		if ((int)field == num) {
			if (count == idx) {
				if (out)
					*out = body;
				if (val)
					*val = v;
			}
			count++;
		}
	}
	return count;
}

static size_t pb_count(struct pb m, int num) { return pb_scan(m, num, 0, NULL, NULL); }

static struct pb pb_msg(struct pb m, int num, size_t idx)
{
	struct pb out = {0};
	if (pb_scan(m, num, idx, &out, NULL) <= idx)
		fail_msg("no field %d #%zu", num, idx);
	return out;
}

static uint64_t pb_varint(struct pb m, int num)
{
	uint64_t v = 0;
	if (!pb_scan(m, num, 0, NULL, &v))
		fail_msg("no field %d", num);
	return v;
}

static void expect_str_at(struct pb m, int num, size_t idx, const char *want)
{
	struct pb s = {0};
	size_t n = pb_scan(m, num, idx, &s, NULL);
	if (!want || !*want) {
		if (n)
			fail_msg("field %d present (%.*s), want absent", num, (int)s.n, (const char *)s.p);
		return;
	}
	if (n <= idx)
		fail_msg("field %d #%zu absent, want \"%s\"", num, idx, want);
	if (s.n != strlen(want) || memcmp(s.p, want, s.n))
		fail_msg("field %d: \"%.*s\", want \"%s\"", num, (int)s.n, (const char *)s.p, want);
}

static void expect_str(struct pb m, int num, const char *want) { expect_str_at(m, num, 0, want); }

static double pb_double(struct pb m, int num)
{
	uint64_t u = pb_varint(m, num);
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

/* The named entry (NamedX {name = 1, value = 2}) of field num called name. */
static struct pb named(struct pb m, int num, const char *name)
{
	size_t n = pb_count(m, num);
	for (size_t i = 0; i < n; i++) {
		struct pb e = pb_msg(m, num, i), k = {0};
		pb_scan(e, 1, 0, &k, NULL);
		if (k.n == strlen(name) && !memcmp(k.p, name, k.n))
			return pb_msg(e, 2, 0);
	}
	fail_msg("no entry \"%s\" in field %d", name, num);
	return (struct pb){0};
}

/* An Any's yaml text read back as YAML must be the JSON value. */
static void check_any(struct pb any, const char *want_json)
{
	assert_int_equal(pb_count(any, 1), 0);
	struct pb y = pb_msg(any, 2, 0);
	sk_err err = {0};
	struct yaml_node *n = yaml_load((const char *)y.p, y.n, "any", &err);
	if (!n)
		fail_msg("Any yaml \"%.*s\" does not load: %s", (int)y.n, (const char *)y.p, err.msg);
	json_t *got = yaml_to_json(n, &err), *want = J(want_json);
	yaml_node_free(n);
	if (!got || !json_equal(got, want))
		fail_msg("Any yaml \"%.*s\", want %s", (int)y.n, (const char *)y.p, want_json);
	assert_int_equal(y.p[y.n - 1], '\n');
	json_decref(got);
	json_decref(want);
}

static struct pb encode(const char *json)
{
	json_t *doc = J(json);
	char *out = NULL;
	size_t len = 0;
	sk_err err = {0};
	if (openapi_v2_protobuf(doc, &out, &len, &err) != SK_OK)
		fail_msg("encode: %s", err.msg);
	json_decref(doc);
	assert_non_null(out);
	pb_count((struct pb){(const unsigned char *)out, len}, 0); /* well-formed */
	return (struct pb){(const unsigned char *)out, len};
}

static void expect_bytes(const char *json, const char *want, size_t want_len)
{
	struct pb got = encode(json);
	if (got.n != want_len || memcmp(got.p, want, want_len)) {
		fprintf(stderr, "got:");
		for (size_t i = 0; i < got.n; i++)
			fprintf(stderr, " %02x", got.p[i]);
		fprintf(stderr, "\n");
		fail_msg("%s: wrong bytes", json);
	}
	free((void *)got.p);
}
#define EXPECT_BYTES(json, lit) expect_bytes(json, lit, sizeof lit - 1)

/* ---- tests ---------------------------------------------------------------- */

static void test_exact_bytes(void **state)
{
	(void)state;
	EXPECT_BYTES("{}", "");
	EXPECT_BYTES("{\"swagger\":\"2.0\"}", "\x0a\x03" "2.0");
	/* field-number order whatever the JSON order; empty maps stay as
	 * empty messages, as a parsed-then-marshalled gnostic document has them */
	EXPECT_BYTES("{\"definitions\":{},\"paths\":{},\"swagger\":\"2.0\"}", "\x0a\x03" "2.0\x42\x00\x4a\x00");
	/* proto3 zero values are left out; unknown keys too */
	EXPECT_BYTES("{\"swagger\":\"\",\"host\":\"h\",\"schemes\":[\"https\",\"\"],\"nope\":1}",
	             "\x1a\x01h\x2a\x05https\x2a\x00");
	/* info {title, version}; a vendor extension as NamedAny{name, Any{yaml}} */
	EXPECT_BYTES("{\"info\":{\"version\":\"v1\",\"title\":\"K\"},\"x-a\":true}",
	             "\x12\x07\x0a\x01K\x12\x02v1"
	             "\x82\x01\x0e\x0a\x03x-a\x12\x07\x12\x05true\n");
	/* doubles are fixed64, int64 varints (negative: ten bytes); booleans
	 * are left out when false except in a oneof (additionalProperties) */
	EXPECT_BYTES("{\"definitions\":{\"d\":{\"maximum\":1.5,\"minLength\":-1,\"uniqueItems\":false,"
	             "\"additionalProperties\":false}}}",
	             "\x4a\x20\x0a\x1e\x0a\x01" "d\x12\x19"
	             "\x39\x00\x00\x00\x00\x00\x00\xf8\x3f"
	             "\x60\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"
	             "\xaa\x01\x02\x10\x00");
}

static const char *DOC =
	"{\"swagger\":\"2.0\",\"info\":{\"title\":\"Kubernetes\",\"version\":\"v1.32.0\"},"
	" \"paths\":{"
	"  \"x-top\":{\"k\":[1,2]},"
	"  \"/api/v1/namespaces/{namespace}/pods\":{"
	"   \"parameters\":[{\"$ref\":\"#/parameters/namespace\"}],"
	"   \"get\":{\"operationId\":\"list\",\"produces\":[\"application/json\"],"
	"    \"parameters\":["
	"     {\"name\":\"limit\",\"in\":\"query\",\"type\":\"integer\",\"uniqueItems\":true,\"description\":\"d\"},"
	"     {\"name\":\"namespace\",\"in\":\"path\",\"required\":true,\"type\":\"string\"},"
	"     {\"name\":\"X-H\",\"in\":\"header\",\"type\":\"string\",\"enum\":[\"a\",\"b\"]},"
	"     {\"name\":\"f\",\"in\":\"formData\",\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	"      \"allowEmptyValue\":true},"
	"     {\"name\":\"nowhere\",\"in\":\"cookie\",\"type\":\"string\"}],"
	"    \"responses\":{\"200\":{\"description\":\"OK\",\"schema\":{\"$ref\":\"#/definitions/PodList\"},"
	"      \"headers\":{\"X-R\":{\"type\":\"integer\",\"description\":\"h\"}}},"
	"     \"401\":{\"$ref\":\"#/responses/unauth\"},\"x-r\":\"v\",\"bogus\":{}},"
	"    \"x-kubernetes-action\":\"list\","
	"    \"x-kubernetes-group-version-kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}},"
	"   \"post\":{\"operationId\":\"createPod\",\"parameters\":["
	"     {\"name\":\"body\",\"in\":\"body\",\"required\":true,\"schema\":{\"$ref\":\"#/definitions/Pod\"}}],"
	"    \"responses\":{\"default\":{\"description\":\"file\",\"schema\":{\"type\":\"file\"}}},"
	"    \"security\":[{\"BearerToken\":[]}]}}},"
	" \"definitions\":{"
	"  \"Pod\":{\"description\":\"A pod.\",\"type\":\"object\",\"required\":[\"spec\"],"
	"   \"properties\":{\"spec\":{\"$ref\":\"#/definitions/PodSpec\",\"description\":\"s\"},"
	"    \"apiVersion\":{\"type\":\"string\"},"
	"    \"labels\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}},"
	"    \"ports\":{\"type\":\"array\",\"items\":{\"type\":\"integer\",\"format\":\"int32\",\"minimum\":-3},"
	"     \"x-kubernetes-list-type\":\"map\",\"x-kubernetes-list-map-keys\":[\"port\",\"protocol\"]},"
	"    \"policy\":{\"type\":\"string\",\"enum\":[\"Always\",\"Never\"],\"default\":\"Always\","
	"     \"nullable\":true,\"maxLength\":63},"
	"    \"tuple\":{\"items\":[{\"type\":\"string\"},{\"type\":\"number\"}],\"type\":[\"array\",\"null\"]},"
	"    \"any\":{\"x-kubernetes-preserve-unknown-fields\":true}},"
	"   \"x-kubernetes-group-version-kind\":[{\"group\":\"\",\"kind\":\"Pod\",\"version\":\"v1\"}]},"
	"  \"PodSpec\":{\"type\":\"object\",\"allOf\":[{\"$ref\":\"#/definitions/A\"},{\"type\":\"object\"}],"
	"   \"example\":{\"a\":null,\"b\":\"it's: \\\"x\\\"\\n\"},\"readOnly\":true,\"xml\":{\"name\":\"x\"}}},"
	" \"parameters\":{\"namespace\":{\"name\":\"namespace\",\"in\":\"path\",\"required\":true,\"type\":\"string\"}},"
	" \"responses\":{\"unauth\":{\"description\":\"no\"}},"
	" \"securityDefinitions\":{\"BearerToken\":{\"type\":\"apiKey\",\"name\":\"authorization\",\"in\":\"header\"},"
	"  \"oauth\":{\"type\":\"oauth2\",\"flow\":\"accessCode\",\"scopes\":{\"read\":\"r\"},"
	"   \"authorizationUrl\":\"https://a\",\"tokenUrl\":\"https://t\"}},"
	" \"security\":[{\"BearerToken\":[]}],"
	" \"tags\":[{\"name\":\"core\"}],\"consumes\":[\"application/json\",\"application/yaml\"]}";

static void test_paths(void **state)
{
	(void)state;
	struct pb doc = encode(DOC);
	expect_str(doc, 1, "2.0");
	struct pb info = pb_msg(doc, 2, 0);
	expect_str(info, 1, "Kubernetes");
	expect_str(info, 2, "v1.32.0");
	assert_int_equal(pb_count(doc, 6), 2);
	expect_str_at(doc, 6, 1, "application/yaml");

	/* Paths {vendor_extension = 1, path = 2} */
	struct pb paths = pb_msg(doc, 8, 0);
	assert_int_equal(pb_count(paths, 1), 1);
	assert_int_equal(pb_count(paths, 2), 1);
	check_any(named(paths, 1, "x-top"), "{\"k\":[1,2]}");
	struct pb item = named(paths, 2, "/api/v1/namespaces/{namespace}/pods");
	/* PathItem: get = 2, post = 4, parameters = 9 (a JsonReference) */
	assert_int_equal(pb_count(item, 3), 0);
	struct pb pref = pb_msg(pb_msg(item, 9, 0), 2, 0);
	expect_str(pref, 1, "#/parameters/namespace");

	struct pb get = pb_msg(item, 2, 0);
	expect_str(get, 5, "list");
	expect_str(get, 6, "application/json");
	/* the cookie parameter is not one gnostic knows: it goes */
	assert_int_equal(pb_count(get, 8), 4);
	/* ParametersItem.parameter = 1 → Parameter.non_body_parameter = 2 → query = 3 */
	struct pb q = pb_msg(pb_msg(pb_msg(pb_msg(get, 8, 0), 1, 0), 2, 0), 3, 0);
	assert_int_equal(pb_varint(q, 20), 1); /* unique_items */
	expect_str(q, 2, "query");
	expect_str(q, 3, "d");
	expect_str(q, 4, "limit");
	expect_str(q, 6, "integer");
	/* path = 4: required = 1, type = 5 */
	struct pb pp = pb_msg(pb_msg(pb_msg(pb_msg(get, 8, 1), 1, 0), 2, 0), 4, 0);
	assert_int_equal(pb_varint(pp, 1), 1);
	expect_str(pp, 4, "namespace");
	expect_str(pp, 5, "string");
	/* header = 1: enum = 20 */
	struct pb hp = pb_msg(pb_msg(pb_msg(pb_msg(get, 8, 2), 1, 0), 2, 0), 1, 0);
	assert_int_equal(pb_count(hp, 20), 2);
	check_any(pb_msg(hp, 20, 1), "\"b\"");
	/* formData = 2: allow_empty_value = 5, items = 8 (PrimitivesItems type = 1) */
	struct pb fp = pb_msg(pb_msg(pb_msg(pb_msg(get, 8, 3), 1, 0), 2, 0), 2, 0);
	assert_int_equal(pb_varint(fp, 5), 1);
	expect_str(fp, 6, "array");
	expect_str(pb_msg(fp, 8, 0), 1, "string");

	/* Responses {response_code = 1, vendor_extension = 2} */
	struct pb rs = pb_msg(get, 9, 0);
	assert_int_equal(pb_count(rs, 1), 2);
	assert_int_equal(pb_count(rs, 2), 1);
	struct pb ok = pb_msg(named(rs, 1, "200"), 1, 0);
	expect_str(ok, 1, "OK");
	expect_str(pb_msg(pb_msg(ok, 2, 0), 1, 0), 1, "#/definitions/PodList");
	struct pb hdr = named(pb_msg(ok, 3, 0), 1, "X-R");
	expect_str(hdr, 1, "integer");
	expect_str(hdr, 18, "h");
	expect_str(pb_msg(named(rs, 1, "401"), 2, 0), 1, "#/responses/unauth");
	check_any(named(rs, 2, "x-r"), "\"v\"");

	/* Operation vendor_extension = 13 */
	assert_int_equal(pb_count(get, 13), 2);
	check_any(named(get, 13, "x-kubernetes-action"), "\"list\"");
	check_any(named(get, 13, "x-kubernetes-group-version-kind"),
	           "{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}");

	/* body parameter: Parameter.body_parameter = 1 {name = 2, in = 3, required = 4, schema = 5} */
	struct pb post = pb_msg(item, 4, 0);
	struct pb body = pb_msg(pb_msg(pb_msg(post, 8, 0), 1, 0), 1, 0);
	expect_str(body, 2, "body");
	expect_str(body, 3, "body");
	assert_int_equal(pb_varint(body, 4), 1);
	expect_str(pb_msg(body, 5, 0), 1, "#/definitions/Pod");
	/* a file response: SchemaItem.file_schema = 2 */
	struct pb file = pb_msg(pb_msg(named(pb_msg(post, 9, 0), 1, "default"), 1, 0), 2, 0);
	expect_str(pb_msg(file, 2, 0), 6, "file");
	/* security = 12: SecurityRequirement {NamedStringArray} */
	struct pb sec = pb_msg(post, 12, 0);
	assert_int_equal(pb_count(named(sec, 1, "BearerToken"), 1), 0);
	free((void *)doc.p);
}

static void test_definitions(void **state)
{
	(void)state;
	struct pb doc = encode(DOC);
	struct pb defs = pb_msg(doc, 9, 0);
	assert_int_equal(pb_count(defs, 1), 2);
	/* entries keep the document's order */
	expect_str(pb_msg(defs, 1, 1), 1, "PodSpec");
	struct pb pod = named(defs, 1, "Pod");
	expect_str(pod, 4, "A pod.");
	expect_str(pb_msg(pod, 22, 0), 1, "object");
	expect_str(pod, 19, "spec");
	check_any(named(pod, 31, "x-kubernetes-group-version-kind"),
	           "[{\"group\":\"\",\"kind\":\"Pod\",\"version\":\"v1\"}]");

	struct pb props = pb_msg(pod, 25, 0);
	assert_int_equal(pb_count(props, 1), 7);
	expect_str(pb_msg(props, 1, 0), 1, "spec");
	expect_str(pb_msg(props, 1, 6), 1, "any");
	struct pb spec = named(props, 1, "spec");
	expect_str(spec, 1, "#/definitions/PodSpec");
	expect_str(spec, 4, "s");
	struct pb labels = named(props, 1, "labels");
	expect_str(pb_msg(pb_msg(pb_msg(labels, 21, 0), 1, 0), 22, 0), 1, "string");
	struct pb ports = named(props, 1, "ports");
	struct pb it = pb_msg(pb_msg(ports, 23, 0), 1, 0);
	expect_str(it, 2, "int32");
	assert_true(pb_double(it, 9) == -3.0);
	check_any(named(ports, 31, "x-kubernetes-list-map-keys"), "[\"port\",\"protocol\"]");
	check_any(named(ports, 31, "x-kubernetes-list-type"), "\"map\"");
	struct pb policy = named(props, 1, "policy");
	assert_int_equal(pb_count(policy, 20), 2);
	check_any(pb_msg(policy, 20, 0), "\"Always\"");
	check_any(pb_msg(policy, 5, 0), "\"Always\"");
	assert_int_equal(pb_varint(policy, 11), 63);
	struct pb tuple = named(props, 1, "tuple");
	assert_int_equal(pb_count(pb_msg(tuple, 23, 0), 1), 2);
	expect_str(pb_msg(pb_msg(pb_msg(tuple, 23, 0), 1, 1), 22, 0), 1, "number");
	assert_int_equal(pb_count(pb_msg(tuple, 22, 0), 1), 2);
	expect_str_at(pb_msg(tuple, 22, 0), 1, 1, "null");
	check_any(named(named(props, 1, "any"), 31, "x-kubernetes-preserve-unknown-fields"), "true");

	struct pb ps = named(defs, 1, "PodSpec");
	assert_int_equal(pb_count(ps, 24), 2);
	expect_str(pb_msg(ps, 24, 0), 1, "#/definitions/A");
	assert_int_equal(pb_varint(ps, 27), 1);
	expect_str(pb_msg(ps, 28, 0), 1, "x");
	check_any(pb_msg(ps, 30, 0), "{\"a\":null,\"b\":\"it's: \\\"x\\\"\\n\"}");

	/* parameters = 10, responses = 11, security = 12, security_definitions = 13, tags = 14 */
	struct pb pd = named(pb_msg(doc, 10, 0), 1, "namespace");
	expect_str(pb_msg(pb_msg(pd, 2, 0), 4, 0), 4, "namespace");
	expect_str(named(pb_msg(doc, 11, 0), 1, "unauth"), 1, "no");
	assert_int_equal(pb_count(doc, 12), 1);
	struct pb sd = pb_msg(doc, 13, 0);
	struct pb key = pb_msg(named(sd, 1, "BearerToken"), 2, 0);
	expect_str(key, 2, "authorization");
	expect_str(key, 3, "header");
	struct pb code = pb_msg(named(sd, 1, "oauth"), 6, 0);
	expect_str(code, 4, "https://a");
	expect_str(code, 5, "https://t");
	/* NamedString: the value is a string, not a message */
	expect_str(pb_msg(pb_msg(code, 3, 0), 1, 0), 2, "r");
	expect_str(pb_msg(doc, 14, 0), 1, "core");
	free((void *)doc.p);
}

/* lengths past one and two varint bytes, nested: the body moves right */
static void test_long_lengths(void **state)
{
	(void)state;
	static const size_t sizes[] = {126, 127, 128, 16383, 16384, 70000};
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
		char *text = malloc(sizes[s] + 1);
		memset(text, 'a' + (int)s, sizes[s]);
		text[sizes[s]] = 0;
		json_t *doc = json_pack("{s:{s:{s:{s:{s:s}}, s:s}}, s:s}", "definitions", "T", "properties", "f",
		                        "description", text, "title", "after", "swagger", "2.0");
		char *out = NULL;
		size_t len = 0;
		sk_err err = {0};
		assert_int_equal(openapi_v2_protobuf(doc, &out, &len, &err), SK_OK);
		struct pb m = {(const unsigned char *)out, len};
		struct pb t = named(pb_msg(m, 9, 0), 1, "T");
		expect_str(named(pb_msg(t, 25, 0), 1, "f"), 4, text);
		expect_str(t, 3, "after");
		expect_str(m, 1, "2.0");
		free(out);
		free(text);
		json_decref(doc);
	}
}

static void test_limits(void **state)
{
	(void)state;
	char *out = (char *)1;
	size_t len = 1;
	sk_err err = {0};
	json_t *arr = json_array();
	assert_int_equal(openapi_v2_protobuf(arr, &out, &len, &err), SK_EINVALID);
	assert_null(out);
	assert_int_equal(len, 0);
	json_decref(arr);

	/* items nested past the depth limit */
	json_t *s = json_object();
	for (int i = 0; i < OPENAPI_PB_MAX_DEPTH; i++)
		s = json_pack("{s:o}", "items", s);
	json_t *doc = json_pack("{s:{s:o}}", "definitions", "deep", s);
	err = (sk_err){0};
	assert_int_equal(openapi_v2_protobuf(doc, &out, &len, &err), SK_EINVALID);
	assert_null(out);
	assert_non_null(strstr(err.msg, "nested deeper"));
	json_decref(doc);

	/* wrong-typed values are left out, not misencoded */
	struct pb m = encode("{\"swagger\":2,\"info\":\"x\",\"paths\":{\"/a\":{\"get\":[],\"parameters\":[1,\"x\"]}},"
	                     "\"definitions\":{\"d\":{\"maxLength\":1.5,\"required\":\"x\",\"enum\":{},"
	                     "\"properties\":[],\"additionalProperties\":3}}}");
	assert_int_equal(pb_count(m, 1), 0);
	assert_int_equal(pb_count(m, 2), 0);
	struct pb item = named(pb_msg(m, 8, 0), 2, "/a");
	assert_int_equal(item.n, 0);
	struct pb d = named(pb_msg(m, 9, 0), 1, "d");
	assert_int_equal(pb_count(d, 11), 0);
	assert_int_equal(pb_count(d, 20), 0);
	assert_int_equal(pb_count(d, 25), 0);
	assert_int_equal(pb_msg(d, 21, 0).n, 0); /* an AdditionalPropertiesItem with neither */
	free((void *)m.p);
}

/* ---- the built-in types, against their JSON ------------------------------ */

static void check_schema(struct pb s, const json_t *js, const char *where);

static void check_str_key(struct pb s, int num, const json_t *js, const char *key, const char *where)
{
	const char *v = json_string_value(json_object_get(js, key));
	struct pb got = {0};
	size_t n = pb_scan(s, num, 0, &got, NULL);
	if ((v && *v) != (n == 1) || (n && (got.n != strlen(v) || memcmp(got.p, v, got.n))))
		fail_msg("%s: %s: field %d is \"%.*s\", want \"%s\"", where, key, num, (int)got.n,
		         n ? (const char *)got.p : "", v ? v : "(none)");
}

static void check_schema(struct pb s, const json_t *js, const char *where)
{
	check_str_key(s, 1, js, "$ref", where);
	check_str_key(s, 2, js, "format", where);
	check_str_key(s, 4, js, "description", where);
	const json_t *type = json_object_get(js, "type");
	assert_int_equal(pb_count(s, 22), type ? 1 : 0);
	if (type)
		check_str_key(pb_msg(s, 22, 0), 1, js, "type", where);
	const json_t *req = json_object_get(js, "required");
	assert_int_equal(pb_count(s, 19), json_array_size(req));
	for (size_t i = 0; i < json_array_size(req); i++)
		expect_str_at(s, 19, i, json_string_value(json_array_get(req, i)));
	assert_int_equal(pb_count(s, 20), json_array_size(json_object_get(js, "enum")));

	const json_t *props = json_object_get(js, "properties");
	assert_int_equal(pb_count(s, 25), props ? 1 : 0);
	if (props) {
		struct pb p = pb_msg(s, 25, 0);
		assert_int_equal(pb_count(p, 1), json_object_size(props));
		size_t i = 0;
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)props, k, v) {
			struct pb e = pb_msg(p, 1, i++);
			expect_str(e, 1, k);
			char sub[512];
			snprintf(sub, sizeof sub, "%s.%s", where, k);
			check_schema(pb_msg(e, 2, 0), v, sub);
		}
	}
	const json_t *items = json_object_get(js, "items");
	assert_int_equal(pb_count(s, 23), items ? 1 : 0);
	if (items)
		check_schema(pb_msg(pb_msg(s, 23, 0), 1, 0), items, where);
	const json_t *ap = json_object_get(js, "additionalProperties");
	assert_int_equal(pb_count(s, 21), ap ? 1 : 0);
	if (json_is_object(ap))
		check_schema(pb_msg(pb_msg(s, 21, 0), 1, 0), ap, where);

	/* every x- key, in order, as YAML that reads back to the same value */
	size_t nx = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)js, k, v) {
		if (strncmp(k, "x-", 2))
			continue;
		struct pb e = pb_msg(s, 31, nx++);
		expect_str(e, 1, k);
		char *want = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		check_any(pb_msg(e, 2, 0), want);
		free(want);
	}
	assert_int_equal(pb_count(s, 31), nx);
}

static void test_builtin_types(void **state)
{
	(void)state;
	sk_err err = {0};
	if (schema_init(&err) != SK_OK)
		fail_msg("schema_init: %s", err.msg);
	json_t *defs = schema_all(0);
	assert_true(json_object_size(defs) > 20);
	json_t *doc = json_pack("{s:s, s:{s:s, s:s}, s:{}, s:O}", "swagger", "2.0", "info", "title", "Kubernetes",
	                        "version", "v1.32.0", "paths", "definitions", defs);
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(openapi_v2_protobuf(doc, &out, &len, &err), SK_OK);
	struct pb m = {(const unsigned char *)out, len};
	struct pb d = pb_msg(m, 9, 0);
	assert_int_equal(pb_count(d, 1), json_object_size(defs));
	size_t i = 0;
	const char *k;
	json_t *v;
	json_object_foreach(defs, k, v) {
		struct pb e = pb_msg(d, 1, i++);
		expect_str(e, 1, k);
		check_schema(pb_msg(e, 2, 0), v, k);
	}
	free(out);
	json_decref(doc);
	json_decref(defs);
	schema_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_bytes),  cmocka_unit_test(test_paths),
		cmocka_unit_test(test_definitions),  cmocka_unit_test(test_long_lengths),
		cmocka_unit_test(test_limits),       cmocka_unit_test(test_builtin_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
