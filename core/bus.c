/* bus.c — publishing commits to subscribers.
 *
 * One event per commit, shared by every subscriber; its watch frame
 * ({"type":..,"object":..}) is serialized at most once per type, so a
 * thousand HTTP watchers cost one serialization. Selector filtering follows
 * Kubernetes' watch cache: an object that starts matching is ADDED for that
 * watcher, one that stops matching is DELETED.
 */
#include "bus.h"
#include "err.h"
#include "gojson.h"
#include "json.h"
#include "loop.h"
#include "store.h"
#include <inttypes.h>
#include <skiff/selector.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bus_event {
	int refs;
	int type;
	int64_t rev;
	char *key;
	json_t *obj, *old;
	char *obj_json;       /* serialized once, on first demand */
	size_t obj_len;
	char *frame[4];       /* per delivered type: ADDED, MODIFIED, DELETED */
	size_t frame_len[4];
	/* for watchers whose selector the object stopped matching: its last
	 * matching state at this revision, and that DELETED frame */
	json_t *left;
	char *left_frame;
	size_t left_len;
};

/* what a subscriber receives: the public event plus its source */
struct delivery {
	sk_event ev;
	struct bus_event *src;
};

struct bus_sub {
	char *prefix;
	size_t prefix_len;
	sk_selector *labels, *fields;
	sk_event_fn fn;
	void *ud;
	sk_plugin *owner;
	int dead;
	int64_t after; /* deliver only revisions after this: from_rev, then the last replayed */
	struct bus_sub *next;
};

static struct bus_sub *subs;
static int delivering;   /* depth: unsubscribes during delivery are deferred */
static int have_dead;
static struct bus_event **ring;
static size_t ring_cap, ring_head, ring_len; /* ring_head: next slot to write */

static void event_unref(struct bus_event *e)
{
	if (!e || --e->refs > 0)
		return;
	json_decref(e->obj);
	json_decref(e->old);
	json_decref(e->left);
	free(e->left_frame);
	free(e->obj_json);
	for (int i = 0; i < 4; i++)
		free(e->frame[i]);
	free(e->key);
	free(e);
}

void bus_init(size_t ring_size)
{
	ring_cap = ring_size ? ring_size : 4096;
	ring = calloc(ring_cap, sizeof *ring);
	ring_head = ring_len = 0;
}

void bus_fini(void)
{
	for (size_t i = 0; i < ring_len; i++)
		event_unref(ring[(ring_head + ring_cap - 1 - i) % ring_cap]);
	free(ring);
	ring = NULL;
	ring_len = ring_head = 0;
	while (subs) {
		struct bus_sub *n = subs->next;
		sk_selector_free(subs->labels);
		sk_selector_free(subs->fields);
		free(subs->prefix);
		free(subs);
		subs = n;
	}
}

static const char *const type_names[] = {"", "ADDED", "MODIFIED", "DELETED"};

/* Kubernetes' watch cache sends an object leaving a watcher's selection as
 * DELETED with the last state that matched, stamped with this revision. */
static json_t *left_state(struct bus_event *e)
{
	if (!e->left) {
		e->left = json_deep_copy(e->old);
		json_t *md = json_object_get(e->left, "metadata");
		if (json_is_object(md)) {
			char rv[24];
			snprintf(rv, sizeof rv, "%" PRId64, e->rev);
			json_object_set_new(md, "resourceVersion", json_string(rv));
		}
	}
	return e->left;
}

const char *sk_event_json(const sk_event *pub, size_t *len)
{
	const struct delivery *d = (const struct delivery *)pub;
	struct bus_event *e = d->src;
	int t = pub->type;
	if (!e || t < 1 || t > 3)
		return NULL;
	if (e->left && pub->object == O(e->left)) {
		if (!e->left_frame) {
			char *obj = gojson_dumps(e->left, 0);
			size_t n = (obj ? strlen(obj) : 4) + 40;
			e->left_frame = malloc(n);
			if (e->left_frame)
				e->left_len = (size_t)snprintf(e->left_frame, n, "{\"type\":\"DELETED\",\"object\":%s}\n",
				                               obj ? obj : "null");
			free(obj);
		}
		if (len)
			*len = e->left_len;
		return e->left_frame;
	}
	if (!e->frame[t]) {
		if (!e->obj_json) {
			e->obj_json = gojson_dumps(e->obj, 0);
			e->obj_len = e->obj_json ? strlen(e->obj_json) : 0;
		}
		size_t n = e->obj_len + 40;
		e->frame[t] = malloc(n);
		if (!e->frame[t])
			return NULL;
		e->frame_len[t] = (size_t)snprintf(e->frame[t], n, "{\"type\":\"%s\",\"object\":%s}\n", type_names[t],
		                                   e->obj_json ? e->obj_json : "null");
	}
	if (len)
		*len = e->frame_len[t];
	return e->frame[t];
}

static int matches(const struct bus_sub *s, const json_t *obj)
{
	if (!obj)
		return 0;
	if (s->labels && !sk_selector_matches(s->labels, O(obj)))
		return 0;
	if (s->fields && !sk_selector_matches(s->fields, O(obj)))
		return 0;
	return 1;
}

/* The type this subscriber sees, or 0 to skip. */
static int seen_as(const struct bus_sub *s, const struct bus_event *e)
{
	if (strncmp(e->key, s->prefix, s->prefix_len) != 0)
		return 0;
	if (!s->labels && !s->fields)
		return e->type;
	int now = e->type != SK_EV_DELETED && matches(s, e->obj);
	int before = e->type == SK_EV_DELETED ? matches(s, e->obj) : matches(s, e->old);
	if (e->type == SK_EV_DELETED)
		return before ? SK_EV_DELETED : 0;
	if (now && before)
		return SK_EV_MODIFIED;
	if (now)
		return SK_EV_ADDED;
	if (before)
		return SK_EV_DELETED;
	return 0;
}

static void deliver(struct bus_sub *s, struct bus_event *e, int type)
{
	json_t *obj = type == SK_EV_DELETED && e->type == SK_EV_MODIFIED && e->old ? left_state(e) : e->obj;
	struct delivery d = {{sizeof(sk_event), (sk_event_type)type, e->rev, O(obj),
	                      type == SK_EV_ADDED ? NULL : O(e->old), e->key},
	                     e};
	struct call_scope cs;
	call_begin(&cs, s->owner);
	s->fn(s->ud, &d.ev);
	call_end(&cs, "a watch event");
}

static void reap(void)
{
	if (delivering || !have_dead)
		return;
	struct bus_sub **pp = &subs;
	while (*pp) {
		struct bus_sub *s = *pp;
		if (s->dead) {
			*pp = s->next;
			sk_selector_free(s->labels);
			sk_selector_free(s->fields);
			free(s->prefix);
			free(s);
		} else {
			pp = &s->next;
		}
	}
	have_dead = 0;
}

static struct bus_event *event_new(int type, int64_t rev, const char *key, json_t *obj, json_t *old)
{
	struct bus_event *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->refs = 1;
	e->type = type;
	e->rev = rev;
	e->key = strdup(key);
	e->obj = json_incref(obj);
	e->old = json_incref(old);
	return e;
}

void bus_publish(int type, int64_t rev, const char *key, json_t *obj, json_t *old)
{
	struct bus_event *e = event_new(type, rev, key, obj, old);
	if (!e)
		return;
	if (ring) {
		if (ring_len == ring_cap)
			event_unref(ring[ring_head]);
		else
			ring_len++;
		ring[ring_head] = e;
		e->refs++;
		ring_head = (ring_head + 1) % ring_cap;
	}
	delivering++;
	for (struct bus_sub *s = subs; s; s = s->next) {
		if (s->dead || e->rev <= s->after)
			continue; /* already replayed, or before the revision asked for */
		int t = seen_as(s, e);
		if (t)
			deliver(s, e, t);
	}
	delivering--;
	reap();
	event_unref(e);
}

/* Oldest revision the ring can replay after, or -1 if the ring is empty. */
static int64_t ring_oldest(void)
{
	if (!ring_len)
		return -1;
	return ring[(ring_head + ring_cap - ring_len) % ring_cap]->rev;
}

struct replay {
	struct bus_sub *s;
};

static int replay_one(void *ud, int type, int64_t rev, const char *key, json_t *obj, json_t *old)
{
	struct replay *r = ud;
	struct bus_event *e = event_new(type, rev, key, obj, old);
	if (!e)
		return 1;
	if (rev > r->s->after)
		r->s->after = rev; /* history may hold commits the bus has yet to publish */
	int t = seen_as(r->s, e);
	if (t)
		deliver(r->s, e, t);
	event_unref(e);
	return r->s->dead;
}

struct bus_sub *bus_subscribe(sk_plugin *p, const char *prefix, const sk_selector *labels,
                              const sk_selector *fields, int64_t from_rev, sk_event_fn fn, void *ud,
                              sk_err *err)
{
	struct bus_sub *s = calloc(1, sizeof *s);
	if (!s) {
		sk_fail(err, SK_ENOMEM, "out of memory");
		return NULL;
	}
	s->prefix = strdup(prefix);
	s->prefix_len = strlen(prefix);
	s->fn = fn;
	s->ud = ud;
	s->owner = p;
	s->after = from_rev > 0 ? from_rev : 0;
	/* copy selectors through their canonical text */
	if (labels && !sk_selector_empty(labels)) {
		char *t = sk_selector_string(labels);
		s->labels = sk_label_selector_parse(t, err);
		free(t);
	}
	if (fields && !sk_selector_empty(fields)) {
		char *t = sk_selector_string(fields);
		s->fields = sk_field_selector_parse(t, err);
		free(t);
	}
	int64_t now = store_revision();
	/* the history window is the store's, even where the ring reaches further:
	 * clients see one rule, as etcd's compaction gives them */
	if (from_rev > 0 && from_rev < store_compacted()) {
		sk_fail(err, SK_EEXPIRED, "too old resource version: %" PRId64 " (%" PRId64 ")", from_rev,
		        store_compacted());
		sk_selector_free(s->labels);
		sk_selector_free(s->fields);
		free(s->prefix);
		free(s);
		return NULL;
	}
	if (from_rev > 0 && from_rev < now) {
		int64_t oldest = ring_oldest();
		delivering++;
		if (oldest >= 0 && from_rev + 1 >= oldest) {
			/* the ring holds every change after from_rev */
			for (size_t i = ring_len; i-- > 0 && !s->dead;) {
				struct bus_event *e = ring[(ring_head + ring_cap - 1 - i) % ring_cap];
				if (e->rev <= from_rev)
					continue;
				int t = seen_as(s, e);
				if (t)
					deliver(s, e, t);
			}
		} else {
			struct replay r = {s};
			if (store_history(from_rev, replay_one, &r, err) != SK_OK) {
				delivering--;
				sk_selector_free(s->labels);
				sk_selector_free(s->fields);
				free(s->prefix);
				free(s);
				return NULL;
			}
		}
		delivering--;
	} else if (from_rev > now) {
		sk_fail(err, SK_EINVALID, "resourceVersion %" PRId64 " is newer than the current revision %" PRId64,
		        from_rev, now);
		sk_selector_free(s->labels);
		sk_selector_free(s->fields);
		free(s->prefix);
		free(s);
		return NULL;
	}
	s->next = subs;
	subs = s;
	reap();
	return s;
}

void bus_unsubscribe(struct bus_sub *s)
{
	if (!s)
		return;
	s->dead = 1;
	have_dead = 1;
	reap();
}

size_t bus_subscriber_count(void)
{
	size_t n = 0;
	for (struct bus_sub *s = subs; s; s = s->next)
		n += !s->dead;
	return n;
}
