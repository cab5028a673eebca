/* api_media.c — media types: request bodies in JSON or YAML, and what the
 * Accept header asks for (Table, aggregated discovery). */
#include "api.h"
#include "err.h"
#include "protobuf.h"
#include "yaml.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* the media type without parameters, lower-case compared */
int api_media_is(const char *ct, const char *want)
{
	size_t n = strlen(want);
	if (!ct)
		return 0;
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int api_decode_body(struct api_req *r, json_t **out, sk_err *err)
{
	size_t len;
	const char *body = http_req_body(r->http, &len);
	const char *ct = http_req_header(r->http, "Content-Type");
	json_t *j = NULL;
	*out = NULL;
	if (!body || len == 0)
		return sk_fail(err, SK_EBADREQUEST, "the request body is empty: an object is required");
	if (ct && api_media_is(ct, "application/vnd.kubernetes.protobuf")) {
		/* kubectl's typed commands (create configmap, create deployment...) */
		if (!(j = protobuf_decode(body, len, err)))
			return err->code;
		*out = j;
		return SK_OK;
	}
	int yaml = ct && (api_media_is(ct, "application/yaml") || api_media_is(ct, "application/apply-patch+yaml"));
	if (!yaml && ct && *ct && !api_media_is(ct, "application/json") && !api_media_is(ct, "application/merge-patch+json") &&
	    !api_media_is(ct, "application/strategic-merge-patch+json") && !api_media_is(ct, "application/json-patch+json"))
		return sk_fail(err, SK_EMEDIATYPE, "the body of the request was in an unknown format - accepted media "
		                                   "types include: application/json, application/yaml, "
		                                   "application/vnd.kubernetes.protobuf");
	if (yaml) {
		struct yaml_node *n = yaml_load_single(body, len, "body", err);
		if (!n) {
			err->code = SK_EBADREQUEST;
			return SK_EBADREQUEST;
		}
		j = yaml_to_json(n, err);
		yaml_node_free(n);
		if (!j) {
			err->code = SK_EBADREQUEST;
			return SK_EBADREQUEST;
		}
	} else {
		json_error_t je;
		j = json_loadb(body, len, JSON_DECODE_ANY, &je);
		if (!j)
			return sk_fail(err, SK_EBADREQUEST,
			               "the object provided is unrecognized: json parse error: %s at line %d, column %d",
			               je.text, je.line, je.column);
	}
	*out = j;
	return SK_OK;
}

/* One choice of an Accept header: "application/json;as=Table;v=v1;g=meta.k8s.io".
 * Parameters are matched by name; a NULL wanted value matches anything. */
static int choice_matches(const char *c, size_t n, const char *as, const char *g, const char *v)
{
	char buf[256];
	if (n >= sizeof buf)
		return 0;
	memcpy(buf, c, n);
	buf[n] = '\0';
	char *save, *tok = strtok_r(buf, ";", &save);
	if (!tok)
		return 0;
	while (*tok == ' ')
		tok++;
	if (strncasecmp(tok, "application/json", 16) != 0 && strcmp(tok, "*/*") != 0)
		return 0;
	const char *got_as = NULL, *got_g = NULL, *got_v = NULL;
	while ((tok = strtok_r(NULL, ";", &save))) {
		while (*tok == ' ')
			tok++;
		char *eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (!strcmp(tok, "as"))
			got_as = eq + 1;
		else if (!strcmp(tok, "g"))
			got_g = eq + 1;
		else if (!strcmp(tok, "v"))
			got_v = eq + 1;
	}
	if (as && (!got_as || strcmp(got_as, as)))
		return 0;
	if (!as && got_as)
		return 0;
	if (g && (!got_g || strcmp(got_g, g)))
		return 0;
	if (v && (!got_v || strcmp(got_v, v)))
		return 0;
	return 1;
}

int api_accepts(const struct api_req *r, const char *as, const char *g, const char *v)
{
	const char *acc = http_req_header(r->http, "Accept");
	if (!acc)
		return as == NULL;
	for (const char *c = acc; *c;) {
		const char *comma = strchr(c, ',');
		size_t n = comma ? (size_t)(comma - c) : strlen(c);
		if (choice_matches(c, n, as, g, v))
			return 1;
		c += n + (comma ? 1 : 0);
	}
	return 0;
}
