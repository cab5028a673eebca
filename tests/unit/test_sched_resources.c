/* test_sched_resources.c — the NodeUnschedulable, NodeResourcesFit,
 * NodeResourcesBalancedAllocation and NodePorts scheduler policies, loaded
 * from their real .so files, against tables of Kubernetes 1.32 behaviour.
 *
 * Objects are written with single quotes to keep the tables readable; they
 * become JSON before parsing. */
#include "testutil.h"
#include "sched_fixture.h"
#include <skiff/selector.h>

static char *dir;

/* ---- fixtures ------------------------------------------------------------ */

/* A node named n1 with pods on it, viewed through the scheduler's cache:
 * the sums policies read are the cache's. */
struct tnode {
	struct fx_cluster cl;
	const sk_sched_node *view;
};

static void node_up(struct tnode *t, const char *node, const char *pods)
{
	memset(t, 0, sizeof *t);
	fx_cluster_up(&t->cl);
	sk_obj *n = json(node), *list = json(pods ? pods : "[]");
	if (!sk_obj_get_str(n, "metadata.name"))
		assert_int_equal(sk_obj_set_str(n, "metadata.name", "n1", NULL), SK_OK);
	fx_node_add(&t->cl, n);
	for (size_t i = 0; i < sk_obj_len(list); i++)
		fx_pod_add(&t->cl, sk_obj_at(list, i), sk_obj_get_str(n, "metadata.name"));
	t->view = fx_view(&t->cl, sk_obj_get_str(n, "metadata.name"));
	sk_obj_unref(n);
	sk_obj_unref(list);
}

static void node_down(struct tnode *t) { fx_cluster_down(&t->cl); }

static int setup(void **state)
{
	(void)state;
	dir = tu_host_up();
	static const char *const names[] = {"node-unschedulable", "node-resources-fit", "balanced-allocation",
	                                    "node-ports", NULL};
	sched_plugins_up(names, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sk_plugins_stop();
	tu_host_down(dir);
	return 0;
}

/* ---- table shorthands ------------------------------------------------------ */

/* 4 cpu, 2000Mi memory, 10Gi ephemeral storage, room for 3 pods, 2 GPUs */
#define NODE "{'metadata':{'name':'n1'},'status':{'allocatable':{'cpu':'4','memory':'2000Mi'," \
	     "'ephemeral-storage':'10Gi','pods':'3','nvidia.com/gpu':'2'}}}"
/* the same without memory or GPUs */
#define NODE_NO_MEM "{'metadata':{'name':'n1'},'status':{'allocatable':{'cpu':'4','pods':'3'}}}"
#define POD(cs) "{'spec':{'containers':[" cs "]}}"
#define CTR(req) "{'name':'c','resources':{'requests':{" req "}}}"
#define CTR0 "{'name':'c'}"

/* ---- NodeResourcesFit filter ------------------------------------------------- */

struct fit_case {
	const char *name, *pods, *pod;
	int want;
	const char *reasons; /* '|'-joined, "" when it fits */
};

static const struct fit_case fit_cases[] = {
	{"empty pod on an empty node", NULL, POD(CTR0), SK_SCHED_SUCCESS, ""},
	{"cpu fits exactly", "[" POD(CTR("'cpu':'3'")) "]", POD(CTR("'cpu':'1'")), SK_SCHED_SUCCESS, ""},
	{"cpu short by 1m", "[" POD(CTR("'cpu':'3'")) "]", POD(CTR("'cpu':'1001m'")), SK_SCHED_UNSCHEDULABLE,
	 "Insufficient cpu"},
	{"memory fits exactly", "[" POD(CTR("'memory':'1500Mi'")) "]", POD(CTR("'memory':'500Mi'")),
	 SK_SCHED_SUCCESS, ""},
	{"memory short", "[" POD(CTR("'memory':'1500Mi'")) "]", POD(CTR("'memory':'501Mi'")),
	 SK_SCHED_UNSCHEDULABLE, "Insufficient memory"},
	{"ephemeral-storage fits", NULL, POD(CTR("'ephemeral-storage':'10Gi'")), SK_SCHED_SUCCESS, ""},
	{"ephemeral-storage short", "[" POD(CTR("'ephemeral-storage':'4Gi'")) "]",
	 POD(CTR("'ephemeral-storage':'7Gi'")), SK_SCHED_UNSCHEDULABLE, "Insufficient ephemeral-storage"},
	{"every shortfall is kept, in Kubernetes' order", "[" POD(CTR("'cpu':'3','memory':'1900Mi'")) "]",
	 POD(CTR("'memory':'200Mi','cpu':'2','ephemeral-storage':'11Gi'")), SK_SCHED_UNSCHEDULABLE,
	 "Insufficient cpu|Insufficient memory|Insufficient ephemeral-storage"},
	{"pods: the third pod fits", "[" POD(CTR0) "," POD(CTR0) "]", POD(CTR0), SK_SCHED_SUCCESS, ""},
	{"pods: no fourth, even without requests", "[" POD(CTR0) "," POD(CTR0) "," POD(CTR0) "]", POD(CTR0),
	 SK_SCHED_UNSCHEDULABLE, "Too many pods"},
	{"pods first, then cpu", "[" POD(CTR("'cpu':'4'")) "," POD(CTR0) "," POD(CTR0) "]",
	 POD(CTR("'cpu':'1'")), SK_SCHED_UNSCHEDULABLE, "Too many pods|Insufficient cpu"},
	/* init containers run one at a time: the pod needs max(3.5, 1) cpu */
	{"init container larger than containers", "[" POD(CTR("'cpu':'1'")) "]",
	 "{'spec':{'initContainers':[" CTR("'cpu':'3500m'") "," CTR("'cpu':'1'") "],'containers':[" CTR(
	     "'cpu':'500m'") "," CTR("'cpu':'500m'") "]}}",
	 SK_SCHED_UNSCHEDULABLE, "Insufficient cpu"},
	{"init container within the room", "[" POD(CTR("'cpu':'1'")) "]",
	 "{'spec':{'initContainers':[" CTR("'cpu':'3'") "],'containers':[" CTR("'cpu':'1'") "]}}",
	 SK_SCHED_SUCCESS, ""},
	/* a sidecar (restartPolicy Always) runs beside what starts after it:
	 * max(1 + 2.5 init, 1 + 0.5 containers) = 3.5 cpu */
	{"sidecar adds to the init container after it", "[" POD(CTR("'cpu':'1'")) "]",
	 "{'spec':{'initContainers':[{'name':'s','restartPolicy':'Always','resources':{'requests':{'cpu':'1'}}},"
	 CTR("'cpu':'2500m'") "],'containers':[" CTR("'cpu':'500m'") "]}}",
	 SK_SCHED_UNSCHEDULABLE, "Insufficient cpu"},
	{"sidecar before an init container that fits", "[" POD(CTR("'cpu':'1'")) "]",
	 "{'spec':{'initContainers':[{'name':'s','restartPolicy':'Always','resources':{'requests':{'cpu':'1'}}},"
	 CTR("'cpu':'2'") "],'containers':[" CTR("'cpu':'500m'") "]}}",
	 SK_SCHED_SUCCESS, ""},
	/* overhead adds to the pod: 2.5 + 0.6 > 3 */
	{"overhead tips it over", "[" POD(CTR("'cpu':'1'")) "]",
	 "{'spec':{'overhead':{'cpu':'600m'},'containers':[" CTR("'cpu':'2500m'") "]}}", SK_SCHED_UNSCHEDULABLE,
	 "Insufficient cpu"},
	{"overhead that fits", "[" POD(CTR("'cpu':'1'")) "]",
	 "{'spec':{'overhead':{'cpu':'500m','memory':'10Mi'},'containers':[" CTR("'cpu':'2500m'") "]}}",
	 SK_SCHED_SUCCESS, ""},
	/* quantities add exactly before rounding: 2 x 0.5m is 1m, not 2m */
	{"sub-milli requests sum before rounding", "[" POD(CTR("'cpu':'3999m'")) "]",
	 POD(CTR("'cpu':'0.0005'") "," CTR("'cpu':'0.0005'")), SK_SCHED_SUCCESS, ""},
	{"extended resource fits", "[" POD(CTR("'nvidia.com/gpu':'1'")) "]", POD(CTR("'nvidia.com/gpu':'1'")),
	 SK_SCHED_SUCCESS, ""},
	{"extended resource used up", "[" POD(CTR("'nvidia.com/gpu':'1'")) "," POD(CTR("'nvidia.com/gpu':'1'")) "]",
	 POD(CTR("'nvidia.com/gpu':'1'")), SK_SCHED_UNSCHEDULABLE, "Insufficient nvidia.com/gpu"},
	{"extended resource the node lacks", NULL, POD(CTR("'example.com/foo':'1'")), SK_SCHED_UNSCHEDULABLE,
	 "Insufficient example.com/foo"},
	{"extended resource asked as 0", NULL, POD(CTR("'example.com/foo':'0'")), SK_SCHED_SUCCESS, ""},
	/* a request of 0 is not checked, even where the node is overcommitted */
	{"0 of an overcommitted extended resource",
	 "[" POD(CTR("'nvidia.com/gpu':'2'")) "," POD(CTR("'nvidia.com/gpu':'1'")) "]", POD(CTR("'nvidia.com/gpu':'0'")),
	 SK_SCHED_SUCCESS, ""},
	{"hugepages are checked", NULL, POD(CTR("'hugepages-2Mi':'4Mi'")), SK_SCHED_UNSCHEDULABLE,
	 "Insufficient hugepages-2Mi"},
	{"a plain unknown name is not checked", NULL, POD(CTR("'foo':'5'")), SK_SCHED_SUCCESS, ""},
	{"extended after the native ones", "[" POD(CTR("'cpu':'4'")) "]",
	 POD(CTR("'example.com/foo':'1','cpu':'1'")), SK_SCHED_UNSCHEDULABLE,
	 "Insufficient cpu|Insufficient example.com/foo"},
};

static void fit_filter_table(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *f = policy("NodeResourcesFit", &ud);
	assert_non_null(f->pre_filter);
	assert_non_null(f->filter);
	for (size_t i = 0; i < N(fit_cases); i++) {
		const struct fit_case *tc = &fit_cases[i];
		struct tnode tn;
		struct tcycle cy;
		node_up(&tn, NODE, tc->pods);
		sk_obj *pod = json(tc->pod);
		cy_begin(&cy, NULL, 0);
		char reason[256] = "x", got[512];
		if (f->pre_filter(ud, &cy.pub, pod, reason, sizeof reason) != SK_SCHED_SUCCESS)
			fail_msg("%s: pre-filter failed: %s", tc->name, reason);
		assert_non_null(cy_get(&cy.pub, "PreFilterNodeResourcesFit"));
		memset(reason, 'x', sizeof reason);
		int rc = f->filter(ud, &cy.pub, pod, tn.view, reason, sizeof reason);
		joined(reason, sizeof reason, got, sizeof got);
		if (rc != tc->want || strcmp(got, tc->reasons) != 0)
			fail_msg("%s: got %d \"%s\", want %d \"%s\"", tc->name, rc, got, tc->want, tc->reasons);
		/* without a pre-filter state (a direct call) the answer is the same */
		memset(reason, 'x', sizeof reason);
		rc = f->filter(ud, NULL, pod, tn.view, reason, sizeof reason);
		joined(reason, sizeof reason, got, sizeof got);
		if (rc != tc->want || strcmp(got, tc->reasons) != 0)
			fail_msg("%s (no cycle): got %d \"%s\"", tc->name, rc, got);
		cy_end(&cy);
		sk_obj_unref(pod);
		node_down(&tn);
	}
}

/* A reason list never overruns its buffer: what does not fit whole is
 * dropped, and read as one string the buffer is the first reason. */
static void fit_reasons_in_small_buffers(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *f = policy("NodeResourcesFit", &ud);
	struct tnode tn;
	node_up(&tn, NODE, "[" POD(CTR("'cpu':'4'")) "," POD(CTR0) "," POD(CTR0) "]");
	sk_obj *pod = json(POD(CTR("'cpu':'1','memory':'3000Mi'")));
	static const struct {
		size_t cap;
		const char *want;
	} caps[] = {
		{14, "Too many pods"},                                      /* exactly the first */
		{30, "Too many pods"},                                      /* second needs 31 */
		{31, "Too many pods|Insufficient cpu"},                     /* no room to close: ends at cap */
		{256, "Too many pods|Insufficient cpu|Insufficient memory"},
		{5, "Too "},                                                /* the first is cut, as snprintf cuts */
	};
	for (size_t i = 0; i < N(caps); i++) {
		char *reason = malloc(caps[i].cap), got[256];
		memset(reason, 'x', caps[i].cap);
		assert_int_equal(f->filter(ud, NULL, pod, tn.view, reason, caps[i].cap), SK_SCHED_UNSCHEDULABLE);
		joined(reason, caps[i].cap, got, sizeof got);
		if (strcmp(got, caps[i].want) != 0)
			fail_msg("cap %zu: got \"%s\", want \"%s\"", caps[i].cap, got, caps[i].want);
		free(reason);
	}
	sk_obj_unref(pod);
	node_down(&tn);
}

/* ---- scores ------------------------------------------------------------------ */

struct score_case {
	const char *name, *node, *pods, *pod;
	int64_t want;
};

/* LeastAllocated, weight 1 for cpu and memory: per resource
 * (alloc - requested) * 100 / alloc in integers (0 when over), then the
 * integer mean. requested is the node's pods plus this one, each container
 * without a cpu or memory request counted as 100m / 200Mi. NODE has 4000m
 * and 2000Mi. */
static const struct score_case least_cases[] = {
	/* cpu 1000+1000 of 4000 -> 50; memory 500+500 of 2000Mi -> 50; (50+50)/2 */
	{"half used", NODE, "[" POD(CTR("'cpu':'1','memory':'500Mi'")) "]", POD(CTR("'cpu':'1','memory':'500Mi'")),
	 50},
	/* defaults: cpu 100+100 -> 3800*100/4000 = 95; memory 200+200Mi -> 1600*100/2000 = 80; 175/2 = 87 */
	{"request-less pods count defaults", NODE, "[" POD(CTR0) "]", POD(CTR0), 87},
	/* node pod: containers {cpu 1, memory default 200Mi} and {cpu default 100m,
	 * memory 100Mi}; pod 300m/300Mi. cpu 1400 -> 2600*100/4000 = 65;
	 * memory 600Mi -> 1400*100/2000 = 70; 135/2 = 67 */
	{"defaults per missing key", NODE, "[" POD(CTR("'cpu':'1'") "," CTR("'memory':'100Mi'")) "]",
	 POD(CTR("'cpu':'300m','memory':'300Mi'")), 67},
	/* cpu 5000 > 4000 -> 0; memory 200Mi -> 1800*100/2000 = 90; 90/2 = 45 */
	{"over capacity scores 0", NODE, NULL, POD(CTR("'cpu':'5'")), 45},
	/* no memory allocatable: cpu alone, 3000*100/4000 = 75 */
	{"resource the node lacks is left out", NODE_NO_MEM, NULL, POD(CTR("'cpu':'1','memory':'1Gi'")), 75},
	/* containers {50m, 200Mi default}, init container {100m, 200Mi} by
	 * default: pod 100m/200Mi. cpu 3900*100/4000 = 97; memory 90; 187/2 = 93 */
	{"defaults in init containers", NODE, NULL,
	 "{'spec':{'initContainers':[" CTR0 "],'containers':[" CTR("'cpu':'50m'") "]}}", 93},
	/* an explicit 0 is not missing: cpu 0 -> 100; memory 0 -> 100 */
	{"explicit zero requests", NODE, NULL, POD(CTR("'cpu':'0','memory':'0'")), 100},
};

/* BalancedAllocation: shares = (node's requested + pod) / alloc for cpu and
 * memory, capped at 1, as requested (no defaults, as Kubernetes since 1.23);
 * std = |a - b| / 2 for two shares, 0 for one; score = int((1 - std) * 100). */
static const struct score_case balanced_cases[] = {
	/* cpu 2000/4000 = .5, memory 1500/2000 = .75, std .125 -> 87.5 -> 87 */
	{"uneven shares", NODE, "[" POD(CTR("'cpu':'1','memory':'500Mi'")) "]",
	 POD(CTR("'cpu':'1','memory':'1000Mi'")), 87},
	/* 0 and 0: 100 (with the scoring defaults it would be .025 vs .1 -> 96) */
	{"best-effort pod on an empty node", NODE, NULL, POD(CTR0), 100},
	/* cpu 6/4 capped to 1, memory 0: std .5 -> 50 */
	{"share capped at 1", NODE, NULL, POD(CTR("'cpu':'6'")), 50},
	/* one share only: std 0 */
	{"one resource", NODE_NO_MEM, NULL, POD(CTR("'cpu':'3'")), 100},
	/* cpu max(.5, 2) + .5 overhead = 2.5 -> .625; memory max(100Mi, 100Mi)
	 * + 100Mi = 200Mi -> .1; std .2625 -> 73.75 -> 73 */
	{"init containers and overhead", NODE, NULL,
	 "{'spec':{'overhead':{'cpu':'500m','memory':'100Mi'},'initContainers':[" CTR(
	     "'cpu':'2','memory':'100Mi'") "],'containers':[" CTR("'cpu':'500m','memory':'100Mi'") "]}}",
	 73},
	/* sidecar 1 cpu runs with the containers: cpu 1.5+1 of 4 = .625 (plus
	 * node's 0), memory 1000Mi/2000Mi = .5: std .0625 -> 93.75 -> 93 */
	{"sidecar counted with the containers", NODE, NULL,
	 "{'spec':{'initContainers':[{'name':'s','restartPolicy':'Always','resources':{'requests':{'cpu':'1'}}}],"
	 "'containers':[" CTR("'cpu':'1500m','memory':'1000Mi'") "]}}",
	 93},
};

static void score_table(const char *policy_name, const struct score_case *cases, size_t n)
{
	void *ud;
	const sk_sched_policy_ops *f = policy(policy_name, &ud);
	assert_non_null(f->score);
	for (size_t i = 0; i < n; i++) {
		const struct score_case *tc = &cases[i];
		struct tnode tn;
		struct tcycle cy;
		node_up(&tn, tc->node, tc->pods);
		sk_obj *pod = json(tc->pod);
		cy_begin(&cy, NULL, 0);
		const sk_sched_node *feasible[] = {tn.view};
		if (f->pre_score)
			assert_int_equal(f->pre_score(ud, &cy.pub, pod, feasible, 1), SK_SCHED_SUCCESS);
		int64_t got = f->score(ud, &cy.pub, pod, tn.view);
		if (got != tc->want)
			fail_msg("%s %s: score %lld, want %lld", policy_name, tc->name, (long long)got, (long long)tc->want);
		/* without pre-score state, the same */
		got = f->score(ud, NULL, pod, tn.view);
		if (got != tc->want)
			fail_msg("%s %s (no cycle): score %lld", policy_name, tc->name, (long long)got);
		cy_end(&cy);
		sk_obj_unref(pod);
		node_down(&tn);
	}
}

static void least_allocated_scores(void **state)
{
	(void)state;
	score_table("NodeResourcesFit", least_cases, N(least_cases));
}

static void balanced_allocation_scores(void **state)
{
	(void)state;
	score_table("NodeResourcesBalancedAllocation", balanced_cases, N(balanced_cases));
}

/* ---- filters on one node --------------------------------------------------------- */

struct filter_case {
	const char *name, *node, *pods, *pod;
	int want;
	const char *reason;
};

static void filter_table(const char *policy_name, const struct filter_case *cases, size_t n)
{
	void *ud;
	const sk_sched_policy_ops *f = policy(policy_name, &ud);
	for (size_t i = 0; i < n; i++) {
		const struct filter_case *tc = &cases[i];
		struct tnode tn;
		node_up(&tn, tc->node, tc->pods);
		sk_obj *pod = json(tc->pod);
		char reason[128] = "";
		int rc = f->filter(ud, NULL, pod, tn.view, reason, sizeof reason);
		if (rc != tc->want || strcmp(reason, tc->reason) != 0)
			fail_msg("%s %s: got %d \"%s\", want %d \"%s\"", policy_name, tc->name, rc, reason, tc->want,
			         tc->reason);
		sk_obj_unref(pod);
		node_down(&tn);
	}
}

#define CORDONED "{'metadata':{'name':'n1'},'spec':{'unschedulable':true}}"
#define TOL(t) "{'spec':{'containers':[" CTR0 "],'tolerations':[" t "]}}"
#define UNSCHED "node(s) were unschedulable"

static const struct filter_case unschedulable_cases[] = {
	{"schedulable node", "{'metadata':{'name':'n1'}}", NULL, POD(CTR0), SK_SCHED_SUCCESS, ""},
	{"unschedulable false", "{'metadata':{'name':'n1'},'spec':{'unschedulable':false}}", NULL, POD(CTR0),
	 SK_SCHED_SUCCESS, ""},
	{"cordoned, no tolerations", CORDONED, NULL, POD(CTR0), SK_SCHED_UNRESOLVABLE, UNSCHED},
	{"exact toleration", CORDONED, NULL,
	 TOL("{'key':'node.kubernetes.io/unschedulable','operator':'Exists','effect':'NoSchedule'}"),
	 SK_SCHED_SUCCESS, ""},
	{"Exists with an empty key tolerates all", CORDONED, NULL, TOL("{'operator':'Exists'}"), SK_SCHED_SUCCESS,
	 ""},
	{"empty effect matches every effect", CORDONED, NULL,
	 TOL("{'key':'node.kubernetes.io/unschedulable','operator':'Exists'}"), SK_SCHED_SUCCESS, ""},
	{"Equal with the taint's empty value", CORDONED, NULL,
	 TOL("{'key':'node.kubernetes.io/unschedulable','operator':'Equal','value':'','effect':'NoSchedule'}"),
	 SK_SCHED_SUCCESS, ""},
	{"no operator means Equal", CORDONED, NULL, TOL("{'key':'node.kubernetes.io/unschedulable'}"),
	 SK_SCHED_SUCCESS, ""},
	{"Equal with another value", CORDONED, NULL,
	 TOL("{'key':'node.kubernetes.io/unschedulable','operator':'Equal','value':'true'}"), SK_SCHED_UNRESOLVABLE,
	 UNSCHED},
	{"other effect", CORDONED, NULL,
	 TOL("{'key':'node.kubernetes.io/unschedulable','operator':'Exists','effect':'NoExecute'}"),
	 SK_SCHED_UNRESOLVABLE, UNSCHED},
	{"other key", CORDONED, NULL, TOL("{'key':'node.kubernetes.io/not-ready','operator':'Exists'}"),
	 SK_SCHED_UNRESOLVABLE, UNSCHED},
	{"unknown operator", CORDONED, NULL, TOL("{'key':'node.kubernetes.io/unschedulable','operator':'In'}"),
	 SK_SCHED_UNRESOLVABLE, UNSCHED},
	{"one of several tolerations", CORDONED, NULL,
	 TOL("{'key':'a','operator':'Exists'},{'key':'node.kubernetes.io/unschedulable','operator':'Exists'}"),
	 SK_SCHED_SUCCESS, ""},
};

static void node_unschedulable_filter(void **state)
{
	(void)state;
	filter_table("NodeUnschedulable", unschedulable_cases, N(unschedulable_cases));
}

#define PORTS(ps) "{'spec':{'containers':[{'name':'c','ports':[" ps "]}]}}"
#define BUSY "[" PORTS("{'containerPort':80,'hostPort':8080}") "]"
#define BUSY_IP "[" PORTS("{'containerPort':80,'hostPort':8080,'hostIP':'10.0.0.1','protocol':'TCP'}") "]"
#define NOPORTS "node(s) didn't have free ports for the requested pod ports"
#define N1 "{'metadata':{'name':'n1'}}"

static const struct filter_case port_cases[] = {
	{"no host ports", N1, BUSY, PORTS("{'containerPort':8080}"), SK_SCHED_SUCCESS, ""},
	{"free node", N1, NULL, PORTS("{'containerPort':80,'hostPort':8080}"), SK_SCHED_SUCCESS, ""},
	{"same port, TCP by default on both", N1, BUSY, PORTS("{'containerPort':81,'hostPort':8080}"),
	 SK_SCHED_UNSCHEDULABLE, NOPORTS},
	{"explicit TCP against the default", N1, BUSY, PORTS("{'containerPort':81,'hostPort':8080,'protocol':'TCP'}"),
	 SK_SCHED_UNSCHEDULABLE, NOPORTS},
	{"same port, other protocol", N1, BUSY, PORTS("{'containerPort':81,'hostPort':8080,'protocol':'UDP'}"),
	 SK_SCHED_SUCCESS, ""},
	{"other port", N1, BUSY, PORTS("{'containerPort':80,'hostPort':8081}"), SK_SCHED_SUCCESS, ""},
	{"0.0.0.0 taken overlaps a specific IP", N1, BUSY,
	 PORTS("{'containerPort':80,'hostPort':8080,'hostIP':'127.0.0.1'}"), SK_SCHED_UNSCHEDULABLE, NOPORTS},
	{"different host IPs", N1, BUSY_IP, PORTS("{'containerPort':80,'hostPort':8080,'hostIP':'10.0.0.2'}"),
	 SK_SCHED_SUCCESS, ""},
	{"same host IP", N1, BUSY_IP, PORTS("{'containerPort':80,'hostPort':8080,'hostIP':'10.0.0.1'}"),
	 SK_SCHED_UNSCHEDULABLE, NOPORTS},
	{"empty hostIP wants every IP", N1, BUSY_IP, PORTS("{'containerPort':80,'hostPort':8080}"),
	 SK_SCHED_UNSCHEDULABLE, NOPORTS},
	{"explicit 0.0.0.0 wants every IP", N1, BUSY_IP,
	 PORTS("{'containerPort':80,'hostPort':8080,'hostIP':'0.0.0.0'}"), SK_SCHED_UNSCHEDULABLE, NOPORTS},
	{"a later port of a second container", N1, BUSY,
	 "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':1,'hostPort':1}]},"
	 "{'name':'b','ports':[{'containerPort':2,'hostPort':2},{'containerPort':80,'hostPort':8080}]}]}}",
	 SK_SCHED_UNSCHEDULABLE, NOPORTS},
	{"taken by a second pod's second container", N1,
	 "[" PORTS("{'containerPort':1,'hostPort':1}") ",{'spec':{'containers':[" CTR0 ",{'name':'d','ports':["
	 "{'containerPort':53,'hostPort':53,'protocol':'UDP'}]}]}}]",
	 PORTS("{'containerPort':53,'hostPort':53,'protocol':'UDP'}"), SK_SCHED_UNSCHEDULABLE, NOPORTS},
};

static void node_ports_filter(void **state)
{
	(void)state;
	filter_table("NodePorts", port_cases, N(port_cases));
}

/* the registrations carry Kubernetes' plugin names and only their points */
static void registrations(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *o = policy("NodeUnschedulable", &ud);
	assert_true(o->filter && !o->pre_filter && !o->score);
	o = policy("NodeResourcesFit", &ud);
	assert_true(o->pre_filter && o->filter && o->pre_score && o->score && !o->normalize);
	o = policy("NodeResourcesBalancedAllocation", &ud);
	assert_true(!o->filter && o->pre_score && o->score);
	o = policy("NodePorts", &ud);
	assert_true(o->filter && !o->score);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registrations),
		cmocka_unit_test(fit_filter_table),
		cmocka_unit_test(fit_reasons_in_small_buffers),
		cmocka_unit_test(least_allocated_scores),
		cmocka_unit_test(balanced_allocation_scores),
		cmocka_unit_test(node_unschedulable_filter),
		cmocka_unit_test(node_ports_filter),
	};
	return cmocka_run_group_tests_name("scheduler resource policies", tests, setup, teardown);
}
