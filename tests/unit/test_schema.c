/* test_schema.c — the schema engine: the type notation (sdk/docs/types.md)
 * and its errors, resolution across owners and packages, validation causes
 * as kube-apiserver words them, unknown fields, immutability, defaults,
 * pruning, OpenAPI v2/v3 shapes, CRD schema conversion and the built-in
 * apimachinery types. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
	if (!j)
		fail_msg("bad test JSON %s: %s", text, e.text);
	return j;
}

static void define_ok(const char *owner, const char *text)
{
	sk_err err = {0};
	int rc = schema_define(owner, "t.types", text, strlen(text), &err);
	if (rc != SK_OK)
		fail_msg("define failed: %s", err.msg);
}

static int setup(void **state)
{
	(void)state;
	sk_err err = {0};
	if (schema_init(&err) != SK_OK)
		fail_msg("schema_init: %s", err.msg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	schema_fini();
	return 0;
}

static void assert_json(const json_t *got, const char *want)
{
	json_t *w = J(want);
	if (!json_equal(got, w)) {
		char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
		char *ws = json_dumps(w, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
		fprintf(stderr, "got:  %s\nwant: %s\n", g, ws);
		free(g);
		free(ws);
		json_decref(w);
		fail();
	}
	json_decref(w);
}

static const struct schema_node *T(const char *name)
{
	const struct schema_node *n = schema_type(name);
	if (!n)
		fail_msg("no type %s", name);
	return n;
}

/* ---- parsing ------------------------------------------------------------- */

static const char good[] =
	"# a comment\n"
	"package io.test.v1\n"
	"import io.other.v1\n"
	"\n"
	"type Thing gvk=test.io/v1/Thing gvk=/v1/Thing \"Thing is \\\"a\\\" thing \\\\ here.\"\n"
	"  apiVersion string \"APIVersion.\"\n"
	"  spec       ThingSpec required default={}\n"
	"\tstatus     map[[]int32] map=atomic\n"
	"\n"
	"type ThingSpec preserve-unknown atomic\r\n"
	"  replicas  int32 min=0 max=10 default=1 immutable\n"
	"  mode      string enum=,Fast,Slow default=Fast pattern=^[A-Z]?[a-z]*$ maxlen=8\n"
	"  ports     []Port merge=port keys=port,protocol \"the ports\"\n"
	"  tags      []string patch=merge list=set maxlen=3\n"
	"  conds     []Cond merge=type list=atomic\n"
	"  ratio     number min=0.5\n"
	"  on        boolean default=true\n"
	"  data      bytes\n"
	"  when      date-time\n"
	"  port      int-or-string default=80\n"
	"  size      quantity\n"
	"  free      object\n"
	"  whatever  any\n"
	"  codes     []int32 enum=1,2,3\n"
	"  label     string default=\"a b\"\n"
	"  vols      []Vol merge=name patch=merge,retainKeys\n"
	"  x-odd-name$ int64 format=quantity\n"
	"\n"
	"type Port\n"
	"  port     int32 required\n"
	"  protocol Protocol default=TCP\n"
	"type Protocol = string enum=TCP,UDP \"A protocol.\"\n"
	"type Cond\n"
	"  type string required\n"
	"type Vol\n"
	"  name string required\n";

static void test_parse_good(void **state)
{
	(void)state;
	define_ok("p", good);
	const struct schema_node *t = T("io.test.v1.Thing");
	assert_int_equal(t->kind, SCH_OBJECT);
	assert_string_equal(t->name, "io.test.v1.Thing");
	assert_string_equal(t->description, "Thing is \"a\" thing \\ here.");
	assert_int_equal(t->line, 5);
	assert_string_equal(t->gvks[0], "test.io/v1/Thing");
	assert_string_equal(t->gvks[1], "/v1/Thing");
	assert_null(t->gvks[2]);
	assert_int_equal(t->n_fields, 3);
	const struct schema_field *spec = schema_field(t, "spec");
	assert_non_null(spec);
	assert_int_equal(spec->flags, SCH_REQUIRED);
	assert_int_equal(spec->type->kind, SCH_REF);
	assert_string_equal(spec->type->ref, "io.test.v1.ThingSpec");
	assert_json(spec->type->default_value, "{}");
	const struct schema_field *st = schema_field(t, "status");
	assert_int_equal(st->type->kind, SCH_MAP);
	assert_string_equal(st->type->map_type, "atomic");
	assert_int_equal(st->type->items->kind, SCH_ARRAY);
	assert_int_equal(st->type->items->items->kind, SCH_INT32);
	assert_int_equal(st->type->line, 8);

	const struct schema_node *s = schema_deref(spec->type);
	assert_ptr_equal(s, T("io.test.v1.ThingSpec"));
	assert_true(s->preserve_unknown);
	assert_string_equal(s->map_type, "atomic");
	assert_int_equal(s->n_fields, 17);
	const struct schema_field *f = schema_field(s, "replicas");
	assert_int_equal(f->flags, SCH_IMMUTABLE);
	assert_true(f->type->has_min && f->type->has_max);
	assert_true(f->type->min == 0 && f->type->max == 10);
	assert_string_equal(f->type->format, "int32");
	assert_json(f->type->default_value, "1");
	f = schema_field(s, "mode");
	assert_string_equal(f->type->enum_values[0], "");
	assert_string_equal(f->type->enum_values[2], "Slow");
	assert_null(f->type->enum_values[3]);
	assert_string_equal(f->type->pattern, "^[A-Z]?[a-z]*$");
	assert_int_equal(f->type->maxlen, 8);
	assert_json(f->type->default_value, "\"Fast\"");
	f = schema_field(s, "ports");
	assert_string_equal(f->type->patch_strategy, "merge");
	assert_string_equal(f->type->patch_merge_key, "port");
	assert_string_equal(f->type->list_type, "map");
	assert_string_equal(f->type->list_map_keys[0], "port");
	assert_string_equal(f->type->list_map_keys[1], "protocol");
	assert_string_equal(f->type->description, "the ports");
	f = schema_field(s, "tags");
	assert_string_equal(f->type->patch_strategy, "merge");
	assert_null(f->type->patch_merge_key);
	assert_string_equal(f->type->list_type, "set");
	assert_int_equal(f->type->maxlen, 3);
	f = schema_field(s, "conds");
	assert_string_equal(f->type->list_type, "atomic");
	assert_string_equal(f->type->patch_merge_key, "type");
	f = schema_field(s, "vols");
	assert_string_equal(f->type->patch_strategy, "merge,retainKeys");
	assert_string_equal(f->type->list_map_keys[0], "name");
	assert_json(schema_field(s, "on")->type->default_value, "true");
	assert_string_equal(schema_field(s, "data")->type->format, "byte");
	assert_string_equal(schema_field(s, "when")->type->format, "date-time");
	assert_int_equal(schema_field(s, "port")->type->kind, SCH_INT_OR_STRING);
	assert_json(schema_field(s, "port")->type->default_value, "80");
	assert_int_equal(schema_field(s, "size")->type->kind, SCH_QUANTITY);
	assert_int_equal(schema_field(s, "free")->type->kind, SCH_OBJECT);
	assert_true(schema_field(s, "free")->type->preserve_unknown);
	assert_int_equal(schema_field(s, "whatever")->type->kind, SCH_ANY);
	assert_string_equal(schema_field(s, "codes")->type->items->enum_values[1], "2");
	assert_json(schema_field(s, "label")->type->default_value, "\"a b\"");
	assert_string_equal(schema_field(s, "x-odd-name$")->type->format, "quantity");
	assert_null(schema_field(s, "nope"));
	assert_json(schema_field(T("io.test.v1.Port"), "protocol")->type->default_value, "\"TCP\"");
	const struct schema_node *proto = T("io.test.v1.Protocol");
	assert_int_equal(proto->kind, SCH_STRING);
	assert_string_equal(proto->description, "A protocol.");

	sk_err err = {0};
	assert_int_equal(schema_check_refs(&err), SK_OK);
}

struct bad {
	const char *text;
	const char *msg;
};

static void test_parse_errors(void **state)
{
	(void)state;
	static const struct bad cases[] = {
		{"type A\n", "t.types:1: package must come before the first type"},
		{"package p\n\ntype A\n  b []Container merg=name\n", "t.types:4: unknown attribute \"merg\""},
		{"package p\n  x string\n", "t.types:2: field outside a type"},
		{"package p\ntype A = string\n  x string\n", "t.types:3: p.A is an alias and has no fields"},
		{"package p\ntype A\n  x string\n  x int32\n", "t.types:4: duplicate field \"x\""},
		{"package p\ntype A\ntype A\n", "t.types:3: type \"A\" defined twice"},
		{"package p\ntype A\n  x []\n", "t.types:3: invalid type \"[]\""},
		{"package p\ntype A\n  x map[string\n", "t.types:3: invalid type \"map[string\""},
		{"package p\ntype A\n  x\n", "t.types:3: field \"x\" needs a type"},
		{"package p\nstruct A\n", "t.types:2: unknown keyword \"struct\" (want package, import, type or an indented field)"},
		{"package p\ntype A\n  x string enum\n", "t.types:3: attribute \"enum\" needs a value"},
		{"package p\ntype A\n  x string required=yes\n", "t.types:3: attribute \"required\" takes no value"},
		{"package p\ntype A\n  x string min=1 min=2\n", "t.types:3: attribute \"min\" given twice"},
		{"package p\ntype A\n  x string gvk=a/b/C\n", "t.types:3: attribute \"gvk\" is for types"},
		{"package p\ntype A required\n", "t.types:2: attribute \"required\" is for fields"},
		{"package p\ntype A\n  x int32 min=ten\n", "t.types:3: attribute \"min\": invalid number \"ten\""},
		{"package p\ntype A\n  x int32 default=abc\n", "t.types:3: attribute \"default\": abc is not a value of int32"},
		{"package p\ntype A\n  x int32 default=3000000000\n",
		 "t.types:3: attribute \"default\": 3000000000 is not a value of int32"},
		{"package p\ntype A\n  x string pattern=(\n", NULL},
		{"package p\ntype A\n  x string pattern=(a)\\1\n",
		 "t.types:3: attribute \"pattern\": invalid pattern \"(a)\\1\": back-references are not supported"},
		{"package p\ntype A\n  x string \"oops\n", "t.types:3: unterminated description"},
		{"package p\ntype A\n  x string \"d\" extra\n", "t.types:3: text after the description"},
		{"package p\ntype A\nimport q\n", "t.types:3: import must come before the types of its package"},
		{"import q\n", "t.types:1: import before package"},
		{"package p\ntype A\n  x []B list=map\n", "t.types:3: list=map needs keys= or merge="},
		{"package p\ntype A gvk=apps/Deployment\n",
		 "t.types:2: attribute \"gvk\": invalid value \"apps/Deployment\" (want GROUP/VERSION/KIND)"},
		{"package p\ntype A\n  x object enum=a\n", "t.types:3: attribute \"enum\" does not apply to object"},
		{"package p\ntype A\n  x string min=1\n", "t.types:3: attribute \"min\" does not apply to string"},
		{"package p\ntype A\n  x string list=set\n", "t.types:3: attribute \"list\" does not apply to string"},
		{"package p\ntype A\n  x []string patch=sideways\n",
		 "t.types:3: attribute \"patch\": unsupported value \"sideways\" (want merge, retainKeys, "
		 "merge,retainKeys or replace)"},
		{"package p\ntype A enum=a\n",
		 "t.types:2: object type A takes only gvk, preserve-unknown, atomic, opaque and map attributes"},
		{"package p..q\n", "t.types:1: invalid package name \"p..q\""},
		{"package p\ntype 9A\n", "t.types:2: invalid type name \"9A\""},
		{"package p\ntype A\n  x string default=\"abc\n", "t.types:3: attribute \"default\": unterminated quoted value"},
		{"package p\ntype A\n  x [][][][][][][][][][][][][][][][][][]string\n", "t.types:3: type nested more than 16 deep"},
	};
	for (size_t i = 0; i < N(cases); i++) {
		sk_err err = {0};
		unsigned long gen = schema_generation();
		int rc = schema_define("p", "t.types", cases[i].text, strlen(cases[i].text), &err);
		if (rc != SK_EINVALID)
			fail_msg("case %zu: rc %d (%s)", i, rc, err.msg);
		if (cases[i].msg && strcmp(err.msg, cases[i].msg))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err.msg, cases[i].msg);
		if (!cases[i].msg && strncmp(err.msg, "t.types:3: attribute \"pattern\": invalid pattern \"(\": ", 52))
			fail_msg("case %zu: got \"%s\"", i, err.msg);
		assert_int_equal(schema_generation(), gen);
	}
	/* NUL bytes and over-long lines */
	sk_err err = {0};
	assert_int_equal(schema_define("p", "t.types", "package p\ntype A\0\n", 17, &err), SK_EINVALID);
	assert_string_equal(err.msg, "t.types:2: NUL byte in the text");
	size_t big = 70000;
	char *line = malloc(big + 1);
	memset(line, 'a', big);
	line[big] = 0;
	assert_int_equal(schema_define("p", "t.types", line, big, &err), SK_EINVALID);
	assert_string_equal(err.msg, "t.types:1: line longer than 65536 bytes");
	free(line);
}

static void test_all_or_nothing(void **state)
{
	(void)state;
	static const char text[] = "package p\ntype A\n  x string\ntype B\n  y strin g\n";
	sk_err err = {0};
	assert_int_equal(schema_define("p", "t.types", text, strlen(text), &err), SK_EINVALID);
	assert_string_equal(err.msg, "t.types:5: unknown attribute \"g\"");
	assert_null(schema_type("p.A"));
	assert_null(schema_type("p.B"));
	/* empty and comment-only texts define nothing, successfully */
	assert_int_equal(schema_define("p", "t.types", "", 0, &err), SK_OK);
	assert_int_equal(schema_define("p", "t.types", "# nothing\n\n", 11, &err), SK_OK);
}

static void test_owners(void **state)
{
	(void)state;
	define_ok("one", "package p\ntype A\n  x string\n");
	unsigned long gen = schema_generation();
	sk_err err = {0};
	static const char clash[] = "package p\ntype B\ntype A\n";
	assert_int_equal(schema_define("two", "two.types", clash, strlen(clash), &err), SK_EEXIST);
	assert_string_equal(err.msg, "two.types:3: type \"p.A\" is already defined by \"one\"");
	assert_null(schema_type("p.B"));
	assert_int_equal(schema_generation(), gen);
	/* the owner may redefine its own types */
	define_ok("one", "package p\ntype A\n  y int32\n");
	assert_true(schema_generation() > gen);
	assert_non_null(schema_field(T("p.A"), "y"));
	assert_null(schema_field(T("p.A"), "x"));
	/* the builtins are the core's */
	static const char meta[] = "package io.k8s.apimachinery.pkg.apis.meta.v1\ntype ObjectMeta\n";
	assert_int_equal(schema_define("two", "two.types", meta, strlen(meta), &err), SK_EEXIST);
	assert_string_equal(err.msg, "two.types:2: type \"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta\" is already "
	                             "defined by \"core\"");
	/* forget drops one owner's types only */
	define_ok("two", "package q\ntype C\n  a p.A\n");
	gen = schema_generation();
	schema_forget("one");
	assert_true(schema_generation() > gen);
	assert_null(schema_type("p.A"));
	assert_non_null(schema_type("q.C"));
	assert_null(schema_deref(schema_field(T("q.C"), "a")->type));
	assert_int_equal(schema_check_refs(&err), SK_EINVALID);
	assert_string_equal(err.msg, "two: t.types:3: unknown type \"p.A\"");
	define_ok("three", "package p\ntype A\n  z boolean\n");
	assert_int_equal(schema_check_refs(&err), SK_OK);
	assert_non_null(schema_field(schema_field(T("q.C"), "a")->type, "z"));
}

static void test_resolution(void **state)
{
	(void)state;
	/* current package first, then imports in order, then the built-ins */
	define_ok("a", "package lib.one\ntype Shared\n  one string\ntype OnlyOne\n  x string\n");
	define_ok("b", "package lib.two\ntype Shared\n  two string\ntype OnlyTwo\n  x string\n"
	               "type ObjectMeta\n  mine string\n");
	define_ok("c", "package app.v1\nimport lib.two\nimport lib.one\n"
	               "type App\n  s Shared\n  o OnlyOne\n  t OnlyTwo\n  m ObjectMeta\n  l ListMeta\n"
	               "  q Quantity\n  i IntOrString\n  r RawExtension\n  full lib.one.Shared\n  later Later\n");
	const struct schema_node *app = T("app.v1.App");
	assert_non_null(schema_field(schema_field(app, "s")->type, "two"));
	assert_non_null(schema_field(schema_field(app, "full")->type, "one"));
	assert_string_equal(schema_field(app, "o")->type->ref, "app.v1.OnlyOne");
	assert_ptr_equal(schema_deref(schema_field(app, "o")->type), T("lib.one.OnlyOne"));
	assert_string_equal(schema_field(app, "o")->type->ref, "lib.one.OnlyOne");
	assert_ptr_equal(schema_deref(schema_field(app, "t")->type), T("lib.two.OnlyTwo"));
	/* an import wins over the built-in package */
	assert_ptr_equal(schema_deref(schema_field(app, "m")->type), T("lib.two.ObjectMeta"));
	assert_ptr_equal(schema_deref(schema_field(app, "l")->type), T("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"));
	assert_int_equal(schema_deref(schema_field(app, "q")->type)->kind, SCH_QUANTITY);
	assert_int_equal(schema_deref(schema_field(app, "i")->type)->kind, SCH_INT_OR_STRING);
	assert_int_equal(schema_deref(schema_field(app, "r")->type)->kind, SCH_OBJECT);
	/* references resolve when used: a type defined later, by anyone */
	sk_err err = {0};
	assert_null(schema_deref(schema_field(app, "later")->type));
	assert_int_equal(schema_check_refs(&err), SK_EINVALID);
	assert_string_equal(err.msg, "c: t.types:14: unknown type \"Later\"");
	define_ok("d", "package app.v1\ntype Later\n  ok boolean\n");
	assert_non_null(schema_field(schema_field(app, "later")->type, "ok"));
	assert_int_equal(schema_check_refs(&err), SK_OK);
	/* the current package beats an import once it has the name */
	define_ok("d", "package app.v1\ntype Later\n  ok boolean\ntype Shared\n  mine string\n");
	assert_non_null(schema_field(schema_field(app, "s")->type, "mine"));
	/* aliases of aliases, and cycles of them */
	define_ok("e", "package al\ntype A = B\ntype B = C\ntype C = string enum=x\ntype L = M\ntype M = L\n"
	               "type U\n  f L\n");
	assert_int_equal(schema_deref(T("al.A"))->kind, SCH_STRING);
	assert_null(schema_deref(T("al.L")));
	assert_int_equal(schema_check_refs(&err), SK_EINVALID);
	assert_string_equal(err.msg, "e: t.types:5: type \"al.M\" is an alias of itself");
}

static void test_field_index(void **state)
{
	(void)state;
	char text[8192] = "package big\ntype Big\n";
	for (int i = 0; i < 200; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text), "  f%d int32\n", i);
	define_ok("big", text);
	const struct schema_node *b = T("big.Big");
	assert_int_equal(b->n_fields, 200);
	for (int i = 0; i < 200; i++) {
		char name[16];
		snprintf(name, sizeof name, "f%d", i);
		const struct schema_field *f = schema_field(b, name);
		assert_non_null(f);
		assert_string_equal(f->name, name);
	}
	assert_null(schema_field(b, "f200"));
	assert_null(schema_field(b, ""));
}

/* ---- validation ------------------------------------------------------------- */

static const char app_types[] =
	"package v.v1\n"
	"type Obj gvk=v.io/v1/Obj\n"
	"  apiVersion string\n"
	"  kind       string\n"
	"  metadata   ObjectMeta default={}\n"
	"  spec       Spec required default={}\n"
	"type Spec\n"
	"  replicas   int32 min=0 max=100 default=1\n"
	"  name       string immutable maxlen=5 pattern=^[a-z]+$\n"
	"  policy     string enum=Always,Never default=Always\n"
	"  level      int64 enum=1,2\n"
	"  ratio      number\n"
	"  flag       boolean\n"
	"  since      date-time\n"
	"  blob       bytes\n"
	"  port       IntOrString\n"
	"  mem        Quantity\n"
	"  labels     map[string]\n"
	"  sizes      map[int32]\n"
	"  containers []Container merge=name\n"
	"  tags       []string maxlen=2\n"
	"  extra      object\n"
	"  any        any\n"
	"  open       Open\n"
	"type Container\n"
	"  name  string required\n"
	"  image string required immutable\n"
	"  ports []Port merge=containerPort\n"
	"type Port\n"
	"  containerPort int32 required\n"
	"  protocol      string default=TCP\n"
	"type Open preserve-unknown\n"
	"  known int32\n";

static json_t *validate(const char *type, const char *obj, const char *old, json_t **unknown)
{
	json_t *o = J(obj), *ol = old ? J(old) : NULL, *causes = json_array();
	if (unknown)
		*unknown = json_array();
	size_t n = schema_validate(T(type), o, ol, causes, unknown ? *unknown : NULL);
	assert_int_equal(n, json_array_size(causes));
	json_decref(o);
	json_decref(ol);
	return causes;
}

static void check_causes(const char *type, const char *obj, const char *old, const char *want)
{
	json_t *c = validate(type, obj, old, NULL);
	assert_json(c, want);
	json_decref(c);
}

static void test_validate_types(void **state)
{
	(void)state;
	define_ok("v", app_types);
	check_causes("v.v1.Obj", "{\"spec\":{}}", NULL, "[]");
	check_causes("v.v1.Obj", "{}", NULL,
	             "[{\"reason\":\"FieldValueRequired\",\"message\":\"Required value\",\"field\":\"spec\"}]");
	/* null is absent */
	check_causes("v.v1.Obj", "{\"spec\":null,\"kind\":null}", NULL,
	             "[{\"reason\":\"FieldValueRequired\",\"message\":\"Required value\",\"field\":\"spec\"}]");
	check_causes("v.v1.Obj", "{\"spec\":{\"replicas\":\"3\"}}", NULL,
	             "[{\"reason\":\"FieldValueTypeInvalid\",\"message\":\"Invalid value: \\\"string\\\": spec.replicas "
	             "in body must be of type integer: \\\"string\\\"\",\"field\":\"spec.replicas\"}]");
	check_causes("v.v1.Obj", "{\"spec\":[]}", NULL,
	             "[{\"reason\":\"FieldValueTypeInvalid\",\"message\":\"Invalid value: \\\"array\\\": spec in body "
	             "must be of type object: \\\"array\\\"\",\"field\":\"spec\"}]");
	check_causes("v.v1.Obj",
	             "{\"spec\":{\"replicas\":2.0,\"ratio\":1,\"flag\":false,\"port\":8080,\"mem\":\"1.5Gi\","
	             "\"labels\":{\"a\":\"b\"},\"since\":\"2024-02-29T23:59:59.5+01:00\",\"blob\":\"aGk=\","
	             "\"level\":2,\"any\":[1,{}],\"extra\":{\"x\":[1]}}}",
	             NULL, "[]");
	check_causes("v.v1.Obj", "{\"spec\":{\"port\":\"http\",\"mem\":2}}", NULL, "[]");
	check_causes("v.v1.Obj", "{\"spec\":{\"ratio\":\"1\",\"flag\":1,\"port\":true,\"labels\":{\"app\":5}}}", NULL,
	             "[{\"reason\":\"FieldValueTypeInvalid\",\"message\":\"Invalid value: \\\"string\\\": spec.ratio in "
	             "body must be of type number: \\\"string\\\"\",\"field\":\"spec.ratio\"},"
	             "{\"reason\":\"FieldValueTypeInvalid\",\"message\":\"Invalid value: \\\"integer\\\": spec.flag in "
	             "body must be of type boolean: \\\"integer\\\"\",\"field\":\"spec.flag\"},"
	             "{\"reason\":\"FieldValueTypeInvalid\",\"message\":\"Invalid value: \\\"boolean\\\": spec.port in "
	             "body must be of type integer,string: \\\"boolean\\\"\",\"field\":\"spec.port\"},"
	             "{\"reason\":\"FieldValueTypeInvalid\",\"message\":\"Invalid value: \\\"integer\\\": "
	             "spec.labels[app] in body must be of type string: \\\"integer\\\"\",\"field\":\"spec.labels[app]\"}]");
	check_causes("v.v1.Obj", "{\"spec\":{\"replicas\":1.5}}", NULL,
	             "[{\"reason\":\"FieldValueTypeInvalid\",\"message\":\"Invalid value: \\\"number\\\": spec.replicas "
	             "in body must be of type integer: \\\"number\\\"\",\"field\":\"spec.replicas\"}]");
	check_causes("v.v1.Obj", "{\"spec\":{\"sizes\":{\"big\":3000000000}}}", NULL,
	             "[{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: 3000000000: spec.sizes[big] in "
	             "body should be less than or equal to 2147483647\",\"field\":\"spec.sizes[big]\"}]");
	check_causes("v.v1.Obj", "{\"spec\":{\"since\":\"2024-02-30T00:00:00Z\",\"blob\":\"a=b\"}}", NULL,
	             "[{\"reason\":\"FieldValueTypeInvalid\",\"message\":\"Invalid value: \\\"2024-02-30T00:00:00Z\\\": "
	             "spec.since in body must be of type date-time: \\\"2024-02-30T00:00:00Z\\\"\","
	             "\"field\":\"spec.since\"},"
	             "{\"reason\":\"FieldValueTypeInvalid\",\"message\":\"Invalid value: \\\"a=b\\\": spec.blob in body "
	             "must be of type byte: \\\"a=b\\\"\",\"field\":\"spec.blob\"}]");
	check_causes("v.v1.Obj", "{\"spec\":{\"mem\":\"lots\"}}", NULL,
	             "[{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: \\\"lots\\\": quantities must match "
	             "the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\",\"field\":\"spec.mem\"}]");
	static const char *const bad_times[] = {"", "2024-01-01", "2024-01-01T00:00:00", "2024-01-01 00:00:00Z",
	                                        "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00.Z",
	                                        "2024-01-01T00:00:00+0100", "2023-02-29T00:00:00Z"};
	for (size_t i = 0; i < N(bad_times); i++) {
		char obj[200];
		snprintf(obj, sizeof obj, "{\"spec\":{\"since\":\"%s\"}}", bad_times[i]);
		json_t *c = validate("v.v1.Obj", obj, NULL, NULL);
		if (json_array_size(c) != 1)
			fail_msg("time \"%s\" accepted", bad_times[i]);
		json_decref(c);
	}
}

static void test_validate_values(void **state)
{
	(void)state;
	define_ok("v", app_types);
	check_causes("v.v1.Obj", "{\"spec\":{\"policy\":\"Sometimes\",\"level\":3}}", NULL,
	             "[{\"reason\":\"FieldValueNotSupported\",\"message\":\"Unsupported value: \\\"Sometimes\\\": "
	             "supported values: \\\"Always\\\", \\\"Never\\\"\",\"field\":\"spec.policy\"},"
	             "{\"reason\":\"FieldValueNotSupported\",\"message\":\"Unsupported value: 3: supported values: "
	             "\\\"1\\\", \\\"2\\\"\",\"field\":\"spec.level\"}]");
	check_causes("v.v1.Obj", "{\"spec\":{\"replicas\":-1}}", NULL,
	             "[{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: -1: spec.replicas in body should "
	             "be greater than or equal to 0\",\"field\":\"spec.replicas\"}]");
	check_causes("v.v1.Obj", "{\"spec\":{\"replicas\":101}}", NULL,
	             "[{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: 101: spec.replicas in body should "
	             "be less than or equal to 100\",\"field\":\"spec.replicas\"}]");
	check_causes("v.v1.Obj", "{\"spec\":{\"name\":\"abcdef\",\"tags\":[\"a\",\"b\",\"c\"]}}", NULL,
	             "[{\"reason\":\"FieldValueTooLong\",\"message\":\"Too long: may not be more than 5 bytes\","
	             "\"field\":\"spec.name\"},"
	             "{\"reason\":\"FieldValueTooMany\",\"message\":\"Too many: 3: must have at most 2 items\","
	             "\"field\":\"spec.tags\"}]");
	/* lengths count characters */
	check_causes("v.v1.Obj", "{\"spec\":{\"name\":\"\\u00e9\\u00e9\\u00e9\"}}", NULL,
	             "[{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: \\\"\\u00e9\\u00e9\\u00e9\\\": "
	             "spec.name in body should match '^[a-z]+$'\",\"field\":\"spec.name\"}]");
	check_causes("v.v1.Obj", "{\"spec\":{\"name\":\"AB\"}}", NULL,
	             "[{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: \\\"AB\\\": spec.name in body "
	             "should match '^[a-z]+$'\",\"field\":\"spec.name\"}]");
	check_causes("v.v1.Obj",
	             "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"i\"},{\"name\":\"b\",\"ports\":[{}]}]}}",
	             NULL,
	             "[{\"reason\":\"FieldValueRequired\",\"message\":\"Required value\","
	             "\"field\":\"spec.containers[1].image\"},"
	             "{\"reason\":\"FieldValueRequired\",\"message\":\"Required value\","
	             "\"field\":\"spec.containers[1].ports[0].containerPort\"}]");
	/* the cap on causes */
	json_t *arr = json_array();
	for (int i = 0; i < 3000; i++)
		json_array_append_new(arr, json_integer(i));
	json_t *o = json_pack("{s:{s:o}}", "spec", "tags", arr), *causes = json_array();
	assert_int_equal(schema_validate(T("v.v1.Obj"), o, NULL, causes, NULL), 1000);
	json_decref(o);
	json_decref(causes);
}

static void test_unknown_fields(void **state)
{
	(void)state;
	define_ok("v", app_types);
	json_t *unknown;
	json_t *c = validate("v.v1.Obj",
	                     "{\"spec\":{\"foo\":1,\"containers\":[{\"name\":\"a\",\"image\":\"i\",\"imagePullPolice\":1,"
	                     "\"ports\":[{\"containerPort\":1,\"hostIP\":\"x\"}]}],\"extra\":{\"free\":1},"
	                     "\"any\":{\"x\":1},\"open\":{\"known\":1,\"other\":2}},\"status\":{},"
	                     "\"metadata\":{\"name\":\"n\",\"nam\":\"x\"}}",
	                     NULL, &unknown);
	assert_json(c, "[]");
	assert_json(unknown, "[\"spec.foo\",\"spec.containers[0].imagePullPolice\","
	                     "\"spec.containers[0].ports[0].hostIP\",\"status\",\"metadata.nam\"]");
	json_decref(c);
	json_decref(unknown);
}

static void test_immutable(void **state)
{
	(void)state;
	define_ok("v", app_types);
	static const char old[] =
		"{\"spec\":{\"name\":\"abc\",\"containers\":[{\"name\":\"a\",\"image\":\"i1\"},{\"name\":\"b\",\"image\":\"j\"}]}}";
	check_causes("v.v1.Obj", old, old, "[]");
	check_causes("v.v1.Obj", "{\"spec\":{\"name\":\"abd\"}}", old,
	             "[{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: \\\"abd\\\": field is immutable\","
	             "\"field\":\"spec.name\"}]");
	check_causes("v.v1.Obj", "{\"spec\":{}}", old,
	             "[{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: null: field is immutable\","
	             "\"field\":\"spec.name\"}]");
	/* once set: setting it the first time is fine */
	check_causes("v.v1.Obj", "{\"spec\":{\"name\":\"abc\"}}", "{\"spec\":{}}", "[]");
	/* list items pair by their merge key, not their place */
	check_causes("v.v1.Obj",
	             "{\"spec\":{\"name\":\"abc\",\"containers\":[{\"name\":\"b\",\"image\":\"j\"},{\"name\":\"a\","
	             "\"image\":\"i2\"},{\"name\":\"c\",\"image\":\"new\"}]}}",
	             old,
	             "[{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: \\\"i2\\\": field is immutable\","
	             "\"field\":\"spec.containers[1].image\"}]");
}

static void test_defaults(void **state)
{
	(void)state;
	define_ok("v", app_types);
	json_t *o = J("{\"spec\":{\"policy\":\"Never\",\"replicas\":null,\"containers\":[{\"name\":\"a\",\"ports\":"
	              "[{\"containerPort\":80},{\"containerPort\":81,\"protocol\":\"UDP\"}]}]}}");
	schema_apply_defaults(T("v.v1.Obj"), o);
	assert_json(o, "{\"metadata\":{},\"spec\":{\"policy\":\"Never\",\"replicas\":1,\"containers\":[{\"name\":\"a\","
	               "\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"},{\"containerPort\":81,"
	               "\"protocol\":\"UDP\"}]}]}}");
	json_decref(o);
	/* defaults inside a defaulted value apply too */
	o = J("{}");
	schema_apply_defaults(T("v.v1.Obj"), o);
	assert_json(o, "{\"metadata\":{},\"spec\":{\"replicas\":1,\"policy\":\"Always\"}}");
	json_decref(o);
	/* the wrong JSON type is left for validation to report */
	o = J("{\"spec\":\"x\"}");
	schema_apply_defaults(T("v.v1.Obj"), o);
	assert_json(o, "{\"metadata\":{},\"spec\":\"x\"}");
	json_decref(o);
}

static void test_prune(void **state)
{
	(void)state;
	define_ok("v", app_types);
	json_t *o = J("{\"kind\":\"Obj\",\"junk\":1,\"metadata\":{\"name\":\"n\",\"nam\":1,\"labels\":{\"a\":\"b\","
	              "\"c\":null}},\"spec\":{\"replicas\":null,\"foo\":{},\"containers\":[{\"name\":\"a\",\"bad\":1}],"
	              "\"extra\":{\"kept\":{\"deep\":1}},\"any\":{\"x\":null},\"open\":{\"known\":1,\"other\":2}}}");
	schema_prune(T("v.v1.Obj"), o);
	assert_json(o, "{\"kind\":\"Obj\",\"metadata\":{\"name\":\"n\",\"labels\":{\"a\":\"b\"}},\"spec\":{"
	               "\"containers\":[{\"name\":\"a\"}],\"extra\":{\"kept\":{\"deep\":1}},\"any\":{\"x\":null},"
	               "\"open\":{\"known\":1,\"other\":2}}}");
	json_decref(o);
}

/* ---- OpenAPI -------------------------------------------------------------- */

static void check_openapi(const struct schema_node *n, int v3, const char *want)
{
	json_t *j = schema_openapi(n, v3);
	assert_json(j, want);
	json_decref(j);
}

static void test_openapi(void **state)
{
	(void)state;
	define_ok("p", good);
	const struct schema_node *spec = T("io.test.v1.ThingSpec");
	/* a named reference with siblings: beside $ref in v2, wrapped in v3 */
	const struct schema_node *f = schema_field(T("io.test.v1.Thing"), "spec")->type;
	check_openapi(f, 0, "{\"$ref\":\"#/definitions/io.test.v1.ThingSpec\"}");
	check_openapi(f, 1, "{\"allOf\":[{\"$ref\":\"#/components/schemas/io.test.v1.ThingSpec\"}],\"default\":{}}");
	check_openapi(schema_field(T("io.test.v1.Port"), "protocol")->type, 0,
	              "{\"$ref\":\"#/definitions/io.test.v1.Protocol\"}");
	check_openapi(schema_field(spec, "ports")->type, 0,
	              "{\"description\":\"the ports\",\"items\":{\"$ref\":\"#/definitions/io.test.v1.Port\"},"
	              "\"type\":\"array\",\"x-kubernetes-list-map-keys\":[\"port\",\"protocol\"],"
	              "\"x-kubernetes-list-type\":\"map\",\"x-kubernetes-patch-merge-key\":\"port\","
	              "\"x-kubernetes-patch-strategy\":\"merge\"}");
	check_openapi(schema_field(spec, "ports")->type, 1,
	              "{\"description\":\"the ports\",\"items\":{\"$ref\":\"#/components/schemas/io.test.v1.Port\"},"
	              "\"type\":\"array\",\"x-kubernetes-list-map-keys\":[\"port\",\"protocol\"],"
	              "\"x-kubernetes-list-type\":\"map\",\"x-kubernetes-patch-merge-key\":\"port\","
	              "\"x-kubernetes-patch-strategy\":\"merge\"}");
	check_openapi(schema_field(spec, "conds")->type, 1,
	              "{\"items\":{\"$ref\":\"#/components/schemas/io.test.v1.Cond\"},\"type\":\"array\","
	              "\"x-kubernetes-list-type\":\"atomic\",\"x-kubernetes-patch-merge-key\":\"type\","
	              "\"x-kubernetes-patch-strategy\":\"merge\"}");
	check_openapi(schema_field(spec, "tags")->type, 1,
	              "{\"items\":{\"type\":\"string\"},\"maxItems\":3,\"type\":\"array\","
	              "\"x-kubernetes-list-type\":\"set\",\"x-kubernetes-patch-strategy\":\"merge\"}");
	check_openapi(schema_field(spec, "replicas")->type, 0,
	              "{\"format\":\"int32\",\"maximum\":10,\"minimum\":0,\"type\":\"integer\"}");
	check_openapi(schema_field(spec, "replicas")->type, 1,
	              "{\"default\":1,\"format\":\"int32\",\"maximum\":10,\"minimum\":0,\"type\":\"integer\"}");
	check_openapi(schema_field(spec, "mode")->type, 1,
	              "{\"default\":\"Fast\",\"enum\":[\"\",\"Fast\",\"Slow\"],\"maxLength\":8,"
	              "\"pattern\":\"^[A-Z]?[a-z]*$\",\"type\":\"string\"}");
	check_openapi(schema_field(spec, "codes")->type, 1,
	              "{\"items\":{\"enum\":[1,2,3],\"format\":\"int32\",\"type\":\"integer\"},\"type\":\"array\"}");
	check_openapi(schema_field(spec, "ratio")->type, 0, "{\"format\":\"double\",\"minimum\":0.5,\"type\":\"number\"}");
	check_openapi(schema_field(spec, "data")->type, 0, "{\"format\":\"byte\",\"type\":\"string\"}");
	check_openapi(schema_field(spec, "when")->type, 0, "{\"format\":\"date-time\",\"type\":\"string\"}");
	check_openapi(schema_field(spec, "port")->type, 0, "{\"x-kubernetes-int-or-string\":true}");
	check_openapi(schema_field(spec, "port")->type, 1,
	              "{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"string\"}],\"default\":80,"
	              "\"x-kubernetes-int-or-string\":true}");
	check_openapi(schema_field(spec, "size")->type, 0, "{\"type\":\"string\"}");
	check_openapi(schema_field(spec, "size")->type, 1, "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"number\"}]}");
	check_openapi(schema_field(spec, "free")->type, 0,
	              "{\"type\":\"object\",\"x-kubernetes-preserve-unknown-fields\":true}");
	check_openapi(schema_field(spec, "whatever")->type, 1, "{\"x-kubernetes-preserve-unknown-fields\":true}");
	check_openapi(schema_field(T("io.test.v1.Thing"), "status")->type, 0,
	              "{\"additionalProperties\":{\"items\":{\"format\":\"int32\",\"type\":\"integer\"},"
	              "\"type\":\"array\"},\"type\":\"object\",\"x-kubernetes-map-type\":\"atomic\"}");
	check_openapi(T("io.test.v1.Protocol"), 1,
	              "{\"description\":\"A protocol.\",\"enum\":[\"TCP\",\"UDP\"],\"type\":\"string\"}");
	check_openapi(T("io.test.v1.Port"), 1,
	              "{\"properties\":{\"port\":{\"format\":\"int32\",\"type\":\"integer\"},\"protocol\":{\"allOf\":"
	              "[{\"$ref\":\"#/components/schemas/io.test.v1.Protocol\"}],\"default\":\"TCP\"}},"
	              "\"required\":[\"port\"],\"type\":\"object\"}");
	check_openapi(T("io.test.v1.Thing"), 0,
	              "{\"description\":\"Thing is \\\"a\\\" thing \\\\ here.\",\"properties\":{\"apiVersion\":"
	              "{\"description\":\"APIVersion.\",\"type\":\"string\"},\"spec\":{\"$ref\":"
	              "\"#/definitions/io.test.v1.ThingSpec\"},\"status\":{\"additionalProperties\":{\"items\":"
	              "{\"format\":\"int32\",\"type\":\"integer\"},\"type\":\"array\"},\"type\":\"object\","
	              "\"x-kubernetes-map-type\":\"atomic\"}},\"required\":[\"spec\"],\"type\":\"object\","
	              "\"x-kubernetes-group-version-kind\":[{\"group\":\"test.io\",\"kind\":\"Thing\",\"version\":\"v1\"},"
	              "{\"group\":\"\",\"kind\":\"Thing\",\"version\":\"v1\"}]}");
	/* properties come out sorted, as Kubernetes publishes them */
	json_t *j = schema_openapi(spec, 1);
	const char *k, *prev = "";
	json_t *v;
	json_object_foreach(json_object_get(j, "properties"), k, v) {
		assert_true(strcmp(prev, k) < 0);
		prev = k;
	}
	assert_true(json_is_true(json_object_get(j, "x-kubernetes-preserve-unknown-fields")));
	assert_string_equal(json_string_value(json_object_get(j, "x-kubernetes-map-type")), "atomic");
	json_decref(j);

	/* everything a type reaches, once */
	json_t *defs = json_object();
	schema_collect("io.test.v1.Thing", defs, 1);
	json_t *names = json_array();
	json_object_foreach(defs, k, v) json_array_append_new(names, json_string(k));
	assert_json(names, "[\"io.test.v1.Thing\",\"io.test.v1.ThingSpec\",\"io.test.v1.Port\",\"io.test.v1.Protocol\","
	                   "\"io.test.v1.Cond\",\"io.test.v1.Vol\"]");
	json_decref(names);
	json_object_set_new(defs, "x", json_true());
	schema_collect("io.test.v1.Nope", defs, 1);
	assert_int_equal(json_object_size(defs), 7);
	json_decref(defs);

	json_t *all = schema_all(0);
	assert_non_null(json_object_get(all, "io.test.v1.Port"));
	assert_non_null(json_object_get(all, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
	prev = "";
	json_object_foreach(all, k, v) {
		assert_true(strcmp(prev, k) < 0);
		prev = k;
	}
	json_decref(all);
}

/* ---- CRD schemas ---------------------------------------------------------- */

static const char crd[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"spec\":{\"type\":\"object\",\"required\":[\"size\"],\"properties\":{"
	"  \"size\":{\"x-kubernetes-int-or-string\":true,\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"string\"}]},"
	"  \"replicas\":{\"type\":\"integer\",\"format\":\"int32\",\"minimum\":1,\"maximum\":5,\"default\":1},"
	"  \"mode\":{\"type\":\"string\",\"enum\":[\"fast\",\"slow\"],\"maxLength\":4,\"pattern\":\"^[a-z]+$\","
	"           \"description\":\"How.\"},"
	"  \"labels\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"},"
	"             \"x-kubernetes-map-type\":\"atomic\"},"
	"  \"items\":{\"type\":\"array\",\"maxItems\":2,\"x-kubernetes-list-type\":\"map\","
	"            \"x-kubernetes-list-map-keys\":[\"name\"],"
	"            \"items\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}},"
	"  \"config\":{\"type\":\"object\",\"x-kubernetes-preserve-unknown-fields\":true},"
	"  \"note\":{\"type\":\"string\",\"nullable\":true},"
	"  \"count\":{\"type\":\"integer\"}"
	"}},"
	"\"status\":{\"type\":\"object\",\"properties\":{\"ready\":{\"type\":\"boolean\"}}}}}";

static void test_crd(void **state)
{
	(void)state;
	json_t *s = J(crd);
	sk_err err = {0};
	assert_int_equal(schema_define_openapi("crd:widgets", "com.example.v1.Widget", s, &err), SK_OK);
	json_decref(s);
	const struct schema_node *w = T("com.example.v1.Widget");
	assert_string_equal(w->name, "com.example.v1.Widget");
	assert_int_equal(w->n_fields, 5);
	assert_string_equal(w->fields[0].name, "apiVersion");
	assert_string_equal(w->fields[1].name, "kind");
	assert_string_equal(w->fields[2].name, "metadata");
	assert_ptr_equal(schema_deref(w->fields[2].type), T("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
	const struct schema_node *spec = schema_field(w, "spec")->type;
	assert_int_equal(schema_field(spec, "size")->flags, SCH_REQUIRED);
	assert_int_equal(schema_field(spec, "size")->type->kind, SCH_INT_OR_STRING);
	assert_int_equal(schema_field(spec, "replicas")->type->kind, SCH_INT32);
	assert_int_equal(schema_field(spec, "count")->type->kind, SCH_INT64);
	assert_int_equal(schema_field(spec, "labels")->type->kind, SCH_MAP);
	assert_int_equal(schema_field(spec, "items")->type->maxlen, 2);
	assert_int_equal(schema_check_refs(&err), SK_OK);

	check_causes("com.example.v1.Widget", "{\"spec\":{\"size\":\"big\"}}", NULL, "[]");
	check_causes("com.example.v1.Widget",
	             "{\"metadata\":{\"name\":5},\"spec\":{\"replicas\":9,\"mode\":\"medium\","
	             "\"items\":[{\"name\":\"a\"},{},{}]}}",
	             NULL,
	             "[{\"reason\":\"FieldValueTypeInvalid\",\"message\":\"Invalid value: \\\"integer\\\": metadata.name "
	             "in body must be of type string: \\\"integer\\\"\",\"field\":\"metadata.name\"},"
	             "{\"reason\":\"FieldValueRequired\",\"message\":\"Required value\",\"field\":\"spec.size\"},"
	             "{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: 9: spec.replicas in body should be "
	             "less than or equal to 5\",\"field\":\"spec.replicas\"},"
	             "{\"reason\":\"FieldValueNotSupported\",\"message\":\"Unsupported value: \\\"medium\\\": supported "
	             "values: \\\"fast\\\", \\\"slow\\\"\",\"field\":\"spec.mode\"},"
	             "{\"reason\":\"FieldValueTooLong\",\"message\":\"Too long: may not be more than 4 bytes\","
	             "\"field\":\"spec.mode\"},"
	             "{\"reason\":\"FieldValueTooMany\",\"message\":\"Too many: 3: must have at most 2 items\","
	             "\"field\":\"spec.items\"}]");
	/* nullable nulls stay; others go; unknown fields are pruned, preserved ones kept */
	json_t *o = J("{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"},\"x\":1,"
	              "\"spec\":{\"note\":null,\"count\":null,\"size\":1,\"config\":{\"a\":{\"b\":1}},\"y\":2}}");
	schema_prune(w, o);
	schema_apply_defaults(w, o);
	assert_json(o, "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"},"
	               "\"spec\":{\"note\":null,\"size\":1,\"config\":{\"a\":{\"b\":1}},\"replicas\":1}}");
	json_decref(o);

	json_t *j = schema_openapi(schema_field(spec, "size")->type, 1);
	assert_json(j, "{\"x-kubernetes-int-or-string\":true,\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"string\"}]}");
	json_decref(j);
	j = schema_openapi(schema_field(spec, "size")->type, 0);
	assert_json(j, "{\"x-kubernetes-int-or-string\":true}");
	json_decref(j);
	j = schema_openapi(schema_field(spec, "items")->type, 1);
	assert_json(j, "{\"type\":\"array\",\"maxItems\":2,\"x-kubernetes-list-type\":\"map\","
	               "\"x-kubernetes-list-map-keys\":[\"name\"],\"items\":{\"type\":\"object\",\"properties\":"
	               "{\"name\":{\"type\":\"string\"}}}}");
	json_decref(j);
	j = schema_openapi(schema_field(spec, "note")->type, 1);
	assert_json(j, "{\"type\":\"string\",\"nullable\":true}");
	json_decref(j);
	j = schema_openapi(schema_field(spec, "labels")->type, 1);
	assert_json(j, "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"},"
	               "\"x-kubernetes-map-type\":\"atomic\"}");
	json_decref(j);

	/* the same owner may replace it; another may not */
	s = J("{\"type\":\"object\",\"properties\":{\"spec\":{\"type\":\"string\"}}}");
	assert_int_equal(schema_define_openapi("crd:widgets", "com.example.v1.Widget", s, &err), SK_OK);
	assert_int_equal(schema_field(T("com.example.v1.Widget"), "spec")->type->kind, SCH_STRING);
	assert_int_equal(schema_define_openapi("crd:other", "com.example.v1.Widget", s, &err), SK_EEXIST);
	assert_string_equal(err.msg, "com.example.v1.Widget: type \"com.example.v1.Widget\" is already defined by "
	                             "\"crd:widgets\"");
	json_decref(s);
	schema_forget("crd:widgets");
	assert_null(schema_type("com.example.v1.Widget"));
}

static void test_crd_errors(void **state)
{
	(void)state;
	static const struct bad cases[] = {
		{"[]", "openAPIV3Schema: must be a schema object"},
		{"{\"type\":\"string\"}", "openAPIV3Schema: the root must be of type object"},
		{"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"strin\"}}}",
		 "openAPIV3Schema.properties[a].type: Unsupported value: \"strin\": supported values: \"array\", "
		 "\"boolean\", \"integer\", \"number\", \"object\", \"string\""},
		{"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\",\"properties\":{},"
		 "\"additionalProperties\":{\"type\":\"string\"}}}}",
		 "openAPIV3Schema.properties[a]: properties and additionalProperties are mutually exclusive"},
		{"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"(\"}}}", NULL},
		{"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"items\":{\"type\":\"string\","
		 "\"maxLength\":-1}}}}",
		 "openAPIV3Schema.properties[a].items.maxLength: must be a non-negative integer"},
		{"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":1}}}", "openAPIV3Schema.properties[a].type: must be a "
		                                                               "string"},
		{"{\"type\":\"object\",\"required\":\"a\"}", "openAPIV3Schema: required: must be a list of strings"},
		{"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"x-kubernetes-list-type\":\"bag\"}}}",
		 "openAPIV3Schema.properties[a]: x-kubernetes-list-type: Unsupported value: \"bag\""},
	};
	for (size_t i = 0; i < N(cases); i++) {
		json_t *s = J(cases[i].text);
		sk_err err = {0};
		int rc = schema_define_openapi("crd", "com.example.v1.Bad", s, &err);
		json_decref(s);
		if (rc != SK_EINVALID)
			fail_msg("case %zu: rc %d", i, rc);
		if (cases[i].msg && strcmp(err.msg, cases[i].msg))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err.msg, cases[i].msg);
		if (!cases[i].msg && !strstr(err.msg, "openAPIV3Schema.properties[a].pattern: invalid pattern"))
			fail_msg("case %zu: got \"%s\"", i, err.msg);
		assert_null(schema_type("com.example.v1.Bad"));
	}
	/* depth and size limits */
	json_t *deep = json_pack("{s:s}", "type", "string");
	for (int i = 0; i < 70; i++)
		deep = json_pack("{s:s, s:{s:o}}", "type", "object", "properties", "x", deep);
	sk_err err = {0};
	assert_int_equal(schema_define_openapi("crd", "com.example.v1.Deep", deep, &err), SK_EINVALID);
	if (!strstr(err.msg, ": nested more than 64 deep"))
		fail_msg("got \"%s\"", err.msg);
	json_decref(deep);
	json_t *props = json_object();
	for (int i = 0; i < 100001; i++) {
		char k[16];
		snprintf(k, sizeof k, "p%d", i);
		json_object_set_new(props, k, json_pack("{s:s}", "type", "string"));
	}
	json_t *wide = json_pack("{s:s, s:o}", "type", "object", "properties", props);
	assert_int_equal(schema_define_openapi("crd", "com.example.v1.Wide", wide, &err), SK_EINVALID);
	assert_non_null(strstr(err.msg, "more than 100000 schemas"));
	json_decref(wide);
	assert_int_equal(schema_define_openapi("crd", "bad name", deep, &err), SK_EINVALID);
}

/* ---- the built-in types --------------------------------------------------- */

static void test_meta_types(void **state)
{
	(void)state;
	sk_err err = {0};
	assert_int_equal(schema_check_refs(&err), SK_OK);
	const struct schema_node *om = T("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
	assert_int_equal(om->n_fields, 15);
	const struct schema_node *or = schema_field(om, "ownerReferences")->type;
	assert_string_equal(or->patch_merge_key, "uid");
	assert_string_equal(or->patch_strategy, "merge");
	assert_string_equal(or->list_type, "map");
	assert_string_equal(or->list_map_keys[0], "uid");
	assert_null(or->list_map_keys[1]);
	const struct schema_node *fin = schema_field(om, "finalizers")->type;
	assert_string_equal(fin->patch_strategy, "merge");
	assert_string_equal(fin->list_type, "set");
	assert_string_equal(schema_field(om, "managedFields")->type->list_type, "atomic");
	assert_string_equal(T("io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference")->map_type, "atomic");
	assert_string_equal(T("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector")->map_type, "atomic");
	assert_string_equal(T("io.k8s.apimachinery.pkg.apis.meta.v1.Time")->format, "date-time");
	assert_string_equal(T("io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime")->format, "date-time");
	static const char *const names[] = {
		"ListMeta", "LabelSelectorRequirement", "ManagedFieldsEntry", "FieldsV1", "Status", "StatusDetails",
		"StatusCause", "DeleteOptions", "Preconditions", "WatchEvent", "APIResource", "APIResourceList", "APIGroup",
		"APIGroupList", "GroupVersionForDiscovery", "ServerAddressByClientCIDR", "APIVersions", "Condition"};
	for (size_t i = 0; i < N(names); i++) {
		char full[200];
		snprintf(full, sizeof full, "io.k8s.apimachinery.pkg.apis.meta.v1.%s", names[i]);
		T(full);
	}
	T("io.k8s.apimachinery.pkg.version.Info");

	check_openapi(T("io.k8s.apimachinery.pkg.util.intstr.IntOrString"), 0,
	              "{\"description\":\"IntOrString is a type that can hold an int32 or a string.\","
	              "\"format\":\"int-or-string\",\"type\":\"string\"}");
	check_openapi(T("io.k8s.apimachinery.pkg.util.intstr.IntOrString"), 1,
	              "{\"description\":\"IntOrString is a type that can hold an int32 or a string.\","
	              "\"format\":\"int-or-string\",\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"string\"}]}");
	check_openapi(T("io.k8s.apimachinery.pkg.api.resource.Quantity"), 0,
	              "{\"description\":\"Quantity is a fixed-point representation of a number.\",\"type\":\"string\"}");
	check_openapi(T("io.k8s.apimachinery.pkg.api.resource.Quantity"), 1,
	              "{\"description\":\"Quantity is a fixed-point representation of a number.\","
	              "\"oneOf\":[{\"type\":\"string\"},{\"type\":\"number\"}]}");
	check_openapi(T("io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"), 1,
	              "{\"description\":\"FieldsV1 stores a set of fields in a data structure like a Trie, in JSON "
	              "format.\",\"type\":\"object\"}");
	check_openapi(T("io.k8s.apimachinery.pkg.runtime.RawExtension"), 0,
	              "{\"description\":\"RawExtension is used to hold extensions in external versions.\","
	              "\"type\":\"object\"}");
	check_openapi(T("io.k8s.apimachinery.pkg.apis.meta.v1.Time"), 1,
	              "{\"description\":\"Time is a wrapper around time.Time which supports correct marshaling to YAML "
	              "and JSON.\",\"format\":\"date-time\",\"type\":\"string\"}");
	check_openapi(T("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement"), 0,
	              "{\"description\":\"A label selector requirement is a selector that contains values, a key, and an "
	              "operator that relates the key and values.\",\"properties\":{\"key\":{\"description\":\"key is the "
	              "label key that the selector applies to.\",\"type\":\"string\",\"x-kubernetes-patch-merge-key\":"
	              "\"key\",\"x-kubernetes-patch-strategy\":\"merge\"},\"operator\":{\"description\":\"operator "
	              "represents a key's relationship to a set of values.\",\"type\":\"string\"},\"values\":{"
	              "\"description\":\"values is an array of string values.\",\"items\":{\"type\":\"string\"},"
	              "\"type\":\"array\",\"x-kubernetes-list-type\":\"atomic\"}},\"required\":[\"key\",\"operator\"],"
	              "\"type\":\"object\"}");
	json_t *c = schema_openapi(T("io.k8s.apimachinery.pkg.apis.meta.v1.Condition"), 1);
	assert_json(json_object_get(c, "required"),
	            "[\"type\",\"status\",\"lastTransitionTime\",\"reason\",\"message\"]");
	json_decref(c);
	json_t *d = schema_openapi(T("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"), 0);
	json_t *gvk = json_object_get(d, "x-kubernetes-group-version-kind");
	assert_true(json_array_size(gvk) > 50);
	assert_json(json_array_get(gvk, 0), "{\"group\":\"\",\"kind\":\"DeleteOptions\",\"version\":\"v1\"}");
	json_decref(d);

	/* metadata validates like any type */
	check_causes("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
	             "{\"name\":\"a\",\"labels\":{\"x\":1},\"creationTimestamp\":\"yesterday\",\"ownerReferences\":"
	             "[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"p\"}],\"generation\":\"1\"}",
	             NULL,
	             "[{\"reason\":\"FieldValueTypeInvalid\",\"message\":\"Invalid value: \\\"integer\\\": labels[x] in "
	             "body must be of type string: \\\"integer\\\"\",\"field\":\"labels[x]\"},"
	             "{\"reason\":\"FieldValueTypeInvalid\",\"message\":\"Invalid value: \\\"yesterday\\\": "
	             "creationTimestamp in body must be of type date-time: \\\"yesterday\\\"\","
	             "\"field\":\"creationTimestamp\"},"
	             "{\"reason\":\"FieldValueRequired\",\"message\":\"Required value\",\"field\":\"ownerReferences[0].uid\"},"
	             "{\"reason\":\"FieldValueTypeInvalid\",\"message\":\"Invalid value: \\\"string\\\": generation in "
	             "body must be of type integer: \\\"string\\\"\",\"field\":\"generation\"}]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owners, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolution, setup, teardown),
		cmocka_unit_test_setup_teardown(test_field_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validate_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validate_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_immutable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_openapi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crd_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meta_types, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
