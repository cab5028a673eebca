/* skiff/loop.h — time, timers, logging, background work and child processes.
 *
 * All plugin code runs on one event-loop thread, so plugins need no locks,
 * and must never block it. Blocking work goes to the worker pool
 * (sk_work_submit: `work` runs on a pool thread and may call only the
 * functions marked thread-safe below; `done` runs back on the loop) or to a
 * child process (sk_child_spawn: exit status and captured output arrive on
 * the loop). Callbacks that hold the loop longer than the stall threshold
 * are logged with the plugin's name.
 *
 * Ownership: a timer belongs to its creator until sk_timer_stop (which frees
 * it; a one-shot timer is not freed when it fires — stop it, even from its own
 * callback). Child output buffers passed to the exit callback are borrowed for
 * the duration of the call.
 */
#ifndef SKIFF_LOOP_H
#define SKIFF_LOOP_H
#include <skiff/abi.h>
#include <sys/types.h>

enum { SK_LOG_ERROR = 0, SK_LOG_WARN = 1, SK_LOG_INFO = 2, SK_LOG_DEBUG = 3 };

typedef void (*sk_timer_fn)(void *ud);
typedef void (*sk_work_fn)(void *ud);

/* Output captured from a child; at most `capture_limit` bytes of each. */
typedef struct sk_child_result {
	uint32_t size;
	int exit_code;      /* exit status, or -1 if killed by a signal */
	int term_signal;    /* the signal that ended it, or 0 */
	const char *out;    /* captured stdout (NUL-terminated), or NULL */
	size_t out_len;
	const char *err;    /* captured stderr (NUL-terminated), or NULL */
	size_t err_len;
	int truncated;      /* output beyond capture_limit was discarded */
} sk_child_result;

typedef void (*sk_child_fn)(void *ud, const sk_child_result *res);
/* output as it arrives: fd 1 or 2, never NULL data (the end is the exit) */
typedef void (*sk_child_output_fn)(void *ud, int fd, const char *data, size_t len);

typedef struct sk_child_spec {
	uint32_t size;             /* sizeof(sk_child_spec) */
	const char *const *argv;   /* argv[0] is the program; PATH is searched */
	const char *const *envp;   /* NULL: inherit the server's environment */
	const char *cwd;           /* NULL: inherit */
	const void *stdin_data;    /* written to the child's stdin, then closed */
	size_t stdin_len;
	size_t capture_limit;      /* 0: 1 MiB */
	double timeout_s;          /* 0: none; on expiry SIGKILL */
	/* set: output goes here as it arrives (a container's log) instead of
	 * being captured, and the result's out/err are NULL */
	sk_child_output_fn output;
	int new_session;           /* non-zero: setsid(), so a terminal's signals to the server miss it */
} sk_child_spec;

/* thread-safe */
void sk_log(sk_plugin *p, int level, const char *fmt, ...) SK_PRINTF(3, 4);
/* Monotonic seconds; thread-safe. */
double sk_monotonic(void);
/* Wall-clock milliseconds since the epoch as the cluster sees it. Tests may
 * offset and speed up this clock, so controllers must take time from here.
 * thread-safe */
int64_t sk_clock_now_ms(void);
/* That clock as Kubernetes writes a timestamp ("2026-11-23T14:20:59Z"),
 * into out (at least 21 bytes); returns out. thread-safe */
char *sk_clock_rfc3339(char *out, size_t cap);

sk_timer *sk_timer_start(sk_plugin *p, double after_s, double repeat_s, sk_timer_fn fn, void *ud);
void sk_timer_stop(sk_timer *t);
int sk_work_submit(sk_plugin *p, sk_work_fn work, sk_work_fn done, void *ud, sk_err *err);
int sk_child_spawn(sk_plugin *p, const sk_child_spec *spec, sk_child_fn fn, void *ud, pid_t *pid, sk_err *err);

#ifndef SKIFF_CORE
#define sk_log (sk__host->log)
#define sk_monotonic (sk__host->monotonic)
#define sk_clock_now_ms (sk__host->clock_now_ms)
#define sk_clock_rfc3339 (sk__host->clock_rfc3339)
#define sk_timer_start (sk__host->timer_start)
#define sk_timer_stop (sk__host->timer_stop)
#define sk_work_submit (sk__host->work_submit)
#define sk_child_spawn (sk__host->child_spawn)
#endif
#endif
#include <skiff/host.h>
