/* batch.h — api-batch: the batch/v1 kinds' own behaviour, one file per
 * kind (job.c, cronjob.c), the JobSpec rules and `kubectl get` cells both
 * share (jobspec.c), and the cron schedule and time zone checks of
 * CronJobs (cron.c, plain C with no host calls).
 *
 * Everything here works on objects borrowed from the caller; nothing keeps
 * a reference past the call. */
#ifndef API_BATCH_BATCH_H
#define API_BATCH_BATCH_H
#include <skiff/skiff.h>

/* per kind: fills defaults, validate, columns and row of its registration */
void batch_job(sk_resource_ops *r);
void batch_cronjob(sk_resource_ops *r);

/* ---- jobspec.c: validation ------------------------------------------------ */

/* validateJobSpec of the JobSpec at path `at` ("spec", or
 * "spec.jobTemplate.spec"), template and restart policy included; the
 * selector rules are the caller's */
void jobspec_validate(sk_obj *causes, const sk_obj *spec, const char *at);
/* ValidateImmutableField's cause for `field` when new and old differ */
void jobspec_immutable(sk_obj *causes, const char *field, const sk_obj *now, const sk_obj *was);
/* 1 on create: the server has not given the object a resourceVersion yet */
int batch_creating(const sk_obj *obj);

/* ---- jobspec.c: columns --------------------------------------------------- */

#define BATCH_AGE                                                                                            \
	{"Age", "date",                                                                                      \
	 "CreationTimestamp is a timestamp representing the server time when this object was created.", 0,   \
	 ".metadata.creationTimestamp"}
#define BATCH_CONTAINERS {"Containers", "string", "Names of each container in the template.", 1, NULL}
#define BATCH_IMAGES {"Images", "string", "Images referenced by each container in the template.", 1, NULL}
#define BATCH_SELECTOR {"Selector", "string", "A label query over pods that should match the pod count.", 1, NULL}
#define BATCH_END {NULL, NULL, NULL, 0, NULL}

void cell_str(sk_obj *cells, size_t i, const char *s);
void cell_int(sk_obj *cells, size_t i, int64_t v);
/* the pod template's container names at cell i, their images at i + 1 */
void cell_containers(sk_obj *cells, size_t i, const sk_obj *tmpl);
/* metav1.FormatLabelSelector: "<none>" when absent or empty */
void cell_selector(sk_obj *cells, size_t i, const sk_obj *selector);

/* ---- cron.c --------------------------------------------------------------- */

/* 0 when `schedule` parses as robfig/cron's ParseStandard parses it (five
 * fields with ranges, steps, lists and month and day names, or @hourly,
 * @daily, ..., @every DURATION, after an optional TZ= or CRON_TZ= prefix);
 * otherwise -1 with its error message in msg */
int cron_parse(const char *schedule, char *msg, size_t cap);
/* validateTimeZone: 0 for a known IANA zone name, otherwise -1 with
 * Kubernetes' message in msg */
int cron_time_zone(const char *tz, char *msg, size_t cap);

#endif
