/* skiff/command.h — subcommands of the `skiff` binary served by plugins.
 *
 * A plugin that keeps state an admin must reach outside the server (the oci
 * runtime's image store: `skiff image import|ls|rm`) registers a command.
 * `skiff NAME ...` loads the configured plugins without starting the
 * server, and calls `run` with the arguments from NAME on, after taking
 * `--config FILE` and `--data-dir DIR` for itself (sk_data_dir() tells the
 * latter). Commands run while a server may be running on the same data
 * dir: whatever they change must be safe against it (write aside, rename).
 * `run` may block; no loop runs while it does.
 */
#ifndef SKIFF_COMMAND_H
#define SKIFF_COMMAND_H
#include <skiff/abi.h>

typedef struct sk_command_ops {
	uint32_t size;
	const char *name;     /* `skiff NAME ...` */
	const char *summary;  /* one line for `skiff --help` */
	/* argv[0] is NAME; returns the exit status */
	int (*run)(void *ud, int argc, char **argv);
} sk_command_ops;

#endif
#include <skiff/host.h>
