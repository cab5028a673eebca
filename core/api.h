/* api.h — the Kubernetes-compatible API server over core/http.c.
 *
 * api_server.c owns the listener, routes each request and runs the
 * authentication and authorization steps; the other api_*.c files serve
 * one concern each (discovery, REST reads, writes, watch, tables, status
 * replies) on a struct api_req, which lives from the request's arrival
 * until its reply is complete or the client is gone. Everything runs on
 * the loop thread.
 */
#ifndef SKIFF_CORE_API_H
#define SKIFF_CORE_API_H
#include "http.h"
#include "query.h"
#include <jansson.h>
#include <stddef.h>
#include <skiff/resource.h>

struct sk_config;

/* an ops struct of a plugin built against an older minor may end before `field` */
#define API_HAS(res, field) ((res)->size >= offsetof(sk_resource_ops, field) + sizeof((res)->field))

/* Kubernetes' own release whose API we serve, and our version beside it */
#define API_KUBE_MAJOR "1"
#define API_KUBE_MINOR "32"
#define API_KUBE_GIT_VERSION "v1.32.0"

struct api_req {
	struct http_req *http;
	struct query q;
	double t0;
	/* what is asked, as Kubernetes' RequestInfo */
	int is_resource;
	const char *verb;   /* get list watch create update patch delete deletecollection; for
	                       non-resource paths the lower-case method */
	char group[64], version[32], ns[254], resource[64], name[254], sub[32];
	const sk_resource_ops *res;   /* the stored resource */
	const sk_resource_ops *alias; /* the version the client speaks, when not the stored one */
	json_t *user;       /* UserInfo of the caller */
	json_t *warnings;   /* strings for Warning headers, or NULL */
	int gone;           /* the client left while a write was in flight */
	int applying;       /* a server-side apply: managedFields are the apply's */
	int unsecured;      /* arrived on the loopback plain-HTTP port (insecureListen) */
	int busy;           /* a write or stream is in flight */
	void *op;           /* the in-flight operation's state */
	void (*op_gone)(struct api_req *r); /* tells the operation the client left */
};

int api_server_start(const struct sk_config *cfg, sk_err *err);
/* the HTTP handler behind the listener (also driven directly by the fuzzer) */
void api_handle(void *ud, struct http_req *h);
/* graceful: ends watches with their final chunk; done runs once */
void api_server_stop(double grace_s, void (*done)(void *ud), void *ud);
void api_server_free(void);
int api_server_port(void);

/* api_reply.c: finishing a request; each frees r (or defers the free until
 * the client is gone) */
void api_reply_json(struct api_req *r, int code, json_t *body);       /* steals body */
void api_reply_raw(struct api_req *r, int code, const char *ctype, const char *body, size_t len);
void api_reply_error(struct api_req *r, const sk_err *e);
/* a Status with causes (array, stolen, may be NULL) for kind/name */
void api_reply_invalid(struct api_req *r, const char *kind, const char *name, json_t *causes);
json_t *api_status(int code, const char *reason, const char *message, json_t *details);
/* the Status of an sk_err as this request's resource and name see it */
json_t *api_status_of(const struct api_req *r, const sk_err *e);
void api_warn(struct api_req *r, const char *fmt, ...) SK_PRINTF(2, 3);
void api_req_free(struct api_req *r);

/* api_media.c: what the client sends and accepts */
/* Content-Type ct is the media type `want`, parameters aside (ct may be NULL) */
int api_media_is(const char *ct, const char *want);
/* Decodes a JSON or YAML body by Content-Type into *out (an object). */
int api_decode_body(struct api_req *r, json_t **out, sk_err *err);
/* the Accept header asks for application/json;as=AS;g=G;v=V (any of the
 * comma-separated choices; NULL fields match anything) */
int api_accepts(const struct api_req *r, const char *as, const char *g, const char *v);

/* api_admit.c: defaults, admission and validation of a write. On
 * SK_EINVALID *causes holds the StatusCauses (the caller owns them). */
int api_admit(struct api_req *r, const char *op, json_t *obj, const json_t *old, int dry_run, json_t **causes,
              sk_err *err);
/* only the admission plugins (mutate or validate), e.g. for DELETE */
int api_admission(struct api_req *r, const char *op, json_t *obj, const json_t *old, int mutate, int dry_run,
                  sk_err *err);
struct schema_node;
const struct schema_node *api_schema(const sk_resource_ops *res);

/* api_convert.c: between the client's version (r->alias) and storage */
const sk_resource_ops *api_shown(const struct api_req *r);
/* in place, to the storage version (apiVersion and kind set) */
int api_in(const struct api_req *r, json_t *obj, sk_err *err);
/* takes obj; returns it, or its conversion, in the client's version */
json_t *api_out(const struct api_req *r, json_t *obj);

/* api_discovery.c */
/* every registered resource, for discovery and the OpenAPI documents:
 * sk_ext_foreach(SK_EXT_RESOURCE, api_resources_add, &list); free(list.v) */
struct api_resources {
	const sk_resource_ops **v;
	size_t n, cap;
};
int api_resources_add(void *ud, const void *ops, void *ops_ud, const char *owner);
void api_version_info(struct api_req *r);
/* /api, /api/v1, /apis, /apis/G, /apis/G/V, given as path segments
 * ("apis", G, V); returns 0 if the path is not one of them */
int api_discovery(struct api_req *r, char *const *seg, size_t n);

/* api_openapi.c: /openapi/v2, /openapi/v3[/api/v1|/apis/G/V]; 0 if not one */
int api_openapi(struct api_req *r, char *const *seg, size_t n);
void api_openapi_free(void);

/* api_read.c: get, list */
void api_get(struct api_req *r);
void api_list(struct api_req *r);
/* the selectors of the query (the caller frees them), shared with watch */
struct sk_list_opts;
int api_list_options(struct api_req *r, struct sk_list_opts *o, sk_err *err);
void api_list_options_free(struct sk_list_opts *o);

/* api_write.c: create, update, patch, delete, deletecollection */
void api_create(struct api_req *r);
void api_update(struct api_req *r);
void api_patch(struct api_req *r);
void api_delete(struct api_req *r);
void api_delete_collection(struct api_req *r);
/* creates obj (taken) as r's new object */
/* POST to an action subresource (binding): the resource's act callback */
void api_act(struct api_req *r);
void api_create_with(struct api_req *r, json_t *obj);
/* writes obj (owned by the caller) as the new state of r's object */
void api_update_with(struct api_req *r, json_t *obj);
/* replies for a patch that did not apply (patch.h error codes) */
void api_patch_failed(struct api_req *r, const sk_err *err);

/* api_scale.c: the scale subresource (autoscaling/v1 Scale) */
void api_scale_get(struct api_req *r);
/* the Scale view of an object (new reference) */
json_t *api_scale_of(const struct api_req *r, json_t *obj);
void api_scale_update(struct api_req *r);
void api_scale_patch(struct api_req *r, const json_t *patch, const char *type);

/* api_apply.c: server-side apply (application/apply-patch+yaml), and the
 * managedFields bookkeeping of every other write */
void api_apply(struct api_req *r);
void api_managed_fields(struct api_req *r, json_t *obj, const json_t *old);

/* api_watch.c */
void api_watch(struct api_req *r);
void api_watch_stop_all(void);

/* api_table.c: a List (or one object) as a meta.k8s.io/v1 Table */
json_t *api_table(const struct api_req *r, json_t *list_or_obj, int single);
/* "5m", "3h2m": an age as kubectl shows it, from an RFC 3339 time */
json_t *api_age(const char *timestamp);
/* a printer column's JSONPath (.a.b, [0], [?(@.k=="v")]) into v; borrowed */
json_t *api_json_path(json_t *v, const char *path);

/* the resource's "<group>/<version>" or "<version>" for the core group */
void api_group_version(const sk_resource_ops *res, char *buf, size_t cap);
/* "pods" or "deployments.apps", as Kubernetes names resources in messages */
void api_qualified(const sk_resource_ops *res, char *buf, size_t cap);

#endif
