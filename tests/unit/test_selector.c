/* test_selector.c — label and field selectors against Kubernetes' semantics:
 * labels.Parse, metav1.LabelSelectorAsSelector, fields.ParseSelector, and
 * their Matches and String. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/obj.h>
#include <skiff/selector.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static sk_obj *json(const char *text)
{
	sk_err err = {0};
	sk_obj *o = sk_obj_parse(text, strlen(text), &err);
	if (!o)
		fail_msg("bad test JSON %s: %s", text, err.msg);
	return o;
}

typedef sk_selector *(*parse_fn)(const char *, sk_err *);

/* Parses text, checks its canonical string, and that the string parses
 * back to a selector printing the same. */
static void check_canonical(parse_fn parse, const char *in, const char *want)
{
	sk_err err = {0};
	sk_selector *s = parse(in, &err);
	if (!s)
		fail_msg("\"%s\": unexpected error: %s", in, err.msg);
	char *got = sk_selector_string(s);
	if (strcmp(got, want))
		fail_msg("\"%s\": printed \"%s\", want \"%s\"", in, got, want);
	assert_int_equal(sk_selector_empty(s), *want == 0);
	sk_selector *again = parse(got, &err);
	if (!again)
		fail_msg("\"%s\": \"%s\" does not parse back: %s", in, got, err.msg);
	char *got2 = sk_selector_string(again);
	if (strcmp(got, got2))
		fail_msg("\"%s\": \"%s\" reprints as \"%s\"", in, got, got2);
	sk_mem_free(got2);
	sk_mem_free(got);
	sk_selector_free(again);
	sk_selector_free(s);
}

static void check_invalid(parse_fn parse, const char *in, int code, const char *why)
{
	sk_err err = {0};
	sk_selector *s = parse(in, &err);
	if (s)
		fail_msg("\"%s\": parsed, want an error containing \"%s\"", in, why);
	if (err.code != code)
		fail_msg("\"%s\": code %d, want %d (%s)", in, err.code, code, err.msg);
	if (!strstr(err.msg, why))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", in, err.msg, why);
}

/* ---- label selector text --------------------------------------------- */

static const struct {
	const char *in, *out;
} label_ok[] = {
	{"", ""},
	{"   ", ""},
	{"a=b", "a=b"},
	{"a==b", "a==b"},
	{"a!=b", "a!=b"},
	{"  a  =  b  ", "a=b"},
	{"a\t=\nb\r", "a=b"},
	{"b=c,a=d", "a=d,b=c"},
	{"x in (b,a,a)", "x in (a,b)"},
	{"x notin (a)", "x notin (a)"},
	{"x in(a)", "x in (a)"},
	{"x in ( a , b )", "x in (a,b)"},
	{"x in ()", "x in ()"},
	{"x in (,a)", "x in (,a)"},
	{"x in (a,)", "x in (,a)"},
	{"x in (,)", "x in ()"},
	{"x in (a,,b)", "x in (,a,b)"},
	{"a", "a"},
	{"!a", "!a"},
	{" ! a ", "!a"},
	{"a>1", "a>1"},
	{"a < 10", "a<10"},
	{"a>007", "a>007"},
	{"a=", "a="},
	{"a!=", "a!="},
	{"a=,b", "a=,b"},
	{"a==,b", "a==,b"},
	{"example.com/app=web", "example.com/app=web"},
	{"app.kubernetes.io/name in (web,nginx)", "app.kubernetes.io/name in (nginx,web)"},
	{"in=x", "in=x"},
	{"notin in (in,notin)", "notin in (in,notin)"},
	{"in", "in"},
	{"h>1,f notin (g),d in (e),!c,a=b", "a=b,!c,d in (e),f notin (g),h>1"},
	{"z,a,m", "a,m,z"},
	{"a!=2,a=1", "a=1,a!=2"},
	{"a=b,a=b", "a=b,a=b"},
	{"A_b.C-d=V_a.L-1", "A_b.C-d=V_a.L-1"},
	{"environment in (production, qa),tier notin (frontend)",
	 "environment in (production,qa),tier notin (frontend)"},
	{"1=2", "1=2"},
};

static void test_label_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(label_ok); i++)
		check_canonical(sk_label_selector_parse, label_ok[i].in, label_ok[i].out);
	check_canonical(sk_label_selector_parse, NULL, "");
}

static const struct {
	const char *in, *why;
} label_bad[] = {
	{"-x", "unable to parse requirement: invalid label key \"-x\": name part must consist of alphanumeric"},
	{"x-", "invalid label key \"x-\""},
	{"x_", "invalid label key"},
	{"a/b/c", "a qualified name must consist"},
	{"/a", "prefix part must be non-empty"},
	{"a/", "name part must be non-empty"},
	{"A.b/c", "RFC 1123"},
	{"a..b/c", "RFC 1123"},
	{"-a/c", "RFC 1123"},
	{"a_b/c", "RFC 1123"},
	{"ä=b", "invalid label key"},
	{"a=-b", "invalid label value \"-b\" for key \"a\""},
	{"a=é", "invalid label value"},
	{"a in (x,-y)", "invalid label value \"-y\""},
	{"a=b c", "found 'c', expected: ',' or 'end of string'"},
	{"a b c", "found 'b', expected: in, notin, =, ==, !=, gt, lt"},
	{"a=b,", "found '', expected: identifier after ','"},
	{"a,,b", "found ',', expected: identifier after ','"},
	{",a", "found ',', expected: !, identifier, or 'end of string'"},
	{"=a", "found '=', expected: !, identifier, or 'end of string'"},
	{"(a)", "expected: !, identifier"},
	{"a in b", "found 'b', expected: '('"},
	{"a in", "found '', expected: '('"},
	{"a notin", "expected: '('"},
	{"a in )", "found ')', expected: '('"},
	{"a in (b", "found '', expected: ',' or ')'"},
	{"a in (b c)", "found 'c', expected: ',' or ')'"},
	{"a in (a,,)", "found ')', expected: ',', or identifier"},
	{"a in (=)", "found '=', expected: ',', ')' or identifier"},
	{"a>b", "for 'gt', 'lt' operators, the value must be an integer"},
	{"a>", "must be an integer"},
	{"a<1.5", "must be an integer"},
	{"a>99999999999999999999", "must be an integer"},
	{"a>-1", "invalid label value \"-1\""},
	{"a b", "found 'b', expected: in, notin"},
	{"!", "found '', expected: identifier"},
	{"!!a", "found '!', expected: identifier"},
	{"!a=b", "found '=', expected: ',' or 'end of string'"},
	{"a!", "found '!', expected: in, notin"},
	{"a=(b)", "found '(', expected: identifier"},
	{"a=b=c", "found '=', expected: ',' or 'end of string'"},
	{"a===b", "found '=', expected: identifier"},
	{"a=!b", "found '!', expected: identifier"},
};

static void test_label_invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(label_bad); i++)
		check_invalid(sk_label_selector_parse, label_bad[i].in, SK_EINVALID, label_bad[i].why);
}

/* lengths: 63-character names and values, 253-character prefixes */
static void test_label_lengths(void **state)
{
	(void)state;
	char name63[64], buf[600];
	memset(name63, 'n', 63);
	name63[63] = 0;
	char prefix[254]; /* 4 x 61 + 3 dots + ".abcde" = 253 */
	snprintf(prefix, sizeof prefix, "%.61s.%.61s.%.61s.%.61s.abcde", name63, name63, name63, name63);
	for (char *c = prefix; *c; c++)
		if (*c == 'n')
			*c = 'p';
	assert_int_equal(strlen(prefix), 253);

	snprintf(buf, sizeof buf, "%s/%s=%s", prefix, name63, name63);
	check_canonical(sk_label_selector_parse, buf, buf);
	snprintf(buf, sizeof buf, "x%s=v", name63);
	check_invalid(sk_label_selector_parse, buf, SK_EINVALID, "name part must be no more than 63 characters");
	snprintf(buf, sizeof buf, "k=x%s", name63);
	check_invalid(sk_label_selector_parse, buf, SK_EINVALID, "must be no more than 63 characters");
	snprintf(buf, sizeof buf, "q%s/k=v", prefix);
	check_invalid(sk_label_selector_parse, buf, SK_EINVALID, "prefix part must be no more than 253 characters");
}

static void test_size_limit(void **state)
{
	(void)state;
	/* exactly the limit parses; one byte more is refused */
	char *text = malloc(SK_SELECTOR_MAX_BYTES + 2);
	size_t n = 0;
	while (n + 4 <= SK_SELECTOR_MAX_BYTES - 4) {
		memcpy(text + n, "a=b,", 4);
		n += 4;
	}
	memcpy(text + n, "a=bc", 4);
	n += 4;
	text[n] = 0;
	assert_int_equal(n, SK_SELECTOR_MAX_BYTES);
	sk_err err = {0};
	sk_selector *s = sk_label_selector_parse(text, &err);
	assert_non_null(s);
	sk_selector_free(s);
	s = sk_field_selector_parse(text, &err);
	assert_non_null(s);
	sk_selector_free(s);

	text[n] = 'd';
	text[n + 1] = 0;
	check_invalid(sk_label_selector_parse, text, SK_ETOOLARGE, "exceeds the limit of 16384 bytes");
	check_invalid(sk_field_selector_parse, text, SK_ETOOLARGE, "exceeds the limit of 16384 bytes");
	free(text);
}

/* ---- label matching --------------------------------------------------- */

static const struct {
	const char *sel, *labels;
	int want;
} label_match[] = {
	{"", "{}", 1},
	{"", "{\"a\":\"b\"}", 1},
	{"a=b", "{\"a\":\"b\"}", 1},
	{"a=b", "{\"a\":\"c\"}", 0},
	{"a=b", "{}", 0},
	{"a==b", "{\"a\":\"b\"}", 1},
	{"a!=b", "{}", 1},
	{"a!=b", "{\"a\":\"b\"}", 0},
	{"a!=b", "{\"a\":\"c\"}", 1},
	{"a in (b,c)", "{\"a\":\"c\"}", 1},
	{"a in (b,c)", "{\"a\":\"d\"}", 0},
	{"a in (b,c)", "{}", 0},
	{"a notin (b,c)", "{}", 1},
	{"a notin (b,c)", "{\"a\":\"b\"}", 0},
	{"a notin (b,c)", "{\"a\":\"d\"}", 1},
	{"a", "{\"a\":\"\"}", 1},
	{"a", "{}", 0},
	{"a", "{\"b\":\"a\"}", 0},
	{"!a", "{}", 1},
	{"!a", "{\"a\":\"x\"}", 0},
	{"a>5", "{\"a\":\"6\"}", 1},
	{"a>5", "{\"a\":\"5\"}", 0},
	{"a>5", "{\"a\":\"x\"}", 0},
	{"a>5", "{}", 0},
	{"a>5", "{\"a\":\"99999999999999999999\"}", 0},
	{"a<5", "{\"a\":\"-1\"}", 1},
	{"a<5", "{\"a\":\"+3\"}", 1},
	{"a<5", "{\"a\":\"\"}", 0},
	{"a<5", "{}", 0},
	{"a=b,c!=d", "{\"a\":\"b\"}", 1},
	{"a=b,c!=d", "{\"a\":\"b\",\"c\":\"d\"}", 0},
	{"a=b,c!=d", "{\"c\":\"e\"}", 0},
	{"a=", "{\"a\":\"\"}", 1},
	{"a=", "{}", 0},
	{"a!=", "{}", 1},
	{"a!=", "{\"a\":\"\"}", 0},
	{"a in ()", "{\"a\":\"\"}", 1},
	{"app.kubernetes.io/name=web", "{\"app.kubernetes.io/name\":\"web\"}", 1},
	{"a=b", "{\"a\":null}", 0},
	{"!a", "{\"a\":null}", 1},
	{"a", "{\"a\":1}", 1},
	{"a=1", "{\"a\":1}", 0},
	{"a!=1", "{\"a\":1}", 1},
	{"a=b", "[\"a\"]", 0},
	{"!a", "\"a=b\"", 1},
};

static void test_label_match(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(label_match); i++) {
		sk_err err = {0};
		sk_selector *s = sk_label_selector_parse(label_match[i].sel, &err);
		assert_non_null(s);
		sk_obj *labels = json(label_match[i].labels);
		if (sk_selector_matches_labels(s, labels) != label_match[i].want)
			fail_msg("\"%s\" on %s: want %d", label_match[i].sel, label_match[i].labels, label_match[i].want);
		/* the same labels on an object's metadata */
		sk_obj *obj = sk_obj_new_object();
		assert_int_equal(sk_obj_set(obj, "metadata.labels", labels, &err), SK_OK);
		if (sk_selector_matches(s, obj) != label_match[i].want)
			fail_msg("\"%s\" on object with %s: want %d", label_match[i].sel, label_match[i].labels,
			         label_match[i].want);
		sk_obj_unref(obj);
		sk_obj_unref(labels);
		sk_selector_free(s);
	}
}

/* objects without labels have every key absent */
static void test_label_match_objects(void **state)
{
	(void)state;
	static const struct {
		const char *sel, *obj;
		int want;
	} cases[] = {
		{"a=b", "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}", 1},
		{"a=b", "{}", 0},
		{"!a", "{}", 1},
		{"a!=b", "{\"metadata\":{}}", 1},
		{"a notin (b)", "{\"metadata\":{\"labels\":null}}", 1},
		{"a", "{\"spec\":{\"labels\":{\"a\":\"b\"}}}", 0},
		{"", "{}", 1},
	};
	for (size_t i = 0; i < N(cases); i++) {
		sk_selector *s = sk_label_selector_parse(cases[i].sel, NULL);
		sk_obj *o = json(cases[i].obj);
		if (sk_selector_matches(s, o) != cases[i].want)
			fail_msg("\"%s\" on %s: want %d", cases[i].sel, cases[i].obj, cases[i].want);
		sk_obj_unref(o);
		sk_selector_free(s);
	}
	sk_selector *s = sk_label_selector_parse("a", NULL), *all = sk_label_selector_parse("", NULL);
	assert_false(sk_selector_matches(s, NULL));
	assert_true(sk_selector_matches(all, NULL));
	assert_false(sk_selector_matches_labels(s, NULL));
	assert_true(sk_selector_matches(NULL, NULL)); /* no selector: everything */
	sk_selector_free(s);
	sk_selector_free(all);
}

/* ---- LabelSelector objects -------------------------------------------- */

static const struct {
	const char *obj; /* NULL: no object */
	const char *out; /* canonical string, or NULL for an error */
	const char *why;
} from_obj[] = {
	{NULL, "", NULL},
	{"null", "", NULL},
	{"{}", "", NULL},
	{"{\"matchLabels\":{}}", "", NULL},
	{"{\"matchExpressions\":[]}", "", NULL},
	{"{\"matchLabels\":null,\"matchExpressions\":null}", "", NULL},
	{"{\"matchLabels\":{\"a\":\"b\"}}", "a=b", NULL},
	{"{\"matchLabels\":{\"b\":\"1\",\"a\":\"2\"}}", "a=2,b=1", NULL},
	{"{\"matchLabels\":{\"a\":\"\"}}", "a=", NULL},
	{"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":[\"y\",\"x\"]}]}", "a in (x,y)", NULL},
	{"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"NotIn\",\"values\":[\"x\"]}]}", "a notin (x)", NULL},
	{"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\"}]}", "a", NULL},
	{"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\",\"values\":[]}]}", "a", NULL},
	{"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"DoesNotExist\",\"values\":null}]}", "!a", NULL},
	{"{\"matchLabels\":{\"tier\":\"web\"},\"matchExpressions\":[{\"key\":\"env\",\"operator\":\"In\","
	 "\"values\":[\"prod\",\"qa\"]},{\"key\":\"canary\",\"operator\":\"DoesNotExist\"}]}",
	 "!canary,env in (prod,qa),tier=web", NULL},
	{"[]", NULL, "must be an object"},
	{"\"a=b\"", NULL, "must be an object"},
	{"{\"matchLabels\":[]}", NULL, "matchLabels: must be an object"},
	{"{\"matchLabels\":{\"a\":1}}", NULL, "matchLabels[\"a\"]: must be a string"},
	{"{\"matchLabels\":{\"-a\":\"b\"}}", NULL, "invalid label key \"-a\""},
	{"{\"matchLabels\":{\"a\":\"-\"}}", NULL, "invalid label value \"-\""},
	{"{\"matchExpressions\":{}}", NULL, "matchExpressions: must be a list"},
	{"{\"matchExpressions\":[1]}", NULL, "matchExpressions[0]: must be an object"},
	{"{\"matchExpressions\":[{\"operator\":\"Exists\"}]}", NULL, "matchExpressions[0].key: Required value"},
	{"{\"matchExpressions\":[{\"key\":\"a\"}]}", NULL, "matchExpressions[0].operator: Required value"},
	{"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Gt\",\"values\":[\"1\"]}]}", NULL,
	 "\"Gt\" is not a valid label selector operator"},
	{"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"in\",\"values\":[\"1\"]}]}", NULL,
	 "is not a valid label selector operator"},
	{"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\"}]}", NULL,
	 "must be specified when `operator` is 'In' or 'NotIn'"},
	{"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"NotIn\",\"values\":[]}]}", NULL,
	 "must be specified when `operator` is 'In' or 'NotIn'"},
	{"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\",\"values\":[\"x\"]}]}", NULL,
	 "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"},
	{"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":\"x\"}]}", NULL,
	 "values: must be a list"},
	{"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":[\"x\",2]}]}", NULL,
	 "matchExpressions[0].values[1]: must be a string"},
	{"{\"matchExpressions\":[{\"key\":\"ok\",\"operator\":\"Exists\"},{\"key\":\"a\",\"operator\":\"In\","
	 "\"values\":[\"x y\"]}]}", NULL, "matchExpressions[1].values[0]: invalid label value \"x y\""},
};

static void test_from_obj(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(from_obj); i++) {
		sk_err err = {0};
		sk_obj *o = from_obj[i].obj ? json(from_obj[i].obj) : NULL;
		sk_selector *s = sk_label_selector_from_obj(o, &err);
		const char *name = from_obj[i].obj ? from_obj[i].obj : "NULL";
		if (from_obj[i].out) {
			if (!s)
				fail_msg("%s: unexpected error: %s", name, err.msg);
			char *str = sk_selector_string(s);
			if (strcmp(str, from_obj[i].out))
				fail_msg("%s: printed \"%s\", want \"%s\"", name, str, from_obj[i].out);
			assert_int_equal(sk_selector_empty(s), *from_obj[i].out == 0);
			/* the text form selects the same */
			check_canonical(sk_label_selector_parse, str, str);
			sk_mem_free(str);
		} else {
			if (s)
				fail_msg("%s: parsed, want an error containing \"%s\"", name, from_obj[i].why);
			assert_int_equal(err.code, SK_EINVALID);
			if (!strstr(err.msg, from_obj[i].why))
				fail_msg("%s: message \"%s\" lacks \"%s\"", name, err.msg, from_obj[i].why);
		}
		sk_selector_free(s);
		if (o)
			sk_obj_unref(o);
	}
}

static void test_from_obj_matches(void **state)
{
	(void)state;
	sk_obj *sel = json("{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":[{\"key\":\"env\","
	                   "\"operator\":\"NotIn\",\"values\":[\"dev\"]}]}");
	sk_selector *s = sk_label_selector_from_obj(sel, NULL);
	sk_obj *a = json("{\"app\":\"web\"}"), *b = json("{\"app\":\"web\",\"env\":\"dev\"}"),
	       *c = json("{\"app\":\"db\",\"env\":\"prod\"}");
	assert_true(sk_selector_matches_labels(s, a));
	assert_false(sk_selector_matches_labels(s, b));
	assert_false(sk_selector_matches_labels(s, c));
	sk_selector_free(s);
	/* absent and empty selectors select everything */
	sk_obj *empty = json("{}");
	s = sk_label_selector_from_obj(empty, NULL);
	assert_true(sk_selector_matches_labels(s, c));
	sk_selector_free(s);
	s = sk_label_selector_from_obj(NULL, NULL);
	assert_true(sk_selector_matches_labels(s, c));
	sk_selector_free(s);
	sk_obj_unref(empty);
	sk_obj_unref(a);
	sk_obj_unref(b);
	sk_obj_unref(c);
	sk_obj_unref(sel);
}

/* ---- field selectors -------------------------------------------------- */

static const struct {
	const char *in, *out;
} field_ok[] = {
	{"", ""},
	{",", ""},
	{",,", ""},
	{"metadata.name=foo", "metadata.name=foo"},
	{"metadata.name==foo", "metadata.name=foo"},
	{"spec.nodeName=", "spec.nodeName="},
	{"spec.nodeName!=", "spec.nodeName!="},
	{"status.phase!=Running,spec.nodeName=n1", "spec.nodeName=n1,status.phase!=Running"},
	{"metadata.namespace=default,metadata.name=x", "metadata.name=x,metadata.namespace=default"},
	{"metadata.name=a\\,b", "metadata.name=a\\,b"},
	{"a=x\\=y", "a=x\\=y"},
	{"a=x\\\\", "a=x\\\\"},
	{"a=b,,c=d", "a=b,c=d"},
	{"a=b,", "a=b"},
	{",a=b", "a=b"},
	{"a= b ", "a= b "},
	{"a=!b", "a=!b"},
	{"a=1,a=1", "a=1,a=1"},
	{"a!=1,a=1", "a=1,a!=1"},
	{"a_b-c.d=x", "a_b-c.d=x"},
	{"metadata.labels[\"app.kubernetes.io/name\"]=web", "metadata.labels[\"app.kubernetes.io/name\"]=web"},
	{"spec.containers[0].image=nginx", "spec.containers[0].image=nginx"},
	{"involvedObject.kind=Pod,type=Warning", "involvedObject.kind=Pod,type=Warning"},
};

static void test_field_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(field_ok); i++)
		check_canonical(sk_field_selector_parse, field_ok[i].in, field_ok[i].out);
	check_canonical(sk_field_selector_parse, NULL, "");
}

static const struct {
	const char *in, *why;
} field_bad[] = {
	{"metadata.name", "invalid field selector: 'metadata.name'; can't understand 'metadata.name'"},
	{"a=b,c", "can't understand 'c'"},
	{"=foo", "invalid field path \"\""},
	{"!=foo", "invalid field path"},
	{"a=b=c", "unescaped character in value: ="},
	{"a!==b", "unescaped character in value: ="},
	{"a=b\\", "invalid escape sequence"},
	{"a=b\\x", "invalid escape sequence: \\x"},
	{"a b=c", "invalid field path \"a b\""},
	{"metadata.name =x", "invalid field path"},
	{" metadata.name=x", "invalid field path"},
	{"a..b=c", "invalid field path"},
	{".a=b", "invalid field path"},
	{"a.=b", "invalid field path"},
	{"a[x]=b", "invalid field path"},
	{"a[]=b", "invalid field path"},
	{"a[0=b", "invalid field path"},
	{"a[\"x]=b", "invalid field path"},
	{"a[\"x y\"]=b", "invalid field path"},
	{"a!b=c", "invalid field path"},
	{"a\\,b=c", "invalid field path"},
};

static void test_field_invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(field_bad); i++)
		check_invalid(sk_field_selector_parse, field_bad[i].in, SK_EINVALID, field_bad[i].why);
}

static const char *const pod =
	"{\"metadata\":{\"name\":\"p1\",\"namespace\":\"default\",\"labels\":{\"a\":\"b\"}},"
	"\"spec\":{\"hostNetwork\":true,\"priority\":5,\"ratio\":0.5,\"containers\":[{\"image\":\"nginx\"}]},"
	"\"status\":{\"phase\":\"Running\"}}";
static const char *const scheduled = "{\"metadata\":{\"name\":\"p2\"},\"spec\":{\"nodeName\":\"n1\"}}";
static const char *const odd = "{\"metadata\":{\"name\":\"a,b=c\\\\d\"},\"spec\":{\"nodeName\":null}}";

static const struct {
	const char *sel, *const *obj; /* obj NULL: no object */
	int want;
} field_match[] = {
	{"", &pod, 1},
	{"spec.nodeName=", &pod, 1}, /* kube-scheduler's unscheduled pods */
	{"spec.nodeName!=", &pod, 0},
	{"spec.nodeName=", &scheduled, 0},
	{"spec.nodeName!=", &scheduled, 1},
	{"spec.nodeName=n1", &scheduled, 1},
	{"spec.nodeName=", &odd, 1}, /* null compares as "" */
	{"metadata.name=p1", &pod, 1},
	{"metadata.name!=p1", &pod, 0},
	{"metadata.name==p1", &pod, 1},
	{"metadata.name=p2", &pod, 0},
	{"status.phase=Running,metadata.name=p1", &pod, 1},
	{"status.phase=Running,metadata.name=p2", &pod, 0},
	{"status.phase!=Succeeded,status.phase!=Failed", &pod, 1},
	{"spec.hostNetwork=true", &pod, 1},
	{"spec.hostNetwork=false", &pod, 0},
	{"spec.priority=5", &pod, 1},
	{"spec.priority=05", &pod, 0},
	{"spec.ratio=0.5", &pod, 1},
	{"spec.containers[0].image=nginx", &pod, 1},
	{"spec.containers[1].image=", &pod, 1},
	{"metadata.labels[\"a\"]=b", &pod, 1},
	{"metadata=", &pod, 0}, /* objects equal no value */
	{"metadata!=", &pod, 1},
	{"metadata.name=a\\,b\\=c\\\\d", &odd, 1},
	{"metadata.name!=a\\,b\\=c\\\\d", &odd, 0},
	{"metadata.name=", NULL, 1},
	{"metadata.name=x", NULL, 0},
};

static void test_field_match(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(field_match); i++) {
		sk_err err = {0};
		sk_selector *s = sk_field_selector_parse(field_match[i].sel, &err);
		if (!s)
			fail_msg("\"%s\": %s", field_match[i].sel, err.msg);
		sk_obj *o = field_match[i].obj ? json(*field_match[i].obj) : NULL;
		if (sk_selector_matches(s, o) != field_match[i].want)
			fail_msg("\"%s\" on %s: want %d", field_match[i].sel, o ? *field_match[i].obj : "NULL",
			         field_match[i].want);
		if (o)
			sk_obj_unref(o);
		sk_selector_free(s);
	}
}

/* a field selector knows its kind: it says nothing about label maps */
static void test_kinds(void **state)
{
	(void)state;
	sk_selector *f = sk_field_selector_parse("metadata.name=a", NULL);
	sk_selector *e = sk_field_selector_parse("", NULL);
	sk_obj *labels = json("{\"metadata.name\":\"a\"}");
	assert_false(sk_selector_matches_labels(f, labels));
	assert_true(sk_selector_matches_labels(e, labels));
	assert_false(sk_selector_empty(f));
	assert_true(sk_selector_empty(e));
	assert_true(sk_selector_empty(NULL));
	sk_selector_free(f);
	sk_selector_free(e);
	sk_selector_free(NULL);
	sk_obj_unref(labels);
	char *s = sk_selector_string(NULL);
	assert_string_equal(s, "");
	sk_mem_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_parse),      cmocka_unit_test(test_label_invalid),
		cmocka_unit_test(test_label_lengths),    cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_label_match),      cmocka_unit_test(test_label_match_objects),
		cmocka_unit_test(test_from_obj),         cmocka_unit_test(test_from_obj_matches),
		cmocka_unit_test(test_field_parse),      cmocka_unit_test(test_field_invalid),
		cmocka_unit_test(test_field_match),      cmocka_unit_test(test_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
