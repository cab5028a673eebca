/* skiff/datastore.h — datastore backends: where cluster state lives.
 *
 * A backend is a revisioned key-value store with etcd's semantics: one
 * cluster-wide revision counter; every committed write gets the next
 * revision, which becomes the object's mod revision (its resourceVersion);
 * conditional writes compare the key's mod revision; ranges are consistent
 * snapshots at one revision; the history of changes can be replayed from any
 * revision after the compacted one. LevelDB is built into the core; a plugin
 * (etcd, say) registers another, chosen with `datastore.backend` in the
 * config.
 *
 * Writes are asynchronous and acknowledged (done called, on the loop) only
 * once durable; callbacks come in revision order. A backend shared with other
 * servers reports the changes they commit through args->external_change.
 *
 * Ownership: keys and values passed to callbacks are borrowed for the call.
 * Values are opaque bytes to the backend (the core stores JSON).
 */
#ifndef SKIFF_DATASTORE_H
#define SKIFF_DATASTORE_H
#include <skiff/abi.h>

typedef enum sk_ds_op { SK_DS_CREATE = 1, SK_DS_UPDATE = 2, SK_DS_DELETE = 3 } sk_ds_op;

#define SK_DS_MAX_KEY 1024

typedef struct sk_ds_kv {
	uint32_t size;
	const char *key;
	const char *value;  /* NULL for a deleted key */
	size_t len;
	int64_t create_rev; /* revision that created this incarnation of the key */
	int64_t mod_rev;    /* revision of the last change */
} sk_ds_kv;

typedef struct sk_ds_write {
	uint32_t size;
	sk_ds_op op;
	const char *key;
	const char *value;  /* CREATE and UPDATE */
	size_t len;
	int64_t expect_rev; /* UPDATE and DELETE: required mod revision, 0 for any */
} sk_ds_write;

/* A committed change: kv is the new state (value NULL for DELETE, with
 * mod_rev the deletion's revision); prev the state before, or NULL if the
 * key did not exist or its previous state is no longer retained. */
typedef struct sk_ds_change {
	uint32_t size;
	sk_ds_op op;
	const sk_ds_kv *kv;
	const sk_ds_kv *prev;
} sk_ds_change;

typedef struct sk_ds_range {
	uint32_t size;
	const char *prefix;
	const char *start;  /* first key to return (inclusive), NULL: from prefix */
	int64_t revision;   /* 0: current */
	size_t limit;       /* 0: all */
} sk_ds_range;

typedef struct sk_ds_range_result {
	uint32_t size;
	int64_t revision;   /* the revision the range was read at */
	int more;           /* keys remain after the last one returned */
	char next[SK_DS_MAX_KEY + 1]; /* when more: the key to start the next page at */
} sk_ds_range_result;

/* visitors return non-zero to stop */
typedef int (*sk_ds_kv_fn)(void *ud, const sk_ds_kv *kv);
typedef int (*sk_ds_change_fn)(void *ud, const sk_ds_change *ch);
/* err is NULL on success */
typedef void (*sk_ds_write_fn)(void *cb_ud, const sk_err *err, const sk_ds_change *ch);

typedef struct sk_ds_open_args {
	uint32_t size;
	const char *data_dir;
	const sk_obj *settings;
	/* for backends shared with other servers: report their commits */
	void (*external_change)(void *ctx, const sk_ds_change *ch);
	void *external_ctx;
} sk_ds_open_args;

typedef struct sk_datastore_ops {
	uint32_t size;
	const char *name;
	int (*open)(void *ud, const sk_ds_open_args *args, void **db, sk_err *err);
	/* completes pending writes, then closes */
	void (*close)(void *db);
	void (*write)(void *db, const sk_ds_write *w, sk_ds_write_fn done, void *cb_ud);
	/* SK_ENOTFOUND if absent */
	int (*get)(void *db, const char *key, sk_ds_kv_fn fn, void *fn_ud, sk_err *err);
	/* SK_EEXPIRED if r->revision was compacted */
	int (*range)(void *db, const sk_ds_range *r, sk_ds_kv_fn fn, void *fn_ud,
	             sk_ds_range_result *out, sk_err *err);
	/* replay changes with revision > after, in order; SK_EEXPIRED if compacted */
	int (*history)(void *db, int64_t after, sk_ds_change_fn fn, void *fn_ud, sk_err *err);
	int64_t (*revision)(void *db);
	int64_t (*compacted)(void *db);
	/* forget history at and before rev */
	int (*compact)(void *db, int64_t rev, sk_err *err);
} sk_datastore_ops;

#endif
#include <skiff/host.h>
