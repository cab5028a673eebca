/* test_sched_affinity.c — the TaintToleration, NodeAffinity and
 * ImageLocality scheduling policies against Kubernetes 1.32's plugins of
 * those names, loaded from their real .so files through the plugin host.
 *
 * Test JSON is written with ' for " to stay readable. */
#include "testutil.h"
#include "sched_fixture.h"

#define MAXN 4

static char *dir;

/* ---- nodes ---- */

struct nodes {
	struct fx_cluster cl;
	const sk_sched_node *p[MAXN];
	size_t len;
};

/* the nodes, as the scheduler's cache views them */
static void nodes_make(struct nodes *ns, const char *const *jsons, size_t n)
{
	assert_true(n <= MAXN);
	memset(ns, 0, sizeof *ns);
	fx_cluster_up(&ns->cl);
	char names[MAXN][64];
	for (size_t i = 0; i < n; i++) {
		sk_obj *o = json(jsons[i]);
		snprintf(names[i], sizeof names[i], "%s", sk_obj_get_str(o, "metadata.name"));
		/* tables may repeat a name; the cache would take them for one node */
		for (size_t j = 0; j < i; j++)
			if (!strcmp(names[j], names[i])) {
				snprintf(names[i], sizeof names[i], "%s-%zu", sk_obj_get_str(o, "metadata.name"), i);
				assert_int_equal(sk_obj_set_str(o, "metadata.name", names[i], NULL), SK_OK);
				break;
			}
		fx_node_add(&ns->cl, o);
		sk_obj_unref(o);
	}
	for (size_t i = 0; i < n; i++)
		ns->p[i] = fx_view(&ns->cl, names[i]);
	ns->len = n;
}

static void nodes_free(struct nodes *ns) { fx_cluster_down(&ns->cl); }

/* ---- filters ---- */

struct filter_case {
	const char *name;
	const char *pod;
	const char *node;
	int want;           /* SK_SCHED_SUCCESS or the failing code */
	const char *reason; /* when it fails */
};

/* Pre-filter then filter, as the scheduler runs them for one node; a
 * pre-filter SKIP means the filter does not run. The filter alone, with no
 * cycle (its fall-back), must agree. */
static void check_filters(const char *pname, const struct filter_case *cases, size_t n)
{
	void *ud;
	const sk_sched_policy_ops *p = policy(pname, &ud);
	for (size_t i = 0; i < n; i++) {
		const struct filter_case *k = &cases[i];
		sk_obj *pod = json(k->pod);
		struct nodes ns;
		nodes_make(&ns, &k->node, 1);
		struct tcycle tc;
		cy_begin(&tc, ns.p, 1);
		char reason[256] = "";
		int rc = p->pre_filter ? p->pre_filter(ud, &tc.pub, pod, reason, sizeof reason) : SK_SCHED_SUCCESS;
		if (rc == SK_SCHED_SKIP)
			rc = SK_SCHED_SUCCESS;
		else if (rc == SK_SCHED_SUCCESS)
			rc = p->filter(ud, &tc.pub, pod, ns.p[0], reason, sizeof reason);
		if (rc != k->want)
			fail_msg("%s/%s: code %d, want %d (%s)", pname, k->name, rc, k->want, reason);
		if (rc != SK_SCHED_SUCCESS && strcmp(reason, k->reason))
			fail_msg("%s/%s: reason \"%s\", want \"%s\"", pname, k->name, reason, k->reason);
		cy_end(&tc);
		/* a pre-filter rejection has no per-node counterpart */
		if (!k->reason || strcmp(k->reason, "pod affinity terms conflict")) {
			char again[256] = "";
			int rc2 = p->filter(ud, NULL, pod, ns.p[0], again, sizeof again);
			if (rc2 != rc || (rc != SK_SCHED_SUCCESS && strcmp(again, reason)))
				fail_msg("%s/%s: without a cycle code %d (%s), want %d", pname, k->name, rc2, again, rc);
		}
		nodes_free(&ns);
		sk_obj_unref(pod);
	}
}

#define UNTOL SK_SCHED_UNRESOLVABLE
#define TAINTED(taints) "{'metadata':{'name':'n1'},'spec':{'taints':" taints "}}"
#define TOLERATES(tols) "{'spec':{'tolerations':" tols "}}"
#define APP_NS "[{'key':'app','value':'myapp','effect':'NoSchedule'}]"
#define APP_NE "[{'key':'app','value':'myapp','effect':'NoExecute'}]"
#define APP_REASON "node(s) had untolerated taint {app: myapp}"

static void taint_filter(void **state)
{
	(void)state;
	static const struct filter_case cases[] = {
		{"no taints", "{'spec':{}}", "{'metadata':{'name':'n1'}}", SK_SCHED_SUCCESS, NULL},
		{"NoSchedule untolerated", "{'spec':{}}", TAINTED(APP_NS), UNTOL, APP_REASON},
		{"NoExecute untolerated", "{'spec':{}}", TAINTED(APP_NE), UNTOL, APP_REASON},
		{"PreferNoSchedule only scores", "{'spec':{}}",
		 TAINTED("[{'key':'app','value':'myapp','effect':'PreferNoSchedule'}]"), SK_SCHED_SUCCESS, NULL},
		{"Equal", TOLERATES("[{'key':'app','operator':'Equal','value':'myapp','effect':'NoSchedule'}]"),
		 TAINTED(APP_NS), SK_SCHED_SUCCESS, NULL},
		{"operator defaults to Equal", TOLERATES("[{'key':'app','value':'myapp','effect':'NoSchedule'}]"),
		 TAINTED(APP_NS), SK_SCHED_SUCCESS, NULL},
		{"Equal, wrong value", TOLERATES("[{'key':'app','operator':'Equal','value':'other'}]"),
		 TAINTED(APP_NS), UNTOL, APP_REASON},
		{"Equal, no value vs a value", TOLERATES("[{'key':'app','operator':'Equal'}]"), TAINTED(APP_NS),
		 UNTOL, APP_REASON},
		{"wrong key", TOLERATES("[{'key':'ap','operator':'Exists'}]"), TAINTED(APP_NS), UNTOL, APP_REASON},
		{"Exists on the key", TOLERATES("[{'key':'app','operator':'Exists','effect':'NoSchedule'}]"),
		 TAINTED(APP_NS), SK_SCHED_SUCCESS, NULL},
		{"empty key with Exists tolerates all", TOLERATES("[{'operator':'Exists'}]"),
		 TAINTED("[{'key':'a','value':'1','effect':'NoSchedule'},{'key':'b','effect':'NoExecute'}]"),
		 SK_SCHED_SUCCESS, NULL},
		/* ToleratesTaint skips an empty key, then compares values */
		{"empty key with Equal compares the value", TOLERATES("[{'value':'myapp'}]"),
		 TAINTED("[{'key':'other','value':'myapp','effect':'NoSchedule'}]"), SK_SCHED_SUCCESS, NULL},
		{"empty effect matches NoExecute", TOLERATES("[{'key':'app','value':'myapp'}]"), TAINTED(APP_NE),
		 SK_SCHED_SUCCESS, NULL},
		{"NoSchedule toleration vs NoExecute taint",
		 TOLERATES("[{'key':'app','value':'myapp','effect':'NoSchedule'}]"), TAINTED(APP_NE), UNTOL, APP_REASON},
		{"PreferNoSchedule toleration vs NoSchedule taint",
		 TOLERATES("[{'key':'app','operator':'Exists','effect':'PreferNoSchedule'}]"), TAINTED(APP_NS), UNTOL,
		 APP_REASON},
		{"unknown operator tolerates nothing", TOLERATES("[{'key':'app','operator':'Gt','value':'myapp'}]"),
		 TAINTED(APP_NS), UNTOL, APP_REASON},
		{"taint without a value", "{'spec':{}}", TAINTED("[{'key':'dedicated','effect':'NoSchedule'}]"), UNTOL,
		 "node(s) had untolerated taint {dedicated: }"},
		{"the first untolerated taint is named", TOLERATES("[{'key':'a','operator':'Exists'}]"),
		 TAINTED("[{'key':'a','value':'1','effect':'NoSchedule'},{'key':'b','value':'2','effect':'NoExecute'},"
		         "{'key':'c','value':'3','effect':'NoSchedule'}]"),
		 UNTOL, "node(s) had untolerated taint {b: 2}"},
		{"one of several tolerations",
		 TOLERATES("[{'key':'x','operator':'Exists'},{'key':'app','operator':'Equal','value':'myapp'}]"),
		 TAINTED(APP_NS), SK_SCHED_SUCCESS, NULL},
	};
	check_filters("TaintToleration", cases, N(cases));
}

#define NODE1                                                                                                \
	"{'metadata':{'name':'node-1','labels':{'zone':'us-east-1a','disk':'ssd','cores':'8','spot':'',"        \
	"'kubernetes.io/hostname':'node-1'}}}"
#define REQUIRED(terms)                                                                                      \
	"{'spec':{'affinity':{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':"               \
	"{'nodeSelectorTerms':" terms "}}}}}"
#define EXPR(key, op, vals) "{'key':'" key "','operator':'" op "','values':" vals "}"
#define EXISTS(key, op) "{'key':'" key "','operator':'" op "'}"
#define TERM(exprs) "{'matchExpressions':[" exprs "]}"
#define FIELDS(fields) "{'matchFields':[" fields "]}"
#define NA_REASON "node(s) didn't match Pod's node affinity/selector"
#define FITS SK_SCHED_SUCCESS, NULL
#define MISSES UNTOL, NA_REASON

static void affinity_filter(void **state)
{
	(void)state;
	static const struct filter_case cases[] = {
		{"nothing asked", "{'spec':{}}", NODE1, FITS},
		{"nodeSelector matches", "{'spec':{'nodeSelector':{'disk':'ssd'}}}", NODE1, FITS},
		{"nodeSelector, other value", "{'spec':{'nodeSelector':{'disk':'hdd'}}}", NODE1, MISSES},
		{"nodeSelector, all labels", "{'spec':{'nodeSelector':{'disk':'ssd','zone':'eu'}}}", NODE1, MISSES},
		{"nodeSelector, empty value needs the label", "{'spec':{'nodeSelector':{'gpu':''}}}", NODE1, MISSES},
		{"nodeSelector, empty value", "{'spec':{'nodeSelector':{'spot':''}}}", NODE1, FITS},
		{"nodeSelector, qualified key",
		 "{'spec':{'nodeSelector':{'kubernetes.io/hostname':'node-1'}}}", NODE1, FITS},
		{"empty nodeSelector", "{'spec':{'nodeSelector':{}}}", NODE1, FITS},
		{"node without labels", "{'spec':{'nodeSelector':{'disk':'ssd'}}}", "{'metadata':{'name':'n'}}",
		 MISSES},
		{"In", REQUIRED("[" TERM(EXPR("zone", "In", "['us-east-1b','us-east-1a']")) "]"), NODE1, FITS},
		{"In, other values", REQUIRED("[" TERM(EXPR("zone", "In", "['us-east-1b']")) "]"), NODE1, MISSES},
		{"In, absent label", REQUIRED("[" TERM(EXPR("gpu", "In", "['x']")) "]"), NODE1, MISSES},
		{"In, empty value", REQUIRED("[" TERM(EXPR("spot", "In", "['','x']")) "]"), NODE1, FITS},
		{"In without values is invalid", REQUIRED("[" TERM(EXPR("zone", "In", "[]")) "]"), NODE1, MISSES},
		{"NotIn", REQUIRED("[" TERM(EXPR("disk", "NotIn", "['hdd']")) "]"), NODE1, FITS},
		{"NotIn, the value", REQUIRED("[" TERM(EXPR("disk", "NotIn", "['hdd','ssd']")) "]"), NODE1, MISSES},
		{"NotIn, absent label", REQUIRED("[" TERM(EXPR("gpu", "NotIn", "['x']")) "]"), NODE1, FITS},
		{"Exists", REQUIRED("[" TERM(EXISTS("disk", "Exists")) "]"), NODE1, FITS},
		{"Exists, empty value", REQUIRED("[" TERM(EXISTS("spot", "Exists")) "]"), NODE1, FITS},
		{"Exists, absent", REQUIRED("[" TERM(EXISTS("gpu", "Exists")) "]"), NODE1, MISSES},
		{"Exists with values is invalid", REQUIRED("[" TERM(EXPR("disk", "Exists", "['ssd']")) "]"), NODE1,
		 MISSES},
		{"DoesNotExist", REQUIRED("[" TERM(EXISTS("gpu", "DoesNotExist")) "]"), NODE1, FITS},
		{"DoesNotExist, present", REQUIRED("[" TERM(EXISTS("disk", "DoesNotExist")) "]"), NODE1, MISSES},
		{"Gt", REQUIRED("[" TERM(EXPR("cores", "Gt", "['4']")) "]"), NODE1, FITS},
		{"Gt is strict", REQUIRED("[" TERM(EXPR("cores", "Gt", "['8']")) "]"), NODE1, MISSES},
		{"Gt compares integers, not text", REQUIRED("[" TERM(EXPR("cores", "Gt", "['10']")) "]"), NODE1,
		 MISSES},
		{"Lt", REQUIRED("[" TERM(EXPR("cores", "Lt", "['16']")) "]"), NODE1, FITS},
		{"Lt is strict", REQUIRED("[" TERM(EXPR("cores", "Lt", "['8']")) "]"), NODE1, MISSES},
		{"Gt on a label that is no integer", REQUIRED("[" TERM(EXPR("zone", "Gt", "['1']")) "]"), NODE1,
		 MISSES},
		{"Lt on an absent label", REQUIRED("[" TERM(EXPR("gpu", "Lt", "['1']")) "]"), NODE1, MISSES},
		{"Gt, value no integer", REQUIRED("[" TERM(EXPR("cores", "Gt", "['4x']")) "]"), NODE1, MISSES},
		{"Gt, two values", REQUIRED("[" TERM(EXPR("cores", "Gt", "['4','5']")) "]"), NODE1, MISSES},
		{"unknown operator", REQUIRED("[" TERM(EXPR("disk", "Is", "['ssd']")) "]"), NODE1, MISSES},
		{"invalid key", REQUIRED("[" TERM(EXPR("disk type", "NotIn", "['x']")) "]"), NODE1, MISSES},
		{"invalid key with a comma", REQUIRED("[" TERM(EXPR("disk,gpu", "NotIn", "['x']")) "]"), NODE1, MISSES},
		{"invalid value", REQUIRED("[" TERM(EXPR("disk", "NotIn", "['a b']")) "]"), NODE1, MISSES},
		/* not two values: one invalid one */
		{"invalid value with a comma", REQUIRED("[" TERM(EXPR("disk", "NotIn", "['a,b']")) "]"), NODE1, MISSES},
		{"expressions ANDed, one misses",
		 REQUIRED("[" TERM(EXPR("zone", "In", "['us-east-1a']") "," EXPR("disk", "In", "['hdd']")) "]"), NODE1,
		 MISSES},
		{"expressions ANDed, all match",
		 REQUIRED("[" TERM(EXPR("zone", "In", "['us-east-1a']") ","
		                   EXPR("disk", "In", "['ssd']") ","
		                   EXISTS("gpu", "DoesNotExist")) "]"),
		 NODE1, FITS},
		{"terms ORed, second matches",
		 REQUIRED("[" TERM(EXPR("zone", "In", "['eu']")) "," TERM(EXPR("disk", "In", "['ssd']")) "]"), NODE1,
		 FITS},
		{"terms ORed, none matches",
		 REQUIRED("[" TERM(EXPR("zone", "In", "['eu']")) "," TERM(EXPR("disk", "In", "['hdd']")) "]"), NODE1,
		 MISSES},
		{"an invalid term does not spoil a valid one",
		 REQUIRED("[" TERM(EXPR("zone", "Is", "['eu']")) "," TERM(EXISTS("disk", "Exists")) "]"), NODE1, FITS},
		{"no terms selects nothing", REQUIRED("[]"), NODE1, MISSES},
		{"an empty term selects nothing", REQUIRED("[{},{'matchExpressions':[]}]"), NODE1, MISSES},
		{"matchFields In", REQUIRED("[" FIELDS(EXPR("metadata.name", "In", "['node-1']")) "]"), NODE1, FITS},
		{"matchFields In, other node", REQUIRED("[" FIELDS(EXPR("metadata.name", "In", "['node-2']")) "]"),
		 NODE1, MISSES},
		{"matchFields NotIn", REQUIRED("[" FIELDS(EXPR("metadata.name", "NotIn", "['node-2']")) "]"), NODE1,
		 FITS},
		{"matchFields NotIn, this node", REQUIRED("[" FIELDS(EXPR("metadata.name", "NotIn", "['node-1']")) "]"),
		 NODE1, MISSES},
		{"matchFields needs one value",
		 REQUIRED("[" FIELDS(EXPR("metadata.name", "In", "['node-1','node-2']")) "]"), NODE1, MISSES},
		{"matchFields and matchExpressions ANDed",
		 REQUIRED("[{'matchFields':[" EXPR("metadata.name", "In", "['node-1']") "],"
		          "'matchExpressions':[" EXPR("disk", "In", "['hdd']") "]}]"),
		 NODE1, MISSES},
		{"nodeSelector and affinity both apply",
		 "{'spec':{'nodeSelector':{'disk':'ssd'},'affinity':{'nodeAffinity':{"
		 "'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':["
		 TERM(EXPR("zone", "In", "['eu']")) "]}}}}}",
		 NODE1, MISSES},
		/* PreFilter: every term pins names and no term's pins meet */
		{"pinned names conflict",
		 REQUIRED("[" FIELDS(EXPR("metadata.name", "In", "['a']") "," EXPR("metadata.name", "In", "['b']")) ","
		          FIELDS(EXPR("metadata.name", "In", "[]")) "]"),
		 NODE1, UNTOL, "pod affinity terms conflict"},
		{"pinned names meet in one term",
		 REQUIRED("[" FIELDS(EXPR("metadata.name", "In", "['a']") "," EXPR("metadata.name", "In", "['b']")) ","
		          FIELDS(EXPR("metadata.name", "In", "['x','node-1']") "," EXPR("metadata.name", "In",
		                                                                       "['node-1']")) "]"),
		 NODE1, MISSES},
		{"a term without pins admits any node",
		 REQUIRED("[" FIELDS(EXPR("metadata.name", "In", "[]")) "," TERM(EXISTS("disk", "Exists")) "]"), NODE1,
		 FITS},
	};
	check_filters("NodeAffinity", cases, N(cases));
}

/* Filter reads what pre-filter parsed: given another pod's cycle it keeps
 * the first pod's terms. */
static void affinity_parsed_once(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *p = policy("NodeAffinity", &ud);
	sk_obj *pod = json(REQUIRED("[" TERM(EXPR("disk", "In", "['hdd']")) "]")), *bare = json("{'spec':{}}");
	struct nodes ns;
	const char *nj = NODE1;
	nodes_make(&ns, &nj, 1);
	struct tcycle tc;
	cy_begin(&tc, ns.p, 1);
	char reason[128] = "";
	assert_int_equal(p->pre_filter(ud, &tc.pub, bare, reason, sizeof reason), SK_SCHED_SKIP);
	assert_int_equal(tc.n, 0);
	assert_int_equal(p->pre_filter(ud, &tc.pub, pod, reason, sizeof reason), SK_SCHED_SUCCESS);
	assert_int_equal(tc.n, 1);
	assert_non_null(cy_get(&tc.pub, "PreFilterNodeAffinity"));
	assert_int_equal(p->filter(ud, &tc.pub, bare, ns.p[0], reason, sizeof reason), SK_SCHED_UNRESOLVABLE);
	assert_int_equal(p->filter(ud, NULL, bare, ns.p[0], reason, sizeof reason), SK_SCHED_SUCCESS);
	cy_end(&tc);
	nodes_free(&ns);
	sk_obj_unref(pod);
	sk_obj_unref(bare);
}

/* ---- scores ---- */

struct score_case {
	const char *name;
	const char *pod;
	const char *nodes[MAXN];
	size_t n;
	int pre_score;          /* what pre-score returns */
	int64_t raw[MAXN];      /* score per node */
	int64_t normalized[MAXN];
};

/* Pre-score over all nodes, score each, normalize (when the policy has
 * it); the score without a cycle must agree with the raw one when every
 * node is in view. */
static void check_scores(const char *pname, const struct score_case *cases, size_t n)
{
	void *ud;
	const sk_sched_policy_ops *p = policy(pname, &ud);
	for (size_t i = 0; i < n; i++) {
		const struct score_case *k = &cases[i];
		sk_obj *pod = json(k->pod);
		struct nodes ns;
		nodes_make(&ns, k->nodes, k->n);
		struct tcycle tc;
		cy_begin(&tc, ns.p, ns.len);
		int rc = p->pre_score ? p->pre_score(ud, &tc.pub, pod, ns.p, ns.len) : SK_SCHED_SUCCESS;
		if (rc != k->pre_score)
			fail_msg("%s/%s: pre-score %d, want %d", pname, k->name, rc, k->pre_score);
		if (rc == SK_SCHED_SUCCESS || rc == SK_SCHED_SKIP) {
			int64_t s[MAXN];
			for (size_t j = 0; j < ns.len; j++) {
				s[j] = p->score(ud, &tc.pub, pod, ns.p[j]);
				if (s[j] != k->raw[j])
					fail_msg("%s/%s: node %zu scores %lld, want %lld", pname, k->name, j, (long long)s[j],
					         (long long)k->raw[j]);
				if (ns.len == 1 && p->score(ud, NULL, pod, ns.p[j]) != s[j])
					fail_msg("%s/%s: node %zu scores otherwise without a cycle", pname, k->name, j);
			}
			if (p->normalize)
				p->normalize(ud, &tc.pub, pod, ns.p, s, ns.len);
			for (size_t j = 0; j < ns.len; j++)
				if (s[j] != k->normalized[j])
					fail_msg("%s/%s: node %zu normalizes to %lld, want %lld", pname, k->name, j,
					         (long long)s[j], (long long)k->normalized[j]);
		}
		cy_end(&tc);
		nodes_free(&ns);
		sk_obj_unref(pod);
	}
}

#define PNS(key) "{'key':'" key "','effect':'PreferNoSchedule'}"

static void taint_score(void **state)
{
	(void)state;
	static const struct score_case cases[] = {
		/* NoSchedule taints do not count; 100 - 100*count/max, integer */
		{"counts untolerated PreferNoSchedule",
		 "{'spec':{}}",
		 {TAINTED("[]"), TAINTED("[" PNS("a") "]"),
		  TAINTED("[" PNS("a") "," PNS("b") "," PNS("c") ",{'key':'d','effect':'NoSchedule'}]")},
		 3,
		 SK_SCHED_SUCCESS,
		 {0, 1, 3},
		 {100, 67, 0}},
		/* only tolerations with effect PreferNoSchedule or empty count */
		{"which tolerations count",
		 TOLERATES("[{'key':'a','operator':'Exists','effect':'NoSchedule'},{'key':'b','operator':'Exists'},"
		           "{'key':'c','value':'1','effect':'PreferNoSchedule'}]"),
		 {TAINTED("[" PNS("a") "]"), TAINTED("[" PNS("b") ",{'key':'c','value':'1','effect':'PreferNoSchedule'}]"),
		  TAINTED("[" PNS("a") "," PNS("c") "]")},
		 3,
		 SK_SCHED_SUCCESS,
		 {1, 0, 2},
		 {50, 100, 0}},
		{"none untolerated: all 100",
		 TOLERATES("[{'operator':'Exists'}]"),
		 {TAINTED("[" PNS("a") "]"), TAINTED("[]")},
		 2,
		 SK_SCHED_SUCCESS,
		 {0, 0},
		 {100, 100}},
		{"a single node", "{'spec':{}}", {TAINTED("[" PNS("a") "," PNS("b") "]")}, 1, SK_SCHED_SUCCESS, {2}, {0}},
	};
	check_scores("TaintToleration", cases, N(cases));
}

#define PREFERRED(terms)                                                                                     \
	"{'spec':{'affinity':{'nodeAffinity':{'preferredDuringSchedulingIgnoredDuringExecution':" terms "}}}}"
#define PREF(w, term) "{'weight':" #w ",'preference':" term "}"
#define LABELED(name, labels) "{'metadata':{'name':'" name "','labels':" labels "}}"

static void affinity_score(void **state)
{
	(void)state;
	static const struct score_case cases[] = {
		/* 70, 20, 30: weight 0 and empty preferences are skipped;
		 * normalized 100*s/70 = 100, 28, 42 */
		{"weights of matching terms",
		 PREFERRED("[" PREF(20, TERM(EXPR("zone", "In", "['a']"))) "," PREF(50, TERM(EXPR("disk", "In", "['ssd']"))) ","
		           PREF(30, FIELDS(EXPR("metadata.name", "In", "['n3']"))) "," PREF(0, TERM(EXISTS("disk", "Exists"))) ","
		           PREF(10, "{}") "]"),
		 {LABELED("n1", "{'zone':'a','disk':'ssd'}"), LABELED("n2", "{'zone':'a'}"), LABELED("n3", "{'disk':'hdd'}")},
		 3,
		 SK_SCHED_SUCCESS,
		 {70, 20, 30},
		 {100, 28, 42}},
		{"expressions ANDed within a term, Gt and Lt",
		 PREFERRED("[" PREF(5, TERM(EXPR("cores", "Gt", "['4']") "," EXPR("cores", "Lt", "['16']"))) ","
		           PREF(3, TERM(EXISTS("gpu", "DoesNotExist"))) "]"),
		 {LABELED("n1", "{'cores':'8'}"), LABELED("n2", "{'cores':'32','gpu':'t4'}"), LABELED("n3", "{'cores':'2'}")},
		 3,
		 SK_SCHED_SUCCESS,
		 {8, 0, 3},
		 {100, 0, 37}},
		{"no node matches: all stay 0",
		 PREFERRED("[" PREF(10, TERM(EXPR("zone", "In", "['eu']"))) "]"),
		 {LABELED("n1", "{'zone':'a'}"), LABELED("n2", "{}")},
		 2,
		 SK_SCHED_SUCCESS,
		 {0, 0},
		 {0, 0}},
		{"a weight 0 term is not even parsed",
		 PREFERRED("[" PREF(0, TERM(EXPR("zone", "Near", "['a']"))) "," PREF(7, TERM(EXISTS("zone", "Exists"))) "]"),
		 {LABELED("n1", "{'zone':'a'}"), LABELED("n2", "{}")},
		 2,
		 SK_SCHED_SUCCESS,
		 {7, 0},
		 {100, 0}},
		{"no preferred terms: skipped", "{'spec':{}}", {LABELED("n1", "{}")}, 1, SK_SCHED_SKIP, {0}, {0}},
		{"an invalid preferred term is an error",
		 PREFERRED("[" PREF(10, TERM(EXPR("zone", "In", "['a']"))) "," PREF(10, TERM(EXPR("zone", "Near", "['a']"))) "]"),
		 {LABELED("n1", "{'zone':'a'}")},
		 1,
		 SK_SCHED_ERROR,
		 {0},
		 {0}},
	};
	check_scores("NodeAffinity", cases, N(cases));
}

#define IMG(names, size) "{'names':" names ",'sizeBytes':" size "}"
#define HOLDS(name, images) "{'metadata':{'name':'" name "'},'status':{'images':" images "}}"

static void image_score(void **state)
{
	(void)state;
	/* The expected values, with MB = 1048576 and the thresholds 23 MB and
	 * 1000 MB per container:
	 *
	 * spread and init containers — 4 nodes; the pod runs init busybox
	 * (":latest" added) and containers nginx (":latest" added) and
	 * registry.io/big:1.0; 3 containers, so the top is 3000 MB.
	 *   busybox:latest 60 MB on n1, n3: 60 × 2/4 = 30 MB
	 *   nginx:latest 200 MB on n1:       200 × 1/4 = 50 MB
	 *   big:1.0 500 MB on n1, n2:        500 × 2/4 = 250 MB
	 *   n1: 330 MB → 100 × (330-23)/(3000-23) = 10.31 → 10
	 *   n2: 250 MB → 100 × 227/2977 = 7.62 → 7
	 *   n3:  30 MB → 100 × 7/2977 = 0.23 → 0
	 *   n4: nothing, below 23 MB → 0
	 * one image everywhere — 500 MB on both of 2 nodes, 1 container:
	 *   100 × 477/977 = 48.8 → 48
	 * clamped — 2000 MB on the only node, 1 container: the top, 100
	 * names — 1 node, 3 containers (top 3000 MB):
	 *   registry.io:5000/app: the ':' is the port's, so ":latest" is added
	 *   and it matches the 100 MB image; nginx@sha256:abc has a digest and
	 *   matches its 300 MB image by that name; nginx becomes nginx:latest,
	 *   and the node lists only docker.io/library/nginx:latest, which
	 *   Kubernetes does not equate with it. 400 MB → 100 × 377/2977 =
	 *   12.66 → 12 (equating them would give 700 MB → 22). */
	static const struct score_case cases[] = {
		{"spread and init containers",
		 "{'spec':{'initContainers':[{'image':'busybox'}],"
		 "'containers':[{'image':'nginx'},{'image':'registry.io/big:1.0'}]}}",
		 {HOLDS("n1", "[" IMG("['busybox:latest']", "62914560") ","                   /* 60 MB */
		              IMG("['nginx:latest','nginx@sha256:1']", "209715200") "," /* 200 MB */
		              IMG("['registry.io/big:1.0']", "524288000") "]"),         /* 500 MB */
		  HOLDS("n2", "[" IMG("['registry.io/big:1.0']", "524288000") "]"),
		  HOLDS("n3", "[" IMG("['busybox:latest']", "62914560") "]"), HOLDS("n4", "[]")},
		 4,
		 SK_SCHED_SUCCESS,
		 {10, 7, 0, 0},
		 {10, 7, 0, 0}},
		{"one image everywhere",
		 "{'spec':{'containers':[{'image':'registry.io/big:1.0'}]}}",
		 {HOLDS("n1", "[" IMG("['registry.io/big:1.0']", "524288000") "]"),
		  HOLDS("n2", "[" IMG("['registry.io/big:1.0']", "524288000") "]")},
		 2,
		 SK_SCHED_SUCCESS,
		 {48, 48},
		 {48, 48}},
		{"clamped at the top",
		 "{'spec':{'containers':[{'image':'huge:2'}]}}",
		 {HOLDS("n1", "[" IMG("['huge:2']", "2097152000") "]")}, /* 2000 MB */
		 1,
		 SK_SCHED_SUCCESS,
		 {100},
		 {100}},
		{"names",
		 "{'spec':{'containers':[{'image':'registry.io:5000/app'},{'image':'nginx@sha256:abc'},{'image':'nginx'}]}}",
		 {HOLDS("n1", "[" IMG("['registry.io:5000/app:latest']", "104857600") ","                      /* 100 MB */
		              IMG("['docker.io/library/nginx:latest','nginx@sha256:abc']", "314572800") "]")}, /* 300 MB */
		 1,
		 SK_SCHED_SUCCESS,
		 {12},
		 {12}},
		{"no images anywhere", "{'spec':{'containers':[{'image':'a'}]}}", {HOLDS("n1", "[]")}, 1,
		 SK_SCHED_SUCCESS, {0}, {0}},
	};
	check_scores("ImageLocality", cases, N(cases));
}

/* ---- set-up ---- */

static int setup(void **state)
{
	(void)state;
	dir = tu_host_up();
	static const char *const names[] = {"taint-toleration", "node-affinity", "image-locality", NULL};
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(taint_filter),   cmocka_unit_test(taint_score),
		cmocka_unit_test(affinity_filter), cmocka_unit_test(affinity_parsed_once),
		cmocka_unit_test(affinity_score), cmocka_unit_test(image_score),
	};
	return cmocka_run_group_tests_name("scheduling policies", tests, setup, teardown);
}
