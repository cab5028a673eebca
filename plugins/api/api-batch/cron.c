/* cron.c — the CronJob schedule and time zone checks, as Kubernetes makes
 * them: robfig/cron/v3's ParseStandard (its rules and its error messages)
 * and validateTimeZone's IANA name rules. Plain C: no host calls. */
#include "batch.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define ZONEINFO "/usr/share/zoneinfo"

static int fail(char *msg, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *msg, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, cap, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- time zones ------------------------------------------------------------ */

/* time.LoadLocation: "" and UTC are UTC, Local is local, others are files
 * of the zone database. Kubernetes embeds the database, so where the host
 * has none every well-formed name is taken as known. */
static int load_location(const char *name)
{
	struct stat st;
	char path[512];
	if (!*name || !strcmp(name, "UTC") || !strcmp(name, "Local"))
		return 0;
	if (stat(ZONEINFO, &st) != 0)
		return 0;
	if (snprintf(path, sizeof path, "%s/%s", ZONEINFO, name) >= (int)sizeof path)
		return -1;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1;
}

/* LoadLocation's refusal of paths that leave the database */
static int bad_location_name(const char *name)
{
	return strstr(name, "..") || name[0] == '/' || name[0] == '\\';
}

/* one file name component: ^[A-Za-z.\-_0-9+]{1,14}$, not "." or "..",
 * not starting with '-' */
static int zone_part_ok(const char *p, size_t n)
{
	if (n == 0 || n > 14 || p[0] == '-' || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && !strchr(".-_+", p[i]))
			return 0;
	return 1;
}

int cron_time_zone(const char *tz, char *msg, size_t cap)
{
	if (!*tz)
		return fail(msg, cap, "timeZone must be nil or non-empty string");
	for (const char *p = tz;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (!zone_part_ok(p, n))
			return fail(msg, cap, "unknown time zone %s", tz);
		if (!slash)
			break;
		p = slash + 1;
	}
	if (!strcasecmp(tz, "Local"))
		return fail(msg, cap, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones");
	if (load_location(tz))
		return fail(msg, cap, "unknown time zone %s", tz);
	return 0;
}

/* ---- Go's time.ParseDuration, for @every ---------------------------------- */

static int parse_duration(const char *orig, char *err, size_t cap)
{
	static const char *const units[] = {"ns", "us", "\xc2\xb5s", "\xce\xbcs", "ms", "s", "m", "h"};
	const char *s = orig;
	if (*s == '-' || *s == '+')
		s++;
	if (!strcmp(s, "0"))
		return 0;
	if (!*s)
		return fail(err, cap, "time: invalid duration \"%s\"", orig);
	while (*s) {
		int pre = 0, post = 0;
		if (!(*s == '.' || isdigit((unsigned char)*s)))
			return fail(err, cap, "time: invalid duration \"%s\"", orig);
		for (; isdigit((unsigned char)*s); s++)
			pre++;
		if (pre > 19)
			return fail(err, cap, "time: invalid duration \"%s\"", orig);
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++)
				post++;
		if (!pre && !post)
			return fail(err, cap, "time: invalid duration \"%s\"", orig);
		size_t n = 0;
		while (s[n] && s[n] != '.' && !isdigit((unsigned char)s[n]))
			n++;
		if (n == 0)
			return fail(err, cap, "time: missing unit in duration \"%s\"", orig);
		int known = 0;
		for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
			known |= strlen(units[u]) == n && !strncmp(units[u], s, n);
		if (!known)
			return fail(err, cap, "time: unknown unit \"%.*s\" in duration \"%s\"", (int)n, s, orig);
		s += n;
	}
	return 0;
}

/* ---- fields ---------------------------------------------------------------- */

struct bounds {
	unsigned min, max;
	const char *const *names; /* names[i] is min + i; NULL: numbers only */
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                          "jul", "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const dow_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static const struct bounds fields_bounds[] = {
	{0, 59, NULL},        /* minute */
	{0, 23, NULL},        /* hour */
	{1, 31, NULL},        /* day of month */
	{1, 12, month_names}, /* month */
	{0, 6, dow_names},    /* day of week */
};

/* mustParseInt: strconv.Atoi, then no negatives */
static int must_parse_int(const char *expr, unsigned long long *out, char *err, size_t cap)
{
	const char *p = expr;
	if (*p == '+' || *p == '-')
		p++;
	if (!*p)
		return fail(err, cap, "failed to parse int from %s: strconv.Atoi: parsing \"%s\": invalid syntax", expr,
		            expr);
	for (const char *c = p; *c; c++)
		if (!isdigit((unsigned char)*c))
			return fail(err, cap, "failed to parse int from %s: strconv.Atoi: parsing \"%s\": invalid syntax",
			            expr, expr);
	errno = 0;
	long long v = strtoll(expr, NULL, 10);
	if (errno == ERANGE)
		return fail(err, cap, "failed to parse int from %s: strconv.Atoi: parsing \"%s\": value out of range",
		            expr, expr);
	if (v < 0)
		return fail(err, cap, "negative number (%lld) not allowed: %s", v, expr);
	*out = (unsigned long long)v;
	return 0;
}

static int parse_int_or_name(const char *expr, const struct bounds *b, unsigned long long *out, char *err,
                             size_t cap)
{
	for (size_t i = 0; b->names && b->names[i]; i++)
		if (!strcasecmp(expr, b->names[i])) {
			*out = b->min + i;
			return 0;
		}
	return must_parse_int(expr, out, err, cap);
}

/* getRange over buf, a copy of expr it cuts up: one of `*`, `?`, N, N-M
 * (numbers or names), each with an optional /STEP */
static int range_in(char *buf, const char *expr, const struct bounds *b, char *err, size_t cap)
{
	char *parts[3] = {0}, *ends[3] = {0};
	size_t nparts = 0, nends = 0;
	/* rangeAndStep = Split(expr, "/"), lowAndHigh = Split(rangeAndStep[0], "-") */
	for (char *p = buf, *slash;; p = slash + 1) {
		if ((slash = strchr(p, '/')))
			*slash = '\0';
		if (nparts < 3)
			parts[nparts] = p;
		nparts++;
		if (!slash)
			break;
	}
	for (char *p = parts[0], *dash;; p = dash + 1) {
		if ((dash = strchr(p, '-')))
			*dash = '\0';
		if (nends < 3)
			ends[nends] = p;
		nends++;
		if (!dash)
			break;
	}
	unsigned long long start, end, step = 1;
	if (!strcmp(ends[0], "*") || !strcmp(ends[0], "?")) {
		start = b->min;
		end = b->max;
	} else {
		if (parse_int_or_name(ends[0], b, &start, err, cap))
			return -1;
		if (nends == 1)
			end = start;
		else if (nends == 2) {
			if (parse_int_or_name(ends[1], b, &end, err, cap))
				return -1;
		} else
			return fail(err, cap, "too many hyphens: %s", expr);
	}
	if (nparts == 2) {
		if (must_parse_int(parts[1], &step, err, cap))
			return -1;
		/* "N/step" means "N-max/step" */
		if (nends == 1)
			end = b->max;
	} else if (nparts > 2)
		return fail(err, cap, "too many slashes: %s", expr);
	if (start < b->min)
		return fail(err, cap, "beginning of range (%llu) below minimum (%u): %s", start, b->min, expr);
	if (end > b->max)
		return fail(err, cap, "end of range (%llu) above maximum (%u): %s", end, b->max, expr);
	if (start > end)
		return fail(err, cap, "beginning of range (%llu) beyond end of range (%llu): %s", start, end, expr);
	if (step == 0)
		return fail(err, cap, "step of range should be a positive number: %s", expr);
	return 0;
}

static int get_range(const char *expr, const struct bounds *b, char *err, size_t cap)
{
	char *buf = strdup(expr);
	if (!buf)
		return fail(err, cap, "out of memory");
	int rc = range_in(buf, expr, b, err, cap);
	free(buf);
	return rc;
}

/* getField: comma-separated ranges (empty ones skipped, as FieldsFunc
 * does); field is writable and left as it was */
static int get_field(char *field, const struct bounds *b, char *err, size_t cap)
{
	for (char *p = field; *p;) {
		size_t n = strcspn(p, ",");
		char saved = p[n];
		p[n] = '\0';
		int rc = n ? get_range(p, b, err, cap) : 0;
		p[n] = saved;
		if (rc)
			return -1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int parse_descriptor(const char *d, char *err, size_t cap)
{
	static const char *const named[] = {"@yearly", "@annually", "@monthly", "@weekly",
	                                    "@daily",  "@midnight", "@hourly"};
	static const char every[] = "@every ";
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (!strcmp(d, named[i]))
			return 0;
	if (!strncmp(d, every, sizeof every - 1)) {
		char derr[256];
		if (parse_duration(d + sizeof every - 1, derr, sizeof derr))
			return fail(err, cap, "failed to parse duration %s: %s", d, derr);
		return 0;
	}
	return fail(err, cap, "unrecognized descriptor: %s", d);
}

static int parse_spec(char *s, char *msg, size_t cap);

int cron_parse(const char *schedule, char *msg, size_t cap)
{
	if (!schedule || !*schedule)
		return fail(msg, cap, "empty spec string");
	char *spec = strdup(schedule);
	if (!spec)
		return fail(msg, cap, "out of memory");
	int rc = parse_spec(spec, msg, cap);
	free(spec);
	return rc;
}

/* Parser.Parse over a writable copy of the schedule */
static int parse_spec(char *s, char *msg, size_t cap)
{
	if (!strncmp(s, "TZ=", 3) || !strncmp(s, "CRON_TZ=", 8)) {
		char *sp = strchr(s, ' '), *name = strchr(s, '=') + 1, *rest = sp ? sp : s + strlen(s);
		char saved = *rest;
		*rest = '\0';
		if (bad_location_name(name))
			return fail(msg, cap, "provided bad location %s: time: invalid location name", name);
		if (load_location(name))
			return fail(msg, cap, "provided bad location %s: unknown time zone %s", name, name);
		*rest = saved;
		s = rest;
	}
	while (isspace((unsigned char)*s))
		s++;
	for (size_t n = strlen(s); n && isspace((unsigned char)s[n - 1]); n--)
		s[n - 1] = '\0';
	if (*s == '@')
		return parse_descriptor(s, msg, cap);
	/* strings.Fields; the fields are kept only when there are five */
	char *fields[5];
	size_t n = 0;
	for (char *p = s; *p;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (n < 5)
			fields[n] = p;
		n++;
		while (*p && !isspace((unsigned char)*p))
			p++;
	}
	if (n != 5) {
		/* Go prints the fields as a []string: [a b c] */
		char list[1024] = "";
		size_t len = 0;
		for (char *p = s; *p && len + 1 < sizeof list;) {
			while (*p && isspace((unsigned char)*p))
				p++;
			size_t w = strcspn(p, " \t\n\v\f\r");
			if (!w)
				break;
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%.*s", len ? " " : "", (int)w, p);
			p += w;
		}
		return fail(msg, cap, "expected exactly 5 fields, found %zu: [%s]", n, list);
	}
	for (size_t i = 0; i < 5; i++) {
		size_t w = strcspn(fields[i], " \t\n\v\f\r");
		fields[i][w] = '\0';
	}
	for (size_t i = 0; i < 5; i++)
		if (get_field(fields[i], &fields_bounds[i], msg, cap))
			return -1;
	return 0;
}
