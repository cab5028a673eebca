/* jobspec.c — what Jobs and CronJobs share: Kubernetes' validateJobSpec
 * (counts, indexed completion limits, pod failure and success policies,
 * pod replacement, the pod template checked by the Pod kind's own rules,
 * and the OnFailure/Never restart policy), and the `kubectl get` cells both
 * print. */
#include "batch.h"
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARALLELISM_INDEXED 100000
#define MAX_FAILED_INDEXES 100000
#define COMPLETIONS_SOFT_LIMIT 100000
#define PARALLELISM_HIGH_COMPLETIONS 10000
#define MAX_FAILED_INDEXES_HIGH_COMPLETIONS 10000
#define MAX_POD_FAILURE_RULES 20
#define MAX_EXIT_CODE_VALUES 255
#define MAX_POD_CONDITION_PATTERNS 20
#define MAX_MANAGED_BY 63
#define MAX_SUCCEEDED_INDEXES (64 * 1024)
#define MAX_SUCCESS_RULES 20

int batch_creating(const sk_obj *obj)
{
	const char *rv = sk_obj_get_str(obj, "metadata.resourceVersion");
	return !rv || !*rv;
}

/* an int field of the spec, when present: *v its value */
static int int_at(const sk_obj *o, const char *path, int64_t *v)
{
	sk_obj *x = sk_obj_get(o, path);
	if (!x || sk_obj_type_of(x) != SK_OBJ_INT)
		return 0;
	*v = sk_obj_int(x);
	return 1;
}

static const char *fld(char *buf, size_t cap, const char *at, const char *rest)
{
	snprintf(buf, cap, "%s.%s", at, rest);
	return buf;
}

void jobspec_immutable(sk_obj *causes, const char *field, const sk_obj *now, const sk_obj *was)
{
	int same = (!now && !was) || (now && was && sk_obj_equal(now, was));
	if (!same)
		sk_cause_invalid_obj(causes, field, now, "field is immutable");
}

/* ---- the pod template -------------------------------------------------------- */

/* The Pod kind's validation of the template's spec, its causes moved
 * under <at>.template ("spec.containers[0].image" becomes
 * "spec.template.spec.containers[0].image"). */
static void pod_rules(sk_obj *causes, const sk_obj *tmpl, const char *at)
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
		snprintf(f, sizeof f, "%s.template.%s", at, field ? field : "spec");
		sk_cause(causes, sk_obj_get_str(c, "reason") ?: "FieldValueInvalid", f, "%s", msg ? msg : "");
	}
	sk_obj_unref(scratch);
	sk_obj_unref(pod);
}

/* ValidatePodTemplateSpec; Kubernetes names the template's metadata maps
 * without "metadata" */
static void pod_template(sk_obj *causes, const sk_obj *spec, const char *at)
{
	char f[256];
	sk_obj *tmpl = sk_obj_get(spec, "template");
	sk_check_labels(causes, fld(f, sizeof f, at, "template.labels"), sk_obj_get(tmpl, "metadata.labels"));
	sk_check_annotations(causes, fld(f, sizeof f, at, "template.annotations"),
	                     sk_obj_get(tmpl, "metadata.annotations"));
	pod_rules(causes, tmpl, at);
	if (sk_obj_len(sk_obj_get(tmpl, "spec.ephemeralContainers")))
		sk_cause_forbidden(causes, fld(f, sizeof f, at, "template.spec.ephemeralContainers"),
		                   "ephemeral containers not allowed in pod template");
}

static void restart_policy(sk_obj *causes, const sk_obj *spec, const char *at)
{
	char f[256];
	const char *rp = sk_obj_get_str(spec, "template.spec.restartPolicy");
	fld(f, sizeof f, at, "template.spec.restartPolicy");
	/* the schema defaults a template's restartPolicy to Always, as SetDefaults_PodSpec does */
	if (!rp || !*rp || !strcmp(rp, "Always"))
		sk_cause_required(causes, f, "valid values: \"OnFailure\", \"Never\"");
	else if (strcmp(rp, "OnFailure") && strcmp(rp, "Never"))
		sk_cause_not_supported(causes, f, rp, SK_LIST("OnFailure", "Never"));
	else if (sk_obj_get(spec, "podFailurePolicy") && strcmp(rp, "Never"))
		sk_cause_invalid_str(causes, f, rp, "only \"Never\" is supported when podFailurePolicy is specified");
}

/* ---- pod failure policy ------------------------------------------------------ */

static int has_container(const sk_obj *spec, const char *name)
{
	static const char *const lists[] = {"template.spec.containers", "template.spec.initContainers"};
	for (size_t l = 0; l < 2; l++) {
		sk_obj *cs = sk_obj_get(spec, lists[l]);
		for (size_t i = 0; i < sk_obj_len(cs); i++) {
			const char *n = sk_obj_get_str(sk_obj_at(cs, i), "name");
			if (n && !strcmp(n, name))
				return 1;
		}
	}
	return 0;
}

static void on_exit_codes(sk_obj *causes, const sk_obj *spec, const sk_obj *req, const char *path)
{
	char f[320];
	/* the operator's presence and values are the schema's */
	const char *op = sk_obj_get_str(req, "operator"), *cname = sk_obj_get_str(req, "containerName");
	if (cname && !has_container(spec, cname))
		sk_cause_invalid_str(causes, fld(f, sizeof f, path, "containerName"), cname,
		                     "must be one of the container or initContainer names in the pod template");
	sk_obj *values = sk_obj_get(req, "values");
	size_t n = sk_obj_len(values);
	fld(f, sizeof f, path, "values");
	if (n == 0)
		sk_cause_invalid_obj(causes, f, values, "at least one value is required");
	else if (n > MAX_EXIT_CODE_VALUES)
		sk_cause_too_many(causes, f, (int64_t)n, MAX_EXIT_CODE_VALUES);
	int ordered = 1;
	/* a list past the limit is an error already: its tail is not searched for duplicates */
	for (size_t j = 0; j < n && j <= MAX_EXIT_CODE_VALUES; j++) {
		int64_t v = sk_obj_int(sk_obj_at(values, j));
		char vf[340];
		snprintf(vf, sizeof vf, "%s[%zu]", f, j);
		if (op && !strcmp(op, "In") && v == 0)
			sk_cause_invalid_int(causes, vf, v, "must not be 0 for the In operator");
		for (size_t k = 0; k < j; k++)
			if (sk_obj_int(sk_obj_at(values, k)) == v) {
				sk_cause(causes, "FieldValueDuplicate", vf, "Duplicate value: %lld", (long long)v);
				break;
			}
		if (j > 0 && sk_obj_int(sk_obj_at(values, j - 1)) > v)
			ordered = 0;
	}
	if (!ordered)
		sk_cause_invalid_obj(causes, f, values, "must be ordered");
}

static void on_pod_conditions(sk_obj *causes, const sk_obj *patterns, const char *path)
{
	size_t n = sk_obj_len(patterns);
	char f[340];
	if (n > MAX_POD_CONDITION_PATTERNS)
		sk_cause_too_many(causes, path, (int64_t)n, MAX_POD_CONDITION_PATTERNS);
	for (size_t j = 0; j < n; j++) {
		sk_obj *p = sk_obj_at(patterns, j);
		const char *status = sk_obj_get_str(p, "status");
		snprintf(f, sizeof f, "%s[%zu].type", path, j);
		sk_check_qualified_name(causes, f, sk_obj_get_str(p, "type"));
		snprintf(f, sizeof f, "%s[%zu].status", path, j);
		if (!status || !*status)
			sk_cause_required(causes, f, "valid values: [\"False\" \"True\" \"Unknown\"]");
		else if (strcmp(status, "True") && strcmp(status, "False") && strcmp(status, "Unknown"))
			sk_cause_not_supported(causes, f, status, SK_LIST("False", "True", "Unknown"));
	}
}

/* validatePodFailurePolicy; actions and operators outside their sets are
 * the schema's enum errors */
static void pod_failure_policy(sk_obj *causes, const sk_obj *spec, const char *at)
{
	char rules_f[256], f[300];
	sk_obj *rules = sk_obj_get(spec, "podFailurePolicy.rules");
	size_t n = sk_obj_len(rules);
	fld(rules_f, sizeof rules_f, at, "podFailurePolicy.rules");
	if (n > MAX_POD_FAILURE_RULES)
		sk_cause_too_many(causes, rules_f, (int64_t)n, MAX_POD_FAILURE_RULES);
	for (size_t i = 0; i < n; i++) {
		sk_obj *rule = sk_obj_at(rules, i), *codes = sk_obj_get(rule, "onExitCodes");
		sk_obj *conds = sk_obj_get(rule, "onPodConditions");
		const char *action = sk_obj_get_str(rule, "action");
		char rule_f[280];
		snprintf(rule_f, sizeof rule_f, "%s[%zu]", rules_f, i);
		if (action && !strcmp(action, "FailIndex") && !sk_obj_get(spec, "backoffLimitPerIndex"))
			sk_cause_invalid_str(causes, fld(f, sizeof f, rule_f, "action"), action,
			                     "requires the backoffLimitPerIndex to be set");
		if (codes)
			on_exit_codes(causes, spec, codes, fld(f, sizeof f, rule_f, "onExitCodes"));
		if (sk_obj_len(conds))
			on_pod_conditions(causes, conds, fld(f, sizeof f, rule_f, "onPodConditions"));
		/* field.OmitValueType: the message has no value */
		if (codes && sk_obj_len(conds))
			sk_cause(causes, "FieldValueInvalid", rule_f,
			         "Invalid value: specifying both OnExitCodes and OnPodConditions is not supported");
		if (!codes && !sk_obj_len(conds))
			sk_cause(causes, "FieldValueInvalid", rule_f,
			         "Invalid value: specifying one of OnExitCodes and OnPodConditions is required");
	}
}

/* ---- success policy ---------------------------------------------------------- */

/* strconv.Atoi of a piece of an index list */
static int atoi_piece(const char *s, size_t n, long long *out)
{
	size_t i = 0;
	if (n && (s[0] == '+' || s[0] == '-'))
		i++;
	if (i == n || n - i > 18)
		return -1;
	for (size_t k = i; k < n; k++)
		if (!isdigit((unsigned char)s[k]))
			return -1;
	*out = strtoll(s, NULL, 10);
	return 0;
}

/* parseIndexInterval: "x" or "x-y" below completions; -1 with msg on error */
static int index_interval(const char *s, size_t n, int64_t completions, long long *x, long long *y, char *msg,
                          size_t cap)
{
	const char *dash = memchr(s, '-', n);
	if (dash && memchr(dash + 1, '-', n - (size_t)(dash + 1 - s))) {
		snprintf(msg, cap,
		         "the fragment \"%.*s\" violates the requirement that an index interval can have at most two parts "
		         "separated by '-'",
		         (int)n, s);
		return -1;
	}
	size_t xn = dash ? (size_t)(dash - s) : n;
	if (atoi_piece(s, xn, x)) {
		snprintf(msg, cap, "cannot convert string to integer for index: \"%.*s\"", (int)xn, s);
		return -1;
	}
	if (*x >= completions) {
		snprintf(msg, cap, "too large index: \"%.*s\"", (int)xn, s);
		return -1;
	}
	*y = *x;
	if (!dash)
		return 0;
	size_t yn = n - xn - 1;
	if (atoi_piece(dash + 1, yn, y)) {
		snprintf(msg, cap, "cannot convert string to integer for index: \"%.*s\"", (int)yn, dash + 1);
		return -1;
	}
	if (*y >= completions) {
		snprintf(msg, cap, "too large index: \"%.*s\"", (int)yn, dash + 1);
		return -1;
	}
	if (*x >= *y) {
		snprintf(msg, cap, "non-increasing order, previous: %lld, current: %lld", *x, *y);
		return -1;
	}
	return 0;
}

/* validateIndexesFormat: ascending intervals; *total the indexes they hold */
static int indexes_format(const char *s, int64_t completions, long long *total, char *msg, size_t cap)
{
	long long last = 0, x, y;
	int have_last = 0;
	*total = 0;
	if (!*s)
		return 0;
	for (const char *p = s;;) {
		size_t n = strcspn(p, ",");
		/* on error Go returns a total of 0 */
		if (index_interval(p, n, completions, &x, &y, msg, cap)) {
			*total = 0;
			return -1;
		}
		if (have_last && last >= x) {
			snprintf(msg, cap, "non-increasing order, previous: %lld, current: %lld", last, x);
			*total = 0;
			return -1;
		}
		*total += y - x + 1;
		last = y;
		have_last = 1;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static void success_rule(sk_obj *causes, const sk_obj *spec, const sk_obj *rule, const char *path)
{
	char f[320], msg[512];
	sk_obj *count = sk_obj_get(rule, "succeededCount");
	const char *indexes = sk_obj_get_str(rule, "succeededIndexes");
	int64_t completions = 0;
	int have_completions = int_at(spec, "completions", &completions);
	long long total = 0;
	if (!count && !indexes)
		sk_cause_required(causes, path, "at least one of succeededCount or succeededIndexes must be specified");
	if (indexes) {
		fld(f, sizeof f, path, "succeededIndexes");
		if (strlen(indexes) > MAX_SUCCEEDED_INDEXES)
			sk_cause_too_long(causes, f, MAX_SUCCEEDED_INDEXES);
		/* an Indexed job without completions is already an error */
		if (have_completions && indexes_format(indexes, completions, &total, msg, sizeof msg))
			sk_cause_invalid_str(causes, f, indexes, "error parsing succeededIndexes: %s", msg);
	}
	if (count && sk_obj_type_of(count) == SK_OBJ_INT) {
		int64_t c = sk_obj_int(count);
		fld(f, sizeof f, path, "succeededCount");
		sk_check_nonnegative(causes, f, c);
		if (have_completions && c > completions)
			sk_cause_invalid_int(causes, f, c, "must be less than or equal to %lld (the number of specified completions)",
			                     (long long)completions);
		if (indexes && c > total)
			sk_cause_invalid_int(causes, f, c,
			                     "must be less than or equal to %lld (the number of indexes in the specified "
			                     "succeededIndexes field)",
			                     total);
	}
}

static void success_policy(sk_obj *causes, const sk_obj *spec, const char *at)
{
	char rules_f[256], rule_f[280];
	sk_obj *rules = sk_obj_get(spec, "successPolicy.rules");
	size_t n = sk_obj_len(rules);
	fld(rules_f, sizeof rules_f, at, "successPolicy.rules");
	if (n == 0)
		sk_cause_required(causes, rules_f, "at least one rules must be specified when the successPolicy is specified");
	if (n > MAX_SUCCESS_RULES)
		sk_cause_too_many(causes, rules_f, (int64_t)n, MAX_SUCCESS_RULES);
	for (size_t i = 0; i < n; i++) {
		snprintf(rule_f, sizeof rule_f, "%s[%zu]", rules_f, i);
		success_rule(causes, spec, sk_obj_at(rules, i), rule_f);
	}
}

/* ---- the spec ---------------------------------------------------------------- */

/* IsDomainPrefixedPath: "acme.io/foo" */
static void managed_by(sk_obj *causes, const char *v, const char *f)
{
	const char *slash = strchr(v, '/');
	if (!*v) {
		sk_cause_required(causes, f, NULL);
		return;
	}
	if (!slash || slash == v || !slash[1]) {
		sk_cause_invalid_str(causes, f, v, "must be a domain-prefixed path (such as \"acme.io/foo\")");
		return;
	}
	char host[256];
	snprintf(host, sizeof host, "%.*s", (int)(slash - v), v);
	sk_check_dns1123_subdomain(causes, f, host);
	for (const char *c = slash + 1; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("/-._~%!$&'()*+,;=:", *c)) {
			sk_cause_invalid_str(causes, f, slash + 1,
			                     "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%%!$&'()*+,;=:]+')");
			break;
		}
	if (strlen(v) > MAX_MANAGED_BY)
		sk_cause_too_long(causes, f, MAX_MANAGED_BY);
}

static void indexed_limits(sk_obj *causes, const sk_obj *spec, const char *at)
{
	char f[256];
	int64_t completions = 0, parallelism = 0, max_failed = 0;
	int has_c = int_at(spec, "completions", &completions), has_p = int_at(spec, "parallelism", &parallelism);
	int has_m = int_at(spec, "maxFailedIndexes", &max_failed);
	if (!sk_obj_get(spec, "completions"))
		sk_cause_required(causes, fld(f, sizeof f, at, "completions"), "when completion mode is Indexed");
	if (has_p && parallelism > MAX_PARALLELISM_INDEXED)
		sk_cause_invalid_int(causes, fld(f, sizeof f, at, "parallelism"), parallelism,
		                     "must be less than or equal to %d when completion mode is Indexed",
		                     MAX_PARALLELISM_INDEXED);
	if (has_c && has_m && max_failed > completions)
		sk_cause_invalid_int(causes, fld(f, sizeof f, at, "maxFailedIndexes"), max_failed,
		                     "must be less than or equal to completions");
	if (has_m && max_failed > MAX_FAILED_INDEXES)
		sk_cause_invalid_int(causes, fld(f, sizeof f, at, "maxFailedIndexes"), max_failed,
		                     "must be less than or equal to %d", MAX_FAILED_INDEXES);
	if (has_c && completions > COMPLETIONS_SOFT_LIMIT && sk_obj_get(spec, "backoffLimitPerIndex")) {
		if (!sk_obj_get(spec, "maxFailedIndexes"))
			sk_cause_required(causes, fld(f, sizeof f, at, "maxFailedIndexes"),
			                  "must be specified when completions is above 100000");
		if (has_p && parallelism > PARALLELISM_HIGH_COMPLETIONS)
			sk_cause_invalid_int(causes, fld(f, sizeof f, at, "parallelism"), parallelism,
			                     "must be less than or equal to %d when completions are above %d and used with "
			                     "backoff limit per index",
			                     PARALLELISM_HIGH_COMPLETIONS, COMPLETIONS_SOFT_LIMIT);
		if (has_m && max_failed > MAX_FAILED_INDEXES_HIGH_COMPLETIONS)
			sk_cause_invalid_int(causes, fld(f, sizeof f, at, "maxFailedIndexes"), max_failed,
			                     "must be less than or equal to %d when completions are above %d and used with "
			                     "backoff limit per index",
			                     MAX_FAILED_INDEXES_HIGH_COMPLETIONS, COMPLETIONS_SOFT_LIMIT);
	}
}

/* validatePodReplacementPolicy: only Failed beside a pod failure policy;
 * other values are the schema's enum errors */
static void pod_replacement(sk_obj *causes, const sk_obj *spec, const char *at)
{
	char f[256];
	const char *prp = sk_obj_get_str(spec, "podReplacementPolicy");
	if (prp && sk_obj_get(spec, "podFailurePolicy") && strcmp(prp, "Failed"))
		sk_cause_not_supported(causes, fld(f, sizeof f, at, "podReplacementPolicy"), prp, SK_LIST("Failed"));
}

void jobspec_validate(sk_obj *causes, const sk_obj *spec, const char *at)
{
	static const char *const counts[] = {"parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
	                                     "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"};
	char f[256];
	int64_t v;
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
		if (int_at(spec, counts[i], &v))
			sk_check_nonnegative(causes, fld(f, sizeof f, at, counts[i]), v);
	if (sk_obj_get(spec, "maxFailedIndexes") && !sk_obj_get(spec, "backoffLimitPerIndex"))
		sk_cause_required(causes, fld(f, sizeof f, at, "backoffLimitPerIndex"), "when maxFailedIndexes is specified");
	const char *mb = sk_obj_get_str(spec, "managedBy");
	if (mb)
		managed_by(causes, mb, fld(f, sizeof f, at, "managedBy"));
	const char *mode = sk_obj_get_str(spec, "completionMode");
	int indexed = mode && !strcmp(mode, "Indexed");
	if (indexed)
		indexed_limits(causes, spec, at);
	else {
		if (int_at(spec, "backoffLimitPerIndex", &v))
			sk_cause_invalid_int(causes, fld(f, sizeof f, at, "backoffLimitPerIndex"), v,
			                     "requires indexed completion mode");
		if (int_at(spec, "maxFailedIndexes", &v))
			sk_cause_invalid_int(causes, fld(f, sizeof f, at, "maxFailedIndexes"), v,
			                     "requires indexed completion mode");
	}
	if (sk_obj_get(spec, "podFailurePolicy"))
		pod_failure_policy(causes, spec, at);
	sk_obj *sp = sk_obj_get(spec, "successPolicy");
	if (sp && !indexed)
		sk_cause_invalid_obj(causes, fld(f, sizeof f, at, "successPolicy"), sp, "requires indexed completion mode");
	else if (sp)
		success_policy(causes, spec, at);
	pod_replacement(causes, spec, at);
	pod_template(causes, spec, at);
	restart_policy(causes, spec, at);
}

/* ---- columns ----------------------------------------------------------------- */

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

/* appends s to a comma-joined list; cells stay readable, so long lists
 * are cut rather than grown without bound */
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

void cell_selector(sk_obj *cells, size_t i, const sk_obj *selector)
{
	sk_err err = {0};
	if (!selector || sk_obj_type_of(selector) == SK_OBJ_NULL) {
		cell_str(cells, i, "<none>");
		return;
	}
	sk_selector *s = sk_label_selector_from_obj(selector, &err);
	if (!s) {
		cell_str(cells, i, "<error>");
		return;
	}
	char *text = sk_selector_string(s);
	cell_str(cells, i, text && *text ? text : "<none>");
	sk_mem_free(text);
	sk_selector_free(s);
}
