/* rbac.h — api-rbac: defaults, validation and columns of the RBAC kinds
 * (rbac.c), filled into the registrations plugin.c makes. */
#ifndef API_RBAC_RBAC_H
#define API_RBAC_RBAC_H
#include <skiff/skiff.h>

/* Roles (cluster 0) and ClusterRoles (cluster 1) */
void rbac_role(sk_resource_ops *r, int cluster);
/* RoleBindings (cluster 0) and ClusterRoleBindings (cluster 1) */
void rbac_binding(sk_resource_ops *r, int cluster);

#endif
