/* report.c — what the scheduler tells users: kube-scheduler's FitError
 * message, the pod's PodScheduled condition, and Scheduled and
 * FailedScheduling events that `kubectl describe pod` shows. */
#include "sched.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct count {
	char *reason;
	size_t n;
};

static void tally(struct count **v, size_t *n, const char *reason, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (strlen((*v)[i].reason) == len && !strncmp((*v)[i].reason, reason, len)) {
			(*v)[i].n++;
			return;
		}
	struct count *nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!nv)
		return;
	*v = nv;
	if ((nv[*n].reason = strndup(reason, len))) {
		nv[*n].n = 1;
		(*n)++;
	}
}

static int by_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char *report_reasons(const char *const *reasons, size_t nnodes)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	fprintf(f, "0/%zu nodes are available:", nnodes);
	struct count *v = NULL;
	size_t n = 0;
	for (size_t i = 0; i < nnodes; i++) {
		for (const char *r = reasons[i]; r && *r;) {
			const char *nl = strchr(r, '\n');
			size_t l = nl ? (size_t)(nl - r) : strlen(r);
			if (l)
				tally(&v, &n, r, l);
			r = nl ? nl + 1 : r + l;
		}
	}
	/* "%d %s" per reason, sorted as strings, as kube-scheduler sorts them */
	char **lines = calloc(n ? n : 1, sizeof *lines);
	size_t nl = 0;
	for (size_t i = 0; lines && i < n; i++)
		if (asprintf(&lines[nl], "%zu %s", v[i].n, v[i].reason) >= 0)
			nl++;
	if (lines)
		qsort(lines, nl, sizeof *lines, by_text);
	for (size_t i = 0; i < nl; i++)
		fprintf(f, "%s%s", i ? ", " : " ", lines[i]);
	if (nl)
		fputc('.', f);
	for (size_t i = 0; i < nl; i++)
		free(lines[i]);
	free(lines);
	for (size_t i = 0; i < n; i++)
		free(v[i].reason);
	free(v);
	fclose(f);
	return out;
}

char *report_fit_error(const char *const *reasons, size_t nnodes, const char *prefilter, const char *postfilter)
{
	char *base = NULL, *out = NULL;
	if (!nnodes && !prefilter)
		return strdup("no nodes available to schedule pods");
	if (prefilter) {
		if (asprintf(&base, "0/%zu nodes are available: %s.", nnodes, prefilter) < 0)
			return NULL;
	} else if (!(base = report_reasons(reasons, nnodes))) {
		return NULL;
	}
	if (!postfilter)
		return base;
	/* kube-scheduler adds " %s." to a message that already ends in a
	 * period: its users see "..incoming pod.." and so do ours */
	if (asprintf(&out, "%s %s.", base, postfilter) < 0)
		out = NULL;
	free(base);
	return out;
}

static void logged(void *ud, const sk_err *err, const sk_obj *stored)
{
	(void)stored;
	struct sched *s = ud;
	/* a conflict means a newer pod: its own attempt reports again */
	if (err && err->code != SK_ECONFLICT && err->code != SK_ENOTFOUND)
		sk_log(s->p, SK_LOG_WARN, "cannot record a scheduling result: %s", err->msg);
}

void report_event(struct sched *s, const sk_obj *pod, const char *type, const char *reason, const char *message)
{
	sk_event_emit(s->p, pod, "Pod", "v1", type, reason, message, "default-scheduler", NULL);
}

void report_scheduled(struct sched *s, const sk_obj *pod, const char *node)
{
	char msg[800];
	snprintf(msg, sizeof msg, "Successfully assigned %s/%s to %s", sk_obj_get_str(pod, "metadata.namespace"),
	         sk_obj_get_str(pod, "metadata.name"), node);
	report_event(s, pod, "Normal", "Scheduled", msg);
}

void report_unschedulable(struct sched *s, const sk_obj *pod, const char *message)
{
	const sk_obj *old = sk_obj_get(pod, "status.conditions");
	sk_obj *next = sk_obj_copy(pod);
	if (!next)
		return;
	if (!sk_obj_get(next, "status")) {
		sk_obj *st = sk_obj_new_object();
		sk_obj_set(next, "status", st, NULL);
		sk_obj_unref(st);
	}
	int changed = sk_condition_set(sk_obj_get(next, "status"), "PodScheduled", "False", "Unschedulable", message);
	/* the same refusal again changes nothing and tells nobody anything new */
	if (changed > 0 || !old) {
		sk_api_update(s->p, "", "pods", sk_obj_get_str(pod, "metadata.namespace"), next, logged, s);
		report_event(s, pod, "Warning", "FailedScheduling", message);
	}
	sk_obj_unref(next);
}
