/* endpoints.c — Endpoints: the subsets rules of ValidateEndpoints, and
 * ValidateNonSpecialIP, which Services' external IPs share. */
#include "kinds.h"
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* IPv4 dotted quad with leading zeros tolerated (ParseIPSloppy), or IPv6;
 * IPv4-mapped IPv6 reads as the IPv4 address, as Go's To4 does. */
static int parse_ip(const char *s, unsigned char v4[4], unsigned char v6[16], int *is_v4)
{
	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, v6) != 1)
			return -1;
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		*is_v4 = !memcmp(v6, mapped, 12);
		if (*is_v4)
			memcpy(v4, v6 + 12, 4);
		return 0;
	}
	const char *p = s;
	for (int i = 0; i < 4; i++) {
		char *end;
		if (*p < '0' || *p > '9')
			return -1;
		unsigned long o = strtoul(p, &end, 10);
		if (o > 255 || end - p > 3 + (int)strspn(p, "0") || (i < 3 && *end != '.') || (i == 3 && *end))
			return -1;
		v4[i] = (unsigned char)o;
		p = end + 1;
	}
	*is_v4 = 1;
	return 0;
}

void kinds_check_endpoint_ip(sk_obj *causes, const char *field, const char *ip)
{
	unsigned char v4[4], v6[16];
	int is_v4 = 0;
	if (!ip || parse_ip(ip, v4, v6, &is_v4) != 0) {
		sk_cause_invalid_str(causes, field, ip, "must be a valid IP address");
		return;
	}
	static const unsigned char zero[16], loop6[16] = {[15] = 1};
	int unspecified = is_v4 ? !memcmp(v4, zero, 4) : !memcmp(v6, zero, 16);
	int loopback = is_v4 ? v4[0] == 127 : !memcmp(v6, loop6, 16);
	int link_local = is_v4 ? v4[0] == 169 && v4[1] == 254 : v6[0] == 0xfe && (v6[1] & 0xc0) == 0x80;
	int ll_multicast = is_v4 ? v4[0] == 224 && v4[1] == 0 && v4[2] == 0 : v6[0] == 0xff && (v6[1] & 0x0f) == 0x02;
	if (unspecified)
		sk_cause_invalid_str(causes, field, ip, "may not be unspecified (%s)", ip);
	if (loopback)
		sk_cause_invalid_str(causes, field, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)");
	if (link_local)
		sk_cause_invalid_str(causes, field, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)");
	if (ll_multicast)
		sk_cause_invalid_str(causes, field, ip,
		                     "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
}

static void check_address(const sk_obj *a, const char *at, sk_obj *causes)
{
	char f[160];
	const char *ip = sk_obj_get_str(a, "ip"); /* absent: the schema reports it */
	snprintf(f, sizeof f, "%s.ip", at);
	if (ip)
		sk_check_ip(causes, f, ip);
	const char *host = sk_obj_get_str(a, "hostname");
	snprintf(f, sizeof f, "%s.hostname", at);
	if (host && *host)
		sk_check_dns1123_label(causes, f, host);
	const char *node = sk_obj_get_str(a, "nodeName");
	snprintf(f, sizeof f, "%s.nodeName", at);
	if (node)
		sk_check_dns1123_subdomain(causes, f, node);
	snprintf(f, sizeof f, "%s.ip", at);
	if (ip)
		kinds_check_endpoint_ip(causes, f, ip);
}

static void check_port(const sk_obj *p, int require_name, const char *at, sk_obj *causes)
{
	char f[160];
	const char *name = sk_obj_get_str(p, "name");
	snprintf(f, sizeof f, "%s.name", at);
	if (require_name && (!name || !*name))
		sk_cause_required(causes, f, NULL);
	else if (name && *name)
		sk_check_dns1123_label(causes, f, name);
	snprintf(f, sizeof f, "%s.port", at);
	sk_check_port_number(causes, f, sk_obj_get_int(p, "port", 0));
	const char *app = sk_obj_get_str(p, "appProtocol");
	snprintf(f, sizeof f, "%s.appProtocol", at);
	if (app)
		sk_check_qualified_name(causes, f, app);
}

static int validate(void *ud, const sk_obj *ep, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	sk_obj *subsets = sk_obj_get(ep, "subsets");
	char at[128];
	for (size_t s = 0; s < sk_obj_len(subsets); s++) {
		sk_obj *ss = sk_obj_at(subsets, s), *ready = sk_obj_get(ss, "addresses");
		sk_obj *not_ready = sk_obj_get(ss, "notReadyAddresses"), *ports = sk_obj_get(ss, "ports");
		snprintf(at, sizeof at, "subsets[%zu]", s);
		if (!sk_obj_len(ready) && !sk_obj_len(not_ready))
			sk_cause_required(causes, at, "must specify `addresses` or `notReadyAddresses`");
		for (size_t i = 0; i < sk_obj_len(ready); i++) {
			snprintf(at, sizeof at, "subsets[%zu].addresses[%zu]", s, i);
			check_address(sk_obj_at(ready, i), at, causes);
		}
		for (size_t i = 0; i < sk_obj_len(not_ready); i++) {
			snprintf(at, sizeof at, "subsets[%zu].notReadyAddresses[%zu]", s, i);
			check_address(sk_obj_at(not_ready, i), at, causes);
		}
		for (size_t i = 0; i < sk_obj_len(ports); i++) {
			snprintf(at, sizeof at, "subsets[%zu].ports[%zu]", s, i);
			check_port(sk_obj_at(ports, i), sk_obj_len(ports) > 1, at, causes);
		}
	}
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

void kinds_endpoints(sk_resource_ops *r) { r->validate = validate; }
