/* skiff/informer.h — informers and work queues: the controller pattern.
 *
 * An informer keeps a local, indexed cache of one resource current by list
 * and watch, and calls handlers for adds, updates and deletes. A work queue
 * holds keys (usually "namespace/name") to reconcile: a key queued many times
 * before it is processed is processed once; a key re-queued while being
 * processed is processed again afterwards; failures are retried with
 * per-key exponential back-off under an overall rate limit, as client-go's
 * workqueue does.
 *
 * Ownership: objects passed to handlers, visitors and returned by
 * sk_informer_get are borrowed and stay valid until the informer next
 * changes (take sk_obj_ref to keep one). The informer and the queue belong to
 * their creator until sk_informer_free / sk_queue_free.
 */
#ifndef SKIFF_INFORMER_H
#define SKIFF_INFORMER_H
#include <skiff/abi.h>

typedef struct sk_informer_handlers {
	uint32_t size;
	void (*on_add)(void *ud, const sk_obj *obj);
	void (*on_update)(void *ud, const sk_obj *old, const sk_obj *obj);
	void (*on_delete)(void *ud, const sk_obj *obj);
} sk_informer_handlers;

typedef struct sk_informer_spec {
	uint32_t size;
	const char *group;
	const char *resource;
	const char *ns;              /* NULL: all namespaces */
	const char *label_selector;  /* NULL: everything */
	const char *field_selector;  /* NULL: everything */
	const sk_informer_handlers *handlers; /* copied; may be NULL */
	void *ud;
} sk_informer_spec;

/* An index function reports the index values of an object via emit(). */
typedef void (*sk_index_emit_fn)(void *ectx, const char *value);
typedef void (*sk_index_fn)(void *ud, const sk_obj *obj, sk_index_emit_fn emit, void *ectx);
/* visitor: return non-zero to stop */
typedef int (*sk_informer_visit_fn)(void *ud, const sk_obj *obj);

sk_informer *sk_informer_new(sk_plugin *p, const sk_informer_spec *spec, sk_err *err);
int sk_informer_add_index(sk_informer *inf, const char *name, sk_index_fn fn, void *ud, sk_err *err);
const sk_obj *sk_informer_get(sk_informer *inf, const char *ns, const char *name);
/* visit cached objects, in one namespace or all (ns NULL); returns count visited */
size_t sk_informer_foreach(sk_informer *inf, const char *ns, sk_informer_visit_fn fn, void *ud);
size_t sk_informer_by_index(sk_informer *inf, const char *index, const char *value,
                            sk_informer_visit_fn fn, void *ud);
size_t sk_informer_count(sk_informer *inf);
int sk_informer_synced(sk_informer *inf);
void sk_informer_free(sk_informer *inf);

enum { SK_QUEUE_DONE = 0, SK_QUEUE_RETRY = 1 };

typedef struct sk_queue_spec {
	uint32_t size;
	const char *name;
	/* reconcile one key; return SK_QUEUE_DONE or SK_QUEUE_RETRY */
	int (*process)(void *ud, const char *key);
	void *ud;
	double base_delay_s;   /* first retry delay; 0: 0.005 */
	double max_delay_s;    /* retry delay cap; 0: 1000 */
	double qps;            /* overall retry rate; 0: 10 */
	int burst;             /* overall retry burst; 0: 100 */
} sk_queue_spec;

sk_queue *sk_queue_new(sk_plugin *p, const sk_queue_spec *spec, sk_err *err);
void sk_queue_add(sk_queue *q, const char *key);
void sk_queue_add_after(sk_queue *q, const char *key, double delay_s);
void sk_queue_add_rate_limited(sk_queue *q, const char *key);
void sk_queue_forget(sk_queue *q, const char *key);
int sk_queue_retries(sk_queue *q, const char *key);
size_t sk_queue_len(sk_queue *q);
void sk_queue_free(sk_queue *q);
/* "namespace/name" or "name" of an object, into buf; returns buf */
char *sk_object_key(const sk_obj *obj, char *buf, size_t cap);

#ifndef SKIFF_CORE
#define sk_informer_new (sk__host->informer_new)
#define sk_informer_add_index (sk__host->informer_add_index)
#define sk_informer_get (sk__host->informer_get)
#define sk_informer_foreach (sk__host->informer_foreach)
#define sk_informer_by_index (sk__host->informer_by_index)
#define sk_informer_count (sk__host->informer_count)
#define sk_informer_synced (sk__host->informer_synced)
#define sk_informer_free (sk__host->informer_free)
#define sk_queue_new (sk__host->queue_new)
#define sk_queue_add (sk__host->queue_add)
#define sk_queue_add_after (sk__host->queue_add_after)
#define sk_queue_add_rate_limited (sk__host->queue_add_rate_limited)
#define sk_queue_forget (sk__host->queue_forget)
#define sk_queue_retries (sk__host->queue_retries)
#define sk_queue_len (sk__host->queue_len)
#define sk_queue_free (sk__host->queue_free)
#define sk_object_key (sk__host->object_key)
#endif
#endif
#include <skiff/host.h>
