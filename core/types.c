/* types.c — sk_types_define and sk_types_define_openapi: plugins declaring
 * the types of their kinds (sdk/docs/types.md) or of custom resources (a
 * CRD's OpenAPI v3 schema) into the schema table, owned by the plugin's
 * name, or by "<plugin name>/<owner key>" so that one key's types can be
 * dropped alone. */
#include "err.h"
#include "json.h"
#include "schema.h"
#include <skiff/plugin.h>
#include <skiff/resource.h>
#include <stdio.h>
#include <string.h>

#define OWNER_KEY_MAX 320 /* a CRD name is at most 253 bytes */

int sk_types_define(sk_plugin *p, const char *label, const char *text, size_t len, sk_err *err)
{
	return schema_define(sk_plugin_name(p), label ? label : "types", text, len, err);
}

static int owner_of(sk_plugin *p, const char *key, char *buf, size_t cap, sk_err *err)
{
	if (!key || !*key || strlen(key) > OWNER_KEY_MAX)
		return sk_fail(err, SK_EINVALID, "types owner key must be 1 to %d bytes", OWNER_KEY_MAX);
	snprintf(buf, cap, "%s/%s", sk_plugin_name(p), key);
	return SK_OK;
}

int sk_types_define_openapi(sk_plugin *p, const char *owner_key, const char *full_name, const char *gvk,
                            const sk_obj *openapi_v3_schema, sk_err *err)
{
	char owner[OWNER_KEY_MAX + 80];
	if (owner_of(p, owner_key, owner, sizeof owner, err) != SK_OK)
		return SK_EINVALID;
	if (!openapi_v3_schema)
		return sk_fail(err, SK_EINVALID, "openAPIV3Schema: Required value");
	return schema_define_openapi_gvk(owner, full_name, gvk, J(openapi_v3_schema), err);
}

void sk_types_forget(sk_plugin *p, const char *owner_key)
{
	char owner[OWNER_KEY_MAX + 80];
	if (owner_of(p, owner_key, owner, sizeof owner, NULL) == SK_OK)
		schema_forget(owner);
}
