/* test_loop.c — the event loop's SDK face: timers, the worker pool, child
 * processes, the stall detector and the test clock. */
#include "testutil.h"
#include "plugin_host.h"
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>

#define STALL_THRESHOLD 0.05

static pthread_t loop_thread;

static int setup(void **state)
{
	(void)state;
	sk_err e;
	assert_int_equal(sk_loop_init(STALL_THRESHOLD, 3, &e), SK_OK);
	loop_thread = pthread_self(); /* tests run the loop on this thread */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sk_clock_set(0, 1.0);
	sk_loop_fini();
	return 0;
}

/* run the loop for about `s` seconds, whatever happens */
static int never(void *ud)
{
	(void)ud;
	return 0;
}

static void run_for(double s) { sk_loop_run_until(never, NULL, s); }

/* libev measures timers from the loop's cached time, which is as old as
 * the current loop iteration: refresh it, just after reading the clock, so
 * that "after N s" counts from no earlier than the time returned. */
static double fresh_now(void)
{
	double t = sk_monotonic();
	ev_now_update(sk_ev());
	return t;
}

static void busy_wait(double s)
{
	double end = sk_monotonic() + s;
	while (sk_monotonic() < end)
		;
}

/* ---- timers ---- */

struct tick {
	sk_timer *t;
	int fired;
	int off_loop; /* fired on a thread other than the loop's */
	int stop_at;  /* stop the timer from its own callback on this firing; 0: never */
	double at[8]; /* when each firing happened */
	int *order;   /* shared firing order, for ordering tests */
	int *norder;
	int id;
};

static void on_tick(void *ud)
{
	struct tick *k = ud;
	/* no cmocka assertion in here: it would longjmp out of libev */
	k->off_loop |= !pthread_equal(pthread_self(), loop_thread);
	if (k->fired < 8)
		k->at[k->fired] = sk_monotonic();
	k->fired++;
	if (k->order)
		k->order[(*k->norder)++] = k->id;
	if (k->stop_at && k->fired == k->stop_at) {
		sk_timer_stop(k->t); /* frees the timer under our feet: must be safe */
		k->t = NULL;
	}
}

static void timer_one_shot(void **state)
{
	(void)state;
	struct tick k = {0};
	double t0 = fresh_now();
	k.t = sk_timer_start(NULL, 0.05, 0, on_tick, &k);
	assert_non_null(k.t);
	tu_wait(&k.fired, 1);
	assert_false(k.off_loop);
	assert_true(k.at[0] - t0 >= 0.0499); /* (rounding) */
	/* a one-shot fires once, and stays allocated until stopped */
	run_for(0.1);
	assert_int_equal(k.fired, 1);
	sk_timer_stop(k.t);
	sk_timer_stop(NULL); /* harmless */
}

static void timer_repeating_stops_itself(void **state)
{
	(void)state;
	struct tick k = {.stop_at = 5};
	double t0 = fresh_now();
	k.t = sk_timer_start(NULL, 0.01, 0.02, on_tick, &k);
	tu_wait(&k.fired, 5);
	assert_null(k.t);
	/* first after 10 ms, then every 20 ms (libev keeps the cadence, so a
	 * late firing may be followed by a quick one: check from the start) */
	assert_false(k.off_loop);
	assert_true(k.at[0] - t0 >= 0.0099);
	assert_true(k.at[4] - t0 >= 0.0899);
	run_for(0.1);
	assert_int_equal(k.fired, 5);
}

static void timer_one_shot_stops_itself(void **state)
{
	(void)state;
	struct tick k = {.stop_at = 1};
	k.t = sk_timer_start(NULL, 0, 0, on_tick, &k);
	tu_wait(&k.fired, 1);
	assert_null(k.t);
}

static void timer_stopped_never_fires(void **state)
{
	(void)state;
	struct tick k = {0};
	sk_timer *t = sk_timer_start(NULL, 0.02, 0.02, on_tick, &k);
	sk_timer_stop(t);
	run_for(0.08);
	assert_int_equal(k.fired, 0);
}

static void timers_fire_in_deadline_order(void **state)
{
	(void)state;
	static const double after[] = {0.04, 0.01, 0.03, 0.02, 0};
	const int n = (int)(sizeof after / sizeof after[0]);
	int order[8], norder = 0;
	struct tick k[8];
	for (int i = 0; i < n; i++) {
		k[i] = (struct tick){.id = i, .order = order, .norder = &norder, .stop_at = 1};
		k[i].t = sk_timer_start(NULL, after[i], 0, on_tick, &k[i]);
	}
	tu_wait(&norder, n);
	static const int want[] = {4, 1, 3, 2, 0};
	for (int i = 0; i < n; i++)
		assert_int_equal(order[i], want[i]);
}

/* ---- the worker pool ---- */

struct job {
	pthread_t work_thread, done_thread;
	atomic_int worked;
	int done_saw_work; /* done ran after work */
	int *ndone;
	atomic_int *gate;  /* work waits for the loop to open it; NULL: no wait */
};

static void job_work(void *ud)
{
	struct job *j = ud;
	j->work_thread = pthread_self();
	if (j->gate)
		while (!atomic_load(j->gate))
			usleep(1000);
	atomic_store(&j->worked, 1);
}

static void job_done(void *ud)
{
	struct job *j = ud;
	j->done_thread = pthread_self();
	j->done_saw_work = atomic_load(&j->worked);
	(*j->ndone)++;
}

static void work_runs_on_pool_done_on_loop(void **state)
{
	(void)state;
	enum { N = 16 };
	struct job jobs[N];
	int ndone = 0;
	sk_err e;
	for (int i = 0; i < N; i++) {
		jobs[i] = (struct job){.ndone = &ndone};
		assert_int_equal(sk_work_submit(NULL, job_work, job_done, &jobs[i], &e), SK_OK);
	}
	tu_wait(&ndone, N);
	for (int i = 0; i < N; i++) {
		assert_false(pthread_equal(jobs[i].work_thread, loop_thread));
		assert_true(pthread_equal(jobs[i].done_thread, loop_thread));
		assert_true(jobs[i].done_saw_work);
	}
}

static void open_gate(void *ud) { atomic_store((atomic_int *)ud, 1); }

static void work_does_not_block_the_loop(void **state)
{
	(void)state;
	/* the work waits for a timer on the loop: were it run on the loop, the
	 * timer could never fire and this would time out */
	atomic_int gate = 0;
	int ndone = 0;
	struct job j = {.ndone = &ndone, .gate = &gate};
	sk_err e;
	assert_int_equal(sk_work_submit(NULL, job_work, job_done, &j, &e), SK_OK);
	sk_timer *t = sk_timer_start(NULL, 0.02, 0, open_gate, &gate);
	tu_wait(&ndone, 1);
	sk_timer_stop(t);
	assert_true(j.done_saw_work);
}

static void work_without_done(void **state)
{
	(void)state;
	struct job j = {0};
	atomic_int *w = &j.worked;
	sk_err e;
	assert_int_equal(sk_work_submit(NULL, job_work, NULL, &j, &e), SK_OK);
	for (int i = 0; i < 1000 && !atomic_load(w); i++)
		run_for(0.01);
	assert_true(atomic_load(w));
	run_for(0.01); /* let the completion (with no callback) drain */
}

/* ---- child processes ---- */

struct child_res {
	int done;
	uint32_t size;
	int exit_code, term_signal, truncated;
	char *out, *err;
	size_t out_len, err_len;
	double finished;
	pthread_t thread;
};

static void on_child(void *ud, const sk_child_result *r)
{
	struct child_res *c = ud;
	c->size = r->size;
	c->thread = pthread_self();
	c->exit_code = r->exit_code;
	c->term_signal = r->term_signal;
	c->truncated = r->truncated;
	c->out_len = r->out_len;
	c->err_len = r->err_len;
	/* buffers are borrowed for the call: copy them */
	c->out = r->out ? memcpy(calloc(1, r->out_len + 1), r->out, r->out_len) : NULL;
	c->err = r->err ? memcpy(calloc(1, r->err_len + 1), r->err, r->err_len) : NULL;
	c->finished = sk_monotonic();
	c->done++;
}

static void child_res_free(struct child_res *c)
{
	free(c->out);
	free(c->err);
}

/* spawn, wait for the result, and check the child was reaped */
static void run_child(const sk_child_spec *spec, struct child_res *c)
{
	pid_t pid = 0;
	sk_err e;
	memset(c, 0, sizeof *c);
	int rc = sk_child_spawn(NULL, spec, on_child, c, &pid, &e);
	if (rc != SK_OK)
		fail_msg("sk_child_spawn: %s", e.msg);
	assert_true(pid > 0);
	tu_wait(&c->done, 1);
	assert_int_equal(c->done, 1);
	assert_true(c->size >= sizeof(sk_child_result));
	assert_true(pthread_equal(c->thread, loop_thread));
	/* the loop reaped it: no zombie left for us */
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void child_exit_code_and_output(void **state)
{
	(void)state;
	static const struct {
		const char *script;
		int code;
		const char *out, *err;
	} cases[] = {
		{"echo out; echo err >&2; exit 3", 3, "out\n", "err\n"},
		{"printf 'a\\nb'", 0, "a\nb", NULL},
		{"echo only-err >&2; exit 255", 255, NULL, "only-err\n"},
		{"exit 0", 0, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *argv[] = {"sh", "-c", cases[i].script, NULL};
		sk_child_spec spec = {.size = sizeof spec, .argv = argv};
		struct child_res c;
		run_child(&spec, &c);
		assert_int_equal(c.exit_code, cases[i].code);
		assert_int_equal(c.term_signal, 0);
		assert_false(c.truncated);
		if (cases[i].out)
			assert_string_equal(c.out, cases[i].out);
		else
			assert_int_equal(c.out_len, 0);
		if (cases[i].err)
			assert_string_equal(c.err, cases[i].err);
		else
			assert_int_equal(c.err_len, 0);
		child_res_free(&c);
	}
}

static void child_stdin_fed_to_cat(void **state)
{
	(void)state;
	static const char small[] = "hello\nworld\n";
	/* a megabyte in and out: stdin and stdout must be pumped together or
	 * both pipes fill and parent and child wait for each other */
	size_t big_len = 1u << 20;
	char *big = malloc(big_len);
	for (size_t i = 0; i < big_len; i++)
		big[i] = (char)('a' + i % 26);
	const struct {
		const char *data;
		size_t len;
	} cases[] = {{small, sizeof small - 1}, {big, big_len}};
	for (size_t i = 0; i < 2; i++) {
		const char *argv[] = {"cat", NULL};
		sk_child_spec spec = {.size = sizeof spec, .argv = argv, .stdin_data = cases[i].data,
		                      .stdin_len = cases[i].len, .capture_limit = 2u << 20};
		struct child_res c;
		run_child(&spec, &c);
		assert_int_equal(c.exit_code, 0);
		assert_int_equal(c.out_len, cases[i].len);
		assert_memory_equal(c.out, cases[i].data, cases[i].len);
		assert_false(c.truncated);
		child_res_free(&c);
	}
	/* a child that never reads its stdin still completes */
	const char *argv[] = {"true", NULL};
	sk_child_spec spec = {.size = sizeof spec, .argv = argv, .stdin_data = big, .stdin_len = big_len};
	struct child_res c;
	run_child(&spec, &c);
	assert_int_equal(c.exit_code, 0);
	child_res_free(&c);
	free(big);
}

static void child_capture_limit_truncates(void **state)
{
	(void)state;
	/* ~108 KB on stdout and the same on stderr, against a 100-byte limit */
	const char *argv[] = {"sh", "-c", "seq 1 20000; seq 1 20000 >&2", NULL};
	sk_child_spec spec = {.size = sizeof spec, .argv = argv, .capture_limit = 100};
	struct child_res c;
	run_child(&spec, &c);
	assert_int_equal(c.exit_code, 0); /* the child is not cut off, only its capture */
	assert_true(c.truncated);
	assert_int_equal(c.out_len, 100);
	assert_int_equal(c.err_len, 100);
	assert_int_equal(strlen(c.out), 100); /* NUL-terminated */
	assert_memory_equal(c.out, "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", 21);
	assert_memory_equal(c.err, c.out, 100);
	child_res_free(&c);
}

static void child_timeout_kills(void **state)
{
	(void)state;
	const char *argv[] = {"sleep", "10", NULL};
	sk_child_spec spec = {.size = sizeof spec, .argv = argv, .timeout_s = 0.2};
	double t0 = fresh_now();
	struct child_res c;
	run_child(&spec, &c);
	assert_int_equal(c.exit_code, -1);
	assert_int_equal(c.term_signal, SIGKILL);
	assert_true(c.finished - t0 >= 0.199);
	assert_true(c.finished - t0 < 3);
	child_res_free(&c);
}

static void child_missing_program(void **state)
{
	(void)state;
	const char *argv[] = {"/nonexistent/skiff-test-no-such-program", "x", NULL};
	sk_child_spec spec = {.size = sizeof spec, .argv = argv};
	struct child_res c;
	run_child(&spec, &c);
	assert_int_equal(c.exit_code, 127);
	assert_int_equal(c.term_signal, 0);
	assert_non_null(c.err);
	assert_non_null(strstr(c.err, "skiff-test-no-such-program"));
	child_res_free(&c);
}

static void child_env_and_cwd(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	const char *argv[] = {"sh", "-c", "echo \"$SKIFF_T:$(pwd)\"", NULL};
	const char *envp[] = {"SKIFF_T=hello", "PATH=/usr/bin:/bin", NULL};
	sk_child_spec spec = {.size = sizeof spec, .argv = argv, .envp = envp, .cwd = dir};
	struct child_res c;
	run_child(&spec, &c);
	char want[600];
	snprintf(want, sizeof want, "hello:%s\n", dir);
	assert_string_equal(c.out, want);
	child_res_free(&c);
	tu_rmrf(dir);
	free(dir);
}

static void child_bad_spec(void **state)
{
	(void)state;
	const char *empty[] = {NULL};
	const char *argv[] = {"true", NULL};
	const sk_child_spec cases[] = {
		{.size = sizeof(sk_child_spec), .argv = NULL},
		{.size = sizeof(sk_child_spec), .argv = empty},
		{.size = 8, .argv = argv}, /* too small to hold argv */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sk_err e;
		struct child_res c = {0};
		assert_int_equal(sk_child_spawn(NULL, &cases[i], on_child, &c, NULL, &e), SK_EINVALID);
		assert_int_equal(e.code, SK_EINVALID);
	}
	assert_int_equal(sk_child_spawn(NULL, NULL, on_child, NULL, NULL, NULL), SK_EINVALID);
}

/* A spec whose size stops before timeout_s (a size the host accepts) must
 * not have the bytes after it read as a timeout. Here those bytes hold a
 * short timeout the caller never declared. */
static void child_short_spec_ignores_timeout(void **state)
{
	(void)state;
	const char *argv[] = {"sleep", "0.3", NULL};
	sk_child_spec spec = {.argv = argv, .timeout_s = 0.02};
	spec.size = (uint32_t)offsetof(sk_child_spec, timeout_s);
	struct child_res c;
	run_child(&spec, &c);
	assert_int_equal(c.term_signal, 0); /* not killed by a timeout it never asked for */
	assert_int_equal(c.exit_code, 0);
	child_res_free(&c);
}

/* ---- the stall detector ---- */

static struct sk_plugin slow_plugin = {.name = "stall-test"};

struct slow {
	double busy;
	int fired;
};

static void slow_tick(void *ud)
{
	struct slow *s = ud;
	busy_wait(s->busy);
	s->fired++;
}

static void stall_detector_counts_slow_plugins(void **state)
{
	(void)state;
	static const struct {
		double busy;
		unsigned stalls;
	} cases[] = {
		{STALL_THRESHOLD * 2.5, 1}, /* held the loop: reported */
		{0, 0},                     /* quick: not reported */
		{STALL_THRESHOLD * 0.2, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unsigned before = sk_stall_count();
		struct slow s = {cases[i].busy, 0};
		sk_timer *t = sk_timer_start(&slow_plugin, 0, 0, slow_tick, &s);
		tu_wait(&s.fired, 1);
		sk_timer_stop(t);
		assert_int_equal(sk_stall_count() - before, cases[i].stalls);
	}
	/* the same through the scope every plugin call is bracketed by */
	unsigned before = sk_stall_count();
	struct call_scope cs;
	call_begin(&cs, &slow_plugin);
	assert_ptr_equal(call_current(), &slow_plugin);
	busy_wait(STALL_THRESHOLD * 2.5);
	call_end(&cs, "a test");
	assert_null(call_current());
	assert_int_equal(sk_stall_count() - before, 1);
}

/* ---- the test clock ---- */

static int64_t real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_clock(void **state)
{
	(void)state;
	static const struct {
		int64_t offset_ms;
		double rate, want_rate; /* rate <= 0 means 1 */
	} cases[] = {
		{0, 1.0, 1.0},
		{3600 * 1000, 1.0, 1.0},
		{-86400 * 1000, 1.0, 1.0},
		{0, 10.0, 10.0},
		{7 * 86400 * 1000LL, 5.0, 5.0},
		{0, 0, 1.0},
		{0, -3, 1.0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sk_clock_set(cases[i].offset_ms, cases[i].rate);
		int64_t r0 = real_ms(), c0 = sk_clock_now_ms();
		/* the offset applies at once */
		assert_true(llabs(c0 - r0 - cases[i].offset_ms) < 50);
		usleep(100 * 1000);
		int64_t r1 = real_ms(), c1 = sk_clock_now_ms();
		/* and the clock runs at `rate` times real time */
		double rate = (double)(c1 - c0) / (double)(r1 - r0);
		if (fabs(rate - cases[i].want_rate) > cases[i].want_rate * 0.25)
			fail_msg("case %zu: clock ran at %.2fx, want %.2fx", i, rate, cases[i].want_rate);
	}
	sk_clock_set(0, 1.0);
	assert_true(llabs(sk_clock_now_ms() - real_ms()) < 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timer_one_shot),
		cmocka_unit_test(timer_repeating_stops_itself),
		cmocka_unit_test(timer_one_shot_stops_itself),
		cmocka_unit_test(timer_stopped_never_fires),
		cmocka_unit_test(timers_fire_in_deadline_order),
		cmocka_unit_test(work_runs_on_pool_done_on_loop),
		cmocka_unit_test(work_does_not_block_the_loop),
		cmocka_unit_test(work_without_done),
		cmocka_unit_test(child_exit_code_and_output),
		cmocka_unit_test(child_stdin_fed_to_cat),
		cmocka_unit_test(child_capture_limit_truncates),
		cmocka_unit_test(child_timeout_kills),
		cmocka_unit_test(child_missing_program),
		cmocka_unit_test(child_env_and_cwd),
		cmocka_unit_test(child_bad_spec),
		cmocka_unit_test(child_short_spec_ignores_timeout),
		cmocka_unit_test(stall_detector_counts_slow_plugins),
		cmocka_unit_test(test_clock),
	};
	return cmocka_run_group_tests_name("loop", tests, setup, teardown);
}
