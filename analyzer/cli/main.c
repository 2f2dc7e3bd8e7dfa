/* main.c — the command line (DESIGN.md "Contracts"): one table of commands
 * (git's commands[] in git.c), each in its own file (commands.h). Exit
 * status: 0 the analysis ran (whatever it found), 1 usage error, 2 nothing
 * could be read. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

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

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "analyze", cmd_analyze },
	{ "attach", cmd_attach },
	{ "stacks", cmd_stacks },
	{ "watch", cmd_watch },
	{ "rules", cmd_rules },
};

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
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "stuckscope: unknown command '%s'\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
