/* Registers something, then fails: the host must undo the registration. */
#include <skiff/skiff.h>
#include <stdio.h>

static const sk_authorizer_ops authz = {sizeof authz, "fixture-failing", NULL};

static int init(sk_plugin *p, sk_err *err)
{
	sk_register(p, SK_EXT_AUTHORIZER, &authz, NULL, err);
	snprintf(err->msg, sizeof err->msg, "cannot reach the license server");
	err->code = SK_EIO;
	return SK_EIO;
}

SK_PLUGIN("fixture-failing", "1.0.0", "test fixture: init fails", SK_LIST(NULL), SK_LIST(NULL), init, NULL);
