/* plugin.c — the oci runtime plugin: which tool runs containers and how it
 * must be run on this host, start-up and shutdown sweeps, and the ops.
 *
 * Settings:
 *   ociRuntime: crun | runc    default: crun when installed, else runc
 *   podPidsLimit: 4096         per container; 0 for none
 *
 * Hosts differ: on a cgroup v1/v2 hybrid (v1 controllers, an empty v2
 * hierarchy mounted at /sys/fs/cgroup/unified, as Debian 12 hosts such as
 * the CI machines have), crun 1.8 refuses to start anything while the v2
 * mount is visible. crun then runs in a private mount namespace of its own
 * where that mount is gone; the host's mounts are never changed. */
#include "oci.h"
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define CGROUP2_MAGIC 0x63677270

struct oci O;
extern char **environ;

int oci_run_sync(const char *const *argv, char *out, size_t cap)
{
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	size_t n = 0;
	char sink[4096];
	ssize_t r;
	for (;;) {
		int keep = out && n + 1 < cap;
		if ((r = read(fd[0], keep ? out + n : sink, keep ? cap - n - 1 : sizeof sink)) <= 0)
			break;
		if (keep)
			n += (size_t)r;
	}
	close(fd[0]);
	if (out && cap)
		out[n] = 0;
	if (rc != 0)
		return -1;
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void oci_reply(sk_done_fn done, void *cb_ud, const sk_err *err)
{
	if (err) {
		done(cb_ud, err, NULL);
		return;
	}
	sk_obj *r = sk_obj_new_object();
	done(cb_ud, NULL, r);
	sk_obj_unref(r);
}

void oci_tool_argv(const char **v, const char *const *args)
{
	size_t n = 0;
	if (O.private_mounts) {
		v[n++] = "unshare";
		v[n++] = "--mount";
		v[n++] = "--propagation";
		v[n++] = "private";
		v[n++] = "sh";
		v[n++] = "-c";
		v[n++] = "umount /sys/fs/cgroup/unified 2>/dev/null; exec \"$0\" \"$@\"";
	}
	v[n++] = O.tool;
	v[n++] = "--root";
	static char state[4200];
	snprintf(state, sizeof state, "%s/state", O.root);
	v[n++] = state;
	for (; *args && n < 30; args++)
		v[n++] = *args;
	v[n] = NULL;
}

static int on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	for (char *dir = strtok(buf, ":"); dir; dir = strtok(NULL, ":")) {
		char full[4200];
		snprintf(full, sizeof full, "%s/%s", dir, prog);
		if (access(full, X_OK) == 0)
			return 1;
	}
	return 0;
}

static int hybrid_cgroups(void)
{
	struct statfs root, uni;
	return statfs("/sys/fs/cgroup", &root) == 0 && (unsigned long)root.f_type != CGROUP2_MAGIC &&
	       statfs("/sys/fs/cgroup/unified", &uni) == 0 && (unsigned long)uni.f_type == CGROUP2_MAGIC;
}

/* What a server that ended without stopping its containers (kill -9, a
 * crash) left behind: containers, their mounts and cgroups, sandboxes.
 * Nobody supervises them any more, so they go. */
static void sweep(void)
{
	char dir[4300];
	snprintf(dir, sizeof dir, "%s/containers", O.root);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[4600], cg[4400], base[4096];
		const char *v[32];
		oci_tool_argv(v, SK_LIST("delete", "--force", e->d_name));
		oci_run_sync(v, NULL, 0);
		snprintf(path, sizeof path, "%s/%s/rootfs", dir, e->d_name);
		bundle_unmount(path);
		cgroup_parent(base, sizeof base);
		snprintf(cg, sizeof cg, "%s/%s", base, e->d_name);
		cgroup_remove(cg);
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		oci_rmrf(path);
	}
	if (d)
		closedir(d);
	snprintf(dir, sizeof dir, "%s/sandboxes", O.root);
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		static const char *const ns[] = {"net", "ipc", "uts"};
		for (int i = 0; i < 3; i++) {
			char path[4600];
			snprintf(path, sizeof path, "%s/%s/ns/%s", dir, e->d_name, ns[i]);
			umount2(path, MNT_DETACH);
		}
		char path[4600];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		oci_rmrf(path);
	}
	if (d)
		closedir(d);
	/* container cgroups whose directories are gone, then our parent */
	char parent[4096];
	cgroup_parent(parent, sizeof parent);
	cgroup_sweep(parent);
}


static int no_logs(void *ud, const char *id, const sk_obj *opts, sk_stream_fn out, void *cb_ud, sk_err *err)
{
	(void)ud, (void)id, (void)opts, (void)out, (void)cb_ud;
	/* the agent reads the log files it named itself (logPath) */
	return sk_errf(err, SK_EUNSUPPORTED, "the oci runtime writes logs to the file the agent names (logPath)");
}

static int no_exec(void *ud, const char *id, const sk_obj *opts, sk_stream_fn out, sk_done_fn done, void *cb_ud,
                   sk_err *err)
{
	(void)ud, (void)id, (void)opts, (void)out, (void)done, (void)cb_ud;
	return sk_errf(err, SK_EUNSUPPORTED, "exec is not available in this build of the oci runtime");
}

static void free_sandbox(void *v)
{
	struct sandbox *sb = v;
	free(sb->id);
	free(sb);
}

static void watch(void *ud, sk_runtime_event_fn fn, void *cb_ud);

static const sk_runtime_ops ops = {
	.size = sizeof ops,
	.name = "oci",
	.run_sandbox = oci_run_sandbox,
	.stop_sandbox = oci_stop_sandbox,
	.remove_sandbox = oci_remove_sandbox,
	.create_container = oci_create_container,
	.start_container = oci_start_container,
	.stop_container = oci_stop_container,
	.remove_container = oci_remove_container,
	.container_status = oci_container_status,
	.logs = no_logs,
	.exec = no_exec,
	.watch = watch,
	.pull_image = oci_pull_image,
};

static const sk_command_ops image_command = {
	.size = sizeof image_command,
	.name = "image",
	.summary = "import, list and remove images of the local image store (oci runtime)",
	.run = command_image,
};

static int prepared;

/* which tool, the state dirs, and the sweep of what an earlier run left */
static int prepare(sk_err *err)
{
	if (prepared)
		return SK_OK;
	const char *tool = sk_obj_get_str(sk_plugin_settings(O.p), "ociRuntime");
	if (tool && strcmp(tool, "crun") && strcmp(tool, "runc"))
		return sk_errf(err, SK_EINVALID, "oci: ociRuntime must be crun or runc, not \"%s\"", tool);
	if (!tool)
		tool = on_path("crun") ? "crun" : "runc";
	if (!on_path(tool))
		return sk_errf(err, SK_ENOTFOUND, "oci: %s is not installed (apt-get install %s)", tool, tool);
	snprintf(O.tool, sizeof O.tool, "%s", tool);
	O.private_mounts = !strcmp(tool, "crun") && hybrid_cgroups();
	static const char *const dirs[] = {"containers", "sandboxes", "state"};
	for (size_t i = 0; i < 3; i++) {
		char d[4300];
		snprintf(d, sizeof d, "%s/%s", O.root, dirs[i]);
		if (mkdir(d, 0700) != 0 && errno != EEXIST)
			return sk_errf(err, SK_EIO, "oci: cannot create %s: %s", d, strerror(errno));
	}
	sweep();
	prepared = 1;
	sk_log(O.p, SK_LOG_INFO, "containers run by %s%s", tool,
	       O.private_mounts ? " (in a private mount namespace without the cgroup v2 mount: a hybrid host)" : "");
	return SK_OK;
}

/* The agent sets its listener as it starts: the moment to prepare (a
 * `skiff image` command loads this plugin too and must not sweep). */
static void watch(void *ud, sk_runtime_event_fn fn, void *cb_ud)
{
	(void)ud;
	O.listener = fn;
	O.listener_ud = cb_ud;
	if (fn && prepare(&O.unprepared) == SK_OK)
		O.unprepared.code = 0;
	else if (fn)
		sk_log(O.p, SK_LOG_ERROR, "%s", O.unprepared.msg);
}

static int init(sk_plugin *p, sk_err *err)
{
	O.p = p;
	O.pids_limit = sk_obj_get_int(sk_plugin_settings(p), "podPidsLimit", 4096);
	snprintf(O.root, sizeof O.root, "%s", sk_plugin_state_dir(p));
	snprintf(O.images, sizeof O.images, "%s/images", sk_data_dir());
	if (!(O.ctrs = sk_map_new()) || !(O.sandboxes = sk_map_new()))
		return sk_errf(err, SK_ENOMEM, "out of memory");
	sk_errf(&O.unprepared, SK_EIO, "oci: the runtime has not been started by an agent");
	if (sk_register(p, SK_EXT_RUNTIME, &ops, NULL, err) != SK_OK)
		return err->code;
	return sk_register(p, SK_EXT_COMMAND, &image_command, NULL, err);
}

static void fini(sk_plugin *p)
{
	(void)p;
	oci_kill_all(); /* frees the containers too */
	if (prepared)
		sweep();
	sk_map_free(O.sandboxes, free_sandbox);
	O.ctrs = O.sandboxes = NULL;
}

SK_PLUGIN("oci", "0.1.0", "runs pods as OCI containers with crun or runc, from a local image store",
          SK_LIST("runtime:oci", "command:image"), NULL, init, fini);
