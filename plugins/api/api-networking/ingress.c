/* ingress.c — Ingresses and IngressClasses: the rules, paths, backends and
 * TLS hosts of Kubernetes' Ingress validation, an IngressClass's controller
 * and parameters, and the CLASS HOSTS ADDRESS PORTS columns. */
#include "kinds.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

static const char wildcard_msg[] =
	"a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of "
	"lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', "
	"regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/* a host: a DNS subdomain, or *.subdomain */
static void check_host(const char *host, const char *field, sk_obj *causes)
{
	if (!strchr(host, '*')) {
		sk_check_dns1123_subdomain(causes, field, host);
		return;
	}
	if (strlen(host) > 253)
		sk_cause_invalid_str(causes, field, host, "must be no more than 253 characters");
	if (strncmp(host, "*.", 2) || sk_check_dns1123_subdomain(NULL, NULL, host + 2))
		sk_cause_invalid_str(causes, field, host, "%s", wildcard_msg);
}

/* validateIngressTypedLocalObjectReference: kind and name are path segments
 * (absent ones are the schema's to report) */
static void check_typed_ref(const sk_obj *ref, const char *at, sk_obj *causes)
{
	char f[192];
	const char *group = sk_obj_get_str(ref, "apiGroup"), *kind = sk_obj_get_str(ref, "kind");
	const char *name = sk_obj_get_str(ref, "name");
	snprintf(f, sizeof f, "%s.apiGroup", at);
	if (group)
		sk_check_dns1123_subdomain(causes, f, group);
	snprintf(f, sizeof f, "%s.kind", at);
	if (kind && !*kind)
		sk_cause_required(causes, f, "kind is required");
	else if (kind)
		sk_check_name(causes, f, kind, SK_NAME_PATH_SEGMENT, 0);
	snprintf(f, sizeof f, "%s.name", at);
	if (name && !*name)
		sk_cause_required(causes, f, "name is required");
	else if (name)
		sk_check_name(causes, f, name, SK_NAME_PATH_SEGMENT, 0);
}

static void check_backend(const sk_obj *b, const char *at, sk_obj *causes)
{
	char f[192];
	sk_obj *res = sk_obj_get(b, "resource"), *svc = sk_obj_get(b, "service");
	if (res && svc) {
		sk_cause_invalid_str(causes, at, "", "cannot set both resource and service backends");
		return;
	}
	if (res) {
		snprintf(f, sizeof f, "%s.resource", at);
		check_typed_ref(res, f, causes);
		return;
	}
	if (!svc) {
		sk_cause_invalid_str(causes, at, "", "resource or service backend is required");
		return;
	}
	const char *name = sk_obj_get_str(svc, "name");
	snprintf(f, sizeof f, "%s.service.name", at);
	if (name && !*name)
		sk_cause_required(causes, f, NULL);
	else if (name)
		sk_check_dns1035_label(causes, f, name);
	const char *port_name = sk_obj_get_str(svc, "port.name");
	int64_t number = sk_obj_get_int(svc, "port.number", 0);
	int has_name = port_name && *port_name;
	if (has_name && number)
		sk_cause_invalid_str(causes, at, "", "cannot set both port name & port number");
	else if (has_name) {
		snprintf(f, sizeof f, "%s.service.port.name", at);
		sk_check_port_name(causes, f, port_name);
	} else if (number) {
		snprintf(f, sizeof f, "%s.service.port.number", at);
		sk_check_port_number(causes, f, number);
	} else
		sk_cause_required(causes, at, "port name or number is required");
}

static void check_path(const sk_obj *p, const char *at, sk_obj *causes)
{
	char f[192];
	const char *type = sk_obj_get_str(p, "pathType"), *path = sk_obj_get_str(p, "path") ?: "";
	if (!type) /* the schema reports it missing; Kubernetes stops there */
		return;
	snprintf(f, sizeof f, "%s.path", at);
	if (eq(type, "Exact") || eq(type, "Prefix")) {
		if (*path != '/')
			sk_cause_invalid_str(causes, f, path, "must be an absolute path");
		static const char *const sequences[] = {"//", "/./", "/../", "%2f", "%2F"};
		static const char *const suffixes[] = {"/..", "/."};
		for (size_t i = 0; *path && i < 5; i++)
			if (strstr(path, sequences[i]))
				sk_cause_invalid_str(causes, f, path, "must not contain '%s'", sequences[i]);
		size_t n = strlen(path);
		for (size_t i = 0; *path && i < 2; i++) {
			size_t m = strlen(suffixes[i]);
			if (n >= m && !strcmp(path + n - m, suffixes[i]))
				sk_cause_invalid_str(causes, f, path, "cannot end with '%s'", suffixes[i]);
		}
	} else if (eq(type, "ImplementationSpecific")) {
		if (*path && *path != '/')
			sk_cause_invalid_str(causes, f, path, "must be an absolute path");
	} /* other values: the schema's enum reports them */
	snprintf(f, sizeof f, "%s.backend", at);
	check_backend(sk_obj_get(p, "backend"), f, causes);
}

static void check_rules(const sk_obj *rules, sk_obj *causes)
{
	char f[128];
	for (size_t i = 0; i < sk_obj_len(rules); i++) {
		sk_obj *r = sk_obj_at(rules, i);
		const char *host = sk_obj_get_str(r, "host");
		snprintf(f, sizeof f, "spec.rules[%zu].host", i);
		if (host && *host) {
			if (!sk_check_ip(NULL, NULL, host))
				sk_cause_invalid_str(causes, f, host, "must be a DNS name, not an IP address");
			check_host(host, f, causes);
		}
		sk_obj *http = sk_obj_get(r, "http");
		if (!http)
			continue;
		sk_obj *paths = sk_obj_get(http, "paths");
		snprintf(f, sizeof f, "spec.rules[%zu].http.paths", i);
		if (paths && !sk_obj_len(paths))
			sk_cause_required(causes, f, NULL);
		for (size_t k = 0; k < sk_obj_len(paths); k++) {
			snprintf(f, sizeof f, "spec.rules[%zu].http.paths[%zu]", i, k);
			check_path(sk_obj_at(paths, k), f, causes);
		}
	}
}

static void check_tls(const sk_obj *tls, sk_obj *causes)
{
	char f[128];
	for (size_t i = 0; i < sk_obj_len(tls); i++) {
		sk_obj *t = sk_obj_at(tls, i), *hosts = sk_obj_get(t, "hosts");
		for (size_t k = 0; k < sk_obj_len(hosts); k++) {
			snprintf(f, sizeof f, "spec.tls[%zu].hosts[%zu]", i, k);
			check_host(sk_obj_str(sk_obj_at(hosts, k)) ?: "", f, causes);
		}
		const char *secret = sk_obj_get_str(t, "secretName");
		snprintf(f, sizeof f, "spec.tls[%zu].secretName", i);
		if (secret && *secret)
			sk_check_dns1123_subdomain(causes, f, secret);
	}
}

static void check_status(const sk_obj *ing, sk_obj *causes)
{
	sk_obj *list = sk_obj_get(ing, "status.loadBalancer.ingress");
	char f[128];
	for (size_t i = 0; i < sk_obj_len(list); i++) {
		sk_obj *e = sk_obj_at(list, i);
		const char *ip = sk_obj_get_str(e, "ip"), *host = sk_obj_get_str(e, "hostname");
		snprintf(f, sizeof f, "status.loadBalancer.ingress[%zu].ip", i);
		if (ip && *ip)
			sk_check_ip(causes, f, ip);
		snprintf(f, sizeof f, "status.loadBalancer.ingress[%zu].hostname", i);
		if (host && *host) {
			sk_check_dns1123_subdomain(causes, f, host);
			if (!sk_check_ip(NULL, NULL, host))
				sk_cause_invalid_str(causes, f, host, "must be a DNS name, not an IP address");
		}
	}
}

static int ingress_validate(void *ud, const sk_obj *ing, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	size_t before = sk_obj_len(causes);
	sk_obj *rules = sk_obj_get(ing, "spec.rules"), *def = sk_obj_get(ing, "spec.defaultBackend");
	if (!sk_obj_len(rules) && !def)
		/* Kubernetes prints the missing rules as the nil Go slice they are */
		sk_cause(causes, "FieldValueInvalid", "spec",
		         "Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified");
	if (def)
		check_backend(def, "spec.defaultBackend", causes);
	check_rules(rules, causes);
	check_tls(sk_obj_get(ing, "spec.tls"), causes);
	const char *cls = sk_obj_get_str(ing, "spec.ingressClassName");
	if (cls && *cls)
		sk_check_dns1123_subdomain(causes, "spec.ingressClassName", cls);
	const char *annotation = sk_obj_get_str(ing, "metadata.annotations[\"kubernetes.io/ingress.class\"]");
	if (!old && annotation && cls && strcmp(annotation, cls))
		sk_cause_invalid_str(causes, "annotations.kubernetes.io/ingress.class", annotation,
		                     "must match `ingressClassName` when both are specified");
	check_status(ing, causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

/* ---- Ingress columns -------------------------------------------------------- */

static const sk_column ingress_cols[] = {
	{"Class", "string", "The name of the IngressClass resource that should be used for additional configuration", 0, NULL},
	{"Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule", 0, NULL},
	{"Address", "string", "Address is a list containing ingress points for the load-balancer", 0, NULL},
	{"Ports", "string", "Ports of TLS configurations that open", 0, NULL},
	{"Age", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp"},
	{NULL, NULL, NULL, 0, NULL},
};

static void append(char *buf, size_t cap, const char *sep, const char *s)
{
	size_t n = strlen(buf);
	if (n < cap)
		snprintf(buf + n, cap - n, "%s%s", n ? sep : "", s);
}

/* formatHosts: the first three hosts, "*" when none names one */
static void format_hosts(const sk_obj *rules, char *out, size_t cap)
{
	size_t listed = 0, n = sk_obj_len(rules);
	int more = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (listed == 3)
			more = 1;
		const char *h = sk_obj_get_str(sk_obj_at(rules, i), "host");
		if (!more && h && *h) {
			append(out, cap, ",", h);
			listed++;
		}
	}
	if (!listed) {
		snprintf(out, cap, "*");
		return;
	}
	if (more) {
		size_t len = strlen(out);
		snprintf(out + len, cap - len, " + %zu more...", n - 3);
	}
}

static int by_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* the load balancer's IPs or hostnames, unique and sorted */
static void format_address(const sk_obj *list, char *out, size_t cap)
{
	const char *v[64];
	size_t n = 0;
	for (size_t i = 0; i < sk_obj_len(list) && n < 64; i++) {
		const char *ip = sk_obj_get_str(sk_obj_at(list, i), "ip"), *h = sk_obj_get_str(sk_obj_at(list, i), "hostname");
		const char *a = ip && *ip ? ip : h && *h ? h : NULL;
		int dup = 0;
		for (size_t k = 0; a && k < n; k++)
			dup |= !strcmp(v[k], a);
		if (a && !dup)
			v[n++] = a;
	}
	qsort(v, n, sizeof *v, by_text);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		append(out, cap, ",", v[i]);
}

static void ingress_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	char buf[2048];
	sk_obj_set_str(cells, "[0]", sk_obj_get_str(o, "spec.ingressClassName") ?: "<none>", NULL);
	format_hosts(sk_obj_get(o, "spec.rules"), buf, sizeof buf);
	sk_obj_set_str(cells, "[1]", buf, NULL);
	format_address(sk_obj_get(o, "status.loadBalancer.ingress"), buf, sizeof buf);
	sk_obj_set_str(cells, "[2]", buf, NULL);
	sk_obj_set_str(cells, "[3]", sk_obj_len(sk_obj_get(o, "spec.tls")) ? "80, 443" : "80", NULL);
}

void networking_ingress(sk_resource_ops *r)
{
	r->validate = ingress_validate;
	r->columns = ingress_cols;
	r->row = ingress_row;
}

/* ---- IngressClass ------------------------------------------------------------ */

#define CONTROLLER_MAX 250

/* IsDomainPrefixedPath: host/path, as "acme.io/ingress-controller" */
static void check_controller(const char *c, sk_obj *causes)
{
	static const char f[] = "spec.controller";
	if (strlen(c) > CONTROLLER_MAX)
		sk_cause_too_long(causes, f, CONTROLLER_MAX);
	if (!*c) {
		sk_cause_required(causes, f, NULL);
		return;
	}
	const char *slash = strchr(c, '/');
	if (!slash || slash == c || !slash[1]) {
		sk_cause_invalid_str(causes, f, c, "must be a domain-prefixed path (such as \"acme.io/foo\")");
		return;
	}
	char host[300];
	snprintf(host, sizeof host, "%.*s", (int)(slash - c), c);
	const char *bad = sk_check_dns1123_subdomain(NULL, NULL, host);
	if (bad)
		sk_cause_invalid_str(causes, f, host, "%s", bad);
	const char *path = slash + 1;
	if (path[strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-._~%!$&'()*+,;=:")])
		sk_cause_invalid_str(causes, f, path,
		                     "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%%!$&'()*+,;=:]+')");
}

static void check_parameters(const sk_obj *p, sk_obj *causes)
{
	if (!p)
		return;
	check_typed_ref(p, "spec.parameters", causes);
	const char *scope = sk_obj_get_str(p, "scope"), *ns = sk_obj_get_str(p, "namespace");
	static const char *const scopes[] = {"Cluster", "Namespace", NULL};
	if (!scope)
		sk_cause_required(causes, "spec.parameters.scope", NULL);
	else if (!eq(scope, "Cluster") && !eq(scope, "Namespace"))
		sk_cause_not_supported(causes, "spec.parameters.scope", scope, scopes);
	else if (eq(scope, "Namespace")) {
		if (!ns)
			sk_cause_required(causes, "spec.parameters.namespace", "`parameters.scope` is set to 'Namespace'");
		else
			sk_check_dns1123_label(causes, "spec.parameters.namespace", ns);
	} else if (ns)
		sk_cause_forbidden(causes, "spec.parameters.namespace", "`parameters.scope` is set to 'Cluster'");
}

static int ingressclass_validate(void *ud, const sk_obj *ic, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	check_controller(sk_obj_get_str(ic, "spec.controller") ?: "", causes);
	check_parameters(sk_obj_get(ic, "spec.parameters"), causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

static const sk_column ingressclass_cols[] = {
	{"Controller", "string", "Controller that is responsible for handling this class", 0, ".spec.controller"},
	{"Parameters", "string", "A reference to a resource with additional parameters", 0, NULL},
	{"Age", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp"},
	{NULL, NULL, NULL, 0, NULL},
};

/* Kind[.apiGroup]/name of the parameters, or <none> */
static void ingressclass_row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	sk_obj_set_str(cells, "[0]", sk_obj_get_str(o, "spec.controller") ?: "", NULL);
	sk_obj *p = sk_obj_get(o, "spec.parameters");
	char buf[1024] = "<none>";
	if (p) {
		const char *group = sk_obj_get_str(p, "apiGroup");
		snprintf(buf, sizeof buf, "%s%s%s/%s", sk_obj_get_str(p, "kind") ?: "", group ? "." : "", group ? group : "",
		         sk_obj_get_str(p, "name") ?: "");
	}
	sk_obj_set_str(cells, "[1]", buf, NULL);
}

void networking_ingressclass(sk_resource_ops *r)
{
	r->validate = ingressclass_validate;
	r->columns = ingressclass_cols;
	r->row = ingressclass_row;
}
