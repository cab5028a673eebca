/* endpointslice.c — EndpointSlices: a port's name defaulting to "", the
 * address type, endpoints and ports rules of Kubernetes' discovery
 * validation, and the ADDRESSTYPE PORTS ENDPOINTS columns. */
#include "endpointslice.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define MAX_ENDPOINTS 1000
#define MAX_ADDRESSES 100
#define MAX_PORTS 20000
#define MAX_TOPOLOGY_LABELS 16
#define MAX_ZONE_HINTS 8

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

static void defaults(void *ud, sk_obj *slice)
{
	(void)ud;
	sk_obj *ports = sk_obj_get(slice, "ports");
	for (size_t i = 0; i < sk_obj_len(ports); i++)
		if (!sk_obj_get(sk_obj_at(ports, i), "name"))
			sk_obj_set_str(sk_obj_at(ports, i), "name", "", NULL);
}

/* unspecified, loopback and link-local addresses make no endpoints */
static void check_special(const char *ip, int v6, const char *field, sk_obj *causes)
{
	unsigned char a[16] = {0};
	if (inet_pton(v6 ? AF_INET6 : AF_INET, ip, a) != 1)
		return;
	static const unsigned char zero[16] = {0}, one[16] = {[15] = 1};
	if (!memcmp(a, zero, v6 ? 16 : 4))
		sk_cause_invalid_str(causes, field, ip, "may not be unspecified (%s)", ip);
	if (v6 ? !memcmp(a, one, 16) : a[0] == 127)
		sk_cause_invalid_str(causes, field, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)");
	if (v6 ? a[0] == 0xfe && (a[1] & 0xc0) == 0x80 : a[0] == 169 && a[1] == 254)
		sk_cause_invalid_str(causes, field, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)");
	if (v6 ? a[0] == 0xff && (a[1] & 0x0f) == 2 : a[0] == 224 && !a[1] && !a[2])
		sk_cause_invalid_str(causes, field, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
}

/* IsFullyQualifiedDomainName: a subdomain of at least two labels */
static void check_fqdn(const char *name, const char *field, sk_obj *causes)
{
	if (!*name) {
		sk_cause_required(causes, field, NULL);
		return;
	}
	char copy[300];
	snprintf(copy, sizeof copy, "%s", name);
	size_t n = strlen(copy);
	if (n && copy[n - 1] == '.')
		copy[n - 1] = '\0';
	const char *bad = sk_check_dns1123_subdomain(NULL, NULL, copy);
	if (bad)
		sk_cause_invalid_str(causes, field, copy, "%s", bad);
	else if (!strchr(copy, '.'))
		sk_cause_invalid_str(causes, field, copy, "should be a domain with at least two segments separated by dots");
}

static void check_address(const char *type, const char *addr, const char *field, sk_obj *causes)
{
	int v6 = addr && strchr(addr, ':') != NULL;
	if (eq(type, "IPv4") || eq(type, "IPv6")) {
		int want6 = eq(type, "IPv6");
		if (sk_check_ip(NULL, NULL, addr) || v6 != want6)
			sk_cause_invalid_str(causes, field, addr, "must be a valid %s address", type);
		else
			check_special(addr, v6, field, causes);
	} else if (eq(type, "FQDN"))
		check_fqdn(addr ? addr : "", field, causes);
}

static void check_hints(const sk_obj *hints, const char *at, sk_obj *causes)
{
	sk_obj *zones = sk_obj_get(hints, "forZones");
	char f[128];
	snprintf(f, sizeof f, "%s.forZones", at);
	if (sk_obj_len(zones) > MAX_ZONE_HINTS) {
		sk_cause_too_many(causes, f, (int64_t)sk_obj_len(zones), MAX_ZONE_HINTS);
		return;
	}
	for (size_t i = 0; i < sk_obj_len(zones); i++) {
		const char *name = sk_obj_get_str(sk_obj_at(zones, i), "name") ?: "";
		snprintf(f, sizeof f, "%s.forZones[%zu].name", at, i);
		for (size_t k = 0; k < i; k++)
			if (eq(sk_obj_get_str(sk_obj_at(zones, k), "name") ?: "", name)) {
				sk_cause_duplicate(causes, f, name);
				break;
			}
		sk_check_label_value(causes, f, name);
	}
}

static void check_endpoints(const sk_obj *slice, sk_obj *causes)
{
	sk_obj *eps = sk_obj_get(slice, "endpoints");
	const char *type = sk_obj_get_str(slice, "addressType");
	if (sk_obj_len(eps) > MAX_ENDPOINTS) {
		sk_cause_too_many(causes, "endpoints", (int64_t)sk_obj_len(eps), MAX_ENDPOINTS);
		return;
	}
	char f[128], at[64];
	for (size_t i = 0; i < sk_obj_len(eps); i++) {
		sk_obj *e = sk_obj_at(eps, i), *addrs = sk_obj_get(e, "addresses");
		snprintf(at, sizeof at, "endpoints[%zu]", i);
		snprintf(f, sizeof f, "%s.addresses", at);
		if (addrs && !sk_obj_len(addrs))
			sk_cause_required(causes, f, "must contain at least 1 address");
		else if (sk_obj_len(addrs) > MAX_ADDRESSES)
			sk_cause_too_many(causes, f, (int64_t)sk_obj_len(addrs), MAX_ADDRESSES);
		for (size_t k = 0; k < sk_obj_len(addrs); k++) {
			snprintf(f, sizeof f, "%s.addresses[%zu]", at, k);
			check_address(type, sk_obj_str(sk_obj_at(addrs, k)), f, causes);
		}
		const char *node = sk_obj_get_str(e, "nodeName");
		snprintf(f, sizeof f, "%s.nodeName", at);
		if (node) {
			const char *bad = sk_check_dns1123_subdomain(NULL, NULL, node);
			if (bad)
				sk_cause_invalid_str(causes, f, node, "%s", bad);
		}
		sk_obj *topo = sk_obj_get(e, "deprecatedTopology");
		snprintf(f, sizeof f, "%s.deprecatedTopology", at);
		if (sk_obj_len(topo) > MAX_TOPOLOGY_LABELS)
			sk_cause_too_many(causes, f, (int64_t)sk_obj_len(topo), MAX_TOPOLOGY_LABELS);
		if (topo)
			sk_check_labels(causes, f, topo);
		const char *host = sk_obj_get_str(e, "hostname");
		snprintf(f, sizeof f, "%s.hostname", at);
		if (host)
			sk_check_dns1123_label(causes, f, host);
		snprintf(f, sizeof f, "%s.hints", at);
		if (sk_obj_get(e, "hints"))
			check_hints(sk_obj_get(e, "hints"), f, causes);
	}
}

static void check_ports(const sk_obj *slice, sk_obj *causes)
{
	sk_obj *ports = sk_obj_get(slice, "ports");
	if (sk_obj_len(ports) > MAX_PORTS) {
		sk_cause_too_many(causes, "ports", (int64_t)sk_obj_len(ports), MAX_PORTS);
		return;
	}
	char f[64];
	for (size_t i = 0; i < sk_obj_len(ports); i++) {
		sk_obj *p = sk_obj_at(ports, i);
		const char *name = sk_obj_get_str(p, "name") ?: "";
		snprintf(f, sizeof f, "ports[%zu].name", i);
		if (*name)
			sk_check_dns1123_label(causes, f, name);
		for (size_t k = 0; k < i; k++)
			if (eq(sk_obj_get_str(sk_obj_at(ports, k), "name") ?: "", name)) {
				sk_cause_duplicate(causes, f, name);
				break;
			}
		const char *app = sk_obj_get_str(p, "appProtocol");
		snprintf(f, sizeof f, "ports[%zu].appProtocol", i);
		if (app)
			sk_check_qualified_name(causes, f, app);
	}
}

static int validate(void *ud, const sk_obj *slice, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	check_endpoints(slice, causes);
	check_ports(slice, causes);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

/* ---- columns -------------------------------------------------------------------- */

static const sk_column columns[] = {
	{"AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice.", 0, ".addressType"},
	{"Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice.", 0, NULL},
	{"Endpoints", "string", "endpoints is a list of unique endpoints in this slice.", 0, NULL},
	{"Age", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp"},
	{NULL, NULL, NULL, 0, NULL},
};

/* listWithMoreString: three items, then "+ N more...", <unset> when none */
struct list {
	char s[1024];
	size_t shown, count;
};

static void list_add(struct list *l, const char *item)
{
	if (l->shown < 3) {
		size_t n = strlen(l->s);
		snprintf(l->s + n, sizeof l->s - n, "%s%s", n ? "," : "", item);
		l->shown++;
	}
	l->count++;
}

static const char *list_text(struct list *l)
{
	size_t n = strlen(l->s);
	if (l->count > l->shown)
		snprintf(l->s + n, sizeof l->s - n, " + %zu more...", l->count - 3);
	return *l->s ? l->s : "<unset>";
}

static void row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	struct list ports = {"", 0, 0}, eps = {"", 0, 0};
	sk_obj *pl = sk_obj_get(o, "ports");
	for (size_t i = 0; i < sk_obj_len(pl); i++) {
		sk_obj *p = sk_obj_at(pl, i);
		char num[32];
		snprintf(num, sizeof num, "%lld", (long long)sk_obj_get_int(p, "port", 0));
		list_add(&ports, sk_obj_get(p, "port") ? num : sk_obj_get(p, "name") ? sk_obj_get_str(p, "name") : "*");
	}
	sk_obj *el = sk_obj_get(o, "endpoints");
	for (size_t i = 0; i < sk_obj_len(el); i++) {
		sk_obj *addrs = sk_obj_get(sk_obj_at(el, i), "addresses");
		for (size_t k = 0; k < sk_obj_len(addrs); k++)
			list_add(&eps, sk_obj_str(sk_obj_at(addrs, k)) ?: "");
	}
	sk_obj_set_str(cells, "[1]", list_text(&ports), NULL);
	sk_obj_set_str(cells, "[2]", list_text(&eps), NULL);
}

void discovery_endpointslice(sk_resource_ops *r)
{
	r->defaults = defaults;
	r->validate = validate;
	r->columns = columns;
	r->row = row;
}
