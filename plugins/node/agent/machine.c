/* machine.c — what a Node says about the machine it runs on: capacity read
 * from the kernel (CPUs this process may use, MemTotal, the data dir's
 * file system), nodeInfo, its address, and the pressure conditions the
 * kubelet computes with its default hard eviction thresholds
 * (memory.available < 100Mi, nodefs.available < 10%, pids). */
#include "agent.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

static long long meminfo_kib(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	char line[256];
	long long v = -1;
	size_t fl = strlen(field);
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, field, fl) && line[fl] == ':') {
			v = strtoll(line + fl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static int cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

sk_obj *machine_capacity(const char *data_dir, int max_pods)
{
	sk_obj *c = sk_obj_new_object();
	char v[64];
	snprintf(v, sizeof v, "%d", cpus());
	sk_obj_set_str(c, "cpu", v, NULL);
	long long mem = meminfo_kib("MemTotal");
	snprintf(v, sizeof v, "%lldKi", mem > 0 ? mem : 0);
	sk_obj_set_str(c, "memory", v, NULL);
	struct statvfs fs;
	unsigned long long disk = 0;
	if (statvfs(data_dir, &fs) == 0)
		disk = (unsigned long long)fs.f_blocks * fs.f_frsize;
	snprintf(v, sizeof v, "%lluKi", disk / 1024);
	sk_obj_set_str(c, "ephemeral-storage", v, NULL);
	snprintf(v, sizeof v, "%d", max_pods);
	sk_obj_set_str(c, "pods", v, NULL);
	return c;
}

static void os_image(char *buf, size_t cap)
{
	snprintf(buf, cap, "Linux");
	FILE *f = fopen("/etc/os-release", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "PRETTY_NAME=", 12)) {
			char *s = line + 12, *e;
			if (*s == '"')
				s++;
			if ((e = strpbrk(s, "\"\n")))
				*e = 0;
			snprintf(buf, cap, "%s", s);
			break;
		}
	fclose(f);
}

static void read_line(const char *path, char *buf, size_t cap)
{
	*buf = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, (int)cap, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

static const char *go_arch(const char *machine)
{
	/* Kubernetes names architectures as Go does */
	if (!strcmp(machine, "x86_64"))
		return "amd64";
	if (!strcmp(machine, "aarch64"))
		return "arm64";
	if (!strncmp(machine, "armv", 4))
		return "arm";
	return machine;
}

sk_obj *machine_info(const char *runtime_name)
{
	sk_obj *i = sk_obj_new_object();
	struct utsname u;
	char buf[256];
	uname(&u);
	sk_obj_set_str(i, "architecture", go_arch(u.machine), NULL);
	sk_obj_set_str(i, "operatingSystem", "linux", NULL);
	sk_obj_set_str(i, "kernelVersion", u.release, NULL);
	os_image(buf, sizeof buf);
	sk_obj_set_str(i, "osImage", buf, NULL);
	read_line("/etc/machine-id", buf, sizeof buf);
	sk_obj_set_str(i, "machineID", buf, NULL);
	sk_obj_set_str(i, "systemUUID", buf, NULL);
	read_line("/proc/sys/kernel/random/boot_id", buf, sizeof buf);
	sk_obj_set_str(i, "bootID", buf, NULL);
	sk_obj_set_str(i, "kubeletVersion", "v1.32.0-skiff", NULL);
	sk_obj_set_str(i, "kubeProxyVersion", "", NULL);
	snprintf(buf, sizeof buf, "%s://skiff", runtime_name);
	sk_obj_set_str(i, "containerRuntimeVersion", buf, NULL);
	return i;
}

void machine_ip(char *buf, size_t cap)
{
	snprintf(buf, cap, "127.0.0.1");
	struct ifaddrs *ifs, *it;
	if (getifaddrs(&ifs) != 0)
		return;
	for (it = ifs; it; it = it->ifa_next) {
		if (!it->ifa_addr || it->ifa_addr->sa_family != AF_INET || (it->ifa_flags & IFF_LOOPBACK) ||
		    !(it->ifa_flags & IFF_UP))
			continue;
		inet_ntop(AF_INET, &((struct sockaddr_in *)it->ifa_addr)->sin_addr, buf, (socklen_t)cap);
		break;
	}
	freeifaddrs(ifs);
}

int machine_memory_pressure(void)
{
	long long avail = meminfo_kib("MemAvailable");
	return avail >= 0 && avail < 100 * 1024;
}

int machine_disk_pressure(const char *data_dir)
{
	struct statvfs fs;
	if (statvfs(data_dir, &fs) != 0 || !fs.f_blocks)
		return 0;
	return fs.f_bavail * 10 < fs.f_blocks;
}

int machine_pid_pressure(void)
{
	/* /proc/loadavg's fourth field is running/total tasks */
	char line[128];
	read_line("/proc/loadavg", line, sizeof line);
	const char *slash = strchr(line, '/');
	char max[32];
	read_line("/proc/sys/kernel/pid_max", max, sizeof max);
	long total = slash ? strtol(slash + 1, NULL, 10) : 0, limit = strtol(max, NULL, 10);
	/* the kubelet's default: fewer than 10% of the PIDs left */
	return limit > 0 && total * 10 > limit * 9;
}
