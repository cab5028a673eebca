/* skiff/auth.h — authenticators and authorizers.
 *
 * Every API request is authenticated, then authorized. Authenticators run in
 * registration order; the first that recognises the credentials decides.
 * Authorizers run in order; the first to allow or deny decides, and a request
 * nobody allows is forbidden.
 *
 * A user is an object shaped like Kubernetes' UserInfo:
 * {"username": "...", "uid": "...", "groups": ["..."], "extra": {...}}.
 *
 * Ownership: the request and everything it points to are borrowed for the
 * call. An authenticator that recognises a caller returns a new user object,
 * owned by the host afterwards.
 */
#ifndef SKIFF_AUTH_H
#define SKIFF_AUTH_H
#include <skiff/abi.h>

typedef struct sk_auth_request {
	uint32_t size;
	const char *method;
	const char *path;
	const char *remote_addr;
	/* the Authorization header, or NULL */
	const char *authorization;
	/* verified client certificate subject: CN and O values, or NULL */
	const char *cert_common_name;
	const char *const *cert_organizations;
	/* any other header, by case-insensitive name; NULL if absent */
	const char *(*header)(const struct sk_auth_request *rq, const char *name);
	void *host_data;
} sk_auth_request;

enum { SK_AUTHN_NO_OPINION = 0, SK_AUTHN_OK = 1, SK_AUTHN_REJECT = 2 };

typedef struct sk_authenticator_ops {
	uint32_t size;
	const char *name;
	/* return SK_AUTHN_OK with *user set, SK_AUTHN_NO_OPINION when the
	 * credentials are not this authenticator's, SK_AUTHN_REJECT (with err)
	 * when they are but are invalid */
	int (*authenticate)(void *ud, const sk_auth_request *rq, sk_obj **user, sk_err *err);
} sk_authenticator_ops;

/* What is being asked, as Kubernetes' SubjectAccessReview attributes. */
typedef struct sk_authz_attrs {
	uint32_t size;
	const sk_obj *user;
	const char *verb;         /* get list watch create update patch delete deletecollection ... */
	int resource_request;     /* 0: a non-resource path such as /healthz */
	const char *group;
	const char *version;
	const char *resource;
	const char *subresource;
	const char *ns;
	const char *name;
	const char *path;
} sk_authz_attrs;

enum { SK_AUTHZ_NO_OPINION = 0, SK_AUTHZ_ALLOW = 1, SK_AUTHZ_DENY = 2 };

typedef struct sk_authorizer_ops {
	uint32_t size;
	const char *name;
	/* returns SK_AUTHZ_*; writes a reason for the user into reason */
	int (*authorize)(void *ud, const sk_authz_attrs *a, char *reason, size_t cap);
} sk_authorizer_ops;

#endif
#include <skiff/host.h>
