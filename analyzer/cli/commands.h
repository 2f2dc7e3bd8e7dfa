/* commands.h — every command of the CLI (main.c's commands[]): each takes
 * argv from its own name on and returns the exit status of the contract
 * (DESIGN.md "Contracts"). One file per command. */
#ifndef STUCKSCOPE_CLI_COMMANDS_H
#define STUCKSCOPE_CLI_COMMANDS_H

int cmd_analyze(int argc, char **argv);	/* cmd_analyze.c */
int cmd_attach(int argc, char **argv);	/* cmd_attach.c */
int cmd_stacks(int argc, char **argv);	/* cmd_stacks.c */
int cmd_watch(int argc, char **argv);	/* cmd_watch.c */
int cmd_rules(int argc, char **argv);	/* cmd_rules.c */

#endif
