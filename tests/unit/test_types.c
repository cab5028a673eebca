/* test_types.c — custom resource types through the SDK (core/types.c):
 * sk_types_define_openapi naming and owning a CRD version's type with its
 * group/version/kind, sk_types_forget dropping one owner key's types
 * alone, a plugin's unload dropping them all, and CRD patterns (RE2
 * syntax) validating as Kubernetes' Go regexp does. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "plugin_host.h"
#include "schema.h"
#include <skiff/resource.h>

static struct sk_plugin plug = {.name = "api-x"}, other = {.name = "api-y"};

static sk_obj *parse(const char *text)
{
	sk_err err = {0};
	sk_obj *o = sk_obj_parse(text, strlen(text), &err);
	if (!o)
		fail_msg("bad test JSON %s: %s", text, err.msg);
	return o;
}

static int setup(void **state)
{
	(void)state;
	sk_err err = {0};
	return schema_init(&err) == SK_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	schema_fini();
	return 0;
}

static const char widget[] = "{\"type\":\"object\",\"properties\":{\"spec\":{\"type\":\"object\",\"properties\":"
                             "{\"size\":{\"type\":\"integer\",\"default\":3}}}}}";

static void define(sk_plugin *p, const char *key, const char *name, const char *gvk, const char *schema)
{
	sk_err err = {0};
	sk_obj *s = parse(schema);
	int rc = sk_types_define_openapi(p, key, name, gvk, s, &err);
	sk_obj_unref(s);
	if (rc != SK_OK)
		fail_msg("define %s: %s", name, err.msg);
}

static void test_define_with_gvk(void **state)
{
	(void)state;
	define(&plug, "widgets.example.com", "com.example.v1.Widget", "example.com/v1/Widget", widget);
	const struct schema_node *t = schema_type("com.example.v1.Widget");
	assert_non_null(t);
	assert_string_equal(t->gvks[0], "example.com/v1/Widget");
	assert_null(t->gvks[1]);
	assert_ptr_equal(schema_type_by_gvk("example.com/v1/Widget"), t);
	/* kubectl explain finds the kind by this extension in /openapi/v3 */
	json_t *j = schema_openapi(t, 1);
	json_t *g = json_array_get(json_object_get(j, "x-kubernetes-group-version-kind"), 0);
	assert_string_equal(json_string_value(json_object_get(g, "group")), "example.com");
	assert_string_equal(json_string_value(json_object_get(g, "version")), "v1");
	assert_string_equal(json_string_value(json_object_get(g, "kind")), "Widget");
	json_decref(j);
	/* defaults from the schema */
	json_t *o = json_loads("{\"spec\":{}}", 0, NULL);
	schema_apply_defaults(t, o);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "spec"), "size")), 3);
	json_decref(o);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	sk_err err = {0};
	sk_obj *s = parse(widget);
	assert_int_equal(sk_types_define_openapi(&plug, "", "com.example.v1.A", NULL, s, &err), SK_EINVALID);
	assert_int_equal(sk_types_define_openapi(&plug, NULL, "com.example.v1.A", NULL, s, &err), SK_EINVALID);
	assert_int_equal(sk_types_define_openapi(&plug, "k", "com.example.v1.A", NULL, NULL, &err), SK_EINVALID);
	assert_int_equal(sk_types_define_openapi(&plug, "k", "com.example.v1.A", "example.com/Widget", s, &err),
	                 SK_EINVALID);
	assert_string_equal(err.msg, "invalid group/version/kind \"example.com/Widget\" (want GROUP/VERSION/KIND)");
	assert_int_equal(sk_types_define_openapi(&plug, "k", "com.example.v1.A", "a/v1/", s, &err), SK_EINVALID);
	assert_null(schema_type("com.example.v1.A"));
	sk_obj_unref(s);
	/* the schema's own errors name their place */
	s = parse("{\"type\":\"object\",\"properties\":{\"spec\":{\"type\":\"strange\"}}}");
	assert_int_equal(sk_types_define_openapi(&plug, "k", "com.example.v1.A", NULL, s, &err), SK_EINVALID);
	assert_non_null(strstr(err.msg, "openAPIV3Schema.properties[spec].type: Unsupported value: \"strange\""));
	sk_obj_unref(s);
}

static void test_owners(void **state)
{
	(void)state;
	sk_err err = {0};
	define(&plug, "widgets.example.com", "com.example.v1.Widget", "example.com/v1/Widget", widget);
	define(&plug, "widgets.example.com", "com.example.v2.Widget", "example.com/v2/Widget", widget);
	define(&plug, "gadgets.example.com", "com.example.v1.Gadget", "example.com/v1/Gadget", widget);
	/* the same key replaces; another key or plugin may not take the name */
	define(&plug, "widgets.example.com", "com.example.v1.Widget", "example.com/v1/Widget",
	       "{\"type\":\"object\",\"properties\":{\"spec\":{\"type\":\"string\"}}}");
	assert_int_equal(schema_field(schema_type("com.example.v1.Widget"), "spec")->type->kind, SCH_STRING);
	sk_obj *s = parse(widget);
	assert_int_equal(sk_types_define_openapi(&plug, "gadgets.example.com", "com.example.v1.Widget", NULL, s, &err),
	                 SK_EEXIST);
	assert_int_equal(sk_types_define_openapi(&other, "widgets.example.com", "com.example.v1.Widget", NULL, s, &err),
	                 SK_EEXIST);
	assert_non_null(strstr(err.msg, "is already defined by \"api-x/widgets.example.com\""));
	sk_obj_unref(s);
	/* one key's types go alone */
	sk_types_forget(&plug, "widgets.example.com");
	assert_null(schema_type("com.example.v1.Widget"));
	assert_null(schema_type("com.example.v2.Widget"));
	assert_null(schema_type_by_gvk("example.com/v1/Widget"));
	assert_non_null(schema_type("com.example.v1.Gadget"));
	sk_types_forget(&plug, "no-such-key");
	sk_types_forget(&plug, NULL);
	assert_non_null(schema_type("com.example.v1.Gadget"));
	/* a plugin's unload (schema_forget of its name) takes its keys' types too,
	 * and nobody else's */
	define(&other, "gadgets.example.org", "org.example.v1.Gadget", NULL, widget);
	schema_forget("api-x");
	assert_null(schema_type("com.example.v1.Gadget"));
	assert_non_null(schema_type("org.example.v1.Gadget"));
	/* "api-x" is not a prefix owner of "api-xy" */
	struct sk_plugin xy = {.name = "api-xy"};
	define(&xy, "k", "com.example.v1.Xy", NULL, widget);
	schema_forget("api-x");
	assert_non_null(schema_type("com.example.v1.Xy"));
	/* built-in types are untouched */
	assert_non_null(schema_type("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
}

/* does value pass a string field of the given pattern? */
static int matches(const char *pattern, const char *value)
{
	json_t *s = json_pack("{s:s, s:{s:{s:s, s:s}}}", "type", "object", "properties", "v", "type", "string",
	                      "pattern", pattern);
	sk_err err = {0};
	sk_types_forget(&plug, "p");
	if (sk_types_define_openapi(&plug, "p", "com.example.v1.P", NULL, O(s), &err) != SK_OK)
		fail_msg("pattern %s: %s", pattern, err.msg);
	json_decref(s);
	json_t *o = json_pack("{s:s}", "v", value), *causes = json_array();
	size_t n = schema_validate(schema_type("com.example.v1.P"), o, NULL, causes, NULL);
	json_decref(o);
	json_decref(causes);
	return n == 0;
}

static void refused(const char *pattern, const char *why)
{
	json_t *s = json_pack("{s:s, s:{s:{s:s, s:s}}}", "type", "object", "properties", "v", "type", "string",
	                      "pattern", pattern);
	sk_err err = {0};
	if (sk_types_define_openapi(&plug, "p", "com.example.v1.Q", NULL, O(s), &err) == SK_OK)
		fail_msg("pattern %s: accepted, want an error with %s", pattern, why);
	json_decref(s);
	if (!strstr(err.msg, why))
		fail_msg("pattern %s: error \"%s\", want \"%s\"", pattern, err.msg, why);
}

static void test_re2_patterns(void **state)
{
	(void)state;
	/* Kubernetes' own CronTab example */
	const char *cron = "^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$";
	assert_true(matches(cron, "* * * * */5"));
	assert_true(matches(cron, "0 12 * * 1"));
	assert_false(matches(cron, "every minute"));
	assert_false(matches(cron, "* * * * d"));
	assert_true(matches("^\\d+$", "0123456789"));
	assert_false(matches("^\\d+$", "12a"));
	assert_true(matches("^\\w+$", "a_B9"));
	assert_false(matches("^\\w+$", "a-b"));
	assert_true(matches("^\\W$", "-"));
	assert_true(matches("^\\S+$", "ab"));
	assert_false(matches("^\\S+$", "a b"));
	assert_true(matches("^\\D+$", "ab"));
	assert_false(matches("^\\D+$", "a1"));
	/* classes holding escapes: \. and \- are the characters, \d a range */
	assert_true(matches("^[\\w\\.\\-]+$", "my-host.example_1"));
	assert_false(matches("^[\\w\\.\\-]+$", "a/b"));
	assert_true(matches("^[a\\]]+$", "a]a"));
	assert_true(matches("^[\\d\\s]+$", "1 2"));
	assert_false(matches("^[\\d\\s]+$", "1a"));
	assert_true(matches("^[\\^a]+$", "^a"));
	assert_true(matches("^[\\^]$", "^"));
	assert_false(matches("^[\\^]$", "a"));
	assert_true(matches("^[\\^\\-]+$", "^-"));
	assert_false(matches("^[\\^\\-]+$", "a"));
	assert_true(matches("^[^\\^]$", "a"));
	assert_false(matches("^[^\\^]$", "^"));
	assert_true(matches("^[\\]\\^]+$", "]^"));
	assert_true(matches("^[^\\d]+$", "abc"));
	assert_false(matches("^[^\\d]+$", "a1"));
	assert_true(matches("^[[:alpha:]]+$", "abc"));
	/* escaped punctuation outside classes, groups and lazy quantifiers */
	assert_true(matches("^a\\/b$", "a/b"));
	assert_true(matches("^a\\.b$", "a.b"));
	assert_false(matches("^a\\.b$", "axb"));
	assert_true(matches("^(?:ab)+$", "abab"));
	assert_true(matches("^a+?b$", "aab"));
	assert_true(matches("^a{1,2}?$", "aa"));
	assert_true(matches("^\\$\\{[a-z]+\\}$", "${var}"));
	assert_true(matches("^\\t$", "\t"));
	/* what ERE cannot say is refused when the CRD is written */
	refused("(?i)abc", "unsupported syntax at \"(?i)abc\"");
	refused("^\\bword$", "unsupported syntax at \"\\bword$\"");
	refused("[\\D]", "unsupported syntax");
	refused("[abc", "missing closing ]");
	sk_types_forget(&plug, "p");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_define_with_gvk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owners, setup, teardown),
		cmocka_unit_test_setup_teardown(test_re2_patterns, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
