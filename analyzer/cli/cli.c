/* cli.c — what the commands share: option helpers and the end of every
 * command that analyzes (diagnostics, report, exit status). */
#include "cli.h"
#include "base/outfile.h"
#include "report/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

size_t cli_readable_inputs(const struct analysis *an)
{
	size_t n = 0;
	for (size_t i = 0; i < an->inputs.n; i++) {
		const struct input *in = &an->inputs.v[i];
		if (in->status != INPUT_ERROR && in->fmt && in->cls != EV_BUNDLE)
			n++;
	}
	return n;
}

static void put_diag_line(const char *buf, const char *suffix)
{
	fputs("stuckscope: ", stderr);
	for (const char *p = buf; *p; p++)
		fputc((unsigned char)*p < 0x20 ? '?' : *p, stderr);
	fputs(suffix, stderr);
	fputc('\n', stderr);
}

static bool diag_has_position(const struct diag *dg)
{
	return dg->line || dg->packet || dg->offset >= 0;
}

/* Why reading stopped (the rest of the file is not read) says more than
 * any one bad row. */
static bool diag_stops_file(const struct diag *dg)
{
	return dg->code == DIAG_TRUNCATED || dg->code == DIAG_LIMIT || dg->code == DIAG_BINARY ||
	       dg->code == DIAG_LINKTYPE || dg->code == DIAG_UNREADABLE;
}

/* One line for an input that was not fully read: why reading stopped, or
 * else its first problem (with its line, packet or offset), on how many
 * lines there were problems, and whether anything of it was read at all. */
static void report_input_line(const struct analysis *an, int input)
{
	const struct diag *first = NULL, *first_any = NULL, *stop = NULL;
	size_t n = 0, lines = 0;
	uint32_t last_line = 0;
	for (size_t i = 0; i < an->diags.list.n; i++) {
		const struct diag *dg = &an->diags.list.v[i];
		if (dg->input != input || dg->sev < DIAG_SEV_WARN)
			continue;
		n++;
		if (!first_any)
			first_any = dg;
		if (!first && diag_has_position(dg))
			first = dg;
		if (!stop && diag_stops_file(dg))
			stop = dg;
		/* diagnostics come in file order: count each line once */
		if (dg->line && dg->line != last_line) {
			lines++;
			last_line = dg->line;
		}
	}
	if (stop)
		first = stop;
	if (!first)
		first = first_any;
	if (!first)
		return;
	const struct input *in = &an->inputs.v[input];
	bool error = in->status == INPUT_ERROR;
	char buf[1024], suffix[256] = "";
	diag_format(first, buf, sizeof(buf));
	const char *rest = error ? "nothing of the file was read" : "the rest was read";
	const char *atl = n >= an->diags.per_input_cap ? "at least " : "";
	if (n > 1 && lines > 1)
		snprintf(suffix, sizeof(suffix), " (problems on %s%zu lines; %s; -v or the "
			 "report's inputs list each)", atl, lines, rest);
	else if (n > 1)
		snprintf(suffix, sizeof(suffix), " (%s%zu problems; %s; -v or the report's inputs "
			 "list each)", atl, n, rest);
	else if (error && first->code != DIAG_UNKNOWN_FORMAT && first->code != DIAG_UNREADABLE &&
		 first->code != DIAG_EMPTY)
		snprintf(suffix, sizeof(suffix), " (nothing of the file was read)");
	put_diag_line(buf, suffix);
}

/* Diagnostics on stderr (DESIGN.md, contracts): one line per file that was
 * not fully read, not one per bad row (the report's inputs keep every
 * one); messages about no file (usage, --at) as they come. -v prints each
 * diagnostic, -vv the informational ones too; -q none. */
static void report_diags(const struct analysis *an)
{
	if (an->opt.quiet)
		return;
	bool *done = calloc(an->inputs.n + 1, sizeof(bool));
	for (size_t i = 0; i < an->diags.list.n; i++) {
		const struct diag *dg = &an->diags.list.v[i];
		if (dg->sev < DIAG_SEV_WARN && an->opt.verbose < 2)
			continue;
		bool one_input = dg->input >= 0 && (size_t)dg->input < an->inputs.n;
		if (an->opt.verbose >= 1 || !one_input || !done) {
			char buf[1024];
			diag_format(dg, buf, sizeof(buf));
			put_diag_line(buf, "");
			continue;
		}
		if (done[dg->input])
			continue;
		done[dg->input] = true;
		report_input_line(an, dg->input);
	}
	free(done);
}

int cli_report(struct analysis *an, FILE *out, const char *out_name, const char *nothing)
{
	report_diags(an);
	size_t readable = cli_readable_inputs(an);
	bool color = an->opt.color == 1 || (an->opt.color == -1 && out == stdout && isatty(1));
	report_write(out, an, an->opt.format, color);
	int rc = readable ? EXIT_RAN : EXIT_NOTHING;
	if (fflush(out) != 0 || ferror(out)) {
		fprintf(stderr, "stuckscope: %s: %s\n", out_name ? out_name : "report", strerror(errno));
		rc = EXIT_NOTHING;
	}
	if (!readable)
		fprintf(stderr, "stuckscope: %s\n", nothing);
	return rc;
}

int cli_report_to(struct analysis *an, const char *path, const char *nothing)
{
	if (!path || strcmp(path, "-") == 0)
		return cli_report(an, stdout, NULL, nothing);
	/* `analyze DIR -o DIR/capture.pcap` would replace evidence */
	for (size_t i = 0; i < an->inputs.n; i++) {
		const struct input *in = &an->inputs.v[i];
		if (in->ino && outfile_same_file(path, in->dev, in->ino)) {
			fprintf(stderr, "stuckscope: %s: is one of the inputs: refusing to overwrite "
					"evidence (give another -o)\n", path);
			return EXIT_USAGE;
		}
	}
	struct outfile o;
	char err[4200];
	if (outfile_begin(&o, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "stuckscope: %s\n", err);
		return EXIT_USAGE;
	}
	int rc = cli_report(an, o.f, path, nothing);
	if (outfile_commit(&o, err, sizeof(err)) != 0) {
		fprintf(stderr, "stuckscope: %s\n", err);
		rc = EXIT_NOTHING;
	}
	return rc;
}
