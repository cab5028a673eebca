/* queue.c — the scheduling queue, as kube-scheduler keeps it: an active
 * heap (higher priority first, then first come), a back-off area for pods
 * whose attempt failed (1 s doubling to 10 s), and parked pods that did not
 * fit, retried when the cluster changes or after five minutes. */
#include "sched.h"
#include <stdlib.h>
#include <string.h>

#define BATCH 256            /* pods per loop pass, at most */
#define PASS_S 0.005         /* and no longer than this: binds and events complete between passes */
#define BACKOFF_INITIAL_S 1.0
#define BACKOFF_MAX_S 10.0
#define PARKED_MAX_S 300.0   /* podMaxInUnschedulablePodsDuration */
#define TICK_S 0.2

enum state { ACTIVE, INFLIGHT, BACKOFF, PARKED };
#define WAITING(st) ((st) == BACKOFF || (st) == PARKED)

struct entry {
	char *key;
	int64_t priority;
	uint64_t seq;       /* which heap slot is current; older ones are stale */
	enum state state;
	int attempts;
	double until;       /* BACKOFF: when it may go; PARKED: when it goes anyway */
	double tried;       /* when its last attempt failed */
};

struct slot {
	int64_t priority;
	uint64_t seq;
	char *key;
};

struct queue {
	sk_plugin *p;
	queue_pop_fn pop;
	void *ud;
	sk_map *entries;         /* key -> struct entry */
	struct slot *heap;
	size_t n, cap;
	uint64_t next_seq;
	size_t waiting;          /* entries in BACKOFF or PARKED */
	sk_timer *drain, *tick;
};

static int before(const struct slot *a, const struct slot *b)
{
	return a->priority != b->priority ? a->priority > b->priority : a->seq < b->seq;
}

static void sift_up(struct queue *q, size_t i)
{
	while (i) {
		size_t up = (i - 1) / 2;
		if (!before(&q->heap[i], &q->heap[up]))
			break;
		struct slot t = q->heap[i];
		q->heap[i] = q->heap[up];
		q->heap[up] = t;
		i = up;
	}
}

static void sift_down(struct queue *q, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < q->n && before(&q->heap[l], &q->heap[m]))
			m = l;
		if (r < q->n && before(&q->heap[r], &q->heap[m]))
			m = r;
		if (m == i)
			return;
		struct slot t = q->heap[i];
		q->heap[i] = q->heap[m];
		q->heap[m] = t;
		i = m;
	}
}

static void on_drain(void *ud);

/* 1 s after the first failure, doubling up to 10 s */
static double backoff_s(int attempts)
{
	double b = BACKOFF_INITIAL_S;
	for (int i = 1; i < attempts && b < BACKOFF_MAX_S; i++)
		b *= 2;
	return b > BACKOFF_MAX_S ? BACKOFF_MAX_S : b;
}

static void wake(struct queue *q)
{
	if (!q->drain && q->n)
		q->drain = sk_timer_start(q->p, 0, 0, on_drain, q);
}

static void activate(struct queue *q, struct entry *e)
{
	if (WAITING(e->state))
		q->waiting--;
	e->state = ACTIVE;
	e->seq = ++q->next_seq;
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct slot *h = realloc(q->heap, cap * sizeof *h);
		if (!h)
			return; /* stays in the map: the next move_all retries it */
		q->heap = h;
		q->cap = cap;
	}
	char *k = strdup(e->key);
	if (!k)
		return;
	q->heap[q->n] = (struct slot){e->priority, e->seq, k};
	sift_up(q, q->n++);
	wake(q);
}

static void on_drain(void *ud)
{
	struct queue *q = ud;
	sk_timer_stop(q->drain);
	q->drain = NULL;
	double until = sk_monotonic() + PASS_S;
	for (int i = 0; i < BATCH && q->n && (i == 0 || sk_monotonic() < until); i++) {
		struct slot top = q->heap[0];
		q->heap[0] = q->heap[--q->n];
		sift_down(q, 0);
		struct entry *e = sk_map_get(q->entries, top.key);
		if (e && e->state == ACTIVE && e->seq == top.seq) {
			/* in flight until its cycle binds it (queue_del) or fails (park) */
			e->state = INFLIGHT;
			q->pop(q->ud, top.key);
		}
		free(top.key);
	}
	wake(q);
}

static int expire(void *ud, const char *key, void *value)
{
	(void)key;
	struct entry *e = value;
	double *now = ud;
	if (WAITING(e->state) && e->until <= now[0])
		e->until = -1; /* marked: moved after the walk, which may not change the map */
	return 0;
}

static int move_marked(void *ud, const char *key, void *value)
{
	(void)key;
	struct entry *e = value;
	if (WAITING(e->state) && e->until < 0)
		activate(ud, e);
	return 0;
}

static void on_tick(void *ud)
{
	struct queue *q = ud;
	double now = sk_monotonic();
	sk_map_foreach(q->entries, expire, &now);
	sk_map_foreach(q->entries, move_marked, q);
	if (!q->waiting && q->tick) {
		sk_timer_stop(q->tick);
		q->tick = NULL;
	}
}

struct queue *queue_new(sk_plugin *p, queue_pop_fn pop, void *ud)
{
	struct queue *q = calloc(1, sizeof *q);
	if (!q || !(q->entries = sk_map_new())) {
		free(q);
		return NULL;
	}
	q->p = p;
	q->pop = pop;
	q->ud = ud;
	return q;
}

static void entry_free(void *v)
{
	struct entry *e = v;
	free(e->key);
	free(e);
}

void queue_free(struct queue *q)
{
	if (!q)
		return;
	if (q->drain)
		sk_timer_stop(q->drain);
	if (q->tick)
		sk_timer_stop(q->tick);
	for (size_t i = 0; i < q->n; i++)
		free(q->heap[i].key);
	free(q->heap);
	sk_map_free(q->entries, entry_free);
	free(q);
}

static struct entry *entry_get(struct queue *q, const char *key, int64_t priority)
{
	struct entry *e = sk_map_get(q->entries, key);
	if (e)
		return e;
	if (!(e = calloc(1, sizeof *e)) || !(e->key = strdup(key))) {
		free(e);
		return NULL;
	}
	e->priority = priority;
	e->state = BACKOFF; /* not yet in the heap: activate() counts it in */
	q->waiting++;
	int failed = 0;
	sk_map_put(q->entries, key, e, &failed);
	if (failed) {
		q->waiting--;
		entry_free(e);
		return NULL;
	}
	return e;
}

void queue_add(struct queue *q, const char *key, int64_t priority)
{
	struct entry *e = sk_map_get(q->entries, key);
	if (e) {
		e->priority = priority;
		return; /* already waiting its turn */
	}
	if ((e = entry_get(q, key, priority)))
		activate(q, e);
}

void queue_del(struct queue *q, const char *key)
{
	struct entry *e = sk_map_del(q->entries, key);
	if (!e)
		return;
	if (WAITING(e->state))
		q->waiting--;
	entry_free(e); /* its heap slot goes stale */
}

static void park(struct queue *q, const char *key, enum state st)
{
	struct entry *e = sk_map_get(q->entries, key);
	if (!e && !(e = entry_get(q, key, 0)))
		return;
	int attempts = ++e->attempts;
	if (!WAITING(e->state))
		q->waiting++;
	e->state = st;
	e->tried = sk_monotonic();
	e->until = e->tried + (st == PARKED ? PARKED_MAX_S : backoff_s(attempts));
	if (!q->tick)
		q->tick = sk_timer_start(q->p, TICK_S, TICK_S, on_tick, q);
}

void queue_unschedulable(struct queue *q, const char *key) { park(q, key, PARKED); }
void queue_backoff(struct queue *q, const char *key) { park(q, key, BACKOFF); }

/* parked pods go to back-off (retried when it ends), as kube-scheduler
 * moves them on a cluster event */
static int unpark(void *ud, const char *key, void *value)
{
	(void)key;
	(void)ud;
	struct entry *e = value;
	if (e->state == PARKED) {
		e->state = BACKOFF;
		e->until = e->tried + backoff_s(e->attempts);
	}
	return 0;
}

void queue_move_all(struct queue *q)
{
	sk_map_foreach(q->entries, unpark, q);
}

size_t queue_len(const struct queue *q) { return sk_map_len(q->entries); }
