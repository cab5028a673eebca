/* kinds.h — the per-kind pieces of api-core, each in its own file.
 *
 * Each kinds_X() fills a registration's defaults, validation and, where the
 * kind has them, columns; plugin.c calls them before registering. The
 * helpers declared below are shared by several kinds. Nothing here owns
 * memory beyond the call. */
#ifndef API_CORE_KINDS_H
#define API_CORE_KINDS_H
#include <skiff/skiff.h>
#include <stdio.h>

/* pod.c: defaults, validation and columns of Pods */
void kinds_pod(sk_resource_ops *r);
/* binding.c: POST pods/NAME/binding (sk_resource_ops.act) */
int pod_act(void *ud, const char *subresource, const sk_obj *body, sk_obj *pod, sk_err *err);
/* namespace.c: Namespaces, and the ones that exist from the first start */
void kinds_namespace(sk_resource_ops *r);
int namespaces_bootstrap_register(sk_plugin *p, sk_err *err);
/* columns.c: `kubectl get` columns of the other kinds */
void kinds_simple(sk_resource_ops *v, size_t n);
/* service.c: Services */
void kinds_service(sk_resource_ops *r);
/* configdata.c: ConfigMaps and Secrets */
void kinds_configmap(sk_resource_ops *r);
void kinds_secret(sk_resource_ops *r);
/* node.c: Nodes */
void kinds_node(sk_resource_ops *r);
/* volume.c: PersistentVolumes and PersistentVolumeClaims */
void kinds_persistentvolume(sk_resource_ops *r);
void kinds_persistentvolumeclaim(sk_resource_ops *r);
/* event.c: core/v1 Events */
void kinds_event(sk_resource_ops *r);
/* limitrange.c: LimitRanges */
void kinds_limitrange(sk_resource_ops *r);
/* quota.c: ResourceQuotas */
void kinds_resourcequota(sk_resource_ops *r);
/* replication.c: ReplicationControllers */
void kinds_replicationcontroller(sk_resource_ops *r);
/* endpoints.c: Endpoints */
void kinds_endpoints(sk_resource_ops *r);

/* endpoints.c: ValidateNonSpecialIP, shared with Services' externalIPs: an
 * address that is not unspecified, loopback or link-local */
void kinds_check_endpoint_ip(sk_obj *causes, const char *field, const char *ip);

/* resources.c: resource lists (requests, limits, capacity, quota) */
/* a quantity written as a string or a JSON number; 0 when it parses */
int kinds_quantity(const sk_obj *v, sk_quantity *q);
/* its canonical form ("0" when absent or malformed) */
void kinds_quantity_text(const sk_obj *v, char *out, size_t cap);
/* IsIntegerResourceName, IsStandardResourceName, IsNativeResource,
 * IsExtendedResourceName of Kubernetes' core helper */
int kinds_integer_resource(const char *name);
int kinds_standard_resource(const char *name);
int kinds_native_resource(const char *name);
int kinds_extended_resource(const char *name);
/* validateResourceName: a qualified name, standard unless it has a '/' */
int kinds_check_resource_name(sk_obj *causes, const char *field, const char *name);
/* ValidateResourceQuantityValue: not negative, whole for integer resources */
void kinds_check_quantity_value(sk_obj *causes, const char *field, const char *name, const sk_obj *v);

/* The path of one key of a map under `prefix`, quoted as skiff/obj.h wants
 * (prefix["a.b/c"]); keys a client wrote may hold any character. Returns 0,
 * or -1 when it does not fit in cap. */
static inline int kinds_key_path(char *out, size_t cap, const char *prefix, const char *key)
{
	int w = snprintf(out, cap, "%s[\"", prefix);
	if (w < 0 || (size_t)w >= cap)
		return -1;
	size_t n = (size_t)w;
	for (; *key; key++) {
		if (n + 5 > cap)
			return -1;
		if (*key == '"' || *key == '\\')
			out[n++] = '\\';
		out[n++] = *key;
	}
	out[n++] = '"';
	out[n++] = ']';
	out[n] = '\0';
	return 0;
}

#endif
