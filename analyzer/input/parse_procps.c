/* parse_procps.c — per-thread tables of procps' `ps` and `top`, as pasted:
 *
 *   ps -eLo pid,lwp,stat,pcpu,time,wchan:32,comm   (any columns, any order)
 *   ps -L -p PID, ps -T -p PID, ps -eLf, ps -eLl, ps H -o ..., ps aux
 *   top -H -b -n 1 [-p PID[,PID]] [-d S -n N]
 *
 * Columns are found by their headers, the names procps prints (the format
 * table in src/ps/output.c; top's Head_nlstab in src/top/top_nls.c):
 * PID; LWP, TID, SPID (the thread); TGID (top's thread group); PPID; S, STAT
 * (state, first letter as in /proc/PID/stat); TIME ("[DD-]HH:MM:SS", pr_time;
 * "MMM:SS", pr_bsdtime for ps aux; seconds, pr_times), TIME+ (top's
 * "M:SS.hh", scale_tics() in src/top/top.c, coarser "H,MM", "Dd+Hh" when
 * wide); WCHAN (the kernel function a sleeping thread waits in, cut to the
 * column's width: "futex_" in ps -l); CMD, COMMAND (the last column, may
 * hold blanks).
 *
 * Each table is one sample of every thread it shows: its state, its CPU time
 * in clock ticks (USER_HZ 100: TIME is utime + stime, kept as utime) and its
 * wchan, with no frames. Two tables taken a few seconds apart tell a thread
 * that used CPU (busy) from one that did not (idle or stuck): classify.c
 * compares the ticks of a thread's samples. Several tables in one file (a
 * `while` loop with `date`, `top -n 3`) are several samples.
 *
 * procps-ng 4.0.0 to 4.0.3 (Debian 12 has 4.0.2) print the whole process's
 * TIME and %CPU on the row of its main thread (TID == PID): procps NEWS for
 * 4.0.4, "library: restore the proper main thread tics valuations", issue
 * #280. A main-thread row whose time equals the sum of the other rows' is
 * read as that total, and its own time as unknown.
 *
 * top -H prints thread ids only: the process is the TGID column when shown,
 * else the pid of `-p N` in a pasted command line, else the file name. */
#include <math.h>
#include <string.h>

#include "format.h"
#include "parsers.h"
#include "stack_model.h"

enum ps_col {
	PSC_OTHER, PSC_PID, PSC_TID, PSC_TGID, PSC_PPID, PSC_STATE, PSC_STAT, PSC_TIME,
	PSC_WCHAN, PSC_COMM, PSC_ARGS, PSC_NLWP,
};

#define PS_COLS 96	/* top with every field shows about 60 */

static const struct {
	const char *name;
	enum ps_col col;
} header_names[] = {
	{ "PID", PSC_PID }, { "LWP", PSC_TID }, { "TID", PSC_TID }, { "SPID", PSC_TID },
	{ "TGID", PSC_TGID }, { "PPID", PSC_PPID }, { "S", PSC_STATE }, { "STAT", PSC_STAT },
	{ "TIME", PSC_TIME }, { "TIME+", PSC_TIME }, { "WCHAN", PSC_WCHAN },
	{ "COMMAND", PSC_COMM }, { "CMD", PSC_ARGS }, { "NLWP", PSC_NLWP }, { "THCNT", PSC_NLWP },
	{ "nTH", PSC_NLWP },
	/* columns read past */
	{ "USER", PSC_OTHER }, { "UID", PSC_OTHER }, { "RUSER", PSC_OTHER }, { "EUSER", PSC_OTHER },
	{ "GID", PSC_OTHER }, { "GROUP", PSC_OTHER }, { "%CPU", PSC_OTHER }, { "%MEM", PSC_OTHER },
	{ "C", PSC_OTHER }, { "CPU", PSC_OTHER }, { "PSR", PSC_OTHER }, { "P", PSC_OTHER },
	{ "PRI", PSC_OTHER }, { "PR", PSC_OTHER }, { "NI", PSC_OTHER }, { "RTPRIO", PSC_OTHER },
	{ "CLS", PSC_OTHER }, { "POL", PSC_OTHER }, { "VSZ", PSC_OTHER }, { "RSS", PSC_OTHER },
	{ "SZ", PSC_OTHER }, { "VIRT", PSC_OTHER }, { "RES", PSC_OTHER }, { "SHR", PSC_OTHER },
	{ "SWAP", PSC_OTHER }, { "TTY", PSC_OTHER }, { "TT", PSC_OTHER }, { "STIME", PSC_OTHER },
	{ "START", PSC_OTHER }, { "ELAPSED", PSC_OTHER }, { "F", PSC_OTHER }, { "ADDR", PSC_OTHER },
	{ "PGID", PSC_OTHER }, { "PGRP", PSC_OTHER }, { "SID", PSC_OTHER }, { "SESS", PSC_OTHER },
	{ "TPGID", PSC_OTHER }, { "CODE", PSC_OTHER }, { "DATA", PSC_OTHER }, { "USED", PSC_OTHER },
	{ "nMaj", PSC_OTHER }, { "nMin", PSC_OTHER }, { "Flags", PSC_OTHER }, { "NUMA", PSC_OTHER },
	{ "ENVIRON", PSC_OTHER }, { "LABEL", PSC_OTHER }, { "MAJFL", PSC_OTHER },
	{ "MINFL", PSC_OTHER }, { "CGROUP", PSC_OTHER }, { "%CUU", PSC_OTHER },
	{ "STARTED", PSC_OTHER },
	/* top's other fields (Head_nlstab, src/top/top_nls.c) */
	{ "RUID", PSC_OTHER }, { "SUID", PSC_OTHER }, { "SUSER", PSC_OTHER }, { "nDRT", PSC_OTHER },
	{ "CGROUPS", PSC_OTHER }, { "SUPGIDS", PSC_OTHER }, { "SUPGRPS", PSC_OTHER },
	{ "OOMa", PSC_OTHER }, { "OOMs", PSC_OTHER }, { "vMj", PSC_OTHER }, { "vMn", PSC_OTHER },
	{ "nsIPC", PSC_OTHER }, { "nsMNT", PSC_OTHER }, { "nsNET", PSC_OTHER },
	{ "nsPID", PSC_OTHER }, { "nsUSER", PSC_OTHER }, { "nsUTS", PSC_OTHER }, { "LXC", PSC_OTHER },
	{ "RSan", PSC_OTHER }, { "RSfd", PSC_OTHER }, { "RSlk", PSC_OTHER }, { "RSsh", PSC_OTHER },
	{ "CGNAME", PSC_OTHER }, { "NU", PSC_OTHER }, { "AGID", PSC_OTHER }, { "AGNI", PSC_OTHER },
	{ "nsCGROUP", PSC_OTHER }, { "nsTIME", PSC_OTHER }, { "%CUC", PSC_OTHER },
};

struct ps_table {
	int n;
	enum ps_col col[PS_COLS];
	int ntok[PS_COLS];		/* blank-separated words of a cell: lstart's 5 */
	size_t hs[PS_COLS], he[PS_COLS];	/* where each header word starts and ends */
	int at[PSC_NLWP + 1];		/* column index of each kind, -1 none */
	bool top;			/* top's table (TIME+, or under a "top -" header) */
};

struct ps_row {
	int32_t pid, tid, ppid;
	char state;
	int64_t ticks;			/* -1 unknown */
	int64_t resolution;		/* of ticks: 1 (top), 100 (ps seconds) */
	int64_t nlwp;			/* -1 unknown */
	struct span wchan, comm;
	bool multi;			/* STAT says multi-threaded ('l') */
	uint32_t line;
	const char *text;
};

/* One table: its columns, its time, its rows (a range of the reader's). */
struct ps_frame {
	struct ps_table table;
	bool threads_mode;		/* under top's "Threads:" line */
	double at;			/* from a `date` line above it, NAN none */
	double tod;			/* top's "top - HH:MM:SS" (seconds of the day), NAN */
	size_t first_row, n_rows;
};

struct ps_reader {
	struct analysis *an;
	struct input *in;
	bool have_table;
	bool threads_mode;		/* top's "Threads:" line */
	bool tasks_mode;		/* top's "Tasks:" line */
	double pending_at, pending_tod;	/* for the next table */
	int32_t cmd_pids[16];		/* from a pasted command line */
	int n_cmd_pids;
	VEC(struct ps_row) rows;
	VEC(struct ps_frame) frames;
	uint64_t threads, bad, skipped;
	uint32_t bad_line;
	bool noted_totals, noted_tids, noted_grouping;
};

static bool header_token_ok(struct span t)
{
	bool upper = false;
	for (size_t i = 0; i < t.n; i++) {
		char ch = t.p[i];
		if (ch >= 'A' && ch <= 'Z')
			upper = true;
		else if (!((ch >= 'a' && ch <= 'z') || span_is_digit(ch) || ch == '%' || ch == '+' ||
			   ch == '_' || ch == '-' || ch == '/' || ch == '#'))
			return false;
	}
	return upper;
}

/* A header row: every token a column name, one naming the process or
 * thread, two known. `t` is the line as read (offsets are kept for rows
 * whose words do not line up). */
static bool parse_header(struct span t, struct ps_table *tb)
{
	memset(tb, 0, sizeof(*tb));
	for (size_t i = 0; i <= PSC_NLWP; i++)
		tb->at[i] = -1;
	struct span rest = t, tok;
	int known = 0;
	while (span_token(&rest, &tok)) {
		if (tb->n == PS_COLS || !header_token_ok(tok))
			return false;
		enum ps_col c = PSC_OTHER;
		bool found = false;
		for (size_t k = 0; k < sizeof(header_names) / sizeof(header_names[0]); k++)
			if (span_eq(tok, header_names[k].name)) {
				c = header_names[k].col;
				found = true;
				break;
			}
		if (found)
			known++;
		if (span_eq(tok, "TIME+"))
			tb->top = true;
		if (c != PSC_OTHER && tb->at[c] < 0)
			tb->at[c] = tb->n;
		/* lstart: "Wed Oct  2 02:19:25 2019" (pr_lstart, ctime() format) */
		tb->ntok[tb->n] = span_eq(tok, "STARTED") ? 5 : 1;
		tb->hs[tb->n] = (size_t)(tok.p - t.p);
		tb->he[tb->n] = tb->hs[tb->n] + tok.n;
		tb->col[tb->n++] = c;
	}
	bool ids = tb->at[PSC_PID] >= 0 || tb->at[PSC_TID] >= 0;
	return ids && known >= 2 && known * 4 >= tb->n * 3 && tb->n >= 2;
}

/* [DD-]HH:MM:SS, MMM:SS, M:SS.hh, seconds; "H,MM" and coarser: unknown.
 * Ticks at USER_HZ 100, and the resolution of the value in ticks. */
static bool parse_cputime(struct span s, int64_t *ticks, int64_t *res)
{
	uint64_t part[3] = { 0 }, days = 0;
	int n = 0;
	struct span d = s;
	const char *dash = memchr(d.p, '-', d.n);
	if (dash) {
		if (!span_u64(span_make(d.p, (size_t)(dash - d.p)), &days) || days > 100000)
			return false;
		d = span_make(dash + 1, d.n - (size_t)(dash + 1 - d.p));
	}
	if (memchr(d.p, ',', d.n) || memchr(d.p, 'd', d.n) || memchr(d.p, 'h', d.n) ||
	    memchr(d.p, 'w', d.n) || memchr(d.p, 'D', d.n) || memchr(d.p, 'H', d.n) ||
	    memchr(d.p, 'W', d.n)) {
		*ticks = -1;	/* top's hour, day and week scales: too coarse */
		*res = 0;
		return true;
	}
	uint64_t cent = 0;
	bool have_cent = false;
	const char *dot = memchr(d.p, '.', d.n);
	if (dot) {
		struct span c = span_make(dot + 1, d.n - (size_t)(dot + 1 - d.p));
		if (c.n != 2 || !span_u64(c, &cent))
			return false;
		have_cent = true;
		d.n = (size_t)(dot - d.p);
	}
	while (d.n && n < 3) {
		const char *colon = memchr(d.p, ':', d.n);
		size_t len = colon ? (size_t)(colon - d.p) : d.n;
		if (!span_u64(span_make(d.p, len), &part[n]) || part[n] > 100000000)
			return false;
		n++;
		d = colon ? span_make(colon + 1, d.n - len - 1) : span_make(d.p + d.n, 0);
		if (colon && !d.n)
			return false;
	}
	if (d.n || !n)
		return false;
	uint64_t secs;
	if (n == 3)
		secs = part[0] * 3600 + part[1] * 60 + part[2];
	else if (n == 2)
		secs = part[0] * 60 + part[1];	/* MMM:SS (bsdtime, top) */
	else
		secs = part[0];			/* seconds (ps -o times) */
	secs += days * 86400;
	*ticks = (int64_t)(secs * 100 + cent);
	*res = have_cent ? 1 : 100;
	return true;
}

static void bad(struct ps_reader *r, uint32_t line)
{
	if (!r->bad++)
		r->bad_line = line;
}

/* The basename of the first word: "/usr/bin/python3 app.py" -> "python3",
 * "[kworker/0:1]" kept. */
static struct span comm_of_args(struct span a)
{
	struct span rest = a, first;
	if (!span_token(&rest, &first))
		return a;
	if (first.p[0] == '[')
		return a;
	size_t i = first.n;
	while (i > 0 && first.p[i - 1] != '/')
		i--;
	return span_make(first.p + i, first.n - i);
}

static bool weekday(struct span w)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	for (size_t i = 0; i < 7; i++)
		if (span_eq(w, days[i]))
			return true;
	return false;
}

/* The cells of a row, word by word: each column one word (lstart five),
 * the last command column the rest of the line. */
static int cells_by_words(const struct ps_table *tb, struct span t, struct span *cell)
{
	struct span rest = t;
	int n = 0;
	while (n < tb->n && span_token(&rest, &cell[n])) {
		/* lstart (Linux): "Wed Oct  2 02:19:25 2019"; macOS's STARTED
		 * is one word ("12:10PM") */
		bool lstart = tb->ntok[n] > 1 && weekday(cell[n]);
		for (int k = 1; lstart && k < tb->ntok[n]; k++) {
			struct span more;
			if (!span_token(&rest, &more))
				break;
			cell[n].n = (size_t)(more.p + more.n - cell[n].p);
		}
		n++;
		enum ps_col last = tb->col[tb->n - 1];
		if (n == tb->n - 1 && (last == PSC_COMM || last == PSC_ARGS)) {
			struct span tail = span_trim(rest);
			if (tail.n) {
				cell[n++] = tail;
				rest = span_make(rest.p + rest.n, 0);
			}
			break;
		}
	}
	return n == tb->n && !span_trim(rest).n ? n : -1;
}

/* When the words do not line up (top with every field: COMMAND is not last
 * and ENVIRON holds blanks), each word goes to the column whose header it
 * overlaps most, else to the column left of it: top and ps right-align
 * numbers under the end of their header and left-align text under its
 * start. */
static int cells_by_position(const struct ps_table *tb, struct span t, struct span *cell)
{
	for (int i = 0; i < tb->n; i++)
		cell[i] = span_make(t.p, 0);
	struct span rest = t, tok;
	while (span_token(&rest, &tok)) {
		size_t a = (size_t)(tok.p - t.p), b = a + tok.n;
		int best = -1;
		size_t best_ov = 0;
		for (int i = 0; i < tb->n; i++) {
			size_t lo = a > tb->hs[i] ? a : tb->hs[i], hi = b < tb->he[i] ? b : tb->he[i];
			if (hi > lo && hi - lo > best_ov) {
				best_ov = hi - lo;
				best = i;
			}
		}
		for (int i = 0; best < 0 && i < tb->n; i++)
			if (tb->hs[i] <= a && (i + 1 == tb->n || tb->hs[i + 1] > a))
				best = i;
		if (best < 0)
			return -1;
		if (!cell[best].n)
			cell[best] = tok;
		else
			cell[best].n = (size_t)(tok.p + tok.n - cell[best].p);
	}
	return tb->n;
}

/* The cells as a row: false when one does not read as its column. */
static bool row_of_cells(const struct ps_table *tb, const struct span *cell, int n,
			 struct ps_row *row)
{
	memset(row, 0, sizeof(*row));
	row->ppid = -1;
	row->ticks = -1;
	row->nlwp = -1;
	for (int i = 0; i < n; i++) {
		struct span c = cell[i];
		int32_t v;
		struct span d = c;
		switch (tb->col[i]) {
		case PSC_PID:
		case PSC_TID:
		case PSC_TGID:
		case PSC_PPID:
			if (!stack_take_i32(&d, &v) || d.n || v < 0)
				return false;
			if (tb->col[i] == PSC_PID)
				row->pid = v;
			else if (tb->col[i] == PSC_TID)
				row->tid = v;
			else if (tb->col[i] == PSC_TGID)
				row->pid = v;	/* top -H: PID is the thread's */
			else
				row->ppid = v;
			break;
		case PSC_STATE:
		case PSC_STAT:
			if (span_eq(c, "-"))
				break;	/* ps m: a process row, its threads follow */
			if (!c.n || !((c.p[0] >= 'A' && c.p[0] <= 'Z') || (c.p[0] >= 'a' && c.p[0] <= 'z')))
				return false;
			row->state = c.p[0];
			row->multi = tb->col[i] == PSC_STAT && memchr(c.p, 'l', c.n) != NULL;
			break;
		case PSC_TIME:
			if (!parse_cputime(c, &row->ticks, &row->resolution))
				return false;
			break;
		case PSC_WCHAN:
			if (c.n && !span_eq(c, "-") && !span_eq(c, "*") && !span_eq(c, "0"))
				row->wchan = c;
			break;
		case PSC_COMM:
			/* COMMAND is the name (ps -o comm; top, where thread names
			 * hold blanks: "pool worker 1") or, in ps aux and on macOS,
			 * the command line */
			row->comm = c.n && (c.p[0] == '/' || (!tb->top && memchr(c.p, ' ', c.n)))
				    ? comm_of_args(c) : c;
			break;
		case PSC_ARGS:
			row->comm = comm_of_args(c);
			break;
		case PSC_NLWP: {
			uint64_t x;
			if (span_u64(c, &x) && x < 1000000)
				row->nlwp = (int64_t)x;
			break;
		}
		case PSC_OTHER:
			break;
		}
	}
	return row->pid || row->tid;
}

static void read_row(struct ps_reader *r, struct span raw, uint32_t lineno)
{
	struct ps_frame *fr = &r->frames.v[r->frames.n - 1];
	const struct ps_table *tb = &fr->table;
	struct span cell[PS_COLS], t = span_trim(raw);
	struct ps_row row;
	int n = cells_by_words(tb, t, cell);
	/* ps m: after each process, one row per thread with "-" for its pid
	 * and no thread id: not a thread anyone can name */
	if (n > 0 && tb->at[PSC_PID] >= 0 && tb->at[PSC_TID] < 0 &&
	    span_eq(cell[tb->at[PSC_PID]], "-")) {
		r->skipped++;
		return;
	}
	if (n < 0 || !row_of_cells(tb, cell, n, &row)) {
		n = cells_by_position(tb, raw, cell);
		if (n < 0 || !row_of_cells(tb, cell, n, &row)) {
			bad(r, lineno);
			return;
		}
	}
	row.line = lineno;
	/* top -H: the PID column holds thread ids */
	if (tb->at[PSC_TGID] >= 0) {
		row.tid = 0;
		if (tb->at[PSC_PID] >= 0) {
			struct span d = cell[tb->at[PSC_PID]];
			stack_take_i32(&d, &row.tid);
		}
	} else if (tb->top && fr->threads_mode) {
		row.tid = row.pid;
		row.pid = 0;
	}
	/* the pipeline's own grep or awk is not evidence */
	if (span_eq(row.comm, "grep") || span_eq(row.comm, "egrep") || span_eq(row.comm, "awk")) {
		r->skipped++;
		return;
	}
	row.text = evidence_text(&r->an->arena, t);
	*VEC_PUSH(&r->an->arena, &r->rows) = row;
	fr->n_rows++;
}

/* top -H without TGID: a thread belongs to the pid of `-p` (or the file
 * name); of several, the nearest lower one. */
static int32_t top_pid_of(struct ps_reader *r, int32_t tid)
{
	int32_t best = 0;
	for (int i = 0; i < r->n_cmd_pids; i++)
		if (r->cmd_pids[i] == tid)
			return tid;
	for (int i = 0; i < r->n_cmd_pids; i++)
		if (r->cmd_pids[i] <= tid && r->cmd_pids[i] > best)
			best = r->cmd_pids[i];
	return best ? best : r->n_cmd_pids ? r->cmd_pids[0] : 0;
}

static void commit_frame(struct ps_reader *r, size_t f, double at)
{
	struct analysis *an = r->an;
	const struct ps_frame *fr = &r->frames.v[f];
	const struct ps_table *tb = &fr->table;
	if (!fr->n_rows)
		return;	/* a header and nothing under it: rows.v may be NULL */
	struct ps_row *rows = r->rows.v + fr->first_row;
	size_t nrows = fr->n_rows;
	bool thread_rows = tb->at[PSC_TID] >= 0 || (tb->top && fr->threads_mode) ||
			   tb->at[PSC_TGID] >= 0;
	/* thread rows: find each one's process */
	for (size_t i = 0; i < nrows; i++) {
		struct ps_row *row = &rows[i];
		if (!thread_rows) {
			row->tid = row->pid;
			continue;
		}
		if (!row->pid && row->tid) {
			row->pid = top_pid_of(r, row->tid);
			if (r->n_cmd_pids > 1 && !r->noted_grouping) {
				diag_add(&an->diags, DIAG_NOTE, r->in->display, row->line, -1,
					 "top -H names threads only: each is taken as a thread of the "
					 "process of -p with the nearest lower pid (add the TGID column "
					 "with 'f' to be sure)");
				r->noted_grouping = true;
			}
		}
	}
	/* procps-ng 4.0.0-4.0.3: the main thread's row holds the process's time */
	if (thread_rows) {
		for (size_t i = 0; i < nrows; i++) {
			struct ps_row *lead = &rows[i];
			if (!lead->pid || lead->tid != lead->pid || lead->ticks < 0)
				continue;
			int64_t sum = 0, res = lead->resolution;
			int others = 0;
			for (size_t k = 0; k < nrows; k++) {
				const struct ps_row *o = &rows[k];
				if (k == i || o->pid != lead->pid || o->ticks < 0)
					continue;
				sum += o->ticks;
				others++;
			}
			if (others && sum > 0 && lead->ticks >= sum &&
			    lead->ticks - sum <= res * (others + 1)) {
				lead->ticks = -1;
				if (!r->noted_totals) {
					diag_add(&an->diags, DIAG_NOTE, r->in->display, lead->line, -1,
						 "the main thread's TIME (tid %d) is the sum of the "
						 "others': procps-ng 4.0.0 to 4.0.3 print the process's "
						 "total there, so its own CPU time is taken as unknown",
						 (int)lead->tid);
					r->noted_totals = true;
				}
			}
		}
	}
	for (size_t i = 0; i < nrows; i++) {
		const struct ps_row *row = &rows[i];
		if (!row->pid) {
			if (!r->noted_tids) {
				diag_add(&an->diags, DIAG_BAD_LINE, r->in->display, row->line, -1,
					 "top -H names threads, not their process, and nothing else "
					 "does (no TGID column, no `-p PID` above, no pid in the file "
					 "name): thread rows not kept");
				r->noted_tids = true;
			}
			continue;
		}
		const char *comm = row->comm.n ? stack_span_dup(an, row->comm) : NULL;
		struct process *p = incident_process(&an->inc, row->pid, true);
		if (row->ppid >= 0 && p->ppid < 0)
			p->ppid = row->ppid;
		if (comm && row->tid == row->pid && !p->comm)
			p->comm = comm;
		/* a process row is its only thread's when it has one thread */
		bool single = row->nlwp == 1 ||
			      (tb->at[PSC_STAT] >= 0 && tb->at[PSC_NLWP] < 0 && row->state &&
			       !row->multi);
		if (!thread_rows && !single)
			continue;
		struct provenance src = {
			.file = r->in->display, .line = row->line, .at = at, .text = row->text,
		};
		struct stack_sample *s;
		if (!f) {
			s = stack_sample_for(an, row->pid, row->tid, comm, &src, SAMPLE_PROC);
		} else {
			struct thread *t = process_thread(&an->inc, p, row->tid, true);
			if (comm)
				t->comm = comm;
			s = thread_sample_new(&an->inc, t, &src);
		}
		s->state = row->state;
		s->utime = row->ticks;
		s->stime = row->ticks >= 0 ? 0 : -1;	/* TIME is utime + stime */
		if (row->wchan.n)
			s->wchan = stack_span_dup(an, row->wchan);
		r->threads++;
	}
}

/* Every table on the timeline: a `date` line above it gives its time; top's
 * clock ("top - HH:MM:SS", local time) gives the spacing of its frames,
 * placed from the input's time (its timestamp line marks the first frame,
 * its mtime the last); else the input's time. */
static void commit_frames(struct ps_reader *r)
{
	double first = NAN, last = NAN;
	for (size_t f = 0; f < r->frames.n; f++)
		if (!isnan(r->frames.v[f].tod)) {
			if (isnan(first))
				first = r->frames.v[f].tod;
			last = r->frames.v[f].tod;
		}
	for (size_t f = 0; f < r->frames.n; f++) {
		const struct ps_frame *fr = &r->frames.v[f];
		double at = r->in->at;
		if (!isnan(fr->at))
			at = fr->at;
		else if (!isnan(fr->tod) && !isnan(r->in->at))
			at = r->in->at_src == TIME_MTIME ? r->in->at - (last - fr->tod)
							 : r->in->at + (fr->tod - first);
		commit_frame(r, f, at);
	}
}



/* "top - 17:40:31 up  1:27,  0 user, ..." -> seconds of the day */
static double top_tod(struct span t)
{
	struct span d = span_make(t.p + 6, t.n - 6);
	int32_t h, m, s;
	if (!stack_take_i32(&d, &h) || !span_starts(d, ":"))
		return NAN;
	d = span_make(d.p + 1, d.n - 1);
	if (!stack_take_i32(&d, &m) || !span_starts(d, ":"))
		return NAN;
	d = span_make(d.p + 1, d.n - 1);
	if (!stack_take_i32(&d, &s) || h > 23 || m > 59 || s > 60)
		return NAN;
	return h * 3600.0 + m * 60.0 + s;
}

static bool top_header_block(struct span t)
{
	return span_starts(t, "%Cpu") || span_starts(t, "Cpu(s)") || span_starts(t, "%Node") ||
	       span_contains(t, "Mem :") || span_contains(t, "Swap:") || span_starts(t, "Mem:") ||
	       span_starts(t, "KiB ") || span_starts(t, "MiB ") || span_starts(t, "GiB ");
}

static void ps_line(struct ps_reader *r, struct span line, uint32_t lineno)
{
	struct span t = span_trim(line);
	if (!t.n)
		return;
	struct ps_table tb;
	if (span_starts(t, "top - ")) {
		r->have_table = false;
		double tod = top_tod(t);
		if (!isnan(tod)) {
			/* past midnight the clock starts again */
			for (size_t f = r->frames.n; f-- > 0;)
				if (!isnan(r->frames.v[f].tod)) {
					if (tod < r->frames.v[f].tod - 43200)
						tod += 86400;
					break;
				}
			r->pending_tod = tod;
		}
		return;
	}
	if (span_starts(t, "Threads:")) {
		r->threads_mode = true;
		return;
	}
	if (span_starts(t, "Tasks:")) {
		r->tasks_mode = true;
		r->threads_mode = false;
		return;
	}
	if (top_header_block(t))
		return;
	if (parse_header(line, &tb)) {
		if (r->threads_mode || r->tasks_mode)
			tb.top = true;
		struct ps_frame *fr = VEC_PUSH(&r->an->arena, &r->frames);
		memset(fr, 0, sizeof(*fr));
		fr->table = tb;
		fr->threads_mode = r->threads_mode;
		fr->at = r->pending_at;
		fr->tod = r->pending_tod;
		fr->first_row = r->rows.n;
		r->pending_at = r->pending_tod = NAN;
		r->have_table = true;
		return;
	}
	double when = time_parse(t.p, t.n);
	if (!isnan(when)) {
		/* `while :; do date -u; ps ...; sleep 1; done` */
		r->pending_at = when;
		r->have_table = false;
		return;
	}
	int32_t pids[16];
	int np = stack_cmdline_pids(t, "top", pids, 16);
	if (!np)
		np = stack_cmdline_pids(t, "ps", pids, 16);
	if (np) {
		memcpy(r->cmd_pids, pids, (size_t)np * sizeof(pids[0]));
		r->n_cmd_pids = np;
		return;
	}
	if (!r->have_table) {
		if (span_contains(t, "$ ") || span_contains(t, "# ") || span_starts(t, "ps ") ||
		    span_starts(t, "top "))
			return;	/* a prompt and a command without a pid */
		bad(r, lineno);
		return;
	}
	read_row(r, line, lineno);
}

int procps_parse(struct analysis *an, struct input *in)
{
	struct ps_reader r;
	memset(&r, 0, sizeof(r));
	r.an = an;
	r.in = in;
	r.pending_at = r.pending_tod = NAN;
	int32_t pid = stack_pid_from_name(in->display);
	if (pid > 0) {
		r.cmd_pids[0] = pid;
		r.n_cmd_pids = 1;
	}
	struct textcur c;
	struct span line;
	input_textcur(in, &c);
	while (textcur_next(&c, &line)) {
		if (!input_line_ok(an, in, &c, line))
			continue;
		if (input_records_full(an, in, &c, line, r.rows.n, "rows"))
			break;
		ps_line(&r, line, c.line);
	}
	commit_frames(&r);
	in->records = r.rows.n;
	if (r.skipped)
		diag_add(&an->diags, DIAG_SKIPPED, in->display, 0, -1,
			 "%llu row(s) not kept: the pipeline's own grep or awk, and ps m's thread "
			 "rows, which name no thread", (unsigned long long)r.skipped);
	if (r.bad)
		diag_add(&an->diags, DIAG_BAD_LINE, in->display, r.bad_line, -1,
			 "%llu line(s) that do not fit the table's columns, this is the first",
			 (unsigned long long)r.bad);
	if (!r.rows.n)
		return diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
				"no ps or top row read");
	return 0;
}

/* top: its summary line ("top - 17:40:31 up ...", "Threads: 9 total, ...")
 * or a table with TIME+ */
static int top_sniff(const struct sniff_view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		struct ps_table tb;
		if ((span_starts(l->t, "top - ") && span_contains(l->t, " up ") &&
		     span_contains(l->t, "load average")) ||
		    ((span_starts(l->t, "Threads:") || span_starts(l->t, "Tasks:")) &&
		     span_contains(l->t, " total,") && span_contains(l->t, " running,")) ||
		    (parse_header(l->t, &tb) && tb.top))
			return sniff_strong(l);
	}
	return 0;
}

/* ps: a header row of procps column names, then rows */
static int ps_sniff(const struct sniff_view *v)
{
	for (size_t i = 0; i + 1 < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		struct ps_table tb;
		if (parse_header(l->t, &tb) && !tb.top &&
		    (tb.at[PSC_TIME] >= 0 || tb.at[PSC_STAT] >= 0 || tb.at[PSC_STATE] >= 0 ||
		     tb.at[PSC_WCHAN] >= 0 || tb.at[PSC_TID] >= 0) &&
		    v->lines[i + 1].ntok >= 2)
			return sniff_strong(l);
	}
	return 0;
}

const struct format format_ps = {
	.name = "ps", .cls = EV_STACKS, .sniff = ps_sniff, .parse = procps_parse,
};

const struct format format_top = {
	.name = "top", .cls = EV_STACKS, .sniff = top_sniff, .parse = procps_parse,
};
