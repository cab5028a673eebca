/* fuzz_types.c — arbitrary text through the type notation (schema_define),
 * and, when the input holds a NUL byte, the bytes after it as JSON through
 * validation, pruning and defaults against the types the text defined, and
 * through schema_define_openapi as a CRD schema. Errors must carry the
 * label and a line; pruned objects must have no unknown fields left;
 * pruning and defaulting must be idempotent; every defined type renders. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

#define FAIL(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), abort())
#define MAX_TYPES 64

/* The full names the text declares, read the simple way: "package" and
 * "type" at the start of a line. Names the parser rejected do not resolve. */
static size_t declared(const char *text, size_t len, char names[][256], size_t max)
{
	char pkg[200] = "";
	size_t n = 0;
	for (size_t pos = 0; pos < len && n < max;) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - line) : len - pos;
		pos += l + 1;
		char w1[16], w2[200];
		char buf[256];
		if (l >= sizeof buf)
			continue;
		memcpy(buf, line, l);
		buf[l] = 0;
		if (sscanf(buf, "%15s %199s", w1, w2) != 2 || buf[0] == ' ' || buf[0] == '\t')
			continue;
		if (!strcmp(w1, "package"))
			snprintf(pkg, sizeof pkg, "%s", w2);
		else if (!strcmp(w1, "type"))
			snprintf(names[n++], 256, "%s.%s", pkg, w2);
	}
	return n;
}

static void check_err(const sk_err *err, const char *label)
{
	if (err->code != SK_EINVALID && err->code != SK_ETOOLARGE && err->code != SK_EEXIST && err->code != SK_ENOMEM)
		FAIL("%s: unexpected code %d: %s", label, err->code, err->msg);
	if (strncmp(err->msg, label, strlen(label)))
		FAIL("error without its label: %s", err->msg);
}

/* Validation, pruning and defaults of a copy of obj against n. */
static void exercise(const struct schema_node *n, const json_t *obj)
{
	json_t *causes = json_array(), *unknown = json_array();
	size_t c = schema_validate(n, obj, obj, causes, unknown);
	if (c != json_array_size(causes) || c > 1000 || json_array_size(unknown) > 1000)
		FAIL("validate: %zu causes, %zu in the array", c, json_array_size(causes));
	size_t i;
	json_t *v;
	json_array_foreach(causes, i, v) {
		if (!json_is_string(json_object_get(v, "reason")) || !json_is_string(json_object_get(v, "message")) ||
		    !json_is_string(json_object_get(v, "field")))
			FAIL("malformed cause");
	}
	json_decref(causes);
	json_decref(unknown);

	json_t *o = json_deep_copy(obj);
	schema_prune(n, o);
	json_t *pruned = json_deep_copy(o);
	schema_prune(n, o);
	if (!json_equal(o, pruned))
		FAIL("pruning twice differs");
	unknown = json_array();
	causes = json_array();
	schema_validate(n, o, NULL, causes, unknown);
	if (json_array_size(unknown)) {
		char *s = json_dumps(unknown, JSON_COMPACT);
		FAIL("unknown fields after pruning: %s", s);
	}
	json_decref(unknown);
	json_decref(causes);
	schema_apply_defaults(n, o);
	json_t *defaulted = json_deep_copy(o);
	schema_apply_defaults(n, o);
	if (!json_equal(o, defaulted))
		FAIL("defaulting twice differs");
	causes = json_array();
	schema_validate(n, o, pruned, causes, NULL);
	json_decref(causes);
	json_decref(defaulted);
	json_decref(pruned);
	json_decref(o);
}

static void render(const struct schema_node *n)
{
	for (int v3 = 0; v3 < 2; v3++) {
		json_t *j = schema_openapi(n, v3);
		char *s = json_dumps(j, JSON_COMPACT);
		if (!s)
			FAIL("a rendering does not print");
		free(s);
		json_decref(j);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	sk_err err = {0};
	if (!ready) {
		if (schema_init(&err) != SK_OK)
			FAIL("schema_init: %s", err.msg);
		ready = 1;
	}
	const char *text = (const char *)data;
	const uint8_t *nul = memchr(data, 0, size);
	size_t tlen = nul ? (size_t)(nul - data) : size;

	static char names[MAX_TYPES][256];
	size_t nnames = 0;
	if (schema_define("fuzz", "fuzz.types", text, tlen, &err) != SK_OK) {
		check_err(&err, "fuzz.types");
	} else {
		nnames = declared(text, tlen, names, MAX_TYPES);
		if (schema_check_refs(&err) != SK_OK && strncmp(err.msg, "fuzz: fuzz.types:", 17))
			FAIL("unresolved reference outside the fuzzed text: %s", err.msg);
		json_t *defs = json_object();
		for (size_t i = 0; i < nnames; i++) {
			const struct schema_node *n = schema_type(names[i]);
			if (!n)
				continue;
			render(n);
			schema_collect(names[i], defs, (int)(i & 1));
			for (size_t f = 0; f < n->n_fields; f++)
				if (schema_field(n, n->fields[f].name) != &n->fields[f])
					FAIL("%s: field %s not found by name", names[i], n->fields[f].name);
		}
		json_decref(defs);
	}

	json_t *obj = NULL;
	if (nul)
		obj = json_loadb((const char *)nul + 1, size - tlen - 1, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (obj) {
		for (size_t i = 0; i < nnames; i++) {
			const struct schema_node *n = schema_type(names[i]);
			if (n)
				exercise(n, obj);
		}
		exercise(schema_type("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"), obj);
		if (schema_define_openapi("fuzz-crd", "io.fuzz.v1.Crd", obj, &err) == SK_OK) {
			const struct schema_node *crd = schema_type("io.fuzz.v1.Crd");
			if (!crd)
				FAIL("a defined CRD type is missing");
			render(crd);
			exercise(crd, obj);
			if (schema_check_refs(&err) != SK_OK && strncmp(err.msg, "fuzz: fuzz.types:", 17))
				FAIL("CRD references: %s", err.msg);
		} else {
			check_err(&err, err.msg[0] == '.' ? "..." : "");
		}
		schema_forget("fuzz-crd");
		json_decref(obj);
	}
	schema_forget("fuzz");
	if (schema_type("io.fuzz.v1.Crd"))
		FAIL("forgotten CRD type still defined");
	return 0;
}
