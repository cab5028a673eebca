/* map.c — sk_map, the SDK's string map: the core's strmap under the name
 * plugins see. */
#include "strmap.h"
#include <skiff/map.h>

sk_map *sk_map_new(void) { return (sk_map *)strmap_new(); }
void sk_map_free(sk_map *m, void (*free_val)(void *)) { strmap_free((struct strmap *)m, free_val); }
void *sk_map_get(const sk_map *m, const char *key) { return strmap_get((const struct strmap *)m, key); }
void *sk_map_put(sk_map *m, const char *key, void *value, int *failed)
{
	int f = 0;
	void *old = strmap_put((struct strmap *)m, key, value, &f);
	if (failed)
		*failed = f;
	return old;
}
void *sk_map_del(sk_map *m, const char *key) { return strmap_del((struct strmap *)m, key); }
size_t sk_map_len(const sk_map *m) { return strmap_len((const struct strmap *)m); }
int sk_map_foreach(const sk_map *m, sk_map_visit_fn fn, void *ud)
{
	return strmap_foreach((const struct strmap *)m, (strmap_visit_fn)fn, ud);
}
