/* test_validate.c — Kubernetes' field checks (skiff/validate.h) and ObjectMeta
 * rules (core/meta_validate.h): the values Kubernetes' validation_test.go
 * accepts and rejects, and the exact causes a client would read. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "meta_validate.h"
#include <skiff/obj.h>
#include <skiff/selector.h>
#include <skiff/validate.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

typedef const char *(*str_check)(sk_obj *causes, const char *field, const char *value);

static char *rep(char c, size_t n)
{
	char *s = malloc(n + 1);
	memset(s, c, n);
	s[n] = 0;
	return s;
}

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
	if (!j)
		fail_msg("bad test JSON %s: %s", text, e.text);
	return j;
}

/* The reason a message's opening words imply, as field.ErrorType.String(). */
static const char *reason_of(const char *msg)
{
	static const struct {
		const char *prefix, *reason;
	} map[] = {
		{"Invalid value", "FieldValueInvalid"},   {"Required value", "FieldValueRequired"},
		{"Forbidden", "FieldValueForbidden"},     {"Too long", "FieldValueTooLong"},
		{"Too many", "FieldValueTooMany"},        {"Unsupported value", "FieldValueNotSupported"},
		{"Duplicate value", "FieldValueDuplicate"},
	};
	for (size_t i = 0; i < N(map); i++)
		if (!strncmp(msg, map[i].prefix, strlen(map[i].prefix)))
			return map[i].reason;
	return "?";
}

/* causes must be exactly want (NULL-terminated lines "field: message",
 * Kubernetes' field.Error.Error() form), each with the matching reason */
static void expect(const json_t *causes, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	for (size_t i = 0; i < json_array_size(causes) || i < n; i++) {
		json_t *c = json_array_get(causes, i);
		char got[70000] = "(none)";
		if (c)
			snprintf(got, sizeof got, "%s: %s", json_string_value(json_object_get(c, "field")),
			         json_string_value(json_object_get(c, "message")));
		if (i >= n)
			fail_msg("unexpected cause %zu: %s", i, got);
		if (!c || strcmp(got, want[i]))
			fail_msg("cause %zu:\n got  %s\n want %s", i, got, want[i]);
		const char *reason = json_string_value(json_object_get(c, "reason"));
		const char *msg = json_string_value(json_object_get(c, "message"));
		if (strcmp(reason, reason_of(msg)))
			fail_msg("cause %zu: reason %s for \"%s\"", i, reason, msg);
	}
}
#define EXPECT(causes, ...) expect(causes, (const char *const[]){__VA_ARGS__, NULL})

/* an array of strings must be exactly want */
static void expect_strings(const json_t *list, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	if (json_array_size(list) != n)
		fail_msg("%zu strings, want %zu", json_array_size(list), n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(json_string_value(json_array_get(list, i)), want[i]))
			fail_msg("string %zu:\n got  %s\n want %s", i, json_string_value(json_array_get(list, i)),
			         want[i]);
}

static void valid(str_check fn, const char *name, const char *v)
{
	json_t *c = json_array();
	const char *r = fn(O(c), "f", v);
	if (r || json_array_size(c))
		fail_msg("%s(\"%s\"): unexpected \"%s\"", name, v, r ? r : "cause");
	assert_null(fn(NULL, NULL, v));
	json_decref(c);
}

/* invalid, with `first` as the returned detail and the first cause */
static void invalid(str_check fn, const char *name, const char *v, const char *first)
{
	json_t *c = json_array();
	const char *r = fn(O(c), "f", v);
	if (!r)
		fail_msg("%s(\"%.80s\"): accepted", name, v);
	if (first && strcmp(r, first))
		fail_msg("%s(\"%.80s\"):\n got  %s\n want %s", name, v, r, first);
	if (json_array_size(c) == 0)
		fail_msg("%s(\"%.80s\"): no cause", name, v);
	const char *msg = json_string_value(json_object_get(json_array_get(c, 0), "message"));
	if (!strstr(msg, r))
		fail_msg("%s: cause \"%s\" lacks \"%s\"", name, msg, r);
	assert_string_equal(fn(NULL, NULL, v), r);
	json_decref(c);
}
#define VALID(fn, v) valid(fn, #fn, v)
#define INVALID(fn, v, first) invalid(fn, #fn, v, first)

/* Kubernetes' messages, spelled out once more here so that a change in
 * either place shows. */
#define LABEL_MSG                                                                                                  \
	"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "   \
	"end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "            \
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define SUBDOMAIN_MSG                                                                                              \
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "    \
	"start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "             \
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define DNS1035_MSG                                                                                                \
	"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "       \
	"character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "           \
	"validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define KEY_NAME_MSG                                                                                               \
	"name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "         \
	"alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "          \
	"'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define LABEL_VALUE_MSG                                                                                            \
	"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "     \
	"start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "  \
	"validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

/* ---- DNS names -------------------------------------------------------------- */

static void test_dns1123_label(void **state)
{
	(void)state;
	static const char *const good[] = {"a",  "ab", "abc", "a1",  "a-1", "a--1--2--b",
	                                   "0",  "01", "012", "1a",  "1-a", "1--a--b--2"};
	static const char *const bad[] = {"",   "A",  "ABC", "aBc", "A1", "A-1", "1-A", "-",  "a-", "-a", "1-",
	                                  "-1", "_",  "a_",  "_a",  "a_b", "1_", "_1",  "1_2", ".", "a.", ".a",
	                                  "1.", ".1", " ",   "a ",  " a", "a b", "1 ",  " 1", "1 2"};
	for (size_t i = 0; i < N(good); i++)
		VALID(sk_check_dns1123_label, good[i]);
	for (size_t i = 0; i < N(bad); i++)
		INVALID(sk_check_dns1123_label, bad[i], LABEL_MSG);
	/* a subdomain that is no label: the dots are the problem */
	INVALID(sk_check_dns1123_label, "a.b", "must not contain dots");
	INVALID(sk_check_dns1123_label, "1.2", "must not contain dots");
	char *s = rep('a', 63);
	VALID(sk_check_dns1123_label, s);
	free(s);
	s = rep('a', 64);
	INVALID(sk_check_dns1123_label, s, "must be no more than 63 characters");
	json_t *c = json_array();
	sk_check_dns1123_label(O(c), "metadata.namespace", s);
	assert_int_equal(json_array_size(c), 1); /* the form is fine */
	json_decref(c);
	free(s);
	/* both problems at once */
	s = rep('A', 64);
	c = json_array();
	sk_check_dns1123_label(O(c), "x", s);
	char want1[200], want2[600];
	snprintf(want1, sizeof want1, "x: Invalid value: \"%s\": must be no more than 63 characters", s);
	snprintf(want2, sizeof want2, "x: Invalid value: \"%s\": " LABEL_MSG, s);
	EXPECT(c, want1, want2);
	json_decref(c);
	free(s);
}

static void test_dns1123_subdomain(void **state)
{
	(void)state;
	static const char *const good[] = {
		"a",     "ab",    "abc",   "a1",    "a-1",   "a--1--2--b",   "0",         "01",
		"012",   "1a",    "1-a",   "1--a--b--2",     "a.a",          "ab.a",      "abc.a",
		"a1.a",  "a-1.a", "a--1--2--b.a",   "a.1",   "ab.1",         "abc.1",     "a1.1",
		"a-1.1", "a--1--2--b.1",   "0.a",   "01.a",  "012.a",        "1a.a",      "1-a.a",
		"0.1",   "01.1",  "012.1", "1a.1",  "1-a.1", "1--a--b--2.1", "a.b.c.d.e", "aa.bb.cc.dd.ee",
		"1.2.3.4.5",      "11.22.33.44.55",
	};
	static const char *const bad[] = {
		"",     "A",    "ABC",  "aBc",  "A1",   "A-1",  "1-A",  "-",    "a-",    "-a",   "1-",   "-1",
		"_",    "a_",   "_a",   "a_b",  "1_",   "_1",   "1_2",  ".",    "a.",    ".a",   "a..b", "1.",
		".1",   "1..2", " ",    "a ",   " a",   "a b",  "1 ",   " 1",   "1 2",   "A.a",  "aB.a", "ab.A",
		"A1.a", "a1.A", "A.1",  "aB.1", "A1.1", "1A.1", "0.A",  "01.A", "012.A", "1A.a", "1a.A", "a@b",
		"a,b",  "a;b",  "a:b",  "a%b",  "a?b",  "a$b",  "A.B.C.D.E", "AA.BB.CC.DD.EE", "a.B.c.d.e",
		"aa.bB.cc.dd.ee",
	};
	for (size_t i = 0; i < N(good); i++)
		VALID(sk_check_dns1123_subdomain, good[i]);
	for (size_t i = 0; i < N(bad); i++)
		INVALID(sk_check_dns1123_subdomain, bad[i], SUBDOMAIN_MSG);
	char *s = rep('a', 253);
	VALID(sk_check_dns1123_subdomain, s);
	free(s);
	s = rep('a', 254);
	INVALID(sk_check_dns1123_subdomain, s, "must be no more than 253 characters");
	free(s);

	/* what kubectl shows for `kubectl run Bad_Name` */
	json_t *c = json_array();
	sk_check_dns1123_subdomain(O(c), "metadata.name", "Bad_Name");
	EXPECT(c, "metadata.name: Invalid value: \"Bad_Name\": " SUBDOMAIN_MSG);
	json_decref(c);
}

static void test_dns1035_label(void **state)
{
	(void)state;
	static const char *const good[] = {"a", "ab", "abc", "a1", "a-1", "a--1--2--b"};
	static const char *const bad[] = {"0", "01", "012", "1a", "1-a", "1--a--b--2", "", "A", "ABC", "aBc",
	                                  "A1", "A-1", "1-A", "-", "a-", "-a", "1-", "-1", "_", "a_", "_a",
	                                  "a_b", "1_", "_1", "1_2", ".", "a.", ".a", "a.b", "1.", ".1", "1.2",
	                                  " ", "a ", " a", "a b", "1 ", " 1", "1 2"};
	for (size_t i = 0; i < N(good); i++)
		VALID(sk_check_dns1035_label, good[i]);
	for (size_t i = 0; i < N(bad); i++)
		INVALID(sk_check_dns1035_label, bad[i], DNS1035_MSG);
	char *s = rep('a', 63);
	VALID(sk_check_dns1035_label, s);
	free(s);
	s = rep('a', 64);
	INVALID(sk_check_dns1035_label, s, "must be no more than 63 characters");
	free(s);
}

/* ---- label keys and values ---------------------------------------------- */

static void test_qualified_name(void **state)
{
	(void)state;
	static const char *const good[] = {
		"simple",        "now-with-dashes", "1-starts-with-num", "1234", "simple/simple",
		"now-with-dashes/simple", "now-with-dashes/now-with-dashes", "now.with.dots/simple",
		"now-with.dashes-and.dots/simple", "1-num.2-num/3-num", "1234/5678", "1.2.3.4/5678",
		"Uppercase_Is_OK_123", "example.com/Uppercase_Is_OK_123", "requests.storage-foo",
	};
	for (size_t i = 0; i < N(good); i++)
		VALID(sk_check_qualified_name, good[i]);
	INVALID(sk_check_qualified_name, "nospecialchars%^=@", KEY_NAME_MSG);
	INVALID(sk_check_qualified_name, "cantendwithadash-", KEY_NAME_MSG);
	INVALID(sk_check_qualified_name, "-cantstartwithadash-", KEY_NAME_MSG);
	INVALID(sk_check_qualified_name, "only/one/slash",
	        "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
	        "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
	        "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and "
	        "'/' (e.g. 'example.com/MyName')");
	INVALID(sk_check_qualified_name, "Example.com/abc", "prefix part " SUBDOMAIN_MSG);
	INVALID(sk_check_qualified_name, "example_com/abc", "prefix part " SUBDOMAIN_MSG);
	INVALID(sk_check_qualified_name, "/simple", "prefix part must be non-empty");

	/* "example.com/" has two problems with its name part */
	json_t *c = json_array();
	sk_check_qualified_name(O(c), "metadata.labels", "example.com/");
	EXPECT(c, "metadata.labels: Invalid value: \"example.com/\": name part must be non-empty",
	       "metadata.labels: Invalid value: \"example.com/\": " KEY_NAME_MSG);
	json_decref(c);

	char *s = rep('a', 63);
	VALID(sk_check_qualified_name, s);
	free(s);
	s = rep('a', 64);
	INVALID(sk_check_qualified_name, s, "name part must be no more than 63 characters");
	free(s);
	char *p = rep('a', 253), *n = rep('b', 63), buf[400];
	snprintf(buf, sizeof buf, "%s/%s", p, n);
	VALID(sk_check_qualified_name, buf);
	free(p);
	p = rep('a', 254);
	snprintf(buf, sizeof buf, "%s/abc", p);
	INVALID(sk_check_qualified_name, buf, "prefix part must be no more than 253 characters");
	free(p);
	free(n);
}

static void test_label_value(void **state)
{
	(void)state;
	static const char *const good[] = {"simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1",
	                                   "1234", ""};
	static const char *const bad[] = {"nospecialchars%^=@", "Tama-nui-te-r\xc4\x81.is.M\xc4\x81ori.sun",
	                                  "\\backslashes\\are\\bad", "-starts-with-dash", "ends-with-dash-",
	                                  ".starts.with.dot", "ends.with.dot."};
	for (size_t i = 0; i < N(good); i++)
		VALID(sk_check_label_value, good[i]);
	for (size_t i = 0; i < N(bad); i++)
		INVALID(sk_check_label_value, bad[i], LABEL_VALUE_MSG);
	char *s = rep('a', 63);
	VALID(sk_check_label_value, s);
	free(s);
	s = rep('a', 64);
	INVALID(sk_check_label_value, s, "must be no more than 63 characters");
	free(s);
}

/* ---- names per kind ------------------------------------------------------------- */

static const char *sub_name(sk_obj *c, const char *f, const char *v)
{
	return sk_check_name(c, f, v, SK_NAME_DNS_SUBDOMAIN, 0);
}
static const char *sub_prefix(sk_obj *c, const char *f, const char *v)
{
	return sk_check_name(c, f, v, SK_NAME_DNS_SUBDOMAIN, 1);
}
static const char *label_name(sk_obj *c, const char *f, const char *v)
{
	return sk_check_name(c, f, v, SK_NAME_DNS_LABEL, 0);
}
static const char *label_prefix(sk_obj *c, const char *f, const char *v)
{
	return sk_check_name(c, f, v, SK_NAME_DNS_LABEL, 1);
}
static const char *l1035_prefix(sk_obj *c, const char *f, const char *v)
{
	return sk_check_name(c, f, v, SK_NAME_DNS1035_LABEL, 1);
}
static const char *path_name(sk_obj *c, const char *f, const char *v)
{
	return sk_check_name(c, f, v, SK_NAME_PATH_SEGMENT, 0);
}
static const char *path_prefix(sk_obj *c, const char *f, const char *v)
{
	return sk_check_name(c, f, v, SK_NAME_PATH_SEGMENT, 1);
}

static void test_names(void **state)
{
	(void)state;
	VALID(sub_name, "my.pod-1");
	INVALID(sub_name, "my-pod-", SUBDOMAIN_MSG);
	/* generateName may end in a dash: a suffix follows */
	VALID(sub_prefix, "my-pod-");
	VALID(sub_prefix, "a-");
	INVALID(sub_prefix, "-", SUBDOMAIN_MSG);
	INVALID(sub_prefix, "My-", SUBDOMAIN_MSG);
	/* Kubernetes masks the last two characters, so "x.-" passes as "xa" */
	VALID(sub_prefix, "x.-");
	VALID(label_name, "kube-system");
	INVALID(label_name, "kube.system", "must not contain dots");
	VALID(label_prefix, "ns-");
	VALID(l1035_prefix, "svc-");
	INVALID(l1035_prefix, "1svc-", DNS1035_MSG);
	VALID(path_name, "Any:thing Goes");
	INVALID(path_name, ".", "may not be '.'");
	INVALID(path_name, "..", "may not be '..'");
	INVALID(path_name, "a/b", "may not contain '/'");
	INVALID(path_name, "a%b", "may not contain '%'");
	VALID(path_prefix, "..");
	json_t *c = json_array();
	path_name(O(c), "metadata.name", "a/%");
	EXPECT(c, "metadata.name: Invalid value: \"a/%\": may not contain '/'",
	       "metadata.name: Invalid value: \"a/%\": may not contain '%'");
	json_decref(c);
	/* the value shown is the one the client sent, not the masked one */
	c = json_array();
	sk_check_name(O(c), "metadata.generateName", "Web-", SK_NAME_DNS_SUBDOMAIN, 1);
	EXPECT(c, "metadata.generateName: Invalid value: \"Web-\": " SUBDOMAIN_MSG);
	json_decref(c);
}

/* ---- maps and selectors ------------------------------------------------------ */

static void test_labels(void **state)
{
	(void)state;
	json_t *l = parse("{\"app\": \"web\", \"example.com/tier\": \"\", \"bad key\": \"v\", \"ok\": \"-bad\"}");
	json_t *c = json_array();
	assert_string_equal(sk_check_labels(O(c), "metadata.labels", O(l)), KEY_NAME_MSG);
	EXPECT(c, "metadata.labels: Invalid value: \"bad key\": " KEY_NAME_MSG,
	       "metadata.labels: Invalid value: \"-bad\": " LABEL_VALUE_MSG);
	json_decref(c);
	json_decref(l);

	assert_null(sk_check_labels(NULL, NULL, NULL));
	l = json_null();
	assert_null(sk_check_labels(NULL, NULL, O(l)));
	l = parse("[\"a\"]");
	c = json_array();
	assert_non_null(sk_check_labels(O(c), "metadata.labels", O(l)));
	EXPECT(c, "metadata.labels: Invalid value: \"array\": metadata.labels in body must be of type object: "
	          "\"array\"");
	json_decref(c);
	json_decref(l);
}

static void test_annotations(void **state)
{
	(void)state;
	/* case does not matter for annotation keys; the key shown keeps it */
	json_t *a = parse("{\"Example.COM/Key\": \"any value at all: {}\", \"a b\": \"\"}");
	json_t *c = json_array();
	sk_check_annotations(O(c), "metadata.annotations", O(a));
	EXPECT(c, "metadata.annotations: Invalid value: \"a b\": " KEY_NAME_MSG);
	json_decref(c);
	json_decref(a);

	/* 256 KiB of keys and values in total, not one byte more */
	char *big = rep('x', SK_ANNOTATIONS_MAX_BYTES - 1);
	a = json_pack("{s:s}", "k", big);
	c = json_array();
	assert_null(sk_check_annotations(O(c), "metadata.annotations", O(a)));
	json_object_set_new(a, "k2", json_string(""));
	assert_non_null(sk_check_annotations(O(c), "metadata.annotations", O(a)));
	EXPECT(c, "metadata.annotations: Too long: may not be more than 262144 bytes");
	json_decref(c);
	json_decref(a);
	free(big);
}

static void test_label_selector(void **state)
{
	(void)state;
	json_t *s = parse("{\"matchLabels\": {\"app\": \"web\"}, \"matchExpressions\": ["
	                  "{\"key\": \"tier\", \"operator\": \"In\", \"values\": [\"a\", \"b\"]},"
	                  "{\"key\": \"x\", \"operator\": \"DoesNotExist\"}]}");
	assert_null(sk_check_label_selector(NULL, NULL, O(s)));
	json_decref(s);
	s = parse("{\"matchLabels\": {\"app\": \"w b\"}, \"matchExpressions\": ["
	          "{\"key\": \"tier\", \"operator\": \"In\"},"
	          "{\"key\": \"x\", \"operator\": \"Exists\", \"values\": [\"a\"]},"
	          "{\"key\": \"-x\", \"operator\": \"Equals\", \"values\": [\"a b\"]}]}");
	json_t *c = json_array();
	assert_string_equal(sk_check_label_selector(O(c), "spec.selector", O(s)), LABEL_VALUE_MSG);
	EXPECT(c, "spec.selector.matchLabels: Invalid value: \"w b\": " LABEL_VALUE_MSG,
	       "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' "
	       "or 'NotIn'",
	       "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is "
	       "'Exists' or 'DoesNotExist'",
	       "spec.selector.matchExpressions[2].operator: Invalid value: \"Equals\": not a valid selector operator",
	       "spec.selector.matchExpressions[2].key: Invalid value: \"-x\": " KEY_NAME_MSG,
	       "spec.selector.matchExpressions[2].values[0]: Invalid value: \"a b\": " LABEL_VALUE_MSG);
	json_decref(c);
	json_decref(s);
}

/* ---- numbers ----------------------------------------------------------------- */

static void test_numbers(void **state)
{
	(void)state;
	json_t *c = json_array();
	assert_null(sk_check_nonnegative(O(c), "spec.replicas", 0));
	assert_string_equal(sk_check_nonnegative(O(c), "spec.replicas", -1), "must be greater than or equal to 0");
	assert_null(sk_check_positive(O(c), "spec.x", 1));
	assert_string_equal(sk_check_positive(O(c), "spec.x", 0), "must be greater than zero");
	EXPECT(c, "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
	       "spec.x: Invalid value: 0: must be greater than zero");
	json_decref(c);

	sk_quantity q;
	sk_err err;
	c = json_array();
	assert_int_equal(sk_quantity_parse("100m", &q, &err), SK_OK);
	assert_null(sk_check_quantity_nonnegative(O(c), "r", &q));
	assert_int_equal(sk_quantity_parse("0", &q, &err), SK_OK);
	assert_null(sk_check_quantity_nonnegative(O(c), "r", &q));
	assert_int_equal(sk_quantity_parse("-1Gi", &q, &err), SK_OK);
	assert_non_null(sk_check_quantity_nonnegative(O(c), "spec.containers[0].resources.requests[memory]", &q));
	EXPECT(c, "spec.containers[0].resources.requests[memory]: Invalid value: \"-1Gi\": must be greater than or "
	          "equal to 0");
	json_decref(c);
}

static void test_int_or_percent(void **state)
{
	(void)state;
	static const char *const good[] = {"0", "25", "\"0%\"", "\"25%\"", "\"100%\"", "\"250%\""};
	static const char *const bad[] = {"-1", "\"\"", "\"%\"", "\"25\"", "\"1.5%\"", "\"-1%\"", "\"1%%\"",
	                                  "\" 1%\"", "true", "1.5"};
	for (size_t i = 0; i < N(good); i++) {
		json_t *v = parse(good[i]);
		if (sk_check_int_or_percent(NULL, NULL, O(v)))
			fail_msg("%s: rejected", good[i]);
		json_decref(v);
	}
	for (size_t i = 0; i < N(bad); i++) {
		json_t *v = parse(bad[i]);
		if (!sk_check_int_or_percent(NULL, NULL, O(v)))
			fail_msg("%s: accepted", bad[i]);
		json_decref(v);
	}
	json_t *c = json_array(), *v = parse("\"25x\"");
	sk_check_int_or_percent(O(c), "spec.strategy.rollingUpdate.maxSurge", O(v));
	json_decref(v);
	v = parse("-2");
	sk_check_int_or_percent(O(c), "spec.strategy.rollingUpdate.maxUnavailable", O(v));
	json_decref(v);
	v = parse("true");
	sk_check_int_or_percent(O(c), "m", O(v));
	json_decref(v);
	/* an IntOrString prints through String(): the string unquoted */
	EXPECT(c,
	       "spec.strategy.rollingUpdate.maxSurge: Invalid value: 25x: a valid percent string must be a numeric "
	       "string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
	       "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: -2: must be greater than or equal to 0",
	       "m: Invalid value: true: must be an integer or percentage (e.g '5%')");
	json_decref(c);
}

/* ---- networking ---------------------------------------------------------------- */

static void test_ports(void **state)
{
	(void)state;
	static const int64_t good[] = {1, 1000, 65535};
	static const int64_t bad[] = {0, -1, 65536, 100000};
	for (size_t i = 0; i < N(good); i++)
		assert_null(sk_check_port_number(NULL, NULL, good[i]));
	for (size_t i = 0; i < N(bad); i++)
		assert_string_equal(sk_check_port_number(NULL, NULL, bad[i]), "must be between 1 and 65535, inclusive");
	json_t *c = json_array();
	sk_check_port_number(O(c), "spec.ports[0].port", 0);
	EXPECT(c, "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive");
	json_decref(c);

	static const char *const names[] = {"telnet", "re-mail-ck", "pop3", "a", "a-1", "1-a", "a-1-b-2-c",
	                                    "1-a-2-b-3"};
	for (size_t i = 0; i < N(names); i++)
		VALID(sk_check_port_name, names[i]);
	INVALID(sk_check_port_name, "longerthan15characters", "must be no more than 15 characters");
	INVALID(sk_check_port_name, "12345", "must contain at least one letter (a-z)");
	INVALID(sk_check_port_name, "1-2-3-4", "must contain at least one letter (a-z)");
	INVALID(sk_check_port_name, "-begin", "must not begin or end with a hyphen");
	INVALID(sk_check_port_name, "end-", "must not begin or end with a hyphen");
	INVALID(sk_check_port_name, "two--hyphens", "must not contain consecutive hyphens");
	INVALID(sk_check_port_name, "whois++",
	        "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
	c = json_array();
	sk_check_port_name(O(c), "spec.ports[0].name", "");
	EXPECT(c,
	       "spec.ports[0].name: Invalid value: \"\": must contain only alpha-numeric characters (a-z, 0-9), and "
	       "hyphens (-)",
	       "spec.ports[0].name: Invalid value: \"\": must contain at least one letter (a-z)");
	json_decref(c);

	VALID(sk_check_protocol, "TCP");
	VALID(sk_check_protocol, "UDP");
	VALID(sk_check_protocol, "SCTP");
	c = json_array();
	assert_non_null(sk_check_protocol(O(c), "spec.ports[0].protocol", "tcp"));
	assert_non_null(sk_check_protocol(O(c), "spec.ports[1].protocol", ""));
	EXPECT(c, "spec.ports[0].protocol: Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
	       "spec.ports[1].protocol: Required value");
	json_decref(c);
}

static void test_ip_cidr(void **state)
{
	(void)state;
	static const char *const good_ip[] = {"127.0.0.1", "10.0.0.1", "255.0.0.1", "0.0.0.0", "1.1.1.01",
	                                      "001.002.003.004", "::", "::1", "2001:4860:4860::8888",
	                                      "::ffff:1.1.1.1", "::ffff:1.1.1.01", "1:2:3:4:5:6:7:8"};
	static const char *const bad_ip[] = {"", " ", "1.1.1.1 ", "a", "1.2.3", "1.2.3.4.5", "256.0.0.1",
	                                     "1.2.3.0400", "1.2.3.4/24", "2001:db8::1%eth0", "::1::2",
	                                     "1:2:3:4:5:6:7:8:9", "abcd:12345::", "1.2::3", "-1.2.3.4"};
	static const char *const good_cidr[] = {"192.168.0.0/16", "192.168.0.1/32", "0.0.0.0/0", "::/0",
	                                        "::1/128", "2001:4860:4860::/48", "::ffff:1.1.1.1/120",
	                                        "1.1.1.01/24", "10.0.0.0/08", "10.0.0.0/0024"};
	static const char *const bad_cidr[] = {"", "192.168.0.0", "192.168.0.0/33", "::1/129", "192.168.0.0/-1",
	                                       "192.168.0.0/", "/24", "192.168.0.0/24 ", "1.2.3.4/a",
	                                       "1.2.3.4/24/1", "::1%eth0/64"};
	for (size_t i = 0; i < N(good_ip); i++)
		VALID(sk_check_ip, good_ip[i]);
	for (size_t i = 0; i < N(bad_ip); i++)
		INVALID(sk_check_ip, bad_ip[i], "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
	for (size_t i = 0; i < N(good_cidr); i++)
		VALID(sk_check_cidr, good_cidr[i]);
	for (size_t i = 0; i < N(bad_cidr); i++)
		INVALID(sk_check_cidr, bad_cidr[i], "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
	json_t *c = json_array();
	sk_check_ip(O(c), "spec.clusterIP", "10.0.0.256");
	EXPECT(c, "spec.clusterIP: Invalid value: \"10.0.0.256\": must be a valid IP address, (e.g. 10.9.8.7 or "
	          "2001:db8::ffff)");
	json_decref(c);
}

static void test_header_name(void **state)
{
	(void)state;
	VALID(sk_check_http_header_name, "X-Header-Name");
	VALID(sk_check_http_header_name, "1");
	static const char *const bad[] = {"", "X Header", "X_Header", "X:Header", "X-Header\n"};
	for (size_t i = 0; i < N(bad); i++)
		INVALID(sk_check_http_header_name, bad[i],
		        "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', "
		        "regex used for validation is '[-A-Za-z0-9]+')");
}

/* ---- containers and config ---------------------------------------------------- */

static const char *env_strict(sk_obj *c, const char *f, const char *v)
{
	return sk_check_env_var_name(c, f, v, 0);
}
static const char *env_relaxed(sk_obj *c, const char *f, const char *v)
{
	return sk_check_env_var_name(c, f, v, 1);
}

static void test_env_var_name(void **state)
{
	(void)state;
	static const char *const good[] = {"A", "ABC", "AbC_123", "_123", "a", "a.b", "a-b", "a_b", "-a", ".a",
	                                   "a..b"};
	static const char *const bad[] = {"", "123", "123abc", "a b", "a=b", "a:b", "\xc3\xa9"};
	static const char env_msg[] =
		"a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and "
		"must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for "
		"validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";
	for (size_t i = 0; i < N(good); i++)
		VALID(env_strict, good[i]);
	for (size_t i = 0; i < N(bad); i++)
		INVALID(env_strict, bad[i], env_msg);
	INVALID(env_strict, ".", "must not be '.'");
	INVALID(env_strict, "..", "must not be '..'");
	INVALID(env_strict, "..a", "must not start with '..'");

	static const char *const relaxed_good[] = {"1FOO", "a b", "a:b", "~!@#$%^&*()", "A"};
	for (size_t i = 0; i < N(relaxed_good); i++)
		VALID(env_relaxed, relaxed_good[i]);
	INVALID(env_relaxed, "", "environment variable name must be non-empty");
	INVALID(env_relaxed, "a=b",
	        "a valid environment variable name must consist only of printable ASCII characters other than '='");
	INVALID(env_relaxed, "a\tb",
	        "a valid environment variable name must consist only of printable ASCII characters other than '='");
	INVALID(env_relaxed, "\xc3\xa9",
	        "a valid environment variable name must consist only of printable ASCII characters other than '='");
}

static void test_config_map_key(void **state)
{
	(void)state;
	static const char *const good[] = {"a", "ab", "abc", "a1", "a-1", "a_1", "a.1", "-a", "_a", "1", "A",
	                                   "AB", "a.b.c", ".a", "a..b"};
	for (size_t i = 0; i < N(good); i++)
		VALID(sk_check_config_map_key, good[i]);
	static const char msg[] = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
	                          "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
	                          "'[-._a-zA-Z0-9]+')";
	INVALID(sk_check_config_map_key, "", msg);
	INVALID(sk_check_config_map_key, "b*d", msg);
	INVALID(sk_check_config_map_key, "bad!&bad", msg);
	INVALID(sk_check_config_map_key, ".", "must not be '.'");
	INVALID(sk_check_config_map_key, "..", "must not be '..'");
	INVALID(sk_check_config_map_key, "..bad", "must not start with '..'");
	char *s = rep('a', 253);
	VALID(sk_check_config_map_key, s);
	free(s);
	s = rep('a', 254);
	INVALID(sk_check_config_map_key, s, "must be no more than 253 characters");
	free(s);
}

static void test_field_manager(void **state)
{
	(void)state;
	VALID(sk_check_field_manager, "kubectl-client-side-apply");
	VALID(sk_check_field_manager, "caf\xc3\xa9 \xe2\x9c\x93");
	VALID(sk_check_field_manager, "");
	json_t *c = json_array();
	assert_string_equal(sk_check_field_manager(O(c), "fieldManager", "a\x07z\xc2\xa0"),
	                    "invalid character U+0007 (at position 1)");
	char *s = rep('m', 129);
	assert_non_null(sk_check_field_manager(O(c), "fieldManager", s));
	free(s);
	EXPECT(c, "fieldManager: Invalid value: \"a\\az\\u00a0\": invalid character U+0007 (at position 1)",
	       "fieldManager: Invalid value: \"a\\az\\u00a0\": invalid character U+00A0 (at position 3)",
	       "fieldManager: Too long: may not be more than 128 bytes");
	json_decref(c);
}

/* ---- cause helpers ----------------------------------------------------------- */

static void test_cause_helpers(void **state)
{
	(void)state;
	json_t *c = json_array();
	/* values are quoted as Go's %q does */
	sk_cause_invalid_str(O(c), "a",
	                     "q\"b\\s\n\x01\xc3\xa9\x80\xc2\xa0\xc2\xad"
	                     "\xee\x80\x80\xf0\x9f\x98\x80\xf3\xb0\x80\x80",
	                     "bad %d", 7);
	sk_cause_invalid_str(O(c), "b", NULL, NULL);
	sk_cause_invalid_int(O(c), "c", -5, NULL);
	json_t *v = parse("[\"orphan\", \"x\"]");
	sk_cause_invalid_obj(O(c), "d", O(v), "d");
	json_decref(v);
	v = parse("{\"kind\": \"Event\", \"n\": [1, 2]}");
	sk_cause_invalid_obj(O(c), "e", O(v), NULL);
	json_decref(v);
	sk_cause_invalid_obj(O(c), "f", NULL, "nil");
	static const char *const reals[] = {"1.5", "1e6", "100000.0", "0.0001", "0.00001", "1234567.0", "-0.5"};
	for (size_t i = 0; i < N(reals); i++) {
		v = parse(reals[i]);
		sk_cause_invalid_obj(O(c), "r", O(v), NULL);
		json_decref(v);
	}
	sk_cause_required(O(c), "g", NULL);
	sk_cause_required(O(c), "g", "name or generateName is required");
	sk_cause_forbidden(O(c), "h", "not allowed on this type");
	sk_cause_not_supported(O(c), "i", "Always2", (const char *const[]){"Always", "Never", "OnFailure", NULL});
	sk_cause_not_supported(O(c), "i", "x", NULL);
	sk_cause_duplicate(O(c), "j", "web");
	sk_cause_too_long(O(c), "k", 1);
	sk_cause_too_long(O(c), "k", -1);
	sk_cause_too_many(O(c), "l", 5, 3);
	sk_cause_too_many(O(c), "l", -1, -1);
	EXPECT(c,
	       "a: Invalid value: \"q\\\"b\\\\s\\n\\x01\xc3\xa9\\x80\\u00a0\\u00ad"
	       "\\ue000\xf0\x9f\x98\x80\\U000f0000\": bad 7",
	       "b: Invalid value: \"\"", "c: Invalid value: -5",
	       "d: Invalid value: []string{\"orphan\", \"x\"}: d",
	       "e: Invalid value: {\"kind\":\"Event\",\"n\":[1,2]}", "f: Invalid value: null: nil",
	       "r: Invalid value: 1.5", "r: Invalid value: 1e+06", "r: Invalid value: 100000",
	       "r: Invalid value: 0.0001", "r: Invalid value: 1e-05", "r: Invalid value: 1.234567e+06",
	       "r: Invalid value: -0.5", "g: Required value", "g: Required value: name or generateName is required",
	       "h: Forbidden: not allowed on this type",
	       "i: Unsupported value: \"Always2\": supported values: \"Always\", \"Never\", \"OnFailure\"",
	       "i: Unsupported value: \"x\"", "j: Duplicate value: \"web\"", "k: Too long: may not be more than 1 byte",
	       "k: Too long: value is too long", "l: Too many: 5: must have at most 3 items",
	       "l: Too many: has too many items");
	json_decref(c);

	/* a client's huge value is cut, not echoed whole */
	c = json_array();
	char *big = rep('a', 100000);
	sk_cause_invalid_str(O(c), "m", big, "x");
	const char *msg = json_string_value(json_object_get(json_array_get(c, 0), "message"));
	assert_true(strlen(msg) < 4200);
	assert_non_null(strstr(msg, "aaa\"...: x"));
	free(big);
	/* a field path that is not UTF-8 still makes a cause */
	sk_cause_required(O(c), "metadata.labels[\xff]", NULL);
	assert_int_equal(json_array_size(c), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(c, 1), "field")), "metadata.labels[?]");
	json_decref(c);
}

/* ---- ObjectMeta on create ---------------------------------------------------- */

static json_t *create(const char *obj, int namespaced, int rule, json_t *warnings)
{
	json_t *o = parse(obj), *c = json_array();
	size_t n = meta_validate_create(o, namespaced, rule, c, warnings);
	assert_int_equal(n, json_array_size(c));
	json_decref(o);
	return c;
}

static void test_meta_create_names(void **state)
{
	(void)state;
	json_t *c = create("{\"metadata\": {\"name\": \"web-1\", \"namespace\": \"default\"}}", 1, 0, NULL);
	EXPECT(c, NULL);
	json_decref(c);
	c = create("{\"metadata\": {\"name\": \"Bad_Name\", \"namespace\": \"default\"}}", 1, SK_NAME_DNS_SUBDOMAIN,
	           NULL);
	EXPECT(c, "metadata.name: Invalid value: \"Bad_Name\": " SUBDOMAIN_MSG);
	json_decref(c);
	c = create("{\"metadata\": {\"namespace\": \"default\"}}", 1, 0, NULL);
	EXPECT(c, "metadata.name: Required value: name or generateName is required");
	json_decref(c);
	c = create("{}", 0, 0, NULL);
	EXPECT(c, "metadata.name: Required value: name or generateName is required");
	json_decref(c);
	/* a bad generateName: both it and the name made from it */
	c = create("{\"metadata\": {\"generateName\": \"Web-\", \"name\": \"Web-x7k2p\", \"namespace\": \"d\"}}", 1, 0,
	           NULL);
	EXPECT(c, "metadata.generateName: Invalid value: \"Web-\": " SUBDOMAIN_MSG,
	       "metadata.name: Invalid value: \"Web-x7k2p\": " SUBDOMAIN_MSG);
	json_decref(c);
	c = create("{\"metadata\": {\"name\": \"a.b\"}}", 0, SK_NAME_DNS_LABEL, NULL);
	EXPECT(c, "metadata.name: Invalid value: \"a.b\": must not contain dots");
	json_decref(c);
	c = create("{\"metadata\": {\"name\": \"My:Role\"}}", 0, SK_NAME_PATH_SEGMENT, NULL);
	EXPECT(c, NULL);
	json_decref(c);
	c = create("{\"metadata\": {\"name\": 5}}", 0, 0, NULL);
	EXPECT(c, "metadata.name: Invalid value: \"integer\": metadata.name in body must be of type string: "
	          "\"integer\"");
	json_decref(c);
}

static void test_meta_create_scope(void **state)
{
	(void)state;
	json_t *c = create("{\"metadata\": {\"name\": \"a\"}}", 1, 0, NULL);
	EXPECT(c, "metadata.namespace: Required value");
	json_decref(c);
	c = create("{\"metadata\": {\"name\": \"a\", \"namespace\": \"Kube_System\"}}", 1, 0, NULL);
	EXPECT(c, "metadata.namespace: Invalid value: \"Kube_System\": " LABEL_MSG);
	json_decref(c);
	c = create("{\"metadata\": {\"name\": \"a\", \"namespace\": \"default\"}}", 0, 0, NULL);
	EXPECT(c, "metadata.namespace: Forbidden: not allowed on this type");
	json_decref(c);
	c = create("{\"metadata\": {\"name\": \"a\", \"generation\": -1}}", 0, 0, NULL);
	EXPECT(c, "metadata.generation: Invalid value: -1: must be greater than or equal to 0");
	json_decref(c);
}

static void test_meta_create_maps(void **state)
{
	(void)state;
	json_t *c = create("{\"metadata\": {\"name\": \"a\", \"labels\": {\"app\": \"a b\"},"
	                   "\"annotations\": {\"/x\": \"y\"}}}",
	                   0, 0, NULL);
	EXPECT(c, "metadata.labels: Invalid value: \"a b\": " LABEL_VALUE_MSG,
	       "metadata.annotations: Invalid value: \"/x\": prefix part must be non-empty");
	json_decref(c);
}

static void test_meta_owner_references(void **state)
{
	(void)state;
	json_t *c = create("{\"metadata\": {\"name\": \"a\", \"ownerReferences\": ["
	                   "{\"apiVersion\": \"apps/v1\", \"kind\": \"ReplicaSet\", \"name\": \"rs\", \"uid\": \"u1\","
	                   " \"controller\": true}]}}",
	                   0, 0, NULL);
	EXPECT(c, NULL);
	json_decref(c);
	c = create("{\"metadata\": {\"name\": \"a\", \"ownerReferences\": [{\"apiVersion\": \"apps/\"}]}}", 0, 0,
	           NULL);
	EXPECT(c, "metadata.ownerReferences.apiVersion: Invalid value: \"apps/\": version must not be empty",
	       "metadata.ownerReferences.kind: Invalid value: \"\": must not be empty",
	       "metadata.ownerReferences.name: Invalid value: \"\": must not be empty",
	       "metadata.ownerReferences.uid: Invalid value: \"\": must not be empty");
	json_decref(c);
	c = create("{\"metadata\": {\"name\": \"a\", \"ownerReferences\": ["
	           "{\"apiVersion\": \"v1\", \"kind\": \"Event\", \"name\": \"e\", \"uid\": \"u\"}]}}",
	           0, 0, NULL);
	EXPECT(c, "metadata.ownerReferences: Invalid value: {\"apiVersion\":\"v1\",\"kind\":\"Event\",\"name\":\"e\","
	          "\"uid\":\"u\"}: /v1, Kind=Event is disallowed from being an owner");
	json_decref(c);
	c = create("{\"metadata\": {\"name\": \"a\", \"ownerReferences\": ["
	           "{\"apiVersion\": \"v1\", \"kind\": \"A\", \"name\": \"a\", \"uid\": \"1\", \"controller\": true},"
	           "{\"apiVersion\": \"v1\", \"kind\": \"B\", \"name\": \"b\", \"uid\": \"2\", \"controller\": false},"
	           "{\"apiVersion\": \"v1\", \"kind\": \"C\", \"name\": \"c\", \"uid\": \"3\","
	           " \"controller\": true}]}}",
	           0, 0, NULL);
	EXPECT(c, "metadata.ownerReferences: Invalid value: ["
	          "{\"apiVersion\":\"v1\",\"kind\":\"A\",\"name\":\"a\",\"uid\":\"1\",\"controller\":true},"
	          "{\"apiVersion\":\"v1\",\"kind\":\"B\",\"name\":\"b\",\"uid\":\"2\",\"controller\":false},"
	          "{\"apiVersion\":\"v1\",\"kind\":\"C\",\"name\":\"c\",\"uid\":\"3\",\"controller\":true}]: "
	          "Only one reference can have Controller set to true. Found \"true\" in references for A/a and C/c");
	json_decref(c);
}

static void test_meta_finalizers(void **state)
{
	(void)state;
	json_t *w = json_array();
	json_t *c = create("{\"metadata\": {\"name\": \"a\", \"finalizers\": [\"example.com/cleanup\", "
	                   "\"kubernetes\", \"cleanup\", \"cleanup\", \"bad name\"]}}",
	                   0, 0, w);
	EXPECT(c, "metadata.finalizers: Invalid value: \"bad name\": " KEY_NAME_MSG);
	expect_strings(w, (const char *const[]){
	       "metadata.finalizers: \"cleanup\": prefer a domain-qualified finalizer name including a path (/) to "
	       "avoid accidental conflicts with other finalizer writers",
	       "metadata.finalizers: \"bad name\": prefer a domain-qualified finalizer name including a path (/) to "
	       "avoid accidental conflicts with other finalizer writers", NULL});
	json_decref(c);
	json_decref(w);
	c = create("{\"metadata\": {\"name\": \"a\", \"finalizers\": [\"orphan\", \"foregroundDeletion\"]}}", 0, 0,
	           NULL);
	EXPECT(c, "metadata.finalizers: Invalid value: []string{\"orphan\", \"foregroundDeletion\"}: finalizer orphan "
	          "and foregroundDeletion cannot be both set");
	json_decref(c);
}

static void test_meta_managed_fields(void **state)
{
	(void)state;
	json_t *c = create("{\"metadata\": {\"name\": \"a\", \"managedFields\": ["
	                   "{\"manager\": \"kubectl\", \"operation\": \"Apply\", \"fieldsType\": \"FieldsV1\"},"
	                   "{\"manager\": \"x\\u0001\", \"operation\": \"Patch\", \"fieldsType\": \"FieldsV2\"}]}}",
	                   0, 0, NULL);
	EXPECT(c, "metadata.managedFields[1].operation: Invalid value: \"Patch\": must be `Apply` or `Update`",
	       "metadata.managedFields[1].fieldsType: Invalid value: \"FieldsV2\": must be `FieldsV1`",
	       "metadata.managedFields[1].manager: Invalid value: \"x\\x01\": invalid character U+0001 (at position "
	       "1)");
	json_decref(c);
}

/* ---- ObjectMeta on update ---------------------------------------------------- */

static const char OLD[] = "{\"metadata\": {\"name\": \"a\", \"namespace\": \"ns\", \"uid\": \"u-1\","
                          "\"resourceVersion\": \"7\", \"generation\": 3,"
                          "\"creationTimestamp\": \"2024-01-02T03:04:05Z\", \"finalizers\": [\"example.com/f\"]}}";

/* the start of an updated object that keeps what OLD has */
#define HEAD "{\"metadata\": {\"name\": \"a\", \"namespace\": \"ns\", \"uid\": \"u-1\", \"resourceVersion\": \"7\","

static json_t *update(const char *obj, const char *old)
{
	json_t *o = parse(obj), *p = parse(old), *c = json_array();
	size_t n = meta_validate_update(o, p, 1, 0, c, NULL);
	assert_int_equal(n, json_array_size(c));
	json_decref(o);
	json_decref(p);
	return c;
}

static void test_meta_update(void **state)
{
	(void)state;
	json_t *c = update(OLD, OLD);
	EXPECT(c, NULL);
	json_decref(c);
	/* the same instant written another way is no change */
	c = update(HEAD
	           "\"generation\": 3, \"creationTimestamp\": \"2024-01-02T04:04:05+01:00\"}}",
	           OLD);
	EXPECT(c, NULL);
	json_decref(c);
	c = update("{\"metadata\": {\"name\": \"b\", \"namespace\": \"other\", \"uid\": \"u-2\", \"generation\": 2,"
	           "\"creationTimestamp\": \"2025-06-07T08:09:10.5Z\", \"deletionTimestamp\": \"2025-06-07T08:09:10Z\","
	           "\"deletionGracePeriodSeconds\": 30}}",
	           OLD);
	EXPECT(c, "metadata.resourceVersion: Invalid value: \"\": must be specified for an update",
	       "metadata.generation: Invalid value: 2: must not be decremented",
	       "metadata.name: Invalid value: \"b\": field is immutable",
	       "metadata.namespace: Invalid value: \"other\": field is immutable",
	       "metadata.uid: Invalid value: \"u-2\": field is immutable",
	       "metadata.creationTimestamp: Invalid value: 2025-06-07 08:09:10.5 +0000 UTC: field is immutable",
	       "metadata.deletionTimestamp: Invalid value: 2025-06-07 08:09:10 +0000 UTC: field is immutable",
	       "metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable");
	json_decref(c);
	/* clearing them is a change too */
	static const char DELETING[] =
		"{\"metadata\": {\"name\": \"a\", \"namespace\": \"ns\", \"uid\": \"u-1\", \"resourceVersion\": \"7\","
		"\"creationTimestamp\": \"2024-01-02T03:04:05Z\", \"deletionTimestamp\": \"2024-02-01T00:00:00Z\","
		"\"deletionGracePeriodSeconds\": 0, \"finalizers\": [\"example.com/f\"]}}";
	c = update(HEAD "\"generation\": 0}}", DELETING);
	EXPECT(c, "metadata.creationTimestamp: Invalid value: 0001-01-01 00:00:00 +0000 UTC: field is immutable",
	       "metadata.deletionTimestamp: Invalid value: null: field is immutable",
	       "metadata.deletionGracePeriodSeconds: Invalid value: null: field is immutable");
	json_decref(c);
	/* once deleting, finalizers may go but not come */
	c = update(HEAD
	           "\"creationTimestamp\": \"2024-01-02T03:04:05Z\", \"deletionTimestamp\": \"2024-02-01T00:00:00Z\","
	           "\"deletionGracePeriodSeconds\": 0, \"finalizers\": [\"example.com/z\", \"example.com/b\","
	           "\"example.com/z\"]}}",
	           DELETING);
	EXPECT(c, "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, "
	          "found new finalizers []string{\"example.com/b\", \"example.com/z\"}");
	json_decref(c);
	c = update(HEAD
	           "\"creationTimestamp\": \"2024-01-02T03:04:05Z\", \"deletionTimestamp\": \"2024-02-01T00:00:00Z\","
	           "\"deletionGracePeriodSeconds\": 0}}",
	           DELETING);
	EXPECT(c, NULL);
	json_decref(c);
	/* the create rules hold on update too */
	c = update(HEAD
	           "\"generation\": 3, \"creationTimestamp\": \"2024-01-02T03:04:05Z\", \"labels\": {\"a\": \"-\"}}}",
	           OLD);
	EXPECT(c, "metadata.labels: Invalid value: \"-\": " LABEL_VALUE_MSG);
	json_decref(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns1123_label),
		cmocka_unit_test(test_dns1123_subdomain),
		cmocka_unit_test(test_dns1035_label),
		cmocka_unit_test(test_qualified_name),
		cmocka_unit_test(test_label_value),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_annotations),
		cmocka_unit_test(test_label_selector),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_int_or_percent),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_ip_cidr),
		cmocka_unit_test(test_header_name),
		cmocka_unit_test(test_env_var_name),
		cmocka_unit_test(test_config_map_key),
		cmocka_unit_test(test_field_manager),
		cmocka_unit_test(test_cause_helpers),
		cmocka_unit_test(test_meta_create_names),
		cmocka_unit_test(test_meta_create_scope),
		cmocka_unit_test(test_meta_create_maps),
		cmocka_unit_test(test_meta_owner_references),
		cmocka_unit_test(test_meta_finalizers),
		cmocka_unit_test(test_meta_managed_fields),
		cmocka_unit_test(test_meta_update),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
