/* loop.h — the one event loop: libev, signals, timers, the stall detector,
 * the worker pool and child processes (their SDK faces are in skiff/loop.h).
 *
 * Every callback into plugin code is bracketed by call_begin/call_end so the
 * stall detector can name the plugin that held the loop.
 */
#ifndef SKIFF_CORE_LOOP_H
#define SKIFF_CORE_LOOP_H
#include <ev.h>
#include <skiff/loop.h>

struct ev_loop *sk_ev(void);
int sk_loop_init(double stall_threshold_s, int workers, sk_err *err);
/* runs until sk_loop_stop; SIGTERM/SIGINT call the stop handler */
void sk_loop_run(void);
void sk_loop_stop(void);
void sk_loop_on_signal(void (*fn)(int signo, void *ud), void *ud);
void sk_loop_fini(void);
/* run the loop until cond(ud) holds or timeout_s passes; returns cond's last value (tests, CLI) */
int sk_loop_run_until(int (*cond)(void *ud), void *ud, double timeout_s);

struct call_scope {
	sk_plugin *prev;
	double start;
};
void call_begin(struct call_scope *s, sk_plugin *p);
void call_end(struct call_scope *s, const char *what);
sk_plugin *call_current(void);

/* test clock: offset the cluster clock and speed it up */
void sk_clock_set(int64_t offset_ms, double rate);
/* number of stalls reported so far (tests) */
unsigned sk_stall_count(void);

#endif
