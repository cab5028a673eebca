/* test_sched_interpod.c — the InterPodAffinity scheduling policy, loaded
 * from its real .so through the plugin host, against tables of Kubernetes
 * 1.32 behaviour: four nodes with zone and hostname labels, pods on them,
 * and an incoming pod whose fit and score on each node are known.
 *
 * A real store runs underneath so that namespace selectors find labelled
 * namespaces. Objects are written with ' for " to keep the tables
 * readable. */
#include "testutil.h"
#include "store_fixture.h"
#include "sched_fixture.h"

#define NN 4

/* the wording kube-scheduler 1.32 reports, spelled out independently */
#define AFF "node(s) didn't match pod affinity rules"
#define ANTI "node(s) didn't match pod anti-affinity rules"
#define EXIST "node(s) didn't satisfy existing pods anti-affinity rules"

/* ---- a cluster ----------------------------------------------------------- */

#define HOST "kubernetes.io/hostname"

/* two nodes in zone z1, one in z2, one without a zone; n3's rack label
 * has a value another key has elsewhere */
static const char *const NODES[NN] = {
	"{'metadata':{'name':'n1','labels':{'zone':'z1','" HOST "':'n1'}}}",
	"{'metadata':{'name':'n2','labels':{'zone':'z1','" HOST "':'n2'}}}",
	"{'metadata':{'name':'n3','labels':{'zone':'z2','" HOST "':'n3','rack':'z1'}}}",
	"{'metadata':{'name':'n4','labels':{'" HOST "':'n4'}}}",
};

struct cluster {
	struct fx_cluster fx;
	const sk_sched_node *ptr[NN];
};

/* pods[i]: a JSON array of the pods on node i, or NULL; the views are the
 * scheduler cache's */
static void cluster_up(struct cluster *cl, const char *const *pods)
{
	memset(cl, 0, sizeof *cl);
	fx_cluster_up(&cl->fx);
	for (size_t i = 0; i < NN; i++) {
		sk_obj *node = json(NODES[i]), *list = json(pods[i] ? pods[i] : "[]");
		fx_node_add(&cl->fx, node);
		for (size_t k = 0; k < sk_obj_len(list); k++)
			fx_pod_add(&cl->fx, sk_obj_at(list, k), sk_obj_get_str(node, "metadata.name"));
		sk_obj_unref(node);
		sk_obj_unref(list);
	}
	for (size_t i = 0; i < NN; i++) {
		char name[8];
		snprintf(name, sizeof name, "n%zu", i + 1);
		cl->ptr[i] = fx_view(&cl->fx, name);
	}
}

static void cluster_down(struct cluster *cl) { fx_cluster_down(&cl->fx); }

/* ---- table shorthands ------------------------------------------------------ */

#define NS_POD(ns, labels, spec) "{'metadata':{'namespace':'" ns "','labels':{" labels "}},'spec':{" spec "}}"
#define POD(labels, spec) NS_POD("default", labels, spec)
#define APP(a) "'app':'" a "'"
#define AFFINITY(x) "'affinity':{" x "}"
#define PA(x) "'podAffinity':{" x "}"
#define PAA(x) "'podAntiAffinity':{" x "}"
#define REQ(terms) "'requiredDuringSchedulingIgnoredDuringExecution':[" terms "]"
#define PREF(terms) "'preferredDuringSchedulingIgnoredDuringExecution':[" terms "]"
/* a term selecting by labels, and one with more fields (namespaces...) */
#define TERM(labels, key) "{'labelSelector':{'matchLabels':{" labels "}},'topologyKey':'" key "'}"
#define TERMX(labels, key, more) "{'labelSelector':{'matchLabels':{" labels "}},'topologyKey':'" key "'," more "}"
#define EXPR(expr, key) "{'labelSelector':{'matchExpressions':[" expr "]},'topologyKey':'" key "'}"
#define W(w, term) "{'weight':" #w ",'podAffinityTerm':" term "}"
/* namespace selectors: by team label, and namespaces without one */
#define TEAM(t) "'namespaceSelector':{'matchLabels':{'team':'" t "'}}"
#define NO_TEAM "'namespaceSelector':{'matchExpressions':[{'key':'team','operator':'DoesNotExist'}]}"
#define ON(pods) "[" pods "]"

#define WEB POD(APP("web"), "")
#define DB POD(APP("db"), "")
#define CACHE POD(APP("cache"), "")
/* a web pod that keeps other web pods off its node (the spread benchmark) */
#define WEB_SPREAD POD(APP("web"), AFFINITY(PAA(REQ(TERM(APP("web"), HOST)))))

/* ---- filter ------------------------------------------------------------------ */

struct filter_case {
	const char *name;
	const char *pods[NN];
	const char *pod;
	int pre;              /* what pre-filter returns: SUCCESS or SKIP */
	const char *want[NN]; /* per node: "" fits, else the one reason */
};

static const struct filter_case filter_cases[] = {
	{"nothing to check anywhere: pre-filter skips", {ON(WEB_SPREAD "," DB)}, POD(APP("api"), ""), SK_SCHED_SKIP,
	 {"", "", "", ""}},
	/* required affinity: the node's pair of each term's key must hold a
	 * pod matching every term; a node without the key never fits */
	{"affinity by zone follows the db pod to z2", {NULL, NULL, ON(DB)},
	 POD(APP("web"), AFFINITY(PA(REQ(TERM(APP("db"), "zone"))))), SK_SCHED_SUCCESS, {AFF, AFF, "", AFF}},
	{"affinity by zone to z1: both its nodes", {ON(DB)}, POD(APP("web"), AFFINITY(PA(REQ(TERM(APP("db"), "zone"))))),
	 SK_SCHED_SUCCESS, {"", "", AFF, AFF}},
	{"affinity by hostname: that node only", {NULL, ON(DB)},
	 POD(APP("web"), AFFINITY(PA(REQ(TERM(APP("db"), HOST))))), SK_SCHED_SUCCESS, {AFF, "", AFF, AFF}},
	{"affinity sees only the pod's own namespace", {ON(NS_POD("other", APP("db"), ""))},
	 POD(APP("web"), AFFINITY(PA(REQ(TERM(APP("db"), "zone"))))), SK_SCHED_SUCCESS, {AFF, AFF, AFF, AFF}},
	{"affinity with namespaces names another", {ON(NS_POD("other", APP("db"), ""))},
	 POD(APP("web"), AFFINITY(PA(REQ(TERMX(APP("db"), "zone", "'namespaces':['other']"))))), SK_SCHED_SUCCESS,
	 {"", "", AFF, AFF}},
	{"matchExpressions Exists", {NULL, NULL, ON(DB)},
	 POD(APP("web"), AFFINITY(PA(REQ(EXPR("{'key':'app','operator':'Exists'}", "zone"))))), SK_SCHED_SUCCESS,
	 {AFF, AFF, "", AFF}},
	/* the first pod of a group with affinity to itself: no pod matches
	 * anywhere and it matches its own terms, so any node with the keys */
	{"first pod of a group", {ON(DB)}, POD(APP("web"), AFFINITY(PA(REQ(TERM(APP("web"), "zone"))))),
	 SK_SCHED_SUCCESS, {"", "", "", AFF}},
	{"first pod: a match in another namespace does not count", {ON(NS_POD("other", APP("web"), ""))},
	 POD(APP("web"), AFFINITY(PA(REQ(TERM(APP("web"), "zone"))))), SK_SCHED_SUCCESS, {"", "", "", AFF}},
	{"not the first: it follows the group", {NULL, NULL, ON(WEB)},
	 POD(APP("web"), AFFINITY(PA(REQ(TERM(APP("web"), "zone"))))), SK_SCHED_SUCCESS, {AFF, AFF, "", AFF}},
	{"first pod must match all its terms", {NULL},
	 POD(APP("web"), AFFINITY(PA(REQ(TERM(APP("web"), "zone") "," TERM(APP("db"), HOST))))), SK_SCHED_SUCCESS,
	 {AFF, AFF, AFF, AFF}},
	{"first pod matching both its terms", {NULL},
	 POD(APP("web") ",'tier':'fe'", AFFINITY(PA(REQ(TERM(APP("web"), "zone") "," TERM("'tier':'fe'", HOST))))),
	 SK_SCHED_SUCCESS, {"", "", "", AFF}},
	/* only pods matching every term are counted: a db pod and a cache pod
	 * apart match one term each, so nothing counts, and the incoming pod
	 * matches neither term itself */
	{"pods matching one term each do not count", {ON(DB), ON(POD("'tier':'cache'", ""))},
	 POD(APP("web"), AFFINITY(PA(REQ(TERM(APP("db"), "zone") "," TERM("'tier':'cache'", HOST))))),
	 SK_SCHED_SUCCESS, {AFF, AFF, AFF, AFF}},
	{"a pod matching every term counts for each key", {ON(POD(APP("db") ",'tier':'cache'", ""))},
	 POD(APP("web"), AFFINITY(PA(REQ(TERM(APP("db"), "zone") "," TERM("'tier':'cache'", HOST))))),
	 SK_SCHED_SUCCESS, {"", AFF, AFF, AFF}},
	{"an affinity term without labelSelector matches no pod, not even itself", {ON(WEB)},
	 POD(APP("web"), AFFINITY(PA(REQ("{'topologyKey':'zone'}")))), SK_SCHED_SUCCESS, {AFF, AFF, AFF, AFF}},
	/* required anti-affinity: no matching pod in the node's pairs; a node
	 * without the key fits */
	{"anti-affinity by hostname", {ON(WEB)}, POD(APP("api"), AFFINITY(PAA(REQ(TERM(APP("web"), HOST))))),
	 SK_SCHED_SUCCESS, {ANTI, "", "", ""}},
	{"anti-affinity by zone; the node without a zone fits", {ON(WEB)},
	 POD(APP("api"), AFFINITY(PAA(REQ(TERM(APP("web"), "zone"))))), SK_SCHED_SUCCESS, {ANTI, ANTI, "", ""}},
	{"anti-affinity sees only the pod's own namespace", {ON(NS_POD("other", APP("web"), ""))},
	 POD(APP("api"), AFFINITY(PAA(REQ(TERM(APP("web"), HOST))))), SK_SCHED_SUCCESS, {"", "", "", ""}},
	{"anti-affinity with namespaceSelector {}: every namespace", {ON(NS_POD("other", APP("web"), ""))},
	 POD(APP("api"), AFFINITY(PAA(REQ(TERMX(APP("web"), HOST, "'namespaceSelector':{}"))))), SK_SCHED_SUCCESS,
	 {ANTI, "", "", ""}},
	{"spread: web pods keep off each other", {ON(WEB_SPREAD), ON(WEB_SPREAD)}, WEB_SPREAD, SK_SCHED_SUCCESS,
	 {ANTI, ANTI, "", ""}},
	{"matchExpressions In", {ON(POD(APP("api"), "")), ON(DB), ON(WEB)},
	 POD(APP("x"), AFFINITY(PAA(REQ(EXPR("{'key':'app','operator':'In','values':['web','api']}", HOST))))),
	 SK_SCHED_SUCCESS, {ANTI, "", ANTI, ""}},
	{"matchExpressions NotIn also selects pods without the label", {NULL, ON(POD("'tier':'x'", "")), ON(WEB)},
	 POD(APP("x"), AFFINITY(PAA(REQ(EXPR("{'key':'app','operator':'NotIn','values':['web']}", "zone"))))),
	 SK_SCHED_SUCCESS, {ANTI, ANTI, "", ""}},
	{"two anti-affinity terms: either refuses", {ON(WEB), NULL, ON(DB)},
	 POD(APP("x"), AFFINITY(PAA(REQ(TERM(APP("web"), HOST) "," TERM(APP("db"), "zone"))))), SK_SCHED_SUCCESS,
	 {ANTI, "", ANTI, ""}},
	{"an anti-affinity term without labelSelector matches no pod", {ON(WEB)},
	 POD(APP("web"), AFFINITY(PAA(REQ("{'topologyKey':'" HOST "'}")))), SK_SCHED_SUCCESS, {"", "", "", ""}},
	/* symmetry: existing pods' required anti-affinity towards the pod */
	{"an existing pod's anti-affinity keeps the pod off its node",
	 {NULL, ON(POD(APP("db"), AFFINITY(PAA(REQ(TERM(APP("web"), HOST))))))}, WEB, SK_SCHED_SUCCESS,
	 {"", EXIST, "", ""}},
	{"an existing pod's anti-affinity by zone",
	 {NULL, NULL, ON(POD(APP("db"), AFFINITY(PAA(REQ(TERM(APP("web"), "zone"))))))},
	 WEB, SK_SCHED_SUCCESS, {"", "", EXIST, ""}},
	/* two keys counted (hostname from n1, then zone from n3): both are tried */
	{"existing pods' anti-affinity on two keys",
	 {ON(POD(APP("db"), AFFINITY(PAA(REQ(TERM(APP("web"), HOST)))))), NULL,
	  ON(POD(APP("db"), AFFINITY(PAA(REQ(TERM(APP("web"), "zone"))))))},
	 WEB, SK_SCHED_SUCCESS, {EXIST, "", EXIST, ""}},
	{"an existing pod's term names its own namespace",
	 {ON(NS_POD("other", APP("db"), AFFINITY(PAA(REQ(TERM(APP("web"), HOST))))))},
	 WEB, SK_SCHED_SKIP, {"", "", "", ""}},
	{"existing pods' required affinity does not filter", {ON(POD(APP("db"), AFFINITY(PA(REQ(TERM(APP("web"), HOST))))))},
	 WEB, SK_SCHED_SKIP, {"", "", "", ""}},
	{"an existing pod on a node without the key counts nowhere",
	 {NULL, NULL, NULL, ON(POD(APP("db"), AFFINITY(PAA(REQ(TERM(APP("web"), "zone"))))))}, WEB, SK_SCHED_SKIP,
	 {"", "", "", ""}},
	/* only the first refusal: affinity, then anti-affinity, then existing
	 * pods' anti-affinity. n1 has the db (affinity holds) and a cache pod
	 * (anti-affinity refuses); n2 is in z1 too but holds a pod refusing web
	 * pods; n3 fails all three, and reports affinity. */
	{"first refusal only, in Kubernetes' order",
	 {ON(DB "," CACHE), ON(POD(APP("x"), AFFINITY(PAA(REQ(TERM(APP("web"), HOST)))))),
	  ON(CACHE "," POD(APP("x"), AFFINITY(PAA(REQ(TERM(APP("web"), HOST))))))},
	 POD(APP("web"), AFFINITY(PA(REQ(TERM(APP("db"), "zone"))) "," PAA(REQ(TERM(APP("cache"), HOST))))),
	 SK_SCHED_SUCCESS, {ANTI, EXIST, AFF, AFF}},
	{"an existing pod with an invalid selector is ignored",
	 {ON(POD(APP("db"), AFFINITY(PAA(REQ(EXPR("{'key':'app','operator':'In','values':[]}", HOST))))))}, WEB,
	 SK_SCHED_SKIP, {"", "", "", ""}},
	/* namespace selectors, against the store's namespaces: default and
	 * third have team a, other has team b */
	{"anti-affinity namespaceSelector selects namespaces by label",
	 {ON(NS_POD("other", APP("web"), "")), ON(NS_POD("third", APP("web"), "")), ON(WEB)},
	 POD(APP("x"), AFFINITY(PAA(REQ(TERMX(APP("web"), HOST, TEAM("a")))))),
	 SK_SCHED_SUCCESS, {"", ANTI, ANTI, ""}},
	{"namespaces and namespaceSelector together",
	 {ON(NS_POD("other", APP("web"), "")), ON(NS_POD("third", APP("web"), "")), ON(WEB)},
	 POD(APP("x"), AFFINITY(PAA(REQ(TERMX(APP("web"), HOST, "'namespaces':['other']," TEAM("a")))))),
	 SK_SCHED_SUCCESS, {ANTI, ANTI, ANTI, ""}},
	{"affinity namespaceSelector selecting no namespace", {ON(DB)},
	 POD(APP("web"), AFFINITY(PA(REQ(TERMX(APP("db"), "zone", TEAM("z")))))),
	 SK_SCHED_SUCCESS, {AFF, AFF, AFF, AFF}},
	{"symmetry: an existing pod's namespaceSelector sees the pod's namespace labels",
	 {ON(NS_POD("other", APP("db"), AFFINITY(PAA(REQ(TERMX(APP("web"), HOST, TEAM("a")))))))},
	 WEB, SK_SCHED_SUCCESS, {EXIST, "", "", ""}},
	{"symmetry: a namespace of the other team is not selected",
	 {ON(NS_POD("other", APP("db"), AFFINITY(PAA(REQ(TERMX(APP("web"), HOST, TEAM("a")))))))},
	 NS_POD("other", APP("web"), ""), SK_SCHED_SKIP, {"", "", "", ""}},
	{"symmetry: a namespace that cannot be read has no labels",
	 {ON(NS_POD("other", APP("db"), AFFINITY(PAA(REQ(TERMX(APP("web"), HOST, NO_TEAM))))))},
	 NS_POD("ghost", APP("web"), ""), SK_SCHED_SUCCESS, {EXIST, "", "", ""}},
	{"symmetry: DoesNotExist against a labelled namespace",
	 {ON(NS_POD("other", APP("db"), AFFINITY(PAA(REQ(TERMX(APP("web"), HOST, NO_TEAM))))))},
	 WEB, SK_SCHED_SKIP, {"", "", "", ""}},
};

static int code_of(const char *reason)
{
	if (!*reason)
		return SK_SCHED_SUCCESS;
	/* affinity cannot be helped by preemption; anti-affinity may be */
	return !strcmp(reason, AFF) ? SK_SCHED_UNRESOLVABLE : SK_SCHED_UNSCHEDULABLE;
}

/* every node's verdict in one cycle; with_pre: pre-filter first */
static void check_nodes(const struct filter_case *tc, const char *how, int with_pre)
{
	struct cluster cl;
	cluster_up(&cl, tc->pods);
	sk_obj *pod = json(tc->pod);
	void *ud;
	const sk_sched_policy_ops *f = policy("InterPodAffinity", &ud);
	struct tcycle cy;
	cy_begin(&cy, cl.ptr, NN);
	char reason[256] = "", got[512];
	if (with_pre) {
		int rc = f->pre_filter(ud, &cy.pub, pod, reason, sizeof reason);
		if (rc != tc->pre)
			fail_msg("%s: pre-filter gave %d \"%s\", want %d", tc->name, rc, reason, tc->pre);
		assert_non_null(cy_get(&cy.pub, "PreFilterInterPodAffinity"));
	}
	for (size_t i = 0; i < NN; i++) {
		memset(reason, 0, sizeof reason);
		int rc = f->filter(ud, &cy.pub, pod, cl.ptr[i], reason, sizeof reason);
		joined(reason, sizeof reason, got, sizeof got);
		if (rc != code_of(tc->want[i]) || strcmp(got, tc->want[i]) != 0)
			fail_msg("%s (%s): node n%zu got %d \"%s\", want %d \"%s\"", tc->name, how, i + 1, rc, got,
			         code_of(tc->want[i]), tc->want[i]);
	}
	cy_end(&cy);
	sk_obj_unref(pod);
	cluster_down(&cl);
}

static void filter_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(filter_cases); i++) {
		check_nodes(&filter_cases[i], "after pre-filter", 1);
		/* a filter called without a pre-filter counts for itself */
		check_nodes(&filter_cases[i], "no pre-filter", 0);
	}
}

/* A pod whose own selector does not parse is refused as a whole, as
 * NewPodInfo's error makes PreFilter UnschedulableAndUnresolvable. */
static void unparsable_pod(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *f = policy("InterPodAffinity", &ud);
	const char *pods[NN] = {NULL};
	struct cluster cl;
	cluster_up(&cl, pods);
	sk_obj *pod = json(POD(APP("web"), AFFINITY(PAA(REQ(EXPR("{'key':'app','operator':'In','values':[]}", HOST))))));
	struct tcycle cy;
	cy_begin(&cy, cl.ptr, NN);
	char reason[256] = "";
	assert_int_equal(f->pre_filter(ud, &cy.pub, pod, reason, sizeof reason), SK_SCHED_UNRESOLVABLE);
	const char *want = "parsing pod: requiredAntiAffinityTerms: ";
	if (strncmp(reason, want, strlen(want)) != 0)
		fail_msg("reason \"%s\"", reason);
	cy_end(&cy);
	sk_obj_unref(pod);
	cluster_down(&cl);
}

/* Called with no cycle at all, filter and score see only the node they
 * are given: its own pods' anti-affinity refuses, and its own pods score. */
static void without_a_cycle(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *f = policy("InterPodAffinity", &ud);
	const char *pods[NN] = {ON(WEB_SPREAD), ON(DB)};
	struct cluster cl;
	cluster_up(&cl, pods);
	sk_obj *web = json(WEB), *pref = json(POD(APP("web"), AFFINITY(PA(PREF(W(5, TERM(APP("db"), "zone")))))));
	char reason[128] = "";
	assert_int_equal(f->filter(ud, NULL, web, cl.ptr[0], reason, sizeof reason), SK_SCHED_UNSCHEDULABLE);
	assert_string_equal(reason, EXIST);
	memset(reason, 0, sizeof reason);
	assert_int_equal(f->filter(ud, NULL, web, cl.ptr[1], reason, sizeof reason), SK_SCHED_SUCCESS);
	assert_int_equal(f->score(ud, NULL, pref, cl.ptr[0]), 0);
	assert_int_equal(f->score(ud, NULL, pref, cl.ptr[1]), 5);
	sk_obj_unref(web);
	sk_obj_unref(pref);
	cluster_down(&cl);
}

/* Existing pods' records are kept by object: a pod updated (a new object
 * with other terms) is read again, and many pods coming and going (records
 * of the gone swept away) never confuse one pod with another, though each
 * round frees its objects and the next may be allocated where they were. */
static void records_follow_objects(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *f = policy("InterPodAffinity", &ud);
	sk_obj *pod = json(WEB);
	char text[1024];
	for (int round = 0; round < 400; round++) {
		/* rounds 0..99: one pod, its version and terms changing every 10;
		 * after that a new pod every round, the old ones gone; odd versions
		 * keep db pods away instead of web ones */
		int uid = round < 100 ? 0 : round, rv = round < 100 ? round / 10 : round % 2;
		const char *target = rv % 2 ? "db" : "web";
		size_t where = (size_t)(round % NN);
		snprintf(text, sizeof text,
		         "[{'metadata':{'namespace':'default','uid':'u%d','resourceVersion':'%d','labels':{'app':'x'}},"
		         "'spec':{'affinity':{'podAntiAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':"
		         "[{'labelSelector':{'matchLabels':{'app':'%s'}},'topologyKey':'" HOST "'}]}}}}]",
		         uid, rv, target);
		const char *pods[NN] = {NULL};
		pods[where] = text;
		struct cluster cl;
		cluster_up(&cl, pods);
		struct tcycle cy;
		cy_begin(&cy, cl.ptr, NN);
		char reason[256] = "";
		int pre = f->pre_filter(ud, &cy.pub, pod, reason, sizeof reason);
		int refused = rv % 2 == 0;
		assert_int_equal(pre, refused ? SK_SCHED_SUCCESS : SK_SCHED_SKIP);
		for (size_t i = 0; i < NN; i++) {
			memset(reason, 0, sizeof reason);
			int rc = f->filter(ud, &cy.pub, pod, cl.ptr[i], reason, sizeof reason);
			int want = refused && i == where ? SK_SCHED_UNSCHEDULABLE : SK_SCHED_SUCCESS;
			if (rc != want)
				fail_msg("round %d node n%zu: got %d \"%s\"", round, i + 1, rc, reason);
		}
		cy_end(&cy);
		cluster_down(&cl);
	}
	sk_obj_unref(pod);
}

/* ---- score -------------------------------------------------------------------- */

struct score_case {
	const char *name;
	const char *pods[NN];
	const char *pod;
	int pre;           /* what pre-score returns: SUCCESS or SKIP */
	int64_t raw[NN];   /* score per node */
	int64_t norm[NN];  /* after normalize over the four */
};

/* Raw score: the sum, over the topology keys counted, of the weights
 * counted for the node's pair: +weight per existing pod matching a
 * preferred affinity term of the pod (or the pod matching an existing
 * pod's preferred affinity term; its required affinity at weight 1),
 * -weight for anti-affinity. Normalized: (s - min) * 100 / (max - min) in
 * floating point, truncated; all 0 when max == min. */
static const struct score_case score_cases[] = {
	{"nothing counts: pre-score skips", {ON(WEB), ON(DB)}, WEB, SK_SCHED_SKIP, {0, 0, 0, 0}, {0, 0, 0, 0}},
	/* (zone,z1) +5 from the db pod on n1: n1 and n2 get 5 */
	{"preferred affinity by zone", {ON(DB)}, POD(APP("web"), AFFINITY(PA(PREF(W(5, TERM(APP("db"), "zone")))))),
	 SK_SCHED_SUCCESS, {5, 5, 0, 0}, {100, 100, 0, 0}},
	/* (host,n1) -10 and (host,n2) -10: min -10, max 0 */
	{"preferred anti-affinity by hostname", {ON(WEB), ON(WEB)},
	 POD(APP("web"), AFFINITY(PAA(PREF(W(10, TERM(APP("web"), HOST)))))), SK_SCHED_SUCCESS, {-10, -10, 0, 0},
	 {0, 0, 100, 100}},
	/* db on n1 and n2, cache on n3. +2 per db pod in z1: (zone,z1) 4;
	 * (host,n3) +7 for the cache pod; (zone,z2) -1 for it. n3: 7-1 = 6.
	 * Normalized by 6: 4*100/6 = 66.67 -> 66 */
	{"several terms, truncated when normalized", {ON(DB), ON(DB), ON(CACHE)},
	 POD(APP("web"), AFFINITY(PA(PREF(W(2, TERM(APP("db"), "zone")) "," W(7, TERM(APP("cache"), HOST)))) "," PAA(
	                     PREF(W(1, TERM(APP("cache"), "zone")))))),
	 SK_SCHED_SUCCESS, {4, 4, 6, 0}, {66, 66, 100, 0}},
	{"preferred terms see only the pod's own namespace", {ON(NS_POD("other", APP("db"), "")), ON(DB)},
	 POD(APP("web"), AFFINITY(PA(PREF(W(5, TERM(APP("db"), HOST)))))), SK_SCHED_SUCCESS, {0, 5, 0, 0},
	 {0, 100, 0, 0}},
	{"preferred term with namespaces", {ON(NS_POD("other", APP("db"), "")), ON(DB)},
	 POD(APP("web"), AFFINITY(PA(PREF(W(5, TERMX(APP("db"), HOST, "'namespaces':['other']")))))), SK_SCHED_SUCCESS,
	 {5, 0, 0, 0}, {100, 0, 0, 0}},
	/* team a is default and third: the pods in default (n2) and third (n3) */
	{"preferred term with a namespaceSelector",
	 {ON(NS_POD("other", APP("db"), "")), ON(DB), ON(NS_POD("third", APP("db"), ""))},
	 POD(APP("web"), AFFINITY(PA(PREF(W(5, TERMX(APP("db"), HOST, TEAM("a"))))))),
	 SK_SCHED_SUCCESS, {0, 5, 5, 0}, {0, 100, 100, 0}},
	/* symmetry: an existing pod's preferred affinity towards web, +20 to (zone,z2) */
	{"existing pod's preferred affinity",
	 {NULL, NULL, ON(POD(APP("db"), AFFINITY(PA(PREF(W(20, TERM(APP("web"), "zone")))))))},
	 WEB, SK_SCHED_SUCCESS, {0, 0, 20, 0}, {0, 0, 100, 0}},
	/* hardPodAffinityWeight 1: an existing pod requiring web on its host */
	{"existing pod's required affinity at hardPodAffinityWeight",
	 {ON(POD(APP("db"), AFFINITY(PA(REQ(TERM(APP("web"), HOST))))))},
	 WEB, SK_SCHED_SUCCESS, {1, 0, 0, 0}, {100, 0, 0, 0}},
	{"existing pod's preferred anti-affinity", {ON(POD(APP("db"), AFFINITY(PAA(PREF(W(50, TERM(APP("web"), "zone")))))))},
	 WEB, SK_SCHED_SUCCESS, {-50, -50, 0, 0}, {0, 0, 100, 100}},
	{"existing pod's term names its own namespace",
	 {ON(NS_POD("other", APP("db"), AFFINITY(PA(PREF(W(5, TERM(APP("web"), HOST)))))))},
	 WEB, SK_SCHED_SKIP, {0, 0, 0, 0}, {0, 0, 0, 0}},
	{"existing pod's namespaceSelector sees the pod's namespace labels",
	 {ON(NS_POD("other", APP("db"), AFFINITY(PA(PREF(W(5, TERMX(APP("web"), HOST, TEAM("a")))))))),
	  ON(NS_POD("other", APP("db"), AFFINITY(PA(PREF(W(9, TERMX(APP("web"), HOST, TEAM("b"))))))))},
	 WEB, SK_SCHED_SUCCESS, {5, 0, 0, 0}, {100, 0, 0, 0}},
	/* both ways at once: the pod's own preferred anti-affinity against web
	 * (-10 at (host,n2)) and the web pod there wanting the same (-10 more);
	 * the db pod on n3 requires web in its zone (+1 at (zone,z2)).
	 * min -20, max 1: n1 = 20*100/21 = 95.2 -> 95 */
	{"both ways, and the pod's own terms", {NULL, ON(POD(APP("web"), AFFINITY(PAA(PREF(W(10, TERM(APP("web"), HOST))))))),
	  ON(POD(APP("db"), AFFINITY(PA(REQ(TERM(APP("web"), "zone"))))))},
	 POD(APP("web"), AFFINITY(PAA(PREF(W(10, TERM(APP("web"), HOST)))))), SK_SCHED_SUCCESS, {0, -20, 1, 0},
	 {95, 0, 100, 95}},
	/* (zone,z1) +5 for the db pod on n1 and (rack,z1) +2 for the cache pod
	 * on n3 are different pairs though their values are the same: n1 and
	 * n2 score 5 (zone z1), n3 2 (zone z2 counts nothing, rack z1 2) */
	{"pairs of different keys with the same value", {ON(DB), NULL, ON(CACHE)},
	 POD(APP("web"), AFFINITY(PA(PREF(W(5, TERM(APP("db"), "zone")) "," W(2, TERM(APP("cache"), "rack")))))),
	 SK_SCHED_SUCCESS, {5, 5, 2, 0}, {100, 100, 40, 0}},
	/* affinity and anti-affinity cancelling at a pair still counts as
	 * something: raw 0 everywhere, normalized to 0 */
	{"weights cancelling", {ON(DB)},
	 POD(APP("web"), AFFINITY(PA(PREF(W(3, TERM(APP("db"), HOST)))) "," PAA(PREF(W(3, TERM(APP("db"), HOST)))))),
	 SK_SCHED_SUCCESS, {0, 0, 0, 0}, {0, 0, 0, 0}},
};

/* A second plugin start with hardPodAffinityWeight 0 and
 * ignorePreferredTermsOfExistingPods. */
static const struct score_case tuned_cases[] = {
	/* without preferred terms of its own the pod skips scoring */
	{"ignored: existing pod's preferred affinity",
	 {NULL, NULL, ON(POD(APP("db"), AFFINITY(PA(PREF(W(20, TERM(APP("web"), "zone")))))))},
	 WEB, SK_SCHED_SKIP, {0, 0, 0, 0}, {0, 0, 0, 0}},
	/* with some, existing pods' preferred terms still count (+20 at z2),
	 * but their required affinity (weight 0) does not; the pod's own
	 * anti-affinity matches nothing */
	{"hard weight 0; existing preferred terms count when the pod has its own",
	 {ON(POD(APP("db"), AFFINITY(PA(REQ(TERM(APP("web"), HOST)))))), NULL,
	  ON(POD(APP("db"), AFFINITY(PA(PREF(W(20, TERM(APP("web"), "zone")))))))},
	 POD(APP("web"), AFFINITY(PAA(PREF(W(1, TERM(APP("none"), HOST)))))), SK_SCHED_SUCCESS, {0, 0, 20, 0},
	 {0, 0, 100, 0}},
	{"hard weight 0: required affinity alone counts nothing",
	 {ON(POD(APP("db"), AFFINITY(PA(REQ(TERM(APP("web"), HOST))))))},
	 POD(APP("web"), AFFINITY(PAA(PREF(W(1, TERM(APP("none"), HOST)))))), SK_SCHED_SKIP, {0, 0, 0, 0},
	 {0, 0, 0, 0}},
};

static void check_scores(const struct score_case *tc)
{
	void *ud;
	const sk_sched_policy_ops *f = policy("InterPodAffinity", &ud);
	struct cluster cl;
	cluster_up(&cl, tc->pods);
	sk_obj *pod = json(tc->pod);
	struct tcycle cy;
	cy_begin(&cy, cl.ptr, NN);
	int rc = f->pre_score(ud, &cy.pub, pod, cl.ptr, NN);
	if (rc != tc->pre)
		fail_msg("%s: pre-score gave %d, want %d", tc->name, rc, tc->pre);
	int64_t got[NN], alone[NN];
	for (size_t i = 0; i < NN; i++) {
		/* after a SKIP the scheduler calls no score; one called anyway gives 0 */
		got[i] = f->score(ud, &cy.pub, pod, cl.ptr[i]);
		if (got[i] != tc->raw[i])
			fail_msg("%s: node n%zu raw score %lld, want %lld", tc->name, i + 1, (long long)got[i],
			         (long long)tc->raw[i]);
	}
	cy_end(&cy);
	/* without pre-score state, over the same cycle, the same */
	cy_begin(&cy, cl.ptr, NN);
	for (size_t i = 0; i < NN; i++)
		if ((alone[i] = f->score(ud, &cy.pub, pod, cl.ptr[i])) != tc->raw[i])
			fail_msg("%s (no pre-score): node n%zu raw score %lld", tc->name, i + 1, (long long)alone[i]);
	cy_end(&cy);
	cy_begin(&cy, cl.ptr, NN);
	f->normalize(ud, &cy.pub, pod, cl.ptr, got, NN);
	for (size_t i = 0; i < NN; i++)
		if (got[i] != tc->norm[i])
			fail_msg("%s: node n%zu normalized %lld, want %lld", tc->name, i + 1, (long long)got[i],
			         (long long)tc->norm[i]);
	cy_end(&cy);
	sk_obj_unref(pod);
	cluster_down(&cl);
}

static void score_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(score_cases); i++)
		check_scores(&score_cases[i]);
}

/* Pre-score counts the pods of every node of the snapshot, not only of
 * the feasible ones it is given: the db pod on n1 (not feasible) still
 * gives (zone,z1) +5, so n2 scores 5 and n3 0. */
static void all_nodes_count(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *f = policy("InterPodAffinity", &ud);
	const char *pods[NN] = {ON(DB)};
	struct cluster cl;
	cluster_up(&cl, pods);
	sk_obj *pod = json(POD(APP("web"), AFFINITY(PA(PREF(W(5, TERM(APP("db"), "zone")))))));
	struct tcycle cy;
	cy_begin(&cy, cl.ptr, NN);
	const sk_sched_node *feasible[] = {cl.ptr[1], cl.ptr[2]};
	assert_int_equal(f->pre_score(ud, &cy.pub, pod, feasible, 2), SK_SCHED_SUCCESS);
	int64_t s[] = {f->score(ud, &cy.pub, pod, feasible[0]), f->score(ud, &cy.pub, pod, feasible[1])};
	assert_int_equal(s[0], 5);
	assert_int_equal(s[1], 0);
	f->normalize(ud, &cy.pub, pod, feasible, s, 2);
	assert_int_equal(s[0], 100);
	assert_int_equal(s[1], 0);
	cy_end(&cy);
	sk_obj_unref(pod);
	cluster_down(&cl);
}

/* normalize alone: min-max over what it is given */
static void normalize_bounds(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *f = policy("InterPodAffinity", &ud);
	int64_t a[] = {-7, 3, 0, 3}, b[] = {4, 4}, c[] = {INT32_MAX, INT32_MIN};
	f->normalize(ud, NULL, NULL, NULL, a, N(a));
	/* range 10: 0, 100, 70, 100 */
	assert_int_equal(a[0], 0);
	assert_int_equal(a[1], 100);
	assert_int_equal(a[2], 70);
	assert_int_equal(a[3], 100);
	f->normalize(ud, NULL, NULL, NULL, b, N(b));
	assert_int_equal(b[0], 0);
	assert_int_equal(b[1], 0);
	f->normalize(ud, NULL, NULL, NULL, c, N(c));
	assert_int_equal(c[0], 100);
	assert_int_equal(c[1], 0);
}

/* the registration carries Kubernetes' plugin name and only its points */
static void registration(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *o = policy("InterPodAffinity", &ud);
	assert_string_equal(o->name, "InterPodAffinity");
	assert_true(o->pre_filter && o->filter && o->pre_score && o->score && o->normalize);
	assert_true(!o->less && !o->post_filter && !o->reserve && !o->permit && !o->bind);
}

/* ---- the tuned start: InterPodAffinityArgs ------------------------------------ */

static void tuned_scores(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(tuned_cases); i++)
		check_scores(&tuned_cases[i]);
	/* filtering does not change with the arguments */
	for (size_t i = 0; i < N(filter_cases); i++)
		if (!strcmp(filter_cases[i].name, "first refusal only, in Kubernetes' order"))
			check_nodes(&filter_cases[i], "tuned", 1);
}

/* without a namespaces resource a namespace selector cannot be merged:
 * pre-filter fails as Kubernetes' does when its lister fails */
static void selector_without_namespaces(void **state)
{
	(void)state;
	void *ud;
	const sk_sched_policy_ops *f = policy("InterPodAffinity", &ud);
	const char *pods[NN] = {NULL};
	struct cluster cl;
	cluster_up(&cl, pods);
	sk_obj *pod = json(POD(APP("x"), AFFINITY(PAA(REQ(TERMX(APP("web"), HOST, TEAM("a")))))));
	struct tcycle cy;
	cy_begin(&cy, cl.ptr, NN);
	char reason[256] = "";
	assert_int_equal(f->pre_filter(ud, &cy.pub, pod, reason, sizeof reason), SK_SCHED_ERROR);
	assert_non_null(strstr(reason, "namespaces"));
	cy_end(&cy);
	sk_obj_unref(pod);
	cluster_down(&cl);
}

/* ---- set-up ------------------------------------------------------------------ */

static const sk_resource_ops ns_ops = {
	.size = sizeof(sk_resource_ops), .name = "namespaces", .group = "", .version = "v1", .kind = "Namespace",
	.plural = "namespaces", .singular = "namespace", .list_kind = "NamespaceList", .namespaced = 0,
};

struct wrote {
	int done, failed;
};

static void on_write(void *ud, const sk_err *err, const sk_obj *stored)
{
	(void)stored;
	struct wrote *w = ud;
	w->done++;
	if (err)
		w->failed++;
}

static const char *const PLUGINS[] = {"inter-pod-affinity", NULL};

static int setup(void **state)
{
	(void)state;
	tu_store_up(64, 0);
	sk_host_set_data_dir(tu_store_dir);
	sk_err e = {0};
	assert_int_equal(sk_register(NULL, SK_EXT_RESOURCE, &ns_ops, NULL, &e), SK_OK);
	static const char *const namespaces[] = {
		"{'metadata':{'name':'default','labels':{'team':'a'}}}",
		"{'metadata':{'name':'other','labels':{'team':'b'}}}",
		"{'metadata':{'name':'third','labels':{'team':'a'}}}",
	};
	struct wrote w = {0};
	for (size_t i = 0; i < N(namespaces); i++) {
		sk_obj *o = json(namespaces[i]);
		sk_api_create(NULL, "", "namespaces", NULL, o, on_write, &w);
		sk_obj_unref(o);
	}
	tu_wait(&w.done, (int)N(namespaces));
	assert_int_equal(w.failed, 0);
	sched_plugins_up(PLUGINS, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sk_plugins_stop();
	sk_unregister(NULL, SK_EXT_RESOURCE, "namespaces");
	tu_store_down();
	return 0;
}

static char *host_dir;

static int setup_tuned(void **state)
{
	(void)state;
	host_dir = tu_host_up();
	sched_plugins_up(PLUGINS, "hardPodAffinityWeight: 0\nignorePreferredTermsOfExistingPods: true\n");
	return 0;
}

static int teardown_tuned(void **state)
{
	(void)state;
	sk_plugins_stop();
	tu_host_down(host_dir);
	return 0;
}

/* ValidateInterPodAffinityArgs: the weight is 0..100 */
static void bad_weight(void **state)
{
	(void)state;
	char *d = tu_host_up();
	sk_err e = {0};
	assert_int_not_equal(sched_plugins_try(PLUGINS, "hardPodAffinityWeight: 101\n", &e), SK_OK);
	if (!strstr(e.msg, "hardPodAffinityWeight: Invalid value: 101: not in valid range [0-100]"))
		fail_msg("message: %s", e.msg);
	tu_host_down(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registration),
		cmocka_unit_test(filter_table),
		cmocka_unit_test(unparsable_pod),
		cmocka_unit_test(without_a_cycle),
		cmocka_unit_test(records_follow_objects),
		cmocka_unit_test(score_table),
		cmocka_unit_test(all_nodes_count),
		cmocka_unit_test(normalize_bounds),
	};
	const struct CMUnitTest tuned[] = {
		cmocka_unit_test(tuned_scores),
		cmocka_unit_test(selector_without_namespaces),
	};
	const struct CMUnitTest args[] = {
		cmocka_unit_test(bad_weight),
	};
	int failed = cmocka_run_group_tests_name("InterPodAffinity", tests, setup, teardown);
	failed += cmocka_run_group_tests_name("InterPodAffinity with arguments", tuned, setup_tuned, teardown_tuned);
	failed += cmocka_run_group_tests_name("InterPodAffinity arguments checked", args, NULL, NULL);
	return failed;
}
