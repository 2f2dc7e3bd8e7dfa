/* cmd_analyze.c — `stuckscope analyze FILE|DIR...`: the post-mortem job
 * (DESIGN.md job 1): read the evidence given, diagnose, report. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "model/analysis.h"

static void analyze_usage(FILE *f)
{
	fputs("usage: stuckscope analyze [OPTION]... FILE|DIR...\n"
	      "\n"
	      "Diagnose the evidence saved during an incident: packet captures, ss/netstat\n"
	      "snapshots, /proc/net/tcp, netstat -s/nstat//proc/net counters, sysctl output, stack\n"
	      "dumps (gdb, pstack, eu-stack, py-bt, /proc/PID/task dumps) and attach bundles, in any\n"
	      "mix of files and directories (read recursively). Each file's kind is recognised\n"
	      "from its content.\n"
	      "\n"
	      "  -f, --format FMT     text (default), json or html\n"
	      "  -o, --output FILE    write the report to FILE instead of standard output\n"
	      "      --at LABEL=TIME  date the file named LABEL (ISO-8601 UTC, or @EPOCH)\n"
	      "  -p, --port PORT      the listener(s) to look at in captures (repeatable)\n"
	      "  -v, --verbose        more detail, and every diagnostic on standard error (by\n"
	      "                       default one line per file not fully read); -vv also\n"
	      "                       the informational ones\n"
	      "  -q, --quiet          no diagnostics about inputs on standard error\n"
	      "      --color[=WHEN]   auto (default), always or never; NO_COLOR is honoured\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "A first line holding a UTC time dates a snapshot: save snapshots as\n"
	      "  { date -u +%FT%T.%3NZ; ss -tanpie; } > ss-1.txt\n"
	      "\n"
	      "Exit status: 0 the analysis ran (whatever it found), 1 usage error,\n"
	      "2 nothing could be read or the report could not be written.\n", f);
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

int cmd_analyze(int argc, char **argv)
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
			analyze_usage(stdout);
			analysis_release(&an);
			return EXIT_RAN;
		default:
			analyze_usage(stderr);
			analysis_release(&an);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "stuckscope: analyze: no FILE or DIR given\n");
		analyze_usage(stderr);
		analysis_release(&an);
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		analysis_add_path(&an, argv[i]);
	analysis_read_inputs(&an);
	analysis_diagnose(&an);

	int rc = cli_report_to(&an, an.opt.output, "nothing could be read");
	analysis_release(&an);
	return rc;
}

