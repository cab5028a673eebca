/* skiff/map.h — a hash map from strings to pointers, for plugins that keep
 * their own indexes (a scheduler's nodes by name, a controller's pending
 * work). The same map the core uses for its caches.
 *
 * Ownership: keys are copied; values stay the caller's. sk_map_free calls
 * free_val (if not NULL) on each value. A visitor may not change the map.
 * Not thread-safe: use it from the loop, or guard it yourself.
 */
#ifndef SKIFF_MAP_H
#define SKIFF_MAP_H
#include <skiff/abi.h>

typedef struct sk_map sk_map;
typedef int (*sk_map_visit_fn)(void *ud, const char *key, void *value);

sk_map *sk_map_new(void);
void sk_map_free(sk_map *m, void (*free_val)(void *));
void *sk_map_get(const sk_map *m, const char *key);
/* returns the value key had before (or NULL); *failed = -1 when out of
 * memory (the map is unchanged), else 0; failed may be NULL */
void *sk_map_put(sk_map *m, const char *key, void *value, int *failed);
/* removes key; returns its value, or NULL */
void *sk_map_del(sk_map *m, const char *key);
size_t sk_map_len(const sk_map *m);
/* stops at, and returns, the first non-zero visitor result */
int sk_map_foreach(const sk_map *m, sk_map_visit_fn fn, void *ud);

#ifndef SKIFF_CORE
#define sk_map_new (sk__host->map_new)
#define sk_map_free (sk__host->map_free)
#define sk_map_get (sk__host->map_get)
#define sk_map_put (sk__host->map_put)
#define sk_map_del (sk__host->map_del)
#define sk_map_len (sk__host->map_len)
#define sk_map_foreach (sk__host->map_foreach)
#endif
#endif
#include <skiff/host.h>
