/* main.c — the command line (DESIGN.md "Contracts"). Exit status: 0 the
 * analysis ran (whatever it found), 1 usage error, 2 nothing could be read. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/analysis.h"
#include "cli.h"
#include "report/report.h"
#include "rules/rule.h"

#define EXIT_RAN 0
#define EXIT_USAGE 1
#define EXIT_NOTHING 2

/* Live commands live in their own files (cmd_stacks.c, cmd_attach.c,
 * cmd_watch.c); each takes argv from its command name on and returns the
 * exit status. */
int cmd_stacks(int argc, char **argv) __attribute__((weak));
int cmd_attach(int argc, char **argv) __attribute__((weak));
int cmd_watch(int argc, char **argv) __attribute__((weak));

static void usage(FILE *f)
{
	fputs("usage: stuckscope analyze [--format text|html|json] [-o FILE] [--at LABEL=TIME]\n"
	      "                          [--port PORT] [-v] [-q] [--color=auto|always|never]\n"
	      "                          FILE|DIR...\n"
	      "       stuckscope attach  (--port PORT | --pid PID)... [--duration S] [--samples N]\n"
	      "                          [--capture] [-o BUNDLE] [--format ...]\n"
	      "       stuckscope stacks  --pid PID [--samples N] [--interval MS] [--format text|json]\n"
	      "       stuckscope watch   --port PORT [--pid PID]... [--dir DIR] [--keep N] [--max-disk MB]\n"
	      "       stuckscope rules\n"
	      "       stuckscope --version | --help\n"
	      "\n"
	      "analyze reads packet captures, ss/netstat/proc-net-tcp snapshots, netstat -s/nstat/\n"
	      "/proc/net counters, sysctl output and stack dumps (gdb, pstack, eu-stack, py-bt,\n"
	      "/proc/PID/task dumps); each file's kind is recognised from its content. A first line\n"
	      "holding a UTC time (`date -u +%FT%T.%3NZ`) dates a snapshot; --at LABEL=TIME dates a\n"
	      "file by name.\n", f);
}

static int cmd_rules(void)
{
	for (size_t i = 0; rules[i]; i++) {
		printf("%s\n  %s\n", rules[i]->id, rules[i]->title);
		/* wrap doc at 96 columns */
		const char *p = rules[i]->doc;
		size_t col = 0;
		fputs("  ", stdout);
		while (*p) {
			const char *sp = strchr(p, ' ');
			size_t n = sp ? (size_t)(sp - p) : strlen(p);
			if (col && col + 1 + n > 94) {
				fputs("\n  ", stdout);
				col = 0;
			} else if (col) {
				fputc(' ', stdout);
				col++;
			}
			fwrite(p, 1, n, stdout);
			col += n;
			p += n;
			while (*p == ' ')
				p++;
		}
		fputs("\n\n", stdout);
	}
	return EXIT_RAN;
}

static int parse_at(struct analysis *an, const char *arg)
{
	/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): optarg of a required_argument */
	const char *eq = strrchr(arg, '=');
	if (!eq || eq == arg)
		return -1;
	double t = time_parse(eq + 1, strlen(eq + 1));
	if (isnan(t))
		return -1;
	struct at_label *l = VEC_PUSH(&an->arena, &an->opt.at_labels);
	l->label = arena_strndup(&an->arena, arg, (size_t)(eq - arg));
	l->at = t;
	return 0;
}

static int cmd_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "at", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "color", optional_argument, NULL, 'c' },
		{ "colour", optional_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct analysis an;
	analysis_init(&an);
	const char *env_nc = getenv("NO_COLOR");
	if (env_nc && *env_nc)
		an.opt.color = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:vqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!cli_parse_format(optarg, &an.opt.format)) {
				analysis_release(&an);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			an.opt.output = optarg;
			break;
		case 'a':
			if (parse_at(&an, optarg) < 0) {
				fprintf(stderr, "stuckscope: --at: expected LABEL=TIME with an ISO-8601 "
						"UTC time or @EPOCH, not '%s'\n", optarg);
				analysis_release(&an);
				return EXIT_USAGE;
			}
			break;
		case 'p': {
			char *end;
			errno = 0;
			/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): getopt sets it */
			long v = strtol(optarg, &end, 10);
			if (errno || *end || v < 1 || v > 65535) {
				fprintf(stderr, "stuckscope: --port: not a port number: '%s'\n", optarg);
				analysis_release(&an);
				return EXIT_USAGE;
			}
			*VEC_PUSH(&an.arena, &an.opt.ports) = (uint16_t)v;
			break;
		}
		case 'v':
			an.opt.verbose++;
			break;
		case 'q':
			an.opt.quiet = true;
			break;
		case 'c':
			if (!optarg || strcmp(optarg, "always") == 0)
				an.opt.color = 1;
			else if (strcmp(optarg, "never") == 0)
				an.opt.color = 0;
			else if (strcmp(optarg, "auto") == 0)
				an.opt.color = env_nc && *env_nc ? 0 : -1;
			else {
				fprintf(stderr, "stuckscope: --color: expected auto, always or never\n");
				analysis_release(&an);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			analysis_release(&an);
			return EXIT_RAN;
		default:
			usage(stderr);
			analysis_release(&an);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "stuckscope: analyze: no FILE or DIR given\n");
		usage(stderr);
		analysis_release(&an);
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		analysis_add_path(&an, argv[i]);
	analysis_read_inputs(&an);
	analysis_diagnose(&an);

	/* every problem with an input, on stderr as FILE:LINE: message */
	for (size_t i = 0; i < an.diags.list.n; i++) {
		const struct diag *dg = &an.diags.list.v[i];
		if (dg->sev < DIAG_SEV_WARN && an.opt.verbose < 2)
			continue;
		char buf[1024];
		diag_format(dg, buf, sizeof(buf));
		fprintf(stderr, "stuckscope: ");
		for (const char *p = buf; *p; p++)
			fputc((unsigned char)*p < 0x20 ? '?' : *p, stderr);
		fputc('\n', stderr);
	}

	size_t readable = 0;
	for (size_t i = 0; i < an.inputs.n; i++)
		if (an.inputs.v[i].status != INPUT_ERROR && an.inputs.v[i].kind != KIND_UNKNOWN)
			readable++;

	FILE *out = stdout;
	if (an.opt.output && strcmp(an.opt.output, "-") != 0) {
		out = fopen(an.opt.output, "w");
		if (!out) {
			fprintf(stderr, "stuckscope: %s: %s\n", an.opt.output, strerror(errno));
			analysis_release(&an);
			return EXIT_USAGE;
		}
	}
	bool color = an.opt.color == 1 || (an.opt.color == -1 && out == stdout && isatty(1));
	switch (an.opt.format) {
	case FMT_JSON:
		report_json_write(out, &an);
		break;
	case FMT_HTML:
		report_html_write(out, &an);
		break;
	case FMT_TEXT:
		report_text_write(out, &an, color);
		break;
	}
	int rc = readable ? EXIT_RAN : EXIT_NOTHING;
	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "stuckscope: %s: %s\n", an.opt.output, strerror(errno));
		rc = EXIT_NOTHING;
	} else if (out == stdout && fflush(stdout) != 0) {
		rc = EXIT_NOTHING;
	}
	if (!readable)
		fprintf(stderr, "stuckscope: nothing could be read\n");
	analysis_release(&an);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("stuckscope %s\n", STUCKSCOPE_VERSION);
		return EXIT_RAN;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return EXIT_RAN;
	}
	if (strcmp(cmd, "analyze") == 0)
		return cmd_analyze(argc - 1, argv + 1);
	if (strcmp(cmd, "rules") == 0)
		return cmd_rules();
	if (strcmp(cmd, "stacks") == 0 && cmd_stacks)
		return cmd_stacks(argc - 1, argv + 1);
	if (strcmp(cmd, "attach") == 0 && cmd_attach)
		return cmd_attach(argc - 1, argv + 1);
	if (strcmp(cmd, "watch") == 0 && cmd_watch)
		return cmd_watch(argc - 1, argv + 1);
	if (strcmp(cmd, "attach") == 0 || strcmp(cmd, "stacks") == 0 || strcmp(cmd, "watch") == 0) {
		fprintf(stderr, "stuckscope: %s: not available in this version yet; collect the "
				"evidence by hand and run `stuckscope analyze`\n", cmd);
		return EXIT_USAGE;
	}
	fprintf(stderr, "stuckscope: unknown command '%s'\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
