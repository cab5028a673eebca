/* profile.c — scheduling profiles from the scheduler plugin's settings:
 * which policies run at which framework point, with which score weights,
 * in kube-scheduler's order, as KubeSchedulerConfiguration profiles say it:
 *
 *   profiles:
 *     - schedulerName: packer
 *       plugins:                      # or a list of names: every point
 *         score:
 *           disabled: [ImageLocality] # "*": none of the defaults
 *           enabled: [{name: CostAware, weight: 5}]
 *       weights: {NodeResourcesFit: 2}
 *       preemption: true
 *       percentageOfNodesToScore: 0
 */
#include "sched.h"
#include <stdlib.h>
#include <string.h>

/* kube-scheduler's default profile: filter order decides which reason a
 * node is reported with, weights are its default score weights */
static const struct {
	const char *name;
	int64_t weight;
} known[] = {
	{"PrioritySort", 1},     {"NodeUnschedulable", 1},   {"NodeName", 1},
	{"TaintToleration", 3},  {"NodeAffinity", 2},        {"NodePorts", 1},
	{"NodeResourcesFit", 1}, {"PodTopologySpread", 2},   {"InterPodAffinity", 2},
	{"NodeResourcesBalancedAllocation", 1}, {"ImageLocality", 1},
};
#define NKNOWN (sizeof known / sizeof known[0])

static const struct {
	const char *key;
	unsigned bit;
} points[] = {
	{"queueSort", PT_QUEUESORT}, {"preFilter", PT_PREFILTER}, {"filter", PT_FILTER},
	{"postFilter", PT_POSTFILTER}, {"preScore", PT_PRESCORE}, {"score", PT_SCORE},
	{"reserve", PT_RESERVE},     {"permit", PT_PERMIT},       {"bind", PT_BIND},
};
#define NPOINTS (sizeof points / sizeof points[0])

static size_t rank(const char *name)
{
	for (size_t i = 0; i < NKNOWN; i++)
		if (!strcmp(known[i].name, name))
			return i;
	return NKNOWN;
}

struct collecting {
	struct policy *v;
	size_t n, cap;
};

static int collect_policy(void *ud, const void *ops, void *ops_ud, const char *owner)
{
	(void)owner;
	struct collecting *c = ud;
	const sk_sched_policy_ops *o = ops;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct policy *v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return 1;
		c->v = v;
		c->cap = cap;
	}
	size_t r = rank(o->name);
	c->v[c->n++] = (struct policy){o, ops_ud, r < NKNOWN ? known[r].weight : 1, PT_ALL};
	return 0;
}

static int by_rank(const void *a, const void *b)
{
	size_t ra = rank(((const struct policy *)a)->ops->name), rb = rank(((const struct policy *)b)->ops->name);
	return ra < rb ? -1 : ra > rb;
}

static int invalid(sk_err *err, const struct profile *pr, const char *what, const char *name)
{
	snprintf(err->msg, sizeof err->msg, "scheduler profile %s: %s%s", pr->scheduler_name, what, name ? name : "");
	return err->code = SK_EINVALID;
}

static struct policy *find(struct policy *v, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(v[i].ops->name, name))
			return &v[i];
	return NULL;
}

/* plugins: {POINT: {disabled: [names or "*"], enabled: [names or {name, weight}]}} */
static int points_apply(const sk_obj *spec, const struct collecting *all, struct profile *pr, sk_err *err)
{
	size_t seen = 0; /* known points given: any other key is a mistake */
	for (size_t p = 0; p < NPOINTS; p++) {
		char path[40];
		snprintf(path, sizeof path, "%s", points[p].key);
		const sk_obj *set = sk_obj_get(spec, path);
		if (!set)
			continue;
		seen++;
		const sk_obj *dis = sk_obj_get(set, "disabled"), *en = sk_obj_get(set, "enabled");
		for (size_t i = 0; i < sk_obj_len(dis); i++) {
			const char *n = sk_obj_str(sk_obj_at(dis, i));
			struct policy *pol = find(pr->v, pr->n, n);
			if (n && !strcmp(n, "*"))
				for (size_t k = 0; k < pr->n; k++)
					pr->v[k].points &= ~points[p].bit;
			else if (pol)
				pol->points &= ~points[p].bit;
			else
				return invalid(err, pr, "nothing to disable named ", n ? n : "(not a string)");
		}
		for (size_t i = 0; i < sk_obj_len(en); i++) {
			const sk_obj *e = sk_obj_at(en, i);
			const char *n = sk_obj_str(e) ? sk_obj_str(e) : sk_obj_get_str(e, "name");
			struct policy *pol = find(pr->v, pr->n, n), *any = find(all->v, all->n, n);
			if (!any)
				return invalid(err, pr, "no scheduling policy named ",
				               n ? n : "(not a string) (is the plugin that provides it loaded?)");
			if (!pol) {
				pol = &pr->v[pr->n++];
				*pol = *any;
				pol->points = 0;
			}
			pol->points |= points[p].bit;
			const sk_obj *w = sk_obj_get(e, "weight");
			if (w && (sk_obj_type_of(w) != SK_OBJ_INT || sk_obj_int(w) < 0))
				return invalid(err, pr, "a weight must be a non-negative integer: ", n);
			if (w)
				pol->weight = sk_obj_int(w);
		}
	}
	if (seen < sk_obj_len(spec))
		return invalid(err, pr,
		               "plugins: unknown extension point (queueSort, preFilter, filter, postFilter, preScore, "
		               "score, reserve, permit, bind)",
		               NULL);
	return SK_OK;
}

static int profile_make(const sk_obj *spec, const struct collecting *all, struct profile *pr, sk_err *err)
{
	const char *sname = spec ? sk_obj_get_str(spec, "schedulerName") : NULL;
	pr->scheduler_name = strdup(sname && *sname ? sname : "default-scheduler");
	/* room for every policy: a point's "enabled" can only name loaded ones */
	pr->v = calloc(all->n ? all->n : 1, sizeof *pr->v);
	if (!pr->scheduler_name || !pr->v) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return err->code = SK_ENOMEM;
	}
	const sk_obj *plugins = spec ? sk_obj_get(spec, "plugins") : NULL;
	if (plugins && sk_obj_type_of(plugins) == SK_OBJ_ARRAY) {
		/* a list of names: exactly those, at every point */
		for (size_t i = 0; i < sk_obj_len(plugins); i++) {
			const char *n = sk_obj_str(sk_obj_at(plugins, i));
			const struct policy *any = find(all->v, all->n, n);
			if (!any)
				return invalid(err, pr, "no scheduling policy named ",
				               n ? n : "(not a string) (is the plugin that provides it loaded?)");
			if (!find(pr->v, pr->n, n))
				pr->v[pr->n++] = *any;
		}
	} else {
		memcpy(pr->v, all->v, all->n * sizeof *pr->v);
		pr->n = all->n;
		if (plugins && sk_obj_type_of(plugins) != SK_OBJ_OBJECT)
			return invalid(err, pr, "plugins must be a list of names or a map of extension points", NULL);
		if (plugins && points_apply(plugins, all, pr, err) != SK_OK)
			return err->code;
	}
	const sk_obj *pre = spec ? sk_obj_get(spec, "preemption") : NULL;
	if (pre && sk_obj_type_of(pre) != SK_OBJ_BOOL)
		return invalid(err, pr, "preemption must be true or false", NULL);
	pr->preemption = pre ? sk_obj_get_bool(spec, "preemption", 1) : 1;
	const sk_obj *pct = spec ? sk_obj_get(spec, "percentageOfNodesToScore") : NULL;
	if (pct && (sk_obj_type_of(pct) != SK_OBJ_INT || sk_obj_int(pct) < 0 || sk_obj_int(pct) > 100))
		return invalid(err, pr, "percentageOfNodesToScore must be an integer from 0 to 100", NULL);
	pr->percentage_to_score = pct ? (int)sk_obj_int(pct) : 0;
	const sk_obj *weights = spec ? sk_obj_get(spec, "weights") : NULL;
	for (size_t i = 0; i < pr->n; i++) {
		char path[200];
		snprintf(path, sizeof path, "[\"%s\"]", pr->v[i].ops->name);
		const sk_obj *w = weights ? sk_obj_get(weights, path) : NULL;
		if (w && (sk_obj_type_of(w) != SK_OBJ_INT || sk_obj_int(w) < 0))
			return invalid(err, pr, "a weight must be a non-negative integer: ", pr->v[i].ops->name);
		if (w)
			pr->v[i].weight = sk_obj_int(w);
	}
	qsort(pr->v, pr->n, sizeof *pr->v, by_rank);
	return SK_OK;
}

void profiles_free(struct sched *s)
{
	for (size_t i = 0; i < s->nprofiles; i++) {
		free(s->profiles[i].scheduler_name);
		free(s->profiles[i].v);
	}
	free(s->profiles);
	s->profiles = NULL;
	s->nprofiles = 0;
}

int profiles_load(struct sched *s, const sk_obj *settings, sk_err *err)
{
	struct collecting all = {0};
	sk_ext_foreach(SK_EXT_SCHEDULER, collect_policy, &all);
	const sk_obj *list = sk_obj_get(settings, "profiles");
	size_t n = list ? sk_obj_len(list) : 1;
	s->profiles = calloc(n ? n : 1, sizeof *s->profiles);
	int rc = s->profiles ? SK_OK : SK_ENOMEM;
	for (size_t i = 0; rc == SK_OK && i < n; i++) {
		rc = profile_make(list ? sk_obj_at(list, i) : NULL, &all, &s->profiles[i], err);
		s->nprofiles = i + 1;
		for (size_t k = 0; rc == SK_OK && k < i; k++)
			if (!strcmp(s->profiles[k].scheduler_name, s->profiles[i].scheduler_name))
				rc = invalid(err, &s->profiles[i], "the scheduler name is used by another profile", NULL);
	}
	free(all.v);
	if (rc != SK_OK)
		profiles_free(s);
	return rc;
}

const struct profile *sched_profile(const struct sched *s, const char *name)
{
	for (size_t i = 0; i < s->nprofiles; i++)
		if (!strcmp(s->profiles[i].scheduler_name, name && *name ? name : "default-scheduler"))
			return &s->profiles[i];
	return NULL;
}
