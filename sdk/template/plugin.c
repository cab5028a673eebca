/* A skiff plugin skeleton: copy this folder, rename, build with `make`.
 *
 * It registers one validating admission plugin that refuses objects carrying
 * a label named in its settings (default "example.skiff.io/deny"), and logs
 * once it is loaded. Replace the logic with yours; keep the shape:
 * static ops structs, registration in init, state freed in fini.
 */
#include <skiff/skiff.h>
#include <stdio.h>

static const char *deny_label = "example.skiff.io/deny";

static int validate(void *ud, const sk_admission_request *rq, const sk_obj *obj, sk_err *err)
{
	(void)ud;
	if (!obj)
		return SK_OK; /* DELETE: nothing to check */
	const sk_obj *labels = sk_obj_get(obj, "metadata.labels");
	char path[300];
	snprintf(path, sizeof path, "[\"%s\"]", deny_label);
	if (labels && sk_obj_get(labels, path)) {
		snprintf(err->msg, sizeof err->msg, "%s %s: label %s is not allowed here", rq->kind ? rq->kind : "object",
		         rq->name ? rq->name : "", deny_label);
		err->code = SK_EFORBIDDEN;
		return SK_EFORBIDDEN;
	}
	return SK_OK;
}

static const sk_admission_ops admission = {
	.size = sizeof admission,
	.name = "example-deny-label",
	.validate = validate,
};

static int init(sk_plugin *p, sk_err *err)
{
	const char *label = sk_obj_get_str(sk_plugin_settings(p), "label");
	if (label)
		deny_label = label;
	if (sk_register(p, SK_EXT_ADMISSION, &admission, NULL, err) != SK_OK)
		return err->code;
	sk_log(p, SK_LOG_INFO, "example plugin ready: refusing objects labelled %s", deny_label);
	return SK_OK;
}

SK_PLUGIN("example", "0.1.0", "template: refuses objects with a configured label", SK_LIST("admission"),
          SK_LIST(NULL), init, NULL);
