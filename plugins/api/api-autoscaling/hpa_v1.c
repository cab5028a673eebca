/* hpa_v1.c — autoscaling/v1 HorizontalPodAutoscalers over the stored v2
 * objects, converted as Kubernetes converts them: v1's
 * targetCPUUtilizationPercentage is a v2 cpu Utilization metric and
 * currentCPUUtilizationPercentage a cpu current metric; the other metrics,
 * the current metrics, the conditions and the scaling behavior, which v1
 * cannot say, travel in the autoscaling.alpha.kubernetes.io annotations
 * (metric specs and statuses in autoscaling/v1's own MetricSpec and
 * MetricStatus shapes, JSON in Go's field order). */
#include "autoscaling.h"
#include <stdio.h>
#include <string.h>

#define METRICS "autoscaling.alpha.kubernetes.io/metrics"
#define CURRENT_METRICS "autoscaling.alpha.kubernetes.io/current-metrics"
#define CONDITIONS "autoscaling.alpha.kubernetes.io/conditions"
#define BEHAVIOR "autoscaling.alpha.kubernetes.io/behavior"

static const char *const round_trip[] = {METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR};

/* ---- small moves ------------------------------------------------------------- */

/* dst[dkey] = src[skey] when present */
static void move(sk_obj *dst, const char *dkey, const sk_obj *src, const char *skey)
{
	sk_obj *v = sk_obj_get(src, skey);
	if (v && sk_obj_type_of(v) != SK_OBJ_NULL)
		sk_obj_set(dst, dkey, v, NULL);
}

/* a Quantity that is not a pointer in Go: always there, "0" when unset */
static void quantity(sk_obj *dst, const char *dkey, const sk_obj *src, const char *skey)
{
	sk_obj *v = sk_obj_get(src, skey);
	if (v && sk_obj_type_of(v) != SK_OBJ_NULL)
		sk_obj_set(dst, dkey, v, NULL);
	else
		sk_obj_set_str(dst, dkey, "0", NULL);
}

/* CrossVersionObjectReference in v1's field order: kind, name, apiVersion */
static void reference(sk_obj *dst, const char *dkey, const sk_obj *ref)
{
	sk_obj *r = sk_obj_new_object();
	move(r, "kind", ref, "kind");
	move(r, "name", ref, "name");
	move(r, "apiVersion", ref, "apiVersion");
	sk_obj_set(dst, dkey, r, NULL);
	sk_obj_unref(r);
}

static void set_new(sk_obj *dst, const char *key, sk_obj *v)
{
	sk_obj_set(dst, key, v, NULL);
	sk_obj_unref(v);
}

/* ---- metric specs ------------------------------------------------------------ */

/* a v2 MetricSpec as an autoscaling/v1 MetricSpec */
static sk_obj *spec_to_v1(const sk_obj *m)
{
	sk_obj *out = sk_obj_new_object(), *s, *src;
	move(out, "type", m, "type");
	if ((src = sk_obj_get(m, "object"))) {
		s = sk_obj_new_object();
		reference(s, "target", sk_obj_get(src, "describedObject"));
		move(s, "metricName", src, "metric.name");
		quantity(s, "targetValue", src, "target.value");
		move(s, "selector", src, "metric.selector");
		move(s, "averageValue", src, "target.averageValue");
		set_new(out, "object", s);
	}
	if ((src = sk_obj_get(m, "pods"))) {
		s = sk_obj_new_object();
		move(s, "metricName", src, "metric.name");
		quantity(s, "targetAverageValue", src, "target.averageValue");
		move(s, "selector", src, "metric.selector");
		set_new(out, "pods", s);
	}
	static const char *const resources[] = {"resource", "containerResource"};
	for (size_t i = 0; i < 2; i++)
		if ((src = sk_obj_get(m, resources[i]))) {
			s = sk_obj_new_object();
			move(s, "name", src, "name");
			move(s, "targetAverageUtilization", src, "target.averageUtilization");
			move(s, "targetAverageValue", src, "target.averageValue");
			if (i)
				move(s, "container", src, "container");
			set_new(out, resources[i], s);
		}
	if ((src = sk_obj_get(m, "external"))) {
		s = sk_obj_new_object();
		move(s, "metricName", src, "metric.name");
		move(s, "metricSelector", src, "metric.selector");
		move(s, "targetValue", src, "target.value");
		move(s, "targetAverageValue", src, "target.averageValue");
		set_new(out, "external", s);
	}
	return out;
}

/* a target of `type`, with the value fields present in src */
static sk_obj *target(const char *type, const sk_obj *src, const char *value, const char *avg, const char *util)
{
	sk_obj *t = sk_obj_new_object();
	sk_obj_set_str(t, "type", type, NULL);
	if (value)
		move(t, "value", src, value);
	if (avg)
		move(t, "averageValue", src, avg);
	if (util)
		move(t, "averageUtilization", src, util);
	return t;
}

static sk_obj *identifier(const sk_obj *src, const char *selector)
{
	sk_obj *id = sk_obj_new_object();
	move(id, "name", src, "metricName");
	move(id, "selector", src, selector);
	return id;
}

/* an autoscaling/v1 MetricSpec (from the annotation) as a v2 MetricSpec */
static sk_obj *spec_to_v2(const sk_obj *m)
{
	sk_obj *out = sk_obj_new_object(), *s, *src;
	move(out, "type", m, "type");
	if ((src = sk_obj_get(m, "object"))) {
		s = sk_obj_new_object();
		reference(s, "describedObject", sk_obj_get(src, "target"));
		sk_obj *t = target(sk_obj_get(src, "averageValue") ? "AverageValue" : "Value", src, NULL, NULL, NULL);
		/* Go sets Value from the non-pointer targetValue: always */
		quantity(t, "value", src, "targetValue");
		move(t, "averageValue", src, "averageValue");
		set_new(s, "target", t);
		set_new(s, "metric", identifier(src, "selector"));
		set_new(out, "object", s);
	}
	if ((src = sk_obj_get(m, "pods"))) {
		s = sk_obj_new_object();
		set_new(s, "metric", identifier(src, "selector"));
		sk_obj *t = target("AverageValue", src, NULL, NULL, NULL);
		quantity(t, "averageValue", src, "targetAverageValue");
		set_new(s, "target", t);
		set_new(out, "pods", s);
	}
	static const char *const resources[] = {"resource", "containerResource"};
	for (size_t i = 0; i < 2; i++)
		if ((src = sk_obj_get(m, resources[i]))) {
			s = sk_obj_new_object();
			move(s, "name", src, "name");
			int util = sk_obj_get(src, "targetAverageUtilization") != NULL;
			set_new(s, "target", target(util ? "Utilization" : "AverageValue", src, NULL, "targetAverageValue",
			                            "targetAverageUtilization"));
			if (i)
				move(s, "container", src, "container");
			set_new(out, resources[i], s);
		}
	if ((src = sk_obj_get(m, "external"))) {
		s = sk_obj_new_object();
		set_new(s, "metric", identifier(src, "metricSelector"));
		int value = sk_obj_get(src, "targetValue") != NULL;
		set_new(s, "target", target(value ? "Value" : "AverageValue", src, "targetValue", "targetAverageValue", NULL));
		set_new(out, "external", s);
	}
	return out;
}

/* ---- metric statuses --------------------------------------------------------- */

static sk_obj *status_to_v1(const sk_obj *m)
{
	sk_obj *out = sk_obj_new_object(), *s, *src;
	move(out, "type", m, "type");
	if ((src = sk_obj_get(m, "object"))) {
		s = sk_obj_new_object();
		reference(s, "target", sk_obj_get(src, "describedObject"));
		move(s, "metricName", src, "metric.name");
		quantity(s, "currentValue", src, "current.value");
		move(s, "selector", src, "metric.selector");
		move(s, "averageValue", src, "current.averageValue");
		set_new(out, "object", s);
	}
	if ((src = sk_obj_get(m, "pods"))) {
		s = sk_obj_new_object();
		move(s, "metricName", src, "metric.name");
		quantity(s, "currentAverageValue", src, "current.averageValue");
		move(s, "selector", src, "metric.selector");
		set_new(out, "pods", s);
	}
	static const char *const resources[] = {"resource", "containerResource"};
	for (size_t i = 0; i < 2; i++)
		if ((src = sk_obj_get(m, resources[i]))) {
			s = sk_obj_new_object();
			move(s, "name", src, "name");
			move(s, "currentAverageUtilization", src, "current.averageUtilization");
			quantity(s, "currentAverageValue", src, "current.averageValue");
			if (i)
				move(s, "container", src, "container");
			set_new(out, resources[i], s);
		}
	if ((src = sk_obj_get(m, "external"))) {
		s = sk_obj_new_object();
		move(s, "metricName", src, "metric.name");
		move(s, "metricSelector", src, "metric.selector");
		quantity(s, "currentValue", src, "current.value");
		move(s, "currentAverageValue", src, "current.averageValue");
		set_new(out, "external", s);
	}
	return out;
}

static sk_obj *status_to_v2(const sk_obj *m)
{
	sk_obj *out = sk_obj_new_object(), *s, *src, *cur;
	move(out, "type", m, "type");
	if ((src = sk_obj_get(m, "object"))) {
		s = sk_obj_new_object();
		set_new(s, "metric", identifier(src, "selector"));
		cur = sk_obj_new_object();
		quantity(cur, "value", src, "currentValue");
		move(cur, "averageValue", src, "averageValue");
		set_new(s, "current", cur);
		reference(s, "describedObject", sk_obj_get(src, "target"));
		set_new(out, "object", s);
	}
	if ((src = sk_obj_get(m, "pods"))) {
		s = sk_obj_new_object();
		set_new(s, "metric", identifier(src, "selector"));
		cur = sk_obj_new_object();
		quantity(cur, "averageValue", src, "currentAverageValue");
		set_new(s, "current", cur);
		set_new(out, "pods", s);
	}
	static const char *const resources[] = {"resource", "containerResource"};
	for (size_t i = 0; i < 2; i++)
		if ((src = sk_obj_get(m, resources[i]))) {
			s = sk_obj_new_object();
			move(s, "name", src, "name");
			cur = sk_obj_new_object();
			quantity(cur, "averageValue", src, "currentAverageValue");
			move(cur, "averageUtilization", src, "currentAverageUtilization");
			set_new(s, "current", cur);
			if (i)
				move(s, "container", src, "container");
			set_new(out, resources[i], s);
		}
	if ((src = sk_obj_get(m, "external"))) {
		s = sk_obj_new_object();
		set_new(s, "metric", identifier(src, "metricSelector"));
		cur = sk_obj_new_object();
		quantity(cur, "value", src, "currentValue");
		move(cur, "averageValue", src, "currentAverageValue");
		set_new(s, "current", cur);
		set_new(out, "external", s);
	}
	return out;
}

/* HorizontalPodAutoscalerCondition in Go's field order */
static sk_obj *condition(const sk_obj *c)
{
	sk_obj *out = sk_obj_new_object();
	static const char *const fields[] = {"type", "status", "lastTransitionTime", "reason", "message"};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		move(out, fields[i], c, fields[i]);
	return out;
}

/* ---- annotations ------------------------------------------------------------- */

static const char *annotation(const sk_obj *obj, const char *key)
{
	char path[128];
	snprintf(path, sizeof path, "metadata.annotations[\"%s\"]", key);
	return sk_obj_get_str(obj, path);
}

/* DropRoundTripHorizontalPodAutoscalerAnnotations; an emptied map goes */
static void drop_round_trip(sk_obj *obj)
{
	sk_obj *ann = sk_obj_get(obj, "metadata.annotations");
	char path[128];
	if (!ann)
		return;
	for (size_t i = 0; i < sizeof round_trip / sizeof round_trip[0]; i++) {
		snprintf(path, sizeof path, "[\"%s\"]", round_trip[i]);
		sk_obj_del(ann, path);
	}
	if (!sk_obj_len(ann))
		sk_obj_del(obj, "metadata.annotations");
}

/* the annotation's JSON, when it parses as `type` (a bad one is ignored, as
 * Kubernetes ignores it) */
static sk_obj *parsed(const char *text, sk_obj_type type)
{
	sk_err err = {0};
	sk_obj *v = text ? sk_obj_parse(text, strlen(text), &err) : NULL;
	if (v && sk_obj_type_of(v) != type) {
		sk_obj_unref(v);
		v = NULL;
	}
	return v;
}

static void set_annotation(sk_obj *obj, const char *key, const sk_obj *value)
{
	char path[128];
	char *text = sk_obj_dump(value, 0);
	snprintf(path, sizeof path, "metadata.annotations[\"%s\"]", key);
	if (text)
		sk_obj_set_str(obj, path, text, NULL);
	sk_mem_free(text);
}

/* ---- v1 -> v2 ---------------------------------------------------------------- */

static sk_obj *cpu_current(int64_t percent)
{
	sk_obj *m = sk_obj_new_object();
	sk_obj_set_str(m, "type", "Resource", NULL);
	sk_obj_set_str(m, "resource.name", "cpu", NULL);
	sk_obj_set_int(m, "resource.current.averageUtilization", percent, NULL);
	return m;
}

static void spec_in(sk_obj *obj, const sk_obj *other, sk_obj *behavior)
{
	sk_obj *spec = sk_obj_get(obj, "spec"), *metrics = sk_obj_new_array();
	sk_obj *cpu = sk_obj_get(spec, "targetCPUUtilizationPercentage");
	for (size_t i = 0; i < sk_obj_len(other); i++) {
		sk_obj *m = spec_to_v2(sk_obj_at(other, i));
		sk_obj_append(metrics, m);
		sk_obj_unref(m);
	}
	if (cpu && sk_obj_type_of(cpu) == SK_OBJ_INT) {
		sk_obj *m = hpa_default_metric();
		sk_obj_set(m, "resource.target.averageUtilization", cpu, NULL);
		sk_obj_append(metrics, m);
		sk_obj_unref(m);
	}
	/* v1's implicit 80% cpu, made explicit as v2 defaults it */
	if (!sk_obj_len(metrics)) {
		sk_obj *m = hpa_default_metric();
		sk_obj_append(metrics, m);
		sk_obj_unref(m);
	}
	if (spec) {
		sk_obj_del(spec, "targetCPUUtilizationPercentage");
		sk_obj_set(spec, "metrics", metrics, NULL);
		if (behavior && sk_obj_len(behavior))
			sk_obj_set(spec, "behavior", behavior, NULL);
	}
	sk_obj_unref(metrics);
}

static void status_in(sk_obj *obj, const sk_obj *current, const sk_obj *conditions)
{
	sk_obj *status = sk_obj_get(obj, "status");
	if (!status)
		return;
	sk_obj *cpu = sk_obj_get(status, "currentCPUUtilizationPercentage");
	if (cpu && sk_obj_type_of(cpu) == SK_OBJ_INT) {
		sk_obj *list = sk_obj_new_array(), *m = cpu_current(sk_obj_int(cpu));
		sk_obj_append(list, m);
		sk_obj_set(status, "currentMetrics", list, NULL);
		sk_obj_unref(m);
		sk_obj_unref(list);
	}
	sk_obj_del(status, "currentCPUUtilizationPercentage");
	/* the annotation has every current metric: it wins over the cpu one */
	if (current) {
		sk_obj *list = sk_obj_new_array();
		for (size_t i = 0; i < sk_obj_len(current); i++) {
			sk_obj *m = status_to_v2(sk_obj_at(current, i));
			sk_obj_append(list, m);
			sk_obj_unref(m);
		}
		sk_obj_set(status, "currentMetrics", list, NULL);
		sk_obj_unref(list);
	}
	if (conditions) {
		sk_obj *list = sk_obj_new_array();
		for (size_t i = 0; i < sk_obj_len(conditions); i++) {
			sk_obj *c = condition(sk_obj_at(conditions, i));
			sk_obj_append(list, c);
			sk_obj_unref(c);
		}
		sk_obj_set(status, "conditions", list, NULL);
		sk_obj_unref(list);
	}
}

static int to_storage(void *ud, sk_obj *obj, sk_err *err)
{
	(void)ud;
	(void)err;
	sk_obj *other = parsed(annotation(obj, METRICS), SK_OBJ_ARRAY);
	sk_obj *current = parsed(annotation(obj, CURRENT_METRICS), SK_OBJ_ARRAY);
	sk_obj *conditions = parsed(annotation(obj, CONDITIONS), SK_OBJ_ARRAY);
	sk_obj *behavior = parsed(annotation(obj, BEHAVIOR), SK_OBJ_OBJECT);
	drop_round_trip(obj);
	spec_in(obj, other, behavior);
	status_in(obj, current, conditions);
	sk_obj_unref(other);
	sk_obj_unref(current);
	sk_obj_unref(conditions);
	sk_obj_unref(behavior);
	return SK_OK;
}

/* ---- v2 -> v1 ---------------------------------------------------------------- */

static int is_cpu_utilization(const sk_obj *m)
{
	const char *type = sk_obj_get_str(m, "type"), *name = sk_obj_get_str(m, "resource.name");
	return type && !strcmp(type, "Resource") && name && !strcmp(name, "cpu") &&
	       sk_obj_get(m, "resource.target.averageUtilization");
}

static void spec_out(sk_obj *obj)
{
	sk_obj *spec = sk_obj_get(obj, "spec"), *metrics = sk_obj_get(spec, "metrics"), *other = sk_obj_new_array();
	sk_obj *cpu = NULL;
	for (size_t i = 0; i < sk_obj_len(metrics); i++) {
		sk_obj *m = sk_obj_at(metrics, i);
		if (is_cpu_utilization(m)) {
			if (!cpu)
				cpu = sk_obj_get(m, "resource.target.averageUtilization");
			continue;
		}
		sk_obj *v1 = spec_to_v1(m);
		sk_obj_append(other, v1);
		sk_obj_unref(v1);
	}
	if (cpu)
		sk_obj_set(spec, "targetCPUUtilizationPercentage", cpu, NULL);
	if (sk_obj_len(other))
		set_annotation(obj, METRICS, other);
	sk_obj_unref(other);
	sk_obj *behavior = sk_obj_get(spec, "behavior");
	if (behavior)
		set_annotation(obj, BEHAVIOR, behavior);
	if (spec) {
		sk_obj_del(spec, "metrics");
		sk_obj_del(spec, "behavior");
	}
}

static void status_out(sk_obj *obj)
{
	sk_obj *status = sk_obj_get(obj, "status");
	sk_obj *current = sk_obj_get(status, "currentMetrics"), *conditions = sk_obj_get(status, "conditions");
	if (!status)
		return;
	if (sk_obj_len(current)) {
		/* every current metric, the cpu one too: its raw value has no other place */
		sk_obj *list = sk_obj_new_array();
		for (size_t i = 0; i < sk_obj_len(current); i++) {
			sk_obj *m = sk_obj_at(current, i), *v1 = status_to_v1(m);
			const char *type = sk_obj_get_str(m, "type"), *name = sk_obj_get_str(m, "resource.name");
			sk_obj *util = sk_obj_get(m, "resource.current.averageUtilization");
			if (type && !strcmp(type, "Resource") && name && !strcmp(name, "cpu") && util)
				sk_obj_set(status, "currentCPUUtilizationPercentage", util, NULL);
			sk_obj_append(list, v1);
			sk_obj_unref(v1);
		}
		set_annotation(obj, CURRENT_METRICS, list);
		sk_obj_unref(list);
	}
	if (sk_obj_len(conditions)) {
		sk_obj *list = sk_obj_new_array();
		for (size_t i = 0; i < sk_obj_len(conditions); i++) {
			sk_obj *c = condition(sk_obj_at(conditions, i));
			sk_obj_append(list, c);
			sk_obj_unref(c);
		}
		set_annotation(obj, CONDITIONS, list);
		sk_obj_unref(list);
	}
	sk_obj_del(status, "currentMetrics");
	sk_obj_del(status, "conditions");
}

static int from_storage(void *ud, sk_obj *obj, sk_err *err)
{
	(void)ud;
	(void)err;
	/* only the annotations this conversion writes may be there */
	drop_round_trip(obj);
	spec_out(obj);
	status_out(obj);
	return SK_OK;
}

void hpa_v1(sk_resource_ops *r)
{
	r->to_storage = to_storage;
	r->from_storage = from_storage;
}
