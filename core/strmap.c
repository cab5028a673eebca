/* strmap.c — separate chaining, FNV-1a, doubling at load factor 1. */
#include "strmap.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	struct entry *next;
	uint64_t hash;
	void *val;
	char key[];
};

struct strmap {
	struct entry **b;
	size_t nb, n;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

struct strmap *strmap_new(void)
{
	struct strmap *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->nb = 16;
	m->b = calloc(m->nb, sizeof *m->b);
	if (!m->b) {
		free(m);
		return NULL;
	}
	return m;
}

void strmap_free(struct strmap *m, void (*free_val)(void *))
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nb; i++) {
		struct entry *e = m->b[i];
		while (e) {
			struct entry *next = e->next;
			if (free_val)
				free_val(e->val);
			free(e);
			e = next;
		}
	}
	free(m->b);
	free(m);
}

static struct entry **slot(const struct strmap *m, const char *key, uint64_t h)
{
	struct entry **pp = &m->b[h & (m->nb - 1)];
	while (*pp && ((*pp)->hash != h || strcmp((*pp)->key, key) != 0))
		pp = &(*pp)->next;
	return pp;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	struct entry *e = *slot(m, key, fnv(key));
	return e ? e->val : NULL;
}

static void grow(struct strmap *m)
{
	size_t nb = m->nb * 2;
	struct entry **b = calloc(nb, sizeof *b);
	if (!b)
		return; /* stay at the current size; still correct, only slower */
	for (size_t i = 0; i < m->nb; i++) {
		struct entry *e = m->b[i];
		while (e) {
			struct entry *next = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
			e = next;
		}
	}
	free(m->b);
	m->b = b;
	m->nb = nb;
}

void *strmap_put(struct strmap *m, const char *key, void *val, int *failed)
{
	uint64_t h = fnv(key);
	struct entry **pp = slot(m, key, h);
	if (failed)
		*failed = 0;
	if (*pp) {
		void *old = (*pp)->val;
		(*pp)->val = val;
		return old;
	}
	size_t kl = strlen(key);
	struct entry *e = malloc(sizeof *e + kl + 1);
	if (!e) {
		if (failed)
			*failed = -1;
		return NULL;
	}
	e->next = NULL;
	e->hash = h;
	e->val = val;
	memcpy(e->key, key, kl + 1);
	*pp = e;
	if (++m->n > m->nb)
		grow(m);
	return NULL;
}

void *strmap_del(struct strmap *m, const char *key)
{
	struct entry **pp = slot(m, key, fnv(key));
	struct entry *e = *pp;
	if (!e)
		return NULL;
	void *val = e->val;
	*pp = e->next;
	free(e);
	m->n--;
	return val;
}

size_t strmap_len(const struct strmap *m) { return m ? m->n : 0; }

int strmap_foreach(const struct strmap *m, strmap_visit_fn fn, void *ud)
{
	for (size_t i = 0; i < m->nb; i++)
		for (struct entry *e = m->b[i]; e; e = e->next) {
			int r = fn(ud, e->key, e->val);
			if (r)
				return r;
		}
	return 0;
}
