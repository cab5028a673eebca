/* api-events — the events.k8s.io/v1 Event: its type (events.types) and its
 * registration as another version of the core/v1 events, which it shares. */
#include "event.h"

extern const char events_types[];
extern const unsigned long events_types_len;

/* not deprecated: the newer of the two APIs for the same objects */
static const sk_resource_ops resources[] = {
	{
		.size = sizeof(sk_resource_ops), .name = "events.v1.events.k8s.io", .group = "events.k8s.io",
		.version = "v1", .kind = "Event", .plural = "events", .singular = "event", .list_kind = "EventList",
		.short_names = SK_LIST("ev"), .namespaced = 1, .type = "io.k8s.api.events.v1.Event",
		.validate = events_validate, .storage = "events", .to_storage = events_to_core,
		.from_storage = events_from_core,
	},
};

static int init(sk_plugin *p, sk_err *err)
{
	int rc = sk_types_define(p, "events.types", events_types, events_types_len, err);
	return rc != SK_OK ? rc : sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err);
}

SK_PLUGIN("api-events", SKIFF_VERSION, "the events.k8s.io/v1 Event, a view of the core/v1 events",
          SK_LIST("api.events"), SK_LIST("api-core"), init, NULL);
