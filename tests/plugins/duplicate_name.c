/* Declares the same name as good.c. */
#include <skiff/skiff.h>

static int init(sk_plugin *p, sk_err *err)
{
	(void)p;
	(void)err;
	return SK_OK;
}

SK_PLUGIN("fixture-good", "9.9.9", "test fixture: a second plugin of the same name", SK_LIST(NULL),
          SK_LIST(NULL), init, NULL);
