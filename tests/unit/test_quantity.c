/* test_quantity.c — resource quantities against Kubernetes' resource.Quantity:
 * what ParseQuantity accepts and rounds, what String() prints, Value(),
 * MilliValue(), Cmp, Add and Sub. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <skiff/selector.h>

#define B SK_QTY_BINARY_SI
#define D SK_QTY_DECIMAL_SI
#define X SK_QTY_DECIMAL_EXP
#define N(a) (sizeof(a) / sizeof((a)[0]))

static sk_quantity parse_ok(const char *s)
{
	sk_quantity q;
	sk_err err = {0};
	memset(&q, 0xa5, sizeof q);
	if (sk_quantity_parse(s, &q, &err) != SK_OK)
		fail_msg("\"%s\": unexpected error: %s", s, err.msg);
	return q;
}

static const char *fmt(const sk_quantity *q, char *buf)
{
	sk_quantity_format(q, buf, 64);
	return buf;
}

/* input, canonical form as Kubernetes' String() prints it, recorded format */
static const struct {
	const char *in, *out;
	uint32_t format;
} canonical[] = {
	{"0", "0", D},
	{"0m", "0", D},
	{"0Ki", "0", B},
	{"-0", "0", D},
	{"0.0", "0", D},
	{"0e5", "0", X},
	{"1", "1", D},
	{"+1", "1", D},
	{"-1", "-1", D},
	{"007", "7", D},
	{"1k", "1k", D},
	{"1000", "1k", D},
	{"1000m", "1", D},
	{"100m", "100m", D},
	{"0.1", "100m", D},
	{"1.5", "1500m", D},
	{".5", "500m", D},
	{"5.", "5", D},
	{"1.G", "1G", D},
	{"100.035k", "100035", D},
	{"1n", "1n", D},
	{"1u", "1u", D},
	{"1000n", "1u", D},
	{"1000u", "1m", D},
	{"1M", "1M", D},
	{"1G", "1G", D},
	{"1T", "1T", D},
	{"1P", "1P", D},
	{"1E", "1E", D}, /* E alone is exa, not an exponent */
	{"12E", "12E", D},
	{"1000E", "1000E", D},
	{"100000000000000000000000000000", "100000000000E", D},
	{"1024", "1024", D},
	{"0.1n", "1n", D},  /* finer than a nano rounds up */
	{"-0.1n", "-1n", D}, /* ...away from zero, as Kubernetes does */
	{"1.5n", "2n", D},
	{"0.0000000001", "1n", D},
	{"0.000000000000000000000000000000000000000000001", "1n", D},
	{"170141183460469231731687303715.884105727", "170141183460469231731687303715884105727n", D},
	{"1Ki", "1Ki", B},
	{"1024Ki", "1Mi", B},
	{"1.5Gi", "1536Mi", B},
	{"-1.5Gi", "-1536Mi", B},
	{"5Gi", "5Gi", B},
	{"1536Mi", "1536Mi", B},
	{"1.5Mi", "1536Ki", B},
	{"1023Ki", "1023Ki", B},
	{"0.5Ki", "512", B},       /* below 1Ki prints as DecimalSI */
	{"0.001Ki", "1024m", B},   /* likewise */
	{"1.0001Ki", "1024102400u", B}, /* not whole: DecimalSI */
	{"0.0001Ki", "102400u", D}, /* below one unit: DecimalSI from the start */
	{"0.0000000001Ki", "103n", D},
	{"7Ei", "7Ei", B},
	{"8Ei", "9223372036854775807", B}, /* capped at 2^63-1 units */
	{"-8Ei", "-9223372036854775807", B},
	{"99999999999999999999999999999999999999999Ei", "9223372036854775807", B},
	{"2e3", "2e3", X},
	{"1e3", "1e3", X},
	{"1E3", "1e3", X},
	{"1e+3", "1e3", X},
	{"1e0003", "1e3", X},
	{"12e2", "1200", X},
	{"1.5e3", "1500", X},
	{"1e0", "1", X},
	{"1.1e-1", "110e-3", X},
	{"1E-2", "10e-3", X},
	{"2e-3", "2e-3", X},
	{"1e-9", "1e-9", X},
	{"1e-10", "1e-9", X},
	{"1e-100", "1e-9", X},
	{"1e29", "100e27", X},
	{"-5e6", "-5e6", X},
};

static void test_canonical(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(canonical); i++) {
		char buf[64];
		sk_quantity q = parse_ok(canonical[i].in);
		fmt(&q, buf);
		if (strcmp(buf, canonical[i].out))
			fail_msg("\"%s\": printed \"%s\", want \"%s\"", canonical[i].in, buf, canonical[i].out);
		if (q.format != canonical[i].format)
			fail_msg("\"%s\": format %u, want %u", canonical[i].in, q.format, canonical[i].format);
	}
}

/* the canonical form reads back to the same value and prints the same */
static void test_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(canonical); i++) {
		char a[64], b[64];
		sk_quantity q = parse_ok(canonical[i].in);
		sk_quantity r = parse_ok(fmt(&q, a));
		if (sk_quantity_cmp(&q, &r) != 0)
			fail_msg("\"%s\": \"%s\" reads back as another value", canonical[i].in, a);
		if (strcmp(a, fmt(&r, b)))
			fail_msg("\"%s\": \"%s\" reprints as \"%s\"", canonical[i].in, a, b);
	}
}

static const struct {
	const char *in, *why;
} invalid[] = {
	{"", "empty"},
	{" ", "expected a number"},
	{" 1", "expected a number"},
	{"\t1", "expected a number"},
	{"1 ", "unknown suffix \" \""},
	{"1 Gi", "unknown suffix"},
	{"abc", "expected a number"},
	{".", "expected a number"},
	{"-", "expected a number"},
	{"+", "expected a number"},
	{"Ki", "expected a number"},
	{"e3", "expected a number"},
	{"--1", "expected a number"},
	{"+-1", "expected a number"},
	{"NaN", "expected a number"},
	{"inf", "expected a number"},
	{"1Kb", "unknown suffix \"Kb\""},
	{"1K", "unknown suffix \"K\""},
	{"1ki", "unknown suffix"},
	{"1KI", "unknown suffix"},
	{"1Mi ", "unknown suffix"},
	{"1.2.3", "unknown suffix"},
	{"1.5.Gi", "unknown suffix"},
	{"1e", "unknown suffix \"e\""},
	{"1e+", "unknown suffix"},
	{"1e-", "unknown suffix"},
	{"1e3.5", "unknown suffix"},
	{"1ee3", "unknown suffix"},
	{"1EE", "unknown suffix"},
	{"1E3E", "unknown suffix"},
	{"1e3Ki", "unknown suffix"},
	{"1Ki5", "unknown suffix"},
	{"1m5", "unknown suffix"},
	{"1x", "unknown suffix"},
	{"0x10", "unknown suffix"},
	{"1_000", "unknown suffix"},
	{"1,5", "unknown suffix"},
	{"1e30", "exceeds"},
	{"1e39", "exceeds"},
	{"-1e30", "exceeds"},
	{"1e999999999999999999999", "exceeds"},
	{"1000000000000000000000000000000", "exceeds"},
	{"170141183460469231731687303715.884105728", "exceeds"},
	{"170141183460469231731687303715.8841057271", "exceeds"},
};

static void test_invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(invalid); i++) {
		sk_quantity q = {0};
		sk_err err = {0};
		int rc = sk_quantity_parse(invalid[i].in, &q, &err);
		if (rc != SK_EINVALID || err.code != SK_EINVALID)
			fail_msg("\"%s\": rc %d, want SK_EINVALID", invalid[i].in, rc);
		if (!strstr(err.msg, invalid[i].why))
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", invalid[i].in, err.msg, invalid[i].why);
		if (q.nano_lo || q.nano_hi)
			fail_msg("\"%s\": a failed parse changed the quantity", invalid[i].in);
	}
	sk_quantity q;
	assert_int_equal(sk_quantity_parse(NULL, &q, NULL), SK_EINVALID);
}

/* Value() and MilliValue(): rounded up (away from zero), saturating */
static const struct {
	const char *in;
	int64_t value, milli;
} scaled[] = {
	{"0", 0, 0},
	{"1", 1, 1000},
	{"100m", 1, 100},
	{"0.5", 1, 500},
	{"1.5", 2, 1500},
	{"1001m", 2, 1001},
	{"1.0001m", 1, 2},
	{"1n", 1, 1},
	{"1Ki", 1024, 1024000},
	{"5Gi", 5368709120LL, 5368709120000LL},
	{"-100m", -1, -100},
	{"-1n", -1, -1},
	{"-1.5", -2, -1500},
	{"9223372036854775.807", 9223372036854776LL, INT64_MAX},
	{"9223372036854775807m", 9223372036854776LL, INT64_MAX},
	{"9223372036854775808m", 9223372036854776LL, INT64_MAX},
	{"9223372036854775807", INT64_MAX, INT64_MAX},
	{"-9223372036854775808", INT64_MIN, INT64_MIN},
	{"-9223372036854775809", INT64_MIN, INT64_MIN},
	{"8Ei", INT64_MAX, INT64_MAX},
	{"1e20", INT64_MAX, INT64_MAX},
	{"-1e20", INT64_MIN, INT64_MIN},
};

static void test_value_milli(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(scaled); i++) {
		sk_quantity q = parse_ok(scaled[i].in);
		int64_t v = sk_quantity_value(&q), m = sk_quantity_milli(&q);
		if (v != scaled[i].value)
			fail_msg("\"%s\": value %lld, want %lld", scaled[i].in, (long long)v, (long long)scaled[i].value);
		if (m != scaled[i].milli)
			fail_msg("\"%s\": milli %lld, want %lld", scaled[i].in, (long long)m, (long long)scaled[i].milli);
	}
	sk_quantity zero = {0};
	assert_int_equal(sk_quantity_value(&zero), 0);
}

static const struct {
	const char *a, *b;
	int cmp;
} cmps[] = {
	{"1", "1000m", 0},
	{"1Ki", "1024", 0},
	{"1e3", "1k", 0},
	{"0.5", "500m", 0},
	{"0", "-0", 0},
	{"1k", "1Ki", -1},
	{"-1", "0", -1},
	{"1n", "0", 1},
	{"100Gi", "100G", 1},
	{"-1Ki", "-1k", -1},
	{"1E", "1Ei", -1},
	{"1000000000000000000000000000001n", "1000000000000000000000000000000n", 1},
	{"0.1n", "1n", 0},
};

static void test_cmp(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(cmps); i++) {
		sk_quantity a = parse_ok(cmps[i].a), b = parse_ok(cmps[i].b);
		if (sk_quantity_cmp(&a, &b) != cmps[i].cmp || sk_quantity_cmp(&b, &a) != -cmps[i].cmp)
			fail_msg("cmp(\"%s\", \"%s\") != %d", cmps[i].a, cmps[i].b, cmps[i].cmp);
	}
}

/* a + b and a - b, printed; a zero accumulator takes b's format */
static const struct {
	const char *a, *b, *sum, *diff;
} sums[] = {
	{"1", "500m", "1500m", "500m"},
	{"1", "1", "2", "0"},
	{"100m", "-100m", "0", "200m"},
	{"1Gi", "512Mi", "1536Mi", "512Mi"},
	{"0", "1Ki", "1Ki", "-1Ki"},
	{"1Ki", "1", "1025", "1023"},
	{"2e3", "1k", "3e3", "1e3"},
	{"1n", "1n", "2n", "0"},
	{"3", "0.000000001", "3000000001n", "2999999999n"},
	{"9223372036854775807", "1", "9223372036854775808", "9223372036854775806"},
};

static void test_add_sub(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(sums); i++) {
		char buf[64];
		sk_quantity a = parse_ok(sums[i].a), b = parse_ok(sums[i].b), s = a, d = a;
		sk_quantity_add(&s, &b);
		sk_quantity_sub(&d, &b);
		if (strcmp(fmt(&s, buf), sums[i].sum))
			fail_msg("\"%s\" + \"%s\" = \"%s\", want \"%s\"", sums[i].a, sums[i].b, buf, sums[i].sum);
		if (strcmp(fmt(&d, buf), sums[i].diff))
			fail_msg("\"%s\" - \"%s\" = \"%s\", want \"%s\"", sums[i].a, sums[i].b, buf, sums[i].diff);
		/* (a + b) - b == a exactly */
		sk_quantity_sub(&s, &b);
		assert_int_equal(sk_quantity_cmp(&s, &a), 0);
	}
}

/* beyond the range sums saturate rather than wrap */
static void test_saturation(void **state)
{
	(void)state;
	char buf[64];
	sk_quantity big = parse_ok("100000000000000000000000000000"), acc = big;
	sk_quantity_add(&acc, &big);
	assert_string_equal(fmt(&acc, buf), "170141183460469231731687303715884105727n");
	assert_int_equal(sk_quantity_cmp(&acc, &big), 1);
	assert_true(sk_quantity_value(&acc) == INT64_MAX);
	sk_quantity_add(&acc, &big);
	assert_string_equal(fmt(&acc, buf), "170141183460469231731687303715884105727n");

	sk_quantity neg = parse_ok("-100000000000000000000000000000");
	acc = neg;
	sk_quantity_sub(&acc, &big);
	sk_quantity_sub(&acc, &big);
	assert_string_equal(fmt(&acc, buf), "-170141183460469231731687303715884105727n");
	assert_true(sk_quantity_milli(&acc) == INT64_MIN);
	/* and come back exactly from the bound */
	sk_quantity_add(&acc, &big);
	assert_int_equal(sk_quantity_cmp(&acc, &neg), 1);
}

static void test_format_buffer(void **state)
{
	(void)state;
	char buf[16];
	sk_quantity q = parse_ok("1.5Gi"), zero = {0};
	assert_int_equal(sk_quantity_format(&q, buf, 7), 6);
	assert_string_equal(buf, "1536Mi");
	memset(buf, 'x', sizeof buf);
	assert_int_equal(sk_quantity_format(&q, buf, 6), 0); /* too small: nothing */
	assert_string_equal(buf, "");
	assert_int_equal(sk_quantity_format(&q, NULL, 0), 0);
	assert_int_equal(sk_quantity_format(&zero, buf, sizeof buf), 1);
	assert_string_equal(buf, "0");
	/* an unknown format prints as DecimalExponent, as Kubernetes does */
	sk_quantity odd = parse_ok("1500");
	odd.format = 7;
	sk_quantity_format(&odd, buf, sizeof buf);
	assert_string_equal(buf, "1500");
	odd = parse_ok("2k");
	odd.format = 7;
	sk_quantity_format(&odd, buf, sizeof buf);
	assert_string_equal(buf, "2e3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical),  cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_invalid),    cmocka_unit_test(test_value_milli),
		cmocka_unit_test(test_cmp),        cmocka_unit_test(test_add_sub),
		cmocka_unit_test(test_saturation), cmocka_unit_test(test_format_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
