/* log.c — what a benchmark tells: complaints, fatal errors, notes under the table. */
#include "bench.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *bench_name = "bench";
atomic_int bench_failed;
atomic_int bench_stopping;

static atomic_int printed_errors;
static char notes[4096]; /* lines printed under the table */
static size_t notes_len;
static pthread_mutex_t notes_lock = PTHREAD_MUTEX_INITIALIZER;

void complain(const char *fmt, ...)
{
	atomic_store(&bench_failed, 1);
	if (atomic_load(&bench_stopping) || atomic_fetch_add(&printed_errors, 1) >= 8)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", bench_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", bench_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	cleanup_all();
	exit(1);
}

void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pthread_mutex_lock(&notes_lock);
	if (notes_len < sizeof notes) {
		int n = vsnprintf(notes + notes_len, sizeof notes - notes_len, fmt, ap);
		if (n > 0)
			notes_len += (size_t)n;
		if (notes_len > sizeof notes - 1)
			notes_len = sizeof notes - 1; /* what vsnprintf cut */
	}
	pthread_mutex_unlock(&notes_lock);
	va_end(ap);
}

const char *bench_notes(void) { return notes; }
