/* skiff/events.h — Events about an object, as `kubectl describe` shows them.
 *
 * Every component that acts on an object tells its users through core/v1
 * Events: the scheduler (Scheduled, FailedScheduling), the node agent
 * (Pulling, Started, BackOff, ...), controllers. sk_event_emit builds one
 * the way client-go's recorder does (named after the object and the time,
 * involvedObject filled from the object, source and reportingComponent from
 * `component`) and creates it; a failure to record is logged, never fatal.
 *
 * Ownership: everything is borrowed for the call.
 */
#ifndef SKIFF_EVENTS_H
#define SKIFF_EVENTS_H
#include <skiff/obj.h>
#include <skiff/data.h>
#include <skiff/loop.h>
#include <inttypes.h>
#include <stdio.h>

static inline void sk__event_logged(void *ud, const sk_err *err, const sk_obj *stored)
{
	(void)stored;
	/* a namespace being deleted refuses new events; nobody would read them */
	if (err && err->code != SK_ENOTFOUND && err->code != SK_EFORBIDDEN)
		sk_log((sk_plugin *)ud, SK_LOG_WARN, "cannot record an event: %s", err->msg);
}

/* type "Normal" or "Warning"; kind and api_version of the involved object
 * ("Pod", "v1"); host names the node for node-side components, or NULL. */
static inline void sk_event_emit(sk_plugin *p, const sk_obj *obj, const char *kind, const char *api_version,
                                 const char *type, const char *reason, const char *message,
                                 const char *component, const char *host)
{
	static uint32_t seq;
	char now[32], name[320];
	sk_clock_rfc3339(now, sizeof now);
	const char *oname = sk_obj_get_str(obj, "metadata.name"), *ns = sk_obj_get_str(obj, "metadata.namespace");
	if (!oname)
		return;
	snprintf(name, sizeof name, "%.250s.%" PRIx64, oname, (uint64_t)sk_clock_now_ms() * 1000000u + seq++);
	sk_obj *ev = sk_obj_new_object();
	sk_obj_set_str(ev, "apiVersion", "v1", NULL);
	sk_obj_set_str(ev, "kind", "Event", NULL);
	sk_obj_set_str(ev, "metadata.name", name, NULL);
	sk_obj_set_str(ev, "metadata.namespace", ns ? ns : "default", NULL);
	sk_obj_set_str(ev, "involvedObject.kind", kind, NULL);
	sk_obj_set_str(ev, "involvedObject.apiVersion", api_version, NULL);
	if (ns)
		sk_obj_set_str(ev, "involvedObject.namespace", ns, NULL);
	sk_obj_set_str(ev, "involvedObject.name", oname, NULL);
	const char *uid = sk_obj_get_str(obj, "metadata.uid"), *rv = sk_obj_get_str(obj, "metadata.resourceVersion");
	if (uid)
		sk_obj_set_str(ev, "involvedObject.uid", uid, NULL);
	if (rv)
		sk_obj_set_str(ev, "involvedObject.resourceVersion", rv, NULL);
	sk_obj_set_str(ev, "reason", reason, NULL);
	sk_obj_set_str(ev, "message", message, NULL);
	sk_obj_set_str(ev, "type", type, NULL);
	sk_obj_set_str(ev, "source.component", component, NULL);
	if (host)
		sk_obj_set_str(ev, "source.host", host, NULL);
	sk_obj_set_str(ev, "reportingComponent", component, NULL);
	if (host)
		sk_obj_set_str(ev, "reportingInstance", host, NULL);
	sk_obj_set_str(ev, "firstTimestamp", now, NULL);
	sk_obj_set_str(ev, "lastTimestamp", now, NULL);
	sk_obj_set_int(ev, "count", 1, NULL);
	sk_api_create(p, "", "events", ns ? ns : "default", ev, sk__event_logged, p);
	sk_obj_unref(ev);
}
#endif
