/* preempt.c — kube-scheduler's DefaultPreemption post-filter: when no node
 * fits, look on each node the filters found merely full (not unresolvable)
 * for lower-priority pods whose removal lets the pod fit, give back every
 * victim it can spare (most important first), pick the node whose victims
 * matter least, evict them and nominate the node. */
#include "sched.h"
#include <stdlib.h>
#include <string.h>

#define NOT_HELPFUL "Preemption is not helpful for scheduling"
#define NO_VICTIMS "No preemption victims found for incoming pod"

static int64_t priority_of(const sk_obj *pod) { return sk_obj_get_int(pod, "spec.priority", 0); }

struct candidate {
	struct node_info *ni;
	const sk_obj **victims;
	size_t nvictims;
	int64_t top, sum; /* highest and summed victim priority */
};

static int by_priority_desc(const void *a, const void *b)
{
	int64_t pa = priority_of(*(const sk_obj *const *)a), pb = priority_of(*(const sk_obj *const *)b);
	return pa > pb ? -1 : pa < pb;
}

/* selectVictimsOnNode: 1 and the candidate when the pod fits after removing
 * lower-priority pods, 0 when it does not */
static int victims_on(struct sched *s, const struct profile *pr, sk_sched_cycle *c, const sk_obj *pod,
                      struct node_info *ni,
                      const unsigned char *skip, struct candidate *out)
{
	int64_t prio = priority_of(pod);
	size_t n = ni->pods.n;
	unsigned char *keep = malloc(n ? n : 1);
	const sk_obj **lower = malloc((n ? n : 1) * sizeof *lower);
	void *room = NULL; /* the what-if view's lists */
	size_t nlower = 0;
	int ok = 0;
	if (!keep || !lower)
		goto out;
	for (size_t i = 0; i < n; i++) {
		keep[i] = priority_of(ni->pods.v[i]) >= prio;
		if (!keep[i])
			lower[nlower++] = ni->pods.v[i];
	}
	sk_sched_node v;
	if (!(room = cache_view_without(s->cache, ni, keep, &v)))
		goto out;
	if (!nlower || cycle_filter(pr, c, pod, &v, skip, NULL) != SK_SCHED_SUCCESS)
		goto out;
	/* reprieve as many as possible, the most important first */
	qsort(lower, nlower, sizeof *lower, by_priority_desc);
	out->ni = ni;
	out->victims = malloc(nlower * sizeof *out->victims);
	out->nvictims = 0;
	out->top = out->sum = 0;
	if (!out->victims)
		goto out;
	for (size_t j = 0; j < nlower; j++) {
		size_t at = 0;
		while (ni->pods.v[at] != lower[j])
			at++;
		keep[at] = 1;
		free(room);
		if (!(room = cache_view_without(s->cache, ni, keep, &v)))
			goto out;
		if (cycle_filter(pr, c, pod, &v, skip, NULL) != SK_SCHED_SUCCESS) {
			keep[at] = 0;
			int64_t p = priority_of(lower[j]);
			if (!out->nvictims || p > out->top)
				out->top = p;
			out->sum += p;
			out->victims[out->nvictims++] = lower[j];
		}
	}
	ok = 1;
out:
	free(keep);
	free(room);
	free(lower);
	return ok;
}

/* pickOneNodeForPreemption, without PodDisruptionBudgets and start times:
 * the lowest top victim priority, then the lowest sum, then the fewest */
static int better(const struct candidate *a, const struct candidate *b)
{
	if (a->top != b->top)
		return a->top < b->top;
	if (a->sum != b->sum)
		return a->sum < b->sum;
	return a->nvictims < b->nvictims;
}

static void evicted(void *ud, const sk_err *err, const sk_obj *stored)
{
	(void)stored;
	struct sched *s = ud;
	if (err && err->code != SK_ENOTFOUND)
		sk_log(s->p, SK_LOG_WARN, "preemption: evicting a victim failed: %s", err->msg);
}

static void nominate(struct sched *s, const sk_obj *pod, const char *node)
{
	sk_obj *next = sk_obj_copy(pod);
	if (!next)
		return;
	sk_obj_set_str(next, "status.nominatedNodeName", node, NULL);
	sk_api_update(s->p, "", "pods", sk_obj_get_str(pod, "metadata.namespace"), next, evicted, s);
	sk_obj_unref(next);
}

int preempt(struct sched *s, const struct profile *pr, sk_sched_cycle *c, const sk_obj *pod,
            struct node_info *const *nodes, size_t n, const int *codes, const unsigned char *skip, char *msg,
            size_t cap)
{
	const char *policy = sk_obj_get_str(pod, "spec.preemptionPolicy");
	if (policy && !strcmp(policy, "Never")) {
		snprintf(msg, cap, "preemption: not eligible due to preemptionPolicy=Never.");
		return 0;
	}
	/* PodEligibleToPreemptOthers: a pod that already made room waits while
	 * a pod it preempted there is still going */
	const char *nominated = sk_obj_get_str(pod, "status.nominatedNodeName");
	struct node_info *nom = nominated && *nominated ? cache_node(s->cache, nominated) : NULL;
	for (size_t i = 0; nom && i < nom->pods.n; i++)
		if (sk_obj_get_str(nom->pods.v[i], "metadata.deletionTimestamp") &&
		    priority_of(nom->pods.v[i]) < priority_of(pod)) {
			snprintf(msg, cap, "preemption: not eligible due to a terminating pod on the nominated node.");
			return 0;
		}
	char **why = calloc(n ? n : 1, sizeof *why);
	struct candidate best = {0}, cand;
	size_t found = 0;
	/* DefaultPreemption's dry run stops after max(10% of the nodes, 100)
	 * candidates, from a random node, so big clusters stay cheap */
	size_t enough = n / 10 > 100 ? n / 10 : 100, start = n ? (size_t)rand() % n : 0;
	for (size_t j = 0; why && j < n && found < enough; j++) {
		size_t i = (start + j) % n;
		if (codes[i] == SK_SCHED_UNRESOLVABLE) {
			why[i] = NOT_HELPFUL;
			continue;
		}
		if (codes[i] < 0) {
			why[i] = NO_VICTIMS; /* a pre-filter refused the pod itself */
			continue;
		}
		memset(&cand, 0, sizeof cand);
		if (!victims_on(s, pr, c, pod, nodes[i], skip, &cand)) {
			why[i] = NO_VICTIMS;
			continue;
		}
		if (!found || better(&cand, &best)) {
			free(best.victims);
			best = cand;
		} else {
			free(cand.victims);
		}
		found++;
	}
	if (!found) {
		char *r = why ? report_reasons((const char *const *)why, n) : NULL;
		snprintf(msg, cap, "preemption: %s", r ? r : "");
		free(r);
		free(why);
		return 0;
	}
	free(why);
	char note[600];
	const char *uid = sk_obj_get_str(pod, "metadata.uid");
	snprintf(note, sizeof note, "Preempted by pod %s on node %s", uid ? uid : "", best.ni->view.name);
	for (size_t i = 0; i < best.nvictims; i++) {
		const sk_obj *v = best.victims[i];
		report_event(s, v, "Normal", "Preempted", note);
		sk_api_delete(s->p, "", "pods", sk_obj_get_str(v, "metadata.namespace"), sk_obj_get_str(v, "metadata.name"),
		              0, evicted, s);
	}
	sk_log(s->p, SK_LOG_INFO, "preemption: %zu victim(s) on %s for %s/%s", best.nvictims, best.ni->view.name,
	       sk_obj_get_str(pod, "metadata.namespace"), sk_obj_get_str(pod, "metadata.name"));
	nominate(s, pod, best.ni->view.name);
	/* the room it made is the pod's: later pods see it taken there (its
	 * own next cycle gives it back first) */
	char key[600];
	sk_object_key(pod, key, sizeof key);
	cache_pod_set(s->cache, key, pod, best.ni->view.name);
	free(best.victims);
	return 1;
}
