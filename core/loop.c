/* loop.c — the event loop, signals, timers, clock and stall detector. */
#include "loop.h"
#include "err.h"
#include "log.h"
#include "plugin_host.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int sk_workers_init(int n, sk_err *err);
void sk_workers_fini(void);

static struct ev_loop *loop;
static ev_signal sig_term, sig_int;
static void (*signal_fn)(int, void *);
static void *signal_ud;
static double stall_threshold = 0.1;

/* The plugin whose callback is running, and since when (read by the watchdog). */
static sk_plugin *current;
static _Atomic(sk_plugin *) watched_plugin;
static _Atomic int64_t watched_since_ns; /* 0: the loop is between callbacks */
static atomic_uint stalls;
static pthread_t watchdog;
static atomic_int watchdog_run;

static int64_t clock_offset_ms;
static double clock_rate = 1.0;
static int64_t clock_base_ms;

struct ev_loop *sk_ev(void) { return loop; }

double sk_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sk_clock_set(int64_t offset_ms, double rate)
{
	clock_base_ms = real_ms();
	clock_offset_ms = offset_ms;
	clock_rate = rate > 0 ? rate : 1.0;
}

int64_t sk_clock_now_ms(void)
{
	int64_t now = real_ms();
	if (clock_rate == 1.0)
		return now + clock_offset_ms;
	return clock_base_ms + clock_offset_ms + (int64_t)((double)(now - clock_base_ms) * clock_rate);
}

void call_begin(struct call_scope *s, sk_plugin *p)
{
	s->prev = current;
	s->start = sk_monotonic();
	current = p;
	if (!s->prev) {
		atomic_store(&watched_plugin, p);
		atomic_store(&watched_since_ns, mono_ns());
	}
}

void call_end(struct call_scope *s, const char *what)
{
	double took = sk_monotonic() - s->start;
	if (took > stall_threshold && current) {
		atomic_fetch_add(&stalls, 1);
		sk_logn("core", SK_LOG_WARN, "stall: plugin %s held the event loop for %.0f ms in %s",
		        sk_plugin_name(current), took * 1000, what);
	}
	current = s->prev;
	if (!s->prev)
		atomic_store(&watched_since_ns, 0);
}

sk_plugin *call_current(void) { return current; }
unsigned sk_stall_count(void) { return atomic_load(&stalls); }

/* Reports a loop stuck in one callback while it is still stuck: the
 * after-the-fact report in call_end never comes if the callback never ends. */
static void *watchdog_main(void *arg)
{
	(void)arg;
	int64_t reported_since = 0;
	while (atomic_load(&watchdog_run)) {
		usleep(200000);
		int64_t since = atomic_load(&watched_since_ns);
		int64_t limit = (int64_t)(stall_threshold * 1e9) * 10;
		if (limit < 1000000000)
			limit = 1000000000;
		if (since && since != reported_since && mono_ns() - since > limit) {
			sk_plugin *p = atomic_load(&watched_plugin);
			sk_logn("core", SK_LOG_WARN, "stall: event loop blocked for %lld ms in plugin %s",
			        (long long)((mono_ns() - since) / 1000000), p ? sk_plugin_name(p) : "core");
			reported_since = since;
		}
	}
	return NULL;
}

static void on_signal(struct ev_loop *l, ev_signal *w, int revents)
{
	(void)l;
	(void)revents;
	if (signal_fn)
		signal_fn(w->signum, signal_ud);
	else
		sk_loop_stop();
}

int sk_loop_init(double stall_threshold_s, int workers, sk_err *err)
{
	loop = ev_default_loop(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
	if (!loop)
		return sk_fail(err, SK_EIO, "cannot initialise the event loop (libev)");
	if (stall_threshold_s > 0)
		stall_threshold = stall_threshold_s;
	signal(SIGPIPE, SIG_IGN);
	ev_signal_init(&sig_term, on_signal, SIGTERM);
	ev_signal_init(&sig_int, on_signal, SIGINT);
	ev_signal_start(loop, &sig_term);
	ev_signal_start(loop, &sig_int);
	ev_unref(loop); /* signal watchers alone do not keep the loop alive */
	ev_unref(loop);
	atomic_store(&watchdog_run, 1);
	if (pthread_create(&watchdog, NULL, watchdog_main, NULL) != 0) {
		atomic_store(&watchdog_run, 0);
		return sk_fail(err, SK_EIO, "cannot start the stall watchdog thread");
	}
	return sk_workers_init(workers, err);
}

void sk_loop_on_signal(void (*fn)(int, void *), void *ud)
{
	signal_fn = fn;
	signal_ud = ud;
}

void sk_loop_run(void) { ev_run(loop, 0); }
void sk_loop_stop(void) { ev_break(loop, EVBREAK_ALL); }

static void wake(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l;
	(void)w;
	(void)revents;
}

int sk_loop_run_until(int (*cond)(void *), void *ud, double timeout_s)
{
	double end = sk_monotonic() + timeout_s;
	ev_timer deadline;
	int r;
	ev_timer_init(&deadline, wake, timeout_s, 0);
	ev_timer_start(loop, &deadline);
	while (!(r = cond(ud)) && sk_monotonic() < end)
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &deadline);
	return r;
}

void sk_loop_fini(void)
{
	if (!loop)
		return;
	sk_workers_fini();
	if (atomic_load(&watchdog_run)) {
		atomic_store(&watchdog_run, 0);
		pthread_join(watchdog, NULL);
	}
	ev_ref(loop);
	ev_ref(loop);
	ev_signal_stop(loop, &sig_term);
	ev_signal_stop(loop, &sig_int);
	loop = NULL;
}

/* Timers */
struct sk_timer {
	ev_timer w;
	sk_plugin *p;
	sk_timer_fn fn;
	void *ud;
};

static void on_timer(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l;
	(void)revents;
	sk_timer *t = (sk_timer *)w;
	struct call_scope s;
	call_begin(&s, t->p);
	t->fn(t->ud);
	call_end(&s, "a timer");
}

sk_timer *sk_timer_start(sk_plugin *p, double after_s, double repeat_s, sk_timer_fn fn, void *ud)
{
	sk_timer *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->p = p;
	t->fn = fn;
	t->ud = ud;
	/* libev measures from the time cached at the start of this loop
	 * iteration; after a long callback that would fire the timer early */
	ev_now_update(loop);
	ev_timer_init(&t->w, on_timer, after_s < 0 ? 0 : after_s, repeat_s < 0 ? 0 : repeat_s);
	ev_timer_start(loop, &t->w);
	return t;
}

void sk_timer_stop(sk_timer *t)
{
	if (!t)
		return;
	ev_timer_stop(loop, &t->w);
	free(t);
}
