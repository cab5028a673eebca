/* err.h — filling sk_err values. */
#ifndef SKIFF_CORE_ERR_H
#define SKIFF_CORE_ERR_H
#include <skiff/abi.h>

/* Sets err (if non-NULL) and returns code, so callers can `return sk_fail(...)`. */
int sk_fail(sk_err *err, int code, const char *fmt, ...) SK_PRINTF(3, 4);
/* The Kubernetes Status reason and HTTP code for a status code. */
const char *sk_status_reason(int code);
int sk_status_http(int code);

#endif
