/* fuzz_json.c — libFuzzer target for sk_obj: parsing, dumping and paths.
 *
 * The whole input is parsed as JSON; whatever parses must dump and parse
 * back equal, in both output styles. Then the first line is taken as a path
 * and the rest as a document (an empty object if it is not JSON), and the
 * path accessors run against it: a successful set must be readable back. */
#include "err.h"
#include "json.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nesting depth as sk_obj_parse counts it: the root is level 0. */
static int depth_of(const json_t *j)
{
	int deepest = 0;
	const char *k;
	size_t i;
	json_t *v;
	if (json_is_object(j))
		json_object_foreach((json_t *)j, k, v)
		{
			int d = depth_of(v) + 1;
			deepest = d > deepest ? d : deepest;
		}
	else if (json_is_array(j))
		json_array_foreach(j, i, v)
		{
			int d = depth_of(v) + 1;
			deepest = d > deepest ? d : deepest;
		}
	return deepest;
}

static void check_dump_parse(const sk_obj *o)
{
	/* setters may nest deeper than the parser accepts; nothing to compare then */
	if (depth_of(J(o)) > SK_OBJ_MAX_DEPTH)
		return;
	static const int styles[] = {0, SK_DUMP_PRETTY | SK_DUMP_SORTED};
	for (size_t i = 0; i < sizeof styles / sizeof styles[0]; i++) {
		char *text = sk_obj_dump(o, styles[i]);
		if (!text)
			abort();
		sk_err err = {0};
		sk_obj *again = sk_obj_parse(text, strlen(text), &err);
		if (!again || !sk_obj_equal(o, again)) {
			fprintf(stderr, "dump did not parse back equal: %s (%s)\n", text, err.msg);
			abort();
		}
		sk_obj_unref(again);
		sk_mem_free(text);
	}
}

static void exercise_path(const char *path, sk_obj *doc)
{
	sk_err err = {0};
	(void)sk_obj_get(doc, path);
	(void)sk_obj_get_str(doc, path);
	(void)sk_obj_get_int(doc, path, 7);
	(void)sk_obj_get_real(doc, path, 0.5);
	(void)sk_obj_get_bool(doc, path, 1);
	/* non-UTF-8 keys must be refused with an error, never half-applied */
	if (sk_obj_set_str(doc, path, "fuzz", &err) == SK_OK) {
		const char *s = sk_obj_get_str(doc, path);
		if (!s || strcmp(s, "fuzz") != 0) {
			fprintf(stderr, "set then get of '%s' disagree\n", path);
			abort();
		}
	} else if (err.code == SK_OK || !err.msg[0]) {
		abort();
	}
	check_dump_parse(doc);
	(void)sk_obj_del(doc, path);
	check_dump_parse(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	sk_err err = {0};
	sk_obj *o = sk_obj_parse(buf, size, &err);
	if (o) {
		check_dump_parse(o);
		sk_obj_unref(o);
	} else if (err.code == SK_OK) {
		abort();
	}

	const char *nl = memchr(buf, '\n', size);
	size_t plen = nl ? (size_t)(nl - buf) : size;
	char *path = malloc(plen + 1);
	if (!path)
		return 0;
	memcpy(path, buf, plen);
	path[plen] = 0; /* an embedded NUL just shortens the path */
	const char *rest = nl ? nl + 1 : buf + size;
	sk_obj *doc = sk_obj_parse(rest, size - (size_t)(rest - buf), &err);
	if (!doc)
		doc = sk_obj_new_object();
	exercise_path(path, doc);
	sk_obj_unref(doc);
	free(path);
	return 0;
}
