/* Claims a future ABI major: must be refused, never initialised. */
#include <skiff/skiff.h>

static int entry(const struct sk_host *h, sk_plugin *p, sk_err *err)
{
	(void)h;
	(void)p;
	(void)err;
	return SK_OK;
}

SK_EXPORT const sk_plugin_desc skiff_plugin = {
	SK_PLUGIN_MAGIC, SK_ABI_MAJOR + 1, 0, sizeof(sk_plugin_desc), "fixture-wrong-major", "1.0.0",
	"test fixture: built for another ABI major", NULL, NULL, entry, NULL};
