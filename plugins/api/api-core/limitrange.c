/* limitrange.c — LimitRanges: a Container item's default limit and request
 * filled from its max, default and min (SetDefaults_LimitRangeItem), and
 * ValidateLimitRange's ordering min <= defaultRequest <= default <= max. */
#include "kinds.h"
#include <string.h>

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

struct fill {
	sk_obj *into;
};

/* copies each resource of the visited map not yet in `into` */
static int fill_missing(void *ud, const char *name, sk_obj *v)
{
	struct fill *f = ud;
	char path[600];
	if (kinds_key_path(path, sizeof path, "", name) == 0 && !sk_obj_get(f->into, path))
		sk_obj_set(f->into, path, v, NULL);
	return 0;
}

static void fill_from(sk_obj *item, const char *into, const char *from)
{
	sk_obj *src = sk_obj_get(item, from);
	if (!src || sk_obj_type_of(src) != SK_OBJ_OBJECT || !sk_obj_len(src))
		return;
	if (!sk_obj_get(item, into)) {
		sk_obj *empty = sk_obj_new_object();
		sk_obj_set(item, into, empty, NULL);
		sk_obj_unref(empty);
	}
	struct fill f = {sk_obj_get(item, into)};
	if (sk_obj_type_of(f.into) == SK_OBJ_OBJECT)
		sk_obj_foreach(src, fill_missing, &f);
}

static void defaults(void *ud, sk_obj *lr)
{
	(void)ud;
	sk_obj *limits = sk_obj_get(lr, "spec.limits");
	for (size_t i = 0; i < sk_obj_len(limits); i++) {
		sk_obj *item = sk_obj_at(limits, i);
		if (!eq(sk_obj_get_str(item, "type"), "Container"))
			continue;
		/* the limit defaults to the max, the request to the limit, then the min */
		fill_from(item, "default", "max");
		fill_from(item, "defaultRequest", "default");
		fill_from(item, "defaultRequest", "min");
	}
}

/* ---- validation ----------------------------------------------------------- */

static void check_type(const char *type, const char *field, sk_obj *causes)
{
	if (sk_check_qualified_name(causes, field, type))
		return;
	if (!strchr(type, '/') && !eq(type, "Pod") && !eq(type, "Container") && !eq(type, "PersistentVolumeClaim"))
		sk_cause_invalid_str(causes, field, type, "must be a standard limit type or fully qualified");
}

static int prefixed(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

/* validateLimitRangeResourceName: containers and pods take container resources */
static void check_resource(const char *type, const char *name, const char *field, sk_obj *causes)
{
	if (kinds_check_resource_name(causes, field, name) != 0 || (!eq(type, "Pod") && !eq(type, "Container")))
		return;
	if (!strchr(name, '/')) {
		if (!eq(name, "cpu") && !eq(name, "memory") && !eq(name, "ephemeral-storage") && !prefixed(name, "hugepages-"))
			sk_cause_invalid_str(causes, field, name, "must be a standard resource for containers");
	} else if (!kinds_native_resource(name) && !kinds_extended_resource(name))
		sk_cause_invalid_str(causes, field, name, "doesn't follow extended resource name standard");
}

enum { MIN, MAX, DEFAULT, DEFAULT_REQUEST, RATIO, NMAPS };
static const char *const map_names[NMAPS] = {"min", "max", "default", "defaultRequest", "maxLimitRequestRatio"};

struct item {
	sk_obj *causes;
	const char *type;
	size_t index;
	int which;
	sk_obj *keys; /* every resource named in the item */
};

static int check_key(void *ud, const char *name, sk_obj *v)
{
	(void)v;
	struct item *it = ud;
	char f[600], path[600];
	snprintf(f, sizeof f, "spec.limits[%zu].%s[%s]", it->index, map_names[it->which], name);
	check_resource(it->type, name, f, it->causes);
	if (kinds_key_path(path, sizeof path, "", name) == 0)
		sk_obj_set_bool(it->keys, path, 1, NULL);
	return 0;
}

struct compare {
	sk_obj *causes;
	const sk_obj *item;
	size_t index;
};

static int quantity(const sk_obj *item, int which, const char *name, sk_quantity *q, char *text, size_t cap)
{
	char path[700];
	if (kinds_key_path(path, sizeof path, map_names[which], name) != 0)
		return 0;
	sk_obj *v = sk_obj_get(item, path);
	if (!v || kinds_quantity(v, q) != 0)
		return 0;
	sk_quantity_format(q, text, cap);
	return 1;
}

static void invalid(struct compare *c, int which, const char *name, const char *value, const char *msg)
{
	char f[600];
	snprintf(f, sizeof f, "spec.limits[%zu].%s[%s]", c->index, map_names[which], name);
	sk_cause_invalid_str(c->causes, f, value, "%s", msg);
}

/* hugepages and extended resources cannot be overcommitted */
static int overcommit_allowed(const char *name)
{
	return kinds_native_resource(name) && !prefixed(name, "hugepages-");
}

static int compare_key(void *ud, const char *name, sk_obj *unused)
{
	(void)unused;
	struct compare *c = ud;
	sk_quantity q[NMAPS];
	char t[NMAPS][64], msg[400];
	int have[NMAPS];
	/* a Pod item's defaults are refused, not compared */
	int pod = eq(sk_obj_get_str(c->item, "type"), "Pod");
	for (int i = 0; i < NMAPS; i++)
		have[i] = !(pod && (i == DEFAULT || i == DEFAULT_REQUEST)) && quantity(c->item, i, name, &q[i], t[i], sizeof t[i]);
	if (have[MIN] && have[MAX] && sk_quantity_cmp(&q[MIN], &q[MAX]) > 0) {
		snprintf(msg, sizeof msg, "min value %s is greater than max value %s", t[MIN], t[MAX]);
		invalid(c, MIN, name, t[MIN], msg);
	}
	if (have[DEFAULT_REQUEST] && have[MIN] && sk_quantity_cmp(&q[MIN], &q[DEFAULT_REQUEST]) > 0) {
		snprintf(msg, sizeof msg, "min value %s is greater than default request value %s", t[MIN], t[DEFAULT_REQUEST]);
		invalid(c, DEFAULT_REQUEST, name, t[DEFAULT_REQUEST], msg);
	}
	if (have[DEFAULT_REQUEST] && have[MAX] && sk_quantity_cmp(&q[DEFAULT_REQUEST], &q[MAX]) > 0) {
		snprintf(msg, sizeof msg, "default request value %s is greater than max value %s", t[DEFAULT_REQUEST], t[MAX]);
		invalid(c, DEFAULT_REQUEST, name, t[DEFAULT_REQUEST], msg);
	}
	if (have[DEFAULT_REQUEST] && have[DEFAULT] && sk_quantity_cmp(&q[DEFAULT_REQUEST], &q[DEFAULT]) > 0) {
		snprintf(msg, sizeof msg, "default request value %s is greater than default limit value %s",
		         t[DEFAULT_REQUEST], t[DEFAULT]);
		invalid(c, DEFAULT_REQUEST, name, t[DEFAULT_REQUEST], msg);
	}
	if (have[DEFAULT] && have[MIN] && sk_quantity_cmp(&q[MIN], &q[DEFAULT]) > 0) {
		snprintf(msg, sizeof msg, "min value %s is greater than default value %s", t[MIN], t[DEFAULT]);
		invalid(c, DEFAULT, name, t[MIN], msg);
	}
	if (have[DEFAULT] && have[MAX] && sk_quantity_cmp(&q[DEFAULT], &q[MAX]) > 0) {
		snprintf(msg, sizeof msg, "default value %s is greater than max value %s", t[DEFAULT], t[MAX]);
		invalid(c, DEFAULT, name, t[MAX], msg);
	}
	sk_quantity one;
	sk_err err = {0};
	sk_quantity_parse("1", &one, &err);
	if (have[RATIO] && sk_quantity_cmp(&q[RATIO], &one) < 0) {
		snprintf(msg, sizeof msg, "ratio %s is less than 1", t[RATIO]);
		invalid(c, RATIO, name, t[RATIO], msg);
	}
	if (have[RATIO] && have[MIN] && have[MAX] && sk_quantity_milli(&q[MIN]) > 0) {
		double ratio = (double)sk_quantity_milli(&q[RATIO]) / 1000;
		double limit = (double)sk_quantity_milli(&q[MAX]) / (double)sk_quantity_milli(&q[MIN]);
		if (ratio > limit) {
			snprintf(msg, sizeof msg, "ratio %s is greater than max/min = %f", t[RATIO], limit);
			invalid(c, RATIO, name, t[RATIO], msg);
		}
	}
	if (!overcommit_allowed(name) && have[DEFAULT] && have[DEFAULT_REQUEST] &&
	    sk_quantity_cmp(&q[DEFAULT], &q[DEFAULT_REQUEST]) != 0) {
		snprintf(msg, sizeof msg, "default value %s must equal to defaultRequest value %s in %s", t[DEFAULT],
		         t[DEFAULT_REQUEST], name);
		invalid(c, DEFAULT_REQUEST, name, t[DEFAULT_REQUEST], msg);
	}
	return 0;
}

static void check_item(const sk_obj *item, size_t i, sk_obj *seen_types, sk_obj *causes)
{
	char f[96], path[600];
	const char *type = sk_obj_get_str(item, "type") ?: "";
	snprintf(f, sizeof f, "spec.limits[%zu].type", i);
	if (sk_obj_get(item, "type")) /* absent: the schema reports it */
		check_type(type, f, causes);
	if (kinds_key_path(path, sizeof path, "", type) == 0) {
		if (sk_obj_get(seen_types, path))
			sk_cause_duplicate(causes, f, type);
		sk_obj_set_bool(seen_types, path, 1, NULL);
	}
	struct item it = {causes, type, i, 0, sk_obj_new_object()};
	static const int order[] = {MAX, MIN, DEFAULT, DEFAULT_REQUEST, RATIO};
	for (size_t k = 0; k < 5; k++) {
		it.which = order[k];
		sk_obj *m = sk_obj_get(item, map_names[order[k]]);
		int pod_default = eq(type, "Pod") && (order[k] == DEFAULT || order[k] == DEFAULT_REQUEST);
		if (pod_default && sk_obj_len(m)) {
			snprintf(f, sizeof f, "spec.limits[%zu].%s", i, map_names[order[k]]);
			sk_cause_forbidden(causes, f, "may not be specified when `type` is 'Pod'");
		} else if (m && sk_obj_type_of(m) == SK_OBJ_OBJECT && !pod_default)
			sk_obj_foreach(m, check_key, &it);
		if (order[k] == DEFAULT_REQUEST && eq(type, "PersistentVolumeClaim") &&
		    !sk_obj_get(item, "min.storage") && !sk_obj_get(item, "max.storage")) {
			snprintf(f, sizeof f, "spec.limits[%zu].limits", i);
			sk_cause_required(causes, f, "either minimum or maximum storage value is required, but neither was provided");
		}
	}
	struct compare c = {causes, item, i};
	sk_obj_foreach(it.keys, compare_key, &c);
	sk_obj_unref(it.keys);
}

static int validate(void *ud, const sk_obj *lr, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	sk_obj *limits = sk_obj_get(lr, "spec.limits"), *seen = sk_obj_new_object();
	for (size_t i = 0; i < sk_obj_len(limits); i++)
		check_item(sk_obj_at(limits, i), i, seen, causes);
	sk_obj_unref(seen);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

void kinds_limitrange(sk_resource_ops *r)
{
	r->defaults = defaults;
	r->validate = validate;
}
