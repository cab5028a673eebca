/* skiff/admission.h — admission plugins: mutate, then validate.
 *
 * After authorization, every write passes the mutating admission plugins in
 * order (each may change the object), then defaulting and validation of the
 * resource, then the validating admission plugins (which may only refuse).
 * A refusal's sk_err becomes the Status the client sees; use SK_EFORBIDDEN
 * for policy refusals and SK_EINVALID for malformed objects.
 *
 * Ownership: everything in the request is borrowed for the call; `obj` passed
 * to mutate may be changed in place.
 */
#ifndef SKIFF_ADMISSION_H
#define SKIFF_ADMISSION_H
#include <skiff/abi.h>

typedef struct sk_admission_request {
	uint32_t size;
	const char *operation;   /* CREATE, UPDATE, DELETE, CONNECT */
	const char *group;
	const char *version;
	const char *resource;
	const char *subresource; /* "" for the main resource */
	const char *kind;
	const char *ns;
	const char *name;
	const sk_obj *user;      /* UserInfo of the caller */
	const sk_obj *old;       /* the stored object on UPDATE and DELETE */
	int dry_run;
} sk_admission_request;

typedef struct sk_admission_ops {
	uint32_t size;
	const char *name;
	/* may be NULL */
	int (*mutate)(void *ud, const sk_admission_request *rq, sk_obj *obj, sk_err *err);
	/* may be NULL; obj is NULL on DELETE */
	int (*validate)(void *ud, const sk_admission_request *rq, const sk_obj *obj, sk_err *err);
} sk_admission_ops;

#endif
#include <skiff/host.h>
