/* skiff/abi.h — the versioned plugin ABI: versions, errors, visibility.
 *
 * Every skiff header includes this one. It defines the ABI version a plugin
 * is built against, the error type every call uses (`sk_err`, caller-owned,
 * no heap memory inside), the status codes (which map one to one onto
 * Kubernetes Status reasons), and the opaque handle types shared by all
 * headers. Nothing here allocates; nothing here needs freeing.
 *
 * Compatibility rules: within one major version the host function table and
 * every ops struct only grow at their end, and each carries its own size. A
 * host refuses a plugin built for another major or for a newer minor.
 */
#ifndef SKIFF_ABI_H
#define SKIFF_ABI_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>

#define SK_ABI_MAJOR 1
#define SK_ABI_MINOR 0

#if defined(__GNUC__)
#define SK_EXPORT __attribute__((visibility("default")))
#define SK_HIDDEN __attribute__((visibility("hidden")))
#define SK_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SK_EXPORT
#define SK_HIDDEN
#define SK_PRINTF(f, a)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. Each maps onto one Kubernetes Status reason and HTTP code. */
typedef enum sk_status {
	SK_OK = 0,
	SK_EINVALID = 1,      /* Invalid / BadRequest (400, 422)      */
	SK_ENOTFOUND = 2,     /* NotFound (404)                       */
	SK_EEXIST = 3,        /* AlreadyExists (409)                  */
	SK_ECONFLICT = 4,     /* Conflict (409), stale resourceVersion */
	SK_EEXPIRED = 5,      /* Expired (410), revision compacted    */
	SK_EFORBIDDEN = 6,    /* Forbidden (403)                      */
	SK_EUNAUTHORIZED = 7, /* Unauthorized (401)                   */
	SK_ETOOLARGE = 8,     /* RequestEntityTooLarge (413)          */
	SK_EBUSY = 9,         /* TooManyRequests (429)                */
	SK_EIO = 10,          /* InternalError (500): disk, backend   */
	SK_EUNSUPPORTED = 11, /* MethodNotAllowed / not offered (405) */
	SK_ENOMEM = 12,       /* InternalError (500)                  */
	SK_ETIMEOUT = 13,     /* Timeout (504)                        */
	SK_EABI = 14,         /* plugin built for an incompatible ABI  */
	SK_EBADREQUEST = 15,  /* BadRequest (400): malformed request   */
	SK_EMEDIATYPE = 16,   /* UnsupportedMediaType (415)            */
	SK_ENOTACCEPTABLE = 17, /* NotAcceptable (406)                 */
} sk_status;

/* An error: a status and a message fit to show a user. Callers own it,
 * usually on the stack; callees fill it only when they fail. */
typedef struct sk_err {
	int code;       /* sk_status */
	char msg[492];  /* NUL-terminated, one line */
} sk_err;

/* Fills err (when not NULL) with code and a printf-style message; returns
 * code, so that `return sk_errf(err, SK_EINVALID, "bad %s", x);` fails a call. */
static inline int sk_errf(sk_err *err, int code, const char *fmt, ...) SK_PRINTF(3, 4);
static inline int sk_errf(sk_err *err, int code, const char *fmt, ...)
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

/* Opaque handles. */
typedef struct sk_obj sk_obj;           /* a JSON value: object, array, scalar */
typedef struct sk_plugin sk_plugin;     /* the host's record of one loaded plugin */
typedef struct sk_selector sk_selector; /* a parsed label or field selector   */
typedef struct sk_timer sk_timer;
typedef struct sk_watch sk_watch;       /* a subscription to committed changes */
typedef struct sk_informer sk_informer;
typedef struct sk_queue sk_queue;

struct sk_host;

/* Completion of an asynchronous extension-point call: err is NULL on success;
 * result (may be NULL) is borrowed for the duration of the call. */
typedef void (*sk_done_fn)(void *cb_ud, const sk_err *err, const sk_obj *result);

#ifdef __cplusplus
}
#endif
#endif
