/* log.c — timestamped, levelled log lines on stderr. */
#include "log.h"
#include "plugin_host.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int threshold = SK_LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void sk_log_set_level(int level) { threshold = level; }

int sk_log_level_parse(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (name && strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

static void vlog(const char *source, int level, const char *fmt, va_list ap)
{
	if (level > threshold)
		return;
	char line[2048];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s [%s] ",
	                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	                 tm.tm_sec, ts.tv_nsec / 1000000, level_names[level < 0 ? 0 : level > 3 ? 3 : level],
	                 source ? source : "core");
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	size_t len = strlen(line);
	line[len++] = '\n';
	/* one write per line so lines from threads never interleave */
	fwrite(line, 1, len, stderr);
}

void sk_logn(const char *source, int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(source, level, fmt, ap);
	va_end(ap);
}

void sk_log(sk_plugin *p, int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(p ? sk_plugin_name(p) : "core", level, fmt, ap);
	va_end(ap);
}
