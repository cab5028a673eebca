/* A well-formed plugin: registers an authorizer and a controller, reads its
 * settings, and records its lifecycle in its state dir. */
#include <skiff/skiff.h>
#include <stdio.h>
#include <string.h>

static int started;

static int authorize(void *ud, const sk_authz_attrs *a, char *reason, size_t cap)
{
	(void)ud;
	const char *allow = sk_obj_get_str(sk_plugin_settings((sk_plugin *)ud), "allowUser");
	const char *user = sk_obj_get_str(a->user, "username");
	if (allow && user && strcmp(allow, user) == 0)
		return SK_AUTHZ_ALLOW;
	snprintf(reason, cap, "only %s is allowed", allow ? allow : "nobody");
	return SK_AUTHZ_NO_OPINION;
}

static const sk_authorizer_ops authz = {sizeof authz, "fixture-good", authorize};

static int start(void *ud, sk_err *err)
{
	(void)ud;
	(void)err;
	started = 1;
	return SK_OK;
}

static void stop(void *ud) { (void)ud; started = 0; }

static const sk_controller_ops ctl = {sizeof ctl, "fixture-good", start, stop};

static int init(sk_plugin *p, sk_err *err)
{
	if (sk_register(p, SK_EXT_AUTHORIZER, &authz, p, err) != SK_OK)
		return SK_EINVALID;
	return sk_register(p, SK_EXT_CONTROLLER, &ctl, p, err);
}

static void fini(sk_plugin *p)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/fini-ran", sk_plugin_state_dir(p));
	FILE *f = fopen(path, "w");
	if (f)
		fclose(f);
}

SK_PLUGIN("fixture-good", "1.2.3", "test fixture: a working plugin", SK_LIST("fixture-capability"),
          SK_LIST(NULL), init, fini);
