/* api-core — the core/v1 API kinds: their types (pod.types, core.types),
 * registrations, defaults, validation and `kubectl get` columns, and the
 * namespaces that exist from the first start. Kind-specific behaviour lives
 * in one file per kind family; this file ties them together. */
#include "kinds.h"
#include <stdio.h>
#include <string.h>

extern const char pod_types[], core_types[];
extern const unsigned long pod_types_len, core_types_len;

#define CORE(plural_, singular_, kind_, ns_, subs_, shorts_, cats_)                                          \
	{                                                                                                     \
		.size = sizeof(sk_resource_ops), .name = plural_, .group = "", .version = "v1", .kind = kind_,   \
		.plural = plural_, .singular = singular_, .list_kind = kind_ "List", .short_names = shorts_,     \
		.categories = cats_, .namespaced = ns_, .subresources = subs_,                                   \
		.type = "io.k8s.api.core.v1." kind_,                                                             \
	}

#define ALL SK_LIST("all")

static sk_resource_ops resources[] = {
	CORE("namespaces", "namespace", "Namespace", 0, SK_SUB_STATUS, SK_LIST("ns"), NULL),
	CORE("pods", "pod", "Pod", 1, SK_SUB_STATUS | SK_SUB_BINDING | SK_SUB_EVICTION | SK_SUB_LOG | SK_SUB_EXEC,
	     SK_LIST("po"), ALL),
	CORE("nodes", "node", "Node", 0, SK_SUB_STATUS, SK_LIST("no"), NULL),
	CORE("services", "service", "Service", 1, SK_SUB_STATUS, SK_LIST("svc"), ALL),
	CORE("endpoints", "endpoints", "Endpoints", 1, 0, SK_LIST("ep"), NULL),
	CORE("configmaps", "configmap", "ConfigMap", 1, 0, SK_LIST("cm"), NULL),
	CORE("secrets", "secret", "Secret", 1, 0, NULL, NULL),
	CORE("serviceaccounts", "serviceaccount", "ServiceAccount", 1, 0, SK_LIST("sa"), NULL),
	CORE("events", "event", "Event", 1, 0, SK_LIST("ev"), NULL),
	CORE("resourcequotas", "resourcequota", "ResourceQuota", 1, SK_SUB_STATUS, SK_LIST("quota"), NULL),
	CORE("limitranges", "limitrange", "LimitRange", 1, 0, SK_LIST("limits"), NULL),
	CORE("persistentvolumes", "persistentvolume", "PersistentVolume", 0, SK_SUB_STATUS, SK_LIST("pv"), NULL),
	CORE("persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", 1, SK_SUB_STATUS,
	     SK_LIST("pvc"), NULL),
	CORE("replicationcontrollers", "replicationcontroller", "ReplicationController", 1,
	     SK_SUB_STATUS | SK_SUB_SCALE, SK_LIST("rc"), ALL),
	CORE("podtemplates", "podtemplate", "PodTemplate", 1, 0, NULL, NULL),
};

/* fields Kubernetes lets clients select on, per kind */
static const char *const pod_fields[] = {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                                         "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
                                         "status.podIP", "status.nominatedNodeName", NULL};
static const char *const node_fields[] = {"spec.unschedulable", NULL};
static const char *const ns_fields[] = {"status.phase", NULL};
static const char *const secret_fields[] = {"type", NULL};
static const char *const event_fields[] = {"involvedObject.kind", "involvedObject.namespace",
                                           "involvedObject.name", "involvedObject.uid",
                                           "involvedObject.apiVersion", "involvedObject.resourceVersion",
                                           "involvedObject.fieldPath", "reason", "reportingComponent", "source",
                                           "type", NULL};
static const char *const rc_fields[] = {"status.replicas", NULL};
static const char *const pv_fields[] = {"name", NULL};

static sk_resource_ops *find(const char *plural)
{
	for (size_t i = 0; i < sizeof resources / sizeof resources[0]; i++)
		if (!strcmp(resources[i].plural, plural))
			return &resources[i];
	return NULL;
}

static int init(sk_plugin *p, sk_err *err)
{
	int rc;
	if ((rc = sk_types_define(p, "pod.types", pod_types, pod_types_len, err)) != SK_OK ||
	    (rc = sk_types_define(p, "core.types", core_types, core_types_len, err)) != SK_OK)
		return rc;
	find("pods")->selectable_fields = pod_fields;
	find("nodes")->selectable_fields = node_fields;
	find("namespaces")->selectable_fields = ns_fields;
	find("secrets")->selectable_fields = secret_fields;
	find("events")->selectable_fields = event_fields;
	find("replicationcontrollers")->selectable_fields = rc_fields;
	(void)pv_fields;
	find("namespaces")->name_rule = SK_NAME_DNS_LABEL;
	find("nodes")->status_on_create = 1;
	find("services")->name_rule = SK_NAME_DNS1035_LABEL;
	kinds_pod(find("pods"));
	kinds_namespace(find("namespaces"));
	kinds_service(find("services"));
	kinds_endpoints(find("endpoints"));
	kinds_configmap(find("configmaps"));
	kinds_secret(find("secrets"));
	kinds_node(find("nodes"));
	kinds_persistentvolume(find("persistentvolumes"));
	kinds_persistentvolumeclaim(find("persistentvolumeclaims"));
	kinds_event(find("events"));
	kinds_limitrange(find("limitranges"));
	kinds_resourcequota(find("resourcequotas"));
	kinds_replicationcontroller(find("replicationcontrollers"));
	kinds_simple(resources, sizeof resources / sizeof resources[0]);
	if ((rc = sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err)) != SK_OK)
		return rc;
	return namespaces_bootstrap_register(p, err);
}

SK_PLUGIN("api-core", SKIFF_VERSION, "the core/v1 API kinds: pods, services, namespaces, nodes, ...",
          SK_LIST("api.core.v1"), SK_LIST(NULL), init, NULL);
