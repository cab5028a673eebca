/* plugin_host.h — loading plugins: inspection, ordering, init and fini. */
#ifndef SKIFF_CORE_PLUGIN_HOST_H
#define SKIFF_CORE_PLUGIN_HOST_H
#include <jansson.h>
#include <skiff/plugin.h>

struct sk_config;

struct sk_plugin {
	char *name;
	char *path;          /* NULL for the core's own pseudo-plugin */
	const sk_plugin_desc *desc;
	void *dl;
	json_t *settings;    /* owned */
	char *state_dir;
	int configured;       /* named in the config: refusals stop start-up */
	int inited;
	struct sk_plugin *next;
};

/* Opens a file and checks its descriptor against this host's ABI. On
 * success *dl and *desc are set (dlclose when done). Messages name the file. */
int sk_plugin_inspect(const char *path, void **dl, const sk_plugin_desc **desc, sk_err *err);

/* The directory built-in plugins live in: ../lib/skiff/plugins next to the
 * running binary's bin/ directory. */
int sk_plugin_builtin_dir(char *out, size_t cap);

/* Loads, orders and initialises the plugins the config asks for. On error
 * nothing stays loaded. */
int sk_plugins_start(const struct sk_config *cfg, const char *builtin_dir, sk_err *err);
/* fini in reverse order, unregister, dlclose */
void sk_plugins_stop(void);
/* loaded plugins, in init order */
sk_plugin *sk_plugins_first(void);
/* a JSON array describing loaded plugins (for `skiff plugin list`) */
json_t *sk_plugins_describe(void);
/* the host's own pseudo-plugin, owner of the core's registrations */
sk_plugin *sk_core_plugin(void);

const struct sk_host *sk_host_table(void);

/* extension point registry (extpoint.c) */
void sk_ext_unregister_owner(sk_plugin *p);
size_t sk_ext_count(sk_ext_kind kind);
const char *sk_ext_kind_name(sk_ext_kind kind);
/* the owner of a registration, for attributing calls */
sk_plugin *sk_ext_owner(sk_ext_kind kind, const char *name);

#endif
