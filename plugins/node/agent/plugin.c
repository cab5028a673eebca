/* plugin.c — the node agent plugin: settings, the runtime and network
 * plugins it drives (found by name at the runtime and network extension
 * points), an informer on the pods bound to this node feeding one work
 * queue, and the controller that starts and stops it all.
 *
 * Settings (all optional):
 *   nodeName: n1                 default: the host name
 *   runtime: oci                 a runtime plugin's name (oci, rawexec, sim)
 *   network: cni                 a network plugin's name, or none
 *   nodeIP: 10.0.0.5             default: the first non-loopback IPv4 address
 *   labels: {k: v}               added to the Node's labels
 *   taints: [...]                the Node's taints at registration
 *   maxPods: 110
 *   systemReserved: {cpu: 500m, memory: 512Mi}
 *   nodeStatusUpdateSeconds: 10  Lease renewal and status check interval
 *   restartBackoffSeconds: 10    first CrashLoopBackOff delay (doubles)
 *   maxRestartBackoffSeconds: 300
 */
#include "agent.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct agent A;

static void queue_pod(void *ud, const sk_obj *pod)
{
	struct agent *a = ud;
	char key[600];
	sk_queue_add(a->queue, sk_object_key(pod, key, sizeof key));
}

static void pod_changed(void *ud, const sk_obj *old, const sk_obj *pod)
{
	(void)old;
	queue_pod(ud, pod);
}

static void on_exit_report(void *ud, const char *id, const sk_obj *status)
{
	struct agent *a = ud;
	if (!a->stopping)
		pod_container_exited(a, id, status);
}

static const char *setting(const char *name, const char *dflt)
{
	const char *v = sk_obj_get_str(A.settings, name);
	return v && *v ? v : dflt;
}

static int start(void *ud, sk_err *err)
{
	struct agent *a = ud;
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	for (char *c = host; *c; c++)
		*c = (char)tolower((unsigned char)*c); /* node names are DNS subdomains */
	const char *rt = setting("runtime", "oci"), *net = setting("network", "cni");
	a->stopping = 0;
	a->node = strdup(setting("nodeName", host));
	if (!(a->rt = sk_ext_find(SK_EXT_RUNTIME, rt, &a->rt_ud)))
		return sk_errf(err, SK_ENOTFOUND, "agent: runtime \"%s\" is not loaded (settings.runtime; a runtime plugin "
		                                  "such as oci, rawexec or sim provides it)", rt);
	if (a->rt->size < sizeof(sk_runtime_ops) || !a->rt->pull_image || !a->rt->watch)
		return sk_errf(err, SK_EINVALID, "agent: runtime \"%s\" was built for an older runtime interface", rt);
	a->net = NULL;
	if (strcmp(net, "none") && !(a->net = sk_ext_find(SK_EXT_NETWORK, net, &a->net_ud)))
		return sk_errf(err, SK_ENOTFOUND, "agent: network \"%s\" is not loaded (settings.network, or none)", net);
	const char *ip = setting("nodeIP", NULL);
	if (ip)
		snprintf(a->host_ip, sizeof a->host_ip, "%s", ip);
	else
		machine_ip(a->host_ip, sizeof a->host_ip);
	a->max_pods = (int)sk_obj_get_int(a->settings, "maxPods", 110);
	a->backoff_initial_s = sk_obj_get_real(a->settings, "restartBackoffSeconds", 10);
	a->backoff_max_s = sk_obj_get_real(a->settings, "maxRestartBackoffSeconds", 300);
	if (!(a->runs = sk_map_new()) || !(a->by_ctr = sk_map_new()))
		return sk_errf(err, SK_ENOMEM, "out of memory");

	sk_queue_spec qs = {.size = sizeof qs, .name = "agent-pods", .process = pod_reconcile, .ud = a,
	                    .base_delay_s = 0.05, .max_delay_s = 10};
	if (!(a->queue = sk_queue_new(a->p, &qs, err)))
		return err->code;
	static const sk_informer_handlers h = {
		.size = sizeof h, .on_add = queue_pod, .on_update = pod_changed, .on_delete = queue_pod};
	char field[400];
	snprintf(field, sizeof field, "spec.nodeName=%s", a->node);
	sk_informer_spec is = {.size = sizeof is, .group = "", .resource = "pods", .field_selector = field,
	                       .handlers = &h, .ud = a};
	if (!(a->pods = sk_informer_new(a->p, &is, err)))
		return err->code;
	a->rt->watch(a->rt_ud, on_exit_report, a);
	sk_log(a->p, SK_LOG_INFO, "node %s: runtime %s, network %s", a->node, rt, a->net ? net : "none");
	return node_start(a, err);
}

static int drop_idle(void *ud, const char *key, void *value)
{
	(void)ud, (void)key;
	struct run *r = value;
	if (!r->busy)
		run_free(r);
	/* a busy run's completion arrives after the loop has stopped, or never */
	return 0;
}

static void stop(void *ud)
{
	struct agent *a = ud;
	a->stopping = 1;
	node_stop(a);
	if (a->rt)
		a->rt->watch(a->rt_ud, NULL, NULL);
	if (a->pods)
		sk_informer_free(a->pods);
	if (a->queue)
		sk_queue_free(a->queue);
	a->pods = NULL;
	a->queue = NULL;
	if (a->runs)
		sk_map_foreach(a->runs, drop_idle, NULL);
	sk_map_free(a->runs, NULL);
	sk_map_free(a->by_ctr, NULL);
	a->runs = a->by_ctr = NULL;
	free(a->node);
	a->node = NULL;
}

static const sk_controller_ops controller = {
	.size = sizeof controller,
	.name = "agent",
	.start = start,
	.stop = stop,
};

static int init(sk_plugin *p, sk_err *err)
{
	A.p = p;
	A.settings = (sk_obj *)sk_plugin_settings(p);
	return sk_register(p, SK_EXT_CONTROLLER, &controller, &A, err);
}

SK_PLUGIN("agent", "0.1.0", "the node agent: registers this node and runs the pods bound to it",
          SK_LIST("controller:agent"), NULL, init, NULL);
