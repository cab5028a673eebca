/* priorityclass.h — api-scheduling: PriorityClasses' rules and columns
 * (priorityclass.c), the system classes every cluster has (system.c) and
 * the removed v1alpha1 version (versions.c). */
#ifndef API_SCHEDULING_PRIORITYCLASS_H
#define API_SCHEDULING_PRIORITYCLASS_H
#include <skiff/skiff.h>

#define SYSTEM_PREFIX "system-"
#define HIGHEST_USER_PRIORITY 1000000000 /* HighestUserDefinablePriority */

/* the classes Kubernetes reserves under the system- prefix */
struct system_class {
	const char *name;
	int64_t value;
	const char *description;
};
extern const struct system_class system_classes[2];

void scheduling_priorityclass(sk_resource_ops *r);
int scheduling_system_classes_register(sk_plugin *p, sk_err *err);
int scheduling_old_versions_register(sk_plugin *p, sk_err *err);

#endif
