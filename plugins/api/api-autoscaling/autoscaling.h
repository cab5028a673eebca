/* autoscaling.h — api-autoscaling: HorizontalPodAutoscalers stored as
 * autoscaling/v2 (hpa.c: defaults, validation, columns) and served as
 * autoscaling/v1 too (hpa_v1.c: the conversion Kubernetes does, with what
 * v1 cannot say kept in the autoscaling.alpha.kubernetes.io annotations).
 *
 * Everything here works on objects borrowed from the caller; nothing keeps
 * a reference past the call. */
#ifndef API_AUTOSCALING_AUTOSCALING_H
#define API_AUTOSCALING_AUTOSCALING_H
#include <skiff/skiff.h>

/* autoscaling.DefaultCPUUtilization: the target when no metric is given */
#define HPA_DEFAULT_CPU_UTILIZATION 80

/* hpa.c: fills defaults, validate, columns and row of the v2 registration */
void hpa_v2(sk_resource_ops *r);
/* hpa.c: the metric Kubernetes puts in an HPA that names none: cpu at
 * 80% average utilization (a new reference) */
sk_obj *hpa_default_metric(void);

/* hpa_v1.c: fills to_storage / from_storage of the v1 registration */
void hpa_v1(sk_resource_ops *r);

#endif
