/* netpol.c — NetworkPolicies: policyTypes defaulting from the rules given
 * (SetDefaults_NetworkPolicy), the ports, peers and IP blocks of Kubernetes'
 * validation, and the POD-SELECTOR column. */
#include "kinds.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

/* sk_obj_append adds its own reference: drop the one sk_obj_new_str made */
static void append_str(sk_obj *arr, const char *s)
{
	sk_obj *v = sk_obj_new_str(s);
	sk_obj_append(arr, v);
	sk_obj_unref(v);
}

/* Ingress always; Egress too when egress rules are given */
static void defaults(void *ud, sk_obj *np)
{
	(void)ud;
	if (sk_obj_len(sk_obj_get(np, "spec.policyTypes")))
		return;
	sk_obj *types = sk_obj_new_array();
	append_str(types, "Ingress");
	if (sk_obj_len(sk_obj_get(np, "spec.egress")))
		append_str(types, "Egress");
	sk_obj_set(np, "spec.policyTypes", types, NULL);
	sk_obj_unref(types);
}

static void check_port(const sk_obj *p, const char *at, sk_obj *causes)
{
	char f[160];
	sk_obj *port = sk_obj_get(p, "port"), *end = sk_obj_get(p, "endPort");
	snprintf(f, sizeof f, "%s.endPort", at);
	if (!port) {
		if (end)
			sk_cause_invalid_int(causes, f, sk_obj_int(end), "may not be specified when `port` is not specified");
		return;
	}
	char pf[160];
	snprintf(pf, sizeof pf, "%s.port", at);
	if (sk_obj_type_of(port) == SK_OBJ_STRING) {
		if (end)
			sk_cause_invalid_int(causes, f, sk_obj_int(end), "may not be specified when `port` is non-numeric");
		sk_check_port_name(causes, pf, sk_obj_str(port));
		return;
	}
	int64_t n = sk_obj_int(port);
	sk_check_port_number(causes, pf, n);
	if (end) {
		if (sk_obj_int(end) < n)
			sk_cause_invalid_int(causes, f, n, "must be greater than or equal to `port`");
		sk_check_port_number(causes, f, sk_obj_int(end));
	}
}

/* an address/prefix as bytes; family 4 or 6, 0 when malformed */
static int parse_cidr(const char *s, unsigned char addr[16], int *prefix)
{
	char ip[64];
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof ip)
		return 0;
	snprintf(ip, sizeof ip, "%.*s", (int)(slash - s), s);
	*prefix = atoi(slash + 1);
	if (strchr(ip, ':'))
		return inet_pton(AF_INET6, ip, addr) == 1 ? 6 : 0;
	return inet_pton(AF_INET, ip, addr) == 1 ? 4 : 0;
}

static int contains(const unsigned char *net, int bits, const unsigned char *ip)
{
	for (int i = 0; i < bits; i++)
		if ((net[i / 8] ^ ip[i / 8]) & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

static void check_ip_block(const sk_obj *b, const char *at, sk_obj *causes)
{
	char f[160];
	const char *cidr = sk_obj_get_str(b, "cidr");
	snprintf(f, sizeof f, "%s.cidr", at);
	if (!cidr || !*cidr) {
		sk_cause_required(causes, f, NULL);
		return;
	}
	if (sk_check_cidr(causes, f, cidr))
		return;
	unsigned char net[16], ex[16];
	int bits, ex_bits, fam = parse_cidr(cidr, net, &bits);
	sk_obj *except = sk_obj_get(b, "except");
	for (size_t i = 0; i < sk_obj_len(except); i++) {
		const char *e = sk_obj_str(sk_obj_at(except, i)) ?: "";
		snprintf(f, sizeof f, "%s.except[%zu]", at, i);
		if (sk_check_cidr(causes, f, e))
			continue;
		int ex_fam = parse_cidr(e, ex, &ex_bits);
		if (!fam || ex_fam != fam || !contains(net, bits, ex) || bits >= ex_bits)
			sk_cause_invalid_str(causes, f, e, "must be a strict subset of `cidr`");
	}
}

static void check_peer(const sk_obj *peer, const char *at, sk_obj *causes)
{
	char f[160];
	int peers = 0;
	sk_obj *pods = sk_obj_get(peer, "podSelector"), *ns = sk_obj_get(peer, "namespaceSelector");
	sk_obj *block = sk_obj_get(peer, "ipBlock");
	snprintf(f, sizeof f, "%s.podSelector", at);
	if (pods && ++peers)
		sk_check_label_selector(causes, f, pods);
	snprintf(f, sizeof f, "%s.namespaceSelector", at);
	if (ns && ++peers)
		sk_check_label_selector(causes, f, ns);
	snprintf(f, sizeof f, "%s.ipBlock", at);
	if (block && ++peers)
		check_ip_block(block, f, causes);
	if (!peers)
		sk_cause_required(causes, at, "must specify a peer");
	else if (peers > 1 && block)
		sk_cause_forbidden(causes, at, "may not specify both ipBlock and another peer");
}

static void check_rules(const sk_obj *np, const char *kind, const char *peers, sk_obj *causes)
{
	char path[32], at[128];
	snprintf(path, sizeof path, "spec.%s", kind);
	sk_obj *rules = sk_obj_get(np, path);
	for (size_t i = 0; i < sk_obj_len(rules); i++) {
		sk_obj *r = sk_obj_at(rules, i), *ports = sk_obj_get(r, "ports"), *list = sk_obj_get(r, peers);
		for (size_t k = 0; k < sk_obj_len(ports); k++) {
			snprintf(at, sizeof at, "spec.%s[%zu].ports[%zu]", kind, i, k);
			check_port(sk_obj_at(ports, k), at, causes);
		}
		for (size_t k = 0; k < sk_obj_len(list); k++) {
			snprintf(at, sizeof at, "spec.%s[%zu].%s[%zu]", kind, i, peers, k);
			check_peer(sk_obj_at(list, k), at, causes);
		}
	}
}

static int validate(void *ud, const sk_obj *np, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	sk_check_label_selector(causes, "spec.podSelector", sk_obj_get(np, "spec.podSelector"));
	check_rules(np, "ingress", "from", causes);
	check_rules(np, "egress", "to", causes);
	sk_obj *types = sk_obj_get(np, "spec.policyTypes");
	if (sk_obj_len(types) > 2)
		sk_cause_invalid_obj(causes, "spec.policyTypes", types, "may not specify more than two policyTypes");
	for (size_t i = 0; i < sk_obj_len(types) && sk_obj_len(types) <= 2; i++) {
		const char *t = sk_obj_str(sk_obj_at(types, i));
		char f[64];
		snprintf(f, sizeof f, "spec.policyTypes[%zu]", i);
		static const char *const allowed[] = {"Ingress", "Egress", NULL};
		if (!eq(t, "Ingress") && !eq(t, "Egress"))
			sk_cause_not_supported(causes, f, t ? t : "", allowed);
	}
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

static const sk_column columns[] = {
	{"Pod-Selector", "string", "podSelector selects the pods to which this NetworkPolicy object applies.", 0, NULL},
	{"Age", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp"},
	{NULL, NULL, NULL, 0, NULL},
};

/* metav1.FormatLabelSelector: the selector's string, <none> when empty */
static void row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	sk_err err = {0};
	sk_selector *s = sk_label_selector_from_obj(sk_obj_get(o, "spec.podSelector"), &err);
	char *text = s ? sk_selector_string(s) : NULL;
	sk_obj_set_str(cells, "[0]", !s ? "<error>" : text && *text ? text : "<none>", NULL);
	sk_mem_free(text);
	sk_selector_free(s);
}

void networking_networkpolicy(sk_resource_ops *r)
{
	r->defaults = defaults;
	r->validate = validate;
	r->columns = columns;
	r->row = row;
}
