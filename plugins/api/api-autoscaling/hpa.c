/* hpa.c — autoscaling/v2 HorizontalPodAutoscalers: the default CPU metric
 * and scaling behavior Kubernetes fills in, validateHorizontalPodAutoscaler
 * (replica bounds, target reference, metric sources and targets, scaling
 * rules), and the REFERENCE / TARGETS / MINPODS / MAXPODS / REPLICAS
 * columns. */
#include "autoscaling.h"
#include <stdio.h>
#include <string.h>

#define MAX_PERIOD_SECONDS 1800
#define MAX_STABILIZATION_WINDOW_SECONDS 3600

/* ---- defaults ---------------------------------------------------------------- */

sk_obj *hpa_default_metric(void)
{
	sk_obj *m = sk_obj_new_object();
	sk_obj_set_str(m, "type", "Resource", NULL);
	sk_obj_set_str(m, "resource.name", "cpu", NULL);
	sk_obj_set_str(m, "resource.target.type", "Utilization", NULL);
	sk_obj_set_int(m, "resource.target.averageUtilization", HPA_DEFAULT_CPU_UTILIZATION, NULL);
	return m;
}

static void append_policy(sk_obj *list, const char *type, int64_t value, int64_t period)
{
	sk_obj *p = sk_obj_new_object();
	sk_obj_set_str(p, "type", type, NULL);
	sk_obj_set_int(p, "value", value, NULL);
	sk_obj_set_int(p, "periodSeconds", period, NULL);
	sk_obj_append(list, p);
	sk_obj_unref(p);
}

/* GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: the given rules
 * over the defaults (up: no stabilization, 4 pods or 100% per 15s; down:
 * 100% per 15s, its stabilization left to the controller's flag) */
static void scaling_rules(sk_obj *behavior, const char *dir, int up)
{
	sk_obj *given = sk_obj_get(behavior, dir), *rules = sk_obj_new_object(), *v;
	/* fields in Go's order: stabilizationWindowSeconds, selectPolicy, policies */
	if ((v = sk_obj_get(given, "stabilizationWindowSeconds")))
		sk_obj_set(rules, "stabilizationWindowSeconds", v, NULL);
	else if (up)
		sk_obj_set_int(rules, "stabilizationWindowSeconds", 0, NULL);
	if ((v = sk_obj_get(given, "selectPolicy")))
		sk_obj_set(rules, "selectPolicy", v, NULL);
	else
		sk_obj_set_str(rules, "selectPolicy", "Max", NULL);
	if ((v = sk_obj_get(given, "policies")))
		sk_obj_set(rules, "policies", v, NULL);
	else {
		sk_obj *policies = sk_obj_new_array();
		if (up)
			append_policy(policies, "Pods", 4, 15);
		append_policy(policies, "Percent", 100, 15);
		sk_obj_set(rules, "policies", policies, NULL);
		sk_obj_unref(policies);
	}
	sk_obj_set(behavior, dir, rules, NULL);
	sk_obj_unref(rules);
}

static void defaults(void *ud, sk_obj *hpa)
{
	(void)ud;
	if (!sk_obj_get(hpa, "spec.minReplicas"))
		sk_obj_set_int(hpa, "spec.minReplicas", 1, NULL);
	if (!sk_obj_len(sk_obj_get(hpa, "spec.metrics"))) {
		sk_obj *list = sk_obj_new_array(), *m = hpa_default_metric();
		sk_obj_append(list, m);
		sk_obj_set(hpa, "spec.metrics", list, NULL);
		sk_obj_unref(m);
		sk_obj_unref(list);
	}
	sk_obj *behavior = sk_obj_get(hpa, "spec.behavior");
	if (behavior && sk_obj_type_of(behavior) == SK_OBJ_OBJECT) {
		scaling_rules(behavior, "scaleUp", 1);
		scaling_rules(behavior, "scaleDown", 0);
	}
}

/* ---- validation -------------------------------------------------------------- */

/* ValidateCrossVersionObjectReference; absent kind and name are the schema's */
static void object_reference(sk_obj *causes, const sk_obj *ref, const char *at)
{
	static const char *const parts[] = {"kind", "name"};
	char f[256];
	for (size_t i = 0; i < 2; i++) {
		const char *v = sk_obj_get_str(ref, parts[i]);
		snprintf(f, sizeof f, "%s.%s", at, parts[i]);
		if (v && !*v)
			sk_cause_required(causes, f, NULL);
		else if (v)
			sk_check_name(causes, f, v, SK_NAME_PATH_SEGMENT, 0);
	}
}

static void metric_identifier(sk_obj *causes, const sk_obj *id, const char *at)
{
	char f[256];
	const char *name = sk_obj_get_str(id, "name");
	snprintf(f, sizeof f, "%s.name", at);
	if (!name || !*name)
		sk_cause_required(causes, f, "must specify a metric name");
	else
		sk_check_name(causes, f, name, SK_NAME_PATH_SEGMENT, 0);
}

/* a quantity's sign: 1, 0 or -1; 0 also when unreadable (the schema's error) */
static int quantity_sign(const sk_obj *v)
{
	sk_quantity q, zero;
	sk_err err = {0};
	char buf[64];
	const char *text = sk_obj_str(v);
	if (!text && sk_obj_type_of(v) == SK_OBJ_INT) {
		snprintf(buf, sizeof buf, "%lld", (long long)sk_obj_int(v));
		text = buf;
	} else if (!text && sk_obj_type_of(v) == SK_OBJ_REAL) {
		snprintf(buf, sizeof buf, "%.17g", sk_obj_get_real(v, "", 0));
		text = buf;
	}
	if (!text || sk_quantity_parse(text, &q, &err) != SK_OK || sk_quantity_parse("0", &zero, &err) != SK_OK)
		return 0;
	return sk_quantity_cmp(&q, &zero);
}

/* a quantity printed as Kubernetes prints one: its canonical form */
static void quantity_text(const sk_obj *v, char *out, size_t cap)
{
	sk_quantity q;
	sk_err err = {0};
	const char *text = sk_obj_str(v);
	if (text && sk_quantity_parse(text, &q, &err) == SK_OK)
		sk_quantity_format(&q, out, cap);
	else if (text)
		snprintf(out, cap, "%s", text);
	else if (sk_obj_type_of(v) == SK_OBJ_INT)
		snprintf(out, cap, "%lld", (long long)sk_obj_int(v));
	else
		snprintf(out, cap, "0");
}

static void positive_quantity(sk_obj *causes, const sk_obj *target, const char *name, const char *at)
{
	sk_obj *v = sk_obj_get(target, name);
	char f[256], text[64];
	if (!v || quantity_sign(v) == 1)
		return;
	snprintf(f, sizeof f, "%s.%s", at, name);
	quantity_text(v, text, sizeof text);
	sk_cause(causes, "FieldValueInvalid", f, "Invalid value: %s: must be positive", text);
}

/* validateMetricTarget; an absent type is the schema's */
static void metric_target(sk_obj *causes, const sk_obj *t, const char *at)
{
	char f[256];
	const char *type = sk_obj_get_str(t, "type");
	snprintf(f, sizeof f, "%s.type", at);
	if (type && !*type)
		sk_cause_required(causes, f, "must specify a metric target type");
	if (type && strcmp(type, "Utilization") && strcmp(type, "Value") && strcmp(type, "AverageValue"))
		sk_cause_invalid_str(causes, f, type, "must be either Utilization, Value, or AverageValue");
	positive_quantity(causes, t, "value", at);
	positive_quantity(causes, t, "averageValue", at);
	sk_obj *u = sk_obj_get(t, "averageUtilization");
	if (u && sk_obj_int(u) < 1) {
		snprintf(f, sizeof f, "%s.averageUtilization", at);
		sk_cause_invalid_int(causes, f, sk_obj_int(u), "must be greater than 0");
	}
}

static int standard_container_resource(const char *n)
{
	return !strcmp(n, "cpu") || !strcmp(n, "memory") || !strcmp(n, "ephemeral-storage") ||
	       !strncmp(n, "hugepages-", 10);
}

/* IsStandardResourceName: the quota-able names as well */
static int standard_resource(const char *n)
{
	static const char *const names[] = {"pods", "services", "replicationcontrollers", "resourcequotas", "secrets",
	                                    "configmaps", "persistentvolumeclaims", "services.nodeports",
	                                    "services.loadbalancers", "storage", "requests.cpu", "requests.memory",
	                                    "requests.ephemeral-storage", "requests.storage", "limits.cpu",
	                                    "limits.memory", "limits.ephemeral-storage"};
	if (standard_container_resource(n) || !strncmp(n, "requests.hugepages-", 19))
		return 1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(n, names[i]))
			return 1;
	return 0;
}

/* ValidateContainerResourceName */
static void resource_name(sk_obj *causes, const char *name, const char *f)
{
	if (sk_check_qualified_name(causes, f, name))
		return;
	if (!strchr(name, '/')) {
		if (!standard_resource(name))
			sk_cause_invalid_str(causes, f, name, "must be a standard resource type or fully qualified");
		if (!standard_container_resource(name))
			sk_cause_invalid_str(causes, f, name, "must be a standard resource for containers");
	} else if (!strstr(name, "kubernetes.io/") && !strncmp(name, "requests.", 9))
		sk_cause_invalid_str(causes, f, name, "doesn't follow extended resource name standard");
}

/* validateResourceSource and validateContainerResourceSource */
static void resource_source(sk_obj *causes, const sk_obj *src, const char *at, int container)
{
	char f[256], tf[256];
	const char *name = sk_obj_get_str(src, "name");
	sk_obj *t = sk_obj_get(src, "target");
	snprintf(f, sizeof f, "%s.name", at);
	if (!name || !*name)
		sk_cause_required(causes, f, "must specify a resource name");
	else
		resource_name(causes, name, f);
	if (container) {
		const char *c = sk_obj_get_str(src, "container");
		snprintf(f, sizeof f, "%s.container", at);
		if (!c || !*c)
			sk_cause_required(causes, f, "must specify a container");
		else
			sk_check_dns1123_label(causes, f, c);
	}
	snprintf(tf, sizeof tf, "%s.target", at);
	metric_target(causes, t, tf);
	int util = sk_obj_get(t, "averageUtilization") != NULL, avg = sk_obj_get(t, "averageValue") != NULL;
	if (!util && !avg) {
		snprintf(f, sizeof f, "%s.averageUtilization", tf);
		sk_cause_required(causes, f, "must set either a target raw value or a target utilization");
	}
	if (util && avg) {
		snprintf(f, sizeof f, "%s.averageValue", tf);
		sk_cause_forbidden(causes, f, "may not set both a target raw value and a target utilization");
	}
}

/* validateObjectSource, validateExternalSource, validatePodsSource */
static void named_source(sk_obj *causes, const sk_obj *src, const char *at, const char *type)
{
	char f[256], tf[256];
	sk_obj *t = sk_obj_get(src, "target");
	int value = sk_obj_get(t, "value") != NULL, avg = sk_obj_get(t, "averageValue") != NULL;
	if (!strcmp(type, "Object")) {
		snprintf(f, sizeof f, "%s.describedObject", at);
		object_reference(causes, sk_obj_get(src, "describedObject"), f);
	}
	snprintf(f, sizeof f, "%s.metric", at);
	metric_identifier(causes, sk_obj_get(src, "metric"), f);
	snprintf(tf, sizeof tf, "%s.target", at);
	metric_target(causes, t, tf);
	snprintf(f, sizeof f, "%s.averageValue", tf);
	if (!strcmp(type, "Object") && !value && !avg)
		sk_cause_required(causes, f, "must set either a target value or averageValue");
	else if (!strcmp(type, "External") && !value && !avg)
		sk_cause_required(causes, f, "must set either a target value for metric or a per-pod target");
	else if (!strcmp(type, "Pods") && !avg)
		sk_cause_required(causes, f, "must specify a positive target averageValue");
	if (!strcmp(type, "External") && value && avg) {
		snprintf(f, sizeof f, "%s.value", tf);
		sk_cause_forbidden(causes, f, "may not set both a target value for metric and a per-pod target");
	}
}

/* the metric source types, their fields, in Kubernetes' (sorted) order */
static const struct {
	const char *type, *field;
} sources[] = {
	{"ContainerResource", "containerResource"}, {"External", "external"}, {"Object", "object"},
	{"Pods", "pods"},                           {"Resource", "resource"},
};
#define NSOURCES (sizeof sources / sizeof sources[0])

/* validateMetricSpec; an absent type is the schema's */
static void metric_spec(sk_obj *causes, const sk_obj *m, const char *at)
{
	/* the order validateMetricSpec looks at the sources in */
	static const size_t order[] = {2, 1, 3, 4, 0};
	char f[256];
	const char *type = sk_obj_get_str(m, "type");
	size_t present = 0, expected = NSOURCES;
	snprintf(f, sizeof f, "%s.type", at);
	if (type && !*type)
		sk_cause_required(causes, f, "must specify a metric source type");
	for (size_t i = 0; i < NSOURCES; i++)
		if (type && !strcmp(type, sources[i].type))
			expected = i;
	if (type && expected == NSOURCES)
		sk_cause_not_supported(causes, f, type,
		                       SK_LIST("ContainerResource", "External", "Object", "Pods", "Resource"));
	for (size_t k = 0; k < NSOURCES; k++) {
		size_t i = order[k];
		sk_obj *src = sk_obj_get(m, sources[i].field);
		if (!src)
			continue;
		/* only the first source present is validated */
		if (present++ == 0) {
			snprintf(f, sizeof f, "%s.%s", at, sources[i].field);
			if (i == 0 || i == 4)
				resource_source(causes, src, f, i == 0);
			else
				named_source(causes, src, f, sources[i].type);
		}
	}
	if (expected < NSOURCES && !sk_obj_get(m, sources[expected].field)) {
		snprintf(f, sizeof f, "%s.%s", at, sources[expected].field);
		sk_cause_required(causes, f, "must populate information for the given metric source");
	}
	for (size_t k = 0; k < NSOURCES; k++) {
		size_t i = order[k];
		if (i != expected && sk_obj_get(m, sources[i].field)) {
			snprintf(f, sizeof f, "%s.%s", at, sources[i].field);
			sk_cause_forbidden(causes, f, "must populate the given metric source only");
		}
	}
}

static void metrics(sk_obj *causes, const sk_obj *spec)
{
	sk_obj *list = sk_obj_get(spec, "metrics");
	int object_or_external = 0;
	char f[64];
	for (size_t i = 0; i < sk_obj_len(list); i++) {
		sk_obj *m = sk_obj_at(list, i);
		const char *type = sk_obj_get_str(m, "type");
		snprintf(f, sizeof f, "spec.metrics[%zu]", i);
		metric_spec(causes, m, f);
		object_or_external |= type && (!strcmp(type, "Object") || !strcmp(type, "External"));
	}
	sk_obj *min = sk_obj_get(spec, "minReplicas");
	if (min && sk_obj_int(min) == 0 && !object_or_external)
		sk_cause_forbidden(causes, "spec.metrics",
		                   "must specify at least one Object or External metric to support scaling to zero replicas");
}

static void scaling_policy(sk_obj *causes, const sk_obj *p, const char *at)
{
	char f[256];
	const char *type = sk_obj_get_str(p, "type");
	int64_t value = sk_obj_get_int(p, "value", 0), period = sk_obj_get_int(p, "periodSeconds", 0);
	snprintf(f, sizeof f, "%s.type", at);
	if (!type || (strcmp(type, "Pods") && strcmp(type, "Percent")))
		sk_cause_not_supported(causes, f, type, SK_LIST("Percent", "Pods"));
	snprintf(f, sizeof f, "%s.value", at);
	if (value <= 0)
		sk_cause_invalid_int(causes, f, value, "must be greater than zero");
	snprintf(f, sizeof f, "%s.periodSeconds", at);
	if (period <= 0)
		sk_cause_invalid_int(causes, f, period, "must be greater than zero");
	if (period > MAX_PERIOD_SECONDS)
		sk_cause_invalid_int(causes, f, period, "must be less than or equal to %d", MAX_PERIOD_SECONDS);
}

static void scaling_rules_check(sk_obj *causes, const sk_obj *rules, const char *at)
{
	char f[256];
	sk_obj *window = sk_obj_get(rules, "stabilizationWindowSeconds");
	const char *select = sk_obj_get_str(rules, "selectPolicy");
	if (!rules)
		return;
	snprintf(f, sizeof f, "%s.stabilizationWindowSeconds", at);
	if (window && sk_obj_int(window) < 0)
		sk_cause_invalid_int(causes, f, sk_obj_int(window), "must be greater than or equal to zero");
	if (window && sk_obj_int(window) > MAX_STABILIZATION_WINDOW_SECONDS)
		sk_cause_invalid_int(causes, f, sk_obj_int(window), "must be less than or equal to %d",
		                     MAX_STABILIZATION_WINDOW_SECONDS);
	snprintf(f, sizeof f, "%s.selectPolicy", at);
	if (select && strcmp(select, "Max") && strcmp(select, "Min") && strcmp(select, "Disabled"))
		sk_cause_not_supported(causes, f, select, SK_LIST("Disabled", "Max", "Min"));
	sk_obj *policies = sk_obj_get(rules, "policies");
	snprintf(f, sizeof f, "%s.policies", at);
	if (!sk_obj_len(policies))
		sk_cause_required(causes, f, "must specify at least one Policy");
	for (size_t i = 0; i < sk_obj_len(policies); i++) {
		char pf[280];
		snprintf(pf, sizeof pf, "%s[%zu]", f, i);
		scaling_policy(causes, sk_obj_at(policies, i), pf);
	}
}

/* validateHorizontalPodAutoscalerSpec */
static int validate(void *ud, const sk_obj *hpa, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	sk_obj *spec = sk_obj_get(hpa, "spec"), *min = sk_obj_get(spec, "minReplicas");
	int64_t max = sk_obj_get_int(spec, "maxReplicas", 0);
	/* 0 stays allowed for an HPA that already had it (HPAScaleToZero is off) */
	sk_obj *old_min = sk_obj_get(old, "spec.minReplicas");
	int64_t lower = old_min && sk_obj_int(old_min) == 0 ? 0 : 1;
	if (min && sk_obj_int(min) < lower)
		sk_cause_invalid_int(causes, "spec.minReplicas", sk_obj_int(min), "must be greater than or equal to %lld",
		                     (long long)lower);
	if (max < 1)
		sk_cause_invalid_int(causes, "spec.maxReplicas", max, "must be greater than 0");
	if (min && max < sk_obj_int(min))
		sk_cause_invalid_int(causes, "spec.maxReplicas", max, "must be greater than or equal to `minReplicas`");
	object_reference(causes, sk_obj_get(spec, "scaleTargetRef"), "spec.scaleTargetRef");
	metrics(causes, spec);
	sk_obj *behavior = sk_obj_get(spec, "behavior");
	if (behavior) {
		scaling_rules_check(causes, sk_obj_get(behavior, "scaleUp"), "spec.behavior.scaleUp");
		scaling_rules_check(causes, sk_obj_get(behavior, "scaleDown"), "spec.behavior.scaleDown");
	}
	return sk_obj_len(causes) ? SK_EINVALID : SK_OK;
}

/* ---- columns ----------------------------------------------------------------- */

static const sk_column columns[] = {
	{"Reference", "string",
	 "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be "
	 "collected, as well as to actually change the replica count.",
	 0, NULL},
	{"Targets", "string",
	 "metrics contains the specifications for which to use to calculate the desired replica count (the maximum "
	 "replica count across all metrics will be used).",
	 0, NULL},
	{"MinPods", "string",
	 "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.", 0, NULL},
	{"MaxPods", "string",
	 "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.", 0, NULL},
	{"Replicas", "string",
	 "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the "
	 "autoscaler.",
	 0, NULL},
	{"Age", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0,
	 ".metadata.creationTimestamp"},
	{NULL, NULL, NULL, 0, NULL},
};

/* the current value at `path` of status i's `field` source, or <unknown> */
static void current_of(const sk_obj *statuses, size_t i, const char *field, const char *path, int percent,
                       char *out, size_t cap)
{
	sk_obj *src = sk_obj_get(sk_obj_at(statuses, i), field), *v = sk_obj_get(src, path);
	if (i >= sk_obj_len(statuses) || !src || !v)
		snprintf(out, cap, "<unknown>");
	else if (percent)
		snprintf(out, cap, "%lld%%", (long long)sk_obj_int(v));
	else
		quantity_text(v, out, cap);
}

/* formatHPAMetrics: each metric as current/target, two at most */
static void targets(const sk_obj *hpa, char *out, size_t cap)
{
	sk_obj *specs = sk_obj_get(hpa, "spec.metrics"), *statuses = sk_obj_get(hpa, "status.currentMetrics");
	size_t n = sk_obj_len(specs), shown = 0;
	out[0] = '\0';
	if (!n) {
		snprintf(out, cap, "<none>");
		return;
	}
	for (size_t i = 0; i < n && shown < 2; i++, shown++) {
		sk_obj *m = sk_obj_at(specs, i);
		const char *type = sk_obj_get_str(m, "type");
		char cur[96], tgt[96], one[256];
		const char *field = NULL, *name = NULL;
		for (size_t k = 0; type && k < NSOURCES; k++)
			if (!strcmp(type, sources[k].type))
				field = sources[k].field;
		sk_obj *t = field ? sk_obj_get(m, field) : NULL;
		t = sk_obj_get(t, "target");
		int resource = type && (!strcmp(type, "Resource") || !strcmp(type, "ContainerResource"));
		if (resource && !strcmp(type, "Resource"))
			name = sk_obj_get_str(m, "resource.name");
		if (!field)
			snprintf(one, sizeof one, "<unknown type>");
		else if (resource && !sk_obj_get(t, "averageValue")) {
			current_of(statuses, i, field, "current.averageUtilization", 1, cur, sizeof cur);
			if (sk_obj_get(t, "averageUtilization"))
				snprintf(tgt, sizeof tgt, "%lld%%", (long long)sk_obj_get_int(t, "averageUtilization", 0));
			else
				snprintf(tgt, sizeof tgt, "<auto>");
			snprintf(one, sizeof one, "%s%s%s/%s", name ? name : "", name ? ": " : "", cur, tgt);
		} else {
			int avg = sk_obj_get(t, "averageValue") != NULL || !strcmp(type, "Pods");
			current_of(statuses, i, field, avg ? "current.averageValue" : "current.value", 0, cur, sizeof cur);
			quantity_text(sk_obj_get(t, avg ? "averageValue" : "value"), tgt, sizeof tgt);
			int mark = avg && (!strcmp(type, "External") || !strcmp(type, "Object"));
			snprintf(one, sizeof one, "%s%s%s/%s%s", name ? name : "", name ? ": " : "", cur, tgt,
			         mark ? " (avg)" : "");
		}
		size_t len = strlen(out);
		snprintf(out + len, cap - len, "%s%s", len ? ", " : "", one);
	}
	if (n > 2) {
		size_t len = strlen(out);
		snprintf(out + len, cap - len, " + %zu more...", n - 2);
	}
}

static void row(void *ud, const sk_obj *hpa, sk_obj *cells)
{
	(void)ud;
	char buf[1024];
	const char *kind = sk_obj_get_str(hpa, "spec.scaleTargetRef.kind");
	const char *name = sk_obj_get_str(hpa, "spec.scaleTargetRef.name");
	snprintf(buf, sizeof buf, "%s/%s", kind ? kind : "", name ? name : "");
	sk_obj_set_str(cells, "[0]", buf, NULL);
	targets(hpa, buf, sizeof buf);
	sk_obj_set_str(cells, "[1]", buf, NULL);
	if (sk_obj_get(hpa, "spec.minReplicas")) {
		snprintf(buf, sizeof buf, "%lld", (long long)sk_obj_get_int(hpa, "spec.minReplicas", 0));
		sk_obj_set_str(cells, "[2]", buf, NULL);
	} else
		sk_obj_set_str(cells, "[2]", "<unset>", NULL);
	sk_obj_set_int(cells, "[3]", sk_obj_get_int(hpa, "spec.maxReplicas", 0), NULL);
	sk_obj_set_int(cells, "[4]", sk_obj_get_int(hpa, "status.currentReplicas", 0), NULL);
}

void hpa_v2(sk_resource_ops *r)
{
	r->defaults = defaults;
	r->validate = validate;
	r->columns = columns;
	r->row = row;
}
