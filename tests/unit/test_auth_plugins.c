/* test_auth_plugins.c — the built-in token-authn and masters-authz plugins,
 * loaded from their real .so files through the plugin host. */
#include "testutil.h"
#include "config.h"
#include "err.h"
#include "plugin_host.h"
#include <limits.h>
#include <skiff/auth.h>
#include <skiff/scheduler.h>
#include <sys/stat.h>

static char plugins[PATH_MAX];
static char *dir;

static int setup(void **state)
{
	(void)state;
	tu_build_path("lib/skiff/plugins", plugins, sizeof plugins);
	dir = tu_host_up();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_host_down(dir);
	return 0;
}

static void start(const char *yaml)
{
	struct sk_config c;
	sk_err e = {0};
	if (sk_config_parse(yaml, strlen(yaml), "t.yaml", &c, &e) != SK_OK)
		fail_msg("%s", e.msg);
	if (sk_plugins_start(&c, plugins, &e) != SK_OK)
		fail_msg("%s", e.msg);
	sk_config_free(&c);
}

static int authn(const char *header, sk_obj **user)
{
	void *ud;
	const sk_authenticator_ops *a = sk_ext_find(SK_EXT_AUTHENTICATOR, "token-file", &ud);
	assert_non_null(a);
	sk_auth_request rq = {sizeof rq, "GET", "/api", "127.0.0.1", header, NULL, NULL, NULL, NULL};
	sk_err e = {0};
	*user = NULL;
	return a->authenticate(ud, &rq, user, &e);
}

static void admin_token_generated_and_accepted(void **state)
{
	(void)state;
	start("plugins:\n  autoload: false\n  list:\n    - name: token-authn\n    - name: masters-authz\n");
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/plugins/token-authn/tokens.csv", dir);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	FILE *f = fopen(path, "r");
	char line[256], header[300];
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	*strchr(line, ',') = 0;
	assert_int_equal(strlen(line), 64);
	snprintf(header, sizeof header, "Bearer %s", line);
	sk_obj *user;
	assert_int_equal(authn(header, &user), SK_AUTHN_OK);
	assert_string_equal(sk_obj_get_str(user, "username"), "admin");
	assert_string_equal(sk_obj_get_str(user, "groups[0]"), "system:masters");
	assert_string_equal(sk_obj_get_str(user, "groups[1]"), "system:authenticated");
	/* the admin is allowed everything by masters-authz */
	void *ud;
	const sk_authorizer_ops *z = sk_ext_find(SK_EXT_AUTHORIZER, "masters", &ud);
	sk_authz_attrs at = {sizeof at, user, "delete", 1, "apps", "v1", "deployments", "", "default", "web", NULL};
	char reason[128];
	assert_int_equal(z->authorize(ud, &at, reason, sizeof reason), SK_AUTHZ_ALLOW);
	sk_obj_unref(user);
	/* a wrong token, a truncated one, and other schemes are not this plugin's */
	line[10] = line[10] == 'a' ? 'b' : 'a';
	snprintf(header, sizeof header, "Bearer %s", line);
	assert_int_equal(authn(header, &user), SK_AUTHN_NO_OPINION);
	assert_int_equal(authn("Bearer abc", &user), SK_AUTHN_NO_OPINION);
	assert_int_equal(authn("Basic YWRtaW46YWRtaW4=", &user), SK_AUTHN_NO_OPINION);
	assert_int_equal(authn(NULL, &user), SK_AUTHN_NO_OPINION);
	assert_null(user);
	sk_plugins_stop();
}

static void token_file_from_settings(void **state)
{
	(void)state;
	char file[PATH_MAX + 32], yaml[PATH_MAX + 256];
	snprintf(file, sizeof file, "%s/tokens.csv", dir);
	FILE *f = fopen(file, "w");
	fputs("# comment\n0123456789abcdef0123,alice,u-1,\"dev,ops\"\nshort,bob,u-2\n", f);
	fclose(f);
	snprintf(yaml, sizeof yaml,
	         "plugins:\n  autoload: false\n  list:\n    - name: token-authn\n      settings: {tokenFile: %s}\n"
	         "    - name: masters-authz\n      settings: {groups: [ops]}\n",
	         file);
	start(yaml);
	sk_obj *user;
	assert_int_equal(authn("Bearer 0123456789abcdef0123", &user), SK_AUTHN_OK);
	assert_string_equal(sk_obj_get_str(user, "username"), "alice");
	assert_string_equal(sk_obj_get_str(user, "uid"), "u-1");
	assert_string_equal(sk_obj_get_str(user, "groups[1]"), "ops");
	/* a short token line is skipped, not trusted */
	sk_obj *bob;
	assert_int_equal(authn("Bearer short", &bob), SK_AUTHN_NO_OPINION);
	/* configured admin groups */
	void *ud;
	const sk_authorizer_ops *z = sk_ext_find(SK_EXT_AUTHORIZER, "masters", &ud);
	sk_authz_attrs at = {sizeof at, user, "get", 1, "", "v1", "pods", "", "default", "x", NULL};
	char reason[128];
	assert_int_equal(z->authorize(ud, &at, reason, sizeof reason), SK_AUTHZ_ALLOW);
	assert_string_equal(reason, "member of ops");
	sk_obj_unref(user);
	sk_plugins_stop();
}

static void nodename_filter(void **state)
{
	(void)state;
	start("plugins:\n  autoload: false\n  list:\n    - name: nodename\n");
	void *ud;
	const sk_sched_policy_ops *f = sk_ext_find(SK_EXT_SCHEDULER, "NodeName", &ud);
	assert_non_null(f);
	sk_err e;
	const char *pj = "{\"spec\":{\"nodeName\":\"node1\"}}", *fj = "{\"spec\":{}}";
	sk_obj *pinned = sk_obj_parse(pj, strlen(pj), &e);
	sk_obj *free_pod = sk_obj_parse(fj, strlen(fj), &e);
	assert_non_null(pinned);
	assert_non_null(free_pod);
	sk_sched_node n1 = {.size = sizeof n1, .name = "node1"}, n2 = {.size = sizeof n2, .name = "node2"};
	char reason[128] = "";
	assert_int_equal(f->filter(ud, NULL, pinned, &n1, reason, sizeof reason), SK_SCHED_SUCCESS);
	assert_int_equal(f->filter(ud, NULL, pinned, &n2, reason, sizeof reason), SK_SCHED_UNRESOLVABLE);
	assert_string_equal(reason, "node(s) didn't match the requested node name");
	assert_int_equal(f->filter(ud, NULL, free_pod, &n2, reason, sizeof reason), SK_SCHED_SUCCESS);
	sk_obj_unref(pinned);
	sk_obj_unref(free_pod);
	sk_plugins_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(admin_token_generated_and_accepted),
		cmocka_unit_test(token_file_from_settings),
		cmocka_unit_test(nodename_filter),
	};
	return cmocka_run_group_tests_name("auth plugins", tests, setup, teardown);
}
