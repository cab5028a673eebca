/* host.c — facts about the machine a run reports: tmpfs, load, descriptor limit. */
#include "bench.h"
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/vfs.h>

const char *fs_note(const char *dir)
{
	struct statfs s;
	if (statfs(dir, &s) != 0)
		return "";
	if (s.f_type == 0x01021994 || s.f_type == 0x858458f6)
		return " (tmpfs/ramfs: fsync costs nothing here; pass --dir on a real disk)";
	return "";
}

void load_average(char *out, size_t cap)
{
	snprintf(out, cap, "?");
	FILE *f = fopen("/proc/loadavg", "re");
	if (!f)
		return;
	if (!fgets(out, (int)cap, f))
		snprintf(out, cap, "?");
	out[strcspn(out, "\n")] = 0;
	fclose(f);
}

long raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	return (long)rl.rlim_cur;
}
