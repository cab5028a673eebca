/* policy.h — api-policy: the policy/v1 kinds' own behaviour, one file per
 * kind (pdb.c for PodDisruptionBudgets). */
#ifndef API_POLICY_POLICY_H
#define API_POLICY_POLICY_H
#include <skiff/skiff.h>

/* pdb.c: fills validate, columns and row of the registration */
void policy_pdb(sk_resource_ops *r);

#endif
