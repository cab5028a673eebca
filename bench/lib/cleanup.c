/* cleanup.c — the run's temp dir, and stopping everything on every exit path. */
#include "bench.h"
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char bench_root[PATH_MAX];
static pthread_mutex_t cleanup_lock = PTHREAD_MUTEX_INITIALIZER;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0)
		fprintf(stderr, "%s: cannot remove %s: %s\n", bench_name, path, strerror(errno));
	return 0;
}

void bench_rmrf(const char *dir) { nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

int bench_mkroot(const char *base, const char *prefix)
{
	/* mkdtemp replaces the six X of the template with a unique suffix */
	snprintf(bench_root, sizeof bench_root, "%s/%s-XXXXXX", base, prefix);
	if (!mkdtemp(bench_root)) {
		fprintf(stderr, "%s: cannot create a temp dir under %s: %s\n", bench_name, base, strerror(errno));
		*bench_root = 0;
		return -1;
	}
	return 0;
}

void cleanup_all(void)
{
	pthread_mutex_lock(&cleanup_lock);
	proc_stop_all();
	if (*bench_root) {
		bench_rmrf(bench_root);
		*bench_root = 0;
	}
	pthread_mutex_unlock(&cleanup_lock);
}

/* the signals are blocked in every thread and taken here, where the
 * cleanup may lock and allocate like any other code */
static void *signal_thread(void *arg)
{
	sigset_t *set = arg;
	int sig = 0;
	sigwait(set, &sig);
	atomic_store(&bench_stopping, 1);
	fprintf(stderr, "%s: signal %d: stopping the servers and removing %s\n", bench_name, sig, bench_root);
	cleanup_all();
	_exit(128 + sig);
}

int bench_signals(void)
{
	static sigset_t sigs;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL); /* inherited by every thread made from here */
	pthread_t st;
	if (pthread_create(&st, NULL, signal_thread, &sigs) != 0) {
		fprintf(stderr, "%s: cannot start the signal thread\n", bench_name);
		return -1;
	}
	pthread_detach(st);
	return 0;
}
