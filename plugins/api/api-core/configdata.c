/* configdata.c — ConfigMaps and Secrets: a Secret's stringData folded into
 * data (base64) as Kubernetes' conversion does before anything stores it,
 * the keys and the 1 MiB bound of both, the keys each Secret type needs,
 * and data that may not change once `immutable` is set. */
#include "kinds.h"
#include <stdlib.h>
#include <string.h>

#define MAX_DATA_BYTES (1024 * 1024) /* core.MaxSecretSize, ConfigMaps too */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* standard base64 with padding, as Go's []byte fields are written; heap */
static char *base64_encode(const unsigned char *in, size_t n)
{
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* decodes text the schema already accepted as base64 into out (NULL to
 * count only); returns the byte count */
static size_t base64_decode(const char *text, unsigned char *out)
{
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0;
	for (const char *p = text; *p && *p != '='; p++) {
		const char *at = strchr(b64, *p);
		if (!at)
			continue;
		acc = acc << 6 | (unsigned)(at - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (out)
				out[n] = (unsigned char)(acc >> bits & 0xff);
			n++;
		}
	}
	return n;
}

/* ---- Secret defaults: stringData → data ----------------------------------- */

struct merge {
	sk_obj *secret;
};

static int merge_one(void *ud, const char *key, sk_obj *value)
{
	struct merge *m = ud;
	const char *s = sk_obj_str(value);
	size_t cap = strlen(key) * 2 + 16;
	char *path = malloc(cap);
	char *enc = s ? base64_encode((const unsigned char *)s, strlen(s)) : NULL;
	if (path && enc && kinds_key_path(path, cap, "data", key) == 0)
		sk_obj_set_str(m->secret, path, enc, NULL);
	free(enc);
	free(path);
	return 0;
}

static void secret_defaults(void *ud, sk_obj *secret)
{
	(void)ud;
	sk_obj *sd = sk_obj_get(secret, "stringData");
	if (sd && sk_obj_type_of(sd) == SK_OBJ_OBJECT) {
		/* stringData wins over data for a key in both */
		struct merge m = {secret};
		sk_obj_foreach(sd, merge_one, &m);
	}
	sk_obj_del(secret, "stringData");
}

/* ---- keys and sizes ------------------------------------------------------- */

struct keys {
	sk_obj *causes;
	const char *field;     /* "data" */
	const sk_obj *other;   /* binaryData, whose keys data may not repeat */
	int decode;            /* values are base64 */
	size_t total;
};

static int check_key(void *ud, const char *key, sk_obj *value)
{
	struct keys *k = ud;
	char f[600];
	if (kinds_key_path(f, sizeof f, k->field, key) != 0)
		snprintf(f, sizeof f, "%s[...]", k->field);
	/* field paths name map keys unquoted: data[tls.crt] */
	char shown[600];
	snprintf(shown, sizeof shown, "%s[%s]", k->field, key);
	sk_check_config_map_key(k->causes, shown, key);
	if (k->other && sk_obj_get(k->other, f + strlen(k->field)))
		sk_cause_invalid_str(k->causes, shown, key, "duplicate of key present in binaryData");
	const char *s = sk_obj_str(value) ?: "";
	k->total += k->decode ? base64_decode(s, NULL) : strlen(s);
	return 0;
}

static size_t check_keys(const sk_obj *obj, const char *field, const sk_obj *other, int decode, sk_obj *causes)
{
	struct keys k = {causes, field, other, decode, 0};
	sk_obj *m = sk_obj_get(obj, field);
	if (m && sk_obj_type_of(m) == SK_OBJ_OBJECT)
		sk_obj_foreach(m, check_key, &k);
	return k.total;
}

/* Kubernetes compares data deeply; immutable: true freezes it both ways */
static void check_immutable(const sk_obj *obj, const sk_obj *old, const char *const *fields, sk_obj *causes)
{
	if (!old || !sk_obj_get_bool(old, "immutable", 0))
		return;
	static const char msg[] = "field is immutable when `immutable` is set";
	if (!sk_obj_get_bool(obj, "immutable", 0))
		sk_cause_forbidden(causes, "immutable", msg);
	for (; *fields; fields++) {
		sk_obj *a = sk_obj_get(obj, *fields), *b = sk_obj_get(old, *fields);
		int same = (!sk_obj_len(a) && !sk_obj_len(b)) || (a && b && sk_obj_equal(a, b));
		if (!same)
			sk_cause_forbidden(causes, *fields, msg);
	}
}

/* ---- ConfigMap ------------------------------------------------------------ */

static int configmap_validate(void *ud, const sk_obj *cm, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	size_t before = sk_obj_len(causes);
	static const char *const frozen[] = {"data", "binaryData", NULL};
	check_immutable(cm, old, frozen, causes);
	size_t total = check_keys(cm, "data", sk_obj_get(cm, "binaryData"), 0, causes);
	total += check_keys(cm, "binaryData", NULL, 1, causes);
	if (total > MAX_DATA_BYTES)
		sk_cause_too_long(causes, "", MAX_DATA_BYTES);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

/* ---- Secret --------------------------------------------------------------- */

/* a key's value decoded, or NULL when the key is absent; heap */
static unsigned char *secret_value(const sk_obj *secret, const char *key, size_t *len)
{
	char path[300];
	if (kinds_key_path(path, sizeof path, "data", key) != 0)
		return NULL;
	const char *s = sk_obj_get_str(secret, path);
	if (!s)
		return NULL;
	unsigned char *out = malloc(base64_decode(s, NULL) + 1);
	if (out)
		out[*len = base64_decode(s, out)] = 0;
	return out;
}

static int has_key(const sk_obj *secret, const char *key)
{
	char path[300];
	return kinds_key_path(path, sizeof path, "data", key) == 0 && sk_obj_get(secret, path);
}

/* the docker config must be JSON that decodes into a map */
static void check_docker_config(const sk_obj *secret, const char *key, sk_obj *causes)
{
	char f[64];
	snprintf(f, sizeof f, "data[%s]", key);
	size_t len = 0;
	unsigned char *raw = secret_value(secret, key, &len);
	if (!raw) {
		sk_cause_required(causes, f, NULL);
		return;
	}
	sk_err err = {0};
	sk_obj *doc = sk_obj_parse((const char *)raw, len, &err);
	static const char redacted[] = "<secret contents redacted>";
	if (!doc)
		sk_cause_invalid_str(causes, f, redacted, "%s", len ? err.msg : "unexpected end of JSON input");
	else if (sk_obj_type_of(doc) != SK_OBJ_OBJECT && sk_obj_type_of(doc) != SK_OBJ_NULL) {
		static const char *const go_types[] = {"null", "bool", "number", "number", "string", "array", "object"};
		sk_cause_invalid_str(causes, f, redacted,
		                     "json: cannot unmarshal %s into Go value of type map[string]interface {}",
		                     go_types[sk_obj_type_of(doc)]);
	}
	sk_obj_unref(doc);
	free(raw);
}

static void check_secret_type(const sk_obj *secret, sk_obj *causes)
{
	const char *type = sk_obj_get_str(secret, "type") ?: "";
	if (!strcmp(type, "kubernetes.io/service-account-token")) {
		const char *sa = sk_obj_get_str(secret, "metadata.annotations[\"kubernetes.io/service-account.name\"]");
		if (!sa || !*sa)
			sk_cause_required(causes, "metadata.annotations[kubernetes.io/service-account.name]", NULL);
	} else if (!strcmp(type, "kubernetes.io/dockercfg"))
		check_docker_config(secret, ".dockercfg", causes);
	else if (!strcmp(type, "kubernetes.io/dockerconfigjson"))
		check_docker_config(secret, ".dockerconfigjson", causes);
	else if (!strcmp(type, "kubernetes.io/basic-auth")) {
		/* either may be empty, but one must be there */
		if (!has_key(secret, "username") && !has_key(secret, "password")) {
			sk_cause_required(causes, "data[username]", NULL);
			sk_cause_required(causes, "data[password]", NULL);
		}
	} else if (!strcmp(type, "kubernetes.io/ssh-auth")) {
		size_t len = 0;
		unsigned char *key = secret_value(secret, "ssh-privatekey", &len);
		if (!key || !len)
			sk_cause_required(causes, "data[ssh-privatekey]", NULL);
		free(key);
	} else if (!strcmp(type, "kubernetes.io/tls")) {
		if (!has_key(secret, "tls.crt"))
			sk_cause_required(causes, "data[tls.crt]", NULL);
		if (!has_key(secret, "tls.key"))
			sk_cause_required(causes, "data[tls.key]", NULL);
	}
}

static int secret_validate(void *ud, const sk_obj *secret, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	size_t before = sk_obj_len(causes);
	/* stringData is already in data: it is not compared separately */
	static const char *const frozen[] = {"data", NULL};
	check_immutable(secret, old, frozen, causes);
	if (check_keys(secret, "data", NULL, 1, causes) > MAX_DATA_BYTES)
		sk_cause_too_long(causes, "data", MAX_DATA_BYTES);
	check_secret_type(secret, causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

void kinds_configmap(sk_resource_ops *r) { r->validate = configmap_validate; }

void kinds_secret(sk_resource_ops *r)
{
	r->defaults = secret_defaults;
	r->validate = secret_validate;
}
