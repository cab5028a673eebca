/* api_reply.c — finishing API requests: JSON bodies, Kubernetes Status
 * objects for errors, Warning headers, and the request's end of life. */
#include "api.h"
#include "err.h"
#include "gojson.h"
#include "log.h"
#include "loop.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_req_free(struct api_req *r)
{
	if (!r)
		return;
	query_free(&r->q);
	json_decref(r->user);
	json_decref(r->warnings);
	free(r);
}

void api_warn(struct api_req *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!r->warnings)
		r->warnings = json_array();
	/* the same warning once per response, as kube-apiserver dedupes them */
	size_t i;
	json_t *w;
	json_array_foreach(r->warnings, i, w)
		if (!strcmp(json_string_value(w), msg))
			return;
	json_array_append_new(r->warnings, json_string(msg));
}

static void put_warnings(struct api_req *r)
{
	size_t i;
	json_t *w;
	json_array_foreach(r->warnings, i, w) {
		/* RFC 7234 warn-text is a quoted string */
		char hdr[640], *o = hdr;
		const char *s = json_string_value(w);
		o += snprintf(hdr, sizeof hdr, "299 - \"");
		for (; *s && o < hdr + sizeof hdr - 4; s++) {
			if (*s == '"' || *s == '\\')
				*o++ = '\\';
			*o++ = (*s == '\r' || *s == '\n') ? ' ' : *s;
		}
		*o++ = '"';
		*o = '\0';
		http_resp_header(r->http, "Warning", hdr);
	}
}

void api_reply_raw(struct api_req *r, int code, const char *ctype, const char *body, size_t len)
{
	if (!r->gone) {
		put_warnings(r);
		/* the request is gone once answered: log first */
		LOG_D("%s %s -> %d in %.2f ms", http_req_method(r->http), http_req_target(r->http), code,
		      (sk_monotonic() - r->t0) * 1000);
		http_respond(r->http, code, ctype, body, len);
	}
	api_req_free(r);
}

void api_reply_json(struct api_req *r, int code, json_t *body)
{
	char *s = body ? gojson_dumps(body, 0) : NULL;
	json_decref(body);
	if (!s) {
		static const char oom[] = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
		                          "\"status\":\"Failure\",\"message\":\"out of memory\","
		                          "\"reason\":\"InternalError\",\"code\":500}";
		api_reply_raw(r, 500, "application/json", oom, sizeof oom - 1);
		return;
	}
	api_reply_raw(r, code, "application/json", s, strlen(s));
	free(s);
}

json_t *api_status(int code, const char *reason, const char *message, json_t *details)
{
	json_t *st = json_pack("{s:s, s:s, s:{}, s:s}", "kind", "Status", "apiVersion", "v1", "metadata", "status",
	                       code < 300 ? "Success" : "Failure");
	if (message || code >= 300)
		json_object_set_new(st, "message", json_string(message ? message : ""));
	json_object_set_new(st, "code", json_integer(code));
	if (reason && *reason)
		json_object_set_new(st, "reason", json_string(reason));
	if (details)
		json_object_set_new(st, "details", details);
	return st;
}

void api_group_version(const sk_resource_ops *res, char *buf, size_t cap)
{
	if (*res->group)
		snprintf(buf, cap, "%s/%s", res->group, res->version);
	else
		snprintf(buf, cap, "%s", res->version);
}

void api_qualified(const sk_resource_ops *res, char *buf, size_t cap)
{
	if (*res->group)
		snprintf(buf, cap, "%s.%s", res->plural, res->group);
	else
		snprintf(buf, cap, "%s", res->plural);
}

/* Kubernetes' messages for the common failures name the resource and the
 * object: `pods "web" not found`; the store's own text is kept otherwise. */
#define CONFLICT_PREFIX "Operation cannot be fulfilled on "

json_t *api_status_of(const struct api_req *r, const sk_err *e)
{
	char q[160] = "", msg[700];
	int http = sk_status_http(e->code);
	const char *reason = sk_status_reason(e->code);
	json_t *details = NULL;
	const char *name = r->name;
	if (r->res) {
		api_qualified(r->res, q, sizeof q);
		details = json_pack("{s:s}", "kind", r->res->plural);
		if (*r->res->group)
			json_object_set_new(details, "group", json_string(r->res->group));
		if (*name)
			json_object_set_new(details, "name", json_string(name));
	}
	if (e->code == SK_ECONFLICT && r->res && *name && !strstr(e->msg, "Precondition") &&
	    strncmp(e->msg, CONFLICT_PREFIX, strlen(CONFLICT_PREFIX)))
		snprintf(msg, sizeof msg,
		         "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please apply "
		         "your changes to the latest version and try again",
		         q, name);
	else if (e->code == SK_ENOTFOUND && r->res && *name && !strstr(e->msg, "could not find"))
		snprintf(msg, sizeof msg, "%s \"%s\" not found", q, name);
	else if (e->code == SK_EEXIST && r->res && *name)
		snprintf(msg, sizeof msg, "%s \"%s\" already exists", q, name);
	else
		snprintf(msg, sizeof msg, "%s", e->msg);
	return api_status(http, reason, msg, details);
}

void api_reply_error(struct api_req *r, const sk_err *e)
{
	json_t *st = api_status_of(r, e);
	int code = (int)json_integer_value(json_object_get(st, "code"));
	api_reply_json(r, code, st);
}

void api_reply_invalid(struct api_req *r, const char *kind, const char *name, json_t *causes)
{
	/* `Pod "x" is invalid: field: message` or `...: [a, b]` for several */
	char msg[4096];
	size_t n = json_array_size(causes), off;
	off = (size_t)snprintf(msg, sizeof msg, "%s \"%s\" is invalid: %s", kind, name, n > 1 ? "[" : "");
	for (size_t i = 0; i < n && off < sizeof msg; i++) {
		json_t *c = json_array_get(causes, i);
		const char *f = json_string_value(json_object_get(c, "field"));
		const char *m = json_string_value(json_object_get(c, "message"));
		off += (size_t)snprintf(msg + off, sizeof msg - off, "%s%s%s%s", i ? ", " : "", f && *f ? f : "",
		                        f && *f ? ": " : "", m ? m : "");
	}
	if (n > 1 && off < sizeof msg)
		snprintf(msg + off, sizeof msg - off, "]");
	json_t *details = json_pack("{s:s, s:s}", "name", name, "kind", kind);
	if (r->res && *r->res->group)
		json_object_set_new(details, "group", json_string(r->res->group));
	json_object_set_new(details, "causes", causes ? causes : json_array());
	api_reply_json(r, 422, api_status(422, "Invalid", msg, details));
}
