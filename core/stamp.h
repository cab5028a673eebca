/* stamp.h — what the server stamps on objects it stores: a new uid and
 * the current time, as Kubernetes writes them. Used by the API's writes
 * and by plugins' writes through the SDK alike. */
#ifndef SKIFF_CORE_STAMP_H
#define SKIFF_CORE_STAMP_H
#include <stdint.h>

/* an RFC 4122 version 4 uid */
void stamp_uid(char out[37]);
/* now (the loop's clock, so tests can set it) as RFC 3339 in UTC seconds */
void stamp_now(char out[32]);
/* now plus seconds, the same way (a graceful deletion's deadline) */
void stamp_after(char out[32], int64_t seconds);

#endif
