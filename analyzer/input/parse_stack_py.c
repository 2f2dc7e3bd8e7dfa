/* parse_stack_py.c — CPython's gdb extension (python3.X-gdb.py, shipped by
 * Debian's python3.X-dbg next to the interpreter in
 * /usr/share/gdb/auto-load): `thread apply all py-bt` and `py-bt-full`.
 *
 * Native stacks cannot tell a stuck Python worker from an idle one (both
 * sit in PyThread_acquire_lock_timed -> futex, DESIGN.md "Domain facts");
 * the Python frames can. py-bt prints, per thread, under gdb's own thread
 * header (tests/data/stacks/gdb-pyworkers-py-bt.txt):
 *
 *   Traceback (most recent call first):                 PyBacktrace.invoke()
 *     <built-in method __enter__ of _thread.lock object at remote 0x7f8e348fd200>
 *     File "/usr/lib/python3.11/threading.py", line 320, in wait
 *       waiter.acquire()                                  source text: skipped
 *     Waiting for the GIL                                 is_other_python_frame()
 *     (frame information optimized out)                   FRAME_INFO_OPTIMIZED_OUT
 *   Unable to locate python frame                         a thread with no Python
 *
 * and py-bt-full ("#N" = gdb's frame number, PyBacktraceFull.invoke()):
 *
 *   #5 Frame 0x7f.., for file /usr/lib/python3.11/threading.py, line 320, in wait (self=<..>)
 *   #8 <built-in method acquire of _thread.lock object at remote 0x7f..>
 *
 * Frames go to stack_sample.py_frames, innermost first, python = true. The
 * thread headers and the file's native frames are read by the gdb reader
 * (parse_stack_gdb.c), which hands every line to py_bt_line() first. */
#include <string.h>

#include "parsers.h"
#include "stack_model.h"
#include "format.h"

static void py_push(struct analysis *an, struct stack_thread *th, const char *function,
		    const char *file, uint32_t line)
{
	struct frame *f = VEC_PUSH(&an->arena, &th->py);
	memset(f, 0, sizeof(*f));
	f->function = function;
	f->file = file;
	f->line = line;
	f->python = true;
	th->parts |= SAMPLE_PYTHON;
}

/* "<built-in method acquire of _thread.lock object at remote 0x7f..>" ->
 * "built-in method acquire of _thread.lock object": the address would make
 * every sample's frame different. */
static const char *py_other_frame(struct analysis *an, struct span t)
{
	if (t.n >= 2 && t.p[0] == '<' && t.p[t.n - 1] == '>') {
		t.p++;
		t.n -= 2;
	}
	static const char *const at[] = { " at remote 0x", " at 0x" };
	for (size_t k = 0; k < 2; k++) {
		size_t ml = strlen(at[k]);
		for (size_t i = 0; i + ml <= t.n; i++)
			if (memcmp(t.p + i, at[k], ml) == 0) {
				t.n = i;
				break;
			}
	}
	return stack_span_dup(an, t);
}

/* '  File "/usr/lib/python3.11/threading.py", line 320, in wait' */
static bool py_file_line(struct analysis *an, struct stack_thread *th, struct span t)
{
	if (!span_starts(t, "File \""))
		return false;
	struct span r = span_make(t.p + 6, t.n - 6);
	static const char mark[] = "\", line ";
	size_t ml = sizeof(mark) - 1;
	for (size_t i = 0; i + ml <= r.n; i++) {
		if (memcmp(r.p + i, mark, ml) != 0)
			continue;
		struct span file = span_make(r.p, i);
		struct span rest = span_make(r.p + i + ml, r.n - i - ml);
		int32_t line = 0;
		if (!stack_take_i32(&rest, &line) && span_starts(rest, "?"))	/* unknown */
			rest = span_make(rest.p + 1, rest.n - 1);
		const char *fn = NULL;
		if (span_starts(rest, ", in "))
			fn = stack_span_dup(an, span_make(rest.p + 5, rest.n - 5));
		py_push(an, th, fn, stack_span_dup(an, file), (uint32_t)line);
		return true;
	}
	return false;
}

/* py-bt-full: "#5 Frame 0x7f.., for file F, line 320, in wait (self=...)" */
static bool py_full_frame(struct analysis *an, struct stack_thread *th, struct span t)
{
	static const char ff[] = ", for file ";
	size_t fl = sizeof(ff) - 1;
	for (size_t i = 0; i + fl <= t.n; i++) {
		if (memcmp(t.p + i, ff, fl) != 0)
			continue;
		struct span r = span_make(t.p + i + fl, t.n - i - fl);
		static const char ln[] = ", line ";
		size_t ll = sizeof(ln) - 1;
		for (size_t j = 0; j + ll <= r.n; j++) {
			if (memcmp(r.p + j, ln, ll) != 0)
				continue;
			struct span file = span_make(r.p, j);
			struct span rest = span_make(r.p + j + ll, r.n - j - ll);
			int32_t line = 0;
			stack_take_i32(&rest, &line);
			const char *fn = NULL;
			if (span_starts(rest, ", in ")) {
				struct span name = span_make(rest.p + 5, rest.n - 5);
				for (size_t k = 0; k < name.n; k++)
					if (name.p[k] == ' ') {
						name.n = k;
						break;
					}
				fn = stack_span_dup(an, name);
			}
			py_push(an, th, fn, stack_span_dup(an, file), (uint32_t)line);
			return true;
		}
		break;
	}
	py_push(an, th, NULL, NULL, 0);	/* a Frame we cannot read */
	return true;
}

static bool py_info_line(struct analysis *an, struct stack_thread *th, struct span t)
{
	if (t.p[0] == '<' || span_eq(t, "Waiting for the GIL") || span_eq(t, "Garbage-collecting") ||
	    span_starts(t, "PyCFunction invocation")) {
		py_push(an, th, py_other_frame(an, t), NULL, 0);
		return true;
	}
	if (span_eq(t, "(unable to read python frame information)") ||
	    span_eq(t, "(frame information optimized out)")) {
		py_push(an, th, NULL, NULL, 0);
		return true;
	}
	return false;
}

bool py_bt_line(struct analysis *an, struct stack_thread *th, struct span line,
		bool *in_traceback)
{
	struct span t = span_trim(line);
	if (t.n == 0)
		return false;
	if (span_starts(t, "Traceback (most recent call first)")) {
		*in_traceback = true;
		th->parts |= SAMPLE_PYTHON;
		return true;
	}
	if (span_eq(t, "Unable to locate python frame")) {
		th->parts |= SAMPLE_PYTHON;	/* looked: no Python frames */
		return true;
	}
	if (t.p[0] == '#' && t.n > 1 && span_is_digit(t.p[1])) {
		/* py-bt-full; gdb's own frames ("#0  0x.. in f ()") are not */
		struct span r = span_make(t.p + 1, t.n - 1);
		int32_t n;
		if (!stack_take_i32(&r, &n))
			return false;
		if (r.n == 0)
			return true;	/* "#7": not a Python frame */
		if (r.p[0] != ' ')
			return false;
		r = span_make(r.p + 1, r.n - 1);
		if (span_starts(r, "Frame 0x"))
			return py_full_frame(an, th, r);
		if (span_eq(r, "<signal handler called>") || (r.n && span_is_space(r.p[0])))
			return false;
		return py_info_line(an, th, r);
	}
	if (!*in_traceback)
		return false;
	/* inside a traceback: frames are indented by 2, their source by 4 */
	if (line.n > 2 && line.p[0] == ' ' && line.p[1] == ' ' && line.p[2] != ' ') {
		if (py_file_line(an, th, t) || py_info_line(an, th, t))
			return true;
		if (span_eq(t, "(not a python frame)"))
			return true;
		/* another is_other_python_frame() text: keep it as printed */
		py_push(an, th, stack_span_dup(an, t), NULL, 0);
		return true;
	}
	if (line.n > 4 && memcmp(line.p, "    ", 4) == 0)
		return true;	/* the frame's source line */
	*in_traceback = false;
	return false;
}

int py_bt_parse(struct analysis *an, struct input *in)
{
	return gdb_family_parse(an, in);
}

/* gdb's py-bt: "Traceback (most recent call first):" */
static int py_bt_sniff(const struct sniff_view *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (span_starts(v->lines[i].t, "Traceback (most recent call first)"))
			return sniff_strong(&v->lines[i]);
	return 0;
}

const struct format format_py_bt = {
	.name = "py-bt", .cls = EV_STACKS, .sniff = py_bt_sniff, .parse = py_bt_parse,
};
