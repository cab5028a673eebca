/* skiff/runtime.h — container runtimes (CRI-like), for the node role.
 *
 * The agent converges pods through one runtime: it runs a sandbox per pod
 * (the namespaces its containers share), then creates and starts each
 * container in it. Configuration is passed as objects: the Pod itself for a
 * sandbox, and for a container {"name", "image", "command", "args", "env",
 * "mounts", "resources", "workingDir", "tty", "stdin"} after the agent has
 * resolved env and volumes. Every call is asynchronous; `done` receives a
 * result object ({"id": ...} for create calls, a status for status) or an
 * error.
 *
 * run_sandbox's result is {"id", "netns"?, "ip"?}: a runtime that gives the
 * pod its own network namespace names its path, and the agent attaches it
 * through the network plugin (skiff/network.h); a runtime without one
 * (sim) may name the pod's IP itself. Containers end on their own: the
 * runtime reports that through the listener set with `watch`, with the
 * container's status, so the agent never polls.
 *
 * Ownership: everything passed in is borrowed for the call; results passed
 * to `done` are borrowed for the callback.
 */
#ifndef SKIFF_RUNTIME_H
#define SKIFF_RUNTIME_H
#include <skiff/abi.h>

/* a stream of bytes from a container (logs, exec output); fd is 1 or 2,
 * data NULL at the end */
typedef void (*sk_stream_fn)(void *cb_ud, int fd, const char *data, size_t len);
/* a container changed state by itself (exited); status as container_status */
typedef void (*sk_runtime_event_fn)(void *cb_ud, const char *container_id, const sk_obj *status);

typedef struct sk_runtime_ops {
	uint32_t size;
	const char *name;
	void (*run_sandbox)(void *ud, const sk_obj *pod, sk_done_fn done, void *cb_ud);
	void (*stop_sandbox)(void *ud, const char *sandbox_id, sk_done_fn done, void *cb_ud);
	void (*remove_sandbox)(void *ud, const char *sandbox_id, sk_done_fn done, void *cb_ud);
	void (*create_container)(void *ud, const char *sandbox_id, const sk_obj *config,
	                         sk_done_fn done, void *cb_ud);
	void (*start_container)(void *ud, const char *id, sk_done_fn done, void *cb_ud);
	/* SIGTERM, then SIGKILL after timeout_s */
	void (*stop_container)(void *ud, const char *id, double timeout_s, sk_done_fn done, void *cb_ud);
	void (*remove_container)(void *ud, const char *id, sk_done_fn done, void *cb_ud);
	/* {"state": "created|running|exited", "exitCode", "reason", "startedAt", "finishedAt", "pid"} */
	void (*container_status)(void *ud, const char *id, sk_done_fn done, void *cb_ud);
	/* opts: {"follow", "tailLines", "sinceSeconds", "timestamps", "previous"} */
	int (*logs)(void *ud, const char *id, const sk_obj *opts, sk_stream_fn out, void *cb_ud, sk_err *err);
	/* opts: {"command": [...], "tty", "stdin"}; result {"exitCode"} via done */
	int (*exec)(void *ud, const char *id, const sk_obj *opts, sk_stream_fn out,
	            sk_done_fn done, void *cb_ud, sk_err *err);
	/* one listener per runtime; fn NULL removes it */
	void (*watch)(void *ud, sk_runtime_event_fn fn, void *cb_ud);
	/* makes an image present: {"image", "imagePullPolicy"} (Always, IfNotPresent,
	 * Never, as Kubernetes defaults them); result {"pulled": true when it was
	 * fetched now, "imageID", "size"}; SK_ENOTFOUND when it is absent and may
	 * not or cannot be pulled */
	void (*pull_image)(void *ud, const sk_obj *spec, sk_done_fn done, void *cb_ud);
} sk_runtime_ops;

#endif
#include <skiff/host.h>
