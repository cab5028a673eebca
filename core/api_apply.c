/* api_apply.c — server-side apply (PATCH with application/apply-patch+yaml). */
#include "api.h"
#include "err.h"

void api_apply(struct api_req *r)
{
	sk_err err;
	sk_fail(&err, SK_EMEDIATYPE, "server-side apply is not served yet: use client-side kubectl apply");
	api_reply_error(r, &err);
}
