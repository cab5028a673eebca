/* main.c — the skiff binary: one executable, several roles. */
#include "cli.h"
#include <skiff/abi.h>
#include <stdio.h>
#include <string.h>


static const char usage[] =
	"skiff — a Kubernetes-compatible container orchestrator\n"
	"\n"
	"Usage: skiff COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  server           run the control plane\n"
	"  plugin check F   tell what a plugin file is and whether this host can load it\n"
	"  plugin list      show the plugins a running server loaded\n"
	"  kubeconfig       print the admin kubeconfig for kubectl\n"
	"  version          print the version\n"
	"\n"
	"Run 'skiff COMMAND --help' for a command's options.\n";

const char *cli_flag(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] == 0 && *i + 1 < argc) {
		(*i)++;
		return argv[*i];
	}
	return NULL;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		if (argc >= 2) {
			fputs("\nCommands from plugins:\n", stdout);
			char *self[] = {argv[0], NULL};
			cmd_extension(1, self, stdout);
		}
		return argc < 2 ? 2 : 0;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "server") == 0)
		return cmd_server(argc - 1, argv + 1);
	if (strcmp(cmd, "plugin") == 0)
		return cmd_plugin(argc - 1, argv + 1);
	if (strcmp(cmd, "kubeconfig") == 0)
		return cmd_kubeconfig(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		if (argc > 2 && cli_wants_help(argc - 1, argv + 1)) {
			puts("Usage: skiff version\n\nPrints skiff's version and the plugin ABI it provides.");
			return 0;
		}
		printf("skiff %s (plugin ABI %d.%d)\n", SKIFF_VERSION, SK_ABI_MAJOR, SK_ABI_MINOR);
		return 0;
	}
	return cmd_extension(argc - 1, argv + 1, NULL);
}
