/* store_leveldb.c — the built-in datastore backend: etcd's MVCC semantics
 * on LevelDB, with group commit.
 *
 * Layout (all integers big-endian, 8 bytes):
 *   'c' key -> current record: flags(1) create_rev mod_rev prev_rev value
 *              (flags bit 0: deleted — a tombstone kept until compaction)
 *   'h' rev -> history record: op(1) create_rev prev_rev keylen(4) key value
 *              (for a DELETE, value is the last state)
 *   'm' "rev", 'm' "compact" -> the last committed and the compacted revision
 * A write updates its 'c' and 'h' records and 'm' "rev" in one batch, so a
 * snapshot always holds a consistent revision.
 *
 * Concurrency: revisions are assigned and compare-and-swap checked on the
 * loop; writes of keys still in flight are checked against the `pending`
 * overlay. One writer thread does sync writes: while one batch is being
 * made durable the next one forms, so N concurrent writers share one fsync
 * (group commit). Completions come back to the loop in revision order.
 *
 * Compaction keeps, as etcd does, the latest record at or before the
 * compacted revision of every key that still exists, so that reading at any
 * revision after it, and replaying history after it, stays exact.
 */
#include "err.h"
#include "log.h"
#include "loop.h"
#include "strmap.h"
#include <errno.h>
#include <leveldb/c.h>
#include <pthread.h>
#include <skiff/datastore.h>
#include <skiff/obj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CUR_HDR 25
#define HIST_HDR 21

struct op {
	sk_ds_op op;
	char *key;
	char *value;      /* new value; for DELETE the last state */
	size_t len;
	int64_t rev, create_rev, prev_rev;
	int has_prev;     /* the key existed before this op */
	int64_t prev_create, prev_mod;
	char *prev_value; /* UPDATE: the state it replaces */
	size_t prev_len;
	sk_ds_write_fn done;
	void *cb_ud;
};

struct job {
	leveldb_writebatch_t *wb;
	struct op *ops;
	size_t n, cap;
	int64_t last_rev;
	int64_t compact_rev; /* non-zero: a compaction job */
	char *error;         /* from leveldb_write */
	struct job *next;
};

/* the latest state of a key with a write in flight; value is borrowed from
 * its op, which lives until its batch completes and this entry is dropped */
struct pend {
	int64_t create_rev, mod_rev;
	int deleted;
	const char *value;
	size_t len;
};

struct ldb {
	leveldb_t *db;
	leveldb_options_t *opt;
	leveldb_cache_t *cache;
	leveldb_filterpolicy_t *bloom;
	leveldb_readoptions_t *ro;
	leveldb_writeoptions_t *wo;
	int64_t rev, compacted, committed;
	int failed;
	struct strmap *pending;
	char *scratch; /* record encoding, reused: LevelDB copies what it is given */
	size_t scratch_cap;
	struct job *forming;
	struct job *compactions;     /* queued compaction jobs */
	/* writer thread handoff */
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *todo, *finished;
	int busy, stop;
	ev_async wake;
};

static void put64(char *p, int64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (char)(v & 0xff);
}

static int64_t get64(const char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | (unsigned char)p[i];
	return (int64_t)v;
}

static size_t ckey(char *buf, const char *key)
{
	size_t kl = strlen(key);
	buf[0] = 'c';
	memcpy(buf + 1, key, kl);
	return kl + 1;
}

static void hkey(char *buf, int64_t rev)
{
	buf[0] = 'h';
	put64(buf + 1, rev);
}

static int64_t meta_get(struct ldb *l, const leveldb_readoptions_t *ro, const char *name)
{
	char k[16];
	size_t kl = (size_t)snprintf(k, sizeof k, "m%s", name);
	size_t vl;
	char *e = NULL;
	char *v = leveldb_get(l->db, ro, k, kl, &vl, &e);
	int64_t r = v && vl == 8 ? get64(v) : 0;
	leveldb_free(v);
	leveldb_free(e);
	return r;
}

static void meta_put(leveldb_writebatch_t *wb, const char *name, int64_t val)
{
	char k[16], v[8];
	size_t kl = (size_t)snprintf(k, sizeof k, "m%s", name);
	put64(v, val);
	leveldb_writebatch_put(wb, k, kl, v, 8);
}

static void job_free(struct job *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++) {
		free(j->ops[i].key);
		free(j->ops[i].value);
		free(j->ops[i].prev_value);
	}
	free(j->ops);
	if (j->wb)
		leveldb_writebatch_destroy(j->wb);
	leveldb_free(j->error);
	free(j);
}

/* Compaction, on the writer thread: decides what to delete from a snapshot
 * and deletes it in the same batch that records the new compacted revision. */
struct survivor {
	int64_t rev;
	int is_delete;
};

struct compact_ctx {
	struct ldb *l;
	leveldb_writebatch_t *wb;
};

/* a key whose last change before the compacted revision deleted it leaves
 * nothing behind: its history record and its tombstone go */
static int drop_deleted(void *ud, const char *key, void *val)
{
	struct compact_ctx *c = ud;
	struct survivor *s = val;
	if (!s->is_delete)
		return 0;
	char hk[9];
	hkey(hk, s->rev);
	leveldb_writebatch_delete(c->wb, hk, 9);
	char ck[SK_DS_MAX_KEY + 2];
	size_t kl = ckey(ck, key), vl;
	char *e = NULL;
	char *v = leveldb_get(c->l->db, c->l->ro, ck, kl, &vl, &e);
	if (v && vl >= CUR_HDR && (v[0] & 1) && get64(v + 9) == s->rev)
		leveldb_writebatch_delete(c->wb, ck, kl);
	leveldb_free(v);
	leveldb_free(e);
	return 0;
}

static uint32_t get32(const char *p)
{
	return (uint32_t)(unsigned char)p[0] << 24 | (uint32_t)(unsigned char)p[1] << 16 |
	       (uint32_t)(unsigned char)p[2] << 8 | (unsigned char)p[3];
}

static void compaction_batch(struct ldb *l, struct job *j)
{
	int64_t old = meta_get(l, l->ro, "compact"), upto = j->compact_rev;
	leveldb_iterator_t *it = leveldb_create_iterator(l->db, l->ro);
	struct strmap *latest = strmap_new();
	char start[9];
	hkey(start, old + 1);
	for (leveldb_iter_seek(it, start, 9); leveldb_iter_valid(it); leveldb_iter_next(it)) {
		size_t kl, vl;
		const char *k = leveldb_iter_key(it, &kl);
		if (kl != 9 || k[0] != 'h' || get64(k + 1) > upto)
			break;
		const char *v = leveldb_iter_value(it, &vl);
		if (vl < HIST_HDR || HIST_HDR + get32(v + 17) > vl)
			continue;
		int64_t rev = get64(k + 1), prev = get64(v + 9);
		char *key = strndup(v + HIST_HDR, get32(v + 17));
		struct survivor *s = strmap_get(latest, key);
		char hk[9];
		if (s) {
			hkey(hk, s->rev); /* superseded inside the range */
			leveldb_writebatch_delete(j->wb, hk, 9);
		} else if (prev > 0 && prev <= old) {
			hkey(hk, prev); /* superseded survivor of an earlier compaction */
			leveldb_writebatch_delete(j->wb, hk, 9);
		}
		if (!s) {
			s = malloc(sizeof *s);
			strmap_put(latest, key, s, NULL);
		}
		s->rev = rev;
		s->is_delete = v[0] == SK_DS_DELETE;
		free(key);
	}
	leveldb_iter_destroy(it);
	struct compact_ctx c = {l, j->wb};
	strmap_foreach(latest, drop_deleted, &c);
	strmap_free(latest, free);
	meta_put(j->wb, "compact", upto);
}

static void *writer_main(void *arg)
{
	struct ldb *l = arg;
	pthread_mutex_lock(&l->mu);
	for (;;) {
		while (!l->todo && !l->stop)
			pthread_cond_wait(&l->cv, &l->mu);
		if (!l->todo)
			break;
		struct job *j = l->todo;
		l->todo = NULL;
		pthread_mutex_unlock(&l->mu);
		if (j->compact_rev)
			compaction_batch(l, j);
		leveldb_write(l->db, l->wo, j->wb, &j->error);
		pthread_mutex_lock(&l->mu);
		l->finished = j;
		ev_async_send(sk_ev(), &l->wake);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static struct job *job_new(void)
{
	struct job *j = calloc(1, sizeof *j);
	if (j)
		j->wb = leveldb_writebatch_create();
	return j;
}

/* Hands the next job to the writer if it is idle: compactions first. */
static void kick(struct ldb *l)
{
	if (l->busy)
		return;
	struct job *j = NULL;
	if (l->compactions) {
		j = l->compactions;
		l->compactions = j->next;
	} else if (l->forming && l->forming->n) {
		j = l->forming;
		l->forming = NULL;
		meta_put(j->wb, "rev", j->last_rev);
	}
	if (!j)
		return;
	l->busy = 1;
	ev_ref(sk_ev()); /* a write in flight keeps the loop alive */
	pthread_mutex_lock(&l->mu);
	l->todo = j;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

static void pend_free(void *p) { free(p); }

static void complete(struct ldb *l, struct job *j)
{
	sk_err e = {0};
	if (j->error) {
		sk_fail(&e, SK_EIO, "datastore write failed: %s", j->error);
		LOG_E("%s", e.msg);
		if (!j->compact_rev)
			l->failed = 1; /* revisions were handed out for lost writes: refuse more */
	}
	if (j->compact_rev) {
		if (!j->error)
			l->compacted = j->compact_rev;
		job_free(j);
		return;
	}
	if (!j->error)
		l->committed = j->last_rev;
	for (size_t i = 0; i < j->n; i++) {
		struct op *o = &j->ops[i];
		struct pend *p = strmap_get(l->pending, o->key);
		if (p && p->mod_rev == o->rev)
			pend_free(strmap_del(l->pending, o->key));
		sk_ds_kv kv = {sizeof kv, o->key, o->op == SK_DS_DELETE ? NULL : o->value,
		               o->op == SK_DS_DELETE ? 0 : o->len, o->create_rev, o->rev};
		sk_ds_kv prev = {sizeof prev, o->key, NULL, 0, o->prev_create, o->prev_mod};
		if (o->op == SK_DS_DELETE) {
			prev.value = o->value;
			prev.len = o->len;
		} else if (o->prev_value) {
			prev.value = o->prev_value;
			prev.len = o->prev_len;
		}
		sk_ds_change ch = {sizeof ch, o->op, &kv, o->has_prev ? &prev : NULL};
		o->done(o->cb_ud, j->error ? &e : NULL, &ch);
	}
	job_free(j);
}

static void on_finished(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ldb *l = (struct ldb *)((char *)w - offsetof(struct ldb, wake));
	pthread_mutex_lock(&l->mu);
	struct job *j = l->finished;
	l->finished = NULL;
	pthread_mutex_unlock(&l->mu);
	if (!j)
		return;
	l->busy = 0;
	ev_unref(sk_ev());
	/* start the next fsync before running this batch's callbacks, so the
	 * disk works while the loop does */
	kick(l);
	complete(l, j);
}

/* The state of a key as the next write sees it: in flight, or committed. */
struct cur {
	int exists;
	int64_t create_rev, mod_rev;
	char *value; /* malloc'd copy */
	size_t len;
	int64_t last_rev; /* mod rev of the last record, tombstones included */
};

static int current(struct ldb *l, const char *key, struct cur *c, sk_err *err)
{
	memset(c, 0, sizeof *c);
	struct pend *p = strmap_get(l->pending, key);
	if (p) {
		c->last_rev = p->mod_rev;
		if (p->deleted)
			return SK_OK;
		c->exists = 1;
		c->create_rev = p->create_rev;
		c->mod_rev = p->mod_rev;
		c->len = p->len;
		c->value = malloc(p->len + 1);
		if (!c->value)
			return sk_fail(err, SK_ENOMEM, "out of memory");
		memcpy(c->value, p->value, p->len);
		return SK_OK;
	}
	char ck[SK_DS_MAX_KEY + 2];
	size_t kl = ckey(ck, key), vl;
	char *e = NULL;
	char *v = leveldb_get(l->db, l->ro, ck, kl, &vl, &e);
	if (e) {
		int rc = sk_fail(err, SK_EIO, "datastore read failed: %s", e);
		leveldb_free(e);
		return rc;
	}
	if (v && vl >= CUR_HDR) {
		c->last_rev = get64(v + 9);
		if (!(v[0] & 1)) {
			c->exists = 1;
			c->create_rev = get64(v + 1);
			c->mod_rev = get64(v + 9);
			c->len = vl - CUR_HDR;
			c->value = malloc(c->len + 1);
			if (c->value)
				memcpy(c->value, v + CUR_HDR, c->len);
		}
	}
	leveldb_free(v);
	return SK_OK;
}

static char *scratch(struct ldb *l, size_t n)
{
	if (n > l->scratch_cap) {
		size_t cap = l->scratch_cap ? l->scratch_cap : 4096;
		while (cap < n)
			cap *= 2;
		char *b = realloc(l->scratch, cap);
		if (!b)
			return NULL;
		l->scratch = b;
		l->scratch_cap = cap;
	}
	return l->scratch;
}

static void fail_write(sk_ds_write_fn done, void *cb_ud, const sk_err *e)
{
	done(cb_ud, e, NULL);
}

static void ldb_write(void *db, const sk_ds_write *w, sk_ds_write_fn done, void *cb_ud)
{
	struct ldb *l = db;
	sk_err e = {0};
	size_t klen = w->key ? strlen(w->key) : 0;
	if (l->failed) {
		sk_fail(&e, SK_EIO, "the datastore failed an earlier write and refuses writes until restarted");
		return fail_write(done, cb_ud, &e);
	}
	if (klen == 0 || klen > SK_DS_MAX_KEY) {
		sk_fail(&e, SK_EINVALID, "key length %zu outside 1..%d", klen, SK_DS_MAX_KEY);
		return fail_write(done, cb_ud, &e);
	}
	struct cur c;
	if (current(l, w->key, &c, &e) != SK_OK)
		return fail_write(done, cb_ud, &e);
	int rc = SK_OK;
	if (w->op == SK_DS_CREATE && c.exists)
		rc = sk_fail(&e, SK_EEXIST, "key %s already exists", w->key);
	else if (w->op != SK_DS_CREATE && !c.exists)
		rc = sk_fail(&e, SK_ENOTFOUND, "key %s not found", w->key);
	else if (w->op != SK_DS_CREATE && w->expect_rev && w->expect_rev != c.mod_rev)
		rc = sk_fail(&e, SK_ECONFLICT, "key %s is at revision %lld, not %lld", w->key,
		             (long long)c.mod_rev, (long long)w->expect_rev);
	if (rc != SK_OK) {
		free(c.value);
		return fail_write(done, cb_ud, &e);
	}
	/* room to encode either record, reserved before anything is assigned */
	size_t biggest = (w->len > c.len ? w->len : c.len) + HIST_HDR + klen + CUR_HDR + 1;
	if (!scratch(l, biggest) || (!l->forming && !(l->forming = job_new()))) {
		free(c.value);
		sk_fail(&e, SK_ENOMEM, "out of memory");
		return fail_write(done, cb_ud, &e);
	}
	struct job *j = l->forming;
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 64;
		struct op *ops = realloc(j->ops, cap * sizeof *ops);
		if (!ops) {
			free(c.value);
			sk_fail(&e, SK_ENOMEM, "out of memory");
			return fail_write(done, cb_ud, &e);
		}
		j->ops = ops;
		j->cap = cap;
	}
	int64_t rev = ++l->rev;
	struct op *o = &j->ops[j->n++];
	memset(o, 0, sizeof *o);
	o->op = w->op;
	o->key = strdup(w->key);
	o->rev = rev;
	o->create_rev = w->op == SK_DS_CREATE ? rev : c.create_rev;
	o->prev_rev = c.last_rev;
	o->has_prev = c.exists;
	o->prev_create = c.create_rev;
	o->prev_mod = c.mod_rev;
	o->done = done;
	o->cb_ud = cb_ud;
	if (w->op == SK_DS_DELETE) {
		o->value = c.value; /* the last state goes with the deletion */
		o->len = c.len;
		c.value = NULL;
	} else {
		o->value = malloc(w->len + 1);
		if (o->value)
			memcpy(o->value, w->value, w->len);
		o->len = w->len;
		if (w->op == SK_DS_UPDATE) {
			o->prev_value = c.value; /* the change carries the state it replaces */
			o->prev_len = c.len;
			c.value = NULL;
		}
	}
	free(c.value);
	j->last_rev = rev;

	/* current record */
	char ck[SK_DS_MAX_KEY + 2];
	size_t ckl = ckey(ck, w->key);
	size_t vlen = w->op == SK_DS_DELETE ? 0 : o->len;
	char *cv = l->scratch; /* reserved above */
	cv[0] = w->op == SK_DS_DELETE ? 1 : 0;
	put64(cv + 1, o->create_rev);
	put64(cv + 9, rev);
	put64(cv + 17, o->prev_rev);
	if (vlen)
		memcpy(cv + CUR_HDR, o->value, vlen);
	leveldb_writebatch_put(j->wb, ck, ckl, cv, CUR_HDR + vlen);
	/* history record */
	char hk[9];
	hkey(hk, rev);
	char *hv = l->scratch;
	hv[0] = (char)w->op;
	put64(hv + 1, o->create_rev);
	put64(hv + 9, o->prev_rev);
	hv[17] = (char)(klen >> 24);
	hv[18] = (char)(klen >> 16);
	hv[19] = (char)(klen >> 8);
	hv[20] = (char)klen;
	memcpy(hv + HIST_HDR, w->key, klen);
	if (o->len)
		memcpy(hv + HIST_HDR + klen, o->value, o->len);
	leveldb_writebatch_put(j->wb, hk, 9, hv, HIST_HDR + klen + o->len);

	/* later writes in flight see this one */
	struct pend *p = calloc(1, sizeof *p);
	p->create_rev = o->create_rev;
	p->mod_rev = rev;
	p->deleted = w->op == SK_DS_DELETE;
	if (!p->deleted) {
		p->value = o->value;
		p->len = o->len;
	}
	pend_free(strmap_put(l->pending, w->key, p, NULL));
	kick(l);
}

static int ldb_get(void *db, const char *key, sk_ds_kv_fn fn, void *fn_ud, sk_err *err)
{
	struct ldb *l = db;
	char ck[SK_DS_MAX_KEY + 2];
	if (!key || strlen(key) > SK_DS_MAX_KEY)
		return sk_fail(err, SK_ENOTFOUND, "not found");
	size_t kl = ckey(ck, key), vl;
	char *e = NULL;
	char *v = leveldb_get(l->db, l->ro, ck, kl, &vl, &e);
	if (e) {
		int rc = sk_fail(err, SK_EIO, "datastore read failed: %s", e);
		leveldb_free(e);
		return rc;
	}
	if (!v || vl < CUR_HDR || (v[0] & 1)) {
		leveldb_free(v);
		return sk_fail(err, SK_ENOTFOUND, "%s not found", key);
	}
	sk_ds_kv kv = {sizeof kv, key, v + CUR_HDR, vl - CUR_HDR, get64(v + 1), get64(v + 9)};
	fn(fn_ud, &kv);
	leveldb_free(v);
	return SK_OK;
}

/* Reads the history record at rev from a snapshot; *found 0 if absent. */
static char *hist_get(struct ldb *l, const leveldb_readoptions_t *ro, int64_t rev, size_t *len)
{
	char hk[9];
	char *e = NULL;
	hkey(hk, rev);
	char *v = leveldb_get(l->db, ro, hk, 9, len, &e);
	leveldb_free(e);
	if (v && (*len < HIST_HDR || HIST_HDR + get32(v + 17) > *len)) {
		leveldb_free(v);
		return NULL;
	}
	return v;
}

static int ldb_range(void *db, const sk_ds_range *r, sk_ds_kv_fn fn, void *fn_ud, sk_ds_range_result *out,
                     sk_err *err)
{
	struct ldb *l = db;
	const leveldb_snapshot_t *snap = leveldb_create_snapshot(l->db);
	leveldb_readoptions_t *ro = leveldb_readoptions_create();
	leveldb_readoptions_set_snapshot(ro, snap);
	leveldb_readoptions_set_fill_cache(ro, 0);
	int64_t now = meta_get(l, ro, "rev"), compacted = meta_get(l, ro, "compact");
	int64_t at = r->revision ? r->revision : now;
	int rc = SK_OK;
	memset(out, 0, sizeof *out);
	out->size = sizeof *out;
	out->revision = at;
	if (at > now) {
		rc = sk_fail(err, SK_EINVALID, "revision %lld is in the future (current %lld)", (long long)at,
		             (long long)now);
		goto done;
	}
	if (at < compacted) {
		rc = sk_fail(err, SK_EEXPIRED, "revision %lld has been compacted (oldest kept: %lld)",
		             (long long)at, (long long)compacted);
		goto done;
	}
	char pfx[SK_DS_MAX_KEY + 2];
	size_t pl = ckey(pfx, r->prefix ? r->prefix : "");
	char st[SK_DS_MAX_KEY + 2];
	size_t stl = r->start && *r->start ? ckey(st, r->start) : 0;
	leveldb_iterator_t *it = leveldb_create_iterator(l->db, ro);
	size_t count = 0;
	for (leveldb_iter_seek(it, stl ? st : pfx, stl ? stl : pl); leveldb_iter_valid(it); leveldb_iter_next(it)) {
		size_t kl, vl;
		const char *k = leveldb_iter_key(it, &kl);
		if (kl < pl || memcmp(k, pfx, pl) != 0)
			break;
		const char *v = leveldb_iter_value(it, &vl);
		if (vl < CUR_HDR || kl - 1 > SK_DS_MAX_KEY)
			continue;
		char key[SK_DS_MAX_KEY + 1];
		memcpy(key, k + 1, kl - 1);
		key[kl - 1] = 0;
		const char *val = NULL;
		size_t len = 0;
		int64_t create = 0, mod = 0;
		char *hist = NULL;
		if (get64(v + 9) <= at) {
			if (v[0] & 1)
				continue;
			val = v + CUR_HDR;
			len = vl - CUR_HDR;
			create = get64(v + 1);
			mod = get64(v + 9);
		} else {
			/* changed since `at`: walk back to the state it had then */
			int64_t p = get64(v + 17);
			size_t hl = 0;
			while (p > at) {
				hist = hist_get(l, ro, p, &hl);
				if (!hist) {
					p = 0;
					break;
				}
				p = get64(hist + 9);
				leveldb_free(hist);
				hist = NULL;
			}
			if (p == 0)
				continue; /* did not exist at `at` */
			hist = hist_get(l, ro, p, &hl);
			if (!hist || hist[0] == SK_DS_DELETE) {
				/* a deletion compacted away, or a deletion: absent at `at` */
				leveldb_free(hist);
				continue;
			}
			val = hist + HIST_HDR + get32(hist + 17);
			len = hl - HIST_HDR - get32(hist + 17);
			create = get64(hist + 1);
			mod = p;
		}
		if (r->limit && count == r->limit) {
			out->more = 1;
			snprintf(out->next, sizeof out->next, "%s", key);
			leveldb_free(hist);
			break;
		}
		sk_ds_kv kv = {sizeof kv, key, val, len, create, mod};
		count++;
		int stop = fn(fn_ud, &kv);
		leveldb_free(hist);
		if (stop)
			break;
	}
	leveldb_iter_destroy(it);
done:
	leveldb_readoptions_destroy(ro);
	leveldb_release_snapshot(l->db, snap);
	return rc;
}

static int ldb_history(void *db, int64_t after, sk_ds_change_fn fn, void *fn_ud, sk_err *err)
{
	struct ldb *l = db;
	const leveldb_snapshot_t *snap = leveldb_create_snapshot(l->db);
	leveldb_readoptions_t *ro = leveldb_readoptions_create();
	leveldb_readoptions_set_snapshot(ro, snap);
	leveldb_readoptions_set_fill_cache(ro, 0);
	int64_t compacted = meta_get(l, ro, "compact");
	int rc = SK_OK;
	if (after < compacted) {
		rc = sk_fail(err, SK_EEXPIRED, "too old resource version: %lld (%lld)", (long long)after,
		             (long long)compacted);
	} else {
		leveldb_iterator_t *it = leveldb_create_iterator(l->db, ro);
		char start[9];
		hkey(start, after + 1);
		for (leveldb_iter_seek(it, start, 9); leveldb_iter_valid(it); leveldb_iter_next(it)) {
			size_t kl, vl;
			const char *k = leveldb_iter_key(it, &kl);
			if (kl != 9 || k[0] != 'h')
				break;
			const char *v = leveldb_iter_value(it, &vl);
			uint32_t klen = vl >= HIST_HDR ? get32(v + 17) : 0;
			if (vl < HIST_HDR || HIST_HDR + klen > vl || klen > SK_DS_MAX_KEY)
				continue;
			char key[SK_DS_MAX_KEY + 1];
			memcpy(key, v + HIST_HDR, klen);
			key[klen] = 0;
			sk_ds_op op = (sk_ds_op)v[0];
			int64_t rev = get64(k + 1), prev_rev = get64(v + 9);
			const char *val = v + HIST_HDR + klen;
			size_t len = vl - HIST_HDR - klen;
			sk_ds_kv kv = {sizeof kv, key, op == SK_DS_DELETE ? NULL : val, op == SK_DS_DELETE ? 0 : len,
			               get64(v + 1), rev};
			sk_ds_kv prev = {sizeof prev, key, NULL, 0, get64(v + 1), prev_rev};
			char *ph = NULL;
			int has_prev = 0;
			if (op == SK_DS_DELETE) {
				prev.value = val;
				prev.len = len;
				has_prev = 1;
			} else if (op == SK_DS_UPDATE && prev_rev > 0) {
				size_t pl;
				ph = hist_get(l, ro, prev_rev, &pl);
				if (ph) {
					prev.value = ph + HIST_HDR + get32(ph + 17);
					prev.len = pl - HIST_HDR - get32(ph + 17);
					prev.create_rev = get64(ph + 1);
					has_prev = 1;
				}
			}
			sk_ds_change ch = {sizeof ch, op, &kv, has_prev ? &prev : NULL};
			int stop = fn(fn_ud, &ch);
			leveldb_free(ph);
			if (stop)
				break;
		}
		leveldb_iter_destroy(it);
	}
	leveldb_readoptions_destroy(ro);
	leveldb_release_snapshot(l->db, snap);
	return rc;
}

static int64_t ldb_revision(void *db) { return ((struct ldb *)db)->rev; }
static int64_t ldb_compacted(void *db) { return ((struct ldb *)db)->compacted; }

static int ldb_compact(void *db, int64_t rev, sk_err *err)
{
	struct ldb *l = db;
	if (rev <= l->compacted)
		return SK_OK;
	if (rev > l->committed)
		return sk_fail(err, SK_EINVALID, "cannot compact at %lld: newer than the last commit %lld",
		               (long long)rev, (long long)l->committed);
	struct job *j = job_new();
	if (!j)
		return sk_fail(err, SK_ENOMEM, "out of memory");
	j->compact_rev = rev;
	struct job **tail = &l->compactions;
	while (*tail)
		tail = &(*tail)->next;
	*tail = j;
	kick(l);
	return SK_OK;
}

static void ldb_close(void *db)
{
	struct ldb *l = db;
	if (!l)
		return;
	/* drain: every acknowledged-to-be write completes before close */
	while (l->busy || (l->forming && l->forming->n) || l->compactions) {
		kick(l);
		ev_run(sk_ev(), EVRUN_ONCE);
	}
	pthread_mutex_lock(&l->mu);
	l->stop = 1;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thr, NULL);
	ev_async_stop(sk_ev(), &l->wake);
	job_free(l->forming);
	strmap_free(l->pending, pend_free);
	free(l->scratch);
	leveldb_close(l->db);
	leveldb_options_destroy(l->opt);
	leveldb_cache_destroy(l->cache);
	leveldb_filterpolicy_destroy(l->bloom);
	leveldb_readoptions_destroy(l->ro);
	leveldb_writeoptions_destroy(l->wo);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l);
}

static int ldb_open(void *ud, const sk_ds_open_args *args, void **out, sk_err *err)
{
	(void)ud;
	char path[4096];
	snprintf(path, sizeof path, "%s/db", args->data_dir);
	if (mkdir(args->data_dir, 0700) != 0 && errno != EEXIST)
		return sk_fail(err, SK_EIO, "cannot create data dir %s: %s", args->data_dir, strerror(errno));
	struct ldb *l = calloc(1, sizeof *l);
	if (!l)
		return sk_fail(err, SK_ENOMEM, "out of memory");
	int64_t cache_mb = sk_obj_get_int(args->settings, "cacheMB", 4);
	int64_t buffer_mb = sk_obj_get_int(args->settings, "writeBufferMB", 4);
	l->opt = leveldb_options_create();
	l->cache = leveldb_cache_create_lru((size_t)(cache_mb > 0 ? cache_mb : 4) << 20);
	l->bloom = leveldb_filterpolicy_create_bloom(10);
	leveldb_options_set_create_if_missing(l->opt, 1);
	leveldb_options_set_cache(l->opt, l->cache);
	leveldb_options_set_filter_policy(l->opt, l->bloom);
	leveldb_options_set_write_buffer_size(l->opt, (size_t)(buffer_mb > 0 ? buffer_mb : 4) << 20);
	leveldb_options_set_compression(l->opt, leveldb_snappy_compression);
	l->ro = leveldb_readoptions_create();
	l->wo = leveldb_writeoptions_create();
	leveldb_writeoptions_set_sync(l->wo, 1);
	char *e = NULL;
	l->db = leveldb_open(l->opt, path, &e);
	if (!l->db) {
		int rc = sk_fail(err, SK_EIO, "cannot open datastore %s: %s", path, e ? e : "unknown error");
		leveldb_free(e);
		leveldb_options_destroy(l->opt);
		leveldb_cache_destroy(l->cache);
		leveldb_filterpolicy_destroy(l->bloom);
		leveldb_readoptions_destroy(l->ro);
		leveldb_writeoptions_destroy(l->wo);
		free(l);
		return rc;
	}
	l->rev = l->committed = meta_get(l, l->ro, "rev");
	l->compacted = meta_get(l, l->ro, "compact");
	l->pending = strmap_new();
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	ev_async_init(&l->wake, on_finished);
	ev_async_start(sk_ev(), &l->wake);
	ev_unref(sk_ev());
	if (pthread_create(&l->thr, NULL, writer_main, l) != 0) {
		ev_ref(sk_ev());
		ev_async_stop(sk_ev(), &l->wake);
		leveldb_close(l->db);
		free(l);
		return sk_fail(err, SK_EIO, "cannot start the datastore writer thread");
	}
	*out = l;
	return SK_OK;
}

const sk_datastore_ops sk_leveldb_datastore = {
	.size = sizeof(sk_datastore_ops),
	.name = "leveldb",
	.open = ldb_open,
	.close = ldb_close,
	.write = ldb_write,
	.get = ldb_get,
	.range = ldb_range,
	.history = ldb_history,
	.revision = ldb_revision,
	.compacted = ldb_compacted,
	.compact = ldb_compact,
};
