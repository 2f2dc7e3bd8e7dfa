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

int cli_report(struct analysis *an, FILE *out, const char *out_name, const char *nothing)
{
	for (size_t i = 0; i < an->diags.list.n && !an->opt.quiet; i++) {
		const struct diag *dg = &an->diags.list.v[i];
		if (dg->sev < DIAG_SEV_WARN && an->opt.verbose < 2)
			continue;
		char buf[1024];
		diag_format(dg, buf, sizeof(buf));
		fputs("stuckscope: ", stderr);
		for (const char *p = buf; *p; p++)
			fputc((unsigned char)*p < 0x20 ? '?' : *p, stderr);
		fputc('\n', stderr);
	}
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
