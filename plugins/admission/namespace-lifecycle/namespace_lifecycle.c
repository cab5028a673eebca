/* namespace-lifecycle — Kubernetes' NamespaceLifecycle admission: objects
 * are created only in namespaces that exist and are not being deleted, and
 * the system namespaces cannot be deleted. */
#include <skiff/skiff.h>
#include <stdio.h>
#include <string.h>

static const char *const immortal[] = {"default", "kube-system", "kube-public"};

static sk_plugin *self;
/* Namespaces, cached: a create looked its namespace up in the store, a
 * read and a decode per request. Made at the first request, when the store
 * is open; as Kubernetes' plugin does, a miss still asks the store, for a
 * namespace made an instant ago. */
static sk_informer *namespaces;

/* the namespace's deletionTimestamp is set: 1; it exists: 0; missing: -1 */
static int namespace_state(const char *name)
{
	if (!namespaces) {
		sk_informer_spec spec = {sizeof spec, "", "namespaces", NULL, NULL, NULL, NULL, NULL};
		namespaces = sk_informer_new(self, &spec, NULL);
	}
	const sk_obj *cached = namespaces ? sk_informer_get(namespaces, NULL, name) : NULL;
	if (cached)
		return sk_obj_get_str(cached, "metadata.deletionTimestamp") != NULL;
	sk_obj *ns = NULL;
	if (sk_api_get("", "namespaces", NULL, name, &ns, NULL) != SK_OK)
		return -1;
	int terminating = sk_obj_get_str(ns, "metadata.deletionTimestamp") != NULL;
	sk_obj_unref(ns);
	return terminating;
}

static int validate(void *ud, const sk_admission_request *rq, const sk_obj *obj, sk_err *err)
{
	(void)ud;
	(void)obj;
	if (!strcmp(rq->operation, "DELETE") && !*rq->group && !strcmp(rq->resource, "namespaces")) {
		for (size_t i = 0; i < sizeof immortal / sizeof immortal[0]; i++)
			if (rq->name && !strcmp(rq->name, immortal[i])) {
				snprintf(err->msg, sizeof err->msg, "namespaces \"%s\" is forbidden: this namespace may not be deleted",
				         rq->name);
				return err->code = SK_EFORBIDDEN;
			}
		return SK_OK;
	}
	/* only creations in a namespace are checked, as Kubernetes does */
	if (strcmp(rq->operation, "CREATE") || !rq->ns || !*rq->ns)
		return SK_OK;
	int state = namespace_state(rq->ns);
	if (state < 0) {
		snprintf(err->msg, sizeof err->msg, "namespaces \"%s\" not found", rq->ns);
		return err->code = SK_ENOTFOUND;
	}
	if (state > 0) {
		snprintf(err->msg, sizeof err->msg,
		         "%s \"%s\" is forbidden: unable to create new content in namespace %s because it is being "
		         "terminated",
		         rq->resource, rq->name ? rq->name : "", rq->ns);
		return err->code = SK_EFORBIDDEN;
	}
	return SK_OK;
}

static const sk_admission_ops ops = {sizeof ops, "NamespaceLifecycle", NULL, validate};

static int init(sk_plugin *p, sk_err *err)
{
	self = p;
	return sk_register(p, SK_EXT_ADMISSION, &ops, NULL, err);
}

static void fini(sk_plugin *p)
{
	(void)p;
	sk_informer_free(namespaces);
	namespaces = NULL;
}

SK_PLUGIN("namespace-lifecycle", SKIFF_VERSION, "admission: no new objects in missing or terminating namespaces",
          SK_LIST("admission.NamespaceLifecycle"), SK_LIST("api-core"), init, fini);
