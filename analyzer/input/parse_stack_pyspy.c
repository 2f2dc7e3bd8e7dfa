/* parse_stack_pyspy.c — `py-spy dump` (0.3.x and 0.4.x; --locals,
 * --native, --subprocesses), as printed by write_traces()/write_trace()
 * in py-spy's src/dump.rs:
 *
 *   Process 1234: python3 app.py                      "Process {pid}: {cmdline}"
 *   Python v3.11.2 (/usr/bin/python3.11)              "Python v{version} ({exe})"
 *   Parent Process 1200: gunicorn: master [app]       with --subprocesses
 *
 *   Thread 1234 (idle): "MainThread"                  "Thread {id} ({status}): \"{name}\""
 *       wait (threading.py:320)                       "    {name} ({file}:{line})"
 *       handle (app/views.py:41)
 *           Arguments:                                --locals
 *               self: <Worker at 0x7f..>
 *           Locals:
 *               job: None
 *   Thread 0x7F3A2C1FF700 (active+gil)                no OS thread id, no name
 *       poll (libc-2.31.so)                           --native: "{name} ({module})"
 *       0x7f3a2c3e1b2d (?)                            unsymbolized native frame
 *
 * The id is the OS thread id when py-spy found it, else the pthread_t in
 * "{:#X}" (StackTrace::format_threadid(), src/stack_trace.rs). The status
 * (StackTrace::status_str()) is "idle", "active" or "active+gil"; "gil"
 * alone when printed without activity. Active means /proc/TID/stat said
 * 'R' (remoteprocess Thread::active()) and the thread was not in one of
 * py-spy's idle heuristics (threading.py wait, selectors.py select, ...:
 * _heuristic_is_thread_idle(), src/python_spy.rs); idle means anything
 * else, a thread stuck in Condition.wait() included. So "active" with an
 * OS thread id is kept as state 'R' (on a CPU); "idle" says nothing more
 * than the frames do. File names are shortened to the package path
 * (shorten_filename(): "threading.py", "gunicorn/workers/sync.py").
 *
 * With --native, Python frames are merged into the native stack
 * (merge_native_thread(), src/native_stack_trace.rs): frames whose file
 * is Python source go to the sample's py_frames, the others to its native
 * frames, each innermost first. A file holding several dumps in a row (a
 * `py-spy dump` loop into one file) gives one sample per dump. */
#include <string.h>

#include "parsers.h"
#include "stack_model.h"
#include "format.h"

struct pyspy_reader {
	struct analysis *an;
	struct input *in;
	int32_t pid, file_pid;
	int32_t ppid;
	uint32_t dump;		/* dumps seen so far ("Process N:" lines) */
	bool several;		/* more than one dump of one process */
	struct stack_thread th;
	bool state_r;		/* the open thread was "active" with an OS tid */
	uint32_t threads;
	uint32_t in_dump;	/* threads of the current dump so far */
	uint64_t skipped;
	uint32_t skipped_line;
	const char *skipped_text;
	bool pthread_noted;
};

/* "Process 1234: cmdline" (also "Parent Process 1234: ..."). */
static bool pyspy_process_line(struct span t, int32_t *pid)
{
	if (!span_starts(t, "Process "))
		return false;
	struct span d = span_make(t.p + 8, t.n - 8);
	return stack_take_i32(&d, pid) && span_starts(d, ":");
}

/* "Thread 1234 (idle): "MainThread"" -> the id as printed, the status,
 * the name. False when the line is not a py-spy thread header. */
static bool pyspy_thread_header(struct span t, struct span *id, struct span *status,
				struct span *name)
{
	if (!span_starts(t, "Thread "))
		return false;
	struct span r = span_make(t.p + 7, t.n - 7);
	size_t i = 0;
	while (i < r.n && !span_is_space(r.p[i]) && r.p[i] != ':')
		i++;
	*id = span_make(r.p, i);
	if (!id->n)
		return false;
	if (!(span_is_digit(id->p[0]) || span_starts(*id, "0x")))
		return false;
	/* "0x7F..." : an id cut short by whoever pasted it */
	for (size_t k = span_starts(*id, "0x") ? 2 : 0; k < id->n; k++) {
		char ch = id->p[k];
		if (!(span_is_digit(ch) || (ch >= 'A' && ch <= 'F') || (ch >= 'a' && ch <= 'f') ||
		      ch == '.'))
			return false;
	}
	r = span_make(r.p + i, r.n - i);
	status->p = NULL;
	status->n = 0;
	name->p = NULL;
	name->n = 0;
	if (span_starts(r, " (")) {
		const char *close = memchr(r.p, ')', r.n);
		if (!close)
			return false;
		*status = span_make(r.p + 2, (size_t)(close - r.p - 2));
		if (!(span_eq(*status, "idle") || span_eq(*status, "active") ||
		      span_eq(*status, "active+gil") || span_eq(*status, "gil")))
			return false;
		r = span_make(close + 1, (size_t)(r.p + r.n - close - 1));
	}
	if (span_starts(r, ": \"") && r.n >= 4 && r.p[r.n - 1] == '"')
		*name = span_make(r.p + 3, r.n - 4);
	else if (span_trim(r).n)
		return false;	/* "Thread 2 "x" received signal": gdb's */
	return true;
}

/* Python source as py-spy names it: "threading.py", "app/views.py",
 * "<frozen importlib._bootstrap>", Cython's "mod.pyx" */
static bool pyspy_python_file(struct span file)
{
	if (file.n && file.p[0] == '<')
		return true;
	static const char *const ext[] = { ".py", ".pyw", ".pyx", ".pxd", ".pyi" };
	for (size_t k = 0; k < sizeof(ext) / sizeof(ext[0]); k++) {
		size_t n = strlen(ext[k]);
		if (file.n > n && memcmp(file.p + file.n - n, ext[k], n) == 0)
			return true;
	}
	return false;
}

/* "    wait (threading.py:320)", "    poll (libc.so.6)", "    0x7f.. (?)" */
static bool pyspy_frame(struct pyspy_reader *r, struct span t)
{
	if (t.n < 4 || t.p[t.n - 1] != ')')
		return false;
	/* the file is in the last " (...)": C++ names hold parentheses
	 * before it ("std::thread::_M_run() (libstdc++.so.6)") */
	size_t open = t.n;
	for (size_t i = t.n - 1; i-- > 0;)
		if (t.p[i] == '(' && i > 0 && t.p[i - 1] == ' ') {
			open = i;
			break;
		}
	if (open == t.n)
		return false;
	struct span fn = span_trim(span_make(t.p, open - 1));
	struct span file = span_make(t.p + open + 1, t.n - open - 2);
	if (!fn.n)
		return false;
	uint32_t line = 0;
	size_t colon = file.n;
	while (colon > 0 && file.p[colon - 1] != ':')
		colon--;
	struct span digits = span_make(file.p + colon, file.n - colon);
	bool all_digits = colon > 1 && digits.n;
	for (size_t i = 0; i < digits.n && all_digits; i++)
		all_digits = span_is_digit(digits.p[i]);
	if (all_digits) {
		/* a line number too big for 32 bits is unknown, not the file's */
		if (!span_u32(digits, &line))
			line = 0;
		file.n = colon - 1;
	}
	struct frame f;
	memset(&f, 0, sizeof(f));
	if (pyspy_python_file(file)) {
		f.python = true;
		f.function = stack_span_dup(r->an, fn);
		f.file = stack_span_dup(r->an, file);
		f.line = line;
		*VEC_PUSH(&r->an->arena, &r->th.py) = f;
		r->th.parts |= SAMPLE_PYTHON;
		return true;
	}
	/* native (--native): "0x7f.. (?)" when it has no symbol */
	uint64_t pc;
	if (span_starts(fn, "0x") && span_hex_u64(fn, &pc))
		f.pc = pc;
	else
		f.function = stack_span_dup(r->an, fn);
	if (line)
		f.file = stack_span_dup(r->an, file);
	else if (!span_eq(file, "?"))
		f.module = stack_basename_dup(r->an, file);
	f.line = line;
	*VEC_PUSH(&r->an->arena, &r->th.frames) = f;
	r->th.parts |= SAMPLE_NATIVE;
	return true;
}

static void pyspy_commit(struct pyspy_reader *r)
{
	if (!r->th.open)
		return;
	int32_t pid = r->pid ? r->pid : r->file_pid;
	r->th.dump = r->several ? r->dump : 0;
	int32_t tid = r->th.tid;
	stack_thread_commit(r->an, r->in, pid, &r->th);
	r->threads++;
	struct process *p = incident_process(&r->an->inc, pid, false);
	if (p && r->ppid > 0 && p->ppid <= 0)
		p->ppid = r->ppid;
	if (r->state_r && p) {
		/* "active": /proc/TID/stat said R when py-spy looked */
		struct thread *t = process_thread(&r->an->inc, p, tid, false);
		for (size_t k = 0; t && k < t->samples.n; k++)
			if (t->samples.v[k].src.file == r->in->display &&
			    t->samples.v[k].src.dump == r->th.dump)
				t->samples.v[k].state = 'R';
	}
	r->state_r = false;
}

/* First pass: the pid when no "Process N:" line names it, and whether the
 * file holds several dumps of one process. */
static void pyspy_find_pid(struct pyspy_reader *r)
{
	struct textcur c;
	struct span line;
	int32_t first = 0, main_tid = 0, cmd = 0;
	uint32_t dumps = 0;
	input_textcur(r->in, &c);
	while (textcur_next(&c, &line)) {
		struct span t = span_trim(line), id, status, name;
		int32_t v;
		if (pyspy_process_line(t, &v)) {
			if (!first)
				first = v;
			if (v == first)
				dumps++;
		} else if (!cmd && (v = stack_pid_from_command(t)) != 0) {
			cmd = v;
		} else if (!main_tid && pyspy_thread_header(t, &id, &status, &name) &&
			   span_eq(name, "MainThread") && span_is_digit(id.p[0])) {
			struct span d = id;
			if (stack_take_i32(&d, &v) && !d.n)
				main_tid = v;
		}
	}
	r->several = dumps > 1;
	struct diags *dg = &r->an->diags;
	const char *file = r->in->display;
	if (first)
		return;
	if (cmd) {
		r->file_pid = cmd;
		diag_add(dg, DIAG_NOTE, file, 0, -1, "pid %d taken from the command line in the file",
			 (int)cmd);
	} else if (main_tid) {
		/* the main thread's OS id is the pid */
		r->file_pid = main_tid;
		diag_add(dg, DIAG_NOTE, file, 0, -1,
			 "no \"Process N:\" line: pid %d taken from MainThread's thread id", (int)main_tid);
	} else if ((r->file_pid = stack_pid_from_name(file)) != 0) {
		diag_add(dg, DIAG_NOTE, file, 0, -1, "pid %d taken from the file name",
			 (int)r->file_pid);
	} else {
		diag_add(dg, DIAG_NOTE, file, 0, -1,
			 "no pid in the dump or its name: its threads are filed under pid 0");
	}
}

static void pyspy_skip(struct pyspy_reader *r, struct span t, uint32_t lineno)
{
	if (!r->skipped++) {
		r->skipped_line = lineno;
		r->skipped_text = stack_span_dup(r->an, span_make(t.p, t.n < 80 ? t.n : 80));
	}
}

int pyspy_parse(struct analysis *an, struct input *in)
{
	struct pyspy_reader r;
	memset(&r, 0, sizeof(r));
	r.an = an;
	r.in = in;
	pyspy_find_pid(&r);
	struct textcur c;
	struct span line;
	input_textcur(in, &c);
	while (textcur_next(&c, &line)) {
		uint32_t lineno = c.line;
		if (!input_line_ok(an, in, &c, line))
			continue;
		struct span t = span_trim(line), id, status, name;
		if (t.n == 0)
			continue;
		int32_t v;
		if (pyspy_process_line(t, &v)) {
			pyspy_commit(&r);
			if (r.pid && v != r.pid)
				r.ppid = 0;
			r.pid = v;
			r.dump++;
			r.in_dump = 0;
			continue;
		}
		if (span_starts(t, "Parent Process ") &&
		    pyspy_process_line(span_make(t.p + 7, t.n - 7), &v)) {
			r.ppid = v;
			continue;
		}
		if (span_starts(t, "Python v"))
			continue;
		if (pyspy_thread_header(t, &id, &status, &name)) {
			pyspy_commit(&r);
			int32_t tid = 0;
			struct span d = id;
			bool os_tid = span_is_digit(id.p[0]) && stack_take_i32(&d, &tid) && !d.n;
			if (!os_tid) {
				uint64_t pthread = 0;
				if (span_hex_u64(id, &pthread) && pthread) {
					tid = stack_tid_from_pthread(pthread);
				} else {
					/* "0x7F...": no id left to tell threads apart
					 * but their place in the dump */
					tid = -(int32_t)(r.in_dump + 1);
				}
				if (!r.pthread_noted) {
					r.pthread_noted = true;
					diag_add(&an->diags, DIAG_NOTE, in->display, lineno, -1,
						 "thread '%.*s' is no OS thread id (py-spy printed the "
						 "pthread_t): filed as tid %d", (int)(id.n < 24 ? id.n : 24),
						 id.p, (int)tid);
				}
			}
			r.in_dump++;
			stack_thread_begin(an, &r.th, tid, name.p ? stack_span_dup(an, name) : NULL,
					   lineno, t);
			r.state_r = os_tid && span_starts(status, "active");
			continue;
		}
		if (line.n >= 8 && memcmp(line.p, "        ", 8) == 0 && r.th.open)
			continue;	/* --locals: "Arguments:", "Locals:", "name: repr" */
		if (r.th.open && span_is_space(line.p[0]) && pyspy_frame(&r, t))
			continue;
		/* "-----" between --subprocesses dumps, a pasted command line,
		 * markdown fences: not py-spy's records */
		if (span_starts(t, "---") || span_starts(t, "```") || stack_pid_from_command(t))
			continue;
		pyspy_skip(&r, t, lineno);
	}
	pyspy_commit(&r);
	if (r.skipped)
		diag_add(&an->diags, DIAG_SKIPPED, in->display, r.skipped_line, -1,
			 "%llu line(s) outside any py-spy thread, first '%s'",
			 (unsigned long long)r.skipped, r.skipped_text);
	if (!r.threads)
		return diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
				"no py-spy thread header found");
	return 0;
}

/* "Process N: ..." then "Python vX.Y": py-spy's own header; without it
 * (a paste from the first thread on), its thread headers and frames. */
static int pyspy_sniff(const struct sniff_view *v)
{
	int headers = 0, frames = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		int32_t pid;
		struct span id, status, name;
		if (span_starts(l->t, "Python v") && l->t.n > 8 && span_is_digit(l->t.p[8]) && i > 0 &&
		    pyspy_process_line(v->lines[i - 1].t, &pid))
			return sniff_strong(&v->lines[i - 1]);
		if (pyspy_thread_header(l->t, &id, &status, &name) && (status.n || name.n))
			headers++;
		else if (headers && l->indented && l->t.n && l->t.p[l->t.n - 1] == ')' &&
			 span_contains(l->t, " ("))
			frames++;
	}
	return headers && frames ? SNIFF_ROWS_PYSPY : 0;
}

const struct format format_py_spy = {
	.name = "py-spy", .cls = EV_STACKS, .sniff = pyspy_sniff, .parse = pyspy_parse,
};
