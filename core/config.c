/* config.c — loading and checking the server's YAML configuration file.
 *
 * The file is read into memory, parsed with yaml.c (which keeps positions),
 * and walked key by key: each known key has a handler that checks its type
 * and range, and anything else is refused with the keys that were possible,
 * so a typo is reported instead of silently ignored.
 */
#include "config.h"
#include "err.h"
#include "yaml.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_WORKERS 64
#define MAX_STALL_MS 60000.0
#define MAX_NAME 63

struct ctx {
	const char *file;
	sk_err *err;
	struct sk_config *c;
	struct sk_plugin_conf *entry; /* the plugins.list entry being read */
};

/* Handles the value of one known key; what is its dotted path, for messages. */
typedef int (*field_fn)(struct ctx *x, const struct yaml_node *v, const char *what);
struct field {
	const char *key;
	field_fn fn;
};

static int bad(struct ctx *x, int line, int col, const char *fmt, ...) SK_PRINTF(4, 5);
static int bad(struct ctx *x, int line, int col, const char *fmt, ...)
{
	char msg[sizeof x->err->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return sk_fail(x->err, SK_EINVALID, "%s:%d:%d: %s", x->file ? x->file : "<input>", line, col,
	               msg);
}

static int nomem(struct ctx *x, const struct yaml_node *at)
{
	return sk_fail(x->err, SK_ENOMEM, "%s:%d:%d: out of memory", x->file ? x->file : "<input>",
	               at->line, at->col);
}

/* Walks a mapping, calling each key's handler in file order. */
static int walk(struct ctx *x, const struct yaml_node *map, const char *prefix, const char *where,
                const struct field *fields, size_t n_fields)
{
	for (size_t k = 0; k < map->n; k++) {
		const struct field *f = NULL;
		for (size_t i = 0; i < n_fields && !f; i++)
			if (strcmp(map->keys[k], fields[i].key) == 0)
				f = &fields[i];
		if (!f) {
			char expected[256] = "";
			for (size_t i = 0; i < n_fields; i++) {
				size_t used = strlen(expected);
				snprintf(expected + used, sizeof expected - used, "%s%s", i ? ", " : "",
				         fields[i].key);
			}
			return bad(x, map->key_line[k], map->key_col[k],
			           "unknown key \"%.64s\" %s (expected one of: %s)", map->keys[k], where,
			           expected);
		}
		char what[96];
		snprintf(what, sizeof what, "%s%s", prefix, f->key);
		int rc = f->fn(x, map->items[k], what);
		if (rc != SK_OK)
			return rc;
	}
	return SK_OK;
}

/* ---- typed values ---- */

static int is_null(const struct yaml_node *v) { return v->type == YN_SCALAR && v->kind == YK_NULL; }

static int is_text(const struct yaml_node *v)
{
	return v->type == YN_SCALAR && v->kind == YK_STR && v->len > 0 && strlen(v->scalar) == v->len;
}

/* Replaces *out with a copy of a non-empty string value. */
static int get_string(struct ctx *x, const struct yaml_node *v, const char *what, char **out)
{
	if (!is_text(v))
		return bad(x, v->line, v->col, "%s must be a non-empty string", what);
	char *s = strdup(v->scalar);
	if (!s)
		return nomem(x, v);
	free(*out);
	*out = s;
	return SK_OK;
}

static int get_int(struct ctx *x, const struct yaml_node *v, const char *what, int64_t min,
                   int64_t max, int64_t *out)
{
	if (v->type != YN_SCALAR || v->kind != YK_INT || v->i < min || v->i > max)
		return bad(x, v->line, v->col, "%s must be an integer between %lld and %lld", what,
		           (long long)min, (long long)max);
	*out = v->i;
	return SK_OK;
}

static int get_number(struct ctx *x, const struct yaml_node *v, const char *what, double min,
                      double max, double *out)
{
	double d = NAN;
	if (v->type == YN_SCALAR && v->kind == YK_INT)
		d = (double)v->i;
	else if (v->type == YN_SCALAR && v->kind == YK_FLOAT)
		d = v->d;
	if (!(d >= min && d <= max)) /* also refuses NaN */
		return bad(x, v->line, v->col, "%s must be a number between %g and %g", what, min, max);
	*out = d;
	return SK_OK;
}

static int get_bool(struct ctx *x, const struct yaml_node *v, const char *what, int *out)
{
	if (v->type != YN_SCALAR || v->kind != YK_BOOL)
		return bad(x, v->line, v->col, "%s must be true or false", what);
	*out = v->b;
	return SK_OK;
}

/* A free-form mapping handed to a plugin or backend; null means {}. */
static int get_settings(struct ctx *x, const struct yaml_node *v, const char *what, json_t **out)
{
	json_t *j;
	if (is_null(v)) {
		if (!(j = json_object()))
			return nomem(x, v);
	} else if (v->type != YN_MAP) {
		return bad(x, v->line, v->col, "%s must be a mapping", what);
	} else if (!(j = yaml_to_json_file(v, x->file, x->err))) {
		return x->err->code;
	}
	json_decref(*out);
	*out = j;
	return SK_OK;
}

/* Plugin and backend names: [a-z0-9-], at most 63 bytes, as plugin.h requires. */
static int is_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_NAME)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

static int get_name(struct ctx *x, const struct yaml_node *v, const char *what, char **out)
{
	if (!is_text(v) || !is_name(v->scalar))
		return bad(x, v->line, v->col,
		           "%s must be a name of lowercase letters, digits and '-', at most %d bytes",
		           what, MAX_NAME);
	return get_string(x, v, what, out);
}

/* ---- listen ---- */

static int is_hostname(const char *s, size_t n)
{
	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.'))
			return 0;
	return 1;
}

/* host:port or [v6]:port. Returns NULL when fine, else what is wrong. */
static const char *listen_problem(const char *s)
{
	const char *colon;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		char v6[INET6_ADDRSTRLEN + 1];
		struct in6_addr a;
		if (!close || close[1] != ':')
			return "expected [ipv6]:port";
		size_t n = (size_t)(close - s - 1);
		if (n == 0 || n >= sizeof v6)
			return "invalid IPv6 address";
		memcpy(v6, s + 1, n);
		v6[n] = 0;
		if (inet_pton(AF_INET6, v6, &a) != 1)
			return "invalid IPv6 address";
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return "expected host:port";
		if (memchr(s, ':', (size_t)(colon - s)))
			return "an IPv6 address needs brackets: [addr]:port";
		if (!is_hostname(s, (size_t)(colon - s)))
			return "invalid host";
	}
	const char *p = colon + 1;
	long port = 0;
	if (!*p || strlen(p) > 5)
		return "port must be between 1 and 65535";
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return "port must be between 1 and 65535";
		port = port * 10 + (*p - '0');
	}
	return port >= 1 && port <= 65535 ? NULL : "port must be between 1 and 65535";
}

/* ---- top level ---- */

static int f_data_dir(struct ctx *x, const struct yaml_node *v, const char *what)
{
	return get_string(x, v, what, &x->c->data_dir);
}

static int f_listen(struct ctx *x, const struct yaml_node *v, const char *what)
{
	if (!is_text(v))
		return bad(x, v->line, v->col, "%s must be a host:port string", what);
	const char *why = listen_problem(v->scalar);
	if (why)
		return bad(x, v->line, v->col, "%s \"%.100s\": %s", what, v->scalar, why);
	return get_string(x, v, what, &x->c->listen);
}

/* plain HTTP is for this machine only: a loopback address, never all */
static int f_insecure_listen(struct ctx *x, const struct yaml_node *v, const char *what)
{
	if (!is_text(v))
		return bad(x, v->line, v->col, "%s must be a host:port string", what);
	const char *why = listen_problem(v->scalar);
	if (why)
		return bad(x, v->line, v->col, "%s \"%.100s\": %s", what, v->scalar, why);
	if (strncmp(v->scalar, "127.", 4) && strncmp(v->scalar, "[::1]:", 6) && strncmp(v->scalar, "localhost:", 10))
		return bad(x, v->line, v->col,
		           "%s \"%.100s\": plain HTTP is served only on a loopback address (127.0.0.1, [::1], localhost)",
		           what, v->scalar);
	return get_string(x, v, what, &x->c->insecure_listen);
}

static int f_log_level(struct ctx *x, const struct yaml_node *v, const char *what)
{
	static const char *const levels[] = {"error", "warn", "info", "debug"};
	for (size_t i = 0; is_text(v) && i < sizeof levels / sizeof levels[0]; i++)
		if (strcmp(v->scalar, levels[i]) == 0)
			return get_string(x, v, what, &x->c->log_level);
	return bad(x, v->line, v->col, "%s must be one of: error, warn, info, debug", what);
}

static int f_workers(struct ctx *x, const struct yaml_node *v, const char *what)
{
	int64_t n = 0;
	int rc = get_int(x, v, what, 1, MAX_WORKERS, &n);
	if (rc == SK_OK)
		x->c->workers = (int)n;
	return rc;
}

static int f_stall(struct ctx *x, const struct yaml_node *v, const char *what)
{
	double ms = 0;
	int rc = get_number(x, v, what, 1, MAX_STALL_MS, &ms);
	if (rc == SK_OK)
		x->c->stall_threshold_s = ms / 1000.0;
	return rc;
}

/* ---- datastore ---- */

static int f_backend(struct ctx *x, const struct yaml_node *v, const char *what)
{
	return get_name(x, v, what, &x->c->datastore);
}

static int f_history(struct ctx *x, const struct yaml_node *v, const char *what)
{
	return get_int(x, v, what, 1, INT64_MAX, &x->c->history_revisions);
}

static int f_compact(struct ctx *x, const struct yaml_node *v, const char *what)
{
	/* up to a week: longer means compaction is effectively off, which
	 * lets history grow without bound */
	return get_number(x, v, what, 1, 7 * 86400, &x->c->compact_interval_s);
}

static int f_ds_settings(struct ctx *x, const struct yaml_node *v, const char *what)
{
	return get_settings(x, v, what, &x->c->datastore_settings);
}

static const struct field datastore_fields[] = {
	{"backend", f_backend},
	{"historyRevisions", f_history},
	{"compactIntervalSeconds", f_compact},
	{"settings", f_ds_settings},
};

static int f_datastore(struct ctx *x, const struct yaml_node *v, const char *what)
{
	if (is_null(v))
		return SK_OK;
	if (v->type != YN_MAP)
		return bad(x, v->line, v->col, "%s must be a mapping", what);
	return walk(x, v, "datastore.", "in datastore", datastore_fields,
	            sizeof datastore_fields / sizeof datastore_fields[0]);
}

/* ---- plugins ---- */

static int f_autoload(struct ctx *x, const struct yaml_node *v, const char *what)
{
	return get_bool(x, v, what, &x->c->autoload);
}

static int f_dirs(struct ctx *x, const struct yaml_node *v, const char *what)
{
	struct sk_config *c = x->c;
	if (is_null(v))
		return SK_OK;
	if (v->type != YN_SEQ)
		return bad(x, v->line, v->col, "%s must be a list of directories", what);
	if (v->n && !(c->plugin_dirs = calloc(v->n, sizeof *c->plugin_dirs)))
		return nomem(x, v);
	for (size_t k = 0; k < v->n; k++) {
		char item[64];
		snprintf(item, sizeof item, "%s[%zu]", what, k);
		int rc = get_string(x, v->items[k], item, &c->plugin_dirs[k]);
		if (rc != SK_OK)
			return rc;
		c->n_plugin_dirs++;
	}
	return SK_OK;
}

static int f_entry_name(struct ctx *x, const struct yaml_node *v, const char *what)
{
	return get_name(x, v, what, &x->entry->name);
}

static int f_entry_file(struct ctx *x, const struct yaml_node *v, const char *what)
{
	return get_string(x, v, what, &x->entry->file);
}

static int f_entry_enabled(struct ctx *x, const struct yaml_node *v, const char *what)
{
	return get_bool(x, v, what, &x->entry->enabled);
}

static int f_entry_settings(struct ctx *x, const struct yaml_node *v, const char *what)
{
	return get_settings(x, v, what, &x->entry->settings);
}

static const struct field entry_fields[] = {
	{"name", f_entry_name},
	{"file", f_entry_file},
	{"enabled", f_entry_enabled},
	{"settings", f_entry_settings},
};

/* Names and files already listed, each mapped to [line, col] of its first mention. */
struct seen {
	json_t *names, *files;
};

/* Refuses a second entry for the same name or file. */
static int check_unique(struct ctx *x, json_t *seen, const char *kind, const char *value,
                        const struct yaml_node *entry)
{
	const struct yaml_node *at = yaml_map_get(entry, kind, NULL);
	json_t *first = json_object_get(seen, value);
	if (first)
		return bad(x, at->line, at->col, "plugin %s \"%.100s\" is listed twice (first at %d:%d)",
		           kind, value, (int)json_integer_value(json_array_get(first, 0)),
		           (int)json_integer_value(json_array_get(first, 1)));
	if (json_object_set_new(seen, value, json_pack("[ii]", at->line, at->col)))
		return nomem(x, at);
	return SK_OK;
}

static int read_entry(struct ctx *x, const struct yaml_node *v, size_t index, struct seen *seen)
{
	char what[64];
	snprintf(what, sizeof what, "plugins.list[%zu]", index);
	if (v->type != YN_MAP)
		return bad(x, v->line, v->col, "%s must be a mapping", what);
	struct sk_plugin_conf *e = x->entry;
	e->enabled = 1;
	e->line = v->line;
	e->col = v->col;
	if (!(e->settings = json_object()))
		return nomem(x, v);
	char prefix[72], where[72];
	snprintf(prefix, sizeof prefix, "%s.", what);
	snprintf(where, sizeof where, "in %s", what);
	int rc = walk(x, v, prefix, where, entry_fields, sizeof entry_fields / sizeof entry_fields[0]);
	if (rc != SK_OK)
		return rc;
	if (!e->name && !e->file)
		return bad(x, v->line, v->col, "%s needs a name or a file", what);
	if (e->name && (rc = check_unique(x, seen->names, "name", e->name, v)) != SK_OK)
		return rc;
	if (e->file && (rc = check_unique(x, seen->files, "file", e->file, v)) != SK_OK)
		return rc;
	return SK_OK;
}

static int f_list(struct ctx *x, const struct yaml_node *v, const char *what)
{
	struct sk_config *c = x->c;
	if (is_null(v))
		return SK_OK;
	if (v->type != YN_SEQ)
		return bad(x, v->line, v->col, "%s must be a list", what);
	if (v->n && !(c->plugins = calloc(v->n, sizeof *c->plugins)))
		return nomem(x, v);
	struct seen seen = {json_object(), json_object()};
	int rc = seen.names && seen.files ? SK_OK : nomem(x, v);
	for (size_t k = 0; k < v->n && rc == SK_OK; k++) {
		/* counted first so sk_config_free releases a half-read entry */
		x->entry = &c->plugins[c->n_plugins++];
		rc = read_entry(x, v->items[k], k, &seen);
	}
	x->entry = NULL;
	json_decref(seen.names);
	json_decref(seen.files);
	return rc;
}

static const struct field plugins_fields[] = {
	{"autoload", f_autoload},
	{"dirs", f_dirs},
	{"list", f_list},
};

static int f_plugins(struct ctx *x, const struct yaml_node *v, const char *what)
{
	if (is_null(v))
		return SK_OK;
	if (v->type != YN_MAP)
		return bad(x, v->line, v->col, "%s must be a mapping", what);
	return walk(x, v, "plugins.", "in plugins", plugins_fields,
	            sizeof plugins_fields / sizeof plugins_fields[0]);
}

static const struct field top_fields[] = {
	{"dataDir", f_data_dir},
	{"listen", f_listen},
	{"insecureListen", f_insecure_listen},
	{"logLevel", f_log_level},
	{"workers", f_workers},
	{"stallThresholdMs", f_stall},
	{"datastore", f_datastore},
	{"plugins", f_plugins},
};

/* ---- entry points ---- */

void sk_config_defaults(struct sk_config *c)
{
	memset(c, 0, sizeof *c);
	c->data_dir = strdup("/var/lib/skiff");
	c->listen = strdup("127.0.0.1:6443");
	c->log_level = strdup("info");
	c->workers = 2;
	c->stall_threshold_s = 0.1;
	c->datastore = strdup("leveldb");
	c->datastore_settings = json_object();
	c->history_revisions = 100000;
	c->compact_interval_s = 300;
	c->autoload = 1;
}

void sk_config_free(struct sk_config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->data_dir);
	free(c->listen);
	free(c->insecure_listen);
	free(c->log_level);
	free(c->datastore);
	json_decref(c->datastore_settings);
	for (size_t k = 0; k < c->n_plugin_dirs; k++)
		free(c->plugin_dirs[k]);
	free(c->plugin_dirs);
	for (size_t k = 0; k < c->n_plugins; k++) {
		free(c->plugins[k].name);
		free(c->plugins[k].file);
		json_decref(c->plugins[k].settings);
	}
	free(c->plugins);
	memset(c, 0, sizeof *c);
}

/* Defaults, or SK_ENOMEM when they could not be allocated. */
static int defaults(struct sk_config *c, const char *file, sk_err *err)
{
	sk_config_defaults(c);
	if (c->data_dir && c->listen && c->log_level && c->datastore && c->datastore_settings)
		return SK_OK;
	sk_config_free(c);
	return sk_fail(err, SK_ENOMEM, "%s: out of memory", file ? file : "<input>");
}

int sk_config_parse(const char *buf, size_t len, const char *filename, struct sk_config *c,
                    sk_err *err)
{
	sk_err local;
	struct ctx x = {.file = filename, .err = err ? err : &local, .c = c};
	int rc = defaults(c, filename, x.err);
	if (rc != SK_OK)
		return rc;
	/* later errors (an unknown plugin, say) point into this file too */
	if (filename && !(c->path = strdup(filename))) {
		sk_config_free(c);
		return sk_fail(x.err, SK_ENOMEM, "%s: out of memory", filename);
	}
	if (len > SK_CONFIG_MAX_BYTES) {
		sk_config_free(c);
		return sk_fail(x.err, SK_ETOOLARGE, "%s: config of %zu bytes exceeds the limit of %u bytes",
		               filename ? filename : "<input>", len, SK_CONFIG_MAX_BYTES);
	}
	struct yaml_node *root = yaml_load_single(buf, len, filename, x.err);
	if (!root) {
		if (x.err->code == SK_OK)
			return SK_OK; /* an empty file: the defaults */
		sk_config_free(c);
		return x.err->code;
	}
	if (root->type != YN_MAP)
		rc = bad(&x, root->line, root->col, "the config must be a mapping of settings");
	else
		rc = walk(&x, root, "", "at the top level", top_fields,
		          sizeof top_fields / sizeof top_fields[0]);
	yaml_node_free(root);
	if (rc != SK_OK)
		sk_config_free(c);
	return rc;
}

/* Reads at most max + 1 bytes, so an over-long file is noticed without trusting its size. */
static int read_all(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > max)
				break;
			char *b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				return ENOMEM;
			}
			buf = b;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return 0;
}

int sk_config_load(const char *path, int must_exist, struct sk_config *c, sk_err *err)
{
	if (!path)
		return defaults(c, "<defaults>", err);
	memset(c, 0, sizeof *c);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !must_exist)
			return defaults(c, path, err);
		return sk_fail(err, SK_ENOTFOUND, "%s: cannot read config: %s", path, strerror(errno));
	}
	char *buf = NULL;
	size_t len = 0;
	int e = read_all(fd, SK_CONFIG_MAX_BYTES, &buf, &len);
	close(fd);
	if (e)
		return sk_fail(err, e == ENOMEM ? SK_ENOMEM : SK_ENOTFOUND, "%s: cannot read config: %s",
		               path, strerror(e));
	if (len > SK_CONFIG_MAX_BYTES) {
		free(buf);
		return sk_fail(err, SK_ETOOLARGE, "%s: config file is larger than %u bytes", path,
		               SK_CONFIG_MAX_BYTES);
	}
	int rc = sk_config_parse(buf, len, path, c, err);
	free(buf);
	return rc;
}

int sk_config_disable_plugin(struct sk_config *c, const char *name, sk_err *err)
{
	for (size_t i = 0; i < c->n_plugins; i++)
		if (c->plugins[i].name && !strcmp(c->plugins[i].name, name)) {
			c->plugins[i].enabled = 0;
			return SK_OK;
		}
	struct sk_plugin_conf *v = realloc(c->plugins, (c->n_plugins + 1) * sizeof *v);
	if (!v)
		return sk_fail(err, SK_ENOMEM, "out of memory");
	c->plugins = v;
	struct sk_plugin_conf *e = &v[c->n_plugins];
	memset(e, 0, sizeof *e);
	if (!(e->name = strdup(name)) || !(e->settings = json_object())) {
		free(e->name);
		return sk_fail(err, SK_ENOMEM, "out of memory");
	}
	c->n_plugins++;
	return SK_OK;
}
