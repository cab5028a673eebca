/* image_locality.c — the scheduling framework's ImageLocality score: nodes
 * that already hold the pod's container images score higher, each image's
 * size scaled down by how few nodes hold it, as in Kubernetes 1.32.
 *
 * The scheduler's node view lists each node's image names sorted, with how
 * many nodes of the snapshot hold each; pre-score normalizes the pod's
 * image names once per cycle, and score looks them up on the node. */
#include <skiff/skiff.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY "PreScoreImageLocality"

/* Kubernetes' bounds: below 23 MB an image is not worth moving a pod for;
 * the top is 1000 MB per container. */
#define MB (1024LL * 1024)
#define MIN_THRESHOLD (23 * MB)
#define MAX_CONTAINER_THRESHOLD (1000 * MB)

/* the pod's normalized image names, one per init container then
 * container, in the pod's order */
struct state {
	char **v;
	size_t n;
	size_t total_nodes;
};

static size_t count(const sk_obj *arr) { return arr && sk_obj_type_of(arr) == SK_OBJ_ARRAY ? sk_obj_len(arr) : 0; }

/* normalizedImageName: ":latest" added when no ':' follows the last '/'.
 * Kubernetes adds no registry (docker.io/library/) here, so neither do we. */
static char *normalized(const char *name)
{
	const char *colon = strrchr(name, ':'), *slash = strrchr(name, '/');
	int tagged = colon && (!slash || colon > slash);
	size_t n = strlen(name);
	char *s = malloc(n + sizeof ":latest");
	if (s) {
		memcpy(s, name, n);
		strcpy(s + n, tagged ? "" : ":latest");
	}
	return s;
}

static int by_name(const void *key, const void *elem) { return strcmp(key, ((const sk_sched_image *)elem)->name); }

/* the node's entry for an image name (the view keeps them sorted), or NULL */
static const sk_sched_image *node_image(const sk_sched_node *n, const char *name)
{
	return n->nimages ? bsearch(name, n->images, n->nimages, sizeof *n->images, by_name) : NULL;
}

static void state_free(void *p)
{
	struct state *st = p;
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++)
		free(st->v[i]);
	free(st->v);
	free(st);
}

static int add_images(struct state *st, const sk_obj *containers)
{
	for (size_t i = 0, n = count(containers); i < n; i++) {
		const char *image = sk_obj_get_str(sk_obj_at(containers, i), "image");
		if (!(st->v[st->n] = normalized(image ? image : "")))
			return -1;
		st->n++;
	}
	return 0;
}

static struct state *state_new(const sk_obj *pod, size_t total_nodes)
{
	const sk_obj *init = sk_obj_get(pod, "spec.initContainers"), *ctrs = sk_obj_get(pod, "spec.containers");
	size_t n = count(init) + count(ctrs);
	struct state *st = calloc(1, sizeof *st);
	if (!st || !(st->v = calloc(n ? n : 1, sizeof *st->v))) {
		free(st);
		return NULL;
	}
	st->total_nodes = total_nodes;
	if (add_images(st, init) || add_images(st, ctrs)) {
		state_free(st);
		return NULL;
	}
	return st;
}

static int pre_score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *const *feasible, size_t n)
{
	(void)ud;
	(void)feasible;
	(void)n;
	if (!c || !c->put)
		return SK_SCHED_SUCCESS; /* score works it out for itself */
	/* spread is over every node of the snapshot, not just the feasible */
	struct state *st = state_new(pod, c->nnodes);
	if (!st)
		return SK_SCHED_ERROR;
	c->put(c, KEY, st, state_free);
	return SK_SCHED_SUCCESS;
}

/* calculatePriority: the summed scaled sizes, clamped to
 * [23 MB, 1000 MB × containers], mapped linearly onto 0..100 */
static int64_t priority(int64_t sum, size_t containers)
{
	int64_t max = MAX_CONTAINER_THRESHOLD * (int64_t)containers;
	if (sum < MIN_THRESHOLD)
		sum = MIN_THRESHOLD;
	else if (sum > max)
		sum = max;
	return SK_SCHED_MAX_SCORE * (sum - MIN_THRESHOLD) / (max - MIN_THRESHOLD);
}

/* scaledImageScore: size × spread in the same double arithmetic, kept in
 * ±2^61 since sizes are the nodes' word */
static int64_t scaled(int64_t size, int64_t num_nodes, size_t total_nodes)
{
	double spread = (double)num_nodes / (double)total_nodes;
	double v = (double)size * spread, lim = 0x1p61;
	return (int64_t)(v > lim ? lim : v < -lim ? -lim : v);
}

static int64_t score(void *ud, sk_sched_cycle *c, const sk_obj *pod, const sk_sched_node *n)
{
	(void)ud;
	struct state *st = sk_sched_get(c, KEY), *own = NULL;
	if (!st && !(st = own = state_new(pod, c && c->nnodes ? c->nnodes : 1)))
		return 0;
	/* summed in ±2^61 steps, saturating before it could overflow; far
	 * beyond the clamp in priority either way */
	int64_t sum = 0, lim = INT64_C(1) << 61;
	for (size_t i = 0; i < st->n && st->total_nodes; i++) {
		const sk_sched_image *im = node_image(n, st->v[i]);
		if (im) {
			sum += scaled(im->size, im->num_nodes, st->total_nodes);
			sum = sum > lim ? lim : sum < -lim ? -lim : sum;
		}
	}
	int64_t prio = priority(sum, st->n);
	state_free(own);
	return prio;
}

static const sk_sched_policy_ops ops = {
	.size = sizeof ops,
	.name = "ImageLocality",
	.pre_score = pre_score,
	.score = score,
};

static int init(sk_plugin *p, sk_err *err) { return sk_register(p, SK_EXT_SCHEDULER, &ops, NULL, err); }

SK_PLUGIN("image-locality", "0.1.0", "scheduler score: prefer nodes that already hold the pod's images",
          SK_LIST("scheduler.prescore.ImageLocality", "scheduler.score.ImageLocality"), SK_LIST(NULL), init, NULL);
