/* test_config.c — the server config file: defaults, a full file, and every
 * class of error with its exact FILE:LINE:COL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "err.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/skiff-config-test-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	return rmdir(dir);
}

/* Writes len bytes to dir/name and returns the path (static storage). */
static const char *write_file(const char *name, const char *text, size_t len)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void assert_defaults(const struct sk_config *c)
{
	assert_string_equal(c->data_dir, "/var/lib/skiff");
	assert_string_equal(c->listen, "127.0.0.1:6443");
	assert_string_equal(c->log_level, "info");
	assert_int_equal(c->workers, 2);
	assert_true(c->stall_threshold_s > 0.0999 && c->stall_threshold_s < 0.1001);
	assert_string_equal(c->datastore, "leveldb");
	assert_true(json_is_object(c->datastore_settings));
	assert_int_equal(json_object_size(c->datastore_settings), 0);
	assert_int_equal(c->history_revisions, 100000);
	assert_true(c->compact_interval_s == 300);
	assert_int_equal(c->autoload, 1);
	assert_int_equal(c->n_plugin_dirs, 0);
	assert_null(c->plugin_dirs);
	assert_int_equal(c->n_plugins, 0);
	assert_null(c->plugins);
}

static void assert_json_text(const json_t *j, const char *want)
{
	json_t *w = json_loads(want, 0, NULL);
	assert_non_null(w);
	if (!json_equal((json_t *)j, w)) {
		char *g = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
		print_error("got %s want %s\n", g, want);
		free(g);
		fail();
	}
	json_decref(w);
}

static void test_defaults(void **state)
{
	(void)state;
	struct sk_config c;
	sk_config_defaults(&c);
	assert_defaults(&c);
	assert_null(c.path);
	sk_config_free(&c);
	assert_null(c.data_dir);
	sk_config_free(&c); /* safe twice */

	sk_err err = {0};
	assert_int_equal(sk_config_load(NULL, 1, &c, &err), SK_OK);
	assert_defaults(&c);
	assert_null(c.path);
	sk_config_free(&c);
}

static void test_full_file(void **state)
{
	(void)state;
	static const char text[] =
		"# skiff server configuration\n"
		"dataDir: /srv/skiff\n"
		"listen: \"[::1]:7443\"\n"
		"logLevel: debug\n"
		"workers: 8\n"
		"stallThresholdMs: 250\n"
		"datastore:\n"
		"  backend: memory\n"
		"  historyRevisions: 5000\n"
		"  compactIntervalSeconds: 2.5\n"
		"  settings: &tuning {cacheMB: 64, sync: true, paths: [a, b]}\n"
		"plugins:\n"
		"  autoload: false\n"
		"  dirs: [/opt/vendor/skiff-plugins, /usr/local/lib/skiff]\n"
		"  list:\n"
		"    - name: scheduler          # settings for a found plugin\n"
		"      enabled: true\n"
		"      settings: {any: mapping, nested: {n: 1}}\n"
		"    - file: /opt/vendor/gpu-packing.so\n"
		"      settings: *tuning\n"
		"    - name: gpu-packing\n"
		"      file: /opt/vendor/other.so\n"
		"      enabled: false\n"
		"      settings:\n";
	const char *path = write_file("full.yaml", text, sizeof text - 1);
	struct sk_config c;
	sk_err err = {0};
	int rc = sk_config_load(path, 1, &c, &err);
	if (rc != SK_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(c.path, path);
	assert_string_equal(c.data_dir, "/srv/skiff");
	assert_string_equal(c.listen, "[::1]:7443");
	assert_string_equal(c.log_level, "debug");
	assert_int_equal(c.workers, 8);
	assert_true(c.stall_threshold_s > 0.2499 && c.stall_threshold_s < 0.2501);
	assert_string_equal(c.datastore, "memory");
	assert_int_equal(c.history_revisions, 5000);
	assert_true(c.compact_interval_s == 2.5);
	assert_json_text(c.datastore_settings, "{\"cacheMB\": 64, \"sync\": true, \"paths\": [\"a\", \"b\"]}");
	assert_int_equal(c.autoload, 0);
	assert_int_equal(c.n_plugin_dirs, 2);
	assert_string_equal(c.plugin_dirs[0], "/opt/vendor/skiff-plugins");
	assert_string_equal(c.plugin_dirs[1], "/usr/local/lib/skiff");
	assert_int_equal(c.n_plugins, 3);

	assert_string_equal(c.plugins[0].name, "scheduler");
	assert_null(c.plugins[0].file);
	assert_int_equal(c.plugins[0].enabled, 1);
	assert_json_text(c.plugins[0].settings, "{\"any\": \"mapping\", \"nested\": {\"n\": 1}}");
	assert_int_equal(c.plugins[0].line, 16);
	assert_int_equal(c.plugins[0].col, 7);

	assert_null(c.plugins[1].name);
	assert_string_equal(c.plugins[1].file, "/opt/vendor/gpu-packing.so");
	assert_int_equal(c.plugins[1].enabled, 1);
	assert_json_text(c.plugins[1].settings, "{\"cacheMB\": 64, \"sync\": true, \"paths\": [\"a\", \"b\"]}");
	assert_int_equal(c.plugins[1].line, 19);
	assert_int_equal(c.plugins[1].col, 7);

	assert_string_equal(c.plugins[2].name, "gpu-packing");
	assert_string_equal(c.plugins[2].file, "/opt/vendor/other.so");
	assert_int_equal(c.plugins[2].enabled, 0);
	assert_json_text(c.plugins[2].settings, "{}");
	assert_int_equal(c.plugins[2].line, 21);
	sk_config_free(&c);
	unlink(path);
}

static void test_partial_and_empty_files(void **state)
{
	(void)state;
	struct sk_config c;
	sk_err err = {0};
	/* an empty file, a comment-only file and null sections mean the defaults */
	static const char *const texts[] = {"", "# nothing yet\n", "---\n",
	                                    "datastore:\nplugins:\n  dirs:\n  list:\n"};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		const char *path = write_file("empty.yaml", texts[i], strlen(texts[i]));
		assert_int_equal(sk_config_load(path, 1, &c, &err), SK_OK);
		assert_defaults(&c);
		assert_string_equal(c.path, path);
		sk_config_free(&c);
		unlink(path);
	}
	/* one key changes one field */
	const char *path = write_file("one.yaml", "workers: 64\n", 12);
	assert_int_equal(sk_config_load(path, 0, &c, &err), SK_OK);
	assert_int_equal(c.workers, 64);
	assert_string_equal(c.listen, "127.0.0.1:6443");
	sk_config_free(&c);
	unlink(path);
}

static void test_missing_file(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof path, "%s/missing.yaml", dir);
	struct sk_config c;
	sk_err err = {0};
	assert_int_equal(sk_config_load(path, 1, &c, &err), SK_ENOTFOUND);
	char want[256];
	snprintf(want, sizeof want, "%s: cannot read config: No such file or directory", path);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, SK_ENOTFOUND);
	assert_null(c.data_dir);
	sk_config_free(&c);

	/* not required: the defaults, and no path since nothing was read */
	assert_int_equal(sk_config_load(path, 0, &c, &err), SK_OK);
	assert_defaults(&c);
	assert_null(c.path);
	sk_config_free(&c);

	/* something there but unreadable is an error either way */
	assert_int_equal(sk_config_load(dir, 0, &c, &err), SK_ENOTFOUND);
	snprintf(want, sizeof want, "%s: cannot read config: Is a directory", dir);
	assert_string_equal(err.msg, want);
	sk_config_free(&c);
}

static void test_size_limit(void **state)
{
	(void)state;
	size_t len = SK_CONFIG_MAX_BYTES;
	char *text = malloc(len + 1);
	assert_non_null(text);
	/* exactly 1 MiB of comments is fine */
	for (size_t i = 0; i < len; i++)
		text[i] = i % 64 == 63 ? '\n' : '#';
	const char *path = write_file("big.yaml", text, len);
	struct sk_config c;
	sk_err err = {0};
	assert_int_equal(sk_config_load(path, 1, &c, &err), SK_OK);
	sk_config_free(&c);
	/* one byte more is refused */
	text[len] = '\n';
	path = write_file("big.yaml", text, len + 1);
	assert_int_equal(sk_config_load(path, 1, &c, &err), SK_ETOOLARGE);
	char want[256];
	snprintf(want, sizeof want, "%s: config file is larger than 1048576 bytes", path);
	assert_string_equal(err.msg, want);
	assert_int_equal(sk_config_parse(text, len + 1, NULL, &c, &err), SK_ETOOLARGE);
	assert_string_equal(err.msg, "<input>: config of 1048577 bytes exceeds the limit of 1048576 bytes");
	unlink(path);
	free(text);
}

struct bad_case {
	const char *yaml;
	const char *msg; /* after "PATH:" */
};

/* Each case is written to a file and must fail with SK_EINVALID and exactly PATH:msg. */
static void check_bad(const struct bad_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *path = write_file("bad.yaml", cases[i].yaml, strlen(cases[i].yaml));
		struct sk_config c;
		sk_err err = {0};
		int rc = sk_config_load(path, 1, &c, &err);
		char want[600];
		snprintf(want, sizeof want, "%s:%s", path, cases[i].msg);
		if (rc != SK_EINVALID || strcmp(err.msg, want) != 0)
			fail_msg("case %zu: %s\n  rc %d, got  %s\n  want %s", i, cases[i].yaml, rc, err.msg,
			         want);
		assert_int_equal(err.code, SK_EINVALID);
		/* a failed load leaves nothing to free */
		assert_null(c.data_dir);
		assert_null(c.plugins);
		sk_config_free(&c);
		unlink(path);
	}
}

static void test_unknown_keys(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{"foo: 1\n",
		 "1:1: unknown key \"foo\" at the top level (expected one of: dataDir, listen, insecureListen,"
		 " logLevel, workers, stallThresholdMs, datastore, plugins)"},
		{"workers: 2\ndata_dir: /x\n",
		 "2:1: unknown key \"data_dir\" at the top level (expected one of: dataDir, listen,"
		 " insecureListen, logLevel, workers, stallThresholdMs, datastore, plugins)"},
		{"datastore:\n  backend: leveldb\n  foo: 1\n",
		 "3:3: unknown key \"foo\" in datastore (expected one of: backend, historyRevisions,"
		 " compactIntervalSeconds, settings)"},
		{"plugins:\n  autoload: true\n  dir: [/x]\n",
		 "3:3: unknown key \"dir\" in plugins (expected one of: autoload, dirs, list)"},
		{"plugins:\n  list:\n    - name: a\n    - name: sched\n      enable: false\n",
		 "5:7: unknown key \"enable\" in plugins.list[1] (expected one of: name, file, enabled,"
		 " settings)"},
		/* keys are matched exactly, case included */
		{"Workers: 2\n",
		 "1:1: unknown key \"Workers\" at the top level (expected one of: dataDir, listen,"
		 " insecureListen, logLevel, workers, stallThresholdMs, datastore, plugins)"},
	};
	check_bad(cases, sizeof cases / sizeof cases[0]);
}

static void test_bad_types(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{"workers: 0\n", "1:10: workers must be an integer between 1 and 64"},
		{"workers: 65\n", "1:10: workers must be an integer between 1 and 64"},
		{"workers: two\n", "1:10: workers must be an integer between 1 and 64"},
		{"workers: 2.0\n", "1:10: workers must be an integer between 1 and 64"},
		{"workers: \"2\"\n", "1:10: workers must be an integer between 1 and 64"},
		{"workers:\n", "1:9: workers must be an integer between 1 and 64"},
		{"logLevel: verbose\n", "1:11: logLevel must be one of: error, warn, info, debug"},
		{"logLevel: INFO\n", "1:11: logLevel must be one of: error, warn, info, debug"},
		{"dataDir: \"\"\n", "1:10: dataDir must be a non-empty string"},
		{"dataDir: [a]\n", "1:10: dataDir must be a non-empty string"},
		{"dataDir: 5\n", "1:10: dataDir must be a non-empty string"},
		{"dataDir: \"a\\0b\"\n", "1:10: dataDir must be a non-empty string"},
		{"stallThresholdMs: 0\n", "1:19: stallThresholdMs must be a number between 1 and 60000"},
		{"stallThresholdMs: fast\n", "1:19: stallThresholdMs must be a number between 1 and 60000"},
		{"stallThresholdMs: 60001\n", "1:19: stallThresholdMs must be a number between 1 and 60000"},
		{"datastore: leveldb\n", "1:12: datastore must be a mapping"},
		{"datastore:\n  backend: LevelDB\n",
		 "2:12: datastore.backend must be a name of lowercase letters, digits and '-', at most 63"
		 " bytes"},
		{"datastore:\n  historyRevisions: 0\n",
		 "2:21: datastore.historyRevisions must be an integer between 1 and 9223372036854775807"},
		{"datastore:\n  compactIntervalSeconds: -1\n",
		 "2:27: datastore.compactIntervalSeconds must be a number between 1 and 604800"},
		{"datastore:\n  settings: [a]\n", "2:13: datastore.settings must be a mapping"},
		{"datastore:\n  settings:\n    x: .inf\n", "3:8: .inf cannot be represented in JSON"},
		{"plugins: [a]\n", "1:10: plugins must be a mapping"},
		{"plugins:\n  autoload: yes\n", "2:13: plugins.autoload must be true or false"},
		{"plugins:\n  dirs: /opt\n", "2:9: plugins.dirs must be a list of directories"},
		{"plugins:\n  dirs: [/a, 3]\n", "2:14: plugins.dirs[1] must be a non-empty string"},
		{"plugins:\n  list: {name: x}\n", "2:9: plugins.list must be a list"},
		{"plugins:\n  list:\n    - sched\n", "3:7: plugins.list[0] must be a mapping"},
		{"plugins:\n  list:\n    - name: Bad_Name\n",
		 "3:13: plugins.list[0].name must be a name of lowercase letters, digits and '-', at most"
		 " 63 bytes"},
		{"plugins:\n  list:\n    - name: a\n      enabled: 0\n",
		 "4:16: plugins.list[0].enabled must be true or false"},
		{"plugins:\n  list:\n    - name: a\n      settings: x\n",
		 "4:17: plugins.list[0].settings must be a mapping"},
		{"plugins:\n  list:\n    - file: \"\"\n", "3:13: plugins.list[0].file must be a non-empty string"},
		{"- a\n", "1:1: the config must be a mapping of settings"},
		{"just text\n", "1:1: the config must be a mapping of settings"},
	};
	check_bad(cases, sizeof cases / sizeof cases[0]);
}

static void test_plugin_list_rules(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{"plugins:\n  list:\n    - enabled: false\n", "3:7: plugins.list[0] needs a name or a file"},
		{"plugins:\n  list:\n    - name: a\n    - {}\n", "4:7: plugins.list[1] needs a name or a file"},
		{"plugins:\n  list:\n    - name: a\n    - name: b\n    - name: a\n",
		 "5:13: plugin name \"a\" is listed twice (first at 3:13)"},
		{"plugins:\n  list:\n    - file: /x.so\n    - {file: /x.so, name: x}\n",
		 "4:14: plugin file \"/x.so\" is listed twice (first at 3:13)"},
	};
	check_bad(cases, sizeof cases / sizeof cases[0]);
}

static void test_listen(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{"listen: localhost\n", "1:9: listen \"localhost\": expected host:port"},
		{"listen: localhost:0\n", "1:9: listen \"localhost:0\": port must be between 1 and 65535"},
		{"listen: 127.0.0.1:65536\n",
		 "1:9: listen \"127.0.0.1:65536\": port must be between 1 and 65535"},
		{"listen: host:http\n", "1:9: listen \"host:http\": port must be between 1 and 65535"},
		{"listen: \"host:\"\n", "1:9: listen \"host:\": port must be between 1 and 65535"},
		{"listen: \"::1:80\"\n", "1:9: listen \"::1:80\": an IPv6 address needs brackets: [addr]:port"},
		{"listen: \"[zz]:80\"\n", "1:9: listen \"[zz]:80\": invalid IPv6 address"},
		{"listen: \"[::1]80\"\n", "1:9: listen \"[::1]80\": expected [ipv6]:port"},
		{"listen: \"ho st:80\"\n", "1:9: listen \"ho st:80\": invalid host"},
		{"listen: \":80\"\n", "1:9: listen \":80\": invalid host"},
		{"listen: 8080\n", "1:9: listen must be a host:port string"},
	};
	check_bad(cases, sizeof cases / sizeof cases[0]);

	static const char *const good[] = {"0.0.0.0:1", "localhost:65535", "node-1.example.com:6443",
	                                   "[::]:6443", "[fe80::1]:80"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		char text[128];
		snprintf(text, sizeof text, "listen: \"%s\"\n", good[i]);
		struct sk_config c;
		sk_err err = {0};
		if (sk_config_parse(text, strlen(text), "l.yaml", &c, &err) != SK_OK)
			fail_msg("%s: %s", good[i], err.msg);
		assert_string_equal(c.listen, good[i]);
		sk_config_free(&c);
	}
}

static void test_yaml_errors(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{"workers: 2\nworkers: 3\n", "2:1: duplicate key \"workers\" (first defined at 1:1)"},
		{"workers: 2\n---\nworkers: 3\n", "2:1: expected a single YAML document, found another"},
		{"datastore:\n  backend: [\n", "3:1: did not find expected node content (while parsing a"
		                               " flow node at 3:1)"},
		{"logLevel: info\n  workers: 2\n", "2:10: mapping values are not allowed in this context"},
		{"listen: *nowhere\n", "1:9: unknown anchor \"nowhere\""},
	};
	check_bad(cases, sizeof cases / sizeof cases[0]);
}

static void test_parse_buffer(void **state)
{
	(void)state;
	struct sk_config c;
	sk_err err = {0};
	assert_int_equal(sk_config_parse("foo: 1\n", 7, NULL, &c, &err), SK_EINVALID);
	assert_string_equal(err.msg, "<input>:1:1: unknown key \"foo\" at the top level (expected one"
	                             " of: dataDir, listen, insecureListen, logLevel, workers, stallThresholdMs,"
	                             " datastore, plugins)");
	sk_config_free(&c);
	/* a NULL err is allowed */
	assert_int_equal(sk_config_parse("workers: 0\n", 11, NULL, &c, NULL), SK_EINVALID);
	assert_int_equal(sk_config_parse("workers: 3\n", 11, NULL, &c, NULL), SK_OK);
	assert_int_equal(c.workers, 3);
	assert_null(c.path);
	sk_config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_partial_and_empty_files),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_bad_types),
		cmocka_unit_test(test_plugin_list_rules),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_yaml_errors),
		cmocka_unit_test(test_parse_buffer),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
