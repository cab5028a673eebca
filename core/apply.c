/* apply.c — managedFields bookkeeping and server-side apply over typed values. */
#include "apply.h"
#include "err.h"
#include "fieldset.h"
#include "gojson.h"
#include "typed.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- managedFields entries ---- */

struct entry {
	char *manager, *operation, *api_version, *subresource, *time; /* subresource, time: NULL when absent */
	struct fieldset *set;
};

struct managed {
	struct entry *e;
	size_t n, cap;
};

static void entry_free(struct entry *e)
{
	free(e->manager);
	free(e->operation);
	free(e->api_version);
	free(e->subresource);
	free(e->time);
	fieldset_free(e->set);
	memset(e, 0, sizeof *e);
}

static void managed_free(struct managed *m)
{
	for (size_t i = 0; i < m->n; i++)
		entry_free(&m->e[i]);
	free(m->e);
	memset(m, 0, sizeof *m);
}

static char *dup0(const char *s) { return s && *s ? strdup(s) : NULL; }

static int is_apply(const struct entry *e) { return !strcmp(e->operation, "Apply"); }

static int same_str(const char *a, const char *b) { return !strcmp(a ? a : "", b ? b : ""); }

/* Kubernetes' manager identifier: appliers are one manager whatever the
 * version they applied with, updaters one per version */
static int find(const struct managed *m, const char *manager, const char *op, const char *version,
                const char *sub)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct entry *e = &m->e[i];
		if (!strcmp(e->manager, manager) && !strcmp(e->operation, op) && same_str(e->subresource, sub) &&
		    (!strcmp(op, "Apply") || !strcmp(e->api_version, version)))
			return (int)i;
	}
	return -1;
}

/* appends an entry taking set; -1 out of memory (set freed) */
static int add_entry(struct managed *m, const char *manager, const char *op, const char *version,
                     const char *sub, const char *time, struct fieldset *set)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 4;
		struct entry *e = realloc(m->e, cap * sizeof *e);
		if (!e) {
			fieldset_free(set);
			return -1;
		}
		m->e = e;
		m->cap = cap;
	}
	struct entry *e = &m->e[m->n];
	memset(e, 0, sizeof *e);
	e->manager = strdup(manager);
	e->operation = strdup(op);
	e->api_version = strdup(version);
	e->subresource = dup0(sub);
	e->time = dup0(time);
	e->set = set;
	if (!e->manager || !e->operation || !e->api_version || (sub && *sub && !e->subresource) ||
	    (time && *time && !e->time)) {
		entry_free(e);
		return -1;
	}
	m->n++;
	return 0;
}

static void drop_entry(struct managed *m, size_t i)
{
	entry_free(&m->e[i]);
	memmove(m->e + i, m->e + i + 1, (m->n - i - 1) * sizeof *m->e);
	m->n--;
}

static void drop_empty(struct managed *m)
{
	for (size_t i = m->n; i-- > 0;)
		if (fieldset_empty(m->e[i].set))
			drop_entry(m, i);
}

static int copy_managed(const struct managed *from, struct managed *to)
{
	memset(to, 0, sizeof *to);
	for (size_t i = 0; i < from->n; i++) {
		const struct entry *e = &from->e[i];
		struct fieldset *s = fieldset_copy(e->set);
		if (!s || add_entry(to, e->manager, e->operation, e->api_version, e->subresource, e->time, s)) {
			managed_free(to);
			return -1;
		}
	}
	return 0;
}

static const char *str_member(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Kubernetes' DecodeManagedFields; a later entry with the identifier of an
 * earlier one replaces it. */
static int decode(const json_t *list, struct managed *m, sk_err *err)
{
	memset(m, 0, sizeof *m);
	if (!list || json_is_null(list))
		return SK_OK;
	if (!json_is_array(list))
		return sk_fail(err, SK_EINVALID, "managedFields must be a list");
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *x = json_array_get(list, i);
		if (!json_is_object(x))
			goto bad;
		const char *op = str_member(x, "operation"), *version = str_member(x, "apiVersion");
		const char *type = str_member(x, "fieldsType"), *manager = str_member(x, "manager");
		const char *sub = str_member(x, "subresource"), *time = str_member(x, "time");
		if (!op || (strcmp(op, "Apply") && strcmp(op, "Update"))) {
			sk_fail(err, SK_EINVALID, "operation must be `Apply` or `Update`");
			goto fail;
		}
		if (!version || !*version) {
			sk_fail(err, SK_EINVALID, "apiVersion must not be empty");
			goto fail;
		}
		if (!type || !*type) {
			sk_fail(err, SK_EINVALID, "missing fieldsType in managed fields entry %zu", i);
			goto fail;
		}
		if (strcmp(type, "FieldsV1")) {
			sk_fail(err, SK_EINVALID, "invalid fieldsType \"%s\" in managed fields entry %zu", type, i);
			goto fail;
		}
		sk_err e2 = {0};
		struct fieldset *s = fieldset_from_json(json_object_get(x, "fieldsV1"), &e2);
		if (!s) {
			sk_fail(err, e2.code, "error decoding versioned set from entry %zu: %s", i, e2.msg);
			goto fail;
		}
		if (!manager)
			manager = "";
		int at = find(m, manager, op, version, sub);
		if (at >= 0)
			drop_entry(m, (size_t)at);
		if (add_entry(m, manager, op, version, sub, time, s)) {
			sk_fail(err, SK_ENOMEM, "out of memory");
			goto fail;
		}
	}
	return SK_OK;
bad:
	sk_fail(err, SK_EINVALID, "managedFields entries must be objects");
fail:
	managed_free(m);
	return err ? err->code : SK_EINVALID;
}

/* seconds since the epoch of an RFC 3339 time; 0 when absent or unreadable */
static long long seconds(const char *t)
{
	struct tm tm = {0};
	int off = 0;
	if (!t)
		return 0;
	const char *p = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return 0;
	if (*p == '.')
		while (*++p >= '0' && *p <= '9')
			;
	if ((*p == '+' || *p == '-') && strlen(p) >= 6)
		off = (*p == '-' ? -1 : 1) * ((p[1] - '0') * 600 + (p[2] - '0') * 60 + (p[4] - '0') * 10 + (p[5] - '0'));
	return (long long)timegm(&tm) - off * 60LL;
}

/* Kubernetes' identifier of a manager: the entry's JSON without time,
 * fields, and (for appliers) apiVersion. Orders ties and conflict
 * messages. */
static char *identifier(const struct entry *e)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "manager", json_string(e->manager));
	json_object_set_new(o, "operation", json_string(e->operation));
	if (!is_apply(e))
		json_object_set_new(o, "apiVersion", json_string(e->api_version));
	if (e->subresource)
		json_object_set_new(o, "subresource", json_string(e->subresource));
	char *s = gojson_dumps(o, 0);
	json_decref(o);
	return s;
}

/* Kubernetes' order of entries: operation, time, manager, apiVersion,
 * subresource */
static int cmp_entries(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->operation, y->operation);
	if (c)
		return c;
	long long s = seconds(x->time), t = seconds(y->time);
	if (s != t)
		return s < t ? -1 : 1;
	if ((c = strcmp(x->manager, y->manager)) || (c = strcmp(x->api_version, y->api_version)))
		return c;
	return strcmp(x->subresource ? x->subresource : "", y->subresource ? y->subresource : "");
}

/* the entries as metadata.managedFields, sorted; NULL when there are none
 * (and on allocation failure, *failed set) */
static json_t *encode(struct managed *m, int *failed)
{
	*failed = 0;
	if (!m->n)
		return NULL;
	qsort(m->e, m->n, sizeof *m->e, cmp_entries);
	json_t *list = json_array();
	for (size_t i = 0; list && i < m->n; i++) {
		const struct entry *e = &m->e[i];
		/* ManagedFieldsEntry's field order; set_new releases what it fails to add */
		json_t *o = json_pack("{s:s,s:s,s:s}", "manager", e->manager, "operation", e->operation,
		                      "apiVersion", e->api_version);
		int bad = !o;
		if (!bad && e->time)
			bad |= json_object_set_new(o, "time", json_string(e->time));
		if (!bad)
			bad |= json_object_set_new(o, "fieldsType", json_string("FieldsV1")) |
			       json_object_set_new(o, "fieldsV1", fieldset_to_json(e->set));
		if (!bad && e->subresource)
			bad |= json_object_set_new(o, "subresource", json_string(e->subresource));
		if (bad || json_array_append_new(list, o)) {
			if (bad)
				json_decref(o);
			json_decref(list);
			list = NULL;
		}
	}
	if (!list)
		*failed = 1;
	return list;
}

/* Kubernetes' capManagersManager: the oldest updaters beyond the cap fold
 * into an "ancient-changes" entry per apiVersion. */
struct rank {
	struct entry *e;
	long long t;
	char *id;
};

static int cmp_rank(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

static int cap_updaters(struct managed *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n; i++)
		n += !is_apply(&m->e[i]);
	if (n <= APPLY_MAX_UPDATE_MANAGERS)
		return 0;
	struct rank *r = calloc(n, sizeof *r);
	if (!r)
		return -1;
	size_t k = 0;
	int rc = 0;
	for (size_t i = 0; i < m->n; i++)
		if (!is_apply(&m->e[i])) {
			r[k].e = &m->e[i];
			r[k].t = seconds(m->e[i].time);
			if (!(r[k++].id = identifier(&m->e[i])))
				rc = -1;
		}
	qsort(r, n, sizeof *r, cmp_rank);
	/* fold by marking: an entry folded away gets an empty set and the
	 * bucket (first of its version, renamed) the union */
	size_t length = n;
	for (size_t i = 0; !rc && i < n && length > APPLY_MAX_UPDATE_MANAGERS; i++) {
		struct entry *e = r[i].e;
		struct entry *first = NULL, *bucket = NULL;
		for (size_t j = 0; j < i && !first; j++)
			if (!strcmp(r[j].e->api_version, e->api_version))
				first = r[j].e;
		if (!first)
			continue; /* the first of its version waits for a second */
		for (size_t j = 0; j < m->n; j++)
			if (!strcmp(m->e[j].manager, "ancient-changes") && !is_apply(&m->e[j]) &&
			    !m->e[j].subresource && !strcmp(m->e[j].api_version, e->api_version))
				bucket = &m->e[j];
		if (!bucket) {
			/* the first updater of the version becomes the bucket */
			char *name = strdup("ancient-changes");
			if (!name) {
				rc = -1;
				break;
			}
			free(first->manager);
			first->manager = name;
			free(first->subresource);
			first->subresource = NULL;
			bucket = first;
		}
		if (bucket == e)
			continue;
		if (fieldset_add(bucket->set, e->set)) {
			rc = -1;
			break;
		}
		free(bucket->time);
		bucket->time = e->time;
		e->time = NULL;
		fieldset_free(e->set);
		e->set = fieldset_new();
		if (!e->set) {
			rc = -1;
			break;
		}
		length--;
	}
	for (size_t i = 0; i < n; i++)
		free(r[i].id);
	free(r);
	drop_empty(m);
	return rc;
}

/* ---- the fields never recorded as anyone's ---- */

static struct fieldset *strip_set(void)
{
	static struct fieldset *s;
	static const char *const meta[] = {"name", "namespace", "creationTimestamp", "selfLink", "uid",
	                                   "clusterName", "generation", "managedFields", "resourceVersion"};
	if (s)
		return s;
	struct fieldset *n = fieldset_new();
	struct pe md = {.kind = PE_FIELD, .name = "metadata"};
	const struct pe *path[2] = {&md, NULL};
	struct pe f[3] = {{.kind = PE_FIELD, .name = "apiVersion"}, {.kind = PE_FIELD, .name = "kind"}, md};
	for (size_t i = 0; n && i < 3; i++) {
		const struct pe *p = &f[i];
		if (fieldset_insert(n, &p, 1)) {
			fieldset_free(n);
			return NULL;
		}
	}
	for (size_t i = 0; n && i < sizeof meta / sizeof *meta; i++) {
		struct pe pe = {.kind = PE_FIELD, .name = meta[i]};
		path[1] = &pe;
		if (fieldset_insert(n, path, 2)) {
			fieldset_free(n);
			return NULL;
		}
	}
	return s = n;
}

static int strip(struct fieldset *set)
{
	struct fieldset *s = strip_set();
	return s ? fieldset_remove(set, s) : -1;
}

/* ---- common steps ---- */

static char *now_string(const struct apply_ctx *c, char *buf, size_t cap)
{
	if (c->now)
		return (char *)c->now;
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static const char *version_of(const struct apply_ctx *c, const json_t *obj)
{
	if (c->api_version && *c->api_version)
		return c->api_version;
	const char *v = str_member(obj, "apiVersion");
	return v && *v ? v : NULL;
}

static const char *manager_of(const struct apply_ctx *c)
{
	return c->manager && *c->manager ? c->manager : "unknown";
}

/* the comparison of two objects, without the fields this endpoint resets */
struct diff {
	struct fieldset *add, *mod, *rem;
};

static void diff_free(struct diff *d)
{
	fieldset_free(d->add);
	fieldset_free(d->mod);
	fieldset_free(d->rem);
	memset(d, 0, sizeof *d);
}

static int exclude(struct fieldset **s, const struct fieldset *reset)
{
	struct fieldset *x = fieldset_recursive_difference(*s, reset);
	if (!x)
		return -1;
	fieldset_free(*s);
	*s = x;
	return 0;
}

static int diff(const struct apply_ctx *c, const struct fieldset *reset, const json_t *old, const json_t *new,
                struct diff *d, sk_err *err)
{
	d->add = fieldset_new();
	d->mod = fieldset_new();
	d->rem = fieldset_new();
	if (!d->add || !d->mod || !d->rem) {
		diff_free(d);
		return sk_fail(err, SK_ENOMEM, "out of memory");
	}
	int rc = typed_compare(c->type, old, new, d->add, d->mod, d->rem, err);
	if (!rc && reset && (exclude(&d->add, reset) || exclude(&d->mod, reset) || exclude(&d->rem, reset)))
		rc = sk_fail(err, SK_ENOMEM, "out of memory");
	if (rc)
		diff_free(d);
	return rc;
}

/* SMD's Updater.Update run for the temporary "current-operation" manager,
 * then folded into the manager's entry as managedFieldsUpdater does, with
 * stripMetaManager's stripping. */
static int update_entries(const struct apply_ctx *c, const struct fieldset *reset, struct managed *m,
                          const json_t *old, const json_t *new, const char *manager, const char *version,
                          const char *now, sk_err *err)
{
	struct diff d;
	int rc = diff(c, reset, old, new, &d, err);
	if (rc)
		return rc;
	struct fieldset *op = fieldset_union(d.add, d.mod);
	if (!op)
		goto oom;
	/* an update may change anyone's fields: they become the writer's */
	for (size_t i = 0; i < m->n; i++)
		if (fieldset_remove(m->e[i].set, op) || fieldset_remove(m->e[i].set, d.rem))
			goto oom;
	drop_empty(m);
	if (fieldset_remove(op, d.rem) || strip(op))
		goto oom;
	if (!fieldset_empty(op)) {
		int at = find(m, manager, "Update", version, c->subresource);
		if (at >= 0) {
			struct entry *e = &m->e[at];
			char *t = strdup(now);
			if (!t || fieldset_add(e->set, op)) {
				free(t);
				goto oom;
			}
			free(e->time);
			e->time = t;
		} else {
			if (add_entry(m, manager, "Update", version, c->subresource, now, op)) {
				op = NULL;
				goto oom;
			}
			op = NULL;
		}
	}
	fieldset_free(op);
	diff_free(&d);
	return SK_OK;
oom:
	fieldset_free(op);
	diff_free(&d);
	return sk_fail(err, SK_ENOMEM, "out of memory");
}

static json_t *metadata(json_t *obj, int create)
{
	json_t *md = json_object_get(obj, "metadata");
	if (!md && create) {
		md = json_object();
		if (!md || json_object_set_new(obj, "metadata", md))
			return NULL;
	}
	return json_is_object(md) ? md : NULL;
}

static int store_entries(json_t *obj, struct managed *m, sk_err *err)
{
	int failed;
	json_t *list = encode(m, &failed);
	if (failed)
		return sk_fail(err, SK_ENOMEM, "out of memory");
	json_t *md = metadata(obj, list != NULL);
	if (!list) {
		if (md)
			json_object_del(md, "managedFields");
		return SK_OK;
	}
	if (!md) {
		json_decref(list);
		return sk_fail(err, SK_EINVALID, "metadata is not an object");
	}
	if (json_object_set_new(md, "managedFields", list))
		return sk_fail(err, SK_ENOMEM, "out of memory");
	return SK_OK;
}

static struct fieldset *reset_set(const struct apply_ctx *c, sk_err *err)
{
	return c->reset ? fieldset_from_json(c->reset, err) : NULL;
}

json_t *fieldset_of(const struct schema_node *type, const json_t *obj)
{
	struct fieldset *s = typed_to_set(type, obj, 0, NULL);
	json_t *j = s ? fieldset_to_json(s) : NULL;
	fieldset_free(s);
	return j;
}

/* ---- every write ---- */

/* Kubernetes' isResetManagedFields: [] or [{}] */
static int reset_requested(const json_t *list)
{
	if (!json_is_array(list))
		return 0;
	if (!json_array_size(list))
		return 1;
	if (json_array_size(list) > 1 || !json_is_object(json_array_get(list, 0)))
		return 0;
	const char *k;
	json_t *v;
	json_object_foreach(json_array_get(list, 0), k, v)
		if (!json_is_null(v) && !(json_is_string(v) && !*json_string_value(v)))
			return 0;
	return 1;
}

static const json_t *managed_list(const json_t *obj)
{
	const json_t *md = obj ? json_object_get(obj, "metadata") : NULL;
	return json_is_object(md) ? json_object_get(md, "managedFields") : NULL;
}

int managed_fields_update(const struct apply_ctx *c, json_t *obj, const json_t *old, sk_err *err)
{
	char tbuf[32];
	const char *now = now_string(c, tbuf, sizeof tbuf), *version = version_of(c, obj);
	struct managed m = {0};
	struct fieldset *reset = NULL;
	json_t *empty = NULL;
	sk_err e2 = {0};
	int rc = SK_OK;
	if (!json_is_object(obj))
		return sk_fail(err, SK_EINVALID, "the object is not a JSON object");
	/* the request's entries, unless it is a status write or has none */
	const json_t *mine = managed_list(obj);
	if (c->subresource && *c->subresource) {
		if (decode(managed_list(old), &m, &e2))
			memset(&m, 0, sizeof m);
	} else if (!reset_requested(mine)) {
		if (decode(mine, &m, &e2) || !m.n) {
			managed_free(&m);
			if (decode(managed_list(old), &m, &e2))
				memset(&m, 0, sizeof m);
		}
	}
	json_t *md = metadata(obj, 0);
	if (md)
		json_object_del(md, "managedFields");
	/* an untracked object stays so until it is applied to */
	if (old && !m.n)
		return SK_OK;
	if (!version) {
		rc = sk_fail(err, SK_EINVALID, "the object has no apiVersion");
		goto out;
	}
	if (c->reset && !(reset = reset_set(c, err))) {
		rc = err ? err->code : SK_EINVALID;
		goto out;
	}
	if (!old && !(old = empty = json_object())) {
		rc = sk_fail(err, SK_ENOMEM, "out of memory");
		goto out;
	}
	rc = update_entries(c, reset, &m, old, obj, manager_of(c), version, now, err);
	if (!rc && cap_updaters(&m))
		rc = sk_fail(err, SK_ENOMEM, "out of memory");
	if (!rc)
		rc = store_entries(obj, &m, err);
out:
	if (rc && (md = metadata(obj, 0)))
		json_object_del(md, "managedFields");
	json_decref(empty);
	fieldset_free(reset);
	managed_free(&m);
	return rc;
}

/* ---- apply ---- */

struct conflict {
	char *id;      /* the owner's identifier, for ordering */
	char *owner;   /* as Kubernetes prints it: "name" [with subresource "s"] [using v] */
	struct fieldset *set;
};

struct conflicts {
	struct conflict *v;
	size_t n;
};

static void conflicts_free(struct conflicts *cf)
{
	for (size_t i = 0; i < cf->n; i++) {
		free(cf->v[i].id);
		free(cf->v[i].owner);
		fieldset_free(cf->v[i].set);
	}
	free(cf->v);
	memset(cf, 0, sizeof *cf);
}

/* Kubernetes' printManager */
static char *owner_string(const struct entry *e)
{
	json_t *name = json_string(e->manager), *sub = e->subresource ? json_string(e->subresource) : NULL;
	char *q = name ? gojson_value_string(name) : NULL, *qs = sub ? gojson_value_string(sub) : NULL;
	char *out = NULL;
	if (q && (!e->subresource || qs)) {
		size_t n = strlen(q) + (qs ? strlen(qs) : 0) + strlen(e->api_version) + 40;
		if ((out = malloc(n))) {
			int k = snprintf(out, n, "%s", q);
			if (qs)
				k += snprintf(out + k, n - (size_t)k, " with subresource %s", qs);
			if (!is_apply(e))
				snprintf(out + k, n - (size_t)k, " using %s", e->api_version);
		}
	}
	json_decref(name);
	json_decref(sub);
	free(q);
	free(qs);
	return out;
}

static int add_conflict(struct conflicts *cf, const struct entry *e, struct fieldset *set)
{
	struct conflict *v = realloc(cf->v, (cf->n + 1) * sizeof *v);
	if (!v) {
		fieldset_free(set);
		return -1;
	}
	cf->v = v;
	struct conflict *x = &cf->v[cf->n++];
	x->set = set;
	x->id = identifier(e);
	x->owner = owner_string(e);
	return x->id && x->owner ? 0 : -1;
}

/* SMD's prune: what the manager applied before and applies no more goes,
 * unless another manager owns it too or nobody ever did. */
static json_t *prune(const struct apply_ctx *c, const json_t *merged, const struct managed *m,
                     const struct fieldset *last, sk_err *err)
{
	struct fieldset *lastn = NULL, *all = NULL, *alln = NULL, *ms = NULL, *msn = NULL, *ps = NULL, *psn = NULL;
	struct fieldset *keep = NULL, *gone = NULL;
	json_t *pruned = NULL, *out = NULL;
	if (!(lastn = typed_named_members(c->type, last)) || !(all = fieldset_new()))
		goto oom;
	for (size_t i = 0; i < m->n; i++)
		if (fieldset_add(all, m->e[i].set))
			goto oom;
	if (!(pruned = typed_remove(c->type, merged, lastn, err)))
		goto fail;
	/* addBackOwnedItems */
	if (!(alln = typed_named_members(c->type, all)))
		goto oom;
	if (!(ms = typed_to_set(c->type, merged, 0, err)) || !(ps = typed_to_set(c->type, pruned, 0, err)))
		goto fail;
	if (!(msn = typed_named_members(c->type, ms)) || !(psn = typed_named_members(c->type, ps)) ||
	    !(keep = fieldset_union(psn, alln)) || !(gone = fieldset_difference(msn, keep)))
		goto oom;
	json_decref(pruned);
	if (!(pruned = typed_remove(c->type, merged, gone, err)))
		goto fail;
	/* addBackDanglingItems: only what the manager owned may go */
	fieldset_free(ps);
	fieldset_free(psn);
	fieldset_free(gone);
	fieldset_free(keep);
	psn = gone = keep = NULL;
	if (!(ps = typed_to_set(c->type, pruned, 0, err)))
		goto fail;
	if (!(psn = typed_named_members(c->type, ps)) || !(keep = fieldset_difference(msn, psn)) ||
	    !(gone = fieldset_intersection(keep, lastn)))
		goto oom;
	out = typed_remove(c->type, merged, gone, err);
	goto done;
oom:
	sk_fail(err, SK_ENOMEM, "out of memory");
fail:
done:
	json_decref(pruned);
	fieldset_free(lastn);
	fieldset_free(all);
	fieldset_free(alln);
	fieldset_free(ms);
	fieldset_free(msn);
	fieldset_free(ps);
	fieldset_free(psn);
	fieldset_free(keep);
	fieldset_free(gone);
	return out;
}

/* One run of the apply stack under the last-applied manager:
 * skipNonApplied, SMD's Updater.Apply, stripping and timestamps. On
 * success *out is the new object and *m the entries; on conflicts (not
 * forced) SK_ECONFLICT and *cf. */
static int apply_once(const struct apply_ctx *c, const struct fieldset *reset, const json_t *live,
                      const struct managed *m0, const json_t *applied, const struct fieldset *config,
                      const char *version, const char *now, int force, json_t **out, struct managed *m,
                      struct conflicts *cf, sk_err *err)
{
	const char *manager = manager_of(c);
	struct fieldset *last = NULL, *changed = NULL;
	json_t *merged = NULL, *result = NULL, *empty = NULL;
	struct diff d = {0};
	int rc;
	*out = NULL;
	memset(cf, 0, sizeof *cf);
	if (copy_managed(m0, m))
		return sk_fail(err, SK_ENOMEM, "out of memory");
	/* an object nobody tracks yet: what it holds is "before-first-apply"'s */
	if (!m->n) {
		if (!(empty = json_object())) {
			rc = sk_fail(err, SK_ENOMEM, "out of memory");
			goto fail;
		}
		rc = update_entries(c, reset, m, empty, live, "before-first-apply", version, now, err);
		if (!rc && cap_updaters(m))
			rc = sk_fail(err, SK_ENOMEM, "out of memory");
		if (rc)
			goto fail;
	}
	if (!(merged = typed_merge(c->type, live, applied, err))) {
		rc = err ? err->code : SK_ENOMEM;
		goto fail;
	}
	/* the manager's new set replaces the one it applied before */
	struct fieldset *set = reset ? fieldset_recursive_difference(config, reset) : fieldset_copy(config);
	if (!set)
		goto oom;
	int at = find(m, manager, "Apply", version, c->subresource);
	if (at < 0) {
		if (add_entry(m, manager, "Apply", version, c->subresource, NULL, set))
			goto oom;
	} else {
		struct entry *e = &m->e[at];
		char *v = strdup(version);
		if (!v) {
			fieldset_free(set);
			goto oom;
		}
		free(e->api_version);
		e->api_version = v;
		last = e->set;
		e->set = set;
	}
	if (!fieldset_empty(last)) {
		if (!(result = prune(c, merged, m, last, err))) {
			rc = err ? err->code : SK_ENOMEM;
			goto fail;
		}
	} else {
		result = merged;
		merged = NULL;
	}
	/* SMD's update: fields the apply changes that others own are conflicts */
	if ((rc = diff(c, reset, live, result, &d, err)))
		goto fail;
	if (!(changed = fieldset_union(d.add, d.mod)))
		goto oom;
	for (size_t i = 0; i < m->n; i++) {
		struct entry *e = &m->e[i];
		if (!strcmp(e->manager, manager) && is_apply(e) && same_str(e->subresource, c->subresource))
			continue;
		struct fieldset *x = fieldset_intersection(e->set, changed);
		if (!x)
			goto oom;
		if (fieldset_empty(x))
			fieldset_free(x);
		else if (add_conflict(cf, e, x))
			goto oom;
	}
	if (cf->n && !force) {
		rc = SK_ECONFLICT;
		goto fail;
	}
	for (size_t i = 0; i < m->n; i++) {
		struct entry *e = &m->e[i];
		if (!strcmp(e->manager, manager) && is_apply(e) && same_str(e->subresource, c->subresource))
			continue;
		if (fieldset_remove(e->set, changed) || fieldset_remove(e->set, d.rem))
			goto oom;
	}
	at = find(m, manager, "Apply", version, c->subresource);
	if (at >= 0) {
		char *t = strdup(now);
		if (!t || strip(m->e[at].set)) {
			free(t);
			goto oom;
		}
		free(m->e[at].time);
		m->e[at].time = t;
	}
	drop_empty(m);
	conflicts_free(cf);
	*out = result;
	rc = SK_OK;
	goto done;
oom:
	rc = sk_fail(err, SK_ENOMEM, "out of memory");
fail:
	json_decref(result);
	if (rc != SK_ECONFLICT)
		conflicts_free(cf);
	managed_free(m);
done:
	diff_free(&d);
	fieldset_free(changed);
	fieldset_free(last);
	json_decref(merged);
	json_decref(empty);
	return rc;
}

/* lastAppliedManager: the fields client-side apply set, to values still
 * live, which "kubectl" may take over without force; NULL when there is
 * no usable annotation */
static struct fieldset *allowed_by_last_applied(const struct apply_ctx *c, const char *version, const json_t *live)
{
	const json_t *md = json_object_get(live, "metadata");
	const json_t *ann = json_is_object(md) ? json_object_get(md, "annotations") : NULL;
	const char *text = json_is_object(ann) ? str_member(ann, LAST_APPLIED_ANNOTATION) : NULL;
	if (!text || !*text)
		return NULL;
	json_t *la = json_loads(text, 0, NULL);
	struct fieldset *set = NULL, *x = NULL, *y = NULL, *out = NULL;
	struct diff d = {0};
	const char *v = json_is_object(la) ? str_member(la, "apiVersion") : NULL;
	if (!v || strcmp(v, version) || !(set = typed_to_set(c->type, la, 1, NULL)) ||
	    diff(c, NULL, la, live, &d, NULL))
		goto done;
	if ((x = fieldset_difference(set, d.mod)) && (y = fieldset_difference(x, d.add)))
		out = fieldset_difference(y, d.rem);
done:
	diff_free(&d);
	fieldset_free(set);
	fieldset_free(x);
	fieldset_free(y);
	json_decref(la);
	return out;
}

/* conflicts less those the last-applied annotation allows */
static int conflicts_less(struct conflicts *cf, const struct fieldset *allowed)
{
	size_t j = 0;
	for (size_t i = 0; i < cf->n; i++) {
		struct fieldset *x = fieldset_difference(cf->v[i].set, allowed);
		if (!x)
			return -1;
		fieldset_free(cf->v[i].set);
		cf->v[i].set = x;
		if (fieldset_empty(x)) {
			free(cf->v[i].id);
			free(cf->v[i].owner);
			fieldset_free(x);
			continue;
		}
		cf->v[j++] = cf->v[i];
	}
	cf->n = j;
	return 0;
}

static int cmp_conflicts(const void *a, const void *b)
{
	return strcmp(((const struct conflict *)a)->id, ((const struct conflict *)b)->id);
}

struct causes {
	json_t *list;
	const char *owner;
	int failed;
};

static int add_cause(const char *path, void *ud)
{
	struct causes *c = ud;
	json_t *o = json_object();
	char msg[600];
	snprintf(msg, sizeof msg, "conflict with %s", c->owner);
	if (!o || json_object_set_new(o, "reason", json_string("FieldManagerConflict")) ||
	    json_object_set_new(o, "message", json_string(msg)) || json_object_set_new(o, "field", json_string(path)) ||
	    json_array_append_new(c->list, o)) {
		json_decref(o);
		c->failed = 1;
		return 1;
	}
	return 0;
}

/* StatusCauses in Kubernetes' order of managers (sorted) and paths */
static json_t *causes_of(struct conflicts *cf)
{
	qsort(cf->v, cf->n, sizeof *cf->v, cmp_conflicts);
	struct causes c = {.list = json_array()};
	for (size_t i = 0; c.list && !c.failed && i < cf->n; i++) {
		c.owner = cf->v[i].owner;
		if (fieldset_each(cf->v[i].set, add_cause, &c) < 0)
			c.failed = 1;
	}
	if (c.failed) {
		json_decref(c.list);
		return NULL;
	}
	return c.list;
}

struct text {
	char *p;
	size_t len, cap;
	int failed;
};

static void cat(struct text *t, const char *s)
{
	size_t n = strlen(s);
	if (t->failed)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 128;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *p = realloc(t->p, cap);
		if (!p) {
			t->failed = 1;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n + 1);
	t->len += n;
}

/* Kubernetes' getConflictMessage, from the causes (in manager order) */
char *apply_conflict_message(const json_t *causes)
{
	struct text t = {0};
	size_t n = json_array_size(causes);
	char head[64];
	snprintf(head, sizeof head, "Apply failed with %zu conflict%s: ", n, n == 1 ? "" : "s");
	cat(&t, head);
	const char *prev = NULL;
	for (size_t i = 0; i < n; i++) {
		const json_t *c = json_array_get(causes, i);
		const char *msg = str_member(c, "message"), *field = str_member(c, "field");
		msg = msg ? msg : "";
		field = field ? field : "";
		if (n == 1) {
			cat(&t, msg);
			cat(&t, ": ");
			cat(&t, field);
			break;
		}
		if (!prev || strcmp(prev, msg)) {
			if (prev)
				cat(&t, "\n");
			cat(&t, "conflicts with ");
			cat(&t, !strncmp(msg, "conflict with ", 14) ? msg + 14 : msg);
			cat(&t, ":");
		}
		cat(&t, "\n- ");
		cat(&t, field);
		prev = msg;
	}
	if (t.failed) {
		free(t.p);
		return NULL;
	}
	return t.p;
}

/* "apps/v1, Kind=Deployment", as Go prints a GroupVersionKind */
static void gvk_string(const json_t *obj, char *buf, size_t cap)
{
	const char *v = str_member(obj, "apiVersion"), *k = str_member(obj, "kind");
	snprintf(buf, cap, "%s%s, Kind=%s", v && strchr(v, '/') ? "" : "/", v ? v : "", k ? k : "");
}

/* lastAppliedUpdater: the annotation follows what "kubectl" applies */
static int refresh_last_applied(json_t *obj, const json_t *applied)
{
	json_t *md = json_object_get(obj, "metadata");
	json_t *ann = json_is_object(md) ? json_object_get(md, "annotations") : NULL;
	const char *cur = json_is_object(ann) ? str_member(ann, LAST_APPLIED_ANNOTATION) : NULL;
	if (!cur || !*cur)
		return 0;
	json_t *copy = json_deep_copy(applied);
	if (!copy)
		return -1;
	json_t *cmd = json_object_get(copy, "metadata");
	json_t *cann = json_is_object(cmd) ? json_object_get(cmd, "annotations") : NULL;
	if (json_is_object(cann))
		json_object_del(cann, LAST_APPLIED_ANNOTATION);
	char *text = gojson_dumps(copy, 1);
	json_decref(copy);
	if (!text)
		return -1;
	size_t tl = strlen(text);
	char *value = realloc(text, tl + 2);
	if (!value) {
		free(text);
		return -1;
	}
	memcpy(value + tl, "\n", 2); /* json.Encoder ends its output with a newline */
	int rc = json_object_set_new(ann, LAST_APPLIED_ANNOTATION, json_string(value)) ? -1 : 0;
	free(value);
	/* dropped rather than pushing the annotations past their limit */
	size_t total = 0;
	const char *k;
	json_t *v;
	json_object_foreach(ann, k, v)
		total += strlen(k) + (json_is_string(v) ? json_string_length(v) : 0);
	if (total > APPLY_ANNOTATIONS_MAX)
		json_object_del(ann, LAST_APPLIED_ANNOTATION);
	return rc;
}

int apply_patch(const struct apply_ctx *c, json_t **live, const json_t *applied, int force,
                json_t **conflicts, sk_err *err)
{
	char gvk[256], tbuf[32];
	const char *now = now_string(c, tbuf, sizeof tbuf);
	struct fieldset *config = NULL, *reset = NULL, *allowed = NULL;
	struct managed m0 = {0}, m = {0};
	struct conflicts cf = {0};
	json_t *result = NULL, *empty = NULL;
	sk_err e2 = {0};
	int rc;
	*conflicts = NULL;
	if (!json_is_object(applied))
		return sk_fail(err, SK_EBADREQUEST, "the applied configuration must be an object");
	gvk_string(applied, gvk, sizeof gvk);
	const char *av = str_member(applied, "apiVersion"), *ak = str_member(applied, "kind");
	if ((c->kind && (!ak || strcmp(ak, c->kind))) || (c->api_version && (!av || strcmp(av, c->api_version))))
		return sk_fail(err, SK_EBADREQUEST, "invalid object type: %s", gvk);
	const char *version = version_of(c, applied);
	if (!version)
		return sk_fail(err, SK_EBADREQUEST, "the applied configuration has no apiVersion");
	const json_t *amd = json_object_get(applied, "metadata");
	if (json_is_object(amd) && json_object_get(amd, "managedFields") &&
	    !json_is_null(json_object_get(amd, "managedFields")))
		return sk_fail(err, SK_EBADREQUEST, "metadata.managedFields must be nil");
	if (!(config = typed_to_set(c->type, applied, 1, &e2))) {
		if (e2.code == SK_ENOMEM)
			return sk_fail(err, SK_ENOMEM, "out of memory");
		return sk_fail(err, SK_EINVALID, "failed to create typed patch object (%s): %s", gvk, e2.msg);
	}
	if (c->reset && !(reset = reset_set(c, err))) {
		rc = err ? err->code : SK_EINVALID;
		goto out;
	}
	const json_t *lv = *live;
	if (!lv && !(lv = empty = json_object())) {
		rc = sk_fail(err, SK_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = decode(managed_list(lv), &m0, &e2))) {
		rc = sk_fail(err, rc, "failed to decode managed fields: %s", e2.msg);
		goto out;
	}
	rc = apply_once(c, reset, lv, &m0, applied, config, version, now, force, &result, &m, &cf, err);
	if (rc == SK_ECONFLICT && !strcmp(manager_of(c), "kubectl") &&
	    (allowed = allowed_by_last_applied(c, version, lv))) {
		if (conflicts_less(&cf, allowed)) {
			rc = sk_fail(err, SK_ENOMEM, "out of memory");
			goto out;
		}
		if (!cf.n) {
			conflicts_free(&cf);
			rc = apply_once(c, reset, lv, &m0, applied, config, version, now, 1, &result, &m, &cf, err);
		}
	}
	if (rc == SK_ECONFLICT) {
		if (!(*conflicts = causes_of(&cf))) {
			rc = sk_fail(err, SK_ENOMEM, "out of memory");
			goto out;
		}
		char *msg = apply_conflict_message(*conflicts);
		sk_fail(err, SK_ECONFLICT, "%s", msg ? msg : "Apply failed with conflicts");
		free(msg);
		goto out;
	}
	if (rc)
		goto out;
	if (!strcmp(manager_of(c), "kubectl") && refresh_last_applied(result, applied)) {
		rc = sk_fail(err, SK_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = store_entries(result, &m, err)))
		goto out;
	json_decref(*live);
	*live = result;
	result = NULL;
out:
	json_decref(result);
	json_decref(empty);
	fieldset_free(config);
	fieldset_free(reset);
	fieldset_free(allowed);
	conflicts_free(&cf);
	managed_free(&m0);
	managed_free(&m);
	return rc;
}

/* ---- no-op writes ---- */

int managed_fields_keep_times(json_t *obj, const json_t *old)
{
	json_t *a = (json_t *)managed_list(obj);
	const json_t *b = managed_list(old);
	size_t n = json_array_size(a);
	if (!json_is_array(a) || !json_is_array(b) || n != json_array_size(b))
		return 0;
	/* cheap first: the entries equal but for their times */
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
		if (!json_is_object(x) || !json_is_object(y) ||
		    json_object_size(x) - !!json_object_get(x, "time") != json_object_size(y) - !!json_object_get(y, "time"))
			return 0;
		const char *k;
		json_t *v;
		json_object_foreach(x, k, v)
			if (strcmp(k, "time") && !json_equal(v, json_object_get(y, k)))
				return 0;
	}
	json_t **saved = calloc(n ? n : 1, sizeof *saved);
	if (!saved)
		return 0;
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(a, i), *t = json_object_get(json_array_get(b, i), "time");
		saved[i] = json_incref(json_object_get(x, "time"));
		if (t)
			json_object_set(x, "time", t);
		else
			json_object_del(x, "time");
	}
	int same = json_equal(obj, (json_t *)old);
	for (size_t i = 0; i < n; i++) {
		if (!same) {
			json_t *x = json_array_get(a, i);
			if (saved[i])
				json_object_set(x, "time", saved[i]);
			else
				json_object_del(x, "time");
		}
		json_decref(saved[i]);
	}
	free(saved);
	return same;
}
