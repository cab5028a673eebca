/* cli.h — the subcommands of the skiff binary. Each returns an exit code. */
#ifndef SKIFF_CORE_CLI_H
#define SKIFF_CORE_CLI_H

int cmd_server(int argc, char **argv);
int cmd_plugin(int argc, char **argv);
int cmd_kubeconfig(int argc, char **argv);
/* a command a plugin serves (skiff/command.h); with help set, lists them there */
#include <stdio.h>
int cmd_extension(int argc, char **argv, FILE *help);

/* flag parsing shared by subcommands: "--name VALUE" or "--name=VALUE";
 * returns the value and advances *i, or NULL when argv[*i] is not --name */
const char *cli_flag(int argc, char **argv, int *i, const char *name);
int cli_wants_help(int argc, char **argv);

#define DEFAULT_CONFIG "/etc/skiff/config.yaml"

#endif
