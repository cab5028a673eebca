/* skiff/data.h — reading, writing and watching cluster objects.
 *
 * Objects are addressed by resource (group and plural resource name, "" for
 * the core group: ("", "pods"), ("apps", "deployments")), namespace (NULL for
 * cluster-scoped resources) and name. The resource must be registered (see
 * skiff/resource.h). Reads are synchronous and consistent; writes are
 * asynchronous: the callback runs on the loop once the write is durable, with
 * the stored object (resourceVersion set), or with an error — always after
 * the call has returned, even for an error found at once — SK_EEXIST,
 * SK_ENOTFOUND, SK_ECONFLICT when `metadata.resourceVersion` of an update or
 * the precondition of a delete is stale.
 *
 * Watches deliver every committed change to matching objects exactly once, in
 * revision order. With label or field selectors, an object that starts
 * matching arrives as ADDED and one that stops matching as DELETED, as
 * Kubernetes watchers expect. Starting from a revision older than the
 * retained history fails with SK_EEXPIRED.
 *
 * Ownership: sk_api_get and sk_api_list return references the caller owns. Objects in
 * callbacks and events are borrowed for the call; take sk_obj_ref to keep one.
 * sk_watch_stop frees the watch and may be called from its own callback.
 */
#ifndef SKIFF_DATA_H
#define SKIFF_DATA_H
#include <skiff/abi.h>

typedef enum sk_event_type {
	SK_EV_ADDED = 1, SK_EV_MODIFIED = 2, SK_EV_DELETED = 3,
	SK_EV_BOOKMARK = 4, SK_EV_ERROR = 5,
} sk_event_type;

typedef struct sk_event {
	uint32_t size;
	sk_event_type type;  /* as this watcher sees it, after selector filtering */
	int64_t revision;    /* revision of the commit */
	const sk_obj *object;/* new state; for DELETED the last state */
	const sk_obj *old;   /* previous state, NULL for ADDED */
	const char *key;     /* storage key, /registry/<group>/<resource>/[<ns>/]<name> */
} sk_event;

typedef void (*sk_write_fn)(void *ud, const sk_err *err, const sk_obj *stored);
typedef void (*sk_event_fn)(void *ud, const sk_event *ev);

typedef struct sk_list_opts {
	uint32_t size;
	const sk_selector *labels;  /* may be NULL */
	const sk_selector *fields;  /* may be NULL */
	size_t limit;               /* 0: no limit */
	const char *cont;           /* continue token from a previous page, or NULL */
	int64_t revision;           /* 0: current; else a consistent read at it */
} sk_list_opts;

typedef struct sk_watch_spec {
	uint32_t size;
	const char *group;
	const char *resource;
	const char *ns;             /* NULL: all namespaces */
	const sk_selector *labels;  /* copied; may be NULL */
	const sk_selector *fields;  /* copied; may be NULL */
	int64_t from_revision;      /* deliver changes after it; 0: from now */
	sk_event_fn fn;
	void *ud;
} sk_watch_spec;

int sk_api_get(const char *group, const char *resource, const char *ns, const char *name,
           sk_obj **out, sk_err *err);
/* A List object: {"metadata":{"resourceVersion","continue"?}, "items":[...]} */
int sk_api_list(const char *group, const char *resource, const char *ns,
            const sk_list_opts *opts, sk_obj **out, sk_err *err);
void sk_api_create(sk_plugin *p, const char *group, const char *resource, const char *ns,
               sk_obj *obj, sk_write_fn fn, void *ud);
/* compare-and-swap on metadata.resourceVersion when it is set */
void sk_api_update(sk_plugin *p, const char *group, const char *resource, const char *ns,
               sk_obj *obj, sk_write_fn fn, void *ud);
/* precondition_rv 0: unconditional */
void sk_api_delete(sk_plugin *p, const char *group, const char *resource, const char *ns,
               const char *name, int64_t precondition_rv, sk_write_fn fn, void *ud);
/* An action subresource of a stored object (skiff/resource.h, `act`), as a
 * POST to it does over HTTP but without admission: ("", "pods", ns, name,
 * "binding", a Binding) places a pod, or fails with SK_ECONFLICT when it is
 * already placed. The callback gets the object as stored after it. */
void sk_api_act(sk_plugin *p, const char *group, const char *resource, const char *ns, const char *name,
                const char *subresource, const sk_obj *body, sk_write_fn fn, void *ud);
int64_t sk_api_revision(void);

sk_watch *sk_watch_start(sk_plugin *p, const sk_watch_spec *spec, sk_err *err);
void sk_watch_stop(sk_watch *w);
/* The watch-event frame {"type":..,"object":..} as JSON and a newline, as
 * a Kubernetes watch stream carries it; serialized once per commit and
 * shared by every watcher that sees the same type; borrowed. */
const char *sk_event_json(const sk_event *ev, size_t *len);

#ifndef SKIFF_CORE
#define sk_api_get (sk__host->api_get)
#define sk_api_list (sk__host->api_list)
#define sk_api_create (sk__host->api_create)
#define sk_api_update (sk__host->api_update)
#define sk_api_delete (sk__host->api_delete)
#define sk_api_revision (sk__host->api_revision)
#define sk_api_act (sk__host->api_act)
#define sk_watch_start (sk__host->watch_start)
#define sk_watch_stop (sk__host->watch_stop)
#define sk_event_json (sk__host->event_json)
#endif
#endif
#include <skiff/host.h>
