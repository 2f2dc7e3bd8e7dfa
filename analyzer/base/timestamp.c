/* timestamp.c — the timestamps that put snapshots from different tools on one
 * timeline: ISO-8601 (what the bundle and the lab write), `date` output in
 * the C locale (what people paste above their `ss` output), "@epoch". */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cursor.h"
#include "timestamp.h"

static bool take_int(const char **p, const char *end, int digits, int *out)
{
	int v = 0;
	for (int i = 0; i < digits; i++) {
		if (*p >= end || !isdigit((unsigned char)**p))
			return false;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return true;
}

static double frac(const char **p, const char *end)
{
	double f = 0, scale = 0.1;
	if (*p < end && (**p == '.' || **p == ',')) {
		(*p)++;
		while (*p < end && isdigit((unsigned char)**p)) {
			f += (**p - '0') * scale;
			scale /= 10;
			(*p)++;
		}
	}
	return f;
}

static double utc_seconds(int y, int mo, int d, int h, int mi, int s)
{
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    s > 60)
		return NAN;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = s };
	return (double)timegm(&tm);
}

static double parse_iso(const char *p, const char *end)
{
	int y, mo, d, h, mi, s;
	if (!take_int(&p, end, 4, &y) || p >= end || *p++ != '-' || !take_int(&p, end, 2, &mo) ||
	    p >= end || *p++ != '-' || !take_int(&p, end, 2, &d) || p >= end ||
	    (*p != 'T' && *p != ' '))
		return NAN;
	p++;
	if (!take_int(&p, end, 2, &h) || p >= end || *p++ != ':' || !take_int(&p, end, 2, &mi) ||
	    p >= end || *p++ != ':' || !take_int(&p, end, 2, &s))
		return NAN;
	double f = frac(&p, end);
	double t = utc_seconds(y, mo, d, h, mi, s);
	if (isnan(t))
		return NAN;
	while (p < end && *p == ' ')
		p++;
	double zone = 0;
	if (p < end && *p == 'Z') {
		p++;
	} else if (end - p >= 3 && memcmp(p, "UTC", 3) == 0) {
		p += 3;
	} else if (p < end && (*p == '+' || *p == '-')) {
		int sign = *p == '-' ? -1 : 1, oh, om = 0;
		p++;
		if (!take_int(&p, end, 2, &oh))
			return NAN;
		if (p < end && *p == ':')
			p++;
		take_int(&p, end, 2, &om);
		zone = sign * (oh * 3600 + om * 60);
	}
	/* the whole line is the time: "2026-11-25T09:14:02+0000 host kernel: x"
	 * is a log line (journalctl -o short-iso), not a snapshot's time */
	while (p < end && *p == ' ')
		p++;
	if (p != end)
		return NAN;
	return t + f - zone;
}

/* `date` in the C locale: "Wed Nov 25 18:40:01 UTC 2026" */
static double parse_date_output(const char *p, const char *end)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char buf[96];
	size_t n = (size_t)(end - p);
	if (n >= sizeof(buf))
		return NAN;
	memcpy(buf, p, n);
	buf[n] = '\0';
	char wd[8], mon[8], tz[16];
	int d, h, mi, s, y, used = 0;
	/* widths bound every number (no int overflow); utc_seconds() checks
	 * the ranges; a fifth digit of the year is refused below */
	/* NOLINTNEXTLINE(cert-err34-c): widths bound the values, ranges checked after */
	if (sscanf(buf, "%7s %7s %2d %2d:%2d:%2d %15s %4d%n", wd, mon, &d, &h, &mi, &s, tz, &y,
		   &used) != 8 || (buf[used] >= '0' && buf[used] <= '9'))
		return NAN;
	const char *m = strstr(months, mon);
	if (strlen(mon) != 3 || !m || (m - months) % 3)
		return NAN;
	if (strcmp(tz, "UTC") != 0 && strcmp(tz, "GMT") != 0 && strcmp(tz, "Z") != 0)
		return NAN;	/* a local zone abbreviation cannot be trusted */
	return utc_seconds(y, (int)(m - months) / 3 + 1, d, h, mi, s);
}

double time_parse(const char *p, size_t n)
{
	struct span s = span_trim(span_make(p, n));
	if (s.n && s.p[0] == '#') {
		s.p++;
		s.n--;
		s = span_trim(s);
		if (span_starts(s, "at:"))
			s.p += 3, s.n -= 3;
		else if (span_starts(s, "at "))
			s.p += 3, s.n -= 3;
		else
			return NAN;
		s = span_trim(s);
	}
	if (s.n == 0 || s.n > 64)
		return NAN;
	const char *end = s.p + s.n;
	if (s.p[0] == '@') {
		char buf[40];
		if (s.n - 1 >= sizeof(buf))
			return NAN;
		memcpy(buf, s.p + 1, s.n - 1);
		buf[s.n - 1] = '\0';
		char *e;
		double v = strtod(buf, &e);
		return *e == '\0' && v > 0 && v < 253402300800.0 ? v : NAN;
	}
	if (isdigit((unsigned char)s.p[0]))
		return parse_iso(s.p, end);
	return parse_date_output(s.p, end);
}

const char *time_format(double t, char *buf, size_t size)
{
	if (isnan(t)) {
		snprintf(buf, size, "unknown");
		return buf;
	}
	time_t sec = (time_t)floor(t);
	int ms = (int)((t - (double)sec) * 1000 + 0.5);
	if (ms >= 1000) {
		sec++;
		ms -= 1000;
	}
	struct tm tm;
	gmtime_r(&sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	return buf;
}

const char *time_format_hms(double t, char *buf, size_t size)
{
	if (isnan(t)) {
		snprintf(buf, size, "?");
		return buf;
	}
	time_t sec = (time_t)floor(t);
	int cs = (int)((t - (double)sec) * 100);
	struct tm tm;
	gmtime_r(&sec, &tm);
	snprintf(buf, size, "%02d:%02d:%02d.%02d", tm.tm_hour, tm.tm_min, tm.tm_sec, cs);
	return buf;
}
