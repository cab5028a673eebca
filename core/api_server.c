/* api_server.c — the API server's front door: the listener, Kubernetes'
 * RequestInfo parsing of each path, authentication, authorization, and
 * dispatch to the discovery, read, write and watch handlers. */
#include "api.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "loop.h"
#include "plugin_host.h"
#include "tls.h"
#include <skiff/auth.h>
#include <skiff/plugin.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENTS 12

static struct http_server *server, *plain;

int api_server_port(void) { return server ? http_server_port(server) : 0; }

static char *error_body(void *ud, int code, const char *reason, const char *message)
{
	(void)ud;
	json_t *st = api_status(code, reason, message, NULL);
	char *s = json_dumps(st, JSON_COMPACT);
	json_decref(st);
	return s;
}

static void on_close(void *ud, struct http_req *h)
{
	(void)h;
	struct api_req *r = ud;
	r->gone = 1;
	r->http = NULL;
	if (r->op_gone)
		r->op_gone(r);
	else if (!r->busy)
		api_req_free(r);
}

static void fail(struct api_req *r, int code, const char *fmt, ...) SK_PRINTF(3, 4);
static void fail(struct api_req *r, int code, const char *fmt, ...)
{
	sk_err e = {code, ""};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	api_reply_error(r, &e);
}

/* ---- authentication ---- */

static const char *auth_header(const sk_auth_request *rq, const char *name)
{
	return http_req_header(rq->host_data, name);
}

struct authn_ctx {
	const sk_auth_request *rq;
	int result;
	json_t *user;
	sk_err err;
};

static int authn_one(void *ud, const void *ops, void *ops_ud, const char *owner)
{
	(void)owner;
	struct authn_ctx *c = ud;
	const sk_authenticator_ops *a = ops;
	sk_obj *user = NULL;
	struct call_scope cs;
	call_begin(&cs, sk_ext_owner(SK_EXT_AUTHENTICATOR, a->name));
	int rc = a->authenticate(ops_ud, c->rq, &user, &c->err);
	call_end(&cs, "authenticate");
	if (rc == SK_AUTHN_NO_OPINION)
		return 0;
	c->result = rc;
	c->user = (json_t *)user;
	return 1;
}

/* 1: authenticated (r->user set); 0: replied 401 */
static int authenticate(struct api_req *r)
{
	const char *cn = http_req_peer_cn(r->http);
	sk_auth_request rq = {
		.size = sizeof rq,
		.method = http_req_method(r->http),
		.path = http_req_path(r->http),
		.remote_addr = http_req_remote(r->http),
		.authorization = http_req_header(r->http, "Authorization"),
		.cert_common_name = cn,
		.cert_organizations = http_req_peer_orgs(r->http),
		.header = auth_header,
		.host_data = r->http,
	};
	struct authn_ctx c = {&rq, SK_AUTHN_NO_OPINION, NULL, {0, ""}};
	sk_ext_foreach(SK_EXT_AUTHENTICATOR, authn_one, &c);
	if (c.result == SK_AUTHN_OK && json_is_object(c.user)) {
		r->user = c.user;
		return 1;
	}
	json_decref(c.user);
	if (c.result == SK_AUTHN_REJECT || rq.authorization || cn) {
		if (c.result == SK_AUTHN_REJECT)
			LOG_D("authentication rejected from %s: %s", rq.remote_addr, c.err.msg);
		fail(r, SK_EUNAUTHORIZED, "Unauthorized");
		return 0;
	}
	if (r->unsecured) {
		/* the loopback plain-HTTP port, as Kubernetes' old insecure port:
		 * whoever can reach it is the admin */
		r->user = json_pack("{s:s, s:[s,s]}", "username", "system:unsecured", "groups", "system:masters",
		                    "system:authenticated");
		return 1;
	}
	r->user = json_pack("{s:s, s:[s]}", "username", "system:anonymous", "groups", "system:unauthenticated");
	return 1;
}

/* ---- authorization ---- */

struct authz_ctx {
	const sk_authz_attrs *a;
	int result;
	char reason[256];
};

static int authz_one(void *ud, const void *ops, void *ops_ud, const char *owner)
{
	(void)owner;
	struct authz_ctx *c = ud;
	const sk_authorizer_ops *z = ops;
	struct call_scope cs;
	call_begin(&cs, sk_ext_owner(SK_EXT_AUTHORIZER, z->name));
	int rc = z->authorize(ops_ud, c->a, c->reason, sizeof c->reason);
	call_end(&cs, "authorize");
	if (rc == SK_AUTHZ_NO_OPINION)
		return 0;
	c->result = rc;
	return 1;
}

/* what anyone may read, as Kubernetes' system:public-info-viewer role */
static int public_path(const char *path)
{
	static const char *const pub[] = {"/healthz", "/livez", "/readyz", "/version"};
	for (size_t i = 0; i < sizeof pub / sizeof pub[0]; i++) {
		size_t n = strlen(pub[i]);
		if (!strncmp(path, pub[i], n) && (path[n] == '\0' || path[n] == '/'))
			return 1;
	}
	return 0;
}

static int authorize(struct api_req *r)
{
	const char *path = http_req_path(r->http);
	if (!r->is_resource && !strcmp(r->verb, "get") && public_path(path))
		return 1;
	sk_authz_attrs a = {
		.size = sizeof a,
		.user = (const sk_obj *)r->user,
		.verb = r->verb,
		.resource_request = r->is_resource,
		.group = r->group,
		.version = r->version,
		.resource = r->resource,
		.subresource = r->sub,
		.ns = r->ns,
		.name = r->name,
		.path = path,
	};
	struct authz_ctx c = {&a, SK_AUTHZ_NO_OPINION, ""};
	sk_ext_foreach(SK_EXT_AUTHORIZER, authz_one, &c);
	if (c.result == SK_AUTHZ_ALLOW)
		return 1;
	const char *user = json_string_value(json_object_get(r->user, "username"));
	if (user && !strcmp(user, "system:anonymous")) {
		fail(r, SK_EUNAUTHORIZED, "Unauthorized");
		return 0;
	}
	char what[600], subject[320];
	if (*r->name)
		snprintf(subject, sizeof subject, "%s \"%s\"", r->resource, r->name);
	else
		snprintf(subject, sizeof subject, "%s", r->resource);
	if (!r->is_resource)
		snprintf(what, sizeof what, "forbidden: User \"%s\" cannot %s path \"%s\"", user ? user : "", r->verb,
		         path);
	else if (*r->ns)
		snprintf(what, sizeof what,
		         "%s is forbidden: User \"%s\" cannot %s resource \"%s%s%s\" in API group \"%s\" in the "
		         "namespace \"%s\"",
		         subject, user ? user : "", r->verb, r->resource, *r->sub ? "/" : "", r->sub, r->group, r->ns);
	else
		snprintf(what, sizeof what,
		         "%s is forbidden: User \"%s\" cannot %s resource \"%s%s%s\" in API group \"%s\" at the "
		         "cluster scope",
		         subject, user ? user : "", r->verb, r->resource, *r->sub ? "/" : "", r->sub, r->group);
	size_t n = strlen(what);
	if (*c.reason && n + 3 < sizeof what)
		snprintf(what + n, sizeof what - n, ": %s", c.reason);
	fail(r, SK_EFORBIDDEN, "%s", what);
	return 0;
}

/* ---- routing ---- */

static int copy_seg(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (n >= cap)
		return -1;
	memcpy(dst, s, n + 1);
	return 0;
}

/* Kubernetes' RequestInfo from /api/v1/... and /apis/G/V/...; returns 0 when
 * the path is not a resource path (r->is_resource 0), -1 when it is
 * malformed. */
static int request_info(struct api_req *r, char **seg, size_t n)
{
	const char *method = http_req_method(r->http);
	size_t i;
	if (!strcmp(seg[0], "api") && n >= 3) {
		if (copy_seg(r->version, sizeof r->version, seg[1]))
			return -1;
		i = 2;
	} else if (!strcmp(seg[0], "apis") && n >= 4) {
		if (copy_seg(r->group, sizeof r->group, seg[1]) || copy_seg(r->version, sizeof r->version, seg[2]))
			return -1;
		i = 3;
	} else
		return 0;
	r->is_resource = 1;
	int watch_prefix = 0;
	if (!strcmp(seg[i], "watch")) {
		watch_prefix = 1;
		i++;
	}
	char **p = seg + i;
	size_t np = n - i;
	if (np >= 1 && !strcmp(p[0], "namespaces") && np >= 2) {
		if (copy_seg(r->ns, sizeof r->ns, p[1]))
			return -1;
		/* /namespaces/NS/status and /finalize are the namespace's own subresources */
		if (np > 2 && strcmp(p[2], "status") && strcmp(p[2], "finalize")) {
			p += 2;
			np -= 2;
		}
	}
	if (np == 0 || np > 3)
		return -1;
	if (copy_seg(r->resource, sizeof r->resource, p[0]) ||
	    (np > 1 && copy_seg(r->name, sizeof r->name, p[1])) || (np > 2 && copy_seg(r->sub, sizeof r->sub, p[2])))
		return -1;
	/* the namespace object itself: /api/v1/namespaces/NAME */
	if (!strcmp(r->resource, "namespaces") && !*r->group && *r->ns && !*r->name) {
		memcpy(r->name, r->ns, sizeof r->name);
	}
	if (!strcmp(r->resource, "namespaces") && !*r->group)
		r->ns[0] = '\0';
	int watch = 0;
	if (query_bool(&r->q, "watch", 0, &watch, NULL) != SK_OK)
		watch = 0;
	if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
		r->verb = watch_prefix || watch ? "watch" : *r->name ? "get" : "list";
	else if (!strcmp(method, "POST"))
		r->verb = "create";
	else if (!strcmp(method, "PUT"))
		r->verb = "update";
	else if (!strcmp(method, "PATCH"))
		r->verb = "patch";
	else if (!strcmp(method, "DELETE"))
		r->verb = *r->name ? "delete" : "deletecollection";
	else
		r->verb = "";
	return 1;
}

static void health(struct api_req *r, const char *path)
{
	int verbose = 0;
	query_bool(&r->q, "verbose", 0, &verbose, NULL);
	if (verbose) {
		char body[256];
		const char *what = strstr(path, "ready") ? "readyz" : strstr(path, "live") ? "livez" : "healthz";
		int n = snprintf(body, sizeof body, "[+]ping ok\n[+]log ok\n[+]etcd ok\n%s check passed\n", what);
		api_reply_raw(r, 200, "text/plain; charset=utf-8", body, (size_t)n);
		return;
	}
	api_reply_raw(r, 200, "text/plain; charset=utf-8", "ok", 2);
}

static void dispatch_resource(struct api_req *r)
{
	const sk_resource_ops *res = sk_resource_find(r->group, r->resource);
	if (res && strcmp(res->version, r->version)) {
		/* another version of it: plural.version.group */
		char name[200];
		snprintf(name, sizeof name, *r->group ? "%s.%s.%s" : "%s.%s", r->resource, r->version, r->group);
		r->alias = sk_ext_find(SK_EXT_RESOURCE, name, NULL);
		res = NULL;
	} else if (!res) {
		char name[200];
		snprintf(name, sizeof name, *r->group ? "%s.%s.%s" : "%s.%s", r->resource, r->version, r->group);
		r->alias = sk_ext_find(SK_EXT_RESOURCE, name, NULL);
	}
	if (r->alias) {
		const char *st = r->alias->storage, *dot = strchr(st, '.');
		char plural[128];
		snprintf(plural, sizeof plural, "%.*s", (int)(dot ? dot - st : (long)strlen(st)), st);
		res = sk_resource_find(dot ? dot + 1 : "", plural);
		if (r->alias->deprecation)
			api_warn(r, "%s", r->alias->deprecation);
	}
	if (!res) {
		fail(r, SK_ENOTFOUND, "the server could not find the requested resource");
		return;
	}
	r->res = res;
	if (!res->namespaced && *r->ns) {
		fail(r, SK_ENOTFOUND, "the server could not find the requested resource");
		return;
	}
	const char *v = r->verb;
	if (*r->sub && !strcmp(r->sub, "binding") && (res->subresources & SK_SUB_BINDING) && API_HAS(res, act) &&
	    res->act && *r->name) {
		if (!strcmp(v, "create"))
			api_act(r);
		else
			fail(r, SK_EUNSUPPORTED, "the server does not allow this method on the requested resource");
		return;
	}
	if (*r->sub) {
		int ok = (!strcmp(r->sub, "status") && (res->subresources & SK_SUB_STATUS)) ||
		         (!strcmp(r->sub, "scale") && (res->subresources & SK_SUB_SCALE));
		if (!ok || !*r->name) {
			fail(r, SK_ENOTFOUND, "the server could not find the requested resource");
			return;
		}
		int scale = !strcmp(r->sub, "scale");
		if (!strcmp(v, "get"))
			scale ? api_scale_get(r) : api_get(r);
		else if (!strcmp(v, "update"))
			api_update(r);
		else if (!strcmp(v, "patch"))
			api_patch(r);
		else
			fail(r, SK_EUNSUPPORTED, "the server does not allow this method on the requested resource");
		return;
	}
	if (res->namespaced && !*r->ns && strcmp(v, "list") && strcmp(v, "watch")) {
		fail(r, SK_EUNSUPPORTED, "the server does not allow this method on the requested resource");
		return;
	}
	if (!strcmp(v, "get"))
		api_get(r);
	else if (!strcmp(v, "list"))
		api_list(r);
	else if (!strcmp(v, "watch"))
		api_watch(r);
	else if (!strcmp(v, "create") && !*r->name)
		api_create(r);
	else if (!strcmp(v, "update") && *r->name)
		api_update(r);
	else if (!strcmp(v, "patch") && *r->name)
		api_patch(r);
	else if (!strcmp(v, "delete"))
		api_delete(r);
	else if (!strcmp(v, "deletecollection"))
		api_delete_collection(r);
	else
		fail(r, SK_EUNSUPPORTED, "the server does not allow this method on the requested resource");
}

void api_handle(void *ud, struct http_req *h)
{
	struct api_req *r = calloc(1, sizeof *r);
	if (!r) {
		http_respond(h, 500, "text/plain", "out of memory", 13);
		return;
	}
	r->http = h;
	r->unsecured = ud == &plain;
	r->t0 = sk_monotonic();
	http_on_close(h, on_close, r);
	sk_err err = {0};
	if (query_parse(&r->q, http_req_query(h), &err) != SK_OK) {
		api_reply_error(r, &err);
		return;
	}
	char path[2048], *seg[MAX_SEGMENTS];
	size_t n = 0;
	snprintf(path, sizeof path, "%s", http_req_path(h));
	for (char *save, *t = strtok_r(path, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (n == MAX_SEGMENTS) {
			fail(r, SK_ENOTFOUND, "the server could not find the requested resource");
			return;
		}
		seg[n++] = t;
	}
	int info = n ? request_info(r, seg, n) : 0;
	if (info < 0) {
		fail(r, SK_ENOTFOUND, "the server could not find the requested resource");
		return;
	}
	if (!info) {
		static char lower[8];
		snprintf(lower, sizeof lower, "%s", http_req_method(h));
		for (char *c = lower; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		r->verb = lower;
	}
	if (!authenticate(r) || !authorize(r))
		return;
	if (r->is_resource) {
		dispatch_resource(r);
		return;
	}
	const char *p = http_req_path(h);
	if (strcmp(r->verb, "get") && strcmp(r->verb, "head")) {
		fail(r, SK_EUNSUPPORTED, "the server does not allow this method on the requested resource");
		return;
	}
	if (n == 1 && !strcmp(seg[0], "version"))
		api_version_info(r);
	else if (n >= 1 && (!strcmp(seg[0], "healthz") || !strcmp(seg[0], "livez") || !strcmp(seg[0], "readyz")))
		health(r, p);
	else if (n >= 1 && (!strcmp(seg[0], "api") || !strcmp(seg[0], "apis")) && api_discovery(r, seg, n))
		;
	else if (n >= 2 && !strcmp(seg[0], "openapi") && api_openapi(r, seg, n))
		;
	else
		fail(r, SK_ENOTFOUND, "the server could not find the requested resource");
}

/* the host part of "ADDR:PORT" / "[V6]:PORT" / ":PORT"; 0 when none */
static int listen_host(const char *listen, char *out, size_t cap)
{
	const char *colon = strrchr(listen, ':');
	size_t n = colon ? (size_t)(colon - listen) : strlen(listen);
	if (n && listen[0] == '[' && listen[n - 1] == ']') {
		listen++;
		n -= 2;
	}
	if (n >= cap)
		return 0;
	/* ":6443" listens everywhere: the certificate names every interface */
	memcpy(out, listen, n);
	out[n] = '\0';
	return 1;
}

int api_server_start(const struct sk_config *cfg, sk_err *err)
{
	struct http_limits lim = {0};
	const char *sans[] = {NULL, NULL};
	char host[256];
	if (listen_host(cfg->listen, host, sizeof host))
		sans[0] = host;
	if (tls_ensure_pki(cfg->data_dir, sans, err) != SK_OK)
		return err->code;
	void *ctx = tls_server_ctx(cfg->data_dir, err);
	if (!ctx)
		return err->code;
	server = http_server_start(cfg->listen, &lim, api_handle, NULL, err);
	if (!server) {
		tls_ctx_free(ctx);
		return err->code;
	}
	http_server_set_tls(server, ctx);
	http_server_set_error_body(server, error_body, NULL);
	/* the kubeconfig names the address clients on this machine reach */
	char url[300];
	const char *h = sans[0];
	int port = http_server_port(server);
	if (!h || !*h || !strcmp(h, "0.0.0.0"))
		snprintf(url, sizeof url, "https://127.0.0.1:%d", port);
	else if (!strcmp(h, "::"))
		snprintf(url, sizeof url, "https://[::1]:%d", port);
	else if (strchr(h, ':'))
		snprintf(url, sizeof url, "https://[%s]:%d", h, port);
	else
		snprintf(url, sizeof url, "https://%s:%d", h, port);
	if (tls_write_kubeconfig(cfg->data_dir, url, err) != SK_OK)
		return err->code;
	LOG_I("API server listening on %s (kubeconfig: %s/kubeconfig.yaml)", url, cfg->data_dir);
	if (cfg->insecure_listen) {
		/* requests without credentials here act as the admin (see authenticate) */
		plain = http_server_start(cfg->insecure_listen, &lim, api_handle, &plain, err);
		if (!plain)
			return err->code;
		http_server_set_error_body(plain, error_body, NULL);
		LOG_W("also serving plain HTTP on %s: loopback only, and every local process that reaches it is "
		      "the cluster admin",
		      cfg->insecure_listen);
	}
	return SK_OK;
}

void api_server_stop(double grace_s, void (*done)(void *ud), void *ud)
{
	if (plain)
		http_server_shutdown(plain, grace_s, NULL, NULL);
	if (!server) {
		if (done)
			done(ud);
		return;
	}
	http_server_shutdown(server, grace_s, done, ud);
}

void api_server_free(void)
{
	api_openapi_free();
	if (server)
		http_server_free(server);
	if (plain)
		http_server_free(plain);
	server = plain = NULL;
}
