/* bundle.c — a container's OCI bundle: its root file system as an overlay
 * of the image's shared layers with a private upper dir (nothing copied per
 * container), and config.json as a container runtime writes it for a
 * Kubernetes container: the process from command/args over the image's
 * Entrypoint/Cmd, env over the image's Env, the pod's namespaces joined by
 * path, /etc/hosts, /etc/hostname and /etc/resolv.conf from the sandbox,
 * the volumes the agent resolved, Docker's default capabilities and masked
 * paths, and the cgroup (cgroups.c) that holds its limits. */
#include "oci.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

int bundle_mount(const char *dir, const char *rootfs, const struct image *im, sk_err *err)
{
	char upper[4400], work[4400];
	snprintf(upper, sizeof upper, "%s/upper", dir);
	snprintf(work, sizeof work, "%s/work", dir);
	if ((mkdir(upper, 0755) && errno != EEXIST) || (mkdir(work, 0755) && errno != EEXIST) ||
	    (mkdir(rootfs, 0755) && errno != EEXIST))
		return sk_errf(err, SK_EIO, "cannot create %s: %s", dir, strerror(errno));
	/* lowerdir lists the top layer first */
	size_t cap = 64 + strlen(upper) + strlen(work);
	for (size_t i = 0; i < im->nlayers; i++)
		cap += strlen(im->layers[i]) + 1;
	char *opts = malloc(cap);
	if (!opts)
		return sk_errf(err, SK_ENOMEM, "out of memory");
	size_t n = (size_t)snprintf(opts, cap, "lowerdir=");
	for (size_t i = im->nlayers; i-- > 0;)
		n += (size_t)snprintf(opts + n, cap - n, "%s%s", im->layers[i], i ? ":" : "");
	snprintf(opts + n, cap - n, ",upperdir=%s,workdir=%s", upper, work);
	int rc = mount("overlay", rootfs, "overlay", 0, opts);
	int e = errno;
	free(opts);
	if (rc != 0)
		return sk_errf(err, SK_EIO, "cannot mount the container's root file system at %s: %s", rootfs,
		               strerror(e));
	return SK_OK;
}

void bundle_unmount(const char *rootfs) { umount2(rootfs, MNT_DETACH); }

static void add_str(sk_obj *arr, const char *s)
{
	sk_obj *v = sk_obj_new_str(s);
	sk_obj_append(arr, v);
	sk_obj_unref(v);
}

static sk_obj *str_array(const char *const *v)
{
	sk_obj *a = sk_obj_new_array();
	for (; *v; v++)
		add_str(a, *v);
	return a;
}

static void add_mount(sk_obj *mounts, const char *dest, const char *type, const char *src, const char *const *opts)
{
	sk_obj *m = sk_obj_new_object();
	sk_obj_set_str(m, "destination", dest, NULL);
	sk_obj_set_str(m, "type", type, NULL);
	sk_obj_set_str(m, "source", src, NULL);
	if (opts) {
		sk_obj *o = str_array(opts);
		sk_obj_set(m, "options", o, NULL);
		sk_obj_unref(o);
	}
	sk_obj_append(mounts, m);
	sk_obj_unref(m);
}

static void append_all(sk_obj *to, const sk_obj *from)
{
	for (size_t i = 0; i < sk_obj_len(from); i++)
		sk_obj_append(to, sk_obj_at(from, i));
}

/* Kubernetes' command/args over the image's Entrypoint/Cmd */
static sk_obj *process_args(const sk_obj *config, const struct image *im)
{
	const sk_obj *command = sk_obj_get(config, "command"), *args = sk_obj_get(config, "args");
	sk_obj *out = sk_obj_new_array();
	if (sk_obj_len(command)) {
		append_all(out, command);
		append_all(out, args);
		return out;
	}
	append_all(out, sk_obj_get(im->config, "Entrypoint"));
	append_all(out, sk_obj_len(args) ? args : sk_obj_get(im->config, "Cmd"));
	return out;
}

static void env_set(sk_obj *env, const char *name, size_t nlen, const char *entry)
{
	for (size_t i = 0; i < sk_obj_len(env); i++) {
		const char *e = sk_obj_str(sk_obj_at(env, i));
		if (e && !strncmp(e, name, nlen) && e[nlen] == '=') {
			sk_obj *v = sk_obj_new_str(entry);
			char path[32];
			snprintf(path, sizeof path, "[%zu]", i);
			sk_obj_set(env, path, v, NULL);
			sk_obj_unref(v);
			return;
		}
	}
	add_str(env, entry);
}

static sk_obj *process_env(const sk_obj *config, const struct image *im, const char *hostname)
{
	sk_obj *env = sk_obj_new_array();
	char entry[8192];
	snprintf(entry, sizeof entry, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	add_str(env, entry);
	snprintf(entry, sizeof entry, "HOSTNAME=%s", hostname);
	add_str(env, entry);
	const sk_obj *img = sk_obj_get(im->config, "Env");
	for (size_t i = 0; i < sk_obj_len(img); i++) {
		const char *e = sk_obj_str(sk_obj_at(img, i));
		const char *eq = e ? strchr(e, '=') : NULL;
		if (eq)
			env_set(env, e, (size_t)(eq - e), e);
	}
	const sk_obj *ce = sk_obj_get(config, "env");
	for (size_t i = 0; i < sk_obj_len(ce); i++) {
		const char *n = sk_obj_get_str(sk_obj_at(ce, i), "name"), *v = sk_obj_get_str(sk_obj_at(ce, i), "value");
		if (!n)
			continue;
		snprintf(entry, sizeof entry, "%s=%s", n, v ? v : "");
		env_set(env, n, strlen(n), entry);
	}
	return env;
}

static void process_user(sk_obj *proc, const sk_obj *config, const struct image *im)
{
	long uid = 0, gid = 0;
	const char *u = sk_obj_get_str(im->config, "User");
	if (u && *u) { /* numeric uid[:gid]; names need the image's passwd */
		char *end;
		uid = strtol(u, &end, 10);
		if (*end == ':')
			gid = strtol(end + 1, NULL, 10);
	}
	uid = (long)sk_obj_get_int(config, "securityContext.runAsUser", uid);
	gid = (long)sk_obj_get_int(config, "securityContext.runAsGroup", gid);
	sk_obj_set_int(proc, "user.uid", uid, NULL);
	sk_obj_set_int(proc, "user.gid", gid, NULL);
}

static void add_namespace(sk_obj *list, const char *type, const char *path)
{
	sk_obj *n = sk_obj_new_object();
	sk_obj_set_str(n, "type", type, NULL);
	if (path)
		sk_obj_set_str(n, "path", path, NULL);
	sk_obj_append(list, n);
	sk_obj_unref(n);
}

int bundle_write(const char *dir, const char *rootfs, const struct image *im, const sk_obj *config,
                 const struct sandbox *sb, const char *cgroups_path, sk_err *err)
{
	static const char *const caps[] = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	                                   "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	                                   "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
	                                   NULL};
	static const char *const masked[] = {"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	                                     "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	                                     "/proc/scsi", "/sys/firmware", NULL};
	static const char *const readonly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
	                                       NULL};
	char path[4400];
	sk_obj *c = sk_obj_new_object(), *proc = sk_obj_new_object();
	sk_obj_set_str(c, "ociVersion", "1.0.2", NULL);
	const char *hostname = sk_obj_get_str(config, "hostname");
	sk_obj_set_bool(proc, "terminal", sk_obj_get_bool(config, "tty", 0), NULL);
	sk_obj *args = process_args(config, im), *env = process_env(config, im, hostname ? hostname : "");
	if (!sk_obj_len(args)) {
		sk_obj_unref(args);
		sk_obj_unref(env);
		sk_obj_unref(proc);
		sk_obj_unref(c);
		return sk_errf(err, SK_EINVALID, "no command specified (the image has no Entrypoint or Cmd)");
	}
	sk_obj_set(proc, "args", args, NULL);
	sk_obj_set(proc, "env", env, NULL);
	sk_obj_unref(args);
	sk_obj_unref(env);
	const char *cwd = sk_obj_get_str(config, "workingDir");
	if (!cwd || !*cwd)
		cwd = sk_obj_get_str(im->config, "WorkingDir");
	sk_obj_set_str(proc, "cwd", cwd && *cwd ? cwd : "/", NULL);
	process_user(proc, config, im);
	const char *const *capsets[] = {caps, caps, caps};
	static const char *const capnames[] = {"bounding", "effective", "permitted"};
	for (int i = 0; i < 3; i++) {
		sk_obj *a = str_array(capsets[i]);
		snprintf(path, sizeof path, "capabilities.%s", capnames[i]);
		sk_obj_set(proc, path, a, NULL);
		sk_obj_unref(a);
	}
	sk_obj *rl = sk_obj_new_array(), *nofile = sk_obj_new_object();
	sk_obj_set_str(nofile, "type", "RLIMIT_NOFILE", NULL);
	/* containerd's 1048576, within what this process may grant */
	struct rlimit lim;
	rlim_t files = 1048576;
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_max != RLIM_INFINITY && lim.rlim_max < files)
		files = lim.rlim_max;
	sk_obj_set_int(nofile, "hard", (int64_t)files, NULL);
	sk_obj_set_int(nofile, "soft", (int64_t)files, NULL);
	sk_obj_append(rl, nofile);
	sk_obj_set(proc, "rlimits", rl, NULL);
	sk_obj_unref(nofile);
	sk_obj_unref(rl);
	sk_obj_set(c, "process", proc, NULL);
	sk_obj_unref(proc);
	sk_obj_set_str(c, "root.path", rootfs, NULL);
	sk_obj_set_bool(c, "root.readonly", sk_obj_get_bool(config, "securityContext.readOnlyRootFilesystem", 0), NULL);

	sk_obj *mounts = sk_obj_new_array();
	add_mount(mounts, "/proc", "proc", "proc", NULL);
	add_mount(mounts, "/dev", "tmpfs", "tmpfs", SK_LIST("nosuid", "strictatime", "mode=755", "size=65536k"));
	add_mount(mounts, "/dev/pts", "devpts", "devpts",
	          SK_LIST("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
	add_mount(mounts, "/dev/shm", "tmpfs", "shm", SK_LIST("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
	add_mount(mounts, "/dev/mqueue", "mqueue", "mqueue", SK_LIST("nosuid", "noexec", "nodev"));
	add_mount(mounts, "/sys", "sysfs", "sysfs", SK_LIST("nosuid", "noexec", "nodev", "ro"));
	static const char *const pod_files[] = {"hosts", "resolv.conf", "hostname"};
	for (size_t i = 0; sb && i < 3; i++) {
		if (sb->host_network && i == 2)
			break; /* the host's name is the pod's */
		char dest[64];
		snprintf(path, sizeof path, "%s/%s", sb->dir, pod_files[i]);
		snprintf(dest, sizeof dest, "/etc/%s", pod_files[i]);
		add_mount(mounts, dest, "bind", path, SK_LIST("rbind", "rprivate", "rw"));
	}
	const sk_obj *vols = sk_obj_get(config, "mounts");
	for (size_t i = 0; i < sk_obj_len(vols); i++) {
		const sk_obj *v = sk_obj_at(vols, i);
		const char *src = sk_obj_get_str(v, "hostPath"), *dst = sk_obj_get_str(v, "containerPath");
		if (src && dst)
			add_mount(mounts, dst, "bind", src,
			          sk_obj_get_bool(v, "readOnly", 0) ? SK_LIST("rbind", "rprivate", "ro")
			                                            : SK_LIST("rbind", "rprivate", "rw"));
	}
	sk_obj_set(c, "mounts", mounts, NULL);
	sk_obj_unref(mounts);

	sk_obj *ns = sk_obj_new_array();
	add_namespace(ns, "pid", NULL);
	add_namespace(ns, "mount", NULL);
	if (sb && !sb->host_network) {
		static const char *const shared[][2] = {{"network", "net"}, {"ipc", "ipc"}, {"uts", "uts"}};
		for (int i = 0; i < 3; i++) {
			snprintf(path, sizeof path, "%s/ns/%s", sb->dir, shared[i][1]);
			add_namespace(ns, shared[i][0], path);
		}
	} else if (sb) {
		snprintf(path, sizeof path, "%s/ns/ipc", sb->dir);
		add_namespace(ns, "ipc", NULL);
	}
	sk_obj_set(c, "linux.namespaces", ns, NULL);
	sk_obj_unref(ns);
	sk_obj_set_str(c, "linux.cgroupsPath", cgroups_path, NULL);
	sk_obj *mp = str_array(masked), *ro = str_array(readonly);
	sk_obj_set(c, "linux.maskedPaths", mp, NULL);
	sk_obj_set(c, "linux.readonlyPaths", ro, NULL);
	sk_obj_unref(mp);
	sk_obj_unref(ro);

	char *text = sk_obj_dump(c, SK_DUMP_PRETTY);
	sk_obj_unref(c);
	snprintf(path, sizeof path, "%s/config.json", dir);
	FILE *f = text ? fopen(path, "w") : NULL;
	int ok = f && fputs(text, f) >= 0;
	ok = f && !fclose(f) && ok;
	sk_mem_free(text);
	if (!ok)
		return sk_errf(err, SK_EIO, "cannot write %s: %s", path, strerror(errno));
	return SK_OK;
}
