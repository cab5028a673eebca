/* cause.c — StatusCause objects for validation failures. */
#include "json.h"
#include <skiff/resource.h>
#include <stdarg.h>
#include <stdio.h>

void sk_cause(sk_obj *causes, const char *reason, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_array_append_new(J(causes), json_pack("{s:s, s:s, s:s}", "reason", reason ? reason : "",
	                                           "message", msg, "field", field ? field : ""));
}
