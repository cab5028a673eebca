/* pod_requests.c — resource.PodRequests (skiff/requests.h): one pass over
 * the pod's containers, init containers and overhead, summing exactly. */
#include <skiff/requests.h>
#include <stdio.h>
#include <string.h>

/* a list being summed: at most cap names, full once one was dropped */
struct list {
	sk_resource_amount *v;
	size_t n, cap;
	int full;
};

/* a small list on the stack for one container, its sidecars or init peak;
 * the pod's cap bounds what the caller keeps, this bounds the scratch */
#define SCRATCH 64

static sk_quantity *slot(struct list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i].q;
	if (l->n == l->cap) {
		l->full = 1;
		return NULL;
	}
	l->v[l->n].name = name;
	memset(&l->v[l->n].q, 0, sizeof l->v[0].q);
	return &l->v[l->n++].q;
}

static void add(struct list *dst, const char *name, const sk_quantity *q)
{
	sk_quantity *s = slot(dst, name);
	if (s)
		sk_quantity_add(s, q);
}

static void add_all(struct list *dst, const struct list *src)
{
	dst->full |= src->full;
	for (size_t i = 0; i < src->n; i++)
		add(dst, src->v[i].name, &src->v[i].q);
}

static void max_all(struct list *dst, const struct list *src)
{
	dst->full |= src->full;
	for (size_t i = 0; i < src->n; i++) {
		sk_quantity *s = slot(dst, src->v[i].name);
		if (s && sk_quantity_cmp(&src->v[i].q, s) > 0)
			*s = src->v[i].q;
	}
}

int sk_quantity_of(const sk_obj *v, sk_quantity *q)
{
	char num[32];
	const char *text = sk_obj_str(v);
	if (!text && sk_obj_type_of(v) == SK_OBJ_INT) {
		snprintf(num, sizeof num, "%lld", (long long)sk_obj_int(v));
		text = num;
	}
	if (text && sk_quantity_parse(text, q, NULL) == SK_OK)
		return 1;
	memset(q, 0, sizeof *q);
	return 0;
}

static int load_one(void *ud, const char *key, sk_obj *v)
{
	sk_quantity q;
	if (key && sk_quantity_of(v, &q))
		add(ud, key, &q);
	return 0;
}

static sk_quantity default_cpu = {.nano_lo = 100000000ull, .format = SK_QTY_DECIMAL_SI};
static sk_quantity default_memory = {.nano_lo = 200ull * 1024 * 1024 * 1000000000ull, .format = SK_QTY_BINARY_SI};

/* one resource list (a container's requests, or the overhead) */
static void load(struct list *l, const sk_obj *requests, int nonzero)
{
	l->n = 0;
	l->full = 0;
	if (sk_obj_type_of(requests) == SK_OBJ_OBJECT)
		sk_obj_foreach(requests, load_one, l);
	if (nonzero) {
		/* applyNonMissing: only a missing key takes the default */
		if (!sk_obj_get(requests, "cpu"))
			add(l, "cpu", &default_cpu);
		if (!sk_obj_get(requests, "memory"))
			add(l, "memory", &default_memory);
	}
}

static size_t arr_len(const sk_obj *o) { return sk_obj_type_of(o) == SK_OBJ_ARRAY ? sk_obj_len(o) : 0; }

int sk_pod_requests(const sk_obj *pod, unsigned flags, sk_resource_amount *out, size_t cap)
{
	sk_resource_amount one_v[SCRATCH], side_v[SCRATCH], init_v[SCRATCH], tmp_v[SCRATCH];
	struct list sum = {out, 0, cap, 0}, one = {one_v, 0, SCRATCH, 0}, side = {side_v, 0, SCRATCH, 0},
	            init = {init_v, 0, SCRATCH, 0}, tmp = {tmp_v, 0, SCRATCH, 0};
	int nonzero = (flags & SK_REQUESTS_NONZERO) != 0;
	const sk_obj *spec = sk_obj_get(pod, "spec");
	const sk_obj *cs = sk_obj_get(spec, "containers");
	for (size_t i = 0; i < arr_len(cs); i++) {
		load(&one, sk_obj_get(sk_obj_at(cs, i), "resources.requests"), nonzero);
		add_all(&sum, &one);
	}
	const sk_obj *ics = sk_obj_get(spec, "initContainers");
	for (size_t i = 0; i < arr_len(ics); i++) {
		const sk_obj *c = sk_obj_at(ics, i);
		load(&one, sk_obj_get(c, "resources.requests"), nonzero);
		const char *restart = sk_obj_get_str(c, "restartPolicy");
		if (restart && strcmp(restart, "Always") == 0) {
			add_all(&sum, &one);
			add_all(&side, &one);
			max_all(&init, &side);
		} else {
			tmp.n = 0;
			tmp.full = 0;
			add_all(&tmp, &one);
			add_all(&tmp, &side);
			max_all(&init, &tmp);
		}
	}
	max_all(&sum, &init);
	const sk_obj *overhead = sk_obj_get(spec, "overhead");
	if (sk_obj_type_of(overhead) == SK_OBJ_OBJECT) {
		load(&one, overhead, 0);
		add_all(&sum, &one);
	}
	return sum.full ? -1 : (int)sum.n;
}
