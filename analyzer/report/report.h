/* report.h — writers render the analysis; they compute nothing new. */
#ifndef STUCKSCOPE_REPORT_H
#define STUCKSCOPE_REPORT_H

#include <stdio.h>

#include "model/analysis.h"
#include "model/names.h"

/* The report in one of the formats (report.c): the one place that switches
 * on the format. */
void report_write(FILE *out, const struct analysis *an, enum report_format fmt, bool color);

void report_json_write(FILE *out, const struct analysis *an);
/* trigger.json of a watch bundle: written before the analysis runs, the
 * same "watch" object the report carries, without the verdict. */
void report_json_write_trigger(FILE *out, const struct watch_trigger *t);
void report_text_write(FILE *out, const struct analysis *an, bool color);
void report_html_write(FILE *out, const struct analysis *an);


#endif
