/* test_pod_requests.c — sk_pod_requests (core/pod_requests.c) against
 * Kubernetes 1.32's resource.PodRequests: containers summed, init
 * containers one at a time beside the sidecars started before them,
 * sidecars beside the containers, overhead on top; the non-zero defaults
 * scoring uses; and the cap on distinct names. */
#include "testutil.h"
#include "sched_fixture.h" /* json() */
#include <skiff/requests.h>

static int64_t milli(const sk_resource_amount *r, int n, const char *name)
{
	const sk_quantity *q = sk_amount_find(r, (size_t)n, name);
	return q ? sk_quantity_milli(q) : -1;
}

#define CTR(req) "{'resources':{'requests':{" req "}}}"
#define SIDECAR(req) "{'restartPolicy':'Always','resources':{'requests':{" req "}}}"

struct req_case {
	const char *name;
	const char *spec;
	unsigned flags;
	int64_t cpu_milli, memory_milli; /* -1: absent */
};

static void sums_as_pod_requests(void **state)
{
	(void)state;
	static const struct req_case cases[] = {
		{"containers are summed", "{'containers':[" CTR("'cpu':'200m','memory':'1Gi'") "," CTR("'cpu':'300m'") "]}",
		 0, 500, 1024LL * 1024 * 1024 * 1000},
		{"the biggest init container wins over a smaller sum",
		 "{'containers':[" CTR("'cpu':'200m'") "],'initContainers':[" CTR("'cpu':'1'") "," CTR("'cpu':'500m'") "]}",
		 0, 1000, -1},
		{"overhead is added", "{'containers':[" CTR("'cpu':'200m'") "],'overhead':{'cpu':'100m'}}", 0, 300, -1},
		/* sidecar 100m runs beside the containers (300m); the init after it
		 * needs 500m + 100m, more than 300m + 100m */
		{"a sidecar runs beside what follows",
		 "{'containers':[" CTR("'cpu':'300m'") "],'initContainers':[" SIDECAR("'cpu':'100m'") "," CTR(
		     "'cpu':'500m'") "]}",
		 0, 600, -1},
		{"an init container before the sidecar runs alone",
		 "{'containers':[" CTR("'cpu':'300m'") "],'initContainers':[" CTR("'cpu':'450m'") "," SIDECAR(
		     "'cpu':'100m'") "]}",
		 0, 450, -1},
		{"numbers are quantities too", "{'containers':[" CTR("'cpu':2") "]}", 0, 2000, -1},
		{"nothing requested", "{'containers':[{}]}", 0, -1, -1},
		{"non-zero: missing keys take 100m and 200Mi", "{'containers':[{}," CTR("'cpu':'1'") "]}",
		 SK_REQUESTS_NONZERO, 1100, 2 * 200LL * 1024 * 1024 * 1000},
		{"non-zero: an explicit 0 stays 0", "{'containers':[" CTR("'cpu':'0','memory':'0'") "]}",
		 SK_REQUESTS_NONZERO, 0, 0},
		{"not a list of containers", "{'containers':{'a':1}}", 0, -1, -1},
	};
	for (size_t i = 0; i < N(cases); i++) {
		char text[1024];
		snprintf(text, sizeof text, "{'spec':%s}", cases[i].spec);
		sk_obj *pod = json(text);
		sk_resource_amount r[8];
		int n = sk_pod_requests(pod, cases[i].flags, r, N(r));
		if (n < 0)
			fail_msg("%s: -1", cases[i].name);
		if (milli(r, n, "cpu") != cases[i].cpu_milli || milli(r, n, "memory") != cases[i].memory_milli)
			fail_msg("%s: cpu %lld memory %lld (milli), want %lld %lld", cases[i].name, (long long)milli(r, n, "cpu"),
			         (long long)milli(r, n, "memory"), (long long)cases[i].cpu_milli, (long long)cases[i].memory_milli);
		sk_obj_unref(pod);
	}
}

static void keeps_the_pods_order_and_names(void **state)
{
	(void)state;
	sk_obj *pod = json("{'spec':{'containers':[" CTR("'example.com/gpu':'2','cpu':'1'") "," CTR(
	    "'hugepages-2Mi':'4Mi'") "]}}");
	sk_resource_amount r[8];
	int n = sk_pod_requests(pod, 0, r, N(r));
	assert_int_equal(n, 3);
	assert_string_equal(r[0].name, "example.com/gpu");
	assert_string_equal(r[1].name, "cpu");
	assert_string_equal(r[2].name, "hugepages-2Mi");
	assert_int_equal(sk_quantity_value(&r[0].q), 2);
	/* more names than room: -1, with the first ones kept */
	assert_int_equal(sk_pod_requests(pod, 0, r, 2), -1);
	assert_string_equal(r[1].name, "cpu");
	sk_obj_unref(pod);
	assert_int_equal(sk_pod_requests(NULL, 0, r, N(r)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sums_as_pod_requests),
		cmocka_unit_test(keeps_the_pods_order_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
