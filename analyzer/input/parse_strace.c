/* parse_strace.c — strace output as people save it during an incident:
 * `strace -p PID`, `strace -f -p PID` (threads, forks), with -t/-tt/-ttt/-r
 * timestamps and -T call times, to the terminal (2>&1: the "strace: Process
 * N attached" lines are mixed in) or with -o FILE; and the `strace -c`
 * summary table, alone (format "strace-c") or after a trace (-C).
 *
 * The line format is printleader() in src/strace.c (strace 6.x; 4.x prints
 * the same without the "strace: " prefix of its messages):
 *
 *   [pid  1235] 17:40:58.230651 futex(0x55e3..., FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>
 *   ^ "[pid %5u] " when several tasks are traced and the output is the
 *     terminal; with -o FILE -f the prefix is "%-5u " ("1235  futex(...");
 *     --decode-pids=comm adds "<comm>" after the number
 *                ^ -t "%T ", -tt "%T.%06ld ", -ttt "%ld.%06ld ", -r "%6ld.%06ld "
 *   [pid  1234] <... accept4 resumed>)      = 4 <0.576115>
 *     ^ print_syscall_resume() (src/syscall.c): another task printed in
 *       between; the result is padded to column 40 (tabto()), -T appends
 *       "<seconds>"
 *   accept4(3, NULL, NULL, SOCK_CLOEXEC) = -1 EMFILE (Too many open files)
 *   nanosleep({tv_sec=1, tv_nsec=0},  <detached ...>
 *     ^ droptcb() (src/strace.c): the call still pending when strace
 *       detached (Ctrl-C)
 *   restart_syscall(<... resuming interrupted futex ...> <unfinished ...>
 *     ^ a call with a timeout interrupted by the attach and restarted
 *       (src/signal.c): it is the named call, with a timeout
 *   +++ exited with 0 +++   --- SIGPIPE {si_signo=SIGPIPE, ...} ---
 *
 * The terminal mixes strace's own messages into a line still being written
 * ("accept4(3, NULL, NULL, SOCK_CLOEXECstrace: Process 10239 detached" and
 * then " <detached ...>"): the call before the message is the pending one.
 *
 * What the trace says about each thread at its end (pending call, failing
 * loop) becomes samples and facts as trace_model.h describes. Tests:
 * tests/test_parse_strace.c; field cases tests/field/strace-*. */
#include <linux/futex.h>
#include <math.h>
#include <string.h>
#include <sys/syscall.h>

#include "format.h"
#include "parsers.h"
#include "stack_model.h"
#include "syscall_names.h"
#include "trace_model.h"

enum table_col { TC_OTHER, TC_PCT, TC_SECONDS, TC_CALLS, TC_ERRORS, TC_NAME };

#define TABLE_COLS 16

struct strace_table {
	bool open;
	int ncols;
	enum table_col cols[TABLE_COLS];
	bool have_extents;
	size_t start[TABLE_COLS], end[TABLE_COLS];	/* from the "------ ---" divider */
};

struct strace_reader {
	struct trace_reader tr;
	/* the process lines without a [pid N] prefix belong to: the pid of the
	 * last `strace -p N` pasted above them, or of a "Process N attached"
	 * after the previous session detached (several runs in one file) */
	int32_t session_pid;
	bool detached;
	struct strace_table table;
	uint64_t table_rows;
	uint64_t bad;
	uint32_t bad_line;
};

/* ---- arguments and results */

/* "restart_syscall(<... resuming interrupted futex ...>": the named call;
 * only calls with a timeout are restarted this way (ERESTART_RESTARTBLOCK,
 * kernel/time/hrtimer.c, kernel/futex/waitwake.c futex_wait_restart()). */
static int64_t restarted_call(struct span body, uint64_t *args, bool at_attach)
{
	const char *m = "resuming interrupted ";
	size_t mn = strlen(m);
	for (size_t i = 0; i + mn < body.n; i++)
		if (memcmp(body.p + i, m, mn) == 0) {
			struct span rest = span_make(body.p + i + mn, body.n - i - mn), name;
			size_t k = 0;
			while (k < rest.n && trace_name_char(rest.p[k]))
				k++;
			name = span_make(rest.p, k);
			/* right after attaching strace has not seen the call and
			 * names entry 0 of its table, read on x86_64 (seen in this
			 * lab for futex waits): not believed */
			if (at_attach && span_eq(name, "read"))
				return -2;
			int64_t nr = syscall_nr_by_name(name.p, name.n);
			if (nr == SYS_futex) {
				args[1] = FUTEX_WAIT;
				args[3] = 1;	/* it had a timeout */
			}
			return nr;
		}
	return -2;
}

/* The result: " = VALUE [ERRNO (text)]" after the last ')' of the call.
 * False when the line holds none (the call is pending). */
static bool call_result(struct span body, struct span *value, struct span *error)
{
	for (size_t i = body.n; i >= 3; i--) {
		if (memcmp(body.p + i - 3, " = ", 3) != 0)
			continue;
		size_t j = i - 3;
		while (j > 0 && body.p[j - 1] == ' ')
			j--;
		if (j == 0 || (body.p[j - 1] != ')' && body.p[j - 1] != '>'))
			continue;
		struct span rest = span_make(body.p + i, body.n - i);
		if (!span_token(&rest, value))
			return false;
		*error = span_make(NULL, 0);
		struct span e;
		if (value->n && (value->p[0] == '-' || value->p[0] == '?') && span_token(&rest, &e) &&
		    e.n > 1 && e.p[0] == 'E' && e.p[1] >= 'A' && e.p[1] <= 'Z')
			*error = e;
		return true;
	}
	return false;
}

/* ---- strace's own messages */

static void banner(struct strace_reader *sr, struct span t, uint32_t lineno)
{
	struct trace_reader *r = &sr->tr;
	struct span d = t;
	if (span_starts(d, "strace: "))
		d = span_make(d.p + 8, d.n - 8);
	if (span_starts(d, "Process ")) {
		struct span q = span_make(d.p + 8, d.n - 8);
		int32_t pid;
		if (!stack_take_i32(&q, &pid))
			return;
		if (span_starts(q, " detached")) {
			sr->detached = true;
			return;
		}
		if (span_starts(q, " attached") && (!r->events || sr->detached)) {
			/* attached by -p before anything was traced, or a new run
			 * after the last one detached: a root; otherwise a thread
			 * or child of a traced task */
			bool seen = false;
			for (size_t i = 0; i < r->roots.n; i++)
				seen = seen || r->roots.v[i] == pid;
			if (!seen && r->roots.n < 4096)
				*VEC_PUSH(&r->an->arena, &r->roots) = pid;
			sr->session_pid = pid;
			sr->detached = false;
		}
		return;
	}
	if (span_starts(d, "attach:") || span_contains(d, "Operation not permitted") ||
	    span_contains(d, "No such process"))
		diag_add(&r->an->diags, DIAG_NOTE, r->in->display, lineno, -1, "%.*s",
			 (int)(t.n < 200 ? t.n : 200), t.p);
}

/* ---- the strace -c table (call_summary_pers(), src/count.c) */

static bool table_header(struct strace_table *tb, struct span t)
{
	if (!span_starts(t, "% time") || !span_contains(t, "calls"))
		return false;
	memset(tb, 0, sizeof(*tb));
	struct span rest = span_make(t.p + 6, t.n - 6), tok;
	tb->cols[tb->ncols++] = TC_PCT;
	while (span_token(&rest, &tok) && tb->ncols < TABLE_COLS) {
		enum table_col c = TC_OTHER;
		if (span_eq(tok, "seconds"))
			c = TC_SECONDS;
		else if (span_eq(tok, "calls"))
			c = TC_CALLS;
		else if (span_eq(tok, "errors"))
			c = TC_ERRORS;
		else if (span_eq(tok, "syscall") || span_eq(tok, "function"))
			c = TC_NAME;
		tb->cols[tb->ncols++] = c;
	}
	tb->open = true;
	return true;
}

/* "------ ----------- ---": the extent of every column */
static bool table_divider(struct strace_table *tb, struct span line)
{
	size_t i = 0;
	int k = 0;
	while (i < line.n && k < TABLE_COLS) {
		while (i < line.n && line.p[i] == ' ')
			i++;
		if (i >= line.n)
			break;
		if (line.p[i] != '-')
			return false;
		size_t s = i;
		while (i < line.n && line.p[i] == '-')
			i++;
		tb->start[k] = s;
		tb->end[k] = i;
		k++;
	}
	if (k == tb->ncols)
		tb->have_extents = true;
	return k > 0;
}

static void table_row(struct strace_reader *sr, struct span line, uint32_t lineno)
{
	struct trace_reader *r = &sr->tr;
	struct strace_table *tb = &sr->table;
	struct span cell[TABLE_COLS];
	memset(cell, 0, sizeof(cell));
	int n = 0;
	if (tb->have_extents) {
		for (int i = 0; i < tb->ncols; i++) {
			size_t a = tb->start[i] < line.n ? tb->start[i] : line.n;
			size_t b = i == tb->ncols - 1 ? line.n : tb->end[i] < line.n ? tb->end[i] : line.n;
			/* right-aligned numbers wider than their header spill left */
			while (a > 0 && i > 0 && line.p[a - 1] != ' ' && a > tb->end[i - 1])
				a--;
			cell[n++] = span_trim(span_make(line.p + a, b - a));
		}
	} else {
		struct span rest = line, tok;
		while (n < TABLE_COLS && span_token(&rest, &tok))
			cell[n++] = tok;
		/* a 0 in "errors" is printed as nothing ("%.0lu") */
		int err = -1;
		for (int i = 0; i < tb->ncols; i++)
			if (tb->cols[i] == TC_ERRORS)
				err = i;
		if (n == tb->ncols - 1 && err >= 0) {
			for (int i = tb->ncols - 1; i > err; i--)
				cell[i] = cell[i - 1];
			cell[err] = span_make(NULL, 0);
			n = tb->ncols;
		}
	}
	if (n != tb->ncols) {
		diag_add(&r->an->diags, DIAG_BAD_LINE, r->in->display, lineno, -1,
			 "strace -c row with %d of %d columns: '%.*s'", n, tb->ncols,
			 (int)(line.n < 80 ? line.n : 80), line.p);
		return;
	}
	uint64_t calls = 0, errors = 0;
	struct span name = { NULL, 0 };
	for (int i = 0; i < n; i++) {
		bool ok = true;
		if (tb->cols[i] == TC_CALLS)
			ok = span_u64(cell[i], &calls);
		else if (tb->cols[i] == TC_ERRORS)
			ok = !cell[i].n || span_u64(cell[i], &errors);
		else if (tb->cols[i] == TC_NAME)
			name = cell[i];
		if (!ok) {
			diag_add(&r->an->diags, DIAG_BAD_NUMBER, r->in->display, lineno, -1,
				 "strace -c column %d '%.*s'", i + 1,
				 (int)(cell[i].n < 40 ? cell[i].n : 40), cell[i].p);
			return;
		}
	}
	if (span_eq(name, "total"))
		tb->open = false;
	if (!name.n || span_eq(name, "total"))
		return;
	sr->table_rows++;
	if (!errors)
		return;
	int32_t pid = r->roots.n ? r->roots.v[0] : r->default_pid;
	if (!pid) {
		if (!r->no_pid_said)
			diag_add(&r->an->diags, DIAG_BAD_LINE, r->in->display, lineno, -1,
				 "strace -c rows without a pid (no \"Process N attached\" line, none "
				 "in the file name): their failures belong to no process");
		r->no_pid_said = true;
		return;
	}
	/* the table counts every traced task together (count_syscall()) */
	struct process *p = incident_process(&r->an->inc, pid, true);
	struct syscall_failure *sf = VEC_PUSH(&r->an->arena, &p->syscall_failures);
	memset(sf, 0, sizeof(*sf));
	sf->syscall = arena_strndup(&r->an->arena, name.p, name.n);
	sf->failures = errors;
	sf->calls = calls;
	sf->src.file = r->in->display;
	sf->src.line = lineno;
	sf->src.at = r->in->at;
	sf->src.text = evidence_text(&r->an->arena, line);
	if (errors == calls && calls >= 100 &&
	    (span_eq(name, "accept") || span_eq(name, "accept4")))
		analysis_note(r->an, "pid %d: %.*s failed on every one of its %llu calls in the "
				     "strace -c table (%s:%u), which does not name the error: "
				     "EMFILE at the descriptor limit spins like this, EAGAIN on a "
				     "non-blocking socket is ordinary; `strace -f -p %d -e "
				     "trace=accept,accept4` names it", (int)pid, (int)name.n, name.p,
			      (unsigned long long)calls, r->in->display, lineno, (int)pid);
}

/* ---- one trace line */

static void bad_line(struct strace_reader *sr, uint32_t lineno)
{
	if (!sr->bad++)
		sr->bad_line = lineno;
}

static void trace_line(struct strace_reader *sr, struct span t, uint32_t lineno)
{
	struct trace_reader *r = &sr->tr;
	struct span body = t, comm = { NULL, 0 };
	int32_t tid = 0;
	double tm = NAN;
	if (!trace_take_pid_prefix(&body, &tid, &comm) && sr->session_pid && r->roots.n > 1)
		tid = sr->session_pid;	/* one of several runs pasted together */
	if (trace_take_time(r, &body, &tm))
		trace_take_time(r, &body, &tm);	/* -t with -r: "(+ 0.000123) " */
	trace_skip_brackets(&body);
	struct span name, value, error;
	if (span_starts(body, "+++ ") || span_starts(body, "--- ")) {
		struct trace_thread *th = trace_thread(r, tid, lineno, t);
		trace_event(r, tm);
		if (th && span_starts(body, "+++ ") &&
		    (span_contains(body, "exited") || span_contains(body, "killed by") ||
		     span_contains(body, "superseded")))
			th->exited = true;
		return;
	}
	if (span_starts(body, "<... ")) {
		/* "<... futex resumed>) = 0", "<... read resumed> <unfinished ...>) = ?" */
		struct span rest = span_make(body.p + 5, body.n - 5);
		size_t k = 0;
		while (k < rest.n && trace_name_char(rest.p[k]))
			k++;
		name = span_make(rest.p, k);
		if (!k || !span_starts(span_make(rest.p + k, rest.n - k), " resumed>")) {
			bad_line(sr, lineno);
			return;
		}
		struct trace_thread *th = trace_thread(r, tid, lineno, t);
		if (!th)
			return;
		if (comm.n && !th->comm)
			th->comm = arena_strndup(&r->an->arena, comm.p, comm.n);
		trace_event(r, tm);
		trace_resume(r, th, name);
		if (call_result(body, &value, &error))
			trace_complete(r, th, name, error, lineno, t);
		return;
	}
	if (!trace_call_name(body, &name)) {
		bad_line(sr, lineno);
		return;
	}
	struct trace_thread *th = trace_thread(r, tid, lineno, t);
	if (!th)
		return;
	if (comm.n && !th->comm)
		th->comm = arena_strndup(&r->an->arena, comm.p, comm.n);
	trace_event(r, tm);
	struct span tail = span_trim(body);
	bool unfinished = tail.n >= 16 && memcmp(tail.p + tail.n - 16, "<unfinished ...>", 16) == 0;
	if (!unfinished && call_result(body, &value, &error)) {
		trace_complete(r, th, name, error, lineno, t);
		/* clone()/fork() = CHILD: the child is a thread of this
		 * process (CLONE_THREAD) or a process of its own */
		int32_t child;
		struct span v = value;
		if ((span_eq(name, "clone") || span_eq(name, "clone3") || span_eq(name, "fork") ||
		     span_eq(name, "vfork")) && stack_take_i32(&v, &child) && !v.n && child > 0) {
			/* -1: the task of the lines without a [pid N] prefix */
			int32_t parent_tid = th->tid ? th->tid : -1;
			bool thread = span_contains(body, "CLONE_THREAD");
			struct trace_thread *ch = trace_thread(r, child, lineno, t);
			if (ch && !ch->parent_tid && child != parent_tid) {
				ch->parent_tid = parent_tid;
				ch->clone_thread = thread;
			}
		}
		return;
	}
	/* pending: "<unfinished ...>", " <detached ...>", or cut short */
	int64_t nr = syscall_nr_by_name(name.p, name.n);
	uint64_t args[6] = { 0 };
	if (span_eq(name, "restart_syscall"))
		nr = restarted_call(body, args, !r->any_completed);
	else if (nr >= 0)
		trace_call_args(body, nr, args);
	if (nr < 0)
		nr = TRACE_SYSCALL_UNKNOWN;
	struct trace_call *c = trace_enter(r, th, name, nr, lineno, t, tm);
	memcpy(c->args, args, sizeof(args));
}

static void strace_line(struct strace_reader *sr, struct span line, uint32_t lineno)
{
	struct span t = span_trim(line);
	if (span_starts(t, "^C"))	/* the terminal's echo of Ctrl-C */
		t = span_trim(span_make(t.p + 2, t.n - 2));
	if (!t.n)
		return;
	if (sr->table.open) {
		if (t.p[0] == '-' && table_divider(&sr->table, line))
			return;
		if (t.n && (span_is_digit(t.p[0]) || t.p[0] == '.')) {
			table_row(sr, line, lineno);
			return;
		}
		sr->table.open = false;
	}
	if (table_header(&sr->table, t))
		return;
	if (span_starts(t, "strace: ") ||
	    (span_starts(t, "Process ") && (span_contains(t, " attached") ||
					    span_contains(t, " detached")))) {
		banner(sr, t, lineno);	/* strace 4.x wrote them without "strace: " */
		return;
	}
	/* "# strace -p 25690 -q -f" pasted above the trace (-q: no attach lines) */
	int32_t pids[8];
	int np = stack_cmdline_pids(t, "strace", pids, 8);
	if (np > 0) {
		for (int i = 0; i < np; i++) {
			bool seen = false;
			for (size_t k = 0; k < sr->tr.roots.n; k++)
				seen = seen || sr->tr.roots.v[k] == pids[i];
			if (!seen && sr->tr.roots.n < 4096)
				*VEC_PUSH(&sr->tr.an->arena, &sr->tr.roots) = pids[i];
		}
		sr->session_pid = pids[0];
		sr->detached = false;
		return;
	}
	if (span_eq(t, "<detached ...>") || span_eq(t, "<unfinished ...>") || span_starts(t, "> ") ||
	    span_eq(t, "^C"))
		return;	/* the end of a line a message interrupted; -k frames */
	/* a message written into a line still open: the call before it is
	 * pending, the message is strace's */
	const char *m = NULL;
	for (size_t i = 1; i + 16 <= t.n && !m; i++)
		if (t.p[i] == 's' && memcmp(t.p + i, "strace: Process ", 16) == 0)
			m = t.p + i;
	if (m) {
		trace_line(sr, span_make(t.p, (size_t)(m - t.p)), lineno);
		banner(sr, span_make(m, t.n - (size_t)(m - t.p)), lineno);
		return;
	}
	trace_line(sr, t, lineno);
}

int strace_parse(struct analysis *an, struct input *in)
{
	struct strace_reader sr;
	memset(&sr, 0, sizeof(sr));
	trace_reader_init(&sr.tr, an, in);
	int32_t pid = stack_pid_from_name(in->display);
	if (pid > 0) {
		sr.tr.default_pid = pid;
		sr.tr.pid_how = "the file name";
	}
	struct textcur c;
	struct span line;
	input_textcur(in, &c);
	while (textcur_next(&c, &line)) {
		if (!input_line_ok(an, in, &c, line))
			continue;
		if (input_records_full(an, in, &c, line, sr.tr.events + sr.table_rows, "trace lines"))
			break;
		strace_line(&sr, line, c.line);
	}
	size_t threads = trace_commit(&sr.tr);
	in->records = sr.tr.events + sr.table_rows;
	if (sr.bad)
		diag_add(&an->diags, DIAG_BAD_LINE, in->display, sr.bad_line, -1,
			 "%llu line(s) that are not strace output, this is the first",
			 (unsigned long long)sr.bad);
	(void)threads;
	if (!sr.tr.events && !sr.table_rows)
		return diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
				"no traced call and no strace -c row found");
	return 0;
}

/* ---- sniffing: strace's lines, its summary table, and not ltrace's */

static int strace_sniff(const struct sniff_view *v)
{
	struct trace_sniff s;
	trace_sniff_scan(v, &s);
	if (s.table_line && !s.sys_rows && !s.fun_rows)
		return 0;	/* the summary alone: strace-c */
	if (s.ltrace_marks > s.strace_marks)
		return 0;
	if (s.banner_line)
		return sniff_strong(s.banner_line);
	if (s.sys_rows >= 2 && (s.strace_marks || s.sys_rows >= s.fun_rows))
		return TRACE_SNIFF_ROWS_STRACE;
	return 0;
}

static int strace_c_sniff(const struct sniff_view *v)
{
	struct trace_sniff s;
	trace_sniff_scan(v, &s);
	if (s.table_line && !s.sys_rows && !s.fun_rows)
		return sniff_strong(s.table_line);
	return 0;
}

const struct format format_strace = {
	.name = "strace", .cls = EV_STACKS, .sniff = strace_sniff, .parse = strace_parse,
};

const struct format format_strace_c = {
	.name = "strace-c", .cls = EV_STACKS, .sniff = strace_c_sniff, .parse = strace_parse,
};
