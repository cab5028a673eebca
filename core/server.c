/* server.c — `skiff server`: load config and plugins, open the store, start
 * controllers, run until SIGTERM/SIGINT, then stop in reverse order. */
#include "api.h"
#include "bus.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "loop.h"
#include "plugin_host.h"
#include "runstate.h"
#include "schema.h"
#include "store.h"
#include <inttypes.h>
#include <limits.h>
#include <skiff/controller.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sk_host_set_data_dir(const char *dir);

static const char usage[] =
	"Usage: skiff server [--config FILE] [--data-dir DIR] [--listen ADDR:PORT] [--disable-agent]\n"
	"\n"
	"Runs the control plane and, unless told not to, this machine's node agent,\n"
	"so that one command gives a working single-node cluster. Flags override\n"
	"the config file.\n"
	"\n"
	"  --config FILE      config file (default " DEFAULT_CONFIG "; built-in defaults if absent)\n"
	"  --data-dir DIR     where state is kept (default /var/lib/skiff)\n"
	"  --listen ADDR:PORT API address (default 127.0.0.1:6443)\n"
	"  --log-level L      error, warn, info or debug\n"
	"  --disable-agent    control plane only: this machine runs no pods\n";

struct started {
	const sk_controller_ops **v;
	void **ud;
	size_t n;
	int failed;
	sk_err err;
};

static int start_controller(void *ud, const void *ops, void *ops_ud, const char *owner)
{
	struct started *s = ud;
	const sk_controller_ops *c = ops;
	struct call_scope cs;
	call_begin(&cs, sk_ext_owner(SK_EXT_CONTROLLER, c->name));
	int rc = c->start ? c->start(ops_ud, &s->err) : SK_OK;
	call_end(&cs, "controller start");
	if (rc != SK_OK) {
		char msg[sizeof s->err.msg];
		snprintf(msg, sizeof msg, "%s", s->err.msg);
		sk_fail(&s->err, rc, "controller %s (plugin %s) failed to start: %s", c->name, owner, msg);
		s->failed = 1;
		return 1;
	}
	s->v[s->n] = c;
	s->ud[s->n++] = ops_ud;
	return 0;
}

static void stop_controllers(struct started *s)
{
	while (s->n > 0) {
		s->n--;
		if (s->v[s->n]->stop)
			s->v[s->n]->stop(s->ud[s->n]);
	}
}

static void api_stopped(void *ud)
{
	(void)ud;
	sk_loop_stop();
}

static void on_signal(int signo, void *ud)
{
	(void)ud;
	static int again;
	if (again++) {
		sk_loop_stop();
		return;
	}
	LOG_I("received signal %d, shutting down", signo);
	/* watches end with their final chunk; requests in flight may finish */
	api_watch_stop_all();
	api_server_stop(5.0, api_stopped, NULL);
}

int cmd_server(int argc, char **argv)
{
	const char *config = NULL, *data_dir = NULL, *listen = NULL, *level = NULL;
	int no_agent = 0;
	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		const char *v;
		if ((v = cli_flag(argc, argv, &i, "--config")))
			config = v;
		else if ((v = cli_flag(argc, argv, &i, "--data-dir")))
			data_dir = v;
		else if ((v = cli_flag(argc, argv, &i, "--listen")))
			listen = v;
		else if ((v = cli_flag(argc, argv, &i, "--log-level")))
			level = v;
		else if (!strcmp(argv[i], "--disable-agent"))
			no_agent = 1;
		else {
			fprintf(stderr, "skiff server: unknown argument \"%s\"\n\n%s", argv[i], usage);
			return 2;
		}
	}
	double t0 = sk_monotonic();
	struct sk_config cfg;
	sk_err err = {0};
	if (sk_config_load(config ? config : DEFAULT_CONFIG, config != NULL, &cfg, &err) != SK_OK) {
		fprintf(stderr, "skiff server: %s\n", err.msg);
		return 1;
	}
	if (data_dir) {
		free(cfg.data_dir);
		cfg.data_dir = strdup(data_dir);
	}
	if (listen) {
		free(cfg.listen);
		cfg.listen = strdup(listen);
	}
	if (no_agent && sk_config_disable_plugin(&cfg, "agent", &err) != SK_OK) {
		fprintf(stderr, "skiff server: %s\n", err.msg);
		sk_config_free(&cfg);
		return 1;
	}
	int lvl = sk_log_level_parse(level ? level : cfg.log_level);
	if (lvl < 0) {
		fprintf(stderr, "skiff server: unknown log level \"%s\" (error, warn, info, debug)\n", level);
		sk_config_free(&cfg);
		return 2;
	}
	sk_log_set_level(lvl);
	sk_host_set_data_dir(cfg.data_dir);

	int rc = 1;
	char builtin[PATH_MAX];
	int have_builtin = sk_plugin_builtin_dir(builtin, sizeof builtin) == 0;
	struct started ctl = {0};
	if (sk_loop_init(cfg.stall_threshold_s, cfg.workers, &err) != SK_OK) {
		LOG_E("%s", err.msg);
		goto out_cfg;
	}
	bus_init(4096);
	if (schema_init(&err) != SK_OK) {
		LOG_E("start-up stopped: %s", err.msg);
		goto out_loop;
	}
	if (sk_plugins_start(&cfg, have_builtin ? builtin : NULL, &err) != SK_OK) {
		LOG_E("start-up stopped: %s", err.msg);
		goto out_loop;
	}
	if (schema_check_refs(&err) != SK_OK) {
		LOG_E("start-up stopped: %s", err.msg);
		goto out_plugins;
	}
	if (store_open(cfg.datastore, cfg.data_dir, cfg.datastore_settings, cfg.history_revisions,
	               cfg.compact_interval_s, &err) != SK_OK) {
		LOG_E("start-up stopped: %s", err.msg);
		goto out_plugins;
	}
	size_t nctl = sk_ext_count(SK_EXT_CONTROLLER);
	ctl.v = calloc(nctl + 1, sizeof *ctl.v);
	ctl.ud = calloc(nctl + 1, sizeof *ctl.ud);
	sk_ext_foreach(SK_EXT_CONTROLLER, start_controller, &ctl);
	if (ctl.failed) {
		LOG_E("start-up stopped: %s", ctl.err.msg);
		goto out_controllers;
	}
	if (api_server_start(&cfg, &err) != SK_OK) {
		LOG_E("start-up stopped: %s", err.msg);
		goto out_controllers;
	}
	if (runstate_write(cfg.data_dir, cfg.listen, &err) != SK_OK)
		LOG_W("%s", err.msg);
	size_t nplugins = 0;
	for (sk_plugin *p = sk_plugins_first(); p; p = p->next)
		nplugins++;
	LOG_I("skiff %s ready in %.1f ms: %zu plugins, %zu controllers, data dir %s, revision %" PRId64,
	      SKIFF_VERSION, (sk_monotonic() - t0) * 1000, nplugins, ctl.n, cfg.data_dir, store_revision());
	sk_loop_on_signal(on_signal, NULL);
	ev_ref(sk_ev()); /* the server runs until told to stop */
	sk_loop_run();
	ev_unref(sk_ev());
	rc = 0;
	runstate_remove(cfg.data_dir);
out_controllers:
	api_watch_stop_all();
	api_server_free();
	/* writes still in flight complete into controllers that still run */
	if (!store_drain(10))
		LOG_W("writes still in flight after 10 s; their completions may reach stopped controllers");
	stop_controllers(&ctl);
	free(ctl.v);
	free(ctl.ud);
	store_close();
out_plugins:
	sk_plugins_stop();
out_loop:
	schema_fini();
	bus_fini();
	sk_loop_fini();
out_cfg:
	sk_config_free(&cfg);
	if (rc == 0)
		LOG_I("stopped cleanly");
	return rc;
}
