/* cli.c — option helpers shared by the commands (attach, stacks, watch). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cli_parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

bool cli_parse_format(const char *arg, enum report_format *out)
{
	if (strcmp(arg, "text") == 0)
		*out = FMT_TEXT;
	else if (strcmp(arg, "json") == 0)
		*out = FMT_JSON;
	else if (strcmp(arg, "html") == 0)
		*out = FMT_HTML;
	else {
		fprintf(stderr, "stuckscope: --format: expected text, html or json, not '%s'\n", arg);
		return false;
	}
	return true;
}
