/* extpoint.c — the extension-point registry: named ops structs per kind,
 * owned by the plugin that registered them. */
#include "schema.h"
#include "err.h"
#include "plugin_host.h"
#include <skiff/admission.h>
#include <skiff/auth.h>
#include <skiff/command.h>
#include <skiff/controller.h>
#include <skiff/datastore.h>
#include <skiff/loadbalancer.h>
#include <skiff/network.h>
#include <skiff/resource.h>
#include <skiff/runtime.h>
#include <skiff/scheduler.h>
#include <skiff/volume.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reg {
	const void *ops;
	void *ud;
	sk_plugin *owner;
	struct reg *next;
};

static struct reg *regs[SK_EXT_KIND_MAX];

/* The smallest ops struct accepted per kind: its size in ABI 1.0. When a
 * struct grows in a later minor, these numbers must stay as they are. */
static const size_t min_size[SK_EXT_KIND_MAX] = {
	[SK_EXT_RESOURCE] = sizeof(sk_resource_ops),
	[SK_EXT_SCHEDULER] = sizeof(sk_sched_policy_ops),
	[SK_EXT_ADMISSION] = sizeof(sk_admission_ops),
	[SK_EXT_AUTHENTICATOR] = sizeof(sk_authenticator_ops),
	[SK_EXT_AUTHORIZER] = sizeof(sk_authorizer_ops),
	[SK_EXT_CONTROLLER] = sizeof(sk_controller_ops),
	[SK_EXT_RUNTIME] = sizeof(sk_runtime_ops),
	[SK_EXT_NETWORK] = sizeof(sk_network_ops),
	[SK_EXT_VOLUME] = sizeof(sk_volume_ops),
	[SK_EXT_LOADBALANCER] = sizeof(sk_loadbalancer_ops),
	[SK_EXT_DATASTORE] = sizeof(sk_datastore_ops),
	[SK_EXT_COMMAND] = sizeof(sk_command_ops),
};

static const char *const kind_names[SK_EXT_KIND_MAX] = {
	[SK_EXT_RESOURCE] = "resource",
	[SK_EXT_SCHEDULER] = "scheduler",
	[SK_EXT_ADMISSION] = "admission",
	[SK_EXT_AUTHENTICATOR] = "authenticator",
	[SK_EXT_AUTHORIZER] = "authorizer",
	[SK_EXT_CONTROLLER] = "controller",
	[SK_EXT_RUNTIME] = "runtime",
	[SK_EXT_NETWORK] = "network",
	[SK_EXT_VOLUME] = "volume",
	[SK_EXT_LOADBALANCER] = "loadbalancer",
	[SK_EXT_DATASTORE] = "datastore",
	[SK_EXT_COMMAND] = "command",
};

const char *sk_ext_kind_name(sk_ext_kind kind)
{
	return kind > 0 && kind < SK_EXT_KIND_MAX ? kind_names[kind] : "unknown";
}

static const char *ops_name(const void *ops) { return ((const sk_ops_head *)ops)->name; }

static struct reg *find(sk_ext_kind kind, const char *name)
{
	for (struct reg *r = regs[kind]; r; r = r->next)
		if (strcmp(ops_name(r->ops), name) == 0)
			return r;
	return NULL;
}

static int is_alias(const sk_resource_ops *o);

static int check_resource(const sk_resource_ops *o, sk_err *err)
{
	if (!o->group || !o->version || !*o->version || !o->kind || !*o->kind || !o->plural ||
	    !*o->plural || !o->list_kind)
		return sk_fail(err, SK_EINVALID,
		               "resource %s: group, version, kind, plural and list_kind are required", o->name);
	char want[256];
	int alias = is_alias(o);
	/* another version of a stored resource is named plural.version.group */
	if (alias)
		snprintf(want, sizeof want, *o->group ? "%s.%s.%s" : "%s.%s", o->plural, o->version, o->group);
	else
		snprintf(want, sizeof want, *o->group ? "%s.%s" : "%s", o->plural, o->group);
	if (strcmp(want, o->name) != 0)
		return sk_fail(err, SK_EINVALID, "resource %s: registration name must be \"%s\"", o->name, want);
	if (alias && (!o->to_storage || !o->from_storage))
		return sk_fail(err, SK_EINVALID, "resource %s: a version of %s needs to_storage and from_storage",
		               o->name, o->storage);
	for (struct reg *r = regs[SK_EXT_RESOURCE]; r && !alias; r = r->next) {
		const sk_resource_ops *x = r->ops;
		if (!is_alias(x) && strcmp(x->group, o->group) == 0 && strcmp(x->kind, o->kind) == 0)
			return sk_fail(err, SK_EEXIST, "resource %s: kind %s in group \"%s\" is already served by %s",
			               o->name, o->kind, o->group, x->name);
	}
	return SK_OK;
}

int sk_register(sk_plugin *p, sk_ext_kind kind, const void *ops, void *ud, sk_err *err)
{
	const char *who = p ? sk_plugin_name(p) : "core";
	if (kind <= 0 || kind >= SK_EXT_KIND_MAX)
		return sk_fail(err, SK_EINVALID, "plugin %s: unknown extension point %d", who, (int)kind);
	const sk_ops_head *h = ops;
	if (!h || h->size < min_size[kind])
		return sk_fail(err, SK_EABI, "plugin %s: %s ops struct of %u bytes is smaller than ABI %d.0's %zu",
		               who, kind_names[kind], h ? h->size : 0, SK_ABI_MAJOR, min_size[kind]);
	if (!h->name || !*h->name)
		return sk_fail(err, SK_EINVALID, "plugin %s: %s registration without a name", who, kind_names[kind]);
	struct reg *dup = find(kind, h->name);
	if (dup)
		return sk_fail(err, SK_EEXIST, "plugin %s: %s \"%s\" is already registered by plugin %s", who,
		               kind_names[kind], h->name, sk_plugin_name(dup->owner));
	if (kind == SK_EXT_RESOURCE && check_resource(ops, err) != SK_OK)
		return err ? err->code : SK_EINVALID;
	struct reg *r = calloc(1, sizeof *r);
	if (!r)
		return sk_fail(err, SK_ENOMEM, "out of memory");
	r->ops = ops;
	r->ud = ud;
	r->owner = p ? p : sk_core_plugin();
	struct reg **tail = &regs[kind];
	while (*tail)
		tail = &(*tail)->next;
	*tail = r;
	return SK_OK;
}

int sk_unregister(sk_plugin *p, sk_ext_kind kind, const char *name)
{
	if (kind <= 0 || kind >= SK_EXT_KIND_MAX || !name)
		return SK_EINVALID;
	for (struct reg **pp = &regs[kind]; *pp; pp = &(*pp)->next) {
		struct reg *r = *pp;
		if (strcmp(ops_name(r->ops), name) == 0) {
			if (p && r->owner != p)
				return SK_EFORBIDDEN;
			*pp = r->next;
			free(r);
			return SK_OK;
		}
	}
	return SK_ENOTFOUND;
}

void sk_ext_unregister_owner(sk_plugin *p)
{
	schema_forget(sk_plugin_name(p));
	for (int k = 1; k < SK_EXT_KIND_MAX; k++) {
		struct reg **pp = &regs[k];
		while (*pp) {
			if ((*pp)->owner == p) {
				struct reg *r = *pp;
				*pp = r->next;
				free(r);
			} else {
				pp = &(*pp)->next;
			}
		}
	}
}

const void *sk_ext_find(sk_ext_kind kind, const char *name, void **ud)
{
	if (kind <= 0 || kind >= SK_EXT_KIND_MAX || !name)
		return NULL;
	struct reg *r = find(kind, name);
	if (ud)
		*ud = r ? r->ud : NULL;
	return r ? r->ops : NULL;
}

sk_plugin *sk_ext_owner(sk_ext_kind kind, const char *name)
{
	struct reg *r = kind > 0 && kind < SK_EXT_KIND_MAX && name ? find(kind, name) : NULL;
	return r ? r->owner : NULL;
}

size_t sk_ext_foreach(sk_ext_kind kind, sk_ext_visit_fn fn, void *ud)
{
	size_t n = 0;
	if (kind <= 0 || kind >= SK_EXT_KIND_MAX)
		return 0;
	for (struct reg *r = regs[kind]; r;) {
		struct reg *next = r->next; /* the visitor may unregister r */
		n++;
		if (fn(ud, r->ops, r->ud, sk_plugin_name(r->owner)))
			break;
		r = next;
	}
	return n;
}

size_t sk_ext_count(sk_ext_kind kind)
{
	size_t n = 0;
	if (kind > 0 && kind < SK_EXT_KIND_MAX)
		for (struct reg *r = regs[kind]; r; r = r->next)
			n++;
	return n;
}

static int is_alias(const sk_resource_ops *o)
{
	return o->size >= offsetof(sk_resource_ops, storage) + sizeof o->storage && o->storage;
}

/* the resource that owns its objects: other versions (aliases) are found by
 * their registration name only */
const sk_resource_ops *sk_resource_find(const char *group, const char *plural)
{
	for (struct reg *r = regs[SK_EXT_RESOURCE]; r; r = r->next) {
		const sk_resource_ops *o = r->ops;
		if (!is_alias(o) && strcmp(o->group, group ? group : "") == 0 && strcmp(o->plural, plural) == 0)
			return o;
	}
	return NULL;
}
