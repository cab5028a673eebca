/* err.c — errors and their Kubernetes names. */
#include "err.h"
#include <stdarg.h>
#include <stdio.h>

int sk_fail(sk_err *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return code;
}

static const struct {
	const char *reason;
	int http;
} names[] = {
	[SK_OK] = {"", 200},
	[SK_EINVALID] = {"Invalid", 422},
	[SK_ENOTFOUND] = {"NotFound", 404},
	[SK_EEXIST] = {"AlreadyExists", 409},
	[SK_ECONFLICT] = {"Conflict", 409},
	[SK_EEXPIRED] = {"Expired", 410},
	[SK_EFORBIDDEN] = {"Forbidden", 403},
	[SK_EUNAUTHORIZED] = {"Unauthorized", 401},
	[SK_ETOOLARGE] = {"RequestEntityTooLarge", 413},
	[SK_EBUSY] = {"TooManyRequests", 429},
	[SK_EIO] = {"InternalError", 500},
	[SK_EUNSUPPORTED] = {"MethodNotAllowed", 405},
	[SK_ENOMEM] = {"InternalError", 500},
	[SK_ETIMEOUT] = {"Timeout", 504},
	[SK_EABI] = {"InternalError", 500},
	[SK_EBADREQUEST] = {"BadRequest", 400},
	[SK_EMEDIATYPE] = {"UnsupportedMediaType", 415},
	[SK_ENOTACCEPTABLE] = {"NotAcceptable", 406},
};

const char *sk_status_reason(int code)
{
	if (code < 0 || (size_t)code >= sizeof names / sizeof names[0])
		return "InternalError";
	return names[code].reason;
}

int sk_status_http(int code)
{
	if (code < 0 || (size_t)code >= sizeof names / sizeof names[0])
		return 500;
	return names[code].http;
}
