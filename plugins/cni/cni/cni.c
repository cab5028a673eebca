/* cni.c — pod networking by the CNI specification (1.0): the plugins of a
 * network configuration list run in order for ADD and CHECK and in
 * reverse for DEL, each fed the previous one's result, with the CNI_*
 * variables and runtimeConfig the spec defines; the final result of each
 * attachment kept on disk (as libcni keeps its cache) so that DEL and
 * CHECK get it after a restart. DEL always succeeds when there is nothing
 * left to remove, so it is safe to repeat. The pod's loopback is brought
 * up by the `loopback` plugin before the list runs.
 *
 * Settings:
 *   binDirs: [/usr/lib/cni, /opt/cni/bin]   where plugin binaries are found
 *   conflist: {...}                          the network; default: a bridge
 *   subnet: 10.88.0.0/16                     the default network's pod range
 *   bridge: skiff0                           the default network's bridge
 */
#include <skiff/skiff.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static struct {
	sk_plugin *p;
	sk_obj *conflist;
	char bin_dirs[4096];      /* ':'-separated, for CNI_PATH */
	char cache[4096];         /* results/ */
} C;

enum { ADD, DEL, CHECK };
static const char *const verbs[] = {"ADD", "DEL", "CHECK"};

struct op {
	int verb;
	sk_obj *att;              /* the attachment */
	sk_obj *list;             /* the conflist used */
	sk_obj *prev;             /* the previous plugin's result, or the cached one */
	size_t next, n;           /* the plugin to run next (in list order), how many */
	int loopback_done;
	sk_err first_err;         /* DEL: the first failure, reported at the end */
	sk_done_fn done;
	void *cb_ud;
	char *envp_buf[64];
};

static void op_free(struct op *o)
{
	sk_obj_unref(o->att);
	sk_obj_unref(o->list);
	sk_obj_unref(o->prev);
	for (size_t i = 0; i < sizeof o->envp_buf / sizeof *o->envp_buf; i++)
		free(o->envp_buf[i]);
	free(o);
}

static void cache_path(const sk_obj *att, const sk_obj *list, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s-%s-%s.json", C.cache, sk_obj_get_str(list, "name"),
	         sk_obj_get_str(att, "containerID"), sk_obj_get_str(att, "ifName"));
}

static sk_obj *read_cache(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	sk_err e = {0};
	return sk_obj_parse(buf, n, &e);
}

static void write_cache(const char *path, const sk_obj *result, const sk_obj *list, const sk_obj *att)
{
	sk_obj *doc = sk_obj_new_object();
	sk_obj_set(doc, "attachment", (sk_obj *)att, NULL);
	sk_obj_set(doc, "result", (sk_obj *)result, NULL);
	sk_obj_set(doc, "config", (sk_obj *)list, NULL);
	char *text = sk_obj_dump(doc, 0), tmp[4200];
	sk_obj_unref(doc);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = text ? fopen(tmp, "w") : NULL;
	if (f) {
		fputs(text, f);
		if (fclose(f) == 0)
			rename(tmp, path);
	}
	sk_mem_free(text);
}

static int find_binary(const char *type, char *out, size_t cap)
{
	char dirs[4096];
	snprintf(dirs, sizeof dirs, "%s", C.bin_dirs);
	for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(out, cap, "%s/%s", d, type);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* the environment the spec gives a plugin: ours plus CNI_* */
static char *const *plugin_env(struct op *o, const char *ifname)
{
	static const char *keep[] = {"PATH=", "HOME=", "LANG=", NULL};
	size_t n = 0;
	for (char **e = environ; *e && n < 40; e++)
		for (const char **k = keep; *k; k++)
			if (!strncmp(*e, *k, strlen(*k))) {
				free(o->envp_buf[n]);
				o->envp_buf[n++] = strdup(*e);
			}
	const sk_obj *a = o->att;
	char buf[2048];
#define PUT(...) (snprintf(buf, sizeof buf, __VA_ARGS__), free(o->envp_buf[n]), o->envp_buf[n++] = strdup(buf))
	PUT("CNI_COMMAND=%s", verbs[o->verb]);
	PUT("CNI_CONTAINERID=%s", sk_obj_get_str(a, "containerID"));
	PUT("CNI_NETNS=%s", sk_obj_get_str(a, "netns") ? sk_obj_get_str(a, "netns") : "");
	PUT("CNI_IFNAME=%s", ifname);
	PUT("CNI_PATH=%s", C.bin_dirs);
	PUT("CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=%s;K8S_POD_NAME=%s;K8S_POD_INFRA_CONTAINER_ID=%s;K8S_POD_UID=%s",
	    sk_obj_get_str(a, "namespace"), sk_obj_get_str(a, "name"), sk_obj_get_str(a, "containerID"),
	    sk_obj_get_str(a, "uid"));
#undef PUT
	free(o->envp_buf[n]);
	o->envp_buf[n] = NULL;
	return o->envp_buf;
}

/* the plugin's stdin: its conf with the list's name and version,
 * prevResult, and the runtimeConfig its capabilities ask for */
static char *plugin_input(struct op *o, const sk_obj *conf)
{
	sk_obj *in = sk_obj_copy(conf);
	sk_obj_set_str(in, "name", sk_obj_get_str(o->list, "name"), NULL);
	sk_obj_set_str(in, "cniVersion", sk_obj_get_str(o->list, "cniVersion"), NULL);
	if (o->prev)
		sk_obj_set(in, "prevResult", o->prev, NULL);
	if (sk_obj_get_bool(conf, "capabilities.portMappings", 0)) {
		sk_obj *pm = sk_obj_get(o->att, "portMappings");
		if (pm)
			sk_obj_set(in, "runtimeConfig.portMappings", pm, NULL);
	}
	char *text = sk_obj_dump(in, 0);
	sk_obj_unref(in);
	return text;
}

static void step(struct op *o);

static void finish(struct op *o, const sk_err *err)
{
	char path[4400];
	cache_path(o->att, o->list, path, sizeof path);
	if (!err && o->verb == ADD)
		write_cache(path, o->prev, o->list, o->att);
	if (o->verb == DEL)
		remove(path);
	if (o->verb == DEL && o->first_err.code)
		err = &o->first_err;
	o->done(o->cb_ud, err, err ? NULL : o->prev);
	op_free(o);
}

struct run {
	struct op *o;
	char *input;
	const char *type;
	int loopback;
};

static void ran(void *ud, const sk_child_result *res)
{
	struct run *r = ud;
	struct op *o = r->o;
	free(r->input);
	if (res->exit_code != 0 || res->term_signal) {
		/* the spec's error: {"code", "msg", "details"} on stdout */
		sk_err e = {0};
		sk_obj *er = res->out ? sk_obj_parse(res->out, res->out_len, &e) : NULL;
		const char *msg = sk_obj_get_str(er, "msg"), *details = sk_obj_get_str(er, "details");
		sk_errf(&e, SK_EIO, "plugin type=\"%s\" failed (%s): %s%s%s", r->type, verbs[o->verb],
		        msg ? msg : res->err && *res->err ? res->err : "no message",
		        details && *details ? ": " : "", details ? details : "");
		e.msg[strcspn(e.msg, "\n")] = 0;
		sk_obj_unref(er);
		free(r);
		if (o->verb == DEL) { /* removal goes on; the first failure is reported */
			if (!o->first_err.code)
				o->first_err = e;
			step(o);
			return;
		}
		finish(o, &e);
		return;
	}
	if (!r->loopback && o->verb == ADD) {
		sk_err e = {0};
		sk_obj *result = res->out_len ? sk_obj_parse(res->out, res->out_len, &e) : NULL;
		if (result) {
			sk_obj_unref(o->prev);
			o->prev = result;
		}
	}
	free(r);
	step(o);
}

static void run_plugin(struct op *o, const sk_obj *conf, int loopback)
{
	const char *type = sk_obj_get_str(conf, "type");
	char bin[4200];
	sk_err e = {0};
	if (!type || find_binary(type, bin, sizeof bin) != 0) {
		sk_errf(&e, SK_ENOTFOUND, "failed to find plugin \"%s\" in path [%s]", type ? type : "", C.bin_dirs);
		if (o->verb == DEL) {
			step(o);
			return;
		}
		finish(o, &e);
		return;
	}
	struct run *r = calloc(1, sizeof *r);
	r->o = o;
	r->type = type;
	r->loopback = loopback;
	r->input = plugin_input(o, conf);
	const char *argv[] = {bin, NULL};
	sk_child_spec spec = {.size = sizeof spec,
	                      .argv = argv,
	                      .envp = (const char *const *)plugin_env(o, loopback ? "lo" : sk_obj_get_str(o->att, "ifName")),
	                      .stdin_data = r->input,
	                      .stdin_len = r->input ? strlen(r->input) : 0,
	                      .timeout_s = 60};
	if (sk_child_spawn(C.p, &spec, ran, r, NULL, &e) != SK_OK) {
		free(r->input);
		free(r);
		finish(o, &e);
	}
}

static void step(struct op *o)
{
	const sk_obj *plugins = sk_obj_get(o->list, "plugins");
	if (o->verb == ADD && !o->loopback_done) {
		o->loopback_done = 1;
		sk_obj *lo = sk_obj_new_object();
		sk_obj_set_str(lo, "type", "loopback", NULL);
		sk_obj *saved = o->prev;
		o->prev = NULL;
		run_plugin(o, lo, 1);
		o->prev = saved;
		sk_obj_unref(lo);
		return;
	}
	if (o->next >= o->n) {
		finish(o, NULL);
		return;
	}
	size_t i = o->verb == DEL ? o->n - 1 - o->next : o->next;
	o->next++;
	run_plugin(o, sk_obj_at(plugins, i), 0);
}

static void start(int verb, const sk_obj *att, sk_done_fn done, void *cb_ud)
{
	struct op *o = calloc(1, sizeof *o);
	if (!o) {
		sk_err e = {SK_ENOMEM, "out of memory"};
		done(cb_ud, &e, NULL);
		return;
	}
	o->verb = verb;
	o->att = sk_obj_copy(att);
	o->done = done;
	o->cb_ud = cb_ud;
	o->list = sk_obj_ref(C.conflist);
	o->loopback_done = verb != ADD;
	if (verb != ADD) {
		/* the result and config ADD used, when this node made it */
		char path[4400];
		cache_path(att, C.conflist, path, sizeof path);
		sk_obj *cached = read_cache(path);
		if (cached) {
			o->prev = sk_obj_copy(sk_obj_get(cached, "result"));
			if (sk_obj_get(cached, "config")) {
				sk_obj_unref(o->list);
				o->list = sk_obj_copy(sk_obj_get(cached, "config"));
			}
			sk_obj_unref(cached);
		} else if (verb == CHECK) {
			sk_err e;
			sk_errf(&e, SK_ENOTFOUND, "no result of an ADD of %s for container %s", sk_obj_get_str(att, "ifName"),
			        sk_obj_get_str(att, "containerID"));
			op_free(o);
			done(cb_ud, &e, NULL);
			return;
		}
	}
	o->n = sk_obj_len(sk_obj_get(o->list, "plugins"));
	step(o);
}

static void add(void *ud, const sk_obj *att, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	start(ADD, att, done, cb_ud);
}

static void del(void *ud, const sk_obj *att, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	start(DEL, att, done, cb_ud);
}

static void check(void *ud, const sk_obj *att, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	start(CHECK, att, done, cb_ud);
}

static void released(void *ud, const sk_err *err, const sk_obj *res)
{
	(void)res;
	if (err)
		sk_log(C.p, SK_LOG_WARN, "releasing a network attachment left by an earlier run: %s", err->msg);
	free(ud);
}

/* Attachments a server that ended with pods running left behind: their
 * containers are gone (the runtime swept them), so their addresses and
 * firewall rules go too. */
static sk_timer *leftovers;

static void release_leftovers(void *ud)
{
	(void)ud;
	sk_timer_stop(leftovers);
	leftovers = NULL;
	DIR *d = opendir(C.cache);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 6 || strcmp(e->d_name + l - 5, ".json"))
			continue;
		char path[4400];
		snprintf(path, sizeof path, "%s/%s", C.cache, e->d_name);
		sk_obj *doc = read_cache(path);
		sk_obj *att = doc ? sk_obj_copy(sk_obj_get(doc, "attachment")) : NULL;
		sk_obj_unref(doc);
		if (!att) {
			remove(path);
			continue;
		}
		/* after a crash the namespace may still be there: with it, plugins
		 * remove everything (bridge's ipMasq rules need it) */
		const char *ns = sk_obj_get_str(att, "netns");
		if (!ns || access(ns, F_OK) != 0)
			sk_obj_set_str(att, "netns", "", NULL);
		sk_log(C.p, SK_LOG_INFO, "releasing the network of container %s, left by an earlier run",
		       sk_obj_get_str(att, "containerID"));
		start(DEL, att, released, strdup(path));
		sk_obj_unref(att);
	}
	if (d)
		closedir(d);
}

static const sk_network_ops ops = {
	.size = sizeof ops,
	.name = "cni",
	.add = add,
	.del = del,
	.check = check,
};

static sk_obj *default_conflist(const sk_obj *settings)
{
	const char *subnet = sk_obj_get_str(settings, "subnet"), *bridge = sk_obj_get_str(settings, "bridge");
	char text[2048];
	snprintf(text, sizeof text,
	         "{\"cniVersion\":\"1.0.0\",\"name\":\"skiff\",\"plugins\":["
	         "{\"type\":\"bridge\",\"bridge\":\"%s\",\"isGateway\":true,\"ipMasq\":true,\"hairpinMode\":true,"
	         "\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"%s\"}]],"
	         "\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dataDir\":\"%s/ipam\"}},"
	         "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}]}",
	         bridge ? bridge : "skiff0", subnet ? subnet : "10.88.0.0/16", sk_plugin_state_dir(C.p));
	sk_err e = {0};
	return sk_obj_parse(text, strlen(text), &e);
}

static int init(sk_plugin *p, sk_err *err)
{
	C.p = p;
	const sk_obj *s = sk_plugin_settings(p);
	const sk_obj *dirs = sk_obj_get(s, "binDirs");
	size_t n = 0;
	for (size_t i = 0; i < sk_obj_len(dirs); i++)
		n += (size_t)snprintf(C.bin_dirs + n, sizeof C.bin_dirs - n, "%s%s", n ? ":" : "",
		                      sk_obj_str(sk_obj_at(dirs, i)) ? sk_obj_str(sk_obj_at(dirs, i)) : "");
	if (!n)
		snprintf(C.bin_dirs, sizeof C.bin_dirs, "/usr/lib/cni:/opt/cni/bin");
	const sk_obj *list = sk_obj_get(s, "conflist");
	C.conflist = list ? sk_obj_copy(list) : default_conflist(s);
	if (!C.conflist || !sk_obj_get_str(C.conflist, "name") || !sk_obj_len(sk_obj_get(C.conflist, "plugins")))
		return sk_errf(err, SK_EINVALID, "cni: settings.conflist needs a name and at least one plugin");
	if (!sk_obj_get_str(C.conflist, "cniVersion"))
		sk_obj_set_str(C.conflist, "cniVersion", "1.0.0", NULL);
	snprintf(C.cache, sizeof C.cache, "%s/results", sk_plugin_state_dir(p));
	if (mkdir(C.cache, 0700) != 0 && errno != EEXIST)
		return sk_errf(err, SK_EIO, "cni: cannot create %s: %s", C.cache, strerror(errno));
	/* once the loop runs: a command loading this plugin runs none */
	leftovers = sk_timer_start(p, 0, 0, release_leftovers, NULL);
	return sk_register(p, SK_EXT_NETWORK, &ops, NULL, err);
}

static void fini(sk_plugin *p)
{
	(void)p;
	if (leftovers)
		sk_timer_stop(leftovers);
	leftovers = NULL;
	sk_obj_unref(C.conflist);
	C.conflist = NULL;
}

SK_PLUGIN("cni", "0.1.0", "pod networking through CNI plugin binaries (bridge, host-local, portmap by default)",
          SK_LIST("network:cni"), NULL, init, fini);
