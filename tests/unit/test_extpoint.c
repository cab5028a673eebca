/* test_extpoint.c — the extension-point registry: for every kind, register,
 * find, iterate in order, refuse duplicates / short ops structs / unnamed
 * ones, unregister (by name and by owner); resource registrations are
 * validated and found by group and plural. */
#include "testutil.h"
#include "plugin_host.h"
#include <skiff/admission.h>
#include <skiff/auth.h>
#include <skiff/controller.h>
#include <skiff/datastore.h>
#include <skiff/loadbalancer.h>
#include <skiff/network.h>
#include <skiff/resource.h>
#include <skiff/runtime.h>
#include <skiff/scheduler.h>
#include <skiff/volume.h>

static struct sk_plugin plug_a = {.name = "plug-a"}, plug_b = {.name = "plug-b"};
static int ud_a, ud_b; /* distinct addresses as user data */

/* ---- one callback per kind, in an "a" and a "b" flavour, recording which
 * ran and with what user data ---- */

static struct {
	const char *fn;
	char which;
	void *ud;
} last;

static void mark(const char *fn, char which, void *ud)
{
	last.fn = fn;
	last.which = which;
	last.ud = ud;
}

#define FLAVOURS(X) X(a) X(b)

#define RES_FN(w) \
	static void res_defaults_##w(void *ud, sk_obj *o) { (void)o; mark("defaults", #w[0], ud); }
#define SCHED_FN(w)                                                                                \
	static int64_t sched_score_##w(void *ud, sk_sched_cycle *c, const sk_obj *p, const sk_sched_node *n) \
	{                                                                                              \
		(void)c, (void)p, (void)n;                                                                 \
		mark("score", #w[0], ud);                                                                  \
		return 7;                                                                                  \
	}
#define ADM_FN(w)                                                                                        \
	static int adm_validate_##w(void *ud, const sk_admission_request *rq, const sk_obj *o, sk_err *err) \
	{                                                                                                    \
		(void)rq, (void)o, (void)err;                                                                    \
		mark("validate", #w[0], ud);                                                                     \
		return SK_OK;                                                                                    \
	}
#define AUTHN_FN(w)                                                                               \
	static int authn_fn_##w(void *ud, const sk_auth_request *rq, sk_obj **user, sk_err *err)         \
	{                                                                                             \
		(void)rq, (void)user, (void)err;                                                          \
		mark("authenticate", #w[0], ud);                                                          \
		return SK_AUTHN_NO_OPINION;                                                               \
	}
#define AUTHZ_FN(w)                                                                      \
	static int authz_fn_##w(void *ud, const sk_authz_attrs *a, char *reason, size_t cap)    \
	{                                                                                    \
		(void)a, (void)reason, (void)cap;                                                \
		mark("authorize", #w[0], ud);                                                    \
		return SK_AUTHZ_NO_OPINION;                                                      \
	}
#define CTL_FN(w)                                         \
	static int ctl_start_##w(void *ud, sk_err *err)      \
	{                                                     \
		(void)err;                                        \
		mark("start", #w[0], ud);                         \
		return SK_OK;                                     \
	}
#define RT_FN(w)                                                                          \
	static void rt_run_##w(void *ud, const sk_obj *pod, sk_done_fn done, void *cb_ud)    \
	{                                                                                     \
		(void)pod, (void)done, (void)cb_ud;                                               \
		mark("run_sandbox", #w[0], ud);                                                   \
	}
#define NET_FN(w)                                                                        \
	static void net_add_##w(void *ud, const sk_obj *att, sk_done_fn done, void *cb_ud)   \
	{                                                                                    \
		(void)att, (void)done, (void)cb_ud;                                              \
		mark("add", #w[0], ud);                                                          \
	}
#define VOL_FN(w)                                                                                        \
	static void vol_prov_##w(void *ud, const sk_obj *c, const sk_obj *sc, sk_done_fn done, void *cb_ud) \
	{                                                                                                    \
		(void)c, (void)sc, (void)done, (void)cb_ud;                                                      \
		mark("provision", #w[0], ud);                                                                    \
	}
#define LB_FN(w)                                                                                           \
	static void lb_ensure_##w(void *ud, const sk_obj *svc, const sk_obj *nodes, sk_done_fn done, void *cb) \
	{                                                                                                      \
		(void)svc, (void)nodes, (void)done, (void)cb;                                                      \
		mark("ensure", #w[0], ud);                                                                         \
	}
#define DS_FN(w)                                      \
	static int64_t ds_revision_##w(void *db)         \
	{                                                 \
		mark("revision", #w[0], db);                  \
		return 42;                                    \
	}

FLAVOURS(RES_FN)
FLAVOURS(SCHED_FN)
FLAVOURS(ADM_FN)
FLAVOURS(AUTHN_FN)
FLAVOURS(AUTHZ_FN)
FLAVOURS(CTL_FN)
FLAVOURS(RT_FN)
FLAVOURS(NET_FN)
FLAVOURS(VOL_FN)
FLAVOURS(LB_FN)
FLAVOURS(DS_FN)

/* "a" registers first, and sorts after "b": order is registration order */
static const sk_resource_ops res_a = {
	.size = sizeof res_a, .name = "widgets.x.io", .group = "x.io", .version = "v1", .kind = "Widget",
	.plural = "widgets", .singular = "widget", .list_kind = "WidgetList", .namespaced = 1,
	.defaults = res_defaults_a};
static const sk_resource_ops res_b = {
	.size = sizeof res_b, .name = "gadgets.x.io", .group = "x.io", .version = "v1", .kind = "Gadget",
	.plural = "gadgets", .singular = "gadget", .list_kind = "GadgetList", .defaults = res_defaults_b};
static const sk_sched_policy_ops sched_a = {.size = sizeof sched_a, .name = "zeta", .score = sched_score_a};
static const sk_sched_policy_ops sched_b = {.size = sizeof sched_b, .name = "alpha", .score = sched_score_b};
static const sk_admission_ops adm_a = {.size = sizeof adm_a, .name = "zeta", .validate = adm_validate_a};
static const sk_admission_ops adm_b = {.size = sizeof adm_b, .name = "alpha", .validate = adm_validate_b};
static const sk_authenticator_ops authn_a = {sizeof authn_a, "zeta", authn_fn_a};
static const sk_authenticator_ops authn_b = {sizeof authn_b, "alpha", authn_fn_b};
static const sk_authorizer_ops authz_a = {sizeof authz_a, "zeta", authz_fn_a};
static const sk_authorizer_ops authz_b = {sizeof authz_b, "alpha", authz_fn_b};
static const sk_controller_ops ctl_a = {sizeof ctl_a, "zeta", ctl_start_a, NULL};
static const sk_controller_ops ctl_b = {sizeof ctl_b, "alpha", ctl_start_b, NULL};
static const sk_runtime_ops rt_a = {.size = sizeof rt_a, .name = "zeta", .run_sandbox = rt_run_a};
static const sk_runtime_ops rt_b = {.size = sizeof rt_b, .name = "alpha", .run_sandbox = rt_run_b};
static const sk_network_ops net_a = {.size = sizeof net_a, .name = "zeta", .add = net_add_a};
static const sk_network_ops net_b = {.size = sizeof net_b, .name = "alpha", .add = net_add_b};
static const sk_volume_ops vol_a = {.size = sizeof vol_a, .name = "zeta", .provision = vol_prov_a};
static const sk_volume_ops vol_b = {.size = sizeof vol_b, .name = "alpha", .provision = vol_prov_b};
static const sk_loadbalancer_ops lb_a = {.size = sizeof lb_a, .name = "zeta", .ensure = lb_ensure_a};
static const sk_loadbalancer_ops lb_b = {.size = sizeof lb_b, .name = "alpha", .ensure = lb_ensure_b};
static const sk_datastore_ops ds_a = {.size = sizeof ds_a, .name = "zeta", .revision = ds_revision_a};
static const sk_datastore_ops ds_b = {.size = sizeof ds_b, .name = "alpha", .revision = ds_revision_b};

/* call one callback through an ops pointer of each kind */
#define OPS(T, o) ((const T *)(o))
static void call_res(const void *o, void *ud) { OPS(sk_resource_ops, o)->defaults(ud, NULL); }
static void call_sched(const void *o, void *ud)
{
	assert_int_equal(OPS(sk_sched_policy_ops, o)->score(ud, NULL, NULL, NULL), 7);
}
static void call_adm(const void *o, void *ud) { OPS(sk_admission_ops, o)->validate(ud, NULL, NULL, NULL); }
static void call_authn(const void *o, void *ud) { OPS(sk_authenticator_ops, o)->authenticate(ud, NULL, NULL, NULL); }
static void call_authz(const void *o, void *ud) { OPS(sk_authorizer_ops, o)->authorize(ud, NULL, NULL, 0); }
static void call_ctl(const void *o, void *ud) { OPS(sk_controller_ops, o)->start(ud, NULL); }
static void call_rt(const void *o, void *ud) { OPS(sk_runtime_ops, o)->run_sandbox(ud, NULL, NULL, NULL); }
static void call_net(const void *o, void *ud) { OPS(sk_network_ops, o)->add(ud, NULL, NULL, NULL); }
static void call_vol(const void *o, void *ud) { OPS(sk_volume_ops, o)->provision(ud, NULL, NULL, NULL, NULL); }
static void call_lb(const void *o, void *ud) { OPS(sk_loadbalancer_ops, o)->ensure(ud, NULL, NULL, NULL, NULL); }
static void call_ds(const void *o, void *ud) { assert_int_equal(OPS(sk_datastore_ops, o)->revision(ud), 42); }

static const struct kind_case {
	const char *test;
	sk_ext_kind kind;
	const char *kind_name;
	const void *a, *b;
	size_t size; /* the ops struct's size in ABI 1.0 */
	void (*call)(const void *ops, void *ud);
	const char *fn; /* what call() calls */
} kinds[] = {
	{"kind_resource", SK_EXT_RESOURCE, "resource", &res_a, &res_b,
	 sizeof(sk_resource_ops), call_res, "defaults"},
	{"kind_scheduler", SK_EXT_SCHEDULER, "scheduler", &sched_a, &sched_b,
	 sizeof(sk_sched_policy_ops), call_sched, "score"},
	{"kind_admission", SK_EXT_ADMISSION, "admission", &adm_a, &adm_b,
	 sizeof(sk_admission_ops), call_adm, "validate"},
	{"kind_authenticator", SK_EXT_AUTHENTICATOR, "authenticator", &authn_a, &authn_b,
	 sizeof(sk_authenticator_ops), call_authn, "authenticate"},
	{"kind_authorizer", SK_EXT_AUTHORIZER, "authorizer", &authz_a, &authz_b,
	 sizeof(sk_authorizer_ops), call_authz, "authorize"},
	{"kind_controller", SK_EXT_CONTROLLER, "controller", &ctl_a, &ctl_b,
	 sizeof(sk_controller_ops), call_ctl, "start"},
	{"kind_runtime", SK_EXT_RUNTIME, "runtime", &rt_a, &rt_b,
	 sizeof(sk_runtime_ops), call_rt, "run_sandbox"},
	{"kind_network", SK_EXT_NETWORK, "network", &net_a, &net_b,
	 sizeof(sk_network_ops), call_net, "add"},
	{"kind_volume", SK_EXT_VOLUME, "volume", &vol_a, &vol_b,
	 sizeof(sk_volume_ops), call_vol, "provision"},
	{"kind_loadbalancer", SK_EXT_LOADBALANCER, "loadbalancer", &lb_a, &lb_b,
	 sizeof(sk_loadbalancer_ops), call_lb, "ensure"},
	{"kind_datastore", SK_EXT_DATASTORE, "datastore", &ds_a, &ds_b,
	 sizeof(sk_datastore_ops), call_ds, "revision"},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* room for a copy of any ops struct, and then some */
union any_ops {
	sk_ops_head head;
	sk_resource_ops r;
	sk_sched_policy_ops s;
	sk_admission_ops ad;
	sk_authenticator_ops an;
	sk_authorizer_ops az;
	sk_controller_ops c;
	sk_runtime_ops rt;
	sk_network_ops n;
	sk_volume_ops v;
	sk_loadbalancer_ops lb;
	sk_datastore_ops ds;
};

static const char *name_of(const void *ops) { return ((const sk_ops_head *)ops)->name; }

static int teardown_registry(void **state)
{
	(void)state;
	sk_ext_unregister_owner(&plug_a);
	sk_ext_unregister_owner(&plug_b);
	sk_ext_unregister_owner(sk_core_plugin());
	return 0;
}

/* visitor: records ops, user data and owner in order */
struct visit {
	const void *ops[8];
	void *ud[8];
	char owner[8][16];
	size_t n, stop_after;
	sk_ext_kind unregister_kind; /* non-zero: unregister each visited registration */
};

static int visit(void *ud, const void *ops, void *ops_ud, const char *owner)
{
	struct visit *v = ud;
	if (v->n < 8) {
		v->ops[v->n] = ops;
		v->ud[v->n] = ops_ud;
		snprintf(v->owner[v->n], sizeof v->owner[v->n], "%s", owner);
	}
	v->n++;
	if (v->unregister_kind)
		assert_int_equal(sk_unregister(NULL, v->unregister_kind, name_of(ops)), SK_OK);
	return v->stop_after && v->n >= v->stop_after;
}

static void register_ok(sk_plugin *p, sk_ext_kind kind, const void *ops, void *ud)
{
	sk_err e;
	if (sk_register(p, kind, ops, ud, &e) != SK_OK)
		fail_msg("registering %s: %s", name_of(ops), e.msg);
}

/* one test per kind: the state is its kinds[] entry */
static void one_kind(void **state)
{
	const struct kind_case *k = *state;
	size_t i = (size_t)(k - kinds);
	const char *na = name_of(k->a), *nb = name_of(k->b);
	sk_err e;
	assert_string_equal(sk_ext_kind_name(k->kind), k->kind_name);
	assert_int_equal(sk_ext_count(k->kind), 0);
	register_ok(&plug_a, k->kind, k->a, &ud_a);
	register_ok(&plug_b, k->kind, k->b, &ud_b);
	assert_int_equal(sk_ext_count(k->kind), 2);

	/* found by name, with its user data; and it is the very struct:
	 * calling through it runs that registration's callback */
	void *ud = NULL;
	assert_ptr_equal(sk_ext_find(k->kind, na, &ud), k->a);
	assert_ptr_equal(ud, &ud_a);
	k->call(sk_ext_find(k->kind, na, NULL), ud);
	assert_string_equal(last.fn, k->fn);
	assert_int_equal(last.which, 'a');
	assert_ptr_equal(last.ud, &ud_a);
	assert_ptr_equal(sk_ext_find(k->kind, nb, &ud), k->b);
	k->call(sk_ext_find(k->kind, nb, NULL), ud);
	assert_int_equal(last.which, 'b');
	assert_ptr_equal(last.ud, &ud_b);
	ud = &ud_a;
	assert_null(sk_ext_find(k->kind, "nope", &ud));
	assert_null(ud);
	assert_null(sk_ext_find(k->kind, NULL, NULL));
	assert_ptr_equal(sk_ext_owner(k->kind, na), &plug_a);
	assert_ptr_equal(sk_ext_owner(k->kind, nb), &plug_b);
	/* a registration of one kind is not one of another */
	const struct kind_case *other = &kinds[(i + 1) % NKINDS];
	assert_null(sk_ext_find(other->kind, na, NULL));

	/* iteration in registration order, with owners */
	struct visit v = {0};
	assert_int_equal(sk_ext_foreach(k->kind, visit, &v), 2);
	assert_ptr_equal(v.ops[0], k->a);
	assert_ptr_equal(v.ops[1], k->b);
	assert_ptr_equal(v.ud[0], &ud_a);
	assert_ptr_equal(v.ud[1], &ud_b);
	assert_string_equal(v.owner[0], "plug-a");
	assert_string_equal(v.owner[1], "plug-b");
	struct visit stop = {.stop_after = 1};
	assert_int_equal(sk_ext_foreach(k->kind, visit, &stop), 1);

	/* a duplicate name is refused, naming who has it */
	e.msg[0] = 0;
	assert_int_equal(sk_register(&plug_b, k->kind, k->a, NULL, &e), SK_EEXIST);
	assert_int_equal(e.code, SK_EEXIST);
	assert_non_null(strstr(e.msg, "plug-a"));
	assert_non_null(strstr(e.msg, na));
	assert_int_equal(sk_register(&plug_a, k->kind, k->a, NULL, &e), SK_EEXIST);

	/* too small for ABI 1.0, unnamed: refused */
	union any_ops copy;
	const struct {
		uint32_t size;
		const char *name;
		int code;
	} bad[] = {
		{(uint32_t)k->size - (uint32_t)sizeof(void *), "fresh", SK_EABI},
		{(uint32_t)sizeof(sk_ops_head), "fresh", SK_EABI},
		{0, "fresh", SK_EABI},
		{(uint32_t)k->size, NULL, SK_EINVALID},
		{(uint32_t)k->size, "", SK_EINVALID},
	};
	for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
		memcpy(&copy, k->a, k->size);
		copy.head.size = bad[b].size;
		copy.head.name = bad[b].name;
		e.code = 0;
		assert_int_equal(sk_register(&plug_a, k->kind, &copy, NULL, &e), bad[b].code);
		assert_int_equal(e.code, bad[b].code);
	}
	assert_int_equal(sk_register(&plug_a, k->kind, NULL, NULL, &e), SK_EABI);
	assert_int_equal(sk_ext_count(k->kind), 2);

	/* unregistering: only by the owner (or the core), then gone */
	assert_int_equal(sk_unregister(&plug_b, k->kind, na), SK_EFORBIDDEN);
	assert_int_equal(sk_unregister(&plug_a, k->kind, na), SK_OK);
	assert_null(sk_ext_find(k->kind, na, NULL));
	assert_int_equal(sk_unregister(&plug_a, k->kind, na), SK_ENOTFOUND);
	assert_int_equal(sk_unregister(&plug_a, k->kind, NULL), SK_EINVALID);
	struct visit after = {0};
	assert_int_equal(sk_ext_foreach(k->kind, visit, &after), 1);
	assert_ptr_equal(after.ops[0], k->b);

	/* a struct from a newer minor (bigger, same head) is accepted */
	struct {
		union any_ops o;
		unsigned char newer_fields[32];
	} big;
	memset(&big, 0, sizeof big);
	memcpy(&big.o, k->a, k->size);
	big.o.head.size = (uint32_t)(k->size + sizeof big.newer_fields);
	register_ok(&plug_a, k->kind, &big, &ud_a);
	k->call(sk_ext_find(k->kind, na, &ud), ud);
	assert_int_equal(last.which, 'a');
	/* re-registered after b: now last in order */
	struct visit again = {0};
	sk_ext_foreach(k->kind, visit, &again);
	assert_ptr_equal(again.ops[0], k->b);
	assert_ptr_equal(again.ops[1], (const void *)&big);
	assert_int_equal(sk_unregister(NULL, k->kind, na), SK_OK); /* the core may remove any */
	assert_int_equal(sk_unregister(&plug_b, k->kind, nb), SK_OK);
	assert_int_equal(sk_ext_count(k->kind), 0);
}

static void unknown_kinds(void **state)
{
	(void)state;
	static const int bad[] = {0, -1, SK_EXT_KIND_MAX, 99};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sk_ext_kind k = (sk_ext_kind)bad[i];
		sk_err e;
		assert_int_equal(sk_register(&plug_a, k, &ctl_a, NULL, &e), SK_EINVALID);
		assert_null(sk_ext_find(k, "zeta", NULL));
		struct visit v = {0};
		assert_int_equal(sk_ext_foreach(k, visit, &v), 0);
		assert_int_equal(sk_unregister(&plug_a, k, "zeta"), SK_EINVALID);
		assert_int_equal(sk_ext_count(k), 0);
		assert_null(sk_ext_owner(k, "zeta"));
		assert_string_equal(sk_ext_kind_name(k), "unknown");
	}
}

static void unregister_owner_removes_all(void **state)
{
	(void)state;
	for (size_t i = 0; i < NKINDS; i++) {
		register_ok(&plug_a, kinds[i].kind, kinds[i].a, NULL);
		register_ok(&plug_b, kinds[i].kind, kinds[i].b, NULL);
	}
	sk_ext_unregister_owner(&plug_a);
	for (size_t i = 0; i < NKINDS; i++) {
		assert_int_equal(sk_ext_count(kinds[i].kind), 1);
		assert_null(sk_ext_find(kinds[i].kind, name_of(kinds[i].a), NULL));
		assert_ptr_equal(sk_ext_find(kinds[i].kind, name_of(kinds[i].b), NULL), kinds[i].b);
	}
	/* the freed names can be taken by someone else */
	register_ok(&plug_b, SK_EXT_CONTROLLER, &ctl_a, NULL);
	sk_ext_unregister_owner(&plug_b);
	for (size_t i = 0; i < NKINDS; i++)
		assert_int_equal(sk_ext_count(kinds[i].kind), 0);
	/* registering without a plugin makes the core the owner */
	register_ok(NULL, SK_EXT_AUTHORIZER, &authz_a, NULL);
	assert_ptr_equal(sk_ext_owner(SK_EXT_AUTHORIZER, "zeta"), sk_core_plugin());
	struct visit v = {0};
	sk_ext_foreach(SK_EXT_AUTHORIZER, visit, &v);
	assert_string_equal(v.owner[0], "core");
	sk_err e;
	assert_int_equal(sk_register(&plug_a, SK_EXT_AUTHORIZER, &authz_a, NULL, &e), SK_EEXIST);
	assert_non_null(strstr(e.msg, "core"));
	sk_ext_unregister_owner(sk_core_plugin());
	assert_int_equal(sk_ext_count(SK_EXT_AUTHORIZER), 0);
}

static void foreach_visitor_may_unregister(void **state)
{
	(void)state;
	register_ok(&plug_a, SK_EXT_ADMISSION, &adm_a, NULL);
	register_ok(&plug_a, SK_EXT_ADMISSION, &adm_b, NULL);
	struct visit v = {.unregister_kind = SK_EXT_ADMISSION};
	assert_int_equal(sk_ext_foreach(SK_EXT_ADMISSION, visit, &v), 2);
	assert_int_equal(sk_ext_count(SK_EXT_ADMISSION), 0);
}

/* resource registrations: the name must be "<plural>" or "<plural>.<group>",
 * the required names present, and a kind served once per group */
static void resource_validation(void **state)
{
	(void)state;
	sk_resource_ops good_core = {.size = sizeof good_core, .name = "pods", .group = "", .version = "v1",
	                             .kind = "Pod", .plural = "pods", .singular = "pod", .list_kind = "PodList",
	                             .namespaced = 1};
	sk_resource_ops good_apps = {.size = sizeof good_apps, .name = "deployments.apps", .group = "apps",
	                             .version = "v1", .kind = "Deployment", .plural = "deployments",
	                             .singular = "deployment", .list_kind = "DeploymentList", .namespaced = 1};
	register_ok(&plug_a, SK_EXT_RESOURCE, &good_core, NULL);
	register_ok(&plug_a, SK_EXT_RESOURCE, &good_apps, NULL);
	static const struct {
		const char *what, *name, *group, *version, *kind, *plural, *list_kind;
		int code;
	} cases[] = {
		{"plural.group", "widgets.x.io", "x.io", "v1", "Widget", "widgets", "WidgetList", SK_OK},
		{"same kind, other group", "pods.x.io", "x.io", "v1", "Pod", "pods", "PodList", SK_OK},
		{"same plural, other group", "deployments.y.io", "y.io", "v1", "Deployment", "deployments",
		 "DeploymentList", SK_OK},
		{"core group with a suffix", "nodes.", "", "v1", "Node", "nodes", "NodeList", SK_EINVALID},
		{"group missing from the name", "things", "x.io", "v1", "Thing", "things", "ThingList", SK_EINVALID},
		{"another group in the name", "things.y.io", "x.io", "v1", "Thing", "things", "ThingList", SK_EINVALID},
		{"name is not the plural", "thing.x.io", "x.io", "v1", "Thing", "things", "ThingList", SK_EINVALID},
		{"kind served twice in a group", "pods2", "", "v1", "Pod", "pods2", "PodList", SK_EEXIST},
		{"kind served twice in x.io", "gizmos.x.io", "x.io", "v1", "Widget", "gizmos", "GizmoList", SK_EEXIST},
		{"no group", "things", NULL, "v1", "Thing", "things", "ThingList", SK_EINVALID},
		{"no version", "things", "", "", "Thing", "things", "ThingList", SK_EINVALID},
		{"no kind", "things", "", "v1", "", "things", "ThingList", SK_EINVALID},
		{"no plural", "things", "", "v1", "Thing", NULL, "ThingList", SK_EINVALID},
		{"no list kind", "things", "", "v1", "Thing", "things", NULL, SK_EINVALID},
		{"duplicate name", "pods", "", "v1", "Other", "pods", "OtherList", SK_EEXIST},
	};
	sk_resource_ops ops[sizeof cases / sizeof cases[0]];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ops[i] = (sk_resource_ops){.size = sizeof ops[i], .name = cases[i].name, .group = cases[i].group,
		                           .version = cases[i].version, .kind = cases[i].kind,
		                           .plural = cases[i].plural, .list_kind = cases[i].list_kind, .namespaced = 1};
		sk_err e = {0};
		int rc = sk_register(&plug_b, SK_EXT_RESOURCE, &ops[i], NULL, &e);
		if (rc != cases[i].code)
			fail_msg("%s: got %d (%s), want %d", cases[i].what, rc, e.msg, cases[i].code);
		if (rc != SK_OK)
			assert_non_null(strstr(e.msg, cases[i].name)); /* the message names the registration */
	}
	/* found by group and plural */
	static const struct {
		const char *group, *plural, *want; /* want: registration name, or NULL */
	} finds[] = {
		{"", "pods", "pods"},           {NULL, "pods", "pods"},
		{"x.io", "pods", "pods.x.io"},  {"apps", "deployments", "deployments.apps"},
		{"y.io", "deployments", "deployments.y.io"}, {"", "deployments", NULL},
		{"x.io", "widgets", "widgets.x.io"}, {"x.io", "widget", NULL},
		{"apps", "pods", NULL},
	};
	for (size_t i = 0; i < sizeof finds / sizeof finds[0]; i++) {
		const sk_resource_ops *r = sk_resource_find(finds[i].group, finds[i].plural);
		if (!finds[i].want)
			assert_null(r);
		else if (!r || strcmp(r->name, finds[i].want) != 0)
			fail_msg("find %s/%s: got %s, want %s", finds[i].group ? finds[i].group : "(null)", finds[i].plural,
			         r ? r->name : "nothing", finds[i].want);
	}
	assert_ptr_equal(sk_resource_find("", "pods"), &good_core);
	/* gone when unregistered */
	assert_int_equal(sk_unregister(&plug_a, SK_EXT_RESOURCE, "pods"), SK_OK);
	assert_null(sk_resource_find("", "pods"));
	assert_non_null(sk_resource_find("x.io", "pods"));
	sk_ext_unregister_owner(&plug_b);
	assert_null(sk_resource_find("x.io", "pods"));
	assert_ptr_equal(sk_resource_find("apps", "deployments"), &good_apps);
	sk_ext_unregister_owner(&plug_a);
	assert_null(sk_resource_find("apps", "deployments"));
}

int main(void)
{
	struct CMUnitTest tests[NKINDS + 4] = {
		cmocka_unit_test_teardown(unknown_kinds, teardown_registry),
		cmocka_unit_test_teardown(unregister_owner_removes_all, teardown_registry),
		cmocka_unit_test_teardown(foreach_visitor_may_unregister, teardown_registry),
		cmocka_unit_test_teardown(resource_validation, teardown_registry),
	};
	for (size_t i = 0; i < NKINDS; i++)
		tests[4 + i] = (struct CMUnitTest){kinds[i].test, one_kind, NULL, teardown_registry, (void *)&kinds[i]};
	return cmocka_run_group_tests_name("extpoint", tests, NULL, NULL);
}
