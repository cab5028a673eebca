/* stats.c — latency sets and their nearest-rank percentiles. */
#include "bench.h"
#include <stdlib.h>

void lat_add(struct lat *l, double s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4096;
		double *v = realloc(l->v, cap * sizeof *v);
		if (!v) {
			atomic_store(&bench_failed, 1);
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
}

void lat_merge(struct lat *into, const struct lat *from)
{
	for (size_t i = 0; i < from->n; i++)
		lat_add(into, from->v[i]);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double lat_ms(struct lat *l, double p)
{
	if (!l->n)
		return 0;
	qsort(l->v, l->n, sizeof *l->v, cmp_double);
	size_t i = (size_t)(p * (double)l->n + 0.999999);
	i = i ? i - 1 : 0;
	return l->v[i < l->n ? i : l->n - 1] * 1000.0;
}
