/* cost_aware.c — an out-of-tree scheduling policy, built with nothing but
 * cc and `pkg-config skiff-sdk`: a score that prefers the cheaper nodes.
 *
 * Each Node may carry a cost label (settings "label", default
 * "example.com/hourly-cost", a number such as "0.42" or "3"). The cheapest
 * labelled node scores 100, the dearest 0, the rest in between; unlabelled
 * nodes score 0. Loaded, it registers the policy "CostAware"; it changes
 * placements only in a scheduler profile that lists it (see README.md). */
#include <skiff/skiff.h>
#include <stdio.h>
#include <stdlib.h>

static char label_path[300] = "[\"example.com/hourly-cost\"]";

/* the node's cost in thousandths, or -1 when it has none */
static int64_t cost_of(const sk_sched_node *n)
{
	const sk_obj *labels = sk_obj_get(n->node, "metadata.labels");
	const char *text = labels ? sk_obj_get_str(labels, label_path) : NULL;
	char *end;
	double d = text ? strtod(text, &end) : -1;
	if (!text || end == text || *end || d < 0)
		return -1;
	return (int64_t)(d * 1000 + 0.5);
}

static int64_t score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n)
{
	(void)ud;
	(void)c;
	(void)pod;
	return cost_of(n);
}

/* raw scores are costs: map the cheapest to 100 and the dearest to 0 */
static void normalize(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *const *nodes,
                      int64_t *scores, size_t n)
{
	(void)ud;
	(void)c;
	(void)pod;
	(void)nodes;
	int64_t lo = -1, hi = -1;
	for (size_t i = 0; i < n; i++) {
		if (scores[i] < 0)
			continue;
		if (lo < 0 || scores[i] < lo)
			lo = scores[i];
		if (scores[i] > hi)
			hi = scores[i];
	}
	for (size_t i = 0; i < n; i++) {
		if (scores[i] < 0)
			scores[i] = 0;
		else if (hi == lo)
			scores[i] = SK_SCHED_MAX_SCORE;
		else
			scores[i] = (hi - scores[i]) * SK_SCHED_MAX_SCORE / (hi - lo);
	}
}

static const sk_sched_policy_ops policy = {
	.size = sizeof policy,
	.name = "CostAware",
	.score = score,
	.normalize = normalize,
};

static int init(sk_plugin *p, sk_err *err)
{
	const char *label = sk_obj_get_str(sk_plugin_settings(p), "label");
	if (label)
		snprintf(label_path, sizeof label_path, "[\"%s\"]", label);
	if (sk_register(p, SK_EXT_SCHEDULER, &policy, NULL, err) != SK_OK)
		return err->code;
	sk_log(p, SK_LOG_INFO, "CostAware ready: scoring nodes by their %s label", label ? label : "example.com/hourly-cost");
	return SK_OK;
}

SK_PLUGIN("cost-aware", "0.1.0", "scheduling score: prefer nodes with a lower cost label",
          SK_LIST("scheduler.score.CostAware"), SK_LIST(NULL), init, NULL);
