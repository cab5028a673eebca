/* oci.h — the `oci` runtime: pods as OCI containers run by crun or runc.
 *
 *   images.c         the image store under DATA_DIR/images: names, lookup, list, removal
 *   image_import.c   `skiff image import|ls|rm`: OCI layouts, docker-save and rootfs tarballs
 *   sandbox.c        a pod's sandbox: persistent net/IPC/UTS namespaces, hosts/hostname/resolv.conf
 *   cgroups.c        the container's cgroup under the agent's own, limits, OOM kill counts
 *   bundle.c         a container's OCI bundle: overlay rootfs over shared layers, config.json
 *   container.c      create, start (the tool in the foreground, its output logged), stop, remove, status
 *   files.c          small file-system steps (write a file, make dirs, remove a tree)
 *   plugin.c         settings, which tool and how to run it on this host, the ops table
 *
 * Everything runs on the loop; blocking work (mounts, cgroup files, tool
 * invocations) goes to the worker pool or a child process. */
#ifndef OCI_H
#define OCI_H
#include <skiff/skiff.h>
#include <stddef.h>
#include <sys/types.h>

struct oci {
	sk_plugin *p;
	char tool[16];            /* "crun" or "runc" */
	int private_mounts;       /* run the tool in a private mount namespace without the v2 hierarchy */
	char root[4096];          /* the plugin's state dir */
	char images[4096];        /* DATA_DIR/images */
	sk_map *ctrs;             /* id -> struct ctr */
	sk_map *sandboxes;        /* id -> struct sandbox */
	sk_runtime_event_fn listener;
	void *listener_ud;
	uint64_t seq;
	int64_t pids_limit;       /* per container; 0: none */
	sk_err unprepared;        /* why sandboxes cannot be made yet (code 0: they can) */
};

extern struct oci O;

/* ---- images.c ---- */
struct image {
	char *name;               /* normalized: docker.io/library/nginx:latest */
	char *id;                 /* sha256:... */
	char **layers;            /* unpacked layer dirs, bottom first */
	size_t nlayers;
	sk_obj *config;           /* the image config's "config": Env, Entrypoint, Cmd, WorkingDir, User */
	int64_t size;
};
/* docker's rules: nginx -> docker.io/library/nginx:latest; into out */
int image_normalize(const char *ref, char *out, size_t cap);
/* the ref file of a normalized name */
void image_ref_path(const char *images_dir, const char *name, char *out, size_t cap);
/* NULL with err SK_ENOTFOUND when absent */
struct image *image_find(const char *images_dir, const char *ref, sk_err *err);
void image_free(struct image *im);
int command_image(void *ud, int argc, char **argv);

/* ---- sandbox.c ---- */
struct sandbox {
	char *id;
	char dir[4200];           /* its files: ns/{net,ipc,uts}, hosts, hostname, resolv.conf */
	int host_network;
};
void oci_run_sandbox(void *ud, const sk_obj *pod, sk_done_fn done, void *cb_ud);
void oci_stop_sandbox(void *ud, const char *id, sk_done_fn done, void *cb_ud);
void oci_remove_sandbox(void *ud, const char *id, sk_done_fn done, void *cb_ud);
struct sandbox *sandbox_get(const char *id);

/* ---- cgroups.c ---- */
/* the agent's own cgroup (the memory hierarchy's on v1), where containers go */
void cgroup_base(char *out, size_t cap);
/* this server's parent of its containers' cgroups: <base>/skiff-<hash of its state dir> */
void cgroup_parent(char *out, size_t cap);
/* creates path (relative to every hierarchy's root) with the limits of
 * resources ({"limits": {...}, "requests": {...}}); thread-safe */
int cgroup_create(const char *path, const sk_obj *resources, int64_t pids_limit, sk_err *err);
/* the OOM kills counted in path so far (v1: times its memory limit was
 * hit, to be read with a SIGKILL exit); thread-safe */
long cgroup_oom_kills(const char *path);
/* removes path everywhere, killing what is left in it; thread-safe */
void cgroup_remove(const char *path);
/* removes every container cgroup under parent, then parent if it is empty */
void cgroup_sweep(const char *parent);

/* ---- bundle.c ---- */
/* writes dir/config.json for the container; thread-safe */
int bundle_write(const char *dir, const char *rootfs, const struct image *im, const sk_obj *config,
                 const struct sandbox *sb, const char *cgroups_path, sk_err *err);
/* mounts an overlay of the image's layers at rootfs with upper/work in dir; thread-safe */
int bundle_mount(const char *dir, const char *rootfs, const struct image *im, sk_err *err);
void bundle_unmount(const char *rootfs);

/* ---- container.c ---- */
void oci_create_container(void *ud, const char *sandbox_id, const sk_obj *config, sk_done_fn done, void *cb_ud);
void oci_start_container(void *ud, const char *id, sk_done_fn done, void *cb_ud);
void oci_stop_container(void *ud, const char *id, double timeout_s, sk_done_fn done, void *cb_ud);
void oci_remove_container(void *ud, const char *id, sk_done_fn done, void *cb_ud);
void oci_container_status(void *ud, const char *id, sk_done_fn done, void *cb_ud);
void oci_pull_image(void *ud, const sk_obj *spec, sk_done_fn done, void *cb_ud);
/* at shutdown: every container deleted by the tool, and freed */
void oci_kill_all(void);

/* ---- plugin.c ---- */
/* argv to run the tool with args (NULL-terminated), wrapped as this host
 * needs; into v (at least 16 + nargs entries) */
void oci_tool_argv(const char **v, const char *const *args);
/* runs argv and waits (for commands and start-up only: it blocks); its
 * stdout into out (cap bytes) when out is set; returns its exit status */
int oci_run_sync(const char *const *argv, char *out, size_t cap);
/* ---- files.c (blocking) ---- */
/* removes a tree without crossing into other file systems */
void oci_rmrf(const char *dir);
/* dir/name holding text, whole; 0 or -1 */
int oci_write_file(const char *dir, const char *name, const char *text);
/* a directory and its parents; 0 or -1 */
int oci_mkdirs(const char *path);
/* done(cb_ud, NULL, {}) or done(cb_ud, err) */
void oci_reply(sk_done_fn done, void *cb_ud, const sk_err *err);
#endif
