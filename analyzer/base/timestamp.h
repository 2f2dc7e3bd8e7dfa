/* timestamp.h — the timestamps that put snapshots from different tools on one
 * timeline (timestamp.c). Times are seconds since the epoch as a double, NAN when
 * unknown. */
#ifndef STUCKSCOPE_BASE_TIMESTAMP_H
#define STUCKSCOPE_BASE_TIMESTAMP_H

#include <stddef.h>

/* ISO-8601, `date` output in the C locale, "# at: ...", "@EPOCH"; NAN */
double time_parse(const char *p, size_t n);
/* "2026-11-25T18:40:01.123Z" */
const char *time_format(double t, char *buf, size_t size);
/* "18:40:01.12" */
const char *time_format_hms(double t, char *buf, size_t size);

#endif
