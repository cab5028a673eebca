/* testutil.h — shared set-up for unit tests: a temp data dir, the loop,
 * and waiting for asynchronous completions. */
#ifndef SKIFF_TESTUTIL_H
#define SKIFF_TESTUTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "loop.h"

static inline char *tu_tempdir(void)
{
	char tmpl[] = "/tmp/skiff-test-XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

/* build-tree path of rel (e.g. "tests/plugins"), found from this test's own
 * location build/tests/unit/NAME, so tests run from anywhere */
static inline void tu_build_path(const char *rel, char *out, size_t cap)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	assert_true(n > 0);
	exe[n] = 0;
	for (int i = 0; i < 3; i++)
		*strrchr(exe, '/') = 0;
	snprintf(out, cap, "%s/%s", exe, rel);
}

static inline void tu_rmrf(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

struct tu_until {
	int *count;
	int want;
};

static int tu_reached_(void *ud)
{
	struct tu_until *u = ud;
	return *u->count >= u->want;
}

/* run the loop until *count >= want; fails the test after 10 s */
static inline void tu_wait(int *count, int want)
{
	struct tu_until u = {count, want};
	if (!sk_loop_run_until(tu_reached_, &u, 10))
		fail_msg("timed out waiting for %d completions (have %d)", want, *count);
}

void sk_host_set_data_dir(const char *dir);

/* A plugin host with a temp data dir and a running loop, for plugin tests;
 * returns the data dir, removed by tu_host_down. */
static inline char *tu_host_up(void)
{
	char *d = tu_tempdir();
	sk_host_set_data_dir(d);
	sk_err e;
	assert_int_equal(sk_loop_init(0, 1, &e), SK_OK);
	return d;
}

static inline void tu_host_down(char *d)
{
	sk_loop_fini();
	tu_rmrf(d);
	free(d);
}

#endif
