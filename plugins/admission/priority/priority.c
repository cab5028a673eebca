/* priority — Kubernetes' Priority admission: a pod's spec.priority and
 * spec.preemptionPolicy come from its PriorityClass (or the cluster's
 * globalDefault one, or 0), never from the client; and only one
 * PriorityClass may be the global default. */
#include <skiff/skiff.h>
#include <stdio.h>
#include <string.h>

static sk_plugin *self;
/* PriorityClasses, cached; made at the first request, when the store is open */
static sk_informer *classes;

static sk_informer *class_cache(void)
{
	if (!classes) {
		sk_informer_spec spec = {sizeof spec, "scheduling.k8s.io", "priorityclasses", NULL, NULL, NULL, NULL, NULL};
		classes = sk_informer_new(self, &spec, NULL);
	}
	return classes;
}

struct finding {
	const char *skip; /* a class being updated is not "another" default */
	const sk_obj *found;
};

static int find_default(void *ud, const sk_obj *pc)
{
	struct finding *f = ud;
	const char *name = sk_obj_get_str(pc, "metadata.name");
	if (sk_obj_get_bool(pc, "globalDefault", 0) && (!f->skip || !name || strcmp(name, f->skip))) {
		f->found = pc;
		return 1;
	}
	return 0;
}

static const sk_obj *global_default(const char *skip)
{
	struct finding f = {skip, NULL};
	sk_informer *inf = class_cache();
	if (inf)
		sk_informer_foreach(inf, NULL, find_default, &f);
	return f.found;
}

/* as admission.NewForbidden words it */
static int forbid(sk_err *err, const char *resource, const char *name, const char *why)
{
	snprintf(err->msg, sizeof err->msg, "%s \"%s\" is forbidden: %s", resource, name ? name : "", why);
	return err->code = SK_EFORBIDDEN;
}

static int priority_given(sk_err *err, const char *name, int64_t given, int64_t computed)
{
	char why[300];
	snprintf(why, sizeof why,
	         "the integer value of priority (%lld) must not be provided in pod spec; priority admission controller "
	         "computed %lld from the given PriorityClass name",
	         (long long)given, (long long)computed);
	return forbid(err, "pods", name, why);
}

static int admit_pod(const sk_admission_request *rq, sk_obj *pod, sk_err *err)
{
	const char *cname = sk_obj_get_str(pod, "spec.priorityClassName");
	int64_t priority = 0;
	const char *policy = "PreemptLowerPriority";
	const sk_obj *pc = NULL;
	if (cname && *cname) {
		sk_informer *inf = class_cache();
		pc = inf ? sk_informer_get(inf, NULL, cname) : NULL;
		sk_obj *fresh = NULL;
		/* a class made an instant ago may not be cached yet */
		if (!pc && sk_api_get("scheduling.k8s.io", "priorityclasses", NULL, cname, &fresh, NULL) == SK_OK)
			pc = fresh;
		if (!pc) {
			char why[300];
			snprintf(why, sizeof why, "no PriorityClass with name %s was found", cname);
			return forbid(err, "pods", rq->name, why);
		}
		priority = sk_obj_get_int(pc, "value", 0);
		if (sk_obj_get_str(pc, "preemptionPolicy"))
			policy = sk_obj_get_str(pc, "preemptionPolicy");
		int rc = SK_OK;
		sk_obj *given = sk_obj_get(pod, "spec.priority");
		if (given && sk_obj_int(given) != priority)
			rc = priority_given(err, rq->name, sk_obj_int(given), priority);
		const char *gp = sk_obj_get_str(pod, "spec.preemptionPolicy");
		if (!rc && gp && strcmp(gp, policy)) {
			char why[300];
			snprintf(why, sizeof why,
			         "the string value of PreemptionPolicy (%s) must not be provided in pod spec; priority admission "
			         "controller computed %s from the given PriorityClass name",
			         gp, policy);
			rc = forbid(err, "pods", rq->name, why);
		}
		if (!rc) {
			sk_obj_set_int(pod, "spec.priority", priority, NULL);
			sk_obj_set_str(pod, "spec.preemptionPolicy", policy, NULL);
		}
		sk_obj_unref(fresh);
		return rc;
	}
	if ((pc = global_default(NULL))) {
		priority = sk_obj_get_int(pc, "value", 0);
		if (sk_obj_get_str(pc, "preemptionPolicy"))
			policy = sk_obj_get_str(pc, "preemptionPolicy");
		sk_obj_set_str(pod, "spec.priorityClassName", sk_obj_get_str(pc, "metadata.name"), NULL);
	}
	sk_obj *given = sk_obj_get(pod, "spec.priority");
	if (given && sk_obj_int(given) != priority)
		return priority_given(err, rq->name, sk_obj_int(given), priority);
	sk_obj_set_int(pod, "spec.priority", priority, NULL);
	if (!sk_obj_get_str(pod, "spec.preemptionPolicy"))
		sk_obj_set_str(pod, "spec.preemptionPolicy", policy, NULL);
	return SK_OK;
}

static int mutate(void *ud, const sk_admission_request *rq, sk_obj *obj, sk_err *err)
{
	(void)ud;
	if (!obj || strcmp(rq->operation, "CREATE") || *rq->group || strcmp(rq->resource, "pods") ||
	    (rq->subresource && *rq->subresource))
		return SK_OK;
	return admit_pod(rq, obj, err);
}

static int validate(void *ud, const sk_admission_request *rq, const sk_obj *obj, sk_err *err)
{
	(void)ud;
	if (!obj || strcmp(rq->group, "scheduling.k8s.io") || strcmp(rq->resource, "priorityclasses") ||
	    (strcmp(rq->operation, "CREATE") && strcmp(rq->operation, "UPDATE")) || !sk_obj_get_bool(obj, "globalDefault", 0))
		return SK_OK;
	const sk_obj *other = global_default(sk_obj_get_str(obj, "metadata.name"));
	if (!other)
		return SK_OK;
	char why[400];
	snprintf(why, sizeof why, "PriorityClass %s is already marked as default. Only one default can exist",
	         sk_obj_get_str(other, "metadata.name"));
	return forbid(err, "priorityclasses.scheduling.k8s.io", rq->name, why);
}

static const sk_admission_ops ops = {sizeof ops, "Priority", mutate, validate};

static int init(sk_plugin *p, sk_err *err)
{
	self = p;
	return sk_register(p, SK_EXT_ADMISSION, &ops, NULL, err);
}

static void fini(sk_plugin *p)
{
	(void)p;
	sk_informer_free(classes);
	classes = NULL;
}

SK_PLUGIN("priority", "0.1.0", "admission: pod priority from its PriorityClass; one global default",
          SK_LIST("admission.Priority"), SK_LIST("api-core", "api-scheduling"), init, fini);
