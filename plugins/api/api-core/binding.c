/* binding.c — pods/binding, the subresource a scheduler binds through:
 * the pod gets the Binding's target node as spec.nodeName, the Binding's
 * annotations, and a PodScheduled condition, as kube-apiserver's
 * BindingREST does; a pod already placed or being deleted is a Conflict. */
#include "kinds.h"
#include <string.h>

static int fail(sk_err *err, int code, const char *msg, const char *a, const char *b)
{
	snprintf(err->msg, sizeof err->msg, msg, a, b ? b : "");
	return err->code = code;
}

static int copy_annotation(void *ud, const char *key, sk_obj *value)
{
	char path[400];
	/* annotation keys are qualified names: no quote to escape */
	if (snprintf(path, sizeof path, "[\"%s\"]", key) < (int)sizeof path)
		sk_obj_set(ud, path, value, NULL);
	return 0;
}

int pod_act(void *ud, const char *subresource, const sk_obj *body, sk_obj *pod, sk_err *err)
{
	(void)ud;
	if (strcmp(subresource, "binding"))
		return fail(err, SK_EUNSUPPORTED, "the %s subresource is not served%s", subresource, NULL);
	const char *kind = sk_obj_get_str(body, "kind");
	const char *name = sk_obj_get_str(pod, "metadata.name");
	if (kind && *kind && strcmp(kind, "Binding"))
		return fail(err, SK_EBADREQUEST, "the object provided is a %s, not a Binding%s", kind, NULL);
	/* ValidatePodBinding */
	const char *tkind = sk_obj_get_str(body, "target.kind"), *node = sk_obj_get_str(body, "target.name");
	if (tkind && *tkind && strcmp(tkind, "Node"))
		return fail(err, SK_EINVALID,
		            "Binding \"%s\" is invalid: target.kind: Not supported: \"%s\": must be empty or 'Node'", name,
		            tkind);
	if (!node || !*node)
		return fail(err, SK_EINVALID, "Binding \"%s\" is invalid: target.name: Required value%s", name, NULL);
	/* setPodNodeNameAndAnnotations */
	if (sk_obj_get_str(pod, "metadata.deletionTimestamp"))
		return fail(err, SK_ECONFLICT, "pod %s is being deleted, cannot be assigned to a host%s", name, NULL);
	const char *placed = sk_obj_get_str(pod, "spec.nodeName");
	if (placed && *placed)
		return fail(err, SK_ECONFLICT, "pod %s is already assigned to node \"%s\"", name, placed);
	if (sk_obj_set_str(pod, "spec.nodeName", node, err) != SK_OK)
		return err->code;
	const sk_obj *notes = sk_obj_get(body, "metadata.annotations");
	if (notes && sk_obj_type_of(notes) == SK_OBJ_OBJECT && sk_obj_len(notes)) {
		if (!sk_obj_get(pod, "metadata.annotations")) {
			sk_obj *empty = sk_obj_new_object();
			sk_obj_set(pod, "metadata.annotations", empty, NULL);
			sk_obj_unref(empty);
		}
		sk_obj_foreach(notes, copy_annotation, sk_obj_get(pod, "metadata.annotations"));
	}
	if (!sk_obj_get(pod, "status")) {
		sk_obj *st = sk_obj_new_object();
		sk_obj_set(pod, "status", st, NULL);
		sk_obj_unref(st);
	}
	sk_condition_set(sk_obj_get(pod, "status"), "PodScheduled", "True", NULL, NULL);
	return SK_OK;
}
