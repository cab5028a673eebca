/* keys.c — storage keys and continue tokens. */
#include "keys.h"
#include "err.h"
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const sk_resource_ops *keys_resource(const char *group, const char *resource, const char *ns, sk_err *err)
{
	const sk_resource_ops *r = resource ? sk_resource_find(group ? group : "", resource) : NULL;
	if (!r) {
		sk_fail(err, SK_ENOTFOUND, "the server could not find the requested resource (%s%s%s)",
		        resource ? resource : "", group && *group ? "." : "", group ? group : "");
		return NULL;
	}
	if (!r->namespaced && ns && *ns) {
		sk_fail(err, SK_EINVALID, "%s is not namespaced", r->name);
		return NULL;
	}
	return r;
}

/* Names and namespaces must not be able to escape their key segment. */
static int segment_ok(const char *s)
{
	return s && *s && strlen(s) <= 253 && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

int keys_make(char *buf, size_t cap, const sk_resource_ops *r, const char *ns, const char *name, sk_err *err)
{
	const char *g = *r->group ? r->group : "core";
	int n;
	if (ns && !*ns)
		ns = NULL;
	if (r->namespaced && name && !ns)
		return sk_fail(err, SK_EINVALID, "a namespace is required for %s", r->name);
	if ((ns && !segment_ok(ns)) || (name && !segment_ok(name)))
		return sk_fail(err, SK_EINVALID, "invalid name or namespace \"%s\"", name ? name : ns);
	if (name)
		n = r->namespaced ? snprintf(buf, cap, "/registry/%s/%s/%s/%s", g, r->plural, ns, name)
		                  : snprintf(buf, cap, "/registry/%s/%s/%s", g, r->plural, name);
	else if (ns && r->namespaced)
		n = snprintf(buf, cap, "/registry/%s/%s/%s/", g, r->plural, ns);
	else
		n = snprintf(buf, cap, "/registry/%s/%s/", g, r->plural);
	if (n < 0 || (size_t)n >= cap)
		return sk_fail(err, SK_EINVALID, "key too long");
	return SK_OK;
}

char *keys_continue_encode(int64_t rv, const char *start_key)
{
	json_t *j = json_pack("{s:s, s:I, s:s}", "v", "meta.k8s.io/v1", "rv", (json_int_t)rv, "start", start_key);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		return NULL;
	size_t len = strlen(s);
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	if (out)
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)len);
	free(s);
	return out;
}

int keys_continue_decode(const char *token, int64_t *rv, char *start_key, size_t cap, sk_err *err)
{
	size_t len = strlen(token);
	if (len == 0 || len > 8192 || len % 4)
		return sk_fail(err, SK_EINVALID, "continue key is not valid: illegal base64 data");
	unsigned char *raw = malloc(len);
	int n = raw ? EVP_DecodeBlock(raw, (const unsigned char *)token, (int)len) : -1;
	if (n < 0) {
		free(raw);
		return sk_fail(err, SK_EINVALID, "continue key is not valid: illegal base64 data");
	}
	while (n > 0 && raw[n - 1] == 0)
		n--; /* padding decodes to NULs */
	json_error_t je;
	json_t *j = json_loadb((const char *)raw, (size_t)n, 0, &je);
	free(raw);
	json_int_t r = 0;
	const char *start = NULL, *v = NULL;
	if (!j || json_unpack(j, "{s:s, s:I, s:s}", "v", &v, "rv", &r, "start", &start) != 0 ||
	    strcmp(v, "meta.k8s.io/v1") != 0 || r <= 0 || strlen(start) >= cap) {
		json_decref(j);
		return sk_fail(err, SK_EINVALID, "continue key is not valid: incorrect encoded start resourceVersion");
	}
	snprintf(start_key, cap, "%s", start);
	*rv = r;
	json_decref(j);
	return SK_OK;
}
