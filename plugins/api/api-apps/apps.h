/* apps.h — api-apps: the apps/v1 kinds' own behaviour, one file per kind
 * (deployment.c, replicaset.c, statefulset.c, daemonset.c,
 * controllerrevision.c), and the workload helpers they share (workload.c):
 * the pod template and selector rules of Kubernetes' apps validation and
 * the cells of `kubectl get` that every workload prints alike.
 *
 * Everything here works on objects borrowed from the caller; nothing keeps
 * a reference past the call. */
#ifndef API_APPS_APPS_H
#define API_APPS_APPS_H
#include <skiff/skiff.h>

/* per kind: fills defaults, validate, columns and row of its registration */
void apps_deployment(sk_resource_ops *r);
void apps_replicaset(sk_resource_ops *r);
void apps_statefulset(sk_resource_ops *r);
void apps_daemonset(sk_resource_ops *r);
void apps_controllerrevision(sk_resource_ops *r);

/* ---- workload.c: validation ----------------------------------------------- */

/* ValidateLabelSelector of spec.selector (absent: nothing, the schema
 * requires it), then "empty selector is invalid for <what>" */
void workload_selector(sk_obj *causes, const sk_obj *spec, const char *what);
/* spec.template.metadata.labels must match spec.selector; an absent
 * selector matches nothing. When the selector cannot be read, bad_detail
 * (NULL: nothing) is reported on spec.selector instead. */
void workload_selector_matches(sk_obj *causes, const sk_obj *spec, const char *bad_detail);
/* ValidatePodTemplateSpec on spec.template: labels and annotations, and
 * with pod_spec the Pod kind's own rules on the template's spec */
void workload_pod_template(sk_obj *causes, const sk_obj *spec, int pod_spec);
/* restartPolicy Always and no activeDeadlineSeconds ("... in <kind> is not
 * Supported"), as every workload but Jobs demands */
void workload_always_restart(sk_obj *causes, const sk_obj *spec, const char *kind);
/* ValidateNonnegativeField of spec.<name> when present */
void workload_nonnegative(sk_obj *causes, const sk_obj *spec, const char *name);
/* an IntOrString's value: the integer, or the number of a percent string */
int64_t workload_int_or_percent(const sk_obj *v);
/* a percent string above 100%: "must not be greater than 100%" */
void workload_not_over_100(sk_obj *causes, const char *field, const sk_obj *v);
/* an Invalid cause on an IntOrString, printed as its String() (unquoted) */
void workload_invalid_int_or_string(sk_obj *causes, const char *field, const sk_obj *v, const char *detail);
/* status: ValidateNonnegativeField of each named counter present, and
 * "cannot be greater than status.<of>" for counter pairs {a, of} */
void workload_status_nonnegative(sk_obj *causes, const sk_obj *obj, const char *const *names);
void workload_status_not_above(sk_obj *causes, const sk_obj *obj, const char *a, const char *of, const char *msg);
/* status.collisionCount may not go down (IsDecremented) */
void workload_collision_count(sk_obj *causes, const sk_obj *obj, const sk_obj *old);
/* 1 on create: the server has not given the object a resourceVersion yet */
int workload_creating(const sk_obj *obj);

/* ---- workload.c: columns -------------------------------------------------- */

#define WORKLOAD_AGE                                                                                         \
	{"Age", "date",                                                                                      \
	 "CreationTimestamp is a timestamp representing the server time when this object was created.", 0,   \
	 ".metadata.creationTimestamp"}
#define WORKLOAD_CONTAINERS {"Containers", "string", "Names of each container in the template.", 1, NULL}
#define WORKLOAD_IMAGES {"Images", "string", "Images referenced by each container in the template.", 1, NULL}
#define WORKLOAD_END {NULL, NULL, NULL, 0, NULL}

void cell_str(sk_obj *cells, size_t i, const char *s);
void cell_int(sk_obj *cells, size_t i, int64_t v);
/* "%d/%d" of two counts */
void cell_ratio(sk_obj *cells, size_t i, int64_t have, int64_t want);
/* the template's container names at cell i and their images at i + 1 */
void cell_containers(sk_obj *cells, size_t i, const sk_obj *tmpl);
/* a LabelSelector as Kubernetes prints it: with none_if_empty,
 * FormatLabelSelector ("<none>" when empty); without, Selector.String() */
void cell_selector(sk_obj *cells, size_t i, const sk_obj *selector, int none_if_empty);

#endif
