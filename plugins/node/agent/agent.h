/* agent.h — the node agent: one Node registered and kept alive (node.c,
 * machine.c), the pods bound to it converged through a runtime and a
 * network plugin (pod.c), their status reported as kubectl users read it
 * (status.c). Everything runs on the loop.
 *
 * Ownership: an agent owns its runs; a run owns its containers and holds a
 * reference to the latest Pod the informer showed it. */
#ifndef AGENT_H
#define AGENT_H
#include <skiff/skiff.h>
#include <stddef.h>

#define AGENT_COMPONENT "kubelet"

enum ctr_state {
	C_WAITING = 0,  /* not created yet, or waiting to be restarted */
	C_RUNNING,
	C_EXITED,
};

struct ctr {
	char *name;
	int init;                 /* an init container */
	char *id;                 /* the runtime's id of the current instance, or NULL */
	enum ctr_state state;
	char *reason, *message;   /* waiting: ContainerCreating, CrashLoopBackOff, ...; exited: Completed, Error, OOMKilled */
	int exit_code;
	char started_at[32], finished_at[32];
	sk_obj *last_terminated;  /* lastState.terminated, or NULL */
	int restarts;
	double backoff_s;         /* the next restart's delay */
	double restart_at;        /* monotonic time before which it stays in back-off */
	int ready;
	int pulled;               /* its image was reported Pulled once */
};

enum run_stage {
	R_SANDBOX = 0,   /* no sandbox yet */
	R_NETWORK,       /* sandbox up, network not attached */
	R_CONTAINERS,    /* init containers in order, then the others */
	R_TEARDOWN,      /* stopping everything */
	R_GONE,          /* released: the run can be freed */
};

struct agent;

struct run {
	struct agent *a;
	char *key, *uid;
	sk_obj *pod;              /* the latest Pod seen, referenced */
	enum run_stage stage;
	int busy;                 /* a runtime or network call is in flight */
	int deleted;              /* the Pod object is gone from the API */
	char *sandbox_id, *netns, *ip;
	int net_attached;
	struct ctr *ctrs;         /* init containers first */
	size_t n, ninit;
	char start_time[32];
	char phase[12];           /* Pending, Running, Succeeded, Failed */
	double kill_deadline;     /* monotonic, while tearing down */
	int status_writing, status_again;
	char *sandbox_error;      /* why the sandbox or network failed, for events and retries */
};

struct agent {
	sk_plugin *p;
	char *node;               /* this node's name */
	const sk_runtime_ops *rt;
	void *rt_ud;
	const sk_network_ops *net;/* NULL: the runtime gives IPs itself, or host networking only */
	void *net_ud;
	sk_informer *pods;
	sk_queue *queue;
	sk_map *runs;             /* "ns/name" -> struct run */
	sk_map *by_ctr;           /* runtime container id -> struct run (container exits) */
	sk_timer *heartbeat;
	sk_obj *settings;         /* borrowed from the plugin */
	char host_ip[64];
	double backoff_initial_s, backoff_max_s;
	int max_pods;
	int stopping;
	/* node.c's state */
	sk_obj *node_status;      /* the last status written */
	int node_writing, lease_writing;
	double last_report;       /* monotonic time of the last status written */
	int64_t lease_rv;
};

/* ---- machine.c: what the node reports of the machine ---- */
/* capacity (cpu, memory, ephemeral-storage, pods) into an object */
sk_obj *machine_capacity(const char *data_dir, int max_pods);
/* nodeInfo fields */
sk_obj *machine_info(const char *runtime_name);
/* the first non-loopback IPv4 address, or "127.0.0.1"; into buf */
void machine_ip(char *buf, size_t cap);
/* MemoryPressure / DiskPressure / PIDPressure: 1 when under pressure */
int machine_memory_pressure(void);
int machine_disk_pressure(const char *data_dir);
int machine_pid_pressure(void);

/* ---- node.c ---- */
int node_start(struct agent *a, sk_err *err);
void node_stop(struct agent *a);

/* ---- pod.c ---- */
/* the work queue's reconcile: converge the pod named by key */
int pod_reconcile(void *ud, const char *key);
void run_free(void *run);
/* look at the run again (after after_s seconds); frees it instead once the
 * agent has stopped and nothing of it is in flight */
void run_requeue(struct run *r, double after_s);
/* spec.restartPolicy, Always when unset */
const char *run_restart_policy(const struct run *r);
/* a container ended on its own (from the runtime's listener) */
void pod_container_exited(struct agent *a, const char *id, const sk_obj *status);

/* ---- container_config.c ---- */
/* the runtime's config for container c (spec cspec); NULL with err set when
 * its environment cannot be resolved (CreateContainerConfigError) */
sk_obj *container_config(const struct run *r, const struct ctr *c, const sk_obj *cspec, sk_err *err);
/* $(VAR) -> its value in env when defined, else left as written; $$ -> $ */
char *expand_vars(const char *in, const sk_obj *env);
/* a ConfigMap's or Secret's data as {key: text} ("configmaps"/"secrets"),
 * Secret values decoded; a missing optional one is empty */
sk_obj *source_data(const char *resource, const char *ns, const char *name, int optional, sk_err *err);
/* a downward API fieldPath's value for the run's pod, or NULL if unsupported */
const char *field_value(const struct run *r, const char *path, char *buf, size_t cap);

/* ---- status.c ---- */
/* computes the pod's status from the run and writes it when it changed */
void status_report(struct run *r);
void status_event(struct run *r, const char *type, const char *reason, const char *fmt, ...) SK_PRINTF(4, 5);

#endif
