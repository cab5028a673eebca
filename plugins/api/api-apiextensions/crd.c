/* crd.c — the CustomResourceDefinition controller: serves what each CRD
 * defines, as apiextensions-apiserver's naming, establishing and finalizer
 * controllers do. Per CRD it accepts names that no other CRD of the group
 * holds, defines a type per served version from its schema, registers the
 * storage version as the resource and every other served version as a
 * converted version of it (conversion None: only apiVersion changes),
 * reports NamesAccepted and Established, and when the CRD is deleted,
 * deletes its custom resources, stops serving them and lets it go.
 *
 * Registrations are allocated with the strings they point to. One that is
 * replaced or withdrawn while the server runs is kept (a request or watch
 * in flight may still hold it) and freed when the controller stops; CRD
 * updates only replace registrations when names, versions, scope,
 * subresources or columns change (a schema change redefines the type). */
#include "crd.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROUP "apiextensions.k8s.io"
#define CRDS "customresourcedefinitions"
#define DELETE_BATCH 500 /* custom resources deleted per round */
#define KEY_MAX 256      /* a CRD name is a DNS subdomain: at most 253 bytes */

/* one registration (a served version) and the memory it points to */
struct reg {
	sk_resource_ops ops;
	void **owned;
	size_t n_owned, cap_owned;
	int oom;
	struct reg *next;
};

struct crd {
	char *name;
	unsigned epoch;        /* tells a recreated CRD of the same name apart */
	struct reg *regs;      /* registered; the storage version first */
	sk_obj *reg_print;     /* what the registrations were made from */
	sk_obj *type_print;    /* what the types were defined from */
	size_t deleting;       /* custom resource deletes in flight */
	struct crd *next;
};

static struct {
	sk_plugin *p;
	sk_informer *inf;
	sk_queue *q;
	struct crd *crds;
	struct reg *retired;
	unsigned epochs;
} C;

static const char *str(const sk_obj *o, const char *path)
{
	const char *s = sk_obj_get_str(o, path);
	return s ? s : "";
}

static int is_type(const sk_obj *o, sk_obj_type t) { return o && sk_obj_type_of(o) == t; }

static int has_string(const sk_obj *arr, const char *s)
{
	for (size_t i = 0; is_type(arr, SK_OBJ_ARRAY) && i < sk_obj_len(arr); i++) {
		const char *v = sk_obj_str(sk_obj_at(arr, i));
		if (v && !strcmp(v, s))
			return 1;
	}
	return 0;
}

/* ---- registrations ------------------------------------------------------- */

/* p (heap memory, or NULL when an allocation failed) now belongs to g */
static void *keep(struct reg *g, void *p)
{
	if (p && g->n_owned == g->cap_owned) {
		size_t cap = g->cap_owned ? g->cap_owned * 2 : 16;
		void **v = realloc(g->owned, cap * sizeof *v);
		if (!v) {
			free(p);
			p = NULL;
		} else {
			g->owned = v;
			g->cap_owned = cap;
		}
	}
	if (!p) {
		g->oom = 1;
		return NULL;
	}
	g->owned[g->n_owned++] = p;
	return p;
}

static const char *own(struct reg *g, const char *s) { return s ? keep(g, strdup(s)) : NULL; }

/* a NULL-terminated copy of the strings of arr (leading '.' dropped with
 * strip: ".spec.color" is the field "spec.color"); NULL when empty */
static const char *const *own_list(struct reg *g, const sk_obj *arr, const char *key, int strip)
{
	size_t n = is_type(arr, SK_OBJ_ARRAY) ? sk_obj_len(arr) : 0;
	const char **v = n ? keep(g, calloc(n + 1, sizeof *v)) : NULL;
	if (!v)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const sk_obj *it = sk_obj_at(arr, i);
		const char *s = key ? sk_obj_get_str(it, key) : sk_obj_str(it);
		if (!s || !*s)
			continue;
		if (strip && *s == '.')
			s++;
		v[k++] = own(g, s);
	}
	return v;
}

static void reg_free(struct reg *g)
{
	for (size_t i = 0; i < g->n_owned; i++)
		free(g->owned[i]);
	free(g->owned);
	free(g);
}

/* additionalPrinterColumns as `kubectl get` columns; "date" ones show an age */
static sk_column *columns_of(struct reg *g, const sk_obj *cols)
{
	size_t n = is_type(cols, SK_OBJ_ARRAY) ? sk_obj_len(cols) : 0;
	if (!n)
		return NULL; /* Kubernetes' default: Age */
	sk_column *c = keep(g, calloc(n + 1, sizeof *c));
	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const sk_obj *col = sk_obj_at(cols, i);
		c[i].name = own(g, str(col, "name"));
		c[i].type = own(g, str(col, "type"));
		c[i].description = own(g, str(col, "description"));
		c[i].priority = (int)sk_obj_get_int(col, "priority", 0);
		c[i].json_path = own(g, str(col, "jsonPath"));
	}
	return c;
}

/* the type of a version: Kubernetes' name for it, the group reversed:
 * stable.example.com/v1 CronTab is com.example.stable.v1.CronTab */
static void type_name(char *buf, size_t cap, const char *group, const char *version, const char *kind)
{
	size_t n = 0;
	const char *end = group + strlen(group);
	buf[0] = '\0';
	while (end > group) {
		const char *dot = end;
		while (dot > group && dot[-1] != '.')
			dot--;
		n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%.*s.", (int)(end - dot), dot);
		if (n >= cap)
			return;
		end = dot > group ? dot - 1 : group;
	}
	snprintf(buf + n, n < cap ? cap - n : 0, "%s.%s", version, kind);
}

static int no_conversion(void *ud, sk_obj *obj, sk_err *err)
{
	/* strategy None: the API server stamps apiVersion, nothing else changes */
	(void)ud;
	(void)obj;
	(void)err;
	return SK_OK;
}

/* a registration for version v of the CRD under the accepted names; the
 * storage version's is the resource, others name it as their storage */
static struct reg *reg_new(const sk_obj *crd, const sk_obj *names, const sk_obj *v, int primary)
{
	struct reg *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	const char *group = str(crd, "spec.group"), *version = str(v, "name"), *plural = str(names, "plural");
	const char *kind = str(names, "kind");
	char buf[1024];
	sk_resource_ops *o = &g->ops;
	o->size = sizeof *o;
	if (primary)
		snprintf(buf, sizeof buf, "%s.%s", plural, group);
	else
		snprintf(buf, sizeof buf, "%s.%s.%s", plural, version, group);
	o->name = own(g, buf);
	o->group = own(g, group);
	o->version = own(g, version);
	o->kind = own(g, kind);
	o->plural = own(g, plural);
	o->singular = own(g, str(names, "singular"));
	o->list_kind = own(g, str(names, "listKind"));
	o->short_names = own_list(g, sk_obj_get(names, "shortNames"), NULL, 0);
	o->categories = own_list(g, sk_obj_get(names, "categories"), NULL, 0);
	o->namespaced = !strcmp(str(crd, "spec.scope"), "Namespaced");
	if (sk_obj_get(v, "subresources.status"))
		o->subresources |= SK_SUB_STATUS;
	/* the core's Scale reads spec.replicas, status.replicas and the selector
	 * at status.selector or spec.selector: other paths are not served */
	const sk_obj *scale = sk_obj_get(v, "subresources.scale");
	if (scale) {
		const char *sel = str(scale, "labelSelectorPath");
		if (!strcmp(str(scale, "specReplicasPath"), ".spec.replicas") &&
		    !strcmp(str(scale, "statusReplicasPath"), ".status.replicas") &&
		    (!*sel || !strcmp(sel, ".status.selector") || !strcmp(sel, ".spec.selector")))
			o->subresources |= SK_SUB_SCALE;
		else
			sk_log(C.p, SK_LOG_WARN,
			       "customresourcedefinition %s: version %s: the scale subresource is served only for "
			       ".spec.replicas, .status.replicas and .status.selector or .spec.selector",
			       str(crd, "metadata.name"), version);
	}
	o->selectable_fields = own_list(g, sk_obj_get(v, "selectableFields"), "jsonPath", 1);
	if (is_type(sk_obj_get(v, "schema.openAPIV3Schema"), SK_OBJ_OBJECT)) {
		type_name(buf, sizeof buf, group, version, kind);
		o->type = own(g, buf);
	}
	o->columns = columns_of(g, sk_obj_get(v, "additionalPrinterColumns"));
	if (!primary) {
		snprintf(buf, sizeof buf, "%s.%s", plural, group);
		o->storage = own(g, buf);
		o->to_storage = no_conversion;
		o->from_storage = no_conversion;
	}
	if (sk_obj_get_bool(v, "deprecated", 0)) {
		const char *w = sk_obj_get_str(v, "deprecationWarning");
		if (!w) {
			snprintf(buf, sizeof buf, "%s/%s %s is deprecated", group, version, kind);
			w = buf;
		}
		o->deprecation = own(g, w);
	}
	if (g->oom) {
		reg_free(g);
		return NULL;
	}
	return g;
}

/* withdraws every registration of c; they stay allocated until stop */
static void retire(struct crd *c)
{
	while (c->regs) {
		struct reg *g = c->regs;
		c->regs = g->next;
		sk_unregister(C.p, SK_EXT_RESOURCE, g->ops.name);
		g->next = C.retired;
		C.retired = g;
	}
	sk_obj_unref(c->reg_print);
	c->reg_print = NULL;
}

static int register_all(struct crd *c, const sk_obj *crd, const sk_obj *names, sk_err *err)
{
	sk_obj *vs = sk_obj_get(crd, "spec.versions");
	struct reg **tail = &c->regs;
	if (!strcmp(str(crd, "spec.conversion.strategy"), "Webhook"))
		sk_log(C.p, SK_LOG_WARN, "customresourcedefinition %s: conversion webhooks are not called: versions are "
		                         "converted as by strategy None (apiVersion only)", c->name);
	/* the storage version first: the others are versions of it */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sk_obj_len(vs); i++) {
			const sk_obj *v = sk_obj_at(vs, i);
			int storage = sk_obj_get_bool(v, "storage", 0);
			if ((pass == 0) != storage || (!storage && !sk_obj_get_bool(v, "served", 0)))
				continue;
			struct reg *g = reg_new(crd, names, v, storage);
			if (!g) {
				if (err)
					*err = (sk_err){SK_ENOMEM, "out of memory"};
				return SK_ENOMEM;
			}
			int rc = sk_register(C.p, SK_EXT_RESOURCE, &g->ops, g, err);
			if (rc != SK_OK) {
				reg_free(g);
				return rc;
			}
			*tail = g;
			tail = &g->next;
		}
	}
	return SK_OK;
}

/* ---- types ---------------------------------------------------------------- */

static int define_types(struct crd *c, const sk_obj *crd, const sk_obj *names, sk_err *err)
{
	sk_obj *vs = sk_obj_get(crd, "spec.versions");
	const char *group = str(crd, "spec.group"), *kind = str(names, "kind");
	sk_types_forget(C.p, c->name);
	for (size_t i = 0; i < sk_obj_len(vs); i++) {
		const sk_obj *v = sk_obj_at(vs, i), *schema = sk_obj_get(v, "schema.openAPIV3Schema");
		if (!is_type(schema, SK_OBJ_OBJECT) || !(sk_obj_get_bool(v, "served", 0) || sk_obj_get_bool(v, "storage", 0)))
			continue; /* only what is served is published */
		char tn[1024], gvk[800];
		type_name(tn, sizeof tn, group, str(v, "name"), kind);
		snprintf(gvk, sizeof gvk, "%s/%s/%s", group, str(v, "name"), kind);
		int rc = sk_types_define_openapi(C.p, c->name, tn, gvk, schema, err);
		if (rc != SK_OK) {
			sk_types_forget(C.p, c->name);
			return rc;
		}
	}
	return SK_OK;
}

/* what the types and the registrations are made of: a change in either
 * redoes only that part */
static sk_obj *type_print(const sk_obj *crd, const sk_obj *names)
{
	sk_obj *p = sk_obj_new_object(), *vs = sk_obj_get(crd, "spec.versions");
	sk_obj_set_str(p, "group", str(crd, "spec.group"), NULL);
	sk_obj_set_str(p, "kind", str(names, "kind"), NULL);
	sk_obj *out = sk_obj_new_array();
	for (size_t i = 0; i < sk_obj_len(vs); i++) {
		sk_obj *e = sk_obj_new_object();
		const sk_obj *v = sk_obj_at(vs, i);
		sk_obj_set_str(e, "name", str(v, "name"), NULL);
		sk_obj_set_bool(e, "published", sk_obj_get_bool(v, "served", 0) || sk_obj_get_bool(v, "storage", 0), NULL);
		sk_obj *s = sk_obj_get(v, "schema.openAPIV3Schema");
		if (s)
			sk_obj_set(e, "schema", s, NULL);
		sk_obj_append(out, e);
		sk_obj_unref(e);
	}
	sk_obj_set(p, "versions", out, NULL);
	sk_obj_unref(out);
	return p;
}

static sk_obj *reg_print(const sk_obj *crd, const sk_obj *names)
{
	sk_obj *p = sk_obj_new_object(), *vs = sk_obj_copy(sk_obj_get(crd, "spec.versions"));
	sk_obj_set(p, "names", (sk_obj *)names, NULL);
	sk_obj_set_str(p, "scope", str(crd, "spec.scope"), NULL);
	for (size_t i = 0; i < sk_obj_len(vs); i++) {
		sk_obj *v = sk_obj_at(vs, i);
		int has = is_type(sk_obj_get(v, "schema.openAPIV3Schema"), SK_OBJ_OBJECT);
		sk_obj_del(v, "schema");
		sk_obj_set_bool(v, "hasSchema", has, NULL);
	}
	if (vs)
		sk_obj_set(p, "versions", vs, NULL);
	sk_obj_unref(vs);
	return p;
}

/* Serves crd under names: its types, then its registrations, each redone
 * only when what it is made of changed. */
static int install(struct crd *c, const sk_obj *crd, const sk_obj *names, sk_err *err)
{
	sk_obj *tp = type_print(crd, names);
	if (!c->type_print || !sk_obj_equal(tp, c->type_print)) {
		sk_obj_unref(c->type_print);
		c->type_print = NULL;
		int rc = define_types(c, crd, names, err);
		if (rc != SK_OK) {
			/* nothing is served without its schema */
			retire(c);
			sk_obj_unref(tp);
			return rc;
		}
		c->type_print = tp;
	} else {
		sk_obj_unref(tp);
	}
	sk_obj *rp = reg_print(crd, names);
	if (c->reg_print && sk_obj_equal(rp, c->reg_print) && c->regs) {
		sk_obj_unref(rp);
		return SK_OK;
	}
	retire(c);
	int rc = register_all(c, crd, names, err);
	if (rc != SK_OK) {
		retire(c);
		sk_obj_unref(rp);
		return rc;
	}
	c->reg_print = rp;
	return SK_OK;
}

/* stops serving c: its registrations and its types */
static void teardown(struct crd *c)
{
	retire(c);
	sk_types_forget(C.p, c->name);
	sk_obj_unref(c->type_print);
	c->type_print = NULL;
}

/* ---- names (the naming controller) ---------------------------------------- */

struct used {
	const char *group, *self;
	sk_obj *resources, *kinds;
};

static void add_name(sk_obj *set, const char *s)
{
	if (s && *s) {
		sk_obj *v = sk_obj_new_str(s);
		sk_obj_append(set, v);
		sk_obj_unref(v);
	}
}

static int collect_used(void *ud, const sk_obj *o)
{
	struct used *u = ud;
	if (!strcmp(str(o, "metadata.name"), u->self) || strcmp(str(o, "spec.group"), u->group))
		return 0;
	const sk_obj *an = sk_obj_get(o, "status.acceptedNames");
	add_name(u->resources, sk_obj_get_str(an, "plural"));
	add_name(u->resources, sk_obj_get_str(an, "singular"));
	sk_obj *shorts = sk_obj_get(an, "shortNames");
	for (size_t i = 0; is_type(shorts, SK_OBJ_ARRAY) && i < sk_obj_len(shorts); i++)
		add_name(u->resources, sk_obj_str(sk_obj_at(shorts, i)));
	add_name(u->kinds, sk_obj_get_str(an, "kind"));
	add_name(u->kinds, sk_obj_get_str(an, "listKind"));
	return 0;
}

struct verdict {
	const char *status, *reason;
	char message[600];
};

/* equalToAcceptedOrFresh: 0 when requested may be taken */
static int taken(const char *requested, const char *accepted, const sk_obj *used)
{
	return strcmp(requested, accepted) && has_string(used, requested);
}

static void conflict(struct verdict *v, const char *reason, const char *name)
{
	v->status = "False";
	v->reason = reason;
	snprintf(v->message, sizeof v->message, "\"%s\" is already in use", name);
}

/* The names crd may serve under, as Kubernetes' naming controller: each
 * requested name that another CRD of the group holds keeps its accepted
 * value, and NamesAccepted says which conflicted. */
static sk_obj *accept_names(const sk_obj *crd, struct verdict *v)
{
	struct used u = {str(crd, "spec.group"), str(crd, "metadata.name"), sk_obj_new_array(), sk_obj_new_array()};
	sk_informer_foreach(C.inf, NULL, collect_used, &u);
	const sk_obj *req = sk_obj_get(crd, "spec.names"), *acc = sk_obj_get(crd, "status.acceptedNames");
	sk_obj *out = acc ? sk_obj_copy(acc) : sk_obj_new_object();
	*v = (struct verdict){"True", "NoConflicts", "no conflicts found"};
	static const struct {
		const char *field, *reason;
		int kinds;
	} singles[] = {
		{"plural", "PluralConflict", 0},
		{"singular", "SingularConflict", 0},
	};
	for (size_t i = 0; i < 2; i++) {
		const char *r = str(req, singles[i].field);
		if (taken(r, str(acc, singles[i].field), u.resources))
			conflict(v, singles[i].reason, r);
		else
			sk_obj_set_str(out, singles[i].field, r, NULL);
	}
	sk_obj *rs = sk_obj_get(req, "shortNames"), *as = sk_obj_get(acc, "shortNames");
	if (!(rs ? as && sk_obj_equal(rs, as) : !as)) {
		char msg[600] = "";
		size_t bad = 0;
		for (size_t i = 0; is_type(rs, SK_OBJ_ARRAY) && i < sk_obj_len(rs); i++) {
			const char *s = sk_obj_str(sk_obj_at(rs, i));
			if (!s || has_string(as, s) || !has_string(u.resources, s))
				continue;
			size_t n = strlen(msg);
			snprintf(msg + n, sizeof msg - n, "%s\"%s\" is already in use", bad++ ? ", " : "", s);
		}
		if (bad) {
			v->status = "False";
			v->reason = "ShortNamesConflict";
			snprintf(v->message, sizeof v->message, bad > 1 ? "[%s]" : "%s", msg);
		} else if (rs) {
			sk_obj_set(out, "shortNames", rs, NULL);
		} else {
			sk_obj_del(out, "shortNames");
		}
	}
	static const struct {
		const char *field, *reason;
	} kinds[] = {{"kind", "KindConflict"}, {"listKind", "ListKindConflict"}};
	for (size_t i = 0; i < 2; i++) {
		const char *r = str(req, kinds[i].field);
		if (taken(r, str(acc, kinds[i].field), u.kinds))
			conflict(v, kinds[i].reason, r);
		else
			sk_obj_set_str(out, kinds[i].field, r, NULL);
	}
	sk_obj *cats = sk_obj_get(req, "categories");
	if (cats)
		sk_obj_set(out, "categories", cats, NULL);
	else
		sk_obj_del(out, "categories");
	sk_obj_unref(u.resources);
	sk_obj_unref(u.kinds);
	return out;
}

/* ---- status ----------------------------------------------------------------- */

static sk_obj *find_condition(const sk_obj *st, const char *type)
{
	sk_obj *conds = sk_obj_get(st, "conditions");
	for (size_t i = 0; is_type(conds, SK_OBJ_ARRAY) && i < sk_obj_len(conds); i++)
		if (!strcmp(str(sk_obj_at(conds, i), "type"), type))
			return sk_obj_at(conds, i);
	return NULL;
}

static int condition_true(const sk_obj *crd, const char *type)
{
	const sk_obj *c = find_condition(sk_obj_get(crd, "status"), type);
	return c && !strcmp(str(c, "status"), "True");
}

static void written(void *ud, const sk_err *err, const sk_obj *stored)
{
	(void)stored;
	char *name = ud;
	if (err && C.q) {
		if (err->code != SK_ECONFLICT && err->code != SK_ENOTFOUND)
			sk_log(C.p, SK_LOG_WARN, "customresourcedefinition %s: %s", name, err->msg);
		if (err->code != SK_ENOTFOUND)
			sk_queue_add_rate_limited(C.q, name);
	}
	free(name);
}

/* writes next (the CRD with a new status or finalizers) over what is stored,
 * compare-and-swap on its resourceVersion */
static void write_crd(const char *name, sk_obj *next)
{
	char *key = strdup(name);
	if (key)
		sk_api_update(C.p, GROUP, CRDS, NULL, next, written, key);
}

/* ---- custom resources of a deleted CRD (the finalizer controller) -------- */

struct batch {
	char *name;
	unsigned epoch;
	size_t left;
	int failed;
};

static struct crd *find_crd(const char *name)
{
	for (struct crd *c = C.crds; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void instance_deleted(void *ud, const sk_err *err, const sk_obj *stored)
{
	(void)stored;
	struct batch *b = ud;
	if (err && err->code != SK_ENOTFOUND) {
		b->failed = 1;
		sk_log(C.p, SK_LOG_WARN, "customresourcedefinition %s: deleting a custom resource: %s", b->name, err->msg);
	}
	if (--b->left)
		return;
	struct crd *c = C.q ? find_crd(b->name) : NULL;
	if (c && c->epoch == b->epoch) {
		c->deleting = 0;
		if (b->failed)
			sk_queue_add_rate_limited(C.q, b->name);
		else
			sk_queue_add(C.q, b->name);
	}
	free(b->name);
	free(b);
}

/* Starts deleting a batch of the CRD's custom resources; 0 when none is left. */
static int delete_instances(struct crd *c)
{
	const struct reg *g = c->regs;
	sk_list_opts lo = {sizeof lo, NULL, NULL, DELETE_BATCH, NULL, 0};
	sk_obj *list = NULL;
	sk_err err = {0};
	if (sk_api_list(g->ops.group, g->ops.plural, NULL, &lo, &list, &err) != SK_OK) {
		sk_log(C.p, SK_LOG_WARN, "customresourcedefinition %s: listing custom resources: %s", c->name, err.msg);
		return -1;
	}
	sk_obj *items = sk_obj_get(list, "items");
	size_t n = sk_obj_len(items);
	struct batch *b = n ? calloc(1, sizeof *b) : NULL;
	if (n && (!b || !(b->name = strdup(c->name)))) {
		free(b);
		sk_obj_unref(list);
		return -1;
	}
	if (b) {
		b->epoch = c->epoch;
		b->left = n;
		c->deleting = n;
		sk_log(C.p, SK_LOG_INFO, "customresourcedefinition %s: deleting %zu custom resources", c->name, n);
	}
	for (size_t i = 0; i < n; i++) {
		const sk_obj *it = sk_obj_at(items, i);
		sk_api_delete(C.p, g->ops.group, g->ops.plural, sk_obj_get_str(it, "metadata.namespace"),
		              str(it, "metadata.name"), 0, instance_deleted, b);
	}
	sk_obj_unref(list);
	return n ? 1 : 0;
}

/* the CRD without our finalizer: deleted once no other finalizer holds it */
static void release(const sk_obj *crd, int served)
{
	sk_obj *next = sk_obj_copy(crd), *fins = sk_obj_new_array(), *have = sk_obj_get(crd, "metadata.finalizers");
	for (size_t i = 0; i < sk_obj_len(have); i++) {
		const char *f = sk_obj_str(sk_obj_at(have, i));
		if (f && strcmp(f, CRD_FINALIZER))
			sk_obj_append(fins, sk_obj_at(have, i));
	}
	const char *name = str(crd, "metadata.name");
	if (sk_obj_len(fins)) {
		sk_obj_set(next, "metadata.finalizers", fins, NULL);
		sk_obj *st = sk_obj_get(next, "status");
		if (st)
			sk_condition_set(st, "Terminating", "False", served ? "InstanceDeletionCompleted" : "NeverEstablished",
			              served ? "removed all instances" : "resource was never established");
		write_crd(name, next);
	} else {
		char *key = strdup(name);
		int64_t rv = strtoll(str(crd, "metadata.resourceVersion"), NULL, 10);
		if (key)
			sk_api_delete(C.p, GROUP, CRDS, NULL, name, rv, written, key);
	}
	sk_obj_unref(fins);
	sk_obj_unref(next);
}

static int finalize(struct crd *c, const sk_obj *crd)
{
	if (!has_string(sk_obj_get(crd, "metadata.finalizers"), CRD_FINALIZER)) {
		teardown(c); /* done: another finalizer holds it */
		return SK_QUEUE_DONE;
	}
	if (c->deleting)
		return SK_QUEUE_DONE; /* the last delete re-queues it */
	if (!condition_true(crd, "Terminating")) {
		sk_obj *next = sk_obj_copy(crd);
		if (!is_type(sk_obj_get(next, "status"), SK_OBJ_OBJECT)) {
			sk_obj *st = sk_obj_new_object();
			sk_obj_set(next, "status", st, NULL);
			sk_obj_unref(st);
		}
		sk_condition_set(sk_obj_get(next, "status"), "Terminating", "True", "InstanceDeletionInProgress",
		              "CustomResource deletion is in progress");
		write_crd(c->name, next);
		sk_obj_unref(next);
		return SK_QUEUE_DONE; /* the update brings it back */
	}
	/* served before a restart: serve again to find what is left */
	if (!c->regs && condition_true(crd, "Established")) {
		struct verdict v;
		sk_err err = {0};
		sk_obj *names = accept_names(crd, &v);
		if (install(c, crd, names, &err) != SK_OK)
			sk_log(C.p, SK_LOG_WARN, "customresourcedefinition %s: %s", c->name, err.msg);
		sk_obj_unref(names);
	}
	int served = c->regs != NULL;
	if (served) {
		int more = delete_instances(c);
		if (more > 0)
			return SK_QUEUE_DONE;
		if (more < 0)
			return SK_QUEUE_RETRY;
	}
	teardown(c);
	release(crd, served);
	return SK_QUEUE_DONE;
}

/* ---- reconciling ------------------------------------------------------------ */

/* what a CRD needs before it can be served at all; validation makes sure
 * of it for CRDs written through the API */
static int servable(const sk_obj *crd)
{
	const char *scope = str(crd, "spec.scope");
	sk_obj *vs = sk_obj_get(crd, "spec.versions");
	size_t storage = 0;
	for (size_t i = 0; is_type(vs, SK_OBJ_ARRAY) && i < sk_obj_len(vs); i++)
		storage += sk_obj_get_bool(sk_obj_at(vs, i), "storage", 0) ? 1 : 0;
	return *str(crd, "spec.group") && (!strcmp(scope, "Namespaced") || !strcmp(scope, "Cluster")) && storage == 1;
}

static int sync_crd(struct crd *c, const sk_obj *crd)
{
	struct verdict v;
	sk_err err = {0};
	if (!servable(crd)) {
		sk_log(C.p, SK_LOG_WARN, "customresourcedefinition %s: not served: group, scope or storage version missing",
		       c->name);
		teardown(c);
		return SK_QUEUE_DONE;
	}
	sk_obj *names = accept_names(crd, &v);
	const char *est = "False", *est_reason = "NotAccepted", *est_msg = "not all names are accepted";
	char msg[sizeof err.msg + 64];
	if (*str(names, "plural") && *str(names, "kind") && *str(names, "singular") && *str(names, "listKind")) {
		if (install(c, crd, names, &err) == SK_OK) {
			est = "True";
			est_reason = "InitialNamesAccepted";
			est_msg = "the initial names have been accepted";
		} else {
			/* a kind another plugin serves in this group, or a type name taken */
			snprintf(msg, sizeof msg, "%s", err.msg);
			est_reason = "Installing";
			est_msg = msg;
			if (err.code == SK_EEXIST) {
				v.status = "False";
				v.reason = "KindConflict";
				snprintf(v.message, sizeof v.message, "%s", err.msg);
			}
			sk_log(C.p, SK_LOG_WARN, "customresourcedefinition %s: not served: %s", c->name, err.msg);
		}
	} else {
		teardown(c);
	}
	sk_obj *st = is_type(sk_obj_get(crd, "status"), SK_OBJ_OBJECT) ? sk_obj_copy(sk_obj_get(crd, "status"))
	                                                                : sk_obj_new_object();
	sk_condition_set(st, "NamesAccepted", v.status, v.reason, v.message);
	sk_condition_set(st, "Established", est, est_reason, est_msg);
	sk_obj_set(st, "acceptedNames", names, NULL);
	sk_obj_unref(names);
	const char *storage = NULL;
	sk_obj *vs = sk_obj_get(crd, "spec.versions");
	for (size_t i = 0; i < sk_obj_len(vs) && !storage; i++)
		if (sk_obj_get_bool(sk_obj_at(vs, i), "storage", 0))
			storage = sk_obj_get_str(sk_obj_at(vs, i), "name");
	if (storage && !has_string(sk_obj_get(st, "storedVersions"), storage)) {
		if (!is_type(sk_obj_get(st, "storedVersions"), SK_OBJ_ARRAY)) {
			sk_obj *a = sk_obj_new_array();
			sk_obj_set(st, "storedVersions", a, NULL);
			sk_obj_unref(a);
		}
		add_name(sk_obj_get(st, "storedVersions"), storage);
	}
	int fin = has_string(sk_obj_get(crd, "metadata.finalizers"), CRD_FINALIZER);
	const sk_obj *cur = sk_obj_get(crd, "status");
	if (!fin || !cur || !sk_obj_equal(st, cur)) {
		sk_obj *next = sk_obj_copy(crd);
		sk_obj_set(next, "status", st, NULL);
		if (!fin) {
			sk_obj *fins = sk_obj_get(next, "metadata.finalizers");
			if (!is_type(fins, SK_OBJ_ARRAY)) {
				sk_obj *a = sk_obj_new_array();
				sk_obj_set(next, "metadata.finalizers", a, NULL);
				sk_obj_unref(a);
			}
			add_name(sk_obj_get(next, "metadata.finalizers"), CRD_FINALIZER);
		}
		write_crd(c->name, next);
		sk_obj_unref(next);
	}
	sk_obj_unref(st);
	return SK_QUEUE_DONE;
}

static void crd_free(struct crd *c)
{
	sk_obj_unref(c->reg_print);
	sk_obj_unref(c->type_print);
	free(c->name);
	free(c);
}

static int process(void *ud, const char *key)
{
	(void)ud;
	const sk_obj *crd = sk_informer_get(C.inf, NULL, key);
	struct crd *c = find_crd(key);
	if (!crd) {
		/* gone from the store: stop serving it */
		if (c) {
			teardown(c);
			struct crd **pp = &C.crds;
			while (*pp != c)
				pp = &(*pp)->next;
			*pp = c->next;
			crd_free(c);
		}
		return SK_QUEUE_DONE;
	}
	if (!c) {
		if (!(c = calloc(1, sizeof *c)) || !(c->name = strdup(key))) {
			free(c);
			return SK_QUEUE_RETRY;
		}
		c->epoch = ++C.epochs;
		c->next = C.crds;
		C.crds = c;
	}
	if (sk_obj_get_str(crd, "metadata.deletionTimestamp"))
		return finalize(c, crd);
	return sync_crd(c, crd);
}

/* ---- the controller ---------------------------------------------------------- */

static void enqueue(const sk_obj *obj)
{
	char key[KEY_MAX + 8];
	if (C.q)
		sk_queue_add(C.q, sk_object_key(obj, key, sizeof key));
}

static void on_add(void *ud, const sk_obj *obj)
{
	(void)ud;
	enqueue(obj);
}

static int enqueue_in_group(void *ud, const sk_obj *obj);

static void on_update(void *ud, const sk_obj *old, const sk_obj *obj)
{
	(void)ud;
	enqueue(obj);
	/* names given up may now be accepted for another CRD of its group */
	const sk_obj *was = sk_obj_get(old, "status.acceptedNames"), *now = sk_obj_get(obj, "status.acceptedNames");
	if (was && !(now && sk_obj_equal(was, now)))
		sk_informer_foreach(C.inf, NULL, enqueue_in_group, (void *)str(old, "spec.group"));
}

static int enqueue_in_group(void *ud, const sk_obj *obj)
{
	if (!strcmp(str(obj, "spec.group"), ud))
		enqueue(obj);
	return 0;
}

static void on_delete(void *ud, const sk_obj *obj)
{
	(void)ud;
	enqueue(obj);
	/* names it held may now be accepted for another CRD of its group */
	sk_informer_foreach(C.inf, NULL, enqueue_in_group, (void *)str(obj, "spec.group"));
}

static const sk_informer_handlers handlers = {sizeof handlers, on_add, on_update, on_delete};

static int sync_now(void *ud, const sk_obj *obj)
{
	(void)ud;
	char key[KEY_MAX + 8];
	process(NULL, sk_object_key(obj, key, sizeof key));
	return 0;
}

static void stop(void *ud)
{
	(void)ud;
	sk_informer_free(C.inf);
	sk_queue_free(C.q);
	C.inf = NULL;
	C.q = NULL;
	while (C.crds) {
		struct crd *c = C.crds;
		C.crds = c->next;
		teardown(c);
		crd_free(c);
	}
	while (C.retired) {
		struct reg *g = C.retired;
		C.retired = g->next;
		reg_free(g);
	}
}

static int start(void *ud, sk_err *err)
{
	(void)ud;
	sk_queue_spec qs = {sizeof qs, "customresourcedefinitions", process, NULL, 0, 0, 0, 0};
	if (!(C.q = sk_queue_new(C.p, &qs, err)))
		return err ? err->code : SK_ENOMEM;
	sk_informer_spec is = {sizeof is, GROUP, CRDS, NULL, NULL, NULL, &handlers, NULL};
	if (!(C.inf = sk_informer_new(C.p, &is, err))) {
		sk_queue_free(C.q);
		C.q = NULL;
		return err ? err->code : SK_ENOMEM;
	}
	/* the CRDs stored so far are served before the API server opens */
	sk_informer_foreach(C.inf, NULL, sync_now, NULL);
	return SK_OK;
}

static const sk_controller_ops controller = {sizeof controller, "customresourcedefinitions", start, stop};

int crd_controller_register(sk_plugin *p, sk_err *err)
{
	C.p = p;
	return sk_register(p, SK_EXT_CONTROLLER, &controller, NULL, err);
}
