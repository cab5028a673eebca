/* types.c — sk_types_define: plugins declaring the types of their kinds
 * (sdk/docs/types.md) into the schema table, owned by the plugin's name. */
#include "schema.h"
#include <skiff/plugin.h>
#include <skiff/resource.h>

int sk_types_define(sk_plugin *p, const char *label, const char *text, size_t len, sk_err *err)
{
	return schema_define(sk_plugin_name(p), label ? label : "types", text, len, err);
}
