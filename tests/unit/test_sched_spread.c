/* test_sched_spread.c — the PodTopologySpread scheduler policy, loaded from
 * its real .so, against tables of Kubernetes 1.32 behaviour: the filter's
 * skew rule per node (maxSkew, several constraints, minDomains, missing
 * labels, matchLabelKeys, the node inclusion policies) and the scores,
 * hand-computed, raw and normalized; the system default constraints read
 * Services and ReplicaSets from a real store.
 *
 * Objects are written with single quotes to keep the tables readable; they
 * become JSON before parsing. */
#include "testutil.h"
#include "store_fixture.h"
#include "sched_fixture.h"

#define SKEW "node(s) didn't match pod topology spread constraints"
#define NOLABEL "node(s) didn't match pod topology spread constraints (missing required label)"

/* ---- fixtures ------------------------------------------------------------ */

/* A snapshot: nodes, and the pods placed on each by spec.nodeName, as the
 * scheduler's cache views them; ptr[i] is the i-th node of the table. */
struct cluster {
	struct fx_cluster fx;
	size_t n;
	const sk_sched_node **ptr;
};

static void cluster_up(struct cluster *cl, const char *nodes, const char *pods)
{
	memset(cl, 0, sizeof *cl);
	fx_cluster_up(&cl->fx);
	sk_obj *nl = json(nodes), *pl = json(pods ? pods : "[]");
	cl->n = sk_obj_len(nl);
	cl->ptr = calloc(cl->n + 1, sizeof *cl->ptr);
	assert_non_null(cl->ptr);
	for (size_t i = 0; i < cl->n; i++)
		fx_node_add(&cl->fx, sk_obj_at(nl, i));
	for (size_t k = 0; k < sk_obj_len(pl); k++) {
		const sk_obj *p = sk_obj_at(pl, k);
		const char *on = sk_obj_get_str(p, "spec.nodeName");
		if (!on || !cache_node(cl->fx.cache, on))
			fail_msg("a pod is on node %s, which is not in the table", on ? on : "(none)");
		fx_pod_add(&cl->fx, p, on);
	}
	for (size_t i = 0; i < cl->n; i++)
		cl->ptr[i] = fx_view(&cl->fx, sk_obj_get_str(sk_obj_at(nl, i), "metadata.name"));
	sk_obj_unref(nl);
	sk_obj_unref(pl);
}

static void cluster_down(struct cluster *cl)
{
	free(cl->ptr);
	fx_cluster_down(&cl->fx);
}

static const sk_sched_node *node_named(const struct cluster *cl, const char *name)
{
	for (size_t i = 0; i < cl->n; i++)
		if (!strcmp(cl->ptr[i]->name, name))
			return cl->ptr[i];
	fail_msg("no node %s", name);
	return NULL;
}

/* ---- table shorthands ------------------------------------------------------ */

#define ZONE "topology.kubernetes.io/zone"
#define HOST "kubernetes.io/hostname"
/* a node in a zone, its hostname label its name; LBL adds labels */
#define NODE(name, zone) "{'metadata':{'name':'" name "','labels':{'" ZONE "':'" zone "','" HOST "':'" name "'}}}"
#define NODEL(name, zone, lbl) \
	"{'metadata':{'name':'" name "','labels':{'" ZONE "':'" zone "','" HOST "':'" name "'," lbl "}}}"
#define NOZONE(name) "{'metadata':{'name':'" name "','labels':{'" HOST "':'" name "'}}}"
#define NOHOST(name, zone) "{'metadata':{'name':'" name "','labels':{'" ZONE "':'" zone "'}}}"
/* a pod of app=foo in default on a node */
#define FOO(node) "{'metadata':{'namespace':'default','labels':{'app':'foo'}},'spec':{'nodeName':'" node "'}}"
#define PODL(node, lbl) "{'metadata':{'namespace':'default','labels':{" lbl "}},'spec':{'nodeName':'" node "'}}"
/* a constraint selecting app=foo; X adds fields */
#define TSC(skew, key, when, x)                                                                  \
	"{'maxSkew':" #skew ",'topologyKey':'" key "','whenUnsatisfiable':'" when "'," \
	"'labelSelector':{'matchLabels':{'app':'foo'}}" x "}"
#define HARD(skew, key) TSC(skew, key, "DoNotSchedule", "")
#define SOFT(skew, key) TSC(skew, key, "ScheduleAnyway", "")
/* the pod being placed: app=foo with constraints; X adds spec fields */
#define INCOMING(tscs, x) \
	"{'metadata':{'namespace':'default','labels':{'app':'foo'}},'spec':{'topologySpreadConstraints':[" tscs "]" x "}}"

/* two zones of two nodes */
#define ZONES2 "[" NODE("a", "z1") "," NODE("b", "z1") "," NODE("x", "z2") "," NODE("y", "z2") "]"

/* ---- filter ---------------------------------------------------------------- */

struct filter_case {
	const char *name, *nodes, *pods, *pod;
	/* per node "name:ok", "name:skew" (Unschedulable) or "name:label"
	 * (UnschedulableAndUnresolvable), space-separated, every node */
	const char *want;
};

static const struct filter_case filter_cases[] = {
	/* z1 = 2, z2 = 1, min 1; the pod matches itself: z1 2+1-1 = 2 > 1 */
	{"maxSkew 1 over zones", ZONES2, "[" FOO("a") "," FOO("b") "," FOO("x") "]", INCOMING(HARD(1, ZONE), ""),
	 "a:skew b:skew x:ok y:ok"},
	/* the same with maxSkew 2: 2 <= 2 everywhere */
	{"maxSkew 2 over zones", ZONES2, "[" FOO("a") "," FOO("b") "," FOO("x") "]", INCOMING(HARD(2, ZONE), ""),
	 "a:ok b:ok x:ok y:ok"},
	/* hosts a 2, b 1, x 1, y 0: min 0, so only y (0+1) stays within 1 */
	{"maxSkew 1 over hostnames", ZONES2, "[" FOO("a") "," FOO("a") "," FOO("b") "," FOO("x") "]",
	 INCOMING(HARD(1, HOST), ""), "a:skew b:skew x:skew y:ok"},
	/* zones 1 and 1 (min 1: 1+1-1 = 1 fits everywhere); hosts a 1, x 1,
	 * b and y 0 (min 0: a and x reach 2) */
	{"two constraints, both must hold", ZONES2, "[" FOO("a") "," FOO("x") "]",
	 INCOMING(HARD(1, ZONE) "," HARD(1, HOST), ""), "a:skew b:ok x:skew y:ok"},
	/* d has a zone but no hostname label, and is counted nowhere. z1 2,
	 * z2 0: with the zone rule first, d fails on skew before its missing
	 * label is seen; with the hostname rule first, on the label */
	{"constraints in order: skew first",
	 "[" NODE("a", "z1") "," NODE("b", "z1") "," NODE("x", "z2") "," NOHOST("d", "z1") "]",
	 "[" FOO("a") "," FOO("b") "," FOO("d") "]", INCOMING(HARD(1, ZONE) "," HARD(1, HOST), ""),
	 "a:skew b:skew x:ok d:skew"},
	{"constraints in order: label first",
	 "[" NODE("a", "z1") "," NODE("b", "z1") "," NODE("x", "z2") "," NOHOST("d", "z1") "]",
	 "[" FOO("a") "," FOO("b") "," FOO("d") "]", INCOMING(HARD(1, HOST) "," HARD(1, ZONE), ""),
	 "a:skew b:skew x:ok d:label"},
	/* each constraint counts its own pods: zones by app=foo (1 and 1,
	 * min 1: 1+1-1 fits), hostnames by app=bar, which the pod is not
	 * (b 2, min 0: 2+0-0 > 1 on b only) */
	{"constraints with different selectors", ZONES2,
	 "[" FOO("a") "," FOO("x") "," PODL("b", "'app':'bar'") "," PODL("b", "'app':'bar'") "]",
	 INCOMING(HARD(1, ZONE) ",{'maxSkew':1,'topologyKey':'" HOST "','whenUnsatisfiable':'DoNotSchedule',"
	                          "'labelSelector':{'matchLabels':{'app':'bar'}}}",
	          ""),
	 "a:ok b:skew x:ok y:ok"},
	/* c has no zone: unresolvable there, and its 3 pods count nowhere
	 * (z1 1, z2 0: a 1+1-0 = 2 > 1) */
	{"a node without the key", "[" NODE("a", "z1") "," NODE("x", "z2") "," NOZONE("c") "]",
	 "[" FOO("a") "," FOO("c") "," FOO("c") "," FOO("c") "]", INCOMING(HARD(1, ZONE), ""),
	 "a:skew x:ok c:label"},
	/* c, without a zone and without pods, is no domain of its own: the
	 * minimum stays 1 (z1 1, z2 1) and 1+1-1 fits */
	{"a node without the key is no domain", "[" NODE("a", "z1") "," NODE("x", "z2") "," NOZONE("c") "]",
	 "[" FOO("a") "," FOO("x") "]", INCOMING(HARD(1, ZONE), ""), "a:ok x:ok c:label"},
	/* the hostname key is there but the second constraint's is not */
	{"missing key of the second constraint", "[" NODE("a", "z1") "," NOZONE("c") "]", NULL,
	 INCOMING(HARD(1, HOST) "," HARD(1, ZONE), ""), "a:ok c:label"},
	/* minDomains 3 with 2 domains: the global minimum is 0, 1+1-0 > 1 */
	{"minDomains above the domains", ZONES2, "[" FOO("a") "," FOO("x") "]",
	 INCOMING(TSC(1, ZONE, "DoNotSchedule", ",'minDomains':3"), ""), "a:skew b:skew x:skew y:skew"},
	/* minDomains 2 with 2 domains: min 1, 1+1-1 = 1 */
	{"minDomains met", ZONES2, "[" FOO("a") "," FOO("x") "]",
	 INCOMING(TSC(1, ZONE, "DoNotSchedule", ",'minDomains':2"), ""), "a:ok b:ok x:ok y:ok"},
	/* the pod is bar: z1 2+0-1 = 1 */
	{"a pod that does not match itself", ZONES2, "[" FOO("a") "," FOO("b") "," FOO("x") "]",
	 "{'metadata':{'namespace':'default','labels':{'app':'bar'}},'spec':{'topologySpreadConstraints':[" HARD(
	     1, ZONE) "]}}",
	 "a:ok b:ok x:ok y:ok"},
	/* pods of another namespace, terminating pods and other apps are not
	 * counted: z1 0, z2 1, min 0 */
	{"other namespaces, terminating pods, other labels", ZONES2,
	 "[{'metadata':{'namespace':'other','labels':{'app':'foo'}},'spec':{'nodeName':'a'}},"
	 "{'metadata':{'namespace':'default','deletionTimestamp':'2024-01-01T00:00:00Z','labels':{'app':'foo'}},"
	 "'spec':{'nodeName':'b'}}," PODL("a", "'app':'bar'") "," FOO("x") "]",
	 INCOMING(HARD(1, ZONE), ""), "a:ok b:ok x:skew y:skew"},
	/* ScheduleAnyway constraints do not filter */
	{"soft constraints do not filter", ZONES2, "[" FOO("a") "," FOO("a") "," FOO("a") "]",
	 INCOMING(SOFT(1, ZONE), ""), "a:ok b:ok x:ok y:ok"},
	/* matchLabelKeys: version=v2 joins the selector, so the v1 pods on a
	 * do not count: z1 0, z2 1; without it z1 2, z2 1 would fail z1 */
	{"matchLabelKeys narrows to the pod's version", ZONES2,
	 "[" PODL("a", "'app':'foo','version':'v1'") "," PODL("a", "'app':'foo','version':'v1'") "," PODL(
	     "x", "'app':'foo','version':'v2'") "]",
	 "{'metadata':{'namespace':'default','labels':{'app':'foo','version':'v2'}},'spec':{'topologySpreadConstraints':["
	 "{'maxSkew':1,'topologyKey':'" ZONE "','whenUnsatisfiable':'DoNotSchedule','matchLabelKeys':['version',"
	 "'absent'],'labelSelector':{'matchLabels':{'app':'foo'}}}]}}",
	 "a:ok b:ok x:skew y:skew"},
	/* without labelSelector nothing is selected, not even the pod */
	{"no labelSelector selects nothing", ZONES2, "[" FOO("a") "," FOO("a") "," FOO("a") "]",
	 INCOMING("{'maxSkew':1,'topologyKey':'" ZONE "','whenUnsatisfiable':'DoNotSchedule'}", ""),
	 "a:ok b:ok x:ok y:ok"},
	/* matchExpressions selectors: app in (foo, baz) counts both */
	{"matchExpressions selector", ZONES2, "[" FOO("a") "," PODL("b", "'app':'baz'") "," PODL("x", "'app':'qux'") "]",
	 INCOMING("{'maxSkew':1,'topologyKey':'" ZONE "','whenUnsatisfiable':'DoNotSchedule','labelSelector':"
	          "{'matchExpressions':[{'key':'app','operator':'In','values':['foo','baz']}]}}",
	          ""),
	 "a:skew b:skew x:ok y:ok"},
};

static void expect_node(const char *tc, const char *want, const char *node, int rc, const char *got)
{
	char key[64];
	snprintf(key, sizeof key, "%s:", node);
	const char *at = strstr(want, key);
	while (at && at != want && at[-1] != ' ')
		at = strstr(at + 1, key);
	if (!at)
		fail_msg("%s: no expectation for node %s", tc, node);
	at += strlen(key);
	int wrc = SK_SCHED_SUCCESS;
	const char *wreason = "";
	if (!strncmp(at, "skew", 4)) {
		wrc = SK_SCHED_UNSCHEDULABLE;
		wreason = SKEW;
	} else if (!strncmp(at, "label", 5)) {
		wrc = SK_SCHED_UNRESOLVABLE;
		wreason = NOLABEL;
	} else if (strncmp(at, "ok", 2)) {
		fail_msg("%s: bad expectation %s", tc, at);
	}
	if (rc != wrc || strcmp(got, wreason) != 0)
		fail_msg("%s: node %s: got %d \"%s\", want %d \"%s\"", tc, node, rc, got, wrc, wreason);
}

/* Filters every node of the case, after pre-filter when prefilter is set,
 * else with no pre-filter state (the policy counts on its own). */
static void run_filter(const sk_sched_policy_ops *f, void *ud, const char *name, const char *nodes, const char *pods,
                       const char *podj, const char *want, int prefilter)
{
	struct cluster cl;
	struct tcycle cy;
	cluster_up(&cl, nodes, pods);
	sk_obj *pod = json(podj);
	cy_begin(&cy, cl.ptr, cl.n);
	char reason[256], got[512];
	if (prefilter) {
		memset(reason, 0, sizeof reason);
		int rc = f->pre_filter(ud, &cy.pub, pod, reason, sizeof reason);
		if (rc != SK_SCHED_SUCCESS && rc != SK_SCHED_SKIP)
			fail_msg("%s: pre-filter %d: %s", name, rc, reason);
		assert_non_null(cy_get(&cy.pub, "PreFilterPodTopologySpread"));
	}
	for (size_t i = 0; i < cl.n; i++) {
		memset(reason, 'x', sizeof reason);
		int rc = f->filter(ud, &cy.pub, pod, cl.ptr[i], reason, sizeof reason);
		joined(reason, sizeof reason, got, sizeof got);
		expect_node(name, want, cl.ptr[i]->name, rc, got);
	}
	cy_end(&cy);
	sk_obj_unref(pod);
	cluster_down(&cl);
}

static void filter_table(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *f = policy("PodTopologySpread", &ud);
	for (size_t i = 0; i < N(filter_cases); i++) {
		const struct filter_case *tc = &filter_cases[i];
		run_filter(f, ud, tc->name, tc->nodes, tc->pods, tc->pod, tc->want, 1);
		/* a filter with no pre-filter state counts for itself, alike */
		run_filter(f, ud, tc->name, tc->nodes, tc->pods, tc->pod, tc->want, 0);
	}
}

/* ---- node inclusion policies ------------------------------------------------- */

/* a (z1) and x (z2) hold one foo pod each and carry keep=1 and disk=ssd;
 * w, alone in z3, holds none. The pod spreads over zones with maxSkew 1,
 * and its affinity always admits a and x (keep Exists) or-ed with the term
 * under test. When w's domain counts, the global minimum is 0 and a (1+1)
 * fails; when it does not, the minimum is 1 and a fits. */
struct inclusion_case {
	const char *name;
	const char *w_labels; /* extra labels of w, after a comma */
	const char *w_taints;
	const char *spec;     /* extra pod spec fields, after a comma */
	const char *policies; /* extra constraint fields, after a comma */
	int counted;          /* w's domain counts */
};

#define KEEP_OR(term)                                                                                              \
	",'affinity':{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':["    \
	"{'matchExpressions':[{'key':'keep','operator':'Exists'}]}," term "]}}}"
#define EXPR(key, op, vals) "{'matchExpressions':[{'key':'" key "','operator':'" op "'" vals "}]}"
#define VALS(...) ",'values':[" __VA_ARGS__ "]"

static const struct inclusion_case inclusion_cases[] = {
	{"no affinity: every node counts", "'other':'1'", NULL, "", "", 1},
	{"In matches", "'disk':'nvme'", NULL, KEEP_OR(EXPR("disk", "In", VALS("'ssd','nvme'"))), "", 1},
	{"In, other value", "'disk':'hdd'", NULL, KEEP_OR(EXPR("disk", "In", VALS("'ssd'"))), "", 0},
	{"In, no such label", "'other':'1'", NULL, KEEP_OR(EXPR("disk", "In", VALS("'ssd'"))), "", 0},
	{"NotIn, other value", "'disk':'hdd'", NULL, KEEP_OR(EXPR("disk", "NotIn", VALS("'ssd'"))), "", 1},
	{"NotIn, that value", "'disk':'ssd'", NULL, KEEP_OR(EXPR("disk", "NotIn", VALS("'ssd'"))), "", 0},
	{"NotIn, no such label", "'other':'1'", NULL, KEEP_OR(EXPR("disk", "NotIn", VALS("'ssd'"))), "", 1},
	{"Exists", "'disk':''", NULL, KEEP_OR(EXPR("disk", "Exists", "")), "", 1},
	{"Exists, absent", "'other':'1'", NULL, KEEP_OR(EXPR("disk", "Exists", "")), "", 0},
	{"DoesNotExist, absent", "'other':'1'", NULL, KEEP_OR(EXPR("disk", "DoesNotExist", "")), "", 1},
	{"DoesNotExist, present", "'disk':'ssd'", NULL, KEEP_OR(EXPR("disk", "DoesNotExist", "")), "", 0},
	{"Gt, greater", "'cpus':'8'", NULL, KEEP_OR(EXPR("cpus", "Gt", VALS("'4'"))), "", 1},
	{"Gt, equal", "'cpus':'4'", NULL, KEEP_OR(EXPR("cpus", "Gt", VALS("'4'"))), "", 0},
	{"Gt, not a number on the node", "'cpus':'many'", NULL, KEEP_OR(EXPR("cpus", "Gt", VALS("'4'"))), "", 0},
	{"Gt, absent", "'other':'1'", NULL, KEEP_OR(EXPR("cpus", "Gt", VALS("'4'"))), "", 0},
	{"Lt, smaller", "'cpus':'2'", NULL, KEEP_OR(EXPR("cpus", "Lt", VALS("'4'"))), "", 1},
	{"Lt, larger", "'cpus':'16'", NULL, KEEP_OR(EXPR("cpus", "Lt", VALS("'4'"))), "", 0},
	/* terms that do not parse match no node */
	{"Gt with a non-integer value", "'cpus':'8'", NULL, KEEP_OR(EXPR("cpus", "Gt", VALS("'x'"))), "", 0},
	{"Gt with two values", "'cpus':'8'", NULL, KEEP_OR(EXPR("cpus", "Gt", VALS("'4','5'"))), "", 0},
	{"Gt with a negative value (no label value)", "'cpus':'8'", NULL, KEEP_OR(EXPR("cpus", "Gt", VALS("'-1'"))), "",
	 0},
	{"In without values", "'disk':'ssd'", NULL, KEEP_OR(EXPR("disk", "In", ",'values':[]")), "", 0},
	{"Exists with values", "'disk':'ssd'", NULL, KEEP_OR(EXPR("disk", "Exists", VALS("'ssd'"))), "", 0},
	{"unknown operator", "'disk':'ssd'", NULL, KEEP_OR(EXPR("disk", "Like", VALS("'ssd'"))), "", 0},
	{"invalid key", "'disk':'ssd'", NULL, KEEP_OR(EXPR("bad key!", "Exists", "")), "", 0},
	{"expressions of a term are ANDed", "'disk':'ssd','cpus':'2'", NULL,
	 KEEP_OR("{'matchExpressions':[{'key':'disk','operator':'In','values':['ssd']},{'key':'cpus','operator':'Gt',"
	         "'values':['4']}]}"),
	 "", 0},
	{"matchFields metadata.name In", "'other':'1'", NULL,
	 KEEP_OR("{'matchFields':[{'key':'metadata.name','operator':'In','values':['w']}]}"), "", 1},
	{"matchFields metadata.name NotIn", "'other':'1'", NULL,
	 KEEP_OR("{'matchFields':[{'key':'metadata.name','operator':'NotIn','values':['w']}]}"), "", 0},
	{"matchFields with two values", "'other':'1'", NULL,
	 KEEP_OR("{'matchFields':[{'key':'metadata.name','operator':'In','values':['w','v']}]}"), "", 0},
	{"an empty term matches nothing", "'other':'1'", NULL, KEEP_OR("{}"), "", 0},
	{"nodeSelector matches", "'disk':'ssd'", NULL, ",'nodeSelector':{'disk':'ssd'}", "", 1},
	{"nodeSelector does not match", "'disk':'hdd'", NULL, ",'nodeSelector':{'disk':'ssd'}", "", 0},
	{"nodeSelector and affinity both apply", "'disk':'ssd'", NULL,
	 ",'nodeSelector':{'disk':'ssd'}" KEEP_OR(EXPR("cpus", "Gt", VALS("'4'"))), "", 0},
	{"nodeAffinityPolicy Honor given", "'disk':'hdd'", NULL, ",'nodeSelector':{'disk':'ssd'}",
	 ",'nodeAffinityPolicy':'Honor'", 0},
	{"nodeAffinityPolicy Ignore", "'disk':'hdd'", NULL, ",'nodeSelector':{'disk':'ssd'}",
	 ",'nodeAffinityPolicy':'Ignore'", 1},
	/* taints count only under Honor, and only NoSchedule/NoExecute */
	{"taints ignored by default", "'other':'1'", "{'key':'dedicated','value':'db','effect':'NoSchedule'}", "", "",
	 1},
	{"nodeTaintsPolicy Honor, untolerated", "'other':'1'", "{'key':'dedicated','value':'db','effect':'NoSchedule'}",
	 "", ",'nodeTaintsPolicy':'Honor'", 0},
	{"Honor, NoExecute", "'other':'1'", "{'key':'dedicated','effect':'NoExecute'}", "",
	 ",'nodeTaintsPolicy':'Honor'", 0},
	{"Honor, PreferNoSchedule does not keep pods off", "'other':'1'",
	 "{'key':'dedicated','effect':'PreferNoSchedule'}", "", ",'nodeTaintsPolicy':'Honor'", 1},
	{"Honor, tolerated with Exists", "'other':'1'", "{'key':'dedicated','value':'db','effect':'NoSchedule'}",
	 ",'tolerations':[{'key':'dedicated','operator':'Exists'}]", ",'nodeTaintsPolicy':'Honor'", 1},
	{"Honor, tolerated with Equal", "'other':'1'", "{'key':'dedicated','value':'db','effect':'NoSchedule'}",
	 ",'tolerations':[{'key':'dedicated','value':'db','effect':'NoSchedule'}]", ",'nodeTaintsPolicy':'Honor'", 1},
	{"Honor, Equal with another value", "'other':'1'", "{'key':'dedicated','value':'db','effect':'NoSchedule'}",
	 ",'tolerations':[{'key':'dedicated','operator':'Equal','value':'web'}]", ",'nodeTaintsPolicy':'Honor'", 0},
	{"Honor, toleration of another effect", "'other':'1'", "{'key':'dedicated','value':'db','effect':'NoSchedule'}",
	 ",'tolerations':[{'key':'dedicated','operator':'Exists','effect':'NoExecute'}]", ",'nodeTaintsPolicy':'Honor'",
	 0},
	{"Honor, empty key with Exists tolerates all", "'other':'1'", "{'key':'dedicated','effect':'NoSchedule'}",
	 ",'tolerations':[{'operator':'Exists'}]", ",'nodeTaintsPolicy':'Honor'", 1},
	{"nodeTaintsPolicy Ignore given", "'other':'1'", "{'key':'dedicated','effect':'NoSchedule'}", "",
	 ",'nodeTaintsPolicy':'Ignore'", 1},
};

static void inclusion_table(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *f = policy("PodTopologySpread", &ud);
	for (size_t i = 0; i < N(inclusion_cases); i++) {
		const struct inclusion_case *tc = &inclusion_cases[i];
		char nodes[2048], pod[2048];
		snprintf(nodes, sizeof nodes,
		         "[" NODEL("a", "z1", "'keep':'1','disk':'ssd'") "," NODEL("x", "z2", "'keep':'1','disk':'ssd'")
		         ",{'metadata':{'name':'w','labels':{'" ZONE "':'z3','" HOST "':'w',%s}},'spec':{'taints':[%s]}}]",
		         tc->w_labels, tc->w_taints ? tc->w_taints : "");
		snprintf(pod, sizeof pod,
		         "{'metadata':{'namespace':'default','labels':{'app':'foo'}},'spec':{'topologySpreadConstraints':["
		         "{'maxSkew':1,'topologyKey':'" ZONE "','whenUnsatisfiable':'DoNotSchedule',"
		         "'labelSelector':{'matchLabels':{'app':'foo'}}%s}]%s}}",
		         tc->policies, tc->spec);
		/* w itself is always 0+1-min <= 1: only a and x tell */
		const char *want = tc->counted ? "a:skew x:skew w:ok" : "a:ok x:ok w:ok";
		run_filter(f, ud, tc->name, nodes, "[" FOO("a") "," FOO("x") "]", pod, want, 1);
	}
}

/* ---- pre-filter and the buffers ------------------------------------------------ */

static void pre_filter_points(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *f = policy("PodTopologySpread", &ud);
	struct cluster cl;
	struct tcycle cy;
	cluster_up(&cl, ZONES2, "[" FOO("a") "," FOO("a") "]");
	char reason[128];
	/* only soft constraints, or none: nothing to filter */
	const char *skips[] = {INCOMING(SOFT(1, ZONE), ""), "{'metadata':{'namespace':'default'},'spec':{}}"};
	for (size_t i = 0; i < N(skips); i++) {
		sk_obj *pod = json(skips[i]);
		cy_begin(&cy, cl.ptr, cl.n);
		assert_int_equal(f->pre_filter(ud, &cy.pub, pod, reason, sizeof reason), SK_SCHED_SKIP);
		/* skiff still runs the filter after a skip: it lets all through */
		memset(reason, 0, sizeof reason);
		assert_int_equal(f->filter(ud, &cy.pub, pod, node_named(&cl, "a"), reason, sizeof reason),
		                 SK_SCHED_SUCCESS);
		cy_end(&cy);
		sk_obj_unref(pod);
	}
	/* a selector that does not parse is an error, with its reason */
	sk_obj *pod = json(INCOMING("{'maxSkew':1,'topologyKey':'" ZONE "','whenUnsatisfiable':'DoNotSchedule',"
	                            "'labelSelector':{'matchExpressions':[{'key':'app','operator':'In'}]}}",
	                            ""));
	cy_begin(&cy, cl.ptr, cl.n);
	memset(reason, 0, sizeof reason);
	assert_int_equal(f->pre_filter(ud, &cy.pub, pod, reason, sizeof reason), SK_SCHED_ERROR);
	if (!strstr(reason, "obtaining pod's hard topology spread constraints"))
		fail_msg("reason: %s", reason);
	cy_end(&cy);
	sk_obj_unref(pod);
	/* small buffers: the reason is cut as snprintf cuts, never overrun */
	pod = json(INCOMING(HARD(1, ZONE), ""));
	cy_begin(&cy, cl.ptr, cl.n);
	assert_int_equal(f->pre_filter(ud, &cy.pub, pod, reason, sizeof reason), SK_SCHED_SUCCESS);
	char small[10];
	memset(small, 'x', sizeof small);
	assert_int_equal(f->filter(ud, &cy.pub, pod, node_named(&cl, "a"), small, sizeof small), SK_SCHED_UNSCHEDULABLE);
	assert_string_equal(small, "node(s) d");
	assert_int_equal(f->filter(ud, &cy.pub, pod, node_named(&cl, "a"), small, 0), SK_SCHED_UNSCHEDULABLE);
	cy_end(&cy);
	sk_obj_unref(pod);
	cluster_down(&cl);
}

/* ---- scores -------------------------------------------------------------------- */

struct score_case {
	const char *name, *nodes, *pods, *pod;
	const char *feasible; /* space-separated names; NULL: every node */
	/* per feasible node "name:raw/normalized" */
	const char *want;
	/* raw scores of nodes that are not feasible, scored anyway */
	const char *others;
};

/* Raw score per node: the sum over the soft constraints whose key the node
 * has of count * ln(domains + 2) + (maxSkew - 1), rounded, where count is
 * the matching pods of the node's domain (of the node itself for hostname)
 * and domains are the distinct values among the feasible nodes (their
 * number for hostname). Normalized: 100 * (max + min - raw) / max in
 * integers, 100 when max is 0, 0 for nodes lacking a key.
 * ln 3 = 1.0986, ln 4 = 1.3863, ln 5 = 1.6094, ln 6 = 1.7918. */
static const struct score_case score_cases[] = {
	/* z1 3, z2 0, 2 domains: a, b 3 * 1.3863 = 4.16 -> 4; x 0.
	 * max 4, min 0: a, b 100 * (4 - 4) / 4 = 0; x 100 */
	{"zones", "[" NODE("a", "z1") "," NODE("b", "z1") "," NODE("x", "z2") "]",
	 "[" FOO("a") "," FOO("a") "," FOO("b") "]", INCOMING(SOFT(1, ZONE), ""), NULL, "a:4/0 b:4/0 x:0/100", NULL},
	/* 3 hosts: a 2 * 1.6094 = 3.22 -> 3, b 1.61 -> 2, x 0.
	 * max 3, min 0: a 0, b 100 * (3 - 2) / 3 = 33, x 100 */
	{"hostnames", "[" NODE("a", "z1") "," NODE("b", "z1") "," NODE("x", "z2") "]",
	 "[" FOO("a") "," FOO("a") "," FOO("b") "]", INCOMING(SOFT(1, HOST), ""), NULL, "a:3/0 b:2/33 x:0/100", NULL},
	/* zone maxSkew 2 adds 1, hostname maxSkew 3 adds 2:
	 * a 3 * 1.3863 + 1 + 2 * 1.6094 + 2 = 10.38 -> 10;
	 * b 4.159 + 1 + 1.609 + 2 = 8.77 -> 9; x 0 + 1 + 0 + 2 = 3.
	 * max 10, min 3: a 100 * 3 / 10 = 30, b 100 * 4 / 10 = 40, x 100 */
	{"two constraints with maxSkew offsets", "[" NODE("a", "z1") "," NODE("b", "z1") "," NODE("x", "z2") "]",
	 "[" FOO("a") "," FOO("a") "," FOO("b") "]", INCOMING(SOFT(2, ZONE) "," SOFT(3, HOST), ""), NULL,
	 "a:10/30 b:9/40 x:3/100", NULL},
	/* only a and x are feasible: domains z1, z2 (z3 of y is not one, so
	 * y's pods count nowhere); b's pods count for z1 though b is not
	 * feasible: z1 3, z2 1. a 3 * 1.3863 = 4.16 -> 4, x 1.39 -> 1.
	 * max 4, min 1: a 100 * 1 / 4 = 25, x 100 * 4 / 4 = 100 */
	{"domains of feasible nodes, counts of all",
	 "[" NODE("a", "z1") "," NODE("b", "z1") "," NODE("x", "z2") "," NODE("y", "z3") "]",
	 "[" FOO("a") "," FOO("b") "," FOO("b") "," FOO("x") "," FOO("y") "," FOO("y") "," FOO("y") "]",
	 INCOMING(SOFT(1, ZONE), ""), "a x", "a:4/25 x:1/100", "b:4/0 y:0/0"},
	/* hostname over 2 feasible nodes: weight ln 4; a 1.39 -> 1, x 1.
	 * max = min = 1: 100 * (1 + 1 - 1) / 1 = 100 for both */
	{"hostname weight counts feasible nodes", "[" NODE("a", "z1") "," NODE("b", "z1") "," NODE("x", "z2") "]",
	 "[" FOO("a") "," FOO("b") "," FOO("b") "," FOO("x") "]", INCOMING(SOFT(1, HOST), ""), "a x",
	 "a:1/100 x:1/100", NULL},
	/* c lacks the zone: ignored, 0. Domains z1, z2 (2): a 2 * 1.3863 =
	 * 2.77 -> 3, x 0; max 3 min 0: a 0, x 100 */
	{"a node without the key scores 0", "[" NODE("a", "z1") "," NODE("x", "z2") "," NOZONE("c") "]",
	 "[" FOO("a") "," FOO("a") "," FOO("c") "]", INCOMING(SOFT(1, ZONE), ""), NULL, "a:3/0 x:0/100 c:0/0", NULL},
	/* zone and hostname, c ignored: the hostname weight counts the 2
	 * nodes left (ln 4, not ln 5). a 3 * 1.3863 (zone) + 3 * 1.3863
	 * (host) = 8.32 -> 8 (with ln 5 it would be 8.99 -> 9); x 0, c 0.
	 * max 8, min 0: a 0, x 100, c 0 */
	{"ignored nodes leave the hostname weight", "[" NODE("a", "z1") "," NODE("x", "z2") "," NOZONE("c") "]",
	 "[" FOO("a") "," FOO("a") "," FOO("a") "]", INCOMING(SOFT(1, ZONE) "," SOFT(1, HOST), ""), NULL,
	 "a:8/0 x:0/100 c:0/0", NULL},
	/* no matching pods anywhere: all raw 0, max 0: all 100 */
	{"nothing matches", "[" NODE("a", "z1") "," NODE("x", "z2") "]", "[" PODL("a", "'app':'bar'") "]",
	 INCOMING(SOFT(1, ZONE), ""), NULL, "a:0/100 x:0/100", NULL},
	/* nodeAffinityPolicy Honor (default): b lacks keep=1, so its 2 pods
	 * do not count: z1 1, z2 1; a and x 1.39 -> 1, both 100 */
	{"affinity honored in counts",
	 "[" NODEL("a", "z1", "'keep':'1'") "," NODE("b", "z1") "," NODEL("x", "z2", "'keep':'1'") "]",
	 "[" FOO("a") "," FOO("b") "," FOO("b") "," FOO("x") "]", INCOMING(SOFT(1, ZONE), ",'nodeSelector':{'keep':'1'}"),
	 "a x", "a:1/100 x:1/100", NULL},
	/* nodeAffinityPolicy Ignore: z1 3, z2 1: a 4.16 -> 4, x 1; a 25, x 100 */
	{"affinity ignored in counts",
	 "[" NODEL("a", "z1", "'keep':'1'") "," NODE("b", "z1") "," NODEL("x", "z2", "'keep':'1'") "]",
	 "[" FOO("a") "," FOO("b") "," FOO("b") "," FOO("x") "]",
	 INCOMING(TSC(1, ZONE, "ScheduleAnyway", ",'nodeAffinityPolicy':'Ignore'"), ",'nodeSelector':{'keep':'1'}"),
	 "a x", "a:4/25 x:1/100", NULL},
	/* four zones over 4 feasible nodes: weight ln 6 = 1.7918; a 1.79 -> 2,
	 * b 2 * 1.79 = 3.58 -> 4, x 0, y 3 * 1.79 = 5.38 -> 5.
	 * max 5, min 0: a 100 * 3 / 5 = 60, b 20, x 100, y 0 */
	{"rounding", "[" NODE("a", "z1") "," NODE("b", "z2") "," NODE("x", "z3") "," NODE("y", "z4") "]",
	 "[" FOO("a") "," FOO("b") "," FOO("b") "," FOO("y") "," FOO("y") "," FOO("y") "]", INCOMING(SOFT(1, ZONE), ""),
	 NULL, "a:2/60 b:4/20 x:0/100 y:5/0", NULL},
};

static void expect_score(const char *tc, const char *want, const char *node, int64_t raw, int64_t norm)
{
	char key[64];
	snprintf(key, sizeof key, "%s:", node);
	const char *at = strstr(want, key);
	while (at && at != want && at[-1] != ' ')
		at = strstr(at + 1, key);
	if (!at)
		fail_msg("%s: no expectation for node %s", tc, node);
	long long wraw, wnorm;
	if (sscanf(at + strlen(key), "%lld/%lld", &wraw, &wnorm) != 2)
		fail_msg("%s: bad expectation %s", tc, at);
	if (raw != wraw || norm != wnorm)
		fail_msg("%s: node %s: got %lld/%lld, want %lld/%lld", tc, node, (long long)raw, (long long)norm, wraw,
		         wnorm);
}

static void score_table(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *f = policy("PodTopologySpread", &ud);
	assert_non_null(f->pre_score);
	assert_non_null(f->normalize);
	for (size_t i = 0; i < N(score_cases); i++) {
		const struct score_case *tc = &score_cases[i];
		struct cluster cl;
		struct tcycle cy;
		cluster_up(&cl, tc->nodes, tc->pods);
		sk_obj *pod = json(tc->pod);
		const sk_sched_node *feasible[16];
		size_t nf = 0;
		if (!tc->feasible) {
			for (size_t k = 0; k < cl.n; k++)
				feasible[nf++] = cl.ptr[k];
		} else {
			char names[64];
			snprintf(names, sizeof names, "%s", tc->feasible);
			for (char *save, *t = strtok_r(names, " ", &save); t; t = strtok_r(NULL, " ", &save))
				feasible[nf++] = node_named(&cl, t);
		}
		cy_begin(&cy, cl.ptr, cl.n);
		if (f->pre_score(ud, &cy.pub, pod, feasible, nf) != SK_SCHED_SUCCESS)
			fail_msg("%s: pre-score did not succeed", tc->name);
		int64_t raw[16], norm[16];
		for (size_t k = 0; k < nf; k++)
			raw[k] = norm[k] = f->score(ud, &cy.pub, pod, feasible[k]);
		f->normalize(ud, &cy.pub, pod, feasible, norm, nf);
		for (size_t k = 0; k < nf; k++)
			expect_score(tc->name, tc->want, feasible[k]->name, raw[k], norm[k]);
		/* a node pre-score did not see is worked out the same way: b
		 * shares a's zone; y's zone is no domain, so it counts 0 */
		for (size_t k = 0; tc->others && k < cl.n; k++)
			if (strstr(tc->others, cl.ptr[k]->name))
				expect_score(tc->name, tc->others, cl.ptr[k]->name, f->score(ud, &cy.pub, pod, cl.ptr[k]), 0);
		cy_end(&cy);
		sk_obj_unref(pod);
		cluster_down(&cl);
	}
}

static void pre_score_skips(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *f = policy("PodTopologySpread", &ud);
	struct cluster cl;
	struct tcycle cy;
	cluster_up(&cl, ZONES2, "[" FOO("a") "]");
	/* hard constraints only: nothing to score (and no defaults, as the
	 * pod has constraints); a pod of no Service or controller: the
	 * defaults have no selector */
	const char *skips[] = {INCOMING(HARD(1, ZONE), ""),
	                       "{'metadata':{'namespace':'default','labels':{'app':'foo'}},'spec':{}}"};
	for (size_t i = 0; i < N(skips); i++) {
		sk_obj *pod = json(skips[i]);
		cy_begin(&cy, cl.ptr, cl.n);
		assert_int_equal(f->pre_score(ud, &cy.pub, pod, cl.ptr, cl.n), SK_SCHED_SKIP);
		cy_end(&cy);
		sk_obj_unref(pod);
	}
	/* no snapshot: nothing to score */
	sk_obj *pod = json(INCOMING(SOFT(1, ZONE), ""));
	cy_begin(&cy, cl.ptr, cl.n);
	cy.pub.nnodes = 0;
	assert_int_equal(f->pre_score(ud, &cy.pub, pod, cl.ptr, cl.n), SK_SCHED_SKIP);
	cy_end(&cy);
	sk_obj_unref(pod);
	cluster_down(&cl);
}

/* ---- system defaults --------------------------------------------------------- */

static const sk_resource_ops services_ops = {
	.size = sizeof(sk_resource_ops), .name = "services", .group = "", .version = "v1", .kind = "Service",
	.plural = "services", .singular = "service", .list_kind = "ServiceList", .namespaced = 1,
};
static const sk_resource_ops replicasets_ops = {
	.size = sizeof(sk_resource_ops), .name = "replicasets.apps", .group = "apps", .version = "v1", .kind = "ReplicaSet",
	.plural = "replicasets", .singular = "replicaset", .list_kind = "ReplicaSetList", .namespaced = 1,
};

static const sk_resource_ops rcs_ops = {
	.size = sizeof(sk_resource_ops), .name = "replicationcontrollers", .group = "", .version = "v1",
	.kind = "ReplicationController", .plural = "replicationcontrollers", .singular = "replicationcontroller",
	.list_kind = "ReplicationControllerList", .namespaced = 1,
};
static const sk_resource_ops statefulsets_ops = {
	.size = sizeof(sk_resource_ops), .name = "statefulsets.apps", .group = "apps", .version = "v1",
	.kind = "StatefulSet", .plural = "statefulsets", .singular = "statefulset", .list_kind = "StatefulSetList",
	.namespaced = 1,
};

static int written;

static void created(void *ud, const sk_err *err, const sk_obj *stored)
{
	(void)ud;
	(void)stored;
	if (err)
		fprintf(stderr, "create failed: %s\n", err->msg);
	written++;
}

static void create(const char *group, const char *resource, const char *text)
{
	sk_obj *o = json(text);
	int want = written + 1;
	sk_api_create(NULL, group, resource, "default", o, created, NULL);
	sk_obj_unref(o);
	tu_wait(&written, want);
}

/* A pod with no constraints of its own spreads by the defaults, over the
 * selector its Service (app=web) and its ReplicaSet (tier in (front))
 * give: hostname maxSkew 3 and zone maxSkew 5. Nodes a, b in z1 and c
 * with no zone (allowed: the defaults do not need every key). Matching
 * pods: a 2, b 1, c 1 (a pod lacking tier=front on a, and one of another
 * app with tier=front on b, do not count).
 * Zone: domains of the feasible nodes are z1 and "" (c's missing label
 * reads as the empty value), so 2 -> ln 4; z1 3. Hostname: 3 nodes, ln 5.
 * a: 2 * 1.6094 + 2 + 3 * 1.3863 + 4 = 13.38 -> 13
 * b: 1.6094 + 2 + 4.1589 + 4 = 11.77 -> 12
 * c: 1.6094 + 2 (no zone label, no zone term) = 3.61 -> 4
 * max 13, min 4: a 100 * 4 / 13 = 30, b 100 * 5 / 13 = 38, c 100 */
static void system_defaults(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *f = policy("PodTopologySpread", &ud);
	sk_err e;
	assert_int_equal(sk_register(NULL, SK_EXT_RESOURCE, &services_ops, NULL, &e), SK_OK);
	assert_int_equal(sk_register(NULL, SK_EXT_RESOURCE, &replicasets_ops, NULL, &e), SK_OK);
	assert_int_equal(sk_register(NULL, SK_EXT_RESOURCE, &rcs_ops, NULL, &e), SK_OK);
	assert_int_equal(sk_register(NULL, SK_EXT_RESOURCE, &statefulsets_ops, NULL, &e), SK_OK);
	create("", "services", "{'metadata':{'name':'web','namespace':'default'},'spec':{'selector':{'app':'web'}}}");
	create("", "services", "{'metadata':{'name':'db','namespace':'default'},'spec':{'selector':{'app':'db'}}}");
	create("", "services", "{'metadata':{'name':'none','namespace':'default'},'spec':{}}");
	create("apps", "replicasets",
	       "{'metadata':{'name':'web-1','namespace':'default'},'spec':{'selector':{'matchExpressions':"
	       "[{'key':'tier','operator':'In','values':['front']}]}}}");
#define WEB(node, x) "{'metadata':{'namespace':'default','labels':{'app':'web'" x "}},'spec':{'nodeName':'" node "'}}"
	struct cluster cl;
	cluster_up(&cl, "[" NODE("a", "z1") "," NODE("b", "z1") "," NOZONE("c") "]",
	           "[" WEB("a", ",'tier':'front'") "," WEB("a", ",'tier':'front'") "," WEB("a", "") "," WEB(
	               "b", ",'tier':'front'") "," WEB("c", ",'tier':'front'") "," PODL("b", "'app':'x','tier':'front'") "]");
	sk_obj *pod = json("{'metadata':{'namespace':'default','labels':{'app':'web','tier':'front'},"
	                   "'ownerReferences':[{'apiVersion':'apps/v1','kind':'ReplicaSet','name':'web-1',"
	                   "'controller':true}]},'spec':{}}");
	struct tcycle cy;
	cy_begin(&cy, cl.ptr, cl.n);
	/* the defaults are ScheduleAnyway: nothing to filter */
	char reason[64];
	assert_int_equal(f->pre_filter(ud, &cy.pub, pod, reason, sizeof reason), SK_SCHED_SKIP);
	assert_int_equal(f->pre_score(ud, &cy.pub, pod, cl.ptr, cl.n), SK_SCHED_SUCCESS);
	int64_t raw[3], norm[3];
	for (size_t k = 0; k < 3; k++)
		raw[k] = norm[k] = f->score(ud, &cy.pub, pod, cl.ptr[k]);
	f->normalize(ud, &cy.pub, pod, cl.ptr, norm, 3);
	const char *want = "a:13/30 b:12/38 c:4/100";
	for (size_t k = 0; k < 3; k++)
		expect_score("system defaults", want, cl.ptr[k]->name, raw[k], norm[k]);
	cy_end(&cy);
	sk_obj_unref(pod);
	/* Pods no Service selects: spread by their controller's selector
	 * when it is a ReplicationController, ReplicaSet or StatefulSet of the
	 * right API version marked controller; else not at all */
	static const struct {
		const char *owner;
		int rc;
	} owners[] = {
		{"", SK_SCHED_SKIP},
		{"{'apiVersion':'v1','kind':'ReplicationController','name':'rc','controller':true}", SK_SCHED_SUCCESS},
		{"{'apiVersion':'apps/v1','kind':'StatefulSet','name':'ss','controller':true}", SK_SCHED_SUCCESS},
		{"{'apiVersion':'apps/v1','kind':'StatefulSet','name':'ss'}", SK_SCHED_SKIP},
		{"{'apiVersion':'apps/v1','kind':'StatefulSet','name':'missing','controller':true}", SK_SCHED_SKIP},
		{"{'apiVersion':'apps/v1beta2','kind':'StatefulSet','name':'ss','controller':true}", SK_SCHED_SKIP},
		{"{'apiVersion':'apps/v1','kind':'Deployment','name':'ss','controller':true}", SK_SCHED_SKIP},
		/* its selector is empty: Everything() has no requirements */
		{"{'apiVersion':'apps/v1','kind':'ReplicaSet','name':'empty','controller':true}", SK_SCHED_SKIP},
	};
	create("", "replicationcontrollers",
	       "{'metadata':{'name':'rc','namespace':'default'},'spec':{'selector':{'role':'cache'}}}");
	create("apps", "statefulsets",
	       "{'metadata':{'name':'ss','namespace':'default'},'spec':{'selector':{'matchLabels':{'role':'cache'}}}}");
	create("apps", "replicasets", "{'metadata':{'name':'empty','namespace':'default'},'spec':{'selector':{}}}");
	for (size_t i = 0; i < N(owners); i++) {
		char text[512];
		snprintf(text, sizeof text,
		         "{'metadata':{'namespace':'default','labels':{'role':'cache'},'ownerReferences':[%s]},'spec':{}}",
		         owners[i].owner);
		pod = json(text);
		cy_begin(&cy, cl.ptr, cl.n);
		int rc = f->pre_score(ud, &cy.pub, pod, cl.ptr, cl.n);
		if (rc != owners[i].rc)
			fail_msg("owner %s: pre-score %d, want %d", owners[i].owner, rc, owners[i].rc);
		cy_end(&cy);
		sk_obj_unref(pod);
	}
	cluster_down(&cl);
	sk_unregister(NULL, SK_EXT_RESOURCE, "services");
	sk_unregister(NULL, SK_EXT_RESOURCE, "replicasets.apps");
	sk_unregister(NULL, SK_EXT_RESOURCE, "replicationcontrollers");
	sk_unregister(NULL, SK_EXT_RESOURCE, "statefulsets.apps");
}

static void registration(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *o = policy("PodTopologySpread", &ud);
	assert_true(o->pre_filter && o->filter && o->pre_score && o->score && o->normalize);
	assert_true(!o->bind && !o->reserve && !o->post_filter);
}

/* ---- set-up -------------------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	tu_store_up(64, 0);
	sk_host_set_data_dir(tu_store_dir);
	static const char *const names[] = {"pod-topology-spread", NULL};
	sched_plugins_up(names, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sk_plugins_stop();
	tu_store_down();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registration),
		cmocka_unit_test(filter_table),
		cmocka_unit_test(inclusion_table),
		cmocka_unit_test(pre_filter_points),
		cmocka_unit_test(score_table),
		cmocka_unit_test(pre_score_skips),
		cmocka_unit_test(system_defaults),
	};
	return cmocka_run_group_tests_name("scheduler PodTopologySpread policy", tests, setup, teardown);
}
