/* cli.h — small helpers the commands share for their options. */
#ifndef STUCKSCOPE_CLI_H
#define STUCKSCOPE_CLI_H

#include <stdbool.h>

#include "model/analysis.h"

/* A whole decimal number within [lo, hi]; false on anything else. */
bool cli_parse_long(const char *s, long lo, long hi, long *out);

/* --format text|html|json; on anything else says so on stderr and returns
 * false (the caller exits with the usage status). */
bool cli_parse_format(const char *arg, enum report_format *out);

#endif
