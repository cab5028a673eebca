/* fuzz_selector.c — arbitrary bytes through the label selector, field
 * selector and quantity parsers. Whatever parses must print to a form that
 * parses back, prints the same again and selects (or weighs) the same.
 * Input that is JSON also goes through sk_label_selector_from_obj. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/obj.h>
#include <skiff/selector.h>

#define FAIL(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), abort())

static sk_obj *objects[3];

/* a few objects for both kinds of selector to match against */
static void init(void)
{
	static const char *const docs[] = {
		"{\"metadata\":{\"name\":\"p1\",\"labels\":{\"a\":\"b\",\"app\":\"web\",\"n\":\"5\",\"e\":\"\","
		"\"example.com/x\":\"1\"}},\"spec\":{\"nodeName\":\"n1\",\"priority\":5,\"hostNetwork\":true},"
		"\"status\":{\"phase\":\"Running\"}}",
		"{\"metadata\":{\"name\":\"a,b=c\\\\d\",\"labels\":{\"n\":\"-7\",\"in\":\"notin\"}},\"spec\":{}}",
		"{}",
	};
	for (size_t i = 0; i < 3; i++)
		if (!(objects[i] = sk_obj_parse(docs[i], strlen(docs[i]), NULL)))
			FAIL("bad fixture %zu", i);
}

static void check_selector(sk_selector *(*parse)(const char *, sk_err *), const char *kind,
                           const char *text)
{
	sk_err err = {0};
	sk_selector *s = parse(text, &err);
	if (!s) {
		if (err.code != SK_EINVALID && err.code != SK_ETOOLARGE)
			FAIL("%s \"%s\": unexpected code %d: %s", kind, text, err.code, err.msg);
		return;
	}
	char *str = sk_selector_string(s);
	if (!str)
		FAIL("%s \"%s\": no string", kind, text);
	/* canonical spacing (" in ") can push a text at the limit past it */
	if (strlen(str) <= SK_SELECTOR_MAX_BYTES) {
		sk_selector *again = parse(str, &err);
		if (!again)
			FAIL("%s \"%s\": printed \"%s\", which fails to parse: %s", kind, text, str, err.msg);
		char *str2 = sk_selector_string(again);
		if (!str2 || strcmp(str, str2))
			FAIL("%s \"%s\": printed \"%s\", reprinted \"%s\"", kind, text, str, str2);
		if (sk_selector_empty(s) != sk_selector_empty(again))
			FAIL("%s \"%s\": emptiness changed", kind, text);
		for (size_t i = 0; i < 3; i++) {
			sk_obj *labels = sk_obj_get(objects[i], "metadata.labels");
			if (sk_selector_matches(s, objects[i]) != sk_selector_matches(again, objects[i]) ||
			    sk_selector_matches_labels(s, labels) != sk_selector_matches_labels(again, labels))
				FAIL("%s \"%s\": \"%s\" selects differently", kind, text, str);
		}
		sk_mem_free(str2);
		sk_selector_free(again);
	}
	sk_mem_free(str);
	sk_selector_free(s);
}

static void check_quantity(const char *text)
{
	sk_quantity q, r;
	sk_err err = {0};
	char a[64], b[64];
	if (sk_quantity_parse(text, &q, &err) != SK_OK) {
		if (err.code != SK_EINVALID)
			FAIL("quantity \"%s\": unexpected code %d: %s", text, err.code, err.msg);
		return;
	}
	if (!sk_quantity_format(&q, a, sizeof a))
		FAIL("quantity \"%s\": does not print in %zu bytes", text, sizeof a);
	if (sk_quantity_parse(a, &r, &err) != SK_OK)
		FAIL("quantity \"%s\": printed \"%s\", which fails to parse: %s", text, a, err.msg);
	if (sk_quantity_cmp(&q, &r) != 0)
		FAIL("quantity \"%s\": printed \"%s\", another value", text, a);
	sk_quantity_format(&r, b, sizeof b);
	if (strcmp(a, b))
		FAIL("quantity \"%s\": printed \"%s\", reprinted \"%s\"", text, a, b);
	int64_t v = sk_quantity_value(&q), m = sk_quantity_milli(&q);
	/* the arithmetic is exact away from the bounds: (q + q) - q == q */
	sk_quantity s = q;
	sk_quantity_add(&s, &q);
	sk_quantity_sub(&s, &q);
	if (v > INT64_MIN && v < INT64_MAX && sk_quantity_cmp(&s, &q) != 0)
		FAIL("quantity \"%s\": (q + q) - q != q", text);
	if ((v > 0) != (m > 0) || (v < 0) != (m < 0))
		FAIL("quantity \"%s\": value %lld and milli %lld disagree", text, (long long)v, (long long)m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!objects[0])
		init();
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;

	check_selector(sk_label_selector_parse, "label selector", text);
	check_selector(sk_field_selector_parse, "field selector", text);
	check_quantity(text);

	sk_obj *o = sk_obj_parse(text, size, NULL);
	if (o) {
		sk_err err = {0};
		sk_selector *s = sk_label_selector_from_obj(o, &err);
		if (s) {
			char *str = sk_selector_string(s);
			check_selector(sk_label_selector_parse, "label selector from object", str);
			sk_selector *again = sk_label_selector_parse(str, &err);
			if (!again && strlen(str) <= SK_SELECTOR_MAX_BYTES)
				FAIL("selector object %s printed \"%s\", which fails to parse: %s", text, str, err.msg);
			for (size_t i = 0; again && i < 3; i++)
				if (sk_selector_matches(s, objects[i]) != sk_selector_matches(again, objects[i]))
					FAIL("selector object %s: \"%s\" selects differently", text, str);
			sk_selector_free(again);
			sk_mem_free(str);
			sk_selector_free(s);
		} else if (err.code != SK_EINVALID) {
			FAIL("selector object %s: unexpected code %d: %s", text, err.code, err.msg);
		}
		sk_obj_unref(o);
	}
	free(text);
	return 0;
}
