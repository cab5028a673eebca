/* service.c — Services: the defaults Kubernetes derives from other fields
 * (targetPort, traffic policies, the ClientIP affinity timeout, node ports
 * for load balancers, clusterIPs and the IP family policy from a user's
 * clusterIP) and the rules of ValidateService / ValidateServiceUpdate.
 * Allocating cluster IPs and node ports is the networking plugins' work. */
#include "kinds.h"
#include <string.h>

#define CLIENT_IP_TIMEOUT_DEFAULT 10800 /* DefaultClientIPServiceAffinitySeconds */
#define CLIENT_IP_TIMEOUT_MAX 86400     /* MaxClientIPServiceAffinitySeconds */

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

/* sk_obj_append adds its own reference: drop the one sk_obj_new_str made */
static void append_str(sk_obj *arr, const char *s)
{
	sk_obj *v = sk_obj_new_str(s);
	sk_obj_append(arr, v);
	sk_obj_unref(v);
}

static int externally_accessible(const sk_obj *svc)
{
	const char *type = sk_obj_get_str(svc, "spec.type");
	return eq(type, "LoadBalancer") || eq(type, "NodePort") ||
	       (eq(type, "ClusterIP") && sk_obj_len(sk_obj_get(svc, "spec.externalIPs")) > 0);
}

static int headless(const sk_obj *svc)
{
	sk_obj *ips = sk_obj_get(svc, "spec.clusterIPs");
	return sk_obj_len(ips) == 1 && eq(sk_obj_str(sk_obj_at(ips, 0)), "None");
}

static void set_list1(sk_obj *obj, const char *path, const char *v)
{
	sk_obj *a = sk_obj_new_array();
	append_str(a, v);
	sk_obj_set(obj, path, a, NULL);
	sk_obj_unref(a);
}

/* initIPFamilyFields' choice of a policy and families for what the user
 * gave; families of allocated IPs are left to the allocator */
static void ip_family_defaults(sk_obj *svc)
{
	sk_obj *ips = sk_obj_get(svc, "spec.clusterIPs");
	size_t nips = sk_obj_len(ips), nfam = sk_obj_len(sk_obj_get(svc, "spec.ipFamilies"));
	if (!sk_obj_get_str(svc, "spec.ipFamilyPolicy")) {
		const char *policy = "SingleStack";
		if (eq(sk_obj_get_str(svc, "spec.clusterIP"), "None") && !sk_obj_len(sk_obj_get(svc, "spec.selector")))
			policy = "RequireDualStack"; /* headless and selectorless: as many families as the cluster has */
		else if (nfam == 2 || nips == 2)
			policy = "RequireDualStack";
		sk_obj_set_str(svc, "spec.ipFamilyPolicy", policy, NULL);
	}
	if (nfam || !nips || headless(svc))
		return;
	sk_obj *fams = sk_obj_new_array();
	for (size_t i = 0; i < nips && i < 2; i++) {
		const char *ip = sk_obj_str(sk_obj_at(ips, i));
		if (!ip || sk_check_ip(NULL, NULL, ip))
			break;
		append_str(fams, strchr(ip, ':') ? "IPv6" : "IPv4");
	}
	if (sk_obj_len(fams))
		sk_obj_set(svc, "spec.ipFamilies", fams, NULL);
	sk_obj_unref(fams);
}

static void defaults(void *ud, sk_obj *svc)
{
	(void)ud;
	const char *type = sk_obj_get_str(svc, "spec.type");
	const char *affinity = sk_obj_get_str(svc, "spec.sessionAffinity");
	if (eq(affinity, "None"))
		sk_obj_del(svc, "spec.sessionAffinityConfig");
	else if (eq(affinity, "ClientIP") && !sk_obj_get(svc, "spec.sessionAffinityConfig.clientIP.timeoutSeconds")) {
		sk_obj *cfg = sk_obj_new_object();
		sk_obj_set_int(cfg, "clientIP.timeoutSeconds", CLIENT_IP_TIMEOUT_DEFAULT, NULL);
		sk_obj_set(svc, "spec.sessionAffinityConfig", cfg, NULL);
		sk_obj_unref(cfg);
	}
	sk_obj *ports = sk_obj_get(svc, "spec.ports");
	for (size_t i = 0; i < sk_obj_len(ports); i++) {
		sk_obj *p = sk_obj_at(ports, i), *tp = sk_obj_get(p, "targetPort");
		int unset = !tp || (sk_obj_type_of(tp) == SK_OBJ_INT && sk_obj_int(tp) == 0) ||
		            (sk_obj_type_of(tp) == SK_OBJ_STRING && !*sk_obj_str(tp));
		if (unset)
			sk_obj_set_int(p, "targetPort", sk_obj_get_int(p, "port", 0), NULL);
	}
	if (externally_accessible(svc) && !sk_obj_get_str(svc, "spec.externalTrafficPolicy"))
		sk_obj_set_str(svc, "spec.externalTrafficPolicy", "Cluster", NULL);
	if ((eq(type, "NodePort") || eq(type, "LoadBalancer") || eq(type, "ClusterIP")) &&
	    !sk_obj_get_str(svc, "spec.internalTrafficPolicy"))
		sk_obj_set_str(svc, "spec.internalTrafficPolicy", "Cluster", NULL);
	if (eq(type, "LoadBalancer") && !sk_obj_get(svc, "spec.allocateLoadBalancerNodePorts"))
		sk_obj_set_bool(svc, "spec.allocateLoadBalancerNodePorts", 1, NULL);
	/* normalizeClusterIPs: a client that only knows clusterIP */
	const char *ip = sk_obj_get_str(svc, "spec.clusterIP");
	if (ip && *ip && !sk_obj_len(sk_obj_get(svc, "spec.clusterIPs")))
		set_list1(svc, "spec.clusterIPs", ip);
	if (!eq(type, "ExternalName"))
		ip_family_defaults(svc);
}

/* ---- validation ----------------------------------------------------------- */

/* targetPorts of headless services are tolerated in v1, as Kubernetes does */
static void check_ports(const sk_obj *svc, sk_obj *causes)
{
	sk_obj *ports = sk_obj_get(svc, "spec.ports");
	size_t n = sk_obj_len(ports);
	char f[96];
	for (size_t i = 0; i < n; i++) {
		sk_obj *p = sk_obj_at(ports, i);
		const char *name = sk_obj_get_str(p, "name");
		snprintf(f, sizeof f, "spec.ports[%zu].name", i);
		if (n > 1 && (!name || !*name))
			sk_cause_required(causes, f, NULL);
		else if (name && *name) {
			sk_check_dns1123_label(causes, f, name);
			for (size_t k = 0; k < i; k++)
				if (eq(sk_obj_get_str(sk_obj_at(ports, k), "name"), name)) {
					sk_cause_duplicate(causes, f, name);
					break;
				}
		}
		snprintf(f, sizeof f, "spec.ports[%zu].port", i);
		sk_check_port_number(causes, f, sk_obj_get_int(p, "port", 0));
		sk_obj *tp = sk_obj_get(p, "targetPort");
		snprintf(f, sizeof f, "spec.ports[%zu].targetPort", i);
		if (sk_obj_type_of(tp) == SK_OBJ_STRING)
			sk_check_port_name(causes, f, sk_obj_str(tp));
		else if (tp)
			sk_check_port_number(causes, f, sk_obj_int(tp));
		const char *app = sk_obj_get_str(p, "appProtocol");
		snprintf(f, sizeof f, "spec.ports[%zu].appProtocol", i);
		if (app)
			sk_check_qualified_name(causes, f, app);
	}
}

static void check_affinity(const sk_obj *svc, sk_obj *causes)
{
	if (!eq(sk_obj_get_str(svc, "spec.sessionAffinity"), "ClientIP"))
		return;
	static const char when[] = "when session affinity type is ClientIP";
	if (!sk_obj_get(svc, "spec.sessionAffinityConfig"))
		sk_cause_required(causes, "spec.sessionAffinityConfig", when);
	else if (!sk_obj_get(svc, "spec.sessionAffinityConfig.clientIP"))
		sk_cause_required(causes, "spec.sessionAffinityConfig.clientIP", when);
	else if (!sk_obj_get(svc, "spec.sessionAffinityConfig.clientIP.timeoutSeconds"))
		sk_cause_required(causes, "spec.sessionAffinityConfig.clientIP.timeoutSeconds", when);
	else {
		int64_t t = sk_obj_get_int(svc, "spec.sessionAffinityConfig.clientIP.timeoutSeconds", 0);
		if (t <= 0 || t > CLIENT_IP_TIMEOUT_MAX)
			sk_cause_invalid_int(causes, "spec.sessionAffinityConfig.clientIP.timeoutSeconds", t,
			                     "must be greater than 0 and less than %d", CLIENT_IP_TIMEOUT_MAX);
	}
}

/* ValidateServiceClusterIPsRelatedFields */
static void check_cluster_ips(const sk_obj *svc, sk_obj *causes)
{
	if (eq(sk_obj_get_str(svc, "spec.type"), "ExternalName"))
		return;
	const char *ip = sk_obj_get_str(svc, "spec.clusterIP");
	sk_obj *ips = sk_obj_get(svc, "spec.clusterIPs"), *fams = sk_obj_get(svc, "spec.ipFamilies");
	size_t n = sk_obj_len(ips);
	char f[64];
	if (ip && *ip) {
		if (!n)
			sk_cause_required(causes, "spec.clusterIPs", NULL);
		else if (!eq(sk_obj_str(sk_obj_at(ips, 0)), ip))
			sk_cause_invalid_obj(causes, "spec.clusterIPs", ips, "first value must match `clusterIP`");
	} else if (n)
		sk_cause_invalid_obj(causes, "spec.clusterIPs", ips, "must be empty when `clusterIP` is not specified");
	static const char *const families[] = {"IPv4", "IPv6", NULL};
	for (size_t i = 0; i < sk_obj_len(fams); i++) {
		const char *fam = sk_obj_str(sk_obj_at(fams, i));
		snprintf(f, sizeof f, "spec.ipFamilies[%zu]", i);
		if (!eq(fam, "IPv4") && !eq(fam, "IPv6"))
			sk_cause_not_supported(causes, f, fam, families);
		for (size_t k = 0; k < i; k++)
			if (eq(sk_obj_str(sk_obj_at(fams, k)), fam)) {
				sk_cause_duplicate(causes, f, fam);
				break;
			}
	}
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		const char *v = sk_obj_str(sk_obj_at(ips, i));
		if (i == 0 && eq(v, "None")) {
			if (n > 1) {
				bad = 1;
				sk_cause_invalid_obj(causes, "spec.clusterIPs", ips, "'None' must be the first and only value");
			}
			continue;
		}
		snprintf(f, sizeof f, "spec.clusterIPs[%zu]", i);
		if (sk_check_ip(causes, f, v))
			bad = 1;
	}
	if (n > 2)
		sk_cause_invalid_obj(causes, "spec.clusterIPs", ips, "may only hold up to 2 values");
	if (bad)
		return;
	if (n == 2 && !strchr(sk_obj_str(sk_obj_at(ips, 0)), ':') == !strchr(sk_obj_str(sk_obj_at(ips, 1)), ':'))
		sk_cause_invalid_obj(causes, "spec.clusterIPs", ips, "may specify no more than one IP for each IP family");
	if (headless(svc))
		return;
	for (size_t i = 0; i < n && i < sk_obj_len(fams); i++) {
		const char *v = sk_obj_str(sk_obj_at(ips, i)), *fam = sk_obj_str(sk_obj_at(fams, i));
		int v6 = v && strchr(v, ':') != NULL;
		snprintf(f, sizeof f, "spec.clusterIPs[%zu]", i);
		if (eq(fam, "IPv4") && v6)
			sk_cause_invalid_str(causes, f, v, "expected an IPv4 value as indicated by `ipFamilies[%zu]`", i);
		if (eq(fam, "IPv6") && !v6)
			sk_cause_invalid_str(causes, f, v, "expected an IPv6 value as indicated by `ipFamilies[%zu]`", i);
	}
}

static void check_type_rules(const sk_obj *svc, int is_headless, sk_obj *causes)
{
	const char *type = sk_obj_get_str(svc, "spec.type");
	sk_obj *ips = sk_obj_get(svc, "spec.clusterIPs");
	if ((eq(type, "LoadBalancer") || eq(type, "NodePort")) && is_headless)
		sk_cause_invalid_str(causes, "spec.clusterIPs[0]", "None", "may not be set to 'None' for %s services", type);
	if (eq(type, "ExternalName")) {
		if (sk_obj_len(ips))
			sk_cause_forbidden(causes, "spec.clusterIPs", "may not be set for ExternalName services");
		if (sk_obj_len(sk_obj_get(svc, "spec.ipFamilies")))
			sk_cause_forbidden(causes, "spec.ipFamilies", "may not be set for ExternalName services");
		if (sk_obj_get(svc, "spec.ipFamilyPolicy"))
			sk_cause_forbidden(causes, "spec.ipFamilyPolicy", "may not be set for ExternalName services");
		/* a CNAME may end with a dot to mark it fully qualified */
		char cname[300];
		snprintf(cname, sizeof cname, "%s", sk_obj_get_str(svc, "spec.externalName") ?: "");
		size_t len = strlen(cname);
		if (len && cname[len - 1] == '.')
			cname[--len] = '\0';
		if (len)
			sk_check_dns1123_subdomain(causes, "spec.externalName", cname);
		else
			sk_cause_required(causes, "spec.externalName", NULL);
	}
}

static void check_external_ips(const sk_obj *svc, sk_obj *causes)
{
	sk_obj *ext = sk_obj_get(svc, "spec.externalIPs");
	char f[64];
	for (size_t i = 0; i < sk_obj_len(ext); i++) {
		const char *ip = sk_obj_str(sk_obj_at(ext, i));
		snprintf(f, sizeof f, "spec.externalIPs[%zu]", i);
		if (!sk_check_ip(causes, f, ip))
			kinds_check_endpoint_ip(causes, f, ip);
	}
}

/* (protocol, port) pairs and (protocol, nodePort) pairs are unique */
static void check_duplicate_ports(const sk_obj *svc, sk_obj *causes)
{
	sk_obj *ports = sk_obj_get(svc, "spec.ports");
	const char *type = sk_obj_get_str(svc, "spec.type");
	char f[64];
	for (size_t i = 0; i < sk_obj_len(ports); i++) {
		sk_obj *p = sk_obj_at(ports, i);
		int64_t np = sk_obj_get_int(p, "nodePort", 0);
		if (eq(type, "ClusterIP") && np) {
			snprintf(f, sizeof f, "spec.ports[%zu].nodePort", i);
			sk_cause_forbidden(causes, f, "may not be used when `type` is 'ClusterIP'");
		}
	}
	for (size_t i = 0; i < sk_obj_len(ports); i++) {
		sk_obj *p = sk_obj_at(ports, i);
		int64_t np = sk_obj_get_int(p, "nodePort", 0);
		const char *proto = sk_obj_get_str(p, "protocol") ?: "";
		for (size_t k = 0; np && k < i; k++) {
			sk_obj *q = sk_obj_at(ports, k);
			if (sk_obj_get_int(q, "nodePort", 0) == np && eq(sk_obj_get_str(q, "protocol") ?: "", proto)) {
				snprintf(f, sizeof f, "spec.ports[%zu].nodePort", i);
				sk_cause(causes, "FieldValueDuplicate", f, "Duplicate value: %lld", (long long)np);
				break;
			}
		}
	}
	for (size_t i = 0; i < sk_obj_len(ports); i++) {
		sk_obj *p = sk_obj_at(ports, i);
		int64_t port = sk_obj_get_int(p, "port", 0);
		const char *proto = sk_obj_get_str(p, "protocol") ?: "";
		for (size_t k = 0; k < i; k++) {
			sk_obj *q = sk_obj_at(ports, k);
			if (sk_obj_get_int(q, "port", 0) == port && eq(sk_obj_get_str(q, "protocol") ?: "", proto)) {
				snprintf(f, sizeof f, "spec.ports[%zu]", i);
				/* Kubernetes prints the (protocol, port) key as the Go struct it is */
				sk_cause(causes, "FieldValueDuplicate", f,
				         "Duplicate value: core.ServicePort{Name:\"\", Protocol:\"%s\", AppProtocol:(*string)(nil), "
				         "Port:%lld, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}",
				         proto, (long long)port);
				break;
			}
		}
	}
}

static void check_load_balancer_fields(const sk_obj *svc, sk_obj *causes)
{
	int lb = eq(sk_obj_get_str(svc, "spec.type"), "LoadBalancer");
	sk_obj *ranges = sk_obj_get(svc, "spec.loadBalancerSourceRanges");
	const char *annotation =
		sk_obj_get_str(svc, "metadata.annotations[\"service.beta.kubernetes.io/load-balancer-source-ranges\"]");
	if (sk_obj_len(ranges) || annotation) {
		const char *f = sk_obj_len(ranges) ? "spec.LoadBalancerSourceRanges"
		                                   : "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]";
		if (!lb)
			sk_cause_forbidden(causes, f, "may only be used when `type` is 'LoadBalancer'");
		/* each a CIDR (spaces around it tolerated); printed as Go's %v of the list */
		char shown[2048];
		size_t n = 0;
		int ok = 1;
		if (sk_obj_len(ranges)) {
			n += (size_t)snprintf(shown, sizeof shown, "[");
			for (size_t i = 0; i < sk_obj_len(ranges); i++) {
				const char *r = sk_obj_str(sk_obj_at(ranges, i)) ?: "";
				if (n < sizeof shown)
					n += (size_t)snprintf(shown + n, sizeof shown - n, "%s%s", i ? " " : "", r);
				char trimmed[256];
				snprintf(trimmed, sizeof trimmed, "%s", r + strspn(r, " \t"));
				size_t len = strlen(trimmed);
				while (len && (trimmed[len - 1] == ' ' || trimmed[len - 1] == '\t'))
					trimmed[--len] = '\0';
				ok &= !sk_check_cidr(NULL, NULL, trimmed);
			}
			if (n < sizeof shown)
				snprintf(shown + n, sizeof shown - n, "]");
		} else {
			snprintf(shown, sizeof shown, "%s", annotation);
			char *save = NULL, copy[2048];
			snprintf(copy, sizeof copy, "%s", annotation);
			for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				tok += strspn(tok, " \t");
				size_t len = strlen(tok);
				while (len && (tok[len - 1] == ' ' || tok[len - 1] == '\t'))
					tok[--len] = '\0';
				ok &= !sk_check_cidr(NULL, NULL, tok);
			}
		}
		if (!ok)
			sk_cause_invalid_str(causes, f, shown, "must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 ");
	}
	if (sk_obj_get(svc, "spec.allocateLoadBalancerNodePorts") && !lb)
		sk_cause_forbidden(causes, "spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'");
	if (lb && !sk_obj_get(svc, "spec.allocateLoadBalancerNodePorts"))
		sk_cause_required(causes, "allocateLoadBalancerNodePorts", NULL);
	const char *cls = sk_obj_get_str(svc, "spec.loadBalancerClass");
	if (cls && lb)
		sk_check_qualified_name(causes, "spec.loadBalancerClass", cls);
	else if (sk_obj_get(svc, "spec.loadBalancerClass"))
		sk_cause_forbidden(causes, "spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'");
}

static int needs_health_check(const sk_obj *svc)
{
	return eq(sk_obj_get_str(svc, "spec.type"), "LoadBalancer") &&
	       eq(sk_obj_get_str(svc, "spec.externalTrafficPolicy"), "Local");
}

static void check_traffic(const sk_obj *svc, sk_obj *causes)
{
	const char *etp = sk_obj_get_str(svc, "spec.externalTrafficPolicy");
	if (!externally_accessible(svc)) {
		if (etp && *etp)
			sk_cause_invalid_str(causes, "spec.externalTrafficPolicy", etp,
			                     "may only be set for externally-accessible services");
	} else if (!etp || !*etp)
		sk_cause_required(causes, "spec.externalTrafficPolicy", NULL);
	int64_t hc = sk_obj_get_int(svc, "spec.healthCheckNodePort", 0);
	if (!needs_health_check(svc)) {
		if (hc)
			sk_cause_invalid_int(causes, "spec.healthCheckNodePort", hc,
			                     "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'");
	} else if (hc) /* left unset, it is the allocator's to fill */
		sk_check_port_number(causes, "spec.healthCheckNodePort", hc);
	const char *type = sk_obj_get_str(svc, "spec.type");
	if (!sk_obj_get(svc, "spec.internalTrafficPolicy") &&
	    (eq(type, "NodePort") || eq(type, "LoadBalancer") || eq(type, "ClusterIP")))
		sk_cause_required(causes, "spec.internalTrafficPolicy", NULL);
	const char *dist = sk_obj_get_str(svc, "spec.trafficDistribution");
	static const char *const distributions[] = {"PreferClose", NULL};
	if (dist && !eq(dist, "PreferClose"))
		sk_cause_not_supported(causes, "spec.trafficDistribution", dist, distributions);
}

static void check_annotations(const sk_obj *svc, sk_obj *causes)
{
	const char *mode = sk_obj_get_str(svc, "metadata.annotations[\"service.kubernetes.io/topology-mode\"]");
	const char *hints = sk_obj_get_str(svc, "metadata.annotations[\"service.kubernetes.io/topology-aware-hints\"]");
	if (mode && hints && strcmp(mode, hints))
		sk_cause_invalid_str(causes, "metadata.annotations[service.kubernetes.io/topology-mode]", mode,
		                     "must match annotations[service.kubernetes.io/topology-aware-hints] when both are "
		                     "specified");
}

/* validateUpgradeDowngradeClusterIPs and ...IPFamilies: the primary may not
 * change; a secondary may be added, or released going to SingleStack */
static void check_ip_changes(const sk_obj *svc, const sk_obj *old, const char *field, sk_obj *causes)
{
	char path[64], f[80];
	snprintf(path, sizeof path, "spec.%s", field);
	sk_obj *now = sk_obj_get(svc, path), *was = sk_obj_get(old, path);
	size_t n = sk_obj_len(now), m = sk_obj_len(was);
	if (n == m) {
		for (size_t i = 0; i < m; i++)
			if (!eq(sk_obj_str(sk_obj_at(was, i)), sk_obj_str(sk_obj_at(now, i)))) {
				snprintf(f, sizeof f, "spec.%s[%zu]", field, i);
				sk_cause_invalid_obj(causes, f, now, "may not change once set");
			}
		return;
	}
	snprintf(f, sizeof f, "spec.%s[0]", field);
	if (m > n && !n)
		sk_cause_invalid_obj(causes, f, now, "primary %s can not be unset",
		                     !strcmp(field, "clusterIPs") ? "clusterIP" : "ipFamily");
	if (m && n && !eq(sk_obj_str(sk_obj_at(was, 0)), sk_obj_str(sk_obj_at(now, 0))))
		sk_cause_invalid_obj(causes, f, now, "may not change once set");
	if (m > n && n == 1 && !eq(sk_obj_get_str(svc, "spec.ipFamilyPolicy"), "SingleStack"))
		sk_cause_invalid_obj(causes, f, now, "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the "
		                                     "secondary %s",
		                     !strcmp(field, "clusterIPs") ? "clusterIP" : "ipFamily");
}

static void check_update(const sk_obj *svc, const sk_obj *old, sk_obj *causes)
{
	const char *type = sk_obj_get_str(svc, "spec.type"), *was = sk_obj_get_str(old, "spec.type");
	if (!eq(type, "ExternalName") && !eq(was, "ExternalName") && !(headless(svc) && headless(old))) {
		check_ip_changes(svc, old, "clusterIPs", causes);
		check_ip_changes(svc, old, "ipFamilies", causes);
	}
	if (eq(type, "LoadBalancer") && eq(was, "LoadBalancer")) {
		sk_obj *a = sk_obj_get(old, "spec.loadBalancerClass"), *b = sk_obj_get(svc, "spec.loadBalancerClass");
		if ((a || b) && (!a || !b || !sk_obj_equal(a, b))) {
			if (b)
				sk_cause_invalid_str(causes, "spec.loadBalancerClass", sk_obj_str(b), "may not change once set");
			else
				sk_cause_invalid_obj(causes, "spec.loadBalancerClass", NULL, "may not change once set");
		}
	}
	if (needs_health_check(old) && needs_health_check(svc) &&
	    sk_obj_get_int(old, "spec.healthCheckNodePort", 0) != sk_obj_get_int(svc, "spec.healthCheckNodePort", 0))
		sk_cause_forbidden(causes, "spec.healthCheckNodePort", "field is immutable");
}

static int validate(void *ud, const sk_obj *svc, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	size_t before = sk_obj_len(causes);
	if (old)
		check_update(svc, old, causes);
	check_annotations(svc, causes);
	int is_headless = headless(svc);
	if (!sk_obj_len(sk_obj_get(svc, "spec.ports")) && !is_headless &&
	    !eq(sk_obj_get_str(svc, "spec.type"), "ExternalName"))
		sk_cause_required(causes, "spec.ports", NULL);
	check_type_rules(svc, is_headless, causes);
	check_ports(svc, causes);
	sk_obj *sel = sk_obj_get(svc, "spec.selector");
	if (sel)
		sk_check_labels(causes, "spec.selector", sel);
	check_affinity(svc, causes);
	check_cluster_ips(svc, causes);
	check_external_ips(svc, causes);
	check_duplicate_ports(svc, causes);
	check_load_balancer_fields(svc, causes);
	check_traffic(svc, causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

void kinds_service(sk_resource_ops *r)
{
	r->defaults = defaults;
	r->validate = validate;
}
