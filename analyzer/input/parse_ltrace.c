/* parse_ltrace.c — ltrace output: `ltrace -p PID`, `-f` (threads), -t/-tt/
 * -ttt/-r, -T, -S (system calls as "SYS_name"), -o FILE.
 *
 * The line format is output_left() / output_right() / begin_of_line() in
 * ltrace's output.c (0.7.3, Debian 12):
 *
 *   [pid 20664] pthread_cond_wait(0xb5d545a0, 0xb5d54520, 0, 0 <unfinished ...>
 *   ^ "[pid %u] " with -f on the terminal; "%u " with -o FILE and -p or -f
 *   [pid 20667] 17:41:14.341844 exe->pthread_cond_wait(0xb5d54560, ...) = 0
 *                              ^ the caller's soname ("exe" for the
 *                                program) when -e/-l select the calls
 *   malloc@libc.so.6(24) = 0x55d4...       -x: the callee's soname
 *   [pid 20663] <... pthread_mutex_unlock resumed> ) = 0
 *   SYS_futex(0x55d4c8e0e520, 128, 2, 0 <unfinished ...>       -S
 *   --- SIGINT (Interrupt) ---   +++ exited (status 0) +++
 *
 * A library call still pending at the end (pthread_mutex_lock,
 * pthread_cond_wait, sem_wait ...) is a frame of that name: classify.c's
 * native rules read it as they read a gdb frame; a pending SYS_ call is the
 * sample's system call. The program's own output, when it shares the
 * terminal, is cut into ltrace's lines ("__printf_chk(1, 0x55, 1, 1Active
 * Internet connections" then ")   = 80"): the ")" line completes the call.
 * Tests: tests/test_parse_strace.c (ltrace cases); field case
 * tests/field/lab-ltrace-prefork-condvar. */
#include <math.h>
#include <string.h>

#include "format.h"
#include "parsers.h"
#include "stack_model.h"
#include "syscall_names.h"
#include "trace_model.h"

struct ltrace_reader {
	struct trace_reader tr;
	int32_t last_tid;		/* the thread of the last call line */
	bool have_last;
	bool table;			/* inside an ltrace -c table */
	bool saw_table;
	uint64_t bad;
	uint32_t bad_line;
};

/* "[LIB->]NAME[@LIB](": the name, and whether it is a system call (-S) */
static bool ltrace_name(struct span s, struct span *name, bool *sys)
{
	const char *paren = memchr(s.p, '(', s.n);
	if (!paren || paren == s.p)
		return false;
	struct span head = span_make(s.p, (size_t)(paren - s.p));
	if (memchr(head.p, ' ', head.n))
		return false;
	for (size_t i = 0; i + 2 <= head.n; i++)
		if (head.p[i] == '-' && head.p[i + 1] == '>') {
			head = span_make(head.p + i + 2, head.n - i - 2);
			break;
		}
	const char *at = memchr(head.p, '@', head.n);
	if (at)
		head.n = (size_t)(at - head.p);
	if (!head.n || span_is_digit(head.p[0]))
		return false;
	for (size_t i = 0; i < head.n; i++)
		if (!trace_name_char(head.p[i]) && head.p[i] != ':' && head.p[i] != '~' &&
		    head.p[i] != '.')
			return false;
	*sys = span_starts(head, "SYS_");
	*name = head;
	return true;
}

static void bad_line(struct ltrace_reader *lr, uint32_t lineno)
{
	if (!lr->bad++)
		lr->bad_line = lineno;
}

static bool has_result(struct span body)
{
	/* ") = 0", ")                = 0x55d4", ") = <void>" */
	for (size_t i = body.n; i >= 3; i--) {
		if (memcmp(body.p + i - 3, " = ", 3) != 0)
			continue;
		size_t j = i - 3;
		while (j > 0 && body.p[j - 1] == ' ')
			j--;
		if (j > 0 && body.p[j - 1] == ')')
			return true;
	}
	return false;
}

static void ltrace_line(struct ltrace_reader *lr, struct span line, uint32_t lineno)
{
	struct trace_reader *r = &lr->tr;
	struct span t = span_trim(line);
	if (!t.n)
		return;
	if (span_starts(t, "% time")) {
		lr->table = lr->saw_table = true;	/* ltrace -c: per function, no thread */
		return;
	}
	if (lr->table) {
		if (t.p[0] == '-' || span_is_digit(t.p[0])) {
			if (span_contains(t, " total"))
				lr->table = false;
			return;
		}
		lr->table = false;
	}
	/* "# ltrace -f -p 20004" pasted above the trace */
	int32_t pids[8];
	int np = stack_cmdline_pids(t, "ltrace", pids, 8);
	if (np > 0) {
		for (int i = 0; i < np && !r->events && r->roots.n < 64; i++)
			*VEC_PUSH(&r->an->arena, &r->roots) = pids[i];
		return;
	}
	if (span_starts(t, "Cannot attach") || span_starts(t, "ltrace: ") ||
	    span_contains(t, "Operation not permitted")) {
		diag_add(&r->an->diags, DIAG_NOTE, r->in->display, lineno, -1, "%.*s",
			 (int)(t.n < 200 ? t.n : 200), t.p);
		return;
	}
	if (t.p[0] == ')' && has_result(t)) {
		/* the end of a call the program's output cut in two */
		struct trace_thread *last = NULL;
		for (size_t i = 0; lr->have_last && i < r->threads.n; i++)
			if (r->threads.v[i].tid == lr->last_tid)
				last = &r->threads.v[i];
		if (last && last->depth) {
			struct span n = span_cstr(last->pending[last->depth - 1].name);
			trace_event(r, NAN);
			trace_resume(r, last, n);
			trace_complete(r, last, n, span_make(NULL, 0), lineno, t);
		}
		return;
	}
	if (span_starts(t, "> "))
		return;	/* -w backtrace frames */
	struct span body = t, comm;
	int32_t tid = 0;
	double tm = NAN;
	trace_take_pid_prefix(&body, &tid, &comm);
	if (trace_take_time(r, &body, &tm))
		trace_take_time(r, &body, &tm);
	trace_skip_brackets(&body);
	while (body.n && body.p[0] == ' ')	/* -n indentation */
		body = span_make(body.p + 1, body.n - 1);
	if (span_starts(body, "+++ ") || span_starts(body, "--- ")) {
		struct trace_thread *th = trace_thread(r, tid, lineno, t);
		trace_event(r, tm);
		if (th && span_starts(body, "+++ ") &&
		    (span_contains(body, "exited") || span_contains(body, "killed by")))
			th->exited = true;
		return;
	}
	struct span name;
	bool sys = false;
	if (span_starts(body, "<... ")) {
		struct span rest = span_make(body.p + 5, body.n - 5);
		const char *sp = memchr(rest.p, ' ', rest.n);
		if (!sp || !span_starts(span_make(sp, rest.n - (size_t)(sp - rest.p)), " resumed>")) {
			bad_line(lr, lineno);
			return;
		}
		name = span_make(rest.p, (size_t)(sp - rest.p));
		struct trace_thread *th = trace_thread(r, tid, lineno, t);
		if (!th)
			return;
		lr->last_tid = tid;
		lr->have_last = true;
		trace_event(r, tm);
		trace_resume(r, th, name);
		if (has_result(body))
			trace_complete(r, th, name, span_make(NULL, 0), lineno, t);
		else if (span_contains(body, "<unfinished ...>"))
			trace_enter(r, th, name, TRACE_LIBCALL, lineno, t, tm);
		return;
	}
	if (!ltrace_name(body, &name, &sys)) {
		bad_line(lr, lineno);
		return;
	}
	struct trace_thread *th = trace_thread(r, tid, lineno, t);
	if (!th)
		return;
	lr->last_tid = tid;
	lr->have_last = true;
	trace_event(r, tm);
	if (has_result(body) && !span_contains(body, "<unfinished ...>")) {
		trace_complete(r, th, name, span_make(NULL, 0), lineno, t);
		return;
	}
	/* pending: "<unfinished ...>", or cut short when ltrace was stopped */
	int64_t nr = TRACE_LIBCALL;
	uint64_t args[6] = { 0 };
	if (sys) {
		struct span sname = span_make(name.p + 4, name.n - 4);
		nr = syscall_nr_by_name(sname.p, sname.n);
		if (nr < 0)
			nr = TRACE_SYSCALL_UNKNOWN;
		else
			trace_call_args(body, nr, args);
	}
	struct trace_call *c = trace_enter(r, th, name, nr, lineno, t, tm);
	memcpy(c->args, args, sizeof(args));
}

int ltrace_parse(struct analysis *an, struct input *in)
{
	struct ltrace_reader lr;
	memset(&lr, 0, sizeof(lr));
	trace_reader_init(&lr.tr, an, in);
	int32_t pid = stack_pid_from_name(in->display);
	if (pid > 0) {
		lr.tr.default_pid = pid;
		lr.tr.pid_how = "the file name";
	}
	struct textcur c;
	struct span line;
	input_textcur(in, &c);
	while (textcur_next(&c, &line)) {
		if (!input_line_ok(an, in, &c, line))
			continue;
		if (input_records_full(an, in, &c, line, lr.tr.events, "trace lines"))
			break;
		ltrace_line(&lr, line, c.line);
	}
	trace_commit(&lr.tr);
	in->records = lr.tr.events;
	if (lr.bad)
		diag_add(&an->diags, DIAG_BAD_LINE, in->display, lr.bad_line, -1,
			 "%llu line(s) that are not ltrace output (the program's own output, "
			 "when it shares the terminal), this is the first",
			 (unsigned long long)lr.bad);
	if (!lr.tr.events)
		return diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
				lr.saw_table ? "only an ltrace -c summary: calls per function, nothing "
					   "about any thread"
					 : "no traced call found");
	return 0;
}

static int ltrace_sniff(const struct sniff_view *v)
{
	struct trace_sniff s;
	trace_sniff_scan(v, &s);
	if (s.ltrace_table_line && !s.sys_rows && !s.fun_rows)
		return sniff_strong(s.ltrace_table_line);	/* ltrace -c */
	if (s.sys_rows + s.fun_rows < 2 && s.ltrace_marks < 2)
		return 0;
	if (s.ltrace_marks > s.strace_marks ||
	    (!s.ltrace_marks && !s.strace_marks && s.fun_rows > s.sys_rows))
		return TRACE_SNIFF_ROWS_LTRACE;
	return 0;
}

const struct format format_ltrace = {
	.name = "ltrace", .cls = EV_STACKS, .sniff = ltrace_sniff, .parse = ltrace_parse,
};
