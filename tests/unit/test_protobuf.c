/* test_protobuf.c — protobuf request bodies (core/protobuf.c) decoded into
 * JSON: bodies built by hand from Kubernetes' generated.proto numbering,
 * against types declared here, and the bodies real kubectl v1.32 sent for
 * its typed commands (tests/unit/protobuf/NAME.pb, from kubectl -v=10's
 * hex dump) against the built-in plugins' .types files, compared with what
 * the same kubectl printed for --dry-run=client -o json (NAME.json; Go's
 * nulls dropped). Also the proto= attribute of the type notation and the
 * lookup of types by group/version/kind. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protobuf.h"
#include "schema.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers --------------------------------------------------------------- */

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
	if (!j)
		fail_msg("bad test JSON %s: %s", text, e.text);
	return j;
}

static void assert_json(const json_t *got, const char *want)
{
	json_t *w = J(want);
	if (!json_equal(got, w)) {
		char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
		char *ws = json_dumps(w, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
		fprintf(stderr, "got:  %s\nwant: %s\n", g, ws);
		free(g);
		free(ws);
		json_decref(w);
		fail();
	}
	json_decref(w);
}

static void define_ok(const char *owner, const char *text)
{
	sk_err err = {0};
	if (schema_define(owner, "t.types", text, strlen(text), &err) != SK_OK)
		fail_msg("define failed: %s", err.msg);
}

static void define_fails(const char *text, const char *want)
{
	sk_err err = {0};
	if (schema_define("bad", "t.types", text, strlen(text), &err) == SK_OK)
		fail_msg("defined, want an error containing \"%s\":\n%s", want, text);
	if (!strstr(err.msg, want))
		fail_msg("error \"%s\", want it to contain \"%s\"", err.msg, want);
}

/* A protobuf message under construction. */
struct pb {
	uint8_t *b;
	size_t n, cap;
};

static struct pb *pb(void)
{
	struct pb *p = calloc(1, sizeof *p);
	assert_non_null(p);
	return p;
}

static void pb_free(struct pb *p)
{
	free(p->b);
	free(p);
}

static void raw(struct pb *p, const void *d, size_t n)
{
	if (p->n + n > p->cap) {
		p->cap = (p->n + n) * 2 + 64;
		p->b = realloc(p->b, p->cap);
		assert_non_null(p->b);
	}
	if (n)
		memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void varint(struct pb *p, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;
	do {
		b[n] = v & 0x7f;
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	raw(p, b, n);
}

static void key(struct pb *p, uint32_t field, int wire) { varint(p, (uint64_t)field << 3 | (unsigned)wire); }

static void uint_f(struct pb *p, uint32_t field, uint64_t v)
{
	key(p, field, 0);
	varint(p, v);
}

static void bytes_f(struct pb *p, uint32_t field, const void *d, size_t n)
{
	key(p, field, 2);
	varint(p, n);
	raw(p, d, n);
}

static void str_f(struct pb *p, uint32_t field, const char *s) { bytes_f(p, field, s, strlen(s)); }

/* appends inner as field `field` and frees it */
static void msg_f(struct pb *p, uint32_t field, struct pb *inner)
{
	bytes_f(p, field, inner->b, inner->n);
	pb_free(inner);
}

/* a map<string, string> entry */
static void entry_f(struct pb *p, uint32_t field, const char *k, const char *v)
{
	struct pb *e = pb();
	str_f(e, 1, k);
	str_f(e, 2, v);
	msg_f(p, field, e);
}

/* "k8s\0" + runtime.Unknown{typeMeta, raw, contentEncoding, contentType},
 * raw freed */
static struct pb *envelope(const char *api, const char *kind, struct pb *obj)
{
	struct pb *e = pb(), *tm = pb();
	raw(e, "k8s", 4);
	str_f(tm, 1, api);
	str_f(tm, 2, kind);
	msg_f(e, 1, tm);
	msg_f(e, 2, obj);
	str_f(e, 3, "");
	str_f(e, 4, "");
	return e;
}

/* ObjectMeta as Go writes it: every non-pointer field, zero or not;
 * created 0 is the zero Time (an empty message) */
static struct pb *meta_at(const char *name, uint64_t created)
{
	struct pb *m = pb(), *t = pb();
	str_f(m, 1, name);
	for (uint32_t f = 2; f <= 6; f++)
		str_f(m, f, "");
	uint_f(m, 7, 0);
	if (created)
		uint_f(t, 1, created);
	msg_f(m, 8, t);
	return m;
}

static struct pb *meta(const char *name) { return meta_at(name, 0); }

static json_t *decode_ok(const struct pb *p)
{
	sk_err err = {0};
	json_t *j = protobuf_decode((const char *)p->b, p->n, &err);
	if (!j)
		fail_msg("decode failed: %s", err.msg);
	return j;
}

static void check(struct pb *p, const char *want)
{
	json_t *j = decode_ok(p);
	assert_json(j, want);
	json_decref(j);
	pb_free(p);
}

static void check_error(struct pb *p, int code, const char *want)
{
	sk_err err = {0};
	json_t *j = protobuf_decode((const char *)p->b, p->n, &err);
	if (j) {
		char *s = json_dumps(j, JSON_COMPACT);
		fail_msg("decoded %s, want an error containing \"%s\"", s, want);
	}
	if (err.code != code)
		fail_msg("code %d, want %d (%s)", err.code, code, err.msg);
	if (!strstr(err.msg, want))
		fail_msg("error \"%s\", want it to contain \"%s\"", err.msg, want);
	pb_free(p);
}

/* ---- types declared here, numbered as Kubernetes' generated.proto ------- */

static const char test_types[] =
	"package io.k8s.api.core.v1\n"
	"type ConfigMap gvk=/v1/ConfigMap\n"
	"  apiVersion string\n"
	"  kind       string\n"
	"  metadata   ObjectMeta proto=1\n"
	"  data       map[string] proto=2\n"
	"  binaryData map[bytes] proto=3\n"
	"  immutable  boolean proto=4\n"
	"type Secret gvk=/v1/Secret\n"
	"  metadata   ObjectMeta proto=1\n"
	"  data       map[bytes] proto=2\n"
	"  type       string proto=3\n"
	"  stringData map[string] proto=4\n"
	"  immutable  boolean proto=5\n"
	"type Namespace gvk=/v1/Namespace\n"
	"  metadata ObjectMeta proto=1\n"
	"  spec     NamespaceSpec proto=2\n"
	"  status   NamespaceStatus proto=3\n"
	"type NamespaceSpec\n"
	"  finalizers []string proto=1\n"
	"type NamespaceStatus\n"
	"  phase      string enum=Active,Terminating proto=1\n"
	"  conditions []NamespaceCondition merge=type proto=2\n"
	"type NamespaceCondition\n"
	"  type               string required proto=1\n"
	"  status             string required proto=2\n"
	"  lastTransitionTime Time proto=4\n"
	"  reason             string proto=5\n"
	"  message            string proto=6\n"
	"type Service gvk=/v1/Service\n"
	"  metadata ObjectMeta proto=1\n"
	"  spec     ServiceSpec proto=2\n"
	"  status   ServiceStatus proto=3\n"
	"type ServiceSpec\n"
	"  ports     []ServicePort merge=port proto=1\n"
	"  selector  map[string] proto=2\n"
	"  clusterIP string proto=3\n"
	"  type      string default=ClusterIP proto=4\n"
	"type ServicePort\n"
	"  name       string proto=1\n"
	"  protocol   string default=TCP proto=2\n"
	"  port       int32 required proto=3\n"
	"  targetPort IntOrString proto=4\n"
	"  nodePort   int32 proto=5\n"
	"type ServiceStatus\n"
	"  loadBalancer LoadBalancerStatus proto=1\n"
	"type LoadBalancerStatus\n"
	"  ingress []string proto=1\n"
	"type PodTemplateSpec\n"
	"  metadata ObjectMeta proto=1\n"
	"  spec     PodSpec proto=2\n"
	"type PodSpec\n"
	"  containers    []Container required merge=name proto=2\n"
	"  restartPolicy string default=Always proto=3\n"
	"  terminationGracePeriodSeconds int64 default=30 proto=4\n"
	"  nodeSelector  map[string] proto=7\n"
	"  hostNetwork   boolean proto=11\n"
	"  securityContext PodSecurityContext proto=14\n"
	"  enableServiceLinks boolean default=true proto=30\n"
	"type PodSecurityContext\n"
	"  runAsUser          int64 proto=2\n"
	"  supplementalGroups []int64 list=atomic proto=4\n"
	"type Container\n"
	"  name      string required proto=1\n"
	"  image     string proto=2\n"
	"  command   []string proto=3\n"
	"  ports     []ContainerPort merge=containerPort proto=6\n"
	"  resources ResourceRequirements proto=8\n"
	"  livenessProbe Probe proto=10\n"
	"  terminationMessagePath string default=/dev/termination-log proto=13\n"
	"  stdin     boolean proto=16\n"
	"type ContainerPort\n"
	"  name          string proto=1\n"
	"  hostPort      int32 proto=2\n"
	"  containerPort int32 required proto=3\n"
	"  protocol      string default=TCP proto=4\n"
	"type ResourceRequirements\n"
	"  limits   map[Quantity] proto=1\n"
	"  requests map[Quantity] proto=2\n"
	"type Probe\n"
	"  exec             ExecAction proto=1.1\n"
	"  httpGet          HTTPGetAction proto=1.2\n"
	"  initialDelaySeconds int32 proto=2\n"
	"  periodSeconds    int32 proto=4\n"
	"type ExecAction\n"
	"  command []string proto=1\n"
	"type HTTPGetAction\n"
	"  path string proto=1\n"
	"  port IntOrString required proto=2\n"
	"\n"
	"package io.k8s.api.apps.v1\n"
	"import io.k8s.api.core.v1\n"
	"type Deployment gvk=apps/v1/Deployment\n"
	"  metadata ObjectMeta proto=1\n"
	"  spec     DeploymentSpec proto=2\n"
	"  status   DeploymentStatus proto=3\n"
	"type DeploymentSpec\n"
	"  replicas int32 default=1 proto=1\n"
	"  selector LabelSelector required proto=2\n"
	"  template PodTemplateSpec required proto=3\n"
	"  paused   boolean proto=7\n"
	"type DeploymentStatus\n"
	"  replicas int32 proto=2\n"
	"\n"
	"package io.test.v1\n"
	"type Special gvk=test.io/v1/Special\n"
	"  metadata  ObjectMeta proto=1\n"
	"  eventTime MicroTime proto=2\n"
	"  seen      Time proto=3\n"
	"  object    RawExtension proto=4\n"
	"  ratio     number proto=5\n"
	"  small     int32 proto=6\n"
	"  big       int64 proto=7\n"
	"  extra     map[[]string] proto=8\n"
	"  grid      [][]int32 proto=9\n"
	"  blob      bytes proto=10\n"
	"  counts    []int32 proto=11\n"
	"  ratios    []number proto=12\n"
	"  note      string proto=13\n"
	"  free      object proto=14\n"
	"  anything  any proto=15\n"
	"  child     Child proto=16\n"
	"  times     map[Time] proto=17\n"
	"  flag      boolean required proto=18\n"
	"  undeclared string\n"
	"type Child\n"
	"  a string proto=1\n"
	"  b string proto=2\n";

static int setup(void **state)
{
	(void)state;
	sk_err err = {0};
	if (schema_init(&err) != SK_OK)
		fail_msg("schema_init: %s", err.msg);
	define_ok("test", test_types);
	if (schema_check_refs(&err) != SK_OK)
		fail_msg("refs: %s", err.msg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	schema_fini();
	return 0;
}

/* ---- hand-built bodies ------------------------------------------------------ */

/* the bytes kubectl create configmap x --from-literal=a=b sends */
static void configmap_as_kubectl_sends(void **state)
{
	(void)state;
	static const uint8_t body[] = {
		0x6b, 0x38, 0x73, 0x00, 0x0a, 0x0f, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x09, 0x43, 0x6f, 0x6e, 0x66,
		0x69, 0x67, 0x4d, 0x61, 0x70, 0x12, 0x1b, 0x0a, 0x11, 0x0a, 0x01, 0x78, 0x12, 0x00, 0x1a, 0x00,
		0x22, 0x00, 0x2a, 0x00, 0x32, 0x00, 0x38, 0x00, 0x42, 0x00, 0x12, 0x06, 0x0a, 0x01, 0x61, 0x12,
		0x01, 0x62, 0x1a, 0x00, 0x22, 0x00,
	};
	sk_err err = {0};
	json_t *j = protobuf_decode((const char *)body, sizeof body, &err);
	if (!j)
		fail_msg("%s", err.msg);
	assert_json(j, "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\"},\"data\":{\"a\":\"b\"}}");
	/* kind and apiVersion come first, as Kubernetes writes them */
	assert_string_equal(json_object_iter_key(json_object_iter(j)), "kind");
	json_decref(j);
}

static void configmap_binary_and_immutable(void **state)
{
	(void)state;
	struct pb *cm = pb();
	msg_f(cm, 1, meta("bins"));
	entry_f(cm, 2, "text", "plain");
	struct pb *e = pb();
	str_f(e, 1, "blob");
	bytes_f(e, 2, "\x00\x01\x02\xff", 4);
	msg_f(cm, 3, e);
	uint_f(cm, 4, 1);
	check(envelope("v1", "ConfigMap", cm),
	      "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"bins\"},\"data\":{\"text\":\"plain\"},"
	      "\"binaryData\":{\"blob\":\"AAEC/w==\"},\"immutable\":true}");
}

static void secret_with_data(void **state)
{
	(void)state;
	struct pb *s = pb();
	struct pb *m = meta("creds");
	str_f(m, 3, "team-a"); /* namespace, written again: last wins */
	entry_f(m, 11, "app", "db");
	entry_f(m, 12, "note", "");
	msg_f(s, 1, m);
	entry_f(s, 2, "user", "admin");
	entry_f(s, 2, "pass", "s3cr3t");
	entry_f(s, 2, "one", "a");
	entry_f(s, 2, "two", "ab");
	struct pb *e = pb(); /* an entry without its value: the zero value */
	str_f(e, 1, "empty");
	msg_f(s, 2, e);
	str_f(s, 3, "Opaque");
	entry_f(s, 4, "plain", "text");
	uint_f(s, 5, 0); /* immutable false: omitted */
	check(envelope("v1", "Secret", s),
	      "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"creds\",\"namespace\":\"team-a\","
	      "\"labels\":{\"app\":\"db\"},\"annotations\":{\"note\":\"\"}},\"data\":{\"user\":\"YWRtaW4=\","
	      "\"pass\":\"czNjcjN0\",\"one\":\"YQ==\",\"two\":\"YWI=\",\"empty\":\"\"},\"type\":\"Opaque\","
	      "\"stringData\":{\"plain\":\"text\"}}");
}

static void namespace_with_condition_time(void **state)
{
	(void)state;
	struct pb *ns = pb(), *spec = pb(), *status = pb(), *cond = pb(), *t = pb();
	msg_f(ns, 1, meta("team-a"));
	str_f(spec, 1, "kubernetes");
	str_f(spec, 1, "example.com/cleanup");
	msg_f(ns, 2, spec);
	str_f(status, 1, "Terminating");
	str_f(cond, 1, "NamespaceDeletionContentFailure");
	str_f(cond, 2, "False");
	uint_f(t, 1, 1700000000);
	uint_f(t, 2, 123456789); /* Time keeps whole seconds */
	msg_f(cond, 4, t);
	str_f(cond, 5, "");
	str_f(cond, 6, "");
	msg_f(status, 2, cond);
	msg_f(ns, 3, status);
	check(envelope("v1", "Namespace", ns),
	      "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"team-a\"},"
	      "\"spec\":{\"finalizers\":[\"kubernetes\",\"example.com/cleanup\"]},\"status\":{\"phase\":\"Terminating\","
	      "\"conditions\":[{\"type\":\"NamespaceDeletionContentFailure\",\"status\":\"False\","
	      "\"lastTransitionTime\":\"2023-11-14T22:13:20Z\"}]}}");
}

static struct pb *service_port(const char *name, int port, int type, int ival, const char *sval, int node_port)
{
	struct pb *p = pb(), *ios = pb();
	str_f(p, 1, name);
	str_f(p, 2, "TCP");
	uint_f(p, 3, (uint64_t)port);
	uint_f(ios, 1, (uint64_t)type);
	uint_f(ios, 2, (uint64_t)(int64_t)ival);
	str_f(ios, 3, sval);
	msg_f(p, 4, ios);
	uint_f(p, 5, (uint64_t)node_port);
	return p;
}

static void service_with_ports(void **state)
{
	(void)state;
	struct pb *svc = pb(), *spec = pb(), *status = pb(), *lb = pb();
	struct pb *m = meta("svc");
	entry_f(m, 11, "app", "svc");
	msg_f(svc, 1, m);
	msg_f(spec, 1, service_port("80-8080", 80, 0, 8080, "", 0));
	msg_f(spec, 1, service_port("443-https", 443, 1, 0, "https", 30443));
	msg_f(spec, 1, service_port("", 0, 0, 0, "", 0)); /* required port 0 stays, targetPort 0 too */
	entry_f(spec, 2, "app", "svc");
	str_f(spec, 3, "");
	str_f(spec, 4, "NodePort");
	msg_f(svc, 2, spec);
	msg_f(status, 1, lb);
	msg_f(svc, 3, status);
	check(envelope("v1", "Service", svc),
	      "{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"svc\",\"labels\":{\"app\":\"svc\"}},"
	      "\"spec\":{\"ports\":[{\"name\":\"80-8080\",\"protocol\":\"TCP\",\"port\":80,\"targetPort\":8080},"
	      "{\"name\":\"443-https\",\"protocol\":\"TCP\",\"port\":443,\"targetPort\":\"https\",\"nodePort\":30443},"
	      "{\"protocol\":\"TCP\",\"port\":0,\"targetPort\":0}],\"selector\":{\"app\":\"svc\"},\"type\":\"NodePort\"},"
	      "\"status\":{\"loadBalancer\":{}}}");
}

/* one map<string, Quantity> entry */
static void quantity_entry(struct pb *p, uint32_t field, const char *name, const char *value)
{
	struct pb *e = pb(), *q = pb();
	str_f(e, 1, name);
	if (value)
		str_f(q, 1, value);
	msg_f(e, 2, q);
	msg_f(p, field, e);
}

static void deployment_with_pod_template(void **state)
{
	(void)state;
	struct pb *d = pb(), *spec = pb(), *sel = pb(), *tmpl = pb(), *pod = pb(), *c = pb(), *port = pb(),
	          *res = pb(), *probe = pb(), *handler = pb(), *exec = pb(), *sc = pb(), *packed = pb(),
	          *status = pb();
	struct pb *m = meta_at("web", 1700000000);
	entry_f(m, 11, "app", "web");
	msg_f(d, 1, m);

	uint_f(spec, 1, 0); /* replicas 0 stays: the default is 1 */
	entry_f(sel, 1, "app", "web");
	msg_f(spec, 2, sel);

	struct pb *tm = meta("");
	entry_f(tm, 11, "app", "web");
	msg_f(tmpl, 1, tm);
	str_f(c, 1, "nginx");
	str_f(c, 2, "nginx:1.27");
	str_f(c, 3, "nginx");
	str_f(c, 3, "-g");
	str_f(port, 1, "");
	uint_f(port, 2, 0);
	uint_f(port, 3, 80);
	str_f(port, 4, "TCP");
	msg_f(c, 6, port);
	quantity_entry(res, 1, "cpu", "500m");
	quantity_entry(res, 1, "memory", "128Mi");
	quantity_entry(res, 2, "cpu", "0.25");           /* canonical: 250m */
	quantity_entry(res, 2, "ephemeral-storage", NULL); /* Quantity{}: "0" */
	msg_f(c, 8, res);
	str_f(exec, 1, "cat");
	str_f(exec, 1, "/tmp/healthy");
	msg_f(handler, 1, exec); /* ProbeHandler.exec, inlined into Probe */
	msg_f(probe, 1, handler);
	uint_f(probe, 2, 5);
	uint_f(probe, 4, 0);
	msg_f(c, 10, probe);
	str_f(c, 13, ""); /* a string with a default: "" is unset all the same */
	uint_f(c, 16, 0);
	msg_f(pod, 2, c);
	str_f(pod, 3, "Always");
	uint_f(pod, 4, 0); /* terminationGracePeriodSeconds 0 stays (default 30) */
	uint_f(pod, 11, 0);
	uint_f(sc, 2, 1000);
	uint_f(sc, 4, 1); /* unpacked, then packed: one list */
	varint(packed, 2);
	varint(packed, 3);
	bytes_f(sc, 4, packed->b, packed->n);
	pb_free(packed);
	msg_f(pod, 14, sc);
	uint_f(pod, 30, 0); /* enableServiceLinks false stays (default true) */
	msg_f(tmpl, 2, pod);
	msg_f(spec, 3, tmpl);
	uint_f(spec, 7, 0);
	msg_f(d, 2, spec);
	msg_f(d, 3, status); /* empty status: {} */
	check(envelope("apps/v1", "Deployment", d),
	      "{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\"web\","
	      "\"creationTimestamp\":\"2023-11-14T22:13:20Z\",\"labels\":{\"app\":\"web\"}},"
	      "\"spec\":{\"replicas\":0,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
	      "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{"
	      "\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.27\",\"command\":[\"nginx\",\"-g\"],"
	      "\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],"
	      "\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"},"
	      "\"requests\":{\"cpu\":\"250m\",\"ephemeral-storage\":\"0\"}},"
	      "\"livenessProbe\":{\"exec\":{\"command\":[\"cat\",\"/tmp/healthy\"]},\"initialDelaySeconds\":5}}],"
	      "\"restartPolicy\":\"Always\",\"terminationGracePeriodSeconds\":0,"
	      "\"securityContext\":{\"runAsUser\":1000,\"supplementalGroups\":[1,2,3]},"
	      "\"enableServiceLinks\":false}}},\"status\":{}}");
}

/* Time, MicroTime, RawExtension, numbers, wrapped lists, unknown fields */
static void special_messages(void **state)
{
	(void)state;
	struct pb *s = pb(), *t = pb(), *mt = pb(), *rx = pb(), *e = pb(), *w = pb(), *row = pb(), *fr = pb(),
	          *an = pb(), *ch1 = pb(), *ch2 = pb(), *tz = pb(), *te = pb();
	msg_f(s, 1, meta("sp"));
	uint_f(mt, 1, 1700000000);
	uint_f(mt, 2, 123456789);
	msg_f(s, 2, mt);
	uint_f(t, 1, (uint64_t)(int64_t)-1); /* before the epoch */
	msg_f(s, 3, t);
	str_f(rx, 1, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"x\":[1,2]}");
	msg_f(s, 4, rx);
	double r = 0.5;
	uint64_t ru;
	memcpy(&ru, &r, 8);
	key(s, 5, 1);
	for (int i = 0; i < 8; i++)
		raw(s, (uint8_t[]){(uint8_t)(ru >> (8 * i))}, 1);
	uint_f(s, 6, (uint64_t)(int64_t)-5);           /* int32 as a 10-byte varint */
	uint_f(s, 7, (uint64_t)-9007199254740993ll);   /* int64 */
	str_f(e, 1, "groups");
	str_f(w, 1, "a");
	str_f(w, 1, "b");
	msg_f(e, 2, w); /* map value []string: wrapped, items in field 1 */
	msg_f(s, 8, e);
	uint_f(row, 1, 1);
	uint_f(row, 1, 2);
	msg_f(s, 9, row); /* [][]int32: each inner list wrapped */
	bytes_f(s, 10, "\xff\xfe", 2);
	str_f(s, 13, "bad \xff utf-8 \xe2\x82");
	str_f(fr, 1, "{\"f:metadata\":{}}");
	msg_f(s, 14, fr);
	str_f(an, 1, "[1,\"two\"]");
	msg_f(s, 15, an);
	str_f(ch1, 1, "first");
	msg_f(s, 16, ch1);
	str_f(ch2, 2, "second"); /* a message written twice merges */
	msg_f(s, 16, ch2);
	str_f(te, 1, "never");
	msg_f(te, 2, tz); /* empty Time in a map: null */
	msg_f(s, 17, te);
	uint_f(s, 18, 0); /* required false stays */
	/* unknown fields of every wire type are skipped */
	uint_f(s, 99, 7);
	key(s, 98, 5);
	raw(s, "\x01\x02\x03\x04", 4);
	key(s, 97, 1);
	raw(s, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	str_f(s, 96, "ignored");
	key(s, 95, 3);
	uint_f(s, 1, 1);
	key(s, 94, 3);
	key(s, 94, 4);
	key(s, 95, 4);
	check(envelope("test.io/v1", "Special", s),
	      "{\"kind\":\"Special\",\"apiVersion\":\"test.io/v1\",\"metadata\":{\"name\":\"sp\"},"
	      "\"eventTime\":\"2023-11-14T22:13:20.123456Z\",\"seen\":\"1969-12-31T23:59:59Z\","
	      "\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"x\":[1,2]},\"ratio\":0.5,\"small\":-5,"
	      "\"big\":-9007199254740993,\"extra\":{\"groups\":[\"a\",\"b\"]},\"grid\":[[1,2]],\"blob\":\"//4=\","
	      "\"note\":\"bad \\ufffd utf-8 \\ufffd\\ufffd\",\"free\":{\"f:metadata\":{}},\"anything\":[1,\"two\"],"
	      "\"child\":{\"a\":\"first\",\"b\":\"second\"},\"times\":{\"never\":null},\"flag\":false}");
}

/* packed doubles; a RawExtension holding a nested protobuf object; a zero
 * Time and an empty RawExtension are omitted */
static void nested_object_and_packed(void **state)
{
	(void)state;
	struct pb *s = pb(), *rx = pb(), *cm = pb(), *packed = pb(), *t = pb();
	msg_f(s, 3, t);
	msg_f(s, 14, pb());
	entry_f(cm, 2, "k", "v");
	struct pb *inner = envelope("v1", "ConfigMap", cm);
	bytes_f(rx, 1, inner->b, inner->n);
	pb_free(inner);
	msg_f(s, 4, rx);
	double v[2] = {1.5, -2.25};
	for (int i = 0; i < 2; i++) {
		uint64_t u;
		memcpy(&u, &v[i], 8);
		for (int b = 0; b < 8; b++)
			raw(packed, (uint8_t[]){(uint8_t)(u >> (8 * b))}, 1);
	}
	bytes_f(s, 12, packed->b, packed->n);
	pb_free(packed);
	check(envelope("test.io/v1", "Special", s),
	      "{\"kind\":\"Special\",\"apiVersion\":\"test.io/v1\",\"object\":{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\","
	      "\"data\":{\"k\":\"v\"}},\"ratios\":[1.5,-2.25]}");
}

/* ---- errors ---------------------------------------------------------------- */

static struct pb *small_deployment(void)
{
	struct pb *d = pb(), *spec = pb();
	msg_f(d, 1, meta("web"));
	uint_f(spec, 1, 3);
	msg_f(d, 2, spec);
	return d;
}

static void errors(void **state)
{
	(void)state;
	struct pb *p = pb();
	raw(p, "{\"kind\":\"Pod\"}", 14);
	check_error(p, SK_EBADREQUEST, "prefix");
	check_error(envelope("v1", "Nope", pb()), SK_EBADREQUEST, "no kind \"Nope\" is registered for version \"v1\"");
	check_error(envelope("apps/v1", "ConfigMap", pb()), SK_EBADREQUEST, "no kind \"ConfigMap\"");
	check_error(envelope("a/b/c", "Deployment", pb()), SK_EBADREQUEST, "invalid apiVersion");
	check_error(envelope("", "Deployment", pb()), SK_EBADREQUEST, "no apiVersion");

	/* a declared field with the wrong wire type names its path */
	struct pb *d = pb(), *spec = pb();
	msg_f(d, 1, meta("web"));
	str_f(spec, 1, "three");
	msg_f(d, 2, spec);
	check_error(envelope("apps/v1", "Deployment", d), SK_EBADREQUEST,
	            "apps/v1 Deployment: spec.replicas: wire type 2 (bytes), want varint");
	d = pb();
	struct pb *m = pb();
	uint_f(m, 1, 5);
	msg_f(d, 1, m);
	check_error(envelope("apps/v1", "Deployment", d), SK_EBADREQUEST, "metadata.name: wire type 0");

	/* envelope details */
	p = pb();
	raw(p, "k8s", 4);
	struct pb *tm = pb();
	str_f(tm, 1, "v1");
	str_f(tm, 2, "ConfigMap");
	msg_f(p, 1, tm);
	str_f(p, 3, "gzip");
	check_error(p, SK_EBADREQUEST, "unsupported content encoding \"gzip\"");
	p = pb();
	raw(p, "k8s", 4);
	uint_f(p, 1, 1);
	check_error(p, SK_EBADREQUEST, "envelope field 1: wire type 0");

	/* malformed wire */
	struct pb *bad = pb();
	key(bad, 1, 7);
	check_error(envelope("v1", "ConfigMap", bad), SK_EBADREQUEST, "invalid wire type 7");
	bad = pb();
	raw(bad, "\x00\x01", 2);
	check_error(envelope("v1", "ConfigMap", bad), SK_EBADREQUEST, "invalid field number 0");
	bad = pb();
	key(bad, 5, 4);
	check_error(envelope("v1", "ConfigMap", bad), SK_EBADREQUEST, "unexpected end of group");
	bad = pb();
	key(bad, 5, 3);
	uint_f(bad, 1, 1);
	check_error(envelope("v1", "ConfigMap", bad), SK_EBADREQUEST, "unterminated group");
	bad = pb();
	raw(bad, "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12);
	check_error(envelope("v1", "ConfigMap", bad), SK_EBADREQUEST, "truncated varint");

	/* special messages */
	struct pb *s = pb(), *ios = pb(), *sp = pb(), *ports = pb();
	uint_f(ios, 1, 2);
	msg_f(sp, 4, ios);
	uint_f(sp, 3, 80);
	msg_f(ports, 1, sp);
	msg_f(s, 2, ports);
	check_error(envelope("v1", "Service", s), SK_EBADREQUEST, "spec.ports[0].targetPort: IntOrString type 2");
	struct pb *dep = pb(), *ds = pb(), *tmpl = pb(), *pod = pb(), *c = pb(), *res = pb();
	quantity_entry(res, 1, "cpu", "lots");
	str_f(c, 1, "c");
	msg_f(c, 8, res);
	msg_f(pod, 2, c);
	msg_f(tmpl, 2, pod);
	msg_f(ds, 3, tmpl);
	msg_f(dep, 2, ds);
	check_error(envelope("apps/v1", "Deployment", dep), SK_EBADREQUEST,
	            "spec.template.spec.containers[0].resources.limits[cpu]: quantity \"lots\"");
	s = pb();
	struct pb *rx = pb();
	str_f(rx, 1, "{not json");
	msg_f(s, 4, rx);
	check_error(envelope("test.io/v1", "Special", s), SK_EBADREQUEST, "object: invalid JSON");
	s = pb();
	struct pb *t = pb();
	uint_f(t, 1, 300000000000ull);
	msg_f(s, 3, t);
	check_error(envelope("test.io/v1", "Special", s), SK_EBADREQUEST, "seen: time 300000000000 seconds");
	s = pb();
	double nan = NAN;
	uint64_t u;
	memcpy(&u, &nan, 8);
	key(s, 5, 1);
	for (int i = 0; i < 8; i++)
		raw(s, (uint8_t[]){(uint8_t)(u >> (8 * i))}, 1);
	check_error(envelope("test.io/v1", "Special", s), SK_EBADREQUEST, "ratio: NaN");

	/* too large */
	char *big = calloc(1, PROTOBUF_MAX + 1);
	assert_non_null(big);
	memcpy(big, "k8s", 4);
	sk_err err = {0};
	assert_null(protobuf_decode(big, PROTOBUF_MAX + 1, &err));
	assert_int_equal(err.code, SK_ETOOLARGE);
	free(big);
}

/* every cut of a body inside its object fails cleanly */
static void truncated_bodies(void **state)
{
	(void)state;
	struct pb *obj = small_deployment();
	size_t objlen = obj->n;
	struct pb *full = envelope("apps/v1", "Deployment", obj);
	size_t end = full->n - 4; /* the object ends before the empty contentEncoding and contentType */
	for (size_t n = 0; n < end; n++) {
		sk_err err = {0};
		json_t *j = protobuf_decode((const char *)full->b, n, &err);
		if (j) {
			/* a cut at a field boundary of the envelope is a shorter valid body */
			assert_true(n >= 4);
			json_decref(j);
			continue;
		}
		assert_int_equal(err.code, SK_EBADREQUEST);
	}
	/* cuts inside the raw object: its length runs past the end */
	for (size_t n = end - objlen; n < end; n++) {
		sk_err err = {0};
		assert_null(protobuf_decode((const char *)full->b, n, &err));
		assert_int_equal(err.code, SK_EBADREQUEST);
		assert_non_null(strstr(err.msg, "runs past the end"));
	}
	pb_free(full);
}

/* nested messages and nested objects are bounded */
static void depth_is_bounded(void **state)
{
	(void)state;
	struct pb *obj = pb();
	str_f(obj, 13, "innermost");
	for (int i = 0; i < 100; i++) {
		struct pb *env = envelope("test.io/v1", "Special", obj), *rx = pb();
		bytes_f(rx, 1, env->b, env->n);
		pb_free(env);
		obj = pb();
		msg_f(obj, 4, rx);
	}
	check_error(envelope("test.io/v1", "Special", obj), SK_EBADREQUEST, "nested more than");

	/* and a handful of levels is fine */
	obj = pb();
	str_f(obj, 13, "innermost");
	for (int i = 0; i < 5; i++) {
		struct pb *env = envelope("test.io/v1", "Special", obj), *rx = pb();
		bytes_f(rx, 1, env->b, env->n);
		pb_free(env);
		obj = pb();
		msg_f(obj, 4, rx);
	}
	struct pb *body = envelope("test.io/v1", "Special", obj);
	json_t *j = decode_ok(body);
	json_t *o = j;
	for (int i = 0; i < 5; i++)
		o = json_object_get(o, "object");
	assert_string_equal(json_string_value(json_object_get(o, "note")), "innermost");
	json_decref(j);
	pb_free(body);

	/* groups nested past the limit, in an unknown field */
	struct pb *g = pb();
	for (int i = 0; i < 100; i++)
		key(g, 90, 3);
	for (int i = 0; i < 100; i++)
		key(g, 90, 4);
	check_error(envelope("test.io/v1", "Special", g), SK_EBADREQUEST, "nested more than");
}

/* the field index follows redefinitions */
static void redefinition_is_seen(void **state)
{
	(void)state;
	define_ok("other", "package io.other.v1\ntype Thing gvk=other.io/v1/Thing\n  a string proto=1\n");
	struct pb *t = pb();
	str_f(t, 1, "one");
	str_f(t, 2, "two");
	struct pb *body = envelope("other.io/v1", "Thing", t);
	json_t *j = decode_ok(body);
	assert_json(j, "{\"kind\":\"Thing\",\"apiVersion\":\"other.io/v1\",\"a\":\"one\"}");
	json_decref(j);
	define_ok("other", "package io.other.v1\ntype Thing gvk=other.io/v1/Thing\n  b string proto=1\n"
	                   "  c string proto=2\n");
	j = decode_ok(body);
	assert_json(j, "{\"kind\":\"Thing\",\"apiVersion\":\"other.io/v1\",\"b\":\"one\",\"c\":\"two\"}");
	json_decref(j);
	schema_forget("other");
	sk_err err = {0};
	assert_null(protobuf_decode((const char *)body->b, body->n, &err));
	assert_non_null(strstr(err.msg, "no kind \"Thing\""));
	pb_free(body);
}

/* ---- the proto= attribute and lookups by gvk ------------------------------ */

static void proto_attribute(void **state)
{
	(void)state;
	define_ok("p", "package io.p.v1\ntype T\n  a string proto=7\n  b string proto=1.12\n  c string\n"
	               "  d []string proto=536870911\n");
	const struct schema_node *t = schema_type("io.p.v1.T");
	assert_non_null(t);
	assert_int_equal(t->fields[0].proto, 7);
	assert_int_equal(t->fields[0].proto_inner, 0);
	assert_int_equal(t->fields[1].proto, 1);
	assert_int_equal(t->fields[1].proto_inner, 12);
	assert_int_equal(t->fields[2].proto, 0);
	assert_int_equal(t->fields[3].proto, 536870911);
	/* the tagged meta types */
	const struct schema_node *om = schema_type("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
	assert_int_equal(schema_field(om, "managedFields")->proto, 17);
	assert_int_equal(schema_field(schema_type("io.k8s.apimachinery.pkg.apis.meta.v1.APIResource"), "verbs")
	                     ->proto_inner,
	                 1);

	static const struct {
		const char *text, *want;
	} bad[] = {
		{"package io.b\ntype T\n  a string proto=0\n", "t.types:3: attribute \"proto\": invalid field number \"0\""},
		{"package io.b\ntype T\n  a string proto=-1\n", "invalid field number \"-1\""},
		{"package io.b\ntype T\n  a string proto=01\n", "invalid field number \"01\""},
		{"package io.b\ntype T\n  a string proto=x\n", "invalid field number"},
		{"package io.b\ntype T\n  a string proto=1.\n", "invalid field number \"1.\""},
		{"package io.b\ntype T\n  a string proto=.1\n", "invalid field number"},
		{"package io.b\ntype T\n  a string proto=1.0\n", "invalid field number \"1.0\""},
		{"package io.b\ntype T\n  a string proto=1.2.3\n", "invalid field number"},
		{"package io.b\ntype T\n  a string proto=536870912\n", "invalid field number"},
		{"package io.b\ntype T\n  a string proto=99999999999999999999\n", "invalid field number"},
		{"package io.b\ntype T\n  a string proto\n", "attribute \"proto\" needs a value"},
		{"package io.b\ntype T\n  a string proto=1 proto=2\n", "given twice"},
		{"package io.b\ntype T proto=1\n", "t.types:2: attribute \"proto\" is for fields"},
		{"package io.b\ntype T\n  a string proto=3\n  b string proto=3\n",
		 "t.types:4: attribute \"proto\": field \"a\" already has proto=3"},
		{"package io.b\ntype T\n  a string proto=2.1\n  b string proto=2.1\n", "already has proto=2.1"},
		{"package io.b\ntype T\n  a string proto=2\n  b string proto=2.1\n", "already has proto=2"},
		{"package io.b\ntype T\n  a string proto=2.1\n  b string proto=2\n", "already has proto=2.1"},
	};
	for (size_t i = 0; i < N(bad); i++)
		define_fails(bad[i].text, bad[i].want);
	/* the same numbers in different types, or inner numbers of different outers, are fine */
	define_ok("q", "package io.q\ntype A\n  a string proto=1.1\n  b string proto=2.1\n  c string proto=1.2\n"
	               "type B\n  a string proto=1\n");
}

static void lookup_by_gvk(void **state)
{
	(void)state;
	assert_ptr_equal(schema_type_by_gvk("apps/v1/Deployment"), schema_type("io.k8s.api.apps.v1.Deployment"));
	assert_ptr_equal(schema_type_by_gvk("/v1/ConfigMap"), schema_type("io.k8s.api.core.v1.ConfigMap"));
	assert_ptr_equal(schema_type_by_gvk("apps/v1/DeleteOptions"),
	                 schema_type("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"));
	assert_null(schema_type_by_gvk("v1/ConfigMap"));
	assert_null(schema_type_by_gvk("/v1/configmap"));
	assert_null(schema_type_by_gvk(NULL));
	/* the first definition of a gvk wins; forgetting it uncovers the next */
	define_ok("x1", "package io.x1\ntype A gvk=x.io/v1/A\n  a string\n");
	define_ok("x2", "package io.x2\ntype A gvk=x.io/v1/A gvk=x.io/v2/A\n  a string\n");
	assert_ptr_equal(schema_type_by_gvk("x.io/v1/A"), schema_type("io.x1.A"));
	assert_ptr_equal(schema_type_by_gvk("x.io/v2/A"), schema_type("io.x2.A"));
	schema_forget("x1");
	assert_ptr_equal(schema_type_by_gvk("x.io/v1/A"), schema_type("io.x2.A"));
	schema_forget("x2");
	assert_null(schema_type_by_gvk("x.io/v1/A"));
}

/* ---- what kubectl sends ---------------------------------------------------- */

static char *slurp(const char *rel, size_t *len)
{
	/* from the top of the tree (tests/run.sh), or next to this file */
	char path[4096];
	FILE *f = fopen(rel, "rb");
	if (!f) {
		const char *slash = strrchr(__FILE__, '/');
		snprintf(path, sizeof path, "%.*s/../../%s", slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".",
		         rel);
		f = fopen(path, "rb");
	}
	if (!f)
		fail_msg("cannot open %s", rel);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

static const char *const plugin_types[] = {
	"plugins/api/api-core/core.types",          "plugins/api/api-core/pod.types",
	"plugins/api/api-apps/apps.types",          "plugins/api/api-batch/batch.types",
	"plugins/api/api-policy/policy.types",      "plugins/api/api-scheduling/scheduling.types",
	"plugins/api/api-rbac/rbac.types",          "plugins/api/api-autoscaling/autoscaling.types",
	"plugins/api/api-networking/networking.types",
};

static int setup_plugins(void **state)
{
	(void)state;
	sk_err err = {0};
	if (schema_init(&err) != SK_OK)
		fail_msg("schema_init: %s", err.msg);
	for (size_t i = 0; i < N(plugin_types); i++) {
		size_t n;
		char *text = slurp(plugin_types[i], &n);
		char owner[32];
		snprintf(owner, sizeof owner, "plugin%zu", i);
		if (schema_define(owner, plugin_types[i], text, n, &err) != SK_OK)
			fail_msg("%s", err.msg);
		free(text);
	}
	return 0;
}

/* Go writes unset pointers and zero times as null; the decoder omits them */
static void drop_nulls(json_t *j)
{
	const char *k;
	json_t *v;
	void *tmp;
	size_t i;
	if (json_is_object(j)) {
		json_object_foreach_safe(j, tmp, k, v) {
			if (json_is_null(v))
				json_object_del(j, k);
			else
				drop_nulls(v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) drop_nulls(v);
	}
}

static void kubectl_bodies(void **state)
{
	(void)state;
	/* ingress: waits for networking.types to tag IngressRule's http (proto=2.1) */
	static const char *const names[] = {
		"configmap", "configmap-binary", "secret",       "docker", "namespace", "deployment",
		"deployment-zero", "deployment-multi", "service", "nodeport", "job",   "cronjob",
		"quota",     "pdb",              "pdb-zero",     "priorityclass", "role", "clusterrolebinding",
		"sa",        "autoscale", "ingress",
	};
	for (size_t i = 0; i < N(names); i++) {
		char rel[256];
		size_t n, jn;
		snprintf(rel, sizeof rel, "tests/unit/protobuf/%s.pb", names[i]);
		char *body = slurp(rel, &n);
		snprintf(rel, sizeof rel, "tests/unit/protobuf/%s.json", names[i]);
		char *text = slurp(rel, &jn);
		json_error_t je;
		json_t *want = json_loadb(text, jn, 0, &je);
		if (!want)
			fail_msg("%s: %s", rel, je.text);
		drop_nulls(want);
		sk_err err = {0};
		json_t *got = protobuf_decode(body, n, &err);
		if (!got)
			fail_msg("%s: %s", names[i], err.msg);
		if (!json_equal(got, want)) {
			char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
			char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
			fail_msg("%s:\ngot:  %s\nwant: %s", names[i], g, w);
		}
		json_decref(got);
		json_decref(want);
		free(body);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(configmap_as_kubectl_sends, setup, teardown),
		cmocka_unit_test_setup_teardown(configmap_binary_and_immutable, setup, teardown),
		cmocka_unit_test_setup_teardown(secret_with_data, setup, teardown),
		cmocka_unit_test_setup_teardown(namespace_with_condition_time, setup, teardown),
		cmocka_unit_test_setup_teardown(service_with_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(deployment_with_pod_template, setup, teardown),
		cmocka_unit_test_setup_teardown(special_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(nested_object_and_packed, setup, teardown),
		cmocka_unit_test_setup_teardown(errors, setup, teardown),
		cmocka_unit_test_setup_teardown(truncated_bodies, setup, teardown),
		cmocka_unit_test_setup_teardown(depth_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(redefinition_is_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(proto_attribute, setup, teardown),
		cmocka_unit_test_setup_teardown(lookup_by_gvk, setup, teardown),
		cmocka_unit_test_setup_teardown(kubectl_bodies, setup_plugins, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
