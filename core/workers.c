/* workers.c — a small thread pool for blocking work; results come back on
 * the loop through ev_async, so `done` callbacks run like any other. */
#include "err.h"
#include "loop.h"
#include <pthread.h>
#include <stdlib.h>

struct job {
	struct job *next;
	sk_plugin *p;
	sk_work_fn work, done;
	void *ud;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct job *todo_head, *todo_tail, *done_head, *done_tail;
static pthread_t *threads;
static int nthreads, stopping;
static ev_async wakeup;
static int pending; /* jobs submitted and not yet completed on the loop */

static void push(struct job **h, struct job **t, struct job *j)
{
	j->next = NULL;
	if (*t)
		(*t)->next = j;
	else
		*h = j;
	*t = j;
}

static void *worker_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	for (;;) {
		while (!todo_head && !stopping)
			pthread_cond_wait(&cv, &mu);
		if (!todo_head)
			break;
		struct job *j = todo_head;
		todo_head = j->next;
		if (!todo_head)
			todo_tail = NULL;
		pthread_mutex_unlock(&mu);
		j->work(j->ud);
		pthread_mutex_lock(&mu);
		push(&done_head, &done_tail, j);
		ev_async_send(sk_ev(), &wakeup);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void on_done(struct ev_loop *l, ev_async *w, int revents)
{
	(void)l;
	(void)w;
	(void)revents;
	pthread_mutex_lock(&mu);
	struct job *j = done_head;
	done_head = done_tail = NULL;
	pthread_mutex_unlock(&mu);
	while (j) {
		struct job *next = j->next;
		pending--;
		if (pending == 0)
			ev_unref(sk_ev());
		if (j->done) {
			struct call_scope s;
			call_begin(&s, j->p);
			j->done(j->ud);
			call_end(&s, "a worker completion");
		}
		free(j);
		j = next;
	}
}

int sk_workers_init(int n, sk_err *err)
{
	if (n < 1)
		n = 1;
	ev_async_init(&wakeup, on_done);
	ev_async_start(sk_ev(), &wakeup);
	ev_unref(sk_ev()); /* an idle pool does not keep the loop alive */
	threads = calloc((size_t)n, sizeof *threads);
	if (!threads)
		return sk_fail(err, SK_ENOMEM, "out of memory");
	stopping = 0;
	for (nthreads = 0; nthreads < n; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, worker_main, NULL) != 0)
			return sk_fail(err, SK_EIO, "cannot start worker thread %d", nthreads);
	return SK_OK;
}

int sk_work_submit(sk_plugin *p, sk_work_fn work, sk_work_fn done, void *ud, sk_err *err)
{
	struct job *j = calloc(1, sizeof *j);
	if (!j)
		return sk_fail(err, SK_ENOMEM, "out of memory");
	if (!threads) {
		free(j);
		return sk_fail(err, SK_EIO, "the worker pool is not running");
	}
	j->p = p;
	j->work = work;
	j->done = done;
	j->ud = ud;
	if (pending++ == 0)
		ev_ref(sk_ev()); /* outstanding work keeps the loop alive */
	pthread_mutex_lock(&mu);
	push(&todo_head, &todo_tail, j);
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	return SK_OK;
}

/* Finishes queued work, delivers completions, then stops the threads. */
void sk_workers_fini(void)
{
	if (!threads)
		return;
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	threads = NULL;
	on_done(sk_ev(), &wakeup, 0);
	ev_ref(sk_ev());
	ev_async_stop(sk_ev(), &wakeup);
}
