/* plugin_host.c — finding, checking, ordering, initialising and unloading
 * plugins.
 *
 * Refusals are one clear line naming the plugin, its file and both ABI
 * versions. A file found by scanning the plugin directories that cannot be
 * loaded is skipped with a warning; a plugin the config names that cannot
 * be loaded, or any plugin whose init fails, stops start-up cleanly: the
 * plugins already initialised are finalised and unloaded.
 */
#include "config.h"
#include "err.h"
#include "log.h"
#include "plugin_host.h"
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static sk_plugin *loaded;   /* in init order */
static sk_plugin core_plugin = {.name = "core"};
static char data_dir[PATH_MAX] = "/var/lib/skiff";

sk_plugin *sk_core_plugin(void) { return &core_plugin; }
sk_plugin *sk_plugins_first(void) { return loaded; }
const char *sk_plugin_name(sk_plugin *p) { return p ? p->name : "core"; }
const sk_obj *sk_plugin_settings(sk_plugin *p) { return p ? (const sk_obj *)p->settings : NULL; }
const char *sk_data_dir(void) { return data_dir; }
void sk_host_set_data_dir(const char *dir) { snprintf(data_dir, sizeof data_dir, "%s", dir); }

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *s = tmp + 1; *s; s++) {
		if (*s == '/') {
			*s = 0;
			if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
				return -1;
			*s = '/';
		}
	}
	return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

const char *sk_plugin_state_dir(sk_plugin *p)
{
	if (!p)
		return data_dir;
	if (!p->state_dir) {
		char dir[PATH_MAX + 80];
		snprintf(dir, sizeof dir, "%s/plugins/%s", data_dir, p->name);
		if (mkdir_p(dir) != 0)
			sk_log(p, SK_LOG_WARN, "cannot create state directory %s: %s", dir, strerror(errno));
		p->state_dir = strdup(dir);
	}
	return p->state_dir;
}

static int valid_name(const char *n)
{
	size_t len = n ? strlen(n) : 0;
	if (len == 0 || len > 63)
		return 0;
	for (const char *c = n; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
			return 0;
	return n[0] != '-' && n[len - 1] != '-';
}

int sk_plugin_inspect(const char *path, void **dl_out, const sk_plugin_desc **desc_out, sk_err *err)
{
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		return sk_fail(err, SK_EINVALID, "%s: cannot load: %s", path, dlerror());
	const sk_plugin_desc *d = dlsym(dl, "skiff_plugin");
	int rc = SK_OK;
	if (!d)
		rc = sk_fail(err, SK_EINVALID, "%s: not a skiff plugin (it exports no skiff_plugin descriptor)", path);
	else if (d->magic != SK_PLUGIN_MAGIC)
		rc = sk_fail(err, SK_EINVALID, "%s: not a skiff plugin (bad descriptor magic 0x%08x)", path, d->magic);
	else if (d->abi_major != SK_ABI_MAJOR)
		rc = sk_fail(err, SK_EABI,
		             "plugin %s (%s) was built for ABI %u.%u, this host provides ABI %d.%d: rebuild it "
		             "against skiff-sdk %d.x",
		             valid_name(d->name) ? d->name : "?", path, d->abi_major, d->abi_minor, SK_ABI_MAJOR,
		             SK_ABI_MINOR, SK_ABI_MAJOR);
	else if (d->abi_minor > SK_ABI_MINOR)
		rc = sk_fail(err, SK_EABI,
		             "plugin %s (%s) needs ABI %u.%u, this host provides ABI %d.%d: upgrade skiff or "
		             "rebuild the plugin against this SDK",
		             valid_name(d->name) ? d->name : "?", path, d->abi_major, d->abi_minor, SK_ABI_MAJOR,
		             SK_ABI_MINOR);
	else if (d->size < sizeof(sk_plugin_desc))
		rc = sk_fail(err, SK_EABI, "%s: plugin descriptor of %u bytes is smaller than ABI %d.0's %zu", path,
		             d->size, SK_ABI_MAJOR, sizeof(sk_plugin_desc));
	else if (!valid_name(d->name))
		rc = sk_fail(err, SK_EINVALID, "%s: invalid plugin name \"%s\" (want 1-63 of [a-z0-9-])", path,
		             d->name ? d->name : "");
	else if (!d->entry)
		rc = sk_fail(err, SK_EINVALID, "plugin %s (%s): descriptor has no entry point", d->name, path);
	if (rc != SK_OK) {
		dlclose(dl);
		return rc;
	}
	*dl_out = dl;
	*desc_out = d;
	return SK_OK;
}

int sk_plugin_builtin_dir(char *out, size_t cap)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = 0; /* .../bin */
	slash = strrchr(exe, '/');
	if (slash)
		*slash = 0; /* prefix */
	int w = snprintf(out, cap, "%s/lib/skiff/plugins", exe);
	return w < 0 || (size_t)w >= cap ? -1 : 0;
}

static void plugin_free(sk_plugin *p)
{
	if (!p)
		return;
	if (p->dl)
		dlclose(p->dl);
	json_decref(p->settings);
	free(p->name);
	free(p->path);
	free(p->state_dir);
	free(p);
}

/* Candidates before ordering. */
struct cand {
	sk_plugin **v;
	size_t n, cap;
};

static sk_plugin *cand_find(struct cand *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i]->name, name) == 0)
			return c->v[i];
	return NULL;
}

static void cand_free(struct cand *c)
{
	for (size_t i = 0; i < c->n; i++)
		plugin_free(c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}

/* Adds the plugin in `path`. configured: refusals are errors, else warnings. */
static int cand_add(struct cand *c, const char *path, int configured, sk_plugin **out, sk_err *err)
{
	void *dl;
	const sk_plugin_desc *d;
	sk_err e = {0};
	if (sk_plugin_inspect(path, &dl, &d, &e) != SK_OK) {
		if (configured)
			return sk_fail(err, e.code, "%s", e.msg);
		LOG_W("skipping plugin: %s", e.msg);
		return SK_OK;
	}
	sk_plugin *dup = cand_find(c, d->name);
	if (dup) {
		/* the same file reached twice (a dir listed twice, or named in the list) is no conflict */
		char a[PATH_MAX], b[PATH_MAX];
		if (realpath(path, a) && realpath(dup->path, b) && strcmp(a, b) == 0) {
			dlclose(dl);
			if (out)
				*out = dup;
			return SK_OK;
		}
		sk_fail(&e, SK_EEXIST, "plugin %s (%s): a plugin of that name is already loaded from %s; refusing the second",
		        d->name, path, dup->path);
		dlclose(dl);
		if (configured)
			return sk_fail(err, e.code, "%s", e.msg);
		LOG_W("skipping plugin: %s", e.msg);
		return SK_OK;
	}
	sk_plugin *p = calloc(1, sizeof *p);
	if (!p || (c->n == c->cap && !(c->v = realloc(c->v, (c->cap = c->cap ? c->cap * 2 : 16) * sizeof *c->v)))) {
		free(p);
		dlclose(dl);
		return sk_fail(err, SK_ENOMEM, "out of memory");
	}
	p->name = strdup(d->name);
	p->path = strdup(path);
	p->desc = d;
	p->dl = dl;
	p->settings = json_object();
	p->configured = configured;
	c->v[c->n++] = p;
	if (out)
		*out = p;
	return SK_OK;
}

static int is_so(const char *n)
{
	size_t l = strlen(n);
	return l > 3 && strcmp(n + l - 3, ".so") == 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int scan_dir(struct cand *c, const char *dir, sk_err *err)
{
	DIR *d = opendir(dir);
	if (!d) {
		LOG_D("plugin directory %s: %s", dir, strerror(errno));
		return SK_OK;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!is_so(de->d_name))
			continue;
		if (n == cap)
			names = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof *names);
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	int rc = SK_OK;
	for (size_t i = 0; i < n; i++) {
		char path[2 * PATH_MAX];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (rc == SK_OK)
			rc = cand_add(c, path, 0, NULL, err);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* Which plugin satisfies a requirement: a plugin name, or a capability
 * listed in some plugin's `provides`. */
static sk_plugin *satisfier(struct cand *c, const char *req)
{
	sk_plugin *p = cand_find(c, req);
	if (p)
		return p;
	for (size_t i = 0; i < c->n; i++)
		for (const char *const *pv = c->v[i]->desc->provides; pv && *pv; pv++)
			if (strcmp(*pv, req) == 0)
				return c->v[i];
	return NULL;
}

/* Orders candidates so that every plugin comes after what it requires. */
static int order(struct cand *c, sk_plugin **head, sk_err *err)
{
	size_t n = c->n, placed = 0;
	char *done = calloc(n ? n : 1, 1);
	sk_plugin **tail = head;
	*head = NULL;
	for (size_t i = 0; i < n; i++) {
		for (const char *const *rq = c->v[i]->desc->requires; rq && *rq; rq++) {
			if (!satisfier(c, *rq)) {
				free(done);
				return sk_fail(err, SK_EINVALID, "plugin %s (%s) requires \"%s\", which no loaded plugin provides",
				               c->v[i]->name, c->v[i]->path, *rq);
			}
		}
	}
	while (placed < n) {
		int progress = 0;
		for (size_t i = 0; i < n; i++) {
			if (done[i])
				continue;
			int ready = 1;
			for (const char *const *rq = c->v[i]->desc->requires; rq && *rq && ready; rq++) {
				sk_plugin *s = satisfier(c, *rq);
				for (size_t j = 0; j < n; j++)
					if (c->v[j] == s && !done[j] && j != i)
						ready = 0;
			}
			if (ready) {
				done[i] = 1;
				placed++;
				progress = 1;
				*tail = c->v[i];
				tail = &c->v[i]->next;
			}
		}
		if (!progress) {
			char names[400] = "";
			for (size_t i = 0; i < n; i++)
				if (!done[i] && strlen(names) + strlen(c->v[i]->name) + 3 < sizeof names) {
					if (*names)
						strcat(names, ", ");
					strcat(names, c->v[i]->name);
				}
			free(done);
			*head = NULL;
			return sk_fail(err, SK_EINVALID, "plugins %s require each other in a cycle", names);
		}
	}
	*tail = NULL;
	free(done);
	return SK_OK;
}

static void stop_list(sk_plugin *upto)
{
	/* reverse order: collect, then walk backwards */
	size_t n = 0;
	for (sk_plugin *p = loaded; p && p != upto; p = p->next)
		n++;
	sk_plugin **v = calloc(n ? n : 1, sizeof *v);
	size_t i = 0;
	for (sk_plugin *p = loaded; p && p != upto; p = p->next)
		v[i++] = p;
	while (i-- > 0) {
		sk_plugin *p = v[i];
		if (p->inited && p->desc->fini)
			p->desc->fini(p);
		p->inited = 0;
		sk_ext_unregister_owner(p);
	}
	free(v);
}

int sk_plugins_start(const struct sk_config *cfg, const char *builtin_dir, sk_err *err)
{
	struct cand c = {0}, all = {0}; /* all: every plugin found, when not autoloading */
	int scanned = 0;
	int rc = SK_OK;
	const char *where = cfg->path ? cfg->path : "config";

	if (cfg->autoload) {
		if (builtin_dir)
			rc = scan_dir(&c, builtin_dir, err);
		for (size_t i = 0; rc == SK_OK && i < cfg->n_plugin_dirs; i++)
			rc = scan_dir(&c, cfg->plugin_dirs[i], err);
	}
	/* Entries of plugins.list: explicit files, settings, disabling. */
	for (size_t i = 0; rc == SK_OK && i < cfg->n_plugins; i++) {
		const struct sk_plugin_conf *pc = &cfg->plugins[i];
		sk_plugin *p = NULL;
		if (pc->file) {
			rc = cand_add(&c, pc->file, 1, &p, err);
			if (rc == SK_OK && pc->name && strcmp(pc->name, p->name) != 0)
				rc = sk_fail(err, SK_EINVALID, "%s:%d:%d: plugin file %s declares name \"%s\", not \"%s\"",
				             where, pc->line, pc->col, pc->file, p->name, pc->name);
		} else {
			p = cand_find(&c, pc->name);
			if (!p && !cfg->autoload) {
				/* look for it by name in the directories, scanned once */
				if (!scanned) {
					sk_err ignore;
					if (builtin_dir)
						scan_dir(&all, builtin_dir, &ignore);
					for (size_t d = 0; d < cfg->n_plugin_dirs; d++)
						scan_dir(&all, cfg->plugin_dirs[d], &ignore);
					scanned = 1;
				}
				sk_plugin *f = cand_find(&all, pc->name);
				if (f)
					rc = cand_add(&c, f->path, 1, &p, err);
			}
			if (rc == SK_OK && !p)
				rc = sk_fail(err, SK_ENOTFOUND, "%s:%d:%d: unknown plugin \"%s\" (not found in %s%s)", where,
				             pc->line, pc->col, pc->name, builtin_dir ? builtin_dir : "the plugin directories",
				             builtin_dir && cfg->n_plugin_dirs ? " or plugins.dirs" : "");
		}
		if (rc != SK_OK)
			break;
		p->configured = 1;
		if (pc->settings) {
			json_decref(p->settings);
			p->settings = json_incref(pc->settings);
		}
		if (!pc->enabled) {
			/* drop it: shift the rest down */
			for (size_t j = 0; j < c.n; j++)
				if (c.v[j] == p) {
					memmove(&c.v[j], &c.v[j + 1], (c.n - j - 1) * sizeof *c.v);
					c.n--;
					break;
				}
			plugin_free(p);
		}
	}
	cand_free(&all);
	if (rc == SK_OK)
		rc = order(&c, &loaded, err);
	if (rc != SK_OK) {
		loaded = NULL;
		cand_free(&c);
		return rc;
	}
	free(c.v); /* the plugins now live on the `loaded` list */

	const struct sk_host *host = sk_host_table();
	for (sk_plugin *p = loaded; p; p = p->next) {
		sk_err e = {0};
		int r = p->desc->entry(host, p, &e);
		if (r != SK_OK) {
			if (!e.msg[0])
				snprintf(e.msg, sizeof e.msg, "init returned %d", r);
			sk_fail(err, r > 0 ? r : SK_EIO, "plugin %s (%s): init failed: %s", p->name, p->path, e.msg);
			sk_ext_unregister_owner(p);
			stop_list(p);
			while (loaded) {
				sk_plugin *next = loaded->next;
				plugin_free(loaded);
				loaded = next;
			}
			return err ? err->code : SK_EIO;
		}
		p->inited = 1;
		LOG_I("loaded plugin %s %s (%s)", p->name, p->desc->version ? p->desc->version : "", p->path);
	}
	return SK_OK;
}

void sk_plugins_stop(void)
{
	stop_list(NULL);
	while (loaded) {
		sk_plugin *next = loaded->next;
		plugin_free(loaded);
		loaded = next;
	}
}

struct ext_names {
	json_t *arr;
	const char *owner;
};

static int collect_ext(void *ud, const void *ops, void *ops_ud, const char *owner)
{
	(void)ops_ud;
	struct ext_names *x = ud;
	if (strcmp(owner, x->owner) == 0)
		json_array_append_new(x->arr, json_string(((const sk_ops_head *)ops)->name));
	return 0;
}

json_t *sk_plugins_describe(void)
{
	json_t *arr = json_array();
	for (sk_plugin *p = loaded; p; p = p->next) {
		char abi[16];
		snprintf(abi, sizeof abi, "%u.%u", p->desc->abi_major, p->desc->abi_minor);
		json_t *ext = json_object();
		for (int k = 1; k < SK_EXT_KIND_MAX; k++) {
			struct ext_names x = {json_array(), p->name};
			sk_ext_foreach((sk_ext_kind)k, collect_ext, &x);
			if (json_array_size(x.arr))
				json_object_set_new(ext, sk_ext_kind_name((sk_ext_kind)k), x.arr);
			else
				json_decref(x.arr);
		}
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", p->name, "version",
		                                     p->desc->version ? p->desc->version : "", "file", p->path,
		                                     "abi", abi,
		                                     "extensions", ext));
	}
	return arr;
}
