/* plugin.c — the scheduler plugin: profiles from its settings, informers
 * on pods and nodes feeding the cache and the queue, and the controller
 * that runs it. Policies are other plugins (SK_EXT_SCHEDULER). */
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
	{"NodeResourcesBalancedAllocation", 1}, {"ImageLocality", 1}, {"DefaultPreemption", 1},
};
#define NKNOWN (sizeof known / sizeof known[0])

static struct sched S;

static size_t rank(const char *name)
{
	for (size_t i = 0; i < NKNOWN; i++)
		if (!strcmp(known[i].name, name))
			return i;
	return NKNOWN;
}

static int64_t default_weight(const char *name)
{
	size_t r = rank(name);
	return r < NKNOWN ? known[r].weight : 1;
}

struct collecting {
	struct policy *v;
	size_t n, cap;
};

static int collect(void *ud, const void *ops, void *ops_ud, const char *owner)
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
	c->v[c->n++] = (struct policy){o, ops_ud, default_weight(o->name)};
	return 0;
}

static int by_rank(const void *a, const void *b)
{
	size_t ra = rank(((const struct policy *)a)->ops->name), rb = rank(((const struct policy *)b)->ops->name);
	return ra < rb ? -1 : ra > rb;
}

static void profiles_free(void)
{
	for (size_t i = 0; i < S.nprofiles; i++) {
		free(S.profiles[i].scheduler_name);
		free(S.profiles[i].v);
	}
	free(S.profiles);
	S.profiles = NULL;
	S.nprofiles = 0;
}

/* One profile from settings {schedulerName, plugins: [names], weights:
 * {name: n}}; without plugins, every registered policy in kube-scheduler's
 * order. */
static int profile_make(const sk_obj *spec, const struct collecting *all, struct profile *pr, sk_err *err)
{
	const char *sname = spec ? sk_obj_get_str(spec, "schedulerName") : NULL;
	pr->scheduler_name = strdup(sname && *sname ? sname : "default-scheduler");
	const sk_obj *names = spec ? sk_obj_get(spec, "plugins") : NULL;
	size_t want = names ? sk_obj_len(names) : all->n;
	pr->v = calloc(want ? want : 1, sizeof *pr->v);
	if (!pr->scheduler_name || !pr->v) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return err->code = SK_ENOMEM;
	}
	if (!names) {
		memcpy(pr->v, all->v, all->n * sizeof *pr->v);
		pr->n = all->n;
	}
	for (size_t i = 0; names && i < want; i++) {
		const char *n = sk_obj_str(sk_obj_at(names, i));
		size_t k = 0;
		while (k < all->n && (!n || strcmp(all->v[k].ops->name, n)))
			k++;
		if (k == all->n) {
			snprintf(err->msg, sizeof err->msg,
			         "scheduler profile %s: no scheduling policy named %s (is the plugin that provides it loaded?)",
			         pr->scheduler_name, n ? n : "(not a string)");
			return err->code = SK_EINVALID;
		}
		pr->v[pr->n++] = all->v[k];
	}
	const sk_obj *pre = spec ? sk_obj_get(spec, "preemption") : NULL;
	if (pre && sk_obj_type_of(pre) != SK_OBJ_BOOL) {
		snprintf(err->msg, sizeof err->msg, "scheduler profile %s: preemption must be true or false",
		         pr->scheduler_name);
		return err->code = SK_EINVALID;
	}
	pr->preemption = pre ? sk_obj_get_bool(spec, "preemption", 1) : 1;
	const sk_obj *pct = spec ? sk_obj_get(spec, "percentageOfNodesToScore") : NULL;
	if (pct && (sk_obj_type_of(pct) != SK_OBJ_INT || sk_obj_int(pct) < 0 || sk_obj_int(pct) > 100)) {
		snprintf(err->msg, sizeof err->msg,
		         "scheduler profile %s: percentageOfNodesToScore must be an integer from 0 to 100",
		         pr->scheduler_name);
		return err->code = SK_EINVALID;
	}
	pr->percentage_to_score = pct ? (int)sk_obj_int(pct) : 0;
	const sk_obj *weights = spec ? sk_obj_get(spec, "weights") : NULL;
	for (size_t i = 0; i < pr->n; i++) {
		char path[200];
		snprintf(path, sizeof path, "[\"%s\"]", pr->v[i].ops->name);
		const sk_obj *w = weights ? sk_obj_get(weights, path) : NULL;
		if (w && sk_obj_type_of(w) != SK_OBJ_INT) {
			snprintf(err->msg, sizeof err->msg, "scheduler profile %s: the weight of %s must be an integer",
			         pr->scheduler_name, pr->v[i].ops->name);
			return err->code = SK_EINVALID;
		}
		if (w)
			pr->v[i].weight = sk_obj_int(w);
	}
	qsort(pr->v, pr->n, sizeof *pr->v, by_rank);
	return SK_OK;
}

static int profiles_load(sk_err *err)
{
	struct collecting all = {0};
	sk_ext_foreach(SK_EXT_SCHEDULER, collect, &all);
	const sk_obj *list = sk_obj_get(sk_plugin_settings(S.p), "profiles");
	size_t n = list ? sk_obj_len(list) : 1;
	S.profiles = calloc(n ? n : 1, sizeof *S.profiles);
	int rc = S.profiles ? SK_OK : SK_ENOMEM;
	for (size_t i = 0; rc == SK_OK && i < n; i++) {
		rc = profile_make(list ? sk_obj_at(list, i) : NULL, &all, &S.profiles[i], err);
		S.nprofiles = i + 1;
	}
	free(all.v);
	if (rc != SK_OK)
		profiles_free();
	return rc;
}

const struct profile *sched_profile(const struct sched *s, const char *name)
{
	for (size_t i = 0; i < s->nprofiles; i++)
		if (!strcmp(s->profiles[i].scheduler_name, name && *name ? name : "default-scheduler"))
			return &s->profiles[i];
	return NULL;
}

/* ---- pods and nodes ---- */

static int finished(const sk_obj *pod)
{
	const char *phase = sk_obj_get_str(pod, "status.phase");
	return phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"));
}

static void pod_seen(void *ud, const sk_obj *pod)
{
	(void)ud;
	char key[600];
	sk_object_key(pod, key, sizeof key);
	const char *node = sk_obj_get_str(pod, "spec.nodeName");
	if (node && *node) {
		queue_del(S.queue, key);
		if (finished(pod)) {
			cache_pod_del(S.cache, key);
			queue_move_all(S.queue); /* its resources are free again */
		} else {
			cache_pod_set(S.cache, key, pod, node);
		}
		return;
	}
	if (sk_obj_get_str(pod, "metadata.deletionTimestamp") ||
	    !sched_profile(&S, sk_obj_get_str(pod, "spec.schedulerName")))
		return;
	queue_add(S.queue, key, sk_obj_get_int(pod, "spec.priority", 0));
}

static void pod_changed(void *ud, const sk_obj *old, const sk_obj *pod)
{
	(void)old;
	pod_seen(ud, pod);
}

static void pod_gone(void *ud, const sk_obj *pod)
{
	(void)ud;
	char key[600];
	sk_object_key(pod, key, sizeof key);
	queue_del(S.queue, key);
	if (sk_obj_get_str(pod, "spec.nodeName")) {
		cache_pod_del(S.cache, key);
		queue_move_all(S.queue);
	}
}

static void node_seen(void *ud, const sk_obj *node)
{
	(void)ud;
	cache_node_set(S.cache, node);
	queue_move_all(S.queue); /* a new or changed node may fit parked pods */
}

static void node_changed(void *ud, const sk_obj *old, const sk_obj *node)
{
	(void)old;
	node_seen(ud, node);
}

static void node_gone(void *ud, const sk_obj *node)
{
	(void)ud;
	cache_node_del(S.cache, sk_obj_get_str(node, "metadata.name"));
}

static void pop(void *ud, const char *key)
{
	struct sched *s = ud;
	char ns[300] = "", *name;
	snprintf(ns, sizeof ns, "%s", key);
	if (!(name = strchr(ns, '/'))) {
		queue_del(s->queue, key);
		return;
	}
	*name++ = 0;
	const sk_obj *pod = sk_informer_get(s->pods, ns, name);
	const char *node = pod ? sk_obj_get_str(pod, "spec.nodeName") : NULL;
	const struct profile *pr = pod ? sched_profile(s, sk_obj_get_str(pod, "spec.schedulerName")) : NULL;
	if (!pod || (node && *node) || !pr || sk_obj_get_str(pod, "metadata.deletionTimestamp")) {
		queue_del(s->queue, key);
		return;
	}
	/* the cycle may outlive the informer's copy: it holds its own */
	sk_obj *mine = sk_obj_ref((sk_obj *)pod);
	cycle_run(s, pr, mine, key);
	sk_obj_unref(mine);
}

void sched_done(struct sched *s, const char *key, int rc)
{
	if (rc == SK_SCHED_SUCCESS) {
		s->scheduled++;
		queue_del(s->queue, key);
	} else if (rc == SK_SCHED_UNSCHEDULABLE || rc == SK_SCHED_UNRESOLVABLE) {
		s->failed++;
		queue_unschedulable(s->queue, key);
	} else {
		s->failed++;
		queue_backoff(s->queue, key);
	}
}

/* ---- the controller ---- */

static void stop(void *ud)
{
	(void)ud;
	sk_informer_free(S.pods);
	sk_informer_free(S.nodes);
	S.pods = S.nodes = NULL;
	queue_free(S.queue);
	cache_free(S.cache);
	S.queue = NULL;
	S.cache = NULL;
	profiles_free();
}

static int start(void *ud, sk_err *err)
{
	(void)ud;
	if (profiles_load(err) != SK_OK)
		return err->code;
	S.cache = cache_new();
	S.queue = queue_new(S.p, pop, &S);
	if (!S.cache || !S.queue) {
		stop(NULL);
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return err->code = SK_ENOMEM;
	}
	static const sk_informer_handlers nh = {sizeof nh, node_seen, node_changed, node_gone};
	static const sk_informer_handlers ph = {sizeof ph, pod_seen, pod_changed, pod_gone};
	sk_informer_spec ns = {sizeof ns, "", "nodes", NULL, NULL, NULL, &nh, &S};
	sk_informer_spec ps = {sizeof ps, "", "pods", NULL, NULL, NULL, &ph, &S};
	/* nodes first, so the first pods find them */
	if (!(S.nodes = sk_informer_new(S.p, &ns, err)) || !(S.pods = sk_informer_new(S.p, &ps, err))) {
		stop(NULL);
		return err->code ? err->code : SK_EIO;
	}
	for (size_t i = 0; i < S.nprofiles; i++)
		sk_log(S.p, SK_LOG_INFO, "profile %s: %zu policies", S.profiles[i].scheduler_name, S.profiles[i].n);
	return SK_OK;
}

static const sk_controller_ops controller = {sizeof controller, "scheduler", start, stop};

static int init(sk_plugin *p, sk_err *err)
{
	S.p = p;
	return sk_register(p, SK_EXT_CONTROLLER, &controller, NULL, err);
}

SK_PLUGIN("scheduler", "0.1.0", "the scheduler: places pending pods on nodes through the scheduling policies",
          SK_LIST("scheduler"), SK_LIST("api-core"), init, NULL);
