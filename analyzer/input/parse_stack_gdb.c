/* parse_stack_gdb.c — gdb `thread apply all bt [full]`, pstack/gstack
 * (gdb's format: Thread headers and "#N" lines only, or bare "#N" lines for
 * a single thread), and, through py_bt_line() (parse_stack_py.c), the py-bt
 * sections that often share the file.
 *
 * Each file is one sample of every thread it shows (stack_model.h). What a
 * line looks like, with the corpus file that shows it:
 *
 *   Thread 5 (Thread 0x3fffa0ebeed0 (LWP 2375)):             satyr-gdb-rhbz-1119072.txt
 *   Thread 5 (Thread 0x7f.. (LWP 21210) "w-mutex"):           gdb >= 11 adds the name
 *   Thread 11 (Thread 19965):                                 satyr-gdb-rhbz-621492.txt (old gdb)
 *   Thread 1 (LWP 1234):  Thread 1 (process 1234):            no libthread_db / one thread
 *   #0  0x000000803a321f24 in .pthread_cond_timedwait () from /usr/lib64/libpthread.so.0
 *   #1  0x00007fafcc8607d6 in virNetSocketWriteWire (sock=0x7f.., buf=0x7f.. "", len=56) at rpc/virnetsocket.c:928
 *   #4  virNetClientIOHandleOutput (client=0x7f.., thiscall=0x7f..) at rpc/virnetclient.c:747
 *   #9  <signal handler called>                               satyr-gdb-rhbz-955617.txt
 *   #12 0xb6f97b98 in ?? () from /usr/lib/xorg/modules/drivers/nvidia_drv.so
 *   #0  0x0000003848c0f30b in raise (sig=<value optimized out>)
 *       at ../nptl/sysdeps/unix/sysv/linux/pt-raise.c:42     old gdb wraps at 80 columns
 *           ret = <value optimized out>                        `bt full` locals: skipped
 *
 * A frame printed without an address: gdb omits it when the pc is the start
 * of the frame's line (frame_show_address(), gdb/stack.c), which for a
 * caller frame happens when its callee was inlined into it: find_frame_sal()
 * gives the outer frame of an inlined call the inlined frame's pc. So in
 *   #5  0x000055ffd544320f in wait_for_job () at condwait.c:24
 *   #6  worker_inline (arg=0x0) at condwait.c:33
 * frame #5 is the inlined one (tests/data/stacks/gdb-condwait-bt.txt; eu-stack
 * -i agrees: both at one pc). Frame #N > 0 without an address therefore marks
 * frame #N-1 as inlined and shares its pc. A "#0" without an address is not
 * itself a sign of anything (pc at a line start).
 *
 * The pid, in order of trust: gdb's own "Attaching to process N",
 * "Attaching to program: PATH, process N", "[Inferior 1 (process N)
 * detached]"; else, for a dump of a live process, the LWP of gdb's thread 1
 * (the main thread, whose tid is the pid); else the lowest thread id seen (a
 * core names no pid, its main thread is normally the oldest); else digits in
 * the file name (gdb-1234.txt); else 0. Every guess is noted (info diag). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "parsers.h"
#include "stack_model.h"
#include "format.h"

/* "Thread 5 (Thread 0x7f.. (LWP 21210) "w-mutex"):" -> tid, name, gdb's number
 * ("1" or "1.2" with several inferiors; only the part before the dot). */
static bool gdb_thread_header(struct span t, int32_t *tid, struct span *name, uint32_t *num)
{
	if (!span_starts(t, "Thread ") || t.n < 2 || t.p[t.n - 1] != ':')
		return false;
	struct span r = span_make(t.p + 7, t.n - 8);	/* drop "Thread " and ':' */
	int32_t n;
	if (!stack_take_i32(&r, &n))
		return false;
	if (r.n && r.p[0] == '.') {
		int32_t sub;
		r.p++;
		r.n--;
		if (!stack_take_i32(&r, &sub))
			return false;
	}
	r = span_trim(r);
	if (!span_starts(r, "(") || r.p[r.n - 1] != ')')
		return false;
	*num = (uint32_t)n;
	*tid = -1;
	name->p = NULL;
	name->n = 0;
	const char *after_id = r.p;
	static const char *const marks[] = { "(LWP ", "(process ", "(Thread " };
	for (size_t m = 0; m < sizeof(marks) / sizeof(marks[0]) && *tid < 0; m++) {
		size_t ml = strlen(marks[m]);
		for (size_t i = 0; i + ml <= r.n; i++) {
			if (memcmp(r.p + i, marks[m], ml) != 0)
				continue;
			struct span d = span_make(r.p + i + ml, r.n - i - ml);
			int32_t v;
			/* "(Thread 0x7f...": a pthread_t, not a tid */
			if (!(d.n >= 2 && d.p[0] == '0' && d.p[1] == 'x') && stack_take_i32(&d, &v)) {
				*tid = v;
				after_id = d.p;
			}
			break;
		}
	}
	/* the name is quoted after the ids and may hold anything, '"' too */
	const char *q1 = memchr(after_id, '"', (size_t)(r.p + r.n - after_id));
	if (q1) {
		const char *q2 = r.p + r.n;
		while (q2 > q1 + 1 && q2[-1] != '"')
			q2--;
		if (q2 > q1 + 1) {
			name->p = q1 + 1;
			name->n = (size_t)(q2 - 1 - (q1 + 1));
		}
	}
	return true;
}

/* One row of gdb's `info threads` (print_thread_info_1(), gdb/thread.c):
 *
 *     Id   Target Id                                   Frame
 *   * 1    Thread 0x7f.. (LWP 11992) "redis-server"   0x00007f.. in epoll_wait () from /usr/lib64/libc.so.6
 *     2    Thread 0x7f.. (LWP 11993) "bio_close_file" 0x00007f.. in pthread_cond_wait@@GLIBC_2.3.2 () from ...
 *     2    LWP 4864 "iou-mgr-4863"    0x0000000000000000 in ?? ()      (a core, no libthread_db)
 *   * 1    process 12345 "a.out" main () at t.c:3                       (one thread)
 *     1.2  Thread 0x7f.. (LWP 88) ...                                    (several inferiors)
 *
 * "*" marks the current thread; the Target Id is target_pid_to_str() and
 * the thread's name; the Frame is where the thread stopped (frame #0 of
 * its backtrace, printed like one). -> tid (-1 when the row shows none),
 * name, the frame text, gdb's number; false when the line is no row. */
static bool gdb_info_threads_row(struct span t, bool *current, int32_t *tid, struct span *name,
				 struct span *frame, uint32_t *num)
{
	struct span r = t;
	*current = false;
	if (r.n && r.p[0] == '*') {
		*current = true;
		r = span_trim(span_make(r.p + 1, r.n - 1));
	}
	int32_t n;
	if (!stack_take_i32(&r, &n))
		return false;
	if (r.n && r.p[0] == '.') {
		int32_t sub;
		r = span_make(r.p + 1, r.n - 1);
		if (!stack_take_i32(&r, &sub))
			return false;
	}
	if (!r.n || !span_is_space(r.p[0]))
		return false;
	r = span_trim(r);
	*num = (uint32_t)n;
	*tid = -1;
	int32_t v;
	if (span_starts(r, "Thread 0x")) {
		struct span id = span_make(r.p + 7, r.n - 7), w;
		if (!span_token(&id, &w))
			return false;
		uint64_t pthread;
		if (!span_hex_u64(w, &pthread))
			return false;
		r = span_trim(id);
		if (span_starts(r, "(LWP ")) {
			struct span d = span_make(r.p + 5, r.n - 5);
			if (!stack_take_i32(&d, &v) || !span_starts(d, ")"))
				return false;
			*tid = v;
			r = span_trim(span_make(d.p + 1, d.n - 1));
		}
	} else if (span_starts(r, "LWP ") || span_starts(r, "process ")) {
		struct span d = span_make(r.p + (r.p[0] == 'L' ? 4 : 8), r.n - (r.p[0] == 'L' ? 4 : 8));
		if (!stack_take_i32(&d, &v) || (d.n && !span_is_space(d.p[0])))
			return false;
		*tid = v;
		r = span_trim(d);
	} else {
		return false;
	}
	name->p = NULL;
	name->n = 0;
	if (r.n && r.p[0] == '"') {
		/* the name (a comm, at most 15 bytes: TASK_COMM_LEN) ends at
		 * the first quote followed by a blank; the frame's arguments
		 * after it may hold quoted strings too */
		size_t end = 0;
		for (size_t i = 1; i < r.n && !end; i++)
			if (r.p[i] == '"' && (i + 1 == r.n || span_is_space(r.p[i + 1])))
				end = i;
		if (!end)
			return false;
		*name = span_make(r.p + 1, end - 1);
		r = span_trim(span_make(r.p + end + 1, r.n - end - 1));
	}
	*frame = r;
	return true;
}

/* Skip a quoted string starting at s[i] (a quote); index after it. */
static size_t skip_quoted(struct span s, size_t i)
{
	char q = s.p[i++];
	while (i < s.n) {
		if (s.p[i] == '\\')
			i += 2;
		else if (s.p[i++] == q)
			return i;
	}
	return s.n;
}

/* The argument list starting at s[i] == '(' : index after its ')', or 0
 * when it does not close on this line. */
static size_t match_args(struct span s, size_t i)
{
	int depth = 0;
	while (i < s.n) {
		char ch = s.p[i];
		if (ch == '"' || ch == '\'') {
			i = skip_quoted(s, i);
			continue;
		}
		if (ch == '(')
			depth++;
		else if (ch == ')' && --depth == 0)
			return i + 1;
		i++;
	}
	return 0;
}

/* " at FILE:LINE" / " from MODULE" after the argument list. */
static void gdb_frame_where(struct analysis *an, struct span tail, struct frame *f)
{
	tail = span_trim(tail);
	if (span_starts(tail, "at ")) {
		struct span loc = span_trim(span_make(tail.p + 3, tail.n - 3));
		size_t colon = loc.n;
		while (colon > 0 && loc.p[colon - 1] != ':')
			colon--;
		uint32_t line;
		if (colon > 1 && span_u32(span_make(loc.p + colon, loc.n - colon), &line)) {
			f->file = stack_span_dup(an, span_make(loc.p, colon - 1));
			f->line = line;
		} else {
			f->file = stack_span_dup(an, loc);
		}
	} else if (span_starts(tail, "from ")) {
		f->module = stack_basename_dup(an, span_trim(span_make(tail.p + 5, tail.n - 5)));
	}
}

static bool tail_is_where(struct span tail)
{
	return tail.n == 0 || span_starts(tail, " at ") || span_starts(tail, " from ") ||
	       span_trim(tail).n == 0;
}

/* The part of a frame line after "#N  " and "0x... in ": "func (args) at f.c:3".
 * The function is everything before the argument list, whatever it holds:
 * "nsThread::ProcessNextEvent", "std::function<void ()>::operator()",
 * "foo [clone .isra.0]", "pthread_cond_wait@@GLIBC_2.3.2" (kept as printed). */
static void gdb_frame_body(struct analysis *an, struct span b, struct frame *f)
{
	for (size_t i = 0; i + 1 < b.n; i++) {
		if (b.p[i] != ' ' || b.p[i + 1] != '(')
			continue;
		size_t end = match_args(b, i + 1);
		if (!end || !tail_is_where(span_make(b.p + end, b.n - end)))
			continue;
		struct span fn = span_make(b.p, i);
		if (!span_eq(fn, "??"))
			f->function = stack_span_dup(an, fn);
		gdb_frame_where(an, span_make(b.p + end, b.n - end), f);
		return;
	}
	/* no argument list that closes: a cut line ("foo (a=1, b=") or a
	 * frame printed without one */
	size_t cut = b.n;
	for (size_t i = 0; i + 1 < b.n; i++) {
		struct span at = span_make(b.p + i, b.n - i);
		if (span_starts(at, " (") || span_starts(at, " at ") || span_starts(at, " from ")) {
			cut = i;
			break;
		}
	}
	struct span fn = span_make(b.p, cut);
	if (fn.n && !span_eq(fn, "??"))
		f->function = stack_span_dup(an, fn);
	struct span rest = span_make(b.p + cut, b.n - cut);
	for (size_t i = 0; i < rest.n; i++) {
		struct span at = span_make(rest.p + i, rest.n - i);
		if (span_starts(at, " at ") || span_starts(at, " from ")) {
			gdb_frame_where(an, at, f);
			break;
		}
	}
}

static void gdb_frame_text(struct analysis *an, const struct input *in, uint32_t lineno,
			   struct span r, struct frame *f, bool *has_addr);

/* "#N  ..." -> frame. False when the line is not a frame line. */
static bool gdb_frame_line(struct analysis *an, const struct input *in, uint32_t lineno,
			   struct span t, uint32_t *num, struct frame *f, bool *has_addr)
{
	if (t.n < 2 || t.p[0] != '#' || !span_is_digit(t.p[1]))
		return false;
	struct span r = span_make(t.p + 1, t.n - 1);
	int32_t n;
	if (!stack_take_i32(&r, &n) || (r.n && !span_is_space(r.p[0])))
		return false;
	*num = (uint32_t)n;
	gdb_frame_text(an, in, lineno, span_trim(r), f, has_addr);
	return true;
}

/* What follows "#N" (or the Target Id column of `info threads`):
 * "0x... in FUNC (ARGS) at FILE:LINE", "FUNC (ARGS) from MODULE", "0x..." */
static void gdb_frame_text(struct analysis *an, const struct input *in, uint32_t lineno,
			   struct span r, struct frame *f, bool *has_addr)
{
	memset(f, 0, sizeof(*f));
	*has_addr = false;
	struct span tok = r, word;
	if (span_token(&tok, &word) && span_starts(word, "0x")) {
		uint64_t pc;
		if (span_hex_u64(word, &pc)) {
			f->pc = pc;
		} else {
			diag_add(&an->diags, DIAG_BAD_ADDRESS, in->display, lineno, -1,
				 "frame address '%.*s'", (int)(word.n < 40 ? word.n : 40), word.p);
		}
		*has_addr = true;
		r = span_trim(tok);
		if (span_starts(r, "in "))
			r = span_trim(span_make(r.p + 3, r.n - 3));
		else if (span_eq(r, "in"))
			r.n = 0;
	}
	if (span_eq(r, "<signal handler called>")) {
		f->function = "<signal handler called>";
		return;
	}
	if (r.n)
		gdb_frame_body(an, r, f);
}

/* gdb and its wrappers' chatter: skipped without a word. */
static bool gdb_noise(struct span t)
{
	static const char *const prefixes[] = {
		"warning:", "[New ", "[Thread ", "[Current thread is", "[Switching to",
		"[Inferior ", "[Detaching", "Using host libthread_db", "Attaching to",
		"Reading symbols", "Core was generated", "Program terminated", "Program received",
		"Backtrace stopped", "No locals.", "No symbol", "From ", "(*): Shared",
		"Dump of assembler", "End of assembler", "=> 0x", "Downloading",
		"Download failed", "Missing separate debuginfo", "Try: ", "Detaching from",
		"(No debugging symbols", "Unable to locate python frame", "Python Exception",
		"Error occurred in Python", "Cannot access memory", "Quit",
		"Thread ",	/* "Thread 2 "x" received signal", "Thread 0x.. (LWP n) exited" */
		"(gdb)",	/* the prompt, pasted with the commands typed */
		"```", "~~~",	/* a markdown fence around a paste in an issue */
		"---Type <return>",	/* gdb's pager, pasted from a terminal */
	};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (span_starts(t, prefixes[i]))
			return true;
	/* "$1 = 0x0", source lines "1737\tcore/keybindings.c: No such file",
	 * the location printed on attach "0x00007f.. in __libc_pause () at ..",
	 * register dumps "rax            0x0  0" */
	if (t.p[0] == '$' || span_is_digit(t.p[0]))
		return true;
	struct span r = t, a, b;
	if (span_token(&r, &a) && span_token(&r, &b) && span_starts(b, "0x"))
		return true;
	/* where gdb stopped the process, printed on attach without "#0":
	 * "__futex_abstimed_wait_common64 (private=<optimized out>, ...) at f.c:57" */
	if ((t.p[0] == '_' || (t.p[0] >= 'a' && t.p[0] <= 'z') || (t.p[0] >= 'A' && t.p[0] <= 'Z')) &&
	    (span_contains(t, ") at ") || span_contains(t, ") from ")))
		return true;
	return false;
}

/* An `info threads` row kept until the end of the file. */
struct info_row {
	int32_t tid;
	const char *name;
	uint32_t line;
	struct span text;
	struct frame f;
};

struct gdb_reader {
	struct analysis *an;
	struct input *in;
	int32_t pid;
	int32_t current_tid;	/* from "[Current thread is 1 (... (LWP n))]" */
	bool any_header;
	struct stack_thread th;		/* the thread whose header came last */
	struct stack_thread loose;	/* frames outside any thread header */
	struct stack_thread *cur;	/* where frame lines go */
	int64_t last;			/* number of cur's last frame, -1 none */
	bool in_traceback;
	uint64_t skipped;
	uint32_t skipped_line;
	const char *skipped_text;
	/* threads whose backtrace this file gave (an `info threads` row adds
	 * only the threads no backtrace showed: it has frame #0 alone) */
	VEC(int32_t) with_bt;
	VEC(struct info_row) rows;
};

/* First pass: the pid (see the top of the file). */
static void gdb_find_pid(struct gdb_reader *r)
{
	struct textcur c;
	struct span line;
	int32_t explicit_pid = 0, thread1 = 0, lowest = 0, command_pid = 0;
	bool core = false;
	input_textcur(r->in, &c);
	while (textcur_next(&c, &line)) {
		struct span t = span_trim(line);
		int32_t v, tid;
		uint32_t num;
		struct span name;
		int32_t cmd_pid;
		bool cur_row;
		struct span frame_text;
		if (!command_pid && (cmd_pid = stack_pid_from_command(t)) != 0) {
			command_pid = cmd_pid;
		} else if (gdb_info_threads_row(t, &cur_row, &tid, &name, &frame_text, &num)) {
			if (num == 1 && tid > 0 && !thread1)
				thread1 = tid;
			if (tid > 0 && (!lowest || tid < lowest))
				lowest = tid;
		} else if (span_starts(t, "Attaching to process ")) {
			struct span d = span_make(t.p + 21, t.n - 21);
			if (!explicit_pid && stack_take_i32(&d, &v))
				explicit_pid = v;
		} else if (span_starts(t, "Attaching to program") || span_starts(t, "[Inferior ")) {
			for (size_t i = 0; i + 8 <= t.n; i++)
				if (memcmp(t.p + i, "process ", 8) == 0) {
					struct span d = span_make(t.p + i + 8, t.n - i - 8);
					if (!explicit_pid && stack_take_i32(&d, &v))
						explicit_pid = v;
					break;
				}
		} else if (span_starts(t, "Core was generated by")) {
			core = true;
		} else if (gdb_thread_header(t, &tid, &name, &num)) {
			if (num == 1 && tid > 0 && !thread1)
				thread1 = tid;
			if (tid > 0 && (!lowest || tid < lowest))
				lowest = tid;
		} else if (span_starts(t, "[New LWP ") || span_starts(t, "[New Thread ")) {
			struct span d = span_make(t.p + 5, t.n - 5);
			span_token(&d, &name);	/* "LWP" / "Thread" */
			d = span_trim(d);
			if (!(d.n >= 2 && d.p[1] == 'x') && stack_take_i32(&d, &v) && v > 0 &&
			    (!lowest || v < lowest))
				lowest = v;
		}
	}
	struct diags *dg = &r->an->diags;
	const char *file = r->in->display;
	if (explicit_pid) {
		r->pid = explicit_pid;
	} else if (command_pid) {
		/* "$ pstack 1234" pasted above the frames: what the user typed */
		r->pid = command_pid;
		diag_add(dg, DIAG_NOTE, file, 0, -1, "pid %d taken from the command line in the file",
			 (int)command_pid);
	} else if (thread1 && !core) {
		r->pid = thread1;
		diag_add(dg, DIAG_NOTE, file, 0, -1,
			 "pid %d taken from the LWP of gdb's thread 1 (the dump does not name the process)",
			 (int)thread1);
	} else if (lowest) {
		r->pid = lowest;
		diag_add(dg, DIAG_NOTE, file, 0, -1,
			 "pid %d taken from the lowest thread id (%s does not name the process)",
			 (int)lowest, core ? "a core dump" : "the dump");
	} else if ((r->pid = stack_pid_from_name(file)) != 0) {
		diag_add(dg, DIAG_NOTE, file, 0, -1, "pid %d taken from the file name", (int)r->pid);
	} else {
		diag_add(dg, DIAG_NOTE, file, 0, -1,
			 "no pid in the dump or its name: its threads are filed under pid 0");
	}
}

/* Commit the thread whose header came last, noting that its backtrace was
 * seen. */
static void gdb_commit_th(struct gdb_reader *r)
{
	if (r->th.open && r->th.frames.n)
		*VEC_PUSH(&r->an->arena, &r->with_bt) = r->th.tid;
	stack_thread_commit(r->an, r->in, r->pid, &r->th);
}

/* `info threads` rows of threads no backtrace in the file showed: one
 * frame each, the one the thread stopped in. */
static uint32_t gdb_info_rows_commit(struct gdb_reader *r)
{
	uint32_t n = 0;
	for (size_t i = 0; i < r->rows.n; i++) {
		const struct info_row *row = &r->rows.v[i];
		bool seen = false;
		for (size_t k = 0; k < r->with_bt.n && !seen; k++)
			seen = r->with_bt.v[k] == row->tid;
		if (seen)
			continue;
		struct stack_thread th;
		memset(&th, 0, sizeof(th));
		stack_thread_begin(r->an, &th, row->tid, row->name, row->line, row->text);
		*VEC_PUSH(&r->an->arena, &th.frames) = row->f;
		*VEC_PUSH(&r->an->arena, &r->with_bt) = row->tid;
		stack_thread_commit(r->an, r->in, r->pid, &th);
		n++;
	}
	return n;
}

/* "  Id   Target Id         Frame": the header of `info threads` */
static bool gdb_info_threads_header(struct span t)
{
	struct span r = t, a, b, c;
	return span_token(&r, &a) && span_eq(a, "Id") && span_token(&r, &b) && span_eq(b, "Target") &&
	       span_token(&r, &c) && span_eq(c, "Id");
}

/* A row of `info threads` (gdb_info_threads_row()): kept for the end. */
static bool gdb_info_row(struct gdb_reader *r, struct span t, uint32_t lineno)
{
	bool current;
	int32_t tid;
	struct span name, frame;
	uint32_t num;
	if (!gdb_info_threads_row(t, &current, &tid, &name, &frame, &num))
		return false;
	if (tid < 0) {
		diag_add(&r->an->diags, DIAG_UNKNOWN_FIELD, r->in->display, lineno, -1,
			 "no thread id in the info threads row, thread %u filed as tid -%u", num, num);
		tid = -(int32_t)num;
	}
	if (current && r->current_tid < 0)
		r->current_tid = tid;
	struct info_row *row = VEC_PUSH(&r->an->arena, &r->rows);
	memset(row, 0, sizeof(*row));
	row->tid = tid;
	row->name = name.p ? stack_span_dup(r->an, name) : NULL;
	row->line = lineno;
	row->text = t;
	bool has_addr;
	gdb_frame_text(r->an, r->in, lineno, frame, &row->f, &has_addr);
	return true;
}

/* A wrapped frame: old gdb breaks long frames at 80 columns and indents the
 * rest by 4 (satyr-gdb-rhbz-621492.txt); locals are indented by 8. */
static bool is_continuation(struct span l)
{
	return l.n > 4 && memcmp(l.p, "    ", 4) == 0 && !span_is_space(l.p[4]) &&
	       !span_starts(span_make(l.p + 4, l.n - 4), "#");
}

static struct span gdb_join(struct gdb_reader *r, struct span first, struct textcur *c)
{
	struct textcur peek = *c;
	struct span next;
	size_t len = first.n, lines = 0;
	while (textcur_next(&peek, &next) && is_continuation(next)) {
		len += 1 + span_trim(next).n;
		lines++;
	}
	if (!lines)
		return first;
	char *buf = arena_alloc(&r->an->arena, len);
	size_t n = first.n;
	memcpy(buf, first.p, n);
	for (size_t i = 0; i < lines; i++) {
		textcur_next(c, &next);
		struct span add = span_trim(next);
		/* the break replaced a blank, or followed one ("a=1, \n    b=2") */
		if (n && buf[n - 1] != ' ')
			buf[n++] = ' ';
		memcpy(buf + n, add.p, add.n);
		n += add.n;
	}
	return span_make(buf, n);
}

/* Native frames outside any thread header start over (Python ones stay). */
static void gdb_loose_reset(struct gdb_reader *r, uint32_t lineno, struct span t)
{
	r->loose.frames.n = 0;
	r->loose.line = lineno;
	r->loose.text = stack_span_dup(r->an, t);
	r->cur = &r->loose;
	r->last = -1;
}

/* False when the "#..." line is no frame ("#include", "#0x12"). */
static bool gdb_frame(struct gdb_reader *r, struct span t, uint32_t lineno, struct textcur *c)
{
	struct frame f;
	uint32_t num;
	bool has_addr;
	struct span full = gdb_join(r, t, c);
	if (!gdb_frame_line(r->an, r->in, lineno, full, &num, &f, &has_addr))
		return false;
	if (num == 0) {
		if (r->cur == &r->th && r->last >= 0) {
			/* a second backtrace without a header (`bt` after
			 * `thread apply all bt`): the thread's own is complete */
			gdb_commit_th(r);
			gdb_loose_reset(r, lineno, t);
		} else if (r->cur != &r->th) {
			/* a later backtrace outside any thread replaces an
			 * earlier one: "Program terminated ... #0 f ()" then the
			 * full `bt` (satyr-gdb-no-thread-header.txt) */
			gdb_loose_reset(r, lineno, t);
		}
	} else if (r->last >= 0 && (int64_t)num <= r->last) {
		diag_add(&r->an->diags, DIAG_BAD_LINE, r->in->display, lineno, -1,
			 "frame #%u after frame #%lld", num, (long long)r->last);
		return true;
	} else if (!r->cur) {
		gdb_loose_reset(r, lineno, t);
	}
	frame_vec *v = &r->cur->frames;
	if (!has_addr && num > 0 && v->n && r->last == (int64_t)num - 1 && f.function &&
	    f.function[0] != '<') {
		struct frame *prev = &v->v[v->n - 1];
		prev->inlined = true;
		f.pc = prev->pc;
	}
	*VEC_PUSH(&r->an->arena, v) = f;
	r->cur->parts |= SAMPLE_NATIVE;
	r->last = num;
	return true;
}

int gdb_family_parse(struct analysis *an, struct input *in)
{
	/* one reader for gdb, pstack and py-bt */
	struct gdb_reader r;
	memset(&r, 0, sizeof(r));
	r.an = an;
	r.in = in;
	r.last = -1;
	r.current_tid = -1;
	gdb_find_pid(&r);
	stack_thread_begin(an, &r.loose, -1, NULL, 0, span_make(NULL, 0));

	struct textcur c;
	struct span line;
	uint32_t threads = 0;
	input_textcur(in, &c);
	while (textcur_next(&c, &line)) {
		uint32_t lineno = c.line;
		if (c.has_nul) {
			diag_add(&an->diags, DIAG_BINARY, in->display, lineno, textcur_offset(&c, &line),
				 "NUL byte in a text line");
			continue;
		}
		if (c.cut)
			diag_add(&an->diags, DIAG_LONG_LINE, in->display, lineno, -1,
				 "%zu bytes kept", line.n);
		struct span t = span_trim(line);
		if (t.n == 0)
			continue;
		int32_t tid;
		uint32_t num;
		struct span name;
		if (gdb_thread_header(t, &tid, &name, &num)) {
			gdb_commit_th(&r);
			if (tid < 0) {
				/* "Thread 2 (Thread 0x7f..)": no kernel id shown;
				 * gdb's own number, negated, keeps threads apart */
				diag_add(&an->diags, DIAG_UNKNOWN_FIELD, in->display, lineno, -1,
					 "no thread id in the header, thread %u filed as tid -%u", num, num);
				tid = -(int32_t)num;
			}
			stack_thread_begin(an, &r.th, tid, name.p ? stack_span_dup(an, name) : NULL,
					   lineno, t);
			r.any_header = true;
			r.cur = &r.th;
			r.last = -1;
			r.in_traceback = false;
			threads++;
			continue;
		}
		if ((t.p[0] == '*' || span_is_digit(t.p[0])) && gdb_info_row(&r, t, lineno))
			continue;
		if (gdb_info_threads_header(t))
			continue;
		if (py_bt_line(an, r.cur ? r.cur : &r.loose, line, &r.in_traceback))
			continue;
		if (t.p[0] == '#' && t.n > 1 && span_is_digit(t.p[1]) && gdb_frame(&r, t, lineno, &c))
			continue;
		if (span_is_space(line.p[0]))
			continue;	/* bt full locals, "    in file.c" */
		if (span_starts(t, "[Current thread is ") || span_starts(t, "[Switching to thread ")) {
			for (size_t i = 0; i + 5 <= t.n; i++)
				if (memcmp(t.p + i, "(LWP ", 5) == 0) {
					struct span d = span_make(t.p + i + 5, t.n - i - 5);
					int32_t v;
					if (stack_take_i32(&d, &v))
						r.current_tid = v;
					break;
				}
			continue;
		}
		if (gdb_noise(t))
			continue;
		if (stack_pid_from_command(t))
			continue;	/* "$ pstack 1234": read by gdb_find_pid() */
		if (!r.skipped++) {
			r.skipped_line = lineno;
			r.skipped_text = stack_span_dup(an, span_make(t.p, t.n < 80 ? t.n : 80));
		}
	}
	gdb_commit_th(&r);
	if (!r.any_header && (r.loose.frames.n || r.loose.py.n)) {
		/* one thread without a header (pstack of a single-threaded
		 * process, a plain `bt`): the current thread, else the main one */
		r.loose.tid = r.current_tid > 0 ? r.current_tid : r.pid;
		if (r.loose.frames.n)
			*VEC_PUSH(&an->arena, &r.with_bt) = r.loose.tid;
		stack_thread_commit(an, in, r.pid, &r.loose);
		threads++;
	}
	threads += gdb_info_rows_commit(&r);
	/* with thread headers, frames outside them are the current thread's
	 * again ("Program terminated ... #0 raise ()"): already counted */
	if (r.skipped)
		diag_add(&an->diags, DIAG_SKIPPED, in->display, r.skipped_line, -1,
			 "%llu line(s) outside any backtrace, first '%s'",
			 (unsigned long long)r.skipped, r.skipped_text);
	if (!threads)
		return diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
				"no gdb thread header or frame line found");
	return 0;
}

int gdb_parse(struct analysis *an, struct input *in)
{
	return gdb_family_parse(an, in);
}

/* pstack/gstack run gdb and keep its "Thread" and "#N" lines (for a
 * single-threaded process only the "#N" lines): the same reader. */
int pstack_parse(struct analysis *an, struct input *in)
{
	return gdb_family_parse(an, in);
}

/* gdb `thread apply all bt`: "Thread N (Thread 0x... (LWP n))" headers and
 * "#N 0x... in FUNC (...) at FILE:LINE" frames */
static int gdb_sniff(const struct sniff_view *v)
{
	int threads = 0, frames = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		bool current;
		int32_t tid;
		struct span name, frame;
		uint32_t num;
		/* `info threads`: its header is gdb's alone; a row is a thread
		 * and its frame */
		if (gdb_info_threads_header(l->t))
			return sniff_strong(l);
		if (gdb_info_threads_row(l->t, &current, &tid, &name, &frame, &num) && frame.n) {
			threads++;
			frames++;
		}
		if (l->ntok >= 2 && span_eq(l->tok[0], "Thread") && span_contains(l->t, "(LWP"))
			threads++;
		if (l->tok[0].n >= 2 && l->tok[0].p[0] == '#' && isdigit((unsigned char)l->tok[0].p[1]))
			frames++;
	}
	return threads && frames ? SNIFF_ROWS_GDB : 0;
}

/* pstack/gstack (gdb's frames, for one thread without a header) */
static int pstack_sniff(const struct sniff_view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		if (l->tok[0].n >= 2 && l->tok[0].p[0] == '#' && isdigit((unsigned char)l->tok[0].p[1]) &&
		    (span_contains(l->t, " in ") || span_contains(l->t, " from ") ||
		     span_contains(l->t, " at ")))
			return SNIFF_ROWS_PSTACK;
	}
	return 0;
}

const struct format format_gdb = {
	.name = "gdb", .cls = EV_STACKS, .sniff = gdb_sniff, .parse = gdb_parse,
};

const struct format format_pstack = {
	.name = "pstack", .cls = EV_STACKS, .sniff = pstack_sniff, .parse = pstack_parse,
};
