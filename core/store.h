/* store.h — the object store: JSON objects under keys, on the configured
 * datastore backend, with resourceVersion = the object's mod revision.
 * Every commit is published on the bus. */
#ifndef SKIFF_CORE_STORE_H
#define SKIFF_CORE_STORE_H
#include <jansson.h>
#include <skiff/datastore.h>

struct sk_config;

/* err NULL on success; stored: the object as stored (borrowed), NULL on error
 * (for deletes: the last state) */
typedef void (*store_done_fn)(void *ud, const sk_err *err, json_t *stored);

int store_open(const char *backend, const char *data_dir, json_t *settings, int64_t history_revisions,
               double compact_interval_s, sk_err *err);
void store_close(void);
/* Runs the loop until every write submitted so far (and any its callbacks
 * submit) has completed, or timeout_s passes; 1 when none is left. At
 * shutdown this runs before controllers stop, so no write completion
 * reaches a plugin whose controller has freed its state. */
int store_drain(double timeout_s);
int store_get(const char *key, json_t **out, sk_err *err);

/* visit objects under prefix at revision `rev` (0: current), from key `start`
 * (NULL: the beginning); the visitor returns non-zero to stop, and receives the
 * key. *at receives the revision read. */
typedef int (*store_visit_fn)(void *ud, const char *key, json_t *obj);
int store_range(const char *prefix, const char *start, int64_t rev, store_visit_fn fn, void *ud, int64_t *at,
                sk_err *err);

/* The store takes ownership of obj in all three. */
void store_create(const char *key, json_t *obj, store_done_fn fn, void *ud);
/* expect_rev 0: unconditional; else compare-and-swap */
void store_update(const char *key, json_t *obj, int64_t expect_rev, store_done_fn fn, void *ud);
void store_delete(const char *key, int64_t expect_rev, store_done_fn fn, void *ud);

int64_t store_revision(void);
int64_t store_compacted(void);
int store_compact(int64_t rev, sk_err *err);

/* replay committed changes after `after` as bus-style events */
typedef int (*store_change_fn)(void *ud, int type, int64_t rev, const char *key, json_t *obj, json_t *old);
int store_history(int64_t after, store_change_fn fn, void *ud, sk_err *err);

/* resourceVersion strings */
int64_t store_parse_rv(const char *rv);

extern const sk_datastore_ops sk_leveldb_datastore;

#endif
