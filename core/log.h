/* log.h — the core's log: one line per message on stderr. */
#ifndef SKIFF_CORE_LOG_H
#define SKIFF_CORE_LOG_H
#include <skiff/loop.h>

void sk_log_set_level(int level);
int sk_log_level_parse(const char *name); /* -1 when unknown */
/* log on behalf of a named source ("core", a plugin name); thread-safe */
void sk_logn(const char *source, int level, const char *fmt, ...) SK_PRINTF(3, 4);

#define LOG_E(...) sk_logn("core", SK_LOG_ERROR, __VA_ARGS__)
#define LOG_W(...) sk_logn("core", SK_LOG_WARN, __VA_ARGS__)
#define LOG_I(...) sk_logn("core", SK_LOG_INFO, __VA_ARGS__)
#define LOG_D(...) sk_logn("core", SK_LOG_DEBUG, __VA_ARGS__)

#endif
