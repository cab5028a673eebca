/* cli_command.c — `skiff NAME ...` for commands that plugins serve
 * (skiff/command.h): the configured plugins are loaded as the server loads
 * them, without store, API or controllers, and the command runs. */
#include "bus.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "loop.h"
#include "plugin_host.h"
#include "schema.h"
#include <limits.h>
#include <skiff/command.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sk_host_set_data_dir(const char *dir);

/* loads plugins as cfg says; returns 0 when they are loaded */
static int load(struct sk_config *cfg, sk_err *err)
{
	char builtin[PATH_MAX];
	int have_builtin = sk_plugin_builtin_dir(builtin, sizeof builtin) == 0;
	sk_log_set_level(SK_LOG_WARN); /* a command's output is its own */
	sk_host_set_data_dir(cfg->data_dir);
	if (sk_loop_init(cfg->stall_threshold_s, 1, err) != SK_OK)
		return -1;
	bus_init(16);
	if (schema_init(err) != SK_OK || sk_plugins_start(cfg, have_builtin ? builtin : NULL, err) != SK_OK)
		return -1;
	return 0;
}

static int list_one(void *ud, const void *ops, void *ops_ud, const char *owner)
{
	(void)ops_ud;
	const sk_command_ops *c = ops;
	fprintf((FILE *)ud, "  %-11s %s (plugin %s)\n", c->name, c->summary ? c->summary : "", owner);
	return 0;
}

int cmd_extension(int argc, char **argv, FILE *help)
{
	const char *config = NULL, *data_dir = NULL;
	/* take --config and --data-dir out; the rest is the command's */
	char **rest = calloc((size_t)argc + 1, sizeof *rest);
	int n = 0;
	for (int i = 0; i < argc; i++) {
		const char *v;
		if (i > 0 && (v = cli_flag(argc, argv, &i, "--config")))
			config = v;
		else if (i > 0 && (v = cli_flag(argc, argv, &i, "--data-dir")))
			data_dir = v;
		else
			rest[n++] = argv[i];
	}
	struct sk_config cfg;
	sk_err err = {0};
	int rc = 2;
	if (sk_config_load(config ? config : DEFAULT_CONFIG, config != NULL, &cfg, &err) != SK_OK) {
		fprintf(stderr, "skiff: %s\n", err.msg);
		free(rest);
		return 1;
	}
	if (data_dir) {
		free(cfg.data_dir);
		cfg.data_dir = strdup(data_dir);
	}
	if (load(&cfg, &err) != 0) {
		fprintf(stderr, "skiff: %s\n", err.msg);
		rc = 1;
	} else if (help) {
		sk_ext_foreach(SK_EXT_COMMAND, list_one, help);
		rc = 0;
	} else {
		void *ud = NULL;
		const sk_command_ops *c = sk_ext_find(SK_EXT_COMMAND, rest[0], &ud);
		if (!c) {
			fprintf(stderr, "skiff: unknown command \"%s\" (skiff --help lists them)\n", rest[0]);
		} else {
			/* no loop runs: a command may block, and is no stall */
			rc = c->run(ud, n, rest);
		}
	}
	sk_plugins_stop();
	schema_fini();
	sk_config_free(&cfg);
	free(rest);
	return rc;
}
