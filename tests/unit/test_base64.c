/* test_base64.c — the SDK's base64: RFC 4648 test vectors both ways, and
 * input Secret data must not decode to bytes it does not hold. */
#include "testutil.h"
#include <skiff/base64.h>

static const char *const vectors[][2] = {
	{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
	{"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

static void round_trips_the_rfc_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
		char *enc = sk_base64_encode(vectors[i][0], strlen(vectors[i][0]));
		assert_string_equal(enc, vectors[i][1]);
		size_t n = 99;
		unsigned char *dec = sk_base64_decode(enc, strlen(enc), &n);
		assert_non_null(dec);
		assert_int_equal(n, strlen(vectors[i][0]));
		assert_memory_equal(dec, vectors[i][0], n);
		assert_int_equal(dec[n], 0);
		free(enc);
		free(dec);
	}
}

static void keeps_binary_bytes(void **state)
{
	(void)state;
	const unsigned char raw[] = {0, 0xff, 0x10, 0, 0x80};
	char *enc = sk_base64_encode(raw, sizeof raw);
	size_t n = 0;
	unsigned char *dec = sk_base64_decode(enc, strlen(enc), &n);
	assert_int_equal(n, sizeof raw); /* trailing NULs are data, not padding */
	assert_memory_equal(dec, raw, n);
	free(enc);
	free(dec);
}

static void refuses_what_is_not_base64(void **state)
{
	(void)state;
	static const char *const bad[] = {"Zg", "Zg=", "Z===", "Zm9v!", "Zg==Zg==", "=Zg=", "Zm9vY"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_null(sk_base64_decode(bad[i], strlen(bad[i]), NULL));
	/* line breaks are skipped, as Go's decoder does for []byte */
	size_t n = 0;
	unsigned char *dec = sk_base64_decode("Zm9v\nYmFy\n", 10, &n);
	assert_non_null(dec);
	assert_int_equal(n, 6);
	free(dec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trips_the_rfc_vectors),
		cmocka_unit_test(keeps_binary_bytes),
		cmocka_unit_test(refuses_what_is_not_base64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
