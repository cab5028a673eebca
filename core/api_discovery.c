/* api_discovery.c — /version and API discovery: /api, /apis and their
 * group and version documents, plain and aggregated (apidiscovery.k8s.io/v2,
 * which kubectl 1.32 asks for first), built from the registered resources. */
#include "api.h"
#include <skiff/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

void api_version_info(struct api_req *r)
{
	struct utsname u;
	char platform[80] = "linux/amd64";
	if (uname(&u) == 0)
		snprintf(platform, sizeof platform, "linux/%s",
		         !strcmp(u.machine, "x86_64") ? "amd64" : !strcmp(u.machine, "aarch64") ? "arm64" : u.machine);
	api_reply_json(r, 200,
	               json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "major", API_KUBE_MAJOR,
	                         "minor", API_KUBE_MINOR, "gitVersion", API_KUBE_GIT_VERSION "+skiff", "gitCommit",
	                         "", "gitTreeState", "clean", "buildDate", __DATE__ " " __TIME__, "goVersion",
	                         "none (skiff is written in C)", "compiler", "cc", "platform", platform,
	                         "skiffVersion", SKIFF_VERSION));
}

/* Kubernetes lists groups by priority; kubectl resolves short names in
 * that order, so the familiar groups come first. */
static const char *const group_order[] = {
	"", "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io",
	"authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io",
	"policy", "rbac.authorization.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io",
	"apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io",
	"discovery.k8s.io", "flowcontrol.apiserver.k8s.io", "resource.k8s.io", "extensions",
};

static int group_rank(const char *g)
{
	for (size_t i = 0; i < sizeof group_order / sizeof group_order[0]; i++)
		if (!strcmp(group_order[i], g))
			return (int)i;
	return 1000;
}

int api_resources_add(void *ud, const void *ops, void *ops_ud, const char *owner)
{
	(void)ops_ud;
	(void)owner;
	struct api_resources *c = ud;
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

static int by_group(const void *a, const void *b)
{
	const sk_resource_ops *x = *(const sk_resource_ops *const *)a, *y = *(const sk_resource_ops *const *)b;
	int rx = group_rank(x->group), ry = group_rank(y->group);
	if (rx != ry)
		return rx - ry;
	int c = strcmp(x->group, y->group);
	if (c)
		return c;
	/* newer versions first: v2 > v1 > v1beta2 > v1beta1 > v1alpha1 */
	c = strcmp(y->version, x->version);
	if (strlen(x->version) != strlen(y->version) && !strncmp(x->version, y->version, 2))
		c = (int)strlen(x->version) - (int)strlen(y->version);
	if (c)
		return c;
	return strcmp(x->plural, y->plural);
}

/* every registered resource, sorted by group priority, version, plural; free() it */
static struct api_resources resources(void)
{
	struct api_resources c = {0};
	sk_ext_foreach(SK_EXT_RESOURCE, api_resources_add, &c);
	if (c.n)
		qsort(c.v, c.n, sizeof *c.v, by_group);
	return c;
}

static json_t *strings(const char *const *v)
{
	json_t *a = json_array();
	for (; v && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *main_verbs(void)
{
	return json_pack("[s,s,s,s,s,s,s,s]", "create", "delete", "deletecollection", "get", "list", "patch",
	                 "update", "watch");
}

static const struct {
	unsigned bit;
	const char *name;
	const char *verbs[4];
} subresources[] = {
	{SK_SUB_STATUS, "status", {"get", "patch", "update"}},
	{SK_SUB_SCALE, "scale", {"get", "patch", "update"}},
	{SK_SUB_BINDING, "binding", {"create"}},
	{SK_SUB_EVICTION, "eviction", {"create"}},
	{SK_SUB_LOG, "log", {"get"}},
	{SK_SUB_EXEC, "exec", {"create", "get"}},
};

static json_t *sub_verbs(size_t i)
{
	json_t *a = json_array();
	for (size_t k = 0; k < 4 && subresources[i].verbs[k]; k++)
		json_array_append_new(a, json_string(subresources[i].verbs[k]));
	return a;
}

/* the kind a subresource answers with */
static void sub_kind(const sk_resource_ops *res, size_t i, const char **g, const char **v, const char **k)
{
	*g = res->group;
	*v = res->version;
	*k = res->kind;
	if (subresources[i].bit == SK_SUB_SCALE)
		*g = "autoscaling", *v = "v1", *k = "Scale";
	else if (subresources[i].bit == SK_SUB_BINDING)
		*g = "", *v = "v1", *k = "Binding";
	else if (subresources[i].bit == SK_SUB_EVICTION)
		*g = "policy", *v = "v1", *k = "Eviction";
	else if (subresources[i].bit == SK_SUB_LOG)
		*g = "", *v = "v1", *k = "Pod";
	else if (subresources[i].bit == SK_SUB_EXEC)
		*g = "", *v = "v1", *k = "PodExecOptions";
}

static json_t *resource_list(const char *group, const char *version)
{
	struct api_resources c = resources();
	json_t *res = json_array();
	for (size_t i = 0; i < c.n; i++) {
		const sk_resource_ops *r = c.v[i];
		if (strcmp(r->group, group) || strcmp(r->version, version))
			continue;
		json_t *o = json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", r->plural, "singularName",
		                      r->singular ? r->singular : "", "namespaced", r->namespaced, "kind", r->kind,
		                      "verbs", main_verbs());
		if (r->short_names)
			json_object_set_new(o, "shortNames", strings(r->short_names));
		if (r->categories)
			json_object_set_new(o, "categories", strings(r->categories));
		json_array_append_new(res, o);
		for (size_t s = 0; s < sizeof subresources / sizeof subresources[0]; s++) {
			if (!(r->subresources & subresources[s].bit))
				continue;
			char name[128];
			const char *g, *v, *k;
			sub_kind(r, s, &g, &v, &k);
			snprintf(name, sizeof name, "%s/%s", r->plural, subresources[s].name);
			json_t *so = json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", name, "singularName", "",
			                       "namespaced", r->namespaced, "kind", k, "verbs", sub_verbs(s));
			if (strcmp(g, r->group) || strcmp(v, r->version)) {
				json_object_set_new(so, "group", json_string(g));
				json_object_set_new(so, "version", json_string(v));
			}
			json_array_append_new(res, so);
		}
	}
	free(c.v);
	char gv[128];
	if (*group)
		snprintf(gv, sizeof gv, "%s/%s", group, version);
	else
		snprintf(gv, sizeof gv, "%s", version);
	return json_pack("{s:s, s:s, s:s, s:o}", "kind", "APIResourceList", "apiVersion", "v1", "groupVersion", gv,
	                 "resources", res);
}

/* groups (excluding the core group) with their versions, newest first */
static json_t *group_list(void)
{
	struct api_resources c = resources();
	json_t *groups = json_array(), *cur = NULL;
	for (size_t i = 0; i < c.n; i++) {
		const sk_resource_ops *r = c.v[i];
		if (!*r->group)
			continue;
		char gv[128];
		snprintf(gv, sizeof gv, "%s/%s", r->group, r->version);
		if (!cur || strcmp(json_string_value(json_object_get(cur, "name")), r->group)) {
			cur = json_pack("{s:s, s:[], s:{s:s, s:s}}", "name", r->group, "versions", "preferredVersion",
			                "groupVersion", gv, "version", r->version);
			json_array_append_new(groups, cur);
		}
		json_t *vs = json_object_get(cur, "versions"), *last = json_array_get(vs, json_array_size(vs) - 1);
		if (!last || strcmp(json_string_value(json_object_get(last, "version")), r->version))
			json_array_append_new(vs, json_pack("{s:s, s:s}", "groupVersion", gv, "version", r->version));
	}
	free(c.v);
	return groups;
}

static json_t *find_group(json_t *groups, const char *name)
{
	size_t i;
	json_t *g;
	json_array_foreach(groups, i, g)
		if (!strcmp(json_string_value(json_object_get(g, "name")), name))
			return g;
	return NULL;
}

/* apidiscovery.k8s.io/v2 APIGroupDiscovery items for the core group (core
 * = 1) or every other group */
static json_t *aggregated(int core)
{
	struct api_resources c = resources();
	json_t *items = json_array(), *group = NULL, *version = NULL;
	for (size_t i = 0; i < c.n; i++) {
		const sk_resource_ops *r = c.v[i];
		if ((*r->group == '\0') != core)
			continue;
		if (!group || strcmp(json_string_value(json_object_get(json_object_get(group, "metadata"), "name")),
		                     r->group)) {
			group = json_pack("{s:{s:s, s:n}, s:[]}", "metadata", "name", r->group, "creationTimestamp",
			                  "versions");
			json_array_append_new(items, group);
			version = NULL;
		}
		if (!version || strcmp(json_string_value(json_object_get(version, "version")), r->version)) {
			version = json_pack("{s:s, s:[], s:s}", "version", r->version, "resources", "freshness", "Current");
			json_array_append_new(json_object_get(group, "versions"), version);
		}
		json_t *o = json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:o}", "resource", r->plural, "responseKind",
		                      "group", r->group, "version", r->version, "kind", r->kind, "scope",
		                      r->namespaced ? "Namespaced" : "Cluster", "singularResource",
		                      r->singular ? r->singular : "", "verbs", main_verbs());
		if (r->short_names)
			json_object_set_new(o, "shortNames", strings(r->short_names));
		if (r->categories)
			json_object_set_new(o, "categories", strings(r->categories));
		json_t *subs = json_array();
		for (size_t s = 0; s < sizeof subresources / sizeof subresources[0]; s++) {
			if (!(r->subresources & subresources[s].bit))
				continue;
			const char *g, *v, *k;
			sub_kind(r, s, &g, &v, &k);
			json_array_append_new(subs, json_pack("{s:s, s:{s:s, s:s, s:s}, s:o}", "subresource",
			                                      subresources[s].name, "responseKind", "group", g,
			                                      "version", v, "kind", k, "verbs", sub_verbs(s)));
		}
		if (json_array_size(subs))
			json_object_set_new(o, "subresources", subs);
		else
			json_decref(subs);
		json_array_append_new(json_object_get(version, "resources"), o);
	}
	free(c.v);
	return json_pack("{s:s, s:s, s:{}, s:o}", "kind", "APIGroupDiscoveryList", "apiVersion",
	                 "apidiscovery.k8s.io/v2", "metadata", "items", items);
}

static void reply_aggregated(struct api_req *r, int core)
{
	json_t *doc = aggregated(core);
	char *s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	api_reply_raw(r, 200, "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", s,
	              s ? strlen(s) : 0);
	free(s);
}

static void not_found(struct api_req *r)
{
	api_reply_json(r, 404, api_status(404, "NotFound", "the server could not find the requested resource",
	                                  json_pack("{}")));
}

int api_discovery(struct api_req *r, char *const *seg, size_t n)
{
	int agg = api_accepts(r, "APIGroupDiscoveryList", "apidiscovery.k8s.io", "v2");
	int core = !strcmp(seg[0], "api");
	if (n == 1 && agg) {
		reply_aggregated(r, core);
		return 1;
	}
	if (n == 1 && core) {
		const char *host = http_req_header(r->http, "Host");
		api_reply_json(r, 200,
		               json_pack("{s:s, s:[s], s:[{s:s, s:s}]}", "kind", "APIVersions", "versions", "v1",
		                         "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0", "serverAddress",
		                         host ? host : ""));
		return 1;
	}
	if (n == 1) {
		api_reply_json(r, 200,
		               json_pack("{s:s, s:s, s:o}", "kind", "APIGroupList", "apiVersion", "v1", "groups",
		                         group_list()));
		return 1;
	}
	if (n == 2 && !core) {
		json_t *groups = group_list(), *gr = find_group(groups, seg[1]);
		if (!gr) {
			json_decref(groups);
			not_found(r);
			return 1;
		}
		json_t *doc = json_pack("{s:s, s:s}", "kind", "APIGroup", "apiVersion", "v1");
		json_object_update(doc, gr);
		json_decref(groups);
		api_reply_json(r, 200, doc);
		return 1;
	}
	if ((n == 2 && core) || (n == 3 && !core)) {
		json_t *doc = core ? resource_list("", seg[1]) : resource_list(seg[1], seg[2]);
		if (!json_array_size(json_object_get(doc, "resources"))) {
			json_decref(doc);
			not_found(r);
			return 1;
		}
		api_reply_json(r, 200, doc);
		return 1;
	}
	return 0;
}
