/* cmd_attach.c — `stuckscope attach`: collect a bundle from a live server,
 * then analyze it exactly as `stuckscope analyze BUNDLE` would (DESIGN.md
 * job 2). argv[0] is "attach".
 *
 *   stuckscope attach (--port PORT | --pid PID)... [--duration S] [--samples N]
 *                     [--capture] [-o BUNDLE] [--format text|json|html]
 *
 * SIGINT/SIGTERM stop the collection early; what was collected is still
 * written and analyzed (a second SIGINT kills as usual). Exit status: 0 the
 * analysis ran, 1 usage error (or nothing to attach to), 2 nothing collected. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/analysis.h"
#include "cli.h"
#include "commands.h"
#include "probes/bundle.h"
#include "report/report.h"


static volatile sig_atomic_t attach_stop;

static void attach_on_signal(int sig)
{
	attach_stop = 1;
	/* the next one is not caught: a user who insists gets out */
	signal(sig, SIG_DFL);
}

static void attach_usage(FILE *f)
{
	fputs("usage: stuckscope attach (--port PORT | --pid PID)... [--duration S] [--samples N]\n"
	      "                         [--capture] [-o BUNDLE] [--format text|json|html]\n"
	      "\n"
	      "Finds the processes sharing the listening socket of PORT (or those of PID),\n"
	      "snapshots sockets, counters, sysctls, processes and threads (and stacks) at the\n"
	      "start, at intervals and at the end of S seconds (default 10, N=5 snapshots),\n"
	      "with --capture also packets on the port; writes it all to BUNDLE (default\n"
	      "stuckscope-YYYYmmdd-HHMMSS/), then prints the analysis of that bundle.\n", f);
}

int cmd_attach(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "pid", required_argument, NULL, 'P' },
		{ "duration", required_argument, NULL, 'd' },
		{ "samples", required_argument, NULL, 'n' },
		{ "capture", no_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bundle_opts opt;
	memset(&opt, 0, sizeof(opt));
	opt.duration = 10;
	opt.samples = 5;
	enum report_format format = FMT_TEXT;
	int c;
	long v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!cli_parse_long(optarg, 1, 65535, &v)) {
				fprintf(stderr, "stuckscope: --port: not a port number: '%s'\n", optarg);
				return 1;
			}
			if (opt.n_ports < BUNDLE_MAX_PORTS)
				opt.ports[opt.n_ports++] = (uint16_t)v;
			break;
		case 'P':
			if (!cli_parse_long(optarg, 1, 0x3fffffff, &v)) {
				fprintf(stderr, "stuckscope: --pid: not a process id: '%s'\n", optarg);
				return 1;
			}
			if (v == getpid()) {
				fprintf(stderr, "stuckscope: --pid: %ld is stuckscope itself\n", v);
				return 1;
			}
			if (opt.n_pids < BUNDLE_MAX_TARGETS)
				opt.pids[opt.n_pids++] = (pid_t)v;
			break;
		case 'd': {
			char *end;
			errno = 0;
			double d = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(d >= 0) || d > 86400) {
				fprintf(stderr, "stuckscope: --duration: expected seconds (0 to 86400), "
						"not '%s'\n", optarg);
				return 1;
			}
			opt.duration = d;
			break;
		}
		case 'n':
			if (!cli_parse_long(optarg, 1, 1000, &v)) {
				fprintf(stderr, "stuckscope: --samples: expected 1 to 1000, not '%s'\n",
					optarg);
				return 1;
			}
			opt.samples = (int)v;
			break;
		case 'c':
			opt.capture = true;
			break;
		case 'o':
			opt.dir = optarg;
			break;
		case 'f':
			if (!cli_parse_format(optarg, &format))
				return 1;
			break;
		case 'h':
			attach_usage(stdout);
			return 0;
		default:
			attach_usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stuckscope: attach: unexpected argument '%s'\n", argv[optind]);
		attach_usage(stderr);
		return 1;
	}
	if (!opt.n_ports && !opt.n_pids) {
		fprintf(stderr, "stuckscope: attach: give --port PORT or --pid PID\n");
		attach_usage(stderr);
		return 1;
	}
	opt.progress = isatty(2);

	struct bundle b;
	char err[1024];
	if (bundle_init(&b, &opt, err, sizeof(err)) != 0) {
		fprintf(stderr, "stuckscope: attach: %s\n", err);
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = attach_on_signal;	/* no SA_RESTART: sleeps end early */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (bundle_discover(&b, err, sizeof(err)) != 0) {
		fprintf(stderr, "stuckscope: attach: %s\n", err);
		/* the directory was made for this run: leave no empty litter */
		rmdir(b.dir);
		bundle_release(&b);
		return 1;
	}
	fprintf(stderr, "stuckscope: attach: %zu process%s on port", b.n_targets,
		b.n_targets == 1 ? "" : "es");
	for (size_t i = 0; i < b.n_ports; i++)
		fprintf(stderr, "%s%u", i ? "," : " ", b.ports[i]);
	fprintf(stderr, " (pids");
	for (size_t i = 0; i < b.n_targets; i++)
		fprintf(stderr, " %d", (int)b.targets[i].pid);
	fprintf(stderr, "%s), collecting into %s/ for %g s\n",
		b.netns_foreign ? ", in their network namespace" : "", b.dir, b.opt.duration);
	bundle_write_manifest(&b);
	bundle_collect(&b, &attach_stop);
	fprintf(stderr, "stuckscope: attach: %zu files in %s/%s\n", b.n_files, b.dir,
		b.n_failed ? " (some evidence could not be collected: see the report)" : "");

	/* the same analysis as `stuckscope analyze BUNDLE` */
	struct analysis an;
	analysis_init(&an);
	an.opt.format = format;
	for (size_t i = 0; i < b.n_ports; i++)
		*VEC_PUSH(&an.arena, &an.opt.ports) = b.ports[i];
	analysis_add_path(&an, b.dir);
	analysis_read_inputs(&an);
	analysis_diagnose(&an);
	const char *no_color = getenv("NO_COLOR");
	if (no_color && *no_color)
		an.opt.color = 0;
	int rc = cli_report(&an, stdout, NULL, "attach: nothing could be collected");
	analysis_release(&an);
	bundle_release(&b);
	return rc;
}
