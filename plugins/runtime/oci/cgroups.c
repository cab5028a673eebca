/* cgroups.c — where containers live and what bounds them. Each container
 * gets a cgroup of ours under the agent's own (never at the root of the
 * hierarchy), holding its limits: memory, CPU quota and shares, pids. The
 * tool (crun/runc) runs the process one level below it, in a cgroup of
 * its own that it removes when the process ends; ours survives, so that
 * after an exit we can still read whether the kernel OOM-killed it (the
 * kill is counted where the limit was hit). Works on cgroup v1 (and v1/v2
 * hybrids, where the v1 controllers count) and on a pure v2 host. */
#include "oci.h"
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ROOT "/sys/fs/cgroup"

void cgroup_parent(char *out, size_t cap)
{
	/* one parent per server (its state dir), so that two servers on one
	 * host, each sweeping what it left, never touch each other's */
	uint32_t h = 2166136261u;
	for (const char *c = O.root; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	char base[4096];
	cgroup_base(base, sizeof base);
	snprintf(out, cap, "%s/skiff-%08x", strcmp(base, "/") ? base : "", h);
}

static int unified(void)
{
	return access(ROOT "/cgroup.controllers", F_OK) == 0;
}

void cgroup_base(char *out, size_t cap)
{
	/* our own cgroup: the memory controller's on v1, the one path on v2 */
	snprintf(out, cap, "/");
	FILE *f = fopen("/proc/self/cgroup", "r");
	if (!f)
		return;
	char line[4096];
	int v2 = unified();
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = 0;
		const char *ctrls = c1 + 1, *path = c2 + 1;
		int mem = 0;
		for (const char *t = ctrls; *t;) {
			size_t l = strcspn(t, ",");
			mem |= l == 6 && !strncmp(t, "memory", 6);
			t += l + (t[l] == ',');
		}
		if ((v2 && !*ctrls) || (!v2 && mem)) {
			snprintf(out, cap, "%s", path);
			break;
		}
	}
	fclose(f);
}

struct limits {
	int64_t memory;     /* bytes, 0: none */
	int64_t cpu_milli;  /* limit, 0: none */
	int64_t shares_milli;
};

static void limits_of(const sk_obj *res, struct limits *l)
{
	memset(l, 0, sizeof *l);
	sk_quantity q;
	sk_err e = {0};
	const char *v;
	if ((v = sk_obj_get_str(res, "limits.memory")) && sk_quantity_parse(v, &q, &e) == SK_OK)
		l->memory = sk_quantity_value(&q);
	if ((v = sk_obj_get_str(res, "limits.cpu")) && sk_quantity_parse(v, &q, &e) == SK_OK)
		l->cpu_milli = sk_quantity_milli(&q);
	/* requests default to limits, as the API server defaults them */
	if ((v = sk_obj_get_str(res, "requests.cpu")) && sk_quantity_parse(v, &q, &e) == SK_OK)
		l->shares_milli = sk_quantity_milli(&q);
	else
		l->shares_milli = l->cpu_milli;
}

static int fail_write(const char *dir, const char *file, sk_err *err)
{
	return sk_errf(err, SK_EIO, "cannot set %s/%s: %s", dir, file, strerror(errno));
}

int cgroup_create(const char *path, const sk_obj *resources, int64_t pids_limit, sk_err *err)
{
	struct limits l;
	limits_of(resources, &l);
	char dir[4400], v[64];
	if (unified()) {
		snprintf(dir, sizeof dir, ROOT "%s", path);
		if (oci_mkdirs(dir) != 0)
			return sk_errf(err, SK_EIO, "cannot create cgroup %s: %s", dir, strerror(errno));
		if (l.memory > 0) {
			snprintf(v, sizeof v, "%lld", (long long)l.memory);
			if (oci_write_file(dir, "memory.max", v) != 0)
				return fail_write(dir, "memory.max", err);
		}
		if (l.cpu_milli > 0) {
			snprintf(v, sizeof v, "%lld 100000", (long long)(l.cpu_milli * 100));
			if (oci_write_file(dir, "cpu.max", v) != 0)
				return fail_write(dir, "cpu.max", err);
		}
		if (pids_limit > 0) {
			snprintf(v, sizeof v, "%lld", (long long)pids_limit);
			oci_write_file(dir, "pids.max", v);
		}
		return SK_OK;
	}
	static const char *const hierarchies[] = {"memory", "cpu", "cpuacct", "pids"};
	for (size_t i = 0; i < sizeof hierarchies / sizeof *hierarchies; i++) {
		snprintf(dir, sizeof dir, ROOT "/%s%s", hierarchies[i], path);
		if (access(ROOT, F_OK) == 0 && oci_mkdirs(dir) != 0 && i == 0)
			return sk_errf(err, SK_EIO, "cannot create cgroup %s: %s", dir, strerror(errno));
	}
	if (l.memory > 0) {
		snprintf(dir, sizeof dir, ROOT "/memory%s", path);
		snprintf(v, sizeof v, "%lld", (long long)l.memory);
		if (oci_write_file(dir, "memory.limit_in_bytes", v) != 0)
			return fail_write(dir, "memory.limit_in_bytes", err);
		oci_write_file(dir, "memory.swappiness", "0"); /* a limit the kernel enforces, not one swap hides */
	}
	snprintf(dir, sizeof dir, ROOT "/cpu%s", path);
	if (l.cpu_milli > 0) {
		snprintf(v, sizeof v, "%lld", (long long)(l.cpu_milli * 100));
		if (oci_write_file(dir, "cpu.cfs_period_us", "100000") != 0 || oci_write_file(dir, "cpu.cfs_quota_us", v) != 0)
			return fail_write(dir, "cpu.cfs_quota_us", err);
	}
	if (l.shares_milli > 0) {
		int64_t shares = l.shares_milli * 1024 / 1000;
		snprintf(v, sizeof v, "%lld", (long long)(shares < 2 ? 2 : shares));
		oci_write_file(dir, "cpu.shares", v);
	}
	if (pids_limit > 0) {
		snprintf(dir, sizeof dir, ROOT "/pids%s", path);
		snprintf(v, sizeof v, "%lld", (long long)pids_limit);
		oci_write_file(dir, "pids.max", v);
	}
	return SK_OK;
}

long cgroup_oom_kills(const char *path)
{
	char file[4400], line[256];
	/* v2 counts a kill in every ancestor of the victim's cgroup, ours
	 * included. v1 counts it only in the victim's own, the tool's, which is
	 * gone by now: there the limit being hit (failcnt) is what we know, and
	 * the caller pairs it with the SIGKILL */
	if (unified())
		snprintf(file, sizeof file, ROOT "%s/memory.events", path);
	else
		snprintf(file, sizeof file, ROOT "/memory%s/memory.failcnt", path);
	FILE *f = fopen(file, "r");
	long n = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (!unified())
			n = strtol(line, NULL, 10);
		else if (!strncmp(line, "oom_kill ", 9))
			n = strtol(line + 9, NULL, 10);
	fclose(f);
	return n;
}

/* whatever is still in the cgroup is ours and unsupervised: it goes */
static void kill_members(const char *dir)
{
	char path[4500];
	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "r");
	long pid;
	while (f && fscanf(f, "%ld", &pid) == 1)
		if (pid > 1)
			kill((pid_t)pid, SIGKILL);
	if (f)
		fclose(f);
}

static void rmdir_tree(const char *dir, int patient)
{
	/* the tool's own cgroup below ours, then ours; a cgroup is removed
	 * with rmdir once no process is left in it */
	char child[4500];
	snprintf(child, sizeof child, "%s/ctr", dir);
	kill_members(child);
	kill_members(dir);
	for (int i = 0; i < (patient ? 50 : 1); i++) {
		rmdir(child);
		if (rmdir(dir) == 0 || errno == ENOENT)
			return;
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL); /* its last processes are still being reaped */
	}
}

static void remove_in(const char *path, int patient)
{
	char dir[4400];
	if (unified()) {
		snprintf(dir, sizeof dir, ROOT "%s", path);
		rmdir_tree(dir, patient);
		return;
	}
	static const char *const all[] = {"memory", "cpu", "cpuacct", "pids", "cpuset", "blkio", "devices",
	                                  "freezer", "systemd", "net_cls", "net_prio", "perf_event", "hugetlb",
	                                  "rdma", "misc"};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
		snprintf(dir, sizeof dir, ROOT "/%s%s", all[i], path);
		if (access(dir, F_OK) == 0)
			rmdir_tree(dir, patient);
	}
}

void cgroup_remove(const char *path) { remove_in(path, 1); }

void cgroup_sweep(const char *parent)
{
	char dir[4400];
	snprintf(dir, sizeof dir, unified() ? ROOT "%s" : ROOT "/memory%s", parent);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		char child[4700];
		snprintf(child, sizeof child, "%s/%s", parent, e->d_name);
		remove_in(child, 1);
	}
	if (d)
		closedir(d);
	remove_in(parent, 0); /* only when nothing else of ours is left */
}
