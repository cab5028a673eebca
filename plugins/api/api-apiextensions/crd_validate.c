/* crd_validate.c — what every write of a CustomResourceDefinition passes:
 * Kubernetes' defaults (singular, listKind, conversion, storedVersions, the
 * clean-up finalizer) and its validation of names, versions, schemas
 * (structural, and accepted by the schema engine), printer columns,
 * subresources, conversion and status, with its messages. */
#include "crd.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define PATH_CAP 1024
#define SCHEMA_DEPTH_MAX 64     /* the schema engine refuses deeper ones itself */
#define SELECTABLE_FIELDS_MAX 8 /* per version, as Kubernetes */
#define DEPRECATION_WARNING_MAX 256
/* the throwaway type a schema is tried as before a CRD is accepted */
#define TRIAL_OWNER "~validation"
#define TRIAL_TYPE "io.skiff.apiextensions.validation.Trial"

static sk_plugin *self;

static const char *str(const sk_obj *o, const char *path)
{
	const char *s = sk_obj_get_str(o, path);
	return s ? s : "";
}

static int is_type(const sk_obj *o, sk_obj_type t) { return o && sk_obj_type_of(o) == t; }

static int one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(v, *set))
			return 1;
	return 0;
}

/* ---- defaults ------------------------------------------------------------ */

static const char *storage_version(const sk_obj *crd)
{
	sk_obj *vs = sk_obj_get(crd, "spec.versions");
	for (size_t i = 0; i < sk_obj_len(vs) && is_type(vs, SK_OBJ_ARRAY); i++)
		if (sk_obj_get_bool(sk_obj_at(vs, i), "storage", 0))
			return sk_obj_get_str(sk_obj_at(vs, i), "name");
	return NULL;
}

static int has_string(const sk_obj *arr, const char *s)
{
	for (size_t i = 0; is_type(arr, SK_OBJ_ARRAY) && i < sk_obj_len(arr); i++) {
		const char *v = sk_obj_str(sk_obj_at(arr, i));
		if (v && !strcmp(v, s))
			return 1;
	}
	return 0;
}

static void append_string(sk_obj *o, const char *path, const char *s)
{
	sk_obj *arr = sk_obj_get(o, path);
	if (!is_type(arr, SK_OBJ_ARRAY)) {
		sk_obj *fresh = sk_obj_new_array();
		sk_obj_set(o, path, fresh, NULL);
		sk_obj_unref(fresh);
		arr = sk_obj_get(o, path);
	}
	sk_obj *v = sk_obj_new_str(s);
	sk_obj_append(arr, v);
	sk_obj_unref(v);
}

static void defaults(void *ud, sk_obj *crd)
{
	(void)ud;
	const char *kind = sk_obj_get_str(crd, "spec.names.kind");
	if (kind && *kind && strlen(kind) < 250) {
		char buf[256];
		if (!*str(crd, "spec.names.singular")) {
			size_t i = 0;
			for (; kind[i]; i++)
				buf[i] = (char)tolower((unsigned char)kind[i]);
			buf[i] = '\0';
			sk_obj_set_str(crd, "spec.names.singular", buf, NULL);
		}
		if (!*str(crd, "spec.names.listKind")) {
			snprintf(buf, sizeof buf, "%sList", kind);
			sk_obj_set_str(crd, "spec.names.listKind", buf, NULL);
		}
	}
	if (is_type(sk_obj_get(crd, "spec"), SK_OBJ_OBJECT) && !sk_obj_get(crd, "spec.conversion"))
		sk_obj_set_str(crd, "spec.conversion.strategy", "None", NULL);
	/* the storage version is recorded as stored, on create and on update */
	const char *sv = storage_version(crd);
	if (sv && *sv && !has_string(sk_obj_get(crd, "status.storedVersions"), sv))
		append_string(crd, "status.storedVersions", sv);
	/* created: held until its custom resources are gone (the controller also
	 * restores it should a full update drop it) */
	if (!sk_obj_get_str(crd, "metadata.resourceVersion") && !sk_obj_get(crd, "metadata.deletionTimestamp") &&
	    !has_string(sk_obj_get(crd, "metadata.finalizers"), CRD_FINALIZER))
		append_string(crd, "metadata.finalizers", CRD_FINALIZER);
}

/* ---- names --------------------------------------------------------------- */

static void lower(char *out, size_t cap, const char *s)
{
	size_t i = 0;
	for (; s[i] && i + 1 < cap; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

/* ValidateCustomResourceDefinitionNames, for spec.names and status.acceptedNames */
static void check_names(sk_obj *causes, const char *at, const sk_obj *names)
{
	char f[PATH_CAP], low[512];
	const char *v;
	if (*(v = str(names, "plural"))) {
		snprintf(f, sizeof f, "%s.plural", at);
		sk_check_dns1035_label(causes, f, v);
	}
	if (*(v = str(names, "singular"))) {
		snprintf(f, sizeof f, "%s.singular", at);
		sk_check_dns1035_label(causes, f, v);
	}
	static const char *const mixed[] = {"kind", "listKind"};
	for (size_t k = 0; k < 2; k++) {
		const char *detail;
		v = str(names, mixed[k]);
		lower(low, sizeof low, v);
		if (*v && (detail = sk_check_dns1035_label(NULL, NULL, low))) {
			snprintf(f, sizeof f, "%s.%s", at, mixed[k]);
			sk_cause_invalid_str(causes, f, v, "may have mixed case, but should otherwise match: %s", detail);
		}
	}
	sk_obj *shorts = sk_obj_get(names, "shortNames");
	for (size_t i = 0; is_type(shorts, SK_OBJ_ARRAY) && i < sk_obj_len(shorts); i++) {
		snprintf(f, sizeof f, "%s.shortNames[%zu]", at, i);
		sk_check_dns1035_label(causes, f, sk_obj_str(sk_obj_at(shorts, i)));
	}
	const char *kind = str(names, "kind");
	if (*kind && !strcmp(kind, str(names, "listKind"))) {
		snprintf(f, sizeof f, "%s.listKind", at);
		sk_cause_invalid_str(causes, f, kind, "kind and listKind may not be the same");
	}
	sk_obj *cats = sk_obj_get(names, "categories");
	for (size_t i = 0; is_type(cats, SK_OBJ_ARRAY) && i < sk_obj_len(cats); i++) {
		snprintf(f, sizeof f, "%s.categories[%zu]", at, i);
		sk_check_dns1035_label(causes, f, sk_obj_str(sk_obj_at(cats, i)));
	}
}

/* ---- schemas ------------------------------------------------------------- */

enum place { AT_ROOT, AT_FIELD, AT_ITEMS };

static void check_schema(sk_obj *causes, const char *path, const sk_obj *s, enum place where, int depth);

struct props_ctx {
	sk_obj *causes;
	const char *path;
	int depth;
	int root;
};

static int check_property(void *ud, const char *key, sk_obj *value)
{
	struct props_ctx *c = ud;
	char f[PATH_CAP];
	snprintf(f, sizeof f, "%s.properties[%s]", c->path, key);
	if (c->root && !strcmp(key, "metadata")) {
		/* ObjectMeta is implied: a schema may only narrow name and generateName */
		sk_obj *mp = sk_obj_get(value, "properties");
		int other = 0;
		if (is_type(mp, SK_OBJ_OBJECT)) {
			size_t n = sk_obj_len(mp);
			n -= sk_obj_get(mp, "name") ? 1 : 0;
			n -= sk_obj_get(mp, "generateName") ? 1 : 0;
			other = n > 0;
		}
		const char *t = sk_obj_get_str(value, "type");
		if (other || (t && strcmp(t, "object")))
			sk_cause_forbidden(c->causes, f,
			                   "must not specify anything other than name and generateName, but metadata is "
			                   "implicitly specified");
		return 0;
	}
	check_schema(c->causes, f, value, AT_FIELD, c->depth + 1);
	return 0;
}

/* The structural-schema rules Kubernetes applies to v1 CRDs (types
 * everywhere, items for arrays) and the OpenAPI keywords it forbids. */
static void check_schema(sk_obj *causes, const char *path, const sk_obj *s, enum place where, int depth)
{
	char f[PATH_CAP];
	if (!is_type(s, SK_OBJ_OBJECT) || depth > SCHEMA_DEPTH_MAX)
		return; /* the schema engine names these */
	const char *type = sk_obj_get_str(s, "type");
	int ios = sk_obj_get_bool(s, "x-kubernetes-int-or-string", 0);
	sk_obj *pu = sk_obj_get(s, "x-kubernetes-preserve-unknown-fields");
	int preserve = is_type(pu, SK_OBJ_BOOL) && sk_obj_get_bool(s, "x-kubernetes-preserve-unknown-fields", 0);
	snprintf(f, sizeof f, "%s.type", path);
	static const char *const types[] = {"array", "boolean", "integer", "number", "object", "string", NULL};
	int bad = type && *type && !one_of(type, types);
	if (bad)
		sk_cause_not_supported(causes, f, type, types);
	if (where == AT_ROOT) {
		if (!type || !*type)
			sk_cause_required(causes, f, "must not be empty at the root");
		else if (strcmp(type, "object") && !bad)
			sk_cause_invalid_str(causes, f, type, "must be object at the root");
		if (sk_obj_get_bool(s, "nullable", 0)) {
			snprintf(f, sizeof f, "%s.nullable", path);
			sk_cause_forbidden(causes, f, "nullable cannot be true at the root");
		}
	} else if ((!type || !*type) && !ios && !preserve) {
		sk_cause_required(causes, f,
		                  where == AT_ITEMS ? "must not be empty for specified array items"
		                                    : "must not be empty for specified object fields");
	}
	if (type && !strcmp(type, "array") && !sk_obj_get(s, "items")) {
		snprintf(f, sizeof f, "%s.items", path);
		sk_cause_required(causes, f, "must be specified");
	}
	if (sk_obj_get_bool(s, "uniqueItems", 0)) {
		snprintf(f, sizeof f, "%s.uniqueItems", path);
		sk_cause_forbidden(causes, f, "uniqueItems cannot be set to true since the runtime complexity becomes "
		                              "quadratic");
	}
	if (is_type(pu, SK_OBJ_BOOL) && !preserve) {
		snprintf(f, sizeof f, "%s.x-kubernetes-preserve-unknown-fields", path);
		sk_cause_invalid_obj(causes, f, pu, "must be true or undefined");
	}
	sk_obj *props = sk_obj_get(s, "properties"), *ap = sk_obj_get(s, "additionalProperties");
	if (ap && sk_obj_len(props) && (is_type(ap, SK_OBJ_OBJECT) || (is_type(ap, SK_OBJ_BOOL) &&
	                                                               !sk_obj_get_bool(s, "additionalProperties", 0)))) {
		snprintf(f, sizeof f, "%s.additionalProperties", path);
		sk_cause_forbidden(causes, f, "additionalProperties and properties are mutual exclusive");
	}
	if (is_type(props, SK_OBJ_OBJECT)) {
		struct props_ctx c = {causes, path, depth, where == AT_ROOT};
		sk_obj_foreach(props, check_property, &c);
	}
	if (is_type(ap, SK_OBJ_OBJECT)) {
		snprintf(f, sizeof f, "%s.additionalProperties", path);
		check_schema(causes, f, ap, AT_FIELD, depth + 1);
	}
	sk_obj *items = sk_obj_get(s, "items");
	if (is_type(items, SK_OBJ_OBJECT)) {
		snprintf(f, sizeof f, "%s.items", path);
		check_schema(causes, f, items, AT_ITEMS, depth + 1);
	}
}

/* The schema engine's own verdict: the schema defined as a throwaway type. */
static void try_schema(sk_obj *causes, const char *at, const sk_obj *schema)
{
	sk_err e = {0};
	if (!self || sk_types_define_openapi(self, TRIAL_OWNER, TRIAL_TYPE, NULL, schema, &e) == SK_OK) {
		if (self)
			sk_types_forget(self, TRIAL_OWNER);
		return;
	}
	/* "openAPIV3Schema.properties[spec].type: Unsupported value: ..." */
	char f[PATH_CAP];
	const char *sep = strstr(e.msg, ": ");
	if (!strncmp(e.msg, "openAPIV3Schema", 15) && sep) {
		snprintf(f, sizeof f, "%s.%.*s", at, (int)(sep - e.msg), e.msg);
		const char *detail = sep + 2;
		if (!strncmp(detail, "Unsupported value: ", 19) || !strncmp(detail, "Invalid value: ", 15))
			sk_cause(causes, !strncmp(detail, "Unsupported", 11) ? "FieldValueNotSupported" : "FieldValueInvalid",
			         f, "%s", detail);
		else
			sk_cause_invalid_str(causes, f, "", "%s", detail);
	} else {
		snprintf(f, sizeof f, "%s.openAPIV3Schema", at);
		sk_cause_invalid_str(causes, f, "", "%s", e.msg);
	}
}

/* ---- versions ------------------------------------------------------------ */

static const char *const column_types[] = {"boolean", "date", "integer", "number", "string", NULL};
static const char *const column_formats[] = {"byte", "date", "date-time", "double", "float",
                                             "int32", "int64", "password", NULL};

/* validateSimpleJSONPath */
static int simple_path(sk_obj *causes, const char *f, const char *p)
{
	if (!*p) {
		sk_cause_invalid_str(causes, f, p, "must not be empty");
		return 0;
	}
	if (p[0] != '.') {
		sk_cause_invalid_str(causes, f, p, "must be a simple json path starting with .");
		return 0;
	}
	return 1;
}

static void check_columns(sk_obj *causes, const char *at, const sk_obj *cols)
{
	char f[PATH_CAP];
	for (size_t i = 0; is_type(cols, SK_OBJ_ARRAY) && i < sk_obj_len(cols); i++) {
		const sk_obj *c = sk_obj_at(cols, i);
		const char *type = str(c, "type"), *format = str(c, "format"), *jp = str(c, "jsonPath");
		if (!*str(c, "name")) {
			snprintf(f, sizeof f, "%s.additionalPrinterColumns[%zu].name", at, i);
			sk_cause_required(causes, f, "");
		}
		snprintf(f, sizeof f, "%s.additionalPrinterColumns[%zu].type", at, i);
		if (!*type)
			sk_cause_required(causes, f, "must be one of boolean,date,integer,number,string");
		else if (!one_of(type, column_types))
			sk_cause_invalid_str(causes, f, type, "must be one of boolean,date,integer,number,string");
		if (*format && !one_of(format, column_formats)) {
			snprintf(f, sizeof f, "%s.additionalPrinterColumns[%zu].format", at, i);
			sk_cause_invalid_str(causes, f, format,
			                     "must be one of byte,date,date-time,double,float,int32,int64,password");
		}
		/* Kubernetes names the field by its Go name here */
		snprintf(f, sizeof f, "%s.additionalPrinterColumns[%zu].JSONPath", at, i);
		if (!*jp)
			sk_cause_required(causes, f, "");
		else
			simple_path(causes, f, jp);
	}
}

static void scale_path(sk_obj *causes, const char *at, const char *field, const char *p, const char *under,
                       const char *detail)
{
	char f[PATH_CAP];
	snprintf(f, sizeof f, "%s.subresources.scale.%s", at, field);
	if (!simple_path(causes, f, p))
		return;
	if (strncmp(p, under, strlen(under)) && (strcmp(field, "labelSelectorPath") || strncmp(p, ".status.", 8)))
		sk_cause_invalid_str(causes, f, p, "%s", detail);
}

static void check_subresources(sk_obj *causes, const char *at, const sk_obj *subs)
{
	char f[PATH_CAP];
	const sk_obj *scale = sk_obj_get(subs, "scale");
	if (!is_type(scale, SK_OBJ_OBJECT))
		return;
	const char *spec = str(scale, "specReplicasPath"), *status = str(scale, "statusReplicasPath");
	const char *sel = str(scale, "labelSelectorPath");
	snprintf(f, sizeof f, "%s.subresources.scale.specReplicasPath", at);
	if (!*spec)
		sk_cause_required(causes, f, "");
	else
		scale_path(causes, at, "specReplicasPath", spec, ".spec.", "should be a json path under .spec");
	snprintf(f, sizeof f, "%s.subresources.scale.statusReplicasPath", at);
	if (!*status)
		sk_cause_required(causes, f, "");
	else
		scale_path(causes, at, "statusReplicasPath", status, ".status.", "should be a json path under .status");
	if (*sel)
		scale_path(causes, at, "labelSelectorPath", sel, ".spec.", "should be a json path under either .spec or .status");
}

static void check_selectable(sk_obj *causes, const char *at, const sk_obj *fields)
{
	char f[PATH_CAP];
	size_t n = is_type(fields, SK_OBJ_ARRAY) ? sk_obj_len(fields) : 0;
	if (n > SELECTABLE_FIELDS_MAX) {
		snprintf(f, sizeof f, "%s.selectableFields", at);
		sk_cause_too_many(causes, f, (int64_t)n, SELECTABLE_FIELDS_MAX);
	}
	for (size_t i = 0; i < n && i < SELECTABLE_FIELDS_MAX; i++) {
		const char *jp = str(sk_obj_at(fields, i), "jsonPath");
		snprintf(f, sizeof f, "%s.selectableFields[%zu].jsonPath", at, i);
		if (!*jp)
			sk_cause_required(causes, f, "");
		else
			simple_path(causes, f, jp);
	}
}

static void check_version(sk_obj *causes, size_t i, const sk_obj *v)
{
	char at[64], f[PATH_CAP];
	snprintf(at, sizeof at, "spec.versions[%zu]", i);
	int deprecated = sk_obj_get_bool(v, "deprecated", 0);
	sk_obj *dw = sk_obj_get(v, "deprecationWarning");
	snprintf(f, sizeof f, "%s.deprecationWarning", at);
	if (dw && !deprecated)
		sk_cause_invalid_obj(causes, f, dw, "can only be set for deprecated versions");
	else if (is_type(dw, SK_OBJ_STRING) && strlen(sk_obj_str(dw)) > DEPRECATION_WARNING_MAX)
		sk_cause_invalid_obj(causes, f, dw, "must be <= 256 characters long");
	else if (is_type(dw, SK_OBJ_STRING) && !*sk_obj_str(dw))
		sk_cause_invalid_obj(causes, f, dw, "must not be an empty string");
	const sk_obj *schema = sk_obj_get(v, "schema.openAPIV3Schema");
	if (!is_type(schema, SK_OBJ_OBJECT)) {
		snprintf(f, sizeof f, "%s.schema.openAPIV3Schema", at);
		sk_cause_required(causes, f, "schemas are required");
	} else {
		size_t before = sk_obj_len(causes);
		snprintf(f, sizeof f, "%s.schema.openAPIV3Schema", at);
		check_schema(causes, f, schema, AT_ROOT, 0);
		if (sk_obj_len(causes) == before) {
			snprintf(f, sizeof f, "%s.schema", at);
			try_schema(causes, f, schema);
		}
	}
	check_subresources(causes, at, sk_obj_get(v, "subresources"));
	check_columns(causes, at, sk_obj_get(v, "additionalPrinterColumns"));
	check_selectable(causes, at, sk_obj_get(v, "selectableFields"));
}

static void check_versions(sk_obj *causes, const sk_obj *spec)
{
	char f[PATH_CAP];
	sk_obj *vs = sk_obj_get(spec, "versions");
	size_t n = is_type(vs, SK_OBJ_ARRAY) ? sk_obj_len(vs) : 0, storage = 0;
	int unique = 1;
	for (size_t i = 0; i < n; i++) {
		const sk_obj *v = sk_obj_at(vs, i);
		const char *name = str(v, "name");
		storage += sk_obj_get_bool(v, "storage", 0) ? 1 : 0;
		for (size_t j = 0; j < i && unique; j++)
			if (!strcmp(name, str(sk_obj_at(vs, j), "name")))
				unique = 0;
		snprintf(f, sizeof f, "spec.versions[%zu].name", i);
		sk_check_dns1035_label(causes, f, name);
		check_version(causes, i, v);
	}
	if (!unique)
		sk_cause_invalid_obj(causes, "spec.versions", vs, "must contain unique version names");
	if (storage != 1)
		sk_cause_invalid_obj(causes, "spec.versions", vs, "must have exactly one version marked as storage version");
}

/* ---- conversion, status -------------------------------------------------- */

static void check_conversion(sk_obj *causes, const sk_obj *spec)
{
	const sk_obj *conv = sk_obj_get(spec, "conversion");
	if (!is_type(conv, SK_OBJ_OBJECT))
		return;
	const char *strategy = str(conv, "strategy");
	static const char *const strategies[] = {"None", "Webhook", NULL};
	if (!*strategy)
		sk_cause_required(causes, "spec.conversion.strategy", "");
	else if (!one_of(strategy, strategies))
		sk_cause_not_supported(causes, "spec.conversion.strategy", strategy, strategies);
	const sk_obj *hook = sk_obj_get(conv, "webhook");
	const sk_obj *cc = sk_obj_get(hook, "clientConfig"), *crv = sk_obj_get(hook, "conversionReviewVersions");
	if (!strcmp(strategy, "Webhook")) {
		int has_url = *str(cc, "url") != '\0', has_svc = is_type(sk_obj_get(cc, "service"), SK_OBJ_OBJECT);
		if (!cc)
			sk_cause_required(causes, "spec.conversion.webhookClientConfig", "required when strategy is set to Webhook");
		else if (has_url == has_svc)
			sk_cause_required(causes, "spec.conversion.webhookClientConfig", "exactly one of url or service is required");
		if (!sk_obj_len(crv)) {
			sk_cause_required(causes, "spec.conversion.conversionReviewVersions", "");
		} else if (!has_string(crv, "v1") && !has_string(crv, "v1beta1")) {
			sk_cause_invalid_obj(causes, "spec.conversion.conversionReviewVersions", crv,
			                     "must include at least one of v1, v1beta1");
		}
	} else if (*strategy) {
		if (cc)
			sk_cause_forbidden(causes, "spec.conversion.webhookClientConfig",
			                   "should not be set when strategy is not set to Webhook");
		if (sk_obj_len(crv))
			sk_cause_forbidden(causes, "spec.conversion.conversionReviewVersions",
			                   "should not be set when strategy is not set to Webhook");
	}
	if (*strategy && strcmp(strategy, "None") && sk_obj_get_bool(spec, "preserveUnknownFields", 0))
		sk_cause_invalid_str(causes, "spec.conversion.strategy", strategy,
		                     "must be None if spec.preserveUnknownFields is true");
}

static void check_stored_versions(sk_obj *causes, const sk_obj *crd)
{
	char f[64];
	sk_obj *stored = sk_obj_get(crd, "status.storedVersions"), *vs = sk_obj_get(crd, "spec.versions");
	if (!sk_obj_len(stored) || !is_type(stored, SK_OBJ_ARRAY)) {
		sk_cause_invalid_obj(causes, "status.storedVersions", stored, "must have at least one stored version");
		return;
	}
	for (size_t i = 0; is_type(vs, SK_OBJ_ARRAY) && i < sk_obj_len(vs); i++) {
		const sk_obj *v = sk_obj_at(vs, i);
		if (sk_obj_get_bool(v, "storage", 0) && !has_string(stored, str(v, "name")))
			sk_cause_invalid_obj(causes, "status.storedVersions", v, "must have the storage version %s",
			                     str(v, "name"));
	}
	for (size_t i = 0; i < sk_obj_len(stored); i++) {
		const char *s = sk_obj_str(sk_obj_at(stored, i));
		int found = 0;
		for (size_t j = 0; is_type(vs, SK_OBJ_ARRAY) && j < sk_obj_len(vs) && !found; j++)
			found = s && !strcmp(s, str(sk_obj_at(vs, j), "name"));
		snprintf(f, sizeof f, "status.storedVersions[%zu]", i);
		if (!found)
			sk_cause_invalid_str(causes, f, s ? s : "", "must appear in spec.versions");
	}
}

static int established(const sk_obj *crd)
{
	sk_obj *conds = sk_obj_get(crd, "status.conditions");
	for (size_t i = 0; is_type(conds, SK_OBJ_ARRAY) && i < sk_obj_len(conds); i++) {
		const sk_obj *c = sk_obj_at(conds, i);
		if (!strcmp(str(c, "type"), "Established"))
			return !strcmp(str(c, "status"), "True");
	}
	return 0;
}

static void immutable(sk_obj *causes, const char *field, const sk_obj *crd, const sk_obj *old)
{
	const char *now = str(crd, field), *was = str(old, field);
	if (strcmp(now, was))
		sk_cause_invalid_str(causes, field, now, "field is immutable");
}

/* ---- the callback ---------------------------------------------------------- */

static int validate(void *ud, const sk_obj *crd, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	size_t before = sk_obj_len(causes);
	const sk_obj *spec = sk_obj_get(crd, "spec");
	const char *name = str(crd, "metadata.name"), *group = str(spec, "group"), *plural = str(spec, "names.plural");
	char want[600];
	snprintf(want, sizeof want, "%s.%s", plural, group);
	if (*name && strcmp(name, want))
		sk_cause_invalid_str(causes, "metadata.name", name, "must be spec.names.plural+\".\"+spec.group");
	if (!*group)
		sk_cause_required(causes, "spec.group", "");
	else if (!sk_check_dns1123_subdomain(causes, "spec.group", group) && !strchr(group, '.'))
		sk_cause_invalid_str(causes, "spec.group", group, "should be a domain with at least one dot");
	static const char *const scopes[] = {"Cluster", "Namespaced", NULL};
	const char *scope = str(spec, "scope");
	if (!*scope)
		sk_cause_required(causes, "spec.scope", "");
	else if (!one_of(scope, scopes))
		sk_cause_not_supported(causes, "spec.scope", scope, scopes);
	if (sk_obj_get_bool(spec, "preserveUnknownFields", 0) && !(old && sk_obj_get_bool(old, "spec.preserveUnknownFields", 0)))
		sk_cause(causes, "FieldValueInvalid", "spec.preserveUnknownFields",
		         "Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in "
		         "spec.versions[*].schema instead");
	check_versions(causes, spec);
	static const char *const required[] = {"plural", "singular", "kind", "listKind"};
	for (size_t i = 0; i < 4; i++) {
		char f[64];
		snprintf(f, sizeof f, "spec.names.%s", required[i]);
		if (!*str(spec, f + 5))
			sk_cause_required(causes, f, "");
	}
	check_names(causes, "spec.names", sk_obj_get(spec, "names"));
	check_conversion(causes, spec);
	check_names(causes, "status.acceptedNames", sk_obj_get(crd, "status.acceptedNames"));
	check_stored_versions(causes, crd);
	if (old) {
		if (established(old)) {
			immutable(causes, "spec.scope", crd, old);
			immutable(causes, "spec.names.kind", crd, old);
		}
		immutable(causes, "spec.names.plural", crd, old);
	}
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

/* `kubectl get crd`: NAME, CREATED AT, as Kubernetes' default table */
static const sk_column columns[] = {
	{"Created At", "string", "CreationTimestamp is a timestamp representing the server time when this object was "
	                         "created.", 0, ".metadata.creationTimestamp"},
	{NULL, NULL, NULL, 0, NULL},
};

void crd_kind(sk_plugin *p, sk_resource_ops *r)
{
	self = p;
	r->defaults = defaults;
	r->validate = validate;
	r->columns = columns;
}
