/* sandbox.c — a pod's sandbox: the network, IPC and UTS namespaces its
 * containers share, kept alive by bind mounts of their nsfs files rather
 * than by a pause process (as CRI-O's pinns does), so a sandbox costs no
 * process and no image; plus the files every container of the pod sees:
 * /etc/hostname, /etc/hosts and /etc/resolv.conf. util-linux's unshare
 * makes the namespaces persistent and sets the host name inside them. */
#include "oci.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const ns_names[] = {"net", "ipc", "uts"};

struct sandbox *sandbox_get(const char *id) { return id ? sk_map_get(O.sandboxes, id) : NULL; }

static void copy_resolv_conf(const char *dir)
{
	char buf[8192] = "";
	FILE *f = fopen("/etc/resolv.conf", "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = 0;
	oci_write_file(dir, "resolv.conf", buf);
}

struct pending {
	struct sandbox *sb;
	sk_done_fn done;
	void *cb_ud;
};

static void sandbox_free(struct sandbox *sb)
{
	if (sb) {
		free(sb->id);
		free(sb);
	}
}

static void reply_sandbox(struct sandbox *sb, sk_done_fn done, void *cb_ud)
{
	sk_obj *r = sk_obj_new_object();
	char ns[4400];
	sk_obj_set_str(r, "id", sb->id, NULL);
	if (!sb->host_network) {
		snprintf(ns, sizeof ns, "%s/ns/net", sb->dir);
		sk_obj_set_str(r, "netns", ns, NULL);
	}
	done(cb_ud, NULL, r);
	sk_obj_unref(r);
}

static void unshared(void *ud, const sk_child_result *res)
{
	struct pending *p = ud;
	if (res->exit_code != 0) {
		sk_err e;
		sk_errf(&e, SK_EIO, "cannot create the pod's namespaces: unshare: %s",
		        res->err && *res->err ? res->err : "failed");
		e.msg[strcspn(e.msg, "\n")] = 0;
		sk_map_del(O.sandboxes, p->sb->id);
		sandbox_free(p->sb);
		p->done(p->cb_ud, &e, NULL);
	} else {
		reply_sandbox(p->sb, p->done, p->cb_ud);
	}
	free(p);
}

void oci_run_sandbox(void *ud, const sk_obj *pod, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	if (O.unprepared.code) {
		done(cb_ud, &O.unprepared, NULL);
		return;
	}
	struct sandbox *sb = calloc(1, sizeof *sb);
	char id[80], hostname[128];
	const char *uid = sk_obj_get_str(pod, "metadata.uid");
	/* unique across restarts too: CNI keys its firewall chains and its
	 * address leases by it, and an earlier run's may still be released */
	snprintf(id, sizeof id, "%.8s%011llx%04llx", uid ? uid : "pod", (unsigned long long)sk_clock_now_ms() & 0xfffffffffffull,
	         (unsigned long long)++O.seq & 0xffff);
	const char *name = sk_obj_get_str(pod, "metadata.name"), *hn = sk_obj_get_str(pod, "spec.hostname");
	snprintf(hostname, sizeof hostname, "%.63s", hn ? hn : name ? name : "pod");
	if (!sb || !(sb->id = strdup(id))) {
		free(sb);
		sk_err e = {SK_ENOMEM, "out of memory"};
		done(cb_ud, &e, NULL);
		return;
	}
	sb->host_network = sk_obj_get_bool(pod, "spec.hostNetwork", 0);
	snprintf(sb->dir, sizeof sb->dir, "%s/sandboxes/%s", O.root, id);
	char nsdir[4400], hosts[512];
	snprintf(nsdir, sizeof nsdir, "%s/ns", sb->dir);
	snprintf(hosts, sizeof hosts,
	         "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	sk_err e = {0};
	if (mkdir(sb->dir, 0755) != 0 || mkdir(nsdir, 0755) != 0 || oci_write_file(sb->dir, "hostname", hostname) != 0 ||
	    oci_write_file(sb->dir, "hosts", hosts) != 0) {
		sk_errf(&e, SK_EIO, "cannot create %s: %s", sb->dir, strerror(errno));
		sandbox_free(sb);
		done(cb_ud, &e, NULL);
		return;
	}
	copy_resolv_conf(sb->dir);
	sk_map_put(O.sandboxes, sb->id, sb, NULL);
	if (sb->host_network) {
		/* the host's network and name; IPC stays private */
		reply_sandbox(sb, done, cb_ud);
		return;
	}
	char args[3][4500]; /* --net=FILE: unshare bind-mounts the namespace there */
	for (int i = 0; i < 3; i++) {
		oci_write_file(nsdir, ns_names[i], "");
		snprintf(args[i], sizeof args[i], "--%s=%s/%s", ns_names[i], nsdir, ns_names[i]);
	}
	const char *argv[] = {"unshare", args[0], args[1], args[2], "hostname", hostname, NULL};
	sk_child_spec spec = {.size = sizeof spec, .argv = argv, .timeout_s = 30};
	struct pending *p = calloc(1, sizeof *p);
	p->sb = sb;
	p->done = done;
	p->cb_ud = cb_ud;
	if (sk_child_spawn(O.p, &spec, unshared, p, NULL, &e) != SK_OK) {
		free(p);
		sk_map_del(O.sandboxes, sb->id);
		sandbox_free(sb);
		done(cb_ud, &e, NULL);
	}
}

void oci_stop_sandbox(void *ud, const char *id, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	struct sandbox *sb = sandbox_get(id);
	if (sb) {
		/* the namespaces go when their last bind mount and process do */
		for (int i = 0; i < 3; i++) {
			char path[4400];
			snprintf(path, sizeof path, "%s/ns/%s", sb->dir, ns_names[i]);
			umount2(path, MNT_DETACH);
		}
	}
	oci_reply(done, cb_ud, NULL);
}

void oci_remove_sandbox(void *ud, const char *id, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	struct sandbox *sb = sk_map_del(O.sandboxes, id);
	if (sb) {
		static const char *const files[] = {"ns/net", "ns/ipc", "ns/uts", "ns", "hostname", "hosts", "resolv.conf"};
		for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
			char path[4400];
			snprintf(path, sizeof path, "%s/%s", sb->dir, files[i]);
			umount2(path, MNT_DETACH); /* stop was skipped: still safe */
			remove(path);
		}
		rmdir(sb->dir);
		sandbox_free(sb);
	}
	oci_reply(done, cb_ud, NULL);
}
