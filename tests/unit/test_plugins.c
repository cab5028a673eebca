/* test_plugins.c — the plugin host: loading, ABI refusals, dependency
 * order, init failure clean-up, duplicates, directory scanning. Fixture
 * plugins are real .so files built from tests/plugins/. */
#include "testutil.h"
#include "config.h"
#include "err.h"
#include "plugin_host.h"
#include <limits.h>
#include <skiff/auth.h>
#include <skiff/controller.h>
#include <sys/stat.h>

static char fixtures[PATH_MAX];
static char *dir;

static int setup(void **state)
{
	(void)state;
	tu_build_path("tests/plugins", fixtures, sizeof fixtures);
	dir = tu_host_up();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_host_down(dir);
	return 0;
}

/* Starts plugins from a config whose plugins.list names fixture files. */
static int start_with(const char *yaml_fmt, sk_err *err)
{
	char yaml[4096];
	snprintf(yaml, sizeof yaml, yaml_fmt, fixtures, fixtures, fixtures);
	struct sk_config c;
	sk_err pe;
	if (sk_config_parse(yaml, strlen(yaml), "test.yaml", &c, &pe) != SK_OK)
		fail_msg("config: %s", pe.msg);
	int rc = sk_plugins_start(&c, NULL, err);
	sk_config_free(&c);
	return rc;
}

static void good_plugin_loads_and_unloads(void **state)
{
	(void)state;
	sk_err e = {0};
	assert_int_equal(start_with("plugins:\n  autoload: false\n  list:\n"
	                            "    - file: %s/good.so\n      settings: {allowUser: alice}\n",
	                            &e),
	                 SK_OK);
	void *ud;
	const sk_authorizer_ops *a = sk_ext_find(SK_EXT_AUTHORIZER, "fixture-good", &ud);
	assert_non_null(a);
	assert_non_null(sk_ext_find(SK_EXT_CONTROLLER, "fixture-good", NULL));
	/* the plugin reads its settings through the host */
	json_t *alice = json_pack("{s:s}", "username", "alice"), *bob = json_pack("{s:s}", "username", "bob");
	sk_authz_attrs at = {sizeof at, (sk_obj *)alice, "get", 1, "", "v1", "pods", "", "default", "x", NULL};
	char reason[128] = "";
	assert_int_equal(a->authorize(ud, &at, reason, sizeof reason), SK_AUTHZ_ALLOW);
	at.user = (sk_obj *)bob;
	assert_int_equal(a->authorize(ud, &at, reason, sizeof reason), SK_AUTHZ_NO_OPINION);
	assert_string_equal(reason, "only alice is allowed");
	json_decref(alice);
	json_decref(bob);
	json_t *desc = sk_plugins_describe();
	assert_int_equal(json_array_size(desc), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(desc, 0), "version")), "1.2.3");
	json_decref(desc);
	sk_plugins_stop();
	assert_null(sk_ext_find(SK_EXT_AUTHORIZER, "fixture-good", NULL));
	char marker[PATH_MAX + 64];
	snprintf(marker, sizeof marker, "%s/plugins/fixture-good/fini-ran", dir);
	struct stat st;
	assert_int_equal(stat(marker, &st), 0);
	unlink(marker);
}

static void requirements_order_init(void **state)
{
	(void)state;
	sk_err e = {0};
	/* listed dependent-first: the host must still init fixture-good first */
	int rc = start_with("plugins:\n  autoload: false\n  list:\n    - file: %s/needs_good.so\n"
	                    "    - file: %s/good.so\n",
	                    &e);
	if (rc != SK_OK)
		fail_msg("%s", e.msg);
	assert_string_equal(sk_plugins_first()->name, "fixture-good");
	sk_plugins_stop();
}

static void missing_requirement_refused(void **state)
{
	(void)state;
	sk_err e = {0};
	assert_int_not_equal(start_with("plugins:\n  autoload: false\n  list:\n    - file: %s/needs_good.so\n", &e),
	                     SK_OK);
	assert_non_null(strstr(e.msg, "fixture-needs-good"));
	assert_non_null(strstr(e.msg, "requires \"fixture-capability\""));
	assert_null(sk_plugins_first());
}

static void wrong_major_refused(void **state)
{
	(void)state;
	sk_err e = {0};
	assert_int_equal(start_with("plugins:\n  autoload: false\n  list:\n    - file: %s/wrong_major.so\n", &e),
	                 SK_EABI);
	char want[256];
	snprintf(want, sizeof want, "plugin fixture-wrong-major (%s/wrong_major.so) was built for ABI %d.0, this host provides ABI %d.%d",
	         fixtures, SK_ABI_MAJOR + 1, SK_ABI_MAJOR, SK_ABI_MINOR);
	assert_non_null(strstr(e.msg, want));
	assert_null(sk_plugins_first());
}

static void newer_minor_refused(void **state)
{
	(void)state;
	sk_err e = {0};
	assert_int_equal(start_with("plugins:\n  autoload: false\n  list:\n    - file: %s/newer_minor.so\n", &e),
	                 SK_EABI);
	char want[256];
	snprintf(want, sizeof want, "needs ABI %d.%d, this host provides ABI %d.%d", SK_ABI_MAJOR, SK_ABI_MINOR + 1,
	         SK_ABI_MAJOR, SK_ABI_MINOR);
	assert_non_null(strstr(e.msg, want));
	assert_non_null(strstr(e.msg, "fixture-newer-minor"));
}

static void no_descriptor_refused(void **state)
{
	(void)state;
	sk_err e = {0};
	assert_int_not_equal(start_with("plugins:\n  autoload: false\n  list:\n    - file: %s/no_descriptor.so\n", &e),
	                     SK_OK);
	assert_non_null(strstr(e.msg, "not a skiff plugin (it exports no skiff_plugin descriptor)"));
}

static void failing_init_cleans_up(void **state)
{
	(void)state;
	sk_err e = {0};
	assert_int_equal(start_with("plugins:\n  autoload: false\n  list:\n    - file: %s/good.so\n"
	                            "    - file: %s/failing_init.so\n",
	                            &e),
	                 SK_EIO);
	assert_non_null(strstr(e.msg, "plugin fixture-failing"));
	assert_non_null(strstr(e.msg, "init failed: cannot reach the license server"));
	/* its registration is undone, and the plugin before it was finalised */
	assert_null(sk_ext_find(SK_EXT_AUTHORIZER, "fixture-failing", NULL));
	assert_null(sk_ext_find(SK_EXT_AUTHORIZER, "fixture-good", NULL));
	assert_null(sk_plugins_first());
	char marker[PATH_MAX + 64];
	snprintf(marker, sizeof marker, "%s/plugins/fixture-good/fini-ran", dir);
	struct stat st;
	assert_int_equal(stat(marker, &st), 0);
	unlink(marker);
}

static void duplicate_name_refused(void **state)
{
	(void)state;
	sk_err e = {0};
	assert_int_equal(start_with("plugins:\n  autoload: false\n  list:\n    - file: %s/good.so\n"
	                            "    - file: %s/duplicate_name.so\n",
	                            &e),
	                 SK_EEXIST);
	assert_non_null(strstr(e.msg, "a plugin of that name is already loaded from"));
	assert_null(sk_plugins_first());
}

static void unknown_plugin_points_at_config(void **state)
{
	(void)state;
	sk_err e = {0};
	assert_int_equal(start_with("plugins:\n  list:\n    - name: no-such-plugin\n", &e), SK_ENOTFOUND);
	if (!strstr(e.msg, "test.yaml:3:7: unknown plugin \"no-such-plugin\""))
		fail_msg("got: %s", e.msg);
}

static void scan_skips_bad_files(void **state)
{
	(void)state;
	/* a directory holding one good plugin and two bad files: the good one loads */
	char *scan = tu_tempdir();
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof cmd, "cp %s/good.so %s/wrong_major.so %s/no_descriptor.so %s/", fixtures, fixtures,
	         fixtures, scan);
	assert_int_equal(system(cmd), 0);
	struct sk_config c;
	sk_config_defaults(&c);
	sk_err e = {0};
	int rc = sk_plugins_start(&c, scan, &e);
	if (rc != SK_OK)
		fail_msg("%s", e.msg);
	assert_non_null(sk_plugins_first());
	assert_string_equal(sk_plugins_first()->name, "fixture-good");
	assert_null(sk_plugins_first()->next);
	sk_plugins_stop();
	sk_config_free(&c);
	tu_rmrf(scan);
	free(scan);
}

static void disabled_plugin_not_loaded(void **state)
{
	(void)state;
	char *scan = tu_tempdir();
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof cmd, "cp %s/good.so %s/", fixtures, scan);
	assert_int_equal(system(cmd), 0);
	const char *yaml = "plugins:\n  list:\n    - name: fixture-good\n      enabled: false\n";
	struct sk_config c;
	sk_err e = {0};
	assert_int_equal(sk_config_parse(yaml, strlen(yaml), "t.yaml", &c, &e), SK_OK);
	assert_int_equal(sk_plugins_start(&c, scan, &e), SK_OK);
	assert_null(sk_plugins_first());
	sk_plugins_stop();
	sk_config_free(&c);
	tu_rmrf(scan);
	free(scan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_plugin_loads_and_unloads),
		cmocka_unit_test(requirements_order_init),
		cmocka_unit_test(missing_requirement_refused),
		cmocka_unit_test(wrong_major_refused),
		cmocka_unit_test(newer_minor_refused),
		cmocka_unit_test(no_descriptor_refused),
		cmocka_unit_test(failing_init_cleans_up),
		cmocka_unit_test(duplicate_name_refused),
		cmocka_unit_test(unknown_plugin_points_at_config),
		cmocka_unit_test(scan_skips_bad_files),
		cmocka_unit_test(disabled_plugin_not_loaded),
	};
	return cmocka_run_group_tests_name("plugins", tests, setup, teardown);
}
