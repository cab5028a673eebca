/* test_apply.c — field sets, managedFields and server-side apply against
 * Kubernetes' behaviour (structured-merge-diff and kube-apiserver's field
 * manager): FieldsV1 encoding, bookkeeping across updates, apply, prune,
 * conflicts, force, and the client-side to server-side apply migration. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "err.h"
#include "fieldset.h"
#include "gojson.h"

/* The two schema lookups apply.c uses, for the hand-built schemas below
 * (no references). core/schema.c's own read its private node data, which
 * hand-built nodes lack: these weak ones serve this program, whose objects
 * never pull schema.o in. */
__attribute__((weak)) const struct schema_node *schema_deref(const struct schema_node *n)
{
	return n && n->kind == SCH_REF ? NULL : n;
}

__attribute__((weak)) const struct schema_field *schema_field(const struct schema_node *obj, const char *name)
{
	obj = schema_deref(obj);
	if (!obj || obj->kind != SCH_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n_fields; i++)
		if (!strcmp(obj->fields[i].name, name))
			return &obj->fields[i];
	return NULL;
}

/* ---- hand-built schemas ---- */

static struct schema_node *nodes[256];
static size_t n_nodes;

static struct schema_node *mk(enum schema_kind k)
{
	struct schema_node *n = calloc(1, sizeof *n);
	assert_non_null(n);
	assert_true(n_nodes < 256);
	n->kind = k;
	n->maxlen = -1;
	nodes[n_nodes++] = n;
	return n;
}

static struct schema_node *S(void) { return mk(SCH_STRING); }
static struct schema_node *I(void) { return mk(SCH_INT64); }

/* OBJ("name", type, "name", type, ..., NULL); a name starting with '!' is required */
static struct schema_node *OBJ(const char *name, ...)
{
	struct schema_node *n = mk(SCH_OBJECT);
	n->fields = calloc(32, sizeof *n->fields);
	va_list ap;
	va_start(ap, name);
	for (; name; name = va_arg(ap, const char *)) {
		struct schema_field *f = &n->fields[n->n_fields++];
		f->flags = *name == '!' ? SCH_REQUIRED : 0;
		f->name = name + (*name == '!');
		f->type = va_arg(ap, struct schema_node *);
	}
	va_end(ap);
	return n;
}

static struct schema_node *MAP(struct schema_node *items)
{
	struct schema_node *n = mk(SCH_MAP);
	n->items = items;
	return n;
}

static struct schema_node *ARR(struct schema_node *items, const char *list_type, const char **keys)
{
	struct schema_node *n = mk(SCH_ARRAY);
	n->items = items;
	n->list_type = list_type;
	n->list_map_keys = keys;
	return n;
}

/* a Go value struct: Kubernetes' OpenAPI gives it `default: {}` */
static struct schema_node *value(struct schema_node *n)
{
	json_decref(n->default_value);
	n->default_value = json_object();
	return n;
}

/* the same type at another field, as the notation makes one node per use */
static struct schema_node *clone(const struct schema_node *n)
{
	struct schema_node *c = mk(n->kind);
	*c = *n;
	c->fields = calloc(32, sizeof *c->fields);
	memcpy(c->fields, n->fields, n->n_fields * sizeof *n->fields);
	json_incref(c->default_value);
	return c;
}

static struct schema_node *atomic(struct schema_node *n)
{
	n->map_type = "atomic";
	return n;
}

static const char *by_uid[] = {"uid", NULL}, *by_name[] = {"name", NULL}, *by_type[] = {"type", NULL};
static const char *by_port[] = {"containerPort", "protocol", NULL};
static struct schema_node *deploy, *widget;

static int setup(void **state)
{
	(void)state;
	struct schema_node *owner = OBJ("apiVersion", S(), "kind", S(), "name", S(), "uid", S(), NULL);
	struct schema_node *any = mk(SCH_ANY);
	struct schema_node *meta = OBJ("name", S(), "namespace", S(), "uid", S(), "resourceVersion", S(),
	                               "generation", I(), "creationTimestamp", S(), "labels", MAP(S()),
	                               "annotations", MAP(S()), "finalizers", ARR(S(), NULL, NULL),
	                               "ownerReferences", ARR(owner, "map", by_uid),
	                               "managedFields", ARR(any, "atomic", NULL), NULL);
	/* finalizers: a set by patch strategy alone, as ObjectMeta has it */
	meta->fields[8].type->patch_strategy = "merge";
	struct schema_node *proto = S();
	proto->default_value = json_string("TCP");
	struct schema_node *port = OBJ("name", S(), "!containerPort", I(), "protocol", proto, NULL);
	struct schema_node *env = ARR(OBJ("!name", S(), "value", S(), NULL), NULL, NULL);
	env->patch_strategy = "merge"; /* a list map by merge key alone */
	env->patch_merge_key = "name";
	struct schema_node *container =
	    OBJ("!name", S(), "image", S(), "args", ARR(S(), NULL, NULL), "ports", ARR(port, "map", by_port),
	        "env", env, "resources", value(OBJ("limits", MAP(S()), "requests", MAP(S()), NULL)), NULL);
	struct schema_node *podspec = OBJ("!containers", ARR(container, "map", by_name), "nodeSelector",
	                                  atomic(MAP(S())), "restartPolicy", S(), NULL);
	struct schema_node *rolling = OBJ("maxSurge", mk(SCH_INT_OR_STRING), "maxUnavailable",
	                                  mk(SCH_INT_OR_STRING), NULL);
	struct schema_node *tmeta = clone(meta), *tspec = clone(podspec);
	struct schema_node *spec = OBJ("replicas", I(), "selector", atomic(OBJ("matchLabels", MAP(S()), NULL)),
	                               "!template", value(OBJ("metadata", value(tmeta), "spec", value(tspec), NULL)),
	                               "strategy", value(OBJ("type", S(), "rollingUpdate", rolling, NULL)), "paused",
	                               mk(SCH_BOOL), NULL);
	struct schema_node *status = OBJ("replicas", I(), "conditions",
	                                 ARR(OBJ("type", S(), "status", S(), NULL), "map", by_type), NULL);
	struct schema_node *dmeta = clone(meta);
	deploy = OBJ("apiVersion", S(), "kind", S(), "metadata", value(dmeta), "spec", value(spec), "status",
	             value(status), NULL);
	deploy->name = "io.k8s.api.apps.v1.Deployment";
	deploy->line = 1;
	struct schema_node *wspec = OBJ("size", I(), NULL);
	wspec->preserve_unknown = 1;
	widget = OBJ("apiVersion", S(), "kind", S(), "metadata", meta, "spec", wspec, NULL);
	widget->name = "com.example.v1.Widget"; /* from a CRD: line 0 */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_nodes; i++) {
		free(nodes[i]->fields);
		json_decref(nodes[i]->default_value);
		free(nodes[i]);
	}
	n_nodes = 0;
	return 0;
}

/* ---- helpers ---- */

/* JSON written with ' for " and ` for \" */
static char *q(const char *s)
{
	char *o = malloc(strlen(s) * 2 + 1), *p = o;
	for (; *s; s++) {
		if (*s == '\'')
			*p++ = '"';
		else if (*s == '`')
			*p++ = '\\', *p++ = '"';
		else
			*p++ = *s;
	}
	*p = 0;
	return o;
}

static json_t *J(const char *text)
{
	char *t = q(text);
	json_error_t e;
	json_t *j = json_loads(t, 0, &e);
	if (!j)
		fail_msg("bad test JSON %s: %s", t, e.text);
	free(t);
	return j;
}

/* exact bytes: FieldsV1 order matters */
static void expect_text(const json_t *got, const char *want)
{
	char *w = q(want), *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(null)");
	if (strcmp(g, w))
		fail_msg("got\n  %s\nwant\n  %s", g, w);
	free(w);
	free(g);
}

static void expect_json(const json_t *got, const char *want)
{
	json_t *w = J(want);
	if (!got || !json_equal((json_t *)got, w)) {
		char *g = got ? json_dumps(got, JSON_COMPACT) : strdup("(null)"), *ws = json_dumps(w, JSON_COMPACT);
		fail_msg("got\n  %s\nwant\n  %s", g, ws);
	}
	json_decref(w);
}

static json_t *get(const json_t *o, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *t = strtok(buf, "."); t && o; t = strtok(NULL, "."))
		o = json_is_array(o) ? json_array_get(o, (size_t)atoi(t)) : json_object_get(o, t);
	return (json_t *)o;
}

static const json_t *entry(const json_t *obj, const char *manager, const char *op)
{
	const json_t *mf = get(obj, "metadata.managedFields");
	for (size_t i = 0; i < json_array_size(mf); i++) {
		const json_t *e = json_array_get(mf, i);
		if (!strcmp(json_string_value(json_object_get(e, "manager")), manager) &&
		    !strcmp(json_string_value(json_object_get(e, "operation")), op))
			return e;
	}
	return NULL;
}

static void expect_fields(const json_t *obj, const char *manager, const char *op, const char *want)
{
	const json_t *e = entry(obj, manager, op);
	if (!e)
		fail_msg("no %s entry of %s", op, manager);
	expect_text(json_object_get(e, "fieldsV1"), want);
}

static struct apply_ctx ctx(const char *manager, const char *now)
{
	struct apply_ctx c = {.type = deploy, .api_version = "apps/v1", .kind = "Deployment",
	                      .manager = manager, .now = now};
	return c;
}

static const char *DEPLOY =
    "{'apiVersion':'apps/v1','kind':'Deployment',"
    "'metadata':{'name':'web','namespace':'default','uid':'u1','resourceVersion':'7',"
    "'labels':{'app':'web'},'finalizers':['example.com/a','b']},"
    "'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'}},"
    "'template':{'metadata':{'labels':{'app':'web'}},"
    "'spec':{'containers':[{'name':'nginx','image':'nginx:1.25','args':['-g','daemon off;'],"
    "'ports':[{'containerPort':80},{'containerPort':53,'protocol':'UDP'}],"
    "'env':[{'name':'A','value':'1'}],'resources':{}}],'nodeSelector':{'disk':'ssd'}}}}}";

/* ---- field sets ---- */

static void test_fieldset_encoding(void **state)
{
	(void)state;
	json_t *obj = J(DEPLOY);
	json_t *f = fieldset_of(deploy, obj);
	expect_text(f,
	            "{'f:apiVersion':{},'f:kind':{},'f:metadata':{'f:finalizers':{'v:`b`':{},'v:`example.com/a`':{}},"
	            "'f:labels':{'f:app':{}},'f:name':{},'f:namespace':{},'f:resourceVersion':{},'f:uid':{}},"
	            "'f:spec':{'f:replicas':{},'f:selector':{},'f:template':{'f:metadata':{'f:labels':{'f:app':{}}},"
	            "'f:spec':{'f:containers':{'k:{`name`:`nginx`}':{'.':{},'f:args':{},"
	            "'f:env':{'k:{`name`:`A`}':{'.':{},'f:name':{},'f:value':{}}},'f:image':{},'f:name':{},"
	            "'f:ports':{'k:{`containerPort`:53,`protocol`:`UDP`}':{'.':{},'f:containerPort':{},'f:protocol':{}},"
	            "'k:{`containerPort`:80,`protocol`:`TCP`}':{'.':{},'f:containerPort':{}}}}},"
	            "'f:nodeSelector':{}}}}}");
	json_decref(f);
	json_decref(obj);

	/* untyped fields of a custom resource, and an atomic list of objects */
	obj = J("{'apiVersion':'example.com/v1','kind':'Widget','metadata':{'name':'w'},"
	        "'spec':{'size':1,'color':{'r':1},'tags':[{'a':1}],'nil':null}}");
	f = fieldset_of(widget, obj);
	expect_text(f, "{'f:apiVersion':{},'f:kind':{},'f:metadata':{'f:name':{}},"
	               "'f:spec':{'f:color':{'.':{},'f:r':{}},'f:nil':{},'f:size':{},'f:tags':{}}}");
	json_decref(f);
	json_decref(obj);
}

static int collect(const char *path, void *ud)
{
	json_array_append_new(ud, json_string(path));
	return 0;
}

static void test_fieldset_codec(void **state)
{
	(void)state;
	sk_err err = {0};
	/* unknown kinds dropped, "." and {} both members, order normalised */
	json_t *in = J("{'f:b':{'.':{},'f:x':{}},'f:a':{},'r:zz':{},'k:{`port`:443,`protocol`:`tcp`}':{},"
	               "'v:1.0':{},'v:`s`':{},'i:2':{'f:c':{}},'v:true':{}}");
	struct fieldset *s = fieldset_from_json(in, &err);
	assert_non_null(s);
	json_t *out = fieldset_to_json(s);
	expect_text(out, "{'f:a':{},'f:b':{'.':{},'f:x':{}},'k:{`port`:443,`protocol`:`tcp`}':{},"
	                 "'v:1':{},'v:`s`':{},'v:true':{},'i:2':{'f:c':{}}}");
	struct fieldset *s2 = fieldset_from_json(out, &err);
	assert_true(fieldset_equal(s, s2));
	json_t *paths = json_array();
	assert_int_equal(fieldset_each(s, collect, paths), 0);
	expect_json(paths, "['.a','.b','[port=443,protocol=`tcp`]','[=1]','[=`s`]','[=true]','.b.x','[2].c']");
	json_decref(paths);
	fieldset_free(s2);
	json_decref(out);

	/* operations */
	json_t *bj = J("{'f:b':{'f:x':{},'f:y':{}},'f:a':{'f:deep':{}}}");
	struct fieldset *b = fieldset_from_json(bj, &err);
	struct fieldset *u = fieldset_union(s, b), *d = fieldset_difference(s, b), *x = fieldset_intersection(s, b);
	struct fieldset *rd = fieldset_recursive_difference(b, x), *rd2 = fieldset_recursive_difference(b, s);
	assert_true(fieldset_empty(rd2)); /* .a and .b are members of s: all below them goes */
	fieldset_free(rd2);
	json_t *ju = fieldset_to_json(u), *jd = fieldset_to_json(d), *jx = fieldset_to_json(x), *jr = fieldset_to_json(rd);
	expect_text(ju, "{'f:a':{'.':{},'f:deep':{}},'f:b':{'.':{},'f:x':{},'f:y':{}},"
	                "'k:{`port`:443,`protocol`:`tcp`}':{},'v:1':{},'v:`s`':{},'v:true':{},'i:2':{'f:c':{}}}");
	expect_text(jd, "{'f:a':{},'f:b':{},'k:{`port`:443,`protocol`:`tcp`}':{},'v:1':{},'v:`s`':{},"
	                "'v:true':{},'i:2':{'f:c':{}}}");
	expect_text(jx, "{'f:b':{'f:x':{}}}");
	expect_text(jr, "{'f:a':{'f:deep':{}},'f:b':{'f:y':{}}}");
	json_decref(ju);
	json_decref(jd);
	json_decref(jx);
	json_decref(jr);
	fieldset_free(u);
	fieldset_free(d);
	fieldset_free(x);
	fieldset_free(rd);
	fieldset_free(b);
	json_decref(bj);
	fieldset_free(s);
	json_decref(in);

	/* malformed */
	const char *bad[] = {"{'x':{}}", "{'f:a':[]}", "{'k:[1]':{}}", "{'v:{':{}}", "{'i:x':{}}"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		json_t *j = J(bad[i]);
		err.code = 0;
		assert_null(fieldset_from_json(j, &err));
		assert_int_equal(err.code, SK_EINVALID);
		json_decref(j);
	}
}

static void test_gojson(void **state)
{
	(void)state;
	char buf[48];
	const struct {
		double d;
		const char *json, *v;
	} f[] = {{1e21, "1e+21", "1e+21"}, {1e-7, "1e-7", "1e-07"}, {0.5, "0.5", "0.5"}, {100, "100", "100"},
	         {123456789, "123456789", "1.23456789e+08"}, {1e-5, "0.00001", "1e-05"}, {-2.25, "-2.25", "-2.25"},
	         {1e20, "100000000000000000000", "1e+20"}, {0.1, "0.1", "0.1"}};
	for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
		gojson_float(f[i].d, 0, buf);
		assert_string_equal(buf, f[i].json);
		gojson_float(f[i].d, 1, buf);
		assert_string_equal(buf, f[i].v);
	}
	json_t *v = J("{'b':'<a&b>\\u2028\\n','a':[1,2.5,null,true]}");
	char *s = gojson_dumps(v, 1);
	assert_string_equal(s, "{\"a\":[1,2.5,null,true],\"b\":\"\\u003ca\\u0026b\\u003e\\u2028\\n\"}");
	free(s);
	s = gojson_value_string(json_object_get(v, "b"));
	assert_string_equal(s, "\"<a&b>\\u2028\\n\"");
	free(s);
	json_decref(v);
}

/* ---- managedFields on writes ---- */

static json_t *created(const char *manager, const char *now)
{
	struct apply_ctx c = ctx(manager, now);
	sk_err err = {0};
	json_t *obj = J(DEPLOY);
	assert_int_equal(managed_fields_update(&c, obj, NULL, &err), SK_OK);
	return obj;
}

static void test_update_create(void **state)
{
	(void)state;
	json_t *obj = created("kubectl-create", "2024-01-01T00:00:00Z");
	/* Kubernetes' entry: what the create set, less the fields never tracked;
	 * Go's zero Deployment has spec, template... but no labels */
	expect_text(get(obj, "metadata.managedFields"),
	            "[{'manager':'kubectl-create','operation':'Update','apiVersion':'apps/v1',"
	            "'time':'2024-01-01T00:00:00Z','fieldsType':'FieldsV1','fieldsV1':{"
	            "'f:metadata':{'f:finalizers':{'.':{},'v:`b`':{},'v:`example.com/a`':{}},'f:labels':{'.':{},'f:app':{}}},"
	            "'f:spec':{'f:replicas':{},'f:selector':{},'f:template':{'f:metadata':{'f:labels':{'.':{},'f:app':{}}},"
	            "'f:spec':{'f:containers':{'k:{`name`:`nginx`}':{'.':{},'f:args':{},"
	            "'f:env':{'.':{},'k:{`name`:`A`}':{'.':{},'f:name':{},'f:value':{}}},'f:image':{},'f:name':{},"
	            "'f:ports':{'.':{},'k:{`containerPort`:53,`protocol`:`UDP`}':{'.':{},'f:containerPort':{},'f:protocol':{}},"
	            "'k:{`containerPort`:80,`protocol`:`TCP`}':{'.':{},'f:containerPort':{}}},'f:resources':{}}},"
	            "'f:nodeSelector':{}}}}}}]");
	json_decref(obj);

	/* Go's zero Deployment has a strategy (value struct) but no
	 * rollingUpdate (pointer): only the latter is new as a whole; and Go
	 * writes a zero creationTimestamp null on both sides: no change */
	struct apply_ctx d = ctx("kubectl-create", "2024-01-01T00:00:00Z");
	sk_err err0 = {0};
	obj = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d'},"
	        "'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}},"
	        "'template':{'metadata':{'creationTimestamp':null}}}}");
	assert_int_equal(managed_fields_update(&d, obj, NULL, &err0), SK_OK);
	expect_fields(obj, "kubectl-create", "Update",
	              "{'f:spec':{'f:strategy':{'f:rollingUpdate':{'.':{},'f:maxSurge':{}},'f:type':{}}}}");
	json_decref(obj);

	/* a custom resource is unstructured: its spec is new, with its "." */
	struct apply_ctx c = {.type = widget, .manager = "kubectl-create", .now = "2024-01-01T00:00:00Z"};
	sk_err err = {0};
	obj = J("{'apiVersion':'example.com/v1','kind':'Widget','metadata':{'name':'w'},'spec':{'size':1,'color':'red'}}");
	assert_int_equal(managed_fields_update(&c, obj, NULL, &err), SK_OK);
	expect_fields(obj, "kubectl-create", "Update", "{'f:spec':{'.':{},'f:color':{},'f:size':{}}}");
	assert_string_equal(json_string_value(get(obj, "metadata.managedFields.0.apiVersion")), "example.com/v1");
	json_decref(obj);

	/* no manager: "unknown"; a create that sets nothing tracked: no entry */
	c.manager = NULL;
	obj = J("{'apiVersion':'example.com/v1','kind':'Widget','metadata':{'name':'w','managedFields':[]}}");
	assert_int_equal(managed_fields_update(&c, obj, NULL, &err), SK_OK);
	assert_null(get(obj, "metadata.managedFields"));
	json_object_set_new(obj, "spec", J("{'size':2}"));
	assert_int_equal(managed_fields_update(&c, obj, NULL, &err), SK_OK);
	assert_non_null(entry(obj, "unknown", "Update"));
	json_decref(obj);
}

static void test_update_two_managers(void **state)
{
	(void)state;
	sk_err err = {0};
	json_t *v1 = created("kubectl-create", "2024-01-01T00:00:00Z");
	/* kubectl edit: scale and label; it sends back the managedFields it read */
	json_t *v2 = json_deep_copy(v1);
	json_object_set_new(json_object_get(v2, "spec"), "replicas", json_integer(5));
	json_object_set_new(json_object_get(get(v2, "metadata"), "labels"), "tier", json_string("fe"));
	struct apply_ctx c = ctx("kubectl-edit", "2024-01-02T00:00:00Z");
	assert_int_equal(managed_fields_update(&c, v2, v1, &err), SK_OK);
	expect_fields(v2, "kubectl-edit", "Update", "{'f:metadata':{'f:labels':{'f:tier':{}}},'f:spec':{'f:replicas':{}}}");
	const json_t *create = entry(v2, "kubectl-create", "Update");
	assert_null(get(json_object_get(create, "fieldsV1"), "f:spec.f:replicas"));
	assert_non_null(get(json_object_get(create, "fieldsV1"), "f:spec.f:selector"));
	/* Kubernetes' order: operation, then time */
	assert_string_equal(json_string_value(get(v2, "metadata.managedFields.0.manager")), "kubectl-create");
	assert_string_equal(json_string_value(get(v2, "metadata.managedFields.1.manager")), "kubectl-edit");

	/* a write by kubectl-edit that changes nothing leaves its time alone;
	 * one that drops the managedFields it read keeps the stored ones */
	json_t *v3 = json_deep_copy(v2);
	json_object_del(get(v3, "metadata"), "managedFields");
	json_object_set_new(get(v3, "metadata"), "resourceVersion", json_string("8"));
	c.now = "2024-01-03T00:00:00Z";
	assert_int_equal(managed_fields_update(&c, v3, v2, &err), SK_OK);
	assert_true(json_equal(get(v3, "metadata.managedFields"), get(v2, "metadata.managedFields")));
	json_decref(v3);
	v3 = json_deep_copy(v2);
	json_object_set_new(get(v3, "metadata"), "resourceVersion", json_string("8"));
	assert_int_equal(managed_fields_update(&c, v3, v2, &err), SK_OK);
	assert_true(json_equal(get(v3, "metadata.managedFields"), get(v2, "metadata.managedFields")));

	/* removing a field takes it from its owner, and gives nothing */
	json_t *v4 = json_deep_copy(v3);
	json_object_del(get(v4, "metadata.labels"), "app");
	json_object_set_new(json_object_get(v4, "spec"), "paused", json_true());
	c.manager = "pauser";
	c.now = "2024-01-04T00:00:00Z";
	assert_int_equal(managed_fields_update(&c, v4, v3, &err), SK_OK);
	create = entry(v4, "kubectl-create", "Update");
	assert_null(get(json_object_get(create, "fieldsV1"), "f:metadata.f:labels.f:app"));
	assert_non_null(get(json_object_get(create, "fieldsV1"), "f:metadata.f:finalizers"));
	expect_fields(v4, "pauser", "Update", "{'f:spec':{'f:paused':{}}}");
	/* an entry left with nothing goes */
	json_t *v5 = json_deep_copy(v4);
	json_object_set_new(json_object_get(v5, "spec"), "paused", json_false());
	c.manager = "kubectl-edit";
	c.now = "2024-01-05T00:00:00Z";
	assert_int_equal(managed_fields_update(&c, v5, v4, &err), SK_OK);
	assert_null(entry(v5, "pauser", "Update"));
	expect_fields(v5, "kubectl-edit", "Update",
	              "{'f:metadata':{'f:labels':{'f:tier':{}}},'f:spec':{'f:paused':{},'f:replicas':{}}}");
	assert_string_equal(json_string_value(json_object_get(entry(v5, "kubectl-edit", "Update"), "time")),
	                    "2024-01-05T00:00:00Z");
	json_decref(v1);
	json_decref(v2);
	json_decref(v3);
	json_decref(v4);
	json_decref(v5);
}

static void test_update_status_and_reset(void **state)
{
	(void)state;
	sk_err err = {0};
	json_t *v1 = created("kubectl-create", "2024-01-01T00:00:00Z");
	json_t *v2 = json_deep_copy(v1);
	json_object_set_new(v2, "status", J("{'replicas':3,'conditions':[{'type':'Available','status':'True'}]}"));
	/* a status write cannot replace the entries, and spec is reset there */
	json_object_set_new(get(v2, "metadata"), "managedFields", json_array());
	json_object_set_new(json_object_get(v2, "spec"), "replicas", json_integer(9));
	struct apply_ctx c = ctx("deployment-controller", "2024-01-02T00:00:00Z");
	c.subresource = "status";
	json_t *reset = J("{'f:spec':{}}");
	c.reset = reset;
	assert_int_equal(managed_fields_update(&c, v2, v1, &err), SK_OK);
	const json_t *e = entry(v2, "deployment-controller", "Update");
	assert_non_null(e);
	expect_text(e, "{'manager':'deployment-controller','operation':'Update','apiVersion':'apps/v1',"
	               "'time':'2024-01-02T00:00:00Z','fieldsType':'FieldsV1','fieldsV1':{'f:status':{"
	               "'f:conditions':{'.':{},'k:{`type`:`Available`}':{'.':{},'f:status':{},'f:type':{}}},"
	               "'f:replicas':{}}},'subresource':'status'}");
	/* kubectl-create keeps replicas: spec changes are not the status writer's */
	assert_non_null(get(json_object_get(entry(v2, "kubectl-create", "Update"), "fieldsV1"), "f:spec.f:replicas"));
	json_decref(reset);

	/* a main-resource write with managedFields: [] resets them: untracked */
	json_t *v3 = json_deep_copy(v2);
	json_object_set_new(get(v3, "metadata"), "managedFields", json_array());
	json_object_set_new(json_object_get(v3, "spec"), "replicas", json_integer(1));
	c = ctx("kubectl-edit", "2024-01-03T00:00:00Z");
	assert_int_equal(managed_fields_update(&c, v3, v2, &err), SK_OK);
	assert_null(get(v3, "metadata.managedFields"));
	/* and stays untracked */
	json_t *v4 = json_deep_copy(v3);
	json_object_set_new(json_object_get(v4, "spec"), "replicas", json_integer(2));
	assert_int_equal(managed_fields_update(&c, v4, v3, &err), SK_OK);
	assert_null(get(v4, "metadata.managedFields"));
	/* entries a client writes replace the stored ones */
	json_t *v5 = json_deep_copy(v2);
	json_object_set_new(get(v5, "metadata"), "managedFields",
	                    J("[{'manager':'mine','operation':'Apply','apiVersion':'apps/v1','fieldsType':'FieldsV1',"
	                      "'fieldsV1':{'f:spec':{'f:replicas':{}}}}]"));
	assert_int_equal(managed_fields_update(&c, v5, v2, &err), SK_OK);
	expect_text(get(v5, "metadata.managedFields"),
	            "[{'manager':'mine','operation':'Apply','apiVersion':'apps/v1','fieldsType':'FieldsV1',"
	            "'fieldsV1':{'f:spec':{'f:replicas':{}}}}]");
	json_decref(v1);
	json_decref(v2);
	json_decref(v3);
	json_decref(v4);
	json_decref(v5);
}

static void test_update_cap(void **state)
{
	(void)state;
	sk_err err = {0};
	json_t *obj = created("m00", "2024-01-01T00:00:00Z");
	for (int i = 1; i <= 10; i++) {
		char name[8], now[32], label[8];
		snprintf(name, sizeof name, "m%02d", i);
		snprintf(now, sizeof now, "2024-01-%02dT00:00:00Z", i + 1);
		snprintf(label, sizeof label, "l%02d", i);
		json_t *next = json_deep_copy(obj);
		json_object_set_new(get(next, "metadata.labels"), label, json_string("x"));
		struct apply_ctx c = ctx(name, now);
		assert_int_equal(managed_fields_update(&c, next, obj, &err), SK_OK);
		json_decref(obj);
		obj = next;
	}
	/* eleven updaters: the two oldest fold into ancient-changes */
	assert_int_equal(json_array_size(get(obj, "metadata.managedFields")), 10);
	assert_null(entry(obj, "m00", "Update"));
	assert_null(entry(obj, "m01", "Update"));
	const json_t *a = entry(obj, "ancient-changes", "Update");
	assert_non_null(a);
	assert_string_equal(json_string_value(json_object_get(a, "time")), "2024-01-02T00:00:00Z");
	assert_non_null(get(json_object_get(a, "fieldsV1"), "f:metadata.f:labels.f:l01"));
	assert_non_null(get(json_object_get(a, "fieldsV1"), "f:spec.f:replicas"));
	json_decref(obj);
}

/* ---- apply ---- */

static const char *CONFIG =
    "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{'app':'web'}},"
    "'spec':{'replicas':2,'template':{'spec':{'containers':[{'name':'nginx','image':'nginx'}]}}}}";

static void test_apply_create(void **state)
{
	(void)state;
	sk_err err = {0};
	json_t *live = NULL, *conflicts = NULL, *cfg = J(CONFIG);
	struct apply_ctx c = ctx("kubectl", "2024-02-01T00:00:00Z");
	assert_int_equal(apply_patch(&c, &live, cfg, 0, &conflicts, &err), SK_OK);
	assert_null(conflicts);
	expect_json(live, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{'app':'web'},"
	                  "'managedFields':[{'manager':'kubectl','operation':'Apply','apiVersion':'apps/v1',"
	                  "'time':'2024-02-01T00:00:00Z','fieldsType':'FieldsV1','fieldsV1':{"
	                  "'f:metadata':{'f:labels':{'f:app':{}}},'f:spec':{'f:replicas':{},'f:template':{'f:spec':{"
	                  "'f:containers':{'k:{`name`:`nginx`}':{'.':{},'f:image':{},'f:name':{}}}}}}}}]},"
	                  "'spec':{'replicas':2,'template':{'spec':{'containers':[{'name':'nginx','image':'nginx'}]}}}}");
	/* the same apply again changes nothing but the time, which a store keeps */
	json_t *before = json_deep_copy(live);
	c.now = "2024-02-02T00:00:00Z";
	assert_int_equal(apply_patch(&c, &live, cfg, 0, &conflicts, &err), SK_OK);
	assert_false(json_equal(live, before));
	assert_int_equal(managed_fields_keep_times(live, before), 1);
	assert_true(json_equal(live, before));
	/* a real change keeps its new time */
	json_object_set_new(json_object_get(cfg, "spec"), "replicas", json_integer(4));
	assert_int_equal(apply_patch(&c, &live, cfg, 0, &conflicts, &err), SK_OK);
	assert_int_equal(managed_fields_keep_times(live, before), 0);
	assert_string_equal(json_string_value(get(live, "metadata.managedFields.0.time")), "2024-02-02T00:00:00Z");
	json_decref(before);
	json_decref(live);
	json_decref(cfg);
}

static void test_apply_prune(void **state)
{
	(void)state;
	sk_err err = {0};
	json_t *live = NULL, *conflicts = NULL;
	struct apply_ctx c = ctx("mgr", "2024-02-01T00:00:00Z");
	json_t *a1 = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{'app':'web','tier':'fe'}},"
	               "'spec':{'replicas':2,'paused':true,'template':{'spec':{'containers':["
	               "{'name':'nginx','image':'nginx:1'},{'name':'sidecar','image':'envoy'}]}}}}");
	assert_int_equal(apply_patch(&c, &live, a1, 0, &conflicts, &err), SK_OK);
	/* another manager updates paused to the same value: no change, no
	 * ownership; then sets restartPolicy, which it owns alone */
	json_t *next = json_deep_copy(live);
	json_object_set_new(get(next, "spec.template.spec"), "restartPolicy", json_string("Always"));
	struct apply_ctx u = ctx("other", "2024-02-02T00:00:00Z");
	assert_int_equal(managed_fields_update(&u, next, live, &err), SK_OK);
	json_decref(live);
	live = next;
	/* a second applier shares paused */
	struct apply_ctx c2 = ctx("second", "2024-02-03T00:00:00Z");
	json_t *b = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'paused':true}}");
	assert_int_equal(apply_patch(&c2, &live, b, 0, &conflicts, &err), SK_OK);
	/* mgr stops applying tier, replicas, paused and the sidecar and
	 * changes the image: what only it owned goes, shared paused stays,
	 * other's restartPolicy and the untracked name stay */
	json_t *a2 = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{'app':'web'}},"
	               "'spec':{'template':{'spec':{'containers':[{'name':'nginx','image':'nginx:2'}]}}}}");
	c.now = "2024-02-04T00:00:00Z";
	assert_int_equal(apply_patch(&c, &live, a2, 0, &conflicts, &err), SK_OK);
	json_object_del(get(live, "metadata"), "managedFields");
	expect_json(live, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{'app':'web'}},"
	                  "'spec':{'paused':true,'template':{'spec':{'containers':[{'name':'nginx','image':'nginx:2'}],"
	                  "'restartPolicy':'Always'}}}}");
	json_decref(a1);
	json_decref(a2);
	json_decref(b);
	json_decref(live);
}

static void test_apply_list_map_merge(void **state)
{
	(void)state;
	sk_err err = {0};
	json_t *conflicts = NULL;
	/* containers a, b, c updated by someone; the applier brings b (new env)
	 * and d, and orders them d before b */
	json_t *live = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},"
	                 "'spec':{'template':{'spec':{'containers':[{'name':'a','image':'a'},"
	                 "{'name':'b','image':'b','env':[{'name':'X','value':'1'}]},{'name':'c','image':'c'}]}}}}");
	struct apply_ctx u = ctx("creator", "2024-03-01T00:00:00Z");
	assert_int_equal(managed_fields_update(&u, live, NULL, &err), SK_OK);
	json_t *cfg = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},"
	                "'spec':{'template':{'spec':{'containers':[{'name':'d','image':'d'},"
	                "{'name':'b','env':[{'name':'Y','value':'2'}]}]}}}}");
	struct apply_ctx c = ctx("applier", "2024-03-02T00:00:00Z");
	assert_int_equal(apply_patch(&c, &live, cfg, 0, &conflicts, &err), SK_OK);
	expect_json(get(live, "spec.template.spec.containers"),
	            "[{'name':'a','image':'a'},{'name':'d','image':'d'},"
	            "{'name':'b','image':'b','env':[{'name':'X','value':'1'},{'name':'Y','value':'2'}]},"
	            "{'name':'c','image':'c'}]");
	expect_fields(live, "applier", "Apply",
	              "{'f:spec':{'f:template':{'f:spec':{'f:containers':{"
	              "'k:{`name`:`b`}':{'.':{},'f:env':{'k:{`name`:`Y`}':{'.':{},'f:name':{},'f:value':{}}},'f:name':{}},"
	              "'k:{`name`:`d`}':{'.':{},'f:image':{},'f:name':{}}}}}}}");
	/* sets merge by value */
	json_t *fin = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','finalizers':['z','a']}}");
	json_object_set_new(get(live, "metadata"), "finalizers", J("['a','m']"));
	assert_int_equal(apply_patch(&c, &live, fin, 0, &conflicts, &err), SK_OK);
	expect_json(get(live, "metadata.finalizers"), "['z','a','m']");
	json_decref(fin);
	json_decref(cfg);
	json_decref(live);
}

static void test_apply_conflicts(void **state)
{
	(void)state;
	sk_err err = {0};
	json_t *conflicts = NULL;
	json_t *live = created("kubectl-client-side-apply", "2024-01-01T00:00:00Z");
	json_t *orig = json_deep_copy(live);
	struct apply_ctx c = ctx("ci", "2024-04-01T00:00:00Z");
	json_t *cfg = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':5}}");
	assert_int_equal(apply_patch(&c, &live, cfg, 0, &conflicts, &err), SK_ECONFLICT);
	assert_true(json_equal(live, orig));
	expect_text(conflicts, "[{'reason':'FieldManagerConflict','message':'conflict with `kubectl-client-side-apply` "
	                       "using apps/v1','field':'.spec.replicas'}]");
	assert_string_equal(err.msg, "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" "
	                             "using apps/v1: .spec.replicas");
	assert_int_equal(sk_status_http(err.code), 409);
	json_decref(conflicts);

	/* the same value is no conflict: both own it */
	json_object_set_new(json_object_get(cfg, "spec"), "replicas", json_integer(3));
	assert_int_equal(apply_patch(&c, &live, cfg, 0, &conflicts, &err), SK_OK);
	assert_non_null(get(json_object_get(entry(live, "ci", "Apply"), "fieldsV1"), "f:spec.f:replicas"));
	assert_non_null(get(json_object_get(entry(live, "kubectl-client-side-apply", "Update"), "fieldsV1"),
	                    "f:spec.f:replicas"));

	/* several managers: grouped, sorted, members before deeper paths */
	json_t *next = json_deep_copy(live);
	json_object_set_new(get(next, "metadata.labels"), "tier", json_string("fe"));
	struct apply_ctx ops = ctx("ops", "2024-04-02T00:00:00Z");
	assert_int_equal(managed_fields_update(&ops, next, live, &err), SK_OK);
	json_decref(live);
	live = next;
	json_t *cfg2 = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{'tier':'be'}},"
	                 "'spec':{'replicas':6,'template':{'spec':{'containers':[{'name':'nginx','image':'nginx:2'}]}}}}");
	assert_int_equal(apply_patch(&c, &live, cfg2, 0, &conflicts, &err), SK_ECONFLICT);
	char *msg = apply_conflict_message(conflicts);
	assert_string_equal(msg, "Apply failed with 3 conflicts: conflicts with \"kubectl-client-side-apply\" using apps/v1:\n"
	                         "- .spec.replicas\n- .spec.template.spec.containers[name=\"nginx\"].image\n"
	                         "conflicts with \"ops\" using apps/v1:\n- .metadata.labels.tier");
	free(msg);
	/* replicas is ci's too, but kubectl-client-side-apply's as well: still
	 * a conflict, listed before the deeper image */
	json_decref(conflicts);
	json_object_set_new(json_object_get(cfg2, "spec"), "replicas", json_integer(3));

	/* force: the fields move to ci */
	assert_int_equal(apply_patch(&c, &live, cfg2, 1, &conflicts, &err), SK_OK);
	assert_null(conflicts);
	assert_string_equal(json_string_value(get(live, "metadata.labels.tier")), "be");
	assert_null(get(json_object_get(entry(live, "ops", "Update"), "fieldsV1"), "f:metadata.f:labels.f:tier"));
	assert_null(entry(live, "ops", "Update")); /* it owned nothing else */
	const json_t *csa = json_object_get(entry(live, "kubectl-client-side-apply", "Update"), "fieldsV1");
	assert_null(get(csa, "f:spec.f:template.f:spec.f:containers.k:{\"name\":\"nginx\"}.f:image"));
	json_decref(cfg);
	json_decref(cfg2);
	json_decref(orig);
	json_decref(live);
}

static void test_apply_before_first_apply(void **state)
{
	(void)state;
	sk_err err = {0};
	json_t *conflicts = NULL;
	json_t *live = J(DEPLOY); /* never tracked */
	struct apply_ctx c = ctx("ci", "2024-05-01T00:00:00Z");
	json_t *cfg = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':1}}");
	assert_int_equal(apply_patch(&c, &live, cfg, 0, &conflicts, &err), SK_ECONFLICT);
	expect_text(conflicts, "[{'reason':'FieldManagerConflict','message':'conflict with `before-first-apply` "
	                       "using apps/v1','field':'.spec.replicas'}]");
	json_decref(conflicts);
	assert_int_equal(apply_patch(&c, &live, cfg, 1, &conflicts, &err), SK_OK);
	assert_non_null(entry(live, "before-first-apply", "Update"));
	expect_fields(live, "ci", "Apply", "{'f:spec':{'f:replicas':{}}}");
	json_decref(cfg);
	json_decref(live);
}

static void test_apply_migration(void **state)
{
	(void)state;
	sk_err err = {0};
	json_t *conflicts = NULL;
	/* kubectl apply (client-side) created it: annotation and an Update entry */
	json_t *c0 = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},"
	               "'spec':{'replicas':3,'template':{'spec':{'containers':[{'name':'nginx','image':'nginx:1'}]}}}}");
	char *text = gojson_dumps(c0, 1);
	size_t n = strlen(text);
	text = realloc(text, n + 2);
	strcpy(text + n, "\n");
	json_t *live = json_deep_copy(c0);
	json_object_set_new(get(live, "metadata"), "annotations", json_pack("{s:s}", LAST_APPLIED_ANNOTATION, text));
	struct apply_ctx csa = ctx("kubectl-client-side-apply", "2024-06-01T00:00:00Z");
	assert_int_equal(managed_fields_update(&csa, live, NULL, &err), SK_OK);
	free(text);
	json_t *saved = json_deep_copy(live);

	/* kubectl apply --server-side with a new replica count: what the
	 * annotation set, still live, is taken over without --force-conflicts */
	json_t *c1 = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},"
	               "'spec':{'replicas':5,'template':{'spec':{'containers':[{'name':'nginx','image':'nginx:1'}]}}}}");
	struct apply_ctx k = ctx("kubectl", "2024-06-02T00:00:00Z");
	assert_int_equal(apply_patch(&k, &live, c1, 0, &conflicts, &err), SK_OK);
	assert_int_equal(json_integer_value(get(live, "spec.replicas")), 5);
	expect_fields(live, "kubectl", "Apply",
	              "{'f:spec':{'f:replicas':{},'f:template':{'f:spec':{'f:containers':{"
	              "'k:{`name`:`nginx`}':{'.':{},'f:image':{},'f:name':{}}}}}}}");
	assert_null(get(json_object_get(entry(live, "kubectl-client-side-apply", "Update"), "fieldsV1"),
	                "f:spec.f:replicas"));
	/* the annotation follows the applied configuration */
	char *want = gojson_dumps(c1, 1);
	const char *ann = json_string_value(json_object_get(get(live, "metadata.annotations"), LAST_APPLIED_ANNOTATION));
	assert_non_null(ann);
	assert_int_equal(strncmp(ann, want, strlen(want)), 0);
	assert_string_equal(ann + strlen(want), "\n");
	free(want);

	/* a field live no longer as last applied is a real conflict */
	json_decref(live);
	live = saved;
	json_object_set_new(json_object_get(live, "spec"), "replicas", json_integer(4));
	assert_int_equal(apply_patch(&k, &live, c1, 0, &conflicts, &err), SK_ECONFLICT);
	expect_text(conflicts, "[{'reason':'FieldManagerConflict','message':'conflict with `kubectl-client-side-apply` "
	                       "using apps/v1','field':'.spec.replicas'}]");
	json_decref(conflicts);
	/* another manager name gets no such help */
	json_object_set_new(json_object_get(live, "spec"), "replicas", json_integer(3));
	struct apply_ctx other = ctx("helm", "2024-06-02T00:00:00Z");
	assert_int_equal(apply_patch(&other, &live, c1, 0, &conflicts, &err), SK_ECONFLICT);
	json_decref(conflicts);
	json_decref(c0);
	json_decref(c1);
	json_decref(live);
}

static void test_apply_refusals(void **state)
{
	(void)state;
	sk_err err = {0};
	json_t *conflicts = NULL, *live = NULL;
	struct apply_ctx c = ctx("ci", "2024-07-01T00:00:00Z");
	const struct {
		const char *cfg;
		int code;
		const char *msg;
	} cases[] = {
	    {"{'apiVersion':'apps/v1','kind':'Deployment','spec':{'template':{'spec':{'containers':[{'name':'a'},{'name':'a'}]}}}}",
	     SK_EINVALID,
	     "failed to create typed patch object (apps/v1, Kind=Deployment): .spec.template.spec.containers: "
	     "duplicate entries for key [name=\"a\"]"},
	    {"{'apiVersion':'apps/v1','kind':'Deployment','spec':{'template':{'spec':{'containers':[{'image':'a'}]}}}}",
	     SK_EINVALID,
	     "failed to create typed patch object (apps/v1, Kind=Deployment): .spec.template.spec.containers: "
	     "element 0: associative list with keys has an element that omits key field \"name\" (and doesn't have "
	     "default value)"},
	    {"{'apiVersion':'apps/v1','kind':'Deployment','spec':{'replicaz':1}}", SK_EINVALID,
	     "failed to create typed patch object (apps/v1, Kind=Deployment): .spec.replicaz: field not declared in schema"},
	    {"{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'finalizers':[{'a':1}]}}", SK_EINVALID,
	     "failed to create typed patch object (apps/v1, Kind=Deployment): .metadata.finalizers: element 0: "
	     "associative list without keys has an element that's a map type"},
	    {"{'apiVersion':'apps/v1','kind':'Deployment','spec':'x'}", SK_EINVALID,
	     "failed to create typed patch object (apps/v1, Kind=Deployment): .spec: expected map, got string"},
	    {"{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'managedFields':[]}}", SK_EBADREQUEST,
	     "metadata.managedFields must be nil"},
	    {"{'apiVersion':'v1','kind':'Pod'}", SK_EBADREQUEST, "invalid object type: /v1, Kind=Pod"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		json_t *cfg = J(cases[i].cfg);
		memset(&err, 0, sizeof err);
		assert_int_equal(apply_patch(&c, &live, cfg, 0, &conflicts, &err), cases[i].code);
		assert_string_equal(err.msg, cases[i].msg);
		assert_null(live);
		json_decref(cfg);
	}
	/* a port key defaulted by the schema is fine; the protocol is TCP */
	json_t *cfg = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'w'},'spec':{'template':{'spec':"
	                "{'containers':[{'name':'a','ports':[{'containerPort':80},{'containerPort':80,'protocol':'UDP'}]}]}}}}");
	assert_int_equal(apply_patch(&c, &live, cfg, 0, &conflicts, &err), SK_OK);
	json_decref(cfg);
	json_decref(live);
}

static void test_depth(void **state)
{
	(void)state;
	sk_err err = {0};
	json_t *deep = json_object(), *cur = deep;
	for (int i = 0; i < 400; i++) {
		json_t *n = json_object();
		json_object_set_new(cur, "x", n);
		cur = n;
	}
	json_t *obj = J("{'apiVersion':'example.com/v1','kind':'Widget','metadata':{'name':'w'}}");
	json_object_set_new(obj, "spec", deep);
	assert_null(fieldset_of(widget, obj));
	struct apply_ctx c = {.type = widget, .manager = "m", .now = "2024-01-01T00:00:00Z"};
	assert_int_not_equal(managed_fields_update(&c, obj, NULL, &err), SK_OK);
	assert_null(get(obj, "metadata.managedFields"));
	json_t *live = NULL, *conflicts = NULL;
	assert_int_equal(apply_patch(&c, &live, obj, 0, &conflicts, &err), SK_EINVALID);
	assert_null(live);
	json_decref(obj);
}

/* keys in no order must not cost n² on the loop thread */
static void test_wide(void **state)
{
	(void)state;
	sk_err err = {0};
	json_t *spec = json_object();
	for (unsigned i = 0, x = 1; i < 100000; i++) {
		char k[16];
		x = x * 1103515245u + 12345u;
		snprintf(k, sizeof k, "k%08x", x);
		json_object_set_new(spec, k, json_integer(i));
	}
	json_t *obj = J("{'apiVersion':'example.com/v1','kind':'Widget','metadata':{'name':'w'}}");
	json_object_set_new(obj, "spec", spec);
	clock_t t0 = clock();
	json_t *f = fieldset_of(widget, obj);
	assert_int_equal(json_object_size(json_object_get(f, "f:spec")), 100000);
	json_decref(f);
	struct apply_ctx c = {.type = widget, .manager = "m", .now = "2024-01-01T00:00:00Z"};
	assert_int_equal(managed_fields_update(&c, obj, NULL, &err), SK_OK);
	json_t *next = json_deep_copy(obj);
	json_object_set_new(json_object_get(next, "spec"), "added", json_true());
	c.manager = "n";
	assert_int_equal(managed_fields_update(&c, next, obj, &err), SK_OK);
	expect_fields(next, "n", "Update", "{'f:spec':{'f:added':{}}}");
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	if (secs > 10)
		fail_msg("100000 keys took %.1f s", secs);
	json_decref(next);
	json_decref(obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fieldset_encoding),
	    cmocka_unit_test(test_fieldset_codec),
	    cmocka_unit_test(test_gojson),
	    cmocka_unit_test(test_update_create),
	    cmocka_unit_test(test_update_two_managers),
	    cmocka_unit_test(test_update_status_and_reset),
	    cmocka_unit_test(test_update_cap),
	    cmocka_unit_test(test_apply_create),
	    cmocka_unit_test(test_apply_prune),
	    cmocka_unit_test(test_apply_list_map_merge),
	    cmocka_unit_test(test_apply_conflicts),
	    cmocka_unit_test(test_apply_before_first_apply),
	    cmocka_unit_test(test_apply_migration),
	    cmocka_unit_test(test_apply_refusals),
	    cmocka_unit_test(test_depth),
	    cmocka_unit_test(test_wide),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
