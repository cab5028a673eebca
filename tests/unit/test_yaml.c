/* test_yaml.c — YAML to JSON: scalar resolution, structure, documents,
 * anchors and merges, the safety caps, and error positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "err.h"
#include "yaml.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first document of text as JSON; fails the test on any error. */
static json_t *load_json(const char *text)
{
	sk_err err = {0};
	struct yaml_node *n = yaml_load(text, strlen(text), "t.yaml", &err);
	if (!n)
		fail_msg("yaml_load failed: %s", err.msg);
	json_t *j = yaml_to_json_file(n, "t.yaml", &err);
	if (!j)
		fail_msg("yaml_to_json failed: %s", err.msg);
	yaml_node_free(n);
	return j;
}

static void assert_json(json_t *got, const char *want_text)
{
	json_error_t je;
	json_t *want = json_loads(want_text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (!want)
		fail_msg("bad expectation %s: %s", want_text, je.text);
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_COMPACT);
		char *w = json_dumps(want, JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_COMPACT);
		print_error("got  %s\nwant %s\n", g, w);
		free(g);
		free(w);
		fail();
	}
	json_decref(want);
}

static void assert_yaml(const char *text, const char *want)
{
	json_t *j = load_json(text);
	assert_json(j, want);
	json_decref(j);
}

/* Loading text (and converting it) fails with code and exactly msg. */
static void assert_yaml_error(const char *text, size_t len, int code, const char *msg)
{
	sk_err err = {0};
	json_t *docs = NULL;
	int rc = yaml_load_all(text, len, "t.yaml", &docs, &err);
	assert_null(docs);
	assert_int_equal(rc, code);
	assert_int_equal(err.code, code);
	assert_string_equal(err.msg, msg);
}

static void assert_error(const char *text, const char *msg)
{
	assert_yaml_error(text, strlen(text), SK_EINVALID, msg);
}

static void test_scalar_resolution(void **state)
{
	(void)state;
	static const struct {
		const char *yaml, *json;
	} table[] = {
		/* booleans: only the three spellings of true/false */
		{"true", "true"}, {"True", "true"}, {"TRUE", "true"},
		{"false", "false"}, {"False", "false"}, {"FALSE", "false"},
		{"tRUE", "\"tRUE\""},
		{"yes", "\"yes\""}, {"no", "\"no\""}, {"on", "\"on\""}, {"off", "\"off\""},
		{"y", "\"y\""}, {"Yes", "\"Yes\""}, {"OFF", "\"OFF\""},
		/* nulls */
		{"null", "null"}, {"Null", "null"}, {"NULL", "null"}, {"~", "null"}, {"", "null"},
		{"nULL", "\"nULL\""},
		/* integers */
		{"0", "0"}, {"-0", "0"}, {"42", "42"}, {"+42", "42"}, {"-17", "-17"},
		{"1_000_000", "1000000"}, {"0x1F", "31"}, {"0X1f", "31"}, {"-0x10", "-16"},
		{"0o17", "15"}, {"0644", "420"}, {"0b101", "5"}, {"019", "19"},
		{"9223372036854775807", "9223372036854775807"},
		{"-9223372036854775808", "-9223372036854775808"},
		{"0x", "\"0x\""}, {"0xZZ", "\"0xZZ\""}, {"0o8", "\"0o8\""},
		{"0xFFFFFFFFFFFFFFFFFF", "\"0xFFFFFFFFFFFFFFFFFF\""},
		/* floats */
		{"1.5", "1.5"}, {"-2.25", "-2.25"}, {"1e3", "1000.0"}, {"1E-2", "0.01"},
		{".5", "0.5"}, {"1.", "1.0"}, {"+.5", "0.5"}, {"0.0", "0.0"},
		{"1_000.5", "1000.5"}, {"9223372036854775808", "9223372036854775808.0"},
		{"1e400", "\"1e400\""}, {"1.2.3", "\"1.2.3\""}, {".", "\".\""},
		{"inf", "\"inf\""}, {"NaN", "\"NaN\""}, {"Infinity", "\"Infinity\""},
		/* strings */
		{"abc", "\"abc\""}, {"2001-12-14", "\"2001-12-14\""}, {"12:30", "\"12:30\""},
		{"\"42\"", "\"42\""}, {"'true'", "\"true\""}, {"\"\"", "\"\""}, {"''", "\"\""},
		{"'null'", "\"null\""}, {"\"~\"", "\"~\""}, {"-x", "\"-x\""}, {"+", "\"+\""},
		{"a b c", "\"a b c\""}, {"\"tab\\there\"", "\"tab\\there\""},
		{"\"\\u00e9\"", "\"\\u00e9\""}, {"\"nul\\0byte\"", "\"nul\\u0000byte\""},
		/* explicit tags */
		{"!!str 123", "\"123\""}, {"!!str true", "\"true\""}, {"!!int \"42\"", "42"},
		{"!!float 3", "3.0"}, {"!!bool \"false\"", "false"}, {"!!null ''", "null"},
		{"! 12", "\"12\""}, {"!custom 7", "\"7\""}, {"!!timestamp 2001-12-14", "\"2001-12-14\""},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		char doc[128];
		snprintf(doc, sizeof doc, "v: %s\n", table[i].yaml);
		char want[160];
		snprintf(want, sizeof want, "{\"v\": %s}", table[i].json);
		assert_yaml(doc, want);
	}
}

static void test_non_finite_floats_rejected(void **state)
{
	(void)state;
	assert_error("a: 1\nb: .inf\n", "t.yaml:2:4: .inf cannot be represented in JSON");
	assert_error("b: [1, -.Inf]\n", "t.yaml:1:8: .inf cannot be represented in JSON");
	assert_error("x:\n  y: .NaN\n", "t.yaml:2:6: .nan cannot be represented in JSON");
	/* as keys they are only text */
	assert_yaml(".inf: 1\n.nan: 2\n", "{\".inf\": 1, \".nan\": 2}");
}

static void test_bad_tags(void **state)
{
	(void)state;
	assert_error("a: !!int abc\n", "t.yaml:1:4: cannot decode \"abc\" as !!int");
	assert_error("a: !!bool yes\n", "t.yaml:1:4: cannot decode \"yes\" as !!bool");
	assert_error("a: !!float x\n", "t.yaml:1:4: cannot decode \"x\" as !!float");
	assert_error("a: !!null 0\n", "t.yaml:1:4: cannot decode \"0\" as !!null");
}

static void test_non_string_keys(void **state)
{
	(void)state;
	assert_yaml("1: a\n0x10: b\ntrue: c\n~: d\n1.50: e\n2.0: f\n-3: g\n",
	            "{\"1\": \"a\", \"16\": \"b\", \"true\": \"c\", \"null\": \"d\", \"1.5\": \"e\","
	            " \"2\": \"f\", \"-3\": \"g\"}");
	/* 1 and "1" are the same JSON key */
	assert_error("1: a\n\"1\": b\n", "t.yaml:2:1: duplicate key \"1\" (first defined at 1:1)");
	assert_error("? [a, b]\n: c\n", "t.yaml:1:3: mapping keys must be scalars");
	assert_error("? {a: b}\n: c\n", "t.yaml:1:3: mapping keys must be scalars");
	assert_error("\"a\\0b\": 1\n", "t.yaml:1:1: mapping key contains a NUL character");
}

static void test_nested(void **state)
{
	(void)state;
	assert_yaml("apiVersion: v1\n"
	            "kind: Pod\n"
	            "metadata:\n"
	            "  name: web\n"
	            "  labels: {app: web, \"app.kubernetes.io/name\": web}\n"
	            "spec:\n"
	            "  containers:\n"
	            "    - name: nginx\n"
	            "      image: nginx:1.25\n"
	            "      ports:\n"
	            "        - containerPort: 80\n"
	            "          protocol: TCP\n"
	            "      args: [\"-g\", 'daemon off;']\n"
	            "  volumes: []\n"
	            "  nodeSelector: {}\n"
	            "  empty:\n",
	            "{\"apiVersion\": \"v1\", \"kind\": \"Pod\","
	            " \"metadata\": {\"name\": \"web\", \"labels\": {\"app\": \"web\","
	            "   \"app.kubernetes.io/name\": \"web\"}},"
	            " \"spec\": {\"containers\": [{\"name\": \"nginx\", \"image\": \"nginx:1.25\","
	            "   \"ports\": [{\"containerPort\": 80, \"protocol\": \"TCP\"}],"
	            "   \"args\": [\"-g\", \"daemon off;\"]}],"
	            "  \"volumes\": [], \"nodeSelector\": {}, \"empty\": null}}");
	assert_yaml("- [1, [2, [3]]]\n- {a: {b: {c: [x]}}}\n- - - deep\n",
	            "[[1, [2, [3]]], {\"a\": {\"b\": {\"c\": [\"x\"]}}}, [[\"deep\"]]]");
	assert_yaml("plain scalar\n", "\"plain scalar\"");
	assert_yaml("42\n", "42");
}

static void test_positions(void **state)
{
	(void)state;
	const char *text = "a: 1\n"
	                   "b:\n"
	                   "  - x\n"
	                   "  - {k: v}\n"
	                   "\"c\": |\n"
	                   "  text\n";
	sk_err err = {0};
	struct yaml_node *n = yaml_load(text, strlen(text), "p.yaml", &err);
	assert_non_null(n);
	assert_int_equal(n->type, YN_MAP);
	assert_int_equal(n->line, 1);
	assert_int_equal(n->col, 1);
	assert_int_equal(n->n, 3);
	assert_string_equal(n->keys[0], "a");
	assert_int_equal(n->key_line[0], 1);
	assert_int_equal(n->key_col[0], 1);
	assert_int_equal(n->items[0]->line, 1);
	assert_int_equal(n->items[0]->col, 4);
	assert_int_equal(n->items[0]->kind, YK_INT);
	assert_int_equal(n->items[0]->i, 1);
	assert_true(n->items[0]->plain);

	const struct yaml_node *b = yaml_map_get(n, "b", NULL);
	assert_non_null(b);
	assert_int_equal(b->type, YN_SEQ);
	assert_int_equal(b->line, 3);
	assert_int_equal(b->col, 3);
	assert_int_equal(b->items[0]->line, 3);
	assert_int_equal(b->items[0]->col, 5);
	const struct yaml_node *m = b->items[1];
	assert_int_equal(m->type, YN_MAP);
	assert_int_equal(m->line, 4);
	assert_int_equal(m->col, 5);
	assert_int_equal(m->key_line[0], 4);
	assert_int_equal(m->key_col[0], 6);
	assert_int_equal(m->items[0]->col, 9);

	size_t idx = 99;
	const struct yaml_node *c = yaml_map_get(n, "c", &idx);
	assert_int_equal(idx, 2);
	assert_int_equal(n->key_line[2], 5);
	assert_int_equal(n->key_col[2], 1);
	assert_false(c->plain);
	assert_int_equal(c->kind, YK_STR);
	assert_string_equal(c->scalar, "text\n");
	assert_null(yaml_map_get(n, "zz", NULL));
	yaml_node_free(n);
}

static void test_block_scalars(void **state)
{
	(void)state;
	assert_yaml("a: |\n  one\n  two\n", "{\"a\": \"one\\ntwo\\n\"}");
	assert_yaml("a: |-\n  one\n  two\n", "{\"a\": \"one\\ntwo\"}");
	assert_yaml("a: |+\n  one\n\n\nb: 1\n", "{\"a\": \"one\\n\\n\\n\", \"b\": 1}");
	assert_yaml("a: >\n  one\n  two\n\n  three\n", "{\"a\": \"one two\\nthree\\n\"}");
	assert_yaml("a: >-\n  folded\n  text\n", "{\"a\": \"folded text\"}");
	assert_yaml("a: |2\n    indented\n  less\n", "{\"a\": \"  indented\\nless\\n\"}");
	/* block scalars are text even when they look like something else */
	assert_yaml("a: |\n  true\nb: >-\n  42\n", "{\"a\": \"true\\n\", \"b\": \"42\"}");
	assert_yaml("script: |\n  #!/bin/sh\n  echo \"$HOME\": done\n",
	            "{\"script\": \"#!/bin/sh\\necho \\\"$HOME\\\": done\\n\"}");
}

static void test_multi_document(void **state)
{
	(void)state;
	const char *text = "# leading comment\n"
	                   "---\n"
	                   "kind: A\n"
	                   "---\n"
	                   "# only a comment\n"
	                   "---\n"
	                   "---\n"
	                   "kind: B\n"
	                   "...\n"
	                   "--- [1, 2]\n"
	                   "--- null\n";
	sk_err err = {0};
	json_t *docs = NULL;
	assert_int_equal(yaml_load_all(text, strlen(text), "m.yaml", &docs, &err), SK_OK);
	assert_json(docs, "[{\"kind\": \"A\"}, {\"kind\": \"B\"}, [1, 2], null]");
	json_decref(docs);

	/* yaml_load: the first non-empty document, later ones not read */
	struct yaml_node *n = yaml_load(text, strlen(text), "m.yaml", &err);
	assert_non_null(n);
	assert_string_equal(n->keys[0], "kind");
	assert_string_equal(n->items[0]->scalar, "A");
	yaml_node_free(n);

	/* yaml_load_single: a second real document is an error at its start */
	n = yaml_load_single(text, strlen(text), "m.yaml", &err);
	assert_null(n);
	assert_int_equal(err.code, SK_EINVALID);
	assert_string_equal(err.msg, "m.yaml:7:1: expected a single YAML document, found another");
	const char *one = "---\na: 1\n---\n# nothing\n";
	n = yaml_load_single(one, strlen(one), "m.yaml", &err);
	assert_non_null(n);
	yaml_node_free(n);

	/* anchors do not cross documents */
	const char *cross = "a: &x 1\n---\nb: *x\n";
	assert_yaml_error(cross, strlen(cross), SK_EINVALID, "t.yaml:3:4: unknown anchor \"x\"");

	/* an error in a later document fails the whole stream */
	const char *later = "a: 1\n---\nb: [\n";
	assert_yaml_error(later, strlen(later), SK_EINVALID,
	                  "t.yaml:4:1: did not find expected node content (while parsing a flow node"
	                  " at 4:1)");
}

static void test_empty_inputs(void **state)
{
	(void)state;
	static const char *const empties[] = {"", "\n\n", "# just a comment\n", "---\n", "---\n...\n",
	                                      "--- \n---\n"};
	for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
		sk_err err = {.code = 99};
		strcpy(err.msg, "stale");
		struct yaml_node *n = yaml_load(empties[i], strlen(empties[i]), "e.yaml", &err);
		assert_null(n);
		assert_int_equal(err.code, SK_OK);
		assert_string_equal(err.msg, "");
		json_t *docs = NULL;
		assert_int_equal(yaml_load_all(empties[i], strlen(empties[i]), NULL, &docs, &err), SK_OK);
		assert_int_equal(json_array_size(docs), 0);
		json_decref(docs);
	}
	sk_err err = {0};
	assert_null(yaml_load(NULL, 0, NULL, &err));
	assert_int_equal(err.code, SK_OK);
	/* explicit values are not empty */
	assert_yaml("--- ''\n", "\"\"");
	assert_yaml("--- ~\n", "null");
}

static void test_anchors_and_merge(void **state)
{
	(void)state;
	assert_yaml("base: &b {cpu: 1, mem: 2}\n"
	            "copy: *b\n"
	            "list: [&s hello, *s, *s]\n",
	            "{\"base\": {\"cpu\": 1, \"mem\": 2}, \"copy\": {\"cpu\": 1, \"mem\": 2},"
	            " \"list\": [\"hello\", \"hello\", \"hello\"]}");
	/* explicit keys win over merged ones, wherever they stand */
	assert_yaml("defaults: &d {a: 1, b: 2, c: 3}\n"
	            "x:\n"
	            "  b: 20\n"
	            "  <<: *d\n"
	            "  c: 30\n",
	            "{\"defaults\": {\"a\": 1, \"b\": 2, \"c\": 3},"
	            " \"x\": {\"a\": 1, \"b\": 20, \"c\": 30}}");
	/* in a list of sources the earlier one wins */
	assert_yaml("p: &p {a: 1}\nq: &q {a: 2, b: 2}\nr: {<<: [*p, *q], c: 3}\n",
	            "{\"p\": {\"a\": 1}, \"q\": {\"a\": 2, \"b\": 2}, \"r\": {\"a\": 1, \"b\": 2, \"c\": 3}}");
	/* inline sources, !!merge, and a quoted "<<" that is only a key */
	assert_yaml("a: {<<: {x: 1}}\nb: {!!merge <<: {y: 2}}\nc: {\"<<\": 3}\n",
	            "{\"a\": {\"x\": 1}, \"b\": {\"y\": 2}, \"c\": {\"<<\": 3}}");
	/* a merged source that was anchored stays usable afterwards */
	assert_yaml("a: {<<: &m {k: v}}\nb: *m\n", "{\"a\": {\"k\": \"v\"}, \"b\": {\"k\": \"v\"}}");
	/* anchors may be redefined; the latest wins. Anchored keys can be aliased */
	assert_yaml("a: &x 1\nb: &x 2\nc: *x\n&k key: 1\nother: *k\n",
	            "{\"a\": 1, \"b\": 2, \"c\": 2, \"key\": 1, \"other\": \"key\"}");
	/* duplicate explicit keys are still refused next to a merge */
	assert_error("d: &d {a: 1}\ne:\n  <<: *d\n  z: 1\n  z: 2\n",
	             "t.yaml:5:3: duplicate key \"z\" (first defined at 4:3)");
	assert_error("a: {<<: 1}\n",
	             "t.yaml:1:9: a merge key (<<) needs a mapping or a list of mappings");
	assert_error("a: {<<: [{x: 1}, 2]}\n",
	             "t.yaml:1:18: a merge key (<<) needs a mapping or a list of mappings");
	assert_error("a: *nope\n", "t.yaml:1:4: unknown anchor \"nope\"");
	/* an anchor is not defined inside its own node */
	assert_error("a: &r [*r]\n", "t.yaml:1:8: unknown anchor \"r\"");
}

static void test_billion_laughs(void **state)
{
	(void)state;
	/* 10^9 strings if expanded */
	const char *lol = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	                  "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	                  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	                  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	                  "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
	                  "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	                  "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	                  "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
	                  "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	/* copies made for b..e total 74718 nodes; e itself is 66430, so the
	 * first *e crosses 100000 */
	assert_error(lol, "t.yaml:6:8: alias expansion exceeds 100000 nodes");
	sk_err err = {0};
	assert_null(yaml_load(lol, strlen(lol), "t.yaml", &err));
	assert_string_equal(err.msg, "t.yaml:6:8: alias expansion exceeds 100000 nodes");

	/* few nodes but large scalars: the byte cap */
	size_t big = 4u << 20;
	char *text = malloc(big + 256);
	assert_non_null(text);
	char *p = text + sprintf(text, "s: &s \"");
	memset(p, 'x', big);
	p += big;
	p += sprintf(p, "\"\nl: [");
	for (int i = 0; i < 17; i++)
		p += sprintf(p, "%s*s", i ? "," : "");
	p += sprintf(p, "]\n");
	assert_yaml_error(text, (size_t)(p - text), SK_EINVALID,
	                  "t.yaml:2:53: alias expansion exceeds 67108864 bytes");
	free(text);

	/* the cap is per document */
	assert_yaml("a: &a [1, 2]\nb: [*a, *a]\n---\nc: &c [3]\nd: *c\n",
	            "{\"a\": [1, 2], \"b\": [[1, 2], [1, 2]]}");
}

static char *nested(int depth, const char *open, const char *close)
{
	size_t lo = strlen(open), lc = strlen(close);
	char *s = malloc((size_t)depth * (lo + lc) + 1), *p = s;
	for (int i = 0; i < depth; i++, p += lo)
		memcpy(p, open, lo);
	for (int i = 0; i < depth; i++, p += lc)
		memcpy(p, close, lc);
	*p = 0;
	return s;
}

static void test_depth_cap(void **state)
{
	(void)state;
	char *ok = nested(64, "[", "]");
	json_t *j = load_json(ok);
	json_decref(j);
	free(ok);

	char *deep = nested(65, "[", "]");
	assert_error(deep, "t.yaml:1:65: nesting deeper than 64 levels");
	free(deep);
	deep = nested(200000, "{a: ", "}");
	assert_error(deep, "t.yaml:1:257: nesting deeper than 64 levels");
	free(deep);

	/* an alias may not push a deep node past the cap */
	char *inner = nested(60, "[", "]");
	char doc[512];
	snprintf(doc, sizeof doc, "a: &a %s\nb: [[[[*a]]]]\n", inner);
	assert_error(doc, "t.yaml:2:8: nesting deeper than 64 levels");
	snprintf(doc, sizeof doc, "a: &a %s\nb: [[[*a]]]\n", inner);
	j = load_json(doc);
	json_decref(j);
	free(inner);
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	assert_error("a: 1\nb: 2\na: 3\n", "t.yaml:3:1: duplicate key \"a\" (first defined at 1:1)");
	assert_error("top:\n  x: 1\n  y: {k: 1, k: 2}\n",
	             "t.yaml:3:13: duplicate key \"k\" (first defined at 3:7)");
	assert_error("true: 1\nTrue: 2\n", "t.yaml:2:1: duplicate key \"true\" (first defined at 1:1)");
	/* the same key in different maps is fine */
	assert_yaml("a: {k: 1}\nb: {k: 2}\n", "{\"a\": {\"k\": 1}, \"b\": {\"k\": 2}}");
}

static void test_syntax_error_positions(void **state)
{
	(void)state;
	assert_error("a: 1\n b: 2\n", "t.yaml:2:3: mapping values are not allowed in this context");
	assert_error("a: [1, 2\nb: 3\n",
	             "t.yaml:2:2: did not find expected ',' or ']' (while parsing a flow sequence at 1:4)");
	assert_error("key: \"unterminated\n",
	             "t.yaml:2:1: found unexpected end of stream (while scanning a quoted scalar at 1:6)");
	assert_error("a:\n\t- b\n",
	             "t.yaml:2:1: found character that cannot start any token (while scanning for the"
	             " next token at 2:1)");
	assert_error("- a\nb: c\n",
	             "t.yaml:2:1: did not find expected '-' indicator (while parsing a block collection"
	             " at 1:1)");
	assert_error("a: @x\n", "t.yaml:1:4: found character that cannot start any token (while"
	                        " scanning for the next token at 1:4)");
	/* libyaml reports bad encodings by byte offset; we turn that into a position */
	assert_error("a: 1\nbb: \"\xff\"\n", "t.yaml:2:6: invalid leading UTF-8 octet");
	assert_error("a: \xc3\xa9\xc3\n", "t.yaml:1:6: invalid trailing UTF-8 octet");
	assert_error("a: \xc3", "t.yaml:1:4: incomplete UTF-8 octet sequence");
	/* no filename */
	sk_err err = {0};
	assert_null(yaml_load("a: b: c\n", 8, NULL, &err));
	assert_string_equal(err.msg, "<input>:1:5: mapping values are not allowed in this context");
	json_t *docs = (json_t *)1;
	assert_int_equal(yaml_load_all("[", 1, NULL, &docs, &err), SK_EINVALID);
	assert_null(docs);
	/* libyaml places the end of a stream without a final newline on the next line */
	assert_string_equal(err.msg,
	                    "<input>:2:1: did not find expected node content (while parsing a flow"
	                    " node at 2:1)");
}

static void test_size_cap(void **state)
{
	(void)state;
	size_t len = YAML_MAX_BYTES + 1;
	char *text = malloc(len);
	assert_non_null(text);
	memset(text, ' ', len);
	assert_yaml_error(text, len, SK_ETOOLARGE,
	                  "t.yaml:1:1: input of 16777217 bytes exceeds the limit of 16777216 bytes");
	sk_err err = {0};
	assert_null(yaml_load(text, len, "t.yaml", &err));
	assert_int_equal(err.code, SK_ETOOLARGE);
	free(text);
}

static void test_nul_in_values(void **state)
{
	(void)state;
	const char text[] = "a: \"x\\0y\"\n";
	json_t *j = load_json(text);
	json_t *a = json_object_get(j, "a");
	assert_int_equal(json_string_length(a), 3);
	assert_memory_equal(json_string_value(a), "x\0y", 3);
	json_decref(j);
	/* raw NUL bytes in the input are not YAML */
	assert_yaml_error("a: x\0y\n", 7, SK_EINVALID,
	                  "t.yaml:1:5: control characters are not allowed");
}

static void test_to_json_hand_built(void **state)
{
	(void)state;
	sk_err err = {0};
	assert_null(yaml_to_json(NULL, &err));
	assert_string_equal(err.msg, "<input>:1:1: no YAML value");
	struct yaml_node s = {.type = YN_SCALAR, .line = 3, .col = 7, .scalar = "\xff", .len = 1};
	assert_null(yaml_to_json(&s, &err));
	assert_string_equal(err.msg, "<input>:3:7: string is not valid UTF-8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalar_resolution),
		cmocka_unit_test(test_non_finite_floats_rejected),
		cmocka_unit_test(test_bad_tags),
		cmocka_unit_test(test_non_string_keys),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_block_scalars),
		cmocka_unit_test(test_multi_document),
		cmocka_unit_test(test_empty_inputs),
		cmocka_unit_test(test_anchors_and_merge),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_depth_cap),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_syntax_error_positions),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_nul_in_values),
		cmocka_unit_test(test_to_json_hand_built),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
