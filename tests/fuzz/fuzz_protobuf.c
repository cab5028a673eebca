/* fuzz_protobuf.c — arbitrary bytes through protobuf_decode: as a whole
 * body, or (when the first byte is not 'k') as the raw object of a
 * well-formed envelope for one of a few kinds the first byte picks, so that
 * the fuzzer reaches the field decoding. Decoding must not crash; results
 * must be objects with kind and apiVersion that print; failures must carry
 * a Bad Request (or size) code and a message. The built-in plugins' types
 * are loaded when run from the top of the tree (tests/fuzz/run.sh does). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protobuf.h"
#include "schema.h"

#define FAIL(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), abort())

/* every kind of value the decoder knows, numbered freely */
static const char fuzz_types[] =
	"package io.fuzz.v1\n"
	"type Everything gvk=fuzz.io/v1/Everything\n"
	"  metadata  ObjectMeta proto=1\n"
	"  micro     MicroTime proto=2\n"
	"  time      Time proto=3\n"
	"  object    RawExtension proto=4\n"
	"  ratio     number proto=5\n"
	"  small     int32 proto=6\n"
	"  big       int64 required proto=7\n"
	"  extra     map[[]string] proto=8\n"
	"  grid      [][]int32 proto=9\n"
	"  blob      bytes proto=10\n"
	"  counts    []int32 proto=11\n"
	"  ratios    []number proto=12\n"
	"  note      string proto=13\n"
	"  free      object proto=14\n"
	"  anything  any proto=15\n"
	"  child     Everything proto=16\n"
	"  times     map[Time] proto=17\n"
	"  flag      boolean default=true proto=18\n"
	"  port      IntOrString proto=19\n"
	"  amounts   map[Quantity] proto=20\n"
	"  exec      []string proto=21.1\n"
	"  http      string proto=21.2\n"
	"  children  []Everything proto=22\n"
	"  nested    map[map[string]] proto=23\n"
	"  flags     []boolean proto=24\n";

static const char *const plugin_types[] = {
	"plugins/api/api-core/core.types",    "plugins/api/api-core/pod.types",
	"plugins/api/api-apps/apps.types",    "plugins/api/api-batch/batch.types",
	"plugins/api/api-networking/networking.types",
};

static const char *const kinds[][2] = {
	{"fuzz.io/v1", "Everything"}, {"apps/v1", "Deployment"}, {"v1", "Pod"},      {"v1", "Service"},
	{"v1", "ConfigMap"},          {"batch/v1", "CronJob"},   {"v1", "Secret"},   {"v1", "WatchEvent"},
};

static void load(void)
{
	sk_err err = {0};
	if (schema_init(&err) != SK_OK)
		FAIL("schema_init: %s", err.msg);
	if (schema_define("fuzz", "fuzz.types", fuzz_types, sizeof fuzz_types - 1, &err) != SK_OK)
		FAIL("fuzz types: %s", err.msg);
	for (size_t i = 0; i < sizeof plugin_types / sizeof plugin_types[0]; i++) {
		FILE *f = fopen(plugin_types[i], "rb");
		if (!f)
			continue;
		static char text[1 << 20];
		size_t n = fread(text, 1, sizeof text, f);
		fclose(f);
		char owner[32];
		snprintf(owner, sizeof owner, "plugin%zu", i);
		if (schema_define(owner, plugin_types[i], text, n, &err) != SK_OK)
			FAIL("%s", err.msg);
	}
}

static void varint(uint8_t *b, size_t *n, uint64_t v)
{
	do {
		b[(*n)++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

static void check(const uint8_t *body, size_t len)
{
	sk_err err = {0};
	json_t *j = protobuf_decode((const char *)body, len, &err);
	if (!j) {
		if (err.code != SK_EBADREQUEST && err.code != SK_ETOOLARGE && err.code != SK_ENOMEM)
			FAIL("unexpected code %d: %s", err.code, err.msg);
		if (!err.msg[0])
			FAIL("an error without a message");
		return;
	}
	if (!json_is_object(j) || !json_is_string(json_object_get(j, "kind")) ||
	    !json_is_string(json_object_get(j, "apiVersion")))
		FAIL("a result without kind and apiVersion");
	char *s = json_dumps(j, JSON_COMPACT);
	if (!s)
		FAIL("a result does not print");
	free(s);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		load();
		ready = 1;
	}
	if (size && data[0] != 'k') {
		const char *api = kinds[data[0] % (sizeof kinds / sizeof kinds[0])][0];
		const char *kind = kinds[data[0] % (sizeof kinds / sizeof kinds[0])][1];
		size_t al = strlen(api), kl = strlen(kind), n = 0;
		uint8_t *b = malloc(size + 64);
		if (!b)
			return 0;
		memcpy(b, "k8s", 4);
		n = 4;
		b[n++] = 0x0a;
		b[n++] = (uint8_t)(al + kl + 4);
		b[n++] = 0x0a;
		b[n++] = (uint8_t)al;
		memcpy(b + n, api, al);
		n += al;
		b[n++] = 0x12;
		b[n++] = (uint8_t)kl;
		memcpy(b + n, kind, kl);
		n += kl;
		b[n++] = 0x12;
		varint(b, &n, size - 1);
		memcpy(b + n, data + 1, size - 1);
		n += size - 1;
		check(b, n);
		free(b);
		return 0;
	}
	check(data, size);
	return 0;
}
