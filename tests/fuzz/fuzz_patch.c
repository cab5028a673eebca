/* fuzz_patch.c — libFuzzer target for the three PATCH formats. The input is
 * split at its first NUL into a document and a patch (both JSON; a document
 * that does not parse becomes {}), and the patch goes through patch_json,
 * patch_merge and patch_strategic (against a small schema with merge lists,
 * set lists, retainKeys and replace fields, and with no schema). Each must
 * answer with a documented code, leave the patch untouched, give the same
 * answer on a fresh copy (the API server re-applies patches on conflict),
 * and produce a document that serializes and parses back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patch.h"
#include "schema.h"

#define FAIL(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), abort())

static const char types[] =
	"package fuzz.patch\n"
	"type Item\n"
	"  name string\n"
	"  value string\n"
	"  items []Item merge=name\n"
	"  plain []Item\n"
	"  ints []int64 patch=merge\n"
	"  strs []string patch=merge\n"
	"  map map[string]\n"
	"  objs map[Item]\n"
	"  keep Item patch=retainKeys\n"
	"  keepList []Item merge=name patch=merge,retainKeys\n"
	"  whole Item patch=replace\n"
	"  nokey []Item patch=merge\n"
	"  free object\n"
	"  any any\n"
	"  spec Spec\n"
	"type Spec\n"
	"  containers []Container merge=name\n"
	"  finalizers []string patch=merge\n"
	"type Container\n"
	"  name string\n"
	"  ports []Port merge=containerPort\n"
	"  env []Item merge=name\n"
	"type Port\n"
	"  containerPort int32\n"
	"  protocol string\n";

static const struct schema_node *root;

enum { F_JSON, F_MERGE, F_SMP, F_SMP_NONE };

static int apply(int f, json_t **doc, const json_t *patch, sk_err *err)
{
	switch (f) {
	case F_JSON: return patch_json(doc, patch, err);
	case F_MERGE: return patch_merge(doc, patch, err);
	case F_SMP: return patch_strategic(doc, patch, root, err);
	default: return patch_strategic(doc, patch, NULL, err);
	}
}

static void check_code(int f, int rc, const sk_err *err)
{
	static const char *const names[] = {"json", "merge", "strategic", "strategic without schema"};
	if (rc != err->code)
		FAIL("%s: returned %d, err says %d: %s", names[f], rc, err->code, err->msg);
	int ok = rc == SK_EBADREQUEST || rc == SK_ENOMEM ||
	         (f == F_JSON ? rc == SK_EINVALID || rc == SK_ETOOLARGE
	          : f == F_MERGE ? rc == SK_EIO
	                         : rc == SK_EINVALID || rc == SK_EIO);
	if (!ok)
		FAIL("%s: unexpected code %d: %s", names[f], rc, err->msg);
	if (!err->msg[0])
		FAIL("%s: code %d without a message", names[f], rc);
}

static void run(int f, const json_t *doc0, const json_t *patch)
{
	json_t *before = json_deep_copy(patch), *a = json_deep_copy(doc0), *b = json_deep_copy(doc0);
	sk_err ea = {0}, eb = {0};
	int ra = apply(f, &a, patch, &ea), rb;
	if (!a)
		FAIL("format %d: no document left", f);
	if (ra != SK_OK)
		check_code(f, ra, &ea);
	if (!json_equal((json_t *)patch, before))
		FAIL("format %d: the patch was modified", f);
	rb = apply(f, &b, patch, &eb);
	if (ra != rb || (ra == SK_OK && !json_equal(a, b)) || (ra != SK_OK && strcmp(ea.msg, eb.msg)))
		FAIL("format %d: a second application differs: %d/%d %s/%s", f, ra, rb, ea.msg, eb.msg);
	if (ra == SK_OK) {
		/* what is stored must read back */
		char *s = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
		json_error_t je;
		json_t *back = s ? json_loads(s, JSON_DECODE_ANY, &je) : NULL;
		if (!back || !json_equal(back, a))
			FAIL("format %d: the result does not read back: %s", f, s ? je.text : "no dump");
		json_decref(back);
		free(s);
	}
	json_decref(before);
	json_decref(a);
	json_decref(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!root) {
		sk_err err = {0};
		if (schema_define("fuzz", "fuzz.types", types, strlen(types), &err) != SK_OK)
			FAIL("types: %s", err.msg);
		if (!(root = schema_type("fuzz.patch.Item")))
			FAIL("no root type");
	}
	const uint8_t *nul = memchr(data, 0, size);
	if (!nul)
		return 0;
	size_t dlen = (size_t)(nul - data);
	json_t *doc = json_loadb((const char *)data, dlen, JSON_DECODE_ANY, NULL);
	json_t *patch = json_loadb((const char *)nul + 1, size - dlen - 1, JSON_DECODE_ANY, NULL);
	if (!doc)
		doc = json_object();
	if (patch)
		for (int f = F_JSON; f <= F_SMP_NONE; f++)
			run(f, doc, patch);
	json_decref(doc);
	json_decref(patch);
	return 0;
}
