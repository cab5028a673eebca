/* priorityclass.c — PriorityClasses: the system- prefix reserved for the
 * system classes, the ceiling on user-defined values (ValidatePriorityClass),
 * and the VALUE GLOBAL-DEFAULT PREEMPTIONPOLICY columns. */
#include "priorityclass.h"
#include <stdio.h>
#include <string.h>

static int validate(void *ud, const sk_obj *pc, const sk_obj *old, sk_obj *causes)
{
	(void)ud;
	(void)old;
	size_t before = sk_obj_len(causes);
	const char *name = sk_obj_get_str(pc, "metadata.name") ?: "";
	int64_t value = sk_obj_get_int(pc, "value", 0);
	int global = sk_obj_get_bool(pc, "globalDefault", 0);
	if (!strncmp(name, SYSTEM_PREFIX, strlen(SYSTEM_PREFIX))) {
		/* IsKnownSystemPriorityClass */
		char why[160];
		snprintf(why, sizeof why, "%s is not a known system priority class", name);
		int known = 0;
		for (size_t i = 0; i < 2; i++)
			if (!strcmp(name, system_classes[i].name)) {
				known = value == system_classes[i].value && !global;
				if (value != system_classes[i].value)
					snprintf(why, sizeof why, "value of %s PriorityClass must be %lld", name,
					         (long long)system_classes[i].value);
				else if (global)
					snprintf(why, sizeof why, "globalDefault of %s PriorityClass must be false", name);
			}
		if (!known) {
			char msg[400];
			snprintf(msg, sizeof msg,
			         "priority class names with '" SYSTEM_PREFIX "' prefix are reserved for system use only. error: %s",
			         why);
			sk_cause_forbidden(causes, "metadata.name", msg);
		}
	} else if (value > HIGHEST_USER_PRIORITY) {
		char msg[120];
		snprintf(msg, sizeof msg, "maximum allowed value of a user defined priority is %d", HIGHEST_USER_PRIORITY);
		sk_cause_forbidden(causes, "value", msg);
	}
	return sk_obj_len(causes) > before ? SK_EINVALID : SK_OK;
}

static const sk_column columns[] = {
	{"Value", "integer", "value represents the integer value of this priority class.", 0, ".value"},
	{"Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.", 0, NULL},
	{"Age", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp"},
	{"PreemptionPolicy", "string", "preemptionPolicy is the Policy for preempting pods with lower priority.", 0, ".preemptionPolicy"},
	{NULL, NULL, NULL, 0, NULL},
};

static void row(void *ud, const sk_obj *o, sk_obj *cells)
{
	(void)ud;
	sk_obj_set_int(cells, "[0]", sk_obj_get_int(o, "value", 0), NULL);
	sk_obj_set_bool(cells, "[1]", sk_obj_get_bool(o, "globalDefault", 0), NULL);
}

void scheduling_priorityclass(sk_resource_ops *r)
{
	r->validate = validate;
	r->columns = columns;
	r->row = row;
}
