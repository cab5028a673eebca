/* api_table.c — meta.k8s.io/v1 Table responses, which `kubectl get` asks
 * for: Name first, then the resource's own columns (or Age), one row per
 * object carrying its PartialObjectMetadata. */
#include "api.h"
#include "json.h"
#include "loop.h"
#include "plugin_host.h"
#include <skiff/plugin.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const sk_column age_only[] = {
	{"Age", "date",
	 "CreationTimestamp is a timestamp representing the server time when this object was created.", 0,
	 ".metadata.creationTimestamp"},
	{NULL, NULL, NULL, 0, NULL},
};

/* Kubernetes' duration.HumanDuration, as kubectl users read ages */
void sk_human_duration(int64_t secs, char *out, size_t cap)
{
	long long s = (long long)secs;
	long long m = s / 60, h = s / 3600, d = h / 24, y = d / 365;
	if (s < -1)
		snprintf(out, cap, "<invalid>");
	else if (s < 0)
		snprintf(out, cap, "0s");
	else if (s < 120)
		snprintf(out, cap, "%llds", s);
	else if (m < 10)
		s % 60 ? snprintf(out, cap, "%lldm%llds", m, s % 60) : snprintf(out, cap, "%lldm", m);
	else if (m < 180)
		snprintf(out, cap, "%lldm", m);
	else if (h < 8)
		m % 60 ? snprintf(out, cap, "%lldh%lldm", h, m % 60) : snprintf(out, cap, "%lldh", h);
	else if (h < 48)
		snprintf(out, cap, "%lldh", h);
	else if (h < 192)
		h % 24 ? snprintf(out, cap, "%lldd%lldh", d, h % 24) : snprintf(out, cap, "%lldd", d);
	else if (d < 730)
		snprintf(out, cap, "%lldd", d);
	else if (y < 8)
		d % 365 ? snprintf(out, cap, "%lldy%lldd", y, d % 365) : snprintf(out, cap, "%lldy", y);
	else
		snprintf(out, cap, "%lldy", y);
}

json_t *api_age(const char *timestamp)
{
	struct tm tm = {0};
	if (!timestamp || !strptime(timestamp, "%Y-%m-%dT%H:%M:%S", &tm))
		return json_string("<unknown>");
	long long then = (long long)timegm(&tm), now = (long long)(sk_clock_now_ms() / 1000);
	char buf[32];
	sk_human_duration(now - then, buf, sizeof buf);
	return json_string(buf);
}

/* The simple JSONPath of printer columns: .a.b, .a[0].b, and
 * [?(@.type=="Ready")] filters on a list. Returns a borrowed value. */
json_t *api_json_path(json_t *v, const char *path)
{
	const char *p = path;
	if (*p == '{')
		p++;
	while (v && *p && *p != '}') {
		if (*p == '.') {
			p++;
			size_t n = strcspn(p, ".[}");
			char key[256];
			if (!n || n >= sizeof key)
				return NULL;
			memcpy(key, p, n);
			key[n] = '\0';
			v = json_object_get(v, key);
			p += n;
		} else if (*p == '[') {
			const char *close = strchr(p, ']');
			if (!close)
				return NULL;
			if (p[1] == '?') {
				/* [?(@.field=="value")] */
				char field[128], want[256];
				if (sscanf(p, "[?(@.%127[^=!]==\"%255[^\"]\")]", field, want) != 2 &&
				    sscanf(p, "[?(@.%127[^=!]=='%255[^']')]", field, want) != 2)
					return NULL;
				json_t *found = NULL, *e;
				size_t i;
				json_array_foreach(v, i, e) {
					const char *s = json_string_value(json_object_get(e, field));
					if (s && !strcmp(s, want)) {
						found = e;
						break;
					}
				}
				v = found;
			} else {
				char *end;
				long i = strtol(p + 1, &end, 10);
				if (end != close)
					return NULL;
				if (i < 0)
					i += (long)json_array_size(v);
				v = i >= 0 ? json_array_get(v, (size_t)i) : NULL;
			}
			p = close + 1;
		} else
			return NULL;
	}
	return v;
}

static json_t *cell_from_path(const sk_column *c, json_t *obj)
{
	json_t *v = c->json_path ? api_json_path(obj, c->json_path) : NULL;
	if (!v)
		return json_null();
	if (c->type && !strcmp(c->type, "date") && json_is_string(v))
		return api_age(json_string_value(v));
	if (json_is_array(v) || json_is_object(v)) {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		json_t *out = json_string(s ? s : "");
		free(s);
		return out;
	}
	return json_incref(v);
}

static json_t *partial_metadata(json_t *obj)
{
	json_t *md = json_object_get(obj, "metadata");
	json_t *p = json_pack("{s:s, s:s, s:O}", "kind", "PartialObjectMetadata", "apiVersion", "meta.k8s.io/v1",
	                      "metadata", md ? md : json_object());
	return p;
}

static json_t *row(const struct api_req *r, const sk_column *cols, size_t ncols, json_t *obj, int include_object)
{
	const sk_resource_ops *res = r->res;
	json_t *cells = json_array();
	for (size_t i = 0; i < ncols; i++)
		json_array_append_new(cells, json_null());
	if (API_HAS(res, row) && res->row && cols != age_only) {
		void *ud = NULL;
		struct call_scope cs;
		sk_ext_find(SK_EXT_RESOURCE, res->name, &ud);
		call_begin(&cs, sk_ext_owner(SK_EXT_RESOURCE, res->name));
		res->row(ud, O(obj), O(cells));
		call_end(&cs, "table row");
	}
	int own_name = 0;
	for (size_t i = 0; i < ncols; i++) {
		json_t *c = json_array_get(cells, i);
		int date = cols[i].type && !strcmp(cols[i].type, "date");
		own_name |= !strcmp(cols[i].name, "Name");
		if (json_is_null(c))
			json_array_set_new(cells, i, cell_from_path(&cols[i], obj));
		else if (date && json_is_string(c))
			json_array_set_new(cells, i, api_age(json_string_value(c))); /* a time the row chose */
	}
	/* Name comes first unless the kind places it (events show it last) */
	if (!own_name) {
		const char *name = json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
		json_array_insert_new(cells, 0, json_string(name ? name : ""));
	}
	json_t *o = include_object == 2 ? json_incref(obj) : include_object == 1 ? partial_metadata(obj) : json_null();
	return json_pack("{s:o, s:o}", "cells", cells, "object", o);
}

json_t *api_table(const struct api_req *r, json_t *list_or_obj, int single)
{
	const sk_resource_ops *res = r->res;
	const sk_column *cols = API_HAS(res, columns) && res->columns ? res->columns : age_only;
	size_t ncols = 0;
	while (cols[ncols].name)
		ncols++;
	const char *inc = query_get(&r->q, "includeObject");
	int include = !inc || !strcmp(inc, "Metadata") ? 1 : !strcmp(inc, "Object") ? 2 : 0;
	json_t *defs = json_array();
	int own_name = 0;
	for (size_t i = 0; i < ncols; i++)
		own_name |= !strcmp(cols[i].name, "Name");
	if (!own_name)
		json_array_append_new(defs, json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", "Name", "type", "string", "format",
	                                      "name", "description",
	                                      "Name must be unique within a namespace. Is required when creating "
	                                      "resources, although some resources may allow a client to request the "
	                                      "generation of an appropriate name automatically.",
	                                      "priority", 0));
	for (size_t i = 0; i < ncols; i++) {
		const char *type = cols[i].type && strcmp(cols[i].type, "date") ? cols[i].type : "string";
		json_array_append_new(defs, json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", cols[i].name, "type", type,
		                                      "format", strcmp(cols[i].name, "Name") ? "" : "name", "description",
		                                      cols[i].description ? cols[i].description : "", "priority",
		                                      cols[i].priority));
	}
	json_t *rows = json_array(), *meta = json_object();
	if (single) {
		json_array_append_new(rows, row(r, cols, ncols, list_or_obj, include));
		json_t *rv = json_object_get(json_object_get(list_or_obj, "metadata"), "resourceVersion");
		if (rv)
			json_object_set(meta, "resourceVersion", rv);
	} else {
		size_t i;
		json_t *it;
		json_array_foreach(json_object_get(list_or_obj, "items"), i, it)
			json_array_append_new(rows, row(r, cols, ncols, it, include));
		json_object_update(meta, json_object_get(list_or_obj, "metadata"));
	}
	return json_pack("{s:s, s:s, s:o, s:o, s:o}", "kind", "Table", "apiVersion", "meta.k8s.io/v1", "metadata", meta,
	                 "columnDefinitions", defs, "rows", rows);
}
