/* cmd_rules.c — `stuckscope rules`: what each rule checks and why. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "rules/rule.h"

static void rules_usage(FILE *f)
{
	fputs("usage: stuckscope rules [-h]\n"
	      "\n"
	      "What each diagnosis rule checks and why, one paragraph per rule.\n"
	      "\n"
	      "Exit status: 0, or 1 on a usage error.\n", f);
}

int cmd_rules(int argc, char **argv)
{
	if (argc > 1) {
		if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
			rules_usage(stdout);
			return EXIT_RAN;
		}
		fprintf(stderr, "stuckscope: rules: unknown argument '%s'\n", argv[1]);
		rules_usage(stderr);
		return EXIT_USAGE;
	}
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

