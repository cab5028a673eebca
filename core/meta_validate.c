/* meta_validate.c — Kubernetes' ObjectMeta rules on create and update (meta_validate.h).
 *
 * Follows k8s.io/apimachinery/pkg/api/validation/objectmeta.go and
 * apis/meta/v1/validation (ValidateManagedFields); the field checks
 * themselves are those of skiff/validate.h.
 */
#include "meta_validate.h"
#include "json.h"
#include <skiff/validate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char FINALIZER_WARNING[] =
	"prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other "
	"finalizer writers";

/* Kubernetes' own finalizers, exempt from the warning above. */
static int standard_finalizer(const char *f)
{
	return !strcmp(f, "orphan") || !strcmp(f, "foregroundDeletion") || !strcmp(f, "kubernetes") ||
	       !strcmp(f, "customresourcecleanup.apiextensions.k8s.io");
}

static const char *type_name(const json_t *v)
{
	static const char *const names[] = {"object", "array", "string", "integer", "number",
	                                     "boolean", "boolean", "null"};
	return names[json_typeof(v)];
}

/* A wrong JSON type, in the CRD schema's wording. */
static void wrong_type(json_t *causes, const char *field, const json_t *v, const char *want)
{
	const char *got = type_name(v);
	sk_cause_invalid_str(O(causes), field, got, "%s in body must be of type %s: \"%s\"", field, want, got);
}

/* metadata[key] as a string: "" when absent or null; NULL (with a cause)
 * when of another type. */
static const char *md_str(const json_t *md, const char *key, const char *field, json_t *causes)
{
	json_t *v = json_object_get(md, key);
	if (!v || json_is_null(v))
		return "";
	if (json_is_string(v))
		return json_string_value(v);
	wrong_type(causes, field, v, "string");
	return NULL;
}

/* metadata[key] when it is a JSON array; absent and null are no array and
 * no error; another type is reported. */
static const json_t *md_array(const json_t *md, const char *key, const char *field, json_t *causes)
{
	json_t *v = json_object_get(md, key);
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_array(v))
		return v;
	wrong_type(causes, field, v, "array");
	return NULL;
}

static const char *obj_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* %q of s, as the checks print values: through a scratch cause. */
static char *go_quoted(const char *s)
{
	json_t *scratch = json_array();
	sk_cause_invalid_str(O(scratch), "", s, NULL);
	const char *m = json_string_value(json_object_get(json_array_get(scratch, 0), "message"));
	char *q = strdup(m && strlen(m) >= 15 ? m + 15 : "\"\""); /* past "Invalid value: " */
	json_decref(scratch);
	return q;
}

static void warn(json_t *warnings, const char *text)
{
	for (size_t i = 0; i < json_array_size(warnings); i++)
		if (!strcmp(json_string_value(json_array_get(warnings, i)), text))
			return;
	json_array_append_new(warnings, json_string(text));
}

/* ---- the parts of ObjectMeta ---------------------------------------------- */

static void owner_references(const json_t *md, json_t *causes)
{
	static const char F[] = "metadata.ownerReferences";
	const json_t *refs = md_array(md, "ownerReferences", F, causes);
	const char *ctl_kind = NULL, *ctl_name = NULL;
	for (size_t i = 0; i < json_array_size(refs); i++) {
		json_t *ref = json_array_get(refs, i);
		if (!json_is_object(ref)) {
			wrong_type(causes, F, ref, "object");
			continue;
		}
		const char *api = obj_str(ref, "apiVersion"), *kind = obj_str(ref, "kind");
		const char *name = obj_str(ref, "name"), *uid = obj_str(ref, "uid");
		/* schema.ParseGroupVersion: "v1", "group/v1"; more slashes parse
		 * to nothing */
		const char *slash = strchr(api, '/'), *version = api;
		size_t group_len = 0;
		if (slash && strchr(slash + 1, '/'))
			version = "";
		else if (slash) {
			version = slash + 1;
			group_len = (size_t)(slash - api);
		}
		if (!*version)
			sk_cause_invalid_str(O(causes), "metadata.ownerReferences.apiVersion", api,
			                     "version must not be empty");
		if (!*kind)
			sk_cause_invalid_str(O(causes), "metadata.ownerReferences.kind", kind, "must not be empty");
		if (!*name)
			sk_cause_invalid_str(O(causes), "metadata.ownerReferences.name", name, "must not be empty");
		if (!*uid)
			sk_cause_invalid_str(O(causes), "metadata.ownerReferences.uid", uid, "must not be empty");
		if (group_len == 0 && !strcmp(version, "v1") && !strcmp(kind, "Event"))
			sk_cause_invalid_obj(O(causes), F, O(ref), "/v1, Kind=Event is disallowed from being an owner");
		if (json_is_true(json_object_get(ref, "controller"))) {
			if (ctl_kind)
				sk_cause_invalid_obj(O(causes), F, O(refs),
				                     "Only one reference can have Controller set to true. Found \"true\" in "
				                     "references for %s/%s and %s/%s",
				                     ctl_kind, ctl_name, kind, name);
			else {
				ctl_kind = kind;
				ctl_name = name;
			}
		}
	}
}

static void finalizers(const json_t *md, json_t *causes, json_t *warnings)
{
	static const char F[] = "metadata.finalizers";
	const json_t *fins = md_array(md, "finalizers", F, causes);
	int orphan = 0, foreground = 0;
	for (size_t i = 0; i < json_array_size(fins); i++) {
		json_t *v = json_array_get(fins, i);
		if (!json_is_string(v)) {
			wrong_type(causes, F, v, "string");
			continue;
		}
		const char *f = json_string_value(v);
		sk_check_qualified_name(O(causes), F, f);
		orphan |= !strcmp(f, "orphan");
		foreground |= !strcmp(f, "foregroundDeletion");
		if (warnings && !strchr(f, '/') && !standard_finalizer(f)) {
			char *q = go_quoted(f);
			size_t n = strlen(F) + strlen(q) + sizeof FINALIZER_WARNING + 8;
			char *w = malloc(n);
			if (q && w) {
				snprintf(w, n, "%s: %s: %s", F, q, FINALIZER_WARNING);
				warn(warnings, w);
			}
			free(w);
			free(q);
		}
	}
	if (orphan && foreground)
		sk_cause_invalid_obj(O(causes), F, O(fins), "finalizer orphan and foregroundDeletion cannot be both set");
}

static void managed_fields(const json_t *md, json_t *causes)
{
	const json_t *list = md_array(md, "managedFields", "metadata.managedFields", causes);
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i);
		char f[96];
		if (!json_is_object(e)) {
			snprintf(f, sizeof f, "metadata.managedFields[%zu]", i);
			wrong_type(causes, f, e, "object");
			continue;
		}
		const char *op = obj_str(e, "operation"), *type = obj_str(e, "fieldsType");
		if (strcmp(op, "Apply") && strcmp(op, "Update")) {
			snprintf(f, sizeof f, "metadata.managedFields[%zu].operation", i);
			sk_cause_invalid_str(O(causes), f, op, "must be `Apply` or `Update`");
		}
		if (*type && strcmp(type, "FieldsV1")) {
			snprintf(f, sizeof f, "metadata.managedFields[%zu].fieldsType", i);
			sk_cause_invalid_str(O(causes), f, type, "must be `FieldsV1`");
		}
		snprintf(f, sizeof f, "metadata.managedFields[%zu].manager", i);
		sk_check_field_manager(O(causes), f, obj_str(e, "manager"));
		if (strlen(obj_str(e, "subresource")) > 256) {
			snprintf(f, sizeof f, "metadata.managedFields[%zu].subresource", i);
			sk_cause_too_long(O(causes), f, 256);
		}
	}
}

static void common(const json_t *md, int namespaced, int name_rule, json_t *causes, json_t *warnings)
{
	const char *gen = md_str(md, "generateName", "metadata.generateName", causes);
	const char *name = md_str(md, "name", "metadata.name", causes);
	if (gen && *gen)
		sk_check_name(O(causes), "metadata.generateName", gen, name_rule, 1);
	if (name && !*name)
		sk_cause_required(O(causes), "metadata.name", "name or generateName is required");
	else if (name)
		sk_check_name(O(causes), "metadata.name", name, name_rule, 0);

	const char *ns = md_str(md, "namespace", "metadata.namespace", causes);
	if (ns && namespaced && !*ns)
		sk_cause_required(O(causes), "metadata.namespace", NULL);
	else if (ns && namespaced)
		sk_check_name(O(causes), "metadata.namespace", ns, SK_NAME_NAMESPACE, 0);
	else if (ns && *ns)
		sk_cause_forbidden(O(causes), "metadata.namespace", "not allowed on this type");

	json_t *g = json_object_get(md, "generation");
	if (json_is_integer(g))
		sk_check_nonnegative(O(causes), "metadata.generation", json_integer_value(g));
	else if (g && !json_is_null(g))
		wrong_type(causes, "metadata.generation", g, "integer");

	sk_check_labels(O(causes), "metadata.labels", O(json_object_get(md, "labels")));
	sk_check_annotations(O(causes), "metadata.annotations", O(json_object_get(md, "annotations")));
	owner_references(md, causes);
	finalizers(md, causes, warnings);
	managed_fields(md, causes);
}

static const json_t *metadata_of(const json_t *obj, json_t **empty)
{
	json_t *md = json_object_get(obj, "metadata");
	if (json_is_object(md))
		return md;
	*empty = json_object();
	return *empty;
}

size_t meta_validate_create(const json_t *obj, int namespaced, int name_rule, json_t *causes, json_t *warnings)
{
	size_t before = json_array_size(causes);
	json_t *empty = NULL;
	common(metadata_of(obj, &empty), namespaced, name_rule, causes, warnings);
	json_decref(empty);
	return json_array_size(causes) - before;
}

/* ---- update -------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

struct when {
	int64_t sec;
	long nsec;
};

static int digits(const char *s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*out = *out * 10 + (s[i] - '0');
	}
	return 1;
}

/* RFC 3339, as metav1.Time reads it: 2006-01-02T15:04:05[.frac](Z|±07:00) */
static int parse_time(const char *s, struct when *t)
{
	int y, mo, d, h, mi, se, oh = 0, om = 0;
	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59)
		return 0;
	const char *p = s + 19;
	t->nsec = 0;
	if (*p == '.') {
		int n = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 9)
				t->nsec = t->nsec * 10 + (*p - '0');
		if (n == 0)
			return 0;
		for (; n < 9; n++)
			t->nsec *= 10;
	}
	int sign = 0;
	if (*p == 'Z' && !p[1])
		sign = 0;
	else if ((*p == '+' || *p == '-') && strlen(p) == 6 && digits(p + 1, 2, &oh) && p[3] == ':' &&
	         digits(p + 4, 2, &om))
		sign = *p == '+' ? 1 : -1;
	else
		return 0;
	t->sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - sign * (oh * 3600 + om * 60);
	return 1;
}

/* A time as Go's time.Time.String() prints it in UTC:
 * 2006-01-02 15:04:05.999999999 +0000 UTC */
static void go_time(const struct when *t, char *out, size_t cap)
{
	int64_t days = t->sec / 86400, rem = t->sec % 86400, y;
	int m, d;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	int n = snprintf(out, cap, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)y, m, d, (int)(rem / 3600),
	                 (int)(rem / 60 % 60), (int)(rem % 60));
	if (t->nsec && n > 0 && (size_t)n < cap) {
		char frac[16];
		snprintf(frac, sizeof frac, ".%09ld", t->nsec);
		for (size_t k = strlen(frac); frac[k - 1] == '0'; k--)
			frac[k - 1] = 0;
		n += snprintf(out + n, cap - (size_t)n, "%s", frac);
	}
	if (n > 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, " +0000 UTC");
}

/* Immutability of a metav1.Time field; `pointer` for *metav1.Time (absent
 * is nil, printed null) rather than metav1.Time (absent is the zero time). */
static void immutable_time(const json_t *md, const json_t *omd, const char *key, int pointer, json_t *causes)
{
	char field[64];
	snprintf(field, sizeof field, "metadata.%s", key);
	const char *a = json_string_value(json_object_get(md, key));
	const char *b = json_string_value(json_object_get(omd, key));
	struct when ta = {-62135596800LL, 0}, tb = ta; /* Go's zero time, 0001-01-01 */
	int pa = a && parse_time(a, &ta), pb = b && parse_time(b, &tb);
	int same;
	if ((a && !pa) || (b && !pb))
		same = a && b && !strcmp(a, b);
	else if (pointer && (!a || !b))
		same = !a && !b;
	else
		same = ta.sec == tb.sec && ta.nsec == tb.nsec;
	if (same)
		return;
	if (a && !pa) {
		sk_cause_invalid_str(O(causes), field, a, "field is immutable");
		return;
	}
	if (!a && pointer) {
		sk_cause_invalid_obj(O(causes), field, NULL, "field is immutable");
		return;
	}
	/* a metav1.Time prints through its String(): unquoted */
	char text[64], msg[128];
	go_time(&ta, text, sizeof text);
	snprintf(msg, sizeof msg, "Invalid value: %s: field is immutable", text);
	json_array_append_new(causes, json_pack("{s:s, s:s, s:s}", "reason", "FieldValueInvalid", "message", msg,
	                                        "field", field));
}

static void immutable_str(const json_t *md, const json_t *omd, const char *key, json_t *causes)
{
	const char *a = obj_str(md, key), *b = obj_str(omd, key);
	if (strcmp(a, b)) {
		char field[64];
		snprintf(field, sizeof field, "metadata.%s", key);
		sk_cause_invalid_str(O(causes), field, a, "field is immutable");
	}
}

static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* ValidateNoNewFinalizers */
static void no_new_finalizers(const json_t *md, const json_t *omd, json_t *causes)
{
	json_t *fins = json_object_get(md, "finalizers"), *old = json_object_get(omd, "finalizers");
	size_t n = json_array_size(fins), k = 0;
	const char **extra = calloc(n + 1, sizeof *extra);
	if (!extra)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *f = json_string_value(json_array_get(fins, i));
		int known = !f;
		for (size_t j = 0; !known && j < json_array_size(old); j++) {
			const char *o = json_string_value(json_array_get(old, j));
			known = o && !strcmp(o, f);
		}
		if (!known)
			extra[k++] = f;
	}
	if (k) {
		/* a sorted set, as sets.String.List() gives, printed as %#v */
		qsort(extra, k, sizeof *extra, str_cmp);
		size_t len = 128;
		char **quoted = calloc(k, sizeof *quoted);
		for (size_t i = 0; quoted && i < k; i++)
			if (i == 0 || strcmp(extra[i], extra[i - 1])) {
				quoted[i] = go_quoted(extra[i]);
				len += quoted[i] ? strlen(quoted[i]) + 2 : 0;
			}
		char *d = quoted ? malloc(len) : NULL;
		if (d) {
			size_t off = (size_t)snprintf(d, len, "no new finalizers can be added if the object is being "
			                                      "deleted, found new finalizers []string{");
			const char *sep = "";
			for (size_t i = 0; i < k; i++)
				if (quoted[i]) {
					off += (size_t)snprintf(d + off, len - off, "%s%s", sep, quoted[i]);
					sep = ", ";
				}
			snprintf(d + off, len - off, "}");
			sk_cause_forbidden(O(causes), "metadata.finalizers", d);
			free(d);
		}
		for (size_t i = 0; quoted && i < k; i++)
			free(quoted[i]);
		free(quoted);
	}
	free(extra);
}

size_t meta_validate_update(const json_t *obj, const json_t *old, int namespaced, int name_rule, json_t *causes,
                            json_t *warnings)
{
	size_t before = json_array_size(causes);
	json_t *e1 = NULL, *e2 = NULL;
	const json_t *md = metadata_of(obj, &e1), *omd = metadata_of(old, &e2);
	common(md, namespaced, name_rule, causes, warnings);

	const char *odel = json_string_value(json_object_get(omd, "deletionTimestamp"));
	if (odel && *odel)
		no_new_finalizers(md, omd, causes);
	const char *rv = md_str(md, "resourceVersion", "metadata.resourceVersion", causes);
	if (rv && !*rv)
		sk_cause_invalid_str(O(causes), "metadata.resourceVersion", rv, "must be specified for an update");
	json_int_t gen = json_integer_value(json_object_get(md, "generation"));
	if (gen < json_integer_value(json_object_get(omd, "generation")))
		sk_cause_invalid_int(O(causes), "metadata.generation", gen, "must not be decremented");

	immutable_str(md, omd, "name", causes);
	immutable_str(md, omd, "namespace", causes);
	immutable_str(md, omd, "uid", causes);
	immutable_time(md, omd, "creationTimestamp", 0, causes);
	immutable_time(md, omd, "deletionTimestamp", 1, causes);
	json_t *g = json_object_get(md, "deletionGracePeriodSeconds");
	json_t *og = json_object_get(omd, "deletionGracePeriodSeconds");
	if (json_is_null(g))
		g = NULL;
	if (json_is_null(og))
		og = NULL;
	if ((g || og) && !(g && og && json_equal(g, og)))
		sk_cause_invalid_obj(O(causes), "metadata.deletionGracePeriodSeconds", O(g), "field is immutable");

	json_decref(e1);
	json_decref(e2);
	return json_array_size(causes) - before;
}
