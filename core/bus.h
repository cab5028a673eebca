/* bus.h — the event bus: every committed change published once, in
 * revision order, to subscribers filtered by key prefix (resource and
 * namespace) and label/field selectors. Recent events are kept in a ring so
 * watches that start a little in the past replay from memory. */
#ifndef SKIFF_CORE_BUS_H
#define SKIFF_CORE_BUS_H
#include <jansson.h>
#include <skiff/data.h>

struct bus_event;
struct bus_sub;

/* Called by the store after each commit; takes its own references. */
void bus_publish(int type, int64_t rev, const char *key, json_t *obj, json_t *old);

/* Subscribes to keys under prefix. from_rev > 0 replays changes after it
 * first (from the ring, else from the store's history); SK_EEXPIRED when too
 * old. Selectors are copied. The plugin is charged for the callbacks. */
struct bus_sub *bus_subscribe(sk_plugin *p, const char *prefix, const sk_selector *labels,
                              const sk_selector *fields, int64_t from_rev, sk_event_fn fn, void *ud,
                              sk_err *err);
void bus_unsubscribe(struct bus_sub *s);
size_t bus_subscriber_count(void);
void bus_init(size_t ring_size);
void bus_fini(void);

#endif
