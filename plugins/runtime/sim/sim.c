/* sim.c — the `sim` runtime: accepts pods and reports their containers
 * running without starting anything, as kwok does, so one machine can host
 * thousands of hollow nodes for scale tests. Sandboxes get an IP from
 * 10.128.0.0/9 so that status looks as it would on a real node. A container
 * stopped by the agent exits 0 (SIGTERM honoured at once); nothing exits by
 * itself. */
#include <skiff/skiff.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctr {
	char state[8];      /* created, running, exited */
	char started[32], finished[32];
	int exit_code;
};

struct sim {
	sk_plugin *p;
	sk_map *ctrs;       /* id -> struct ctr */
	uint64_t next_id;
	uint32_t next_ip;
};

static struct sim S;

static void reply_id(const char *prefix, uint64_t n, sk_done_fn done, void *cb_ud)
{
	char id[40];
	snprintf(id, sizeof id, "%s%016llx", prefix, (unsigned long long)n);
	sk_obj *r = sk_obj_new_object();
	sk_obj_set_str(r, "id", id, NULL);
	done(cb_ud, NULL, r);
	sk_obj_unref(r);
}

static void ok(sk_done_fn done, void *cb_ud)
{
	sk_obj *r = sk_obj_new_object();
	done(cb_ud, NULL, r);
	sk_obj_unref(r);
}

static void not_found(const char *id, sk_done_fn done, void *cb_ud)
{
	sk_err e = {SK_ENOTFOUND, ""};
	snprintf(e.msg, sizeof e.msg, "container %s not found", id);
	done(cb_ud, &e, NULL);
}

static void run_sandbox(void *ud, const sk_obj *pod, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	(void)pod;
	uint32_t n = ++S.next_ip; /* 10.128.0.1 upwards, skipping .0 and .255 */
	if ((n & 0xff) == 0xff)
		n = ++S.next_ip + 1, S.next_ip = n;
	if ((n & 0xff) == 0)
		n = ++S.next_ip;
	char ip[20], id[40];
	snprintf(ip, sizeof ip, "10.%u.%u.%u", 128 + ((n >> 16) & 0x7f), (n >> 8) & 0xff, n & 0xff);
	snprintf(id, sizeof id, "sim-sandbox-%08x", n);
	sk_obj *r = sk_obj_new_object();
	sk_obj_set_str(r, "id", id, NULL);
	sk_obj_set_str(r, "ip", ip, NULL);
	done(cb_ud, NULL, r);
	sk_obj_unref(r);
}

static void sandbox_done(void *ud, const char *id, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	(void)id;
	ok(done, cb_ud);
}

static void create_container(void *ud, const char *sandbox_id, const sk_obj *config, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	(void)sandbox_id;
	(void)config;
	struct ctr *c = calloc(1, sizeof *c);
	if (!c) {
		sk_err e = {SK_ENOMEM, "out of memory"};
		done(cb_ud, &e, NULL);
		return;
	}
	strcpy(c->state, "created");
	char id[40];
	uint64_t n = ++S.next_id;
	snprintf(id, sizeof id, "sim%016llx", (unsigned long long)n);
	sk_map_put(S.ctrs, id, c, NULL);
	reply_id("sim", n, done, cb_ud);
}

static void start_container(void *ud, const char *id, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	struct ctr *c = sk_map_get(S.ctrs, id);
	if (!c)
		return not_found(id, done, cb_ud);
	strcpy(c->state, "running");
	sk_clock_rfc3339(c->started, sizeof c->started);
	ok(done, cb_ud);
}

static void stop_container(void *ud, const char *id, double timeout_s, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	(void)timeout_s;
	struct ctr *c = sk_map_get(S.ctrs, id);
	if (!c)
		return ok(done, cb_ud); /* stopping is safe to repeat */
	if (strcmp(c->state, "exited")) {
		strcpy(c->state, "exited");
		sk_clock_rfc3339(c->finished, sizeof c->finished);
	}
	ok(done, cb_ud);
}

static void remove_container(void *ud, const char *id, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	free(sk_map_del(S.ctrs, id));
	ok(done, cb_ud);
}

static void container_status(void *ud, const char *id, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	struct ctr *c = sk_map_get(S.ctrs, id);
	if (!c)
		return not_found(id, done, cb_ud);
	sk_obj *r = sk_obj_new_object();
	sk_obj_set_str(r, "state", c->state, NULL);
	if (*c->started)
		sk_obj_set_str(r, "startedAt", c->started, NULL);
	if (*c->finished) {
		sk_obj_set_str(r, "finishedAt", c->finished, NULL);
		sk_obj_set_int(r, "exitCode", c->exit_code, NULL);
		sk_obj_set_str(r, "reason", "Completed", NULL);
	}
	done(cb_ud, NULL, r);
	sk_obj_unref(r);
}

static int no_streams(const char *what, sk_err *err)
{
	snprintf(err->msg, sizeof err->msg, "the sim runtime runs no processes: %s is not available", what);
	err->code = SK_EUNSUPPORTED;
	return SK_EUNSUPPORTED;
}

static int logs(void *ud, const char *id, const sk_obj *opts, sk_stream_fn out, void *cb_ud, sk_err *err)
{
	(void)ud, (void)id, (void)opts, (void)out, (void)cb_ud;
	return no_streams("logs", err);
}

static int exec_in(void *ud, const char *id, const sk_obj *opts, sk_stream_fn out, sk_done_fn done, void *cb_ud,
                   sk_err *err)
{
	(void)ud, (void)id, (void)opts, (void)out, (void)done, (void)cb_ud;
	return no_streams("exec", err);
}

static void watch(void *ud, sk_runtime_event_fn fn, void *cb_ud)
{
	(void)ud, (void)fn, (void)cb_ud; /* nothing ever exits by itself */
}

static void pull_image(void *ud, const sk_obj *spec, sk_done_fn done, void *cb_ud)
{
	(void)ud;
	sk_obj *r = sk_obj_new_object();
	sk_obj_set_bool(r, "pulled", 0, NULL); /* every image is present on a hollow node */
	const char *image = sk_obj_get_str(spec, "image");
	char id[300];
	snprintf(id, sizeof id, "sim://%.280s", image ? image : "");
	sk_obj_set_str(r, "imageID", id, NULL);
	done(cb_ud, NULL, r);
	sk_obj_unref(r);
}

static const sk_runtime_ops ops = {
	.size = sizeof ops,
	.name = "sim",
	.run_sandbox = run_sandbox,
	.stop_sandbox = sandbox_done,
	.remove_sandbox = sandbox_done,
	.create_container = create_container,
	.start_container = start_container,
	.stop_container = stop_container,
	.remove_container = remove_container,
	.container_status = container_status,
	.logs = logs,
	.exec = exec_in,
	.watch = watch,
	.pull_image = pull_image,
};

static int init(sk_plugin *p, sk_err *err)
{
	S.p = p;
	if (!(S.ctrs = sk_map_new()))
		return sk_errf(err, SK_ENOMEM, "out of memory");
	return sk_register(p, SK_EXT_RUNTIME, &ops, NULL, err);
}

static void fini(sk_plugin *p)
{
	(void)p;
	sk_map_free(S.ctrs, free);
	S.ctrs = NULL;
}

SK_PLUGIN("sim", "0.1.0", "runtime that reports pods running without starting anything (hollow nodes)",
          SK_LIST("runtime:sim"), NULL, init, fini);
