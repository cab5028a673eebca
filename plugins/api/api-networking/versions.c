/* versions.c — Ingress in the versions Kubernetes removed in 1.22
 * (extensions/v1beta1, networking.k8s.io/v1beta1), served over the
 * networking.k8s.io/v1 objects: a backend's serviceName/servicePort is
 * v1's service {name, port {number | name}}, and a path without a type is
 * ImplementationSpecific. */
#include "versions.h"
#include <stdio.h>
#include <string.h>

/* serviceName/servicePort at `at` → service {name, port} */
static void backend_in(sk_obj *b)
{
	if (!b)
		return;
	const char *name = sk_obj_get_str(b, "serviceName");
	sk_obj *port = sk_obj_get(b, "servicePort");
	if (name)
		sk_obj_set_str(b, "service.name", name, NULL);
	if (port && sk_obj_type_of(port) == SK_OBJ_STRING)
		sk_obj_set_str(b, "service.port.name", sk_obj_str(port), NULL);
	else if (port)
		sk_obj_set_int(b, "service.port.number", sk_obj_int(port), NULL);
	sk_obj_del(b, "serviceName");
	sk_obj_del(b, "servicePort");
}

static void backend_out(sk_obj *b)
{
	if (!b || !sk_obj_get(b, "service"))
		return;
	const char *name = sk_obj_get_str(b, "service.name"), *pname = sk_obj_get_str(b, "service.port.name");
	if (name)
		sk_obj_set_str(b, "serviceName", name, NULL);
	if (pname)
		sk_obj_set_str(b, "servicePort", pname, NULL);
	else if (sk_obj_get(b, "service.port.number"))
		sk_obj_set_int(b, "servicePort", sk_obj_get_int(b, "service.port.number", 0), NULL);
	sk_obj_del(b, "service");
}

static void each_path(sk_obj *obj, void (*fn)(sk_obj *backend), int in)
{
	sk_obj *rules = sk_obj_get(obj, "spec.rules");
	for (size_t i = 0; i < sk_obj_len(rules); i++) {
		sk_obj *paths = sk_obj_get(sk_obj_at(rules, i), "http.paths");
		for (size_t k = 0; k < sk_obj_len(paths); k++) {
			sk_obj *p = sk_obj_at(paths, k);
			fn(sk_obj_get(p, "backend"));
			if (in && !sk_obj_get_str(p, "pathType"))
				sk_obj_set_str(p, "pathType", "ImplementationSpecific", NULL);
		}
	}
}

static int ingress_in(void *ud, sk_obj *obj, sk_err *err)
{
	(void)ud;
	(void)err;
	sk_obj *b = sk_obj_get(obj, "spec.backend");
	if (b) {
		sk_obj_set(obj, "spec.defaultBackend", b, NULL);
		sk_obj_del(obj, "spec.backend");
	}
	backend_in(sk_obj_get(obj, "spec.defaultBackend"));
	each_path(obj, backend_in, 1);
	return SK_OK;
}

static int ingress_out(void *ud, sk_obj *obj, sk_err *err)
{
	(void)ud;
	(void)err;
	sk_obj *b = sk_obj_get(obj, "spec.defaultBackend");
	if (b) {
		sk_obj_set(obj, "spec.backend", b, NULL);
		sk_obj_del(obj, "spec.defaultBackend");
	}
	backend_out(sk_obj_get(obj, "spec.backend"));
	each_path(obj, backend_out, 0);
	return SK_OK;
}

/* NetworkPolicy kept its shape when it moved to networking.k8s.io */
static int same_shape(void *ud, sk_obj *obj, sk_err *err)
{
	(void)ud;
	(void)obj;
	(void)err;
	return SK_OK;
}

#define OLD(group_, version_, plural_, singular_, kind_, subs_, shorts_, pkg_, in_, out_, deprecated_, gone_)      \
	{                                                                                                     \
		.size = sizeof(sk_resource_ops), .name = plural_ "." version_ "." group_, .group = group_,      \
		.version = version_, .kind = kind_, .plural = plural_, .singular = singular_,                    \
		.list_kind = kind_ "List", .short_names = shorts_, .namespaced = 1, .subresources = subs_,       \
		.type = pkg_ "." kind_, .storage = plural_ ".networking.k8s.io", .to_storage = in_,              \
		.from_storage = out_,                                                                            \
		.deprecation = group_ "/" version_ " " kind_ " is deprecated in v" deprecated_ "+, unavailable in v"   \
		                                                                gone_ "+; use networking.k8s.io/v1 " kind_, \
	}

static const sk_resource_ops old_versions[] = {
	OLD("extensions", "v1beta1", "ingresses", "ingress", "Ingress", SK_SUB_STATUS, NULL,
	    "io.k8s.api.extensions.v1beta1", ingress_in, ingress_out, "1.14", "1.22"),
	OLD("networking.k8s.io", "v1beta1", "ingresses", "ingress", "Ingress", SK_SUB_STATUS, NULL,
	    "io.k8s.api.networking.v1beta1", ingress_in, ingress_out, "1.19", "1.22"),
	OLD("extensions", "v1beta1", "networkpolicies", "networkpolicy", "NetworkPolicy", 0, NULL,
	    "io.k8s.api.networking.v1", same_shape, same_shape, "1.9", "1.16"),
};

int networking_old_versions_register(sk_plugin *p, sk_err *err)
{
	return sk_register_resources(p, old_versions, sizeof old_versions / sizeof old_versions[0], err);
}
