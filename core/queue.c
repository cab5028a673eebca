/* queue.c — the work queue of the controller pattern: de-duplicating,
 * delayed adds, and retries limited per key (exponential back-off) and
 * overall (token bucket), as client-go's default controller rate limiter.
 *
 * Keys are processed on the loop in small batches so one busy queue cannot
 * hold the loop; a key added while it is being processed is simply queued
 * again and processed afterwards.
 */
#include "err.h"
#include "loop.h"
#include "strmap.h"
#include <math.h>
#include <skiff/informer.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 64

struct delayed {
	ev_timer w;
	sk_queue *q;
	double due;
	char key[];
};

struct sk_queue {
	sk_plugin *p;
	sk_queue_spec spec;
	char **fifo;            /* ring of queued keys */
	size_t head, len, cap;
	struct strmap *queued;  /* keys in the fifo */
	struct strmap *fails;   /* key -> (intptr_t) failures */
	struct strmap *delayed; /* key -> struct delayed */
	ev_timer tick;
	double tokens, last_refill;
	int in_process, dead;
};

static void schedule(sk_queue *q)
{
	if (q->len && !ev_is_active(&q->tick)) {
		ev_timer_set(&q->tick, 0, 0);
		ev_timer_start(sk_ev(), &q->tick);
	}
}

void sk_queue_add(sk_queue *q, const char *key)
{
	if (!q || q->dead || !key || strmap_get(q->queued, key))
		return;
	if (q->len == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		char **f = malloc(cap * sizeof *f);
		if (!f)
			return;
		for (size_t i = 0; i < q->len; i++)
			f[i] = q->fifo[(q->head + i) % q->cap];
		free(q->fifo);
		q->fifo = f;
		q->head = 0;
		q->cap = cap;
	}
	char *k = strdup(key);
	q->fifo[(q->head + q->len++) % q->cap] = k;
	strmap_put(q->queued, key, k, NULL);
	schedule(q);
}

static void on_delayed(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l;
	(void)revents;
	struct delayed *d = (struct delayed *)w;
	sk_queue *q = d->q;
	strmap_del(q->delayed, d->key);
	sk_queue_add(q, d->key);
	free(d);
}

void sk_queue_add_after(sk_queue *q, const char *key, double delay_s)
{
	if (!q || q->dead || !key)
		return;
	if (delay_s <= 0) {
		sk_queue_add(q, key);
		return;
	}
	double due = sk_monotonic() + delay_s;
	struct delayed *d = strmap_get(q->delayed, key);
	if (d) {
		if (d->due <= due)
			return; /* already due sooner */
		ev_timer_stop(sk_ev(), &d->w);
	} else {
		size_t kl = strlen(key);
		d = calloc(1, sizeof *d + kl + 1);
		if (!d)
			return;
		memcpy(d->key, key, kl + 1);
		d->q = q;
		ev_init(&d->w, on_delayed);
		strmap_put(q->delayed, key, d, NULL);
	}
	d->due = due;
	ev_now_update(sk_ev()); /* count from now, not from the iteration's start */
	ev_timer_set(&d->w, delay_s, 0);
	ev_timer_start(sk_ev(), &d->w);
}

/* Overall limit: a token bucket; returns the wait before the next token. */
static double bucket_delay(sk_queue *q)
{
	double now = sk_monotonic();
	q->tokens += (now - q->last_refill) * q->spec.qps;
	if (q->tokens > q->spec.burst)
		q->tokens = q->spec.burst;
	q->last_refill = now;
	q->tokens -= 1;
	return q->tokens >= 0 ? 0 : -q->tokens / q->spec.qps;
}

void sk_queue_add_rate_limited(sk_queue *q, const char *key)
{
	if (!q || q->dead || !key)
		return;
	intptr_t n = (intptr_t)strmap_get(q->fails, key);
	strmap_put(q->fails, key, (void *)(n + 1), NULL);
	double per_key = q->spec.base_delay_s * pow(2.0, (double)(n > 60 ? 60 : n));
	if (per_key > q->spec.max_delay_s)
		per_key = q->spec.max_delay_s;
	double overall = bucket_delay(q);
	sk_queue_add_after(q, key, per_key > overall ? per_key : overall);
}

void sk_queue_forget(sk_queue *q, const char *key)
{
	if (q && key)
		strmap_del(q->fails, key);
}

int sk_queue_retries(sk_queue *q, const char *key) { return q && key ? (int)(intptr_t)strmap_get(q->fails, key) : 0; }
size_t sk_queue_len(sk_queue *q) { return q ? q->len : 0; }

static void destroy(sk_queue *q);

static void on_tick(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l;
	(void)revents;
	sk_queue *q = (sk_queue *)((char *)w - offsetof(sk_queue, tick));
	q->in_process = 1;
	for (int i = 0; i < BATCH && q->len && !q->dead; i++) {
		char *key = q->fifo[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
		strmap_del(q->queued, key);
		struct call_scope s;
		call_begin(&s, q->p);
		int r = q->spec.process(q->spec.ud, key);
		call_end(&s, q->spec.name ? q->spec.name : "a work queue");
		if (!q->dead) {
			if (r == SK_QUEUE_RETRY)
				sk_queue_add_rate_limited(q, key);
			else
				sk_queue_forget(q, key);
		}
		free(key);
	}
	q->in_process = 0;
	if (q->dead)
		destroy(q);
	else
		schedule(q);
}

sk_queue *sk_queue_new(sk_plugin *p, const sk_queue_spec *spec, sk_err *err)
{
	if (!spec || spec->size < sizeof *spec || !spec->process) {
		sk_fail(err, SK_EINVALID, "queue spec missing, too small, or without process");
		return NULL;
	}
	sk_queue *q = calloc(1, sizeof *q);
	if (!q) {
		sk_fail(err, SK_ENOMEM, "out of memory");
		return NULL;
	}
	q->p = p;
	q->spec = *spec;
	if (q->spec.base_delay_s <= 0)
		q->spec.base_delay_s = 0.005;
	if (q->spec.max_delay_s <= 0)
		q->spec.max_delay_s = 1000;
	if (q->spec.qps <= 0)
		q->spec.qps = 10;
	if (q->spec.burst <= 0)
		q->spec.burst = 100;
	q->tokens = q->spec.burst;
	q->last_refill = sk_monotonic();
	q->queued = strmap_new();
	q->fails = strmap_new();
	q->delayed = strmap_new();
	ev_init(&q->tick, on_tick);
	return q;
}

static int stop_delayed(void *ud, const char *key, void *val)
{
	(void)ud;
	(void)key;
	ev_timer_stop(sk_ev(), &((struct delayed *)val)->w);
	free(val);
	return 0;
}

static void destroy(sk_queue *q)
{
	ev_timer_stop(sk_ev(), &q->tick);
	strmap_foreach(q->delayed, stop_delayed, NULL);
	strmap_free(q->delayed, NULL);
	for (size_t i = 0; i < q->len; i++)
		free(q->fifo[(q->head + i) % q->cap]);
	free(q->fifo);
	strmap_free(q->queued, NULL);
	strmap_free(q->fails, NULL);
	free(q);
}

void sk_queue_free(sk_queue *q)
{
	if (!q)
		return;
	q->dead = 1;
	if (!q->in_process)
		destroy(q);
}
