/* cli.h — small helpers the commands share for their options. */
#ifndef STUCKSCOPE_CLI_H
#define STUCKSCOPE_CLI_H

#include <stdbool.h>

/* A whole decimal number within [lo, hi]; false on anything else. */
bool cli_parse_long(const char *s, long lo, long hi, long *out);

#endif
