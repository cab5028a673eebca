/* fuzz_yaml.c — libFuzzer target: arbitrary bytes through the YAML loader
 * and the config parser. Beyond "no crash, no leak" it checks that every
 * error carries a FILE:LINE:COL prefix and that each loaded document's JSON
 * reads back, as YAML, to the same value. */
#include "config.h"
#include "err.h"
#include "yaml.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_LABEL "fuzz.yaml"

/* Errors must read "fuzz.yaml:LINE:COL: message" with positive positions;
 * the config reader's whole-file errors read "fuzz.yaml: message". */
static void check_error(const sk_err *err, int whole_file_ok)
{
	int line = 0, col = 0, used = 0;
	if (err->code == SK_OK)
		abort();
	if (whole_file_ok && strncmp(err->msg, FILE_LABEL ": ", strlen(FILE_LABEL) + 2) == 0)
		return;
	if (sscanf(err->msg, FILE_LABEL ":%d:%d: %n", &line, &col, &used) != 2 || used == 0 ||
	    line < 1 || col < 1 || err->msg[used] == 0) {
		fprintf(stderr, "malformed error: %s\n", err->msg);
		abort();
	}
}

/* Whether text (UTF-8 from jansson) avoids the characters that do not pass
 * through YAML 1.1 unchanged: DEL and C1 controls are refused as input, and
 * NEL, LS and PS are line breaks that fold inside quotes. */
static int yaml_safe(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	while (*p) {
		unsigned cp;
		int n;
		if (*p < 0x80)
			cp = *p, n = 1;
		else if (*p < 0xE0)
			cp = *p & 0x1Fu, n = 2;
		else if (*p < 0xF0)
			cp = *p & 0x0Fu, n = 3;
		else
			cp = *p & 0x07u, n = 4;
		for (int i = 1; i < n; i++)
			cp = cp << 6 | (p[i] & 0x3Fu);
		if (cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
		    cp == 0xFFFE || cp == 0xFFFF)
			return 0;
		p += n;
	}
	return 1;
}

/* JSON is (nearly) YAML: a loaded value dumped as JSON must load back equal.
 * Long dumps are skipped: libyaml caps implicit keys at 1024 characters. */
static void check_round_trip(const json_t *doc)
{
	char *text = json_dumps(doc, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17));
	if (!text)
		abort();
	if (strlen(text) < 1000 && yaml_safe(text)) {
		sk_err err = {0};
		json_t *again = NULL;
		if (yaml_load_all(text, strlen(text), FILE_LABEL, &again, &err) != SK_OK ||
		    json_array_size(again) != 1 || !json_equal(json_array_get(again, 0), (json_t *)doc)) {
			fprintf(stderr, "round trip failed for %s: %s\n", text, err.msg);
			abort();
		}
		json_decref(again);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	sk_err err = {0};

	json_t *docs = NULL;
	if (yaml_load_all(buf, size, FILE_LABEL, &docs, &err) == SK_OK) {
		size_t i;
		json_t *doc;
		json_array_foreach(docs, i, doc) check_round_trip(doc);
		json_decref(docs);
	} else {
		if (docs)
			abort();
		check_error(&err, 0);
	}

	err.code = -1;
	struct yaml_node *n = yaml_load(buf, size, FILE_LABEL, &err);
	if (n) {
		json_t *j = yaml_to_json_file(n, FILE_LABEL, &err);
		if (j)
			json_decref(j);
		else
			check_error(&err, 0);
		yaml_node_free(n);
	} else if (err.code != SK_OK) {
		check_error(&err, 0);
	}

	struct sk_config c;
	if (sk_config_parse(buf, size, FILE_LABEL, &c, &err) == SK_OK) {
		/* what was accepted must be complete */
		if (!c.data_dir || !c.listen || !c.log_level || !c.datastore || !c.datastore_settings ||
		    c.workers < 1 || c.workers > 64)
			abort();
		for (size_t i = 0; i < c.n_plugins; i++)
			if ((!c.plugins[i].name && !c.plugins[i].file) || !json_is_object(c.plugins[i].settings))
				abort();
	} else {
		check_error(&err, 1);
	}
	sk_config_free(&c);
	return 0;
}
