/* buf.c — growable byte buffers, and allocation that never returns NULL. */
#include "bench.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_reserve(struct buf *b, size_t more)
{
	if (b->cap - b->n >= more)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->n < more)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		fprintf(stderr, "%s: out of memory\n", bench_name);
		abort();
	}
	b->p = p;
	b->cap = cap;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n + 1);
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = 0; /* a string too, for strstr and friends */
}

void buf_consume(struct buf *b, size_t n)
{
	memmove(b->p, b->p + n, b->n - n);
	b->n -= n;
	if (b->p)
		b->p[b->n] = 0;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_reserve(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (!p)
		fatal("out of memory");
	return p;
}
