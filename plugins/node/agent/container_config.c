/* container_config.c — what the runtime gets for one container: its
 * environment resolved as the kubelet resolves it (envFrom in order, then
 * env in order, each value's $(VAR) expanded against what came before;
 * valueFrom configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef),
 * command and args expanded against the result, resources, working dir,
 * and the log file. A missing ConfigMap, Secret or key that is not optional
 * fails with the kubelet's message, and the container waits in
 * CreateContainerConfigError. */
#include "agent.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* env is an ordered list of {"name","value"} */
static const char *env_lookup(const sk_obj *env, const char *name, size_t len)
{
	for (size_t i = sk_obj_len(env); i-- > 0;) {
		const char *n = sk_obj_get_str(sk_obj_at(env, i), "name");
		if (n && strlen(n) == len && !strncmp(n, name, len))
			return sk_obj_get_str(sk_obj_at(env, i), "value");
	}
	return NULL;
}

static void env_put(sk_obj *env, const char *name, const char *value)
{
	/* a later definition replaces an earlier one in place */
	for (size_t i = 0; i < sk_obj_len(env); i++) {
		sk_obj *e = sk_obj_at(env, i);
		if (!strcmp(sk_obj_get_str(e, "name"), name)) {
			sk_obj_set_str(e, "value", value, NULL);
			return;
		}
	}
	sk_obj *e = sk_obj_new_object();
	sk_obj_set_str(e, "name", name, NULL);
	sk_obj_set_str(e, "value", value, NULL);
	sk_obj_append(env, e);
	sk_obj_unref(e);
}

char *expand_vars(const char *in, const sk_obj *env)
{
	size_t cap = strlen(in) + 1, len = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	for (const char *p = in; *p;) {
		const char *piece = p;
		size_t plen = 1;
		if (p[0] == '$' && p[1] == '$') {
			piece = "$";
			p += 2;
		} else if (p[0] == '$' && p[1] == '(') {
			const char *end = strchr(p + 2, ')');
			const char *v = end ? env_lookup(env, p + 2, (size_t)(end - p - 2)) : NULL;
			if (v) {
				piece = v;
				plen = strlen(v);
				p = end + 1;
			} else { /* undefined: left as written */
				plen = end ? (size_t)(end - p + 1) : strlen(p);
				p += plen;
			}
		} else {
			p++;
		}
		if (len + plen + 1 > cap) {
			cap = (len + plen + 1) * 2;
			char *n = realloc(out, cap);
			if (!n) {
				free(out);
				return NULL;
			}
			out = n;
		}
		memcpy(out + len, piece, plen);
		len += plen;
	}
	out[len] = 0;
	return out;
}

struct decode {
	sk_obj *out;
	int secret;
};

static int decode_one(void *ud, const char *key, sk_obj *value)
{
	struct decode *d = ud;
	const char *text = sk_obj_str(value);
	if (!text)
		return 0;
	size_t n = 0;
	unsigned char *raw = d->secret ? sk_base64_decode(text, strlen(text), &n) : NULL;
	if (d->secret && !raw)
		return 0; /* not base64: the API server would not have stored it */
	sk_obj *v = sk_obj_new_str(d->secret ? (const char *)raw : text);
	char path[400];
	snprintf(path, sizeof path, "[\"%s\"]", key);
	sk_obj_set(d->out, path, v, NULL);
	sk_obj_unref(v);
	sk_mem_free(raw);
	return 0;
}

sk_obj *source_data(const char *resource, const char *ns, const char *name, int optional, sk_err *err)
{
	sk_obj *o = NULL;
	sk_err e = {0};
	int secret = !strcmp(resource, "secrets");
	if (!name || sk_api_get("", resource, ns, name, &o, &e) != SK_OK) {
		if (optional)
			return sk_obj_new_object();
		sk_errf(err, SK_ENOTFOUND, "%s \"%s\" not found", secret ? "secret" : "configmap", name ? name : "");
		return NULL;
	}
	struct decode d = {sk_obj_new_object(), secret};
	sk_obj_foreach(sk_obj_get(o, "data"), decode_one, &d);
	sk_obj_unref(o);
	return d.out;
}

const char *field_value(const struct run *r, const char *path, char *buf, size_t cap)
{
	const sk_obj *pod = r->pod;
	if (!strcmp(path, "status.podIP") || !strcmp(path, "status.podIPs"))
		return r->ip ? r->ip : "";
	if (!strcmp(path, "status.hostIP") || !strcmp(path, "status.hostIPs"))
		return r->a->host_ip;
	if (!strcmp(path, "spec.nodeName"))
		return r->a->node;
	if (!strcmp(path, "spec.serviceAccountName")) {
		const char *sa = sk_obj_get_str(pod, "spec.serviceAccountName");
		return sa ? sa : "default";
	}
	if (!strcmp(path, "metadata.name") || !strcmp(path, "metadata.namespace") || !strcmp(path, "metadata.uid")) {
		const char *v = sk_obj_get_str(pod, path);
		return v ? v : "";
	}
	/* metadata.labels['k'] and metadata.annotations['k'] */
	const char *q = strchr(path, '[');
	size_t ql = q ? strlen(q) : 0;
	if (q && ql > 4 && (!strncmp(path, "metadata.labels[", 16) || !strncmp(path, "metadata.annotations[", 21))) {
		snprintf(buf, cap, "%.*s[\"%.*s\"]", (int)(q - path), path, (int)ql - 4, q + 2);
		const char *v = sk_obj_get_str(pod, buf);
		return v ? v : "";
	}
	return NULL;
}

/* limits.cpu and friends in the divisor's units, rounded up; an unset limit
 * is the node's allocatable, as the kubelet does */
static int resource_value(const struct run *r, const sk_obj *cspec, const sk_obj *ref, char *buf, size_t cap,
                          sk_err *err)
{
	const char *res = sk_obj_get_str(ref, "resource"), *div = sk_obj_get_str(ref, "divisor");
	const char *dot = res ? strchr(res, '.') : NULL;
	if (!dot || (strncmp(res, "limits.", 7) && strncmp(res, "requests.", 9)))
		return sk_errf(err, SK_EINVALID, "unsupported resourceFieldRef resource \"%s\"", res ? res : "");
	char path[160];
	snprintf(path, sizeof path, "resources.%.*s[\"%s\"]", (int)(dot - res), res, dot + 1);
	const char *text = sk_obj_get_str(cspec, path);
	sk_err e = {0};
	sk_obj *node = NULL;
	if (!text && !strncmp(res, "limits.", 7) &&
	    sk_api_get("", "nodes", NULL, r->a->node, &node, &e) == SK_OK) {
		snprintf(path, sizeof path, "status.allocatable[\"%s\"]", dot + 1);
		text = sk_obj_get_str(node, path);
	}
	sk_quantity q, d;
	int rc = sk_quantity_parse(text ? text : "0", &q, &e);
	sk_obj_unref(node);
	if (rc != SK_OK)
		return sk_errf(err, SK_EINVALID, "resourceFieldRef %s: %s", res, e.msg);
	if (!div || sk_quantity_parse(div, &d, &e) != SK_OK)
		sk_quantity_parse("1", &d, &e);
	int64_t qm = sk_quantity_milli(&q), dm = sk_quantity_milli(&d);
	if (dm <= 0)
		dm = 1000;
	snprintf(buf, cap, "%lld", (long long)((qm + dm - 1) / dm));
	return SK_OK;
}

struct prefixed {
	sk_obj *env;
	const char *prefix;
};

static int put_prefixed(void *ud, const char *key, sk_obj *value)
{
	struct prefixed *p = ud;
	char name[512];
	snprintf(name, sizeof name, "%s%s", p->prefix, key);
	if (*name && !strchr(name, '=')) /* the kubelet skips names it cannot set */
		env_put(p->env, name, sk_obj_str(value));
	return 0;
}

static int env_from(const struct run *r, const sk_obj *cspec, sk_obj *env, sk_err *err)
{
	const sk_obj *from = sk_obj_get(cspec, "envFrom");
	const char *ns = sk_obj_get_str(r->pod, "metadata.namespace");
	for (size_t i = 0; i < sk_obj_len(from); i++) {
		const sk_obj *src = sk_obj_at(from, i);
		const sk_obj *cm = sk_obj_get(src, "configMapRef"), *ref = cm ? cm : sk_obj_get(src, "secretRef");
		if (!ref)
			continue;
		sk_obj *data = source_data(cm ? "configmaps" : "secrets", ns, sk_obj_get_str(ref, "name"),
		                           sk_obj_get_bool(ref, "optional", 0), err);
		if (!data)
			return err->code;
		const char *prefix = sk_obj_get_str(src, "prefix");
		struct prefixed p = {env, prefix ? prefix : ""};
		sk_obj_foreach(data, put_prefixed, &p);
		sk_obj_unref(data);
	}
	return SK_OK;
}

static int key_ref(const struct run *r, const sk_obj *ref, const char *resource, sk_obj *env, const char *name,
                   sk_err *err)
{
	const char *key = sk_obj_get_str(ref, "key");
	int optional = sk_obj_get_bool(ref, "optional", 0);
	sk_obj *data = source_data(resource, sk_obj_get_str(r->pod, "metadata.namespace"),
	                           sk_obj_get_str(ref, "name"), optional, err);
	if (!data)
		return err->code;
	sk_obj *v = key ? sk_obj_key(data, key) : NULL;
	int rc = SK_OK;
	if (v)
		env_put(env, name, sk_obj_str(v));
	else if (!optional)
		rc = sk_errf(err, SK_ENOTFOUND, "couldn't find key %s in %s %s/%s", key ? key : "",
		             !strcmp(resource, "secrets") ? "Secret" : "ConfigMap",
		             sk_obj_get_str(r->pod, "metadata.namespace"), sk_obj_get_str(ref, "name"));
	sk_obj_unref(data);
	return rc;
}

static int env_list(const struct run *r, const sk_obj *cspec, sk_obj *env, sk_err *err)
{
	const sk_obj *list = sk_obj_get(cspec, "env");
	for (size_t i = 0; i < sk_obj_len(list); i++) {
		const sk_obj *e = sk_obj_at(list, i);
		const char *name = sk_obj_get_str(e, "name");
		const sk_obj *from = sk_obj_get(e, "valueFrom");
		char buf[512];
		if (!name)
			continue;
		if (!from) {
			const char *v = sk_obj_get_str(e, "value");
			char *x = expand_vars(v ? v : "", env);
			if (!x)
				return sk_errf(err, SK_ENOMEM, "out of memory");
			env_put(env, name, x);
			free(x);
			continue;
		}
		const sk_obj *ref;
		int rc = SK_OK;
		if ((ref = sk_obj_get(from, "configMapKeyRef")))
			rc = key_ref(r, ref, "configmaps", env, name, err);
		else if ((ref = sk_obj_get(from, "secretKeyRef")))
			rc = key_ref(r, ref, "secrets", env, name, err);
		else if ((ref = sk_obj_get(from, "fieldRef"))) {
			const char *path = sk_obj_get_str(ref, "fieldPath");
			const char *v = path ? field_value(r, path, buf, sizeof buf) : NULL;
			if (!v)
				return sk_errf(err, SK_EINVALID, "unsupported fieldRef fieldPath \"%s\"", path ? path : "");
			env_put(env, name, v);
		} else if ((ref = sk_obj_get(from, "resourceFieldRef"))) {
			if ((rc = resource_value(r, cspec, ref, buf, sizeof buf, err)) == SK_OK)
				env_put(env, name, buf);
		}
		if (rc != SK_OK)
			return rc;
	}
	return SK_OK;
}

static sk_obj *expanded(const sk_obj *list, const sk_obj *env)
{
	sk_obj *out = sk_obj_new_array();
	for (size_t i = 0; i < sk_obj_len(list); i++) {
		const char *s = sk_obj_str(sk_obj_at(list, i));
		char *x = expand_vars(s ? s : "", env);
		sk_obj *v = sk_obj_new_str(x ? x : "");
		sk_obj_append(out, v);
		sk_obj_unref(v);
		free(x);
	}
	return out;
}

sk_obj *container_config(const struct run *r, const struct ctr *c, const sk_obj *cspec, sk_err *err)
{
	sk_obj *env = sk_obj_new_array();
	if (env_from(r, cspec, env, err) != SK_OK || env_list(r, cspec, env, err) != SK_OK) {
		sk_obj_unref(env);
		return NULL;
	}
	sk_obj *cfg = sk_obj_new_object();
	static const char *const copied[] = {"name", "image", "imagePullPolicy", "workingDir", "resources",
	                                     "securityContext", "tty", "stdin", "stdinOnce"};
	for (size_t i = 0; i < sizeof copied / sizeof *copied; i++) {
		sk_obj *v = sk_obj_get(cspec, copied[i]);
		if (v)
			sk_obj_set(cfg, copied[i], v, NULL);
	}
	sk_obj *cmd = expanded(sk_obj_get(cspec, "command"), env), *args = expanded(sk_obj_get(cspec, "args"), env);
	sk_obj_set(cfg, "command", cmd, NULL);
	sk_obj_set(cfg, "args", args, NULL);
	sk_obj_set(cfg, "env", env, NULL);
	sk_obj_unref(cmd);
	sk_obj_unref(args);
	sk_obj_unref(env);
	char path[1024];
	/* as the kubelet lays them out under /var/log/pods */
	snprintf(path, sizeof path, "%s/pods/%s_%s_%s/%s/%d.log", sk_plugin_state_dir(r->a->p),
	         sk_obj_get_str(r->pod, "metadata.namespace"), sk_obj_get_str(r->pod, "metadata.name"), r->uid,
	         c->name, c->restarts);
	sk_obj_set_str(cfg, "logPath", path, NULL);
	sk_obj_set_int(cfg, "restartCount", c->restarts, NULL);
	sk_obj_set_str(cfg, "podUID", r->uid, NULL);
	sk_obj_set_str(cfg, "podName", sk_obj_get_str(r->pod, "metadata.name"), NULL);
	sk_obj_set_str(cfg, "podNamespace", sk_obj_get_str(r->pod, "metadata.namespace"), NULL);
	return cfg;
}
