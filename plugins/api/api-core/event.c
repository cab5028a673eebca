/* event.c — core/v1 Events: legacyValidateEvent, the rules every Event
 * passes whatever version wrote it. (Events written through events.k8s.io/v1
 * get stricter rules from the api-events plugin.) */
#include "kinds.h"
#include <string.h>

#define REPORTING_INSTANCE_MAX 128
#define ACTION_MAX 128
#define REASON_MAX 128
#define NOTE_MAX 1024

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

static void check_length(sk_obj *causes, const char *field, const char *v, size_t max)
{
	if (v && strlen(v) > max)
		sk_cause_invalid_str(causes, field, "", "can have at most %zu characters", max);
}

static void check_required(sk_obj *causes, const char *field, const char *v)
{
	if (!v || !*v)
		sk_cause_required(causes, field, NULL);
}

static int validate(void *ud, const sk_obj *ev, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	const char *ns = sk_obj_get_str(ev, "metadata.namespace") ?: "";
	const char *ions = sk_obj_get_str(ev, "involvedObject.namespace") ?: "";
	const char *event_time = sk_obj_get_str(ev, "eventTime");
	static const char mismatch[] = "does not match event.namespace";
	if (!event_time || !*event_time) {
		/* an old-style event: its namespace is its object's (or "default") */
		if (!*ions ? *ns && !eq(ns, "default") : !eq(ns, ions))
			sk_cause_invalid_str(causes, "involvedObject.namespace", ions, mismatch);
	} else {
		if (!*ions && !eq(ns, "default") && !eq(ns, "kube-system"))
			sk_cause_invalid_str(causes, "involvedObject.namespace", ions, mismatch);
		const char *controller = sk_obj_get_str(ev, "reportingComponent");
		check_required(causes, "reportingComponent", controller);
		sk_check_qualified_name(causes, "reportingComponent", controller ?: "");
		const char *instance = sk_obj_get_str(ev, "reportingInstance");
		check_required(causes, "reportingInstance", instance);
		check_length(causes, "reportingInstance", instance, REPORTING_INSTANCE_MAX);
		const char *action = sk_obj_get_str(ev, "action");
		check_required(causes, "action", action);
		check_length(causes, "action", action, ACTION_MAX);
		const char *reason = sk_obj_get_str(ev, "reason");
		check_required(causes, "reason", reason);
		check_length(causes, "reason", reason, REASON_MAX);
		check_length(causes, "message", sk_obj_get_str(ev, "message"), NOTE_MAX);
	}
	sk_check_dns1123_subdomain(causes, "namespace", ns);
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

void kinds_event(sk_resource_ops *r) { r->validate = validate; }
