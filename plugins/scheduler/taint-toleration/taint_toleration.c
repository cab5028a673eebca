/* taint_toleration.c — the scheduling framework's TaintToleration plugin:
 * a node's NoSchedule and NoExecute taints keep off pods that do not
 * tolerate them, and PreferNoSchedule taints they do not tolerate lower the
 * node's score, as in Kubernetes 1.32. */
#include <skiff/skiff.h>
#include <stdio.h>
#include <string.h>

static const char *str(const sk_obj *o, const char *path)
{
	const char *s = sk_obj_get_str(o, path);
	return s ? s : "";
}

static size_t count(const sk_obj *arr) { return arr && sk_obj_type_of(arr) == SK_OBJ_ARRAY ? sk_obj_len(arr) : 0; }

/* v1.Toleration.ToleratesTaint: an empty effect or key matches every one;
 * the operator is Equal (also when empty) or Exists, any other matches
 * nothing. An empty key with Exists therefore tolerates every taint. */
static int tolerates(const sk_obj *tol, const sk_obj *taint)
{
	const char *effect = str(tol, "effect"), *key = str(tol, "key"), *op = str(tol, "operator");
	if (*effect && strcmp(effect, str(taint, "effect")))
		return 0;
	if (*key && strcmp(key, str(taint, "key")))
		return 0;
	if (!*op || !strcmp(op, "Equal"))
		return !strcmp(str(tol, "value"), str(taint, "value"));
	return !strcmp(op, "Exists");
}

/* Whether some toleration tolerates taint. Scoring passes prefer_only to
 * consider, as Kubernetes' PreScore does, only tolerations whose effect is
 * PreferNoSchedule or empty. */
static int tolerated(const sk_obj *tols, const sk_obj *taint, int prefer_only)
{
	for (size_t i = 0, n = count(tols); i < n; i++) {
		const sk_obj *t = sk_obj_at(tols, i);
		const char *effect = str(t, "effect");
		if (prefer_only && *effect && strcmp(effect, "PreferNoSchedule"))
			continue;
		if (tolerates(t, taint))
			return 1;
	}
	return 0;
}

/* The first NoSchedule or NoExecute taint, in the node's order, that no
 * toleration tolerates (v1helper.FindMatchingUntoleratedTaint). */
static int filter(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n, char *reason, size_t cap)
{
	(void)ud;
	(void)c;
	const sk_obj *taints = n->taints, *tols = sk_obj_get(pod, "spec.tolerations");
	for (size_t i = 0, nt = count(taints); i < nt; i++) {
		const sk_obj *taint = sk_obj_at(taints, i);
		const char *effect = str(taint, "effect");
		if (strcmp(effect, "NoSchedule") && strcmp(effect, "NoExecute"))
			continue;
		if (tolerated(tols, taint, 0))
			continue;
		/* Kubernetes' wording; a taint without a value prints "{key: }" */
		snprintf(reason, cap, "node(s) had untolerated taint {%s: %s}", str(taint, "key"),
		         str(taint, "value"));
		return SK_SCHED_UNRESOLVABLE;
	}
	return SK_SCHED_SUCCESS;
}

/* How many PreferNoSchedule taints the pod does not tolerate; normalize
 * turns more into less. */
static int64_t score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n)
{
	(void)ud;
	(void)c;
	const sk_obj *taints = n->taints, *tols = sk_obj_get(pod, "spec.tolerations");
	int64_t untolerated = 0;
	for (size_t i = 0, nt = count(taints); i < nt; i++) {
		const sk_obj *taint = sk_obj_at(taints, i);
		if (!strcmp(str(taint, "effect"), "PreferNoSchedule") && !tolerated(tols, taint, 1))
			untolerated++;
	}
	return untolerated;
}

static const sk_sched_policy_ops ops = {
	.size = sizeof ops,
	.name = "TaintToleration",
	.filter = filter,
	.score = score,
	.normalize = sk_sched_normalize_lowest, /* reversed: the fewest untolerated taints get 100, and every node when none has any */
};

static int init(sk_plugin *p, sk_err *err) { return sk_register(p, SK_EXT_SCHEDULER, &ops, NULL, err); }

SK_PLUGIN("taint-toleration", "0.1.0", "scheduler filter and score: node taints against pod tolerations",
          SK_LIST("scheduler.filter.TaintToleration", "scheduler.score.TaintToleration"), SK_LIST(NULL), init,
          NULL);
