/* format.h — the format table: every evidence format stuckscope reads is one
 * `const struct format` in its parser's file (how to recognise it, how to
 * parse it, what kind of evidence it is) and one line of FORMATS() in
 * formats.c. Nothing else names a format: the driver (walk.c) asks every
 * format to score the file's first lines and the best score wins, the way
 * Wireshark's heuristic dissectors do, with tcpdump's printers[] as the
 * table (print.c). Adding a format = its file + one table line + its tests. */
#ifndef STUCKSCOPE_INPUT_FORMAT_H
#define STUCKSCOPE_INPUT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "model/analysis.h"

/* The first lines of a text file as the sniffers see them: blank lines,
 * markdown fences and time lines (noise.h) are left out; each line is kept
 * as read and trimmed, with its first three blank-separated tokens. */
#define SNIFF_HEAD (16 * 1024)	/* bytes looked at per line */
#define SNIFF_LINES 60		/* lines looked at */

struct sniff_line {
	struct span raw;	/* as in the file (without the newline) */
	struct span t;		/* trimmed */
	struct span tok[3];
	int ntok;
	uint32_t no;		/* 1-based line number in the file */
	bool indented;		/* starts with a blank or a tab */
};

struct sniff_view {
	const char *buf;	/* the whole input */
	size_t len;
	struct span head;	/* the first SNIFF_HEAD bytes */
	struct sniff_line lines[SNIFF_LINES];
	size_t n;
	bool json;		/* the first line opens a JSON value */
	bool binary;		/* NUL bytes on several lines: no text format */
};

/* Every sniffer is called on every view: on a JSON or binary view `lines`
 * is empty, so only sniffers that look at v->json or v->buf answer.
 *
 * Scores: a unique mark (a header line only this tool prints) is worth
 * SNIFF_STRONG less its line number, so the earliest mark wins; a format
 * recognised from its rows scores its SNIFF_ROWS_* tier, so that when rows
 * of two formats look alike the more specific reading wins. */
#define SNIFF_MAGIC 2000
#define SNIFF_STRONG 1000
/* Rows alone, most specific first: eu-stack's "TID n:" beats gdb's frames,
 * which beat pstack's; netstat -s sentences beat /proc/net/tcp rows, which
 * beat netstat rows, which beat ss rows ("tcp ESTAB" reads as both). */
enum sniff_tier {
	SNIFF_ROWS_EU_STACK = 90,
	SNIFF_ROWS_PYSPY = 88,		/* "Thread 12 (idle): "x"" and "    f (a.py:3)" */
	SNIFF_ROWS_PROC_STATUS = 85,
	SNIFF_ROWS_PROC_FD = 80,
	SNIFF_ROWS_GDB = 75,
	SNIFF_ROWS_PSTACK = 70,
	SNIFF_ROWS_NETSTAT_S = 65,
	SNIFF_ROWS_PROC_NET_TCP = 60,
	SNIFF_ROWS_NETSTAT = 55,
	SNIFF_ROWS_SS = 50,
	SNIFF_ROWS_SYSCTL = 45,
	SNIFF_ROWS_SNMP6 = 40,
	SNIFF_ROWS_NSTAT = 35,
};
static inline int sniff_strong(const struct sniff_line *l)
{
	return SNIFF_STRONG - (int)(l->no < 900 ? l->no : 900);
}

/* "ListenOverflows", "TcpExtListenOverflows", "Ip6InReceives": a kernel
 * counter name as nstat and /proc/net/snmp6 print it */
static inline bool sniff_is_counter_name(struct span t)
{
	if (t.n < 3 || !(t.p[0] >= 'A' && t.p[0] <= 'Z'))
		return false;
	for (size_t i = 0; i < t.n; i++) {
		char ch = t.p[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_'))
			return false;
	}
	return true;
}

struct format {
	const char *name;		/* the input kind in reports and manifests: "ss" */
	enum evidence_class cls;
	/* recognised by its first bytes and streamed by its parser from
	 * in->path (captures): never loaded into memory */
	bool streamed;
	/* 0: not this format; higher: more certain (see the scores above) */
	int (*sniff)(const struct sniff_view *v);
	/* adds to an->inc; a diagnostic per record it cannot read; 0 when at
	 * least part was understood, -1 when nothing was (parsers.h) */
	int (*parse)(struct analysis *an, struct input *in);
};

/* formats.c: every format, NULL-terminated */
extern const struct format *const formats[];
const struct format *format_by_name(const char *name);
/* The best-scoring format for this content, NULL when none recognises it. */
const struct format *format_sniff(const char *buf, size_t len);
/* sniff.c: build the view the sniffers read */
void sniff_view_init(struct sniff_view *v, const char *buf, size_t len);

#endif
