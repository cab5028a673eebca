/* api-batch — the batch/v1 kinds: Jobs and CronJobs: their types
 * (batch.types), registrations, and each kind's defaults, validation and
 * columns (job.c, cronjob.c). */
#include "batch.h"

extern const char batch_types[];
extern const unsigned long batch_types_len;

static sk_resource_ops resources[] = {
	SK_GROUP_RESOURCE("batch", "v1", "jobs", "job", "Job", 1, SK_SUB_STATUS, NULL, SK_LIST("all"),
	                  "io.k8s.api.batch.v1"),
	SK_GROUP_RESOURCE("batch", "v1", "cronjobs", "cronjob", "CronJob", 1, SK_SUB_STATUS, SK_LIST("cj"),
	                  SK_LIST("all"), "io.k8s.api.batch.v1"),
};

static int init(sk_plugin *p, sk_err *err)
{
	int rc = sk_types_define(p, "batch.types", batch_types, batch_types_len, err);
	if (rc != SK_OK)
		return rc;
	batch_job(&resources[0]);
	batch_cronjob(&resources[1]);
	return sk_register_resources(p, resources, sizeof resources / sizeof resources[0], err);
}

SK_PLUGIN("api-batch", SKIFF_VERSION, "the batch/v1 kinds: Jobs and CronJobs", SK_LIST("api.batch"),
          SK_LIST("api-core"), init, NULL);
