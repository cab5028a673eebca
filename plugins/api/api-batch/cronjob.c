/* cronjob.c — CronJobs: validateCronJobSpec (the schedule as robfig/cron
 * reads it, no TZ in it, a known time zone, and a job template whose
 * selector the controller generates), the 52-character name limit, and the
 * SCHEDULE / TIMEZONE / SUSPEND / ACTIVE / LAST SCHEDULE columns. */
#include "batch.h"
#include <stdio.h>
#include <string.h>

static void schedule(sk_obj *causes, const sk_obj *spec, const sk_obj *old)
{
	char msg[512];
	const char *s = sk_obj_get_str(spec, "schedule");
	if (!s)
		return; /* absent: the schema's Required */
	if (!*s) {
		sk_cause_required(causes, "spec.schedule", NULL);
		return;
	}
	if (cron_parse(s, msg, sizeof msg))
		sk_cause_invalid_str(causes, "spec.schedule", s, "%s", msg);
	/* a schedule stored with TZ before timeZone existed may keep it */
	const char *was = sk_obj_get_str(old, "spec.schedule");
	int allow_tz = was && strstr(was, "TZ");
	if (allow_tz && strstr(s, "TZ") && sk_obj_get(spec, "timeZone"))
		sk_cause_invalid_str(causes, "spec.schedule", s, "cannot use both timeZone field and TZ or CRON_TZ in schedule");
	else if (!allow_tz && strstr(s, "TZ"))
		sk_cause_invalid_str(causes, "spec.schedule", s,
		                     "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
}

/* ValidateJobTemplateSpec: validateJobSpec, and no selector of its own */
static void job_template(sk_obj *causes, const sk_obj *spec)
{
	sk_obj *js = sk_obj_get(spec, "jobTemplate.spec"), *sel = sk_obj_get(js, "selector");
	jobspec_validate(causes, js, "spec.jobTemplate.spec");
	if (sel)
		sk_cause_invalid_obj(causes, "spec.jobTemplate.spec.selector", sel, "`selector` will be auto-generated");
	if (sk_obj_get_bool(js, "manualSelector", 0))
		sk_cause(causes, "FieldValueNotSupported", "spec.jobTemplate.spec.manualSelector",
		         "Unsupported value: true: supported values: \"nil\", \"false\"");
}

static void nonnegative(sk_obj *causes, const sk_obj *spec, const char *name)
{
	sk_obj *v = sk_obj_get(spec, name);
	char f[96];
	if (v && sk_obj_type_of(v) == SK_OBJ_INT) {
		snprintf(f, sizeof f, "spec.%s", name);
		sk_check_nonnegative(causes, f, sk_obj_int(v));
	}
}

/* validateCronJobSpec; concurrencyPolicy's values are the schema's */
static int validate(void *ud, const sk_obj *cj, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	char msg[512];
	sk_obj *spec = sk_obj_get(cj, "spec"), *tz = sk_obj_get(spec, "timeZone");
	schedule(causes, spec, old);
	nonnegative(causes, spec, "startingDeadlineSeconds");
	sk_obj *old_tz = sk_obj_get(old, "spec.timeZone");
	int tz_changed = !old || !((!tz && !old_tz) || (tz && old_tz && sk_obj_equal(tz, old_tz)));
	if (tz && tz_changed && sk_obj_str(tz) && cron_time_zone(sk_obj_str(tz), msg, sizeof msg))
		sk_cause_invalid_str(causes, "spec.timeZone", sk_obj_str(tz), "%s", msg);
	job_template(causes, spec);
	nonnegative(causes, spec, "successfulJobsHistoryLimit");
	nonnegative(causes, spec, "failedJobsHistoryLimit");
	/* a Job is named <cronjob>-<11 characters>, within a 63-character label */
	const char *name = sk_obj_get_str(cj, "metadata.name");
	if (!old && name && strlen(name) > 52)
		sk_cause_invalid_str(causes, "metadata.name", name, "must be no more than 52 characters");
	return sk_obj_len(causes) ? SK_EINVALID : SK_OK;
}

static const sk_column columns[] = {
	{"Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.", 0, NULL},
	{"Timezone", "string",
	 "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
	 0, NULL},
	{"Suspend", "boolean",
	 "This flag tells the controller to suspend subsequent executions, it does not apply to already started "
	 "executions.",
	 0, NULL},
	{"Active", "integer", "A list of pointers to currently running jobs.", 0, NULL},
	/* a "date" cell left empty is shown as the age of its path */
	{"Last Schedule", "date", "Information when was the last time the job was successfully scheduled.", 0,
	 ".status.lastScheduleTime"},
	BATCH_AGE,
	BATCH_CONTAINERS,
	BATCH_IMAGES,
	BATCH_SELECTOR,
	BATCH_END,
};

static void row(void *ud, const sk_obj *cj, sk_obj *cells)
{
	(void)ud;
	sk_obj *suspend = sk_obj_get(cj, "spec.suspend");
	cell_str(cells, 0, sk_obj_get_str(cj, "spec.schedule"));
	cell_str(cells, 1, sk_obj_get_str(cj, "spec.timeZone") ?: "<none>");
	cell_str(cells, 2, !suspend ? "<unset>" : sk_obj_get_bool(cj, "spec.suspend", 0) ? "True" : "False");
	cell_int(cells, 3, (int64_t)sk_obj_len(sk_obj_get(cj, "status.active")));
	if (!sk_obj_get_str(cj, "status.lastScheduleTime"))
		cell_str(cells, 4, "<none>");
	cell_containers(cells, 6, sk_obj_get(cj, "spec.jobTemplate.spec.template"));
	cell_selector(cells, 8, sk_obj_get(cj, "spec.jobTemplate.spec.selector"));
}

void batch_cronjob(sk_resource_ops *r)
{
	r->validate = validate;
	r->columns = columns;
	r->row = row;
}
