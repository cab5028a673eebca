/* job.c — Jobs: SetDefaults_Job and the selector and labels the server
 * generates from the Job's uid, ValidateJob with the generated-selector
 * and update rules (a template changes only while the Job is suspended
 * and has never started, and then only in its scheduling directives), and
 * the STATUS / COMPLETIONS / DURATION columns. */
#include "batch.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

#define LEGACY_UID "controller-uid"
#define LEGACY_NAME "job-name"
#define UID_LABEL "batch.kubernetes.io/controller-uid"
#define NAME_LABEL "batch.kubernetes.io/job-name"

static void label_if_missing(sk_obj *job, const char *key, const char *value)
{
	char path[128];
	snprintf(path, sizeof path, "spec.template.metadata.labels[\"%s\"]", key);
	if (!sk_obj_get(job, path))
		sk_obj_set_str(job, path, value ? value : "", NULL);
}

/* generateSelector (PrepareForCreate): the job's pods carry its name and
 * uid, and it selects them by uid; labels the user set are left for
 * validation to judge */
static void generate_selector(sk_obj *job)
{
	const char *name = sk_obj_get_str(job, "metadata.name"), *uid = sk_obj_get_str(job, "metadata.uid");
	label_if_missing(job, LEGACY_NAME, name);
	label_if_missing(job, NAME_LABEL, name);
	label_if_missing(job, LEGACY_UID, uid);
	label_if_missing(job, UID_LABEL, uid);
	if (!sk_obj_get(job, "spec.selector.matchLabels[\"" UID_LABEL "\"]"))
		sk_obj_set_str(job, "spec.selector.matchLabels[\"" UID_LABEL "\"]", uid ? uid : "", NULL);
}

static void defaults(void *ud, sk_obj *job)
{
	(void)ud;
	sk_obj *spec = sk_obj_get(job, "spec");
	if (!spec)
		return;
	if (!sk_obj_get(spec, "completions") && !sk_obj_get(spec, "parallelism"))
		sk_obj_set_int(spec, "completions", 1, NULL);
	if (!sk_obj_get(spec, "parallelism"))
		sk_obj_set_int(spec, "parallelism", 1, NULL);
	if (!sk_obj_get(spec, "backoffLimit"))
		sk_obj_set_int(spec, "backoffLimit", sk_obj_get(spec, "backoffLimitPerIndex") ? 2147483647 : 6, NULL);
	/* a Job without labels takes its pod template's */
	sk_obj *tl = sk_obj_get(spec, "template.metadata.labels");
	if (tl && sk_obj_type_of(tl) == SK_OBJ_OBJECT && !sk_obj_len(sk_obj_get(job, "metadata.labels"))) {
		sk_obj *copy = sk_obj_copy(tl);
		sk_obj_set(job, "metadata.labels", copy, NULL);
		sk_obj_unref(copy);
	}
	if (!sk_obj_get(spec, "completionMode"))
		sk_obj_set_str(spec, "completionMode", "NonIndexed", NULL);
	if (!sk_obj_get(spec, "suspend"))
		sk_obj_set_bool(spec, "suspend", 0, NULL);
	sk_obj *rules = sk_obj_get(spec, "podFailurePolicy.rules");
	for (size_t i = 0; i < sk_obj_len(rules); i++) {
		sk_obj *pats = sk_obj_get(sk_obj_at(rules, i), "onPodConditions");
		for (size_t k = 0; k < sk_obj_len(pats); k++) {
			const char *st = sk_obj_get_str(sk_obj_at(pats, k), "status");
			if (!st || !*st)
				sk_obj_set_str(sk_obj_at(pats, k), "status", "True", NULL);
		}
	}
	if (!sk_obj_get(spec, "podReplacementPolicy"))
		sk_obj_set_str(spec, "podReplacementPolicy",
		               sk_obj_get(spec, "podFailurePolicy") ? "Failed" : "TerminatingOrFailed", NULL);
	if (!sk_obj_get(spec, "manualSelector"))
		sk_obj_set_bool(spec, "manualSelector", 0, NULL);
	if (batch_creating(job) && !sk_obj_get_bool(spec, "manualSelector", 0))
		generate_selector(job);
}

/* ---- validation -------------------------------------------------------------- */

/* ValidateHasLabel on spec.template.metadata.labels */
static void has_label(sk_obj *causes, const sk_obj *labels, const char *key, const char *want)
{
	char path[128], f[160];
	snprintf(path, sizeof path, "[\"%s\"]", key);
	snprintf(f, sizeof f, "spec.template.metadata.labels[%s]", key);
	const char *have = sk_obj_get_str(labels, path);
	if (!sk_obj_get(labels, path))
		sk_cause_required(causes, f, want);
	else if (!have || strcmp(have, want))
		sk_cause_invalid_obj(causes, f, labels, "must be '%s'", want);
}

/* validateGeneratedSelector: without manualSelector the template carries
 * the generated labels and the selector selects them */
static void generated_selector(sk_obj *causes, const sk_obj *job, int prefixed)
{
	sk_obj *sel = sk_obj_get(job, "spec.selector"), *labels = sk_obj_get(job, "spec.template.metadata.labels");
	const char *uid = sk_obj_get_str(job, "metadata.uid"), *name = sk_obj_get_str(job, "metadata.name");
	if (sk_obj_get_bool(job, "spec.manualSelector", 0) || !sel)
		return;
	if (!uid || !*uid)
		sk_cause_required(causes, "metadata.uid", NULL);
	uid = uid ? uid : "";
	name = name ? name : "";
	has_label(causes, labels, LEGACY_UID, uid);
	has_label(causes, labels, LEGACY_NAME, name);
	sk_obj *expected = sk_obj_new_object();
	if (prefixed) {
		has_label(causes, labels, UID_LABEL, uid);
		has_label(causes, labels, NAME_LABEL, name);
		sk_obj_set_str(expected, "[\"" UID_LABEL "\"]", uid, NULL);
		sk_obj_set_str(expected, "[\"" NAME_LABEL "\"]", name, NULL);
	}
	sk_obj_set_str(expected, "[\"" LEGACY_UID "\"]", uid, NULL);
	sk_obj_set_str(expected, "[\"" LEGACY_NAME "\"]", name, NULL);
	sk_err err = {0};
	sk_selector *s = sk_label_selector_from_obj(sel, &err);
	if (s && !sk_selector_matches_labels(s, expected))
		sk_cause_invalid_obj(causes, "spec.selector", sel, "`selector` not auto-generated");
	sk_selector_free(s);
	sk_obj_unref(expected);
}

/* ValidateJobSpec's selector rules: required, well formed, and matching
 * the template (an absent selector matches nothing) */
static void selector(sk_obj *causes, const sk_obj *spec)
{
	sk_obj *sel = sk_obj_get(spec, "selector"), *labels = sk_obj_get(spec, "template.metadata.labels");
	int match = 0;
	if (!sel)
		sk_cause_required(causes, "spec.selector", NULL);
	else {
		sk_check_label_selector(causes, "spec.selector", sel);
		sk_err err = {0};
		sk_selector *s = sk_label_selector_from_obj(sel, &err);
		if (!s)
			return;
		match = sk_selector_matches_labels(s, labels);
		sk_selector_free(s);
	}
	if (!match)
		sk_cause_invalid_obj(causes, "spec.template.metadata.labels", labels,
		                     "`selector` does not match template `labels`");
}

/* Indexed pods are named <job>-<index>, which must stay a DNS label */
static void indexed_name(sk_obj *causes, const sk_obj *job)
{
	const char *mode = sk_obj_get_str(job, "spec.completionMode"), *name = sk_obj_get_str(job, "metadata.name");
	int64_t completions = sk_obj_get_int(job, "spec.completions", 0);
	char host[320];
	if (!mode || strcmp(mode, "Indexed") || completions <= 0 || !name)
		return;
	snprintf(host, sizeof host, "%s-%lld", name, (long long)(completions - 1));
	if (sk_check_dns1123_label(NULL, NULL, host))
		sk_cause_invalid_str(causes, "metadata.name", name, "will not able to create pod with invalid DNS label: %s",
		                     host);
}

static void take_or_drop(sk_obj *dst, const char *path, const sk_obj *src)
{
	sk_obj *v = sk_obj_get(src, path);
	if (v)
		sk_obj_set(dst, path, v, NULL);
	else
		sk_obj_del(dst, path);
}

/* validatePodTemplateUpdate: the template is fixed, except that a Job
 * suspended and never started may change its node affinity, node
 * selector, tolerations, scheduling gates, labels and annotations */
static void template_update(sk_obj *causes, const sk_obj *job, const sk_obj *old)
{
	sk_obj *now = sk_obj_get(job, "spec.template"), *was = sk_obj_copy(sk_obj_get(old, "spec.template"));
	int mutable = sk_obj_get_bool(old, "spec.suspend", 0) && !sk_obj_get(old, "status.startTime");
	if (mutable && was) {
		sk_obj *na = sk_obj_get(now, "spec.affinity"), *oa = sk_obj_get(was, "spec.affinity");
		if (!na && oa) {
			sk_obj_del(oa, "nodeAffinity");
			if (!sk_obj_len(oa))
				sk_obj_del(was, "spec.affinity");
		} else if (na && !oa) {
			sk_obj *a = sk_obj_new_object();
			if (sk_obj_get(na, "nodeAffinity"))
				sk_obj_set(a, "nodeAffinity", sk_obj_get(na, "nodeAffinity"), NULL);
			sk_obj_set(was, "spec.affinity", a, NULL);
			sk_obj_unref(a);
		} else if (na && oa)
			take_or_drop(was, "spec.affinity.nodeAffinity", now);
		take_or_drop(was, "spec.nodeSelector", now);
		take_or_drop(was, "spec.tolerations", now);
		take_or_drop(was, "metadata.annotations", now);
		take_or_drop(was, "metadata.labels", now);
		take_or_drop(was, "spec.schedulingGates", now);
	}
	jobspec_immutable(causes, "spec.template", now, was);
	sk_obj_unref(was);
}

/* ValidateJobSpecUpdate, past the spec checks already made */
static void validate_update(sk_obj *causes, const sk_obj *job, const sk_obj *old)
{
	static const char *const fixed[] = {"completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy",
	                                    "successPolicy"};
	sk_obj *spec = sk_obj_get(job, "spec"), *ospec = sk_obj_get(old, "spec");
	sk_obj *c = sk_obj_get(spec, "completions"), *oc = sk_obj_get(ospec, "completions");
	const char *mode = sk_obj_get_str(spec, "completionMode");
	/* elastic Indexed Jobs (GA in 1.31) scale completions with parallelism */
	if (mode && !strcmp(mode, "Indexed")) {
		int same = (!c && !oc) || (c && oc && sk_obj_equal(c, oc));
		if (!same && c && sk_obj_int(c) != sk_obj_get_int(spec, "parallelism", 1))
			sk_cause_invalid_int(causes, "spec.completions", sk_obj_int(c),
			                     "can only be modified in tandem with spec.parallelism");
	} else
		jobspec_immutable(causes, "spec.completions", c, oc);
	jobspec_immutable(causes, "spec.selector", sk_obj_get(spec, "selector"), sk_obj_get(ospec, "selector"));
	template_update(causes, job, old);
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		char f[64];
		snprintf(f, sizeof f, "spec.%s", fixed[i]);
		jobspec_immutable(causes, f, sk_obj_get(spec, fixed[i]), sk_obj_get(ospec, fixed[i]));
	}
}

static void status(sk_obj *causes, const sk_obj *job)
{
	static const char *const counts[] = {"active", "succeeded", "failed", "ready", "terminating"};
	char f[64];
	sk_obj *st = sk_obj_get(job, "status");
	for (size_t i = 0; st && i < sizeof counts / sizeof counts[0]; i++) {
		sk_obj *v = sk_obj_get(st, counts[i]);
		if (v && sk_obj_type_of(v) == SK_OBJ_INT) {
			snprintf(f, sizeof f, "status.%s", counts[i]);
			sk_check_nonnegative(causes, f, sk_obj_int(v));
		}
	}
}

static int validate(void *ud, const sk_obj *job, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	sk_obj *spec = sk_obj_get(job, "spec");
	/* the batch.kubernetes.io labels are required of Jobs created with them */
	int prefixed = !old || (sk_obj_get(old, "spec.template.metadata.labels[\"" UID_LABEL "\"]") &&
	                        sk_obj_get(old, "spec.template.metadata.labels[\"" NAME_LABEL "\"]"));
	generated_selector(causes, job, prefixed);
	jobspec_validate(causes, spec, "spec");
	selector(causes, spec);
	indexed_name(causes, job);
	if (old)
		validate_update(causes, job, old);
	status(causes, job);
	return sk_obj_len(causes) ? SK_EINVALID : SK_OK;
}

/* ---- columns ----------------------------------------------------------------- */

static const sk_column columns[] = {
	{"Status", "string", "Status of the job.", 0, NULL},
	{"Completions", "string", "The number of pods which reached phase Succeeded.", 0, NULL},
	{"Duration", "string", "Time required to complete the job.", 0, NULL},
	BATCH_AGE,
	BATCH_CONTAINERS,
	BATCH_IMAGES,
	BATCH_SELECTOR,
	BATCH_END,
};

/* hasJobCondition: the first condition of the type decides */
static int has_condition(const sk_obj *job, const char *type)
{
	sk_obj *conds = sk_obj_get(job, "status.conditions");
	for (size_t i = 0; i < sk_obj_len(conds); i++) {
		const char *t = sk_obj_get_str(sk_obj_at(conds, i), "type"), *s = sk_obj_get_str(sk_obj_at(conds, i), "status");
		if (t && !strcmp(t, type))
			return s && !strcmp(s, "True");
	}
	return 0;
}

static const char *job_status(const sk_obj *job)
{
	if (has_condition(job, "Complete"))
		return "Complete";
	if (has_condition(job, "Failed"))
		return "Failed";
	if (sk_obj_get_str(job, "metadata.deletionTimestamp"))
		return "Terminating";
	if (has_condition(job, "Suspended"))
		return "Suspended";
	if (has_condition(job, "FailureTarget"))
		return "FailureTarget";
	if (has_condition(job, "SuccessCriteriaMet"))
		return "SuccessCriteriaMet";
	return "Running";
}

/* seconds since the epoch of an RFC 3339 time; -1 if unreadable */
static long long epoch_of(const char *ts)
{
	struct tm tm = {0};
	const char *rest = ts ? strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!rest)
		return -1;
	long long t = (long long)timegm(&tm);
	if (*rest == '.')
		for (rest++; *rest >= '0' && *rest <= '9'; rest++)
			;
	int hh = 0, mm = 0;
	if ((*rest == '+' || *rest == '-') && sscanf(rest + 1, "%2d:%2d", &hh, &mm) == 2)
		t -= (*rest == '+' ? 1 : -1) * (hh * 3600LL + mm * 60LL);
	return t;
}

static void row(void *ud, const sk_obj *job, sk_obj *cells)
{
	(void)ud;
	char buf[96] = "";
	int64_t succeeded = sk_obj_get_int(job, "status.succeeded", 0);
	cell_str(cells, 0, job_status(job));
	if (sk_obj_get(job, "spec.completions"))
		snprintf(buf, sizeof buf, "%lld/%lld", (long long)succeeded,
		         (long long)sk_obj_get_int(job, "spec.completions", 0));
	else if (sk_obj_get_int(job, "spec.parallelism", 0) > 1)
		snprintf(buf, sizeof buf, "%lld/1 of %lld", (long long)succeeded,
		         (long long)sk_obj_get_int(job, "spec.parallelism", 0));
	else
		snprintf(buf, sizeof buf, "%lld/1", (long long)succeeded);
	cell_str(cells, 1, buf);
	long long start = epoch_of(sk_obj_get_str(job, "status.startTime"));
	const char *done = sk_obj_get_str(job, "status.completionTime");
	buf[0] = '\0';
	if (start >= 0)
		sk_human_duration((done ? epoch_of(done) : (long long)(sk_clock_now_ms() / 1000)) - start, buf, sizeof buf);
	cell_str(cells, 2, buf);
	cell_containers(cells, 4, sk_obj_get(job, "spec.template"));
	cell_selector(cells, 6, sk_obj_get(job, "spec.selector"));
}

void batch_job(sk_resource_ops *r)
{
	r->defaults = defaults;
	r->validate = validate;
	r->columns = columns;
	r->row = row;
}
