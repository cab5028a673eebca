/* config.h — the server's configuration file (YAML, camelCase keys like a
 * Kubernetes component config). Every error names FILE:LINE:COL. */
#ifndef SKIFF_CORE_CONFIG_H
#define SKIFF_CORE_CONFIG_H
#include <jansson.h>
#include <skiff/abi.h>
#include <stddef.h>
#include <stdint.h>

#define SK_CONFIG_DEFAULT_PATH "/etc/skiff/config.yaml"
#define SK_CONFIG_MAX_BYTES (1u << 20)

struct sk_plugin_conf {
	char *name;          /* plugin name, or NULL when only file is given */
	char *file;          /* explicit .so path, or NULL */
	int enabled;         /* default 1 */
	json_t *settings;    /* owned; JSON object, {} when absent */
	int line, col;       /* where the entry is, for later errors such as "unknown plugin" */
};

struct sk_config {
	char *path;          /* file read, NULL when built-in defaults */
	char *data_dir;      /* default "/var/lib/skiff" */
	char *listen;        /* default "127.0.0.1:6443" (HTTPS) */
	char *insecure_listen; /* plain HTTP on a loopback address, or NULL (default: off) */
	char *log_level;     /* error|warn|info|debug, default "info" */
	int workers;         /* worker pool threads, default 2, 1..64 */
	double stall_threshold_s; /* from stallThresholdMs, default 100 ms */
	char *datastore;     /* backend name, default "leveldb" */
	json_t *datastore_settings; /* owned, {} default */
	int64_t history_revisions; /* datastore.historyRevisions, default 100000: watch history kept before compaction */
	double compact_interval_s; /* datastore.compactIntervalSeconds, default 300 */
	int autoload;        /* plugins.autoload, default 1: load every plugin found in the plugin dirs */
	char **plugin_dirs;  /* plugins.dirs, extra directories searched after the built-in one */
	size_t n_plugin_dirs;
	struct sk_plugin_conf *plugins; /* plugins.list */
	size_t n_plugins;
};

/* Turns the named plugin off, as `enabled: false` in plugins.list does
 * (skiff server --disable-agent). */
int sk_config_disable_plugin(struct sk_config *c, const char *name, sk_err *err);

/* Fills c with the built-in defaults (c needs no prior state). */
void sk_config_defaults(struct sk_config *c);

/* path NULL: built-in defaults. must_exist 0: a missing file means defaults
 * (used for the default path /etc/skiff/config.yaml). An unreadable file
 * fails with SK_ENOTFOUND, a file over SK_CONFIG_MAX_BYTES with
 * SK_ETOOLARGE, a bad one with SK_EINVALID. On failure c holds nothing
 * (sk_config_free is still safe on it). */
int sk_config_load(const char *path, int must_exist, struct sk_config *c, sk_err *err);

/* The parser behind sk_config_load, on a buffer; filename labels messages
 * (NULL: "<input>"). Exposed for tests and fuzzing. */
int sk_config_parse(const char *buf, size_t len, const char *filename, struct sk_config *c,
                    sk_err *err);

void sk_config_free(struct sk_config *c);

#endif
