/* api_openapi.c — the OpenAPI documents: /openapi/v3 (an index of
 * per-group-version documents that kubectl explain and kubectl apply's
 * field validation read) and /openapi/v2 (one document), built from the
 * registered resources and the schema table, cached per schema
 * generation. */
#include "api.h"
#include "schema.h"
#include <openssl/evp.h>
#include <skiff/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct collect {
	const sk_resource_ops **v;
	size_t n, cap;
};

static int collect_one(void *ud, const void *ops, void *ops_ud, const char *owner)
{
	(void)ops_ud;
	(void)owner;
	struct collect *c = ud;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		const sk_resource_ops **v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return 1;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = ops;
	return 0;
}

static json_t *param(const char *name, const char *in, const char *desc, const char *type)
{
	return json_pack("{s:s, s:s, s:s, s:{s:s}, s:b}", "name", name, "in", in, "description", desc, "schema",
	                 "type", type, "uniqueItems", 1);
}

static json_t *write_params(void)
{
	return json_pack("[o,o,o]",
	                 param("dryRun", "query",
	                       "When present, indicates that modifications should not be persisted.", "string"),
	                 param("fieldManager", "query",
	                       "fieldManager is a name associated with the actor or entity that is making these "
	                       "changes.",
	                       "string"),
	                 param("fieldValidation", "query",
	                       "fieldValidation instructs the server on how to handle objects in the request "
	                       "containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.",
	                       "string"));
}

static json_t *gvk_ext(const sk_resource_ops *r)
{
	return json_pack("{s:s, s:s, s:s}", "group", r->group, "version", r->version, "kind", r->kind);
}

static json_t *ref(const char *name, int v3)
{
	char buf[300];
	snprintf(buf, sizeof buf, v3 ? "#/components/schemas/%s" : "#/definitions/%s", name);
	return json_pack("{s:s}", "$ref", buf);
}

static json_t *body_of(const sk_resource_ops *r, int v3)
{
	if (!r->type)
		return json_pack("{s:s}", "type", "object");
	return ref(r->type, v3);
}

static json_t *response(const sk_resource_ops *r, int v3)
{
	if (v3)
		return json_pack("{s:{s:s, s:{s:{s:o}}}}", "200", "description", "OK", "content", "application/json",
		                 "schema", body_of(r, 1));
	return json_pack("{s:{s:s, s:o}}", "200", "description", "OK", "schema", body_of(r, 0));
}

static json_t *operation(const sk_resource_ops *r, const char *id, const char *action, int writes, int v3)
{
	json_t *op = json_pack("{s:s, s:o, s:s, s:o}", "operationId", id, "responses", response(r, v3),
	                       "x-kubernetes-action", action, "x-kubernetes-group-version-kind", gvk_ext(r));
	json_t *params = writes ? write_params() : json_array();
	if (!v3) {
		/* v2 parameters carry their type beside them, not in a schema */
		size_t i;
		json_t *p;
		json_array_foreach(params, i, p) {
			json_object_set_new(p, "type", json_string("string"));
			json_object_del(p, "schema");
		}
	}
	json_object_set_new(op, "parameters", params);
	if (writes) {
		json_t *rb = v3 ? json_pack("{s:{s:{s:o}}, s:b}", "content", "application/json", "schema", body_of(r, 1),
		                            "required", 1)
		                : NULL;
		if (v3)
			json_object_set_new(op, "requestBody", rb);
		else
			json_array_append_new(params,
			                      json_pack("{s:s, s:s, s:b, s:o}", "name", "body", "in", "body", "required", 1,
			                                "schema", body_of(r, 0)));
	}
	return op;
}

/* the paths of one resource: its collection and its objects */
static void add_paths(json_t *paths, const sk_resource_ops *r, int v3)
{
	char base[300], coll[400], item[450];
	if (*r->group)
		snprintf(base, sizeof base, "/apis/%s/%s", r->group, r->version);
	else
		snprintf(base, sizeof base, "/api/%s", r->version);
	if (r->namespaced)
		snprintf(coll, sizeof coll, "%s/namespaces/{namespace}/%s", base, r->plural);
	else
		snprintf(coll, sizeof coll, "%s/%s", base, r->plural);
	snprintf(item, sizeof item, "%s/{name}", coll);
	char id[300];
	snprintf(id, sizeof id, "create%s", r->kind);
	json_object_set_new(paths, coll,
	                    json_pack("{s:o, s:o}", "get", operation(r, "list", "list", 0, v3), "post",
	                              operation(r, id, "post", 1, v3)));
	json_object_set_new(paths, item,
	                    json_pack("{s:o, s:o, s:o, s:o}", "get", operation(r, "read", "get", 0, v3), "put",
	                              operation(r, "replace", "put", 1, v3), "patch",
	                              operation(r, "patch", "patch", 1, v3), "delete",
	                              operation(r, "delete", "delete", 0, v3)));
	if (r->subresources & SK_SUB_STATUS) {
		char st[500];
		snprintf(st, sizeof st, "%s/status", item);
		json_object_set_new(paths, st,
		                    json_pack("{s:o, s:o, s:o}", "get", operation(r, "readStatus", "get", 0, v3), "put",
		                              operation(r, "replaceStatus", "put", 1, v3), "patch",
		                              operation(r, "patchStatus", "patch", 1, v3)));
	}
}

static char *dump(json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return s;
}

/* One group-version's document; gv is "api/v1" or "apis/G/V". */
static char *v3_document(const char *gv)
{
	struct collect c = {0};
	sk_ext_foreach(SK_EXT_RESOURCE, collect_one, &c);
	json_t *paths = json_object(), *schemas = json_object();
	for (size_t i = 0; i < c.n; i++) {
		char mine[200];
		const sk_resource_ops *r = c.v[i];
		if (*r->group)
			snprintf(mine, sizeof mine, "apis/%s/%s", r->group, r->version);
		else
			snprintf(mine, sizeof mine, "api/%s", r->version);
		if (strcmp(mine, gv))
			continue;
		add_paths(paths, r, 1);
		if (r->type)
			schema_collect(r->type, schemas, 1);
	}
	free(c.v);
	if (!json_object_size(paths)) {
		json_decref(paths);
		json_decref(schemas);
		return NULL;
	}
	return dump(json_pack("{s:s, s:{s:s, s:s}, s:o, s:{s:o}}", "openapi", "3.0.0", "info", "title", "Kubernetes",
	                      "version", API_KUBE_GIT_VERSION, "paths", paths, "components", "schemas", schemas));
}

static void hash_hex(const char *s, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02X", md[i]);
}

static void v3_index(struct api_req *r)
{
	struct collect c = {0};
	sk_ext_foreach(SK_EXT_RESOURCE, collect_one, &c);
	json_t *paths = json_object();
	for (size_t i = 0; i < c.n; i++) {
		char gv[200];
		const sk_resource_ops *res = c.v[i];
		if (*res->group)
			snprintf(gv, sizeof gv, "apis/%s/%s", res->group, res->version);
		else
			snprintf(gv, sizeof gv, "api/%s", res->version);
		if (json_object_get(paths, gv))
			continue;
		char *doc = v3_document(gv), hash[65] = "";
		if (!doc)
			continue;
		hash_hex(doc, hash);
		free(doc);
		char url[300];
		snprintf(url, sizeof url, "/openapi/v3/%s?hash=%s", gv, hash);
		json_object_set_new(paths, gv, json_pack("{s:s}", "serverRelativeURL", url));
	}
	free(c.v);
	api_reply_json(r, 200, json_pack("{s:o}", "paths", paths));
}

static char *v2_document(void)
{
	struct collect c = {0};
	sk_ext_foreach(SK_EXT_RESOURCE, collect_one, &c);
	json_t *paths = json_object();
	for (size_t i = 0; i < c.n; i++)
		add_paths(paths, c.v[i], 0);
	free(c.v);
	return dump(json_pack("{s:s, s:{s:s, s:s}, s:o, s:o}", "swagger", "2.0", "info", "title", "Kubernetes",
	                      "version", API_KUBE_GIT_VERSION, "paths", paths, "definitions", schema_all(0)));
}

int api_openapi(struct api_req *r, char *const *seg, size_t n)
{
	if (n == 2 && !strcmp(seg[1], "v2")) {
		const char *acc = http_req_header(r->http, "Accept");
		if (acc && strstr(acc, "protobuf") && !strstr(acc, "application/json")) {
			api_reply_json(r, 406,
			               api_status(406, "NotAcceptable",
			                          "only application/json is served for /openapi/v2", NULL));
			return 1;
		}
		char *doc = v2_document();
		api_reply_raw(r, 200, "application/json", doc ? doc : "{}", doc ? strlen(doc) : 2);
		free(doc);
		return 1;
	}
	if (n == 2 && !strcmp(seg[1], "v3")) {
		v3_index(r);
		return 1;
	}
	if (n >= 4 && !strcmp(seg[1], "v3")) {
		char gv[300] = "";
		for (size_t i = 2; i < n; i++) {
			size_t len = strlen(gv);
			snprintf(gv + len, sizeof gv - len, "%s%s", i > 2 ? "/" : "", seg[i]);
		}
		char *doc = v3_document(gv);
		if (!doc)
			return 0;
		/* documents are addressed by hash: clients may cache them for good */
		if (query_get(&r->q, "hash"))
			http_resp_header(r->http, "Cache-Control", "public, immutable");
		api_reply_raw(r, 200, "application/json", doc, strlen(doc));
		free(doc);
		return 1;
	}
	return 0;
}
