/* node_ports.c — the scheduling framework's NodePorts filter: a pod fits a
 * node only if none of its containers' host ports is already taken there, as
 * kube-scheduler 1.32 does (HostPortInfo.CheckConflict). A port is taken by
 * the same protocol and number on the same host IP, and 0.0.0.0 (also an
 * empty hostIP) overlaps every IP. Like 1.32, only spec.containers count. */
#include <skiff/skiff.h>
#include <stdio.h>
#include <string.h>

#define ANY_IP "0.0.0.0"

struct host_port {
	const char *ip, *protocol;
	int64_t port;
};

static size_t arr_len(const sk_obj *o) { return sk_obj_type_of(o) == SK_OBJ_ARRAY ? sk_obj_len(o) : 0; }

/* a ContainerPort with the defaults HostPortInfo.sanitize applies; 0 when
 * it asks for no host port */
static int host_port(const sk_obj *cp, struct host_port *hp)
{
	hp->port = sk_obj_get_int(cp, "hostPort", 0);
	if (hp->port <= 0)
		return 0;
	hp->ip = sk_obj_get_str(cp, "hostIP");
	if (!hp->ip || !*hp->ip)
		hp->ip = ANY_IP;
	hp->protocol = sk_obj_get_str(cp, "protocol");
	if (!hp->protocol || !*hp->protocol)
		hp->protocol = "TCP";
	return 1;
}

static int overlaps(const struct host_port *want, const struct host_port *used)
{
	if (want->port != used->port || strcmp(want->protocol, used->protocol) != 0)
		return 0;
	return strcmp(want->ip, ANY_IP) == 0 || strcmp(used->ip, ANY_IP) == 0 || strcmp(want->ip, used->ip) == 0;
}

/* does any container of pod take a host port that overlaps want? */
static int pod_takes(const sk_obj *pod, const struct host_port *want)
{
	const sk_obj *cs = sk_obj_get(pod, "spec.containers");
	for (size_t i = 0; i < arr_len(cs); i++) {
		const sk_obj *ports = sk_obj_get(sk_obj_at(cs, i), "ports");
		for (size_t k = 0; k < arr_len(ports); k++) {
			struct host_port used;
			if (host_port(sk_obj_at(ports, k), &used) && overlaps(want, &used))
				return 1;
		}
	}
	return 0;
}

static int filter(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n, char *reason, size_t cap)
{
	(void)ud;
	(void)c;
	const sk_obj *cs = sk_obj_get(pod, "spec.containers");
	for (size_t i = 0; i < arr_len(cs); i++) {
		const sk_obj *ports = sk_obj_get(sk_obj_at(cs, i), "ports");
		for (size_t k = 0; k < arr_len(ports); k++) {
			struct host_port want;
			if (!host_port(sk_obj_at(ports, k), &want))
				continue;
			for (size_t p = 0; p < n->npods; p++) {
				if (pod_takes(n->pods[p], &want)) {
					/* Kubernetes' wording; Unschedulable, as preemption can free ports */
					snprintf(reason, cap, "node(s) didn't have free ports for the requested pod ports");
					return SK_SCHED_UNSCHEDULABLE;
				}
			}
		}
	}
	return SK_SCHED_SUCCESS;
}

static const sk_sched_policy_ops ops = {.size = sizeof ops, .name = "NodePorts", .filter = filter};

static int init(sk_plugin *p, sk_err *err) { return sk_register(p, SK_EXT_SCHEDULER, &ops, NULL, err); }

SK_PLUGIN("node-ports", "0.1.0", "scheduler filter: a pod's host ports must be free on the node",
          SK_LIST("scheduler.filter.NodePorts"), SK_LIST(NULL), init, NULL);
