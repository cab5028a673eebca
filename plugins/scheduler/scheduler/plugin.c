/* plugin.c — the scheduler plugin: informers on pods and nodes feeding the
 * cache and the queue, and the controller that runs it with the profiles
 * of its settings (profile.c). Policies are other plugins. */
#include "sched.h"
#include <stdlib.h>
#include <string.h>

static struct sched S;

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
	/* bound, or holding room after a preemption: either way it is free now */
	cache_pod_del(S.cache, key);
	if (sk_obj_get_str(pod, "spec.nodeName") || sk_obj_get_str(pod, "status.nominatedNodeName"))
		queue_move_all(S.queue);
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
	if (!s->queue)
		return; /* stopped */
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
	profiles_free(&S);
}

static int start(void *ud, sk_err *err)
{
	(void)ud;
	if (profiles_load(&S, sk_plugin_settings(S.p), err) != SK_OK)
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
