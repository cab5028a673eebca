/* cli_kubeconfig.c — `skiff kubeconfig`: print the admin kubeconfig a server wrote. */
#include "cli.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
	"Usage: skiff kubeconfig [--data-dir DIR]\n"
	"\n"
	"Prints the admin kubeconfig the server wrote into DIR (default /var/lib/skiff):\n"
	"cluster \"skiff\" (the API server's HTTPS address and CA) and user \"skiff-admin\"\n"
	"(a client certificate in the group system:masters). For example:\n"
	"  skiff kubeconfig > ~/.kube/config && chmod 600 ~/.kube/config\n";

int cmd_kubeconfig(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	const char *data_dir = "/var/lib/skiff";
	for (int i = 1; i < argc; i++) {
		const char *v = cli_flag(argc, argv, &i, "--data-dir");
		if (!v) {
			if (!strcmp(argv[i], "--data-dir"))
				fprintf(stderr, "skiff kubeconfig: --data-dir needs a directory\n");
			else
				fprintf(stderr, "skiff kubeconfig: unknown argument \"%s\"\n\n%s", argv[i], usage);
			return 2;
		}
		data_dir = v;
	}
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/kubeconfig.yaml", data_dir) >= (int)sizeof path) {
		fprintf(stderr, "skiff kubeconfig: data dir path too long\n");
		return 2;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			fprintf(stderr, "skiff kubeconfig: no kubeconfig in %s: start the server first (skiff server --data-dir %s)\n",
			        data_dir, data_dir);
		else
			fprintf(stderr, "skiff kubeconfig: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	char buf[8192];
	size_t n;
	int ok = 1;
	while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
		ok = fwrite(buf, 1, n, stdout) == n;
	if (ferror(f)) {
		fprintf(stderr, "skiff kubeconfig: cannot read %s: %s\n", path, strerror(errno));
		ok = 0;
	}
	fclose(f);
	if (fflush(stdout) != 0)
		ok = 0;
	return ok ? 0 : 1;
}
