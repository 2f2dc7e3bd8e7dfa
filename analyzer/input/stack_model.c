/* stack_model.c — samples shared by the offline stack parsers: find the
 * sample of a thread taken at a given moment, or add it (stack_model.h). */
#include "stack_model.h"

#include <math.h>
#include <string.h>

/* What the sample already holds of `part`. */
static bool sample_has(const struct stack_sample *s, unsigned part)
{
	if ((part & SAMPLE_NATIVE) && s->n_frames)
		return true;
	if ((part & SAMPLE_PYTHON) && s->n_py_frames)
		return true;
	if ((part & SAMPLE_PROC) &&
	    (s->state || s->utime >= 0 || s->syscall_nr != -2 || s->wchan))
		return true;
	return false;
}

/* The same dump: the same input, and the same dump of it when it holds
 * several in a row (provenance.dump). */
static bool same_input(const struct provenance *a, const struct provenance *b)
{
	return a->file && b->file && (a->file == b->file || strcmp(a->file, b->file) == 0) &&
	       a->dump == b->dump;
}

/* Known times first, in order; unknown times keep their arrival order. */
static bool sample_before(const struct stack_sample *a, const struct stack_sample *b)
{
	return !isnan(a->src.at) && (isnan(b->src.at) || a->src.at < b->src.at);
}

struct stack_sample *thread_sample_at(struct incident *inc, struct thread *t,
				      const struct provenance *src, unsigned part)
{
	for (size_t i = 0; i < t->samples.n; i++) {
		struct stack_sample *s = &t->samples.v[i];
		if (same_input(&s->src, src))
			return s;
	}
	for (size_t i = 0; i < t->samples.n; i++) {
		struct stack_sample *s = &t->samples.v[i];
		if (!isnan(s->src.at) && !isnan(src->at) &&
		    fabs(s->src.at - src->at) <= SAMPLE_SAME_TIME_S && !sample_has(s, part))
			return s;
	}
	return thread_sample_new(inc, t, src);
}

struct stack_sample *thread_sample_new(struct incident *inc, struct thread *t,
				       const struct provenance *src)
{
	struct stack_sample *s = thread_add_sample(inc, t);
	s->src = *src;
	size_t i = t->samples.n - 1;
	while (i > 0 && sample_before(&t->samples.v[i], &t->samples.v[i - 1])) {
		struct stack_sample tmp = t->samples.v[i];
		t->samples.v[i] = t->samples.v[i - 1];
		t->samples.v[i - 1] = tmp;
		i--;
	}
	for (size_t k = 0; k < t->samples.n; k++) {
		t->samples.v[k].sample_no = (uint32_t)(k + 1);
		t->samples.v[k].src.sample = (uint32_t)(k + 1);
	}
	return &t->samples.v[i];
}

struct stack_sample *stack_sample_for(struct analysis *an, int32_t pid, int32_t tid,
				      const char *comm, const struct provenance *src,
				      unsigned part)
{
	struct process *p = incident_process(&an->inc, pid, true);
	if (!p->src.file)
		p->src = *src;
	if (comm && tid == pid && !p->comm)
		p->comm = comm;
	/* process_thread() may move the threads vector: no thread pointer is
	 * kept across calls */
	struct thread *t = process_thread(&an->inc, p, tid, true);
	/* procfs names the thread for certain; a gdb header may not */
	if (comm && (!t->comm || (part & SAMPLE_PROC)))
		t->comm = comm;
	return thread_sample_at(&an->inc, t, src, part);
}

const char *stack_span_dup(struct analysis *an, struct span s)
{
	return arena_strndup(&an->arena, s.p, s.n);
}

const char *stack_basename_dup(struct analysis *an, struct span s)
{
	size_t i = s.n;
	while (i > 0 && s.p[i - 1] != '/')
		i--;
	if (i == s.n)		/* "/usr/lib/" */
		return stack_span_dup(an, s);
	return stack_span_dup(an, span_make(s.p + i, s.n - i));
}

bool stack_take_i32(struct span *s, int32_t *out)
{
	size_t i = 0;
	/* 64-bit: a 32-bit accumulator wraps past the check ("99999999999"
	 * became 1410065407) */
	uint64_t v = 0;
	while (i < s->n && span_is_digit(s->p[i])) {
		v = v * 10 + (uint64_t)(s->p[i] - '0');
		if (v > INT32_MAX)
			return false;
		i++;
	}
	if (i == 0)
		return false;
	*out = (int32_t)v;
	s->p += i;
	s->n -= i;
	return true;
}

int32_t stack_pid_from_name(const char *display)
{
	if (!display)
		return 0;
	const char *base = strrchr(display, '/');
	base = base ? base + 1 : display;
	for (const char *p = base; *p;) {
		if (!span_is_digit(*p)) {
			p++;
			continue;
		}
		const char *q = p;
		while (span_is_digit(*q))
			q++;
		size_t n = (size_t)(q - p);
		/* not a pid: a run glued to letters ("py311"), part of a date
		 * or time ("2024-01-05", "18:40:01"), a version ("3.11") */
		char before = p > base ? p[-1] : '\0';
		bool letter = (before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z');
		/* "2024-01-05": a run followed by -NN- is a date; "1234-2" (pid,
		 * then a sample number) is not */
		bool date = *q == '-' && span_is_digit(q[1]) && span_is_digit(q[2]) &&
			    (q[3] == '-' || q[3] == 'T');
		bool alone = !letter && !date && *q != ':' && before != ':' &&
			     !((before == '-' || before == '.') && n <= 2);
		if (alone && n >= 2 && n <= 7) {
			uint32_t v = 0;
			for (const char *d = p; d < q; d++)
				v = v * 10 + (uint32_t)(*d - '0');
			/* PID_MAX_LIMIT (include/linux/threads.h) is 4194304 */
			if (v >= 2 && v <= 4194304)
				return (int32_t)v;
		}
		p = q;
	}
	return 0;
}

static bool word_at(struct span s, size_t i, const char *w)
{
	size_t n = strlen(w);
	if (s.n - i < n || memcmp(s.p + i, w, n) != 0)
		return false;
	bool before = i == 0 || s.p[i - 1] == ' ' || s.p[i - 1] == '$' || s.p[i - 1] == '#' ||
		      s.p[i - 1] == '/' || s.p[i - 1] == ';' || s.p[i - 1] == '(';
	bool after = i + n == s.n || s.p[i + n] == ' ';
	return before && after;
}

int stack_cmdline_pids(struct span line, const char *tool, int32_t *pids, int max)
{
	bool has_tool = false;
	for (size_t i = 0; i < line.n && !has_tool; i++)
		has_tool = word_at(line, i, tool);
	if (!has_tool)
		return 0;
	int n = 0;
	for (size_t i = 0; i + 2 < line.n && n < max; i++) {
		struct span d;
		if (word_at(line, i, "-p") || word_at(line, i, "--pid")) {
			size_t k = i + (line.p[i + 1] == 'p' ? 2 : 5);
			while (k < line.n && line.p[k] == ' ')
				k++;
			d = span_make(line.p + k, line.n - k);
		} else if (line.p[i] == '-' && line.p[i + 1] == 'p' && span_is_digit(line.p[i + 2]) &&
			   (i == 0 || line.p[i - 1] == ' ')) {
			d = span_make(line.p + i + 2, line.n - i - 2);
		} else if (line.n - i > 6 && memcmp(line.p + i, "/proc/", 6) == 0) {
			d = span_make(line.p + i + 6, line.n - i - 6);
		} else {
			continue;
		}
		/* "-p 1234,1240" (top, ps) */
		for (;;) {
			int32_t v;
			if (!stack_take_i32(&d, &v) || v <= 0)
				break;
			pids[n++] = v;
			if (n == max || !d.n || d.p[0] != ',')
				break;
			d = span_make(d.p + 1, d.n - 1);
		}
	}
	return n;
}

void stack_thread_begin(struct analysis *an, struct stack_thread *th, int32_t tid,
			const char *comm, uint32_t line, struct span text)
{
	th->open = true;
	th->tid = tid;
	th->comm = comm;
	th->line = line;
	th->text = line ? stack_span_dup(an, text) : NULL;
	th->parts = 0;
	th->frames.n = 0;
	th->py.n = 0;
}

static struct frame *frames_copy(struct analysis *an, const frame_vec *v)
{
	struct frame *f = arena_calloc(&an->arena, v->n, sizeof(*f));
	memcpy(f, v->v, v->n * sizeof(*f));
	return f;
}

void stack_thread_commit(struct analysis *an, struct input *in, int32_t pid,
			 struct stack_thread *th)
{
	if (!th->open)
		return;
	th->open = false;
	if (th->frames.n)
		th->parts |= SAMPLE_NATIVE;
	if (th->py.n)
		th->parts |= SAMPLE_PYTHON;
	struct provenance src = {
		.file = in->display, .line = th->line, .at = in->at, .text = th->text,
		.dump = th->dump,
	};
	struct stack_sample *s = stack_sample_for(an, pid, th->tid, th->comm, &src, th->parts);
	if ((th->parts & SAMPLE_NATIVE) && s->n_frames == 0 && th->frames.n) {
		if (!same_input(&s->src, &src)) {
			/* the native stack is the evidence a finding quotes */
			uint32_t no = s->src.sample;
			s->src = src;
			s->src.sample = no;
		}
		s->frames = frames_copy(an, &th->frames);
		s->n_frames = (uint32_t)th->frames.n;
		in->records += th->frames.n;
	}
	if ((th->parts & SAMPLE_PYTHON) && s->n_py_frames == 0 && th->py.n) {
		s->py_frames = frames_copy(an, &th->py);
		s->n_py_frames = (uint32_t)th->py.n;
		in->records += th->py.n;
	}
	th->frames.n = 0;
	th->py.n = 0;
}

int32_t stack_tid_from_pthread(uint64_t id)
{
	/* pthread_t is the address of the thread's descriptor at the top of
	 * its stack (glibc nptl/descr.h): stacks lie megabytes apart, so the
	 * low 31 bits tell a process's threads apart and stay the same from
	 * one dump to the next */
	uint32_t v = (uint32_t)(id & 0x7fffffff);
	if (!v)
		v = (uint32_t)((id >> 31) & 0x7fffffff);
	return v ? -(int32_t)v : -1;
}

/* A word that ends a shell prompt: "$", "#", "%", ">", "user@host:~$",
 * "[root@host ~]#", "(venv)". */
static bool is_prompt_word(struct span w)
{
	if (!w.n)
		return false;
	char last = w.p[w.n - 1];
	return last == '$' || last == '#' || last == '%' || last == '>' ||
	       (w.p[0] == '(' && last == ')') || span_eq(w, "sudo") || span_eq(w, "-E");
}

static bool take_pid_word(struct span w, int32_t *pid)
{
	struct span d = w;
	int32_t v;
	/* PID_MAX_LIMIT (include/linux/threads.h) is 4194304 */
	if (stack_take_i32(&d, &v) && d.n == 0 && v >= 1 && v <= 4194304) {
		*pid = v;
		return true;
	}
	return false;
}

int32_t stack_pid_from_command(struct span line)
{
	static const char *const tools[] = { "pstack", "gstack", "gdb", "py-spy", "eu-stack" };
	struct span rest = span_trim(line), w;
	int words = 0;
	bool prompt = false;
	size_t tool = sizeof(tools) / sizeof(tools[0]);
	while (tool == sizeof(tools) / sizeof(tools[0]) && words < 6 && span_token(&rest, &w)) {
		words++;
		/* "/usr/bin/pstack" as well as "pstack" */
		struct span base = w;
		for (size_t i = w.n; i > 0; i--)
			if (w.p[i - 1] == '/') {
				base = span_make(w.p + i, w.n - i);
				break;
			}
		for (size_t k = 0; k < sizeof(tools) / sizeof(tools[0]); k++)
			if (span_eq(base, tools[k]))
				tool = k;
		/* before the tool: a prompt ("[root@host ~]#" is two words),
		 * sudo, `docker exec NAME`: any words, one of them a prompt */
		if (tool == sizeof(tools) / sizeof(tools[0]) && is_prompt_word(w))
			prompt = true;
	}
	if (tool == sizeof(tools) / sizeof(tools[0]) || (!prompt && words > 1))
		return 0;
	/* the pid: pstack/gstack PID; gdb -p PID, --pid[=]PID, gdb PROG PID;
	 * py-spy dump --pid[=]PID / -p PID; eu-stack -p PID */
	bool after_flag = false, is_gdb = tool == 2;
	int args = 0;
	int32_t pid = 0;
	while (span_token(&rest, &w)) {
		if (span_starts(w, "--pid=") &&
		    take_pid_word(span_make(w.p + 6, w.n - 6), &pid))
			return pid;
		if (span_eq(w, "-p") || span_eq(w, "--pid") || span_eq(w, "attach")) {
			after_flag = true;
			continue;
		}
		if (after_flag)
			return take_pid_word(w, &pid) ? pid : 0;
		if (w.p[0] == '\'' || w.p[0] == '"') {
			/* a quoted argument may hold blanks: 'thread apply all bt' */
			char q = w.p[0];
			while (!(w.n >= 2 && w.p[w.n - 1] == q) && span_token(&rest, &w))
				;
			continue;
		}
		if (w.p[0] == '-') {
			/* gdb -ex CMD / -x FILE / py-spy --rate N: the argument
			 * after an option is never the pid */
			if (span_eq(w, "-ex") || span_eq(w, "-x") || span_eq(w, "-iex") ||
			    span_eq(w, "--rate") || span_eq(w, "-r")) {
				if (span_token(&rest, &w) && (w.p[0] == '\'' || w.p[0] == '"')) {
					char q = w.p[0];
					while (!(w.n >= 2 && w.p[w.n - 1] == q) && span_token(&rest, &w))
						;
				}
			}
			continue;
		}
		args++;
		if ((tool == 0 || tool == 1 || (is_gdb && args == 2)) && take_pid_word(w, &pid))
			return pid;
		if (tool == 0 || tool == 1)
			return 0;
	}
	return 0;
}
