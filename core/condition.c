/* condition.c — status conditions as Kubernetes' helpers keep them
 * (meta.SetStatusCondition, podutil.UpdatePodCondition): one entry per
 * type, and a transition time that moves only when the status does. */
#include "json.h"
#include <skiff/loop.h>
#include <string.h>
#include <time.h>

char *sk_clock_rfc3339(char *out, size_t cap)
{
	time_t t = (time_t)(sk_clock_now_ms() / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	if (!strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) && cap)
		*out = 0;
	return out;
}

static int set_str(json_t *o, const char *key, const char *v)
{
	const char *now = json_string_value(json_object_get(o, key));
	if ((!v && !now) || (v && now && !strcmp(v, now)))
		return 0;
	if (v)
		json_object_set_new(o, key, json_string(v));
	else
		json_object_del(o, key);
	return 1;
}

int sk_condition_set(sk_obj *status_obj, const char *type, const char *status, const char *reason,
                     const char *message)
{
	json_t *st = J(status_obj);
	if (!json_is_object(st))
		return -1;
	json_t *conds = json_object_get(st, "conditions");
	if (!json_is_array(conds)) {
		conds = json_array();
		json_object_set_new(st, "conditions", conds);
	}
	json_t *c = NULL;
	size_t i;
	json_t *it;
	json_array_foreach(conds, i, it) {
		const char *t = json_string_value(json_object_get(it, "type"));
		if (t && !strcmp(t, type)) {
			c = it;
			break;
		}
	}
	char now[32];
	int changed = 0;
	if (!c) {
		c = json_pack("{s:s}", "type", type);
		json_array_append_new(conds, c);
		changed = 1;
	}
	if (set_str(c, "status", status) || changed)
		changed |= set_str(c, "lastTransitionTime", sk_clock_rfc3339(now, sizeof now)) | 1;
	changed |= set_str(c, "reason", reason && *reason ? reason : NULL);
	changed |= set_str(c, "message", message && *message ? message : NULL);
	return changed;
}
