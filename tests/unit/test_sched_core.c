/* test_sched_core.c — the scheduler plugin's own parts, compiled in: the
 * FitError wording, the queue's order and back-off, and the cache's sums. */
#include "testutil.h"
#include "plugin_host.h"
#include <skiff/skiff.h>

#include "../../plugins/scheduler/scheduler/cache.c"
#include "../../plugins/scheduler/scheduler/profile.c"
#include "../../plugins/scheduler/scheduler/queue.c"
#include "../../plugins/scheduler/scheduler/report.c"

/* ---- the FitError message ---- */

static void fit_error_counts_and_sorts(void **state)
{
	(void)state;
	const char *r[] = {"Insufficient cpu", "node(s) had untolerated taint {app: myapp}", "Insufficient cpu"};
	char *m = report_fit_error(r, 3, NULL, NULL);
	/* "%d %s" lines sorted as text: "1 node(s)..." before "2 Insufficient" */
	assert_string_equal(m, "0/3 nodes are available: 1 node(s) had untolerated taint {app: myapp}, 2 Insufficient cpu.");
	free(m);
}

static void fit_error_several_reasons_per_node(void **state)
{
	(void)state;
	const char *r[] = {"Insufficient cpu\nInsufficient memory", "Insufficient memory", NULL};
	char *m = report_fit_error(r, 3, NULL, NULL);
	assert_string_equal(m, "0/3 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.");
	free(m);
}

static void fit_error_prefilter_postfilter_and_none(void **state)
{
	(void)state;
	char *m = report_fit_error(NULL, 0, NULL, NULL);
	assert_string_equal(m, "no nodes available to schedule pods");
	free(m);
	m = report_fit_error(NULL, 2, "pod affinity terms conflict", NULL);
	assert_string_equal(m, "0/2 nodes are available: pod affinity terms conflict.");
	free(m);
	const char *r[] = {"Insufficient cpu"};
	m = report_fit_error(r, 1, NULL, "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
	/* kube-scheduler's own double period */
	assert_string_equal(m, "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No "
	                       "preemption victims found for incoming pod..");
	free(m);
}

/* ---- the queue ---- */

struct popped {
	char keys[16][32];
	int n;
};

static void record(void *ud, const char *key)
{
	struct popped *p = ud;
	if (p->n < 16)
		snprintf(p->keys[p->n++], sizeof p->keys[0], "%s", key);
}

static void queue_orders_by_priority_then_arrival(void **state)
{
	(void)state;
	char *d = tu_host_up();
	struct popped p = {0};
	struct queue *q = queue_new(NULL, record, &p);
	queue_add(q, "ns/a", 0);
	queue_add(q, "ns/b", 10);
	queue_add(q, "ns/c", 5);
	queue_add(q, "ns/d", 10);
	queue_add(q, "ns/e", 1);
	queue_add(q, "ns/b", 10); /* already waiting: not twice */
	queue_del(q, "ns/e");
	tu_wait(&p.n, 4);
	assert_int_equal(p.n, 4);
	assert_string_equal(p.keys[0], "ns/b");
	assert_string_equal(p.keys[1], "ns/d");
	assert_string_equal(p.keys[2], "ns/c");
	assert_string_equal(p.keys[3], "ns/a");
	queue_free(q);
	tu_host_down(d);
}

static void queue_backs_off_and_unparks(void **state)
{
	(void)state;
	char *d = tu_host_up();
	struct popped p = {0};
	struct queue *q = queue_new(NULL, record, &p);
	queue_add(q, "ns/x", 0);
	tu_wait(&p.n, 1);
	/* the attempt failed: not again before its 1 s back-off */
	double t0 = sk_monotonic();
	queue_backoff(q, "ns/x");
	tu_wait(&p.n, 2);
	assert_true(sk_monotonic() - t0 >= 0.9);
	/* it did not fit: parked until the cluster changes */
	queue_unschedulable(q, "ns/x");
	assert_int_equal(queue_len(q), 1);
	t0 = sk_monotonic();
	queue_move_all(q);
	tu_wait(&p.n, 3);
	/* the second failure doubled its back-off to 2 s, counted from the failure */
	assert_true(sk_monotonic() - t0 >= 1.5);
	queue_del(q, "ns/x");
	assert_int_equal(queue_len(q), 0);
	queue_free(q);
	tu_host_down(d);
}

/* ---- the cache ---- */

static sk_obj *parse(const char *json)
{
	sk_obj *o = sk_obj_parse(json, strlen(json), NULL);
	assert_non_null(o);
	return o;
}

static void cache_sums_requests_and_keeps_orphans(void **state)
{
	(void)state;
	struct cache *c = cache_new();
	sk_obj *n1 = parse("{\"metadata\":{\"name\":\"n1\"},\"status\":{\"allocatable\":{\"cpu\":\"4\",\"memory\":\"8Gi\","
	                   "\"pods\":\"110\"}}}");
	sk_obj *n0 = parse("{\"metadata\":{\"name\":\"n0\"},\"status\":{\"capacity\":{\"cpu\":\"2\"}}}");
	/* init container 1 cpu beats 2 x 200m; overhead adds 100m */
	sk_obj *pod = parse("{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\"},\"spec\":{\"containers\":["
	                    "{\"resources\":{\"requests\":{\"cpu\":\"200m\",\"memory\":\"1Gi\"}}},"
	                    "{\"resources\":{\"requests\":{\"cpu\":\"200m\"}}}],"
	                    "\"initContainers\":[{\"resources\":{\"requests\":{\"cpu\":\"1\"}}}],"
	                    "\"overhead\":{\"cpu\":\"100m\"}}}");
	cache_node_set(c, n1);
	cache_node_set(c, n0);
	size_t n;
	struct node_info *const *list = cache_nodes(c, &n);
	assert_int_equal(n, 2);
	assert_string_equal(list[0]->view.name, "n0"); /* sorted by name */
	assert_int_equal(list[1]->view.alloc_milli_cpu, 4000);
	assert_int_equal(list[0]->view.alloc_milli_cpu, 2000); /* capacity when no allocatable */
	cache_pod_set(c, "ns/p", pod, "n1");
	struct node_info *ni = cache_node(c, "n1");
	assert_int_equal(ni->view.npods, 1);
	assert_int_equal(ni->view.req_milli_cpu, 1100);
	assert_int_equal(ni->view.req_memory, 1024LL * 1024 * 1024);
	/* the node goes while its pod stays: the entry lives on, out of the list */
	cache_node_del(c, "n1");
	list = cache_nodes(c, &n);
	assert_int_equal(n, 1);
	assert_non_null(cache_node(c, "n1"));
	cache_pod_del(c, "ns/p");
	assert_null(cache_node(c, "n1"));
	/* moving a pod moves its requests */
	cache_node_set(c, n1);
	cache_pod_set(c, "ns/p", pod, "n1");
	cache_pod_set(c, "ns/p", pod, "n0");
	assert_int_equal(cache_node(c, "n1")->view.req_milli_cpu, 0);
	assert_int_equal(cache_node(c, "n0")->view.req_milli_cpu, 1100);
	cache_free(c);
	sk_obj_unref(n1);
	sk_obj_unref(n0);
	sk_obj_unref(pod);
}

/* What kube-scheduler's NodeInfo precomputes: non-zero sums, the pods with
 * affinity terms, images with how many nodes list each, labels, taints,
 * cordon, and a generation that moves with every change. */
static void cache_keeps_what_policies_read(void **state)
{
	(void)state;
	struct cache *c = cache_new();
	sk_obj *n1 = parse("{\"metadata\":{\"name\":\"n1\",\"labels\":{\"zone\":\"a\"}},"
	                   "\"spec\":{\"unschedulable\":true,\"taints\":[{\"key\":\"k\",\"effect\":\"NoSchedule\"}]},"
	                   "\"status\":{\"images\":[{\"names\":[\"web:1\",\"reg/web:1\"],\"sizeBytes\":300},"
	                   "{\"names\":[\"db:2\"],\"sizeBytes\":50},{\"names\":[\"web:1\"],\"sizeBytes\":9}]}}");
	sk_obj *n2 = parse("{\"metadata\":{\"name\":\"n2\"},\"status\":{\"images\":[{\"names\":[\"web:1\"],"
	                   "\"sizeBytes\":300}]}}");
	sk_obj *n2_later = parse("{\"metadata\":{\"name\":\"n2\"},\"status\":{\"images\":[]}}");
	sk_obj *plain = parse("{\"spec\":{\"containers\":[{}]}}");
	sk_obj *aff = parse("{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"1\"}}}],"
	                    "\"affinity\":{\"podAffinity\":{}}}}");
	sk_obj *anti = parse("{\"spec\":{\"affinity\":{\"podAntiAffinity\":{"
	                     "\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"topologyKey\":\"zone\"}]}}}}");
	cache_node_set(c, n1);
	cache_node_set(c, n2);
	size_t n;
	cache_nodes(c, &n);
	const sk_sched_node *v = &cache_node(c, "n1")->view;
	assert_string_equal(sk_obj_get_str(v->labels, "zone"), "a");
	assert_int_equal(sk_obj_len(v->taints), 1);
	assert_true(v->unschedulable);
	assert_false(cache_node(c, "n2")->view.unschedulable);
	assert_null(cache_node(c, "n2")->view.labels);
	/* sorted, each name once, the first listing's size */
	assert_int_equal(v->nimages, 3);
	assert_string_equal(v->images[0].name, "db:2");
	assert_string_equal(v->images[2].name, "web:1");
	assert_int_equal(v->images[2].size, 300);
	assert_int_equal(v->images[2].num_nodes, 2);
	assert_int_equal(v->images[0].num_nodes, 1);
	/* n2 drops its image: n1's count follows at the next snapshot */
	cache_node_set(c, n2_later);
	cache_nodes(c, &n);
	assert_int_equal(v->images[2].num_nodes, 1);

	uint64_t g = v->generation;
	cache_pod_set(c, "ns/plain", plain, "n1");
	cache_pod_set(c, "ns/aff", aff, "n1");
	cache_pod_set(c, "ns/anti", anti, "n1");
	assert_true(v->generation > g);
	assert_int_equal(v->npods, 3);
	assert_int_equal(v->req_milli_cpu, 1000);
	/* non-zero: 100m for a container that names no cpu, 200Mi for one
	 * that names no memory; the pod without containers counts nothing */
	assert_int_equal(v->nonzero_milli_cpu, 1100);
	assert_int_equal(v->nonzero_memory, 2 * 200LL * 1024 * 1024);
	assert_int_equal(v->naffinity_pods, 2);
	assert_int_equal(v->nanti_affinity_pods, 1);
	assert_ptr_equal(v->anti_affinity_pods[0], anti);
	for (size_t i = 0; i < v->npods; i++) {
		assert_ptr_equal(v->pod_infos[i].pod, v->pods[i]);
		assert_string_equal(v->pod_infos[i].ns, "");
		assert_null(v->pod_infos[i].labels);
		assert_false(v->pod_infos[i].terminating);
	}

	/* a what-if view without the pod with affinity; the node keeps it */
	struct node_info *ni = cache_node(c, "n1");
	unsigned char keep[3];
	for (size_t i = 0; i < 3; i++)
		keep[i] = ni->pods.v[i] != aff;
	sk_sched_node w;
	void *room = cache_view_without(c, ni, keep, &w);
	assert_non_null(room);
	assert_int_equal(w.npods, 2);
	assert_int_equal(w.req_milli_cpu, 0);
	assert_int_equal(w.nonzero_milli_cpu, 100);
	assert_int_equal(w.naffinity_pods, 1);
	assert_int_equal(w.nanti_affinity_pods, 1);
	assert_true(w.generation != v->generation);
	assert_int_equal(v->npods, 3);
	for (size_t i = 0; i < w.npods; i++)
		assert_ptr_equal(w.pod_infos[i].pod, w.pods[i]);
	free(room);

	cache_pod_del(c, "ns/aff");
	cache_pod_del(c, "ns/anti");
	assert_int_equal(v->naffinity_pods, 0);
	assert_int_equal(v->nanti_affinity_pods, 0);
	assert_int_equal(v->nonzero_milli_cpu, 100);
	cache_free(c);
	sk_obj_unref(n1);
	sk_obj_unref(n2);
	sk_obj_unref(n2_later);
	sk_obj_unref(plain);
	sk_obj_unref(aff);
	sk_obj_unref(anti);
}

/* ---- profiles ---- */

static int64_t zero_score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n)
{
	(void)ud, (void)c, (void)pod, (void)n;
	return 0;
}

static int pass(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n, char *r, size_t cap)
{
	(void)ud, (void)c, (void)pod, (void)n, (void)r, (void)cap;
	return SK_SCHED_SUCCESS;
}

static const sk_sched_policy_ops fit = {sizeof fit, "NodeResourcesFit", .filter = pass, .score = zero_score};
static const sk_sched_policy_ops taint = {sizeof taint, "TaintToleration", .filter = pass, .score = zero_score};
static const sk_sched_policy_ops vendor = {sizeof vendor, "CostAware", .score = zero_score};

static int load(struct sched *s, const char *yaml_json, sk_err *e)
{
	sk_obj *settings = parse(yaml_json);
	int rc = profiles_load(s, settings, e);
	sk_obj_unref(settings);
	return rc;
}

static void profiles_points_weights_and_errors(void **state)
{
	(void)state;
	sk_err e = {0};
	sk_plugin *core = sk_core_plugin();
	assert_int_equal(sk_register(core, SK_EXT_SCHEDULER, &vendor, NULL, &e), SK_OK);
	assert_int_equal(sk_register(core, SK_EXT_SCHEDULER, &fit, NULL, &e), SK_OK);
	assert_int_equal(sk_register(core, SK_EXT_SCHEDULER, &taint, NULL, &e), SK_OK);
	struct sched s = {0};
	/* no profiles: every policy, kube-scheduler's order and weights */
	assert_int_equal(load(&s, "{}", &e), SK_OK);
	const struct profile *d = sched_profile(&s, NULL);
	assert_non_null(d);
	assert_int_equal(d->n, 3);
	assert_string_equal(d->v[0].ops->name, "TaintToleration");
	assert_int_equal(d->v[0].weight, 3);
	assert_string_equal(d->v[2].ops->name, "CostAware"); /* unknown names last */
	assert_int_equal(d->v[2].points, PT_ALL);
	assert_true(d->preemption);
	profiles_free(&s);
	/* per point: no default scores, the vendor's with a weight; a list */
	assert_int_equal(load(&s,
	                      "{\"profiles\":[{\"schedulerName\":\"packer\",\"plugins\":{\"score\":{\"disabled\":[\"*\"],"
	                      "\"enabled\":[{\"name\":\"CostAware\",\"weight\":5}]}},\"preemption\":false},"
	                      "{\"schedulerName\":\"few\",\"plugins\":[\"NodeResourcesFit\"]}]}",
	                      &e),
	                 SK_OK);
	const struct profile *p = sched_profile(&s, "packer");
	assert_non_null(p);
	assert_null(sched_profile(&s, "default-scheduler"));
	assert_false(p->preemption);
	for (size_t i = 0; i < p->n; i++) {
		int is_vendor = !strcmp(p->v[i].ops->name, "CostAware");
		assert_int_equal(!!(p->v[i].points & PT_SCORE), is_vendor);
		assert_true(is_vendor || (p->v[i].points & PT_FILTER));
		if (is_vendor)
			assert_int_equal(p->v[i].weight, 5);
	}
	assert_int_equal(sched_profile(&s, "few")->n, 1);
	profiles_free(&s);
	/* mistakes stop start-up with the profile and the name */
	assert_int_equal(load(&s, "{\"profiles\":[{\"plugins\":[\"Nope\"]}]}", &e), SK_EINVALID);
	assert_non_null(strstr(e.msg, "default-scheduler: no scheduling policy named Nope"));
	assert_int_equal(load(&s, "{\"profiles\":[{\"plugins\":{\"scoring\":{}}}]}", &e), SK_EINVALID);
	assert_non_null(strstr(e.msg, "unknown extension point"));
	assert_int_equal(load(&s, "{\"profiles\":[{},{}]}", &e), SK_EINVALID);
	assert_non_null(strstr(e.msg, "used by another profile"));
	assert_int_equal(load(&s, "{\"profiles\":[{\"weights\":{\"TaintToleration\":-1}}]}", &e), SK_EINVALID);
	assert_null(s.profiles);
	sk_ext_unregister_owner(sk_core_plugin());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fit_error_counts_and_sorts),
		cmocka_unit_test(fit_error_several_reasons_per_node),
		cmocka_unit_test(fit_error_prefilter_postfilter_and_none),
		cmocka_unit_test(queue_orders_by_priority_then_arrival),
		cmocka_unit_test(queue_backs_off_and_unparks),
		cmocka_unit_test(cache_sums_requests_and_keeps_orphans),
		cmocka_unit_test(cache_keeps_what_policies_read),
		cmocka_unit_test(profiles_points_weights_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
