/* workload.c — what the apps/v1 workloads share: the pod template and
 * selector rules of Kubernetes' apps validation (the template's pod spec
 * is checked by the Pod kind's own rules, as ValidatePodTemplateSpec runs
 * ValidatePodSpec) and the `kubectl get` cells they print alike. */
#include "apps.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- validation ------------------------------------------------------------ */

void workload_selector(sk_obj *causes, const sk_obj *spec, const char *what)
{
	sk_obj *sel = sk_obj_get(spec, "selector");
	if (!sel || sk_obj_type_of(sel) == SK_OBJ_NULL)
		return;
	sk_check_label_selector(causes, "spec.selector", sel);
	if (sk_obj_type_of(sel) == SK_OBJ_OBJECT &&
	    sk_obj_len(sk_obj_get(sel, "matchLabels")) + sk_obj_len(sk_obj_get(sel, "matchExpressions")) == 0)
		sk_cause_invalid_obj(causes, "spec.selector", sel, "empty selector is invalid for %s", what);
}

void workload_selector_matches(sk_obj *causes, const sk_obj *spec, const char *bad_detail)
{
	sk_obj *sel = sk_obj_get(spec, "selector"), *labels = sk_obj_get(spec, "template.metadata.labels");
	int match = 0;
	if (sel && sk_obj_type_of(sel) != SK_OBJ_NULL) {
		sk_err err = {0};
		sk_selector *s = sk_label_selector_from_obj(sel, &err);
		if (!s) {
			if (bad_detail)
				sk_cause_invalid_obj(causes, "spec.selector", sel, "%s", bad_detail);
			return;
		}
		match = sk_selector_matches_labels(s, labels);
		sk_selector_free(s);
	}
	/* LabelSelectorAsSelector(nil) is labels.Nothing(): it matches no labels */
	if (!match)
		sk_cause_invalid_obj(causes, "spec.template.metadata.labels", labels,
		                     "`selector` does not match template `labels`");
}

/* The Pod kind's validation of the template's spec, its causes moved
 * under spec.template ("spec.containers[0].image" becomes
 * "spec.template.spec.containers[0].image"). */
static void pod_rules(sk_obj *causes, const sk_obj *tmpl)
{
	void *ud = NULL;
	const sk_resource_ops *pods = sk_ext_find(SK_EXT_RESOURCE, "pods", &ud);
	sk_obj *spec = sk_obj_get(tmpl, "spec");
	if (!pods || pods->size < offsetof(sk_resource_ops, validate) + sizeof pods->validate || !pods->validate ||
	    !spec)
		return;
	sk_obj *pod = sk_obj_new_object(), *scratch = sk_obj_new_array();
	sk_obj_set_str(pod, "apiVersion", "v1", NULL);
	sk_obj_set_str(pod, "kind", "Pod", NULL);
	sk_obj *md = sk_obj_get(tmpl, "metadata");
	if (md)
		sk_obj_set(pod, "metadata", md, NULL);
	sk_obj_set(pod, "spec", spec, NULL);
	pods->validate(ud, pod, NULL, scratch);
	for (size_t i = 0; i < sk_obj_len(scratch); i++) {
		sk_obj *c = sk_obj_at(scratch, i);
		const char *field = sk_obj_get_str(c, "field"), *msg = sk_obj_get_str(c, "message");
		char f[512];
		snprintf(f, sizeof f, "spec.template.%s", field ? field : "spec");
		sk_cause(causes, sk_obj_get_str(c, "reason") ?: "FieldValueInvalid", f, "%s", msg ? msg : "");
	}
	sk_obj_unref(scratch);
	sk_obj_unref(pod);
}

void workload_pod_template(sk_obj *causes, const sk_obj *spec, int pod_spec)
{
	sk_obj *tmpl = sk_obj_get(spec, "template");
	/* Kubernetes names the template's metadata maps without "metadata" */
	sk_check_labels(causes, "spec.template.labels", sk_obj_get(tmpl, "metadata.labels"));
	sk_check_annotations(causes, "spec.template.annotations", sk_obj_get(tmpl, "metadata.annotations"));
	if (!pod_spec)
		return;
	pod_rules(causes, tmpl);
	if (sk_obj_len(sk_obj_get(tmpl, "spec.ephemeralContainers")))
		sk_cause_forbidden(causes, "spec.template.spec.ephemeralContainers",
		                   "ephemeral containers not allowed in pod template");
}

void workload_always_restart(sk_obj *causes, const sk_obj *spec, const char *kind)
{
	const char *rp = sk_obj_get_str(spec, "template.spec.restartPolicy");
	if (!rp || strcmp(rp, "Always"))
		sk_cause_not_supported(causes, "spec.template.spec.restartPolicy", rp, SK_LIST("Always"));
	if (sk_obj_get(spec, "template.spec.activeDeadlineSeconds")) {
		char msg[96];
		snprintf(msg, sizeof msg, "activeDeadlineSeconds in %s is not Supported", kind);
		sk_cause_forbidden(causes, "spec.template.spec.activeDeadlineSeconds", msg);
	}
}

void workload_nonnegative(sk_obj *causes, const sk_obj *spec, const char *name)
{
	sk_obj *v = sk_obj_get(spec, name);
	char f[128];
	if (!v || sk_obj_type_of(v) != SK_OBJ_INT)
		return;
	snprintf(f, sizeof f, "spec.%s", name);
	sk_check_nonnegative(causes, f, sk_obj_int(v));
}

/* IsValidPercent: digits then '%'; *out the number */
static int percent_of(const char *s, int64_t *out)
{
	size_t n = s ? strlen(s) : 0, i = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 0 || i + 1 != n || s[i] != '%')
		return 0;
	*out = strtoll(s, NULL, 10);
	return 1;
}

int64_t workload_int_or_percent(const sk_obj *v)
{
	int64_t p = 0;
	if (sk_obj_type_of(v) == SK_OBJ_INT)
		return sk_obj_int(v);
	if (percent_of(sk_obj_str(v), &p))
		return p;
	/* IntOrString.IntValue() of another string: strconv.Atoi, 0 when not a number */
	const char *s = sk_obj_str(v);
	char *end = NULL;
	long long n = s && *s ? strtoll(s, &end, 10) : 0;
	return end && *end ? 0 : n;
}

void workload_invalid_int_or_string(sk_obj *causes, const char *field, const sk_obj *v, const char *detail)
{
	/* an IntOrString prints through its String(): unquoted, as the core's check prints it */
	if (sk_obj_type_of(v) == SK_OBJ_STRING)
		sk_cause(causes, "FieldValueInvalid", field, "Invalid value: %s: %s", sk_obj_str(v), detail);
	else
		sk_cause(causes, "FieldValueInvalid", field, "Invalid value: %lld: %s", (long long)sk_obj_int(v), detail);
}

void workload_not_over_100(sk_obj *causes, const char *field, const sk_obj *v)
{
	int64_t p = 0;
	if (sk_obj_type_of(v) == SK_OBJ_STRING && percent_of(sk_obj_str(v), &p) && p > 100)
		workload_invalid_int_or_string(causes, field, v, "must not be greater than 100%");
}

void workload_status_nonnegative(sk_obj *causes, const sk_obj *obj, const char *const *names)
{
	sk_obj *status = sk_obj_get(obj, "status");
	char f[128];
	for (size_t i = 0; status && names[i]; i++) {
		sk_obj *v = sk_obj_get(status, names[i]);
		if (v && sk_obj_type_of(v) == SK_OBJ_INT) {
			snprintf(f, sizeof f, "status.%s", names[i]);
			sk_check_nonnegative(causes, f, sk_obj_int(v));
		}
	}
}

void workload_status_not_above(sk_obj *causes, const sk_obj *obj, const char *a, const char *of, const char *msg)
{
	sk_obj *status = sk_obj_get(obj, "status");
	int64_t va = sk_obj_get_int(status, a, 0), vof = sk_obj_get_int(status, of, 0);
	char f[128];
	if (status && va > vof) {
		snprintf(f, sizeof f, "status.%s", a);
		sk_cause_invalid_int(causes, f, va, "%s", msg);
	}
}

void workload_collision_count(sk_obj *causes, const sk_obj *obj, const sk_obj *old)
{
	sk_obj *now = sk_obj_get(obj, "status.collisionCount"), *was = sk_obj_get(old, "status.collisionCount");
	if (was && (!now || sk_obj_int(now) < sk_obj_int(was)))
		sk_cause_invalid_int(causes, "status.collisionCount", now ? sk_obj_int(now) : 0, "cannot be decremented");
}

int workload_creating(const sk_obj *obj)
{
	const char *rv = sk_obj_get_str(obj, "metadata.resourceVersion");
	return !rv || !*rv;
}

/* ---- columns --------------------------------------------------------------- */

void cell_str(sk_obj *cells, size_t i, const char *s)
{
	char path[24];
	snprintf(path, sizeof path, "[%zu]", i);
	sk_obj_set_str(cells, path, s ? s : "", NULL);
}

void cell_int(sk_obj *cells, size_t i, int64_t v)
{
	char path[24];
	snprintf(path, sizeof path, "[%zu]", i);
	sk_obj_set_int(cells, path, v, NULL);
}

void cell_ratio(sk_obj *cells, size_t i, int64_t have, int64_t want)
{
	char buf[48];
	snprintf(buf, sizeof buf, "%lld/%lld", (long long)have, (long long)want);
	cell_str(cells, i, buf);
}

/* appends s to a growing comma-joined list; cells stay readable, so long
 * lists are cut rather than grown without bound */
static void join(char *buf, size_t cap, size_t k, const char *s)
{
	size_t n = strlen(buf);
	snprintf(buf + n, cap - n, "%s%s", k ? "," : "", s ? s : "");
}

void cell_containers(sk_obj *cells, size_t i, const sk_obj *tmpl)
{
	char names[4096] = "", images[8192] = "";
	sk_obj *cs = sk_obj_get(tmpl, "spec.containers");
	for (size_t k = 0; k < sk_obj_len(cs); k++) {
		join(names, sizeof names, k, sk_obj_get_str(sk_obj_at(cs, k), "name"));
		join(images, sizeof images, k, sk_obj_get_str(sk_obj_at(cs, k), "image"));
	}
	cell_str(cells, i, names);
	cell_str(cells, i + 1, images);
}

void cell_selector(sk_obj *cells, size_t i, const sk_obj *selector, int none_if_empty)
{
	sk_err err = {0};
	if (!selector || sk_obj_type_of(selector) == SK_OBJ_NULL) {
		/* labels.Nothing() prints as "" */
		cell_str(cells, i, none_if_empty ? "<none>" : "");
		return;
	}
	sk_selector *s = sk_label_selector_from_obj(selector, &err);
	if (!s) {
		cell_str(cells, i, none_if_empty ? "<error>" : "<invalid>");
		return;
	}
	char *text = sk_selector_string(s);
	cell_str(cells, i, text && *text ? text : none_if_empty ? "<none>" : "");
	sk_mem_free(text);
	sk_selector_free(s);
}
