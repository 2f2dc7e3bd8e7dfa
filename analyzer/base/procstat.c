/* procstat.c — a /proc/PID/stat line (procstat.h). */
#include "procstat.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const procstat_field_names[] = {
	[1] = "pid", [2] = "comm", [3] = "state", [4] = "ppid", [14] = "utime",
	[15] = "stime", [20] = "num_threads", [22] = "starttime",
};

static int procstat_fail(struct procstat *st, enum procstat_error e, int field, const char *fmt,
			 ...) __attribute__((format(printf, 4, 5)));

static int procstat_fail(struct procstat *st, enum procstat_error e, int field, const char *fmt,
			 ...)
{
	st->error = e;
	st->err_field = field;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
	return -1;
}

static bool procstat_is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Decimal, digits only, at most `max`. */
static bool procstat_number(const char *p, size_t n, uint64_t max, uint64_t *out)
{
	if (n == 0 || n > 20)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)p[i] - '0';
		if (d > 9 || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

int procstat_parse(struct procstat *st, const char *p, size_t n)
{
	memset(st, 0, sizeof(*st));
	st->pid = st->ppid = -1;
	st->utime = st->stime = st->num_threads = st->starttime = -1;

	/* "%d (": the pid, then the comm's opening parenthesis */
	size_t i = 0;
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++;
	uint64_t v;
	if (!procstat_number(p, i, INT32_MAX, &v))
		return procstat_fail(st, PROCSTAT_BAD_FORMAT, 1, "no process id at the start");
	if (n - i < 2 || p[i] != ' ' || p[i + 1] != '(')
		return procstat_fail(st, PROCSTAT_BAD_FORMAT, 2, "no \" (\" after the process id");
	st->pid = (int32_t)v;
	size_t open = i + 1, close = n;
	while (close > open + 1 && p[close - 1] != ')')
		close--;
	if (close <= open + 1)
		return procstat_fail(st, PROCSTAT_BAD_FORMAT, 2, "no ')' after the comm");
	close--;	/* at the last ')' */
	st->comm = p + open + 1;
	st->comm_len = close - open - 1;

	/* fields 3 on, split on blanks */
	i = close + 1;
	for (int field = 3; field <= 22; field++) {
		while (i < n && procstat_is_blank(p[i]))
			i++;
		size_t start = i;
		while (i < n && !procstat_is_blank(p[i]))
			i++;
		const char *tok = p + start;
		size_t len = i - start;
		if (len == 0) {
			if (field <= 15)
				return procstat_fail(st, PROCSTAT_TRUNCATED, field,
						     "line ends before field %d%s%s%s", field,
						     procstat_field_names[field] ? " (" : "",
						     procstat_field_names[field] ? procstat_field_names[field] : "",
						     procstat_field_names[field] ? ")" : "");
			return 0;	/* a line cut after stime: the rest is not read */
		}
		if (field == 3) {
			if (len != 1)
				return procstat_fail(st, PROCSTAT_BAD_FORMAT, 3,
						     "state '%.*s' is not one letter",
						     (int)(len > 40 ? 40 : len), tok);
			st->state = tok[0];
			continue;
		}
		if (field != 4 && field != 14 && field != 15 && field != 20 && field != 22)
			continue;
		if (!procstat_number(tok, len, field == 4 ? INT32_MAX : INT64_MAX, &v))
			return procstat_fail(st, PROCSTAT_BAD_NUMBER, field,
					     "%s (field %d) is not a number: '%.*s'",
					     procstat_field_names[field], field,
					     (int)(len > 40 ? 40 : len), tok);
		if (field == 4)
			st->ppid = (int32_t)v;
		else if (field == 14)
			st->utime = (int64_t)v;
		else if (field == 15)
			st->stime = (int64_t)v;
		else if (field == 20)
			st->num_threads = (int64_t)v;
		else
			st->starttime = (int64_t)v;
	}
	return 0;
}
