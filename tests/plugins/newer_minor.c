/* Claims a newer ABI minor than the host: must be refused. */
#include <skiff/skiff.h>

static int entry(const struct sk_host *h, sk_plugin *p, sk_err *err)
{
	(void)h;
	(void)p;
	(void)err;
	return SK_OK;
}

SK_EXPORT const sk_plugin_desc skiff_plugin = {
	SK_PLUGIN_MAGIC, SK_ABI_MAJOR, SK_ABI_MINOR + 1, sizeof(sk_plugin_desc), "fixture-newer-minor", "1.0.0",
	"test fixture: built for a newer ABI minor", NULL, NULL, entry, NULL};
