/* event.h — api-events: events.k8s.io/v1 Event, Kubernetes' other view of
 * the core/v1 Events (same objects under /registry/events): the field
 * mapping between the two shapes and the stricter rules of the new API
 * (event.c). */
#ifndef API_EVENTS_EVENT_H
#define API_EVENTS_EVENT_H
#include <skiff/skiff.h>

int events_to_core(void *ud, sk_obj *obj, sk_err *err);
int events_from_core(void *ud, sk_obj *obj, sk_err *err);
/* checked on the core/v1 shape, under core/v1 names, as Kubernetes does */
int events_validate(void *ud, const sk_obj *ev, const sk_obj *old, sk_obj *causes);

#endif
