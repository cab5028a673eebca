/* Requires the capability fixture-good provides, so it must init after it. */
#include <skiff/skiff.h>
#include <stdio.h>

static int init(sk_plugin *p, sk_err *err)
{
	/* fixture-good's registration must already be there */
	if (!sk_ext_find(SK_EXT_AUTHORIZER, "fixture-good", NULL)) {
		snprintf(err->msg, sizeof err->msg, "initialised before what it requires");
		err->code = SK_EINVALID;
		return SK_EINVALID;
	}
	(void)p;
	return SK_OK;
}

SK_PLUGIN("fixture-needs-good", "1.0.0", "test fixture: depends on fixture-capability", SK_LIST(NULL),
          SK_LIST("fixture-capability"), init, NULL);
