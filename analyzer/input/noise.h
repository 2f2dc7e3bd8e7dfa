/* noise.h — the lines of a saved or pasted tool output that are not the
 * tool's output (issue 14): what people copy with it (shell prompts and
 * command lines, markdown fences, the HTML of an issue form), what the tool
 * or the shell printed on stderr into the same file (`2>&1`), and the time
 * lines a loop writes between appended outputs (`while sleep 1; do date;
 * ss -tan; done > f`). One place, so every text reader skips the same
 * things the same way and says how many it skipped. */
#ifndef STUCKSCOPE_INPUT_NOISE_H
#define STUCKSCOPE_INPUT_NOISE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/cursor.h"
#include "model/analysis.h"

enum noise_kind {
	NOISE_NONE,	/* the tool's own output, as far as noise goes */
	NOISE_BLANK,
	NOISE_PROMPT,	/* "$ ss -lnt", "[root@web1 ~]# ss -tanp", "root@host:~# ", "ss -tan" */
	NOISE_FENCE,	/* "```", "```text", "~~~", "<details>", "-----" */
	NOISE_MESSAGE,	/* stderr: "Failed to find cgroup2 mount", "cat: ...: No such file" */
	/* the output of another command pasted in the same file (after a
	 * prompt running something else: `sysctl net.core.somaxconn`); never
	 * returned by noise_line(), the reader knows it by its prompt */
	NOISE_OTHER,
	NOISE_N
};

/* What `t` (a trimmed line) is; for a prompt or command line, *cmd is the
 * command (after the prompt; may be empty). Time lines are not noise: they
 * begin a snapshot (noise_time_line()); callers ask that first. */
enum noise_kind noise_line(struct span t, struct span *cmd);

/* The options of `tool` on a command line (`sudo ss -tanp state
 * close-wait`, `watch -n1 'ss -ltn'`, `/usr/sbin/netstat -antp`): the
 * text after the tool's name, up to a pipe, `;` or `&&`. False when the
 * command does not run `tool`. */
bool noise_command_args(struct span cmd, const char *tool, struct span *args);

/* Escape sequences at the start of a line (a screen redraw of `watch` or
 * a colour prompt saved with the output) are not text. */
struct span noise_strip_escapes(struct span s);

/* A line that only says when what follows was taken:
 *   `date` in any common locale and zone ("Wed Nov 25 09:14:02 UTC 2026",
 *     "Wed Nov 25 09:14:02 AM CET 2026", "Wed 25 Nov 2026 09:14:02 GMT"),
 *   ISO-8601, "@1764062042", a bare epoch ("1764062042", `date +%s`),
 *   labelled or decorated ("# epoch 1764062042", "=== 2026-11-25T09:14:02Z ===",
 *   "--- Wed Nov 25 ... ---", "[09:14:02]"),
 *   a time of day alone ("=== 09:14:02 ===", `date +%T`),
 *   watch's title ("Every 1.0s: ss -ltn    web1: Wed Nov 25 09:14:02 2026").
 * at: seconds since the epoch, NAN when the line gives a wall clock in a
 * zone that is not UTC (or none): it still begins a snapshot, at an
 * unknown time. tod: seconds since midnight when only a time of day was
 * given, else NAN. cmd: watch's command, else empty. */
struct time_mark {
	double at;
	double tod;
	struct span cmd;
};
bool noise_time_line(struct span t, struct time_mark *m);

/* Skipped lines of one file, by kind, with the first one kept as an
 * example for the file's one diagnostic. */
struct noise_tally {
	uint64_t n[NOISE_N];
	uint32_t first_line;
	const char *first;
};

void noise_tally_add(struct noise_tally *t, struct arena *a, enum noise_kind k, struct span line,
		     uint32_t lineno);
/* One DIAG_SKIPPED for the file ("4 lines that are not ss output: 2 shell
 * prompts, 1 markdown fence, 1 tool message (first 'Failed to find cgroup2
 * mount', line 2)"); nothing when only blank lines were skipped. */
void noise_tally_report(const struct noise_tally *t, struct analysis *an, const struct input *in,
			const char *what);

#endif
