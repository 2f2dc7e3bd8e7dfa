/* parse_stack_faulthandler.c — CPython's faulthandler: what a Python
 * process prints on SIGSEGV/SIGABRT/SIGBUS/SIGFPE/SIGILL (a "Fatal Python
 * error"), on faulthandler.dump_traceback_later() timeouts, on a signal
 * registered with faulthandler.register(), or from dump_traceback(). The
 * format is dump_traceback(), write_thread_id() and dump_frame() in
 * CPython's Python/traceback.c:
 *
 *   Fatal Python error: Segmentation fault                 (fatal errors only)
 *   Timeout (0:00:30)!                                     (dump_traceback_later)
 *   Thread 0x00007f8b8c9f5700 (most recent call first):    "Thread 0x%0*lx" of the pthread_t
 *     File "/usr/lib/python3.11/threading.py", line 320 in wait      (no comma before "in")
 *     File "/srv/app/views.py", line ??? in handle         (line unknown)
 *
 *   Current thread 0x00007f8b8d3f4740 (most recent call first):
 *     <no Python frame>
 *   Thread 0x00007f.. [worker-3] (most recent call first):  3.14: the thread's name
 *   Stack (most recent call first):                        (one thread: all_threads=False)
 *   Current thread's C stack trace (most recent call first):           3.14
 *     Binary file "/lib/x86_64-linux-gnu/libc.so.6", at __lll_lock_wait+0x2c [0x7f..]
 *   Current thread 0x00007fff71106cc0:                     Python 3.3: no "(most recent...)"
 *
 * Threads are separated by blank lines; frames are innermost first and go
 * to the sample's py_frames (the C stack trace, 3.14, to its frames). The
 * thread id is a pthread_t, never the kernel's tid: threads are filed under
 * stack_tid_from_pthread(). Dumps are often found inside a log, every line
 * prefixed ("Jan 05 10:11:12 web1 uwsgi[4242]: ", "web_1  | ", ctest's
 * "31: "): a header is found anywhere in its line, and a frame line is one
 * holding `File "..", line N in F` (a Python exception traceback has a
 * comma before "in" and is not one). The pid comes from a syslog prefix
 * ("uwsgi[4242]:"), else from a log line just before the dump that names
 * one ("WORKER TIMEOUT (pid:4242)", "[pid: 4242|app: 0|req: 3/9]"), else
 * from the file name. A file holding several dumps (a repeating
 * dump_traceback_later, signals sent twice) gives one sample per dump: a
 * dump starts at "Timeout (", "Fatal Python error", or a thread already
 * seen in the dump being read. */
#include <string.h>

#include "parsers.h"
#include "stack_model.h"
#include "format.h"

/* How far before a dump a log line naming a pid is trusted to be about it. */
#define FH_PID_LINES 20

struct fh_reader {
	struct analysis *an;
	struct input *in;
	int32_t file_pid;
	int32_t pid;			/* of the dump being read */
	int32_t log_pid;		/* the last pid a log line named */
	uint32_t log_pid_line;
	uint32_t dump;			/* dumps so far */
	bool in_dump;			/* a header was seen since the last dump start */
	VEC(int32_t) seen;		/* tids of the current dump */
	struct stack_thread th;
	bool c_stack;			/* inside "Current thread's C stack trace" */
	int32_t current_tid;		/* "Current thread 0x..": 0 none */
	bool noted_pid;
	uint32_t threads;
	uint64_t skipped;
	uint32_t skipped_line;
	const char *skipped_text;
};

/* Find lit in s: offset, or s.n when absent. */
static size_t fh_find(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	for (size_t i = 0; i + n <= s.n; i++)
		if (s.p[i] == lit[0] && memcmp(s.p + i, lit, n) == 0)
			return i;
	return s.n;
}

/* A thread header anywhere in the line: "Thread 0xHEX[ [name]] (most recent
 * call first):", "Current thread 0xHEX...", "Stack (most recent call
 * first):", or 3.3's "Thread 0xHEX:". -> where it starts, the pthread_t
 * (0 for "Stack"), the name, whether it is the current thread. */
static bool fh_header(struct span t, size_t *at, uint64_t *id, struct span *name, bool *current)
{
	static const char most[] = "(most recent call first):";
	name->p = NULL;
	name->n = 0;
	*id = 0;
	*current = false;
	size_t s = fh_find(t, "Stack (most recent call first):");
	if (s < t.n && s + 31 == t.n) {
		*at = s;
		return true;
	}
	size_t k = fh_find(t, "Thread 0x");
	size_t c = fh_find(t, "Current thread 0x");
	if (k == t.n && c == t.n)
		return false;
	size_t hex;
	if (c < k) {
		*current = true;
		*at = c;
		hex = c + 17;
	} else {
		*at = k;
		hex = k + 9;
	}
	size_t e = hex;
	while (e < t.n && ((t.p[e] >= '0' && t.p[e] <= '9') || (t.p[e] >= 'a' && t.p[e] <= 'f') ||
			   (t.p[e] >= 'A' && t.p[e] <= 'F')))
		e++;
	if (e == hex || !span_hex_u64(span_make(t.p + hex, e - hex), id))
		return false;
	struct span r = span_make(t.p + e, t.n - e);
	if (span_eq(r, ":"))
		return true;	/* Python 3.3 */
	if (span_starts(r, " [")) {
		/* 3.14: " [name]" from pthread_getname_np(); a name may hold ']' */
		size_t m = fh_find(r, "] (most recent call first):");
		if (m == r.n)
			return false;
		*name = span_make(r.p + 2, m - 2);
		r = span_make(r.p + m + 1, r.n - m - 1);
	}
	return span_starts(r, " ") && span_eq(span_make(r.p + 1, r.n - 1), most);
}

/* `File "NAME", line N in FUNC` anywhere in the line (dump_frame()):
 * "???" for an unknown file, line or name. */
static bool fh_frame(struct analysis *an, struct stack_thread *th, struct span t)
{
	size_t k = fh_find(t, "File ");
	if (k == t.n)
		return false;
	struct span r = span_make(t.p + k + 5, t.n - k - 5);
	struct span file = { NULL, 0 };
	if (span_starts(r, "\"")) {
		/* the name is written raw (_Py_DumpASCII escapes only
		 * non-printables): find '", line ' from the end */
		size_t m = r.n;
		for (size_t i = r.n; i-- > 1;)
			if (r.p[i] == '"' && span_starts(span_make(r.p + i, r.n - i), "\", line ")) {
				m = i;
				break;
			}
		if (m == r.n)
			return false;
		file = span_make(r.p + 1, m - 1);
		r = span_make(r.p + m + 1, r.n - m - 1);
	} else if (span_starts(r, "???")) {
		r = span_make(r.p + 3, r.n - 3);
	} else {
		return false;
	}
	if (!span_starts(r, ", line "))
		return false;
	r = span_make(r.p + 7, r.n - 7);
	int32_t line = 0;
	if (span_starts(r, "???"))
		r = span_make(r.p + 3, r.n - 3);
	else if (!stack_take_i32(&r, &line))
		return false;
	/* a Python exception's traceback has ", in": not faulthandler's */
	if (!span_starts(r, " in "))
		return false;
	struct span fn = span_trim(span_make(r.p + 4, r.n - 4));
	struct frame *f = VEC_PUSH(&an->arena, &th->py);
	memset(f, 0, sizeof(*f));
	f->python = true;
	f->file = file.p ? stack_span_dup(an, file) : NULL;
	f->line = (uint32_t)line;
	f->function = fn.n && !span_eq(fn, "???") ? stack_span_dup(an, fn) : NULL;
	th->parts |= SAMPLE_PYTHON;
	return true;
}

/* 3.14's C stack: `Binary file "PATH", at SYM+0xOFF [0xADDR]`,
 * `Binary file "PATH" [0xADDR]`, `Binary file '<unknown>' [0xADDR]`
 * (_Py_backtrace_symbols_fd(), Python/traceback.c). */
static bool fh_binary_frame(struct analysis *an, struct stack_thread *th, struct span t)
{
	size_t k = fh_find(t, "Binary file ");
	if (k == t.n)
		return false;
	struct span r = span_make(t.p + k + 12, t.n - k - 12);
	struct frame f;
	memset(&f, 0, sizeof(f));
	if (span_starts(r, "\"")) {
		const char *q = memchr(r.p + 1, '"', r.n - 1);
		if (!q)
			return false;
		f.module = stack_basename_dup(an, span_make(r.p + 1, (size_t)(q - r.p - 1)));
		r = span_make(q + 1, (size_t)(r.p + r.n - q - 1));
	} else if (span_starts(r, "'<unknown>'")) {
		r = span_make(r.p + 11, r.n - 11);
	} else {
		return false;
	}
	if (span_starts(r, ", at ")) {
		r = span_make(r.p + 5, r.n - 5);
		size_t e = 0;
		while (e < r.n && r.p[e] != '+' && r.p[e] != '-' && r.p[e] != ' ')
			e++;
		if (e)
			f.function = stack_span_dup(an, span_make(r.p, e));
		r = span_make(r.p + e, r.n - e);
	}
	size_t b = fh_find(r, "[0x");
	if (b < r.n) {
		const char *close = memchr(r.p + b, ']', r.n - b);
		uint64_t pc;
		if (close && span_hex_u64(span_make(r.p + b + 1, (size_t)(close - r.p - b - 1)), &pc))
			f.pc = pc;
	}
	*VEC_PUSH(&an->arena, &th->frames) = f;
	th->parts |= SAMPLE_NATIVE;
	return true;
}

/* "uwsgi[4242]: " in a syslog/journal prefix */
static int32_t fh_prefix_pid(struct span prefix)
{
	for (size_t i = prefix.n; i-- > 0;) {
		if (prefix.p[i] != '[')
			continue;
		struct span d = span_make(prefix.p + i + 1, prefix.n - i - 1);
		int32_t v;
		if (stack_take_i32(&d, &v) && span_starts(d, "]:") && v > 0)
			return v;
	}
	return 0;
}

/* A log line naming a pid: "(pid:4242)", "(pid: 4242, try: 1)",
 * "[pid: 4242|app: 0|req: 3/9]", "pid=4242". */
static int32_t fh_log_pid(struct span t)
{
	for (size_t i = 0; i + 4 <= t.n; i++) {
		if (!((t.p[i] == 'p' || t.p[i] == 'P') && (t.p[i + 1] == 'i' || t.p[i + 1] == 'I') &&
		      (t.p[i + 2] == 'd' || t.p[i + 2] == 'D')))
			continue;
		if (i > 0 && ((t.p[i - 1] >= 'a' && t.p[i - 1] <= 'z') || (t.p[i - 1] >= 'A' && t.p[i - 1] <= 'Z')))
			continue;	/* "ppid", "rapid" */
		struct span d = span_make(t.p + i + 3, t.n - i - 3);
		if (d.n && (d.p[0] == ':' || d.p[0] == '='))
			d = span_make(d.p + 1, d.n - 1);
		else
			continue;
		d = span_trim(d);
		int32_t v;
		if (stack_take_i32(&d, &v) && v > 1 && (!d.n || !span_is_digit(d.p[0])))
			return v;
	}
	return 0;
}

static void fh_commit(struct fh_reader *r)
{
	if (!r->th.open)
		return;
	r->th.dump = r->dump;
	stack_thread_commit(r->an, r->in, r->pid, &r->th);
	r->threads++;
	r->c_stack = false;
}

/* A new dump starts: its pid, from the header's prefix, a log line just
 * before it, or the file name. */
static void fh_dump_start(struct fh_reader *r, struct span prefix, uint32_t lineno)
{
	fh_commit(r);
	r->dump++;
	r->in_dump = true;
	r->seen.n = 0;
	r->current_tid = 0;
	int32_t pid = fh_prefix_pid(prefix);
	const char *how = "the log prefix";
	if (!pid && r->log_pid && lineno - r->log_pid_line <= FH_PID_LINES) {
		pid = r->log_pid;
		how = "a log line before the dump";
	}
	if (!pid) {
		pid = r->file_pid;
		how = "the file name";
	}
	if (pid && pid != r->pid)
		diag_add(&r->an->diags, DIAG_NOTE, r->in->display, lineno, -1,
			 "pid %d taken from %s (faulthandler names threads by pthread_t, never "
			 "the process)", (int)pid, how);
	else if (!pid && !r->noted_pid)
		diag_add(&r->an->diags, DIAG_NOTE, r->in->display, lineno, -1,
			 "no pid in the dump, the log around it or the file name: its threads are "
			 "filed under pid 0");
	r->noted_pid = true;
	r->pid = pid;
}

static void fh_skip(struct fh_reader *r, struct span t, uint32_t lineno)
{
	if (!r->skipped++) {
		r->skipped_line = lineno;
		r->skipped_text = stack_span_dup(r->an, span_make(t.p, t.n < 80 ? t.n : 80));
	}
}

int faulthandler_parse(struct analysis *an, struct input *in)
{
	struct fh_reader r;
	memset(&r, 0, sizeof(r));
	r.an = an;
	r.in = in;
	r.file_pid = stack_pid_from_name(in->display);
	struct textcur c;
	struct span line;
	input_textcur(in, &c);
	while (textcur_next(&c, &line)) {
		uint32_t lineno = c.line;
		if (!input_line_ok(an, in, &c, line))
			continue;
		struct span t = span_trim(line);
		if (t.n == 0)
			continue;
		size_t at;
		uint64_t id;
		struct span name;
		bool current;
		if (fh_header(t, &at, &id, &name, &current)) {
			int32_t tid = id ? stack_tid_from_pthread(id) : -1;
			bool again = false;
			for (size_t i = 0; i < r.seen.n && !again; i++)
				again = r.seen.v[i] == tid;
			if (!r.in_dump || again)
				fh_dump_start(&r, span_make(t.p, at), lineno);
			fh_commit(&r);
			if (current)
				r.current_tid = tid;
			*VEC_PUSH(&an->arena, &r.seen) = tid;
			stack_thread_begin(an, &r.th, tid, name.n ? stack_span_dup(an, name) : NULL,
					   lineno, span_make(t.p + at, t.n - at));
			continue;
		}
		if (fh_find(t, "Fatal Python error") < t.n ||
		    (fh_find(t, "Timeout (") < t.n && t.p[t.n - 1] == '!')) {
			/* the start of another dump */
			fh_commit(&r);
			r.in_dump = false;
			continue;
		}
		if (fh_find(t, "Current thread's C stack trace") < t.n) {
			/* 3.14: the C frames of the current thread, printed after
			 * the Python ones of every thread: they join its sample */
			fh_commit(&r);
			if (r.current_tid) {
				stack_thread_begin(an, &r.th, r.current_tid, NULL, lineno, t);
				r.c_stack = true;
			}
			continue;
		}
		if (r.th.open && !r.c_stack && fh_frame(an, &r.th, t))
			continue;
		if (r.th.open && r.c_stack && fh_binary_frame(an, &r.th, t))
			continue;
		if (r.th.open && (fh_find(t, "<no Python frame>") < t.n ||
				  fh_find(t, "<tstate is freed>") < t.n ||
				  fh_find(t, "<freed thread state>") < t.n)) {
			r.th.parts |= SAMPLE_PYTHON;	/* looked: no Python frames */
			continue;
		}
		if (r.th.open && fh_find(t, "Garbage-collecting") < t.n) {
			struct frame *f = VEC_PUSH(&an->arena, &r.th.py);
			memset(f, 0, sizeof(*f));
			f->python = true;
			f->function = "Garbage-collecting";
			r.th.parts |= SAMPLE_PYTHON;
			continue;
		}
		if (r.th.open && ((t.n >= 3 && memcmp(t.p + t.n - 3, "...", 3) == 0) ||
				  fh_find(t, " frames") < t.n || fh_find(t, "<truncated rest") < t.n))
			continue;	/* MAX_FRAME_DEPTH / MAX_NTHREADS reached */
		if (fh_find(t, "Traceback (most recent call last)") < t.n) {
			/* an exception's traceback: its frames are not this dump's */
			fh_commit(&r);
		}
		int32_t pid = fh_log_pid(t);
		if (pid) {
			r.log_pid = pid;
			r.log_pid_line = lineno;
		}
		if (r.th.open || !r.in_dump)
			fh_skip(&r, t, lineno);
	}
	fh_commit(&r);
	if (r.skipped)
		diag_add(&an->diags, DIAG_SKIPPED, in->display, r.skipped_line, -1,
			 "%llu line(s) that are not faulthandler's (the log around the dump), first '%s'",
			 (unsigned long long)r.skipped, r.skipped_text);
	if (!r.threads)
		return diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
				"no faulthandler thread header found");
	return 0;
}

/* A thread header (or "Fatal Python error", "Timeout (..)!" before one):
 * CPython's alone, wherever the log puts it in the line. */
static int faulthandler_sniff(const struct sniff_view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		size_t at;
		uint64_t id;
		struct span name;
		bool current;
		if (fh_header(l->t, &at, &id, &name, &current)) {
			/* a file whose first mark is "Fatal Python error" scores
			 * from that line */
			for (size_t k = 0; k < i; k++)
				if (fh_find(v->lines[k].t, "Fatal Python error") < v->lines[k].t.n)
					return sniff_strong(&v->lines[k]);
			return sniff_strong(l);
		}
	}
	return 0;
}

const struct format format_faulthandler = {
	.name = "faulthandler", .cls = EV_STACKS, .sniff = faulthandler_sniff,
	.parse = faulthandler_parse,
};
