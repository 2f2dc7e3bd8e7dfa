/* cli.h — small helpers the commands share for their options. */
#ifndef STUCKSCOPE_CLI_H
#define STUCKSCOPE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/analysis.h"

/* A whole decimal number within [lo, hi]; false on anything else. */
bool cli_parse_long(const char *s, long lo, long hi, long *out);

/* --format text|html|json; on anything else says so on stderr and returns
 * false (the caller exits with the usage status). */
bool cli_parse_format(const char *arg, enum report_format *out);

/* Exit status (DESIGN.md "Contracts") */
#define EXIT_RAN 0
#define EXIT_USAGE 1
#define EXIT_NOTHING 2

/* Inputs the analysis could read evidence from (a bundle's manifest only
 * describes the others). */
size_t cli_readable_inputs(const struct analysis *an);

/* The end every analyzing command shares: each problem with an input on
 * stderr as "stuckscope: FILE:LINE: what is wrong" (informational ones too
 * with -vv, none with -q), the report to `out` in an->opt.format (colour by
 * an->opt.color: 1 always, 0 never, -1 when out is a terminal), flushed.
 * Returns EXIT_RAN, or EXIT_NOTHING with `nothing` on stderr when no input
 * was readable or the report could not be written. */
int cli_report(struct analysis *an, FILE *out, const char *out_name, const char *nothing);

/* -o FILE for a report: refused when FILE is one of the inputs; else
 * written to a new file beside it and renamed over it (base/outfile.h).
 * Returns EXIT_RAN, EXIT_USAGE (refused, or cannot be created: said on
 * stderr) or EXIT_NOTHING (as cli_report). */
int cli_report_to(struct analysis *an, const char *path, const char *nothing);

#endif
