/* strmap.h — a hash map from strings to pointers. Keys are copied; values
 * are the caller's. Shared by the store's pending writes, informer caches
 * and indexes, and work-queue de-duplication. */
#ifndef SKIFF_CORE_STRMAP_H
#define SKIFF_CORE_STRMAP_H
#include <stddef.h>

struct strmap;
typedef int (*strmap_visit_fn)(void *ud, const char *key, void *val);

struct strmap *strmap_new(void);
void strmap_free(struct strmap *m, void (*free_val)(void *));
void *strmap_get(const struct strmap *m, const char *key);
/* returns the previous value (or NULL); -1 in *failed on allocation failure */
void *strmap_put(struct strmap *m, const char *key, void *val, int *failed);
void *strmap_del(struct strmap *m, const char *key);
size_t strmap_len(const struct strmap *m);
/* visitor may not change the map; returns the first non-zero visitor result */
int strmap_foreach(const struct strmap *m, strmap_visit_fn fn, void *ud);

#endif
