/* api_openapi.c — the OpenAPI documents: /openapi/v3 (an index of
 * per-group-version documents that kubectl explain and kubectl apply's
 * field validation read) and /openapi/v2 (one document, as JSON or as
 * gnostic protobuf for client-go's OpenAPISchema), built from the
 * registered resources and the schema table and cached until either
 * changes. */
#include "api.h"
#include "log.h"
#include "openapi_pb.h"
#include "schema.h"
#include <openssl/evp.h>
#include <skiff/plugin.h>
#include <stdint.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>


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

/* the "api/v1" or "apis/G/V" of a resource */
static void gv_path(const sk_resource_ops *r, char *buf, size_t cap)
{
	if (*r->group)
		snprintf(buf, cap, "apis/%s/%s", r->group, r->version);
	else
		snprintf(buf, cap, "api/%s", r->version);
}

/* One group-version's document; gv is "api/v1" or "apis/G/V". */
static char *v3_document(const struct api_resources *c, const char *gv)
{
	json_t *paths = json_object(), *schemas = json_object();
	for (size_t i = 0; i < c->n; i++) {
		char mine[200];
		const sk_resource_ops *r = c->v[i];
		gv_path(r, mine, sizeof mine);
		if (strcmp(mine, gv))
			continue;
		add_paths(paths, r, 1);
		if (r->type)
			schema_collect(r->type, schemas, 1);
	}
	if (!json_object_size(paths)) {
		json_decref(paths);
		json_decref(schemas);
		return NULL;
	}
	return dump(json_pack("{s:s, s:{s:s, s:s}, s:o, s:{s:o}}", "openapi", "3.0.0", "info", "title", "Kubernetes",
	                      "version", API_KUBE_GIT_VERSION, "paths", paths, "components", "schemas", schemas));
}

static json_t *v2_document(const struct api_resources *c)
{
	json_t *paths = json_object();
	for (size_t i = 0; i < c->n; i++)
		add_paths(paths, c->v[i], 0);
	return json_pack("{s:s, s:{s:s, s:s}, s:o, s:o}", "swagger", "2.0", "info", "title", "Kubernetes", "version",
	                 API_KUBE_GIT_VERSION, "paths", paths, "definitions", schema_all(0));
}

/* ---- the cache ----------------------------------------------------------- */

/* The documents change only with the types (schema_generation) or the
 * resources registered (CRDs come and go): both are the key, the
 * resources as a hash of everything add_paths reads. Filled piecemeal, on
 * first use of each document; everything runs on the loop thread. */
struct v3_entry {
	char gv[200];
	char *doc;
	char hash[65];
};

static struct {
	int valid;
	unsigned long gen;
	uint64_t res_hash;
	char *v2_json, *v2_pb;
	size_t v2_json_len, v2_pb_len;
	char v2_etag[140]; /* quoted, as an ETag header */
	struct v3_entry *v3;
	size_t n_v3;
	int v3_built;
} cache;

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (h ^ 0xff) * 0x100000001b3ull; /* a separator, so "ab","c" differs from "a","bc" */
}

static uint64_t resources_hash(const struct api_resources *c)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < c->n; i++) {
		const sk_resource_ops *r = c->v[i];
		char flags[32];
		snprintf(flags, sizeof flags, "%d/%d", r->namespaced, (r->subresources & SK_SUB_STATUS) != 0);
		const char *parts[] = {r->group, r->version, r->kind, r->plural, r->type ? r->type : "-", flags};
		for (size_t k = 0; k < sizeof parts / sizeof *parts; k++)
			h = fnv(h, parts[k]);
	}
	return h;
}

static void cache_clear(void)
{
	free(cache.v2_json);
	free(cache.v2_pb);
	for (size_t i = 0; i < cache.n_v3; i++)
		free(cache.v3[i].doc);
	free(cache.v3);
	memset(&cache, 0, sizeof cache);
}

void api_openapi_free(void) { cache_clear(); }

/* Collects the resources into c and drops the cache if it is stale. */
static void cache_check(struct api_resources *c)
{
	sk_ext_foreach(SK_EXT_RESOURCE, api_resources_add, c);
	unsigned long gen = schema_generation();
	uint64_t h = resources_hash(c);
	if (cache.valid && cache.gen == gen && cache.res_hash == h)
		return;
	cache_clear();
	cache.valid = 1;
	cache.gen = gen;
	cache.res_hash = h;
}

static void hash_hex(const char *s, size_t len, const EVP_MD *md_type, char *out, size_t cap)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_Digest(s, len, md, &n, md_type, NULL);
	out[0] = 0;
	for (unsigned i = 0; i < n && 2 * i + 2 < cap; i++)
		snprintf(out + 2 * i, 3, "%02X", md[i]);
}

/* Every group-version's v3 document, with its hash. */
static void v3_build(const struct api_resources *c)
{
	if (cache.v3_built)
		return;
	cache.v3_built = 1;
	cache.v3 = calloc(c->n ? c->n : 1, sizeof *cache.v3);
	if (!cache.v3)
		return;
	for (size_t i = 0; i < c->n; i++) {
		char gv[200];
		gv_path(c->v[i], gv, sizeof gv);
		size_t j = 0;
		while (j < cache.n_v3 && strcmp(cache.v3[j].gv, gv))
			j++;
		if (j < cache.n_v3)
			continue;
		char *doc = v3_document(c, gv);
		if (!doc)
			continue;
		struct v3_entry *e = &cache.v3[cache.n_v3++];
		snprintf(e->gv, sizeof e->gv, "%s", gv);
		e->doc = doc;
		hash_hex(doc, strlen(doc), EVP_sha256(), e->hash, sizeof e->hash);
	}
}

static void v3_index(struct api_req *r)
{
	struct api_resources c = {0};
	cache_check(&c);
	v3_build(&c);
	free(c.v);
	json_t *paths = json_object();
	for (size_t i = 0; i < cache.n_v3; i++) {
		char url[300];
		snprintf(url, sizeof url, "/openapi/v3/%s?hash=%s", cache.v3[i].gv, cache.v3[i].hash);
		json_object_set_new(paths, cache.v3[i].gv, json_pack("{s:s}", "serverRelativeURL", url));
	}
	api_reply_json(r, 200, json_pack("{s:o}", "paths", paths));
}

/* The v2 document as JSON, and as protobuf when pb; 0 if it cannot be had. */
static int v2_build(const struct api_resources *c, int pb)
{
	if (cache.v2_json && (!pb || cache.v2_pb))
		return 1;
	json_t *doc = v2_document(c);
	if (!doc)
		return 0;
	if (!cache.v2_json) {
		cache.v2_json = json_dumps(doc, JSON_COMPACT);
		if (cache.v2_json) {
			cache.v2_json_len = strlen(cache.v2_json);
			/* kube-openapi's ETag: the JSON's SHA-512, for either form */
			char hex[EVP_MAX_MD_SIZE * 2 + 1];
			hash_hex(cache.v2_json, cache.v2_json_len, EVP_sha512(), hex, sizeof hex);
			snprintf(cache.v2_etag, sizeof cache.v2_etag, "\"%s\"", hex);
		}
	}
	if (pb && !cache.v2_pb) {
		sk_err err = {0};
		if (openapi_v2_protobuf(doc, &cache.v2_pb, &cache.v2_pb_len, &err) != SK_OK)
			LOG_E("openapi/v2: %s", err.msg);
	}
	json_decref(doc);
	return cache.v2_json && (!pb || cache.v2_pb);
}

/* ---- /openapi/v2 --------------------------------------------------------- */

enum v2_form { V2_JSON, V2_PB, V2_NONE };

struct accept_clause {
	char type[64], sub[128];
	double q;
	int pos;
};

static int clause_before(const struct accept_clause *a, const struct accept_clause *b)
{
	if (a->q != b->q)
		return a->q > b->q;
	int aw = strcmp(a->type, "*") == 0, bw = strcmp(b->type, "*") == 0;
	if (aw != bw)
		return bw;
	aw = strcmp(a->sub, "*") == 0, bw = strcmp(b->sub, "*") == 0;
	if (aw != bw)
		return bw;
	return a->pos < b->pos;
}

/* kube-openapi's negotiation: the Accept clauses by quality and then
 * specificity (goautoneg), the first that JSON or either spelling of the
 * protobuf type satisfies, JSON first for wildcards; none: 406. */
static enum v2_form v2_form(const char *accept)
{
	if (!accept || !*accept)
		return V2_JSON;
	struct accept_clause cl[32];
	size_t n = 0;
	const char *p = accept;
	while (*p && n < sizeof cl / sizeof *cl) {
		size_t len = strcspn(p, ",");
		char one[256];
		snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one ? len : sizeof one - 1), p);
		p += len + (p[len] == ',');
		struct accept_clause *c = &cl[n];
		c->q = 1;
		c->pos = (int)n;
		char *params = strchr(one, ';');
		if (params) {
			*params++ = 0;
			char *save = NULL;
			for (char *tok = strtok_r(params, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
				tok += strspn(tok, " \t");
				if (!strncmp(tok, "q=", 2))
					c->q = strtod(tok + 2, NULL);
			}
		}
		char *m = one + strspn(one, " \t");
		m[strcspn(m, " \t")] = 0;
		char *slash = strchr(m, '/');
		if (!slash || c->q <= 0)
			continue;
		*slash = 0;
		snprintf(c->type, sizeof c->type, "%s", m);
		snprintf(c->sub, sizeof c->sub, "%s", slash + 1);
		/* insertion sort keeps it stable */
		size_t i = n++;
		struct accept_clause t = cl[i];
		while (i > 0 && clause_before(&t, &cl[i - 1])) {
			cl[i] = cl[i - 1];
			i--;
		}
		cl[i] = t;
	}
	/* the subtypes: what follows "application/" */
	static const char *const subs[] = {"json", &OPENAPI_PB_ACCEPT_OLD[sizeof "application/" - 1],
	                                   &OPENAPI_PB_MEDIA_TYPE[sizeof "application/" - 1]};
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(cl[i].type, "application") && strcmp(cl[i].type, "*"))
			continue;
		for (size_t k = 0; k < sizeof subs / sizeof *subs; k++)
			if (!strcasecmp(cl[i].sub, subs[k]) || !strcmp(cl[i].sub, "*"))
				return k ? V2_PB : V2_JSON;
	}
	return V2_NONE;
}

static int etag_matches(const char *inm, const char *etag)
{
	if (!inm || !*etag)
		return 0;
	for (const char *p = inm; *p;) {
		p += strspn(p, " \t,");
		size_t len = strcspn(p, ",");
		const char *t = p;
		if (!strncmp(t, "W/", 2))
			t += 2;
		size_t tl = len - (size_t)(t - p);
		while (tl && (t[tl - 1] == ' ' || t[tl - 1] == '\t'))
			tl--;
		if ((tl == 1 && *t == '*') || (tl == strlen(etag) && !strncmp(t, etag, tl)))
			return 1;
		p += len;
	}
	return 0;
}

static void v2_reply(struct api_req *r)
{
	http_resp_header(r->http, "Vary", "Accept");
	enum v2_form form = v2_form(http_req_header(r->http, "Accept"));
	if (form == V2_NONE) {
		api_reply_json(r, 406,
		               api_status(406, "NotAcceptable",
		                          "only application/json and " OPENAPI_PB_MEDIA_TYPE " are served for /openapi/v2",
		                          NULL));
		return;
	}
	struct api_resources c = {0};
	cache_check(&c);
	int ok = v2_build(&c, form == V2_PB);
	free(c.v);
	if (!ok) {
		api_reply_json(r, 500, api_status(500, "InternalError", "the OpenAPI document could not be built", NULL));
		return;
	}
	const char *ctype = form == V2_PB ? OPENAPI_PB_MEDIA_TYPE : "application/json";
	const char *body = form == V2_PB ? cache.v2_pb : cache.v2_json;
	size_t len = form == V2_PB ? cache.v2_pb_len : cache.v2_json_len;
	if (*cache.v2_etag)
		http_resp_header(r->http, "Etag", cache.v2_etag);
	/* a 304 sends no body, but Content-Length as the 200 would */
	int code = etag_matches(http_req_header(r->http, "If-None-Match"), cache.v2_etag) ? 304 : 200;
	api_reply_raw(r, code, ctype, body, len);
}

int api_openapi(struct api_req *r, char *const *seg, size_t n)
{
	if (n == 2 && !strcmp(seg[1], "v2")) {
		v2_reply(r);
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
		struct api_resources c = {0};
		cache_check(&c);
		v3_build(&c);
		free(c.v);
		const struct v3_entry *e = NULL;
		for (size_t i = 0; i < cache.n_v3 && !e; i++)
			if (!strcmp(cache.v3[i].gv, gv))
				e = &cache.v3[i];
		if (!e)
			return 0;
		/* documents are addressed by hash: clients may cache them for good */
		if (query_get(&r->q, "hash"))
			http_resp_header(r->http, "Cache-Control", "public, immutable");
		api_reply_raw(r, 200, "application/json", e->doc, strlen(e->doc));
		return 1;
	}
	return 0;
}
