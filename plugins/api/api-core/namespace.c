/* namespace.c — Namespaces: their defaults and columns, and default,
 * kube-system, kube-public and kube-node-lease, created at first start as
 * Kubernetes' system namespaces controller does. */
#include "kinds.h"
#include <stdio.h>
#include <string.h>

static void defaults(void *ud, sk_obj *ns)
{
	(void)ud;
	const char *name = sk_obj_get_str(ns, "metadata.name");
	/* the immutable label Kubernetes puts on every namespace (1.21+) */
	if (name)
		sk_obj_set_str(ns, "metadata.labels[\"kubernetes.io/metadata.name\"]", name, NULL);
	if (!sk_obj_get(ns, "spec.finalizers")) {
		sk_obj *f = sk_obj_new_array(), *k = sk_obj_new_str("kubernetes");
		sk_obj_append(f, k);
		sk_obj_unref(k);
		sk_obj_set(ns, "spec.finalizers", f, NULL);
		sk_obj_unref(f);
	}
	if (!sk_obj_get_str(ns, "status.phase"))
		sk_obj_set_str(ns, "status.phase", "Active", NULL);
}

static const sk_column columns[] = {
	{"Status", "string", "The status of the namespace", 0, ".status.phase"},
	{"Age", "date", "", 0, ".metadata.creationTimestamp"},
	{NULL, NULL, NULL, 0, NULL},
};

void kinds_namespace(sk_resource_ops *r)
{
	r->defaults = defaults;
	r->columns = columns;
}

static const char *const system_namespaces[] = {"default", "kube-system", "kube-public", "kube-node-lease"};

static sk_plugin *self;

static void created(void *ud, const sk_err *err, const sk_obj *stored)
{
	(void)stored;
	const char *name = ud;
	if (err && err->code != SK_EEXIST)
		sk_log(self, SK_LOG_ERROR, "api-core: creating namespace %s: %s", name, err->msg);
}

static int start(void *ud, sk_err *err)
{
	(void)ud;
	(void)err;
	for (size_t i = 0; i < sizeof system_namespaces / sizeof system_namespaces[0]; i++) {
		sk_obj *have = NULL;
		if (sk_api_get("", "namespaces", NULL, system_namespaces[i], &have, NULL) == SK_OK) {
			sk_obj_unref(have);
			continue;
		}
		sk_obj *ns = sk_obj_new_object();
		sk_obj_set_str(ns, "apiVersion", "v1", NULL);
		sk_obj_set_str(ns, "kind", "Namespace", NULL);
		sk_obj_set_str(ns, "metadata.name", system_namespaces[i], NULL);
		defaults(NULL, ns);
		sk_api_create(self, "", "namespaces", NULL, ns, created, (void *)system_namespaces[i]);
		sk_obj_unref(ns);
	}
	return SK_OK;
}

static const sk_controller_ops bootstrap = {sizeof bootstrap, "system-namespaces", start, NULL};

int namespaces_bootstrap_register(sk_plugin *p, sk_err *err)
{
	self = p;
	return sk_register(p, SK_EXT_CONTROLLER, &bootstrap, NULL, err);
}
