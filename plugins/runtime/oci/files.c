/* files.c — the small file-system steps the runtime takes in many places:
 * write a short file whole, make a directory and its parents, remove a
 * tree without leaving its file system. Blocking: for the worker pool,
 * commands and start-up. */
#include "oci.h"
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int oci_write_file(const char *dir, const char *name, const char *text)
{
	char path[4400];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

int oci_mkdirs(const char *path)
{
	char tmp[4400];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

void oci_rmrf(const char *dir) { nftw(dir, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT); }
