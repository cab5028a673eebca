/* test_patch.c — the three PATCH formats against kube-apiserver: RFC 6902
 * as gopkg.in/evanphx/json-patch.v4 applies it (messages and quirks), RFC
 * 7386 with that library's null pruning, and strategic merge patch with the
 * cases of apimachinery's strategicpatch/patch_test.go (its MergeItem type,
 * translated to JSON) plus the patches kubectl apply, label, annotate and
 * patch send for pods, deployments and services. Every case also checks
 * that the patch itself is left untouched. JSON in cases is written with
 * single quotes for readability. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patch.h"
#include "schema.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* single quotes become double quotes */
static json_t *J(const char *text)
{
	json_error_t e;
	char *s = strdup(text);
	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	json_t *j = json_loads(s, JSON_DECODE_ANY, &e);
	if (!j)
		fail_msg("bad test JSON %s: %s", s, e.text);
	free(s);
	return j;
}

static char *dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

enum fmt { F_JSON, F_MERGE, F_SMP };

#define OK(n, d, p, w) {n, d, p, w, 0, NULL, NULL}
#define BAD(n, d, p, c, m) {n, d, p, NULL, c, m, NULL}

struct tc {
	const char *name;
	const char *doc, *patch;
	const char *want; /* the result, or NULL for an error */
	int code;         /* the error */
	const char *msg;  /* a part of its message */
	const char *type; /* strategic: the root type, NULL for none */
};

static void run(enum fmt f, const struct tc *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *doc = J(c[i].doc), *patch = J(c[i].patch), *before = json_deep_copy(patch);
		const struct schema_node *t = NULL;
		sk_err err = {0};
		int rc;
		if (c[i].type && !(t = schema_type(c[i].type)))
			fail_msg("%s: no type %s", c[i].name, c[i].type);
		rc = f == F_JSON ? patch_json(&doc, patch, &err)
		     : f == F_MERGE ? patch_merge(&doc, patch, &err)
		                    : patch_strategic(&doc, patch, t, &err);
		if (c[i].want) {
			json_t *want = J(c[i].want);
			if (rc != SK_OK)
				fail_msg("%s: failed with %d: %s", c[i].name, rc, err.msg);
			if (!json_equal(doc, want)) {
				char *g = dump(doc), *w = dump(want);
				fail_msg("%s:\n  got  %s\n  want %s", c[i].name, g, w);
			}
			json_decref(want);
		} else {
			if (rc == SK_OK) {
				char *g = dump(doc);
				fail_msg("%s: succeeded with %s, want code %d \"%s\"", c[i].name, g, c[i].code, c[i].msg);
			}
			if (rc != c[i].code || err.code != rc)
				fail_msg("%s: code %d (err %d), want %d: %s", c[i].name, rc, err.code, c[i].code, err.msg);
			if (!strstr(err.msg, c[i].msg))
				fail_msg("%s: message \"%s\" lacks \"%s\"", c[i].name, err.msg, c[i].msg);
		}
		if (!json_equal(patch, before))
			fail_msg("%s: the patch was modified", c[i].name);
		json_decref(doc);
		json_decref(patch);
		json_decref(before);
	}
}

/* ---- types ---------------------------------------------------------------- */

/* MergeItem and RetainKeysMergeItem of strategicpatch's tests, and a few
 * Kubernetes kinds with the patch tags of k8s.io/api */
static const char types[] =
	"package test.patch\n"
	"type MergeItem\n"
	"  name string\n"
	"  value string\n"
	"  other string\n"
	"  mergingList []MergeItem merge=name\n"
	"  nonMergingList []MergeItem\n"
	"  mergingIntList []int64 patch=merge\n"
	"  nonMergingIntList []int64\n"
	"  mergeItemPtr []MergeItem merge=name\n"
	"  simpleMap map[string]\n"
	"  replacingItem object patch=replace\n"
	"  retainKeysMap RetainKeysMergeItem patch=retainKeys\n"
	"  retainKeysMergingList []MergeItem merge=name patch=merge,retainKeys\n"
	"  noKeyList []MergeItem patch=merge\n"
	"  free object\n"
	"type RetainKeysMergeItem\n"
	"  name string\n"
	"  value string\n"
	"  other string\n"
	"  simpleMap map[string]\n"
	"  mergingIntList []int64 patch=merge\n"
	"  mergingList []MergeItem merge=name\n"
	"  nonMergingList []MergeItem\n"
	"type Meta\n"
	"  name string\n"
	"  labels map[string]\n"
	"  annotations map[string]\n"
	"  finalizers []string patch=merge\n"
	"  ownerReferences []OwnerRef merge=uid\n"
	"type OwnerRef\n"
	"  uid string\n"
	"  name string\n"
	"type Pod\n"
	"  apiVersion string\n"
	"  kind string\n"
	"  metadata Meta\n"
	"  spec PodSpec\n"
	"type PodSpec\n"
	"  containers []Container merge=name\n"
	"  volumes []Volume merge=name patch=merge,retainKeys\n"
	"  imagePullSecrets []LocalRef merge=name\n"
	"  nodeSelector map[string]\n"
	"  tolerations []Toleration\n"
	"type Container\n"
	"  name string\n"
	"  image string\n"
	"  args []string\n"
	"  env []EnvVar merge=name\n"
	"  ports []ContainerPort merge=containerPort keys=containerPort,protocol\n"
	"  volumeMounts []VolumeMount merge=mountPath\n"
	"type EnvVar\n"
	"  name string\n"
	"  value string\n"
	"  valueFrom object\n"
	"type ContainerPort\n"
	"  containerPort int32\n"
	"  protocol string\n"
	"  name string\n"
	"type VolumeMount\n"
	"  name string\n"
	"  mountPath string\n"
	"type Volume\n"
	"  name string\n"
	"  configMap LocalRef\n"
	"  emptyDir object\n"
	"  hostPath HostPath\n"
	"type HostPath\n"
	"  path string\n"
	"type LocalRef\n"
	"  name string\n"
	"type Toleration\n"
	"  key string\n"
	"  operator string\n"
	"type Deployment\n"
	"  metadata Meta\n"
	"  spec DeploymentSpec\n"
	"type DeploymentSpec\n"
	"  replicas int32\n"
	"  strategy Strategy patch=retainKeys\n"
	"  template Template\n"
	"type Strategy\n"
	"  type string\n"
	"  rollingUpdate RollingUpdate\n"
	"type RollingUpdate\n"
	"  maxSurge int-or-string\n"
	"  maxUnavailable int-or-string\n"
	"type Template\n"
	"  metadata Meta\n"
	"  spec PodSpec\n"
	"type Service\n"
	"  spec ServiceSpec\n"
	"type ServiceSpec\n"
	"  ports []ServicePort merge=port\n"
	"  selector map[string]\n"
	"type ServicePort\n"
	"  port int32\n"
	"  targetPort int-or-string\n"
	"  name string\n";

static int setup(void **state)
{
	(void)state;
	sk_err err = {0};
	if (schema_define("test-patch", "patch.types", types, strlen(types), &err) != SK_OK)
		fail_msg("types: %s", err.msg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	schema_forget("test-patch");
	return 0;
}

/* ---- JSON patch ----------------------------------------------------------- */

static const struct tc json_cases[] = {
	OK("add member", "{'a':1}", "[{'op':'add','path':'/b','value':2}]", "{'a':1,'b':2}"),
	OK("add replaces a member", "{'a':1}", "[{'op':'add','path':'/a','value':[1]}]", "{'a':[1]}"),
	OK("add into array", "{'a':[1,2]}", "[{'op':'add','path':'/a/1','value':9}]", "{'a':[1,9,2]}"),
	OK("add at array end", "{'a':[1,2]}", "[{'op':'add','path':'/a/2','value':9}]", "{'a':[1,2,9]}"),
	OK("add with -", "{'a':[1,2]}", "[{'op':'add','path':'/a/-','value':{'x':1}}]", "{'a':[1,2,{'x':1}]}"),
	OK("add with negative index", "{'a':[1,2]}", "[{'op':'add','path':'/a/-1','value':9}]", "{'a':[1,2,9]}"),
	OK("add with leading zero index", "{'a':[1,2]}", "[{'op':'add','path':'/a/01','value':9}]", "{'a':[1,9,2]}"),
	BAD("add past the end", "{'a':[1,2]}", "[{'op':'add','path':'/a/3','value':9}]", SK_EINVALID,
	 "error in add for path: '/a/3': Unable to access invalid index: 3: invalid index referenced"),
	BAD("add below the start", "{'a':[1,2]}", "[{'op':'add','path':'/a/-4','value':9}]", SK_EINVALID,
	 "Unable to access invalid index: -4: invalid index referenced"),
	BAD("add with a bad index", "{'a':[1]}", "[{'op':'add','path':'/a/x','value':9}]", SK_EINVALID,
	 "error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": "
	 "invalid syntax"),
	BAD("add to a missing parent", "{'spec':{}}", "[{'op':'add','path':'/spec/foo/bar','value':1}]", SK_EINVALID,
	 "add operation does not apply: doc is missing path: \"/spec/foo/bar\": missing value"),
	BAD("add through a scalar", "{'a':1}", "[{'op':'add','path':'/a/b','value':1}]", SK_EINVALID,
	 "doc is missing path: \"/a/b\""),
	BAD("add through null", "{'a':null}", "[{'op':'add','path':'/a/b','value':1}]", SK_EINVALID,
	 "doc is missing path"),
	BAD("add at the root", "{'a':1}", "[{'op':'add','path':'','value':{}}]", SK_EINVALID,
	 "add operation does not apply: doc is missing path: \"\": missing value"),
	OK("add without value adds null", "{'a':1}", "[{'op':'add','path':'/b'}]", "{'a':1,'b':null}"),
	OK("add key with escapes", "{}", "[{'op':'add','path':'/a~1b~0c~01','value':1}]", "{'a/b~c~1':1}"),
	OK("add empty key", "{}", "[{'op':'add','path':'/','value':1}]", "{'':1}"),
	OK("path without a leading slash", "{'x':1}", "[{'op':'add','path':'a/b','value':2}]", "{'x':1,'b':2}"),
	OK("add label", "{'metadata':{'labels':{'a':'b'}}}",
	 "[{'op':'add','path':'/metadata/labels/app.kubernetes.io~1name','value':'web'}]",
	 "{'metadata':{'labels':{'a':'b','app.kubernetes.io/name':'web'}}}"),
	BAD("add label without labels", "{'metadata':{'name':'x'}}",
	 "[{'op':'add','path':'/metadata/labels/app','value':'web'}]", SK_EINVALID,
	 "add operation does not apply: doc is missing path: \"/metadata/labels/app\": missing value"),
	OK("add finalizer", "{'metadata':{'finalizers':['a']}}",
	 "[{'op':'add','path':'/metadata/finalizers/-','value':'b'}]", "{'metadata':{'finalizers':['a','b']}}"),
	OK("remove member", "{'a':1,'b':2}", "[{'op':'remove','path':'/a'}]", "{'b':2}"),
	OK("remove null member", "{'a':null}", "[{'op':'remove','path':'/a'}]", "{}"),
	BAD("remove missing member", "{'a':1}", "[{'op':'remove','path':'/x'}]", SK_EINVALID,
	 "error in remove for path: '/x': Unable to remove nonexistent key: x: missing value"),
	OK("remove element", "{'a':[1,2,3]}", "[{'op':'remove','path':'/a/1'}]", "{'a':[1,3]}"),
	OK("remove last element", "{'a':[1,2,3]}", "[{'op':'remove','path':'/a/-1'}]", "{'a':[1,2]}"),
	BAD("remove past the end", "{'a':[1]}", "[{'op':'remove','path':'/a/1'}]", SK_EINVALID,
	 "error in remove for path: '/a/1': Unable to access invalid index: 1: invalid index referenced"),
	BAD("remove with -", "{'a':[1]}", "[{'op':'remove','path':'/a/-'}]", SK_EINVALID,
	 "error in remove for path: '/a/-': strconv.Atoi: parsing \"-\": invalid syntax"),
	BAD("remove from missing parent", "{}", "[{'op':'remove','path':'/a/b'}]", SK_EINVALID,
	 "remove operation does not apply: doc is missing path: \"/a/b\": missing value"),
	OK("replace member", "{'a':1}", "[{'op':'replace','path':'/a','value':{'b':2}}]", "{'a':{'b':2}}"),
	OK("replace a missing member adds it", "{'a':1}", "[{'op':'replace','path':'/b','value':2}]", "{'a':1,'b':2}"),
	OK("replace element", "{'a':[1,2]}", "[{'op':'replace','path':'/a/-2','value':0}]", "{'a':[0,2]}"),
	BAD("replace past the end", "{'a':[1,2]}", "[{'op':'replace','path':'/a/5','value':0}]", SK_EINVALID,
	 "replace operation does not apply: doc is missing key: /a/5: missing value"),
	BAD("replace in missing parent", "{}", "[{'op':'replace','path':'/a/b','value':0}]", SK_EINVALID,
	 "replace operation does not apply: doc is missing path: /a/b: missing value"),
	OK("replace the root", "{'a':1}", "[{'op':'replace','path':'','value':{'b':[2]}}]", "{'b':[2]}"),
	BAD("replace the root with a scalar", "{'a':1}", "[{'op':'replace','path':'','value':3}]", SK_EINVALID,
	 "replace operation value must be object or array"),
	BAD("replace without path", "{'a':1}", "[{'op':'replace','value':3}]", SK_EINVALID,
	 "replace operation failed to decode path: operation missing path field: missing value"),
	OK("move member", "{'a':{'x':1},'b':2}", "[{'op':'move','from':'/a','path':'/c'}]", "{'b':2,'c':{'x':1}}"),
	OK("move element", "{'a':[1,2,3]}", "[{'op':'move','from':'/a/0','path':'/a/-'}]", "{'a':[2,3,1]}"),
	OK("move between containers", "{'a':[1,2],'b':{}}", "[{'op':'move','from':'/a/1','path':'/b/x'}]",
	 "{'a':[1],'b':{'x':2}}"),
	BAD("move missing member", "{'a':1}", "[{'op':'move','from':'/x','path':'/y'}]", SK_EINVALID,
	 "error in move for path: 'x': Unable to remove nonexistent key: x: missing value"),
	BAD("move into itself", "{'a':{'b':1}}", "[{'op':'move','from':'/a','path':'/a/c'}]", SK_EINVALID,
	 "move operation does not apply: doc is missing destination path: /a/c: missing value"),
	BAD("move without from", "{'a':1}", "[{'op':'move','path':'/y'}]", SK_EINVALID,
	 "move operation failed to decode from: operation, missing from field: missing value"),
	OK("copy member", "{'a':{'x':[1]}}",
	 "[{'op':'copy','from':'/a','path':'/b'},{'op':'add','path':'/b/x/-','value':2}]",
	 "{'a':{'x':[1]},'b':{'x':[1,2]}}"),
	OK("copy element", "{'a':[1,2]}", "[{'op':'copy','from':'/a/0','path':'/a/-'}]", "{'a':[1,2,1]}"),
	OK("copy a missing member copies null", "{'a':1}", "[{'op':'copy','from':'/x','path':'/y'}]",
	 "{'a':1,'y':null}"),
	BAD("copy from missing parent", "{'a':1}", "[{'op':'copy','from':'/x/y','path':'/y'}]", SK_EINVALID,
	 "copy operation does not apply: doc is missing from path: /x/y: missing value"),
	BAD("copy to missing parent", "{'a':1}", "[{'op':'copy','from':'/a','path':'/x/y'}]", SK_EINVALID,
	 "copy operation does not apply: doc is missing destination path: /x/y: missing value"),
	BAD("copy past the end", "{'a':[1]}", "[{'op':'copy','from':'/a/0','path':'/a/3'}]", SK_EINVALID,
	 "error while adding value during copy: Unable to access invalid index: 3: invalid index referenced"),
	BAD("copy without path", "{'a':1}", "[{'op':'copy','from':'/a'}]", SK_EINVALID,
	 "copy operation failed to decode path: missing value"),
	OK("test passes", "{'a':{'b':[1,'x',null]}}", "[{'op':'test','path':'/a','value':{'b':[1,'x',null]}}]",
	 "{'a':{'b':[1,'x',null]}}"),
	OK("test element", "{'a':[1,2]}", "[{'op':'test','path':'/a/-1','value':2}]", "{'a':[1,2]}"),
	BAD("test fails", "{'a':1}", "[{'op':'test','path':'/a','value':2},{'op':'add','path':'/b','value':1}]",
	 SK_EINVALID, "testing value /a failed: test failed"),
	BAD("test integer against real", "{'a':1}", "[{'op':'test','path':'/a','value':1.0}]", SK_EINVALID,
	 "testing value /a failed"),
	OK("test missing member against null", "{'a':1}", "[{'op':'test','path':'/b','value':null}]", "{'a':1}"),
	OK("test missing member without value", "{'a':1}", "[{'op':'test','path':'/b'}]", "{'a':1}"),
	BAD("test missing member against a value", "{'a':1}", "[{'op':'test','path':'/b','value':1}]",
	 SK_EINVALID, "testing value /b failed: test failed"),
	BAD("test present member without value", "{'a':1}", "[{'op':'test','path':'/a'}]", SK_EINVALID,
	 "testing value /a failed"),
	BAD("test past the end", "{'a':[1]}", "[{'op':'test','path':'/a/3','value':1}]", SK_EINVALID,
	 "error in test for path: '/a/3': Unable to access invalid index: 3: invalid index referenced"),
	BAD("test missing parent", "{}", "[{'op':'test','path':'/a/b','value':1}]", SK_EINVALID,
	 "test operation does not apply: is missing path: /a/b: missing value"),
	OK("test the whole document", "{'a':1}", "[{'op':'test','path':'','value':{'a':1}}]", "{'a':1}"),
	OK("test escaped path", "{'m~n':{'a/b':2}}", "[{'op':'test','path':'/m~0n/a~1b','value':2}]",
	 "{'m~n':{'a/b':2}}"),
	BAD("unknown op", "{}", "[{'op':'frob','path':'/a'}]", SK_EINVALID, "Unexpected kind: frob"),
	BAD("missing op", "{}", "[{'path':'/a'}]", SK_EINVALID, "Unexpected kind: unknown"),
	BAD("null op", "{}", "[null]", SK_EINVALID, "Unexpected kind: unknown"),
	BAD("missing path", "{}", "[{'op':'add','value':1}]", SK_EINVALID,
	 "add operation failed to decode path: missing value"),
	OK("ops apply in order", "{'a':[]}",
	 "[{'op':'add','path':'/a/-','value':1},{'op':'add','path':'/a/0','value':0},{'op':'test','path':'/a',"
	 "'value':[0,1]},{'op':'remove','path':'/a/0'},{'op':'move','from':'/a','path':'/b'}]",
	 "{'b':[1]}"),
	OK("empty patch", "{'a':1}", "[]", "{'a':1}"),
	OK("null patch", "{'a':1}", "null", "{'a':1}"),
	BAD("patch not an array", "{}", "{'op':'add'}", SK_EBADREQUEST,
	 "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp"),
	BAD("operation not an object", "{}", "['add']", SK_EBADREQUEST,
	 "error decoding patch: json: cannot unmarshal string into Go value of type handlers.jsonPatchOp"),
	BAD("op not a string", "{}", "[{'op':1,'path':'/a'}]", SK_EBADREQUEST,
	 "error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string"),
	BAD("path not a string", "{}", "[{'op':'add','path':['a']}]", SK_EBADREQUEST,
	 "cannot unmarshal array into Go struct field jsonPatchOp.path of type string"),
	BAD("from not a string", "{}", "[{'op':'move','from':true,'path':'/a'}]", SK_EBADREQUEST,
	 "cannot unmarshal bool into Go struct field jsonPatchOp.from of type string"),
};

static void test_json_patch(void **state)
{
	(void)state;
	run(F_JSON, json_cases, N(json_cases));
}

/* operation count and copy budget, with generated patches */
static void test_json_patch_limits(void **state)
{
	(void)state;
	sk_err err = {0};
	json_t *doc = J("{'a':[]}"), *patch = json_array(), *op = J("{'op':'add','path':'/a/-','value':1}");
	for (int i = 0; i < PATCH_MAX_OPS; i++)
		json_array_append(patch, op);
	assert_int_equal(patch_json(&doc, patch, &err), SK_OK);
	assert_int_equal(json_array_size(json_object_get(doc, "a")), PATCH_MAX_OPS);
	json_array_append(patch, op);
	assert_int_equal(patch_json(&doc, patch, &err), SK_ETOOLARGE);
	assert_string_equal(err.msg,
	                    "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001");
	json_decref(patch);
	json_decref(op);
	json_decref(doc);

	/* each copy of a string of 1 MiB once quoted counts against the 3 MiB
	 * budget: three fit exactly, the fourth does not */
	char *big = malloc(1024 * 1024 - 1);
	memset(big, 'x', 1024 * 1024 - 2);
	big[1024 * 1024 - 2] = 0;
	doc = json_pack("{s:s}", "a", big);
	free(big);
	patch = J("[{'op':'copy','from':'/a','path':'/b'},{'op':'copy','from':'/a','path':'/c'},"
	          "{'op':'copy','from':'/a','path':'/d'}]");
	assert_int_equal(patch_json(&doc, patch, &err), SK_OK);
	assert_int_equal(json_object_size(doc), 4);
	json_array_append_new(patch, J("{'op':'copy','from':'/a','path':'/e'}"));
	assert_int_equal(patch_json(&doc, patch, &err), SK_EINVALID);
	assert_string_equal(err.msg, "Unable to complete the copy, the accumulated size increase of copy is 4194304, "
	                             "exceeding the limit 3145728");
	json_decref(doc);
	json_decref(patch);

	/* doubling a document by copying it into itself stops at the budget */
	doc = J("{'a':['0123456789abcdef0123456789abcdef']}");
	patch = json_array();
	for (int i = 0; i < 40; i++)
		json_array_append_new(patch, J("{'op':'copy','from':'/a','path':'/a/-'}"));
	assert_int_equal(patch_json(&doc, patch, &err), SK_EINVALID);
	assert_non_null(strstr(err.msg, "exceeding the limit 3145728"));
	json_decref(doc);
	json_decref(patch);
}

/* ---- JSON merge patch ----------------------------------------------------- */

static const struct tc merge_cases[] = {
	/* RFC 7386 appendix A */
	OK("rfc 1", "{'a':'b'}", "{'a':'c'}", "{'a':'c'}"),
	OK("rfc 2", "{'a':'b'}", "{'b':'c'}", "{'a':'b','b':'c'}"),
	OK("rfc 3", "{'a':'b'}", "{'a':null}", "{}"),
	OK("rfc 4", "{'a':'b','b':'c'}", "{'a':null}", "{'b':'c'}"),
	OK("rfc 5", "{'a':['b']}", "{'a':'c'}", "{'a':'c'}"),
	OK("rfc 6", "{'a':'c'}", "{'a':['b']}", "{'a':['b']}"),
	OK("rfc 7", "{'a':{'b':'c'}}", "{'a':{'b':'d','c':null}}", "{'a':{'b':'d'}}"),
	OK("rfc 8", "{'a':[{'b':'c'}]}", "{'a':[1]}", "{'a':[1]}"),
	OK("rfc 9", "['a','b']", "['c','d']", "['c','d']"),
	OK("rfc 10", "{'a':'b'}", "['c']", "['c']"),
	OK("rfc 13", "{'e':null}", "{'a':1}", "{'e':null,'a':1}"),
	OK("rfc 14", "[1,2]", "{'a':'b','c':null}", "{'a':'b'}"),
	OK("rfc 15", "{}", "{'a':{'bb':{'ccc':null}}}", "{'a':{'bb':{}}}"),
	/* the library's choices where the RFC's answer differs */
	BAD("null patch", "{'a':'foo'}", "null", SK_EIO, "Invalid JSON Patch"),
	BAD("scalar patch", "{'a':'foo'}", "'bar'", SK_EIO, "Invalid JSON Patch"),
	BAD("null document", "null", "{'a':1}", SK_EIO, "Invalid JSON Document"),
	OK("new arrays lose null elements", "{}", "{'a':[1,null,{'b':null,'c':[null]}]}", "{'a':[1,{'c':[]}]}"),
	OK("null member counts as absent", "{'a':null}", "{'a':{'b':null,'c':1}}", "{'a':{'c':1}}"),
	OK("object over a scalar is pruned", "{'a':1}", "{'a':{'b':null,'c':2}}", "{'a':{'c':2}}"),
	OK("array over an object keeps nulls", "{'a':{'x':1}}", "{'a':[null,{'b':null}]}", "{'a':[null,{'b':null}]}"),
	OK("array patch loses nulls", "{'a':1}", "[1,null,{'a':null}]", "[1,{}]"),
	OK("deep merge", "{'a':{'b':{'c':1,'d':2},'e':3}}", "{'a':{'b':{'c':null,'f':[1]}}}",
	 "{'a':{'b':{'d':2,'f':[1]},'e':3}}"),
	/* what kubectl label/annotate/patch --type=merge send */
	OK("labels", "{'metadata':{'labels':{'app':'a','old':'x'}}}",
	 "{'metadata':{'labels':{'old':null,'tier':'web'}}}", "{'metadata':{'labels':{'app':'a','tier':'web'}}}"),
	OK("annotation added to missing map", "{'metadata':{'name':'x'}}", "{'metadata':{'annotations':{'k':'v'}}}",
	 "{'metadata':{'name':'x','annotations':{'k':'v'}}}"),
	OK("containers replaced whole", "{'spec':{'containers':[{'name':'a','image':'1'},{'name':'b'}]}}",
	 "{'spec':{'containers':[{'name':'a','image':'2'}]}}", "{'spec':{'containers':[{'name':'a','image':'2'}]}}"),
	OK("directives are plain keys", "{'a':{'b':1}}", "{'a':{'$patch':'delete'}}", "{'a':{'b':1,'$patch':'delete'}}"),
};

static void test_merge_patch(void **state)
{
	(void)state;
	run(F_MERGE, merge_cases, N(merge_cases));
}

/* ---- strategic merge patch: strategicpatch's own cases -------------------- */

#define MI "test.patch.MergeItem"

static const struct tc smp_cases[] = {
	/* createStrategicMergePatchTestCaseData: current + threeWay = result */
	{"nil patch", "{'name':1}", "{}", "{'name':1}", 0, NULL, MI},
	{"add field to map", "{'name':1,'other':'a'}", "{'value':1}", "{'name':1,'value':1,'other':'a'}", 0, NULL, MI},
	{"add field and delete field from map", "{'name':1,'other':'a'}", "{'name':null,'value':1}",
	 "{'value':1,'other':'a'}", 0, NULL, MI},
	{"delete field from nested map", "{'simpleMap':{'key1':1,'key2':1,'other':'a'}}",
	 "{'simpleMap':{'key2':null}}", "{'simpleMap':{'key1':1,'other':'a'}}", 0, NULL, MI},
	{"delete all fields from map", "{'name':1,'value':1,'other':'a'}", "{'name':null,'value':null}",
	 "{'other':'a'}", 0, NULL, MI},
	{"replace list of scalars", "{'nonMergingIntList':[1,4]}", "{'nonMergingIntList':[2,3]}",
	 "{'nonMergingIntList':[2,3]}", 0, NULL, MI},
	{"delete all maps from merging list", "{'mergingList':[{'name':1,'other':'a'},{'name':2,'other':'b'}]}",
	 "{'mergingList':[{'name':1,'$patch':'delete'},{'name':2,'$patch':'delete'}]}", "{'mergingList':[]}", 0,
	 NULL, MI},
	{"delete all maps from empty merging list", "{'mergingList':[]}",
	 "{'mergingList':[{'name':1,'$patch':'delete'},{'name':2,'$patch':'delete'}]}", "{'mergingList':[]}", 0,
	 NULL, MI},
	{"defined null values", "{'name':'a','other':'a'}", "{'name':1,'value':1,'other':null}",
	 "{'name':1,'value':1}", 0, NULL, MI},
	{"retainKeys map with no change", "{'name':'a','other':'c','retainKeysMap':{'name':'foo'}}",
	 "{'value':'b'}", "{'name':'a','value':'b','other':'c','retainKeysMap':{'name':'foo'}}", 0, NULL, MI},
	/* customStrategicMergePatchTestCaseData: original + twoWay = modified */
	{"unique scalars when merging lists", "{'mergingIntList':[1,2]}", "{'mergingIntList':[2,3]}",
	 "{'mergingIntList':[1,2,3]}", 0, NULL, MI},
	{"delete map from nested map", "{'simpleMap':{'key1':1,'key2':1}}", "{'simpleMap':{'$patch':'delete'}}",
	 "{'simpleMap':{}}", 0, NULL, MI},
	{"delete all items from merging list", "{'mergingList':[{'name':1},{'name':2}]}",
	 "{'mergingList':[{'$patch':'replace'}]}", "{'mergingList':[]}", 0, NULL, MI},
	{"merge empty merging lists", "{'mergingList':[]}", "{'mergingList':[]}", "{'mergingList':[]}", 0, NULL, MI},
	{"delete all keys from map", "{'name':1,'value':1}", "{'$patch':'replace'}", "{}", 0, NULL, MI},
	{"add key and delete all keys from map", "{'name':1,'value':1}", "{'other':'a','$patch':'replace'}",
	 "{'other':'a'}", 0, NULL, MI},
	{"delete all duplicate entries in a merging list",
	 "{'mergingList':[{'name':1},{'name':1},{'name':2,'value':'a'},{'name':3},{'name':3}]}",
	 "{'mergingList':[{'name':1,'$patch':'delete'},{'name':3,'$patch':'delete'}]}",
	 "{'mergingList':[{'name':2,'value':'a'}]}", 0, NULL, MI},
	{"retainKeys map can add a field", "{'retainKeysMap':{'name':'foo'}}", "{'retainKeysMap':{'value':'bar'}}",
	 "{'retainKeysMap':{'name':'foo','value':'bar'}}", 0, NULL, MI},
	{"retainKeys map can delete a field", "{'retainKeysMap':{'name':'foo','value':'a'}}",
	 "{'retainKeysMap':{'value':null}}", "{'retainKeysMap':{'name':'foo'}}", 0, NULL, MI},
	{"retainKeys map merge an empty map", "{'retainKeysMap':{'name':'foo','value':'a'}}", "{'retainKeysMap':{}}",
	 "{'retainKeysMap':{'name':'foo','value':'a'}}", 0, NULL, MI},
	{"retainKeys list can change a field", "{'retainKeysMergingList':[{'name':'bar'},{'name':'foo','value':'a'}]}",
	 "{'retainKeysMergingList':[{'name':'foo','value':'b'}]}",
	 "{'retainKeysMergingList':[{'name':'bar'},{'name':'foo','value':'b'}]}", 0, NULL, MI},
	{"preserve the order from the patch in a merging list",
	 "{'mergingList':[{'name':1},{'name':2,'value':'b'},{'name':3}]}",
	 "{'mergingList':[{'name':3,'value':'c'},{'name':1,'value':'a'},{'name':2,'other':'x'}]}",
	 "{'mergingList':[{'name':3,'value':'c'},{'name':1,'value':'a'},{'name':2,'value':'b','other':'x'}]}", 0,
	 NULL, MI},
	{"preserve the order from the patch in a merging list 2",
	 "{'mergingList':[{'name':1},{'name':2,'value':'b'},{'name':3}]}",
	 "{'mergingList':[{'name':3,'value':'c'},{'name':1,'value':'a'}]}",
	 "{'mergingList':[{'name':2,'value':'b'},{'name':3,'value':'c'},{'name':1,'value':'a'}]}", 0, NULL, MI},
	{"preserve the order from the patch in a merging int list", "{'mergingIntList':[1,2,3]}",
	 "{'mergingIntList':[3,1,2]}", "{'mergingIntList':[3,1,2]}", 0, NULL, MI},
	{"preserve the order from the patch in a merging int list 2", "{'mergingIntList':[1,2,3]}",
	 "{'mergingIntList':[3,1]}", "{'mergingIntList':[2,3,1]}", 0, NULL, MI},
	{"new items come first without $setElementOrder", "{'mergingList':[{'name':1},{'name':2}]}",
	 "{'mergingList':[{'name':3}]}", "{'mergingList':[{'name':3},{'name':1},{'name':2}]}", 0, NULL, MI},
	/* customStrategicMergePatchRawTestCases */
	{"$setElementOrder names an item the list lacks", "{'mergingList':[{'name':1},{'name':3}]}",
	 "{'$setElementOrder/mergingList':[{'name':3},{'name':2},{'name':1}],'mergingList':[{'name':3,'value':3},"
	 "{'name':1,'value':1}]}",
	 "{'mergingList':[{'name':3,'value':3},{'name':1,'value':1}]}", 0, NULL, MI},
	{"$setElementOrder names an int the list lacks", "{'mergingIntList':[1,3]}",
	 "{'$setElementOrder/mergingIntList':[3,2,1]}", "{'mergingIntList':[3,1]}", 0, NULL, MI},
	{"$setElementOrder and patch list disagree", "{'mergingList':[{'name':1},{'name':3},{'name':2}]}",
	 "{'$setElementOrder/mergingList':[{'name':1},{'name':2},{'name':3}],'mergingList':[{'name':3,'value':3},"
	 "{'name':1,'value':1}]}",
	 NULL, SK_EIO,
	 "the order in patch list: [map[name:3 value:3] map[name:1 value:1]] doesn't match $setElementOrder list: "
	 "[map[name:1] map[name:2] map[name:3]]",
	 MI},
	{"$setElementOrder and int list disagree", "{'mergingIntList':[1,3,2]}",
	 "{'$setElementOrder/mergingIntList':[1,2,3],'mergingIntList':[3,1]}", NULL, SK_EIO, "doesn't match", MI},
	{"missing merge key", "{'mergingList':[{'name':1,'value':'a'}]}", "{'mergingList':[{'value':'b'}]}", NULL,
	 SK_EIO, "map: map[value:b] does not contain declared merge key: name", MI},
	{"$deleteFromPrimitiveList of a missing item", "{'mergingIntList':[1,2]}",
	 "{'$deleteFromPrimitiveList/mergingIntList':[3]}", "{'mergingIntList':[1,2]}", 0, NULL, MI},
	{"$deleteFromPrimitiveList on a null list", "{'mergingIntList':null}",
	 "{'$deleteFromPrimitiveList/mergingIntList':[3]}", "{'mergingIntList':null}", 0, NULL, MI},
	{"$deleteFromPrimitiveList on a missing list", "{'foo':['bar']}",
	 "{'$deleteFromPrimitiveList/mergingIntList':[3]}", "{'foo':['bar']}", 0, NULL, MI},
	{"$deleteFromPrimitiveList on a merge list", "{'mergingIntList':[1,2,3]}",
	 "{'$deleteFromPrimitiveList/mergingIntList':[2]}", "{'mergingIntList':[1,3]}", 0, NULL, MI},
	{"$deleteFromPrimitiveList on a list without strategy", "{'nonMergingIntList':[1,2,3]}",
	 "{'$deleteFromPrimitiveList/nonMergingIntList':[2]}", "{'nonMergingIntList':[1,3]}", 0, NULL, MI},
	/* strategicMergePatchRawTestCases: current + threeWay = result */
	{"delete items in lists of scalars", "{'mergingIntList':[1,2,3,4]}",
	 "{'$setElementOrder/mergingIntList':[1,2],'$deleteFromPrimitiveList/mergingIntList':[3]}",
	 "{'mergingIntList':[1,2,4]}", 0, NULL, MI},
	{"delete all duplicate items in lists of scalars", "{'mergingIntList':[1,2,3,3,4]}",
	 "{'$setElementOrder/mergingIntList':[1,2],'$deleteFromPrimitiveList/mergingIntList':[3]}",
	 "{'mergingIntList':[1,2,4]}", 0, NULL, MI},
	{"add and delete items in lists of scalars", "{'mergingIntList':[1,2,3]}",
	 "{'$setElementOrder/mergingIntList':[1,2,4],'$deleteFromPrimitiveList/mergingIntList':[3],"
	 "'mergingIntList':[4]}",
	 "{'mergingIntList':[1,2,4]}", 0, NULL, MI},
	{"merge lists of maps", "{'mergingList':[{'name':1,'other':'a'},{'name':2,'value':2,'other':'b'}]}",
	 "{'$setElementOrder/mergingList':[{'name':4},{'name':1},{'name':2},{'name':3}],'mergingList':[{'name':4,"
	 "'value':4},{'name':3,'value':3}]}",
	 "{'mergingList':[{'name':4,'value':4},{'name':1,'other':'a'},{'name':2,'value':2,'other':'b'},{'name':3,"
	 "'value':3}]}",
	 0, NULL, MI},
	{"merge lists of maps with conflict", "{'mergingList':[{'name':1,'other':'a'},{'name':2,'value':3,'other':'b'}]}",
	 "{'$setElementOrder/mergingList':[{'name':1},{'name':2},{'name':3}],'mergingList':[{'name':2,'value':2},"
	 "{'name':3,'value':3}]}",
	 "{'mergingList':[{'name':1,'other':'a'},{'name':2,'value':2,'other':'b'},{'name':3,'value':3}]}", 0, NULL,
	 MI},
	{"add field to map in merging list with conflict",
	 "{'mergingList':[{'name':1,'other':'a'},{'name':3,'value':2,'other':'b'}]}",
	 "{'$setElementOrder/mergingList':[{'name':1},{'name':2}],'mergingList':[{'name':1,'value':1},{'name':2,"
	 "'value':2}]}",
	 "{'mergingList':[{'name':1,'value':1,'other':'a'},{'name':2,'value':2},{'name':3,'value':2,'other':'b'}]}",
	 0, NULL, MI},
	{"delete duplicate field in merging list", "{'mergingList':[{'name':1},{'name':1}]}", "{'mergingList':{}}",
	 "{'mergingList':{}}", 0, NULL, MI},
	{"delete map from merging list", "{'mergingList':[{'name':1},{'name':2,'other':'b'}]}",
	 "{'$setElementOrder/mergingList':[{'name':2}],'mergingList':[{'name':1,'$patch':'delete'}]}",
	 "{'mergingList':[{'name':2,'other':'b'}]}", 0, NULL, MI},
	{"delete missing map from merging list with conflict", "{'mergingList':[{'name':3,'other':'a'}]}",
	 "{'$setElementOrder/mergingList':[{'name':2}],'mergingList':[{'name':2},{'name':1,'$patch':'delete'}]}",
	 "{'mergingList':[{'name':2},{'name':3,'other':'a'}]}", 0, NULL, MI},
	/* these two depend on Go appending into the backing array the
	 * deletion freed (see merge_slice) */
	{"add map and delete map from merging list",
	 "{'mergingList':[{'name':1},{'name':2,'other':'b'},{'name':4,'other':'c'}]}",
	 "{'$setElementOrder/mergingList':[{'name':2},{'name':3}],'mergingList':[{'name':3},{'name':1,'$patch':"
	 "'delete'}]}",
	 "{'mergingList':[{'name':2,'other':'b'},{'name':4,'other':'c'},{'name':3}]}", 0, NULL, MI},
	{"add map and delete map from merging list with conflict",
	 "{'mergingList':[{'name':1,'other':'a'},{'name':4,'other':'c'}]}",
	 "{'$setElementOrder/mergingList':[{'name':2},{'name':3}],'mergingList':[{'name':2},{'name':3},{'name':1,"
	 "'$patch':'delete'}]}",
	 "{'mergingList':[{'name':4,'other':'c'},{'name':2},{'name':3}]}", 0, NULL, MI},
	{"delete field from map in merging list",
	 "{'mergingList':[{'name':1,'value':1,'other':'a'},{'name':2,'value':2,'other':'b'}]}",
	 "{'$setElementOrder/mergingList':[{'name':1},{'name':2}],'mergingList':[{'name':1,'value':null}]}",
	 "{'mergingList':[{'name':1,'other':'a'},{'name':2,'value':2,'other':'b'}]}", 0, NULL, MI},
	{"replace non merging list nested in merging list",
	 "{'mergingList':[{'name':1,'other':'a','nonMergingList':[{'name':1},{'name':2,'value':2}]},{'name':2,"
	 "'other':'b'}]}",
	 "{'$setElementOrder/mergingList':[{'name':1},{'name':2}],'mergingList':[{'name':1,'nonMergingList':[{"
	 "'name':1,'value':1}]}]}",
	 "{'mergingList':[{'name':1,'other':'a','nonMergingList':[{'name':1,'value':1}]},{'name':2,'other':'b'}]}",
	 0, NULL, MI},
	{"add field to map in merging list nested in merging list",
	 "{'mergingList':[{'name':1,'other':'a','mergingList':[{'name':1},{'name':2,'value':2}]},{'name':2,'other':"
	 "'b'}]}",
	 "{'$setElementOrder/mergingList':[{'name':1},{'name':2}],'mergingList':[{'$setElementOrder/mergingList':[{"
	 "'name':1},{'name':2}],'name':1,'mergingList':[{'name':1,'value':1}]}]}",
	 "{'mergingList':[{'name':1,'other':'a','mergingList':[{'name':1,'value':1},{'name':2,'value':2}]},{'name':"
	 "2,'other':'b'}]}",
	 0, NULL, MI},
	{"nested merging list reordered",
	 "{'mergingList':[{'name':1,'other':'a','mergingList':[{'name':2,'value':2,'other':'d'}]},{'name':2,"
	 "'other':'b'}]}",
	 "{'$setElementOrder/mergingList':[{'name':1},{'name':2}],'mergingList':[{'$setElementOrder/mergingList':[{"
	 "'name':2},{'name':1}],'name':1,'mergingList':[{'name':1,'value':1}]}]}",
	 "{'mergingList':[{'name':1,'other':'a','mergingList':[{'name':2,'value':2,'other':'d'},{'name':1,'value':"
	 "1}]},{'name':2,'other':'b'}]}",
	 0, NULL, MI},
	{"add map to merging list by pointer", "{'mergeItemPtr':[{'name':1,'other':'a'},{'name':3}]}",
	 "{'$setElementOrder/mergeItemPtr':[{'name':1},{'name':2}],'mergeItemPtr':[{'name':2}]}",
	 "{'mergeItemPtr':[{'name':1,'other':'a'},{'name':2},{'name':3}]}", 0, NULL, MI},
	{"add map to merging list by pointer with conflict", "{'mergeItemPtr':[{'name':3}]}",
	 "{'$setElementOrder/mergeItemPtr':[{'name':1},{'name':2}],'mergeItemPtr':[{'name':1},{'name':2}]}",
	 "{'mergeItemPtr':[{'name':1},{'name':2},{'name':3}]}", 0, NULL, MI},
	{"add field to map in merging list by pointer with conflict",
	 "{'mergeItemPtr':[{'name':1,'other':'a','mergeItemPtr':[{'name':1,'value':'a'},{'name':2,'value':2,"
	 "'other':'b'}]},{'name':2,'other':'b'}]}",
	 "{'$setElementOrder/mergeItemPtr':[{'name':1},{'name':2}],'mergeItemPtr':[{'$setElementOrder/mergeItemPtr':"
	 "[{'name':1},{'name':2}],'name':1,'mergeItemPtr':[{'name':1,'value':1}]}]}",
	 "{'mergeItemPtr':[{'name':1,'other':'a','mergeItemPtr':[{'name':1,'value':1},{'name':2,'value':2,'other':"
	 "'b'}]},{'name':2,'other':'b'}]}",
	 0, NULL, MI},
	{"merge lists of scalars", "{'mergingIntList':[1,2,4]}",
	 "{'$setElementOrder/mergingIntList':[1,2,3],'mergingIntList':[3]}", "{'mergingIntList':[1,2,3,4]}", 0, NULL,
	 MI},
	{"add duplicate field to map in merging int list", "{'mergingIntList':[1,2,3]}", "{}",
	 "{'mergingIntList':[1,2,3]}", 0, NULL, MI},
	{"add an item in a list of primitives and preserve order", "{'mergingIntList':[1,4,2]}",
	 "{'$setElementOrder/mergingIntList':[3,1,2],'mergingIntList':[3]}", "{'mergingIntList':[3,1,4,2]}", 0,
	 NULL, MI},
	{"delete an item in a list of primitives and preserve order", "{'mergingIntList':[1,2,3]}",
	 "{'$setElementOrder/mergingIntList':[2,1],'$deleteFromPrimitiveList/mergingIntList':[3]}",
	 "{'mergingIntList':[2,1]}", 0, NULL, MI},
	{"add an item in a list and preserve order", "{'mergingList':[{'name':1,'other':'a'},{'name':2,'value':2,"
	                                             "'other':'b'}]}",
	 "{'$setElementOrder/mergingList':[{'name':3},{'name':1},{'name':2}],'mergingList':[{'name':3,'value':3}]}",
	 "{'mergingList':[{'name':3,'value':3},{'name':1,'other':'a'},{'name':2,'value':2,'other':'b'}]}", 0, NULL,
	 MI},
	{"add multiple items in a list and preserve order",
	 "{'mergingList':[{'name':1,'other':'a'},{'name':2,'value':2,'other':'b'}]}",
	 "{'$setElementOrder/mergingList':[{'name':1},{'name':4},{'name':2},{'name':3}],'mergingList':[{'name':4,"
	 "'value':4},{'name':3,'value':3}]}",
	 "{'mergingList':[{'name':1,'other':'a'},{'name':4,'value':4},{'name':2,'value':2,'other':'b'},{'name':3,"
	 "'value':3}]}",
	 0, NULL, MI},
	{"delete an item in a list and preserve order",
	 "{'mergingList':[{'name':1,'other':'a'},{'name':2,'value':2,'other':'b'},{'name':3,'value':3}]}",
	 "{'$setElementOrder/mergingList':[{'name':2},{'name':1}],'mergingList':[{'name':3,'$patch':'delete'}]}",
	 "{'mergingList':[{'name':2,'value':2,'other':'b'},{'name':1,'other':'a'}]}", 0, NULL, MI},
	{"change an item in a list and preserve order",
	 "{'mergingList':[{'name':1,'other':'a'},{'name':2,'value':2,'other':'b'},{'name':3,'value':3}]}",
	 "{'$setElementOrder/mergingList':[{'name':2},{'name':3},{'name':1}],'mergingList':[{'name':3,'value':'x'}]}",
	 "{'mergingList':[{'name':2,'value':2,'other':'b'},{'name':3,'value':'x'},{'name':1,'other':'a'}]}", 0, NULL,
	 MI},
	{"add and delete an item in a list and preserve order",
	 "{'mergingList':[{'name':1,'other':'a'},{'name':2,'value':2,'other':'b'},{'name':3,'value':3}]}",
	 "{'$setElementOrder/mergingList':[{'name':4},{'name':2},{'name':1}],'mergingList':[{'name':4,'value':4},{"
	 "'name':3,'$patch':'delete'}]}",
	 "{'mergingList':[{'name':4,'value':4},{'name':2,'value':2,'other':'b'},{'name':1,'other':'a'}]}", 0, NULL,
	 MI},
	{"set elements order in a list with server-only items",
	 "{'mergingList':[{'name':1,'other':'a'},{'name':3,'value':3},{'name':4,'value':4},{'name':2,'value':2},{"
	 "'name':9}]}",
	 "{'$setElementOrder/mergingList':[{'name':4},{'name':2},{'name':3},{'name':1}]}",
	 "{'mergingList':[{'name':4,'value':4},{'name':2,'value':2},{'name':3,'value':3},{'name':1,'other':'a'},{"
	 "'name':9}]}",
	 0, NULL, MI},
	{"set elements order in a list with server-only items 2",
	 "{'mergingList':[{'name':1,'other':'a'},{'name':2,'value':2},{'name':9},{'name':3,'value':3},{'name':4,"
	 "'value':4}]}",
	 "{'$setElementOrder/mergingList':[{'name':2},{'name':1},{'name':4},{'name':3}]}",
	 "{'mergingList':[{'name':2,'value':2},{'name':1,'other':'a'},{'name':9},{'name':4,'value':4},{'name':3,"
	 "'value':3}]}",
	 0, NULL, MI},
	{"set elements order in a list with server-only items 3",
	 "{'mergingList':[{'name':1,'other':'a'},{'name':2,'value':2},{'name':7},{'name':9},{'name':8},{'name':3,"
	 "'value':3},{'name':4,'value':4}]}",
	 "{'$setElementOrder/mergingList':[{'name':2},{'name':1},{'name':4},{'name':3}]}",
	 "{'mergingList':[{'name':2,'value':2},{'name':1,'other':'a'},{'name':7},{'name':9},{'name':8},{'name':4,"
	 "'value':4},{'name':3,'value':3}]}",
	 0, NULL, MI},
	{"add multiple items in a int list and preserve order", "{'mergingIntList':[1,2]}",
	 "{'$setElementOrder/mergingIntList':[1,4,2,3],'mergingIntList':[4,3]}", "{'mergingIntList':[1,4,2,3]}", 0,
	 NULL, MI},
	/* retainKeys */
	{"retainKeys map changes a field in a nested map",
	 "{'retainKeysMap':{'name':'foo','value':'bar','simpleMap':{'key1':'new','key2':'b','key3':'c'}}}",
	 "{'retainKeysMap':{'$retainKeys':['name','simpleMap','value'],'simpleMap':{'key1':'modified'}}}",
	 "{'retainKeysMap':{'name':'foo','value':'bar','simpleMap':{'key1':'modified','key2':'b','key3':'c'}}}", 0,
	 NULL, MI},
	{"retainKeys map replaces non-merging list",
	 "{'retainKeysMap':{'name':'foo','value':'bar','nonMergingList':[{'name':'a'},{'name':'b'}]}}",
	 "{'retainKeysMap':{'$retainKeys':['name','nonMergingList','value'],'nonMergingList':[{'name':'a'},{'name':"
	 "'c'},{'name':'b'}]}}",
	 "{'retainKeysMap':{'name':'foo','value':'bar','nonMergingList':[{'name':'a'},{'name':'c'},{'name':'b'}]}}",
	 0, NULL, MI},
	{"retainKeys map nested merging int list with no change",
	 "{'retainKeysMap':{'name':'foo','mergingIntList':[1,2,3]}}",
	 "{'retainKeysMap':{'$retainKeys':['mergingIntList','name','value'],'$setElementOrder/mergingIntList':[1,2],"
	 "'value':'bar'}}",
	 "{'retainKeysMap':{'name':'foo','value':'bar','mergingIntList':[1,2,3]}}", 0, NULL, MI},
	{"retainKeys map adds an item in nested merging int list",
	 "{'retainKeysMap':{'name':'foo','mergingIntList':[1,2,3]}}",
	 "{'retainKeysMap':{'$setElementOrder/mergingIntList':[1,2,4],'$retainKeys':['mergingIntList','name'],"
	 "'mergingIntList':[4]}}",
	 "{'retainKeysMap':{'name':'foo','mergingIntList':[1,2,4,3]}}", 0, NULL, MI},
	{"retainKeys map deletes an item in nested merging int list",
	 "{'retainKeysMap':{'name':'foo','mergingIntList':[1,2,3,4]}}",
	 "{'retainKeysMap':{'$retainKeys':['mergingIntList','name'],'$deleteFromPrimitiveList/mergingIntList':[2],"
	 "'$setElementOrder/mergingIntList':[1,3]}}",
	 "{'retainKeysMap':{'name':'foo','mergingIntList':[1,3,4]}}", 0, NULL, MI},
	{"retainKeys map adds an item and deletes an item in nested merging int list",
	 "{'retainKeysMap':{'name':'foo','mergingIntList':[1,2,3,4]}}",
	 "{'retainKeysMap':{'$retainKeys':['mergingIntList','name'],'mergingIntList':[5],"
	 "'$deleteFromPrimitiveList/mergingIntList':[2],'$setElementOrder/mergingIntList':[1,3,5]}}",
	 "{'retainKeysMap':{'name':'foo','mergingIntList':[1,3,5,4]}}", 0, NULL, MI},
	{"retainKeys map deletes nested merging int list", "{'retainKeysMap':{'name':'foo','mergingIntList':[1,2,3]}}",
	 "{'retainKeysMap':{'$retainKeys':['name'],'mergingIntList':null}}", "{'retainKeysMap':{'name':'foo'}}", 0,
	 NULL, MI},
	{"retainKeys map adds an item in nested merging list",
	 "{'retainKeysMap':{'name':'foo','mergingList':[{'name':'a'},{'name':'b'},{'name':'x'}]}}",
	 "{'retainKeysMap':{'$retainKeys':['mergingList','name'],'$setElementOrder/mergingList':[{'name':'a'},{"
	 "'name':'b'},{'name':'c'}],'mergingList':[{'name':'c'}]}}",
	 "{'retainKeysMap':{'name':'foo','mergingList':[{'name':'a'},{'name':'b'},{'name':'c'},{'name':'x'}]}}", 0,
	 NULL, MI},
	{"retainKeys map deletes an item in nested merging list",
	 "{'retainKeysMap':{'name':'foo','mergingList':[{'name':'a'},{'name':'b'},{'name':'x'}]}}",
	 "{'retainKeysMap':{'$retainKeys':['mergingList','name'],'$setElementOrder/mergingList':[{'name':'a'}],"
	 "'mergingList':[{'name':'b','$patch':'delete'}]}}",
	 "{'retainKeysMap':{'name':'foo','mergingList':[{'name':'a'},{'name':'x'}]}}", 0, NULL, MI},
	{"retainKeys clears what it does not list", "{'retainKeysMap':{'name':'foo','value':'v','other':'o'}}",
	 "{'retainKeysMap':{'$retainKeys':['name','other'],'other':'p'}}",
	 "{'retainKeysMap':{'name':'foo','other':'p'}}", 0, NULL, MI},
	{"retainKeys on a merge list element",
	 "{'retainKeysMergingList':[{'name':'a','value':'v','other':'o'}]}",
	 "{'retainKeysMergingList':[{'name':'a','$retainKeys':['name','value'],'value':'w'}]}",
	 "{'retainKeysMergingList':[{'name':'a','value':'w'}]}", 0, NULL, MI},
	{"retainKeys missing a patched key", "{'retainKeysMap':{'name':'foo'}}",
	 "{'retainKeysMap':{'$retainKeys':['name'],'value':'x'}}", NULL, SK_EBADREQUEST,
	 "invalid patch format of retainKeys", MI},
	{"retainKeys not a list", "{'retainKeysMap':{'name':'foo'}}", "{'retainKeysMap':{'$retainKeys':'name'}}", NULL,
	 SK_EBADREQUEST, "invalid patch format of retainKeys", MI},
	{"replace strategy", "{'replacingItem':{'Some':'Generic','Yaml':'Inside'},'name':'x'}",
	 "{'replacingItem':{'Newly':'Modified','Yaml':'Inside'}}",
	 "{'replacingItem':{'Newly':'Modified','Yaml':'Inside'},'name':'x'}", 0, NULL, MI},
	/* errors */
	{"unknown $patch in a map", "{'simpleMap':{'a':'b'}}", "{'simpleMap':{'$patch':'foo'}}", NULL, SK_EIO,
	 "unknown patch type: foo in map: map[$patch:foo]", MI},
	{"$patch merge in a map", "{'simpleMap':{'a':'b'}}", "{'simpleMap':{'$patch':'merge','c':'d'}}", NULL, SK_EIO,
	 "unknown patch type: merge in map: map[$patch:merge c:d]", MI},
	{"$patch not a string", "{'simpleMap':{'a':'b'}}", "{'simpleMap':{'$patch':1}}", NULL, SK_EIO,
	 "unknown patch type: %!s(int64=1) in map: map[$patch:1]", MI},
	{"$patch merge in a list", "{'mergingList':[{'name':1}]}", "{'mergingList':[{'$patch':'merge'}]}", NULL, SK_EIO,
	 "merging lists cannot yet be specified in the patch", MI},
	{"unknown $patch in a list", "{'mergingList':[{'name':1}]}", "{'mergingList':[{'name':1,'$patch':'x'}]}", NULL,
	 SK_EIO, "unknown patch type: x in map: map[$patch:x name:1]", MI},
	{"delete without merge key", "{'mergingList':[{'name':1}]}", "{'mergingList':[{'$patch':'delete'}]}", NULL,
	 SK_EIO, "map: map[$patch:delete] does not contain declared merge key: name", MI},
	{"server element without merge key", "{'mergingList':[{'value':'x'}]}", "{'mergingList':[{'name':'a'}]}", NULL,
	 SK_EIO, "map: map[value:x] does not contain declared merge key: name", MI},
	{"scalars in a list merged by key", "{'mergingList':[]}", "{'mergingList':['a']}", NULL, SK_EIO,
	 "expected a map[string]interface {}, but received a string", MI},
	{"list element types differ", "{'mergingIntList':[1]}", "{'mergingIntList':['a']}", NULL, SK_EIO,
	 "list element types are not identical: [[1] [a]]", MI},
	{"list of lists", "{'mergingIntList':[[1]]}", "{'mergingIntList':[[2]]}", NULL, SK_EINVALID,
	 "lists of lists are not supported", MI},
	{"merge strategy without merge key", "{'noKeyList':[{'name':'a'}]}", "{'noKeyList':[{'name':'b'}]}", NULL,
	 SK_EIO, "cannot merge lists without merge key for struct", MI},
	{"bad $setElementOrder key", "{}", "{'$setElementOrderx':[]}", NULL, SK_EBADREQUEST,
	 "invalid patch format of setElementOrder list", MI},
	{"$setElementOrder not a list", "{'mergingList':[]}", "{'$setElementOrder/mergingList':'a'}", NULL, SK_EIO,
	 "expected a []interface {}, but received a string", MI},
	{"$setElementOrder of an object", "{'simpleMap':{}}", "{'$setElementOrder/simpleMap':[]}", NULL, SK_EIO,
	 "expected a []interface {}, but received a map[string]interface {}", MI},
	{"$setElementOrder of nothing at all", "{'mergingList':[]}", "{'$setElementOrder/mergingList':[]}", NULL, SK_EIO,
	 "no elements in any of the given slices", MI},
	{"$setElementOrder item not a map", "{'mergingList':[{'name':1}]}", "{'$setElementOrder/mergingList':[1]}",
	 NULL, SK_EIO, "value for key 0 is not a map", MI},
	{"bad $deleteFromPrimitiveList key", "{}", "{'$deleteFromPrimitiveListx':[1]}", NULL, SK_EBADREQUEST,
	 "invalid patch format of primitive list", MI},
	{"patch not an object", "{}", "[1]", NULL, SK_EBADREQUEST,
	 "json: cannot unmarshal array into Go value of type map[string]interface {}", MI},
	/* values the patch inserts whole lose nulls and directives */
	{"new field drops nulls", "{}", "{'simpleMap':{'a':null,'b':'c'},'mergingList':[{'name':1,'value':null}]}",
	 "{'simpleMap':{'b':'c'},'mergingList':[{'name':1}]}", 0, NULL, MI},
	{"new field with $patch delete is not set", "{'name':'x'}", "{'simpleMap':{'$patch':'delete'}}",
	 "{'name':'x'}", 0, NULL, MI},
	{"new list drops $patch elements", "{}",
	 "{'mergingList':[{'name':1,'$patch':'delete'},{'name':2,'mergingList':[{'name':3,'$patch':'replace'}],"
	 "'$setElementOrder/mergingList':[{'name':3}]}]}",
	 "{'mergingList':[{'name':2,'mergingList':[]}]}", 0, NULL, MI},
	{"appended element keeps its shape", "{'mergingList':[{'name':1}]}",
	 "{'mergingList':[{'name':2,'simpleMap':{'$patch':'replace','a':'b'},'value':null}]}",
	 "{'mergingList':[{'name':2,'simpleMap':{'a':'b'}},{'name':1}]}", 0, NULL, MI},
	{"type change replaces", "{'value':'x','mergingList':{'a':1}}", "{'value':{'a':null,'b':1},'mergingList':[]}",
	 "{'value':{'b':1},'mergingList':[]}", 0, NULL, MI},
	{"free-form object merges", "{'free':{'a':{'b':1,'c':[1]},'d':2}}", "{'free':{'a':{'b':null,'c':[2]}}}",
	 "{'free':{'a':{'c':[2]},'d':2}}", 0, NULL, MI},
	{"unknown field merges", "{'extra':{'a':1,'l':[1,2]}}", "{'extra':{'b':2,'l':[3]}}",
	 "{'extra':{'a':1,'b':2,'l':[3]}}", 0, NULL, MI},
	{"two patch elements with one key", "{'mergingList':[{'name':'x'},{'name':'z'}]}",
	 "{'mergingList':[{'name':'z'},{'name':'z','value':'1'}]}",
	 "{'mergingList':[{'name':'x'},{'name':'z','value':'1'}]}", 0, NULL, MI},
	{"empty $setElementOrder reverses new items (Go's sort)", "{}",
	 "{'$setElementOrder/mergingList':[],'mergingList':[{'name':1},{'name':2},{'name':3}]}",
	 "{'mergingList':[{'name':3},{'name':2},{'name':1}]}", 0, NULL, MI},
	{"top-level $patch delete", "{'name':'x'}", "{'$patch':'delete'}", "{}", 0, NULL, MI},
	{"null patch", "{'name':'x'}", "null", "{'name':'x'}", 0, NULL, MI},
};

static void test_strategic_upstream(void **state)
{
	(void)state;
	run(F_SMP, smp_cases, N(smp_cases));
}

/* a value nested depth levels deep: {'a':{'a':...1}} */
static json_t *nested(int depth)
{
	json_t *v = json_integer(1);
	for (int i = 0; i < depth; i++)
		v = json_pack("{s:o}", "a", v);
	return v;
}

/* a path of n tokens "/a/a/..." */
static char *path_of(int n)
{
	char *p = malloc((size_t)n * 2 + 1);
	for (int i = 0; i < n; i++)
		memcpy(p + 2 * i, "/a", 2);
	p[2 * n] = 0;
	return p;
}

static int apply(enum fmt f, json_t **doc, json_t *patch, sk_err *err)
{
	int rc = f == F_JSON ? patch_json(doc, patch, err)
	         : f == F_MERGE ? patch_merge(doc, patch, err)
	                        : patch_strategic(doc, patch, schema_type(MI), err);
	json_decref(patch);
	return rc;
}

/* nothing a client sends nests deeper than PATCH_MAX_DEPTH, while documents
 * already deeper stay patchable where the patch stays shallow */
static void test_depth_limits(void **state)
{
	(void)state;
	sk_err err = {0};
	json_t *doc;
	for (enum fmt f = F_MERGE; f <= F_SMP; f++) {
		doc = json_object();
		assert_int_equal(apply(f, &doc, nested(PATCH_MAX_DEPTH), &err), SK_OK);
		assert_int_equal(apply(f, &doc, nested(PATCH_MAX_DEPTH + 1), &err), SK_EBADREQUEST);
		assert_string_equal(err.msg, "the patch nests deeper than 100 levels");
		json_decref(doc);
	}
	doc = json_object();
	assert_int_equal(apply(F_JSON, &doc, json_pack("[{s:s,s:s,s:o}]", "op", "add", "path", "/a", "value",
	                                               nested(PATCH_MAX_DEPTH - 1)), &err), SK_OK);
	assert_int_equal(apply(F_JSON, &doc, json_pack("[{s:s,s:s,s:o}]", "op", "add", "path", "/b", "value",
	                                               nested(PATCH_MAX_DEPTH)), &err), SK_EINVALID);
	assert_string_equal(err.msg, "add operation does not apply: the document would nest deeper than 100 levels");
	assert_int_equal(apply(F_JSON, &doc, json_pack("[{s:s,s:s,s:o}]", "op", "add", "path", "/b", "value",
	                                               nested(PATCH_MAX_DEPTH + 1)), &err), SK_EBADREQUEST);
	/* copying a deep value one level down would pass the limit */
	assert_int_equal(apply(F_JSON, &doc, J("[{'op':'copy','from':'/a','path':'/a/a/a/b'}]"), &err), SK_EINVALID);
	json_decref(doc);

	/* a document deeper than the limit, patched near its top and deep down */
	char *deep = path_of(120), *op;
	for (enum fmt f = F_JSON; f <= F_SMP; f++) {
		doc = nested(150);
		json_object_set_new(doc, "b", json_integer(0));
		assert_int_equal(apply(f, &doc, f == F_JSON ? J("[{'op':'replace','path':'/b','value':2}]") : J("{'b':2}"),
		                       &err),
		                 SK_OK);
		assert_int_equal(json_integer_value(json_object_get(doc, "b")), 2);
		json_decref(doc);
	}
	doc = nested(150);
	assert_int_equal(asprintf(&op, "[{\"op\":\"add\",\"path\":\"%s/x\",\"value\":1}]", deep) > 0, 1);
	assert_int_equal(apply(F_JSON, &doc, json_loads(op, 0, NULL), &err), SK_OK);
	free(op);
	assert_int_equal(asprintf(&op, "[{\"op\":\"add\",\"path\":\"%s/x\",\"value\":{}}]", deep) > 0, 1);
	assert_int_equal(apply(F_JSON, &doc, json_loads(op, 0, NULL), &err), SK_EINVALID);
	free(op);
	free(deep);
	json_decref(doc);
}

/* ---- strategic merge patch: what kubectl sends ------------------------------ */

#define POD "test.patch.Pod"
#define DEP "test.patch.Deployment"
#define SVC "test.patch.Service"

static const char pod[] =
	"{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'app':'web','tier':'fe'},"
	"'finalizers':['a.io/x'],'ownerReferences':[{'uid':'u1','name':'rs'}]},"
	"'spec':{'containers':[{'name':'app','image':'app:1','args':['-v'],"
	"'env':[{'name':'A','value':'1'},{'name':'B','value':'2'}],"
	"'ports':[{'containerPort':80,'protocol':'TCP'}],'volumeMounts':[{'name':'cfg','mountPath':'/etc/app'}]},"
	"{'name':'istio-proxy','image':'proxy:1'}],"
	"'volumes':[{'name':'cfg','configMap':{'name':'app-cfg'}}],'tolerations':[{'key':'a','operator':'Exists'}],"
	"'nodeSelector':{'disk':'ssd'}}}";

static const struct tc kubectl_cases[] = {
	{"apply: new image, sidecar kept", pod,
	 "{'spec':{'$setElementOrder/containers':[{'name':'app'}],'containers':[{'name':'app','image':'app:2'}]}}",
	 "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'app':'web','tier':'fe'},"
	 "'finalizers':['a.io/x'],'ownerReferences':[{'uid':'u1','name':'rs'}]},"
	 "'spec':{'containers':[{'name':'app','image':'app:2','args':['-v'],"
	 "'env':[{'name':'A','value':'1'},{'name':'B','value':'2'}],"
	 "'ports':[{'containerPort':80,'protocol':'TCP'}],'volumeMounts':[{'name':'cfg','mountPath':'/etc/app'}]},"
	 "{'name':'istio-proxy','image':'proxy:1'}],"
	 "'volumes':[{'name':'cfg','configMap':{'name':'app-cfg'}}],'tolerations':[{'key':'a','operator':'Exists'}],"
	 "'nodeSelector':{'disk':'ssd'}}}",
	 0, NULL, POD},
	{"apply: env by name", "{'spec':{'containers':[{'name':'app','env':[{'name':'A','value':'1'},{'name':'B'}]}]}}",
	 "{'spec':{'$setElementOrder/containers':[{'name':'app'}],'containers':[{'name':'app',"
	 "'$setElementOrder/env':[{'name':'A'},{'name':'C'}],'env':[{'name':'C','value':'3'},{'name':'B','$patch':"
	 "'delete'}]}]}}",
	 "{'spec':{'containers':[{'name':'app','env':[{'name':'A','value':'1'},{'name':'C','value':'3'}]}]}}", 0, NULL,
	 POD},
	{"apply: env value from secret", "{'spec':{'containers':[{'name':'app','env':[{'name':'A','value':'1'}]}]}}",
	 "{'spec':{'containers':[{'name':'app','env':[{'name':'A','value':null,'valueFrom':{'secretKeyRef':{'name':"
	 "'s','key':'k'}}}]}]}}",
	 "{'spec':{'containers':[{'name':'app','env':[{'name':'A','valueFrom':{'secretKeyRef':{'name':'s','key':"
	 "'k'}}}]}]}}",
	 0, NULL, POD},
	{"apply: ports by containerPort",
	 "{'spec':{'containers':[{'name':'app','ports':[{'containerPort':80,'protocol':'TCP','name':'http'}]}]}}",
	 "{'spec':{'containers':[{'name':'app','$setElementOrder/ports':[{'containerPort':80},{'containerPort':443}],"
	 "'ports':[{'containerPort':443,'protocol':'TCP'}]}]}}",
	 "{'spec':{'containers':[{'name':'app','ports':[{'containerPort':80,'protocol':'TCP','name':'http'},{"
	 "'containerPort':443,'protocol':'TCP'}]}]}}",
	 0, NULL, POD},
	{"apply: port removed", "{'spec':{'containers':[{'name':'app','ports':[{'containerPort':80},{'containerPort':"
	                        "443}]}]}}",
	 "{'spec':{'containers':[{'name':'app','$setElementOrder/ports':[{'containerPort':443}],'ports':[{"
	 "'containerPort':80,'$patch':'delete'}]}]}}",
	 "{'spec':{'containers':[{'name':'app','ports':[{'containerPort':443}]}]}}", 0, NULL, POD},
	{"apply: volume source switched with $retainKeys",
	 "{'spec':{'volumes':[{'name':'data','configMap':{'name':'c'}},{'name':'other','emptyDir':{}}]}}",
	 "{'spec':{'$setElementOrder/volumes':[{'name':'data'},{'name':'other'}],'volumes':[{'$retainKeys':["
	 "'emptyDir','name'],'emptyDir':{},'name':'data'}]}}",
	 "{'spec':{'volumes':[{'name':'data','emptyDir':{}},{'name':'other','emptyDir':{}}]}}", 0, NULL, POD},
	{"apply: volume added before a server one", "{'spec':{'volumes':[{'name':'cfg'},{'name':'kube-api-access'}]}}",
	 "{'spec':{'$setElementOrder/volumes':[{'name':'data'},{'name':'cfg'}],'volumes':[{'name':'data','emptyDir':"
	 "{}}]}}",
	 "{'spec':{'volumes':[{'name':'data','emptyDir':{}},{'name':'cfg'},{'name':'kube-api-access'}]}}", 0, NULL,
	 POD},
	{"apply: container replaced, sidecar stays",
	 "{'spec':{'containers':[{'name':'old'},{'name':'app'},{'name':'istio-proxy'}]}}",
	 "{'spec':{'$setElementOrder/containers':[{'name':'app'},{'name':'new'}],'containers':[{'name':'new',"
	 "'image':'n'},{'name':'old','$patch':'delete'}]}}",
	 "{'spec':{'containers':[{'name':'app'},{'name':'istio-proxy'},{'name':'new','image':'n'}]}}", 0, NULL, POD},
	{"apply: finalizer added in order", "{'metadata':{'finalizers':['a','x']}}",
	 "{'metadata':{'$setElementOrder/finalizers':['a','b'],'finalizers':['b']}}",
	 "{'metadata':{'finalizers':['a','b','x']}}", 0, NULL, POD},
	{"apply: finalizer removed", "{'metadata':{'finalizers':['a','b','x']}}",
	 "{'metadata':{'$setElementOrder/finalizers':['a'],'$deleteFromPrimitiveList/finalizers':['b']}}",
	 "{'metadata':{'finalizers':['a','x']}}", 0, NULL, POD},
	{"patch: finalizer added first", "{'metadata':{'finalizers':['a']}}", "{'metadata':{'finalizers':['b','a']}}",
	 "{'metadata':{'finalizers':['b','a']}}", 0, NULL, POD},
	{"patch: finalizers set semantics", "{'metadata':{'finalizers':['a']}}", "{'metadata':{'finalizers':['b']}}",
	 "{'metadata':{'finalizers':['b','a']}}", 0, NULL, POD},
	{"patch: all finalizers removed", "{'metadata':{'finalizers':['a']}}", "{'metadata':{'finalizers':null}}",
	 "{'metadata':{}}", 0, NULL, POD},
	{"label: add and remove", "{'metadata':{'labels':{'app':'web','old':'1'}}}",
	 "{'metadata':{'labels':{'old':null,'new':'2'}}}", "{'metadata':{'labels':{'app':'web','new':'2'}}}", 0, NULL,
	 POD},
	{"labels replaced with $patch", "{'metadata':{'labels':{'app':'web','old':'1'}}}",
	 "{'metadata':{'labels':{'$patch':'replace','only':'this'}}}", "{'metadata':{'labels':{'only':'this'}}}", 0,
	 NULL, POD},
	{"labels $patch replace where there are none", "{'metadata':{'name':'x'}}",
	 "{'metadata':{'labels':{'$patch':'replace','a':'b'}}}", "{'metadata':{'name':'x'}}", 0, NULL, POD},
	{"owner references by uid", "{'metadata':{'ownerReferences':[{'uid':'u1','name':'rs'}]}}",
	 "{'metadata':{'ownerReferences':[{'uid':'u2','name':'dep'},{'uid':'u1','name':'rs-2'}]}}",
	 "{'metadata':{'ownerReferences':[{'uid':'u2','name':'dep'},{'uid':'u1','name':'rs-2'}]}}", 0, NULL, POD},
	{"tolerations replaced", "{'spec':{'tolerations':[{'key':'a'},{'key':'b'}]}}",
	 "{'spec':{'tolerations':[{'key':'c'}]}}", "{'spec':{'tolerations':[{'key':'c'}]}}", 0, NULL, POD},
	{"args replaced", "{'spec':{'containers':[{'name':'app','args':['a','b']}]}}",
	 "{'spec':{'containers':[{'name':'app','args':['c']}]}}",
	 "{'spec':{'containers':[{'name':'app','args':['c']}]}}", 0, NULL, POD},
	{"node selector merged", "{'spec':{'nodeSelector':{'disk':'ssd'}}}", "{'spec':{'nodeSelector':{'zone':'a'}}}",
	 "{'spec':{'nodeSelector':{'disk':'ssd','zone':'a'}}}", 0, NULL, POD},
	{"container without name", pod, "{'spec':{'containers':[{'image':'nginx'}]}}", NULL, SK_EIO,
	 "map: map[image:nginx] does not contain declared merge key: name", POD},
	{"stored pull secret without name", "{'spec':{'imagePullSecrets':[{}]}}",
	 "{'spec':{'imagePullSecrets':[{'name':'x'}]}}", NULL, SK_EIO,
	 "map: map[] does not contain declared merge key: name", POD},
	{"deployment strategy with $retainKeys",
	 "{'spec':{'replicas':1,'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1,'maxUnavailable':"
	 "'25%'}}}}",
	 "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate','rollingUpdate':null}}}",
	 "{'spec':{'replicas':1,'strategy':{'type':'Recreate'}}}", 0, NULL, DEP},
	{"deployment strategy back to rolling",
	 "{'spec':{'strategy':{'type':'Recreate'}}}",
	 "{'spec':{'strategy':{'$retainKeys':['rollingUpdate','type'],'type':'RollingUpdate','rollingUpdate':{"
	 "'maxSurge':'50%'}}}}",
	 "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':'50%'}}}}", 0, NULL, DEP},
	{"deployment template containers", "{'spec':{'replicas':2,'template':{'spec':{'containers':[{'name':'a','image':"
	                                   "'1'},{'name':'b','image':'1'}]}}}}",
	 "{'spec':{'replicas':3,'template':{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}],"
	 "'containers':[{'name':'b','image':'2'}]}}}}",
	 "{'spec':{'replicas':3,'template':{'spec':{'containers':[{'name':'b','image':'2'},{'name':'a','image':"
	 "'1'}]}}}}",
	 0, NULL, DEP},
	{"service port added", "{'spec':{'ports':[{'port':80,'targetPort':8080}]}}",
	 "{'spec':{'$setElementOrder/ports':[{'port':80},{'port':443}],'ports':[{'port':443,'targetPort':'https'}]}}",
	 "{'spec':{'ports':[{'port':80,'targetPort':8080},{'port':443,'targetPort':'https'}]}}", 0, NULL, SVC},
	{"service port deleted", "{'spec':{'ports':[{'port':80},{'port':443}]}}",
	 "{'spec':{'ports':[{'port':80,'$patch':'delete'}]}}", "{'spec':{'ports':[{'port':443}]}}", 0, NULL, SVC},
	{"service ports replaced", "{'spec':{'ports':[{'port':80},{'port':443}]}}",
	 "{'spec':{'ports':[{'$patch':'replace'},{'port':8080}]}}", "{'spec':{'ports':[{'port':8080}]}}", 0, NULL,
	 SVC},
	/* without a schema: maps merge, lists are replaced, directives work */
	{"no schema: scale", "{'spec':{'replicas':1},'status':{'replicas':1}}", "{'spec':{'replicas':3}}",
	 "{'spec':{'replicas':3},'status':{'replicas':1}}", 0, NULL, NULL},
	{"no schema: lists replaced", "{'a':[{'name':'x'}]}", "{'a':[{'name':'y'}]}", "{'a':[{'name':'y'}]}", 0, NULL,
	 NULL},
	{"no schema: $patch replace", "{'a':{'b':1,'c':2}}", "{'a':{'$patch':'replace','d':3}}", "{'a':{'d':3}}", 0,
	 NULL, NULL},
	{"no schema: $deleteFromPrimitiveList", "{'a':[1,2]}", "{'$deleteFromPrimitiveList/a':[1]}", "{'a':[2]}", 0,
	 NULL, NULL},
};

static void test_strategic_kubectl(void **state)
{
	(void)state;
	run(F_SMP, kubectl_cases, N(kubectl_cases));
}

/* a long merge list with a long patch stays fast (hash lookups, not Go's
 * quadratic scans) and keeps the orders it must */
static void test_strategic_long_lists(void **state)
{
	(void)state;
	enum { M = 50000 };
	json_t *doc = json_pack("{s:[]}", "mergingList"), *patch = json_pack("{s:[], s:[]}", "mergingList",
	                                                                       "$setElementOrder/mergingList");
	json_t *list = json_object_get(doc, "mergingList"), *pl = json_object_get(patch, "mergingList"),
	       *so = json_object_get(patch, "$setElementOrder/mergingList");
	sk_err err = {0};
	for (int i = 0; i < M; i++) {
		json_array_append_new(list, json_pack("{s:i, s:s}", "name", i, "other", "s"));
		if (i % 2 == 0)
			json_array_append_new(pl, json_pack("{s:i, s:s}", "name", M + i, "value", "new"));
	}
	for (int i = 0; i < M; i++)
		json_array_append_new(so, json_pack("{s:i}", "name", i));
	for (int i = 0; i < M; i += 2)
		json_array_append_new(so, json_pack("{s:i}", "name", M + i));
	assert_int_equal(patch_strategic(&doc, patch, schema_type(MI), &err), SK_OK);
	list = json_object_get(doc, "mergingList");
	assert_int_equal(json_array_size(list), M + M / 2);
	for (int i = 0; i < M + M / 2; i++) {
		int want = i < M ? i : M + 2 * (i - M);
		assert_int_equal(json_integer_value(json_object_get(json_array_get(list, (size_t)i), "name")), want);
	}
	json_decref(doc);
	json_decref(patch);

	/* $setElementOrder in a shuffled order (Go's block insertion sort and
	 * SymMerge, with every element named) */
	enum { S = 1000 };
	int perm[S];
	unsigned rnd = 12345;
	for (int i = 0; i < S; i++)
		perm[i] = i;
	for (int i = S - 1; i > 0; i--) {
		rnd = rnd * 1103515245u + 12345u;
		int j = (int)((rnd >> 8) % (unsigned)(i + 1)), t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	doc = json_pack("{s:[]}", "mergingList");
	patch = json_pack("{s:[]}", "$setElementOrder/mergingList");
	for (int i = 0; i < S; i++) {
		json_array_append_new(json_object_get(doc, "mergingList"), json_pack("{s:i}", "name", i));
		json_array_append_new(json_object_get(patch, "$setElementOrder/mergingList"),
		                      json_pack("{s:i}", "name", perm[i]));
	}
	assert_int_equal(patch_strategic(&doc, patch, schema_type(MI), &err), SK_OK);
	for (int i = 0; i < S; i++)
		assert_int_equal(
			json_integer_value(json_object_get(json_array_get(json_object_get(doc, "mergingList"), (size_t)i),
			                                   "name")),
			perm[i]);
	json_decref(doc);
	json_decref(patch);

	/* a large set of scalars */
	doc = json_pack("{s:[]}", "mergingIntList");
	patch = json_pack("{s:[]}", "mergingIntList");
	for (int i = 0; i < M; i++) {
		json_array_append_new(json_object_get(doc, "mergingIntList"), json_integer(i));
		json_array_append_new(json_object_get(patch, "mergingIntList"), json_integer(M - 1 - i + M / 2));
	}
	assert_int_equal(patch_strategic(&doc, patch, schema_type(MI), &err), SK_OK);
	assert_int_equal(json_array_size(json_object_get(doc, "mergingIntList")), M + M / 2);
	json_decref(doc);
	json_decref(patch);
}

/* a patch applied to a fresh copy gives the same result every time, as the
 * API server's retries on conflict need */
static void test_patch_reusable(void **state)
{
	(void)state;
	json_t *patch = J("{'spec':{'$setElementOrder/containers':[{'name':'app'},{'name':'b'}],'containers':[{'name':"
	                  "'b','env':[{'name':'X','value':null}]},{'name':'c','$patch':'delete'}]}}");
	json_t *first = NULL;
	for (int i = 0; i < 3; i++) {
		json_t *doc = J(pod);
		sk_err err = {0};
		assert_int_equal(patch_strategic(&doc, patch, schema_type(POD), &err), SK_OK);
		if (!first)
			first = doc;
		else {
			assert_true(json_equal(first, doc));
			json_decref(doc);
		}
	}
	json_decref(first);
	json_decref(patch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_patch),
		cmocka_unit_test(test_json_patch_limits),
		cmocka_unit_test(test_merge_patch),
		cmocka_unit_test(test_strategic_upstream),
		cmocka_unit_test(test_strategic_kubectl),
		cmocka_unit_test(test_strategic_long_lists),
		cmocka_unit_test(test_depth_limits),
		cmocka_unit_test(test_patch_reusable),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
