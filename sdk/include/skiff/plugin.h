/* skiff/plugin.h — what a plugin is: its descriptor, its settings, and how it
 * registers at extension points.
 *
 * A plugin is a shared object exporting exactly one symbol, `skiff_plugin`,
 * a descriptor made with SK_PLUGIN(). The host checks the descriptor (magic,
 * ABI major equal, minor not newer, size), orders plugins by `requires`,
 * then calls `init` with its function table; `init` registers the plugin's
 * extension points. `fini` runs at shutdown in reverse order; anything a
 * plugin registered is unregistered by the host when it unloads.
 *
 *     static int init(sk_plugin *p, sk_err *err) {
 *         return sk_register(p, SK_EXT_AUTHORIZER, &my_authorizer, NULL, err);
 *     }
 *     SK_PLUGIN("my-authorizer", "1.0.0", "allows what my policy allows",
 *               SK_LIST("authorizer"), SK_LIST(NULL), init, NULL);
 *
 * Ownership: strings and the settings object returned here are borrowed and
 * live as long as the plugin is loaded. Ops structs passed to sk_register
 * must outlive the registration (static storage is the norm).
 */
#ifndef SKIFF_PLUGIN_H
#define SKIFF_PLUGIN_H
#include <skiff/abi.h>

#define SK_PLUGIN_MAGIC 0x736b6966u /* "skif" */

typedef int (*sk_plugin_init_fn)(sk_plugin *p, sk_err *err);
typedef void (*sk_plugin_fini_fn)(sk_plugin *p);
typedef int (*sk_plugin_entry_fn)(const struct sk_host *host, sk_plugin *p, sk_err *err);

typedef struct sk_plugin_desc {
	uint32_t magic;
	uint16_t abi_major;
	uint16_t abi_minor;
	uint32_t size;               /* sizeof(sk_plugin_desc) as built */
	const char *name;            /* unique; [a-z0-9-], at most 63 bytes */
	const char *version;
	const char *description;
	const char *const *provides; /* NULL-terminated capability names */
	const char *const *requires; /* NULL-terminated plugin or capability names */
	sk_plugin_entry_fn entry;    /* set by SK_PLUGIN: stores the host table, calls init */
	sk_plugin_fini_fn fini;
} sk_plugin_desc;

/* Extension points. */
typedef enum sk_ext_kind {
	SK_EXT_RESOURCE = 1,      /* skiff/resource.h   */
	SK_EXT_SCHEDULER = 2,     /* skiff/scheduler.h  */
	SK_EXT_ADMISSION = 3,     /* skiff/admission.h  */
	SK_EXT_AUTHENTICATOR = 4, /* skiff/auth.h       */
	SK_EXT_AUTHORIZER = 5,    /* skiff/auth.h       */
	SK_EXT_CONTROLLER = 6,    /* skiff/controller.h */
	SK_EXT_RUNTIME = 7,       /* skiff/runtime.h    */
	SK_EXT_NETWORK = 8,       /* skiff/network.h    */
	SK_EXT_VOLUME = 9,        /* skiff/volume.h     */
	SK_EXT_LOADBALANCER = 10, /* skiff/loadbalancer.h */
	SK_EXT_DATASTORE = 11,    /* skiff/datastore.h  */
	SK_EXT_COMMAND = 12,      /* skiff/command.h    */
	SK_EXT_KIND_MAX = 13,
} sk_ext_kind;

/* Every ops struct begins with these two fields. */
typedef struct sk_ops_head {
	uint32_t size;    /* sizeof(the ops struct) as built */
	const char *name; /* unique within its extension point */
} sk_ops_head;

/* visitor over registrations: ops, its user data, and the owning plugin name */
typedef int (*sk_ext_visit_fn)(void *ud, const void *ops, void *ops_ud, const char *owner);

const sk_obj *sk_plugin_settings(sk_plugin *p);
const char *sk_plugin_name(sk_plugin *p);
/* the server's data dir, and a private directory for this plugin in it */
const char *sk_data_dir(void);
const char *sk_plugin_state_dir(sk_plugin *p);
int sk_register(sk_plugin *p, sk_ext_kind kind, const void *ops, void *ops_ud, sk_err *err);
int sk_unregister(sk_plugin *p, sk_ext_kind kind, const char *name);
/* find one registration by name; returns ops and stores its user data */
const void *sk_ext_find(sk_ext_kind kind, const char *name, void **ops_ud);
/* visit registrations of a kind in registration order; returns count visited */
size_t sk_ext_foreach(sk_ext_kind kind, sk_ext_visit_fn fn, void *ud);

#define SK_LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

#ifndef SKIFF_CORE
extern SK_HIDDEN const struct sk_host *sk__host;

#define SK_PLUGIN(NAME, VERSION, DESCRIPTION, PROVIDES, REQUIRES, INIT, FINI)        \
	SK_HIDDEN const struct sk_host *sk__host;                                    \
	static int sk__entry(const struct sk_host *h, sk_plugin *p, sk_err *e)      \
	{                                                                            \
		sk__host = h;                                                            \
		return (INIT)(p, e);                                                     \
	}                                                                            \
	SK_EXPORT const sk_plugin_desc skiff_plugin = {                              \
		SK_PLUGIN_MAGIC, SK_ABI_MAJOR, SK_ABI_MINOR, sizeof(sk_plugin_desc),     \
		NAME, VERSION, DESCRIPTION, PROVIDES, REQUIRES, sk__entry, FINI}

#define sk_plugin_settings (sk__host->plugin_settings)
#define sk_plugin_name (sk__host->plugin_name)
#define sk_data_dir (sk__host->data_dir)
#define sk_plugin_state_dir (sk__host->plugin_state_dir)
#define sk_register (sk__host->ext_register)
#define sk_unregister (sk__host->ext_unregister)
#define sk_ext_find (sk__host->ext_find)
#define sk_ext_foreach (sk__host->ext_foreach)
#endif
#endif
#include <skiff/host.h>
