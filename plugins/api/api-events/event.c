/* event.c — events.k8s.io/v1 Events over the core/v1 objects: the renamed
 * fields (regarding is involvedObject, note is message, deprecated* the old
 * counters and source, reportingController is reportingComponent) and
 * ValidateEventCreate / ValidateEventUpdate for this API version: an event
 * time, a type, a series of two or more, none of the old-style fields, and
 * no change to what an event reported. */
#include "event.h"
#include <string.h>

static const struct {
	const char *v1, *core;
} renamed[] = {
	{"regarding", "involvedObject"},
	{"note", "message"},
	{"deprecatedSource", "source"},
	{"deprecatedFirstTimestamp", "firstTimestamp"},
	{"deprecatedLastTimestamp", "lastTimestamp"},
	{"deprecatedCount", "count"},
	{"reportingController", "reportingComponent"},
};
#define NRENAMED (sizeof renamed / sizeof renamed[0])

static void move(sk_obj *obj, const char *from, const char *to)
{
	sk_obj *v = sk_obj_get(obj, from);
	if (v) {
		sk_obj_set(obj, to, v, NULL);
		sk_obj_del(obj, from);
	}
}

int events_to_core(void *ud, sk_obj *obj, sk_err *err)
{
	(void)ud;
	(void)err;
	/* core/v1 names are unknown in this version: they never reach storage */
	for (size_t i = 0; i < NRENAMED; i++)
		sk_obj_del(obj, renamed[i].core);
	for (size_t i = 0; i < NRENAMED; i++)
		move(obj, renamed[i].v1, renamed[i].core);
	return SK_OK;
}

int events_from_core(void *ud, sk_obj *obj, sk_err *err)
{
	(void)ud;
	(void)err;
	for (size_t i = 0; i < NRENAMED; i++)
		move(obj, renamed[i].core, renamed[i].v1);
	return SK_OK;
}

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

static void check_series(const sk_obj *ev, sk_obj *causes)
{
	if (!sk_obj_get(ev, "series"))
		return;
	if (sk_obj_get_int(ev, "series.count", 0) < 2)
		sk_cause_invalid_str(causes, "series.count", "", "should be at least 2");
	if (!sk_obj_get_str(ev, "series.lastObservedTime"))
		sk_cause_required(causes, "series.lastObservedTime", NULL);
}

static void check_create(const sk_obj *ev, sk_obj *causes)
{
	check_series(ev, causes);
	if (!sk_obj_get_str(ev, "eventTime"))
		sk_cause_required(causes, "eventTime", NULL);
	const char *type = sk_obj_get_str(ev, "type") ?: "";
	if (!eq(type, "Normal") && !eq(type, "Warning"))
		sk_cause_invalid_str(causes, "type", "", "has invalid value: %s", type);
	static const char unset[] = "needs to be unset";
	if (sk_obj_get_str(ev, "firstTimestamp"))
		sk_cause_invalid_str(causes, "firstTimestamp", "", "%s", unset);
	if (sk_obj_get_str(ev, "lastTimestamp"))
		sk_cause_invalid_str(causes, "lastTimestamp", "", "%s", unset);
	if (sk_obj_get_int(ev, "count", 0))
		sk_cause_invalid_str(causes, "count", "", "%s", unset);
	const char *component = sk_obj_get_str(ev, "source.component"), *host = sk_obj_get_str(ev, "source.host");
	if ((component && *component) || (host && *host))
		sk_cause_invalid_str(causes, "source", "", "%s", unset);
}

/* event times are compared to the microsecond, as Kubernetes truncates them */
static int same_time(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	size_t na = strcspn(a, ".Z+"), nb = strcspn(b, ".Z+");
	if (na != nb || strncmp(a, b, na))
		return 0;
	char fa[7] = "000000", fb[7] = "000000";
	if (a[na] == '.')
		for (size_t i = 0; i < 6 && a[na + 1 + i] >= '0' && a[na + 1 + i] <= '9'; i++)
			fa[i] = a[na + 1 + i];
	if (b[nb] == '.')
		for (size_t i = 0; i < 6 && b[nb + 1 + i] >= '0' && b[nb + 1 + i] <= '9'; i++)
			fb[i] = b[nb + 1 + i];
	return !strcmp(fa, fb);
}

static void check_update(const sk_obj *ev, const sk_obj *old, sk_obj *causes)
{
	/* in Kubernetes' order, under its internal (core/v1) names */
	static const char *const fixed[] = {"involvedObject", "reason", "message", "source", "firstTimestamp",
	                                    "lastTimestamp", "count", "type", "eventTime", "action", "related",
	                                    "reportingComponent", "reportingInstance"};
	static const char immutable[] = "field is immutable";
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		sk_obj *a = sk_obj_get(ev, fixed[i]), *b = sk_obj_get(old, fixed[i]);
		if (!strcmp(fixed[i], "eventTime") ? same_time(sk_obj_str(a), sk_obj_str(b))
		                                    : (!a && !b) || (a && b && sk_obj_equal(a, b)))
			continue;
		const char *field = !strcmp(fixed[i], "reportingComponent") ? "reportingController" : fixed[i];
		if (sk_obj_type_of(a) == SK_OBJ_STRING || (!a && sk_obj_type_of(b) == SK_OBJ_STRING))
			sk_cause_invalid_str(causes, field, a ? sk_obj_str(a) : "", "%s", immutable);
		else if (sk_obj_type_of(a) == SK_OBJ_INT || (!a && sk_obj_type_of(b) == SK_OBJ_INT))
			sk_cause_invalid_int(causes, field, a ? sk_obj_int(a) : 0, "%s", immutable);
		else
			sk_cause_invalid_obj(causes, field, a, "%s", immutable);
	}
	check_series(ev, causes);
}

int events_validate(void *ud, const sk_obj *ev, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	size_t before = sk_obj_len(causes);
	if (old)
		check_update(ev, old, causes);
	else
		check_create(ev, causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}
