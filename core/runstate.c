/* runstate.c — the running server's self-description in its data dir. */
#include "runstate.h"
#include "err.h"
#include "plugin_host.h"
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void paths(const char *data_dir, char *dir, char *file, char *tmp)
{
	snprintf(dir, PATH_MAX, "%s/run", data_dir);
	snprintf(file, PATH_MAX, "%s/run/server.json", data_dir);
	snprintf(tmp, PATH_MAX, "%s/run/server.json.tmp", data_dir);
}

int runstate_write(const char *data_dir, const char *listen, sk_err *err)
{
	char dir[PATH_MAX], file[PATH_MAX], tmp[PATH_MAX];
	paths(data_dir, dir, file, tmp);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return sk_fail(err, SK_EIO, "cannot create %s: %s", dir, strerror(errno));
	json_t *j = json_pack("{s:I, s:s, s:s, s:o}", "pid", (json_int_t)getpid(), "version", SKIFF_VERSION,
	                      "listen", listen ? listen : "", "plugins", sk_plugins_describe());
	/* write then rename, so a reader never sees half a file */
	int rc = json_dump_file(j, tmp, JSON_INDENT(2));
	json_decref(j);
	if (rc != 0 || rename(tmp, file) != 0)
		return sk_fail(err, SK_EIO, "cannot write %s: %s", file, strerror(errno));
	return SK_OK;
}

void runstate_remove(const char *data_dir)
{
	char dir[PATH_MAX], file[PATH_MAX], tmp[PATH_MAX];
	paths(data_dir, dir, file, tmp);
	unlink(file);
}

json_t *runstate_read(const char *data_dir, sk_err *err)
{
	char dir[PATH_MAX], file[PATH_MAX], tmp[PATH_MAX];
	paths(data_dir, dir, file, tmp);
	json_error_t je;
	json_t *j = json_load_file(file, 0, &je);
	if (!j) {
		sk_fail(err, SK_ENOTFOUND, "no server is running with data dir %s", data_dir);
		return NULL;
	}
	json_int_t pid = json_integer_value(json_object_get(j, "pid"));
	if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) {
		json_decref(j);
		sk_fail(err, SK_ENOTFOUND, "no server is running with data dir %s (stale state of pid %lld)", data_dir,
		        (long long)pid);
		return NULL;
	}
	return j;
}
